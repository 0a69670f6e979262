//! A plan as CSV tables (`allot plan --out DIR`): capacity, training, inference, costs per
//! period and commitments, written with the `csv` crate (RFC 4180 quoting wherever a field
//! needs it).
//!
//! Text cells come from the scenario and the catalog, which a spreadsheet may not trust: a
//! cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
//! LibreOffice and Google Sheets. Such a cell is written with a leading `'` (OWASP's advice for
//! CSV injection), which shows the text as typed. Numbers are written as they are (`-5` stays a
//! number).

use allot_plan_format::Plan;

/// A text cell made safe to open in a spreadsheet: a leading `'` when it would start a formula.
pub fn text_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// One CSV table: a header and rows of text cells (already through [`text_cell`]) and numbers.
struct Csv {
    writer: csv::Writer<Vec<u8>>,
}

impl Csv {
    fn new(header: &[&str]) -> Csv {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        writer
            .write_record(header)
            .expect("writing to memory cannot fail");
        Csv { writer }
    }

    fn row(&mut self, cells: &[String]) {
        self.writer
            .write_record(cells)
            .expect("writing to memory cannot fail");
    }

    fn finish(self) -> String {
        let bytes = self
            .writer
            .into_inner()
            .expect("writing to memory cannot fail");
        String::from_utf8(bytes).expect("every cell is UTF-8")
    }
}

/// The CSV files of a plan, by file name, in the order they are written.
pub fn tables(plan: &Plan) -> Vec<(&'static str, String)> {
    let t = text_cell;
    let mut cap = Csv::new(&[
        "offering",
        "provider",
        "chip",
        "period",
        "chips",
        "reserved_chips",
        "usd_per_chip_hour",
        "cost_usd",
    ]);
    for c in &plan.capacity {
        cap.row(&[
            t(&c.offering),
            t(&c.provider),
            t(&c.chip),
            t(&c.period),
            c.chips.to_string(),
            c.reserved_chips.to_string(),
            c.usd_per_chip_hour.to_string(),
            c.cost_usd.to_string(),
        ]);
    }
    let mut training = Csv::new(&["name", "provider", "chip", "period", "chips"]);
    for r in &plan.training {
        for (p, x) in &r.chips_by_period {
            training.row(&[t(&r.name), t(&r.provider), t(&r.chip), t(p), x.to_string()]);
        }
    }
    let mut inference = Csv::new(&["name", "provider", "chip", "period", "chips"]);
    for d in &plan.inference {
        for c in &d.chips_by_period {
            inference.row(&[
                t(&d.name),
                t(&c.provider),
                t(&c.chip),
                t(&c.period),
                c.chips.to_string(),
            ]);
        }
    }
    let mut costs = Csv::new(&["period", "cost_usd"]);
    for (p, c) in plan.periods.iter().zip(&plan.cost_by_period) {
        costs.row(&[t(p), c.to_string()]);
    }
    let mut commitments = Csv::new(&[
        "name",
        "provider",
        "obligation_usd",
        "spend_usd",
        "shortfall_usd",
        "utilisation",
    ]);
    for c in &plan.commitments {
        commitments.row(&[
            t(&c.name),
            t(&c.provider),
            c.obligation_usd.to_string(),
            c.spend_usd.to_string(),
            c.shortfall_usd.to_string(),
            c.utilisation.to_string(),
        ]);
    }
    vec![
        ("capacity.csv", cap.finish()),
        ("training.csv", training.finish()),
        ("inference.csv", inference.finish()),
        ("costs.csv", costs.finish()),
        ("commitments.csv", commitments.finish()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        for s in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(text_cell(s), format!("'{s}"));
        }
        assert_eq!(text_cell("frontier-2026"), "frontier-2026");
        assert_eq!(text_cell(""), "");
    }

    #[test]
    fn names_are_quoted_and_numbers_untouched() {
        let mut csv = Csv::new(&["name", "chips"]);
        csv.row(&[
            text_cell("=HYPERLINK(\"http://x\",\"a, b\")"),
            (-5.5f64).to_string(),
        ]);
        csv.row(&[text_cell("plain"), 0.0f64.to_string()]);
        assert_eq!(
            csv.finish(),
            "name,chips\n\"'=HYPERLINK(\"\"http://x\"\",\"\"a, b\"\")\",-5.5\nplain,0\n"
        );
    }
}
