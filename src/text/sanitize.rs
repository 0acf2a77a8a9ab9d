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
            c if is_control(c) || is_hidden_format(c) || is_tag(c) => {}
            c => out.push(c),
        }
    }
    out
}

pub(super) fn is_control(c: char) -> bool {
    c <= '\u{1f}' || ('\u{7f}'..='\u{9f}').contains(&c)
}

/// Format characters that reorder or hide text. LRM (U+200E), RLM (U+200F) and ALM (U+061C)
/// are kept; ZWJ and ZWNJ are judged by context in pass 2.
pub(super) fn is_hidden_format(c: char) -> bool {
    matches!(c,
        '\u{200b}'                      // zero width space
        | '\u{202a}'..='\u{202e}'       // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}'       // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}'       // bidi isolates
        | '\u{206a}'..='\u{206f}'       // deprecated format characters
        | '\u{feff}'                    // zero width no-break space / BOM
        | '\u{180e}'                    // Mongolian vowel separator
        | '\u{3164}' | '\u{ffa0}'       // Hangul fillers, the "invisible name" trick
        | '\u{115f}' | '\u{1160}'
        | '\u{fff9}'..='\u{fffb}'       // interlinear annotation: hides the annotated text
        | '\u{1d173}'..='\u{1d17a}'     // musical format characters
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
// sanitize, pass 2: joiners in context, trailing whitespace, blank lines

fn is_joiner(c: char) -> bool {
    c == ZWJ || c == ZWNJ
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
        let mut prev: Option<char> = None;
        for (idx, &c) in line_buf.iter().enumerate() {
            if is_joiner(c) {
                let visible = |x: &char| !x.is_whitespace() && !is_joiner(*x);
                let keep = prev.as_ref().is_some_and(visible)
                    && line_buf.get(idx + 1).is_some_and(visible);
                if !keep {
                    continue;
                }
            }
            line.push(c);
            prev = Some(c);
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
