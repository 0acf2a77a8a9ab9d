//! In a regular's post about their life (ingest knows it neither addresses nor names the shop), words in
//! quotation marks are someone else's: a title ("eternity rings, October delivery"), a line a child said, a
//! rejection letter's "we loved it, but". They are not the author's feelings or dealings. (In a post to a
//! business, quoted words are as often what the business said or promised, and count.)
//!
//! Read only as far as the cues: the scanner asks about a cue's start, so a post without cues is never read
//! here, and each byte is read at most once more.

/// Straight quotes open and close alike; curly ones say which they are.
const STRAIGHT: u8 = b'"';
/// UTF-8 of “ and ” : E2 80 9C, E2 80 9D.
const CURLY_LEAD: [u8; 2] = [0xE2, 0x80];
const CURLY_OPEN: u8 = 0x9C;
const CURLY_CLOSE: u8 = 0x9D;

/// A quote of four words or more is someone's line; up to three words in quotes are scare quotes, the author's
/// own sarcasm ("delayed", "premium" service), and count.
const MIN_SPACES: usize = 3;

pub(crate) struct Quotes {
    /// Bytes before this have been read.
    at: usize,
    open: bool,
    /// Where the open quote began.
    opened: usize,
}

impl Quotes {
    pub fn new() -> Quotes {
        Quotes {
            at: 0,
            open: false,
            opened: 0,
        }
    }

    /// Whether a cue starting at byte `start` of `text` is in someone else's quoted words. Starts come in
    /// increasing order.
    pub fn mutes(&mut self, text: &[u8], start: usize) -> bool {
        self.read_to(text, start);
        // A quote from the post's first byte wraps the whole post (as some clients and exports do): the
        // author's words.
        self.open
            && self.opened > 0
            && closing(text, start).is_some_and(|end| {
                let quoted = &text[self.opened..end];
                quoted.iter().filter(|&&b| b == b' ').count() >= MIN_SPACES
            })
    }

    fn read_to(&mut self, text: &[u8], to: usize) {
        let to = to.min(text.len());
        let mut i = self.at;
        while i < to {
            match text[i] {
                STRAIGHT => {
                    self.open = !self.open;
                    self.opened = i;
                }
                0xE2 if text.get(i + 1) == Some(&CURLY_LEAD[1]) => match text.get(i + 2) {
                    Some(&CURLY_OPEN) => {
                        self.open = true;
                        self.opened = i;
                    }
                    Some(&CURLY_CLOSE) => self.open = false,
                    _ => {}
                },
                _ => {}
            }
            i += 1;
        }
        self.at = i.max(self.at);
    }
}

/// Where an opened quote closes, at or after `from`: a lone `"` (12" pizza) quotes nothing.
fn closing(text: &[u8], from: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    let i = rest.iter().enumerate().position(|(i, &b)| {
        b == STRAIGHT
            || (b == CURLY_LEAD[0] && rest[i + 1..].starts_with(&[CURLY_LEAD[1], CURLY_CLOSE]))
    })?;
    Some(from + i)
}
