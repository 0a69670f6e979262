//! The questions `allot explain` answers, read from text and posed as a changed scenario:
//! "why not?" (`RUN on PROVIDER/CHIP`, `offering ID`, `offering ID >= CHIPS`,
//! `vendor V <= 40%`, `provider P <= 40%`) and "what if?" (`KEY=VALUE` edits of the scenario
//! text). [`answer`] plans the scenario as written and as changed, side by side; comparing the
//! two plans is `allot-present`'s business. See docs/explanations.md.

use std::fmt;

use allot_scenario::Scenario;

use crate::SolveSettings;
use crate::why_not::{Force, WhyNotError};
use crate::{Plan, SolveStatus};

/// Which kind of question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionKind {
    /// `--why-not`: one choice forced.
    WhyNot,
    /// `--what-if`: scenario values changed.
    WhatIf,
}

impl QuestionKind {
    /// `why_not` or `what_if`, as in the JSON answer.
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::WhyNot => "why_not",
            QuestionKind::WhatIf => "what_if",
        }
    }
}

/// A question posed: the scenario changed to ask it, and how to say what changed.
#[derive(Debug, Clone)]
pub struct Posed {
    /// The question as asked.
    pub question: String,
    /// Why not or what if.
    pub kind: QuestionKind,
    /// What was changed, in the scenario's words (the subject of the answer's sentence).
    pub change: String,
    /// The workload the question is about, if any.
    pub focus: Option<String>,
    /// The constraint the question imposes, if any: binding kind (`vendor_cap`,
    /// `provider_cap`) and subject.
    pub imposed: Option<(&'static str, String)>,
    /// Notes on how the question was posed.
    pub notes: Vec<String>,
    /// The scenario as changed (for a forced workload: restricted to the forced provider and
    /// chip), to diagnose it when it is infeasible.
    pub scenario: Scenario,
    /// A forced workload, planned from the base plan's basis instead of from `scenario`.
    pub force: Option<Force>,
}

/// Why a question cannot be posed. Messages name the `--why-not` / `--what-if` text given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuestionError {
    /// Not one of the why-not forms.
    Syntax {
        /// The question given.
        text: String,
    },
    /// `offering ID >= N` with N not a number.
    Chips {
        /// The text after `offering`.
        rest: String,
    },
    /// `offering ID >= N` with N outside 1..=1e9.
    ChipsRange {
        /// The text after `offering`.
        rest: String,
    },
    /// No offering of that id.
    UnknownOffering {
        /// The id given.
        id: String,
        /// A did-you-mean hint.
        hint: Option<String>,
    },
    /// An offering the planner never buys (historical or unpriced).
    NotPlanned {
        /// Offering id.
        id: String,
    },
    /// Spot capacity in a scenario without `[policy.spot]`.
    SpotWithoutPolicy {
        /// Offering id.
        id: String,
    },
    /// A share that is not a percentage or fraction from 0 to 1.
    Share {
        /// `vendor` or `provider`.
        kind: String,
        /// The text after the kind.
        rest: String,
        /// The share as given.
        share: String,
    },
    /// No vendor or provider of that name.
    Unknown {
        /// `vendor` or `provider`.
        kind: String,
        /// The name given.
        name: String,
        /// A did-you-mean hint.
        hint: Option<String>,
        /// The names known.
        known: Vec<String>,
    },
    /// A forced workload that cannot be posed.
    Force(WhyNotError),
    /// A what-if edit that is not `KEY=VALUE`.
    EditSyntax {
        /// The edit given.
        edit: String,
    },
    /// A what-if edit the scenario's schema refuses.
    Edit {
        /// The edit given.
        edit: String,
        /// Why.
        error: String,
    },
}

impl fmt::Display for QuestionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuestionError::Syntax { text } => write!(
                f,
                "cannot read --why-not '{text}'\n  hint: ask \"RUN on PROVIDER/CHIP\" (a training run or an inference demand), \"offering OFFERING\", \"offering OFFERING >= CHIPS\", \"vendor VENDOR <= 40%\" or \"provider PROVIDER <= 40%\""
            ),
            QuestionError::Chips { rest } => write!(
                f,
                "cannot read the chips in --why-not \"offering {rest}\": give a number, e.g. \"offering ID >= 10000\""
            ),
            QuestionError::ChipsRange { rest } => {
                write!(f, "--why-not \"offering {rest}\": give from 1 to 1e9 chips")
            }
            QuestionError::UnknownOffering { id, hint } => {
                write!(f, "no offering '{id}' in the scenario's catalog")?;
                if let Some(h) = hint {
                    write!(f, "\n  hint: {h}")?;
                }
                write!(
                    f,
                    "\n  hint: `allot catalog offerings --scenario FILE --current` lists them"
                )
            }
            QuestionError::NotPlanned { id } => write!(
                f,
                "offering '{id}' is historical or has no price: the planner never buys it"
            ),
            QuestionError::SpotWithoutPolicy { id } => write!(
                f,
                "offering '{id}' is spot capacity, which the scenario does not use without [policy.spot]"
            ),
            QuestionError::Share { kind, rest, share } => write!(
                f,
                "cannot read the share '{share}' in --why-not \"{kind} {rest}\": give a percentage such as 40% or a fraction such as 0.4"
            ),
            QuestionError::Unknown {
                kind,
                name,
                hint,
                known,
            } => {
                write!(f, "no {kind} '{name}' in the scenario's catalog")?;
                if let Some(h) = hint {
                    write!(f, "\n  hint: {h}")?;
                }
                write!(f, "\n  hint: {kind}s: {}", known.join(", "))
            }
            QuestionError::Force(e) => write!(f, "{e}"),
            QuestionError::EditSyntax { edit } => write!(
                f,
                "cannot read --what-if '{edit}': expected KEY=VALUE\n  hint: e.g. --what-if policy.vendor_cap[nvidia].max_share=0.5"
            ),
            QuestionError::Edit { edit, error } => write!(f, "--what-if '{edit}': {error}"),
        }
    }
}

impl std::error::Error for QuestionError {}

/// Reads a `--why-not` question about `scenario` and poses it.
pub fn why_not(question: &str, scenario: &Scenario) -> Result<Posed, QuestionError> {
    let text = question.trim();
    let lower = text.to_ascii_lowercase();
    let (kind, rest) = lower.split_once(' ').unwrap_or((&lower, ""));
    let rest = text[text.len() - rest.len()..].trim();
    let edited = match kind {
        "offering" if !text.contains(" on ") => Some(offering(rest, scenario)?),
        "vendor" | "provider" if rest.contains("<=") || rest.contains('≤') => {
            Some(share_cap(kind, rest, scenario)?)
        }
        _ => None,
    };
    if let Some(e) = edited {
        return Ok(Posed {
            question: question.to_string(),
            kind: QuestionKind::WhyNot,
            change: e.change,
            focus: None,
            imposed: e.imposed,
            notes: e.notes,
            scenario: e.scenario,
            force: None,
        });
    }
    let force = Force::parse(text, scenario).map_err(|e| match e {
        WhyNotError::Syntax { .. } => QuestionError::Syntax {
            text: text.to_string(),
        },
        other => QuestionError::Force(other),
    })?;
    let (focus, provider, chip) = match &force {
        Force::Training {
            run,
            provider,
            chip,
        } => (run, provider, chip),
        Force::Inference {
            demand,
            provider,
            chip,
        } => (demand, provider, chip),
    };
    let place = canonical_place(scenario, provider, chip);
    // The same restriction as a scenario: the workload allowed only that provider and chip.
    let mut changed = scenario.clone();
    let f = &mut changed.file;
    let allowed = f
        .training
        .iter_mut()
        .filter(|t| t.name == *focus)
        .map(|t| (&mut t.providers, &mut t.chips))
        .chain(
            f.inference
                .iter_mut()
                .filter(|d| d.name == *focus)
                .map(|d| (&mut d.providers, &mut d.chips)),
        );
    for (providers, chips) in allowed {
        *providers = vec![provider.clone()];
        *chips = vec![chip.clone()];
    }
    let verb = match force {
        Force::Training { .. } => "onto",
        Force::Inference { .. } => "to be served only from",
    };
    Ok(Posed {
        question: question.to_string(),
        kind: QuestionKind::WhyNot,
        change: format!("Forcing {focus} {verb} {place}"),
        focus: Some(focus.clone()),
        imposed: None,
        notes: Vec::new(),
        scenario: changed,
        force: Some(force.clone()),
    })
}

fn canonical_place(scenario: &Scenario, provider: &str, chip: &str) -> String {
    let c = &scenario.catalog;
    format!(
        "{}/{}",
        c.provider(provider).map_or(provider, |p| p.id.as_str()),
        c.accelerator(chip).map_or(chip, |a| a.id.as_str())
    )
}

/// A scenario changed to pose a question: the scenario, the change in words, notes, and the
/// constraint imposed (binding kind and subject).
struct Edited {
    scenario: Scenario,
    change: String,
    notes: Vec<String>,
    imposed: Option<(&'static str, String)>,
}

/// `offering ID`: its provider's chip only through it; `offering ID >= N`: N chips of it held.
fn offering(rest: &str, scenario: &Scenario) -> Result<Edited, QuestionError> {
    let (id, chips) = match rest.split_once(">=").or_else(|| rest.split_once('≥')) {
        Some((id, n)) => {
            let n = n.trim().trim_end_matches("chips").trim().replace('_', "");
            let n: f64 = n.parse().map_err(|_| QuestionError::Chips {
                rest: rest.to_string(),
            })?;
            if !(1.0..=1e9).contains(&n) {
                return Err(QuestionError::ChipsRange {
                    rest: rest.to_string(),
                });
            }
            (id.trim(), Some(n.round() as u32))
        }
        None => (rest.trim(), None),
    };
    let catalog = &scenario.catalog;
    let Some(o) = catalog.offering(id) else {
        return Err(QuestionError::UnknownOffering {
            id: id.to_string(),
            hint: allot_diag::did_you_mean(id, catalog.offering_ids()),
        });
    };
    if !o.is_current() {
        return Err(QuestionError::NotPlanned { id: o.id.clone() });
    }
    let spot = o.price_model == allot_catalog::PriceModel::Spot;
    if spot && scenario.file.policy.spot.is_none() {
        return Err(QuestionError::SpotWithoutPolicy { id: o.id.clone() });
    }
    let (oid, provider, chip) = (o.id.clone(), o.provider.clone(), o.chip.clone());
    let mut changed = scenario.clone();
    let f = &scenario.file;
    if let Some(n) = chips {
        let term = o.term_months().unwrap_or(f.scenario.horizon_months);
        changed.file.reservation.push(allot_scenario::Reservation {
            name: format!("why-not: {n} chips of {oid}"),
            offering: oid.clone(),
            chips: n,
            start: f.scenario.start,
            term_months: term,
            usd_per_chip_hour: None,
            notes: None,
        });
        let change = format!(
            "Holding {n} chips of {oid} from {} for {term} months",
            f.scenario.start
        );
        let note = format!(
            "{n} chips of {oid} are held from {} for {term} months at its price, paid whether used or not; they count against delivery ramps and the power cap",
            f.scenario.start
        );
        return Ok(Edited {
            scenario: changed,
            change,
            notes: vec![note],
            imposed: None,
        });
    }
    let held: Vec<String> = f
        .reservation
        .iter()
        .map(|r| r.offering.trim().to_ascii_lowercase())
        .collect();
    let others: Vec<String> = catalog
        .offerings()
        .iter()
        .filter(|x| {
            x.id != oid
                && x.is_current()
                && x.provider == provider
                && x.chip == chip
                && (x.price_model == allot_catalog::PriceModel::Spot) == spot
                && !held.contains(&x.id.to_ascii_lowercase())
        })
        .map(|x| x.id.clone())
        .collect();
    for id in &others {
        if let Some(x) = changed.catalog.offering_mut(id) {
            x.historical = true;
        }
    }
    let note = if others.is_empty() {
        format!("{oid} is already the only way to buy {chip} at {provider}")
    } else {
        format!(
            "withdrawn so that {chip} at {provider} is bought only through {oid}: {}",
            others.join(", ")
        )
    };
    Ok(Edited {
        scenario: changed,
        change: format!("Buying {provider}'s {chip} only through {oid}"),
        notes: vec![note],
        imposed: None,
    })
}

/// `vendor V <= S` or `provider P <= S`: a spend cap at S in every year, in place of any
/// spend cap the scenario has for it.
fn share_cap(kind: &str, rest: &str, scenario: &Scenario) -> Result<Edited, QuestionError> {
    let (name, share) = rest
        .split_once("<=")
        .or_else(|| rest.split_once('≤'))
        .unwrap_or((rest, ""));
    let (name, share) = (name.trim(), share.trim());
    let value = match share.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|x| x / 100.0),
        None => share.parse::<f64>(),
    };
    let share = match value {
        Ok(s) if (0.0..=1.0).contains(&s) => s,
        _ => {
            return Err(QuestionError::Share {
                kind: kind.to_string(),
                rest: rest.to_string(),
                share: share.to_string(),
            });
        }
    };
    let catalog = &scenario.catalog;
    let mut changed = scenario.clone();
    let basis = allot_scenario::ShareBasis::Spend;
    let id = if kind == "vendor" {
        let vendors = catalog.vendors();
        let Some(v) = vendors.iter().find(|v| v.eq_ignore_ascii_case(name)) else {
            return Err(unknown(kind, name, vendors.iter().copied()));
        };
        let caps = &mut changed.file.policy.vendor_cap;
        let replaced =
            |c: &allot_scenario::VendorCap| c.vendor.eq_ignore_ascii_case(v) && c.basis == basis;
        // The cap replaced keeps what it counts (held or in use).
        let counts = caps
            .iter()
            .find(|c| replaced(c))
            .map(|c| c.counts)
            .unwrap_or_default();
        caps.retain(|c| !replaced(c));
        caps.push(allot_scenario::VendorCap {
            vendor: v.to_string(),
            max_share: share,
            basis,
            counts,
            start: None,
            end: None,
        });
        v.to_string()
    } else {
        let Some(p) = catalog.provider(name) else {
            return Err(unknown(
                kind,
                name,
                catalog.providers().iter().map(|p| p.id.as_str()),
            ));
        };
        let caps = &mut changed.file.policy.provider_cap;
        let replaced = |c: &allot_scenario::ProviderCap| {
            catalog.provider(&c.provider).is_some_and(|x| x.id == p.id) && c.basis == basis
        };
        let counts = caps
            .iter()
            .find(|c| replaced(c))
            .map(|c| c.counts)
            .unwrap_or_default();
        caps.retain(|c| !replaced(c));
        caps.push(allot_scenario::ProviderCap {
            provider: p.id.clone(),
            max_share: share,
            basis,
            counts,
            start: None,
            end: None,
        });
        p.id.clone()
    };
    let pct = share * 100.0;
    Ok(Edited {
        scenario: changed,
        change: format!("Capping {id}'s share of compute spend at {pct:.4}% in every year")
            .replace(".0000%", "%"),
        notes: vec![
            format!(
                "a spend cap of {pct:.4}% on {kind} {id} for every year replaces any spend cap the scenario has for it"
            )
            .replace(".0000%", "%"),
        ],
        imposed: Some((
            if kind == "vendor" {
                "vendor_cap"
            } else {
                "provider_cap"
            },
            id,
        )),
    })
}

fn unknown<'a>(
    kind: &str,
    name: &str,
    known: impl Iterator<Item = &'a str> + Clone,
) -> QuestionError {
    QuestionError::Unknown {
        kind: kind.to_string(),
        name: name.to_string(),
        hint: allot_diag::did_you_mean(name, known.clone()),
        known: known.map(str::to_string).collect(),
    }
}

/// A scenario text with `--what-if` edits applied.
#[derive(Debug, Clone)]
pub struct WhatIfText {
    /// The edited text.
    pub text: String,
    /// Each change in words: `path = new (was old)`.
    pub changes: Vec<String>,
    /// Whether only values were replaced, so that the text's line numbers are unchanged.
    pub in_place: bool,
}

/// Applies `KEY=VALUE` edits to a scenario text, in order.
pub fn what_if_text(text: &str, edits: &[String]) -> Result<WhatIfText, QuestionError> {
    let mut edited = text.to_string();
    let mut changes = Vec::new();
    let mut in_place = true;
    for w in edits {
        let Some((key, value)) = w.split_once('=') else {
            return Err(QuestionError::EditSyntax { edit: w.clone() });
        };
        let e = allot_scenario::edit::set_path(&edited, key.trim(), value.trim()).map_err(|e| {
            QuestionError::Edit {
                edit: w.clone(),
                error: e.to_string(),
            }
        })?;
        changes.push(match &e.old {
            Some(old) => format!("{} = {} (was {})", e.path, short(&e.new), short(old)),
            None => format!("{} = {} (not set before)", e.path, short(&e.new)),
        });
        in_place &= e.in_place;
        edited = e.text;
    }
    Ok(WhatIfText {
        text: edited,
        changes,
        in_place,
    })
}

/// A what-if question posed: `changed` is the scenario loaded from [`what_if_text`]'s text.
pub fn what_if(edits: &[String], changes: &[String], changed: Scenario) -> Posed {
    Posed {
        question: edits.join(" "),
        kind: QuestionKind::WhatIf,
        change: format!("Setting {}", changes.join(" and ")),
        focus: None,
        imposed: None,
        notes: Vec::new(),
        scenario: changed,
        force: None,
    }
}

/// A value for a sentence: long ones cut short.
fn short(value: &str) -> String {
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if value.chars().count() <= 48 {
        value
    } else {
        format!("{}...", value.chars().take(45).collect::<String>())
    }
}

/// The two plans that answer a question.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The least-cost plan of the scenario as written.
    pub base: Plan,
    /// The plan of the scenario as changed; when infeasible, with the relaxations that would
    /// make it feasible.
    pub changed: Plan,
    /// Whether the changed plan's solve started from the base plan's.
    pub warm_start: bool,
}

/// Plans `base` and the question's changed scenario, both with their explanations. A forced
/// workload is solved from the base plan's basis; other questions plan both scenarios at once,
/// one per thread.
pub fn answer(
    base: &Scenario,
    posed: &Posed,
    settings: &SolveSettings,
) -> Result<Answer, QuestionError> {
    let mut answer = match &posed.force {
        Some(force) => {
            let w = crate::why_not::why_not(base, settings, force).map_err(QuestionError::Force)?;
            Answer {
                base: w.base.plan,
                changed: w.forced.plan,
                warm_start: true,
            }
        }
        None => {
            let (b, c) = std::thread::scope(|s| {
                let b = s.spawn(|| crate::plan_explained(base, settings).plan);
                let c = crate::plan_explained(&posed.scenario, settings).plan;
                (b.join().expect("planner thread"), c)
            });
            Answer {
                base: b,
                changed: c,
                warm_start: false,
            }
        }
    };
    if answer.changed.status == SolveStatus::Infeasible && answer.changed.relaxations.is_empty() {
        answer.changed.relaxations = crate::elastic::diagnose(&posed.scenario, settings);
    }
    Ok(answer)
}
