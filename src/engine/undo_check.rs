//! Whether an audit-log entry can still be taken back: its undo gives back what each of
//! its changes replaced, which is right only while the shop still holds what the entry
//! set. A later decision of the customer's, a later correction of the same field or a
//! later edit of the same rule would otherwise be silently overwritten by an older value.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::changes::{Applied, Change};
use super::model::{PersonalField, Shop};
use super::preferences::Preference;

/// The first change of `changes` (an entry made at `at`) that `shop` no longer holds as
/// the entry set it, in words, or `None` when every one still stands. Changes an undo
/// checks otherwise (merges, new customers) and those it cannot read are not judged here.
pub fn changed_since(shop: &Shop, changes: &[Applied], at: DateTime<Utc>) -> Option<String> {
    // Where the entry changed one thing twice, the shop should hold the second.
    let mut seen: Vec<String> = Vec::new();
    changes.iter().rev().find_map(|a| {
        let target = serde_json::to_string(&target_of(&a.change)).ok()?;
        if seen.contains(&target) {
            return None;
        }
        seen.push(target);
        changed(shop, a, at)
    })
}

/// What a change acts on, without what it sets: two changes with the same target set the
/// same thing.
fn target_of(change: &Change) -> Value {
    match change {
        Change::RuleWeight { rule, .. } => json!(["weight", rule]),
        Change::RuleEnabled { rule, .. } => json!(["enabled", rule]),
        Change::Rule { rule, .. } => json!(["rule", rule.id]),
        Change::RuleRemoved { rule } => json!(["rule", rule]),
        Change::Consent {
            customer, purpose, ..
        } => json!(["consent", customer, purpose]),
        Change::Preference {
            customer,
            preference,
            ..
        } => json!(["preference", customer, preference]),
        Change::CustomerField {
            customer, field, ..
        } => json!(["field", customer, field]),
        other => serde_json::to_value(other).unwrap_or(Value::Null),
    }
}

/// Why `shop` no longer holds what `a` set, if it does not.
fn changed(shop: &Shop, a: &Applied, at: DateTime<Utc>) -> Option<String> {
    let rule_now = |id: &str| shop.rules.iter().find(|r| r.id == id);
    match &a.change {
        Change::RuleWeight { rule, .. } => (rule_now(rule)
            .is_some_and(|r| json!(r.weight) != a.after["weight"]))
        .then(|| format!("the weight of rule \"{rule}\" was changed again after it")),
        Change::RuleEnabled { rule, .. } => (rule_now(rule)
            .is_some_and(|r| json!(r.enabled) != a.after["enabled"]))
        .then(|| format!("rule \"{rule}\" was switched on or off again after it")),
        Change::Rule { rule, .. } => (json!(rule_now(&rule.id)) != a.after["rule"])
            .then(|| format!("rule \"{}\" was edited or removed after it", rule.id)),
        Change::RuleRemoved { rule } => rule_now(rule)
            .is_some()
            .then(|| format!("rule \"{rule}\" was added again after it")),
        Change::Consent {
            customer, purpose, ..
        } => consent_changed(shop, (*customer, purpose), &a.after, at),
        Change::Preference {
            customer,
            preference,
            ..
        } => preference_changed(shop, (*customer, preference.as_ref()?), &a.after, at),
        Change::CustomerField {
            customer, field, ..
        } => field_changed(shop, *customer, field, &a.after["value"]),
        Change::Product { .. } => product_changed(shop, a),
        Change::Purpose { .. } => purpose_changed(shop, a),
        Change::FieldRetention { field, .. } => {
            let now = shop.fields.iter().find(|f| f.field == *field)?;
            (json!(now.retention_days) != a.after["retention_days"]).then(|| {
                format!(
                    "how long \"{}\" is kept was changed again after it",
                    field.key()
                )
            })
        }
        Change::Setting { setting, .. } => {
            (super::settings_change::current(&shop.settings, setting) != a.after["value"])
                .then(|| format!("the setting \"{setting}\" was changed again after it"))
        }
        _ => None,
    }
}

/// Why the customer's decision in force on `purpose` is not the one an entry made at
/// `at` recorded (`set`), if it is not.
fn consent_changed(
    shop: &Shop,
    (customer, purpose): (i64, &str),
    set: &Value,
    at: DateTime<Utc>,
) -> Option<String> {
    let now = shop.current_consent(customer, purpose)?;
    let own = own_or_restored((&now.method, now.recorded_at), at);
    (!own || json!(now.granted) != set["granted"]).then(|| {
        format!(
            "customer {customer} decided about \"{}\" again after it, and their later decision stands",
            shop.purpose_label(purpose)
        )
    })
}

/// Why what the customer said in force about `preference` is not what an entry made at
/// `at` recorded (`set`), if it is not.
fn preference_changed(
    shop: &Shop,
    (customer, preference): (i64, &Preference),
    set: &Value,
    at: DateTime<Utc>,
) -> Option<String> {
    let now = (shop.preferences.iter().rev())
        .find(|e| e.customer == customer && e.preference == *preference)?;
    let own = own_or_restored((&now.method, Some(now.recorded_at)), at);
    (!own || json!(!now.withdrawn) != set["stated"]).then(|| {
        let name = |id| (shop.products.iter().find(|p| p.id == id)).map(|p| p.name.clone());
        format!(
            "customer {customer} told the shop again about \"{}\" after it, and that stands",
            preference.text(name)
        )
    })
}

/// Whether a customer's current decision, by how and when it was recorded, is the one an
/// entry made at `at` recorded, or one an undo recorded to give back an earlier decision
/// (which takes back a later entry, never the customer's own word). A decision recorded
/// before Candor kept recording times cannot be told apart and counts as the entry's.
fn own_or_restored(
    (method, recorded_at): (&str, Option<DateTime<Utc>>),
    at: DateTime<Utc>,
) -> bool {
    method == super::changes::UNDO_METHOD || recorded_at.is_none_or(|t| t == at)
}

/// Why customer `customer`'s `field` no longer holds `set`, if it does not.
fn field_changed(shop: &Shop, customer: i64, field: &str, set: &Value) -> Option<String> {
    let f = PersonalField::from_key(field)?;
    let c = shop.customers.iter().find(|c| c.id == customer)?;
    (json!(c.field_value(f)) != *set)
        .then(|| format!("customer {customer}'s {field} was changed again after it"))
}

/// Why a product no longer holds what a `product` change set, if it does not: only what
/// the change set is compared.
fn product_changed(shop: &Shop, a: &Applied) -> Option<String> {
    let (product, keys) = super::changes::product_keys_set(&a.change)?;
    let p = shop.products.iter().find(|p| p.id == product)?;
    let now = super::changes::product_state(p, shop.settings.currency);
    keys.into_iter()
        .find(|key| now[*key] != a.after[*key])
        .map(|key| format!("the {key} of product {product} was changed again after it"))
}

/// Why a purpose no longer holds what a `purpose` change set, if it does not: only what
/// the change set is compared.
fn purpose_changed(shop: &Shop, a: &Applied) -> Option<String> {
    let Change::Purpose {
        purpose,
        label,
        description,
        fields,
        ..
    } = &a.change
    else {
        return None;
    };
    let p = shop.purpose(purpose)?;
    let set = [
        label.as_ref().map(|_| ("label", json!(p.label))),
        description
            .as_ref()
            .map(|_| ("description", json!(p.description))),
        fields.as_ref().map(|_| ("fields", json!(p.fields))),
    ];
    set.into_iter()
        .flatten()
        .find(|(key, now)| *now != a.after[*key])
        .map(|(key, _)| {
            let what = match key {
                "fields" => "the fields it covers were",
                "label" => "its label was",
                _ => "its description was",
            };
            format!("purpose \"{}\": {what} changed again after it", p.label)
        })
}
