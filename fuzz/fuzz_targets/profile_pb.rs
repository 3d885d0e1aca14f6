//! Any bytes as a raw and as a gzipped pprof protobuf (small decompression cap): no panic.
#![no_main]

use std::io::Write;

use leakhound_profile::{analyze, parse, Interner, Limits, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = gz.write_all(data);
    let Ok(gzipped) = gz.finish() else { return };
    let limits = Limits {
        max_decompressed: 1 << 20,
    };
    for input in [data, &gzipped[..]] {
        let mut interner = Interner::new();
        if let Ok(p) = parse(input, &mut interner, limits) {
            let _ = analyze(&[p], &["a".into()], &interner, &Options::default());
        }
    }
});
