//! Answers `Effect::Load`: reads a list's page or Detail's data from the store, on the store's thread.

use crate::app::{Load, Loaded};
use crate::state::lists::PAGE;
use crate::store::{Store, StoreError};

pub async fn load(store: &Store, load: Load) -> Result<Loaded, StoreError> {
    match load {
        Load::Posts {
            pane,
            generation,
            query,
            anchor,
            count,
        } => {
            let page = store
                .call(move |db| db.posts_page(&query, anchor, PAGE, count))
                .await?;
            Ok(Loaded::Posts {
                pane,
                generation,
                anchor,
                page,
            })
        }
        Load::Log {
            generation,
            anchor,
            count,
        } => {
            let page = store
                .call(move |db| db.actions_page(anchor, PAGE, count))
                .await?;
            Ok(Loaded::Log {
                generation,
                anchor,
                page,
            })
        }
        Load::Details(post) => {
            let details = store.call(move |db| db.post_details(post)).await?;
            Ok(Loaded::Details {
                post,
                details: details.map(Box::new),
            })
        }
    }
}
