//! `allot gen`: write a generated scenario and its catalog (for benchmarks).

use crate::cli::GenArgs;
use crate::exit::Exit;

pub fn run(args: &GenArgs) -> anyhow::Result<Exit> {
    let params = allot_plan::generate::GenParams {
        periods: args.periods.clamp(1, 600),
        offerings: args.offerings.max(1),
        workloads: args.workloads.max(1),
        seed: args.seed,
    };
    let (scenario, catalog) = allot_plan::generate::generate(&params, "catalog.toml");
    std::fs::create_dir_all(&args.out)?;
    std::fs::write(args.out.join("scenario.toml"), scenario)?;
    std::fs::write(args.out.join("catalog.toml"), catalog)?;
    outln!("wrote {}", args.out.join("scenario.toml").display());
    Ok(Exit::Success)
}
