//! A team on one workspace, as this console sees it: who I am, who has which post, what teammates are doing
//! (their heartbeats), the Mine filter, and what this console last told the others it is doing.

use crate::domain::{Doing, PostId, Presence, TeamView};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Team {
    /// `[me] name`: whom "assign to me" and the Mine filter name.
    pub me: String,
    /// `[team] members`, in the configured order (the assign picker adds whoever else it has seen).
    pub members: Vec<String>,
    /// As last read from the store.
    pub view: TeamView,
    /// Something changed since the view was read: read it again.
    pub stale: bool,
    /// A read is on its way; `again`: something changed meanwhile, so read once more after it.
    pub loading: bool,
    pub again: bool,
    /// The post lists show only posts assigned to me.
    pub mine: bool,
    /// What this console last told the others (`None`: nothing, or never said).
    pub told: Option<(PostId, Doing)>,
}

/// The assign picker: the teammates to choose from (me first), the one chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignPicker {
    pub post: PostId,
    pub names: Vec<String>,
    pub selected: usize,
}

impl Team {
    /// Who has `post`, if anyone.
    pub fn assignee(&self, post: PostId) -> Option<&str> {
        self.view.assignees.get(&post).map(String::as_str)
    }

    /// Teammates at `post` now, replying first.
    pub fn at(&self, post: PostId) -> Vec<&Presence> {
        self.view.on(post)
    }

    /// Everyone to offer in the picker: me, the configured members, then whoever was seen working or holding a
    /// post, each once.
    pub fn known(&self) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        let mut others: Vec<&String> = self.view.assignees.values().collect();
        others.extend(self.view.present.iter().map(|p| &p.staff));
        others.sort();
        let names = std::iter::once(&self.me)
            .chain(self.members.iter())
            .chain(others);
        for name in names {
            if !seen.contains(name) {
                seen.push(name.clone());
            }
        }
        seen
    }

    /// "Ana is replying" / "Ana and Ben are viewing": what others are doing with `post`, in words.
    pub fn presence_line(&self, post: PostId) -> Option<String> {
        let at = self.at(post);
        let said = |doing: Doing| {
            let names: Vec<&str> = at
                .iter()
                .filter(|p| p.doing == doing)
                .map(|p| p.staff.as_str())
                .collect();
            match names.as_slice() {
                [] => None,
                [one] => Some(format!("{one} is {}", doing.as_str())),
                [rest @ .., last] => Some(format!(
                    "{} and {last} are {}",
                    rest.join(", "),
                    doing.as_str()
                )),
            }
        };
        let parts: Vec<String> = [Doing::Replying, Doing::Viewing]
            .into_iter()
            .filter_map(said)
            .collect();
        (!parts.is_empty()).then(|| parts.join(" · "))
    }
}

impl super::AppState {
    /// The drafts as stored: this person's (from another console of theirs) by post, and teammates' names per
    /// post. The draft open in the composer is the composer's: what is typed there wins over what was read.
    pub fn take_drafts(&mut self, seen: crate::domain::DraftsSeen) {
        let mut mine: std::collections::HashMap<PostId, crate::domain::Draft> =
            seen.mine.into_iter().map(|d| (d.post, d)).collect();
        if let Some(open) = self.composer.as_ref().map(|c| c.post) {
            match self.drafts.remove(&open) {
                Some(draft) => mine.insert(open, draft),
                None => mine.remove(&open),
            };
        }
        self.drafts = mine;
        self.team_drafts.clear();
        for (post, name) in seen.team {
            self.team_drafts.entry(post).or_default().push(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn presence(staff: &str, post: i64, doing: Doing) -> Presence {
        Presence {
            staff: staff.into(),
            post: PostId(post),
            doing,
            at: DateTime::from_timestamp_millis(0).unwrap(),
        }
    }

    #[test]
    fn presence_in_words_replying_first() {
        let mut team = Team::default();
        team.view.present = vec![
            presence("cy", 1, Doing::Viewing),
            presence("ana", 1, Doing::Replying),
            presence("ben", 1, Doing::Viewing),
            presence("dee", 2, Doing::Viewing),
        ];
        assert_eq!(
            team.presence_line(PostId(1)).as_deref(),
            Some("ana is replying · ben and cy are viewing")
        );
        assert_eq!(team.presence_line(PostId(3)), None);
    }

    #[test]
    fn the_picker_knows_me_the_members_and_whoever_was_seen() {
        let mut team = Team {
            me: "ben".into(),
            members: vec!["ana".into(), "ben".into()],
            ..Team::default()
        };
        team.view.assignees.insert(PostId(4), "zoe".into());
        team.view.present = vec![presence("cy", 1, Doing::Viewing)];
        assert_eq!(team.known(), ["ben", "ana", "cy", "zoe"]);
    }
}
