//! The console killed while a reply is being typed, in a real terminal (tmux) on the demo: SIGTERM, SIGHUP and
//! SIGINT save the whole draft and give the terminal back; `kill -9` mid-typing loses at most the last second of
//! it. The draft is read back from the SQLite file. Skips, with a message, where tmux is not installed.

use std::path::Path;
use std::time::{Duration, Instant};

mod common;
use common::tmux::{
    Dirs, Tmux, console_command, exit_status, open_composer_on_a_live_post, panes_filled,
};

/// A console on the demo with its composer open on a live post.
fn composing(tmux: &Tmux, dirs: &Dirs, run: u32, first: bool) {
    tmux.start(&console_command(run, dirs, ""), first);
    open_composer_on_a_live_post(tmux);
}

/// The console's process: the one child of the pane's shell (`env` execs it).
fn console_pid(tmux: &Tmux) -> u32 {
    let shell = tmux.display("#{pane_pid}");
    let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
        .expect("read the shell's children");
    children
        .split_whitespace()
        .next()
        .and_then(|p| p.parse().ok())
        .expect("the console runs under the pane's shell")
}

fn signal(pid: u32, sig: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{sig} {pid}");
}

/// The drafts in the database, newest first.
fn drafts(db: &Path) -> Vec<String> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the demo database");
    let mut stmt = conn
        .prepare("SELECT text FROM drafts ORDER BY updated_at DESC")
        .expect("read drafts");
    stmt.query_map([], |r| r.get(0))
        .expect("read drafts")
        .map(|r| r.expect("a draft"))
        .collect()
}

#[test]
fn a_signal_saves_the_draft_just_typed_and_gives_the_terminal_back() {
    if !common::tmux::tmux_available() {
        eprintln!("skipping the signal test: `tmux` is not on PATH (install tmux to run it)");
        return;
    }
    let dirs = Dirs::new();
    let db = dirs.demo_db();
    let tmux = Tmux::new(&dirs.home);
    for (run, sig) in [(1, "TERM"), (2, "HUP"), (3, "INT")] {
        composing(&tmux, &dirs, run, run == 1);
        let typed = format!("Hello, so sorry, written just before SIG{sig}");
        tmux.type_text(&typed);
        // On screen (the composer wraps, so its last word).
        tmux.wait_text(&format!("SIG{sig}"));
        // At once: well inside the half second after which typing is saved anyway.
        signal(console_pid(&tmux), sig);
        let screen = tmux.wait_for("the console to exit", |s| exit_status(s, run).is_some());
        assert_eq!(
            exit_status(&screen, run).as_deref(),
            Some("0"),
            "SIG{sig}: a clean quit:\n{screen}"
        );
        assert_eq!(
            tmux.display("#{alternate_on}"),
            "0",
            "SIG{sig}: alternate screen left on"
        );
        assert_eq!(
            tmux.display("#{cursor_flag}"),
            "1",
            "SIG{sig}: cursor left hidden"
        );
        // (The same post may be picked again: its draft reopens and the new words follow the old.)
        assert!(
            drafts(&db).iter().any(|d| d.ends_with(&typed)),
            "SIG{sig}: the draft was saved whole: {:?}",
            drafts(&db)
        );
    }
}

#[test]
fn kill_9_while_typing_loses_at_most_the_last_second() {
    if !common::tmux::tmux_available() {
        eprintln!("skipping the kill -9 test: `tmux` is not on PATH (install tmux to run it)");
        return;
    }
    let dirs = Dirs::new();
    let db = dirs.demo_db();
    let tmux = Tmux::new(&dirs.home);
    composing(&tmux, &dirs, 1, true);
    // A fast typist: a word every 80 ms for four seconds, never pausing, then the power goes.
    let mut typed = String::new();
    let mut at = Vec::new();
    for i in 0..50 {
        let word = format!("w{i:02} ");
        tmux.type_text(&word);
        typed.push_str(&word);
        at.push((typed.len(), Instant::now()));
        std::thread::sleep(Duration::from_millis(80));
    }
    signal(console_pid(&tmux), "KILL");
    let killed = Instant::now();
    let saved = drafts(&db).into_iter().next().unwrap_or_default();
    assert!(
        typed.starts_with(saved.trim_end()),
        "the saved draft is what was typed, cut short:\n{saved}\n{typed}"
    );
    // The oldest keystroke missing from the draft, and how long before the kill it was typed.
    let kept = saved.trim_end().len();
    let lost_since = at
        .iter()
        .find(|(len, _)| *len > kept)
        .map(|(_, t)| killed - *t)
        .unwrap_or_default();
    eprintln!(
        "kill -9 while typing: {} of {} characters saved; the oldest lost keystroke was typed {} ms before the kill",
        kept,
        typed.trim_end().len(),
        lost_since.as_millis()
    );
    assert!(
        lost_since <= Duration::from_millis(1_000),
        "lost typing from {} ms before the kill",
        lost_since.as_millis()
    );
    // The file is whole, and the console starts again on it.
    let conn = rusqlite::Connection::open(&db).expect("open the demo database");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity check");
    assert_eq!(check, "ok");
    drop(conn);
    tmux.start(&console_command(2, &dirs, ""), false);
    tmux.wait_for("the panes to fill again", panes_filled);
    tmux.quit_cleanly(2, &dirs.state);
}
