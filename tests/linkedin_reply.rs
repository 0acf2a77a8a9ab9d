//! Replying on LinkedIn as the page: comments through `POST /rest/socialActions/{urn}/comments` against a fake
//! that checks the versioned headers and the documented body (`actor`, `object`, `message.text`,
//! `parentComment`); with no idempotency key, an unconfirmed send is resolved by reading the comments.

mod common;

use std::time::Duration;

use chrono::Utc;
use common::linkedin::{ORG, TOKEN, VERSION, comment, enc, get, list, source};
use regulars::domain::{Author, Network, Post, PostId, Triage};
use regulars::sources::{Replier, ReplyRequest, Resolution, SendError};
use regulars::triage::Category;
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SHARE: &str = "urn:li:share:1";

fn post(native_id: &str, reply_ref: Value) -> Post {
    Post {
        id: PostId(1),
        network: Network::Linkedin,
        native_id: native_id.into(),
        url: None,
        author: Author {
            handle: "urn:li:person:alice1".into(),
            display_name: "member Alice1".into(),
        },
        text: "my ring arrived bent".into(),
        created_at: Utc::now(),
        ingested_at: Utc::now(),
        in_reply_to: None,
        reply_ref: Some(reply_ref),
        customer: None,
        is_mention: true,
        by_shop: false,
        triage: Triage {
            category: Category::Complaint,
            score: 0.9,
            reasons: vec![],
        },
        handled_at: None,
        dismissed_at: None,
        first_response_at: None,
        read_at: None,
        context: false,
        quotes: None,
        rating: None,
    }
}

fn request(post: Post, text: &str) -> ReplyRequest {
    ReplyRequest {
        post,
        text: text.into(),
        idempotency_key: "draft-1".into(),
    }
}

/// A reply under the comment `urn:li:comment:(SHARE,11)`, written to its nested reply 13.
fn nested_comment() -> Post {
    let top = format!("urn:li:comment:({SHARE},11)");
    post(
        &format!("urn:li:comment:({SHARE},13)"),
        json!({"object": SHARE, "comment": format!("urn:li:comment:({SHARE},13)"), "parent": top}),
    )
}

fn post_comment(p: &str) -> wiremock::MockBuilder {
    Mock::given(method("POST"))
        .and(path(p.to_string()))
        .and(header("linkedin-version", VERSION))
        .and(header("x-restli-protocol-version", "2.0.0"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
}

#[tokio::test]
async fn a_reply_to_a_reply_goes_under_the_top_comment_with_parent_comment() {
    let server = MockServer::start().await;
    let top = format!("urn:li:comment:({SHARE},11)");
    post_comment(&format!("/rest/socialActions/{}/comments", enc(&top)))
        .and(body_partial_json(json!({
            "actor": ORG, "object": SHARE,
            "message": {"text": "So sorry, Alice: we'll replace it"},
            "parentComment": top
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(comment(
            SHARE,
            "20",
            ORG,
            1_795_341_900_000,
            "So sorry, Alice: we'll replace it",
        )))
        .expect(1)
        .mount(&server)
        .await;
    let replier = source(&server).replier();
    assert_eq!(replier.account(), format!("the LinkedIn page {ORG}"));
    let sent = replier
        .send(request(
            nested_comment(),
            "So sorry, Alice: we'll replace it",
        ))
        .await
        .unwrap();
    assert_eq!(
        sent.remote_id.as_deref(),
        Some("urn:li:comment:(urn:li:share:1,20)")
    );
    assert_eq!(sent.text, "So sorry, Alice: we'll replace it");
    assert!(
        sent.url
            .unwrap()
            .contains("commentUrn=urn%3Ali%3Acomment%3A%28urn%3Ali%3Ashare%3A1%2C20%29")
    );
}

#[tokio::test]
async fn a_reply_to_a_mention_comments_on_the_post_itself() {
    let server = MockServer::start().await;
    post_comment(&format!(
        "/rest/socialActions/{}/comments",
        enc("urn:li:share:99")
    ))
    .and(body_partial_json(
        json!({"actor": ORG, "object": "urn:li:share:99",
            "message": {"text": "Thank you!"}}),
    ))
    .respond_with(ResponseTemplate::new(201).insert_header("x-restli-id", "77"))
    .mount(&server)
    .await;
    let mention = post("urn:li:share:99", json!({"object": "urn:li:share:99"}));
    let sent = source(&server)
        .replier()
        .send(request(mention, "Thank you!"))
        .await
        .unwrap();
    assert_eq!(
        sent.remote_id.as_deref(),
        Some("urn:li:comment:(urn:li:share:99,77)"),
        "from the x-restli-id header when the body is empty"
    );
    let body: Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert!(body.get("parentComment").is_none(), "{body}");
}

#[tokio::test]
async fn an_unconfirmed_send_is_resolved_by_reading_the_comments_never_by_posting_again() {
    let server = MockServer::start().await;
    let top = format!("urn:li:comment:({SHARE},11)");
    let comments = format!("/rest/socialActions/{}/comments", enc(&top));
    post_comment(&comments)
        .respond_with(ResponseTemplate::new(201).set_delay(Duration::from_secs(3)))
        .expect(1)
        .mount(&server)
        .await;
    let replier = source(&server)
        .replier()
        .with_timeout(Duration::from_millis(200));
    let req = request(nested_comment(), "We'll replace it");
    match replier.send(req.clone()).await {
        Err(SendError::Unconfirmed(why)) => assert!(why.contains("not confirmed"), "{why}"),
        other => panic!("{other:?}"),
    }
    // The page's comment is there after all.
    get(comments.clone())
        .respond_with(ResponseTemplate::new(200).set_body_json(list(vec![
            comment(SHARE, "13", "urn:li:person:bob", 1, "same here"),
            comment(SHARE, "21", ORG, 2, "We'll replace it"),
        ])))
        .mount(&server)
        .await;
    match replier.resolve(req.clone(), vec![]).await {
        Resolution::Posted(sent) => {
            assert_eq!(
                sent.remote_id.as_deref(),
                Some("urn:li:comment:(urn:li:share:1,21)")
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        replier
            .resolve(req, vec!["urn:li:comment:(urn:li:share:1,21)".into()])
            .await,
        Resolution::NotPosted,
        "a comment already recorded is not this one"
    );
}

#[tokio::test]
async fn refusals_are_not_posted_and_name_the_fix() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "status": 403, "code": "ACCESS_DENIED",
            "message": "Not enough permissions to access: socialActions.comments.CREATE"})))
        .mount(&server)
        .await;
    let mention = post("urn:li:share:99", json!({"object": "urn:li:share:99"}));
    match source(&server).replier().send(request(mention, "hi")).await {
        Err(SendError::NotPosted(why)) => assert!(
            why.contains("Community Management API") && why.contains("w_organization_social"),
            "{why}"
        ),
        other => panic!("{other:?}"),
    }
}
