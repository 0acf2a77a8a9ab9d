//! The two passes of `sanitize`.

use super::*;

// ---------------------------------------------------------------------------------------------
// sanitize, pass 1: escapes, controls and invisible characters

pub(super) fn strip_controls(input: &str) -> String {
    let cs: Vec<char> = input.chars().collect();
    let n = cs.len();
    let mut out = String::with_capacity(input.len());
    let mut i = 0;
    while i < n {
        let c = cs[i];
        i += 1;
        match c {
            ESC => i = skip_escape(&cs, i),
            '\u{9b}' => i = skip_csi(&cs, i),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => i = skip_string(&cs, i),
            '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => out.push('\n'),
            '\r' => {
                out.push('\n');
                if cs.get(i) == Some(&'\n') {
                    i += 1;
                }
            }
            '\t' => out.push(' '),
            BLACK_FLAG => {
                out.push(c);
                // An emoji tag sequence (the flags of Scotland, Wales, England...): keep its tags.
                if let Some(end) = flag_tags_end(&cs, i) {
                    out.extend(&cs[i..end]);
                    i = end;
                }
            }
            // Halfwidth (han)dakuten: ratatui counts one more cell than a terminal draws after a
            // halfwidth kana; their combining forms draw the same and measure the same everywhere.
            '\u{ff9e}' => out.push('\u{3099}'),
            '\u{ff9f}' => out.push('\u{309a}'),
            c if is_control(c) || is_hidden_format(c) || is_tag(c) => {}
            c => out.push(c),
        }
    }
    out
}

pub(super) fn is_control(c: char) -> bool {
    c <= '\u{1f}' || ('\u{7f}'..='\u{9f}').contains(&c)
}

/// Invisible format characters (general category Cf and the other default-ignorable code points): a
/// terminal may draw one as a cell, as nothing, or join the letters around it, so no one can know how
/// wide a line holding them is. Bidi controls go too (they reorder text). ZWJ, ZWNJ and VS16 are judged
/// by context in pass 2; tags are kept only in an emoji flag sequence.
pub(super) fn is_hidden_format(c: char) -> bool {
    matches!(c,
        '\u{ad}'                        // soft hyphen: drawn as "-", as nothing or as a blank
        | '\u{34f}'                     // combining grapheme joiner
        | '\u{600}'..='\u{605}' | '\u{6dd}' | '\u{70f}' | '\u{890}' | '\u{891}' | '\u{8e2}'
        | '\u{110bd}' | '\u{110cd}'     // number signs spanning the digits after them
        | '\u{61c}' | '\u{200e}' | '\u{200f}' // bidi marks
        | '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}' // Hangul fillers, the "invisible name" trick
        | '\u{17b4}' | '\u{17b5}'       // Khmer inherent vowels
        | '\u{180b}'..='\u{180f}'       // Mongolian variation selectors, vowel separator
        | '\u{200b}'                    // zero width space
        | '\u{202a}'..='\u{202e}'       // bidi embeddings and overrides
        | '\u{2060}'..='\u{206f}'       // word joiner, invisible operators, bidi isolates, deprecated
        | '\u{fe00}'..='\u{fe0e}'       // variation selectors 1-15 (VS16 is judged in context)
        | '\u{feff}'                    // zero width no-break space / BOM
        | '\u{fff0}'..='\u{fffb}'       // reserved ignorables; interlinear annotation hides text
        | '\u{13430}'..='\u{1343f}'     // Egyptian hieroglyph format controls
        | '\u{1bca0}'..='\u{1bca3}'     // shorthand format controls
        | '\u{1d173}'..='\u{1d17a}'     // musical format characters
        | '\u{e0080}'..='\u{e0fff}'     // variation selectors supplement, reserved ignorables
    )
}

pub(super) fn is_tag(c: char) -> bool {
    ('\u{e0000}'..='\u{e007f}').contains(&c)
}

/// If `cs[start..]` holds the tags of an emoji flag sequence (tag digits or lowercase tag letters,
/// then CANCEL TAG), returns the index just after the CANCEL TAG.
pub(super) fn flag_tags_end(cs: &[char], start: usize) -> Option<usize> {
    const MAX_TAGS: usize = 16;
    let mut j = start;
    while j < cs.len() && j - start < MAX_TAGS {
        match cs[j] {
            '\u{e0030}'..='\u{e0039}' | '\u{e0061}'..='\u{e007a}' => j += 1,
            TAG_CANCEL if j > start => return Some(j + 1),
            _ => return None,
        }
    }
    None
}

/// After an ESC at `i - 1`: returns the index just past the escape sequence.
fn skip_escape(cs: &[char], i: usize) -> usize {
    let Some(&next) = cs.get(i) else {
        return i;
    };
    match next {
        '[' => skip_csi(cs, i + 1),
        ']' | 'P' | 'X' | '^' | '_' => skip_string(cs, i + 1),
        // nF: intermediates then a final byte (ESC ( B, ESC # 8...)
        '\u{20}'..='\u{2f}' => {
            let mut k = i;
            while k < cs.len() && ('\u{20}'..='\u{2f}').contains(&cs[k]) {
                k += 1;
            }
            match cs.get(k) {
                Some(c) if ('\u{30}'..='\u{7e}').contains(c) => k + 1,
                _ => k,
            }
        }
        // two-character escapes: ESC c (reset), ESC 7, ESC M, ESC = ...
        '\u{30}'..='\u{7e}' => i + 1,
        // anything else: drop the ESC alone, the next char is judged on its own
        _ => i,
    }
}

/// After a CSI introducer: parameters and intermediates, then the final byte.
/// A char that cannot be part of a CSI ends it and is judged on its own.
fn skip_csi(cs: &[char], i: usize) -> usize {
    let mut k = i;
    while k < cs.len() && ('\u{20}'..='\u{3f}').contains(&cs[k]) {
        k += 1;
    }
    match cs.get(k) {
        Some(c) if ('\u{40}'..='\u{7e}').contains(c) => k + 1,
        _ => k,
    }
}

/// After an OSC/DCS/SOS/PM/APC introducer: the payload up to BEL or ST goes. ESC or another
/// C1 introducer aborts the string (payload dropped, as a terminal would). Unterminated at the
/// end of the input: only the introducer goes, the rest is judged as text (each char is scanned
/// at most twice, so this stays linear).
fn skip_string(cs: &[char], i: usize) -> usize {
    let mut k = i;
    while k < cs.len() {
        match cs[k] {
            '\u{7}' | '\u{9c}' | '\u{18}' | '\u{1a}' => return k + 1,
            ESC => {
                return if cs.get(k + 1) == Some(&'\\') {
                    k + 2
                } else {
                    k
                };
            }
            '\u{90}' | '\u{98}' | '\u{9b}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => return k,
            _ => k += 1,
        }
    }
    i
}

// ---------------------------------------------------------------------------------------------
// sanitize, pass 2: joiners and emoji presentation in context, trailing whitespace, blank lines

/// Most pictographs one emoji ZWJ sequence joins (a family of four): a longer chain is one cell pair
/// to regulars but many to a terminal that does not join it.
const MAX_JOINED: usize = 4;

/// Extended_Pictographic, as unicode-segmentation's tables say (they are not public): a ZWJ joins the
/// next pictograph into the same grapheme only after an Extended_Pictographic char (rule GB11).
pub(super) fn is_pictographic(c: char) -> bool {
    if c.is_ascii() {
        return false;
    }
    let mut probe = String::with_capacity(12);
    probe.push(c);
    probe.push(ZWJ);
    probe.push('\u{1f600}');
    probe.graphemes(true).nth(1).is_none()
}

fn is_emoji_modifier(c: char) -> bool {
    ('\u{1f3fb}'..='\u{1f3ff}').contains(&c)
}

/// How many pictographs the emoji sequence ending `kept` joins (0: it does not end in an emoji).
/// A pictograph counts with its skin tone, VS16 or flag tags; pictographs count on through ZWJs.
fn joined_before(kept: &str) -> usize {
    let mut joined = 0;
    let mut rest = kept.chars().rev().peekable();
    loop {
        while rest
            .next_if(|&c| is_emoji_modifier(c) || c == VS16 || is_tag(c))
            .is_some()
        {}
        if !rest.next().is_some_and(is_pictographic) {
            return joined;
        }
        joined += 1;
        if joined == MAX_JOINED || rest.next_if_eq(&ZWJ).is_none() {
            return joined;
        }
    }
}

/// Whether the joiner or selector `c`, between `kept` (this line's output so far) and `next` (the next
/// input char), stays. Each decision depends only on kept chars and on a `next` that is always kept,
/// so sanitizing the output again decides the same: sanitize stays idempotent.
fn keep_in_context(c: char, kept: &str, next: Option<char>) -> bool {
    match c {
        // Only inside an emoji ZWJ sequence (👩‍👩‍👧, 🏳️‍🌈): elsewhere some terminals merge what it
        // joins into one cell while every width table counts each letter.
        ZWJ => next.is_some_and(is_pictographic) && (1..MAX_JOINED).contains(&joined_before(kept)),
        // Between two letters (Persian, Indic): it stops a ligature and never merges cells.
        ZWNJ => {
            let visible = |x: char| !x.is_whitespace() && !matches!(x, ZWJ | ZWNJ | VS16);
            kept.chars().next_back().is_some_and(visible) && next.is_some_and(visible)
        }
        // Emoji presentation (❤️, 1️⃣): only right after a pictograph, or in a keycap.
        VS16 => kept.chars().next_back().is_some_and(|base| {
            is_pictographic(base)
                || ((base.is_ascii_digit() || base == '#' || base == '*') && next == Some(KEYCAP))
        }),
        _ => true,
    }
}

pub(super) fn tidy_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0usize;
    let mut line_buf: Vec<char> = Vec::new();
    let mut line = String::new();
    for raw in text.split('\n') {
        line_buf.clear();
        line_buf.extend(raw.chars());
        line.clear();
        for (idx, &c) in line_buf.iter().enumerate() {
            if keep_in_context(c, &line, line_buf.get(idx + 1).copied()) {
                line.push(c);
            }
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            for _ in 0..blank_run.min(MAX_BLANK_LINES) {
                out.push('\n');
            }
        }
        blank_run = 0;
        out.push_str(trimmed);
    }
    out
}

pub(super) fn cap_length(text: String) -> String {
    if char_count(&text) <= MAX_CHARS {
        return text;
    }
    let budget = MAX_CHARS - 1;
    let mut used = 0;
    let mut end = 0;
    for (at, g) in text.grapheme_indices(true) {
        let len = g.chars().count();
        if used + len > budget {
            break;
        }
        used += len;
        end = at + g.len();
    }
    let mut out = text[..end].to_string();
    out.push(ELLIPSIS);
    out
}
