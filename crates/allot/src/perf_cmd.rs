//! `allot perf train|serve`: the performance model for one workload on one or every chip, sorted
//! by cost using the cheapest current on-demand price of each chip.

use allot_catalog::{Accelerator, Catalog, PriceModel};
use allot_diag::did_you_mean;
use allot_model::{Architecture, Mlp};
use allot_perf::{
    LatencyClass, ServeEstimate, ServeRequest, TrainEstimate, TrainKind, TrainRequest, calibration,
    default_maturity, estimate_serve, estimate_train,
};
use allot_present::number::num;
use allot_present::table::{Align, Table};
use serde::Serialize;

use crate::cli::{ModelArgs, PerfCommand, PerfServeArgs, PerfTrainArgs};
use crate::exit::Exit;

pub fn run(command: &PerfCommand) -> anyhow::Result<Exit> {
    let (catalog, _) = Catalog::builtin();
    match command {
        PerfCommand::Train(args) => train(&catalog, args),
        PerfCommand::Serve(args) => serve(&catalog, args),
        PerfCommand::Calibration { results } => {
            out!("{}", calibration_report(&catalog, *results));
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

/// The cheapest current on-demand price per chip-hour of a chip, if any offering has one.
fn on_demand_price(catalog: &Catalog, chip: &str) -> Option<f64> {
    catalog
        .offerings()
        .iter()
        .filter(|o| o.chip == chip && o.price_model == PriceModel::OnDemand && o.is_current())
        .filter_map(|o| o.usd_per_chip_hour())
        .min_by(f64::total_cmp)
}

#[derive(Serialize)]
struct TrainJson {
    #[serde(flatten)]
    estimate: TrainEstimate,
    usd_per_chip_hour: Option<f64>,
    cost_usd: Option<f64>,
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
    let mut rows: Vec<TrainJson> = list
        .into_iter()
        .map(|chip| {
            let req = TrainRequest {
                arch: &arch,
                tokens: args.tokens,
                chips: args.chips,
                precision: args.precision.into(),
                kind,
                maturity: default_maturity(&chip.id),
            };
            let estimate = estimate_train(chip, &req, calibration());
            let price = on_demand_price(catalog, &chip.id);
            let cost = price
                .filter(|_| estimate.fits)
                .map(|p| p * estimate.chip_hours);
            TrainJson {
                estimate,
                usd_per_chip_hour: price,
                cost_usd: cost,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        sort_key(a.cost_usd, a.estimate.chip_hours)
            .total_cmp(&sort_key(b.cost_usd, b.estimate.chip_hours))
    });
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(Exit::Success);
    }
    let mut t = Table::new(&[
        ("CHIP", Align::Left),
        ("PREC", Align::Left),
        ("FITS", Align::Left),
        ("MIN CHIPS", Align::Right),
        ("MEM GB/CHIP", Align::Right),
        ("MFU", Align::Right),
        ("TOKENS/S/CHIP", Align::Right),
        ("HOURS", Align::Right),
        ("CHIP-HOURS", Align::Right),
        ("USD/CHIP-H", Align::Right),
        ("COST USD", Align::Right),
    ]);
    for r in &rows {
        let e = &r.estimate;
        t.row(vec![
            e.chip.clone(),
            e.precision.as_str().to_string(),
            if e.fits { "yes".into() } else { "NO".into() },
            e.min_chips.map_or("never".to_string(), |m| m.to_string()),
            num(Some(e.memory_gb_per_chip), 1),
            num(Some(e.mfu), 3),
            num(Some(e.tokens_per_s_per_chip), 0),
            num(Some(e.hours), 1),
            sci(e.chip_hours),
            num(r.usd_per_chip_hour, 2),
            r.cost_usd.map_or("-".to_string(), sci),
        ]);
    }
    outln!(
        "{}training {:.3e} tokens on {} chips each; sorted by cost at the cheapest on-demand price (- = no public on-demand price, or does not fit)",
        t.render(),
        args.tokens,
        args.chips
    );
    Ok(Exit::Success)
}

fn sort_key(cost: Option<f64>, fallback: f64) -> f64 {
    // Priced rows first by cost, then unpriced rows by chip-hours.
    cost.unwrap_or(1e30 + fallback)
}

fn sci(x: f64) -> String {
    if x.abs() >= 1e6 {
        format!("{x:.3e}")
    } else {
        num(Some(x), 1)
    }
}

#[derive(Serialize)]
struct ServeJson {
    #[serde(flatten)]
    estimate: ServeEstimate,
    usd_per_chip_hour: Option<f64>,
    usd_per_million_tokens: Option<f64>,
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
    let mut rows: Vec<ServeJson> = list
        .into_iter()
        .map(|chip| {
            let req = ServeRequest {
                arch: &arch,
                input_tokens: args.input,
                output_tokens: args.output,
                context: args.context,
                precision: args.precision.into(),
                min_tokens_per_s_per_user: latency.min_tokens_per_s_per_user(),
                batch: args.batch,
                chips_per_replica: args.chips_per_replica,
                maturity: default_maturity(&chip.id),
            };
            let estimate = estimate_serve(chip, &req, calibration());
            let price = on_demand_price(catalog, &chip.id);
            let usable = estimate.fits && estimate.meets_latency;
            let cost = price
                .filter(|_| usable)
                .map(|p| p * estimate.chip_hours_per_million_tokens);
            ServeJson {
                estimate,
                usd_per_chip_hour: price,
                usd_per_million_tokens: cost,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        sort_key(
            a.usd_per_million_tokens,
            a.estimate.chip_hours_per_million_tokens,
        )
        .total_cmp(&sort_key(
            b.usd_per_million_tokens,
            b.estimate.chip_hours_per_million_tokens,
        ))
    });
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(Exit::Success);
    }
    let mut t = Table::new(&[
        ("CHIP", Align::Left),
        ("PREC", Align::Left),
        ("FITS", Align::Left),
        ("CHIPS/REPLICA", Align::Right),
        ("BATCH", Align::Right),
        ("PREFILL TOK/S/CHIP", Align::Right),
        ("DECODE TOK/S/CHIP", Align::Right),
        ("TOK/S/USER", Align::Right),
        ("CHIP-H/M TOKENS", Align::Right),
        ("USD/CHIP-H", Align::Right),
        ("USD/M TOKENS", Align::Right),
    ]);
    for r in &rows {
        let e = &r.estimate;
        let fits = match (e.fits, e.meets_latency) {
            (true, true) => "yes",
            (true, false) => "slow",
            _ => "NO",
        };
        t.row(vec![
            e.chip.clone(),
            e.precision.as_str().to_string(),
            fits.to_string(),
            e.chips_per_replica.to_string(),
            e.batch.to_string(),
            num(Some(e.prefill_tokens_per_s_per_chip), 0),
            num(Some(e.decode_tokens_per_s_per_chip), 0),
            num(Some(e.tokens_per_s_per_user), 1),
            num(Some(e.chip_hours_per_million_tokens), 4),
            num(r.usd_per_chip_hour, 2),
            num(r.usd_per_million_tokens, 3),
        ]);
    }
    outln!(
        "{}{} input + {} output tokens per request, {} latency; slow = cannot reach the per-user speed; sorted by cost at the cheapest on-demand price",
        t.render(),
        args.input,
        args.output,
        args.latency
    );
    Ok(Exit::Success)
}

fn calibration_report(catalog: &Catalog, results: bool) -> String {
    let (data, obs) = (
        allot_perf::mlperf::shipped(),
        allot_perf::observations(catalog),
    );
    let (cal, v) = (calibration(), allot_perf::validation());
    let sections = allot_perf::calibration_report(cal, v, data, &obs, results);
    let mut out = String::new();
    for s in sections {
        out += if out.is_empty() { "" } else { "\n" };
        s.title.iter().for_each(|line| out += &format!("{line}\n"));
        let align = |right| if right { Align::Right } else { Align::Left };
        let head: Vec<_> = s.columns.iter().map(|&(c, r)| (c, align(r))).collect();
        let mut t = Table::new(&head);
        s.rows.into_iter().for_each(|r| t.row(r));
        out += &format!("\n{}\n", t.render().trim_end());
    }
    out
}
