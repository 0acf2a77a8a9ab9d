//! `regulars customers find [NAME] [--network N]` and `regulars customers unlink NAME NETWORK[:HANDLE]`:
//! a customer's accounts searched by name on each network that offers an account search, and linked only
//! when a person types the candidate's number.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::sync::Arc;

use anyhow::{Context, bail};

use super::pick::pick;
use crate::domain::{Candidate, Customer, Network};
use crate::sources::accounts::{AccountSearch, unavailable};
use crate::store::Store;
use crate::text::{one_line, thousands, truncate_words};

/// What finding works with: the store to link in, the customers, the configured account searches.
pub struct Finder<'a> {
    pub store: &'a Store,
    pub customers: &'a [Customer],
    pub accounts: &'a HashMap<Network, Arc<dyn AccountSearch>>,
}

/// Widest bio line printed.
const BIO_WIDTH: usize = 96;

/// The network a command line names (`mastodon`, `bluesky`...), among those people have handles on.
pub fn network_arg(raw: &str) -> anyhow::Result<Network> {
    let names: Vec<&str> = Network::with_accounts().map(Network::as_str).collect();
    Network::parse(raw.trim().to_lowercase().as_str())
        .filter(|n| n.has_accounts())
        .with_context(|| {
            format!(
                "`{raw}` is not a network people have accounts on: one of {}",
                names.join(", ")
            )
        })
}

/// What a person typed at "link which?".
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    Link(usize),
    Skip,
    Stop,
}

/// Reads answers until one makes sense; the end of the input (no terminal, nothing typed) stops.
fn ask(input: &mut dyn BufRead, out: &mut dyn Write, count: usize) -> anyhow::Result<Answer> {
    loop {
        write!(out, "link which? number, Enter to skip, q to stop: ")?;
        out.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            writeln!(out, "\nno answer: nothing linked")?;
            return Ok(Answer::Stop);
        }
        match line.trim() {
            "" => return Ok(Answer::Skip),
            "q" | "Q" => return Ok(Answer::Stop),
            typed => match typed.parse::<usize>() {
                Ok(n) if (1..=count).contains(&n) => return Ok(Answer::Link(n - 1)),
                _ => writeln!(
                    out,
                    "`{typed}`: type a number from 1 to {count}, Enter to skip or q to stop"
                )?,
            },
        }
    }
}

fn print_candidates(out: &mut dyn Write, found: &[Candidate]) -> std::io::Result<()> {
    for (i, c) in found.iter().enumerate() {
        let followers = c
            .followers
            .map(|n| format!(" · {} followers", thousands(n)))
            .unwrap_or_default();
        writeln!(
            out,
            "  {}. @{} · {}{followers}",
            i + 1,
            c.handle,
            c.display_name
        )?;
        if !c.bio.trim().is_empty() {
            writeln!(out, "     {}", truncate_words(&one_line(&c.bio), BIO_WIDTH))?;
        }
        if let Some(url) = &c.url {
            writeln!(out, "     {url}")?;
        }
    }
    Ok(())
}

impl Finder<'_> {
    /// Searches the named customer's (or every regular's) missing handles, asks which candidate to link, and
    /// links only what is typed. Returns how many handles were linked.
    pub async fn find(
        &self,
        name: Option<&str>,
        only: Option<Network>,
        input: &mut dyn BufRead,
        out: &mut dyn Write,
    ) -> anyhow::Result<usize> {
        let considered: Vec<Network> = match only {
            Some(n) => vec![n],
            None => Network::with_accounts().collect(),
        };
        let searchable: Vec<Network> = considered
            .iter()
            .copied()
            .filter(|n| n.account_search().is_ok() && self.accounts.contains_key(n))
            .collect();
        let skipped: Vec<String> = considered
            .iter()
            .filter(|n| !searchable.contains(n))
            .map(|n| unavailable(*n))
            .collect();
        if searchable.is_empty() {
            bail!("nothing to search:\n  {}", skipped.join("\n  "));
        }
        for why in &skipped {
            writeln!(out, "not searched: {why}")?;
        }
        let customers: Vec<&Customer> = match name {
            Some(name) => vec![pick(self.customers, name).map_err(anyhow::Error::msg)?],
            None => self.customers.iter().filter(|c| !c.former).collect(),
        };
        let mut linked = 0;
        let mut asked = false;
        'customers: for customer in customers.iter().copied() {
            for network in searchable.iter().copied() {
                if customer.handle_on(network).is_some() {
                    continue;
                }
                asked = true;
                match self.offer(customer, network, input, out).await? {
                    Answer::Link(_) => linked += 1,
                    Answer::Skip => {}
                    Answer::Stop => break 'customers,
                }
            }
        }
        if !asked {
            let who = match (name, customers.first()) {
                (Some(_), Some(c)) => c.name.clone(),
                _ => "every regular".to_string(),
            };
            writeln!(out, "{who} already has a handle on {}", list(&searchable))?;
        }
        writeln!(
            out,
            "linked {linked} handle{}",
            if linked == 1 { "" } else { "s" }
        )?;
        Ok(linked)
    }

    /// One search and one question; `Link` only once the store has the handle.
    async fn offer(
        &self,
        customer: &Customer,
        network: Network,
        input: &mut dyn BufRead,
        out: &mut dyn Write,
    ) -> anyhow::Result<Answer> {
        writeln!(
            out,
            "\n{} ({}) on {network}, searching \"{}\":",
            customer.name, customer.external_id, customer.name
        )?;
        let Some(search) = self.accounts.get(&network) else {
            writeln!(out, "  {}", unavailable(network))?;
            return Ok(Answer::Skip);
        };
        let found = match search.search(&customer.name).await {
            Ok(found) => found,
            Err(e) => {
                writeln!(out, "  {network} search failed: {e}")?;
                return Ok(Answer::Skip);
            }
        };
        if found.is_empty() {
            writeln!(out, "  no candidates")?;
            return Ok(Answer::Skip);
        }
        print_candidates(out, &found)?;
        loop {
            let answer = ask(input, out, found.len())?;
            let Answer::Link(i) = answer else {
                return Ok(answer);
            };
            let handle = found[i].linked();
            let (id, shown) = (customer.id, handle.clone());
            match self.store.call(move |db| db.link_handle(id, &shown)).await {
                Ok(_) => {
                    writeln!(
                        out,
                        "linked @{} to {} (followed from the next start)",
                        handle.handle, customer.name
                    )?;
                    return Ok(answer);
                }
                // Someone else's: say whose, and let another be chosen.
                Err(e) => writeln!(out, "not linked: {e}")?,
            }
        }
    }

    /// Removes one of a customer's handles: `NETWORK` alone when they have one there, else `NETWORK:HANDLE`.
    pub async fn unlink(
        &self,
        name: &str,
        target: &str,
        out: &mut dyn Write,
    ) -> anyhow::Result<()> {
        let customer = pick(self.customers, name).map_err(anyhow::Error::msg)?;
        let (network, handle) = match target.split_once(':') {
            Some((n, h)) => (
                network_arg(n)?,
                Some(h.trim().trim_start_matches('@').to_lowercase()),
            ),
            None => (network_arg(target)?, None),
        };
        let theirs: Vec<&str> = customer
            .handles
            .iter()
            .filter(|h| h.network == network)
            .map(|h| h.handle.as_str())
            .filter(|h| {
                handle
                    .as_deref()
                    .is_none_or(|want| h.eq_ignore_ascii_case(want))
            })
            .collect();
        let handle = match theirs.as_slice() {
            [one] => one.to_string(),
            [] => bail!(
                "{} has no {network} handle{}",
                customer.name,
                handle.map(|h| format!(" {h}")).unwrap_or_default()
            ),
            many => bail!(
                "{} has {} {network} handles: name one as {network}:HANDLE ({})",
                customer.name,
                many.len(),
                many.join(", ")
            ),
        };
        let (id, gone) = (customer.id, handle.clone());
        self.store
            .call(move |db| db.unlink_handle(id, network, &gone))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        writeln!(
            out,
            "unlinked {network} @{handle} from {} (a handle the shop's database lists comes back at the next \
             import)",
            customer.name
        )?;
        Ok(())
    }
}

fn list(networks: &[Network]) -> String {
    networks
        .iter()
        .map(|n| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_as_typed() {
        let mut out = Vec::new();
        let mut read = |typed: &str| ask(&mut typed.as_bytes(), &mut out, 3).unwrap();
        assert_eq!(read("2\n"), Answer::Link(1));
        assert_eq!(read("\n"), Answer::Skip);
        assert_eq!(read("q\n"), Answer::Stop);
        assert_eq!(read(""), Answer::Stop, "no input links nothing");
        assert_eq!(read("9\nx\n1\n"), Answer::Link(0));
        let said = String::from_utf8(out).unwrap();
        assert!(said.contains("`9`: type a number from 1 to 3"), "{said}");
        assert!(said.contains("no answer: nothing linked"), "{said}");
        assert!(network_arg("Facebook").is_ok());
        assert!(
            network_arg("rss")
                .unwrap_err()
                .to_string()
                .contains("mastodon, bluesky")
        );
    }
}
