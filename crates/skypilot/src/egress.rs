//! Egress between clouds: what moving a task's outputs to another cloud costs and takes.
//!
//! As in SkyPilot's optimizer (`Optimizer._egress_cost` and `_egress_time`, v0.14.1), data moved
//! inside one cloud is free and instant; data leaving a cloud costs that cloud's internet egress
//! price for the whole transfer, and takes `GB × 8 / 10 Gbit/s`. The per-cloud prices are
//! SkyPilot's `get_egress_cost` functions, whose sources and the dates they were read are in
//! [`EGRESS_SOURCES`]. Clouds whose SkyPilot function returns 0 (Lambda, Nebius, RunPod,
//! Kubernetes, ...) and clouds SkyPilot does not price are free here too.

/// Bandwidth assumed between clouds, Gbit/s (SkyPilot's `_egress_time`).
pub const INTER_CLOUD_GBPS: f64 = 10.0;

/// (cloud, what, source URL, date read) for every egress price used.
pub const EGRESS_SOURCES: &[(&str, &str, &str, &str)] = &[
    (
        "aws",
        "internet egress from US East (Ohio): first 1 GB free, $0.09/GB to 10 TB, $0.085/GB to 50 TB, $0.07/GB to 150 TB, $0.05/GB for all of a transfer above 150 TB",
        "https://github.com/skypilot-org/skypilot/blob/v0.14.1/sky/clouds/aws.py (AWS.get_egress_cost, quoting https://aws.amazon.com/s3/pricing/)",
        "2026-11-28",
    ),
    (
        "gcp",
        "egress to worldwide destinations (excl. China, Australia): $0.12/GB up to 1 TB, $0.11/GB up to 10 TB, $0.08/GB above (whole transfer at one rate)",
        "https://github.com/skypilot-org/skypilot/blob/v0.14.1/sky/clouds/gcp.py (GCP.get_egress_cost, quoting https://cloud.google.com/storage/pricing#network-pricing)",
        "2026-11-28",
    ),
    (
        "azure",
        "internet egress from US East: first 1 GB free, $0.0875/GB to 10 TB, $0.083/GB to 50 TB, $0.07/GB to 150 TB, $0.05/GB above 150 TB",
        "https://github.com/skypilot-org/skypilot/blob/v0.14.1/sky/clouds/azure.py (Azure.get_egress_cost, quoting https://azure.microsoft.com/en-us/pricing/details/bandwidth/)",
        "2026-11-28",
    ),
];

/// Tiered egress as SkyPilot's AWS and Azure functions compute it (tiers in GB).
fn tiered(gb: f64, first: f64, second: f64) -> f64 {
    if gb > 150.0 * 1024.0 {
        return 0.05 * gb;
    }
    let mut rest = gb;
    let mut cost = 0.0;
    if rest >= 50.0 * 1024.0 {
        cost += (rest - 50.0 * 1024.0) * 0.07;
        rest = 50.0 * 1024.0;
    }
    if rest >= 10.0 * 1024.0 {
        cost += (rest - 10.0 * 1024.0) * second;
        rest = 10.0 * 1024.0;
    }
    if rest > 1.0 {
        cost += (rest - 1.0) * first;
    }
    cost
}

/// USD to move `gb` gigabytes out of `from` into `to` (0 inside one cloud).
pub fn egress_usd(from: &str, to: &str, gb: f64) -> f64 {
    if from == to || gb <= 0.0 {
        return 0.0;
    }
    match from {
        "aws" => tiered(gb, 0.09, 0.085),
        "azure" => tiered(gb, 0.0875, 0.083),
        "gcp" => {
            if gb <= 1024.0 {
                0.12 * gb
            } else if gb <= 10.0 * 1024.0 {
                0.11 * gb
            } else {
                0.08 * gb
            }
        }
        _ => 0.0,
    }
}

/// Seconds to move `gb` gigabytes from `from` to `to` (0 inside one cloud).
pub fn egress_time_s(from: &str, to: &str, gb: f64) -> f64 {
    if from == to || gb <= 0.0 {
        0.0
    } else {
        gb * 8.0 / INTER_CLOUD_GBPS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_skypilots_functions() {
        assert_eq!(egress_usd("aws", "aws", 100.0), 0.0);
        assert!((egress_usd("aws", "gcp", 100.0) - 99.0 * 0.09).abs() < 1e-9);
        // 20 TB from AWS: (10240 - 1) × 0.09 + 10240 × 0.085.
        let twenty_tb = 20.0 * 1024.0;
        let expect = (10240.0 - 1.0) * 0.09 + 10240.0 * 0.085;
        assert!((egress_usd("aws", "nebius", twenty_tb) - expect).abs() < 1e-6);
        assert!((egress_usd("gcp", "aws", 500.0) - 60.0).abs() < 1e-9);
        assert!((egress_usd("gcp", "aws", 2048.0) - 0.11 * 2048.0).abs() < 1e-9);
        assert_eq!(egress_usd("nebius", "aws", 500.0), 0.0);
        assert_eq!(egress_time_s("gcp", "aws", 10.0), 8.0);
    }
}
