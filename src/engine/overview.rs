//! Shop-wide summaries: one row per customer for the Customers table, and how many
//! customers each rule runs for. Computed once per snapshot, never per frame.

use chrono::NaiveDate;
use serde::Serialize;

use super::index::ShopIndex;
use super::model::{CustomerId, mask_email};
use super::score::{RuleStatus, Scorer};

/// One row of the Customers table.
#[derive(Clone, Debug, Serialize)]
pub struct CustomerRow {
    /// Customer number.
    pub id: CustomerId,
    /// Name (or "Customer N" when none is held).
    pub name: String,
    /// Email with the local part masked.
    pub email_masked: String,
    /// Orders up to today, returns (cancelled, refunded or returned orders) left out.
    pub orders: usize,
    /// Date of the latest order (not a return).
    pub last_order: Option<NaiveDate>,
    /// Granted purposes in words, or "none given" / "all withdrawn".
    pub consent: String,
}

/// The Customers table rows, in customer-number order.
pub fn customer_rows(index: &ShopIndex) -> Vec<CustomerRow> {
    let shop = index.shop();
    shop.customers
        .iter()
        .enumerate()
        .map(|(pos, c)| {
            let placed = || index.orders_of(pos).filter(|&o| !index.is_return(o));
            let last_order = placed().last().map(|o| shop.orders[o].date);
            CustomerRow {
                id: c.id,
                name: c.display_name(),
                email_masked: c.email.as_deref().map(mask_email).unwrap_or_default(),
                orders: placed().count(),
                last_order,
                consent: consent_summary(index, pos),
            }
        })
        .collect()
}

/// The customer's granted purposes, or why there are none.
pub fn consent_summary(index: &ShopIndex, customer: usize) -> String {
    let shop = index.shop();
    let granted: Vec<&str> = shop
        .purposes
        .iter()
        .filter(|p| index.has_consent(customer, &p.id))
        .map(|p| p.label.as_str())
        .collect();
    if !granted.is_empty() {
        granted.join(", ")
    } else if index.consents_of(customer).next().is_some() {
        "all withdrawn".to_owned()
    } else {
        "none given".to_owned()
    }
}

/// For each rule, how many customers it currently runs for (consent given, conditions met).
pub fn rule_reach(index: &ShopIndex) -> Vec<usize> {
    let scorer = Scorer::new(index);
    let mut counts = vec![0; index.shop().rules.len()];
    for c in 0..index.shop().customers.len() {
        for (r, status) in scorer.plan(c).statuses.iter().enumerate() {
            if *status == RuleStatus::Runs {
                counts[r] += 1;
            }
        }
    }
    counts
}

/// A rule as the Rules view and `candor rules --json` show it: the stored rule plus
/// what it reads, its logic in words, and its reach.
#[derive(Clone, Debug, Serialize)]
pub struct RuleRow {
    /// The rule exactly as stored (so it can be edited and fed back as a change).
    #[serde(flatten)]
    pub rule: super::rules::Rule,
    /// Personal-data fields read.
    pub fields: Vec<String>,
    /// Features read.
    pub features: Vec<String>,
    /// Conditions in words.
    pub conditions_text: String,
    /// Effect in words.
    pub effect_text: String,
    /// The purpose's label.
    pub purpose_label: String,
    /// Customers it currently runs for.
    pub runs_for: usize,
    /// The first field it reads that its purpose does not cover (then it runs for nobody).
    pub outside_purpose: Option<String>,
}

/// Every rule in evaluation order, with its reach.
pub fn rule_rows(index: &ShopIndex) -> Vec<RuleRow> {
    let reach = rule_reach(index);
    index
        .shop()
        .rules
        .iter()
        .zip(reach)
        .map(|(rule, runs_for)| RuleRow {
            fields: rule.fields().iter().map(|f| f.key().to_owned()).collect(),
            features: rule.features().iter().map(|f| f.key().to_owned()).collect(),
            conditions_text: rule.conditions_text(),
            effect_text: rule.effect_text(),
            purpose_label: super::explain::purpose_label(index, &rule.purpose),
            runs_for,
            outside_purpose: super::score::field_outside_purpose(index.shop(), rule)
                .map(|f| f.key().to_owned()),
            rule: rule.clone(),
        })
        .collect()
}

/// A consent purpose as `candor purposes` shows it: what customers are told, the data
/// it covers, the rules that need it, and how many customers agreed to it.
#[derive(Clone, Debug, Serialize)]
pub struct PurposeRow {
    /// The stored purpose (id, label, description, fields).
    #[serde(flatten)]
    pub purpose: super::model::Purpose,
    /// The fields it covers, in words.
    pub covers_text: Vec<String>,
    /// The rules of this purpose (ids), in evaluation order.
    pub rules: Vec<String>,
    /// Rules of this purpose that read a field it does not cover (they run for nobody).
    pub rules_outside: Vec<String>,
    /// Customers whose current decision is a grant.
    pub granted: usize,
    /// Of those, the customers who agreed before the purpose began to cover a field it
    /// covers now (see `covered_since`): rules reading it do not run for them.
    pub agreed_before_widened: usize,
}

/// Customers whose grant of `purpose`, in force, was made before it began to cover one of
/// the fields it was widened to cover.
pub(crate) fn agreed_before_widened(index: &ShopIndex, purpose: &super::model::Purpose) -> usize {
    if purpose.covered_since.is_empty() {
        return 0;
    }
    let widened = || purpose.covered_since.keys().copied();
    (0..index.shop().customers.len())
        .filter(|&c| index.has_consent(c, &purpose.id))
        .filter_map(|c| index.agreement_in_force(c, &purpose.id))
        .filter(|grant| {
            purpose
                .first_agreed_before_covered(widened(), grant)
                .is_some()
        })
        .count()
}

/// Every purpose, in the shop's order.
pub fn purpose_rows(index: &ShopIndex) -> Vec<PurposeRow> {
    let shop = index.shop();
    shop.purposes
        .iter()
        .map(|p| {
            let of_purpose = || shop.rules.iter().filter(|r| r.purpose == p.id);
            PurposeRow {
                covers_text: p.fields.iter().map(|f| f.in_words().to_owned()).collect(),
                rules: of_purpose().map(|r| r.id.clone()).collect(),
                rules_outside: of_purpose()
                    .filter(|r| super::score::field_outside_purpose(shop, r).is_some())
                    .map(|r| r.id.clone())
                    .collect(),
                granted: (0..shop.customers.len())
                    .filter(|&c| index.has_consent(c, &p.id))
                    .count(),
                agreed_before_widened: agreed_before_widened(index, p),
                purpose: p.clone(),
            }
        })
        .collect()
}
