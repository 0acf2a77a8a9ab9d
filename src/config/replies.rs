//! Reply texts from the config: the greetings `Ctrl-T` switches between and the saved replies of the picker.
//! Their variables are checked when the config loads and filled per post when staff use them.

use serde::Deserialize;

/// The variables a greeting or saved reply may use.
pub const VARIABLES: [&str; 4] = ["first_name", "name", "shop", "order"];

/// Shown in place of `{order}` when the post names no order number: staff fill it in (the coach reminds them).
pub const ORDER_BLANK: &str = "[order number]";

/// `[composer]`: the greetings, in the order `Ctrl-T` offers them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ComposerConfig {
    pub greetings: Vec<String>,
}

impl Default for ComposerConfig {
    fn default() -> ComposerConfig {
        ComposerConfig {
            greetings: [
                "Hi {first_name}, thank you for telling us. ",
                "Hi {first_name}, I'm so sorry about this. Let me sort it out for you: could you send us a DM \
                 with your order number? ",
                "Hi {first_name}, just checking in: is everything all right now? ",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// `[[replies]]`: a reply staff use often, found by name in the picker.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedReply {
    pub name: String,
    pub text: String,
}

impl SavedReply {
    /// Every word of `query` appears in the name or the text (case aside).
    pub fn matches(&self, query: &str) -> bool {
        let (name, text) = (self.name.to_lowercase(), self.text.to_lowercase());
        query
            .to_lowercase()
            .split_whitespace()
            .all(|w| name.contains(w) || text.contains(w))
    }
}

/// The greetings and saved replies as the console uses them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyTexts {
    pub greetings: Vec<String>,
    pub saved: Vec<SavedReply>,
}

impl Default for ReplyTexts {
    fn default() -> ReplyTexts {
        ReplyTexts {
            greetings: ComposerConfig::default().greetings,
            saved: Vec::new(),
        }
    }
}

/// What the variables stand for in a reply to one post; `None` when the console does not know.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fields<'a> {
    pub first_name: Option<&'a str>,
    pub name: Option<&'a str>,
    pub shop: Option<&'a str>,
    pub order: Option<&'a str>,
}

/// Checks `{variable}`s in a config text; the error names the variable and the valid ones.
pub fn check(text: &str) -> Result<(), String> {
    for piece in pieces(text) {
        match piece {
            Piece::Var(v) if !VARIABLES.contains(&v) => {
                return Err(format!(
                    "unknown variable {{{v}}}: use {{first_name}}, {{name}}, {{shop}} or {{order}}"
                ));
            }
            Piece::Unclosed => {
                return Err(
                    "a `{` without a plain name and `}` after it: write variables as {first_name}"
                        .into(),
                );
            }
            _ => {}
        }
    }
    Ok(())
}

/// `text` with its variables filled. A name or shop the console does not know is left out with the space
/// before it ("Hi {first_name}," reads "Hi,"); an unknown order number stays visible as `[order number]`.
pub fn fill(text: &str, fields: &Fields) -> String {
    let mut out = String::new();
    for piece in pieces(text) {
        let value = match piece {
            Piece::Text(t) => {
                out.push_str(t);
                continue;
            }
            Piece::Unclosed => {
                out.push('{');
                continue;
            }
            Piece::Var("first_name") => fields.first_name,
            Piece::Var("name") => fields.name,
            Piece::Var("shop") => fields.shop,
            Piece::Var("order") => Some(fields.order.unwrap_or(ORDER_BLANK)),
            Piece::Var(other) => {
                out.push_str(&format!("{{{other}}}"));
                continue;
            }
        };
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => out.push_str(v),
            None => {
                let kept = out.trim_end_matches(' ').len();
                out.truncate(kept);
            }
        }
    }
    out
}

enum Piece<'a> {
    Text(&'a str),
    Var(&'a str),
    Unclosed,
}

/// Splits a text into literal runs and `{name}`s (a `{` that holds no plain name is literal text).
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push(Piece::Text(&rest[..open]));
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if after[..close]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                out.push(Piece::Var(&after[..close]));
                rest = &after[close + 1..];
            }
            _ => {
                out.push(Piece::Unclosed);
                rest = after;
            }
        }
    }
    out.push(Piece::Text(rest));
    out
}

/// An order number the post gives: `#10482`, "order 10482", "order number: MF-2291", "order no. 5521".
/// It must hold a digit and be at least three characters long.
pub fn order_number(post: &str) -> Option<String> {
    let words: Vec<&str> = post.split_whitespace().collect();
    let clean = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
            .trim_matches('-')
            .to_string()
    };
    let plausible = |w: &str| w.len() >= 3 && w.chars().any(|c| c.is_ascii_digit());
    for (i, word) in words.iter().enumerate() {
        if let Some(tail) = word.strip_prefix('#') {
            let n = clean(tail);
            if plausible(&n) && n.chars().all(|c| c.is_ascii_digit() || c == '-') {
                return Some(n);
            }
        }
        if clean(word).eq_ignore_ascii_case("order") {
            let next = words[i + 1..].iter().map(|w| clean(w)).find(|w| {
                !["number", "no", "num", "nr", "ref", ""].contains(&w.to_lowercase().as_str())
            });
            if let Some(n) = next.filter(|n| plausible(n)) {
                return Some(n);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_variables_and_unclosed_braces_are_named() {
        assert!(check("Hi {first_name}, from {shop} about {order} ({name})").is_ok());
        let e = check("Hi {firstname}").unwrap_err();
        assert!(
            e.contains("{firstname}") && e.contains("{first_name}"),
            "{e}"
        );
        assert!(check("Hi {first_name").unwrap_err().contains("plain name"));
        // Braces around anything but a plain name are text.
        assert!(check("a {smile :)} b").is_err());
    }

    #[test]
    fn known_values_are_filled_and_unknown_names_left_out_cleanly() {
        let known = Fields {
            first_name: Some("Priya"),
            name: Some("Priya Shah"),
            shop: Some("Marlow & Finch"),
            order: Some("10482"),
        };
        assert_eq!(
            fill("Hi {first_name}! {name}, {shop}, #{order}.", &known),
            "Hi Priya! Priya Shah, Marlow & Finch, #10482."
        );
        let unknown = Fields::default();
        assert_eq!(
            fill(
                "Hi {first_name}, thanks from {shop}. Order {order}.",
                &unknown
            ),
            "Hi, thanks from. Order [order number]."
        );
    }

    #[test]
    fn order_numbers_found_in_posts() {
        assert_eq!(order_number("where is #10482??").as_deref(), Some("10482"));
        assert_eq!(
            order_number("my order number: MF-2291 never came").as_deref(),
            Some("MF-2291")
        );
        assert_eq!(
            order_number("Order no. 5521 is late").as_deref(),
            Some("5521")
        );
        assert_eq!(order_number("my order is late, #sad"), None);
        assert_eq!(order_number("the order of the day #1"), None);
    }

    #[test]
    fn saved_replies_match_every_word_of_the_query() {
        let r = SavedReply {
            name: "Late parcel".into(),
            text: "Sorry it is late, we are chasing the courier".into(),
        };
        assert!(r.matches(""));
        assert!(r.matches("late COURIER"));
        assert!(!r.matches("late refund"));
    }
}
