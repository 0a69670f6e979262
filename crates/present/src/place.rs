//! A placement of SkyPilot tasks (`allot place`) as text — the choice per task, data moved,
//! the options considered and SkyPilot's own rule for comparison — and as JSON.

use allot_skypilot::{Candidate, Minimize, Placement, Status};
use serde::Serialize;

use crate::number::num;
use crate::table::{Align, Table};

/// One option in `allot place --json`.
#[derive(Serialize)]
struct OptionJson {
    cloud: String,
    region: String,
    zone: Option<String>,
    instance: String,
    accelerators: String,
    use_spot: bool,
    node_hourly_usd: f64,
    hourly_usd: f64,
    hours: f64,
    total_usd: f64,
    egress_usd: f64,
}

impl From<&Candidate> for OptionJson {
    fn from(c: &Candidate) -> Self {
        OptionJson {
            cloud: c.cloud.clone(),
            region: c.region.clone(),
            zone: c.zone.clone(),
            instance: c.instance.clone(),
            accelerators: c.accelerators.clone(),
            use_spot: c.use_spot,
            node_hourly_usd: c.node_hourly_usd,
            hourly_usd: c.hourly_usd,
            hours: c.hours,
            total_usd: c.total_usd,
            egress_usd: c.egress_usd,
        }
    }
}

/// One task in `allot place --json`: the chosen option flattened, then every option.
#[derive(Serialize)]
struct TaskJson {
    name: String,
    num_nodes: u32,
    #[serde(flatten)]
    chosen: Option<OptionJson>,
    request_used: Option<String>,
    notes: Vec<String>,
    options: Vec<OptionJson>,
}

/// Data moved between clouds.
#[derive(Serialize)]
struct EdgeJson {
    from: String,
    to: String,
    from_cloud: String,
    to_cloud: String,
    gb: f64,
    usd: f64,
    hours: f64,
}

/// The whole `allot place --json` output.
#[derive(Serialize)]
pub struct PlacementJson {
    minimize: &'static str,
    status: &'static str,
    exact: bool,
    total_usd: f64,
    compute_usd: f64,
    egress_usd: f64,
    makespan_hours: f64,
    skypilot_rule_total_usd: Option<f64>,
    tasks: Vec<TaskJson>,
    edges: Vec<EdgeJson>,
}

/// The placement as JSON, with the total of SkyPilot's rule when it placed every task.
pub fn to_json(p: &Placement, rule: Option<&Placement>) -> PlacementJson {
    PlacementJson {
        minimize: match p.minimize {
            Minimize::Cost => "cost",
            Minimize::Time => "time",
        },
        status: match p.status {
            Status::Placed => "placed",
            Status::Infeasible => "infeasible",
        },
        exact: p.exact,
        total_usd: p.total_usd,
        compute_usd: p.compute_usd,
        egress_usd: p.egress_usd,
        makespan_hours: p.makespan_hours,
        skypilot_rule_total_usd: rule
            .filter(|r| r.status == Status::Placed)
            .map(|r| r.total_usd),
        tasks: p
            .tasks
            .iter()
            .map(|t| TaskJson {
                name: t.name.clone(),
                num_nodes: t.num_nodes,
                chosen: t.chosen.as_ref().map(OptionJson::from),
                request_used: t.request_used.clone(),
                notes: t.notes.clone(),
                options: t.options.iter().map(OptionJson::from).collect(),
            })
            .collect(),
        edges: p
            .edges
            .iter()
            .map(|e| EdgeJson {
                from: e.from.clone(),
                to: e.to.clone(),
                from_cloud: e.from_cloud.clone(),
                to_cloud: e.to_cloud.clone(),
                gb: e.gb,
                usd: e.usd,
                hours: e.hours,
            })
            .collect(),
    }
}

fn where_(c: &Candidate) -> String {
    match &c.zone {
        Some(z) => format!("{}/{}/{z}", c.cloud, c.region),
        None => format!("{}/{}", c.cloud, c.region),
    }
}

/// The placement as text for `file`, with up to `rows` options per task (0: all).
pub fn summary(p: &Placement, rule: Option<&Placement>, file: &str, rows: usize) -> String {
    let mut out = String::new();
    let objective = match p.minimize {
        Minimize::Cost => "least cost",
        Minimize::Time => "earliest finish",
    };
    if p.status == Status::Infeasible {
        out.push_str(&format!("{file}: no placement ({objective})\n"));
        for t in p.tasks.iter().filter(|t| t.options.is_empty()) {
            out.push_str(&format!("task '{}' cannot be placed:\n", t.name));
            for n in &t.notes {
                out.push_str(&format!("  {n}\n"));
            }
        }
        return out;
    }
    out.push_str(&format!(
        "{file}: {} task(s) placed for {objective}: ${} (compute ${}, egress ${}), finished after {} h{}\n\n",
        p.tasks.len(),
        num(Some(p.total_usd), 2),
        num(Some(p.compute_usd), 2),
        num(Some(p.egress_usd), 2),
        num(Some(p.makespan_hours), 2),
        if p.exact { "" } else { " (best found, not proven optimal)" }
    ));
    let mut t = Table::new(&[
        ("TASK", Align::Left),
        ("NODES", Align::Right),
        ("WHERE", Align::Left),
        ("INSTANCE", Align::Left),
        ("ACCELERATORS", Align::Left),
        ("SPOT", Align::Left),
        ("USD/H", Align::Right),
        ("HOURS", Align::Right),
        ("USD", Align::Right),
    ]);
    for task in &p.tasks {
        let Some(c) = &task.chosen else { continue };
        t.row(vec![
            task.name.clone(),
            task.num_nodes.to_string(),
            where_(c),
            c.instance.clone(),
            c.accelerators.clone(),
            if c.use_spot { "yes" } else { "" }.to_string(),
            num(Some(c.hourly_usd), 2),
            num(Some(c.hours), 2),
            num(Some(c.total_usd), 2),
        ]);
    }
    out.push_str(&t.render());
    for e in p.edges.iter().filter(|e| e.gb > 0.0) {
        out.push_str(&format!(
            "data: {} -> {}: {} GB {} -> {}, ${}\n",
            e.from,
            e.to,
            num(Some(e.gb), 1),
            e.from_cloud,
            e.to_cloud,
            num(Some(e.usd), 2)
        ));
    }
    for task in &p.tasks {
        let shown = if rows == 0 {
            task.options.len()
        } else {
            rows.min(task.options.len())
        };
        out.push_str(&format!(
            "\noptions for '{}'{} ({} considered, best first; * = chosen):\n",
            task.name,
            task.request_used
                .as_ref()
                .map_or(String::new(), |r| format!(
                    " from the first launchable preference, {r}"
                )),
            task.options.len()
        ));
        let mut t = Table::new(&[
            ("", Align::Left),
            ("WHERE", Align::Left),
            ("INSTANCE", Align::Left),
            ("ACCELERATORS", Align::Left),
            ("USD/H", Align::Right),
            ("HOURS", Align::Right),
            ("USD", Align::Right),
            ("+EGRESS", Align::Right),
        ]);
        for o in &task.options[..shown] {
            let mark = if task.chosen.as_ref() == Some(o) {
                "*"
            } else {
                ""
            };
            t.row(vec![
                mark.to_string(),
                where_(o),
                o.instance.clone(),
                o.accelerators.clone(),
                num(Some(o.hourly_usd), 2),
                num(Some(o.hours), 2),
                num(Some(o.total_usd), 2),
                num(Some(o.egress_usd), 2),
            ]);
        }
        out.push_str(&t.render());
        for n in &task.notes {
            out.push_str(&format!("note: {n}\n"));
        }
    }
    if let Some(rule) = rule.filter(|r| r.status == Status::Placed && p.minimize == Minimize::Cost)
    {
        let saved = rule.total_usd - p.total_usd;
        out.push_str(&format!(
            "\nSkyPilot's rule (an hour of each task at its node price, plus egress, chosen jointly) costs ${}",
            num(Some(rule.total_usd), 2)
        ));
        if saved > 0.005 {
            out.push_str(&format!(
                "; this placement saves ${} ({}%)\n",
                num(Some(saved), 2),
                num(Some(100.0 * saved / rule.total_usd), 1)
            ));
        } else {
            out.push_str(": the same\n");
        }
    }
    out
}
