//! The tokenizer: one pass over the post's bytes, hashing normalized words as it goes (lower-cased, elongation
//! squeezed, curly apostrophes folded), with spans, flags (number, caps, elongated, @mention, hashtag, emoji)
//! and the punctuation seen between tokens. No allocation.
//!
//! Two paths give the same tokens (a test checks them against each other on random text): the plain path reads
//! runs of ASCII words and numbers from 64-byte blocks of byte classes ([`Block`]), many tokens per call; the
//! careful path reads a token byte by byte and takes everything else (handles, hashtags, links, emoji,
//! emoticons, entities, non-ASCII, elongation).

use super::bytes::Block;

pub(crate) const NUM: u8 = 1;
pub(crate) const CAPS: u8 = 2;
pub(crate) const ELONG: u8 = 4;
pub(crate) const MENTION: u8 = 8;
pub(crate) const TAG: u8 = 16;
pub(crate) const SYM: u8 = 32;
/// On a [`MENTION`]: someone other than the shop (set by the scanner when it knows the shop's handles).
pub(crate) const OTHER: u8 = 64;

/// Punctuation seen between the previous token and this one.
pub(crate) const CLAUSE: u8 = 1;
pub(crate) const SENT: u8 = 2;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

#[inline]
pub(crate) fn fnv(h: u64, b: u8) -> u64 {
    (h ^ b as u64).wrapping_mul(FNV_PRIME)
}

#[inline]
pub(crate) fn fix0(h: u64) -> u64 {
    if h == 0 { 1 } else { h }
}

/// Word hash: the normalized bytes are packed little-endian into 64-bit chunks, each chunk mixed in with one
/// multiply, and the length folded in at the end. [`WordHash`] feeds it a byte at a time (rare paths); the
/// tokenizer's other paths hash a plain ASCII span eight bytes at a time, with the same result.
const WK: u64 = 0x9E37_79B9_7F4A_7C15;
const WSEED: u64 = 0x243F_6A88_85A3_08D3;

#[inline(always)]
fn wmix(h: u64, w: u64) -> u64 {
    (h ^ w).wrapping_mul(WK).rotate_left(31)
}

#[inline(always)]
fn wfinish(h: u64, len: usize) -> u64 {
    // One multiply leaves every bit of `h` in the high bits, which are all a lookup reads (bucket, fingerprint).
    fix0((h ^ len as u64).wrapping_mul(0xFF51_AFD7_ED55_8CCD))
}

/// The word hash fed one byte at a time.
#[derive(Clone, Copy)]
pub(crate) struct WordHash {
    h: u64,
    acc: u64,
    n: u32,
    len: usize,
}

impl WordHash {
    #[inline]
    pub fn new() -> WordHash {
        WordHash {
            h: WSEED,
            acc: 0,
            n: 0,
            len: 0,
        }
    }

    #[inline]
    pub fn push(&mut self, b: u8) {
        self.acc |= (b as u64) << (8 * self.n);
        self.n += 1;
        self.len += 1;
        if self.n == 8 {
            self.h = wmix(self.h, self.acc);
            self.acc = 0;
            self.n = 0;
        }
    }

    #[inline]
    pub fn finish(self) -> u64 {
        let h = if self.n > 0 {
            wmix(self.h, self.acc)
        } else {
            self.h
        };
        wfinish(h, self.len)
    }
}

/// Hash of `b[start..end]` with every byte OR 0x20 (lower-cases ASCII letters, keeps digits and `'`), eight
/// bytes at a time: the same as [`WordHash`] fed those bytes.
#[inline(always)]
fn hash_span_lower(b: &[u8], start: usize, end: usize) -> u64 {
    let mut h = WSEED;
    let mut i = start;
    while i + 8 <= end {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[i..i + 8]);
        h = wmix(h, u64::from_le_bytes(w) | LOW);
        i += 8;
    }
    let r = end - i;
    if r > 0 {
        let w = if i + 8 <= b.len() {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[i..i + 8]);
            u64::from_le_bytes(w)
        } else {
            let mut w = [0u8; 8];
            w[..r].copy_from_slice(&b[i..end]);
            u64::from_le_bytes(w)
        };
        let mask = u64::MAX >> (64 - 8 * r as u32);
        h = wmix(h, (w | LOW) & mask);
    }
    wfinish(h, end - start)
}

/// Where [`Lexer::plain_run`] reads a block up to: a word's end is known only with the byte after it.
const TRUSTED: usize = 63;

/// Where [`Lexer::plain_run`] stopped.
enum Next {
    /// `out` is full.
    Full,
    End,
    /// A token or its gap runs past the block.
    PastBlock,
    Careful,
}

/// Whether `bits` has three or more set: clearing the lowest twice leaves some.
#[inline(always)]
fn at_least_three(bits: u64) -> bool {
    let past_two = bits & bits.wrapping_sub(1);
    past_two & past_two.wrapping_sub(1) != 0
}

/// The low `n` bits set (n < 64).
#[inline(always)]
pub(crate) fn low_bits(n: usize) -> u64 {
    (1u64 << n) - 1
}

const LOW: u64 = 0x2020_2020_2020_2020;
const HIGH: u64 = 0x8080_8080_8080_8080;
const SEVEN: u64 = 0x7F7F_7F7F_7F7F_7F7F;

/// Eight bytes from `b[i..]`, zero-padded past the end.
#[inline(always)]
fn load8(b: &[u8], i: usize) -> u64 {
    let mut w = [0u8; 8];
    if i + 8 <= b.len() {
        w.copy_from_slice(&b[i..i + 8]);
    } else if i < b.len() {
        w[..b.len() - i].copy_from_slice(&b[i..]);
    }
    u64::from_le_bytes(w)
}

/// The low `k` bytes of a word set (k <= 8).
#[inline(always)]
fn low_bytes(k: u32) -> u64 {
    if k >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * k)) - 1
    }
}

/// The high bit of each byte of `w` that is an ASCII letter. Bytes are compared within themselves: seven-bit
/// values plus at most 0x1F cannot carry into their neighbour.
#[inline(always)]
fn alpha_mask(w: u64) -> u64 {
    let l = (w | LOW) & SEVEN;
    let from_a = l.wrapping_add(0x1F1F_1F1F_1F1F_1F1F); // high bit: >= 'a'
    let past_z = l.wrapping_add(0x0505_0505_0505_0505); // high bit: > 'z'
    from_a & !past_z & !w & HIGH
}

/// The high bit of each byte of `w` that can be part of a handle: an ASCII letter or digit, or `_`.
#[inline(always)]
fn handle_mask(w: u64) -> u64 {
    let l = w & SEVEN;
    let from_0 = l.wrapping_add(0x5050_5050_5050_5050); // high bit: >= '0'
    let past_9 = l.wrapping_add(0x4646_4646_4646_4646); // high bit: > '9'
    let digits = from_0 & !past_9 & !w & HIGH;
    let u = w ^ 0x5F5F_5F5F_5F5F_5F5F;
    let underscores = !(((u & SEVEN).wrapping_add(SEVEN)) | u) & HIGH;
    alpha_mask(w) | digits | underscores
}

/// [`hash_span_lower`] of a word of `len <= 8` bytes already loaded in `w`.
#[inline(always)]
fn hash8(w: u64, len: usize) -> u64 {
    wfinish(wmix(WSEED, (w | LOW) & low_bytes(len as u32)), len)
}

/// Hash of a plain ASCII word, the same as the tokenizer gives it.
pub(crate) fn hash_bytes_lower(b: &[u8]) -> u64 {
    let mut h = WordHash::new();
    for c in b {
        h.push(c.to_ascii_lowercase());
    }
    h.finish()
}

/// Hash of a token sequence from the tokens' hashes.
#[inline]
pub(crate) fn combine(k: u64, t: u64) -> u64 {
    (k.rotate_left(23) ^ t).wrapping_mul(0xff51_afd7_ed55_8ccd)
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok {
    pub h: u64,
    pub start: u32,
    pub end: u32,
    pub flags: u8,
    pub gap: u8,
}

impl Tok {
    pub const EMPTY: Tok = Tok {
        h: 0,
        start: 0,
        end: 0,
        flags: 0,
        gap: 0,
    };
}

pub(crate) struct Lexer<'a> {
    b: &'a [u8],
    pos: usize,
    in_tag: bool,
    /// Byte classes around `pos`, for [`Lexer::plain_run`].
    blk: Block,
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
            blk: Block::load(text.as_bytes(), 0),
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

    /// Fills `out` with the next tokens and returns how many; fewer than `out.len()` only at the end of the text.
    /// Tokens are written in place: a returned token was assembled on the stack and copied whole, and that copy
    /// stalled on store forwarding.
    #[inline]
    pub fn fill(&mut self, out: &mut [Tok]) -> usize {
        let mut n = 0;
        while n < out.len() {
            if !self.in_tag {
                if self.pos - self.blk.base >= TRUSTED {
                    self.blk = Block::load(self.b, self.pos);
                }
                let (got, next) = self.plain_run(&mut out[n..]);
                n += got;
                match next {
                    Next::Full | Next::End => return n,
                    // Load the block from here and go on; a block already starting here will not do better.
                    Next::PastBlock if self.pos > self.blk.base => {
                        self.blk = Block::load(self.b, self.pos);
                        continue;
                    }
                    Next::PastBlock | Next::Careful => {}
                }
            }
            if !self.careful_token(&mut out[n]) {
                break;
            }
            n += 1;
        }
        n
    }

    /// The plain tokens from `pos` on, read from the block's byte classes all at once: ASCII words and numbers
    /// after spaces and plain punctuation. It stops before anything else (handles, hashtags, emoji, emoticons,
    /// links, non-ASCII, elongation, entities): [`Lexer::careful_token`] reads that, and gives plain tokens the
    /// same way.
    #[inline(always)]
    fn plain_run(&mut self, out: &mut [Tok]) -> (usize, Next) {
        let blk = &self.blk;
        let rel = self.pos - blk.base;
        // Bits are relative to `pos` from here; bits from `known` on may change with the bytes after the block.
        let known = TRUSTED - rel;
        let alpha = blk.alpha >> rel;
        let digit = blk.digit >> rel;
        // A handle: `@` then the run of letters, digits and `_` after it. A carry added at the run's first byte
        // runs through it, so the run is where the sum differs.
        let handle_bytes = alpha | digit | blk.underscore >> rel;
        let mention = blk.at >> rel & (handle_bytes >> 1);
        let handle = (handle_bytes.wrapping_add(mention << 1) ^ handle_bytes) & handle_bytes;
        let (alpha_w, digit_w) = (alpha & !handle, digit & !handle);
        let inner_apos = blk.apos >> rel & (alpha_w >> 1) & (alpha_w << 1);
        let word = alpha_w | inner_apos;
        let starts = (word & !(word << 1)) | (digit_w & !(digit_w << 1));
        let lasts = (word & !(word >> 1)) | (digit_w & !(digit_w >> 1)) | (handle & !(handle >> 1));
        let elongated = blk.triple >> rel & alpha & (alpha >> 1) & (alpha >> 2);
        let stop = blk.special >> rel | (blk.link >> rel & starts & alpha) | elongated;
        let limit = (stop.trailing_zeros() as usize).min(known);
        // Token starts with punctuation in the gap before them: a bit added into a run of gap bytes carries out
        // of its end, onto the token after it.
        let gap = !(word | digit_w | handle | mention);
        let punct = blk.punct >> rel & gap;
        let marked = gap.wrapping_add(punct) & !gap;
        let starts = starts | mention;
        let lower = alpha & !(blk.upper >> rel);
        let at = self.pos;
        let (mut st, mut la) = (starts & low_bits(limit), lasts);
        let (mut n, mut prev) = (0, 0);
        while st != 0 && n < out.len() {
            let s = st.trailing_zeros() as usize;
            let e = la.trailing_zeros() as usize + 1;
            if e >= limit {
                break;
            }
            st &= st - 1;
            la &= la - 1;
            let span = low_bits(e - s) << s;
            // Without branches: "I" makes the capitals test a coin toss. (A token is letters or digits, never
            // both, so at most one of these is set.)
            let num = digit & span != 0;
            let caps = (lower & span == 0) & at_least_three(alpha & span);
            let flags = if mention >> s & 1 != 0 {
                MENTION
            } else {
                (num as u8 * NUM) | (caps as u8 * CAPS)
            };
            let gap = if marked >> s & 1 != 0 {
                self.punctuation(at + prev, at + s)
            } else {
                0
            };
            let len = e - s;
            // Handles are never looked up (they name people, not cues): no hash.
            let h = if flags == MENTION {
                1
            } else if len <= 8 {
                let i = (rel + s) & 63;
                let mut w = [0u8; 8];
                w.copy_from_slice(&self.blk.bytes[i..i + 8]);
                hash8(u64::from_le_bytes(w), len)
            } else {
                hash_span_lower(self.b, at + s, at + e)
            };
            out[n] = Tok {
                h,
                start: (at + s) as u32,
                end: (at + e) as u32,
                flags,
                gap,
            };
            n += 1;
            prev = e;
        }
        self.pos = at + prev;
        let next = if n == out.len() {
            Next::Full
        } else if limit < known {
            Next::Careful
        } else if self.b.len() - at < known {
            // The text ends inside the block, and only a gap is left.
            self.punctuation(self.pos, self.b.len());
            self.pos = self.b.len();
            Next::End
        } else {
            Next::PastBlock
        };
        (n, next)
    }

    /// The next token, byte by byte: every case.
    fn careful_token(&mut self, out: &mut Tok) -> bool {
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
                if (c | 0x20 == b'h' || c | 0x20 == b'w')
                    && matches!(self.at(self.pos + 1) | 0x20, b't' | b'w')
                    && self.skip_url()
                {
                    continue;
                }
                self.word(gap, out);
                return true;
            }
            self.in_tag = false;
            match c {
                b'@' if is_word_byte(self.at(self.pos + 1)) || self.at(self.pos + 1) == b'_' => {
                    let start = self.pos;
                    let mut p = start + 1;
                    loop {
                        let run = (!handle_mask(load8(self.b, p)) & HIGH).trailing_zeros() / 8;
                        p += run as usize;
                        if run < 8 {
                            break;
                        }
                    }
                    self.pos = p;
                    // Handles are never looked up (they name people, not cues): no hash.
                    *out = Tok {
                        h: 1,
                        start: start as u32,
                        end: self.pos as u32,
                        flags: MENTION,
                        gap,
                    };
                    return true;
                }
                b'#' if is_word_byte(self.at(self.pos + 1)) => {
                    self.pos += 1;
                    self.in_tag = true;
                    gap |= CLAUSE;
                    self.word(gap, out);
                    return true;
                }
                b':' | b';' | b'=' => {
                    if let Some(t) = self.emoticon(gap) {
                        *out = t;
                        return true;
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
                    *out = self.sym(start, gap);
                    return true;
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
                        self.word(gap, out);
                        return true;
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
                        _ => {
                            *out = self.sym(start, gap);
                            return true;
                        }
                    }
                }
                _ => {
                    gap |= self.punct(c);
                    self.pos += 1;
                }
            }
        }
        false
    }

    /// What a byte between tokens says: `? ! .` end a sentence, `, ( ) " [ ]` a clause. Counts `?` and `!`.
    #[inline]
    fn punct(&mut self, c: u8) -> u8 {
        match c {
            b'?' => {
                self.qmarks += 1;
                SENT
            }
            b'!' => {
                self.excl += 1;
                SENT
            }
            b'.' => SENT,
            b',' | b'(' | b')' | b'"' | b'[' | b']' => CLAUSE,
            _ => 0,
        }
    }

    /// [`Lexer::punct`] over `b[from..to]`.
    fn punctuation(&mut self, from: usize, to: usize) -> u8 {
        let mut gap = 0;
        for i in from..to {
            gap |= self.punct(self.b[i]);
        }
        gap
    }

    fn sym(&self, start: usize, gap: u8) -> Tok {
        let h = self.b[start..self.pos]
            .iter()
            .filter(|&&c| c != b'-')
            .fold(FNV_OFFSET, |h, &c| fnv(h, c));
        Tok {
            h: fix0(h),
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

    /// A word or number starting at `self.pos` (an ASCII letter or digit, or a non-ASCII letter).
    #[inline(always)]
    fn word(&mut self, gap: u8, out: &mut Tok) {
        let b = self.b;
        let n = b.len();
        let start = self.pos;
        let c0 = b[start];
        let flags = if self.in_tag { TAG } else { 0 };
        if c0.is_ascii_digit() {
            let mut p = start + 1;
            while p < n && b[p].is_ascii_digit() {
                p += 1;
            }
            self.pos = p;
            *out = Tok {
                h: hash_span_lower(b, start, p),
                start: start as u32,
                end: p as u32,
                flags: flags | NUM,
                gap,
            };
            return;
        }
        // Most words the careful path reads (in hashtags, after handles and emoticons): up to seven ASCII
        // letters ended by a plain ASCII byte, in one load.
        let first = load8(b, start);
        let letters = alpha_mask(first);
        let run = (!letters & HIGH).trailing_zeros() / 8;
        let after = first.checked_shr(8 * run).unwrap_or(0) as u8; // 0 past the end of the text
        if run < 8 && after != b'\'' && after < 0x80 {
            let keep = low_bytes(run);
            let lower = first & (letters & keep) >> 2;
            let upper = !first & (letters & keep) >> 2;
            let len = run as usize;
            if !(elongated8(first, len) || upper != 0 && self.in_tag) {
                self.pos = start + len;
                *out = Tok {
                    h: hash8(first, len),
                    start: start as u32,
                    end: self.pos as u32,
                    flags: if lower == 0 && len >= 3 {
                        flags | CAPS
                    } else {
                        flags
                    },
                    gap,
                };
                return;
            }
        }
        // Then ASCII letters with inner apostrophes, eight bytes at a time.
        let mut p = start;
        let (mut lower, mut upper) = (0u64, 0u64);
        let mut w = first;
        loop {
            let letters = alpha_mask(w);
            let run = (!letters & HIGH).trailing_zeros() / 8;
            let keep = HIGH & low_bytes(run);
            // A letter's 0x20 bit is set when it is lower case.
            lower |= w & (letters & keep) >> 2;
            upper |= !w & (letters & keep) >> 2;
            p += run as usize;
            if run == 8 {
                w = load8(b, p);
                continue;
            }
            if p + 1 < n && b[p] == b'\'' && b[p + 1].is_ascii_alphabetic() && p > start {
                p += 1;
                w = load8(b, p);
                continue;
            }
            break;
        }
        if p == start || (p < n && b[p] >= 0x80) || (upper != 0 && self.in_tag) {
            *out = self.word_slow(gap);
            return;
        }
        let len = p - start;
        // A word that fits the first load is checked and hashed from it, as on the fastest path.
        let (elong, h) = if len <= 8 {
            (elongated8(first, len), hash8(first, len))
        } else {
            (elongated(b, start, p), hash_span_lower(b, start, p))
        };
        if elong {
            *out = self.word_slow(gap);
            return;
        }
        let caps = lower == 0
            && b[start..p]
                .iter()
                .filter(|c| c.is_ascii_alphabetic())
                .count()
                >= 3;
        self.pos = p;
        *out = Tok {
            h,
            start: start as u32,
            end: p as u32,
            flags: if caps { flags | CAPS } else { flags },
            gap,
        };
    }

    /// The general word scanner: non-ASCII letters, curly apostrophes, elongation, camel-cased hashtags.
    #[cold]
    #[inline(never)]
    fn word_slow(&mut self, gap: u8) -> Tok {
        let b = self.b;
        let n = b.len();
        let start = self.pos;
        let first_digit = b[start].is_ascii_digit();
        let mut h = WordHash::new();
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
                    if run < 3 {
                        h.push(c);
                    }
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
                    h.push(lc);
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
                h.push(b'\'');
                prev = 0;
                pos += 1;
            } else if c >= 0x80 {
                let (ch, len) = self.decode(pos);
                if ch.is_alphabetic() && !first_digit {
                    let mut buf = [0u8; 4];
                    for lc in ch.to_lowercase() {
                        for &x in lc.encode_utf8(&mut buf).as_bytes() {
                            h.push(x);
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
                    h.push(b'\'');
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
        if elong {
            flags |= ELONG;
        }
        Tok {
            h: h.finish(),
            start: start as u32,
            end: end as u32,
            flags,
            gap,
        }
    }
}

/// Hash with runs of three or more letters squeezed to one ("sooo" -> "so"): the second lookup of an
/// [`ELONG`] token.
pub(crate) fn squeeze_hash(w: &[u8]) -> u64 {
    let mut h = WordHash::new();
    let mut i = 0;
    while i < w.len() {
        let c = w[i].to_ascii_lowercase();
        let mut j = i + 1;
        while j < w.len() && w[j].to_ascii_lowercase() == c {
            j += 1;
        }
        let run = j - i;
        if run >= 3 {
            h.push(c);
        } else {
            for _ in 0..run {
                h.push(c);
            }
        }
        i = j;
    }
    h.finish()
}

/// [`elongated`] for a word of `len <= 8` bytes loaded in `w`: a zero byte in x ^ (x >> 8) and in
/// x ^ (x >> 16) marks a run of three.
#[inline(always)]
fn elongated8(w: u64, len: usize) -> bool {
    if len < 3 {
        return false;
    }
    let x = w | LOW;
    let keep = u64::MAX >> (64 - 8 * (len as u32 - 2));
    let z = (x ^ (x >> 8)) | (x ^ (x >> 16)) | !keep;
    let zero_bytes = !(((z & SEVEN).wrapping_add(SEVEN)) | z | SEVEN);
    zero_bytes != 0
}

/// Whether `b[start..end]` (ASCII letters and apostrophes) has a letter three or more times in a row, case
/// folded ("sooo", "NOoo").
#[inline]
fn elongated(b: &[u8], start: usize, end: usize) -> bool {
    let len = end - start;
    if len < 3 {
        return false;
    }
    if len <= 8 {
        return elongated8(load8(b, start), len);
    }
    let mut i = start;
    while i + 2 < end {
        let x = b[i] | 0x20;
        // A run of three contains b[i + 2]: check it against its neighbours first.
        let y = b[i + 1] | 0x20;
        let z = b[i + 2] | 0x20;
        if x == y && y == z {
            return true;
        }
        i += if y == z { 1 } else { 2 };
    }
    false
}

/// Random text stitched from pieces that stress the tokenizer: words of every length around eight-byte loads
/// and 64-byte blocks, apostrophes, handles, hashtags, entities, emoji, elongation, links, punctuation of every
/// kind, text ending mid-word. Deterministic.
#[cfg(test)]
pub(crate) fn random_texts(n: usize) -> impl Iterator<Item = String> {
    const PIECES: &[&str] = &[
        "a",
        "refund",
        "cancellation",
        "internationalization",
        "pneumonoultramicroscopicsilicovolcanoconiosisandthensomemorelettersxyz",
        "don't",
        "'tis",
        "rock'n'roll",
        "90's",
        "it’s",
        "@",
        "@shop",
        "@a_b9",
        "#",
        "#NeverAgain",
        "&amp;",
        "&#128;",
        "&",
        "😡",
        "🏻",
        "é",
        "naïve",
        "sooo",
        "NOOOO",
        "WHY",
        "Ok",
        "3",
        "3pm",
        "2,000",
        "weeks",
        "flight",
        "what",
        "http",
        "htc",
        " ",
        "  ",
        "\n",
        "\t",
        ".",
        "...",
        "?",
        "!!",
        ",",
        "(",
        ")",
        "\"",
        "[x]",
        "-",
        "/",
        ":",
        ";",
        "=",
        ":(",
        ":-D",
        "<3",
        "<",
        "'",
        "’",
        "http://x.co/a?b=1",
        "www.",
        "_",
        "\u{202E}",
        "z",
    ];
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..n).map(move |_| {
        let len = (next() % 40) as usize;
        (0..len)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The eight-bytes-at-a-time masks agree with the byte-at-a-time definitions, for every byte value in every
    /// position and beside every neighbour that could carry into it.
    #[test]
    fn byte_masks_match_their_definitions() {
        for x in 0..=255u8 {
            for y in [0u8, b'a', b'Z', b'_', b'9', 0x7F, 0x80, 0xFF] {
                for pos in 0..8 {
                    let mut bytes = [y; 8];
                    bytes[pos] = x;
                    let w = u64::from_le_bytes(bytes);
                    let bit = |m: u64| m >> (8 * pos + 7) & 1 == 1;
                    assert_eq!(
                        bit(alpha_mask(w)),
                        x.is_ascii_alphabetic(),
                        "{x:#x} by {y:#x}"
                    );
                    assert_eq!(
                        bit(handle_mask(w)),
                        x.is_ascii_alphanumeric() || x == b'_',
                        "{x:#x} by {y:#x}"
                    );
                }
            }
        }
    }

    /// Every token of `text`, read `batch` at a time.
    fn tokens(text: &str, batch: usize) -> (Vec<Tok>, u16, u16) {
        let mut lx = Lexer::new(text);
        let mut out = Vec::new();
        let mut buf = vec![Tok::EMPTY; batch];
        loop {
            let n = lx.fill(&mut buf);
            out.extend_from_slice(&buf[..n]);
            if n < batch {
                return (out, lx.qmarks, lx.excl);
            }
        }
    }

    /// Every token of `text` from the careful path alone.
    fn careful_tokens(text: &str) -> (Vec<Tok>, u16, u16) {
        let mut lx = Lexer::new(text);
        let mut out = Vec::new();
        let mut t = Tok::EMPTY;
        while lx.careful_token(&mut t) {
            out.push(t);
        }
        (out, lx.qmarks, lx.excl)
    }

    #[test]
    fn the_plain_path_reads_text_as_the_careful_path_does() {
        for text in random_texts(20_000) {
            let want = careful_tokens(&text);
            for batch in [1, 3, 48] {
                let got = tokens(&text, batch);
                assert_eq!(
                    format!("{:?}", got),
                    format!("{:?}", want),
                    "{text:?} by {batch}"
                );
            }
        }
    }

    #[test]
    fn word_hash_is_the_same_on_every_path() {
        for w in [
            "a",
            "ok",
            "refund",
            "refunded",
            "cancellation",
            "don't",
            "isn't_it",
        ] {
            for text in [format!("{w} x"), w.to_string()] {
                let (toks, _, _) = tokens(&text, 48);
                let t = toks[0];
                let word = &text[t.start as usize..t.end as usize];
                assert_eq!(t.h, hash_bytes_lower(word.as_bytes()), "{w}");
                assert_eq!(t.h, hash_bytes_lower(word.to_uppercase().as_bytes()), "{w}");
                assert_eq!(t.h, careful_tokens(&text).0[0].h, "{w}");
            }
        }
    }

    #[test]
    fn elongation_is_found_in_short_and_long_words() {
        for (w, e) in [
            ("sooo", true),
            ("so", false),
            ("noooooooooo", true),
            ("bookkeeper", false),
            ("aaa", true),
            ("NOoo", true),
        ] {
            assert_eq!(elongated(w.as_bytes(), 0, w.len()), e, "{w}");
        }
    }
}
