//! Secrets stay secret: every kind of source configured with known tokens and passwords (Mastodon, Bluesky's app
//! password, X's bearer, Facebook and Instagram's Graph tokens, Tumblr's API key, LinkedIn, Google's token,
//! refresh token and client secret, an RSS feed behind basic auth, the customers database URL's password) is run
//! by the real binary (`sync --once`, `doctor`) against a fake server that fails every way we know (401, 403, 429,
//! 500, malformed and HTML bodies, a refused connection) and, worst of all, echoes the credentials it was sent
//! back in its answers, as some APIs do. No secret may appear on stdout, stderr, in the debug-level log file or
//! in the database.

mod common;

use std::path::Path;
use std::time::Duration;

use common::bin::regulars;
use common::files::write_private;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Every secret configured, by where it goes.
const SECRETS: [(&str, &str); 11] = [
    ("REGULARS_TEST_MASTODON", "mastodon-tok-7Qx1"),
    ("REGULARS_TEST_BLUESKY", "bsky-app-pw-K9z2"),
    ("x-token", "x-bearer-Zr31"),
    ("REGULARS_TEST_FACEBOOK", "EAAfb-page-tok-Pp4"),
    ("instagram-token", "EAAig-tok-Mm5"),
    ("REGULARS_TEST_TUMBLR", "tumblr-key-Tt6"),
    ("linkedin-token", "li-access-Ll7"),
    ("REGULARS_TEST_GOOGLE", "ya29.google-Gg8"),
    ("REGULARS_TEST_GOOGLE_REFRESH", "1//refresh-Rr9"),
    ("google-client-secret", "GOCSPX-client-Cc0"),
    ("REGULARS_TEST_SHOP_DB", "shop-db-pw-Dd1"),
];
/// The RSS feed's basic-auth password, written in its URL.
const RSS_PASSWORD: &str = "rss-basic-pw-Bb2";

fn all_secrets() -> Vec<&'static str> {
    let mut out: Vec<_> = SECRETS.iter().map(|(_, v)| *v).collect();
    out.push(RSS_PASSWORD);
    out
}

/// How the fake server fails.
#[derive(Debug, Clone, Copy)]
enum Mode {
    Status(u16),
    RateLimited,
    Malformed,
    Html,
    Refused,
}

const MODES: [Mode; 7] = [
    Mode::Status(401),
    Mode::Status(403),
    Mode::RateLimited,
    Mode::Status(500),
    Mode::Malformed,
    Mode::Html,
    Mode::Refused,
];

/// Answers every request as `mode` says, echoing what it was sent (headers, URL, body) back in the answer.
struct Echo(Mode);

impl Respond for Echo {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let headers: Vec<String> = req
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or_default()))
            .collect();
        let echo = format!(
            "invalid credentials {} for {} with {}",
            headers.join("; "),
            req.url,
            String::from_utf8_lossy(&req.body)
        );
        let json = serde_json::json!({"error": echo, "message": echo, "error_description": echo,
            "errors": [{"message": echo, "detail": echo}]});
        match self.0 {
            Mode::Status(code) => ResponseTemplate::new(code).set_body_json(json),
            Mode::RateLimited => ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(json),
            Mode::Malformed => ResponseTemplate::new(200)
                .insert_header("content-type", "application/json")
                .set_body_string(format!("{{\"data\": [{{\"id\": \"{echo}")),
            Mode::Html => ResponseTemplate::new(200)
                .insert_header("content-type", "text/html")
                .set_body_string(format!("<html><body><h1>{echo}</h1></body></html>")),
            Mode::Refused => ResponseTemplate::new(500),
        }
    }
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The config with every source pointed at `base` (`http://127.0.0.1:PORT`), secrets in the environment and in
/// 0600 files, the customers read from PostgreSQL at a closed port.
fn write_config(dir: &Path, base: &str) -> std::path::PathBuf {
    let secret_file = |name: &str| {
        let value = SECRETS.iter().find(|(n, _)| *n == name).unwrap().1;
        let path = dir.join(name);
        write_private(&path, &format!("{value}\n"));
        path.display().to_string()
    };
    let host = base.trim_start_matches("http://");
    let jsonl = dir.join("inbox.jsonl");
    std::fs::write(&jsonl, "").unwrap();
    let text = format!(
        r#"
[shop]
name = "Marlow & Finch"
keywords = ["Marlow & Finch"]

[shop.handles]
mastodon = "shop@example.social"
bluesky = "shop.bsky.social"
x = "@shop"
facebook = "Marlow & Finch"
instagram = "marlowfinch"
tumblr = "marlowfinch"
linkedin = "urn:li:organization:42"
google = "Marlow & Finch"

[customers]
kind = "postgres"
url_env = "REGULARS_TEST_SHOP_DB"
query = "SELECT id, name FROM customers"
timeout_seconds = 2

[notifications]
enabled = false

[sources.mastodon]
kind = "mastodon"
instance = "{base}"
token_env = "REGULARS_TEST_MASTODON"
poll_seconds = 1

[sources.bluesky]
kind = "bluesky"
handle = "shop.bsky.social"
password_env = "REGULARS_TEST_BLUESKY"
pds = "{base}"
appview = "{base}"
jetstream = "ws://{host}/subscribe"
poll_seconds = 10

[sources.x]
kind = "x"
api = "{base}"
token_file = '{x_token}'
poll_seconds = 1

[sources.facebook]
kind = "facebook"
page_id = "104"
token_env = "REGULARS_TEST_FACEBOOK"
graph_url = "{base}"
poll_seconds = 1

[sources.instagram]
kind = "instagram"
ig_user_id = "178"
token_file = '{ig_token}'
graph_url = "{base}"
poll_seconds = 1

[sources.tumblr]
kind = "tumblr"
blog = "marlowfinch"
api_key_env = "REGULARS_TEST_TUMBLR"
api = "{base}"
poll_seconds = 60

[sources.linkedin]
kind = "linkedin"
organization = "42"
token_file = '{li_token}'
api = "{base}"
poll_seconds = 60

[sources.google]
kind = "google"
token_env = "REGULARS_TEST_GOOGLE"
client_id = "shop-client.apps.googleusercontent.com"
client_secret_file = '{google_secret}'
refresh_token_env = "REGULARS_TEST_GOOGLE_REFRESH"
reviews_url = "{base}"
accounts_url = "{base}"
locations_url = "{base}"
token_url = "{base}/token"
poll_seconds = 1

[sources.reviews]
kind = "rss"
url = "http://shop:{RSS_PASSWORD}@{host}/feed.xml"
poll_seconds = 60

[sources.relay]
kind = "jsonl"
path = '{jsonl}'
"#,
        x_token = secret_file("x-token"),
        ig_token = secret_file("instagram-token"),
        li_token = secret_file("linkedin-token"),
        google_secret = secret_file("google-client-secret"),
        jsonl = jsonl.display(),
    );
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs the binary with every secret in its environment and debug logging; returns stdout and stderr.
fn run(home: &Path, config: &Path, args: &[&str]) -> (String, String) {
    let mut cmd = regulars(home);
    cmd.arg("--config").arg(config).args(args);
    cmd.env("REGULARS_LOG", "debug,regulars=trace");
    let db_url = format!(
        "postgres://shop:{}@127.0.0.1:{}/shop",
        SECRETS[10].1,
        closed_port()
    );
    for (name, value) in SECRETS {
        if name.starts_with("REGULARS_TEST_") {
            cmd.env(name, value);
        }
    }
    cmd.env("REGULARS_TEST_SHOP_DB", db_url);
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_with_timeout(child, Duration::from_secs(8));
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Waits for the run; one still going after `limit` (a source backing off) is asked to stop with SIGTERM, as
/// staff's session would, so its log is flushed.
fn wait_with_timeout(mut child: std::process::Child, limit: Duration) -> std::process::Output {
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// Every file under `dir` (logs, the database and its journal), read as bytes.
fn files_under(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path, bytes));
        }
    }
    out
}

fn leaks(what: &str, text: &str) -> Vec<String> {
    all_secrets()
        .into_iter()
        .filter(|s| text.contains(s))
        .map(|s| format!("{what} holds {s}: {}", excerpt(text, s)))
        .collect()
}

fn excerpt(text: &str, secret: &str) -> String {
    let at = text.find(secret).unwrap_or(0);
    let chars: Vec<char> = text.chars().collect();
    let at = text[..at].chars().count();
    let (start, end) = (at.saturating_sub(120), (at + 80).min(chars.len()));
    chars[start..end].iter().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_any_output_whatever_the_servers_answer() {
    let mut found = Vec::new();
    for mode in MODES {
        let mut said = String::new();
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(Echo(mode))
            .mount(&server)
            .await;
        let base = match mode {
            Mode::Refused => format!("http://127.0.0.1:{}", closed_port()),
            _ => server.uri(),
        };
        let home = tempfile::tempdir().unwrap();
        let config = write_config(home.path(), &base);
        for args in [&["sync", "--once"][..], &["doctor"]] {
            let home_path = home.path().to_path_buf();
            let config = config.clone();
            let (stdout, stderr) =
                tokio::task::spawn_blocking(move || run(&home_path, &config, args))
                    .await
                    .unwrap();
            let what = format!("{mode:?} {}", args.join(" "));
            said.push_str(&format!("{what}:\n{stdout}\n{stderr}\n"));
            found.extend(leaks(&format!("{what}: stdout"), &stdout));
            found.extend(leaks(&format!("{what}: stderr"), &stderr));
            assert!(
                !stdout.is_empty() || !stderr.is_empty(),
                "{what}: the run says something"
            );
        }
        let requests = server.received_requests().await.unwrap_or_default();
        if !matches!(mode, Mode::Refused) {
            assert!(
                requests.len() >= 8,
                "{mode:?}: the sources reached the fake ({} requests); the runs said:\n{said}",
                requests.len()
            );
        }
        let state = home.path().join("state");
        let logs = files_under(&state);
        assert!(
            logs.iter()
                .any(|(p, b)| p.ends_with("regulars.log") && !b.is_empty()),
            "{mode:?}: a debug log was written"
        );
        for (path, bytes) in logs
            .into_iter()
            .chain(files_under(&home.path().join("data")))
        {
            let text = String::from_utf8_lossy(&bytes);
            found.extend(leaks(&format!("{mode:?}: {}", path.display()), &text));
        }
    }
    assert!(found.is_empty(), "secrets leaked:\n{}", found.join("\n"));
}
