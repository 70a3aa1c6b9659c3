//! Simulation: apply a scenario to a copy of the snapshot and compare every customer's
//! list before and after, without writing anything. Runs across all cores, reports
//! progress and can be cancelled.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde::Serialize;

use super::changes::{Applied, Change, ChangeContext, ChangeError, apply_all};
use super::explain::{Explanation, explain};
use super::index::ShopIndex;
use super::model::Shop;
use super::model::{CustomerId, ProductId};
use super::money::Currency;
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
    let everyone: Vec<usize> = (0..index.shop().customers.len()).collect();
    lists_for(index, n, &everyone, progress)
}

/// The top `n` of the customers at `positions`, in that order, on all cores.
pub fn lists_for(
    index: &ShopIndex,
    n: usize,
    positions: &[usize],
    progress: &Progress,
) -> Option<Lists> {
    per_customer(index, positions, progress, |scorer, c| {
        let plan = scorer.plan(c);
        scorer
            .top_fast(&plan, n)
            .iter()
            .map(|r| r.product as u32)
            .collect()
    })
}

/// `work` for each customer at `positions`, in that order, on all cores, each worker with
/// its own scorer; `None` when cancelled.
pub fn per_customer<T: Send>(
    index: &ShopIndex,
    positions: &[usize],
    progress: &Progress,
    work: impl Fn(&mut Scorer, usize) -> T + Sync,
) -> Option<Vec<T>> {
    let customers = positions.len();
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let next = AtomicUsize::new(0);
    let mut chunks: Vec<(usize, Vec<T>)> = std::thread::scope(|scope| {
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
                        let done: Vec<T> = positions[start..end]
                            .iter()
                            .map(|&c| work(&mut scorer, c))
                            .collect();
                        progress.done.fetch_add(end - start, Ordering::Relaxed);
                        out.push((start, done));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(super::parallel::joined)
            .collect()
    });
    if progress.cancel.load(Ordering::Relaxed) {
        return None;
    }
    chunks.sort_by_key(|(start, _)| *start);
    Some(chunks.into_iter().flat_map(|(_, done)| done).collect())
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
    /// The shop's currency (ISO 4217 code), the unit of the prices and bands here.
    pub currency: super::money::Currency,
    /// Mean price of the recommended products whose price is known, in major units of the
    /// shop's currency (pounds for GBP); `null` when none has a known price.
    pub mean_recommended_price: BeforeAfter,
    /// Recommended prices in bands, share of all recommendations.
    pub recommended_price_bands: Vec<ShareChange>,
    /// Category share of all recommendations.
    pub category_share: Vec<ShareChange>,
}

/// One figure before and after.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct BeforeAfter {
    /// Before the scenario; `None` (JSON `null`) when it cannot be computed.
    pub before: Option<f64>,
    /// After it; `None` when it cannot be computed.
    pub after: Option<f64>,
}

impl BeforeAfter {
    /// A mean price for people: the amount, or "not known".
    pub fn price_text(value: Option<f64>, currency: Currency) -> String {
        value.map_or_else(
            || "not known (no recommended product has a known price)".to_owned(),
            |v| currency.format(currency.from_major(v)),
        )
    }
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
    /// The relevance before and after could not be measured.
    #[error("the relevance of the lists could not be measured: {0}")]
    Relevance(String),
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
    let ctx = ChangeContext::now(actor);
    let (shop, applied) = apply_all(before.shop().clone(), changes, &ctx)?;
    let after = Arc::new(before.for_changed(Arc::new(shop)));
    let n = before.shop().settings.top_n;
    let n_after = after.shop().settings.top_n;
    let computed;
    let before_lists = match before_lists {
        Some(lists) => lists,
        None => {
            computed = all_lists(before, n, progress).ok_or(SimulateError::Cancelled)?;
            &computed
        }
    };
    let after_lists = match affected_customers(before, &after, changes) {
        Some(customers) => {
            let mut lists = before_lists.clone();
            let fresh =
                lists_for(&after, n_after, &customers, progress).ok_or(SimulateError::Cancelled)?;
            for (c, list) in customers.into_iter().zip(fresh) {
                lists[c] = list;
            }
            lists
        }
        None => all_lists(&after, n_after, progress).ok_or(SimulateError::Cancelled)?,
    };
    let impact = if after.shop().customers.len() == before.shop().customers.len() {
        impact(before, &after, before_lists, &after_lists)
    } else {
        impact(
            before,
            &after,
            before_lists,
            &aligned(before, &after, &after_lists),
        )
    };
    Ok(Simulation {
        after,
        applied,
        impact,
        after_lists,
    })
}

/// The lists after a change that removed or restored customers (a merge or its undo), in
/// the order of the customers before: a customer who is no longer there has no list.
fn aligned(before: &ShopIndex, after: &ShopIndex, after_lists: &Lists) -> Lists {
    before
        .shop()
        .customers
        .iter()
        .map(|c| {
            after
                .customer_pos(c.id)
                .map(|pos| after_lists[pos].clone())
                .unwrap_or_default()
        })
        .collect()
}

/// Compares two sets of lists over the same products: the lists before, read with the
/// shop before (`index`), and the lists after, read with the shop after (`changed`: a
/// simulated price or category counts at its new value). Changes never add or remove
/// products, so a product has the same position in both.
pub fn impact(index: &ShopIndex, changed: &ShopIndex, before: &Lists, after: &Lists) -> Impact {
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

    let currency = shop.settings.currency;
    // Every figure below is a sum over the recommendations, so it is read from the
    // products' counts (integers: the same result as summing list by list), each side with
    // its own shop's prices and categories.
    // Products whose price is not known are left out of the mean.
    let mean_price = |counts: &[usize], side: &Shop| {
        let (sum, n) = counts
            .iter()
            .zip(side.products.iter())
            .filter_map(|(&k, p)| p.price_cents.map(|price| (k, price)))
            .fold((0i64, 0usize), |(s, n), (k, price)| {
                (s + k as i64 * price, n + k)
            });
        (n > 0).then(|| currency.to_major(sum) / n as f64)
    };
    let band_of = |side: &Shop, p: usize| {
        side.products[p]
            .price_cents
            .map_or(PRICE_BAND_BOUNDS.len() + 1, |price| {
                price_band(price, currency)
            })
    };
    let mut categories: Vec<String> = index.categories().to_vec();
    categories.extend(changed.categories().iter().cloned());
    categories.sort();
    categories.dedup();
    let category_of = |side: &ShopIndex, p: usize| {
        let name = &side.categories()[side.category_of(p)];
        categories.binary_search(name).unwrap_or(0)
    };
    Impact {
        currency,
        customers_total: shop.customers.len(),
        customers_changed,
        exposure,
        mean_recommended_price: BeforeAfter {
            before: mean_price(&cb, shop),
            after: mean_price(&ca, changed.shop()),
        },
        recommended_price_bands: shares(
            &price_band_names(currency),
            [&cb, &ca],
            [&|p| band_of(shop, p), &|p| band_of(changed.shop(), p)],
        ),
        category_share: shares(
            &categories,
            [&cb, &ca],
            [&|p| category_of(index, p), &|p| category_of(changed, p)],
        ),
    }
}

/// Each group's share of all recommendations before and after, from each product's count
/// of recommendations (`counts`) and its group on each side (`group_of`); groups
/// recommended on neither side are left out.
fn shares(
    names: &[String],
    counts: [&[usize]; 2],
    group_of: [&dyn Fn(usize) -> usize; 2],
) -> Vec<ShareChange> {
    let tally = |side: usize| {
        let mut tallies = vec![0usize; names.len()];
        for (p, &k) in counts[side].iter().enumerate() {
            tallies[group_of[side](p)] += k;
        }
        tallies
    };
    let (tb, ta) = (tally(0), tally(1));
    let total = |tallies: &[usize]| tallies.iter().sum::<usize>().max(1) as f64;
    names
        .iter()
        .enumerate()
        .filter(|&(g, _)| tb[g] + ta[g] > 0)
        .map(|(g, name)| ShareChange {
            group: name.clone(),
            before: tb[g] as f64 / total(&tb),
            after: ta[g] as f64 / total(&ta),
        })
        .collect()
}

/// The bounds of the fixed price bands for distribution charts, in major units of the
/// shop's currency (the same for every shop of a currency, so they compare).
const PRICE_BAND_BOUNDS: [i64; 4] = [3, 5, 10, 25];

/// The names of the price bands: "under £3", "£3–£5", …, "£25 and over", and "price not
/// known" (shown only where such products are recommended).
pub fn price_band_names(currency: Currency) -> Vec<String> {
    let [a, b, c, d] = PRICE_BAND_BOUNDS.map(|n| currency.format_whole(n));
    vec![
        format!("under {a}"),
        format!("{a}–{b}"),
        format!("{b}–{c}"),
        format!("{c}–{d}"),
        format!("{d} and over"),
        super::money::PRICE_NOT_KNOWN.to_owned(),
    ]
}

/// The position in [`price_band_names`] of a price in minor units.
fn price_band(minor: i64, currency: Currency) -> usize {
    PRICE_BAND_BOUNDS
        .iter()
        .position(|&bound| minor < bound * currency.minor_per_major())
        .unwrap_or(PRICE_BAND_BOUNDS.len())
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

/// The customers whose list a set of changes can alter, or `None` for "anyone".
/// A new weight reaches only the customers the rule runs for and gives something to (a
/// weight decides neither who the rule runs for, nor what it gives before its weight, nor
/// whether a list counts as personalized); any other rule
/// change reaches the customers who pass the rule's consent gate before or after (it may
/// run for them, or decide whether their list counts as personalized); a consent, field or
/// preference change reaches its customer; a product change (price bands, stock) anyone.
fn affected_customers(
    before: &ShopIndex,
    after: &ShopIndex,
    changes: &[Change],
) -> Option<Vec<usize>> {
    let mut rules: Vec<&str> = Vec::new();
    let mut weights: Vec<&str> = Vec::new();
    let mut customers: Vec<usize> = Vec::new();
    for change in changes {
        match change {
            Change::Product { .. }
            | Change::Purpose { .. }
            | Change::Setting { .. }
            | Change::MergeCustomers { .. }
            | Change::SplitCustomers { .. }
            | Change::NewCustomer { .. }
            | Change::CustomerRemoved { .. } => {
                return None;
            }
            Change::FieldRetention { .. } => {}
            Change::Consent { customer, .. }
            | Change::Preference { customer, .. }
            | Change::CustomerField { customer, .. } => {
                customers.extend(before.customer_pos(*customer));
            }
            Change::RuleWeight { rule, .. } => weights.push(rule),
            other => rules.extend(other.rule_id()),
        }
    }
    if !weights.is_empty() {
        use super::score::RuleStatus;
        let weighted: Vec<&super::rules::Rule> = before
            .shop()
            .rules
            .iter()
            .filter(|r| weights.contains(&r.id.as_str()))
            .collect();
        customers.extend((0..before.shop().customers.len()).filter(|&c| {
            weighted.iter().any(|r| {
                super::score::rule_status(before, r, c) == RuleStatus::Runs
                    && super::ranking::gives_something(before, r, c)
            })
        }));
    }
    if !rules.is_empty() {
        use super::score::{RuleStatus, SkipReason};
        let runs = |index: &ShopIndex, c: usize| {
            index.shop().rules.iter().any(|r| {
                rules.contains(&r.id.as_str())
                    && !matches!(
                        super::score::rule_status(index, r, c),
                        RuleStatus::Skipped(
                            SkipReason::Disabled
                                | SkipReason::OutsidePurpose { .. }
                                | SkipReason::NoConsent
                                | SkipReason::AgreedBeforeCovered { .. }
                        )
                    )
            })
        };
        customers.extend(
            (0..before.shop().customers.len()).filter(|&c| runs(before, c) || runs(after, c)),
        );
    }
    customers.sort_unstable();
    customers.dedup();
    Some(customers)
}
