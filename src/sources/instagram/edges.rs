//! Every request the Instagram source, replier and doctor make, as data (see `graph::edges`).

use crate::sources::graph::{Edge, Method};

const MEDIA_FIELDS: &[&str] = &[
    "id",
    "caption",
    "timestamp",
    "permalink",
    "username",
    "media_type",
    "comments_count",
];
const COMMENT_FIELDS: &[&str] = &["id", "text", "timestamp", "username", "from", "parent_id"];

/// The account itself: checks the token and gives the shop's username.
pub const USER: Edge = Edge {
    node: "IGUser",
    edge: None,
    method: Method::Get,
    params: &[],
    fields: &["id", "username"],
};

/// The shop's own media, newest first; `comments_count` says which have new comments.
pub const MEDIA: Edge = Edge {
    node: "IGUser",
    edge: Some("media"),
    method: Method::Get,
    params: &[],
    fields: MEDIA_FIELDS,
};

/// A medium's comments, each with its replies.
pub const COMMENTS: Edge = Edge {
    node: "IGMedia",
    edge: Some("comments"),
    method: Method::Get,
    params: &[],
    fields: &[
        "id",
        "text",
        "timestamp",
        "username",
        "from",
        "parent_id",
        "replies{id,text,timestamp,username,from,parent_id}",
    ],
};

/// Media others tagged the shop in.
pub const TAGS: Edge = Edge {
    node: "IGUser",
    edge: Some("tags"),
    method: Method::Get,
    params: &[],
    fields: &[
        "id",
        "caption",
        "timestamp",
        "permalink",
        "username",
        "media_type",
    ],
};

/// A hashtag's id (counts against 30 unique hashtags per 7 days).
pub const HASHTAG_SEARCH: Edge = Edge {
    node: "",
    edge: Some("ig_hashtag_search"),
    method: Method::Get,
    params: &["user_id", "q"],
    fields: &[],
};

/// Public media with a hashtag, published in the last 24 hours (no author is given).
pub const RECENT_MEDIA: Edge = Edge {
    node: "ShadowIGHashtag",
    edge: Some("recent_media"),
    method: Method::Get,
    params: &["user_id"],
    fields: &["id", "caption", "timestamp", "permalink", "media_type"],
};

/// A reply to a comment.
pub const REPLY_TO_COMMENT: Edge = Edge {
    node: "IGComment",
    edge: Some("replies"),
    method: Method::Post,
    params: &["message"],
    fields: &[],
};

/// A comment on a medium (one the shop is tagged in, or its own).
pub const COMMENT_ON_MEDIA: Edge = Edge {
    node: "IGMedia",
    edge: Some("comments"),
    method: Method::Post,
    params: &["message"],
    fields: &[],
};

/// A comment's replies: where an unconfirmed reply would be.
pub const REPLIES: Edge = Edge {
    node: "IGComment",
    edge: Some("replies"),
    method: Method::Get,
    params: &[],
    fields: COMMENT_FIELDS,
};

/// A medium's comments, plain: where an unconfirmed comment would be.
pub const MEDIA_COMMENTS: Edge = Edge {
    node: "IGMedia",
    edge: Some("comments"),
    method: Method::Get,
    params: &[],
    fields: COMMENT_FIELDS,
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
    USER,
    MEDIA,
    COMMENTS,
    TAGS,
    HASHTAG_SEARCH,
    RECENT_MEDIA,
    REPLY_TO_COMMENT,
    COMMENT_ON_MEDIA,
    REPLIES,
    MEDIA_COMMENTS,
    DEBUG_TOKEN,
];
