//! The catalog: accelerators (chips and their specifications) and offerings (a provider selling
//! an instance of chips in a region under a price model), every number with its source.
//!
//! A [`Catalog`] is built by a [`CatalogBuilder`] from catalog files, in order: usually the
//! built-in catalog ([`BUILTIN_TEXT`], compiled into the binary from `data/catalog/builtin.toml`)
//! and then the user's files. The builder applies the precedence rules of `docs/catalog.md`
//! (a repeated id is an error unless the later entry says `replaces = true`) and reports every
//! problem as a [`Diagnostic`]. This crate does no IO: callers pass file names and contents.

mod build;
mod format;

pub use build::CatalogBuilder;
pub use format::{
    Accelerator, CatalogFile, HOURS_PER_MONTH, Offering, PriceModel, Provider, Source,
};

use std::collections::HashMap;

use allot_diag::normalize_name;

/// The name under which the built-in catalog appears in messages.
pub const BUILTIN_NAME: &str = "<built-in catalog>";

/// The built-in catalog file.
pub const BUILTIN_TEXT: &str = include_str!("../../../data/catalog/builtin.toml");

/// Where an entry was defined: a file and the path of the entry inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// File name as given to the builder.
    pub file: String,
    /// Path inside the file, e.g. `offering[3]`.
    pub path: String,
}

impl Origin {
    /// Whether the entry comes from the built-in catalog.
    pub fn is_builtin(&self) -> bool {
        self.file == BUILTIN_NAME
    }
}

/// A resolved catalog: every offering's `provider` and `chip` are canonical ids.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    providers: Vec<Provider>,
    accelerators: Vec<Accelerator>,
    offerings: Vec<Offering>,
    provider_origins: Vec<Origin>,
    accelerator_origins: Vec<Origin>,
    offering_origins: Vec<Origin>,
    provider_index: HashMap<String, usize>,
    accelerator_index: HashMap<String, usize>,
    offering_index: HashMap<String, usize>,
}

impl Catalog {
    /// The built-in catalog alone.
    ///
    /// The built-in data is checked by this crate's tests, so problems here are a build defect;
    /// they are returned rather than hidden.
    pub fn builtin() -> (Catalog, Vec<allot_diag::Diagnostic>) {
        let mut builder = CatalogBuilder::new();
        builder.add_file(BUILTIN_NAME, BUILTIN_TEXT);
        builder.finish()
    }

    /// Every provider, in definition order.
    pub fn providers(&self) -> &[Provider] {
        &self.providers
    }

    /// Every accelerator, in definition order.
    pub fn accelerators(&self) -> &[Accelerator] {
        &self.accelerators
    }

    /// Every offering, in definition order.
    pub fn offerings(&self) -> &[Offering] {
        &self.offerings
    }

    /// The accelerator with this id or alias (case-insensitive, ignoring separators).
    pub fn accelerator(&self, name: &str) -> Option<&Accelerator> {
        self.accelerator_index
            .get(&normalize_name(name))
            .map(|&i| &self.accelerators[i])
    }

    /// The provider with this id or alias.
    pub fn provider(&self, name: &str) -> Option<&Provider> {
        self.provider_index
            .get(&normalize_name(name))
            .map(|&i| &self.providers[i])
    }

    /// The offering with this id (case-insensitive).
    pub fn offering(&self, id: &str) -> Option<&Offering> {
        self.offering_index
            .get(&id.trim().to_lowercase())
            .map(|&i| &self.offerings[i])
    }

    /// Mutable access to an offering, e.g. to apply a price override.
    pub fn offering_mut(&mut self, id: &str) -> Option<&mut Offering> {
        let i = *self.offering_index.get(&id.trim().to_lowercase())?;
        Some(&mut self.offerings[i])
    }

    /// Where the offering with this id was defined.
    pub fn offering_origin(&self, id: &str) -> Option<&Origin> {
        self.offering_index
            .get(&id.trim().to_lowercase())
            .map(|&i| &self.offering_origins[i])
    }

    /// Where the accelerator with this id was defined.
    pub fn accelerator_origin(&self, id: &str) -> Option<&Origin> {
        self.accelerator_index
            .get(&normalize_name(id))
            .map(|&i| &self.accelerator_origins[i])
    }

    /// Where the provider with this id was defined.
    pub fn provider_origin(&self, id: &str) -> Option<&Origin> {
        self.provider_index
            .get(&normalize_name(id))
            .map(|&i| &self.provider_origins[i])
    }

    /// Accelerator ids and aliases, for suggestions.
    pub fn accelerator_names(&self) -> impl Iterator<Item = &str> {
        self.accelerators.iter().flat_map(|a| {
            std::iter::once(a.id.as_str()).chain(a.aliases.iter().map(String::as_str))
        })
    }

    /// Provider ids and aliases, for suggestions.
    pub fn provider_names(&self) -> impl Iterator<Item = &str> {
        self.providers.iter().flat_map(|p| {
            std::iter::once(p.id.as_str()).chain(p.aliases.iter().map(String::as_str))
        })
    }

    /// Offering ids, for suggestions.
    pub fn offering_ids(&self) -> impl Iterator<Item = &str> {
        self.offerings.iter().map(|o| o.id.as_str())
    }

    /// Vendor ids, sorted and without duplicates.
    pub fn vendors(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .accelerators
            .iter()
            .map(|a| a.vendor.as_str())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The vendor of an offering's chip.
    pub fn vendor_of(&self, offering: &Offering) -> Option<&str> {
        self.accelerator(&offering.chip).map(|a| a.vendor.as_str())
    }
}
