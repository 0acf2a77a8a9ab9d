use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::domain::{Action, ActionKind, DraftState, Network, PostId, Reply};
use crate::sources::Health;
use crate::state::fixture::{self, now};
use crate::state::popup::ActionForm;

/// `update` with the reads it asks for left out: these tests are about the work (`lists_tests` covers reads).
fn update(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    super::update(state, msg)
        .into_iter()
        .filter(|e| !matches!(e, Effect::Load(_)))
        .collect()
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn cmd(state: &mut AppState, c: Command) -> Vec<Effect> {
    update(state, Msg::Command(c))
}

fn action(id: i64, post: i64, kind: ActionKind) -> Action {
    Action {
        id,
        post: Some(PostId(post)),
        customer: None,
        kind,
        note: "n".into(),
        at: now(),
        url: None,
        staff: "ana".into(),
    }
}

#[test]
fn attention_puts_distress_and_valuable_customers_first() {
    let s = fixture::workspace();
    let rows: Vec<i64> = s.rows(Pane::Attention).iter().map(|p| p.id.0).collect();
    assert_eq!(
        rows.first(),
        Some(&2),
        "stranded top customer first: {rows:?}"
    );
    assert!(rows.contains(&1));
    assert!(!rows.contains(&3) && !rows.contains(&5));
}

#[test]
fn moving_selects_by_id() {
    let mut s = fixture::workspace();
    s.focus = Pane::Regulars;
    let first = s.current_post_id().unwrap();
    cmd(&mut s, Command::NextPost);
    let second = s.current_post_id().unwrap();
    assert_ne!(first, second);
    cmd(&mut s, Command::LastPost);
    cmd(&mut s, Command::FirstPost);
    assert_eq!(s.current_post_id(), Some(first));
    // A new post arriving on top does not move the selection.
    cmd(&mut s, Command::NextPost);
    update(
        &mut s,
        Msg::Ingested {
            source: "demo".into(),
            posts: vec![fixture::post(
                9,
                "tom@mastodon.social",
                Some(2),
                false,
                0,
                "hello",
            )],
        },
    );
    assert_eq!(s.current_post_id(), Some(second));
}

#[test]
fn panes_cycle_and_detail_opens_and_scrolls() {
    let mut s = fixture::workspace();
    cmd(&mut s, Command::NextPane);
    assert_eq!(s.focus, Pane::Log);
    cmd(&mut s, Command::PrevPane);
    cmd(&mut s, Command::OpenDetail);
    assert!(s.detail_focused);
    cmd(&mut s, Command::NextPost);
    assert_eq!(s.detail_scroll, 1, "j scrolls Detail while it has the keys");
    cmd(&mut s, Command::ScrollDetailDown);
    assert_eq!(s.detail_scroll, 4);
    cmd(&mut s, Command::Close);
    assert!(!s.detail_focused);
}

#[test]
fn filter_typed_live_then_applied_and_cleared() {
    let mut desk = fixture::desk();
    desk.state.focus = Pane::Regulars;
    desk.send(Msg::Command(Command::Filter));
    for c in "cat:distress".chars() {
        desk.send(key(c));
    }
    desk.settle();
    assert_eq!(desk.state.rows(Pane::Regulars).len(), 1);
    assert_eq!(desk.state.list(Pane::Regulars).unwrap().window.total, 1);
    desk.send(code(KeyCode::Enter));
    assert!(desk.state.filter.editing.is_none());
    assert_eq!(desk.state.filter.query, "cat:distress");
    desk.send(Msg::Command(Command::Close));
    assert!(desk.state.filter.query.is_empty());
    desk.settle();
    assert_eq!(desk.state.rows(Pane::Regulars).len(), 3);
    desk.send(Msg::Command(Command::Filter));
    desk.send(Msg::Paste("priya".into()));
    desk.send(code(KeyCode::Enter));
    desk.settle();
    assert_eq!(desk.state.rows(Pane::Regulars).len(), 1);
    // A date that does not parse says how, and leaves the lists as they were.
    desk.send(Msg::Command(Command::Filter));
    desk.send(Msg::Paste(" since:soon".into()));
    desk.send(code(KeyCode::Enter));
    let flash = desk.state.flash.clone().unwrap().0;
    assert!(flash.contains("wants a date like"), "{flash}");
    assert_eq!(desk.state.rows(Pane::Regulars).len(), 1);
    desk.send(Msg::Command(Command::ClearFilter));
    assert!(desk.state.filter.query.is_empty());
}

/// Typing without a pause is saved too, at most `DRAFT_SAVE_MAX_MS` after the first unsaved key: a crash never
/// takes more than the last second of a fast typist's reply.
#[test]
fn typing_without_a_pause_is_saved_within_the_second() {
    let mut s = fixture::workspace();
    s.focus = Pane::Mentions;
    cmd(&mut s, Command::Reply);
    let mut saved_at = Vec::new();
    // A key every 100 ms for three seconds, the clock ticking between keys as the loop does.
    for i in 0..30i64 {
        let t = now() + Duration::milliseconds(100 * i);
        let mut effects = update(&mut s, Msg::Tick(t));
        assert!(update(&mut s, key('a')).is_empty(), "a key never saves");
        effects.extend(update(&mut s, Msg::Tick(t + Duration::milliseconds(50))));
        for effect in effects {
            if let Effect::SaveDraft(d) = effect {
                saved_at.push((i, d.text.len() as i64));
            }
        }
    }
    assert!(saved_at.len() >= 3, "{saved_at:?}");
    let mut last = 0;
    for (i, len) in &saved_at {
        assert!(*len >= *i, "everything typed so far: {saved_at:?}");
        assert!(i - last <= 8, "at most 0.8 s between saves: {saved_at:?}");
        last = *i;
    }
}

#[test]
fn reply_autosaves_after_a_pause_and_keeps_the_draft_on_close() {
    let mut s = fixture::workspace();
    s.focus = Pane::Mentions; // newest mention first: Tom's post (2)
    cmd(&mut s, Command::Reply);
    let post = s.composer.as_ref().unwrap().post;
    assert_eq!(post, PostId(2));
    for c in "Hi Tom".chars() {
        assert!(update(&mut s, key(c)).is_empty());
    }
    assert!(
        update(&mut s, Msg::Tick(now() + Duration::milliseconds(100))).is_empty(),
        "still typing"
    );
    let effects = update(&mut s, Msg::Tick(now() + Duration::milliseconds(600)));
    match effects.as_slice() {
        [Effect::SaveDraft(d)] => assert_eq!(d.text, "Hi Tom"),
        other => panic!("{other:?}"),
    }
    update(&mut s, Msg::Paste(", so sorry".into()));
    let effects = cmd(&mut s, Command::CloseComposer);
    assert!(matches!(effects.as_slice(), [Effect::SaveDraft(d)] if d.text == "Hi Tom, so sorry"));
    assert!(s.composer.is_none());
    // Reopening restores text and the idempotency key.
    let key_before = s.drafts[&post].idempotency_key.clone();
    cmd(&mut s, Command::Reply);
    let c = s.composer.as_ref().unwrap();
    assert_eq!(c.text(), "Hi Tom, so sorry");
    assert_eq!(c.idempotency_key, key_before);
    assert!(!c.hints.is_empty() || c.text().contains("Tom"));
}

#[test]
fn send_asks_for_confirmation_then_sends_and_applies_the_result() {
    let mut s = fixture::workspace();
    s.focus = Pane::Mentions;
    cmd(&mut s, Command::Reply);
    assert!(cmd(&mut s, Command::SendReply).is_empty());
    assert!(s.popup.is_none(), "nothing to send yet");
    update(
        &mut s,
        Msg::Paste("Hi Tom, we're on it: DM us your hotel and we'll courier a ring today.".into()),
    );
    cmd(&mut s, Command::SendReply);
    assert!(matches!(s.popup, Some(Popup::ConfirmSend { .. })));
    update(&mut s, key('n'));
    assert!(s.popup.is_none() && !s.composer.as_ref().unwrap().sending);
    cmd(&mut s, Command::SendReply);
    let effects = update(&mut s, key('y'));
    let key = match &effects[..] {
        [
            Effect::SaveDraft(_),
            Effect::SendReply {
                post,
                idempotency_key,
                ..
            },
        ] => {
            assert_eq!(post.id, PostId(2));
            idempotency_key.clone()
        }
        other => panic!("{other:?}"),
    };
    assert!(s.composer.as_ref().unwrap().sending);
    // A failure keeps the draft with the reason.
    let effects = update(
        &mut s,
        Msg::ReplyFailed {
            post: PostId(2),
            reason: "timed out".into(),
        },
    );
    assert!(
        matches!(&effects[..], [Effect::SaveDraft(d)] if d.state == DraftState::Failed("timed out".into()) && d.idempotency_key == key)
    );
    assert!(!s.composer.as_ref().unwrap().sending);
    // Success closes the composer, logs, and marks the post handled.
    let reply = Reply {
        post: PostId(2),
        network: Network::Mastodon,
        text: "Hi".into(),
        sent_at: now(),
        url: None,
        remote_id: None,
        idempotency_key: Some(key.clone()),
        staff: "ana".into(),
    };
    update(
        &mut s,
        Msg::ReplySent {
            reply,
            action: action(7, 2, ActionKind::Replied),
        },
    );
    assert!(s.composer.is_none() && !s.drafts.contains_key(&PostId(2)));
    let post = s.posts.get(PostId(2)).unwrap();
    assert!(post.handled_at.is_some() && post.first_response_at.is_some());
    assert_eq!(s.log.window.rows[0].id, 7);
    assert_eq!(s.replies[&PostId(2)].len(), 1);
}

#[test]
fn over_limit_reply_is_not_sent() {
    let mut s = fixture::workspace();
    cmd(&mut s, Command::Reply);
    update(&mut s, Msg::Paste("x".repeat(501)));
    cmd(&mut s, Command::SendReply);
    assert!(s.popup.is_none());
    assert!(s.flash.as_ref().unwrap().0.contains("501/500"));
}

#[test]
fn action_form_logs_the_chosen_kind_with_a_note() {
    let mut s = fixture::workspace();
    cmd(&mut s, Command::LogAction);
    assert!(matches!(
        s.popup,
        Some(Popup::Action(ActionForm { kind: 0, .. }))
    ));
    update(&mut s, code(KeyCode::Down));
    for c in "earrings".chars() {
        update(&mut s, key(c));
    }
    let effects = update(&mut s, code(KeyCode::Enter));
    match &effects[..] {
        [Effect::LogAction(a)] => {
            assert_eq!(a.kind, ActionKind::GiftSent);
            assert_eq!(a.note, "earrings");
            assert_eq!(a.at, now());
        }
        other => panic!("{other:?}"),
    }
    assert!(s.popup.is_none());
    cmd(&mut s, Command::LogAction);
    assert!(update(&mut s, code(KeyCode::Esc)).is_empty());
    assert!(s.popup.is_none());
}

#[test]
fn logged_action_updates_post_and_log() {
    let mut s = fixture::workspace();
    update(
        &mut s,
        Msg::ActionLogged(action(9, 1, ActionKind::Resolved)),
    );
    assert_eq!(s.log.window.rows[0].id, 9);
    let p = s.posts.get(PostId(1)).unwrap();
    assert!(p.handled_at.is_some() && p.first_response_at.is_some());
    update(&mut s, Msg::ActionLogged(action(10, 4, ActionKind::Note)));
    assert!(
        s.posts.get(PostId(4)).unwrap().first_response_at.is_none(),
        "a note is not a response"
    );
}

#[test]
fn mark_handled_is_optimistic_and_logged() {
    let mut s = fixture::workspace();
    let id = s.current_post_id().unwrap();
    let effects = cmd(&mut s, Command::MarkHandled);
    assert!(
        matches!(&effects[..], [Effect::LogAction(a)] if a.kind == ActionKind::Handled && a.post == Some(id))
    );
    assert!(s.posts.get(id).unwrap().handled_at.is_some());
    // Handled items leave the open queue; the selection goes on to the next.
    assert!(!s.rows(Pane::Attention).iter().any(|p| p.id == id));
    assert!(s.current_post_id().is_some_and(|next| next != id));
}

#[test]
fn follow_up_form_validates_and_schedules() {
    let mut s = fixture::workspace();
    cmd(&mut s, Command::ScheduleFollowUp);
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    for c in "someday".chars() {
        update(&mut s, key(c));
    }
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
    assert!(matches!(&s.popup, Some(Popup::FollowUp(f)) if f.error.is_some()));
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    update(&mut s, Msg::Paste("tomorrow".into()));
    update(&mut s, code(KeyCode::Tab));
    update(&mut s, Msg::Paste("check the ring fits".into()));
    let effects = update(&mut s, code(KeyCode::Enter));
    match &effects[..] {
        [Effect::ScheduleFollowUp(f)] => {
            assert_eq!(
                f.due,
                chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
            );
            assert_eq!(f.note, "check the ring fits");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn follow_up_scheduled_is_listed_and_logged() {
    let mut s = fixture::workspace();
    let follow_up = crate::domain::FollowUp {
        id: 5,
        post: Some(PostId(2)),
        customer: None,
        due: chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
        note: String::new(),
        created_at: now(),
        done_at: None,
    };
    update(
        &mut s,
        Msg::FollowUpScheduled {
            follow_up,
            action: action(11, 2, ActionKind::FollowUp),
        },
    );
    assert_eq!(s.follow_ups.len(), 2);
    assert_eq!(s.log.window.rows[0].id, 11);
    assert!(s.flash.as_ref().unwrap().0.contains("Wed 25 Nov"));
    // Scheduling one due today leaves it open: only reaching out later completes it.
    let today = crate::domain::FollowUp {
        id: 6,
        post: Some(PostId(4)),
        customer: None,
        due: s.today(),
        note: String::new(),
        created_at: now(),
        done_at: None,
    };
    let effects = update(
        &mut s,
        Msg::FollowUpScheduled {
            follow_up: today,
            action: action(12, 4, ActionKind::FollowUp),
        },
    );
    assert!(effects.is_empty(), "{effects:?}");
    assert!(s.due_follow_ups().any(|f| f.id == 6));
}

#[test]
fn quit_saves_the_open_draft_first() {
    let mut s = fixture::workspace();
    cmd(&mut s, Command::Reply);
    update(&mut s, key('H'));
    let effects = cmd(&mut s, Command::Quit);
    // The draft first; the console's place (see `tests_reads`) before quitting.
    assert!(
        matches!(&effects[..], [Effect::SaveDraft(_), .., Effect::Quit]),
        "{effects:?}"
    );
    assert!(s.quitting);
}

#[test]
fn health_resize_tick_draft_saved_and_failures() {
    let mut s = fixture::empty();
    update(
        &mut s,
        Msg::SourceHealth {
            source: "m".into(),
            health: Health::Polling,
        },
    );
    assert_eq!(s.sources["m"], Health::Polling);
    update(
        &mut s,
        Msg::Resize {
            width: 100,
            height: 30,
        },
    );
    assert_eq!(s.size, (100, 30));
    update(
        &mut s,
        Msg::TaskFailed {
            what: "saving".into(),
            error: "disk full".into(),
        },
    );
    assert!(s.flash.as_ref().unwrap().0.contains("disk full"));
    update(&mut s, Msg::Tick(now() + Duration::seconds(10)));
    assert!(s.flash.is_none(), "messages fade");
    assert_eq!(s.now, now() + Duration::seconds(10));
    let ws = fixture::workspace();
    let draft = ws.drafts[&PostId(1)].clone();
    update(&mut s, Msg::DraftSaved(draft));
    assert!(s.drafts.contains_key(&PostId(1)));
}

#[test]
fn help_and_sources_popups_open_scroll_and_close() {
    let mut s = fixture::workspace();
    cmd(&mut s, Command::Help);
    update(&mut s, key('j'));
    assert_eq!(s.popup, Some(Popup::Help { scroll: 1 }));
    update(&mut s, code(KeyCode::Esc));
    assert!(s.popup.is_none());
    cmd(&mut s, Command::Sources);
    // The Sources view's keys come through the keymap, as the router sends them.
    let esc = crate::app::router::route(&s, KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    update(&mut s, esc.expect("Esc is bound"));
    assert!(s.popup.is_none());
}

#[test]
fn templates_greet_by_name() {
    let mut s = fixture::workspace();
    s.focus = Pane::Mentions;
    cmd(&mut s, Command::Reply);
    cmd(&mut s, Command::InsertTemplate);
    assert!(s.composer.as_ref().unwrap().text().starts_with("Hi Tom,"));
}

#[test]
fn arrivals_never_move_the_selection_and_handling_moves_down_the_queue() {
    let mut s = fixture::workspace();
    assert_eq!(
        s.current_post_id(),
        Some(PostId(2)),
        "Attention starts on the most urgent"
    );
    let urgent = fixture::post(
        30,
        "x@y.z",
        Some(1),
        true,
        0,
        "@marlowfinch URGENT my ring is lost and the wedding is tomorrow, please help",
    );
    update(
        &mut s,
        Msg::Ingested {
            source: "demo".into(),
            posts: vec![urgent],
        },
    );
    assert_eq!(
        s.rows(Pane::Attention)[0].id,
        PostId(30),
        "the new post ranks first"
    );
    assert_eq!(
        s.current_post_id(),
        Some(PostId(2)),
        "but the selection stays where staff were"
    );
    cmd(&mut s, Command::MarkHandled);
    assert_eq!(s.current_post_id(), Some(PostId(1)), "the next open item");
}

#[test]
fn a_source_usage_is_kept_for_the_sources_view() {
    let mut s = fixture::workspace();
    let usage = crate::sources::Usage {
        unit: "reads",
        used: 12,
        budget: Some(100),
        period: "2026-12".into(),
    };
    let effects = update(
        &mut s,
        Msg::SourceUsage {
            source: "x".into(),
            usage: usage.clone(),
        },
    );
    assert!(effects.is_empty());
    assert_eq!(s.usage.get("x"), Some(&usage));
    let later = crate::sources::Usage { used: 40, ..usage };
    update(
        &mut s,
        Msg::SourceUsage {
            source: "x".into(),
            usage: later.clone(),
        },
    );
    assert_eq!(s.usage.get("x"), Some(&later), "the latest count wins");
}

#[test]
fn an_instance_limit_reaches_the_composer_counter() {
    let mut s = fixture::workspace();
    update(
        &mut s,
        Msg::ReplyLimit {
            network: Network::Mastodon,
            max: 5000,
        },
    );
    cmd(&mut s, Command::Reply);
    update(&mut s, Msg::Paste("x".repeat(600)));
    assert_eq!(s.composer.as_ref().unwrap().length(), (600, 5000));
    cmd(&mut s, Command::SendReply);
    assert!(
        matches!(s.popup, Some(Popup::ConfirmSend { .. })),
        "600 fits this instance"
    );
}

#[test]
fn demo_posts_reply_through_the_demo_network() {
    let mut post = fixture::post(1, "a@b.c", None, false, 1, "hi");
    assert_eq!(post.reply_route(), Network::Mastodon);
    post.reply_ref = Some(serde_json::json!({ "demo": true }));
    assert!(post.is_demo());
    assert_eq!(post.reply_route(), Network::Demo);
}

#[test]
fn a_due_follow_up_is_selectable_in_the_log_and_done_when_staff_reach_out() {
    let mut s = fixture::workspace();
    s.focus = Pane::Log;
    assert!(matches!(
        s.selected_log_row(),
        Some(crate::state::LogRow::FollowUp(_))
    ));
    assert_eq!(
        s.current_post_id(),
        Some(PostId(3)),
        "the follow-up's post shows in Detail"
    );
    cmd(&mut s, Command::NextPost);
    assert!(matches!(s.selected_log_row(), Some(crate::state::LogRow::Action(a)) if a.id == 1));
    cmd(&mut s, Command::NextPost);
    assert_eq!(s.log.selected, 1, "the last row is the last");
    // A note does not complete it; a follow-up action on its post does.
    assert!(update(&mut s, Msg::ActionLogged(action(30, 3, ActionKind::Note))).is_empty());
    let effects = update(
        &mut s,
        Msg::ActionLogged(action(31, 3, ActionKind::FollowUp)),
    );
    assert!(
        matches!(&effects[..], [Effect::CompleteFollowUp { id: 1, .. }]),
        "{effects:?}"
    );
    assert_eq!(s.due_follow_ups().count(), 0);
    assert!(s.log.selected < s.log_rows().len());
}

/// Sources that overflow the view at 80x24: one with a long reason, twenty polling.
fn many_sources(s: &mut AppState) {
    s.sources.insert(
        "bluesky".into(),
        Health::AuthFailed(
            "the app password was refused (HTTP 401 from https://bsky.social/xrpc/com.atproto.server.createSession): \
             create a new app password in Settings > Privacy and security > App passwords and put it in the file \
             named by password_file"
                .repeat(2),
        ),
    );
    for i in 0..20 {
        s.sources.insert(format!("rss-{i:02}"), Health::Polling);
    }
}

#[test]
fn sources_view_scrolls_with_the_keymaps_movement_keys() {
    let mut s = fixture::workspace();
    many_sources(&mut s);
    s.size = (80, 24);
    cmd(&mut s, Command::Sources);
    let (max, page) = crate::ui::sources::scroll_room(&s);
    assert!(max > 5 && page > 5, "{max} {page}");
    // Keys go through the router and the keymap, as in the console.
    let press = |s: &mut AppState, code: KeyCode| {
        let msg = crate::app::router::route(s, KeyEvent::new(code, KeyModifiers::NONE));
        if let Some(msg) = msg {
            update(s, msg);
        }
    };
    let scroll = |s: &AppState| match s.popup {
        Some(Popup::Sources { scroll }) => scroll,
        ref other => panic!("the Sources view closed: {other:?}"),
    };
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Down);
    assert_eq!(scroll(&s), 2);
    press(&mut s, KeyCode::Char('k'));
    assert_eq!(scroll(&s), 1);
    press(&mut s, KeyCode::PageDown);
    assert_eq!(scroll(&s), (1 + page - 1).min(max));
    press(&mut s, KeyCode::Char('G'));
    assert_eq!(scroll(&s), max);
    press(&mut s, KeyCode::Char('j'));
    assert_eq!(scroll(&s), max, "clamped at the end");
    press(&mut s, KeyCode::Up);
    assert_eq!(
        scroll(&s),
        max - 1,
        "one key back from the end moves at once"
    );
    press(&mut s, KeyCode::PageUp);
    press(&mut s, KeyCode::PageUp);
    press(&mut s, KeyCode::PageUp);
    assert_eq!(scroll(&s), 0);
    press(&mut s, KeyCode::Char('G'));
    press(&mut s, KeyCode::Char('g'));
    assert_eq!(scroll(&s), 0);
    // Unrelated commands leave it open, untouched; the selection behind it does not move.
    let selected = s.current_post_id();
    press(&mut s, KeyCode::Char('r'));
    assert!(s.composer.is_none());
    assert_eq!(scroll(&s), 0);
    assert_eq!(s.current_post_id(), selected);
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.popup, None);
    // q and S close it too, without quitting.
    cmd(&mut s, Command::Sources);
    press(&mut s, KeyCode::Char('q'));
    assert_eq!((s.popup.clone(), s.quitting), (None, false));
    // A taller terminal has less to scroll; a view that fits does not scroll at all.
    s.size = (160, 45);
    let (tall_max, _) = crate::ui::sources::scroll_room(&s);
    assert!(tall_max < max);
    s.sources.retain(|name, _| name == "bluesky");
    cmd(&mut s, Command::Sources);
    press(&mut s, KeyCode::Char('G'));
    assert_eq!(scroll(&s), 0);
}
