//! Scenario format tests: round trips of random valid scenarios, and robustness on arbitrary
//! input. One integration-test binary for the crate.

use allot_model::{Architecture, Mlp};
use allot_scenario::*;
use proptest::prelude::*;

const CHIPS: &[&str] = &[
    "h100",
    "h200",
    "b200",
    "gb200",
    "mi300x",
    "trainium2",
    "tpu-v6e",
];
const PROVIDERS: &[&str] = &["aws", "azure", "gcp", "oci", "coreweave", "lambda"];
const OFFERINGS: &[&str] = &[
    "aws/p5.48xlarge/us-east-1/on-demand",
    "gcp/a3-highgpu-8g/us-central1/reserved-1y",
    "coreweave/hgx-b200-8x/us/on-demand",
];
const HORIZON: u32 = 36;

fn start() -> Month {
    Month::parse("2027-01").expect("month")
}

fn no_files(_: &str) -> Result<(String, String), String> {
    Err("no files in this test".to_string())
}

fn month_in_horizon() -> impl Strategy<Value = Month> {
    (0..HORIZON as i64).prop_map(|i| start().plus(i))
}

fn subset(items: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    proptest::sample::subsequence(items, 0..=2)
        .prop_map(|v| v.into_iter().map(str::to_string).collect())
}

fn money() -> impl Strategy<Value = f64> {
    (1u32..100_000).prop_map(|x| f64::from(x) * 1e5)
}

fn series() -> impl Strategy<Value = Series> {
    prop_oneof![
        (1u32..1000).prop_map(|x| Series::Constant(f64::from(x) * 10.0)),
        (
            1u32..1000,
            -50i32..300,
            proptest::option::of(month_in_horizon())
        )
            .prop_map(|(x, g, from)| {
                Series::Growth(Growth {
                    initial: f64::from(x),
                    growth_per_year: f64::from(g) / 100.0,
                    from,
                })
            }),
        (
            proptest::sample::subsequence((0..HORIZON as i64).collect::<Vec<_>>(), 1..5),
            any::<bool>()
        )
            .prop_map(|(idx, step)| Series::Points(Points {
                points: idx
                    .into_iter()
                    .map(|i| Point {
                        month: start().plus(i),
                        value: (i * 7) as f64
                    })
                    .collect(),
                interpolate: if step {
                    Interpolation::Step
                } else {
                    Interpolation::Linear
                },
            })),
        Just(Series::Values((0..HORIZON).map(f64::from).collect())),
    ]
}

fn model() -> impl Strategy<Value = ModelSpec> {
    prop_oneof![
        proptest::sample::select(allot_model::preset_ids().collect::<Vec<_>>())
            .prop_map(|p| ModelSpec::Preset(p.to_string())),
        (1u32..100, 1u32..8, any::<bool>()).prop_map(|(layers, h, moe)| {
            ModelSpec::Architecture(Architecture {
                layers,
                d_model: 128 * h * 4,
                heads: h * 4,
                kv_heads: Some(h),
                ffn: None,
                mlp: if moe { Mlp::Swiglu } else { Mlp::Gelu },
                vocab: 32000,
                seq_len: 4096,
                experts: moe.then_some(8),
                top_k: moe.then_some(2),
                shared_experts: None,
                dense_layers: None,
                dense_ffn: None,
                kv_latent_dim: None,
                tied_embeddings: !moe,
            })
        }),
    ]
}

fn training(i: usize) -> impl Strategy<Value = TrainingRun> {
    (
        model(),
        1u32..1000,
        proptest::option::of((0..HORIZON as i64, 0..HORIZON as i64)),
        any::<bool>(),
    )
        .prop_map(move |(model, tokens, window, bounds)| TrainingRun {
            name: format!("run-{i}"),
            model,
            tokens: f64::from(tokens) * 1e9,
            precision: if bounds {
                Precision::Fp8
            } else {
                Precision::Bf16
            },
            earliest_start: window.map(|(a, b)| start().plus(a.min(b))),
            deadline: window.map(|(a, b)| start().plus(a.max(b))),
            chips: vec![],
            providers: vec![],
            min_chips: bounds.then_some(64),
            max_chips: bounds.then_some(65536),
            notes: None,
        })
}

fn inference(i: usize) -> impl Strategy<Value = InferenceDemand> {
    (
        model(),
        1u32..5000,
        1u32..2000,
        series(),
        subset(CHIPS),
        subset(PROVIDERS),
    )
        .prop_map(
            move |(model, input, output, requests, chips, providers)| InferenceDemand {
                name: format!("serve-{i}"),
                model,
                input_tokens: input,
                output_tokens: output,
                requests_per_day: requests,
                latency: LatencyClass::Batch,
                min_tokens_per_s_per_user: None,
                precision: Precision::Bf16,
                start: None,
                end: None,
                chips,
                providers,
                price_usd_per_million_tokens: None,
                notes: Some("generated".to_string()),
            },
        )
}

fn scenario() -> impl Strategy<Value = ScenarioFile> {
    (
        proptest::collection::vec(any::<u8>(), 0..3),
        proptest::collection::vec(any::<u8>(), 0..3),
        proptest::collection::vec(
            (
                proptest::sample::select(PROVIDERS),
                money(),
                month_in_horizon(),
                1u32..84,
            ),
            0..3,
        ),
        proptest::collection::vec(
            (
                proptest::sample::select(OFFERINGS),
                1u32..5000,
                month_in_horizon(),
            ),
            0..3,
        ),
        proptest::option::of((0u32..100, 1u32..100)),
        (any::<bool>(), proptest::option::of(series())),
    )
        .prop_flat_map(
            |(t, d, commitments, reservations, cap, (finance, revenue))| {
                let runs: Vec<_> = (0..t.len()).map(training).collect();
                let demands: Vec<_> = (0..d.len()).map(inference).collect();
                (
                    runs,
                    demands,
                    Just((commitments, reservations, cap, finance, revenue)),
                )
            },
        )
        .prop_map(
            |(training, inference, (commitments, reservations, cap, finance, revenue))| {
                let workloads: Vec<String> = training
                    .iter()
                    .map(|t| t.name.clone())
                    .chain(inference.iter().map(|d| d.name.clone()))
                    .collect();
                ScenarioFile {
                    version: 1,
                    scenario: Settings {
                        name: "generated".to_string(),
                        description: None,
                        start: start(),
                        horizon_months: HORIZON,
                        period: Period::Month,
                        currency: Currency::Usd,
                        discount_rate: 0.07,
                    },
                    catalog: CatalogSection::default(),
                    exclusivity: workloads
                        .first()
                        .map(|w| Exclusivity {
                            name: "excl".to_string(),
                            workloads: vec![w.clone()],
                            providers: vec!["azure".to_string()],
                            start: None,
                            end: None,
                            notes: None,
                        })
                        .into_iter()
                        .collect(),
                    training,
                    inference,
                    commitment: commitments
                        .into_iter()
                        .enumerate()
                        .map(|(i, (provider, total, start, term))| Commitment {
                            name: format!("deal-{i}"),
                            provider: provider.to_string(),
                            total_usd: total,
                            start,
                            term_months: term,
                            discount: 0.1,
                            take_or_pay: i % 2 == 0,
                            payment: PaymentTerms::MonthlyMinimum,
                            chips: vec![],
                            notes: None,
                        })
                        .collect(),
                    reservation: reservations
                        .into_iter()
                        .enumerate()
                        .map(|(i, (offering, chips, start))| Reservation {
                            name: format!("res-{i}"),
                            offering: offering.to_string(),
                            chips,
                            start,
                            term_months: 12,
                            usd_per_chip_hour: None,
                            notes: None,
                        })
                        .collect(),
                    availability: vec![Availability {
                        offering: None,
                        provider: Some("aws".to_string()),
                        chip: Some("h100".to_string()),
                        chips: Series::Constant(1000.0),
                        notes: None,
                    }],
                    policy: Policy {
                        vendor_cap: cap
                            .map(|(share, _)| VendorCap {
                                vendor: "nvidia".to_string(),
                                max_share: f64::from(share) / 100.0,
                                basis: ShareBasis::Chips,
                                counts: CapCounts::InUse,
                                start: None,
                                end: None,
                            })
                            .into_iter()
                            .collect(),
                        provider_cap: vec![],
                        power: cap.map(|(_, mw)| PowerCap {
                            cap_mw: Series::Constant(f64::from(mw)),
                            pue: 1.2,
                        }),
                        budget: vec![Budget {
                            year: 2028,
                            max_usd: 5e9,
                        }],
                        spot: None,
                    },
                    performance: Performance::default(),
                    uncertainty: vec![],
                    finance: finance.then(|| Finance {
                        starting_cash_usd: 1e9,
                        revenue_usd_per_month: revenue,
                        other_opex_usd_per_month: None,
                        funding: vec![Funding {
                            name: "A".to_string(),
                            month: start().plus(3),
                            usd: 2e8,
                            notes: None,
                        }],
                        reference: vec![],
                        cash_floor_usd: None,
                    }),
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Writing a valid scenario to TOML and loading it back gives the same scenario, with no
    /// error: the schema check, the deserialiser and the serialiser agree.
    #[test]
    fn valid_scenarios_round_trip(s in scenario()) {
        let text = toml::to_string(&s).expect("serialise");
        let loaded = load("gen.toml", &text, &mut no_files);
        let errors: Vec<String> =
            loaded.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.render(Some(&text))).collect();
        prop_assert!(errors.is_empty(), "{}\n{}", errors.join("\n"), text);
        let back = loaded.scenario.expect("scenario").file;
        prop_assert_eq!(back, s);
    }

    /// Loading never panics, whatever the bytes.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        let _ = load("any.toml", &text, &mut no_files);
    }

    /// Nor does a valid scenario with a line removed or a character replaced.
    #[test]
    fn damaged_scenarios_never_panic(s in scenario(), line in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), c in any::<char>()) {
        let text = toml::to_string(&s).expect("serialise");
        let lines: Vec<&str> = text.lines().collect();
        let drop = line.index(lines.len().max(1));
        let without: String = lines.iter().enumerate().filter(|(i, _)| *i != drop).map(|(_, l)| format!("{l}\n")).collect();
        let _ = load("damaged.toml", &without, &mut no_files);
        let mut chars: Vec<char> = text.chars().collect();
        if !chars.is_empty() {
            let i = at.index(chars.len());
            chars[i] = c;
        }
        let replaced: String = chars.into_iter().collect();
        let loaded = load("damaged.toml", &replaced, &mut no_files);
        for d in &loaded.diagnostics {
            let _ = d.render(Some(&replaced));
        }
    }
}

#[test]
fn a_scenario_with_every_error_kind_reports_them_all() {
    let text = r#"
version = 1
[scenario]
name = "x"
start = "2026-01"
horizon_months = 12
[[training]]
name = "a"
model = "gpt3-175b"
tokens = 1e12
chips = ["h1000"]
deadline = "2027-06"
[[inference]]
name = "a"
model = "gpt5"
input_tokens = 1
output_tokens = 1
requests_per_day = 5
"#;
    let loaded = load("x.toml", text, &mut no_files);
    let messages: Vec<&str> = loaded
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "training[0].chips[0]: unknown accelerator 'h1000'",
            "training[0].deadline: 2027-06 is outside the horizon 2026-01 to 2026-12",
            "inference[0].name: duplicate workload name 'a' (also training[0])",
            "inference[0].model: unknown model preset 'gpt5'",
        ]
    );
    assert!(loaded.scenario.is_none());
}

#[test]
fn price_overrides_change_the_catalog() {
    let text = r#"
version = 1
[scenario]
name = "x"
start = "2026-01"
horizon_months = 12
[[catalog.price_override]]
offering = "aws/p5.48xlarge/us-east-1/on-demand"
discount = 0.25
[[catalog.price_override]]
offering = "AWS/p5en.48xlarge/us-east-1/on-demand"
usd_per_chip_hour = 5.0
"#;
    let loaded = load("x.toml", text, &mut no_files);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let catalog = loaded.scenario.expect("scenario").catalog;
    let p5 = catalog
        .offering("aws/p5.48xlarge/us-east-1/on-demand")
        .expect("p5");
    assert!((p5.usd_per_chip_hour().expect("price") - 6.88 * 0.75).abs() < 1e-9);
    let p5en = catalog
        .offering("aws/p5en.48xlarge/us-east-1/on-demand")
        .expect("p5en");
    assert!((p5en.usd_per_chip_hour().expect("price") - 5.0).abs() < 1e-9);
}

#[test]
fn catalog_files_are_read_through_the_callback() {
    let text = r#"
version = 1
[scenario]
name = "x"
start = "2026-01"
horizon_months = 12
[catalog]
files = ["mine.toml"]
[[reservation]]
name = "own"
offering = "acme/b200/owned"
chips = 1024
start = "2026-01"
term_months = 12
"#;
    let mine = r#"
version = 1
[[provider]]
id = "acme"
name = "Acme DC"
[[offering]]
id = "acme/b200/owned"
provider = "acme"
instance = "b200-node"
chip = "B200"
chips_per_instance = 8
region = "home"
price_model = "owned"
capex_usd_per_chip = 43830.0
depreciation_months = 60
opex_usd_per_chip_hour = 0.5
sources = [{ url = "https://example.com/our-quote", date = "2026-10" }]
"#;
    let mut read = |path: &str| -> Result<(String, String), String> {
        assert_eq!(path, "mine.toml");
        Ok(("dir/mine.toml".to_string(), mine.to_string()))
    };
    let loaded = load("x.toml", text, &mut read);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(loaded.files.len(), 2);
    let s = loaded.scenario.expect("scenario");
    let o = s
        .catalog
        .offering("acme/b200/owned")
        .expect("owned offering");
    // 43,830 / (60 × 730.5) = 1.0 per hour of depreciation, plus 0.5 of operating cost
    assert!((o.usd_per_chip_hour().expect("price") - 1.5).abs() < 1e-9);
    assert_eq!(o.chip, "b200");
}

#[test]
fn series_expand_over_quarters() {
    let s = Series::Values(vec![1.0, 2.0, 3.0, 4.0]);
    let settings = Settings {
        name: "q".into(),
        description: None,
        start: Month::parse("2026-01").expect("month"),
        horizon_months: 12,
        period: Period::Quarter,
        currency: Currency::Usd,
        discount_rate: 0.0,
    };
    assert_eq!(settings.periods(), 4);
    let v = s.monthly(
        settings.start,
        settings.horizon_months,
        settings.period.months(),
    );
    assert_eq!(
        v,
        [1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0]
    );
}

/// The scenario of the reservation tests: one reservation on `offering`, a catalog file with
/// an unpriced offering, and `extra` appended.
fn reservation_on(offering: &str, extra: &str) -> (String, Loaded) {
    let text = format!(
        r#"version = 1
[scenario]
name = "x"
start = "2026-01"
horizon_months = 12
[catalog]
files = ["mine.toml"]
[[reservation]]
name = "held"
offering = "{offering}"
chips = 64
start = "2026-01"
term_months = 12
usd_per_chip_hour = 2.0
{extra}"#
    );
    let mine = r#"
version = 1
[[offering]]
id = "aws/p5e.48xlarge/us-east-1/reservation-only"
provider = "aws"
instance = "p5e.48xlarge"
chip = "h200"
chips_per_instance = 8
region = "us-east-1"
price_model = "capacity_block"
sources = [{ url = "https://example.com/quote", date = "2026-10" }]
"#;
    let mut read = |_: &str| -> Result<(String, String), String> {
        Ok(("mine.toml".to_string(), mine.to_string()))
    };
    let loaded = load("x.toml", &text, &mut read);
    (text, loaded)
}

/// The errors of a load, rendered with their place and hints.
fn rendered_errors(text: &str, loaded: &Loaded) -> Vec<String> {
    loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.render(Some(text)))
        .collect()
}

/// Issue 18: a reservation on an offering the plan cannot hold is rejected where it is
/// written, so that the planner (which keeps no such supply) and the verifier (which would
/// count the reservation) never disagree. One test per kind.
#[test]
fn a_reservation_on_an_unpriced_offering_is_rejected() {
    let (text, loaded) = reservation_on("aws/p5e.48xlarge/us-east-1/reservation-only", "");
    assert_eq!(
        rendered_errors(&text, &loaded),
        [
            "x.toml:10:12: error: reservation[0].offering: offering 'aws/p5e.48xlarge/us-east-1/reservation-only' has no price, so a plan cannot hold it\n  hint: give the offering a price ([[catalog.price_override]]), or reserve a priced offering of the same provider and chip with the price you pay as usd_per_chip_hour"
        ]
    );
    assert!(loaded.scenario.is_none());
}

#[test]
fn a_reservation_on_a_historical_offering_is_rejected() {
    let (text, loaded) = reservation_on("aws/p4d.24xlarge/us-east-1/on-demand@pre-2025-06", "");
    assert_eq!(
        rendered_errors(&text, &loaded),
        [
            "x.toml:10:12: error: reservation[0].offering: offering 'aws/p4d.24xlarge/us-east-1/on-demand@pre-2025-06' is historical (a past price), so a plan cannot hold it\n  hint: reserve the current offering of the same provider and chip, with the price you pay as usd_per_chip_hour"
        ]
    );
}

#[test]
fn a_reservation_on_spot_capacity_needs_the_spot_policy() {
    let spot = "aws/p5.48xlarge/us-east-1/spot";
    let (text, loaded) = reservation_on(spot, "");
    assert_eq!(
        rendered_errors(&text, &loaded),
        [
            "x.toml:10:12: error: reservation[0].offering: offering 'aws/p5.48xlarge/us-east-1/spot' is spot capacity and the scenario has no [policy.spot], so a plan cannot hold it\n  hint: add [policy.spot] (availability_haircut, preemption_overhead), or reserve a non-spot offering"
        ]
    );
    // With the policy, the planner counts spot chips, and the reservation stands.
    let (text, loaded) = reservation_on(
        spot,
        "[policy.spot]\navailability_haircut = 0.1\npreemption_overhead = 0.05\n",
    );
    assert!(rendered_errors(&text, &loaded).is_empty());
    let s = loaded.scenario.expect("scenario");
    let held: Vec<&str> = held_reservations(&s).map(|(_, o)| o.id.as_str()).collect();
    assert_eq!(held, [spot]);
}
