//! What the work operations do to a post besides their own rows: its Attention rank recomputed (as SQLite's
//! `refresh_attention_rank`), and the post read back as now stored.

use postgres::GenericClient;

use super::codec::{Cells, POST_COLS, post_from_row};
use crate::domain::{PostId, Triage, value_of_rank};
use crate::store::Result;
use crate::triage::attention_rank;

/// Recomputes a post's Attention rank from its triage, its customer's rank and whether it was answered.
pub(super) fn refresh_attention_rank(conn: &mut impl GenericClient, id: PostId) -> Result<()> {
    let Some(row) = conn.query_opt(
        "SELECT p.id, p.category, p.score, p.reasons, CASE WHEN c.former THEN NULL ELSE c.rank END,
                p.is_mention, p.first_response_at
         FROM posts p LEFT JOIN customers c ON c.id = p.customer_id WHERE p.id = $1",
        &[&id.0],
    )?
    else {
        return Ok(());
    };
    let c = Cells::new(&row, "posts", 0);
    let score: f64 = c.get(2)?;
    let triage = Triage {
        category: c.category(1)?,
        score: score as f32,
        reasons: c.json(3)?.unwrap_or_default(),
    };
    let value = c
        .get::<Option<i64>>(4)?
        .map(|r| value_of_rank(u32::try_from(r).unwrap_or(u32::MAX)));
    let answered = c.get::<Option<i64>>(6)?.is_some();
    let rank = attention_rank(&triage, value, c.get(5)?, !answered);
    conn.execute(
        "UPDATE posts SET attention_rank = $2 WHERE id = $1",
        &[&id.0, &rank],
    )?;
    Ok(())
}

/// The post as now stored; `None`: no such post.
pub(super) fn post_in(
    conn: &mut impl GenericClient,
    id: PostId,
) -> Result<Option<crate::domain::Post>> {
    conn.query_opt(
        &format!("SELECT {POST_COLS} FROM posts WHERE id = $1"),
        &[&id.0],
    )?
    .map(|row| post_from_row(&row))
    .transpose()
}
