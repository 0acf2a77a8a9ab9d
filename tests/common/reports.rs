//! A week of a shop's posts, answers and actions with known times, for the report, digest and export tests:
//! Mon 23 to Sun 29 Nov 2026 (GMT, so London time is UTC), Friday 27th a closed day.

use chrono::{DateTime, NaiveDate, Utc};
use regulars::domain::{
    ActionKind, Author, Category, Customer, CustomerId, Handle, ImportRun, IncomingPost, Network,
    NewAction, NewFollowUp, NewPost, Post, Reply,
};
use regulars::hours::BusinessHours;
use regulars::store::{CustomerRepo, Db, LogRepo, PostRepo, ReviewRepo, WorkRepo};
use regulars::triage::Triage;

pub fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// Monday to Friday 09:00-17:00 in London, Friday 27 Nov closed.
pub const HOURS: &str = r#"
[hours]
time_zone = "Europe/London"
closed = ["2026-11-27"]
"#;

pub fn hours() -> BusinessHours {
    regulars::config::parse(HOURS).unwrap().hours
}

/// When the report and digest tests say it is: Mon 30 Nov, noon.
pub fn now() -> DateTime<Utc> {
    utc("2026-11-30T12:00:00Z")
}

pub fn post(
    network: Network,
    id: &str,
    who: (&str, &str),
    customer: Option<CustomerId>,
    category: Category,
    at: &str,
    text: &str,
) -> NewPost {
    NewPost {
        incoming: IncomingPost {
            network,
            native_id: id.into(),
            url: Some(format!("https://{}.example/{id}", network.as_str())),
            author: Author {
                handle: who.0.into(),
                display_name: who.1.into(),
            },
            text: text.into(),
            created_at: utc(at),
            in_reply_to: None,
            reply_ref: None,
            addressed_to_shop: true,
            context: false,
            quotes: None,
            rating: None,
        },
        customer,
        is_mention: true,
        by_shop: false,
        triage: Triage {
            category,
            score: 0.5,
            reasons: Vec::new(),
        },
        ingested_at: utc(at),
    }
}

/// The week, stored in a new database at `path`. The posts, in order:
/// 1. Priya (a regular), Mastodon complaint Mon 10:00, replied 10:30 (30m, handled within the day);
/// 2. a stranger's Mastodon question Mon 16:30, resolved Tue 09:45 (1h 15m in business hours, late);
/// 3. a stranger's Bluesky complaint on closed Friday 11:00, a gift sent Mon 30 09:20 (20m), still open;
/// 4. Priya's Bluesky distress Sat 14:00, dismissed: no response;
/// 5. praise Tue 12:05 and 6. chatter Tue 12:40 (a note on it: not a response);
/// 7. a stranger's Mastodon complaint Wed 08:00, handled 09:10 (10m, within the day);
/// 8. the shop's own post Wed 11:00, counted nowhere.
///
/// Follow-ups: on post 3 due Mon 30 Nov, on post 7 due Sat 5 Dec.
pub fn week(path: &std::path::Path) -> Vec<Post> {
    let mut db = Db::open(path).unwrap();
    let priya = Customer {
        id: CustomerId(0),
        external_id: "C1".into(),
        name: "Priya Raman".into(),
        rank: 1,
        lifetime_spend_cents: 250_000,
        handles: vec![Handle {
            network: Network::Mastodon,
            handle: "priya@hachyderm.io".into(),
            linked: false,
        }],
        note: String::new(),
        email: String::new(),
        orders: None,
        last_purchase: None,
        recent_spend_cents: None,
        former: false,
    };
    let at = utc("2026-11-01T00:00:00Z");
    let run = ImportRun::whole("test", at, std::slice::from_ref(&priya));
    let customers = db.import_customers(&run, &[priya]).unwrap();
    let priya = Some(customers[0].id);
    let stranger = ("sam@mastodon.social", "Sam");
    let mut shop = post(
        Network::Mastodon,
        "8",
        ("marlowfinch@mastodon.social", "Marlow & Finch"),
        None,
        Category::Neutral,
        "2026-11-25T11:00:00Z",
        "Our winter opening hours",
    );
    shop.by_shop = true;
    let posts = [
        post(
            Network::Mastodon,
            "1",
            ("priya@hachyderm.io", "Priya Raman"),
            priya,
            Category::Complaint,
            "2026-11-23T10:00:00Z",
            "my ring came back the wrong size",
        ),
        post(
            Network::Mastodon,
            "2",
            stranger,
            None,
            Category::Question,
            "2026-11-23T16:30:00Z",
            "do you engrave, and how long does it take?",
        ),
        post(
            Network::Bluesky,
            "3",
            ("kezia.bsky.social", "Kezia"),
            None,
            Category::Complaint,
            "2026-11-27T11:00:00Z",
            "parcel says delivered, nothing here, \"help\", please",
        ),
        post(
            Network::Bluesky,
            "4",
            ("priya.bsky.social", "Priya Raman"),
            priya,
            Category::Distress,
            "2026-11-28T14:00:00Z",
            "awful day, everything is going wrong",
        ),
        post(
            Network::Mastodon,
            "5",
            stranger,
            None,
            Category::Praise,
            "2026-11-24T12:05:00Z",
            "love my new earrings",
        ),
        post(
            Network::Mastodon,
            "6",
            stranger,
            None,
            Category::Neutral,
            "2026-11-24T12:40:00Z",
            "walking past the shop, lovely window",
        ),
        post(
            Network::Mastodon,
            "7",
            stranger,
            None,
            Category::Complaint,
            "2026-11-25T08:00:00Z",
            "the clasp broke on day two",
        ),
        shop,
    ];
    let stored = db.insert_batch("fixture", &posts, &[]).unwrap();
    let id = |i: usize| stored[i].id;
    db.record_reply(
        &Reply {
            post: id(0),
            network: Network::Mastodon,
            text: "Sorry Priya, send it back to us and we'll resize it free".into(),
            sent_at: utc("2026-11-23T10:30:00Z"),
            url: None,
            remote_id: Some("r1".into()),
            idempotency_key: Some("k1".into()),
            staff: "ana".into(),
        },
        priya,
    )
    .unwrap();
    let action = |post: usize, kind: ActionKind, at: &str| NewAction {
        post: Some(id(post)),
        customer: stored[post].customer,
        kind,
        note: format!("{kind:?}, note \"{post}\""),
        at: utc(at),
        url: None,
    };
    let mut db = db;
    db.log_action(
        "ana",
        &action(1, ActionKind::Resolved, "2026-11-24T09:45:00Z"),
    )
    .unwrap();
    db.log_action(
        "ana",
        &action(2, ActionKind::GiftSent, "2026-11-30T09:20:00Z"),
    )
    .unwrap();
    db.dismiss_post("ana", id(3), utc("2026-11-28T15:00:00Z"))
        .unwrap();
    db.log_action("ana", &action(5, ActionKind::Note, "2026-11-24T13:00:00Z"))
        .unwrap();
    db.log_action(
        "ana",
        &action(6, ActionKind::Handled, "2026-11-25T09:10:00Z"),
    )
    .unwrap();
    for (post, due, note) in [
        (2, (2026, 11, 30), "did the parcel turn up?"),
        (6, (2026, 12, 5), ""),
    ] {
        db.schedule_follow_up(
            "ana",
            &NewFollowUp {
                post: Some(id(post)),
                customer: None,
                due: NaiveDate::from_ymd_opt(due.0, due.1, due.2).unwrap(),
                note: note.into(),
                created_at: utc("2026-11-28T10:00:00Z"),
            },
        )
        .unwrap();
    }
    stored
}
