//! Reading exported YAML back into its typed form, for checks and tests.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::Job;
use serde::de::DeserializeOwned;

use crate::{ClusterQueue, JobSet, LocalQueue, ResourceFlavor, SkyTask};

/// An exported YAML document, typed by its `kind` (a SkyPilot task has none).
#[derive(Debug, Clone, PartialEq)]
pub enum Manifest {
    /// A SkyPilot task.
    SkyTask(Box<SkyTask>),
    /// A Kubernetes Job.
    Job(Box<Job>),
    /// A JobSet.
    JobSet(Box<JobSet>),
    /// A Kubernetes Deployment.
    Deployment(Box<Deployment>),
    /// A Kueue ResourceFlavor.
    ResourceFlavor(Box<ResourceFlavor>),
    /// A Kueue ClusterQueue.
    ClusterQueue(Box<ClusterQueue>),
    /// A Kueue LocalQueue.
    LocalQueue(Box<LocalQueue>),
}

fn typed<T: DeserializeOwned + serde::Serialize>(
    text: &str,
    generic: &serde_json::Value,
) -> Result<Box<T>, String> {
    let value: T = serde_norway::from_str(text).map_err(|e| e.to_string())?;
    // Kubernetes API types skip fields they do not know: a round trip that loses something
    // means the document has a field its type lacks.
    let again = serde_json::to_value(&value).map_err(|e| e.to_string())?;
    if again != *generic {
        return Err("the document has fields its type does not know".to_string());
    }
    Ok(Box::new(value))
}

impl Manifest {
    /// Parses one exported YAML document into the type its `kind` names, checking that the
    /// type keeps every field.
    pub fn parse(text: &str) -> Result<Manifest, String> {
        let generic: serde_json::Value = serde_norway::from_str(text).map_err(|e| e.to_string())?;
        let kind = generic.get("kind").and_then(|k| k.as_str());
        Ok(match kind {
            None => Manifest::SkyTask(typed(text, &generic)?),
            Some("Job") => Manifest::Job(typed(text, &generic)?),
            Some("JobSet") => Manifest::JobSet(typed(text, &generic)?),
            Some("Deployment") => Manifest::Deployment(typed(text, &generic)?),
            Some("ResourceFlavor") => Manifest::ResourceFlavor(typed(text, &generic)?),
            Some("ClusterQueue") => Manifest::ClusterQueue(typed(text, &generic)?),
            Some("LocalQueue") => Manifest::LocalQueue(typed(text, &generic)?),
            Some(other) => return Err(format!("unexpected kind '{other}'")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_caught_even_where_the_api_types_ignore_them() {
        let job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: a\nspec:\n  template: {}\n";
        assert!(matches!(Manifest::parse(job), Ok(Manifest::Job(_))));
        let typo = job.replace("template: {}", "template: {}\n  paralelism: 2");
        assert!(Manifest::parse(&typo).is_err());
        let task =
            "name: a\nresources: {infra: aws, accelerators: 'H100:8'}\nnum_nodes: 1\nrun: x\n";
        assert!(matches!(Manifest::parse(task), Ok(Manifest::SkyTask(_))));
        assert!(Manifest::parse(&format!("{task}setup: y\n")).is_err());
        assert!(Manifest::parse("kind: Pod\n").is_err());
    }
}
