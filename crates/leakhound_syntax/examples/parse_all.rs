//! Parser throughput: parses every `.go` file under a directory with N threads (reading each
//! file, parsing, dropping the tree) and prints files, bytes, seconds and MB/s.
//!
//! cargo run --release -p leakhound_syntax --example parse_all -- DIR [THREADS] [--tree-sitter | --lex]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rayon::prelude::*;

// The tree is many small allocations; mimalloc (its v2 line: v3's aligned-allocation path cost
// a sixth of the parse) makes them far cheaper than glibc's malloc (BENCHMARKS.md, "Parser").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args.first().cloned().unwrap_or_else(|| ".".into());
    let threads: usize = args.get(1).and_then(|t| t.parse().ok()).unwrap_or(1);
    let tree_sitter = args.iter().any(|a| a == "--tree-sitter");
    let lex_only = args.iter().any(|a| a == "--lex");
    let files: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "go"))
        .map(walkdir::DirEntry::into_path)
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let bytes = AtomicUsize::new(0);
    let errors = AtomicUsize::new(0);
    let start = Instant::now();
    pool.install(|| {
        files.par_iter().for_each_init(
            // One arena per thread, emptied after each file: the tree's memory is reused.
            || {
                (
                    tree_sitter.then(new_ts_parser),
                    leakhound_syntax::Arena::new(),
                )
            },
            |(ts, arena), path| {
                let Ok(src) = std::fs::read_to_string(path) else {
                    return;
                };
                bytes.fetch_add(src.len(), Ordering::Relaxed);
                let failed = match ts {
                    Some(parser) => parser
                        .parse(&src, None)
                        .is_none_or(|t| t.root_node().has_error()),
                    None if lex_only => lex(&src),
                    None => !leakhound_syntax::parse_file(&src, arena).errors.is_empty(),
                };
                arena.reset();
                if failed {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            },
        );
    });
    let secs = start.elapsed().as_secs_f64();
    let bytes = bytes.into_inner();
    println!(
        "{} files, {} bytes, {} with errors, {:.3} s, {:.1} MB/s ({} threads, {})",
        files.len(),
        bytes,
        errors.into_inner(),
        secs,
        bytes as f64 / secs / 1e6,
        threads,
        if tree_sitter {
            "tree-sitter-go"
        } else if lex_only {
            "leakhound_syntax lexer only"
        } else {
            "leakhound_syntax"
        }
    );
}

/// Scans to EOF; true when the scanner reported errors.
fn lex(src: &str) -> bool {
    let mut lx = leakhound_syntax::lexer::Lexer::new(src);
    while lx.next_token().tok != leakhound_syntax::lexer::Tok::Eof {}
    !lx.errors.is_empty()
}

fn new_ts_parser() -> tree_sitter::Parser {
    let mut p = tree_sitter::Parser::new();
    p.set_language(&tree_sitter_go::LANGUAGE.into())
        .expect("tree-sitter-go grammar");
    p
}
