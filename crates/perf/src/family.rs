//! Chip families: groups of accelerators that share an architecture and software stack, and so a
//! calibrated utilisation.

/// An architecture and software stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// NVIDIA Ampere (A100).
    NvidiaAmpere,
    /// NVIDIA Ada (L40S).
    NvidiaAda,
    /// NVIDIA Hopper (H100, H200).
    NvidiaHopper,
    /// NVIDIA Blackwell (B200, GB200, B300, GB300).
    NvidiaBlackwell,
    /// AMD CDNA 3 and 4 (MI300X, MI325X, MI355X).
    AmdInstinct,
    /// Google TPU.
    GoogleTpu,
    /// Intel Gaudi.
    IntelGaudi,
    /// AWS Trainium and Inferentia (Neuron SDK).
    AwsNeuron,
    /// Anything else: a catalog file's own chip.
    Other,
}

impl Family {
    /// The family of a chip id (built-in ids; others by vendor prefix of the id).
    pub fn of(chip_id: &str) -> Family {
        match chip_id {
            "a100" | "a100-40gb" => Family::NvidiaAmpere,
            "l40s" => Family::NvidiaAda,
            "h100" | "h200" | "h200-nvl" => Family::NvidiaHopper,
            "b200" | "gb200" | "b300" | "gb300" => Family::NvidiaBlackwell,
            "mi300x" | "mi325x" | "mi355x" => Family::AmdInstinct,
            id if id.starts_with("tpu") => Family::GoogleTpu,
            id if id.starts_with("gaudi") => Family::IntelGaudi,
            id if id.starts_with("trainium") || id.starts_with("inferentia") => Family::AwsNeuron,
            _ => Family::Other,
        }
    }

    /// Every family, in display order.
    pub const ALL: [Family; 9] = [
        Family::NvidiaAmpere,
        Family::NvidiaAda,
        Family::NvidiaHopper,
        Family::NvidiaBlackwell,
        Family::AmdInstinct,
        Family::GoogleTpu,
        Family::IntelGaudi,
        Family::AwsNeuron,
        Family::Other,
    ];

    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Family::NvidiaAmpere => "NVIDIA Ampere",
            Family::NvidiaAda => "NVIDIA Ada",
            Family::NvidiaHopper => "NVIDIA Hopper",
            Family::NvidiaBlackwell => "NVIDIA Blackwell",
            Family::AmdInstinct => "AMD Instinct",
            Family::GoogleTpu => "Google TPU",
            Family::IntelGaudi => "Intel Gaudi",
            Family::AwsNeuron => "AWS Neuron",
            Family::Other => "other",
        }
    }

    /// For a family without MLPerf results, the calibrated family whose utilisation it starts
    /// from (before its chips' maturity factors).
    pub fn stand_in(self) -> Family {
        match self {
            // No public results: start from the most-measured family, Hopper, and let the
            // chips' maturity factors express the younger software stack.
            Family::AwsNeuron => Family::NvidiaHopper,
            Family::Other => Family::NvidiaHopper,
            f => f,
        }
    }
}

/// Default software-maturity factor of a chip: 1.0 for chips whose own results calibrate their
/// family; below 1 for chips without public results or with a young software stack. The reasons
/// are in docs/performance-model.md; a scenario overrides them in `[performance] maturity`.
pub fn default_maturity(chip_id: &str) -> f64 {
    match chip_id {
        // Same silicon and stack as calibrated siblings.
        "a100" | "a100-40gb" | "l40s" | "h100" | "h200" | "h200-nvl" | "b200" | "gb200"
        | "mi300x" | "mi325x" | "tpu-v5p" | "tpu-v6e" | "gaudi2" => 1.0,
        // Newer generations of calibrated families: kernels lag the hardware at first.
        "b300" | "gb300" | "tpu-v5e" => 0.95,
        "mi355x" | "tpu-v7" | "gaudi3" => 0.9,
        // Neuron SDK: no MLPerf results at all.
        "trainium1" | "inferentia2" => 0.8,
        "trainium2" => 0.8,
        "trainium3" => 0.7,
        _ => 0.8,
    }
}
