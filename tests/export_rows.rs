//! `regulars export posts|actions|replies`: CSV written by the binary and parsed back with the csv crate into
//! the rows the store holds; JSON Lines the same; `--since`; headers even with no rows.

mod common;

use common::bin::{regulars, succeeded};
use common::reports::week;
use regulars::export::rows::{ActionRow, PostRow, ReplyRow};
use regulars::store::{Db, ReportRepo};

fn export(home: &std::path::Path, db: &std::path::Path, args: &[&str]) -> String {
    succeeded(
        &regulars(home)
            .arg("--db")
            .arg(db)
            .arg("export")
            .args(args)
            .output()
            .unwrap(),
    )
}

fn parsed<T: serde::de::DeserializeOwned>(csv_text: &str) -> Vec<T> {
    csv::Reader::from_reader(csv_text.as_bytes())
        .deserialize()
        .map(|r| r.unwrap())
        .collect()
}

#[test]
fn csv_and_json_parse_back_to_the_stored_rows() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("week.db");
    week(&path);
    let (posts, actions, replies) = {
        let db = Db::open(&path).unwrap();
        let (mut posts, mut actions, mut replies) = (Vec::new(), Vec::new(), Vec::new());
        db.each_post(None, &mut |p| {
            posts.push(PostRow::from(p));
            Ok(())
        })
        .unwrap();
        db.each_action(None, &mut |a| {
            actions.push(ActionRow::from(a));
            Ok(())
        })
        .unwrap();
        db.each_reply(None, &mut |r| {
            replies.push(ReplyRow::from(r));
            Ok(())
        })
        .unwrap();
        (posts, actions, replies)
    };
    assert_eq!((posts.len(), actions.len(), replies.len()), (8, 8, 1));

    let csv_posts: Vec<PostRow> = parsed(&export(home.path(), &path, &["posts"]));
    assert_eq!(csv_posts, posts);
    // Quotes and commas in a stranger's words survive; times are UTC, to the millisecond.
    let kezia = &csv_posts[2];
    assert_eq!(
        kezia.text,
        "parcel says delivered, nothing here, \"help\", please"
    );
    assert_eq!(
        kezia.first_response_at.as_deref(),
        Some("2026-11-30T09:20:00.000Z")
    );
    assert_eq!(kezia.handled_at, None);
    assert_eq!(csv_posts[0].customer_id, posts[0].customer_id);
    assert!(csv_posts[7].by_shop);

    let csv_actions: Vec<ActionRow> = parsed(&export(home.path(), &path, &["actions"]));
    assert_eq!(csv_actions, actions);
    assert!(csv_actions.iter().any(|a| a.kind == "dismissed"));
    let csv_replies: Vec<ReplyRow> =
        parsed(&export(home.path(), &path, &["replies", "--format", "csv"]));
    assert_eq!(csv_replies, replies);

    let jsonl = export(home.path(), &path, &["posts", "--format", "json"]);
    let json_posts: Vec<PostRow> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(json_posts, posts);
}

#[test]
fn since_and_an_output_file() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("week.db");
    week(&path);
    let out = home.path().join("posts.csv");
    let printed = export(
        home.path(),
        &path,
        &[
            "posts",
            "--since",
            "2026-11-25",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(printed, "");
    let rows: Vec<PostRow> = parsed(&std::fs::read_to_string(&out).unwrap());
    // Wednesday on: the complaint at 08:00, the shop's post, Friday's and Saturday's.
    let ids: Vec<&str> = rows.iter().map(|r| r.native_id.as_str()).collect();
    assert_eq!(ids, ["3", "4", "7", "8"]);
    assert!(!home.path().join("posts.csv.part").exists());
}

#[test]
fn an_empty_table_still_has_its_header() {
    let home = tempfile::tempdir().unwrap();
    let full = home.path().join("week.db");
    week(&full);
    let empty = home.path().join("empty.db");
    for table in ["posts", "actions", "replies"] {
        let header = export(home.path(), &empty, &[table]);
        let first_line = export(home.path(), &full, &[table])
            .lines()
            .next()
            .unwrap()
            .to_string();
        assert_eq!(header, format!("{first_line}\n"), "{table}");
    }
    assert_eq!(
        export(home.path(), &empty, &["posts", "--format", "json"]),
        ""
    );
}
