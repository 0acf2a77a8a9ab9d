//! Classification: a phrase lookup with a few tokens of lookahead over the tokenizer's output, and a small state
//! machine for negation scope, intensifiers, contrast, time elapsed and sarcasm. Reasons are collected as spans
//! and only turned into strings at the end.

use super::lexer::{
    CAPS, CLAUSE, ELONG, Lexer, MENTION, NUM, SENT, Tok, combine, fix0, squeeze_hash,
};
use super::lexicon::{Kind, Lexicon, MAX_PHRASE, NO_CUE};
use super::{Category, Reason, Triage};

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

const ADDRESSED: &str = "addressed to ";

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

    /// "great, another delay": a praise word up to three words before a strong problem cue is sarcasm.
    #[inline]
    fn sarcasm_before_problem(&mut self, weight: f32, idx: u32) {
        if weight >= 1.0
            && self.last_pos_word != u32::MAX
            && idx.wrapping_sub(self.last_pos_word) <= 3
        {
            self.sarcasm += 0.5;
            let (s, e) = self.last_pos_span;
            self.reason(Label::Sarcasm, s, e);
            self.last_pos_word = u32::MAX;
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
                self.sarcasm_before_problem(w, idx);
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
                self.sarcasm_before_problem(w, idx);
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

/// Tokens read ahead to match a phrase; only filled when a token starts a phrase.
const RING: usize = 8;
const RING_MASK: usize = RING - 1;
const _: () = assert!(RING >= MAX_PHRASE);

pub(crate) fn classify(lex: &Lexicon, text: &str) -> Triage {
    let mut lx = Lexer::new(text);
    let mut st = State::new();
    // win[(head + i) & RING_MASK] is the i-th token after the current one.
    let mut win = [Tok::default(); RING];
    let mut head = 0usize;
    let mut have = 0usize;
    let mut done = false;
    loop {
        let t0 = if have > 0 {
            let t = win[head];
            head = (head + 1) & RING_MASK;
            have -= 1;
            t
        } else {
            match lx.next_token() {
                Some(t) => t,
                None => break,
            }
        };
        if t0.flags & MENTION != 0 {
            st.feed(lex, NO_CUE, t0, t0);
            continue;
        }
        let (mut cue, max_len, _) = lex.get(t0.h);
        if cue == NO_CUE && t0.flags & ELONG != 0 {
            cue = lex
                .get(squeeze_hash(
                    &text.as_bytes()[t0.start as usize..t0.end as usize],
                ))
                .0;
        }
        let mut last = t0;
        if max_len > 1 {
            let want = max_len as usize - 1;
            while !done && have < want {
                match lx.next_token() {
                    Some(t) => {
                        win[(head + have) & RING_MASK] = t;
                        have += 1;
                    }
                    None => done = true,
                }
            }
            let mut k = t0.h;
            let mut used = 0;
            for i in 0..want.min(have) {
                let t = win[(head + i) & RING_MASK];
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
                    used = i + 1;
                    last = t;
                }
            }
            head = (head + used) & RING_MASK;
            have -= used;
        }
        st.feed(lex, cue, t0, last);
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
    let addressed_reason = if category.needs_attention() {
        st.mention_span
    } else {
        None
    };
    let mut reasons = Vec::with_capacity(st.n_reasons + addressed_reason.is_some() as usize);
    if let Some((s, e)) = addressed_reason {
        let handle = &text[s as usize..e as usize];
        let mut cue = String::with_capacity(ADDRESSED.len() + handle.len());
        cue.push_str(ADDRESSED);
        cue.push_str(handle);
        reasons.push(Reason {
            cue,
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
