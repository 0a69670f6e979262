//! Catalog tests: the built-in data, and the precedence rules for user files.

use allot_catalog::{BUILTIN_NAME, Catalog, CatalogBuilder, PriceModel};

fn builtin() -> Catalog {
    let (catalog, diagnostics) = Catalog::builtin();
    let rendered: Vec<String> = diagnostics
        .iter()
        .map(|d| d.render(Some(allot_catalog::BUILTIN_TEXT)))
        .collect();
    assert!(
        rendered.is_empty(),
        "built-in catalog has problems:\n{}",
        rendered.join("\n")
    );
    catalog
}

#[test]
fn builtin_catalog_has_every_required_chip_by_id_and_alias() {
    let c = builtin();
    let ids = [
        "a100",
        "h100",
        "h200",
        "b200",
        "gb200",
        "b300",
        "gb300",
        "mi300x",
        "mi325x",
        "mi355x",
        "trainium1",
        "trainium2",
        "trainium3",
        "inferentia2",
        "tpu-v5e",
        "tpu-v5p",
        "tpu-v6e",
        "tpu-v7",
        "gaudi3",
    ];
    for id in ids {
        let a = c.accelerator(id).unwrap_or_else(|| panic!("no {id}"));
        assert_eq!(a.id, id);
        assert!(
            a.bf16_tflops > 0.0 && a.hbm_gb > 0.0 && a.hbm_tb_s > 0.0,
            "{id}"
        );
        assert!(!a.sources.is_empty(), "{id} has no source");
    }
    for (alias, id) in [
        ("H100 SXM", "h100"),
        ("NVIDIA H100 SXM", "h100"),
        ("h100-sxm", "h100"),
        ("AMD MI300X", "mi300x"),
        ("AWS Trainium", "trainium1"),
        ("Google TPU v5e", "tpu-v5e"),
        ("TPU v6e", "tpu-v6e"),
    ] {
        assert_eq!(
            c.accelerator(alias).map(|a| a.id.as_str()),
            Some(id),
            "{alias}"
        );
    }
    assert_eq!(c.provider("Oracle").map(|p| p.id.as_str()), Some("oci"));
    assert!(
        c.accelerator("a100").expect("a100").fp8_tflops.is_none(),
        "A100 has no FP8"
    );
}

#[test]
fn builtin_catalog_keeps_unconfirmed_marks() {
    let c = builtin();
    assert!(
        c.accelerator("b300").expect("b300").is_unconfirmed("tdp_w"),
        "B300 TDP is conflicting in its source"
    );
    let unconfirmed_offerings = c
        .offerings()
        .iter()
        .filter(|o| o.is_unconfirmed("usd_per_instance_hour"))
        .count();
    assert!(unconfirmed_offerings >= 10, "{unconfirmed_offerings}");
    let lambda_h200 = c
        .offerings()
        .iter()
        .find(|o| o.provider == "lambda" && o.chip == "h200")
        .expect("lambda h200");
    assert!(!lambda_h200.is_priced() && !lambda_h200.is_current());
}

/// Splits one CSV line, honouring double quotes.
fn csv_fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().expect("field").push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            _ => out.last_mut().expect("field").push(c),
        }
    }
    out
}

/// Every row of the reference offerings file is in the built-in catalog with the same price.
/// The reference folder sits beside the repository (as in CI); without it this test has
/// nothing to compare with and says so.
#[test]
fn builtin_catalog_holds_every_reference_offering() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/offerings.csv");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} not found", path.display());
        return;
    };
    let c = builtin();
    let rows: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(csv_fields)
        .collect();
    assert_eq!(
        rows.len(),
        c.offerings().len(),
        "one offering per reference row"
    );
    for (row, o) in rows.iter().zip(c.offerings()) {
        let provider = c.provider(&row[0]).map(|p| p.id.as_str());
        assert_eq!(provider, Some(o.provider.as_str()), "{row:?}");
        assert_eq!(row[1], o.instance, "{row:?}");
        assert_eq!(
            row[6].parse::<f64>().ok(),
            o.usd_per_instance_hour,
            "{row:?}"
        );
        let model = match row[5].as_str() {
            "1yr_reserved" => PriceModel::Reserved1y,
            "3yr_reserved" => PriceModel::Reserved3y,
            other => PriceModel::parse(other).expect("price model"),
        };
        assert_eq!(model, o.price_model, "{row:?}");
        assert_eq!(row[8], o.sources[0].url, "{row:?}");
        if let Ok(n) = row[3].parse::<u32>() {
            assert_eq!(n, o.chips_per_instance, "{row:?}");
        }
    }
}

#[test]
fn builtin_catalog_holds_every_reference_accelerator() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/accelerators.csv");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} not found", path.display());
        return;
    };
    let c = builtin();
    for row in text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(csv_fields)
    {
        let a = c
            .accelerator(&row[1])
            .unwrap_or_else(|| panic!("no accelerator named '{}'", row[1]));
        assert_eq!(
            row[3].parse::<f64>().ok(),
            Some(a.bf16_tflops),
            "{}",
            row[1]
        );
        assert_eq!(row[4].parse::<f64>().ok(), a.fp8_tflops, "{}", row[1]);
        assert_eq!(row[9], a.sources[0].url, "{}", row[1]);
        assert_eq!(row[8].parse::<f64>().ok(), a.tdp_w, "{}", row[1]);
    }
}

const USER_OFFERING: &str = r#"
version = 1
[[offering]]
id = "aws/p5.48xlarge/us-east-1/on-demand"
replaces = true
provider = "aws"
instance = "p5.48xlarge"
chip = "h100"
chips_per_instance = 8
region = "us-east-1"
price_model = "negotiated"
usd_per_instance_hour = 40.0
term_months = 24
sources = [{ url = "https://example.com/contract", date = "2026-10" }]
"#;

#[test]
fn a_user_file_replaces_a_builtin_entry_only_when_it_says_so() {
    let mut b = CatalogBuilder::with_builtin();
    b.add_file("mine.toml", USER_OFFERING);
    let (c, d) = b.finish();
    assert!(d.is_empty(), "{d:?}");
    let o = c
        .offering("aws/p5.48xlarge/us-east-1/on-demand")
        .expect("offering");
    assert_eq!(o.usd_per_chip_hour(), Some(5.0));
    assert_eq!(o.price_model, PriceModel::Negotiated);
    assert_eq!(c.offering_origin(&o.id).expect("origin").file, "mine.toml");

    let mut b = CatalogBuilder::with_builtin();
    b.add_file("mine.toml", &USER_OFFERING.replace("replaces = true\n", ""));
    let (c, d) = b.finish();
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].message
            .contains("is already defined in <built-in catalog>"),
        "{}",
        d[0].message
    );
    assert_eq!(
        c.offering_origin("aws/p5.48xlarge/us-east-1/on-demand")
            .expect("origin")
            .file,
        BUILTIN_NAME
    );
}

#[test]
fn two_files_replacing_one_entry_conflict() {
    let mut b = CatalogBuilder::with_builtin();
    b.add_file("a.toml", USER_OFFERING);
    b.add_file("b.toml", USER_OFFERING);
    let (_, d) = b.finish();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].file, "b.toml");
    assert!(
        d[0].message
            .contains("is replaced by both a.toml and b.toml"),
        "{}",
        d[0].message
    );
}

#[test]
fn aliases_may_not_name_two_chips() {
    let text = r#"
version = 1
[[accelerator]]
id = "h100-nvl"
name = "H100 NVL"
vendor = "nvidia"
aliases = ["H100 SXM"]
bf16_tflops = 835
hbm_gb = 94
hbm_tb_s = 3.9
sources = [{ url = "https://example.com/h100nvl", date = "2026" }]
"#;
    let mut b = CatalogBuilder::with_builtin();
    b.add_file("mine.toml", text);
    let (_, d) = b.finish();
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].message
            .contains("accelerator name 'H100 SXM' is already used"),
        "{}",
        d[0].message
    );
}

#[test]
fn duplicate_ids_in_one_file_are_errors() {
    let text = format!(
        "{USER_OFFERING}\n{}",
        USER_OFFERING
            .replace("version = 1", "")
            .replace("replaces = true\n", "")
    );
    let text = text.replacen("replaces = true\n", "", 1);
    let mut b = CatalogBuilder::new();
    b.add_file(
        "builtin-less.toml",
        &text.replace("provider = \"aws\"", "provider = \"acme\""),
    );
    b.add_file(
        "providers.toml",
        "version = 1\n[[provider]]\nid = \"acme\"\nname = \"Acme\"\n[[accelerator]]\nid = \"h100\"\nname = \"H100\"\nvendor = \"nvidia\"\nbf16_tflops = 989\nhbm_gb = 80\nhbm_tb_s = 3.35\nsources = [{ url = \"https://example.com\", date = \"2026\" }]\n",
    );
    let (_, d) = b.finish();
    let messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
    assert!(
        messages.iter().any(|m| m.contains("duplicate offering id")),
        "{messages:?}"
    );
}
