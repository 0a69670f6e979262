//! `allot export PLAN.json --to skypilot|kubernetes|kueue|slurm --out DIR`: write the files
//! that hand a plan to a scheduler, and with `--submit` submit Slurm scripts with `sbatch`.

use std::path::{Path, PathBuf};
use std::process::Command;

use allot_export::{ExportError, Gres, Settings, Target};
use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use crate::exit::Exit;
use crate::files::{load_scenario, read_text};

/// Arguments of `allot export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The plan, as written by `allot plan --json` or `--out` (plan.json).
    pub plan: PathBuf,
    /// What to write for.
    #[arg(long, value_enum)]
    pub to: TargetArg,
    /// Folder to write the files into (created when missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The scenario the plan was made for: use its catalog (its catalog files and price
    /// overrides) instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Size serving and Kueue quotas for this period, e.g. 2027-03 (default: each serving
    /// pool's peak, and the plan's peak period for Kueue quotas).
    #[arg(long)]
    pub period: Option<String>,
    /// The command every job runs (default: a stand-in that prints the plan line).
    #[arg(long)]
    pub command: Option<String>,
    /// Container image of Kubernetes workloads.
    #[arg(long, default_value = "busybox:1.36")]
    pub image: String,
    /// Slurm GRES of a chip, CHIP=NAME[:TYPE] or CHIP=none (repeatable; default gpu:CHIP for
    /// GPUs and Gaudi, none for Neuron and TPUs).
    #[arg(long = "gres", value_name = "CHIP=NAME[:TYPE]")]
    pub gres: Vec<String>,
    /// With --to slurm: submit every script with sbatch (from DIR, to the cluster SLURM_CONF
    /// or the default configuration names).
    #[arg(long)]
    pub submit: bool,
}

/// `--to` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TargetArg {
    /// SkyPilot task YAML (sky launch / sky serve up).
    Skypilot,
    /// Kubernetes Jobs, JobSets and Deployments, per provider.
    Kubernetes,
    /// Kueue ResourceFlavors, ClusterQueues and LocalQueues, with the workloads queued.
    Kueue,
    /// Slurm batch scripts.
    Slurm,
}

impl From<TargetArg> for Target {
    fn from(t: TargetArg) -> Self {
        match t {
            TargetArg::Skypilot => Target::SkyPilot,
            TargetArg::Kubernetes => Target::Kubernetes,
            TargetArg::Kueue => Target::Kueue,
            TargetArg::Slurm => Target::Slurm,
        }
    }
}

fn report(e: &ExportError) -> Exit {
    eprintln!("error: {e}");
    eprintln!("  hint: {}", e.hint());
    Exit::Invalid
}

pub fn run(args: &ExportArgs) -> anyhow::Result<Exit> {
    let target = Target::from(args.to);
    if args.submit && target != Target::Slurm {
        eprintln!("error: --submit submits Slurm scripts: use it with --to slurm");
        return Ok(Exit::Invalid);
    }
    let plan_name = args.plan.display().to_string();
    let plan_text = match read_text(&args.plan) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{plan_name}: error: cannot read file: {e}");
            return Ok(Exit::Invalid);
        }
    };
    let plan = match allot_export::read_plan(&plan_name, &plan_text) {
        Ok(p) => p,
        Err(e) => return Ok(report(&e)),
    };
    let catalog = match &args.scenario {
        Some(path) => match load_scenario(path) {
            Some(scenario) => scenario.catalog,
            None => return Ok(Exit::Invalid),
        },
        None => allot_catalog::Catalog::builtin().0,
    };
    let mut settings = Settings {
        command: args.command.clone(),
        image: args.image.clone(),
        period: args.period.clone(),
        ..Settings::default()
    };
    for spec in &args.gres {
        match Gres::parse_mapping(spec, &catalog) {
            Ok((chip, gres)) => {
                settings.gres.insert(chip, gres);
            }
            Err(e) => return Ok(report(&e)),
        }
    }
    let export = match allot_export::export(&plan, &plan_name, &catalog, target, &settings) {
        Ok(x) => x,
        Err(e) => return Ok(report(&e)),
    };
    for note in &export.notes {
        eprintln!("note: {note}");
    }
    for file in &export.files {
        let path = args.out.join(&file.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&path, &file.contents)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let period = export
        .period
        .as_deref()
        .map(|p| format!(" (sized for {p})"))
        .unwrap_or_default();
    outln!(
        "wrote {} {} files to {}{period}",
        export.files.len(),
        target.as_str(),
        args.out.display()
    );
    if args.submit {
        for file in &export.files {
            let id = submit(&args.out, &file.path)?;
            outln!("submitted {} as job {id}", file.path);
        }
    }
    Ok(Exit::Success)
}

/// Submits one script with `sbatch --parsable` from `dir`; returns the job id.
fn submit(dir: &Path, script: &str) -> anyhow::Result<String> {
    let output = Command::new("sbatch")
        .arg("--parsable")
        .arg(script)
        .current_dir(dir)
        .output()
        .context("cannot run sbatch: is slurm-client installed and on PATH?")?;
    if !output.status.success() {
        bail!(
            "sbatch refused {}: {}",
            dir.join(script).display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    // `--parsable` prints `JOBID` or `JOBID;CLUSTER`.
    let id = stdout
        .trim()
        .split(';')
        .next()
        .unwrap_or_default()
        .to_string();
    if id.is_empty() {
        bail!("sbatch printed no job id for {script}");
    }
    Ok(id)
}
