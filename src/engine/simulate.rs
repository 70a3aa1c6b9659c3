//! Simulation: apply a scenario to a copy of the snapshot and compare every customer's
//! list before and after, without writing anything. Runs across all cores, reports
//! progress and can be cancelled.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde::Serialize;

use super::changes::{Applied, Change, ChangeContext, ChangeError, apply_all};
use super::explain::{Explanation, explain};
use super::index::ShopIndex;
use super::model::{CustomerId, ProductId};
use super::score::Scorer;

/// Customers per unit of work between progress and cancel checks.
const CHUNK: usize = 512;

/// Every customer's top N, as product positions in the snapshot.
pub type Lists = Vec<Vec<u32>>;

/// Shared progress of a long computation: customers done, and a cancel flag.
#[derive(Debug, Default)]
pub struct Progress {
    /// Customers finished so far (before and after lists count separately).
    pub done: AtomicUsize,
    /// Set to stop early.
    pub cancel: AtomicBool,
}

/// Every customer's top `n`, computed on all cores; `None` when cancelled.
pub fn all_lists(index: &ShopIndex, n: usize, progress: &Progress) -> Option<Lists> {
    let customers = index.shop().customers.len();
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let next = AtomicUsize::new(0);
    let mut chunks: Vec<(usize, Lists)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut scorer = Scorer::new(index);
                    let mut out = Vec::new();
                    loop {
                        if progress.cancel.load(Ordering::Relaxed) {
                            break;
                        }
                        let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                        if start >= customers {
                            break;
                        }
                        let end = (start + CHUNK).min(customers);
                        let lists: Lists = (start..end)
                            .map(|c| {
                                let plan = scorer.plan(c);
                                scorer
                                    .top(&plan, n, &[])
                                    .iter()
                                    .map(|r| r.product as u32)
                                    .collect()
                            })
                            .collect();
                        progress.done.fetch_add(end - start, Ordering::Relaxed);
                        out.push((start, lists));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    if progress.cancel.load(Ordering::Relaxed) {
        return None;
    }
    chunks.sort_by_key(|(start, _)| *start);
    Some(chunks.into_iter().flat_map(|(_, lists)| lists).collect())
}

/// The effect of a scenario on the whole shop.
#[derive(Clone, Debug, Serialize)]
pub struct Impact {
    /// Customers in the shop.
    pub customers_total: usize,
    /// Customers whose list changed (membership or order).
    pub customers_changed: usize,
    /// Products whose exposure (customers it is recommended to) changed, largest change first.
    pub exposure: Vec<ExposureChange>,
    /// Mean price of recommended products, in pounds.
    pub mean_recommended_price: BeforeAfter,
    /// Recommended prices in bands, share of all recommendations.
    pub recommended_price_bands: Vec<ShareChange>,
    /// Category share of all recommendations.
    pub category_share: Vec<ShareChange>,
}

/// One figure before and after.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct BeforeAfter {
    /// Before the scenario.
    pub before: f64,
    /// After it.
    pub after: f64,
}

/// How many customers a product is recommended to, before and after.
#[derive(Clone, Debug, Serialize)]
pub struct ExposureChange {
    /// Product number.
    pub product: ProductId,
    /// Product name.
    pub name: String,
    /// Customers before.
    pub before: usize,
    /// Customers after.
    pub after: usize,
    /// after − before.
    pub change: i64,
}

/// A share of all recommendations, before and after.
#[derive(Clone, Debug, Serialize)]
pub struct ShareChange {
    /// The group (category or price band).
    pub group: String,
    /// Share before, 0 to 1.
    pub before: f64,
    /// Share after, 0 to 1.
    pub after: f64,
}

/// A computed simulation.
pub struct Simulation {
    /// The snapshot with the scenario applied, indexed for the same day.
    pub after: Arc<ShopIndex>,
    /// Each change with its before and after values.
    pub applied: Vec<Applied>,
    /// Whole-shop effect.
    pub impact: Impact,
    /// Every customer's list after the scenario.
    pub after_lists: Lists,
}

/// Why a simulation did not finish.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SimulateError {
    /// A change is invalid.
    #[error(transparent)]
    Invalid(#[from] ChangeError),
    /// Someone pressed Cancel.
    #[error("the simulation was cancelled")]
    Cancelled,
}

/// Applies `changes` to a copy of the snapshot behind `before` and compares every
/// customer's list. `before_lists` may be passed when already known.
pub fn simulate(
    before: &ShopIndex,
    before_lists: Option<&Lists>,
    changes: &[Change],
    actor: &str,
    progress: &Progress,
) -> Result<Simulation, SimulateError> {
    let mut shop = before.shop().clone();
    let ctx = ChangeContext {
        today: before.today(),
        actor: actor.to_owned(),
    };
    let applied = apply_all(&mut shop, changes, &ctx)?;
    let after = Arc::new(ShopIndex::new(Arc::new(shop), before.today()));
    let n = before.shop().settings.top_n;
    let computed;
    let before_lists = match before_lists {
        Some(lists) => lists,
        None => {
            computed = all_lists(before, n, progress).ok_or(SimulateError::Cancelled)?;
            &computed
        }
    };
    let after_lists = all_lists(&after, n, progress).ok_or(SimulateError::Cancelled)?;
    let impact = impact(before, before_lists, &after_lists);
    Ok(Simulation {
        after,
        applied,
        impact,
        after_lists,
    })
}

/// Compares two sets of lists over the same products.
pub fn impact(index: &ShopIndex, before: &Lists, after: &Lists) -> Impact {
    let shop = index.shop();
    let customers_changed = before.iter().zip(after).filter(|(b, a)| b != a).count();
    let count = |lists: &Lists| {
        let mut counts = vec![0usize; shop.products.len()];
        for &p in lists.iter().flatten() {
            counts[p as usize] += 1;
        }
        counts
    };
    let (cb, ca) = (count(before), count(after));
    let mut exposure: Vec<ExposureChange> = (0..shop.products.len())
        .filter(|&p| cb[p] != ca[p])
        .map(|p| ExposureChange {
            product: shop.products[p].id,
            name: shop.products[p].name.clone(),
            before: cb[p],
            after: ca[p],
            change: ca[p] as i64 - cb[p] as i64,
        })
        .collect();
    exposure.sort_by_key(|e| (std::cmp::Reverse(e.change.abs()), e.product));

    let mean_price = |lists: &Lists| {
        let (sum, n) = lists.iter().flatten().fold((0i64, 0usize), |(s, n), &p| {
            (s + shop.products[p as usize].price_cents, n + 1)
        });
        if n == 0 {
            0.0
        } else {
            sum as f64 / n as f64 / 100.0
        }
    };
    let shares = |group_of: &dyn Fn(usize) -> String| {
        let tally = |lists: &Lists| {
            let mut m: BTreeMap<String, usize> = BTreeMap::new();
            for &p in lists.iter().flatten() {
                *m.entry(group_of(p as usize)).or_default() += 1;
            }
            m
        };
        let (tb, ta) = (tally(before), tally(after));
        let total = |m: &BTreeMap<String, usize>| m.values().sum::<usize>().max(1) as f64;
        let keys: std::collections::BTreeSet<&String> = tb.keys().chain(ta.keys()).collect();
        keys.into_iter()
            .map(|k| ShareChange {
                group: k.clone(),
                before: *tb.get(k).unwrap_or(&0) as f64 / total(&tb),
                after: *ta.get(k).unwrap_or(&0) as f64 / total(&ta),
            })
            .collect::<Vec<_>>()
    };
    Impact {
        customers_total: shop.customers.len(),
        customers_changed,
        exposure,
        mean_recommended_price: BeforeAfter {
            before: mean_price(before),
            after: mean_price(after),
        },
        recommended_price_bands: shares(&|p| price_band_label(shop.products[p].price_cents)),
        category_share: shares(&|p| shop.products[p].category.clone()),
    }
}

/// Fixed price bands for distribution charts (the same for every shop, so they compare).
pub const PRICE_BANDS: [&str; 5] = ["under £3", "£3–£5", "£5–£10", "£10–£25", "£25 and over"];

fn price_band_label(cents: i64) -> String {
    let i = match cents {
        ..300 => 0,
        300..500 => 1,
        500..1000 => 2,
        1000..2500 => 3,
        _ => 4,
    };
    PRICE_BANDS[i].to_owned()
}

/// One customer's explanation before and after a simulation.
pub fn customer_before_after(
    before: &ShopIndex,
    after: &ShopIndex,
    customer: CustomerId,
) -> Option<(Explanation, Explanation)> {
    let n = before.shop().settings.top_n;
    let b = before.customer_pos(customer)?;
    let a = after.customer_pos(customer)?;
    Some((
        explain(&mut Scorer::new(before), b, n),
        explain(&mut Scorer::new(after), a, n),
    ))
}
