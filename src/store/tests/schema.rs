use super::Inspect;
use crate::store::repository::*;
use crate::store::{Db, SCHEMA_VERSION, StoreError};

both_backends! {
    fn a_new_store_is_empty_and_has_no_cursors(db) {
        assert_eq!(db.post_count().unwrap(), 0);
        assert!(db.cursors("anything").unwrap().is_empty());
    }
}

#[test]
fn in_memory_db_is_migrated() {
    let db = Db::open_in_memory().unwrap();
    assert_eq!(db.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(db.post_count().unwrap(), 0);
}

#[test]
fn file_db_uses_wal_and_creates_parent_dirs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/regulars.db");
    let db = Db::open(&path).unwrap();
    assert!(path.exists());
    assert_eq!(db.journal_mode().unwrap(), "wal");
    let fk: i64 = db
        .conn
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
}

#[test]
fn migrating_twice_is_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("regulars.db");
    {
        let mut db = Db::open(&path).unwrap();
        db.insert_batch("demo", &[super::new_post("1", 0, "hello")], &[])
            .unwrap();
    }
    let db = Db::open(&path).unwrap();
    assert_eq!(db.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(db.post_count().unwrap(), 1);
    drop(db);
    let db = Db::open(&path).unwrap();
    assert_eq!(db.post_count().unwrap(), 1);
}

#[test]
fn a_newer_database_is_refused_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.db");
    {
        let db = Db::open(&path).unwrap();
        db.conn
            .pragma_update(None, "user_version", SCHEMA_VERSION + 6)
            .unwrap();
    }
    let err = Db::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(
        msg.contains(&format!(
            "schema {} > {}",
            SCHEMA_VERSION + 6,
            SCHEMA_VERSION
        )),
        "{msg}"
    );
    assert!(msg.contains("--db"), "{msg}");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(
        &path,
        "this is not SQLite, just a long enough text file to have a header ".repeat(20),
    )
    .unwrap();
    let err = Db::open(&path).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("not a regulars database"), "{msg}");
}

#[test]
fn corrupt_rows_are_errors_naming_the_row_not_panics() {
    let mut db = Db::open_in_memory().unwrap();
    let stored = db
        .insert_batch("demo", &[super::new_post("1", 0, "hello")], &[])
        .unwrap();
    db.conn
        .execute("UPDATE posts SET network = 'myspace'", [])
        .unwrap();
    let err = db.recent_posts(10).unwrap_err();
    match &err {
        StoreError::Corrupt { what, detail } => {
            assert_eq!(what, &format!("posts row {}", stored[0].id.0));
            assert!(detail.contains("myspace"), "{detail}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    db.conn
        .execute(
            "UPDATE posts SET network = 'mastodon', reasons = '{oops'",
            [],
        )
        .unwrap();
    assert!(matches!(
        db.post(stored[0].id),
        Err(StoreError::Corrupt { .. })
    ));
    db.conn
        .execute(
            "UPDATE posts SET reasons = '[]', created_at = 'yesterday'",
            [],
        )
        .unwrap();
    assert!(matches!(
        db.recent_posts(1),
        Err(StoreError::Corrupt { .. })
    ));
}

#[test]
fn two_connections_on_one_file_both_write() {
    // The console and `regulars sync` share the file: writes wait for each other instead of failing.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let mut console = Db::open(&path).unwrap();
    let mut sync = Db::open(&path).unwrap();
    sync.insert_batch(
        "masto",
        &[super::new_post("1", 0, "a")],
        &[super::cursor("home", "1")],
    )
    .unwrap();
    console
        .log_action(
            "ana",
            &crate::domain::NewAction {
                post: console.recent_posts(1).unwrap().first().map(|p| p.id),
                customer: None,
                kind: crate::domain::ActionKind::Note,
                note: "seen".into(),
                at: super::t0(),
                url: None,
            },
        )
        .unwrap();
    sync.insert_batch(
        "masto",
        &[super::new_post("2", 1, "b")],
        &[super::cursor("home", "2")],
    )
    .unwrap();
    assert_eq!(console.post_count().unwrap(), 2);
    assert_eq!(sync.recent_actions(5).len(), 1);
    assert_eq!(console.cursors("masto").unwrap()["home"], "2");
}

#[test]
fn a_version_1_database_gains_every_later_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        let mut db = Db::open(&path).unwrap();
        let mut question = super::new_post("2", 1, "are you open on saturday?");
        question.is_mention = true;
        question.triage.category = crate::triage::Category::Question;
        let ids = db
            .insert_batch("demo", &[super::complaint("1", 0), question], &[])
            .unwrap();
        let action = crate::domain::NewAction {
            post: Some(ids[0].id),
            customer: None,
            kind: crate::domain::ActionKind::Note,
            note: "before names".into(),
            at: super::at(2),
            url: None,
        };
        db.log_action("", &action).unwrap();
        let draft = crate::domain::Draft {
            post: ids[0].id,
            text: "written before names".into(),
            cursor: (0, 0),
            state: crate::domain::DraftState::Editing,
            idempotency_key: "k-old".into(),
            updated_at: super::at(3),
        };
        db.save_draft("", &draft).unwrap();
    }
    {
        // Back to the first schema: every later column, index and table gone, the version 1.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TRIGGER posts_fts_insert; DROP TRIGGER posts_fts_update; DROP TRIGGER posts_fts_delete;
             DROP TABLE posts_fts; DROP INDEX posts_attention; DROP INDEX posts_regulars;
             DROP INDEX posts_mention; CREATE INDEX posts_mention ON posts (is_mention, created_at);
             ALTER TABLE posts DROP COLUMN attention_rank;
             CREATE INDEX posts_created ON posts (created_at);
             CREATE INDEX posts_category_handled ON posts (category, handled_at);
             ALTER TABLE posts DROP COLUMN by_shop; ALTER TABLE posts DROP COLUMN context;
             ALTER TABLE posts DROP COLUMN quotes; ALTER TABLE posts DROP COLUMN rating; DROP INDEX replies_idempotency_key;
             ALTER TABLE replies DROP COLUMN idempotency_key; ALTER TABLE replies DROP COLUMN action_id;
             ALTER TABLE customers DROP COLUMN email; ALTER TABLE customers DROP COLUMN orders;
             ALTER TABLE customers DROP COLUMN last_purchase; ALTER TABLE customers DROP COLUMN recent_spend_cents;
             ALTER TABLE customers DROP COLUMN former; ALTER TABLE customers DROP COLUMN imported_at;
             ALTER TABLE customer_handles DROP COLUMN linked;
             DROP TABLE customer_imports; DROP TABLE forgotten_customers;
             DROP INDEX posts_unread; ALTER TABLE posts DROP COLUMN read_at; DROP TABLE ui_state;
             ALTER TABLE posts DROP COLUMN dismissed_at; DROP TABLE corrections;
             DROP TABLE customer_alerts;
             DROP TABLE checkins;
             DROP TABLE claim_overrides; DROP TABLE reply_claims;
             DROP TABLE presence; DROP TABLE assignments;
             ALTER TABLE actions DROP COLUMN staff; ALTER TABLE replies DROP COLUMN staff;
             CREATE TABLE drafts_v1 AS SELECT post_id, text, cursor_row, cursor_col, state, failure,
                 idempotency_key, updated_at FROM drafts;
             DROP TABLE drafts;
             CREATE TABLE drafts (
                 post_id INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE, text TEXT NOT NULL,
                 cursor_row INTEGER NOT NULL DEFAULT 0, cursor_col INTEGER NOT NULL DEFAULT 0,
                 state TEXT NOT NULL DEFAULT 'editing', failure TEXT, idempotency_key TEXT NOT NULL,
                 updated_at INTEGER NOT NULL);
             INSERT INTO drafts SELECT * FROM drafts_v1; DROP TABLE drafts_v1;
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let db = Db::open(&path).unwrap();
    assert_eq!(db.schema_version().unwrap(), SCHEMA_VERSION);
    let posts = db.recent_posts(10).unwrap();
    assert_eq!(posts.len(), 2);
    let posts = &posts[1..];
    assert!(!posts[0].by_shop && !posts[0].context && posts[0].quotes.is_none());
    assert_eq!(posts[0].rating, None);
    assert_eq!(
        posts[0].read_at,
        Some(posts[0].ingested_at),
        "posts from before read state count as read as of their arrival"
    );
    // Rows from before the lists were queries are ranked in Attention and found by words.
    use crate::domain::{Anchor, Listing, PostQuery, Search};
    let query = |search: &str| PostQuery {
        listing: Listing::Attention,
        search: Search::parse(search, chrono::FixedOffset::east_opt(0).unwrap()).unwrap(),
    };
    let page = db.posts_page(&query(""), Anchor::First, 10, true).unwrap();
    assert_eq!(page.total, Some(2));
    assert!(page.rows[0].0.rank > 0, "{:?}", page.rows[0].0);
    assert!(
        page.rows[1].0.rank < 0,
        "a question after: {:?}",
        page.rows[1].0
    );
    let asked = db
        .posts_page(&query("saturday"), Anchor::First, 10, true)
        .unwrap();
    assert_eq!(asked.total, Some(1), "the question is tagged in Attention");
    let found = db
        .posts_page(&query("repai"), Anchor::First, 10, true)
        .unwrap();
    assert_eq!(found.total, Some(1), "the full-text index was filled");
    // Work from before names were kept is nobody's in particular: shown as "—", the draft anyone's.
    assert_eq!(db.recent_actions(5)[0].staff, "");
    let drafts = db.drafts("whoever opens it").unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].text, "written before names");
}
