//! `allot explain`: "why not?" and "what if?". The plan re-solved with one choice forced
//! (`--why-not`) or with scenario values changed (`--what-if`), beside the least-cost plan: the
//! cost difference in words, what makes it up, and what else moved. See docs/explanations.md.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use allot_plan::why_not::{Force, WhyNotError};
use allot_plan::{Plan, SolveSettings, SolveStatus};
use allot_scenario::Scenario;
use clap::Args;
use serde::Serialize;

use crate::files::{print_diagnostics, read_text, reader_beside};
use crate::plan_cmd::{EXIT_INFEASIBLE, money};
use crate::plan_diff::{self, About, Reason, signed_money};

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
    /// Solver time limit per plan, seconds.
    #[arg(long = "time-limit", default_value_t = 60.0)]
    pub time_limit: f64,
    /// Relative MIP gap at which the solver may stop. A difference smaller than the plans' gaps
    /// is reported as such; a smaller gap proves more (and takes longer).
    #[arg(long = "mip-gap", default_value_t = 1e-3)]
    pub mip_gap: f64,
}

/// A question about a plan, and the two plans that answer it.
struct Answer {
    /// The question as asked.
    question: String,
    /// `why_not` or `what_if`.
    kind: &'static str,
    /// What was changed, in the scenario's words (the subject of the answer's sentence).
    change: String,
    /// The workload the question is about, if any.
    focus: Option<String>,
    /// The constraint the question imposes, if any: binding kind and subject.
    imposed: Option<(&'static str, String)>,
    /// Notes on how the question was posed.
    notes: Vec<String>,
    base: Plan,
    changed: Plan,
    /// Whether the changed plan's solve started from the base plan's.
    warm_start: bool,
    /// The scenario as changed (for a forced workload: restricted to the forced provider and
    /// chip), to diagnose it when it is infeasible.
    changed_scenario: Scenario,
}

pub fn run(args: &ExplainArgs) -> anyhow::Result<ExitCode> {
    let invalid = || Ok(ExitCode::from(crate::EXIT_INVALID));
    let name = args.scenario.display().to_string();
    let text = match read_text(&args.scenario) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{name}: error: cannot read file: {e}");
            return invalid();
        }
    };
    let loaded = allot_scenario::load(&name, &text, &mut reader_beside(&args.scenario));
    print_diagnostics(&loaded.diagnostics, &loaded.files);
    let Some(scenario) = loaded.scenario else {
        return invalid();
    };
    let settings = SolveSettings {
        time_limit_s: args.time_limit,
        mip_gap: args.mip_gap,
        ..SolveSettings::default()
    };
    let start = Instant::now();
    let answer = match &args.why_not {
        Some(q) => why_not(q, &scenario, &settings),
        None => what_if(
            &args.what_if,
            &args.scenario,
            &text,
            &loaded.diagnostics,
            &scenario,
            &settings,
        ),
    };
    let mut answer = match answer {
        Ok(a) => a,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            return invalid();
        }
    };
    if answer.changed.status == SolveStatus::Infeasible && answer.changed.relaxations.is_empty() {
        answer.changed.relaxations =
            allot_plan::elastic::diagnose(&answer.changed_scenario, &settings);
    }
    let seconds = start.elapsed().as_secs_f64();
    let code = match (answer.base.status, answer.changed.status) {
        (base, changed) if base.has_solution() && changed.has_solution() => ExitCode::SUCCESS,
        (SolveStatus::Infeasible, _) | (_, SolveStatus::Infeasible) => {
            ExitCode::from(EXIT_INFEASIBLE)
        }
        _ => ExitCode::from(1),
    };
    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&to_json(&answer, seconds))?
        );
    } else {
        out!("{}", report(&answer, seconds));
    }
    Ok(code)
}

impl Answer {
    fn about(&self) -> About<'_> {
        About {
            workload: self.focus.as_deref(),
            constraint: self.imposed.as_ref().map(|(k, s)| (*k, s.as_str())),
        }
    }
}

/// Poses a `--why-not` question and solves it.
fn why_not(q: &str, scenario: &Scenario, settings: &SolveSettings) -> Result<Answer, String> {
    let text = q.trim();
    let lower = text.to_ascii_lowercase();
    let (kind, rest) = lower.split_once(' ').unwrap_or((&lower, ""));
    let rest = text[text.len() - rest.len()..].trim();
    let edited = match kind {
        "offering" if !text.contains(" on ") => Some(offering(rest, scenario)?),
        "vendor" | "provider" if rest.contains("<=") || rest.contains('≤') => {
            Some(share_cap(kind, rest, scenario)?)
        }
        _ => None,
    };
    if let Some(e) = edited {
        let (base, changed) = plan_both(scenario, &e.scenario, settings);
        return Ok(Answer {
            question: q.to_string(),
            kind: "why_not",
            change: e.change,
            focus: None,
            imposed: e.imposed,
            notes: e.notes,
            base,
            changed,
            warm_start: false,
            changed_scenario: e.scenario,
        });
    }
    let force = Force::parse(text, scenario).map_err(|e| match e {
        WhyNotError::Syntax { .. } => format!(
            "cannot read --why-not '{text}'\n  hint: ask \"RUN on PROVIDER/CHIP\" (a training run or an inference demand), \"offering OFFERING\", \"offering OFFERING >= CHIPS\", \"vendor VENDOR <= 40%\" or \"provider PROVIDER <= 40%\""
        ),
        other => other.to_string(),
    })?;
    let answer =
        allot_plan::why_not::why_not(scenario, settings, &force).map_err(|e| e.to_string())?;
    let (focus, provider, chip) = match &force {
        Force::Training {
            run,
            provider,
            chip,
        } => (run, provider, chip),
        Force::Inference {
            demand,
            provider,
            chip,
        } => (demand, provider, chip),
    };
    let place = canonical_place(scenario, provider, chip);
    // The same restriction as a scenario: the workload allowed only that provider and chip.
    let mut changed_scenario = scenario.clone();
    let f = &mut changed_scenario.file;
    let allowed = f
        .training
        .iter_mut()
        .filter(|t| t.name == *focus)
        .map(|t| (&mut t.providers, &mut t.chips))
        .chain(
            f.inference
                .iter_mut()
                .filter(|d| d.name == *focus)
                .map(|d| (&mut d.providers, &mut d.chips)),
        );
    for (providers, chips) in allowed {
        *providers = vec![provider.clone()];
        *chips = vec![chip.clone()];
    }
    let verb = match force {
        Force::Training { .. } => "onto",
        Force::Inference { .. } => "to be served only from",
    };
    Ok(Answer {
        question: q.to_string(),
        kind: "why_not",
        change: format!("Forcing {focus} {verb} {place}"),
        focus: Some(focus.clone()),
        imposed: None,
        notes: Vec::new(),
        base: answer.base.plan,
        changed: answer.forced.plan,
        warm_start: true,
        changed_scenario,
    })
}

fn canonical_place(scenario: &Scenario, provider: &str, chip: &str) -> String {
    let c = &scenario.catalog;
    format!(
        "{}/{}",
        c.provider(provider).map_or(provider, |p| p.id.as_str()),
        c.accelerator(chip).map_or(chip, |a| a.id.as_str())
    )
}

/// A scenario changed to pose a question: the scenario, the change in words, notes, and the
/// constraint imposed (binding kind and subject).
struct Edited {
    scenario: Scenario,
    change: String,
    notes: Vec<String>,
    imposed: Option<(&'static str, String)>,
}

/// `offering ID`: its provider's chip only through it; `offering ID >= N`: N chips of it held.
fn offering(rest: &str, scenario: &Scenario) -> Result<Edited, String> {
    let (id, chips) = match rest.split_once(">=").or_else(|| rest.split_once('≥')) {
        Some((id, n)) => {
            let n = n.trim().trim_end_matches("chips").trim().replace('_', "");
            let n: f64 = n.parse().map_err(|_| {
                format!("cannot read the chips in --why-not \"offering {rest}\": give a number, e.g. \"offering ID >= 10000\"")
            })?;
            if !(1.0..=1e9).contains(&n) {
                return Err(format!(
                    "--why-not \"offering {rest}\": give from 1 to 1e9 chips"
                ));
            }
            (id.trim(), Some(n.round() as u32))
        }
        None => (rest.trim(), None),
    };
    let catalog = &scenario.catalog;
    let Some(o) = catalog.offering(id) else {
        let mut msg = format!("no offering '{id}' in the scenario's catalog");
        if let Some(h) = allot_diag::did_you_mean(id, catalog.offering_ids()) {
            let _ = write!(msg, "\n  hint: {h}");
        }
        msg.push_str("\n  hint: `allot catalog offerings --scenario FILE --current` lists them");
        return Err(msg);
    };
    if !o.is_current() {
        return Err(format!(
            "offering '{}' is historical or has no price: the planner never buys it",
            o.id
        ));
    }
    let spot = o.price_model == allot_catalog::PriceModel::Spot;
    if spot && scenario.file.policy.spot.is_none() {
        return Err(format!(
            "offering '{}' is spot capacity, which the scenario does not use without [policy.spot]",
            o.id
        ));
    }
    let (oid, provider, chip) = (o.id.clone(), o.provider.clone(), o.chip.clone());
    let mut changed = scenario.clone();
    let f = &scenario.file;
    if let Some(n) = chips {
        let term = o.term_months().unwrap_or(f.scenario.horizon_months);
        changed.file.reservation.push(allot_scenario::Reservation {
            name: format!("why-not: {n} chips of {oid}"),
            offering: oid.clone(),
            chips: n,
            start: f.scenario.start,
            term_months: term,
            usd_per_chip_hour: None,
            notes: None,
        });
        let change = format!(
            "Holding {n} chips of {oid} from {} for {term} months",
            f.scenario.start
        );
        let note = format!(
            "{n} chips of {oid} are held from {} for {term} months at its price, paid whether used or not; they count against delivery ramps and the power cap",
            f.scenario.start
        );
        return Ok(Edited {
            scenario: changed,
            change,
            notes: vec![note],
            imposed: None,
        });
    }
    let held: Vec<String> = f
        .reservation
        .iter()
        .map(|r| r.offering.trim().to_ascii_lowercase())
        .collect();
    let others: Vec<String> = catalog
        .offerings()
        .iter()
        .filter(|x| {
            x.id != oid
                && x.is_current()
                && x.provider == provider
                && x.chip == chip
                && (x.price_model == allot_catalog::PriceModel::Spot) == spot
                && !held.contains(&x.id.to_ascii_lowercase())
        })
        .map(|x| x.id.clone())
        .collect();
    for id in &others {
        if let Some(x) = changed.catalog.offering_mut(id) {
            x.historical = true;
        }
    }
    let note = if others.is_empty() {
        format!("{oid} is already the only way to buy {chip} at {provider}")
    } else {
        format!(
            "withdrawn so that {chip} at {provider} is bought only through {oid}: {}",
            others.join(", ")
        )
    };
    Ok(Edited {
        scenario: changed,
        change: format!("Buying {provider}'s {chip} only through {oid}"),
        notes: vec![note],
        imposed: None,
    })
}

/// `vendor V <= S` or `provider P <= S`: a spend cap at S in every year, in place of any
/// spend cap the scenario has for it.
fn share_cap(kind: &str, rest: &str, scenario: &Scenario) -> Result<Edited, String> {
    let (name, share) = rest
        .split_once("<=")
        .or_else(|| rest.split_once('≤'))
        .unwrap_or((rest, ""));
    let (name, share) = (name.trim(), share.trim());
    let value = match share.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|x| x / 100.0),
        None => share.parse::<f64>(),
    };
    let share = match value {
        Ok(s) if (0.0..=1.0).contains(&s) => s,
        _ => {
            return Err(format!(
                "cannot read the share '{share}' in --why-not \"{kind} {rest}\": give a percentage such as 40% or a fraction such as 0.4"
            ));
        }
    };
    let catalog = &scenario.catalog;
    let mut changed = scenario.clone();
    let basis = allot_scenario::ShareBasis::Spend;
    let id = if kind == "vendor" {
        let vendors = catalog.vendors();
        let Some(v) = vendors.iter().find(|v| v.eq_ignore_ascii_case(name)) else {
            return Err(unknown(kind, name, vendors.iter().copied()));
        };
        let caps = &mut changed.file.policy.vendor_cap;
        caps.retain(|c| !(c.vendor.eq_ignore_ascii_case(v) && c.basis == basis));
        caps.push(allot_scenario::VendorCap {
            vendor: v.to_string(),
            max_share: share,
            basis,
            start: None,
            end: None,
        });
        v.to_string()
    } else {
        let Some(p) = catalog.provider(name) else {
            return Err(unknown(
                kind,
                name,
                catalog.providers().iter().map(|p| p.id.as_str()),
            ));
        };
        let caps = &mut changed.file.policy.provider_cap;
        caps.retain(|c| {
            !(catalog.provider(&c.provider).is_some_and(|x| x.id == p.id) && c.basis == basis)
        });
        caps.push(allot_scenario::ProviderCap {
            provider: p.id.clone(),
            max_share: share,
            basis,
            start: None,
            end: None,
        });
        p.id.clone()
    };
    let pct = share * 100.0;
    Ok(Edited {
        scenario: changed,
        change: format!("Capping {id}'s share of compute spend at {pct:.4}% in every year")
            .replace(".0000%", "%"),
        notes: vec![
            format!(
                "a spend cap of {pct:.4}% on {kind} {id} for every year replaces any spend cap the scenario has for it"
            )
            .replace(".0000%", "%"),
        ],
        imposed: Some((
            if kind == "vendor" {
                "vendor_cap"
            } else {
                "provider_cap"
            },
            id,
        )),
    })
}

fn unknown<'a>(kind: &str, name: &str, known: impl Iterator<Item = &'a str> + Clone) -> String {
    let mut msg = format!("no {kind} '{name}' in the scenario's catalog");
    if let Some(h) = allot_diag::did_you_mean(name, known.clone()) {
        let _ = write!(msg, "\n  hint: {h}");
    }
    let _ = write!(
        msg,
        "\n  hint: {kind}s: {}",
        known.collect::<Vec<_>>().join(", ")
    );
    msg
}

/// Applies `--what-if` edits to the scenario's text, loads the result, and plans both.
fn what_if(
    edits: &[String],
    path: &Path,
    text: &str,
    base_diagnostics: &[allot_diag::Diagnostic],
    scenario: &Scenario,
    settings: &SolveSettings,
) -> Result<Answer, String> {
    let mut edited = text.to_string();
    let mut changes = Vec::new();
    let mut in_place = true;
    for w in edits {
        let Some((key, value)) = w.split_once('=') else {
            return Err(format!(
                "cannot read --what-if '{w}': expected KEY=VALUE\n  hint: e.g. --what-if policy.vendor_cap[nvidia].max_share=0.5"
            ));
        };
        let e = allot_scenario::edit::set_path(&edited, key.trim(), value.trim())
            .map_err(|e| format!("--what-if '{w}': {e}"))?;
        changes.push(match &e.old {
            Some(old) => format!("{} = {} (was {})", e.path, short(&e.new), short(old)),
            None => format!("{} = {} (not set before)", e.path, short(&e.new)),
        });
        in_place &= e.in_place;
        edited = e.text;
    }
    let name = path.display().to_string();
    // Diagnostics of an edit made in place point at the file's own lines; otherwise at the
    // rewritten copy, which is named as such.
    let shown = if in_place {
        name.clone()
    } else {
        format!("{name} (as changed by --what-if)")
    };
    let loaded = allot_scenario::load(&shown, &edited, &mut reader_beside(path));
    let fresh: Vec<allot_diag::Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error() || !base_diagnostics.iter().any(|b| b.message == d.message))
        .cloned()
        .collect();
    print_diagnostics(&fresh, &loaded.files);
    let Some(changed) = loaded.scenario else {
        return Err(format!(
            "the scenario with {} is not valid (see above)",
            changes.join(", ")
        ));
    };
    let (base, planned) = plan_both(scenario, &changed, settings);
    Ok(Answer {
        question: edits.join(" "),
        kind: "what_if",
        change: format!("Setting {}", changes.join(" and ")),
        focus: None,
        imposed: None,
        notes: Vec::new(),
        base,
        changed: planned,
        warm_start: false,
        changed_scenario: changed,
    })
}

/// A value for a sentence: long ones cut short.
fn short(value: &str) -> String {
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if value.chars().count() <= 48 {
        value
    } else {
        format!("{}...", value.chars().take(45).collect::<String>())
    }
}

/// Plans and explains two scenarios at once, one per thread.
fn plan_both(base: &Scenario, changed: &Scenario, settings: &SolveSettings) -> (Plan, Plan) {
    std::thread::scope(|s| {
        let b = s.spawn(|| allot_plan::plan_explained(base, settings).plan);
        let c = allot_plan::plan_explained(changed, settings).plan;
        (b.join().expect("planner thread"), c)
    })
}

fn solved(p: &Plan) -> bool {
    p.status.has_solution()
}

/// The answer in one sentence.
fn sentence(a: &Answer, reasons: &[Reason]) -> String {
    let (b, c) = (&a.base, &a.changed);
    if !solved(b) {
        return format!(
            "The scenario itself has no plan ({}: {}), so there is nothing to compare; `allot plan` says more.",
            b.status, b.status_message
        );
    }
    if c.status == SolveStatus::Infeasible {
        return format!(
            "{} makes the scenario infeasible: no plan meets every constraint then.",
            a.change
        );
    }
    if !solved(c) {
        return format!("{} leaves no plan: {}.", a.change, c.status_message);
    }
    let d = c.objective_usd - b.objective_usd;
    let gap = b.mip_gap.max(c.mip_gap) * b.objective_usd.abs();
    let rel = match d / b.objective_usd * 100.0 {
        r if r.is_finite() && r.abs() >= 0.005 => format!(", {r:+.2}%"),
        _ => String::new(),
    };
    let mut totals = format!(
        "discounted cost {} -> {}{rel}; undiscounted in the horizon: {}",
        money(b.objective_usd),
        money(c.objective_usd),
        match signed_money(c.total_cost_usd - b.total_cost_usd).as_str() {
            "$0" => "unchanged".to_string(),
            d => d.to_string(),
        }
    );
    if gap > 0.1 * d.abs() && d.abs() > gap.max(0.5) {
        let _ = write!(totals, "; give or take {}, the solver's gap", money(gap));
    }
    let mut s = if d.abs() <= 0.5_f64.max(1e-9 * b.objective_usd.abs()) {
        format!("{} does not change the cost ({totals})", a.change)
    } else if d.abs() <= gap {
        format!(
            "{} costs nothing more to within the solver's gap of {} ({totals})",
            a.change,
            money(gap)
        )
    } else if d > 0.0 {
        format!("{} costs {} more ({totals})", a.change, money(d))
    } else {
        format!("{} saves {} ({totals})", a.change, money(-d))
    };
    // The workload asked about, then the largest amounts that push the same way.
    let because: Vec<&str> = reasons
        .iter()
        .filter(|r| {
            r.kind == "workload"
                || (r.kind != "constraint"
                    && r.amount_usd * d > 0.0
                    && r.amount_usd.abs() >= 0.05 * d.abs())
        })
        .take(3)
        .map(|r| r.message.as_str())
        .collect();
    if !because.is_empty() && d.abs() > gap.max(0.5) {
        let _ = write!(s, ", because {}", because.join("; "));
    }
    s.push('.');
    if let Some(r) = reasons.iter().find(|r| r.kind == "constraint") {
        match r.message.strip_prefix("binds harder: ") {
            // Within the gap, a shadow price that moved says nothing about the change.
            Some(_) if d.abs() <= gap.max(0.5) => {}
            Some(m) => {
                let _ = write!(s, " What binds harder: {m}.");
            }
            None => {
                let mut text = r.message.chars();
                if let Some(first) = text.next() {
                    let _ = write!(s, " {}{}.", first.to_uppercase(), text.as_str());
                }
            }
        }
    }
    s
}

fn report(a: &Answer, seconds: f64) -> String {
    let mut out = String::new();
    let label = if a.kind == "why_not" {
        "why not"
    } else {
        "what if"
    };
    let _ = writeln!(out, "{label}: {}", a.question);
    for n in &a.notes {
        let _ = writeln!(out, "  ({n})");
    }
    let reasons = if solved(&a.base) && solved(&a.changed) {
        plan_diff::reasons(&a.base, &a.changed, &a.about())
    } else {
        Vec::new()
    };
    let _ = writeln!(out, "\n{}", sentence(a, &reasons));
    if a.changed.status == SolveStatus::Infeasible && solved(&a.base) {
        for u in &a.changed.unplaceable {
            let _ = writeln!(out, "  {u}");
        }
        if !a.changed.relaxations.is_empty() {
            let _ = writeln!(out, "\nEach of these would make it feasible again:");
            for r in &a.changed.relaxations {
                let msgs: Vec<&str> = r.changes.iter().map(|c| c.message.as_str()).collect();
                let _ = writeln!(out, "  - {}", msgs.join("; and "));
            }
        }
    }
    if !(solved(&a.base) && solved(&a.changed)) {
        return out;
    }
    if !reasons.is_empty() {
        let d = a.changed.objective_usd - a.base.objective_usd;
        let gap = a.base.mip_gap.max(a.changed.mip_gap) * a.base.objective_usd.abs();
        let title = if d.abs() <= gap.max(0.5) {
            "What changes at (nearly) the same cost: the least-cost plan is not unique"
        } else {
            "What makes up the difference"
        };
        let _ = writeln!(out, "\n{title}:");
        for r in &reasons {
            let _ = writeln!(out, "  - {}", r.message);
        }
    }
    let moved = plan_diff::moved(&a.base, &a.changed, a.focus.as_deref());
    let _ = writeln!(out, "\nWhat else moved:");
    if moved.is_empty() {
        let _ = writeln!(out, "  nothing else");
    }
    for m in &moved {
        let _ = writeln!(out, "  - {m}");
    }
    let column = if a.kind == "why_not" {
        "FORCED"
    } else {
        "CHANGED"
    };
    let _ = writeln!(out);
    out.push_str(&plan_diff::side_by_side(&a.base, &a.changed, column));
    let _ = writeln!(
        out,
        "\nsolved both plans in {seconds:.2} s{}",
        if a.warm_start {
            " (the forced plan warm-started from the base plan)"
        } else {
            ""
        }
    );
    out
}

/// `allot explain --json`: the comparison as a stable wire format.
#[derive(Serialize)]
struct ExplainJson<'a> {
    question: &'a str,
    kind: &'a str,
    change: &'a str,
    notes: &'a [String],
    answer: String,
    difference: Difference,
    reasons: Vec<Reason>,
    moved: Vec<String>,
    base: Side<'a>,
    changed: Side<'a>,
    seconds: f64,
    warm_start: bool,
}

#[derive(Serialize)]
struct Difference {
    objective_usd: f64,
    total_cost_usd: f64,
}

/// One plan, summarised.
#[derive(Serialize)]
struct Side<'a> {
    status: &'a str,
    status_message: &'a str,
    objective_usd: f64,
    total_cost_usd: f64,
    mip_gap: f64,
    cost_by_year: &'a std::collections::BTreeMap<String, f64>,
    cost_by_provider: &'a std::collections::BTreeMap<String, f64>,
    cost_by_vendor: &'a std::collections::BTreeMap<String, f64>,
    vendor_share: &'a std::collections::BTreeMap<String, f64>,
    training: Vec<TrainingJson<'a>>,
    serving: Vec<ServingJson<'a>>,
    shortfall_usd: std::collections::BTreeMap<&'a str, f64>,
    unplaceable: &'a [String],
    explanations: &'a [allot_plan::plan::Binding],
    relaxations: &'a [allot_plan::plan::Relaxation],
}

#[derive(Serialize)]
struct TrainingJson<'a> {
    name: &'a str,
    provider: &'a str,
    chip: &'a str,
    chips: f64,
    start: &'a str,
    finish: &'a str,
    chip_hours: f64,
}

#[derive(Serialize)]
struct ServingJson<'a> {
    name: &'a str,
    mix: &'a [allot_plan::plan::ServingShare],
}

impl<'a> From<&'a Plan> for Side<'a> {
    fn from(p: &'a Plan) -> Self {
        Side {
            status: p.status.as_str(),
            status_message: &p.status_message,
            objective_usd: p.objective_usd,
            total_cost_usd: p.total_cost_usd,
            mip_gap: p.mip_gap,
            cost_by_year: &p.cost_by_year,
            cost_by_provider: &p.cost_by_provider,
            cost_by_vendor: &p.cost_by_vendor,
            vendor_share: &p.vendor_share,
            training: p
                .training
                .iter()
                .map(|t| TrainingJson {
                    name: &t.name,
                    provider: &t.provider,
                    chip: &t.chip,
                    chips: t.chips,
                    start: &t.start,
                    finish: &t.finish,
                    chip_hours: t.chip_hours,
                })
                .collect(),
            serving: p
                .inference
                .iter()
                .map(|d| ServingJson {
                    name: &d.name,
                    mix: &d.mix,
                })
                .collect(),
            shortfall_usd: p
                .commitments
                .iter()
                .map(|c| (c.name.as_str(), c.shortfall_usd))
                .collect(),
            unplaceable: &p.unplaceable,
            explanations: &p.explanations,
            relaxations: &p.relaxations,
        }
    }
}

fn to_json(a: &Answer, seconds: f64) -> ExplainJson<'_> {
    let both = solved(&a.base) && solved(&a.changed);
    let reasons = if both {
        plan_diff::reasons(&a.base, &a.changed, &a.about())
    } else {
        Vec::new()
    };
    ExplainJson {
        question: &a.question,
        kind: a.kind,
        change: &a.change,
        notes: &a.notes,
        answer: sentence(a, &reasons),
        difference: Difference {
            objective_usd: a.changed.objective_usd - a.base.objective_usd,
            total_cost_usd: a.changed.total_cost_usd - a.base.total_cost_usd,
        },
        moved: if both {
            plan_diff::moved(&a.base, &a.changed, a.focus.as_deref())
        } else {
            Vec::new()
        },
        reasons,
        base: Side::from(&a.base),
        changed: Side::from(&a.changed),
        seconds,
        warm_start: a.warm_start,
    }
}
