//! Finding a customer's handles in the console: the search asked for, its answers in a popup, the chosen
//! candidate linked only on the confirm key; unlinking after a yes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::domain::{Candidate, CustomerId, Handle, Network, PostId};
use crate::state::fixture::{self, Desk};
use crate::store::CustomerRepo;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn found(network: Network, handle: &str, followers: Option<u64>) -> Candidate {
    Candidate {
        network,
        handle: handle.into(),
        display_name: "Priya R".into(),
        bio: "Potter in Leeds. Rings, mugs and the occasional vase, mostly stoneware, fired twice"
            .into(),
        followers,
        url: None,
    }
}

/// The desk on Priya Raman's post, the shop on Mastodon, Bluesky, X and Facebook.
fn desk_on_priya() -> (Desk, CustomerId) {
    let mut desk = fixture::desk();
    for n in [
        Network::Mastodon,
        Network::Bluesky,
        Network::X,
        Network::Facebook,
    ] {
        desk.state.accounts.insert(n, format!("shop on {n}"));
    }
    desk.select(Pane::Regulars, PostId(1));
    let priya = desk.state.current_post().and_then(|p| p.customer).unwrap();
    assert_eq!(desk.state.customers[&priya].name, "Priya Raman");
    (desk, priya)
}

pub(crate) fn searched(desk: &mut Desk, priya: CustomerId) {
    desk.send(Msg::AccountsFound {
        customer: priya,
        found: vec![
            (
                Network::Bluesky,
                Ok(vec![
                    found(Network::Bluesky, "priya.bsky.social", Some(321)),
                    found(Network::Bluesky, "praman.bsky.social", None),
                ]),
            ),
            (
                Network::X,
                Err("search failed: rate limited until 10:15".into()),
            ),
        ],
    });
}

#[test]
fn find_searches_the_networks_without_a_handle_and_the_popup_shows_what_came_back() {
    let (mut desk, priya) = desk_on_priya();
    let effects = desk.send(Msg::Command(Command::FindHandles));
    assert_eq!(
        effects,
        vec![Effect::SearchAccounts {
            customer: priya,
            name: "Priya Raman".into(),
            networks: vec![Network::Bluesky, Network::X],
        }],
        "Mastodon has her handle; Facebook cannot be searched"
    );
    let Some(Popup::Candidates(p)) = &desk.state.popup else {
        panic!("{:?}", desk.state.popup)
    };
    assert_eq!(p.searching, [Network::Bluesky, Network::X]);
    assert!(
        matches!(&p.found[..], [(Network::Facebook, Err(why))] if why.starts_with("facebook cannot be searched"))
    );

    searched(&mut desk, priya);
    let Some(Popup::Candidates(p)) = &desk.state.popup else {
        panic!()
    };
    assert!(p.searching.is_empty());
    let order: Vec<Network> = p.found.iter().map(|(n, _)| *n).collect();
    assert_eq!(order, [Network::Bluesky, Network::X, Network::Facebook]);
    assert_eq!(p.chosen().unwrap().handle, "priya.bsky.social");
}

#[test]
fn the_confirm_key_links_the_selected_candidate_and_esc_links_nothing() {
    let (mut desk, priya) = desk_on_priya();
    desk.send(Msg::Command(Command::FindHandles));
    searched(&mut desk, priya);
    assert!(desk.send(key(KeyCode::Char('j'))).is_empty());
    assert!(
        desk.send(key(KeyCode::Char('j'))).is_empty(),
        "stays on the last"
    );
    let effects = desk.send(key(KeyCode::Enter));
    let wanted = Handle {
        network: Network::Bluesky,
        handle: "praman.bsky.social".into(),
        linked: true,
    };
    assert_eq!(
        effects,
        vec![Effect::LinkHandle {
            customer: priya,
            handle: wanted.clone()
        }]
    );
    assert_eq!(desk.state.popup, None);
    // The runner's answer: the customer as stored.
    let customer = desk.db.link_handle(priya, &wanted).unwrap();
    desk.send(Msg::HandleLinked {
        customer,
        handle: wanted.clone(),
    });
    assert!(desk.state.customers[&priya].handles.contains(&wanted));
    let flash = desk.state.flash.as_ref().unwrap().0.clone();
    assert_eq!(
        flash,
        "linked @praman.bsky.social to Priya Raman: their timeline is followed from the next start"
    );

    // Esc: closed, nothing asked; an answer arriving after that is dropped.
    desk.send(Msg::Command(Command::FindHandles));
    assert!(desk.send(key(KeyCode::Esc)).is_empty());
    assert_eq!(desk.state.popup, None);
    searched(&mut desk, priya);
    assert_eq!(desk.state.popup, None);
}

#[test]
fn nothing_to_search_and_no_customer_are_said() {
    let (mut desk, _) = desk_on_priya();
    desk.state
        .accounts
        .retain(|n, _| *n == Network::Mastodon || *n == Network::Facebook);
    assert!(desk.send(Msg::Command(Command::FindHandles)).is_empty());
    let flash = desk.state.flash.as_ref().unwrap().0.clone();
    assert!(
        flash == "Priya Raman: the networks left cannot be searched by name (facebook)",
        "{flash}"
    );
    desk.state.accounts = [(Network::Demo, "demo".to_string())].into();
    assert!(desk.send(Msg::Command(Command::FindHandles)).is_empty());
    assert_eq!(
        desk.state.flash.as_ref().unwrap().0,
        "no network to search people on: configure a mastodon, bluesky or x source"
    );
    assert_eq!(desk.state.popup, None);
    desk.select(Pane::Mentions, PostId(4));
    assert_eq!(desk.state.current_post().map(|p| p.customer), Some(None));
    assert!(desk.send(Msg::Command(Command::FindHandles)).is_empty());
    assert!(
        desk.state
            .flash
            .as_ref()
            .unwrap()
            .0
            .starts_with("not one of your customers")
    );
}

#[test]
fn unlink_asks_first_and_removes_only_on_yes() {
    let (mut desk, priya) = desk_on_priya();
    assert!(desk.send(Msg::Command(Command::UnlinkHandle)).is_empty());
    assert!(matches!(desk.state.popup, Some(Popup::Unlink(_))));
    // Enter asks; n takes the question back; Enter then y removes it.
    assert!(desk.send(key(KeyCode::Enter)).is_empty());
    assert!(matches!(&desk.state.popup, Some(Popup::Unlink(p)) if p.asking));
    assert!(desk.send(key(KeyCode::Char('n'))).is_empty());
    assert!(matches!(&desk.state.popup, Some(Popup::Unlink(p)) if !p.asking));
    desk.send(key(KeyCode::Enter));
    let effects = desk.send(key(KeyCode::Char('y')));
    let handle = desk.state.customers[&priya].handles[0].clone();
    assert_eq!(
        effects,
        vec![Effect::UnlinkHandle {
            customer: priya,
            handle: handle.clone()
        }]
    );
    let customer = desk
        .db
        .unlink_handle(priya, handle.network, &handle.handle)
        .unwrap();
    desk.send(Msg::HandleUnlinked { customer, handle });
    assert!(desk.state.customers[&priya].handles.is_empty());
    assert!(
        desk.state
            .flash
            .as_ref()
            .unwrap()
            .0
            .starts_with("unlinked mastodon @priya@hachyderm.io from Priya Raman")
    );
    // Her post was hers through that handle only: nobody's now.
    assert_eq!(desk.state.posts.get(PostId(1)).unwrap().customer, None);
    // Nothing left to unlink: said, no popup.
    assert!(super::handles::unlink_for(&mut desk.state, priya).is_empty());
    assert_eq!(desk.state.popup, None);
    assert_eq!(
        desk.state.flash.as_ref().unwrap().0,
        "Priya Raman has no handles to unlink"
    );
}

#[test]
fn a_linked_handles_stored_posts_show_as_the_customers_at_once() {
    let (mut desk, _) = desk_on_priya();
    let tom = CustomerId(2);
    let newbie = Handle {
        network: Network::Mastodon,
        handle: "newbie@mastodon.social".into(),
        linked: true,
    };
    assert_eq!(desk.state.posts.get(PostId(4)).unwrap().customer, None);
    let customer = desk.db.link_handle(tom, &newbie).unwrap();
    let effects = desk.send(Msg::HandleLinked {
        customer,
        handle: newbie.clone(),
    });
    assert!(
        effects.is_empty(),
        "the lists' reads are answered: {effects:?}"
    );
    assert_eq!(desk.state.posts.get(PostId(4)).unwrap().customer, Some(tom));
    assert!(
        desk.state.lists[&Pane::Regulars]
            .window
            .rows
            .iter()
            .any(|k| k.id == PostId(4))
    );
    let customer = desk
        .db
        .unlink_handle(tom, Network::Mastodon, &newbie.handle)
        .unwrap();
    desk.send(Msg::HandleUnlinked {
        customer,
        handle: newbie,
    });
    assert_eq!(desk.state.posts.get(PostId(4)).unwrap().customer, None);
}
