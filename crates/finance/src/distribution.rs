//! Probability distributions of uncertain inputs, sampled by their inverse distribution
//! function so that a quantile and a sample are computed by the same code.

use allot_scenario::{DistributionKind, Uncertainty};

/// A one-dimensional distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// Normal.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Log-normal: `median · exp(sigma · Z)` with `Z` standard normal.
    Lognormal {
        /// Median.
        median: f64,
        /// Standard deviation of the natural logarithm.
        sigma: f64,
    },
    /// Triangular.
    Triangular {
        /// Smallest value.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Largest value.
        max: f64,
    },
    /// Uniform.
    Uniform {
        /// Smallest value.
        min: f64,
        /// Largest value.
        max: f64,
    },
}

impl Distribution {
    /// The distribution an `[[uncertainty]]` entry describes; `None` when a parameter is
    /// missing (a scenario that passed validation has them all).
    pub fn of(u: &Uncertainty) -> Option<Distribution> {
        Some(match u.distribution {
            DistributionKind::Normal => Distribution::Normal {
                mean: u.mean?,
                sd: u.sd?,
            },
            DistributionKind::Lognormal => Distribution::Lognormal {
                median: u.median?,
                sigma: u.sigma?,
            },
            DistributionKind::Triangular => Distribution::Triangular {
                min: u.min?,
                mode: u.mode?,
                max: u.max?,
            },
            DistributionKind::Uniform => Distribution::Uniform {
                min: u.min?,
                max: u.max?,
            },
        })
    }

    /// The value below which a fraction `p` (0 to 1) of the distribution lies.
    pub fn quantile(&self, p: f64) -> f64 {
        let p = p.clamp(0.0, 1.0);
        match *self {
            Distribution::Normal { mean, sd } => mean + sd * standard_normal_quantile(p),
            Distribution::Lognormal { median, sigma } => {
                median * (sigma * standard_normal_quantile(p)).exp()
            }
            Distribution::Uniform { min, max } => min + (max - min) * p,
            Distribution::Triangular { min, mode, max } => {
                let width = max - min;
                if width <= 0.0 {
                    return min;
                }
                let left = (mode - min) / width;
                if p < left {
                    min + (p * width * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - p) * width * (max - mode)).sqrt()
                }
            }
        }
    }

    /// The median.
    pub fn median(&self) -> f64 {
        self.quantile(0.5)
    }
}

/// The standard normal quantile, by Acklam's rational approximation (relative error below
/// 1.2e-9). Infinite at 0 and 1.
pub fn standard_normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const LOW: f64 = 0.02425;
    if p < LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

/// The value below which a fraction `p` of `sorted` lies, interpolating linearly between
/// order statistics (the usual "type 7" definition). `sorted` must be in increasing order.
pub fn sample_quantile(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantiles_match_tables() {
        for (p, z) in [
            (0.5, 0.0),
            (0.9, 1.281_551_565_545),
            (0.975, 1.959_963_984_540),
            (0.01, -2.326_347_874_041),
            (0.001, -3.090_232_306_168),
        ] {
            let got = standard_normal_quantile(p);
            assert!((got - z).abs() < 1e-6, "p {p}: {got} vs {z}");
        }
    }

    #[test]
    fn quantiles_of_each_family() {
        let u = Distribution::Uniform { min: 2.0, max: 4.0 };
        assert!((u.quantile(0.1) - 2.2).abs() < 1e-12);
        let t = Distribution::Triangular {
            min: 0.0,
            mode: 1.0,
            max: 2.0,
        };
        assert!((t.quantile(0.5) - 1.0).abs() < 1e-12);
        // F(x) = x²/2 on [0, 1]: F(0.5) = 0.125.
        assert!((t.quantile(0.125) - 0.5).abs() < 1e-12);
        let l = Distribution::Lognormal {
            median: 3.0,
            sigma: 0.5,
        };
        assert!((l.median() - 3.0).abs() < 1e-9);
        let n = Distribution::Normal { mean: 1.0, sd: 2.0 };
        assert!((n.quantile(0.9) - (1.0 + 2.0 * 1.281_551_565_545)).abs() < 1e-6);
    }

    #[test]
    fn sample_quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(sample_quantile(&v, 0.5), 3.0);
        assert!((sample_quantile(&v, 0.1) - 1.4).abs() < 1e-12);
        assert_eq!(sample_quantile(&v, 1.0), 5.0);
    }
}
