//! The simulator against hand-computed oracles, invariants on random workloads, and bad CSV.

use allot_sim::trace::{Generate, generate, read, read_throughputs};
use allot_sim::{
    Job, Outcome, Policy, Pool, Settings, SimError, Simulated, Throughputs, Workload, gavel,
};
use proptest::prelude::*;

/// A simulation without a time limit: every job finished, or the refusal.
fn simulate(w: &Workload, s: &Settings) -> Result<Outcome, SimError> {
    allot_sim::simulate(w, s).map(|r| r.complete().expect("no time limit"))
}

fn pool(chip: &str, chips: u32, price: f64) -> Pool {
    Pool {
        chip: chip.into(),
        chips,
        usd_per_chip_hour: price,
    }
}

fn job(id: &str, arrival_s: f64, job_type: usize, gang: u32, work: f64) -> Job {
    Job {
        id: id.into(),
        arrival_s,
        job_type,
        gang,
        work,
        deadline_s: None,
    }
}

fn one_type(rates: &[f64]) -> Throughputs {
    Throughputs {
        job_types: vec!["train".into()],
        rate: vec![rates.to_vec()],
    }
}

#[test]
fn two_jobs_fifo_on_one_chip_have_exact_completion_times() {
    // A arrives at 0 with 100 s of work, B at 10 with 50 s: A runs 0-100, B 100-150.
    let w = Workload {
        pools: vec![pool("h100", 1, 3.6)],
        throughputs: one_type(&[1.0]),
        jobs: vec![job("a", 0.0, 0, 1, 100.0), job("b", 10.0, 0, 1, 50.0)],
    };
    let out = simulate(&w, &Settings::default()).unwrap();
    assert_eq!(out.jobs[0].finish_s, 100.0);
    assert_eq!(out.jobs[1].start_s, 100.0);
    assert_eq!(out.jobs[1].finish_s, 150.0);
    assert_eq!(out.metrics.avg_jct_s, (100.0 + 140.0) / 2.0);
    assert_eq!(out.metrics.p99_jct_s, 140.0);
    assert_eq!(out.metrics.makespan_s, 150.0);
    assert!((out.metrics.utilisation[0] - 1.0).abs() < 1e-12);
    // 150 chip-seconds at $3.60 an hour.
    assert!((out.metrics.cost_usd - 0.15).abs() < 1e-12);
}

#[test]
fn fifo_puts_the_head_job_on_its_fastest_free_chip_and_least_cost_on_its_cheapest() {
    // Chip "fast" runs the job at 2/s for $4/h (2 $/h per unit rate), "slow" at 1/s for $1/h.
    let w = Workload {
        pools: vec![pool("fast", 1, 4.0), pool("slow", 1, 1.0)],
        throughputs: one_type(&[2.0, 1.0]),
        jobs: vec![job("a", 0.0, 0, 1, 100.0)],
    };
    let fifo = simulate(&w, &Settings::default()).unwrap();
    assert_eq!(fifo.jobs[0].finish_s, 50.0);
    let cheap = simulate(
        &w,
        &Settings {
            policy: Policy::LeastCost,
            ..Settings::default()
        },
    )
    .unwrap();
    assert_eq!(cheap.jobs[0].finish_s, 100.0);
    assert!((cheap.metrics.cost_usd - 100.0 / 3600.0).abs() < 1e-12);
}

#[test]
fn a_gang_waits_for_enough_chips_of_one_type() {
    // Two 1-chip jobs hold both chips until 100; the 2-chip job starts then, ends at 130.
    let w = Workload {
        pools: vec![pool("a100", 2, 1.0)],
        throughputs: one_type(&[1.0]),
        jobs: vec![
            job("x", 0.0, 0, 1, 100.0),
            job("y", 0.0, 0, 1, 60.0),
            job("g", 1.0, 0, 2, 30.0),
        ],
    };
    let out = simulate(&w, &Settings::default()).unwrap();
    assert_eq!(out.jobs[2].start_s, 100.0);
    assert_eq!(out.jobs[2].finish_s, 130.0);
}

#[test]
fn a_failure_loses_the_work_since_the_last_checkpoint() {
    // One failure is drawn from the seeded stream; the checkpoint every 40 s keeps
    // floor(t_fail / 40) * 40 s of work, so the job ends at 1000 + (t_fail mod 40) unless it
    // fails again; lost chip-seconds are exactly the sum of those remainders times the gang.
    let w = Workload {
        pools: vec![pool("h100", 4, 1.0)],
        throughputs: one_type(&[1.0]),
        jobs: vec![job("a", 0.0, 0, 4, 1000.0)],
    };
    let settings = Settings {
        mtbf_chip_hours: Some(4.0 * 1000.0 / 3600.0),
        checkpoint_s: Some(40.0),
        seed: 7,
        ..Settings::default()
    };
    let out = simulate(&w, &settings).unwrap();
    let r = &out.jobs[0];
    assert!(
        r.failures > 0,
        "the mean time to failure of the gang is the job's length"
    );
    // Work done = 1000; time held = 1000 + lost time; lost chip-seconds = 4 × lost time.
    let lost_time = r.finish_s - 1000.0;
    assert!((r.lost_chip_s - 4.0 * lost_time).abs() < 1e-6, "{r:?}");
    assert!((r.chip_s - 4.0 * r.finish_s).abs() < 1e-6);
    // Each placement but the last ended in a failure, which lost exactly the time since the
    // last checkpoint of that placement: its length modulo 40 s.
    assert_eq!(r.spans.len(), r.failures as usize + 1, "{r:?}");
    let ended_in_failure: Vec<bool> = r.spans.iter().map(|s| s.failed).collect();
    let mut expected = vec![true; r.failures as usize];
    expected.push(false);
    assert_eq!(ended_in_failure, expected);
    let lost: f64 = r.spans[..r.spans.len() - 1]
        .iter()
        .map(|s| (s.to_s - s.from_s) % 40.0)
        .sum();
    assert!((r.lost_chip_s - 4.0 * lost).abs() < 1e-6, "{r:?}");
    // The same seed gives the same run.
    assert_eq!(simulate(&w, &settings).unwrap(), out);
    // Without checkpoints every failure loses its whole placement.
    let none = simulate(
        &w,
        &Settings {
            checkpoint_s: None,
            ..settings
        },
    )
    .unwrap();
    let n = &none.jobs[0];
    assert_eq!(n.spans.len(), n.failures as usize + 1, "{n:?}");
    let lost: f64 = n.spans[..n.spans.len() - 1]
        .iter()
        .map(|s| s.to_s - s.from_s)
        .sum();
    assert!((n.lost_chip_s - 4.0 * lost).abs() < 1e-6, "{n:?}");
    assert!((n.finish_s - n.spans.last().unwrap().from_s - 1000.0).abs() < 1e-6);
}

#[test]
fn heterogeneity_aware_max_min_beats_the_agnostic_one_when_speeds_differ() {
    // Type 0 is 10x faster on "fast"; type 1 the same everywhere. Gavel puts type 0 there.
    let w = Workload {
        pools: vec![pool("fast", 1, 1.0), pool("slow", 1, 1.0)],
        throughputs: Throughputs {
            job_types: vec!["a".into(), "b".into()],
            rate: vec![vec![10.0, 1.0], vec![1.0, 1.0]],
        },
        jobs: vec![job("a", 0.0, 0, 1, 36_000.0), job("b", 0.0, 1, 1, 3_600.0)],
    };
    let aware = simulate(
        &w,
        &Settings {
            policy: Policy::Gavel,
            ..Settings::default()
        },
    )
    .unwrap();
    let blind = simulate(
        &w,
        &Settings {
            policy: Policy::MaxMin,
            ..Settings::default()
        },
    )
    .unwrap();
    assert_eq!(aware.jobs[0].finish_s, 3_600.0);
    assert_eq!(aware.jobs[1].finish_s, 3_600.0);
    assert!(
        blind.metrics.avg_jct_s > aware.metrics.avg_jct_s,
        "{:?} vs {:?}",
        blind.metrics,
        aware.metrics
    );
}

/// Gavel's cluster with `per_type` GPUs of each of its three types, and `jobs` of Gavel's
/// distribution (gangs of 1-8) arriving at `rate_per_hour` (0: all at once).
fn gavel_with(per_type: u32, jobs: usize, rate_per_hour: f64, seed: u64) -> Workload {
    let mut w = gavel::cluster(per_type);
    w.jobs = generate(
        &Generate {
            jobs,
            rate_per_hour,
            seed,
            multi_chip: true,
        },
        &w.throughputs,
        0,
    );
    w
}

#[test]
fn finish_time_fairness_runs_to_completion() {
    let w = gavel_with(4, 30, 6.0, 3);
    let out = simulate(
        &w,
        &Settings {
            policy: Policy::FinishTime,
            ..Settings::default()
        },
    )
    .unwrap();
    assert!(out.jobs.iter().all(|r| r.finish_s.is_finite()));
    assert!(out.lp_solves > 0);
}

/// 1,000 jobs of Gavel's distribution, all arriving at once, on 8 GPUs of each of Gavel's
/// three types: the round-based policies solve an LP over every waiting job each round until
/// the queue drains (minutes in a debug build).
fn a_thousand_at_once() -> Workload {
    gavel_with(8, 1000, 0.0, 1)
}

/// The time limit stops a long simulation between events or within an allocation LP and says
/// so as data: where it stood, never a partial outcome. No wall time is asserted; the limits
/// are far below what these runs take (a debug build needs tens of seconds for the round-based
/// ones, and even FIFO's checks and set-up of 1,000 jobs take more than a nanosecond).
#[test]
fn the_time_limit_stops_a_long_simulation_and_says_where() {
    let w = a_thousand_at_once();
    for (policy, limit) in [
        (Policy::Gavel, 0.2),
        (Policy::FinishTime, 0.2),
        (Policy::MaxMin, 0.2),
        (Policy::Fifo, 1e-9),
    ] {
        let settings = Settings {
            policy,
            time_limit_s: limit,
            ..Settings::default()
        };
        let stopped = match allot_sim::simulate(&w, &settings).unwrap() {
            Simulated::Stopped(s) => s,
            Simulated::Complete(_) => panic!("{policy:?} finished within {limit} s"),
        };
        assert_eq!(stopped.time_limit_s, limit);
        assert_eq!(stopped.jobs, 1000);
        assert!(stopped.finished < 1000, "{policy:?}: {stopped:?}");
        assert!(
            stopped.at_s.is_finite() && stopped.at_s >= 0.0,
            "{stopped:?}"
        );
        let said = stopped.to_string();
        assert!(said.contains("stopped at its time limit"), "{said}");
        assert!(said.contains(" of 1000 jobs finished"), "{said}");
    }
}

/// A limit that is not reached changes nothing: the same outcome, bit for bit.
#[test]
fn a_time_limit_not_reached_changes_nothing() {
    let w = gavel_with(4, 40, 6.0, 2);
    for policy in Policy::ALL {
        let free = Settings {
            policy,
            ..Settings::default()
        };
        let limited = Settings {
            time_limit_s: 3600.0,
            ..free.clone()
        };
        assert_eq!(simulate(&w, &limited), simulate(&w, &free), "{policy:?}");
    }
}

#[test]
fn invalid_workloads_are_refused_with_the_reason() {
    let w = Workload {
        pools: vec![pool("a", 2, 1.0)],
        throughputs: one_type(&[1.0]),
        jobs: vec![job("big", 0.0, 0, 4, 1.0)],
    };
    assert_eq!(
        simulate(&w, &Settings::default()),
        Err(SimError::Unrunnable {
            job: "big".into(),
            gang: 4
        })
    );
    let bad = Settings {
        round_s: 0.0,
        ..Settings::default()
    };
    let w = Workload {
        jobs: vec![job("a", 0.0, 0, 1, 1.0)],
        ..w
    };
    assert!(matches!(
        simulate(&w, &bad),
        Err(SimError::Setting { name: "round", .. })
    ));
    for limit in [0.0, -1.0, f64::NAN] {
        let bad = Settings {
            time_limit_s: limit,
            ..Settings::default()
        };
        assert!(
            matches!(
                simulate(&w, &bad),
                Err(SimError::Setting {
                    name: "time_limit",
                    ..
                })
            ),
            "{limit}"
        );
    }
}

fn csv_error(text: &str) -> String {
    let (_, t) = gavel::throughputs();
    read("trace.csv", text, &t, 0).unwrap_err().to_string()
}

#[test]
fn bad_csv_names_file_line_and_field() {
    let cases = [
        (
            "id,arrival_s,job_type,gang,work\na,0,A3C,1,-5\n",
            "trace.csv:2: error: field work: -5 is not above 0",
        ),
        (
            "id,arrival_s,job_type,gang,work\na,0,A3C,1,5\nb,x,A3C,1,5\n",
            "trace.csv:3: error: field arrival_s: \"x\" is not a finite number",
        ),
        (
            "id,arrival_s,job_type,gang,work\na,0,ResNet,1,5\n",
            "trace.csv:2: error: field job_type: unknown job type \"ResNet\"",
        ),
        (
            "id,arrival_s,job_type,gang,work\na,0,A3C,0,5\n",
            "trace.csv:2: error: field gang: \"0\" is not a whole number",
        ),
        (
            "id,arrival_s,job_type,gang\na,0,A3C,1\n",
            "trace.csv:1: error: the header needs exactly one of work and duration_s",
        ),
        (
            "id,arrival_s,job_type,gang,work,colour\n",
            "trace.csv:1: error: field colour: unknown column colour",
        ),
        (
            "id,arrival_s,job_type,gang,work\na,0,A3C,1,5\na,1,A3C,1,5\n",
            "trace.csv:3: error: field id: job a is already on line 2",
        ),
        (
            "id,arrival_s,job_type,gang,work\na,0,A3C,1\n",
            "trace.csv:2: error: 4 fields where the header has 5",
        ),
        (
            "id,arrival_s,job_type,gang,work\n",
            "trace.csv:0: error: the trace has no jobs",
        ),
        (
            "id,arrival_s,job_type,gang,work\na,NaN,A3C,1,5\n",
            "field arrival_s: \"NaN\" is not a finite number",
        ),
        ("\u{0}\u{ff}garbage", "error"),
    ];
    for (text, expected) in cases {
        let message = csv_error(text);
        assert!(message.contains(expected), "{text:?}: {message}");
        assert!(
            message.contains("hint: ") || expected == "error",
            "{message}"
        );
    }
    let bad_matrix = read_throughputs("m.csv", "job_type,v100\nx,fast\n")
        .unwrap_err()
        .to_string();
    assert!(
        bad_matrix.starts_with("m.csv:2: error: field v100: \"fast\""),
        "{bad_matrix}"
    );
}

#[test]
fn a_csv_trace_reads_durations_on_the_reference_chip() {
    let (_, t) = gavel::throughputs();
    let jobs = read("t.csv", "# a comment\nid,arrival_s,job_type,gang,duration_s,deadline_s\nj1,5,A3C,2,100,900\nj2,6,A3C,1,10,\n", &t, 0).unwrap();
    let a3c = t.job_types.iter().position(|n| n == "A3C").unwrap();
    assert_eq!(jobs[0].work, 100.0 * t.rate[a3c][0]);
    assert_eq!(jobs[0].deadline_s, Some(900.0));
    assert_eq!(jobs[1].deadline_s, None);
}

#[test]
fn generated_traces_follow_gavels_distribution() {
    let (_, t) = gavel::throughputs();
    let jobs = generate(
        &Generate {
            jobs: 20_000,
            rate_per_hour: 4.0,
            seed: 1,
            multi_chip: true,
        },
        &t,
        0,
    );
    let share = |g: u32| jobs.iter().filter(|j| j.gang == g).count() as f64 / jobs.len() as f64;
    for (g, p) in [(1, 0.70), (2, 0.10), (4, 0.15), (8, 0.05)] {
        assert!((share(g) - p).abs() < 0.015, "gang {g}: {}", share(g));
    }
    let hours = jobs.last().unwrap().arrival_s / 3600.0;
    assert!((jobs.len() as f64 / hours - 4.0).abs() < 0.15, "{hours}");
    assert_eq!(
        generate(
            &Generate {
                jobs: 50,
                rate_per_hour: 4.0,
                seed: 1,
                multi_chip: true
            },
            &t,
            0
        )[..],
        jobs[..50]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn every_job_completes_and_no_pool_is_over_allocated(
        seed in 0u64..1000,
        policy in 0usize..5,
        chips in proptest::collection::vec(1u32..6, 1..4),
        failures in proptest::bool::ANY,
    ) {
        let (_, t) = gavel::throughputs();
        let pools: Vec<Pool> = chips.iter().enumerate().map(|(i, &c)| pool(&format!("c{i}"), c, 1.0 + i as f64)).collect();
        let throughputs = Throughputs {
            job_types: t.job_types.clone(),
            rate: t.rate.iter().map(|r| pools.iter().enumerate().map(|(i, _)| r[i % 3]).collect()).collect(),
        };
        let max = *chips.iter().max().unwrap();
        let mut jobs = generate(&Generate { jobs: 25, rate_per_hour: 20.0, seed, multi_chip: true }, &throughputs, 0);
        for j in &mut jobs {
            j.gang = j.gang.min(max);
        }
        let w = Workload { pools: pools.clone(), throughputs, jobs };
        let settings = Settings {
            policy: Policy::ALL[policy],
            mtbf_chip_hours: failures.then_some(50.0),
            checkpoint_s: Some(600.0),
            seed,
            ..Settings::default()
        };
        let out = simulate(&w, &settings).unwrap();
        for r in &out.jobs {
            prop_assert!(r.finish_s.is_finite() && r.finish_s >= r.start_s && r.start_s >= r.arrival_s);
        }
        for u in &out.metrics.utilisation {
            prop_assert!((0.0..=1.0 + 1e-9).contains(u));
        }
        for s in &out.timeline {
            for u in &s.utilisation {
                prop_assert!(*u <= 1.0 + 1e-9, "{s:?}");
            }
        }
        // At no instant do the gangs on a pool exceed its chips: a sweep over every span, a
        // span's end before any start at the same instant (a chip freed and given again).
        for (p, pool) in pools.iter().enumerate() {
            let mut edges: Vec<(f64, i64)> = Vec::new();
            for r in &out.jobs {
                let mut last_end = f64::NEG_INFINITY;
                for span in r.spans.iter().filter(|s| s.pool == p) {
                    prop_assert!(span.from_s >= last_end && span.to_s >= span.from_s, "{r:?}");
                    last_end = span.to_s;
                    edges.push((span.from_s, i64::from(r.gang)));
                    edges.push((span.to_s, -i64::from(r.gang)));
                }
            }
            edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let mut held = 0i64;
            for (t, change) in edges {
                held += change;
                prop_assert!(held <= i64::from(pool.chips), "pool {p}: {held} chips held at {t} s");
            }
        }
        // The spans are the time each job ran on each pool.
        for r in &out.jobs {
            for (p, run) in r.run_s.iter().enumerate() {
                let spans: f64 = r.spans.iter().filter(|s| s.pool == p).map(|s| s.to_s - s.from_s).sum();
                prop_assert!((spans - run).abs() <= 1e-6 * run.max(1.0), "{r:?}");
            }
        }
        // Chip-seconds held never exceed what the pools had over the makespan.
        for (p, pool) in pools.iter().enumerate() {
            let held: f64 = out.jobs.iter().map(|r| r.run_s[p] * f64::from(r.gang)).sum();
            prop_assert!(held <= f64::from(pool.chips) * out.metrics.makespan_s + 1e-6);
        }
    }
}
