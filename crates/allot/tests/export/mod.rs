//! `allot export`: every target on a real plan, the error paths, and the Slurm hand-off run
//! for real on a single-node Slurm cluster started here (Debian's slurmctld, slurmd and munge).
//!
//! The Slurm test skips, with a message, when not root or when the Slurm and munge programs are
//! missing, unless `ALLOT_REQUIRE_SLURM=1`, which makes it fail instead (`.ci/run` sets it).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use allot_export::Manifest;

use crate::{allot, root, text};

/// A fresh folder under the system temp folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("allot-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    fn path(&self, relative: &str) -> String {
        self.0.join(relative).to_string_lossy().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every file below `dir`, relative, sorted.
fn files_below(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).expect("below dir");
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

fn assert_exit(run: &Output, code: i32) {
    assert_eq!(
        run.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&run.stdout),
        text(&run.stderr)
    );
}

#[test]
fn export_writes_every_target_for_the_startup_plan() {
    let tmp = TempDir::new("export-startup");
    let planned = allot(&["plan", "examples/startup.toml", "--out", &tmp.path("plan")]);
    assert_exit(&planned, 0);
    let plan = tmp.path("plan/plan.json");
    let expected: [(&str, &[&str]); 4] = [
        (
            "skypilot",
            &[
                "serve-assistant-chat-aws-h200.yaml",
                "serve-assistant-chat-lambda-h100.yaml",
                "train-finetune-70b.yaml",
            ],
        ),
        (
            "kubernetes",
            &[
                "aws/deployment-assistant-chat-aws-h200.yaml",
                "lambda/deployment-assistant-chat-lambda-h100.yaml",
                "lambda/jobset-finetune-70b.yaml",
            ],
        ),
        (
            "kueue",
            &[
                "aws/clusterqueue.yaml",
                "aws/deployment-assistant-chat-aws-h200.yaml",
                "aws/localqueue.yaml",
                "aws/resourceflavor-aws-h200.yaml",
                "lambda/clusterqueue.yaml",
                "lambda/deployment-assistant-chat-lambda-h100.yaml",
                "lambda/jobset-finetune-70b.yaml",
                "lambda/localqueue.yaml",
                "lambda/resourceflavor-lambda-h100.yaml",
            ],
        ),
        ("slurm", &["finetune-70b.sbatch"]),
    ];
    for (target, files) in expected {
        let out = tmp.0.join(target);
        let run = allot(&[
            "export",
            &plan,
            "--to",
            target,
            "--out",
            out.to_str().expect("path"),
        ]);
        assert_exit(&run, 0);
        assert!(text(&run.stdout).starts_with(&format!("wrote {} {target} files", files.len())));
        assert_eq!(files_below(&out), files, "{target}");
        for file in files {
            let contents = std::fs::read_to_string(out.join(file)).expect("read export");
            if target == "slurm" {
                assert!(contents.contains("#SBATCH --gres=gpu:h100:8"), "{contents}");
                assert!(contents.contains("#SBATCH --nodes=8"), "{contents}");
                continue;
            }
            let manifest = Manifest::parse(&contents)
                .unwrap_or_else(|e| panic!("{target}/{file}: {e}\n{contents}"));
            if let Manifest::JobSet(set) = manifest {
                let job = set.spec.replicated_jobs[0].template.spec.as_ref().unwrap();
                let pod = job.template.spec.as_ref().unwrap();
                let limits = pod.containers[0]
                    .resources
                    .as_ref()
                    .unwrap()
                    .limits
                    .as_ref();
                assert_eq!(limits.unwrap()["nvidia.com/gpu"].0, "8");
                assert_eq!(job.parallelism, Some(8));
            }
        }
    }
    // The Kueue quotas come from the plan's peak period, or the one asked for.
    let run = allot(&[
        "export",
        &plan,
        "--to",
        "kueue",
        "--period",
        "2027-03",
        "--out",
        &tmp.path("kueue-2027-03"),
    ]);
    assert_exit(&run, 0);
    assert!(text(&run.stdout).contains("(sized for 2027-03)"));
    let queue = std::fs::read_to_string(tmp.0.join("kueue-2027-03/lambda/clusterqueue.yaml"))
        .expect("queue");
    assert!(queue.contains("nominalQuota: '64'"), "{queue}");
}

#[test]
fn export_errors_name_the_file_and_field_with_a_hint() {
    let tmp = TempDir::new("export-errors");
    let out = tmp.path("out");
    let not_json = tmp.path("not-json.json");
    std::fs::write(&not_json, "plan: yes\n").expect("write");
    let run = allot(&["export", &not_json, "--to", "slurm", "--out", &out]);
    assert_exit(&run, 2);
    let stderr = text(&run.stderr);
    assert!(
        stderr.starts_with(&format!(
            "error: {not_json}:1:1: not a plan: expected value\n  hint: "
        )),
        "{stderr}"
    );

    let fixture = root().join("testdata/export/mixed-plan.json");
    let renamed = std::fs::read_to_string(&fixture).expect("fixture").replace(
        "gcp/tpu-v6e/us-central1/on-demand",
        "gcp/tpu-v6e/us-central1/reserved",
    );
    let edited = tmp.path("edited.json");
    std::fs::write(&edited, renamed).expect("write");
    let run = allot(&["export", &edited, "--to", "kubernetes", "--out", &out]);
    assert_exit(&run, 2);
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("].offering: unknown offering 'gcp/tpu-v6e/us-central1/reserved'"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: the plan was made with a scenario"),
        "{stderr}"
    );
    assert!(stderr.contains("--scenario SCENARIO.toml"), "{stderr}");

    let fixture = fixture.to_str().expect("path");
    let run = allot(&[
        "export", fixture, "--to", "kueue", "--period", "2027-7", "--out", &out,
    ]);
    assert_exit(&run, 2);
    assert!(text(&run.stderr).contains("no period '2027-7'"));
    assert!(
        text(&run.stderr).contains("did you mean '2027-07'?")
            || text(&run.stderr).contains("periods run from 2027-01 to 2027-06")
    );

    let run = allot(&[
        "export", fixture, "--to", "slurm", "--gres", "h10=gpu", "--out", &out,
    ]);
    assert_exit(&run, 2);
    assert!(
        text(&run.stderr).contains("--gres h10=gpu: unknown chip 'h10': did you mean"),
        "{}",
        text(&run.stderr)
    );

    let run = allot(&[
        "export",
        fixture,
        "--to",
        "kubernetes",
        "--submit",
        "--out",
        &out,
    ]);
    assert_exit(&run, 2);
    assert!(text(&run.stderr).contains("use it with --to slurm"));

    let run = allot(&[
        "export",
        &tmp.path("missing.json"),
        "--to",
        "slurm",
        "--out",
        &out,
    ]);
    assert_exit(&run, 2);
    assert!(text(&run.stderr).contains("cannot read file"));
    assert!(!Path::new(&out).exists(), "nothing is written on error");
}

/// A single-node Slurm cluster in a temp folder: munged, slurmctld and slurmd in the
/// foreground as children, stopped (in that reverse order) when dropped.
struct Slurm {
    dir: TempDir,
    daemons: Vec<Child>,
}

impl Drop for Slurm {
    fn drop(&mut self) {
        for child in self.daemons.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The program on PATH or in the sbin folders root uses.
fn program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn run_ok(program: &Path, args: &[&str], conf: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        .env("SLURM_CONF", conf)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    assert!(
        out.status.success(),
        "{} {args:?}: {}{}",
        program.display(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

impl Slurm {
    /// Starts the cluster, or says why it cannot (`Err`: the reason to skip).
    fn start() -> Result<Slurm, String> {
        if !is_root() {
            return Err("not running as root".to_string());
        }
        let names = [
            "munged",
            "mungekey",
            "slurmctld",
            "slurmd",
            "sbatch",
            "scontrol",
        ];
        let missing: Vec<&str> = names.into_iter().filter(|n| program(n).is_none()).collect();
        if !missing.is_empty() {
            return Err(format!(
                "{} not installed (apt-get install slurmctld slurmd slurm-client munge)",
                missing.join(", ")
            ));
        }
        let dir = TempDir::new("slurm");
        let d = |p: &str| dir.path(p);
        for sub in ["state", "spool", "dev"] {
            std::fs::create_dir_all(d(sub)).expect("slurm dirs");
        }
        // Sixteen fake GPU device files: Slurm needs a device file per GPU.
        for i in 0..16 {
            std::os::unix::fs::symlink("/dev/null", d(&format!("dev/gpu{i}"))).expect("symlink");
        }
        let conf = dir.0.join("slurm.conf");
        let prog = |n: &str| program(n).expect("checked above");
        run_ok(
            &prog("mungekey"),
            &["-c", "-k", &d("munge.key"), "-b", "1024", "-f"],
            &conf,
        );
        let mut slurm = Slurm {
            dir,
            daemons: Vec::new(),
        };
        let d = |p: &str| slurm.dir.path(p);
        let munged = Command::new(prog("munged"))
            .args([
                "-F",
                "--force",
                "-S",
                &d("munge.sock"),
                "--key-file",
                &d("munge.key"),
            ])
            .args([
                "--log-file",
                &d("munged.log"),
                "--pid-file",
                &d("munged.pid"),
            ])
            .args(["--seed-file", &d("munged.seed")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start munged");
        slurm.daemons.push(munged);
        let node = run_ok(&prog("slurmd"), &["-C"], &conf);
        let node = node
            .lines()
            .find(|l| l.starts_with("NodeName="))
            .expect("slurmd -C prints the node")
            .to_string();
        let host = node
            .split_whitespace()
            .next()
            .and_then(|w| w.strip_prefix("NodeName="))
            .expect("node name")
            .to_string();
        let config = format!(
            "ClusterName=allot-test\n\
             SlurmctldHost={host}(127.0.0.1)\n\
             SlurmUser=root\nSlurmdUser=root\n\
             SlurmctldPort={ctld}\nSlurmdPort={slurmd}\n\
             AuthType=auth/munge\nAuthInfo=socket={sock}\nCredType=cred/munge\n\
             StateSaveLocation={state}\nSlurmdSpoolDir={spool}\n\
             SlurmctldPidFile={dir}/slurmctld.pid\nSlurmdPidFile={dir}/slurmd.pid\n\
             SlurmctldLogFile={dir}/slurmctld.log\nSlurmdLogFile={dir}/slurmd.log\n\
             ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n\
             JobAcctGatherType=jobacct_gather/none\nSchedulerType=sched/backfill\n\
             SelectType=select/cons_tres\nSelectTypeParameters=CR_Core\n\
             ReturnToService=2\nMpiDefault=none\nJobCompType=jobcomp/none\n\
             AccountingStorageType=accounting_storage/none\n\
             GresTypes=gpu\n\
             {node} NodeAddr=127.0.0.1 Gres=gpu:h100:8,gpu:mi300x:8 State=UNKNOWN\n\
             PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n",
            ctld = free_port(),
            slurmd = free_port(),
            sock = d("munge.sock"),
            state = d("state"),
            spool = d("spool"),
            dir = slurm.dir.0.display(),
        );
        std::fs::write(&conf, config).expect("slurm.conf");
        let gres = format!(
            "AutoDetect=off\n\
             NodeName={host} Name=gpu Type=h100 File={dev}/gpu[0-7]\n\
             NodeName={host} Name=gpu Type=mi300x File={dev}/gpu[8-15]\n",
            dev = d("dev"),
        );
        std::fs::write(slurm.dir.0.join("gres.conf"), gres).expect("gres.conf");
        wait_for("the munge socket", Duration::from_secs(20), || {
            Path::new(&d("munge.sock")).exists()
        });
        for daemon in ["slurmctld", "slurmd"] {
            let child = Command::new(prog(daemon))
                .args(["-D", "-f"])
                .arg(&conf)
                .env("SLURM_CONF", &conf)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("start {daemon}: {e}"));
            slurm.daemons.push(child);
        }
        let scontrol = prog("scontrol");
        wait_for("the node to be idle", Duration::from_secs(60), || {
            Command::new(&scontrol)
                .args(["show", "node", &host])
                .env("SLURM_CONF", &conf)
                .output()
                .map(|o| text(&o.stdout).contains("State=IDLE"))
                .unwrap_or(false)
        });
        Ok(slurm)
    }

    fn conf(&self) -> PathBuf {
        self.dir.0.join("slurm.conf")
    }

    /// `scontrol show job -d ID`.
    fn job(&self, id: &str) -> String {
        let scontrol = program("scontrol").expect("scontrol");
        run_ok(&scontrol, &["show", "job", "-d", id], &self.conf())
    }
}

/// Starts Slurm, or explains the skip; with `ALLOT_REQUIRE_SLURM=1` a skip is a failure.
fn slurm_or_skip(test: &str) -> Option<Slurm> {
    crate::started_or_skip(test, "ALLOT_REQUIRE_SLURM", "Slurm", Slurm::start())
}

/// The fixture plan cut down to runs that fit the one test node: the H100 and MI300X
/// fine-tunes (GRES `gpu:h100:8`, `gpu:mi300x:8`) and a one-node Trainium run (no GRES).
fn single_node_plan(dir: &TempDir) -> String {
    let text =
        std::fs::read_to_string(root().join("testdata/export/mixed-plan.json")).expect("fixture");
    let mut plan: serde_json::Value = serde_json::from_str(&text).expect("json");
    let training = plan["training"].as_array_mut().expect("training");
    training.retain(|r| {
        ["finetune-8", "mi300x-sft", "trn-pretrain"].contains(&r["name"].as_str().unwrap_or(""))
    });
    for run in training.iter_mut().filter(|r| r["name"] == "trn-pretrain") {
        run["chips"] = 16.0.into();
        run["chips_by_period"]["2027-04"] = 16.0.into();
    }
    let path = dir.path("single-node-plan.json");
    std::fs::write(&path, serde_json::to_string_pretty(&plan).expect("json")).expect("write");
    path
}

#[test]
fn slurm_runs_the_exported_jobs() {
    let started = Instant::now();
    let Some(slurm) = slurm_or_skip("slurm_runs_the_exported_jobs") else {
        return;
    };
    let tmp = TempDir::new("slurm-export");
    let plan = single_node_plan(&tmp);
    let out = tmp.0.join("scripts");
    let run = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(["export", &plan, "--to", "slurm", "--submit", "--out"])
        .arg(&out)
        .env("SLURM_CONF", slurm.conf())
        .current_dir(root())
        .output()
        .expect("run allot");
    assert_exit(&run, 0);
    let stdout = text(&run.stdout);
    let jobs: Vec<(String, String)> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("submitted "))
        .map(|l| {
            let (script, id) = l.split_once(" as job ").expect("submitted X as job N");
            (
                script.trim_end_matches(".sbatch").to_string(),
                id.to_string(),
            )
        })
        .collect();
    assert_eq!(
        jobs.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(),
        ["finetune-8", "mi300x-sft", "trn-pretrain"],
        "{stdout}"
    );
    for (name, id) in &jobs {
        wait_for(
            &format!("job {id} ({name}) to complete"),
            Duration::from_secs(120),
            || {
                let job = slurm.job(id);
                assert!(
                    ![
                        "FAILED",
                        "CANCELLED",
                        "TIMEOUT",
                        "NODE_FAIL",
                        "OUT_OF_MEMORY"
                    ]
                    .iter()
                    .any(|s| job.contains(&format!("JobState={s}"))),
                    "{job}"
                );
                job.contains("JobState=COMPLETED")
            },
        );
        let job = slurm.job(id);
        assert!(job.contains(&format!("JobName={name}")), "{job}");
        assert!(job.contains("NumNodes=1"), "{job}");
        let gres = match name.as_str() {
            "finetune-8" => Some("gpu:h100:8"),
            "mi300x-sft" => Some("gpu:mi300x:8"),
            _ => None,
        };
        match gres {
            Some(g) => assert!(job.contains(&format!("TresPerNode=gres:{g}")), "{job}"),
            None => assert!(!job.contains("TresPerNode=gres"), "{job}"),
        }
        let log = out.join(format!("{name}-{id}.out"));
        let printed = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(
            printed.starts_with(&format!("allot plan: train {name}: ")),
            "{}: {printed}",
            log.display()
        );
    }

    // A GRES the cluster does not define is refused by sbatch, and the refusal is reported.
    let run = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args([
            "export",
            &plan,
            "--to",
            "slurm",
            "--submit",
            "--gres",
            "trainium1=neuron",
        ])
        .args(["--command", "true", "--out"])
        .arg(tmp.0.join("neuron"))
        .env("SLURM_CONF", slurm.conf())
        .output()
        .expect("run allot");
    assert_exit(&run, 1);
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("sbatch refused") && stderr.contains("trn-pretrain.sbatch"),
        "{stderr}"
    );
    eprintln!(
        "slurm_runs_the_exported_jobs: {:.1} s with cluster start-up",
        started.elapsed().as_secs_f64()
    );
}

/// Issue 22: `allot risk --slurm-array N` makes its samples in a Slurm job array on the real
/// cluster and merges the shards into exactly the report of a run on one machine.
#[test]
fn risk_over_a_slurm_array_equals_the_run_on_one_machine() {
    let Some(slurm) = slurm_or_skip("risk_over_a_slurm_array_equals_the_run_on_one_machine") else {
        return;
    };
    let tmp = TempDir::new("slurm-risk");
    let scenario = root().join("examples/startup.toml");
    let risk = |extra: &[&str]| {
        let run = Command::new(env!("CARGO_BIN_EXE_allot"))
            .arg("risk")
            .arg(&scenario)
            .args(["--samples", "7", "--seed", "5", "--threads", "1", "--json"])
            .args(extra)
            .env("SLURM_CONF", slurm.conf())
            .output()
            .expect("run allot");
        assert_exit(&run, 0);
        let json: serde_json::Value = serde_json::from_str(&text(&run.stdout)).expect("json");
        json
    };
    let single = risk(&[]);
    let out = tmp.path("shards");
    let split = risk(&["--slurm-array", "3", "--out", &out]);
    assert_eq!(split, single, "the merged report equals the single run's");
    for key in ["total_cost_usd", "cumulative_loss_usd", "funding_gap_usd"] {
        assert!(single[key]["p50"].is_number(), "{key}: {single}");
    }
    let shards = files_below(Path::new(&out));
    assert_eq!(
        shards.iter().filter(|f| f.starts_with("shard-")).count(),
        3,
        "{shards:?}"
    );
    // A shard whose seed was changed is refused, naming the file and field.
    let file = Path::new(&out).join("shard-1.json");
    let edited =
        std::fs::read_to_string(&file)
            .expect("shard")
            .replacen("\"seed\": 5", "\"seed\": 6", 1);
    std::fs::write(&file, edited).expect("write");
    let run = Command::new(env!("CARGO_BIN_EXE_allot"))
        .arg("risk")
        .arg(&scenario)
        .args(["--samples", "7", "--seed", "5", "--merge", &out])
        .output()
        .expect("run allot");
    assert_exit(&run, 2);
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("shard-1.json: run.seed: differs"),
        "{stderr}"
    );
}
