//! The doctor's checks of what a team shares through the server beyond the tables: notifications between
//! consoles (LISTEN/NOTIFY). The channels the team's features use are checked here, beside the one that says
//! the server delivers notifications at all.

use super::{fail, ok};
use crate::sources::Check;

pub(super) fn checks(client: &mut postgres::Client) -> Vec<Check> {
    // A pooler in transaction mode (PgBouncer) accepts LISTEN but never delivers: a notification sent to
    // ourselves must come back.
    let delivered = client
        .batch_execute("LISTEN regulars_doctor; NOTIFY regulars_doctor, 'ping';")
        .and_then(|()| {
            let mut notes = client.notifications();
            let mut iter = notes.timeout_iter(std::time::Duration::from_secs(2));
            postgres::fallible_iterator::FallibleIterator::next(&mut iter)
        })
        .map(|note| note.is_some_and(|n| n.channel() == "regulars_doctor"));
    let _ = client.batch_execute("UNLISTEN regulars_doctor");
    vec![match delivered {
        Ok(true) => ok(
            "store notifications",
            "LISTEN/NOTIFY delivered: consoles hear each other".into(),
        ),
        Ok(false) => fail(
            "store notifications",
            "a notification was not delivered within 2 s".into(),
            "connect to the server directly, not through a pooler in transaction mode",
        ),
        Err(e) => fail(
            "store notifications",
            crate::pg::chain(&e),
            "connect to the server directly, not through a pooler in transaction mode",
        ),
    }]
}
