//! A real, throwaway PostgreSQL server for tests: `initdb` into a temp dir, `pg_ctl start` on 127.0.0.1 and a
//! free port, a login role with a password, and databases made on demand, seeded through the `postgres` client.
//!
//! `Cluster::shared()` starts one cluster per test binary (it prints how long its start took);
//! `Cluster::start()` gives a test its own. A cluster stops when its handle is dropped, a failing test included,
//! and, since a `static` is never dropped, also when the test process ends however it ends: a watchdog shell
//! waits for its stdin pipe from this process to close, then stops the server and removes the temp dir.
//!
//! initdb refuses to run as root, and CI runs as root: there the temp dir is handed to the `postgres` system
//! user (the Debian package makes it) and every server command runs through `runuser -u postgres --`.

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

use postgres::types::FromSql;
use postgres::{Client, NoTls};

/// The role tests connect as (it owns every database `create_database` makes).
pub const USER: &str = "regulars";
pub const PASSWORD: &str = "test-password-7f3a";
const SUPERUSER_PASSWORD: &str = "test-superuser-c41d";

pub struct Cluster {
    port: u16,
    dir: PathBuf,
    as_root: bool,
    /// Closing its stdin stops the server and removes `dir`.
    watchdog: Child,
}

impl Cluster {
    /// One cluster for the whole test binary, started by the first test that asks; `None` (said loudly) when
    /// no PostgreSQL server is installed.
    pub fn shared() -> Option<&'static Cluster> {
        static SHARED: OnceLock<Option<Cluster>> = OnceLock::new();
        let cluster = SHARED.get_or_init(Cluster::start).as_ref();
        if cluster.is_none() {
            say("*** this test is SKIPPED: no PostgreSQL server installed ***");
        }
        cluster
    }

    /// Starts a cluster of its own; `None` (said loudly) when no PostgreSQL server is installed. Any other
    /// failure panics with the command's output or the server's log.
    pub fn start() -> Option<Cluster> {
        let Some(bin) = server_bin() else {
            say(
                "*** SKIPPED: no PostgreSQL server here (initdb and pg_ctl under /usr/lib/postgresql/*/bin or on \
                 PATH); install the Debian package `postgresql` (.ci/run does) to run the PostgreSQL tests ***",
            );
            return None;
        };
        let began = Instant::now();
        let as_root = std::fs::metadata("/proc/self")
            .map(|m| m.uid() == 0)
            .unwrap_or(false);
        // As root /tmp, not $TMPDIR: the `postgres` user must be able to reach the directory.
        let parent = if as_root {
            PathBuf::from("/tmp")
        } else {
            std::env::temp_dir()
        };
        let dir = tempfile::Builder::new()
            .prefix("regulars-pg-")
            .tempdir_in(parent)
            .expect("a temp dir for the PostgreSQL cluster")
            .keep();
        let server = Server {
            bin,
            as_root,
            data: dir.join("data"),
        };
        let mut cluster = Cluster {
            port: 0,
            as_root,
            watchdog: watchdog(&dir, &server),
            dir,
        };
        std::fs::write(cluster.dir.join("pwfile"), SUPERUSER_PASSWORD).unwrap();
        if as_root {
            run(Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(&cluster.dir));
        }
        run(server
            .command("initdb")
            .args([
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ])
            .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
            .arg(format!("--pwfile={}", cluster.dir.join("pwfile").display()))
            .arg("-D")
            .arg(&server.data));
        cluster.port = cluster.listen(&server);
        cluster.admin(&format!(
            "CREATE ROLE {USER} LOGIN CREATEDB PASSWORD '{PASSWORD}'"
        ));
        say(&format!(
            "PostgreSQL test cluster ({}) on 127.0.0.1:{} started in {:.2?}",
            server.bin.display(),
            cluster.port,
            began.elapsed()
        ));
        Some(cluster)
    }

    /// Starts the server on a free port; a port taken between finding and binding it is tried again.
    fn listen(&self, server: &Server) -> u16 {
        let log = self.dir.join("server.log");
        for _ in 0..3 {
            let port = free_port();
            let options = format!(
                "-c listen_addresses=127.0.0.1 -p {port} -k '{}' -c fsync=off -c synchronous_commit=off \
                 -c full_page_writes=off -c max_connections=200",
                self.dir.display()
            );
            let status = server
                .command("pg_ctl")
                .arg("-D")
                .arg(&server.data)
                .arg("-l")
                .arg(&log)
                .args(["-w", "-t", "60", "-s", "-o", &options, "start"])
                .status()
                .expect("pg_ctl runs");
            if status.success() {
                return port;
            }
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if !text.contains("could not bind") {
                panic!("pg_ctl start failed ({status}); server log:\n{text}");
            }
        }
        panic!("the PostgreSQL test cluster found no free port in 3 tries");
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The connection string a reader would be given, for the test role on `database`.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgresql://{USER}:{PASSWORD}@127.0.0.1:{}/{database}",
            self.port
        )
    }

    /// The directory holding the server's Unix socket (connect with `host=DIR port=PORT`; trusted, no password).
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    /// Makes an empty database owned by the test role (one per test keeps tests on a shared cluster apart);
    /// returns its `url`.
    pub fn create_database(&self, name: &str) -> String {
        self.admin(&format!("CREATE DATABASE \"{name}\" OWNER {USER}"));
        self.url(name)
    }

    /// Runs SQL (several statements allowed) as the test role: seeding, changing data behind a reader's back.
    pub fn execute(&self, database: &str, sql: &str) {
        let url = self.url(database);
        off_runtime(|| connect(&url).batch_execute(sql))
            .unwrap_or_else(|e| panic!("seeding {database} failed: {e:?}\n{sql}"));
    }

    /// The one value a query returns, as the test role: checking what a reader left behind.
    pub fn query_one<T>(&self, database: &str, sql: &str) -> T
    where
        T: for<'a> FromSql<'a> + Send,
    {
        let url = self.url(database);
        off_runtime(|| {
            connect(&url)
                .query_one(sql, &[])
                .map(|row| row.get::<_, T>(0))
        })
        .unwrap_or_else(|e| panic!("{sql} failed: {e:?}"))
    }

    /// Turns TLS on with a fresh self-signed certificate for 127.0.0.1, which no client trusts: for checking
    /// that a client asked for TLS negotiates it and verifies what it is shown.
    pub fn enable_tls(&self) {
        let (cert, key) = (self.dir.join("server.crt"), self.dir.join("server.key"));
        run(Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
            ])
            .args([
                "-addext",
                "basicConstraints=critical,CA:FALSE",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
            ])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert));
        // The server reads the key only when it is private to the server's user.
        run(Command::new("chmod").arg("600").arg(&key));
        if self.as_root {
            run(Command::new("chown").arg("postgres:").arg(&key).arg(&cert));
        }
        self.admin(&format!(
            "ALTER SYSTEM SET ssl_cert_file = '{}'",
            cert.display()
        ));
        self.admin(&format!(
            "ALTER SYSTEM SET ssl_key_file = '{}'",
            key.display()
        ));
        self.admin("ALTER SYSTEM SET ssl = on");
        self.admin("SELECT pg_reload_conf()");
        // The reload is asynchronous: wait until a new session sees it.
        let url = format!(
            "postgresql://postgres:{SUPERUSER_PASSWORD}@127.0.0.1:{}/postgres",
            self.port
        );
        for _ in 0..100 {
            let on = off_runtime(|| {
                connect(&url)
                    .query_one("SHOW ssl", &[])
                    .map(|row| row.get::<_, String>(0))
            });
            if on.is_ok_and(|v| v == "on") {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!(
            "TLS did not come on; server log:\n{}",
            std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
        );
    }

    pub fn admin(&self, sql: &str) {
        let url = format!(
            "postgresql://postgres:{SUPERUSER_PASSWORD}@127.0.0.1:{}/postgres",
            self.port
        );
        off_runtime(|| connect(&url).batch_execute(sql))
            .unwrap_or_else(|e| panic!("{sql} failed: {e:?}"));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        drop(self.watchdog.stdin.take());
        let _ = self.watchdog.wait();
    }
}

/// Where the server's programs are, and who runs them.
struct Server {
    bin: PathBuf,
    as_root: bool,
    data: PathBuf,
}

impl Server {
    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if self.as_root {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }
}

/// The newest `/usr/lib/postgresql/<version>/bin`, else the directory of `pg_ctl` on PATH.
fn server_bin() -> Option<PathBuf> {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| has_both(bin))
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    std::env::split_paths(&std::env::var_os("PATH")?).find(|dir| has_both(dir))
}

/// A shell that waits for this process to close its stdin (drop, or the process ending however it ends),
/// then stops the server and removes the temp dir. It ignores Ctrl-C so it outlives an interrupted run.
fn watchdog(dir: &Path, server: &Server) -> Child {
    let mut stop = server.command("pg_ctl");
    stop.arg("-D")
        .arg(&server.data)
        .args(["-m", "immediate", "-s", "stop"]);
    Command::new("sh")
        .args(["-c", r#"trap '' INT HUP; cat >/dev/null; dir=$1; shift; "$@" >/dev/null 2>&1; rm -rf "$dir""#])
        .arg("watchdog")
        .arg(dir)
        .arg(stop.get_program())
        .args(stop.get_args())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sh runs")
}

fn run(command: &mut Command) {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    if !out.status.success() {
        panic!(
            "{command:?} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn connect(url: &str) -> Client {
    Client::connect(url, NoTls)
        .unwrap_or_else(|e| panic!("cannot connect to the test cluster: {e:?}"))
}

/// The sync client starts a runtime of its own, which tokio forbids on a thread inside one (a `#[tokio::test]`):
/// it runs on a plain thread, and a panic there (an assertion) carries on in the test.
fn off_runtime<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        scope
            .spawn(work)
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Straight to stderr, past the test harness's capture: a skip or the start time shows in every run.
fn say(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}
