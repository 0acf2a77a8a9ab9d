//! [`PostRepo`] on PostgreSQL: batches stored as SQLite stores them (`crate::store::posts`), each post one
//! `INSERT .. ON CONFLICT DO NOTHING`, so two consoles storing the same post at once store it once.

use chrono::Utc;
use postgres::GenericClient;
use postgres::types::ToSql;

use super::PgDb;
use super::codec::{POST_COLS, posts_from_rows};
use super::cursors;
use super::search::numbered;
use crate::domain::{NewPost, Post, PostId, first_response_by_shop};
use crate::sources::Cursor;
use crate::store::Result;
use crate::store::codec::{ms, unencodable};
use crate::store::posts::{
    COMPLETE, CUSTOMER_RANK, CustomerValues, RANK_INPUTS, rank_from_row, stored_post,
};
use crate::store::repository::PostRepo;
use crate::triage::attention_rank;

const INSERT: &str = "INSERT INTO posts (network, native_id, url, author_handle, author_name, text, created_at,
         ingested_at, in_reply_to, reply_ref, customer_id, is_mention, category, score, reasons, by_shop, context,
         quotes, attention_rank, rating, read_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
     ON CONFLICT (network, native_id) DO NOTHING RETURNING id";

/// Which of [`INSERT`]'s parameters [`COMPLETE`] takes, in its order.
const COMPLETE_PARAMS: [usize; 18] = [
    2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20, 0, 1,
];

impl PostRepo for PgDb {
    fn insert_batches(
        &mut self,
        batches: &[(&str, &[NewPost], &[Cursor])],
    ) -> Result<Vec<Vec<Post>>> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let now = Utc::now();
        let mut values = CustomerValues::default();
        let mut out = Vec::with_capacity(batches.len());
        for (source, posts, cursors) in batches {
            let mut stored = insert_posts(&mut tx, posts, &mut values)?;
            answer_from_shop(&mut tx, &mut stored)?;
            cursors::upsert(&mut tx, source, cursors, now)?;
            out.push(stored);
        }
        tx.commit()?;
        Ok(out)
    }

    fn post_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn()?
            .query_one("SELECT count(*) FROM posts", &[])?
            .try_get(0)?;
        Ok(n.unsigned_abs())
    }
}

/// Inserts the posts not stored yet (a context post found again in full is completed); returns those, with ids,
/// in input order.
fn insert_posts(
    tx: &mut postgres::Transaction<'_>,
    posts: &[NewPost],
    values: &mut CustomerValues,
) -> Result<Vec<Post>> {
    let insert = tx.prepare(INSERT)?;
    let complete = tx.prepare(&format!("{} RETURNING id", numbered(COMPLETE)))?;
    let rank_of = tx.prepare(&numbered(CUSTOMER_RANK))?;
    let mut stored = Vec::with_capacity(posts.len());
    for p in posts {
        let i = &p.incoming;
        let value = values.get(p.customer, |id| {
            let row = tx.query_opt(&rank_of, &[&id.0])?;
            Ok(row
                .map(|r| r.try_get::<_, Option<i64>>(0))
                .transpose()?
                .flatten())
        })?;
        let rank = attention_rank(&p.triage, value, p.is_mention, true);
        let read_at = (!p.wants_reading()).then_some(p.ingested_at);
        let reply_ref = i.reply_ref.as_ref().map(json).transpose()?;
        let reasons = json(&p.triage.reasons)?;
        let quotes = i.quotes.as_ref().map(|q| q.native_id.as_str());
        let params: [&(dyn ToSql + Sync); 21] = [
            &i.network.as_str(),
            &i.native_id,
            &i.url,
            &i.author.handle,
            &i.author.display_name,
            &i.text,
            &ms(i.created_at),
            &ms(p.ingested_at),
            &i.in_reply_to,
            &reply_ref,
            &p.customer.map(|c| c.0),
            &p.is_mention,
            &p.triage.category.as_str(),
            &f64::from(p.triage.score),
            &reasons,
            &p.by_shop,
            &i.context,
            &quotes,
            &rank,
            &i.rating.map(i64::from),
            &read_at.map(ms),
        ];
        let id = match tx.query_opt(&insert, &params)? {
            Some(row) => Some(row.try_get::<_, i64>(0)?),
            None if !i.context => {
                let params = COMPLETE_PARAMS.map(|k| params[k]);
                tx.query_opt(&complete, &params)?
                    .map(|row| row.try_get::<_, i64>(0))
                    .transpose()?
            }
            None => None,
        };
        if let Some(id) = id {
            stored.push(stored_post(p, PostId(id), read_at));
        }
    }
    Ok(stored)
}

/// JSON text for a stored value.
fn json(v: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(v).map_err(|e| unencodable(e.to_string()))
}

/// Whether the shop has replied to a post (network, native id), as SQLite's `SHOP_ANSWERED`.
const SHOP_ANSWERED: &str =
    "SELECT EXISTS (SELECT 1 FROM posts WHERE network = $1 AND in_reply_to = $2 AND by_shop)";

/// Inside the batch's transaction: the shop's replies just stored answer the posts they reply to, and posts just
/// stored get the shop's replies that arrived before them, as SQLite's `answer_from_shop`.
fn answer_from_shop(tx: &mut postgres::Transaction<'_>, stored: &mut [Post]) -> Result<()> {
    for i in 0..stored.len() {
        let post = &stored[i];
        let network = post.network.as_str();
        let pairs: Vec<(Post, Post)> = if post.by_shop {
            let Some(parent) = &post.in_reply_to else {
                continue;
            };
            let rows = tx.query(
                &format!("SELECT {POST_COLS} FROM posts WHERE network = $1 AND native_id = $2"),
                &[&network, parent],
            )?;
            posts_from_rows(&rows)?
                .into_iter()
                .map(|answered| (answered, post.clone()))
                .collect()
        } else if post.first_response_at.is_some()
            || !tx
                .query_one(SHOP_ANSWERED, &[&network, &post.native_id])?
                .try_get::<_, bool>(0)?
        {
            continue;
        } else {
            let rows = tx.query(
                &format!(
                    "SELECT {POST_COLS} FROM posts WHERE network = $1 AND in_reply_to = $2 AND by_shop
                     ORDER BY created_at, id LIMIT 1"
                ),
                &[&network, &post.native_id],
            )?;
            posts_from_rows(&rows)?
                .into_iter()
                .map(|answer| (post.clone(), answer))
                .collect()
        };
        for (answered, answer) in pairs {
            if let Some(at) = first_response_by_shop(&answered, &answer) {
                tx.execute(
                    "UPDATE posts SET first_response_at = COALESCE(first_response_at, $2) WHERE id = $1",
                    &[&answered.id.0, &ms(at)],
                )?;
                refresh_attention_rank(tx, answered.id)?;
                if let Some(p) = stored.iter_mut().find(|p| p.id == answered.id) {
                    p.first_response_at = Some(at);
                }
            }
        }
    }
    Ok(())
}

/// Recomputes a post's stored Attention rank from what it is now (answered or not, its customer's rank), as
/// SQLite's `refresh_attention_rank`.
pub(in crate::store) fn refresh_attention_rank(
    conn: &mut impl GenericClient,
    id: PostId,
) -> Result<()> {
    let Some(row) = conn.query_opt(&numbered(RANK_INPUTS), &[&id.0])? else {
        return Ok(());
    };
    let rank = rank_from_row(&row)?;
    conn.execute(
        "UPDATE posts SET attention_rank = $2 WHERE id = $1",
        &[&id.0, &rank],
    )?;
    Ok(())
}
