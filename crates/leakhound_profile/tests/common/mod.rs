//! Helpers shared by the corpus tests.

use std::path::PathBuf;

use leakhound_profile::{analyze, parse, Analysis, Interner, Limits, Options};

/// Parses `files` (samples of one process in time order) and analyses them with the default
/// options, `times` seconds apart when given.
pub fn analyze_files(files: &[PathBuf], times: Option<Vec<f64>>) -> Analysis {
    let mut interner = Interner::new();
    let profiles: Vec<_> = files
        .iter()
        .map(|f| {
            let data = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            parse(&data, &mut interner, Limits::default())
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()))
        })
        .collect();
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    analyze(
        &profiles,
        &names,
        &interner,
        &Options {
            times,
            ..Options::default()
        },
    )
}
