//! Handing things to the world outside the console: a post's address to the browser, a link or a reply to the
//! clipboard. The runner calls these and reports the outcome back as a `Msg`; OSC 52 (the clipboard through
//! the terminal) is written by the console loop, the terminal's one owner.

use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// `[links]`: how `o` opens a post and `y` copies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LinksConfig {
    /// The program (and its arguments) that opens an address; the address is added last. Default: the
    /// desktop's opener (`xdg-open`, `open`, `wslview`...).
    pub browser: Vec<String>,
    /// The program (and its arguments) that takes text on its standard input into the clipboard. Default: the
    /// first of `wl-copy`, `xclip`, `xsel`, `pbcopy` that the desktop has.
    pub copy_command: Vec<String>,
    /// Copy through the terminal (an OSC 52 escape sequence) instead: works over SSH and in tmux with
    /// `set-clipboard on`, but lets anything printed to the terminal write your clipboard too, so it is off.
    pub osc52: bool,
}

/// A program that runs this long has hung (a copy tool waiting for a display that never answers).
const PATIENCE: Duration = Duration::from_secs(5);

/// Opens `url` in the browser.
pub async fn open(config: &LinksConfig, url: &str) -> Result<(), String> {
    if let Some((program, args)) = config.browser.split_first() {
        return run(program, args, Some(url), None).await;
    }
    let url = url.to_string();
    tokio::task::spawn_blocking(move || open::that_detached(&url))
        .await
        .map_err(|e| format!("the opener crashed: {e}"))?
        .map_err(|e| {
            format!("no browser could be started ({e}); set `[links] browser = [\"firefox\"]` in the config")
        })
}

/// Puts `text` on the clipboard.
pub async fn copy(config: &LinksConfig, text: &str) -> Result<(), String> {
    if let Some((program, args)) = config.copy_command.split_first() {
        return run(program, args, None, Some(text)).await;
    }
    let wayland = std::env::var_os("WAYLAND_DISPLAY").is_some();
    let x11 = std::env::var_os("DISPLAY").is_some();
    let candidates: &[(&str, &[&str], bool)] = &[
        ("wl-copy", &[], wayland),
        ("xclip", &["-selection", "clipboard"], x11),
        ("xsel", &["--clipboard", "--input"], x11),
        ("pbcopy", &[], cfg!(target_os = "macos")),
    ];
    let mut tried = Vec::new();
    for (program, args, _) in candidates.iter().filter(|c| c.2) {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        match run(program, &args, None, Some(text)).await {
            Ok(()) => return Ok(()),
            Err(e) => tried.push(e),
        }
    }
    let why = if tried.is_empty() {
        "no clipboard here (no display, and not a Mac)".to_string()
    } else {
        tried.join("; ")
    };
    Err(format!(
        "could not copy: {why}; install wl-clipboard or xclip, set `[links] copy_command`, or `[links] osc52 = true` \
         to copy through the terminal"
    ))
}

/// Runs `program args [last]`, feeding `input` on its standard input; `Ok` when it exits successfully.
async fn run(
    program: &str,
    args: &[String],
    last: Option<&str>,
    input: Option<&str>,
) -> Result<(), String> {
    let mut command = Command::new(program);
    command
        .args(args)
        .args(last)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run `{program}`: {e}"))?;
    let mut unread = None;
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        // Dropping stdin closes it: the tool sees the end of the text.
        unread = stdin.write_all(text.as_bytes()).await.err();
    }
    match tokio::time::timeout(PATIENCE, child.wait()).await {
        // A tool that quit early says more by its exit status than by the broken pipe.
        Ok(Ok(status)) if status.success() => match unread {
            None => Ok(()),
            Some(e) => Err(format!("`{program}` did not take the text: {e}")),
        },
        Ok(Ok(status)) => Err(format!("`{program}` failed ({status})")),
        Ok(Err(e)) => Err(format!("`{program}` failed: {e}")),
        Err(_) => Err(format!(
            "`{program}` did not finish within {} s",
            PATIENCE.as_secs()
        )),
    }
}

/// The OSC 52 sequence that asks the terminal to put `text` on the clipboard.
pub fn osc52(text: &str) -> crossterm::clipboard::CopyToClipboard<Vec<u8>> {
    crossterm::clipboard::CopyToClipboard::to_clipboard_from(text.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(dir: &std::path::Path, body: &str) -> String {
        let path = dir.join("tool.sh");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.display().to_string()
    }

    #[tokio::test]
    async fn the_configured_programs_get_the_address_and_the_text() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let tool = script(
            dir.path(),
            &format!("echo \"$@\" > {0}; cat >> {0}", out.display()),
        );
        let config = LinksConfig {
            browser: vec![tool.clone(), "--new-tab".into()],
            copy_command: vec![tool],
            osc52: false,
        };
        open(&config, "https://x.com/a/status/1").await.unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "--new-tab https://x.com/a/status/1\n"
        );
        copy(&config, "Hi Ann, so sorry").await.unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "\nHi Ann, so sorry");
    }

    #[tokio::test]
    async fn a_missing_or_failing_program_says_what_to_set() {
        let dir = tempfile::tempdir().unwrap();
        let config = LinksConfig {
            browser: vec!["/nonexistent/browser".into()],
            copy_command: vec![script(dir.path(), "exit 3")],
            osc52: false,
        };
        let e = open(&config, "https://example.com").await.unwrap_err();
        assert!(e.contains("cannot run `/nonexistent/browser`"), "{e}");
        let e = copy(&config, "x").await.unwrap_err();
        assert!(e.contains("failed"), "{e}");
    }

    #[test]
    fn osc52_carries_the_text_base64() {
        use crossterm::Command as _;
        let mut out = String::new();
        osc52("hi").write_ansi(&mut out).unwrap();
        assert_eq!(out, "\x1b]52;c;aGk=\x1b\\");
    }
}
