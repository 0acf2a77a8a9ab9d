//! Credentials: read from an environment variable the config names, or from a file only its owner can read.
//! A `Secret` never prints its value (Debug and Display show `***`), so it cannot leak into logs or panics. And
//! every secret loaded is remembered, so text from outside that echoes one back (an API's error quoting the
//! token it was sent, as Facebook's does) is cleaned by [`redact`] before it is shown, logged or stored.

use std::path::Path;
use std::sync::RwLock;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        let value = value.into();
        remember(&value);
        Secret(value)
    }

    /// The value, for the one place that puts it in a request header or body.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// The secrets loaded so far, as written and as they travel in a URL or a form (percent-encoded).
static KNOWN: RwLock<Vec<String>> = RwLock::new(Vec::new());
/// Fewer characters than this is no credential worth hiding, and would blot out ordinary words.
const SHORTEST: usize = 6;
/// Minted tokens (Google's, hourly) are remembered too: the oldest are forgotten past this many (they expired).
const MOST: usize = 64;

/// Remembers `value` for [`redact`]; the RSS source calls it for a password written in a feed's URL.
pub fn remember(value: &str) {
    if value.chars().count() < SHORTEST {
        return;
    }
    let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    let Ok(mut known) = KNOWN.write() else {
        return;
    };
    for form in [value.to_string(), encoded] {
        if !known.contains(&form) {
            known.push(form);
        }
    }
    let over = known.len().saturating_sub(MOST);
    known.drain(..over);
}

/// `text` with every secret loaded in this process replaced by `***`: for text from outside (an API's error,
/// a log line) before it is shown, logged or stored.
pub fn redact(text: &str) -> String {
    let Ok(known) = KNOWN.read() else {
        return text.to_string();
    };
    let mut out = text.to_string();
    // Longest first, so a secret containing another is hidden whole.
    let mut by_length: Vec<&String> = known.iter().filter(|k| out.contains(k.as_str())).collect();
    by_length.sort_by_key(|k| std::cmp::Reverse(k.len()));
    for secret in by_length {
        out = out.replace(secret.as_str(), "***");
    }
    out
}

/// Where a secret comes from, as configured: `token_env = "NAME"` or `token_file = "path"`.
/// `what` names the setting in errors ("sources.mastodon-main.token").
pub fn load(what: &str, env: Option<&str>, file: Option<&Path>) -> Result<Secret, String> {
    match (env, file) {
        (Some(var), _) => match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Ok(Secret::new(v.trim())),
            _ => Err(format!(
                "{what}: environment variable {var} is not set; export it, or use a file with mode 0600"
            )),
        },
        (None, Some(path)) => read_private_file(what, path),
        (None, None) => Err(format!(
            "{what}: no credential configured; set `token_env` (an environment variable name) or `token_file`"
        )),
    }
}

fn read_private_file(what: &str, path: &Path) -> Result<Secret, String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("{what}: cannot read {}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "{what}: {} is readable by others (mode {mode:o}); run `chmod 600 {}`",
                path.display(),
                path.display()
            ));
        }
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{what}: cannot read {}: {e}", path.display()))?;
    let value = text.trim();
    if value.is_empty() {
        return Err(format!("{what}: {} is empty", path.display()));
    }
    Ok(Secret::new(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_printed() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s} {s:?}"), "*** Secret(***)");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn a_secret_echoed_back_is_hidden_as_written_and_encoded() {
        let s = Secret::new("tok/en+1 secret");
        let echoed = format!(
            "invalid token {} in ?access_token=tok%2Fen%2B1+secret",
            s.expose()
        );
        assert_eq!(redact(&echoed), "invalid token *** in ?access_token=***");
        // Too short to be a credential: left alone.
        remember("abc");
        assert_eq!(redact("abc def"), "abc def");
    }

    #[test]
    fn file_must_be_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "tok\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = load("sources.m.token", None, Some(&path)).unwrap_err();
        assert!(err.contains("chmod 600"), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(load("x", None, Some(&path)).unwrap().expose(), "tok");
    }

    #[test]
    fn missing_env_names_the_variable() {
        let err = load("sources.b.password", Some("REGULARS_TEST_UNSET_VAR"), None).unwrap_err();
        assert!(err.contains("REGULARS_TEST_UNSET_VAR"), "{err}");
        assert!(load("x", None, None).is_err());
    }
}
