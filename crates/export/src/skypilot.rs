//! SkyPilot task YAML: one task per training run (`sky launch`) and one service per serving
//! pool (`sky serve up`), with SkyPilot's accelerator names and `infra: cloud/region`.

use serde::{Deserialize, Serialize};

use crate::family::{self, Family};
use crate::placement::{Kind, Workload};
use crate::{File, Settings, command, yaml_file};

/// A SkyPilot task: the part of SkyPilot's task YAML that allot writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkyTask {
    /// Task name.
    pub name: String,
    /// Where and on what it runs.
    pub resources: SkyResources,
    /// Nodes (hosts) of the task; a TPU slice counts as one.
    pub num_nodes: u32,
    /// For serving: the SkyServe service section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<SkyService>,
    /// The command run on every node.
    pub run: String,
}

/// A task's `resources` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkyResources {
    /// `cloud`, `cloud/region`, or `kubernetes` for providers SkyPilot reaches through
    /// Kubernetes (e.g. CoreWeave, your own data centre).
    pub infra: String,
    /// `NAME:COUNT` per node (e.g. `H100:8`), or a TPU slice name (e.g. `tpu-v6e-8`).
    pub accelerators: String,
    /// The offering's instance type, when SkyPilot's catalog uses the same name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    /// Spot capacity, when the plan chose a spot offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_spot: Option<bool>,
    /// Port a service listens on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<u16>,
}

/// A SkyServe `service` section with a fixed number of replicas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkyService {
    /// Path probed for readiness.
    pub readiness_probe: String,
    /// Replicas.
    pub replicas: u32,
}

/// Clouds SkyPilot supports under allot's provider ids (SkyPilot's `ALL_CLOUDS`).
const SKYPILOT_CLOUDS: [&str; 8] = [
    "aws",
    "azure",
    "gcp",
    "oci",
    "lambda",
    "nebius",
    "runpod",
    "fluidstack",
];

/// The port the stand-in service listens on.
const SERVE_PORT: u16 = 8080;

/// `true` for names SkyPilot can take as a region or instance type: no spaces, parentheses or
/// slashes ("all regions", "us-east-1/us-east-2" and "UltraServer" descriptions are not).
fn is_identifier(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn infra(w: &Workload<'_>) -> String {
    let provider = w.provider.as_str();
    if !SKYPILOT_CLOUDS.contains(&provider) {
        return "kubernetes".to_string();
    }
    let region = w.offering.region.as_str();
    if is_identifier(region) && region.chars().all(|c| !c.is_ascii_uppercase()) {
        format!("{provider}/{region}")
    } else {
        provider.to_string()
    }
}

/// The accelerators value and nodes of a workload, or why SkyPilot cannot express it.
fn accelerators(w: &Workload<'_>) -> Result<(String, u32), String> {
    match (w.family, &w.tpu) {
        (Family::Tpu(generation), Some(slice)) => {
            let name = generation.skypilot_name(slice.chips).ok_or_else(|| {
                format!("SkyPilot has no accelerator name for {}", w.accelerator.id)
            })?;
            Ok((name, 1))
        }
        _ => {
            let name = family::skypilot_name(&w.accelerator.id, &w.offering.instance).ok_or_else(
                || format!("SkyPilot has no accelerator name for {}", w.accelerator.id),
            )?;
            let nodes = match w.kind {
                Kind::Training => w.hosts,
                Kind::Serving => 1,
            };
            Ok((format!("{name}:{}", w.chips_per_host), nodes))
        }
    }
}

/// One task YAML per workload SkyPilot can run.
pub(crate) fn tasks(
    workloads: &[Workload<'_>],
    settings: &Settings,
    notes: &mut Vec<String>,
) -> Vec<File> {
    let mut files = Vec::new();
    for w in workloads {
        let (accelerators, num_nodes) = match accelerators(w) {
            Ok(a) => a,
            Err(why) => {
                notes.push(format!("{}: skipped: {why}", w.slug));
                continue;
            }
        };
        if w.slices > 1 {
            notes.push(format!(
                "{}: SkyPilot runs one TPU slice per task; the plan's {} slices need TPU \
                 multislice, so the task asks for one slice",
                w.slug, w.slices
            ));
        }
        let cloud = infra(w);
        let same_instance = w.chips_per_host == w.offering.chips_per_instance
            && !matches!(w.family, Family::Tpu(_))
            && cloud != "kubernetes";
        let serving = w.kind == Kind::Serving;
        let task = SkyTask {
            name: w.slug.clone(),
            resources: SkyResources {
                infra: cloud,
                accelerators,
                instance_type: (same_instance && is_identifier(&w.offering.instance))
                    .then(|| w.offering.instance.clone()),
                use_spot: (w.offering.price_model == allot_catalog::PriceModel::Spot)
                    .then_some(true),
                ports: serving.then_some(SERVE_PORT),
            },
            num_nodes,
            service: serving.then(|| SkyService {
                readiness_probe: "/".to_string(),
                replicas: w.replicas,
            }),
            run: command(
                w,
                settings,
                &format!("exec python3 -m http.server {SERVE_PORT}"),
            ),
        };
        let (prefix, how) = if serving {
            ("serve", format!("sky serve up -n {} FILE", w.slug))
        } else {
            ("train", format!("sky launch -c {} FILE", w.slug))
        };
        let header = format!(
            "SkyPilot task written by `allot export`.\n{}\nRun: {how}",
            w.describe()
        );
        files.push(yaml_file(
            format!("{prefix}-{}.yaml", w.slug),
            &header,
            &task,
        ));
    }
    files
}
