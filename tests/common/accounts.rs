//! A shop on fake Mastodon, Bluesky and X servers whose account searches answer as the APIs document them,
//! with customers imported from a file, and `customers find` / `unlink` driven as the CLI runs them.

use std::path::PathBuf;

use regulars::config;
use regulars::customers::find::Finder;
use regulars::domain::{Customer, Handle, Network};
use regulars::runtime;
use regulars::workspace::Workspace;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::files::write_private;

pub const MASTODON_TOKEN: &str = "masto-SECRET-token";
pub const X_TOKEN: &str = "x-user-SECRET-token";

pub struct Shop {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
}

/// Priya Raman has no handle; Alice Ng is on Bluesky as alice.test (from the shop's database); Tom Ford on
/// Mastodon. Each fake server stands for one network.
pub fn shop(mastodon: &str, bluesky: &str, x: &str) -> Shop {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("customers.csv"),
        "external_id,name,lifetime_spend,mastodon,bluesky,note\n\
         C1,Priya Raman,1250.00,,,\n\
         C2,Alice Ng,900,,alice.test,\n\
         C3,Tom Ford,500,tom@masto.test,,\n",
    )
    .unwrap();
    let token = dir.path().join("mastodon-token");
    write_private(&token, MASTODON_TOKEN);
    let password = dir.path().join("bluesky-password");
    write_private(&password, super::bluesky::PASSWORD);
    let x_token = dir.path().join("x-token");
    write_private(&x_token, X_TOKEN);
    let text = format!(
        r#"
[shop]
name = "Finch & Co"
customers = "customers.csv"

[shop.handles]
mastodon = "shop@masto.test"

[notifications]
enabled = false

[sources.m]
kind = "mastodon"
instance = "{mastodon}"
token_file = '{token}'
stream = false

[sources.b]
kind = "bluesky"
handle = "shop.test"
password_file = '{password}'
pds = "{bluesky}"
appview = "{bluesky}"
jetstream = false

[sources.t]
kind = "x"
api = "{x}"
token_file = '{x_token}'
"#,
        token = token.display(),
        password = password.display(),
        x_token = x_token.display(),
    );
    let config = dir.path().join("config.toml");
    std::fs::write(&config, text).unwrap();
    Shop { dir, config }
}

impl Shop {
    /// Opens the workspace as the CLI does (the customers file imported again each time).
    pub async fn open(&self) -> Workspace {
        let settings = config::load(&self.config).unwrap_or_else(|e| panic!("{e}"));
        Workspace::open(settings, self.dir.path().join("regulars.db"), false)
            .await
            .unwrap()
    }

    /// Runs `find` with `typed` as the terminal input; the output and what was linked.
    pub async fn find(
        &self,
        name: Option<&str>,
        only: Option<Network>,
        typed: &str,
    ) -> (String, anyhow::Result<usize>) {
        let ws = self.open().await;
        let wiring = runtime::wire(
            &ws.settings,
            &ws.customers,
            &regulars::sources::http::client(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let finder = Finder {
            store: &ws.store,
            customers: &ws.customers,
            accounts: &wiring.accounts,
        };
        let mut out = Vec::new();
        let result = finder
            .find(name, only, &mut typed.as_bytes(), &mut out)
            .await;
        ws.store.close().await;
        (String::from_utf8(out).unwrap(), result)
    }

    pub async fn unlink(&self, name: &str, target: &str) -> anyhow::Result<String> {
        let ws = self.open().await;
        let wiring = runtime::wire(
            &ws.settings,
            &ws.customers,
            &regulars::sources::http::client(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let finder = Finder {
            store: &ws.store,
            customers: &ws.customers,
            accounts: &wiring.accounts,
        };
        let mut out = Vec::new();
        let result = finder.unlink(name, target, &mut out).await;
        ws.store.close().await;
        result.map(|()| String::from_utf8(out).unwrap())
    }

    pub async fn customer(&self, external_id: &str) -> Customer {
        let ws = self.open().await;
        let c = ws
            .customers
            .iter()
            .find(|c| c.external_id == external_id)
            .cloned()
            .unwrap();
        ws.store.close().await;
        c
    }
}

pub fn linked(network: Network, handle: &str) -> Handle {
    Handle {
        network,
        handle: handle.into(),
        linked: true,
    }
}

/// `/api/v2/search` as Mastodon documents it: accounts with an HTML `note`; a local account's `acct` has no
/// domain.
pub async fn fake_mastodon() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/search"))
        .and(header("authorization", format!("Bearer {MASTODON_TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accounts": [
                {"id": "1", "username": "priya", "acct": "priya@far.example", "display_name": "Priya R",
                 "note": "<p>Knits &amp; bakes</p>", "followers_count": 12,
                 "url": "https://far.example/@priya"},
                {"id": "2", "username": "praman", "acct": "praman", "display_name": "Priya Raman \u{1b}]0;pwned\u{7}",
                 "note": "<p>Potter in Leeds.<br>Rings \u{202e}and things</p><script>x()</script>",
                 "followers_count": 1234, "url": "https://masto.test/@praman"},
            ],
            "statuses": [], "hashtags": []
        })))
        .mount(&server)
        .await;
    server
}

/// `searchActors` (profile views: no counts) and `getProfiles` (detailed views: counts).
pub async fn fake_bluesky(actors: serde_json::Value) -> MockServer {
    let server = MockServer::start().await;
    super::bluesky::mount_session(&server).await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.actor.searchActors"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"actors": actors, "cursor": "25"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.actor.getProfiles"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"profiles": [
                {"did": "did:plc:priya", "handle": "priya.bsky.social", "followersCount": 321,
                 "followsCount": 10, "postsCount": 5}
            ]})),
        )
        .mount(&server)
        .await;
    server
}

pub fn bluesky_actors() -> serde_json::Value {
    json!([
        {"did": "did:plc:priya", "handle": "priya.bsky.social", "displayName": "Priya Raman",
         "description": "ceramics, mostly", "indexedAt": "2026-01-01T00:00:00Z"},
        {"did": "did:plc:alice", "handle": "alice.test", "displayName": "Alice"}
    ])
}

pub async fn fake_x() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/2/users/search"))
        .and(header(
            "authorization",
            format!("Bearer {X_TOKEN}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"id": "9", "name": "Priya R.", "username": "PriyaMakes",
                      "description": "makes things", "public_metrics": {"followers_count": 5000,
                      "following_count": 1, "tweet_count": 3, "listed_count": 0}}],
            "meta": {"next_token": "abc"}
        })))
        .mount(&server)
        .await;
    server
}
