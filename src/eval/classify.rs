//! Stage one of the line scanner: every byte of a line classified, sixty-four at a time, into bit
//! masks (simdjson's first stage). A set bit stands for one byte of the chunk, bit `i` for byte `i`.
//!
//! Only what the common line needs is computed with vectors: quotes, spaces, the structural
//! characters `{}[]:,`, and one "rare" mask for backslashes, control characters and non-ASCII
//! bytes, which [`super::structure`] then looks at byte by byte (they are rare in event logs).
//!
//! Two implementations give the same masks: SSE2 through `wide` (the x86-64 baseline, and a
//! portable fallback elsewhere), and AVX2 through `std::arch`, chosen at run time.

use wide::{i8x16, u8x16};

/// The classes of the bytes of one 64-byte chunk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Classes {
    /// `"` (escaped or not: escapes are resolved later).
    pub quote: u64,
    /// ` ` (the only whitespace the fast path accepts between tokens).
    pub space: u64,
    /// `{`, `}`, `[`, `]`, `:`, `,` (inside strings too).
    pub op: u64,
    /// `\`, bytes below 0x20 and bytes from 0x80.
    pub rare: u64,
}

/// The chunk length.
pub const CHUNK: usize = 64;

/// Classify all of `line` into `out`, one [`Classes`] per 64 bytes; the last chunk is padded with
/// spaces (which change no token).
pub fn classify_line(line: &[u8], out: &mut Vec<Classes>) {
    out.clear();
    #[cfg(target_arch = "x86_64")]
    if let Some(avx2) = avx2::Avx2::detect() {
        return avx2.classify_line(line, out);
    }
    classify_with(line, out, classify_sse2);
}

/// The chunk loop, shared by both implementations (inlined into each, so the AVX2 one is compiled
/// with AVX2 enabled throughout).
#[inline(always)]
fn classify_with(line: &[u8], out: &mut Vec<Classes>, classify: impl Fn(&[u8; CHUNK]) -> Classes) {
    out.reserve(line.len() / CHUNK + 1);
    let (chunks, tail) = line.as_chunks::<CHUNK>();
    out.extend(chunks.iter().map(&classify));
    if tail.is_empty() {
        return;
    }
    let last = match line.last_chunk::<CHUNK>() {
        // The line's last 64 bytes, shifted down to the tail's bytes: no copy.
        Some(end) => {
            let c = classify(end);
            let drop = (CHUNK - tail.len()) as u32;
            Classes {
                quote: c.quote >> drop,
                space: c.space >> drop,
                op: c.op >> drop,
                rare: c.rare >> drop,
            }
        }
        None => {
            let mut padded = [b' '; CHUNK];
            padded[..tail.len()].copy_from_slice(tail);
            classify(&padded)
        }
    };
    // The bytes past the end count as spaces.
    out.push(Classes {
        space: last.space | (!0 << tail.len()),
        ..last
    });
}

/// Sixteen bytes at a time through `wide` (SSE2 on x86-64).
#[inline(always)]
fn classify_sse2(chunk: &[u8; CHUNK]) -> Classes {
    let mut c = Classes::default();
    for (i, part) in chunk.as_chunks::<16>().0.iter().enumerate() {
        let v = u8x16::new(*part);
        let shift = 16 * i;
        let quote = v.simd_eq(u8x16::splat(b'"'));
        let space = v.simd_eq(u8x16::splat(b' '));
        // `[` and `]` are `{` and `}` without bit 0x20.
        let folded = v | u8x16::splat(0x20);
        let op = folded.simd_eq(u8x16::splat(b'{'))
            | folded.simd_eq(u8x16::splat(b'}'))
            | v.simd_eq(u8x16::splat(b':'))
            | v.simd_eq(u8x16::splat(b','));
        // As signed bytes, controls and non-ASCII bytes are both below 0x20.
        let low: u8x16 = bytemuck::cast(bytemuck::cast::<u8x16, i8x16>(v).simd_lt(i8x16::splat(0x20)));
        let rare = v.simd_eq(u8x16::splat(b'\\')) | low;
        c.quote |= u64::from(quote.to_bitmask()) << shift;
        c.space |= u64::from(space.to_bitmask()) << shift;
        c.op |= u64::from(op.to_bitmask()) << shift;
        c.rare |= u64::from(rare.to_bitmask()) << shift;
    }
    c
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8, _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8,
    };

    use super::{CHUNK, Classes, classify_with};

    /// Proof that the CPU has AVX2: only [`Avx2::detect`] makes one.
    #[derive(Clone, Copy)]
    pub struct Avx2(());

    impl Avx2 {
        #[inline]
        pub fn detect() -> Option<Avx2> {
            std::arch::is_x86_feature_detected!("avx2").then_some(Avx2(()))
        }

        #[inline]
        pub fn classify_line(self, line: &[u8], out: &mut Vec<Classes>) {
            // SAFETY: calling a function compiled for AVX2 is sound when the CPU has AVX2, which
            // `self` proves (it is made only by `detect`, after the run-time check). This is the
            // only unsafe operation: the function body is safe code (AVX2 intrinsics are safe
            // within it). Tested against the SSE2 masks in `tests::both_implementations_agree`.
            unsafe { classify_line_avx2(line, out) }
        }
    }

    #[target_feature(enable = "avx2")]
    fn classify_line_avx2(line: &[u8], out: &mut Vec<Classes>) {
        classify_with(line, out, |chunk| classify_avx2(chunk));
    }

    #[target_feature(enable = "avx2")]
    #[inline]
    fn classify_avx2(chunk: &[u8; CHUNK]) -> Classes {
        let halves: [__m256i; 2] = bytemuck::cast(*chunk);
        let mut c = Classes::default();
        for (i, v) in halves.into_iter().enumerate() {
            let shift = 32 * i;
            let eq = |b: u8| _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b as i8));
            let mask = |m: __m256i| u64::from(_mm256_movemask_epi8(m) as u32) << shift;
            let folded = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
            let op = _mm256_or_si256(
                _mm256_or_si256(
                    _mm256_cmpeq_epi8(folded, _mm256_set1_epi8(b'{' as i8)),
                    _mm256_cmpeq_epi8(folded, _mm256_set1_epi8(b'}' as i8)),
                ),
                _mm256_or_si256(eq(b':'), eq(b',')),
            );
            // Signed: controls and non-ASCII bytes are both below 0x20.
            let low = _mm256_cmpgt_epi8(_mm256_set1_epi8(0x20), v);
            c.quote |= mask(eq(b'"'));
            c.space |= mask(eq(b' '));
            c.op |= mask(op);
            c.rare |= mask(_mm256_or_si256(eq(b'\\'), low));
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The masks byte by byte.
    fn reference(line: &[u8]) -> Vec<Classes> {
        line.chunks(CHUNK)
            .map(|chunk| {
                let mut c = Classes::default();
                for (i, &b) in chunk.iter().enumerate() {
                    let bit = 1u64 << i;
                    c.quote |= if b == b'"' { bit } else { 0 };
                    c.space |= if b == b' ' { bit } else { 0 };
                    c.op |= if b"{}[]:,".contains(&b) { bit } else { 0 };
                    c.rare |= if b == b'\\' || !(0x20..0x80).contains(&b) {
                        bit
                    } else {
                        0
                    };
                }
                // Padding is spaces.
                c.space |= if chunk.len() < CHUNK { !0 << chunk.len() } else { 0 };
                c
            })
            .collect()
    }

    fn sse2(line: &[u8]) -> Vec<Classes> {
        let mut out = Vec::new();
        classify_with(line, &mut out, classify_sse2);
        out
    }

    /// The AVX2 masks, where the CPU has AVX2 (said once on standard error where it has not: the
    /// AVX2 code is then untested on this machine, and unused).
    fn avx2(line: &[u8]) -> Option<Vec<Classes>> {
        #[cfg(target_arch = "x86_64")]
        if let Some(avx2) = avx2::Avx2::detect() {
            let mut out = Vec::new();
            avx2.classify_line(line, &mut out);
            return Some(out);
        }
        static SAID: std::sync::Once = std::sync::Once::new();
        SAID.call_once(|| eprintln!("note: no AVX2 on this CPU: only the SSE2 masks are tested"));
        None
    }

    /// Both implementations, and the dispatch, against the byte-by-byte masks.
    fn all_agree(line: &[u8]) -> Result<(), TestCaseError> {
        let expected = reference(line);
        prop_assert_eq!(&sse2(line), &expected, "SSE2");
        if let Some(masks) = avx2(line) {
            prop_assert_eq!(&masks, &expected, "AVX2");
        }
        let mut dispatched = Vec::new();
        classify_line(line, &mut dispatched);
        prop_assert_eq!(&dispatched, &expected, "dispatched");
        Ok(())
    }

    proptest! {
        #[test]
        fn both_implementations_agree(line in proptest::collection::vec(any::<u8>(), 0..300)) {
            all_agree(&line)?;
        }
    }

    #[test]
    fn every_byte_value_in_every_position() {
        for b in 0..=255u8 {
            for len in [1, 31, 32, 33, 63, 64, 65, 130] {
                let line = vec![b; len];
                if let Err(e) = all_agree(&line) {
                    panic!("byte {b:#x} x {len}: {e}");
                }
            }
        }
    }
}
