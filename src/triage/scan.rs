//! Classification: a phrase lookup with a few tokens of lookahead over the tokenizer's output, and a small state
//! machine for negation scope, intensifiers, contrast, time elapsed and sarcasm. Reasons are collected as spans
//! and only turned into strings at the end.

use super::lexer::{
    CAPS, CLAUSE, ELONG, Lexer, MENTION, NUM, OTHER, SENT, TAG, Tok, combine, fix0,
    hash_bytes_lower, low_bits, squeeze_hash,
};
use super::lexicon::{
    ADDRESSED, CRISIS, Kind, Lexicon, MAX_PHRASE, NEGATED, NO_CUE, SARCASM, TIME,
};
use super::quotes::Quotes;
use super::{Category, Reason, ShopContext, Triage};
use std::cell::RefCell;

#[derive(Clone, Copy)]
struct RawReason {
    /// Id in [`Lexicon::labels`].
    label: u16,
    /// A deadline cue: shown only when it counted (next to a problem).
    deadline: bool,
    start: u32,
    end: u32,
}

const MAX_REASONS: usize = 12;

/// How much negative feeling a negated praise word (or fix) carries: "not happy", "never sorted it".
const NEGATED_PRAISE: f32 = 0.8;

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
    tears: f32,
    complaint: f32,
    request: f32,
    escalation: f32,
    distress: f32,
    deadline: f32,
    topic: f32,
    /// A service word fired: the post is about a business.
    service: bool,
    problem: f32,
    resolved: f32,
    hypothetical: bool,
    /// An [`Kind::Enquiry`] phrase fired: the post asks what the shop does.
    enquiry: bool,
    own: bool,
    /// Words so far (not handles); a handle before the first word addresses the post.
    words: u32,
    sarcasm: f32,
    negators: f32,
    time: f32,
    crisis: bool,
    product: u16,
    /// An [`Kind::Ask`] phrase fired.
    asks: bool,
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
            tears: 0.0,
            complaint: 0.0,
            request: 0.0,
            escalation: 0.0,
            distress: 0.0,
            deadline: 0.0,
            topic: 0.0,
            service: false,
            problem: 0.0,
            resolved: 0.0,
            hypothetical: false,
            enquiry: false,
            own: false,
            words: 0,
            sarcasm: 0.0,
            negators: 0.0,
            time: 0.0,
            crisis: false,
            product: 0,
            asks: false,
            caps: 0,
            last_num: u32::MAX,
            num_start: 0,
            since_at: u32::MAX,
            since_start: 0,
            last_pos_word: u32::MAX,
            last_pos_span: (0, 0),
            reasons: [RawReason {
                label: 0,
                deadline: false,
                start: 0,
                end: 0,
            }; MAX_REASONS],
            n_reasons: 0,
        }
    }

    /// "great, another delay": a praise word up to four tokens before a strong complaint or escalation cue is
    /// sarcasm.
    #[inline]
    fn sarcasm_before_problem(&mut self, weight: f32, idx: u32) {
        if weight >= 1.0
            && self.last_pos_word != u32::MAX
            && idx.wrapping_sub(self.last_pos_word) <= 4
        {
            self.sarcasm += 0.5;
            let (s, e) = self.last_pos_span;
            self.reason(SARCASM, s, e);
            self.last_pos_word = u32::MAX;
        }
    }

    #[inline]
    fn reason(&mut self, label: u16, start: u32, end: u32) {
        self.push_reason(label, false, start, end);
    }

    #[inline]
    fn push_reason(&mut self, label: u16, deadline: bool, start: u32, end: u32) {
        if self.n_reasons < MAX_REASONS {
            self.reasons[self.n_reasons] = RawReason {
                label,
                deadline,
                start,
                end,
            };
            self.n_reasons += 1;
        }
    }

    /// `k` plain words (no cue, no phrase, no number, no handle), after a clause break if `bound`. (Capitals are
    /// counted as the batch is read.)
    #[inline]
    fn skip(&mut self, k: usize, bound: bool) {
        self.idx += k as u32;
        self.words += k as u32;
        self.neg_scope = self.neg_scope.saturating_sub(k.min(255) as u8);
        self.clause_break(bound);
    }

    /// The token at `idx`, ending at `end`, right after "since" ("since Monday", "since 9am", "since my
    /// order"): time spent waiting, worth `weight`. Whether it was.
    #[inline]
    fn since_anchor(&mut self, idx: u32, weight: f32, end: u32) -> bool {
        let anchored = self.since_at.wrapping_add(1) == idx;
        if anchored {
            self.time += weight;
            self.reason(TIME, self.since_start, end);
        }
        anchored
    }

    /// A negation's scope opens at `start`: the next three words.
    #[inline]
    fn negate_from(&mut self, start: u32) {
        self.neg_scope = 3;
        self.neg_start = start;
    }

    /// A clause or sentence break (if `bound`) ends a negation's scope and an intensifier's reach. Without
    /// branches: breaks come and go with the text.
    #[inline]
    fn clause_break(&mut self, bound: bool) {
        self.neg_scope = if bound { 0 } else { self.neg_scope };
        self.intens = if bound { 1.0 } else { self.intens };
    }

    #[inline]
    fn feed(&mut self, lex: &Lexicon, cue: u32, first: Tok, last: Tok) {
        self.idx += 1;
        let idx = self.idx;
        self.clause_break(first.gap & (CLAUSE | SENT) != 0);
        let (start, end) = (first.start, last.end);
        if first.flags & MENTION != 0 {
            if first.flags & OTHER != 0 {
                return;
            }
            self.addressed |= self.words == 0;
            if self.mention_span.is_none() {
                self.mention_span = Some((start, end));
            }
            return;
        }
        self.words += 1;
        if first.flags & NUM != 0 && cue == NO_CUE {
            self.last_num = idx;
            self.num_start = start;
            self.since_anchor(idx, 0.8, end);
            return;
        }
        if cue == NO_CUE {
            self.neg_scope = self.neg_scope.saturating_sub(1);
            return;
        }
        let c = lex.cues[cue as usize];
        let w = c.weight;
        let label = c.label;
        match c.kind {
            Kind::Negative | Kind::Positive | Kind::Tears => {
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
                    (Kind::Tears, false) => {
                        self.tears += v * self.after;
                        self.reason(label, start, end);
                    }
                    (Kind::Negative | Kind::Tears, true) => {
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
                        self.neg += v * NEGATED_PRAISE * self.after;
                        self.reason(NEGATED, self.neg_start, end);
                    }
                }
            }
            Kind::Negator => {
                self.negate_from(start);
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
                self.tears *= 0.5;
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
                self.push_reason(c.label, true, start, end);
            }
            Kind::Problem => {
                self.problem += w;
                self.reason(label, start, end);
            }
            Kind::Topic | Kind::LetDown => {
                self.topic += w;
                self.service |= c.kind == Kind::Topic;
                self.reason(label, start, end);
            }
            Kind::Crisis => {
                self.crisis = true;
                self.reason(CRISIS, start, end);
            }
            Kind::Sarcasm => {
                self.sarcasm += w;
                self.reason(label, start, end);
            }
            Kind::TimeUnit => {
                if self.last_num.wrapping_add(1) == idx {
                    self.time += w;
                    self.reason(TIME, self.num_start, end);
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
                self.since_anchor(idx, w, end);
            }
            Kind::Ignore => {}
            Kind::Hypothetical => {
                self.hypothetical |= self.words == 1;
            }
            Kind::Resolved => {
                if self.neg_scope > 0 {
                    // "you never sorted it": a fix that did not happen, as a negated praise word counts.
                    self.neg += NEGATED_PRAISE * self.after;
                    self.reason(NEGATED, self.neg_start, end);
                } else {
                    self.resolved += w;
                    self.reason(label, start, end);
                }
            }
            Kind::Own => {
                self.own = true;
                self.topic += w;
                // "since my order": when the wait began, as an anchor (with its own weight).
                if !self.since_anchor(idx, w, end) {
                    self.reason(label, start, end);
                }
            }
            Kind::Product => {
                self.product += 1;
                self.reason(label, start, end);
            }
            Kind::Ask => {
                self.asks = true;
                self.reason(label, start, end);
            }
            Kind::Enquiry => {
                self.enquiry = true;
                self.reason(label, start, end);
            }
        }
    }
}

/// Tokens are read in batches and looked up as they are read: the lookups of a batch do not wait on one another,
/// so their cache misses overlap. A batch holds a whole ordinary post; longer texts slide through it.
const BATCH: usize = 48;
const _: () = assert!(BATCH > 2 * MAX_PHRASE);

/// The cue of a word its own hash did not find: an elongated word squeezed ("sooo" is "so"), or a hashtag
/// running a cue word together with others (#brandfail).
#[cold]
fn second_look(lex: &Lexicon, t: &Tok, text: &[u8]) -> u32 {
    let word = &text[t.start as usize..t.end as usize];
    let mut cue = NO_CUE;
    if t.flags & ELONG != 0 {
        cue = lex.get(squeeze_hash(word)).0;
    }
    if cue == NO_CUE && t.flags & TAG != 0 {
        cue = lex.hashtag_cue(word);
    }
    cue
}

/// The key a handle is known by: its first part, lower-cased (`marlowfinch` for `@marlowfinch@mastodon.social`
/// and `marlowfinch.bsky.social`), which is what the tokenizer sees of a mention; 0 for none.
pub(crate) fn handle_key(handle: &str) -> u64 {
    let name = handle.trim_start_matches('@');
    let end = name
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(name.len());
    if end == 0 {
        0
    } else {
        hash_bytes_lower(&name.as_bytes()[..end])
    }
}

/// The token batch, kept per thread: filling these afresh for every post (1.4 KB of stores) cost about a tenth
/// of a short post's time. Nothing in them is read before it is written for the post at hand.
struct Batch {
    toks: [Tok; BATCH],
    /// Per token: its own cue (or NO_CUE) and the longest phrase that may start at it.
    cues: [u32; BATCH],
    spans: [u8; BATCH],
}

impl Batch {
    const fn new() -> Batch {
        Batch {
            toks: [Tok::EMPTY; BATCH],
            cues: [NO_CUE; BATCH],
            spans: [1; BATCH],
        }
    }
}

thread_local! {
    static BATCHES: RefCell<Batch> = const { RefCell::new(Batch::new()) };
}

/// `shop`: the shop's [`handle_key`]s; empty when unknown, and then any leading mention counts as the shop.
pub(crate) fn classify(lex: &Lexicon, shop: &[u64], text: &str, context: ShopContext) -> Triage {
    BATCHES.with(|cell| match cell.try_borrow_mut() {
        Ok(mut batch) => classify_in(&mut batch, lex, shop, text, context),
        // Only if a classification ever ran inside another on this thread.
        Err(_) => classify_in(&mut Batch::new(), lex, shop, text, context),
    })
}

fn classify_in(
    batch: &mut Batch,
    lex: &Lexicon,
    shop: &[u64],
    text: &str,
    context: ShopContext,
) -> Triage {
    let Batch { toks, cues, spans } = batch;
    let mut lx = Lexer::new(text);
    let mut st = State::new();
    // Quoted words are someone else's only in a regular's life (see `quotes`).
    let mut quotes = (context == ShopContext::NotMentioned).then(Quotes::new);
    // Bit j: token j needs the state machine (a cue or a phrase may start there, a handle, a number); the others
    // are plain words, counted in bulk, so the state machine has no branch per word on whether it has a cue (a
    // coin toss). `bounds`: tokens after a clause or sentence break.
    let (mut wanted, mut bounds) = (0u64, 0u64);
    let (mut i, mut n, mut done) = (0usize, 0usize, false);
    loop {
        if !done && n - i < MAX_PHRASE {
            if i > 0 {
                toks.copy_within(i..n, 0);
                cues.copy_within(i..n, 0);
                spans.copy_within(i..n, 0);
                (wanted, bounds) = (wanted >> i, bounds >> i);
                n -= i;
                i = 0;
            }
            let got = lx.fill(&mut toks[n..]);
            done = n + got < BATCH;
            for j in n..n + got {
                let t = &mut toks[j];
                let (mut cue, span) = if t.flags & MENTION != 0 {
                    let name = &text.as_bytes()[t.start as usize + 1..t.end as usize];
                    if !shop.is_empty() && !shop.contains(&hash_bytes_lower(name)) {
                        t.flags |= OTHER;
                    }
                    (NO_CUE, 1)
                } else {
                    let (c, l, _) = lex.get(t.h);
                    (c, l)
                };
                if t.flags & (ELONG | TAG) != 0 && cue == NO_CUE {
                    cue = second_look(lex, t, text.as_bytes());
                }
                cues[j] = cue;
                let (flags, gap) = (t.flags, t.gap);
                // A phrase start counts only if the next token may go on with it; the last token read may
                // start a phrase that goes on in the next batch. No branches: either way is common.
                let next = toks[(j + 1).min(BATCH - 1)].h;
                let phrase = (span > 1) & (lex.may_pair(toks[j].h, next) | (j + 1 == n + got));
                spans[j] = if phrase { span } else { 1 };
                let want = (cue != NO_CUE) | phrase | (flags & (MENTION | NUM) != 0);
                st.caps += (flags & CAPS != 0) as u16;
                wanted |= (want as u64) << j;
                bounds |= ((gap & (CLAUSE | SENT) != 0) as u64) << j;
            }
            n += got;
        }
        // Plain words up to the next wanted token (or the batch's end).
        let next = (i + (wanted >> i).trailing_zeros() as usize).min(n);
        st.skip(next - i, (bounds & low_bits(next)) >> i != 0);
        i = next;
        if !done && n - i < MAX_PHRASE {
            continue; // a phrase starting here may need the tokens after the batch
        }
        if i >= n {
            break;
        }
        let mut cue = cues[i];
        let mut last = i;
        if spans[i] > 1 {
            let mut k = toks[i].h;
            let end = (i + spans[i] as usize).min(n);
            for (j, t) in toks.iter().enumerate().take(end).skip(i + 1) {
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
                    last = j;
                }
            }
        }
        if cue != NO_CUE
            && let Some(q) = &mut quotes
            && q.mutes(text.as_bytes(), toks[i].start as usize)
        {
            cue = NO_CUE;
        }
        st.feed(lex, cue, toks[i], toks[last]);
        // A phrase ending in a negator ("still haven't", "still not") negates what follows, as the word would;
        // unless the phrase is one never to flag ("if I weren't so gutted" is gutted).
        if last > i && lex.is_negator(cues[last]) && lex.cues[cue as usize].kind != Kind::Ignore {
            st.negate_from(toks[last].start);
        }
        i = last + 1;
    }
    // Read only in the rare post with three exclamation marks or more.
    let cheer = lx.excl >= 3 && text.contains("!!!");
    finish(lex, &st, &lx, context, cheer)
}

/// `cheer`: the post has a run of three exclamation marks or more ("we have a venue!!!").
fn finish(lex: &Lexicon, st: &State, lx: &Lexer, context: ShopContext, cheer: bool) -> Triage {
    let m = &lex.model;
    let about = st.mention_span.is_some() || st.product > 0 || st.own;
    let mut distress = st.distress;
    // A post naming no business (no shop, order, service, money, wait or request) and in no trouble: its
    // problem words are about life ("one twin has a loose tooth"), not a service.
    let business = about
        || st.service
        || st.complaint + st.escalation + st.distress + st.request + st.time > 0.0;
    // Ingest knows the post neither addresses nor names the shop: with no dealings with a business in its
    // words either, its feelings are about life as its problem words are ("the other twin is furious about
    // it"). There a span of time in passing ("wedding countdown: 3 days") names no business unless a problem
    // word goes with it ("late again, 3 days"), nor does a plain question word ("is there"); a service word, the
    // customer's own dealings, a grievance or a chase do.
    let dealing = about
        || st.service
        || st.complaint + st.escalation + st.distress > 0.0
        || st.request >= m.chase
        || (st.time > 0.0 && st.problem > 0.0);
    let life = !dealing && context == ShopContext::NotMentioned;
    // General problem words count a fifth in a post naming no business, and in a regular's life. There (ingest
    // knows it) they name no problem with a business at all ("the sheep joke landed"): no occasion becomes a
    // deadline beside them, and they spoil no joy or praise.
    let life_words = !business || life;
    let named_problem =
        st.complaint + st.escalation + st.distress + if life { 0.0 } else { st.problem };
    // Happy tears: a post with more joy than other negative feeling and no problem named.
    let joy = st.pos > st.neg && named_problem + st.sarcasm + st.time == 0.0;
    let feeling = if joy { st.neg } else { st.neg + st.tears };
    let weak = if about {
        st.problem
    } else {
        st.problem * m.problem_unaddressed
    };
    // "will the strike delay my parcel?": a worry about what may happen, not a grievance; "do you restring
    // pearls? mine snapped": an enquiry, the trouble is what the customer brings. But "will one of you please
    // answer the phone?" chases the shop.
    let worry = (st.hypothetical || st.enquiry)
        && lx.qmarks > 0
        && st.complaint + st.escalation + st.distress + st.sarcasm + st.time == 0.0
        && st.request < m.chase;
    // Deadlines and occasions only matter next to a problem that happened: "tonight" alone is not distress,
    // nor is a birthday present a worry is about.
    let deadline_counts = !worry && (named_problem > 0.0 || (about && feeling > 0.0));
    if deadline_counts {
        distress += st.deadline;
    }
    // In a worry, what marks a grievance (negative and problem words, and for a post to the shop its negators
    // and service words) is part of the question: "will the warranty cover a cracked screen?", "if I switch,
    // won't I pay exit fees?".
    let calm = if worry { m.worry } else { 1.0 };
    let weak = if life_words { weak * m.personal } else { weak };
    let mood = feeling * calm;
    let (neg, weak) = (if life { mood * m.personal } else { mood }, weak * calm);
    let grievance = st.complaint + st.escalation + st.sarcasm + distress;
    let problem = grievance + weak;
    // Praise in a sarcastic post is the irony itself ("wow thanks for the price rise, truly innovative 👏").
    let pos_eff = if st.sarcasm > 0.0 {
        0.0
    } else if (if life { grievance } else { problem }) > 0.0 || mood > st.pos {
        st.pos * m.positive_with_problem
    } else {
        st.pos
    };
    let mut z = m.bias + m.negative * neg - m.positive * pos_eff
        + st.complaint
        + weak
        + st.escalation
        + distress
        - st.resolved;
    if st.sarcasm > 0.0 {
        z += st.sarcasm + m.sarcasm_bonus;
    }
    let negators = st.negators.min(m.negator_cap) * calm;
    let topic = st.topic * calm;
    // Time taken to put a problem right is not time spent waiting.
    // Time in a life is no wait on a business: it counts as the life's feelings do.
    let time = if st.resolved > 0.0 {
        0.0
    } else if life {
        st.time * m.personal
    } else {
        st.time
    };
    if about {
        z += st.request + time + negators + topic;
        if st.addressed || st.product > 0 {
            z += m.addressed;
        }
        if lx.qmarks > 0 {
            z += m.question;
        }
    } else {
        z += m.request_unaddressed * st.request
            + 0.5 * (time + negators)
            + m.topic_unaddressed * topic;
    }
    if lx.excl > 0 && neg > st.pos {
        z += m.exclaim * (lx.excl.min(3) as f32);
    }
    if st.caps > 0 && (neg > 0.0 || problem > 0.0) {
        z += m.caps;
    }
    if st.crisis {
        z = z.max(3.5);
    }
    let score = 1.0 / (1.0 + (-z).exp());
    // A problem put right or a rescue is a story of good service, as praise is.
    // Good news told with a run of exclamation marks (three: two is emphasis) and no bad feeling, problem, negation or irony is joy
    // however plain its words ("we have a venue!!!").
    let cheering = cheer
        && st.neg + st.tears + st.negators + st.sarcasm == 0.0
        && problem + named_problem == 0.0;
    let praise = pos_eff
        + if st.sarcasm > 0.0 { 0.0 } else { st.resolved }
        + if cheering { m.praise_min } else { 0.0 };
    // A question is one to a business: the shop (or a post naming it), a service, an order; or one asked in
    // so many words ("can anyone recommend...?"). A question mark in chatter is rhetorical ("Am I 12? Yes."),
    // and "I need a hug" asks nothing of anyone. Praise phrased as a question ("who does that?") is praise,
    // unless the post turns to the shop to ask it or chases.
    let shop_in_it = about || st.service || context == ShopContext::Mentioned;
    let to_shop = st.mention_span.is_some() || context == ShopContext::Mentioned;
    let asks = (lx.qmarks > 0 || (st.request > 0.0 && to_shop))
        && (shop_in_it || (lx.qmarks > 0 && st.asks))
        && (praise < m.praise_over_question || st.mention_span.is_some() || st.request >= m.chase);
    let category = if st.crisis {
        Category::Distress
    } else if score >= 0.5 {
        if distress >= m.distress_min {
            Category::Distress
        } else {
            Category::Complaint
        }
    } else if asks {
        Category::Question
    } else if praise >= m.praise_min {
        Category::Praise
    } else {
        Category::Neutral
    };
    let addressed_reason = if category.needs_attention() {
        st.mention_span
    } else {
        None
    };
    let label = |id: u16| lex.labels[id as usize];
    let mut reasons = Vec::with_capacity(st.n_reasons + addressed_reason.is_some() as usize);
    if let Some((s, e)) = addressed_reason {
        reasons.push(Reason {
            label: label(ADDRESSED),
            start: s as usize,
            end: e as usize,
        });
    }
    for r in &st.reasons[..st.n_reasons] {
        if r.deadline && !deadline_counts {
            continue;
        }
        reasons.push(Reason {
            label: label(r.label),
            start: r.start as usize,
            end: r.end as usize,
        });
    }
    Triage {
        category,
        score,
        reasons,
    }
}
