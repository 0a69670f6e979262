//! `allot plan`: solve a scenario and print, save and explain the plan.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use allot_plan::{Plan, SolveSettings, SolveStatus};
use anyhow::Context;

use crate::cli::PlanArgs;
use crate::files::load_scenario;
use crate::table::{Align, Table, num};

/// Exit code when the scenario is infeasible.
pub const EXIT_INFEASIBLE: u8 = 3;

pub fn run(args: &PlanArgs) -> anyhow::Result<ExitCode> {
    let Some(scenario) = load_scenario(&args.scenario) else {
        return Ok(ExitCode::from(crate::EXIT_INVALID));
    };
    // Checked before the solve, which may take minutes.
    let dump = match &args.dump_model {
        Some(path) => Some((path, dump_format(path)?)),
        None => None,
    };
    let settings = SolveSettings {
        time_limit_s: args.time_limit,
        mip_gap: args.mip_gap,
        threads: 1,
        log: args.solver_log,
        presolve: args.presolve == "on",
        lp_first: args.method == "lp-first",
        ranging: false,
    };
    // The solver's own log, when asked for, takes the terminal instead.
    let spinner = (!args.solver_log).then(crate::progress::spinner).flatten();
    let outcome = match args.objective.as_str() {
        "min-vendor-share" => {
            allot_plan::plan_min_vendor_share(&scenario, &settings, args.within / 100.0, 10)
        }
        "earliest" => allot_plan::plan_earliest(&scenario, &settings, args.within / 100.0),
        _ if args.explain => allot_plan::plan_explained(&scenario, &settings),
        _ => allot_plan::plan(&scenario, &settings),
    };
    if let Some((path, format)) = &dump {
        let text = match format {
            DumpFormat::Lp => outcome.model.write_lp(),
            DumpFormat::Mps => outcome.model.write_mps(),
        };
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let mut outcome = outcome;
    if outcome.plan.status == SolveStatus::Infeasible {
        outcome.plan.relaxations = allot_plan::elastic::diagnose(&scenario, &settings);
    }
    drop(spinner);
    let plan = &outcome.plan;
    let plan_json = crate::finance_cmd::plan_json(&scenario, plan)?;
    if let Some(dir) = &args.out {
        write_out(plan, &plan_json, dir)?;
    }
    if args.json {
        outln!("{plan_json}");
    } else {
        out!("{}", summary(plan, &outcome));
        out!("{}", explanations(plan));
        if let Ok(statement) = allot_finance::project(&scenario, plan) {
            out!("{}", crate::finance_cmd::summary(&statement));
        }
    }
    Ok(match plan.status {
        SolveStatus::Optimal | SolveStatus::Feasible => ExitCode::SUCCESS,
        SolveStatus::Infeasible => ExitCode::from(EXIT_INFEASIBLE),
        _ => ExitCode::from(1),
    })
}

/// The file formats `--dump-model` writes.
enum DumpFormat {
    Lp,
    Mps,
}

/// The format of a `--dump-model` path, from its extension.
fn dump_format(path: &Path) -> anyhow::Result<DumpFormat> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext.eq_ignore_ascii_case("lp") {
        Ok(DumpFormat::Lp)
    } else if ext.eq_ignore_ascii_case("mps") {
        Ok(DumpFormat::Mps)
    } else {
        anyhow::bail!(
            "--dump-model {}: the file name must end in .lp (CPLEX LP) or .mps (free MPS)",
            path.display()
        )
    }
}

/// The explanations section: what binds and what it costs, then (for an infeasible plan) the
/// relaxations that would make it feasible.
pub fn explanations(plan: &Plan) -> String {
    let mut out = String::new();
    if !plan.explanations.is_empty() {
        let _ = writeln!(
            out,
            "\nWHAT BINDS AND WHAT IT COSTS (a shadow price each: the rate at which the discounted cost falls as the limit is relaxed)"
        );
        const SHOWN: usize = 15;
        for (i, b) in plan.explanations.iter().take(SHOWN).enumerate() {
            let _ = writeln!(out, "{:>3}. {}", i + 1, b.message);
        }
        if plan.explanations.len() > SHOWN {
            let _ = writeln!(
                out,
                "     ... and {} more, smaller (all in --json's \"explanations\")",
                plan.explanations.len() - SHOWN
            );
        }
    }
    if !plan.relaxations.is_empty() {
        let _ = writeln!(
            out,
            "\nWHY IT IS INFEASIBLE: any one of these would make it feasible"
        );
        for (i, r) in plan.relaxations.iter().enumerate() {
            let changes: Vec<&str> = r.changes.iter().map(|c| c.message.as_str()).collect();
            let _ = writeln!(
                out,
                "{:>3}. {} (the plan would then cost {} discounted)",
                i + 1,
                changes.join("; and "),
                money(r.objective_usd)
            );
        }
    }
    out
}

/// `$12.3B`, `$450.0M`, `$12.3k`.
pub fn money(x: f64) -> String {
    let a = x.abs();
    let sign = if x < 0.0 { "-" } else { "" };
    if a >= 1e9 {
        format!("{sign}${:.2}B", a / 1e9)
    } else if a >= 1e6 {
        format!("{sign}${:.2}M", a / 1e6)
    } else if a >= 1e3 {
        format!("{sign}${:.1}k", a / 1e3)
    } else {
        format!("{sign}${a:.0}")
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn summary(plan: &Plan, outcome: &allot_plan::Outcome) -> String {
    let mut out = String::new();
    let t = &outcome.timings;
    let _ = writeln!(
        out,
        "scenario '{}': {}\n{} variables, {} constraints; build {:.2} s, solve {:.2} s, extract {:.2} s",
        plan.scenario,
        plan.status_message,
        outcome.size.0,
        outcome.size.1,
        t.build.as_secs_f64(),
        t.solve.as_secs_f64(),
        t.extract.as_secs_f64()
    );
    if !plan.unplaceable.is_empty() {
        out.push('\n');
        for u in &plan.unplaceable {
            let _ = writeln!(out, "  {u}");
        }
    }
    if !plan.status.has_solution() {
        return out;
    }
    let _ = writeln!(
        out,
        "\ntotal cost {} to {}: {} (discounted objective {})\n",
        plan.periods.first().cloned().unwrap_or_default(),
        plan.periods.last().cloned().unwrap_or_default(),
        money(plan.total_cost_usd),
        money(plan.objective_usd)
    );
    let mut years = Table::new(&[("YEAR", Align::Left), ("COST", Align::Right)]);
    for (y, c) in &plan.cost_by_year {
        years.row(vec![y.clone(), money(*c)]);
    }
    out.push_str(&years.render());
    out.push('\n');
    let mut prov = Table::new(&[
        ("PROVIDER", Align::Left),
        ("COST", Align::Right),
        ("COMPUTE SHARE", Align::Right),
    ]);
    for (p, c) in &plan.cost_by_provider {
        prov.row(vec![
            p.clone(),
            money(*c),
            pct(plan.provider_share.get(p).copied().unwrap_or(0.0)),
        ]);
    }
    out.push_str(&prov.render());
    out.push('\n');
    let mut vend = Table::new(&[
        ("VENDOR", Align::Left),
        ("COST", Align::Right),
        ("COMPUTE SHARE", Align::Right),
    ]);
    for (v, c) in &plan.cost_by_vendor {
        vend.row(vec![
            v.clone(),
            money(*c),
            pct(plan.vendor_share.get(v).copied().unwrap_or(0.0)),
        ]);
    }
    out.push_str(&vend.render());
    out.push('\n');
    let mut chips = Table::new(&[("ACCELERATOR", Align::Left), ("COST", Align::Right)]);
    for (v, c) in &plan.cost_by_chip {
        chips.row(vec![v.clone(), money(*c)]);
    }
    out.push_str(&chips.render());
    if !plan.training.is_empty() {
        out.push('\n');
        let mut t = Table::new(&[
            ("TRAINING RUN", Align::Left),
            ("PROVIDER", Align::Left),
            ("CHIP", Align::Left),
            ("MAX CHIPS", Align::Right),
            ("START", Align::Left),
            ("FINISH", Align::Left),
            ("CHIP-HOURS", Align::Right),
        ]);
        for r in &plan.training {
            t.row(vec![
                r.name.clone(),
                r.provider.clone(),
                r.chip.clone(),
                num(Some(r.chips), 0),
                r.start.clone(),
                r.finish.clone(),
                format!("{:.3e}", r.chip_hours),
            ]);
        }
        out.push_str(&t.render());
    }
    if !plan.inference.is_empty() {
        out.push('\n');
        let mut t = Table::new(&[
            ("INFERENCE DEMAND", Align::Left),
            ("TOKENS", Align::Right),
            ("SERVING MIX (share of tokens)", Align::Left),
        ]);
        for d in &plan.inference {
            let mix: Vec<String> = d
                .mix
                .iter()
                .take(4)
                .map(|m| format!("{}/{} {}", m.provider, m.chip, pct(m.token_share)))
                .collect();
            t.row(vec![
                d.name.clone(),
                format!("{:.3e}", d.tokens),
                mix.join(", "),
            ]);
        }
        out.push_str(&t.render());
    }
    if !plan.commitments.is_empty() {
        out.push('\n');
        let mut t = Table::new(&[
            ("COMMITMENT", Align::Left),
            ("PROVIDER", Align::Left),
            ("IN HORIZON", Align::Right),
            ("SPEND", Align::Right),
            ("UTILISATION", Align::Right),
            ("SHORTFALL PAID", Align::Right),
        ]);
        for c in &plan.commitments {
            t.row(vec![
                c.name.clone(),
                c.provider.clone(),
                money(c.obligation_usd),
                money(c.spend_usd),
                pct(c.utilisation),
                money(c.shortfall_usd),
            ]);
        }
        out.push_str(&t.render());
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn write_out(plan: &Plan, plan_json: &str, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let write = |name: &str, body: String| -> anyhow::Result<()> {
        let path = dir.join(name);
        std::fs::write(&path, body).with_context(|| format!("writing {}", path.display()))
    };
    write("plan.json", format!("{plan_json}\n"))?;
    let mut cap = String::from(
        "offering,provider,chip,period,chips,reserved_chips,usd_per_chip_hour,cost_usd\n",
    );
    for c in &plan.capacity {
        let _ = writeln!(
            cap,
            "{},{},{},{},{},{},{},{}",
            csv_field(&c.offering),
            c.provider,
            c.chip,
            c.period,
            c.chips,
            c.reserved_chips,
            c.usd_per_chip_hour,
            c.cost_usd
        );
    }
    write("capacity.csv", cap)?;
    let mut tr = String::from("name,provider,chip,period,chips\n");
    for r in &plan.training {
        for (p, x) in &r.chips_by_period {
            let _ = writeln!(
                tr,
                "{},{},{},{},{}",
                csv_field(&r.name),
                r.provider,
                r.chip,
                p,
                x
            );
        }
    }
    write("training.csv", tr)?;
    let mut inf = String::from("name,provider,chip,period,chips\n");
    for d in &plan.inference {
        for c in &d.chips_by_period {
            let _ = writeln!(
                inf,
                "{},{},{},{},{}",
                csv_field(&d.name),
                c.provider,
                c.chip,
                c.period,
                c.chips
            );
        }
    }
    write("inference.csv", inf)?;
    let mut costs = String::from("period,cost_usd\n");
    for (p, c) in plan.periods.iter().zip(&plan.cost_by_period) {
        let _ = writeln!(costs, "{p},{c}");
    }
    write("costs.csv", costs)?;
    let mut com =
        String::from("name,provider,obligation_usd,spend_usd,shortfall_usd,utilisation\n");
    for c in &plan.commitments {
        let _ = writeln!(
            com,
            "{},{},{},{},{},{}",
            csv_field(&c.name),
            c.provider,
            c.obligation_usd,
            c.spend_usd,
            c.shortfall_usd,
            c.utilisation
        );
    }
    write("commitments.csv", com)
}
