//! Grouping, series and leak-suspect scoring over one or more samples of the same process.
//!
//! Scoring (documented for users in `docs/profiles.md`):
//! - a group seen in a goroutineleak profile, or printed `(leaked)`, is proven: score 1.0;
//! - `(nil chan)` and `select (no cases)` can never wake: 0.95;
//! - with two or more samples, a group that grows at every sample (by at least `noise` in
//!   total; with exactly two samples by at least `max(10, 20 %)`) is a suspect whatever its size:
//!   0.5 + 0.3 × wait weight + up to 0.14 for size;
//! - otherwise a group of at least `min_count` goroutines parked on a channel, `select` or sync
//!   primitive (or in an unknown state) in user code is a suspect (LeakProf's rule): 0.2 + up to
//!   0.3 for weight × size + 0.1 if it has waited for minutes. With several samples a group
//!   whose size does not change is a pool, not a suspect.
//! - never suspects: runtime workers, stacks without user code, known long-lived goroutines.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::classify::{
    is_runtime_function, is_stdlib_function, known_long_lived, LongLived, WaitClass,
};
use crate::intern::{Interner, Sym};
use crate::model::{FrameRef, Profile};

/// LeakProf reports a site above a fleet-wide threshold; for one process 100 parked goroutines
/// at one line is already unusual, and the corpus's leaks hold 0..17 at start (not flagged).
pub const DEFAULT_MIN_COUNT: u64 = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum GroupBy {
    /// First frame outside the runtime, as `function file:line`.
    #[default]
    Site,
    /// Every frame (function, file and line), runtime frames at the top dropped.
    Stack,
}

#[derive(Clone, Debug)]
pub struct Options {
    pub group_by: GroupBy,
    /// Single-snapshot threshold for a suspect.
    pub min_count: u64,
    /// Smallest total growth over 3+ samples that counts as growth.
    pub noise: u64,
    /// Seconds since the first sample, one per profile, when known; else taken from the
    /// profiles' own timestamps (debug=0), else growth per minute is not computed.
    pub times: Option<Vec<f64>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            group_by: GroupBy::Site,
            min_count: DEFAULT_MIN_COUNT,
            noise: 3,
            times: None,
        }
    }
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Frame {
    pub function: String,
    pub file: String,
    pub line: u32,
    /// Runtime or standard library: folded in the terminal view.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stdlib: bool,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MinMax {
    pub min: u32,
    pub max: u32,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Finding {
    pub code: String,
    pub name: String,
    pub message: String,
    pub file: String,
    pub line: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Source {
    pub name: String,
    pub format: &'static str,
    pub goroutines: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taken_at: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub leak_profile: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preamble: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Group {
    pub id: String,
    /// The most common state in the latest sample holding the group.
    pub state: String,
    pub states: BTreeMap<String, u64>,
    pub counts: Vec<u64>,
    /// Share of all goroutines in the latest sample.
    pub share: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_minutes: Option<MinMax>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<Frame>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_user_frame: Option<Frame>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Frame>,
    pub frames: Vec<Frame>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example_goroutine: Option<u64>,
    pub change: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_minute: Option<f64>,
    /// Grew at every sample.
    pub monotonic: bool,
    /// Grew beyond the group's own noise (see [`Reason::Grew`]).
    pub growing: bool,
    pub suspect: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub proven: bool,
    pub score: f64,
    /// Why the group is or is not a suspect, as data; the CLI renders them (`reasons` in JSON).
    #[serde(rename = "why")]
    pub reasons: Vec<Reason>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_file: Option<String>,
    /// With several replicas of a service: this group's count in each one's latest sample.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<ReplicaCount>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ReplicaCount {
    pub replica: String,
    pub count: u64,
}

/// A sample that could not be read (the target was down, answered an error, timed out): the
/// series goes on without it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Gap {
    /// 1-based number of the sample in the run.
    pub sample: usize,
    /// Seconds since the first sample.
    pub at: f64,
    pub source: String,
    pub error: String,
}

impl Group {
    /// A group that grew at every sample, or is proven leaked: what `--fail-on growing` fails on.
    pub fn is_growing_or_proven(&self) -> bool {
        self.suspect && (self.proven || self.growing)
    }
}

/// Why a group is or is not a suspect. Data only: renderers word it for their readers.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// `count` goroutines in `state` (`unknown` when the format prints none) at `site`.
    Parked {
        count: u64,
        state: String,
        site: Option<Frame>,
    },
    /// Reported by a goroutineleak profile or printed `(leaked)`: the runtime proved it.
    ProvenLeaked,
    /// A state nothing can ever wake (`(nil chan)`, `select (no cases)`).
    NeverWakes,
    /// The main goroutine parked in such a state on purpose.
    MainParked,
    LongLived {
        what: LongLived,
    },
    RuntimeWorker,
    NoUserCode,
    /// Grew at every sample beyond its own fluctuation (the group's `counts`, `per_minute`).
    Grew,
    /// Changed across samples without growing steadily.
    Series {
        counts: Vec<u64>,
        per_minute: Option<f64>,
    },
    /// Stayed within `min..=max` over the series; `ids_known` when the format printed goroutine
    /// ids, so a pool and a leak that stopped growing could be told apart.
    Stable {
        min: u64,
        max: u64,
        ids_known: bool,
    },
    /// Large, stable and parked, in a format without goroutine ids: a pool or a leak that stopped
    /// growing; one debug=2 snapshot tells them apart.
    NeedsFullSnapshot,
    /// One snapshot: ids in a tight run, started together (a pool).
    StartedAtOnce {
        first: u64,
        last: u64,
    },
    /// One snapshot: ids spread over the process's life, created one by one (a request path).
    CreatedOverTime {
        first: u64,
        last: u64,
    },
    /// At least `threshold` goroutines parked at one line (LeakProf's rule).
    AboveThreshold {
        threshold: u64,
    },
    BelowThreshold {
        count: u64,
        threshold: u64,
    },
    NotBlocking {
        state: String,
    },
}

/// The JSON object of `leakhound profile --output-format json`.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    pub sources: Vec<Source>,
    pub groups: Vec<Group>,
    /// Samples of a live run that failed; the report covers the others.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<Gap>,
}

#[derive(Default)]
struct Acc {
    counts: Vec<u64>,
    states: Vec<FxHashMap<Sym, u64>>,
    minutes: Option<(u32, u32)>,
    creators: FxHashMap<FrameRef, u64>,
    labels: Vec<Sym>,
    leaked: u64,
    best: (u64, Vec<FrameRef>),
    /// Smallest and largest goroutine id per sample, when the format prints ids.
    ids: Vec<Option<(u64, u64)>>,
}

/// Groups the records of `profiles` (samples in time order, named by `names`) and scores them.
pub fn analyze(
    profiles: &[Profile],
    names: &[String],
    interner: &Interner,
    opts: &Options,
) -> Analysis {
    let n = profiles.len();
    let mut accs: FxHashMap<Vec<FrameRef>, Acc> = FxHashMap::default();
    for (i, p) in profiles.iter().enumerate() {
        for r in &p.records {
            let key = group_key(&r.frames, interner, opts.group_by);
            let acc = accs.entry(key).or_insert_with(|| Acc {
                counts: vec![0; n],
                states: vec![FxHashMap::default(); n],
                ids: vec![None; n],
                ..Acc::default()
            });
            acc.counts[i] += r.count;
            *acc.states[i].entry(r.state).or_default() += r.count;
            if let Some((lo, hi)) = r.wait_minutes {
                acc.minutes = Some(
                    acc.minutes
                        .map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))),
                );
            }
            if let Some(c) = r.created_by {
                *acc.creators.entry(c).or_default() += r.count;
            }
            if let Some(l) = r.labels {
                if !acc.labels.contains(&l) {
                    acc.labels.push(l);
                }
            }
            acc.leaked += r.leaked;
            if r.count > acc.best.0 || acc.best.1.is_empty() {
                acc.best = (r.count, r.frames.clone());
            }
            if let Some((lo, hi)) = r.ids {
                acc.ids[i] = Some(acc.ids[i].map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
            }
        }
    }

    let times = opts.times.clone().or_else(|| {
        let ns: Option<Vec<i64>> = profiles.iter().map(|p| p.time_nanos).collect();
        ns.map(|ns| ns.iter().map(|t| (t - ns[0]) as f64 / 1e9).collect())
    });
    let last_total = profiles.last().map_or(0, |p| p.total);

    let mut groups: Vec<Group> = accs
        .into_iter()
        .map(|(key, acc)| build_group(&key, acc, interner, opts, times.as_deref(), last_total))
        .collect();
    groups.sort_by(|a, b| {
        let score = |g: &Group| if g.suspect { g.score } else { 0.0 };
        b.suspect
            .cmp(&a.suspect)
            .then(score(b).total_cmp(&score(a)))
            .then(b.counts.last().cmp(&a.counts.last()))
            .then_with(|| a.id.cmp(&b.id))
    });

    let sources = profiles
        .iter()
        .zip(names)
        .map(|(p, name)| Source {
            name: name.clone(),
            format: p.format.as_str(),
            goroutines: p.total,
            taken_at: p.time_nanos.map(rfc3339),
            leak_profile: p.leak_profile,
            preamble: p.preamble.clone(),
            partial: p.partial.clone(),
        })
        .collect();
    Analysis {
        sources,
        groups,
        gaps: Vec::new(),
    }
}

/// Index of a stack's site: its first user frame (the line where the goroutine is stuck in the
/// user's code, whatever the release calls the runtime and sync frames above it), else its first
/// frame outside the runtime (`net/http.(*conn).serve` reading an idle connection).
fn site_index(frames: &[FrameRef], interner: &Interner) -> usize {
    frames
        .iter()
        .position(|f| !is_stdlib_function(interner.get(f.function)))
        .or_else(|| {
            frames
                .iter()
                .position(|f| !is_runtime_function(interner.get(f.function)))
        })
        .unwrap_or(0)
}

fn group_key(frames: &[FrameRef], interner: &Interner, by: GroupBy) -> Vec<FrameRef> {
    match by {
        GroupBy::Site => frames
            .get(site_index(frames, interner))
            .copied()
            .into_iter()
            .collect(),
        GroupBy::Stack => {
            let user_start = frames
                .iter()
                .position(|f| !is_runtime_function(interner.get(f.function)))
                .unwrap_or(0);
            let mut v = frames[user_start..].to_vec();
            if v.len() > 1
                && v.last()
                    .is_some_and(|f| interner.get(f.function) == "runtime.goexit")
            {
                v.pop();
            }
            v
        }
    }
}

fn frame(f: FrameRef, interner: &Interner) -> Frame {
    let function = interner.get(f.function);
    Frame {
        function: function.to_string(),
        file: interner.get(f.file).to_string(),
        line: f.line,
        stdlib: is_stdlib_function(function),
    }
}

fn build_group(
    key: &[FrameRef],
    acc: Acc,
    interner: &Interner,
    opts: &Options,
    times: Option<&[f64]>,
    last_total: u64,
) -> Group {
    let counts = acc.counts;
    let last = *counts.last().unwrap_or(&0);
    let latest = counts.iter().rposition(|&c| c > 0).unwrap_or(0);
    let mut states: Vec<(String, u64)> = acc.states[latest]
        .iter()
        .map(|(s, c)| (interner.get(*s).to_string(), *c))
        .collect();
    states.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let state = states
        .first()
        .map_or_else(|| "unknown".to_string(), |s| s.0.clone());
    let frames: Vec<Frame> = acc.best.1.iter().map(|&f| frame(f, interner)).collect();
    let site = key.first().map(|&f| frame(f, interner));
    let top_user_frame = frames.iter().find(|f| !f.stdlib).cloned();
    let created_by = acc
        .creators
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(&f, _)| frame(f, interner));
    let mut labels: Vec<String> = acc
        .labels
        .iter()
        .map(|&l| interner.get(l).to_string())
        .collect();
    labels.sort();
    // Long-lived goroutines are known by the frames above their site: an idle connection reads
    // in net/http, a handler parked on the user's lock is below `(*conn).serve` too but is not.
    let above_site = match frames.iter().position(|f| !f.stdlib) {
        Some(i) => &frames[..i],
        None => &frames[..],
    };
    let functions: Vec<&str> = above_site.iter().map(|f| f.function.as_str()).collect();
    let long_lived = known_long_lived(&functions, created_by.as_ref().map(|c| c.function.as_str()));

    let signed = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let change = signed(last).saturating_sub(signed(counts[0]));
    let monotonic = counts.len() >= 2 && counts.windows(2).all(|w| w[1] > w[0]);
    let per_minute = times
        .filter(|t| t.len() == counts.len() && counts.len() >= 2)
        .and_then(|t| slope(t, &counts))
        .map(|s| s * 60.0);
    let ids = acc.ids[latest];

    let mut g = Group {
        id: stable_id(key, interner),
        state,
        states: states.into_iter().collect(),
        counts,
        share: if last_total > 0 {
            last as f64 / last_total as f64
        } else {
            0.0
        },
        wait_minutes: acc.minutes.map(|(min, max)| MinMax { min, max }),
        site,
        top_user_frame,
        created_by,
        frames,
        labels,
        example_goroutine: ids.map(|(lo, _)| lo),
        change,
        per_minute,
        monotonic,
        growing: false,
        suspect: false,
        proven: acc.leaked > 0,
        score: 0.0,
        reasons: Vec::new(),
        findings: Vec::new(),
        source_file: None,
        replicas: Vec::new(),
    };
    let creation = ids.and_then(|ids| Creation::judge(ids, g.counts[latest], &g.created_by));
    score(&mut g, opts, long_lived, creation);
    g.score = (g.score * 1000.0).round() / 1000.0;
    g
}

/// How one snapshot says a group came to be: goroutines started together (a pool) get ids in
/// a tight run; goroutines created one by one over the process's life (a request path leaking)
/// get ids spread over everything created meanwhile.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Creation {
    AtOnce { first: u64, last: u64 },
    OverTime { first: u64, last: u64 },
}

/// Ids may span this many times the group's size and still count as started at once: a pool
/// started by a loop interleaves with the few goroutines its workers start themselves. Beyond
/// it they were created over time: a request path creating k goroutines per request spreads
/// its leaked ones over about k times their number.
const AT_ONCE_SPREAD: u64 = 2;
/// For goroutines started by `main.main` or an `init`, which start pools, a wider margin.
const AT_ONCE_SPREAD_BY_MAIN: u64 = 4;

impl Creation {
    fn judge(
        (first, last): (u64, u64),
        count: u64,
        created_by: &Option<Frame>,
    ) -> Option<Creation> {
        if count < 2 {
            return None;
        }
        let span = last - first + 1;
        let by_main = created_by.as_ref().is_none_or(|c| {
            c.function == "main.main"
                || c.function.ends_with(".init")
                || c.function.contains(".init.")
        });
        let margin = if by_main {
            AT_ONCE_SPREAD_BY_MAIN
        } else {
            AT_ONCE_SPREAD
        };
        Some(if span <= margin * count {
            Creation::AtOnce { first, last }
        } else {
            Creation::OverTime { first, last }
        })
    }
}

/// Whether a series grows beyond the group's own noise: it never shrinks, gains at least
/// `noise` in total, and its mean step is at least twice its standard error (9, 10, 17 is one
/// jump, not growth). Two samples have no spread to judge: they must gain max(10, 20 %).
fn grows(counts: &[u64], noise: u64) -> bool {
    let first = counts[0];
    let last = *counts.last().unwrap_or(&0);
    if counts.len() < 2 || last <= first || counts.windows(2).any(|w| w[1] < w[0]) {
        return false;
    }
    let change = last - first;
    if counts.len() == 2 {
        return change >= 10.max(first / 5);
    }
    let steps: Vec<f64> = counts.windows(2).map(|w| (w[1] - w[0]) as f64).collect();
    let k = steps.len() as f64;
    let mean = steps.iter().sum::<f64>() / k;
    let var = steps.iter().map(|s| (s - mean) * (s - mean)).sum::<f64>() / (k - 1.0);
    change >= noise && mean >= 2.0 * (var / k).sqrt()
}

fn score(g: &mut Group, opts: &Options, long_lived: Option<LongLived>, creation: Option<Creation>) {
    let n = *g.counts.last().unwrap_or(&0);
    let peak = g.counts.iter().copied().max().unwrap_or(0);
    let samples = g.counts.len();
    let class = WaitClass::of(&g.state);
    let w = class.weight();
    let size = ((1.0 + peak as f64).log10() / 4.0).min(1.0);
    let minutes = if g.wait_minutes.as_ref().is_some_and(|m| m.max >= 1) {
        0.1
    } else {
        0.0
    };
    let parked = Reason::Parked {
        count: n,
        state: g.state.clone(),
        site: g.top_user_frame.clone().or_else(|| g.site.clone()),
    };

    if g.proven {
        g.suspect = true;
        g.score = 1.0;
        g.reasons = vec![parked, Reason::ProvenLeaked];
        return;
    }
    if class == WaitClass::Forever {
        if g.site.as_ref().is_some_and(|s| s.function == "main.main") && g.created_by.is_none() {
            g.reasons.push(Reason::MainParked);
            return;
        }
        g.suspect = true;
        g.score = 0.95;
        g.reasons = vec![parked, Reason::NeverWakes];
        return;
    }
    if let Some(what) = long_lived {
        g.reasons.push(Reason::LongLived { what });
        return;
    }
    if class == WaitClass::Runtime {
        g.reasons.push(Reason::RuntimeWorker);
        return;
    }
    if g.top_user_frame.is_none() && g.created_by.as_ref().is_none_or(|c| c.stdlib) {
        g.reasons.push(Reason::NoUserCode);
        return;
    }
    let blocking = matches!(class, WaitClass::Blocking | WaitClass::Unknown);
    let over_time_threshold = (opts.min_count / 4).max(2);
    let series = || Reason::Series {
        counts: g.counts.clone(),
        per_minute: g.per_minute,
    };
    if samples >= 2 {
        if grows(&g.counts, opts.noise) {
            g.growing = true;
            g.suspect = true;
            g.score = 0.5 + 0.3 * w + 0.14 * size;
            g.reasons = vec![parked, Reason::Grew];
            return;
        }
        let lo = g.counts.iter().copied().min().unwrap_or(0);
        if peak - lo <= 1.max(peak / 20) {
            if let Some(Creation::OverTime { first, last }) = creation {
                if blocking && n >= over_time_threshold {
                    g.suspect = true;
                    g.score = 0.3 + 0.3 * w * size + minutes;
                    g.reasons = vec![
                        parked,
                        Reason::Stable {
                            min: lo,
                            max: peak,
                            ids_known: true,
                        },
                        Reason::CreatedOverTime { first, last },
                    ];
                    return;
                }
            }
            let ids_known = g.example_goroutine.is_some();
            g.reasons.push(Reason::Stable {
                min: lo,
                max: peak,
                ids_known,
            });
            if !ids_known && blocking && n >= opts.min_count {
                g.reasons.push(Reason::NeedsFullSnapshot);
            }
            return;
        }
    }
    let changing = samples >= 2;
    match creation {
        Some(Creation::AtOnce { first, last }) if blocking => {
            g.score = 0.1 * w * size;
            g.reasons = vec![parked, Reason::StartedAtOnce { first, last }];
        }
        Some(Creation::OverTime { first, last }) if blocking && n >= over_time_threshold => {
            g.suspect = true;
            g.score = 0.3 + 0.3 * w * size + minutes;
            g.reasons = vec![parked, Reason::CreatedOverTime { first, last }];
            if changing {
                g.reasons.push(series());
            }
        }
        _ if blocking && n >= opts.min_count => {
            g.suspect = true;
            g.score = 0.2 + 0.3 * w * size + minutes;
            g.reasons = vec![
                parked,
                Reason::AboveThreshold {
                    threshold: opts.min_count,
                },
            ];
            if changing {
                g.reasons.push(series());
            }
        }
        _ => {
            g.score = 0.15 * w * size;
            g.reasons.push(if changing && g.change != 0 {
                series()
            } else if !blocking {
                Reason::NotBlocking {
                    state: g.state.clone(),
                }
            } else {
                Reason::BelowThreshold {
                    count: n,
                    threshold: opts.min_count,
                }
            });
        }
    }
}

/// Least-squares slope of counts over seconds.
fn slope(t: &[f64], counts: &[u64]) -> Option<f64> {
    let n = t.len() as f64;
    let mt = t.iter().sum::<f64>() / n;
    let mc = counts.iter().map(|&c| c as f64).sum::<f64>() / n;
    let var: f64 = t.iter().map(|x| (x - mt) * (x - mt)).sum();
    if var <= 0.0 {
        return None;
    }
    let cov: f64 = t
        .iter()
        .zip(counts)
        .map(|(x, &c)| (x - mt) * (c as f64 - mc))
        .sum();
    Some(cov / var)
}

/// FNV-1a over the printed key: the same stack gets the same id in every run and format.
fn stable_id(key: &[FrameRef], interner: &Interner) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for f in key {
        for b in interner
            .get(f.function)
            .bytes()
            .chain([b' '])
            .chain(interner.get(f.file).bytes())
            .chain(format!(":{}\n", f.line).into_bytes())
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    format!("{:012x}", h >> 16)
}

/// Unix nanoseconds as `YYYY-MM-DDTHH:MM:SSZ` (civil-from-days, proleptic Gregorian).
fn rfc3339(nanos: i64) -> String {
    let secs = nanos.div_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000_000_000_000), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn growth_is_judged_against_the_groups_own_noise() {
        assert!(!grows(&[9, 10, 17], 3), "one jump");
        assert!(!grows(&[10, 9, 17], 3), "shrank once");
        assert!(grows(&[4, 403, 803, 1204], 3));
        assert!(grows(&[5, 6, 8, 9, 10, 12], 3), "slow and steady");
        assert!(!grows(&[1, 2, 2, 3], 3), "below the noise floor");
        assert!(!grows(&[100, 100, 100, 220, 220, 220], 3), "one burst");
        assert!(grows(&[0, 40], 3));
        assert!(!grows(&[100, 105], 3), "two samples need max(10, 20 %)");
    }

    #[test]
    fn one_snapshot_tells_a_pool_from_a_leak_by_ids() {
        let by = |f: &str| {
            Some(Frame {
                function: f.to_string(),
                file: String::new(),
                line: 0,
                stdlib: false,
            })
        };
        assert_eq!(
            Creation::judge((20, 219), 200, &by("main.startPool")),
            Some(Creation::AtOnce {
                first: 20,
                last: 219
            })
        );
        assert_eq!(
            Creation::judge((35, 48210), 4799, &by("main.handle")),
            Some(Creation::OverTime {
                first: 35,
                last: 48210
            })
        );
        // Three goroutines per request: over time, unless main started them (a pool whose
        // workers start helpers).
        assert_eq!(
            Creation::judge((10, 309), 100, &by("main.main")),
            Some(Creation::AtOnce {
                first: 10,
                last: 309
            })
        );
        assert_eq!(
            Creation::judge((10, 309), 100, &by("main.handle")),
            Some(Creation::OverTime {
                first: 10,
                last: 309
            })
        );
        assert_eq!(Creation::judge((7, 7), 1, &None), None);
    }

    #[test]
    fn slope_of_a_line() {
        assert_eq!(slope(&[0.0, 10.0, 20.0], &[0, 100, 200]), Some(10.0));
        assert_eq!(slope(&[5.0, 5.0], &[0, 100]), None);
    }
}
