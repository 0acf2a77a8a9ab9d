//! The whole app without a terminal, with every network that has its own API configured at once in one config
//! file: X, Facebook, Instagram, Tumblr, LinkedIn and Google reviews (each against its own wiremock fake) beside
//! a JSONL file, wired as the console and `regulars sync` wire them, with the ingest task and the SQLite store.
//! Every post must land in the store once, triaged, matched to the right customer by each network's kind of
//! handle, and flagged as a mention where it is one; a restart must resume from the stored cursors (nothing
//! delivered again).

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::app::{Seen, query, received};
use common::files::{append, write_private};
use common::graph::{
    IG_ID, PAGE_ID, PAGE_NAME, fb_basics, fb_comment, fb_post, ig_basics, ig_comment, ig_media, p,
};
use common::x::{Naming, SHOP_ID, id as x_id, user as x_user};
use regulars::config;
use regulars::domain::{Network, Post};
use regulars::runtime;
use regulars::sources::Health;
use regulars::workspace::Workspace;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const DEADLINE: Duration = Duration::from_secs(15);
const X_TOKEN: &str = "x-bearer-SECRET-42";
const GOOGLE_TOKEN: &str = "ya29.google-SECRET";
/// The sources, as named in the config.
const SOURCES: [&str; 7] = [
    "x",
    "facebook",
    "instagram",
    "tumblr",
    "linkedin",
    "google",
    "relay",
];
/// The shop's Instagram username and Tumblr blog.
const SHOP_IG: &str = "marlowfinch";
const SHOP_TUMBLR: &str = common::tumblr::SHOP;
const ANN_FB: (&str, &str) = ("555", "Ann Lee");
const BO_FB: (&str, &str) = ("556", "Bo Park");
const SHARE: &str = "urn:li:share:1";
const MENTION_SHARE: &str = "urn:li:share:99";
const REVIEWS: &str = "accounts/111/locations/222/reviews";

// ---- fixtures ------------------------------------------------------------------------------------------------

struct Fakes {
    x: MockServer,
    facebook: MockServer,
    instagram: MockServer,
    tumblr: MockServer,
    linkedin: MockServer,
    google: MockServer,
}

impl Fakes {
    async fn start() -> Fakes {
        Fakes {
            x: fake_x().await,
            facebook: fake_facebook().await,
            instagram: fake_instagram().await,
            tumblr: fake_tumblr().await,
            linkedin: fake_linkedin().await,
            google: fake_google().await,
        }
    }

    async fn requests(&self) -> HashMap<&'static str, Vec<Request>> {
        HashMap::from([
            ("x", received(&self.x).await),
            ("facebook", received(&self.facebook).await),
            ("instagram", received(&self.instagram).await),
            ("tumblr", received(&self.tumblr).await),
            ("linkedin", received(&self.linkedin).await),
            ("google", received(&self.google).await),
        ])
    }
}

/// The customers file with a column per network (as the registry names them), the secrets in 0600 files, and
/// the config naming them, every API pointed at its fake.
fn write_config(dir: &Path, fakes: &Fakes, jsonl: &Path) -> PathBuf {
    std::fs::write(
        dir.join("customers.csv"),
        "external_id,name,lifetime_spend,x,facebook,instagram,tumblr,linkedin,google,note\n\
         C1,Ann Lee,1250.00,@Ann_Lee,Ann Lee,@Ann.Lee,alice-knits.tumblr.com,urn:li:person:Alice1,Ann Lee,ring buyer\n\
         C2,Bo Park,900,bo_p,Bo  Park,bo.park,bo-knits,urn:li:person:Bob2,bo park,\n\
         C3,Cy Dee,10,,,,,,,no handles\n",
    )
    .unwrap();
    let secret = |name: &str, value: &str| {
        let file = dir.join(name);
        write_private(&file, &format!("{value}\n"));
        file.display().to_string()
    };
    let text = format!(
        r#"
[shop]
name = "Marlow & Finch"
keywords = ["Marlow & Finch"]
hashtags = ["marlowfinch"]
customers = "customers.csv"

[shop.handles]
x = "@shop"
facebook = "{PAGE_NAME}"
instagram = "{SHOP_IG}"
tumblr = "{SHOP_TUMBLR}"
linkedin = "{org}"
google = "Marlow & Finch"

[notifications]
enabled = false

[sources.x]
kind = "x"
api = "{x}"
token_file = '{x_token}'
poll_seconds = 1

[sources.facebook]
kind = "facebook"
page_id = "{PAGE_ID}"
token_file = '{fb_token}'
graph_url = "{facebook}"
poll_seconds = 1

[sources.instagram]
kind = "instagram"
ig_user_id = "{IG_ID}"
token_file = '{ig_token}'
graph_url = "{instagram}"
poll_seconds = 1

[sources.tumblr]
kind = "tumblr"
blog = "{SHOP_TUMBLR}"
api_key_file = '{tumblr_key}'
api = "{tumblr}"
poll_seconds = 60

[sources.linkedin]
kind = "linkedin"
organization = "42"
token_file = '{linkedin_token}'
version = "{version}"
api = "{linkedin}"
poll_seconds = 60

[sources.google]
kind = "google"
token_file = '{google_token}'
reviews_url = "{google}"
accounts_url = "{google}"
locations_url = "{google}"
token_url = "{google}/token"
poll_seconds = 1

[sources.relay]
kind = "jsonl"
path = '{jsonl}'
"#,
        org = common::linkedin::ORG,
        version = common::linkedin::VERSION,
        x = fakes.x.uri(),
        facebook = fakes.facebook.uri(),
        instagram = fakes.instagram.uri(),
        tumblr = fakes.tumblr.uri(),
        linkedin = fakes.linkedin.uri(),
        google = fakes.google.uri(),
        x_token = secret("x-token", X_TOKEN),
        fb_token = secret("facebook-token", common::graph::TOKEN),
        ig_token = secret("instagram-token", common::graph::TOKEN),
        tumblr_key = secret("tumblr-key", common::tumblr::KEY),
        linkedin_token = secret("linkedin-token", common::linkedin::TOKEN),
        google_token = secret("google-token", GOOGLE_TOKEN),
        jsonl = jsonl.display(),
    );
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn x_page(naming: Naming, data: Vec<Value>, users: Vec<Value>) -> Value {
    common::x::page(naming, data, vec![], users, None)
}

/// X knows the shop (`@shop`, id 100) and customers Ann (`@ann_lee`, 7) and Bo (`@bo_p`, 8). Bo mentions the
/// shop with a complaint, Ann posts about her morning, `@dee` uses the shop's hashtag. As X does, a read with
/// `since_id` finds nothing newer; every read needs the bearer token.
async fn fake_x() -> MockServer {
    let server = MockServer::start().await;
    let auth = || header("authorization", format!("Bearer {X_TOKEN}").as_str());
    Mock::given(method("GET"))
        .and(path("/2/users/by"))
        .and(auth())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
            x_user(SHOP_ID, "Shop"), x_user("7", "Ann_Lee"), x_user("8", "bo_p")
        ]})))
        .mount(&server)
        .await;
    let post = |id: String, author: &str, text: &str| {
        common::x::post(Naming::Posts, &id, author, text, &[])
    };
    for (p, body) in [
        (
            format!("/2/users/{SHOP_ID}/mentions"),
            x_page(
                Naming::Posts,
                vec![post(
                    x_id(20, 0),
                    "8",
                    "@shop still waiting for my refund, 3 weeks now",
                )],
                vec![x_user("8", "bo_p")],
            ),
        ),
        (
            "/2/users/7/tweets".to_string(),
            x_page(
                Naming::Tweets,
                vec![post(
                    x_id(30, 0),
                    "7",
                    "Lovely walk along the river this morning",
                )],
                vec![x_user("7", "Ann_Lee")],
            ),
        ),
        (
            "/2/tweets/search/recent".to_string(),
            x_page(
                Naming::Posts,
                vec![post(
                    x_id(40, 0),
                    "11",
                    "Picked up a gift card today #marlowfinch",
                )],
                vec![x_user("11", "dee")],
            ),
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(p))
            .and(query_param_is_missing("since_id"))
            .and(auth())
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    for p in [
        format!("/2/users/{SHOP_ID}/mentions"),
        "/2/users/7/tweets".into(),
        "/2/users/8/tweets".into(),
        "/2/tweets/search/recent".into(),
    ] {
        Mock::given(method("GET"))
            .and(path(p))
            .and(auth())
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"meta": {"result_count": 0}})),
            )
            .with_priority(10)
            .mount(&server)
            .await;
    }
    server
}

/// The shop's page: Bo's visitor post, Ann's comment on the page's own post (which comes as context), and Cy's
/// post tagging the page. It answers the same whatever the cursor: the stored positions must keep old posts out.
async fn fake_facebook() -> MockServer {
    let server = MockServer::start().await;
    fb_basics(&server).await;
    let page = common::graph::page;
    let mut own = fb_post(
        "100_1",
        (PAGE_ID, PAGE_NAME),
        "2026-12-01T09:00:00+0000",
        "New rings in store",
    );
    own["updated_time"] = json!("2026-12-01T10:05:00+0000");
    Mock::given(method("GET"))
        .and(path(p(&format!("{PAGE_ID}/posts"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![own.clone()])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p(&format!("{PAGE_ID}/feed"))))
        .and(header(
            "authorization",
            format!("Bearer {}", common::graph::TOKEN).as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![
            fb_post(
                "100_2",
                BO_FB,
                "2026-12-01T10:00:00+0000",
                "Still waiting for my refund, 3 weeks now",
            ),
            own,
        ])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("100_1/comments")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(page(vec![fb_comment(
                "1_c1",
                ANN_FB,
                "2026-12-01T10:01:00+0000",
                "The ring I ordered arrived broken and nobody answers my emails",
                None,
            )])),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p(&format!("{PAGE_ID}/tagged"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![fb_post(
            "888_9",
            ("888", "Cy Dee"),
            "2026-12-01T08:00:00+0000",
            "Birthday ring from Marlow & Finch",
        )])))
        .mount(&server)
        .await;
    server
}

/// The shop's account: Ann's complaint and Bo's compliment on its newest medium (context), Cy's medium tagging
/// it, and Di's under its hashtag. The same answers whatever the cursor.
async fn fake_instagram() -> MockServer {
    let server = MockServer::start().await;
    ig_basics(&server, SHOP_IG).await;
    let page = common::graph::page;
    Mock::given(method("GET"))
        .and(path(p(&format!("{IG_ID}/media"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![ig_media(
            "m1",
            SHOP_IG,
            "2026-12-01T09:00:00+0000",
            "Winter rings",
            2,
        )])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("m1/comments")))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![
            ig_comment(
                "c1",
                "Ann.Lee",
                "2026-12-01T10:00:00+0000",
                "My parcel never came and support ignores me",
                vec![],
            ),
            ig_comment(
                "c2",
                "bo.park",
                "2026-12-01T10:01:00+0000",
                "Gorgeous",
                vec![],
            ),
        ])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p(&format!("{IG_ID}/tags"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![ig_media(
            "t1",
            "cy",
            "2026-12-01T08:00:00+0000",
            "New ring from @marlowfinch",
            0,
        )])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("ig_hashtag_search")))
        .and(query_param("user_id", IG_ID))
        .and(query_param("q", "marlowfinch"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [{"id": "h1"}]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("h1/recent_media")))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![json!({
            "id": "hm1", "caption": "Sparkly night out #marlowfinch", "media_type": "IMAGE",
            "timestamp": "2026-12-01T07:00:00+0000", "permalink": "https://www.instagram.com/p/hm1/"
        })])))
        .mount(&server)
        .await;
    server
}

/// The shop's blog with one post (context) whose notes hold Bo's reply, Ann's blog with a complaint, Bo's empty
/// blog, and Zed's post under the shop's tag. The same answers whatever the cursor.
async fn fake_tumblr() -> MockServer {
    use common::tumblr::{KEY, T0, blog_posts, mount_blog, mount_quiet_shop, ok, post};
    let server = MockServer::start().await;
    mount_quiet_shop(&server).await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/blog/{SHOP_TUMBLR}/posts")))
        .and(query_param("api_key", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(blog_posts(
            SHOP_TUMBLR,
            vec![post(SHOP_TUMBLR, "500", T0 - 100, "New rings in store")],
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/blog/{SHOP_TUMBLR}/notes")))
        .and(query_param("id", "500"))
        .and(query_param("api_key", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok(json!({
            "notes": [
                {"type": "reply", "timestamp": T0 - 40, "blog_name": "bo-knits", "blog_uuid": "t:bo",
                 "reply_text": "my order never came and support ignores me"},
                {"type": "like", "timestamp": T0 - 50, "blog_name": "gus"}
            ],
            "rollup_notes": [], "total_notes": 2
        }))))
        .mount(&server)
        .await;
    mount_blog(
        &server,
        "alice-knits",
        blog_posts(
            "alice-knits",
            vec![post(
                "alice-knits",
                "601",
                T0 - 30,
                "my ring arrived bent and support ignores me",
            )],
        ),
    )
    .await;
    mount_blog(&server, "bo-knits", blog_posts("bo-knits", vec![])).await;
    let mut by_zed = post("zed", "701", T0 - 20, "Loving my Marlow & Finch band");
    by_zed["tags"] = json!(["marlowfinch"]);
    Mock::given(method("GET"))
        .and(path("/v2/tagged"))
        .and(query_param("tag", "marlowfinch"))
        .and(query_param("api_key", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok(json!([by_zed]))))
        .mount(&server)
        .await;
    server
}

/// The page's newest post (context) with Ann's comment, and Bo's post mentioning the page. Every mock insists
/// on the versioned-API headers; the same answers whatever the cursor.
async fn fake_linkedin() -> MockServer {
    use common::linkedin::{ORG, T0, comment, enc, get, list, mount_quiet, post};
    let server = MockServer::start().await;
    mount_quiet(&server).await;
    get("/rest/posts")
        .and(query_param("author", ORG))
        .and(query_param("q", "author"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(vec![post(
            SHARE,
            ORG,
            T0 - 60_000,
            "New rings in",
        )])))
        .mount(&server)
        .await;
    get(format!("/rest/socialActions/{}/comments", enc(SHARE)))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(vec![comment(
            SHARE,
            "11",
            "urn:li:person:Alice1",
            T0 - 30_000,
            "Lovely ring, thank you",
        )])))
        .mount(&server)
        .await;
    get("/rest/organizationalEntityNotifications")
        .and(query_param("q", "criteria"))
        .and(query_param("organizationalEntity", ORG))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(vec![json!({
            "action": "SHARE_MENTION", "generatedActivity": MENTION_SHARE, "organizationalEntity": ORG,
            "lastModifiedAt": T0 - 5_000, "sourcePost": MENTION_SHARE
        })])))
        .mount(&server)
        .await;
    get(format!("/rest/posts/{}", enc(MENTION_SHARE)))
        .respond_with(ResponseTemplate::new(200).set_body_json(post(
            MENTION_SHARE,
            "urn:li:person:Bob2",
            T0 - 5_000,
            "@[Marlow & Finch](urn:li:organization:42) my order never came and support ignores me",
        )))
        .mount(&server)
        .await;
    server
}

/// The shop's one location: Bo's one-star review with bland words, and Ann's five stars the shop already
/// answered on Google. The same answers whatever the cursor.
async fn fake_google() -> MockServer {
    use common::google::{mount_discovery, mount_reviews, review};
    let server = MockServer::start().await;
    mount_discovery(&server).await;
    let mut answered = review(
        "g1",
        "Ann Lee",
        "FIVE",
        "Lovely staff, beautiful rings",
        "2026-11-22T10:01:00Z",
    );
    answered["reviewReply"] =
        json!({"comment": "Thank you, Ann!", "updateTime": "2026-11-22T15:00:00Z"});
    mount_reviews(
        &server,
        &[
            review(
                "g2",
                "Bo Park",
                "ONE",
                "Visited on Saturday.",
                "2026-11-22T10:02:00Z",
            ),
            answered,
        ],
    )
    .await;
    server
}

fn jsonl_line(v: Value) -> String {
    format!("{v}\n")
}

/// A relay file: a complaint, a neutral post, and an export of Bo's X mention (the same post the X source
/// reads, which must be stored once).
fn write_jsonl(path: &Path) {
    let text = [
        json!({"id": "j-1", "author": "ann@reviews.example", "name": "Ann",
               "text": "Order #1042 still hasn't arrived after two weeks, really disappointed",
               "created_at": "2026-11-22T09:15:00Z", "addressed_to_shop": true}),
        json!({"id": "j-2", "author": "@dan", "text": "Picked up some flowers at the market today",
               "created_at": "2026-11-22T09:20:00Z"}),
        json!({"id": x_id(20, 0), "network": "x", "author": "bo_p",
               "text": "@shop still waiting for my refund, 3 weeks now", "created_at": "2026-12-01T10:00:20Z"}),
    ]
    .into_iter()
    .map(jsonl_line)
    .collect::<String>();
    std::fs::write(path, text).unwrap();
}

// ---- expectations ------------------------------------------------------------------------------------------

/// How a post is known: its exact native id, or (Google, whose ids end in a fingerprint of the words) the
/// start of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Exact(Network, String),
    Prefix(Network, String),
}

impl Key {
    fn matches(&self, network: Network, native_id: &str) -> bool {
        match self {
            Key::Exact(n, id) => *n == network && id == native_id,
            Key::Prefix(n, id) => *n == network && native_id.starts_with(id.as_str()),
        }
    }
}

struct Expected {
    key: Key,
    attention: bool,
    /// The customer's external id.
    customer: Option<&'static str>,
    mention: bool,
    by_shop: bool,
}

fn e(
    key: Key,
    attention: bool,
    customer: Option<&'static str>,
    mention: bool,
    by_shop: bool,
) -> Expected {
    Expected {
        key,
        attention,
        customer,
        mention,
        by_shop,
    }
}

fn exact(network: Network, id: &str) -> Key {
    Key::Exact(network, id.to_string())
}

/// What the first run delivers.
fn expected_first() -> Vec<Expected> {
    use Network::{Facebook, Google, Instagram, Jsonl, Linkedin, Tumblr, X};
    vec![
        e(exact(X, &x_id(20, 0)), true, Some("C2"), true, false),
        e(exact(X, &x_id(30, 0)), false, Some("C1"), false, false),
        e(exact(X, &x_id(40, 0)), false, None, true, false),
        e(exact(Facebook, "100_2"), true, Some("C2"), true, false),
        e(exact(Facebook, "1_c1"), true, Some("C1"), true, false),
        e(exact(Facebook, "100_1"), false, None, false, true),
        e(exact(Facebook, "888_9"), false, None, true, false),
        e(exact(Instagram, "m1"), false, None, false, true),
        e(exact(Instagram, "c1"), true, Some("C1"), true, false),
        e(exact(Instagram, "c2"), false, Some("C2"), true, false),
        e(exact(Instagram, "t1"), false, None, true, false),
        e(exact(Instagram, "hm1"), false, None, true, false),
        e(exact(Tumblr, "500"), false, None, false, true),
        e(exact(Tumblr, "601"), true, Some("C1"), false, false),
        e(exact(Tumblr, "701"), false, None, true, false),
        e(exact(Linkedin, SHARE), false, None, false, true),
        e(
            exact(Linkedin, MENTION_SHARE),
            true,
            Some("C2"),
            true,
            false,
        ),
        e(
            Key::Prefix(Google, format!("{REVIEWS}/g2#")),
            true,
            Some("C2"),
            true,
            false,
        ),
        e(
            Key::Prefix(Google, format!("{REVIEWS}/g1#")),
            false,
            Some("C1"),
            true,
            false,
        ),
        e(
            Key::Prefix(Google, format!("{REVIEWS}/g1/reply#")),
            false,
            None,
            false,
            true,
        ),
        e(exact(Jsonl, "j-1"), true, None, true, false),
        e(exact(Jsonl, "j-2"), false, None, false, false),
    ]
}

/// The comments and notes on the pages' own posts on LinkedIn and Tumblr: read in the same round as the posts
/// that carry them (the poller runs the queries a round's answers add), though the posts' pollers wait 60 s
/// between rounds.
fn expected_comments() -> Vec<Expected> {
    use common::tumblr::T0;
    vec![
        e(
            exact(Network::Tumblr, &format!("reply:500:bo-knits:{}", T0 - 40)),
            true,
            Some("C2"),
            true,
            false,
        ),
        e(
            exact(Network::Linkedin, &format!("urn:li:comment:({SHARE},11)")),
            false,
            Some("C1"),
            true,
            false,
        ),
    ]
}

/// A line appended to the file while the restarted app runs.
fn expected_appended() -> Expected {
    e(exact(Network::Jsonl, "j-3"), false, None, false, false)
}

// ---- running -----------------------------------------------------------------------------------------------

/// Every expected post was announced.
fn has(seen: &Seen, want: &[Expected]) -> bool {
    want.iter().all(|e| {
        seen.ingested
            .iter()
            .any(|p| e.key.matches(p.network, &p.native_id))
    })
}

/// Every source is past its first round: polling (the file: following).
fn settled(seen: &Seen) -> bool {
    SOURCES.iter().all(|s| {
        let want = if *s == "relay" {
            Health::Live
        } else {
            Health::Polling
        };
        seen.has_health(s, &want)
    })
}

/// Checks each expected post against what was announced (and so stored): once, triaged, matched, flagged.
fn check(
    posts: &[Post],
    want: &[Expected],
    customer_id: &dyn Fn(&str) -> regulars::domain::CustomerId,
) {
    for e in want {
        let rows: Vec<&Post> = posts
            .iter()
            .filter(|p| e.key.matches(p.network, &p.native_id))
            .collect();
        assert_eq!(rows.len(), 1, "{:?} stored {} times", e.key, rows.len());
        let p = rows[0];
        let what = format!("{} {} {:?}: {:?}", p.network, p.native_id, p.text, p.triage);
        assert_eq!(
            p.triage.category.needs_attention(),
            e.attention,
            "triage of {what}"
        );
        if e.attention {
            assert!(!p.triage.reasons.is_empty(), "reasons for {what}");
        }
        assert_eq!(
            p.customer,
            e.customer.map(customer_id),
            "customer of {what}"
        );
        assert_eq!(p.is_mention, e.mention, "mention flag of {what}");
        assert_eq!(p.by_shop, e.by_shop, "by the shop: {what}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_network_at_once_lands_in_the_store_once_triaged_and_matched() {
    let started = std::time::Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let fakes = Fakes::start().await;
    let jsonl = dir.path().join("relay.jsonl");
    write_jsonl(&jsonl);
    let config_path = write_config(dir.path(), &fakes, &jsonl);
    let settings = config::load(&config_path).unwrap_or_else(|e| panic!("{e}"));
    let ws = Workspace::open(settings, dir.path().join("regulars.db"), false)
        .await
        .unwrap();
    assert_eq!(ws.customers.len(), 3, "{:?}", ws.customers);
    let customer_id = |external: &str| {
        ws.customers
            .iter()
            .find(|c| c.external_id == external)
            .unwrap_or_else(|| panic!("customer {external} imported: {:?}", ws.customers))
            .id
    };
    let client = regulars::sources::http::client();

    // ---- first run: everything new ----
    let wiring =
        runtime::wire(&ws.settings, &ws.customers, &client).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(wiring.sources.len(), SOURCES.len());
    for n in [
        Network::X,
        Network::Facebook,
        Network::Instagram,
        Network::Linkedin,
        Network::Google,
    ] {
        assert!(wiring.repliers.contains_key(&n), "a replier for {n}");
    }
    assert!(
        !wiring.repliers.contains_key(&Network::Tumblr),
        "Tumblr replies are written by hand"
    );
    let (ui_tx, mut ui_rx) = mpsc::unbounded_channel();
    let running = runtime::start(&ws.store, wiring.sources, ws.ingest(), ui_tx).await;
    let want = expected_first();
    let mut seen = Seen::default();
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let all: Vec<Expected> = expected_first()
        .into_iter()
        .chain(expected_comments())
        .collect();
    seen.until(
        &mut ui_rx,
        "posts and comments from every source",
        deadline,
        |s| has(s, &all),
    )
    .await;
    seen.until(&mut ui_rx, "a settled first run", deadline, settled)
        .await;
    // The one-second pollers (X, Facebook, Instagram, Google) read once more, from their cursors.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    running.stop().await;
    while let Ok(msg) = ui_rx.try_recv() {
        seen.take(msg);
    }
    let first_run = started.elapsed();
    assert!(
        seen.problems().is_empty(),
        "first run problems: {:?}",
        seen.problems()
    );
    seen.assert_once("first run");
    let comments = expected_comments();
    assert_eq!(
        seen.ingested.len(),
        want.len() + comments.len(),
        "only the expected posts: {:?}",
        seen.keys()
    );
    check(&seen.ingested, &want, &customer_id);
    check(&seen.ingested, &comments, &customer_id);

    // ---- the store ----
    let (count, cursors) = ws
        .store
        .call(|db| {
            let cursors: HashMap<String, HashMap<String, String>> = SOURCES
                .into_iter()
                .map(|s| Ok((s.to_string(), db.cursors(s)?)))
                .collect::<Result<_, regulars::store::StoreError>>()?;
            Ok((db.post_count()?, cursors))
        })
        .await
        .unwrap();
    assert_eq!(
        count as usize,
        seen.ingested.len(),
        "stored: {:?}",
        seen.keys()
    );
    let by = |network: Network, native_id: &str| {
        seen.ingested
            .iter()
            .find(|p| p.network == network && p.native_id == native_id)
            .unwrap()
    };
    // A one-star review with bland words is a complaint, and keeps its stars.
    let one_star = seen
        .ingested
        .iter()
        .find(|p| p.native_id.starts_with(&format!("{REVIEWS}/g2#")))
        .unwrap();
    assert_eq!(one_star.rating, Some(1));
    assert_eq!(
        one_star.triage.category,
        regulars::triage::Category::Complaint,
        "{:?}",
        one_star.triage
    );
    assert_eq!(by(Network::X, &x_id(20, 0)).author.handle, "bo_p");
    assert_eq!(by(Network::Facebook, "1_c1").author.handle, "ann lee");
    assert_eq!(
        by(Network::Linkedin, MENTION_SHARE).author.handle,
        "urn:li:person:bob2"
    );
    let x = &cursors["x"];
    for (key, value) in [
        ("user-id:ann_lee", "7".to_string()),
        ("user-id:bo_p", "8".to_string()),
        ("mentions", x_id(20, 0)),
        ("user:7", x_id(30, 0)),
        ("search", x_id(40, 0)),
    ] {
        assert_eq!(x.get(key), Some(&value), "x cursor {key}: {x:?}");
    }
    assert!(
        cursors["facebook"].contains_key("comments:100_1"),
        "{:?}",
        cursors["facebook"]
    );
    assert_eq!(
        cursors["instagram"]
            .get("hashtag:marlowfinch")
            .map(String::as_str),
        Some("h1"),
        "{:?}",
        cursors["instagram"]
    );
    assert!(
        cursors["tumblr"]
            .get("watching")
            .is_some_and(|w| w.contains("\"500\"")),
        "{:?}",
        cursors["tumblr"]
    );
    assert!(
        cursors["linkedin"]
            .get("watching")
            .is_some_and(|w| w.contains(SHARE)),
        "{:?}",
        cursors["linkedin"]
    );
    assert!(
        cursors["google"]
            .contains_key(&format!("reviews:{}", REVIEWS.trim_end_matches("/reviews"))),
        "{:?}",
        cursors["google"]
    );
    assert!(
        cursors["relay"].contains_key(regulars::sources::jsonl::CURSOR_KEY),
        "{:?}",
        cursors["relay"]
    );
    let first_requests = fakes.requests().await;
    for (network, requests) in &first_requests {
        assert!(!requests.is_empty(), "{network} was read");
    }
    assert!(
        first_requests["x"]
            .iter()
            .any(|r| r.url.path().ends_with("/mentions")
                && query(r, "since_id").as_deref() == Some(x_id(20, 0).as_str())),
        "X polled again from its cursor during the first run"
    );

    // ---- restart: the same store, new sources from the config ----
    let wiring =
        runtime::wire(&ws.settings, &ws.customers, &client).unwrap_or_else(|e| panic!("{e}"));
    let (ui_tx, mut ui_rx) = mpsc::unbounded_channel();
    let running = runtime::start(&ws.store, wiring.sources, ws.ingest(), ui_tx).await;
    let mut again = Seen::default();
    let deadline = tokio::time::Instant::now() + DEADLINE;
    again
        .until(&mut ui_rx, "every source polling again", deadline, settled)
        .await;
    append(
        &jsonl,
        jsonl_line(json!({"id": "j-3", "author": "eve", "text": "Is the shop open on Sunday?"})),
    );
    let new_want = vec![expected_appended()];
    again
        .until(&mut ui_rx, "the appended line", deadline, |s| {
            has(s, &new_want)
        })
        .await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    running.stop().await;
    while let Ok(msg) = ui_rx.try_recv() {
        again.take(msg);
    }
    assert!(
        again.problems().is_empty(),
        "second run problems: {:?}",
        again.problems()
    );
    again.assert_once("restart");
    assert_eq!(
        again.ingested.len(),
        new_want.len(),
        "only the new posts are new: {:?}",
        again.keys()
    );
    check(&again.ingested, &new_want, &customer_id);
    let count_after = ws.store.call(|db| db.post_count()).await.unwrap();
    assert_eq!(
        count_after as usize,
        count as usize + new_want.len(),
        "nothing stored twice on restart"
    );

    // The restarted sources asked from their stored cursors.
    let after = fakes.requests().await;
    let restart = |network: &str| -> Vec<&Request> {
        after[network][first_requests[network].len()..]
            .iter()
            .collect()
    };
    let x = restart("x");
    assert!(
        x.iter().all(|r| r.url.path() != "/2/users/by"),
        "the user ids were kept"
    );
    for (p, cursor) in [
        (format!("/2/users/{SHOP_ID}/mentions"), x_id(20, 0)),
        ("/2/users/7/tweets".to_string(), x_id(30, 0)),
        ("/2/tweets/search/recent".to_string(), x_id(40, 0)),
    ] {
        let asked: Vec<Option<String>> = x
            .iter()
            .filter(|r| r.url.path() == p)
            .map(|r| query(r, "since_id"))
            .collect();
        assert!(
            !asked.is_empty() && asked.iter().all(|c| c.as_deref() == Some(cursor.as_str())),
            "{p}: {asked:?}"
        );
    }
    let fb_comments: Vec<Option<String>> = restart("facebook")
        .iter()
        .filter(|r| r.url.path() == p("100_1/comments"))
        .map(|r| query(r, "since"))
        .collect();
    assert!(
        !fb_comments.is_empty() && fb_comments.iter().all(Option::is_some),
        "Facebook comments read from their position: {fb_comments:?}"
    );
    let ig = restart("instagram");
    // The account is read once a run (it is the token's first check); the hashtag's id was kept.
    assert!(
        ig.iter().all(|r| r.url.path() != p("ig_hashtag_search")),
        "the hashtag id was kept"
    );
    assert!(
        ig.iter().any(|r| r.url.path() == p("h1/recent_media")),
        "the hashtag read with the kept id"
    );
    assert!(
        restart("tumblr")
            .iter()
            .any(|r| r.url.path().ends_with("/notes")),
        "Tumblr read the notes of the posts it watches (stored) in its first round"
    );
    assert!(
        restart("linkedin")
            .iter()
            .any(|r| r.url.path().contains("/rest/socialActions/")),
        "LinkedIn read the comments of the posts it watches (stored) in its first round"
    );
    eprintln!(
        "first run {first_run:?}, whole test {:?}",
        started.elapsed()
    );
}
