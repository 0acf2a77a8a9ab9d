//! `[store] backend = "postgres"` end to end: `regulars sync`, `report`, `export` and `doctor` against a throwaway
//! PostgreSQL cluster, the connection string from the environment or a private file and never printed; a file
//! others can read, and `--db`, refused. Skips, loudly, only where no PostgreSQL server is installed.

mod common;

use std::path::{Path, PathBuf};

use common::bin::{regulars, succeeded};
use common::postgres::Cluster;

/// A workspace syncing a JSONL inbox of two posts into PostgreSQL: its config file.
fn workspace(home: &Path, store: &str) -> PathBuf {
    let inbox = home.join("inbox.jsonl");
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
    let config = home.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[shop]\nname = \"Shop\"\nkeywords = [\"shop\"]\n\n[store]\n{store}\n\n\
             [sources.inbox]\nkind = \"jsonl\"\npath = {inbox:?}\n"
        ),
    )
    .unwrap();
    config
}

#[test]
fn sync_stores_posts_in_postgres_once_and_report_and_export_read_them() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let url = cluster.create_database("synced");
    let home = tempfile::tempdir().unwrap();
    let config = workspace(home.path(), "backend = \"postgres\"");
    let run = |args: &[&str]| {
        regulars(home.path())
            .env("REGULARS_DATABASE_URL", &url)
            .args(["--config", config.to_str().unwrap()])
            .args(args)
            .output()
            .unwrap()
    };
    for _ in 0..2 {
        let out = run(&["sync", "--once"]);
        let stdout = succeeded(&out);
        let all = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert!(
            !all.contains(&url),
            "the connection string is never printed: {all}"
        );
    }
    // Stored once, though synced twice; no SQLite file was made.
    let n: i64 = cluster.query_one("synced", "SELECT count(*) FROM posts");
    assert_eq!(n, 2);
    let complaint: String = cluster.query_one(
        "synced",
        "SELECT category FROM posts WHERE native_id = 'a1'",
    );
    assert_eq!(complaint, "complaint");
    assert!(!home.path().join("data").join("regulars").exists());
    let csv = succeeded(&run(&["export", "posts", "--format", "csv"]));
    assert!(csv.contains("my parcel never arrived"), "{csv}");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    let report = succeeded(&run(&["report", "--format", "json"]));
    assert!(report.contains("complaint"), "{report}");
    let doctor = succeeded(&run(&["doctor"]));
    for line in [
        "store connection",
        "store server",
        "store schema",
        "store rights",
        "store notifications",
    ] {
        assert!(
            doctor
                .lines()
                .any(|l| l.starts_with(line) && l.contains(" ok ")),
            "{line}: {doctor}"
        );
    }
    assert!(!doctor.contains(&url), "{doctor}");
}

#[test]
fn a_url_file_others_can_read_and_a_db_flag_are_refused_naming_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let secret = home.path().join("store-url");
    std::fs::write(&secret, "postgres://shop:hunter2@db.example/shop\n").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
    let config = workspace(
        home.path(),
        &format!("backend = \"postgres\"\nurl_file = {secret:?}"),
    );
    let out = regulars(home.path())
        .args(["--config", config.to_str().unwrap(), "sync", "--once"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains(&format!("chmod 600 {}", secret.display())),
        "{stderr}"
    );
    assert!(stderr.contains("store.url_env/url_file"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    let out = regulars(home.path())
        .args(["--config", config.to_str().unwrap(), "--db", "x.db", "sync"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("--db") && stderr.contains("drop --db"),
        "{stderr}"
    );
}

/// The README's least-privilege role: only SELECT, INSERT, UPDATE and DELETE on the tables (and the sequences
/// their ids come from) opens a migrated workspace and works in it.
#[test]
fn a_role_with_only_the_rights_the_readme_grants_works_in_a_migrated_store() {
    use regulars::store::{LogRepo, PgDb, PostRepo};
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let owner_url = cluster.create_database("least_privilege");
    drop(PgDb::open(&owner_url).expect("the owner creates the tables"));
    cluster.admin("CREATE ROLE clerk LOGIN PASSWORD 'clerk-pw'");
    cluster.execute(
        "least_privilege",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO clerk;
         GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO clerk;",
    );
    let url = format!(
        "postgresql://clerk:clerk-pw@127.0.0.1:{}/least_privilege",
        cluster.port()
    );
    let mut db = PgDb::open(&url).expect("a DML-only role opens the migrated store");
    assert_eq!(db.post_count().unwrap(), 0);
    let action = db
        .log_action(
            "ana",
            &regulars::domain::NewAction {
                post: None,
                customer: None,
                kind: regulars::domain::ActionKind::Escalated,
                note: "checked by the clerk".into(),
                at: chrono::Utc::now(),
                url: None,
            },
        )
        .expect("the clerk logs an action");
    assert_eq!(action.note, "checked by the clerk");
}
