//! Time series of values by month: demand, revenue, delivery ramps, power caps.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Month;

/// How a series given by points fills the months between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Interpolation {
    /// Straight lines between points; flat before the first and after the last.
    #[default]
    Linear,
    /// Each point's value holds until the next point; zero before the first.
    Step,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// One point of a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Point {
    /// The month.
    pub month: Month,
    /// The value in that month, in the unit the series' field name gives.
    #[schemars(range(min = 0))]
    pub value: f64,
}

/// A value per month, in the unit its field name gives. Written as one of:
/// - a number: the same value every month;
/// - `{ initial = X, growth_per_year = G }`: X in the first month, compounding monthly to
///   grow by the factor (1 + G) every 12 months;
/// - `{ points = [{ month = "2027-01", value = X }, ...], interpolate = "linear" | "step" }`;
/// - an array with one value per planning period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Series {
    /// The same value every month.
    Constant(#[schemars(range(min = 0))] f64),
    /// Compound growth from an initial value.
    Growth(Growth),
    /// Points in time, interpolated.
    Points(Points),
    /// One value per planning period.
    Values(#[schemars(inner(range(min = 0)))] Vec<f64>),
}

/// Compound growth from an initial value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Growth {
    /// Value in the first month (or in `from`).
    #[schemars(range(min = 0))]
    pub initial: f64,
    /// Yearly growth rate: 1.0 doubles every year, -0.2 shrinks by a fifth.
    #[schemars(range(min = -1))]
    pub growth_per_year: f64,
    /// Month of the initial value; the scenario start when absent. Zero before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Month>,
}

/// Points in time, interpolated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Points {
    /// The points, in increasing month order.
    #[schemars(length(min = 1))]
    pub points: Vec<Point>,
    /// How months between points are filled.
    #[serde(default, skip_serializing_if = "is_default")]
    pub interpolate: Interpolation,
}

impl Series {
    /// The value in each of `months` months from `start`. A `Values` series gives one value
    /// per period of `period_months` months, repeated for each month of its period: series
    /// values are rates (per day, per month, chips available), not totals.
    pub fn monthly(&self, start: Month, months: u32, period_months: u32) -> Vec<f64> {
        let n = months as usize;
        match self {
            Series::Constant(v) => vec![*v; n],
            Series::Growth(g) => {
                let from = g.from.unwrap_or(start);
                let monthly = (1.0 + g.growth_per_year).max(0.0).powf(1.0 / 12.0);
                (0..n)
                    .map(|i| {
                        let k = from.months_until(start.plus(i as i64));
                        if k < 0 {
                            0.0
                        } else {
                            g.initial * monthly.powi(k as i32)
                        }
                    })
                    .collect()
            }
            Series::Points(p) => (0..n).map(|i| p.at(start.plus(i as i64))).collect(),
            Series::Values(values) => {
                let per = period_months.max(1) as usize;
                (0..n)
                    .map(|i| values.get(i / per).copied().unwrap_or(0.0))
                    .collect()
            }
        }
    }
}

impl Points {
    /// The value in `month`.
    pub fn at(&self, month: Month) -> f64 {
        let points = &self.points;
        let Some(first) = points.first() else {
            return 0.0;
        };
        if month < first.month {
            return match self.interpolate {
                Interpolation::Linear => first.value,
                Interpolation::Step => 0.0,
            };
        }
        let after = points.partition_point(|p| p.month <= month);
        let before = &points[after - 1];
        match (self.interpolate, points.get(after)) {
            (Interpolation::Linear, Some(next)) => {
                let span = before.month.months_until(next.month) as f64;
                let t = before.month.months_until(month) as f64 / span;
                before.value + (next.value - before.value) * t
            }
            _ => before.value,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    #[test]
    fn expands_each_form() {
        let start = m("2026-01");
        assert_eq!(Series::Constant(3.0).monthly(start, 2, 1), vec![3.0, 3.0]);

        let g = Series::Growth(Growth {
            initial: 100.0,
            growth_per_year: 1.0,
            from: None,
        });
        let v = g.monthly(start, 13, 1);
        assert!((v[12] - 200.0).abs() < 1e-9, "{v:?}");
        assert!((v[6] - 100.0 * 2f64.sqrt()).abs() < 1e-9);

        let late = Series::Growth(Growth {
            initial: 5.0,
            growth_per_year: 0.0,
            from: Some(m("2026-03")),
        });
        assert_eq!(late.monthly(start, 4, 1), vec![0.0, 0.0, 5.0, 5.0]);

        let pts = Points {
            points: vec![
                Point {
                    month: m("2026-02"),
                    value: 10.0,
                },
                Point {
                    month: m("2026-06"),
                    value: 50.0,
                },
            ],
            interpolate: Interpolation::Linear,
        };
        assert_eq!(
            Series::Points(pts.clone()).monthly(start, 7, 1),
            vec![10.0, 10.0, 20.0, 30.0, 40.0, 50.0, 50.0]
        );
        let step = Points {
            interpolate: Interpolation::Step,
            ..pts
        };
        assert_eq!(
            Series::Points(step).monthly(start, 7, 1),
            vec![0.0, 10.0, 10.0, 10.0, 10.0, 50.0, 50.0]
        );

        let q = Series::Values(vec![1.0, 2.0]);
        assert_eq!(q.monthly(start, 6, 3), vec![1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);
    }
}
