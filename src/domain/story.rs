//! A customer's story: where each regular stands with the shop (the Customers view's rows, with a hint at what
//! to do next) and their timeline (posts, replies, actions, follow-ups, first-response times).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::{ActionKind, Category, Customer, FollowUp, Network, PostId};

/// Without contact for this long, a regular is drifting away: the method's daily check-ins aim to touch each of
/// the top 30 about once a month, so two months of silence means they fell through the net.
pub const QUIET_DAYS: i64 = 60;

/// How the shop last reached a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub at: DateTime<Utc>,
    /// What it was (`follow_up`: a follow-up completed).
    pub kind: ActionKind,
}

/// The action kinds that count as the shop reaching the customer (an escalation, a note or handling a post
/// without answering it are the shop's own business; scheduling a follow-up is not yet contact).
pub const CONTACT_KINDS: [ActionKind; 4] = [
    ActionKind::Replied,
    ActionKind::GiftSent,
    ActionKind::DiscountOffered,
    ActionKind::Resolved,
];

/// One row of the Customers view: a customer and where they stand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerSummary {
    pub customer: Customer,
    /// Their latest post, and where.
    pub last_post: Option<(DateTime<Utc>, Network)>,
    pub last_contact: Option<Contact>,
    pub open_follow_ups: usize,
    /// The soonest due date of the open follow-ups.
    pub next_due: Option<NaiveDate>,
    /// Their latest complaint or distress post neither handled nor answered.
    pub unanswered: Option<(PostId, DateTime<Utc>)>,
}

/// What the shop should do about a customer, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Hint {
    /// They posted about a problem and nobody answered.
    Unanswered {
        since: DateTime<Utc>,
    },
    /// A follow-up is due today or overdue since `due`.
    FollowUpDue {
        due: NaiveDate,
    },
    /// No contact for [`QUIET_DAYS`] or more.
    Quiet {
        days: i64,
    },
    NeverContacted,
}

/// How loudly a hint is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    Now,
    Soon,
    Someday,
}

impl Hint {
    pub fn urgency(self) -> Urgency {
        match self {
            Hint::Unanswered { .. } => Urgency::Now,
            Hint::FollowUpDue { .. } => Urgency::Soon,
            Hint::Quiet { .. } | Hint::NeverContacted => Urgency::Someday,
        }
    }

    /// As staff read it: "follow-up overdue since 3 Dec".
    pub fn text(self, today: NaiveDate) -> String {
        match self {
            Hint::Unanswered { .. } => "posted about a problem, no reply yet".into(),
            Hint::FollowUpDue { due } if due < today => {
                format!("follow-up overdue since {}", due.format("%-d %b"))
            }
            Hint::FollowUpDue { .. } => "follow-up due today".into(),
            Hint::Quiet { days } => format!("no contact in {days} days"),
            Hint::NeverContacted => "never contacted".into(),
        }
    }
}

/// The most urgent thing about a customer, `now` and `today` (local) handed in. A former regular is no longer
/// followed: only an unanswered problem of theirs is said.
pub fn hint(summary: &CustomerSummary, now: DateTime<Utc>, today: NaiveDate) -> Option<Hint> {
    if let Some((_, since)) = summary.unanswered {
        return Some(Hint::Unanswered { since });
    }
    if summary.customer.former {
        return None;
    }
    if let Some(due) = summary.next_due.filter(|d| *d <= today) {
        return Some(Hint::FollowUpDue { due });
    }
    match summary.last_contact {
        None => Some(Hint::NeverContacted),
        Some(c) => {
            let days = (now - c.at).num_days();
            (days >= QUIET_DAYS).then_some(Hint::Quiet { days })
        }
    }
}

/// One of the customer's posts, as the story shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryPost {
    pub id: PostId,
    pub network: Network,
    pub category: Category,
    pub text: String,
    pub url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub handled_at: Option<DateTime<Utc>>,
    pub first_response_at: Option<DateTime<Utc>>,
}

impl StoryPost {
    /// How long the shop took to first answer it.
    pub fn first_response(&self) -> Option<Duration> {
        self.first_response_at.map(|r| r - self.created_at)
    }
}

/// A reply the console sent them, with the post it answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryReply {
    pub post: PostId,
    /// The answered post's text (it may be another's post in their thread).
    pub answered: String,
    pub network: Network,
    pub text: String,
    pub sent_at: DateTime<Utc>,
    pub url: Option<String>,
}

/// One event of a customer's story.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimelineEntry {
    Post(StoryPost),
    Reply(StoryReply),
    Action(super::Action),
    /// Placed at its due date: what is coming sits on top.
    FollowUp(FollowUp),
}

impl TimelineEntry {
    /// Where the entry sits in the timeline.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            TimelineEntry::Post(p) => p.created_at,
            TimelineEntry::Reply(r) => r.sent_at,
            TimelineEntry::Action(a) => a.at,
            TimelineEntry::FollowUp(f) => f.due.and_time(chrono::NaiveTime::MIN).and_utc(),
        }
    }
}

/// A customer and their timeline, newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerStory {
    pub summary: CustomerSummary,
    pub timeline: Vec<TimelineEntry>,
    /// All their posts stored (the timeline holds the latest).
    pub posts: u64,
    /// The median first-response time over all their answered posts.
    #[serde(serialize_with = "seconds")]
    pub median_first_response: Option<Duration>,
}

fn seconds<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_some(&d.num_seconds()),
        None => s.serialize_none(),
    }
}

/// Merges a story's entries newest first, keeping `limit`.
pub fn timeline(mut entries: Vec<TimelineEntry>, limit: usize) -> Vec<TimelineEntry> {
    entries.sort_by_key(|e| std::cmp::Reverse(e.at()));
    entries.truncate(limit);
    entries
}

/// The median of some durations (the mean of the middle two for an even count).
pub fn median(mut values: Vec<Duration>) -> Option<Duration> {
    values.sort();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2),
    }
}

/// "4m", "2h 5m", "3d 4h": a first-response time.
pub fn span(d: Duration) -> String {
    let mins = d.num_minutes().max(0);
    match mins {
        0..60 => format!("{mins}m"),
        60..1440 if mins % 60 == 0 => format!("{}h", mins / 60),
        60..1440 => format!("{}h {}m", mins / 60, mins % 60),
        _ if mins % 1440 / 60 == 0 => format!("{}d", mins / 1440),
        _ => format!("{}d {}h", mins / 1440, mins % 1440 / 60),
    }
}

/// What a forgotten customer's posts kept as anonymous posts are signed with.
pub const FORGOTTEN_HANDLE: &str = "forgotten-customer";
pub const FORGOTTEN_NAME: &str = "forgotten customer";
/// What replaces their name, handles and other identifiers in texts kept.
pub const FORGOTTEN_MARK: &str = "[forgotten]";

/// What `forget` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Forgotten {
    pub handles: usize,
    pub posts_kept: usize,
    pub posts_deleted: usize,
    /// Replies, actions and follow-ups that lost their link to the customer.
    pub replies_unlinked: usize,
    pub actions_unlinked: usize,
    pub follow_ups_unlinked: usize,
}

/// The words that identify a customer in free text: their name and its parts, their handles and each handle's
/// user part, their email and the shop's key for them. Longest first, so a whole handle goes before its parts.
pub fn identifying_terms(c: &Customer) -> Vec<String> {
    let mut parts: Vec<String> = c.name.split_whitespace().map(str::to_string).collect();
    let mut terms = vec![c.name.clone(), c.email.clone(), c.external_id.clone()];
    for h in &c.handles {
        let handle = h.handle.trim_start_matches('@');
        terms.push(handle.to_string());
        parts.extend(handle.split(['@', '.']).next().map(str::to_string));
    }
    parts.extend(c.email.split('@').next().map(str::to_string));
    // A part of one or two letters is an initial or a word ("Al", "Jo"): too many false hits to scrub.
    terms.extend(parts.into_iter().filter(|t| t.chars().count() >= 3));
    terms.retain(|t| !t.trim().is_empty());
    terms.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
    terms.dedup();
    terms
}

/// `text` with every whole-word occurrence of the terms (case-insensitive) replaced by [`FORGOTTEN_MARK`].
pub fn scrub(text: &str, terms: &[String]) -> String {
    let mut out = text.to_string();
    for term in terms {
        out = replace_word(&out, term);
    }
    out
}

fn replace_word(text: &str, term: &str) -> String {
    let lower = text.to_lowercase();
    let needle = term.to_lowercase();
    // Lower-casing can change byte lengths (rare scripts): then the offsets do not line up, scrub the whole text.
    if lower.len() != text.len() {
        return if lower.contains(&needle) {
            FORGOTTEN_MARK.into()
        } else {
            text.into()
        };
    }
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(found) = lower[at..].find(&needle) {
        let start = at + found;
        let end = start + needle.len();
        let bounded = !word(text[..start].chars().next_back()) && !word(text[end..].chars().next());
        out.push_str(&text[at..start]);
        out.push_str(if bounded {
            FORGOTTEN_MARK
        } else {
            &text[start..end]
        });
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CustomerId, Handle};
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 10, 10, 0, 0).unwrap()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 10).unwrap()
    }

    fn summary() -> CustomerSummary {
        CustomerSummary {
            customer: Customer {
                id: CustomerId(1),
                name: "Priya Raman".into(),
                rank: 1,
                ..Default::default()
            },
            last_post: None,
            last_contact: Some(Contact {
                at: now() - Duration::days(3),
                kind: ActionKind::Replied,
            }),
            open_follow_ups: 0,
            next_due: None,
            unanswered: None,
        }
    }

    #[test]
    fn the_most_urgent_hint_wins() {
        let mut s = summary();
        assert_eq!(hint(&s, now(), today()), None, "in touch, nothing due");
        s.last_contact = Some(Contact {
            at: now() - Duration::days(QUIET_DAYS),
            kind: ActionKind::GiftSent,
        });
        assert_eq!(
            hint(&s, now(), today()),
            Some(Hint::Quiet { days: QUIET_DAYS })
        );
        s.next_due = Some(NaiveDate::from_ymd_opt(2026, 12, 3).unwrap());
        let h = hint(&s, now(), today()).unwrap();
        assert_eq!(h.text(today()), "follow-up overdue since 3 Dec");
        assert_eq!(h.urgency(), Urgency::Soon);
        s.next_due = Some(today());
        assert_eq!(
            hint(&s, now(), today()).unwrap().text(today()),
            "follow-up due today"
        );
        s.next_due = Some(today().succ_opt().unwrap());
        assert!(matches!(hint(&s, now(), today()), Some(Hint::Quiet { .. })));
        s.unanswered = Some((PostId(4), now() - Duration::hours(2)));
        let h = hint(&s, now(), today()).unwrap();
        assert_eq!(h.text(today()), "posted about a problem, no reply yet");
        assert_eq!(h.urgency(), Urgency::Now);
    }

    #[test]
    fn never_contacted_and_former_regulars() {
        let mut s = summary();
        s.last_contact = None;
        assert_eq!(hint(&s, now(), today()), Some(Hint::NeverContacted));
        assert_eq!(Hint::NeverContacted.text(today()), "never contacted");
        s.customer.former = true;
        assert_eq!(hint(&s, now(), today()), None, "no longer followed");
        s.unanswered = Some((PostId(4), now()));
        assert!(matches!(
            hint(&s, now(), today()),
            Some(Hint::Unanswered { .. })
        ));
    }

    #[test]
    fn medians_and_spans() {
        let m = |v: &[i64]| median(v.iter().map(|m| Duration::minutes(*m)).collect());
        assert_eq!(m(&[]), None);
        assert_eq!(m(&[30, 5, 10]), Some(Duration::minutes(10)));
        assert_eq!(m(&[10, 20, 40, 1000]), Some(Duration::minutes(30)));
        assert_eq!(span(Duration::minutes(4)), "4m");
        assert_eq!(span(Duration::minutes(125)), "2h 5m");
        assert_eq!(span(Duration::hours(3)), "3h");
        assert_eq!(span(Duration::hours(76)), "3d 4h");
        assert_eq!(span(Duration::days(2)), "2d");
    }

    #[test]
    fn identifying_words_are_scrubbed_whole() {
        let c = Customer {
            name: "Priya Raman".into(),
            email: "priya.r@example.com".into(),
            external_id: "C-1042".into(),
            handles: vec![Handle::imported(Network::Mastodon, "priya@hachyderm.io")],
            ..Default::default()
        };
        let terms = identifying_terms(&c);
        assert_eq!(
            scrub(
                "@priya@hachyderm.io Hi Priya! Priyanka, Raman's order C-1042 (priya.r@example.com)",
                &terms
            ),
            "@[forgotten] Hi [forgotten]! Priyanka, [forgotten]'s order [forgotten] ([forgotten])"
        );
        assert_eq!(scrub("Tomorrow", &["Tom".to_string()]), "Tomorrow");
    }
}
