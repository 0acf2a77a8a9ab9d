//! `regulars doctor` for a PostgreSQL store: the connection, the server's version, the schema, and the rights
//! the role needs (CREATE on the schema while migrations are to run; reading and writing every table), each a
//! line with its fix. The team's own checks (notifications) are [`team::checks`].

mod team;

use crate::sources::Check;
use crate::sources::secret::Secret;

use super::schema::PG_SCHEMA_VERSION;
use super::{Connection, server_version, too_old};

/// Every check, run on a thread of its own (the sync client must not run on the runtime's threads).
pub async fn run(url: Secret) -> Vec<Check> {
    let (done, answer) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("regulars-doctor".into())
        .spawn(move || {
            let _ = done.send(checks(url.expose()));
        });
    match spawned {
        Ok(_) => answer.await.unwrap_or_default(),
        Err(e) => vec![fail("store", format!("cannot start a thread: {e}"), "")],
    }
}

fn checks(url: &str) -> Vec<Check> {
    let (mut client, _, tls, server) = match Connection::open(url) {
        Ok(opened) => opened,
        Err(e) => {
            return vec![fail(
                "store connection",
                e.to_string(),
                "check the connection string in [store] (url_env/url_file) and that the server is up",
            )];
        }
    };
    let how = if tls { "TLS" } else { "on this machine" };
    let mut out = vec![ok(
        "store connection",
        format!("PostgreSQL {server} ({how})"),
    )];
    let version = match server_version(&mut client) {
        Ok(v) => v,
        Err(e) => return [out, vec![fail("store server", e.to_string(), "")]].concat(),
    };
    out.push(match too_old(&version) {
        Some(why) => fail("store server", why, "upgrade PostgreSQL to 13 or newer"),
        None => ok("store server", format!("PostgreSQL {}", version.1)),
    });
    out.extend(
        rights(&mut client).unwrap_or_else(|e| vec![fail("store rights", e.to_string(), "")]),
    );
    out.extend(team::checks(&mut client));
    out
}

/// The schema's version and the role's rights on it.
fn rights(client: &mut postgres::Client) -> Result<Vec<Check>, postgres::Error> {
    let row = client.query_one(
        "SELECT current_user::text, current_schema()::text,
                has_schema_privilege(current_schema(), 'CREATE'),
                to_regclass('regulars_schema') IS NOT NULL",
        &[],
    )?;
    let (role, schema, create, migrated): (String, String, bool, bool) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    let version: i64 = if migrated {
        client
            .query_opt("SELECT version FROM regulars_schema", &[])?
            .map_or(0, |r| r.get(0))
    } else {
        0
    };
    let mut out = Vec::new();
    out.push(if version >= PG_SCHEMA_VERSION {
        ok("store schema", format!("version {version}, up to date"))
    } else if create {
        ok(
            "store schema",
            format!("version {version}: migrated to {PG_SCHEMA_VERSION} at the next start"),
        )
    } else {
        fail(
            "store schema",
            format!(
                "version {version} of {PG_SCHEMA_VERSION}, and role {role} may not create tables in schema {schema}"
            ),
            &format!(
                "as the database owner: GRANT CREATE ON SCHEMA {schema} TO {role}; (or run regulars once as the owner)"
            ),
        )
    });
    let refused: Vec<String> = client
        .query(
            "SELECT tablename::text FROM pg_tables
             WHERE schemaname = current_schema()
               AND NOT has_table_privilege(
                   format('%I.%I', schemaname, tablename), 'SELECT, INSERT, UPDATE, DELETE')
             ORDER BY tablename",
            &[],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    out.push(if refused.is_empty() {
        ok(
            "store rights",
            format!("role {role} reads and writes every table"),
        )
    } else {
        fail(
            "store rights",
            format!(
                "role {role} may not read and write {}",
                refused.join(", ")
            ),
            &format!(
                "as the database owner: GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role};"
            ),
        )
    });
    Ok(out)
}

fn ok(what: &str, detail: String) -> Check {
    Check {
        what: what.into(),
        ok: true,
        detail,
        fix: String::new(),
    }
}

fn fail(what: &str, detail: String, fix: &str) -> Check {
    Check {
        what: what.into(),
        ok: false,
        detail,
        fix: fix.into(),
    }
}
