//! The console's state: plain data, changed only by `app::update`, read by `ui::render`.

pub mod composer;
pub mod feed;
#[cfg(test)]
pub mod fixture;
pub mod input;
pub mod popup;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};

use crate::config::{Keymap, Theme};
use crate::domain::{
    Action, Customer, CustomerId, Draft, FollowUp, Network, Post, PostId, Reply,
    first_response_by_shop,
};
use crate::sources::Health;
pub use composer::{Composer, Preparers};

pub use feed::{Filter, LogRow, Pane};
pub use input::LineInput;
pub use popup::Popup;

/// How many posts the console keeps in memory: the newest, plus every open Attention item. Older posts stay in
/// the store.
pub const WINDOW: usize = 5_000;

/// What the console shows and works on. Rendering is a pure function of this.
#[derive(Debug, Clone)]
pub struct AppState {
    pub now: DateTime<Utc>,
    /// Local time offset for display (stored times are UTC).
    pub tz: FixedOffset,
    pub shop_name: String,
    pub demo: bool,
    pub keymap: Keymap,
    pub theme: Theme,
    /// The account replies go out as, per network (shown in the send confirmation).
    pub accounts: HashMap<Network, String>,
    /// What each network's replier would post (for the send confirmation).
    pub preparers: Preparers,
    /// Character limits servers announced (a Mastodon instance's own limit), over the networks' defaults.
    pub reply_limits: HashMap<Network, usize>,
    pub posts: PostWindow,
    pub customers: HashMap<CustomerId, Customer>,
    /// Newest first.
    pub actions: Vec<Action>,
    pub replies: HashMap<PostId, Vec<Reply>>,
    pub follow_ups: Vec<FollowUp>,
    pub drafts: HashMap<PostId, Draft>,
    /// Posts that arrived live and have not been looked at.
    pub unread: HashSet<PostId>,
    pub focus: Pane,
    /// Selected post per post pane, by id so new arrivals do not move it.
    pub selected_post: BTreeMap<Pane, PostId>,
    /// Selected row of the Log pane.
    pub log_selected: usize,
    /// Detail pane has the keys (j/k scroll it).
    pub detail_focused: bool,
    pub detail_scroll: u16,
    pub filter: Filter,
    pub composer: Option<Composer>,
    pub popup: Option<Popup>,
    pub sources: BTreeMap<String, Health>,
    /// When each source last delivered posts (for the stale warning).
    pub last_delivery: HashMap<String, DateTime<Utc>>,
    /// A one-line message in the status bar, with when it was set.
    pub flash: Option<(String, DateTime<Utc>)>,
    pub notify_min_urgency: Option<f32>,
    /// A five-minute check-in in progress.
    pub check_in: Option<CheckIn>,
    pub size: (u16, u16),
    pub quitting: bool,
}

impl AppState {
    pub fn new(now: DateTime<Utc>, keymap: Keymap, theme: Theme) -> AppState {
        AppState {
            now,
            tz: FixedOffset::east_opt(0).unwrap_or_else(|| Utc.fix()),
            shop_name: String::new(),
            demo: false,
            keymap,
            theme,
            accounts: HashMap::new(),
            preparers: Preparers::default(),
            reply_limits: HashMap::new(),
            posts: PostWindow::default(),
            customers: HashMap::new(),
            actions: Vec::new(),
            replies: HashMap::new(),
            follow_ups: Vec::new(),
            drafts: HashMap::new(),
            unread: HashSet::new(),
            focus: Pane::Attention,
            log_selected: 0,
            selected_post: BTreeMap::new(),
            detail_focused: false,
            detail_scroll: 0,
            filter: Filter::default(),
            composer: None,
            popup: None,
            sources: BTreeMap::new(),
            last_delivery: HashMap::new(),
            flash: None,
            notify_min_urgency: None,
            check_in: None,
            size: (80, 24),
            quitting: false,
        }
    }

    pub fn customer_of(&self, post: &Post) -> Option<&Customer> {
        post.customer.and_then(|c| self.customers.get(&c))
    }

    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.tz).date_naive()
    }

    pub fn local(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        t.with_timezone(&self.tz)
    }

    /// Follow-ups not done and due today or earlier.
    pub fn due_follow_ups(&self) -> impl Iterator<Item = &FollowUp> {
        let today = self.today();
        self.follow_ups
            .iter()
            .filter(move |f| f.done_at.is_none() && f.due <= today)
    }

    /// The length limit for a reply on a network: what its server announced, else the network's default.
    pub fn reply_limit(&self, network: Network) -> crate::domain::ReplyLimit {
        match (network.reply_limit(), self.reply_limits.get(&network)) {
            (crate::domain::ReplyLimit::Chars(_), Some(max)) => {
                crate::domain::ReplyLimit::Chars(*max)
            }
            (default, _) => default,
        }
    }

    pub fn flash(&mut self, text: impl Into<String>) {
        self.flash = Some((text.into(), self.now));
    }
}

/// A short, focused pass over what needs the shop: started with `c`, ends after `CheckIn::LENGTH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckIn {
    pub started_at: DateTime<Utc>,
    /// How many actions were in the log when it started (what was done is the difference).
    pub actions_before: usize,
    /// The filter in force before, restored at the end.
    pub previous_filter: String,
}

impl CheckIn {
    pub const LENGTH_SECS: i64 = 300;

    pub fn remaining_secs(&self, now: DateTime<Utc>) -> i64 {
        (Self::LENGTH_SECS - (now - self.started_at).num_seconds()).max(0)
    }
}

/// The posts in memory, newest first, with lookups by id and by network id (for threads).
#[derive(Debug, Clone, Default)]
pub struct PostWindow {
    by_id: HashMap<PostId, Post>,
    /// Newest `created_at` first.
    order: Vec<PostId>,
    by_native: HashMap<(Network, String), PostId>,
}

impl PostWindow {
    pub fn get(&self, id: PostId) -> Option<&Post> {
        self.by_id.get(&id)
    }

    pub fn get_mut(&mut self, id: PostId) -> Option<&mut Post> {
        self.by_id.get_mut(&id)
    }

    pub fn by_native(&self, network: Network, native_id: &str) -> Option<&Post> {
        self.by_native
            .get(&(network, native_id.to_string()))
            .and_then(|id| self.by_id.get(id))
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Newest first.
    pub fn iter(&self) -> impl Iterator<Item = &Post> {
        self.order.iter().filter_map(|id| self.by_id.get(id))
    }

    /// Adds (or replaces) posts, keeps the order, and trims to `WINDOW` without dropping open Attention items.
    /// A reply of the shop's answers the post it replies to (see [`first_response_by_shop`]).
    pub fn insert(&mut self, posts: impl IntoIterator<Item = Post>) {
        let mut answers = Vec::new();
        for post in posts {
            if post.by_shop && post.in_reply_to.is_some() {
                answers.push(post.id);
            }
            if !self.by_id.contains_key(&post.id) {
                self.order.push(post.id);
            }
            self.by_native
                .insert((post.network, post.native_id.clone()), post.id);
            self.by_id.insert(post.id, post);
        }
        for id in answers {
            let Some(answer) = self.by_id.get(&id).cloned() else {
                continue;
            };
            let answered = answer
                .in_reply_to
                .as_deref()
                .and_then(|n| self.by_native.get(&(answer.network, n.to_string())))
                .copied();
            if let Some(post) = answered.and_then(|a| self.by_id.get_mut(&a))
                && let Some(at) = first_response_by_shop(post, &answer)
            {
                post.first_response_at = Some(at);
            }
        }
        let by_id = &self.by_id;
        self.order.sort_by(|a, b| {
            let (pa, pb) = (&by_id[a], &by_id[b]);
            pb.created_at.cmp(&pa.created_at).then(b.cmp(a))
        });
        if self.order.len() > WINDOW {
            let mut kept = 0;
            let by_id = &mut self.by_id;
            let by_native = &mut self.by_native;
            self.order.retain(|id| {
                let keep = kept < WINDOW
                    || by_id.get(id).is_some_and(|p| {
                        p.triage.category.needs_attention() && p.handled_at.is_none()
                    });
                kept += 1;
                if !keep && let Some(p) = by_id.remove(id) {
                    by_native.remove(&(p.network, p.native_id));
                }
                keep
            });
        }
    }

    /// The thread around a post: its ancestors (oldest first), then its direct replies (oldest first).
    pub fn thread(&self, post: &Post) -> (Vec<&Post>, Vec<&Post>) {
        let mut ancestors = Vec::new();
        let mut cursor = post.in_reply_to.as_deref();
        while let Some(parent) = cursor.and_then(|n| self.by_native(post.network, n)) {
            if ancestors.len() >= 20 || parent.id == post.id {
                break;
            }
            ancestors.push(parent);
            cursor = parent.in_reply_to.as_deref();
        }
        ancestors.reverse();
        let mut replies: Vec<&Post> = self
            .iter()
            .filter(|p| {
                p.network == post.network
                    && p.in_reply_to.as_deref() == Some(post.native_id.as_str())
            })
            .collect();
        replies.reverse();
        (ancestors, replies)
    }
}
