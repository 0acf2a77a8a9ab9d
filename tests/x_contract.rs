//! Every request our X client can make is declared in X's own OpenAPI description of API v2
//! (`../shared/specs/x/openapi.json`, from xdevplatform/xdk): method, path, each query parameter's name and,
//! where the description enumerates them, its values and page-size bounds, and each JSON body field.

use regulars::sources::x::endpoints::{self, Endpoint};
use serde_json::Value;

fn spec() -> Option<Value> {
    let file =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/specs/x/openapi.json");
    match std::fs::read_to_string(&file) {
        Ok(text) => Some(serde_json::from_str(&text).expect("the X OpenAPI description parses")),
        Err(e) => {
            eprintln!(
                "SKIPPED x_contract: {} not readable ({e}); the X contract is unchecked",
                file.display()
            );
            None
        }
    }
}

/// Follows a `$ref` (`#/components/...`) to what it names.
fn resolve<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let target = r
                .trim_start_matches('#')
                .split('/')
                .filter(|s| !s.is_empty())
                .fold(spec, |at, key| &at[key]);
            resolve(spec, target)
        }
        None => v,
    }
}

fn operation<'a>(spec: &'a Value, e: &Endpoint) -> &'a Value {
    let op = &spec["paths"][e.path][e.method.to_lowercase()];
    assert!(
        op.is_object(),
        "{} {} is not in X's description",
        e.method,
        e.path
    );
    op
}

fn parameter<'a>(spec: &'a Value, e: &Endpoint, name: &str) -> &'a Value {
    operation(spec, e)["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| resolve(spec, p))
        .find(|p| p["name"] == name && p["in"] == "query")
        .unwrap_or_else(|| {
            panic!(
                "{} {}: query parameter `{name}` is not declared",
                e.method, e.path
            )
        })
}

/// The values a parameter may take, where the description enumerates them (lists: their items).
fn allowed(spec: &Value, param: &Value) -> Option<Vec<String>> {
    let schema = resolve(spec, &param["schema"]);
    let items = if schema["type"] == "array" {
        resolve(spec, &schema["items"])
    } else {
        schema
    };
    items["enum"].as_array().map(|e| {
        e.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    })
}

#[test]
fn every_request_the_client_makes_is_declared_by_x() {
    let Some(spec) = spec() else { return };
    for e in endpoints::ALL {
        operation(&spec, e);
        for name in e.params {
            let p = parameter(&spec, e, name);
            if *name == "max_results" {
                let schema = resolve(&spec, &p["schema"]);
                assert_eq!(
                    schema["minimum"].as_u64(),
                    Some(e.min_page),
                    "{}: smallest page",
                    e.path
                );
                assert!(
                    schema["maximum"].as_u64() >= Some(endpoints::MAX_PAGE),
                    "{}: largest page",
                    e.path
                );
            }
        }
        for (name, value) in e.fixed {
            let p = parameter(&spec, e, name);
            let Some(allowed) = allowed(&spec, p) else {
                continue;
            };
            for v in value.split(',') {
                assert!(
                    allowed.iter().any(|a| a == v),
                    "{} {}: `{name}={v}` is not one of {allowed:?}",
                    e.method,
                    e.path
                );
            }
        }
        if !e.body.is_empty() {
            let body = &operation(&spec, e)["requestBody"]["content"]["application/json"]["schema"];
            for field in e.body {
                let mut at = resolve(&spec, body);
                for part in field.split('.') {
                    let next = &at["properties"][part];
                    assert!(
                        next.is_object(),
                        "{} {}: body field `{field}` is not declared",
                        e.method,
                        e.path
                    );
                    at = resolve(&spec, next);
                }
            }
        }
    }
}

#[test]
fn the_answers_we_read_are_the_ones_x_describes() {
    let Some(spec) = spec() else { return };
    let post = &spec["components"]["schemas"]["Post"]["properties"];
    for field in [
        "id",
        "text",
        "author_id",
        "created_at",
        "conversation_id",
        "in_reply_to_user_id",
        "referenced_posts",
        "edit_history_post_ids",
        "entities",
    ] {
        assert!(post[field].is_object(), "Post.{field}");
    }
    let includes = &spec["components"]["schemas"]["Expansions"]["properties"];
    assert!(includes["posts"].is_object() && includes["users"].is_object());
    let meta =
        &spec["components"]["schemas"]["GetUsersPostsResponse"]["properties"]["meta"]["properties"];
    assert!(meta["next_token"].is_object());
}
