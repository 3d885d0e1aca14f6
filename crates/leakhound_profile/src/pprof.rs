//! `?debug=0`: a gzipped `perftools.profiles.Profile` (github.com/google/pprof
//! `proto/profile.proto`), with sample type `goroutine/count` or `goroutineleak/count`. Only the
//! messages and fields a goroutine profile uses are declared.

use std::io::Read;

use prost::Message;
use rustc_hash::FxHashMap;

use crate::error::ParseError;
use crate::intern::Interner;
use crate::model::{Format, FrameRef, Profile, Record};

/// Goroutine protos are kilobytes; 256 MiB leaves room for any real one and stops gzip bombs.
pub const DEFAULT_MAX_DECOMPRESSED: usize = 256 << 20;

/// Frames kept per sample: Go records at most a few hundred; a hostile proto repeating one
/// many-line location must not multiply into gigabytes.
const MAX_FRAMES: usize = 1024;

#[derive(Clone, PartialEq, Message)]
struct PbProfile {
    #[prost(message, repeated, tag = "1")]
    sample_type: Vec<PbValueType>,
    #[prost(message, repeated, tag = "2")]
    sample: Vec<PbSample>,
    #[prost(message, repeated, tag = "4")]
    location: Vec<PbLocation>,
    #[prost(message, repeated, tag = "5")]
    function: Vec<PbFunction>,
    #[prost(string, repeated, tag = "6")]
    string_table: Vec<String>,
    #[prost(int64, tag = "9")]
    time_nanos: i64,
}

#[derive(Clone, PartialEq, Message)]
struct PbValueType {
    #[prost(int64, tag = "1")]
    r#type: i64,
    #[prost(int64, tag = "2")]
    unit: i64,
}

#[derive(Clone, PartialEq, Message)]
struct PbSample {
    #[prost(uint64, repeated, tag = "1")]
    location_id: Vec<u64>,
    #[prost(int64, repeated, tag = "2")]
    value: Vec<i64>,
    #[prost(message, repeated, tag = "3")]
    label: Vec<PbLabel>,
}

#[derive(Clone, PartialEq, Message)]
struct PbLabel {
    #[prost(int64, tag = "1")]
    key: i64,
    #[prost(int64, tag = "2")]
    str: i64,
    #[prost(int64, tag = "3")]
    num: i64,
}

#[derive(Clone, PartialEq, Message)]
struct PbLocation {
    #[prost(uint64, tag = "1")]
    id: u64,
    #[prost(message, repeated, tag = "4")]
    line: Vec<PbLine>,
}

#[derive(Clone, PartialEq, Message)]
struct PbLine {
    #[prost(uint64, tag = "1")]
    function_id: u64,
    #[prost(int64, tag = "2")]
    line: i64,
}

#[derive(Clone, PartialEq, Message)]
struct PbFunction {
    #[prost(uint64, tag = "1")]
    id: u64,
    #[prost(int64, tag = "2")]
    name: i64,
    #[prost(int64, tag = "4")]
    filename: i64,
}

/// The decompressed bytes of a gzip stream, at most `cap` of them (gzip bombs).
pub(crate) fn gunzip(data: &[u8], cap: usize) -> Result<Vec<u8>, ParseError> {
    let mut out = Vec::new();
    let mut decoder = flate2::read::MultiGzDecoder::new(data).take(cap as u64 + 1);
    decoder
        .read_to_end(&mut out)
        .map_err(|e| ParseError::Gzip(e.to_string()))?;
    if out.len() > cap {
        return Err(ParseError::TooLarge { limit: cap });
    }
    Ok(out)
}

pub(crate) fn parse_raw(data: &[u8], interner: &mut Interner) -> Result<Profile, ParseError> {
    let pb = PbProfile::decode(data).map_err(|e| ParseError::Protobuf(e.to_string()))?;
    let string = |i: i64| -> Result<&str, ParseError> {
        usize::try_from(i)
            .ok()
            .and_then(|i| pb.string_table.get(i))
            .map(String::as_str)
            .ok_or_else(|| {
                ParseError::Dangling(format!("string index {i} outside the string table"))
            })
    };
    let first_type = match pb.sample_type.first() {
        Some(t) => string(t.r#type)?.to_string(),
        None => return Err(ParseError::Protobuf("no sample_type".into())),
    };
    let leak_profile = match first_type.as_str() {
        "goroutine" => false,
        "goroutineleak" => true,
        _ => return Err(ParseError::NotGoroutine(first_type)),
    };
    let mut functions = FxHashMap::default();
    for f in &pb.function {
        functions.insert(
            f.id,
            (
                interner.intern(string(f.name)?.as_bytes()),
                interner.intern(string(f.filename)?.as_bytes()),
            ),
        );
    }
    let locations: FxHashMap<u64, &PbLocation> = pb.location.iter().map(|l| (l.id, l)).collect();
    let state = interner.intern(b"unknown");
    let mut records = Vec::with_capacity(pb.sample.len());
    let mut total = 0u64;
    for s in &pb.sample {
        let count = u64::try_from(s.value.first().copied().unwrap_or(0)).unwrap_or(0);
        total = total.saturating_add(count);
        let mut frames = Vec::new();
        let mut elided = false;
        for id in &s.location_id {
            if frames.len() >= MAX_FRAMES {
                elided = true;
                break;
            }
            let loc = locations.get(id).ok_or_else(|| {
                ParseError::Dangling(format!("sample refers to missing location {id}"))
            })?;
            // Line[0] is the innermost inlined call; the last entry is the caller.
            for line in &loc.line {
                let &(function, file) = functions.get(&line.function_id).ok_or_else(|| {
                    ParseError::Dangling(format!(
                        "location {id} refers to missing function {}",
                        line.function_id
                    ))
                })?;
                frames.push(FrameRef {
                    function,
                    file,
                    line: u32::try_from(line.line.clamp(0, i64::from(u32::MAX)))
                        .unwrap_or(u32::MAX),
                });
                if frames.len() >= MAX_FRAMES {
                    elided = true;
                    break;
                }
            }
        }
        let mut labels = Vec::new();
        for l in &s.label {
            if l.str != 0 {
                labels.push(format!("{:?}:{:?}", string(l.key)?, string(l.str)?));
            } else {
                labels.push(format!("{:?}:{}", string(l.key)?, l.num));
            }
        }
        labels.sort();
        let labels = (!labels.is_empty())
            .then(|| interner.intern(format!("{{{}}}", labels.join(",")).as_bytes()));
        records.push(Record {
            count,
            state,
            wait_minutes: None,
            locked: 0,
            leaked: if leak_profile { count } else { 0 },
            frames,
            created_by: None,
            labels,
            elided,
            ids: None,
        });
    }
    Ok(Profile {
        format: Format::Debug0,
        total,
        records,
        leak_profile,
        preamble: None,
        partial: None,
        time_nanos: (pb.time_nanos > 0).then_some(pb.time_nanos),
    })
}
