//! A risk run split into shards (`allot risk --slurm-array N`, `--indexed-job N`): the Slurm
//! job array script and the Kubernetes Indexed Job that run shard K of N in task K, each task
//! writing `shard-K.json` for the merge. The same task command in both; every text that comes
//! from the user is quoted for its format (the shell in the script, Kubernetes' `$(VAR)`
//! expansion in the manifest), and the scenario's name reaches comments only, escaped.

use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{
    Container, EnvVar, EnvVarSource, ObjectFieldSelector, PersistentVolumeClaimVolumeSource,
    PodSpec, PodTemplateSpec, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::{File, shell_quote, yaml_file};

/// The name of the Slurm job and of the Kubernetes Job.
pub const RISK_JOB: &str = "allot-risk";
/// The PersistentVolumeClaim the Indexed Job's pods share, mounted at [`RISK_DATA`].
pub const RISK_CLAIM: &str = "allot-risk";
/// Where the pods see the claim, and their working folder.
pub const RISK_DATA: &str = "/data";

/// The file shard `k` writes.
pub fn shard_file(k: usize) -> String {
    format!("shard-{k}.json")
}

/// One risk run split into `shards` tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskSplit {
    /// The scenario's name, for comments.
    pub name: String,
    /// The allot program each task runs.
    pub program: String,
    /// The arguments of `allot` before the shard's own: `risk SCENARIO --samples ...`.
    pub args: Vec<String>,
    /// The folder the shard files are written to, as the tasks see it.
    pub out: String,
    /// Tasks: array tasks `0..shards`, completion indexes `0..shards`.
    pub shards: usize,
}

impl RiskSplit {
    fn header(&self, what: &str) -> String {
        format!(
            "{what} written by `allot risk`: the samples of scenario '{}' in {} shards,\n\
             task K running `allot risk ... --shard K/{}` into shard-K.json",
            allot_diag::escape_control(&self.name, false),
            self.shards,
            self.shards
        )
    }
}

/// `risk-array.sbatch`: a Slurm job array of `shards` tasks.
pub fn risk_slurm_array(split: &RiskSplit) -> File {
    let mut s = String::from("#!/bin/bash\n");
    for line in split.header("Slurm job array").split('\n') {
        s.push_str(&format!("# {}\n", allot_diag::escape_control(line, false)));
    }
    s.push_str("# Submit: sbatch --wait FILE; merge: allot risk SCENARIO --merge FOLDER\n");
    for d in [
        format!("--job-name={RISK_JOB}"),
        format!("--array=0-{}", split.shards.saturating_sub(1)),
        "--ntasks=1".to_string(),
        "--output=risk-%A_%a.out".to_string(),
    ] {
        s.push_str(&format!("#SBATCH {d}\n"));
    }
    let mut command = vec![shell_quote(&split.program)];
    command.extend(split.args.iter().map(|a| shell_quote(a)));
    command.push("--shard".to_string());
    command.push(format!("\"${{SLURM_ARRAY_TASK_ID}}\"/{}", split.shards));
    command.push("--out".to_string());
    command.push(format!(
        "{}/shard-\"${{SLURM_ARRAY_TASK_ID}}\".json",
        shell_quote(&split.out)
    ));
    s.push_str(&format!("exec {}\n", command.join(" ")));
    File {
        path: "risk-array.sbatch".to_string(),
        contents: s,
    }
}

/// Kubernetes expands `$(VAR)` in a container's command and arguments; `$$` is a `$`.
fn k8s_literal(text: &str) -> String {
    text.replace('$', "$$")
}

/// `risk-indexed-job.yaml`: a Kubernetes Indexed Job of `shards` pods running `image`, which
/// share the claim [`RISK_CLAIM`] at [`RISK_DATA`] (holding the scenario; receiving the
/// shards). Paths in `split` are as the pods see them, relative to [`RISK_DATA`] or absolute.
pub fn risk_indexed_job(split: &RiskSplit, image: &str) -> File {
    let shards = i32::try_from(split.shards).unwrap_or(i32::MAX);
    let index = "JOB_COMPLETION_INDEX";
    let mut args: Vec<String> = split.args.iter().map(|a| k8s_literal(a)).collect();
    args.push("--shard".to_string());
    args.push(format!("$({index})/{}", split.shards));
    args.push("--out".to_string());
    args.push(format!("{}/shard-$({index}).json", k8s_literal(&split.out)));
    let container = Container {
        name: "risk".to_string(),
        image: Some(image.to_string()),
        command: Some(vec![k8s_literal(&split.program)]),
        args: Some(args),
        working_dir: Some(RISK_DATA.to_string()),
        // Set by the Job controller in pods of an Indexed Job since Kubernetes 1.22; declared
        // here so that `$(JOB_COMPLETION_INDEX)` expands whatever the version.
        env: Some(vec![EnvVar {
            name: index.to_string(),
            value_from: Some(EnvVarSource {
                field_ref: Some(ObjectFieldSelector {
                    field_path: "metadata.annotations['batch.kubernetes.io/job-completion-index']"
                        .to_string(),
                    ..ObjectFieldSelector::default()
                }),
                ..EnvVarSource::default()
            }),
            ..EnvVar::default()
        }]),
        volume_mounts: Some(vec![VolumeMount {
            name: "data".to_string(),
            mount_path: RISK_DATA.to_string(),
            ..VolumeMount::default()
        }]),
        ..Container::default()
    };
    let job = Job {
        metadata: ObjectMeta {
            name: Some(RISK_JOB.to_string()),
            labels: Some([("app.kubernetes.io/name".to_string(), RISK_JOB.to_string())].into()),
            ..ObjectMeta::default()
        },
        spec: Some(JobSpec {
            completion_mode: Some("Indexed".to_string()),
            completions: Some(shards),
            parallelism: Some(shards),
            backoff_limit: Some(0),
            template: PodTemplateSpec {
                metadata: None,
                spec: Some(PodSpec {
                    restart_policy: Some("Never".to_string()),
                    containers: vec![container],
                    volumes: Some(vec![Volume {
                        name: "data".to_string(),
                        persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                            claim_name: RISK_CLAIM.to_string(),
                            ..PersistentVolumeClaimVolumeSource::default()
                        }),
                        ..Volume::default()
                    }]),
                    ..PodSpec::default()
                }),
            },
            ..JobSpec::default()
        }),
        status: None,
    };
    let header = format!(
        "{}\nApply: kubectl apply -f FILE; merge: allot risk SCENARIO --merge FOLDER",
        split.header("Kubernetes Indexed Job")
    );
    yaml_file("risk-indexed-job.yaml".to_string(), &header, &job)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Manifest;

    fn split() -> RiskSplit {
        RiskSplit {
            name: "lab\r\nrm -rf / $(id)".to_string(),
            program: "/opt/allot's/allot".to_string(),
            args: ["risk", "my $(HOME) lab.toml", "--samples", "10"]
                .map(String::from)
                .to_vec(),
            out: "out dir".to_string(),
            shards: 4,
        }
    }

    #[test]
    fn the_array_script_runs_one_command_with_every_name_quoted() {
        let s = risk_slurm_array(&split()).contents;
        let code: Vec<&str> = s.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            code,
            [
                "exec '/opt/allot'\\''s/allot' 'risk' 'my $(HOME) lab.toml' '--samples' '10' \
                 --shard \"${SLURM_ARRAY_TASK_ID}\"/4 --out 'out dir'/shard-\"${SLURM_ARRAY_TASK_ID}\".json"
            ]
        );
        assert!(s.contains("#SBATCH --array=0-3\n"), "{s}");
        let comments = s.lines().filter(|l| l.starts_with("# ")).count();
        assert_eq!(comments, 3, "the name stays on its comment line: {s}");
    }

    #[test]
    fn the_indexed_job_parses_back_as_a_job_with_the_index_in_its_arguments() {
        let file = risk_indexed_job(&split(), "registry.example/allot:1");
        let Ok(Manifest::Job(job)) = Manifest::parse(&file.contents) else {
            panic!("not a Job: {}", file.contents);
        };
        let spec = job.spec.expect("spec");
        assert_eq!(spec.completion_mode.as_deref(), Some("Indexed"));
        assert_eq!((spec.completions, spec.parallelism), (Some(4), Some(4)));
        let pod = spec.template.spec.expect("pod");
        let c = &pod.containers[0];
        assert_eq!(c.command, Some(vec!["/opt/allot's/allot".to_string()]));
        assert_eq!(
            c.args.as_deref().unwrap_or_default(),
            [
                "risk",
                "my $$(HOME) lab.toml",
                "--samples",
                "10",
                "--shard",
                "$(JOB_COMPLETION_INDEX)/4",
                "--out",
                "out dir/shard-$(JOB_COMPLETION_INDEX).json"
            ]
        );
        let comments = file.contents.lines().take_while(|l| l.starts_with('#'));
        assert_eq!(comments.count(), 3, "{}", file.contents);
    }
}
