//! Alerts on screen: a spike and the latest alert (without a notification service) in the status bar at
//! every size, and the "always tell me" mark in the Customers view.

use super::tests::{SIZES, draw, snap};
use crate::alerts::Spike;
use crate::app::{Command, Msg, update};
use crate::domain::{CustomerId, Watched};
use crate::state::fixture;

fn bar(screen: &str) -> &str {
    screen.lines().last().unwrap_or_default()
}

#[test]
fn a_spike_shows_in_the_status_bar_with_the_words_that_rose() {
    let mut s = fixture::workspace();
    s.alerts.spikes = vec![Spike {
        watched: Watched::Complaints,
        count: 14,
        usual: 2.0,
        words: vec!["bracelet".into(), "broke".into(), "clasp".into()],
    }];
    snap("status_spike", &s);
    for size in SIZES {
        let screen = draw(&s, size);
        let bar = bar(&screen);
        assert!(
            bar.contains(" SPIKE  14 complaints/h: bracelet") && !bar.contains("bracelet,…"),
            "{size:?}: {bar}"
        );
        assert!(bar.contains("? help"), "{size:?}: {bar}");
    }
    let wide = draw(&s, (200, 50));
    assert!(
        bar(&wide).contains("14 complaints/h: bracelet, broke, clasp (usual 2)"),
        "{wide}"
    );
}

#[test]
fn without_a_notification_service_the_bar_says_so_and_shows_the_alert() {
    let mut s = fixture::workspace();
    update(
        &mut s,
        Msg::Notified {
            title: "complaint: Priya Raman (#1)".into(),
            body: "still waiting on my ring resize".into(),
            error: Some("no session bus".into()),
        },
    );
    // First the message, the alert's label beside it; once the message is gone, the alert.
    snap("status_no_notification_service", &s);
    for size in SIZES {
        let screen = draw(&s, size);
        let bar = bar(&screen);
        assert!(
            bar.contains(" ALERT ") && bar.contains("no desktop notifications"),
            "{size:?}: {bar}"
        );
        assert!(bar.contains("? help"), "{size:?}: {bar}");
    }
    s.flash = None;
    snap("status_alert_without_desktop", &s);
    for size in SIZES {
        let screen = draw(&s, size);
        let bar = bar(&screen);
        assert!(
            bar.contains(" ALERT  complaint: Priya Raman (#1)"),
            "{size:?}: {bar}"
        );
    }
}

#[test]
fn the_customers_view_marks_who_staff_always_hear_about() {
    let mut desk = fixture::desk();
    desk.state.alerts.always.insert(CustomerId(1));
    desk.send(Msg::Command(Command::Customers));
    snap("customers_always_tell_me", &desk.state);
    let screen = draw(&desk.state, (80, 24));
    let priya = screen.lines().find(|l| l.contains("Priya Raman")).unwrap();
    assert!(priya.contains("⚑ 1"), "{priya}");
    let tom = screen.lines().find(|l| l.contains("Tom Okafor")).unwrap();
    assert!(!tom.contains('⚑'), "{tom}");
}
