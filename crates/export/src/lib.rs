//! Hand-off of a plan to the schedulers that run it: SkyPilot task YAML, Kubernetes manifests
//! (Jobs, JobSets, Deployments), Kueue queues with the plan's capacity as quota, and Slurm
//! batch scripts.
//!
//! The crate is pure: [`read_plan`] takes the text of a plan file, [`export`] takes the plan and
//! a catalog and returns the files to write as names and contents. Writing them, and submitting
//! Slurm scripts with `sbatch`, is the caller's job. Manifests are built from typed structs
//! (`k8s-openapi` for the Kubernetes API, the small CRD structs of this crate for JobSet and
//! Kueue, [`SkyTask`] for SkyPilot) and serialised with `serde_norway`, so every file parses
//! back into the type it was made from. `docs/export.md` gives the mapping of each accelerator
//! family to each scheduler, with sources.

mod error;
mod family;
mod kubernetes;
mod kueue;
mod manifest;
mod placement;
mod risk_split;
mod skypilot;
mod slurm;

use std::collections::BTreeMap;

use allot_catalog::Catalog;
use allot_plan_format::Plan;

pub use error::ExportError;
pub use family::{Family, TpuGeneration, TpuSlice};
pub use kubernetes::{JOBSET_API_VERSION, JobSet, JobSetSpec, ReplicatedJob};
pub use kueue::{
    ClusterQueue, ClusterQueueSpec, FlavorQuotas, KUEUE_API_VERSION, LocalQueue, LocalQueueSpec,
    QUEUE_LABEL, ResourceFlavor, ResourceFlavorSpec, ResourceGroup, ResourceQuota,
};
pub use manifest::Manifest;
pub use risk_split::{
    RISK_CLAIM, RISK_DATA, RISK_JOB, RiskSplit, risk_indexed_job, risk_slurm_array, shard_file,
};
pub use skypilot::{SkyResources, SkyService, SkyTask};

/// What to export for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// One SkyPilot task YAML per training run and serving pool.
    SkyPilot,
    /// Kubernetes Jobs or JobSets for training, Deployments for serving, per provider.
    Kubernetes,
    /// The Kubernetes workloads queued through Kueue, with a ResourceFlavor per accelerator,
    /// a ClusterQueue per provider whose quotas are the plan's capacity in one period, and a
    /// LocalQueue.
    Kueue,
    /// One Slurm batch script per training run.
    Slurm,
}

impl Target {
    /// Every target, in display order.
    pub const ALL: [Target; 4] = [
        Target::SkyPilot,
        Target::Kubernetes,
        Target::Kueue,
        Target::Slurm,
    ];

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::SkyPilot => "skypilot",
            Target::Kubernetes => "kubernetes",
            Target::Kueue => "kueue",
            Target::Slurm => "slurm",
        }
    }
}

/// A Slurm generic resource request: `NAME[:TYPE]`, followed by a count per node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gres {
    /// GRES name, e.g. `gpu`.
    pub name: String,
    /// GRES type, e.g. `h100`.
    pub kind: Option<String>,
}

impl Gres {
    /// `NAME[:TYPE]:COUNT`.
    pub fn request(&self, count: u32) -> String {
        match &self.kind {
            Some(kind) => format!("{}:{kind}:{count}", self.name),
            None => format!("{}:{count}", self.name),
        }
    }

    /// Parses a `--gres` mapping `CHIP=NAME[:TYPE]` or `CHIP=none` against the catalog's chips:
    /// the chip's canonical id and the GRES it maps to (`None`: no GRES, whole nodes only).
    pub fn parse_mapping(
        spec: &str,
        catalog: &Catalog,
    ) -> Result<(String, Option<Gres>), ExportError> {
        let bad = |message: String| ExportError::BadGres {
            spec: spec.to_string(),
            message,
            hint: "write CHIP=NAME[:TYPE] (e.g. h100=gpu:h100, trainium2=neuron) or CHIP=none"
                .to_string(),
        };
        let Some((chip, value)) = spec.split_once('=') else {
            return Err(bad("expected CHIP=NAME[:TYPE]".to_string()));
        };
        let Some(accelerator) = catalog.accelerator(chip.trim()) else {
            let mut message = format!("unknown chip '{}'", chip.trim());
            if let Some(s) = allot_diag::did_you_mean(chip, catalog.accelerator_names()) {
                message.push_str(&format!(": {s}"));
            }
            return Err(bad(message));
        };
        let value = value.trim();
        if value.eq_ignore_ascii_case("none") {
            return Ok((accelerator.id.clone(), None));
        }
        let parts: Vec<&str> = value.split(':').collect();
        let valid = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        };
        if parts.len() > 2 || !parts.iter().all(|p| valid(p)) {
            return Err(bad(format!(
                "'{value}' is not a GRES name with an optional type (letters, digits, '_', '-', '.')"
            )));
        }
        Ok((
            accelerator.id.clone(),
            Some(Gres {
                name: parts[0].to_string(),
                kind: parts.get(1).map(|s| s.to_string()),
            }),
        ))
    }
}

/// The knobs of an export.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The command every job and replica runs; `None` for a stand-in that prints the plan line
    /// (and, for serving, keeps running).
    pub command: Option<String>,
    /// Container image for Kubernetes workloads.
    pub image: String,
    /// The period serving pools are sized for and Kueue quotas are taken from (a label of the
    /// plan's `periods`); `None`: each pool's peak, and the plan's peak period for Kueue.
    pub period: Option<String>,
    /// Slurm GRES per chip id, overriding the defaults (`None`: request no GRES).
    pub gres: BTreeMap<String, Option<Gres>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            command: None,
            image: "busybox:1.36".to_string(),
            period: None,
            gres: BTreeMap::new(),
        }
    }
}

/// One file to write: a path relative to the output folder, and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Relative path with `/` separators, e.g. `aws/job-pretrain.yaml`.
    pub path: String,
    /// File contents.
    pub contents: String,
}

/// The outcome of [`export`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// Files to write, in a stable order.
    pub files: Vec<File>,
    /// Things the user should know: workloads skipped and why, approximations made.
    pub notes: Vec<String>,
    /// The period used for sizing (given, or the peak period for Kueue).
    pub period: Option<String>,
}

/// Reads a plan file (JSON written by `allot plan --json` or `--out`), checking its format and
/// version. `file` names it in errors.
pub fn read_plan(file: &str, text: &str) -> Result<Plan, ExportError> {
    let syntax = |e: serde_json::Error| {
        let message = e.to_string();
        let position = format!(" at line {} column {}", e.line(), e.column());
        ExportError::PlanSyntax {
            file: file.to_string(),
            line: e.line(),
            column: e.column(),
            message: message
                .strip_suffix(&position)
                .unwrap_or(&message)
                .to_string(),
        }
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(syntax)?;
    let format_error = |field: &str, message: String| ExportError::PlanFormat {
        file: file.to_string(),
        field: field.to_string(),
        message,
    };
    let Some(object) = value.as_object() else {
        return Err(format_error(
            "format",
            "expected a JSON object with \"format\": \"allot-plan\"".to_string(),
        ));
    };
    match object.get("format").and_then(|f| f.as_str()) {
        Some("allot-plan") => {}
        Some(other) => {
            return Err(format_error(
                "format",
                format!("expected \"allot-plan\", found \"{other}\""),
            ));
        }
        None => {
            return Err(format_error(
                "format",
                "missing: this is not a plan written by allot".to_string(),
            ));
        }
    }
    match object.get("version").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(allot_plan_format::PLAN_VERSION) => {}
        Some(v) => {
            return Err(format_error(
                "version",
                format!(
                    "plan format version {v} is not supported (this allot reads version {})",
                    allot_plan_format::PLAN_VERSION
                ),
            ));
        }
        None => {
            return Err(format_error(
                "version",
                "missing or not a whole number".to_string(),
            ));
        }
    }
    if let Err((field, e)) = allot_plan_format::check_strings(&value) {
        return Err(format_error(&field, e.to_string()));
    }
    serde_json::from_str(text).map_err(syntax)
}

/// The period with the most chips provisioned (the earliest of equals), if any.
pub fn peak_period(plan: &Plan) -> Option<String> {
    let mut chips: BTreeMap<&str, f64> = BTreeMap::new();
    for line in &plan.capacity {
        *chips.entry(line.period.as_str()).or_default() += line.chips;
    }
    let mut best: Option<(&str, f64)> = None;
    for p in &plan.periods {
        let c = chips.get(p.as_str()).copied().unwrap_or(0.0);
        if best.is_none_or(|(_, b)| c > b) {
            best = Some((p, c));
        }
    }
    best.map(|(p, _)| p.to_string())
}

/// Exports `plan` (read from `file`, named in errors) for `target`, with the offerings and
/// chips of `catalog`.
pub fn export(
    plan: &Plan,
    file: &str,
    catalog: &Catalog,
    target: Target,
    settings: &Settings,
) -> Result<Export, ExportError> {
    if !plan.status.has_solution() {
        return Err(ExportError::NoSolution {
            file: file.to_string(),
            status: plan.status,
        });
    }
    if let Some(p) = settings
        .period
        .as_ref()
        .filter(|p| !plan.periods.contains(p))
    {
        return Err(ExportError::UnknownPeriod {
            file: file.to_string(),
            period: p.clone(),
            range: plan
                .periods
                .first()
                .zip(plan.periods.last())
                .map(|(a, b)| (a.clone(), b.clone())),
            suggestion: allot_diag::suggest(p, plan.periods.iter().map(String::as_str))
                .map(str::to_string),
        });
    }
    let resolver = placement::Resolver {
        plan,
        file,
        catalog,
    };
    resolver.check_offerings()?;
    let period = match target {
        Target::Kueue => settings.period.clone().or_else(|| peak_period(plan)),
        _ => settings.period.clone(),
    };
    let mut notes = Vec::new();
    let workloads = resolver.workloads(period.as_deref(), &mut notes)?;
    let files = match target {
        Target::SkyPilot => skypilot::tasks(&workloads, settings, &mut notes),
        Target::Kubernetes => kubernetes::manifests(&workloads, settings, None, &mut notes),
        Target::Kueue => {
            let period = period.as_deref().unwrap_or_default();
            let mut files = kueue::queues(&resolver, period, &mut notes)?;
            files.extend(kubernetes::manifests(
                &workloads,
                settings,
                Some(kueue::LOCAL_QUEUE),
                &mut notes,
            ));
            files
        }
        Target::Slurm => slurm::scripts(&workloads, settings, &mut notes),
    };
    distinct_paths(&files)?;
    Ok(Export {
        files,
        notes,
        period,
    })
}

/// Every file has a path of its own: an export never overwrites one of its files.
fn distinct_paths(files: &[File]) -> Result<(), ExportError> {
    let mut paths = std::collections::BTreeSet::new();
    match files.iter().find(|f| !paths.insert(f.path.as_str())) {
        Some(f) => Err(ExportError::DuplicatePath {
            path: f.path.clone(),
        }),
        None => Ok(()),
    }
}

/// Quotes `text` for a POSIX shell.
pub(crate) fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The command a workload runs: the user's, or a stand-in that prints the plan line (and, for
/// serving, then runs `keep_serving`).
pub(crate) fn command(
    workload: &placement::Workload<'_>,
    settings: &Settings,
    keep_serving: &str,
) -> String {
    if let Some(c) = &settings.command {
        return c.clone();
    }
    let echo = format!("echo {}", shell_quote(&workload.describe()));
    match workload.kind {
        placement::Kind::Training => echo,
        placement::Kind::Serving => format!("{echo} && {keep_serving}"),
    }
}

/// Serialises a manifest as YAML behind a comment header.
pub(crate) fn yaml_file<T: serde::Serialize>(path: String, header: &str, value: &T) -> File {
    let body = serde_norway::to_string(value).expect("manifest types serialise to YAML");
    let mut contents = String::new();
    // Split on '\n' only and escape every other line break (CR, NEL, U+2028...) and control
    // character, so that no text of the header can leave its comment line.
    for line in header.split('\n') {
        contents.push_str("# ");
        contents.push_str(&allot_diag::escape_control(line, false));
        contents.push('\n');
    }
    contents.push_str(&body);
    File { path, contents }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 22, item 8's guard: an export with two files of one path is an internal error.
    #[test]
    fn two_files_of_one_path_are_an_internal_error() {
        let file = |path: &str| File {
            path: path.to_string(),
            contents: String::new(),
        };
        assert_eq!(
            distinct_paths(&[file("a/x.yaml"), file("a/y.yaml")]),
            Ok(())
        );
        let e = distinct_paths(&[file("a/x.yaml"), file("b/x.yaml"), file("a/x.yaml")]);
        assert_eq!(
            e,
            Err(ExportError::DuplicatePath {
                path: "a/x.yaml".to_string()
            })
        );
        assert!(e.unwrap_err().hint().contains("bug"));
    }

    #[test]
    fn quotes_for_the_shell() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn gres_mappings_parse_against_the_catalog() {
        let (catalog, _) = Catalog::builtin();
        let (chip, gres) = Gres::parse_mapping("H100=gpu:h100", &catalog).unwrap();
        assert_eq!(chip, "h100");
        assert_eq!(gres.unwrap().request(8), "gpu:h100:8");
        let (chip, gres) = Gres::parse_mapping("trainium2=none", &catalog).unwrap();
        assert_eq!((chip.as_str(), gres), ("trainium2", None));
        let e = Gres::parse_mapping("h10=gpu", &catalog).unwrap_err();
        assert!(e.to_string().contains("did you mean"), "{e}");
        assert!(Gres::parse_mapping("h100", &catalog).is_err());
        assert!(Gres::parse_mapping("h100=gpu:a:b", &catalog).is_err());
    }
}
