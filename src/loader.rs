//! Answers `Effect::Load`: reads a list's page or Detail's data from the store, on the store's thread.

use crate::app::{Effect, Load, Loaded, Msg, update};
use crate::state::AppState;
use crate::state::lists::PAGE;
use crate::store::{Repository, Store, StoreError};

pub async fn load(store: &Store, load: Load) -> Result<Loaded, StoreError> {
    store.call(move |db| read(db, load)).await
}

/// Answers every load `state` asks for (and those that follow from the answers) before returning: the state
/// the console opens on, whole, before its first frame.
pub async fn settle(store: &Store, state: &mut AppState) -> Result<(), StoreError> {
    let now = state.now;
    let effects = update(state, Msg::Tick(now));
    answer(store, state, effects).await.map(drop)
}

/// Answers the loads among `effects` and those that follow from the answers, there and then; returns the
/// other effects (for a caller that applies messages outside the console's loop, as the bench does).
pub async fn answer(
    store: &Store,
    state: &mut AppState,
    mut effects: Vec<Effect>,
) -> Result<Vec<Effect>, StoreError> {
    let mut others = Vec::new();
    while !effects.is_empty() {
        let mut next = Vec::new();
        for effect in effects {
            match effect {
                Effect::Load(load) => {
                    let loaded = self::load(store, load).await?;
                    next.extend(update(state, Msg::Loaded(loaded)));
                }
                other => others.push(other),
            }
        }
        effects = next;
    }
    Ok(others)
}

/// The answer to one load, read from `db`.
/// A check-in's candidates, from the end of `staff`'s last one (see [`crate::domain::checkin::since`]).
pub fn gather_check_in(
    db: &dyn Repository,
    staff: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<crate::domain::checkin::Gathered, StoreError> {
    use crate::domain::checkin;
    let last = db.last_check_in(staff)?.map(|r| r.ended_at);
    let since = checkin::since(last, now);
    Ok(checkin::Gathered {
        since,
        posts: db.check_in_posts(since, checkin::MAX_CANDIDATES)?,
        follow_ups: db.follow_up_rows()?,
    })
}

pub fn read(db: &dyn Repository, load: Load) -> Result<Loaded, StoreError> {
    Ok(match load {
        Load::Posts {
            pane,
            generation,
            query,
            anchor,
            count,
        } => Loaded::Posts {
            pane,
            generation,
            anchor,
            page: db.posts_page(&query, anchor, PAGE, count)?,
        },
        Load::Log {
            generation,
            anchor,
            count,
        } => Loaded::Log {
            generation,
            anchor,
            page: db.actions_page(anchor, PAGE, count)?,
        },
        Load::Details(post) => Loaded::Details {
            post,
            details: db.post_details(post)?.map(Box::new),
        },
        Load::FollowUps => Loaded::FollowUps(db.follow_up_rows()?),
        // `to` is now: what is still open within its day is waiting, not late.
        Load::Stats { hours, from, to } => {
            Loaded::Stats(Box::new(crate::report::build(db, &hours, from, to, to)?))
        }
        Load::Unread { panes, listings } => {
            let queries: Vec<_> = panes.iter().map(|(_, q)| q.clone()).collect();
            let counts = db.unread_counts(&queries)?;
            Loaded::Unread {
                counts: panes.iter().map(|(p, _)| *p).zip(counts).collect(),
                total: db.unread_total(&listings)?,
            }
        }
        Load::NextUnread { jump, tries } => {
            let mut found = None;
            for (pane, query, after) in tries {
                if let Some(located) = db.next_unread(&query, after)? {
                    found = Some((pane, Box::new(located)));
                    break;
                }
            }
            Loaded::Found { jump, found }
        }
        Load::Locate { pane, query, post } => Loaded::Relocated {
            pane,
            found: db.locate(&query, post)?.map(Box::new),
        },
    })
}
