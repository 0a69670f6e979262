//! Re-planning variants of examples/frontier-lab.toml (other Trainium3 maturity and commitment
//! discounts): from scratch (`allot_plan::plan`, the baseline), warm-started from the base's
//! basis (`allot_plan::plan_warm`), and with the base plan's placements kept
//! (`allot_plan::plan_fixed`); medians over the variants.
//!
//! Run with `cargo bench -p allot-plan --bench resolve`.

use std::path::Path;
use std::time::Instant;

use allot_plan::solver::Resolver;
use allot_plan::{SolveSettings, plan, plan_base, plan_fixed, plan_warm};
use allot_scenario::Scenario;

fn load(path: &Path) -> Scenario {
    let text = std::fs::read_to_string(path).expect("read the example");
    let dir = path.parent().expect("folder").to_path_buf();
    let mut read = |name: &str| -> Result<(String, String), String> {
        let p = dir.join(name);
        std::fs::read_to_string(&p)
            .map(|t| (p.display().to_string(), t))
            .map_err(|e| e.to_string())
    };
    allot_scenario::load(&path.display().to_string(), &text, &mut read)
        .scenario
        .expect("the example loads")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/frontier-lab.toml");
    let base = load(&root);
    let settings = SolveSettings::default();
    let mut resolver = Resolver::new(&settings);
    let t = Instant::now();
    let b = plan_base(&base, &mut resolver);
    println!(
        "base: {:.3} s, objective ${:.2}B",
        t.elapsed().as_secs_f64(),
        b.plan.objective_usd / 1e9
    );
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    let mut fixed = Vec::new();
    for k in 0..12 {
        let mut s = base.clone();
        let f = 0.6 + 0.035 * f64::from(k);
        s.file.performance.maturity.insert("trainium3".into(), f);
        for c in &mut s.file.commitment {
            c.discount = (c.discount * (0.9 + 0.02 * f64::from(k))).min(0.9);
        }
        let t = Instant::now();
        let c = plan(&s, &settings);
        cold.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let w = plan_warm(&s, &resolver);
        warm.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let f = plan_fixed(&s, &resolver);
        fixed.push(t.elapsed().as_secs_f64());
        let gap = (w.plan.objective_usd - c.plan.objective_usd) / c.plan.objective_usd;
        let fixed_gap = (f.plan.objective_usd - c.plan.objective_usd) / c.plan.objective_usd;
        println!(
            "variant {k:>2}: cold {:.3} s, warm {:.3} s ({:+.4}%, {}), placements kept {:.3} s ({:+.4}%, {})",
            cold[k as usize],
            warm[k as usize],
            gap * 100.0,
            w.plan.status,
            fixed[k as usize],
            fixed_gap * 100.0,
            f.plan.status
        );
    }
    let (c, w, f) = (median(cold), median(warm), median(fixed));
    println!(
        "median: cold {c:.3} s, warm {w:.3} s ({:.2}x), placements kept {f:.3} s ({:.2}x)",
        w / c,
        f / c
    );
}
