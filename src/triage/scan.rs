//! One pass over the post's bytes: a tokenizer that hashes normalized words as it goes (no allocation), a
//! phrase lookup with a few tokens of lookahead, and a small state machine for negation scope, intensifiers,
//! contrast, time elapsed and sarcasm. Reasons are collected as spans and only turned into strings at the end.

use super::lexicon::{Kind, Lexicon, MAX_PHRASE, NO_CUE};
use super::{Category, Reason, Triage};

pub(crate) const NUM: u8 = 1;
pub(crate) const CAPS: u8 = 2;
pub(crate) const ELONG: u8 = 4;
pub(crate) const MENTION: u8 = 8;
pub(crate) const TAG: u8 = 16;
pub(crate) const SYM: u8 = 32;

/// Punctuation seen between the previous token and this one.
pub(crate) const CLAUSE: u8 = 1;
pub(crate) const SENT: u8 = 2;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

#[inline]
fn fnv(h: u64, b: u8) -> u64 {
    (h ^ b as u64).wrapping_mul(FNV_PRIME)
}

#[inline]
fn fix0(h: u64) -> u64 {
    if h == 0 { 1 } else { h }
}

/// Hash of a plain ASCII word, the same as the tokenizer gives it.
pub(crate) fn hash_bytes_lower(b: &[u8]) -> u64 {
    fix0(
        b.iter()
            .fold(FNV_OFFSET, |h, c| fnv(h, c.to_ascii_lowercase())),
    )
}

/// Hash of a token sequence from the tokens' hashes.
#[inline]
pub(crate) fn combine(k: u64, t: u64) -> u64 {
    (k.rotate_left(23) ^ t).wrapping_mul(0xff51_afd7_ed55_8ccd)
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Tok {
    pub h: u64,
    /// Hash with elongated letters squeezed to one (0 when the word is not elongated).
    pub h1: u64,
    pub start: u32,
    pub end: u32,
    pub flags: u8,
    pub gap: u8,
}

pub(crate) struct Lexer<'a> {
    b: &'a [u8],
    pos: usize,
    in_tag: bool,
    pub qmarks: u16,
    pub excl: u16,
}

#[inline]
fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

impl<'a> Lexer<'a> {
    pub fn new(text: &'a str) -> Lexer<'a> {
        Lexer {
            b: text.as_bytes(),
            pos: 0,
            in_tag: false,
            qmarks: 0,
            excl: 0,
        }
    }

    #[inline]
    fn at(&self, i: usize) -> u8 {
        if i < self.b.len() { self.b[i] } else { 0 }
    }

    fn decode(&self, i: usize) -> (char, usize) {
        let b = self.b;
        let c0 = b[i];
        let len = if c0 >= 0xF0 {
            4
        } else if c0 >= 0xE0 {
            3
        } else {
            2
        };
        let end = (i + len).min(b.len());
        match std::str::from_utf8(&b[i..end]) {
            Ok(s) => (s.chars().next().unwrap_or(' '), end - i),
            Err(_) => (' ', 1),
        }
    }

    #[inline]
    pub fn next_token(&mut self) -> Option<Tok> {
        let n = self.b.len();
        let mut gap = 0u8;
        while self.pos < n {
            let c = self.b[self.pos];
            if c == b' ' {
                self.in_tag = false;
                self.pos += 1;
                continue;
            }
            if is_word_byte(c) {
                if (c == b'h' || c == b'w' || c == b'H' || c == b'W') && self.skip_url() {
                    continue;
                }
                return Some(self.word(gap));
            }
            self.in_tag = false;
            match c {
                b'@' if is_word_byte(self.at(self.pos + 1)) || self.at(self.pos + 1) == b'_' => {
                    let start = self.pos;
                    self.pos += 1;
                    let mut h = FNV_OFFSET ^ 0x5a5a;
                    while self.pos < n
                        && (is_word_byte(self.b[self.pos]) || self.b[self.pos] == b'_')
                    {
                        h = fnv(h, self.b[self.pos].to_ascii_lowercase());
                        self.pos += 1;
                    }
                    return Some(Tok {
                        h: fix0(h),
                        h1: 0,
                        start: start as u32,
                        end: self.pos as u32,
                        flags: MENTION,
                        gap,
                    });
                }
                b'#' if is_word_byte(self.at(self.pos + 1)) => {
                    self.pos += 1;
                    self.in_tag = true;
                    gap |= CLAUSE;
                    return Some(self.word(gap));
                }
                b'?' => {
                    self.qmarks += 1;
                    gap |= SENT;
                    self.pos += 1;
                }
                b'!' => {
                    self.excl += 1;
                    gap |= SENT;
                    self.pos += 1;
                }
                b'.' => {
                    gap |= SENT;
                    self.pos += 1;
                }
                b':' | b';' | b'=' => {
                    if let Some(t) = self.emoticon(gap) {
                        return Some(t);
                    }
                    gap |= CLAUSE;
                    self.pos += 1;
                }
                b'<' if self.at(self.pos + 1) == b'3'
                    || (self.at(self.pos + 1) == b'/' && self.at(self.pos + 2) == b'3') =>
                {
                    let start = self.pos;
                    let len = if self.at(self.pos + 1) == b'3' { 2 } else { 3 };
                    self.pos += len;
                    return Some(self.sym(start, gap));
                }
                b',' | b'(' | b')' | b'"' | b'[' | b']' => {
                    gap |= CLAUSE;
                    self.pos += 1;
                }
                b'&' => {
                    // HTML entities are kept in the source text (&amp; &gt;): skip them.
                    let mut j = self.pos + 1;
                    while j < n
                        && j < self.pos + 8
                        && (is_word_byte(self.b[j]) || self.b[j] == b'#')
                    {
                        j += 1;
                    }
                    if j < n && self.b[j] == b';' && j > self.pos + 1 {
                        self.pos = j + 1;
                    } else {
                        self.pos += 1;
                    }
                }
                0x80.. => {
                    let (ch, len) = self.decode(self.pos);
                    if ch.is_alphabetic() {
                        return Some(self.word(gap));
                    }
                    let start = self.pos;
                    self.pos += len;
                    match ch {
                        '\u{FE0F}'
                        | '\u{FE0E}'
                        | '\u{200D}'
                        | '\u{20E3}'
                        | '\u{1F3FB}'..='\u{1F3FF}' => {}
                        '\u{2019}' | '\u{2018}' | '\u{201C}' | '\u{201D}' => gap |= CLAUSE,
                        '\u{2026}' => gap |= SENT,
                        c if c.is_whitespace() => {}
                        _ => return Some(self.sym(start, gap)),
                    }
                }
                _ => {
                    self.pos += 1;
                }
            }
        }
        None
    }

    fn sym(&self, start: usize, gap: u8) -> Tok {
        let h = self.b[start..self.pos]
            .iter()
            .filter(|&&c| c != b'-')
            .fold(FNV_OFFSET, |h, &c| fnv(h, c));
        Tok {
            h: fix0(h),
            h1: 0,
            start: start as u32,
            end: self.pos as u32,
            flags: SYM,
            gap,
        }
    }

    fn emoticon(&mut self, gap: u8) -> Option<Tok> {
        let start = self.pos;
        let mut j = start + 1;
        if matches!(self.at(j), b'-' | b'\'') {
            j += 1;
        }
        let m = self.at(j);
        if !matches!(
            m,
            b'(' | b')'
                | b'['
                | b']'
                | b'/'
                | b'\\'
                | b'D'
                | b'P'
                | b'p'
                | b'|'
                | b'*'
                | b'O'
                | b'o'
        ) {
            return None;
        }
        if m.is_ascii_alphabetic() && is_word_byte(self.at(j + 1)) {
            return None;
        }
        if m == b'/' && self.at(j + 1) == b'/' {
            return None;
        }
        let mut e = j + 1;
        // ":(((" counts as one, stronger.
        while self.at(e) == m && !m.is_ascii_alphabetic() {
            e += 1;
        }
        // Hash the face without its repeats.
        let mut h = FNV_OFFSET;
        for &c in &self.b[start..=j] {
            if c != b'-' {
                h = fnv(h, c);
            }
        }
        self.pos = e;
        Some(Tok {
            h: fix0(h),
            h1: 0,
            start: start as u32,
            end: e as u32,
            flags: SYM,
            gap,
        })
    }

    fn skip_url(&mut self) -> bool {
        let rest = &self.b[self.pos..];
        let starts = |p: &[u8]| rest.len() >= p.len() && rest[..p.len()].eq_ignore_ascii_case(p);
        if starts(b"http://") || starts(b"https://") || starts(b"www.") {
            while self.pos < self.b.len() && !self.b[self.pos].is_ascii_whitespace() {
                self.pos += 1;
            }
            true
        } else {
            false
        }
    }

    #[inline]
    fn word(&mut self, gap: u8) -> Tok {
        let b = self.b;
        let n = b.len();
        let start = self.pos;
        let first_digit = b[start].is_ascii_digit();
        let mut h = FNV_OFFSET;
        let (mut prev, mut run) = (0u8, 0u8);
        let (mut upper, mut lower) = (0u16, 0u16);
        let mut prev_lower = false;
        let mut elong = false;
        let in_tag = self.in_tag;
        let mut pos = self.pos;
        while pos < n {
            let c = b[pos];
            if c.is_ascii_lowercase() && !first_digit {
                // Fast path: a run of lower-case letters, the common case.
                let mut p = pos;
                while p < n {
                    let c = b[p];
                    if !c.is_ascii_lowercase() {
                        break;
                    }
                    run = if c == prev { run.saturating_add(1) } else { 1 };
                    prev = c;
                    let hashed = fnv(h, c);
                    h = if run < 3 { hashed } else { h };
                    elong |= run >= 3;
                    p += 1;
                }
                lower = lower.saturating_add((p - pos) as u16);
                prev_lower = true;
                pos = p;
            } else if c.is_ascii_alphanumeric() {
                if c.is_ascii_digit() != first_digit {
                    break;
                }
                if in_tag && c.is_ascii_uppercase() && prev_lower {
                    break;
                }
                let lc = c.to_ascii_lowercase();
                if lc == prev {
                    run = run.saturating_add(1);
                } else {
                    prev = lc;
                    run = 1;
                }
                if run >= 3 && !first_digit {
                    elong = true;
                } else {
                    h = fnv(h, lc);
                }
                if c.is_ascii_uppercase() {
                    upper += 1;
                    prev_lower = false;
                } else if c.is_ascii_lowercase() {
                    lower += 1;
                    prev_lower = true;
                }
                pos += 1;
            } else if c == b'\'' && !first_digit && self.at(pos + 1).is_ascii_alphabetic() {
                h = fnv(h, b'\'');
                prev = 0;
                pos += 1;
            } else if c >= 0x80 {
                let (ch, len) = self.decode(pos);
                if ch.is_alphabetic() && !first_digit {
                    let mut buf = [0u8; 4];
                    for lc in ch.to_lowercase() {
                        for &x in lc.encode_utf8(&mut buf).as_bytes() {
                            h = fnv(h, x);
                        }
                    }
                    prev = 0;
                    lower += 1;
                    prev_lower = true;
                    pos += len;
                } else if (ch == '\u{2019}' || ch == '\u{2018}')
                    && !first_digit
                    && self.at(pos + len).is_ascii_alphabetic()
                    && pos > start
                {
                    h = fnv(h, b'\'');
                    prev = 0;
                    pos += len;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        self.pos = pos;
        let end = self.pos;
        let mut flags = 0;
        if first_digit {
            flags |= NUM;
        }
        if upper >= 3 && lower == 0 {
            flags |= CAPS;
        }
        if self.in_tag {
            flags |= TAG;
        }
        let h1 = if elong {
            flags |= ELONG;
            squeeze_hash(&b[start..end])
        } else {
            0
        };
        Tok {
            h: fix0(h),
            h1,
            start: start as u32,
            end: end as u32,
            flags,
            gap,
        }
    }
}

/// Hash with runs of three or more letters squeezed to one ("sooo" -> "so").
fn squeeze_hash(w: &[u8]) -> u64 {
    let mut h = FNV_OFFSET;
    let mut i = 0;
    while i < w.len() {
        let c = w[i].to_ascii_lowercase();
        let mut j = i + 1;
        while j < w.len() && w[j].to_ascii_lowercase() == c {
            j += 1;
        }
        let run = j - i;
        if run >= 3 {
            h = fnv(h, c);
        } else {
            for _ in 0..run {
                h = fnv(h, c);
            }
        }
        i = j;
    }
    fix0(h)
}

#[derive(Clone, Copy)]
enum Label {
    Cue(u16),
    Negated,
    Time,
    Sarcasm,
    Crisis,
    /// A deadline cue: shown only when it counted (next to a problem).
    Deadline(u16),
}

#[derive(Clone, Copy)]
struct RawReason {
    label: Label,
    start: u32,
    end: u32,
}

const MAX_REASONS: usize = 12;

/// The label of a reason that marks a person in crisis.
pub const CRISIS_LABEL: &str = "person in crisis";

struct State {
    idx: u32,
    addressed: bool,
    mention_span: Option<(u32, u32)>,
    neg_scope: u8,
    neg_start: u32,
    intens: f32,
    after: f32,
    neg: f32,
    pos: f32,
    complaint: f32,
    request: f32,
    escalation: f32,
    distress: f32,
    deadline: f32,
    topic: f32,
    problem: f32,
    sarcasm: f32,
    negators: f32,
    time: f32,
    crisis: bool,
    product: u16,
    caps: u16,
    last_num: u32,
    num_start: u32,
    since_at: u32,
    since_start: u32,
    last_pos_word: u32,
    last_pos_span: (u32, u32),
    reasons: [RawReason; MAX_REASONS],
    n_reasons: usize,
}

impl State {
    fn new() -> State {
        State {
            idx: 0,
            addressed: false,
            mention_span: None,
            neg_scope: 0,
            neg_start: 0,
            intens: 1.0,
            after: 1.0,
            neg: 0.0,
            pos: 0.0,
            complaint: 0.0,
            request: 0.0,
            escalation: 0.0,
            distress: 0.0,
            deadline: 0.0,
            topic: 0.0,
            problem: 0.0,
            sarcasm: 0.0,
            negators: 0.0,
            time: 0.0,
            crisis: false,
            product: 0,
            caps: 0,
            last_num: u32::MAX,
            num_start: 0,
            since_at: u32::MAX,
            since_start: 0,
            last_pos_word: u32::MAX,
            last_pos_span: (0, 0),
            reasons: [RawReason {
                label: Label::Negated,
                start: 0,
                end: 0,
            }; MAX_REASONS],
            n_reasons: 0,
        }
    }

    #[inline]
    fn reason(&mut self, label: Label, start: u32, end: u32) {
        if self.n_reasons < MAX_REASONS {
            self.reasons[self.n_reasons] = RawReason { label, start, end };
            self.n_reasons += 1;
        }
    }

    #[inline]
    fn feed(&mut self, lex: &Lexicon, cue: u32, first: Tok, last: Tok) {
        self.idx += 1;
        let idx = self.idx;
        if first.gap & (CLAUSE | SENT) != 0 {
            self.neg_scope = 0;
            self.intens = 1.0;
        }
        let (start, end) = (first.start, last.end);
        if first.flags & MENTION != 0 {
            if idx == 1 {
                self.addressed = true;
                self.mention_span = Some((start, end));
            }
            return;
        }
        if first.flags & NUM != 0 && cue == NO_CUE {
            self.last_num = idx;
            self.num_start = start;
            if self.since_at.wrapping_add(1) == idx {
                self.time += 0.8;
                self.reason(Label::Time, self.since_start, end);
            }
            return;
        }
        if first.flags & CAPS != 0 {
            self.caps += 1;
        }
        if cue == NO_CUE {
            self.neg_scope = self.neg_scope.saturating_sub(1);
            return;
        }
        let c = lex.cues[cue as usize];
        let w = c.weight;
        let label = Label::Cue(c.label);
        match c.kind {
            Kind::Negative | Kind::Positive => {
                let mut v = w * self.intens;
                self.intens = 1.0;
                if first.flags & CAPS != 0 {
                    v *= 1.3;
                }
                if first.flags & ELONG != 0 {
                    v *= 1.2;
                }
                let negated = self.neg_scope > 0;
                self.neg_scope = self.neg_scope.saturating_sub(1);
                match (c.kind, negated) {
                    (Kind::Negative, false) => {
                        self.neg += v * self.after;
                        self.reason(label, start, end);
                    }
                    (Kind::Negative, true) => {
                        self.pos += v * 0.3;
                    }
                    (_, false) => {
                        self.pos += v * self.after;
                        if w >= 1.0 {
                            self.last_pos_word = idx;
                        }
                        self.last_pos_span = (start, end);
                        self.reason(label, start, end);
                    }
                    (_, true) => {
                        self.neg += v * 0.8 * self.after;
                        self.reason(Label::Negated, self.neg_start, end);
                    }
                }
            }
            Kind::Negator => {
                self.neg_scope = 3;
                self.neg_start = start;
                self.negators += w;
                if w > 0.0 {
                    self.reason(label, start, end);
                }
            }
            Kind::Intensifier | Kind::Downtoner => {
                self.intens = w;
            }
            Kind::Contrast => {
                self.neg *= 0.5;
                self.pos *= 0.5;
                self.after = 1.5;
            }
            Kind::Complaint | Kind::Escalation => {
                if c.kind == Kind::Complaint {
                    self.complaint += w;
                } else {
                    self.escalation += w;
                }
                self.reason(label, start, end);
                if w >= 1.0
                    && self.last_pos_word != u32::MAX
                    && idx.wrapping_sub(self.last_pos_word) <= 3
                {
                    // "great, another delay": a praise word right before a problem.
                    self.sarcasm += 0.5;
                    let (s, e) = self.last_pos_span;
                    self.reason(Label::Sarcasm, s, e);
                    self.last_pos_word = u32::MAX;
                }
            }
            Kind::Request => {
                self.request += w;
                self.reason(label, start, end);
            }
            Kind::Distress => {
                self.distress += w;
                self.reason(label, start, end);
            }
            Kind::Deadline => {
                self.deadline += w;
                self.reason(Label::Deadline(c.label), start, end);
            }
            Kind::Problem => {
                self.problem += w;
                self.reason(label, start, end);
                if w >= 1.0
                    && self.last_pos_word != u32::MAX
                    && idx.wrapping_sub(self.last_pos_word) <= 3
                {
                    self.sarcasm += 0.5;
                    let (s, e) = self.last_pos_span;
                    self.reason(Label::Sarcasm, s, e);
                    self.last_pos_word = u32::MAX;
                }
            }
            Kind::Topic => {
                self.topic += w;
                self.reason(label, start, end);
            }
            Kind::Crisis => {
                self.crisis = true;
                self.reason(Label::Crisis, start, end);
            }
            Kind::Sarcasm => {
                self.sarcasm += w;
                self.reason(label, start, end);
            }
            Kind::TimeUnit => {
                if self.last_num.wrapping_add(1) == idx {
                    self.time += w;
                    self.reason(Label::Time, self.num_start, end);
                }
            }
            Kind::Number => {
                self.last_num = idx;
                self.num_start = start;
            }
            Kind::Since => {
                self.since_at = idx;
                self.since_start = start;
            }
            Kind::Anchor => {
                if self.since_at.wrapping_add(1) == idx {
                    self.time += w;
                    self.reason(Label::Time, self.since_start, end);
                }
            }
            Kind::Ignore => {}
            Kind::Product => {
                self.product += 1;
                self.reason(label, start, end);
            }
        }
    }
}

const RING: usize = 8;
const RING_MASK: usize = RING - 1;
const _: () = assert!(RING >= MAX_PHRASE);

pub(crate) fn classify(lex: &Lexicon, text: &str) -> Triage {
    let mut lx = Lexer::new(text);
    let mut st = State::new();
    // Ring of upcoming tokens: win[(head + i) & RING_MASK] is the i-th.
    let mut win = [Tok::default(); RING];
    let mut head = 0usize;
    let mut have = 0usize;
    let mut done = false;
    loop {
        while !done && have < MAX_PHRASE {
            match lx.next_token() {
                Some(t) => {
                    win[(head + have) & RING_MASK] = t;
                    have += 1;
                }
                None => done = true,
            }
        }
        if have == 0 {
            break;
        }
        let t0 = win[head];
        let mut len = 1;
        let mut cue = NO_CUE;
        if t0.flags & MENTION == 0 {
            let (c, max_len, _) = lex.get(t0.h);
            cue = c;
            if cue == NO_CUE && t0.h1 != 0 {
                cue = lex.get(t0.h1).0;
            }
            if max_len > 1 {
                let mut k = t0.h;
                let lim = (max_len as usize).min(have);
                for i in 1..lim {
                    let t = &win[(head + i) & RING_MASK];
                    if t.gap & SENT != 0 || t.flags & MENTION != 0 {
                        break;
                    }
                    k = combine(k, t.h);
                    let (c, _, found) = lex.get(fix0(k));
                    if !found {
                        break;
                    }
                    if c != NO_CUE {
                        cue = c;
                        len = i + 1;
                    }
                }
            }
        }
        st.feed(lex, cue, t0, win[(head + len - 1) & RING_MASK]);
        head = (head + len) & RING_MASK;
        have -= len;
    }
    finish(lex, text, &st, &lx)
}

fn finish(lex: &Lexicon, text: &str, st: &State, lx: &Lexer) -> Triage {
    let m = &lex.model;
    let about = st.addressed || st.product > 0;
    let mut distress = st.distress;
    let weak = if about {
        st.problem
    } else {
        st.problem * m.problem_unaddressed
    };
    // Deadlines and occasions only matter next to a problem: "tonight" alone is not distress.
    let deadline_counts =
        st.complaint + st.escalation + st.distress + st.problem > 0.0 || (about && st.neg > 0.0);
    if deadline_counts {
        distress += st.deadline;
    }
    let problem = st.complaint + weak + st.escalation + st.sarcasm + distress;
    let pos_eff = if problem > 0.0 || st.neg > st.pos {
        st.pos * m.positive_with_problem
    } else {
        st.pos
    };
    let mut z = m.bias + m.negative * st.neg - m.positive * pos_eff
        + st.complaint
        + weak
        + st.escalation
        + distress;
    if st.sarcasm > 0.0 {
        z += st.sarcasm + m.sarcasm_bonus;
    }
    let negators = st.negators.min(m.negator_cap);
    if about {
        z += m.addressed + st.request + st.time + negators + st.topic;
        if lx.qmarks > 0 {
            z += m.question;
        }
    } else {
        z += m.request_unaddressed * st.request
            + 0.5 * (st.time + negators)
            + m.topic_unaddressed * st.topic;
    }
    if lx.excl > 0 && st.neg > st.pos {
        z += m.exclaim * (lx.excl.min(3) as f32);
    }
    if st.caps > 0 && (st.neg > 0.0 || problem > 0.0) {
        z += m.caps;
    }
    if st.crisis {
        z = z.max(3.5);
    }
    let score = 1.0 / (1.0 + (-z).exp());
    let category = if st.crisis {
        Category::Distress
    } else if score >= 0.5 {
        if distress >= m.distress_min {
            Category::Distress
        } else {
            Category::Complaint
        }
    } else if lx.qmarks > 0 || st.request > 0.0 {
        Category::Question
    } else if pos_eff >= m.praise_min {
        Category::Praise
    } else {
        Category::Neutral
    };
    let mut reasons = Vec::new();
    if category.needs_attention()
        && let Some((s, e)) = st.mention_span
    {
        reasons.push(Reason {
            cue: format!("addressed to {}", &text[s as usize..e as usize]),
            start: s as usize,
            end: e as usize,
        });
    }
    for r in &st.reasons[..st.n_reasons] {
        if matches!(r.label, Label::Deadline(_)) && !deadline_counts {
            continue;
        }
        let (s, e) = (r.start as usize, r.end as usize);
        let words = &text[s..e];
        let label: &str = match r.label {
            Label::Cue(l) | Label::Deadline(l) => &lex.labels[l as usize],
            Label::Negated => "negated",
            Label::Time => "time elapsed",
            Label::Sarcasm => "sarcasm",
            Label::Crisis => CRISIS_LABEL,
        };
        let mut cue = String::with_capacity(label.len() + 2 + words.len());
        cue.push_str(label);
        cue.push_str(": ");
        cue.push_str(words);
        reasons.push(Reason {
            cue,
            start: s,
            end: e,
        });
    }
    Triage {
        category,
        score,
        reasons,
    }
}
