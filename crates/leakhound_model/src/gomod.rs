//! The parts of `go.mod` that change what leakhound reports: the `go` line and the
//! `godebug asynctimerchan=...` setting, which together decide the timer semantics (Go 1.23
//! made unreferenced timers and tickers collectable).

use std::fmt;
use std::str::FromStr;

/// A Go language version such as `1.22` or `1.23.4` (`rc`/`beta` suffixes are accepted and
/// ignored: `1.23rc1` has the 1.23 semantics).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GoVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl GoVersion {
    pub const fn new(major: u32, minor: u32) -> Self {
        GoVersion {
            major,
            minor,
            patch: 0,
        }
    }

    /// The first version whose unreferenced timers and tickers are garbage-collected.
    pub const TIMER_GC: GoVersion = GoVersion::new(1, 23);
}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.patch == 0 {
            write!(f, "{}.{}", self.major, self.minor)
        } else {
            write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Go version {0:?} (want a version such as 1.22 or 1.23.4)")]
pub struct ParseVersionError(pub String);

impl FromStr for GoVersion {
    type Err = ParseVersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseVersionError(s.to_string());
        let trimmed = s.trim().trim_start_matches("go");
        // Pre-release suffixes (`1.23rc1`, `1.21beta2`) keep the semantics of their release.
        let numeric_end = trimmed
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(trimmed.len());
        let mut parts = trimmed[..numeric_end].split('.');
        let mut next = |required: bool| -> Result<u32, ParseVersionError> {
            match parts.next() {
                Some(p) if !p.is_empty() => p.parse().map_err(|_| err()),
                Some(_) => Err(err()),
                None if required => Err(err()),
                None => Ok(0),
            }
        };
        let major = next(true)?;
        let minor = next(true)?;
        let patch = next(false)?;
        if parts.next().is_some() || major == 0 {
            return Err(err());
        }
        Ok(GoVersion {
            major,
            minor,
            patch,
        })
    }
}

/// A `godebug asynctimerchan=N` setting, from `go.mod` or a `//go:debug` directive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsyncTimerChan {
    /// `asynctimerchan=0`: the Go 1.23 timers.
    Off,
    /// `asynctimerchan=1`: the pre-1.23 timers, never collected before they fire.
    On,
    /// `asynctimerchan=2`: collectable timers with the old asynchronous channels.
    GcOnly,
}

impl AsyncTimerChan {
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "0" => Some(AsyncTimerChan::Off),
            "1" => Some(AsyncTimerChan::On),
            "2" => Some(AsyncTimerChan::GcOnly),
            _ => None,
        }
    }
}

/// What `go.mod` says, as far as leakhound cares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoMod {
    pub module: Option<String>,
    pub go: Option<GoVersion>,
    pub async_timer_chan: Option<AsyncTimerChan>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct GoModError {
    pub line: usize,
    pub message: String,
}

impl GoMod {
    /// Parses the directives leakhound needs and checks the rest only for balanced blocks, so a
    /// `go.mod` that the go command accepts is never rejected here.
    pub fn parse(text: &str) -> Result<GoMod, GoModError> {
        let mut gomod = GoMod::default();
        let mut block: Option<(String, usize)> = None;
        for (index, raw) in text.lines().enumerate() {
            let line_no = index + 1;
            let line = strip_comment(raw).trim();
            if line.is_empty() {
                continue;
            }
            if let Some((verb, _)) = &block {
                if line == ")" {
                    block = None;
                } else if verb == "godebug" {
                    gomod.apply_godebug(line, line_no)?;
                }
                continue;
            }
            let (verb, rest) = match line.split_once(char::is_whitespace) {
                Some((verb, rest)) => (verb, rest.trim()),
                None => (line, ""),
            };
            if rest == "(" {
                block = Some((verb.to_string(), line_no));
                continue;
            }
            match verb {
                "module" => gomod.module = Some(unquote(rest).to_string()),
                "go" => {
                    let version = rest.parse::<GoVersion>().map_err(|e| GoModError {
                        line: line_no,
                        message: e.to_string(),
                    })?;
                    gomod.go = Some(version);
                }
                "godebug" => gomod.apply_godebug(rest, line_no)?,
                "toolchain" | "require" | "replace" | "exclude" | "retract" | "tool" | "ignore" => {
                }
                _ => {
                    return Err(GoModError {
                        line: line_no,
                        message: format!("unknown directive: {verb}"),
                    })
                }
            }
        }
        if let Some((verb, line)) = block {
            return Err(GoModError {
                line,
                message: format!("{verb} block is never closed with ')'"),
            });
        }
        Ok(gomod)
    }

    fn apply_godebug(&mut self, setting: &str, line: usize) -> Result<(), GoModError> {
        let Some((key, value)) = setting.split_once('=') else {
            return Err(GoModError {
                line,
                message: format!("godebug setting {setting:?} is not key=value"),
            });
        };
        if key.trim() == "asynctimerchan" {
            self.async_timer_chan =
                Some(AsyncTimerChan::parse(value).ok_or_else(|| GoModError {
                    line,
                    message: format!("asynctimerchan={} is not 0, 1 or 2", value.trim()),
                })?);
        }
        Ok(())
    }
}

fn strip_comment(line: &str) -> &str {
    match line.find("//") {
        Some(i) => &line[..i],
        None => line,
    }
}

fn unquote(s: &str) -> &str {
    s.trim().trim_matches('"').trim_matches('`')
}

/// Which timer implementation the program gets, and why; rule messages quote the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimerSemantics {
    /// Timers stay in the runtime's heap until they fire; tickers forever.
    PreGo123 { reason: String },
    /// Unreferenced timers and tickers are garbage-collected. `async_chan`: with
    /// `asynctimerchan=2`, whose timer channels keep the old asynchronous (buffered) delivery.
    Go123 { reason: String, async_chan: bool },
}

impl TimerSemantics {
    /// Decides from the main module's Go version and the asynctimerchan setting that applies
    /// (a `//go:debug` directive wins over `go.mod`). An unknown version assumes the old
    /// semantics, as the catalog requires.
    pub fn decide(version: Option<GoVersion>, setting: Option<AsyncTimerChan>) -> TimerSemantics {
        if let Some(AsyncTimerChan::On) = setting {
            return TimerSemantics::PreGo123 {
                reason: "asynctimerchan=1".to_string(),
            };
        }
        match version {
            None => TimerSemantics::PreGo123 {
                reason: "Go version unknown, assuming before 1.23".to_string(),
            },
            // asynctimerchan only exists from Go 1.23 on; older toolchains ignore it.
            Some(v) if v < GoVersion::TIMER_GC => TimerSemantics::PreGo123 {
                reason: format!("go {v}"),
            },
            Some(v) => TimerSemantics::Go123 {
                reason: format!("go {v}"),
                async_chan: setting == Some(AsyncTimerChan::GcOnly),
            },
        }
    }

    pub fn timers_collected(&self) -> bool {
        matches!(self, TimerSemantics::Go123 { .. })
    }

    /// Whether timer channels are synchronous (Go 1.23's `asynctimerchan=0`): after `Stop` or
    /// `Reset` returns, no value sent before it is ever received.
    pub fn sync_timer_chans(&self) -> bool {
        matches!(
            self,
            TimerSemantics::Go123 {
                async_chan: false,
                ..
            }
        )
    }

    pub fn reason(&self) -> &str {
        match self {
            TimerSemantics::PreGo123 { reason } | TimerSemantics::Go123 { reason, .. } => reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!("1.22".parse::<GoVersion>().unwrap(), GoVersion::new(1, 22));
        assert_eq!(
            "1.23.4".parse::<GoVersion>().unwrap(),
            GoVersion {
                major: 1,
                minor: 23,
                patch: 4
            }
        );
        assert_eq!(
            "1.23rc1".parse::<GoVersion>().unwrap(),
            GoVersion::new(1, 23)
        );
        assert_eq!(
            "go1.21".parse::<GoVersion>().unwrap(),
            GoVersion::new(1, 21)
        );
        assert!("1".parse::<GoVersion>().is_err());
        assert!("x.y".parse::<GoVersion>().is_err());
        assert!("1.2.3.4".parse::<GoVersion>().is_err());
        assert!(GoVersion::new(1, 22) < GoVersion::TIMER_GC);
    }

    #[test]
    fn gomod_directives() {
        let m = GoMod::parse(
            "module example.com/orders // comment\n\ngo 1.22.1\ntoolchain go1.23.0\n\nrequire (\n\tgolang.org/x/sync v0.1.0\n)\ngodebug (\n\tasynctimerchan=1\n\tpanicnil=1\n)\n",
        )
        .unwrap();
        assert_eq!(m.module.as_deref(), Some("example.com/orders"));
        assert_eq!(
            m.go,
            Some(GoVersion {
                major: 1,
                minor: 22,
                patch: 1
            })
        );
        assert_eq!(m.async_timer_chan, Some(AsyncTimerChan::On));
        let single = GoMod::parse("module m\ngo 1.23\ngodebug asynctimerchan=0\n").unwrap();
        assert_eq!(single.async_timer_chan, Some(AsyncTimerChan::Off));
    }

    #[test]
    fn gomod_errors_name_the_line() {
        let err = GoMod::parse("module m\ngo one.two\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.to_string().contains("invalid Go version"));
        let err = GoMod::parse("module m\nrequire (\n\ta v1\n").unwrap_err();
        assert!(err.to_string().contains("never closed"), "{err}");
        let err = GoMod::parse("module m\nfrobnicate x\n").unwrap_err();
        assert!(err.to_string().contains("unknown directive"));
        let err = GoMod::parse("godebug asynctimerchan=7\n").unwrap_err();
        assert!(err.to_string().contains("not 0, 1 or 2"));
    }

    #[test]
    fn semantics() {
        let old = TimerSemantics::decide(Some(GoVersion::new(1, 22)), None);
        assert!(!old.timers_collected());
        assert_eq!(old.reason(), "go 1.22");
        let new = TimerSemantics::decide(Some(GoVersion::new(1, 23)), None);
        assert!(new.timers_collected());
        let reverted =
            TimerSemantics::decide(Some(GoVersion::new(1, 24)), Some(AsyncTimerChan::On));
        assert!(!reverted.timers_collected());
        assert_eq!(reverted.reason(), "asynctimerchan=1");
        let gc_only =
            TimerSemantics::decide(Some(GoVersion::new(1, 23)), Some(AsyncTimerChan::GcOnly));
        assert!(gc_only.timers_collected());
        assert!(new.sync_timer_chans() && !gc_only.sync_timer_chans());
        assert!(!old.sync_timer_chans() && !reverted.sync_timer_chans());
        let unknown = TimerSemantics::decide(None, None);
        assert!(!unknown.timers_collected());
        assert!(unknown.reason().contains("unknown"));
    }
}
