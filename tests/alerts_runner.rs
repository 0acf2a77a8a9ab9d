//! Alerts through the real effect runner: a notification's outcome comes back as a message (shown, refused,
//! or no answer in time), and "always tell me" and spikes go through the store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use regulars::alerts::SpikeRule;
use regulars::app::{Effect, Msg};
use regulars::domain::{Customer, ImportRun};
use regulars::notify::{NoService, Notifier};
use regulars::runtime::Runner;
use regulars::store::Store;
use tokio::sync::mpsc;

/// Longer than the runner gives a notification service (paused time jumps straight to the earlier one).
const WAIT: Duration = Duration::from_secs(60);

/// Records what it shows.
#[derive(Default)]
struct Recording(Mutex<Vec<String>>);

impl Notifier for Recording {
    fn notify(&self, title: &str, _body: &str) -> Result<(), String> {
        self.0.lock().unwrap().push(title.to_string());
        Ok(())
    }
}

/// A notification service that never answers (until the test lets it go).
struct Hung(Mutex<std::sync::mpsc::Receiver<()>>);

impl Notifier for Hung {
    fn notify(&self, _title: &str, _body: &str) -> Result<(), String> {
        let _ = self.0.lock().unwrap().recv();
        Ok(())
    }
}

struct Running {
    effects: mpsc::UnboundedSender<Effect>,
    ui: mpsc::UnboundedReceiver<Msg>,
    runner: tokio::task::JoinHandle<Vec<String>>,
}

fn start(store: &Store, notifier: Arc<dyn Notifier>) -> Running {
    let (ui_tx, ui) = mpsc::unbounded_channel();
    let (effects, effects_rx) = mpsc::unbounded_channel();
    let runner = tokio::spawn(
        Runner::new(
            store.clone(),
            HashMap::new(),
            notifier,
            Default::default(),
            ui_tx,
        )
        .run(effects_rx),
    );
    Running {
        effects,
        ui,
        runner,
    }
}

impl Running {
    /// The next message that is not the runner's greeting.
    async fn next(&mut self) -> Msg {
        loop {
            match tokio::time::timeout(WAIT, self.ui.recv()).await {
                Ok(Some(Msg::RepliersReady(_))) => continue,
                Ok(Some(msg)) => return msg,
                other => panic!("no message: {other:?}"),
            }
        }
    }

    async fn stop(self) {
        drop(self.effects);
        self.runner.await.unwrap();
    }
}

fn notify(title: &str) -> Effect {
    Effect::Notify {
        title: title.into(),
        body: "my order never arrived".into(),
    }
}

#[tokio::test]
async fn a_notifications_outcome_comes_back_shown_or_not() {
    let store = Store::open_in_memory().unwrap();
    let shown = Arc::new(Recording::default());
    let mut run = start(&store, shown.clone());
    run.effects
        .send(notify("complaint: Priya Raman (#1)"))
        .unwrap();
    match run.next().await {
        Msg::Notified { title, error, .. } => {
            assert_eq!(title, "complaint: Priya Raman (#1)");
            assert_eq!(error, None);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(*shown.0.lock().unwrap(), ["complaint: Priya Raman (#1)"]);
    run.stop().await;

    let mut run = start(&store, Arc::new(NoService("no session bus".into())));
    run.effects.send(notify("distress: @ana")).unwrap();
    match run.next().await {
        Msg::Notified { title, error, .. } => {
            assert_eq!(title, "distress: @ana");
            assert_eq!(error.as_deref(), Some("no session bus"));
        }
        other => panic!("{other:?}"),
    }
    run.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_notification_service_that_never_answers_counts_as_not_shown() {
    let store = Store::open_in_memory().unwrap();
    let (release, hold) = std::sync::mpsc::channel();
    let mut run = start(&store, Arc::new(Hung(Mutex::new(hold))));
    run.effects
        .send(notify("complaint: Priya Raman (#1)"))
        .unwrap();
    match run.next().await {
        Msg::Notified { error, .. } => {
            assert_eq!(
                error.as_deref(),
                Some("the notification service did not answer")
            );
        }
        other => panic!("{other:?}"),
    }
    drop(release);
    run.stop().await;
}

#[tokio::test]
async fn always_tell_me_and_spikes_go_through_the_store() {
    let store = Store::open_in_memory().unwrap();
    let customer = Customer {
        external_id: "C-1".into(),
        name: "Priya Raman".into(),
        rank: 1,
        ..Default::default()
    };
    let at = chrono::Utc::now();
    let stored = store
        .call(move |db| {
            db.import_customers(
                &ImportRun::whole("test", at, std::slice::from_ref(&customer)),
                std::slice::from_ref(&customer),
            )
        })
        .await
        .unwrap();
    let id = stored[0].id;
    let mut run = start(&store, Arc::new(Recording::default()));
    run.effects
        .send(Effect::SetAlwaysTellMe {
            customer: id,
            on: true,
        })
        .unwrap();
    match run.next().await {
        Msg::AlwaysTellMeSet { customer, on } => assert_eq!((customer, on), (id, true)),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        store.call(|db| db.always_tell_me()).await.unwrap(),
        [id].into()
    );
    run.effects
        .send(Effect::MeasureSpikes {
            at,
            rule: SpikeRule::default(),
        })
        .unwrap();
    match run.next().await {
        Msg::SpikesMeasured(Ok(spikes)) => assert!(spikes.is_empty()),
        other => panic!("{other:?}"),
    }
    run.stop().await;
}
