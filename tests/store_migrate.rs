//! `regulars store migrate --to postgres` on a generated workspace (posts through the real ingest, customers,
//! and every kind of work staff leave behind), against a throwaway PostgreSQL cluster: every table's count and
//! the rows themselves equal through the repository, the ids kept (new rows follow them), a second run changes
//! nothing, and a target holding rows the workspace lacks is refused with nothing written. Skips, loudly,
//! only where no PostgreSQL server is installed.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::bin::{regulars, succeeded};
use common::postgres::Cluster;
use regulars::domain::checkin::{CheckInRecord, Tally};
use regulars::domain::{
    ActionKind, Anchor, Category, Customer, Draft, DraftState, ImportRun, Listing, NewAction,
    NewFollowUp, Post, PostQuery, Reply, Search, Undo,
};
use regulars::ingest::{Ingest, Matcher};
use regulars::sources::Cursor;
use regulars::sources::listening::Listening;
use regulars::store::{
    AlertRepo, AssignRepo, CheckInRepo, CustomerRepo, Db, ListRepo, LogRepo, PgDb, PostRepo,
    ReadRepo, Repository, ReviewRepo, StoryRepo, WorkRepo,
};

const POSTS: usize = 600;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap()
}

/// A workspace as months of use leave it: posts through the real ingest (sanitize, match, triage) with
/// cursors, imported customers with a linked handle and notes, replies, drafts, actions, follow-ups (one
/// done), corrections (one undone), a check-in, read posts, the console's place, "always tell me" and a
/// customer forgotten on request.
fn workspace(path: &Path) {
    let settings = regulars::config::demo(5.0);
    let classifier = Arc::new(settings.config.classifier().unwrap());
    let mut db = Db::open(path).unwrap();
    let made_up = regulars::bench::customers::customers(7, 40);
    let run = ImportRun::whole("test", now(), &made_up);
    let customers = db.import_customers(&run, &made_up).unwrap();
    let listening = Listening::new(&settings.config, &customers);
    let ingest = Ingest::new(classifier, Matcher::new(&listening));
    let incoming: Vec<_> =
        regulars::bench::generate::Generator::new(7, POSTS, now(), &listening, &customers)
            .collect();
    for (i, batch) in incoming.chunks(40).enumerate() {
        let prepared: Vec<_> = batch
            .iter()
            .map(|p| ingest.prepare(p.clone(), now()))
            .collect();
        let cursors = [Cursor {
            key: "page".into(),
            value: format!("p{i}"),
        }];
        db.insert_batch(
            if i % 2 == 0 { "mastodon" } else { "bluesky" },
            &prepared,
            &cursors,
        )
        .unwrap();
    }
    work(&mut db, &customers);
}

fn work(db: &mut Db, customers: &[Customer]) {
    let at = |m: i64| now() + Duration::minutes(m);
    let open = db
        .posts_page(
            &PostQuery {
                listing: Listing::Attention,
                search: Search::default(),
            },
            Anchor::First,
            60,
            false,
        )
        .unwrap()
        .rows;
    assert!(open.len() >= 40, "the generated workspace has work to do");
    for (i, (_, post)) in open.iter().enumerate().take(40) {
        let m = i as i64;
        // A team's work: each row names one of three people.
        let who = ["ana", "ben", "cy"][i % 3];
        match i % 5 {
            0 => {
                db.record_reply(
                    &Reply {
                        post: post.id,
                        network: post.network,
                        text: format!("So sorry, {} — on its way", post.author.display_name),
                        sent_at: at(m),
                        url: Some(format!("https://example.social/@shop/{i}")),
                        remote_id: Some(format!("r{i}")),
                        idempotency_key: Some(format!("key-{i}")),
                        staff: who.into(),
                    },
                    None,
                )
                .unwrap();
            }
            1 => db
                .save_draft(
                    who,
                    &Draft {
                        post: post.id,
                        text: format!("Hi {},\nlet me check", post.author.display_name),
                        cursor: (1, 3),
                        state: if i % 2 == 0 {
                            DraftState::Editing
                        } else {
                            DraftState::Failed("HTTP 502".into())
                        },
                        idempotency_key: format!("draft-{i}"),
                        updated_at: at(m),
                    },
                )
                .unwrap(),
            2 => {
                db.log_action(
                    who,
                    &NewAction {
                        post: Some(post.id),
                        customer: post.customer,
                        kind: if i % 2 == 0 {
                            ActionKind::Handled
                        } else {
                            ActionKind::GiftSent
                        },
                        note: "sent a voucher".into(),
                        at: at(m),
                        url: None,
                    },
                )
                .unwrap();
            }
            3 => {
                let (f, _) = db
                    .schedule_follow_up(
                        who,
                        &NewFollowUp {
                            post: Some(post.id),
                            customer: post.customer,
                            due: NaiveDate::from_ymd_opt(2026, 12, 1 + (i as u32 % 20)).unwrap(),
                            note: format!("check on {}", post.author.display_name),
                            created_at: at(m),
                        },
                    )
                    .unwrap();
                if i % 2 == 0 {
                    db.complete_follow_up(who, f.id, at(m + 60)).unwrap();
                }
            }
            _ => {
                let (_, c) = db
                    .correct_post(who, post.id, Category::Neutral, at(m))
                    .unwrap()
                    .unwrap();
                if i % 3 == 0 {
                    db.undo(&Undo::Correction(c)).unwrap();
                }
                db.dismiss_post(who, post.id, at(m + 1)).unwrap();
            }
        }
    }
    let read: Vec<_> = open.iter().take(25).map(|(_, p)| p.id).collect();
    db.mark_read(&read, at(90)).unwrap();
    // Assignments and a heartbeat (copied too, so a team starts where the workspace was).
    for (i, (_, p)) in open.iter().take(6).enumerate() {
        let to = ["ana", "ben"][i % 2];
        db.assign(p.id, Some(to), "ana", at(91)).unwrap();
    }
    db.beat(
        "ana",
        Some((open[0].1.id, regulars::domain::Doing::Viewing)),
        at(92),
    )
    .unwrap();
    db.record_check_in(
        "ana",
        &CheckInRecord {
            started_at: at(100),
            ended_at: at(105),
            planned_secs: 300,
            tally: Tally {
                seen: 12,
                replied: 3,
                logged: 2,
                handled: 4,
            },
            left: 5,
            oldest_waiting: Some(at(-600)),
        },
    )
    .unwrap();
    db.save_ui_state(
        &[
            ("focus".into(), "attention".into()),
            ("filter".into(), "is:open".into()),
        ],
        at(110),
    )
    .unwrap();
    db.set_always_tell_me(customers[0].id, true, at(111))
        .unwrap();
    db.set_customer_note(customers[1].id, "ring size N\nallergic to nickel")
        .unwrap();
    let mut handle = customers[2].handles[0].clone();
    handle.handle = format!("linked-{}", handle.handle);
    db.link_handle(customers[2].id, &handle).unwrap();
    db.forget_customer(customers[3].id, false, at(120)).unwrap();
}

/// Everything the repository answers about a store: what must be equal on both sides.
#[derive(Debug, PartialEq)]
struct Snapshot {
    posts: Vec<Post>,
    actions: Vec<regulars::domain::Action>,
    replies: Vec<Reply>,
    customers: Vec<Customer>,
    overview: Vec<regulars::domain::CustomerSummary>,
    drafts: Vec<Draft>,
    team_drafts: Vec<(regulars::domain::PostId, String)>,
    follow_ups: Vec<regulars::domain::FollowUpRow>,
    corrections: Vec<(regulars::domain::Correction, Post)>,
    cursors: Vec<HashMap<String, String>>,
    check_in: Option<CheckInRecord>,
    ui: HashMap<String, String>,
    always: Vec<regulars::domain::CustomerId>,
    forgotten: Vec<String>,
}

fn snapshot(db: &dyn Repository) -> Snapshot {
    let mut posts = Vec::new();
    db.each_post(None, &mut |p| {
        posts.push(p.clone());
        Ok(())
    })
    .unwrap();
    let mut actions = Vec::new();
    db.each_action(None, &mut |a| {
        actions.push(a.clone());
        Ok(())
    })
    .unwrap();
    let mut replies = Vec::new();
    db.each_reply(None, &mut |r| {
        replies.push(r.clone());
        Ok(())
    })
    .unwrap();
    let mut always: Vec<_> = db.always_tell_me().unwrap().into_iter().collect();
    always.sort();
    let mut forgotten: Vec<_> = db.forgotten_keys().unwrap().into_iter().collect();
    forgotten.sort();
    Snapshot {
        posts,
        actions,
        replies,
        customers: db.customers().unwrap(),
        overview: db.customer_overview().unwrap(),
        drafts: ["ana", "ben", "cy"]
            .iter()
            .flat_map(|who| db.drafts(who).unwrap())
            .collect(),
        team_drafts: db.team_drafts("ana").unwrap(),
        follow_ups: db.follow_up_rows().unwrap(),
        corrections: db.corrections().unwrap(),
        cursors: ["mastodon", "bluesky"]
            .iter()
            .map(|s| db.cursors(s).unwrap())
            .collect(),
        check_in: db.last_check_in("ana").unwrap(),
        ui: db.ui_state().unwrap(),
        always,
        forgotten,
    }
}

/// `regulars store migrate --to postgres` on `db` into `url`: its output, or its error when `ok` is false.
fn migrate(home: &Path, db: &Path, url: &str, ok: bool) -> String {
    let out = regulars(home)
        .arg("--db")
        .arg(db)
        .args(["store", "migrate", "--to", "postgres"])
        .env("REGULARS_DATABASE_URL", url)
        .output()
        .unwrap();
    if ok {
        succeeded(&out)
    } else {
        assert!(!out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stderr).to_string()
    }
}

/// The table's figures from the printed report: workspace, new, changed, postgres.
fn figures(report: &str, table: &str) -> [u64; 4] {
    let line = report
        .lines()
        .find(|l| l.split_whitespace().next() == Some(table))
        .unwrap_or_else(|| panic!("no {table} line in\n{report}"));
    let n: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().unwrap())
        .collect();
    [n[0], n[1], n[2], n[3]]
}

#[test]
fn a_workspace_is_copied_whole_verified_and_copied_again_without_change() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("regulars.db");
    workspace(&path);
    let url = cluster.create_database("migrate_whole");

    let first = migrate(home.path(), &path, &url, true);
    eprintln!("{first}");
    let tables = [
        "customers",
        "customer_handles",
        "customer_imports",
        "forgotten_customers",
        "customer_alerts",
        "posts",
        "actions",
        "replies",
        "drafts",
        "follow_ups",
        "corrections",
        "source_cursors",
        "ui_state",
        "checkins",
        "assignments",
        "presence",
    ];
    for table in tables {
        let [source, new, changed, target] = figures(&first, table);
        assert!(source > 0, "{table} has rows to copy");
        assert_eq!((new, changed, target), (source, 0, source), "{table}");
    }
    assert!(figures(&first, "posts")[0] >= POSTS as u64);
    assert!(first.contains("every table matches: 18 tables"));

    let sqlite = Db::open(&path).unwrap();
    let expected = snapshot(&sqlite);
    // Who did what comes along: three people's actions, replies, corrections and drafts.
    let names: std::collections::BTreeSet<&str> =
        expected.actions.iter().map(|a| a.staff.as_str()).collect();
    assert_eq!(names.into_iter().collect::<Vec<_>>(), ["ana", "ben", "cy"]);
    assert!(expected.replies.iter().all(|r| !r.staff.is_empty()));
    assert!(
        expected
            .corrections
            .iter()
            .all(|(c, _)| !c.staff.is_empty())
    );
    assert!(
        !expected.team_drafts.is_empty(),
        "teammates' drafts to copy"
    );
    let pg = PgDb::open(&url).unwrap();
    assert_eq!(
        snapshot(&pg),
        expected,
        "every row equal through the repository"
    );
    drop(pg);

    let again = migrate(home.path(), &path, &url, true);
    for table in tables {
        let [source, new, changed, target] = figures(&again, table);
        assert_eq!(
            (new, changed, target),
            (0, 0, source),
            "{table} on the second run"
        );
    }
    assert!(again.contains("nothing new"), "{again}");
    let mut pg = PgDb::open(&url).unwrap();
    assert_eq!(snapshot(&pg), expected, "the second run changed nothing");

    // Ids continue after the copied ones: a new action in PostgreSQL takes the next id.
    let last = expected.actions.iter().map(|a| a.id).max().unwrap();
    let logged = pg
        .log_action(
            "ana",
            &NewAction {
                post: None,
                customer: None,
                kind: ActionKind::Note,
                note: "after the move".into(),
                at: now(),
                url: None,
            },
        )
        .unwrap();
    assert_eq!(logged.id, last + 1);
}

#[test]
fn changed_rows_are_copied_again_and_a_database_holding_other_rows_is_refused() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("regulars.db");
    workspace(&path);
    let url = cluster.create_database("migrate_refused");
    migrate(home.path(), &path, &url, true);
    // A note edited here since: copied again, that row alone.
    let mut sqlite = Db::open(&path).unwrap();
    let first = sqlite.customers().unwrap()[0].id;
    sqlite.set_customer_note(first, "changed here").unwrap();
    let again = migrate(home.path(), &path, &url, true);
    assert_eq!(figures(&again, "customers")[1..3], [0, 1], "{again}");
    assert_eq!(figures(&again, "posts")[1..3], [0, 0], "{again}");
    // A draft sent (deleted) here since: PostgreSQL now holds a row the workspace lacks.
    let draft = sqlite.drafts("ana").unwrap().remove(0);
    sqlite.delete_draft("ana", draft.post).unwrap();
    sqlite.set_customer_note(first, "changed again").unwrap();
    drop(sqlite);
    let before = snapshot(&PgDb::open(&url).unwrap());
    let err = migrate(home.path(), &path, &url, false);
    assert!(
        err.contains("drafts (") && err.contains("nothing was copied"),
        "{err}"
    );
    assert_eq!(
        snapshot(&PgDb::open(&url).unwrap()),
        before,
        "nothing written"
    );
}

#[test]
fn without_the_connection_string_it_says_which_variable_to_set() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("regulars.db");
    Db::open(&path).unwrap();
    let out = regulars(home.path())
        .arg("--db")
        .arg(&path)
        .args([
            "store",
            "migrate",
            "--to",
            "postgres",
            "--url-env",
            "NO_SUCH_URL_VAR",
        ])
        .env_remove("NO_SUCH_URL_VAR")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("NO_SUCH_URL_VAR is not set"), "{err}");
}

#[test]
fn the_store_section_names_the_database_to_copy_into() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("regulars.db");
    let mut db = Db::open(&path).unwrap();
    let made_up = regulars::bench::customers::customers(3, 5);
    db.import_customers(&ImportRun::whole("test", now(), &made_up), &made_up)
        .unwrap();
    drop(db);
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        "[shop]\nname = \"Shop\"\nkeywords = [\"shop\"]\n\n[store]\nbackend = \"postgres\"\nurl_env = \"SHOP_PG\"\n",
    )
    .unwrap();
    let url = cluster.create_database("migrate_configured");
    let out = succeeded(
        &regulars(home.path())
            .arg("--config")
            .arg(&config)
            .arg("--db")
            .arg(&path)
            .args(["store", "migrate", "--to", "postgres"])
            .env("SHOP_PG", &url)
            .env_remove("REGULARS_DATABASE_URL")
            .output()
            .unwrap(),
    );
    assert_eq!(figures(&out, "customers"), [5, 5, 0, 5], "{out}");
    assert!(
        !out.contains("test-password"),
        "the connection string is never printed"
    );
}
