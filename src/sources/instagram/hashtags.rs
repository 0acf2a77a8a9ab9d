//! The 30-unique-hashtags-per-7-days budget of Instagram's hashtag search. A tag's id never changes, so it is
//! searched once and kept (cursor `hashtag:<tag>`, with the time of the search in `hashtag-searched:<tag>`);
//! a tag searched in the last 7 days is within the budget for free, a new one only while fewer than 30 are.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

pub const LIMIT: usize = 30;
const WINDOW_DAYS: i64 = 7;

pub fn id_key(tag: &str) -> String {
    format!("hashtag:{tag}")
}

pub fn searched_key(tag: &str) -> String {
    format!("hashtag-searched:{tag}")
}

/// The tags searched within the last 7 days, from the stored cursors.
pub fn recent(cursors: &HashMap<String, String>, now: DateTime<Utc>) -> Vec<String> {
    let mut tags: Vec<String> = cursors
        .iter()
        .filter_map(|(k, v)| {
            let tag = k.strip_prefix("hashtag-searched:")?;
            let at = DateTime::parse_from_rfc3339(v).ok()?.with_timezone(&Utc);
            (now - at < Duration::days(WINDOW_DAYS)).then(|| tag.to_string())
        })
        .collect();
    tags.sort();
    tags
}

/// Whether searching `tag` now stays within the budget; `Err` says why not.
pub fn allowed(
    tag: &str,
    cursors: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let used = recent(cursors, now);
    if used.len() < LIMIT || used.iter().any(|t| t == tag) {
        Ok(())
    } else {
        Err(format!(
            "not searched: Instagram allows {LIMIT} unique hashtags per 7 days and {} were searched this week \
             ({}); watch fewer hashtags, or wait a week after removing some",
            used.len(),
            used.iter()
                .map(|t| format!("#{t}"))
                .collect::<Vec<_>>()
                .join(" ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn thirty_a_week() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
        let mut c = HashMap::new();
        for i in 0..LIMIT {
            c.insert(
                searched_key(&format!("t{i}")),
                (now - Duration::days(1)).to_rfc3339(),
            );
        }
        c.insert(searched_key("old"), (now - Duration::days(8)).to_rfc3339());
        assert_eq!(recent(&c, now).len(), LIMIT);
        assert!(allowed("t3", &c, now).is_ok(), "searched this week: free");
        let err = allowed("new", &c, now).unwrap_err();
        assert!(
            err.contains("30 unique hashtags") && err.contains("#t0"),
            "{err}"
        );
        c.remove(&searched_key("t0"));
        assert!(allowed("new", &c, now).is_ok());
    }
}
