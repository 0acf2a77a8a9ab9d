//! Fifty consoles on one PostgreSQL (not a timed test): each a store client and a live listener in this
//! process, each logging an action every few seconds (jittered) for a few minutes. For every action and each
//! of the other consoles: the time from its commit to the listener's `Changed`, and to the read through the
//! store that shows it (the Log's first page). Also the connections used and PostgreSQL's CPU.
//!
//! `cargo bench --bench team -- [CONSOLES] [MINUTES]` (default 50 and 3); starts its own throwaway cluster.

#[path = "../tests/common/postgres.rs"]
#[allow(dead_code)]
mod postgres;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use regulars::app::Msg;
use regulars::domain::{ActionKind, Anchor, NewAction};
use regulars::store::Store;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Seconds between one console's actions, before jitter (±50%).
const EVERY_SECS: f64 = 3.0;

/// Per (action id, console that saw it): when the notification came, when the read showed it.
type Seen = Arc<Mutex<HashMap<(i64, usize), (Instant, Instant)>>>;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let consoles: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(50);
    let minutes: f64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(3.0);
    let Some(cluster) = postgres::Cluster::start() else {
        return;
    };
    let url = cluster.create_database("team_bench");
    let stores: Vec<Store> = (0..consoles)
        .map(|_| Store::open_postgres(&url).expect("a store client"))
        .collect();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let cpu_before = postgres_cpu_ticks();
    let began = Instant::now();
    // Measured while every console is still connected.
    let measure = || {
        let connections = cluster.query_one::<i64>(
            "team_bench",
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'team_bench'",
        );
        (
            postgres_cpu_ticks() - cpu_before,
            began.elapsed(),
            connections,
        )
    };
    let (committed, seen, (cpu, wall, connections)) =
        runtime.block_on(run(&url, &stores, minutes, measure));
    let seen = seen.lock().unwrap();
    let (mut notified, mut shown) = (Vec::new(), Vec::new());
    let mut missing = 0;
    for (&id, &(by, at)) in &committed {
        for console in (0..consoles).filter(|&c| c != by) {
            match seen.get(&(id, console)) {
                Some(&(changed, read)) => {
                    notified.push(changed.saturating_duration_since(at));
                    shown.push(read.saturating_duration_since(at));
                }
                None => missing += 1,
            }
        }
    }
    let ticks = 100.0; // USER_HZ
    println!(
        "team bench: {consoles} consoles x {minutes} min, {} actions, {} deliveries ({missing} never seen)",
        committed.len(),
        shown.len()
    );
    println!(
        "  commit -> Changed:        p50 {:>6.1} ms  p99 {:>6.1} ms",
        pct(&mut notified, 0.50),
        pct(&mut notified, 0.99)
    );
    println!(
        "  commit -> read shows it:  p50 {:>6.1} ms  p99 {:>6.1} ms",
        pct(&mut shown, 0.50),
        pct(&mut shown, 0.99)
    );
    println!("  connections (pg_stat_activity, at the end, this database): {connections}");
    println!(
        "  PostgreSQL CPU: {:.1} s over {:.0} s = {:.1}% of one core",
        cpu as f64 / ticks,
        wall.as_secs_f64(),
        100.0 * cpu as f64 / ticks / wall.as_secs_f64()
    );
}

async fn run<M>(
    url: &str,
    stores: &[Store],
    minutes: f64,
    measure: impl FnOnce() -> M,
) -> (HashMap<i64, (usize, Instant)>, Seen, M) {
    let cancel = CancellationToken::new();
    let committed: Arc<Mutex<HashMap<i64, (usize, Instant)>>> = Arc::default();
    let seen: Seen = Arc::default();
    let mut tasks = Vec::new();
    let mut listeners = Vec::new();
    for (console, store) in stores.iter().enumerate() {
        let (ui, mut changes) = mpsc::unbounded_channel();
        listeners.push(regulars::live::spawn(url.to_string(), ui, cancel.clone()));
        // The reader: every Changed, the Log's first page through the store.
        let (store_r, seen, cancel_r) = (store.clone(), seen.clone(), cancel.clone());
        tasks.push(tokio::spawn(async move {
            let mut known = HashSet::new();
            loop {
                let msg = tokio::select! {
                    _ = cancel_r.cancelled() => return,
                    msg = changes.recv() => msg,
                };
                if !matches!(msg, Some(Msg::Changed)) {
                    continue;
                }
                let changed = Instant::now();
                let Ok(page) = store_r
                    .call(|db| db.actions_page(Anchor::First, 50, false))
                    .await
                else {
                    continue;
                };
                let read = Instant::now();
                let mut seen = seen.lock().unwrap();
                for action in page.rows {
                    if known.insert(action.id) {
                        seen.insert((action.id, console), (changed, read));
                    }
                }
            }
        }));
        // The writer: an action every few seconds, jittered.
        let (store_w, committed, cancel_w) = (store.clone(), committed.clone(), cancel.clone());
        tasks.push(tokio::spawn(async move {
            let mut seq = 0u64;
            let mut rng = (console as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            loop {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let jitter = 0.5 + (rng % 1000) as f64 / 1000.0;
                tokio::select! {
                    _ = cancel_w.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_secs_f64(EVERY_SECS * jitter)) => {}
                }
                seq += 1;
                let note = format!("console {console} action {seq}");
                let logged = store_w
                    .call(move |db| {
                        db.log_action(
                            "ana",
                            &NewAction {
                                post: None,
                                customer: None,
                                kind: ActionKind::Note,
                                note,
                                at: chrono::Utc::now(),
                                url: None,
                            },
                        )
                    })
                    .await;
                if let Ok(action) = logged {
                    committed
                        .lock()
                        .unwrap()
                        .insert(action.id, (console, Instant::now()));
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(minutes * 60.0)).await;
    // Let the last actions arrive before stopping.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let measured = measure();
    cancel.cancel();
    for task in tasks.into_iter().chain(listeners) {
        let _ = task.await;
    }
    let committed = std::mem::take(&mut *committed.lock().unwrap());
    (committed, seen, measured)
}

fn pct(values: &mut [Duration], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort();
    let i = ((values.len() - 1) as f64 * p).round() as usize;
    values[i].as_secs_f64() * 1000.0
}

/// utime + stime of every `postgres` process, in clock ticks.
fn postgres_cpu_ticks() -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter_map(|stat| {
            let (name, rest) = stat.split_once(") ")?;
            if !name.ends_with("(postgres") {
                return None;
            }
            let fields: Vec<&str> = rest.split(' ').collect();
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .sum()
}
