//! Mastodon's read position (`/api/v1/markers`) synced after a check-in, against a fake server: moved forward
//! only, never back; a refusal is an error naming the endpoint.

mod common;

use common::files::write_private;
use regulars::sources::mastodon::MastodonConfig;
use regulars::sources::mastodon::markers::{Markers, ReadPosition};
use serde_json::json;
use wiremock::matchers::{body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "markers-SECRET-tok";

fn markers(server: &MockServer, dir: &tempfile::TempDir) -> Markers {
    let token = dir.path().join("token");
    write_private(&token, TOKEN);
    let cfg = MastodonConfig {
        instance: server.uri(),
        token_env: None,
        token_file: Some(token),
        poll_seconds: 60,
        stream: false,
        keyword_search: false,
    };
    Markers::new("masto", &cfg, regulars::sources::http::client()).unwrap()
}

fn marker(id: &str) -> serde_json::Value {
    json!({"notifications": {"last_read_id": id, "version": 3, "updated_at": "2026-11-22T09:00:00.000Z"}})
}

async fn get_answers(server: &MockServer, body: serde_json::Value) {
    Mock::given(method("GET"))
        .and(path("/api/v1/markers"))
        .and(query_param("timeline[]", "notifications"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_position_behind_is_moved_forward() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    get_answers(&server, marker("99")).await;
    Mock::given(method("POST"))
        .and(path("/api/v1/markers"))
        .and(body_string("notifications%5Blast_read_id%5D=1000"))
        .respond_with(ResponseTemplate::new(200).set_body_json(marker("1000")))
        .expect(1)
        .mount(&server)
        .await;
    let synced = markers(&server, &dir).sync("1000").await.unwrap();
    assert_eq!(
        synced,
        ReadPosition {
            last_read_id: "1000".into(),
            moved: true
        },
        "1000 is newer than 99 (ids compare as numbers)"
    );
}

#[tokio::test]
async fn a_position_ahead_or_equal_is_left_alone_and_none_yet_is_set() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    get_answers(&server, marker("2000")).await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let synced = markers(&server, &dir).sync("1000").await.unwrap();
    assert_eq!(
        synced,
        ReadPosition {
            last_read_id: "2000".into(),
            moved: false
        }
    );
    drop(server);

    let server = MockServer::start().await;
    get_answers(&server, json!({})).await;
    Mock::given(method("POST"))
        .and(path("/api/v1/markers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(marker("7")))
        .expect(1)
        .mount(&server)
        .await;
    assert!(markers(&server, &dir).sync("7").await.unwrap().moved);
}

#[tokio::test]
async fn a_refusal_or_a_malformed_answer_is_an_error_naming_the_endpoint() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": "The access token is invalid"})),
        )
        .mount(&server)
        .await;
    let err = markers(&server, &dir).sync("5").await.unwrap_err();
    assert!(err.contains("/api/v1/markers"), "{err}");
    assert!(!err.contains(TOKEN), "{err}");
    drop(server);

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"))
        .mount(&server)
        .await;
    let err = markers(&server, &dir).sync("5").await.unwrap_err();
    assert!(err.contains("/api/v1/markers"), "{err}");
}
