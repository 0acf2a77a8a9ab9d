//! Popups over the panes: help, the action form, the follow-up form, the questions (send? reply again? close
//! the follow-up?), sources.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::config::SavedReply;
use crate::domain::{ActionKind, FollowUp, PostId, PriorReply};
use crate::sources::Prepared;

use super::LineInput;

#[derive(Debug, Clone, PartialEq)]
pub enum Popup {
    Help {
        scroll: u16,
    },
    Action(ActionForm),
    FollowUp(FollowUpForm),
    /// "Send this reply?", with exactly what will be posted (`None`: no account configured for the network).
    ConfirmSend {
        post: PostId,
        prepared: Option<Prepared>,
    },
    /// "already replied 10:42 by this console: reply again?", over the composer just opened.
    ConfirmReplyAgain {
        post: PostId,
        prior: PriorReply,
    },
    /// "ana replied 10:42: send yours anyway?", after a send found a teammate's claim or reply on the post.
    ConfirmClaimed {
        post: PostId,
        taken: crate::domain::Taken,
    },
    /// "Priya has a follow-up due today: ... Close it?", after a reply to her (`who`: as the view names them).
    CloseFollowUp {
        follow_up: FollowUp,
        who: String,
    },
    /// The sources and their health; `scroll` is the first list row shown.
    Sources {
        scroll: u16,
    },
    /// "Mark the 12 unread posts in Mentions read?" (`count`: as last counted).
    ConfirmMarkAllRead {
        pane: super::Pane,
        count: u64,
    },
    /// Accounts found for a customer's name, one to link.
    Candidates(super::handles::CandidatesPopup),
    /// A customer's handles, one to unlink.
    Unlink(super::handles::UnlinkPopup),
    /// The categories staff can correct a post to; `selected` indexes [`crate::domain::CORRECTIONS`].
    Correct {
        post: PostId,
        selected: usize,
    },
    /// The saved replies, over the composer: type to filter, one to insert or to replace the draft.
    SavedReplies(ReplyPicker),
    /// The teammates a post can be assigned to, one to choose.
    Assign(super::team::AssignPicker),
}

impl Popup {
    /// The post the popup is about, if any.
    pub fn post(&self) -> Option<PostId> {
        match self {
            Popup::Action(f) => Some(f.post),
            Popup::Correct { post, .. } => Some(*post),
            Popup::Assign(picker) => Some(picker.post),
            Popup::FollowUp(f) => Some(f.post),
            Popup::ConfirmSend { post, .. }
            | Popup::ConfirmReplyAgain { post, .. }
            | Popup::ConfirmClaimed { post, .. } => Some(*post),
            Popup::CloseFollowUp { follow_up, .. } => follow_up.post,
            Popup::Help { .. }
            | Popup::Sources { .. }
            | Popup::ConfirmMarkAllRead { .. }
            | Popup::Candidates(_)
            | Popup::Unlink(_)
            | Popup::SavedReplies(_) => None,
        }
    }
}

/// The saved-replies picker: what staff typed to find one, and which of the matching replies is chosen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplyPicker {
    pub query: LineInput,
    /// Index into the matching replies.
    pub selected: usize,
}

impl ReplyPicker {
    /// The replies matching the query, in config order.
    pub fn matching<'a>(&self, replies: &'a [SavedReply]) -> Vec<&'a SavedReply> {
        replies
            .iter()
            .filter(|r| r.matches(self.query.text()))
            .collect()
    }

    pub fn chosen<'a>(&self, replies: &'a [SavedReply]) -> Option<&'a SavedReply> {
        self.matching(replies).get(self.selected).copied()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActionForm {
    pub post: PostId,
    /// Index into `ActionKind::LOGGABLE`.
    pub kind: usize,
    pub note: LineInput,
}

impl ActionForm {
    pub fn kind(&self) -> ActionKind {
        ActionKind::LOGGABLE[self.kind.min(ActionKind::LOGGABLE.len() - 1)]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpForm {
    pub post: PostId,
    pub date: LineInput,
    pub note: LineInput,
    /// 0 = date, 1 = note.
    pub field: usize,
    pub error: Option<String>,
}

/// Reads a follow-up date as staff type it: `2026-12-01`, `+3` / `3d` (days from today), `1w`, `tomorrow`,
/// or a weekday (`fri`: the next one).
pub fn parse_due(input: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let s = input.trim().to_lowercase();
    if let Ok(d) = NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
        return if d < today {
            Err(format!("{d} is in the past"))
        } else {
            Ok(d)
        };
    }
    match s.as_str() {
        "today" => return Ok(today),
        "tomorrow" | "tmr" => return Ok(today + Duration::days(1)),
        _ => {}
    }
    let number = |t: &str| t.parse::<i64>().ok().filter(|n| (0..=3650).contains(n));
    if let Some(n) = s
        .strip_prefix('+')
        .and_then(number)
        .or_else(|| s.strip_suffix('d').and_then(number))
    {
        return Ok(today + Duration::days(n));
    }
    if let Some(n) = s.strip_suffix('w').and_then(number) {
        return Ok(today + Duration::weeks(n));
    }
    let weekdays = [
        ("mon", Weekday::Mon),
        ("tue", Weekday::Tue),
        ("wed", Weekday::Wed),
        ("thu", Weekday::Thu),
        ("fri", Weekday::Fri),
        ("sat", Weekday::Sat),
        ("sun", Weekday::Sun),
    ];
    if s.len() >= 3
        && let Some((_, wd)) = weekdays.iter().find(|(p, _)| s.starts_with(p))
    {
        let ahead =
            (wd.num_days_from_monday() as i64 - today.weekday().num_days_from_monday() as i64 + 7)
                % 7;
        return Ok(today + Duration::days(if ahead == 0 { 7 } else { ahead }));
    }
    Err(format!(
        "`{input}` is not a date: type 2026-12-01, +3, 1w, tomorrow or a weekday"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_dates_as_staff_type_them() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(); // a Sunday
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(parse_due("2026-12-01", today), Ok(d(2026, 12, 1)));
        assert_eq!(parse_due("+3", today), Ok(d(2026, 11, 25)));
        assert_eq!(parse_due("3d", today), Ok(d(2026, 11, 25)));
        assert_eq!(parse_due("1w", today), Ok(d(2026, 11, 29)));
        assert_eq!(parse_due("Tomorrow", today), Ok(d(2026, 11, 23)));
        assert_eq!(parse_due("fri", today), Ok(d(2026, 11, 27)));
        assert_eq!(parse_due("sunday", today), Ok(d(2026, 11, 29)));
        assert!(parse_due("2026-01-01", today).unwrap_err().contains("past"));
        assert!(
            parse_due("soonish", today)
                .unwrap_err()
                .contains("not a date")
        );
    }
}
