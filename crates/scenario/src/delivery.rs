//! A commitment paid as delivered: its minimum in each month follows the capacity its provider
//! delivers (docs/model.md, constraint 7).

use allot_catalog::Catalog;

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
