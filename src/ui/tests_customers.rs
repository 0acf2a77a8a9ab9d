//! Snapshots of the Customers view at 80x24 and 160x45: the table with every hint and a former regular, a
//! customer's story, the notes editor, the empty view.

use chrono::Duration;

use crate::app::{Command, Msg};
use crate::domain::{
    ActionKind, Customer, CustomerId, Handle, Network, NewAction, NewFollowUp, PostId,
};
use crate::state::{AppState, fixture};
use crate::store::{CustomerRepo, LogRepo};

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 45)];

use super::tests::draw;

fn snap(name: &str, state: &AppState) {
    for size in SIZES {
        let mut s = state.clone();
        s.size = size;
        insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), draw(&s, size));
    }
}

fn customer(id: i64, name: &str, rank: u32, spend: i64, handle: Option<&str>) -> Customer {
    Customer {
        id: CustomerId(id),
        external_id: format!("C-{id}"),
        name: name.into(),
        rank,
        lifetime_spend_cents: spend,
        handles: handle
            .map(|h| vec![Handle::imported(Network::Mastodon, h)])
            .unwrap_or_default(),
        note: "prefers rose gold".into(),
        ..Default::default()
    }
}

/// The fixture's shop with a customer for every hint: Priya and Tom posted about problems (Tom was answered),
/// Ada has a follow-up overdue, Bea (a long name) has not heard from the shop in 75 days, Chen never did, and
/// Dora dropped out of the top N.
fn shop() -> fixture::Desk {
    let mut desk = fixture::desk();
    let now = desk.state.now;
    let mut bea = customer(4, "Beatrix Marchetti-Lindqvist", 4, 980_000, None);
    bea.handles = vec![Handle::imported(Network::Bluesky, "bea.bsky.social")];
    bea.email = "bea@example.com".into();
    bea.orders = Some(23);
    let regulars = vec![
        customer(1, "Priya Raman", 1, 1_482_000, Some("priya@hachyderm.io")),
        customer(2, "Tom Okafor", 2, 1_245_075, Some("tom@mastodon.social")),
        customer(3, "Ada Lind", 9, 41_550, Some("ada@mas.to")),
        bea,
        customer(5, "Chen Wei", 5, 600_000, None),
        customer(6, "Dora Quist", 6, 20_000, None),
    ];
    let run = crate::domain::ImportRun::whole("fixture", now, &regulars);
    desk.db.import_customers(&run, &regulars).unwrap();
    let all = desk.db.import_customers(&run, &regulars[..5]).unwrap();
    desk.state.customers = all.into_iter().map(|c| (c.id, c)).collect();
    let act =
        |post: Option<i64>, customer: i64, kind: ActionKind, ago: Duration, note: &str| NewAction {
            post: post.map(PostId),
            customer: Some(CustomerId(customer)),
            kind,
            note: note.into(),
            at: now - ago,
            url: None,
        };
    for a in [
        act(
            Some(2),
            2,
            ActionKind::Replied,
            Duration::minutes(5),
            "so sorry, couriering it now",
        ),
        act(
            None,
            4,
            ActionKind::GiftSent,
            Duration::days(75),
            "polishing cloth",
        ),
        act(
            Some(3),
            3,
            ActionKind::DiscountOffered,
            Duration::minutes(30),
            "10% on the next repair",
        ),
    ] {
        desk.db.log_action("ana", &a).unwrap();
    }
    desk.db
        .schedule_follow_up(
            "ana",
            &NewFollowUp {
                post: Some(PostId(3)),
                customer: Some(CustomerId(3)),
                due: desk.state.today() - Duration::days(3),
                note: "ask how the repair holds up".into(),
                created_at: now - Duration::days(9),
            },
        )
        .unwrap();
    desk.send(Msg::Command(Command::Customers));
    desk
}

#[test]
fn the_customers_view_with_every_hint_and_a_former_regular() {
    let desk = shop();
    for size in SIZES {
        let screen = draw(&desk.state, size);
        for text in [
            "posted about a problem, no reply yet",
            "follow-up overdue since 19 Nov",
            "no contact in 75 days",
            "never contacted",
            "former",
            "£14,820",
        ] {
            assert!(screen.contains(text), "{text:?} at {size:?}:\n{screen}");
        }
    }
    let wide = draw(&desk.state, (160, 45));
    assert!(wide.contains("Beatrix Marchetti-Lindqvist"), "{wide}");
    let narrow = draw(&desk.state, (80, 24));
    assert!(narrow.contains("Beatrix …"), "cut at a word: {narrow}");
    snap("customers", &desk.state);
}

#[test]
fn a_customers_story() {
    let mut desk = shop();
    desk.send(Msg::Command(Command::LastPost));
    desk.send(Msg::Command(Command::PrevPost));
    desk.send(Msg::Command(Command::OpenDetail));
    let screen = draw(&desk.state, (160, 45));
    assert!(screen.contains("Ada Lind's story"), "{screen}");
    assert!(screen.contains("discount offered"), "{screen}");
    assert!(screen.contains("overdue"), "{screen}");
    snap("customer_story", &desk.state);
    let mut desk = shop();
    for _ in 0..2 {
        desk.send(Msg::Command(Command::NextPost));
    }
    desk.send(Msg::Command(Command::OpenDetail));
    let screen = draw(&desk.state, (160, 45));
    assert!(
        screen.contains("bluesky @bea.bsky.social") && screen.contains("23 orders"),
        "{screen}"
    );
}

#[test]
fn the_notes_editor() {
    let mut desk = shop();
    desk.send(Msg::Command(Command::EditNote));
    desk.send(Msg::Paste("\nring size N, allergic to nickel".into()));
    snap("customer_note", &desk.state);
}

#[test]
fn the_empty_customers_view() {
    let mut desk = fixture::Desk {
        state: fixture::empty(),
        db: crate::store::Db::open_in_memory().unwrap(),
    };
    desk.send(Msg::Command(Command::Customers));
    let screen = draw(&desk.state, (80, 24));
    assert!(
        screen.contains("No customers yet: set up [customers] in your config, see README."),
        "{screen}"
    );
    snap("customers_empty", &desk.state);
}

#[test]
fn odd_sizes_never_panic() {
    let mut desk = shop();
    let table = desk.state.clone();
    desk.send(Msg::Command(Command::OpenDetail));
    let story = desk.state.clone();
    desk.send(Msg::Command(Command::EditNote));
    for state in [&table, &story, &desk.state] {
        for size in [(1, 1), (10, 3), (40, 10), (79, 23), (300, 80)] {
            draw(state, size);
        }
    }
}
