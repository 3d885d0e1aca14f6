use thiserror::Error;

/// Why an input could not be read as a goroutine profile.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("empty input")]
    Empty,
    #[error(
        "not a goroutine profile: no `goroutine N [state]:` header, no `goroutine profile: total N` \
         line and no gzip magic"
    )]
    NotAProfile,
    #[error("gzip stream is corrupt: {0}")]
    Gzip(String),
    #[error("decompressed profile exceeds {limit} bytes (gzip bomb?)")]
    TooLarge { limit: usize },
    #[error("protobuf is not a pprof Profile: {0}")]
    Protobuf(String),
    #[error("pprof profile is inconsistent: {0}")]
    Dangling(String),
    #[error("pprof profile holds {0:?} samples, not goroutine counts")]
    NotGoroutine(String),
    #[error("line {line}: {message}")]
    Debug1 { line: usize, message: String },
}
