//! The `resources` block of a SkyPilot task: accelerators (one, a set, an ordered list),
//! `any_of` and `ordered` overrides, `infra` or `cloud`/`region`/`zone`, spot, price cap,
//! instance type, vCPUs and memory — read as `Resources.from_yaml_config` of SkyPilot v0.14.1
//! reads them.

use serde_norway::{Mapping, Value};

use crate::locate::did_you_mean;
use crate::yaml::{Ctx, key_str, scalar_text};

/// Keys of one SkyPilot resources block (schema of v0.14.1).
const RESOURCE_KEYS: &[&str] = &[
    "accelerators",
    "gpus",
    "accelerator_args",
    "infra",
    "cloud",
    "region",
    "zone",
    "instance_type",
    "cpus",
    "memory",
    "use_spot",
    "job_recovery",
    "spot_recovery",
    "disk_size",
    "disk_tier",
    "network_tier",
    "ephemeral_storage",
    "image_id",
    "local_disk",
    "max_hourly_cost",
    "ports",
    "labels",
    "autostop",
    "priority",
    "priority_class",
    "volumes",
    "any_of",
    "ordered",
    "_docker_login_config",
    "_is_image_managed",
    "_requires_fuse",
    "_cluster_config_overrides",
    "_no_missing_accel_warnings",
];

/// Cloud names SkyPilot knows (`sky check`), plus `k8s`.
pub const KNOWN_CLOUDS: &[&str] = &[
    "aws",
    "azure",
    "gcp",
    "ibm",
    "lambda",
    "nebius",
    "oci",
    "runpod",
    "fluidstack",
    "cudo",
    "paperspace",
    "do",
    "vast",
    "hyperbolic",
    "scp",
    "vsphere",
    "primeintellect",
    "seeweb",
    "shadeform",
    "mithril",
    "verda",
    "yotta",
    "kubernetes",
    "k8s",
    "ssh",
    "slurm",
];

/// The acceptable resources of a task.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// Any of these (a set): the best one wins.
    AnyOf(Vec<Request>),
    /// These in the user's order: the first that can be launched wins.
    Ordered(Vec<Request>),
}

impl Choice {
    /// The requests, in the order written.
    pub fn requests(&self) -> &[Request] {
        match self {
            Choice::AnyOf(r) | Choice::Ordered(r) => r,
        }
    }

    /// Whether the order is a preference.
    pub fn is_ordered(&self) -> bool {
        matches!(self, Choice::Ordered(_))
    }
}

/// A bound on vCPUs or memory: exactly, at least, or (memory) at least so much per vCPU.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Amount {
    /// Exactly this.
    Exactly(f64),
    /// At least this (`8+`).
    AtLeast(f64),
    /// Memory of at least this many GiB per vCPU (`4x`).
    PerCpu(f64),
}

/// One acceptable resources configuration.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Request {
    /// Accelerator name and count per node.
    pub accelerator: Option<(String, f64)>,
    /// Cloud id (`kubernetes` for `k8s`).
    pub cloud: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Zone.
    pub zone: Option<String>,
    /// Spot instances.
    pub use_spot: bool,
    /// Highest acceptable price per node-hour (spot price when `use_spot`).
    pub max_hourly_cost: Option<f64>,
    /// A given instance type.
    pub instance_type: Option<String>,
    /// vCPUs per node.
    pub cpus: Option<Amount>,
    /// Memory per node, GiB.
    pub memory: Option<Amount>,
}

impl Request {
    /// `H100:8 [spot] on aws/us-east-1`, for tables and messages.
    pub fn label(&self) -> String {
        let mut s = match &self.accelerator {
            Some((a, n)) => format!("{a}:{}", crate::catalog::count_label(*n)),
            None => "CPU".to_string(),
        };
        if self.use_spot {
            s.push_str(" [spot]");
        }
        if let Some(c) = &self.cloud {
            s.push_str(&format!(" on {c}"));
            for part in [&self.region, &self.zone].into_iter().flatten() {
                s.push_str(&format!("/{part}"));
            }
        }
        s
    }
}

/// The accelerators of one resources block: names with counts, and whether they were a list.
fn parse_accelerators(ctx: &mut Ctx<'_>, key: &str, v: &Value) -> (Vec<(String, f64)>, bool) {
    let mut out = Vec::new();
    let mut one = |ctx: &mut Ctx<'_>, s: &str| {
        let s = s.trim();
        let (name, count) = match s.split_once(':') {
            None => (s, Some(1.0)),
            Some((n, c)) => (n.trim(), c.trim().parse::<f64>().ok()),
        };
        if name.is_empty() || s.matches(':').count() > 1 || count.is_none() {
            ctx.error(key, s, format!("{key}: '{s}' should be NAME or NAME:COUNT"))
                .hints
                .push("e.g. H100:8".to_string());
            return;
        }
        let count = count.unwrap_or(1.0);
        if count <= 0.0 {
            ctx.error(
                key,
                s,
                format!("{key}: the count of '{name}' must be positive"),
            );
            return;
        }
        let unit = name.trim_end_matches('+');
        let digits = unit.len() - unit.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let is_memory = digits > 0
            && ["gb", "mb", "tb"].contains(&unit[digits..].to_ascii_lowercase().as_str());
        if is_memory {
            ctx.error(
                key,
                s,
                format!("{key}: memory-based selection ('{s}') is not supported by allot place"),
            )
            .hints
            .push("name the accelerators, e.g. {H100:8, A100-80GB:8}".to_string());
            return;
        }
        if !out
            .iter()
            .any(|(n, c): &(String, f64)| n == name && *c == count)
        {
            out.push((name.to_string(), count));
        }
    };
    let is_list = matches!(v, Value::Sequence(_));
    match v {
        Value::String(s) => one(ctx, s),
        Value::Mapping(m) => {
            for (k, count) in m {
                let name = key_str(k);
                match count {
                    Value::Null => one(ctx, &name),
                    other => one(ctx, &format!("{name}:{}", scalar_text(other))),
                }
            }
        }
        Value::Sequence(items) => {
            for item in items {
                one(ctx, &scalar_text(item));
            }
        }
        other => {
            let shown = scalar_text(other);
            ctx.error(
                key,
                &shown,
                format!("{key}: expected NAME:COUNT, a set or a list"),
            );
        }
    }
    (out, is_list)
}

pub(crate) fn parse_resources(ctx: &mut Ctx<'_>, v: Option<&Value>, top: bool) -> Choice {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Choice::AnyOf(vec![Request::default()]);
    };
    let Value::Mapping(map) = v else {
        ctx.error("resources", "", "resources: expected a mapping".to_string());
        return Choice::AnyOf(vec![Request::default()]);
    };
    let mut base = map.clone();
    ctx.unknown_keys(&base, RESOURCE_KEYS, "resources");
    if let Some(g) = base.remove("gpus") {
        if base.contains_key("accelerators") {
            ctx.error(
                "gpus",
                "",
                "resources: give accelerators or gpus, not both".to_string(),
            );
        }
        base.insert(Value::from("accelerators"), g);
    }
    let any_of = base.remove("any_of");
    let ordered = base.remove("ordered");
    if !top && (any_of.is_some() || ordered.is_some()) {
        ctx.error(
            "any_of",
            "",
            "any_of and ordered cannot be nested".to_string(),
        );
        return Choice::AnyOf(Vec::new());
    }
    if any_of.is_some() && ordered.is_some() {
        ctx.error(
            "ordered",
            "",
            "resources: give any_of or ordered, not both".to_string(),
        );
    }
    let (accels, is_list) = match base.get("accelerators").filter(|v| !v.is_null()) {
        Some(a) => {
            let a = a.clone();
            parse_accelerators(ctx, "accelerators", &a)
        }
        None => (Vec::new(), false),
    };
    if accels.len() > 1 && ordered.is_some() {
        ctx.error(
            "ordered",
            "",
            "resources: several accelerators cannot be combined with ordered".to_string(),
        );
    }
    if accels.len() > 1 && is_list && any_of.is_some() {
        ctx.error(
            "any_of",
            "",
            "resources: an ordered list of accelerators cannot be combined with any_of".to_string(),
        );
    }
    for (key, list, ordered_kind) in [("any_of", &any_of, false), ("ordered", &ordered, true)] {
        let Some(list) = list else { continue };
        let Value::Sequence(items) = list else {
            ctx.error(key, "", format!("{key}: expected a list of resources"));
            continue;
        };
        let mut requests = Vec::new();
        for item in items {
            let Value::Mapping(over) = item else {
                ctx.error(
                    key,
                    "",
                    format!("{key}: each entry is a mapping of resource fields"),
                );
                continue;
            };
            let mut merged = base.clone();
            for (k, v) in over {
                let k = match key_str(k).as_str() {
                    "gpus" => Value::from("accelerators"),
                    _ => k.clone(),
                };
                merged.insert(k, v.clone());
            }
            requests.extend(
                parse_resources(ctx, Some(&Value::Mapping(merged)), false)
                    .requests()
                    .iter()
                    .cloned(),
            );
        }
        return if ordered_kind {
            Choice::Ordered(requests)
        } else {
            Choice::AnyOf(requests)
        };
    }
    if accels.is_empty() {
        return Choice::AnyOf(vec![single(ctx, &base, None)]);
    }
    let requests: Vec<Request> = accels
        .into_iter()
        .map(|a| single(ctx, &base, Some(a)))
        .collect();
    if is_list {
        Choice::Ordered(requests)
    } else {
        Choice::AnyOf(requests)
    }
}

fn amount(ctx: &mut Ctx<'_>, key: &str, v: &Value, per_cpu: bool) -> Option<Amount> {
    let s = scalar_text(v);
    let t = s.trim();
    let (body, kind) = if let Some(b) = t.strip_suffix('+') {
        (b, 1)
    } else if let Some(b) = t.strip_suffix('x').filter(|_| per_cpu) {
        (b, 2)
    } else {
        (t, 0)
    };
    match body.trim().parse::<f64>() {
        Ok(x) if x > 0.0 => Some(match kind {
            1 => Amount::AtLeast(x),
            2 => Amount::PerCpu(x),
            _ => Amount::Exactly(x),
        }),
        _ => {
            let forms = if per_cpu { "N, N+ or Nx" } else { "N or N+" };
            ctx.error(key, t, format!("{key}: '{t}' should be {forms}"));
            None
        }
    }
}

fn single(ctx: &mut Ctx<'_>, m: &Mapping, accelerator: Option<(String, f64)>) -> Request {
    let mut r = Request {
        accelerator,
        ..Request::default()
    };
    let get = |k: &str| m.get(k).filter(|v| !v.is_null());
    let infra = get("infra").and_then(|v| ctx.string("infra", v));
    let cloud = get("cloud").and_then(|v| ctx.string("cloud", v));
    r.region = get("region").and_then(|v| ctx.string("region", v));
    r.zone = get("zone").and_then(|v| ctx.string("zone", v));
    if let Some(infra) = infra {
        if cloud.is_some() || r.region.is_some() || r.zone.is_some() {
            ctx.error(
                "infra",
                &infra,
                "resources: give infra, or cloud/region/zone, not both".to_string(),
            );
        }
        let parts: Vec<&str> = infra
            .trim()
            .trim_matches('/')
            .split('/')
            .map(str::trim)
            .collect();
        if parts.iter().any(|p| p.is_empty()) {
            ctx.error(
                "infra",
                &infra,
                format!("infra: '{infra}' should be CLOUD, CLOUD/REGION or CLOUD/REGION/ZONE"),
            );
        } else {
            let cloud = parts[0].to_ascii_lowercase();
            let star = |p: Option<&&str>| p.filter(|p| **p != "*").map(|p| p.to_string());
            if cloud == "k8s" || cloud == "kubernetes" {
                r.cloud = Some("kubernetes".to_string());
                r.region = (parts.len() > 1).then(|| parts[1..].join("/"));
            } else {
                r.cloud = (cloud != "*").then_some(cloud);
                r.region = star(parts.get(1));
                r.zone = star(parts.get(2));
                if parts.len() > 3 {
                    ctx.error(
                        "infra",
                        &infra,
                        format!("infra: '{infra}' has more than CLOUD/REGION/ZONE"),
                    );
                }
            }
        }
    } else if let Some(c) = cloud {
        let c = c.to_ascii_lowercase();
        r.cloud = Some(if c == "k8s" {
            "kubernetes".to_string()
        } else {
            c
        });
    }
    if let Some(c) = r.cloud.clone() {
        if !KNOWN_CLOUDS.contains(&c.as_str()) {
            let hint = did_you_mean(&c, KNOWN_CLOUDS.iter().copied());
            let key = if m.contains_key("infra") {
                "infra"
            } else {
                "cloud"
            };
            let d = ctx.error(key, &c, format!("{key}: unknown cloud '{c}'"));
            d.hints.extend(hint);
        }
    }
    if let Some(v) = get("use_spot") {
        r.use_spot = ctx.boolean("use_spot", v).unwrap_or(false);
    }
    r.max_hourly_cost = get("max_hourly_cost").and_then(|v| ctx.positive("max_hourly_cost", v));
    r.instance_type = get("instance_type").and_then(|v| ctx.string("instance_type", v));
    r.cpus = get("cpus").and_then(|v| amount(ctx, "cpus", v, false));
    r.memory = get("memory").and_then(|v| amount(ctx, "memory", v, true));
    r
}
