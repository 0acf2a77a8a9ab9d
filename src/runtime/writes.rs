//! Staff's work as store writes: each effect that changes the store becomes a [`Write`], a closure that can be
//! run again exactly as it was (same rows, same times, same keys) until the database takes it. The runner
//! holds writes the database refuses for now (see [`super::held`]) instead of dropping them.

use std::sync::Arc;

use crate::app::{Effect, Msg};
use crate::domain::{Post, Reply};
use crate::sources::SentReply;
use crate::store::{Repository, Result};

type Run = dyn Fn(&mut dyn Repository) -> Result<Option<Msg>> + Send + Sync;

/// One store write and the message its success sends to the UI.
#[derive(Clone)]
pub struct Write {
    /// What it saves, for staff (the failure message, what was left unsaved at quit).
    pub what: String,
    /// Writes with the same key replace each other while held: only the last one of a post's draft saves
    /// and deletes matters.
    pub key: Option<String>,
    run: Arc<Run>,
}

impl std::fmt::Debug for Write {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Write").field("what", &self.what).finish()
    }
}

impl Write {
    pub(super) fn new(
        what: impl Into<String>,
        run: impl Fn(&mut dyn Repository) -> Result<Option<Msg>> + Send + Sync + 'static,
    ) -> Write {
        Write {
            what: what.into(),
            key: None,
            run: Arc::new(run),
        }
    }

    pub(super) fn keyed(mut self, key: String) -> Write {
        self.key = Some(key);
        self
    }

    /// Runs it once on the store thread.
    pub async fn attempt(&self, store: &crate::store::Store) -> Result<Option<Msg>> {
        let run = self.run.clone();
        store.call(move |db| run(db)).await
    }

    /// The effect's write, done as `staff` (who is at the keyboard: named on what it writes); `None` when it
    /// writes nothing (reads, the network, the terminal).
    pub fn of(effect: &Effect, staff: &str) -> Option<Write> {
        let staff = staff.to_string();
        Some(match effect.clone() {
            Effect::SaveDraft(draft) => {
                let what = format!("the draft for post {}: {:?}", draft.post.0, draft.text);
                let key = format!("draft {}", draft.post.0);
                Write::new(what, move |db| {
                    db.save_draft(&staff, &draft)?;
                    Ok(Some(Msg::DraftSaved(draft.clone())))
                })
                .keyed(key)
            }
            Effect::DeleteDraft(post) => Write::new(
                format!("deleting the draft for post {}", post.0),
                move |db| db.delete_draft(&staff, post).map(|_| None),
            )
            .keyed(format!("draft {}", post.0)),
            Effect::LogAction(action) => {
                let what = format!("the action {}", action.kind.label());
                Write::new(what, move |db| {
                    db.log_action(&staff, &action)
                        .map(|a| Some(Msg::ActionLogged(a)))
                })
            }
            Effect::ScheduleFollowUp(follow_up) => Write::new("the follow-up", move |db| {
                db.schedule_follow_up(&staff, &follow_up)
                    .map(|(follow_up, action)| Some(Msg::FollowUpScheduled { follow_up, action }))
            }),
            Effect::CompleteFollowUp { id, at } => Write::new("the follow-up done", move |db| {
                db.complete_follow_up(&staff, id, at)
                    .map(|action| Some(Msg::FollowUpCompleted { id, action }))
            }),
            Effect::MarkRead { posts, at } => Write::new("what was read", move |db| {
                db.mark_read(&posts, at).map(|_| Some(Msg::ReadMarked))
            }),
            Effect::MarkAllRead { pane, query, at } => Write::new("what was read", move |db| {
                db.mark_all_read(&query, at)
                    .map(|count| Some(Msg::AllReadMarked { pane, count }))
            }),
            Effect::SavePlace { values, at } => Write::new("the console's place", move |db| {
                db.save_ui_state(&values, at).map(|_| None)
            })
            .keyed("place".into()),
            Effect::Reopen { post, at } => Write::new("the post reopened", move |db| {
                db.reopen_post(&staff, post, at)
                    .map(|done| done.map(|(post, action)| Msg::Reopened { post, action }))
            }),
            Effect::Dismiss { post, at } => Write::new("the post dismissed", move |db| {
                db.dismiss_post(&staff, post, at)
                    .map(|done| done.map(|(post, action)| Msg::Dismissed { post, action }))
            }),
            Effect::Undo(undo) => Write::new("the undo", move |db| {
                db.undo(&undo).map(|post| {
                    Some(Msg::Undone {
                        undo: undo.clone(),
                        post,
                    })
                })
            }),
            Effect::CorrectCategory { post, category, at } => {
                Write::new("the category correction", move |db| {
                    db.correct_post(&staff, post, category, at).map(|done| {
                        done.map(|(post, correction)| Msg::Corrected { post, correction })
                    })
                })
            }
            Effect::SaveCheckIn(record) => Write::new("the check-in", move |db| {
                db.record_check_in(&staff, &record).map(|_| None)
            }),
            Effect::SetAlwaysTellMe { customer, on } => {
                // Stamped once, so a write tried again is the same write.
                let at = chrono::Utc::now();
                Write::new("always tell me", move |db| {
                    db.set_always_tell_me(customer, on, at)
                        .map(|_| Some(Msg::AlwaysTellMeSet { customer, on }))
                })
            }
            Effect::Assign { post, to, by, at } => Write::new("the assignment", move |db| {
                db.assign(post, to.as_deref(), &by, at).map(|action| {
                    Some(Msg::Assigned {
                        post,
                        to: to.clone(),
                        action,
                    })
                })
            }),
            // Only the latest heartbeat matters: a newer one replaces one still waiting.
            Effect::Beat { staff, doing, at } => Write::new("the presence heartbeat", move |db| {
                db.beat(&staff, doing, at).map(|_| None)
            })
            .keyed("presence".into()),
            _ => return None,
        })
    }

    /// Logs a reply the server has, with the server's text: once per key, however often it is written
    /// (`found`: an unconfirmed send turned out to have gone out).
    pub fn reply(post: &Post, key: String, sent: SentReply, found: bool, staff: &str) -> Write {
        let reply = Reply {
            post: post.id,
            // Where it went: the demo network for demo posts.
            network: post.reply_route(),
            text: sent.text,
            sent_at: chrono::Utc::now(),
            url: sent.url,
            remote_id: sent.remote_id,
            idempotency_key: Some(key),
            staff: staff.to_string(),
        };
        let customer = post.customer;
        Write::new(
            format!("the record of the reply to post {}", post.id.0),
            move |db| {
                let (reply, action) = db.record_reply(&reply, customer)?;
                Ok(Some(if found {
                    Msg::ReplyFound { reply, action }
                } else {
                    Msg::ReplySent { reply, action }
                }))
            },
        )
    }
}
