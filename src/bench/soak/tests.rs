//! The soak runs end to end on a tiny day (so it cannot rot), and its verdict reads the samples right.

use super::*;

fn at(hour: u32, rss_mb: f64, fds: usize, tasks: usize) -> Sample {
    Sample {
        hour,
        posts: u64::from(hour) * 200,
        db_mb: f64::from(hour) * 0.3,
        rss_mb,
        fds,
        tasks,
    }
}

#[test]
fn flat_after_warm_up_passes_and_growth_fails() {
    let warm = [at(0, 20.0, 10, 8), at(1, 40.0, 14, 12), at(2, 42.0, 14, 12)];
    let mut flat = warm.to_vec();
    flat.push(at(24, 46.0, 15, 13));
    assert!(judge(&flat).0, "{}", judge(&flat).1);
    // The database grew by 7.2 MB, which SQLite's page cache may hold.
    let mut leaking = warm.to_vec();
    leaking.push(at(24, 60.0, 30, 12));
    let mut cached = warm.to_vec();
    cached.push(at(24, 53.0, 14, 12));
    assert!(judge(&cached).0, "{}", judge(&cached).1);
    let (ok, verdict) = judge(&leaking);
    assert!(!ok);
    assert!(
        verdict.contains("memory grew") && verdict.contains("open files grew"),
        "{verdict}"
    );
}

/// Three simulated hours in three real seconds: posts from both sources are stored, every hour sampled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_soak_runs_the_whole_app_and_samples_every_hour() {
    let opts = Options {
        hours: 3,
        posts_per_day: 24_000,
        minutes: 0.05,
    };
    let mut log = Vec::new();
    let soak = run(&opts, &mut log).await.unwrap();
    let hours: Vec<u32> = soak.samples.iter().map(|s| s.hour).collect();
    assert_eq!(hours, [0, 1, 2, 3], "{}", String::from_utf8_lossy(&log));
    let last = soak.samples.last().unwrap();
    assert!(last.posts > 1_000, "posts stored: {}", last.posts);
    assert!(
        last.rss_mb > 0.0 && last.db_mb > 0.0 && last.fds > 0 && last.tasks > 0,
        "{last:?}"
    );
}
