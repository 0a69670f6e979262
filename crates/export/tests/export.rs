//! Export tests on a hand-written plan that uses every accelerator family
//! (`testdata/export/mixed-plan.json`): every file of every target parses back into the typed
//! struct it was made from ([`Manifest::parse`], which also checks that nothing is dropped),
//! and asks for the right devices and nodes.

use std::collections::BTreeMap;

use allot_catalog::{BUILTIN_NAME, BUILTIN_TEXT, Catalog, CatalogBuilder};
use allot_export::{
    Export, ExportError, File, Gres, JOBSET_API_VERSION, KUEUE_API_VERSION, Manifest, QUEUE_LABEL,
    Settings, Target, export, read_plan,
};
use allot_plan_format::Plan;
use k8s_openapi::api::core::v1::PodTemplateSpec;

const PLAN_FILE: &str = "testdata/export/mixed-plan.json";
const PLAN_TEXT: &str = include_str!("../../../testdata/export/mixed-plan.json");

fn plan() -> Plan {
    read_plan(PLAN_FILE, PLAN_TEXT).expect("the fixture is a valid plan")
}

fn builtin() -> Catalog {
    let (catalog, diagnostics) = Catalog::builtin();
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    catalog
}

fn run(target: Target, settings: &Settings) -> Export {
    export(&plan(), PLAN_FILE, &builtin(), target, settings).expect("export succeeds")
}

fn manifest(file: &File) -> Manifest {
    Manifest::parse(&file.contents)
        .unwrap_or_else(|e| panic!("{}: does not parse: {e}\n{}", file.path, file.contents))
}

/// What a pod template asks for: the device resource and count, and its node selector.
#[derive(Debug, PartialEq)]
struct Pods {
    resource: String,
    per_pod: String,
    selector: BTreeMap<String, String>,
    pods: i32,
    replicas: i32,
}

fn pods(template: &PodTemplateSpec, pods: i32, replicas: i32) -> Pods {
    let spec = template.spec.as_ref().unwrap();
    let container = &spec.containers[0];
    let resources = container.resources.as_ref().unwrap();
    let limits = resources.limits.as_ref().unwrap();
    assert_eq!(
        limits,
        resources.requests.as_ref().unwrap(),
        "limits = requests"
    );
    assert_eq!(limits.len(), 1, "only the device resource is requested");
    let (resource, quantity) = limits.iter().next().unwrap();
    let toleration = &spec.tolerations.as_ref().unwrap()[0];
    assert_eq!(toleration.key.as_deref(), Some(resource.as_str()));
    Pods {
        resource: resource.clone(),
        per_pod: quantity.0.clone(),
        selector: spec.node_selector.clone().unwrap(),
        pods,
        replicas,
    }
}

/// Every Kubernetes workload of an export, by name, parsed back.
fn workloads(export: &Export, queued: bool) -> BTreeMap<String, Pods> {
    let mut out = BTreeMap::new();
    for file in &export.files {
        let (name, labels, suspended, p) = match manifest(file) {
            Manifest::Job(job) => {
                let spec = job.spec.unwrap();
                let p = pods(&spec.template, spec.parallelism.unwrap(), 1);
                (job.metadata.name, job.metadata.labels, spec.suspend, p)
            }
            Manifest::JobSet(set) => {
                assert_eq!(set.api_version, JOBSET_API_VERSION);
                let replicated = &set.spec.replicated_jobs[0];
                let spec = replicated.template.spec.as_ref().unwrap();
                assert_eq!(spec.completion_mode.as_deref(), Some("Indexed"));
                let p = pods(
                    &spec.template,
                    spec.parallelism.unwrap(),
                    replicated.replicas,
                );
                (set.metadata.name, set.metadata.labels, set.spec.suspend, p)
            }
            Manifest::Deployment(d) => {
                let spec = d.spec.unwrap();
                let p = pods(&spec.template, 1, spec.replicas.unwrap());
                (d.metadata.name, d.metadata.labels, None, p)
            }
            _ => continue,
        };
        let queue = labels.unwrap_or_default().get(QUEUE_LABEL).cloned();
        if queued {
            assert_eq!(queue.as_deref(), Some("allot"), "{}", file.path);
            if !file.path.contains("deployment-") {
                assert_eq!(suspended, Some(true), "{}", file.path);
            }
        } else {
            assert_eq!(queue, None);
        }
        out.insert(name.unwrap(), p);
    }
    out
}

fn selector(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn expect(
    resource: &str,
    per_pod: u32,
    selector: BTreeMap<String, String>,
    pods: i32,
    replicas: i32,
) -> Pods {
    Pods {
        resource: resource.to_string(),
        per_pod: per_pod.to_string(),
        selector,
        pods,
        replicas,
    }
}

const GKE_ACCELERATOR: &str = "cloud.google.com/gke-accelerator";
const GKE_TPU: &str = "cloud.google.com/gke-tpu-accelerator";
const GKE_TOPOLOGY: &str = "cloud.google.com/gke-tpu-topology";
const INSTANCE_TYPE: &str = "node.kubernetes.io/instance-type";

#[test]
fn kubernetes_manifests_request_each_familys_device_on_the_right_nodes() {
    let export = run(Target::Kubernetes, &Settings::default());
    let got = workloads(&export, false);
    let want: BTreeMap<String, Pods> = [
        (
            "finetune-8",
            expect(
                "nvidia.com/gpu",
                8,
                selector(&[("accelerator", "h100")]),
                1,
                1,
            ),
        ),
        (
            "mi300x-sft",
            expect(
                "amd.com/gpu",
                8,
                selector(&[(INSTANCE_TYPE, "BM.GPU.MI300X.8")]),
                1,
                1,
            ),
        ),
        (
            "pretrain-h100",
            expect(
                "nvidia.com/gpu",
                8,
                selector(&[(GKE_ACCELERATOR, "nvidia-h100-mega-80gb")]),
                8,
                1,
            ),
        ),
        (
            "trn-pretrain",
            expect(
                "aws.amazon.com/neuron",
                16,
                selector(&[(INSTANCE_TYPE, "trn1.32xlarge")]),
                2,
                1,
            ),
        ),
        (
            "tpu-v6e-run",
            expect(
                "google.com/tpu",
                4,
                selector(&[(GKE_TPU, "tpu-v6e-slice"), (GKE_TOPOLOGY, "8x8")]),
                16,
                1,
            ),
        ),
        (
            "tpu-v5p-big",
            expect(
                "google.com/tpu",
                4,
                selector(&[(GKE_TPU, "tpu-v5p-slice"), (GKE_TOPOLOGY, "16x16x16")]),
                1024,
                2,
            ),
        ),
        (
            "chat-aws-h200",
            expect(
                "nvidia.com/gpu",
                8,
                selector(&[(INSTANCE_TYPE, "p5en.48xlarge")]),
                1,
                2,
            ),
        ),
        (
            "chat-lambda-h100",
            expect(
                "nvidia.com/gpu",
                8,
                selector(&[("accelerator", "h100")]),
                1,
                1,
            ),
        ),
        (
            "embed-aws-inferentia2",
            expect(
                "aws.amazon.com/neuron",
                12,
                selector(&[(INSTANCE_TYPE, "inf2.48xlarge")]),
                1,
                1,
            ),
        ),
        (
            "tpu-serve-gcp-tpu-v5e",
            expect(
                "google.com/tpu",
                4,
                selector(&[(GKE_TPU, "tpu-v5-lite-podslice"), (GKE_TOPOLOGY, "2x2")]),
                1,
                2,
            ),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(got, want);
    let paths: Vec<&str> = export.files.iter().map(|f| f.path.as_str()).collect();
    assert!(paths.contains(&"lambda/job-finetune-8.yaml"), "{paths:?}");
    assert!(paths.contains(&"gcp/jobset-tpu-v5p-big.yaml"), "{paths:?}");
    assert!(
        paths.contains(&"aws/deployment-chat-aws-h200.yaml"),
        "{paths:?}"
    );
    let multislice = export
        .files
        .iter()
        .find(|f| f.path == "gcp/jobset-tpu-v5p-big.yaml")
        .unwrap();
    assert!(
        multislice
            .contents
            .contains("alpha.jobset.sigs.k8s.io/exclusive-topology")
    );
    assert!(
        export.notes.iter().any(|n| n.contains("not-placed")),
        "{:?}",
        export.notes
    );
}

#[test]
fn serving_is_sized_for_the_chosen_period() {
    let settings = Settings {
        period: Some("2027-02".to_string()),
        ..Settings::default()
    };
    let got = workloads(&run(Target::Kubernetes, &settings), false);
    // 4.5 H200 → one 8-GPU replica; the TPU pool serves nothing in 2027-02.
    assert_eq!(got["chat-aws-h200"].replicas, 1);
    assert_eq!(got["tpu-serve-gcp-tpu-v5e"].replicas, 0);
}

#[test]
fn kueue_quotas_are_the_capacity_of_the_peak_period() {
    let export = run(Target::Kueue, &Settings::default());
    assert_eq!(export.period.as_deref(), Some("2027-06"));
    let mut quotas = BTreeMap::new();
    let mut flavors = BTreeMap::new();
    for file in &export.files {
        match manifest(file) {
            Manifest::ResourceFlavor(f) => {
                assert_eq!(f.api_version, KUEUE_API_VERSION);
                flavors.insert(f.metadata.name.unwrap(), f.spec.node_labels);
            }
            Manifest::ClusterQueue(q) => {
                assert_eq!(q.api_version, KUEUE_API_VERSION);
                for group in q.spec.resource_groups {
                    assert_eq!(group.covered_resources.len(), 1);
                    for f in group.flavors {
                        assert_eq!(f.resources[0].name, group.covered_resources[0]);
                        quotas.insert(
                            (q.metadata.name.clone().unwrap(), f.name),
                            (
                                f.resources[0].name.clone(),
                                f.resources[0].nominal_quota.0.clone(),
                            ),
                        );
                    }
                }
            }
            Manifest::LocalQueue(q) => {
                assert_eq!(q.metadata.name.as_deref(), Some("allot"));
                assert!(q.spec.cluster_queue.starts_with("allot-"));
            }
            _ => {}
        }
    }
    let q = |queue: &str, flavor: &str| {
        quotas
            .get(&(queue.to_string(), flavor.to_string()))
            .map(|(r, n)| format!("{r}={n}"))
            .unwrap_or_else(|| panic!("no quota for {queue}/{flavor}: {quotas:?}"))
    };
    // 2027-06: 8192 TPU v5p chips, 3 TPU v5e chips (one 4-chip host), 12 H200 (two 8-GPU
    // hosts), 10 Inferentia2 (one 12-device host); the rest is idle.
    assert_eq!(q("allot-gcp", "gcp-tpu-v5p"), "google.com/tpu=8192");
    assert_eq!(q("allot-gcp", "gcp-tpu-v5e"), "google.com/tpu=4");
    assert_eq!(q("allot-gcp", "gcp-tpu-v6e"), "google.com/tpu=0");
    assert_eq!(q("allot-gcp", "gcp-h100"), "nvidia.com/gpu=0");
    assert_eq!(q("allot-aws", "aws-h200"), "nvidia.com/gpu=16");
    assert_eq!(
        q("allot-aws", "aws-inferentia2"),
        "aws.amazon.com/neuron=12"
    );
    assert_eq!(q("allot-aws", "aws-trainium1"), "aws.amazon.com/neuron=0");
    assert_eq!(q("allot-oci", "oci-mi300x"), "amd.com/gpu=0");
    assert_eq!(
        flavors["gcp-tpu-v5p"],
        selector(&[(GKE_TPU, "tpu-v5p-slice")])
    );
    assert_eq!(
        flavors["aws-h200"],
        selector(&[(INSTANCE_TYPE, "p5en.48xlarge")])
    );
    // The workloads are the Kubernetes ones, queued.
    assert_eq!(workloads(&export, true).len(), 10);
}

#[test]
fn kueue_takes_quotas_from_the_period_asked_for() {
    let settings = Settings {
        period: Some("2027-01".to_string()),
        ..Settings::default()
    };
    let export = run(Target::Kueue, &settings);
    let queue = export
        .files
        .iter()
        .find(|f| f.path == "lambda/clusterqueue.yaml")
        .unwrap();
    let Manifest::ClusterQueue(q) = manifest(queue) else {
        panic!("not a ClusterQueue")
    };
    // 8 for the fine-tune plus 1.5 serving: 9.5 GPUs, two 8-GPU hosts.
    assert_eq!(
        q.spec.resource_groups[0].flavors[0].resources[0]
            .nominal_quota
            .0,
        "16"
    );
}

#[test]
fn skypilot_tasks_use_skypilots_names() {
    let export = run(Target::SkyPilot, &Settings::default());
    let mut got = BTreeMap::new();
    for file in &export.files {
        let Manifest::SkyTask(task) = manifest(file) else {
            panic!("{}: not a SkyPilot task", file.path)
        };
        assert!(file.path.ends_with(".yaml"));
        let r = &task.resources;
        got.insert(
            task.name.clone(),
            format!(
                "{} {} x{} {}{}{}",
                r.infra,
                r.accelerators,
                task.num_nodes,
                r.instance_type.as_deref().unwrap_or("-"),
                if r.use_spot == Some(true) {
                    " spot"
                } else {
                    ""
                },
                task.service
                    .as_ref()
                    .map(|s| format!(" replicas={}", s.replicas))
                    .unwrap_or_default(),
            ),
        );
    }
    let want: BTreeMap<String, String> = [
        ("finetune-8", "lambda H100:8 x1 gpu_8x_h100_sxm5"),
        ("mi300x-sft", "oci MI300X:8 x1 BM.GPU.MI300X.8"),
        ("pretrain-h100", "gcp/us-east4 H100-MEGA:8 x8 a3-megagpu-8g"),
        ("trn-pretrain", "aws/us-east-1 Trainium:16 x2 trn1.32xlarge"),
        ("tpu-v6e-run", "gcp/us-central1 tpu-v6e-64 x1 -"),
        ("tpu-v5p-big", "gcp/us-central1 tpu-v5p-8192 x1 - spot"),
        (
            "chat-aws-h200",
            "aws/us-east-1 H200:8 x1 p5en.48xlarge spot replicas=2",
        ),
        (
            "chat-lambda-h100",
            "lambda H100:8 x1 gpu_8x_h100_sxm5 replicas=1",
        ),
        (
            "embed-aws-inferentia2",
            "aws/us-east-1 Inferentia2:12 x1 inf2.48xlarge replicas=1",
        ),
        (
            "tpu-serve-gcp-tpu-v5e",
            "gcp/us-central1 tpu-v5litepod-4 x1 - replicas=2",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(got, want);
    assert!(
        export.notes.iter().any(|n| n.contains("multislice")),
        "{:?}",
        export.notes
    );
    let serve = export
        .files
        .iter()
        .find(|f| f.path == "serve-chat-aws-h200.yaml")
        .unwrap();
    assert!(
        serve.contents.contains("http.server 8080"),
        "{}",
        serve.contents
    );
}

/// `#SBATCH` directives of a script, in order.
fn directives(script: &str) -> Vec<String> {
    script
        .lines()
        .filter_map(|l| l.strip_prefix("#SBATCH "))
        .map(str::to_string)
        .collect()
}

#[test]
fn slurm_scripts_ask_for_whole_nodes_with_gres_and_the_planned_time() {
    let export = run(Target::Slurm, &Settings::default());
    let scripts: BTreeMap<&str, &File> =
        export.files.iter().map(|f| (f.path.as_str(), f)).collect();
    assert_eq!(
        scripts.keys().copied().collect::<Vec<_>>(),
        [
            "finetune-8.sbatch",
            "mi300x-sft.sbatch",
            "pretrain-h100.sbatch",
            "tpu-v5p-big.sbatch",
            "tpu-v6e-run.sbatch",
            "trn-pretrain.sbatch"
        ]
    );
    let d = |name: &str| directives(&scripts[name].contents);
    assert_eq!(
        d("finetune-8.sbatch"),
        [
            "--job-name=finetune-8",
            "--nodes=1",
            "--gres=gpu:h100:8",
            "--exclusive",
            "--time=30-10:30:00",
            "--output=%x-%j.out"
        ]
    );
    assert!(d("mi300x-sft.sbatch").contains(&"--gres=gpu:mi300x:8".to_string()));
    let pretrain = d("pretrain-h100.sbatch");
    assert!(pretrain.contains(&"--nodes=8".to_string()), "{pretrain:?}");
    assert!(
        pretrain.contains(&"--time=91-07:30:00".to_string()),
        "{pretrain:?}"
    );
    // No GRES convention for Neuron devices or TPUs: whole nodes, with a note.
    assert!(
        !d("trn-pretrain.sbatch")
            .iter()
            .any(|l| l.starts_with("--gres"))
    );
    assert!(d("tpu-v5p-big.sbatch").contains(&"--nodes=2048".to_string()));
    assert!(
        export
            .notes
            .iter()
            .any(|n| n.contains("trn-pretrain: no GRES"))
    );
    assert!(
        export
            .notes
            .iter()
            .any(|n| n.contains("serving pools not exported"))
    );
    let script = &scripts["finetune-8.sbatch"].contents;
    assert!(script.starts_with("#!/bin/bash\n"));
    assert!(script.contains("\necho 'allot plan: train finetune-8: 8.0 h100 chips on lambda/gpu_8x_h100_sxm5/all-regions/on-demand"));
}

#[test]
fn slurm_gres_and_command_can_be_overridden() {
    let catalog = builtin();
    let mut settings = Settings {
        command: Some("srun python train.py".to_string()),
        ..Settings::default()
    };
    for spec in ["trainium1=neuron", "H100=gpu", "mi300x=none"] {
        let (chip, gres) = Gres::parse_mapping(spec, &catalog).unwrap();
        settings.gres.insert(chip, gres);
    }
    let export = export(&plan(), PLAN_FILE, &catalog, Target::Slurm, &settings).unwrap();
    let by_name: BTreeMap<&str, &str> = export
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.contents.as_str()))
        .collect();
    assert!(directives(by_name["trn-pretrain.sbatch"]).contains(&"--gres=neuron:16".to_string()));
    assert!(directives(by_name["finetune-8.sbatch"]).contains(&"--gres=gpu:8".to_string()));
    assert!(!by_name["mi300x-sft.sbatch"].contains("--gres"));
    assert!(by_name["finetune-8.sbatch"].ends_with("\nsrun python train.py\n"));
}

#[test]
fn gaudi_from_a_user_catalog_requests_habana_devices() {
    let extra = r#"
version = 1
[[provider]]
id = "acme-dc"
name = "ACME data centre"
[[offering]]
id = "acme-dc/gaudi3-8x/home/owned"
provider = "acme-dc"
instance = "HLS-Gaudi3"
chip = "gaudi3"
chips_per_instance = 8
region = "home"
price_model = "owned"
capex_usd_per_chip = 15000
depreciation_months = 48
opex_usd_per_chip_hour = 0.5
sources = [{ url = "https://example.com/quote", date = "2026-11" }]
"#;
    let mut builder = CatalogBuilder::new();
    builder.add_file(BUILTIN_NAME, BUILTIN_TEXT);
    builder.add_file("acme.toml", extra);
    let (catalog, diagnostics) = builder.finish();
    assert!(!allot_diag::has_errors(&diagnostics), "{diagnostics:?}");
    let mut plan = plan();
    plan.capacity[0].offering = "acme-dc/gaudi3-8x/home/owned".to_string();
    plan.capacity[0].provider = "acme-dc".to_string();
    plan.capacity[0].chip = "gaudi3".to_string();
    plan.training.truncate(1);
    plan.training[0].provider = "acme-dc".to_string();
    plan.training[0].chip = "gaudi3".to_string();
    plan.inference.clear();
    let k8s = export(
        &plan,
        PLAN_FILE,
        &catalog,
        Target::Kubernetes,
        &Settings::default(),
    )
    .unwrap();
    let got = workloads(&k8s, false);
    assert_eq!(
        got["finetune-8"],
        expect(
            "habana.ai/gaudi",
            8,
            selector(&[("accelerator", "gaudi3")]),
            1,
            1
        )
    );
    let slurm = export(
        &plan,
        PLAN_FILE,
        &catalog,
        Target::Slurm,
        &Settings::default(),
    )
    .unwrap();
    assert!(directives(&slurm.files[0].contents).contains(&"--gres=gpu:gaudi3:8".to_string()));
    let sky = export(
        &plan,
        PLAN_FILE,
        &catalog,
        Target::SkyPilot,
        &Settings::default(),
    )
    .unwrap();
    assert!(sky.files.is_empty());
    assert!(
        sky.notes
            .iter()
            .any(|n| n.contains("SkyPilot has no accelerator name for gaudi3"))
    );
}

fn error_of(text: &str) -> ExportError {
    read_plan("p.json", text).expect_err("the plan is rejected")
}

#[test]
fn bad_plan_files_name_the_file_and_field_with_a_hint() {
    let e = error_of("not json");
    assert_eq!(e.to_string(), "p.json:1:2: not a plan: expected ident");
    assert!(e.hint().contains("allot plan"), "{}", e.hint());

    let e = error_of(r#"{"format": "allot-plan", "version": 7}"#);
    assert_eq!(
        e.to_string(),
        "p.json: version: plan format version 7 is not supported (this allot reads version 1)"
    );
    assert!(e.hint().contains("re-run `allot plan`"));

    let e = error_of(r#"{"version": 1}"#);
    assert!(e.to_string().starts_with("p.json: format: missing"), "{e}");
    let e = error_of("[1, 2]");
    assert!(e.to_string().starts_with("p.json: format:"), "{e}");

    let truncated = PLAN_TEXT.replace("\"capacity\"", "\"kapacity\"");
    let e = error_of(&truncated);
    assert!(e.to_string().contains("missing field `capacity`"), "{e}");

    let renamed = PLAN_TEXT.replace(
        "aws/p5en.48xlarge/us-east-1/spot",
        "aws/p5en.48xlarge/us-east-1/spto",
    );
    let plan = read_plan("p.json", &renamed).unwrap();
    let e = export(
        &plan,
        "p.json",
        &builtin(),
        Target::Slurm,
        &Settings::default(),
    )
    .unwrap_err();
    assert!(
        e.to_string().starts_with("p.json: capacity[")
            && e.to_string()
                .ends_with("].offering: unknown offering 'aws/p5en.48xlarge/us-east-1/spto'"),
        "{e}"
    );
    assert!(e.hint().contains("--scenario"), "{}", e.hint());
    assert!(
        e.hint()
            .contains("did you mean 'aws/p5en.48xlarge/us-east-1/spot'"),
        "{}",
        e.hint()
    );
}

#[test]
fn unknown_periods_and_unsolved_plans_are_refused() {
    let settings = Settings {
        period: Some("2027-13".to_string()),
        ..Settings::default()
    };
    let e = export(&plan(), PLAN_FILE, &builtin(), Target::Kueue, &settings).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("{PLAN_FILE}: periods: the plan has no period '2027-13'")
    );
    assert!(
        e.hint().starts_with("periods run from 2027-01 to 2027-06"),
        "{}",
        e.hint()
    );

    let mut infeasible = plan();
    infeasible.status = allot_plan_format::SolveStatus::Infeasible;
    let e = export(
        &infeasible,
        PLAN_FILE,
        &builtin(),
        Target::Slurm,
        &Settings::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("the plan is infeasible"), "{e}");
}

#[test]
fn exports_are_deterministic() {
    for target in Target::ALL {
        assert_eq!(
            run(target, &Settings::default()),
            run(target, &Settings::default())
        );
    }
}

/// Names that would end a comment line in a shell script or a YAML header (issue 22, items 1
/// and 2), set in a plan past its reader, as a plan made by hand or by another tool could.
fn hostile_plan() -> Plan {
    let mut plan = plan();
    for (i, run) in plan.training.iter_mut().enumerate() {
        run.name = format!(
            "run{i}\ntouch /tmp/allot-pwned\r---\rapiVersion: rbac.authorization.k8s.io/v1\rkind: ClusterRoleBinding\u{2028}x\u{85}y"
        );
    }
    for (i, demand) in plan.inference.iter_mut().enumerate() {
        demand.name = format!("serve{i}\r\n---\nkind: Secret\u{1b}[2J");
    }
    plan
}

#[test]
fn slurm_scripts_run_nothing_but_the_job_whatever_the_names_hold() {
    let export = export(
        &hostile_plan(),
        PLAN_FILE,
        &builtin(),
        Target::Slurm,
        &Settings::default(),
    )
    .unwrap();
    assert!(!export.files.is_empty());
    for file in &export.files {
        let script = &file.contents;
        // Every line is the shebang, a comment, an #SBATCH directive, or the job's one command.
        let commands: Vec<&str> = script
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .collect();
        assert_eq!(commands.len(), 1, "{}:\n{script}", file.path);
        assert!(
            commands[0].starts_with("echo 'allot plan: train run"),
            "{}: {}",
            file.path,
            commands[0]
        );
        assert!(!script.contains('\r'), "{}: raw CR:\n{script}", file.path);
        let bash = std::process::Command::new("bash")
            .args(["-n", "-c", script])
            .output()
            .expect("bash runs");
        assert!(
            bash.status.success(),
            "{}: bash -n: {}",
            file.path,
            String::from_utf8_lossy(&bash.stderr)
        );
    }
}

#[test]
fn yaml_exports_are_exactly_the_objects_exported_whatever_the_names_hold() {
    for target in [Target::Kubernetes, Target::Kueue, Target::SkyPilot] {
        let export = export(
            &hostile_plan(),
            PLAN_FILE,
            &builtin(),
            target,
            &Settings::default(),
        )
        .unwrap();
        for file in &export.files {
            let text = &file.contents;
            assert!(
                !text.contains(['\r', '\u{85}', '\u{2028}']),
                "{}: a raw line break other than LF:\n{text}",
                file.path
            );
            // One YAML document, and it is the object written.
            let documents = serde_norway::Deserializer::from_str(text).count();
            assert_eq!(documents, 1, "{}:\n{text}", file.path);
            manifest(file);
            let body = text
                .lines()
                .skip_while(|l| l.starts_with("# "))
                .collect::<Vec<_>>();
            assert!(
                body.iter().all(|l| !l.starts_with('#')),
                "{}: the header does not end where the object begins:\n{text}",
                file.path
            );
        }
    }
}

#[test]
fn plan_files_with_control_characters_in_names_are_refused_with_the_field() {
    let mut value: serde_json::Value = serde_json::from_str(PLAN_TEXT).unwrap();
    value["training"][1]["name"] = "run\r---".into();
    let e = error_of(&value.to_string());
    assert!(
        e.to_string().contains("training[1].name")
            && e.to_string().contains("U+000D (carriage return)"),
        "{e}"
    );
}

/// Issue 22, item 8: names that slug alike lost files while every one was reported written.
#[test]
fn names_that_slug_alike_get_distinct_files() {
    let mut plan = plan();
    let names = ["run 2", "run", "run!", "run?"];
    for (run, name) in plan.training.iter_mut().zip(names) {
        run.name = name.to_string();
    }
    let export = export(
        &plan,
        PLAN_FILE,
        &builtin(),
        Target::Slurm,
        &Settings::default(),
    )
    .unwrap();
    let paths: std::collections::BTreeSet<&str> =
        export.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths.len(), export.files.len(), "{paths:?}");
}

/// A DNS-1035 label: 1-63 characters, lowercase letters, digits and '-', starting with a letter
/// and ending with a letter or digit (what Kubernetes requires of JobSet, Job and pod names).
fn dns_1035(name: &str) -> Result<(), String> {
    let ok = (1..=63).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    ok.then_some(())
        .ok_or_else(|| format!("'{name}' ({} chars) is not a DNS-1035 label", name.len()))
}

/// Issue 22, item 9: JobSet pod names (`<jobset>-<replicatedjob>-<jobindex>-<podindex>-<5>`,
/// as JobSet's webhook computes them) over 63 characters for names of 46+ characters, and
/// names starting with a digit. Every object name of every Kubernetes and Kueue export is a
/// DNS-1035 label, every pod name a JobSet makes too, and names and paths stay unique.
#[test]
fn kubernetes_names_are_dns_1035_labels_and_jobset_pod_names_fit() {
    let long = "a".repeat(46);
    let cases: &[&[&str]] = &[
        &[&long, &long, &long, &long, &long, &long],
        &["7b-finetune", "70b", "1", "0-run", "9", "8"],
        &[
            &"x".repeat(200),
            &"x".repeat(199),
            &format!("{}!", "x".repeat(200)),
            "x",
            "x 2",
            "x-2",
        ],
        &["Ω", "ω", "--", "-", "_", "."],
    ];
    let mut failures = Vec::new();
    for names in cases {
        let mut plan = plan();
        for (run, name) in plan.training.iter_mut().zip(names.iter()) {
            run.name = name.to_string();
        }
        for target in [Target::Kubernetes, Target::Kueue] {
            let export =
                export(&plan, PLAN_FILE, &builtin(), target, &Settings::default()).unwrap();
            let mut objects = std::collections::BTreeSet::new();
            for file in &export.files {
                let (kind, name, pod) = match manifest(file) {
                    Manifest::JobSet(js) => {
                        let name = js.metadata.name.clone().unwrap_or_default();
                        let pod = js.spec.replicated_jobs.iter().map(|rj| {
                            let completions = rj
                                .template
                                .spec
                                .as_ref()
                                .and_then(|s| s.completions)
                                .unwrap_or(1);
                            format!(
                                "{name}-{}-{}-{}-abcde",
                                rj.name,
                                rj.replicas - 1,
                                completions - 1
                            )
                        });
                        ("JobSet", name.clone(), pod.max_by_key(String::len))
                    }
                    Manifest::Job(job) => {
                        ("Job", job.metadata.name.clone().unwrap_or_default(), None)
                    }
                    Manifest::Deployment(d) => (
                        "Deployment",
                        d.metadata.name.clone().unwrap_or_default(),
                        None,
                    ),
                    _ => continue,
                };
                for n in std::iter::once(&name).chain(pod.as_ref()) {
                    if let Err(e) = dns_1035(n) {
                        failures.push(format!("{target:?} {names:?}: {}: {kind}: {e}", file.path));
                    }
                }
                if !objects.insert(name.clone()) {
                    failures.push(format!("{target:?} {names:?}: {name} twice"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A plan written and read back has the same numbers to the bit: the verifier, `allot export`,
/// `allot simulate` and the server read plans that allot wrote, and check figures against them.
/// serde_json's default float parsing may be one ulp off (its `float_roundtrip` feature makes it
/// exact); 4,000 values spread over the whole f64 range, extremes and subnormals included.
#[test]
fn a_plan_read_back_has_its_numbers_to_the_bit() {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut values = vec![
        0.1 + 0.2,
        12_594_550.499_999_998,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        -2.225_073_858_507_201e-308,
        1e23,
        8.988_465_674_311_579e307,
    ];
    while values.len() < 4_000 {
        // splitmix64, so the values are the same on every run.
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        let x = f64::from_bits(z ^ (z >> 31));
        if x.is_finite() {
            values.push(x);
        }
    }
    let mut plan = plan();
    let mut wrong = Vec::new();
    for &x in &values {
        plan.objective_usd = x;
        let text = serde_json::to_string(&plan).unwrap();
        let back = read_plan(PLAN_FILE, &text).expect("a plan allot wrote reads");
        if back.objective_usd.to_bits() != x.to_bits() {
            wrong.push(format!("{x:e} read as {:e}", back.objective_usd));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {}: {:?}",
        wrong.len(),
        values.len(),
        &wrong[..wrong.len().min(5)]
    );
}
