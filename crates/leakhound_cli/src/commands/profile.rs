//! `leakhound profile SOURCE...`: read goroutine profiles and dumps (files, stdin, pprof URLs),
//! group by leak site, rank suspects, and optionally link them to the source and static rules.

mod fetch;
mod html;
mod markdown;
mod reasons;
mod render;
mod sampling;
mod src;

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::ValueEnum;
use leakhound_profile::{
    analyze, parse, Analysis, GroupBy, Interner, Limits, Options, Profile, DEFAULT_MIN_COUNT,
};

use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

pub(crate) use fetch::{parse_duration, Source};
use fetch::{parse_size, DEFAULT_MAX_BODY};
pub(crate) use sampling::Plan;

#[derive(clap::Args)]
pub struct Args {
    /// Files or `-` for stdin (samples of one process in time order), or pprof URLs
    /// (`http://host:port` and bare `host:port` mean `/debug/pprof/goroutine`): several URLs are
    /// replicas of one service, sampled together and reported by site with per-replica counts.
    #[arg(required = true, value_name = "SOURCE")]
    pub sources: Vec<String>,
    /// Sample the URL sources this often, e.g. `10s`.
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub every: Option<Duration>,
    /// How many samples to take with --every (default 6); 0 samples until interrupted.
    #[arg(long, requires = "every")]
    pub samples: Option<usize>,
    #[command(flatten)]
    pub live: Live,
    #[command(flatten)]
    pub common: Common,
}

/// Options of a run that samples URLs repeatedly (`profile --every`, `watch`).
#[derive(clap::Args, Clone)]
pub struct Live {
    /// With --samples 0: how many of the latest samples the report covers.
    #[arg(long, default_value_t = 60)]
    pub window: usize,
}

/// Options shared by `profile`, `diff` and `watch`.
#[derive(clap::Args, Clone)]
pub struct Common {
    /// Ask URLs for debug=2 full tracebacks (states, wait minutes, creators) instead of the
    /// cheap debug=1 counts. debug=2 stops the world for the whole dump (1.2 s for 200k
    /// goroutines).
    #[arg(long)]
    pub full: bool,
    /// Group goroutines by leak site (first user frame) or by whole stack.
    #[arg(long, value_enum, default_value_t = GroupByArg::Site)]
    pub group_by: GroupByArg,
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub output_format: OutputFormat,
    /// Write the report to this file instead of standard output (also when interrupted).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with status 1 when: a suspect keeps growing beyond its own noise or is proven
    /// (`growing`), any suspect is found (`suspect`), or never.
    #[arg(long, value_enum, default_value_t = FailOn::Growing)]
    pub fail_on: FailOn,
    /// Goroutines parked at one site before a single snapshot makes it a suspect (a quarter of
    /// it when goroutine ids show the group was created over time).
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
    /// Largest response body read from a URL; a longer one fails that sample.
    #[arg(long, value_parser = parse_size, default_value = DEFAULT_MAX_BODY, value_name = "SIZE")]
    pub max_body: u64,
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
    /// One self-contained page: summary, suspects with a chart of their counts, stacks, source.
    Html,
    /// The same as Markdown, for a post-mortem or a ticket.
    Markdown,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    Growing,
    Suspect,
    Never,
}

/// Default number of samples of `--every` and `watch`.
pub const DEFAULT_SAMPLES: usize = 6;

pub fn run(args: Args) -> Result<u8> {
    let sources: Vec<Source> = args
        .sources
        .iter()
        .map(|s| Source::parse(s))
        .collect::<Result<_>>()?;
    let urls = sources.iter().filter(|s| s.is_url()).count();
    if urls > 0 && urls < sources.len() {
        bail!("URLs and files cannot be mixed: URLs are replicas sampled together, files are samples in time order");
    }
    if urls == 0 {
        if args.every.is_some() {
            bail!("--every samples URL sources; give files in time order instead");
        }
        return execute(&sources, &args.common);
    }
    if args.samples == Some(1) {
        bail!("--samples must be 0 (until interrupted) or at least 2");
    }
    if args.live.window < 2 {
        bail!("--window must be at least 2");
    }
    let plan = match args.every {
        Some(every) => Plan {
            every,
            samples: args.samples.unwrap_or(DEFAULT_SAMPLES),
            window: args.live.window,
        },
        None => Plan {
            every: Duration::ZERO,
            samples: 1,
            window: 1,
        },
    };
    live(&sources, &plan, &args.common)
}

fn options(common: &Common) -> Options {
    Options {
        group_by: match common.group_by {
            GroupByArg::Site => GroupBy::Site,
            GroupByArg::Stack => GroupBy::Stack,
        },
        min_count: common.min_count,
        ..Options::default()
    }
}

/// Reads file sources (samples in time order), analyses the series, reports it.
pub(crate) fn execute(sources: &[Source], common: &Common) -> Result<u8> {
    let mut interner = Interner::new();
    let mut profiles: Vec<Profile> = Vec::new();
    let mut names = Vec::new();
    for s in sources {
        let (name, profile) = read_one(s, common, &mut interner)?;
        profiles.push(profile);
        names.push(name);
    }
    let mut opts = options(common);
    opts.times = common.interval.map(|d| {
        (0..sources.len())
            .map(|i| d.as_secs_f64() * i as f64)
            .collect()
    });
    let analysis = analyze(&profiles, &names, &interner, &opts);
    report(analysis, common)
}

/// Samples URL sources (replicas of one service) per `plan` and reports what was sampled, also
/// when interrupted. Failed samples are gaps; the exit status is 2 when there were any and no
/// findings.
pub(crate) fn live(sources: &[Source], plan: &Plan, common: &Common) -> Result<u8> {
    let outcome = sampling::sample(sources, plan, common, &options(common))?;
    let samples = outcome.analysis.sources.len();
    let gaps = outcome.analysis.gaps.len();
    if outcome.interrupted {
        eprintln!("leakhound: interrupted: the report covers the {samples} sample(s) taken");
    }
    let status = report(outcome.analysis, common)?;
    if gaps > 0 {
        eprintln!(
            "leakhound: warning: {gaps} fetch(es) failed (gaps in the report); the series has \
             {samples} complete sample(s)"
        );
        if status == EXIT_CLEAN {
            return Ok(EXIT_ERROR);
        }
    }
    Ok(status)
}

/// Links the source (`--src`), prints the report to stdout or `--output`, returns the status.
fn report(mut analysis: Analysis, common: &Common) -> Result<u8> {
    let snippets = match &common.src {
        Some(dir) => src::link(&mut analysis, dir)?,
        None => Vec::new(),
    };
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        match common.output_format {
            OutputFormat::Json => serde_json::to_writer_pretty(&mut *out, &json(&analysis))
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(out)),
            OutputFormat::Text => render::text(out, &analysis, &snippets, common.all),
            OutputFormat::Html => html::html(out, &analysis, &snippets, common.all),
            OutputFormat::Markdown => markdown::markdown(out, &analysis, &snippets, common.all),
        }?;
        out.flush()
    };
    match &common.output {
        Some(path) => {
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(path)
                    .with_context(|| format!("writing {}", path.display()))?,
            );
            write(&mut file).with_context(|| format!("writing {}", path.display()))?;
        }
        None => match write(&mut std::io::stdout().lock()) {
            // A closed pipe (`| head`) is the reader's choice, not an error.
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
            _ => {}
        },
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

/// The analysis as the spec's JSON object: each group's reasons as data (`why`) and worded
/// (`reasons`).
#[derive(serde::Serialize)]
struct Json<'a> {
    sources: &'a [leakhound_profile::Source],
    groups: Vec<JsonGroup<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    gaps: &'a [leakhound_profile::Gap],
}

#[derive(serde::Serialize)]
struct JsonGroup<'a> {
    #[serde(flatten)]
    group: &'a leakhound_profile::Group,
    reasons: Vec<String>,
}

fn json(analysis: &Analysis) -> Json<'_> {
    Json {
        sources: &analysis.sources,
        gaps: &analysis.gaps,
        groups: analysis
            .groups
            .iter()
            .map(|group| JsonGroup {
                group,
                reasons: reasons::texts(group),
            })
            .collect(),
    }
}

fn read_one(
    source: &Source,
    common: &Common,
    interner: &mut Interner,
) -> Result<(String, Profile)> {
    let (name, data) = source.read(common.full, common.timeout, common.max_body)?;
    let profile = parse(&data, interner, Limits::default()).with_context(|| name.clone())?;
    if let Some(why) = &profile.partial {
        eprintln!(
            "leakhound: warning: {}: partial result: {why}",
            leakhound_profile::escape_control(&name)
        );
    }
    Ok((name, profile))
}
