//! Opening a workspace: the settings, the store (reset with --fresh, once confirmed), the customers imported,
//! and the state the console starts from.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

use crate::config::Settings;
use crate::domain::Customer;
use crate::ingest::{Ingest, Matcher};
use crate::sources::listening::{Homes, Listening};
use crate::state::AppState;
use crate::store::{Db, Store};
use crate::triage::Classifier;

pub struct Workspace {
    pub settings: Settings,
    pub store: Store,
    pub db_path: PathBuf,
    pub customers: Vec<Customer>,
    /// What the shop listens for, from the settings and the customers.
    pub listening: Listening,
    pub classifier: Arc<Classifier>,
    /// Why the customer import at start failed, if it did (the stored customers were kept).
    pub customer_import: Option<String>,
    /// The console opens on a check-in (`regulars checkin`).
    pub start_check_in: bool,
}

impl Workspace {
    pub async fn open(
        settings: Settings,
        db_path: PathBuf,
        fresh: bool,
    ) -> anyhow::Result<Workspace> {
        if fresh {
            crate::paths::remove_database(&db_path)
                .with_context(|| format!("--fresh: cannot remove {}", db_path.display()))?;
        }
        let store = open_store(&settings, &db_path)?;
        let classifier = settings.config.classifier().map_err(|e| {
            anyhow::anyhow!(
                "config {}: [triage]: {e}",
                describe(settings.path.as_deref())
            )
        })?;
        let classifier = Arc::new(classifier);
        let customer_import = import_on_start(&settings, &store, chrono::Utc::now()).await?;
        let customers = store.call(|db| db.customers()).await?;
        let listening = Listening::new(&settings.config, &customers);
        Ok(Workspace {
            settings,
            store,
            db_path,
            customers,
            listening,
            classifier,
            customer_import,
            start_check_in: false,
        })
    }

    /// Who is at the keyboard (`[me] name`, else the login name): named on everything this process writes.
    pub fn staff(&self) -> String {
        self.settings.config.me.name(|k| std::env::var(k).ok())
    }

    pub fn ingest(&self) -> Ingest {
        let mut ingest = Ingest::new(self.classifier.clone(), Matcher::new(&self.listening));
        ingest.round_robin = self.settings.config.team.round_robin;
        ingest
    }

    /// The console's starting state, with every pane's first page and Detail loaded (so the first frame is
    /// whole): the same loads `update` asks for, answered before the terminal is drawn.
    pub async fn initial_state(
        &self,
        accounts: HashMap<crate::domain::Network, String>,
    ) -> anyhow::Result<AppState> {
        let now = chrono::Utc::now();
        let mut state = AppState::new(now, self.settings.keymap.clone(), self.settings.theme);
        state.tz = *chrono::Local::now().offset();
        state.shop_name = self.settings.config.shop.name.clone();
        state.reply_texts = self.settings.reply_texts();
        state.columns = self.settings.config.layout.columns;
        state.check_in_config = self.settings.config.checkin;
        state.sync_read_position = (self.settings.config.sources.values())
            .any(|s| s.network() == crate::domain::Network::Mastodon);
        state.stats.hours = self.settings.config.hours.clone();
        state.currency = self.settings.config.shop.currency.clone();
        state.demo = self.settings.is_demo();
        state.accounts = accounts;
        state.alerts = crate::alerts::Alerts::new(self.settings.config.alerts_policy());
        state.alerts.always = self.store.call(|db| db.always_tell_me()).await?;
        state.customers = self.customers.iter().map(|c| (c.id, c.clone())).collect();
        state.team.me = self.staff();
        state.team.members = self.settings.config.team.members();
        let (me, since) = (state.team.me.clone(), now - crate::domain::PRESENCE_FOR);
        state.team.view = self.store.call(move |db| db.team_view(&me, since)).await?;
        if let Some(why) = &self.customer_import {
            state.flash(format!(
                "customer import failed: {why} (the stored list is kept)"
            ));
        }
        let staff = self.staff();
        let (follow_ups, drafts) = self
            .store
            .call(move |db| {
                let seen = crate::domain::DraftsSeen {
                    mine: db.drafts(&staff)?,
                    team: db.team_drafts(&staff)?,
                };
                Ok((db.open_follow_ups()?, seen))
            })
            .await?;
        state.follow_ups = follow_ups;
        state.take_drafts(drafts);
        let place = self.store.call(|db| db.ui_state()).await?;
        crate::state::reads::Place::from_pairs(&place).restore(&mut state);
        state.reads.stale = true;
        crate::loader::settle(&self.store, &mut state).await?;
        // After settling (which answers loads only): its queue is asked for by the console's first message.
        if self.start_check_in {
            state.begin_check_in(state.check_in_config.minutes);
        }
        Ok(state)
    }
}

/// The workspace's store as `[store]` says: the SQLite file at `db_path`, or the PostgreSQL database (opened on
/// its own store thread, see [`Store::open_postgres`]). Errors name the server or the file, never the
/// connection string.
pub fn open_store(settings: &Settings, db_path: &Path) -> anyhow::Result<Store> {
    let url = settings
        .config
        .store
        .postgres_url()
        .map_err(|e| anyhow::anyhow!("config {}: {e}", describe(settings.path.as_deref())))?;
    let store = match url {
        None => Store::open(db_path),
        Some(url) => Store::open_postgres(url.expose()),
    };
    store.map_err(|e| anyhow::anyhow!("{e}"))
}

/// Runs `f` on the workspace's store from a command without an async runtime (`regulars report`, ...): the
/// SQLite file opened here, as before; PostgreSQL on its store thread.
pub fn with_store<R: Send + 'static>(
    settings: &Settings,
    db_path: &Path,
    f: impl FnOnce(&mut dyn crate::store::Repository) -> anyhow::Result<R> + Send + 'static,
) -> anyhow::Result<R> {
    if !settings.config.store.is_postgres() {
        return f(&mut Db::open(db_path)?);
    }
    let store = open_store(settings, db_path)?;
    let result = store.call_blocking(move |db| Ok(f(db)));
    store.close_blocking();
    result?
}

/// The customer import a start runs (`[customers] on_start`, the legacy file, the demo's own). A bad source
/// or a refused write is not a reason to stay closed: it comes back as the reason, the stored list is kept,
/// and the console says so. Only a broken store is an error.
async fn import_on_start(
    settings: &Settings,
    store: &Store,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Option<String>> {
    let Some(config) = settings.customers().filter(|c| c.on_start) else {
        return Ok(None);
    };
    let (stored, forgotten) = store
        .call(|db| Ok((db.customers()?, db.forgotten_keys()?)))
        .await?;
    let homes = Homes::of(&settings.config);
    // Reading a file or a database blocks (PostgreSQL's client runs its own runtime): off the async threads.
    let planned = tokio::task::spawn_blocking(move || {
        crate::customers::import::plan(&config, &homes, &stored, &forgotten, now)
    })
    .await?;
    let plan = match planned {
        Ok(plan) => plan,
        Err(problems) => {
            tracing::warn!("customer import at start failed:\n{problems}");
            return Ok(Some(problems.summary()));
        }
    };
    let origin = plan.run.origin.clone();
    match store
        .call(move |db| db.import_customers(&plan.run, &plan.ranked))
        .await
    {
        Ok(_) => Ok(None),
        Err(e @ crate::store::StoreError::Conflict(_)) => Ok(Some(format!("{origin}: {e}"))),
        Err(e) => Err(e.into()),
    }
}

/// Asks before `--fresh` deletes the database at `db_path`, naming the file and what it holds:
/// "Delete /path/regulars.db (1,234 posts, 56 actions)? Type yes to continue: ". True when the reset may go
/// ahead: no database there, `assume_yes` (`--yes`), or the answer `yes`; anything else (EOF included) is a no.
pub fn confirm_fresh(
    db_path: &Path,
    assume_yes: bool,
    answers: &mut dyn BufRead,
    prompt: &mut dyn Write,
) -> anyhow::Result<bool> {
    if !db_path.exists() {
        return Ok(true);
    }
    let holds = Db::open_read_only(db_path)
        .and_then(|db| {
            use crate::store::{LogRepo, PostRepo};
            Ok((db.post_count()?, db.action_count()?))
        })
        .map_or_else(
            |e| format!("unreadable: {e}"),
            |(posts, actions)| {
                format!(
                    "{}, {}",
                    counted(posts, "post", "posts"),
                    counted(actions, "action", "actions")
                )
            },
        );
    if assume_yes {
        writeln!(prompt, "Deleting {} ({holds}): --yes", db_path.display())?;
        return Ok(true);
    }
    write!(
        prompt,
        "Delete {} ({holds})? Type yes to continue: ",
        db_path.display()
    )?;
    prompt.flush()?;
    let mut answer = String::new();
    answers.read_line(&mut answer)?;
    Ok(answer.trim().eq_ignore_ascii_case("yes"))
}

/// "1 post", "1,234 posts".
fn counted(n: u64, one: &str, many: &str) -> String {
    let grouped = crate::text::thousands(n);
    format!("{grouped} {}", if n == 1 { one } else { many })
}

fn describe(path: Option<&Path>) -> String {
    path.map_or_else(
        || "the demo workspace".to_string(),
        |p| p.display().to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ActionKind, NewAction};
    use crate::store::LogRepo;

    fn database_with(dir: &Path, actions: usize) -> PathBuf {
        let path = dir.join("regulars.db");
        let mut db = Db::open(&path).unwrap();
        for _ in 0..actions {
            db.log_action(
                "ana",
                &NewAction {
                    post: None,
                    customer: None,
                    kind: ActionKind::Note,
                    note: "called back".into(),
                    at: chrono::Utc::now(),
                    url: None,
                },
            )
            .unwrap();
        }
        path
    }

    #[test]
    fn fresh_asks_naming_the_file_and_its_counts() {
        let dir = tempfile::tempdir().unwrap();
        let path = database_with(dir.path(), 2);
        for (answer, go) in [
            ("yes\n", true),
            ("YES \n", true),
            ("no\n", false),
            ("", false),
        ] {
            let mut prompt = Vec::new();
            let ok = confirm_fresh(&path, false, &mut answer.as_bytes(), &mut prompt).unwrap();
            assert_eq!(ok, go, "{answer:?}");
            let prompt = String::from_utf8(prompt).unwrap();
            assert_eq!(
                prompt,
                format!(
                    "Delete {} (0 posts, 2 actions)? Type yes to continue: ",
                    path.display()
                )
            );
        }
        let companions = ["-wal", "-shm"].map(|s| PathBuf::from(format!("{}{s}", path.display())));
        assert!(
            companions.iter().all(|p| !p.exists()),
            "asking created no file next to the database"
        );
        let mut prompt = Vec::new();
        assert!(confirm_fresh(&path, true, &mut "".as_bytes(), &mut prompt).unwrap());
        assert!(String::from_utf8(prompt).unwrap().contains("--yes"));
    }

    #[test]
    fn fresh_without_a_database_needs_no_answer() {
        let dir = tempfile::tempdir().unwrap();
        let mut prompt = Vec::new();
        let missing = dir.path().join("none.db");
        assert!(confirm_fresh(&missing, false, &mut "".as_bytes(), &mut prompt).unwrap());
        assert!(prompt.is_empty());
        assert!(!missing.exists(), "nothing created");
    }

    #[test]
    fn an_unreadable_file_is_named_in_the_question() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(&path, "not sqlite at all, just text that is long enough").unwrap();
        let mut prompt = Vec::new();
        assert!(!confirm_fresh(&path, false, &mut "n\n".as_bytes(), &mut prompt).unwrap());
        let prompt = String::from_utf8(prompt).unwrap();
        assert!(prompt.contains("unreadable"), "{prompt}");
    }

    #[test]
    fn counts_are_grouped_in_thousands() {
        assert_eq!(counted(0, "post", "posts"), "0 posts");
        assert_eq!(counted(1, "post", "posts"), "1 post");
        assert_eq!(counted(1_234, "post", "posts"), "1,234 posts");
        assert_eq!(counted(1_234_567, "action", "actions"), "1,234,567 actions");
    }
}
