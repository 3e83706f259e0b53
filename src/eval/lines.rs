//! The lines of `detc eval`'s input, handled in parallel and delivered in order.
//!
//! A regular file is read by the worker threads themselves, block by block at known offsets
//! (`read_at`), into buffers small enough to stay in the core's cache while the lines are scanned:
//! reading a large buffer on one thread and handing it over costs as much memory traffic as all the
//! per-line work (measured: a 4 MiB `read` buffer costs 2.5 times the system time of a 128 KiB one
//! on 400 MB). Line numbers are known only once the blocks before are counted, so each block reports
//! its lines relative to its start and its count of newlines. Any other input (a pipe, standard
//! input, a JSON array) is read sequentially by [`for_each_raw`] and handled in parallel batches.
//!
//! Both paths see the same lines with the same numbers: every `\n` ends a line, the line numbered
//! by the newlines before it plus one, trimmed of ASCII blanks, skipped when blank, and refused
//! without being held in memory when longer than [`MAX_LINE_BYTES`] (newline included).

use std::fs::File;
use std::io::{self, BufRead};
use std::os::unix::fs::FileExt;

use rayon::prelude::*;

use super::stream::{Item, MAX_LINE_BYTES, Raw, for_each_raw};

/// Bytes read per block: a block and the work on its lines fit in a core's L2 cache (measured on
/// 400 MB: 128 KiB `read_at`s cost 0.10 s of system time, 256 KiB ones 0.26 s).
const BLOCK: usize = 128 * 1024;

/// The page size the kernel copies file data in.
const PAGE: usize = 4096;

/// Lines handed to the workers at once from a stream.
const STREAM_BATCH: usize = 8192;

/// One line as a worker sees it: its trimmed bytes, or already decided (an element of a JSON array
/// input, a line too long to hold).
pub enum Line<'a> {
    Text(&'a [u8]),
    Done(Item),
}

/// Calls `per_line` on every non-blank line of `input` in parallel (with a scratch value of the
/// worker's, reused), and `sink` with each result and its 1-based line number, in input order.
/// A line whose result is `None` is only counted (most lines of a hunt match nothing: they are
/// not handed from thread to thread); the count is returned. `per_line` reads `ctx`; `sink` may
/// change it between batches. `progress` is told, after each batch, how many lines (blank and
/// quiet ones included) have been read: the sink alone would not show a hunt where nothing matches
/// moving.
pub fn for_each_line<C: Sync, S: Default + Send, T: Send>(
    input: Input,
    ctx: &mut C,
    per_line: impl Fn(&C, &mut S, Line<'_>) -> Option<T> + Sync,
    sink: impl FnMut(&mut C, usize, T),
    mut progress: impl FnMut(usize),
) -> io::Result<usize> {
    match input {
        Input::File(file) => {
            if starts_with_array(&file)? {
                for_each_streamed(io::BufReader::new(file), ctx, per_line, sink, &mut progress)
            } else {
                for_each_in_blocks(&file, BLOCK, ctx, per_line, sink, &mut progress)
            }
        }
        Input::Stream(stream) => for_each_streamed(stream, ctx, per_line, sink, &mut progress),
    }
}

/// Where events come from.
pub enum Input {
    /// A regular file, read in parallel blocks.
    File(File),
    /// Anything else, read in order.
    Stream(Box<dyn BufRead>),
}

/// Whether the first non-blank byte of `file` is `[` (a JSON array, read whole by the stream path).
fn starts_with_array(file: &File) -> io::Result<bool> {
    let mut buf = vec![0; 64 * 1024];
    let mut at = 0;
    loop {
        let n = read_full(file, at, &mut buf)?;
        if let Some(i) = buf[..n].iter().position(|b| !b.is_ascii_whitespace()) {
            return Ok(buf[i] == b'[');
        }
        if n < buf.len() {
            return Ok(false);
        }
        at += n as u64;
    }
}

fn for_each_streamed<C: Sync, S: Default + Send, T: Send>(
    input: impl BufRead,
    ctx: &mut C,
    per_line: impl Fn(&C, &mut S, Line<'_>) -> Option<T> + Sync,
    sink: impl FnMut(&mut C, usize, T),
    progress: &mut dyn FnMut(usize),
) -> io::Result<usize> {
    for_each_streamed_batched(input, STREAM_BATCH, ctx, per_line, sink, progress)
}

/// [`for_each_streamed`] handing the workers `batch_len` lines at a time.
fn for_each_streamed_batched<C: Sync, S: Default + Send, T: Send>(
    input: impl BufRead,
    batch_len: usize,
    ctx: &mut C,
    per_line: impl Fn(&C, &mut S, Line<'_>) -> Option<T> + Sync,
    mut sink: impl FnMut(&mut C, usize, T),
    progress: &mut dyn FnMut(usize),
) -> io::Result<usize> {
    let mut batch: Vec<Raw> = Vec::with_capacity(batch_len);
    let mut counted = 0;
    let mut run = |batch: &mut Vec<Raw>, ctx: &mut C| {
        // The number of the batch's last line is the count of lines read.
        let read = batch.last().map(|raw| match raw {
            Raw::Line(n, _) | Raw::Item(n, _) => *n,
        });
        let shared = &*ctx;
        let done: Vec<(usize, Option<T>)> = batch
            .par_drain(..)
            .map_init(S::default, |scratch, raw| match raw {
                Raw::Line(n, bytes) => (n, per_line(shared, scratch, Line::Text(&bytes))),
                Raw::Item(n, item) => (n, per_line(shared, scratch, Line::Done(item))),
            })
            .collect();
        for (n, t) in done {
            match t {
                Some(t) => sink(ctx, n, t),
                None => counted += 1,
            }
        }
        if let Some(read) = read {
            progress(read);
        }
    };
    let result = for_each_raw(input, |raw| {
        batch.push(raw);
        if batch.len() == batch_len {
            run(&mut batch, ctx);
        }
    });
    run(&mut batch, ctx);
    result.map(|()| counted)
}

thread_local! {
    /// The bytes of the block a thread works on, reused for every block: the same memory, still in
    /// the core's cache, is what the next `read_at` writes to.
    static BLOCK_BYTES: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The lines that start in one block (numbered from the block's start) and its newline count.
struct BlockOut<T> {
    newlines: usize,
    lines: Vec<(usize, T)>,
    /// Lines whose result was `None`.
    counted: usize,
    /// The block lies past the end of the file.
    past_end: bool,
}

fn for_each_in_blocks<C: Sync, S: Default + Send, T: Send>(
    file: &File,
    block: usize,
    ctx: &mut C,
    per_line: impl Fn(&C, &mut S, Line<'_>) -> Option<T> + Sync,
    mut sink: impl FnMut(&mut C, usize, T),
    progress: &mut dyn FnMut(usize),
) -> io::Result<usize> {
    // The length when the run starts: a file growing meanwhile is read up to there.
    let len = file.metadata()?.len();
    // Blocks per batch: the workers wait for the slowest at each batch's end and while the main
    // thread takes the results, so batches hold many blocks (results are small: quiet lines are
    // only counted).
    let per_batch = 16 * rayon::current_num_threads().max(1);
    let mut scratches: Vec<S> = (0..per_batch).map(|_| S::default()).collect();
    let (mut lines_before, mut counted) = (0, 0);
    for batch in 0u64.. {
        let shared = &*ctx;
        let outs: Vec<io::Result<BlockOut<T>>> = scratches
            .par_iter_mut()
            .enumerate()
            .map(|(i, scratch)| {
                let start = (batch * per_batch as u64 + i as u64) * block as u64;
                BLOCK_BYTES.with_borrow_mut(|buf| {
                    read_block(file, len, start..start + block as u64, buf, scratch, &|s, line| {
                        per_line(shared, s, line)
                    })
                })
            })
            .collect();
        for out in outs {
            let out = out?;
            if out.past_end {
                progress(lines_before);
                return Ok(counted);
            }
            for (rel, t) in out.lines {
                sink(ctx, lines_before + rel + 1, t);
            }
            counted += out.counted;
            lines_before += out.newlines;
        }
        progress(lines_before);
    }
    Ok(counted)
}

/// Handle the lines starting in the block `block` (of a file of `len` bytes).
fn read_block<S, T>(
    file: &File,
    len: u64,
    block: std::ops::Range<u64>,
    buf: &mut Vec<u8>,
    scratch: &mut S,
    per_line: &dyn Fn(&mut S, Line<'_>) -> Option<T>,
) -> io::Result<BlockOut<T>> {
    let start = block.start;
    let mut out = BlockOut {
        newlines: 0,
        counted: 0,
        // Room for the lines of a block of realistic (1 KiB) events without growing.
        lines: Vec::with_capacity((block.end - start) as usize / 1024 + 1),
        past_end: start >= len,
    };
    if out.past_end {
        return Ok(out);
    }
    // One byte before the block tells whether a line starts at its first byte.
    let before = usize::from(start > 0);
    let offset = start - before as u64;
    let want = (block.end.min(len) - start) as usize + before;
    // The kernel copies at a third of the speed when the destination sits a few bytes after the
    // source within a page (measured: 0.24 s against 0.08 s of system time on 400 MB): the bytes
    // go where their file offset falls in a page.
    // The buffer only grows (zeroing it for every block would cost a pass over the input).
    if buf.len() < want + PAGE {
        buf.resize(want + PAGE, 0);
    }
    let skew = (offset as usize).wrapping_sub(buf.as_ptr() as usize) % PAGE;
    let end = skew + read_full(file, offset, &mut buf[skew..skew + want])?;
    if end <= skew + before {
        // The file shrank meanwhile: it ends here.
        out.past_end = true;
        return Ok(out);
    }
    let mut at = skew + before;
    if before == 1 && buf[skew] != b'\n' {
        // The block starts inside a line of an earlier block.
        match memchr::memchr(b'\n', &buf[at..end]) {
            Some(i) => {
                at += i + 1;
                out.newlines = 1;
            }
            None => return Ok(out),
        }
    }
    while at < end {
        let Some(i) = memchr::memchr(b'\n', &buf[at..end]) else {
            // The last line goes on past the block: read the rest of it.
            let next = offset + (end - skew) as u64;
            let result = match tail(file, len, next, buf, at..end)? {
                Some(range) => line_result(&buf[range], scratch, per_line),
                None => Some(per_line(scratch, Line::Done(too_long()))),
            };
            out.deliver(result);
            break;
        };
        let result = line_result(&buf[at..at + i], scratch, per_line);
        out.deliver(result);
        out.newlines += 1;
        at += i + 1;
    }
    Ok(out)
}

impl<T> BlockOut<T> {
    /// Keep a line's result (`None` for a blank line, `Some(None)` for a counted one).
    fn deliver(&mut self, result: Option<Option<T>>) {
        match result {
            Some(Some(t)) => self.lines.push((self.newlines, t)),
            Some(None) => self.counted += 1,
            None => {}
        }
    }
}

/// The result of one line's bytes (without its newline); `None` for a blank line.
fn line_result<S, T>(
    bytes: &[u8],
    scratch: &mut S,
    per_line: &dyn Fn(&mut S, Line<'_>) -> Option<T>,
) -> Option<Option<T>> {
    let trimmed = bytes.trim_ascii();
    (!trimmed.is_empty()).then(|| per_line(scratch, Line::Text(trimmed)))
}

fn too_long() -> Item {
    Item::Bad {
        line: 0,
        message: format!("line longer than {} MiB", MAX_LINE_BYTES >> 20),
    }
}

/// Complete the line `buf[line]` whose bytes go on at file offset `at`: reads on into `buf` until
/// a newline or the end of the file. Returns the whole line's range in `buf` (without the newline),
/// or `None` when it is longer than [`MAX_LINE_BYTES`] (newline included), which is then not read
/// further.
fn tail(
    file: &File,
    len: u64,
    mut at: u64,
    buf: &mut Vec<u8>,
    line: std::ops::Range<usize>,
) -> io::Result<Option<std::ops::Range<usize>>> {
    // Most lines end within a few KiB: read little at first, then more and more.
    let mut piece = 4096;
    let (from, mut end) = (line.start, line.end);
    loop {
        if end - from > MAX_LINE_BYTES {
            return Ok(None);
        }
        if at >= len {
            return Ok(Some(from..end));
        }
        let want = (piece as u64).min(len - at) as usize;
        piece = (piece * 2).min(1 << 20);
        if buf.len() < end + want {
            buf.resize(end + want, 0);
        }
        let got = read_full(file, at, &mut buf[end..end + want])?;
        if got == 0 {
            // The file shrank: what was read is the last line.
            return Ok(Some(from..end));
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[end..end + got]) {
            let stop = end + i;
            return Ok((stop - from < MAX_LINE_BYTES).then_some(from..stop));
        }
        end += got;
        at += got as u64;
    }
}

/// Read into all of `buf` from `offset`, unless the file ends first; returns the bytes read.
fn read_full(file: &File, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match file.read_at(&mut buf[done..], offset + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Write;

    /// Every line as (number, text or verdict), through `input`.
    fn lines_of(input: Input, block: usize) -> Vec<(usize, String)> {
        let show = |_: &(), _: &mut (), line: Line<'_>| {
            Some(match line {
                Line::Text(b) => String::from_utf8_lossy(b).into_owned(),
                Line::Done(Item::Bad { message, .. }) => format!("bad: {message}"),
                Line::Done(Item::Event(e)) => format!("event: {e}"),
            })
        };
        let mut out = Vec::new();
        let sink = |_: &mut (), n, t| out.push((n, t));
        match input {
            Input::File(f) if block > 0 && !starts_with_array(&f).unwrap() => {
                for_each_in_blocks(&f, block, &mut (), show, sink, &mut |_| {})
            }
            other => for_each_line(other, &mut (), show, sink, |_| {}),
        }
        .unwrap();
        out
    }

    fn file_with(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(bytes).unwrap();
        f
    }

    /// The same lines, numbers and verdicts in blocks as read in order.
    fn same_both_ways(bytes: &[u8], block: usize) -> Result<(), TestCaseError> {
        let f = file_with(bytes);
        let streamed = lines_of(Input::Stream(Box::new(std::io::Cursor::new(bytes.to_vec()))), 0);
        let in_blocks = lines_of(Input::File(f.reopen().unwrap()), block);
        prop_assert_eq!(in_blocks, streamed);
        Ok(())
    }

    proptest! {
        #[test]
        fn blocks_read_the_lines_a_stream_reads(
            lines in proptest::collection::vec(("[a-c {}\\[\\]\r\t]{0,40}", 0..3usize), 0..40),
            block in 1..64usize,
        ) {
            let text: String = lines.iter().map(|(l, end)| format!("{l}{}", ["\n", "\r\n", ""][*end])).collect();
            same_both_ways(text.as_bytes(), block)?;
        }
    }

    #[test]
    fn lines_too_long_are_refused_alike_and_the_count_goes_on() {
        let mut bytes = b"{\"a\":1}\n\n".to_vec();
        // A line of MAX - 1 bytes fits with its newline; one of MAX bytes does not.
        for len in [MAX_LINE_BYTES - 1, MAX_LINE_BYTES, 3 * BLOCK] {
            bytes.extend(std::iter::repeat_n(b'x', len));
            bytes.push(b'\n');
        }
        bytes.extend(std::iter::repeat_n(b'y', MAX_LINE_BYTES + 1));
        let f = file_with(&bytes);
        let got: Vec<(usize, String)> = lines_of(Input::File(f.reopen().unwrap()), BLOCK)
            .into_iter()
            .map(|(n, t)| (n, t.chars().take(12).collect()))
            .collect();
        let x = "x".repeat(12);
        let bad = "bad: line lo".to_string();
        assert_eq!(
            got,
            [
                (1, "{\"a\":1}".into()),
                (3, x.clone()),
                (4, bad.clone()),
                (5, x),
                (6, bad)
            ]
        );
        same_both_ways(&bytes, BLOCK).unwrap();
    }

    proptest! {
        /// Lines whose result is `None` are counted, not delivered, alike both ways.
        #[test]
        fn counted_lines_are_counted_alike(
            lines in proptest::collection::vec("[ab ]{0,12}", 0..60),
            block in 1..64usize,
        ) {
            let text = lines.join("\n");
            let keep_b = |_: &(), _: &mut (), line: Line<'_>| match line {
                Line::Text(b) => b.starts_with(b"b").then(|| String::from_utf8_lossy(b).into_owned()),
                Line::Done(_) => Some("done".to_string()),
            };
            let run = |input: Input, block: usize| {
                let mut got = Vec::new();
                let counted = match input {
                    Input::File(f) => {
                        for_each_in_blocks(&f, block, &mut (), keep_b, |_: &mut (), n, t| got.push((n, t)), &mut |_| {})
                    }
                    other => for_each_line(other, &mut (), keep_b, |_: &mut (), n, t| got.push((n, t)), |_| {}),
                }
                .unwrap();
                (got, counted)
            };
            let f = file_with(text.as_bytes());
            let in_blocks = run(Input::File(f.reopen().unwrap()), block);
            let streamed = run(Input::Stream(Box::new(std::io::Cursor::new(text.clone().into_bytes()))), 0);
            let non_blank = lines.iter().filter(|l| !l.trim().is_empty()).count();
            prop_assert_eq!(in_blocks.1 + in_blocks.0.len(), non_blank);
            prop_assert_eq!(in_blocks, streamed);
        }
    }

    #[test]
    fn a_json_array_file_is_read_whole() {
        let f = file_with(b" \n[{\"a\":1},\n{\"a\":2}]");
        let got = lines_of(Input::File(f.reopen().unwrap()), 0);
        assert_eq!(got, [(1, "event: {\"a\":1}".into()), (2, "event: {\"a\":2}".into())]);
    }

    /// Progress moves while no line reaches the sink (every line quiet), never backwards, and ends
    /// at the number of lines, in blocks and in a stream.
    #[test]
    fn progress_counts_quiet_lines() {
        let text: String = (1..=5000).map(|i| format!("{{\"n\":{i}}}\n")).collect();
        let quiet = |_: &(), _: &mut (), _: Line<'_>| None::<()>;
        let check = |reported: Vec<usize>, counted: usize| {
            assert_eq!(counted, 5000);
            assert!(reported.len() > 1, "progress told once or never: {reported:?}");
            assert!(reported.windows(2).all(|w| w[0] <= w[1]), "{reported:?}");
            assert_eq!(reported.last(), Some(&5000));
        };
        let f = file_with(text.as_bytes());
        let mut reported = Vec::new();
        let counted = for_each_in_blocks(&f.reopen().unwrap(), 64, &mut (), quiet, |_, _, _| {}, &mut |n| {
            reported.push(n)
        })
        .unwrap();
        check(reported, counted);
        let mut reported = Vec::new();
        let stream = std::io::Cursor::new(text.into_bytes());
        let sink = |_: &mut (), _, _: ()| {};
        let counted = for_each_streamed_batched(stream, 1000, &mut (), quiet, sink, &mut |n| reported.push(n)).unwrap();
        check(reported, counted);
    }
}
