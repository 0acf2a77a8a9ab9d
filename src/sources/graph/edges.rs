//! The requests a Graph client makes, as data: which node type's edge (as the Graph API node specs name them),
//! which method, which parameters and which fields. The clients build every URL from these tables, and the
//! contract test (`tests/graph_contract.rs`) checks each against the specs, so a request the API does not
//! declare cannot slip in.

/// GET or POST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// Parameters every Graph edge takes (field selection and cursor paging, documented once for all of them
/// under "Using the Graph API: paginated results" and "field expansion").
pub const PAGING_PARAMS: &[&str] = &["fields", "limit", "after", "before"];

/// One kind of request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// The node type the request starts from (`Page`, `PagePost`, `Comment`, `IGUser`, `IGMedia`,
    /// `IGComment`, `ShadowIGHashtag`), or `""` for a root endpoint (`debug_token`, `ig_hashtag_search`).
    pub node: &'static str,
    /// The edge (`comments`), or `None` for the node itself.
    pub edge: Option<&'static str>,
    pub method: Method,
    /// Parameters beyond [`PAGING_PARAMS`] this request may carry.
    pub params: &'static [&'static str],
    /// The fields asked for (`parent{id}` expands a field or edge with its own fields).
    pub fields: &'static [&'static str],
}

impl Edge {
    /// Whether `name` may be sent with this request.
    pub fn takes(&self, name: &str) -> bool {
        self.params.contains(&name) || (self.method == Method::Get && PAGING_PARAMS.contains(&name))
    }

    /// The path below the version: `{id}/{edge}`, `{id}`, or the root endpoint.
    pub fn segments<'a>(&'a self, id: &'a str) -> Vec<&'a str> {
        match (self.node.is_empty(), self.edge) {
            (true, Some(root)) => vec![root],
            (_, Some(edge)) => vec![id, edge],
            (_, None) => vec![id],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMENTS: Edge = Edge {
        node: "PagePost",
        edge: Some("comments"),
        method: Method::Get,
        params: &["since"],
        fields: &["id"],
    };

    #[test]
    fn paths_and_params() {
        assert_eq!(COMMENTS.segments("1_2"), ["1_2", "comments"]);
        assert!(COMMENTS.takes("since") && COMMENTS.takes("after") && !COMMENTS.takes("until"));
        let root = Edge {
            node: "",
            edge: Some("ig_hashtag_search"),
            method: Method::Get,
            params: &["user_id", "q"],
            fields: &[],
        };
        assert_eq!(root.segments("ignored"), ["ig_hashtag_search"]);
        let post = Edge {
            method: Method::Post,
            params: &["message"],
            ..COMMENTS
        };
        assert!(!post.takes("fields"));
    }
}
