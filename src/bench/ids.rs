//! Identifiers in each network's shape, and what a reply to a post needs, as the sources store them.

use chrono::{DateTime, Utc};

use crate::domain::{IncomingPost, Network};

/// Ids in each network's shape, unique by construction: Mastodon's are time-ordered snowflakes (milliseconds,
/// then a 16-bit sequence), Bluesky's AT URIs end in a TID (microseconds, then a 10-bit clock id). Post `i`'s
/// sequence is `i` itself, and two posts sharing a time are consecutive, so no two ids clash.
pub(super) fn native_id(network: Network, handle: &str, i: usize, at: DateTime<Utc>) -> String {
    match network {
        Network::Bluesky => {
            let tid = (at.timestamp_micros() as u64) << 10 | (i as u64 & 0x3ff);
            format!("at://{}/app.bsky.feed.post/{}", did(handle), base32(tid))
        }
        _ => ((at.timestamp_millis() as u64) << 16 | (i as u64 & 0xffff)).to_string(),
    }
}

/// What a reply to the post needs, as each network's source stores it.
pub(super) fn reply_ref(post: &IncomingPost) -> serde_json::Value {
    match post.network {
        Network::Bluesky => {
            let cid = format!(
                "bafyrei{}",
                base32(post.created_at.timestamp_micros() as u64)
            );
            serde_json::json!({"uri": post.native_id, "cid": cid,
                "root": {"uri": post.native_id, "cid": cid}})
        }
        _ => serde_json::json!({"visibility": "public", "acct": post.author.handle}),
    }
}

/// A stable made-up DID for a handle.
fn did(handle: &str) -> String {
    let hash = handle.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    format!("did:plc:{}", base32(hash))
}

/// Base32-sortable, as atproto writes TIDs.
fn base32(mut n: u64) -> String {
    const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";
    let mut out = [b'2'; 13];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(n & 31) as usize];
        n >>= 5;
    }
    String::from_utf8_lossy(&out).into_owned()
}
