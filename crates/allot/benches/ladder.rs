//! The planner over a ladder of generated scenarios, tiny to over a million variables (as the
//! model is built, after serving classes; xl had 1.51M written pool by pool): model
//! build, solve and extraction times (as `allot plan` reports them) and peak memory (from
//! `/usr/bin/time`), one process per size.
//!
//! Run with `cargo bench -p allot --bench ladder` (release build; several minutes). Each size is
//! solved with a 60 s time limit.

use std::process::Command;

const LADDER: [(&str, u32, u32, u32); 6] = [
    ("tiny", 6, 5, 2),
    ("small", 24, 40, 10),
    ("medium", 84, 100, 20),
    ("large", 84, 200, 40),
    ("xl", 120, 300, 60),
    ("xxl", 120, 600, 500),
];

fn main() {
    let allot = env!("CARGO_BIN_EXE_allot");
    let dir = std::env::temp_dir().join("allot-ladder");
    println!(
        "{:<7} {:>11} {:>9} {:>8} {:>9} {:>9} {:>10}  status",
        "size", "variables", "rows", "build s", "solve s", "extract s", "peak MB"
    );
    for (name, periods, offerings, workloads) in LADDER {
        let out = dir.join(name);
        let generated = Command::new(allot)
            .args([
                "gen",
                "--periods",
                &periods.to_string(),
                "--offerings",
                &offerings.to_string(),
            ])
            .args([
                "--workloads",
                &workloads.to_string(),
                "--seed",
                "1",
                "--out",
            ])
            .arg(&out)
            .output()
            .expect("run allot gen");
        assert!(generated.status.success(), "allot gen failed");
        let scenario = out.join("scenario.toml");
        let run = Command::new("/usr/bin/time")
            .args(["-f", "peak_kb %M"])
            .arg(allot)
            .arg("plan")
            .arg(&scenario)
            .args(["--time-limit", "60"])
            .output()
            .expect("run /usr/bin/time allot plan");
        let stdout = String::from_utf8_lossy(&run.stdout);
        let stderr = String::from_utf8_lossy(&run.stderr);
        let status = stdout
            .lines()
            .next()
            .and_then(|l| l.split(": ").nth(1))
            .unwrap_or("?")
            .to_string();
        let sizes = stdout.lines().nth(1).unwrap_or("");
        let field = |key: &str| -> String {
            sizes
                .split([',', ';'])
                .find_map(|part| {
                    let part = part.trim();
                    part.strip_prefix(key)
                        .map(|rest| rest.trim().trim_end_matches(" s").to_string())
                })
                .unwrap_or_default()
        };
        let vars = sizes.split(' ').next().unwrap_or("?");
        let rows = sizes
            .split(", ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .unwrap_or("?");
        let peak: f64 = stderr
            .lines()
            .find_map(|l| {
                l.strip_prefix("peak_kb ")
                    .and_then(|v| v.trim().parse().ok())
            })
            .unwrap_or(0.0);
        println!(
            "{name:<7} {vars:>11} {rows:>9} {:>8} {:>9} {:>9} {:>10.0}  {status}",
            field("build"),
            field("solve"),
            field("extract"),
            peak / 1024.0
        );
    }
}
