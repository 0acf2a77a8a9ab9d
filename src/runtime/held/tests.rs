//! Held writes: refused writes kept in order and written again with backoff (paused time), and the runner on a
//! real full disk: a draft and an action written while it is full arrive once space returns.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{Held, RETRY_FIRST};
use crate::app::{Effect, Msg, Writer};
use crate::runtime::writes::Write;
use crate::store::{Store, StoreError};

/// A database that refuses writes while `full` is set; what went in, in order, and how many tries were made.
#[derive(Clone, Default)]
struct Disk {
    full: Arc<AtomicBool>,
    written: Arc<Mutex<Vec<String>>>,
    tries: Arc<AtomicUsize>,
}

impl Disk {
    fn write(&self, name: &str, key: Option<&str>) -> Write {
        let (disk, name) = (self.clone(), name.to_string());
        let write = Write::new(name.clone(), move |_db| {
            disk.tries.fetch_add(1, Ordering::SeqCst);
            if disk.full.load(Ordering::SeqCst) {
                return Err(StoreError::Unwritable(
                    "the disk is full: free some space".into(),
                ));
            }
            disk.written.lock().unwrap().push(name.clone());
            Ok(Some(Msg::TaskFailed {
                what: "written".into(),
                error: name.clone(),
            }))
        });
        match key {
            Some(key) => write.keyed(key.into()),
            None => write,
        }
    }

    fn written(&self) -> Vec<String> {
        self.written.lock().unwrap().clone()
    }
}

fn drain(rx: &mut mpsc::UnboundedReceiver<Msg>) -> Vec<Msg> {
    std::iter::from_fn(|| rx.try_recv().ok()).collect()
}

fn writable(msgs: &[Msg]) -> Vec<Option<String>> {
    msgs.iter()
        .filter_map(|m| match m {
            Msg::StoreWritable {
                writer: Writer::Work,
                why,
            } => Some(why.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn refused_writes_wait_in_order_and_go_in_once_when_space_returns() {
    let store = Store::open_in_memory().unwrap();
    let (ui, mut rx) = mpsc::unbounded_channel();
    let mut held = Held::new(ui);
    let disk = Disk::default();
    disk.full.store(true, Ordering::SeqCst);

    held.write(disk.write("action", None), &store).await;
    // Behind a held write, later ones wait their turn without trying (never overtaking it).
    held.write(disk.write("draft v1", Some("draft 1")), &store)
        .await;
    held.write(disk.write("read", None), &store).await;
    held.write(disk.write("draft v2", Some("draft 1")), &store)
        .await;
    assert_eq!(disk.tries.load(Ordering::SeqCst), 1);
    let told = writable(&drain(&mut rx));
    assert_eq!(told.len(), 1, "told once: {told:?}");
    assert!(
        told[0]
            .as_deref()
            .unwrap_or_default()
            .contains("disk is full")
    );

    // Tried again after 1 s, then 2 s, 4 s: the wait doubles while the disk stays full.
    let start = Instant::now();
    for wait in [1, 3, 7] {
        held.due().await;
        assert_eq!(start.elapsed(), Duration::from_secs(wait));
        held.retry(&store).await;
    }
    assert_eq!(disk.tries.load(Ordering::SeqCst), 4, "one try per round");
    assert!(drain(&mut rx).is_empty(), "nothing said while still full");

    disk.full.store(false, Ordering::SeqCst);
    held.due().await;
    held.retry(&store).await;
    assert!(held.writes.is_empty());
    // The draft's last save only, after what came before it; each once.
    assert_eq!(disk.written(), ["action", "read", "draft v2"]);
    let msgs = drain(&mut rx);
    assert_eq!(writable(&msgs), [None], "{msgs:?}");
    assert_eq!(msgs.len(), 4, "each write's answer once: {msgs:?}");

    // Writable again: the next write goes straight in, and a later refusal starts from 1 s again.
    held.write(disk.write("note", None), &store).await;
    assert_eq!(disk.written().last().map(String::as_str), Some("note"));
    disk.full.store(true, Ordering::SeqCst);
    held.write(disk.write("late", None), &store).await;
    let start = Instant::now();
    held.due().await;
    assert_eq!(start.elapsed(), RETRY_FIRST);
}

#[tokio::test(start_paused = true)]
async fn a_write_the_database_rejects_is_reported_and_those_behind_it_go_on() {
    let store = Store::open_in_memory().unwrap();
    let (ui, mut rx) = mpsc::unbounded_channel();
    let mut held = Held::new(ui);
    let disk = Disk::default();
    disk.full.store(true, Ordering::SeqCst);
    held.write(disk.write("first", None), &store).await;
    let broken = Write::new("broken", |_db| {
        Err(StoreError::Conflict(
            "that handle belongs to someone else".into(),
        ))
    });
    held.write(broken, &store).await;
    held.write(disk.write("last", None), &store).await;
    disk.full.store(false, Ordering::SeqCst);
    held.due().await;
    held.retry(&store).await;
    assert!(held.writes.is_empty());
    assert_eq!(disk.written(), ["first", "last"]);
    let failed = drain(&mut rx).into_iter().any(|m| {
        matches!(m, Msg::TaskFailed { what, error } if what == "saving" && error.contains("someone else"))
    });
    assert!(failed);
}

#[tokio::test(start_paused = true)]
async fn at_quit_what_is_still_refused_is_named() {
    let store = Store::open_in_memory().unwrap();
    let (ui, _rx) = mpsc::unbounded_channel();
    let mut held = Held::new(ui);
    let disk = Disk::default();
    disk.full.store(true, Ordering::SeqCst);
    held.write(
        disk.write("the draft for post 3: \"on its way\"", None),
        &store,
    )
    .await;
    let unsaved: Vec<_> = held
        .flush(&store)
        .await
        .into_iter()
        .map(|w| w.what)
        .collect();
    assert_eq!(unsaved, ["the draft for post 3: \"on its way\""]);
}

/// The runner on a real small disk filled to the last byte: a draft (saved twice) and an action written while
/// it is full are kept, the status says so, and once space returns each is stored once, the draft's last text.
#[tokio::test]
async fn on_a_full_disk_the_runner_keeps_drafts_and_actions_until_space_returns() {
    use crate::domain::{
        ActionKind, Author, Draft, DraftState, IncomingPost, Network, NewAction, NewPost, Triage,
    };
    let dir = tempfile::tempdir().unwrap();
    let Some(_disk) = crate::store::small_disk::SmallDisk::mount(dir.path(), "1m") else {
        eprintln!("skipping the runner's full-disk test: cannot mount a tmpfs here (needs root)");
        return;
    };
    let store = Store::open(dir.path().join("r.db")).unwrap();
    let now = chrono::Utc::now();
    let post = NewPost {
        incoming: IncomingPost {
            network: Network::Mastodon,
            native_id: "1".into(),
            url: None,
            author: Author {
                handle: "ana@example.social".into(),
                display_name: "Ana".into(),
            },
            text: "where is my parcel?".into(),
            created_at: now,
            in_reply_to: None,
            reply_ref: None,
            addressed_to_shop: true,
            context: false,
            quotes: None,
            rating: None,
        },
        customer: None,
        is_mention: true,
        by_shop: false,
        triage: Triage::neutral(),
        ingested_at: now,
    };
    let post = store
        .call(move |db| db.insert_batch("test", &[post], &[]))
        .await
        .unwrap()
        .remove(0)
        .id;
    // Fill the disk: SQLite's next page has nowhere to go.
    let filler = dir.path().join("filler");
    {
        use std::io::Write as _;
        let mut f = std::fs::File::create(&filler).unwrap();
        while f.write_all(&[0u8; 4096]).is_ok() {}
    }
    let (ui, mut rx) = mpsc::unbounded_channel();
    let (effects, effects_rx) = mpsc::unbounded_channel();
    let runner = tokio::spawn(
        crate::runtime::Runner::new(
            store.clone(),
            Default::default(),
            Arc::new(crate::notify::NullNotifier),
            Default::default(),
            ui,
        )
        .run(effects_rx),
    );
    let draft = |text: &str| Draft {
        post,
        text: text.into(),
        cursor: (0, text.len()),
        state: DraftState::Editing,
        idempotency_key: "k1".into(),
        updated_at: now,
    };
    let text = "Sorry, Ana: it left today. ".repeat(200);
    effects.send(Effect::SaveDraft(draft("Sorry"))).unwrap();
    effects
        .send(Effect::LogAction(NewAction {
            post: Some(post),
            customer: None,
            kind: ActionKind::Escalated,
            note: "to the warehouse ".repeat(300),
            at: now,
            url: None,
        }))
        .unwrap();
    effects.send(Effect::SaveDraft(draft(&text))).unwrap();
    let next = async |rx: &mut mpsc::UnboundedReceiver<Msg>| {
        tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .expect("an answer within a minute")
            .expect("the runner runs")
    };
    let mut seen = Vec::new();
    loop {
        let msg = next(&mut rx).await;
        if let Msg::StoreWritable {
            writer,
            why: Some(why),
        } = &msg
        {
            assert_eq!(*writer, Writer::Work);
            assert!(why.contains("disk is full"), "{why}");
            break;
        }
        seen.push(msg);
    }
    assert!(
        !seen
            .iter()
            .any(|m| matches!(m, Msg::DraftSaved(_) | Msg::ActionLogged(_))),
        "nothing stored while full: {seen:?}"
    );
    std::fs::remove_file(&filler).unwrap();
    loop {
        let msg = next(&mut rx).await;
        if matches!(msg, Msg::StoreWritable { why: None, .. }) {
            break;
        }
        seen.push(msg);
    }
    drop(effects);
    assert!(runner.await.unwrap().is_empty(), "nothing left unsaved");
    let saved: Vec<_> = seen
        .iter()
        .filter_map(|m| match m {
            Msg::DraftSaved(d) => Some(d.text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        saved,
        std::slice::from_ref(&text),
        "the last draft, saved once"
    );
    let logged = seen
        .iter()
        .filter(|m| matches!(m, Msg::ActionLogged(_)))
        .count();
    assert_eq!(logged, 1, "{seen:?}");
    let (drafts, actions) = store
        .call(|db| Ok((db.drafts("ana")?, db.action_count()?)))
        .await
        .unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].text, text);
    assert_eq!(actions, 1, "the action stored once");
    store.close().await;
}
