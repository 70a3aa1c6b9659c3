//! Merging a batch read from files into a shop snapshot, idempotently: what the shop
//! already has (by the keys earlier imports recorded) is not added again, changed
//! customer fields become logged changes, and consent is never invented or overridden.
//! Pure: no SQL, no files.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::ImportError;
use super::parse::{Batch, FileCounts, ImportedProduct};
use crate::engine::changes::{Applied, Change, ChangeContext, apply_all};
use crate::engine::model::{
    Customer, FieldSource, NOT_A_PRODUCT_TAG, Order, OrderLine, PersonalField, Product,
    STOCK_NOT_TRACKED, Shop,
};
use crate::store::keys::{KeyKind, Known, erased_key_hash, phone_key, stored_key};

/// What the merge added and changed, for the summary, the log and the store.
#[derive(Clone, Debug)]
pub struct Merged {
    /// The shop after the import.
    pub shop: Shop,
    /// Numbers of customers added.
    pub new_customers: Vec<i64>,
    /// Field changes to customers already in the shop, with before and after values.
    pub updates: Vec<Applied>,
    /// Numbers of products added.
    pub new_products: Vec<i64>,
    /// Index of the first added order in `shop.orders` (all after it are new).
    pub first_new_order: usize,
    /// Index of the first added order line in `shop.lines`.
    pub first_new_line: usize,
    /// Index of the first added consent event in `shop.consents`.
    pub first_new_consent: usize,
    /// Keys to record, so the next import of the same file adds nothing.
    pub new_keys: Vec<(KeyKind, String, i64)>,
    /// The counts shown to the person importing.
    pub summary: Summary,
    /// Files of this import that disagreed about a customer's consent.
    pub consent_conflicts: Vec<super::consent::ConsentConflict>,
}

impl Merged {
    /// What the store writes of it.
    pub fn records(&self) -> crate::store::ImportRecords<'_> {
        crate::store::ImportRecords {
            shop: &self.shop,
            new_customers: &self.new_customers,
            updates: &self.updates,
            new_products: &self.new_products,
            first_new_order: self.first_new_order,
            first_new_line: self.first_new_line,
            first_new_consent: self.first_new_consent,
            new_keys: &self.new_keys,
        }
    }
}

/// What an import did, in numbers (shown in the window, printed by the CLI as JSON).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Data rows read.
    pub rows_read: usize,
    /// Customers added.
    pub customers_added: usize,
    /// Customers already in the shop whose fields changed.
    pub customers_updated: usize,
    /// Field values changed on those customers.
    pub fields_updated: usize,
    /// Products added (postage and fees included, marked as not products).
    pub products_added: usize,
    /// Of those, lines that are not products (postage, fees, discounts).
    pub not_products_added: usize,
    /// Of the products added, those the files gave no category (no category column and no
    /// keyword matched): their reasons name no category.
    pub products_without_category: usize,
    /// Products already in the shop that a products export gave a category, tags or a new
    /// price (each a logged product change).
    pub products_updated: usize,
    /// Of those, the products whose price changed.
    pub product_prices_changed: usize,
    /// Orders added.
    pub orders_added: usize,
    /// Of those, cancellations and refunds, whose lines are returns.
    pub returns_added: usize,
    /// Of those, guest sales attached to no customer.
    pub guest_orders_added: usize,
    /// Order lines added.
    pub lines_added: usize,
    /// Orders skipped because an earlier import already brought them in.
    pub orders_already_imported: usize,
    /// Consent decisions recorded.
    pub consents_added: usize,
    /// Whether the files carried any consent information at all.
    pub consent_information: bool,
    /// Consent answers not recorded, by reason.
    pub consents_not_recorded: BTreeMap<String, usize>,
    /// Rows left out on purpose, by reason.
    pub rows_left_out: BTreeMap<String, usize>,
    /// Rows whose price was a fraction of a penny and was rounded to the nearest penny.
    pub prices_rounded: usize,
    /// Rows that could not be read and were skipped (only with skip-bad-rows).
    pub bad_rows_skipped: usize,
    /// Customers not brought back because they were erased on request.
    pub erased_not_reimported: usize,
    /// Columns in the files that Candor did not import, per file.
    pub columns_not_imported: BTreeMap<String, Vec<String>>,
    /// Orders an earlier import brought in as purchases that these files mark as not
    /// purchases (refunded, cancelled, …), by status: they stay as bought, since an import
    /// does not change orders already in the shop.
    pub orders_in_shop_now_not_purchases: BTreeMap<String, usize>,
    /// What the files' rows became, summed over the files (see [`FileCounts`]).
    #[serde(flatten)]
    pub rows_became: FileCounts,
    /// The day the shop is pinned to, when the import pinned it (historical data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned_today: Option<NaiveDate>,
}

/// Whether customer `id` of the shop has this name, or one of the two has none.
fn same_name(shop: &Shop, id: i64, name: Option<&String>) -> bool {
    let known = shop
        .customers
        .binary_search_by_key(&id, |c| c.id)
        .ok()
        .and_then(|i| shop.customers[i].name.as_deref());
    match (known, name) {
        (Some(a), Some(b)) => a.trim().eq_ignore_ascii_case(b.trim()),
        _ => true,
    }
}

/// Merges `batch` into `shop`. `today` is the shop's as-of day (no customer joins after
/// it); `now` is the real time, which dates what Candor records; `actor` records consents.
pub fn merge(
    shop: &Shop,
    known: &Known,
    batch: &Batch,
    today: NaiveDate,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<Merged, ImportError> {
    let mut out = shop.clone();
    let mut summary = Summary {
        rows_read: batch.rows,
        consent_information: batch.had_consent_columns,
        rows_left_out: batch.left_out.clone(),
        bad_rows_skipped: batch.bad_rows.len(),
        prices_rounded: batch.prices_rounded,
        columns_not_imported: batch.unused_columns.iter().cloned().collect(),
        ..Summary::default()
    };
    for f in &batch.files {
        summary.rows_became.add(f);
    }
    for (key, status) in batch.left_out_orders() {
        if known.keys.contains_key(&(KeyKind::Order, key.to_owned())) {
            *summary
                .orders_in_shop_now_not_purchases
                .entry(status.to_owned())
                .or_default() += 1;
            if let Some(n) = summary.rows_became.orders_not_purchases.get_mut(status) {
                *n = n.saturating_sub(1);
            }
        }
    }
    summary
        .rows_became
        .orders_not_purchases
        .retain(|_, n| *n > 0);
    let mut new_keys = Vec::new();

    // Customers.
    let mut by_email: HashMap<String, i64> = shop
        .customers
        .iter()
        .filter_map(|c| c.email.as_ref().map(|e| (e.to_lowercase(), c.id)))
        .collect();
    let mut by_phone: HashMap<String, i64> = shop
        .customers
        .iter()
        .filter_map(|c| c.phone.as_deref().and_then(phone_key).map(|p| (p, c.id)))
        .collect();
    let mut taken: HashSet<i64> = shop.customers.iter().map(|c| c.id).collect();
    let mut next_customer = taken
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(known.highest_erased)
        + 1;
    let mut customer_of: HashMap<&str, i64> = HashMap::new();
    let mut first_order_day: HashMap<&str, NaiveDate> = HashMap::new();
    for o in &batch.orders {
        if let Some(c) = &o.customer {
            let day = first_order_day.entry(c.as_str()).or_insert(o.date);
            *day = (*day).min(o.date);
        }
    }
    let mut changes = Vec::new();
    let mut sources: Vec<(i64, PersonalField, String)> = Vec::new();
    let mut added_customers = Vec::new();
    let mut erased_seen: HashSet<String> = HashSet::new();
    for c in &batch.customers {
        let email = c.values.get(&PersonalField::Email);
        let erased = |key: &str| {
            known
                .erased
                .contains(&erased_key_hash(KeyKind::Customer, key))
        };
        if erased(&c.key) || email.is_some_and(|e| erased(&format!("email:{e}"))) {
            // One person may appear under several keys (number and email): count them once.
            if erased_seen.insert(email.cloned().unwrap_or_else(|| c.key.clone())) {
                summary.erased_not_reimported += 1;
            }
            continue;
        }
        let stored = stored_key(KeyKind::Customer, &c.key);
        let existing = known
            .keys
            .get(&(KeyKind::Customer, stored.clone()))
            .copied()
            .filter(|id| taken.contains(id))
            .or_else(|| email.and_then(|e| by_email.get(e)).copied())
            .or_else(
                || match (&c.number, email, c.values.get(&PersonalField::Phone)) {
                    // Without a number or an email, the same phone number (and name, where both
                    // have one) is the same customer.
                    (None, None, Some(p)) => phone_key(p)
                        .and_then(|p| by_phone.get(&p))
                        .copied()
                        .filter(|id| same_name(shop, *id, c.values.get(&PersonalField::Name))),
                    _ => None,
                },
            );
        let id = match existing {
            Some(id) => {
                let current = shop.customers.iter().find(|x| x.id == id);
                for (field, value) in &c.values {
                    if current.and_then(|x| x.field_value(*field)).as_deref()
                        != Some(value.as_str())
                    {
                        changes.push(Change::CustomerField {
                            customer: id,
                            field: field.key().to_owned(),
                            value: Some(value.clone()),
                        });
                        sources.push((id, *field, c.source.clone()));
                    }
                }
                id
            }
            None => {
                let id = c
                    .number
                    .as_deref()
                    .and_then(|n| n.parse::<i64>().ok())
                    .filter(|n| *n > 0 && !taken.contains(n))
                    .unwrap_or_else(|| {
                        while taken.contains(&next_customer) {
                            next_customer += 1;
                        }
                        next_customer
                    });
                taken.insert(id);
                if let Some(e) = email {
                    by_email.insert(e.clone(), id);
                }
                if let Some(p) = c
                    .values
                    .get(&PersonalField::Phone)
                    .and_then(|p| phone_key(p))
                {
                    by_phone.entry(p).or_insert(id);
                }
                let value = |f: PersonalField| c.values.get(&f).cloned();
                added_customers.push(Customer {
                    id,
                    name: value(PersonalField::Name),
                    email: value(PersonalField::Email),
                    phone: value(PersonalField::Phone),
                    address: value(PersonalField::Address),
                    postcode: value(PersonalField::Postcode),
                    birth_date: value(PersonalField::BirthDate).and_then(|d| d.parse().ok()),
                    gender: value(PersonalField::Gender),
                    since: c
                        .since
                        .or_else(|| first_order_day.get(c.key.as_str()).copied())
                        .unwrap_or(today)
                        .min(today),
                    source: format!("imported from {} on {}", c.source, now.date_naive()),
                    field_sources: Vec::new(),
                });
                id
            }
        };
        customer_of.insert(c.key.as_str(), id);
        if known.keys.get(&(KeyKind::Customer, stored.clone())) != Some(&id) {
            new_keys.push((KeyKind::Customer, stored, id));
        }
    }
    summary.customers_added = added_customers.len();
    let new_customers: Vec<i64> = added_customers.iter().map(|c| c.id).collect();
    if !added_customers.is_empty() {
        let customers = Arc::make_mut(&mut out.customers);
        customers.extend(added_customers);
        customers.sort_by_key(|c| c.id);
    }
    let ctx = ChangeContext {
        now,
        actor: actor.to_owned(),
    };
    // Every change names a customer that exists and a value field; one that cannot be
    // made stops the import, which then changes nothing.
    let (mut out, mut updates) = apply_all(out, &changes, &ctx).map_err(ImportError::Change)?;
    if !updates.is_empty() {
        let customers = Arc::make_mut(&mut out.customers);
        for (id, field, source) in sources {
            if let Ok(i) = customers.binary_search_by_key(&id, |c| c.id) {
                customers[i].field_sources.push(FieldSource {
                    field,
                    source: format!("imported from {source}"),
                    recorded_on: now.date_naive(),
                });
            }
        }
    }
    summary.fields_updated = updates.len();
    summary.customers_updated = updates
        .iter()
        .filter_map(|a| match &a.change {
            Change::CustomerField { customer, .. } => Some(*customer),
            _ => None,
        })
        .collect::<HashSet<_>>()
        .len();

    // Products.
    let mut next_product = shop.products.iter().map(|p| p.id).max().unwrap_or(0) + 1;
    let mut product_ids = Vec::with_capacity(batch.products.len());
    let mut added_products = Vec::new();
    let mut product_changes = Vec::new();
    let used_products: HashSet<usize> = batch
        .orders
        .iter()
        .filter(|o| !known.keys.contains_key(&(KeyKind::Order, o.key.clone())))
        .flat_map(|o| o.lines.iter().map(|l| l.product))
        .collect();
    for (i, p) in batch.products.iter().enumerate() {
        let by_key = known.keys.get(&(KeyKind::Product, p.key.clone()));
        let by_name = p
            .also_key
            .as_ref()
            .and_then(|k| known.keys.get(&(KeyKind::Product, k.clone())));
        if let Some(&id) = by_key.or(by_name) {
            product_ids.push(Some(id));
            if by_key.is_none() {
                new_keys.push((KeyKind::Product, p.key.clone(), id));
            }
            if p.catalogue {
                product_changes.extend(catalogue_change(&out, id, p));
            }
            continue;
        }
        if !used_products.contains(&i) && !p.catalogue {
            product_ids.push(None);
            continue;
        }
        let id = next_product;
        next_product += 1;
        product_ids.push(Some(id));
        new_keys.push((KeyKind::Product, p.key.clone(), id));
        if let Some(k) = &p.also_key {
            new_keys.push((KeyKind::Product, k.clone(), id));
        }
        summary.not_products_added += usize::from(p.not_a_product);
        summary.products_without_category +=
            usize::from(!p.not_a_product && p.category == crate::engine::model::NO_CATEGORY);
        let mut tags = p.tags.clone();
        if p.not_a_product {
            tags.push(NOT_A_PRODUCT_TAG.to_owned());
        }
        added_products.push(Product {
            id,
            name: p.name.clone(),
            category: p.category.clone(),
            tags,
            price_cents: p.price_cents,
            stock: STOCK_NOT_TRACKED,
            repeatable: p.repeatable,
        });
    }
    summary.products_added = added_products.len();
    let new_products: Vec<i64> = added_products.iter().map(|p| p.id).collect();
    if !added_products.is_empty() {
        Arc::make_mut(&mut out.products).extend(added_products);
    }
    // Every change names a product that exists and carries values checked on reading;
    // one that cannot be made stops the import, which then changes nothing.
    let (mut out, product_updates) =
        apply_all(out, &product_changes, &ctx).map_err(ImportError::Change)?;
    summary.products_updated = product_updates.len();
    summary.product_prices_changed = product_updates
        .iter()
        .filter(|a| a.before["price"] != a.after["price"])
        .count();
    updates.extend(product_updates);

    // Orders.
    let first_new_order = out.orders.len();
    let first_new_line = out.lines.len();
    let mut next_order = shop.orders.iter().map(|o| o.id).max().unwrap_or(0) + 1;
    let mut orders = Vec::new();
    let mut lines = Vec::new();
    for o in &batch.orders {
        if known.keys.contains_key(&(KeyKind::Order, o.key.clone())) {
            summary.orders_already_imported += 1;
            continue;
        }
        let id = next_order;
        next_order += 1;
        new_keys.push((KeyKind::Order, o.key.clone(), id));
        let customer = o
            .customer
            .as_deref()
            .and_then(|k| customer_of.get(k).copied());
        summary.guest_orders_added += usize::from(customer.is_none());
        summary.returns_added += usize::from(o.is_return);
        orders.push(Order {
            id,
            customer,
            date: o.date,
            channel: o.channel.clone(),
        });
        for l in &o.lines {
            if let Some(product) = product_ids[l.product] {
                lines.push(OrderLine {
                    order: id,
                    product,
                    quantity: l.quantity,
                    unit_price_cents: l.unit_price_cents,
                });
            }
        }
    }
    summary.orders_added = orders.len();
    summary.lines_added = lines.len();
    if !orders.is_empty() {
        Arc::make_mut(&mut out.orders).extend(orders);
        Arc::make_mut(&mut out.lines).extend(lines);
    }

    // Consents: one answer per customer and purpose, never overriding a decision on record.
    let first_new_consent = out.consents.len();
    let decided = super::consent::decide(shop, &batch.consents, &customer_of, now, actor);
    summary.consents_not_recorded.extend(decided.not_recorded);
    summary.consents_added = decided.events.len();
    if !decided.events.is_empty() {
        Arc::make_mut(&mut out.consents).extend(decided.events);
    }

    Ok(Merged {
        shop: out,
        consent_conflicts: decided.conflicts,
        new_customers,
        updates,
        new_products,
        first_new_order,
        first_new_line,
        first_new_consent,
        new_keys,
        summary,
    })
}

/// What a products export changes about a product already in the shop: a category where
/// it has none, the tags it does not have yet, and its price; `None` when nothing differs.
fn catalogue_change(shop: &Shop, id: i64, p: &ImportedProduct) -> Option<Change> {
    let now = shop.products.iter().find(|q| q.id == id)?;
    let currency = shop.settings.currency;
    let category = (now.category == crate::engine::model::NO_CATEGORY
        && p.category != crate::engine::model::NO_CATEGORY)
        .then(|| p.category.clone());
    let missing: Vec<&String> = p.tags.iter().filter(|t| !now.tags.contains(t)).collect();
    let tags = (!missing.is_empty()).then(|| {
        let mut all = now.tags.clone();
        all.extend(missing.into_iter().cloned());
        all
    });
    let price = p
        .price_cents
        .filter(|&price| Some(price) != now.price_cents)
        .map(|price| currency.to_major(price));
    (category.is_some() || tags.is_some() || price.is_some()).then_some(Change::Product {
        product: id,
        price,
        stock: None,
        category,
        tags,
        price_not_known: false,
        stock_not_tracked: false,
    })
}
