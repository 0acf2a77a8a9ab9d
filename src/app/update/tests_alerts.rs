//! Alerts through `update` and the `Notifier` trait: what notifies (the threshold), one notification per
//! window with the rest summed up, quiet hours across midnight, "always tell me", the no-bus fallback, and
//! spikes. Effects are delivered as the runner and the UI loop deliver them; outcomes come back as `Msg`s.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::alerts::{Bell, Desktop, QuietHours, spike};
use crate::domain::{Category, CustomerId, Post, Watched};
use crate::notify::{NoService, Notifier, fake::Recording};
use crate::state::View;
use crate::state::fixture::{self, now};
use crate::store::AlertRepo;

const COMPLAINT: &str =
    "@marlowfinch my order never arrived and I want a refund, this is a disgrace";
const DISTRESS: &str = "@marlowfinch urgent: stranded in Lisbon and the ring for tomorrow's proposal is stuck in lost luggage. Please help!";
const CRISIS: &str = "i can't go on anymore, i want to end my life";
const PRAISE: &str = "Picked up my necklace today and it is gorgeous, thank you so much!";
const PRIYA: i64 = 1;
const TOM: i64 = 2;
const ADA: i64 = 3;

/// The fixture console (customers Priya #1, Tom #2, Ada #9 over a real store) with a notifier.
struct Alerted<N: Notifier> {
    desk: fixture::Desk,
    notifier: N,
    bells: usize,
}

impl<N: Notifier> Alerted<N> {
    fn new(notifier: N) -> Alerted<N> {
        Alerted {
            desk: fixture::desk(),
            notifier,
            bells: 0,
        }
    }

    /// Applies `msg` and delivers what it asks for as the runner and the console loop do: notifications
    /// through the notifier, the bell, "always tell me" and spikes through the store; the outcomes go back in.
    fn send(&mut self, msg: Msg) -> Vec<Effect> {
        let mut pending = vec![msg];
        let mut rest = Vec::new();
        while let Some(msg) = pending.pop() {
            for effect in self.desk.send(msg) {
                pending.push(match effect {
                    Effect::Notify { title, body } => {
                        let error = self.notifier.notify(&title, &body).err();
                        Msg::Notified { title, body, error }
                    }
                    Effect::Bell => {
                        self.bells += 1;
                        Msg::Rang { error: None }
                    }
                    Effect::SetAlwaysTellMe { customer, on } => {
                        self.desk
                            .db
                            .set_always_tell_me(customer, on, now())
                            .unwrap();
                        Msg::AlwaysTellMeSet { customer, on }
                    }
                    Effect::MeasureSpikes { at, rule } => Msg::SpikesMeasured(
                        spike::measure(&self.desk.db, &rule, at).map_err(|e| e.to_string()),
                    ),
                    other => {
                        rest.push(other);
                        continue;
                    }
                });
            }
        }
        rest
    }

    /// The clock at `t`.
    fn at(&mut self, t: DateTime<Utc>) {
        self.send(Msg::Tick(t));
    }

    /// Posts arriving now from one source.
    fn arrive(&mut self, posts: Vec<Post>) {
        self.send(Msg::Ingested {
            source: "demo".into(),
            posts,
        });
    }

    fn state(&mut self) -> &mut AppState {
        &mut self.desk.state
    }
}

/// A post written at the console's current time (ids from 100 up: never stored).
fn post(state: &AppState, id: i64, customer: Option<i64>, text: &str) -> Post {
    let handle = format!("author{id}@mastodon.social");
    let mut p = fixture::post(id, &handle, customer, true, 0, text);
    p.created_at = state.now;
    p.ingested_at = state.now;
    p
}

fn from<N: Notifier>(a: &Alerted<N>, id: i64, customer: Option<i64>, text: &str) -> Post {
    post(&a.desk.state, id, customer, text)
}

#[test]
fn the_texts_are_what_the_tests_say() {
    let s = fixture::empty();
    let category = |t: &str| post(&s, 1, None, t).triage.category;
    assert_eq!(category(COMPLAINT), Category::Complaint);
    assert_eq!(category(DISTRESS), Category::Distress);
    assert!(post(&s, 1, None, CRISIS).triage.is_crisis());
    assert_eq!(category(PRAISE), Category::Praise);
}

#[test]
fn a_regulars_complaint_and_anyones_distress_notify_at_once_others_do_not() {
    let mut a = Alerted::new(Recording::default());
    let stranger_complaint = from(&a, 100, None, COMPLAINT);
    let regulars_praise = from(&a, 101, Some(PRIYA), PRAISE);
    a.arrive(vec![stranger_complaint, regulars_praise]);
    assert!(a.notifier.shown().is_empty());
    let regulars_complaint = from(&a, 102, Some(PRIYA), COMPLAINT);
    a.arrive(vec![regulars_complaint]);
    assert_eq!(
        a.notifier.shown(),
        [(
            "complaint: Priya Raman (#1)".to_string(),
            COMPLAINT.to_string()
        )]
    );
    // The window has passed: a stranger in crisis notifies at once, as crisis.
    let later = now() + Duration::minutes(3);
    a.at(later);
    let crisis = from(&a, 103, None, CRISIS);
    a.arrive(vec![crisis]);
    assert_eq!(a.notifier.titles()[1], "crisis: @author103@mastodon.social");
    // A regular's complaint from the backlog (written an hour ago) is news to no one.
    a.at(later + Duration::minutes(3));
    let mut old = from(&a, 104, Some(TOM), COMPLAINT);
    old.created_at -= Duration::hours(1);
    a.arrive(vec![old]);
    assert_eq!(a.notifier.shown().len(), 2);
    // The desktop works and the bell is for when it does not.
    assert_eq!(a.desk.state.alerts.desktop, Desktop::Works);
    assert_eq!(a.bells, 0);
}

#[test]
fn an_urgency_threshold_takes_in_anyones_urgent_complaint() {
    let mut a = Alerted::new(Recording::default());
    a.state().alerts.policy.min_urgency = Some(0.5);
    let stranger = from(&a, 100, None, COMPLAINT);
    assert!(a.desk.state.urgency(&stranger) >= 0.5);
    a.arrive(vec![stranger]);
    assert_eq!(
        a.notifier.titles(),
        ["complaint: @author100@mastodon.social"]
    );
    a.at(now() + Duration::minutes(3));
    a.state().alerts.policy.min_urgency = Some(0.99);
    let stranger = from(&a, 101, None, COMPLAINT);
    a.arrive(vec![stranger]);
    assert_eq!(a.notifier.shown().len(), 1);
}

#[test]
fn one_notification_per_window_the_rest_summed_up_when_it_ends() {
    let mut a = Alerted::new(Recording::default());
    assert_eq!(a.desk.state.alerts.policy.coalesce_seconds, 120);
    let first = from(&a, 100, Some(PRIYA), COMPLAINT);
    a.arrive(vec![first]);
    a.at(now() + Duration::seconds(10));
    let (b, c) = (
        from(&a, 101, Some(TOM), COMPLAINT),
        from(&a, 102, None, DISTRESS),
    );
    a.arrive(vec![b]);
    a.arrive(vec![c]);
    a.at(now() + Duration::seconds(119));
    assert_eq!(a.notifier.shown().len(), 1, "{:?}", a.notifier.shown());
    assert_eq!(a.desk.state.alerts.coalescer.held(), 2);
    a.at(now() + Duration::seconds(120));
    let shown = a.notifier.shown();
    assert_eq!(shown.len(), 2);
    assert_eq!(shown[1].0, "2 more urgent posts");
    assert!(
        shown[1].1.contains("Tom Okafor (#2)") && shown[1].1.contains("@author102"),
        "{}",
        shown[1].1
    );
    // One more inside the next window: one more summary after it.
    a.at(now() + Duration::seconds(130));
    let d = from(&a, 103, None, CRISIS);
    a.arrive(vec![d]);
    a.at(now() + Duration::seconds(239));
    assert_eq!(a.notifier.shown().len(), 2);
    a.at(now() + Duration::seconds(240));
    assert_eq!(a.notifier.titles()[2], "1 more urgent post");
    // Quiet again: a post after the window goes out at once, on its own.
    a.at(now() + Duration::seconds(400));
    let e = from(&a, 104, Some(PRIYA), COMPLAINT);
    a.arrive(vec![e]);
    assert_eq!(a.notifier.titles()[3], "complaint: Priya Raman (#1)");
}

#[test]
fn quiet_hours_across_midnight_hold_alerts_until_morning() {
    let mut a = Alerted::new(Recording::default());
    a.state().alerts.policy.quiet_hours = Some(QuietHours::parse("22:00-07:00").unwrap());
    a.state().alerts.policy.bell = Bell::Always;
    // The console's local time is UTC here.
    let evening = Utc.with_ymd_and_hms(2026, 11, 22, 23, 30, 0).unwrap();
    a.at(evening);
    let late = from(&a, 100, Some(PRIYA), COMPLAINT);
    a.arrive(vec![late]);
    a.at(evening + Duration::hours(3));
    let night = from(&a, 101, None, CRISIS);
    a.arrive(vec![night]);
    a.at(Utc.with_ymd_and_hms(2026, 11, 23, 6, 59, 59).unwrap());
    assert!(a.notifier.shown().is_empty());
    assert_eq!(a.bells, 0, "no bell at night either");
    a.at(Utc.with_ymd_and_hms(2026, 11, 23, 7, 0, 0).unwrap());
    let shown = a.notifier.shown();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].0, "2 urgent posts during quiet hours");
    // The crisis (most urgent) is named first.
    assert!(
        shown[0]
            .1
            .starts_with("from @author101@mastodon.social, Priya Raman (#1)"),
        "{}",
        shown[0].1
    );
    assert_eq!(a.bells, 1);
}

#[test]
fn always_tell_me_is_set_in_the_customers_view_and_every_post_of_theirs_notifies() {
    let mut a = Alerted::new(Recording::default());
    let everyday = from(&a, 100, Some(ADA), PRAISE);
    a.arrive(vec![everyday]);
    assert!(a.notifier.shown().is_empty());
    a.send(Msg::Command(Command::Customers));
    assert_eq!(a.desk.state.view, View::Customers);
    let row = a
        .desk
        .state
        .customers_view
        .rows
        .iter()
        .position(|r| r.customer.id == CustomerId(ADA))
        .unwrap();
    a.state().customers_view.selected = row;
    a.send(Msg::Command(Command::AlwaysTellMe));
    assert_eq!(
        a.desk.db.always_tell_me().unwrap(),
        [CustomerId(ADA)].into()
    );
    assert!(a.desk.state.alerts.always.contains(&CustomerId(ADA)));
    let flash = &a.desk.state.flash.as_ref().unwrap().0;
    assert_eq!(
        flash,
        "Ada Lind: every post of theirs will notify (A again to stop)"
    );
    a.at(now() + Duration::minutes(3));
    let everyday = from(&a, 101, Some(ADA), PRAISE);
    a.arrive(vec![everyday]);
    assert_eq!(a.notifier.titles(), ["praise: Ada Lind (#9)"]);
    // Again: off, and her everyday posts are quiet again.
    a.send(Msg::Command(Command::AlwaysTellMe));
    assert!(a.desk.db.always_tell_me().unwrap().is_empty());
    a.at(now() + Duration::minutes(6));
    let everyday = from(&a, 102, Some(ADA), PRAISE);
    a.arrive(vec![everyday]);
    assert_eq!(a.notifier.shown().len(), 1);
}

#[test]
fn always_tell_me_in_the_panes_is_for_the_current_posts_customer() {
    let mut a = Alerted::new(Recording::default());
    a.desk.select(Pane::Attention, crate::domain::PostId(2));
    a.send(Msg::Command(Command::AlwaysTellMe));
    assert!(a.desk.state.alerts.always.contains(&CustomerId(TOM)));
    a.desk.select(Pane::Mentions, crate::domain::PostId(4));
    a.send(Msg::Command(Command::AlwaysTellMe));
    assert_eq!(a.desk.state.alerts.always.len(), 1);
    assert_eq!(
        a.desk.state.flash.as_ref().unwrap().0,
        "no customer here to always hear about"
    );
}

#[test]
fn without_a_notification_service_it_says_so_once_and_uses_the_bell_and_status_bar() {
    let mut a = Alerted::new(NoService("no session bus".into()));
    let first = from(&a, 100, Some(PRIYA), COMPLAINT);
    a.arrive(vec![first]);
    let s = &a.desk.state;
    assert_eq!(
        s.alerts.desktop,
        Desktop::Unavailable("no session bus".into())
    );
    assert_eq!(
        s.flash.as_ref().unwrap().0,
        "no desktop notifications: alerts use the bell and this bar (no session bus)"
    );
    assert_eq!(
        s.alerts.banner.as_deref(),
        Some("complaint: Priya Raman (#1)")
    );
    assert_eq!(a.bells, 1);
    // A key: someone is here; the banner goes.
    a.send(Msg::Command(Command::NextPost));
    assert_eq!(a.desk.state.alerts.banner, None);
    // The next alert goes straight to the bell and the status bar: the desktop is not tried again, and the
    // message is not repeated.
    a.state().flash = None;
    a.at(now() + Duration::minutes(3));
    let second = from(&a, 101, None, CRISIS);
    let effects = a.desk.send(Msg::Ingested {
        source: "demo".into(),
        posts: vec![second],
    });
    assert!(effects.contains(&Effect::Bell), "{effects:?}");
    assert!(!effects.iter().any(|e| matches!(e, Effect::Notify { .. })));
    let s = &a.desk.state;
    assert_eq!(
        s.alerts.banner.as_deref(),
        Some("crisis: @author101@mastodon.social")
    );
    assert_eq!(s.flash, None);
}

#[test]
fn the_bell_can_be_silenced_and_desktop_notifications_turned_off() {
    let mut a = Alerted::new(Recording::default());
    a.state().alerts.policy.desktop = false;
    a.state().alerts.policy.bell = Bell::Never;
    let first = from(&a, 100, Some(PRIYA), COMPLAINT);
    a.arrive(vec![first]);
    assert!(a.notifier.shown().is_empty());
    assert_eq!(a.bells, 0);
    // The status bar still says it, with no word about a missing service.
    assert_eq!(
        a.desk.state.alerts.banner.as_deref(),
        Some("complaint: Priya Raman (#1)")
    );
    assert_eq!(a.desk.state.alerts.desktop, Desktop::Untried);
}

/// Stores `n` complaints written `minutes_ago` before the fixture's now.
fn stored_complaints(a: &mut Alerted<Recording>, first_id: i64, n: i64, minutes_ago: i64) {
    let posts = (first_id..first_id + n)
        .map(|id| {
            let handle = format!("angry{id}@mastodon.social");
            let mut p = fixture::post(
                id,
                &handle,
                None,
                false,
                minutes_ago,
                "the clasp broke on my new bracelet, I want a refund",
            );
            p.native_id = format!("spike{id}");
            p
        })
        .collect();
    a.desk.add(posts);
}

#[test]
fn a_spike_in_complaints_notifies_once_and_shows_until_it_is_over() {
    let mut a = Alerted::new(Recording::default());
    // Twelve complaints in the last hour, none in the twelve before.
    stored_complaints(&mut a, 7, 12, 20);
    let stranger = from(&a, 100, None, COMPLAINT);
    a.arrive(vec![stranger]);
    let s = &a.desk.state;
    assert_eq!(s.alerts.spikes.len(), 1, "{:?}", s.alerts.spikes);
    assert_eq!(s.alerts.spikes[0].watched, Watched::Complaints);
    // The fixture's two complaints of the last hour count too.
    assert_eq!(
        a.notifier.shown(),
        [(
            "Spike: 14 complaints in the last hour".to_string(),
            "none in the 12 hours before; rising: bracelet, broke, clasp".to_string()
        )]
    );
    // Still going a minute later: measured again, not told again.
    a.at(now() + Duration::minutes(1));
    let another = from(&a, 101, None, COMPLAINT);
    a.arrive(vec![another]);
    assert_eq!(a.notifier.shown().len(), 1);
    assert_eq!(a.desk.state.alerts.spikes.len(), 1);
    // An hour on, with nothing new, the recheck finds it over and says so.
    a.at(now() + Duration::minutes(70));
    assert!(a.desk.state.alerts.spikes.is_empty());
    assert_eq!(
        a.desk.state.flash.as_ref().unwrap().0,
        "complaints back to the usual rate"
    );
}

#[test]
fn spikes_can_be_turned_off() {
    let mut a = Alerted::new(Recording::default());
    a.state().alerts.policy.spike.enabled = false;
    stored_complaints(&mut a, 7, 12, 20);
    let stranger = from(&a, 100, None, COMPLAINT);
    a.arrive(vec![stranger]);
    assert!(a.desk.state.alerts.spikes.is_empty());
    assert!(a.notifier.shown().is_empty());
}

/// The no-service notice never hides the answer to what staff just did: it waits for that message to go.
#[test]
fn the_no_service_notice_waits_for_the_message_showing() {
    let mut s = fixture::workspace();
    s.flash("the editor failed: exit status 3 (the draft is kept)");
    update(
        &mut s,
        Msg::Notified {
            title: "complaint: Priya Raman (#1)".into(),
            body: String::new(),
            error: Some("no session bus".into()),
        },
    );
    assert!(s.flash.as_ref().unwrap().0.contains("the editor failed"));
    update(&mut s, Msg::Tick(now() + Duration::seconds(7)));
    assert!(
        s.flash
            .as_ref()
            .unwrap()
            .0
            .starts_with("no desktop notifications"),
        "{:?}",
        s.flash
    );
}
