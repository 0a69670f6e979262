//! `allot perf train|serve`: the performance model for one workload on one or every chip, sorted
//! by cost using the cheapest current on-demand price of each chip (`allot_present::perf`).

use allot_catalog::{Accelerator, Catalog};
use allot_diag::did_you_mean;
use allot_model::{Architecture, Mlp};
use allot_perf::{LatencyClass, ServeRequest, TrainKind, TrainRequest};
use allot_present::perf;

use crate::cli::{ModelArgs, PerfCommand, PerfServeArgs, PerfTrainArgs};
use crate::exit::Exit;

pub fn run(command: &PerfCommand) -> anyhow::Result<Exit> {
    let (catalog, _) = Catalog::builtin();
    match command {
        PerfCommand::Train(args) => train(&catalog, args),
        PerfCommand::Serve(args) => serve(&catalog, args),
        PerfCommand::Calibration { results } => {
            out!("{}", perf::calibration_report(&catalog, *results));
            Ok(Exit::Success)
        }
    }
}

fn invalid(message: impl std::fmt::Display) -> anyhow::Result<Exit> {
    eprintln!("{message}");
    Ok(Exit::Invalid)
}

/// The model from `--model PRESET` or the architecture flags.
fn architecture(m: &ModelArgs) -> Result<Architecture, String> {
    if let Some(name) = &m.model {
        return match allot_model::preset(name) {
            Some(p) => {
                let mut a = p.architecture();
                if let Some(seq) = m.seq {
                    a.seq_len = seq;
                }
                Ok(a)
            }
            None => {
                let mut msg = format!("error: unknown model preset '{name}'");
                if let Some(h) = did_you_mean(name, allot_model::preset_ids()) {
                    msg.push_str(&format!("\n  hint: {h}"));
                }
                msg.push_str(&format!(
                    "\n  hint: presets: {}; or give --layers --d-model --heads --vocab --seq",
                    allot_model::preset_ids().collect::<Vec<_>>().join(", ")
                ));
                Err(msg)
            }
        };
    }
    let missing: Vec<&str> = [
        ("--layers", m.layers.is_none()),
        ("--d-model", m.d_model.is_none()),
        ("--heads", m.heads.is_none()),
        ("--vocab", m.vocab.is_none()),
        ("--seq", m.seq.is_none()),
    ]
    .into_iter()
    .filter_map(|(flag, absent)| absent.then_some(flag))
    .collect();
    if !missing.is_empty() {
        return Err(format!(
            "error: give --model PRESET, or an architecture; missing {}\n  hint: e.g. --model llama3.1-70b",
            missing.join(", ")
        ));
    }
    let a = Architecture {
        layers: m.layers.unwrap_or(1),
        d_model: m.d_model.unwrap_or(1),
        heads: m.heads.unwrap_or(1),
        kv_heads: m.kv_heads,
        ffn: m.ffn,
        mlp: if m.swiglu { Mlp::Swiglu } else { Mlp::Gelu },
        vocab: m.vocab.unwrap_or(1),
        seq_len: m.seq.unwrap_or(1),
        experts: m.experts,
        top_k: m.top_k,
        shared_experts: None,
        dense_layers: None,
        dense_ffn: None,
        kv_latent_dim: None,
        tied_embeddings: false,
    };
    let problems = a.problems();
    if problems.is_empty() {
        Ok(a)
    } else {
        Err(problems
            .into_iter()
            .map(|(f, p)| format!("error: --{}: {p}", f.replace('_', "-")))
            .collect::<Vec<_>>()
            .join("\n"))
    }
}

/// The chips to evaluate: one (by id or alias) or all.
fn chips<'a>(catalog: &'a Catalog, chip: &str) -> Result<Vec<&'a Accelerator>, String> {
    if chip.eq_ignore_ascii_case("all") {
        return Ok(catalog.accelerators().iter().collect());
    }
    catalog.accelerator(chip).map(|a| vec![a]).ok_or_else(|| {
        let mut msg = format!("error: unknown accelerator '{chip}'");
        if let Some(h) = did_you_mean(chip, catalog.accelerator_names()) {
            msg.push_str(&format!("\n  hint: {h}"));
        }
        msg.push_str("\n  hint: `allot catalog accelerators` lists them, or use --chip all");
        msg
    })
}

/// The model and the chips to evaluate it on.
fn workload<'a>(
    catalog: &'a Catalog,
    model: &ModelArgs,
    chip: &str,
) -> Result<(Architecture, Vec<&'a Accelerator>), String> {
    Ok((architecture(model)?, chips(catalog, chip)?))
}

fn train(catalog: &Catalog, args: &PerfTrainArgs) -> anyhow::Result<Exit> {
    let (arch, list) = match workload(catalog, &args.model, &args.chip) {
        Ok(w) => w,
        Err(e) => return invalid(e),
    };
    let kind = if args.lora {
        TrainKind::Lora
    } else {
        TrainKind::Full
    };
    let request = TrainRequest {
        arch: &arch,
        tokens: args.tokens,
        chips: args.chips,
        precision: args.precision.into(),
        kind,
        maturity: 1.0,
    };
    let rows = perf::train_rows(catalog, &list, &request);
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        outln!("{}", perf::train_table(&rows, args.tokens, args.chips));
    }
    Ok(Exit::Success)
}

fn serve(catalog: &Catalog, args: &PerfServeArgs) -> anyhow::Result<Exit> {
    let (arch, list) = match workload(catalog, &args.model, &args.chip) {
        Ok(w) => w,
        Err(e) => return invalid(e),
    };
    let latency = match args.latency.as_str() {
        "interactive" => LatencyClass::Interactive,
        "standard" => LatencyClass::Standard,
        "batch" => LatencyClass::Batch,
        other => {
            return invalid(format!(
                "error: unknown latency class '{other}'\n  hint: interactive (30 tokens/s per user), standard (10) or batch"
            ));
        }
    };
    let request = ServeRequest {
        arch: &arch,
        input_tokens: args.input,
        output_tokens: args.output,
        context: args.context,
        precision: args.precision.into(),
        min_tokens_per_s_per_user: latency.min_tokens_per_s_per_user(),
        batch: args.batch,
        chips_per_replica: args.chips_per_replica,
        maturity: 1.0,
    };
    let rows = perf::serve_rows(catalog, &list, &request);
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        let table = perf::serve_table(&rows, args.input, args.output, &args.latency);
        outln!("{table}");
    }
    Ok(Exit::Success)
}
