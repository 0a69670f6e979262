//! The API's JSON types (what the OpenAPI document describes), distinct from the store's and the
//! planner's types, converted at the edge.

use std::collections::BTreeMap;

use allot_diag::{Diagnostic, LineIndex};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One problem found in a scenario or its catalog files, as `allot check` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DiagnosticJson {
    /// The file: `scenario.toml` for the scenario text, else a catalog file's name as uploaded.
    pub file: String,
    /// Line, from 1, when the problem has a place.
    pub line: Option<usize>,
    /// Column in characters, from 1, when the problem has a place.
    pub column: Option<usize>,
    /// `error` or `warning`.
    pub severity: String,
    /// What is wrong, naming the field.
    pub message: String,
    /// How to fix it.
    pub hints: Vec<String>,
}

impl DiagnosticJson {
    /// `d` located in the file of `files` it names.
    pub fn new(d: &Diagnostic, files: &[(String, String)]) -> DiagnosticJson {
        let text = files.iter().find(|(n, _)| *n == d.file).map(|(_, t)| t);
        let at = match (&d.span, text) {
            (Some(span), Some(text)) => Some(LineIndex::new(text).line_col(span.start)),
            _ => None,
        };
        DiagnosticJson {
            file: d.file.clone(),
            line: at.map(|a| a.line),
            column: at.map(|a| a.col),
            severity: d.severity.to_string(),
            message: d.message.clone(),
            hints: d.hints.clone(),
        }
    }
}

/// A new scenario: its TOML text and the catalog files it names, uploaded with it (the server
/// never reads a path given in a request).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewScenarioJson {
    /// A name, unique on this server.
    pub name: String,
    /// The scenario TOML (docs/scenario.md).
    pub toml: String,
    /// The catalog files its `[catalog] files` names, by that name, with their TOML text.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// A note on this version.
    #[serde(default)]
    pub note: String,
}

/// A new version of a stored scenario (the earlier ones are kept).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVersionJson {
    /// The scenario TOML.
    pub toml: String,
    /// The catalog files it names, by that name.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// A note on this version.
    #[serde(default)]
    pub note: String,
}

/// A scenario text to check without storing it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequestJson {
    /// The scenario TOML.
    pub toml: String,
    /// The catalog files it names, by that name.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}

/// What checking a scenario found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckJson {
    /// Whether it has no error (warnings allowed).
    pub valid: bool,
    /// Every problem, errors and warnings, in file order.
    pub diagnostics: Vec<DiagnosticJson>,
}

/// A stored scenario.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScenarioJson {
    /// Identifier.
    pub id: i64,
    /// Name.
    pub name: String,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// Its latest version number.
    pub latest_version: i64,
}

impl From<allot_store::Scenario> for ScenarioJson {
    fn from(s: allot_store::Scenario) -> Self {
        ScenarioJson {
            id: s.id,
            name: s.name,
            created_at: s.created_at,
            latest_version: s.latest_version,
        }
    }
}

/// A stored scenario with its versions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScenarioDetailJson {
    /// The scenario.
    #[serde(flatten)]
    pub scenario: ScenarioJson,
    /// Its versions, oldest first (without their texts).
    pub versions: Vec<VersionSummaryJson>,
}

/// A version without its texts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionSummaryJson {
    /// Version number, from 1.
    pub version: i64,
    /// When it was saved.
    pub created_at: String,
    /// The note saved with it.
    pub note: String,
    /// Warnings found when it was saved.
    pub warnings: usize,
}

/// One version of a scenario.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionJson {
    /// The scenario's identifier.
    pub scenario_id: i64,
    /// Version number, from 1.
    pub version: i64,
    /// When it was saved.
    pub created_at: String,
    /// The note saved with it.
    pub note: String,
    /// The scenario TOML.
    pub toml: String,
    /// The catalog files, by name.
    pub files: BTreeMap<String, String>,
    /// The warnings found when it was saved (a version with errors is not stored).
    pub diagnostics: Vec<DiagnosticJson>,
}

impl VersionJson {
    /// The wire form of a stored version.
    pub fn new(v: allot_store::Version) -> VersionJson {
        VersionJson {
            scenario_id: v.scenario_id,
            version: v.version,
            created_at: v.created_at,
            note: v.content.note,
            diagnostics: serde_json::from_value(v.content.diagnostics).unwrap_or_default(),
            toml: v.content.toml,
            files: v.content.files,
        }
    }
}

/// Solver settings of a plan job; every field has the `allot plan` default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SettingsJson {
    /// Time limit of the whole job, seconds (at most the server's `--max-time-limit`): one
    /// deadline, set when the job starts running (not when it was queued), that every solve of
    /// the job draws from (a plan with its explanations and infeasibility diagnosis, a
    /// what-if's or why-not's plans).
    pub time_limit_s: f64,
    /// Relative MIP gap at which the solver may stop.
    pub mip_gap: f64,
    /// Explain the plan: what binds, with shadow prices (`allot plan --explain`).
    pub explain: bool,
    /// `lp-first` or `mip` (`allot plan --method`).
    pub method: String,
    /// HiGHS presolve (`allot plan --presolve on|off`).
    pub presolve: bool,
}

impl Default for SettingsJson {
    fn default() -> Self {
        SettingsJson {
            time_limit_s: 60.0,
            mip_gap: 1e-3,
            explain: false,
            method: "lp-first".into(),
            presolve: true,
        }
    }
}

/// A plan to make: which scenario version, with which settings.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRequestJson {
    /// The scenario.
    pub scenario_id: i64,
    /// Its version (default: the latest).
    #[serde(default)]
    pub version: Option<i64>,
    /// Solver settings.
    #[serde(default)]
    pub settings: SettingsJson,
}

/// What a running solve is doing, from the planner's progress reports.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgressJson {
    /// `relaxation`, `dive`, `branch and bound`, `LP` or `solve`; `risk` for a risk run.
    pub phase: String,
    /// The dive's round.
    pub round: Option<u64>,
    /// `simplex`, `interior point` or `branch and bound`.
    pub method: Option<String>,
    /// Simplex or interior-point iterations so far.
    pub iteration: Option<u64>,
    /// Branch-and-bound nodes so far.
    pub nodes: Option<u64>,
    /// Branch and bound's relative gap (null before its first plan).
    pub gap: Option<f64>,
    /// A risk run's plans done so far.
    pub done: Option<u64>,
    /// A risk run's plans in all (samples, the scenario as written, and the swings).
    pub total: Option<u64>,
    /// The same in words.
    pub message: String,
}

impl ProgressJson {
    /// A risk run that has planned `done` of its `total` plans in `seconds`.
    pub fn risk(done: usize, total: usize, seconds: f64) -> ProgressJson {
        ProgressJson {
            phase: "risk".into(),
            round: None,
            method: None,
            iteration: None,
            nodes: None,
            gap: None,
            done: Some(done as u64),
            total: Some(total as u64),
            message: format!("risk: {done}/{total} plans, {seconds:.1} s"),
        }
    }
}

impl From<&allot_plan::progress::Report> for ProgressJson {
    fn from(r: &allot_plan::progress::Report) -> Self {
        ProgressJson {
            phase: r.phase.clone(),
            round: r.round,
            method: r.method.clone(),
            iteration: r.iteration,
            nodes: r.nodes,
            gap: r.gap.filter(|g| g.is_finite()),
            done: None,
            total: None,
            message: r.describe(),
        }
    }
}

/// A job: a plan (or another solve) of a scenario version, queued, running or finished.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobJson {
    /// Identifier.
    pub id: i64,
    /// `plan`, `what_if`, `why_not` or `risk`.
    pub kind: String,
    /// `queued`, `running`, `done`, `failed`, `cancelled` or `interrupted` (the server stopped
    /// while it was queued or running).
    pub state: String,
    /// The scenario.
    pub scenario_id: i64,
    /// The scenario's name.
    pub scenario_name: String,
    /// The scenario version planned.
    pub version: i64,
    /// The stored plan it starts from, if any.
    pub base_job_id: Option<i64>,
    /// The solver settings.
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    /// The allot version that ran it.
    pub allot_version: String,
    /// How the solve ended (`optimal`, `feasible`, `infeasible`, ...), once finished.
    pub status: Option<String>,
    /// The plan's discounted cost, USD, once finished with a plan.
    pub objective_usd: Option<f64>,
    /// Why it failed.
    pub error: Option<String>,
    /// Seconds spent: `queued_s`, `build_s`, `solve_s`, `extract_s`, `total_s` (null until it
    /// ends).
    #[schema(value_type = Option<Object>)]
    pub timings: serde_json::Value,
    /// What the solve is doing, while it runs.
    pub progress: Option<ProgressJson>,
    /// Whether a stop was asked for while it ran.
    pub stopping: bool,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// When a worker took it.
    pub started_at: Option<String>,
    /// When it ended.
    pub finished_at: Option<String>,
    /// Where its result is, once it has one.
    pub result: Option<String>,
}

impl JobJson {
    /// The wire form of a stored job and, while it runs, its progress.
    pub fn new(
        j: allot_store::Job,
        progress: Option<ProgressJson>,
        stopping: bool,
        has_result: bool,
    ) -> JobJson {
        fn text(v: &impl Serialize) -> String {
            match serde_json::to_value(v) {
                Ok(serde_json::Value::String(s)) => s,
                _ => String::new(),
            }
        }
        JobJson {
            id: j.id,
            kind: text(&j.job.kind),
            state: text(&j.state),
            scenario_id: j.scenario_id,
            scenario_name: j.scenario_name,
            version: j.version,
            base_job_id: j.job.base_job_id,
            settings: j.job.settings,
            allot_version: j.job.allot_version,
            status: j.status,
            objective_usd: j.objective_usd,
            error: j.error,
            timings: j.timings,
            progress,
            stopping,
            created_at: j.created_at,
            started_at: j.started_at,
            finished_at: j.finished_at,
            result: has_result.then(|| format!("/plans/{}/result", j.id)),
        }
    }
}

/// Which jobs to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only jobs of this kind: `plan`, `what_if`, `why_not` or `risk`.
    pub kind: Option<String>,
    /// Only the jobs of this scenario.
    pub scenario_id: Option<i64>,
    /// At most this many, newest first (default 100).
    pub limit: Option<usize>,
}

/// A what-if about a stored plan: its scenario with values changed, re-planned from the plan's
/// solve, beside it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIfJson {
    /// The values to change together, `KEY=VALUE` with KEY a dotted path, array elements by
    /// index or name (`allot explain --what-if`), e.g.
    /// `policy.vendor_cap[nvidia].max_share=0.5`.
    pub changes: Vec<String>,
    /// Solver settings of the re-plan (`explain` is ignored: the comparison explains).
    #[serde(default)]
    pub settings: SettingsJson,
}

/// A why-not about a stored plan: one choice forced, beside the plan.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhyNotJson {
    /// The choice (`allot explain --why-not`): "RUN on PROVIDER/CHIP", "offering OFFERING",
    /// "offering OFFERING >= CHIPS", "vendor VENDOR <= 40%" or "provider PROVIDER <= 40%".
    pub choice: String,
    /// Solver settings of both plans.
    #[serde(default)]
    pub settings: SettingsJson,
}

/// A risk run of a stored plan's scenario (`allot risk`); every field has its default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RiskRequestJson {
    /// Samples to draw and re-plan, 1 to 10,000.
    pub samples: usize,
    /// Seed of the sampling: the same seed gives the same report.
    pub seed: u64,
    /// How each sample is re-planned: `fixed` (the plan's placements kept, the rest
    /// re-optimised), `warm` (a full plan from the base's basis) or `cold` (from scratch).
    pub replan: String,
    /// Also re-plan each uncertain input alone at its P10 and P90 (the tornado chart).
    pub swing: bool,
    /// Time limit of the whole job, seconds (at most the server's `--max-time-limit`): one
    /// deadline, set when the job starts running, that every plan of the run draws from;
    /// samples left when it passes are not planned (the result's `stopped_by_time_limit`).
    pub time_limit_s: f64,
    /// Relative MIP gap per plan.
    pub mip_gap: f64,
}

impl Default for RiskRequestJson {
    fn default() -> Self {
        RiskRequestJson {
            samples: 100,
            seed: 1,
            replan: "fixed".into(),
            swing: true,
            time_limit_s: 60.0,
            mip_gap: 1e-2,
        }
    }
}

/// Which statement of a stored plan.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FinanceQuery {
    /// Only the summary (as in the plan JSON) instead of the whole statement.
    #[serde(default)]
    pub summary: bool,
}

/// Which scheduler files of a stored plan (`allot export`).
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `skypilot`, `kubernetes`, `kueue` or `slurm`.
    pub to: String,
    /// The period serving pools are sized for (a label of the plan's periods; default: each
    /// pool's peak).
    pub period: Option<String>,
    /// The command every job runs (default: a stand-in that prints the plan line).
    pub command: Option<String>,
    /// Container image for Kubernetes workloads (default `busybox:1.36`).
    pub image: Option<String>,
    /// Slurm GRES per chip, comma-separated `CHIP=NAME[:TYPE]`.
    pub gres: Option<String>,
}

/// The binding constraints of a stored plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExplainJson {
    /// The plan's job.
    pub job_id: i64,
    /// How its solve ended.
    pub status: String,
    /// Its discounted cost, USD.
    pub objective_usd: f64,
    /// What binds, largest effect first, with shadow prices and ranges (the plan JSON's
    /// `explanations`, docs/explanations.md).
    #[schema(value_type = Vec<Object>)]
    pub bindings: serde_json::Value,
}

/// A simulation of a stored plan (`allot simulate`, docs/simulate.md): its training runs as gang
/// jobs on one period's fleet (or given chips) beside other work, against their deadlines.
/// Every field has its default; the fields are the command's flags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SimulateJson {
    /// The fleet: the chips the plan holds in this period (a label of its `periods`), less
    /// the chips its serving holds; default the first period in which a training run starts,
    /// else the plan's first. Not with `chips`.
    pub period: Option<String>,
    /// The fleet: chips per type instead, `CHIP=COUNT,...` (e.g. `H100=512,MI300X=64`).
    pub chips: Option<String>,
    /// Other work: this many jobs from Gavel's distributions (at most 10,000 under `fifo` and
    /// `least-cost`, 1,000 under the round-based policies). Not with `trace`.
    pub generate: Option<usize>,
    /// Arrivals per hour of the generated jobs (0: all at once).
    pub rate: f64,
    /// Seed of the generated jobs and of the simulation.
    pub seed: u64,
    /// Other work: a CSV trace, its text (`id,arrival_s,job_type,gang,duration_s,deadline_s`;
    /// at most as many job lines as `generate` may ask for).
    pub trace: Option<String>,
    /// The throughput matrix of the trace's job types, CSV text (`job_type,CHIP,...`).
    pub throughput: Option<String>,
    /// `fifo`, `max-min`, `gavel`, `finish-time` or `least-cost`.
    pub policy: String,
    /// Wall-clock limit of the simulation, seconds (default 30, at most 60): reached, the
    /// simulation stops and the answer is a 422 problem saying where it stopped.
    pub time_limit_s: f64,
}

impl Default for SimulateJson {
    fn default() -> Self {
        let o = allot_sim::plan_check::Options::default();
        SimulateJson {
            period: o.period,
            chips: o.chips,
            generate: o.generate,
            rate: o.rate,
            seed: o.seed,
            trace: None,
            throughput: None,
            policy: o.policy,
            time_limit_s: crate::simulate::TIME_LIMIT_S,
        }
    }
}

impl SimulateJson {
    /// The options of `allot simulate` these fields give: the trace and matrix named by their
    /// field, for messages.
    pub fn options(&self) -> allot_sim::plan_check::Options {
        allot_sim::plan_check::Options {
            period: self.period.clone(),
            chips: self.chips.clone(),
            trace: self.trace.clone().map(|t| ("trace".to_string(), t)),
            generate: self.generate,
            rate: self.rate,
            seed: self.seed,
            policy: self.policy.clone(),
            throughput: self
                .throughput
                .clone()
                .map(|t| ("throughput".to_string(), t)),
            time_limit_s: self.time_limit_s,
        }
    }
}
