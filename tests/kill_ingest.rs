//! `kill -9` during a large ingest: the database passes `PRAGMA integrity_check`, every batch is either fully
//! stored (its posts and the file cursor past them) or absent, and the next run resumes from the cursor with
//! no gap and no duplicate.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::bin::regulars;

const LINES: usize = 60_000;

fn inbox(home: &Path) -> std::path::PathBuf {
    let path = home.join("inbox.jsonl");
    let lines: String = (0..LINES)
        .map(|i| {
            format!(
                "{{\"id\": \"p{i}\", \"author\": \"a{}@example.social\", \"text\": \"post number {i}: my parcel is late again\"}}\n",
                i % 97
            )
        })
        .collect();
    std::fs::write(&path, lines).unwrap();
    path
}

fn read_only(db: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

/// The posts stored, as their line numbers, and the line the stored cursor says comes next.
fn stored(db: &Path) -> (Vec<usize>, usize) {
    let conn = read_only(db);
    let mut ids: Vec<usize> = conn
        .prepare("SELECT native_id FROM posts")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|id| id.unwrap()[1..].parse().unwrap())
        .collect();
    ids.sort_unstable();
    let cursor: Option<String> = conn
        .query_row(
            "SELECT value FROM source_cursors WHERE source = 'inbox'",
            [],
            |r| r.get(0),
        )
        .ok();
    let line = cursor
        .map(|c| {
            serde_json::from_str::<serde_json::Value>(&c).unwrap()["line"]
                .as_u64()
                .unwrap()
        })
        .unwrap_or(0);
    (ids, line as usize)
}

fn posts_stored(db: &Path) -> usize {
    if !db.exists() {
        return 0;
    }
    read_only(db)
        .query_row("SELECT COUNT(*) FROM posts", [], |r| r.get::<_, i64>(0))
        .map(|n| n as usize)
        .unwrap_or(0)
}

#[test]
fn kill_9_mid_ingest_keeps_whole_batches_and_the_next_run_resumes_without_gap_or_duplicate() {
    let home = tempfile::tempdir().unwrap();
    let inbox = inbox(home.path());
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[shop]\nname = \"Shop\"\n\n[sources.inbox]\nkind = \"jsonl\"\npath = {inbox:?}\n"),
    )
    .unwrap();
    let db = home.path().join("work.db");
    let sync = || {
        let mut command = regulars(home.path());
        command
            .args([
                "--config",
                config.to_str().unwrap(),
                "--db",
                db.to_str().unwrap(),
            ])
            .args(["sync", "--once"]);
        command
    };

    // Killed three times at growing depths, each time once more posts than before are stored.
    let mut killed_at = Vec::new();
    for round in 1..=3 {
        let before = posts_stored(&db);
        let mut child = sync().spawn().unwrap();
        let began = Instant::now();
        while posts_stored(&db) <= before + 2_000 * round
            && began.elapsed() < Duration::from_secs(120)
        {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        if child.try_wait().unwrap().is_some() {
            // Finished before it could be killed: nothing left to interrupt.
            break;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();

        let integrity: String = read_only(&db)
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok", "round {round}");
        let (ids, next_line) = stored(&db);
        // Whole batches: exactly the lines before the cursor are stored, each once, no more and no fewer.
        assert_eq!(ids, (0..next_line).collect::<Vec<_>>(), "round {round}");
        killed_at.push(ids.len());
    }
    assert!(
        !killed_at.is_empty(),
        "the ingest finished before it could be killed even once: make the file bigger"
    );
    eprintln!("killed with {killed_at:?} of {LINES} posts stored");

    let out = sync().output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (ids, next_line) = stored(&db);
    assert_eq!(next_line, LINES);
    assert_eq!(ids, (0..LINES).collect::<Vec<_>>(), "no gap, no duplicate");
}
