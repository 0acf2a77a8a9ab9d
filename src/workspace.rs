//! Opening a workspace: the settings, the store (reset with --fresh), the customers imported, and the state
//! the console starts from.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

use crate::config::Settings;
use crate::domain::Customer;
use crate::ingest::{Ingest, Matcher};
use crate::sources::listening::{Homes, Listening};
use crate::state::{AppState, WINDOW};
use crate::store::Store;
use crate::triage::Classifier;

pub struct Workspace {
    pub settings: Settings,
    pub store: Store,
    pub db_path: PathBuf,
    pub customers: Vec<Customer>,
    /// What the shop listens for, from the settings and the customers.
    pub listening: Listening,
    pub classifier: Arc<Classifier>,
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
        let store = Store::open(&db_path).map_err(|e| anyhow::anyhow!("{e}"))?;
        let classifier = settings.config.classifier().map_err(|e| {
            anyhow::anyhow!(
                "config {}: [triage]: {e}",
                describe(settings.path.as_deref())
            )
        })?;
        let classifier = Arc::new(classifier);
        let imported = if settings.is_demo() {
            Some(crate::sources::demo::customers().map_err(anyhow::Error::msg)?)
        } else if let Some(path) = settings.customers_path() {
            let file = std::fs::File::open(&path).with_context(|| {
                format!(
                    "shop.customers: cannot open {} (check the path in {})",
                    path.display(),
                    describe(settings.path.as_deref())
                )
            })?;
            let homes = Homes::of(&settings.config);
            Some(
                crate::customers::parse_csv(file, &path.display().to_string(), &homes)
                    .map_err(anyhow::Error::msg)?,
            )
        } else {
            None
        };
        let customers = match imported {
            Some(list) => store.call(move |db| db.upsert_customers(&list)).await?,
            None => store.call(|db| db.customers()).await?,
        };
        let listening = Listening::new(&settings.config, &customers);
        Ok(Workspace {
            settings,
            store,
            db_path,
            customers,
            listening,
            classifier,
        })
    }

    pub fn ingest(&self) -> Ingest {
        Ingest {
            classifier: self.classifier.clone(),
            matcher: Matcher::new(&self.listening),
        }
    }

    /// The console's starting state: the newest posts, every open Attention item, recent work.
    pub async fn initial_state(
        &self,
        accounts: HashMap<crate::domain::Network, String>,
    ) -> anyhow::Result<AppState> {
        let now = chrono::Utc::now();
        let mut state = AppState::new(now, self.settings.keymap.clone(), self.settings.theme);
        state.tz = *chrono::Local::now().offset();
        state.shop_name = self.settings.config.shop.name.clone();
        state.demo = self.settings.is_demo();
        state.accounts = accounts;
        let notifications = &self.settings.config.notifications;
        state.notify_min_urgency = notifications.enabled.then_some(notifications.min_urgency);
        state.customers = self.customers.iter().map(|c| (c.id, c.clone())).collect();
        let (posts, attention, actions, follow_ups, drafts) = self
            .store
            .call(|db| {
                Ok((
                    db.recent_posts(WINDOW)?,
                    db.open_attention(1_000)?,
                    db.recent_actions(500)?,
                    db.open_follow_ups()?,
                    db.drafts()?,
                ))
            })
            .await?;
        state.posts.insert(posts.into_iter().chain(attention));
        state.actions = actions;
        state.follow_ups = follow_ups;
        state.drafts = drafts.into_iter().map(|d| (d.post, d)).collect();
        Ok(state)
    }
}

fn describe(path: Option<&Path>) -> String {
    path.map_or_else(
        || "the demo workspace".to_string(),
        |p| p.display().to_string(),
    )
}
