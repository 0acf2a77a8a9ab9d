//! End to end in a real terminal: the console runs on the demo in a detached tmux session (a private tmux
//! socket, so the user's tmux is never touched), keys go in with `send-keys`, the screen comes back with
//! `capture-pane`. It sees the panes fill, a live post arrive, opens a post, types a reply (kept as a draft),
//! logs an action and quits; then it starts again on the same data dir and finds the draft and the action,
//! on screen and in the SQLite file. `--fresh` on an existing database asks on the terminal, naming the file and
//! what it holds; "no" leaves it, "yes" empties it and the console starts. Skips, with a message, where tmux is
//! not installed.

use std::path::Path;
use std::process::Command;
use std::thread::sleep;
use std::time::Instant;

use unicode_width::UnicodeWidthChar;

mod common;
use common::tmux::{
    Dirs, POLL, STEP, Tmux, console_command, exit_status, open_composer_on_a_live_post,
    panes_filled, sh_quote, tmux_available, unread,
};

const REPLY: &str = "Hi there, so sorry about this";
const NOTE: &str = "sent polishing cloth";

/// The rows of the pane titled `title` (its inside, borders excluded), by terminal cells; `None` when no pane
/// has that title, as on a frame captured while the terminal is half redrawn (a closing dialog partly erased):
/// a wait goes on polling then.
fn find_pane(screen: &str, title: &str) -> Option<String> {
    let grid: Vec<Vec<char>> = screen
        .lines()
        .map(|line| {
            let mut cells = Vec::new();
            for c in line.chars() {
                match c.width() {
                    Some(0) | None => {}
                    Some(w) => {
                        cells.push(c);
                        cells.extend(std::iter::repeat_n('\0', w - 1));
                    }
                }
            }
            cells
        })
        .collect();
    for (row, cells) in grid.iter().enumerate() {
        for corner in ['╭', '┏'] {
            let pattern: Vec<char> = format!("{corner} {title}").chars().collect();
            let Some(col) = cells.windows(pattern.len()).position(|w| w == pattern) else {
                continue;
            };
            let end = cells[col + 1..]
                .iter()
                .position(|c| matches!(c, '╮' | '┓'))
                .map_or(cells.len(), |i| col + 1 + i);
            let mut text = String::new();
            for cells in &grid[row + 1..] {
                if matches!(cells.get(col), Some('╰' | '┗')) {
                    break;
                }
                let inside: String = cells
                    .get(col + 1..end.min(cells.len()))
                    .unwrap_or_default()
                    .iter()
                    .filter(|c| **c != '\0')
                    .collect();
                text.push_str(inside.trim_end());
                text.push('\n');
            }
            return Some(text);
        }
    }
    None
}

/// [`find_pane`] on a screen that must show it.
fn pane(screen: &str, title: &str) -> String {
    find_pane(screen, title)
        .unwrap_or_else(|| panic!("no pane titled {title:?} on the screen:\n{screen}"))
}

/// The Log pane lists the gift with its note (cut with "…" where the row is too narrow for it: at 160
/// columns the Log pane is 51 wide and the note gets what the author's name leaves, as little as 2 letters).
fn log_shows_gift(screen: &str) -> bool {
    find_pane(screen, "Log").is_some_and(|log| {
        log.lines().any(|row| {
            row.contains("gift sent")
                && (row.contains(NOTE)
                    || (2..NOTE.len()).any(|n| row.contains(&format!(" {}…", &NOTE[..n]))))
        })
    })
}

/// The post the draft was written on: its author's handle and its text.
fn drafted_post(db: &Path) -> Option<(String, String)> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .ok()?;
    conn.query_row(
        "SELECT p.author_handle, p.text FROM drafts d JOIN posts p ON p.id = d.post_id WHERE d.text = ?1",
        [REPLY],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .ok()
}

/// A `/` filter that picks out one post: its author's handle and its three longest plain words.
fn filter_for(handle: &str, text: &str) -> String {
    let mut words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|w| w.len() >= 4 && w.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(str::to_lowercase)
        .collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words.dedup();
    let mut query = format!("@{handle}");
    for w in words.iter().take(3) {
        query.push(' ');
        query.push_str(w);
    }
    query
}

/// Applies the `/` filter and waits until the drafted post is selected (its Detail shows the draft).
fn select_drafted_post(tmux: &Tmux, query: &str) {
    tmux.keys(&["/"]);
    tmux.wait_text("Enter apply");
    tmux.type_text(query);
    tmux.wait_text(&format!("/{query}"));
    tmux.keys(&["Enter"]);
    let draft_line = format!("✎ draft: {REPLY}");
    let screen = tmux.wait_for("the drafted post selected, its draft in Detail", |s| {
        !s.contains("Enter apply")
            && find_pane(s, "Detail").is_some_and(|detail| detail.contains(&draft_line))
    });
    let attention = pane(&screen, "Attention");
    assert!(
        attention.contains('✎'),
        "the drafted post's row has no ✎ mark:\n{screen}"
    );
}

fn count(db: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open the demo database");
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count rows")
}

#[test]
fn fresh_asks_on_the_terminal_before_the_console_starts() {
    if !tmux_available() {
        eprintln!(
            "skipping the --fresh end-to-end test: `tmux` is not on PATH (install tmux to run it)"
        );
        return;
    }
    let dirs = Dirs::new();
    // A demo database with posts and one logged action.
    let mut sync = Command::new(env!("CARGO_BIN_EXE_regulars"));
    dirs.env(&mut sync);
    let out = sync
        .args(["--demo", "sync", "--once"])
        .output()
        .expect("run sync");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = dirs.demo_db();
    rusqlite::Connection::open(&db)
        .expect("open the demo database")
        .execute(
            "INSERT INTO actions (kind, note, at) VALUES ('note', 'kept until yes', 0)",
            [],
        )
        .expect("log an action");
    let posts = count(&db, "posts");
    assert!(posts > 0);
    let question = format!(
        "Delete {} ({posts} posts, 1 action)? Type yes to continue:",
        db.display()
    );
    let tmux = Tmux::new(&dirs.home);

    // "no": nothing deleted, the console does not start, the exit status says so.
    tmux.start(&console_command(1, &dirs, "--fresh"), true);
    tmux.wait_text(&question);
    tmux.type_text("no");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the refusal", |s| exit_status(s, 1).is_some());
    assert_ne!(exit_status(&screen, 1).as_deref(), Some("0"), "{screen}");
    assert!(screen.contains("nothing deleted"), "{screen}");
    assert!(
        !screen.contains("Attention"),
        "the console started:\n{screen}"
    );
    assert_eq!(count(&db, "actions"), 1);
    assert_eq!(count(&db, "posts"), posts);

    // "yes": the database is emptied and the console starts on the demo.
    tmux.start(&console_command(2, &dirs, "--fresh"), false);
    tmux.wait_text(&question);
    tmux.type_text("yes");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the console to start after yes", panes_filled);
    assert_eq!(count(&db, "actions"), 0, "the action went with the reset");
    tmux.quit_cleanly(2, &dirs.state);
}

#[test]
fn console_end_to_end_in_tmux() {
    if !tmux_available() {
        eprintln!("skipping the end-to-end test: `tmux` is not on PATH (install tmux to run it)");
        return;
    }
    let started = Instant::now();
    let dirs = Dirs::new();
    let command = |run: u32| console_command(run, &dirs, "");
    let db = dirs.demo_db();
    let tmux = Tmux::new(&dirs.home);

    // First run: the panes fill.
    tmux.start(&command(1), true);
    let screen = tmux.wait_for("the panes to fill", panes_filled);
    assert!(
        !pane(&screen, "Attention").trim().is_empty(),
        "Attention is empty:\n{screen}"
    );
    let first = unread(&screen).expect("unread count");

    // A post arrives live.
    tmux.wait_for("a live post (the unread count to grow)", |s| {
        unread(s).is_some_and(|n| n > first)
    });

    // Open a post and leave it.
    tmux.keys(&["Enter"]);
    tmux.wait_text("┏ Detail");
    tmux.keys(&["Escape"]);
    tmux.wait_text("┏ Attention");

    // Type a reply; Esc closes the composer and keeps the draft.
    tmux.keys(&["r"]);
    tmux.wait_text("Reply to ");
    tmux.type_text(REPLY);
    tmux.wait_text(REPLY);
    tmux.keys(&["Escape"]);
    tmux.wait_for("the composer to close, keeping the draft", |s| {
        s.contains("draft kept") && !s.contains("Reply to ")
    });

    // Find which post it was (live posts move the selection), and select it by filter.
    let deadline = Instant::now() + STEP;
    let (handle, text) = loop {
        if let Some(found) = drafted_post(&db) {
            break found;
        }
        assert!(
            Instant::now() < deadline,
            "no draft {REPLY:?} in {}",
            db.display()
        );
        sleep(POLL);
    };
    let query = filter_for(&handle, &text);
    select_drafted_post(&tmux, &query);

    // Log an action on it: gift sent, with a note.
    tmux.keys(&["a"]);
    tmux.wait_text("Log an action");
    tmux.keys(&["Down"]);
    tmux.wait_text("▸ gift sent");
    tmux.type_text(NOTE);
    tmux.wait_text(&format!("note: {NOTE}"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the Log pane to show the gift", |s| {
        !s.contains("Log an action") && log_shows_gift(s)
    });

    tmux.quit_cleanly(1, &dirs.state);
    let first_run = started.elapsed();

    // Second run on the same dirs: the work is still there.
    tmux.start(&command(2), false);
    tmux.wait_for("the panes to fill again", panes_filled);
    tmux.wait_for("the gift in the Log pane", log_shows_gift);
    // It opens where it was left: the filter applied, Attention focused on the drafted post.
    let draft_line = format!("✎ draft: {REPLY}");
    tmux.wait_for(
        "the drafted post selected again, its draft in Detail",
        |s| {
            s.contains("┏ Attention")
                && s.contains("/@")
                && find_pane(s, "Detail").is_some_and(|detail| detail.contains(&draft_line))
        },
    );
    tmux.keys(&["r"]);
    let screen = tmux.wait_for("the composer to reopen with the draft", |s| {
        s.contains("Reply to ") && s.contains(REPLY)
    });
    assert!(
        screen.contains(&format!("Reply to @{handle}")),
        "the composer is not on the drafted post by @{handle}:\n{screen}"
    );
    tmux.keys(&["Escape"]);
    tmux.wait_for("the composer to close", |s| !s.contains("Reply to "));
    tmux.quit_cleanly(2, &dirs.state);

    // And in the database.
    let conn = rusqlite::Connection::open(&db).expect("open the demo database");
    let drafts: i64 = conn
        .query_row(
            "SELECT count(*) FROM drafts d JOIN posts p ON p.id = d.post_id \
             WHERE d.text = ?1 AND p.author_handle = ?2",
            [REPLY, handle.as_str()],
            |r| r.get(0),
        )
        .expect("query drafts");
    assert_eq!(drafts, 1, "the draft is not stored on @{handle}'s post");
    let actions: i64 = conn
        .query_row(
            "SELECT count(*) FROM actions a JOIN posts p ON p.id = a.post_id \
             WHERE a.kind = 'gift_sent' AND a.note = ?1 AND p.author_handle = ?2",
            [NOTE, handle.as_str()],
            |r| r.get(0),
        )
        .expect("query actions");
    assert_eq!(
        actions, 1,
        "the gift_sent action is not stored on @{handle}'s post"
    );
    eprintln!(
        "e2e: first run {:.1}s, total {:.1}s",
        first_run.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}

/// `Ctrl-O` in the composer: the console steps aside for `$EDITOR` (here a script that appends to the file it is
/// given), takes the terminal back and loads the edited text; an editor that fails leaves the draft as it was
/// and says so.
#[test]
fn the_draft_goes_to_the_editor_and_comes_back() {
    if !tmux_available() {
        eprintln!(
            "skipping the $EDITOR end-to-end test: `tmux` is not on PATH (install tmux to run it)"
        );
        return;
    }
    let dirs = Dirs::new();
    let editor = dirs.root.path().join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf ' and edited outside' >> \"$1\"\n",
    )
    .expect("write the editor");
    let mut perms = std::fs::metadata(&editor).expect("editor").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&editor, perms).expect("chmod the editor");
    let tmux = Tmux::new(&dirs.home);
    tmux.start(
        &format!(
            "unset VISUAL; export EDITOR={}; {}",
            sh_quote(&editor.to_string_lossy()),
            console_command(1, &dirs, "")
        ),
        true,
    );
    open_composer_on_a_live_post(&tmux);
    tmux.type_text("Hi from the console");
    tmux.wait_text("Hi from the console");
    tmux.keys(&["C-o"]);
    tmux.wait_text("Hi from the console and edited outside");
    tmux.wait_text("draft updated from the editor");
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "1",
        "the console took the terminal back"
    );
    // An editor that fails: the draft is kept, and the status bar says why.
    std::fs::write(&editor, "#!/bin/sh\nexit 3\n").expect("rewrite the editor");
    tmux.keys(&["C-o"]);
    let screen = tmux.wait_text("failed");
    assert!(
        screen.contains("Hi from the console and edited outside"),
        "the draft is kept:\n{screen}"
    );
    tmux.keys(&["Escape"]);
    tmux.quit_cleanly(1, &dirs.state);
}
