//! What was done before a restart is all there after it: a sent reply, an action and a follow-up on a post show
//! in Detail when the console opens again on the same database, read from the store, not from memory.

use chrono::{Duration, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use regulars::app::{Command, Msg, update};
use regulars::domain::{ActionKind, Author, IncomingPost, NewAction, NewFollowUp, Reply};
use regulars::state::Pane;
use regulars::workspace::Workspace;

fn screen(state: &regulars::state::AppState) -> String {
    let mut terminal = Terminal::new(TestBackend::new(160, 45)).unwrap();
    terminal.draw(|f| regulars::ui::render(f, state)).unwrap();
    terminal.backend().to_string()
}

#[tokio::test]
async fn a_reply_an_action_and_a_follow_up_are_in_detail_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("regulars.db");
    let ws = Workspace::open(regulars::config::demo(5.0), db.clone(), false)
        .await
        .unwrap();
    let customer = ws.customers[0].clone();
    let handle = customer.handles[0].clone();
    let now = Utc::now();
    let incoming = IncomingPost {
        network: handle.network,
        native_id: "restart-1".into(),
        url: None,
        author: Author {
            handle: handle.handle.clone(),
            display_name: customer.name.clone(),
        },
        text: "@marlowfinch my bracelet clasp broke on the first day, really disappointed".into(),
        created_at: now - Duration::minutes(30),
        in_reply_to: None,
        reply_ref: None,
        addressed_to_shop: true,
        context: false,
        quotes: None,
        rating: None,
    };
    let prepared = ws.ingest().prepare(incoming, now);
    assert_eq!(
        prepared.customer,
        Some(customer.id),
        "{:?}",
        prepared.customer
    );
    let post = ws
        .store
        .call(move |db| db.insert_batch("demo", &[prepared], &[]))
        .await
        .unwrap()
        .remove(0);
    let id = post.id;
    let network = post.network;
    ws.store
        .call(move |db| {
            db.record_reply(
                &Reply {
                    post: id,
                    network,
                    text: "So sorry, Hi! We will fix the clasp today".into(),
                    sent_at: now - Duration::minutes(20),
                    url: None,
                    remote_id: Some("r1".into()),
                    idempotency_key: Some("k1".into()),
                    staff: "ana".into(),
                },
                None,
            )?;
            db.log_action(
                "ana",
                &NewAction {
                    post: Some(id),
                    customer: Some(customer.id),
                    kind: ActionKind::GiftSent,
                    note: "polishing cloth in the post".into(),
                    at: now - Duration::minutes(10),
                    url: None,
                },
            )?;
            db.schedule_follow_up(
                "ana",
                &NewFollowUp {
                    post: Some(id),
                    customer: Some(customer.id),
                    due: (now + Duration::days(3)).date_naive(),
                    note: "does the new clasp hold".into(),
                    created_at: now - Duration::minutes(5),
                },
            )
        })
        .await
        .unwrap();
    ws.store.close().await;
    drop(ws);

    let ws = Workspace::open(regulars::config::demo(5.0), db, false)
        .await
        .unwrap();
    let mut state = ws.initial_state(Default::default()).await.unwrap();
    while state.focus != Pane::Mentions {
        // As the console does: what `update` asks to read is read, and handed back.
        let effects = update(&mut state, Msg::Command(Command::NextPane));
        regulars::loader::answer(&ws.store, &mut state, effects)
            .await
            .unwrap();
    }
    assert_eq!(state.current_post_id(), Some(id));
    let screen = screen(&state);
    // Sent as "ana" (this console's person is the login name): named.
    assert!(
        screen.contains("ana replied 20m: So sorry, Hi!"),
        "{screen}"
    );
    assert!(screen.contains("polishing cloth"), "{screen}");
    assert!(screen.contains("does the new clasp hold"), "{screen}");
    // The Log has the reply's action, the gift and the follow-up's, newest first.
    let kinds: Vec<ActionKind> = state.log.window.rows.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        [
            ActionKind::FollowUp,
            ActionKind::GiftSent,
            ActionKind::Replied
        ]
    );
}
