//! The command line: doctor, sync --once with a JSONL source, and a bad config refused with its place.

use std::process::Command;

fn regulars(home: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_regulars"));
    cmd.env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("HOME", home)
        .env_remove("REGULARS_CONFIG")
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
    cmd
}

#[test]
fn doctor_on_the_demo_passes() {
    let home = tempfile::tempdir().unwrap();
    let out = regulars(home.path())
        .args(["--demo", "doctor"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("demo feed") && stdout.contains("30 customers"),
        "{stdout}"
    );
}

#[test]
fn sync_once_stores_a_jsonl_file_and_a_second_run_adds_nothing() {
    let home = tempfile::tempdir().unwrap();
    let inbox = home.path().join("inbox.jsonl");
    std::fs::write(
        &inbox,
        concat!(
            r#"{"id": "a1", "author": "ann@example.social", "text": "@shop my parcel never arrived, 3 weeks now"}"#,
            "\n",
            r#"{"id": "a2", "author": "bo@example.social", "text": "lovely day for a walk"}"#,
            "\n",
        ),
    )
    .unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[shop]\nname = \"Shop\"\nkeywords = [\"shop\"]\n\n[sources.inbox]\nkind = \"jsonl\"\npath = {:?}\n", inbox),
    )
    .unwrap();
    let db = home.path().join("work.db");
    let run = || {
        regulars(home.path())
            .args([
                "--config",
                config.to_str().unwrap(),
                "--db",
                db.to_str().unwrap(),
                "sync",
                "--once",
            ])
            .output()
            .unwrap()
    };
    let first = run();
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(stdout.contains("inbox: 2 new posts"), "{stdout}");
    let second = run();
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(second.status.success());
    assert!(
        !stdout.contains("new posts"),
        "resumed from the stored cursor: {stdout}"
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (n, attention): (i64, i64) = conn
        .query_row(
            "SELECT COUNT(*), SUM(category IN ('complaint', 'distress')) FROM posts",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((n, attention), (2, 1));
}

#[test]
fn a_bad_config_is_refused_with_file_line_and_field() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(&config, "[shop]\nname = \"x\"\nkeywrods = [\"a\"]\n").unwrap();
    let out = regulars(home.path())
        .args(["--config", config.to_str().unwrap(), "doctor"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("config.toml") && stderr.contains("line 3") && stderr.contains("keywrods"),
        "{stderr}"
    );
}
