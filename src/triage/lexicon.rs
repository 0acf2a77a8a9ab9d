//! The lexicon: cue phrases loaded from a data file (`assets/triage/<lang>.toml`) plus the shop's tuning,
//! compiled into one hash table keyed by token hashes, so a lookup reads one cache line.

use std::collections::HashMap;

use serde::Deserialize;

use super::TriageError;
use super::lexer::{combine, hash_bytes_lower};

/// What a cue does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Kind {
    /// Negative feeling word; weight = strength.
    Negative,
    /// Positive feeling word; weight = strength.
    Positive,
    /// Crying, tears, screaming: negative, except in an otherwise happy post that names no problem ("she said
    /// yes, I cried"), where they count for nothing; weight = strength.
    Tears,
    /// A problem with an order, a service, money (refund, broken, never arrived).
    Complaint,
    /// A general problem word (late, broken, again): full weight in a post to the shop, less elsewhere.
    Problem,
    /// A request or a chase addressed to the shop (any update, still waiting, please help).
    Request,
    /// Threat to leave or escalate (never again, cancel my, reporting).
    Escalation,
    /// Being stuck or in trouble (stranded, urgent, lost my passport).
    Distress,
    /// Time pressure and occasions (tonight, anniversary, wedding): distress only next to a problem.
    Deadline,
    /// Words about orders, staff, service (order, flight, agent): count only in a post to the shop. They also
    /// say the post is about a business at all.
    Topic,
    /// Let-down words (tried, only, supposed to): count as service words do, but name no business.
    LetDown,
    /// A person in crisis: always top urgency, the coach asks for care.
    Crisis,
    /// Sarcasm markers (thanks for nothing, yeah right).
    Sarcasm,
    /// Negators (not, never, can't); weight = small complaint weight when the post addresses the shop.
    Negator,
    /// Multiplies the next feeling word; weight = factor (> 1).
    Intensifier,
    /// Multiplies the next feeling word; weight = factor (< 1).
    Downtoner,
    /// "but", "however": what follows counts more than what came before.
    Contrast,
    /// minutes, hours, days... after a number: time elapsed; weight = complaint weight.
    TimeUnit,
    /// Number words (two, a few, several) that can precede a time unit.
    Number,
    /// "since" (followed by an anchor: since Monday).
    Since,
    /// Day or time anchors after "since" (monday, yesterday, last week).
    Anchor,
    /// Phrases never to flag: their words fire no cue.
    Ignore,
    /// A question about what may happen ("will the storm delay deliveries?"), when it is the first word:
    /// problem words in it are a worry, not a grievance.
    Hypothetical,
    /// Asking the shop what it does ("do you restring pearls?", "do you open before 9?"), anywhere in the
    /// post: with a question mark and no grievance, the trouble it tells of ("my necklace snapped") is what the
    /// customer brings to the shop, calmed as a worry's words are. Weighs nothing toward a complaint.
    Enquiry,
    /// The problem was put right ("sorted it in minutes", "no complaints"): a story of good service, not a
    /// complaint, however bad its start; weight = how much it takes off.
    Resolved,
    /// The shop's product names: the post is about the shop.
    Product,
    /// Asking in so many words ("does anyone know", "any tips"): a question mark after it asks something even
    /// in a post naming no business. Says what kind of post it is; weighs nothing toward a complaint.
    Ask,
    /// The customer's own dealings with a business ("my order", "our booking"): the post is about a business
    /// even when it names none, so its problem words count in full; weight = as a service word, and as an
    /// anchor after "since" ("since my order").
    Own,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LexiconFile {
    /// Language code of the file, e.g. "en".
    pub language: String,
    pub model: Model,
    #[serde(rename = "group")]
    pub groups: Vec<Group>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Group {
    pub kind: Kind,
    #[serde(default = "one")]
    pub weight: f32,
    /// Label shown to staff in front of the words, e.g. "time elapsed".
    pub label: String,
    /// Comma separated phrases (a line break inside a phrase is a space); a trailing `~` adds common inflections
    /// (delay~: delays, delayed...). `*fail` is a hashtag ending in "fail" (#brandfail), `worst*` one starting
    /// with "worst" (#worstdayever): hashtags run words together, and what else is in them is often a name.
    pub phrases: String,
}

fn never() -> f32 {
    f32::INFINITY
}

fn one() -> f32 {
    1.0
}

/// The linear model's weights for one language (data, so a language file can calibrate itself).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Model {
    pub bias: f32,
    pub negative: f32,
    pub positive: f32,
    pub addressed: f32,
    pub question: f32,
    pub exclaim: f32,
    pub caps: f32,
    pub negator_cap: f32,
    pub request_unaddressed: f32,
    pub topic_unaddressed: f32,
    pub problem_unaddressed: f32,
    pub positive_with_problem: f32,
    pub sarcasm_bonus: f32,
    pub distress_min: f32,
    pub praise_min: f32,
    /// Scales negative and general problem words in a question about what may happen (1 = no effect).
    #[serde(default = "one")]
    pub worry: f32,
    /// Requests adding up to this much chase the shop ("why do you", "please answer"): such a question is no
    /// worry. Without it, no request stops a worry.
    #[serde(default = "never")]
    pub chase: f32,
    /// Scales general problem words in a post that names no business at all (no shop, order, service, money,
    /// wait or request: "one twin has a loose tooth"): life, not a service (1 = no effect).
    #[serde(default = "one")]
    pub personal: f32,
    /// Praise this strong makes a question praise ("Legends. Who does that?"), unless the post speaks to the
    /// shop's handle or chases it.
    #[serde(default = "never")]
    pub praise_over_question: f32,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Cue {
    pub kind: Kind,
    pub weight: f32,
    pub label: u16,
}

pub(crate) const NO_CUE: u32 = CUE_MASK;

/// Labels of the reasons the scanner itself gives, at these ids in [`Lexicon::labels`].
pub(crate) const FIXED_LABELS: [&str; 5] = [
    "addressed to",
    "negated",
    "time elapsed",
    "sarcasm",
    super::CRISIS_LABEL,
];
pub(crate) const ADDRESSED: u16 = 0;
pub(crate) const NEGATED: u16 = 1;
pub(crate) const TIME: u16 = 2;
pub(crate) const SARCASM: u16 = 3;
pub(crate) const CRISIS: u16 = 4;

/// Packed value: cue index in the low 24 bits (`CUE_MASK` = none), longest phrase starting here above.
const CUE_MASK: u32 = 0x00FF_FFFF;
/// A key's value before any phrase sets it: no cue, phrases of one word.
const EMPTY: u32 = CUE_MASK | (1 << 24);

/// Up to seven keys in one cache line: their fingerprints, then their values. A key lives in the bucket its hash
/// picks, so a lookup compares the fingerprints at once, with no probing and no branch on what it finds: about
/// half the words of a post are keys, so such a branch would be a coin toss. The eighth slot is never used: its
/// value is [`EMPTY`], what a lookup that finds nothing reads.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
struct Bucket {
    /// 0 = free; a key's [`Lexicon::fingerprint`] is never 0.
    fps: [u32; 8],
    vals: [u32; 8],
}

impl Bucket {
    const SLOTS: usize = 7;
    const FREE: Bucket = Bucket {
        fps: [0; 8],
        vals: [EMPTY; 8],
    };
}

pub(crate) const MAX_PHRASE: usize = 6;

#[derive(Debug)]
pub(crate) struct Lexicon {
    /// A power of two of them, at least two.
    buckets: Vec<Bucket>,
    shift: u32,
    /// The hash multiplier that picks a key's bucket (see [`pack`]).
    mul: u64,
    /// A bit for the first two tokens of every phrase of two or more (by [`pair_bit`]): most words that start
    /// a phrase are common ones ("on", "my", "not") that start none in the post at hand, and one bit says so.
    pairs: Box<[u64; PAIR_WORDS]>,
    pub cues: Vec<Cue>,
    /// Hashtag affixes (`*fail`, `worst*`), longest first.
    affixes: Vec<Affix>,
    /// Labels by id; the first ones are [`FIXED_LABELS`].
    pub labels: Vec<&'static str>,
    pub model: Model,
}

/// A cue word at the start or end of a hashtag that is not a word of its own (#brandfail, #worstdayever).
#[derive(Debug)]
struct Affix {
    /// Lower case ASCII letters.
    word: Box<[u8]>,
    at_end: bool,
    cue: u32,
}

/// A phrase as token hashes.
struct Entry {
    tokens: Vec<u64>,
    cue: u32,
    explicit: bool,
}

impl Lexicon {
    /// Build from the language file and extra `(phrases, kind, weight, label)` groups from the shop's tuning
    /// (these override the file).
    pub fn build(
        file: LexiconFile,
        extra: &[(Vec<String>, Kind, f32, String)],
    ) -> Result<Lexicon, TriageError> {
        let mut labels: Vec<String> = FIXED_LABELS.iter().map(|l| l.to_string()).collect();
        let mut cues: Vec<Cue> = Vec::new();
        let mut entries: Vec<Entry> = Vec::new();
        let mut affixes: Vec<Affix> = Vec::new();
        let label_id = |labels: &mut Vec<String>, l: &str| -> u16 {
            match labels.iter().position(|x| x == l) {
                Some(i) => i as u16,
                None => {
                    labels.push(l.to_string());
                    (labels.len() - 1) as u16
                }
            }
        };
        for g in &file.groups {
            let label = label_id(&mut labels, &g.label);
            let cue = cues.len() as u32;
            cues.push(Cue {
                kind: g.kind,
                weight: g.weight,
                label,
            });
            for raw in g.phrases.split(',') {
                add_phrase(raw, cue, &mut entries, &mut affixes)?;
            }
        }
        for (phrases, kind, weight, l) in extra {
            let label = label_id(&mut labels, l);
            let cue = cues.len() as u32;
            cues.push(Cue {
                kind: *kind,
                weight: *weight,
                label,
            });
            for p in phrases {
                add_phrase(p, cue, &mut entries, &mut affixes)?;
            }
        }
        if cues.len() >= CUE_MASK as usize {
            return Err(TriageError::BadPhrase {
                phrase: String::new(),
                why: "too many cue groups".to_string(),
            });
        }
        // Phrases, plus their inner prefixes so a lookup can stop at the first prefix that is not there.
        let mut values: HashMap<u64, u32> = entries
            .iter()
            .flat_map(|e| (1..=e.tokens.len()).map(|j| (phrase_key(&e.tokens[..j]), EMPTY)))
            .collect();
        // Explicit phrases first (later ones override earlier ones), then generated inflections where free.
        for pass_explicit in [true, false] {
            for e in entries.iter().filter(|e| e.explicit == pass_explicit) {
                let v = values.entry(phrase_key(&e.tokens)).or_insert(EMPTY);
                if pass_explicit || *v & CUE_MASK == CUE_MASK {
                    *v = (*v & !CUE_MASK) | e.cue;
                }
                let len = e.tokens.len() as u32;
                let first = values.entry(e.tokens[0]).or_insert(EMPTY);
                if len > *first >> 24 {
                    *first = (*first & CUE_MASK) | (len << 24);
                }
            }
        }
        let (buckets, shift, mul) = pack(&values)?;
        // Longest first, and among the same length the shop's (added last) before the file's: they override it.
        affixes.reverse();
        affixes.sort_by_key(|a| std::cmp::Reverse(a.word.len()));
        let mut pairs = Box::new([0u64; PAIR_WORDS]);
        for e in entries.iter().filter(|e| e.tokens.len() >= 2) {
            let bit = pair_bit(e.tokens[0], e.tokens[1]);
            pairs[bit / 64] |= 1 << (bit % 64);
        }
        let lex = Lexicon {
            buckets,
            shift,
            mul,
            pairs,
            cues,
            affixes,
            labels: labels.iter().map(|l| super::intern_label(l)).collect(),
            model: file.model,
        };
        Ok(lex)
    }

    #[inline]
    fn fingerprint(key: u64) -> u32 {
        (key >> 32) as u32 | 1
    }

    /// `(cue or NO_CUE, longest phrase starting here, key present)` for a token or phrase hash.
    #[inline]
    pub fn get(&self, key: u64) -> (u32, u8, bool) {
        let b = &self.buckets[bucket_of(key, self.shift, self.mul)];
        let fp = wide::u32x4::splat(Self::fingerprint(key));
        let lo = wide::u32x4::from([b.fps[0], b.fps[1], b.fps[2], b.fps[3]]).simd_eq(fp);
        let hi = wide::u32x4::from([b.fps[4], b.fps[5], b.fps[6], b.fps[7]]).simd_eq(fp);
        let hits = lo.to_bitmask() | hi.to_bitmask() << 4;
        // No branch on a hit (see [`Bucket`]): a miss reads the unused eighth slot.
        let v = b.vals[((hits | 1 << Bucket::SLOTS).trailing_zeros() & 7) as usize];
        (v & CUE_MASK, (v >> 24) as u8, hits != 0)
    }

    /// The cue of a hashtag word with no cue of its own that starts or ends with an affix (NO_CUE if none).
    pub fn hashtag_cue(&self, word: &[u8]) -> u32 {
        let (first, last) = match word {
            [f, .., l] => (f.to_ascii_lowercase(), l.to_ascii_lowercase()),
            _ => return NO_CUE,
        };
        // The end letter first: it rules out nearly every affix.
        let found = self.affixes.iter().find(|a| {
            let n = a.word.len();
            word.len() > n
                && if a.at_end {
                    a.word[n - 1] == last && word[word.len() - n..].eq_ignore_ascii_case(&a.word)
                } else {
                    a.word[0] == first && word[..n].eq_ignore_ascii_case(&a.word)
                }
        });
        found.map_or(NO_CUE, |a| a.cue)
    }

    /// Whether `cue` (an id or [`NO_CUE`]) is a negator.
    #[inline]
    pub fn is_negator(&self, cue: u32) -> bool {
        self.cues
            .get(cue as usize)
            .is_some_and(|c| c.kind == Kind::Negator)
    }

    /// Whether a phrase may start with the tokens `a, b` (false: surely none does).
    #[inline]
    pub fn may_pair(&self, a: u64, b: u64) -> bool {
        let bit = pair_bit(a, b);
        self.pairs[bit / 64] >> (bit % 64) & 1 != 0
    }
}

/// 64 Kibit (8 KiB), to stay in the first-level cache: with ~1,500 pairs, about 2% of other pairs pass.
const PAIR_WORDS: usize = 1024;

#[inline]
fn pair_bit(a: u64, b: u64) -> usize {
    (combine(a, b) >> 48) as usize
}

#[inline]
fn bucket_of(key: u64, shift: u32, mul: u64) -> usize {
    (key.wrapping_mul(mul) >> shift) as usize
}

/// The buckets for every key of `values`: as few as keep every bucket to seven keys, sized from the keys. A
/// few multipliers are tried at each size before doubling it: a table half the size stays in the caches.
/// Fingerprints stand in for keys, so no bucket may hold two alike.
fn pack(values: &HashMap<u64, u32>) -> Result<(Vec<Bucket>, u32, u64), TriageError> {
    let mut n = (values.len() / 4).next_power_of_two().max(2);
    // At a quarter of a key per bucket nothing overflows: failing there means keys that hash alike.
    let most = (values.len() * 4).next_power_of_two().max(2);
    while n <= most {
        let shift = 64 - n.trailing_zeros();
        for seed in 0..64u64 {
            let mul =
                0x9E37_79B9_7F4A_7C15u64.wrapping_add(seed.wrapping_mul(0xD1B5_4A32_D192_ED02));
            if let Some(buckets) = fill_buckets(values, n, shift, mul) {
                return Ok((buckets, shift, mul));
            }
        }
        n *= 2;
    }
    Err(TriageError::BadPhrase {
        phrase: String::new(),
        why: "two cue phrases hash alike; reword or drop the phrase just added".to_string(),
    })
}

fn fill_buckets(values: &HashMap<u64, u32>, n: usize, shift: u32, mul: u64) -> Option<Vec<Bucket>> {
    let mut buckets = vec![Bucket::FREE; n];
    for (&k, &v) in values {
        let b = &mut buckets[bucket_of(k, shift, mul)];
        let fp = Lexicon::fingerprint(k);
        if b.fps.contains(&fp) {
            return None;
        }
        let i = b.fps[..Bucket::SLOTS].iter().position(|&f| f == 0)?;
        b.fps[i] = fp;
        b.vals[i] = v;
    }
    Some(buckets)
}

pub(crate) fn phrase_key(tokens: &[u64]) -> u64 {
    let mut k = tokens[0];
    for t in &tokens[1..] {
        k = combine(k, *t);
    }
    if k == 0 { 1 } else { k }
}

/// Split a phrase into tokens the way the scanner does (words, numbers, emoji, emoticons).
fn phrase_tokens(p: &str) -> Vec<u64> {
    let mut toks = [super::lexer::Tok::EMPTY; MAX_PHRASE + 1];
    let n = super::lexer::Lexer::new(p).fill(&mut toks);
    toks[..n].iter().map(|t| t.h).collect()
}

fn add_phrase(
    raw: &str,
    cue: u32,
    entries: &mut Vec<Entry>,
    affixes: &mut Vec<Affix>,
) -> Result<(), TriageError> {
    let p = raw.trim();
    if p.is_empty() {
        return Ok(());
    }
    // A star beside a word of letters marks a hashtag affix; beside other characters it is text (":*").
    let letters = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphabetic());
    let affix = match (p.strip_prefix('*'), p.strip_suffix('*')) {
        (Some(w), None) if letters(w) => Some((true, w)),
        (None, Some(w)) if letters(w) => Some((false, w)),
        _ => None,
    };
    if let Some((at_end, word)) = affix {
        if word.len() < 3 {
            return Err(TriageError::BadPhrase {
                phrase: p.to_string(),
                why: "a hashtag affix (`*word` or `word*`) needs a word of three or more letters"
                    .to_string(),
            });
        }
        affixes.push(Affix {
            word: word.to_ascii_lowercase().into_bytes().into(),
            at_end,
            cue,
        });
        return Ok(());
    }
    let (p, inflect) = match p.strip_suffix('~') {
        Some(s) => (s, true),
        None => (p, false),
    };
    let tokens = phrase_tokens(p);
    if tokens.is_empty() || tokens.len() > MAX_PHRASE {
        return Err(TriageError::BadPhrase {
            phrase: raw.trim().to_string(),
            why: format!("a cue phrase has 1 to {MAX_PHRASE} words"),
        });
    }
    entries.push(Entry {
        tokens: tokens.clone(),
        cue,
        explicit: true,
    });
    if inflect {
        // Inflect the last word: "delay~" -> delays, delayed, delaying; "on hold~" inflects "hold".
        let last = p.rsplit(' ').next().unwrap_or(p).to_ascii_lowercase();
        for form in inflections(&last) {
            let mut t = tokens.clone();
            let n = t.len();
            t[n - 1] = hash_bytes_lower(form.as_bytes());
            entries.push(Entry {
                tokens: t,
                cue,
                explicit: false,
            });
        }
    }
    Ok(())
}

pub(crate) fn inflections(w: &str) -> Vec<String> {
    let mut out = vec![
        format!("{w}s"),
        format!("{w}es"),
        format!("{w}ed"),
        format!("{w}ing"),
    ];
    let b = w.as_bytes();
    let n = b.len();
    if n == 0 {
        return out;
    }
    let last = b[n - 1];
    let vowel = |c: u8| b"aeiou".contains(&c);
    if last == b'e' {
        out.push(format!("{w}d"));
        if n > 3 {
            out.push(format!("{}ing", &w[..n - 1]));
        }
    }
    if last == b'y' && n > 1 && !vowel(b[n - 2]) {
        out.push(format!("{}ies", &w[..n - 1]));
        out.push(format!("{}ied", &w[..n - 1]));
    }
    if !vowel(last) && last != b'y' && last != b'w' && n > 2 && vowel(b[n - 2]) {
        out.push(format!("{w}{}ed", last as char));
        out.push(format!("{w}{}ing", last as char));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_keeps_every_key_in_a_table_sized_to_the_keys() {
        // Random-looking keys (splitmix64), as word hashes are.
        let mix = |i: u64| {
            let z = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let values: HashMap<u64, u32> = (1..=4000u64).map(|i| (mix(i), i as u32)).collect();
        let (buckets, shift, mul) = pack(&values).unwrap();
        // As many keys as the English lexicon: 1,024 buckets of seven overflow; 2,048 fit with some multiplier.
        assert_eq!(buckets.len(), 2048);
        for (&k, &v) in &values {
            let b = &buckets[bucket_of(k, shift, mul)];
            let fp = Lexicon::fingerprint(k);
            assert_eq!(b.fps.iter().filter(|&&f| f == fp).count(), 1);
            assert!(b.fps.iter().zip(&b.vals).any(|(&f, &x)| f == fp && x == v));
        }
    }

    #[test]
    fn the_pair_filter_passes_every_phrase_start_and_few_others() {
        let file: LexiconFile =
            toml::from_str(include_str!("../../assets/triage/en.toml")).unwrap();
        let mut entries = Vec::new();
        for g in &file.groups {
            for raw in g.phrases.split(',') {
                add_phrase(raw, 0, &mut entries, &mut Vec::new()).unwrap();
            }
        }
        let lex = Lexicon::build(file, &[]).unwrap();
        let pairs: Vec<&Entry> = entries.iter().filter(|e| e.tokens.len() >= 2).collect();
        assert!(pairs.len() > 100);
        for e in &pairs {
            assert!(lex.may_pair(e.tokens[0], e.tokens[1]));
        }
        // Common phrase starts followed by words that start nothing with them.
        let words = [
            "on", "my", "not", "no", "the", "flight", "still", "any", "been", "how",
        ];
        let others = [
            "banana",
            "tuesday",
            "purple",
            "seventeen",
            "yesterday",
            "giraffe",
            "window",
        ];
        let (mut passed, mut tried) = (0, 0);
        for a in words {
            for b in others {
                tried += 1;
                passed += lex.may_pair(
                    hash_bytes_lower(a.as_bytes()),
                    hash_bytes_lower(b.as_bytes()),
                ) as u32;
            }
        }
        assert!(passed * 10 < tried, "{passed} of {tried} pairs passed");
    }

    #[test]
    fn inflections_cover_regular_forms() {
        let f = inflections("cancel");
        assert!(f.contains(&"cancelled".to_string()));
        assert!(f.contains(&"canceled".to_string()));
        assert!(f.contains(&"cancels".to_string()));
        let f = inflections("reply");
        assert!(f.contains(&"replied".to_string()));
        let f = inflections("charge");
        assert!(f.contains(&"charged".to_string()));
        assert!(f.contains(&"charging".to_string()));
    }
}
