//! Slurm batch scripts, one per training run: `#SBATCH` directives for the job name, whole
//! nodes, the GRES per node, and a time limit that ends with the run's last planned period.

use crate::placement::{Kind, Workload};
use crate::{File, Gres, Settings, command};

/// `D-HH:MM:SS`, rounded up to whole minutes.
pub(crate) fn time_limit(hours: f64) -> String {
    let minutes = (hours * 60.0).ceil().max(1.0) as u64;
    let (days, rest) = (minutes / (24 * 60), minutes % (24 * 60));
    format!("{days}-{:02}:{:02}:00", rest / 60, rest % 60)
}

/// The GRES a workload's nodes are requested with: the user's mapping for its chip, else the
/// family's convention (`gpu:TYPE`, the type being the chip id), else none.
fn gres(w: &Workload<'_>, settings: &Settings) -> Option<Gres> {
    if let Some(mapped) = settings.gres.get(&w.accelerator.id) {
        return mapped.clone();
    }
    w.family.slurm_gres_name().map(|name| Gres {
        name: name.to_string(),
        kind: Some(w.accelerator.id.replace('-', "_")),
    })
}

/// One batch script per training run.
pub(crate) fn scripts(
    workloads: &[Workload<'_>],
    settings: &Settings,
    notes: &mut Vec<String>,
) -> Vec<File> {
    let mut files = Vec::new();
    let serving = workloads.iter().filter(|w| w.kind == Kind::Serving).count();
    if serving > 0 {
        notes.push(format!(
            "{serving} serving pools not exported: Slurm batch scripts are written for training runs"
        ));
    }
    for w in workloads.iter().filter(|w| w.kind == Kind::Training) {
        let mut s = String::from("#!/bin/bash\n");
        s.push_str("# Slurm batch script written by `allot export`.\n");
        // describe() is one line: control characters and line breaks in names are escaped.
        s.push_str(&format!("# {}\n", w.describe()));
        s.push_str("# Submit: sbatch FILE (or `allot export ... --to slurm --submit`)\n");
        let mut directive = |d: String| s.push_str(&format!("#SBATCH {d}\n"));
        directive(format!("--job-name={}", w.slug));
        directive(format!("--nodes={}", w.total_hosts()));
        match gres(w, settings) {
            Some(g) => directive(format!("--gres={}", g.request(w.chips_per_host))),
            None => notes.push(format!(
                "{}: no GRES for {}: whole nodes are requested (map one with --gres {}=NAME[:TYPE])",
                w.slug, w.accelerator.id, w.accelerator.id
            )),
        }
        directive("--exclusive".to_string());
        directive(format!("--time={}", time_limit(w.hours)));
        directive("--output=%x-%j.out".to_string());
        s.push_str(&command(w, settings, ""));
        s.push('\n');
        files.push(File {
            path: format!("{}.sbatch", w.slug),
            contents: s,
        });
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_limits_are_days_hours_minutes() {
        assert_eq!(time_limit(730.5), "30-10:30:00");
        assert_eq!(time_limit(0.01), "0-00:01:00");
        assert_eq!(time_limit(2191.5), "91-07:30:00");
    }
}
