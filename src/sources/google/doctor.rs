//! `regulars doctor` for a Google reviews source: the token accepted (a fresh one minted from the refresh
//! token), the APIs enabled, the locations visible, and each location's reviews readable with their count.

use std::collections::HashMap;

use super::GoogleSource;
use super::api::Place;
use super::client;
use crate::sources::Check;
use crate::sources::http::FetchError;

impl GoogleSource {
    pub(super) async fn checks(&self, cursors: &HashMap<String, String>) -> Vec<Check> {
        let name = &self.name;
        let hint = self.setup.hint.clone();
        let mut api = self.api();
        let mut checks = Vec::new();
        let check = |what: &str, result: Result<String, FetchError>| {
            let (ok, detail, fix) = match result {
                Ok(detail) => (true, detail, String::new()),
                Err(e) => {
                    let fix = match &e {
                        FetchError::Auth { status, detail } => client::fix(*status, detail, &hint),
                        FetchError::RateLimited { until } => {
                            format!("the project's quota is spent; wait until {until}")
                        }
                        FetchError::Transport(_) => {
                            "check the network connection (and the *_url settings, if changed)"
                                .into()
                        }
                        FetchError::Server { .. } => "Google is in trouble; try again later".into(),
                        FetchError::Client { .. } | FetchError::Malformed(_) => {
                            "check `account` and `locations` against the Business Profile".into()
                        }
                    };
                    (false, e.to_string(), fix)
                }
            };
            Check {
                what: format!("{name}: {what}"),
                ok,
                detail,
                fix,
            }
        };
        if self.setup.refresh.is_some() {
            let minted = api
                .refresh()
                .await
                .map(|_| "a new access token was minted".to_string());
            let failed = minted.is_err();
            checks.push(check("refresh token accepted", minted));
            if failed {
                return checks;
            }
        }
        // A configured account is not listed: the locations check below is the token's test then.
        let accounts = match &self.setup.account {
            Some(a) => vec![a.clone()],
            None => match api.accounts().await {
                Ok(a) => {
                    checks.push(check(
                        "token accepted",
                        Ok(format!("accounts: {}", a.join(", "))),
                    ));
                    a
                }
                Err(e) => {
                    checks.push(check(
                        "token accepted, Account Management API enabled",
                        Err(e),
                    ));
                    return checks;
                }
            },
        };
        let mut places: Vec<Place> = Vec::new();
        let mut listed = Ok(());
        for account in &accounts {
            match api.locations(account).await {
                Ok(found) => places.extend(found),
                Err(e) => listed = Err(e),
            }
        }
        let wanted = &self.setup.locations;
        if !wanted.is_empty() {
            places.retain(|p| wanted.iter().any(|l| p.parent.ends_with(&format!("/{l}"))));
            for l in wanted {
                if !places.iter().any(|p| p.parent.ends_with(&format!("/{l}"))) {
                    places.push(Place::bare(&accounts[0], l));
                }
            }
        }
        checks.push(check(
            "token accepted, locations visible (Business Information API)",
            match listed {
                Ok(()) if places.is_empty() => Err(FetchError::Client {
                    status: 404,
                    detail:
                        "no locations: the signed-in Google account owns or manages no verified \
                             Business Profile in these accounts"
                            .into(),
                }),
                Ok(()) => Ok(format!(
                    "{}: {}",
                    places.len(),
                    places
                        .iter()
                        .map(Place::label)
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
                Err(e) => Err(e),
            },
        ));
        for place in &places {
            let read = api.reviews(&place.parent, None).await.map(|page| {
                let unanswered = page
                    .reviews
                    .iter()
                    .filter(|r| r.get("reviewReply").is_none())
                    .count();
                format!(
                    "{} reviews, average {}; {unanswered} of the newest {} without a reply",
                    page.total_review_count.unwrap_or(page.reviews.len() as u64),
                    page.average_rating
                        .map_or("unknown".into(), |a| format!("{a:.1} stars")),
                    page.reviews.len()
                )
            });
            checks.push(check(&format!("reviews of {}", place.label()), read));
        }
        let stored = cursors.keys().filter(|k| k.starts_with("reviews:")).count();
        checks.push(check(
            "cursors",
            Ok(match stored {
                0 => "none stored yet; the first run reads the newest 50 reviews of each location"
                    .into(),
                n => format!("{n} locations read before; a restart resumes where they stopped"),
            }),
        ));
        checks
    }
}
