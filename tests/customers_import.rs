//! `regulars customers import` on real files: CSV exports (good, broken, semicolons with decimal commas,
//! renamed columns, order rows ranked by recent spend), a shop's SQLite database read through a query and
//! left untouched, re-imports that keep history (exact dry-run output), ties at the last place, and a failed
//! import at start that leaves the stored list and says why.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::bin::{regulars, succeeded};
use regulars::domain::{Author, IncomingPost, Network, NewPost, Triage};
use regulars::store::{CustomerRepo, Db, PostRepo};
use rusqlite::Connection;

/// A shop's folder: its config, its export and the workspace's database.
struct Shop {
    home: tempfile::TempDir,
}

impl Shop {
    fn new(customers: &str) -> Shop {
        let shop = Shop {
            home: tempfile::tempdir().unwrap(),
        };
        shop.write(
            "config.toml",
            &format!("[shop]\nname = \"Shop\"\n\n[notifications]\nenabled = false\n\n[customers]\n{customers}"),
        );
        shop
    }

    fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    fn db(&self) -> PathBuf {
        self.path("work.db")
    }

    fn import(&self, args: &[&str]) -> Output {
        let config = self.path("config.toml");
        let db = self.db();
        regulars(self.home.path())
            .args([
                "--config",
                config.to_str().unwrap(),
                "--db",
                db.to_str().unwrap(),
            ])
            .args(["customers", "import"])
            .args(args)
            .output()
            .unwrap()
    }

    /// Imports; the run must succeed. Returns stdout.
    fn imported(&self, args: &[&str]) -> String {
        succeeded(&self.import(args))
    }

    /// (external id, rank, spend in cents, former), regulars by rank then former.
    fn stored(&self) -> Vec<(String, u32, i64, bool)> {
        Db::open_read_only(self.db())
            .unwrap()
            .customers()
            .unwrap()
            .into_iter()
            .map(|c| (c.external_id, c.rank, c.lifetime_spend_cents, c.former))
            .collect()
    }

    fn origin(&self, file: &str) -> String {
        self.path(file).display().to_string()
    }
}

fn row(id: &str, rank: u32, cents: i64, former: bool) -> (String, u32, i64, bool) {
    (id.to_string(), rank, cents, former)
}

const CSV: &str = "kind = \"csv\"\npath = \"customers.csv\"\n";

#[test]
fn a_good_csv_is_imported_and_reports_everyone_new() {
    let shop = Shop::new(CSV);
    shop.write(
        "customers.csv",
        "external_id,name,lifetime_spend,mastodon,bluesky,note\n\
         C1,Ann Smith,\"1,250.00\",ann@social.example,,likes opals\n\
         C2,Bo Jones,£900,,bo.bsky.social,\n",
    );
    let dry = shop.imported(&["--dry-run"]);
    assert!(dry.starts_with("New regulars (2):\n"), "{dry}");
    assert!(!shop.db().exists(), "a dry run creates no database");
    let out = shop.imported(&[]);
    assert_eq!(
        out,
        format!(
            "New regulars (2):\n\
             \x20 #1   Ann Smith (C1)  £1,250.00\n\
             \x20 #2   Bo Jones (C2)  £900.00\n\
             Unchanged: 0\n\
             imported 2 customers from {} (ranked by lifetime spend, top 30 of 2 read): 2 new, 0 back, 0 \
             dropped out, 0 moved, 0 spend changed, 0 unchanged\n",
            shop.origin("customers.csv")
        )
    );
    assert_eq!(
        shop.stored(),
        [row("C1", 1, 125_000, false), row("C2", 2, 90_000, false)]
    );
    let conn = Connection::open(shop.db()).unwrap();
    let (origin, ranked_by, top, rows, joined): (String, String, i64, i64, i64) = conn
        .query_row(
            "SELECT origin, ranked_by, top, rows, joined FROM customer_imports",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(
        (origin, ranked_by.as_str(), top, rows, joined),
        (shop.origin("customers.csv"), "lifetime spend", 30, 2, 2)
    );
}

#[test]
fn a_broken_csv_reports_every_bad_line_and_writes_nothing() {
    let shop = Shop::new(CSV);
    shop.write(
        "customers.csv",
        "external_id,name,lifetime_spend,last_purchase\nC1,Ann,500,2026-01-01\n",
    );
    shop.imported(&[]);
    let before = shop.stored();
    shop.write(
        "customers.csv",
        "external_id,name,lifetime_spend,last_purchase\n\
         C1,Ann,900,2026-01-01\n\
         C2,Bo,lots,\n\
         ,Cy,3,\n\
         C4,Di,12,31/01/2026\n\
         C5,\"Ed, Jr\",5\n\
         C1,Ann,1,\n",
    );
    let out = shop.import(&[]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "nothing printed as if it worked");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let origin = shop.origin("customers.csv");
    let expected = [
        "line 3, column lifetime_spend: `lots` is not an amount; write an amount like 1234.50 or 1,234.50",
        "line 4, column external_id: empty id; every row needs the customer's id",
        "line 5, column last_purchase: `31/01/2026` is not a date we read; write dates as YYYY-MM-DD",
        "line 6: 3 fields where the header has 4; quote a field that contains the delimiter",
        "line 7, column external_id: id `C1` appears again (first at line 2)",
    ];
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), expected.len() + 1, "{stderr}");
    for (line, want) in lines.iter().zip(expected) {
        assert!(
            line.contains(&format!("{origin}: {want}")),
            "{want}\n---\n{stderr}"
        );
    }
    assert!(
        lines[5].contains("nothing was imported; the stored customers are kept"),
        "{stderr}"
    );
    assert_eq!(shop.stored(), before, "C1 still at £500");
    let conn = Connection::open(shop.db()).unwrap();
    let runs: i64 = conn
        .query_row("SELECT COUNT(*) FROM customer_imports", [], |r| r.get(0))
        .unwrap();
    assert_eq!(runs, 1);
    // A missing file says which file and where it is configured.
    std::fs::remove_file(shop.path("customers.csv")).unwrap();
    let stderr = String::from_utf8_lossy(&shop.import(&[]).stderr).to_string();
    assert!(
        stderr.contains(&format!("{origin}: cannot open")) && stderr.contains("customers.path"),
        "{stderr}"
    );
}

#[test]
fn semicolons_with_decimal_commas() {
    let shop = Shop::new(&format!("{CSV}delimiter = \";\"\ndecimal_comma = true\n"));
    shop.write(
        "customers.csv",
        "external_id;name;lifetime_spend;note\n\
         C1;Ann;1.234,50;\"prefers; semicolons\"\n\
         C2;Bo;€ 99,9;\n",
    );
    shop.imported(&[]);
    assert_eq!(
        shop.stored(),
        [row("C1", 1, 123_450, false), row("C2", 2, 9_990, false)]
    );
}

#[test]
fn renamed_columns_are_mapped() {
    let shop = Shop::new(&format!(
        "{CSV}[customers.columns]\nid = \"Customer number\"\nname = \"Customer\"\nspend = \"Total spent\"\n\
         email = \"Email address\"\norders = \"Order count\"\nlast_purchase = \"Last order\"\nbluesky = \"Bluesky\"\n"
    ));
    shop.write(
        "customers.csv",
        "Customer number,Customer,Email address,Total spent,Order count,Last order,Bluesky\n\
         1001,Ann Smith,ann@example.com,250.00,4,2026-10-31 17:45:00,ann.bsky.social\n",
    );
    shop.imported(&[]);
    let c = Db::open_read_only(shop.db()).unwrap().customers().unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(
        (
            c[0].external_id.as_str(),
            c[0].email.as_str(),
            c[0].orders,
            c[0].last_purchase.map(|d| d.to_string())
        ),
        (
            "1001",
            "ann@example.com",
            Some(4),
            Some("2026-10-31".into())
        )
    );
    assert_eq!(c[0].handles[0].handle, "ann.bsky.social");
    // A column named in the mapping that the file lacks is named, with the columns it has.
    shop.write(
        "customers.csv",
        "Customer number,Customer,Total spent\n1,Ann,2\n",
    );
    let stderr = String::from_utf8_lossy(&shop.import(&[]).stderr).to_string();
    assert!(
        stderr.contains(
            "no column `Email address` for email (named in [customers.columns]); the columns are: Customer number, \
             Customer, Total spent"
        ),
        "{stderr}"
    );
}

#[test]
fn order_rows_are_added_up_and_ranked_by_recent_spend() {
    let shop = Shop::new(
        "kind = \"csv\"\npath = \"orders.csv\"\nrows = \"orders\"\nrank_by = \"recent_spend\"\nmonths = 3\ntop = 2\n\
         [customers.columns]\nid = \"customer\"\nspend = \"amount\"\nlast_purchase = \"ordered\"\n",
    );
    let today = chrono::Utc::now().date_naive();
    let ago = |days: u64| (today - chrono::Days::new(days)).to_string();
    shop.write(
        "orders.csv",
        &format!(
            "customer,name,amount,ordered\n\
             A,Ann,5000.00,{}\n\
             B,Bo,100.00,{}\n\
             B,Bo,150.00,{}\n\
             C,Cy,200.00,{}\n\
             A,Ann,10.00,{}\n",
            ago(400),
            ago(10),
            ago(20),
            ago(5),
            ago(30)
        ),
    );
    let out = shop.imported(&[]);
    assert!(
        out.contains("(ranked by spend in the last 3 months, top 2 of 3 read)"),
        "{out}"
    );
    // Recent spend: B 250, C 200, A 10 (its big order is over a year old).
    assert_eq!(
        shop.stored(),
        [row("B", 1, 25_000, false), row("C", 2, 20_000, false)]
    );
    let c = Db::open_read_only(shop.db()).unwrap().customers().unwrap();
    assert_eq!(
        (c[0].orders, c[0].recent_spend_cents),
        (Some(2), Some(25_000))
    );
    assert_eq!(c[0].last_purchase, Some(today - chrono::Days::new(10)));
}

/// A shop's own database: customers and their orders, as a point-of-sale program keeps them.
fn shop_database(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, masto TEXT);
         CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, total NUMERIC, placed_at TEXT);
         INSERT INTO customers VALUES (1, 'Ann Smith', 'ann@example.com', 'ann@social.example'),
                                      (2, 'Bo Jones', NULL, NULL), (3, 'Cy Dee', 'cy@example.com', NULL);
         INSERT INTO orders (customer_id, total, placed_at) VALUES
             (1, 19.99, '2026-01-02 10:00:00'), (1, 19.99, '2026-03-04 11:00:00'), (1, 19.99, '2026-05-06 12:00:00'),
             (2, 100.10, '2025-12-24 09:00:00'), (2, 0.2, '2026-02-01 09:00:00'),
             (3, 0.1, '2026-06-01 09:00:00');",
    )
    .unwrap();
}

#[test]
fn a_sqlite_database_is_read_through_the_query_and_left_untouched() {
    let query = "SELECT c.id, c.full_name AS name, c.email, c.masto, SUM(o.total) AS spent, COUNT(o.id) AS n, \
                 MAX(o.placed_at) AS last FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id";
    let shop = Shop::new(&format!(
        "kind = \"sqlite\"\npath = \"shop.db\"\nquery = \"{query}\"\nrank_by = \"orders\"\n\
         [customers.columns]\nid = \"id\"\nspend = \"spent\"\norders = \"n\"\nlast_purchase = \"last\"\nmastodon = \"masto\"\n"
    ));
    let db = shop.path("shop.db");
    shop_database(&db);
    let bytes = std::fs::read(&db).unwrap();
    let mtime = std::fs::metadata(&db).unwrap().modified().unwrap();
    let out = shop.imported(&[]);
    assert!(
        out.contains("(ranked by order count, top 30 of 3 read)"),
        "{out}"
    );
    // 3 × 19.99 summed as floats is 59.97 to the penny; 100.10 + 0.2 is 100.30.
    assert_eq!(
        shop.stored(),
        [
            row("1", 1, 5_997, false),
            row("2", 2, 10_030, false),
            row("3", 3, 10, false)
        ]
    );
    let c = Db::open_read_only(shop.db()).unwrap().customers().unwrap();
    assert_eq!(c[0].handles[0].handle, "ann@social.example");
    assert_eq!(
        c[0].last_purchase.map(|d| d.to_string()),
        Some("2026-05-06".into())
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        bytes,
        "the shop's file is byte for byte as it was"
    );
    assert_eq!(std::fs::metadata(&db).unwrap().modified().unwrap(), mtime);
    for companion in ["shop.db-journal", "shop.db-wal", "shop.db-shm"] {
        assert!(!shop.path(companion).exists(), "{companion} left behind");
    }
    // A query that would write is refused before it runs.
    shop.write(
        "config.toml",
        "[customers]\nkind = \"sqlite\"\npath = \"shop.db\"\nquery = \"DELETE FROM orders RETURNING customer_id AS external_id\"\n",
    );
    let out = shop.import(&[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("customers.query would change the database; regulars only reads it"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
}

/// A post by a customer, stored as ingest would store it (linked to them).
fn post_by(db: &Path, external_id: &str) {
    let mut db = Db::open(db).unwrap();
    let customer = db
        .customers()
        .unwrap()
        .into_iter()
        .find(|c| c.external_id == external_id)
        .unwrap();
    let now = chrono::Utc::now();
    db.insert_batch(
        "test",
        &[NewPost {
            incoming: IncomingPost {
                network: Network::Bluesky,
                native_id: format!("post-{external_id}"),
                url: None,
                author: Author {
                    handle: "cy.bsky.social".into(),
                    display_name: customer.name.clone(),
                },
                text: "my locket clasp broke".into(),
                created_at: now,
                in_reply_to: None,
                reply_ref: None,
                addressed_to_shop: false,
                context: false,
                quotes: None,
                rating: None,
            },
            customer: Some(customer.id),
            is_mention: false,
            by_shop: false,
            triage: Triage::neutral(),
            ingested_at: now,
        }],
        &[],
    )
    .unwrap();
}

#[test]
fn a_reimport_keeps_history_and_the_dry_run_says_exactly_what_changes() {
    let shop = Shop::new(&format!("{CSV}top = 3\n"));
    let origin = shop.origin("customers.csv");
    shop.write(
        "customers.csv",
        "external_id,name,lifetime_spend,bluesky,note\n\
         C1,Ann Smith,500.00,ann.bsky.social,likes opals\n\
         C2,Bo Jones,400.00,,\n\
         C3,Cy Dee,300.00,cy.bsky.social,birthday in May\n\
         C4,Di Eve,100.00,,\n",
    );
    shop.imported(&[]);
    post_by(&shop.db(), "C3");
    let conn = Connection::open(shop.db()).unwrap();
    let cy: i64 = conn
        .query_row(
            "SELECT id FROM customers WHERE external_id = 'C3'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute(
        "INSERT INTO customer_handles (customer_id, network, handle, linked) VALUES (?1, 'mastodon', 'cy@social.example', 1)",
        [cy],
    )
    .unwrap();
    drop(conn);
    shop.write(
        "customers.csv",
        "external_id,name,lifetime_spend,bluesky,note\n\
         C1,Ann Smith,500.00,ann.bsky.social,likes opals\n\
         C2,Bo Jones,600.00,,\n\
         C3,Cy Dee,50.00,cy.bsky.social,birthday in May\n\
         C4,Di Eve,450.00,,\n",
    );
    let changes = "New regulars (1):\n\
                   \x20 #3   Di Eve (C4)  £450.00\n\
                   Dropping out, kept as former with their notes and posts (1):\n\
                   \x20 was #3   Cy Dee (C3)\n\
                   Rank moves (2):\n\
                   \x20 #1   Bo Jones (C2)  ↑1 (was #2)\n\
                   \x20 #2   Ann Smith (C1)  ↓1 (was #1)\n\
                   Spend changes (1):\n\
                   \x20 #1   Bo Jones (C2)  £400.00 → £600.00 (+£200.00)\n\
                   Unchanged: 0\n";
    let summary = format!(
        "3 customers from {origin} (ranked by lifetime spend, top 3 of 4 read): 1 new, 0 back, 1 dropped out, \
         2 moved, 1 spend changed, 0 unchanged\n"
    );
    let before = std::fs::read(shop.db()).unwrap();
    let dry = shop.imported(&["--dry-run"]);
    assert_eq!(
        dry,
        format!("{changes}dry run, nothing written: would import {summary}")
    );
    assert_eq!(
        std::fs::read(shop.db()).unwrap(),
        before,
        "a dry run writes nothing"
    );
    let json: serde_json::Value =
        serde_json::from_str(&shop.imported(&["--dry-run", "--json"])).unwrap();
    assert_eq!(json["dry_run"], true);
    assert_eq!(json["changes"]["dropped"][0]["id"], "C3");
    assert_eq!(json["changes"]["moved"][0]["from"], 2);
    assert_eq!(json["changes"]["spend"][0]["to_cents"], 60_000);
    assert_eq!(std::fs::read(shop.db()).unwrap(), before);
    let real = shop.imported(&[]);
    assert_eq!(real, format!("{changes}imported {summary}"));
    assert_eq!(
        shop.stored(),
        [
            row("C2", 1, 60_000, false),
            row("C1", 2, 50_000, false),
            row("C4", 3, 45_000, false),
            row("C3", 3, 30_000, true),
        ]
    );
    let conn = Connection::open(shop.db()).unwrap();
    let (note, posts, linked): (String, i64, i64) = conn
        .query_row(
            "SELECT note, (SELECT COUNT(*) FROM posts WHERE customer_id = ?1),
                    (SELECT COUNT(*) FROM customer_handles WHERE customer_id = ?1 AND linked = 1)
             FROM customers WHERE id = ?1",
            [cy],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((note.as_str(), posts, linked), ("birthday in May", 1, 1));
    drop(conn);
    // Back later, as the same customer.
    shop.write(
        "customers.csv",
        "external_id,name,lifetime_spend,bluesky,note\n\
         C1,Ann Smith,500.00,ann.bsky.social,likes opals\n\
         C2,Bo Jones,600.00,,\n\
         C3,Cy Dee,700.00,cy.bsky.social,a note from the shop's database\n\
         C4,Di Eve,450.00,,\n",
    );
    let out = shop.imported(&[]);
    assert!(
        out.starts_with(
            "Back from former (1):\n  #1   Cy Dee (C3)  £700.00\nDropping out, kept as former with their notes and \
             posts (1):\n  was #3   Di Eve (C4)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("#1   Cy Dee (C3)  £300.00 → £700.00 (+£400.00)"),
        "{out}"
    );
    let conn = Connection::open(shop.db()).unwrap();
    let (id, note, former): (i64, String, bool) = conn
        .query_row(
            "SELECT id, note, former FROM customers WHERE external_id = 'C3'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((id, note.as_str(), former), (cy, "birthday in May", false));
}

#[test]
fn a_tie_for_the_last_place_keeps_the_regular_who_has_it() {
    let shop = Shop::new(&format!("{CSV}top = 2\n"));
    shop.write(
        "customers.csv",
        "external_id,name,lifetime_spend\nC1,Ann,500\nC2,Zed,100\n",
    );
    shop.imported(&[]);
    // A newcomer with the same spend and a name that sorts first does not push Zed out.
    shop.write(
        "customers.csv",
        "external_id,name,lifetime_spend\nC1,Ann,500\nC3,Abe,100\nC2,Zed,100\n",
    );
    let out = shop.imported(&[]);
    assert!(out.starts_with("Unchanged: 2\n"), "{out}");
    assert_eq!(
        shop.stored(),
        [row("C1", 1, 50_000, false), row("C2", 2, 10_000, false)]
    );
}

#[tokio::test]
async fn a_failed_import_at_start_opens_on_the_stored_list_and_says_why() {
    let shop = Shop::new(CSV);
    shop.write(
        "customers.csv",
        "external_id,name,lifetime_spend\nC1,Ann,500\n",
    );
    let settings = regulars::config::load(&shop.path("config.toml")).unwrap();
    let workspace = regulars::workspace::Workspace::open(settings.clone(), shop.db(), false)
        .await
        .unwrap();
    assert_eq!(workspace.customer_import, None);
    assert_eq!(workspace.customers.len(), 1);
    workspace.store.close().await;
    shop.write(
        "customers.csv",
        "external_id,name,lifetime_spend\nC1,Ann,lots\nC2,Bo,-3\n",
    );
    let workspace = regulars::workspace::Workspace::open(settings, shop.db(), false)
        .await
        .unwrap();
    let why = format!(
        "{}: line 2, column lifetime_spend: `lots` is not an amount; write an amount like 1234.50 or 1,234.50 \
         (and 1 more)",
        shop.origin("customers.csv")
    );
    assert_eq!(workspace.customer_import.as_deref(), Some(why.as_str()));
    assert_eq!(workspace.customers.len(), 1, "the stored list is kept");
    let state = workspace.initial_state(Default::default()).await.unwrap();
    let flash = state.flash.map(|(text, _)| text).unwrap_or_default();
    assert_eq!(
        flash,
        format!("customer import failed: {why} (the stored list is kept)")
    );
    workspace.store.close().await;
    // From cron the same failure is an exit code and the reasons on stderr.
    let out = shop.import(&[]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("line 3, column lifetime_spend: a negative amount")
    );
    // And `doctor` counts it as a failed check.
    let out = regulars(shop.home.path())
        .args(["--config", shop.path("config.toml").to_str().unwrap()])
        .args(["--db", shop.db().to_str().unwrap(), "doctor"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        stdout.contains(&format!("customers import             FAIL {why}")),
        "{stdout}"
    );
}

#[test]
fn the_demo_imports_its_own_customers_through_the_same_pipeline() {
    let home = tempfile::tempdir().unwrap();
    let out = regulars(home.path())
        .args(["--demo", "customers", "import"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.starts_with("New regulars (30):\n  #1   Priya Raman (C-1042)  £14,820.00\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(
            "imported 30 customers from embedded demo customers (ranked by lifetime spend, top 30 of 30 read): \
             30 new, 0 back, 0 dropped out, 0 moved, 0 spend changed, 0 unchanged\n"
        ),
        "{stdout}"
    );
}
