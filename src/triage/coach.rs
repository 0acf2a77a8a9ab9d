//! The reply coach: gentle checks on a reply in the composer, drawn from good retail service: what a good reply
//! has (a greeting, help first, a next step) and what it should not (dismissive or defensive wording, see
//! `tone`). Hints are advice, never a block: the composer shows them and staff decide.

use super::Category;

/// What the coach knows about the post being answered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoachContext<'a> {
    pub category: Category,
    /// The post is a person in crisis (`Triage::is_crisis`).
    pub crisis: bool,
    /// The customer's first name, if the shop knows it.
    pub first_name: Option<&'a str>,
    /// Staff confirmed that a promotion, code or store link belongs in this reply.
    pub promo_confirmed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HintKind {
    Greet,
    HelpFirst,
    NoPromotion,
    UseName,
    NextStep,
    Care,
    NoSales,
    /// Dismissive or defensive wording (words in `assets/triage/coach_en.toml`).
    Tone,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub kind: HintKind,
    /// One short sentence staff read in the composer.
    pub message: String,
}

const GREETINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "dear",
    "good morning",
    "good afternoon",
    "good evening",
    "morning",
    "evening",
    "hiya",
    "greetings",
    "welcome",
];
const HELP_WORDS: &[&str] = &[
    "sorry",
    "apologise",
    "apologize",
    "apologies",
    "help",
    "fix",
    "sort",
    "sort this",
    "look into",
    "looking into",
    "understand",
    "let me",
    "we'll",
    "we will",
    "i'll",
    "i will",
    "on it",
    "make this right",
    "put this right",
    "refund",
    "replace",
    "replacement",
    "check",
    "frustrating",
    "not good enough",
];
const PROMO_WORDS: &[&str] = &[
    "discount",
    "promo",
    "promotion",
    "code",
    "coupon",
    "% off",
    "percent off",
    "sale",
    "shop now",
    "check out our",
    "new collection",
    "new arrivals",
    "buy",
    "deal",
    "deals",
    "offer",
    "http",
    "https",
    "www",
    ".com",
    "link in bio",
];
const NEXT_STEP_WORDS: &[&str] = &[
    "dm",
    "direct message",
    "message us",
    "email",
    "e-mail",
    "call",
    "phone",
    "order number",
    "reply",
    "let us know",
    "we'll",
    "we will",
    "i'll",
    "i will",
    "follow up",
    "get back",
    "send",
    "tomorrow",
    "today",
    "within",
    "by",
    "next",
    "visit",
    "pop in",
    "come in",
    "contact",
];
const CARE_WORDS: &[&str] = &[
    "are you safe",
    "safe",
    "here for you",
    "support",
    "helpline",
    "hotline",
    "reach out",
    "someone you trust",
    "emergency",
    "988",
    "999",
    "911",
    "112",
    "samaritans",
    "crisis line",
    "talk to someone",
    "look after yourself",
    "take care",
    "you matter",
    "not alone",
];
const SALES_WORDS: &[&str] = &[
    "discount",
    "promo",
    "code",
    "coupon",
    "% off",
    "sale",
    "shop",
    "buy",
    "order",
    "product",
    "deal",
    "offer",
    "collection",
    "http",
    "www",
    ".com",
    "voucher",
];

/// Does `hay` (lower-case) contain `needle` as whole words?
pub(super) fn has(hay: &str, needle: &str) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    let first_wordy = needle.chars().next().is_some_and(|c| c.is_alphanumeric());
    let last_wordy = needle.chars().last().is_some_and(|c| c.is_alphanumeric());
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        (!first_wordy || !word(before)) && (!last_wordy || !word(after))
    })
}

fn any(hay: &str, words: &[&str]) -> bool {
    words.iter().any(|w| has(hay, w))
}

/// The first sentence (up to . ! ? or a line break), lower-cased.
fn first_sentence(lower: &str) -> &str {
    let end = lower.find(['.', '!', '?', '\n']).unwrap_or(lower.len());
    &lower[..end]
}

fn hint(kind: HintKind, message: impl Into<String>) -> Hint {
    Hint {
        kind,
        message: message.into(),
    }
}

/// Gentle checks on a reply; an empty list means the reply looks good. Never blocks sending.
pub fn check(reply: &str, context: &CoachContext) -> Vec<Hint> {
    let trimmed = reply.trim();
    if trimmed.is_empty() {
        return Vec::new();
    }
    // Warnings first: the composer shows the first few hints, and these matter most.
    let mut hints: Vec<Hint> = super::tone::warnings(trimmed)
        .into_iter()
        .map(|(_, message)| hint(HintKind::Tone, message))
        .collect();
    let lower = trimmed.to_lowercase();
    // Skip leading @handles: "@anna Hi Anna" greets.
    let body = lower
        .split_whitespace()
        .skip_while(|w| w.starts_with('@'))
        .collect::<Vec<_>>()
        .join(" ");
    let name = context
        .first_name
        .map(|n| n.trim().to_lowercase())
        .filter(|n| !n.is_empty());
    let opening = first_sentence(&body);
    let greets = GREETINGS.iter().any(|g| {
        body.starts_with(g)
            && !body[g.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric())
    }) || name.as_deref().is_some_and(|n| body.starts_with(n));
    if !greets {
        let who = context
            .first_name
            .map(|n| format!(" {}", n.trim()))
            .unwrap_or_default();
        hints.push(hint(
            HintKind::Greet,
            format!("Greet them first, e.g. \"Hi{who},\"."),
        ));
    }
    if let Some(n) = &name
        && !has(&body, n)
    {
        let shown = context.first_name.unwrap_or_default().trim();
        hints.push(hint(
            HintKind::UseName,
            format!("Use their name, {shown}: it shows a person is reading."),
        ));
    }
    if context.crisis {
        if !any(&body, CARE_WORDS) {
            hints.push(hint(
                HintKind::Care,
                "Ask how they are and whether they are safe; point to someone who can help right now.",
            ));
        }
        if any(&body, SALES_WORDS) {
            hints.push(hint(
                HintKind::NoSales,
                "Leave out anything about orders, products or offers: care comes first.",
            ));
        }
        return hints;
    }
    if context.category.needs_attention() {
        // Help before anything else: the opening (after the greeting) should acknowledge or offer help.
        let after_greeting = body.split_once([',', '!', '.', '\n']).map(|(g, rest)| {
            if greets && g.split_whitespace().count() <= 3 {
                rest
            } else {
                opening
            }
        });
        let first = first_sentence(after_greeting.unwrap_or(opening).trim_start());
        if !any(first, HELP_WORDS) {
            hints.push(hint(
                HintKind::HelpFirst,
                "Open with help: acknowledge the problem and say what you will do.",
            ));
        }
        if !context.promo_confirmed && any(&body, PROMO_WORDS) {
            hints.push(hint(
                HintKind::NoPromotion,
                "No promotion, discount code or store link in a reply to a complaint unless you confirm it.",
            ));
        }
    }
    if !any(&body, NEXT_STEP_WORDS) {
        hints.push(hint(
            HintKind::NextStep,
            "Offer a next step: what happens now, who does it, by when.",
        ));
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(category: Category) -> CoachContext<'static> {
        CoachContext {
            category,
            crisis: false,
            first_name: None,
            promo_confirmed: false,
        }
    }

    fn kinds(reply: &str, c: &CoachContext) -> Vec<HintKind> {
        check(reply, c).into_iter().map(|h| h.kind).collect()
    }

    #[test]
    fn a_good_complaint_reply_gets_no_hints() {
        let c = CoachContext {
            first_name: Some("Anna"),
            ..ctx(Category::Complaint)
        };
        let k = kinds(
            "Hi Anna, I'm so sorry your ring arrived scratched. Could you DM us your order number? We'll send a replacement today.",
            &c,
        );
        assert!(k.is_empty(), "{k:?}");
    }

    #[test]
    fn missing_greeting_is_hinted() {
        let k = kinds(
            "We'll look into it and DM you today.",
            &ctx(Category::Complaint),
        );
        assert!(k.contains(&HintKind::Greet));
        let k = kinds(
            "@anna hello! We'll look into it and DM you today.",
            &ctx(Category::Complaint),
        );
        assert!(!k.contains(&HintKind::Greet), "{k:?}");
        // "this" contains "hi" but is not a greeting.
        let k = kinds("this is fixed, DM us", &ctx(Category::Question));
        assert!(k.contains(&HintKind::Greet));
    }

    #[test]
    fn complaint_reply_must_offer_help_before_anything_else() {
        let k = kinds(
            "Hi! Our new collection is out now. Sorry about your order, DM us.",
            &ctx(Category::Complaint),
        );
        assert!(k.contains(&HintKind::HelpFirst), "{k:?}");
        let k = kinds(
            "Hi! Sorry about your order, DM us.",
            &ctx(Category::Complaint),
        );
        assert!(!k.contains(&HintKind::HelpFirst), "{k:?}");
    }

    #[test]
    fn no_promotion_in_complaint_replies_unless_confirmed() {
        let reply = "Hi, sorry about that! Use code SORRY10 for 10% off, DM us your order number.";
        assert!(kinds(reply, &ctx(Category::Complaint)).contains(&HintKind::NoPromotion));
        assert!(kinds(reply, &ctx(Category::Distress)).contains(&HintKind::NoPromotion));
        let confirmed = CoachContext {
            promo_confirmed: true,
            ..ctx(Category::Complaint)
        };
        assert!(!kinds(reply, &confirmed).contains(&HintKind::NoPromotion));
        // Praise replies may mention a sale.
        assert!(
            !kinds(
                "Hi! Thank you, the sale runs until Sunday, DM us anytime.",
                &ctx(Category::Praise)
            )
            .contains(&HintKind::NoPromotion)
        );
        let link = "Hi, sorry! See https://shop.example/returns and email us.";
        assert!(kinds(link, &ctx(Category::Complaint)).contains(&HintKind::NoPromotion));
    }

    #[test]
    fn uses_the_customers_name_when_known() {
        let c = CoachContext {
            first_name: Some("Zoë"),
            ..ctx(Category::Question)
        };
        let hints = check("Hi there, we'll DM you the details.", &c);
        let h = hints
            .iter()
            .find(|h| h.kind == HintKind::UseName)
            .expect("name hint");
        assert!(h.message.contains("Zoë"));
        assert!(kinds("Hi Zoë, we'll DM you the details.", &c).is_empty());
        // Unknown name: no name hint.
        assert!(
            !kinds(
                "Hi there, we'll DM you the details.",
                &ctx(Category::Question)
            )
            .contains(&HintKind::UseName)
        );
    }

    #[test]
    fn offers_a_next_step() {
        assert!(
            kinds("Hi, sorry to hear that.", &ctx(Category::Complaint))
                .contains(&HintKind::NextStep)
        );
        assert!(
            !kinds(
                "Hi, sorry to hear that. Please email us and we'll fix it.",
                &ctx(Category::Complaint)
            )
            .contains(&HintKind::NextStep)
        );
    }

    #[test]
    fn crisis_reply_asks_for_care_and_never_sells() {
        let c = CoachContext {
            crisis: true,
            ..ctx(Category::Distress)
        };
        let k = kinds(
            "Hi, sorry to hear that! Here's 20% off your next order.",
            &c,
        );
        assert!(k.contains(&HintKind::Care), "{k:?}");
        assert!(k.contains(&HintKind::NoSales), "{k:?}");
        let k = kinds(
            "Hi, we're really sorry you're feeling this way. Are you safe right now? Please reach out to someone you trust or call 988.",
            &c,
        );
        assert!(k.is_empty(), "{k:?}");
    }

    #[test]
    fn empty_reply_gets_no_hints() {
        assert!(check("   ", &ctx(Category::Complaint)).is_empty());
    }
}
