//! `regulars doctor` checks both Graph networks share: the token's permissions (`debug_token`) and the
//! usage headroom the last answers reported.

use chrono::DateTime;
use serde_json::Value;

use super::{Edge, Graph, Usage};
use crate::sources::Check;
use crate::sources::http::FetchError;

/// Usage past this percentage is reported as too little headroom.
const HEADROOM_WARN: u32 = 75;

pub fn check(name: &str, what: &str, result: Result<String, (String, String)>) -> Check {
    match result {
        Ok(detail) => Check {
            what: format!("{name}: {what}"),
            ok: true,
            detail,
            fix: String::new(),
        },
        Err((detail, fix)) => Check {
            what: format!("{name}: {what}"),
            ok: false,
            detail,
            fix,
        },
    }
}

/// The token's validity, expiry and which of `needed` it lacks, from `debug_token`.
pub async fn permissions(
    graph: &mut Graph,
    debug_token: &Edge,
    needed: &[&str],
    fix: &str,
) -> Result<String, (String, String)> {
    let token = graph.token.expose().to_string();
    let url = graph.url(debug_token, "", &[("input_token", token.as_str())]);
    let answer = graph.get(url).await.map_err(|e| {
        (
            format!("could not inspect the token ({e})"),
            format!("check it in Meta's Access Token Debugger; {fix}"),
        )
    })?;
    let data = answer.get("data").cloned().unwrap_or(Value::Null);
    if data.get("is_valid").and_then(Value::as_bool) == Some(false) {
        return Err(("the token is not valid".into(), fix.to_string()));
    }
    let scopes: Vec<&str> = data
        .get("scopes")
        .and_then(Value::as_array)
        .map(|s| s.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let missing: Vec<&str> = needed
        .iter()
        .copied()
        .filter(|p| !scopes.contains(p))
        .collect();
    let expires = match data.get("expires_at").and_then(Value::as_i64) {
        Some(0) | None => "does not expire".to_string(),
        Some(t) => DateTime::from_timestamp(t, 0).map_or("expiry unknown".into(), |t| {
            format!("expires {}", t.format("%Y-%m-%d %H:%M UTC"))
        }),
    };
    if missing.is_empty() {
        Ok(format!("valid, {expires}, granted {}", needed.join(", ")))
    } else {
        Err((
            format!("valid, {expires}, but lacks {}", missing.join(", ")),
            format!(
                "grant {} to the app (App Review for a live app) and create the token again; {fix}",
                missing.join(", ")
            ),
        ))
    }
}

/// How much of its rate limit the app, page or business has used, as the last answer said.
pub fn headroom(usage: Option<&Usage>) -> Result<String, (String, String)> {
    match usage {
        None => Ok("no usage headers yet (the API sends them once calls add up)".into()),
        Some(u) if u.percent >= HEADROOM_WARN || u.regain_minutes.is_some() => Err((
            format!(
                "{}% used ({}){}",
                u.percent,
                u.source,
                u.regain_minutes
                    .map_or(String::new(), |m| format!(", access back in {m} min"))
            ),
            "raise poll_seconds (or watch fewer posts), or use a separate app for other tools"
                .into(),
        )),
        Some(u) => Ok(format!("{}% used ({})", u.percent, u.source)),
    }
}

/// What went wrong reaching the API, and the fix.
pub fn network_fix(e: &FetchError, graph_url: &str) -> String {
    match e {
        FetchError::Transport(_) => {
            format!("check `graph_url = \"{graph_url}\"` and the network connection")
        }
        FetchError::Server { .. } => "the Graph API is in trouble; try again later".into(),
        FetchError::RateLimited { until } => format!("wait until {until}"),
        _ => "check the id in the config and that the token belongs to it".into(),
    }
}
