//! Issue 22, item 3: every input file is read with a size limit and a regular-file check, and a
//! scenario names catalog files inside its folder unless `--allow-outside` is given.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::root;

/// Runs `allot` with `args` in `dir`; a run longer than 30 s is killed and fails the test (a
/// FIFO must not block, /dev/zero must not be read forever).
fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run allot");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            child.kill().ok();
            panic!("allot {args:?} still running after 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    (out.status.code().unwrap_or(-1), stderr)
}

/// A folder with `s/tiny.toml` (catalog files given per case), its catalog, a catalog outside
/// the folder, a link to it, a sub-folder, a FIFO and a sparse file over the size limit.
fn fixture(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("s/folder")).unwrap();
    let catalog = std::fs::read_to_string(root().join("testdata/explain/catalog.toml")).unwrap();
    std::fs::write(dir.join("s/catalog.toml"), &catalog).unwrap();
    std::fs::write(dir.join("outside.toml"), &catalog).unwrap();
    std::os::unix::fs::symlink(dir.join("outside.toml"), dir.join("s/link.toml")).unwrap();
    let status = Command::new("mkfifo")
        .arg(dir.join("fifo"))
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo");
    std::os::unix::fs::symlink(dir.join("fifo"), dir.join("s/fifo")).unwrap();
    let big = std::fs::File::create(dir.join("s/big.toml")).unwrap();
    big.set_len((256 << 20) + 1).unwrap();
    dir
}

fn scenario_naming(dir: &Path, file: &str) {
    let tiny = std::fs::read_to_string(root().join("testdata/explain/tiny.toml")).unwrap();
    let named = tiny.replace(
        "files = [\"catalog.toml\"]",
        &format!("files = [{}]", toml_string(file)),
    );
    std::fs::write(dir.join("s/tiny.toml"), named).unwrap();
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

#[test]
fn catalog_files_are_regular_bounded_and_inside_the_scenario_folder() {
    let dir = fixture("hardening-catalog-files");
    let fifo = dir.join("fifo").display().to_string();
    let outside = dir.join("outside.toml").display().to_string();
    // (catalog file as named, --allow-outside, exit code, expected in stderr)
    let cases: &[(&str, bool, i32, &str)] = &[
        (
            "/dev/zero",
            false,
            2,
            "catalog.files[0]: catalog file '/dev/zero' is an absolute path",
        ),
        (
            &outside,
            false,
            2,
            "is an absolute path, outside the scenario's folder",
        ),
        (
            "../outside.toml",
            false,
            2,
            "is a path with '..', outside the scenario's folder",
        ),
        ("folder/../catalog.toml", false, 2, "is a path with '..'"),
        (
            "link.toml",
            false,
            2,
            "a link leads outside the scenario's folder",
        ),
        (
            "fifo",
            false,
            2,
            "a link leads outside the scenario's folder",
        ),
        ("folder", false, 2, "not a regular file (a directory)"),
        (
            "big.toml",
            false,
            2,
            "larger than 256 MiB, the limit for an input file",
        ),
        (
            "/dev/zero",
            true,
            2,
            "cannot read catalog file '/dev/zero': not a regular file (a device)",
        ),
        ("/dev/urandom", true, 2, "not a regular file (a device)"),
        (&fifo, true, 2, "not a regular file (a FIFO)"),
        ("fifo", true, 2, "not a regular file (a FIFO)"),
        ("../outside.toml", true, 0, ""),
        (&outside, true, 0, ""),
        ("link.toml", true, 0, ""),
        ("catalog.toml", false, 0, ""),
    ];
    let mut failures = Vec::new();
    for (file, allow, code, expected) in cases {
        scenario_naming(&dir, file);
        let mut args = vec!["check", "s/tiny.toml"];
        if *allow {
            args.push("--allow-outside");
        }
        let (got, stderr) = run(&dir, &args);
        if got != *code || !stderr.contains(expected) {
            failures.push(format!(
                "{file} (allow {allow}): exit {got}, stderr:\n{stderr}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
}

#[test]
fn every_command_reading_a_scenario_or_task_refuses_special_files() {
    let dir = fixture("hardening-every-command");
    scenario_naming(&dir, "/dev/zero");
    let plan = root()
        .join("testdata/export/mixed-plan.json")
        .display()
        .to_string();
    let out = dir.join("out").display().to_string();
    let sky = root()
        .join("testdata/skypilot/catalog-v8")
        .display()
        .to_string();
    let cases: &[(&[&str], &str)] = &[
        (
            &["verify", "s/tiny.toml", "plan.json"],
            "is an absolute path",
        ),
        (
            &[
                "export",
                &plan,
                "--to",
                "slurm",
                "--out",
                &out,
                "--scenario",
                "s/tiny.toml",
            ],
            "is an absolute path",
        ),
        (&["plan", "s/tiny.toml"], "is an absolute path"),
        (
            &[
                "explain",
                "s/catalog-free.toml",
                "--what-if",
                "catalog.files=[\"/dev/urandom\"]",
            ],
            "catalog file '/dev/urandom' is an absolute path",
        ),
        (
            &[
                "explain",
                "s/catalog-free.toml",
                "--what-if",
                "catalog.files=[\"fifo\"]",
            ],
            "a link leads outside",
        ),
        (
            &[
                "--allow-outside",
                "explain",
                "s/catalog-free.toml",
                "--what-if",
                "catalog.files=[\"fifo\"]",
            ],
            "not a regular file (a FIFO)",
        ),
        (
            &["place", "fifo", "--catalog", &sky],
            "fifo: error: cannot read file: not a regular file (a FIFO)",
        ),
        (
            &["place", "/dev/zero", "--catalog", &sky],
            "not a regular file (a device)",
        ),
        (
            &["place", "s/folder", "--catalog", &sky],
            "not a regular file (a directory)",
        ),
        (&["check", "/dev/urandom"], "not a regular file (a device)"),
        (
            &["verify", "fifo", "plan.json"],
            "not a regular file (a FIFO)",
        ),
        (
            &["export", "/dev/zero", "--to", "slurm", "--out", &out],
            "not a regular file (a device)",
        ),
    ];
    // A scenario whose own catalog file is fine, for what-if edits of catalog.files.
    let tiny = std::fs::read_to_string(root().join("testdata/explain/tiny.toml")).unwrap();
    std::fs::write(dir.join("s/catalog-free.toml"), tiny).unwrap();
    let mut failures = Vec::new();
    for (args, expected) in cases {
        let (got, stderr) = run(&dir, args);
        if got != 2 || !stderr.contains(expected) {
            failures.push(format!("{args:?}: exit {got}, stderr:\n{stderr}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
}
