//! A real terminal for end-to-end tests: the console in a detached tmux session on a private socket (the user's
//! tmux is never touched), keys in with `send-keys`, the screen back with `capture-pane`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread::sleep;
use std::time::{Duration, Instant};

pub const WIDTH: u16 = 160;
pub const HEIGHT: u16 = 45;
pub const STEP: Duration = Duration::from_secs(20);
pub const POLL: Duration = Duration::from_millis(150);
const SESSION: &str = "e2e";
pub const EXITED: &str = "regulars exited, run ";

pub fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Quote for `sh -c`, which is how tmux runs the session's command.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A private tmux server; killed on drop, so also when an assertion fails.
pub struct Tmux {
    socket: String,
    conf: PathBuf,
}

impl Tmux {
    pub fn new(dir: &Path) -> Tmux {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let socket = format!("regulars-e2e-{}-{nanos}", std::process::id());
        // Loaded when the server starts, before the session's command runs: the pane stays after the
        // program exits (so its exit status can be read), and no tmux status line takes a row.
        let conf = dir.join("tmux.conf");
        std::fs::write(
            &conf,
            "set -g remain-on-exit on\nset -g status off\nset -g history-limit 0\n",
        )
        .expect("write tmux.conf");
        Tmux { socket, conf }
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("-f")
            .arg(&self.conf)
            .args(args)
            .env_remove("TMUX")
            .output()
            .expect("run tmux")
    }

    /// Runs `command` in the session's pane: a new session the first time, the same pane after that.
    pub fn start(&self, command: &str, first: bool) {
        let (w, h) = (WIDTH.to_string(), HEIGHT.to_string());
        let out = if first {
            self.run(&[
                "new-session",
                "-d",
                "-s",
                SESSION,
                "-x",
                &w,
                "-y",
                &h,
                command,
            ])
        } else {
            self.run(&["respawn-pane", "-k", "-t", SESSION, command])
        };
        assert!(
            out.status.success(),
            "tmux could not start the console: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", SESSION];
        args.extend_from_slice(keys);
        let out = self.run(&args);
        assert!(out.status.success(), "tmux send-keys {keys:?} failed");
    }

    pub fn type_text(&self, text: &str) {
        let out = self.run(&["send-keys", "-t", SESSION, "-l", text]);
        assert!(out.status.success(), "tmux send-keys -l {text:?} failed");
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", SESSION]).stdout)
            .into_owned()
    }

    pub fn display(&self, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", SESSION, format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Polls the screen until `ok` holds; fails with the last screen after `STEP`.
    pub fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + STEP;
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; the screen:\n{screen}");
            }
            sleep(POLL);
        }
    }

    pub fn wait_text(&self, text: &str) -> String {
        self.wait_for(&format!("{text:?} on screen"), |s| s.contains(text))
    }

    /// Quits with `q` and checks the program ended cleanly and gave the terminal back. The session's shell
    /// prints the exit status after the program and stays (`sleep`), so the pane's modes can still be read.
    pub fn quit_cleanly(&self, run: u32, state_dir: &Path) {
        self.keys(&["q"]);
        let exited = format!("{EXITED}{run}: ");
        let screen = self.wait_for("the console to exit after `q`", |s| s.contains(&exited));
        let log =
            std::fs::read_to_string(state_dir.join("regulars/regulars.log")).unwrap_or_default();
        let status = screen
            .lines()
            .find_map(|l| l.trim().strip_prefix(&exited))
            .unwrap_or_default();
        assert_eq!(
            status, "0",
            "the console exited with status {status}; the screen:\n{screen}\nits log:\n{log}"
        );
        assert!(!log.contains("panicked"), "a panic was logged:\n{log}");
        assert!(
            !screen.contains("Attention"),
            "the console's frame was left on the terminal:\n{screen}"
        );
        assert_eq!(
            self.display("#{alternate_on}"),
            "0",
            "the alternate screen was left on"
        );
        assert_eq!(
            self.display("#{cursor_flag}"),
            "1",
            "the cursor was left hidden"
        );
        assert_eq!(
            self.display("#{mouse_any_flag}"),
            "0",
            "mouse reporting was left on"
        );
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // kill-server leaves the socket file behind; remove it too.
        let socket_path = self.display("#{socket_path}");
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .env_remove("TMUX")
            .output();
        if !socket_path.is_empty() {
            let _ = std::fs::remove_file(socket_path);
        }
    }
}

/// The private directories a run uses instead of the user's, in a temporary folder (`root`) removed on drop.
pub struct Dirs {
    pub root: tempfile::TempDir,
    pub home: PathBuf,
    pub data: PathBuf,
    pub config: PathBuf,
    pub state: PathBuf,
}

impl Dirs {
    pub fn new() -> Dirs {
        let root = tempfile::tempdir().expect("temp dir");
        let [home, data, config, state] = ["home", "data", "config", "state"].map(|d| {
            let p = root.path().join(d);
            std::fs::create_dir_all(&p).expect("mkdir");
            p
        });
        Dirs {
            root,
            home,
            data,
            config,
            state,
        }
    }

    /// The demo's database in these directories.
    pub fn demo_db(&self) -> PathBuf {
        self.data.join("regulars/demo.db")
    }

    pub fn env(&self, cmd: &mut Command) {
        cmd.env_remove("REGULARS_CONFIG")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("HOME", &self.home)
            .env("XDG_DATA_HOME", &self.data)
            .env("XDG_CONFIG_HOME", &self.config)
            .env("XDG_STATE_HOME", &self.state);
    }
}

/// The shell command for the session's pane: the console on the demo (with `extra` arguments), then its exit
/// status printed as `EXITED<run>: <status>`, then a sleep so the pane stays.
pub fn console_command(run: u32, dirs: &Dirs, extra: &str) -> String {
    format!(
        "RUN={run}; env -u REGULARS_CONFIG -u DBUS_SESSION_BUS_ADDRESS HOME={} XDG_DATA_HOME={} XDG_CONFIG_HOME={} \
         XDG_STATE_HOME={} {} --demo --demo-interval 1 {extra}; printf '\\n{EXITED}%s: %s\\n' \"$RUN\" \"$?\"; exec sleep 120",
        sh_quote(&dirs.home.to_string_lossy()),
        sh_quote(&dirs.data.to_string_lossy()),
        sh_quote(&dirs.config.to_string_lossy()),
        sh_quote(&dirs.state.to_string_lossy()),
        sh_quote(env!("CARGO_BIN_EXE_regulars")),
    )
}

/// The exit status a finished run printed.
pub fn exit_status(screen: &str, run: u32) -> Option<String> {
    let exited = format!("{EXITED}{run}: ");
    screen
        .lines()
        .find_map(|l| l.trim().strip_prefix(&exited).map(str::to_string))
}

/// The status bar's "N unread".
pub fn unread(screen: &str) -> Option<u64> {
    let status = screen.lines().rev().find(|l| !l.trim().is_empty())?;
    let before = &status[..status.find(" unread")?];
    let digits: String = before
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().ok()
}

/// Once the panes are filled and a live post has come in (the console is running), opens a post and the
/// composer on it.
pub fn open_composer_on_a_live_post(tmux: &Tmux) {
    let screen = tmux.wait_for("the panes to fill", panes_filled);
    let first = unread(&screen).expect("unread count");
    tmux.wait_for("a live post", |s| unread(s).is_some_and(|n| n > first));
    // A post selected (opening it selects it), then the composer.
    tmux.keys(&["Enter"]);
    tmux.wait_text("┏ Detail");
    tmux.keys(&["Escape"]);
    tmux.wait_text("┏ Attention");
    tmux.keys(&["r"]);
    tmux.wait_text("Reply to ");
}

pub fn panes_filled(screen: &str) -> bool {
    ["Regulars", "Mentions", "Attention", "Log", "Detail"]
        .iter()
        .all(|t| screen.contains(&format!("╭ {t}")) || screen.contains(&format!("┏ {t}")))
        && screen.contains("DEMO")
        && unread(screen).is_some()
        && screen.contains("┏ Attention")
}
