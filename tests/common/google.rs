//! A fake Google Business Profile: the accounts, locations and reviews APIs and the OAuth token endpoint on one
//! wiremock server, answering in Google's documented shapes.

use std::path::Path;
use std::sync::{Arc, Mutex};

use regulars::sources::google::GoogleConfig;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const ACCOUNT: &str = "accounts/111";
pub const PARENT: &str = "accounts/111/locations/222";
pub const MAPS: &str = "https://maps.google.com/maps?cid=4242";

/// A source's table pointing every API at `server`, with the access token in `token_file`.
pub fn config(server: &MockServer, token_file: &Path) -> GoogleConfig {
    GoogleConfig {
        token_env: None,
        token_file: Some(token_file.to_path_buf()),
        client_id: None,
        client_secret_env: None,
        client_secret_file: None,
        refresh_token_env: None,
        refresh_token_file: None,
        account: None,
        locations: Vec::new(),
        poll_seconds: 300,
        reviews_url: server.uri(),
        accounts_url: server.uri(),
        locations_url: server.uri(),
        token_url: format!("{}/token", server.uri()),
    }
}

/// A review of the shop's one location, as `reviews.list` returns it.
pub fn review(id: &str, reviewer: &str, stars: &str, comment: &str, updated: &str) -> Value {
    let mut r = json!({
        "name": format!("{PARENT}/reviews/{id}"),
        "reviewId": id,
        "reviewer": {"displayName": reviewer, "profilePhotoUrl": "https://lh3.example/p.jpg", "isAnonymous": false},
        "starRating": stars,
        "createTime": updated,
        "updateTime": updated,
    });
    if !comment.is_empty() {
        r["comment"] = json!(comment);
    }
    r
}

/// One page of reviews, with the location's totals.
pub fn page(reviews: &[Value], next: Option<&str>) -> Value {
    let mut p =
        json!({"reviews": reviews, "averageRating": 4.2, "totalReviewCount": reviews.len()});
    if let Some(t) = next {
        p["nextPageToken"] = json!(t);
    }
    p
}

/// Google's error body.
pub fn error(code: u16, status: &str, message: &str, details: Value) -> Value {
    json!({"error": {"code": code, "message": message, "status": status, "details": details}})
}

/// The account and its one location ("Marlow & Finch", with a Maps link).
pub async fn mount_discovery(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/v1/accounts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accounts": [{"name": ACCOUNT, "accountName": "Marlow & Finch", "type": "PERSONAL"}]
        })))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/{ACCOUNT}/locations")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "locations": [{"name": "locations/222", "title": "Marlow & Finch",
                "metadata": {"mapsUri": MAPS, "placeId": "ChIJ42"}}]
        })))
        .mount(server)
        .await;
}

/// The location's reviews, one page, answered to every request without a more specific mock.
pub async fn mount_reviews(server: &MockServer, reviews: &[Value]) {
    Mock::given(method("GET"))
        .and(path(format!("/v4/{PARENT}/reviews")))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(reviews, None)))
        .mount(server)
        .await;
}

/// A review whose reply lives on the fake: `PUT .../reply` sets (replaces) it, `GET` the review shows it.
#[derive(Clone, Default)]
pub struct ReplyFake {
    pub reply: Arc<Mutex<Option<String>>>,
    pub puts: Arc<Mutex<u32>>,
}

struct Put(ReplyFake);
struct Get(ReplyFake, Value);

impl Respond for Put {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let Some(comment) = body.get("comment").and_then(Value::as_str) else {
            return ResponseTemplate::new(400).set_body_json(error(
                400,
                "INVALID_ARGUMENT",
                "comment required",
                json!([]),
            ));
        };
        *self.0.reply.lock().unwrap() = Some(comment.to_string());
        *self.0.puts.lock().unwrap() += 1;
        ResponseTemplate::new(200)
            .set_body_json(json!({"comment": comment, "updateTime": "2026-11-22T12:00:00Z"}))
    }
}

impl Respond for Get {
    fn respond(&self, _req: &Request) -> ResponseTemplate {
        let mut r = self.1.clone();
        if let Some(c) = self.0.reply.lock().unwrap().clone() {
            r["reviewReply"] = json!({"comment": c, "updateTime": "2026-11-22T12:00:00Z"});
        }
        ResponseTemplate::new(200).set_body_json(r)
    }
}

impl ReplyFake {
    /// Mounts the reply endpoint and the review's GET for review `id` (shown as `review`).
    pub async fn mount(&self, server: &MockServer, id: &str, review: Value) {
        Mock::given(method("PUT"))
            .and(path(format!("/v4/{PARENT}/reviews/{id}/reply")))
            .respond_with(Put(self.clone()))
            .mount(server)
            .await;
        Mock::given(method("GET"))
            .and(path_regex(format!("^/v4/{PARENT}/reviews/{id}$")))
            .respond_with(Get(self.clone(), review))
            .mount(server)
            .await;
    }
}
