//! The command line: doctor, sync --once (its summary and exit code, healthy and failing), --fresh (refused on
//! subcommands, asking on the console), and a bad config refused with its place.

mod common;

use common::bin::regulars;

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
    assert_eq!(stdout, "inbox: 2 new posts, live\n", "one summary line");
    let second = run();
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(second.status.success());
    assert_eq!(
        stdout, "inbox: 0 new posts, live\n",
        "resumed from the stored cursor"
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

/// A workspace with a JSONL inbox of `posts` lines synced into `work.db`: (config, db).
fn synced_workspace(
    home: &std::path::Path,
    posts: usize,
) -> (std::path::PathBuf, std::path::PathBuf) {
    let inbox = home.join("inbox.jsonl");
    let lines: String = (0..posts)
        .map(|i| {
            format!("{{\"id\": \"p{i}\", \"author\": \"ann@example.social\", \"text\": \"post number {i}\"}}\n")
        })
        .collect();
    std::fs::write(&inbox, lines).unwrap();
    let config = home.join("config.toml");
    std::fs::write(
        &config,
        format!("[shop]\nname = \"Shop\"\n\n[sources.inbox]\nkind = \"jsonl\"\npath = {inbox:?}\n"),
    )
    .unwrap();
    let db = home.join("work.db");
    let out = regulars(home)
        .args([
            "--config",
            config.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ])
        .args(["sync", "--once"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stored_posts(&db), posts as i64);
    (config, db)
}

fn stored_posts(db: &std::path::Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT COUNT(*) FROM posts", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn sync_once_exits_non_zero_when_a_source_fails_and_says_which() {
    let home = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(async {
        let server = wiremock::MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(wiremock::ResponseTemplate::new(500))
            .mount(&server)
            .await;
        server
    });
    let inbox = home.path().join("inbox.jsonl");
    std::fs::write(
        &inbox,
        "{\"id\": \"a1\", \"author\": \"ann@example.social\", \"text\": \"hello\"}\n",
    )
    .unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[shop]\nname = \"Shop\"\n\n[sources.inbox]\nkind = \"jsonl\"\npath = {inbox:?}\n\n\
             [sources.reviews]\nkind = \"rss\"\nurl = \"{}/feed.xml\"\n",
            server.uri()
        ),
    )
    .unwrap();
    let db = home.path().join("work.db");
    let out = regulars(home.path())
        .args([
            "--config",
            config.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ])
        .args(["sync", "--once"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "one line per source: {stdout}");
    assert_eq!(lines[0], "inbox: 1 new post, live");
    assert!(
        lines[1].starts_with("reviews: 0 new posts, backing off until") && lines[1].contains("500"),
        "{stdout}"
    );
    assert_eq!(stored_posts(&db), 1, "the healthy source's post is stored");
}

#[test]
fn fresh_is_refused_on_every_subcommand_and_the_database_kept() {
    let home = tempfile::tempdir().unwrap();
    let (config, db) = synced_workspace(home.path(), 3);
    for args in [
        vec!["doctor", "--fresh"],
        vec!["--fresh", "doctor"],
        vec!["sync", "--once", "--fresh"],
        vec!["--fresh", "--yes", "sync"],
        vec!["classify", "--fresh"],
    ] {
        let out = regulars(home.path())
            .args([
                "--config",
                config.to_str().unwrap(),
                "--db",
                db.to_str().unwrap(),
            ])
            .args(&args)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("--fresh deletes the database"), "{stderr}");
        assert!(
            stderr.contains("regulars --fresh") || stderr.contains("drop --fresh"),
            "names the fix: {stderr}"
        );
        assert_eq!(stored_posts(&db), 3, "{args:?} left the posts");
    }
}

#[test]
fn fresh_on_the_console_asks_and_only_yes_deletes() {
    use std::io::Write;
    let home = tempfile::tempdir().unwrap();
    let (_, db) = synced_workspace(home.path(), 4);
    // No sources: nothing can be stored between the reset and the check.
    let config = home.path().join("quiet.toml");
    std::fs::write(&config, "[shop]\nname = \"Shop\"\n").unwrap();
    let console = |answer: Option<&str>, extra: &[&str]| {
        let mut child = regulars(home.path())
            .args([
                "--config",
                config.to_str().unwrap(),
                "--db",
                db.to_str().unwrap(),
            ])
            .arg("--fresh")
            .args(extra)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        if let Some(answer) = answer {
            stdin.write_all(answer.as_bytes()).unwrap();
        }
        drop(stdin);
        child.wait_with_output().unwrap()
    };
    for answer in [Some("no\n"), Some("y\n"), None] {
        let out = console(answer, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{answer:?}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "Delete {} (4 posts, 0 actions)? Type yes to continue:",
                db.display()
            )),
            "{stderr}"
        );
        assert!(stderr.contains("nothing deleted"), "{stderr}");
        assert_eq!(stored_posts(&db), 4, "{answer:?} kept the database");
    }
    // --yes: no question; the database is emptied before the console starts (here it then fails to take
    // over a terminal it does not have, after the reset).
    let out = console(None, &["--yes"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("Type yes"), "{stderr}");
    assert!(stderr.contains("(4 posts, 0 actions)"), "{stderr}");
    assert_eq!(stored_posts(&db), 0, "reset: {stderr}");
    // "yes" typed: the same
    synced_workspace(home.path(), 2);
    let out = console(Some("yes\n"), &[]);
    assert_eq!(
        stored_posts(&db),
        0,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
