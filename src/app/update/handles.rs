//! Finding and unlinking a customer's handles: the account search asked for, its candidates in a popup, the
//! chosen one linked; a handle unlinked after a yes. Acting on a `CustomerId` so any view can call them.

use crossterm::event::KeyEvent;

use crate::app::{Command, Effect};
use crate::config::Mode;
use crate::domain::{CustomerId, Network};
use crate::state::handles::{CandidatesPopup, UnlinkPopup};
use crate::state::{AppState, Popup};

/// The customer of the selected post (until a Customers view gives one of its own).
pub(super) fn customer_in_context(state: &mut AppState) -> Option<CustomerId> {
    let customer = state.customer_in_context();
    if customer.is_none() {
        state.flash("not one of your customers: select a customer or a customer's post");
    }
    customer
}

/// Searches every network the shop has an account on, can search, and the customer has no handle on; the
/// ones that cannot be searched say why in the popup.
pub fn find_for(state: &mut AppState, customer: CustomerId) -> Vec<Effect> {
    let Some(c) = state.customers.get(&customer) else {
        state.flash("that customer is not loaded");
        return vec![];
    };
    let missing: Vec<Network> = Network::with_accounts()
        .filter(|n| state.accounts.contains_key(n) && c.handle_on(*n).is_none())
        .collect();
    let (networks, unsearchable): (Vec<Network>, Vec<Network>) = missing
        .into_iter()
        .partition(|n| n.account_search().is_ok());
    if networks.is_empty() {
        let searchable: Vec<Network> = state
            .accounts
            .keys()
            .copied()
            .filter(|n| n.account_search().is_ok())
            .collect();
        state.flash(match (searchable.is_empty(), unsearchable.is_empty()) {
            (true, _) => {
                "no network to search people on: configure a mastodon, bluesky or x source".into()
            }
            (false, true) => format!(
                "{} has a handle on every network searched here ({})",
                c.name,
                list(&searchable)
            ),
            (false, false) => format!(
                "{}: the networks left cannot be searched by name ({})",
                c.name,
                list(&unsearchable)
            ),
        });
        return vec![];
    }
    let found = unsearchable
        .iter()
        .map(|n| (*n, Err(crate::sources::accounts::unavailable(*n))))
        .collect();
    let name = c.name.clone();
    state.popup = Some(Popup::Candidates(CandidatesPopup {
        customer,
        searching: networks.clone(),
        found,
        selected: 0,
    }));
    vec![Effect::SearchAccounts {
        customer,
        name,
        networks,
    }]
}

/// Lists the customer's handles to unlink one.
pub fn unlink_for(state: &mut AppState, customer: CustomerId) -> Vec<Effect> {
    match state.customers.get(&customer) {
        Some(c) if c.handles.is_empty() => {
            let name = c.name.clone();
            state.flash(format!("{name} has no handles to unlink"));
        }
        Some(_) => {
            state.popup = Some(Popup::Unlink(UnlinkPopup {
                customer,
                selected: 0,
                asking: false,
            }))
        }
        None => state.flash("that customer is not loaded"),
    }
    vec![]
}

/// The searches' answers, into the popup still open for that customer (closed: dropped).
pub(super) fn accounts_found(
    state: &mut AppState,
    customer: CustomerId,
    found: Vec<(Network, Result<Vec<crate::domain::Candidate>, String>)>,
) {
    if let Some(Popup::Candidates(p)) = state.popup.as_mut()
        && p.customer == customer
    {
        p.searching.retain(|n| !found.iter().any(|(f, _)| f == n));
        // Searched networks first, in the order asked; why the others cannot be searched after them.
        let mut all = found;
        all.append(&mut p.found);
        p.found = all;
        p.step(0);
    }
}

/// The store moved the handle's stored posts to the customer: the lists and Detail are read again.
pub(super) fn handle_linked(
    state: &mut AppState,
    customer: crate::domain::Customer,
    handle: &crate::domain::Handle,
) -> Vec<Effect> {
    state.flash(format!(
        "linked @{} to {}: their timeline is followed from the next start",
        handle.handle, customer.name
    ));
    changed(state, customer)
}

pub(super) fn handle_unlinked(
    state: &mut AppState,
    customer: crate::domain::Customer,
    handle: &crate::domain::Handle,
) -> Vec<Effect> {
    state.flash(format!(
        "unlinked {} @{} from {}",
        handle.network, handle.handle, customer.name
    ));
    changed(state, customer)
}

fn changed(state: &mut AppState, customer: crate::domain::Customer) -> Vec<Effect> {
    state.customers.insert(customer.id, customer);
    state.detail = Default::default();
    super::lists::restart_lists(state)
}

/// Keys in the candidates popup, through the keymap: movement picks, confirm links, cancel closes.
pub(super) fn candidates_key(
    state: &mut AppState,
    mut popup: CandidatesPopup,
    key: KeyEvent,
) -> (Option<Popup>, Vec<Effect>) {
    match state.keymap.command(Mode::Confirm, &key) {
        Some(Command::Cancel) => return (None, vec![]),
        Some(Command::Confirm) => {
            return match popup.chosen() {
                Some(chosen) => (
                    None,
                    vec![Effect::LinkHandle {
                        customer: popup.customer,
                        handle: chosen.linked(),
                    }],
                ),
                None => (Some(Popup::Candidates(popup)), vec![]),
            };
        }
        _ => {}
    }
    match state.keymap.command(Mode::Normal, &key) {
        Some(Command::NextPost) => popup.step(1),
        Some(Command::PrevPost) => popup.step(-1),
        Some(Command::FirstPost) => popup.selected = 0,
        Some(Command::LastPost) => popup.step(isize::MAX),
        _ => {}
    }
    (Some(Popup::Candidates(popup)), vec![])
}

/// Keys in the unlink popup: pick a handle, confirm asks "unlink?", a second confirm removes it.
pub(super) fn unlink_key(
    state: &mut AppState,
    mut popup: UnlinkPopup,
    key: KeyEvent,
) -> (Option<Popup>, Vec<Effect>) {
    let handles = state
        .customers
        .get(&popup.customer)
        .map(|c| c.handles.clone())
        .unwrap_or_default();
    match state.keymap.command(Mode::Confirm, &key) {
        Some(Command::Cancel) if popup.asking => popup.asking = false,
        Some(Command::Cancel) => return (None, vec![]),
        Some(Command::Confirm) if popup.asking => {
            return match handles.get(popup.selected) {
                Some(handle) => (
                    None,
                    vec![Effect::UnlinkHandle {
                        customer: popup.customer,
                        handle: handle.clone(),
                    }],
                ),
                None => (None, vec![]),
            };
        }
        Some(Command::Confirm) => popup.asking = !handles.is_empty(),
        _ if popup.asking => {}
        _ => {
            let last = handles.len().saturating_sub(1);
            match state.keymap.command(Mode::Normal, &key) {
                Some(Command::NextPost) => popup.selected = (popup.selected + 1).min(last),
                Some(Command::PrevPost) => popup.selected = popup.selected.saturating_sub(1),
                _ => {}
            }
        }
    }
    (Some(Popup::Unlink(popup)), vec![])
}

fn list(networks: &[Network]) -> String {
    networks
        .iter()
        .map(|n| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
