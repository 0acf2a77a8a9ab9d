//! The store's boundary: every operation the console, ingest and the CLI need, in domain types only. SQLite
//! ([`super::Db`]) implements it today; a second backend (PostgreSQL, for teams) implements the same traits and
//! nothing above the store changes. Grouped by concern; [`Repository`] is all of them.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::Result;
use crate::domain::checkin::CheckInRecord;
use crate::domain::{
    Action, ActionKey, Anchor, Category, Correction, Customer, CustomerId, CustomerStory,
    CustomerSummary, Draft, FollowUp, FollowUpRow, Forgotten, Handle, ImportRun, Listing, Located,
    Network, NewAction, NewFollowUp, NewPost, Page, Post, PostDetails, PostId, PostKey, PostQuery,
    PriorReply, Reply, Undo, Watched,
};
use crate::domain::{Claim, Doing, TeamView};
use crate::sources::Cursor;

/// Everything the app asks of a store.
pub trait Repository:
    PostRepo
    + ListRepo
    + WorkRepo
    + LogRepo
    + ReviewRepo
    + CustomerRepo
    + StoryRepo
    + CursorRepo
    + ReadRepo
    + AlertRepo
    + CheckInRepo
    + ReportRepo
    + TeamRepo
    + AssignRepo
    + Send
{
}

impl<
    T: PostRepo
        + ListRepo
        + WorkRepo
        + LogRepo
        + ReviewRepo
        + CustomerRepo
        + StoryRepo
        + CursorRepo
        + ReadRepo
        + AlertRepo
        + CheckInRepo
        + ReportRepo
        + TeamRepo
        + AssignRepo
        + Send,
> Repository for T
{
}

/// Writing what sources found.
pub trait PostRepo {
    /// Stores a batch from `source` in ONE transaction: the posts not seen before (dedupe on network + native
    /// id) and the source's cursors. Returns the newly stored posts, with ids, in input order. If anything
    /// fails, nothing is written, so the source resumes from its previous cursor.
    fn insert_batch(
        &mut self,
        source: &str,
        posts: &[NewPost],
        cursors: &[Cursor],
    ) -> Result<Vec<Post>> {
        Ok(self
            .insert_batches(&[(source, posts, cursors)])?
            .pop()
            .unwrap_or_default())
    }

    /// Several batches, `(source, posts, cursors)`, in ONE transaction (a backlog: one commit instead of one
    /// per batch), each stored as [`PostRepo::insert_batch`] stores it, in order. Returns each batch's new
    /// posts. If anything fails, nothing from any of them is written.
    fn insert_batches(
        &mut self,
        batches: &[(&str, &[NewPost], &[Cursor])],
    ) -> Result<Vec<Vec<Post>>>;

    fn post_count(&self) -> Result<u64>;
}

/// The read path: list panes as windowed queries with true counts, and what Detail shows.
pub trait ListRepo {
    /// Up to `limit` rows of `query` from `anchor`, in list order, each with its key; with the query's whole
    /// count when `count` is set.
    fn posts_page(
        &self,
        query: &PostQuery,
        anchor: Anchor<PostKey>,
        limit: usize,
        count: bool,
    ) -> Result<Page<(PostKey, Post)>>;

    /// The Log: actions, newest first.
    fn actions_page(
        &self,
        anchor: Anchor<ActionKey>,
        limit: usize,
        count: bool,
    ) -> Result<Page<Action>>;

    /// Everything Detail shows about a post; `None` when there is no such post.
    fn post_details(&self, id: PostId) -> Result<Option<PostDetails>>;
}

/// Drafts and sent replies.
pub trait WorkRepo {
    /// Saves (inserts or replaces) `staff`'s draft for its post: drafts are per person per post.
    fn save_draft(&mut self, staff: &str, draft: &Draft) -> Result<()>;
    /// `staff`'s drafts, most recently edited first.
    fn drafts(&self, staff: &str) -> Result<Vec<Draft>>;
    /// The posts teammates (anyone but `staff`) have a draft on, with their names, for Detail's "Ana has a
    /// draft".
    fn team_drafts(&self, staff: &str) -> Result<Vec<(PostId, String)>>;
    fn delete_draft(&mut self, staff: &str, post: PostId) -> Result<()>;
    /// Records a reply that went out (by `reply.staff`), in ONE transaction with its `replied` action, the
    /// post's first-response and handled times and the sender's draft's removal. Idempotent per key: a key already stored writes nothing and
    /// answers with the stored reply and action.
    fn record_reply(
        &mut self,
        reply: &Reply,
        customer: Option<crate::domain::CustomerId>,
    ) -> Result<(Reply, Action)>;
    /// Whether the shop already replied to a post, and when: the one place that says what that means.
    fn prior_reply(&self, post: PostId) -> Result<Option<PriorReply>>;
    /// Replies sent to a post, oldest first.
    fn replies_for_post(&self, post: PostId) -> Result<Vec<Reply>>;
}

/// Assistance actions and follow-ups.
pub trait LogRepo {
    /// Logs an action; a response sets the post's first-response time, `handled`/`resolved` its handled time.
    fn log_action(&mut self, staff: &str, action: &NewAction) -> Result<Action>;
    fn action_count(&self) -> Result<u64>;
    /// Schedules a follow-up and logs its `follow_up` action in one transaction.
    fn schedule_follow_up(
        &mut self,
        staff: &str,
        follow_up: &NewFollowUp,
    ) -> Result<(FollowUp, Action)>;
    /// Follow-ups not yet done, soonest due first.
    fn open_follow_ups(&self) -> Result<Vec<FollowUp>>;
    /// The open follow-ups as [`LogRepo::open_follow_ups`] orders them, each with its post and the shop's
    /// last contact (for the Follow-ups view).
    fn follow_up_rows(&self) -> Result<Vec<FollowUpRow>>;
    /// Marks a follow-up done and logs its `followed_up` action in ONE transaction; returns the action. A
    /// follow-up already done (or gone) keeps its first time and logs nothing: `None`.
    fn complete_follow_up(
        &mut self,
        staff: &str,
        id: i64,
        at: DateTime<Utc>,
    ) -> Result<Option<Action>>;
}

/// Taking back what was done and correcting triage: reopen, dismiss, undo, corrections.
pub trait ReviewRepo {
    /// Opens a handled or dismissed post again and logs `reopened`, in ONE transaction. Returns the post as now
    /// stored and the action; `None`: no such post.
    fn reopen_post(
        &mut self,
        staff: &str,
        post: PostId,
        at: DateTime<Utc>,
    ) -> Result<Option<(Post, Action)>>;
    /// "Not for us": sets the post's dismissed time (if unset) and logs `dismissed`, which is not a response,
    /// in ONE transaction. Returns the post as now stored and the action; `None`: no such post.
    fn dismiss_post(
        &mut self,
        staff: &str,
        post: PostId,
        at: DateTime<Utc>,
    ) -> Result<Option<(Post, Action)>>;
    /// Takes back `undo` in ONE transaction: its action deleted (and the post's handled, dismissed and
    /// first-response times it set unset again), a scheduled follow-up deleted, a done one open again, a
    /// correction deleted and the category put back. Returns the post it concerned, as now stored.
    fn undo(&mut self, undo: &Undo) -> Result<Option<Post>>;
    /// Sets a post's category as staff say, recording the correction with the category before it and the
    /// triage the post arrived with, and recomputes its Attention rank, in ONE transaction. Returns the post as
    /// now stored and the correction; `None`: no such post.
    fn correct_post(
        &mut self,
        staff: &str,
        post: PostId,
        category: Category,
        at: DateTime<Utc>,
    ) -> Result<Option<(Post, Correction)>>;
    /// Every correction, oldest first, each with its post as now stored.
    fn corrections(&self) -> Result<Vec<(Correction, Post)>>;
}

/// The shop's customers.
pub trait CustomerRepo {
    /// Stores an import's ranked top N in ONE transaction, by `external_id`: each one's record (name, rank,
    /// spend, email, orders, last purchase) and imported handles are replaced; the note is written only for a
    /// new customer (it is the shop's own after that), and handles linked by a person stay. Customers stored
    /// before and not in `ranked` are kept, marked former, with their notes and posts. The run is recorded.
    /// A handle claimed by two customers is a conflict; nothing is written then. Returns every customer as
    /// [`CustomerRepo::customers`] does.
    fn import_customers(&mut self, run: &ImportRun, ranked: &[Customer]) -> Result<Vec<Customer>>;
    /// Every customer: the regulars by rank, then former regulars by the rank they last had.
    fn customers(&self) -> Result<Vec<Customer>>;
    /// Links `handle` to the customer as confirmed by a person (stored with `linked`, kept by every import).
    /// Linking it again is harmless; a handle another customer holds is [`super::StoreError::Conflict`]
    /// naming them. Returns the customer with their handles.
    fn link_handle(&mut self, customer: CustomerId, handle: &Handle) -> Result<Customer>;
    /// Removes the customer's handle on `network`, linked or imported (an imported one comes back at the next
    /// import if the shop's database still lists it). Returns the customer with their handles.
    fn unlink_handle(
        &mut self,
        customer: CustomerId,
        network: Network,
        handle: &str,
    ) -> Result<Customer>;
    /// The [`crate::domain::forget_key`]s of the customers forgotten on request (an import skips them).
    fn forgotten_keys(&self) -> Result<HashSet<String>>;
}

/// Each customer's story: where they stand, their timeline, the shop's private notes, and forgetting them.
pub trait StoryRepo {
    /// Every customer (regulars by rank, then former ones) with their last post, the shop's last contact,
    /// open follow-ups and their latest problem left unanswered.
    fn customer_overview(&self) -> Result<Vec<CustomerSummary>>;
    /// A customer and the latest `limit` events of their timeline, newest first; `None`: no such customer.
    fn customer_story(&self, id: CustomerId, limit: usize) -> Result<Option<CustomerStory>>;
    /// Replaces the shop's private notes on a customer; returns the customer as stored.
    fn set_customer_note(&mut self, id: CustomerId, note: &str) -> Result<Customer>;
    /// Forgets a customer on request, in ONE transaction: their record and handles deleted, remembered only by
    /// [`crate::domain::forget_key`]; replies, actions and follow-ups kept without them; their posts kept as
    /// anonymous posts (or deleted `with_posts`); their name, handles, email and key scrubbed from every text
    /// kept.
    fn forget_customer(
        &mut self,
        id: CustomerId,
        with_posts: bool,
        at: DateTime<Utc>,
    ) -> Result<Forgotten>;
}

/// Where each source resumes (written only with the posts they led to, by [`PostRepo::insert_batch`]).
pub trait CursorRepo {
    fn cursors(&self, source: &str) -> Result<HashMap<String, String>>;
}

/// What staff have read, and where the console was left.
pub trait ReadRepo {
    /// Marks posts read at `at`; a post read before keeps its first time.
    fn mark_read(&mut self, posts: &[PostId], at: DateTime<Utc>) -> Result<()>;
    /// Marks every unread post of `query` read at `at`, in ONE statement; returns how many.
    fn mark_all_read(&mut self, query: &PostQuery, at: DateTime<Utc>) -> Result<u64>;
    /// The unread posts of each query, counted in the store (true counts, in order).
    fn unread_counts(&self, queries: &[PostQuery]) -> Result<Vec<u64>>;
    /// The unread posts listed by any of `listings`, each counted once (the status bar's total).
    fn unread_total(&self, listings: &[Listing]) -> Result<u64>;
    /// The first unread post of `query` after `after` in its order (from the top with `None`), with where it
    /// sits in the whole query.
    fn next_unread(&self, query: &PostQuery, after: Option<PostKey>) -> Result<Option<Located>>;
    /// Where `post` sits in `query`'s list (`None`: not in it), to open the list on it.
    fn locate(&self, query: &PostQuery, post: PostId) -> Result<Option<Located>>;
    /// The console's saved place: focus, selections, filter, as the app wrote them (name to value).
    fn ui_state(&self) -> Result<HashMap<String, String>>;
    /// Replaces the saved place with `values`, in ONE transaction.
    fn save_ui_state(&mut self, values: &[(String, String)], at: DateTime<Utc>) -> Result<()>;
}

/// What alerts keep and read: the customers staff always want to hear about ("always tell me"), and the recent
/// activity the spike alert weighs (the rule itself is `alerts::spike::detect`).
pub trait AlertRepo {
    fn always_tell_me(&self) -> Result<HashSet<CustomerId>>;
    /// Turns "always tell me" on or off for a customer.
    fn set_always_tell_me(
        &mut self,
        customer: CustomerId,
        on: bool,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// How many posts of a kind were created in each of the `hours` hours before `until`, oldest first (the
    /// last is the hour just before `until`).
    fn hourly_counts(&self, watched: Watched, until: DateTime<Utc>, hours: u32)
    -> Result<Vec<u32>>;
    /// The texts of the newest `most` posts of a kind created in `[since, until)`.
    fn watched_texts(
        &self,
        watched: Watched,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        most: usize,
    ) -> Result<Vec<String>>;
}

/// Check-ins: what one gathers, and each one kept (the next starts where the last ended).
pub trait CheckInRepo {
    /// The posts a check-in from `since` may take up, newest first, at most `limit`: every open complaint,
    /// distress and unanswered question to the shop, and the open posts from `since` on, none of the shop's own
    /// or kept only as context. Which of them are items is [`crate::domain::checkin::kind_of`]'s to say.
    fn check_in_posts(&self, since: DateTime<Utc>, limit: usize) -> Result<Vec<Post>>;
    /// Stores a check-in `staff` ran that ended.
    fn record_check_in(&mut self, staff: &str, record: &CheckInRecord) -> Result<()>;
    /// `staff`'s last check-in stored (the latest end), if any: each person's check-in takes up what came
    /// since their own last one.
    fn last_check_in(&self, staff: &str) -> Result<Option<CheckInRecord>>;
}

/// What reports, the digest, the Stats view and `regulars export` read: counted in the store or handed over a
/// row at a time, so a million posts never sit in memory. The rules (what a response is, which percentile,
/// business hours) are in [`crate::report`].
pub trait ReportRepo {
    /// Each post that arrived in `[from, to)`, not the shop's own nor stored only as context, with the times
    /// reports count from, handed to `each` one at a time. Returns how many.
    fn response_times(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        each: &mut dyn FnMut(crate::report::PostTimes),
    ) -> Result<u64>;
    /// The same posts counted per quarter hour (UTC) and category, in time order.
    fn post_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<crate::report::QuarterCount>>;
    /// The customers who posted since `since`, regulars by rank then former ones, with their posts counted.
    fn regulars_posting(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<crate::report::digest::RegularPosting>>;
    /// Every post that arrived since `since` (all with `None`), in storage order, handed to `each` one at a
    /// time; a write error from `each` stops it. Returns how many.
    fn each_post(
        &self,
        since: Option<DateTime<Utc>>,
        each: &mut dyn FnMut(&Post) -> std::io::Result<()>,
    ) -> Result<u64>;
    /// Every action logged since `since`, oldest first, as [`ReportRepo::each_post`].
    fn each_action(
        &self,
        since: Option<DateTime<Utc>>,
        each: &mut dyn FnMut(&Action) -> std::io::Result<()>,
    ) -> Result<u64>;
    /// Every reply sent since `since`, oldest first, as [`ReportRepo::each_post`].
    fn each_reply(
        &self,
        since: Option<DateTime<Utc>>,
        each: &mut dyn FnMut(&Reply) -> std::io::Result<()>,
    ) -> Result<u64>;
}

/// A team on one workspace: never two replies to one post unless a person says so.
pub trait TeamRepo {
    /// Takes the claim on `post` for `staff` before sending the reply with idempotency key `key`, in ONE
    /// transaction that records the attempt. When someone else claimed the post or replied to it, nothing is
    /// written and they are named ([`Claim::Taken`]), unless `anyway` (a person confirmed): then the claim
    /// changes hands and the override is recorded. Of two senders at the same moment exactly one is granted.
    /// The same attempt asking again (a resend with the same key) is granted.
    fn claim_reply(
        &mut self,
        post: PostId,
        staff: &str,
        key: &str,
        at: DateTime<Utc>,
        anyway: bool,
    ) -> Result<Claim>;
    /// Gives up the claim an attempt took (its reply is known not to have gone out), so nobody is asked about
    /// it; a claim taken since by someone else stays.
    fn release_claim(&mut self, post: PostId, key: &str) -> Result<()>;
}

/// A team on one workspace: who has which post, and who is looking at what.
pub trait AssignRepo {
    /// Gives `post` to `to` (`None`: to nobody) as `by` asks, and logs an `assigned` action saying so, in ONE
    /// transaction. When the post already is so, nothing is written: `None`.
    fn assign(
        &mut self,
        post: PostId,
        to: Option<&str>,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<Action>>;
    /// The assignees of the open posts, and the heartbeats since `since` of everyone but `me`.
    fn team_view(&self, me: &str, since: DateTime<Utc>) -> Result<TeamView>;
    /// Records what `staff` is doing at `at` (`None`: nothing, their heartbeat goes).
    fn beat(
        &mut self,
        staff: &str,
        doing: Option<(PostId, Doing)>,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// The round robin, in ONE transaction: each of `posts` nobody has goes to the next of those with a
    /// heartbeat since `since` (in name order, after whoever the round robin gave a post last), each logged.
    /// Nobody present: nothing is dealt.
    fn deal(
        &mut self,
        posts: &[PostId],
        since: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Vec<Action>>;
}
