//! Merging a batch read from files into a shop snapshot, idempotently: what the shop
//! already has (by the keys earlier imports recorded) is not added again, changed
//! customer fields become logged changes, and consent is never invented or overridden.
//! Pure: no SQL, no files.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::ImportError;
use super::parse::{Batch, FileCounts, ImportedCustomer, ImportedProduct, Moment};
use crate::engine::changes::{Applied, Change, ChangeContext, ValueSource, apply_all};
use crate::engine::model::{
    Customer, FieldSource, NOT_A_PRODUCT_TAG, Order, OrderLine, PersonalField, Product,
    STOCK_NOT_TRACKED, Shop,
};
use crate::store::keys::{KeyKind, Known, phone_key};

/// What the merge added and changed, for the summary, the log and the store.
#[derive(Clone, Debug)]
pub struct Merged {
    /// The shop after the import.
    pub shop: Shop,
    /// Numbers of customers added.
    pub new_customers: Vec<i64>,
    /// Customers already in the shop whose "customer since" moved back to a first order.
    pub since_moved: Vec<i64>,
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
    /// Index of the first added preference decision in `shop.preferences`.
    pub first_new_preference: usize,
    /// Keys to record, so the next import of the same file adds nothing: as in the file
    /// (the store hashes customers' keys as it writes them).
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
            since_moved: &self.since_moved,
            updates: &self.updates,
            new_products: &self.new_products,
            first_new_order: self.first_new_order,
            first_new_line: self.first_new_line,
            first_new_consent: self.first_new_consent,
            first_new_preference: self.first_new_preference,
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
    /// Stated preferences recorded (from the mapping's preferences columns).
    pub preferences_added: usize,
    /// Stated preferences not recorded, by reason.
    pub preferences_not_recorded: BTreeMap<String, usize>,
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
    /// Customers already in the shop whose "customer since" day, a stand-in (the day they
    /// were imported), moved back to their first order, now imported.
    pub customers_since_moved: usize,
    /// The day the shop is pinned to, when the import pinned it (historical data) or moved
    /// its pin to a newer order's day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned_today: Option<NaiveDate>,
    /// The day the shop was pinned to before the import, when the import's orders moved
    /// the pin (to `pinned_today`, or, when that is absent, to no pin: the present).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned_today_before: Option<NaiveDate>,
    /// The currency of a shop that held no price yet, when this import's prices are in
    /// another (ISO 4217): the shop now keeps its prices in theirs (`currency`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency_before: Option<String>,
}

impl Summary {
    /// Skipped rows' consent answers, which were not recorded, in a sentence.
    pub fn skipped_consent_words(&self) -> Option<String> {
        let n = self.rows_became.consent_answers_skipped;
        (n > 0).then(|| {
            format!(
                "{} skipped as unreadable held a consent answer, not recorded: a customer's \"no\" among them is not in force until the row is fixed and imported again (see the report).",
                crate::engine::words::count(n, "row", "rows")
            )
        })
    }

    /// "Yes" answers not recorded because the platform gives them by default, in a sentence.
    pub fn default_consent_words(&self) -> Option<String> {
        let n = self.rows_became.consent_defaults_not_recorded;
        (n > 0).then(|| {
            format!(
                "{} \"yes\" (Square's \"Subscribed\") in a consent column whose yes is the platform's default, not the customer's answer: not recorded as consent. Its \"no\" answers were recorded as withdrawals. Record a consent a customer gives you on their page.",
                crate::engine::words::count(n, "answer", "answers")
            )
        })
    }

    /// The customers whose "customer since" moved back to their first order, in a sentence.
    pub fn since_words(&self) -> Option<String> {
        (self.customers_since_moved > 0).then(|| {
            format!(
                "\"Customer since\" moved back for {}: it was only the day they were imported or of the first order then held, and these files give an earlier day (an older order, or the day they registered).",
                crate::engine::words::count(self.customers_since_moved, "customer", "customers")
            )
        })
    }

    /// The currency a shop without prices took from this import, in a sentence.
    pub fn currency_words(&self, currency: crate::engine::money::Currency) -> Option<String> {
        self.currency_before.as_ref().map(|before| {
            format!(
                "The shop held no prices yet, so it now keeps its prices in {} ({}), the currency of this import, instead of {before}.",
                currency.code(),
                currency.name()
            )
        })
    }

    /// What the import did to the shop's pinned day, in a sentence, when it pinned the shop
    /// or moved its pin.
    pub fn pin_words(&self) -> Option<String> {
        match (self.pinned_today_before, self.pinned_today) {
            (None, Some(day)) => Some(format!(
                "The newest order is from {day}, so the shop is pinned to that day: popularity and \"recent\" are measured as of then."
            )),
            (Some(before), Some(day)) => Some(format!(
                "The newest order is from {day}, so the shop's day moved from {before} to {day}: popularity and \"recent\" are measured as of then."
            )),
            (Some(before), None) => Some(format!(
                "The newest order is recent, so the shop is no longer pinned to {before}: popularity and \"recent\" are measured as of each day."
            )),
            (None, None) => None,
        }
    }
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
    let mut summary = first_summary(batch, known);
    let mut new_keys = Vec::new();
    let ctx = ChangeContext {
        now,
        actor: actor.to_owned(),
    };
    let people = merge_customers(
        shop,
        known,
        batch,
        (today, now),
        &mut summary,
        &mut new_keys,
    );
    let new_customers: Vec<i64> = people.added.iter().map(|c| c.id).collect();
    let mut out = shop.clone();
    if !people.added.is_empty() {
        let customers = Arc::make_mut(&mut out.customers);
        customers.extend(people.added);
        customers.sort_by_key(|c| c.id);
    }
    let (mut out, mut updates) = apply_customer_changes(out, &people.changes, &ctx, &mut summary)?;

    let goods = merge_products(&out, known, batch, &mut summary, &mut new_keys);
    let new_products: Vec<i64> = goods.added.iter().map(|p| p.id).collect();
    if !goods.added.is_empty() {
        Arc::make_mut(&mut out.products).extend(goods.added);
    }
    // Every change names a product that exists and carries values checked on reading;
    // one that cannot be made stops the import, which then changes nothing.
    let (mut out, product_updates) =
        apply_all(out, &goods.changes, &ctx).map_err(ImportError::Change)?;
    summary.products_updated = product_updates.len();
    summary.product_prices_changed = product_updates
        .iter()
        .filter(|a| a.before["price"] != a.after["price"])
        .count();
    updates.extend(product_updates);

    let (first_new_order, first_new_line) = (out.orders.len(), out.lines.len());
    let sales = Sales {
        customer_of: &people.customer_of,
        product_ids: &goods.ids,
        next_order: shop.orders.iter().map(|o| o.id).max().unwrap_or(0) + 1,
    };
    add_orders(&mut out, known, batch, sales, &mut summary, &mut new_keys);
    let earlier = earlier_days(&out, first_new_order, &new_customers, people.given_since);
    let since_moved = move_since_back(&mut out, earlier, now);
    summary.customers_since_moved = since_moved.len();

    // Consents: one answer per customer and purpose, never overriding a decision on record.
    let first_new_consent = out.consents.len();
    let decided = super::consent::decide(shop, &batch.consents, &people.customer_of, now, actor);
    summary.consents_not_recorded.extend(decided.not_recorded);
    summary.consents_added = decided.events.len();
    if !decided.events.is_empty() {
        Arc::make_mut(&mut out.consents).extend(decided.events);
    }

    // Stated preferences: recorded only where the customer has no decision about them.
    let first_new_preference = out.preferences.len();
    let stated =
        super::preference::decide(shop, &batch.preferences, &people.customer_of, now, actor);
    summary.preferences_not_recorded = stated.not_recorded;
    summary.preferences_added = stated.events.len();
    if !stated.events.is_empty() {
        Arc::make_mut(&mut out.preferences).extend(stated.events);
    }

    Ok(Merged {
        shop: out,
        consent_conflicts: decided.conflicts,
        new_customers,
        since_moved,
        updates,
        new_products,
        first_new_order,
        first_new_line,
        first_new_consent,
        first_new_preference,
        new_keys,
        summary,
    })
}

/// For customers already in the shop, the earliest day this import gives for when they
/// became a customer, and where it came from: a day a file gives (a registration date),
/// or their first order now imported.
fn earlier_days(
    out: &Shop,
    first_new_order: usize,
    new_customers: &[i64],
    given: BTreeMap<i64, (NaiveDate, String)>,
) -> BTreeMap<i64, (NaiveDate, String)> {
    let mut first: BTreeMap<i64, (NaiveDate, String)> = given
        .into_iter()
        .map(|(id, (day, source))| (id, (day, format!("imported from {source}"))))
        .collect();
    for o in &out.orders[first_new_order..] {
        if let Some(c) = o.customer.filter(|c| !new_customers.contains(c)) {
            let by_order = || {
                (
                    o.date,
                    "the day of their first order, in a later import".to_owned(),
                )
            };
            let day = first.entry(c).or_insert_with(by_order);
            if o.date < day.0 {
                *day = by_order();
            }
        }
    }
    first
}

/// Moves the "customer since" day of customers already in the shop back to an earlier day
/// this import gives (`first`: a registration date a file gives, or their first order),
/// where the day held was only a stand-in (the day they were imported, or an earlier
/// import's first order): a customers export imported before the orders export would
/// otherwise show a customer since today above orders of years ago, and one imported
/// after would lose its registration date. A day a file gave is kept. Returns who moved.
fn move_since_back(
    out: &mut Shop,
    first: BTreeMap<i64, (NaiveDate, String)>,
    now: DateTime<Utc>,
) -> Vec<i64> {
    let stand_in = |c: &Customer| {
        c.field_sources
            .iter()
            .find(|s| s.field == PersonalField::CustomerSince)
            .is_some_and(|s| s.source.starts_with("the day "))
    };
    let mut moved = Vec::new();
    let customers = Arc::make_mut(&mut out.customers);
    for (id, (day, source)) in first {
        let Ok(i) = customers.binary_search_by_key(&id, |c| c.id) else {
            continue;
        };
        let c = &mut customers[i];
        if day >= c.since || !stand_in(c) {
            continue;
        }
        c.since = day;
        c.field_sources
            .retain(|s| s.field != PersonalField::CustomerSince);
        c.field_sources.push(FieldSource {
            field: PersonalField::CustomerSince,
            source,
            recorded_on: now.date_naive(),
        });
        c.field_sources.sort_by_key(|s| s.field.key());
        moved.push(id);
    }
    moved
}

/// The summary's counts that come from reading the files, before anything is merged;
/// orders the shop already holds as purchases that these files now mark otherwise are
/// counted apart.
fn first_summary(batch: &Batch, known: &Known) -> Summary {
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
    summary
}

/// How an import recognizes the customers already in the shop (by the keys of earlier
/// imports, their email, or a phone number with the same name) and numbers new ones.
struct CustomerIds<'a> {
    shop: &'a Shop,
    known: &'a Known,
    by_email: HashMap<String, i64>,
    by_phone: HashMap<String, i64>,
    taken: HashSet<i64>,
    next: i64,
}

impl<'a> CustomerIds<'a> {
    fn new(shop: &'a Shop, known: &'a Known) -> Self {
        let by_email = shop
            .customers
            .iter()
            .filter_map(|c| c.email.as_ref().map(|e| (e.to_lowercase(), c.id)))
            .collect();
        let by_phone = shop
            .customers
            .iter()
            .filter_map(|c| c.phone.as_deref().and_then(phone_key).map(|p| (p, c.id)))
            .collect();
        let taken: HashSet<i64> = shop.customers.iter().map(|c| c.id).collect();
        let next = taken
            .iter()
            .copied()
            .max()
            .unwrap_or(0)
            .max(known.highest_erased)
            + 1;
        Self {
            shop,
            known,
            by_email,
            by_phone,
            taken,
            next,
        }
    }

    /// The shop's number for `c`, if the shop has them.
    fn existing(&self, c: &ImportedCustomer) -> Option<i64> {
        let email = c.values.get(&PersonalField::Email);
        self.known
            .customer(&c.key)
            .filter(|id| self.taken.contains(id))
            .or_else(|| email.and_then(|e| self.by_email.get(e)).copied())
            .or_else(
                || match (&c.number, email, c.values.get(&PersonalField::Phone)) {
                    // Without a number or an email, the same phone number (and name, where both
                    // have one) is the same customer.
                    (None, None, Some(p)) => phone_key(p)
                        .and_then(|p| self.by_phone.get(&p))
                        .copied()
                        .filter(|id| same_name(self.shop, *id, c.values.get(&PersonalField::Name))),
                    _ => None,
                },
            )
    }

    /// A number for a new customer: theirs from the file when it is free, else the next
    /// never used (erased customers' numbers included); later rows then find them.
    fn add(&mut self, c: &ImportedCustomer) -> i64 {
        let id = c
            .number
            .as_deref()
            .and_then(|n| n.parse::<i64>().ok())
            .filter(|n| *n > 0 && !self.taken.contains(n))
            .unwrap_or_else(|| {
                while self.taken.contains(&self.next) {
                    self.next += 1;
                }
                self.next
            });
        self.taken.insert(id);
        if let Some(e) = c.values.get(&PersonalField::Email) {
            self.by_email.insert(e.clone(), id);
        }
        if let Some(p) = c
            .values
            .get(&PersonalField::Phone)
            .and_then(|p| phone_key(p))
        {
            self.by_phone.entry(p).or_insert(id);
        }
        id
    }
}

/// What the customers of a batch became.
struct People<'b> {
    /// Customers new to the shop.
    added: Vec<Customer>,
    /// Field changes to customers already in the shop.
    changes: Vec<Change>,
    /// Each file key's customer number.
    customer_of: HashMap<&'b str, i64>,
    /// The earliest "customer since" day the files give for customers already in the
    /// shop, and where it came from.
    given_since: BTreeMap<i64, (NaiveDate, String)>,
}

/// Whether `c` was erased on request (by their key or their email).
fn is_erased(known: &Known, c: &ImportedCustomer) -> bool {
    known.is_erased(&c.key)
        || c.values
            .get(&PersonalField::Email)
            .is_some_and(|e| known.is_erased(&format!("email:{e}")))
}

/// Matches every customer of the batch to the shop's, adding the new ones and turning
/// differing values into field changes; erased customers are left out and counted.
fn merge_customers<'b>(
    shop: &Shop,
    known: &Known,
    batch: &'b Batch,
    (today, now): (NaiveDate, DateTime<Utc>),
    summary: &mut Summary,
    new_keys: &mut Vec<(KeyKind, String, i64)>,
) -> People<'b> {
    let mut ids = CustomerIds::new(shop, known);
    let mut new: Vec<(&ImportedCustomer, i64)> = Vec::new();
    let mut people = People {
        added: Vec::new(),
        changes: Vec::new(),
        customer_of: HashMap::new(),
        given_since: BTreeMap::new(),
    };
    let mut erased_seen: HashSet<String> = HashSet::new();
    let mut newest = NewestValues::default();
    for c in &batch.customers {
        if is_erased(known, c) {
            // One person may appear under several keys (number and email): count them once.
            let email = c.values.get(&PersonalField::Email);
            if erased_seen.insert(email.cloned().unwrap_or_else(|| c.key.clone())) {
                summary.erased_not_reimported += 1;
            }
            continue;
        }
        let id = match ids.existing(c) {
            Some(id) => {
                newest.offer(id, c);
                if let Some(day) = c.since {
                    let source = c.source_of(PersonalField::CustomerSince).to_owned();
                    let given = people
                        .given_since
                        .entry(id)
                        .or_insert((day, source.clone()));
                    if day < given.0 {
                        *given = (day, source);
                    }
                }
                id
            }
            None => {
                let id = ids.add(c);
                new.push((c, id));
                id
            }
        };
        people.customer_of.insert(c.key.as_str(), id);
        if known.customer(&c.key) != Some(id) {
            new_keys.push((KeyKind::Customer, c.key.clone(), id));
        }
    }
    // Built once every record is matched: a first order may be under another of their keys.
    let first_order = first_orders(batch, &people.customer_of);
    for &(c, id) in &new {
        // A new customer whose later records came under another key (their email in an
        // orders export): the record that made them is weighed too, as the first read, so
        // the newest value wins, not the last record's.
        if newest.names(id) {
            newest.offer_as_first(id, c);
        }
    }
    for (c, id) in new {
        let first = first_order.get(&id).copied();
        people.added.push(new_customer(c, id, first, today, now));
    }
    newest.into_changes(shop, &mut people, now.date_naive());
    summary.customers_added = people.added.len();
    people
}

/// A value offered for a customer's field: the record's moment, its place in the batch,
/// the value and where it came from.
type Offered<'b> = (Option<Moment>, usize, &'b str, &'b str);

/// For each customer of the shop the batch names, the newest value of each field among
/// all the batch's records that are theirs (several keys, such as two emails of one
/// person whose records were merged, can name one customer).
#[derive(Default)]
struct NewestValues<'b> {
    /// Per customer and field: the record's moment, its place in the batch, the value and
    /// where it came from.
    values: BTreeMap<(i64, PersonalField), Offered<'b>>,
    offered: usize,
    /// The customers any record was offered for.
    named: HashSet<i64>,
}

impl<'b> NewestValues<'b> {
    /// Offers the values of record `c`, matched to customer `id`: each is kept when it is
    /// newer than what was offered before (records without a moment are older than any
    /// with one; among equals the later record wins).
    fn offer(&mut self, id: i64, c: &'b ImportedCustomer) {
        self.offered += 1;
        self.offer_at(id, c, self.offered);
    }

    /// Offers the record that made customer `id` as read before all their others.
    fn offer_as_first(&mut self, id: i64, c: &'b ImportedCustomer) {
        self.offer_at(id, c, 0);
    }

    /// Whether any record was offered for customer `id`.
    fn names(&self, id: i64) -> bool {
        self.named.contains(&id)
    }

    fn offer_at(&mut self, id: i64, c: &'b ImportedCustomer, place: usize) {
        self.named.insert(id);
        for (field, value) in &c.values {
            let moment = c.moments.get(field).copied().flatten().or(c.moment);
            let candidate = (moment, place, value.as_str(), c.source_of(*field));
            let slot = self.values.entry((id, *field)).or_insert(candidate);
            if (candidate.0, candidate.1) >= (slot.0, slot.1) {
                *slot = candidate;
            }
        }
    }

    /// The field changes that bring each customer's values up to the newest offered.
    /// A value a customer (of the shop, or added by this import) already has is no change.
    fn into_changes(self, shop: &Shop, people: &mut People<'_>, recorded_on: NaiveDate) {
        let by_id: HashMap<i64, &Customer> = shop
            .customers
            .iter()
            .chain(&people.added)
            .map(|c| (c.id, c))
            .collect();
        let changed: Vec<_> = self
            .values
            .into_iter()
            .filter(|((id, field), (_, _, value, _))| {
                by_id.get(id).and_then(|x| x.field_value(*field)).as_deref() != Some(*value)
            })
            .collect();
        for ((id, field), (_, _, value, source)) in changed {
            people.changes.push(Change::CustomerField {
                customer: id,
                field: field.key().to_owned(),
                value: Some(value.to_owned()),
                source: Some(ValueSource {
                    source: format!("imported from {source}"),
                    recorded_on,
                }),
            });
        }
    }
}

/// Each customer's first order in the batch, under any of their keys: its day, and the
/// file it is in.
fn first_orders<'b>(
    batch: &'b Batch,
    customer_of: &HashMap<&str, i64>,
) -> HashMap<i64, FirstOrder<'b>> {
    let mut first: HashMap<i64, FirstOrder<'b>> = HashMap::new();
    for o in &batch.orders {
        let Some(&id) = o.customer.as_deref().and_then(|c| customer_of.get(c)) else {
            continue;
        };
        let day = first.entry(id).or_insert((o.date, &o.at.0));
        if o.date < day.0 {
            *day = (o.date, &o.at.0);
        }
    }
    first
}

/// A customer's first order in an import: its day and the file it is in.
type FirstOrder<'a> = (NaiveDate, &'a str);

/// A customer new to the shop, numbered `id`: a customer since the file says, or since
/// their first order in it, never after `today`.
fn new_customer(
    c: &ImportedCustomer,
    id: i64,
    first_order: Option<FirstOrder<'_>>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Customer {
    let value = |f: PersonalField| c.values.get(&f).cloned();
    Customer {
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
            .or(first_order.map(|(day, _)| day))
            .unwrap_or(today)
            .min(today),
        source: format!("imported from {} on {}", c.source, now.date_naive()),
        field_sources: new_customer_sources(c, first_order, now.date_naive()),
    }
}

/// Where each value of a customer new to the shop came from, recorded on the day of the
/// import; and what their "customer since" date is: the file's, their first order's, or,
/// where the file gives neither, the day of the import, said as such.
fn new_customer_sources(
    c: &ImportedCustomer,
    first_order: Option<FirstOrder<'_>>,
    recorded_on: NaiveDate,
) -> Vec<FieldSource> {
    let since = match (c.since, first_order) {
        (Some(_), _) => format!(
            "imported from {}",
            c.source_of(PersonalField::CustomerSince)
        ),
        (None, Some((_, file))) => format!("the day of their first order in {file}"),
        (None, None) if c.other_sources.is_empty() => format!(
            "the day they were imported: {} gives no earlier date",
            c.source
        ),
        (None, None) => {
            "the day they were imported: no file of the import gives an earlier date".to_owned()
        }
    };
    let mut sources: Vec<FieldSource> = c
        .values
        .keys()
        .filter(|&&field| field != PersonalField::CustomerSince)
        .map(|&field| FieldSource {
            field,
            source: format!("imported from {}", c.source_of(field)),
            recorded_on,
        })
        .collect();
    sources.push(FieldSource {
        field: PersonalField::CustomerSince,
        source: since,
        recorded_on,
    });
    sources.sort_by_key(|s| s.field.key());
    sources
}

/// Makes the customer field changes, each saying which file its value came from (each
/// names a customer that exists and a value field; one that cannot be made stops the
/// import, which then changes nothing).
fn apply_customer_changes(
    out: Shop,
    changes: &[Change],
    ctx: &ChangeContext,
    summary: &mut Summary,
) -> Result<(Shop, Vec<Applied>), ImportError> {
    let (out, updates) = apply_all(out, changes, ctx).map_err(ImportError::Change)?;
    summary.fields_updated = updates.len();
    summary.customers_updated = updates
        .iter()
        .filter_map(|a| match &a.change {
            Change::CustomerField { customer, .. } => Some(*customer),
            _ => None,
        })
        .collect::<HashSet<_>>()
        .len();
    Ok((out, updates))
}

/// What the products of a batch became.
struct Goods {
    /// Each batch product's number in the shop; `None` for one no new order uses.
    ids: Vec<Option<i64>>,
    /// Products new to the shop.
    added: Vec<Product>,
    /// What a products export changes about products already in the shop.
    changes: Vec<Change>,
}

/// Matches every product of the batch to the shop's (by key, or by name), adding those
/// that new orders use or that a products export lists.
fn merge_products(
    shop: &Shop,
    known: &Known,
    batch: &Batch,
    summary: &mut Summary,
    new_keys: &mut Vec<(KeyKind, String, i64)>,
) -> Goods {
    let mut next_product = shop.products.iter().map(|p| p.id).max().unwrap_or(0) + 1;
    let mut goods = Goods {
        ids: Vec::with_capacity(batch.products.len()),
        added: Vec::new(),
        changes: Vec::new(),
    };
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
            goods.ids.push(Some(id));
            if by_key.is_none() {
                new_keys.push((KeyKind::Product, p.key.clone(), id));
            }
            if p.catalogue {
                goods.changes.extend(catalogue_change(shop, id, p));
            }
            continue;
        }
        if !used_products.contains(&i) && !p.catalogue {
            goods.ids.push(None);
            continue;
        }
        let id = next_product;
        next_product += 1;
        goods.ids.push(Some(id));
        new_keys.push((KeyKind::Product, p.key.clone(), id));
        if let Some(k) = &p.also_key {
            new_keys.push((KeyKind::Product, k.clone(), id));
        }
        summary.not_products_added += usize::from(p.not_a_product);
        summary.products_without_category +=
            usize::from(!p.not_a_product && p.category == crate::engine::model::NO_CATEGORY);
        goods.added.push(new_product(p, id));
    }
    summary.products_added = goods.added.len();
    goods
}

/// A product new to the shop, numbered `id`; its stock is not tracked.
fn new_product(p: &ImportedProduct, id: i64) -> Product {
    let mut tags = p.tags.clone();
    if p.not_a_product {
        tags.push(NOT_A_PRODUCT_TAG.to_owned());
    }
    Product {
        id,
        name: p.name.clone(),
        category: p.category.clone(),
        tags,
        price_cents: p.price_cents,
        stock: STOCK_NOT_TRACKED,
        repeatable: p.repeatable,
    }
}

/// Who and what the batch's new orders are: each customer key's and each batch
/// product's number in the shop, and the next order number.
struct Sales<'a, 'b> {
    customer_of: &'a HashMap<&'b str, i64>,
    product_ids: &'a [Option<i64>],
    next_order: i64,
}

/// Adds the orders earlier imports did not bring in, with their lines.
fn add_orders(
    out: &mut Shop,
    known: &Known,
    batch: &Batch,
    mut sales: Sales<'_, '_>,
    summary: &mut Summary,
    new_keys: &mut Vec<(KeyKind, String, i64)>,
) {
    let mut orders = Vec::new();
    let mut lines = Vec::new();
    for o in &batch.orders {
        if known.keys.contains_key(&(KeyKind::Order, o.key.clone())) {
            summary.orders_already_imported += 1;
            continue;
        }
        let id = sales.next_order;
        sales.next_order += 1;
        new_keys.push((KeyKind::Order, o.key.clone(), id));
        let customer = o
            .customer
            .as_deref()
            .and_then(|k| sales.customer_of.get(k).copied());
        summary.guest_orders_added += usize::from(customer.is_none());
        summary.returns_added += usize::from(o.is_return);
        orders.push(Order {
            id,
            customer,
            date: o.date,
            channel: o.channel.clone(),
        });
        lines.extend(o.lines.iter().filter_map(|l| {
            sales.product_ids[l.product].map(|product| OrderLine {
                order: id,
                product,
                quantity: l.quantity,
                unit_price_cents: l.unit_price_cents,
            })
        }));
    }
    summary.orders_added = orders.len();
    summary.lines_added = lines.len();
    if !orders.is_empty() {
        Arc::make_mut(&mut out.orders).extend(orders);
        Arc::make_mut(&mut out.lines).extend(lines);
    }
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
