//! The classifier and the shop's tuning (`[triage]` in the config).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::lexicon::{Kind, Lexicon, LexiconFile};
use super::{Category, Reason, ShopContext, Triage};

#[derive(Debug, thiserror::Error)]
pub enum TriageError {
    #[error("triage lexicon for language {language:?} is invalid: {source}")]
    Lexicon {
        language: String,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error(
        "[triage] languages: network {network:?} asks for language {language:?}, but only {known} have a lexicon (assets/triage/<lang>.toml)"
    )]
    UnknownLanguage {
        network: String,
        language: String,
        known: String,
    },
    #[error("[triage] cue phrase {phrase:?}: {why}")]
    BadPhrase { phrase: String, why: String },
}

/// Shop-specific tuning, the config's `[triage]` table:
///
/// ```toml
/// [triage]
/// products = ["Aurora ring", "Solstice pendant"]
/// never_flag = ["killer deal", "sick discount"]
/// languages = { mastodon = "en", bluesky = "en" }
/// cues = [ { phrase = "tarnished", category = "complaint", weight = 1.5 } ]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Tuning {
    /// Extra cue phrases (1 to 6 words, or a hashtag affix: `*word`, `word*`) with the category they point to
    /// and a weight (1.0 is a typical cue).
    pub cues: Vec<CueTuning>,
    /// The shop's product names: a post naming one is about the shop, like one addressed to its handle.
    pub products: Vec<String>,
    /// Phrases whose words never fire a cue ("killer deal").
    pub never_flag: Vec<String>,
    /// Language of each network's posts (`mastodon = "en"`); networks not listed use English.
    pub languages: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CueTuning {
    pub phrase: String,
    pub category: Category,
    #[serde(default = "one")]
    pub weight: f32,
}

fn one() -> f32 {
    1.0
}

/// Lexicons shipped with the console, by language code.
fn builtin_lexicon(language: &str) -> Option<&'static str> {
    match language {
        "en" => Some(include_str!("../../assets/triage/en.toml")),
        _ => None,
    }
}

const BUILTIN_LANGUAGES: &[&str] = &["en"];

/// The triage classifier: immutable after construction, `Send + Sync`, share it in an `Arc`.
#[derive(Debug)]
pub struct Classifier {
    /// `(language code, lexicon)`; the first is the default.
    lexicons: Vec<(String, Lexicon)>,
    /// network -> index into `lexicons`.
    networks: Vec<(String, usize)>,
    /// The shop's own handles, as the tokenizer hashes them. Empty: every leading @handle counts as the shop.
    shop: Vec<u64>,
}

impl Classifier {
    /// English defaults, no shop tuning.
    pub fn english() -> Classifier {
        match Classifier::new(&Tuning::default()) {
            Ok(c) => c,
            // The embedded lexicon is tested (`embedded_lexicon_loads`); this cannot fail at run time.
            Err(e) => panic!("embedded English triage lexicon is invalid: {e}"),
        }
    }

    pub fn new(tuning: &Tuning) -> Result<Classifier, TriageError> {
        let mut c = Classifier {
            lexicons: Vec::new(),
            networks: Vec::new(),
            shop: Vec::new(),
        };
        let en = builtin_lexicon("en").unwrap_or_default();
        c.add_language("en", en, tuning)?;
        for (network, lang) in &tuning.languages {
            let i = match c.lexicons.iter().position(|(l, _)| l == lang) {
                Some(i) => i,
                None => match builtin_lexicon(lang) {
                    Some(src) => {
                        c.add_language(lang, src, tuning)?;
                        c.lexicons.len() - 1
                    }
                    None => {
                        return Err(TriageError::UnknownLanguage {
                            network: network.clone(),
                            language: lang.clone(),
                            known: BUILTIN_LANGUAGES.join(", "),
                        });
                    }
                },
            };
            c.networks.push((network.clone(), i));
        }
        Ok(c)
    }

    /// A classifier whose default language comes from a lexicon file's text (another language, or a lexicon
    /// being tuned).
    pub fn from_lexicon(lexicon_toml: &str, tuning: &Tuning) -> Result<Classifier, TriageError> {
        let mut c = Classifier {
            lexicons: Vec::new(),
            networks: Vec::new(),
            shop: Vec::new(),
        };
        c.add_language("custom", lexicon_toml, tuning)?;
        Ok(c)
    }

    fn add_language(&mut self, code: &str, src: &str, tuning: &Tuning) -> Result<(), TriageError> {
        let file: LexiconFile = toml::from_str(src).map_err(|e| TriageError::Lexicon {
            language: code.to_string(),
            source: Box::new(e),
        })?;
        let code = if code == "custom" {
            file.language.clone()
        } else {
            code.to_string()
        };
        let mut extra: Vec<(Vec<String>, Kind, f32, String)> = Vec::new();
        for cue in &tuning.cues {
            let (kind, label) = match cue.category {
                Category::Complaint => (Kind::Complaint, "shop cue"),
                Category::Distress => (Kind::Distress, "shop cue (distress)"),
                Category::Question => (Kind::Request, "shop cue (question)"),
                Category::Praise => (Kind::Positive, "shop cue (praise)"),
                Category::Neutral => (Kind::Ignore, "shop cue (neutral)"),
            };
            extra.push((
                vec![cue.phrase.clone()],
                kind,
                cue.weight,
                label.to_string(),
            ));
        }
        if !tuning.products.is_empty() {
            extra.push((
                tuning.products.clone(),
                Kind::Product,
                1.0,
                "product".to_string(),
            ));
        }
        if !tuning.never_flag.is_empty() {
            extra.push((
                tuning.never_flag.clone(),
                Kind::Ignore,
                0.0,
                "never flag".to_string(),
            ));
        }
        let lex = Lexicon::build(file, &extra)?;
        self.lexicons.push((code, lex));
        Ok(())
    }

    /// Tell the classifier the shop's own handles (`name@instance`, `name.bsky.social`): a post then counts as
    /// addressed to the shop only when it mentions one of them, not when it starts by tagging a friend.
    pub fn with_shop_handles<'a>(
        mut self,
        handles: impl IntoIterator<Item = &'a str>,
    ) -> Classifier {
        self.shop = handles
            .into_iter()
            .map(super::scan::handle_key)
            .filter(|&k| k != 0)
            .collect();
        self
    }

    /// Classify a post in the default language (English).
    pub fn classify(&self, text: &str) -> Triage {
        match self.lexicons.first() {
            Some((_, lex)) => super::scan::classify(lex, &self.shop, text, ShopContext::Unknown),
            None => Triage::neutral(),
        }
    }

    /// Classify a post from `network` ("mastodon", "bluesky"...) in that network's configured language.
    pub fn classify_on(&self, network: &str, text: &str, context: ShopContext) -> Triage {
        let i = self
            .networks
            .iter()
            .find(|(n, _)| n == network)
            .map(|(_, i)| *i)
            .unwrap_or(0);
        match self.lexicons.get(i) {
            Some((_, lex)) => super::scan::classify(lex, &self.shop, text, context),
            None => Triage::neutral(),
        }
    }

    /// A post read with the post it quotes: a quote that says nothing of its own ("same here", "avoid for now")
    /// under a complaint or distress is a complaint too. Its own complaint, praise or question stands.
    pub fn classify_quoting(
        &self,
        network: &str,
        text: &str,
        quoted: Option<&str>,
        context: ShopContext,
    ) -> Triage {
        let own = self.classify_on(network, text, context);
        let Some(quoted) = quoted else { return own };
        if own.category != Category::Neutral {
            return own;
        }
        let q = self.classify_on(network, quoted, ShopContext::Unknown);
        if !q.category.needs_attention() {
            return own;
        }
        let mut reasons = own.reasons;
        // The cue is in the quoted post, not this one's words: a label with no span.
        reasons.push(Reason::new("quotes a complaint", 0, 0));
        Triage {
            category: Category::Complaint,
            score: (q.score * 0.9).max(own.score),
            reasons,
        }
    }

    /// Language codes this classifier has lexicons for, the default first.
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.lexicons.iter().map(|(l, _)| l.as_str())
    }
}
