//! Changes as data: what a scenario holds, what CHANGES.json contains, what the audit
//! log records. A change applies to an in-memory snapshot and reports its before and
//! after values, from which its inverse (for undo) is built.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::model::STOCK_NOT_TRACKED;
use super::model::{ConsentEvent, CustomerId, PersonalField, ProductId, Shop};
use super::money::MAX_PRICE_MINOR;
use super::preferences::{Preference, PreferenceEvent};
use super::rules::{MAX_WEIGHT, MIN_WEIGHT, Rule};

/// The method an undo records with the decisions it makes.
pub const UNDO_METHOD: &str = "undo in Candor";

/// The largest stock a change may set (tracked stock; "not tracked" is not set by a change).
pub const MAX_STOCK: i64 = 1_000_000_000;

/// A file of changes, as `candor simulate` and `candor apply` read it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeSet {
    /// The changes, applied in order.
    pub changes: Vec<Change>,
}

/// One change to the shop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// Set a rule's weight.
    RuleWeight {
        /// Rule id.
        rule: String,
        /// New weight, between -5 and 5.
        weight: f64,
    },
    /// Switch a rule on or off.
    RuleEnabled {
        /// Rule id.
        rule: String,
        /// On or off.
        enabled: bool,
    },
    /// Add a rule, or replace the rule with the same id.
    Rule {
        /// The whole rule.
        rule: Rule,
        /// Where to insert a new rule (0 = first); default: last.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        position: Option<usize>,
    },
    /// Remove a rule.
    RuleRemoved {
        /// Rule id.
        rule: String,
    },
    /// Record a customer's grant or withdrawal of a purpose.
    Consent {
        /// Customer number.
        customer: CustomerId,
        /// Purpose id.
        purpose: String,
        /// Granted or withdrawn.
        granted: bool,
        /// How it was given, e.g. "in shop", "by phone"; default "recorded in Candor".
        #[serde(default, skip_serializing_if = "Option::is_none")]
        method: Option<String>,
        /// The customer's own words, if noted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        words: Option<String>,
    },
    /// Record a customer's stated preference, or take it back (`withdrawn`).
    Preference {
        /// Customer number.
        customer: CustomerId,
        /// What they said: `{"kind": "liked" | "not_wanted" | "ignore_purchases",
        /// "category" | "tag" | "product": …}`; `null` only in a log entry whose values
        /// were erased.
        #[serde(default)]
        preference: Option<Preference>,
        /// `true` when the customer takes it back.
        #[serde(default)]
        withdrawn: bool,
        /// How it was given, e.g. "at the counter"; default "recorded in Candor".
        #[serde(default, skip_serializing_if = "Option::is_none")]
        method: Option<String>,
        /// The customer's own words, if noted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        words: Option<String>,
        /// For "not for me" on a recommendation: the rules that had lifted the product.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        lifted_by: Vec<String>,
    },
    /// Set or delete (`null`) one personal-data field of a customer.
    CustomerField {
        /// Customer number.
        customer: CustomerId,
        /// Field key: name, email, phone, address, postcode, birth_date or gender.
        field: String,
        /// New value, or `null` to delete it.
        value: Option<String>,
        /// Where the value came from and when it was recorded; by default, a correction
        /// entered in Candor by whoever makes the change, today. An undo gives back the
        /// source the value had.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<ValueSource>,
    },
    /// Set a product's price (in the shop's currency), stock, category or tags.
    Product {
        /// Product number.
        product: ProductId,
        /// New price in the shop's currency (pounds for GBP), e.g. 12.5.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        price: Option<f64>,
        /// New stock.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stock: Option<i64>,
        /// New category.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category: Option<String>,
        /// New tags (all of them).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tags: Option<Vec<String>>,
        /// The price becomes "not known" (the undo of a price given to a product whose
        /// price was not known); not with `price`.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        price_not_known: bool,
        /// The stock stops being tracked (the undo of a stock given to a product whose
        /// stock was not tracked); not with `stock`.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        stock_not_tracked: bool,
    },
    /// Make two records of one person one: `from`'s orders, consent decisions and import
    /// keys move to `customer`, fields `customer` lacks are taken from `from`, and `from`
    /// is removed.
    MergeCustomers {
        /// The record kept.
        customer: CustomerId,
        /// The record merged into it and removed.
        from: CustomerId,
    },
    /// A new customer, recorded at the counter: their details and each purpose asked one
    /// by one, with their answer.
    NewCustomer {
        /// The number they get; default the next free one (recorded in the log).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        customer: Option<CustomerId>,
        /// Their details by field key (name, email, phone, address, postcode, birth_date,
        /// gender); at least a name, an email or a phone number.
        #[serde(default)]
        fields: std::collections::BTreeMap<String, String>,
        /// Each purpose asked, with the answer.
        #[serde(default)]
        consents: Vec<super::new_customer::ConsentAnswer>,
        /// How they were asked; default "at the counter".
        #[serde(default, skip_serializing_if = "Option::is_none")]
        method: Option<String>,
    },
    /// Take a new customer back (made only by undoing one).
    CustomerRemoved {
        /// The customer's number.
        customer: CustomerId,
    },
    /// Take a merge back (made only by undoing one).
    SplitCustomers {
        /// The record the merge kept.
        customer: CustomerId,
        /// What the merge's undo puts back; `null` once the records were erased.
        split: Option<Box<super::merge::Split>>,
    },
    /// Change a consent purpose: its label, the words customers are shown, or the
    /// personal-data fields it covers (a rule may read only those).
    Purpose {
        /// Purpose id.
        purpose: String,
        /// New short name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        /// New description, in the words customers agree to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        /// The fields it covers (all of them), by key.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fields: Option<Vec<PersonalField>>,
        /// When it began to cover each field it was widened to cover, as an undo gives it
        /// back (only an undo sets it; a field added otherwise is covered from now on).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        covered_since: Option<CoveredSince>,
        /// For an undo: when the change it takes back was made. Where a customer agreed
        /// to the purpose since (while it did not cover what the undo gives back), a
        /// field it covers again is covered from now on.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        undone_at: Option<DateTime<Utc>>,
    },
    /// Set how long a personal-data field may be kept after the customer's last order.
    FieldRetention {
        /// Field key.
        field: PersonalField,
        /// Days, or `null` for no limit.
        retention_days: Option<i64>,
    },
    /// Set one of the shop's settings: `name`, `top_n`, `popularity_weight` or
    /// `popularity_days`.
    Setting {
        /// The setting's key.
        setting: String,
        /// Its new value.
        value: Value,
    },
}

/// A change that cannot be made, naming the change and the field.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("change {} ({kind}), field \"{field}\": {problem}", index + 1)]
pub struct ChangeError {
    /// Position of the change in its list (0-based; shown 1-based).
    pub index: usize,
    /// The change's kind.
    pub kind: &'static str,
    /// The offending field.
    pub field: &'static str,
    /// What is wrong.
    pub problem: String,
}

/// A change as applied: the change and the values before and after it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Applied {
    /// The change.
    pub change: Change,
    /// What it replaced.
    pub before: Value,
    /// What it set.
    pub after: Value,
}

impl Applied {
    /// What was replaced and what was set, for a log line: "before → after". A merge
    /// gives only what it did: its before value is the whole record it removed, kept for
    /// its undo, not for reading.
    pub fn values_text(&self) -> String {
        match self.change {
            Change::MergeCustomers { customer, from } => {
                let number = |id| match id {
                    super::model::ERASED_CUSTOMER => "an erased customer".to_owned(),
                    id => format!("customer {id}"),
                };
                format!(
                    "{} merged into {}: {}",
                    number(from),
                    number(customer),
                    self.after
                )
            }
            Change::SplitCustomers { .. } => format!("merge taken back: {}", self.after),
            _ => format!("{} → {}", self.before, self.after),
        }
    }
}

/// Who makes a change, and when (consent events are dated and attributed).
#[derive(Clone, Debug)]
pub struct ChangeContext {
    /// When the change is recorded: the real time, never the shop's as-of day.
    pub now: DateTime<Utc>,
    /// Who makes it.
    pub actor: String,
}

impl ChangeContext {
    /// A change made now by `actor`.
    pub fn now(actor: &str) -> Self {
        Self {
            now: Utc::now().trunc_subsecs(0),
            actor: actor.to_owned(),
        }
    }
}

impl Change {
    /// Whether `other` sets the same thing as this change (in a scenario, the newer one
    /// replaces the older).
    pub fn sets_same_as(&self, other: &Change) -> bool {
        match (self, other) {
            (Self::RuleWeight { rule: x, .. }, Self::RuleWeight { rule: y, .. })
            | (Self::RuleEnabled { rule: x, .. }, Self::RuleEnabled { rule: y, .. }) => x == y,
            (Self::Rule { rule: x, .. }, Self::Rule { rule: y, .. }) => x.id == y.id,
            (
                Self::Consent {
                    customer: c1,
                    purpose: p1,
                    ..
                },
                Self::Consent {
                    customer: c2,
                    purpose: p2,
                    ..
                },
            ) => c1 == c2 && p1 == p2,
            (
                Self::Preference {
                    customer: c1,
                    preference: p1,
                    ..
                },
                Self::Preference {
                    customer: c2,
                    preference: p2,
                    ..
                },
            ) => c1 == c2 && p1 == p2,
            (
                Self::CustomerField {
                    customer: c1,
                    field: f1,
                    ..
                },
                Self::CustomerField {
                    customer: c2,
                    field: f2,
                    ..
                },
            ) => c1 == c2 && f1 == f2,
            (Self::Product { product: x, .. }, Self::Product { product: y, .. }) => x == y,
            (
                Self::Purpose {
                    purpose: x,
                    label: l1,
                    description: d1,
                    fields: f1,
                    ..
                },
                Self::Purpose {
                    purpose: y,
                    label: l2,
                    description: d2,
                    fields: f2,
                    ..
                },
            ) => {
                x == y
                    && l1.is_some() == l2.is_some()
                    && d1.is_some() == d2.is_some()
                    && f1.is_some() == f2.is_some()
            }
            (Self::FieldRetention { field: x, .. }, Self::FieldRetention { field: y, .. }) => {
                x == y
            }
            (Self::Setting { setting: x, .. }, Self::Setting { setting: y, .. }) => x == y,
            (
                Self::MergeCustomers {
                    customer: c1,
                    from: f1,
                },
                Self::MergeCustomers {
                    customer: c2,
                    from: f2,
                },
            ) => (c1, f1) == (c2, f2) || (c1, f1) == (f2, c2),
            _ => false,
        }
    }

    /// The kind, as written in JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::RuleWeight { .. } => "rule_weight",
            Self::RuleEnabled { .. } => "rule_enabled",
            Self::Rule { .. } => "rule",
            Self::RuleRemoved { .. } => "rule_removed",
            Self::Consent { .. } => "consent",
            Self::Preference { .. } => "preference",
            Self::CustomerField { .. } => "customer_field",
            Self::Product { .. } => "product",
            Self::Purpose { .. } => "purpose",
            Self::FieldRetention { .. } => "field_retention",
            Self::Setting { .. } => "setting",
            Self::MergeCustomers { .. } => "merge_customers",
            Self::NewCustomer { .. } => "new_customer",
            Self::CustomerRemoved { .. } => "customer_removed",
            Self::SplitCustomers { .. } => "split_customers",
        }
    }

    /// The customers this change is about (for filtering the audit log): none for a change
    /// to the rules, purposes, settings or products.
    pub fn customers(&self) -> Vec<CustomerId> {
        match self {
            Self::Consent { customer, .. }
            | Self::Preference { customer, .. }
            | Self::CustomerField { customer, .. }
            | Self::SplitCustomers { customer, .. } => vec![*customer],
            Self::MergeCustomers { customer, from } => vec![*customer, *from],
            Self::CustomerRemoved { customer }
            | Self::NewCustomer {
                customer: Some(customer),
                ..
            } => vec![*customer],
            _ => Vec::new(),
        }
    }

    /// The rule this change is about, if any (for filtering the audit log).
    pub fn rule_id(&self) -> Option<&str> {
        match self {
            Self::RuleWeight { rule, .. }
            | Self::RuleEnabled { rule, .. }
            | Self::RuleRemoved { rule } => Some(rule),
            Self::Rule { rule, .. } => Some(&rule.id),
            _ => None,
        }
    }

    /// The change in words, for the scenario list and the audit log.
    pub fn describe(&self, shop: &Shop) -> String {
        let rule_label = |id: &str| {
            shop.rules
                .iter()
                .find(|r| r.id == id)
                .map_or_else(|| id.to_owned(), |r| r.label.clone())
        };
        let customer = |id: CustomerId| shop.customer_name(id);
        match self {
            Self::RuleWeight { rule, weight } => {
                format!(
                    "Set the weight of \"{}\" to {}",
                    rule_label(rule),
                    super::score::round_for_text(*weight)
                )
            }
            Self::RuleEnabled { rule, enabled } => format!(
                "Switch \"{}\" {}",
                rule_label(rule),
                if *enabled { "on" } else { "off" }
            ),
            Self::Rule { rule, .. } if shop.rules.iter().any(|r| r.id == rule.id) => {
                format!("Edit the rule \"{}\"", rule.label)
            }
            Self::Rule { rule, .. } => format!("Add the rule \"{}\"", rule.label),
            Self::RuleRemoved { rule } => format!("Remove the rule \"{}\"", rule_label(rule)),
            Self::Consent {
                customer: c,
                purpose,
                granted,
                ..
            } => format!(
                "{} {} \u{201c}{}\u{201d}",
                customer(*c),
                if *granted { "grants" } else { "withdraws" },
                shop.purposes
                    .iter()
                    .find(|p| &p.id == purpose)
                    .map_or(purpose.as_str(), |p| p.label.as_str())
            ),
            Self::Preference {
                customer: c,
                preference,
                withdrawn,
                ..
            } => {
                let what = preference.as_ref().map_or_else(
                    || "[erased]".to_owned(),
                    |p| p.text(|id| product_name(shop, id)),
                );
                if *withdrawn {
                    format!("{} no longer {what}", customer(*c))
                } else {
                    format!("{} {what}", customer(*c))
                }
            }
            Self::CustomerField {
                customer: c,
                field,
                value,
                ..
            } => format!(
                "{} the {} of {}",
                if value.is_some() { "Change" } else { "Delete" },
                super::fields::key_in_words(field),
                customer(*c)
            ),
            Self::Product { .. } => describe_product(shop, self),
            Self::Purpose {
                purpose,
                label,
                description,
                fields,
                ..
            } => describe_purpose(
                shop,
                purpose,
                label.as_deref(),
                description.as_deref(),
                fields.as_deref(),
            ),
            Self::FieldRetention {
                field,
                retention_days: Some(days),
            } => format!(
                "Keep the {} for {} after the last order",
                field.in_words(),
                super::words::days(*days)
            ),
            Self::FieldRetention {
                field,
                retention_days: None,
            } => format!("Keep the {} without a time limit", field.in_words()),
            Self::Setting { setting, value } => super::settings_change::describe(setting, value),
            Self::NewCustomer { fields, .. } => format!(
                "Add a new customer: {}",
                fields
                    .get("name")
                    .or_else(|| fields.get("email"))
                    .or_else(|| fields.get("phone"))
                    .map_or("[erased]", String::as_str)
            ),
            Self::CustomerRemoved { customer: c } => {
                format!("Take back the new customer {}", customer(*c))
            }
            Self::MergeCustomers { customer: c, from } => format!(
                "Merge the record of {} (customer {from}) into {} (customer {c})",
                customer(*from),
                customer(*c)
            ),
            Self::SplitCustomers { customer: c, split } => format!(
                "Take back the merge of customer {} into {}",
                split
                    .as_ref()
                    .map_or_else(|| "[erased]".to_owned(), |s| s.record.id.to_string()),
                customer(*c)
            ),
        }
    }
}

/// The name of product `id`, if the shop has it.
pub fn product_name(shop: &Shop, id: ProductId) -> Option<String> {
    shop.products
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.name.clone())
}

/// A `product` change in words: "Set Rye loaf: price £3.60, stock 4".
fn describe_product(shop: &Shop, change: &Change) -> String {
    let Some((product, edit)) = ProductEdit::of(change) else {
        return String::new();
    };
    let name = shop
        .products
        .iter()
        .find(|p| p.id == product)
        .map_or_else(|| format!("product {product}"), |p| p.name.clone());
    let currency = shop.settings.currency;
    let parts: Vec<String> = [
        edit.price
            .map(|p| format!("price {}", currency.format(currency.from_major(p)))),
        edit.price_not_known
            .then(|| super::money::PRICE_NOT_KNOWN.to_owned()),
        edit.stock_not_tracked
            .then(|| "stock not tracked".to_owned()),
        edit.stock.map(|s| format!("stock {s}")),
        edit.category.map(|c| format!("category {c}")),
        edit.tags.map(|t| format!("tags {}", t.join(", "))),
    ]
    .into_iter()
    .flatten()
    .collect();
    format!("Set {name}: {}", parts.join(", "))
}

/// A `purpose` change in words.
fn describe_purpose(
    shop: &Shop,
    id: &str,
    label: Option<&str>,
    description: Option<&str>,
    fields: Option<&[PersonalField]>,
) -> String {
    let name = shop.purpose_label(id);
    let mut parts = Vec::new();
    if let Some(fields) = fields {
        let words: Vec<&str> = fields.iter().map(|f| f.in_words()).collect();
        parts.push(if words.is_empty() {
            "cover no personal data".to_owned()
        } else {
            format!("cover {}", super::words::and_list(&words))
        });
    }
    if let Some(label) = label {
        parts.push(format!("be called \u{201c}{label}\u{201d}"));
    }
    if let Some(description) = description {
        parts.push(format!("tell customers \u{201c}{description}\u{201d}"));
    }
    format!("Let \u{201c}{name}\u{201d} {}", parts.join(" and "))
}

/// Applies every change in order to `shop`, which the caller owns (usually a copy):
/// on error the partly changed copy is dropped, so nothing half-applied escapes.
pub fn apply_all(
    mut shop: Shop,
    changes: &[Change],
    ctx: &ChangeContext,
) -> Result<(Shop, Vec<Applied>), ChangeError> {
    let mut applied = Vec::with_capacity(changes.len());
    for (index, change) in changes.iter().enumerate() {
        applied.push(apply_one(&mut shop, change, (changes, ctx), index)?);
    }
    Ok((shop, applied))
}

/// What a change replaced and what it set, or the field at fault and why.
type Outcome = Result<(Value, Value), (&'static str, String)>;

/// The first text of `change` holding a character that would act on a screen rather than
/// show (see [`super::words::hidden_character`]): a consent's method, a preference's
/// words, a rule's label, a product's category. Every text a change carries ends up in
/// the log, the customer's record or a card people read.
fn hidden_in_change(change: &Change) -> Option<char> {
    fn walk(value: &Value) -> Option<char> {
        match value {
            Value::String(s) => super::words::hidden_character(s),
            Value::Array(items) => items.iter().find_map(walk),
            Value::Object(map) => map.values().find_map(walk),
            _ => None,
        }
    }
    walk(&serde_json::to_value(change).ok()?)
}

/// Applies `change`, one of `batch` (the changes applied together with it).
fn apply_one(
    shop: &mut Shop,
    change: &Change,
    (batch, ctx): (&[Change], &ChangeContext),
    index: usize,
) -> Result<Applied, ChangeError> {
    let outcome = match change {
        Change::RuleWeight { .. }
        | Change::RuleEnabled { .. }
        | Change::Rule { .. }
        | Change::RuleRemoved { .. } => rule_outcome(shop, change),
        Change::Consent {
            customer,
            purpose,
            granted,
            method,
            words,
        } => {
            let how = (method.as_deref(), words.as_deref());
            record_consent(shop, *customer, purpose, *granted, how, ctx)
        }
        Change::Preference {
            customer,
            preference,
            withdrawn,
            method,
            words,
            lifted_by,
        } => {
            let how = (method.as_deref(), words.as_deref());
            record_preference(shop, *customer, preference.as_ref(), *withdrawn, how, ctx)
                .and_then(|outcome| note_lifted_by(shop, lifted_by).map(|()| outcome))
        }
        Change::CustomerField {
            customer,
            field,
            value,
            source,
        } => correct_field(
            shop,
            *customer,
            (field, value.as_ref()),
            source.as_ref(),
            ctx,
        ),
        Change::Product { .. } => ProductEdit::of(change).map_or_else(
            || Err(("kind", "not a product change".to_owned())),
            |(product, edit)| set_product(shop, product, &edit),
        ),
        Change::Purpose {
            purpose,
            label,
            description,
            fields,
            covered_since,
            undone_at,
        } => {
            let edit = PurposeEdit {
                label: label.as_deref(),
                description: description.as_deref(),
                fields: fields.as_deref(),
                covered_since: covered_since.as_ref().map(|since| (since, *undone_at)),
                batch,
            };
            set_purpose(shop, purpose, &edit, ctx)
        }
        Change::FieldRetention {
            field,
            retention_days,
        } => set_retention(shop, *field, *retention_days),
        Change::Setting { setting, value } => {
            super::settings_change::set(&mut shop.settings, setting, value)
        }
        Change::MergeCustomers { customer, from } => {
            super::merge::merge(shop, *customer, *from, ctx)
        }
        Change::NewCustomer {
            customer,
            fields,
            consents,
            method,
        } => {
            let how = method.as_deref().filter(|m| !m.trim().is_empty());
            let how = (how.unwrap_or("at the counter"), ctx);
            super::new_customer::add(shop, *customer, fields, consents, how)
        }
        Change::CustomerRemoved { customer } => super::new_customer::remove(shop, *customer),
        Change::SplitCustomers {
            customer,
            split: Some(split),
        } => super::merge::split(shop, *customer, split),
        Change::SplitCustomers { split: None, .. } => Err((
            "split",
            "the merged records were erased, so the merge cannot be taken back".to_owned(),
        )),
    };
    // Checked once the change's own checks (which name their field) have passed; the
    // copy it changed is dropped with the error.
    let outcome = outcome.and_then(|done| match hidden_in_change(change) {
        Some(hidden) => Err((
            "text",
            format!(
                "a text of the change holds an invisible control character (U+{:04X}); type it without it",
                u32::from(hidden)
            ),
        )),
        None => Ok(done),
    });
    let (before, after) = outcome.map_err(|(field, problem)| ChangeError {
        index,
        kind: change.kind(),
        field,
        problem,
    })?;
    let mut change = change.clone();
    // The log records the number a new customer was given.
    if let Change::NewCustomer { customer, .. } = &mut change {
        *customer = after["customer"].as_i64();
    }
    Ok(Applied {
        change,
        before,
        after,
    })
}

/// Makes one of the four rule changes.
fn rule_outcome(shop: &mut Shop, change: &Change) -> Outcome {
    match change {
        Change::RuleWeight { rule, weight } => set_rule_weight(shop, rule, *weight),
        Change::RuleEnabled { rule, enabled } => rule_pos(shop, rule).map(|pos| {
            let old = std::mem::replace(&mut shop.rules[pos].enabled, *enabled);
            (json!({ "enabled": old }), json!({ "enabled": enabled }))
        }),
        Change::Rule { rule, position } => put_rule(shop, rule, *position),
        Change::RuleRemoved { rule } => rule_pos(shop, rule).map(|pos| {
            let old = shop.rules.remove(pos);
            (
                json!({ "rule": old, "position": pos }),
                json!({ "rule": null }),
            )
        }),
        _ => Err(("kind", "not a rule change".to_owned())),
    }
}

/// The position of rule `id`.
fn rule_pos(shop: &Shop, id: &str) -> Result<usize, (&'static str, String)> {
    shop.rules
        .iter()
        .position(|r| r.id == id)
        .ok_or_else(|| ("rule", format!("there is no rule \"{id}\"")))
}

fn set_rule_weight(shop: &mut Shop, rule: &str, weight: f64) -> Outcome {
    let pos = rule_pos(shop, rule)?;
    if !weight.is_finite() || !(MIN_WEIGHT..=MAX_WEIGHT).contains(&weight) {
        return Err((
            "weight",
            format!("{weight} is not a weight between {MIN_WEIGHT} and {MAX_WEIGHT}"),
        ));
    }
    let old = std::mem::replace(&mut shop.rules[pos].weight, weight);
    Ok((json!({ "weight": old }), json!({ "weight": weight })))
}

/// Replaces the rule with the same id, or inserts a new one at `position` (the end by
/// default), once it is valid.
fn put_rule(shop: &mut Shop, rule: &Rule, position: Option<usize>) -> Outcome {
    let purposes: Vec<&str> = shop.purposes.iter().map(|p| p.id.as_str()).collect();
    rule.validate(&purposes)
        .map_err(|p| ("rule", p.to_string()))?;
    let after = json!({ "rule": rule });
    Ok(match shop.rules.iter().position(|r| r.id == rule.id) {
        Some(pos) => {
            let old = std::mem::replace(&mut shop.rules[pos], rule.clone());
            (json!({ "rule": old, "position": pos }), after)
        }
        None => {
            let pos = position.unwrap_or(shop.rules.len()).min(shop.rules.len());
            shop.rules.insert(pos, rule.clone());
            (json!({ "rule": null }), after)
        }
    })
}

/// Records a consent decision (and how it reached the shop: the method and the customer's
/// own words), dated and attributed by `ctx`, as the customer's latest.
pub(super) fn record_consent(
    shop: &mut Shop,
    customer: CustomerId,
    purpose: &str,
    granted: bool,
    (method, words): (Option<&str>, Option<&str>),
    ctx: &ChangeContext,
) -> Outcome {
    if !shop.customers.iter().any(|c| c.id == customer) {
        return Err((
            "customer",
            format!("there is no customer number {customer}"),
        ));
    }
    if !shop.purposes.iter().any(|p| p.id == purpose) {
        return Err(("purpose", format!("there is no purpose \"{purpose}\"")));
    }
    let old = shop.current_consent(customer, purpose).map(|e| e.granted);
    // What the customer was shown; an undo shows them nothing.
    let undo = method == Some(UNDO_METHOD);
    let wording = (!undo)
        .then(|| shop.purpose(purpose).map(|p| p.description.clone()))
        .flatten();
    let day = ctx.now.date_naive();
    std::sync::Arc::make_mut(&mut shop.consents).push(ConsentEvent {
        customer,
        purpose: purpose.to_owned(),
        granted,
        at: day,
        recorded_at: Some(ctx.now),
        decided_on: Some(day),
        method: method
            .filter(|m| !m.trim().is_empty())
            .map_or_else(|| "recorded in Candor".to_owned(), str::to_owned),
        recorded_by: ctx.actor.clone(),
        words: words.filter(|w| !w.trim().is_empty()).map(str::to_owned),
        wording,
    });
    Ok((json!({ "granted": old }), json!({ "granted": granted })))
}

/// Records a customer's stated preference (or its withdrawal), attributed by `ctx`, as
/// their latest decision about it.
fn record_preference(
    shop: &mut Shop,
    customer: CustomerId,
    preference: Option<&Preference>,
    withdrawn: bool,
    (method, words): (Option<&str>, Option<&str>),
    ctx: &ChangeContext,
) -> Outcome {
    let preference = preference.ok_or_else(|| {
        (
            "preference",
            "say which preference: {\"kind\": \"liked\" | \"not_wanted\" | \"ignore_purchases\", \"category\" | \"tag\" | \"product\": …}".to_owned(),
        )
    })?;
    if !shop.customers.iter().any(|c| c.id == customer) {
        return Err((
            "customer",
            format!("there is no customer number {customer}"),
        ));
    }
    preference.check_shape().map_err(|p| ("preference", p))?;
    if let super::preferences::About::Product(id) = preference.about
        && !shop.products.iter().any(|p| p.id == id)
    {
        return Err(("preference", format!("there is no product number {id}")));
    }
    let old = super::preferences::holds(&shop.preferences, customer, preference);
    std::sync::Arc::make_mut(&mut shop.preferences).push(PreferenceEvent {
        customer,
        preference: preference.clone(),
        withdrawn,
        recorded_at: ctx.now,
        recorded_by: ctx.actor.clone(),
        method: method
            .filter(|m| !m.trim().is_empty())
            .map_or_else(|| "recorded in Candor".to_owned(), str::to_owned),
        words: words.filter(|w| !w.trim().is_empty()).map(str::to_owned),
        lifted_by: Vec::new(),
    });
    Ok((json!({ "stated": old }), json!({ "stated": !withdrawn })))
}

/// Notes on the preference just recorded the rules that had lifted the product it answers;
/// each must be one of the shop's rules.
fn note_lifted_by(shop: &mut Shop, rules: &[String]) -> Result<(), (&'static str, String)> {
    if let Some(unknown) = rules
        .iter()
        .find(|id| shop.rules.iter().all(|r| &r.id != *id))
    {
        return Err(("lifted_by", format!("there is no rule \"{unknown}\"")));
    }
    if let Some(event) = std::sync::Arc::make_mut(&mut shop.preferences).last_mut() {
        event.lifted_by = rules.to_vec();
    }
    Ok(())
}

/// Sets one of a customer's personal values (or clears it with `None`).
/// Where a customer's value came from and when it was recorded (see
/// [`super::model::FieldSource`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueSource {
    /// How the value reached the shop.
    pub source: String,
    /// When it was recorded.
    pub recorded_on: NaiveDate,
}

/// Sets or deletes one personal value of a customer, saying where a value set came from:
/// `source`, else a correction entered in Candor by the actor today. The before value
/// keeps the value and source it replaced, for the undo.
fn correct_field(
    shop: &mut Shop,
    customer: i64,
    (field, value): (&str, Option<&String>),
    source: Option<&ValueSource>,
    ctx: &ChangeContext,
) -> Outcome {
    let f = PersonalField::from_key(field)
        .filter(|f| PersonalField::VALUES.contains(f))
        .ok_or_else(|| {
            (
                "field",
                format!(
                    "\"{field}\" cannot be edited; use one of name, email, phone, address, postcode, birth_date, gender"
                ),
            )
        })?;
    let c = std::sync::Arc::make_mut(&mut shop.customers)
        .iter_mut()
        .find(|c| c.id == customer)
        .ok_or_else(|| {
            (
                "customer",
                format!("there is no customer number {customer}"),
            )
        })?;
    let old = c.field_value(f);
    // Where the value replaced came from: its own source, else the record's.
    let old_source = old.as_ref().map(|_| {
        let (source, recorded_on) = c.value_source(f);
        ValueSource {
            source: source.to_owned(),
            recorded_on,
        }
    });
    if let Some(given) = source {
        if value.is_none() {
            return Err((
                "source",
                "a deleted value has no source: leave \"source\" out".to_owned(),
            ));
        }
        check_value_source(given, ctx)?;
    }
    set_field(c, f, value.cloned()).map_err(|p| ("value", p))?;
    if value.is_some() {
        let source = source.cloned().unwrap_or_else(|| ValueSource {
            source: format!("a correction entered in Candor by {}", ctx.actor),
            recorded_on: ctx.now.date_naive(),
        });
        c.field_sources.push(super::model::FieldSource {
            field: f,
            source: source.source,
            recorded_on: source.recorded_on,
        });
        // As the shop file lists them: by field key.
        c.field_sources.sort_by_key(|s| s.field.key());
    }
    Ok((
        json!({ "value": old, "source": old_source }),
        // As stored: a birth date typed "1990-1-5" is kept as 1990-01-05.
        json!({ "value": c.field_value(f) }),
    ))
}

/// Refuses a source that says nothing, holds control characters, or is dated after today.
fn check_value_source(
    given: &ValueSource,
    ctx: &ChangeContext,
) -> Result<(), (&'static str, String)> {
    let text = given.source.trim();
    if text.is_empty() || text.chars().count() > 1000 || !super::words::is_plain_text(text) {
        return Err((
            "source",
            "where the value came from is 1 to 1,000 characters without control characters"
                .to_owned(),
        ));
    }
    if given.recorded_on > ctx.now.date_naive() {
        return Err((
            "source",
            format!(
                "a value cannot have been recorded on {}, after today",
                given.recorded_on
            ),
        ));
    }
    Ok(())
}

/// Sets one personal value of a customer (or clears it with `None`); the field no longer
/// comes from where it came from before.
pub(super) fn set_field(
    c: &mut super::model::Customer,
    field: PersonalField,
    value: Option<String>,
) -> Result<(), String> {
    // A line break belongs in an address only: in a name it would show as a row of its own.
    let hidden = |v: &str| match field {
        PersonalField::Address => super::words::hidden_character(v),
        _ => super::words::hidden_in_line(v),
    };
    if let Some(hidden) = value.as_deref().and_then(hidden) {
        return Err(format!(
            "the value holds an invisible control character or a line break (U+{:04X}); type it without it",
            u32::from(hidden)
        ));
    }
    match field {
        PersonalField::Name => c.name = value,
        PersonalField::Email => c.email = value,
        PersonalField::Phone => c.phone = value,
        PersonalField::Address => c.address = value,
        PersonalField::Postcode => c.postcode = value,
        PersonalField::Gender => c.gender = value,
        PersonalField::BirthDate => {
            c.birth_date = value
                .map(|v| {
                    v.parse::<NaiveDate>()
                        .map_err(|_| format!("\"{v}\" is not a date (YYYY-MM-DD)"))
                })
                .transpose()?;
        }
        PersonalField::CustomerSince
        | PersonalField::Orders
        | PersonalField::Consents
        | PersonalField::Preferences => {
            return Err("this field cannot be edited".to_owned());
        }
    }
    // A changed field no longer comes from where it came from before.
    c.field_sources.retain(|s| s.field != field);
    Ok(())
}

/// What a `product` change sets.
struct ProductEdit<'a> {
    stock_not_tracked: bool,
    price_not_known: bool,
    price: Option<f64>,
    stock: Option<i64>,
    category: Option<&'a str>,
    tags: Option<&'a [String]>,
}

impl<'a> ProductEdit<'a> {
    /// The product and what a `product` change sets; `None` for another kind.
    fn of(change: &'a Change) -> Option<(ProductId, Self)> {
        let Change::Product {
            product,
            price,
            stock,
            category,
            tags,
            price_not_known,
            stock_not_tracked,
        } = change
        else {
            return None;
        };
        Some((
            *product,
            Self {
                stock_not_tracked: *stock_not_tracked,
                price_not_known: *price_not_known,
                price: *price,
                stock: *stock,
                category: category.as_deref(),
                tags: tags.as_deref(),
            },
        ))
    }
}

/// What a `product` change can set of product `p`, as its log entry gives it.
pub(super) fn product_state(p: &super::model::Product, currency: super::money::Currency) -> Value {
    json!({
        "price": p.price_cents.map(|c| currency.to_major(c)),
        "stock": (p.stock != STOCK_NOT_TRACKED).then_some(p.stock),
        "category": p.category,
        "tags": p.tags,
    })
}

/// The product a `product` change is about, and the keys of [`product_state`] it sets.
pub(super) fn product_keys_set(change: &Change) -> Option<(ProductId, Vec<&'static str>)> {
    let (product, edit) = ProductEdit::of(change)?;
    let keys = [
        (edit.price.is_some() || edit.price_not_known).then_some("price"),
        (edit.stock.is_some() || edit.stock_not_tracked).then_some("stock"),
        edit.category.map(|_| "category"),
        edit.tags.map(|_| "tags"),
    ];
    Some((product, keys.into_iter().flatten().collect()))
}

/// Checks and makes a `product` change; the values before and after, or the field at
/// fault and why.
fn set_product(
    shop: &mut Shop,
    product: ProductId,
    edit: &ProductEdit<'_>,
) -> Result<(Value, Value), (&'static str, String)> {
    check_product_edit(shop.settings.currency, edit)?;
    let currency = shop.settings.currency;
    let p = std::sync::Arc::make_mut(&mut shop.products)
        .iter_mut()
        .find(|p| p.id == product)
        .ok_or_else(|| ("product", format!("there is no product number {product}")))?;
    let state = |p: &super::model::Product| product_state(p, currency);
    let before = state(p);
    if let Some(price) = edit.price {
        p.price_cents = Some(currency.from_major(price));
    }
    if edit.price_not_known {
        p.price_cents = None;
    }
    if let Some(stock) = edit.stock {
        p.stock = stock;
    }
    if edit.stock_not_tracked {
        p.stock = STOCK_NOT_TRACKED;
    }
    if let Some(category) = edit.category {
        category.clone_into(&mut p.category);
    }
    if let Some(tags) = edit.tags {
        p.tags = tags.to_vec();
    }
    Ok((before, state(p)))
}

/// The bounds of a `product` change: a price in whole minor units of the shop's currency
/// up to 1,000,000, a stock up to [`MAX_STOCK`], a category and tags that can be stored.
fn check_product_edit(
    currency: super::money::Currency,
    edit: &ProductEdit<'_>,
) -> Result<(), (&'static str, String)> {
    if edit.price.is_none()
        && edit.stock.is_none()
        && edit.category.is_none()
        && edit.tags.is_none()
        && !edit.price_not_known
        && !edit.stock_not_tracked
    {
        return Err((
            "price",
            "give a price, a stock, a category or tags".to_owned(),
        ));
    }
    if edit.price_not_known && edit.price.is_some() {
        return Err((
            "price_not_known",
            "give a price or say it is not known, not both".to_owned(),
        ));
    }
    if let Some(p) = edit.price {
        let per = currency.minor_per_major() as f64;
        if !p.is_finite() || !(0.0..=MAX_PRICE_MINOR as f64).contains(&(p * per)) {
            return Err((
                "price",
                format!(
                    "{p} is not a price in {} from 0 to {}",
                    currency.code(),
                    currency.format(MAX_PRICE_MINOR)
                ),
            ));
        }
        if ((p * per) - (p * per).round()).abs() > 1e-6 {
            return Err((
                "price",
                format!(
                    "{p} is finer than the smallest unit of {}; give the price to {} decimals",
                    currency.code(),
                    currency.decimals()
                ),
            ));
        }
    }
    if edit.stock_not_tracked && edit.stock.is_some() {
        return Err((
            "stock_not_tracked",
            "give a stock or say it is not tracked, not both".to_owned(),
        ));
    }
    if let Some(s) = edit.stock
        && !(0..=MAX_STOCK).contains(&s)
    {
        return Err(("stock", format!("{s} is not a stock from 0 to {MAX_STOCK}")));
    }
    if let Some(c) = edit.category
        && (c.trim().is_empty() || c.chars().count() > 100)
    {
        return Err(("category", "a category is 1 to 100 characters".to_owned()));
    }
    if let Some(tags) = edit.tags
        && let Some(bad) = tags
            .iter()
            .find(|t| t.trim().is_empty() || t.contains(';') || t.chars().count() > 100)
    {
        return Err((
            "tags",
            format!("\"{bad}\" is not a tag: a tag is 1 to 100 characters without \";\""),
        ));
    }
    Ok(())
}

/// What a `purpose` change sets.
struct PurposeEdit<'a> {
    label: Option<&'a str>,
    description: Option<&'a str>,
    fields: Option<&'a [PersonalField]>,
    /// For an undo: the dates it gives back, and when the change it takes back was made.
    covered_since: Option<(&'a CoveredSince, Option<DateTime<Utc>>)>,
    /// The changes applied together with this one.
    batch: &'a [Change],
}

/// When a purpose began to cover each field it was widened to cover.
type CoveredSince = BTreeMap<PersonalField, DateTime<Utc>>;

/// Changes a purpose's label, description or covered fields; a field it begins to cover
/// is covered from `ctx`'s time on (grants made before do not cover it), unless an undo
/// gives back when it began.
fn set_purpose(shop: &mut Shop, id: &str, edit: &PurposeEdit<'_>, ctx: &ChangeContext) -> Outcome {
    check_purpose_edit(edit)?;
    let gap = (edit.covered_since)
        .and_then(|(_, undone_at)| undone_at)
        .is_some_and(|at| agreed_since(shop, id, at, edit.batch));
    let p = shop
        .purposes
        .iter_mut()
        .find(|p| p.id == id)
        .ok_or_else(|| ("purpose", format!("there is no purpose \"{id}\"")))?;
    let state = |p: &super::model::Purpose| {
        json!({
            "label": p.label,
            "description": p.description,
            "fields": p.fields,
            "covered_since": p.covered_since,
            "at": ctx.now,
        })
    };
    let before = state(p);
    if let Some(label) = edit.label {
        label.clone_into(&mut p.label);
    }
    if let Some(description) = edit.description {
        description.clone_into(&mut p.description);
    }
    if let Some(fields) = edit.fields {
        let given = edit.covered_since.filter(|_| !gap).map(|(since, _)| since);
        cover(p, fields, given, ctx.now);
    }
    Ok((before, state(p)))
}

/// Refuses a purpose edit that changes nothing, or whose label or description is blank,
/// too long or holds control characters.
fn check_purpose_edit(edit: &PurposeEdit<'_>) -> Result<(), (&'static str, String)> {
    if edit.label.is_none() && edit.description.is_none() && edit.fields.is_none() {
        return Err((
            "fields",
            "give a label, a description or the fields it covers".to_owned(),
        ));
    }
    let text_ok = |t: &str, most: usize| {
        !t.trim().is_empty() && t.chars().count() <= most && super::words::is_plain_text(t)
    };
    if edit.label.is_some_and(|l| !text_ok(l, 100)) {
        return Err((
            "label",
            "a label is 1 to 100 characters without control characters".to_owned(),
        ));
    }
    if edit.description.is_some_and(|d| !text_ok(d, 1000)) {
        return Err((
            "description",
            "a description is 1 to 1,000 characters without control characters".to_owned(),
        ));
    }
    Ok(())
}

/// Whether a grant of purpose `id` was recorded since `at` (when the change an undo takes
/// back was made), while the purpose did not cover what the undo gives back. A withdrawal
/// covers nothing, a decision recorded with the change itself is taken back by the same
/// undo (`batch`), and a grant an undo recorded gives back an earlier one (which, if made
/// in between, is itself still on record).
fn agreed_since(shop: &Shop, id: &str, at: DateTime<Utc>, batch: &[Change]) -> bool {
    (shop.consents.iter()).any(|e| {
        e.purpose == id
            && e.granted
            && e.method != UNDO_METHOD
            && e.recorded_at
                .is_some_and(|t| t > at || (t == at && !taken_back(batch, e)))
    })
}

/// Whether `batch` records the customer's decision `e` on its purpose again, or removes
/// the customer: as an undo does for the decisions recorded with the change it takes back.
fn taken_back(batch: &[Change], e: &ConsentEvent) -> bool {
    batch.iter().any(|c| match c {
        Change::Consent {
            customer, purpose, ..
        } => *customer == e.customer && *purpose == e.purpose,
        Change::CustomerRemoved { customer } => *customer == e.customer,
        _ => false,
    })
}

/// Makes purpose `p` cover exactly `fields`: a field it begins to cover is covered from
/// `now`, unless an undo gives back when it began (`given`); a field it no longer covers
/// forgets its date.
fn cover(
    p: &mut super::model::Purpose,
    fields: &[PersonalField],
    given: Option<&CoveredSince>,
    now: DateTime<Utc>,
) {
    let mut fields = fields.to_vec();
    fields.sort();
    fields.dedup();
    let mut since = given.cloned().unwrap_or_else(|| p.covered_since.clone());
    if given.is_none() {
        for &added in fields.iter().filter(|f| !p.fields.contains(f)) {
            since.insert(added, now);
        }
    }
    since.retain(|f, _| fields.contains(f));
    p.covered_since = since;
    p.fields = fields;
}

/// Sets how long a field may be kept after the customer's last order.
fn set_retention(shop: &mut Shop, field: PersonalField, days: Option<i64>) -> Outcome {
    if field == PersonalField::Consents {
        return Err((
            "field",
            "consent records are the proof of what each customer agreed to: they are kept as long as the customer is".to_owned(),
        ));
    }
    if let Some(d) = days
        && !(1..=super::fields::MAX_DAYS).contains(&d)
    {
        return Err((
            "retention_days",
            format!(
                "{d} is not a number of days from 1 to {}",
                super::fields::MAX_DAYS
            ),
        ));
    }
    let def = shop
        .fields
        .iter_mut()
        .find(|f| f.field == field)
        .ok_or_else(|| {
            (
                "field",
                format!("the shop's catalogue has no field \"{}\"", field.key()),
            )
        })?;
    let old = std::mem::replace(&mut def.retention_days, days);
    Ok((
        json!({ "retention_days": old }),
        json!({ "retention_days": days }),
    ))
}

/// An optional part of a before value: `Some(None)` where it is absent or `null`, `None`
/// where it cannot be read (the change then cannot be undone).
fn optional_part<T: serde::de::DeserializeOwned>(b: &Value, key: &str) -> Option<Option<T>> {
    match b.get(key) {
        None | Some(Value::Null) => Some(None),
        Some(v) => serde_json::from_value(v.clone()).ok().map(Some),
    }
}

/// The changes that undo `applied` (in reverse order).
pub fn inverse(applied: &[Applied]) -> Vec<Change> {
    applied.iter().rev().filter_map(inverse_one).collect()
}

fn inverse_one(a: &Applied) -> Option<Change> {
    let b = &a.before;
    Some(match &a.change {
        Change::RuleWeight { rule, .. } => Change::RuleWeight {
            rule: rule.clone(),
            weight: b["weight"].as_f64()?,
        },
        Change::RuleEnabled { rule, .. } => Change::RuleEnabled {
            rule: rule.clone(),
            enabled: b["enabled"].as_bool()?,
        },
        Change::Rule { rule, .. } if b["rule"].is_null() => Change::RuleRemoved {
            rule: rule.id.clone(),
        },
        Change::Rule { .. } | Change::RuleRemoved { .. } => Change::Rule {
            rule: serde_json::from_value(b["rule"].clone()).ok()?,
            position: b["position"].as_u64().map(|p| p as usize),
        },
        Change::Consent {
            customer, purpose, ..
        } => Change::Consent {
            customer: *customer,
            purpose: purpose.clone(),
            // No earlier decision: record a withdrawal, which gates exactly as "none given".
            granted: b["granted"].as_bool().unwrap_or(false),
            method: Some(UNDO_METHOD.to_owned()),
            words: None,
        },
        Change::Preference {
            customer,
            preference,
            ..
        } => Change::Preference {
            customer: *customer,
            preference: preference.clone(),
            // Nothing stated before: a withdrawal, which leaves out exactly as "none".
            withdrawn: !b["stated"].as_bool().unwrap_or(false),
            method: Some(UNDO_METHOD.to_owned()),
            words: None,
            lifted_by: Vec::new(),
        },
        Change::CustomerField {
            customer, field, ..
        } => Change::CustomerField {
            customer: *customer,
            field: field.clone(),
            value: b["value"].as_str().map(str::to_owned),
            source: optional_part(b, "source")?,
        },
        Change::Product { .. } => inverse_product(&a.change, b)?,
        Change::Purpose {
            purpose,
            label,
            description,
            fields,
            ..
        } => Change::Purpose {
            purpose: purpose.clone(),
            label: label.as_ref().and(b["label"].as_str().map(str::to_owned)),
            description: description
                .as_ref()
                .and(b["description"].as_str().map(str::to_owned)),
            fields: fields
                .as_ref()
                .and_then(|_| serde_json::from_value(b["fields"].clone()).ok()),
            // Entries from before these were kept give none: a field covered again is
            // then covered from the undo on.
            covered_since: if fields.is_some() {
                optional_part(b, "covered_since")?
            } else {
                None
            },
            undone_at: if fields.is_some() {
                optional_part(b, "at")?
            } else {
                None
            },
        },
        Change::FieldRetention { field, .. } => Change::FieldRetention {
            field: *field,
            retention_days: b["retention_days"].as_i64(),
        },
        Change::Setting { setting, .. } => Change::Setting {
            setting: setting.clone(),
            value: b["value"].clone(),
        },
        Change::MergeCustomers { customer, .. } => Change::SplitCustomers {
            customer: *customer,
            split: serde_json::from_value(b.clone()).ok().map(Box::new),
        },
        Change::SplitCustomers { customer, split } => Change::MergeCustomers {
            customer: *customer,
            from: split.as_ref()?.record.id,
        },
        Change::NewCustomer { customer, .. } => Change::CustomerRemoved {
            customer: (*customer).or_else(|| a.after["customer"].as_i64())?,
        },
        Change::CustomerRemoved { .. } => {
            let removed: super::new_customer::Removed = serde_json::from_value(b.clone()).ok()?;
            // The number taken back stays retired: added again, they get a new one.
            Change::NewCustomer {
                customer: None,
                fields: super::new_customer::fields_of(&removed.record),
                consents: removed.consents,
                method: Some(UNDO_METHOD.to_owned()),
            }
        }
    })
}

/// The change that undoes a `product` change whose before values are `b`. Only what the
/// change set is set back: a stock that was not tracked is never written back as a
/// number, and a price that was not known becomes so again.
fn inverse_product(change: &Change, b: &Value) -> Option<Change> {
    let (product, edit) = ProductEdit::of(change)?;
    let priced = edit.price.is_some() || edit.price_not_known;
    let stocked = edit.stock.is_some() || edit.stock_not_tracked;
    // Entries written before stock was logged as `null` hold the marker's number.
    let untracked = b["stock"].is_null() || b["stock"].as_i64() == Some(STOCK_NOT_TRACKED);
    Some(Change::Product {
        product,
        price: b["price"].as_f64().filter(|_| priced),
        stock: b["stock"]
            .as_i64()
            .filter(|&s| stocked && s != STOCK_NOT_TRACKED),
        category: edit.category.and(b["category"].as_str().map(str::to_owned)),
        tags: edit
            .tags
            .and_then(|_| serde_json::from_value(b["tags"].clone()).ok()),
        price_not_known: priced && b["price"].is_null(),
        stock_not_tracked: stocked && untracked,
    })
}

/// Reads a CHANGES.json text. Mistakes name the line and column (for bad JSON) or the
/// change's number and kind (for a change that does not fit).
pub fn parse_changes(text: &str) -> Result<ChangeSet, String> {
    super::strict::check_no_duplicate_keys(text)?;
    let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if let Some(extra) = value
        .as_object()
        .and_then(|o| o.keys().find(|k| k.as_str() != "changes"))
    {
        return Err(format!(
            "unknown key {} at the top; the file holds only {{\"changes\": [...]}}",
            super::strict::quote(extra)
        ));
    }
    let list = value
        .get("changes")
        .and_then(Value::as_array)
        .ok_or_else(|| "it needs a \"changes\" list: {\"changes\": [...]}".to_owned())?;
    let changes = list
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let kind = item
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or("no kind");
            if kind == "split_customers" {
                return Err(format!(
                    "change {} (split_customers): only undoing a merge makes this change; undo the merge's log entry instead",
                    i + 1
                ));
            }
            if kind == "purpose"
                && (item.get("covered_since").is_some() || item.get("undone_at").is_some())
            {
                return Err(format!(
                    "change {} (purpose): \"covered_since\" and \"undone_at\" are given only by undoing a purpose change; a purpose covers a field it begins to cover from now on",
                    i + 1
                ));
            }
            if matches!(kind, "consent" | "preference")
                && item.get("method").and_then(Value::as_str) == Some(UNDO_METHOD)
            {
                return Err(format!(
                    "change {} ({kind}): the method \"{UNDO_METHOD}\" is written only by undoing a log entry; say how the customer told you",
                    i + 1
                ));
            }
            if kind == "customer_removed" {
                return Err(format!(
                    "change {} (customer_removed): only undoing a new customer makes this change; to remove a customer's data, erase them",
                    i + 1
                ));
            }
            serde_json::from_value::<Change>(item.clone())
                .map_err(|e| format!("change {} ({kind}): {e}", i + 1))
        })
        .collect::<Result<_, _>>()?;
    Ok(ChangeSet { changes })
}
