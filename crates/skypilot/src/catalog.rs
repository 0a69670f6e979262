//! SkyPilot's catalog, schema v8: the rows of `<cloud>/vms.csv` (and the names of
//! `common/accelerators.csv`), parsed from text, and the launchable [`Offer`]s they price.
//!
//! Pricing follows `sky/catalog/common.py` (v0.14.1): a row's `Price` is the on-demand price of
//! one instance per hour and `SpotPrice` its spot price in that zone; an empty price means the
//! instance cannot be bought that way there (on AWS, an empty `Price` marks capacity sold only
//! by reservation or capacity block). On GCP a GPU's price is its accelerator row plus the host
//! VM row in the same zone (see `gcp.rs`).

use std::collections::{BTreeMap, BTreeSet};

use allot_diag::Diagnostic;

use crate::error::Error;
use crate::gcp::{self, HostRule};

/// One `<cloud>/vms.csv` file.
#[derive(Debug, Clone, Copy)]
pub struct CatalogText<'a> {
    /// Cloud id: the folder name (`aws`, `gcp`, `nebius`, ...).
    pub cloud: &'a str,
    /// File name used in messages.
    pub file: &'a str,
    /// The CSV text.
    pub text: &'a str,
}

/// One row of a `vms.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct VmRow {
    /// Cloud id.
    pub cloud: String,
    /// Instance type; `None` on GCP accelerator rows.
    pub instance: Option<String>,
    /// Accelerator name as SkyPilot writes it (`H100`, `tpu-v6e-8`).
    pub accelerator: Option<String>,
    /// Accelerators per instance (0 when none).
    pub count: f64,
    /// vCPUs.
    pub vcpus: Option<f64>,
    /// Host memory, GiB.
    pub memory_gib: Option<f64>,
    /// On-demand USD per instance-hour.
    pub price: Option<f64>,
    /// Spot USD per instance-hour.
    pub spot: Option<f64>,
    /// Region.
    pub region: String,
    /// Availability zone (AWS writes zone ids such as `use1-az1`), if the cloud has zones.
    pub zone: Option<String>,
    /// Index of the file in [`SkyCatalog::files`].
    pub file: usize,
    /// Line in that file (1-based).
    pub line: usize,
}

/// Something that can be launched: an instance (with its accelerators) in a region or zone, with
/// its whole hourly prices.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    /// Cloud id.
    pub cloud: String,
    /// Instance type (GCP: the host VM type; `TPU-VM` for TPUs).
    pub instance: String,
    /// Accelerator name, if any.
    pub accelerator: Option<String>,
    /// Accelerators per instance.
    pub count: f64,
    /// vCPUs, when known.
    pub vcpus: Option<f64>,
    /// Host memory, GiB, when known.
    pub memory_gib: Option<f64>,
    /// Region.
    pub region: String,
    /// Zone, if any.
    pub zone: Option<String>,
    /// On-demand USD per instance-hour (GCP GPUs: host plus accelerator).
    pub on_demand: Option<f64>,
    /// Spot USD per instance-hour in this zone.
    pub spot: Option<f64>,
    /// GCP GPUs: the host VM's (on-demand, spot) part of the prices.
    pub host_part: Option<(Option<f64>, Option<f64>)>,
    /// The row the offer comes from (the accelerator row on GCP).
    pub row: usize,
}

impl Offer {
    /// The price per instance-hour: spot or on-demand.
    pub fn price(&self, spot: bool) -> Option<f64> {
        if spot { self.spot } else { self.on_demand }
    }

    /// `H100:8`, or `-` without accelerators.
    pub fn accelerators_label(&self) -> String {
        match &self.accelerator {
            Some(a) => format!("{a}:{}", count_label(self.count)),
            None => "-".to_string(),
        }
    }
}

/// A count as SkyPilot prints it: integers without a decimal point.
pub fn count_label(count: f64) -> String {
    if count.fract() == 0.0 {
        format!("{}", count as i64)
    } else {
        format!("{count}")
    }
}

/// A parsed catalog: every row, and the launchable offers derived from them.
#[derive(Debug, Clone, Default)]
pub struct SkyCatalog {
    /// File names, in the order given.
    pub files: Vec<String>,
    /// Every row of every `vms.csv`.
    pub rows: Vec<VmRow>,
    /// Launchable offers.
    pub offers: Vec<Offer>,
    /// GCP accelerator rows with no host VM in their zone (not launchable), by row index.
    pub hostless: Vec<usize>,
    /// Accelerator names: those of `common/accelerators.csv` and of the rows.
    pub accelerator_names: BTreeSet<String>,
}

const REQUIRED: [&str; 6] = [
    "InstanceType",
    "AcceleratorName",
    "AcceleratorCount",
    "Price",
    "SpotPrice",
    "Region",
];
const OPTIONAL: [&str; 3] = ["AvailabilityZone", "vCPUs", "MemoryGiB"];

impl SkyCatalog {
    /// Parses `vms.csv` texts and, optionally, `common/accelerators.csv` (file name, text).
    /// Warnings (e.g. rows that cannot be launched) come back with the catalog; any error makes
    /// the whole parse fail with every problem found.
    pub fn parse(
        vms: &[CatalogText<'_>],
        accelerators: Option<(&str, &str)>,
    ) -> Result<(SkyCatalog, Vec<Diagnostic>), Error> {
        let mut cat = SkyCatalog::default();
        let mut diagnostics = Vec::new();
        for (i, f) in vms.iter().enumerate() {
            cat.files.push(f.file.to_string());
            parse_vms(&mut cat, i, f, &mut diagnostics);
        }
        if let Some((file, text)) = accelerators {
            parse_accelerators(&mut cat, file, text, &mut diagnostics);
        }
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(Error::Invalid(diagnostics));
        }
        for r in &cat.rows {
            if let Some(a) = &r.accelerator {
                cat.accelerator_names.insert(a.clone());
            }
        }
        cat.derive_offers();
        Ok((cat, diagnostics))
    }

    /// Cloud ids that have rows, sorted.
    pub fn clouds(&self) -> Vec<&str> {
        let set: BTreeSet<&str> = self.rows.iter().map(|r| r.cloud.as_str()).collect();
        set.into_iter().collect()
    }

    /// Regions of a cloud, sorted.
    pub fn regions(&self, cloud: &str) -> Vec<&str> {
        let set: BTreeSet<&str> = self
            .rows
            .iter()
            .filter(|r| r.cloud == cloud)
            .map(|r| r.region.as_str())
            .collect();
        set.into_iter().collect()
    }

    /// Zones of a cloud (in a region, when given), sorted.
    pub fn zones(&self, cloud: &str, region: Option<&str>) -> Vec<&str> {
        let set: BTreeSet<&str> = self
            .rows
            .iter()
            .filter(|r| r.cloud == cloud && region.is_none_or(|g| r.region.eq_ignore_ascii_case(g)))
            .filter_map(|r| r.zone.as_deref())
            .collect();
        set.into_iter().collect()
    }

    /// Where a row comes from, relative to the catalog folder: `aws/vms.csv line 12`.
    pub fn row_origin(&self, row: usize) -> String {
        let r = &self.rows[row];
        format!("{}/vms.csv line {}", r.cloud, r.line)
    }

    fn derive_offers(&mut self) {
        let mut offers = Vec::new();
        let mut hostless = Vec::new();
        // N1 host choice per accelerator count rule: the cheapest n1 type overall (by on-demand
        // price, as `get_instance_type_for_cpus_mem_impl` sorts), computed once per min_cpus.
        let mut n1_cache: BTreeMap<u32, Option<String>> = BTreeMap::new();
        for (i, r) in self.rows.iter().enumerate() {
            let is_gcp = r.cloud == "gcp";
            match (&r.instance, &r.accelerator) {
                (Some(instance), _) if is_gcp && gcp::is_gpu_host(instance) => {
                    // A GPU host's row is only part of a price; its accelerator row makes the offer.
                }
                (Some(instance), accelerator) => offers.push(Offer {
                    cloud: r.cloud.clone(),
                    instance: instance.clone(),
                    accelerator: accelerator.clone(),
                    count: r.count,
                    vcpus: r.vcpus,
                    memory_gib: r.memory_gib,
                    region: r.region.clone(),
                    zone: r.zone.clone(),
                    on_demand: r.price,
                    spot: r.spot,
                    host_part: None,
                    row: i,
                }),
                (None, Some(accelerator)) => {
                    let hosts: Vec<String> = match gcp::host_rule(accelerator, r.count) {
                        HostRule::TpuVm => {
                            offers.push(Offer {
                                cloud: r.cloud.clone(),
                                instance: "TPU-VM".to_string(),
                                accelerator: Some(accelerator.clone()),
                                count: r.count,
                                vcpus: None,
                                memory_gib: None,
                                region: r.region.clone(),
                                zone: r.zone.clone(),
                                on_demand: r.price,
                                spot: r.spot,
                                host_part: None,
                                row: i,
                            });
                            continue;
                        }
                        HostRule::Fixed(list) => list.iter().map(|s| s.to_string()).collect(),
                        HostRule::N1 { min_cpus } => n1_cache
                            .entry(min_cpus)
                            .or_insert_with(|| cheapest_n1(&self.rows, min_cpus))
                            .iter()
                            .cloned()
                            .collect(),
                        HostRule::None => Vec::new(),
                    };
                    // The cheapest listed host type present in the same zone.
                    let host = self
                        .rows
                        .iter()
                        .filter(|h| {
                            h.cloud == r.cloud
                                && h.region == r.region
                                && h.zone == r.zone
                                && h.instance.as_ref().is_some_and(|t| hosts.contains(t))
                                && h.price.is_some()
                        })
                        .min_by(|a, b| a.price.partial_cmp(&b.price).expect("finite prices"));
                    let Some(host) = host else {
                        hostless.push(i);
                        continue;
                    };
                    // Catalog prices have at most 6 decimals: keep the sum free of binary noise.
                    let add =
                        |a: Option<f64>, b: Option<f64>| Some(((a? + b?) * 1e6).round() / 1e6);
                    offers.push(Offer {
                        cloud: r.cloud.clone(),
                        instance: host.instance.clone().unwrap_or_default(),
                        accelerator: Some(accelerator.clone()),
                        count: r.count,
                        vcpus: host.vcpus,
                        memory_gib: host.memory_gib,
                        region: r.region.clone(),
                        zone: r.zone.clone(),
                        on_demand: add(host.price, r.price),
                        spot: add(host.spot, r.spot),
                        host_part: Some((host.price, host.spot)),
                        row: i,
                    });
                }
                (None, None) => {}
            }
        }
        self.offers = offers;
        self.hostless = hostless;
    }
}

fn cheapest_n1(rows: &[VmRow], min_cpus: u32) -> Option<String> {
    let cpus = f64::from(min_cpus);
    rows.iter()
        .filter(|h| {
            h.cloud == "gcp"
                && h.instance.as_ref().is_some_and(|t| t.starts_with("n1-"))
                && h.vcpus.is_some_and(|v| v >= cpus)
                && h.memory_gib
                    .is_some_and(|m| m >= cpus * gcp::N1_MEMORY_PER_CPU)
                && h.price.is_some()
        })
        .min_by(|a, b| a.price.partial_cmp(&b.price).expect("finite prices"))
        .and_then(|h| h.instance.clone())
}

/// Byte range of field `index` of the record starting at `start`.
fn field_span(text: &str, start: usize, index: usize) -> std::ops::Range<usize> {
    let bytes = text.as_bytes();
    let mut i = start;
    let mut field = 0;
    let mut field_start = start;
    let mut quoted = false;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                if field == index {
                    return field_start..i;
                }
                field += 1;
                field_start = i + 1;
            }
            b'\n' | b'\r' if !quoted => break,
            _ => {}
        }
        i += 1;
    }
    if field == index {
        field_start..i
    } else {
        start..start
    }
}

fn parse_vms(
    cat: &mut SkyCatalog,
    file_index: usize,
    f: &CatalogText<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(f.text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            out.push(Diagnostic::error(
                f.file,
                Some(0..0),
                format!("cannot read the CSV header: {e}"),
            ));
            return;
        }
    };
    let names: Vec<&str> = headers.iter().collect();
    let column = |name: &str| names.iter().position(|h| *h == name);
    let mut missing = false;
    for name in REQUIRED {
        if column(name).is_none() {
            let stray: Vec<&str> = names
                .iter()
                .copied()
                .filter(|h| !REQUIRED.contains(h) && !OPTIONAL.contains(h))
                .collect();
            let hint = stray.iter().find_map(|h| {
                allot_diag::suggest(h, [name])
                    .map(|_| format!("'{h}' looks like '{name}': rename the column"))
            });
            out.push(
                Diagnostic::error(
                    f.file,
                    Some(0..names.join(",").len()),
                    format!("missing column '{name}' in the header"),
                )
                .with_hint_opt(hint)
                .with_hint(format!(
                    "SkyPilot catalog v8 columns: {}",
                    REQUIRED.join(", ")
                )),
            );
            missing = true;
        }
    }
    if missing {
        return;
    }
    let col = |name: &str| column(name).expect("checked above");
    let (c_inst, c_acc, c_count, c_price, c_spot, c_region) = (
        col("InstanceType"),
        col("AcceleratorName"),
        col("AcceleratorCount"),
        col("Price"),
        col("SpotPrice"),
        col("Region"),
    );
    let (c_zone, c_cpus, c_mem) = (
        column("AvailabilityZone"),
        column("vCPUs"),
        column("MemoryGiB"),
    );
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let span = e.position().map(|p| p.byte() as usize..p.byte() as usize);
                out.push(Diagnostic::error(
                    f.file,
                    span,
                    format!("malformed CSV row: {e}"),
                ));
                continue;
            }
        };
        let pos = record
            .position()
            .expect("records from a reader have positions");
        let (start, line) = (pos.byte() as usize, pos.line() as usize);
        let text_of = |c: usize| record.get(c).map(str::trim).filter(|s| !s.is_empty());
        let mut number = |c: Option<usize>, name: &str| -> Option<f64> {
            let s = text_of(c?)?;
            if s.eq_ignore_ascii_case("nan") {
                return None;
            }
            match s.parse::<f64>() {
                // At most what an allot catalog holds (allot-toml's 1e18): a larger price came
                // back from the import as infinity (issue 22, item 15).
                Ok(v) if v.is_finite() && (0.0..=1e18).contains(&v) => Some(v),
                _ => {
                    out.push(
                        Diagnostic::error(
                            f.file,
                            Some(field_span(f.text, start, c?)),
                            format!("column {name}: '{s}' is not a price or count (expected a number from 0 to 1e18)"),
                        )
                        .with_hint("leave the field empty when there is no value"),
                    );
                    None
                }
            }
        };
        let count = number(Some(c_count), "AcceleratorCount");
        let price = number(Some(c_price), "Price");
        let spot = number(Some(c_spot), "SpotPrice");
        let vcpus = number(c_cpus, "vCPUs");
        let memory_gib = number(c_mem, "MemoryGiB");
        let Some(region) = text_of(c_region) else {
            out.push(Diagnostic::error(
                f.file,
                Some(field_span(f.text, start, c_region)),
                "column Region: empty (every row needs a region)".to_string(),
            ));
            continue;
        };
        let instance = text_of(c_inst).map(str::to_string);
        let accelerator = text_of(c_acc).map(str::to_string);
        if instance.is_none() && accelerator.is_none() {
            out.push(Diagnostic::error(
                f.file,
                Some(field_span(f.text, start, c_inst)),
                "row has neither an InstanceType nor an AcceleratorName".to_string(),
            ));
            continue;
        }
        if accelerator.is_some() && count.is_none_or(|c| c <= 0.0) {
            out.push(Diagnostic::error(
                f.file,
                Some(field_span(f.text, start, c_count)),
                format!(
                    "column AcceleratorCount: accelerator '{}' needs a count > 0",
                    accelerator.as_deref().unwrap_or_default()
                ),
            ));
            continue;
        }
        cat.rows.push(VmRow {
            cloud: f.cloud.to_string(),
            instance,
            accelerator,
            count: count.unwrap_or(0.0),
            vcpus,
            memory_gib,
            price,
            spot,
            region: region.to_string(),
            zone: c_zone.and_then(text_of).map(str::to_string),
            file: file_index,
            line,
        });
    }
}

fn parse_accelerators(cat: &mut SkyCatalog, file: &str, text: &str, out: &mut Vec<Diagnostic>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let column = match reader.headers() {
        Ok(h) => h.iter().position(|c| c == "AcceleratorName"),
        Err(_) => None,
    };
    let Some(column) = column else {
        out.push(
            Diagnostic::error(
                file,
                Some(0..0),
                "missing column 'AcceleratorName' in the header".to_string(),
            )
            .with_hint("SkyPilot's common/accelerators.csv has the columns AcceleratorName,Clouds"),
        );
        return;
    };
    for record in reader.records().flatten() {
        if let Some(name) = record.get(column).map(str::trim).filter(|s| !s.is_empty()) {
            cat.accelerator_names.insert(name.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AWS: &str = "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,GpuInfo,Price,SpotPrice,Region,AvailabilityZone,Arch
p5.48xlarge,H100,8.0,192.0,2048.0,,55.04,10.2397,us-east-1,use1-az1,x86_64
p5e.48xlarge,H200,8.0,192.0,2048.0,,,19.4254,us-east-2,use2-az1,x86_64
";
    const GCP: &str = "InstanceType,vCPUs,MemoryGiB,AcceleratorName,AcceleratorCount,GpuInfo,Region,AvailabilityZone,Price,SpotPrice
a3-highgpu-8g,208.0,1872.0,,,,us-west1,us-west1-b,9.46006,2.88933
,,,H100,8,\"{'Gpus': []}\",us-west1,us-west1-b,33.60609,23.9408
,,,H100,8,\"{'Gpus': []}\",us-central1,us-central1-a,33.60609,23.9408
,,,tpu-v6e-8,1,tpu-v6e-8,us-east1,us-east1-d,21.6,4.35366
";

    fn parse(aws: &str, gcp: &str) -> Result<(SkyCatalog, Vec<Diagnostic>), Error> {
        SkyCatalog::parse(
            &[
                CatalogText {
                    cloud: "aws",
                    file: "aws/vms.csv",
                    text: aws,
                },
                CatalogText {
                    cloud: "gcp",
                    file: "gcp/vms.csv",
                    text: gcp,
                },
            ],
            None,
        )
    }

    #[test]
    fn gcp_gpu_price_is_host_plus_accelerator_in_the_same_zone() {
        let (cat, _) = parse(AWS, GCP).unwrap();
        let h100: Vec<&Offer> = cat
            .offers
            .iter()
            .filter(|o| o.cloud == "gcp" && o.accelerator.as_deref() == Some("H100"))
            .collect();
        assert_eq!(h100.len(), 1, "us-central1-a has no a3-highgpu-8g host");
        assert_eq!(h100[0].instance, "a3-highgpu-8g");
        assert!((h100[0].on_demand.unwrap() - (9.46006 + 33.60609)).abs() < 1e-9);
        assert!((h100[0].spot.unwrap() - (2.88933 + 23.9408)).abs() < 1e-9);
        assert_eq!(cat.hostless.len(), 1);
        let tpu = cat.offers.iter().find(|o| o.instance == "TPU-VM").unwrap();
        assert_eq!(tpu.on_demand, Some(21.6));
    }

    #[test]
    fn empty_prices_stay_empty() {
        let (cat, _) = parse(AWS, GCP).unwrap();
        let p5e = cat
            .offers
            .iter()
            .find(|o| o.instance == "p5e.48xlarge")
            .unwrap();
        assert_eq!((p5e.on_demand, p5e.spot), (None, Some(19.4254)));
    }

    #[test]
    fn bad_numbers_and_columns_are_located() {
        let bad = AWS.replace("55.04", "55.x4");
        let err = parse(&bad, GCP).unwrap_err();
        let d = &err.diagnostics()[0];
        let rendered = d.render(Some(&bad));
        assert!(rendered.starts_with("aws/vms.csv:2:"), "{rendered}");
        assert!(rendered.contains("column Price: '55.x4'"), "{rendered}");
        let renamed = AWS.replace(",Price,", ",Prize,");
        let err = parse(&renamed, GCP).unwrap_err();
        let text = err.diagnostics()[0].render(Some(&renamed));
        assert!(text.contains("missing column 'Price'"), "{text}");
        assert!(text.contains("'Prize' looks like 'Price'"), "{text}");
    }
}
