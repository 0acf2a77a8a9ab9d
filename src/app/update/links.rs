//! `o` and `y`: the selected post's address to the browser or the clipboard, and what came of it.

use crate::app::{Copied, Effect};
use crate::domain::Post;
use crate::state::AppState;
use crate::text::truncate_width;

pub(super) fn open_link(state: &mut AppState) -> Vec<Effect> {
    address(state).map(Effect::OpenLink).into_iter().collect()
}

pub(super) fn copy_link(state: &mut AppState) -> Vec<Effect> {
    address(state)
        .map(|text| Effect::Copy {
            text,
            what: Copied::Link,
        })
        .into_iter()
        .collect()
}

/// The selected post's web address, or a flash saying why there is none.
fn address(state: &mut AppState) -> Option<String> {
    let found = match state.current_post() {
        None => Err("no post selected".to_string()),
        Some(post) => web_address(post),
    };
    found.map_err(|why| state.flash(why)).ok()
}

/// A post's address, if it is one a browser should be handed: posts come from strangers, and a `file:` or
/// custom-scheme link would run whatever the desktop maps it to.
pub(super) fn web_address(post: &Post) -> Result<String, String> {
    let Some(url) = post.url.as_deref() else {
        return Err(format!("this {} post has no web address", post.network));
    };
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "https" | "http") => Ok(u.to_string()),
        _ => Err(format!(
            "not a web address, so not opened: {}",
            truncate_width(url, 60)
        )),
    }
}

pub(super) fn opened(state: &mut AppState, url: &str, error: Option<String>) {
    match error {
        None => state.flash(format!(
            "opened in the browser: {}",
            truncate_width(url, 60)
        )),
        Some(e) => state.flash(e),
    }
}

pub(super) fn copied(state: &mut AppState, what: Copied, error: Option<String>) {
    let done = match (what, error) {
        (_, Some(e)) => e,
        (Copied::Link, None) => "link copied".to_string(),
        (Copied::Reply, None) => {
            let network = state
                .composer
                .as_ref()
                .map_or_else(|| "the network".to_string(), |c| c.network.to_string());
            let log = state.keymap.hint(crate::app::Command::LogAction);
            format!("reply copied: paste it on {network} in the browser, then log it with {log}")
        }
    };
    state.flash(done);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::fixture;

    #[test]
    fn only_web_addresses_are_handed_out() {
        let mut post = fixture::post(1, "ann@far.example", None, true, 5, "hi");
        assert_eq!(
            web_address(&post).as_deref(),
            Ok("https://mastodon.example/@ann@far.example/1")
        );
        for bad in [
            "file:///etc/passwd",
            "smb://host/share",
            "javascript:alert(1)",
            "not a url",
        ] {
            post.url = Some(bad.into());
            let e = web_address(&post).unwrap_err();
            assert!(e.starts_with("not a web address"), "{bad}: {e}");
        }
        post.url = None;
        assert_eq!(
            web_address(&post).unwrap_err(),
            "this mastodon post has no web address"
        );
    }
}
