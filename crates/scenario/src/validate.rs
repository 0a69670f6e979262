//! Semantic checks of a scenario against itself and its catalog: references, names, dates,
//! and relations between fields. Structural problems (types, unknown fields) are found earlier,
//! by the schema check.

use std::collections::HashMap;

use allot_catalog::{Catalog, PriceModel};
use allot_diag::{Diagnostic, did_you_mean};
use allot_toml::SpanMap;

use crate::format::{
    DISTRIBUTION_PARAMETERS, DistributionKind, InferenceDemand, ModelSpec, PaymentTerms,
    ScenarioFile, Settings, Uncertainty, UncertaintyKind,
};
use crate::{Month, Series};

/// Collects diagnostics located by path.
pub(crate) struct Report<'a> {
    file: &'a str,
    spans: &'a SpanMap,
    pub(crate) out: Vec<Diagnostic>,
    /// When checking a salvaged document: kept elements' original indices, per array.
    kept: HashMap<String, Vec<usize>>,
    /// Names of workloads dropped for structural errors: they exist, so references to them
    /// are not errors.
    dropped_workloads: Vec<String>,
}

impl<'a> Report<'a> {
    pub(crate) fn new(file: &'a str, spans: &'a SpanMap) -> Self {
        Report {
            file,
            spans,
            out: Vec::new(),
            kept: HashMap::new(),
            dropped_workloads: Vec::new(),
        }
    }

    /// Checks a salvaged document: paths are mapped back to the original file.
    pub(crate) fn salvaged<T>(&mut self, s: &allot_toml::Salvaged<T>) {
        self.kept = s.kept.clone();
        self.dropped_workloads = s
            .dropped
            .iter()
            .filter(|(section, _, _)| section == "training" || section == "inference")
            .filter_map(|(_, _, name)| name.clone())
            .collect();
    }

    /// The path in the original file of a path in the (possibly salvaged) document.
    fn original(&self, path: &str) -> String {
        let end = path.find(['.', '[']).unwrap_or(path.len());
        let (key, rest) = path.split_at(end);
        let Some(kept) = self.kept.get(key) else {
            return path.to_string();
        };
        let Some(after) = rest.strip_prefix('[') else {
            return path.to_string();
        };
        let Some(close) = after.find(']') else {
            return path.to_string();
        };
        match after[..close]
            .parse::<usize>()
            .ok()
            .and_then(|i| kept.get(i))
        {
            Some(orig) => format!("{key}[{orig}]{}", &after[close + 1..]),
            None => path.to_string(),
        }
    }

    /// Whether `path` is written in the file (not left to its default).
    fn written(&self, path: &str) -> bool {
        self.spans.has(&self.original(path))
    }

    pub(crate) fn error(&mut self, path: &str, message: impl std::fmt::Display) -> &mut Diagnostic {
        let path = self.original(path);
        let d = Diagnostic::error(
            self.file,
            self.spans.value(&path),
            format!("{path}: {message}"),
        );
        let at = self.out.len();
        self.out.push(d);
        &mut self.out[at]
    }

    pub(crate) fn warning(
        &mut self,
        path: &str,
        message: impl std::fmt::Display,
    ) -> &mut Diagnostic {
        let path = self.original(path);
        let d = Diagnostic::warning(
            self.file,
            self.spans.value(&path),
            format!("{path}: {message}"),
        );
        let at = self.out.len();
        self.out.push(d);
        &mut self.out[at]
    }
}

trait Hint {
    fn hint(&mut self, hint: impl Into<String>) -> &mut Self;
    fn hint_opt(&mut self, hint: Option<String>) -> &mut Self;
}

impl Hint for Diagnostic {
    fn hint(&mut self, hint: impl Into<String>) -> &mut Self {
        self.hints.push(hint.into());
        self
    }
    fn hint_opt(&mut self, hint: Option<String>) -> &mut Self {
        if let Some(h) = hint {
            self.hints.push(h);
        }
        self
    }
}

/// Checks `s` against itself and `catalog`.
pub(crate) fn validate(s: &ScenarioFile, catalog: &Catalog, r: &mut Report<'_>) {
    let settings = &s.scenario;
    if settings.period.months() > 1 && settings.horizon_months % settings.period.months() != 0 {
        r.error(
            "scenario.horizon_months",
            format!(
                "{} months is not a whole number of quarters",
                settings.horizon_months
            ),
        )
        .hint(format!(
            "use {} or {} months, or period = \"month\"",
            settings.horizon_months / 3 * 3,
            settings.horizon_months.div_ceil(3) * 3
        ));
    }

    check_workloads(s, catalog, r);
    check_contracts(s, catalog, r);
    check_policy(s, catalog, r);
    check_finance(s, r);
    check_uncertainty(s, catalog, r);
    for (name, factor) in &s.performance.maturity {
        let path = format!(
            "performance.maturity.{}",
            allot_toml::Path::root().key(name)
        );
        check_chip(catalog, name, &path, r);
        if !(0.05..=2.0).contains(factor) {
            r.error(&path, format!("maturity {factor} is outside 0.05 to 2"))
                .hint(
                    "1.0 means as mature as the calibrated family; 0.7 means 30% lower utilisation",
                );
        }
    }
}

fn check_month_in_horizon(settings: &Settings, month: Month, path: &str, r: &mut Report<'_>) {
    if !settings.contains(month) {
        r.error(
            path,
            format!(
                "{month} is outside the horizon {} to {}",
                settings.start,
                settings.last_month()
            ),
        )
        .hint("move it inside the horizon, or change scenario.start or scenario.horizon_months");
    }
}

fn check_chip(catalog: &Catalog, name: &str, path: &str, r: &mut Report<'_>) -> Option<String> {
    match catalog.accelerator(name) {
        Some(a) => Some(a.id.clone()),
        None => {
            r.error(path, format!("unknown accelerator '{name}'"))
                .hint_opt(did_you_mean(name, catalog.accelerator_names()))
                .hint("`allot catalog accelerators` lists them");
            None
        }
    }
}

fn check_provider(catalog: &Catalog, name: &str, path: &str, r: &mut Report<'_>) -> Option<String> {
    match catalog.provider(name) {
        Some(p) => Some(p.id.clone()),
        None => {
            r.error(path, format!("unknown provider '{name}'"))
                .hint_opt(did_you_mean(name, catalog.provider_names()))
                .hint("`allot catalog providers` lists them");
            None
        }
    }
}

fn check_offering(catalog: &Catalog, id: &str, path: &str, r: &mut Report<'_>) -> bool {
    if catalog.offering(id).is_some() {
        return true;
    }
    r.error(path, format!("unknown offering '{id}'"))
        .hint_opt(did_you_mean(id, catalog.offering_ids()))
        .hint("`allot catalog offerings` lists offering ids");
    false
}

fn check_model(model: &ModelSpec, path: &str, r: &mut Report<'_>) {
    match model {
        ModelSpec::Preset(name) => {
            if allot_model::preset(name).is_none() {
                r.error(path, format!("unknown model preset '{name}'"))
                    .hint_opt(did_you_mean(name, allot_model::preset_ids()))
                    .hint(format!(
                        "presets: {}; or give the architecture as a table",
                        allot_model::preset_ids().collect::<Vec<_>>().join(", ")
                    ));
            }
        }
        ModelSpec::Architecture(arch) => {
            for (field, problem) in arch.problems() {
                r.error(&format!("{path}.{field}"), problem);
            }
        }
    }
}

fn check_series(settings: &Settings, series: &Series, path: &str, r: &mut Report<'_>) {
    match series {
        Series::Constant(_) => {}
        Series::Growth(g) => {
            if let Some(from) = g.from {
                check_month_in_horizon(settings, from, &format!("{path}.from"), r);
            }
            // Grown over the horizon, the series must stay a number the solver can take.
            let last = series
                .monthly(
                    settings.start,
                    settings.horizon_months,
                    settings.period.months(),
                )
                .into_iter()
                .fold(0.0, |m: f64, v| {
                    if v.is_nan() {
                        f64::INFINITY
                    } else {
                        m.max(v.abs())
                    }
                });
            if last > allot_toml::LARGEST_NUMBER {
                r.error(
                    &format!("{path}.growth_per_year"),
                    format!(
                        "grows {} to {last:e} within the horizon, past 1e18",
                        g.initial
                    ),
                )
                .hint("numbers past 1e18 are beyond what the planner's solver can take; lower the growth or shorten the horizon");
            }
        }
        Series::Points(p) => {
            let mut previous: Option<Month> = None;
            for (i, point) in p.points.iter().enumerate() {
                let here = format!("{path}.points[{i}].month");
                check_month_in_horizon(settings, point.month, &here, r);
                if let Some(prev) = previous
                    && point.month <= prev
                {
                    r.error(
                        &here,
                        format!(
                            "{} does not come after the previous point's {prev}",
                            point.month
                        ),
                    )
                    .hint("list points in increasing month order, one per month");
                }
                previous = Some(point.month);
            }
        }
        Series::Values(values) => {
            let periods = settings.periods() as usize;
            if values.len() != periods {
                let unit = if settings.period.months() == 1 {
                    "month"
                } else {
                    "quarter"
                };
                r.error(
                    path,
                    format!(
                        "has {} values but the horizon has {periods} periods",
                        values.len()
                    ),
                )
                .hint(format!(
                    "give one value per {unit}, or use {{ points = [...] }} for a few dates"
                ));
            }
        }
    }
}

/// `chips = []` written out read as "any chip" (issue 22, item 15): an empty list is refused;
/// leaving the field out allows any.
fn empty_list(list: &[String], path: &str, what: &str, r: &mut Report<'_>) {
    if list.is_empty() && r.written(path) {
        r.error(path, format!("an empty list allows no {what}"))
            .hint(format!(
                "leave the field out to allow any {what}, or name at least one"
            ));
    }
}

/// Resolves an allowed-chips list; returns the canonical ids found.
fn check_chips(catalog: &Catalog, chips: &[String], path: &str, r: &mut Report<'_>) -> Vec<String> {
    empty_list(chips, path, "chip", r);
    chips
        .iter()
        .enumerate()
        .filter_map(|(i, c)| check_chip(catalog, c, &format!("{path}[{i}]"), r))
        .collect()
}

fn check_providers(
    catalog: &Catalog,
    providers: &[String],
    path: &str,
    r: &mut Report<'_>,
) -> Vec<String> {
    empty_list(providers, path, "provider", r);
    providers
        .iter()
        .enumerate()
        .filter_map(|(i, p)| check_provider(catalog, p, &format!("{path}[{i}]"), r))
        .collect()
}

/// Warns when no current offering sells an allowed chip at an allowed provider.
fn check_placeable(
    catalog: &Catalog,
    chips: &[String],
    providers: &[String],
    path: &str,
    r: &mut Report<'_>,
) {
    let any = catalog.offerings().iter().any(|o| {
        o.is_current()
            && o.price_model != PriceModel::Spot
            && (chips.is_empty() || chips.contains(&o.chip))
            && (providers.is_empty() || providers.contains(&o.provider))
    });
    if !any {
        let what = |v: &[String]| {
            if v.is_empty() {
                "any".to_string()
            } else {
                v.join(", ")
            }
        };
        r.warning(
            path,
            format!(
                "no priced offering sells chips [{}] at providers [{}]; it cannot be placed",
                what(chips),
                what(providers)
            ),
        )
        .hint("allow more chips or providers, or add an offering in a catalog file");
    }
}

fn check_workloads(s: &ScenarioFile, catalog: &Catalog, r: &mut Report<'_>) {
    let settings = &s.scenario;
    let mut names: HashMap<String, String> = HashMap::new();
    let mut claim = |name: &str, path: String, r: &mut Report<'_>| {
        let key = name.trim().to_lowercase();
        if let Some(first) = names.get(&key) {
            r.error(
                &format!("{path}.name"),
                format!("duplicate workload name '{name}' (also {first})"),
            )
            .hint(
                "training runs and inference demands share one namespace: give each a unique name",
            );
        } else {
            names.insert(key, path);
        }
    };
    for (i, t) in s.training.iter().enumerate() {
        let path = format!("training[{i}]");
        claim(&t.name, path.clone(), r);
        check_model(&t.model, &format!("{path}.model"), r);
        let earliest = t.earliest_start.unwrap_or(settings.start);
        if let Some(m) = t.earliest_start {
            check_month_in_horizon(settings, m, &format!("{path}.earliest_start"), r);
        }
        if let Some(deadline) = t.deadline {
            check_month_in_horizon(settings, deadline, &format!("{path}.deadline"), r);
            if deadline < earliest {
                r.error(
                    &format!("{path}.deadline"),
                    format!("deadline {deadline} is before the earliest start {earliest}"),
                )
                .hint("a run needs at least one month between earliest_start and deadline");
            }
        }
        if let (Some(lo), Some(hi)) = (t.min_chips, t.max_chips)
            && lo > hi
        {
            r.error(
                &format!("{path}.min_chips"),
                format!("min_chips {lo} is larger than max_chips {hi}"),
            );
        }
        let chips = check_chips(catalog, &t.chips, &format!("{path}.chips"), r);
        let providers = check_providers(catalog, &t.providers, &format!("{path}.providers"), r);
        if chips.len() == t.chips.len() && providers.len() == t.providers.len() {
            check_placeable(catalog, &chips, &providers, &path, r);
        }
    }
    for (i, d) in s.inference.iter().enumerate() {
        let path = format!("inference[{i}]");
        claim(&d.name, path.clone(), r);
        check_model(&d.model, &format!("{path}.model"), r);
        check_series(
            settings,
            &d.requests_per_day,
            &format!("{path}.requests_per_day"),
            r,
        );
        if let Some(m) = d.start {
            check_month_in_horizon(settings, m, &format!("{path}.start"), r);
        }
        if let Some(m) = d.end {
            check_month_in_horizon(settings, m, &format!("{path}.end"), r);
            let start = d.start.unwrap_or(settings.start);
            if m < start {
                r.error(
                    &format!("{path}.end"),
                    format!("end {m} is before start {start}"),
                );
            }
        }
        check_token_revenue(settings, d, &path, r);
        let chips = check_chips(catalog, &d.chips, &format!("{path}.chips"), r);
        let providers = check_providers(catalog, &d.providers, &format!("{path}.providers"), r);
        if chips.len() == d.chips.len() && providers.len() == d.providers.len() {
            check_placeable(catalog, &chips, &providers, &path, r);
        }
    }
}

/// A demand's token revenue is a product of fields (requests × tokens × price), each within its
/// own range, that the cash floor and the finance projection add up: it must stay a number the
/// solver can take (issue 22, item 10), or `plan` would stop at the solver with only the name of
/// a cash row. Refused at the price, the field that makes it revenue.
fn check_token_revenue(settings: &Settings, d: &InferenceDemand, path: &str, r: &mut Report<'_>) {
    let Some(monthly) = d.revenue_usd_per_month(settings) else {
        return;
    };
    let Some((i, most)) = monthly
        .iter()
        .enumerate()
        .map(|(i, v)| (i, if v.is_nan() { f64::INFINITY } else { v.abs() }))
        .max_by(|a, b| a.1.total_cmp(&b.1))
    else {
        return;
    };
    if most > allot_toml::LARGEST_NUMBER {
        let month = settings.start.plus(i as i64);
        r.error(
            &format!("{path}.price_usd_per_million_tokens"),
            format!(
                "token revenue reaches {most:.3e} USD in {month} (requests per day x {} tokens per \
                 request x price), past 1e18 a month",
                u64::from(d.input_tokens) + u64::from(d.output_tokens)
            ),
        )
        .hint(
            "the cash floor and the finance projection add this revenue up, and numbers past \
             1e18 are beyond what the planner's solver can take; check the price's unit (USD per \
             million tokens) and the demand's requests_per_day",
        );
    }
}

fn check_unique<'n>(
    names: impl Iterator<Item = &'n str>,
    section: &str,
    what: &str,
    r: &mut Report<'_>,
) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, name) in names.enumerate() {
        if let Some(first) = seen.insert(name.trim().to_lowercase(), i) {
            let first = r.original(&format!("{section}[{first}]"));
            r.error(
                &format!("{section}[{i}].name"),
                format!("duplicate {what} name '{name}' (also {first})"),
            );
        }
    }
}

fn check_contract_window(
    settings: &Settings,
    start: Month,
    term: u32,
    path: &str,
    r: &mut Report<'_>,
) {
    let end = start.plus(i64::from(term));
    if start >= settings.end() {
        r.error(
            &format!("{path}.start"),
            format!(
                "{start} is after the horizon, which ends {}",
                settings.last_month()
            ),
        )
        .hint("move it inside the horizon, or extend scenario.horizon_months");
    } else if start < settings.start {
        if end <= settings.start {
            r.warning(
                &format!("{path}.start"),
                format!(
                    "the term {start} to {} ends before the scenario starts; it has no effect",
                    end.plus(-1)
                ),
            );
        } else {
            r.warning(
                &format!("{path}.start"),
                format!(
                    "{start} is before the scenario start {}; only the months from {} are planned",
                    settings.start, settings.start
                ),
            );
        }
    }
}

fn check_contracts(s: &ScenarioFile, catalog: &Catalog, r: &mut Report<'_>) {
    let settings = &s.scenario;
    check_unique(
        s.commitment.iter().map(|c| c.name.as_str()),
        "commitment",
        "commitment",
        r,
    );
    check_unique(
        s.reservation.iter().map(|c| c.name.as_str()),
        "reservation",
        "reservation",
        r,
    );
    check_unique(
        s.exclusivity.iter().map(|c| c.name.as_str()),
        "exclusivity",
        "exclusivity",
        r,
    );

    for (i, c) in s.commitment.iter().enumerate() {
        let path = format!("commitment[{i}]");
        let provider = check_provider(catalog, &c.provider, &format!("{path}.provider"), r);
        check_contract_window(settings, c.start, c.term_months, &path, r);
        let chips = check_chips(catalog, &c.chips, &format!("{path}.chips"), r);
        if c.payment == PaymentTerms::AsDelivered
            && provider.is_some()
            && crate::delivery::delivered_minimums(s, catalog, c).is_none()
        {
            r.error(
                &format!("{path}.payment"),
                format!(
                    "commitment '{}' is paid as delivered, but no [[availability]] ramp of its provider's chips delivers any",
                    c.name
                ),
            )
            .hint("add the contract's delivery schedule as [[availability]] of its provider and chips, or pay it as monthly_minimum");
        }
        if let Some(p) = provider
            && chips.len() == c.chips.len()
        {
            check_placeable(catalog, &chips, &[p], &path, r);
        }
    }
    for (i, res) in s.reservation.iter().enumerate() {
        let path = format!("reservation[{i}]");
        if check_offering(catalog, &res.offering, &format!("{path}.offering"), r)
            && let Some(o) = catalog.offering(&res.offering)
            && let Err(why) = crate::holdable_in(s, o)
        {
            r.error(
                &format!("{path}.offering"),
                format!("offering '{}' {}", res.offering, why.message()),
            )
            .hint(why.hint());
        }
        check_contract_window(settings, res.start, res.term_months, &path, r);
    }
    let dropped = std::mem::take(&mut r.dropped_workloads);
    let workloads: Vec<&str> = s
        .training
        .iter()
        .map(|t| t.name.as_str())
        .chain(s.inference.iter().map(|d| d.name.as_str()))
        .chain(dropped.iter().map(String::as_str))
        .collect();
    for (i, e) in s.exclusivity.iter().enumerate() {
        let path = format!("exclusivity[{i}]");
        for (j, w) in e.workloads.iter().enumerate() {
            if !workloads
                .iter()
                .any(|n| n.trim().eq_ignore_ascii_case(w.trim()))
            {
                r.error(
                    &format!("{path}.workloads[{j}]"),
                    format!("unknown workload '{w}'"),
                )
                .hint_opt(did_you_mean(w, workloads.iter().copied()))
                .hint("name a [[training]] run or an [[inference]] demand of this scenario");
            }
        }
        check_providers(catalog, &e.providers, &format!("{path}.providers"), r);
        for (field, m) in [("start", e.start), ("end", e.end)] {
            if let Some(m) = m {
                check_month_in_horizon(settings, m, &format!("{path}.{field}"), r);
            }
        }
        if let (Some(a), Some(b)) = (e.start, e.end)
            && b < a
        {
            r.error(
                &format!("{path}.end"),
                format!("end {b} is before start {a}"),
            );
        }
    }
    for (i, a) in s.availability.iter().enumerate() {
        let path = format!("availability[{i}]");
        match (&a.offering, &a.provider, &a.chip) {
            (Some(o), None, None) => {
                check_offering(catalog, o, &format!("{path}.offering"), r);
            }
            (None, Some(p), Some(c)) => {
                let p = check_provider(catalog, p, &format!("{path}.provider"), r);
                let c = check_chip(catalog, c, &format!("{path}.chip"), r);
                if let (Some(p), Some(c)) = (p, c) {
                    check_placeable(catalog, &[c], &[p], &path, r);
                }
            }
            _ => {
                r.error(
                    &path,
                    "give either `offering`, or both `provider` and `chip`",
                );
            }
        }
        check_series(settings, &a.chips, &format!("{path}.chips"), r);
    }
}

fn check_policy(s: &ScenarioFile, catalog: &Catalog, r: &mut Report<'_>) {
    let settings = &s.scenario;
    let policy = &s.policy;
    let vendors = catalog.vendors();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for (i, cap) in policy.vendor_cap.iter().enumerate() {
        let path = format!("policy.vendor_cap[{i}]");
        let vendor = cap.vendor.trim().to_lowercase();
        if !vendors.contains(&vendor.as_str()) {
            r.error(
                &format!("{path}.vendor"),
                format!("unknown vendor '{}'", cap.vendor),
            )
            .hint_opt(did_you_mean(&cap.vendor, vendors.iter().copied()))
            .hint(format!("vendors: {}", vendors.join(", ")));
        }
        let key = (vendor, format!("{:?} {:?}", cap.basis, cap.counts));
        if let Some(first) = seen.insert(key, i) {
            r.error(
                &format!("{path}.vendor"),
                format!(
                    "a second cap on vendor '{}' (also policy.vendor_cap[{first}])",
                    cap.vendor
                ),
            )
            .hint("keep one cap per vendor, basis and counts");
        }
        for (field, m) in [("start", cap.start), ("end", cap.end)] {
            if let Some(m) = m {
                check_month_in_horizon(settings, m, &format!("{path}.{field}"), r);
            }
        }
    }
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for (i, cap) in policy.provider_cap.iter().enumerate() {
        let path = format!("policy.provider_cap[{i}]");
        if let Some(p) = check_provider(catalog, &cap.provider, &format!("{path}.provider"), r)
            && let Some(first) = seen.insert((p, format!("{:?} {:?}", cap.basis, cap.counts)), i)
        {
            r.error(
                &format!("{path}.provider"),
                format!(
                    "a second cap on provider '{}' (also policy.provider_cap[{first}])",
                    cap.provider
                ),
            )
            .hint("keep one cap per provider, basis and counts");
        }
        for (field, m) in [("start", cap.start), ("end", cap.end)] {
            if let Some(m) = m {
                check_month_in_horizon(settings, m, &format!("{path}.{field}"), r);
            }
        }
    }
    if let Some(power) = &policy.power {
        check_series(settings, &power.cap_mw, "policy.power.cap_mw", r);
    }
    let mut years: HashMap<i32, usize> = HashMap::new();
    let (first_year, last_year) = (settings.start.year(), settings.last_month().year());
    for (i, b) in policy.budget.iter().enumerate() {
        let path = format!("policy.budget[{i}].year");
        if b.year < first_year || b.year > last_year {
            r.error(
                &path,
                format!(
                    "{} is outside the horizon's years {first_year} to {last_year}",
                    b.year
                ),
            );
        }
        if let Some(first) = years.insert(b.year, i) {
            r.error(
                &path,
                format!(
                    "a second budget for {} (also policy.budget[{first}])",
                    b.year
                ),
            );
        }
    }
}

fn check_finance(s: &ScenarioFile, r: &mut Report<'_>) {
    let settings = &s.scenario;
    let Some(f) = &s.finance else { return };
    if let Some(series) = &f.revenue_usd_per_month {
        check_series(settings, series, "finance.revenue_usd_per_month", r);
    }
    if let Some(series) = &f.other_opex_usd_per_month {
        check_series(settings, series, "finance.other_opex_usd_per_month", r);
    }
    check_unique(
        f.funding.iter().map(|x| x.name.as_str()),
        "finance.funding",
        "funding event",
        r,
    );
    for (i, x) in f.funding.iter().enumerate() {
        check_month_in_horizon(settings, x.month, &format!("finance.funding[{i}].month"), r);
    }
    let (first_year, last_year) = (settings.start.year(), settings.last_month().year());
    for (i, x) in f.reference.iter().enumerate() {
        let path = format!("finance.reference[{i}]");
        if x.to_year < x.from_year {
            r.error(
                &format!("{path}.to_year"),
                format!("to_year {} is before from_year {}", x.to_year, x.from_year),
            );
        }
        if x.from_year < first_year || x.to_year > last_year {
            r.error(&format!("{path}.from_year"), format!(
                "years {} to {} are not all inside the horizon's years {first_year} to {last_year}",
                x.from_year, x.to_year
            ));
        }
    }
}

/// Targets each kind of uncertainty accepts.
fn accepted_targets(kind: UncertaintyKind) -> &'static [&'static str] {
    match kind {
        UncertaintyKind::Price => &["vendor", "chip", "provider", "offering"],
        UncertaintyKind::Demand => &["workload"],
        UncertaintyKind::DeliveryDelay => &["chip", "provider", "offering"],
        UncertaintyKind::Maturity => &["chip"],
        UncertaintyKind::Revenue => &[],
    }
}

fn check_uncertainty(s: &ScenarioFile, catalog: &Catalog, r: &mut Report<'_>) {
    check_unique(
        s.uncertainty.iter().map(|u| u.name.as_str()),
        "uncertainty",
        "uncertainty",
        r,
    );
    let workloads: Vec<&str> = s
        .training
        .iter()
        .map(|t| t.name.as_str())
        .chain(s.inference.iter().map(|d| d.name.as_str()))
        .collect();
    let mut maturity: HashMap<String, usize> = HashMap::new();
    for (i, u) in s.uncertainty.iter().enumerate() {
        let path = format!("uncertainty[{i}]");
        let accepted = accepted_targets(u.kind);
        let mut resolved = true;
        for (field, value) in u.targets() {
            let at = format!("{path}.{field}");
            if !accepted.contains(&field) {
                let takes = if accepted.is_empty() {
                    "takes no target".to_string()
                } else {
                    format!(
                        "takes only {}",
                        accepted
                            .iter()
                            .map(|a| format!("`{a}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                r.error(
                    &at,
                    format!("kind '{}' {takes}, not `{field}`", u.kind.as_str()),
                );
                resolved = false;
                continue;
            }
            let ok = match field {
                "vendor" => {
                    let vendors = catalog.vendors();
                    let known = vendors.contains(&value.trim().to_lowercase().as_str());
                    if !known {
                        r.error(&at, format!("unknown vendor '{value}'"))
                            .hint_opt(did_you_mean(value, vendors.iter().copied()))
                            .hint(format!("vendors: {}", vendors.join(", ")));
                    }
                    known
                }
                "chip" => check_chip(catalog, value, &at, r).is_some(),
                "provider" => check_provider(catalog, value, &at, r).is_some(),
                "offering" => check_offering(catalog, value, &at, r),
                _ => {
                    let known = workloads
                        .iter()
                        .any(|n| n.trim().eq_ignore_ascii_case(value.trim()));
                    if !known {
                        r.error(&at, format!("unknown workload '{value}'"))
                            .hint_opt(did_you_mean(value, workloads.iter().copied()))
                            .hint("name a [[training]] run or an [[inference]] demand of this scenario");
                    }
                    known
                }
            };
            resolved &= ok;
        }
        if u.kind == UncertaintyKind::Maturity {
            match &u.chip {
                None => {
                    r.error(&path, "kind 'maturity' needs `chip`")
                        .hint("e.g. chip = \"trainium3\"");
                }
                Some(chip) => {
                    if let Some(id) = catalog.accelerator(chip).map(|a| a.id.clone())
                        && let Some(first) = maturity.insert(id, i)
                    {
                        r.error(
                            &format!("{path}.chip"),
                            format!(
                                "a second maturity uncertainty for '{chip}' (also uncertainty[{first}])"
                            ),
                        )
                        .hint("keep one distribution per chip");
                    }
                }
            }
        }
        if resolved && u.kind == UncertaintyKind::DeliveryDelay {
            check_delay_matches(s, catalog, u, &path, r);
        }
        check_distribution(u, &path, r);
    }
}

/// Warns when a delivery delay matches no `[[availability]]` ramp.
fn check_delay_matches(
    s: &ScenarioFile,
    catalog: &Catalog,
    u: &Uncertainty,
    path: &str,
    r: &mut Report<'_>,
) {
    let id_of_chip = |c: &str| catalog.accelerator(c).map(|a| a.id.clone());
    let id_of_provider = |p: &str| catalog.provider(p).map(|a| a.id.clone());
    let any = s.availability.iter().any(|a| {
        let (provider, chip) = match (&a.offering, &a.provider, &a.chip) {
            (Some(o), _, _) => match catalog.offering(o) {
                Some(o) => (Some(o.provider.clone()), Some(o.chip.clone())),
                None => (None, None),
            },
            (None, p, c) => (
                p.as_deref().and_then(id_of_provider),
                c.as_deref().and_then(id_of_chip),
            ),
        };
        u.offering.as_deref().is_none_or(|o| {
            a.offering.as_deref().is_some_and(|x| {
                catalog.offering(x).map(|v| &v.id) == catalog.offering(o).map(|v| &v.id)
            })
        }) && u
            .provider
            .as_deref()
            .is_none_or(|p| provider.is_some() && provider == id_of_provider(p))
            && u.chip
                .as_deref()
                .is_none_or(|c| chip.is_some() && chip == id_of_chip(c))
    });
    if !any {
        r.warning(
            path,
            "no [[availability]] ramp matches this delivery delay; it has no effect",
        )
        .hint(
            "a delay shifts the [[availability]] entries with the same offering, provider or chip",
        );
    }
}

fn check_distribution(u: &Uncertainty, path: &str, r: &mut Report<'_>) {
    let family = u.distribution;
    let wanted = family.parameters();
    for p in DISTRIBUTION_PARAMETERS {
        if u.parameter(p).is_some() && !wanted.contains(&p) {
            r.error(
                &format!("{path}.{p}"),
                format!(
                    "`{p}` is not a parameter of a {} distribution",
                    family.as_str()
                ),
            )
            .hint(format!(
                "a {} distribution takes {}",
                family.as_str(),
                wanted.join(", ")
            ));
        }
    }
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|p| u.parameter(p).is_none())
        .collect();
    if !missing.is_empty() {
        r.error(
            &format!("{path}.distribution"),
            format!(
                "a {} distribution needs {}",
                family.as_str(),
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        )
        .hint(format!(
            "give {} in the same [[uncertainty]] entry",
            wanted.join(", ")
        ));
        return;
    }
    let value = |p: &str| u.parameter(p).unwrap_or(0.0);
    match family {
        DistributionKind::Normal | DistributionKind::Lognormal => {}
        DistributionKind::Uniform => {
            if value("max") <= value("min") {
                r.error(
                    &format!("{path}.max"),
                    format!("max {} is not above min {}", value("max"), value("min")),
                );
                return;
            }
        }
        DistributionKind::Triangular => {
            let (lo, mode, hi) = (value("min"), value("mode"), value("max"));
            if hi <= lo {
                r.error(
                    &format!("{path}.max"),
                    format!("max {hi} is not above min {lo}"),
                );
                return;
            }
            if !(lo..=hi).contains(&mode) {
                r.error(
                    &format!("{path}.mode"),
                    format!("mode {mode} is outside min {lo} to max {hi}"),
                );
                return;
            }
        }
    }
    if family == DistributionKind::Lognormal && value("median") <= 0.0 {
        r.error(
            &format!("{path}.median"),
            "a log-normal median must be above 0",
        );
    }
    // The values a kind can take.
    let (lo, hi, what) = match u.kind {
        UncertaintyKind::Price | UncertaintyKind::Demand | UncertaintyKind::Revenue => {
            (0.0, f64::INFINITY, "a multiplier must not be negative")
        }
        UncertaintyKind::Maturity => (0.05, 2.0, "a maturity factor is between 0.05 and 2"),
        UncertaintyKind::DeliveryDelay => return,
    };
    let bounds: Vec<&str> = match family {
        DistributionKind::Uniform | DistributionKind::Triangular => vec!["min", "max"],
        DistributionKind::Normal => vec!["mean"],
        DistributionKind::Lognormal => vec!["median"],
    };
    for b in bounds {
        let v = value(b);
        if v < lo || v > hi {
            r.error(&format!("{path}.{b}"), format!("{b} {v}: {what}"))
                .hint("samples outside the range are clamped to it; the distribution should lie inside it");
        }
    }
}
