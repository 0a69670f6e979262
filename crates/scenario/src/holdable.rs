//! Which catalog offerings a plan may hold capacity of: the one rule that validation, the
//! planner (`allot-plan`'s `prep` and `build`) and the verifier (`allot-verify`) share.
//!
//! A plan holds an offering's chips when it buys them or when a `[[reservation]]` already
//! holds them. Either way the offering must be current (priced and not historical) and, when
//! it is spot capacity, the scenario must have `[policy.spot]` (the planner needs its haircut
//! to count spot chips). Validation rejects a reservation on any other offering, so the
//! planner and the verifier never disagree about what a reservation holds.

use allot_catalog::{Offering, PriceModel};

use crate::{Reservation, Scenario, ScenarioFile};

/// Why a plan may not hold an offering's capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotHoldable {
    /// The offering is a past price, kept for reference.
    Historical,
    /// The offering has no price (sold only by reservation or quote).
    Unpriced,
    /// Spot capacity, and the scenario has no `[policy.spot]`.
    SpotWithoutPolicy,
}

impl NotHoldable {
    /// What is wrong, lowercase, without the offering's id.
    pub fn message(self) -> &'static str {
        match self {
            NotHoldable::Historical => "is historical (a past price), so a plan cannot hold it",
            NotHoldable::Unpriced => "has no price, so a plan cannot hold it",
            NotHoldable::SpotWithoutPolicy => {
                "is spot capacity and the scenario has no [policy.spot], so a plan cannot hold it"
            }
        }
    }

    /// How to fix a reservation on such an offering.
    pub fn hint(self) -> &'static str {
        match self {
            NotHoldable::Historical => {
                "reserve the current offering of the same provider and chip, with the price you pay as usd_per_chip_hour"
            }
            NotHoldable::Unpriced => {
                "give the offering a price ([[catalog.price_override]]), or reserve a priced offering of the same provider and chip with the price you pay as usd_per_chip_hour"
            }
            NotHoldable::SpotWithoutPolicy => {
                "add [policy.spot] (availability_haircut, preemption_overhead), or reserve a non-spot offering"
            }
        }
    }
}

/// Whether a plan of a scenario with (`spot_policy`) or without `[policy.spot]` may hold
/// capacity of `o`.
pub fn holdable(o: &Offering, spot_policy: bool) -> Result<(), NotHoldable> {
    if o.historical {
        Err(NotHoldable::Historical)
    } else if !o.is_priced() {
        Err(NotHoldable::Unpriced)
    } else if o.price_model == PriceModel::Spot && !spot_policy {
        Err(NotHoldable::SpotWithoutPolicy)
    } else {
        Ok(())
    }
}

/// Whether a plan of `file` may hold capacity of `o`.
pub fn holdable_in(file: &ScenarioFile, o: &Offering) -> Result<(), NotHoldable> {
    holdable(o, file.policy.spot.is_some())
}

/// The reservations a plan of `s` holds, each with its catalog offering: those on an offering
/// the plan may hold ([`holdable`]; validation rejects the others).
pub fn held_reservations(s: &Scenario) -> impl Iterator<Item = (&Reservation, &Offering)> {
    s.file.reservation.iter().filter_map(|r| {
        let o = s.catalog.offering(&r.offering)?;
        holdable_in(&s.file, o).is_ok().then_some((r, o))
    })
}
