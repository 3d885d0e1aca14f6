//! Prints the canonical outline (see `leakhound_syntax::outline`) of every file whose path
//! is read on stdin, in the format of `tests/outline/outline.go`.

use std::io::{BufRead, BufWriter, Write};

fn main() -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for path in std::io::stdin().lock().lines() {
        let path = path?;
        writeln!(out, "== {path}")?;
        match std::fs::read(&path) {
            Err(_) => writeln!(out, "UNREADABLE")?,
            // go/parser rejects invalid UTF-8 ("illegal UTF-8 encoding").
            Ok(bytes) => match std::str::from_utf8(&bytes) {
                Err(_) => writeln!(out, "ERROR")?,
                Ok(src) => out.write_all(
                    leakhound_syntax::outline::outline(&leakhound_syntax::parse_file(
                        src,
                        &leakhound_syntax::Arena::new(),
                    ))
                    .as_bytes(),
                )?,
            },
        }
    }
    out.flush()
}
