//! `leakhound rule CODE|NAME` and `leakhound rule --all`: the documentation written beside each
//! rule's code.

use std::io::Write;

use anyhow::{bail, Result};
use leakhound_rules::registry::{self, Rule};
use serde::Serialize;

#[derive(clap::Args)]
pub struct Args {
    /// A rule code (LH101) or name (after-in-loop).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    rule: Option<String>,
    /// Print every rule.
    #[arg(long)]
    all: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    output_format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Serialize)]
struct RuleJson<'a> {
    code: &'a str,
    name: &'a str,
    summary: &'a str,
    severity: &'a str,
    url: String,
    explanation: &'a str,
}

fn to_json(rule: &Rule) -> RuleJson<'_> {
    RuleJson {
        code: rule.code,
        name: rule.name,
        summary: rule.summary,
        severity: rule.severity.as_str(),
        url: rule.url(),
        explanation: rule.doc,
    }
}

fn write_text(out: &mut impl Write, rule: &Rule) -> std::io::Result<()> {
    writeln!(out, "# {} {}\n", rule.code, rule.name)?;
    writeln!(out, "{}\n", rule.summary)?;
    writeln!(out, "Default severity: {}\n", rule.severity.as_str())?;
    writeln!(out, "{}", rule.doc)
}

pub fn run(args: Args) -> Result<u8> {
    let rules: Vec<&Rule> = if args.all {
        registry::RULES.to_vec()
    } else {
        let key = args.rule.unwrap_or_default();
        match registry::find(&key) {
            Some(rule) => vec![rule],
            None => bail!("unknown rule {key:?}; `leakhound rule --all` lists them"),
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.output_format {
        Format::Json if args.all => {
            serde_json::to_writer_pretty(
                &mut out,
                &rules.iter().map(|r| to_json(r)).collect::<Vec<_>>(),
            )?;
            writeln!(out)?;
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &to_json(rules[0]))?;
            writeln!(out)?;
        }
        Format::Text => {
            for (i, rule) in rules.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                write_text(&mut out, rule)?;
            }
        }
    }
    Ok(crate::EXIT_CLEAN)
}
