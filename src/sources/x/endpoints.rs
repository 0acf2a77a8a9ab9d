//! Every request the X client makes, as one table: method, path template, the query parameters it fills per
//! request, the ones it always sends with fixed values (fields and expansions), and the JSON body fields. The
//! client builds each URL from its row, so the table is the whole of what we ask of X (the contract test
//! checks it against X's OpenAPI description).
//!
//! Names follow X's current description (`post.fields`, the `referenced_posts` expansion); answers in the
//! older `tweets` naming are read too (see `api.rs`).

use url::Url;

/// One endpoint as the client calls it.
#[derive(Debug)]
pub struct Endpoint {
    pub method: &'static str,
    /// With `{id}`-style placeholders, as X's description writes it.
    pub path: &'static str,
    /// Parameters filled per request (positions, pages, page sizes, the search query).
    pub params: &'static [&'static str],
    /// Parameters sent on every request with these values (comma-separated lists where X takes lists).
    pub fixed: &'static [(&'static str, &'static str)],
    /// JSON body fields, nested ones dotted (`reply.in_reply_to_tweet_id`).
    pub body: &'static [&'static str],
    /// The smallest `max_results` the endpoint takes (0: no page size).
    pub min_page: u64,
}

/// What a post is read with: its author, what it replies to or quotes (with their authors where X sends
/// them) and the replied-to user, so replies and quotes keep their context.
const POST_FIELDS: [(&str, &str); 3] = [
    (
        "expansions",
        "author_id,in_reply_to_user_id,referenced_posts",
    ),
    ("post.fields", "created_at,conversation_id,entities"),
    ("user.fields", "name,username"),
];

/// A user's posts without reposts, newest first (customers' posts; the shop's own when checking whether a
/// reply went out).
pub const USER_POSTS: Endpoint = Endpoint {
    method: "GET",
    path: "/2/users/{id}/tweets",
    params: &["since_id", "max_results", "pagination_token"],
    fixed: &[
        POST_FIELDS[0],
        POST_FIELDS[1],
        POST_FIELDS[2],
        ("exclude", "retweets"),
    ],
    body: &[],
    min_page: 5,
};

/// Posts mentioning a user, newest first.
pub const MENTIONS: Endpoint = Endpoint {
    method: "GET",
    path: "/2/users/{id}/mentions",
    params: &["since_id", "max_results", "pagination_token"],
    fixed: &POST_FIELDS,
    body: &[],
    min_page: 5,
};

/// Posts of the last seven days matching a query, newest first.
pub const SEARCH_RECENT: Endpoint = Endpoint {
    method: "GET",
    path: "/2/tweets/search/recent",
    params: &["query", "since_id", "max_results", "next_token"],
    fixed: &POST_FIELDS,
    body: &[],
    min_page: 10,
};

/// Users by username (up to 100 at once).
pub const USERS_BY: Endpoint = Endpoint {
    method: "GET",
    path: "/2/users/by",
    params: &["usernames"],
    fixed: &[("user.fields", "name,username")],
    body: &[],
    min_page: 0,
};

/// People whose name or username matches a query (a user-context token only), for finding a customer's
/// account.
pub const USERS_SEARCH: Endpoint = Endpoint {
    method: "GET",
    path: "/2/users/search",
    params: &["query", "max_results"],
    fixed: &[("user.fields", "description,public_metrics")],
    body: &[],
    min_page: 1,
};

/// The token's own user (a user-context token only).
pub const ME: Endpoint = Endpoint {
    method: "GET",
    path: "/2/users/me",
    params: &[],
    fixed: &[("user.fields", "name,username")],
    body: &[],
    min_page: 0,
};

/// Posts a post (a reply, here).
pub const CREATE_POST: Endpoint = Endpoint {
    method: "POST",
    path: "/2/tweets",
    params: &[],
    fixed: &[],
    body: &["text", "reply.in_reply_to_tweet_id"],
    min_page: 0,
};

/// Every endpoint the client calls.
pub const ALL: [&Endpoint; 7] = [
    &USER_POSTS,
    &MENTIONS,
    &SEARCH_RECENT,
    &USERS_BY,
    &USERS_SEARCH,
    &ME,
    &CREATE_POST,
];

/// The most posts one page holds.
pub const MAX_PAGE: u64 = 100;

impl Endpoint {
    /// The URL of this endpoint under `base` with `args` in its placeholders (in order, each one
    /// percent-encoded as a path segment), its fixed parameters, then `params`. A parameter the row does not
    /// name is left out and logged: the table is the contract.
    pub fn url(&self, base: &Url, args: &[&str], params: &[(&str, String)]) -> Url {
        let mut u = base.clone();
        u.set_query(None);
        u.set_fragment(None);
        let mut args = args.iter();
        if let Ok(mut path) = u.path_segments_mut() {
            path.clear();
            for segment in self.path.trim_start_matches('/').split('/') {
                if segment.starts_with('{') {
                    path.push(args.next().copied().unwrap_or_default());
                } else {
                    path.push(segment);
                }
            }
        }
        {
            let mut q = u.query_pairs_mut();
            for (k, v) in self.fixed {
                q.append_pair(k, v);
            }
            for (k, v) in params {
                if self.params.contains(k) {
                    q.append_pair(k, v);
                } else {
                    tracing::error!(path = self.path, param = k, "x: parameter not in the table");
                }
            }
        }
        if u.query() == Some("") {
            u.set_query(None);
        }
        u
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_fill_placeholders_fixed_and_named_params() {
        let base = Url::parse("https://api.x.com").unwrap();
        let u = USER_POSTS.url(
            &base,
            &["12"],
            &[("since_id", "7".into()), ("bogus", "1".into())],
        );
        assert_eq!(u.path(), "/2/users/12/tweets");
        let q: Vec<(String, String)> = u.query_pairs().into_owned().collect();
        assert!(q.contains(&("since_id".into(), "7".into())));
        assert!(q.contains(&(
            "expansions".into(),
            "author_id,in_reply_to_user_id,referenced_posts".into()
        )));
        assert!(!q.iter().any(|(k, _)| k == "bogus"));
        assert_eq!(
            ME.url(&base, &[], &[]).as_str(),
            "https://api.x.com/2/users/me?user.fields=name%2Cusername"
        );
        // An id that is not a number stays one path segment.
        let odd = MENTIONS.url(&base, &["a/b"], &[]);
        assert!(odd.path().starts_with("/2/users/a%2Fb/"), "{odd}");
    }
}
