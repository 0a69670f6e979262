//! Kubernetes manifests from typed API structs: a batch/v1 Job for a single-host training run,
//! a JobSet (a CRD, typed here) for a multi-host one or a TPU multislice, and an apps/v1
//! Deployment per serving pool. Pods request the family's device-plugin resource and select
//! nodes with the provider's labels.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::batch::v1::{Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    Container, PodSpec, PodTemplateSpec, ResourceRequirements, Toleration,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::{Deserialize, Serialize};

use crate::family::{self, Family};
use crate::kueue::QUEUE_LABEL;
use crate::placement::{Kind, Workload};
use crate::{File, Settings, command, yaml_file};

/// JobSet's API version.
pub const JOBSET_API_VERSION: &str = "jobset.x-k8s.io/v1alpha2";

/// A JobSet (`jobset.x-k8s.io/v1alpha2`): a group of Jobs started and failed together, with
/// stable pod host names; the part of the CRD that allot writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JobSet {
    /// Always [`JOBSET_API_VERSION`].
    pub api_version: String,
    /// Always `JobSet`.
    pub kind: String,
    /// Name, labels, annotations.
    pub metadata: ObjectMeta,
    /// The replicated jobs.
    pub spec: JobSetSpec,
}

/// A JobSet's spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JobSetSpec {
    /// Groups of identical Jobs.
    pub replicated_jobs: Vec<ReplicatedJob>,
    /// Created suspended (as Kueue wants queued workloads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
}

/// `replicas` copies of one Job template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplicatedJob {
    /// Name of the group.
    pub name: String,
    /// Copies of the Job (TPU slices).
    pub replicas: i32,
    /// The Job.
    pub template: JobTemplateSpec,
}

/// Well-known node label holding the cloud instance type (set on EKS, GKE, AKS and OKE nodes).
const INSTANCE_TYPE_LABEL: &str = "node.kubernetes.io/instance-type";

/// Providers whose managed Kubernetes sets [`INSTANCE_TYPE_LABEL`] to the instance names the
/// catalog uses.
const INSTANCE_TYPE_PROVIDERS: [&str; 4] = ["aws", "azure", "gcp", "oci"];

/// The label nodes are selected by where no provider convention applies, after the
/// `kubectl label nodes NODE accelerator=...` example of Kubernetes' "Schedule GPUs" page.
const ACCELERATOR_LABEL: &str = "accelerator";

/// The node labels that identify where an offering's chips run (without a TPU topology, which
/// depends on the slice): the basis of pod node selectors and Kueue ResourceFlavors.
pub(crate) fn node_labels(
    provider: &str,
    offering: &allot_catalog::Offering,
    chip_id: &str,
    family: Family,
) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    let instance = offering.instance.as_str();
    let whole_instance =
        family.chips_per_host(chip_id, offering.chips_per_instance) == offering.chips_per_instance;
    let instance_is_name = !instance.is_empty()
        && !instance
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '(' | ')' | '/'));
    match family {
        Family::Tpu(generation) if provider == "gcp" => {
            labels.insert(
                "cloud.google.com/gke-tpu-accelerator".to_string(),
                generation.gke_accelerator().to_string(),
            );
        }
        Family::NvidiaGpu
            if provider == "gcp" && family::gke_accelerator(chip_id, instance).is_some() =>
        {
            labels.insert(
                "cloud.google.com/gke-accelerator".to_string(),
                family::gke_accelerator(chip_id, instance)
                    .unwrap_or_default()
                    .to_string(),
            );
        }
        _ if INSTANCE_TYPE_PROVIDERS.contains(&provider) && whole_instance && instance_is_name => {
            labels.insert(INSTANCE_TYPE_LABEL.to_string(), instance.to_string());
        }
        _ => {
            labels.insert(ACCELERATOR_LABEL.to_string(), chip_id.to_string());
        }
    }
    labels
}

/// The toleration for the taint device nodes usually carry (`RESOURCE:NoSchedule`).
pub(crate) fn toleration(resource: &str) -> Toleration {
    Toleration {
        key: Some(resource.to_string()),
        operator: Some("Exists".to_string()),
        effect: Some("NoSchedule".to_string()),
        ..Toleration::default()
    }
}

fn pod_template(
    w: &Workload<'_>,
    resource: &str,
    settings: &Settings,
    labels: &BTreeMap<String, String>,
) -> PodTemplateSpec {
    let mut selector = node_labels(&w.provider, w.offering, &w.accelerator.id, w.family);
    if let Some(slice) = &w.tpu {
        selector.insert(
            "cloud.google.com/gke-tpu-topology".to_string(),
            slice.topology.clone(),
        );
    }
    let devices: BTreeMap<String, Quantity> =
        [(resource.to_string(), Quantity(w.chips_per_host.to_string()))].into();
    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(labels.clone()),
            ..ObjectMeta::default()
        }),
        spec: Some(PodSpec {
            containers: vec![Container {
                name: "main".to_string(),
                image: Some(settings.image.clone()),
                command: Some(vec![
                    "/bin/sh".to_string(),
                    "-c".to_string(),
                    command(w, settings, "exec sleep infinity"),
                ]),
                resources: Some(ResourceRequirements {
                    limits: Some(devices.clone()),
                    requests: Some(devices),
                    ..ResourceRequirements::default()
                }),
                ..Container::default()
            }],
            node_selector: Some(selector),
            tolerations: Some(vec![toleration(resource)]),
            restart_policy: (w.kind == Kind::Training).then(|| "Never".to_string()),
            ..PodSpec::default()
        }),
    }
}

fn metadata(w: &Workload<'_>, labels: &BTreeMap<String, String>) -> ObjectMeta {
    ObjectMeta {
        name: Some(w.slug.clone()),
        labels: Some(labels.clone()),
        annotations: Some(
            [
                ("allot-plan".to_string(), w.describe()),
                ("allot-offering".to_string(), w.offering.id.clone()),
            ]
            .into(),
        ),
        ..ObjectMeta::default()
    }
}

/// A Job of `pods` pods that may run until the end of the run's last planned period.
fn job_spec(w: &Workload<'_>, pods: i32, template: PodTemplateSpec, suspend: bool) -> JobSpec {
    JobSpec {
        parallelism: Some(pods),
        completions: Some(pods),
        completion_mode: (pods > 1).then(|| "Indexed".to_string()),
        backoff_limit: Some(0),
        active_deadline_seconds: (w.hours > 0.0).then(|| (w.hours * 3600.0).ceil() as i64),
        suspend: suspend.then_some(true),
        template,
        ..JobSpec::default()
    }
}

/// Manifests for every workload with a known device plugin, in folders per provider; with
/// `queue`, labelled for that Kueue LocalQueue and created suspended.
pub(crate) fn manifests(
    workloads: &[Workload<'_>],
    settings: &Settings,
    queue: Option<&str>,
    notes: &mut Vec<String>,
) -> Vec<File> {
    let mut files = Vec::new();
    for w in workloads {
        let Some(resource) = w.family.k8s_resource() else {
            notes.push(format!(
                "{}: skipped: no Kubernetes device plugin is known for {} ({})",
                w.slug, w.accelerator.id, w.accelerator.vendor
            ));
            continue;
        };
        let mut labels: BTreeMap<String, String> =
            [("app.kubernetes.io/name".to_string(), w.slug.clone())].into();
        if let Some(q) = queue {
            labels.insert(QUEUE_LABEL.to_string(), q.to_string());
        }
        let template = pod_template(w, resource, settings, &labels);
        let header = format!(
            "Kubernetes manifest written by `allot export`.\n{}\nApply: kubectl apply -f FILE",
            w.describe()
        );
        let dir = crate::placement::slug(&w.provider, 63);
        let suspend = queue.is_some();
        match w.kind {
            Kind::Training if w.hosts == 1 && w.slices == 1 => {
                let job = Job {
                    metadata: metadata(w, &labels),
                    spec: Some(job_spec(w, 1, template, suspend)),
                    status: None,
                };
                files.push(yaml_file(
                    format!("{dir}/job-{}.yaml", w.slug),
                    &header,
                    &job,
                ));
            }
            Kind::Training => {
                let mut meta = metadata(w, &labels);
                if w.tpu.is_some() && w.slices > 1 {
                    // One slice per Job, each on its own TPU node pool (GKE multislice).
                    meta.annotations.get_or_insert_default().insert(
                        "alpha.jobset.sigs.k8s.io/exclusive-topology".to_string(),
                        "cloud.google.com/gke-nodepool".to_string(),
                    );
                }
                let hosts = i32::try_from(w.hosts).unwrap_or(i32::MAX);
                let jobset = JobSet {
                    api_version: JOBSET_API_VERSION.to_string(),
                    kind: "JobSet".to_string(),
                    metadata: meta,
                    spec: JobSetSpec {
                        replicated_jobs: vec![ReplicatedJob {
                            name: crate::placement::REPLICATED_JOB.to_string(),
                            replicas: i32::try_from(w.slices).unwrap_or(i32::MAX),
                            template: JobTemplateSpec {
                                metadata: None,
                                spec: Some(job_spec(w, hosts, template, false)),
                            },
                        }],
                        suspend: suspend.then_some(true),
                    },
                };
                files.push(yaml_file(
                    format!("{dir}/jobset-{}.yaml", w.slug),
                    &header,
                    &jobset,
                ));
            }
            Kind::Serving => {
                let deployment = Deployment {
                    metadata: metadata(w, &labels),
                    spec: Some(DeploymentSpec {
                        replicas: Some(i32::try_from(w.replicas).unwrap_or(i32::MAX)),
                        selector: LabelSelector {
                            match_labels: Some(
                                [("app.kubernetes.io/name".to_string(), w.slug.clone())].into(),
                            ),
                            ..LabelSelector::default()
                        },
                        template,
                        ..DeploymentSpec::default()
                    }),
                    status: None,
                };
                files.push(yaml_file(
                    format!("{dir}/deployment-{}.yaml", w.slug),
                    &header,
                    &deployment,
                ));
            }
        }
    }
    files
}
