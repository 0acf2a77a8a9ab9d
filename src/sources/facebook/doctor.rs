//! `regulars doctor` for a Facebook source: the page and token, the token's permissions, usage headroom.

use std::collections::HashMap;

use super::{FacebookSource, PERMISSIONS, edges};
use crate::sources::Check;
use crate::sources::graph::{doctor, text_of};
use crate::sources::http::FetchError;

impl FacebookSource {
    pub(super) async fn checks(&self, cursors: &HashMap<String, String>) -> Vec<Check> {
        let name = &self.name;
        let mut graph = self.graph.clone();
        let page_id = self.cfg.page_id.trim();
        let fix = super::poll::auth_fix(page_id, &self.token.hint());
        let mut checks = Vec::new();
        let url = graph.url(&edges::PAGE, page_id, &[]);
        let page = match graph.get(url).await {
            Ok(v) => Ok(format!(
                "page {} ({page_id})",
                text_of(&v, "name").unwrap_or_default()
            )),
            Err(FetchError::Auth { status, detail }) => {
                Err((format!("token refused ({status}: {detail})"), fix.clone()))
            }
            Err(e) => Err((e.to_string(), doctor::network_fix(&e, &self.cfg.graph_url))),
        };
        let reachable = page.is_ok();
        checks.push(doctor::check(name, "page and token", page));
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
        let positions = cursors.keys().filter(|k| !k.starts_with("seen:")).count();
        checks.push(doctor::check(
            name,
            "cursors",
            Ok(match positions {
                0 => "none stored yet; the first run reads the newest page of each query".into(),
                n => format!("{n} positions stored"),
            }),
        ));
        checks
    }
}
