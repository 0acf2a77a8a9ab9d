//! The UI loop: one task owns the state and the terminal. Terminal events, messages from ingest and the
//! runner, the clock and SIGTERM become `Msg`s; `update` turns them into state changes and effects; the screen
//! is redrawn when something changed, at most once per frame.

use std::time::Duration;

use tokio::time::Instant;

use chrono::Utc;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::app::{Copied, Effect, Msg, router, update};
use crate::state::AppState;
use crate::terminal::TerminalGuard;

/// Runs until the user quits (or SIGTERM, SIGHUP, SIGINT). Every effect `update` asked for is handed to the runner in order.
/// With `osc52`, copies go through the terminal (this loop owns it) rather than to the runner.
pub async fn run(
    guard: &mut TerminalGuard,
    state: &mut AppState,
    msgs: mpsc::UnboundedReceiver<Msg>,
    effects: mpsc::UnboundedSender<Effect>,
    osc52: bool,
) -> anyhow::Result<()> {
    let mut effects = Effects {
        runner: effects,
        osc52,
        copies: Vec::new(),
        bells: 0,
        away: Vec::new(),
    };
    let result = run_loop(guard, state, msgs, &mut effects).await;
    // The terminal failed under us (closed, unreadable): quit now, the open draft and check-in saved.
    if result.is_err() && !state.quitting {
        apply(state, Msg::Terminate, &mut effects);
    }
    result
}

async fn run_loop(
    guard: &mut TerminalGuard,
    state: &mut AppState,
    mut msgs: mpsc::UnboundedReceiver<Msg>,
    effects: &mut Effects,
) -> anyhow::Result<()> {
    let mut events = EventStream::new();
    // Asked to stop (SIGTERM), the terminal closed (SIGHUP) or interrupted from outside (SIGINT; Ctrl-C in the
    // console is a key): each quits at once, the open draft and a check-in in progress saved first.
    use tokio::signal::unix::{SignalKind, signal};
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let size = guard.terminal.size()?;
    apply(
        state,
        Msg::Resize {
            width: size.width,
            height: size.height,
        },
        effects,
    );
    guard.terminal.draw(|f| crate::ui::render(f, state))?;
    let mut drawn = Instant::now();
    let mut shown = Clock::of(state);
    let mut dirty = false;
    while !state.quitting {
        // Fast ticks only while a draft waits to be saved or a selected post is on its way to read; otherwise
        // once a second for the clock.
        let tick = if state
            .composer
            .as_ref()
            .is_some_and(|c| c.unsaved_since.is_some())
            || state.reads.dwell.is_some()
        {
            Duration::from_millis(150)
        } else {
            Duration::from_secs(1)
        };
        // A change waits for the next frame slot rather than drawing on every message.
        let frame_due = dirty.then_some(drawn + FRAME);
        let (keys, first) = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => (router::split_alt(state, key), None),
                Some(Ok(Event::Paste(text))) => (vec![], Some(Msg::Paste(text))),
                Some(Ok(Event::Resize(width, height))) => {
                    (vec![], Some(Msg::Resize { width, height }))
                }
                Some(Ok(_)) => (vec![], None),
                Some(Err(e)) => return Err(e.into()),
                None => (vec![], Some(Msg::Terminate)),
            },
            msg = msgs.recv() => (vec![], msg),
            _ = tokio::time::sleep(tick) => (vec![], None),
            _ = sleep_until(frame_due) => (vec![], None),
            _ = sigterm.recv() => (vec![], Some(Msg::Terminate)),
            _ = sighup.recv() => (vec![], Some(Msg::Terminate)),
            _ = sigint.recv() => (vec![], Some(Msg::Terminate)),
        };
        // The clock moves first, so whatever happens next (actions, replies) is stamped with the current time.
        apply(state, Msg::Tick(Utc::now()), effects);
        // Each key is routed in the state the one before it left (Esc closes, then q quits).
        for key in keys {
            if let Some(msg) = router::route(state, key) {
                apply(state, msg, effects);
                dirty = true;
            }
        }
        if let Some(msg) = first {
            apply(state, msg, effects);
            dirty = true;
        }
        while let Ok(msg) = msgs.try_recv() {
            apply(state, msg, effects);
            dirty = true;
        }
        for (text, what) in std::mem::take(&mut effects.copies) {
            let error =
                crossterm::execute!(guard.terminal.backend_mut(), crate::links::osc52(&text))
                    .err()
                    .map(|e| format!("could not copy through the terminal: {e}"));
            apply(state, Msg::Copied { what, error }, effects);
        }
        if std::mem::take(&mut effects.bells) > 0 {
            // Several alerts in one pass ring once.
            let error = crossterm::execute!(
                guard.terminal.backend_mut(),
                crossterm::style::Print('\u{7}')
            )
            .err()
            .map(|e| e.to_string());
            apply(state, Msg::Rang { error }, effects);
        }
        for effect in std::mem::take(&mut effects.away) {
            // Nothing may read the terminal while it is away: the event reader stops, and starts afresh after.
            drop(events);
            let msg = leave_terminal(guard, effect)?;
            events = EventStream::new();
            if let Some(msg) = msg {
                apply(state, msg, effects);
            }
            dirty = true;
        }
        // A tick alone redraws only when what it shows changed (the minute, a flash gone, a timer).
        let clock = Clock::of(state);
        dirty |= clock != shown;
        if dirty && drawn.elapsed() >= FRAME {
            guard.terminal.draw(|f| crate::ui::render(f, state))?;
            drawn = Instant::now();
            shown = clock;
            dirty = false;
        }
    }
    Ok(())
}

/// At most one frame per this long (~60 a second): bursts of messages are drawn once.
const FRAME: Duration = Duration::from_millis(16);

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// What the passing of time alone changes on screen.
#[derive(Debug, PartialEq, Eq)]
struct Clock {
    minute: i64,
    flash: bool,
    check_in_secs: Option<i64>,
    saving: bool,
    /// A post on its way to read (its unread mark goes when it is).
    dwelling: bool,
}

impl Clock {
    fn of(state: &AppState) -> Clock {
        Clock {
            minute: state.now.timestamp() / 60,
            flash: state.flash.is_some(),
            check_in_secs: state.check_in.as_ref().map(|c| c.remaining_secs(state.now)),
            saving: state
                .composer
                .as_ref()
                .is_some_and(|c| c.unsaved_since.is_some()),
            dwelling: state.reads.dwell.is_some(),
        }
    }
}

/// Runs an effect that needs the terminal handed over (the editor, a suspension); what comes of it as a `Msg`.
fn leave_terminal(guard: &mut TerminalGuard, effect: Effect) -> anyhow::Result<Option<Msg>> {
    match effect {
        Effect::EditDraft { post, text } => {
            let result = match crate::editor::command(
                std::env::var("VISUAL").ok(),
                std::env::var("EDITOR").ok(),
            ) {
                Ok(editor) => guard.away(|| crate::editor::edit(&editor, &text))?,
                Err(why) => Err(why),
            };
            Ok(Some(Msg::DraftEdited { post, result }))
        }
        Effect::Suspend => {
            guard.suspend()?;
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// Where effects go: the runner, except copies through the terminal (OSC 52), the bell and what hands the
/// terminal over (the editor, Ctrl-Z), kept for the loop to do.
struct Effects {
    runner: mpsc::UnboundedSender<Effect>,
    osc52: bool,
    copies: Vec<(String, Copied)>,
    bells: usize,
    away: Vec<Effect>,
}

fn apply(state: &mut AppState, msg: Msg, effects: &mut Effects) {
    for effect in update(state, msg) {
        match effect {
            Effect::Quit => {}
            Effect::Copy { text, what } if effects.osc52 => effects.copies.push((text, what)),
            Effect::Bell => effects.bells += 1,
            effect @ (Effect::EditDraft { .. } | Effect::Suspend) => effects.away.push(effect),
            effect => {
                let _ = effects.runner.send(effect);
            }
        }
    }
}
