//! `leakhound profile SOURCE...`: read goroutine profiles and dumps (files, stdin, pprof URLs),
//! group by leak site, rank suspects, and optionally link them to the source and static rules.

mod fetch;
mod render;
mod src;

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::ValueEnum;
use leakhound_profile::{
    analyze, parse, Analysis, GroupBy, Interner, Limits, Options, Profile, DEFAULT_MIN_COUNT,
};

use crate::{EXIT_CLEAN, EXIT_FINDINGS};

pub(crate) use fetch::{parse_duration, Source};

#[derive(clap::Args)]
pub struct Args {
    /// Files, `-` for stdin, or pprof URLs (`http://host:port` and bare `host:port` mean
    /// `/debug/pprof/goroutine`). Several sources are samples of one process in time order.
    #[arg(required = true, value_name = "SOURCE")]
    pub sources: Vec<String>,
    /// Sample each URL source this often (with --samples), e.g. `10s`.
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub every: Option<Duration>,
    /// How many samples to take of each URL source when --every is given.
    #[arg(long, default_value_t = 6)]
    pub samples: usize,
    #[command(flatten)]
    pub common: Common,
}

/// Options shared by `profile`, `diff` and `watch`.
#[derive(clap::Args, Clone)]
pub struct Common {
    /// Ask URLs for debug=2 full tracebacks (states, wait minutes, creators) instead of the
    /// cheap debug=1 counts. debug=2 stops the world for the whole dump (1.2 s for 200k
    /// goroutines).
    #[arg(long)]
    pub full: bool,
    /// Group goroutines by leak site (first frame outside the runtime) or by whole stack.
    #[arg(long, value_enum, default_value_t = GroupByArg::Site)]
    pub group_by: GroupByArg,
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub output_format: OutputFormat,
    /// Exit with status 1 when: a suspect grows at every sample or is proven (`growing`), any
    /// suspect is found (`suspect`), or never.
    #[arg(long, value_enum, default_value_t = FailOn::Growing)]
    pub fail_on: FailOn,
    /// Goroutines parked at one site before a single snapshot makes it a suspect.
    #[arg(long, default_value_t = DEFAULT_MIN_COUNT)]
    pub min_count: u64,
    /// Time between file sources, for growth per minute (URL samples are timed).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub interval: Option<Duration>,
    /// Checkout of the profiled service: show the source of each suspect and the static
    /// findings at or next to it.
    #[arg(long, value_name = "DIR")]
    pub src: Option<PathBuf>,
    /// Timeout for each HTTP request.
    #[arg(long, value_parser = parse_duration, default_value = "30s", value_name = "DURATION")]
    pub timeout: Duration,
    /// Show every group, not only suspects and the largest others.
    #[arg(long)]
    pub all: bool,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum GroupByArg {
    Site,
    Stack,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    Growing,
    Suspect,
    Never,
}

pub fn run(args: Args) -> Result<u8> {
    let sources: Vec<Source> = args
        .sources
        .iter()
        .map(|s| Source::parse(s))
        .collect::<Result<_>>()?;
    let samples = match args.every {
        Some(_) if sources.len() != 1 || !sources[0].is_url() => {
            bail!("--every samples one URL source; give files in time order instead")
        }
        Some(_) if args.samples < 2 => bail!("--samples must be at least 2"),
        Some(every) => Some((every, args.samples)),
        None => None,
    };
    execute(&sources, samples, &args.common, &mut |_, _| Ok(()))
}

/// Reads every source (sampling a URL when `samples` is set), analyses the series, prints it and
/// returns the exit status. `progress` sees each sample as it arrives (`watch` prints it).
pub(crate) fn execute(
    sources: &[Source],
    samples: Option<(Duration, usize)>,
    common: &Common,
    progress: &mut dyn FnMut(&Analysis, &Interner) -> Result<()>,
) -> Result<u8> {
    let mut interner = Interner::new();
    let mut profiles: Vec<Profile> = Vec::new();
    let mut names = Vec::new();
    let mut times = Vec::new();
    let opts = |times: &[f64]| Options {
        group_by: match common.group_by {
            GroupByArg::Site => GroupBy::Site,
            GroupByArg::Stack => GroupBy::Stack,
        },
        min_count: common.min_count,
        times: Some(times.to_vec()),
        ..Options::default()
    };
    match samples {
        Some((every, count)) => {
            let start = Instant::now();
            for i in 0..count {
                if i > 0 {
                    std::thread::sleep(
                        (start + every * i as u32).saturating_duration_since(Instant::now()),
                    );
                }
                let taken = start.elapsed().as_secs_f64();
                let (name, profile) = read_one(&sources[0], common, &mut interner)?;
                profiles.push(profile);
                names.push(format!("{name} @{taken:.1}s"));
                times.push(taken);
                let partial = analyze(&profiles, &names, &interner, &opts(&times));
                progress(&partial, &interner)?;
            }
        }
        None => {
            for (i, s) in sources.iter().enumerate() {
                let (name, profile) = read_one(s, common, &mut interner)?;
                profiles.push(profile);
                names.push(name);
                times.push(common.interval.map_or(0.0, |d| d.as_secs_f64() * i as f64));
            }
        }
    }
    let timed = samples.is_some() || common.interval.is_some();
    let mut options = opts(&times);
    if !timed {
        options.times = None;
    }
    let mut analysis = analyze(&profiles, &names, &interner, &options);
    let snippets = match &common.src {
        Some(dir) => src::link(&mut analysis, dir)?,
        None => Vec::new(),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match common.output_format {
        OutputFormat::Json => serde_json::to_writer_pretty(&mut out, &analysis)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out)),
        OutputFormat::Text => render::text(&mut out, &analysis, &snippets, common.all),
    }
    .and_then(|()| out.flush());
    // A closed pipe (`| head`) is the reader's choice, not an error.
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
        _ => {}
    }
    let fail = match common.fail_on {
        FailOn::Never => false,
        FailOn::Suspect => analysis.groups.iter().any(|g| g.suspect),
        FailOn::Growing => analysis
            .groups
            .iter()
            .any(leakhound_profile::Group::is_growing_or_proven),
    };
    Ok(if fail { EXIT_FINDINGS } else { EXIT_CLEAN })
}

fn read_one(
    source: &Source,
    common: &Common,
    interner: &mut Interner,
) -> Result<(String, Profile)> {
    let (name, data) = source.read(common.full, common.timeout)?;
    let profile = parse(&data, interner, Limits::default()).with_context(|| name.clone())?;
    if let Some(why) = &profile.partial {
        eprintln!(
            "leakhound: warning: {}: partial result: {why}",
            leakhound_profile::escape_control(&name)
        );
    }
    Ok((name, profile))
}
