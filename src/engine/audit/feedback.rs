//! Customers' "not for me" answers, counted per rule: each answer names the rules that had
//! lifted the product when the customer turned it down. A rule draws more than its share
//! when its answers are many more than its share of the products it lifts predicts
//! (one-sided binomial test, Bonferroni-corrected over the rules answered).

use serde::Serialize;
use statrs::distribution::{Binomial, DiscreteCDF};

use super::super::index::ShopIndex;
use super::super::preferences::PreferenceKind;
use super::super::score::{RuleStatus, Scorer, rule_visits_and_amount};
use super::super::simulate::Lists;

/// The fewest answers that can make a finding, whatever the test says.
pub const MIN_ANSWERS: usize = 3;

/// The most customers whose lists are read to measure each rule's share of lifted products.
const SAMPLED_CUSTOMERS: usize = 2_000;

/// The "not for me" answers about one rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleFeedback {
    /// The rule's id.
    pub rule: String,
    /// Its label.
    pub label: String,
    /// Standing "not for me" answers to products it had lifted.
    pub answers: usize,
    /// The customers who gave them.
    pub customers: usize,
    /// All standing "not for me" answers that name a rule.
    pub all_answers: usize,
    /// The share of recommended products the rule lifts now; `None` when no list holds a
    /// product.
    pub share_of_lifted: Option<f64>,
    /// How many customers' lists that share was measured on (every customer's, up to
    /// 2,000 spread over the shop).
    pub lists_measured: usize,
    /// The answers its share predicts (`all_answers` × `share_of_lifted`).
    pub expected: Option<f64>,
    /// One-sided binomial p-value of at least `answers`; `None` when the rule lifts nothing
    /// now (nothing to compare with).
    pub p_value: Option<f64>,
    /// Whether it draws more than its share: at least [`MIN_ANSWERS`] answers and a p-value
    /// below the audit's level divided by the number of rules answered.
    pub more_than_its_share: bool,
}

/// Counts the "not for me" answers per rule and tests each against its share of the
/// products recommended in `lists`.
pub fn feedback(index: &ShopIndex, lists: &Lists, alpha: f64) -> Vec<RuleFeedback> {
    let shop = index.shop();
    let answers: Vec<&super::super::preferences::PreferenceEvent> = standing_answers(index);
    let all = answers.len();
    let named: Vec<&super::super::rules::Rule> = shop
        .rules
        .iter()
        .filter(|r| answers.iter().any(|a| a.lifted_by.contains(&r.id)))
        .collect();
    if named.is_empty() {
        return Vec::new();
    }
    let (shares, lists_measured) = lifted_shares(index, lists);
    let level = alpha / named.len() as f64;
    named
        .into_iter()
        .map(|rule| {
            let mine: Vec<_> = answers
                .iter()
                .filter(|a| a.lifted_by.contains(&rule.id))
                .collect();
            let mut people: Vec<i64> = mine.iter().map(|a| a.customer).collect();
            people.sort_unstable();
            people.dedup();
            let r = shop.rules.iter().position(|x| x.id == rule.id).unwrap_or(0);
            let share = shares.as_ref().map(|s| s[r]);
            let p_value = share
                .filter(|&p| p > 0.0)
                .and_then(|p| upper_tail(mine.len(), all, p));
            RuleFeedback {
                rule: rule.id.clone(),
                label: rule.label.clone(),
                answers: mine.len(),
                customers: people.len(),
                all_answers: all,
                share_of_lifted: share,
                lists_measured,
                expected: share.map(|p| p * all as f64),
                p_value,
                more_than_its_share: mine.len() >= MIN_ANSWERS
                    && p_value.is_some_and(|p| p < level),
            }
        })
        .collect()
}

/// The standing "not wanted" preferences that answered a recommendation (they name the
/// rules that had lifted it).
fn standing_answers(index: &ShopIndex) -> Vec<&super::super::preferences::PreferenceEvent> {
    let shop = index.shop();
    (0..shop.preferences.len())
        .filter(|&e| index.stands(e))
        .map(|e| &shop.preferences[e])
        .filter(|e| e.preference.kind == PreferenceKind::NotWanted && !e.lifted_by.is_empty())
        .collect()
}

/// For each rule, the share of the products in (a sample of) the customers' lists that it
/// lifts (gives a positive amount, weight included), `None` when no list holds a product;
/// and how many lists were read.
fn lifted_shares(index: &ShopIndex, lists: &Lists) -> (Option<Vec<f64>>, usize) {
    let shop = index.shop();
    let scorer = Scorer::new(index);
    let step = lists.len().div_ceil(SAMPLED_CUSTOMERS).max(1);
    let mut lifted = vec![0usize; shop.rules.len()];
    let mut items = 0usize;
    let mut measured = 0usize;
    for c in (0..lists.len().min(shop.customers.len())).step_by(step) {
        measured += 1;
        let plan = scorer.plan(c);
        for &p in &lists[c] {
            items += 1;
            for (r, rule) in shop.rules.iter().enumerate() {
                if plan.statuses[r] != RuleStatus::Runs {
                    continue;
                }
                let amount = rule_visits_and_amount(index, rule, c, p as usize).map(|(_, a)| a);
                if amount.is_some_and(|a| rule.weight * a > 0.0) {
                    lifted[r] += 1;
                }
            }
        }
    }
    let shares = (items > 0).then(|| lifted.iter().map(|&n| n as f64 / items as f64).collect());
    (shares, measured)
}

/// P(X ≥ k) for X ~ Binomial(n, p).
fn upper_tail(k: usize, n: usize, p: f64) -> Option<f64> {
    if k == 0 {
        return Some(1.0);
    }
    let dist = Binomial::new(p.min(1.0), n as u64).ok()?;
    Some((1.0 - dist.cdf(k as u64 - 1)).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::upper_tail;

    #[test]
    fn the_binomial_tail_matches_hand_computed_values() {
        // P(X ≥ 2) for n = 3, p = 0.5: (3 + 1) / 8.
        assert!((upper_tail(2, 3, 0.5).unwrap() - 0.5).abs() < 1e-12);
        // P(X ≥ 3) for n = 3, p = 0.1: 0.001.
        assert!((upper_tail(3, 3, 0.1).unwrap() - 0.001).abs() < 1e-12);
        assert_eq!(upper_tail(0, 5, 0.2), Some(1.0));
    }
}
