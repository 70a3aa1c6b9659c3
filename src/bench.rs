//! `candor bench`: one run that times the operations a shop owner waits for, on a given
//! shop file, with the bare SQLite scan of the same rows as the floor for loading.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::engine::changes::Change;
use crate::engine::simulate::{Progress, all_lists, simulate};
use crate::engine::{Scorer, ShopIndex, explain, index_for};
use crate::session::SessionError;
use crate::session::simulate::Request;
use crate::store::{Store, StoreError, bare_scan};

/// How often the whole-shop figures are repeated (median and worst are reported).
const REPEATS: usize = 5;

/// One measured figure.
#[derive(Clone, Debug, Serialize)]
pub struct Figure {
    /// What was measured.
    pub name: String,
    /// Milliseconds (median where repeated).
    pub ms: f64,
    /// 99th percentile in milliseconds where repeated (with 5 repeats: the worst run).
    pub p99_ms: Option<f64>,
    /// How many items the operation covered (rows, customers).
    pub items: usize,
}

/// The whole benchmark report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Customers, products and order lines of the shop.
    pub customers: usize,
    /// Products.
    pub products: usize,
    /// Order lines.
    pub order_lines: usize,
    /// Worker threads used for whole-shop work.
    pub threads: usize,
    /// The figures, in the order measured.
    pub figures: Vec<Figure>,
    /// Peak resident memory of the process, in MB (Linux only).
    pub peak_rss_mb: Option<f64>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn time<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let out = f();
    (out, ms(start.elapsed()))
}

/// Runs every measurement once on the shop at `path` (applying changes to a copy of it).
pub fn run(path: &Path, today: chrono::NaiveDate) -> Result<Report, SessionError> {
    let (index, mut figures) = loading_figures(path, today)?;
    let n = index.shop().settings.top_n;
    let customers = index.shop().customers.len();
    let lists = all_lists(&index, n, &Progress::default())
        .ok_or(crate::engine::simulate::SimulateError::Cancelled)?;
    let runs: Vec<f64> = (0..REPEATS)
        .map(|_| time(|| all_lists(&index, n, &Progress::default())).1)
        .collect();
    figures.push(percentiles(
        "all recommendations, whole shop",
        runs,
        customers,
    ));
    figures.push(explain_figure(&index, n));
    figures.extend(window_figures(&index));
    for (name, change) in sample_changes(&index) {
        let changes = [change];
        let runs: Vec<f64> = (0..REPEATS)
            .map(|_| {
                let progress = Progress::default();
                time(|| simulate(&index, Some(&lists), &changes, "bench", &progress)).1
            })
            .collect();
        figures.push(percentiles(&name, runs, customers));
    }
    let config = crate::engine::audit::AuditConfig::default();
    let runs: Vec<f64> = (0..REPEATS)
        .map(|_| time(|| crate::engine::audit::audit(&index, &lists, &config)).1)
        .collect();
    figures.push(percentiles(
        "full ethics audit (given every list)",
        runs,
        customers,
    ));
    figures.extend(relevance_figures(&index));
    figures.extend(apply_figures(path, &index, lists)?);
    let (products, order_lines) = (index.shop().products.len(), index.shop().lines.len());
    // The window's drag opens the shop as the window does: the snapshot above is let go
    // first, so the peak memory is that of one open shop.
    drop(index);
    figures.extend(drag_figures(path, today)?);
    Ok(Report {
        customers,
        products,
        order_lines,
        threads: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        figures,
        peak_rss_mb: peak_rss_mb(),
    })
}

/// The rules' relevance before and after a rule-weight change, as a simulation measures
/// it: first on a shop not measured before (the hold-out split, the past index and the
/// rules there, then the changed shop), then with the shop's measurement kept, as the
/// window keeps it between simulations.
fn relevance_figures(index: &ShopIndex) -> Vec<Figure> {
    use crate::engine::relevance::{BacktestConfig, hindsight, rules_before_after};
    let mut after = index.shop().clone();
    if let Some(rule) = after.rules.first_mut() {
        rule.weight = (rule.weight - 0.5).max(crate::engine::rules::MIN_WEIGHT);
    }
    let after = index.for_changed(Arc::new(after));
    let config = BacktestConfig::default();
    let progress = Progress::default();
    let both = |known: Option<&crate::engine::relevance::Hindsight>| {
        let measured;
        let before = match known {
            Some(b) => b,
            None => {
                measured = hindsight(index, &config, &progress).ok();
                measured.as_ref()?
            }
        };
        rules_before_after(index, before, &after, &progress).ok()
    };
    let first: Vec<f64> = (0..REPEATS).map(|_| time(|| both(None)).1).collect();
    let kept = hindsight(index, &config, &progress).ok();
    let again: Vec<f64> = (0..REPEATS)
        .map(|_| time(|| both(kept.as_ref())).1)
        .collect();
    vec![
        percentiles(
            "relevance before and after, first simulation",
            first,
            customers_of(index),
        ),
        percentiles(
            "relevance after, next simulations",
            again,
            customers_of(index),
        ),
    ]
}

/// A figure measured once.
fn once(name: &str, ms: f64, items: usize) -> Figure {
    Figure {
        name: name.into(),
        ms,
        p99_ms: None,
        items,
    }
}

/// Scanning, loading and indexing the shop, copying it and indexing the copy; with the
/// index.
fn loading_figures(
    path: &Path,
    today: chrono::NaiveDate,
) -> Result<(ShopIndex, Vec<Figure>), SessionError> {
    let (scanned, scan_ms) = time(|| bare_scan(path));
    let scanned = scanned?;
    let (shop, load_ms) = time(|| -> Result<_, StoreError> {
        let (store, _) = Store::open_for_reading(path)?;
        store.load()
    });
    let shop = shop?;
    let (index, index_ms) = time(|| index_for(Arc::new(shop), today));
    let lines = index.shop().lines.len();
    let (copy, copy_ms) = time(|| index.shop().clone());
    drop(copy);
    let (changed, rebuild_ms) = time(|| index.for_changed(index.shop_arc().clone()));
    drop(changed);
    let figures = vec![
        once("bare SQLite scan of the same rows", scan_ms, scanned),
        once("open and load the snapshot", load_ms, scanned),
        once("build the index", index_ms, lines),
        once("copy the snapshot (for a simulation)", copy_ms, lines),
        once("index the changed copy", rebuild_ms, customers_of(&index)),
    ];
    Ok((index, figures))
}

/// Summarizing customers for the table, and the table's frames at rest and scrolling.
fn window_figures(index: &ShopIndex) -> Vec<Figure> {
    let customers = index.shop().customers.len();
    let (rows, rows_ms) = time(|| crate::engine::overview::customer_rows(index));
    let (still, scrolling) = crate::ui::customer_table_frames(&rows, 120, 120);
    vec![
        once("summarize customers for the table", rows_ms, customers),
        percentiles(
            "window frame, customer table at rest (CPU)",
            still,
            customers,
        ),
        percentiles(
            "window frame, customer table scrolling (CPU)",
            scrolling,
            customers,
        ),
    ]
}

/// Median and p99 of repeated timings.
fn percentiles(name: &str, mut times: Vec<f64>, items: usize) -> Figure {
    times.sort_by(f64::total_cmp);
    let pick = |q: f64| {
        times
            .get(((times.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    Figure {
        name: name.into(),
        ms: pick(0.5),
        p99_ms: Some(pick(0.99)),
        items,
    }
}

/// Explaining one customer: median and p99 over up to 500 customers spread over the shop.
fn explain_figure(index: &ShopIndex, n: usize) -> Figure {
    let customers = index.shop().customers.len();
    let step = (customers / 500).max(1);
    let mut scorer = Scorer::new(index);
    let times: Vec<f64> = (0..customers)
        .step_by(step)
        .map(|c| time(|| explain(&mut scorer, c, n)).1)
        .collect();
    percentiles("explain one customer", times, customers)
}

/// The window's apply of a simulated scenario (each sample change in turn), on a copy of
/// the file in a temporary folder: the write, one read of the log with its chain checked,
/// and the shop shown afterwards (no list or audit computed again).
fn apply_figures(
    path: &Path,
    index: &ShopIndex,
    lists: crate::engine::simulate::Lists,
) -> Result<Vec<Figure>, SessionError> {
    let dir = ScratchDir::new().map_err(|e| StoreError::io(path, e))?;
    let copy = dir.0.join("shop.candor");
    std::fs::copy(path, &copy).map_err(|e| StoreError::io(path, e))?;
    let mut basis = Arc::new(index.for_changed(Arc::clone(index.shop_arc())));
    let mut head = Store::open_for_reading(&copy)?.0.log_head()?;
    let mut before = Arc::new(lists);
    let who = crate::store::Attribution::now("candor bench", "timing an apply");
    let mut figures = Vec::new();
    for (name, change) in sample_changes(index) {
        let request = Request {
            basis: Arc::clone(&basis),
            head: head.clone(),
            changes: vec![change],
            before_lists: Some(Arc::clone(&before)),
            audit_config: crate::engine::audit::AuditConfig::default(),
            audit_before: None,
            relevance_before: None,
        };
        let outcome = crate::session::simulate::simulate(request, &Progress::default())?;
        let (done, apply_ms) = time(|| crate::session::apply::apply(&copy, &outcome, &who));
        let done = done?;
        figures.push(Figure {
            name: name.replace(
                "whole-shop simulation",
                "apply a simulated scenario (window)",
            ),
            ms: apply_ms,
            p99_ms: None,
            items: customers_of(index),
        });
        (basis, head, before) = (done.loaded.index, done.loaded.head, done.loaded.lists);
    }
    Ok(figures)
}

/// How many scripted drags of a weight slider are timed.
const DRAGS: usize = 6;

/// The window's update latency under a scripted drag of a weight slider: from the pointer
/// stopping to the lists and impact shown, and to the audit and relevance shown. The first
/// drag also measures the relevance before (the window keeps it), so it is left out of the
/// median and reported on its own.
fn drag_figures(path: &Path, today: chrono::NaiveDate) -> Result<Vec<Figure>, SessionError> {
    let loaded = crate::session::load_blocking(path, today)?;
    let customers = loaded.index.shop().customers.len();
    let timings =
        crate::ui::weight_drag_latency(&loaded, DRAGS).map_err(SessionError::WindowSimulation)?;
    let Some(crate::ui::DragTimings { lists, everything }) = timings else {
        return Ok(Vec::new());
    };
    Ok(vec![
        once(
            "window, weight drag: audit and relevance shown, first drag",
            everything[0],
            customers,
        ),
        percentiles(
            "window, weight drag: lists and impact shown after the pointer stops",
            lists[1..].to_vec(),
            customers,
        ),
        percentiles(
            "window, weight drag: audit and relevance shown after the pointer stops",
            everything[1..].to_vec(),
            customers,
        ),
    ])
}

/// A folder of its own under the system's temporary folder, removed when dropped.
struct ScratchDir(std::path::PathBuf);

impl ScratchDir {
    fn new() -> std::io::Result<Self> {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("candor-bench-{}-{stamp}", std::process::id()));
        std::fs::create_dir(&dir)?;
        Ok(Self(dir))
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        // Only a temporary copy: if it cannot be removed, the system's cleanup will.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A rule-weight change and a consent withdrawal, as whole-shop simulations.
fn sample_changes(index: &ShopIndex) -> Vec<(String, Change)> {
    let shop = index.shop();
    let mut out = Vec::new();
    if let Some(rule) = shop.rules.iter().find(|r| r.enabled) {
        out.push((
            "whole-shop simulation: one rule weight".into(),
            Change::RuleWeight {
                rule: rule.id.clone(),
                weight: (rule.weight / 2.0).clamp(-5.0, 5.0),
            },
        ));
    }
    if let (Some(c), Some(p)) = (shop.customers.first(), shop.purposes.first()) {
        out.push((
            "whole-shop simulation: one consent withdrawal".into(),
            Change::Consent {
                customer: c.id,
                purpose: p.id.clone(),
                granted: false,
                method: None,
                words: None,
            },
        ));
    }
    out
}

/// Peak resident set size from /proc (Linux); `None` elsewhere.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn customers_of(index: &ShopIndex) -> usize {
    index.shop().customers.len()
}
