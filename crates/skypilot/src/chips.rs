//! SkyPilot accelerator names → allot accelerator ids.
//!
//! The names differ in ways a case-insensitive lookup would get wrong: SkyPilot's `A100` is the
//! 40 GB part (its 80 GB part is `A100-80GB`), while allot's `a100` is the 80 GB part. TPU names
//! carry the slice size: `tpu-v6e-8` is one slice of 8 chips, but `tpu-v5p-8` counts TensorCores
//! (two per chip), so it is 4 chips. The table is explicit for that reason.

/// An allot accelerator and how many of its chips one SkyPilot accelerator unit is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AllotChip {
    /// allot accelerator id (in the built-in catalog).
    pub id: &'static str,
    /// Chips per SkyPilot accelerator unit (1 for GPUs; the slice's chips for a TPU name).
    pub chips_per_unit: f64,
}

/// SkyPilot name (lowercase) → allot id, for GPUs and other one-chip units.
const NAMES: &[(&str, &str)] = &[
    ("a100", "a100-40gb"),
    ("a100-80gb", "a100"),
    ("a100-80gb-sxm", "a100"),
    ("h100", "h100"),
    ("h100-sxm", "h100"),
    ("h100-mega", "h100"),
    ("h100-nvlink", "h100"),
    ("h200", "h200"),
    ("h200-sxm", "h200"),
    ("b200", "b200"),
    ("b300", "b300"),
    ("gb200", "gb200"),
    ("gb300", "gb300"),
    ("mi300x", "mi300x"),
    ("mi325x", "mi325x"),
    ("mi355x", "mi355x"),
    ("trainium", "trainium1"),
    ("trainium2", "trainium2"),
    ("trainium3", "trainium3"),
    ("inferentia2", "inferentia2"),
    ("l40s", "l40s"),
];

/// TPU families: name prefix, allot id, TPU name units per chip (TensorCores for v2–v5p).
const TPUS: &[(&str, &str, f64)] = &[
    ("tpu-v5litepod-", "tpu-v5e", 1.0),
    ("tpu-v5e-", "tpu-v5e", 1.0),
    ("tpu-v5p-", "tpu-v5p", 2.0),
    ("tpu-v6e-", "tpu-v6e", 1.0),
];

/// The allot accelerator for a SkyPilot accelerator name, if allot knows the chip.
pub fn allot_chip(skypilot_name: &str) -> Option<AllotChip> {
    let name = skypilot_name.trim().to_ascii_lowercase();
    if let Some((_, id)) = NAMES.iter().find(|(n, _)| *n == name) {
        return Some(AllotChip {
            id,
            chips_per_unit: 1.0,
        });
    }
    TPUS.iter().find_map(|(prefix, id, per_chip)| {
        let size: f64 = name.strip_prefix(prefix)?.parse().ok()?;
        (size >= *per_chip).then_some(AllotChip {
            id,
            chips_per_unit: size / per_chip,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a100_is_the_40gb_part_and_tpu_sizes_count_chips() {
        assert_eq!(allot_chip("A100").unwrap().id, "a100-40gb");
        assert_eq!(allot_chip("A100-80GB").unwrap().id, "a100");
        assert_eq!(allot_chip("H100-MEGA").unwrap().id, "h100");
        let v6e = allot_chip("tpu-v6e-8").unwrap();
        assert_eq!((v6e.id, v6e.chips_per_unit), ("tpu-v6e", 8.0));
        let v5p = allot_chip("tpu-v5p-8").unwrap();
        assert_eq!((v5p.id, v5p.chips_per_unit), ("tpu-v5p", 4.0));
        assert_eq!(allot_chip("T4"), None);
        assert_eq!(allot_chip("tpu-v6e-x"), None);
    }

    #[test]
    fn every_target_is_in_the_builtin_catalog() {
        let (catalog, _) = allot_catalog::Catalog::builtin();
        for (_, id) in NAMES {
            assert!(catalog.accelerator(id).is_some(), "{id}");
        }
        for (_, id, _) in TPUS {
            assert!(catalog.accelerator(id).is_some(), "{id}");
        }
    }
}
