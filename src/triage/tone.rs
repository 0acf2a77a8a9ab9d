//! The coach's warnings: dismissive or defensive wording in a reply (telling people to calm down, quoting
//! policy, blaming the customer, "not our fault", sarcasm, shouting). The words are data, in
//! `assets/triage/coach_en.toml` beside the lexicon; this file only matches them.

use std::sync::OnceLock;

use serde::Deserialize;

use super::coach::has;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Words {
    warning: Vec<Warning>,
    shouting: Shouting,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Warning {
    kind: String,
    message: String,
    phrases: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Shouting {
    message: String,
    min_words: usize,
    acronyms: Vec<String>,
}

fn words() -> &'static Words {
    static WORDS: OnceLock<Words> = OnceLock::new();
    // Embedded at build time and covered by tests: a failure is a bug in the binary, not user input.
    WORDS.get_or_init(|| {
        toml::from_str(include_str!("../../assets/triage/coach_en.toml"))
            .unwrap_or_else(|e| panic!("assets/triage/coach_en.toml: {e}"))
    })
}

/// Per kind of trouble found in `reply`, in the data's order: the kind (`calm_down`, `policy`, ..., `shouting`)
/// and one sentence for staff naming the words that matched.
pub fn warnings(reply: &str) -> Vec<(&'static str, String)> {
    let words = words();
    // Curly apostrophes as straight ones; the end of the reply as a full stop ("…whatever" ends a sentence).
    let mut lower = reply.trim().to_lowercase().replace(['’', '‘'], "'");
    if lower.ends_with(char::is_alphanumeric) {
        lower.push('.');
    }
    let mut out: Vec<(&'static str, String)> = words
        .warning
        .iter()
        .filter_map(|w| {
            let found = w.phrases.iter().find(|p| has(&lower, &p.to_lowercase()))?;
            let shown = found.trim_end_matches(['.', '!', ',']);
            Some((w.kind.as_str(), format!("\"{shown}\": {}", w.message)))
        })
        .collect();
    if shouted(reply, &words.shouting) {
        out.push(("shouting", capitalised(&words.shouting.message)));
    }
    out
}

/// Enough whole words of three letters or more in capitals, acronyms aside.
fn shouted(reply: &str, shouting: &Shouting) -> bool {
    reply
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 3 && w.chars().all(char::is_uppercase))
        .filter(|w| !shouting.acronyms.iter().any(|a| a == w))
        .count()
        >= shouting.min_words
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_load_and_every_kind_has_phrases_and_a_message() {
        let w = words();
        assert!(w.warning.len() >= 5);
        let mut kinds = std::collections::HashSet::new();
        assert!(
            w.warning.iter().all(|w| kinds.insert(w.kind.as_str())),
            "kinds are unique"
        );
        for warning in &w.warning {
            assert!(!warning.phrases.is_empty(), "{}", warning.kind);
            assert!(warning.message.ends_with('.'), "{}", warning.kind);
        }
    }

    #[test]
    fn the_rude_reply_from_the_issue_gets_its_warnings() {
        let found = warnings("Calm down. As per our policy this is not our fault. Whatever.");
        let kinds: Vec<&str> = found.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, ["calm_down", "policy", "not_our_fault", "sarcasm"]);
        assert!(found[0].1.starts_with("\"calm down\": "), "{found:?}");
        assert!(found[3].1.starts_with("\"whatever\": "), "{found:?}");
    }

    #[test]
    fn whole_words_only_and_curly_apostrophes() {
        assert!(warnings("Whatever you need, we're here.").is_empty());
        assert!(!warnings("that’s on you").is_empty());
        assert!(
            !warnings("ok whatever").is_empty(),
            "the end counts as a full stop"
        );
    }

    #[test]
    fn capitals_shout_but_acronyms_do_not() {
        assert_eq!(warnings("PLEASE READ THE EMAIL we sent")[0].0, "shouting");
        assert!(warnings("Please DM us; the UPS ETA is Friday, code SORRY10.").is_empty());
    }

    /// Our own replies (tests/data/coach/replies.jsonl): each bad one warned for the kind it was written for,
    /// no good one warned at all.
    #[test]
    fn our_good_and_bad_replies() {
        #[derive(Deserialize)]
        struct Case {
            reply: String,
            good: bool,
            #[serde(default)]
            kind: Option<String>,
        }
        let data = include_str!("../../tests/data/coach/replies.jsonl");
        let (mut good, mut bad) = (0, 0);
        for (i, line) in data
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let case: Case =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
            let kinds: Vec<&str> = warnings(&case.reply).into_iter().map(|(k, _)| k).collect();
            if case.good {
                good += 1;
                assert!(
                    kinds.is_empty(),
                    "line {}: a good reply warned {kinds:?}: {}",
                    i + 1,
                    case.reply
                );
            } else {
                bad += 1;
                let kind = case
                    .kind
                    .unwrap_or_else(|| panic!("line {}: a bad reply names its kind", i + 1));
                assert!(
                    kinds.contains(&kind.as_str()),
                    "line {}: {kind} not warned ({kinds:?}): {}",
                    i + 1,
                    case.reply
                );
            }
        }
        assert!(good >= 40 && bad >= 40, "{good} good, {bad} bad");
    }
}
