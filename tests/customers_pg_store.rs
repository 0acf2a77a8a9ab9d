//! `regulars customers ...` on a PostgreSQL store (`[store] backend = "postgres"`): imports from a CSV file, a
//! SQLite shop database and a PostgreSQL one, then list, show, unlink and forget, each checked in the shared
//! store with SQL. Skips, loudly, only where no PostgreSQL server is installed.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

use common::bin::{regulars, succeeded};
use common::postgres::Cluster;

/// `regulars customers ARGS` with `[customers]` set to `customers`, the store's connection string in
/// `$REGULARS_DATABASE_URL` and a shop database's in `$SHOP_DB`; `stdin` answers questions.
fn customers(
    home: &Path,
    store: &str,
    shop: &str,
    customers: &str,
    args: &[&str],
    stdin: &str,
) -> Output {
    let config = home.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[shop]\nname = \"Shop\"\ncurrency = \"EUR\"\n\n[store]\nbackend = \"postgres\"\n\n\
             [notifications]\nenabled = false\n\n[customers]\n{customers}"
        ),
    )
    .unwrap();
    let mut child = regulars(home)
        .env("REGULARS_DATABASE_URL", store)
        .env("SHOP_DB", shop)
        .args(["--config", config.to_str().unwrap(), "customers"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

const CSV: &str = "kind = \"csv\"\npath = \"customers.csv\"\n";

const SQLITE: &str = "kind = \"sqlite\"\npath = \"shop.db\"\n\
    query = \"SELECT c.id, c.full_name AS name, SUM(o.total) AS spent FROM customers c \
    JOIN orders o ON o.customer_id = c.id GROUP BY c.id\"\n\
    [customers.columns]\nid = \"id\"\nspend = \"spent\"\n";

const POSTGRES: &str = "kind = \"postgres\"\nurl_env = \"SHOP_DB\"\n\
    query = \"SELECT c.id, c.full_name AS name, SUM(o.total) AS spent FROM customers c \
    JOIN orders o ON o.customer_id = c.id GROUP BY c.id\"\n\
    [customers.columns]\nid = \"id\"\nspend = \"spent\"\n";

const SHOP: &str = "CREATE TABLE customers (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, total NUMERIC NOT NULL);
    INSERT INTO customers VALUES (1, 'Ann Smith'), (2, 'Bo Jones');
    INSERT INTO orders VALUES (1, 1, 19.99), (2, 2, 500.00), (3, 2, 0.50);";

#[test]
fn every_customers_command_works_on_a_postgresql_store() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let store = cluster.create_database("customers_store");
    let shop = cluster.create_database("customers_shop");
    cluster.execute("customers_shop", SHOP);
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let run = |source: &str, args: &[&str], stdin: &str| {
        customers(home, &store, &shop, source, args, stdin)
    };
    let count = |sql: &str| cluster.query_one::<i64>("customers_store", sql);
    std::fs::write(
        home.join("customers.csv"),
        "external_id,name,lifetime_spend,mastodon,note\n\
         C-1042,Priya Raman,14820.00,@priya@far.example,prefers rose gold\n\
         C-7,Tom Okafor,12450.75,,\n",
    )
    .unwrap();

    // From a CSV file: a dry run writes nothing, the import writes both.
    let dry = succeeded(&run(CSV, &["import", "--dry-run"], ""));
    assert!(dry.contains("would import 2 customers"), "{dry}");
    assert_eq!(count("SELECT count(*) FROM customers"), 0);
    let out = run(CSV, &["import"], "");
    let imported = succeeded(&out);
    assert!(imported.contains("imported 2 customers"), "{imported}");
    assert!(
        !format!("{imported}{}", String::from_utf8_lossy(&out.stderr)).contains(&store),
        "the connection string is never printed"
    );
    assert_eq!(count("SELECT count(*) FROM customers WHERE NOT former"), 2);
    assert!(
        !home.join("data").join("regulars").exists(),
        "no SQLite file was made"
    );

    let list = succeeded(&run(CSV, &["list"], ""));
    assert!(
        list.contains("Priya Raman") && list.contains("Tom Okafor"),
        "{list}"
    );
    let json = succeeded(&run(CSV, &["list", "--json"], ""));
    assert!(json.trim_start().starts_with('['), "{json}");
    let show = succeeded(&run(CSV, &["show", "Priya Raman"], ""));
    assert!(
        show.contains("Priya Raman") && show.contains("priya@far.example"),
        "{show}"
    );

    // Unlink her handle, then forget Tom after the question.
    succeeded(&run(CSV, &["unlink", "Priya Raman", "mastodon"], ""));
    assert_eq!(count("SELECT count(*) FROM customer_handles"), 0);
    let refused = run(CSV, &["forget", "Tom Okafor"], "no\n");
    assert!(!refused.status.success());
    assert_eq!(
        count("SELECT count(*) FROM customers WHERE name = 'Tom Okafor'"),
        1
    );
    succeeded(&run(CSV, &["forget", "Tom Okafor"], "yes\n"));
    assert_eq!(
        count("SELECT count(*) FROM customers WHERE name = 'Tom Okafor'"),
        0
    );

    // From the shop's SQLite database, then its PostgreSQL one: the same two customers, ranked by spend.
    let db = rusqlite::Connection::open(home.join("shop.db")).unwrap();
    db.execute_batch(SHOP).unwrap();
    drop(db);
    for source in [SQLITE, POSTGRES] {
        let out = succeeded(&run(source, &["import"], ""));
        assert!(out.contains("imported 2 customers"), "{out}");
        assert_eq!(
            cluster.query_one::<String>(
                "customers_store",
                "SELECT name FROM customers WHERE NOT former ORDER BY rank LIMIT 1"
            ),
            "Bo Jones",
            "{out}"
        );
    }
}
