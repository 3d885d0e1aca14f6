//! Any bytes through the text parsers (debug=2, dumps, debug=1) and the analysis: no panic.
#![no_main]

use leakhound_profile::{analyze, parse, Interner, Limits, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut interner = Interner::new();
    if let Ok(p) = parse(data, &mut interner, Limits::default()) {
        let a = analyze(
            &[p.clone(), p],
            &["a".into(), "b".into()],
            &interner,
            &Options::default(),
        );
        let _ = a.groups.len();
    }
});
