//! The posts the console holds: those its lists, Detail and composer show. Everything else stays in the store.

use std::collections::{HashMap, HashSet};

use crate::domain::{Network, Post, PostId, first_response_by_shop};

#[derive(Debug, Clone, Default)]
pub struct PostCache {
    by_id: HashMap<PostId, Post>,
    by_native: HashMap<(Network, String), PostId>,
}

impl PostCache {
    pub fn get(&self, id: PostId) -> Option<&Post> {
        self.by_id.get(&id)
    }

    pub fn get_mut(&mut self, id: PostId) -> Option<&mut Post> {
        self.by_id.get_mut(&id)
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Adds (or refreshes) posts. A reply of the shop's answers the post it replies to (see
    /// [`first_response_by_shop`]); returns the posts so answered.
    pub fn insert(&mut self, posts: impl IntoIterator<Item = Post>) -> Vec<PostId> {
        let mut answers = Vec::new();
        for post in posts {
            if post.by_shop && post.in_reply_to.is_some() {
                answers.push(post.id);
            }
            self.by_native
                .insert((post.network, post.native_id.clone()), post.id);
            self.by_id.insert(post.id, post);
        }
        let mut answered = Vec::new();
        for id in answers {
            let Some(answer) = self.by_id.get(&id).cloned() else {
                continue;
            };
            let target = answer
                .in_reply_to
                .as_deref()
                .and_then(|n| self.by_native.get(&(answer.network, n.to_string())))
                .copied();
            if let Some(post) = target.and_then(|a| self.by_id.get_mut(&a))
                && post.first_response_at.is_none()
                && let Some(at) = first_response_by_shop(post, &answer)
            {
                post.first_response_at = Some(at);
                answered.push(post.id);
            }
        }
        answered
    }

    /// Keeps only the posts in `keep`.
    pub fn retain(&mut self, keep: &HashSet<PostId>) {
        self.by_id.retain(|id, _| keep.contains(id));
        self.by_native.retain(|_, id| keep.contains(id));
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::state::fixture::{now, post};

    #[test]
    fn a_reply_of_the_shops_answers_the_post_it_holds() {
        let mut cache = PostCache::default();
        cache.insert([post(
            1,
            "ann@example.social",
            None,
            true,
            60,
            "still waiting",
        )]);
        let mut reply = post(
            2,
            "shop@example.social",
            None,
            false,
            20,
            "so sorry, it ships today",
        );
        reply.in_reply_to = Some("n1".into());
        reply.by_shop = true;
        let mut not_shop = post(3, "bob@example.social", None, false, 10, "me too");
        not_shop.in_reply_to = Some("n1".into());
        assert!(cache.insert([not_shop]).is_empty());
        assert_eq!(cache.get(PostId(1)).unwrap().first_response_at, None);
        assert_eq!(cache.insert([reply]), vec![PostId(1)]);
        assert_eq!(
            cache.get(PostId(1)).unwrap().first_response_at,
            Some(now() - Duration::minutes(20))
        );
        cache.retain(&HashSet::from([PostId(2)]));
        assert!(cache.get(PostId(1)).is_none() && cache.len() == 1);
    }
}
