//! A small, fixed workspace for update tests and UI snapshots: deterministic time, customers and posts,
//! triaged by the real classifier.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use super::AppState;
use crate::app::{Effect, Msg};
use crate::config::{Keymap, Theme};
use crate::domain::{
    ActionKind, Author, Customer, CustomerId, Draft, DraftState, FollowUp, Handle, IncomingPost,
    Network, NewAction, NewPost, Post, PostId,
};
use crate::sources::Health;
use crate::triage::Classifier;

/// One classifier for every fixture post (building one compiles the lexicon).
fn classifier() -> &'static Classifier {
    static CLASSIFIER: std::sync::OnceLock<Classifier> = std::sync::OnceLock::new();
    CLASSIFIER.get_or_init(Classifier::english)
}

/// Who is at the fixture's keyboard: what the runner would be told by `[me] name`.
pub const STAFF: &str = "ana";

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
}

fn customer(id: i64, name: &str, rank: u32, spend: i64, handle: &str) -> Customer {
    Customer {
        id: CustomerId(id),
        external_id: format!("C-{id}"),
        name: name.into(),
        rank,
        lifetime_spend_cents: spend,
        handles: vec![Handle {
            network: Network::Mastodon,
            handle: handle.into(),
            linked: false,
        }],
        note: "prefers rose gold".into(),
        ..Default::default()
    }
}

pub fn post(
    id: i64,
    handle: &str,
    customer: Option<i64>,
    mention: bool,
    minutes_ago: i64,
    text: &str,
) -> Post {
    Post {
        id: PostId(id),
        network: Network::Mastodon,
        native_id: format!("n{id}"),
        url: Some(format!("https://mastodon.example/@{handle}/{id}")),
        author: Author {
            handle: handle.into(),
            display_name: String::new(),
        },
        text: text.into(),
        created_at: now() - Duration::minutes(minutes_ago),
        ingested_at: now(),
        in_reply_to: None,
        reply_ref: None,
        customer: customer.map(CustomerId),
        is_mention: mention,
        by_shop: false,
        triage: classifier().classify(text),
        handled_at: None,
        dismissed_at: None,
        first_response_at: None,
        read_at: None,
        context: false,
        quotes: None,
        rating: None,
    }
}

/// A console over a real in-memory store: its panes and Detail read from it, as the console's do.
pub struct Desk {
    pub state: AppState,
    pub db: crate::store::Db,
}

impl Desk {
    /// Applies a message as the console does, answering the loads it asks for (and any that follow) from the
    /// store; returns the other effects.
    pub fn send(&mut self, msg: Msg) -> Vec<Effect> {
        let mut work = Vec::new();
        let mut effects = crate::app::update(&mut self.state, msg);
        while !effects.is_empty() {
            let mut next = Vec::new();
            for effect in effects {
                match effect {
                    Effect::Load(load) => {
                        let loaded = crate::loader::read(&self.db, load).unwrap();
                        next.extend(crate::app::update(&mut self.state, Msg::Loaded(loaded)));
                    }
                    Effect::GatherCheckIn { now } => {
                        let found = crate::loader::gather_check_in(&self.db, "ana", now);
                        let msg = Msg::CheckInGathered(found.map_err(|e| e.to_string()));
                        next.extend(crate::app::update(&mut self.state, msg));
                    }
                    Effect::LoadCustomers
                    | Effect::LoadDrafts
                    | Effect::LoadStory(_)
                    | Effect::SaveCustomerNote { .. }
                    | Effect::MarkRead { .. }
                    | Effect::MarkAllRead { .. }
                    | Effect::LoadTeam { .. }
                    | Effect::Assign { .. } => {
                        let msg = self.answer(effect);
                        next.extend(crate::app::update(&mut self.state, msg));
                    }
                    other => work.push(other),
                }
            }
            effects = next;
        }
        work
    }

    /// The Customers view's reads and writes and the read marks, answered from the store as the runner does.
    fn answer(&mut self, effect: Effect) -> Msg {
        use crate::store::{AssignRepo, ReadRepo, StoryRepo, WorkRepo};
        match effect {
            Effect::LoadDrafts => Msg::DraftsLoaded(Ok(crate::domain::DraftsSeen {
                mine: self.db.drafts(STAFF).unwrap(),
                team: self.db.team_drafts(STAFF).unwrap(),
            })),
            Effect::MarkRead { posts, at } => {
                self.db.mark_read(&posts, at).unwrap();
                Msg::ReadMarked
            }
            Effect::MarkAllRead { pane, query, at } => Msg::AllReadMarked {
                pane,
                count: self.db.mark_all_read(&query, at).unwrap(),
            },
            Effect::LoadCustomers => Msg::CustomersLoaded(Ok(self.db.customer_overview().unwrap())),
            Effect::LoadStory(customer) => Msg::StoryLoaded {
                customer,
                story: Ok(self.db.customer_story(customer, 200).unwrap().map(Box::new)),
            },
            Effect::SaveCustomerNote { customer, note } => {
                Msg::CustomerSaved(self.db.set_customer_note(customer, &note).unwrap())
            }
            Effect::LoadTeam { me, since } => {
                Msg::TeamLoaded(Ok(self.db.team_view(&me, since).unwrap()))
            }
            Effect::Assign { post, to, by, at } => Msg::Assigned {
                action: self.db.assign(post, to.as_deref(), &by, at).unwrap(),
                post,
                to,
            },
            other => panic!("not a store effect answered here: {other:?}"),
        }
    }

    /// Answers every load the state is waiting for.
    pub fn settle(&mut self) {
        let now = self.state.now;
        self.send(Msg::Tick(now));
    }

    /// Stores more posts (ids in order after the last), then reads every pane again.
    pub fn add(&mut self, posts: Vec<Post>) {
        store_posts(&mut self.db, posts);
        for list in self.state.lists.values_mut() {
            list.window = Default::default();
        }
        self.state.log.window = Default::default();
        self.state.detail = Default::default();
        self.state.reads.stale = true;
        self.settle();
    }

    /// Logs an action in the store, then reads the Log again.
    pub fn log(&mut self, action: NewAction) {
        use crate::store::LogRepo;
        self.db.log_action("ana", &action).unwrap();
        self.state.log.window = Default::default();
        self.settle();
    }

    /// Schedules a follow-up in the store (its action goes in the Log), then reads the Log and the open
    /// follow-ups again, as the console has them on start. Returns its id.
    pub fn follow_up(
        &mut self,
        post: Option<i64>,
        customer: Option<i64>,
        due: NaiveDate,
        note: &str,
    ) -> i64 {
        use crate::store::LogRepo;
        let (f, _) = self
            .db
            .schedule_follow_up(
                "ana",
                &crate::domain::NewFollowUp {
                    post: post.map(PostId),
                    customer: customer.map(CustomerId),
                    due,
                    note: note.into(),
                    created_at: now() - Duration::days(7),
                },
            )
            .unwrap();
        self.state.follow_ups = self.db.open_follow_ups().unwrap();
        self.state.log.window = Default::default();
        self.settle();
        f.id
    }

    /// Performs a follow-up's completion in the store and applies the answer, as the runner does.
    pub fn complete(&mut self, effects: &[Effect]) -> Vec<Effect> {
        use crate::store::LogRepo;
        let Some(&Effect::CompleteFollowUp { id, at }) = effects
            .iter()
            .find(|e| matches!(e, Effect::CompleteFollowUp { .. }))
        else {
            panic!("no completion in {effects:?}");
        };
        let action = self.db.complete_follow_up("ana", id, at).unwrap();
        self.send(Msg::FollowUpCompleted { id, action })
    }

    /// Performs the store writes among `effects` as the runner does (actions, follow-ups, reopen, dismiss,
    /// undo, corrections) and applies the answers; returns the effects left.
    pub fn perform(&mut self, effects: Vec<Effect>) -> Vec<Effect> {
        use crate::store::{LogRepo, ReviewRepo};
        let mut left = Vec::new();
        for effect in effects {
            let msg = match effect {
                Effect::LogAction(a) => Msg::ActionLogged(self.db.log_action("ana", &a).unwrap()),
                Effect::ScheduleFollowUp(f) => {
                    let (follow_up, action) = self.db.schedule_follow_up("ana", &f).unwrap();
                    Msg::FollowUpScheduled { follow_up, action }
                }
                Effect::CompleteFollowUp { id, at } => Msg::FollowUpCompleted {
                    id,
                    action: self.db.complete_follow_up("ana", id, at).unwrap(),
                },
                Effect::Reopen { post, at } => {
                    let (post, action) = self.db.reopen_post("ana", post, at).unwrap().unwrap();
                    Msg::Reopened { post, action }
                }
                Effect::Dismiss { post, at } => {
                    let (post, action) = self.db.dismiss_post("ana", post, at).unwrap().unwrap();
                    Msg::Dismissed { post, action }
                }
                Effect::Undo(undo) => Msg::Undone {
                    post: self.db.undo(&undo).unwrap(),
                    undo,
                },
                Effect::CorrectCategory { post, category, at } => {
                    let (post, correction) = self
                        .db
                        .correct_post("ana", post, category, at)
                        .unwrap()
                        .unwrap();
                    Msg::Corrected { post, correction }
                }
                other => {
                    left.push(other);
                    continue;
                }
            };
            let more = self.send(msg);
            left.extend(self.perform(more));
        }
        left
    }

    /// Selects a post in a pane (focusing it) and loads what that shows.
    pub fn select(&mut self, pane: super::Pane, id: PostId) {
        self.state.focus = pane;
        if let Some(list) = self.state.lists.get_mut(&pane) {
            list.selected = Some(id);
        }
        self.settle();
    }
}

/// Inserts posts as ingest would, keeping their ids (the store numbers them in order).
fn store_posts(db: &mut crate::store::Db, posts: Vec<Post>) {
    use crate::store::PostRepo;
    for p in posts {
        let new = NewPost {
            incoming: IncomingPost {
                network: p.network,
                native_id: p.native_id.clone(),
                url: p.url.clone(),
                author: p.author.clone(),
                text: p.text.clone(),
                created_at: p.created_at,
                in_reply_to: p.in_reply_to.clone(),
                reply_ref: p.reply_ref.clone(),
                addressed_to_shop: p.is_mention,
                context: p.context,
                quotes: p.quotes.clone().map(|native_id| crate::domain::Quote {
                    native_id,
                    text: None,
                }),
                rating: p.rating,
            },
            customer: p.customer,
            is_mention: p.is_mention,
            by_shop: p.by_shop,
            triage: p.triage.clone(),
            ingested_at: p.ingested_at,
        };
        let stored = db.insert_batch("fixture", &[new], &[]).unwrap();
        assert_eq!(stored[0].id, p.id, "fixture posts are stored in id order");
        if let Some(at) = p.read_at {
            crate::store::ReadRepo::mark_read(db, &[p.id], at).unwrap();
        }
    }
}

/// An empty console: no posts, no customers.
pub fn empty() -> AppState {
    AppState::new(now(), Keymap::defaults(), Theme::default())
}

/// A console with a few posts of every kind, a thread, an action, a draft and a follow-up due.
pub fn workspace() -> AppState {
    desk().state
}

/// [`desk`] with a stranger's complaint and a follow-up due on a customer (no post): a check-in's every kind.
pub fn desk_for_a_check_in() -> Desk {
    let mut desk = desk();
    desk.add(vec![post(
        7,
        "stranger@mstdn.social",
        None,
        true,
        20,
        "@marlowfinch my order arrived broken and nobody answers my emails. Really annoyed.",
    )]);
    desk.follow_up(
        None,
        Some(1),
        chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        "call about the resize",
    );
    desk
}

/// [`workspace`] with its store, to add posts and actions and select posts.
pub fn desk() -> Desk {
    use crate::store::{CustomerRepo, LogRepo, PostRepo, ReadRepo, WorkRepo};
    let mut db = crate::store::Db::open_in_memory().unwrap();
    let mut s = empty();
    s.shop_name = "Marlow & Finch".into();
    s.demo = true;
    let customers = [
        customer(1, "Priya Raman", 1, 1_482_000, "priya@hachyderm.io"),
        customer(2, "Tom Okafor", 2, 1_245_075, "tom@mastodon.social"),
        customer(3, "Ada Lind", 9, 41_550, "ada@mas.to"),
    ];
    let run = crate::domain::ImportRun::whole("fixture", s.now, &customers);
    for c in db.import_customers(&run, &customers).unwrap() {
        s.customers.insert(c.id, c);
    }
    let mut reply = post(
        6,
        "stranger@mstdn.social",
        None,
        false,
        5,
        "same thing happened to me with their engraving",
    );
    reply.in_reply_to = Some("n1".into());
    store_posts(
        &mut db,
        vec![
            post(
                1,
                "priya@hachyderm.io",
                Some(1),
                true,
                40,
                "@marlowfinch still waiting on my ring resize, it's been 6 weeks and nobody answers the phone. Really disappointed.",
            ),
            post(
                2,
                "tom@mastodon.social",
                Some(2),
                true,
                12,
                "@marlowfinch urgent: stranded in Lisbon and the ring for tomorrow's proposal is stuck in lost luggage. Please help!",
            ),
            post(
                3,
                "ada@mas.to",
                Some(3),
                false,
                90,
                "Bramble barked at the foxes again at 5am. The foxes remain unbothered.",
            ),
            post(
                4,
                "newbie@mastodon.social",
                None,
                true,
                30,
                "@marlowfinch do you engrave in Greek? What are your Saturday opening hours?",
            ),
            post(
                5,
                "fan@mas.to",
                None,
                true,
                200,
                "Picked up my necklace from #MarlowFinch today and it is gorgeous, thank you so much!",
            ),
            reply,
        ],
    );
    db.log_action(
        "ana",
        &NewAction {
            post: Some(PostId(5)),
            customer: None,
            kind: ActionKind::Replied,
            note: "thanked them".into(),
            at: now() - Duration::minutes(100),
            url: None,
        },
    )
    .unwrap();
    let draft = Draft {
        post: PostId(1),
        text: "Hi Priya, I'm so sorry".into(),
        cursor: (0, 22),
        state: DraftState::Editing,
        idempotency_key: "k1".into(),
        updated_at: now(),
    };
    db.save_draft(STAFF, &draft).unwrap();
    s.drafts.insert(PostId(1), draft);
    s.follow_ups.push(FollowUp {
        id: 1,
        post: Some(PostId(3)),
        customer: Some(CustomerId(3)),
        due: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        note: "ask how the repair holds up".into(),
        created_at: now() - Duration::days(3),
        done_at: None,
    });
    s.sources.insert("demo".into(), Health::Live);
    s.accounts
        .insert(Network::Mastodon, "@marlowfinch@mastodon.social".into());
    // Read before: all but post 2, which arrived since.
    let ids: Vec<PostId> = (1..=db.post_count().unwrap() as i64)
        .map(PostId)
        .filter(|id| *id != PostId(2))
        .collect();
    db.mark_read(&ids, now() - Duration::minutes(1)).unwrap();
    s.reads.stale = true;
    let mut desk = Desk { state: s, db };
    desk.settle();
    desk
}

/// The console as it is once the runner has started: a Mastodon replier for `@shop@mastodon.example` (its
/// token in a temp file that lives as long as the returned guard).
pub fn with_mastodon_replier(mut s: AppState) -> (AppState, tempfile::TempDir) {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "test-token").unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    let cfg = crate::sources::mastodon::MastodonConfig {
        instance: "https://mastodon.example".into(),
        token_env: None,
        token_file: Some(token),
        poll_seconds: 60,
        stream: false,
        keyword_search: false,
    };
    let replier = crate::sources::mastodon::MastodonReplier::new(
        "masto",
        &cfg,
        Some("shop@mastodon.example".into()),
        reqwest::Client::new(),
    )
    .unwrap();
    let repliers: std::collections::HashMap<Network, std::sync::Arc<dyn crate::sources::Replier>> =
        [(Network::Mastodon, std::sync::Arc::new(replier) as _)].into();
    s.preparers = super::Preparers::new(repliers);
    (s, dir)
}
