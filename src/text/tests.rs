use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::sanitize::{flag_tags_end, is_control, is_hidden_format, is_pictographic, is_tag};
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
        // the base of a ZWJ or VS16, past any skin tone or VS16
        let base = cs[..i]
            .iter()
            .rev()
            .find(|&&c| !('\u{1f3fb}'..='\u{1f3ff}').contains(&c) && c != VS16);
        match cs[i] {
            ZWJ => assert!(
                base.is_some_and(|&b| is_pictographic(b))
                    && cs.get(i + 1).is_some_and(|&n| is_pictographic(n)),
                "ZWJ outside an emoji sequence in {out:?}"
            ),
            VS16 => assert!(
                i > 0 && (is_pictographic(cs[i - 1]) || cs.get(i + 1) == Some(&KEYCAP)),
                "VS16 outside an emoji in {out:?}"
            ),
            _ => {}
        }
        i += 1;
    }
}

/// Every grapheme of sanitized text measures the same to ratatui, to unicode-width and, outside
/// emoji, to a terminal that draws it char by char (so joining or not joining changes nothing).
fn assert_widths_agree(out: &str) {
    for g in out
        .graphemes(true)
        .filter(|g| !g.contains(char::is_control))
    {
        assert_eq!(
            grapheme_width(g),
            g.width(),
            "ratatui vs unicode-width: {g:?}"
        );
        let emoji = g
            .chars()
            .any(|c| is_pictographic(c) || c == KEYCAP || ('\u{1f1e6}'..='\u{1f1ff}').contains(&c));
        if !emoji {
            let per_char: usize = g.chars().map(|c| c.width().unwrap_or(0)).sum();
            assert_eq!(
                grapheme_width(g),
                per_char,
                "cells drawn char by char: {g:?}"
            );
        }
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
    // the marks are invisible format characters too
    assert_eq!(sanitize("a\u{200e}b\u{200f}c\u{61c}d"), "abcd");
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
    // the rest of general category Cf and the default-ignorables
    for c in [
        '\u{ad}',
        '\u{34f}',
        '\u{600}',
        '\u{605}',
        '\u{6dd}',
        '\u{70f}',
        '\u{890}',
        '\u{8e2}',
        '\u{17b4}',
        '\u{180b}',
        '\u{180f}',
        '\u{2061}',
        '\u{2064}',
        '\u{2065}',
        '\u{206f}',
        '\u{fe00}',
        '\u{fe0e}',
        '\u{fff0}',
        '\u{110bd}',
        '\u{110cd}',
        '\u{13430}',
        '\u{1343f}',
        '\u{1bca0}',
        '\u{1bca3}',
        '\u{1d173}',
        '\u{e0001}',
        '\u{e0100}',
        '\u{e01ef}',
    ] {
        assert_eq!(sanitize(&format!("a{c}b{c}")), "ab", "{c:?} survived");
    }
}

#[test]
fn zwj_storm_collapses_to_the_letters_a_terminal_draws() {
    let storm = "a\u{200d}".repeat(200) + "a";
    let out = sanitize(&storm);
    assert_eq!(out, "a".repeat(201));
    assert_eq!(display_width(&out), grapheme_count(&out));
    // joiners between letters, digits, punctuation or before an emoji: all go
    assert_eq!(sanitize("x\u{200d}y 1\u{200d}2 .\u{200d}."), "xy 12 ..");
    assert_eq!(sanitize("a\u{200d}👩 👩\u{200d}a"), "a👩 👩a");
    // scripts joined by ZWJ (Devanagari half forms, Hebrew, Tifinagh): the letters stay
    assert_eq!(sanitize("क्\u{200d}ष א\u{200d}ל"), "क्ष אל");
    // a ZWJ storm between emoji joins at most four, as the longest emoji sequences do
    let emoji_storm = "😀\u{200d}".repeat(100) + "😀";
    let out = sanitize(&emoji_storm);
    assert!(
        out.graphemes(true)
            .all(|g| g.chars().filter(|&c| c == ZWJ).count() <= 3)
    );
    assert_eq!(out.chars().filter(|&c| c == '😀').count(), 101);
    assert_eq!(sanitize(&out), out);
}

#[test]
fn real_emoji_sequences_keep_their_joiners() {
    for emoji in [
        "👩\u{200d}👩\u{200d}👧",
        "👨\u{200d}👩\u{200d}👧\u{200d}👦",
        "🏳\u{fe0f}\u{200d}🌈",
        "👨🏽\u{200d}💻",
        "👩\u{200d}❤\u{fe0f}\u{200d}💋\u{200d}👨",
        "🧑🏻\u{200d}🤝\u{200d}🧑🏼",
        "🏃🏽\u{200d}♀\u{fe0f}\u{200d}➡\u{fe0f}",
        "🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}",
        "❤\u{fe0f}",
        "1\u{fe0f}\u{20e3}",
        "#\u{fe0f}\u{20e3}",
    ] {
        let text = format!("ok {emoji} ok");
        assert_eq!(sanitize(&text), text, "{emoji:?}");
        assert_eq!(grapheme_count(emoji), 1, "{emoji:?}");
        assert_eq!(display_width(emoji), 2, "{emoji:?}");
    }
}

#[test]
fn variation_selectors_only_with_emoji() {
    // VS16 after a letter or a bare digit would make unicode-width count two cells
    assert_eq!(
        sanitize("a\u{fe0f} 1\u{fe0f} ❤\u{fe0f}\u{fe0f}"),
        "a 1 ❤\u{fe0f}"
    );
    // text presentation and the other selectors: the base alone
    assert_eq!(sanitize("⌚\u{fe0e} ≩\u{fe00} 葛\u{e0100}"), "⌚ ≩ 葛");
    assert_eq!(display_width(&sanitize("⌚\u{fe0e}")), 2);
}

#[test]
fn halfwidth_sound_marks_measure_what_a_terminal_draws() {
    // ratatui counts ｶﾞ as three cells, a terminal draws two; the combining form is one everywhere
    let out = sanitize("ｶﾞｷﾟ");
    assert_eq!(out, "ｶ\u{3099}ｷ\u{309a}");
    assert_eq!(display_width(&out), 2);
    assert_widths_agree(&out);
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
fn leading_mentions_are_left_out_of_a_row() {
    assert_eq!(
        without_leading_mentions("@shop @ana.bsky.social\nstill no ring"),
        "still no ring"
    );
    assert_eq!(without_leading_mentions("thanks @shop!"), "thanks @shop!");
    assert_eq!(without_leading_mentions("@shop @ana"), "@shop @ana");
    assert_eq!(without_leading_mentions("  @x héllo"), "héllo");
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
    '\u{fe0e}',
    '\u{20e3}',
    '\u{ad}',
    '\u{ff9e}',
    'ｶ',
    '1',
    '❤',
    '🌈',
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
        assert_widths_agree(&once);
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

#[test]
fn truncate_words_cuts_at_a_space_where_it_can() {
    assert_eq!(truncate_words("short", 10), "short");
    assert_eq!(
        truncate_words("still waiting on my ring resize", 20),
        "still waiting on my…"
    );
    assert_eq!(
        truncate_words("still waiting on my ring resize", 23),
        "still waiting on my…"
    );
    // No space late enough: cut inside the word, as truncate_width does.
    assert_eq!(truncate_words("a extraordinarily", 10), "a extraor…");
    assert_eq!(truncate_words("anything", 0), "");
    assert!(display_width(&truncate_words("日本語 の 説明 です よ", 9)) <= 9);
}

#[test]
fn join_fitting_keeps_whole_items_only() {
    let items: Vec<String> = ["Enter story", "e notes", "L find handles"]
        .map(String::from)
        .to_vec();
    assert_eq!(
        join_fitting(&items, " · ", 80),
        "Enter story · e notes · L find handles"
    );
    assert_eq!(join_fitting(&items, " · ", 30), "Enter story · e notes");
    assert_eq!(join_fitting(&items, " · ", 5), "");
}
