//! JSONL source: tailing a file (appends, partial lines, truncation, rotation, restart) and reading a stream.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::files::append;
use common::run::Run;
use regulars::domain::{IncomingPost, Network};
use regulars::sources::jsonl::{CURSOR_KEY, FileCursor, JsonlConfig, JsonlSource};
use regulars::sources::{Cursor, Health, Source, SourceEvent};

fn line(id: &str) -> String {
    format!("{{\"id\":\"{id}\",\"author\":\"ann\",\"text\":\"post {id}\"}}\n")
}

/// Follows the file at `path`, checking it every 20 ms.
fn follow(path: &Path, cursors: HashMap<String, String>) -> Run {
    let cfg = JsonlConfig {
        path: path.display().to_string(),
        network: "jsonl".into(),
    };
    let source = JsonlSource::new("relay", &cfg)
        .unwrap()
        .with_poll_interval(Duration::from_millis(20));
    Run::start(source, cursors)
}

/// Posts of batches until `n` more have arrived, with the last cursor and every health seen meanwhile.
async fn next_posts(run: &mut Run, n: usize) -> (Vec<IncomingPost>, Option<Cursor>, Vec<Health>) {
    let (mut posts, mut cursor, mut healths) = (Vec::new(), None, Vec::new());
    while posts.len() < n {
        match run.next().await {
            SourceEvent::Batch {
                posts: p,
                cursors: c,
                ..
            } => {
                posts.extend(p);
                cursor = c.into_iter().last().or(cursor);
            }
            SourceEvent::Health { health, .. } => healths.push(health),
            SourceEvent::ReplyLimit { .. } | SourceEvent::Usage { .. } => {}
        }
    }
    assert_eq!(posts.len(), n, "more posts than expected: {posts:?}");
    (posts, cursor, healths)
}

/// Asserts no post arrives for a while.
async fn quiet(run: &mut Run, ms: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_millis(ms);
    while let Ok(Some(ev)) = tokio::time::timeout_at(deadline, run.rx.recv()).await {
        if let SourceEvent::Batch { posts, .. } = &ev {
            assert!(posts.is_empty(), "unexpected posts {posts:?}");
        }
    }
}

fn ids(posts: &[IncomingPost]) -> Vec<&str> {
    posts.iter().map(|p| p.native_id.as_str()).collect()
}

fn file(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("posts.jsonl")
}

#[tokio::test]
async fn tail_reads_the_file_then_follows_appends() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    append(&path, format!("{}{}", line("a"), line("b")).as_bytes());
    let mut run = follow(&path, HashMap::new());
    let (posts, _, healths) = next_posts(&mut run, 2).await;
    assert_eq!(ids(&posts), ["a", "b"]);
    assert_eq!(posts[0].network, Network::Jsonl);
    assert!(healths.contains(&Health::Live), "{healths:?}");
    append(&path, line("c").as_bytes());
    let (posts, cursor, _) = next_posts(&mut run, 1).await;
    assert_eq!(ids(&posts), ["c"]);
    let c = FileCursor::parse(Some(&cursor.unwrap().value)).unwrap();
    assert_eq!(c.offset, std::fs::metadata(&path).unwrap().len());
    assert_eq!(c.line, 3);
    run.stop().await;
}

#[tokio::test]
async fn partial_line_waits_for_its_newline() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    let whole = line("a");
    let (head, tail) = whole.split_at(20);
    append(&path, head.as_bytes());
    let mut run = follow(&path, HashMap::new());
    quiet(&mut run, 200).await;
    append(&path, tail.as_bytes());
    let (posts, _, healths) = next_posts(&mut run, 1).await;
    assert_eq!(ids(&posts), ["a"]);
    assert_eq!(posts[0].text, "post a");
    assert!(!healths.iter().any(Health::is_problem), "{healths:?}");
    run.stop().await;
}

#[tokio::test]
async fn truncation_restarts_from_the_beginning() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    append(
        &path,
        format!("{}{}{}", line("a1"), line("a2"), line("a3")).as_bytes(),
    );
    let mut run = follow(&path, HashMap::new());
    next_posts(&mut run, 3).await;
    // copytruncate-style: emptied in place, then written again.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(0)
        .unwrap();
    quiet(&mut run, 100).await;
    append(&path, line("b").as_bytes());
    let (posts, cursor, _) = next_posts(&mut run, 1).await;
    assert_eq!(ids(&posts), ["b"]);
    assert_eq!(
        FileCursor::parse(Some(&cursor.unwrap().value))
            .unwrap()
            .line,
        1
    );
    run.stop().await;
}

#[tokio::test]
async fn rotation_finishes_the_old_file_then_reads_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    append(&path, line("a").as_bytes());
    let mut run = follow(&path, HashMap::new());
    next_posts(&mut run, 1).await;
    // Written just before the rename: the last one has no newline yet when the file moves away.
    append(&path, line("b").as_bytes());
    append(&path, line("c").trim_end().as_bytes());
    std::fs::rename(&path, dir.path().join("posts.jsonl.1")).unwrap();
    append(&path, line("d").as_bytes());
    let (posts, cursor, _) = next_posts(&mut run, 3).await;
    assert_eq!(ids(&posts), ["b", "c", "d"]);
    let c = FileCursor::parse(Some(&cursor.unwrap().value)).unwrap();
    assert_eq!(c.offset, std::fs::metadata(&path).unwrap().len());
    quiet(&mut run, 100).await;
    run.stop().await;
}

#[tokio::test]
async fn restart_resumes_from_the_cursor_without_duplicate_or_gap() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    append(&path, format!("{}{}", line("a"), line("b")).as_bytes());
    let mut run = follow(&path, HashMap::new());
    let (_, cursor, _) = next_posts(&mut run, 2).await;
    run.stop().await;

    append(&path, format!("{}{}", line("c"), line("d")).as_bytes());
    let cursor = cursor.unwrap();
    assert_eq!(cursor.key, CURSOR_KEY);
    let stored = HashMap::from([(cursor.key, cursor.value)]);
    let mut run = follow(&path, stored);
    let (posts, _, _) = next_posts(&mut run, 2).await;
    assert_eq!(ids(&posts), ["c", "d"]);
    quiet(&mut run, 100).await;
    run.stop().await;
}

#[tokio::test]
async fn a_file_replaced_while_stopped_is_read_from_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    append(&path, format!("{}{}", line("a"), line("b")).as_bytes());
    let mut run = follow(&path, HashMap::new());
    let (_, cursor, _) = next_posts(&mut run, 2).await;
    run.stop().await;
    std::fs::rename(&path, dir.path().join("old.jsonl")).unwrap();
    append(
        &path,
        format!("{}{}{}", line("x"), line("y"), line("z")).as_bytes(),
    );
    let cursor = cursor.unwrap();
    let mut run = follow(&path, HashMap::from([(cursor.key, cursor.value)]));
    assert_eq!(ids(&next_posts(&mut run, 3).await.0), ["x", "y", "z"]);
    run.stop().await;
}

#[tokio::test]
async fn bad_lines_are_reported_and_skipped_and_the_cursor_moves_past_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    let mut bytes = line("good1").into_bytes();
    bytes.extend_from_slice(b"{\"id\": \"x\", oops\n");
    bytes.extend_from_slice(b"{\"id\":\"y\",\"author\":\"ann\",\"text\":\"caf\xe9\"}\n");
    bytes.extend_from_slice(b"{\"id\":\"z\",\"author\":\"ann\"}\n");
    bytes.extend_from_slice(b"\n");
    bytes.extend_from_slice(line("good2").as_bytes());
    append(&path, &bytes);
    let mut run = follow(&path, HashMap::new());
    let (posts, cursor, mut healths) = next_posts(&mut run, 3).await;
    assert_eq!(ids(&posts), ["good1", "y", "good2"]);
    assert_eq!(
        posts[1].text, "caf\u{fffd}",
        "invalid UTF-8 is kept, replaced, not lost"
    );
    // The health reports follow the batch they belong to.
    while healths
        .iter()
        .filter(|h| matches!(h, Health::Degraded(_)))
        .count()
        < 2
    {
        if let SourceEvent::Health { health, .. } = run.next().await {
            healths.push(health);
        }
    }
    let reports: Vec<String> = healths
        .iter()
        .filter_map(|h| match h {
            Health::Degraded(why) => Some(why.clone()),
            _ => None,
        })
        .collect();
    assert!(
        reports[0].starts_with("line 2: invalid JSON"),
        "{reports:?}"
    );
    assert!(
        reports[1].starts_with("line 4: missing `text`"),
        "{reports:?}"
    );
    let c = FileCursor::parse(Some(&cursor.unwrap().value)).unwrap();
    assert_eq!(c.offset, bytes.len() as u64);
    // Good lines later bring the source back to live.
    append(&path, line("good3").as_bytes());
    let (posts, _, healths) = next_posts(&mut run, 1).await;
    assert_eq!(ids(&posts), ["good3"]);
    let mut healths = healths;
    while !healths.contains(&Health::Live) {
        if let SourceEvent::Health { health, .. } = run.next().await {
            healths.push(health);
        }
    }
    run.stop().await;
}

#[tokio::test]
async fn a_missing_file_is_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    let mut run = follow(&path, HashMap::new());
    loop {
        if let SourceEvent::Health {
            health: Health::Degraded(why),
            ..
        } = run.next().await
        {
            assert!(why.contains("waiting for"), "{why}");
            break;
        }
    }
    append(&path, line("a").as_bytes());
    assert_eq!(ids(&next_posts(&mut run, 1).await.0), ["a"]);
    run.stop().await;
}

#[tokio::test]
async fn a_stream_is_read_to_its_end_then_finished() {
    let mut input = Vec::new();
    for i in 0..450 {
        input.extend_from_slice(line(&format!("s{i}")).as_bytes());
    }
    input.extend_from_slice(b"not json\n");
    input.extend_from_slice(
        b"{\"id\":\"last\",\"author\":\"bob\",\"text\":\"no newline\",\"network\":\"bluesky\"}",
    );
    let source = JsonlSource::from_reader(
        "stdin",
        Network::Jsonl,
        Box::new(std::io::Cursor::new(input)),
    );
    let mut run = Run::start(source, HashMap::new());
    let mut posts = Vec::new();
    let mut degraded = Vec::new();
    let finished = loop {
        match run.next().await {
            SourceEvent::Batch {
                posts: p, cursors, ..
            } => {
                assert!(p.len() <= 200 && cursors.is_empty());
                posts.extend(p);
            }
            SourceEvent::Health {
                health: Health::Finished(what),
                ..
            } => break what,
            SourceEvent::Health {
                health: Health::Degraded(why),
                ..
            } => degraded.push(why),
            SourceEvent::Health { .. }
            | SourceEvent::ReplyLimit { .. }
            | SourceEvent::Usage { .. } => {}
        }
    };
    assert_eq!(posts.len(), 451);
    assert_eq!(posts[450].network, Network::Bluesky);
    assert_eq!(
        degraded,
        ["line 451: invalid JSON at column 2: expected ident"]
    );
    assert!(finished.contains("451 posts"), "{finished}");
    run.finish().await;
}

#[tokio::test]
async fn config_is_checked() {
    let bad = JsonlConfig {
        path: "x.jsonl".into(),
        network: "myspace".into(),
    };
    let err = JsonlSource::new("relay", &bad).err().unwrap();
    assert!(
        err.contains("`network`") && err.contains("mastodon"),
        "{err}"
    );
    let err = JsonlSource::new(
        "relay",
        &JsonlConfig {
            path: " ".into(),
            network: "jsonl".into(),
        },
    )
    .err()
    .unwrap();
    assert!(err.contains("`path`"), "{err}");
}

#[tokio::test]
async fn doctor_reports_unread_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    append(&path, line("a").as_bytes());
    let cfg = JsonlConfig {
        path: path.display().to_string(),
        network: "jsonl".into(),
    };
    let source = JsonlSource::new("relay", &cfg).unwrap();
    let checks = source.doctor(&HashMap::new()).await;
    assert!(
        checks[0].ok && checks[0].detail.contains("not read yet"),
        "{checks:?}"
    );
    let missing = JsonlSource::new(
        "relay",
        &JsonlConfig {
            path: dir.path().join("nope").display().to_string(),
            network: "jsonl".into(),
        },
    )
    .unwrap();
    let checks = missing.doctor(&HashMap::new()).await;
    assert!(!checks[0].ok && !checks[0].fix.is_empty(), "{checks:?}");
}

#[tokio::test]
async fn a_line_dated_before_the_newest_arrives_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    let dated = |id: &str, at: &str| {
        format!(
            "{{\"id\":\"{id}\",\"author\":\"ann\",\"text\":\"post {id}\",\"created_at\":\"{at}\"}}\n"
        )
    };
    append(&path, dated("new", "2026-11-22T10:00:00Z").as_bytes());
    let mut run = follow(&path, HashMap::new());
    let (posts, cursor, _) = next_posts(&mut run, 1).await;
    assert_eq!(ids(&posts), ["new"]);
    run.stop().await;
    // Written offline yesterday, relayed only now: after a restart it still arrives, once.
    append(&path, dated("offline", "2026-11-21T08:00:00Z").as_bytes());
    let c = cursor.unwrap();
    let mut run = follow(&path, HashMap::from([(c.key, c.value)]));
    let (posts, _, _) = next_posts(&mut run, 1).await;
    assert_eq!(ids(&posts), ["offline"]);
    quiet(&mut run, 200).await;
    run.stop().await;
}
