//! Sampling live pprof endpoints: one or more replicas of a service, every `every`, for a number
//! of samples or endlessly over a rolling window. A failed fetch is retried while the next
//! sample is not yet due, then recorded as a gap; SIGINT and SIGTERM end the run with the report
//! of what was sampled.
//!
//! Memory: one response body per replica in flight (at most `--max-body` each), plus the parsed
//! samples of the window (records are distinct stacks, not goroutines), plus the names seen.

use std::collections::VecDeque;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use leakhound_profile::{
    analyze, escape_control as esc, parse, Analysis, Gap, Interner, Limits, Options, Profile,
    ReplicaCount,
};

use super::{Common, Source};

/// Tries per replica and sample when sampling a series.
const ATTEMPTS: usize = 3;
/// Longest pause between two tries.
const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// Growing groups named in a progress line.
const PROGRESS_GROUPS: usize = 3;

pub struct Plan {
    pub every: Duration,
    /// 0: until interrupted.
    pub samples: usize,
    /// Samples kept for the report when sampling endlessly.
    pub window: usize,
}

pub struct Outcome {
    pub analysis: Analysis,
    pub interrupted: bool,
}

/// A replica's answer: its name and body, or why there is none.
type Fetched = Result<(String, Vec<u8>), String>;

enum Event {
    Fetched(usize, Fetched),
    Signal,
}

/// The channel SIGINT and SIGTERM report on; the handler is installed once per process.
fn events() -> Result<(Sender<Event>, &'static std::sync::Mutex<Receiver<Event>>)> {
    static CHANNEL: OnceLock<(Sender<Event>, std::sync::Mutex<Receiver<Event>>)> = OnceLock::new();
    let mut installed = Ok(());
    let (tx, rx) = CHANNEL.get_or_init(|| {
        let (tx, rx) = mpsc::channel();
        let signal = tx.clone();
        installed = ctrlc::set_handler(move || {
            let _ = signal.send(Event::Signal);
        });
        (tx, std::sync::Mutex::new(rx))
    });
    installed?;
    Ok((tx.clone(), rx))
}

struct Sample {
    at: f64,
    name: String,
    /// The replicas merged; `None` when one of them failed (a gap in the series).
    merged: Option<Profile>,
}

pub fn sample(
    replicas: &[Source],
    plan: &Plan,
    common: &Common,
    opts: &Options,
) -> Result<Outcome> {
    let (tx, rx) = events()?;
    let rx = rx.lock().expect("one sampling run at a time");
    let mut interner = Interner::new();
    let mut window: VecDeque<Sample> = VecDeque::new();
    let mut latest: Vec<Option<Profile>> = vec![None; replicas.len()];
    let mut gaps: Vec<Gap> = Vec::new();
    let mut last_error = String::new();
    let mut interrupted = false;
    let series = plan.samples != 1;
    let start = Instant::now();
    let mut i = 0;
    while plan.samples == 0 || i < plan.samples {
        // 2^32 samples take 136 years at one a second: the count saturates before that matters.
        let due = start
            + plan
                .every
                .saturating_mul(u32::try_from(i).unwrap_or(u32::MAX));
        if i > 0 {
            match rx.recv_timeout(due.saturating_duration_since(Instant::now())) {
                Ok(Event::Signal) => {
                    interrupted = true;
                    break;
                }
                Ok(Event::Fetched(..)) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => unreachable!("the sender lives in a static"),
            }
        }
        let at = start.elapsed().as_secs_f64();
        // The next sample's start bounds the retries of this one.
        let deadline = if series {
            due + plan.every
        } else {
            Instant::now()
        };
        for (r, source) in replicas.iter().enumerate() {
            let (tx, source, common) = (tx.clone(), source.clone(), common.clone());
            std::thread::spawn(move || {
                let result = fetch(&source, &common, deadline);
                let _ = tx.send(Event::Fetched(r, result));
            });
        }
        let mut bodies: Vec<Option<Fetched>> = (0..replicas.len()).map(|_| None).collect();
        while bodies.iter().any(Option::is_none) {
            match rx.recv().expect("the sender lives in a static") {
                Event::Fetched(r, result) => bodies[r] = Some(result),
                Event::Signal => {
                    interrupted = true;
                    break;
                }
            }
        }
        if interrupted {
            break;
        }
        let mut parts = Vec::new();
        for (r, body) in bodies.into_iter().enumerate() {
            let parsed = body
                .expect("every replica answered")
                .and_then(|(name, data)| {
                    let profile = parse(&data, &mut interner, Limits::default())
                        .map_err(|e| format!("{}: {e}", esc(&name)))?;
                    if let Some(why) = &profile.partial {
                        eprintln!("leakhound: warning: {}: partial result: {why}", esc(&name));
                    }
                    Ok(profile)
                });
            match parsed {
                Ok(p) => {
                    latest[r] = Some(p.clone());
                    parts.push(p);
                }
                Err(error) => {
                    last_error.clone_from(&error);
                    gaps.push(Gap {
                        sample: i + 1,
                        at,
                        source: replicas[r].name(),
                        error,
                    });
                }
            }
        }
        let complete = parts.len() == replicas.len();
        let name = match replicas {
            [one] => format!("{} @{at:.1}s", one.name()),
            many => format!("{} replicas @{at:.1}s", many.len()),
        };
        window.push_back(Sample {
            at,
            name,
            merged: if complete {
                Profile::merge(parts)
            } else {
                None
            },
        });
        if plan.samples == 0 && window.len() > plan.window {
            window.pop_front();
        }
        i += 1;
        if series {
            progress(i, plan, at, &build(&window, &interner, opts), &gaps);
        }
    }
    if window.iter().all(|s| s.merged.is_none()) {
        if interrupted && window.is_empty() {
            bail!("interrupted before the first sample");
        }
        if !series {
            bail!("{last_error}");
        }
        bail!("no sample could be read ({} tried): {last_error}", i.max(1));
    }
    let mut analysis = build(&window, &interner, opts);
    analysis.gaps = gaps;
    if replicas.len() > 1 {
        per_replica(&mut analysis, replicas, latest, &interner, opts);
    }
    Ok(Outcome {
        analysis,
        interrupted,
    })
}

/// The series of the window's complete samples.
fn build(window: &VecDeque<Sample>, interner: &Interner, opts: &Options) -> Analysis {
    let complete: Vec<&Sample> = window.iter().filter(|s| s.merged.is_some()).collect();
    let profiles: Vec<Profile> = complete.iter().filter_map(|s| s.merged.clone()).collect();
    let names: Vec<String> = complete.iter().map(|s| s.name.clone()).collect();
    let t0 = complete.first().map_or(0.0, |s| s.at);
    let options = Options {
        times: Some(complete.iter().map(|s| s.at - t0).collect()),
        ..opts.clone()
    };
    analyze(&profiles, &names, interner, &options)
}

/// Each group's count in each replica's latest sample (group ids depend on the site alone).
fn per_replica(
    analysis: &mut Analysis,
    replicas: &[Source],
    latest: Vec<Option<Profile>>,
    interner: &Interner,
    opts: &Options,
) {
    for (source, profile) in replicas.iter().zip(latest) {
        let Some(profile) = profile else { continue };
        let alone = analyze(&[profile], &[source.name()], interner, opts);
        for g in &mut analysis.groups {
            let count = alone
                .groups
                .iter()
                .find(|x| x.id == g.id)
                .map_or(0, |x| x.counts[0]);
            g.replicas.push(ReplicaCount {
                replica: source.name(),
                count,
            });
        }
    }
}

fn progress(i: usize, plan: &Plan, at: f64, a: &Analysis, gaps: &[Gap]) {
    let of = match plan.samples {
        0 => String::new(),
        n => format!("/{n}"),
    };
    let mut line = format!("sample {i}{of} @{at:.1}s: ");
    let failed: Vec<&Gap> = gaps.iter().filter(|g| g.sample == i).collect();
    if !failed.is_empty() {
        let what: Vec<String> = failed.iter().map(|g| esc(&g.error).into_owned()).collect();
        line.push_str(&format!("gap ({})", what.join("; ")));
    } else {
        let total = a.sources.last().map_or(0, |s| s.goroutines);
        let growing: Vec<String> = a
            .groups
            .iter()
            .filter(|g| g.growing)
            .take(PROGRESS_GROUPS)
            .map(|g| {
                // The last two path components keep a progress line short and still telling.
                let site = g.site.as_ref().map_or_else(String::new, |s| {
                    let tail: Vec<&str> = s.file.rsplit('/').take(2).collect();
                    let tail: Vec<&str> = tail.into_iter().rev().collect();
                    format!("{}:{}", tail.join("/"), s.line)
                });
                format!(
                    "{} {} ({:+})",
                    esc(&site),
                    g.counts.last().unwrap_or(&0),
                    g.change
                )
            })
            .collect();
        line.push_str(&format!(
            "{total} goroutines; growing: {}",
            if growing.is_empty() {
                "none".to_string()
            } else {
                growing.join(", ")
            }
        ));
    }
    eprintln!("{line}");
}

/// One replica's body, tried until `deadline` (once when the deadline has passed).
fn fetch(source: &Source, common: &Common, deadline: Instant) -> Fetched {
    let mut backoff = Duration::from_millis(200);
    let mut tries = 0;
    loop {
        tries += 1;
        match source.read(common.full, common.timeout, common.max_body) {
            Ok(body) => return Ok(body),
            Err(e) => {
                let retry = tries < ATTEMPTS && Instant::now() + backoff < deadline;
                if !retry {
                    let tried = if tries > 1 {
                        format!(" ({tries} tries)")
                    } else {
                        String::new()
                    };
                    return Err(format!("{e:#}{tried}"));
                }
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}
