//! Whether an audit-log entry can still be taken back: its undo gives back what each of
//! its changes replaced, which is right only while nothing after it changed the same
//! thing. A later decision of the customer's, a later correction of the same field or a
//! later edit of the same rule would otherwise be silently overwritten by an older value.
//!
//! Three things are checked, any one of which refuses the undo: a later entry that still
//! stands changed the same thing (a later entry and its standing undo cancel out); the shop no
//! longer holds what the entry set (a purge, an import, a merge, a write behind Candor's
//! back); a customer's decision on the same purpose or preference was recorded after the
//! entry by something other than a logged change (an import).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::changes::{Applied, Change};
use super::model::{PersonalField, Shop};

/// An audit-log entry, as the undo check reads it.
pub struct Logged<'a> {
    /// Its number.
    pub id: i64,
    /// When it was made.
    pub at: DateTime<Utc>,
    /// Its changes.
    pub changes: &'a [Applied],
    /// Whether its changes are in force as a later change: false for an entry after the
    /// one to undo whose undo stands, and for that undo (the two cancel out).
    pub stands: bool,
}

/// The first change of entry `target` of `log` whose undo would overwrite something done
/// after it, in words, or `None` when the entry can be undone. Merges and new customers
/// are checked otherwise (they are undone only while nothing followed).
pub fn changed_since(shop: &Shop, log: &[Logged<'_>], target: &Logged<'_>) -> Option<String> {
    let (changes, at) = (target.changes, target.at);
    let later: Vec<&Logged<'_>> = log.iter().filter(|l| l.id > target.id).collect();
    if let Some(why) = merged_away(shop, &later, changes) {
        return Some(why);
    }
    // Where the entry changed one thing twice, the shop should hold the second.
    let mut seen: Vec<Value> = Vec::new();
    changes.iter().rev().find_map(|a| {
        let targets = applied_targets(shop, a);
        if targets.iter().all(|t| seen.contains(t)) {
            return None;
        }
        seen.extend(targets.iter().cloned());
        let what = thing(shop, &a.change);
        for l in later.iter().filter(|l| l.stands) {
            if let Some(b) = (l.changes.iter()).find(|b| touched_by(shop, &targets, b)) {
                return Some(changed_by(&what, l.id, &b.change));
            }
        }
        let outside = recorded_outside(shop, &a.change, at, log);
        (outside || differs(shop, a)).then(|| no_longer(&what))
    })
}

/// Why the undo cannot be made when a customer it is about was merged into another
/// record by a later entry that stands: that record is gone, and what the change set now
/// belongs to the record kept.
fn merged_away(shop: &Shop, later: &[&Logged<'_>], changes: &[Applied]) -> Option<String> {
    let gone = (changes.iter())
        .flat_map(|a| a.change.customers())
        .filter(|c| !shop.customers.iter().any(|k| k.id == *c));
    // The later merge (entry, record kept) that removed record `from`, if any.
    let merged_into = |gone: i64| {
        later.iter().filter(|l| l.stands).find_map(|l| {
            (l.changes.iter()).find_map(|a| match a.change {
                Change::MergeCustomers {
                    customer: kept,
                    from,
                } if from == gone => Some((l.id, kept)),
                _ => None,
            })
        })
    };
    for customer in gone {
        if let Some((entry, mut kept)) = merged_into(customer) {
            // Merged again since: the record that is still there.
            let mut hops = 0;
            while let Some((_, next)) = merged_into(kept).filter(|_| hops < later.len()) {
                kept = next;
                hops += 1;
            }
            let kept = shop.customer_name(kept);
            return Some(format!(
                "customer {customer}'s record was merged into {kept}'s by entry {entry}, so it is no longer there: make the change you want as a new one on {kept}'s record"
            ));
        }
    }
    None
}

/// What a change sets, without the values: two changes sharing a target set the same
/// thing. A rule's edit or removal sets its weight and whether it is on too.
fn targets_of(change: &Change) -> Vec<Value> {
    match change {
        Change::RuleWeight { rule, .. } => vec![json!(["weight", rule])],
        Change::RuleEnabled { rule, .. } => vec![json!(["enabled", rule])],
        Change::Rule { rule: r, .. } => whole_rule(&r.id),
        Change::RuleRemoved { rule } => whole_rule(rule),
        Change::Consent {
            customer, purpose, ..
        } => vec![json!(["consent", customer, purpose])],
        Change::Preference {
            customer,
            preference,
            ..
        } => vec![json!(["preference", customer, preference])],
        Change::CustomerField {
            customer, field, ..
        } => vec![json!(["field", customer, field])],
        Change::Product { .. } => super::changes::product_keys_set(change)
            .map(|(product, keys)| {
                (keys.iter())
                    .map(|k| json!(["product", product, k]))
                    .collect()
            })
            .unwrap_or_default(),
        Change::Purpose { .. } => purpose_targets(change),
        Change::FieldRetention { field, .. } => vec![json!(["retention", field])],
        Change::Setting { setting, .. } => vec![json!(["setting", setting])],
        // Without what it moved (see [`applied_targets`]), a merge changes everything about
        // both records; so does its undo, which moves it all back.
        Change::MergeCustomers { customer, from } => {
            vec![json!(["record", customer]), json!(["record", from])]
        }
        Change::SplitCustomers { customer, split } => std::iter::once(*customer)
            .chain(split.as_ref().map(|s| s.record.id))
            .map(|c| json!(["record", c]))
            .collect(),
        _ => Vec::new(),
    }
}

/// What an applied change set: as [`targets_of`], but a merge sets only what it moved
/// into the record kept (the fields it filled in, the purposes and preferences of the
/// decisions it moved or recorded again, read from what its entry kept for the undo),
/// and everything about the record it removed.
fn applied_targets(shop: &Shop, a: &Applied) -> Vec<Value> {
    let Change::MergeCustomers { customer, from } = a.change else {
        return targets_of(&a.change);
    };
    let Ok(split) = serde_json::from_value::<super::merge::Split>(a.before.clone()) else {
        return targets_of(&a.change);
    };
    let mut out = vec![json!(["record", from])];
    out.extend((split.filled.iter()).map(|f| json!(["field", customer, f.key()])));
    let decisions: Vec<&str> = (shop.consents.iter())
        .filter(|e| e.customer == customer)
        .map(|e| e.purpose.as_str())
        .collect();
    for &place in split.consents.iter().chain(&split.restated) {
        if let Some(purpose) = decisions.get(place) {
            out.push(json!(["consent", customer, purpose]));
        }
    }
    let stated: Vec<_> = (shop.preferences.iter())
        .filter(|e| e.customer == customer)
        .collect();
    for &place in &split.preferences {
        if let Some(e) = stated.get(place) {
            out.push(json!(["preference", customer, e.preference]));
        }
    }
    out
}

/// What a purpose change sets: its label, description or fields, those it gives.
fn purpose_targets(change: &Change) -> Vec<Value> {
    let Change::Purpose {
        purpose,
        label,
        description,
        fields,
        ..
    } = change
    else {
        return Vec::new();
    };
    [
        label.as_ref().map(|_| "label"),
        description.as_ref().map(|_| "description"),
        fields.as_ref().map(|_| "fields"),
    ]
    .into_iter()
    .flatten()
    .map(|k| json!(["purpose", purpose, k]))
    .collect()
}

/// Whether two targets are the same thing, or one is a customer's whole record and the
/// other a decision, preference or field of theirs.
fn overlaps(a: &Value, b: &Value) -> bool {
    let covers = |record: &Value, part: &Value| {
        record[0] == "record"
            && ["consent", "preference", "field", "record"]
                .contains(&part[0].as_str().unwrap_or(""))
            && record[1] == part[1]
    };
    a == b || covers(a, b) || covers(b, a)
}

/// Whether any of `targets` overlaps any target of the applied change `b`.
fn touched_by(shop: &Shop, targets: &[Value], b: &Applied) -> bool {
    (applied_targets(shop, b).iter()).any(|t| targets.iter().any(|x| overlaps(x, t)))
}

/// The targets of a rule's edit or removal: the rule, its weight and whether it is on.
fn whole_rule(id: &str) -> Vec<Value> {
    vec![
        json!(["rule", id]),
        json!(["weight", id]),
        json!(["enabled", id]),
    ]
}

/// What a change set, in words: "Grace Lin's birth date", "the weight of rule …".
fn thing(shop: &Shop, change: &Change) -> String {
    let rule = |id: &str| {
        (shop.rules.iter().find(|r| r.id == id)).map_or_else(|| id.to_owned(), |r| r.label.clone())
    };
    let customer = |id: i64| shop.customer_name(id);
    match change {
        Change::RuleWeight { rule: r, .. } => format!("the weight of rule \"{}\"", rule(r)),
        Change::RuleEnabled { rule: r, .. } | Change::RuleRemoved { rule: r } => {
            format!("rule \"{}\"", rule(r))
        }
        Change::Rule { rule: r, .. } => format!("rule \"{}\"", r.label),
        Change::Consent {
            customer: c,
            purpose,
            ..
        } => format!(
            "{}'s decision about \"{}\"",
            customer(*c),
            shop.purpose_label(purpose)
        ),
        Change::Preference {
            customer: c,
            preference,
            ..
        } => {
            let name = |id| (shop.products.iter().find(|p| p.id == id)).map(|p| p.name.clone());
            let said = (preference.as_ref()).map_or_else(String::new, |p| p.text(name));
            format!("what {} told the shop about \"{said}\"", customer(*c))
        }
        Change::CustomerField {
            customer: c, field, ..
        } => {
            let field = PersonalField::from_key(field)
                .map_or_else(|| field.clone(), |f| f.in_words().to_owned());
            format!("{}'s {field}", customer(*c))
        }
        Change::Product { product, .. } => (shop.products.iter().find(|p| p.id == *product))
            .map_or_else(
                || format!("product {product}"),
                |p| format!("\"{}\"", p.name),
            ),
        Change::Purpose { purpose, .. } => format!("purpose \"{}\"", shop.purpose_label(purpose)),
        Change::FieldRetention { field, .. } => {
            format!(
                "how long the {} {} kept",
                field.in_words(),
                field.is_or_are()
            )
        }
        Change::Setting { setting, .. } => format!("the setting \"{setting}\""),
        Change::MergeCustomers { customer: c, .. } | Change::SplitCustomers { customer: c, .. } => {
            format!("{}'s record", customer(*c))
        }
        other => other.kind().replace('_', " "),
    }
}

/// Why the undo would overwrite a later entry's change (`by`), with what to do instead.
fn changed_by(thing: &str, entry: i64, by: &Change) -> String {
    let done = match by {
        Change::RuleRemoved { .. } => Some("the rule was removed"),
        Change::MergeCustomers { .. } => Some("two customer records were merged"),
        Change::SplitCustomers { .. } => Some("a merge of two customer records was undone"),
        _ => None,
    };
    let (how, what) = match done {
        Some(done) => (done.to_owned(), format!(", which changed {thing}")),
        None => (format!("{thing} was changed again"), String::new()),
    };
    format!(
        "{how} by entry {entry}{what}, which stands, and undoing would overwrite that: undo entry {entry} first, or make the change you want as a new one"
    )
}

/// Why the undo would overwrite what the shop holds now, with what to do instead.
fn no_longer(thing: &str) -> String {
    format!(
        "{thing} is no longer as this entry left it (an import, a purge or a merge changed it since), and undoing would overwrite that: make the change you want as a new one"
    )
}

/// Whether a decision on the consent or preference `change` records was recorded after
/// `at` by something other than a logged change of the same (an import records the
/// decisions of its files without one).
fn recorded_outside(shop: &Shop, change: &Change, at: DateTime<Utc>, log: &[Logged<'_>]) -> bool {
    let targets = targets_of(change);
    let logged = |t: DateTime<Utc>| {
        log.iter()
            .any(|l| l.at == t && (l.changes.iter()).any(|b| touched_by(shop, &targets, b)))
    };
    match change {
        Change::Consent {
            customer, purpose, ..
        } => shop.consents.iter().any(|e| {
            e.customer == *customer
                && e.purpose == *purpose
                && e.recorded_at.is_some_and(|t| t > at && !logged(t))
        }),
        Change::Preference {
            customer,
            preference: Some(preference),
            ..
        } => shop.preferences.iter().any(|e| {
            e.customer == *customer
                && e.preference == *preference
                && e.recorded_at > at
                && !logged(e.recorded_at)
        }),
        _ => false,
    }
}

/// Whether the shop no longer holds what `a` set (only what it set is compared).
fn differs(shop: &Shop, a: &Applied) -> bool {
    let rule_now = |id: &str| shop.rules.iter().find(|r| r.id == id);
    match &a.change {
        Change::RuleWeight { rule, .. } => {
            rule_now(rule).is_some_and(|r| json!(r.weight) != a.after["weight"])
        }
        Change::RuleEnabled { rule, .. } => {
            rule_now(rule).is_some_and(|r| json!(r.enabled) != a.after["enabled"])
        }
        Change::Rule { rule, .. } => json!(rule_now(&rule.id)) != a.after["rule"],
        Change::RuleRemoved { rule } => rule_now(rule).is_some(),
        Change::Consent {
            customer, purpose, ..
        } => shop
            .current_consent(*customer, purpose)
            .is_some_and(|now| json!(now.granted) != a.after["granted"]),
        Change::Preference {
            customer,
            preference: Some(preference),
            ..
        } => (shop.preferences.iter().rev())
            .find(|e| e.customer == *customer && e.preference == *preference)
            .is_some_and(|now| json!(!now.withdrawn) != a.after["stated"]),
        Change::CustomerField {
            customer, field, ..
        } => field_differs(shop, *customer, field, &a.after["value"]),
        Change::Product { .. } => product_differs(shop, a),
        Change::Purpose { .. } => purpose_differs(shop, a),
        Change::FieldRetention { field, .. } => (shop.fields.iter())
            .find(|f| f.field == *field)
            .is_some_and(|now| json!(now.retention_days) != a.after["retention_days"]),
        Change::Setting { setting, .. } => {
            super::settings_change::current(&shop.settings, setting) != a.after["value"]
        }
        _ => false,
    }
}

/// Whether customer `customer`'s `field` no longer holds `set`.
fn field_differs(shop: &Shop, customer: i64, field: &str, set: &Value) -> bool {
    let Some(f) = PersonalField::from_key(field) else {
        return false;
    };
    (shop.customers.iter())
        .find(|c| c.id == customer)
        .is_some_and(|c| json!(c.field_value(f)) != *set)
}

/// Whether a product no longer holds what a `product` change set.
fn product_differs(shop: &Shop, a: &Applied) -> bool {
    let Some((product, keys)) = super::changes::product_keys_set(&a.change) else {
        return false;
    };
    let Some(p) = shop.products.iter().find(|p| p.id == product) else {
        return false;
    };
    let now = super::changes::product_state(p, shop.settings.currency);
    keys.into_iter().any(|key| now[key] != a.after[key])
}

/// Whether a purpose no longer holds what a `purpose` change set.
fn purpose_differs(shop: &Shop, a: &Applied) -> bool {
    let Change::Purpose {
        purpose,
        label,
        description,
        fields,
        ..
    } = &a.change
    else {
        return false;
    };
    let Some(p) = shop.purpose(purpose) else {
        return false;
    };
    [
        label.as_ref().map(|_| ("label", json!(p.label))),
        description
            .as_ref()
            .map(|_| ("description", json!(p.description))),
        fields.as_ref().map(|_| ("fields", json!(p.fields))),
    ]
    .into_iter()
    .flatten()
    .any(|(key, now)| now != a.after[key])
}
