//! The analysis's reasons worded for people: the terminal view and the `reasons` strings of the
//! JSON output both come from here.

use leakhound_profile::{Frame, Group, LongLived, Reason};

/// Counts of a long series are cut to their first and last few, so a line stays readable.
const SERIES_SHOWN: usize = 8;

pub fn texts(g: &Group) -> Vec<String> {
    g.reasons.iter().map(|r| text(r, g)).collect()
}

pub fn text(r: &Reason, g: &Group) -> String {
    match r {
        Reason::Parked { count, state, site } => {
            let place = site
                .as_ref()
                .map_or_else(|| "an empty stack".to_string(), place);
            if state == "unknown" {
                format!("{count} goroutines parked at {place} (this format has no states)")
            } else {
                format!("{count} goroutines in {state} at {place}")
            }
        }
        Reason::ProvenLeaked => {
            "reported by the goroutineleak profile: the runtime proved they can never run again"
                .to_string()
        }
        Reason::NeverWakes => "nothing can ever wake a goroutine in this state".to_string(),
        Reason::MainParked => "main goroutine parked for good by design".to_string(),
        Reason::LongLived { what } => format!("known long-lived goroutine: {}", long_lived(*what)),
        Reason::RuntimeWorker => "runtime worker".to_string(),
        Reason::NoUserCode => "no user code on the stack or as creator".to_string(),
        Reason::Grew => format!(
            "grew {} at every sample, beyond its own fluctuation{}",
            series(&g.counts),
            rate(g.per_minute)
        ),
        Reason::Series { counts, per_minute } => format!(
            "counts {}{}: not steady growth",
            series(counts),
            rate(*per_minute)
        ),
        Reason::Stable {
            min,
            max,
            ids_known: true,
        } => format!("stable at {min}..{max} across {} samples", g.counts.len()),
        Reason::Stable { min, max, .. } => format!(
            "stable at {min}..{max} across {} samples: a fixed-size pool, or a leak that stopped \
             growing (this format has no goroutine ids; one --full snapshot tells them apart)",
            g.counts.len()
        ),
        Reason::NeedsFullSnapshot => {
            "large and parked: take one --full snapshot to tell a pool from a leak".to_string()
        }
        Reason::StartedAtOnce { first, last } => format!(
            "started at once (goroutine ids {first}..{last}{}): a pool, not a leak",
            creator(g)
        ),
        Reason::CreatedOverTime { first, last } => format!(
            "created one by one over the process's life (goroutine ids {first}..{last}{}): \
             a leak, even if it stopped growing",
            creator(g)
        ),
        Reason::AboveThreshold { threshold } => {
            format!("at least {threshold} parked at one line")
        }
        Reason::BelowThreshold { count, threshold } => {
            format!("{count} goroutines, below the single-snapshot threshold of {threshold}")
        }
        Reason::NotBlocking { state } => format!("{state} is not a blocking wait"),
    }
}

fn place(f: &Frame) -> String {
    format!("{}:{} ({})", f.file, f.line, f.function)
}

fn creator(g: &Group) -> String {
    g.created_by
        .as_ref()
        .map_or_else(String::new, |c| format!(", created by {}", c.function))
}

fn rate(per_minute: Option<f64>) -> String {
    per_minute.map_or_else(String::new, |r| format!(", {r:+.1}/min"))
}

/// `a -> b -> c`, or the first and last few counts around `...` for a long series.
pub fn series(counts: &[u64]) -> String {
    let shown = cut(counts, " -> ", " -> ... -> ");
    if counts.len() > SERIES_SHOWN {
        format!("{shown} ({} samples)", counts.len())
    } else {
        shown
    }
}

/// The COUNTS cell of the table: the same cut, spaced.
pub fn counts_cell(counts: &[u64]) -> String {
    cut(counts, " ", " .. ")
}

fn cut(counts: &[u64], sep: &str, gap: &str) -> String {
    let show = |c: &[u64]| c.iter().map(u64::to_string).collect::<Vec<_>>().join(sep);
    if counts.len() <= SERIES_SHOWN {
        show(counts)
    } else {
        let half = SERIES_SHOWN / 2;
        format!(
            "{}{gap}{}",
            show(&counts[..half]),
            show(&counts[counts.len() - half..])
        )
    }
}

fn long_lived(what: LongLived) -> &'static str {
    match what {
        LongLived::HttpAcceptLoop => "HTTP accept loop",
        LongLived::AcceptLoop => "network accept loop",
        LongLived::KeepAliveReader => "idle keep-alive connection reader",
        LongLived::KeepAliveWriter => "idle keep-alive connection writer",
        LongLived::HttpConnection => "HTTP connection waiting for its next request",
        LongLived::SignalHandler => "signal handler",
        LongLived::TraceReader => "trace reader",
        LongLived::TestRunner => "test runner",
        LongLived::RuntimeWorker => "runtime worker",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_series_are_cut() {
        assert_eq!(series(&[1, 2, 3]), "1 -> 2 -> 3");
        let long: Vec<u64> = (0..100).collect();
        assert_eq!(
            series(&long),
            "0 -> 1 -> 2 -> 3 -> ... -> 96 -> 97 -> 98 -> 99 (100 samples)"
        );
    }
}
