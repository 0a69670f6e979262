//! Building a [`Catalog`] from files in order, with explicit precedence and every problem
//! reported.

use std::collections::HashMap;

use allot_diag::{Diagnostic, did_you_mean, normalize_name};
use allot_toml::SpanMap;

use crate::format::{Accelerator, CatalogFile, Offering, PriceModel, Provider, Source};
use crate::{Catalog, Origin};

/// Adds catalog files in order of precedence, then resolves references between entries.
#[derive(Default)]
pub struct CatalogBuilder {
    providers: Vec<(Provider, Origin)>,
    accelerators: Vec<(Accelerator, Origin)>,
    offerings: Vec<(Offering, Origin)>,
    /// Which file replaced an entry, by (kind, id): a second replacement is a conflict.
    replaced_by: HashMap<(&'static str, String), String>,
    spans: HashMap<String, SpanMap>,
    diagnostics: Vec<Diagnostic>,
}

/// An entry kind the builder merges.
trait Entry: Clone {
    const KIND: &'static str;
    fn id(&self) -> &str;
    fn replaces(&self) -> bool;
}

impl Entry for Provider {
    const KIND: &'static str = "provider";
    fn id(&self) -> &str {
        &self.id
    }
    fn replaces(&self) -> bool {
        self.replaces
    }
}

impl Entry for Accelerator {
    const KIND: &'static str = "accelerator";
    fn id(&self) -> &str {
        &self.id
    }
    fn replaces(&self) -> bool {
        self.replaces
    }
}

impl Entry for Offering {
    const KIND: &'static str = "offering";
    fn id(&self) -> &str {
        &self.id
    }
    fn replaces(&self) -> bool {
        self.replaces
    }
}

impl CatalogBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        CatalogBuilder::default()
    }

    /// A builder that starts with the built-in catalog.
    pub fn with_builtin() -> Self {
        let mut b = CatalogBuilder::new();
        b.add_file(crate::BUILTIN_NAME, crate::BUILTIN_TEXT);
        b
    }

    /// Adds one catalog file (`file` names it in messages). Entries with an id seen before are
    /// errors unless they say `replaces = true`.
    pub fn add_file(&mut self, file: &str, text: &str) {
        let loaded = allot_toml::load::<CatalogFile>(file, text);
        self.diagnostics.extend(loaded.diagnostics);
        self.spans.insert(file.to_string(), loaded.spans);
        let Some(parsed) = loaded.value else { return };
        for (i, p) in parsed.provider.into_iter().enumerate() {
            let origin = Origin {
                file: file.to_string(),
                path: format!("provider[{i}]"),
            };
            self.merge_provider(p, origin);
        }
        for (i, a) in parsed.accelerator.into_iter().enumerate() {
            let origin = Origin {
                file: file.to_string(),
                path: format!("accelerator[{i}]"),
            };
            self.merge_accelerator(a, origin);
        }
        for (i, o) in parsed.offering.into_iter().enumerate() {
            let origin = Origin {
                file: file.to_string(),
                path: format!("offering[{i}]"),
            };
            self.merge_offering(o, origin);
        }
    }

    fn merge_provider(&mut self, p: Provider, origin: Origin) {
        let mut entries = std::mem::take(&mut self.providers);
        self.merge(&mut entries, p, origin);
        self.providers = entries;
    }

    fn merge_accelerator(&mut self, a: Accelerator, origin: Origin) {
        let mut entries = std::mem::take(&mut self.accelerators);
        self.merge(&mut entries, a, origin);
        self.accelerators = entries;
    }

    fn merge_offering(&mut self, o: Offering, origin: Origin) {
        let mut entries = std::mem::take(&mut self.offerings);
        self.merge(&mut entries, o, origin);
        self.offerings = entries;
    }

    fn merge<T: Entry>(&mut self, entries: &mut Vec<(T, Origin)>, entry: T, origin: Origin) {
        let key = entry.id().trim().to_lowercase();
        let existing = entries
            .iter()
            .position(|(e, _)| e.id().trim().to_lowercase() == key);
        let id_path = format!("{}.id", origin.path);
        match (existing, entry.replaces()) {
            (None, false) => entries.push((entry, origin)),
            (None, true) => {
                let hint = did_you_mean(entry.id(), entries.iter().map(|(e, _)| e.id()));
                let d = self
                    .error_at(
                        &origin.file,
                        &format!("{}.replaces", origin.path),
                        format!(
                            "{}: replaces = true, but no earlier {} has id '{}'",
                            origin.path,
                            T::KIND,
                            entry.id()
                        ),
                    )
                    .with_hint_opt(hint)
                    .with_hint("remove `replaces` to add a new entry");
                self.diagnostics.push(d);
            }
            (Some(i), replaces) => {
                let first = entries[i].1.clone();
                if first.file == origin.file {
                    let line = self.line_of(&first);
                    let d = self.error_at(
                        &origin.file,
                        &id_path,
                        format!(
                            "{}: duplicate {} id '{}' (first defined at {})",
                            origin.path,
                            T::KIND,
                            entry.id(),
                            line
                        ),
                    );
                    self.diagnostics.push(d);
                } else if !replaces {
                    let d = self
                        .error_at(
                            &origin.file,
                            &id_path,
                            format!(
                                "{}: {} '{}' is already defined in {}",
                                origin.path,
                                T::KIND,
                                entry.id(),
                                first.file
                            ),
                        )
                        .with_hint(
                            "add `replaces = true` to replace it on purpose, or choose another id",
                        );
                    self.diagnostics.push(d);
                } else if let Some(other) = self.replaced_by.get(&(T::KIND, key.clone())) {
                    let d = self
                        .error_at(
                            &origin.file,
                            &id_path,
                            format!(
                                "{}: {} '{}' is replaced by both {} and {}",
                                origin.path,
                                T::KIND,
                                entry.id(),
                                other,
                                origin.file
                            ),
                        )
                        .with_hint(
                            "keep one replacement: two files may not replace the same entry",
                        );
                    self.diagnostics.push(d);
                } else {
                    self.replaced_by.insert((T::KIND, key), origin.file.clone());
                    entries[i] = (entry, origin);
                }
            }
        }
    }

    fn line_of(&self, origin: &Origin) -> String {
        // The span is only known as a byte offset; report the path, which is stable and exact.
        format!("{} {}", origin.file, origin.path)
    }

    fn error_at(&self, file: &str, path: &str, message: String) -> Diagnostic {
        let span = self.spans.get(file).and_then(|s| s.key(path));
        Diagnostic::error(file, span, message)
    }

    fn value_error(
        &self,
        origin: &Origin,
        field: &str,
        message: impl std::fmt::Display,
    ) -> Diagnostic {
        let path = format!("{}.{field}", origin.path);
        let span = self.spans.get(&origin.file).and_then(|s| s.value(&path));
        Diagnostic::error(&origin.file, span, format!("{path}: {message}"))
    }

    /// Resolves references and cross-checks entries; returns the catalog and every problem found
    /// while adding files and here.
    pub fn finish(mut self) -> (Catalog, Vec<Diagnostic>) {
        let mut cat = Catalog::default();
        let providers = std::mem::take(&mut self.providers);
        let accelerators = std::mem::take(&mut self.accelerators);
        let offerings = std::mem::take(&mut self.offerings);

        // Names of providers and accelerators: ids and aliases must not collide.
        for (p, origin) in providers {
            let names = std::iter::once(("id".to_string(), p.id.clone())).chain(
                p.aliases
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (format!("aliases[{i}]"), a.clone())),
            );
            self.index_names(
                &mut cat.provider_index,
                cat.providers.len(),
                names,
                &origin,
                "provider",
            );
            cat.providers.push(p);
            cat.provider_origins.push(origin);
        }
        for (a, origin) in accelerators {
            let names = std::iter::once(("id".to_string(), a.id.clone())).chain(
                a.aliases
                    .iter()
                    .enumerate()
                    .map(|(i, x)| (format!("aliases[{i}]"), x.clone())),
            );
            self.index_names(
                &mut cat.accelerator_index,
                cat.accelerators.len(),
                names,
                &origin,
                "accelerator",
            );
            self.check_sources(&origin, &a.sources, &a.numeric_fields(), &a.unconfirmed);
            cat.accelerators.push(a);
            cat.accelerator_origins.push(origin);
        }
        for (mut o, origin) in offerings {
            if let Some(problem) = self.resolve_offering(&cat, &mut o, &origin) {
                self.diagnostics.push(problem);
            }
            self.check_pricing(&o, &origin);
            self.check_sources(&origin, &o.sources, &o.numeric_fields(), &o.unconfirmed);
            cat.offering_index
                .insert(o.id.trim().to_lowercase(), cat.offerings.len());
            cat.offerings.push(o);
            cat.offering_origins.push(origin);
        }
        allot_diag::sort(&mut self.diagnostics);
        (cat, self.diagnostics)
    }

    fn index_names(
        &mut self,
        index: &mut HashMap<String, usize>,
        position: usize,
        names: impl Iterator<Item = (String, String)>,
        origin: &Origin,
        kind: &str,
    ) {
        for (field, name) in names {
            let key = normalize_name(&name);
            match index.get(&key) {
                Some(&other) if other != position => {
                    let d = self
                        .value_error(
                            origin,
                            &field,
                            format!("{kind} name '{name}' is already used by another {kind}"),
                        )
                        .with_hint(format!(
                            "each id and alias must name one {kind}; remove or change this one"
                        ));
                    self.diagnostics.push(d);
                }
                _ => {
                    index.insert(key, position);
                }
            }
        }
    }

    fn resolve_offering(
        &self,
        cat: &Catalog,
        o: &mut Offering,
        origin: &Origin,
    ) -> Option<Diagnostic> {
        let mut first_problem = None;
        match cat.provider(&o.provider) {
            Some(p) => o.provider = p.id.clone(),
            None => {
                let d = self
                    .value_error(
                        origin,
                        "provider",
                        format!("unknown provider '{}'", o.provider),
                    )
                    .with_hint_opt(did_you_mean(&o.provider, cat.provider_names()))
                    .with_hint("declare new providers in a [[provider]] table");
                first_problem = Some(d);
            }
        }
        match cat.accelerator(&o.chip) {
            Some(a) => o.chip = a.id.clone(),
            None => {
                let d = self
                    .value_error(origin, "chip", format!("unknown accelerator '{}'", o.chip))
                    .with_hint_opt(did_you_mean(&o.chip, cat.accelerator_names()));
                match first_problem {
                    None => first_problem = Some(d),
                    Some(_) => {
                        // Both are wrong: report the chip too, after the provider.
                        return first_problem.map(|p| {
                            let mut p = p;
                            p.hints.push(format!("also: {}", d.message));
                            p
                        });
                    }
                }
            }
        }
        first_problem
    }

    fn check_pricing(&mut self, o: &Offering, origin: &Origin) {
        let owned_fields = [
            ("capex_usd_per_chip", o.capex_usd_per_chip.is_some()),
            ("depreciation_months", o.depreciation_months.is_some()),
            ("opex_usd_per_chip_hour", o.opex_usd_per_chip_hour.is_some()),
        ];
        if o.price_model == PriceModel::Owned {
            for (field, present) in owned_fields {
                if !present {
                    let d = self.value_error(
                        origin,
                        "price_model",
                        format!("an owned offering needs {field}"),
                    );
                    self.diagnostics.push(d);
                }
            }
            if o.usd_per_instance_hour.is_some() {
                let d = self
                    .value_error(
                        origin,
                        "usd_per_instance_hour",
                        "an owned offering is priced by capex and opex, not by the hour"
                            .to_string(),
                    )
                    .with_hint("remove usd_per_instance_hour, or use price_model = \"negotiated\"");
                self.diagnostics.push(d);
            }
        } else {
            for (field, present) in owned_fields {
                if present {
                    let d = self
                        .value_error(
                            origin,
                            field,
                            format!("{field} applies only to price_model = \"owned\""),
                        )
                        .with_hint(format!(
                            "this offering's price model is '{}'",
                            o.price_model
                        ));
                    self.diagnostics.push(d);
                }
            }
        }
        if matches!(o.price_model, PriceModel::OnDemand | PriceModel::Spot)
            && o.term_months.is_some()
        {
            let d = self.value_error(
                origin,
                "term_months",
                format!("term_months does not apply to {} offerings", o.price_model),
            );
            self.diagnostics.push(d);
        }
    }

    fn check_sources(
        &mut self,
        origin: &Origin,
        sources: &[Source],
        numeric: &[(&'static str, bool)],
        unconfirmed: &[String],
    ) {
        let names: Vec<&str> = numeric.iter().map(|(n, _)| *n).collect();
        let mut covers_all = false;
        let mut covered: Vec<&str> = Vec::new();
        for (i, s) in sources.iter().enumerate() {
            match &s.fields {
                None => covers_all = true,
                Some(fields) => {
                    for (j, f) in fields.iter().enumerate() {
                        if names.contains(&f.as_str()) {
                            covered.push(f);
                        } else {
                            let d = self
                                .value_error(
                                    origin,
                                    &format!("sources[{i}].fields[{j}]"),
                                    format!("'{f}' is not a numeric field"),
                                )
                                .with_hint_opt(did_you_mean(f, names.iter().copied()));
                            self.diagnostics.push(d);
                        }
                    }
                }
            }
        }
        if !covers_all {
            for (field, present) in numeric {
                if *present && !covered.contains(field) {
                    let d = self
                        .value_error(origin, field, format!("{field} has no source"))
                        .with_hint(
                            "list it in a source's `fields`, or add a source without `fields`",
                        );
                    self.diagnostics.push(d);
                }
            }
        }
        for (i, f) in unconfirmed.iter().enumerate() {
            let present = numeric
                .iter()
                .find(|(n, _)| *n == f.as_str())
                .map(|(_, p)| *p);
            let problem = match present {
                Some(true) => continue,
                Some(false) => format!("'{f}' is marked unconfirmed but has no value"),
                None => format!("'{f}' is not a numeric field"),
            };
            let d = self
                .value_error(origin, &format!("unconfirmed[{i}]"), problem)
                .with_hint_opt(did_you_mean(f, names.iter().copied()));
            self.diagnostics.push(d);
        }
    }
}
