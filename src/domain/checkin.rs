//! The check-in: a short guided pass over what needs the shop since the last one, most important first, sized
//! to the time given. These are the rules (what kind of item a post is, the order, the estimates, what fits);
//! the store only gathers candidates, the console only walks the queue.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;

use super::{Category, FollowUpRow, Post, PostId};

/// Without a check-in before, the first one looks back this far for what is new.
pub const FIRST_LOOKBACK: Duration = Duration::hours(24);

/// At most this many posts are gathered for a check-in (newest first): far more than any check-in gets through.
pub const MAX_CANDIDATES: usize = 2000;

/// What the store found for a check-in: where it starts from, the candidate posts and the open follow-ups.
#[derive(Debug, Clone, PartialEq)]
pub struct Gathered {
    pub since: DateTime<Utc>,
    pub posts: Vec<Post>,
    pub follow_ups: Vec<FollowUpRow>,
}

/// What an item of the queue is, in the order the queue serves them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemKind {
    /// A regular's complaint or distress (a person in crisis tops even these).
    RegularInTrouble,
    /// Anyone else's complaint or distress still open.
    Complaint,
    /// A follow-up due today or overdue.
    FollowUpDue,
    /// A question addressed to the shop, not yet answered.
    Question,
    /// A regular's everyday post, new since the last check-in: worth a friendly word.
    RegularPost,
    /// Praise of the shop, new since the last check-in: worth a thank-you.
    Praise,
}

impl ItemKind {
    pub fn label(self) -> &'static str {
        match self {
            ItemKind::RegularInTrouble => "regular in trouble",
            ItemKind::Complaint => "complaint",
            ItemKind::FollowUpDue => "follow-up due",
            ItemKind::Question => "question",
            ItemKind::RegularPost => "regular's news",
            ItemKind::Praise => "praise",
        }
    }
}

/// Minutes an item of each kind takes, on average (`[checkin.estimates]`): what sizes the queue to the time.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Estimates {
    pub trouble: f64,
    pub complaint: f64,
    pub follow_up: f64,
    pub question: f64,
    pub regular: f64,
    pub praise: f64,
}

impl Default for Estimates {
    fn default() -> Estimates {
        Estimates {
            trouble: 2.0,
            complaint: 1.5,
            follow_up: 1.0,
            question: 1.0,
            regular: 0.5,
            praise: 0.5,
        }
    }
}

impl Estimates {
    /// Seconds for an item of `kind`.
    pub fn secs(&self, kind: ItemKind) -> i64 {
        let minutes = match kind {
            ItemKind::RegularInTrouble => self.trouble,
            ItemKind::Complaint => self.complaint,
            ItemKind::FollowUpDue => self.follow_up,
            ItemKind::Question => self.question,
            ItemKind::RegularPost => self.regular,
            ItemKind::Praise => self.praise,
        };
        (minutes * 60.0).round() as i64
    }

    /// Every estimate from 0 to 60 minutes, else the field named with the fix.
    pub fn check(&self) -> Result<(), String> {
        let fields = [
            ("trouble", self.trouble),
            ("complaint", self.complaint),
            ("follow_up", self.follow_up),
            ("question", self.question),
            ("regular", self.regular),
            ("praise", self.praise),
        ];
        match fields.iter().find(|(_, m)| !(0.0..=60.0).contains(m)) {
            None => Ok(()),
            Some((name, m)) => Err(format!(
                "checkin.estimates.{name} = {m}: give the minutes an item takes, from 0 to 60 (e.g. 1.5)"
            )),
        }
    }
}

/// One thing to look at in a check-in: a post, or a follow-up (with its post when it has one).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub kind: ItemKind,
    pub post: Option<PostId>,
    pub follow_up: Option<i64>,
    /// A person in crisis: first of all, never left for next time.
    pub crisis: bool,
    /// Within its kind, higher first: the post's Attention rank (the same as the Attention queue's, customer
    /// value aside: every item of a kind is a regular's or none is).
    pub rank: i64,
    /// Since when it has waited: the post's time, or the start of a follow-up's due day.
    pub waiting_since: DateTime<Utc>,
    /// What it should take, in seconds.
    pub secs: i64,
}

impl Item {
    /// What the queue calls it: its kind, or a person in crisis (whatever the kind) so nobody reads it as a
    /// mere complaint.
    pub fn label(&self) -> &'static str {
        if self.crisis {
            "person in crisis"
        } else {
            self.kind.label()
        }
    }
}

/// What kind of item a post is for a check-in starting from `since`, if any. Complaints, distress and questions
/// to the shop count while open, whatever their age; a regular's news and praise only when new.
pub fn kind_of(post: &Post, since: DateTime<Utc>) -> Option<ItemKind> {
    if post.by_shop || post.context || !post.is_open() {
        return None;
    }
    let new = post.created_at >= since;
    match post.triage.category {
        Category::Complaint | Category::Distress if post.customer.is_some() => {
            Some(ItemKind::RegularInTrouble)
        }
        Category::Complaint | Category::Distress => Some(ItemKind::Complaint),
        Category::Question if post.is_mention && post.first_response_at.is_none() => {
            Some(ItemKind::Question)
        }
        Category::Praise
            if new
                && post.first_response_at.is_none()
                && (post.is_mention || post.customer.is_some()) =>
        {
            Some(ItemKind::Praise)
        }
        _ if new && post.customer.is_some() && post.first_response_at.is_none() => {
            Some(ItemKind::RegularPost)
        }
        _ => None,
    }
}

/// Where a check-in starts from: the end of the last one, else [`FIRST_LOOKBACK`] before `now`.
pub fn since(last_end: Option<DateTime<Utc>>, now: DateTime<Utc>) -> DateTime<Utc> {
    last_end.unwrap_or(now - FIRST_LOOKBACK)
}

/// The whole queue, most important first: a person in crisis, then by kind, then by rank, then the longest
/// waiting. Due
/// follow-ups (on `today`, the shop's local date) whose post is already an item are not repeated.
pub fn queue(
    posts: &[Post],
    follow_ups: &[FollowUpRow],
    since: DateTime<Utc>,
    today: NaiveDate,
    estimates: &Estimates,
) -> Vec<Item> {
    let mut items: Vec<Item> = posts
        .iter()
        .filter_map(|p| {
            let kind = kind_of(p, since)?;
            Some(Item {
                kind,
                post: Some(p.id),
                follow_up: None,
                crisis: p.triage.is_crisis(),
                rank: crate::triage::attention_rank(
                    &p.triage,
                    None,
                    p.is_mention,
                    p.first_response_at.is_none(),
                ),
                waiting_since: p.created_at,
                secs: estimates.secs(kind),
            })
        })
        .collect();
    for row in follow_ups {
        let f = &row.follow_up;
        let repeated = f.post.is_some() && items.iter().any(|i| i.post == f.post);
        if f.done_at.is_some() || f.due > today || repeated {
            continue;
        }
        items.push(Item {
            kind: ItemKind::FollowUpDue,
            post: f.post,
            follow_up: Some(f.id),
            crisis: false,
            rank: 0,
            waiting_since: f.due.and_time(chrono::NaiveTime::MIN).and_utc(),
            secs: estimates.secs(ItemKind::FollowUpDue),
        });
    }
    items.sort_by_key(|i| {
        let rank = std::cmp::Reverse(i.rank);
        (
            !i.crisis,
            i.kind,
            rank,
            i.waiting_since,
            i.post,
            i.follow_up,
        )
    });
    items
}

/// The items of posts assigned to me move up, right after any person in crisis, each group in its order.
pub fn mine_first(items: &mut [Item], mine: impl Fn(PostId) -> bool) {
    items.sort_by_key(|i| (!i.crisis, !i.post.is_some_and(&mine)));
}

/// How many of `items` (in order) the check-in takes on in `budget_secs`: those that fit one after another,
/// at least the first, and every person in crisis whatever the time. The rest is left for next time.
pub fn fitting(items: &[Item], budget_secs: i64) -> usize {
    let crises = items.iter().take_while(|i| i.crisis).count();
    let mut used = 0;
    let fit = items
        .iter()
        .take_while(|i| {
            used += i.secs;
            used <= budget_secs
        })
        .count();
    fit.max(crises).max(usize::from(!items.is_empty()))
}

/// What was done in a check-in, counted as it goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Items shown.
    pub seen: u32,
    pub replied: u32,
    /// Actions logged other than replies and handling (a gift, a note, a follow-up...).
    pub logged: u32,
    /// Marked handled, resolved or dismissed.
    pub handled: u32,
}

impl Tally {
    /// Counts an action staff took.
    pub fn count(&mut self, kind: super::ActionKind) {
        use super::ActionKind as K;
        match kind {
            K::Replied => self.replied += 1,
            K::Handled | K::Resolved | K::Dismissed => self.handled += 1,
            K::Reopened | K::Assigned => {}
            K::GiftSent
            | K::DiscountOffered
            | K::Escalated
            | K::FollowUp
            | K::Note
            | K::FollowedUp => self.logged += 1,
        }
    }
}

/// A check-in as stored: when, how long it was planned for, what was done and what was left.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckInRecord {
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub planned_secs: i64,
    pub tally: Tally,
    /// Items not reached: left for next time.
    pub left: u32,
    /// Since when the oldest item still waiting at the end has waited.
    pub oldest_waiting: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::fixture;

    fn item(kind: ItemKind, secs: i64, crisis: bool) -> Item {
        Item {
            kind,
            post: None,
            follow_up: None,
            crisis,
            rank: 0,
            waiting_since: fixture::now(),
            secs,
        }
    }

    #[test]
    fn what_fits_is_taken_in_order_and_a_crisis_always() {
        let items = [
            item(ItemKind::RegularInTrouble, 180, false),
            item(ItemKind::Complaint, 120, false),
            item(ItemKind::Praise, 30, false),
        ];
        assert_eq!(fitting(&items, 300), 2, "the praise would go over");
        assert_eq!(fitting(&items, 330), 3);
        assert_eq!(fitting(&items, 60), 1, "at least the first");
        assert_eq!(fitting(&[], 300), 0);
        let crises = [
            item(ItemKind::Complaint, 180, true),
            item(ItemKind::RegularInTrouble, 180, true),
            item(ItemKind::RegularInTrouble, 180, false),
        ];
        assert_eq!(fitting(&crises, 300), 2, "no one in crisis is left");
    }

    #[test]
    fn my_items_come_first_after_anyone_in_crisis() {
        let on = |post: i64, crisis: bool| Item {
            post: Some(PostId(post)),
            ..item(ItemKind::Complaint, 60, crisis)
        };
        let mut items = [
            on(1, true),
            on(2, false),
            on(3, false),
            on(4, false),
            on(5, true),
        ];
        mine_first(&mut items, |p| {
            p == PostId(4) || p == PostId(2) || p == PostId(5)
        });
        let order: Vec<i64> = items.iter().filter_map(|i| i.post).map(|p| p.0).collect();
        assert_eq!(
            order,
            [5, 1, 2, 4, 3],
            "crisis first (mine among them first), then mine, each in order"
        );
    }

    #[test]
    fn estimates_are_checked_by_field() {
        assert!(Estimates::default().check().is_ok());
        let bad = Estimates {
            question: -1.0,
            ..Estimates::default()
        };
        let err = bad.check().unwrap_err();
        assert!(err.contains("checkin.estimates.question"), "{err}");
        assert_eq!(Estimates::default().secs(ItemKind::Complaint), 90);
    }
}
