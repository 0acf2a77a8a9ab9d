use chrono::Duration;

use super::PostWindow;
use super::fixture::{now, post};
use crate::domain::PostId;

#[test]
fn a_reply_of_the_shops_answers_the_post_in_the_window() {
    let mut window = PostWindow::default();
    window.insert([post(
        1,
        "ann@example.social",
        None,
        true,
        60,
        "still waiting",
    )]);
    let mut reply = post(
        2,
        "shop@example.social",
        None,
        false,
        20,
        "so sorry, it ships today",
    );
    reply.in_reply_to = Some("n1".into());
    reply.by_shop = true;
    let mut not_shop = post(3, "bob@example.social", None, false, 10, "me too");
    not_shop.in_reply_to = Some("n1".into());
    window.insert([not_shop]);
    assert_eq!(window.get(PostId(1)).unwrap().first_response_at, None);
    window.insert([reply]);
    assert_eq!(
        window.get(PostId(1)).unwrap().first_response_at,
        Some(now() - Duration::minutes(20))
    );
}
