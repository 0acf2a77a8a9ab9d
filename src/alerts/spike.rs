//! Spikes: mentions or complaints in the last hour far above their usual rate.
//!
//! The rule, in one sentence: **a spike is at least `min_posts` posts in the last hour and at least `factor`
//! times the hourly mean of the 12 hours before it** (defaults 10 and 3). The minimum keeps three posts on a
//! quiet morning from being a spike; comparing with the mean of the hours before keeps a busy day's slow rise
//! from being one. [`detect`] is the rule alone, on counts however they were made (the console, the digest);
//! [`measure`] reads the counts and the rising words from the store.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use crate::domain::Watched;
use crate::store::AlertRepo;
use crate::text::{display_width, join_fitting};

/// The hours before the last one that make the usual rate.
pub const BASELINE_HOURS: u32 = 12;

/// How many posts' words are read from the last hour (four times as many from the hours before).
const WORD_SAMPLE: usize = 500;

/// `[alerts.spike]`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpikeRule {
    pub enabled: bool,
    /// Fewer posts than this in the last hour are never a spike.
    pub min_posts: u32,
    /// How many times the usual hourly rate the last hour must reach.
    pub factor: f32,
}

impl Default for SpikeRule {
    fn default() -> SpikeRule {
        SpikeRule {
            enabled: true,
            min_posts: 10,
            factor: 3.0,
        }
    }
}

impl SpikeRule {
    pub fn check(&self) -> Result<(), String> {
        if self.min_posts < 2 {
            return Err(format!(
                "alerts.spike.min_posts = {}: use 2 or more (one post is never a spike)",
                self.min_posts
            ));
        }
        if !(self.factor >= 1.0 && self.factor.is_finite()) {
            return Err(format!(
                "alerts.spike.factor = {}: use a number of times the usual rate, 1.5 or more (3 is usual)",
                self.factor
            ));
        }
        Ok(())
    }
}

/// The last hour against the usual rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rise {
    pub count: u32,
    /// The mean of the hours before, per hour.
    pub usual: f32,
}

/// The rule: `last_hour` posts against the counts of the hours before it (`previous`, any order).
pub fn detect(rule: &SpikeRule, last_hour: u32, previous: &[u32]) -> Option<Rise> {
    let usual = if previous.is_empty() {
        0.0
    } else {
        previous.iter().map(|&n| n as f32).sum::<f32>() / previous.len() as f32
    };
    (last_hour >= rule.min_posts && last_hour as f32 >= rule.factor * usual).then_some(Rise {
        count: last_hour,
        usual,
    })
}

/// A spike going on: what rose, how far, and the words that rose most.
#[derive(Debug, Clone, PartialEq)]
pub struct Spike {
    pub watched: Watched,
    pub count: u32,
    pub usual: f32,
    pub words: Vec<String>,
}

impl Spike {
    /// For a notification's title: "Spike: 24 complaints in the last hour".
    pub fn title(&self) -> String {
        format!(
            "Spike: {} {} in the last hour",
            self.count,
            self.watched.as_str()
        )
    }

    /// "usual 2 an hour; rising: refund, late, broken".
    pub fn detail(&self) -> String {
        let mut text = if self.usual == 0.0 {
            format!("none in the {BASELINE_HOURS} hours before")
        } else {
            format!("usual {} an hour", usual(self.usual))
        };
        if !self.words.is_empty() {
            text.push_str(&format!("; rising: {}", self.words.join(", ")));
        }
        text
    }

    /// For the status bar, within `width` columns: "24 complaints/h: refund, late (usual 2)". A narrow bar
    /// keeps whole words before the usual rate.
    pub fn status(&self, width: usize) -> String {
        let mut text = format!("{} {}/h", self.count, self.watched.as_str());
        let words = join_fitting(
            &self.words,
            ", ",
            width.saturating_sub(display_width(&text) + 2),
        );
        if !words.is_empty() {
            text.push_str(&format!(": {words}"));
        }
        let usual = format!(" (usual {})", usual(self.usual));
        if display_width(&text) + display_width(&usual) <= width {
            text.push_str(&usual);
        }
        text
    }
}

fn usual(rate: f32) -> String {
    if rate > 0.0 && rate < 1.0 {
        "under 1".into()
    } else {
        format!("{rate:.0}")
    }
}

/// The spikes at `until`: each watched kind's last hour against the 12 before, with the words that rose most.
pub fn measure<R: AlertRepo + ?Sized>(
    db: &R,
    rule: &SpikeRule,
    until: DateTime<Utc>,
) -> crate::store::Result<Vec<Spike>> {
    let mut spikes = Vec::new();
    let hour_ago = until - Duration::hours(1);
    let start = until - Duration::hours(i64::from(BASELINE_HOURS) + 1);
    for watched in Watched::ALL {
        let hours = db.hourly_counts(watched, until, BASELINE_HOURS + 1)?;
        let Some((last, previous)) = hours.split_last() else {
            continue;
        };
        let Some(rise) = detect(rule, *last, previous) else {
            continue;
        };
        let recent = db.watched_texts(watched, hour_ago, until, WORD_SAMPLE)?;
        let before = db.watched_texts(watched, start, hour_ago, WORD_SAMPLE * 4)?;
        spikes.push(Spike {
            watched,
            count: rise.count,
            usual: rise.usual,
            words: rising_words(&recent, &before, 3),
        });
    }
    Ok(spikes)
}

/// The `n` words whose share of posts rose most from `before` to `recent` (each post counts a word once; a
/// word must be in two recent posts at least). Shares, not counts: in a spike every word is counted more.
pub fn rising_words(recent: &[String], before: &[String], n: usize) -> Vec<String> {
    let recent_df = document_frequency(recent);
    let before_df = document_frequency(before);
    let share = |df: usize, total: usize| {
        if total == 0 {
            0.0
        } else {
            df as f32 / total as f32
        }
    };
    let mut rising: Vec<(f32, usize, &str)> = recent_df
        .iter()
        .filter(|(_, df)| **df >= 2)
        .map(|(word, df)| {
            let was = before_df.get(word).copied().unwrap_or(0);
            (
                share(*df, recent.len()) - share(was, before.len()),
                *df,
                word.as_str(),
            )
        })
        .filter(|(rise, _, _)| *rise > 0.0)
        .collect();
    rising.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
    rising
        .into_iter()
        .take(n)
        .map(|(_, _, w)| w.to_string())
        .collect()
}

fn document_frequency(texts: &[String]) -> HashMap<String, usize> {
    let mut df = HashMap::new();
    for text in texts {
        let words: HashSet<String> = words(text).collect();
        for w in words {
            *df.entry(w).or_insert(0) += 1;
        }
    }
    df
}

/// The words of a post worth naming: lowercased, hashtags kept, handles, links, numbers and little words left
/// out.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split_whitespace()
        .filter(|w| !w.starts_with('@') && !w.contains("://") && !w.starts_with("www."))
        .map(|w| {
            w.trim_matches(|c: char| !(c.is_alphanumeric() || c == '#'))
                .trim_end_matches("'s")
                .trim_end_matches("’s")
                .to_lowercase()
        })
        .filter(|w| {
            w.chars().filter(|c| c.is_alphabetic()).count() >= 3
                && !w.chars().any(|c| c.is_ascii_digit())
                && !STOP_WORDS.contains(&w.as_str())
        })
}

/// English words too common to say anything about what rose.
const STOP_WORDS: &[&str] = &[
    "the", "and", "for", "are", "but", "not", "you", "all", "any", "can", "had", "her", "was",
    "one", "our", "out", "has", "him", "his", "how", "its", "may", "new", "now", "own", "she",
    "too", "use", "way", "who", "did", "get", "got", "let", "say", "says", "yes", "yet", "this",
    "that", "with", "have", "from", "they", "will", "would", "there", "their", "what", "about",
    "which", "when", "make", "like", "just", "been", "than", "them", "then", "these", "some",
    "into", "only", "your", "very", "were", "also", "even", "much", "more", "most", "such", "here",
    "where", "while", "after", "before", "again", "still", "really", "being", "because", "could",
    "should", "does", "doing", "don't", "didn't", "can't", "won't", "it's", "i'm", "i've",
    "you're", "we're", "they're", "that's", "there's", "what's", "ever", "every", "over", "off",
    "why", "each", "other", "those", "both", "same", "well", "back", "going", "know", "think",
    "want", "need", "today", "day", "time",
];

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: SpikeRule = SpikeRule {
        enabled: true,
        min_posts: 10,
        factor: 3.0,
    };

    #[test]
    fn a_burst_far_above_the_usual_rate_is_a_spike() {
        let quiet = [2, 1, 3, 2, 2, 1, 2, 3, 2, 2, 1, 3];
        let rise = detect(&RULE, 24, &quiet).expect("a spike");
        assert_eq!(rise.count, 24);
        assert_eq!(rise.usual, 2.0);
        // From nothing at all, the minimum alone decides.
        assert!(detect(&RULE, 10, &[0; 12]).is_some());
    }

    #[test]
    fn a_slow_rise_over_the_day_is_not_a_spike() {
        // A busy afternoon building up: the last hour is the most yet, but not three times the usual.
        let rising = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
        assert_eq!(detect(&RULE, 18, &rising), None);
        // Where the hours before were busy, a busy hour is usual.
        assert_eq!(detect(&RULE, 40, &[20; 12]), None);
    }

    #[test]
    fn too_few_posts_are_never_a_spike() {
        // Three posts on a silent morning: infinitely more than usual, still nothing to tell.
        assert_eq!(detect(&RULE, 3, &[0; 12]), None);
        assert_eq!(detect(&RULE, 9, &[0; 12]), None);
        assert_eq!(detect(&RULE, 0, &[]), None);
    }

    #[test]
    fn rule_values_are_checked() {
        assert!(RULE.check().is_ok());
        let err = SpikeRule {
            min_posts: 1,
            ..RULE
        }
        .check()
        .unwrap_err();
        assert!(err.contains("alerts.spike.min_posts"), "{err}");
        let err = SpikeRule {
            factor: 0.5,
            ..RULE
        }
        .check()
        .unwrap_err();
        assert!(err.contains("alerts.spike.factor"), "{err}");
    }

    #[test]
    fn the_words_that_rose_are_shares_not_counts() {
        let recent: Vec<String> = [
            "@shop my parcel never arrived, where is the REFUND?",
            "Still no refund for the broken clasp https://x.y/1",
            "Refund please! The clasp broke on day one",
            "the website says the order is lost #refundplease",
        ]
        .map(String::from)
        .to_vec();
        let before: Vec<String> = [
            "Love the new earrings",
            "The website is slow today",
            "Ordered a ring for my sister",
        ]
        .map(String::from)
        .to_vec();
        // "refund" is in three recent posts and none before; "clasp" in two; "website" was as common before.
        assert_eq!(rising_words(&recent, &before, 3), ["refund", "clasp"]);
    }

    #[test]
    fn statements_read_well() {
        let spike = Spike {
            watched: Watched::Complaints,
            count: 24,
            usual: 2.0,
            words: vec!["refund".into(), "clasp".into()],
        };
        assert_eq!(spike.title(), "Spike: 24 complaints in the last hour");
        assert_eq!(spike.detail(), "usual 2 an hour; rising: refund, clasp");
        assert_eq!(spike.status(80), "24 complaints/h: refund, clasp (usual 2)");
        // Narrow: whole words first, then the usual rate if it fits.
        assert_eq!(spike.status(32), "24 complaints/h: refund, clasp");
        assert_eq!(spike.status(28), "24 complaints/h: refund");
        let from_nothing = Spike {
            usual: 0.25,
            words: vec![],
            ..spike
        };
        assert_eq!(from_nothing.detail(), "usual under 1 an hour");
    }
}
