//! Replying as the Facebook page against a fake Graph API: where each reply goes, and an unconfirmed reply
//! found (never posted twice) by looking among the target's comments.

mod common;

use common::graph::{
    PAGE_ID, PAGE_NAME, TOKEN_FILE, error, fast, fb_comment, fb_config, fb_post, p, page,
};
use regulars::domain::Post;
use regulars::sources::facebook::{FacebookReplier, map};
use regulars::sources::{Replier, ReplyRequest, Resolution, SendError};
use serde_json::json;
use wiremock::matchers::{body_string_contains, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn replier(server: &MockServer) -> FacebookReplier {
    FacebookReplier::new(
        "fb",
        &fb_config(server),
        Some(PAGE_NAME.into()),
        regulars::sources::http::client(),
    )
    .unwrap()
    .with_options(&fast())
}

fn request(post: Post, text: &str) -> ReplyRequest {
    ReplyRequest {
        post,
        text: text.into(),
        idempotency_key: "k1".into(),
    }
}

/// Bo's reply in Ann's thread under the page's post.
fn reply_in_thread() -> Post {
    let c = fb_comment(
        "1_c2",
        ("556", "Bo Park"),
        "2026-12-01T10:03:00+0000",
        "Mine broke too",
        Some("1_c1"),
    );
    common::graph::stored(&map::comment(&c, "100_1").unwrap())
}

#[tokio::test]
async fn a_reply_to_a_reply_goes_to_the_top_of_its_thread() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(p("1_c1/comments")))
        .and(body_string_contains("message=Sorry+Bo"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1_c9"})))
        .expect(1)
        .mount(&server)
        .await;
    let r = replier(&server);
    let prepared = r.prepare(&reply_in_thread(), " Sorry Bo, we'll fix it ");
    assert_eq!(prepared.text, "Sorry Bo, we'll fix it");
    assert_eq!(prepared.account, format!("the page {PAGE_NAME}"));
    let caution = prepared.caution.unwrap_or_default();
    assert!(caution.contains("one level deep"), "{caution}");
    let sent = r
        .send(request(reply_in_thread(), "Sorry Bo, we'll fix it"))
        .await
        .unwrap();
    assert_eq!(sent.remote_id.as_deref(), Some("1_c9"));
    assert_eq!(sent.url.as_deref(), Some("https://www.facebook.com/1_c9"));
    assert_eq!(sent.text, "Sorry Bo, we'll fix it");
}

#[tokio::test]
async fn a_visitor_post_gets_a_comment_and_a_storyless_rating_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(p("100_2/comments")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "100_2_77"})))
        .expect(1)
        .mount(&server)
        .await;
    let visitor = map::post(
        &fb_post(
            "100_2",
            ("555", "Ann Lee"),
            "2026-12-01T10:00:00+0000",
            "Where is my order?",
        ),
        true,
        false,
    )
    .unwrap();
    let r = replier(&server);
    let sent = r
        .send(request(common::graph::stored(&visitor), "On its way!"))
        .await
        .unwrap();
    assert_eq!(sent.remote_id.as_deref(), Some("100_2_77"));
    let rating = map::rating(
        &json!({"created_time": "2026-12-01T07:00:00+0000", "recommendation_type": "negative"}),
        PAGE_NAME,
    )
    .unwrap();
    match r
        .send(request(common::graph::stored(&rating), "Sorry"))
        .await
    {
        Err(SendError::NotPosted(why)) => assert!(why.contains("on the page"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_unconfirmed_reply_is_found_among_the_threads_comments_not_posted_again() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(p("1_c1/comments")))
        .respond_with(ResponseTemplate::new(500).set_body_json(error(
            2,
            None,
            "Service temporarily unavailable",
        )))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p("1_c1/comments")))
        .and(query_param("filter", "toplevel"))
        .and(query_param("order", "reverse_chronological"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![
            fb_comment(
                "1_c10",
                ("556", "Bo Park"),
                "2026-12-01T10:09:00+0000",
                "thanks?",
                None,
            ),
            fb_comment(
                "1_c9",
                (PAGE_ID, PAGE_NAME),
                "2026-12-01T10:08:00+0000",
                "Sorry Bo",
                None,
            ),
            fb_comment(
                "1_c8",
                (PAGE_ID, PAGE_NAME),
                "2026-12-01T09:00:00+0000",
                "An earlier answer",
                None,
            ),
        ])))
        .mount(&server)
        .await;
    let r = replier(&server);
    match r.send(request(reply_in_thread(), "Sorry Bo")).await {
        Err(SendError::Unconfirmed(why)) => assert!(why.contains("locked"), "{why}"),
        other => panic!("{other:?}"),
    }
    match r
        .resolve(request(reply_in_thread(), "Sorry Bo"), vec!["1_c8".into()])
        .await
    {
        Resolution::Posted(sent) => {
            assert_eq!(sent.remote_id.as_deref(), Some("1_c9"));
            assert_eq!(sent.text, "Sorry Bo");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        r.resolve(
            request(reply_in_thread(), "Sorry Bo"),
            vec!["1_c8".into(), "1_c9".into()]
        )
        .await,
        Resolution::NotPosted
    );
}

#[tokio::test]
async fn a_refused_token_is_not_posted_with_the_fix() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(p("1_c1/comments")))
        .respond_with(ResponseTemplate::new(400).set_body_json(error(
            190,
            Some(460),
            "The session has been invalidated because the user changed their password",
        )))
        .mount(&server)
        .await;
    match replier(&server)
        .send(request(reply_in_thread(), "hi"))
        .await
    {
        Err(SendError::NotPosted(why)) => {
            assert!(
                why.contains("password") && why.contains(TOKEN_FILE),
                "{why}"
            );
            assert!(why.contains("pages_manage_engagement"), "{why}");
        }
        other => panic!("{other:?}"),
    }
}
