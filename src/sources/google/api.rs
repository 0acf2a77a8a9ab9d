//! The Business Profile API's shapes (reviews v4, accounts and locations v1), as Google's reference documents
//! them. Mapping them to posts is `map.rs`; the HTTP side is `client.rs`.

use chrono::{DateTime, Utc};
use serde::Deserialize;

/// `GET v4/{accounts/*/locations/*}/reviews`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewPage {
    #[serde(default)]
    pub reviews: Vec<serde_json::Value>,
    #[serde(default)]
    pub total_review_count: Option<u64>,
    #[serde(default)]
    pub average_rating: Option<f64>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// A review as `reviews.list` and `reviews.get` return it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    /// `accounts/{a}/locations/{l}/reviews/{id}`.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub review_id: Option<String>,
    #[serde(default)]
    pub reviewer: Reviewer,
    #[serde(default)]
    pub star_rating: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub create_time: Option<DateTime<Utc>>,
    pub update_time: DateTime<Utc>,
    #[serde(default)]
    pub review_reply: Option<ReviewReply>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reviewer {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub is_anonymous: bool,
}

/// The shop's reply to a review (one per review; `updateReply` replaces it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewReply {
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub update_time: Option<DateTime<Utc>>,
}

/// `GET v1/accounts` (Account Management API).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountPage {
    #[serde(default)]
    pub accounts: Vec<Account>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// `accounts/123`.
    pub name: String,
    #[serde(default)]
    pub account_name: Option<String>,
}

/// `GET v1/{accounts/*}/locations` (Business Information API).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationPage {
    #[serde(default)]
    pub locations: Vec<Location>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// `locations/456`.
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub metadata: Metadata,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    #[serde(default)]
    pub maps_uri: Option<String>,
    #[serde(default)]
    pub place_id: Option<String>,
}

/// A location reviews are read for: its v4 parent name and where people read its reviews.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Place {
    /// `accounts/{a}/locations/{l}`: the parent of its reviews.
    pub parent: String,
    pub title: Option<String>,
    /// The location on Google Maps, where its reviews are shown.
    pub url: Option<String>,
}

impl Place {
    pub fn new(account: &str, location: &Location) -> Place {
        let id = location
            .name
            .rsplit_once("locations/")
            .map_or(location.name.as_str(), |(_, id)| id);
        let m = &location.metadata;
        let url = m
            .maps_uri
            .clone()
            .filter(|u| u.starts_with("https://"))
            .or_else(|| {
                m.place_id
                    .as_ref()
                    .filter(|p| !p.trim().is_empty())
                    .map(|p| {
                        format!(
                            "https://search.google.com/local/reviews?placeid={}",
                            p.trim()
                        )
                    })
            });
        Place {
            parent: format!("{account}/locations/{id}"),
            title: location.title.clone().filter(|t| !t.trim().is_empty()),
            url,
        }
    }

    /// A configured location not (yet) seen in the listing: no title, no link.
    pub fn bare(account: &str, location: &str) -> Place {
        Place::new(
            account,
            &Location {
                name: location.to_string(),
                ..Location::default()
            },
        )
    }

    pub fn label(&self) -> String {
        self.title.clone().unwrap_or_else(|| self.parent.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn place_links() {
        let place = Place::new(
            "accounts/1",
            &serde_json::from_value(json!({
                "name": "locations/2", "title": "Marlow & Finch",
                "metadata": {"mapsUri": "https://maps.google.com/maps?cid=42", "placeId": "ChIJ"}
            }))
            .unwrap(),
        );
        assert_eq!(place.parent, "accounts/1/locations/2");
        assert_eq!(
            place.url.as_deref(),
            Some("https://maps.google.com/maps?cid=42")
        );
        let by_id = Place::new(
            "accounts/1",
            &serde_json::from_value(
                json!({"name": "locations/3", "metadata": {"placeId": "ChIJx"}}),
            )
            .unwrap(),
        );
        assert_eq!(
            by_id.url.as_deref(),
            Some("https://search.google.com/local/reviews?placeid=ChIJx")
        );
        assert_eq!(Place::bare("accounts/1", "locations/4").url, None);
    }
}
