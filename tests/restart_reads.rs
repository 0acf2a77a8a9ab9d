//! Coming back after lunch: what was read, the focused pane, its selection and the filter are as they were left
//! when the console opens again on the same database file, read from the store.

use chrono::{Duration, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use regulars::app::{Command, Effect, Msg, update};
use regulars::domain::{Author, IncomingPost, PostId};
use regulars::state::{AppState, Pane};
use regulars::workspace::Workspace;

/// Applies a message as the console does: reads answered from the store there and then, and the read marks and
/// the place written as the runner writes them.
async fn send(ws: &Workspace, state: &mut AppState, msg: Msg) {
    let effects = update(state, msg);
    let others = regulars::loader::answer(&ws.store, state, effects)
        .await
        .unwrap();
    for effect in others {
        let msg = match effect {
            Effect::MarkRead { posts, at } => {
                ws.store
                    .call(move |db| db.mark_read(&posts, at))
                    .await
                    .unwrap();
                Msg::ReadMarked
            }
            Effect::SavePlace { values, at } => {
                ws.store
                    .call(move |db| db.save_ui_state(&values, at))
                    .await
                    .unwrap();
                continue;
            }
            _ => continue,
        };
        let effects = update(state, msg);
        regulars::loader::answer(&ws.store, state, effects)
            .await
            .unwrap();
    }
}

/// `n` mentions of the shop from as many visitors, a minute apart (the last newest), stored as ingest
/// prepares them; their ids, oldest first.
async fn mentions(ws: &Workspace, n: i64, text: &str) -> Vec<PostId> {
    let now = Utc::now();
    let prepared: Vec<_> = (0..n)
        .map(|i| {
            let incoming = IncomingPost {
                network: regulars::domain::Network::Mastodon,
                native_id: format!("visit-{i}"),
                url: None,
                author: Author {
                    handle: format!("visitor{i}@example.social"),
                    display_name: format!("Visitor {i}"),
                },
                text: format!("{text}, number {i}"),
                created_at: now - Duration::minutes(n + 10 - i),
                in_reply_to: None,
                reply_ref: None,
                addressed_to_shop: true,
                context: false,
                quotes: None,
                rating: None,
            };
            ws.ingest().prepare(incoming, now)
        })
        .collect();
    ws.store
        .call(move |db| db.insert_batch("demo", &prepared, &[]))
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect()
}

/// Quits as `q` does, closes the store, and opens the console again on the same file: the state it starts on.
async fn quit_and_reopen(
    ws: Workspace,
    mut state: AppState,
    db: std::path::PathBuf,
) -> (Workspace, AppState) {
    send(&ws, &mut state, Msg::Command(Command::Quit)).await;
    ws.store.close().await;
    drop(ws);
    let ws = Workspace::open(regulars::config::demo(5.0), db, false)
        .await
        .unwrap();
    let state = ws.initial_state(Default::default()).await.unwrap();
    (ws, state)
}

#[tokio::test]
async fn read_posts_focus_selection_and_filter_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("regulars.db");
    let ws = Workspace::open(regulars::config::demo(5.0), db.clone(), false)
        .await
        .unwrap();
    let ids = mentions(&ws, 5, "@marlowfinch lovely window display today").await;

    let mut state = ws.initial_state(Default::default()).await.unwrap();
    let before = state.reads.total;
    assert!(before >= 5, "{before}");
    while state.focus != Pane::Mentions {
        send(&ws, &mut state, Msg::Command(Command::NextPane)).await;
    }
    send(&ws, &mut state, Msg::Command(Command::Filter)).await;
    for c in "window".chars() {
        send(&ws, &mut state, Msg::Key(KeyEvent::from(KeyCode::Char(c)))).await;
    }
    send(&ws, &mut state, Msg::Key(KeyEvent::from(KeyCode::Enter))).await;
    assert_eq!(state.reads.unread_in(Pane::Mentions), 5);
    // The newest is on top: open it (read), then rest on the next one (read after the moment).
    assert_eq!(state.current_post_id(), Some(ids[4]));
    send(&ws, &mut state, Msg::Command(Command::OpenDetail)).await;
    send(&ws, &mut state, Msg::Command(Command::Close)).await;
    send(&ws, &mut state, Msg::Command(Command::NextPost)).await;
    let later = state.now + Duration::seconds(2);
    send(&ws, &mut state, Msg::Tick(later)).await;
    // And on to a third, left before its moment was over.
    send(&ws, &mut state, Msg::Command(Command::NextPost)).await;
    assert_eq!(state.current_post_id(), Some(ids[2]));
    assert_eq!(state.reads.unread_in(Pane::Mentions), 3);
    let (_ws, state) = quit_and_reopen(ws, state, db).await;
    assert_eq!(state.focus, Pane::Mentions);
    assert_eq!(state.filter.query, "window");
    assert_eq!(state.current_post_id(), Some(ids[2]));
    assert_eq!(state.reads.unread_in(Pane::Mentions), 3);
    assert_eq!(state.reads.total, before - 2);
    let read: Vec<bool> = ids
        .iter()
        .map(|id| state.posts.get(*id).unwrap().read_at.is_some())
        .collect();
    assert_eq!(read, [false, false, false, true, true]);
}

/// A selection far down a long list (past the first page the console reads) is found again in the store, and
/// the list opens on it.
#[tokio::test]
async fn a_selection_deep_in_a_long_list_is_where_it_was_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("regulars.db");
    let ws = Workspace::open(regulars::config::demo(5.0), db.clone(), false)
        .await
        .unwrap();
    let ids = mentions(&ws, 400, "@marlowfinch saw the new bracelets").await;
    let mut state = ws.initial_state(Default::default()).await.unwrap();
    while state.focus != Pane::Mentions {
        send(&ws, &mut state, Msg::Command(Command::NextPane)).await;
    }
    // The oldest bracelet post, then three up: far below any first page.
    send(&ws, &mut state, Msg::Command(Command::LastPost)).await;
    for _ in 0..3 {
        send(&ws, &mut state, Msg::Command(Command::PrevPost)).await;
    }
    let left_on = state.current_post_id().unwrap();
    assert_eq!(left_on, ids[3]);
    let (_ws, state) = quit_and_reopen(ws, state, db).await;
    assert_eq!(state.focus, Pane::Mentions);
    assert_eq!(state.current_post_id(), Some(left_on));
    let list = state.list(Pane::Mentions).unwrap();
    assert!(
        list.window.offset > 200,
        "opened on it: {}",
        list.window.offset
    );
}
