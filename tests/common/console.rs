//! A headless console: the real `update`, the real effect `Runner` and a SQLite store in a temp file, with one
//! post to reply to. Messages from the runner are applied as the console loop applies them.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use regulars::app::{Command, Effect, Msg, update};
use regulars::config::{Keymap, Theme};
use regulars::domain::{Action, NewPost, Post, Reply};
use regulars::runtime::Runner;
use regulars::sources::Replier;
use regulars::state::{AppState, Pane};
use regulars::store::Store;
use tokio::sync::mpsc;

use super::run::WAIT;

pub struct Console {
    pub state: AppState,
    pub store: Store,
    pub post: Post,
    effects: mpsc::UnboundedSender<Effect>,
    ui: mpsc::UnboundedReceiver<Msg>,
    _dir: tempfile::TempDir,
}

impl Console {
    /// `post` must be a mention (the Mentions pane is focused on it); replies on its network go through
    /// `replier`.
    pub async fn start(post: NewPost, replier: Arc<dyn Replier>) -> Console {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("regulars.db")).unwrap();
        let network = post.incoming.network;
        let post = store
            .call(move |db| db.insert_batch("test", &[post], &[]))
            .await
            .unwrap()
            .remove(0);
        let (ui_tx, ui) = mpsc::unbounded_channel();
        let (effects, effects_rx) = mpsc::unbounded_channel();
        let repliers: HashMap<_, _> = [(network, replier)].into();
        tokio::spawn(
            Runner::new(
                store.clone(),
                repliers,
                Arc::new(regulars::notify::NullNotifier),
                Default::default(),
                ui_tx,
            )
            .run(effects_rx),
        );
        let mut state = AppState::new(Utc::now(), Keymap::defaults(), Theme::default());
        state.focus = Pane::Mentions;
        regulars::loader::settle(&store, &mut state).await.unwrap();
        let mut console = Console {
            state,
            store,
            post,
            effects,
            ui,
            _dir: dir,
        };
        console
            .until("the repliers", |m| matches!(m, Msg::RepliersReady(_)))
            .await;
        console
    }

    pub fn dispatch(&mut self, msg: Msg) {
        for effect in update(&mut self.state, msg) {
            self.effects.send(effect).unwrap();
        }
    }

    /// Hands the runner an effect directly (a stale retry, say).
    pub fn effect(&mut self, effect: Effect) {
        self.effects.send(effect).unwrap();
    }

    pub fn command(&mut self, command: Command) {
        self.dispatch(Msg::Command(command));
    }

    /// Applies the runner's messages until one matches; returns it (applied).
    pub async fn until(&mut self, what: &str, wanted: impl Fn(&Msg) -> bool) -> Msg {
        loop {
            let msg = tokio::time::timeout(WAIT, self.ui.recv())
                .await
                .unwrap_or_else(|_| {
                    panic!("no {what} within {WAIT:?}; state: {:?}", self.state.flash)
                })
                .expect("the runner stopped");
            let hit = wanted(&msg);
            self.dispatch(msg.clone());
            if hit {
                return msg;
            }
        }
    }

    /// Opens the composer on the post and types `text`.
    pub fn compose(&mut self, text: &str) {
        self.command(Command::Reply);
        self.dispatch(Msg::Paste(text.into()));
    }

    /// Sends the open draft (confirming the question).
    pub fn send(&mut self) {
        self.command(Command::SendReply);
        self.command(Command::Confirm);
    }

    pub fn text(&self) -> String {
        self.state.composer.as_ref().expect("composer open").text()
    }

    /// What the store holds about the post: its replies and actions.
    pub async fn logged(&self) -> (Vec<Reply>, Vec<Action>) {
        let id = self.post.id;
        self.store
            .call(move |db| {
                let log = db.actions_page(regulars::domain::Anchor::First, 1_000, false)?;
                let actions = log.rows.into_iter().rev().filter(|a| a.post == Some(id));
                Ok((db.replies_for_post(id)?, actions.collect()))
            })
            .await
            .unwrap()
    }
}
