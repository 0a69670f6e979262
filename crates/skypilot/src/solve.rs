//! Choosing a cloud for every task of a DAG jointly. Egress depends only on the clouds at the two
//! ends of an edge, so once each task's best candidate per cloud is known, the problem is a
//! labelling: one cloud per task, a cost per (task, cloud) and a cost per (edge, cloud pair).
//!
//! - Least total ([`min_sum`]): exact variable elimination (min-sum, smallest scope first) — on a
//!   chain it is SkyPilot's dynamic programme, on a general DAG it replaces SkyPilot's ILP. If a
//!   factor would exceed [`MAX_TABLE`] entries (a dense DAG over many clouds), coordinate descent
//!   from the per-task best gives a good labelling that is reported as not proven optimal.
//! - Earliest finish ([`min_makespan`]): depth-first branch and bound over the tasks in
//!   topological order, bounded by the longest path with every remaining task at its fastest;
//!   among labellings that finish at the same time, the one of least cost.

/// The largest factor table variable elimination builds.
pub const MAX_TABLE: usize = 1 << 22;
/// Branch-and-bound nodes explored before settling for the best labelling found.
pub const MAX_NODES: usize = 2_000_000;

/// A labelling problem.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Number of labels (clouds).
    pub labels: usize,
    /// Cost of each label for each task (infinite where the task has no candidate).
    pub unary: Vec<Vec<f64>>,
    /// (parent, child, cost table over label pairs indexed `parent_label × labels + child_label`).
    pub edges: Vec<(usize, usize, Vec<f64>)>,
}

/// A labelling and its objective.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// Label of each task.
    pub labels: Vec<usize>,
    /// Objective value.
    pub objective: f64,
    /// Whether the labelling is proven optimal.
    pub exact: bool,
}

struct Factor {
    vars: Vec<usize>,
    table: Vec<f64>,
}

fn index(assign: &[usize], vars: &[usize], labels: usize) -> usize {
    vars.iter().fold(0, |acc, &v| acc * labels + assign[v])
}

/// Sum of every cost of a labelling.
pub fn total(p: &Problem, labels: &[usize]) -> f64 {
    let unary: f64 = labels.iter().enumerate().map(|(t, &l)| p.unary[t][l]).sum();
    let pairs: f64 = p
        .edges
        .iter()
        .map(|(a, b, table)| table[labels[*a] * p.labels + labels[*b]])
        .sum();
    unary + pairs
}

/// The labelling of least total cost, or `None` when some task has no finite label.
pub fn min_sum(p: &Problem) -> Option<Solution> {
    let n = p.unary.len();
    if p.unary.iter().any(|u| u.iter().all(|c| !c.is_finite())) {
        return None;
    }
    if n == 0 {
        return Some(Solution {
            labels: Vec::new(),
            objective: 0.0,
            exact: true,
        });
    }
    match eliminate(p) {
        Some(labels) => {
            let objective = total(p, &labels);
            Some(Solution {
                labels,
                objective,
                exact: true,
            })
        }
        None => Some(descend(p)),
    }
}

fn eliminate(p: &Problem) -> Option<Vec<usize>> {
    let n = p.unary.len();
    let l = p.labels;
    let mut factors: Vec<Factor> = p
        .unary
        .iter()
        .enumerate()
        .map(|(t, u)| Factor {
            vars: vec![t],
            table: u.clone(),
        })
        .collect();
    for (a, b, table) in &p.edges {
        if a == b {
            continue;
        }
        let (vars, table) = if a < b {
            (vec![*a, *b], table.clone())
        } else {
            let mut t = vec![0.0; l * l];
            for x in 0..l {
                for y in 0..l {
                    t[y * l + x] = table[x * l + y];
                }
            }
            (vec![*b, *a], t)
        };
        factors.push(Factor { vars, table });
    }
    let mut remaining: Vec<bool> = vec![true; n];
    // (variable, scope of its message, argmin table over that scope)
    let mut trail: Vec<(usize, Vec<usize>, Vec<u32>)> = Vec::with_capacity(n);
    for _ in 0..n {
        // Smallest resulting scope first.
        let mut best: Option<(usize, Vec<usize>)> = None;
        for v in (0..n).filter(|&v| remaining[v]) {
            let mut scope: Vec<usize> = factors
                .iter()
                .filter(|f| f.vars.contains(&v))
                .flat_map(|f| f.vars.iter().copied())
                .filter(|&u| u != v)
                .collect();
            scope.sort_unstable();
            scope.dedup();
            if best.as_ref().is_none_or(|(_, s)| scope.len() < s.len()) {
                best = Some((v, scope));
            }
        }
        let (v, scope) = best.expect("a variable remains");
        let size = l
            .checked_pow(scope.len() as u32)
            .filter(|s| *s <= MAX_TABLE)?;
        let (mine, rest): (Vec<Factor>, Vec<Factor>) =
            factors.into_iter().partition(|f| f.vars.contains(&v));
        factors = rest;
        let mut table = vec![f64::INFINITY; size];
        let mut argmin = vec![0u32; size];
        let mut assign = vec![0usize; n];
        for (i, (slot, arg)) in table.iter_mut().zip(argmin.iter_mut()).enumerate() {
            let mut rem = i;
            for &u in scope.iter().rev() {
                assign[u] = rem % l;
                rem /= l;
            }
            for x in 0..l {
                assign[v] = x;
                let s: f64 = mine
                    .iter()
                    .map(|f| f.table[index(&assign, &f.vars, l)])
                    .sum();
                if s < *slot {
                    *slot = s;
                    *arg = x as u32;
                }
            }
        }
        factors.push(Factor {
            vars: scope.clone(),
            table,
        });
        trail.push((v, scope, argmin));
        remaining[v] = false;
    }
    let mut labels = vec![0usize; n];
    for (v, scope, argmin) in trail.iter().rev() {
        labels[*v] = argmin[index(&labels, scope, l)] as usize;
    }
    Some(labels)
}

/// Coordinate descent from each task's best label: a good labelling, not proven optimal.
fn descend(p: &Problem) -> Solution {
    let n = p.unary.len();
    let argmin = |u: &[f64]| {
        (0..u.len())
            .min_by(|&a, &b| u[a].total_cmp(&u[b]))
            .unwrap_or(0)
    };
    let mut labels: Vec<usize> = p.unary.iter().map(|u| argmin(u)).collect();
    let mut best = total(p, &labels);
    for _ in 0..100 {
        let mut improved = false;
        for t in 0..n {
            let mut pick = labels[t];
            for x in 0..p.labels {
                labels[t] = x;
                let c = total(p, &labels);
                if c < best - 1e-12 {
                    best = c;
                    pick = x;
                    improved = true;
                }
            }
            labels[t] = pick;
        }
        if !improved {
            break;
        }
    }
    Solution {
        labels,
        objective: best,
        exact: false,
    }
}

/// Finish time of the last task under a labelling: each task starts when all its parents have
/// finished and their outputs have arrived.
pub fn makespan(p: &Problem, order: &[usize], labels: &[usize]) -> f64 {
    let mut finish = vec![0.0f64; p.unary.len()];
    for &t in order {
        let start = p
            .edges
            .iter()
            .filter(|(_, c, _)| *c == t)
            .map(|(a, _, table)| finish[*a] + table[labels[*a] * p.labels + labels[t]])
            .fold(0.0, f64::max);
        finish[t] = start + p.unary[t][labels[t]];
    }
    finish.into_iter().fold(0.0, f64::max)
}

/// Two finish times this close (relative) are the same finish.
const SAME: f64 = 1e-9;

/// The labelling that finishes earliest (`unary` and `edges` in hours), tasks in `order`
/// (a topological order); among labellings that finish then, the one of least total `cost`
/// (the same labels and edges, in dollars), so that a faster-or-equal choice never costs more
/// for nothing.
pub fn min_makespan(p: &Problem, cost: &Problem, order: &[usize]) -> Option<Solution> {
    if p.unary.iter().any(|u| u.iter().all(|c| !c.is_finite())) {
        return None;
    }
    let n = p.unary.len();
    let fastest: Vec<f64> = p
        .unary
        .iter()
        .map(|u| u.iter().copied().fold(f64::INFINITY, f64::min))
        .collect();
    let cheapest: Vec<f64> = (0..n)
        .map(|t| {
            (0..p.labels)
                .filter(|&x| p.unary[t][x].is_finite())
                .map(|x| cost.unary[t][x])
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    let mut labels: Vec<usize> = p
        .unary
        .iter()
        .map(|u| {
            (0..u.len())
                .min_by(|&a, &b| u[a].total_cmp(&u[b]))
                .unwrap_or(0)
        })
        .collect();
    let mut search = Search {
        p,
        cost,
        order,
        fastest,
        cheapest,
        best: makespan(p, order, &labels),
        best_cost: total(cost, &labels),
        best_labels: labels.clone(),
        nodes: 0,
        finish: vec![0.0; n],
    };
    search.dfs(0, &mut labels);
    Some(Solution {
        labels: search.best_labels,
        objective: search.best,
        exact: search.nodes < MAX_NODES,
    })
}

struct Search<'a> {
    p: &'a Problem,
    cost: &'a Problem,
    order: &'a [usize],
    fastest: Vec<f64>,
    cheapest: Vec<f64>,
    best: f64,
    best_cost: f64,
    best_labels: Vec<usize>,
    nodes: usize,
    finish: Vec<f64>,
}

impl Search<'_> {
    fn start(&self, t: usize, labels: &[usize], depth: usize, relaxed: &[f64]) -> f64 {
        let assigned = |u: usize| self.order[..depth].contains(&u);
        self.p
            .edges
            .iter()
            .filter(|(_, c, _)| *c == t)
            .map(|(a, _, table)| {
                if assigned(*a) {
                    self.finish[*a] + table[labels[*a] * self.p.labels + labels[t]]
                } else {
                    relaxed[*a]
                }
            })
            .fold(0.0, f64::max)
    }

    fn bound(&self, depth: usize) -> f64 {
        let mut relaxed = self.finish.clone();
        let mut worst: f64 = 0.0;
        for (i, &t) in self.order.iter().enumerate() {
            if i >= depth {
                let start = self
                    .p
                    .edges
                    .iter()
                    .filter(|(_, c, _)| *c == t)
                    .map(|(a, _, _)| relaxed[*a])
                    .fold(0.0, f64::max);
                relaxed[t] = start + self.fastest[t];
            }
            worst = worst.max(relaxed[t]);
        }
        worst
    }

    /// A lower bound on the cost of any completion: the tasks placed so far with the edges
    /// between them, every other task at its cheapest label (edge costs are never negative).
    fn cost_bound(&self, labels: &[usize], depth: usize) -> f64 {
        let placed = &self.order[..depth];
        let unary: f64 = self
            .order
            .iter()
            .enumerate()
            .map(|(i, &t)| match i < depth {
                true => self.cost.unary[t][labels[t]],
                false => self.cheapest[t],
            })
            .sum();
        let edges: f64 = self
            .cost
            .edges
            .iter()
            .filter(|(a, b, _)| placed.contains(a) && placed.contains(b))
            .map(|(a, b, table)| table[labels[*a] * self.cost.labels + labels[*b]])
            .sum();
        unary + edges
    }

    /// Whether a completion finishing by `finish` at a cost of at least `cost` could be better
    /// than the best so far: earlier, or as early and cheaper.
    fn better(&self, finish: f64, cost: f64) -> bool {
        let tie = SAME * self.best.abs().max(1.0);
        finish < self.best - tie
            || (finish <= self.best + tie
                && cost < self.best_cost - SAME * self.best_cost.abs().max(1.0))
    }

    fn dfs(&mut self, depth: usize, labels: &mut Vec<usize>) {
        if self.nodes >= MAX_NODES {
            return;
        }
        self.nodes += 1;
        if depth == self.order.len() {
            let m = self.finish.iter().copied().fold(0.0, f64::max);
            let c = total(self.cost, labels);
            if self.better(m, c) {
                self.best = self.best.min(m);
                self.best_cost = c;
                self.best_labels = labels.clone();
            }
            return;
        }
        let t = self.order[depth];
        let mut choices: Vec<usize> = (0..self.p.labels)
            .filter(|&x| self.p.unary[t][x].is_finite())
            .collect();
        choices.sort_by(|&a, &b| {
            let key = |x: usize| (self.p.unary[t][x], self.cost.unary[t][x]);
            let (ka, kb) = (key(a), key(b));
            ka.0.total_cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
        });
        for x in choices {
            labels[t] = x;
            let start = self.start(t, labels, depth, &self.finish.clone());
            self.finish[t] = start + self.p.unary[t][x];
            if self.better(self.bound(depth + 1), self.cost_bound(labels, depth + 1)) {
                self.dfs(depth + 1, labels);
            }
        }
        self.finish[t] = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(p: &Problem) -> f64 {
        let n = p.unary.len();
        let mut best = f64::INFINITY;
        let mut labels = vec![0; n];
        loop {
            best = best.min(total(p, &labels));
            let mut i = 0;
            while i < n {
                labels[i] += 1;
                if labels[i] < p.labels {
                    break;
                }
                labels[i] = 0;
                i += 1;
            }
            if i == n {
                return best;
            }
        }
    }

    /// A small deterministic pseudo-random generator (no dependency needed).
    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*seed >> 33) as f64) / f64::from(1u32 << 31)
    }

    /// A random DAG problem: `n` tasks, `labels` clouds, some infeasible (task, cloud) pairs,
    /// edges with free transfers inside a cloud.
    fn random_problem(
        seed: &mut u64,
        n: usize,
        labels: usize,
        unary: (f64, f64, f64),
        edge: (f64, f64),
    ) -> Problem {
        let (missing, base, spread) = unary;
        let unary: Vec<Vec<f64>> = (0..n)
            .map(|_| {
                (0..labels)
                    .map(|_| {
                        if lcg(seed) < missing {
                            f64::INFINITY
                        } else {
                            base + spread * lcg(seed)
                        }
                    })
                    .collect()
            })
            .collect();
        let mut edges = Vec::new();
        for c in 1..n {
            for a in 0..c {
                if lcg(seed) < edge.0 {
                    let table = (0..labels * labels)
                        .map(|i| {
                            if i / labels == i % labels {
                                0.0
                            } else {
                                edge.1 * lcg(seed)
                            }
                        })
                        .collect();
                    edges.push((a, c, table));
                }
            }
        }
        Problem {
            labels,
            unary,
            edges,
        }
    }

    #[test]
    fn elimination_matches_brute_force_on_random_dags() {
        let mut seed = 7;
        for case in 0..200 {
            let p = random_problem(
                &mut seed,
                2 + case % 6,
                2 + case % 3,
                (0.15, 0.0, 100.0),
                (0.4, 50.0),
            );
            let expect = brute(&p);
            match min_sum(&p) {
                None => assert!(
                    !expect.is_finite() || p.unary.iter().any(|u| u.iter().all(|c| !c.is_finite()))
                ),
                Some(s) => {
                    assert!(s.exact);
                    assert!(
                        (s.objective - expect).abs() < 1e-9
                            || (!expect.is_finite() && !s.objective.is_finite()),
                        "case {case}: {} vs {expect}",
                        s.objective
                    );
                }
            }
        }
    }

    #[test]
    fn makespan_search_is_exact_on_small_dags() {
        let mut seed = 11;
        for case in 0..100 {
            let (n, labels) = (2 + case % 5, 2 + case % 2);
            let p = random_problem(&mut seed, n, labels, (0.0, 1.0, 10.0), (0.5, 5.0));
            let order: Vec<usize> = (0..n).collect();
            let s = min_makespan(&p, &p, &order).unwrap();
            let mut best = f64::INFINITY;
            let total_labelings = labels.pow(n as u32);
            for code in 0..total_labelings {
                let mut rem = code;
                let l: Vec<usize> = (0..n)
                    .map(|_| {
                        let x = rem % labels;
                        rem /= labels;
                        x
                    })
                    .collect();
                best = best.min(makespan(&p, &order, &l));
            }
            assert!(s.exact);
            assert!(
                (s.objective - best).abs() < 1e-9,
                "case {case}: {} vs {best}",
                s.objective
            );
            assert!((makespan(&p, &order, &s.labels) - s.objective).abs() < 1e-9);
        }
    }
}
