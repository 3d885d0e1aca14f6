//! Goroutine profiles and dumps: parse every format Go writes, group stacks by leak site, follow
//! groups across samples and rank leak suspects. No I/O: callers hand in bytes and get values.
//!
//! - [`parse`] detects the format from content (never from a name) and returns a [`Profile`]:
//!   aggregated [`Record`]s whose strings live in a shared [`Interner`].
//! - [`analyze`] groups the records of one or more profiles (samples in time order) and scores
//!   each group; the result serialises to the JSON object of `shared/spec/profiles.md`.
//! - [`srclink`] maps profile paths to checkout files and links static findings to groups.

mod analysis;
mod classify;
mod debug1;
mod error;
mod escape;
mod intern;
mod model;
mod pprof;
pub mod srclink;
mod text;

pub use analysis::{
    analyze, Analysis, Finding, Frame, Gap, Group, GroupBy, MinMax, Options, Reason, ReplicaCount,
    Source, DEFAULT_MIN_COUNT,
};
pub use classify::{is_stdlib_function, LongLived, WaitClass};
pub use error::ParseError;
pub use escape::escape_control;
pub use intern::{Interner, Sym};
pub use model::{Format, FrameRef, Profile, Record};
pub use pprof::DEFAULT_MAX_DECOMPRESSED;

/// Limits applied while parsing untrusted input.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest decompressed size accepted for a gzipped profile (gzip bombs).
    pub max_decompressed: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_decompressed: DEFAULT_MAX_DECOMPRESSED,
        }
    }
}

/// Parses one profile or dump, detecting its format from the content.
pub fn parse(data: &[u8], interner: &mut Interner, limits: Limits) -> Result<Profile, ParseError> {
    if data.starts_with(&[0x1f, 0x8b]) {
        let plain = pprof::gunzip(data, limits.max_decompressed)?;
        // A protobuf (debug=0), else a text dump or debug=1 profile compressed for transport
        // (`gzip goroutines.txt`); when neither, the protobuf's error says most.
        return pprof::parse_raw(&plain, interner)
            .or_else(|e| parse_plain(&plain, interner).map_err(|_| e));
    }
    parse_plain(data, interner)
}

/// Everything but a gzip stream: text formats first, then an uncompressed protobuf.
fn parse_plain(data: &[u8], interner: &mut Interner) -> Result<Profile, ParseError> {
    if data.is_empty() || data.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    if let Some(profile) = debug1::parse(data, interner)? {
        return Ok(profile);
    }
    if let Some(profile) = text::parse(data, interner) {
        return Ok(profile);
    }
    // An uncompressed protobuf (`go tool pprof -proto` piped through gunzip) starts with field 1
    // (sample_type, length-delimited): tag byte 0x0a.
    if data[0] == 0x0a {
        if let Ok(profile) = pprof::parse_raw(data, interner) {
            return Ok(profile);
        }
    }
    Err(ParseError::NotAProfile)
}
