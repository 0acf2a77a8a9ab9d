//! Connection settings and migrations, versioned by `PRAGMA user_version`.
//!
//! Each migration runs in its own transaction together with the bump of `user_version`, so a crash mid-way leaves
//! the database at the previous version. Never edit a shipped migration: append a new one.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Db, Result, StoreError};

// Indexes are ascending on purpose: scanned backwards they give `ORDER BY t DESC, id DESC` (the rowid is the
// index's hidden last column) with no sort step.

/// Migration `i` (0-based) takes the database from version `i` to `i + 1`.
const MIGRATIONS: &[fn() -> String] = &[
    || V1.into(),
    || V2_SHOP_POSTS.into(),
    || V3_REPLY_KEYS.into(),
    || V4_CONTEXT.into(),
    v5_lists,
    || V6_RATING.into(),
    || V7_CUSTOMERS.into(),
    v8_corrections,
    || V9_READ_STATE.into(),
    v10_questions,
    || V11_CHECKINS.into(),
    || V12_ALERTS.into(),
    || V14_TEAM.into(),
    || V_ASSIGN.into(),
    || V_STAFF.into(),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Panes as queries over the whole store: each list has an index in its own order (partial where the list is a
/// small part of the posts), the Attention rank is a stored column (see `triage::attention_rank`; computed in
/// Rust, so existing rows are filled by [`backfill`] with schema 7), and words are searched through FTS5 kept
/// in step by triggers. The full-text table also indexes each post's lists as `tags` ([`TAGS`]), so a search
/// counts its matches in a list without reading a single post. The lists' indexes carry, after the id that
/// keeps their order whole, the columns their conditions and a category search read, so a search by category
/// and dates is counted from the index alone (on 1M posts: 254 ms down to 15 ms). `posts_created` and
/// `posts_category_handled` served the in-memory window and nothing else now.
fn v5_lists() -> String {
    let tags = |row: &str| TAGS.replace("{row}", row);
    format!(
        r#"
ALTER TABLE posts ADD COLUMN attention_rank INTEGER NOT NULL DEFAULT 0;
DROP INDEX posts_created;
DROP INDEX posts_category_handled;
DROP INDEX posts_mention;
CREATE INDEX posts_mention ON posts (is_mention, created_at, id, category);
CREATE INDEX posts_attention ON posts (attention_rank, created_at, id, category, handled_at)
    WHERE handled_at IS NULL AND category IN ('complaint', 'distress');
CREATE INDEX posts_regulars ON posts (created_at, id, category, customer_id) WHERE customer_id IS NOT NULL;
CREATE VIRTUAL TABLE posts_fts USING fts5 (
    text, author_handle, author_name, tags,
    content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts (rowid, text, author_handle, author_name, tags)
    VALUES (new.id, new.text, new.author_handle, new.author_name, {new});
END;
CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
    DELETE FROM posts_fts WHERE rowid = old.id;
END;
CREATE TRIGGER posts_fts_update
AFTER UPDATE OF text, author_handle, author_name, customer_id, is_mention, handled_at, category ON posts BEGIN
    DELETE FROM posts_fts WHERE rowid = old.id;
    INSERT INTO posts_fts (rowid, text, author_handle, author_name, tags)
    VALUES (new.id, new.text, new.author_handle, new.author_name, {new});
END;
INSERT INTO posts_fts (rowid, text, author_handle, author_name, tags)
    SELECT id, text, author_handle, author_name, {posts} FROM posts;
"#,
        new = tags("new"),
        posts = tags("posts"),
    )
}

/// The lists a post is in, as words of the full-text table's `tags` column: `regular` and `c<customer id>`,
/// `mention`, `attention` (an open complaint or distress), `handled`, and its category. Open is "not handled":
/// the word for it would be in nearly every row, and a word's cost in a query grows with its rows. (`{row}` is
/// the trigger's `new` or the table.)
const TAGS: &str =
    "(CASE WHEN {row}.customer_id IS NOT NULL THEN 'regular c' || {row}.customer_id ELSE '' END
     || CASE WHEN {row}.is_mention THEN ' mention' ELSE '' END
     || CASE WHEN {row}.handled_at IS NULL AND {row}.category IN ('complaint', 'distress')
             THEN ' attention' ELSE '' END
     || CASE WHEN {row}.handled_at IS NOT NULL THEN ' handled' ELSE '' END
     || ' ' || {row}.category)";

/// Customers imported from the shop's database and ranked: what the ranking read, former regulars kept, handles
/// linked by a person (an import never removes them), each import run, and the customers forgotten on request
/// (by a hash of the shop's key, so an import does not bring them back and no identifier is kept).
const V7_CUSTOMERS: &str = r#"
ALTER TABLE customers ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN orders INTEGER;
ALTER TABLE customers ADD COLUMN last_purchase TEXT;
ALTER TABLE customers ADD COLUMN recent_spend_cents INTEGER;
ALTER TABLE customers ADD COLUMN former INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN imported_at INTEGER;
ALTER TABLE customer_handles ADD COLUMN linked INTEGER NOT NULL DEFAULT 0;
CREATE TABLE customer_imports (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    origin    TEXT NOT NULL,
    ranked_by TEXT NOT NULL,
    top       INTEGER NOT NULL,
    rows      INTEGER NOT NULL,
    regulars  INTEGER NOT NULL,
    joined    INTEGER NOT NULL,
    dropped   INTEGER NOT NULL
);
CREATE TABLE forgotten_customers (
    key TEXT PRIMARY KEY,
    at  INTEGER NOT NULL
);
"#;

/// Undo and correct: a post dismissed ("not for us") is closed without being handled, so it leaves the Attention
/// queue (its index and the full-text `attention` tag now also ask for `dismissed_at IS NULL`, and a dismissed
/// post is tagged `handled`: not open); staff's corrections of a post's category, each with the category just
/// before it and the triage the post arrived with (for `regulars export corrections`).
fn v8_corrections() -> String {
    let tags = |row: &str| TAGS_V8.replace("{row}", row);
    format!(
        r#"
ALTER TABLE posts ADD COLUMN dismissed_at INTEGER;
DROP INDEX posts_attention;
CREATE INDEX posts_attention ON posts (attention_rank, created_at, id, category, handled_at, dismissed_at)
    WHERE handled_at IS NULL AND dismissed_at IS NULL AND category IN ('complaint', 'distress');
DROP TRIGGER posts_fts_insert;
DROP TRIGGER posts_fts_update;
CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts (rowid, text, author_handle, author_name, tags)
    VALUES (new.id, new.text, new.author_handle, new.author_name, {new});
END;
CREATE TRIGGER posts_fts_update
AFTER UPDATE OF text, author_handle, author_name, customer_id, is_mention, handled_at, dismissed_at, category
ON posts BEGIN
    DELETE FROM posts_fts WHERE rowid = old.id;
    INSERT INTO posts_fts (rowid, text, author_handle, author_name, tags)
    VALUES (new.id, new.text, new.author_handle, new.author_name, {new});
END;
CREATE TABLE corrections (
    id                INTEGER PRIMARY KEY,
    post_id           INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    category          TEXT NOT NULL,
    was               TEXT NOT NULL,
    original_category TEXT NOT NULL,
    original_score    REAL NOT NULL,
    original_reasons  TEXT NOT NULL DEFAULT '[]',
    at                INTEGER NOT NULL
);
CREATE INDEX corrections_post ON corrections (post_id, at);
"#,
        new = tags("new"),
    )
}

/// [`TAGS`] from schema 8: a dismissed post is not open (`handled`) and not in Attention. (`TAGS` stays as
/// schema 5 wrote it: a shipped migration never changes.)
const TAGS_V8: &str =
    "(CASE WHEN {row}.customer_id IS NOT NULL THEN 'regular c' || {row}.customer_id ELSE '' END
     || CASE WHEN {row}.is_mention THEN ' mention' ELSE '' END
     || CASE WHEN {row}.handled_at IS NULL AND {row}.dismissed_at IS NULL
                  AND {row}.category IN ('complaint', 'distress')
             THEN ' attention' ELSE '' END
     || CASE WHEN {row}.handled_at IS NOT NULL OR {row}.dismissed_at IS NOT NULL THEN ' handled' ELSE '' END
     || ' ' || {row}.category)";

/// Read state per post and the console's place. `read_at` is when staff first opened a post or rested on it;
/// unread posts are a small part of the store, so a partial index over them alone (carrying the columns the
/// panes' conditions read) counts each pane's unread without reading a post. Posts stored before this schema
/// count as read (as of their arrival): their unread state was never kept. `ui_state` holds the focus, the
/// selections and the filter, restored at the next start.
const V9_READ_STATE: &str = r#"
ALTER TABLE posts ADD COLUMN read_at INTEGER;
UPDATE posts SET read_at = ingested_at;
CREATE INDEX posts_unread ON posts (created_at, id, customer_id, is_mention, category, handled_at)
    WHERE read_at IS NULL;
CREATE TABLE ui_state (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
"#;

/// Questions put to the shop (posts mentioning it) join Attention below every complaint and distress (their
/// ranks are negative: see `triage::attention_rank`, filled by [`backfill`]): the queue's index, and the
/// full-text `attention` tag, take them in (the index carries `is_mention`, so a count by category stays
/// within it).
fn v10_questions() -> String {
    let tags = |row: &str| TAGS_V10.replace("{row}", row);
    format!(
        r#"
DROP INDEX posts_attention;
CREATE INDEX posts_attention
    ON posts (attention_rank, created_at, id, category, handled_at, dismissed_at, is_mention)
    WHERE handled_at IS NULL AND dismissed_at IS NULL
      AND (category IN ('complaint', 'distress') OR (category = 'question' AND is_mention = 1));
DROP TRIGGER posts_fts_insert;
DROP TRIGGER posts_fts_update;
CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts (rowid, text, author_handle, author_name, tags)
    VALUES (new.id, new.text, new.author_handle, new.author_name, {new});
END;
CREATE TRIGGER posts_fts_update
AFTER UPDATE OF text, author_handle, author_name, customer_id, is_mention, handled_at, dismissed_at, category
ON posts BEGIN
    DELETE FROM posts_fts WHERE rowid = old.id;
    INSERT INTO posts_fts (rowid, text, author_handle, author_name, tags)
    VALUES (new.id, new.text, new.author_handle, new.author_name, {new});
END;
UPDATE posts SET category = category WHERE category = 'question' AND is_mention = 1;
"#,
        new = tags("new"),
    )
}

/// [`TAGS_V8`] from schema 10: questions to the shop are in Attention.
const TAGS_V10: &str =
    "(CASE WHEN {row}.customer_id IS NOT NULL THEN 'regular c' || {row}.customer_id ELSE '' END
     || CASE WHEN {row}.is_mention THEN ' mention' ELSE '' END
     || CASE WHEN {row}.handled_at IS NULL AND {row}.dismissed_at IS NULL
                  AND ({row}.category IN ('complaint', 'distress')
                       OR ({row}.category = 'question' AND {row}.is_mention = 1))
             THEN ' attention' ELSE '' END
     || CASE WHEN {row}.handled_at IS NOT NULL OR {row}.dismissed_at IS NOT NULL THEN ' handled' ELSE '' END
     || ' ' || {row}.category)";
/// A team on one workspace: the claim a sender takes on a post before its reply goes out (one per post, the
/// latest attempt's; see `team::decide`), and each send a person confirmed over someone else's claim or reply.
const V14_TEAM: &str = r#"
CREATE TABLE reply_claims (
    post_id         INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    staff           TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    at              INTEGER NOT NULL
);
CREATE TABLE claim_overrides (
    id      INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    staff   TEXT NOT NULL,
    over    TEXT NOT NULL,
    replied INTEGER NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX claim_overrides_post ON claim_overrides (post_id);
"#;

/// Who has which post (one assignee per post), and each console's heartbeat: what its person is viewing or
/// replying to, and when it last said so (old heartbeats are ignored, see `domain::PRESENCE_FOR`; no key to
/// posts: a heartbeat may outlive a forgotten post by seconds, harmlessly).
const V_ASSIGN: &str = r#"
CREATE TABLE assignments (
    post_id     INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    staff       TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX assignments_staff ON assignments (staff, post_id);
CREATE TABLE presence (
    staff   TEXT PRIMARY KEY,
    post_id INTEGER NOT NULL,
    doing   TEXT NOT NULL,
    at      INTEGER NOT NULL
);
"#;

/// Who is at the keyboard: the `[me] name` of whoever logged each action, sent each reply, corrected each post
/// and ran each check-in; drafts are per person per post, so the table is rebuilt with (post, staff) as its
/// key. Rows from before carry '' (shown as "—"): who did them was never recorded, and naming whoever happens
/// to upgrade first would put their name on a teammate's work.
const V_STAFF: &str = r#"
ALTER TABLE actions ADD COLUMN staff TEXT NOT NULL DEFAULT '';
ALTER TABLE replies ADD COLUMN staff TEXT NOT NULL DEFAULT '';
ALTER TABLE corrections ADD COLUMN staff TEXT NOT NULL DEFAULT '';
ALTER TABLE checkins ADD COLUMN staff TEXT NOT NULL DEFAULT '';
CREATE TABLE drafts_by_staff (
    post_id         INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    staff           TEXT NOT NULL DEFAULT '',
    text            TEXT NOT NULL,
    cursor_row      INTEGER NOT NULL DEFAULT 0,
    cursor_col      INTEGER NOT NULL DEFAULT 0,
    state           TEXT NOT NULL DEFAULT 'editing',
    failure         TEXT,
    idempotency_key TEXT NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (post_id, staff)
);
INSERT INTO drafts_by_staff (post_id, text, cursor_row, cursor_col, state, failure, idempotency_key, updated_at)
    SELECT post_id, text, cursor_row, cursor_col, state, failure, idempotency_key, updated_at FROM drafts;
DROP TABLE drafts;
ALTER TABLE drafts_by_staff RENAME TO drafts;
CREATE INDEX checkins_staff ON checkins (staff, ended_at);
"#;

/// The customers staff asked to hear about whatever they post ("always tell me"), since when. Forgetting a
/// customer deletes their row with them.
const V12_ALERTS: &str = r#"
CREATE TABLE customer_alerts (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    since       INTEGER NOT NULL
);
"#;

/// Each check-in that ended: when, how long it was planned for, what was done and what was left (the next
/// check-in starts from the last one's end).
const V11_CHECKINS: &str = r#"
CREATE TABLE checkins (
    id             INTEGER PRIMARY KEY,
    started_at     INTEGER NOT NULL,
    ended_at       INTEGER NOT NULL,
    planned_secs   INTEGER NOT NULL,
    seen           INTEGER NOT NULL,
    replied        INTEGER NOT NULL,
    logged         INTEGER NOT NULL,
    handled        INTEGER NOT NULL,
    left_over      INTEGER NOT NULL,
    oldest_waiting INTEGER
);
CREATE INDEX checkins_ended ON checkins (ended_at);
"#;

/// Stars out of five on reviews (Google reviews, a page's ratings); NULL on every other post.
const V6_RATING: &str = "ALTER TABLE posts ADD COLUMN rating INTEGER;";

/// The shop's own posts (found by a hashtag or keyword search, or replies sent from elsewhere) are stored marked,
/// never triaged; `posts_in_reply_to` already finds the posts a shop's reply answers.
/// Posts fetched only as context (a parent, a quoted post) and what a post quotes.
const V4_CONTEXT: &str = "ALTER TABLE posts ADD COLUMN context INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN quotes TEXT;";

const V2_SHOP_POSTS: &str = "ALTER TABLE posts ADD COLUMN by_shop INTEGER NOT NULL DEFAULT 0;";

const V1: &str = r#"
CREATE TABLE customers (
    id                   INTEGER PRIMARY KEY,
    external_id          TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    rank                 INTEGER NOT NULL,
    lifetime_spend_cents INTEGER NOT NULL DEFAULT 0,
    note                 TEXT NOT NULL DEFAULT ''
);
CREATE INDEX customers_rank ON customers (rank);

CREATE TABLE customer_handles (
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    network     TEXT NOT NULL,
    handle      TEXT NOT NULL COLLATE NOCASE,
    UNIQUE (network, handle)
);
CREATE INDEX customer_handles_customer ON customer_handles (customer_id);

CREATE TABLE posts (
    id                INTEGER PRIMARY KEY,
    network           TEXT NOT NULL,
    native_id         TEXT NOT NULL,
    url               TEXT,
    author_handle     TEXT NOT NULL,
    author_name       TEXT NOT NULL,
    text              TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    ingested_at       INTEGER NOT NULL,
    in_reply_to       TEXT,
    reply_ref         TEXT,
    customer_id       INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    is_mention        INTEGER NOT NULL DEFAULT 0,
    category          TEXT NOT NULL,
    score             REAL NOT NULL,
    reasons           TEXT NOT NULL DEFAULT '[]',
    handled_at        INTEGER,
    first_response_at INTEGER,
    UNIQUE (network, native_id)
);
CREATE INDEX posts_created ON posts (created_at);
CREATE INDEX posts_category_handled ON posts (category, handled_at);
CREATE INDEX posts_customer ON posts (customer_id, created_at);
CREATE INDEX posts_in_reply_to ON posts (network, in_reply_to);
CREATE INDEX posts_mention ON posts (is_mention, created_at);

CREATE TABLE drafts (
    post_id         INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    text            TEXT NOT NULL,
    cursor_row      INTEGER NOT NULL DEFAULT 0,
    cursor_col      INTEGER NOT NULL DEFAULT 0,
    state           TEXT NOT NULL DEFAULT 'editing',
    failure         TEXT,
    idempotency_key TEXT NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE replies (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    customer_id INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    network     TEXT NOT NULL,
    text        TEXT NOT NULL,
    sent_at     INTEGER NOT NULL,
    url         TEXT,
    remote_id   TEXT
);
CREATE INDEX replies_post ON replies (post_id);
CREATE INDEX replies_customer ON replies (customer_id, sent_at);

CREATE TABLE actions (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    customer_id INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    kind        TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    at          INTEGER NOT NULL,
    url         TEXT
);
CREATE INDEX actions_at ON actions (at);
CREATE INDEX actions_post ON actions (post_id);
CREATE INDEX actions_customer ON actions (customer_id, at);

CREATE TABLE follow_ups (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    customer_id INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    due         TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    done_at     INTEGER
);
CREATE INDEX follow_ups_open ON follow_ups (done_at, due);

CREATE TABLE source_cursors (
    source     TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (source, key)
);
"#;

/// One reply per idempotency key, whatever the retries; each reply knows its `replied` action, so recording a
/// key again can answer with the action already logged. Replies stored before this have no key (NULLs never
/// clash in a UNIQUE index).
const V3_REPLY_KEYS: &str = r#"
ALTER TABLE replies ADD COLUMN idempotency_key TEXT;
ALTER TABLE replies ADD COLUMN action_id INTEGER REFERENCES actions (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX replies_idempotency_key ON replies (idempotency_key);
"#;

/// Configures the connection and brings the schema up to date.
pub(super) fn prepare(db: &mut Db) -> Result<()> {
    let path = db.path.clone();
    let ctx = |e: rusqlite::Error| match &path {
        Some(p) => open_error(p, e),
        None => StoreError::from(e),
    };
    db.conn.busy_timeout(Duration::from_secs(5)).map_err(ctx)?;
    db.conn
        .pragma_update(None, "foreign_keys", true)
        .map_err(ctx)?;
    if db.path.is_some() {
        // The first statement that reads the file: a non-database file fails here.
        let mode: String = db
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(ctx)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "SQLite refused WAL mode; continuing with {mode}");
        }
        db.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(ctx)?;
        // A batch touches pages of the posts table, five indexes and the full-text index: a 32 MB page cache
        // (SQLite's default is 2 MB) keeps them between batches, and sorts stay in memory. Measured by
        // `regulars bench`: ingest +15%, the console's memory within its budget.
        db.conn
            .pragma_update(None, "cache_size", -32_768)
            .map_err(ctx)?;
        db.conn
            .pragma_update(None, "temp_store", "MEMORY")
            .map_err(ctx)?;
    }
    migrate(db)
}

fn migrate(db: &mut Db) -> Result<()> {
    let shown = db.path.clone().unwrap_or_else(|| PathBuf::from(":memory:"));
    let found: i64 = db
        .conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| open_error(&shown, e))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: shown,
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let sql = sql();
        let version = i as i64 + 1;
        let fail = |e: rusqlite::Error| StoreError::Open {
            path: shown.clone(),
            detail: format!("migration to schema {version} failed: {e}"),
        };
        let tx = db
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        // Another process may have migrated while we waited for the write lock.
        let now: i64 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(fail)?;
        if now >= version {
            continue;
        }
        tx.execute_batch(&sql).map_err(fail)?;
        // The Attention rank is computed in Rust from the customers' columns, so it is filled once the last
        // column it reads exists (schema 7: former regulars weigh as anyone), and again when Attention took
        // in questions (schema 10).
        if version == 7 || version == 10 {
            backfill(&tx).map_err(|e| StoreError::Open {
                path: shown.clone(),
                detail: format!("migration to schema {version} failed: {e}"),
            })?;
        }
        tx.pragma_update(None, "user_version", version)
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
        tracing::info!(version, db = %shown.display(), "migrated database");
    }
    Ok(())
}

/// Fills the Attention rank of the posts Attention lists, stored before it existed or before the rule changed
/// (other posts never list in Attention; their 0 stays).
fn backfill(conn: &rusqlite::Connection) -> Result<()> {
    let ids: Vec<i64> = conn
        .prepare(&format!(
            "SELECT id FROM posts WHERE {}",
            super::search::attention_members("")
        ))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        super::posts::refresh_attention_rank(conn, crate::domain::PostId(id))?;
    }
    Ok(())
}

/// An error opening the file at `path`, with a hint where SQLite's own message is cryptic.
pub(super) fn open_error(path: &Path, e: rusqlite::Error) -> StoreError {
    let hint = match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => {
            " (this file is not a regulars database: point --db at another file)"
        }
        Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
            " (another program holds the database locked)"
        }
        Some(rusqlite::ErrorCode::CannotOpen) | Some(rusqlite::ErrorCode::PermissionDenied) => {
            " (check that the directory exists and is writable)"
        }
        Some(rusqlite::ErrorCode::ReadOnly) => " (the file or its directory is read-only)",
        _ => "",
    };
    StoreError::Open {
        path: path.to_path_buf(),
        detail: format!("{e}{hint}"),
    }
}
