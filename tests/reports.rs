//! `regulars report` and `regulars digest` on a fixture week (tests/common/reports.rs) with every number
//! worked out by hand: business hours in London, a closed Friday, a weekend, a dismissal, a note.

mod common;

use common::bin::{regulars, succeeded};
use common::reports::{HOURS, hours, now, week};
use regulars::alerts::spike::SpikeRule;
use regulars::report::digest::{Digest, Format as DigestFormat};
use regulars::report::render::Format;
use regulars::store::{Db, PostRepo};

fn report(format: Format) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("week.db");
    week(&path);
    let db = Db::open(&path).unwrap();
    let mut out = Vec::new();
    regulars::report::run(
        &db,
        &hours(),
        Some("2026-11-23"),
        Some("2026-11-29"),
        format,
        now(),
        &mut out,
    )
    .unwrap();
    String::from_utf8(out).unwrap()
}

fn digest(format: DigestFormat) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("week.db");
    week(&path);
    let db = Db::open(&path).unwrap();
    let since = regulars::report::parse_since("2026-11-23", now(), &hours()).unwrap();
    let mut digest = Digest::build(&db, &hours(), since, now()).unwrap();
    digest
        .push_spikes(&db, &SpikeRule::default(), &hours())
        .unwrap();
    let mut out = Vec::new();
    digest.write(format, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn report_text() {
    // By hand: answered in business hours, Mastodon 30m (Priya, Mon), 1h 15m (Mon 16:30 to Tue 09:45), 10m (Wed
    // 08:00 before opening to 09:10); Bluesky 20m (closed Friday, the weekend, Mon 09:20). Nearest rank: the
    // median of 4 is the 2nd, the 90th percentile the 4th.
    assert_eq!(
        report(Format::Text),
        r#"Response report 2026-11-23 00:00 to 2026-11-30 00:00 (Europe/London)

First response, in business hours
  network        who       answered   median 90th pct
  all networks   everyone         4      20m   1h 15m
  all networks   regulars         1      30m      30m
  mastodon       everyone         3      30m   1h 15m
  mastodon       regulars         1      30m      30m
  bluesky        everyone         1      20m      20m
  bluesky        regulars         0        -        -

Handled within the day (complaints, distress, questions): 2 of 3 (67%); 1 late, 1 waiting

Posts per day
                 complaint  distress  question    praise   neutral     total
  Mon 23 Nov             1         0         1         0         0         2
  Tue 24 Nov             0         0         0         1         1         2
  Wed 25 Nov             1         0         0         0         0         1
  Thu 26 Nov             0         0         0         0         0         0
  Fri 27 Nov             1         0         0         0         0         1
  Sat 28 Nov             0         1         0         0         0         1
  Sun 29 Nov             0         0         0         0         0         0

Posts per hour of the day
                 complaint  distress  question    praise   neutral     total
  08:00                  1         0         0         0         0         1
  10:00                  1         0         0         0         0         1
  11:00                  1         0         0         0         0         1
  12:00                  0         0         0         1         1         2
  14:00                  0         1         0         0         0         1
  16:00                  0         0         1         0         0         1
"#
    );
}

#[test]
fn report_csv() {
    let text = report(Format::Csv);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["measure", "network", "who", "period", "category", "value"]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let value = |measure: &str, network: &str, who: &str, period: &str, category: &str| {
        rows.iter()
            .find(|r| r[..5] == [measure, network, who, period, category])
            .map(|r| r[5].clone())
            .unwrap_or_else(|| panic!("no {measure} {network} {who} {period} {category}"))
    };
    assert_eq!(
        value("first_response_answered", "all", "everyone", "", ""),
        "4"
    );
    assert_eq!(
        value("first_response_median_minutes", "all", "everyone", "", ""),
        "20"
    );
    assert_eq!(
        value("first_response_p90_minutes", "all", "everyone", "", ""),
        "75"
    );
    assert_eq!(
        value(
            "first_response_median_minutes",
            "mastodon",
            "regulars",
            "",
            ""
        ),
        "30"
    );
    assert_eq!(
        value(
            "first_response_median_minutes",
            "bluesky",
            "regulars",
            "",
            ""
        ),
        ""
    );
    assert_eq!(value("handled_within_day", "all", "everyone", "", ""), "2");
    assert_eq!(value("handled_late", "all", "everyone", "", ""), "1");
    assert_eq!(value("handled_waiting", "all", "everyone", "", ""), "1");
    assert_eq!(
        value("posts_per_day", "all", "everyone", "2026-11-28", "distress"),
        "1"
    );
    assert_eq!(
        value(
            "posts_per_day",
            "all",
            "everyone",
            "2026-11-26",
            "complaint"
        ),
        "0"
    );
    assert_eq!(
        value("posts_per_hour", "all", "everyone", "12", "praise"),
        "1"
    );
    // Six first-response rows of three measures, three handled, 7 days and 6 hours of 5 categories.
    assert_eq!(rows.len(), 6 * 3 + 3 + (7 + 6) * 5);
}

#[test]
fn digest_text() {
    // Open in Attention: only Kezia's complaint (Priya's distress was dismissed, the others handled). Priya's
    // two posts since Monday; the follow-up due today, not Saturday's; the one reply; the report's times.
    assert_eq!(
        digest(DigestFormat::Text),
        r#"Digest Mon 23 Nov 00:00 to Mon 30 Nov 12:00 (Europe/London)

Urgent, still open (1)
  Fri 27 Nov 11:00  complaint Kezia: parcel says delivered, nothing here, "help", please

Regulars who posted (1)
  #1 Priya Raman: 2 posts, 2 complaint or distress, last Sat 28 Nov 14:00

Follow-ups due (1)
  Mon 30 Nov (due today) Kezia: did the parcel turn up?

Replies sent (1)
  Mon 23 Nov 10:30  mastodon by ana: Sorry Priya, send it back to us and we'll resize it free

Posts answered, response times in business hours (4)
  all networks, everyone: 4 answered, median 20m, 90th percentile 1h 15m
  all networks, regulars: 1 answered, median 30m, 90th percentile 30m
  mastodon, everyone: 3 answered, median 30m, 90th percentile 1h 15m
  mastodon, regulars: 1 answered, median 30m, 90th percentile 30m
  bluesky, everyone: 1 answered, median 20m, 90th percentile 20m
  handled within the day: 2 of 3 (1 waiting)

Spikes (an hour far above the 12 before): none
"#
    );
}

#[test]
fn digest_markdown() {
    let text = digest(DigestFormat::Markdown);
    assert!(
        text.starts_with(
            "# Digest Mon 23 Nov 00:00 to Mon 30 Nov 12:00 (Europe/London)\n\n## Urgent, still open (1)\n\n\
             - Fri 27 Nov 11:00  complaint Kezia: parcel says delivered, nothing here, \"help\", please\n"
        ),
        "{text}"
    );
    // A post's words are never markup.
    assert!(text.contains("- \\#1 Priya Raman: 2 posts"), "{text}");
    assert!(
        text.contains("- handled within the day: 2 of 3 (1 waiting)\n"),
        "{text}"
    );
}

/// A burst of complaints in one hour of the week is named in the digest by the spike alert's own rule, with the
/// hour and the words that rose.
#[test]
fn digest_names_a_spike_of_the_period() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("week.db");
    week(&path);
    let mut db = Db::open(&path).unwrap();
    let burst: Vec<_> = (0..12)
        .map(|i| {
            common::reports::post(
                regulars::domain::Network::Mastodon,
                &format!("burst-{i}"),
                (&format!("buyer{i}@mastodon.social"), "Buyer"),
                None,
                regulars::triage::Category::Complaint,
                &format!("2026-11-26T14:{:02}:00Z", i * 4),
                "the clasp broke on my new bracelet",
            )
        })
        .collect();
    db.insert_batch("t", &burst, &[]).unwrap();
    let since = regulars::report::parse_since("2026-11-23", now(), &hours()).unwrap();
    let mut digest = Digest::build(&db, &hours(), since, now()).unwrap();
    digest
        .push_spikes(&db, &SpikeRule::default(), &hours())
        .unwrap();
    let spikes = digest.sections.last().unwrap();
    // They were mentions too: both rates rose.
    assert_eq!((spikes.key, spikes.count), ("spikes", 2), "{spikes:?}");
    assert!(
        spikes
            .lines
            .iter()
            .any(|l| l.starts_with("Thu 26 Nov 14:00-15:00  12 complaints")
                && l.contains("rising: bracelet, broke, clasp")),
        "{spikes:?}"
    );
}

#[test]
fn digest_json_has_every_section() {
    let json: serde_json::Value = serde_json::from_str(&digest(DigestFormat::Json)).unwrap();
    let sections = json["sections"].as_array().unwrap();
    let keys: Vec<&str> = sections
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "urgent",
            "regulars",
            "follow_ups",
            "replies",
            "response_times",
            "spikes"
        ]
    );
    let counts: Vec<u64> = sections
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [1, 1, 1, 1, 4, 0]);
    assert_eq!(json["time_zone"], "Europe/London");
}

#[test]
fn report_json_numbers() {
    let json: serde_json::Value = serde_json::from_str(&report(Format::Json)).unwrap();
    let all = &json["first_response"][0];
    assert_eq!(all["network"], serde_json::Value::Null);
    assert_eq!(all["answered"], 4);
    assert_eq!(all["median_secs"], 20 * 60);
    assert_eq!(all["p90_secs"], 75 * 60);
    assert_eq!(json["handled"]["within"], 2);
    assert_eq!(json["per_day"][0]["period"], "2026-11-23");
    assert_eq!(json["per_day"][0]["total"], 2);
}

/// The binary, on the week's database with [hours] from a config file: the same figures, by now Kezia's
/// complaint is late rather than waiting.
#[test]
fn the_binary_reports_and_digests() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("week.db");
    week(&db);
    let config = home.path().join("config.toml");
    std::fs::write(&config, HOURS).unwrap();
    let run = |args: &[&str]| {
        succeeded(
            &regulars(home.path())
                .arg("--config")
                .arg(&config)
                .arg("--db")
                .arg(&db)
                .args(args)
                .output()
                .unwrap(),
        )
    };
    let text = run(&["report", "--from", "2026-11-23", "--to", "2026-11-29"]);
    assert!(
        text.contains("  all networks   everyone         4      20m   1h 15m\n"),
        "{text}"
    );
    assert!(text.contains("2 of 4 (50%); 2 late, 0 waiting"), "{text}");
    let markdown = run(&["digest", "--since", "2026-11-23", "--format", "markdown"]);
    assert!(
        markdown.contains("## Regulars who posted (1)"),
        "{markdown}"
    );
    let bad = regulars(home.path())
        .arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(&db)
        .args(["digest", "--since", "yesterday"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--since \"yesterday\""));
}
