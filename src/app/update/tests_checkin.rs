//! The check-in in `update`: its queue (order, sizing), walking it, its keys, its end and summary, and its
//! record, over the fixture's real store.

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::{Command, Effect, Msg, router};
use crate::domain::checkin::ItemKind;
use crate::domain::{ActionKind, PostId};
use crate::state::checkin::Phase;
use crate::state::fixture::{self, Desk, now};
use crate::state::{Pane, View};
use crate::store::CheckInRepo;

fn start(desk: &mut Desk) -> Vec<Effect> {
    desk.send(Msg::Command(Command::StartCheckIn))
}

fn kinds(desk: &Desk) -> Vec<(ItemKind, Option<i64>)> {
    let c = desk.state.check_in.as_ref().unwrap();
    c.items
        .iter()
        .map(|i| (i.kind, i.post.map(|p| p.0)))
        .collect()
}

fn phase(desk: &Desk) -> Phase {
    desk.state.check_in.as_ref().unwrap().phase.clone()
}

/// The fixture with a stranger's complaint, a follow-up due today on a customer (no post), and a 5-minute
/// check-in started.
fn started() -> Desk {
    let mut desk = fixture::desk_for_a_check_in();
    start(&mut desk);
    desk
}

#[test]
fn the_queue_serves_regulars_in_trouble_first_then_by_kind() {
    let desk = started();
    assert_eq!(desk.state.view, View::CheckIn);
    assert_eq!(phase(&desk), Phase::Working);
    assert_eq!(
        kinds(&desk),
        [
            // Tom's distress ranks above Priya's complaint, as in Attention.
            (ItemKind::RegularInTrouble, Some(2)),
            (ItemKind::RegularInTrouble, Some(1)),
            (ItemKind::Complaint, Some(7)),
            (ItemKind::FollowUpDue, None),
            (ItemKind::Question, Some(4)),
            (ItemKind::RegularPost, Some(3)),
        ],
        "praise already thanked (post 5) is not an item"
    );
    let c = desk.state.check_in.as_ref().unwrap();
    assert_eq!(c.since, Some(now() - Duration::hours(24)), "first check-in");
    // 2 + 2 minutes for the regulars; the complaint's 1.5 would go past 5.
    assert_eq!(c.fits, 2);
    assert_eq!(c.left(), 5, "the other four, and the second not yet seen");
    assert_eq!(desk.state.current_post_id(), Some(PostId(2)));
    assert_eq!(c.tally.seen, 1);
}

#[test]
fn the_queue_is_sized_to_the_time_and_estimates_given() {
    let mut desk = fixture::desk_for_a_check_in();
    desk.state.check_in_config.minutes = 7;
    start(&mut desk);
    let c = desk.state.check_in.as_ref().unwrap();
    assert_eq!(
        c.fits, 4,
        "2+2+1.5+1: the question's minute would go past 7"
    );
    let mut desk = fixture::desk_for_a_check_in();
    desk.state.check_in_config.estimates.trouble = 0.5;
    desk.state.check_in_config.minutes = 4;
    start(&mut desk);
    let c = desk.state.check_in.as_ref().unwrap();
    assert_eq!(
        c.fits, 4,
        "0.5+0.5+1.5+1 fits in 4, the question's minute not"
    );
    assert_eq!(c.budget_secs, 240);
}

#[test]
fn next_walks_the_queue_and_its_end_is_a_summary_that_stays() {
    let mut desk = started();
    desk.send(Msg::Command(Command::NextUnread)); // n
    assert_eq!(desk.state.current_post_id(), Some(PostId(1)));
    assert_eq!(desk.state.check_in.as_ref().unwrap().tally.seen, 2);
    desk.send(Msg::Command(Command::PrevPost));
    assert_eq!(desk.state.current_post_id(), Some(PostId(2)));
    desk.send(Msg::Command(Command::OpenDetail)); // Enter
    let effects = desk.send(Msg::Command(Command::OpenDetail));
    assert!(matches!(phase(&desk), Phase::Summary { .. }), "queue done");
    let Some(Effect::SaveCheckIn(record)) =
        effects.iter().find(|e| matches!(e, Effect::SaveCheckIn(_)))
    else {
        panic!("the check-in is stored: {effects:?}");
    };
    assert_eq!(record.tally.seen, 2);
    assert_eq!(record.left, 4);
    assert_eq!(record.started_at, now());
    assert_eq!(desk.state.current_post_id(), None);
    // It stays: the clock, arrivals and time passing leave it up.
    desk.send(Msg::Tick(now() + Duration::minutes(30)));
    assert_eq!(desk.state.view, View::CheckIn);
    assert!(desk.state.check_in.is_some());
    // Any key but quit and help dismisses it.
    desk.send(Msg::Command(Command::Close));
    assert_eq!(desk.state.view, View::Panes);
    assert!(desk.state.check_in.is_none());
}

#[test]
fn slash_and_esc_cannot_break_it() {
    let mut desk = started();
    for key in [KeyCode::Char('/'), KeyCode::Esc, KeyCode::Tab] {
        let key = KeyEvent::new(key, KeyModifiers::NONE);
        let msg = router::route(&desk.state, key).expect("bound");
        desk.send(msg);
        assert_eq!(desk.state.view, View::CheckIn, "{key:?}");
        assert_eq!(phase(&desk), Phase::Working);
        assert!(desk.state.filter.editing.is_none() && desk.state.filter.query.is_empty());
        assert_eq!(desk.state.current_post_id(), Some(PostId(2)));
        let (flash, _) = desk.state.flash.clone().unwrap();
        assert!(flash.contains("n next item, c ends"), "{flash}");
    }
}

#[test]
fn handling_counts_and_moves_on_replies_stay() {
    let mut desk = started();
    let effects = desk.send(Msg::Command(Command::MarkHandled));
    desk.perform(effects);
    let c = desk.state.check_in.as_ref().unwrap();
    assert_eq!(c.tally.handled, 1);
    assert!(c.done[0]);
    assert_eq!(
        desk.state.current_post_id(),
        Some(PostId(1)),
        "on to the next"
    );
    // A logged gift counts as logged and stays on the item.
    let effects = desk.perform(vec![Effect::LogAction(crate::domain::NewAction {
        post: Some(PostId(1)),
        customer: None,
        kind: ActionKind::GiftSent,
        note: String::new(),
        at: now(),
        url: None,
    })]);
    assert!(effects.is_empty(), "{effects:?}");
    let c = desk.state.check_in.as_ref().unwrap();
    assert_eq!((c.tally.logged, c.at), (1, 1));
    // The oldest still waiting is the follow-up, due since the start of the day.
    let oldest = c.oldest_waiting().unwrap();
    assert_eq!(oldest.kind, ItemKind::FollowUpDue);
    assert_eq!(oldest.waiting_since, now() - Duration::hours(10));
}

#[test]
fn time_up_ends_it_and_the_next_starts_from_its_end() {
    let mut desk = started();
    let effects = desk.send(Msg::Tick(now() + Duration::seconds(299)));
    assert!(!effects.iter().any(|e| matches!(e, Effect::SaveCheckIn(_))));
    assert_eq!(phase(&desk), Phase::Working);
    let end = now() + Duration::seconds(300);
    let effects = desk.send(Msg::Tick(end));
    assert_eq!(phase(&desk), Phase::Summary { ended_at: end });
    let Some(Effect::SaveCheckIn(record)) = effects
        .into_iter()
        .find(|e| matches!(e, Effect::SaveCheckIn(_)))
    else {
        panic!("stored");
    };
    desk.db.record_check_in("ana", &record).unwrap();
    desk.send(Msg::Command(Command::Close));
    // An hour later: only what is new since its end, plus what is still open.
    desk.state.now = end + Duration::hours(1);
    start(&mut desk);
    let c = desk.state.check_in.as_ref().unwrap();
    assert_eq!(c.since, Some(end));
    assert!(
        !kinds(&desk).contains(&(ItemKind::RegularPost, Some(3))),
        "Ada's news is not new any more: {:?}",
        kinds(&desk)
    );
    assert!(
        kinds(&desk).contains(&(ItemKind::RegularInTrouble, Some(2))),
        "still open"
    );
}

#[test]
fn quit_and_c_end_it_on_the_summary_and_a_signal_stores_it_and_quits() {
    let mut desk = started();
    desk.send(Msg::Command(Command::Quit));
    assert!(matches!(phase(&desk), Phase::Summary { .. }) && !desk.state.quitting);
    desk.send(Msg::Command(Command::Quit));
    assert!(desk.state.quitting, "q on the summary quits");

    let mut desk = started();
    desk.send(Msg::Command(Command::StartCheckIn));
    assert!(
        matches!(phase(&desk), Phase::Summary { .. }),
        "c again ends it"
    );

    let mut desk = started();
    let effects = desk.send(Msg::Terminate);
    assert!(
        matches!(effects.first(), Some(Effect::SaveCheckIn(_))),
        "{effects:?}"
    );
    assert!(effects.contains(&Effect::Quit) && desk.state.quitting);
}

#[test]
fn where_mastodon_is_configured_the_end_syncs_its_read_position() {
    use crate::sources::mastodon::markers::ReadPosition;
    let mut desk = fixture::desk_for_a_check_in();
    desk.state.sync_read_position = true;
    start(&mut desk);
    let effects = desk.send(Msg::Command(Command::StartCheckIn));
    assert!(effects.contains(&Effect::SyncReadPosition), "{effects:?}");
    let synced = ReadPosition {
        last_read_id: "900".into(),
        moved: true,
    };
    desk.send(Msg::ReadPositionSynced(Ok(synced.clone())));
    let c = desk.state.check_in.as_ref().unwrap();
    assert_eq!(c.read_position, Some(Ok(synced)));
    // Without Mastodon, nothing is asked; a late failure with the summary gone is said in the status bar.
    let mut desk = started();
    let effects = desk.send(Msg::Command(Command::StartCheckIn));
    assert!(!effects.contains(&Effect::SyncReadPosition));
    desk.send(Msg::Command(Command::Close));
    desk.send(Msg::ReadPositionSynced(Err("401".into())));
    assert!(
        desk.state
            .flash
            .clone()
            .unwrap()
            .0
            .contains("not synced: 401")
    );
}

#[test]
fn nothing_waiting_waits_for_arrivals_and_a_failed_read_says_so() {
    let mut desk = Desk {
        state: fixture::empty(),
        db: crate::store::Db::open_in_memory().unwrap(),
    };
    start(&mut desk);
    assert_eq!(phase(&desk), Phase::Working, "all clear, the timer runs");
    assert_eq!(desk.state.check_in.as_ref().unwrap().fits, 0);
    let effects = desk.send(Msg::Command(Command::NextUnread));
    assert!(effects.is_empty() && desk.state.flash.is_none());
    // The first posts arrive (a first start: the sources were still fetching): it gathers again.
    let text = "@marlowfinch my order arrived broken and nobody answers my emails. Really annoyed.";
    let complaint = fixture::post(1, "ann@x.social", None, true, 1, text);
    desk.add(vec![complaint.clone()]);
    desk.send(Msg::Ingested {
        source: "demo".into(),
        posts: vec![complaint],
    });
    assert_eq!(kinds(&desk), [(ItemKind::Complaint, Some(1))]);
    assert_eq!(desk.state.current_post_id(), Some(PostId(1)));
    // Handled, the queue is done: the summary, all clear.
    let effects = desk.send(Msg::Command(Command::MarkHandled));
    desk.perform(effects);
    assert!(matches!(phase(&desk), Phase::Summary { .. }));
    assert!(
        desk.state
            .check_in
            .as_ref()
            .unwrap()
            .oldest_waiting()
            .is_none()
    );

    let mut s = fixture::empty();
    let gathers = |effects: Vec<Effect>| {
        effects
            .iter()
            .filter(|e| matches!(e, Effect::GatherCheckIn { .. }))
            .count()
    };
    let effects = crate::app::update(&mut s, Msg::Command(Command::StartCheckIn));
    assert_eq!(gathers(effects), 1);
    assert_eq!(
        gathers(crate::app::update(&mut s, Msg::Tick(now()))),
        0,
        "asked once"
    );
    crate::app::update(&mut s, Msg::CheckInGathered(Err("disk full".into())));
    assert!(s.check_in.is_none());
    assert_eq!(s.view, View::Panes);
    assert!(s.flash.unwrap().0.contains("disk full"));
}

#[test]
fn a_due_follow_up_item_is_completed_with_d() {
    let mut desk = fixture::desk_for_a_check_in();
    desk.state.check_in_config.estimates.trouble = 0.0;
    desk.state.check_in_config.estimates.complaint = 0.0;
    start(&mut desk);
    for _ in 0..3 {
        desk.send(Msg::Command(Command::NextUnread));
    }
    let c = desk.state.check_in.as_ref().unwrap();
    assert_eq!(c.current().map(|i| i.kind), Some(ItemKind::FollowUpDue));
    let effects = desk.send(Msg::Command(Command::CompleteFollowUp));
    desk.perform(effects);
    let c = desk.state.check_in.as_ref().unwrap();
    assert_eq!(c.tally.logged, 1, "followed up");
    assert!(c.done[3]);
    assert_eq!(
        c.current().map(|i| i.kind),
        Some(ItemKind::Question),
        "moved on"
    );
    assert_eq!(desk.state.focus, Pane::Attention, "the panes untouched");
}
