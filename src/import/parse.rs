//! Turning the rows of export files into a batch of customers, products, orders and
//! consents, keyed by what they were called in the files. Nothing here knows the shop:
//! matching the batch against it is [`super::merge`].

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::NaiveDate;
use serde::Serialize;

use super::catalogue::{CatalogueRow, GroupHead, read_catalogue_row};
use super::dates::{DateOrderScan, has_impossible_time, parse_moment};
use super::mapping::{DateOrder, Mapping, Role, parse_date};
use super::number;
use super::source::{Row, Table};
use super::{ImportError, RowError};
use crate::engine::model::PersonalField;
use crate::engine::money::Currency;
use crate::store::keys::phone_key;

mod across_files;
use across_files::{
    BAD_ORDER, Taken, continued_in, continues, earlier_fate, in_any_file, in_file, left_out_in,
    remember_fate, taken_in,
};

/// How often (in rows) progress is reported and the cancel flag checked.
const PROGRESS_EVERY: usize = 4096;

/// Answers that grant a consent (compared ignoring case).
const YES: [&str; 9] = [
    "yes",
    "y",
    "true",
    "1",
    "subscribed",
    "opted in",
    "accepted",
    "granted",
    "x",
];
/// Answers that are no answer: nothing is recorded, as for a blank cell.
const NO_ANSWER: [&str; 3] = ["unknown", "not set", "n/a"];
/// Answers that withhold or withdraw it.
const NO: [&str; 9] = [
    "no",
    "n",
    "false",
    "0",
    "unsubscribed",
    "not subscribed",
    "opted out",
    "declined",
    "withdrawn",
];

/// A customer as the files describe them.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedCustomer {
    /// Their key, e.g. "invoice:17850" or "email:jane@example.com".
    pub key: String,
    /// The customer number as written in the file, when there is one.
    pub number: Option<String>,
    /// Values of personal fields, as stored (dates as YYYY-MM-DD); of the customer's
    /// records, the newest (see [`ImportedCustomer::moment`]) gives each value.
    pub values: BTreeMap<PersonalField, String>,
    /// When the record giving each value was made, where the files say.
    pub moments: BTreeMap<PersonalField, Option<Moment>>,
    /// When this record was made: its updated-at column, its order's date and time, or
    /// the file's export date; `None` when nothing says. Records without a moment are
    /// older than any with one, and among themselves the later row wins.
    pub moment: Option<Moment>,
    /// The day they signed up, if the file says.
    pub since: Option<NaiveDate>,
    /// Where they were first seen: the export's name and file.
    pub source: String,
    /// Where a value (or the "customer since" day) came from when that is another file
    /// than [`ImportedCustomer::source`] (the same person in two files of one import).
    pub other_sources: BTreeMap<PersonalField, String>,
}

impl ImportedCustomer {
    /// The export and file the value of `field` came from.
    pub fn source_of(&self, field: PersonalField) -> &str {
        self.other_sources.get(&field).unwrap_or(&self.source)
    }
}

/// A day and the seconds into it, to order records by.
pub type Moment = (NaiveDate, u32);

/// What an order is, decided on its first row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fate {
    /// A purchase.
    Sale,
    /// A purchase partly refunded (kept as bought: the file does not say which lines).
    PartlyRefunded,
    /// A cancellation or refund whose lines are returns.
    Return,
    /// Not a purchase (cancelled, refunded, voided): left out, with the reason and the
    /// status in one word for the counts.
    LeftOut {
        /// Why, in words.
        reason: String,
        /// The status, lower case ("cancelled", "refunded", …).
        status: String,
    },
}

/// How one file was read, in numbers (for the import summary and `--json`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FileCounts {
    /// The file (in `--json`, the file report's own `file`).
    #[serde(skip)]
    pub file: String,
    /// Orders first seen in this file taken as purchases (partly refunded ones included).
    pub orders_as_purchases: usize,
    /// Orders whose lines are returns (cancellation invoices, refunds).
    pub orders_as_returns: usize,
    /// Orders taken as purchases although partly refunded.
    pub orders_partly_refunded: usize,
    /// Orders left out as not purchases, by status (cancelled, refunded, voided, …).
    pub orders_not_purchases: BTreeMap<String, usize>,
    /// Customers first seen in this file whose email cell is blank, kept by number or phone.
    pub customers_without_email: usize,
    /// Customer fields whose records disagreed, where the newest record's value was kept.
    pub fields_from_newer_record: usize,
    /// Order lines that do not say what was bought (an "unspecified item").
    pub lines_without_product: usize,
    /// The currencies of the file's prices, where a column or the mapping says (ISO 4217).
    pub currencies: Vec<String>,
    /// Rows whose prices were written in another currency and converted into the shop's
    /// at the mapping's rate, per currency.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub converted: BTreeMap<String, usize>,
    /// Order lines whose price the file does not give (no price column, or a blank one):
    /// their price is not known.
    pub lines_without_price: usize,
    /// Products (or variants) read from a products export.
    pub catalogue_products: usize,
    /// Orders the file lists without saying what was bought (Etsy's EtsySoldOrders): not
    /// imported, only their customers were; the order-items export gives the orders.
    pub orders_without_items: usize,
    /// The currency the file's prices were taken to be in where neither a column nor the
    /// mapping names one: the shop's own (GBP for a new shop).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency_taken_as: Option<String>,
    /// Rows skipped as unreadable (with skip-bad-rows) that held a consent answer, which
    /// was therefore not recorded: a withdrawal among them is not in force.
    pub consent_answers_skipped: usize,
    /// "Yes" answers of a consent column whose "yes" is the platform's default (Square's
    /// "Subscribed"), not recorded as consent.
    pub consent_defaults_not_recorded: usize,
}

impl FileCounts {
    /// Adds another file's counts to these (the file name is kept).
    pub fn add(&mut self, other: &Self) {
        self.consent_answers_skipped += other.consent_answers_skipped;
        self.consent_defaults_not_recorded += other.consent_defaults_not_recorded;
        self.orders_as_purchases += other.orders_as_purchases;
        self.orders_as_returns += other.orders_as_returns;
        self.orders_partly_refunded += other.orders_partly_refunded;
        for (status, n) in &other.orders_not_purchases {
            *self.orders_not_purchases.entry(status.clone()).or_default() += n;
        }
        self.customers_without_email += other.customers_without_email;
        self.fields_from_newer_record += other.fields_from_newer_record;
        self.lines_without_product += other.lines_without_product;
        self.catalogue_products += other.catalogue_products;
        self.orders_without_items += other.orders_without_items;
        self.lines_without_price += other.lines_without_price;
        for c in &other.currencies {
            if !self.currencies.contains(c) {
                self.currencies.push(c.clone());
            }
        }
        for (c, n) in &other.converted {
            *self.converted.entry(c.clone()).or_default() += n;
        }
        if self.currency_taken_as.is_none() {
            self.currency_taken_as.clone_from(&other.currency_taken_as);
        }
    }
}

/// A product as the files describe it.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedProduct {
    /// Its key, e.g. "invoice:85123A".
    pub key: String,
    /// Another key it may be known by: a catalogue product with a code is also known by
    /// its name, as an orders export without codes names it.
    pub also_key: Option<String>,
    /// Its name (the first one seen).
    pub name: String,
    /// Its category, from a column or derived from its name.
    pub category: String,
    /// Its tags (from a products export).
    pub tags: Vec<String>,
    /// The unit price of its latest sale, in pence.
    pub price_cents: Option<i64>,
    /// Whether it is postage, a fee or a discount rather than a product.
    pub not_a_product: bool,
    /// Whether people buy it again.
    pub repeatable: bool,
    /// Whether it comes from a products export, whose category, tags and price are the
    /// shop's own (rather than read off a sale).
    pub catalogue: bool,
}

/// One line of an imported order.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedLine {
    /// Index into [`Batch::products`].
    pub product: usize,
    /// Units; negative for a return.
    pub quantity: i64,
    /// Price per unit, in pence.
    pub unit_price_cents: Option<i64>,
}

/// An order as the files describe it.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedOrder {
    /// Its key, e.g. "shopify:#1001".
    pub key: String,
    /// The customer's key, or `None` for a guest sale.
    pub customer: Option<String>,
    /// The day of the order.
    pub date: NaiveDate,
    /// Where it was placed.
    pub channel: String,
    /// Its lines.
    pub lines: Vec<ImportedLine>,
    /// Whether it is a cancellation or refund (its lines are returns).
    pub is_return: bool,
    /// File and line where it starts, for messages.
    pub at: (String, u64),
    /// The rows read into it.
    pub rows: usize,
    /// Whether its first row says it was partly refunded (kept as bought, counted).
    pub partly_refunded: bool,
}

/// A consent decision found in a file.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedConsent {
    /// The customer's key.
    pub customer: String,
    /// The purpose.
    pub purpose: String,
    /// Granted or not.
    pub granted: bool,
    /// Where it came from, e.g. "Shopify customers export (customers.csv), column Accepts Email Marketing".
    pub source: String,
    /// The file it came from.
    pub file: String,
    /// The day the file dates this answer: its order's date when the row is an order,
    /// else the file's export date (`None` when neither is known).
    pub evidence: Option<NaiveDate>,
    /// The day the customer decided, where the export says so (an order's date).
    pub decided_on: Option<NaiveDate>,
}

/// A stated preference found in a file.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedPreference {
    /// The customer's key.
    pub customer: String,
    /// What they said.
    pub preference: crate::engine::preferences::Preference,
    /// Where it came from, e.g. "Shopify customers export (customers.csv), column Tags".
    pub source: String,
}

/// Everything read from one or more files.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    /// The currency of prices where neither the row nor the mapping names one: the
    /// shop's currency (GBP, the default, for a new shop).
    pub currency: Currency,
    /// Customers, in the order first seen.
    pub customers: Vec<ImportedCustomer>,
    /// Products, in the order first seen.
    pub products: Vec<ImportedProduct>,
    /// Orders, in the order first seen.
    pub orders: Vec<ImportedOrder>,
    /// Consent decisions; the last one per customer and purpose is the file's answer.
    pub consents: Vec<ImportedConsent>,
    /// Stated preferences, in the order read.
    pub preferences: Vec<ImportedPreference>,
    /// Rows left out on purpose (e.g. cancelled orders), counted by reason.
    pub left_out: BTreeMap<String, usize>,
    /// Rows that could not be read (only with skip-bad-rows; otherwise the first stops all).
    pub bad_rows: Vec<RowError>,
    /// Data rows read, over all files.
    pub rows: usize,
    /// Whether any file had a consent column.
    pub had_consent_columns: bool,
    /// Rows whose price was a fraction of a penny, rounded to the nearest penny (a unit
    /// price such as 0.001, or a line total that does not divide evenly by its quantity).
    pub prices_rounded: usize,
    /// Columns of the files that were not imported, per file.
    pub unused_columns: Vec<(String, Vec<String>)>,
    /// How each file was read, in the order read.
    pub files: Vec<FileCounts>,
    fates: HashMap<String, Fate>,
    /// The currency each order's first priced row named, by [`in_file`] order key: an
    /// order's later rows (Shopify leaves their Currency blank) are in it too.
    order_currencies: HashMap<String, Currency>,
    /// The day each file of `files` was written (for which export is newer).
    file_dates: Vec<Option<NaiveDate>>,
    newer_decided: std::collections::HashSet<(usize, PersonalField)>,
    customer_index: HashMap<String, usize>,
    product_index: HashMap<String, usize>,
    order_index: HashMap<String, usize>,
    /// Orders begun by a row that does not give their status (one of their later rows, in
    /// a file given before the one that starts them): the row that starts them, when it
    /// comes, is theirs; without one they are taken out once every file is read.
    started_later: std::collections::HashSet<String>,
    /// The key of the last order each file read rows into, by file: a file that ends with
    /// an order may have been cut inside it.
    ended_on: HashMap<String, String>,
    /// The order the current file last read a row into.
    last_added: Option<usize>,
    /// The order of the current file's last row, when that row was not read into it.
    last_left_out: Option<String>,
    /// The orders the current file's first rows took (see [`Batch::adopt`]).
    adopted: Vec<Taken>,
    /// An order whose later rows came first and were read in one currency, and whose
    /// first row, read later, names another: found when the first row is read, refused
    /// once every file is read (a new shop's files are read again in the currency they
    /// name, which may set it right).
    currency_misread: Option<RowError>,
    /// Orders with a row that could not be read (skipped): none of their rows is read.
    bad_orders: std::collections::HashSet<String>,
    group_heads: HashMap<String, GroupHead>,
    /// Name keys that two products of a products export share: they recognize neither.
    ambiguous_names: std::collections::HashSet<String>,
    /// Orders listed without their items (customers read, orders not imported).
    orders_without_items: std::collections::HashSet<String>,
}

/// How to treat rows that cannot be read, and how to report progress.
pub struct ReadOptions<'a> {
    /// Skip bad rows (collecting them) instead of stopping at the first.
    pub skip_bad_rows: bool,
    /// Set by another thread to stop the import.
    pub cancel: Option<&'a AtomicBool>,
    /// Called now and then with the bytes read so far of this file.
    pub progress: &'a dyn Fn(u64),
    /// Read only this many rows (for previews).
    pub limit: Option<usize>,
    /// The latest day a row's dates may give (tomorrow: an export stamped in UTC, or in a
    /// zone ahead of this computer's clock, can be dated tomorrow; such an order counts from
    /// its day): an order or record dated later is a mistyped year or a swapped date,
    /// refused by its line, never allowed to count as the newest record forever.
    pub latest_date: Option<NaiveDate>,
}

/// What one row yields, computed fully before anything is added to the batch, so a bad
/// row leaves no trace.
struct RowData {
    customer: Option<ImportedCustomer>,
    order: Option<OrderPart>,
    consents: Vec<(String, bool, String)>,
    /// The row's stated preferences, with where each came from.
    preferences: Vec<(crate::engine::preferences::Preference, String)>,
    /// The currency the row's price was read in, and whether the row or mapping named it.
    currency: Option<(Currency, bool)>,
    /// The product of a catalogue row, and whether its price was rounded.
    product: Option<(ImportedProduct, bool)>,
    /// The currency the row's prices were written in, when they were converted into the
    /// shop's at the mapping's rate.
    converted: Option<Currency>,
}

/// One line of a row's order: its product, units (negative for a return) and unit price.
type PartLine = (ImportedProduct, i64, Option<i64>);

struct OrderPart {
    key: String,
    date: Option<NaiveDate>,
    fate: Fate,
    /// Whether the row does not say what was bought.
    unnamed: bool,
    lines: Vec<PartLine>,
    /// Whether its price had to be rounded to a whole penny.
    price_rounded: bool,
    /// Whether the row is one of its order's later rows (see [`continues`]).
    continues: bool,
}

/// A mapped column's position(s) in the file.
struct Layout {
    columns: BTreeMap<Role, Vec<(usize, String)>>,
    consents: Vec<(usize, super::mapping::ConsentColumn)>,
    preferences: Vec<(usize, super::mapping::PreferenceColumn)>,
    /// The column naming each row's kind, where only some kinds are order lines.
    line_kind: Option<usize>,
}

impl Batch {
    /// An empty batch whose prices are in `currency` where a file does not name one.
    pub fn in_currency(currency: Currency) -> Self {
        Self {
            currency,
            ..Self::default()
        }
    }

    /// The currency the batch's prices are in: the one a file or mapping names, else
    /// the shop's.
    pub fn prices_currency(&self) -> Currency {
        self.prices_named_currency().unwrap_or(self.currency)
    }

    /// The order whose later rows were read, before its first row, in another currency
    /// than the first row names (see [`Batch::read`]): its lines' prices would be wrong.
    pub fn take_currency_misread(&mut self) -> Option<ImportError> {
        self.currency_misread
            .take()
            .map(ImportError::FilesOutOfOrder)
    }

    /// The first currency a file or mapping names, if any does.
    pub fn prices_named_currency(&self) -> Option<Currency> {
        self.files
            .iter()
            .flat_map(|f| &f.currencies)
            .find_map(|c| Currency::from_code(c).ok())
    }
    /// Reads every row of `table` with `mapping` into the batch.
    pub fn read(
        &mut self,
        table: &Table,
        mapping: &Mapping,
        options: &ReadOptions<'_>,
    ) -> Result<(), ImportError> {
        if let Some(problem) = mapping.problem() {
            return Err(ImportError::Mapping {
                file: table.file.clone(),
                detail: problem,
            });
        }
        let layout = layout(table, mapping)?;
        let resolved;
        let mapping = if mapping.dates == DateOrder::FromFile {
            resolved = Mapping {
                dates: date_order_of(table, &layout, options.limit, options.cancel)?,
                ..mapping.clone()
            };
            &resolved
        } else {
            check_date_order(
                table,
                &layout,
                (options.limit, options.cancel),
                mapping.dates,
            )?;
            mapping
        };
        self.had_consent_columns |= !layout.consents.is_empty();
        self.note_unused_columns(table, &layout);
        self.files.push(FileCounts {
            file: table.file.clone(),
            ..FileCounts::default()
        });
        self.file_dates.push(table.modified);
        let source = format!("{} ({})", mapping.name, table.file);
        let mut first_line_of: HashMap<String, u64> = HashMap::new();
        let limit = options.limit.unwrap_or(usize::MAX);
        let context = RowContext {
            table,
            mapping,
            layout: &layout,
            source: &source,
            currency: self.currency,
            has_orders: mapping.has_orders(),
            latest_date: options.latest_date,
        };
        for (n, row) in table.rows().take(limit).enumerate() {
            if n % PROGRESS_EVERY == 0 {
                if options.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                    return Err(ImportError::Cancelled);
                }
                if let Ok(r) = &row {
                    (options.progress)(r.byte);
                }
            }
            self.rows += 1;
            let outcome = row.and_then(|row| {
                let read = self.read_one(&context, &row, &mut first_line_of);
                self.note_row_not_read(&context, &row, &read);
                read
            });
            match outcome {
                Ok(()) => {}
                Err(ImportError::Row(e)) if options.skip_bad_rows => self.bad_rows.push(e),
                Err(ImportError::LeftOut(reason)) => {
                    *self.left_out.entry(reason).or_default() += 1;
                }
                Err(e) => return Err(e),
            }
        }
        (options.progress)(table.len_bytes());
        self.count_sales_that_take_back(&table.file);
        self.note_where_the_file_ends(&table.file);
        self.withdraw_superseded();
        self.withdraw_bad_orders();
        Ok(())
    }

    /// Counts as returns the orders this file started whose every line takes goods back
    /// (a till's refund receipt: a sale of a negative quantity), not as purchases.
    fn count_sales_that_take_back(&mut self, file: &str) {
        let mut found = 0;
        for order in &mut self.orders {
            let takes_back = !order.is_return
                && order.at.0 == file
                && !order.lines.is_empty()
                && order.lines.iter().all(|l| l.quantity < 0);
            if takes_back {
                order.is_return = true;
                found += 1;
            }
        }
        let counts = self.counts();
        counts.orders_as_purchases = counts.orders_as_purchases.saturating_sub(found);
        counts.orders_as_returns += found;
    }

    /// Reads one row into the batch, after checking it against what was read before.
    fn read_one(
        &mut self,
        context: &RowContext<'_>,
        row: &Row,
        first_line_of: &mut HashMap<String, u64>,
    ) -> Result<(), ImportError> {
        let (table, mapping) = (context.table, context.mapping);
        if !self.bad_orders.is_empty()
            && order_key_of_row(context, row).is_some_and(|k| self.bad_orders.contains(&k))
        {
            return Err(ImportError::LeftOut(BAD_ORDER.to_owned()));
        }
        let customers_only = !context.has_orders;
        let data = if mapping.catalogue {
            read_product_row(context, row, &mut self.group_heads, &self.files)?
        } else {
            let mut memory = OrderMemory {
                fates: &mut self.fates,
                currencies: &mut self.order_currencies,
                order_index: &self.order_index,
                orders: &self.orders,
                started_later: &self.started_later,
            };
            read_row(context, row, &mut memory, &mut self.files)?
        };
        if customers_only {
            self.count_order_without_items(context, row);
        }
        // A customers list names each customer once; a file of dated records (an orders
        // export without its items) names them once per record, the newest deciding.
        if customers_only
            && !mapping.has_dated_records()
            && let Some(c) = &data.customer
        {
            if let Some(first) = first_line_of.get(&c.key) {
                return Err(row_error(
                    table,
                    row.line,
                    None,
                    format!(
                        "customer {} appears twice (lines {first} and {}){}",
                        c.number.as_deref().unwrap_or(&c.key),
                        row.line,
                        purchases_hint(mapping)
                    ),
                ));
            }
            first_line_of.insert(c.key.clone(), row.line);
        }
        self.check_order(table, mapping, &data, row.line)?;
        self.check_catalogue(table, mapping, &data, row.line)?;
        self.add(data, mapping, table, row.line);
        Ok(())
    }

    /// Counts, once, an order of a file that lists orders without saying what was bought
    /// (Etsy's EtsySoldOrders): only its customer is read.
    fn count_order_without_items(&mut self, context: &RowContext<'_>, row: &Row) {
        let mapping = context.mapping;
        if !mapping.orders_without_items || !mapping.columns.contains_key(&Role::OrderId) {
            return;
        }
        let Some(number) = cell_reader(context, row)(Role::OrderId, " ") else {
            return;
        };
        let key = format!("{}:{number}", mapping.key_space);
        if self.orders_without_items.insert(key)
            && let Some(counts) = self.files.last_mut()
        {
            counts.orders_without_items += 1;
        }
    }

    fn note_unused_columns(&mut self, table: &Table, layout: &Layout) {
        let used: Vec<usize> = layout
            .columns
            .values()
            .flatten()
            .map(|(i, _)| *i)
            .chain(layout.consents.iter().map(|(i, _)| *i))
            .chain(layout.preferences.iter().map(|(i, _)| *i))
            .chain(layout.line_kind)
            .collect();
        let unused: Vec<String> = (0..table.headers.len())
            .filter(|i| !used.contains(i))
            .map(|i| table.headers[i].clone())
            .collect();
        if !unused.is_empty() {
            self.unused_columns.push((table.file.clone(), unused));
        }
    }

    /// Adds a customer's record, or merges it with the one already read: each field keeps
    /// the value of the newest record (see [`ImportedCustomer::moment`]). Customers whose
    /// file has an email column but no email for them are counted.
    fn add_customer(&mut self, c: ImportedCustomer, file_has_emails: bool) {
        let Some(&i) = self.customer_index.get(&c.key) else {
            if file_has_emails && !c.values.contains_key(&PersonalField::Email) {
                self.counts().customers_without_email += 1;
            }
            self.customer_index
                .insert(c.key.clone(), self.customers.len());
            self.customers.push(c);
            return;
        };
        let mut decided = Vec::new();
        let known = &mut self.customers[i];
        let mut took = Vec::new();
        for (field, value) in c.values {
            let old_moment = known.moments.get(&field).copied().flatten();
            match known.values.get(&field) {
                Some(old) if *old != value => {
                    if c.moment != old_moment {
                        decided.push(field);
                    }
                    if c.moment >= old_moment {
                        known.values.insert(field, value);
                        known.moments.insert(field, c.moment);
                        took.push(field);
                    }
                }
                Some(_) => {
                    known.moments.insert(field, c.moment.max(old_moment));
                }
                None => {
                    known.values.insert(field, value);
                    known.moments.insert(field, c.moment);
                    took.push(field);
                }
            }
        }
        known.moment = known.moment.max(c.moment);
        if c.since.is_some_and(|b| known.since.is_none_or(|a| b < a)) {
            known.since = c.since;
            took.push(PersonalField::CustomerSince);
        }
        for field in took {
            if c.source == known.source {
                known.other_sources.remove(&field);
            } else {
                known.other_sources.insert(field, c.source.clone());
            }
        }
        known.number = known.number.take().or(c.number);
        for field in decided {
            if self.newer_decided.insert((i, field)) {
                self.counts().fields_from_newer_record += 1;
            }
        }
    }

    /// The keys of orders left out as not purchases, with the status that said so.
    pub fn left_out_orders(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fates.iter().filter_map(|(k, f)| match f {
            Fate::LeftOut { status, .. } => k
                .strip_prefix("left-out:")
                .map(|key| (key, status.as_str())),
            _ => None,
        })
    }

    /// Adds a product of a products export, or gives the product already read under its
    /// key (or, for an order line that named it without a code, under its name) the
    /// export's name, category, tags and price. A name that two products of the export
    /// share recognizes neither.
    fn add_catalogue_product(&mut self, mut p: ImportedProduct) {
        self.counts().catalogue_products += 1;
        let name = p.also_key.clone();
        if name
            .as_ref()
            .is_some_and(|n| self.ambiguous_names.contains(n))
        {
            p.also_key = None;
        }
        let by_key = self.product_index.get(&p.key).copied();
        let by_name = p
            .also_key
            .as_ref()
            .and_then(|n| self.product_index.get(n).copied());
        let i = match (by_key, by_name) {
            (Some(i), _) => i,
            (None, Some(j)) if !self.products[j].catalogue => j,
            (None, Some(j)) => {
                // Another product of the export has this name: it names neither.
                if let Some(n) = &name {
                    self.product_index.remove(n);
                    self.ambiguous_names.insert(n.clone());
                }
                self.products[j].also_key = None;
                p.also_key = None;
                self.products.push(p.clone());
                self.products.len() - 1
            }
            (None, None) => {
                self.products.push(p.clone());
                self.products.len() - 1
            }
        };
        self.product_index.insert(p.key.clone(), i);
        if let Some(n) = &p.also_key {
            self.product_index.insert(n.clone(), i);
        }
        self.products[i] = p;
    }

    /// A products export may not give one code to two products.
    fn check_catalogue(
        &self,
        table: &Table,
        mapping: &Mapping,
        data: &RowData,
        line: u64,
    ) -> Result<(), ImportError> {
        let Some((p, _)) = &data.product else {
            return Ok(());
        };
        match self.product_index.get(&p.key).map(|&i| &self.products[i]) {
            Some(known) if known.catalogue && known.name != p.name => Err(row_error(
                table,
                line,
                column_of(mapping, Role::ProductCode),
                format!(
                    "the code {} is given to two products, \"{}\" and \"{}\"; a code names one product",
                    order_number(&p.key),
                    known.name,
                    p.name
                ),
            )),
            _ => Ok(()),
        }
    }

    /// The counts of the file being read.
    fn counts(&mut self) -> &mut FileCounts {
        if self.files.is_empty() {
            self.files.push(FileCounts::default());
        }
        let last = self.files.len() - 1;
        &mut self.files[last]
    }

    /// An order seen before must not change its customer or date; its rows in another file
    /// are an overlap, unless they continue it or start it (see [`continues`]).
    fn check_order(
        &mut self,
        table: &Table,
        mapping: &Mapping,
        data: &RowData,
        line: u64,
    ) -> Result<(), ImportError> {
        let Some(part) = &data.order else {
            return Ok(());
        };
        let Some(&o) = self.order_index.get(&part.key) else {
            if part.date.is_none() {
                return Err(row_error(
                    table,
                    line,
                    column_of(mapping, Role::Date),
                    "the order date is blank".to_owned(),
                ));
            }
            return Ok(());
        };
        let starts = self.order_starts_here(part, &table.file);
        let first_file = self.orders[o].at.0.clone();
        let elsewhere = first_file != table.file;
        let continued = || {
            self.fates
                .contains_key(&continued_in(&table.file, &part.key))
        };
        // Exports that overlap (two months' files sharing days) list the same order twice:
        // its lines are read once.
        let overlap = || {
            ImportError::LeftOut(format!(
                "order already read from {first_file} (the files overlap)"
            ))
        };
        // Later rows continue an order only where the file holding it ends with it (the
        // export was cut there); a whole export holding it lists them already.
        let cut_there = || self.ended_on.get(&first_file) == Some(&part.key);
        // The first row of an order another file was cut inside: this file may list it
        // whole (decided when it ends).
        let takes_over = elsewhere && !starts && !part.continues && !continued() && cut_there();
        let goes_on = continued() && cut_there();
        if elsewhere && !(starts || takes_over || goes_on) {
            return Err(overlap());
        }
        self.same_date_and_customer(table, mapping, (data, line), o)?;
        if starts || takes_over {
            self.adopt(table, mapping, (data, line), o);
        }
        Ok(())
    }

    /// Refuses a row of order `o` with another date or customer than the order has.
    fn same_date_and_customer(
        &self,
        table: &Table,
        mapping: &Mapping,
        (data, line): (&RowData, u64),
        o: usize,
    ) -> Result<(), ImportError> {
        let order = &self.orders[o];
        let number = order_number(&order.key);
        let refuse = |why: String| {
            Err(row_error(
                table,
                line,
                column_of(mapping, Role::OrderId),
                format!("order {number} appears again with another {why}"),
            ))
        };
        if let Some(date) = data.order.as_ref().and_then(|p| p.date)
            && date != order.date
        {
            return refuse(format!(
                "date ({date}; {}, line {} says {})",
                order.at.0, order.at.1, order.date
            ));
        }
        if let (Some(c), Some(first)) = (&data.customer, &order.customer)
            && c.key != *first
        {
            return refuse(format!(
                "customer ({}, line {} has another)",
                order.at.0, order.at.1
            ));
        }
        Ok(())
    }

    /// Adds a row read: its catalogue product, customer, consents, preferences and order
    /// line.
    fn add(&mut self, data: RowData, mapping: &Mapping, table: &Table, line: u64) {
        if let Some((p, rounded)) = data.product {
            self.prices_rounded += usize::from(rounded);
            self.add_catalogue_product(p);
        }
        let customer_key = data.customer.as_ref().map(|c| c.key.clone());
        if let Some(c) = data.customer {
            self.add_customer(c, mapping.columns.contains_key(&Role::Email));
        }
        if let Some(from) = data.converted {
            *self
                .counts()
                .converted
                .entry(from.code().to_owned())
                .or_default() += 1;
        } else if let Some((currency, named)) = data.currency {
            self.count_currency(currency, named);
        }
        if let Some(customer) = &customer_key {
            self.add_consents(customer, data.consents, data.order.as_ref(), table);
            self.preferences
                .extend(data.preferences.into_iter().map(|(preference, source)| {
                    ImportedPreference {
                        customer: customer.clone(),
                        preference,
                        source,
                    }
                }));
        }
        let Some(mut part) = data.order else {
            return;
        };
        self.prices_rounded += usize::from(part.price_rounded);
        self.counts().lines_without_product += usize::from(part.unnamed) * part.lines.len();
        self.counts().lines_without_price += part
            .lines
            .iter()
            .filter(|(_, _, price)| price.is_none())
            .count();
        let lines = std::mem::take(&mut part.lines);
        let o = self.order_of(part, customer_key.as_ref(), mapping, table, line);
        self.orders[o].rows += 1;
        self.last_added = Some(o);
        if self.orders[o].customer.is_none() {
            self.orders[o].customer = customer_key;
        }
        for (product, quantity, unit_price_cents) in lines {
            let p = self.product_of_line(product, quantity, unit_price_cents);
            self.orders[o].lines.push(ImportedLine {
                product: p,
                quantity,
                unit_price_cents,
            });
        }
    }

    /// Counts the currency a row's prices were read in (named by the file, or taken).
    fn count_currency(&mut self, currency: Currency, named: bool) {
        let counts = self.counts();
        let code = currency.code().to_owned();
        if !named {
            counts.currency_taken_as = Some(code);
        } else if !counts.currencies.contains(&code) {
            counts.currencies.push(code);
        }
    }

    /// Records the row's consent decisions for `customer`, dated by the row's order.
    fn add_consents(
        &mut self,
        customer: &str,
        consents: Vec<(String, bool, String)>,
        order: Option<&OrderPart>,
        table: &Table,
    ) {
        let order_day = order.and_then(|part| {
            part.date.or_else(|| {
                self.order_index
                    .get(&part.key)
                    .map(|&o| self.orders[o].date)
            })
        });
        for (purpose, granted, source) in consents {
            self.consents.push(ImportedConsent {
                customer: customer.to_owned(),
                purpose,
                granted,
                source,
                file: table.file.clone(),
                evidence: order_day.or(table.modified),
                decided_on: order_day,
            });
        }
    }

    /// The position of the row's order: the one read before under its key, or a new one
    /// (counted by what it became).
    fn order_of(
        &mut self,
        part: OrderPart,
        customer: Option<&String>,
        mapping: &Mapping,
        table: &Table,
        line: u64,
    ) -> usize {
        if let Some(&o) = self.order_index.get(&part.key) {
            return o;
        }
        let counts = self.counts();
        match part.fate {
            Fate::Return => counts.orders_as_returns += 1,
            Fate::PartlyRefunded => {
                counts.orders_as_purchases += 1;
                counts.orders_partly_refunded += 1;
            }
            _ => counts.orders_as_purchases += 1,
        }
        if mapping.order_level_status {
            remember_fate(&mut self.fates, &table.file, &part.key, &part.fate);
        }
        // An order no row of which says its status and customer waits for its first row.
        if part.continues {
            self.started_later.insert(part.key.clone());
        }
        self.order_index.insert(part.key.clone(), self.orders.len());
        self.orders.push(ImportedOrder {
            key: part.key,
            customer: customer.cloned(),
            date: part.date.unwrap_or_default(),
            channel: mapping.channel.clone(),
            lines: Vec::new(),
            is_return: part.fate == Fate::Return,
            at: (table.file.clone(), line),
            rows: 0,
            partly_refunded: part.fate == Fate::PartlyRefunded,
        });
        self.orders.len() - 1
    }

    /// The position of a line's product: one read before under its key (its price and a
    /// code-only name brought up to date), or a new one.
    fn product_of_line(
        &mut self,
        product: ImportedProduct,
        quantity: i64,
        unit_price_cents: Option<i64>,
    ) -> usize {
        let Some(&p) = self.product_index.get(&product.key) else {
            self.product_index
                .insert(product.key.clone(), self.products.len());
            self.products.push(product);
            return self.products.len() - 1;
        };
        let known = &mut self.products[p];
        if quantity > 0 && unit_price_cents.is_some_and(|p| p > 0) && !known.catalogue {
            known.price_cents = unit_price_cents;
        }
        // A product first seen without a description was named by its code.
        if known.key.ends_with(&format!(":{}", known.name))
            && product.name != known.name
            && !known.catalogue
        {
            known.name = product.name;
            known.category = product.category;
        }
        p
    }
}

/// The order of the file's dates, told by all of its date columns (or by the rows read,
/// for a preview); a file that cannot tell is refused with a message naming `"dates"`.
fn date_order_of(
    table: &Table,
    layout: &Layout,
    limit: Option<usize>,
    cancel: Option<&AtomicBool>,
) -> Result<DateOrder, ImportError> {
    let (scan, rows) = scan_dates(table, layout, limit, cancel)?;
    // A preview that found no row past its limit has read the whole file.
    let rows_read = limit.filter(|n| rows > *n);
    let read = rows_read.map_or_else(String::new, |n| format!(" (of the first {n} rows)"));
    scan.verdict()
        .map_err(|why| ImportError::DatesUntold {
            file: table.file.clone(),
            detail: format!(
                "{why}{read}. Say how its dates are written: in the window, \"Dates are written\" in the import wizard; on the command line, \"dates\": \"day_month_year\" or \"month_day_year\" in a mapping (`candor import --guess-mapping MAP.json FILE` writes one to start from, then import with --mapping MAP.json). Candor never guesses a date"
            ),
            rows_read,
        })
}

/// Refuses a file whose dates cannot be written in `order`, the mapping's or the preset's
/// (a day-first 13/12/2010 where dates are read month-first: a US platform's export saved
/// again by a UK spreadsheet), rather than read its other dates with day and month swapped.
fn check_date_order(
    table: &Table,
    layout: &Layout,
    (limit, cancel): (Option<usize>, Option<&AtomicBool>),
    order: DateOrder,
) -> Result<(), ImportError> {
    if order == DateOrder::YearMonthDay {
        return Ok(());
    }
    let (scan, _) = scan_dates(table, layout, limit, cancel)?;
    let Some(example) = scan.contradiction(order) else {
        return Ok(());
    };
    let (read_as, is, key) = match order {
        DateOrder::MonthDayYear => ("month-first", "day-first", "day_month_year"),
        _ => ("day-first", "month-first", "month_day_year"),
    };
    Err(ImportError::Mapping {
        file: table.file.clone(),
        detail: format!(
            "its dates are read {read_as}, but {example} can only be {is}, so the file's other dates would be read with day and month swapped. Was it saved again by a spreadsheet? Say how its dates are written: \"dates\": \"{key}\" in a mapping (`candor import --guess-mapping MAP.json FILE` writes one to edit; in the window, \"Dates are written\" in the import wizard)"
        ),
    })
}

/// What the values of `table`'s date columns show about their order, and how many rows
/// were read (up to `limit`).
fn scan_dates(
    table: &Table,
    layout: &Layout,
    limit: Option<usize>,
    cancel: Option<&AtomicBool>,
) -> Result<(DateOrderScan, usize), ImportError> {
    let column = |roles: &[Role]| -> Vec<usize> {
        roles
            .iter()
            .filter_map(|r| layout.columns.get(r))
            .flatten()
            .map(|(i, _)| *i)
            .collect()
    };
    // Dates the shop's system wrote; birthdays, which people type in their own way (one
    // customer's 12/25/1990 in a day-first file), tell only where the other dates cannot
    // (there are none, or all start with the year).
    let system = column(&[Role::Date, Role::CustomerSince, Role::UpdatedAt]);
    let birthdays = column(&[Role::BirthDate]);
    let (mut scan, mut birthday_scan) = (DateOrderScan::default(), DateOrderScan::default());
    let mut rows = 0;
    if !system.is_empty() || !birthdays.is_empty() {
        // One row past the limit says whether the file goes on.
        let take = limit.map_or(usize::MAX, |n| n.saturating_add(1));
        for row in table.rows().take(take) {
            rows += 1;
            if rows % PROGRESS_EVERY == 0 && cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                return Err(ImportError::Cancelled);
            }
            let Ok(row) = row else {
                continue;
            };
            let see = |columns: &[usize], scan: &mut DateOrderScan| {
                for &i in columns {
                    if let Some(v) = row.fields.get(i) {
                        scan.see(v);
                    }
                }
            };
            see(&system, &mut scan);
            see(&birthdays, &mut birthday_scan);
        }
    }
    Ok((
        if scan.tells_nothing() {
            birthday_scan
        } else {
            scan
        },
        rows,
    ))
}

/// Refuses a file whose header names a column the mapping reads twice (two "Email"
/// columns, or two "Accepts Marketing" that may disagree): only the first would be read,
/// silently.
fn refuse_read_columns_named_twice(table: &Table, mapping: &Mapping) -> Result<(), ImportError> {
    let read = mapping
        .columns
        .values()
        .flat_map(|c| c.names())
        .chain(mapping.consents.iter().map(|c| c.column.as_str()))
        .chain(mapping.preferences.iter().map(|p| p.column.as_str()));
    for name in read {
        let places: Vec<String> = (0..table.headers.len())
            .filter(|&i| table.headers[i] == name)
            .map(|i| (i + 1).to_string())
            .collect();
        if places.len() > 1 {
            return Err(ImportError::Mapping {
                file: table.file.clone(),
                detail: format!(
                    "its header names the column \"{name}\" more than once (columns {}), so which one holds it cannot be told; rename all but one and import again",
                    places.join(" and ")
                ),
            });
        }
    }
    Ok(())
}

/// What reading a row needs to know about its file.
struct RowContext<'a> {
    table: &'a Table,
    mapping: &'a Mapping,
    layout: &'a Layout,
    source: &'a str,
    currency: Currency,
    /// Whether the file holds orders (asked once per file, not per row).
    has_orders: bool,
    /// See [`ReadOptions::latest_date`].
    latest_date: Option<NaiveDate>,
}

fn layout(table: &Table, mapping: &Mapping) -> Result<Layout, ImportError> {
    refuse_read_columns_named_twice(table, mapping)?;
    let mut missing = Vec::new();
    let mut columns = BTreeMap::new();
    for (role, cols) in &mapping.columns {
        let mut found = Vec::new();
        for name in cols.names() {
            match table.column(name) {
                Some(i) => found.push((i, name.to_owned())),
                None => missing.push(name.to_owned()),
            }
        }
        columns.insert(*role, found);
    }
    let mut consents = Vec::new();
    for c in &mapping.consents {
        match table.column(&c.column) {
            Some(i) => consents.push((i, c.clone())),
            None => missing.push(c.column.clone()),
        }
    }
    let mut preferences = Vec::new();
    for c in &mapping.preferences {
        match table.column(&c.column) {
            Some(i) => preferences.push((i, c.clone())),
            None => missing.push(c.column.clone()),
        }
    }
    let line_kind = mapping
        .line_rows
        .as_ref()
        .and_then(|l| match table.column(&l.column) {
            Some(i) => Some(i),
            None => {
                missing.push(l.column.clone());
                None
            }
        });
    if missing.is_empty() {
        Ok(Layout {
            columns,
            consents,
            preferences,
            line_kind,
        })
    } else {
        Err(ImportError::MissingColumns {
            file: table.file.clone(),
            export: mapping.name.clone(),
            columns: missing,
        })
    }
}

fn column_of(mapping: &Mapping, role: Role) -> Option<String> {
    mapping.columns.get(&role).map(|c| c.names().join(" + "))
}

fn row_error(table: &Table, line: u64, column: Option<String>, reason: String) -> ImportError {
    ImportError::Row(RowError {
        file: table.file.clone(),
        line,
        column,
        reason,
    })
}

/// "17850.0" → "17850"; other text is kept as it is.
fn normalize_number(value: &str) -> String {
    match value.parse::<f64>() {
        Ok(n) if n.fract() == 0.0 && n.abs() < 1e15 && !value.contains('e') => {
            format!("{}", n as i64)
        }
        _ => value.to_owned(),
    }
}

/// Reads a role's cell of `row` (its columns' non-blank values joined), `None` when blank.
fn cell_reader<'a>(
    cx: &'a RowContext<'_>,
    row: &'a Row,
) -> impl Fn(Role, &str) -> Option<String> + 'a {
    move |role: Role, joiner: &str| {
        let cols = cx.layout.columns.get(&role)?;
        let parts: Vec<std::borrow::Cow<'_, str>> = cols
            .iter()
            .filter_map(|(i, _)| row.fields.get(*i).map(str::trim))
            .map(|v| unguarded(v, cx.mapping.strip_leading_apostrophe))
            .map(|v| {
                // What an entity such as &#8238; brings in was refused with its row (see
                // `refuse_hidden_characters`).
                if cx.mapping.html_entities {
                    html_escape::decode_html_entities(v)
                } else {
                    std::borrow::Cow::Borrowed(v)
                }
            })
            .filter(|v| !v.is_empty())
            .filter(|v| !(is_category(role) && is_no_category(v)))
            .collect();
        (!parts.is_empty()).then(|| parts.join(joiner))
    }
}

/// Whether `role` holds a category (or a path of them).
fn is_category(role: Role) -> bool {
    matches!(role, Role::Category | Role::CategoryPath)
}

/// Words platforms write in a category cell for "no category" (WooCommerce's default
/// category is "Uncategorized"): read as no category, so no reason says "you bought
/// Uncategorized twice".
pub(super) fn is_no_category(value: &str) -> bool {
    const NO_CATEGORY_WORDS: [&str; 10] = [
        "uncategorized",
        "uncategorised",
        "no category",
        "none",
        "(none)",
        "n/a",
        "-",
        "--",
        "null",
        "undefined",
    ];
    NO_CATEGORY_WORDS
        .iter()
        .any(|w| w.eq_ignore_ascii_case(value.trim()))
}

/// The currency a row names for its prices, if any: its currency cell, else the mapping's,
/// else the one the file named last, else a sign or code written with its price (`€4.50`,
/// `US$4.50`). All but the cell give way to the currency of the row's order (Shopify
/// leaves the cell blank on an order's later rows; see [`read_row`]).
fn named_currency(
    mapping: &Mapping,
    get: &dyn Fn(Role, &str) -> Option<String>,
    bad: &dyn Fn(Role, String) -> ImportError,
    files: &[FileCounts],
) -> Result<Option<NamedCurrency>, ImportError> {
    if let Some(code) = get(Role::Currency, " ") {
        return Currency::from_code(&code)
            .map(|c| Some(NamedCurrency::Cell(c)))
            .map_err(|why| bad(Role::Currency, why));
    }
    let named_before = || {
        files
            .last()
            .and_then(|f| f.currencies.last())
            .and_then(|c| Currency::from_code(c).ok())
    };
    let price_cell = || get(Role::UnitPrice, " ").or_else(|| get(Role::LineTotal, " "));
    Ok(mapping
        .currency
        .or_else(named_before)
        .or_else(|| price_cell().as_deref().and_then(number::named_currency))
        .map(NamedCurrency::Elsewhere))
}

/// Where a row's currency was named: in its own currency cell, or by the mapping, an
/// earlier row of the file or the price's sign (which the order's first row overrides).
enum NamedCurrency {
    Cell(Currency),
    Elsewhere(Currency),
}

impl NamedCurrency {
    /// The currency, wherever it was named.
    fn currency(self) -> Currency {
        match self {
            Self::Cell(c) | Self::Elsewhere(c) => c,
        }
    }
}

/// The currency of a row of the order `order_key` in `file`: the one its cell names
/// (remembered for the order's later rows when it is the first), else the order's (as this
/// file, else another file of the import, named it), else `named`.
/// A row naming another currency than its order's first row is refused: one order is paid
/// in one currency.
fn order_currency(
    named: Option<NamedCurrency>,
    order: Option<(&str, String)>,
    currencies: &mut HashMap<String, Currency>,
) -> Result<Option<Currency>, String> {
    let Some((file, key)) = order else {
        return Ok(named.map(NamedCurrency::currency));
    };
    match named {
        Some(NamedCurrency::Cell(c)) => {
            let elsewhere = currencies.get(&in_any_file(&key)).copied();
            let first = *currencies
                .entry(in_file(file, &key))
                .or_insert(elsewhere.unwrap_or(c));
            if first != c {
                let number = order_number(&key);
                return Err(format!(
                    "order {number} is in {}, as a row of it read before says, but this row says {}: one order is paid in one currency",
                    first.code(),
                    c.code()
                ));
            }
            currencies.insert(in_any_file(&key), c);
            Ok(Some(c))
        }
        other => Ok(currencies
            .get(&in_file(file, &key))
            .or_else(|| currencies.get(&in_any_file(&key)))
            .copied()
            .or(other.map(NamedCurrency::currency))),
    }
}

/// What the rows read so far say of each order: its fate and its currency.
struct OrderMemory<'a> {
    fates: &'a mut HashMap<String, Fate>,
    currencies: &'a mut HashMap<String, Currency>,
    /// The orders read so far, by key: a row continuing one takes the status of the file
    /// that holds it.
    order_index: &'a HashMap<String, usize>,
    orders: &'a [ImportedOrder],
    /// Orders begun by their later rows (see [`Batch::adopt`]).
    started_later: &'a std::collections::HashSet<String>,
}

impl OrderMemory<'_> {
    /// Whether the row is one of the later rows (see [`continues`]) of an order no row
    /// read so far names (an export cut inside that order, whose first row may come in
    /// another file), or of one begun so: its customer is its first row's to say.
    fn begins_unknown_order(
        &self,
        cx: &RowContext<'_>,
        get: &dyn Fn(Role, &str) -> Option<String>,
        later_row: bool,
    ) -> bool {
        if !later_row {
            return false;
        }
        let Some(key) = get(Role::OrderId, " ").map(|n| order_key_of(cx.mapping, &n)) else {
            return false;
        };
        if self.started_later.contains(&key) {
            return true;
        }
        self.file_of(&key).is_none()
            && !self.fates.contains_key(&in_any_file(&key))
            && !self.fates.contains_key(&in_file(&cx.table.file, &key))
    }

    /// The file that holds the order read under `key`, if one was.
    fn file_of(&self, key: &str) -> Option<&str> {
        self.order_index
            .get(key)
            .map(|&o| self.orders[o].at.0.as_str())
    }
}

/// Reads a row of a products export (see [`super::catalogue`]).
fn read_product_row(
    cx: &RowContext<'_>,
    row: &Row,
    heads: &mut HashMap<String, GroupHead>,
    files: &[FileCounts],
) -> Result<RowData, ImportError> {
    let (table, mapping) = (cx.table, cx.mapping);
    refuse_hidden_characters(cx, row)?;
    let get = cell_reader(cx, row);
    let bad =
        |role: Role, reason: String| row_error(table, row.line, column_of(mapping, role), reason);
    let named = named_currency(mapping, &get, &bad, files)?.map(NamedCurrency::currency);
    let currency = named.unwrap_or(cx.currency);
    let cells = CatalogueRow {
        get: &get,
        bad: &bad,
        currency,
    };
    let mut product = read_catalogue_row(mapping, &cells, heads)?;
    let converted = conversion(mapping, named, cx.currency);
    if let Some((from, rate)) = converted {
        let (price, rounded) = convert_price(product.0.price_cents, from, cx.currency, rate);
        product.0.price_cents = price;
        product.1 |= rounded;
    }
    Ok(RowData {
        customer: None,
        order: None,
        consents: Vec::new(),
        preferences: Vec::new(),
        currency: Some((currency, named.is_some())),
        product: Some(product),
        converted: converted.map(|(from, _)| from),
    })
}

/// Refuses a row with a control character or a bidirectional override in a cell Candor
/// reads: an escape sequence in a name would act on the terminal that lists customers, and
/// `Tea` followed by NUL would be a second product that looks like Tea.
fn refuse_hidden_characters(cx: &RowContext<'_>, row: &Row) -> Result<(), ImportError> {
    for (role, columns) in &cx.layout.columns {
        for (i, column) in columns {
            refuse_hidden_in_cell(cx, row, Some(*role), (*i, column))?;
        }
    }
    // What customers told the shop they want is their own words: read as strictly.
    let own_words = cx
        .layout
        .consents
        .iter()
        .map(|(i, c)| (*i, &c.column))
        .chain(cx.layout.preferences.iter().map(|(i, p)| (*i, &p.column)));
    for (i, column) in own_words {
        refuse_hidden_in_cell(cx, row, None, (i, column))?;
    }
    Ok(())
}

/// See [`refuse_hidden_characters`]; a line break is refused in who a customer is (their
/// number, name, email, phone, postcode: it would show as a row of its own in the customer
/// list), kept in an address or a till's two-line product name.
fn refuse_hidden_in_cell(
    cx: &RowContext<'_>,
    row: &Row,
    role: Option<Role>,
    (i, column): (usize, &String),
) -> Result<(), ImportError> {
    let Some(cell) = row.fields.get(i) else {
        return Ok(());
    };
    // Read as the cell will be: an entity (&#8238;) may not bring in what a raw cell may
    // not hold.
    let cell = if cx.mapping.html_entities && cell.contains('&') {
        html_escape::decode_html_entities(cell)
    } else {
        std::borrow::Cow::Borrowed(cell)
    };
    // A consent or preference cell (no role) is one line too.
    let one_line = role.is_none_or(|role| {
        matches!(
            role,
            Role::CustomerId | Role::Email | Role::Name | Role::Phone | Role::Postcode
        )
    });
    let hidden = if one_line {
        crate::engine::words::hidden_in_line(&cell)
    } else {
        crate::engine::words::hidden_character(&cell)
    };
    let Some(hidden) = hidden else {
        return Ok(());
    };
    Err(row_error(
        cx.table,
        row.line,
        Some(column.clone()),
        format!(
            "the cell holds an invisible control character or a line break (U+{:04X}), which Candor does not store there: remove it and import again",
            u32::from(hidden)
        ),
    ))
}

/// Refuses a row whose order date, update time or customer-since date is after
/// [`RowContext::latest_date`], has a time that is no time of day ("25:61"), or (an
/// update time, which nothing else reads strictly) is not a date at all.
fn refuse_bad_dates(
    cx: &RowContext<'_>,
    get: &dyn Fn(Role, &str) -> Option<String>,
    bad: &dyn Fn(Role, String) -> ImportError,
) -> Result<(), ImportError> {
    for role in [Role::Date, Role::UpdatedAt, Role::CustomerSince] {
        let Some(value) = get(role, " ") else {
            continue;
        };
        // A database's zero date (0000-00-00) says "never": no date, as a blank cell.
        if role == Role::UpdatedAt && value.starts_with("0000-00-00") {
            continue;
        }
        let day = parse_date(&value, cx.mapping.dates);
        if has_impossible_time(&value) || (day.is_none() && role == Role::UpdatedAt) {
            return Err(bad(role, format!("{} is not a date", super::quote(&value))));
        }
        if let Some(day) = day.filter(|d| cx.latest_date.is_some_and(|latest| *d > latest)) {
            return Err(bad(
                role,
                format!(
                    "{} is {day}, more than a day after today: nothing in an export can have happened yet (an export stamped in UTC may be a day ahead, no more); check the year (and whether the day and month are swapped)",
                    super::quote(&value)
                ),
            ));
        }
    }
    Ok(())
}

fn read_row(
    cx: &RowContext<'_>,
    row: &Row,
    memory: &mut OrderMemory<'_>,
    files: &mut [FileCounts],
) -> Result<RowData, ImportError> {
    let (table, mapping) = (cx.table, cx.mapping);
    let get = cell_reader(cx, row);
    let bad =
        |role: Role, reason: String| row_error(table, row.line, column_of(mapping, role), reason);
    refuse_hidden_characters(cx, row)?;
    refuse_bad_dates(cx, &get, &bad)?;

    // Read once: whether the row is one of its order's later rows (see [`continues`]).
    let later_row = cx.has_orders && continues(mapping, &get);
    let orphan = memory.begins_unknown_order(cx, &get, later_row);
    // A status says what became of an order: a customers list's "Status" (a member's)
    // never leaves its customer out.
    let fate = if cx.has_orders {
        order_fate(cx, (row, later_row), &get, memory, files)?
    } else {
        Fate::Sale
    };
    let moment = || {
        if mapping.columns.contains_key(&Role::Date) {
            get(Role::Date, " ").and_then(|v| parse_moment(&v, mapping.dates))
        } else {
            get(Role::UpdatedAt, " ")
                .and_then(|v| parse_moment(&v, mapping.dates))
                .or_else(|| table.modified.map(|d| (d, LAST_SECOND)))
        }
    };
    // Whose an order is, and what they agreed to, is its first row's to say.
    let (customer, (consents, defaults), preferences) = if orphan {
        (None, (Vec::new(), 0), Vec::new())
    } else {
        (
            read_customer(mapping, &get, &bad, cx.source, &moment)?,
            read_consents(cx, row)?,
            read_preferences(cx, row)?,
        )
    };
    // Only a file with a currency column names an order's currency on its first row.
    let order_key = mapping
        .columns
        .contains_key(&Role::Currency)
        .then(|| get(Role::OrderId, " "))
        .flatten()
        .map(|n| (table.file.as_str(), order_key_of(mapping, &n)));
    let named = named_currency(mapping, &get, &bad, files)?;
    let from_cell = matches!(named, Some(NamedCurrency::Cell(_)));
    let named = order_currency(named, order_key.clone(), memory.currencies)
        .map_err(|why| bad(Role::Currency, why))?;
    let currency = named.unwrap_or(cx.currency);
    if let Some((_, key)) = order_key.filter(|_| !from_cell && later_row)
        && !memory.currencies.contains_key(&in_any_file(&key))
    {
        // Rows of an order whose first row has not been read: the currency they were
        // read in, for when it is.
        memory.currencies.entry(taken_in(&key)).or_insert(currency);
    }
    let order = if cx.has_orders {
        let cells = Cells {
            currency,
            get: &get,
            bad: &bad,
        };
        let is_line = is_order_line(cx, row);
        read_order(
            mapping,
            &cells,
            customer.as_ref(),
            table,
            row,
            (fate, is_line),
        )?
        .map(|part| OrderPart {
            continues: later_row,
            ..part
        })
    } else {
        None
    };
    if customer.is_none() && order.is_none() {
        return Err(ImportError::LeftOut(
            "no customer and no product on the row".to_owned(),
        ));
    }
    let priced = order.is_some();
    let converted = conversion(mapping, named, cx.currency).filter(|_| priced);
    let mut order = order;
    if let (Some((from, rate)), Some(part)) = (converted, order.as_mut()) {
        for (product, quantity, unit) in &mut part.lines {
            let (price, rounded) = convert_price(*unit, from, cx.currency, rate);
            if let Some(why) =
                price.and_then(|p| number::line_total_problem(*quantity, p, cx.currency))
            {
                return Err(bad(
                    Role::Currency,
                    format!("converted at the mapping's rate: {why}"),
                ));
            }
            *unit = price;
            // A discount line keeps its sign; its product's price does not.
            product.price_cents = price.map(i64::abs);
            part.price_rounded |= rounded;
        }
    }
    // Counted once the row is read: a row refused after its consents were read counts
    // among the bad rows instead.
    if let Some(counts) = files.last_mut() {
        counts.consent_defaults_not_recorded += defaults;
    }
    Ok(RowData {
        customer,
        order,
        consents,
        preferences,
        currency: priced.then_some((currency, named.is_some())),
        product: None,
        converted: converted.map(|(from, _)| from),
    })
}

/// The currency a row's prices are converted from, and the mapping's rate for it: when
/// the row names another currency than the shop's and the mapping gives its rate.
fn conversion(
    mapping: &Mapping,
    named: Option<Currency>,
    shop: Currency,
) -> Option<(Currency, f64)> {
    let from = named.filter(|&c| c != shop)?;
    mapping.rate(from).map(|rate| (from, rate))
}

/// A price in minor units of `from` as minor units of `to` at `rate` (units of `to` per
/// unit of `from`), rounded half away from zero; and whether it was rounded.
pub fn convert_price(
    price: Option<i64>,
    from: Currency,
    to: Currency,
    rate: f64,
) -> (Option<i64>, bool) {
    let Some(minor) = price else {
        return (None, false);
    };
    let exact = minor as f64 / from.minor_per_major() as f64 * rate * to.minor_per_major() as f64;
    let converted = exact.round();
    // A difference below a millionth of a unit is the floating point, not a rounding.
    (Some(converted as i64), (exact - converted).abs() > 1e-6)
}

/// What the row's order became: its own status, or its order's first row's where the
/// mapping says an order's status is on its first row. An order that was not a purchase
/// is counted once and leaves the row out.
fn order_fate(
    cx: &RowContext<'_>,
    (row, later_row): (&Row, bool),
    get: &dyn Fn(Role, &str) -> Option<String>,
    memory: &mut OrderMemory<'_>,
    files: &mut [FileCounts],
) -> Result<Fate, ImportError> {
    let (table, mapping) = (cx.table, cx.mapping);
    let number = get(Role::OrderId, " ");
    let order_key = || number.as_ref().map(|n| order_key_of(mapping, n));
    // Most files leave nothing out and carry no order-level status: no key to look up.
    let (fate, inherited) = match order_key().filter(|_| mapping.order_level_status) {
        Some(k) => match earlier_fate(memory, &table.file, &k, later_row) {
            Some(known) => known,
            None => {
                let f = row_fate(mapping, get, number.as_deref());
                memory.fates.insert(in_file(&table.file, &k), f.clone());
                (f, false)
            }
        },
        None => (row_fate(mapping, get, number.as_deref()), false),
    };
    let Fate::LeftOut { reason, status } = &fate else {
        return Ok(fate);
    };
    // Rows continuing an order another file left out say nothing of it themselves.
    if inherited {
        return Err(ImportError::LeftOut(reason.clone()));
    }
    let fates = &mut *memory.fates;
    let key = order_key().unwrap_or_else(|| format!("{}:line:{}", table.file, row.line));
    // Counted once per order, under the key `fates` never uses otherwise.
    if fates
        .insert(format!("left-out:{key}"), fate.clone())
        .is_none()
        && let Some(counts) = files.last_mut()
    {
        *counts
            .orders_not_purchases
            .entry(status.clone())
            .or_default() += 1;
    }
    if mapping.order_level_status {
        remember_fate(fates, &table.file, &key, &fate);
    }
    fates.insert(left_out_in(&table.file, &key), fate.clone());
    Err(ImportError::LeftOut(reason.clone()))
}

/// For a file read as a customers list although its rows have dates and amounts: how to
/// read them as purchases instead.
fn purchases_hint(mapping: &Mapping) -> &'static str {
    let has = |r: Role| mapping.columns.contains_key(&r);
    if has(Role::Date) && (has(Role::UnitPrice) || has(Role::LineTotal)) {
        "; the file names no product, so it was read as a list of customers. If each row is a purchase, tick \"Rows are purchases that name no product\" in the wizard (\"purchases_without_products\": true in a mapping file)"
    } else {
        ""
    }
}

/// The key of the order a row of a file of orders names by its number, if it does.
fn order_key_of_row(cx: &RowContext<'_>, row: &Row) -> Option<String> {
    let mapping = cx.mapping;
    if !cx.has_orders || !mapping.columns.contains_key(&Role::OrderId) {
        return None;
    }
    let get = cell_reader(cx, row);
    let number = get(Role::OrderId, " ")?;
    let date = || get(Role::Date, " ").and_then(|d| parse_date(&d, mapping.dates));
    Some(order_key_of(
        mapping,
        &kept_number(mapping, number, &get, date),
    ))
}

/// The number an order row is kept under: its own, but for a return row of a file whose
/// status is read row by row. Square's Refund lines carry the Transaction ID of the sale
/// they take back, on the day of the refund: the refund is an order of its own,
/// "T1 refund 2025-01-09", so the sale stays a sale on its day and the return is one on
/// its day (refunds of one sale on two days are two returns).
fn kept_number(
    mapping: &Mapping,
    number: String,
    get: &dyn Fn(Role, &str) -> Option<String>,
    date: impl FnOnce() -> Option<NaiveDate>,
) -> String {
    let returned = |role: Role| get(role, " ").is_some_and(|s| mapping.returns_status(&s));
    if mapping.order_level_status || !(returned(Role::Status) || returned(Role::PaymentStatus)) {
        return number;
    }
    match date() {
        Some(day) => format!("{number} refund {day}"),
        None => format!("{number} refund"),
    }
}

/// An order's number, from its key ("shopify:#1001" → "#1001"); also a product's code.
fn order_number(key: &str) -> &str {
    key.split_once(':').map_or(key, |(_, n)| n)
}

/// An order's key: its number in the mapping's system ("shopify:#1001").
fn order_key_of(mapping: &Mapping, number: &str) -> String {
    format!("{}:{number}", mapping.key_space)
}

/// The product of a purchase whose file does not say what was bought.
pub const UNSPECIFIED_ITEM: &str = "Unspecified item";

/// The last second of a day: a file dated by its export day is as new as that day.
const LAST_SECOND: u32 = 86_399;

/// A value without the apostrophe a platform puts before numbers so that spreadsheets
/// keep their leading zeros ('02135, '+49 30 …), when the mapping says it does.
fn unguarded(value: &str, strip: bool) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if strip && rest.starts_with(|c: char| c.is_ascii_digit() || c == '+') => rest,
        _ => value,
    }
}

/// What an order is, by its row: not a purchase (status or payment status), a return,
/// partly refunded, or a sale.
fn row_fate(
    mapping: &Mapping,
    get: &dyn Fn(Role, &str) -> Option<String>,
    number: Option<&str>,
) -> Fate {
    let status = get(Role::Status, " ");
    if let Some(s) = &status
        && mapping.skips_status(s)
    {
        let any = mapping.skip_statuses.iter().any(|x| x == "*");
        let reason = if any {
            format!(
                "{} is filled in (order cancelled)",
                column_of(mapping, Role::Status).unwrap_or_default()
            )
        } else {
            format!("order status \"{}\" is not a sale", s.to_lowercase())
        };
        let status = if any {
            "cancelled".to_owned()
        } else {
            s.to_lowercase()
        };
        return Fate::LeftOut { reason, status };
    }
    let payment = get(Role::PaymentStatus, " ");
    if let Some(p) = &payment
        && mapping.skips_payment_status(p)
    {
        return Fate::LeftOut {
            reason: format!("payment status \"{}\": not a purchase", p.to_lowercase()),
            status: p.to_lowercase(),
        };
    }
    let cancelled = mapping
        .cancellation_prefix
        .as_ref()
        .is_some_and(|p| number.is_some_and(|n| n.starts_with(p.as_str())));
    let either = |test: &dyn Fn(&str) -> bool| {
        status.as_deref().is_some_and(test) || payment.as_deref().is_some_and(test)
    };
    if cancelled || either(&|s| mapping.returns_status(s)) {
        Fate::Return
    } else if either(&|s| mapping.partly_refunded_status(s)) {
        Fate::PartlyRefunded
    } else {
        Fate::Sale
    }
}

/// Consent answers read from a row: purpose, granted, and where the answer came from.
type ConsentAnswers = Vec<(String, bool, String)>;

/// The row's consent answers: purpose, granted, and where the answer came from; and how
/// many "yes" answers of a column whose "yes" is the platform's default were not taken.
fn read_consents(cx: &RowContext<'_>, row: &Row) -> Result<(ConsentAnswers, usize), ImportError> {
    let mut defaults = 0;
    let mut consents = Vec::new();
    for (i, c) in &cx.layout.consents {
        let (column, purpose) = (&c.column, &c.purpose);
        let value = row.fields.get(*i).map_or("", str::trim);
        let lower = value.to_lowercase();
        if value.is_empty() || NO_ANSWER.contains(&lower.as_str()) {
            continue;
        }
        let granted = if YES.contains(&lower.as_str()) {
            true
        } else if NO.contains(&lower.as_str()) {
            false
        } else {
            return Err(row_error(
                cx.table,
                row.line,
                Some(column.clone()),
                format!("{} is not a yes or no answer", super::quote(value)),
            ));
        };
        if granted && c.only_withdrawals {
            defaults += 1;
            continue;
        }
        consents.push((
            purpose.clone(),
            granted,
            format!("{}, column {column}", cx.source),
        ));
    }
    Ok((consents, defaults))
}

/// The row's stated preferences, one per comma-separated value of each preferences
/// column, with where each came from.
fn read_preferences(
    cx: &RowContext<'_>,
    row: &Row,
) -> Result<Vec<(crate::engine::preferences::Preference, String)>, ImportError> {
    use crate::engine::preferences::{About, Preference};
    let mut out = Vec::new();
    for (i, column) in &cx.layout.preferences {
        let cell = row.fields.get(*i).unwrap_or("");
        for value in cell.split(',').map(str::trim).filter(|v| !v.is_empty()) {
            let about = match column.about {
                super::mapping::PreferenceAbout::Category => About::Category(value.to_owned()),
                super::mapping::PreferenceAbout::Tag => About::Tag(value.to_owned()),
            };
            let preference = Preference {
                kind: column.kind,
                about,
            };
            preference.check_shape().map_err(|why| {
                row_error(
                    cx.table,
                    row.line,
                    Some(column.column.clone()),
                    format!("{}: {why}", super::quote(value)),
                )
            })?;
            let source = format!("{}, column {}", cx.source, column.column);
            if !out.iter().any(|(p, _)| *p == preference) {
                out.push((preference, source));
            }
        }
    }
    Ok(out)
}

fn read_customer(
    mapping: &Mapping,
    get: &dyn Fn(Role, &str) -> Option<String>,
    bad: &dyn Fn(Role, String) -> ImportError,
    source: &str,
    moment: &dyn Fn() -> Option<Moment>,
) -> Result<Option<ImportedCustomer>, ImportError> {
    let space = &mapping.key_space;
    let number = get(Role::CustomerId, " ").map(|n| normalize_number(&n));
    if number.as_ref().is_some_and(|n| {
        mapping
            .nobody_customer_ids
            .iter()
            .any(|x| x.eq_ignore_ascii_case(n))
    }) {
        return Ok(None);
    }
    let email = get(Role::Email, " ").map(|e| e.to_lowercase());
    let name = get(Role::Name, " ");
    let phone = get(Role::Phone, " ").and_then(|p| phone_key(&p));
    let address = get(Role::Address, ", ");
    let key = if let Some(n) = &number {
        format!("{space}:{n}")
    } else if let Some(e) = &email {
        format!("email:{e}")
    } else if let Some(p) = &phone {
        format!("phone:{p}")
    } else if mapping.match_by_name_and_address
        && let (Some(n), Some(a)) = (&name, &address)
    {
        format!(
            "{space}:name-address:{}|{}",
            n.to_lowercase(),
            a.to_lowercase()
        )
    } else if !mapping.columns.contains_key(&Role::CustomerId)
        && !mapping.columns.contains_key(&Role::Email)
        && let Some(n) = &name
    {
        format!("{space}:name:{}", n.to_lowercase())
    } else {
        return Ok(None);
    };
    let mut values = BTreeMap::new();
    let text_fields = [
        (Role::Name, PersonalField::Name, " "),
        (Role::Phone, PersonalField::Phone, " "),
        (Role::Address, PersonalField::Address, ", "),
        (Role::Postcode, PersonalField::Postcode, " "),
        (Role::Gender, PersonalField::Gender, " "),
    ];
    for (role, field, joiner) in text_fields {
        if let Some(v) = get(role, joiner) {
            values.insert(field, v);
        }
    }
    if let Some(e) = email {
        values.insert(PersonalField::Email, e);
    }
    if let Some(b) = get(Role::BirthDate, " ") {
        match parse_date(&b, mapping.dates) {
            Some(d) => {
                values.insert(PersonalField::BirthDate, d.to_string());
            }
            None if b.starts_with("0000") => {}
            None => return Err(bad(Role::BirthDate, format!("\"{b}\" is not a date"))),
        }
    }
    let since = match get(Role::CustomerSince, " ") {
        Some(s) => Some(
            parse_date(&s, mapping.dates)
                .ok_or_else(|| bad(Role::CustomerSince, format!("\"{s}\" is not a date")))?,
        ),
        None => None,
    };
    // Only a record with values needs dating (many order rows carry just a number).
    let moment = if values.is_empty() { None } else { moment() };
    let moments = values.keys().map(|f| (*f, moment)).collect();
    Ok(Some(ImportedCustomer {
        key,
        number,
        values,
        moments,
        moment,
        since,
        source: source.to_owned(),
        other_sources: BTreeMap::new(),
    }))
}

/// One row's cells, the way a bad cell is reported, and the currency its prices are in.
struct Cells<'a> {
    currency: Currency,
    get: &'a dyn Fn(Role, &str) -> Option<String>,
    bad: &'a dyn Fn(Role, String) -> ImportError,
}

/// Whether the row is an order line: every row is, unless the mapping names the kinds of
/// row that are (the others only say whose the order is and what became of it).
fn is_order_line(cx: &RowContext<'_>, row: &Row) -> bool {
    let (Some(i), Some(kinds)) = (cx.layout.line_kind, cx.mapping.line_rows.as_ref()) else {
        return true;
    };
    let kind = row.fields.get(i).unwrap_or("").trim();
    kinds.lines.iter().any(|k| k.eq_ignore_ascii_case(kind))
}

fn read_order(
    mapping: &Mapping,
    cells: &Cells<'_>,
    customer: Option<&ImportedCustomer>,
    table: &Table,
    row: &Row,
    (fate, is_line): (Fate, bool),
) -> Result<Option<OrderPart>, ImportError> {
    let (key, date) = order_key_and_date(mapping, cells, customer, table, row)?;
    let is_return = fate == Fate::Return;
    let part = |unnamed, lines, price_rounded| OrderPart {
        key,
        date,
        fate,
        unnamed,
        lines,
        price_rounded,
        continues: false,
    };
    if !is_line {
        return Ok(Some(part(false, Vec::new(), false)));
    }
    if mapping.packed_lines {
        let (lines, price_rounded) = packed_order_lines(mapping, cells, is_return)?;
        return Ok(Some(part(false, lines, price_rounded)));
    }
    let unnamed = mapping.has_products_unnamed();
    let (lines, price_rounded) = row_lines(mapping, cells, is_return, unnamed)?;
    Ok(Some(part(unnamed, lines, price_rounded)))
}

/// The lines of one row of a file with a row per line: a product per name the row gives
/// (one unit each, at a price not known, when a cell lists several), then its discount
/// line, if any; with whether the price had to be rounded.
fn row_lines(
    mapping: &Mapping,
    cells: &Cells<'_>,
    is_return: bool,
    unnamed: bool,
) -> Result<(Vec<PartLine>, bool), ImportError> {
    let code = (cells.get)(Role::ProductCode, " ");
    let names = line_names(mapping, cells, code.as_ref(), unnamed)?;
    let several = names.len() > 1;
    // A cell listing several products gives one unit of each, at a price not known: the
    // row's items and total do not say how they split among its products.
    let quantity = if several {
        1
    } else {
        line_quantity(mapping, cells)?
    };
    let quantity = if is_return { -quantity.abs() } else { quantity };
    let price = if several {
        LinePrice::not_known()
    } else {
        line_price(mapping, cells, quantity)?
    };
    let category_column = (cells.get)(Role::Category, " ");
    let lines: Vec<PartLine> = (names.iter())
        .map(|name| {
            let code = (code.as_deref(), names.len() == 1);
            let product = line_product(
                mapping,
                code,
                name,
                &price,
                (category_column.as_deref(), unnamed),
            );
            (product, quantity, price.on_the_line())
        })
        .collect();
    let discount = match lines.as_slice() {
        [(product, _, _)] if !price.negative_sale => Some((&product.key, &product.name)),
        _ => None,
    };
    let discount = discount_line(mapping, cells, (discount, price.total_cents), is_return)?;
    Ok((lines.into_iter().chain(discount).collect(), price.rounded))
}

/// The product of one line: by the row's code (`code`, with whether the row gives one
/// product) where it gives one product with a code, else by name; a negative price on a
/// sale makes it a discount line, and an unspecified item (`unnamed`), a discount or a
/// mapped non-product is never something to recommend.
fn line_product(
    mapping: &Mapping,
    (code, single): (Option<&str>, bool),
    name: &str,
    price: &LinePrice,
    (category_column, unnamed): (Option<&str>, bool),
) -> ImportedProduct {
    let key = match code.filter(|_| single) {
        Some(c) => format!("{}:{c}", mapping.key_space),
        None => format!("{}:name:{}", mapping.key_space, name.to_lowercase()),
    };
    let (key, name) = if price.negative_sale {
        discount_on(key, name)
    } else {
        (key, name.to_owned())
    };
    ImportedProduct {
        key,
        also_key: None,
        category: category_column
            .map(str::to_owned)
            .or_else(|| mapping.category_from_name(&name).map(str::to_owned))
            .unwrap_or_else(|| mapping.default_category.clone()),
        tags: Vec::new(),
        price_cents: price.unit_cents,
        not_a_product: unnamed
            || price.negative_sale
            || mapping.is_not_product(code.unwrap_or(&name)),
        repeatable: mapping.repeatable,
        catalogue: false,
        name,
    }
}

/// The amount a row's discount cell takes off, in minor units (`None` for none or 0); a
/// discount above the row's price (`line_total`, where known) is refused.
fn discount_amount(
    mapping: &Mapping,
    cells: &Cells<'_>,
    line_total: Option<i64>,
) -> Result<Option<i64>, ImportError> {
    let role = Role::LineDiscount;
    let Some(cell) = (cells.get)(role, " ") else {
        return Ok(None);
    };
    if !number::fits_currency(&cell, cells.currency) {
        let why = super::catalogue::other_currency(&cell, cells.currency);
        return Err((cells.bad)(role, why));
    }
    let (amount, _) = number::parse(&cell, mapping.decimal_comma)
        .map_err(|reason| (cells.bad)(role, format!("the discount: {reason}")))?
        .minor_units(cells.currency.decimals());
    let amount = amount.abs();
    if amount == 0 {
        return Ok(None);
    }
    if let Some(why) = number::line_total_problem(1, amount, cells.currency) {
        return Err((cells.bad)(role, why));
    }
    if let Some(total) = line_total.filter(|&t| amount > t) {
        let money = |cents| cells.currency.format(cents);
        return Err((cells.bad)(
            role,
            format!(
                "the discount ({}) is more than the line's price ({})",
                money(amount),
                money(total)
            ),
        ));
    }
    Ok(Some(amount))
}

/// The line of a row's discount column (see [`Role::LineDiscount`]): "Latte (discount)",
/// one unit at the amount taken off, which comes off what the customer spent (and is
/// given back on a return, whose refund was that much smaller); `None` without a discount.
/// `of` is the row's one product (key and name); a row of several is discounted as a whole.
fn discount_line(
    mapping: &Mapping,
    cells: &Cells<'_>,
    (of, line_total): (Option<(&String, &String)>, Option<i64>),
    is_return: bool,
) -> Result<Option<PartLine>, ImportError> {
    let Some(amount) = discount_amount(mapping, cells, line_total)? else {
        return Ok(None);
    };
    let (key, name) = match of {
        Some((key, name)) => (format!("{key}:discount"), format!("{name} (discount)")),
        None => (
            format!("{}:discount", mapping.key_space),
            "Discount".to_owned(),
        ),
    };
    let product = ImportedProduct {
        key,
        also_key: None,
        name,
        category: (cells.get)(Role::Category, " ")
            .unwrap_or_else(|| mapping.default_category.clone()),
        tags: Vec::new(),
        price_cents: Some(amount),
        not_a_product: true,
        repeatable: mapping.repeatable,
        catalogue: false,
    };
    Ok(Some((
        product,
        if is_return { -1 } else { 1 },
        Some(-amount),
    )))
}

/// The order's key in the import (its number, else its customer and date) and its date.
fn order_key_and_date(
    mapping: &Mapping,
    cells: &Cells<'_>,
    customer: Option<&ImportedCustomer>,
    table: &Table,
    row: &Row,
) -> Result<(String, Option<NaiveDate>), ImportError> {
    let (get, bad) = (cells.get, cells.bad);
    let space = &mapping.key_space;
    let date = match get(Role::Date, " ") {
        Some(d) => Some(
            parse_date(&d, mapping.dates)
                .ok_or_else(|| bad(Role::Date, format!("{} is not a date", super::quote(&d))))?,
        ),
        None => None,
    };
    let key = match (get(Role::OrderId, " "), date) {
        (Some(n), _) => order_key_of(mapping, &kept_number(mapping, n, get, || date)),
        (None, Some(d)) => format!(
            "{space}:{}:{d}",
            customer.map_or_else(
                || format!("guest-{}-{}", table.file, row.line),
                |c| c.key.clone()
            )
        ),
        (None, None) => return Err(bad(Role::Date, "the order date is blank".to_owned())),
    };
    Ok((key, date))
}

/// The names of the products on the row: one, several from a product list, the category
/// (or "unspecified item") where the file names none, or the product code.
fn line_names(
    mapping: &Mapping,
    cells: &Cells<'_>,
    code: Option<&String>,
    unnamed: bool,
) -> Result<Vec<String>, ImportError> {
    let get = cells.get;
    let names: Vec<String> = match get(Role::ProductName, " ") {
        _ if unnamed => {
            vec![get(Role::Category, " ").unwrap_or_else(|| UNSPECIFIED_ITEM.to_owned())]
        }
        Some(n) if mapping.product_list => n
            .split(", ")
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        Some(n) => vec![with_variant(n, get(Role::Variant, " / "))],
        None => code.into_iter().cloned().collect(),
    };
    if names.is_empty() {
        return Err((cells.bad)(
            Role::ProductName,
            "the product is blank".to_owned(),
        ));
    }
    Ok(names)
}

/// A product's name with the variation a sales row names, "Latte - Large", as a products
/// export names it; a platform's name for "no variation" (Square's "Regular", Shopify's
/// "Default Title") adds nothing.
fn with_variant(name: String, variant: Option<String>) -> String {
    match variant {
        Some(v) if !super::catalogue::is_no_variant(&v) => format!("{name} - {v}"),
        _ => name,
    }
}

/// The key and name of a discount line (a negative price on a sale) of the product `key`
/// named `name`: kept apart from the product, which stays something to recommend whatever
/// the order of the rows, unless the line is itself named a discount.
fn discount_on(key: String, name: &str) -> (String, String) {
    if name.to_lowercase().contains("discount") {
        (key, name.to_owned())
    } else {
        (format!("{key}:discount"), format!("{name} (discount)"))
    }
}

/// The row's quantity (1 where the file has none); 0 leaves it out.
fn line_quantity(mapping: &Mapping, cells: &Cells<'_>) -> Result<i64, ImportError> {
    if !mapping.columns.contains_key(&Role::Quantity) {
        return Ok(1);
    }
    let bad = cells.bad;
    let q = (cells.get)(Role::Quantity, " ")
        .ok_or_else(|| bad(Role::Quantity, "the quantity is blank".to_owned()))?;
    let quantity = whole_quantity(&q, mapping.decimal_comma)
        .map_err(|reason| bad(Role::Quantity, format!("the quantity: {reason}")))?;
    if quantity == 0 {
        return Err(ImportError::LeftOut("quantity 0".to_owned()));
    }
    Ok(quantity)
}

/// A quantity written in `text`: a whole number of items, up to [`number::MAX_QUANTITY`];
/// why not otherwise (an item sold by weight is told what to do).
fn whole_quantity(text: &str, decimal_comma: bool) -> Result<i64, String> {
    number::parse(text, decimal_comma)
        .and_then(|n| n.whole_number(number::MAX_QUANTITY))
        .map_err(|reason| {
            let weighed = if reason.ends_with("is not a whole number") {
                " (Candor counts whole items; an item sold by weight or measure cannot be recorded as bought, so skip such rows with \"Skip rows that cannot be read\" or --skip-bad-rows, and they are listed in the report)"
            } else {
                ""
            };
            format!("{reason}{weighed}")
        })
}

/// A row's unit price as read: not known for a blank cell or a file without prices.
struct LinePrice {
    unit_cents: Option<i64>,
    /// The whole line's price, as the file gives it (or unit × quantity).
    total_cents: Option<i64>,
    rounded: bool,
    negative_sale: bool,
}

/// The unit price of the row's line: the unit price column, or the line total over the
/// quantity.
fn line_price(
    mapping: &Mapping,
    cells: &Cells<'_>,
    quantity: i64,
) -> Result<LinePrice, ImportError> {
    let role = if mapping.columns.contains_key(&Role::UnitPrice) {
        Role::UnitPrice
    } else {
        Role::LineTotal
    };
    let Some(price) = (cells.get)(role, " ") else {
        return Ok(LinePrice::not_known());
    };
    if !number::fits_currency(&price, cells.currency) {
        return Err((cells.bad)(
            role,
            super::catalogue::other_currency(&price, cells.currency),
        ));
    }
    let (amount_cents, mut rounded) = number::parse(&price, mapping.decimal_comma)
        .map_err(|reason| (cells.bad)(role, format!("the price: {reason}")))?
        .minor_units(cells.currency.decimals());
    let total = if role == Role::UnitPrice {
        amount_cents.abs().saturating_mul(quantity.abs())
    } else {
        amount_cents.abs()
    };
    let unit = if role == Role::UnitPrice {
        amount_cents.abs()
    } else {
        let shares = i64::try_from(quantity.unsigned_abs()).unwrap_or(i64::MAX);
        let total = amount_cents.abs();
        rounded |= total % shares != 0;
        (total + shares / 2) / shares
    };
    if let Some(why) = number::line_total_problem(quantity, unit, cells.currency) {
        return Err((cells.bad)(role, why));
    }
    Ok(LinePrice {
        unit_cents: Some(unit),
        total_cents: Some(total),
        rounded,
        negative_sale: amount_cents < 0 && quantity > 0,
    })
}

impl LinePrice {
    /// A price the file does not give.
    fn not_known() -> Self {
        Self {
            unit_cents: None,
            total_cents: None,
            rounded: false,
            negative_sale: false,
        }
    }

    /// The price the order line records: a discount's is negative, so that it takes its
    /// amount off what the customer spent (the product's own price stays positive).
    fn on_the_line(&self) -> Option<i64> {
        self.unit_cents
            .map(|u| if self.negative_sale { -u } else { u })
    }
}

/// The lines of an order whose product cell packs them all (see [`super::packed`]), and
/// whether a price was rounded.
fn packed_order_lines(
    mapping: &Mapping,
    cells: &Cells<'_>,
    is_return: bool,
) -> Result<(Vec<PartLine>, bool), ImportError> {
    let bad = cells.bad;
    let cell = (cells.get)(Role::ProductName, " ")
        .ok_or_else(|| bad(Role::ProductName, "the order lists no product".to_owned()))?;
    let mut rounded = false;
    let mut lines = Vec::new();
    for line in super::packed::packed_lines(&cell) {
        let (part, r) = packed_line(mapping, cells, is_return, &line)?;
        rounded |= r;
        lines.push(part);
    }
    if lines.is_empty() {
        return Err(bad(
            Role::ProductName,
            "the order lists no product".to_owned(),
        ));
    }
    Ok((lines, rounded))
}

/// One packed line as an order line, and whether its price was rounded.
fn packed_line(
    mapping: &Mapping,
    cells: &Cells<'_>,
    is_return: bool,
    line: &super::packed::PackedLine,
) -> Result<(PartLine, bool), ImportError> {
    let bad = cells.bad;
    let name = line
        .name
        .clone()
        .or_else(|| line.sku.clone())
        .ok_or_else(|| {
            bad(
                Role::ProductName,
                "a product of the order has no name".to_owned(),
            )
        })?;
    let quantity = line
        .quantity
        .as_deref()
        .ok_or_else(|| "the value is blank".to_owned())
        .and_then(|q| whole_quantity(q, mapping.decimal_comma))
        .and_then(|q| {
            if q == 0 {
                Err("it is 0".to_owned())
            } else {
                Ok(q)
            }
        })
        .map_err(|why| bad(Role::ProductName, format!("the quantity of {name}: {why}")))?;
    let (price, rounded) = match &line.unit_price {
        None => (None, false),
        Some(p) if !number::fits_currency(p, cells.currency) => {
            return Err(bad(
                Role::ProductName,
                super::catalogue::other_currency(p, cells.currency),
            ));
        }
        Some(p) => {
            let (minor, r) = number::parse(p, mapping.decimal_comma)
                .map_err(|why| bad(Role::ProductName, format!("the price of {name}: {why}")))?
                .minor_units(cells.currency.decimals());
            (Some(minor), r)
        }
    };
    // A negative price on a sale is a discount, not something to recommend; its line keeps
    // the sign, so that it takes its amount off what the customer spent.
    let discount = price.is_some_and(|p| p < 0) && !is_return;
    let line_price = if discount { price } else { price.map(i64::abs) };
    let price = price.map(i64::abs);
    if let Some(why) = price.and_then(|p| number::line_total_problem(quantity, p, cells.currency)) {
        return Err(bad(Role::ProductName, format!("{name}: {why}")));
    }
    let space = &mapping.key_space;
    // SKUs and BigCommerce's own product numbers are kept apart.
    let key = match (&line.sku, &line.id) {
        (Some(sku), _) => format!("{space}:{sku}"),
        (None, Some(id)) => format!("{space}:id:{id}"),
        (None, None) => format!("{space}:name:{}", name.to_lowercase()),
    };
    let (key, name) = if discount {
        discount_on(key, &name)
    } else {
        (key, name)
    };
    let product = ImportedProduct {
        key,
        also_key: None,
        category: mapping
            .category_from_name(&name)
            .map_or_else(|| mapping.default_category.clone(), str::to_owned),
        name,
        tags: Vec::new(),
        price_cents: price,
        not_a_product: discount
            || line
                .sku
                .as_deref()
                .is_some_and(|c| mapping.is_not_product(c)),
        repeatable: mapping.repeatable,
        catalogue: false,
    };
    let quantity = if is_return { -quantity.abs() } else { quantity };
    Ok(((product, quantity, line_price), rounded))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::presets::Preset;

    fn read(csv: &str, preset: &str, skip: bool) -> Result<Batch, ImportError> {
        let table = Table::from_bytes("t.csv", csv.as_bytes().to_vec())?;
        let mapping = Preset::named(preset)
            .expect("preset")
            .mapping(&table.headers);
        let mut batch = Batch::default();
        batch.read(
            &table,
            &mapping,
            &ReadOptions {
                skip_bad_rows: skip,
                cancel: None,
                progress: &|_| {},
                limit: None,
                latest_date: None,
            },
        )?;
        Ok(batch)
    }

    const HEADER: &str =
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";

    #[test]
    fn invoice_lines_make_orders_returns_guests_and_fees() {
        let csv = format!(
            "{HEADER}536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n\
             536365,POST,POSTAGE,1,2010-12-01 08:26:00,18.00,17850.0,United Kingdom\n\
             C536379,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-1,2010-12-02 09:41:00,2.55,17850.0,United Kingdom\n\
             536400,85123A,WHITE HANGING HEART T-LIGHT HOLDER,2,2010-12-03 10:00:00,2.95,,United Kingdom\n"
        );
        let b = read(&csv, "invoice-lines", false).expect("reads");
        assert_eq!(b.customers.len(), 1);
        assert_eq!(b.customers[0].key, "invoice:17850");
        assert_eq!(b.orders.len(), 3);
        assert!(b.orders[1].is_return && b.orders[1].lines[0].quantity == -1);
        assert_eq!(b.orders[2].customer, None);
        assert_eq!(b.products.len(), 2);
        assert!(b.products[1].not_a_product);
        assert_eq!(b.products[0].category, "candles and lights");
        assert_eq!(b.products[0].price_cents, Some(295));
        assert_eq!(b.unused_columns[0].1, ["Country"]);
    }

    #[test]
    fn a_discount_line_never_makes_its_product_not_a_product_whatever_the_row_order() {
        let discount = "536501,LAT,LATTE,1,2010-12-01 08:26:00,-5.50,17850.0,United Kingdom\n";
        let sale = "536502,LAT,LATTE,2,2010-12-02 08:26:00,3.50,17850.0,United Kingdom\n";
        for rows in [[discount, sale], [sale, discount]] {
            let b = read(
                &format!("{HEADER}{}{}", rows[0], rows[1]),
                "invoice-lines",
                false,
            )
            .expect("reads");
            let product = |name: &str| {
                b.products
                    .iter()
                    .find(|p| p.name == name)
                    .unwrap_or_else(|| panic!("{name} in {:?}", b.products))
            };
            assert!(!product("LATTE").not_a_product, "{rows:?}");
            assert_eq!(product("LATTE").price_cents, Some(350));
            assert!(product("LATTE (discount)").not_a_product);
            assert_eq!(product("LATTE (discount)").price_cents, Some(550));
            let lines: Vec<i64> = b
                .orders
                .iter()
                .flat_map(|o| &o.lines)
                .map(|l| l.quantity)
                .collect();
            assert_eq!(
                lines.iter().sum::<i64>(),
                3,
                "the discount is no purchase of a latte"
            );
        }
    }

    #[test]
    fn a_bad_row_names_file_line_and_column() {
        let csv = format!("{HEADER}1,A1,Thing,two,2010-12-01,1.00,5,UK\n");
        let Err(ImportError::Row(e)) = read(&csv, "invoice-lines", false) else {
            panic!("should fail");
        };
        assert_eq!((e.line, e.column.as_deref()), (2, Some("Quantity")));
        assert!(e.reason.contains("\"two\" is not a number"), "{}", e.reason);
        let b = read(&csv, "invoice-lines", true).expect("skips");
        assert_eq!(b.bad_rows.len(), 1);
        assert!(b.orders.is_empty());
    }

    #[test]
    fn an_order_cannot_change_its_date() {
        let csv = format!(
            "{HEADER}1,A1,Thing,1,2010-12-01,1.00,5,UK\n2,A1,Thing,1,2010-12-02,1.00,5,UK\n1,A2,Other,1,2010-12-05,1.00,5,UK\n"
        );
        let Err(ImportError::Row(e)) = read(&csv, "invoice-lines", false) else {
            panic!("should fail");
        };
        assert_eq!(e.line, 4);
        assert!(e.reason.contains("another date"), "{}", e.reason);
    }

    #[test]
    fn shopify_follow_on_rows_and_consent() {
        let csv = "Name,Email,Accepts Marketing,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Cancelled at\n\
                   #1001,ann@example.com,yes,2024-05-03 10:00:00 +0100,1,Coffee beans,8.50,CB1,Ann Lee,\n\
                   #1001,,,,2,Croissant,1.80,CR1,,\n\
                   #1002,bob@example.com,no,2024-05-04 10:00:00 +0100,1,Tea,4.00,T1,Bob Ray,2024-05-04\n";
        let b = read(csv, "shopify-orders", false).expect("reads");
        assert_eq!(b.orders.len(), 1);
        assert_eq!(b.orders[0].lines.len(), 2);
        assert_eq!(
            b.orders[0].customer.as_deref(),
            Some("email:ann@example.com")
        );
        assert_eq!(b.consents.len(), 1);
        assert!(b.consents[0].granted && b.consents[0].purpose == "email_offers");
        assert_eq!(b.left_out.values().sum::<usize>(), 1);
    }

    #[test]
    fn duplicate_customers_in_a_customer_export_are_refused() {
        let csv = "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Total Orders\n\
                   1,Ann,Lee,ann@example.com,yes,2\n2,Bob,Ray,bob@example.com,no,1\n1,Ann,Lee,ann@example.com,yes,2\n";
        let Err(ImportError::Row(e)) = read(csv, "shopify-customers", false) else {
            panic!("should fail");
        };
        assert!(
            e.reason.contains("appears twice (lines 2 and 4)"),
            "{}",
            e.reason
        );
    }
}
