//! `allot risk`: sample the scenario's `[[uncertainty]]` entries, re-plan every sample in
//! parallel, and print the quantiles of total cost, cumulative loss and funding gap with the
//! sensitivity ranking. A progress bar on a terminal, plain log lines otherwise.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

use allot_finance::RiskSettings;
use allot_plan::SolveSettings;
use allot_plan::replan;
use allot_present::{risk, risk_shard};
use anyhow::Context;
use clap::Args;

use crate::exit::Exit;
use crate::files::{load_scenario, read_text};

/// Arguments of `allot risk`.
#[derive(Debug, Args)]
pub struct RiskArgs {
    /// The scenario file (with [[uncertainty]] entries).
    pub scenario: PathBuf,
    /// Samples to draw and re-plan.
    #[arg(long, default_value_t = 100)]
    pub samples: usize,
    /// Seed: the same seed gives the same report whatever the thread count.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (default: one per core; at most 256: more only wait for the 2-64 cores a
    /// machine has, and 100,000 used to start thousands of threads and hang).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=256))]
    pub threads: u16,
    /// How each sample is re-planned. `fixed` (default): a recourse plan, the placements of the
    /// plan as written kept and everything else (capacity, serving, cluster sizes) re-optimised;
    /// when they no longer fit, the placements of the first stress plan that fits (each input
    /// alone at its P10, P90 and P99), then a re-plan. `warm`: a full plan of each sample, its
    /// LP relaxation started from the optimal basis of the scenario as written. `cold`: a full
    /// plan from scratch.
    #[arg(long, value_parser = ["fixed", "warm", "cold"], default_value = "fixed")]
    pub replan: String,
    /// Skip the one-at-a-time swing (two extra plans per uncertain input).
    #[arg(long = "no-swing")]
    pub no_swing: bool,
    /// Time limit of the whole run, seconds: every plan draws from one deadline, and samples
    /// left when it passes are not planned (reported as stopped by the time limit).
    #[arg(long = "time-limit", default_value_t = 60.0)]
    pub time_limit: f64,
    /// Relative MIP gap at which the solver may stop (1% by default: the inputs' spread is far
    /// wider, and a tighter gap can cost a branch and bound per sample).
    #[arg(long = "mip-gap", default_value_t = 1e-2)]
    pub mip_gap: f64,
    /// Print the report as JSON (with every sample).
    #[arg(long)]
    pub json: bool,
    /// Make only shard K of N (K from 0) of the samples and write them to --out FILE: what
    /// each task of a split run does.
    #[arg(long, value_name = "K/N", value_parser = risk_shard::parse_shard, requires = "out")]
    pub shard: Option<(usize, usize)>,
    /// Split the samples over a Slurm job array of N tasks (sbatch --wait, to the cluster
    /// SLURM_CONF names), then merge the shards: the report of a run on one machine.
    #[arg(long = "slurm-array", value_name = "N", conflicts_with_all = ["shard", "indexed_job", "merge"])]
    pub slurm_array: Option<u16>,
    /// Write a Kubernetes Indexed Job of N pods making the shards instead (docs/finance.md).
    #[arg(long = "indexed-job", value_name = "N", conflicts_with_all = ["shard", "merge"])]
    pub indexed_job: Option<u16>,
    /// The Indexed Job's container image.
    #[arg(long, default_value = "allot", requires = "indexed_job")]
    pub image: String,
    /// Report from the shard files (shard-K.json) in FOLDER, made by a split run.
    #[arg(long, value_name = "FOLDER", conflicts_with = "shard")]
    pub merge: Option<PathBuf>,
    /// The shard file (--shard), or the folder of a split run's files (default risk-shards).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: &RiskArgs) -> anyhow::Result<Exit> {
    let Some(scenario) = load_scenario(&args.scenario) else {
        return Ok(Exit::Invalid);
    };
    if scenario.file.uncertainty.is_empty() {
        eprintln!(
            "{}: error: no [[uncertainty]] entries to sample; docs/finance.md shows how to write them",
            args.scenario.display()
        );
        return Ok(Exit::Invalid);
    }
    let solve = SolveSettings {
        time_limit_s: args.time_limit,
        deadline: allot_plan::solver::Deadline::after(args.time_limit),
        mip_gap: args.mip_gap,
        ..SolveSettings::default()
    };
    solve.check()?;
    let method = replan::Method::parse(&args.replan).unwrap_or_default();
    let stress = match method {
        replan::Method::Fixed => allot_finance::stress_scenarios(&scenario)?,
        _ => Vec::new(),
    };
    let replanner = replan::replanner(
        method,
        &scenario,
        &solve,
        &stress,
        usize::from(args.threads),
    )?;
    let settings = RiskSettings {
        samples: args.samples,
        seed: args.seed,
        threads: usize::from(args.threads),
        swing: !args.no_swing,
    };
    let started = Instant::now();
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} [{bar:40}] {pos}/{len} plans, {elapsed} elapsed, ~{eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message("risk");
        bar
    });
    let logged = Mutex::new(0usize);
    let progress = |done: usize, total: usize| match &bar {
        Some(bar) => {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
        None => {
            // Plain lines at every tenth, for logs.
            let step = total.div_ceil(10).max(1);
            let mut last = logged.lock().unwrap_or_else(|e| e.into_inner());
            if done == total || done >= *last + step {
                *last = done;
                eprintln!(
                    "risk: {done}/{total} plans, {:.1} s",
                    started.elapsed().as_secs_f64()
                );
            }
        }
    };
    let inputs = allot_finance::inputs(&scenario)?
        .into_iter()
        .map(|i| i.name);
    let shard_run = risk_shard::ShardRun {
        scenario: scenario.file.scenario.name.clone(),
        seed: args.seed,
        samples: args.samples,
        replan: args.replan.clone(),
        inputs: inputs.collect(),
    };
    if let (Some((k, n)), Some(out)) = (args.shard, &args.out) {
        let range = risk_shard::shard_range(args.samples, k, n);
        let samples = allot_finance::run_shard(&scenario, &replanner, &settings, range, &progress)?;
        let json = serde_json::to_string_pretty(&risk_shard::to_json(&shard_run, k, n, &samples))?;
        std::fs::write(out, json).with_context(|| format!("cannot write {}", out.display()))?;
        return Ok(Exit::Success);
    }
    let report = match split(args, &shard_run.scenario)? {
        Some(folder) => {
            let mut files = Vec::new();
            for entry in std::fs::read_dir(&folder).context(folder.display().to_string())? {
                let path = entry?.path();
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default();
                if name.starts_with("shard-") && name.ends_with(".json") {
                    let text =
                        read_text(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                    files.push((path.display().to_string(), text));
                }
            }
            files.sort();
            // Shard files are named by whoever wrote the folder: no control character in
            // their names reaches the terminal.
            let merged = risk_shard::merge(&shard_run, &files).map_err(|e| {
                eprintln!(
                    "{}",
                    allot_diag::escape_control(&format!("error: {e}"), true)
                );
            });
            let Ok(merged) = merged else {
                return Ok(Exit::Invalid);
            };
            for cut in &merged.cut_short {
                eprintln!(
                    "{}",
                    allot_diag::escape_control(&format!("warning: {cut}"), true)
                );
            }
            let samples = merged.samples;
            allot_finance::merge_shards(&scenario, &replanner, &settings, samples, &progress)?
        }
        None if args.indexed_job.is_some() => return Ok(Exit::Success),
        None => allot_finance::run_risk(&scenario, &replanner, &settings, &progress)?,
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let name = &scenario.file.scenario.name;
    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&risk::to_json(name, args.seed, &report))?
        );
    } else {
        let threads = if usize::from(args.threads) == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            usize::from(args.threads)
        };
        let seconds = started.elapsed().as_secs_f64();
        out!("{}", risk::text(name, args.seed, threads, &report, seconds));
    }
    Ok(Exit::Success)
}

/// `--slurm-array N`: writes the array's script to --out, submits it, waits for it and returns
/// the folder to merge. `--indexed-job N`: writes the Job's manifest (`None`). Else `--merge`.
fn split(args: &RiskArgs, name: &str) -> anyhow::Result<Option<PathBuf>> {
    let Some(shards) = args.slurm_array.or(args.indexed_job).map(usize::from) else {
        return Ok(args.merge.clone());
    };
    anyhow::ensure!(
        (1..=args.samples).contains(&shards),
        "--slurm-array/--indexed-job {shards}: between 1 and --samples ({})",
        args.samples
    );
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("risk-shards"));
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    // Slurm tasks get absolute paths; the pods see the folder they were written from at /data.
    let kubernetes = args.indexed_job.is_some();
    let path = |p: &Path| match kubernetes {
        true => p.display().to_string(),
        false => {
            std::path::absolute(p).map_or(p.display().to_string(), |a| a.display().to_string())
        }
    };
    let mut task = vec!["risk".to_string(), path(&args.scenario)];
    task.extend([
        format!("--samples={}", args.samples),
        format!("--seed={}", args.seed),
        format!("--replan={}", args.replan),
        format!("--time-limit={}", args.time_limit),
        format!("--mip-gap={}", args.mip_gap),
        format!("--threads={}", args.threads),
    ]);
    if crate::files::ALLOW_OUTSIDE.load(std::sync::atomic::Ordering::Relaxed) {
        task.push("--allow-outside".to_string());
    }
    let split = allot_export::RiskSplit {
        name: name.to_string(),
        program: match kubernetes {
            true => "allot".to_string(),
            false => std::env::current_exe()?.display().to_string(),
        },
        args: task,
        out: path(&out),
        shards,
    };
    let file = match kubernetes {
        true => allot_export::risk_indexed_job(&split, &args.image),
        false => allot_export::risk_slurm_array(&split),
    };
    let written = out.join(&file.path);
    std::fs::write(&written, &file.contents)
        .with_context(|| format!("cannot write {}", written.display()))?;
    eprintln!("wrote {}", written.display());
    if kubernetes {
        return Ok(None);
    }
    if let Some(k) = (0..shards).find(|&k| out.join(allot_export::shard_file(k)).exists()) {
        anyhow::bail!(
            "{} already holds {}: choose an empty --out",
            out.display(),
            allot_export::shard_file(k)
        );
    }
    let sbatch = Command::new("sbatch")
        .args(["--wait", "--parsable", &file.path])
        .current_dir(&out)
        .output()
        .context("cannot run sbatch: is slurm-client installed and on PATH?")?;
    let said = String::from_utf8_lossy(&sbatch.stderr);
    anyhow::ensure!(
        sbatch.status.success(),
        "sbatch {}: {}",
        written.display(),
        said.trim()
    );
    Ok(Some(out))
}
