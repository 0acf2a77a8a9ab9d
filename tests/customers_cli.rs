//! `regulars customers list|show|forget` on a real workspace: customers imported and posts stored by
//! `sync --once`, then read and forgotten through the binary.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn regulars(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_regulars"));
    cmd.env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("HOME", home)
        .env("TZ", "UTC")
        .env_remove("REGULARS_CONFIG")
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
    cmd
}

/// A shop in euros with three customers (two named Priya) and two posts of Priya Raman's, synced once.
fn workspace(home: &Path) -> (PathBuf, PathBuf) {
    std::fs::write(
        home.join("customers.csv"),
        "external_id,name,lifetime_spend,mastodon,bluesky,note\n\
         C-1042,Priya Raman,14820.00,@priya@far.example,,prefers rose gold\n\
         C-7,Tom Okafor,12450.75,,,\n\
         C-9,Priya Shah,300,,,\n",
    )
    .unwrap();
    let inbox = home.join("inbox.jsonl");
    std::fs::write(
        &inbox,
        concat!(
            r#"{"id": "1", "network": "mastodon", "author": "priya@far.example", "name": "Priya Raman", "created_at": "2026-11-20T10:00:00Z", "text": "@shop my ring arrived broken and nobody answers, really disappointed"}"#,
            "\n",
            r#"{"id": "2", "network": "mastodon", "author": "priya@far.example", "created_at": "2026-11-21T10:00:00Z", "text": "lovely walk by the river today"}"#,
            "\n",
        ),
    )
    .unwrap();
    let config = home.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[shop]\nname = \"Shop\"\nkeywords = [\"shop\"]\ncustomers = \"customers.csv\"\ncurrency = \"EUR\"\n\n\
             [sources.inbox]\nkind = \"jsonl\"\npath = {inbox:?}\n"
        ),
    )
    .unwrap();
    let db = home.join("work.db");
    let out = run(home, &config, &db, &["sync", "--once"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    (config, db)
}

fn run(home: &Path, config: &Path, db: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = regulars(home);
    cmd.arg("--config")
        .arg(config)
        .arg("--db")
        .arg(db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn list_shows_every_customer_with_spend_in_the_shops_currency_and_a_hint() {
    let home = tempfile::tempdir().unwrap();
    let (config, db) = workspace(home.path());
    let out = run(home.path(), &config, &db, &["customers", "list"], None);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert!(
        lines[0].starts_with("rank  name") && lines[0].ends_with("hint"),
        "{stdout}"
    );
    assert!(
        lines[1].contains("Priya Raman")
            && lines[1].contains("€14,820")
            && lines[1].contains("mastodon")
            && lines[1].contains("never")
            && lines[1].ends_with("posted about a problem, no reply yet"),
        "{stdout}"
    );
    assert!(
        lines[2].contains("Tom Okafor") && lines[2].ends_with("never contacted"),
        "{stdout}"
    );
    assert!(!stdout.contains('£'), "{stdout}");

    let out = run(
        home.path(),
        &config,
        &db,
        &["customers", "list", "--json"],
        None,
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["customer"]["name"], "Priya Raman");
    assert_eq!(rows[0]["spend"], "€14,820.00");
    assert_eq!(
        rows[0]["hint"]["text"],
        "posted about a problem, no reply yet"
    );
    assert_eq!(rows[0]["hint"]["detail"]["kind"], "unanswered");
    assert_eq!(rows[1]["hint"]["text"], "never contacted");
}

#[test]
fn show_prints_a_customers_story_and_refuses_an_ambiguous_name() {
    let home = tempfile::tempdir().unwrap();
    let (config, db) = workspace(home.path());
    let out = run(
        home.path(),
        &config,
        &db,
        &["customers", "show", "priya raman"],
        None,
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let expected = [
        "Priya Raman (C-1042) · rank 1 · lifetime spend €14,820.00",
        "handles: mastodon @priya@far.example",
        "notes:",
        "  prefers rose gold",
        "hint: posted about a problem, no reply yet",
        "first response: none yet (2 posts stored)",
        "21 Nov 10:00  mastodon praise: lovely walk by the river today",
        "20 Nov 10:00  mastodon complaint: @shop my ring arrived broken and nobody answers, really disappointed  (no reply yet)",
    ];
    for line in expected {
        assert!(stdout.lines().any(|l| l == line), "{line:?} in\n{stdout}");
    }
    // By the shop's id, whatever the case; as JSON.
    let out = run(
        home.path(),
        &config,
        &db,
        &["customers", "show", "c-1042", "--json"],
        None,
    );
    let story: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(story["posts"], 2);
    assert_eq!(story["timeline"][0]["type"], "post");
    assert_eq!(story["summary"]["customer"]["external_id"], "C-1042");

    let out = run(
        home.path(),
        &config,
        &db,
        &["customers", "show", "priya"],
        None,
    );
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("\"priya\" matches 2 customers")
            && stderr.contains("Priya Raman (C-1042)")
            && stderr.contains("Priya Shah (C-9)"),
        "{stderr}"
    );
    let out = run(
        home.path(),
        &config,
        &db,
        &["customers", "show", "nobody"],
        None,
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("no customer matches \"nobody\""));
}

#[test]
fn forget_asks_naming_what_goes_and_only_yes_forgets() {
    let home = tempfile::tempdir().unwrap();
    let (config, db) = workspace(home.path());
    let question = "Forget Priya Raman (C-1042): name, email, spend, notes, 1 handle; 2 posts kept as \
                    anonymous posts? Type yes to continue: ";
    for answer in ["no\n", "", "y\n"] {
        let out = run(
            home.path(),
            &config,
            &db,
            &["customers", "forget", "C-1042"],
            Some(answer),
        );
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{answer:?}: {stderr}");
        assert!(stderr.starts_with(question), "{stderr}");
        assert!(stderr.contains("nothing forgotten"), "{stderr}");
    }
    let list = run(home.path(), &config, &db, &["customers", "list"], None);
    assert!(text(&list.stdout).contains("Priya Raman"));

    let out = run(
        home.path(),
        &config,
        &db,
        &["customers", "forget", "C-1042"],
        Some("yes\n"),
    );
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("Forgotten: 2 posts kept anonymous, 0 deleted"),
        "{stderr}"
    );
    let list = text(&run(home.path(), &config, &db, &["customers", "list"], None).stdout);
    assert!(
        !list.contains("Raman") && list.contains("Priya Shah"),
        "{list}"
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (anonymous, named): (i64, i64) = conn
        .query_row(
            "SELECT SUM(author_handle = 'forgotten-customer'), SUM(author_name LIKE '%Raman%' OR author_handle LIKE '%priya%')
             FROM posts",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((anonymous, named), (2, 0));

    // --yes with --posts: no question, and Tom's (no) posts go.
    let out = run(
        home.path(),
        &config,
        &db,
        &["customers", "forget", "tom okafor", "--posts", "--yes"],
        None,
    );
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.starts_with(
            "Forget Tom Okafor (C-7): name, email, spend, notes, 0 handles; no posts stored? --yes"
        ),
        "{stderr}"
    );
    // --yes means nothing to other subcommands.
    let out = run(
        home.path(),
        &config,
        &db,
        &["customers", "list", "--yes"],
        None,
    );
    assert!(!out.status.success());
}
