//! Contract: every request the Facebook and Instagram clients can make (node type, edge, method, parameters
//! and fields, from the tables the clients build their URLs from) is declared in the Graph API node specs of
//! facebook/facebook-business-sdk-codegen (`../shared/specs/meta-graph/*.json`).

use std::collections::HashMap;
use std::path::PathBuf;

use regulars::sources::graph::{Edge, Method};
use serde_json::Value;

/// Root endpoints, documented outside the node specs (the access token debugger and Instagram's hashtag
/// search); what they return is checked instead.
const ROOTS: &[(&str, &str)] = &[
    ("debug_token", ""),
    ("ig_hashtag_search", "ShadowIGHashtag"),
];

fn specs() -> Option<HashMap<String, Value>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/specs/meta-graph");
    let entries = std::fs::read_dir(&dir).ok()?;
    let mut specs = HashMap::new();
    for e in entries.flatten() {
        let path = e.path();
        if path.extension().is_some_and(|x| x == "json") {
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            specs.insert(name, serde_json::from_str(&text).unwrap());
        }
    }
    Some(specs)
}

fn apis(spec: &Value) -> impl Iterator<Item = &Value> {
    spec["apis"].as_array().into_iter().flatten()
}

/// The spec's API for `method` on `edge` (`None`: the node itself).
fn api<'a>(spec: &'a Value, method: Method, edge: Option<&str>) -> Option<&'a Value> {
    apis(spec)
        .find(|a| a["method"].as_str() == Some(method.as_str()) && a["endpoint"].as_str() == edge)
}

/// Splits `a,b{c,d},e` at top-level commas.
fn split(fields: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0, 0, Vec::new());
    for (i, c) in fields.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&fields[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&fields[start..]);
    out
}

/// Checks `field` (maybe `name{nested}`) on node type `node`; returns what is not declared.
fn check_field(specs: &HashMap<String, Value>, node: &str, field: &str) -> Vec<String> {
    let spec = &specs[node];
    let (name, nested) = match field.split_once('{') {
        Some((n, rest)) => (n, Some(rest.trim_end_matches('}'))),
        None => (field, None),
    };
    let as_field = spec["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["name"].as_str() == Some(name))
        .and_then(|f| f["type"].as_str());
    let as_edge = api(spec, Method::Get, Some(name)).and_then(|a| a["return"].as_str());
    let Some(ty) = as_field.or(as_edge) else {
        return vec![format!("{node} has no field or edge `{name}`")];
    };
    match nested {
        Some(inner) if specs.contains_key(ty) => split(inner)
            .into_iter()
            .flat_map(|f| check_field(specs, ty, f))
            .collect(),
        Some(_) => vec![format!(
            "{node}.{name} is a {ty}: its fields are not declared"
        )],
        None => Vec::new(),
    }
}

fn check(specs: &HashMap<String, Value>, network: &str, e: &Edge) -> Vec<String> {
    let what = format!(
        "{network}: {} {}/{}",
        e.method.as_str(),
        e.node,
        e.edge.unwrap_or("")
    );
    if e.node.is_empty() {
        let Some((_, returns)) = ROOTS.iter().find(|(r, _)| Some(*r) == e.edge) else {
            return vec![format!("{what}: an undeclared root endpoint")];
        };
        return e
            .fields
            .iter()
            .flat_map(|f| check_field(specs, returns, f))
            .map(|p| format!("{what}: {p}"))
            .collect();
    }
    let Some(spec) = specs.get(e.node) else {
        return vec![format!("{what}: no spec for node type {}", e.node)];
    };
    let Some(a) = api(spec, e.method, e.edge) else {
        return vec![format!("{what}: not declared")];
    };
    let declared: Vec<&str> = a["params"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str())
        .collect();
    let mut problems: Vec<String> = e
        .params
        .iter()
        .filter(|p| !declared.contains(p))
        .map(|p| format!("{what}: parameter `{p}` not declared"))
        .collect();
    let returns = match e.edge {
        Some(_) => a["return"].as_str().unwrap_or_default(),
        None => e.node,
    };
    for f in e.fields {
        if !specs.contains_key(returns) {
            problems.push(format!("{what}: returns {returns}, which has no spec"));
            break;
        }
        problems.extend(
            check_field(specs, returns, f)
                .into_iter()
                .map(|p| format!("{what}: {p}")),
        );
    }
    problems
}

#[test]
fn every_graph_request_is_declared_in_the_node_specs() {
    let Some(specs) = specs() else {
        eprintln!(
            "SKIPPED: ../shared/specs/meta-graph is absent; the Graph contract was not checked"
        );
        return;
    };
    let mut problems = Vec::new();
    for e in regulars::sources::facebook::EDGES {
        problems.extend(check(&specs, "facebook", e));
    }
    for e in regulars::sources::instagram::EDGES {
        problems.extend(check(&specs, "instagram", e));
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_check_can_fail() {
    let Some(specs) = specs() else {
        eprintln!("SKIPPED: ../shared/specs/meta-graph is absent");
        return;
    };
    let bad = Edge {
        node: "Page",
        edge: Some("visitor_posts"),
        method: Method::Get,
        params: &["since_id"],
        fields: &["id", "from{favourite_colour}", "mood"],
    };
    let problems = check(&specs, "test", &bad);
    assert_eq!(problems.len(), 3, "{problems:#?}");
    let post = Edge {
        node: "IGMedia",
        edge: Some("likes"),
        method: Method::Post,
        params: &[],
        fields: &[],
    };
    assert_eq!(check(&specs, "test", &post).len(), 1);
}
