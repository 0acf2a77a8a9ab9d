//! The terminal guard: raw mode and the alternate screen while the console runs, restored on drop, on panic
//! (in any task) and on SIGTERM (the loop turns it into a quit); handed back to the shell for a while to run an
//! editor or to suspend (Ctrl-Z), and taken again after.

use std::io::{self, Stdout};

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

pub struct TerminalGuard {
    pub terminal: Term,
}

/// Puts the terminal back as the user had it. Safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

impl TerminalGuard {
    pub fn enter() -> io::Result<TerminalGuard> {
        // A panic on the UI thread ends the program: put the terminal back before the message prints. A panic in
        // a background task is caught by its supervisor and shown in the status bar while the UI goes on, so
        // the terminal stays as the UI needs it.
        let ui_thread = std::thread::current().id();
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().id() == ui_thread {
                restore();
                hook(info);
            } else {
                tracing::error!(%info, "background task panicked");
            }
        }));
        enable_raw_mode()?;
        if let Err(e) = execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste) {
            restore();
            return Err(e);
        }
        let terminal =
            Terminal::new(CrosstermBackend::new(io::stdout())).inspect_err(|_| restore())?;
        Ok(TerminalGuard { terminal })
    }
}

impl TerminalGuard {
    /// Gives the terminal back as the user had it, runs `away` (an editor, a suspension), then takes it again:
    /// raw mode, the alternate screen, and a full redraw on the next frame. The caller stops reading terminal
    /// events first, or they would steal the editor's keys.
    pub fn away<T>(&mut self, away: impl FnOnce() -> T) -> io::Result<T> {
        restore();
        let out = away();
        enable_raw_mode()?;
        execute!(
            io::stdout(),
            EnterAlternateScreen,
            EnableBracketedPaste,
            Clear(ClearType::All)
        )?;
        // What was on screen before is gone: a fresh terminal draws everything on the next frame. (Not
        // `Terminal::clear`, which asks the terminal where its cursor is: the answer can be lost to the event
        // reader being stopped, and the query then fails after a wait.)
        self.terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
        Ok(out)
    }

    /// Ctrl-Z: the terminal restored, the process stopped as the shell's job control expects (SIGTSTP's default
    /// action), and the console back as it was when the shell continues it (`fg`).
    pub fn suspend(&mut self) -> io::Result<()> {
        self.away(|| signal_hook::low_level::raise(signal_hook::consts::SIGTSTP))?
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}
