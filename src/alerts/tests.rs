//! The coalescer's wording, on its own: alerts arriving together, spikes among posts.

use chrono::{Duration, TimeZone, Utc};

use super::*;

fn arrival(who: &str, category: Category, urgency: f32) -> Alert {
    Alert::Post(Arrival {
        category,
        crisis: false,
        regular: true,
        always: false,
        urgency,
        who: who.into(),
        text: format!("a post by {who}"),
    })
}

fn spike() -> Alert {
    Alert::Spike(Spike {
        watched: Watched::Mentions,
        count: 30,
        usual: 4.0,
        words: vec!["sale".into()],
    })
}

#[test]
fn posts_arriving_together_are_one_notification_naming_the_most_urgent() {
    let policy = AlertsConfig::default();
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
    let mut c = Coalescer::default();
    let n = c
        .offer(
            &policy,
            vec![
                arrival("Tom Okafor (#2)", Category::Complaint, 0.6),
                arrival("Priya Raman (#1)", Category::Distress, 0.9),
                arrival("Ada Lind (#9)", Category::Praise, 0.1),
            ],
            now,
            false,
        )
        .unwrap();
    assert_eq!(n.title, "3 posts, first from Priya Raman (#1)");
    assert_eq!(n.body, "a post by Priya Raman (#1)");
    assert_eq!(c.held(), 0);
}

#[test]
fn a_spike_alone_says_what_rose_and_among_posts_comes_first() {
    let policy = AlertsConfig::default();
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
    let mut c = Coalescer::default();
    let n = c.offer(&policy, vec![spike()], now, false).unwrap();
    assert_eq!(n.title, "Spike: 30 mentions in the last hour");
    assert_eq!(n.body, "usual 4 an hour; rising: sale");
    let later = now + Duration::seconds(30);
    assert_eq!(
        c.offer(
            &policy,
            vec![
                arrival("Tom Okafor (#2)", Category::Complaint, 0.6),
                spike()
            ],
            later,
            false
        ),
        None
    );
    let n = c.tick(&policy, now + policy.window(), false).unwrap();
    assert_eq!(n.title, "1 more urgent post");
    assert_eq!(
        n.body,
        "Spike: 30 mentions in the last hour; from Tom Okafor (#2)"
    );
}
