//! `regulars customers find` and `unlink` against fake Mastodon, Bluesky and X servers: each search's exact
//! request, candidates parsed as the APIs document them (bio HTML to text, hostile text sanitized, followers),
//! nothing linked without a typed choice, another customer's handle refused, and linked handles kept by every
//! re-import.

mod common;

use regulars::domain::{Handle, Network};
use regulars::runtime;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::accounts::*;
use common::app::{query, received};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mastodon_search_asks_exactly_and_links_only_the_number_typed() {
    let (m, b, x) = (
        fake_mastodon().await,
        fake_bluesky(json!([])).await,
        fake_x().await,
    );
    let shop = shop(&m.uri(), &b.uri(), &x.uri());
    let (out, linked_count) = shop
        .find(Some("priya raman"), Some(Network::Mastodon), "2\n")
        .await;
    assert_eq!(linked_count.unwrap(), 1, "{out}");

    let requests = received(&m).await;
    let search = requests
        .iter()
        .find(|r| r.url.path() == "/api/v2/search")
        .unwrap();
    assert_eq!(query(search, "q").as_deref(), Some("Priya Raman"));
    assert_eq!(query(search, "type").as_deref(), Some("accounts"));
    assert_eq!(query(search, "resolve").as_deref(), Some("false"));
    assert_eq!(query(search, "limit").as_deref(), Some("8"));

    // Candidates: bio HTML as text, hostile text gone, counts grouped; a local acct gets the instance.
    assert!(
        out.contains("  1. @priya@far.example · Priya R · 12 followers\n     Knits & bakes\n"),
        "{out}"
    );
    assert!(
        out.contains("  2. @praman@127.0.0.1 · Priya Raman · 1,234 followers\n"),
        "{out}"
    );
    assert!(out.contains("Potter in Leeds. Rings and things"), "{out}");
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{202e}') && !out.contains("x()"),
        "{out}"
    );
    assert!(
        out.contains("linked @praman@127.0.0.1 to Priya Raman (followed from the next start)"),
        "{out}"
    );

    let priya = shop.customer("C1").await;
    assert_eq!(
        priya.handles,
        [linked(Network::Mastodon, "praman@127.0.0.1")]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_typed_input_nothing_is_linked_and_q_stops() {
    let (m, b, x) = (
        fake_mastodon().await,
        fake_bluesky(bluesky_actors()).await,
        fake_x().await,
    );
    let shop = shop(&m.uri(), &b.uri(), &x.uri());
    // Every regular, every searchable network, and no input at all (stdin not a terminal, nothing piped).
    let (out, linked_count) = shop.find(None, None, "").await;
    assert_eq!(linked_count.unwrap(), 0, "{out}");
    assert!(out.contains("no answer: nothing linked"), "{out}");
    for why in ["facebook", "instagram", "tumblr", "linkedin", "google"] {
        assert!(
            out.contains(&format!("not searched: {why} cannot be searched: ")),
            "{why}: {out}"
        );
    }
    // Enter skips Mastodon, q stops before anything else is asked.
    let (out, linked_count) = shop.find(Some("C1"), None, "\nq\n2\n").await;
    assert_eq!(linked_count.unwrap(), 0, "{out}");
    assert_eq!(out.matches("link which?").count(), 2, "{out}");
    for c in ["C1", "C2", "C3"] {
        assert!(
            shop.customer(c).await.handles.iter().all(|h| !h.linked),
            "{c}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bluesky_and_x_searches_as_documented() {
    let (m, b, x) = (
        fake_mastodon().await,
        fake_bluesky(bluesky_actors()).await,
        fake_x().await,
    );
    let shop = shop(&m.uri(), &b.uri(), &x.uri());
    let (out, linked_count) = shop
        .find(Some("Priya Raman"), Some(Network::Bluesky), "1\n")
        .await;
    assert_eq!(linked_count.unwrap(), 1, "{out}");
    let requests = received(&b).await;
    let search = requests
        .iter()
        .find(|r| r.url.path() == "/xrpc/app.bsky.actor.searchActors")
        .unwrap();
    assert_eq!(query(search, "q").as_deref(), Some("Priya Raman"));
    assert_eq!(query(search, "limit").as_deref(), Some("8"));
    let profiles = requests
        .iter()
        .find(|r| r.url.path() == "/xrpc/app.bsky.actor.getProfiles")
        .unwrap();
    let asked: Vec<String> = profiles
        .url
        .query_pairs()
        .filter(|(k, _)| k == "actors")
        .map(|(_, v)| v.into_owned())
        .collect();
    assert_eq!(asked, ["did:plc:priya", "did:plc:alice"]);
    assert!(
        out.contains(
            "  1. @priya.bsky.social · Priya Raman · 321 followers\n     ceramics, mostly\n"
        ),
        "{out}"
    );
    assert!(out.contains("  2. @alice.test · Alice\n"), "{out}");

    let (out, linked_count) = shop
        .find(Some("Priya Raman"), Some(Network::X), "1\n")
        .await;
    assert_eq!(linked_count.unwrap(), 1, "{out}");
    let requests = received(&x).await;
    let search = requests
        .iter()
        .find(|r| r.url.path() == "/2/users/search")
        .unwrap();
    assert_eq!(query(search, "query").as_deref(), Some("Priya Raman"));
    assert_eq!(query(search, "max_results").as_deref(), Some("8"));
    assert_eq!(
        query(search, "user.fields").as_deref(),
        Some("description,public_metrics")
    );
    assert!(
        out.contains("  1. @priyamakes · Priya R. · 5,000 followers\n     makes things\n"),
        "{out}"
    );
    assert_eq!(
        shop.customer("C1").await.handles,
        [
            linked(Network::Bluesky, "priya.bsky.social"),
            linked(Network::X, "priyamakes")
        ]
    );
    // Now every searchable network has Priya: nothing is asked.
    let (out, _) = shop.find(Some("Priya Raman"), Some(Network::X), "").await;
    assert!(
        out.contains("Priya Raman already has a handle on x\nlinked 0 handles"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_customers_handle_is_refused_and_the_choice_asked_again() {
    let (m, b, x) = (
        fake_mastodon().await,
        fake_bluesky(bluesky_actors()).await,
        fake_x().await,
    );
    let shop = shop(&m.uri(), &b.uri(), &x.uri());
    let (out, linked_count) = shop
        .find(Some("Priya"), Some(Network::Bluesky), "2\n")
        .await;
    assert_eq!(linked_count.unwrap(), 0, "{out}");
    assert!(
        out.contains("not linked: bluesky alice.test is already Alice Ng's (customer C2)"),
        "{out}"
    );
    assert!(shop.customer("C1").await.handles.is_empty());
    assert_eq!(shop.customer("C2").await.handles.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linked_handles_survive_reimports_and_unlink_removes_them() {
    let (m, b, x) = (
        fake_mastodon().await,
        fake_bluesky(bluesky_actors()).await,
        fake_x().await,
    );
    let shop = shop(&m.uri(), &b.uri(), &x.uri());
    shop.find(Some("C1"), Some(Network::Bluesky), "1\n")
        .await
        .1
        .unwrap();
    // Each open imports the customers file again: the linked handle stays.
    let priya = shop.customer("C1").await;
    assert_eq!(
        priya.handles,
        [linked(Network::Bluesky, "priya.bsky.social")]
    );
    let said = shop.unlink("priya raman", "bluesky").await.unwrap();
    assert!(
        said.contains("unlinked bluesky @priya.bsky.social from Priya Raman"),
        "{said}"
    );
    assert!(shop.customer("C1").await.handles.is_empty());
    // An imported handle can be unlinked too; the shop's database lists it, so the next import brings it back.
    shop.unlink("Alice Ng", "bluesky:@Alice.test")
        .await
        .unwrap();
    assert_eq!(
        shop.customer("C2").await.handles,
        [Handle::imported(Network::Bluesky, "alice.test")]
    );
    let err = shop.unlink("Tom", "x").await.unwrap_err();
    assert!(
        err.to_string().contains("Tom Ford has no x handle"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_said_per_network_and_bad_names_refused() {
    let m = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/search"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "30"))
        .mount(&m)
        .await;
    let b = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.actor.searchActors"))
        .and(query_param("q", "Priya Raman"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"actors": []})))
        .mount(&b)
        .await;
    let x = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/2/users/search"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"title": "Unauthorized", "detail": "Unauthorized"})),
        )
        .mount(&x)
        .await;
    let shop = shop(&m.uri(), &b.uri(), &x.uri());
    let (out, linked_count) = shop.find(Some("C1"), None, "").await;
    assert_eq!(linked_count.unwrap(), 0);
    assert!(
        out.contains("mastodon search failed: rate limited until"),
        "{out}"
    );
    assert!(
        out.contains("on bluesky, searching \"Priya Raman\":\n  no candidates\n"),
        "{out}"
    );
    assert!(
        out.contains("x search failed: authentication refused (401)"),
        "{out}"
    );
    assert!(!out.contains(X_TOKEN) && !out.contains(MASTODON_TOKEN));

    let (_, result) = shop.find(Some("a"), None, "").await;
    let err = result.unwrap_err().to_string();
    assert!(
        err.contains("names 2 customers")
            && err.contains("Priya Raman (C1)")
            && err.contains("Alice Ng (C2)"),
        "{err}"
    );
    let (_, result) = shop.find(Some("C1"), Some(Network::Facebook), "").await;
    let err = result.unwrap_err().to_string();
    assert!(
        err.contains("nothing to search:\n  facebook cannot be searched: "),
        "{err}"
    );
}

/// The console's side: the runner searches every network asked at once and links what `update` asks for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runner_searches_the_networks_at_once_and_links_the_choice() {
    use regulars::app::{Effect, Msg};
    use std::sync::Arc;
    use tokio::sync::mpsc;

    let (m, b, x) = (
        fake_mastodon().await,
        fake_bluesky(bluesky_actors()).await,
        fake_x().await,
    );
    let shop = shop(&m.uri(), &b.uri(), &x.uri());
    let ws = shop.open().await;
    let wiring = runtime::wire(
        &ws.settings,
        &ws.customers,
        &regulars::sources::http::client(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let priya = ws
        .customers
        .iter()
        .find(|c| c.external_id == "C1")
        .unwrap()
        .id;
    let (ui_tx, mut ui) = mpsc::unbounded_channel();
    let (effects, effects_rx) = mpsc::unbounded_channel();
    let runner = tokio::spawn(
        runtime::Runner::new(
            ws.store.clone(),
            wiring.repliers,
            Arc::new(regulars::notify::NullNotifier),
            Default::default(),
            ui_tx,
        )
        .with_accounts(wiring.accounts)
        .run(effects_rx),
    );
    let mut next = async || {
        loop {
            let msg = tokio::time::timeout(std::time::Duration::from_secs(10), ui.recv())
                .await
                .expect("an answer in time")
                .expect("the runner is running");
            if !matches!(msg, Msg::RepliersReady(_)) {
                return msg;
            }
        }
    };
    effects
        .send(Effect::SearchAccounts {
            customer: priya,
            name: "Priya Raman".into(),
            networks: vec![
                Network::Mastodon,
                Network::Bluesky,
                Network::X,
                Network::Tumblr,
            ],
        })
        .unwrap();
    let Msg::AccountsFound { customer, found } = next().await else {
        panic!("not the search's answer")
    };
    assert_eq!(customer, priya);
    let summary: Vec<(Network, Result<Vec<String>, String>)> = found
        .into_iter()
        .map(|(n, r)| (n, r.map(|cs| cs.into_iter().map(|c| c.handle).collect())))
        .collect();
    assert_eq!(
        summary[..3],
        [
            (
                Network::Mastodon,
                Ok(vec!["priya@far.example".into(), "praman@127.0.0.1".into()])
            ),
            (
                Network::Bluesky,
                Ok(vec!["priya.bsky.social".into(), "alice.test".into()])
            ),
            (Network::X, Ok(vec!["priyamakes".into()])),
        ]
    );
    let tumblr = summary[3].1.as_ref().unwrap_err();
    assert!(
        tumblr.starts_with("tumblr cannot be searched: "),
        "{tumblr}"
    );

    let handle = linked(Network::X, "priyamakes");
    effects
        .send(Effect::LinkHandle {
            customer: priya,
            handle: handle.clone(),
        })
        .unwrap();
    let Msg::HandleLinked { customer, .. } = next().await else {
        panic!("not linked")
    };
    assert_eq!(customer.handles, [handle]);
    // Another customer's handle: refused, said.
    effects
        .send(Effect::LinkHandle {
            customer: priya,
            handle: linked(Network::Bluesky, "alice.test"),
        })
        .unwrap();
    let Msg::TaskFailed { what, error } = next().await else {
        panic!("not refused")
    };
    assert_eq!(what, "linking @alice.test");
    assert!(
        error.contains("already Alice Ng's (customer C2)"),
        "{error}"
    );
    drop(effects);
    runner.await.unwrap();
    ws.store.close().await;
}
