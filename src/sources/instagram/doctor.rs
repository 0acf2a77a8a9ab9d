//! `regulars doctor` for an Instagram source: the account and token, permissions, usage headroom and the
//! weekly hashtag budget.

use std::collections::HashMap;

use chrono::Utc;

use super::{InstagramSource, PERMISSIONS, edges, hashtags};
use crate::sources::Check;
use crate::sources::graph::{doctor, text_of};
use crate::sources::http::FetchError;

impl InstagramSource {
    pub(super) async fn checks(&self, cursors: &HashMap<String, String>) -> Vec<Check> {
        let name = &self.name;
        let mut graph = self.graph.clone();
        let id = self.cfg.ig_user_id.trim();
        let fix = super::auth_fix(&self.token.hint());
        let mut checks = Vec::new();
        let url = graph.url(&edges::USER, id, &[]);
        let account = match graph.get(url).await {
            Ok(v) => Ok(format!(
                "@{} ({id})",
                text_of(&v, "username").unwrap_or_default()
            )),
            Err(FetchError::Auth { status, detail }) => {
                Err((format!("token refused ({status}: {detail})"), fix.clone()))
            }
            Err(e) => Err((e.to_string(), doctor::network_fix(&e, &self.cfg.graph_url))),
        };
        let reachable = account.is_ok();
        checks.push(doctor::check(name, "account and token", account));
        if reachable {
            let perms =
                doctor::permissions(&mut graph, &edges::DEBUG_TOKEN, PERMISSIONS, &fix).await;
            checks.push(doctor::check(name, "permissions", perms));
        }
        checks.push(doctor::check(
            name,
            "rate-limit headroom",
            doctor::headroom(graph.usage.as_ref()),
        ));
        if self.cfg.hashtag_search && !self.watch.hashtags.is_empty() {
            let used = hashtags::recent(cursors, Utc::now()).len();
            let watched = self.watch.hashtags.len();
            checks.push(doctor::check(
                name,
                "hashtag budget",
                if watched > hashtags::LIMIT {
                    Err((
                        format!("{watched} hashtags watched, {used} searched this week"),
                        format!(
                            "Instagram allows {} unique hashtags per 7 days: watch at most that many",
                            hashtags::LIMIT
                        ),
                    ))
                } else {
                    Ok(format!(
                        "{used} of {} unique hashtags searched this week",
                        hashtags::LIMIT
                    ))
                },
            ));
        }
        checks
    }
}
