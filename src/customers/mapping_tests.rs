use super::*;
use crate::customers::config::Origin;

fn config(extra: &str) -> CustomersConfig {
    #[derive(serde::Deserialize)]
    struct Doc {
        customers: CustomersConfig,
    }
    toml::from_str::<Doc>(&format!(
        "[customers]\nkind = \"csv\"\npath = \"c.csv\"\n{extra}"
    ))
    .unwrap()
    .customers
}

fn table(text: &str) -> Table {
    crate::customers::csv::parse(text.as_bytes(), "c.csv", b',')
        .unwrap()
        .0
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

/// Through the CSV reader, its problems included.
fn map(text: &str, cfg: &CustomersConfig) -> Result<Vec<Customer>, String> {
    let (table, unread) = crate::customers::csv::parse(text.as_bytes(), "c.csv", b',').unwrap();
    candidates(
        &table,
        unread,
        cfg,
        Amounts::default(),
        &Homes::default(),
        today(),
    )
    .map_err(|e| e.to_string())
}

#[test]
fn the_legacy_header_maps_by_default() {
    let got = map(
        "external_id,name,lifetime_spend,mastodon,bluesky,note\n\
         C1,Ann Smith,\"1,250.00\",ann@social.example,,likes opals\n",
        &config(""),
    )
    .unwrap();
    assert_eq!(got.len(), 1);
    let c = &got[0];
    assert_eq!(
        (
            c.external_id.as_str(),
            c.name.as_str(),
            c.lifetime_spend_cents
        ),
        ("C1", "Ann Smith", 125_000)
    );
    assert_eq!(c.note, "likes opals");
    assert_eq!(
        c.handles,
        [Handle::imported(Network::Mastodon, "ann@social.example")]
    );
    assert_eq!(
        (c.orders, c.last_purchase, c.email.as_str()),
        (None, None, "")
    );
}

#[test]
fn renamed_columns_any_order_and_case() {
    let cfg = config(
        "[customers.columns]\nid = \"Customer No\"\nname = \"Full name\"\nspend = \"Total\"\n\
         email = \"E-mail\"\norders = \"Orders\"\nlast_purchase = \"Last order\"\nbluesky = \"sky\"\n",
    );
    let got = map(
        "Full name,E-mail,customer no,Total,Orders,Last order,sky\n\
         Ann,ann@example.com,7,99.5,3,2026-11-02,ann.bsky.social\n",
        &cfg,
    )
    .unwrap();
    let c = &got[0];
    assert_eq!(c.external_id, "7", "matched ignoring case");
    assert_eq!(c.email, "ann@example.com");
    assert_eq!(c.lifetime_spend_cents, 9_950);
    assert_eq!(c.orders, Some(3));
    assert_eq!(c.last_purchase, NaiveDate::from_ymd_opt(2026, 11, 2));
    assert_eq!(
        c.handles,
        [Handle::imported(Network::Bluesky, "ann.bsky.social")]
    );
}

#[test]
fn a_missing_column_names_the_columns_there_are() {
    let err = map("id,name\nC1,Ann\n", &config("")).unwrap_err();
    assert!(
        err.contains(
            "c.csv: no column `external_id` for id (its default name); the columns are: id, name. \
             Name yours in [customers.columns] id = \"...\""
        ),
        "{err}"
    );
    assert!(
        err.contains("no column `lifetime_spend` for spend"),
        "{err}"
    );
    let err = map(
        "external_id,name,lifetime_spend\n",
        &config("[customers.columns]\nemail = \"mail\"\n"),
    )
    .unwrap_err();
    assert!(
        err.contains("no column `mail` for email (named in [customers.columns])"),
        "{err}"
    );
    let err = map(
        "external_id,name,lifetime_spend\n",
        &config("rank_by = \"orders\"\n"),
    )
    .unwrap_err();
    assert!(err.contains("no column `orders` for orders"), "{err}");
}

#[test]
fn every_bad_line_is_reported_with_its_column_and_fix() {
    let text = "external_id,name,lifetime_spend,last_purchase,orders,bluesky\n\
                C1,Ann,12,2026-01-01,1,\n\
                C2,Bo,lots,,,\n\
                ,Cy,3,,,\n\
                C4,Di,-4,03/04/2026,two,\n\
                C1,Ann again,5,,,\n\
                C6,Ed,6,,,ed\n\
                C7,\"Smith, Fi\",7,,\n";
    let err = map(text, &config("")).unwrap_err();
    for needle in [
        "c.csv: line 3, column lifetime_spend: `lots` is not an amount; write an amount like 1234.50",
        "c.csv: line 4, column external_id: empty id; every row needs the customer's id",
        "c.csv: line 5, column lifetime_spend: a negative amount",
        "c.csv: line 5, column last_purchase: `03/04/2026` is not a date we read; write dates as YYYY-MM-DD",
        "c.csv: line 5, column orders: `two` is not a number of orders",
        "c.csv: line 6, column external_id: id `C1` appears again (first at line 2)",
        "c.csv: line 7, column bluesky:",
        "c.csv: line 8: 5 fields where the header has 6",
        "nothing was imported",
    ] {
        assert!(err.contains(needle), "{needle}\n---\n{err}");
    }
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines.len(),
        9,
        "one line per problem, in line order, then the outcome: {err}"
    );
    assert!(
        lines[7].contains("line 8") && lines[0].contains("line 3"),
        "{err}"
    );
}

#[test]
fn bare_handles_need_the_shops_instance() {
    let text =
        "external_id,name,lifetime_spend,mastodon\nC1,Ann,1,@Alice\nC2,Bo,2,bo@Social.Example\n";
    let cfg = config("");
    let shop =
        crate::config::parse("[shop.handles]\nmastodon = \"shop@social.example\"\n").unwrap();
    let got = candidates(
        &table(text),
        Problems::new("c.csv"),
        &cfg,
        Amounts::default(),
        &Homes::of(&shop),
        today(),
    )
    .unwrap();
    assert_eq!(got[0].handles[0].handle, "alice@social.example");
    assert_eq!(got[1].handles[0].handle, "bo@social.example");
    let err = map(text, &cfg).unwrap_err();
    assert!(
        err.contains("c.csv: line 2, column mastodon") && err.contains("[shop.handles]"),
        "{err}"
    );
}

#[test]
fn order_rows_are_added_up_per_customer() {
    let cfg = config(
        "rows = \"orders\"\nrank_by = \"recent_spend\"\nmonths = 6\n\
         [customers.columns]\nid = \"customer\"\nspend = \"amount\"\nlast_purchase = \"date\"\n",
    );
    let got = map(
        "customer,name,amount,date,email\n\
         A,Ann,100.00,2026-10-01,old@example.com\n\
         B,Bo,50,2025-01-01,\n\
         A,Ann Smith,20.50,2026-11-30 10:00:00,ann@example.com\n\
         A,Ann,1000,2026-05-31,\n\
         B,Bo,5,2026-06-01,\n",
        &cfg,
    )
    .unwrap();
    let a = &got[0];
    assert_eq!(a.external_id, "A");
    assert_eq!(a.lifetime_spend_cents, 112_050);
    assert_eq!(a.orders, Some(3));
    assert_eq!(
        a.recent_spend_cents,
        Some(12_050),
        "May 31 is outside six months back"
    );
    assert_eq!(a.last_purchase, NaiveDate::from_ymd_opt(2026, 11, 30));
    assert_eq!(
        (a.name.as_str(), a.email.as_str()),
        ("Ann Smith", "ann@example.com")
    );
    let b = &got[1];
    assert_eq!(
        (b.lifetime_spend_cents, b.orders, b.recent_spend_cents),
        (5_500, Some(2), Some(500))
    );
    let err = map("customer,name,amount,date\nA,Ann,1,\n", &cfg).unwrap_err();
    assert!(
        err.contains(
            "line 2, column date: empty last_purchase; ranking by recent spend needs every order's date"
        ),
        "{err}"
    );
}

#[test]
fn the_demo_customers_map_with_their_new_columns() {
    let cfg = CustomersConfig::csv_defaults(Origin::Embedded {
        name: "demo",
        text: crate::sources::demo::CUSTOMERS,
    });
    let got = candidates(
        &table(crate::sources::demo::CUSTOMERS),
        Problems::new("demo"),
        &cfg,
        Amounts::default(),
        &Homes::default(),
        today(),
    )
    .unwrap();
    assert_eq!(got.len(), 30);
    assert!(
        got.iter()
            .all(|c| !c.handles.is_empty() && c.email.contains('@'))
    );
}
