use crate::intern::Sym;

/// The format a profile was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `?debug=2` or `runtime.Stack(buf, true)`: full tracebacks, one per goroutine.
    Debug2,
    /// A crash, SIGQUIT or test-failure dump: debug=2 text after a preamble.
    Dump,
    /// `?debug=1`: counts per stack, `#` frame comments, labels.
    Debug1,
    /// `?debug=0`: gzipped `perftools.profiles.Profile`.
    Debug0,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Debug2 => "debug2",
            Format::Dump => "dump",
            Format::Debug1 => "debug1",
            Format::Debug0 => "debug0",
        }
    }

    /// Whether the format prints a state per goroutine (debug=1 and debug=0 do not).
    pub fn has_states(self) -> bool {
        matches!(self, Format::Debug2 | Format::Dump)
    }
}

/// One frame: interned function and file, and the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FrameRef {
    pub function: Sym,
    pub file: Sym,
    pub line: u32,
}

/// Goroutines with identical state, stack, creator and labels, with how many there were.
/// Aggregated formats give one record per stack; full dumps aggregate while parsing so that a
/// 200k-goroutine dump costs as much memory as its distinct stacks.
#[derive(Clone, Debug)]
pub struct Record {
    pub count: u64,
    /// The wait reason or status (`chan send`, `running`, ...); `unknown` for debug=1 and debug=0.
    pub state: Sym,
    /// Shortest and longest `, N minutes` among the goroutines that printed it.
    pub wait_minutes: Option<(u32, u32)>,
    /// Goroutines of this record printed `locked to thread`.
    pub locked: u64,
    /// Goroutines reported as leaked (`(leaked)` state suffix, or a goroutineleak profile).
    pub leaked: u64,
    /// Top of stack first.
    pub frames: Vec<FrameRef>,
    pub created_by: Option<FrameRef>,
    /// pprof labels as printed (`{"k":"v"}`).
    pub labels: Option<Sym>,
    /// The stack was cut by the runtime (`...N frames elided...`).
    pub elided: bool,
    /// Smallest and largest goroutine id seen (full dumps only): the smallest is an example to
    /// look for in the dump; their spread says whether the goroutines were started at once.
    pub ids: Option<(u64, u64)>,
}

/// One parsed source.
#[derive(Clone, Debug)]
pub struct Profile {
    pub format: Format,
    /// Total goroutines: the header total for aggregated formats, else the goroutines parsed.
    pub total: u64,
    pub records: Vec<Record>,
    /// The profile is a goroutineleak profile: every goroutine in it is a proven leak.
    pub leak_profile: bool,
    /// First line of a dump's preamble (`panic: ...`, `fatal error: ...`, `SIGQUIT: quit`, a
    /// goleak or synctest message).
    pub preamble: Option<String>,
    /// Why the result is partial (truncated dump), if it is.
    pub partial: Option<String>,
    /// When the profile was taken, in Unix nanoseconds (debug=0 carries it).
    pub time_nanos: Option<i64>,
}

impl Profile {
    /// One profile of several replicas of a service taken at the same time: their records side
    /// by side (grouping merges equal stacks), totals added. `None` for no parts.
    pub fn merge(parts: Vec<Profile>) -> Option<Profile> {
        let mut parts = parts.into_iter();
        let mut merged = parts.next()?;
        for p in parts {
            merged.total += p.total;
            merged.records.extend(p.records);
            merged.leak_profile &= p.leak_profile;
            merged.partial = match (merged.partial, p.partial) {
                (Some(a), Some(b)) => Some(format!("{a}; {b}")),
                (a, b) => a.or(b),
            };
            merged.time_nanos = merged.time_nanos.min(p.time_nanos);
            if merged.format != p.format {
                // Counts still add up; states are `unknown` wherever a part had none.
                merged.format = if merged.format.has_states() {
                    p.format
                } else {
                    merged.format
                };
            }
        }
        Some(merged)
    }
}
