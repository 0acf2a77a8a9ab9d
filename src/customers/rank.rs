//! The top N: customers forgotten on request left out, the rest ordered by the chosen measure, the first N
//! kept and numbered 1..N. Ties are decided the same way at every import, so an unchanged shop gives an
//! unchanged list: the one already a regular first, then the more recent last purchase, then name, then id.

use std::cmp::Reverse;
use std::collections::HashSet;

use super::config::RankBy;
use crate::domain::{Customer, forget_key};

/// What a customer is ranked by; 0 means they are not ranked at all (nothing spent, no orders).
pub fn measure(c: &Customer, by: RankBy) -> i64 {
    match by {
        RankBy::LifetimeSpend => c.lifetime_spend_cents,
        RankBy::RecentSpend => c.recent_spend_cents.unwrap_or(0),
        RankBy::Orders => i64::from(c.orders.unwrap_or(0)),
    }
}

/// The top `top` of `candidates` by `by`, ranked 1..N. `regulars` are the external ids of the stored
/// regulars (they win ties); `forgotten` the [`forget_key`]s of customers forgotten on request (left out).
pub fn top(
    candidates: Vec<Customer>,
    by: RankBy,
    top: usize,
    regulars: &HashSet<String>,
    forgotten: &HashSet<String>,
) -> Vec<Customer> {
    let mut ranked: Vec<Customer> = candidates
        .into_iter()
        .filter(|c| measure(c, by) > 0 && !forgotten.contains(&forget_key(&c.external_id)))
        .collect();
    ranked.sort_by(|a, b| {
        let key = |c: &Customer| {
            (
                Reverse(measure(c, by)),
                Reverse(regulars.contains(&c.external_id)),
                Reverse(c.last_purchase),
            )
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.external_id.cmp(&b.external_id))
    });
    ranked.truncate(top);
    for (i, c) in ranked.iter_mut().enumerate() {
        c.rank = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
    ranked
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn c(id: &str, name: &str, spend: i64) -> Customer {
        Customer {
            external_id: id.into(),
            name: name.into(),
            lifetime_spend_cents: spend,
            ..Customer::default()
        }
    }

    fn ids(list: &[Customer]) -> Vec<(u32, &str)> {
        list.iter()
            .map(|c| (c.rank, c.external_id.as_str()))
            .collect()
    }

    fn none() -> HashSet<String> {
        HashSet::new()
    }

    #[test]
    fn highest_first_numbered_from_one() {
        let list = vec![c("a", "Ann", 100), c("b", "Bo", 300), c("c", "Cy", 200)];
        let ranked = top(list, RankBy::LifetimeSpend, 30, &none(), &none());
        assert_eq!(ids(&ranked), [(1, "b"), (2, "c"), (3, "a")]);
    }

    #[test]
    fn two_tied_for_the_last_place_the_regular_keeps_it() {
        let list = vec![c("a", "Ann", 300), c("b", "Bo", 100), c("z", "Zed", 100)];
        let regulars = HashSet::from(["z".to_string()]);
        let ranked = top(list.clone(), RankBy::LifetimeSpend, 2, &regulars, &none());
        assert_eq!(ids(&ranked), [(1, "a"), (2, "z")]);
        // Without a regular among them, the more recent purchase, then the name decides.
        let ranked = top(list.clone(), RankBy::LifetimeSpend, 2, &none(), &none());
        assert_eq!(ids(&ranked), [(1, "a"), (2, "b")]);
        let mut recent = list;
        recent[2].last_purchase = NaiveDate::from_ymd_opt(2024, 5, 1);
        let ranked = top(recent, RankBy::LifetimeSpend, 2, &none(), &none());
        assert_eq!(ids(&ranked), [(1, "a"), (2, "z")]);
    }

    #[test]
    fn more_ties_than_places_is_the_same_list_whatever_the_input_order() {
        let list: Vec<Customer> = ["e", "c", "a", "d", "b"]
            .iter()
            .map(|id| c(id, "Same Name", 500))
            .collect();
        let ranked = top(list.clone(), RankBy::LifetimeSpend, 3, &none(), &none());
        assert_eq!(ids(&ranked), [(1, "a"), (2, "b"), (3, "c")]);
        let mut reversed = list;
        reversed.reverse();
        assert_eq!(
            ids(&top(reversed, RankBy::LifetimeSpend, 3, &none(), &none())),
            ids(&ranked)
        );
    }

    #[test]
    fn fewer_than_n_zero_spend_and_forgotten_are_left_out() {
        let list = vec![
            c("a", "Ann", 100),
            c("b", "Bo", 0),
            c("f", "Forgotten", 900),
        ];
        let forgotten = HashSet::from([forget_key("f")]);
        let ranked = top(list, RankBy::LifetimeSpend, 30, &none(), &forgotten);
        assert_eq!(ids(&ranked), [(1, "a")]);
    }

    #[test]
    fn by_orders_and_by_recent_spend() {
        let mut a = c("a", "Ann", 900);
        a.orders = Some(2);
        a.recent_spend_cents = Some(0);
        let mut b = c("b", "Bo", 100);
        b.orders = Some(5);
        b.recent_spend_cents = Some(100);
        let list = vec![a, b];
        assert_eq!(
            ids(&top(list.clone(), RankBy::Orders, 30, &none(), &none())),
            [(1, "b"), (2, "a")]
        );
        assert_eq!(
            ids(&top(list, RankBy::RecentSpend, 30, &none(), &none())),
            [(1, "b")],
            "nothing spent in the window: not ranked"
        );
    }
}
