//! The PostgreSQL customers reader against a real server: a throwaway cluster shared by this binary's tests,
//! one database per test, and `regulars customers import` run as a shop would run it from cron. Skips,
//! loudly, only where no PostgreSQL server is installed.

mod common;

use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use common::bin::{regulars, succeeded};
use common::postgres::{Cluster, PASSWORD};
use regulars::customers::postgres::read;
use regulars::customers::table::{Cell, Place, Row, Table};
use regulars::store::{CustomerRepo, Db};

const SHOP: &str = "
    CREATE TABLE customers (
        id integer PRIMARY KEY,
        full_name text NOT NULL,
        email varchar(200),
        joined date NOT NULL,
        vip boolean NOT NULL DEFAULT false
    );
    CREATE TABLE orders (
        id bigserial PRIMARY KEY,
        customer_id integer NOT NULL REFERENCES customers,
        total numeric(10, 2) NOT NULL,
        placed_at timestamptz NOT NULL
    );
    INSERT INTO customers VALUES
        (1, 'Ada Lovelace', 'ada@example.com', '2021-03-04', true),
        (2, 'Brendan O''Neil', NULL, '2023-11-30', false),
        (3, 'Chen Wei', 'chen@example.com', '2024-01-15', false);
    INSERT INTO orders (customer_id, total, placed_at) VALUES
        (1, 1000.00, '2026-10-01 10:00:00+00'),
        (1, 234.50, '2026-11-20 15:30:00+00'),
        (2, 19.99, '2026-06-01 09:00:00+00'),
        (2, 0.01, '2026-06-02 09:00:00+02');
";

const TOP: &str = "
    SELECT c.id, c.full_name, c.email, sum(o.total) AS spend, count(o.id) AS orders,
           max(o.placed_at) AS last_order, max(o.placed_at) AT TIME ZONE 'UTC' AS last_order_utc,
           (max(o.placed_at) AT TIME ZONE 'UTC')::date AS last_day, c.vip, avg(o.total)::float8 AS average, c.id::int2 AS small
    FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
    GROUP BY c.id
    ORDER BY spend DESC NULLS LAST";

const SECONDS: Duration = Duration::from_secs(5);

/// A fresh database holding the shop's schema and data; its url.
fn shop(cluster: &Cluster, name: &str) -> String {
    let url = cluster.create_database(name);
    cluster.execute(name, SHOP);
    url
}

fn orders(cluster: &Cluster, database: &str) -> i64 {
    cluster.query_one(database, "SELECT count(*) FROM orders")
}

fn expected_top() -> Table {
    let at = |y, m, d, h, min| Cell::Time(Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap());
    let day = |y, m, d| Cell::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap());
    let text = |s: &str| Cell::Text(s.into());
    Table {
        columns: [
            "id",
            "full_name",
            "email",
            "spend",
            "orders",
            "last_order",
            "last_order_utc",
            "last_day",
            "vip",
            "average",
            "small",
        ]
        .map(String::from)
        .to_vec(),
        rows: vec![
            Row {
                place: Place::Row(1),
                cells: vec![
                    Cell::Int(1),
                    text("Ada Lovelace"),
                    text("ada@example.com"),
                    text("1234.50"),
                    Cell::Int(2),
                    at(2026, 11, 20, 15, 30),
                    at(2026, 11, 20, 15, 30),
                    day(2026, 11, 20),
                    text("true"),
                    Cell::Real(617.25),
                    Cell::Int(1),
                ],
            },
            Row {
                place: Place::Row(2),
                cells: vec![
                    Cell::Int(2),
                    text("Brendan O'Neil"),
                    Cell::Null,
                    text("20.00"),
                    Cell::Int(2),
                    at(2026, 6, 2, 7, 0),
                    at(2026, 6, 2, 7, 0),
                    day(2026, 6, 2),
                    text("false"),
                    Cell::Real(10.0),
                    Cell::Int(2),
                ],
            },
            Row {
                place: Place::Row(3),
                cells: vec![
                    Cell::Int(3),
                    text("Chen Wei"),
                    text("chen@example.com"),
                    Cell::Null,
                    Cell::Int(0),
                    Cell::Null,
                    Cell::Null,
                    Cell::Null,
                    text("false"),
                    Cell::Null,
                    Cell::Int(3),
                ],
            },
        ],
    }
}

#[test]
fn a_shop_query_returns_typed_cells_with_exact_money() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let url = shop(cluster, "typed");
    assert_eq!(read(&url, TOP, SECONDS).unwrap(), expected_top());
}

#[tokio::test]
async fn the_reader_works_from_inside_a_tokio_runtime() {
    // The console and the CLI call the reader from inside `block_on`, where the sync client alone would panic.
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let url = shop(cluster, "in_runtime");
    assert_eq!(read(&url, TOP, SECONDS).unwrap(), expected_top());
    let url_again = url.clone();
    let from_blocking = tokio::task::spawn_blocking(move || read(&url_again, TOP, SECONDS));
    assert_eq!(from_blocking.await.unwrap().unwrap(), expected_top());
}

#[test]
fn a_write_in_the_query_is_refused_and_nothing_changes() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let url = shop(cluster, "writes");
    let port = cluster.port();
    let refused = |verb: &str| {
        format!(
            "PostgreSQL writes@127.0.0.1:{port}: cannot execute {verb} in a read-only transaction (the customers \
             query runs read-only: it may only read)"
        )
    };
    let insert =
        "INSERT INTO orders (customer_id, total, placed_at) VALUES (3, 5000, now()) RETURNING id";
    assert_eq!(read(&url, insert, SECONDS).unwrap_err(), refused("INSERT"));
    let delete = "DELETE FROM orders WHERE customer_id = 1 RETURNING id";
    assert_eq!(read(&url, delete, SECONDS).unwrap_err(), refused("DELETE"));
    assert_eq!(orders(cluster, "writes"), 4);
    // A second statement cannot slip past the transaction either: the query is one prepared statement.
    let two = "SELECT 1; DELETE FROM orders";
    let err = read(&url, two, SECONDS).unwrap_err();
    assert!(
        err.contains("cannot insert multiple commands into a prepared statement"),
        "{err}"
    );
    assert_eq!(orders(cluster, "writes"), 4);
}

#[test]
fn a_slow_query_is_cancelled_at_the_timeout() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let url = shop(cluster, "slow");
    let began = Instant::now();
    let err = read(
        &url,
        "SELECT c.id FROM customers c, pg_sleep(5)",
        Duration::from_secs(1),
    )
    .unwrap_err();
    assert_eq!(
        err,
        format!(
            "PostgreSQL slow@127.0.0.1:{}: canceling statement due to statement timeout (timeout_seconds = 1)",
            cluster.port()
        )
    );
    assert!(
        began.elapsed() < Duration::from_secs(4),
        "took {:?}",
        began.elapsed()
    );
}

#[test]
fn a_wrong_password_is_named_without_echoing_it() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    cluster.create_database("locked");
    let url = cluster
        .url("locked")
        .replace(PASSWORD, "not-the-password-9x");
    let err = read(&url, "SELECT 1", SECONDS).unwrap_err();
    assert_eq!(
        err,
        format!(
            "PostgreSQL locked@127.0.0.1:{}: password authentication failed for user \"regulars\" (check the user \
             and password in the connection string)",
            cluster.port()
        )
    );
    assert!(!err.contains("not-the-password-9x"));
}

#[test]
fn a_missing_table_is_named() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let url = shop(cluster, "missing");
    let err = read(&url, "SELECT id, total FROM purchases", SECONDS).unwrap_err();
    assert_eq!(
        err,
        format!(
            "PostgreSQL missing@127.0.0.1:{}: relation \"purchases\" does not exist",
            cluster.port()
        )
    );
}

#[test]
fn a_column_of_another_type_asks_for_a_cast() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let url = shop(cluster, "uuid");
    let err = read(
        &url,
        "SELECT id, gen_random_uuid() AS token FROM customers",
        SECONDS,
    )
    .unwrap_err();
    assert_eq!(
        err,
        format!(
            "PostgreSQL uuid@127.0.0.1:{}: column `token` has type uuid, which regulars does not read; cast it in \
             the query, e.g. `token::text`",
            cluster.port()
        )
    );
    let cast = read(&url, "SELECT gen_random_uuid()::text AS token", SECONDS).unwrap();
    assert!(
        matches!(&cast.rows[0].cells[0], Cell::Text(t) if t.len() == 36),
        "{cast:?}"
    );
}

#[test]
fn tls_asked_for_is_negotiated_and_the_certificate_checked() {
    // The cluster's certificate is self-signed: a reader that asked for TLS must refuse it, not fall back to
    // plain text nor accept any certificate. (Other tests connect without TLS and are unaffected.)
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    cluster.create_database("tls");
    cluster.enable_tls();
    for mode in ["require", "verify-full"] {
        let url = format!("{}?sslmode={mode}", cluster.url("tls"));
        let err = read(&url, "SELECT 1", SECONDS).unwrap_err();
        assert_eq!(
            err,
            format!(
                "PostgreSQL tls@127.0.0.1:{}: error performing TLS handshake: invalid peer certificate: \
                 UnknownIssuer (the server's certificate must be issued by a public certificate authority for \
                 its host name)",
                cluster.port()
            )
        );
    }
}

#[test]
fn a_unix_socket_needs_no_tls() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    cluster.create_database("socket");
    let url = format!(
        "host={} port={} user=regulars dbname=socket",
        cluster.socket_dir().display(),
        cluster.port()
    );
    let table = read(&url, "SELECT current_user::text AS who", SECONDS).unwrap();
    assert_eq!(table.rows[0].cells, vec![Cell::Text("regulars".into())]);
}

#[test]
fn a_server_that_never_answers_times_out_connecting() {
    // Needs no server: the kernel accepts the connection into the backlog, and nothing ever speaks on it.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let url = format!("postgresql://shop:s3cret-pw@127.0.0.1:{port}/shopdb");
    let began = Instant::now();
    let err = read(&url, "SELECT 1", Duration::from_secs(1)).unwrap_err();
    assert_eq!(
        err,
        format!(
            "PostgreSQL shopdb@127.0.0.1:{port}: no answer from the server while connecting (timeout_seconds = 1)"
        )
    );
    assert!(
        began.elapsed() < Duration::from_secs(4),
        "took {:?}",
        began.elapsed()
    );
}

#[test]
fn a_closed_port_names_host_and_port() {
    // Needs no server: a port just freed refuses connections.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgresql://shop:s3cret-pw@127.0.0.1:{port}/shopdb");
    let err = read(&url, "SELECT 1", SECONDS).unwrap_err();
    assert!(
        err.starts_with(&format!(
            "PostgreSQL shopdb@127.0.0.1:{port}: error connecting to server: Connection refused"
        )),
        "{err}"
    );
    assert!(!err.contains("s3cret-pw"), "{err}");
}

/// A point-of-sale database with order rows dated from today, and the shop's config reading it.
const POS: &str = "
    CREATE TABLE customers (id integer PRIMARY KEY, full_name text NOT NULL, email text, masto text);
    CREATE TABLE orders (
        id bigserial PRIMARY KEY,
        customer_id integer NOT NULL REFERENCES customers,
        total numeric(10, 2) NOT NULL,
        placed_at timestamptz NOT NULL
    );
    INSERT INTO customers VALUES
        (1, 'Ada Lovelace', 'ada@example.com', 'ada@social.example'),
        (2, 'Brendan O''Neil', NULL, NULL),
        (3, 'Chen Wei', 'chen@example.com', NULL);
    INSERT INTO orders (customer_id, total, placed_at) VALUES
        (1, 5000.00, now() - interval '400 days'),
        (1, 10.00, now() - interval '30 days'),
        (2, 100.00, now() - interval '10 days'),
        (2, 150.00, now() - interval '20 days'),
        (3, 200.00, now() - interval '5 days');
";

const POS_CONFIG: &str = r#"[notifications]
enabled = false

[customers]
kind = "postgres"
url_env = "SHOP_DB"
query = """
SELECT o.customer_id AS id, c.full_name AS name, c.email, c.masto, o.total, o.placed_at
FROM orders o JOIN customers c ON c.id = o.customer_id"""
rows = "orders"
rank_by = "recent_spend"
months = 3
top = 2

[customers.columns]
id = "id"
spend = "total"
last_purchase = "placed_at"
mastodon = "masto"
"#;

/// `regulars customers import` in a shop's home with `config`, the url given through `$SHOP_DB`.
fn import(home: &std::path::Path, config: &str, url: &str, args: &[&str]) -> std::process::Output {
    let file = home.join("config.toml");
    std::fs::write(&file, config).unwrap();
    regulars(home)
        .env("SHOP_DB", url)
        .args(["--config", file.to_str().unwrap()])
        .args(["--db", home.join("work.db").to_str().unwrap()])
        .args(["customers", "import"])
        .args(args)
        .output()
        .unwrap()
}

/// (external id, rank, recent spend in cents, former), as stored in the workspace.
fn stored(home: &std::path::Path) -> Vec<(String, u32, Option<i64>, bool)> {
    Db::open_read_only(home.join("work.db"))
        .unwrap()
        .customers()
        .unwrap()
        .into_iter()
        .map(|c| (c.external_id, c.rank, c.recent_spend_cents, c.former))
        .collect()
}

#[test]
fn the_import_command_ranks_a_point_of_sale_database_and_reimports_with_a_dry_run() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let url = cluster.create_database("pos");
    cluster.execute("pos", POS);
    let home = tempfile::tempdir().unwrap();
    let home = home.path();

    let dry = succeeded(&import(home, POS_CONFIG, &url, &["--dry-run"]));
    assert!(
        dry.contains("dry run, nothing written: would import 2 customers from PostgreSQL ($SHOP_DB) (ranked by \
                      spend in the last 3 months, top 2 of 3 read): 2 new"),
        "{dry}"
    );
    assert!(
        !home.join("work.db").exists(),
        "a dry run writes nothing, not even an empty workspace"
    );

    let out = succeeded(&import(home, POS_CONFIG, &url, &[]));
    assert!(
        out.contains("imported 2 customers from PostgreSQL ($SHOP_DB)"),
        "{out}"
    );
    // Recent spend: Brendan 250.00, Chen 200.00; Ada's big order is over a year old.
    assert_eq!(
        stored(home),
        [
            ("2".to_string(), 1, Some(25_000), false),
            ("3".to_string(), 2, Some(20_000), false)
        ]
    );

    // Ada orders again: she is back in the top 2, Chen drops out and is kept as former.
    cluster.execute(
        "pos",
        "INSERT INTO orders (customer_id, total, placed_at) VALUES (1, 990.00, now() - interval '1 day')",
    );
    let dry = succeeded(&import(home, POS_CONFIG, &url, &["--dry-run"]));
    assert!(
        dry.contains("New regulars (1):\n  #1   Ada Lovelace (1)  £6,000.00"),
        "{dry}"
    );
    assert!(
        dry.contains(
            "Dropping out, kept as former with their notes and posts (1):\n  was #2   Chen Wei (3)"
        ),
        "{dry}"
    );
    assert!(
        dry.contains("#2   Brendan O'Neil (2)  ↓1 (was #1)"),
        "{dry}"
    );
    succeeded(&import(home, POS_CONFIG, &url, &[]));
    assert_eq!(
        stored(home),
        [
            ("1".to_string(), 1, Some(100_000), false),
            ("2".to_string(), 2, Some(25_000), false),
            ("3".to_string(), 2, Some(20_000), true)
        ]
    );
    let ada = Db::open_read_only(home.join("work.db"))
        .unwrap()
        .customers()
        .unwrap()
        .remove(0);
    assert_eq!(ada.handles[0].handle, "ada@social.example");
    assert_eq!(ada.orders, Some(3));
}

#[test]
fn the_import_command_reads_the_url_from_a_private_file_and_names_failures() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let url = cluster.create_database("pos_file");
    cluster.execute("pos_file", POS);
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let secret = home.join("shop-db.url");
    std::fs::write(&secret, format!("{url}\n")).unwrap();
    let config = POS_CONFIG.replace("url_env = \"SHOP_DB\"", "url_file = \"shop-db.url\"");

    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = import(home, &config, "", &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("is readable by others (mode 644); run `chmod 600"),
        "{stderr}"
    );
    assert!(!stderr.contains(PASSWORD), "{stderr}");

    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = succeeded(&import(home, &config, "", &[]));
    assert!(
        out.contains("imported 2 customers from PostgreSQL ("),
        "{out}"
    );

    // A wrong password: named, the server and the fix, nothing echoed and the stored list kept.
    let wrong = url.replace(PASSWORD, "not-the-password-9x");
    let out = import(home, POS_CONFIG, &wrong, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains(&format!(
            "PostgreSQL ($SHOP_DB): pos_file@127.0.0.1:{}: password authentication failed",
            cluster.port()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("check the user and password in the connection string"),
        "{stderr}"
    );
    assert!(!stderr.contains("not-the-password-9x"), "{stderr}");
    assert_eq!(stored(home).len(), 2);
}
