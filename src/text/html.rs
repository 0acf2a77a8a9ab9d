//! Mastodon status HTML to clean text.

use super::*;

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
