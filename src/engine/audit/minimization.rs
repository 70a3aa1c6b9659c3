//! Data minimization: personal data that nothing uses, data kept past its retention
//! period, and data held for customers who gave none of the consents it is used for.

use std::collections::BTreeSet;

use serde::Serialize;

use super::super::held::used_by;
use super::super::index::ShopIndex;
use super::super::model::{CustomerId, FieldDef, PersonalField};
use super::super::score::rule_in_use;

/// How many customer numbers a finding lists (the count is always complete).
pub const LISTED_CUSTOMERS: usize = 50;

/// A field no rule in use (switched on, within its purpose) or feature reads.
#[derive(Clone, Debug, Serialize)]
pub struct UnusedField {
    /// Field key.
    pub field: String,
    /// Field name.
    pub label: String,
    /// Customers for whom it is held.
    pub customers: usize,
    /// Another reason the shop gives for holding it, if any.
    pub kept_for: Option<String>,
    /// Customer numbers holding it (the first [`LISTED_CUSTOMERS`]).
    pub customer_ids: Vec<CustomerId>,
    /// Every customer number concerned.
    #[serde(skip)]
    pub all_customer_ids: Vec<CustomerId>,
}

/// A field held past its retention period for some customers.
#[derive(Clone, Debug, Serialize)]
pub struct PastRetention {
    /// Field key.
    pub field: String,
    /// Field name.
    pub label: String,
    /// The retention period after the customer's last order, in days.
    pub retention_days: i64,
    /// Customers whose data in this field is past it.
    pub customers: usize,
    /// Customer numbers (the first [`LISTED_CUSTOMERS`]).
    pub customer_ids: Vec<CustomerId>,
    /// Every customer number concerned.
    #[serde(skip)]
    pub all_customer_ids: Vec<CustomerId>,
}

/// A field held for customers who granted none of the purposes it is used for.
#[derive(Clone, Debug, Serialize)]
pub struct WithoutConsent {
    /// Field key.
    pub field: String,
    /// Field name.
    pub label: String,
    /// The purposes of the enabled rules that read it.
    pub purposes: Vec<String>,
    /// Customers holding it with none of those purposes granted.
    pub customers: usize,
    /// Customer numbers (the first [`LISTED_CUSTOMERS`]).
    pub customer_ids: Vec<CustomerId>,
    /// Every customer number concerned.
    #[serde(skip)]
    pub all_customer_ids: Vec<CustomerId>,
}

/// The data-minimization part of the audit.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Minimization {
    /// Fields no enabled rule or feature reads (consents excluded: the consent gate reads them).
    pub unused_fields: Vec<UnusedField>,
    /// Fields past their retention period.
    pub past_retention: Vec<PastRetention>,
    /// Fields held without a matching consent.
    pub without_consent: Vec<WithoutConsent>,
}

/// Whether the customer at position `c` holds `field`.
pub fn holds(index: &ShopIndex, c: usize, field: PersonalField) -> bool {
    match field {
        PersonalField::Orders => index.orders_of(c).next().is_some(),
        PersonalField::Consents => index.consents_of(c).next().is_some(),
        PersonalField::Preferences => index.preferences_of(c).next().is_some(),
        other => index.shop().customers[c].holds_field(other),
    }
}

/// The day a field's retention period runs from: the customer's last activity, or for
/// stated preferences the day they last told the shop one, if later.
fn kept_since(
    index: &ShopIndex,
    field: PersonalField,
    c: usize,
    last: chrono::NaiveDate,
) -> chrono::NaiveDate {
    if field != PersonalField::Preferences {
        return last;
    }
    let shop = index.shop();
    index
        .preferences_of(c)
        .map(|e| shop.preferences[e].recorded_at.date_naive())
        .max()
        .map_or(last, |told| told.max(last))
}

/// The day a customer was last active: their latest order, or the day they joined.
fn last_active(index: &ShopIndex, c: usize) -> chrono::NaiveDate {
    let since = index.shop().customers[c].since;
    // The order days are oldest first: the last is the latest order.
    index
        .order_days(c)
        .last()
        .map_or(since, |&day| day.max(since))
}

/// Computes the data-minimization findings.
pub fn minimization(index: &ShopIndex) -> Minimization {
    let shop = index.shop();
    let customers = shop.customers.len();
    let holders = |field: PersonalField| -> Vec<usize> {
        (0..customers).filter(|&c| holds(index, c, field)).collect()
    };
    let ids = |positions: &[usize]| -> Vec<CustomerId> {
        positions.iter().map(|&c| shop.customers[c].id).collect()
    };
    let listed = |positions: &[usize]| -> Vec<CustomerId> {
        ids(&positions[..positions.len().min(LISTED_CUSTOMERS)])
    };
    let mut out = Minimization::default();
    let last: Vec<chrono::NaiveDate> = (0..customers).map(|c| last_active(index, c)).collect();
    for def in &shop.fields {
        let field = def.field;
        let held = holders(field);
        let users = used_by(shop, field);
        if field != PersonalField::Consents && users.is_empty() && !held.is_empty() {
            out.unused_fields.push(UnusedField {
                field: field.key().to_owned(),
                label: def.label.clone(),
                customers: held.len(),
                kept_for: def.kept_for.clone(),
                customer_ids: listed(&held),
                all_customer_ids: ids(&held),
            });
        }
        if let Some(days) = def.retention_days {
            let expired: Vec<usize> = held
                .iter()
                .copied()
                .filter(|&c| {
                    (index.today() - kept_since(index, field, c, last[c])).num_days() > days
                })
                .collect();
            if !expired.is_empty() {
                out.past_retention.push(PastRetention {
                    field: field.key().to_owned(),
                    label: def.label.clone(),
                    retention_days: days,
                    customers: expired.len(),
                    customer_ids: listed(&expired),
                    all_customer_ids: ids(&expired),
                });
            }
        }
        if let Some(w) = without_consent(index, def, &held) {
            out.without_consent.push(WithoutConsent {
                customer_ids: listed(&w.1),
                all_customer_ids: ids(&w.1),
                customers: w.1.len(),
                field: field.key().to_owned(),
                label: def.label.clone(),
                purposes: w.0,
            });
        }
    }
    out
}

/// The purposes a field is used for and the holders who granted none of them; `None`
/// when the field has another reason to be held, or no rule uses it.
fn without_consent(
    index: &ShopIndex,
    def: &FieldDef,
    held: &[usize],
) -> Option<(Vec<String>, Vec<usize>)> {
    if def.kept_for.is_some() || def.field == PersonalField::Consents {
        return None;
    }
    let purposes: BTreeSet<String> = index
        .shop()
        .rules
        .iter()
        .filter(|r| rule_in_use(index.shop(), r) && r.fields().contains(&def.field))
        .map(|r| r.purpose.clone())
        .collect();
    if purposes.is_empty() {
        return None;
    }
    let lacking: Vec<usize> = held
        .iter()
        .copied()
        .filter(|&c| !purposes.iter().any(|p| index.has_consent(c, p)))
        .collect();
    (!lacking.is_empty()).then(|| (purposes.into_iter().collect(), lacking))
}

/// Every (customer, field) whose retention period is over, whether the value is held now
/// or was deleted earlier: a purge also deletes the earlier values of these fields that
/// the audit log keeps (to undo the changes that replaced or deleted them), so a value
/// past its retention period is not kept there either. The single-value fields and
/// preferences, as in [`retention_purge_plan`].
pub fn retention_expired(index: &ShopIndex) -> Vec<(CustomerId, PersonalField)> {
    let shop = index.shop();
    (expired_positions(index).into_iter())
        .map(|(c, f)| (shop.customers[c].id, f))
        .collect()
}

/// The (customer position, field) pairs of [`retention_expired`].
fn expired_positions(index: &ShopIndex) -> Vec<(usize, PersonalField)> {
    let shop = index.shop();
    let purgeable =
        |f: &PersonalField| PersonalField::VALUES.contains(f) || *f == PersonalField::Preferences;
    let mut out = Vec::new();
    for def in shop.fields.iter().filter(|d| purgeable(&d.field)) {
        let Some(days) = def.retention_days else {
            continue;
        };
        for c in 0..shop.customers.len() {
            let since = kept_since(index, def.field, c, last_active(index, c));
            if (index.today() - since).num_days() > days {
                out.push((c, def.field));
            }
        }
    }
    out
}

/// Every (customer, field) held past its retention period that a purge deletes: the
/// single-value fields ([`PersonalField::VALUES`]); the record's start date, orders and
/// consents go with the customer's erasure, not field by field.
pub fn retention_purge_plan(index: &ShopIndex) -> Vec<(CustomerId, PersonalField)> {
    let shop = index.shop();
    (expired_positions(index).into_iter())
        .filter(|&(c, f)| holds(index, c, f))
        .map(|(c, f)| (shop.customers[c].id, f))
        .collect()
}
