//! Every fuzz target's corpus (`fuzz/corpus/<target>/`: the seeds, and each crash the fuzzer found once it was
//! fixed) replayed through the target's own checks, so a fixed crash stays fixed without running AFL++.

#[path = "../fuzz/src/checks.rs"]
mod checks;

use std::path::Path;

#[test]
fn every_corpus_file_passes_its_targets_checks() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut replayed = 0;
    let mut failed = Vec::new();
    for (name, _) in checks::TARGETS {
        assert!(
            corpus.join(name).is_dir(),
            "no seed corpus for target {name}"
        );
    }
    for dir in std::fs::read_dir(&corpus).unwrap() {
        let dir = dir.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let check =
            checks::find(&name).unwrap_or_else(|| panic!("{name}: a corpus without a target"));
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            let data = std::fs::read(&file).unwrap();
            if let Err(panic) = std::panic::catch_unwind(|| check(&data)) {
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failed.push(format!("{}: {why}", file.display()));
            }
            replayed += 1;
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    assert!(
        replayed >= checks::TARGETS.len(),
        "only {replayed} corpus files"
    );
}
