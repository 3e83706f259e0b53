//! Reading events for `detc eval`: JSON Lines (streamed, constant memory) or one JSON array.

use std::io::BufRead;

use serde_json::Value as Json;

/// Lines longer than this are reported and skipped without being held in memory.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// One item of the stream: an event, or a line that is not one.
pub enum Item {
    Event(Json),
    Bad { line: usize, message: String },
}

/// One raw item of the stream, before JSON parsing (which callers may run in parallel).
pub enum Raw {
    /// A JSON Lines line (1-based number, bytes without surrounding blanks).
    Line(usize, Vec<u8>),
    /// Already parsed (the input was one JSON array) or already known bad.
    Item(usize, Item),
}

/// Parse one JSON Lines line into an event or a bad-line report.
pub fn parse_line(line: usize, bytes: &[u8]) -> Item {
    match serde_json::from_slice::<Json>(bytes) {
        Ok(e) if e.is_object() => Item::Event(e),
        Ok(_) => Item::Bad {
            line,
            message: "not a JSON object".into(),
        },
        Err(e) => Item::Bad {
            line,
            message: format!("invalid JSON: {e}"),
        },
    }
}

/// Calls `f` for every event or bad line of `input`, in order; the 1-based line number is passed.
pub fn for_each_event(input: impl BufRead, mut f: impl FnMut(usize, Item)) -> std::io::Result<()> {
    for_each_raw(input, |raw| match raw {
        Raw::Line(n, bytes) => f(n, parse_line(n, &bytes)),
        Raw::Item(n, item) => f(n, item),
    })
}

/// Calls `f` for every non-blank line of JSON Lines `input` (unparsed), or for every event of a
/// JSON array input.
pub fn for_each_raw(mut input: impl BufRead, mut f: impl FnMut(Raw)) -> std::io::Result<()> {
    // A JSON array (first non-blank byte `[`) is read whole; anything else is JSON Lines.
    let first = loop {
        let buf = input.fill_buf()?;
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => break Some(buf[i]),
            None if buf.is_empty() => break None,
            None => {
                let n = buf.len();
                input.consume(n);
            }
        }
    };
    if first == Some(b'[') {
        let mut text = String::new();
        input.read_to_string(&mut text)?;
        match serde_json::from_str::<Vec<Json>>(&text) {
            // An element is numbered by its 1-based position, as lines are.
            Ok(events) => events
                .into_iter()
                .enumerate()
                .for_each(|(i, e)| f(Raw::Item(i + 1, Item::Event(e)))),
            Err(e) => f(Raw::Item(
                e.line(),
                Item::Bad {
                    line: e.line(),
                    message: format!("invalid JSON array: {e}"),
                },
            )),
        }
        return Ok(());
    }
    let mut line_no = 0;
    loop {
        let mut buf = Vec::new();
        line_no += 1;
        let (read, too_long) = read_line_limited(&mut input, &mut buf)?;
        if read == 0 {
            return Ok(());
        }
        if too_long {
            let message = format!("line longer than {} MiB", MAX_LINE_BYTES >> 20);
            f(Raw::Item(line_no, Item::Bad { line: line_no, message }));
            continue;
        }
        let trimmed = buf.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed.len() != buf.len() {
            buf = trimmed.to_vec();
        }
        f(Raw::Line(line_no, buf));
    }
}

/// Read one line into `buf` unless it exceeds [`MAX_LINE_BYTES`], in which case the rest of the line
/// is skipped. Returns (bytes consumed, whether it was too long).
fn read_line_limited(input: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<(usize, bool)> {
    let mut consumed = 0;
    let mut too_long = false;
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            return Ok((consumed, too_long));
        }
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        if !too_long {
            if buf.len() + take > MAX_LINE_BYTES {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(&chunk[..take]);
            }
        }
        input.consume(take);
        consumed += take;
        if done {
            return Ok((consumed, too_long));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(input: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_event(input.as_bytes(), |line, item| {
            out.push(match item {
                Item::Event(e) => format!("{line}:{e}"),
                Item::Bad { line, message } => format!("{line}:bad:{}", message.split(':').next().unwrap()),
            })
        })
        .unwrap();
        out
    }

    #[test]
    fn json_lines_with_bad_lines() {
        let got = items("{\"a\":1}\nnot json\n\n[1]\n{\"b\":\n{\"c\":2}");
        assert_eq!(
            got,
            [
                "1:{\"a\":1}",
                "2:bad:invalid JSON",
                "4:bad:not a JSON object",
                "5:bad:invalid JSON",
                "6:{\"c\":2}"
            ]
        );
    }

    #[test]
    fn json_array_and_deep_nesting() {
        assert_eq!(items(" [{\"a\":1},{\"a\":2}]").len(), 2);
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert_eq!(
            items(&format!("{{\"x\":{deep}}}\n{{\"ok\":1}}")),
            ["1:bad:invalid JSON", "2:{\"ok\":1}"]
        );
    }
}
