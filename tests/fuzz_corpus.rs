//! Every fuzz target's corpus (`fuzz/corpus/<target>/`: the seeds, and each crash the fuzzer found once it was
//! fixed) replayed through the target's own checks, so a fixed crash stays fixed without running AFL++; then a
//! few mutations of each (a property test in miniature: `REGULARS_FUZZ_MUTATIONS=N` tries N per file).

#[path = "../fuzz/src/checks.rs"]
mod checks;

use std::path::{Path, PathBuf};

/// Each corpus file with its target's check.
fn corpus() -> Vec<(PathBuf, Vec<u8>, checks::Check)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    for (name, _) in checks::TARGETS {
        assert!(root.join(name).is_dir(), "no seed corpus for target {name}");
    }
    let mut files = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let check =
            checks::find(&name).unwrap_or_else(|| panic!("{name}: a corpus without a target"));
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            let data = std::fs::read(&file).unwrap();
            files.push((file, data, check));
        }
    }
    assert!(
        files.len() >= checks::TARGETS.len(),
        "only {} corpus files",
        files.len()
    );
    files
}

/// The panic message of `check(data)`, if it panics.
fn failure(check: checks::Check, data: &[u8]) -> Option<String> {
    let panic = std::panic::catch_unwind(|| check(data)).err()?;
    Some(
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default(),
    )
}

#[test]
fn every_corpus_file_passes_its_targets_checks() {
    let failed: Vec<String> = corpus()
        .iter()
        .filter_map(|(file, data, check)| {
            Some(format!("{}: {}", file.display(), failure(*check, data)?))
        })
        .collect();
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// Bytes that make parsers take other paths: escapes, quotes, brackets, multi-byte and invalid UTF-8.
const SPICE: [&[u8]; 12] = [
    b"\x1b[",
    b"\"",
    b"\\u",
    b"<",
    b"&#",
    b"}",
    b"]",
    b"\n",
    "\u{202e}".as_bytes(),
    "\u{200d}".as_bytes(),
    b"\xff",
    "\u{1f468}".as_bytes(),
];

/// One deterministic mutation of `data`: a byte flipped, a cut, a spliced-in token, a repeated slice.
fn mutate(data: &[u8], r: u64) -> Vec<u8> {
    let mut out = data.to_vec();
    let at = |k: u64| {
        if out.is_empty() {
            0
        } else {
            (r >> k) as usize % (out.len() + 1)
        }
    };
    match r % 4 {
        0 if !out.is_empty() => {
            let i = at(8).min(out.len() - 1);
            out[i] ^= 1 << ((r >> 40) % 8);
        }
        1 => out.truncate(at(8)),
        2 => {
            let i = at(8);
            out.splice(
                i..i,
                SPICE[(r >> 40) as usize % SPICE.len()].iter().copied(),
            );
        }
        _ => {
            let (a, b) = (at(8), at(24));
            let (a, b) = (a.min(b), a.max(b).min(a.min(b) + 64));
            let slice = out[a..b].to_vec();
            out.splice(a..a, slice);
        }
    }
    out
}

#[test]
fn mutated_corpus_files_pass_their_targets_checks() {
    let per_file: u64 = std::env::var("REGULARS_FUZZ_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let mut r: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut failed = Vec::new();
    for (file, data, check) in corpus() {
        let mut input = data.clone();
        for _ in 0..per_file {
            r = r
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            // Mutations pile up on one input, back to the seed now and then.
            input = mutate(if r.is_multiple_of(8) { &data } else { &input }, r);
            if let Some(why) = failure(check, &input) {
                failed.push(format!(
                    "{} mutated to {:?}: {why}",
                    file.display(),
                    String::from_utf8_lossy(&input)
                ));
                break;
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
