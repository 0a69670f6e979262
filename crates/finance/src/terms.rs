//! Payment terms: when a spend commitment's money is paid, period by period.
//!
//! Capacity is priced and paid as it is used or held (the plan's capacity cost). A commitment
//! adds to that, by its terms:
//! - `as_used`: with take-or-pay, the unspent part of the obligation is charged in the last
//!   period of the term inside the horizon (as the planner counts it);
//! - `monthly_minimum`: each period at least `total / term months` for each of its months in
//!   the term is paid; the top-up above the spend is a charge (not credited later);
//! - `as_delivered`: each period at least the total's share for the chips delivered in it
//!   (`allot_scenario::delivery`); the top-up above the spend is a charge, as for a monthly
//!   minimum;
//! - `prepaid`: the whole total is paid in the first month of the term; capacity spend is then
//!   drawn from the balance instead of paid in cash; at the end of the term the balance left is
//!   forfeited (take-or-pay, a charge) or refunded.
//!
//! A term that started before the horizon is prorated: its obligation is the share of the total
//! for its months inside the horizon, and a prepaid balance at the horizon start is the share of
//! the total for its months from then on (spend before the horizon is assumed even).

use allot_scenario::PaymentTerms;

/// One commitment, reduced to what its schedule needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractTerms {
    /// Payment terms.
    pub payment: PaymentTerms,
    /// Whether an unspent remainder is paid anyway.
    pub take_or_pay: bool,
    /// Committed total over the whole term, USD.
    pub total_usd: f64,
    /// Length of the term, months.
    pub term_months: u32,
    /// Months of the term before the horizon.
    pub months_before: u32,
    /// Months of the term inside each period of the horizon.
    pub months_in: Vec<u32>,
    /// Whether the term ends inside the horizon (the last month is in a period).
    pub ends_inside: bool,
    /// Paid as delivered: the least paid in each period (the total in proportion to the chips
    /// delivered, `allot_scenario::delivery`); empty for other terms.
    pub due: Vec<f64>,
}

impl ContractTerms {
    /// Months of the term inside the horizon.
    pub fn months_inside(&self) -> u32 {
        self.months_in.iter().sum()
    }

    /// The part of the total that falls inside the horizon.
    pub fn obligation(&self) -> f64 {
        if self.payment == PaymentTerms::AsDelivered {
            return self.due.iter().sum();
        }
        if self.term_months == 0 {
            return 0.0;
        }
        self.total_usd * f64::from(self.months_inside()) / f64::from(self.term_months)
    }

    /// The first and last periods with months of the term.
    fn span(&self) -> Option<(usize, usize)> {
        let first = self.months_in.iter().position(|m| *m > 0)?;
        let last = self.months_in.iter().rposition(|m| *m > 0)?;
        Some((first, last))
    }
}

/// The schedule of one commitment, per period.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schedule {
    /// Charges in the operating result (shortfall, top-ups, forfeited balance).
    pub charges: Vec<f64>,
    /// Cash paid in advance.
    pub prepaid: Vec<f64>,
    /// Capacity spend drawn from the prepaid balance (not paid in cash).
    pub drawn: Vec<f64>,
    /// Balance refunded.
    pub refunded: Vec<f64>,
    /// Prepaid balance at the end of the horizon.
    pub balance_end: f64,
}

impl Schedule {
    /// Cash paid under the contract beyond capacity as used, per period.
    pub fn cash_adjustment(&self) -> Vec<f64> {
        (0..self.charges.len())
            .map(|p| self.charges[p] + self.prepaid[p] - self.drawn[p] - self.refunded[p])
            .collect()
    }
}

/// Schedules `c`'s payments given the spend that counts toward it in each period (`spend`)
/// and, for prepaid terms, `draw(period, wanted) → drawn`, which takes up to `wanted` of the
/// period's capacity spend not yet paid from another balance and returns how much it took.
pub fn schedule(
    c: &ContractTerms,
    spend: &[f64],
    mut draw: impl FnMut(usize, f64) -> f64,
) -> Schedule {
    let n = c.months_in.len();
    let mut s = Schedule {
        charges: vec![0.0; n],
        prepaid: vec![0.0; n],
        drawn: vec![0.0; n],
        refunded: vec![0.0; n],
        balance_end: 0.0,
    };
    let Some((first, last)) = c.span() else {
        return s;
    };
    let per_month = if c.term_months == 0 {
        0.0
    } else {
        c.total_usd / f64::from(c.term_months)
    };
    match c.payment {
        PaymentTerms::AsUsed => {
            if c.take_or_pay {
                let spent: f64 = spend.iter().sum();
                s.charges[last] = (c.obligation() - spent).max(0.0);
            }
        }
        PaymentTerms::MonthlyMinimum => {
            for (p, (months, spent)) in c.months_in.iter().zip(spend).enumerate() {
                s.charges[p] = (per_month * f64::from(*months) - spent).max(0.0);
            }
        }
        PaymentTerms::AsDelivered => {
            for (p, (due, spent)) in c.due.iter().zip(spend).enumerate() {
                s.charges[p] = (due - spent).max(0.0);
            }
        }
        PaymentTerms::Prepaid => {
            let mut balance = if c.months_before == 0 {
                s.prepaid[first] = c.total_usd;
                c.total_usd
            } else {
                let left = c.term_months.saturating_sub(c.months_before);
                per_month * f64::from(left)
            };
            for (p, spent) in spend.iter().enumerate().take(last + 1).skip(first) {
                if balance <= 0.0 {
                    break;
                }
                let taken = draw(p, balance.min(*spent)).clamp(0.0, balance);
                s.drawn[p] = taken;
                balance -= taken;
            }
            if c.ends_inside {
                if c.take_or_pay {
                    s.charges[last] = balance;
                } else {
                    s.refunded[last] = balance;
                }
                balance = 0.0;
            }
            s.balance_end = balance;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(payment: PaymentTerms, take_or_pay: bool) -> ContractTerms {
        // $1,200 over 12 months, starting in the second of 14 monthly periods.
        let mut months_in = vec![1; 14];
        months_in[0] = 0;
        months_in[13] = 0;
        ContractTerms {
            payment,
            take_or_pay,
            total_usd: 1200.0,
            term_months: 12,
            months_before: 0,
            months_in,
            ends_inside: true,
            due: Vec::new(),
        }
    }

    fn spend() -> Vec<f64> {
        // 50 a month in the first six months of the term, 150 in the next three, then nothing.
        let mut v = vec![0.0; 14];
        for (p, x) in v.iter_mut().enumerate().take(13).skip(1) {
            *x = match p {
                1..=6 => 50.0,
                7..=9 => 150.0,
                _ => 0.0,
            };
        }
        v
    }

    #[test]
    fn as_used_charges_the_shortfall_at_the_end_of_the_term() {
        let s = schedule(&terms(PaymentTerms::AsUsed, true), &spend(), |_, _| 0.0);
        // Spent 300 + 450 = 750 of 1,200.
        assert_eq!(s.charges[12], 450.0);
        assert_eq!(s.charges.iter().sum::<f64>(), 450.0);
        let s = schedule(&terms(PaymentTerms::AsUsed, false), &spend(), |_, _| 0.0);
        assert_eq!(s.charges.iter().sum::<f64>(), 0.0);
    }

    #[test]
    fn monthly_minimum_tops_up_each_month() {
        let s = schedule(
            &terms(PaymentTerms::MonthlyMinimum, true),
            &spend(),
            |_, _| 0.0,
        );
        // Minimum 100 a month: top-ups of 50 × 6 months and 100 × 3 months; none above it.
        assert_eq!(s.charges[1], 50.0);
        assert_eq!(s.charges[8], 0.0);
        assert_eq!(s.charges[11], 100.0);
        assert_eq!(s.charges.iter().sum::<f64>(), 600.0);
        assert_eq!(s.charges[0] + s.charges[13], 0.0);
    }

    #[test]
    fn as_delivered_tops_up_to_each_period_s_due() {
        let mut t = terms(PaymentTerms::AsDelivered, true);
        // Nothing due before delivery starts in period 4, then 150 a period.
        t.due = (0..14)
            .map(|p| if (4..12).contains(&p) { 150.0 } else { 0.0 })
            .collect();
        let s = schedule(&t, &spend(), |_, _| 0.0);
        assert_eq!(t.obligation(), 1200.0);
        assert_eq!(s.charges[1], 0.0);
        assert_eq!(s.charges[4], 100.0);
        assert_eq!(s.charges[7], 0.0);
        assert_eq!(s.charges[11], 150.0);
        // 100 × 3 (periods 4-6) + 0 × 3 (7-9) + 150 × 2 (10-11).
        assert_eq!(s.charges.iter().sum::<f64>(), 600.0);
    }

    #[test]
    fn prepaid_pays_ahead_draws_down_and_forfeits_or_refunds() {
        let s = schedule(&terms(PaymentTerms::Prepaid, true), &spend(), |_, want| {
            want
        });
        assert_eq!(s.prepaid[1], 1200.0);
        assert_eq!(s.drawn.iter().sum::<f64>(), 750.0);
        assert_eq!(s.charges[12], 450.0);
        assert_eq!(s.balance_end, 0.0);
        let cash: f64 = s.cash_adjustment().iter().sum();
        // Cash beyond usage: 1,200 paid, 750 of usage not paid again.
        assert_eq!(cash, 1200.0 - 750.0 + 450.0);
        let s = schedule(&terms(PaymentTerms::Prepaid, false), &spend(), |_, want| {
            want
        });
        assert_eq!(s.refunded[12], 450.0);
        assert_eq!(s.charges.iter().sum::<f64>(), 0.0);
    }

    #[test]
    fn prepaid_balance_runs_out_and_usage_is_paid_again() {
        let mut t = terms(PaymentTerms::Prepaid, true);
        t.total_usd = 400.0;
        let s = schedule(&t, &spend(), |_, want| want);
        // 50 × 6 = 300, then 100 of the 150 in period 7.
        assert_eq!(s.drawn[7], 100.0);
        assert_eq!(s.drawn[8], 0.0);
        assert_eq!(s.charges.iter().sum::<f64>(), 0.0);
    }

    #[test]
    fn a_term_begun_before_the_horizon_is_prorated() {
        let t = ContractTerms {
            payment: PaymentTerms::Prepaid,
            take_or_pay: true,
            total_usd: 1200.0,
            term_months: 12,
            months_before: 8,
            months_in: vec![1, 1, 1, 1, 0],
            ends_inside: true,
            due: Vec::new(),
        };
        assert_eq!(t.obligation(), 400.0);
        let s = schedule(&t, &[100.0, 50.0, 0.0, 0.0, 0.0], |_, want| want);
        assert_eq!(
            s.prepaid.iter().sum::<f64>(),
            0.0,
            "paid before the horizon"
        );
        assert_eq!(s.drawn.iter().sum::<f64>(), 150.0);
        assert_eq!(s.charges[3], 250.0);
    }
}
