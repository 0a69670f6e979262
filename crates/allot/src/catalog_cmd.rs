//! `allot catalog accelerators|offerings|providers`: list the catalog, filtered.

use allot_catalog::{Accelerator, Catalog, CatalogBuilder, Offering, PriceModel};
use allot_diag::{did_you_mean, has_errors};
use allot_present::catalog_json::{AcceleratorJson, OfferingJson, ProviderJson};
use allot_present::number::num;
use allot_present::table::{Align, Table};

use crate::cli::{CatalogArgs, CatalogCommand};
use crate::exit::Exit;
use crate::files::{load_scenario, print_diagnostics, read_text};

pub fn run(command: &CatalogCommand) -> anyhow::Result<Exit> {
    let args = match command {
        CatalogCommand::Accelerators(a)
        | CatalogCommand::Offerings(a)
        | CatalogCommand::Providers(a) => a,
        CatalogCommand::ImportSkypilot(_) => unreachable!("`main` runs import-skypilot"),
    };
    let Some(catalog) = load_catalog(args) else {
        return Ok(Exit::Invalid);
    };
    let filter = match Filter::new(args, &catalog) {
        Ok(f) => f,
        Err(message) => {
            eprintln!("{message}");
            return Ok(Exit::Invalid);
        }
    };
    let out = match command {
        CatalogCommand::Accelerators(_) => accelerators(&catalog, &filter, args.json)?,
        CatalogCommand::Offerings(_) => offerings(&catalog, &filter, args.json)?,
        CatalogCommand::Providers(_) => providers(&catalog, &filter, args.json)?,
        CatalogCommand::ImportSkypilot(_) => unreachable!("`main` runs import-skypilot"),
    };
    out!("{out}");
    Ok(Exit::Success)
}

/// The built-in catalog plus `--file`s, or a scenario's catalog; `None` after printing errors.
fn load_catalog(args: &CatalogArgs) -> Option<Catalog> {
    if let Some(path) = &args.scenario {
        return load_scenario(path).map(|s| s.catalog);
    }
    let mut builder = CatalogBuilder::with_builtin();
    let mut files = Vec::new();
    for path in &args.files {
        let name = path.display().to_string();
        match read_text(path) {
            Ok(text) => {
                builder.add_file(&name, &text);
                files.push((name, text));
            }
            Err(e) => {
                eprintln!("{name}: error: cannot read file: {e}");
                return None;
            }
        }
    }
    let (catalog, diagnostics) = builder.finish();
    print_diagnostics(&diagnostics, &files);
    (!has_errors(&diagnostics)).then_some(catalog)
}

/// Resolved filters: canonical ids.
struct Filter {
    vendor: Option<String>,
    provider: Option<String>,
    chip: Option<String>,
    price_model: Option<PriceModel>,
    current: bool,
}

impl Filter {
    fn new(args: &CatalogArgs, catalog: &Catalog) -> Result<Filter, String> {
        let vendor = match &args.vendor {
            None => None,
            Some(v) => {
                let vendors = catalog.vendors();
                let v = v.trim().to_lowercase();
                if !vendors.contains(&v.as_str()) {
                    return Err(unknown(
                        "vendor",
                        &v,
                        did_you_mean(&v, vendors.iter().copied()),
                        &vendors.join(", "),
                    ));
                }
                Some(v)
            }
        };
        let provider = match &args.provider {
            None => None,
            Some(p) => Some(catalog.provider(p).map(|p| p.id.clone()).ok_or_else(|| {
                let ids: Vec<&str> = catalog.providers().iter().map(|p| p.id.as_str()).collect();
                unknown(
                    "provider",
                    p,
                    did_you_mean(p, catalog.provider_names()),
                    &ids.join(", "),
                )
            })?),
        };
        let chip = match &args.chip {
            None => None,
            Some(c) => Some(
                catalog
                    .accelerator(c)
                    .map(|a| a.id.clone())
                    .ok_or_else(|| {
                        let ids: Vec<&str> = catalog
                            .accelerators()
                            .iter()
                            .map(|a| a.id.as_str())
                            .collect();
                        unknown(
                            "accelerator",
                            c,
                            did_you_mean(c, catalog.accelerator_names()),
                            &ids.join(", "),
                        )
                    })?,
            ),
        };
        let price_model = match &args.price_model {
            None => None,
            Some(m) => Some(PriceModel::parse(m).ok_or_else(|| {
                let names: Vec<&str> = PriceModel::ALL.iter().map(|m| m.as_str()).collect();
                unknown(
                    "price model",
                    m,
                    did_you_mean(m, names.iter().copied()),
                    &names.join(", "),
                )
            })?),
        };
        Ok(Filter {
            vendor,
            provider,
            chip,
            price_model,
            current: args.current,
        })
    }

    fn accelerator(&self, a: &Accelerator, catalog: &Catalog) -> bool {
        self.vendor.as_ref().is_none_or(|v| *v == a.vendor)
            && self.chip.as_ref().is_none_or(|c| *c == a.id)
            && (self.provider.is_none() && self.price_model.is_none()
                || catalog
                    .offerings()
                    .iter()
                    .any(|o| o.chip == a.id && self.offering(o, catalog)))
    }

    fn offering(&self, o: &Offering, catalog: &Catalog) -> bool {
        self.vendor
            .as_ref()
            .is_none_or(|v| catalog.vendor_of(o) == Some(v.as_str()))
            && self.provider.as_ref().is_none_or(|p| *p == o.provider)
            && self.chip.as_ref().is_none_or(|c| *c == o.chip)
            && self.price_model.is_none_or(|m| m == o.price_model)
            && (!self.current || o.is_current())
    }
}

fn unknown(what: &str, value: &str, hint: Option<String>, known: &str) -> String {
    let mut s = format!("error: unknown {what} '{value}'");
    if let Some(h) = hint {
        s.push_str(&format!("\n  hint: {h}"));
    }
    s.push_str(&format!("\n  hint: known: {known}"));
    s
}

fn mark(value: Option<f64>, decimals: usize, unconfirmed: bool) -> String {
    let s = num(value, decimals);
    if unconfirmed && value.is_some() {
        format!("{s}*")
    } else {
        s
    }
}

fn accelerators(catalog: &Catalog, filter: &Filter, json: bool) -> anyhow::Result<String> {
    let list: Vec<&Accelerator> = catalog
        .accelerators()
        .iter()
        .filter(|a| filter.accelerator(a, catalog))
        .collect();
    if json {
        let items: Vec<AcceleratorJson> = list.into_iter().map(AcceleratorJson::from).collect();
        return Ok(serde_json::to_string_pretty(&items)? + "\n");
    }
    let mut t = Table::new(&[
        ("ID", Align::Left),
        ("VENDOR", Align::Left),
        ("NAME", Align::Left),
        ("YEAR", Align::Right),
        ("BF16 TFLOP/S", Align::Right),
        ("FP8 TFLOP/S", Align::Right),
        ("HBM GB", Align::Right),
        ("HBM TB/S", Align::Right),
        ("SCALE-UP GB/S", Align::Right),
        ("TDP W", Align::Right),
    ]);
    for a in &list {
        let u = |f: &str| a.is_unconfirmed(f);
        t.row(vec![
            a.id.clone(),
            a.vendor.clone(),
            a.name.clone(),
            a.year.map_or("-".to_string(), |y| y.to_string()),
            mark(Some(a.bf16_tflops), 1, u("bf16_tflops")),
            mark(a.fp8_tflops, 1, u("fp8_tflops")),
            mark(Some(a.hbm_gb), 1, u("hbm_gb")),
            mark(Some(a.hbm_tb_s), 3, u("hbm_tb_s")),
            mark(a.scaleup_gb_s, 0, u("scaleup_gb_s")),
            mark(a.tdp_w, 0, u("tdp_w")),
        ]);
    }
    Ok(format!(
        "{}{} accelerators; * = unconfirmed in its source, - = not published or not supported\nsources: allot catalog accelerators --json\n",
        t.render(),
        list.len()
    ))
}

fn offerings(catalog: &Catalog, filter: &Filter, json: bool) -> anyhow::Result<String> {
    let list: Vec<&Offering> = catalog
        .offerings()
        .iter()
        .filter(|o| filter.offering(o, catalog))
        .collect();
    if json {
        let items: Vec<OfferingJson> = list
            .into_iter()
            .map(|o| OfferingJson::new(o, catalog))
            .collect();
        return Ok(serde_json::to_string_pretty(&items)? + "\n");
    }
    let mut t = Table::new(&[
        ("ID", Align::Left),
        ("CHIP", Align::Left),
        ("CHIPS", Align::Right),
        ("PRICE MODEL", Align::Left),
        ("USD/INSTANCE-H", Align::Right),
        ("USD/CHIP-H", Align::Right),
        ("SEEN", Align::Left),
        ("FLAGS", Align::Left),
    ]);
    for o in &list {
        let mut flags = Vec::new();
        if o.historical {
            flags.push("historical");
        }
        if !o.is_priced() {
            flags.push("unpriced");
        }
        if !o.unconfirmed.is_empty() {
            flags.push("unconfirmed");
        }
        let price_unconfirmed = o.is_unconfirmed("usd_per_instance_hour");
        t.row(vec![
            o.id.clone(),
            o.chip.clone(),
            o.chips_per_instance.to_string(),
            o.price_model.to_string(),
            mark(o.usd_per_instance_hour, 3, price_unconfirmed),
            mark(o.usd_per_chip_hour(), 3, price_unconfirmed),
            o.sources
                .first()
                .map(|s| s.date.clone())
                .unwrap_or_default(),
            flags.join(","),
        ]);
    }
    Ok(format!(
        "{}{} offerings; * = price unconfirmed in its source; historical and unpriced offerings are never planned\nsources and notes: allot catalog offerings --json\n",
        t.render(),
        list.len()
    ))
}

fn providers(catalog: &Catalog, filter: &Filter, json: bool) -> anyhow::Result<String> {
    let list: Vec<ProviderJson> = catalog
        .providers()
        .iter()
        .filter(|p| filter.provider.as_ref().is_none_or(|id| *id == p.id))
        .map(|p| {
            let mut j = ProviderJson::new(p, catalog);
            let kept: Vec<&Offering> = catalog
                .offerings()
                .iter()
                .filter(|o| o.provider == p.id && filter.offering(o, catalog))
                .collect();
            j.offerings = kept.len();
            j.chips.retain(|c| kept.iter().any(|o| o.chip == *c));
            j
        })
        .filter(|j| {
            j.offerings > 0
                || (filter.vendor.is_none()
                    && filter.chip.is_none()
                    && filter.price_model.is_none())
        })
        .collect();
    if json {
        return Ok(serde_json::to_string_pretty(&list)? + "\n");
    }
    let mut t = Table::new(&[
        ("ID", Align::Left),
        ("NAME", Align::Left),
        ("OFFERINGS", Align::Right),
        ("CHIPS", Align::Left),
        ("ALIASES", Align::Left),
    ]);
    for p in &list {
        t.row(vec![
            p.id.clone(),
            p.name.clone(),
            p.offerings.to_string(),
            p.chips.join(" "),
            p.aliases.join(", "),
        ]);
    }
    Ok(format!("{}{} providers\n", t.render(), list.len()))
}
