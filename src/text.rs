//! Sanitizing untrusted text (house rule 6: sanitized once, at ingest).
//!
//! Everything a network or a file hands us goes through [`sanitize`] (or [`sanitize_bytes`],
//! or [`html_to_text`] for Mastodon's HTML) before it is stored or drawn. The output can never
//! move the cursor, retitle the window, switch character sets or hide text: it holds no escape
//! sequences, no C0/C1 control characters other than `\n`, no bidi overrides or isolates and no
//! invisible format characters other than the joiners emoji and scripts need.
//!
//! The helpers at the end ([`grapheme_count`], [`truncate_width`], [`one_line`]) measure and
//! shorten text for display, always on grapheme boundaries.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Longest text [`sanitize`] returns, in chars, the trailing "…" included.
pub const MAX_CHARS: usize = 20_000;

/// Most blank lines kept in a row.
const MAX_BLANK_LINES: usize = 2;

const ESC: char = '\u{1b}';
const ELLIPSIS: char = '…';
const ZWJ: char = '\u{200d}';
const ZWNJ: char = '\u{200c}';
const BLACK_FLAG: char = '\u{1f3f4}';
const TAG_CANCEL: char = '\u{e007f}';

/// Makes untrusted text safe to store and draw. Linear in the input, never panics, idempotent.
///
/// - escape sequences are removed whole: CSI (`ESC [` and U+009B), OSC/DCS/SOS/PM/APC strings
///   (7-bit and C1 forms, ended by BEL or ST; an unterminated introducer alone is dropped), and
///   two-character / nF escapes (`ESC c`, `ESC ( B`);
/// - C0/C1 controls go, except `\n`; `\t` becomes a space; `\r\n`, `\r`, NEL, U+2028 and U+2029
///   become `\n`;
/// - bidi embeddings, overrides and isolates go (LRM, RLM and ALM stay: they cannot reorder);
/// - invisible format characters go (zero-width space, word joiner, BOM, Mongolian vowel
///   separator, invisible operators, Hangul fillers, interlinear annotations, tag characters
///   outside an emoji flag sequence); ZWJ/ZWNJ stay only between two visible characters;
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

/// Cuts `s` to at most `max_width` terminal columns, ending in "…" when anything was cut.
/// Never splits a grapheme. Widths are per grapheme, as ratatui measures them.
pub fn truncate_width(s: &str, max_width: usize) -> String {
    let total: usize = s.graphemes(true).map(UnicodeWidthStr::width).sum();
    if total <= max_width {
        return s.to_string();
    }
    if max_width == 0 {
        return String::new();
    }
    let budget = max_width - 1; // the ellipsis is one column wide
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = g.width();
        if used + w > budget {
            break;
        }
        used += w;
        out.push_str(g);
    }
    out.push(ELLIPSIS);
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

// ---------------------------------------------------------------------------------------------
// sanitize, pass 1: escapes, controls and invisible characters

fn strip_controls(input: &str) -> String {
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

fn is_control(c: char) -> bool {
    c <= '\u{1f}' || ('\u{7f}'..='\u{9f}').contains(&c)
}

/// Format characters that reorder or hide text. LRM (U+200E), RLM (U+200F) and ALM (U+061C)
/// are kept; ZWJ and ZWNJ are judged by context in pass 2.
fn is_hidden_format(c: char) -> bool {
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

fn is_tag(c: char) -> bool {
    ('\u{e0000}'..='\u{e007f}').contains(&c)
}

/// If `cs[start..]` holds the tags of an emoji flag sequence (tag digits or lowercase tag letters,
/// then CANCEL TAG), returns the index just after the CANCEL TAG.
fn flag_tags_end(cs: &[char], start: usize) -> Option<usize> {
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

fn tidy_lines(text: &str) -> String {
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

fn cap_length(text: String) -> String {
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

// ---------------------------------------------------------------------------------------------
// html_to_text

/// Longest tag we try to parse; a `<` with no `>` within reach is text.
const MAX_TAG_LEN: usize = 4096;

/// Turns Mastodon status HTML into clean, [`sanitize`]d text.
///
/// `<p>` paragraphs are separated by a blank line, `<br>` is a newline, list items start with
/// "- ". A link keeps its visible text (Mastodon's `invisible` spans included); a plain link shows
/// its full `href`; a link whose visible text is neither its URL nor a mention or hashtag is
/// followed by " (href)", so a deceptive label cannot hide where it goes. Entities are decoded,
/// every other tag is stripped, `<script>`/`<style>` content is dropped, whitespace collapses as
/// in HTML. Malformed HTML never panics: a stray `<` is text.
pub fn html_to_text(html: &str) -> String {
    let cs: Vec<char> = html.chars().collect();
    let mut w = HtmlWriter::default();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c == '<'
            && let Some((tag, end)) = parse_tag(&cs, i)
        {
            i = end;
            if let Some(skip_to) = w.tag(tag, &cs, i) {
                i = skip_to;
            }
            continue;
        }
        if c == '&' {
            let (decoded, used) = decode_entity(&cs[i..]);
            if let Some(d) = decoded {
                w.text_char(d, true);
                i += used;
                continue;
            }
        }
        w.text_char(c, false);
        i += 1;
    }
    w.finish_link();
    sanitize(&w.out)
}

#[derive(Debug, Default)]
struct Tag {
    name: String,
    closing: bool,
    href: Option<String>,
    class: String,
}

#[derive(Debug, Default)]
struct OpenLink {
    start: usize,
    href: String,
    class: String,
}

#[derive(Debug, Default)]
struct HtmlWriter {
    out: String,
    /// Newlines owed before the next text (paragraph breaks fold into one another).
    pending_breaks: usize,
    in_pre: usize,
    link: Option<OpenLink>,
}

impl HtmlWriter {
    /// Handles a tag; returns where to resume when the tag's content is to be skipped.
    fn tag(&mut self, tag: Tag, cs: &[char], after: usize) -> Option<usize> {
        match (tag.name.as_str(), tag.closing) {
            ("br", _) => {
                self.trim_spaces();
                self.flush_breaks();
                self.out.push('\n');
            }
            (
                "p" | "div" | "blockquote" | "ul" | "ol" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
                | "pre",
                closing,
            ) => {
                self.block_break(2);
                if tag.name == "pre" {
                    self.in_pre = if closing {
                        self.in_pre.saturating_sub(1)
                    } else {
                        self.in_pre + 1
                    };
                }
            }
            ("li", false) => {
                self.block_break(1);
                self.flush_breaks();
                self.out.push_str("- ");
            }
            ("li", true) => self.block_break(1),
            ("a", false) => {
                self.finish_link();
                self.flush_breaks();
                self.link = Some(OpenLink {
                    start: self.out.len(),
                    href: tag.href.unwrap_or_default(),
                    class: tag.class,
                });
            }
            ("a", true) => self.finish_link(),
            ("script" | "style" | "template", false) => {
                return Some(skip_element(cs, after, &tag.name));
            }
            _ => {}
        }
        None
    }

    fn block_break(&mut self, n: usize) {
        self.trim_spaces();
        if !self.out.is_empty() {
            self.pending_breaks = self.pending_breaks.max(n);
        }
    }

    fn flush_breaks(&mut self) {
        if self.pending_breaks == 0 {
            return;
        }
        let have = self.out.chars().rev().take_while(|&c| c == '\n').count();
        for _ in have..self.pending_breaks {
            self.out.push('\n');
        }
        self.pending_breaks = 0;
    }

    fn trim_spaces(&mut self) {
        let keep = self.out.trim_end_matches(' ').len();
        self.out.truncate(keep);
        if let Some(link) = &mut self.link {
            // an open link's text may not start past the end (or inside a later char)
            link.start = link.start.min(keep);
        }
    }

    /// `literal` chars come from entities: `&nbsp;` and friends are not collapsed.
    fn text_char(&mut self, c: char, literal: bool) {
        if !literal && self.in_pre == 0 && matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}') {
            let at_line_start = self.out.is_empty() || self.out.ends_with(['\n', ' ']);
            if !at_line_start && self.pending_breaks == 0 {
                self.out.push(' ');
            }
            return;
        }
        self.flush_breaks();
        self.out.push(c);
    }

    fn finish_link(&mut self) {
        let Some(link) = self.link.take() else {
            return;
        };
        let start = link.start.min(self.out.len());
        let visible = self.out[start..].trim().to_string();
        let href = link.href.trim();
        let classes: Vec<&str> = link.class.split_whitespace().collect();
        let is_social = classes.iter().any(|c| matches!(*c, "mention" | "hashtag"))
            || visible.starts_with('@')
            || visible.starts_with('#');
        let replacement = if href.is_empty() || is_social {
            visible
        } else if visible.is_empty() || same_url(&visible, href) {
            href.to_string()
        } else {
            format!("{visible} ({href})")
        };
        self.out.truncate(start);
        self.out.push_str(&replacement);
    }
}

/// Whether a link's visible text is its URL (Mastodon drops the scheme and shortens long URLs).
fn same_url(visible: &str, href: &str) -> bool {
    fn bare(u: &str) -> &str {
        let u = u
            .strip_prefix("https://")
            .or_else(|| u.strip_prefix("http://"))
            .unwrap_or(u);
        let u = u.strip_prefix("www.").unwrap_or(u);
        u.trim_end_matches('/')
    }
    let v = bare(visible.trim_end_matches('…'));
    let h = bare(href);
    !v.is_empty() && (v == h || (visible.ends_with('…') && h.starts_with(v)))
}

/// Skips to just after `</name>`, or to the end.
fn skip_element(cs: &[char], from: usize, name: &str) -> usize {
    let mut i = from;
    while i < cs.len() {
        if cs[i] == '<'
            && let Some((tag, end)) = parse_tag(cs, i)
        {
            if tag.closing && tag.name == name {
                return end;
            }
            i = end;
            continue;
        }
        i += 1;
    }
    cs.len()
}

/// Parses the tag starting at `cs[at] == '<'`: returns it and the index after its `>`.
/// `None` when this `<` does not start a tag (then it is text).
fn parse_tag(cs: &[char], at: usize) -> Option<(Tag, usize)> {
    let mut i = at + 1;
    let first = *cs.get(i)?;
    if first == '!' || first == '?' {
        // comment, doctype, processing instruction
        if cs.get(i + 1) == Some(&'-') && cs.get(i + 2) == Some(&'-') {
            let mut k = i + 3;
            while k + 2 < cs.len() {
                if cs[k] == '-' && cs[k + 1] == '-' && cs[k + 2] == '>' {
                    return Some((Tag::default(), k + 3));
                }
                k += 1;
            }
            return Some((Tag::default(), cs.len()));
        }
        let end = find_gt(cs, i)?;
        return Some((Tag::default(), end + 1));
    }
    let mut tag = Tag::default();
    if first == '/' {
        tag.closing = true;
        i += 1;
    }
    if !cs.get(i)?.is_ascii_alphabetic() {
        return None;
    }
    while let Some(&c) = cs.get(i) {
        if c.is_ascii_alphanumeric() {
            tag.name.push(c.to_ascii_lowercase());
            i += 1;
        } else {
            break;
        }
    }
    // attributes
    let limit = (at + MAX_TAG_LEN).min(cs.len());
    loop {
        while i < limit && (cs[i].is_whitespace() || cs[i] == '/') {
            i += 1;
        }
        if i >= limit {
            return None;
        }
        if cs[i] == '>' {
            return Some((tag, i + 1));
        }
        let mut name = String::new();
        while i < limit && !cs[i].is_whitespace() && !matches!(cs[i], '=' | '>' | '/') {
            name.push(cs[i].to_ascii_lowercase());
            i += 1;
        }
        while i < limit && cs[i].is_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < limit && cs[i] == '=' {
            i += 1;
            while i < limit && cs[i].is_whitespace() {
                i += 1;
            }
            if i < limit && (cs[i] == '"' || cs[i] == '\'') {
                let quote = cs[i];
                i += 1;
                let start = i;
                while i < limit && cs[i] != quote {
                    i += 1;
                }
                if i >= limit {
                    return None;
                }
                value = decode_entities(&cs[start..i]);
                i += 1;
            } else {
                let start = i;
                while i < limit && !cs[i].is_whitespace() && cs[i] != '>' {
                    i += 1;
                }
                value = decode_entities(&cs[start..i]);
            }
        }
        match name.as_str() {
            "href" => tag.href = Some(value),
            "class" => tag.class = value,
            _ => {}
        }
    }
}

fn find_gt(cs: &[char], from: usize) -> Option<usize> {
    let limit = (from + MAX_TAG_LEN).min(cs.len());
    (from..limit).find(|&k| cs[k] == '>')
}

fn decode_entities(cs: &[char]) -> String {
    let mut out = String::with_capacity(cs.len());
    let mut i = 0;
    while i < cs.len() {
        if cs[i] == '&'
            && let (Some(d), used) = decode_entity(&cs[i..])
        {
            out.push(d);
            i += used;
            continue;
        }
        out.push(cs[i]);
        i += 1;
    }
    out
}

/// Decodes the entity at the start of `cs` (which begins with '&'): the char and chars used.
fn decode_entity(cs: &[char]) -> (Option<char>, usize) {
    const MAX_ENTITY: usize = 12;
    let Some(semi) = cs.iter().take(MAX_ENTITY).position(|&c| c == ';') else {
        return (None, 0);
    };
    let body: String = cs[1..semi].iter().collect();
    let used = semi + 1;
    let decoded = if let Some(num) = body.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => num.parse::<u32>().ok(),
        };
        code.map(|c| {
            char::from_u32(c)
                .filter(|&c| c != '\0')
                .unwrap_or('\u{fffd}')
        })
    } else {
        named_entity(&body)
    };
    match decoded {
        Some(c) => (Some(c), used),
        None => (None, 0),
    }
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "laquo" => '«',
        "raquo" => '»',
        "bull" => '•',
        "middot" => '·',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "deg" => '°',
        "times" => '×',
        "euro" => '€',
        "pound" => '£',
        "yen" => '¥',
        "cent" => '¢',
        "sect" => '§',
        "para" => '¶',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chars that must never survive [`sanitize`].
    fn forbidden(c: char) -> bool {
        (is_control(c) && c != '\n') || is_hidden_format(c) || (is_tag(c))
    }

    fn assert_clean(out: &str) {
        let cs: Vec<char> = out.chars().collect();
        let mut i = 0;
        while i < cs.len() {
            if cs[i] == BLACK_FLAG
                && let Some(end) = flag_tags_end(&cs, i + 1)
            {
                i = end;
                continue;
            }
            assert!(!forbidden(cs[i]), "forbidden {:?} in {:?}", cs[i], out);
            i += 1;
        }
    }

    #[test]
    fn osc_window_title_is_removed_whole() {
        assert_eq!(sanitize("\x1b]0;pwned\x07"), "");
        assert_eq!(sanitize("a\x1b]0;pwned\x07b"), "ab");
        assert_eq!(sanitize("a\x1b]2;pwned\x1b\\b"), "ab");
        assert_eq!(sanitize("a\u{9d}0;pwned\u{9c}b"), "ab");
        // OSC 8 hyperlink: the label is kept, the hidden target goes
        assert_eq!(
            sanitize("\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"),
            "click"
        );
    }

    #[test]
    fn csi_sequences_are_removed() {
        assert_eq!(sanitize("\x1b[2J\x1b[H"), "");
        assert_eq!(sanitize("\x1b[8mhidden"), "hidden");
        assert_eq!(sanitize("\x1b[31;1mred\x1b[0m text"), "red text");
        assert_eq!(sanitize("\x1b[?1049h\x1b[?25lalt"), "alt");
        assert_eq!(sanitize("\u{9b}31mred"), "red");
        assert_eq!(sanitize("\u{9b}2J"), "");
    }

    #[test]
    fn other_escapes_are_removed() {
        assert_eq!(sanitize("\x1bcreset"), "reset");
        assert_eq!(sanitize("a\x1b(Bb"), "ab");
        assert_eq!(sanitize("a\x1b#8b"), "ab");
        assert_eq!(sanitize("a\x1bPq#0;2;0;0;0\x1b\\b"), "ab"); // DCS (sixel)
        assert_eq!(sanitize("a\x1b_apc\x1b\\b"), "ab");
        assert_eq!(sanitize("a\x1b^pm\x07b"), "ab");
        assert_eq!(sanitize("a\x1bXsos\x1b\\b"), "ab");
        assert_eq!(sanitize("trailing\x1b"), "trailing");
        assert_eq!(sanitize("\x1b\x1b[1mx"), "x");
        assert_eq!(sanitize("\x1béa"), "éa");
    }

    #[test]
    fn unterminated_string_drops_only_the_introducer() {
        assert_eq!(sanitize("\x1b]0;title"), "0;title");
        // aborted by another escape: the payload goes, as in a terminal
        assert_eq!(sanitize("\x1b]0;title\x1b[1mx"), "x");
    }

    #[test]
    fn controls_are_removed_newlines_normalised() {
        assert_eq!(sanitize("a\x00b\x07c\x08d\x7fe\u{80}f\u{9f}g"), "abcdefg");
        assert_eq!(sanitize("a\tb"), "a b");
        assert_eq!(sanitize("a\r\nb\rc\nd"), "a\nb\nc\nd");
        assert_eq!(sanitize("a\u{85}b\u{2028}c\u{2029}d"), "a\nb\nc\nd");
        // carriage return cannot overwrite the start of a line
        assert_eq!(sanitize("safe text\rEVIL"), "safe text\nEVIL");
    }

    #[test]
    fn bidi_overrides_and_isolates_are_removed() {
        assert_eq!(sanitize("\u{202e}gnp.exe"), "gnp.exe");
        assert_eq!(sanitize("a\u{202a}b\u{202b}c\u{202c}d\u{202d}e"), "abcde");
        assert_eq!(sanitize("a\u{2066}b\u{2067}c\u{2068}d\u{2069}e"), "abcde");
        // marks cannot reorder: kept
        assert_eq!(
            sanitize("a\u{200e}b\u{200f}c\u{61c}d"),
            "a\u{200e}b\u{200f}c\u{61c}d"
        );
    }

    #[test]
    fn invisible_characters_are_removed() {
        assert_eq!(sanitize("pass\u{200b}word"), "password");
        assert_eq!(sanitize("\u{feff}bom"), "bom");
        assert_eq!(sanitize("a\u{2060}b\u{180e}c\u{3164}d"), "abcd");
        assert_eq!(
            sanitize("a\u{fff9}hidden\u{fffa}note\u{fffb}b"),
            "ahiddennoteb"
        );
        // ASCII smuggled in tag characters
        assert_eq!(sanitize("hi\u{e0069}\u{e0067}\u{e006e}"), "hi");
    }

    #[test]
    fn emoji_sequences_survive() {
        let family = "👨\u{200d}👩\u{200d}👧\u{200d}👦";
        let rainbow = "🏳\u{fe0f}\u{200d}🌈";
        let scotland = "🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}";
        let text = format!("{family} {rainbow} {scotland} ❤\u{fe0f} 👍🏽 💍");
        assert_eq!(sanitize(&text), text);
        // Persian needs ZWNJ between letters
        assert_eq!(sanitize("می\u{200c}خواهم"), "می\u{200c}خواهم");
        // a bare black flag followed by junk tags: flag kept, tags gone
        assert_eq!(sanitize("🏴\u{e0041}x"), "🏴x");
    }

    #[test]
    fn stray_joiners_cannot_make_invisible_lines() {
        assert_eq!(
            sanitize("a\n\u{200d}\n\u{200d}\u{200d}\n\n\n\nb"),
            "a\n\n\nb"
        );
        assert_eq!(sanitize("a \u{200d} b"), "a  b");
        assert_eq!(sanitize("\u{200d}start end\u{200c}"), "start end");
    }

    #[test]
    fn blank_lines_and_trailing_whitespace() {
        assert_eq!(sanitize("a  \nb\t\n"), "a\nb");
        assert_eq!(sanitize("a\n\n\n\n\n\nb"), "a\n\n\nb");
        assert_eq!(sanitize("a\n\nb"), "a\n\nb");
        assert_eq!(sanitize("\n\n\n  \nhello\n\n\n"), "hello");
        assert_eq!(sanitize("  indented"), "  indented");
        assert_eq!(sanitize(&"\n".repeat(10_000)), "");
    }

    #[test]
    fn long_posts_are_capped() {
        let long = "x".repeat(30_000);
        let out = sanitize(&long);
        assert_eq!(char_count(&out), MAX_CHARS);
        assert!(out.ends_with('…'));
        let ten_k = "y".repeat(10_000);
        assert_eq!(sanitize(&ten_k), ten_k);
        // the cut never splits a grapheme
        let family = "👨\u{200d}👩\u{200d}👧";
        let many = family.repeat(5_000);
        let out = sanitize(&many);
        assert!(char_count(&out) <= MAX_CHARS);
        assert!(
            out.trim_end_matches('…')
                .graphemes(true)
                .all(|g| g == family)
        );
        assert_eq!(sanitize(&out), out);
    }

    #[test]
    fn sanitize_bytes_is_lossy() {
        assert_eq!(
            sanitize_bytes(b"ok \xff\xfe bad \x1b[2J"),
            "ok \u{fffd}\u{fffd} bad"
        );
        assert_eq!(sanitize_bytes(b"\xc3"), "\u{fffd}");
    }

    #[test]
    fn counts() {
        let family = "👨\u{200d}👩\u{200d}👧\u{200d}👦";
        assert_eq!(grapheme_count(family), 1);
        assert_eq!(char_count(family), 7);
        assert_eq!(grapheme_count("e\u{301}te\u{301}"), 3);
        assert_eq!(char_count("e\u{301}te\u{301}"), 5);
        assert_eq!(grapheme_count(""), 0);
    }

    #[test]
    fn truncate_width_respects_columns_and_graphemes() {
        assert_eq!(truncate_width("hello", 10), "hello");
        assert_eq!(truncate_width("hello", 5), "hello");
        assert_eq!(truncate_width("hello world", 8), "hello w…");
        assert_eq!(truncate_width("hello", 0), "");
        assert_eq!(truncate_width("hello", 1), "…");
        // wide chars: never half a glyph
        assert_eq!(truncate_width("日本語テキスト", 6), "日本…");
        let family = "👨\u{200d}👩\u{200d}👧";
        let out = truncate_width(&format!("{family}{family}{family}abc"), 5);
        assert!(out.graphemes(true).all(|g| g == family || g == "…"));
        assert!(UnicodeWidthStr::width(out.as_str()) <= 5);
        assert_eq!(truncate_width("e\u{301}e\u{301}e\u{301}", 2), "e\u{301}…");
    }

    #[test]
    fn one_line_folds_whitespace() {
        assert_eq!(one_line("  a\n\nb\tc   d \n"), "a b c d");
        assert_eq!(one_line(""), "");
        assert_eq!(one_line("\n\n"), "");
    }

    #[test]
    fn html_paragraphs_breaks_and_entities() {
        assert_eq!(html_to_text("<p>Hello</p><p>World</p>"), "Hello\n\nWorld");
        assert_eq!(
            html_to_text("<p>line one<br>line two<br/>three</p>"),
            "line one\nline two\nthree"
        );
        assert_eq!(
            html_to_text(
                "<p>Fish &amp; chips &lt;3 &quot;yes&quot; it&#39;s &#x27;ok&#x27; &pound;5&hellip;</p>"
            ),
            "Fish & chips <3 \"yes\" it's 'ok' £5…"
        );
        assert_eq!(html_to_text("<p>&#128141; &#x1F48D;</p>"), "💍 💍");
        assert_eq!(html_to_text("a &unknown; b & c"), "a &unknown; b & c");
        assert_eq!(
            html_to_text("<p>  lots   of\n  space </p>"),
            "lots of space"
        );
        assert_eq!(
            html_to_text("<ul><li>one</li><li>two</li></ul>"),
            "- one\n- two"
        );
    }

    #[test]
    fn html_mentions_hashtags_and_links() {
        let html = r#"<p><span class="h-card" translate="no"><a href="https://mastodon.social/@marlowfinch" class="u-url mention">@<span>marlowfinch</span></a></span> the clasp broke again <a href="https://mastodon.social/tags/MarlowFinch" class="mention hashtag" rel="tag">#<span>MarlowFinch</span></a></p><p>photo: <a href="https://example.com/photos/2024/clasp-broken.jpg" target="_blank" rel="nofollow noopener noreferrer" translate="no"><span class="invisible">https://</span><span class="ellipsis">example.com/photos/2024/clas</span><span class="invisible">p-broken.jpg</span></a></p>"#;
        assert_eq!(
            html_to_text(html),
            "@marlowfinch the clasp broke again #MarlowFinch\n\nphoto: https://example.com/photos/2024/clasp-broken.jpg"
        );
        // a labelled link shows where it goes
        assert_eq!(
            html_to_text(r#"<p>see <a href="https://evil.example/login">our shop</a></p>"#),
            "see our shop (https://evil.example/login)"
        );
        // a URL-looking label that lies about its target is exposed too
        assert_eq!(
            html_to_text(r#"<a href="https://evil.example">https://marlowfinch.co.uk</a>"#),
            "https://marlowfinch.co.uk (https://evil.example)"
        );
        // shortened visible text: the full href wins
        assert_eq!(
            html_to_text(
                r#"<a href="https://www.example.com/a/very/long/path">example.com/a/very/…</a>"#
            ),
            "https://www.example.com/a/very/long/path"
        );
        assert_eq!(
            html_to_text(
                r#"<a href="https://x.example/?a=1&amp;b=2">https://x.example/?a=1&amp;b=2</a>"#
            ),
            "https://x.example/?a=1&b=2"
        );
        assert_eq!(
            html_to_text(r#"<a href="https://x.example"></a>"#),
            "https://x.example"
        );
    }

    #[test]
    fn html_malformed_never_panics() {
        assert_eq!(html_to_text("1 < 2 and 3 > 2"), "1 < 2 and 3 > 2");
        assert_eq!(html_to_text("<p>unclosed <b>bold"), "unclosed bold");
        assert_eq!(html_to_text("<a href=\"x"), "<a href=\"x");
        assert_eq!(html_to_text("<"), "<");
        assert_eq!(html_to_text("&"), "&");
        assert_eq!(
            html_to_text("&#;&#x;&#99999999999;"),
            "&#;&#x;&#99999999999;"
        );
        assert_eq!(html_to_text("&#0;&#xD800;x"), "\u{fffd}\u{fffd}x");
        assert_eq!(
            html_to_text("<script>alert(1)</script>ok<style>p{}</style>"),
            "ok"
        );
        assert_eq!(html_to_text("<!-- note -->visible<!-- unclosed"), "visible");
        assert_eq!(
            html_to_text("<a href=\"https://a.example\">one<a href=\"https://b.example\">two</a>"),
            "one (https://a.example)two (https://b.example)"
        );
        for s in [
            "<<<<",
            "<a",
            "</",
            "<p",
            "<a href=>",
            "<a href='x'>",
            "&amp",
            "<br",
            "<!",
            "<!--",
        ] {
            let _ = html_to_text(s);
        }
        let _ = html_to_text(&"<a href=\"".repeat(5_000));
        assert_eq!(
            html_to_text("see <a href=\"https://x.example\"> <br>日本</a>"),
            "see日本 (https://x.example)"
        );
    }

    #[test]
    fn html_output_is_sanitized() {
        assert_eq!(html_to_text("<p>&#27;[2Jhi&#x1b;]0;pwned&#7;</p>"), "hi");
        assert_eq!(html_to_text("<p>\u{202e}gnp.exe</p>"), "gnp.exe");
        assert_eq!(
            html_to_text("<p>a</p><p></p><p></p><p></p><p>b</p>"),
            "a\n\nb"
        );
    }

    /// Fixed-seed LCG (Knuth's MMIX constants): reproducible, no dependency.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u32 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) as u32
        }
    }

    const INTERESTING: &[char] = &[
        'a',
        'Z',
        ' ',
        ' ',
        '\n',
        '\r',
        '\t',
        '\x1b',
        '[',
        ']',
        '\\',
        '(',
        '#',
        ';',
        '0',
        '2',
        'm',
        'P',
        'X',
        '^',
        '_',
        'c',
        '\x07',
        '\x00',
        '\x08',
        '\x18',
        '\x7f',
        '\u{80}',
        '\u{85}',
        '\u{90}',
        '\u{9b}',
        '\u{9c}',
        '\u{9d}',
        '\u{9f}',
        '\u{200b}',
        '\u{200c}',
        '\u{200d}',
        '\u{200e}',
        '\u{202e}',
        '\u{2066}',
        '\u{2069}',
        '\u{2028}',
        '\u{2060}',
        '\u{feff}',
        '\u{fe0f}',
        '\u{180e}',
        '\u{3164}',
        '\u{fff9}',
        '\u{e0001}',
        '\u{e0067}',
        '\u{e0062}',
        '\u{e007f}',
        '\u{1f3f4}',
        '👨',
        '👩',
        '🏽',
        'é',
        '\u{301}',
        '日',
        'ش',
        '\u{fffd}',
        '…',
        '&',
        '<',
        '>',
    ];

    fn random_string(rng: &mut Lcg) -> String {
        let len = (rng.next() % 40) as usize;
        (0..len)
            .map(|_| INTERESTING[rng.next() as usize % INTERESTING.len()])
            .collect()
    }

    #[test]
    fn property_sanitize_is_clean_and_idempotent() {
        let mut rng = Lcg(0x5eed_2024);
        for _ in 0..5_000 {
            let s = random_string(&mut rng);
            let once = sanitize(&s);
            assert_clean(&once);
            assert!(!once.contains("\n\n\n\n"), "{s:?} -> {once:?}");
            assert!(once.lines().all(|l| l == l.trim_end()), "{s:?} -> {once:?}");
            assert_eq!(sanitize(&once), once, "not idempotent for {s:?}");
            let html = html_to_text(&s);
            assert_clean(&html);
            assert_eq!(sanitize(&html), html, "html output not stable for {s:?}");
            let _ = truncate_width(&once, (rng.next() % 12) as usize);
        }
    }

    #[test]
    fn property_random_bytes() {
        let mut rng = Lcg(42);
        for _ in 0..2_000 {
            let len = (rng.next() % 64) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            let once = sanitize_bytes(&bytes);
            assert_clean(&once);
            assert_eq!(sanitize(&once), once);
        }
    }

    #[test]
    fn large_hostile_input_is_linear() {
        // would be quadratic if every unterminated introducer rescanned to the end
        let s = "\x1b]".repeat(100_000) + &"a".repeat(100_000);
        let start = std::time::Instant::now();
        let out = sanitize(&s);
        assert!(out.chars().all(|c| c == 'a' || c == '…'));
        let s = "\u{9d}x".repeat(100_000);
        let _ = sanitize(&s);
        let _ = html_to_text(&"<".repeat(100_000));
        let _ = html_to_text(&"&#".repeat(100_000));
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }
}
