//! Exact top N for whole-shop work, without touching every product.
//!
//! Products that the same static rules target and that share a category receive exactly
//! the same boosts for any customer, so they form a class whose members rank by
//! baseline alone. A customer's top N is then a k-way merge over the classes (each
//! pre-sorted by baseline), plus the few products boosted one by one ("bought before").
//! Sums are taken in rule order, as in [`Scorer::top`], so scores and ties are identical.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::index::ShopIndex;
use super::rules::{Amount, Target};
use super::score::{CustomerPlan, Ranked, RuleStatus, Scorer, window_start};

/// What one running rule gives this customer, weight included.
enum RuleValue {
    /// The same value to every product of its static target.
    Static(f64),
    /// A value per category the customer bought from.
    PerCategory(Vec<(usize, f64)>),
    /// A value per product the customer bought.
    PerProduct(Vec<(usize, f64)>),
    /// Nothing (not running, or zero).
    None,
}

/// A class's next candidate in the merge.
pub(super) struct Head {
    score: f64,
    id: i64,
    class: usize,
    at: usize,
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Head {}
impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Head {
    /// Higher score first, then lower product id.
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then(other.id.cmp(&self.id))
    }
}

impl Scorer<'_> {
    /// The customer's top `n`, identical to [`Scorer::top`] with no rules left out, in
    /// time proportional to the number of classes rather than products.
    pub fn top_fast(&mut self, plan: &CustomerPlan, n: usize) -> Vec<Ranked> {
        self.top_fast_without(plan, n, &[])
    }

    /// As [`Scorer::top`] with the rules at positions `without` left out, but fast.
    pub fn top_fast_without(
        &mut self,
        plan: &CustomerPlan,
        n: usize,
        without: &[usize],
    ) -> Vec<Ranked> {
        if self.ensure_classes().is_none() {
            return self.top(plan, n, without);
        }
        let mut buffer = std::mem::take(&mut self.heap_buffer);
        let this = &*self;
        let Some(classes) = this.classes_ref() else {
            return Vec::new();
        };
        let index = this.index();
        let shop = index.shop();
        let values = rule_values(index, plan, without);
        let sum_for = |mask: u64, category: usize, product: Option<usize>| {
            rules_sum(&values, &classes.bit_of_rule, mask, category, product)
        };
        let one_by_one = scored_one_by_one(&values);

        let mut out: Vec<Ranked> = one_by_one
            .iter()
            .filter(|&&p| this.exclusion(plan, p).is_none())
            .map(|&p| Ranked {
                product: p,
                score: this.baseline(p) + sum_for(classes.mask[p], index.category_of(p), Some(p)),
            })
            .collect();

        let class_sums = class_sums(&values, classes);
        let head = |class: usize, at: usize| {
            let members = &classes.classes[class];
            members.baselines.get(at).map(|&baseline| Head {
                score: baseline + class_sums[class],
                id: members.ids[at],
                class,
                at,
            })
        };
        buffer.clear();
        buffer.extend((0..classes.classes.len()).filter_map(|c| head(c, 0)));
        let mut heap = BinaryHeap::from(buffer);
        // The heap yields products best first as long as each class's own order (by
        // baseline) agrees with (score, id). Two baselines can round to one score with the
        // higher id first; then the plain path decides, so ties stay exact.
        let mut disordered = false;
        let mut taken = 0;
        while taken < n {
            let Some(h) = heap.pop() else {
                break;
            };
            if let Some(next) = head(h.class, h.at + 1) {
                disordered |= next.score == h.score && next.id < h.id;
                heap.push(next);
            }
            let p = classes.classes[h.class].products[h.at] as usize;
            if one_by_one.binary_search(&p).is_ok() || this.exclusion(plan, p).is_some() {
                continue;
            }
            out.push(Ranked {
                product: p,
                score: h.score,
            });
            taken += 1;
        }
        self.heap_buffer = heap.into_vec();
        if disordered {
            return self.top(plan, n, without);
        }
        super::score::best_first(&mut out, shop, n);
        out
    }
}

/// What each rule gives the customer of `plan`: nothing for a rule that does not run for
/// them or is left out (`without`).
fn rule_values(index: &ShopIndex, plan: &CustomerPlan, without: &[usize]) -> Vec<RuleValue> {
    index
        .shop()
        .rules
        .iter()
        .zip(&plan.statuses)
        .enumerate()
        .map(|(r, (rule, status))| {
            if *status != RuleStatus::Runs || without.contains(&r) {
                return RuleValue::None;
            }
            rule_value(index, rule, plan.customer)
        })
        .collect()
}

/// The sum of the rules' `values` for a product of a class with this rule `mask`, in
/// `category`, and (for per-product values) this product.
fn rules_sum(
    values: &[RuleValue],
    bit_of_rule: &[Option<u32>],
    mask: u64,
    category: usize,
    product: Option<usize>,
) -> f64 {
    let mut s = 0.0;
    for (r, value) in values.iter().enumerate() {
        match value {
            RuleValue::Static(v) => {
                if bit_of_rule[r].is_some_and(|b| mask & (1 << b) != 0) {
                    s += v;
                }
            }
            RuleValue::PerCategory(list) => {
                if let Some((_, v)) = list.iter().find(|(c, _)| *c == category) {
                    s += v;
                }
            }
            RuleValue::PerProduct(list) => {
                if let Some(p) = product
                    && let Ok(i) = list.binary_search_by_key(&p, |&(q, _)| q)
                {
                    s += list[i].1;
                }
            }
            RuleValue::None => {}
        }
    }
    s
}

/// What the rules' `values` add to every product of each class: the same sums as
/// [`rules_sum`] (each class's in rule order, so the same floating-point result), taken
/// rule by rule over the classes each value reaches instead of class by class over every
/// rule.
fn class_sums(values: &[RuleValue], classes: &super::classes::Classes) -> Vec<f64> {
    let mut sums = vec![0.0; classes.classes.len()];
    for (r, value) in values.iter().enumerate() {
        match value {
            RuleValue::Static(v) => {
                if let Some(b) = classes.bit_of_rule[r] {
                    for &k in &classes.with_bit[b as usize] {
                        sums[k as usize] += v;
                    }
                }
            }
            RuleValue::PerCategory(list) => {
                for &(category, v) in list {
                    for &k in &classes.in_category[category] {
                        sums[k as usize] += v;
                    }
                }
            }
            RuleValue::PerProduct(_) | RuleValue::None => {}
        }
    }
    sums
}

/// The products some rule values one by one (sorted, once each): they are scored apart
/// from their class.
fn scored_one_by_one(values: &[RuleValue]) -> Vec<usize> {
    let mut products: Vec<usize> = values
        .iter()
        .filter_map(|v| match v {
            RuleValue::PerProduct(list) => Some(list.iter().map(|(p, _)| *p)),
            _ => None,
        })
        .flatten()
        .collect();
    products.sort_unstable();
    products.dedup();
    products
}

/// Whether a rule, if it runs for the customer, gives any product a non-zero amount
/// (before its weight): when it gives none, its weight changes nothing for them.
pub fn gives_something(index: &ShopIndex, rule: &super::rules::Rule, customer: usize) -> bool {
    match rule_value(index, rule, customer) {
        RuleValue::None => false,
        RuleValue::Static(_) => true,
        RuleValue::PerCategory(list) | RuleValue::PerProduct(list) => !list.is_empty(),
    }
}

/// What a running rule gives this customer, weight included, in the same arithmetic as
/// [`Scorer::top`].
fn rule_value(index: &ShopIndex, rule: &super::rules::Rule, customer: usize) -> RuleValue {
    let from = window_start(index, &rule.amount);
    let amount_for = |visits: usize| super::score::amount_for_visits(&rule.amount, visits);
    let per_key = |by_category: bool| -> Vec<(usize, f64)> {
        super::score::visits_per_key(index, customer, from, by_category)
            .into_iter()
            .map(|(key, count)| (key, amount_for(count)))
            .filter(|(_, a)| *a != 0.0)
            .map(|(key, a)| (key, rule.weight * a))
            .collect()
    };
    match rule.target {
        Target::BoughtCategory => RuleValue::PerCategory(per_key(true)),
        Target::PreferredCategory | Target::PreferredTag => RuleValue::PerProduct(
            super::score::preferred_products(index, rule, customer)
                .into_iter()
                .map(|p| {
                    let amount = super::score::preferred_amount(index, rule, customer, p);
                    (p, rule.weight * amount)
                })
                .collect(),
        ),
        Target::BoughtProduct => RuleValue::PerProduct(per_key(false)),
        Target::BoughtTogether => {
            let Amount::PerPurchase { each, max, .. } = rule.amount else {
                return RuleValue::None;
            };
            let anchors = super::score::together_anchors(index, rule, customer);
            RuleValue::PerProduct(
                super::together::amounts(index.partners(), &anchors, each, max)
                    .into_iter()
                    .map(|(p, a)| (p, rule.weight * a))
                    .collect(),
            )
        }
        _ => {
            let amount = super::score::static_amount(index, rule, customer);
            if amount == 0.0 {
                RuleValue::None
            } else {
                RuleValue::Static(rule.weight * amount)
            }
        }
    }
}
