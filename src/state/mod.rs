//! The console's state: plain data, changed only by `app::update`, read by `ui::render`.

pub mod checkin;
pub mod composer;
pub mod customers;
pub mod feed;
#[cfg(test)]
pub mod fixture;
pub mod follow_ups;
pub mod handles;
pub mod input;
pub mod lists;
pub mod live;
pub mod popup;
pub mod posts;
pub mod reads;
pub mod stats;
pub mod team;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};

use crate::config::{Keymap, Theme};
use crate::domain::{
    Customer, CustomerId, Draft, FollowUp, Network, Post, PostDetails, PostId, Reply, Search,
};
use crate::sources::{Health, Usage};
pub use checkin::CheckIn;
pub use composer::{Composer, Preparers};
pub use customers::{CustomersView, NoteEditor, StoryView};

pub use feed::{Filter, LogRow, Pane};
pub use follow_ups::FollowUpsView;
pub use input::LineInput;
pub use lists::{LogList, PostList};
pub use popup::{Popup, ReplyPicker};
pub use posts::PostCache;

/// What fills the screen: the panes, or a full-screen view over them (Esc goes back to the panes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    #[default]
    Panes,
    Customers,
    FollowUps,
    /// A check-in: its queue, one item at a time, then its summary (only its own keys end it).
    CheckIn,
    /// Response times and posts per day and hour, with charts.
    Stats,
}

/// What the console shows and works on. Rendering is a pure function of this.
#[derive(Debug, Clone)]
pub struct AppState {
    pub now: DateTime<Utc>,
    /// Local time offset for display (stored times are UTC).
    pub tz: FixedOffset,
    pub shop_name: String,
    /// What spend is shown in.
    pub currency: crate::money::Currency,
    pub demo: bool,
    pub keymap: Keymap,
    pub theme: Theme,
    /// Relative widths of the three columns of the wide layout (`[layout] columns`).
    pub columns: [u16; 3],
    /// The account replies go out as, per network (shown in the send confirmation).
    pub accounts: HashMap<Network, String>,
    /// What each network's replier would post (for the send confirmation).
    pub preparers: Preparers,
    /// Character limits servers announced (a Mastodon instance's own limit), over the networks' defaults.
    pub reply_limits: HashMap<Network, usize>,
    /// The posts the lists, Detail and the composer show (the store holds the rest).
    pub posts: PostCache,
    /// Each post pane's window onto its query (Regulars, Mentions, Attention, History).
    pub lists: BTreeMap<Pane, PostList>,
    /// The Log pane: due follow-ups above a window of actions.
    pub log: LogList,
    /// The customer whose history the History pane lists (it takes the Regulars pane's place while open).
    pub history: Option<CustomerId>,
    /// Open Attention items in the whole store (the status bar's count, whatever the filter).
    pub open_attention: usize,
    /// What Detail shows about the current post, read from the store.
    pub detail: Detail,
    pub customers: HashMap<CustomerId, Customer>,
    /// Replies sent to posts, by post: loaded with Detail and added as they go out.
    pub replies: HashMap<PostId, Vec<Reply>>,
    pub follow_ups: Vec<FollowUp>,
    /// What fills the screen.
    pub view: View,
    /// The Follow-ups view's selection and what it read.
    pub follow_up_view: FollowUpsView,
    /// The Stats view's report.
    pub stats: stats::StatsView,
    pub drafts: HashMap<PostId, Draft>,
    /// Teammates who have a draft on a post (never this console's person: theirs are in `drafts`).
    pub team_drafts: HashMap<PostId, Vec<String>>,
    /// Unread counts, the post being rested on, the place last saved.
    pub reads: reads::Reads,
    pub focus: Pane,
    /// Detail pane has the keys (j/k scroll it).
    pub detail_focused: bool,
    pub detail_scroll: u16,
    pub filter: Filter,
    /// The applied filter, parsed: what every post pane's query is narrowed by.
    pub search: Search,
    pub composer: Option<Composer>,
    /// The greetings and saved replies from the config.
    pub reply_texts: crate::config::ReplyTexts,
    /// The Customers view: its rows, the story open and the notes being edited.
    pub customers_view: CustomersView,
    pub popup: Option<Popup>,
    pub sources: BTreeMap<String, Health>,
    /// What metered sources have used of their allowance, by source.
    pub usage: HashMap<String, Usage>,
    /// When each source last delivered posts (for the stale warning).
    pub last_delivery: HashMap<String, DateTime<Utc>>,
    /// A one-line message in the status bar, with when it was set.
    pub flash: Option<(String, DateTime<Utc>)>,
    /// Why the database takes no writes now, by whose writes wait (the status bar says so until it does).
    pub unwritable: BTreeMap<crate::app::Writer, String>,
    /// What staff did last that can still be taken back (for [`crate::domain::UNDO_FOR`]), with when it was
    /// done.
    pub undo: Option<(crate::domain::Undo, DateTime<Utc>)>,
    /// The alerts policy (`[alerts]`) and what it has told so far.
    pub alerts: crate::alerts::Alerts,
    /// A check-in in progress, or its summary until dismissed.
    pub check_in: Option<CheckIn>,
    /// Mastodon is configured: a check-in's end marks its notifications read there too.
    pub sync_read_position: bool,
    /// `[checkin]`: how long a check-in lasts and what each kind of item takes.
    pub check_in_config: crate::config::checkin::CheckInConfig,
    /// The live link and the elected fetcher, on a shared (PostgreSQL) workspace.
    pub live: live::Live,
    /// Assignments, teammates' presence and the Mine filter.
    pub team: team::Team,
    pub size: (u16, u16),
    pub quitting: bool,
}

impl AppState {
    pub fn new(now: DateTime<Utc>, keymap: Keymap, theme: Theme) -> AppState {
        AppState {
            now,
            tz: FixedOffset::east_opt(0).unwrap_or_else(|| Utc.fix()),
            shop_name: String::new(),
            currency: crate::money::Currency::default(),
            demo: false,
            keymap,
            theme,
            columns: crate::config::layout::LayoutConfig::default().columns,
            accounts: HashMap::new(),
            preparers: Preparers::default(),
            reply_limits: HashMap::new(),
            posts: PostCache::default(),
            lists: Pane::POSTS
                .iter()
                .map(|p| (*p, PostList::default()))
                .collect(),
            log: LogList::default(),
            history: None,
            open_attention: 0,
            detail: Detail::default(),
            customers: HashMap::new(),
            replies: HashMap::new(),
            follow_ups: Vec::new(),
            view: View::default(),
            follow_up_view: FollowUpsView::default(),
            stats: stats::StatsView::default(),
            drafts: HashMap::new(),
            team_drafts: HashMap::new(),
            reads: reads::Reads::default(),
            focus: Pane::Attention,
            detail_focused: false,
            detail_scroll: 0,
            filter: Filter::default(),
            search: Search::default(),
            composer: None,
            reply_texts: crate::config::ReplyTexts::default(),
            customers_view: CustomersView::default(),
            popup: None,
            sources: BTreeMap::new(),
            usage: HashMap::new(),
            last_delivery: HashMap::new(),
            flash: None,
            unwritable: BTreeMap::new(),
            undo: None,
            alerts: crate::alerts::Alerts::default(),
            check_in: None,
            sync_read_position: false,
            check_in_config: Default::default(),
            live: live::Live::default(),
            team: team::Team::default(),
            size: (80, 24),
            quitting: false,
        }
    }

    /// What `undo` would take back now: `None` once it is older than [`crate::domain::UNDO_FOR`].
    pub fn undoable(&self) -> Option<&crate::domain::Undo> {
        self.undo
            .as_ref()
            .filter(|(_, at)| self.now - *at <= crate::domain::UNDO_FOR)
            .map(|(undo, _)| undo)
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

    /// Opens `customer`'s posts in the History pane (in the Regulars pane's place) and focuses it; a new
    /// customer's History starts from the top.
    pub fn open_history(&mut self, customer: CustomerId) {
        if self.history != Some(customer) {
            self.history = Some(customer);
            self.lists.insert(Pane::History, Default::default());
            self.reads.stale = true;
        }
        self.focus = Pane::History;
    }

    pub fn flash(&mut self, text: impl Into<String>) {
        self.flash = Some((text.into(), self.now));
    }
}

/// What Detail shows about a post besides the post itself, loaded from the store when the selection moves.
#[derive(Debug, Clone, Default)]
pub struct Detail {
    /// The post last asked for.
    pub wanted: Option<PostId>,
    /// The answer for `wanted` (an answer for another post is dropped).
    pub loaded: Option<PostDetails>,
    /// A read failed: none is asked for again before then.
    pub retry_at: Option<DateTime<Utc>>,
}

impl Detail {
    /// The details of `post`, once loaded.
    pub fn of(&self, post: PostId) -> Option<&PostDetails> {
        self.loaded.as_ref().filter(|d| d.post.id == post)
    }
}
