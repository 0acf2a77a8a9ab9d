//! Every request the Facebook source, replier and doctor make, as data (see `graph::edges`).

use crate::sources::graph::{Edge, Method};

const POST_FIELDS: &[&str] = &["id", "message", "created_time", "from", "permalink_url"];
const COMMENT_FIELDS: &[&str] = &[
    "id",
    "message",
    "created_time",
    "from",
    "parent{id}",
    "permalink_url",
];

/// The page itself: checks the token and names the page.
pub const PAGE: Edge = Edge {
    node: "Page",
    edge: None,
    method: Method::Get,
    params: &[],
    fields: &["id", "name"],
};

/// Everything on the page's timeline: its own posts, visitors' posts, public posts tagging it.
pub const FEED: Edge = Edge {
    node: "Page",
    edge: Some("feed"),
    method: Method::Get,
    params: &["limit"],
    fields: POST_FIELDS,
};

/// Posts that tag the page.
pub const TAGGED: Edge = Edge {
    node: "Page",
    edge: Some("tagged"),
    method: Method::Get,
    params: &[],
    fields: POST_FIELDS,
};

/// The page's own posts; `updated_time` moves when someone comments.
pub const POSTS: Edge = Edge {
    node: "Page",
    edge: Some("posts"),
    method: Method::Get,
    params: &["limit"],
    fields: &[
        "id",
        "message",
        "created_time",
        "updated_time",
        "from",
        "permalink_url",
    ],
};

/// Every comment and reply on a post (`filter=stream`), newest first, since a time.
pub const COMMENTS: Edge = Edge {
    node: "PagePost",
    edge: Some("comments"),
    method: Method::Get,
    params: &["filter", "order", "since"],
    fields: COMMENT_FIELDS,
};

/// One comment: the parent of a reply, fetched as context.
pub const COMMENT: Edge = Edge {
    node: "Comment",
    edge: None,
    method: Method::Get,
    params: &[],
    fields: COMMENT_FIELDS,
};

/// Ratings and recommendations of the page.
pub const RATINGS: Edge = Edge {
    node: "Page",
    edge: Some("ratings"),
    method: Method::Get,
    params: &[],
    fields: &[
        "created_time",
        "recommendation_type",
        "review_text",
        "rating",
        "has_rating",
        "has_review",
        "reviewer",
        "open_graph_story",
    ],
};

/// A reply to a comment (in its thread).
pub const REPLY_TO_COMMENT: Edge = Edge {
    node: "Comment",
    edge: Some("comments"),
    method: Method::Post,
    params: &["message"],
    fields: &[],
};

/// A comment on a post (a visitor's post, a post tagging the page, a recommendation's story).
pub const REPLY_TO_POST: Edge = Edge {
    node: "Post",
    edge: Some("comments"),
    method: Method::Post,
    params: &["message"],
    fields: &[],
};

const REPLY_FIELDS: &[&str] = &["id", "message", "from", "created_time", "permalink_url"];

/// The replies in a comment's thread, newest first: where an unconfirmed reply would be.
pub const THREAD: Edge = Edge {
    node: "Comment",
    edge: Some("comments"),
    method: Method::Get,
    params: &["filter", "order"],
    fields: REPLY_FIELDS,
};

/// The top-level comments on a post, newest first: where an unconfirmed comment would be.
pub const POST_COMMENTS: Edge = Edge {
    node: "Post",
    edge: Some("comments"),
    method: Method::Get,
    params: &["filter", "order"],
    fields: REPLY_FIELDS,
};

/// The token's validity, expiry and permissions (doctor).
pub const DEBUG_TOKEN: Edge = Edge {
    node: "",
    edge: Some("debug_token"),
    method: Method::Get,
    params: &["input_token"],
    fields: &[],
};

/// Every request above, for the contract test.
pub const EDGES: &[Edge] = &[
    PAGE,
    FEED,
    TAGGED,
    POSTS,
    COMMENTS,
    COMMENT,
    RATINGS,
    REPLY_TO_COMMENT,
    REPLY_TO_POST,
    THREAD,
    POST_COMMENTS,
    DEBUG_TOKEN,
];
