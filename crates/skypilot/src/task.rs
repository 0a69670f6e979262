//! SkyPilot task YAML: one task, or a pipeline of tasks in several YAML documents (the first may
//! be a header with only `name`), read into a [`Dag`].
//!
//! The reading follows `Task.from_yaml_config` and `dag_utils._load_chain_dag` of SkyPilot
//! v0.14.1: `name`, `num_nodes`, `resources` (read by `resources.rs`), `inputs`/`outputs` with
//! their size in GB; documents after the header form a chain, as in SkyPilot's pipelines.
//!
//! allot adds one optional block per task, `allot:`, that SkyPilot ignores:
//! `hours` (stated runtime, default 1), or `model` with `train_tokens` or `serve_tokens` (runtime
//! from the performance model), `precision`, `lora`, `latency`, `input_tokens`, `output_tokens`;
//! `depends_on` (task names: a DAG instead of a chain) and `outputs_gb` (size of the outputs
//! passed on, when `outputs` names no path).

use std::collections::BTreeMap;
use std::ops::Range;

use allot_diag::Diagnostic;
use allot_perf::{LatencyClass, Precision};
use serde::Deserialize;
use serde_norway::Value;

use crate::error::Error;
use crate::locate::{self, did_you_mean};
use crate::resources::{Choice, Request, parse_resources};
use crate::yaml::{Ctx, key_str, scalar_text};

/// Keys of a SkyPilot task (schema of v0.14.1), plus `allot`.
const TASK_KEYS: &[&str] = &[
    "name",
    "workdir",
    "event_callback",
    "num_nodes",
    "resources",
    "file_mounts",
    "file_mounts_mapping",
    "service",
    "pool",
    "setup",
    "run",
    "envs",
    "secrets",
    "managed_secrets",
    "inputs",
    "outputs",
    "config",
    "volumes",
    "volume_mounts",
    "api_server_access",
    "hooks",
    "_metadata",
    "allot",
];

/// Keys of the `allot:` block.
const ALLOT_KEYS: &[&str] = &[
    "hours",
    "model",
    "train_tokens",
    "serve_tokens",
    "precision",
    "lora",
    "latency",
    "input_tokens",
    "output_tokens",
    "depends_on",
    "outputs_gb",
];

/// A whole YAML file: tasks and the edges between them.
#[derive(Debug, Clone)]
pub struct Dag {
    /// File name used in messages.
    pub file: String,
    /// The YAML text (kept to place later messages).
    pub text: String,
    /// The pipeline's name, from a header document or a single task.
    pub name: Option<String>,
    /// Tasks in file order.
    pub tasks: Vec<Task>,
    /// (parent, child) task indices: the child runs after the parent and receives its outputs.
    pub edges: Vec<(usize, usize)>,
}

/// One task.
#[derive(Debug, Clone)]
pub struct Task {
    /// Name (given, or `task-N` by position).
    pub name: String,
    /// Nodes (instances) of the cluster.
    pub num_nodes: u32,
    /// The acceptable resources.
    pub choice: Choice,
    /// Input data and the cloud it is stored in, if given.
    pub inputs: Option<DataSource>,
    /// Size of the outputs passed to each child, GB.
    pub outputs_gb: f64,
    /// How long it runs.
    pub work: Work,
    /// Byte range of the task's YAML document.
    pub doc: Range<usize>,
}

/// Data read from a bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSource {
    /// The path (`s3://...`, `gs://...`).
    pub path: String,
    /// Cloud the bucket is in.
    pub cloud: String,
    /// Size, GB.
    pub gb: f64,
}

/// What a task runs, which decides its runtime.
#[derive(Debug, Clone, PartialEq)]
pub enum Work {
    /// A stated runtime, hours (SkyPilot's default: 1).
    Hours(f64),
    /// Training a model preset on a number of tokens.
    Train {
        /// Model preset id.
        model: String,
        /// Tokens.
        tokens: f64,
        /// Precision.
        precision: Precision,
        /// LoRA fine-tuning.
        lora: bool,
    },
    /// Serving a number of tokens (input plus output) of a model preset.
    Serve {
        /// Model preset id.
        model: String,
        /// Tokens served (input plus output).
        tokens: f64,
        /// Precision.
        precision: Precision,
        /// Latency class.
        latency: LatencyClass,
        /// Mean input tokens per request.
        input_tokens: u32,
        /// Mean output tokens per request.
        output_tokens: u32,
    },
}

/// The deepest nesting of `[` and `{` a task file may have (issue 22, item 7): the YAML
/// scanner's work grows with the square of the nesting depth (20,000 levels took 2.6 s, 40,000
/// took 10.6 s, before its recursion limit said no), and no task needs more than a few levels.
pub const MAX_NESTING: usize = 64;

/// Where brackets first nest deeper than [`MAX_NESTING`], counting every `[` `{` `]` `}` of the
/// text: quotes and comments are not told apart, so that none of them can hide a nesting from
/// this count (a task has no reason for 64 open brackets in a string).
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Reads a task YAML: one document, or a pipeline (header document with `name`, then tasks).
pub fn parse_dag(file: &str, text: &str) -> Result<Dag, Error> {
    if let Some(at) = too_deep(text) {
        return Err(Error::Invalid(vec![
            Diagnostic::error(
                file,
                Some(at..at + 1),
                format!("brackets nested deeper than {MAX_NESTING} levels"),
            )
            .with_hint(
                "a SkyPilot task needs a few levels of [ ] and { } at most; every bracket \
                 counts, also inside strings and comments",
            ),
        ]));
    }
    let mut values = Vec::new();
    for doc in serde_norway::Deserializer::from_str(text) {
        match Value::deserialize(doc) {
            Ok(v) => values.push(v),
            Err(e) => {
                let at = e.location().map(|l| l.index()).unwrap_or(0).min(text.len());
                let message = e.to_string();
                let message = message.split(" at line ").next().unwrap_or(&message);
                return Err(Error::Invalid(vec![Diagnostic::error(
                    file,
                    Some(at..at),
                    format!("invalid YAML: {message}"),
                )]));
            }
        }
    }
    let mut ranges = locate::documents(text);
    if ranges.len() != values.len() {
        ranges = vec![0..text.len(); values.len()];
    }
    let mut docs: Vec<(Value, Range<usize>)> = values.into_iter().zip(ranges).collect();
    docs.retain(|(v, _)| !v.is_null());
    let mut ctx = Ctx {
        file,
        text,
        doc: 0..text.len(),
        diagnostics: Vec::new(),
    };
    if docs.is_empty() {
        ctx.error("", "", "no task in the file".to_string())
            .hints
            .push("write a SkyPilot task: resources, run, ...".to_string());
        return Err(Error::Invalid(ctx.diagnostics));
    }
    let mut name = None;
    if let Some(Value::Mapping(first)) = docs.first().map(|(v, _)| v) {
        let keys: Vec<String> = first.keys().map(key_str).collect();
        let is_header = !keys.is_empty()
            && keys.iter().all(|k| k == "name" || k == "execution")
            && keys.iter().any(|k| k == "name");
        if is_header {
            name = first.get("name").map(scalar_text);
            if let Some(exec) = first.get("execution").map(scalar_text) {
                if exec != "serial" {
                    ctx.doc = docs[0].1.clone();
                    ctx.error("execution", &exec, format!("execution: '{exec}' is not supported: allot places pipelines (execution: serial)"))
                        .hints
                        .push("job groups (execution: parallel) run on one shared infra; place each task on its own".to_string());
                    return Err(Error::Invalid(ctx.diagnostics));
                }
            }
            if docs.len() > 1 {
                docs.remove(0);
            }
        } else if docs.len() == 1 {
            name = first.get("name").map(scalar_text);
        }
    }
    let mut tasks = Vec::new();
    let mut depends: Vec<Depends> = Vec::new();
    for (i, (value, range)) in docs.iter().enumerate() {
        ctx.doc = range.clone();
        let (task, deps) = parse_task(&mut ctx, value, i, docs.len());
        tasks.push(task);
        depends.push(deps);
    }
    // Names must be unique: they identify tasks in depends_on and in the output.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, t) in tasks.iter().enumerate() {
        if let Some(first) = seen.insert(t.name.clone(), i) {
            ctx.doc = t.doc.clone();
            ctx.error(
                "name",
                &t.name,
                format!(
                    "task name '{}' is used twice (tasks {} and {})",
                    t.name,
                    first + 1,
                    i + 1
                ),
            );
        }
    }
    let edges = edges(&mut ctx, &tasks, &depends);
    if ctx.diagnostics.iter().any(Diagnostic::is_error) {
        allot_diag::sort(&mut ctx.diagnostics);
        return Err(Error::Invalid(ctx.diagnostics));
    }
    Ok(Dag {
        file: file.to_string(),
        text: text.to_string(),
        name,
        tasks,
        edges,
    })
}

type Depends = Option<Vec<(String, Range<usize>)>>;

/// A chain (SkyPilot's pipeline) unless some task says `allot.depends_on`; then exactly those.
fn edges(ctx: &mut Ctx<'_>, tasks: &[Task], depends: &[Depends]) -> Vec<(usize, usize)> {
    if depends.iter().all(Option::is_none) {
        return (1..tasks.len()).map(|i| (i - 1, i)).collect();
    }
    let names: Vec<&str> = tasks.iter().map(|t| t.name.as_str()).collect();
    let mut out = Vec::new();
    for (child, deps) in depends.iter().enumerate() {
        for (name, span) in deps.iter().flatten() {
            match names.iter().position(|n| n == name) {
                Some(parent) if parent == child => {
                    ctx.diagnostics.push(Diagnostic::error(
                        ctx.file,
                        Some(span.clone()),
                        format!("task '{name}' depends on itself"),
                    ));
                }
                Some(parent) => out.push((parent, child)),
                None => {
                    let d = Diagnostic::error(
                        ctx.file,
                        Some(span.clone()),
                        format!("depends_on: no task named '{name}'"),
                    )
                    .with_hint_opt(did_you_mean(name, names.iter().copied()));
                    ctx.diagnostics.push(d);
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    // Cycles: Kahn's algorithm must consume every task.
    let mut indegree = vec![0usize; tasks.len()];
    for &(_, c) in &out {
        indegree[c] += 1;
    }
    let mut ready: Vec<usize> = (0..tasks.len()).filter(|&i| indegree[i] == 0).collect();
    let mut done = 0;
    while let Some(t) = ready.pop() {
        done += 1;
        for &(p, c) in &out {
            if p == t {
                indegree[c] -= 1;
                if indegree[c] == 0 {
                    ready.push(c);
                }
            }
        }
    }
    if done < tasks.len() {
        let stuck: Vec<&str> = (0..tasks.len())
            .filter(|&i| indegree[i] > 0)
            .map(|i| names[i])
            .collect();
        let first = (0..tasks.len()).find(|&i| indegree[i] > 0).unwrap_or(0);
        ctx.doc = tasks[first].doc.clone();
        ctx.error(
            "depends_on",
            "",
            format!("depends_on makes a cycle through {}", stuck.join(", ")),
        );
    }
    out
}

fn parse_task(ctx: &mut Ctx<'_>, value: &Value, index: usize, count: usize) -> (Task, Depends) {
    let default_name = if count == 1 {
        "task".to_string()
    } else {
        format!("task-{}", index + 1)
    };
    let mut task = Task {
        name: default_name,
        num_nodes: 1,
        choice: Choice::AnyOf(vec![Request::default()]),
        inputs: None,
        outputs_gb: 0.0,
        work: Work::Hours(1.0),
        doc: ctx.doc.clone(),
    };
    let Value::Mapping(map) = value else {
        ctx.error(
            "",
            "",
            format!(
                "document {} is not a task (expected a mapping of fields)",
                index + 1
            ),
        );
        return (task, None);
    };
    ctx.unknown_keys(map, TASK_KEYS, "a task");
    if let Some(v) = map.get("name").filter(|v| !v.is_null()) {
        if let Some(n) = ctx.string("name", v) {
            task.name = n;
        }
    }
    if let Some(v) = map.get("num_nodes") {
        match v.as_u64() {
            Some(n) if n >= 1 && n <= u64::from(u32::MAX) => task.num_nodes = n as u32,
            _ => {
                let shown = scalar_text(v);
                ctx.error(
                    "num_nodes",
                    &shown,
                    format!("num_nodes: expected a whole number ≥ 1, got '{shown}'"),
                );
            }
        }
    }
    task.choice = parse_resources(ctx, map.get("resources"), true);
    if let Some(v) = map.get("inputs") {
        if let Some((path, gb)) = data_entry(ctx, "inputs", v) {
            let cloud = if path.starts_with("s3://") {
                Some("aws")
            } else if path.starts_with("gs://") {
                Some("gcp")
            } else {
                None
            };
            match cloud {
                Some(c) => {
                    task.inputs = Some(DataSource {
                        path,
                        cloud: c.to_string(),
                        gb,
                    })
                }
                None => {
                    ctx.error(
                        "inputs",
                        &path,
                        format!("inputs: cannot tell the cloud of '{path}'"),
                    )
                    .hints
                    .push(
                        "use an s3:// (AWS) or gs:// (GCP) path, as SkyPilot's optimizer does"
                            .to_string(),
                    );
                }
            }
        }
    }
    if let Some(v) = map.get("outputs") {
        if let Some((_, gb)) = data_entry(ctx, "outputs", v) {
            task.outputs_gb = gb;
        }
    }
    let mut depends = None;
    if let Some(v) = map.get("allot") {
        let (work, deps, outputs_gb) = parse_allot(ctx, v);
        task.work = work;
        depends = deps;
        if let Some(gb) = outputs_gb {
            if map.get("outputs").is_some() {
                ctx.error(
                    "outputs_gb",
                    "",
                    "allot.outputs_gb and outputs both give the output size: keep one".to_string(),
                );
            }
            task.outputs_gb = gb;
        }
    }
    (task, depends)
}

/// `{path: size_gb}` with exactly one entry.
fn data_entry(ctx: &mut Ctx<'_>, key: &str, v: &Value) -> Option<(String, f64)> {
    match v {
        Value::Mapping(m) if m.len() == 1 => {
            let (k, size) = m.iter().next()?;
            let path = key_str(k);
            let gb = ctx.number(key, size)?;
            if gb < 0.0 {
                ctx.error(key, &path, format!("{key}: size must be ≥ 0 GB"));
                return None;
            }
            Some((path, gb))
        }
        _ => {
            ctx.error(
                key,
                "",
                format!("{key}: expected one entry {{PATH: SIZE_GB}}, as in SkyPilot"),
            );
            None
        }
    }
}

type AllotBlock = (Work, Depends, Option<f64>);

fn parse_allot(ctx: &mut Ctx<'_>, v: &Value) -> AllotBlock {
    let Value::Mapping(m) = v else {
        ctx.error(
            "allot",
            "",
            "allot: expected a mapping (hours, model, train_tokens, ...)".to_string(),
        );
        return (Work::Hours(1.0), None, None);
    };
    ctx.unknown_keys(m, ALLOT_KEYS, "the allot block");
    let get = |k: &str| m.get(k).filter(|v| !v.is_null());
    let hours = get("hours").and_then(|v| ctx.positive("hours", v));
    let model = get("model").and_then(|v| ctx.string("model", v));
    let train = get("train_tokens").and_then(|v| ctx.positive("train_tokens", v));
    let serve = get("serve_tokens").and_then(|v| ctx.positive("serve_tokens", v));
    let precision = match get("precision").map(scalar_text).as_deref() {
        None | Some("bf16") => Precision::Bf16,
        Some("fp8") => Precision::Fp8,
        Some(other) => {
            let hint = did_you_mean(other, ["bf16", "fp8"]);
            let d = ctx.error(
                "precision",
                other,
                format!("precision: '{other}' is not bf16 or fp8"),
            );
            d.hints.extend(hint);
            Precision::Bf16
        }
    };
    let lora = get("lora")
        .and_then(|v| ctx.boolean("lora", v))
        .unwrap_or(false);
    let latency = match get("latency").map(scalar_text).as_deref() {
        None | Some("interactive") => LatencyClass::Interactive,
        Some("standard") => LatencyClass::Standard,
        Some("batch") => LatencyClass::Batch,
        Some(other) => {
            let hint = did_you_mean(other, ["interactive", "standard", "batch"]);
            let d = ctx.error(
                "latency",
                other,
                format!("latency: '{other}' is not interactive, standard or batch"),
            );
            d.hints.extend(hint);
            LatencyClass::Interactive
        }
    };
    let mut tokens = |key: &str, default: u32| -> u32 {
        match get(key) {
            None => default,
            Some(v) => match v.as_u64() {
                Some(n) if n >= 1 && n <= u64::from(u32::MAX) => n as u32,
                _ => {
                    let shown = scalar_text(v);
                    ctx.error(key, &shown, format!("{key}: expected a whole number ≥ 1"));
                    default
                }
            },
        }
    };
    let input_tokens = tokens("input_tokens", 1155);
    let output_tokens = tokens("output_tokens", 211);
    let outputs_gb = get("outputs_gb")
        .and_then(|v| ctx.number("outputs_gb", v))
        .filter(|gb| *gb >= 0.0);
    let depends = get("depends_on").map(|v| {
        let items: Vec<Value> = match v {
            Value::Sequence(s) => s.clone(),
            other => vec![other.clone()],
        };
        items
            .iter()
            .map(|item| {
                let name = scalar_text(item);
                let span = locate::find_value(ctx.text, &ctx.doc, "depends_on", &name)
                    .unwrap_or(ctx.doc.start..ctx.doc.start);
                (name, span)
            })
            .collect()
    });
    let work = match (model, train, serve) {
        (Some(model), train, serve) => {
            if allot_model::preset(&model).is_none() {
                let hint = did_you_mean(&model, allot_model::preset_ids());
                let d = ctx.error("model", &model, format!("model: unknown preset '{model}'"));
                d.hints.extend(hint);
                d.hints.push(format!(
                    "presets: {}",
                    allot_model::preset_ids().collect::<Vec<_>>().join(", ")
                ));
            }
            if hours.is_some() {
                ctx.error(
                    "hours",
                    "",
                    "allot: give either hours or a model with tokens, not both".to_string(),
                );
            }
            match (train, serve) {
                (Some(tokens), None) => Work::Train {
                    model,
                    tokens,
                    precision,
                    lora,
                },
                (None, Some(tokens)) => Work::Serve {
                    model,
                    tokens,
                    precision,
                    latency,
                    input_tokens,
                    output_tokens,
                },
                _ => {
                    ctx.error(
                        "model",
                        &model,
                        "allot: a model needs exactly one of train_tokens or serve_tokens"
                            .to_string(),
                    );
                    Work::Hours(1.0)
                }
            }
        }
        (None, train, serve) => {
            if train.is_some() || serve.is_some() {
                let key = if train.is_some() {
                    "train_tokens"
                } else {
                    "serve_tokens"
                };
                ctx.error(
                    key,
                    "",
                    format!("allot: {key} needs a model (e.g. model: llama3.1-70b)"),
                );
            }
            Work::Hours(hours.unwrap_or(1.0))
        }
    };
    (work, depends, outputs_gb)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Dag {
        parse_dag("t.yaml", text).unwrap_or_else(|e| {
            panic!(
                "{:?}",
                e.diagnostics()
                    .iter()
                    .map(|d| d.render(Some(text)))
                    .collect::<Vec<_>>()
            )
        })
    }

    fn errors(text: &str) -> Vec<String> {
        match parse_dag("t.yaml", text) {
            Ok(_) => panic!("expected errors"),
            Err(e) => e
                .diagnostics()
                .iter()
                .map(|d| d.render(Some(text)))
                .collect(),
        }
    }

    #[test]
    fn accelerator_forms_follow_skypilot() {
        let one = parse("resources:\n  accelerators: H100:8\n");
        assert_eq!(
            one.tasks[0].choice,
            Choice::AnyOf(vec![Request {
                accelerator: Some(("H100".into(), 8.0)),
                ..Request::default()
            }])
        );
        let set = parse("resources:\n  accelerators: {H100:8, A100:8}\n");
        assert!(!set.tasks[0].choice.is_ordered());
        assert_eq!(set.tasks[0].choice.requests().len(), 2);
        let list = parse("resources:\n  accelerators: [H200:8, H100:8]\n");
        assert!(list.tasks[0].choice.is_ordered());
        assert_eq!(
            list.tasks[0].choice.requests()[0].accelerator,
            Some(("H200".into(), 8.0))
        );
        let counts = parse("resources:\n  gpus: {H100: 8}\n");
        assert_eq!(
            counts.tasks[0].choice.requests()[0].accelerator,
            Some(("H100".into(), 8.0))
        );
    }

    #[test]
    fn any_of_and_ordered_override_the_common_fields() {
        let dag = parse(
            "num_nodes: 2\nresources:\n  use_spot: true\n  accelerators: H100:8\n  ordered:\n    - infra: gcp/us-west1\n    - infra: aws\n      accelerators: A100:8\n",
        );
        let t = &dag.tasks[0];
        assert_eq!(t.num_nodes, 2);
        let r = t.choice.requests();
        assert!(t.choice.is_ordered());
        assert_eq!(
            (r[0].cloud.as_deref(), r[0].region.as_deref()),
            (Some("gcp"), Some("us-west1"))
        );
        assert_eq!(r[0].accelerator, Some(("H100".into(), 8.0)));
        assert_eq!(r[1].accelerator, Some(("A100".into(), 8.0)));
        assert!(r[0].use_spot && r[1].use_spot);
        let k8s = parse("resources:\n  infra: k8s/my-context\n");
        assert_eq!(
            k8s.tasks[0].choice.requests()[0].cloud.as_deref(),
            Some("kubernetes")
        );
    }

    #[test]
    fn a_pipeline_is_a_chain_and_depends_on_makes_a_dag() {
        let chain =
            parse("name: p\n---\nname: a\noutputs: {gs://b/x: 500}\n---\nname: b\n---\nname: c\n");
        assert_eq!(chain.name.as_deref(), Some("p"));
        assert_eq!(chain.edges, vec![(0, 1), (1, 2)]);
        assert_eq!(chain.tasks[0].outputs_gb, 500.0);
        let dag = parse(
            "name: a\nrun: x\n---\nname: b\n---\nname: c\nallot: {depends_on: [a, b], hours: 2}\n",
        );
        assert_eq!(dag.edges, vec![(0, 2), (1, 2)]);
        assert_eq!(dag.tasks[2].work, Work::Hours(2.0));
    }

    #[test]
    fn the_allot_block_gives_model_work() {
        let dag = parse("allot:\n  model: llama3.1-8b\n  train_tokens: 1e9\n  precision: fp8\n");
        assert!(
            matches!(&dag.tasks[0].work, Work::Train { tokens, precision: Precision::Fp8, .. } if *tokens == 1e9)
        );
    }

    #[test]
    fn mistakes_are_located_with_hints() {
        let e = errors("resources:\n  acelerators: H100:8\n");
        assert!(
            e[0].starts_with("t.yaml:2:3: error: unknown field 'acelerators' in resources"),
            "{e:?}"
        );
        assert!(e[0].contains("did you mean 'accelerators'?"), "{e:?}");
        let e = errors("resources:\n  infra: awz/us-east-1\n");
        assert!(
            e[0].contains("unknown cloud 'awz'") && e[0].contains("did you mean 'aws'?"),
            "{e:?}"
        );
        let e = errors("allot:\n  model: llama3-70b\n  train_tokens: 1e9\n");
        assert!(
            e[0].starts_with("t.yaml:2:10:") && e[0].contains("did you mean 'llama3.1-70b'?"),
            "{e:?}"
        );
        let e = errors("name: a\nrun: x\n---\nname: b\nallot: {depends_on: [aa]}\n");
        assert!(
            e[0].contains("no task named 'aa'") && e[0].contains("did you mean 'a'?"),
            "{e:?}"
        );
        let e = errors("resources: [\n");
        assert!(e[0].contains("invalid YAML"), "{e:?}");
        let e = errors("resources:\n  accelerators: H100:eight\n");
        assert!(e[0].contains("should be NAME or NAME:COUNT"), "{e:?}");
        let e = errors("num_nodes: 0\n");
        assert!(e[0].contains("num_nodes"), "{e:?}");
    }
}
