//! Byte classes of 64 bytes of text at once, one bit per byte: the tokenizer finds words, the punctuation between
//! them and the bytes that need its careful path with a few bit operations instead of a branch per byte.

/// Classes of `text[base..base + 64]`; bit `i` is byte `base + i`, and bytes past the end of the text read as 0
/// (in no class but [`Block::punct`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Block {
    pub base: usize,
    /// The bytes themselves (zeros past the end of the text), so a short word is read without bounds checks.
    pub bytes: [u8; READ],
    /// ASCII letters.
    pub alpha: u64,
    pub digit: u64,
    /// ASCII capitals.
    pub upper: u64,
    pub apos: u64,
    pub at: u64,
    pub underscore: u64,
    /// Bytes only the tokenizer's careful path reads: non-ASCII, `# & : ; < =`.
    pub special: u64,
    /// The other bytes but spaces: punctuation, control bytes (and the zeros past the end of the text).
    pub punct: u64,
    /// Where the same byte, case folded, starts three times in a row ("sooo").
    pub triple: u64,
    /// Where "ht", "hw", "wt" or "ww" starts, in either case: a word starting so may be a link.
    pub link: u64,
}

/// Bytes read per block: 64 plus what the classes and an eight-byte word read after them.
pub(crate) const READ: usize = 80;

impl Block {
    pub fn load(text: &[u8], base: usize) -> Block {
        let mut bytes = [0u8; READ];
        match text.get(base..base + READ) {
            Some(s) => bytes.copy_from_slice(s),
            None => {
                let rest = &text[base.min(text.len())..];
                bytes[..rest.len()].copy_from_slice(rest);
            }
        }
        // Sixteen-byte chunks wholly past the end of the text are zeros: in no class that matters.
        let chunks = text.len().saturating_sub(base).div_ceil(16).min(4);
        let m = masks(&bytes, chunks);
        Block {
            base,
            bytes,
            alpha: m.alpha,
            digit: m.digit,
            upper: m.upper,
            apos: m.apos,
            at: m.at,
            underscore: m.underscore,
            special: m.special | m.high,
            punct: !(m.alpha | m.digit | m.space | m.special | m.high),
            triple: m.triple,
            link: m.link,
        }
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Masks {
    alpha: u64,
    digit: u64,
    upper: u64,
    apos: u64,
    at: u64,
    underscore: u64,
    space: u64,
    special: u64,
    high: u64,
    triple: u64,
    link: u64,
}

/// The classes byte by byte: their definition, for the tests.
#[cfg(test)]
fn masks_bytewise(bytes: &[u8; READ]) -> Masks {
    let mut m = Masks::default();
    for (i, &c) in bytes[..64].iter().enumerate() {
        let bit = 1u64 << i;
        let set = |mask: &mut u64, on: bool| {
            if on {
                *mask |= bit
            }
        };
        set(&mut m.alpha, c.is_ascii_alphabetic());
        set(&mut m.digit, c.is_ascii_digit());
        set(&mut m.upper, c.is_ascii_uppercase());
        set(&mut m.apos, c == b'\'');
        set(&mut m.space, c == b' ');
        set(&mut m.at, c == b'@');
        set(&mut m.underscore, c == b'_');
        set(&mut m.special, b"#&:;<=".contains(&c));
        set(&mut m.high, c >= 0x80);
        let f = |j: usize| bytes[j] | 0x20;
        set(&mut m.triple, f(i) == f(i + 1) && f(i) == f(i + 2));
        set(
            &mut m.link,
            matches!(f(i), b'h' | b'w') && matches!(f(i + 1), b't' | b'w'),
        );
    }
    m
}

/// Sixteen bytes per compare, through `wide`'s portable vectors (SSE2 on x86-64, NEON on ARM).
#[inline]
fn masks(bytes: &[u8; READ], chunks: usize) -> Masks {
    use wide::u8x16;
    let mut m = Masks::default();
    for q in 0..chunks {
        let at = |i: usize| u8x16::from(<[u8; 16]>::try_from(&bytes[i..i + 16]).unwrap_or([0; 16]));
        let v = at(16 * q);
        let eq = |c: u8| v.simd_eq(u8x16::splat(c));
        // x in [lo, lo + n)
        let range = |x: u8x16, lo: u8, n: u8| (x - u8x16::splat(lo)).simd_lt(u8x16::splat(n));
        let bits = |x: u8x16| (x.to_bitmask() as u64) << (16 * q);
        m.alpha |= bits(range(v | u8x16::splat(0x20), b'a', 26));
        m.digit |= bits(range(v, b'0', 10));
        m.upper |= bits(range(v, b'A', 26));
        m.apos |= bits(eq(b'\''));
        m.space |= bits(eq(b' '));
        // : ; < = are 0x3A..=0x3D.
        m.at |= bits(eq(b'@'));
        m.underscore |= bits(eq(b'_'));
        m.special |= bits(eq(b'#') | eq(b'&') | range(v, b':', 4));
        m.high |= bits(v);
        let folded = |x: u8x16| x | u8x16::splat(0x20);
        let (f0, f1, f2) = (folded(v), folded(at(16 * q + 1)), folded(at(16 * q + 2)));
        m.triple |= bits(f0.simd_eq(f1) & f0.simd_eq(f2));
        let is = |x: u8x16, c: u8| x.simd_eq(u8x16::splat(c));
        m.link |= bits((is(f0, b'h') | is(f0, b'w')) & (is(f1, b't') | is(f1, b'w')));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_classes_match_their_byte_by_byte_definitions() {
        // Every byte value in every position, then mixed text.
        for x in 0..=255u8 {
            for pos in [0, 7, 15, 16, 31, 47, 63, 64, 65] {
                let mut bytes = [b'a'; READ];
                bytes[pos] = x;
                assert_eq!(masks(&bytes, 4), masks_bytewise(&bytes), "{x:#x} at {pos}");
            }
        }
        let text = "@shop don't SHIP it: refund?! (now) \"really\" [x] #tag &amp; <3 =) café 10:30 ok. Sooo NOoo aaa";
        let b = text.as_bytes();
        let mut bytes = [0u8; READ];
        bytes.copy_from_slice(&b[..READ]);
        assert_eq!(masks(&bytes, 4), masks_bytewise(&bytes));
    }

    #[test]
    fn a_block_past_the_end_reads_zeros() {
        let blk = Block::load(b"ab'c d", 0);
        assert_eq!(blk.alpha, 0b10_1011);
        assert_eq!(blk.apos, 0b100);
        assert_eq!(blk.punct, !0b11_1111 | 0b100);
        let tail = Block::load(b"ab'c d", 4);
        assert_eq!(tail.base, 4);
        assert_eq!(tail.alpha, 0b10);
        assert_eq!(&tail.bytes[..3], b" d\0");
        let past = Block::load(b"ab", 2);
        assert_eq!((past.alpha, past.punct), (0, u64::MAX));
    }
}
