//! Placing a [`Dag`] on a [`SkyCatalog`]: every launchable candidate of every task, then the
//! joint choice of least total cost (compute plus egress) or earliest finish.
//!
//! Candidates follow SkyPilot's optimizer (v0.14.1, `_fill_in_launchable_resources` and
//! `make_launchables_for_valid_region_zones`): an accelerator request matches rows of that name
//! (case-insensitive) and count; on-demand capacity is priced per region except on GCP, which is
//! priced per zone, and spot capacity per zone; a request with `max_hourly_cost` keeps the
//! instances at or under it (spot price when `use_spot`). An `ordered` list is tried in the
//! user's order and the first request with any candidate is used, as SkyPilot does; `any_of`
//! (and a set of accelerators) pools every request. Unlike SkyPilot, every instance type with the
//! requested accelerators is a candidate (SkyPilot keeps the cheapest type per cloud), and the
//! runtime can come from the performance model, so the result never costs more than SkyPilot's
//! choice ([`skypilot_rule`]) under the same runtimes.

use std::collections::{BTreeMap, BTreeSet};

use allot_catalog::Catalog;
use allot_diag::Diagnostic;

use crate::catalog::{Offer, SkyCatalog};
use crate::egress::{egress_time_s, egress_usd};
use crate::error::Error;
use crate::locate::{self, did_you_mean};
use crate::resources::{Amount, Request};
use crate::runtime::Runtimes;
use crate::solve::{self, Problem};
use crate::task::{Dag, Task};

/// What to minimise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Minimize {
    /// Total cost: compute of every task plus egress between clouds.
    Cost,
    /// Finish time of the last task (runtimes plus transfer times).
    Time,
}

/// Whether every task could be placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every task has a placement.
    Placed,
    /// Some task has no candidate; its notes say why.
    Infeasible,
}

/// One way to run a task.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Index of the request (in the task's [`crate::Choice::requests`]) it satisfies.
    pub request: usize,
    /// Index of the offer in [`SkyCatalog::offers`].
    pub offer: usize,
    /// Cloud id.
    pub cloud: String,
    /// Region.
    pub region: String,
    /// Zone, when priced per zone.
    pub zone: Option<String>,
    /// Instance type.
    pub instance: String,
    /// `H100:8`, or `-`.
    pub accelerators: String,
    /// Spot capacity.
    pub use_spot: bool,
    /// USD per node-hour.
    pub node_hourly_usd: f64,
    /// USD per hour for all nodes.
    pub hourly_usd: f64,
    /// Runtime, hours.
    pub hours: f64,
    /// `hourly_usd × hours`.
    pub total_usd: f64,
    /// Egress this option brings (inputs, data from parents and to children, with the other
    /// tasks where the placement puts them); 0 until the placement is known.
    pub egress_usd: f64,
}

/// The result for one task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskPlacement {
    /// Task name.
    pub name: String,
    /// Nodes.
    pub num_nodes: u32,
    /// The chosen candidate (`None` when the task cannot be placed).
    pub chosen: Option<Candidate>,
    /// Every candidate considered, best first for the objective.
    pub options: Vec<Candidate>,
    /// The request the options come from, for an ordered list.
    pub request_used: Option<String>,
    /// Why requests gave no candidate (or fewer than the catalog holds).
    pub notes: Vec<String>,
}

/// Data moved between clouds.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeCost {
    /// Source: a task name, or the input path.
    pub from: String,
    /// Destination task.
    pub to: String,
    /// Cloud of the source.
    pub from_cloud: String,
    /// Cloud of the destination.
    pub to_cloud: String,
    /// GB moved.
    pub gb: f64,
    /// USD (0 inside one cloud).
    pub usd: f64,
    /// Hours of transfer (0 inside one cloud).
    pub hours: f64,
}

/// A placement of every task.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// What was minimised.
    pub minimize: Minimize,
    /// Whether every task is placed.
    pub status: Status,
    /// Tasks in file order.
    pub tasks: Vec<TaskPlacement>,
    /// Inputs and edges between tasks, with their egress.
    pub edges: Vec<EdgeCost>,
    /// Compute cost of every task, USD.
    pub compute_usd: f64,
    /// Egress, USD.
    pub egress_usd: f64,
    /// `compute_usd + egress_usd`.
    pub total_usd: f64,
    /// Finish time of the last task, hours.
    pub makespan_hours: f64,
    /// Whether the placement is proven optimal for the objective.
    pub exact: bool,
}

fn amount_ok(amount: Option<Amount>, value: Option<f64>, cpus: Option<f64>) -> bool {
    let (Some(a), Some(v)) = (amount, value) else {
        return true;
    };
    match a {
        Amount::Exactly(x) => (v - x).abs() < 1e-9,
        Amount::AtLeast(x) => v >= x,
        Amount::PerCpu(r) => cpus.is_none_or(|c| v >= c * r),
    }
}

fn matches(r: &Request, o: &Offer) -> bool {
    let eq = |a: &Option<String>, b: &str| a.as_ref().is_none_or(|a| a.eq_ignore_ascii_case(b));
    let accel_ok = match (&r.accelerator, &o.accelerator) {
        (Some((name, count)), Some(a)) => {
            a.eq_ignore_ascii_case(name) && (o.count - count).abs() <= 0.01
        }
        (None, None) => true,
        _ => false,
    };
    let (cpus, memory) = match (&r.accelerator, r.cpus, r.memory) {
        // SkyPilot's default CPU instance: at least 8 vCPUs and 4 GiB per vCPU.
        (None, None, None) => (Some(Amount::AtLeast(8.0)), Some(Amount::PerCpu(4.0))),
        (_, c, m) => (c, m),
    };
    accel_ok
        && eq(&r.cloud, &o.cloud)
        && eq(&r.region, &o.region)
        && (r.zone.is_none() || o.zone.as_ref().is_some_and(|z| eq(&r.zone, z)))
        && eq(&r.instance_type, &o.instance)
        && amount_ok(cpus, o.vcpus, None)
        && amount_ok(memory, o.memory_gib, o.vcpus)
}

/// Checks names against the catalog: accelerators, regions and zones, with did-you-mean hints.
fn validate(dag: &Dag, catalog: &SkyCatalog) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let clouds = catalog.clouds();
    let lower: BTreeSet<String> = catalog
        .accelerator_names
        .iter()
        .map(|n| n.to_ascii_lowercase())
        .collect();
    for task in &dag.tasks {
        let mut error = |key: &str, value: &str, message: String, hint: Option<String>| {
            let span = locate::find_value(&dag.text, &task.doc, key, value)
                .or(Some(task.doc.start..task.doc.start));
            let d = Diagnostic::error(&dag.file, span, message).with_hint_opt(hint);
            if !out.contains(&d) {
                out.push(d);
            }
        };
        for r in task.choice.requests() {
            if let Some((name, _)) = &r.accelerator {
                if !lower.contains(&name.to_ascii_lowercase()) {
                    let hint =
                        did_you_mean(name, catalog.accelerator_names.iter().map(String::as_str));
                    error(
                        "accelerators",
                        name,
                        format!("task '{}': unknown accelerator '{name}'", task.name),
                        hint,
                    );
                }
            }
            let Some(cloud) = r.cloud.as_deref().filter(|c| clouds.contains(c)) else {
                continue;
            };
            let regions = catalog.regions(cloud);
            if let Some(region) = &r.region {
                if !regions.iter().any(|g| g.eq_ignore_ascii_case(region)) {
                    let hint = did_you_mean(region, regions.iter().copied());
                    error(
                        "region",
                        region,
                        format!(
                            "task '{}': unknown region '{region}' for {cloud}",
                            task.name
                        ),
                        hint,
                    );
                    continue;
                }
            }
            if let Some(zone) = &r.zone {
                let zones = catalog.zones(cloud, r.region.as_deref());
                if !zones.iter().any(|z| z.eq_ignore_ascii_case(zone)) {
                    let hint = did_you_mean(zone, zones.iter().copied());
                    error(
                        "zone",
                        zone,
                        format!("task '{}': unknown zone '{zone}' for {cloud}", task.name),
                        hint,
                    );
                }
            }
        }
    }
    out
}

struct TaskOptions {
    options: Vec<Candidate>,
    request_used: Option<String>,
    notes: Vec<String>,
}

/// Every candidate of one request, and why offers were left out.
fn request_candidates(
    catalog: &SkyCatalog,
    task: &Task,
    index: usize,
    r: &Request,
    runtimes: &mut Runtimes<'_>,
    notes: &mut Vec<String>,
) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    let mut seen = BTreeSet::new();
    let (mut unpriced, mut over_cap) = (0usize, 0usize);
    let mut runtime_problems: BTreeMap<String, usize> = BTreeMap::new();
    for (i, o) in catalog.offers.iter().enumerate() {
        if !matches(r, o) {
            continue;
        }
        let Some(price) = o.price(r.use_spot) else {
            unpriced += 1;
            continue;
        };
        if r.max_hourly_cost.is_some_and(|cap| price > cap + 1e-9) {
            over_cap += 1;
            continue;
        }
        // On-demand outside GCP is the same price in every zone of a region: one candidate per
        // region (SkyPilot batches these requests per region).
        let zone = if r.use_spot || o.cloud == "gcp" {
            o.zone.clone()
        } else {
            None
        };
        if !seen.insert((
            o.cloud.clone(),
            o.instance.clone(),
            o.region.clone(),
            zone.clone(),
            o.accelerator.clone(),
        )) {
            continue;
        }
        let hours = match runtimes.hours(o.accelerator.as_deref(), o.count, task.num_nodes) {
            Ok(h) => h,
            Err(why) => {
                *runtime_problems
                    .entry(format!("{} {}: {why}", o.cloud, o.accelerators_label()))
                    .or_default() += 1;
                continue;
            }
        };
        let hourly = price * f64::from(task.num_nodes);
        out.push(Candidate {
            request: index,
            offer: i,
            cloud: o.cloud.clone(),
            region: o.region.clone(),
            zone,
            instance: o.instance.clone(),
            accelerators: o.accelerators_label(),
            use_spot: r.use_spot,
            node_hourly_usd: price,
            hourly_usd: hourly,
            hours,
            total_usd: hourly * hours,
            egress_usd: 0.0,
        });
    }
    let label = r.label();
    if r.cloud
        .as_deref()
        .is_some_and(|c| !catalog.clouds().contains(&c))
    {
        notes.push(format!(
            "{label}: the catalog has no {} prices",
            r.cloud.as_deref().unwrap_or_default()
        ));
    }
    if unpriced > 0 {
        let what = if r.use_spot { "spot" } else { "on-demand" };
        notes.push(format!(
            "{label}: {unpriced} matching offer(s) have no {what} price (e.g. reservation only)"
        ));
    }
    if over_cap > 0 {
        notes.push(format!(
            "{label}: {over_cap} matching offer(s) cost more than max_hourly_cost ${}",
            r.max_hourly_cost.unwrap_or_default()
        ));
    }
    for (why, n) in runtime_problems {
        notes.push(format!("{label}: {n} offer(s) left out: {why}"));
    }
    if out.is_empty() && notes.iter().all(|n| !n.starts_with(&format!("{label}:"))) {
        notes.push(format!("{label}: no matching offer in the catalog"));
    }
    out
}

fn sort_options(options: &mut [Candidate], minimize: Minimize) {
    options.sort_by(|a, b| {
        let key = |c: &Candidate| match minimize {
            Minimize::Cost => (c.total_usd, c.hours),
            Minimize::Time => (c.hours, c.total_usd),
        };
        let (ka, kb) = (key(a), key(b));
        ka.0.total_cmp(&kb.0)
            .then(ka.1.total_cmp(&kb.1))
            .then_with(|| {
                (&a.cloud, &a.region, &a.zone, &a.instance).cmp(&(
                    &b.cloud,
                    &b.region,
                    &b.zone,
                    &b.instance,
                ))
            })
    });
}

fn task_options(
    catalog: &SkyCatalog,
    allot: &Catalog,
    task: &Task,
    minimize: Minimize,
) -> TaskOptions {
    let mut runtimes = Runtimes::new(&task.work, allot);
    let mut notes = Vec::new();
    let mut options = Vec::new();
    let mut request_used = None;
    for (i, r) in task.choice.requests().iter().enumerate() {
        let found = request_candidates(catalog, task, i, r, &mut runtimes, &mut notes);
        if task.choice.is_ordered() {
            if !found.is_empty() {
                request_used = Some(r.label());
                options = found;
                break;
            }
        } else {
            options.extend(found);
        }
    }
    sort_options(&mut options, minimize);
    TaskOptions {
        options,
        request_used,
        notes,
    }
}

/// Places every task of `dag` on `catalog` (chip specifications for runtimes from `allot`),
/// minimising total cost or finish time jointly over the DAG.
pub fn place(
    dag: &Dag,
    catalog: &SkyCatalog,
    allot: &Catalog,
    minimize: Minimize,
) -> Result<Placement, Error> {
    let problems = validate(dag, catalog);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let per_task: Vec<TaskOptions> = dag
        .tasks
        .iter()
        .map(|t| task_options(catalog, allot, t, minimize))
        .collect();
    if per_task.iter().any(|t| t.options.is_empty()) {
        return Ok(assemble(dag, minimize, per_task, None, false));
    }
    let clouds = cloud_labels(dag, &per_task);
    let l = clouds.len();
    let objective = |c: &Candidate| match minimize {
        Minimize::Cost => c.total_usd,
        Minimize::Time => c.hours,
    };
    let transfer = |from: &str, to: &str, gb: f64| match minimize {
        Minimize::Cost => egress_usd(from, to, gb),
        Minimize::Time => egress_time_s(from, to, gb) / 3600.0,
    };
    // Options are sorted best first, so the first per cloud is that cloud's best.
    let mut best: Vec<Vec<Option<usize>>> = vec![vec![None; l]; dag.tasks.len()];
    let mut unary = vec![vec![f64::INFINITY; l]; dag.tasks.len()];
    // What each label costs in dollars, to break ties on finish time.
    let mut unary_usd = unary.clone();
    for (t, opts) in per_task.iter().enumerate() {
        for (k, c) in opts.options.iter().enumerate() {
            let x = clouds.iter().position(|n| *n == c.cloud).expect("labelled");
            if best[t][x].is_none() {
                best[t][x] = Some(k);
                let input = dag.tasks[t]
                    .inputs
                    .as_ref()
                    .map_or(0.0, |i| transfer(&i.cloud, &c.cloud, i.gb));
                unary[t][x] = objective(c) + input;
                unary_usd[t][x] = c.total_usd
                    + dag.tasks[t]
                        .inputs
                        .as_ref()
                        .map_or(0.0, |i| egress_usd(&i.cloud, &c.cloud, i.gb));
            }
        }
    }
    let edges: Vec<(usize, usize, Vec<f64>)> = dag
        .edges
        .iter()
        .map(|&(a, b)| {
            let gb = dag.tasks[a].outputs_gb;
            let table = (0..l * l)
                .map(|i| transfer(&clouds[i / l], &clouds[i % l], gb))
                .collect();
            (a, b, table)
        })
        .collect();
    let in_usd = Problem {
        labels: l,
        unary: unary_usd,
        edges: egress_tables(dag, &clouds),
    };
    let problem = Problem {
        labels: l,
        unary,
        edges,
    };
    let solution = match minimize {
        Minimize::Cost => solve::min_sum(&problem),
        Minimize::Time => solve::min_makespan(&problem, &in_usd, &topological(dag)),
    };
    let Some(solution) = solution else {
        return Ok(assemble(dag, minimize, per_task, None, false));
    };
    let chosen: Vec<Candidate> = solution
        .labels
        .iter()
        .enumerate()
        .map(|(t, &x)| {
            per_task[t].options[best[t][x].expect("finite label has a candidate")].clone()
        })
        .collect();
    Ok(assemble(
        dag,
        minimize,
        per_task,
        Some(chosen),
        solution.exact,
    ))
}

/// The labels of a placement: the clouds of every candidate and of every input.
fn cloud_labels(dag: &Dag, per_task: &[TaskOptions]) -> Vec<String> {
    let mut clouds: BTreeSet<String> = per_task
        .iter()
        .flat_map(|t| t.options.iter().map(|c| c.cloud.clone()))
        .collect();
    clouds.extend(
        dag.tasks
            .iter()
            .filter_map(|t| t.inputs.as_ref().map(|i| i.cloud.clone())),
    );
    clouds.into_iter().collect()
}

/// Egress in dollars of each edge's data from every label to every label (`l × l`, row-major).
fn egress_tables(dag: &Dag, clouds: &[String]) -> Vec<(usize, usize, Vec<f64>)> {
    let l = clouds.len();
    dag.edges
        .iter()
        .map(|&(a, b)| {
            let gb = dag.tasks[a].outputs_gb;
            let table = (0..l * l)
                .map(|i| egress_usd(&clouds[i / l], &clouds[i % l], gb))
                .collect();
            (a, b, table)
        })
        .collect()
}

/// SkyPilot's choice by its rule (`Optimizer._estimate_nodes_cost_or_time` and
/// `_optimize_by_dp` / `_optimize_by_ilp`, v0.14.1): each task costed at its nodes' price for
/// SkyPilot's default runtime of one hour (it has no runtime estimate), plus the egress of
/// each task's inputs and of every parent's outputs to its children, minimised jointly (exact,
/// as SkyPilot's dynamic program on a chain and its ILP on any DAG are); then costed like
/// [`place`]'s result, with allot's runtimes, so the two totals compare.
pub fn skypilot_rule(dag: &Dag, catalog: &SkyCatalog, allot: &Catalog) -> Result<Placement, Error> {
    let problems = validate(dag, catalog);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let per_task: Vec<TaskOptions> = dag
        .tasks
        .iter()
        .map(|t| task_options(catalog, allot, t, Minimize::Cost))
        .collect();
    if per_task.iter().any(|t| t.options.is_empty()) {
        return Ok(assemble(dag, Minimize::Cost, per_task, None, false));
    }
    let clouds = cloud_labels(dag, &per_task);
    let l = clouds.len();
    // Per task and cloud, the candidate with the lowest price per node-hour.
    let mut best: Vec<Vec<Option<usize>>> = vec![vec![None; l]; dag.tasks.len()];
    let mut unary = vec![vec![f64::INFINITY; l]; dag.tasks.len()];
    for (t, opts) in per_task.iter().enumerate() {
        let task = &dag.tasks[t];
        for (k, c) in opts.options.iter().enumerate() {
            let x = clouds.iter().position(|n| *n == c.cloud).expect("labelled");
            let input = task
                .inputs
                .as_ref()
                .map_or(0.0, |i| egress_usd(&i.cloud, &c.cloud, i.gb));
            let one_hour = c.node_hourly_usd * f64::from(task.num_nodes.max(1)) + input;
            if one_hour < unary[t][x] {
                unary[t][x] = one_hour;
                best[t][x] = Some(k);
            }
        }
    }
    let problem = Problem {
        labels: l,
        unary,
        edges: egress_tables(dag, &clouds),
    };
    let Some(solution) = solve::min_sum(&problem) else {
        return Ok(assemble(dag, Minimize::Cost, per_task, None, false));
    };
    let chosen = solution
        .labels
        .iter()
        .enumerate()
        .map(|(t, &x)| {
            per_task[t].options[best[t][x].expect("finite label has a candidate")].clone()
        })
        .collect();
    Ok(assemble(dag, Minimize::Cost, per_task, Some(chosen), false))
}

fn topological(dag: &Dag) -> Vec<usize> {
    let n = dag.tasks.len();
    let mut indegree = vec![0usize; n];
    for &(_, c) in &dag.edges {
        indegree[c] += 1;
    }
    let mut order = Vec::with_capacity(n);
    let mut ready: Vec<usize> = (0..n).rev().filter(|&i| indegree[i] == 0).collect();
    while let Some(t) = ready.pop() {
        order.push(t);
        for &(p, c) in &dag.edges {
            if p == t {
                indegree[c] -= 1;
                if indegree[c] == 0 {
                    ready.push(c);
                }
            }
        }
    }
    order
}

fn assemble(
    dag: &Dag,
    minimize: Minimize,
    per_task: Vec<TaskOptions>,
    chosen: Option<Vec<Candidate>>,
    exact: bool,
) -> Placement {
    let placed = chosen.is_some();
    let mut chosen: Vec<Option<Candidate>> = match chosen {
        Some(c) => c.into_iter().map(Some).collect(),
        None => vec![None; dag.tasks.len()],
    };
    let mut edges = Vec::new();
    if placed {
        for (t, task) in dag.tasks.iter().enumerate() {
            if let (Some(input), Some(c)) = (&task.inputs, &chosen[t]) {
                edges.push(EdgeCost {
                    from: input.path.clone(),
                    to: task.name.clone(),
                    from_cloud: input.cloud.clone(),
                    to_cloud: c.cloud.clone(),
                    gb: input.gb,
                    usd: egress_usd(&input.cloud, &c.cloud, input.gb),
                    hours: egress_time_s(&input.cloud, &c.cloud, input.gb) / 3600.0,
                });
            }
        }
        for &(a, b) in &dag.edges {
            let (ca, cb) = (
                chosen[a].as_ref().expect("placed"),
                chosen[b].as_ref().expect("placed"),
            );
            let gb = dag.tasks[a].outputs_gb;
            edges.push(EdgeCost {
                from: dag.tasks[a].name.clone(),
                to: dag.tasks[b].name.clone(),
                from_cloud: ca.cloud.clone(),
                to_cloud: cb.cloud.clone(),
                gb,
                usd: egress_usd(&ca.cloud, &cb.cloud, gb),
                hours: egress_time_s(&ca.cloud, &cb.cloud, gb) / 3600.0,
            });
        }
    }
    let mut per_task = per_task;
    if placed {
        let clouds: Vec<String> = chosen.iter().flatten().map(|c| c.cloud.clone()).collect();
        for (t, opts) in per_task.iter_mut().enumerate() {
            let task = &dag.tasks[t];
            let egress_of = |cloud: &str| {
                let input = task
                    .inputs
                    .as_ref()
                    .map_or(0.0, |i| egress_usd(&i.cloud, cloud, i.gb));
                let edges: f64 = dag
                    .edges
                    .iter()
                    .map(|&(a, b)| {
                        if b == t {
                            egress_usd(&clouds[a], cloud, dag.tasks[a].outputs_gb)
                        } else if a == t {
                            egress_usd(cloud, &clouds[b], task.outputs_gb)
                        } else {
                            0.0
                        }
                    })
                    .sum();
                input + edges
            };
            for o in &mut opts.options {
                o.egress_usd = egress_of(&o.cloud);
            }
            if let Some(c) = chosen[t].as_mut() {
                c.egress_usd = egress_of(&c.cloud);
            }
            if minimize == Minimize::Cost {
                // Best first with egress counted, so the chosen option leads.
                opts.options.sort_by(|a, b| {
                    (a.total_usd + a.egress_usd).total_cmp(&(b.total_usd + b.egress_usd))
                });
            }
        }
    }
    let compute_usd = chosen
        .iter()
        .flatten()
        .fold(0.0, |sum, c| sum + c.total_usd);
    let egress = edges.iter().fold(0.0, |sum, e| sum + e.usd);
    // Finish times: each task starts after its parents and their transfers.
    let mut finish = vec![0.0f64; dag.tasks.len()];
    if placed {
        for t in topological(dag) {
            let mut start: f64 = dag
                .edges
                .iter()
                .filter(|(_, c)| *c == t)
                .map(|&(a, _)| {
                    let e = edges
                        .iter()
                        .find(|e| e.from == dag.tasks[a].name && e.to == dag.tasks[t].name);
                    finish[a] + e.map_or(0.0, |e| e.hours)
                })
                .fold(0.0, f64::max);
            if let Some(input) = edges.iter().find(|e| {
                Some(&e.from) == dag.tasks[t].inputs.as_ref().map(|i| &i.path)
                    && e.to == dag.tasks[t].name
            }) {
                start = start.max(input.hours);
            }
            finish[t] = start + chosen[t].as_ref().map_or(0.0, |c| c.hours);
        }
    }
    let tasks = dag
        .tasks
        .iter()
        .zip(per_task)
        .zip(chosen.iter_mut())
        .map(|((task, opts), chosen)| TaskPlacement {
            name: task.name.clone(),
            num_nodes: task.num_nodes,
            chosen: chosen.take(),
            options: opts.options,
            request_used: opts.request_used,
            notes: opts.notes,
        })
        .collect();
    Placement {
        minimize,
        status: if placed {
            Status::Placed
        } else {
            Status::Infeasible
        },
        tasks,
        edges,
        compute_usd,
        egress_usd: egress,
        total_usd: compute_usd + egress,
        makespan_hours: finish.into_iter().fold(0.0, f64::max),
        exact: placed && exact,
    }
}
