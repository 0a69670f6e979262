//! Kueue objects (CRDs, typed here): a ResourceFlavor per provider and accelerator, a
//! ClusterQueue per provider whose nominal quotas are the plan's capacity in one period
//! (rounded up to whole hosts), and a LocalQueue that the exported workloads are labelled for.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::{Deserialize, Serialize};

use crate::kubernetes::node_labels;
use crate::placement::{Resolver, chips_per_host, entry_in_order, slug, whole};
use crate::{ExportError, File, yaml_file};

/// Kueue's API version.
pub const KUEUE_API_VERSION: &str = "kueue.x-k8s.io/v1beta1";

/// The label that puts a workload in a LocalQueue.
pub const QUEUE_LABEL: &str = "kueue.x-k8s.io/queue-name";

/// The LocalQueue name the exported workloads use.
pub(crate) const LOCAL_QUEUE: &str = "allot";

/// A Kueue ResourceFlavor: a kind of node, by its labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceFlavor {
    /// Always [`KUEUE_API_VERSION`].
    pub api_version: String,
    /// Always `ResourceFlavor`.
    pub kind: String,
    /// Name.
    pub metadata: ObjectMeta,
    /// The node labels.
    pub spec: ResourceFlavorSpec,
}

/// A ResourceFlavor's spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceFlavorSpec {
    /// Labels of the nodes of this flavor; Kueue adds them to admitted pods' node selectors.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_labels: BTreeMap<String, String>,
}

/// A Kueue ClusterQueue: quotas per flavor and resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterQueue {
    /// Always [`KUEUE_API_VERSION`].
    pub api_version: String,
    /// Always `ClusterQueue`.
    pub kind: String,
    /// Name and the plan's period as an annotation.
    pub metadata: ObjectMeta,
    /// The quotas.
    pub spec: ClusterQueueSpec,
}

/// A ClusterQueue's spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterQueueSpec {
    /// Namespaces whose LocalQueues may use it (`{}`: all).
    pub namespace_selector: LabelSelector,
    /// One group per device resource.
    pub resource_groups: Vec<ResourceGroup>,
}

/// Flavors that share the resources they cover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceGroup {
    /// Resource names, e.g. `nvidia.com/gpu`.
    pub covered_resources: Vec<String>,
    /// Quotas per flavor, tried in order.
    pub flavors: Vec<FlavorQuotas>,
}

/// One flavor's quotas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FlavorQuotas {
    /// ResourceFlavor name.
    pub name: String,
    /// One quota per covered resource.
    pub resources: Vec<ResourceQuota>,
}

/// A quota of one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceQuota {
    /// Resource name.
    pub name: String,
    /// Quota available without borrowing.
    pub nominal_quota: Quantity,
}

/// A Kueue LocalQueue: the namespaced queue workloads name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocalQueue {
    /// Always [`KUEUE_API_VERSION`].
    pub api_version: String,
    /// Always `LocalQueue`.
    pub kind: String,
    /// Name (applied in the namespace given to kubectl).
    pub metadata: ObjectMeta,
    /// Its ClusterQueue.
    pub spec: LocalQueueSpec,
}

/// A LocalQueue's spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocalQueueSpec {
    /// ClusterQueue name.
    pub cluster_queue: String,
}

/// A flavor being built: its resource, node labels, chips per host and chips in the period.
struct Flavor {
    name: String,
    resource: &'static str,
    labels: BTreeMap<String, String>,
    chips_per_host: u32,
    chips: f64,
}

fn named(name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        ..ObjectMeta::default()
    }
}

/// ResourceFlavors, ClusterQueue and LocalQueue per provider, with the plan's capacity in
/// `period` as quota.
pub(crate) fn queues(
    resolver: &Resolver<'_, '_>,
    period: &str,
    notes: &mut Vec<String>,
) -> Result<Vec<File>, ExportError> {
    // Providers in order of first appearance, each with its flavors.
    let mut providers: Vec<(String, Vec<Flavor>)> = Vec::new();
    for (i, line) in resolver.plan.capacity.iter().enumerate() {
        let field = format!("capacity[{i}].offering");
        let offering = resolver.offering(&line.offering, &field)?;
        let (accelerator, family) = resolver.accelerator(offering, &field)?;
        let Some(resource) = family.k8s_resource() else {
            let note = format!(
                "{}: no Kubernetes device plugin is known for {}: no ResourceFlavor",
                offering.id, accelerator.id
            );
            if !notes.contains(&note) {
                notes.push(note);
            }
            continue;
        };
        let labels = node_labels(&line.provider, offering, &accelerator.id, family);
        let flavors = entry_in_order(&mut providers, line.provider.clone());
        let per_host = chips_per_host(offering, family, &accelerator.id);
        let chips = if line.period == period {
            line.chips
        } else {
            0.0
        };
        if let Some(f) = flavors
            .iter_mut()
            .find(|f| f.resource == resource && f.labels == labels)
        {
            f.chips += chips;
            f.chips_per_host = f.chips_per_host.max(per_host);
            continue;
        }
        let mut name = slug(&format!("{}-{}", line.provider, accelerator.id), 63);
        if flavors.iter().any(|f| f.name == name) {
            name = slug(
                &format!("{}-{}-{}", line.provider, accelerator.id, offering.instance),
                63,
            );
        }
        flavors.push(Flavor {
            name,
            resource,
            labels,
            chips_per_host: per_host,
            chips,
        });
    }
    let mut files = Vec::new();
    for (provider, flavors) in providers {
        let dir = slug(&provider, 63);
        let queue_name = slug(&format!("allot-{provider}"), 63);
        let mut groups: Vec<ResourceGroup> = Vec::new();
        for f in &flavors {
            let quota = whole(f.chips).div_ceil(f.chips_per_host) * f.chips_per_host;
            let header = format!(
                "Kueue ResourceFlavor written by `allot export`: {} on {provider}.",
                f.resource
            );
            files.push(yaml_file(
                format!("{dir}/resourceflavor-{}.yaml", f.name),
                &header,
                &ResourceFlavor {
                    api_version: KUEUE_API_VERSION.to_string(),
                    kind: "ResourceFlavor".to_string(),
                    metadata: named(&f.name),
                    spec: ResourceFlavorSpec {
                        node_labels: f.labels.clone(),
                    },
                },
            ));
            let quotas = FlavorQuotas {
                name: f.name.clone(),
                resources: vec![ResourceQuota {
                    name: f.resource.to_string(),
                    nominal_quota: Quantity(quota.to_string()),
                }],
            };
            match groups
                .iter_mut()
                .find(|g| g.covered_resources == [f.resource])
            {
                Some(g) => g.flavors.push(quotas),
                None => groups.push(ResourceGroup {
                    covered_resources: vec![f.resource.to_string()],
                    flavors: vec![quotas],
                }),
            }
        }
        let mut meta = named(&queue_name);
        meta.annotations = Some([("allot-period".to_string(), period.to_string())].into());
        let header = format!(
            "Kueue ClusterQueue written by `allot export`: {provider}'s capacity planned for \
             {period},\nrounded up to whole hosts."
        );
        files.push(yaml_file(
            format!("{dir}/clusterqueue.yaml"),
            &header,
            &ClusterQueue {
                api_version: KUEUE_API_VERSION.to_string(),
                kind: "ClusterQueue".to_string(),
                metadata: meta,
                spec: ClusterQueueSpec {
                    namespace_selector: LabelSelector::default(),
                    resource_groups: groups,
                },
            },
        ));
        files.push(yaml_file(
            format!("{dir}/localqueue.yaml"),
            "Kueue LocalQueue written by `allot export`: apply it in the workloads' namespace.",
            &LocalQueue {
                api_version: KUEUE_API_VERSION.to_string(),
                kind: "LocalQueue".to_string(),
                metadata: named(LOCAL_QUEUE),
                spec: LocalQueueSpec {
                    cluster_queue: queue_name,
                },
            },
        ));
    }
    Ok(files)
}
