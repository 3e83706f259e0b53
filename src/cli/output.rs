//! Command output written as it is produced, about a megabyte at a time: the jsonl of converting a
//! large catalog to every target was the largest allocation of `convert` when built whole.

use std::io::Write;
use std::path::Path;

const FLUSH_AT: usize = 1 << 20;

pub struct Output {
    writer: Box<dyn Write>,
    buffer: Vec<u8>,
    /// The first write error; later writes are skipped and [`Output::finish`] returns it.
    error: Option<std::io::Error>,
}

impl Output {
    /// Standard output, or a file created (or truncated) now.
    pub fn open(path: Option<&Path>) -> std::io::Result<Output> {
        let writer: Box<dyn Write> = match path {
            Some(p) => Box::new(std::fs::File::create(p)?),
            None => Box::new(std::io::stdout()),
        };
        Ok(Output {
            writer,
            buffer: Vec::with_capacity(FLUSH_AT + FLUSH_AT / 4),
            error: None,
        })
    }

    pub fn push_bytes(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
        self.flush_if_full();
    }

    fn flush_if_full(&mut self) {
        if self.buffer.len() >= FLUSH_AT {
            self.write_buffer();
        }
    }

    fn write_buffer(&mut self) {
        if self.error.is_none()
            && let Err(e) = self.writer.write_all(&self.buffer)
        {
            self.error = Some(e);
        }
        self.buffer.clear();
    }

    /// Write what is left and flush; the first error of any write.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.write_buffer();
        match self.error.take() {
            Some(e) => Err(e),
            None => self.writer.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_pushed_is_written_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let mut out = Output::open(Some(&path)).unwrap();
        let line = "x".repeat(1000);
        let mut expected = String::new();
        for i in 0..3000 {
            out.push_bytes(format!("{i} {line}").as_bytes());
            out.push_bytes(b"\n");
            expected.push_str(&format!("{i} {line}\n"));
        }
        out.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), expected);
    }
}
