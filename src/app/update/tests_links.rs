//! `o` and `y` hand the selected post's address out, and the composer warns before a send what the network
//! wants known (a caution from the replier).

use std::sync::Arc;

use super::*;
use crate::app::Copied;
use crate::domain::{Network, Post};
use crate::sources::{Prepared, Replier, ReplyFuture, ReplyRequest, Resolution, ResolveFuture};
use crate::state::fixture;

fn cmd(state: &mut AppState, c: Command) -> Vec<Effect> {
    super::update(state, Msg::Command(c))
        .into_iter()
        .filter(|e| !matches!(e, Effect::Load(_)))
        .collect()
}

#[test]
fn o_opens_and_y_copies_the_selected_posts_address_and_the_outcome_is_said() {
    let mut s = fixture::workspace();
    s.focus = Pane::Mentions;
    let url = s.current_post().unwrap().url.clone().unwrap();
    assert_eq!(
        cmd(&mut s, Command::OpenLink),
        vec![Effect::OpenLink(url.clone())]
    );
    assert_eq!(
        cmd(&mut s, Command::CopyLink),
        vec![Effect::Copy {
            text: url.clone(),
            what: Copied::Link
        }]
    );
    update(
        &mut s,
        Msg::Copied {
            what: Copied::Link,
            error: None,
        },
    );
    assert_eq!(s.flash.as_ref().unwrap().0, "link copied");
    let no_clipboard = "could not copy: no clipboard here".to_string();
    update(
        &mut s,
        Msg::Copied {
            what: Copied::Link,
            error: Some(no_clipboard.clone()),
        },
    );
    assert_eq!(s.flash.as_ref().unwrap().0, no_clipboard);
    update(&mut s, Msg::Opened { url, error: None });
    assert!(
        s.flash
            .as_ref()
            .unwrap()
            .0
            .starts_with("opened in the browser: https://")
    );
}

#[test]
fn a_post_without_a_web_address_is_not_handed_out() {
    let mut s = fixture::workspace();
    s.focus = Pane::Mentions;
    let id = s.current_post_id().unwrap();
    s.posts.get_mut(id).unwrap().url = Some("file:///home/shop/.ssh/id_ed25519".into());
    assert_eq!(cmd(&mut s, Command::OpenLink), vec![]);
    assert!(s.flash.as_ref().unwrap().0.starts_with("not a web address"));
    s.posts.get_mut(id).unwrap().url = None;
    assert_eq!(cmd(&mut s, Command::CopyLink), vec![]);
    assert!(
        s.flash
            .as_ref()
            .unwrap()
            .0
            .ends_with("post has no web address")
    );
}

/// A replier that, like X's for self-serve apps, warns about some posts before sending.
struct Cautious;

impl Replier for Cautious {
    fn account(&self) -> String {
        "@shop".into()
    }
    fn prepare(&self, post: &Post, text: &str) -> Prepared {
        Prepared {
            text: text.into(),
            visibility: "public",
            account: self.account(),
            caution: (!post.text.contains("@shop")).then(|| {
                "this post does not mention the shop: the network may refuse the reply".into()
            }),
        }
    }
    fn send(&self, _: ReplyRequest) -> ReplyFuture<'_> {
        unreachable!("nothing is sent in these tests")
    }
    fn resolve(&self, _: ReplyRequest, _: Vec<String>) -> ResolveFuture<'_> {
        Box::pin(async { Resolution::NotPosted })
    }
}

#[test]
fn the_composer_and_the_confirmation_say_the_repliers_caution_before_sending() {
    let mut s = fixture::workspace();
    s.preparers = crate::state::Preparers::new(
        [(Network::Mastodon, Arc::new(Cautious) as Arc<dyn Replier>)].into(),
    );
    s.focus = Pane::Mentions;
    cmd(&mut s, Command::Reply);
    let caution = "this post does not mention the shop: the network may refuse the reply";
    assert_eq!(
        s.composer.as_ref().unwrap().notice.as_deref(),
        Some(caution)
    );
    update(&mut s, Msg::Paste("Hi Tom, so sorry".into()));
    cmd(&mut s, Command::SendReply);
    match &s.popup {
        Some(Popup::ConfirmSend {
            prepared: Some(p), ..
        }) => assert_eq!(p.caution.as_deref(), Some(caution)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_reply_to_a_network_without_a_reply_api_is_copied_and_the_post_opened_never_sent() {
    let mut desk = fixture::desk();
    let mut post = fixture::post(7, "ann-makes", None, true, 5, "where is my order?");
    post.network = Network::Tumblr;
    post.url = Some("https://ann-makes.tumblr.com/post/123".into());
    desk.add(vec![post]);
    desk.select(Pane::Mentions, crate::domain::PostId(7));
    let s = &mut desk.state;
    cmd(s, Command::Reply);
    let notice = s.composer.as_ref().unwrap().notice.clone().unwrap();
    assert!(
        notice.starts_with("Tumblr's API cannot post replies: Ctrl-s copies your reply"),
        "{notice}"
    );
    update(s, Msg::Paste("Hi Ann, so sorry: let me look.".into()));
    cmd(s, Command::SendReply);
    assert!(matches!(
        s.popup,
        Some(Popup::ConfirmSend { prepared: None, .. })
    ));
    let effects = cmd(s, Command::Confirm);
    assert!(matches!(effects[0], Effect::SaveDraft(_)), "{effects:?}");
    assert_eq!(
        effects[1..],
        [
            Effect::OpenLink("https://ann-makes.tumblr.com/post/123".into()),
            Effect::Copy {
                text: "Hi Ann, so sorry: let me look.".into(),
                what: Copied::Reply
            },
        ]
    );
    assert!(
        !s.composer.as_ref().unwrap().sending,
        "nothing is in flight"
    );
    update(
        s,
        Msg::Copied {
            what: Copied::Reply,
            error: None,
        },
    );
    assert_eq!(
        s.flash.as_ref().unwrap().0,
        "reply copied: paste it on tumblr in the browser, then log it with a"
    );
}
