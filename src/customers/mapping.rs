//! The one step from a source's [`Table`] to customers: find the mapped columns, read every row, and with
//! order rows add them up per customer. Every bad cell of every row is reported (place, column, what, fix);
//! any one of them and nothing comes out.

use std::collections::HashMap;

use chrono::{Months, NaiveDate};

use super::config::{CustomersConfig, Field, RankBy, Rows};
use super::problems::Problems;
use super::table::{Cell, Place, Row, Table};
use super::values::{self, Amounts};
use crate::domain::{Customer, CustomerId, Handle, Network};
use crate::sources::listening::Homes;

/// The source's customers, not yet ranked: one per customer id. `today` bounds `recent_spend`'s window.
/// `problems` holds what the reader found (rows it could not read); the mapping adds its own.
pub fn candidates(
    table: &Table,
    mut problems: Problems,
    config: &CustomersConfig,
    amounts: Amounts,
    homes: &Homes,
    today: NaiveDate,
) -> Result<Vec<Customer>, Problems> {
    let Some(columns) = find_columns(table, config, &mut problems) else {
        return Err(problems);
    };
    let mut read = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        if let Some(line) = read_row(row, &columns, &mut problems, amounts, homes, config) {
            read.push(line);
        }
    }
    let customers = match config.rows {
        Rows::Customers => one_per_customer(read, &columns, &mut problems),
        Rows::Orders => {
            let since = today.checked_sub_months(Months::new(config.months));
            add_up_orders(read, since, config.rank_by == RankBy::RecentSpend)
        }
    };
    problems.into_result(customers)
}

/// Each field's column: its name in the source and its index, when the source has it.
struct Columns(Vec<(Field, String, usize)>);

impl Columns {
    fn get(&self, field: Field) -> Option<(&str, usize)> {
        self.0
            .iter()
            .find(|(f, _, _)| *f == field)
            .map(|(_, name, i)| (name.as_str(), *i))
    }
}

/// The mapped columns; `None` (with a problem per missing column) when a needed one is not there.
fn find_columns(
    table: &Table,
    config: &CustomersConfig,
    problems: &mut Problems,
) -> Option<Columns> {
    let mut missing = false;
    let mut found = Vec::new();
    let required = |field: Field| match field {
        Field::Id | Field::Name | Field::Spend => true,
        Field::LastPurchase => config.rank_by == RankBy::RecentSpend,
        Field::Orders => config.rank_by == RankBy::Orders && config.rows == Rows::Customers,
        _ => false,
    };
    let existing = table.columns.join(", ");
    for (field, column, named) in &config.columns.fields {
        // Exactly as written, else ignoring case (databases fold unquoted names).
        let index = table.columns.iter().position(|c| c == column).or_else(|| {
            table
                .columns
                .iter()
                .position(|c| c.eq_ignore_ascii_case(column))
        });
        match index {
            Some(i) => found.push((*field, column.clone(), i)),
            None if *named || required(*field) => {
                missing = true;
                problems.push(format!(
                "no column `{column}` for {} ({}); the columns are: {existing}. Name yours in [customers.columns] \
                 {} = \"...\"",
                field.key(),
                if *named {
                    "named in [customers.columns]"
                } else {
                    "its default name"
                },
                field.key(),
            ))
            }
            None => {}
        }
    }
    (!missing).then_some(Columns(found))
}

/// One row read.
struct Line {
    place: Place,
    id: String,
    name: String,
    email: Option<String>,
    spend: i64,
    orders: Option<u32>,
    date: Option<NaiveDate>,
    note: Option<String>,
    handles: Vec<Handle>,
}

/// One row's cells by field, reporting each bad one at the row's place.
struct Cells<'a> {
    row: &'a Row,
    columns: &'a Columns,
    problems: &'a mut Problems,
    ok: bool,
}

impl<'a> Cells<'a> {
    fn cell(&self, field: Field) -> Option<(&'a str, &'a Cell)> {
        let (name, i) = self.columns.get(field)?;
        Some((name, self.row.cells.get(i).unwrap_or(&Cell::Null)))
    }

    fn bad(&mut self, column: &str, what: impl std::fmt::Display) {
        self.problems.at(self.row.place, Some(column), what);
        self.ok = false;
    }

    /// The field's value through `parse`; `None` when the column is absent, the cell empty or bad.
    fn read<T>(
        &mut self,
        field: Field,
        parse: impl Fn(&Cell) -> Result<Option<T>, String>,
    ) -> Option<T> {
        let (name, cell) = self.cell(field)?;
        parse(cell).unwrap_or_else(|why| {
            self.bad(name, why);
            None
        })
    }

    /// Text that must be there; an empty cell is reported with `why`.
    fn required(&mut self, field: Field, why: &str) -> Option<String> {
        let text = self.read(field, |c| Ok(values::text(c)));
        if text.is_none()
            && let Some((name, _)) = self.cell(field)
        {
            self.bad(name, format!("empty {}; {why}", field.key()));
        }
        text
    }
}

fn read_row(
    row: &Row,
    columns: &Columns,
    problems: &mut Problems,
    amounts: Amounts,
    homes: &Homes,
    config: &CustomersConfig,
) -> Option<Line> {
    let mut cells = Cells {
        row,
        columns,
        problems,
        ok: true,
    };
    let id = cells.required(
        Field::Id,
        "every row needs the customer's id (their number in your database)",
    );
    let name = cells.required(Field::Name, "every row needs the customer's name");
    let spend = cells
        .read(Field::Spend, |c| values::money(c, amounts))
        .unwrap_or(0);
    let orders = cells.read(Field::Orders, values::count);
    if config.rows == Rows::Orders && config.rank_by == RankBy::RecentSpend {
        cells.required(
            Field::LastPurchase,
            "ranking by recent spend needs every order's date",
        );
    }
    let date = cells.read(Field::LastPurchase, values::date);
    let mut handles = Vec::new();
    for network in Network::with_accounts() {
        let Some(raw) = cells
            .read(Field::Handle(network), |c| Ok(values::text(c)))
            .filter(|s| !s.trim_start_matches('@').is_empty())
        else {
            continue;
        };
        match homes.handle(network, &raw) {
            Ok(handle) => handles.push(Handle::imported(network, handle)),
            Err(why) => {
                if let Some((column, _)) = cells.cell(Field::Handle(network)) {
                    cells.bad(column, why);
                }
            }
        }
    }
    let email = cells.read(Field::Email, |c| Ok(values::text(c)));
    let note = cells.read(Field::Note, |c| Ok(values::text(c)));
    if !cells.ok {
        return None;
    }
    Some(Line {
        place: row.place,
        id: id?,
        name: name?,
        email,
        spend,
        orders,
        date,
        note,
        handles,
    })
}

fn customer(line: Line) -> Customer {
    Customer {
        id: CustomerId(0),
        external_id: line.id,
        name: line.name,
        lifetime_spend_cents: line.spend,
        handles: line.handles,
        note: line.note.unwrap_or_default(),
        email: line.email.unwrap_or_default(),
        orders: line.orders,
        last_purchase: line.date,
        ..Customer::default()
    }
}

fn one_per_customer(read: Vec<Line>, columns: &Columns, problems: &mut Problems) -> Vec<Customer> {
    let mut first: HashMap<String, Place> = HashMap::new();
    let id_column = columns.get(Field::Id).map_or("id", |(name, _)| name);
    let mut out = Vec::with_capacity(read.len());
    for line in read {
        if let Some(was) = first.get(&line.id) {
            problems.at(
                line.place,
                Some(id_column),
                format!(
                    "id `{}` appears again (first at {was}); customer rows need one row per customer (or set \
                     rows = \"orders\" to add up order rows)",
                    line.id
                ),
            );
            continue;
        }
        first.insert(line.id.clone(), line.place);
        out.push(customer(line));
    }
    out
}

/// Order rows added up per customer: spend summed, orders counted, the latest date kept, and spend since
/// `since` summed when `recent`. Name, email, note and handles come from the customer's latest order that
/// has them.
fn add_up_orders(mut read: Vec<Line>, since: Option<NaiveDate>, recent: bool) -> Vec<Customer> {
    // Oldest first, so later orders overwrite earlier details; rows without a date count as oldest.
    read.sort_by_key(|l| l.date);
    let mut by_id: HashMap<String, Customer> = HashMap::new();
    for line in read {
        let in_window = recent && since.is_none_or(|s| line.date.is_some_and(|d| d >= s));
        let (spend, date) = (line.spend, line.date);
        match by_id.get_mut(&line.id) {
            None => {
                let mut c = customer(line);
                c.orders = Some(1);
                c.recent_spend_cents = recent.then_some(if in_window { spend } else { 0 });
                by_id.insert(c.external_id.clone(), c);
            }
            Some(c) => {
                c.lifetime_spend_cents = c.lifetime_spend_cents.saturating_add(spend);
                c.orders = c.orders.map(|n| n.saturating_add(1));
                if in_window {
                    c.recent_spend_cents = c.recent_spend_cents.map(|r| r.saturating_add(spend));
                }
                c.last_purchase = c.last_purchase.max(date);
                c.name = line.name;
                if let Some(email) = line.email {
                    c.email = email;
                }
                if let Some(note) = line.note {
                    c.note = note;
                }
                for h in line.handles {
                    c.handles.retain(|old| old.network != h.network);
                    c.handles.push(h);
                }
            }
        }
    }
    let mut customers: Vec<Customer> = by_id.into_values().collect();
    customers.sort_by(|a, b| a.external_id.cmp(&b.external_id));
    customers
}

#[cfg(test)]
#[path = "mapping_tests.rs"]
mod tests;
