//! Sanitizing untrusted text (house rule 6: sanitized once, at ingest).
//!
//! Everything a network or a file hands us goes through [`sanitize`] (or [`sanitize_bytes`],
//! or [`html_to_text`] for Mastodon's HTML) before it is stored or drawn. The output can never
//! move the cursor, retitle the window, switch character sets or hide text: it holds no escape
//! sequences, no C0/C1 control characters other than `\n`, no bidi controls and no invisible format
//! characters other than those emoji sequences (and ZWNJ between letters) need: so the width
//! regulars computes for a line is the width the terminal draws.
//!
//! The helpers at the end ([`grapheme_count`], [`display_width`], [`truncate_width`], [`one_line`])
//! measure and shorten text for display, always on grapheme boundaries.

use ratatui::buffer::CellWidth;
use unicode_segmentation::UnicodeSegmentation;

/// Longest text [`sanitize`] returns, in chars, the trailing "…" included.
pub const MAX_CHARS: usize = 20_000;

/// Most blank lines kept in a row.
const MAX_BLANK_LINES: usize = 2;

const ESC: char = '\u{1b}';
const ELLIPSIS: char = '…';
const ZWJ: char = '\u{200d}';
const ZWNJ: char = '\u{200c}';
const VS16: char = '\u{fe0f}';
const KEYCAP: char = '\u{20e3}';
const BLACK_FLAG: char = '\u{1f3f4}';
const TAG_CANCEL: char = '\u{e007f}';

/// Makes untrusted text safe to store and draw. Linear in the input, never panics, idempotent.
///
/// - escape sequences are removed whole: CSI (`ESC [` and U+009B), OSC/DCS/SOS/PM/APC strings
///   (7-bit and C1 forms, ended by BEL or ST; an unterminated introducer alone is dropped), and
///   two-character / nF escapes (`ESC c`, `ESC ( B`);
/// - C0/C1 controls go, except `\n`; `\t` becomes a space; `\r\n`, `\r`, NEL, U+2028 and U+2029
///   become `\n`;
/// - bidi controls go (embeddings, overrides, isolates and the LRM/RLM/ALM marks);
/// - invisible format characters go (general category Cf and the other default-ignorables: zero
///   width space, word joiner, soft hyphen, BOM, Mongolian vowel separator, invisible operators,
///   Hangul fillers, interlinear annotations, variation selectors, tag characters outside an emoji
///   flag sequence); a ZWJ stays only between two emoji of one emoji ZWJ sequence (at most four
///   joined, as in 👨‍👩‍👧‍👦), VS16 only after a pictograph or in a keycap (1️⃣), ZWNJ only between
///   two visible characters; halfwidth (han)dakuten become their combining forms;
/// - trailing whitespace is trimmed on every line, leading and trailing blank lines go, and runs
///   of more than two blank lines shrink to two;
/// - the result is capped at [`MAX_CHARS`] chars, cut on a grapheme boundary, ending in "…".
pub fn sanitize(input: &str) -> String {
    let stripped = strip_controls(input);
    let tidy = tidy_lines(&stripped);
    cap_length(tidy)
}

/// Lossy UTF-8 (invalid bytes become U+FFFD), then [`sanitize`].
pub fn sanitize_bytes(input: &[u8]) -> String {
    sanitize(&String::from_utf8_lossy(input))
}

/// Number of user-perceived characters (extended grapheme clusters): Bluesky's limit unit.
pub fn grapheme_count(s: &str) -> usize {
    s.graphemes(true).count()
}

/// Number of Unicode scalar values: Mastodon's limit unit.
pub fn char_count(s: &str) -> usize {
    s.chars().count()
}

/// Terminal columns of one grapheme, exactly as ratatui lays it out (its buffer skips graphemes that
/// hold a control character).
pub fn grapheme_width(g: &str) -> usize {
    if g.contains(char::is_control) {
        0
    } else {
        usize::from(g.cell_width())
    }
}

/// Terminal columns of `s` on one line, as ratatui lays it out: grapheme by grapheme (measuring the
/// whole string at once can differ, an Arabic lam-alef ligature say).
pub fn display_width(s: &str) -> usize {
    s.graphemes(true).map(grapheme_width).sum()
}

/// Cuts `s` to at most `max_width` terminal columns, ending in "…" when anything was cut.
/// Never splits a grapheme. Widths are per grapheme, as ratatui measures them.
pub fn truncate_width(s: &str, max_width: usize) -> String {
    if display_width(s) <= max_width {
        return s.to_string();
    }
    if max_width == 0 {
        return String::new();
    }
    let budget = max_width - 1; // the ellipsis is one column wide
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = grapheme_width(g);
        if used + w > budget {
            break;
        }
        used += w;
        out.push_str(g);
    }
    out.push(ELLIPSIS);
    out
}

/// Cuts `s` to at most `max_width` columns like [`truncate_width`], but at the last space before the cut
/// when there is one in the second half (a word is not broken where it can be helped).
pub fn truncate_words(s: &str, max_width: usize) -> String {
    let cut = truncate_width(s, max_width);
    let Some(kept) = cut.strip_suffix(ELLIPSIS) else {
        return cut;
    };
    // `kept` is a prefix of `s`: the cut may already fall between two words.
    if s[kept.len()..].starts_with(char::is_whitespace) {
        return format!("{}{ELLIPSIS}", kept.trim_end());
    }
    match kept.rfind(' ') {
        Some(at) if display_width(&kept[..at]) * 2 >= max_width.saturating_sub(1) => {
            format!("{}{ELLIPSIS}", kept[..at].trim_end())
        }
        _ => cut,
    }
}

/// Joins `items` with `sep`, keeping only the whole items that fit in `max_width` columns, in order:
/// key hints drop from the end instead of ending in a half word.
pub fn join_fitting(items: &[String], sep: &str, max_width: usize) -> String {
    let mut out = String::new();
    for item in items {
        let extra = if out.is_empty() {
            0
        } else {
            display_width(sep)
        };
        if display_width(&out) + extra + display_width(item) > max_width {
            break;
        }
        if !out.is_empty() {
            out.push_str(sep);
        }
        out.push_str(item);
    }
    out
}

/// Folds text onto one line for list rows: every whitespace run (newlines and tabs included)
/// becomes one space, and the ends are trimmed.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// The text after the @handles a post opens with (the addressing of a reply, usually the shop's own handle),
/// for a one-line row where they would take the room of the words; a post of handles alone is kept whole.
pub fn without_leading_mentions(s: &str) -> &str {
    let mut rest = s.trim_start();
    while rest.starts_with('@') {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        rest = rest[end..].trim_start();
    }
    if rest.is_empty() { s } else { rest }
}

/// A count with thousands grouped: `1234567` reads `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(d);
    }
    grouped
}

mod html;
mod sanitize;
#[cfg(test)]
mod tests;

pub use html::html_to_text;
use sanitize::{cap_length, strip_controls, tidy_lines};
