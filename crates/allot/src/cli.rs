//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// allot: an optimal, explained, checkable plan for AI compute across vendors and providers.
#[derive(Debug, Parser)]
#[command(name = "allot", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Let a scenario name catalog files outside its folder (absolute paths, `..`, links).
    #[arg(long, global = true)]
    pub allow_outside: bool,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Plan a scenario: the least-cost plan under every contract and policy (exit 3 if infeasible).
    Plan(PlanArgs),
    /// Verify a plan independently: recompute every cost, check every constraint (exit 1 if any fails).
    Verify(VerifyArgs),
    /// Why not? and What if?: the plan re-solved with one choice forced (--why-not) or scenario
    /// values changed (--what-if), beside the least-cost plan, with the difference explained
    /// (exit 2 on bad input, 3 if the changed scenario is infeasible).
    Explain(crate::explain_cmd::ExplainArgs),
    /// Generate a scenario of a given size (for benchmarks): writes DIR/scenario.toml and DIR/catalog.toml.
    Gen(GenArgs),
    /// Check scenario or catalog files and report every problem (exit 2 on any error).
    Check(CheckArgs),
    /// List the catalog: accelerators, offerings or providers.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// The performance model: chip-hours for a training run or an inference workload.
    #[command(subcommand)]
    Perf(PerfCommand),
    /// A plan's training runs on one period's fleet under queueing, job by job: which miss their
    /// deadline (exit 1 if any does, 2 on bad input).
    Simulate(crate::simulate_cmd::SimulateArgs),
    /// Export a plan for a scheduler: SkyPilot tasks, Kubernetes or Kueue manifests, Slurm scripts.
    Export(crate::export_cmd::ExportArgs),
    /// The financial statement of a scenario's plan: revenue, compute cost and cash under the
    /// payment terms, capex, funding, cash balance, funding gap and runway, per year.
    Finance(crate::finance_cmd::FinanceArgs),
    /// Risk: re-plan samples of the scenario's [[uncertainty]] entries in parallel; quantiles of
    /// cost, cumulative loss and funding gap, and which input moves them most.
    Risk(crate::risk_cmd::RiskArgs),
    /// One self-contained HTML file with the plan's views (cost, capacity, commitments, training,
    /// serving, finance, risk, what binds), each chart with its table and CSV; opens offline.
    Report(crate::report_cmd::ReportArgs),
    /// Place a SkyPilot task or pipeline (YAML) at least cost or time on a SkyPilot catalog, with
    /// egress between clouds and runtimes from the performance model (exit 3 if impossible).
    Place(crate::place_cmd::PlaceArgs),
    /// The planner over HTTP: scenarios with every version kept, plans as jobs with progress
    /// and cancel, plan history in a SQLite file, OpenAPI at /openapi.json (docs/server.md).
    Serve(crate::serve_cmd::ServeArgs),
    /// The plans `allot serve` stored: list, show, and compare two side by side.
    #[command(subcommand)]
    History(crate::history_cmd::HistoryCommand),
    /// Print a JSON Schema.
    Schema {
        /// Which format.
        #[arg(value_enum)]
        kind: SchemaKind,
    },
}

/// Arguments of `allot check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario or catalog files (TOML). A file with a [scenario] table is a scenario; one with
    /// only [[provider]], [[accelerator]] or [[offering]] tables is a catalog file.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print nothing on success.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Which schema to print.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SchemaKind {
    /// The scenario format.
    Scenario,
    /// The catalog file format.
    Catalog,
    /// The plan JSON written by `allot plan --json`.
    Plan,
}

/// Arguments of `allot plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Print the plan as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also write plan.json and CSV tables to this folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Time limit of the solve, seconds (with --objective, of all its solves together).
    #[arg(long = "time-limit", default_value_t = 60.0)]
    pub time_limit: f64,
    /// Relative MIP gap at which the solver may stop.
    #[arg(long = "mip-gap", default_value_t = 1e-3)]
    pub mip_gap: f64,
    /// Print the solver's log.
    #[arg(long = "solver-log")]
    pub solver_log: bool,
    /// What to optimise: least discounted cost; the smallest largest-vendor share of spend; or
    /// training finished earliest — the last two at a cost within --within percent of the least.
    #[arg(long, value_parser = ["cost", "min-vendor-share", "earliest"], default_value = "cost")]
    pub objective: String,
    /// With --objective min-vendor-share or earliest: allowed cost increase over the least cost, percent.
    #[arg(long, default_value_t = 5.0)]
    pub within: f64,
    /// Explain the plan: the binding constraints ranked by what they cost, with shadow
    /// prices in dollars (also in the JSON's `explanations`).
    #[arg(long)]
    pub explain: bool,
    /// HiGHS presolve: on (default) or off.
    #[arg(long, value_parser = ["on", "off"], default_value = "on")]
    pub presolve: String,
    /// How a mixed-integer model is solved: lp-first (the LP relaxation, a dive to a plan, and
    /// branch and bound only when that plan is not within the gap) or mip (branch and bound
    /// directly). See docs/model.md.
    #[arg(long, value_parser = ["lp-first", "mip"], default_value = "lp-first")]
    pub method: String,
    /// Write the exact model solved to this file: CPLEX LP (.lp) or free MPS (.mps).
    #[arg(long = "dump-model", value_name = "FILE.lp|FILE.mps")]
    pub dump_model: Option<PathBuf>,
}

/// `allot catalog ...`
#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Accelerators and their specifications.
    Accelerators(CatalogArgs),
    /// Offerings: provider × instance × region × price model.
    Offerings(CatalogArgs),
    /// Providers.
    Providers(CatalogArgs),
    /// Convert a SkyPilot catalog folder (schema v8) into an allot catalog file.
    ImportSkypilot(crate::skypilot_import_cmd::ImportSkypilotArgs),
}

/// Filters and sources shared by the catalog listings.
#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// Only this vendor (e.g. nvidia, amd, aws, google, intel).
    #[arg(long)]
    pub vendor: Option<String>,
    /// Only this provider (id or alias, e.g. aws, Oracle).
    #[arg(long)]
    pub provider: Option<String>,
    /// Only this accelerator (id or alias, e.g. h100, "H100 SXM").
    #[arg(long)]
    pub chip: Option<String>,
    /// Only this price model (on_demand, spot, reserved_1y, reserved_3y, savings_plan,
    /// capacity_block, negotiated, owned).
    #[arg(long = "price-model")]
    pub price_model: Option<String>,
    /// Hide historical and unpriced offerings.
    #[arg(long)]
    pub current: bool,
    /// Add a catalog file after the built-in one (repeatable).
    #[arg(long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Use the catalog of this scenario (its files and price overrides).
    #[arg(long, value_name = "FILE", conflicts_with = "files")]
    pub scenario: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `allot perf ...`
#[derive(Debug, Subcommand)]
pub enum PerfCommand {
    /// Time and chip-hours to train a model, per chip.
    Train(PerfTrainArgs),
    /// Throughput and chip-hours per million tokens to serve a model, per chip.
    Serve(PerfServeArgs),
    /// The utilisation fitted on MLPerf Training results, and its error per result.
    Calibration {
        /// List every result with its prediction.
        #[arg(long)]
        results: bool,
    },
}

/// The model: a preset or an explicit architecture.
#[derive(Debug, Args)]
pub struct ModelArgs {
    /// A preset: gpt3-175b, llama2-70b, llama3.1-8b, llama3.1-70b, llama3.1-405b, mixtral-8x7b,
    /// deepseek-v3.
    #[arg(long)]
    pub model: Option<String>,
    /// Layers.
    #[arg(long)]
    pub layers: Option<u32>,
    /// Model width.
    #[arg(long = "d-model")]
    pub d_model: Option<u32>,
    /// Attention heads.
    #[arg(long)]
    pub heads: Option<u32>,
    /// Key/value heads (default: --heads).
    #[arg(long = "kv-heads")]
    pub kv_heads: Option<u32>,
    /// Feed-forward width (default: 4 × d-model).
    #[arg(long)]
    pub ffn: Option<u32>,
    /// Gated (SwiGLU) feed-forward instead of GELU.
    #[arg(long)]
    pub swiglu: bool,
    /// Vocabulary size.
    #[arg(long)]
    pub vocab: Option<u32>,
    /// Sequence length (overrides a preset's).
    #[arg(long)]
    pub seq: Option<u32>,
    /// Routed experts (MoE).
    #[arg(long)]
    pub experts: Option<u32>,
    /// Experts per token (MoE).
    #[arg(long = "top-k")]
    pub top_k: Option<u32>,
}

/// Arguments of `allot perf train`.
#[derive(Debug, Args)]
pub struct PerfTrainArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Accelerator id or alias, or `all`.
    #[arg(long, default_value = "all")]
    pub chip: String,
    /// Cluster size.
    #[arg(long)]
    pub chips: u32,
    /// Training tokens.
    #[arg(long)]
    pub tokens: f64,
    /// Precision.
    #[arg(long, value_enum, default_value = "bf16")]
    pub precision: PrecisionArg,
    /// LoRA fine-tuning instead of full training.
    #[arg(long)]
    pub lora: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `allot perf serve`.
#[derive(Debug, Args)]
pub struct PerfServeArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Accelerator id or alias, or `all`.
    #[arg(long, default_value = "all")]
    pub chip: String,
    /// A fixed batch instead of the largest that meets the latency.
    #[arg(long)]
    pub batch: Option<u32>,
    /// A fixed number of chips per replica instead of the chosen one.
    #[arg(long = "chips-per-replica")]
    pub chips_per_replica: Option<u32>,
    /// Context kept per sequence, tokens (default: input + output).
    #[arg(long)]
    pub context: Option<u32>,
    /// Mean input tokens per request (default: the Azure conversation trace mean).
    #[arg(long, default_value_t = 1155)]
    pub input: u32,
    /// Mean output tokens per request.
    #[arg(long, default_value_t = 211)]
    pub output: u32,
    /// Latency class: interactive (30 tokens/s per user), standard (10) or batch.
    #[arg(long, default_value = "interactive")]
    pub latency: String,
    /// Precision of weights and KV cache.
    #[arg(long, value_enum, default_value = "bf16")]
    pub precision: PrecisionArg,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Precision on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PrecisionArg {
    /// bfloat16.
    Bf16,
    /// FP8 (BF16 on chips without FP8).
    Fp8,
}

impl From<PrecisionArg> for allot_perf::Precision {
    fn from(p: PrecisionArg) -> Self {
        match p {
            PrecisionArg::Bf16 => allot_perf::Precision::Bf16,
            PrecisionArg::Fp8 => allot_perf::Precision::Fp8,
        }
    }
}

/// Arguments of `allot verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The scenario the plan was made for.
    pub scenario: PathBuf,
    /// The plan, as written by `allot plan --json` or `--out`.
    pub plan: PathBuf,
}

/// Arguments of `allot gen`.
#[derive(Debug, Args)]
pub struct GenArgs {
    /// Monthly periods.
    #[arg(long, default_value_t = 24)]
    pub periods: u32,
    /// Offerings in the generated catalog.
    #[arg(long, default_value_t = 40)]
    pub offerings: u32,
    /// Workloads (one in eight is a training run).
    #[arg(long, default_value_t = 10)]
    pub workloads: u32,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Folder to write scenario.toml and catalog.toml into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}
