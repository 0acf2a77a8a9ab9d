//! One AFL++ harness for every target: `regulars-fuzz <target>` runs the check named `<target>` in
//! `checks.rs` on each input AFL++ hands it. `fuzz/run` builds it with `cargo afl build` and runs the targets.

mod checks;

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    let Some(check) = checks::find(&name) else {
        let names: Vec<&str> = checks::TARGETS.iter().map(|(n, _)| *n).collect();
        eprintln!(
            "usage: regulars-fuzz <target>; targets: {}",
            names.join(" ")
        );
        std::process::exit(2);
    };
    afl::fuzz!(|data: &[u8]| check(data));
}
