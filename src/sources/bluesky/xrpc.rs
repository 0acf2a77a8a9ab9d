//! XRPC calls: public reads through the AppView, authenticated calls to the PDS with a session that is created
//! once (`createSession`) and refreshed on expiry (`refreshSession`), one refresh at a time.

use std::sync::Mutex as StdMutex;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Utc;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::Mutex;
use url::Url;

use super::api::SessionDto;
use crate::sources::http::{self, FetchError, RateLimit};
use crate::sources::secret::Secret;

#[derive(Clone)]
struct Session {
    access: Secret,
    refresh: Secret,
    did: String,
    handle: String,
    generation: u64,
}

/// One account's XRPC client. Shared (in an `Arc`) by the source and the replier so both use one session.
pub struct Xrpc {
    client: reqwest::Client,
    pub(crate) pds: Url,
    pub(crate) appview: Url,
    identifier: String,
    password: Secret,
    session: Mutex<Option<Session>>,
    generations: std::sync::atomic::AtomicU64,
    auth_failed: AtomicBool,
    last_rate: StdMutex<Option<RateLimit>>,
}

impl std::fmt::Debug for Xrpc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Xrpc")
            .field("pds", &self.pds.as_str())
            .field("appview", &self.appview.as_str())
            .field("identifier", &self.identifier)
            .finish_non_exhaustive()
    }
}

fn endpoint(base: &Url, nsid: &str) -> String {
    format!("{}/xrpc/{nsid}", base.as_str().trim_end_matches('/'))
}

/// The access token expired: XRPC answers 400 `ExpiredToken` (or 401 from some PDSes).
fn is_expired(e: &FetchError) -> bool {
    match e {
        FetchError::Auth { status: 401, .. } => true,
        FetchError::Client {
            status: 400,
            detail,
        } => detail.starts_with("ExpiredToken") || detail.starts_with("InvalidToken"),
        _ => false,
    }
}

impl Xrpc {
    pub fn new(
        client: reqwest::Client,
        pds: Url,
        appview: Url,
        identifier: String,
        password: Secret,
    ) -> Xrpc {
        Xrpc {
            client,
            pds,
            appview,
            identifier,
            password,
            session: Mutex::new(None),
            generations: std::sync::atomic::AtomicU64::new(0),
            auth_failed: AtomicBool::new(false),
            last_rate: StdMutex::new(None),
        }
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// `createSession` was refused: the handle or app password is wrong (or the account is not usable).
    pub fn auth_failed(&self) -> bool {
        self.auth_failed.load(Ordering::Relaxed)
    }

    /// The rate limit the server reported on its last answer.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.last_rate.lock().ok().and_then(|g| g.clone())
    }

    async fn exec<T: DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<T, FetchError> {
        let now = Utc::now();
        let resp = req.send().await.map_err(|e| FetchError::from_reqwest(&e))?;
        if let Some(rl) = RateLimit::from_headers(resp.headers(), now)
            && let Ok(mut g) = self.last_rate.lock()
        {
            *g = Some(rl);
        }
        let resp = http::check_status(resp, now).await?;
        http::json(resp).await
    }

    /// An unauthenticated read through the AppView (`getAuthorFeed`, `resolveHandle`).
    pub async fn public_get<T: DeserializeOwned>(
        &self,
        nsid: &str,
        query: &[(&str, String)],
    ) -> Result<T, FetchError> {
        self.exec(self.client.get(endpoint(&self.appview, nsid)).query(query))
            .await
    }

    async fn create_session(&self) -> Result<Session, FetchError> {
        let body = json!({"identifier": self.identifier, "password": self.password.expose()});
        let req = self
            .client
            .post(endpoint(&self.pds, "com.atproto.server.createSession"))
            .json(&body);
        match self.exec::<SessionDto>(req).await {
            Ok(s) => {
                self.auth_failed.store(false, Ordering::Relaxed);
                Ok(self.adopt(s))
            }
            Err(FetchError::Auth { status, detail } | FetchError::Client { status, detail }) => {
                self.auth_failed.store(true, Ordering::Relaxed);
                Err(FetchError::Auth {
                    status,
                    detail: format!("createSession refused for {}: {detail}", self.identifier),
                })
            }
            Err(e) => Err(e),
        }
    }

    fn adopt(&self, s: SessionDto) -> Session {
        Session {
            access: Secret::new(s.access_jwt),
            refresh: Secret::new(s.refresh_jwt),
            did: s.did,
            handle: s.handle,
            generation: self.generations.fetch_add(1, Ordering::Relaxed) + 1,
        }
    }

    async fn current(&self) -> Result<Session, FetchError> {
        let mut guard = self.session.lock().await;
        if let Some(s) = guard.as_ref() {
            return Ok(s.clone());
        }
        let s = self.create_session().await?;
        *guard = Some(s.clone());
        Ok(s)
    }

    /// The account's DID and handle (creating the session if needed).
    pub async fn whoami(&self) -> Result<(String, String), FetchError> {
        let s = self.current().await?;
        let handle = if s.handle.is_empty() {
            self.identifier.clone()
        } else {
            s.handle
        };
        Ok((s.did, handle))
    }

    /// Drops the session and logs in afresh (a restarted PDS may have lost every session it knew).
    pub async fn relogin(&self) -> Result<(), FetchError> {
        let mut guard = self.session.lock().await;
        *guard = None;
        let s = self.create_session().await?;
        *guard = Some(s);
        Ok(())
    }

    /// Replaces the session whose token expired; callers that waited on the lock reuse the new one.
    async fn refresh(&self, expired: u64) -> Result<Session, FetchError> {
        let mut guard = self.session.lock().await;
        if let Some(s) = guard.as_ref()
            && s.generation != expired
        {
            return Ok(s.clone());
        }
        let refreshed = match guard.as_ref() {
            Some(old) => {
                let req = self
                    .client
                    .post(endpoint(&self.pds, "com.atproto.server.refreshSession"))
                    .bearer_auth(old.refresh.expose());
                self.exec::<SessionDto>(req).await
            }
            None => Err(FetchError::Auth {
                status: 401,
                detail: "no session".into(),
            }),
        };
        let s = match refreshed {
            Ok(s) => self.adopt(s),
            Err(e) if e.is_retryable() => return Err(e),
            Err(e) => {
                tracing::info!(error = %e, "bluesky: refreshSession refused, creating a new session");
                *guard = None;
                self.create_session().await?
            }
        };
        *guard = Some(s.clone());
        Ok(s)
    }

    async fn authed<T: DeserializeOwned>(
        &self,
        build: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Result<T, FetchError> {
        let s = self.current().await?;
        match self.exec(build(s.access.expose())).await {
            Err(e) if is_expired(&e) => {
                let s = self.refresh(s.generation).await?;
                self.exec(build(s.access.expose())).await
            }
            other => other,
        }
    }

    /// An authenticated GET to the PDS (which proxies `app.bsky.*` to the AppView).
    pub async fn authed_get<T: DeserializeOwned>(
        &self,
        nsid: &str,
        query: &[(&str, String)],
    ) -> Result<T, FetchError> {
        let url = endpoint(&self.pds, nsid);
        self.authed(|token| self.client.get(&url).query(query).bearer_auth(token))
            .await
    }

    pub async fn authed_post<T: DeserializeOwned>(
        &self,
        nsid: &str,
        body: &Value,
    ) -> Result<T, FetchError> {
        let url = endpoint(&self.pds, nsid);
        self.authed(|token| self.client.post(&url).json(body).bearer_auth(token))
            .await
    }

    /// `com.atproto.server.describeServer`: is the PDS there at all (no auth).
    pub async fn describe_server(&self) -> Result<Value, FetchError> {
        self.exec(
            self.client
                .get(endpoint(&self.pds, "com.atproto.server.describeServer")),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_token_is_recognised() {
        assert!(is_expired(&FetchError::Client {
            status: 400,
            detail: "ExpiredToken: Token has expired".into()
        }));
        assert!(is_expired(&FetchError::Auth {
            status: 401,
            detail: String::new()
        }));
        assert!(!is_expired(&FetchError::Auth {
            status: 403,
            detail: String::new()
        }));
        assert!(!is_expired(&FetchError::Client {
            status: 400,
            detail: "InvalidRequest".into()
        }));
    }

    #[test]
    fn debug_never_shows_the_password() {
        let x = Xrpc::new(
            reqwest::Client::new(),
            Url::parse("https://pds.example").unwrap(),
            Url::parse("https://appview.example").unwrap(),
            "shop.example".into(),
            Secret::new("app-pass-1234"),
        );
        assert!(!format!("{x:?}").contains("app-pass-1234"));
    }
}
