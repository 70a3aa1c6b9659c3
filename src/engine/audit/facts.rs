//! What the audit measures about each customer's list, computed once on all cores and
//! then summed up per group: mean price, premium and promotion outcomes, category
//! exposure, and the diversity of the list against the customer's history.

use super::super::index::ShopIndex;
use super::super::rules::{PriceBand, Rule};
use super::super::score::{RuleStatus, rule_status, rule_visits_and_amount};
use super::super::simulate::Lists;

/// Per-customer facts, indexed by customer position.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// Number of product categories (the width of `exposure`).
    pub categories: usize,
    /// Mean price of the customer's list in major units of the shop's currency (pounds
    /// for GBP); `None` for an empty list.
    pub mean_price: Vec<Option<f64>>,
    /// At least one premium product (top price quartile) in the list: `None` (not known)
    /// when none is premium but a product on it has no known price, which might be.
    pub premium: Vec<Option<bool>>,
    /// A promotion rule adds to at least one product in the list.
    pub promotion: Vec<bool>,
    /// Position-weighted exposure of each category in the list, `customers × categories`.
    pub exposure: Vec<f64>,
    /// Intra-list diversity; `None` for lists shorter than two.
    pub intra_list_diversity: Vec<Option<f64>>,
    /// Mean novelty of the list's items in bits; `None` for an empty list.
    pub novelty: Vec<Option<f64>>,
    /// Share of the list outside the customer's past categories; `None` without history.
    pub unfamiliar: Vec<Option<f64>>,
    /// Calibration (KL divergence, bits); `None` without history or list.
    pub calibration: Vec<Option<f64>>,
}

/// The exposure an item gets at rank `j` (1 = top): 1 / log2(1 + j).
pub fn position_weight(rank: usize) -> f64 {
    1.0 / ((1 + rank) as f64).log2()
}

/// Words in a rule's reason, or in its purpose, that make it a promotion (a price
/// advantage rather than a suggestion).
pub const PROMOTION_WORDS: [&str; 10] = [
    "% off",
    "discount",
    "offer",
    "free ",
    "voucher",
    "coupon",
    "sale",
    "deal",
    "half price",
    "two for",
];

/// Whether a rule is a discount or promotion: its reason or purpose mentions one of
/// [`PROMOTION_WORDS`].
pub fn is_promotion(rule: &Rule) -> bool {
    let reason = rule.reason.to_lowercase();
    let purpose = rule.purpose.to_lowercase().replace('_', " ");
    PROMOTION_WORDS
        .iter()
        .any(|w| reason.contains(w) || purpose.contains(w.trim()))
}

/// Novelty of each product in bits: −log2 of its share of all purchases, with add-one
/// smoothing so a never-bought product has a finite value:
/// share = (positive order lines of the product + 1) / (all positive order lines + products).
pub fn novelty_bits(index: &ShopIndex) -> Vec<f64> {
    let shop = index.shop();
    let today = index.today();
    let mut bought = vec![0u64; shop.products.len()];
    for (o, order) in shop.orders.iter().enumerate() {
        if order.date > today {
            continue;
        }
        for l in index.lines_of(o) {
            if shop.lines[l].quantity > 0
                && let Some(p) = index.line_product(l)
            {
                bought[p] += 1;
            }
        }
    }
    let total = bought.iter().sum::<u64>() as f64 + shop.products.len() as f64;
    bought
        .iter()
        .map(|&b| -((b as f64 + 1.0) / total).log2())
        .collect()
}

/// Computes every customer's facts on all cores.
pub fn facts(index: &ShopIndex, lists: &Lists) -> Facts {
    let customers = index.shop().customers.len();
    let novelty = index.novelty();
    let promotions: Vec<&Rule> = index
        .shop()
        .rules
        .iter()
        .filter(|r| r.enabled && is_promotion(r))
        .collect();
    let per = crate::engine::parallel::range_length(customers);
    let parts: Vec<Facts> = crate::engine::parallel::over_ranges(customers, per, |range| {
        facts_for(index, lists, range, novelty, &promotions)
    });
    let mut all = Facts {
        categories: index.categories().len(),
        ..Facts::default()
    };
    for part in parts {
        all.mean_price.extend(part.mean_price);
        all.premium.extend(part.premium);
        all.promotion.extend(part.promotion);
        all.exposure.extend(part.exposure);
        all.intra_list_diversity.extend(part.intra_list_diversity);
        all.novelty.extend(part.novelty);
        all.unfamiliar.extend(part.unfamiliar);
        all.calibration.extend(part.calibration);
    }
    all
}

/// The mean known price of a list in the shop's currency; not known when no product on it
/// has a price (products whose price is not known are left out of the mean).
fn mean_price(shop: &crate::engine::model::Shop, list: &[usize]) -> Option<f64> {
    let known: Vec<i64> = list
        .iter()
        .filter_map(|&p| shop.products[p].price_cents)
        .collect();
    (!known.is_empty()).then(|| {
        known.iter().sum::<i64>() as f64
            / known.len() as f64
            / shop.settings.currency.minor_per_major() as f64
    })
}

/// Whether a list shows a premium product: yes when one is, no when every product on it
/// has a known price and none is premium, not known otherwise.
fn premium_shown(index: &ShopIndex, list: &[usize]) -> Option<bool> {
    let bands: Vec<Option<PriceBand>> = list.iter().map(|&p| index.price_band(p)).collect();
    if bands.contains(&Some(PriceBand::Premium)) {
        Some(true)
    } else if bands.iter().all(Option::is_some) {
        Some(false)
    } else {
        None
    }
}

/// The share of pairs on a list of `n` from different categories, given the count per
/// category; not measurable with fewer than two products.
fn intra_list_diversity(per_category: &[f32], n: usize) -> Option<f64> {
    let pairs = n * n.saturating_sub(1) / 2;
    (pairs > 0).then(|| {
        let same: usize = per_category
            .iter()
            .map(|&m| {
                let m = m as usize;
                m * m.saturating_sub(1) / 2
            })
            .sum();
        1.0 - same as f64 / pairs as f64
    })
}

/// Fills `history` with customer `c`'s purchased lines per category.
fn purchases_per_category(index: &ShopIndex, c: usize, history: &mut [f32]) {
    history.fill(0.0);
    for &(k, lines) in index.purchases().lines_per_category(c) {
        history[k as usize] = lines as f32;
    }
}

fn facts_for(
    index: &ShopIndex,
    lists: &Lists,
    range: std::ops::Range<usize>,
    novelty: &[f64],
    promotions: &[&Rule],
) -> Facts {
    let shop = index.shop();
    let k = index.categories().len();
    let mut out = Facts {
        categories: k,
        ..Facts::default()
    };
    let mut history = vec![0f32; k];
    let mut recommended = vec![0f32; k];
    for c in range {
        let list: Vec<usize> = lists
            .get(c)
            .map(|l| l.iter().map(|&p| p as usize).collect())
            .unwrap_or_default();
        let n = list.len();
        out.mean_price.push(mean_price(shop, &list));
        out.premium.push(premium_shown(index, &list));
        out.promotion.push(promotions.iter().any(|rule| {
            rule_status(index, rule, c) == RuleStatus::Runs
                && list.iter().any(|&p| {
                    rule_visits_and_amount(index, rule, c, p)
                        .is_some_and(|(_, amount)| rule.weight * amount > 0.0)
                })
        }));
        let row = out.exposure.len();
        out.exposure.resize(row + k, 0.0);
        recommended.fill(0.0);
        for (j, &p) in list.iter().enumerate() {
            let cat = index.category_of(p);
            out.exposure[row + cat] += position_weight(j + 1);
            recommended[cat] += 1.0;
        }
        out.intra_list_diversity
            .push(intra_list_diversity(&recommended, n));
        out.novelty
            .push((n > 0).then(|| list.iter().map(|&p| novelty[p]).sum::<f64>() / n as f64));
        purchases_per_category(index, c, &mut history);
        let has_history = history.iter().any(|&h| h > 0.0);
        out.unfamiliar.push((has_history && n > 0).then(|| {
            list.iter()
                .filter(|&&p| history[index.category_of(p)] == 0.0)
                .count() as f64
                / n as f64
        }));
        out.calibration
            .push(super::stats::calibration_kl(&history, &recommended));
    }
    out
}
