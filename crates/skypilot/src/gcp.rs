//! GCP's split pricing: a GPU is billed as an accelerator row (no instance type) on top of a host
//! VM row in the same zone. Which host a GPU attaches to follows SkyPilot's
//! `sky/catalog/gcp_catalog.py` (v0.14.1): `_ACC_INSTANCE_TYPE_DICTS` fixes the host of A100,
//! A100-80GB, L4, H100, H100-MEGA, H200, B200 and RTXPRO6000; other GPUs go on the cheapest N1
//! host with at least `_NUM_ACC_TO_NUM_CPU` vCPUs and 4 GiB per vCPU. TPU rows are TPU VMs whose
//! host costs nothing extra (`get_hourly_cost('TPU-VM') == 0`).

/// Fixed host instance types by (accelerator, count), from `_ACC_INSTANCE_TYPE_DICTS`.
const FIXED_HOSTS: &[(&str, u32, &[&str])] = &[
    ("A100", 1, &["a2-highgpu-1g"]),
    ("A100", 2, &["a2-highgpu-2g"]),
    ("A100", 4, &["a2-highgpu-4g"]),
    ("A100", 8, &["a2-highgpu-8g"]),
    ("A100", 16, &["a2-megagpu-16g"]),
    ("A100-80GB", 1, &["a2-ultragpu-1g"]),
    ("A100-80GB", 2, &["a2-ultragpu-2g"]),
    ("A100-80GB", 4, &["a2-ultragpu-4g"]),
    ("A100-80GB", 8, &["a2-ultragpu-8g"]),
    (
        "L4",
        1,
        &[
            "g2-standard-4",
            "g2-standard-8",
            "g2-standard-12",
            "g2-standard-16",
            "g2-standard-32",
        ],
    ),
    ("L4", 2, &["g2-standard-24"]),
    ("L4", 4, &["g2-standard-48"]),
    ("L4", 8, &["g2-standard-96"]),
    ("H100", 1, &["a3-highgpu-1g"]),
    ("H100", 2, &["a3-highgpu-2g"]),
    ("H100", 4, &["a3-highgpu-4g"]),
    ("H100", 8, &["a3-highgpu-8g"]),
    ("H100-MEGA", 8, &["a3-megagpu-8g"]),
    ("H200", 8, &["a3-ultragpu-8g"]),
    ("B200", 8, &["a4-highgpu-8g"]),
    ("RTXPRO6000", 1, &["g4-standard-48"]),
    ("RTXPRO6000", 2, &["g4-standard-96"]),
    ("RTXPRO6000", 4, &["g4-standard-192"]),
    ("RTXPRO6000", 8, &["g4-standard-384"]),
];

/// vCPUs of the default N1 host by accelerator count, from `_NUM_ACC_TO_NUM_CPU`.
const N1_CPUS: &[(&str, &[(u32, u32)])] = &[
    ("K80", &[(1, 4), (2, 8), (4, 16), (8, 32), (16, 64)]),
    ("V100", &[(1, 8), (2, 16), (4, 32), (8, 64)]),
    ("T4", &[(1, 4), (2, 8), (4, 48)]),
    ("P100", &[(1, 8), (2, 16), (4, 32), (8, 64)]),
    ("DEFAULT", &[(1, 8), (2, 16), (4, 32), (8, 64), (16, 128)]),
];

/// Memory of a GPU host per vCPU, GiB (`_DEFAULT_GPU_MEMORY_CPU_RATIO`).
pub const N1_MEMORY_PER_CPU: f64 = 4.0;

/// The host rule for a GCP accelerator.
#[derive(Debug, Clone, PartialEq)]
pub enum HostRule {
    /// A TPU VM: no separate host price.
    TpuVm,
    /// One of these instance types (the cheapest one present is taken).
    Fixed(&'static [&'static str]),
    /// An `n1-*` host with at least this many vCPUs and 4 GiB per vCPU.
    N1 { min_cpus: u32 },
    /// The accelerator is known to need a fixed host, but not at this count: not launchable.
    None,
}

/// Whether an instance type carries fixed GPUs (its row alone is not a whole price).
pub fn is_gpu_host(instance: &str) -> bool {
    FIXED_HOSTS
        .iter()
        .any(|(_, _, hosts)| hosts.contains(&instance))
}

/// How a GCP accelerator row finds its host.
pub fn host_rule(accelerator: &str, count: f64) -> HostRule {
    if accelerator.to_ascii_lowercase().starts_with("tpu-") {
        return HostRule::TpuVm;
    }
    let whole = (count.fract() == 0.0 && count >= 1.0).then_some(count as u32);
    let fixed: Vec<_> = FIXED_HOSTS
        .iter()
        .filter(|(name, _, _)| *name == accelerator)
        .collect();
    if !fixed.is_empty() {
        return match fixed.iter().find(|(_, n, _)| Some(*n) == whole) {
            Some((_, _, hosts)) => HostRule::Fixed(hosts),
            None => HostRule::None,
        };
    }
    let table = N1_CPUS
        .iter()
        .find(|(name, _)| *name == accelerator)
        .or_else(|| N1_CPUS.iter().find(|(name, _)| *name == "DEFAULT"))
        .map(|(_, t)| *t)
        .unwrap_or_default();
    match table.iter().find(|(n, _)| Some(*n) == whole) {
        Some((_, cpus)) => HostRule::N1 { min_cpus: *cpus },
        None => HostRule::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_rules_follow_skypilot() {
        assert_eq!(host_rule("H100", 8.0), HostRule::Fixed(&["a3-highgpu-8g"]));
        assert_eq!(host_rule("H100", 3.0), HostRule::None);
        assert_eq!(host_rule("tpu-v6e-8", 1.0), HostRule::TpuVm);
        assert_eq!(host_rule("T4", 4.0), HostRule::N1 { min_cpus: 48 });
        assert_eq!(host_rule("P4", 2.0), HostRule::N1 { min_cpus: 16 });
        assert!(is_gpu_host("a4-highgpu-8g"));
        assert!(!is_gpu_host("n1-highmem-8"));
    }
}
