//! Answers `Effect::Load`: reads a list's page or Detail's data from the store, on the store's thread.

use crate::app::{Load, Loaded};
use crate::state::lists::PAGE;
use crate::store::{Repository, Store, StoreError};

pub async fn load(store: &Store, load: Load) -> Result<Loaded, StoreError> {
    store.call(move |db| answer(db, load)).await
}

/// The answer to one load, read from `db`.
pub fn answer(db: &dyn Repository, load: Load) -> Result<Loaded, StoreError> {
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
    })
}
