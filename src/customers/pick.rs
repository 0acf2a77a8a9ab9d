//! Naming a customer on the command line: by name or by the shop's own key, case-insensitively.

use crate::domain::Customer;

/// The one customer `query` names: an exact name or external id first (case-insensitive), else the only name
/// containing it. None or several is an error listing what to type instead.
pub fn pick<'a>(customers: &'a [Customer], query: &str) -> Result<&'a Customer, String> {
    let q = query.trim().to_lowercase();
    let exact: Vec<&Customer> = customers
        .iter()
        .filter(|c| c.name.to_lowercase() == q || c.external_id.to_lowercase() == q)
        .collect();
    let found = if exact.is_empty() {
        customers
            .iter()
            .filter(|c| c.name.to_lowercase().contains(&q))
            .collect()
    } else {
        exact
    };
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "no customer is called or numbered `{}`: `regulars customers list` shows them",
            query.trim()
        )),
        many => {
            let list: Vec<String> = many
                .iter()
                .map(|c| format!("  {} ({})", c.name, c.external_id))
                .collect();
            Err(format!(
                "`{}` names {} customers; name one by their customer number:\n{}",
                query.trim(),
                many.len(),
                list.join("\n")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(id: &str, name: &str) -> Customer {
        Customer {
            external_id: id.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn by_name_or_number_and_ambiguity_listed() {
        let all = [
            named("C1", "Priya Kaur"),
            named("C2", "Priya Shah"),
            named("C3", "Tom Ford"),
        ];
        assert_eq!(pick(&all, "priya kaur").unwrap().external_id, "C1");
        assert_eq!(pick(&all, "c2").unwrap().external_id, "C2");
        assert_eq!(pick(&all, "ford").unwrap().external_id, "C3");
        let err = pick(&all, "Priya").unwrap_err();
        assert!(
            err.contains("names 2 customers")
                && err.contains("Priya Kaur (C1)")
                && err.contains("Priya Shah (C2)"),
            "{err}"
        );
        assert!(pick(&all, "Zed").unwrap_err().contains("no customer"));
    }
}
