//! Accelerator families and the names each scheduler gives them: Kubernetes device-plugin
//! resources, GKE node labels, SkyPilot accelerator names, Slurm GRES, TPU slice shapes.
//!
//! Every name here is cited in `docs/export.md`.

use allot_catalog::Accelerator;

/// How a chip is exposed to schedulers, by vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Nvidia GPUs (`nvidia.com/gpu`).
    NvidiaGpu,
    /// AMD Instinct GPUs (`amd.com/gpu`).
    AmdGpu,
    /// AWS Trainium and Inferentia (`aws.amazon.com/neuron`, whole Neuron devices).
    Neuron,
    /// Google Cloud TPUs (`google.com/tpu`).
    Tpu(TpuGeneration),
    /// Intel Gaudi (`habana.ai/gaudi`).
    Gaudi,
    /// A vendor with no known scheduler conventions (e.g. Cerebras).
    Other,
}

/// A TPU generation, as GKE and SkyPilot name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TpuGeneration {
    /// TPU v5e ("v5litepod").
    V5e,
    /// TPU v5p.
    V5p,
    /// TPU v6e (Trillium).
    V6e,
    /// TPU7x (Ironwood).
    Tpu7x,
}

impl Family {
    /// The family of a catalog accelerator, from its vendor (and, for Google, its id).
    pub fn of(accelerator: &Accelerator) -> Family {
        match accelerator.vendor.as_str() {
            "nvidia" => Family::NvidiaGpu,
            "amd" => Family::AmdGpu,
            "aws" => Family::Neuron,
            "intel" => Family::Gaudi,
            "google" => match accelerator.id.as_str() {
                "tpu-v5e" => Family::Tpu(TpuGeneration::V5e),
                "tpu-v5p" => Family::Tpu(TpuGeneration::V5p),
                "tpu-v6e" => Family::Tpu(TpuGeneration::V6e),
                "tpu-v7" | "tpu7x" => Family::Tpu(TpuGeneration::Tpu7x),
                _ => Family::Other,
            },
            _ => Family::Other,
        }
    }

    /// The extended resource its Kubernetes device plugin advertises.
    pub fn k8s_resource(self) -> Option<&'static str> {
        match self {
            Family::NvidiaGpu => Some("nvidia.com/gpu"),
            Family::AmdGpu => Some("amd.com/gpu"),
            Family::Neuron => Some("aws.amazon.com/neuron"),
            Family::Tpu(_) => Some("google.com/tpu"),
            Family::Gaudi => Some("habana.ai/gaudi"),
            Family::Other => None,
        }
    }

    /// The Slurm GRES name sites conventionally configure for it (`gpu`), if any: Slurm has
    /// no GRES convention for Neuron devices or TPUs, whose nodes are allocated whole.
    pub fn slurm_gres_name(self) -> Option<&'static str> {
        match self {
            Family::NvidiaGpu | Family::AmdGpu | Family::Gaudi => Some("gpu"),
            Family::Neuron | Family::Tpu(_) | Family::Other => None,
        }
    }

    /// Chips on one host (one Kubernetes node, one Slurm node), given the offering's chips per
    /// instance: GB200/GB300 NVL72 racks are sold as racks but run as 4-GPU compute trays.
    pub fn chips_per_host(self, chip_id: &str, chips_per_instance: u32) -> u32 {
        match (self, chip_id) {
            (Family::NvidiaGpu, "gb200" | "gb300") => chips_per_instance.min(4),
            _ => chips_per_instance,
        }
    }
}

/// The SkyPilot accelerator name of a (non-TPU) chip, as spelled in SkyPilot's catalog
/// (`common/accelerators.csv`, `sky/utils/gpu_names.py`, the AWS catalog's Neuron rows), or
/// `None` when SkyPilot has no name for it.
pub fn skypilot_name(chip_id: &str, instance: &str) -> Option<&'static str> {
    Some(match chip_id {
        "a100" => "A100-80GB",
        "a100-40gb" => "A100",
        "h100" if instance.to_ascii_lowercase().contains("mega") => "H100-MEGA",
        "h100" => "H100",
        "h200" => "H200",
        "b200" => "B200",
        "b300" => "B300",
        "gb200" => "GB200",
        "gb300" => "GB300",
        "l40s" => "L40S",
        "l4" => "L4",
        "mi300x" => "MI300X",
        "trainium1" => "Trainium",
        "trainium2" => "Trainium2",
        "inferentia2" => "Inferentia2",
        _ => return None,
    })
}

/// The value of GKE's `cloud.google.com/gke-accelerator` node label for an Nvidia chip.
pub fn gke_accelerator(chip_id: &str, instance: &str) -> Option<&'static str> {
    Some(match chip_id {
        "a100" => "nvidia-a100-80gb",
        "a100-40gb" => "nvidia-tesla-a100",
        "h100" if instance.to_ascii_lowercase().contains("mega") => "nvidia-h100-mega-80gb",
        "h100" => "nvidia-h100-80gb",
        "h200" => "nvidia-h200-141gb",
        "b200" => "nvidia-b200",
        "gb200" => "nvidia-gb200",
        "l4" => "nvidia-l4",
        _ => return None,
    })
}

/// A TPU slice: the unit GKE schedules a multi-host TPU workload on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TpuSlice {
    /// Chips in the slice.
    pub chips: u32,
    /// GKE's `cloud.google.com/gke-tpu-topology` value, e.g. `2x4` or `4x4x4`.
    pub topology: String,
    /// TPU VMs (Kubernetes nodes) in the slice.
    pub hosts: u32,
}

/// Slice sizes of the 2D generations (v5e, v6e): chips, topology.
const SHAPES_2D: [(u32, &str); 8] = [
    (1, "1x1"),
    (4, "2x2"),
    (8, "2x4"),
    (16, "4x4"),
    (32, "4x8"),
    (64, "8x8"),
    (128, "8x16"),
    (256, "16x16"),
];

/// Slice sizes of the 3D generations (v5p, TPU7x): chips, topology.
const SHAPES_3D: [(u32, &str); 11] = [
    (4, "2x2x1"),
    (8, "2x2x2"),
    (16, "2x2x4"),
    (32, "2x4x4"),
    (64, "4x4x4"),
    (128, "4x4x8"),
    (256, "4x8x8"),
    (512, "8x8x8"),
    (1024, "8x8x16"),
    (2048, "8x16x16"),
    (4096, "16x16x16"),
];

impl TpuGeneration {
    /// GKE's `cloud.google.com/gke-tpu-accelerator` node label value.
    pub fn gke_accelerator(self) -> &'static str {
        match self {
            TpuGeneration::V5e => "tpu-v5-lite-podslice",
            TpuGeneration::V5p => "tpu-v5p-slice",
            TpuGeneration::V6e => "tpu-v6e-slice",
            TpuGeneration::Tpu7x => "tpu7x",
        }
    }

    fn shapes(self) -> &'static [(u32, &'static str)] {
        match self {
            TpuGeneration::V5e | TpuGeneration::V6e => &SHAPES_2D,
            TpuGeneration::V5p | TpuGeneration::Tpu7x => &SHAPES_3D,
        }
    }

    /// The largest slice exported; more chips become several slices (multislice).
    pub fn max_slice_chips(self) -> u32 {
        self.shapes().last().map_or(1, |&(c, _)| c)
    }

    /// The smallest slice with at least `chips` chips (at most [`Self::max_slice_chips`]).
    pub fn slice(self, chips: u32) -> TpuSlice {
        let shapes = self.shapes();
        let &(chips, topology) = shapes
            .iter()
            .find(|&&(c, _)| c >= chips)
            .unwrap_or(&shapes[shapes.len() - 1]);
        // Single-host slices hold up to 8 chips (v5e/v6e 2x4) or 4 (v5p/TPU7x 2x2x1); larger
        // slices have four chips per TPU VM.
        let single_host = match self {
            TpuGeneration::V5e | TpuGeneration::V6e => chips <= 8,
            TpuGeneration::V5p | TpuGeneration::Tpu7x => chips <= 4,
        };
        TpuSlice {
            chips,
            topology: topology.to_string(),
            hosts: if single_host { 1 } else { chips / 4 },
        }
    }

    /// The slice a serving replica runs on: one single-host slice of four chips.
    pub fn serving_slice(self) -> TpuSlice {
        self.slice(4)
    }

    /// SkyPilot's name for a slice (v5p counts TensorCores, two per chip), if it has one.
    pub fn skypilot_name(self, chips: u32) -> Option<String> {
        match self {
            TpuGeneration::V5e => Some(format!("tpu-v5litepod-{chips}")),
            TpuGeneration::V5p => Some(format!("tpu-v5p-{}", chips * 2)),
            TpuGeneration::V6e => Some(format!("tpu-v6e-{chips}")),
            TpuGeneration::Tpu7x => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tpu_slices_round_up_to_a_valid_shape() {
        let s = TpuGeneration::V6e.slice(5);
        assert_eq!((s.chips, s.topology.as_str(), s.hosts), (8, "2x4", 1));
        let s = TpuGeneration::V6e.slice(100);
        assert_eq!((s.chips, s.topology.as_str(), s.hosts), (128, "8x16", 32));
        let s = TpuGeneration::V5p.slice(1);
        assert_eq!((s.chips, s.topology.as_str(), s.hosts), (4, "2x2x1", 1));
        let s = TpuGeneration::V5p.slice(8);
        assert_eq!((s.chips, s.topology.as_str(), s.hosts), (8, "2x2x2", 2));
        assert_eq!(TpuGeneration::V5p.slice(1_000_000).chips, 4096);
        assert_eq!(
            TpuGeneration::V5p.skypilot_name(4).as_deref(),
            Some("tpu-v5p-8")
        );
    }

    #[test]
    fn rack_scale_chips_run_four_per_host() {
        assert_eq!(Family::NvidiaGpu.chips_per_host("gb200", 72), 4);
        assert_eq!(Family::NvidiaGpu.chips_per_host("h100", 8), 8);
    }
}
