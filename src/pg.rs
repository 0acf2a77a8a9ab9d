//! PostgreSQL connections, for the customers reader and the store's PostgreSQL backend alike: the connection
//! string parsed without ever echoing it (it holds the password), TLS with the web's roots (certificate and host
//! name always checked) wherever the server is not on this machine, and errors that name the server as
//! `database@host:port` with what to do about them.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio_postgres::Config;
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::Type;
use tokio_postgres_rustls::MakeRustlsConnect;

/// How a connection travels.
pub enum Transport {
    /// TLS, the server's certificate and host name checked against the web's roots (as reqwest does).
    Tls(MakeRustlsConnect),
    /// Plain TCP or a Unix socket: only where nothing leaves this machine.
    Plain,
}

/// TLS where the connection string asks for it (`sslmode=require`); plain only to this machine; anything else
/// is refused before connecting.
pub fn transport(config: &Config, server: &Server) -> Result<Transport, String> {
    if config.get_ssl_mode() == SslMode::Require {
        return tls(server).map(Transport::Tls);
    }
    if !is_local(config) {
        return Err(format!(
            "PostgreSQL {server}: the server is not on this machine and the connection would not be \
             encrypted; add sslmode=require to the connection string (the server's certificate is then checked)"
        ));
    }
    Ok(Transport::Plain)
}

/// TLS with the web's roots; the certificate and host name are always checked.
pub fn tls(server: &Server) -> Result<MakeRustlsConnect, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("PostgreSQL {server}: cannot set up TLS: {e}"))?
        .with_root_certificates(rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        })
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(tls))
}

/// Parses the connection string (a `postgresql://` URL or `key=value` words) without ever echoing it.
pub fn parse(url: &str, timeout: Duration) -> Result<Config, String> {
    // regulars always verifies the server's certificate and name (see `connect`), so libpq's stronger modes,
    // which the driver does not know by name, mean the same as `require` here.
    let url = url
        .replace("sslmode=verify-full", "sslmode=require")
        .replace("sslmode=verify-ca", "sslmode=require");
    let mut config: Config = url.parse().map_err(|e: tokio_postgres::Error| {
        format!(
            "PostgreSQL: the connection string is not valid: {}; write it as \
             postgresql://USER:PASSWORD@HOST:PORT/DATABASE",
            chain(&e)
        )
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(timeout);
    }
    if config.get_application_name().is_none() {
        config.application_name("regulars");
    }
    Ok(config)
}

/// Every host is a Unix socket or a loopback address (`localhost`, 127.0.0.0/8, ::1).
pub fn is_local(config: &Config) -> bool {
    let loopback =
        |name: &str| name == "localhost" || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    let hosts_local = config.get_hosts().iter().all(|host| match host {
        Host::Tcp(name) => loopback(name),
        Host::Unix(_) => true,
    });
    hosts_local && config.get_hostaddrs().iter().all(IpAddr::is_loopback)
}

/// How errors name the server: `database@host:port` (never the user's password).
pub struct Server(String);

impl Server {
    pub fn of(config: &Config) -> Server {
        let host = match config.get_hosts().first() {
            Some(Host::Tcp(name)) => name.clone(),
            Some(Host::Unix(path)) => path.display().to_string(),
            None => config
                .get_hostaddrs()
                .first()
                .map_or("(no host)".into(), IpAddr::to_string),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let database = config.get_dbname().or(config.get_user()).unwrap_or("");
        Server(format!("{database}@{host}:{port}"))
    }

    /// The server's own words where it said something, with what to do about it.
    pub fn explain(&self, e: &tokio_postgres::Error, timeout: Duration) -> String {
        let Some(db) = e.as_db_error() else {
            let text = chain(e);
            let advice = if text.contains("invalid peer certificate") {
                " (the server's certificate must be issued by a public certificate authority for its host name)"
                    .into()
            } else if text.contains("timeout") {
                format!(" (timeout_seconds = {})", seconds(timeout))
            } else {
                String::new()
            };
            return format!("PostgreSQL {self}: {text}{advice}");
        };
        let code = db.code();
        let advice = if *code == SqlState::QUERY_CANCELED {
            format!(" (timeout_seconds = {})", seconds(timeout))
        } else if *code == SqlState::INVALID_PASSWORD
            || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        {
            " (check the user and password in the connection string)".into()
        } else if *code == SqlState::READ_ONLY_SQL_TRANSACTION {
            " (the customers query runs read-only: it may only read)".into()
        } else {
            db.hint()
                .map(|h| format!(" (hint: {h})"))
                .unwrap_or_default()
        };
        format!("PostgreSQL {self}: {}{advice}", db.message())
    }

    pub fn no_answer(&self, doing: &str, timeout: Duration) -> String {
        format!(
            "PostgreSQL {self}: no answer from the server while {doing} (timeout_seconds = {})",
            seconds(timeout)
        )
    }

    pub fn unreadable(&self, column: &str, ty: &Type) -> String {
        // money's text carries a currency symbol and the server's locale; its numeric value is exact.
        let cast = if *ty == Type::MONEY {
            "numeric"
        } else {
            "text"
        };
        format!(
            "PostgreSQL {self}: column `{column}` has type {ty}, which regulars does not read; \
             cast it in the query, e.g. `{column}::{cast}`"
        )
    }
}

impl std::fmt::Display for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An error and its causes, as one line (the driver's own message is only the outermost part).
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

pub fn seconds(timeout: Duration) -> String {
    if timeout.subsec_millis() == 0 {
        timeout.as_secs().to_string()
    } else {
        format!("{:.1}", timeout.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> Config {
        parse(url, Duration::from_secs(5)).unwrap()
    }

    #[test]
    fn only_loopback_and_sockets_are_local() {
        assert!(is_local(&config(
            "postgresql://shop:pw@127.0.0.1:5432/shopdb"
        )));
        assert!(is_local(&config("postgresql://shop:pw@localhost/shopdb")));
        assert!(is_local(&config("postgresql://shop:pw@[::1]:5433/shopdb")));
        assert!(is_local(&config(
            "host=/run/postgresql user=shop dbname=shopdb"
        )));
        assert!(!is_local(&config(
            "postgresql://shop:pw@db.example.com/shopdb"
        )));
        assert!(!is_local(&config("postgresql://shop:pw@10.0.0.7/shopdb")));
        assert!(!is_local(&config(
            "postgresql://shop:pw@localhost,db.example.com/shopdb"
        )));
    }

    #[test]
    fn libpq_verify_modes_mean_require() {
        for mode in ["require", "verify-ca", "verify-full"] {
            let url = format!("postgresql://shop:pw@db.example.com/shopdb?sslmode={mode}");
            assert_eq!(config(&url).get_ssl_mode(), SslMode::Require, "{mode}");
        }
        assert_eq!(
            config("postgresql://shop:pw@localhost/shopdb").get_ssl_mode(),
            SslMode::Prefer
        );
    }

    #[test]
    fn a_bad_connection_string_is_explained_without_echoing_it() {
        let err = parse(
            "postgresql://shop:hunter2secret@localhost:notaport/shopdb",
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(!err.contains("hunter2secret"), "{err}");
        assert!(
            err.starts_with("PostgreSQL: the connection string is not valid: "),
            "{err}"
        );
        assert!(
            err.contains("postgresql://USER:PASSWORD@HOST:PORT/DATABASE"),
            "{err}"
        );
    }

    #[test]
    fn the_server_is_named_by_database_host_and_port() {
        let name = |url: &str| Server::of(&config(url)).to_string();
        assert_eq!(
            name("postgresql://shop:pw@127.0.0.1:5433/shopdb"),
            "shopdb@127.0.0.1:5433"
        );
        assert_eq!(
            name("postgresql://shop:pw@localhost"),
            "shop@localhost:5432"
        );
    }

    #[test]
    fn the_connect_timeout_defaults_to_the_query_timeout() {
        let url = "postgresql://shop@localhost/shopdb";
        assert_eq!(
            config(url).get_connect_timeout(),
            Some(&Duration::from_secs(5))
        );
        let set = config("postgresql://shop@localhost/shopdb?connect_timeout=2");
        assert_eq!(set.get_connect_timeout(), Some(&Duration::from_secs(2)));
    }

    #[test]
    fn timeouts_are_shown_as_configured() {
        assert_eq!(seconds(Duration::from_secs(5)), "5");
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5");
    }
}
