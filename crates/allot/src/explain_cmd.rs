//! `allot explain`: "why not?" and "what if?". The plan re-solved with one choice forced
//! (`--why-not`) or with scenario values changed (`--what-if`), beside the least-cost plan: the
//! cost difference in words, what makes it up, and what else moved. See docs/explanations.md.

use std::path::{Path, PathBuf};
use std::time::Instant;

use allot_plan::question::{self, Posed};
use allot_plan::{SolveSettings, SolveStatus};
use allot_present::answer::{self, Comparison};
use allot_scenario::Scenario;
use clap::Args;

use crate::exit::Exit;
use crate::files::{load_text, print_diagnostics, read_text};

/// Arguments of `allot explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Force a choice and compare with the least-cost plan: "RUN on PROVIDER/CHIP" (a training
    /// run or an inference demand), "offering OFFERING" (its provider's chip only through this
    /// offering), "offering OFFERING >= CHIPS" (hold that many of it), "vendor VENDOR <= 40%"
    /// or "provider PROVIDER <= 40%" (a cap on the share of compute spend in every year).
    #[arg(
        long = "why-not",
        value_name = "CHOICE",
        conflicts_with = "what_if",
        required_unless_present = "what_if"
    )]
    pub why_not: Option<String>,
    /// Change a scenario value and compare: KEY=VALUE with KEY a dotted path, array elements by
    /// index or name, e.g. policy.vendor_cap[nvidia].max_share=0.5, training[frontier-2026].deadline=2027-01.
    /// Repeat to change several values together.
    #[arg(long = "what-if", value_name = "KEY=VALUE")]
    pub what_if: Vec<String>,
    /// Print the comparison as JSON.
    #[arg(long)]
    pub json: bool,
    /// Time limit of the whole command, seconds: both plans draw from one deadline.
    #[arg(long = "time-limit", default_value_t = 60.0)]
    pub time_limit: f64,
    /// Relative MIP gap at which the solver may stop. A difference smaller than the plans' gaps
    /// is reported as such; a smaller gap proves more (and takes longer).
    #[arg(long = "mip-gap", default_value_t = 1e-3)]
    pub mip_gap: f64,
}

pub fn run(args: &ExplainArgs) -> anyhow::Result<Exit> {
    let name = args.scenario.display().to_string();
    let text = match read_text(&args.scenario) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{name}: error: cannot read file: {e}");
            return Ok(Exit::Invalid);
        }
    };
    let loaded = load_text(&name, &text, &args.scenario);
    print_diagnostics(&loaded.diagnostics, &loaded.files);
    let Some(scenario) = loaded.scenario else {
        return Ok(Exit::Invalid);
    };
    let settings = SolveSettings {
        time_limit_s: args.time_limit,
        deadline: allot_plan::solver::Deadline::after(args.time_limit),
        mip_gap: args.mip_gap,
        ..SolveSettings::default()
    };
    settings.check()?;
    let start = Instant::now();
    let posed = match &args.why_not {
        Some(q) => question::why_not(q, &scenario).map_err(|e| e.to_string()),
        None => what_if(&args.what_if, &args.scenario, &text, &loaded.diagnostics),
    };
    let answered = posed.and_then(|posed| {
        question::answer(&scenario, &posed, &settings)
            .map(|a| (posed, a))
            .map_err(|e| e.to_string())
    });
    let (posed, answer) = match answered {
        Ok(a) => a,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            return Ok(Exit::Invalid);
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    let code = match (answer.base.status, answer.changed.status) {
        (base, changed) if base.has_solution() && changed.has_solution() => Exit::Success,
        (SolveStatus::Infeasible, _) | (_, SolveStatus::Infeasible) => Exit::Infeasible,
        _ => Exit::Failure,
    };
    let comparison = Comparison {
        question: &posed.question,
        kind: posed.kind.as_str(),
        change: &posed.change,
        focus: posed.focus.as_deref(),
        imposed: posed.imposed.as_ref().map(|(k, s)| (*k, s.as_str())),
        notes: &posed.notes,
        base: &answer.base,
        changed: &answer.changed,
        warm_start: answer.warm_start,
    };
    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&answer::to_json(&comparison, seconds))?
        );
    } else {
        out!("{}", answer::report(&comparison, seconds));
    }
    Ok(code)
}

/// Applies `--what-if` edits to the scenario's text and loads the result, printing the
/// diagnostics the edits brought.
fn what_if(
    edits: &[String],
    path: &Path,
    text: &str,
    base_diagnostics: &[allot_diag::Diagnostic],
) -> Result<Posed, String> {
    let edited = question::what_if_text(text, edits).map_err(|e| e.to_string())?;
    let name = path.display().to_string();
    // Diagnostics of an edit made in place point at the file's own lines; otherwise at the
    // rewritten copy, which is named as such.
    let shown = if edited.in_place {
        name.clone()
    } else {
        format!("{name} (as changed by --what-if)")
    };
    let loaded = load_text(&shown, &edited.text, path);
    let fresh: Vec<allot_diag::Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error() || !base_diagnostics.iter().any(|b| b.message == d.message))
        .cloned()
        .collect();
    print_diagnostics(&fresh, &loaded.files);
    let Some(changed): Option<Scenario> = loaded.scenario else {
        return Err(format!(
            "the scenario with {} is not valid (see above)",
            edited.changes.join(", ")
        ));
    };
    Ok(question::what_if(edits, &edited.changes, changed))
}
