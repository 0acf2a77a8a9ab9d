//! Reviews to posts: pure functions (the stars, the reviewer as author, a version's native id, the shop's own
//! reply as the shop's post).

use super::api::{Place, Review};
use crate::domain::{Author, IncomingPost, Network};

/// Stars out of five from the API's `starRating` enum; `None` for `STAR_RATING_UNSPECIFIED` or anything else.
pub fn stars(rating: Option<&str>) -> Option<u8> {
    match rating? {
        "ONE" => Some(1),
        "TWO" => Some(2),
        "THREE" => Some(3),
        "FOUR" => Some(4),
        "FIVE" => Some(5),
        _ => None,
    }
}

/// What a review with stars and no words reads as.
pub const NO_COMMENT: &str = "(stars only, no comment)";

/// A reviewer's name as handles are matched: trimmed, single spaces, lower case.
pub fn reviewer_handle(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// FNV-1a: a stable (across runs and Rust versions) fingerprint of a review's words and stars.
fn fingerprint(stars: Option<u8>, comment: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in [stars.unwrap_or(0)].iter().chain(comment.as_bytes()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

impl Review {
    /// The review's resource name (from `name`, or its parent and `reviewId`).
    pub fn resource(&self, parent: &str) -> Option<String> {
        self.name
            .clone()
            .filter(|n| n.contains("/reviews/"))
            .or_else(|| {
                self.review_id
                    .as_ref()
                    .filter(|id| !id.trim().is_empty())
                    .map(|id| format!("{parent}/reviews/{id}"))
            })
    }

    /// The native id of this version: the review's name and a fingerprint of its words and stars. An edited
    /// review (new words or stars) is a new post, triaged again; the same words seen again (the shop replied,
    /// Google touched `updateTime`) are the same post, which the store keeps once.
    pub fn native_id(&self, parent: &str) -> Option<String> {
        let name = self.resource(parent)?;
        let comment = self.comment.as_deref().unwrap_or("").trim();
        Some(format!(
            "{name}#{}",
            fingerprint(stars(self.star_rating.as_deref()), comment)
        ))
    }
}

/// Maps one review of `place` to a post: the reviewer as author (anonymous reviewers have no handle, so they
/// never match a customer), the comment as text, the stars kept, addressed to the shop (every review is).
pub fn review_to_post(review: &Review, place: &Place) -> Result<IncomingPost, String> {
    let name = review
        .resource(&place.parent)
        .ok_or("a review without a name or reviewId")?;
    let native_id = review.native_id(&place.parent).unwrap_or(name.clone());
    let shown = review
        .reviewer
        .display_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let author = match shown {
        Some(n) if !review.reviewer.is_anonymous => Author {
            handle: reviewer_handle(n),
            display_name: n.to_string(),
        },
        _ => Author {
            handle: String::new(),
            display_name: shown.unwrap_or("Anonymous reviewer").to_string(),
        },
    };
    let comment = review.comment.as_deref().unwrap_or("").trim();
    let text = if comment.is_empty() {
        NO_COMMENT.to_string()
    } else {
        comment.to_string()
    };
    let reply = review
        .review_reply
        .as_ref()
        .filter(|r| !r.comment.trim().is_empty());
    Ok(IncomingPost {
        network: Network::Google,
        native_id,
        url: place.url.clone(),
        author,
        text,
        created_at: review.update_time,
        in_reply_to: None,
        reply_ref: Some(serde_json::json!({
            "review": name,
            "location": place.label(),
            "replied": reply.is_some(),
        })),
        addressed_to_shop: true,
        context: false,
        quotes: None,
        rating: stars(review.star_rating.as_deref()),
    })
}

/// The shop's reply a review already has, as the shop's own post answering `answered` (the review's version):
/// the store then counts the review as answered. `shop` is the shop's handle on Google (`[shop.handles]`).
pub fn reply_to_post(
    review: &Review,
    place: &Place,
    shop: &str,
    answered: &str,
) -> Option<IncomingPost> {
    let reply = review.review_reply.as_ref()?;
    let comment = reply.comment.trim();
    if comment.is_empty() {
        return None;
    }
    let name = review.resource(&place.parent)?;
    Some(IncomingPost {
        network: Network::Google,
        native_id: format!("{name}/reply#{}", fingerprint(None, comment)),
        url: place.url.clone(),
        author: Author {
            handle: shop.to_string(),
            display_name: place.label(),
        },
        text: comment.to_string(),
        created_at: reply.update_time.unwrap_or(review.update_time),
        in_reply_to: Some(answered.to_string()),
        reply_ref: None,
        addressed_to_shop: false,
        context: false,
        quotes: None,
        rating: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn place() -> Place {
        Place::new(
            "accounts/1",
            &serde_json::from_value(json!({
                "name": "locations/2", "title": "Marlow & Finch",
                "metadata": {"mapsUri": "https://maps.google.com/maps?cid=42", "placeId": "ChIJ"}
            }))
            .unwrap(),
        )
    }

    fn review(v: serde_json::Value) -> Review {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn stars_from_the_enum() {
        let got: Vec<Option<u8>> = [
            "ONE",
            "TWO",
            "THREE",
            "FOUR",
            "FIVE",
            "STAR_RATING_UNSPECIFIED",
            "6",
        ]
        .iter()
        .map(|s| stars(Some(s)))
        .collect();
        assert_eq!(
            got,
            [Some(1), Some(2), Some(3), Some(4), Some(5), None, None]
        );
        assert_eq!(stars(None), None);
    }

    #[test]
    fn a_review_maps_to_a_post_about_the_shop() {
        let r = review(json!({
            "name": "accounts/1/locations/2/reviews/r1", "reviewId": "r1",
            "reviewer": {"displayName": "  Ann   Lee ", "profilePhotoUrl": "https://x/p.jpg", "isAnonymous": false},
            "starRating": "TWO", "comment": "Clasp broke in a week",
            "createTime": "2026-11-20T10:00:00Z", "updateTime": "2026-11-20T10:00:00.5Z",
            "reviewReply": {"comment": "So sorry", "updateTime": "2026-11-21T09:00:00Z"}
        }));
        let p = review_to_post(&r, &place()).unwrap();
        assert!(
            p.native_id
                .starts_with("accounts/1/locations/2/reviews/r1#"),
            "{}",
            p.native_id
        );
        assert_eq!(p.author.handle, "ann lee");
        assert_eq!(p.author.display_name, "Ann   Lee");
        assert_eq!(p.text, "Clasp broke in a week");
        assert!(p.addressed_to_shop);
        assert_eq!(
            p.url.as_deref(),
            Some("https://maps.google.com/maps?cid=42")
        );
        let rr = p.reply_ref.unwrap();
        assert_eq!(rr["review"], "accounts/1/locations/2/reviews/r1");
        assert_eq!(p.rating, Some(2));
        assert_eq!(rr["replied"], true);
    }

    #[test]
    fn anonymous_and_stars_only() {
        let r = review(json!({
            "reviewId": "r2", "reviewer": {"displayName": "A Google User", "isAnonymous": true},
            "starRating": "FIVE", "updateTime": "2026-11-20T10:00:00Z"
        }));
        let p = review_to_post(&r, &place()).unwrap();
        assert_eq!(
            p.author.handle, "",
            "anonymous reviewers never match a customer"
        );
        assert_eq!(p.author.display_name, "A Google User");
        assert_eq!(p.text, NO_COMMENT);
        assert_eq!(p.rating, Some(5), "stars without words still count");
        assert!(
            p.native_id
                .starts_with("accounts/1/locations/2/reviews/r2#")
        );
        assert_eq!(p.reply_ref.unwrap()["replied"], false);
        let nameless = review(json!({"updateTime": "2026-11-20T10:00:00Z"}));
        assert!(review_to_post(&nameless, &place()).is_err());
    }

    #[test]
    fn an_edit_is_a_new_version_the_same_words_are_not() {
        let v = |comment: &str, stars: &str, at: &str| {
            review(
                json!({"name": "accounts/1/locations/2/reviews/r", "comment": comment,
                "starRating": stars, "updateTime": at}),
            )
            .native_id("accounts/1/locations/2")
            .unwrap()
        };
        let first = v("ok", "THREE", "2026-11-20T10:00:00Z");
        assert_eq!(
            first,
            v("ok ", "THREE", "2026-11-22T10:00:00Z"),
            "only the time moved"
        );
        assert_ne!(
            first,
            v("ok", "ONE", "2026-11-22T10:00:00Z"),
            "stars changed"
        );
        assert_ne!(
            first,
            v("bad", "THREE", "2026-11-22T10:00:00Z"),
            "words changed"
        );
    }

    #[test]
    fn reviewer_names_normalised() {
        assert_eq!(reviewer_handle(" Zoë  O'Neil "), "zoë o'neil");
    }

    #[test]
    fn the_shops_reply_is_the_shops_post_answering_that_version() {
        let mut r = review(json!({
            "name": "accounts/1/locations/2/reviews/r1", "starRating": "ONE", "comment": "broke",
            "updateTime": "2026-11-20T10:00:00Z",
            "reviewReply": {"comment": "Sorry! Bring it in.", "updateTime": "2026-11-21T09:00:00Z"}
        }));
        let answered = r.native_id("accounts/1/locations/2").unwrap();
        let p = reply_to_post(&r, &place(), "marlow & finch", &answered).unwrap();
        assert_eq!(p.author.handle, "marlow & finch");
        assert_eq!(p.in_reply_to.as_deref(), Some(answered.as_str()));
        assert_eq!(p.text, "Sorry! Bring it in.");
        assert!(
            p.native_id
                .starts_with("accounts/1/locations/2/reviews/r1/reply#")
        );
        assert_eq!(p.created_at.to_rfc3339(), "2026-11-21T09:00:00+00:00");
        assert!(!p.addressed_to_shop && p.rating.is_none());
        r.review_reply = None;
        assert!(reply_to_post(&r, &place(), "marlow & finch", &answered).is_none());
    }
}
