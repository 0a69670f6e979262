//! A commitment paid as delivered: its minimum in each month follows the capacity its provider
//! delivers (docs/model.md, constraint 7).

use allot_catalog::Catalog;

use crate::Month;
use crate::format::{Commitment, ScenarioFile};

/// Chips delivered to commitment `c` in each month of its term: the sum of the
/// `[[availability]]` ramps of its provider's chips it covers (its `chips`, or all of the
/// provider's). A ramp is read from the scenario start; months of the term before the start
/// take its first month, months past the horizon its series carried on (a list of values, its
/// last value). `None` when no ramp is in scope.
pub fn delivered_chips(s: &ScenarioFile, catalog: &Catalog, c: &Commitment) -> Option<Vec<f64>> {
    let provider = catalog.provider(&c.provider)?.id.clone();
    let scope: Vec<String> = c
        .chips
        .iter()
        .filter_map(|x| catalog.accelerator(x).map(|a| a.id.clone()))
        .collect();
    let set = &s.scenario;
    let pm = set.period.months();
    let span = set
        .start
        .months_until(c.end())
        .max(i64::from(set.horizon_months))
        .max(1) as u32;
    let mut out = vec![0.0; c.term_months as usize];
    let mut any = false;
    for a in &s.availability {
        let (p, chip) = match (&a.offering, &a.provider, &a.chip) {
            (Some(o), _, _) => match catalog.offering(o.trim()) {
                Some(o) => (o.provider.clone(), o.chip.clone()),
                None => continue,
            },
            (None, Some(v), Some(x)) => match (catalog.provider(v), catalog.accelerator(x)) {
                (Some(v), Some(x)) => (v.id.clone(), x.id.clone()),
                _ => continue,
            },
            _ => continue,
        };
        if p != provider || !(scope.is_empty() || scope.contains(&chip)) {
            continue;
        }
        any = true;
        let mut monthly = a.chips.monthly(set.start, span, pm);
        if let crate::Series::Values(v) = &a.chips {
            // A list of values carries its last value on past its end.
            let last = v.last().copied().unwrap_or(0.0);
            for (i, x) in monthly.iter_mut().enumerate() {
                if i / pm as usize >= v.len() {
                    *x = last;
                }
            }
        }
        for (k, x) in out.iter_mut().enumerate() {
            let i = set
                .start
                .months_until(c.start.plus(k as i64))
                .clamp(0, i64::from(span) - 1);
            *x += monthly[i as usize];
        }
    }
    any.then_some(out)
}

/// The least paid in each month of commitment `c`'s term when it is paid as delivered: its total
/// split in proportion to the chips delivered each month ([`delivered_chips`]); `None` when no
/// ramp is in scope or none delivers a chip.
pub fn delivered_minimums(s: &ScenarioFile, catalog: &Catalog, c: &Commitment) -> Option<Vec<f64>> {
    let chips = delivered_chips(s, catalog, c)?;
    let total: f64 = chips.iter().sum();
    (total > 0.0).then(|| chips.iter().map(|x| c.total_usd * x / total).collect())
}

/// The least paid in each period of a commitment starting in `start` whose monthly minimums
/// are `months` (from [`delivered_minimums`]): each period, given as its first month and its
/// length in months, owes the minimums of the term's months in it. The planner's constraint 7
/// and the finance projection both schedule an as-delivered payment by it.
pub fn per_period_minimums(
    start: Month,
    months: &[f64],
    periods: impl IntoIterator<Item = (Month, u32)>,
) -> Vec<f64> {
    periods
        .into_iter()
        .map(|(first, length)| {
            (0..i64::from(length))
                .filter_map(|k| {
                    let i = start.months_until(first.plus(k));
                    usize::try_from(i).ok().and_then(|i| months.get(i))
                })
                .sum()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A term from 2027-02 of four months owing 1, 2, 3, 4, over quarters from 2027-01: the
    /// first quarter holds the term's first two months, the second its last two, the third none.
    #[test]
    fn per_period_minimums_sum_the_terms_months_in_each_period() {
        let m = |s: &str| Month::parse(s).unwrap();
        let periods = [(m("2027-01"), 3), (m("2027-04"), 3), (m("2027-07"), 3)];
        assert_eq!(
            per_period_minimums(m("2027-02"), &[1.0, 2.0, 3.0, 4.0], periods),
            vec![3.0, 7.0, 0.0]
        );
    }
}
