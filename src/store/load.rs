//! Reads a whole shop file into an in-memory [`Shop`] snapshot.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};

use super::error::LoadError;
use crate::engine::model::{
    ConsentEvent, Customer, FieldDef, FieldSource, Order, OrderLine, PersonalField, Product,
    Purpose, Settings, Shop,
};
use crate::engine::money::Currency;
use crate::engine::preferences::PreferenceEvent;
use crate::engine::rules::Rule;

fn corrupt(table: &'static str, row: &dyn std::fmt::Display, detail: String) -> LoadError {
    LoadError::Corrupt {
        table,
        row: row.to_string(),
        detail,
    }
}

fn date(
    table: &'static str,
    row: &dyn std::fmt::Display,
    text: &str,
) -> Result<NaiveDate, LoadError> {
    text.parse()
        .map_err(|_| corrupt(table, row, format!("\"{text}\" is not a date (YYYY-MM-DD)")))
}

fn time(
    table: &'static str,
    row: &dyn std::fmt::Display,
    text: &str,
) -> Result<chrono::DateTime<chrono::Utc>, LoadError> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| corrupt(table, row, format!("\"{text}\" is not a time (RFC 3339)")))
}

fn field(
    table: &'static str,
    row: &dyn std::fmt::Display,
    key: &str,
) -> Result<PersonalField, LoadError> {
    PersonalField::from_key(key).ok_or_else(|| {
        corrupt(
            table,
            row,
            format!("\"{key}\" is not a known personal-data field"),
        )
    })
}

/// Loads every table.
pub fn load_shop(conn: &Connection) -> Result<Shop, LoadError> {
    Ok(Shop {
        settings: load_settings(conn)?,
        customers: load_customers(conn)?.into(),
        products: load_products(conn)?.into(),
        orders: load_orders(conn)?.into(),
        lines: load_lines(conn)?.into(),
        purposes: load_purposes(conn)?,
        consents: load_consents(conn)?.into(),
        rules: load_rules(conn)?,
        fields: load_fields(conn)?,
        preferences: preferences_where(conn, None)?.into(),
        highest_erased_customer: conn.query_row(
            "SELECT coalesce(max(CAST(value AS INTEGER)), 0) FROM shop_settings WHERE key = ?1",
            [super::HIGHEST_ERASED_KEY],
            |r| r.get(0),
        )?,
    })
}

/// Reads the `shop_settings` table, every value checked.
pub fn load_settings(conn: &Connection) -> Result<Settings, LoadError> {
    let mut s = Settings::default();
    let mut stmt = conn.prepare("SELECT key, value FROM shop_settings")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let key: String = row.get(0)?;
        let value: String = row.get(1)?;
        let bad = || {
            corrupt(
                "shop_settings",
                &key,
                format!("\"{value}\" is not a valid value"),
            )
        };
        match key.as_str() {
            "name" => s.name = value.clone(),
            "pinned_today" => s.pinned_today = Some(date("shop_settings", &key, &value)?),
            "top_n" => s.top_n = value.parse().map_err(|_| bad())?,
            "popularity_weight" => s.popularity_weight = value.parse().map_err(|_| bad())?,
            "popularity_days" => s.popularity_days = value.parse().map_err(|_| bad())?,
            "popularity_counts" => {
                s.popularity_counts =
                    crate::engine::model::PopularityCount::from_code(&value).ok_or_else(bad)?;
            }
            "currency" => {
                s.currency = Currency::from_code(&value)
                    .map_err(|problem| corrupt("shop_settings", &key, problem))?;
            }
            _ => {}
        }
    }
    s.validate()
        .map_err(|problem| corrupt("shop_settings", &"settings", problem))?;
    Ok(s)
}

fn load_customers(conn: &Connection) -> Result<Vec<Customer>, LoadError> {
    customers_where(conn, None)
}

/// `" WHERE <column> = ?1"` when only one row is wanted, else nothing.
fn only_clause(column: &str, only: Option<i64>) -> String {
    only.map_or_else(String::new, |_| format!(" WHERE {column} = ?1"))
}

/// Every customer, or only customer `only`, with where each field came from.
pub(super) fn customers_where(
    conn: &Connection,
    only: Option<i64>,
) -> Result<Vec<Customer>, LoadError> {
    let mut sources: HashMap<i64, Vec<FieldSource>> = HashMap::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT customer, field, source, recorded_on FROM field_sources{} ORDER BY customer, field",
        only_clause("customer", only)
    ))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(only))?;
    while let Some(row) = rows.next()? {
        let customer: i64 = row.get(0)?;
        let key: String = row.get(1)?;
        let on: String = row.get(3)?;
        sources.entry(customer).or_default().push(FieldSource {
            field: field("field_sources", &customer, &key)?,
            source: row.get(2)?,
            recorded_on: date("field_sources", &customer, &on)?,
        });
    }
    let mut stmt = conn.prepare(&format!(
        "SELECT id, name, email, phone, address, postcode, birth_date, gender, since, source
         FROM customers{} ORDER BY id",
        only_clause("id", only)
    ))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(only))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let birth: Option<String> = row.get(6)?;
        let since: String = row.get(8)?;
        out.push(Customer {
            id,
            name: row.get(1)?,
            email: row.get(2)?,
            phone: row.get(3)?,
            address: row.get(4)?,
            postcode: row.get(5)?,
            birth_date: birth.map(|b| date("customers", &id, &b)).transpose()?,
            gender: row.get(7)?,
            since: date("customers", &id, &since)?,
            source: row.get(9)?,
            field_sources: sources.remove(&id).unwrap_or_default(),
        });
    }
    Ok(out)
}

fn load_products(conn: &Connection) -> Result<Vec<Product>, LoadError> {
    products_where(conn, None)
}

/// Every product, or only product `only`.
pub(super) fn products_where(
    conn: &Connection,
    only: Option<i64>,
) -> Result<Vec<Product>, LoadError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT id, name, category, tags, price_cents, stock, repeatable FROM products{} ORDER BY id",
        only_clause("id", only)
    ))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(only), |row| {
        let tags: String = row.get(3)?;
        Ok(Product {
            id: row.get(0)?,
            name: row.get(1)?,
            category: row.get(2)?,
            tags: tags
                .split(';')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            price_cents: row.get(4)?,
            stock: row.get(5)?,
            repeatable: row.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn load_orders(conn: &Connection) -> Result<Vec<Order>, LoadError> {
    orders_where(conn, None)
}

/// The orders of one customer, in order.
pub(super) fn orders_of(conn: &Connection, customer: i64) -> Result<Vec<Order>, LoadError> {
    orders_where(conn, Some(customer))
}

fn orders_where(conn: &Connection, only: Option<i64>) -> Result<Vec<Order>, LoadError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT id, customer, date, channel FROM orders{} ORDER BY id",
        only_clause("customer", only)
    ))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(only))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let day = row.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
        out.push(Order {
            id,
            customer: row.get(1)?,
            date: date("orders", &id, day)?,
            channel: row.get(3)?,
        });
    }
    Ok(out)
}

fn load_lines(conn: &Connection) -> Result<Vec<OrderLine>, LoadError> {
    let mut stmt = conn.prepare(
        "SELECT order_id, product, quantity, unit_price_cents FROM order_lines ORDER BY order_id, id",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok(OrderLine {
            order: row.get(0)?,
            product: row.get(1)?,
            quantity: row.get(2)?,
            unit_price_cents: row.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn load_purposes(conn: &Connection) -> Result<Vec<Purpose>, LoadError> {
    let mut stmt =
        conn.prepare("SELECT id, label, description, fields FROM purposes ORDER BY rowid")?;
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, label, description, keys) = row?;
        let fields = purpose_fields(&id, &keys)?;
        out.push(Purpose {
            id,
            label,
            description,
            fields,
            covered_since: std::collections::BTreeMap::new(),
        });
    }
    load_covered_since(conn, &mut out)?;
    Ok(out)
}

/// When each purpose began to cover the fields it was widened to cover (see
/// [`super::write::COVERED_SINCE_KEY`]).
fn load_covered_since(conn: &Connection, purposes: &mut [Purpose]) -> Result<(), LoadError> {
    let key = super::write::COVERED_SINCE_KEY;
    let text: Option<String> = conn
        .query_row(
            "SELECT value FROM shop_settings WHERE key = ?1",
            [key],
            |r| r.get(0),
        )
        .optional()?;
    let Some(text) = text else {
        return Ok(());
    };
    type Widened = std::collections::BTreeMap<
        String,
        std::collections::BTreeMap<PersonalField, chrono::DateTime<chrono::Utc>>,
    >;
    let widened: Widened = serde_json::from_str(&text)
        .map_err(|e| corrupt("shop_settings", &key, format!("not readable: {e}")))?;
    for (id, since) in widened {
        let purpose = (purposes.iter_mut().find(|p| p.id == id))
            .ok_or_else(|| corrupt("shop_settings", &key, format!("no purpose \"{id}\"")))?;
        purpose.covered_since = since;
    }
    Ok(())
}

/// The fields a purpose covers, stored as their keys separated by `;`.
fn purpose_fields(id: &str, keys: &str) -> Result<Vec<PersonalField>, LoadError> {
    PersonalField::parse_list(keys).map_err(|key| {
        corrupt(
            "purposes",
            &id,
            format!("\"{key}\" is not a known personal-data field"),
        )
    })
}

fn load_consents(conn: &Connection) -> Result<Vec<ConsentEvent>, LoadError> {
    consents_where(conn, None)
}

/// Every consent event, or only customer `only`'s, in the order they were recorded.
pub(super) fn consents_where(
    conn: &Connection,
    only: Option<i64>,
) -> Result<Vec<ConsentEvent>, LoadError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT id, customer, purpose, granted, at, method, recorded_by, words, recorded_at, decided_on,
            wording
         FROM consents{} ORDER BY id",
        only_clause("customer", only)
    ))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(only))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let at: String = row.get(4)?;
        out.push(ConsentEvent {
            customer: row.get(1)?,
            purpose: row.get(2)?,
            granted: row.get(3)?,
            at: date("consents", &id, &at)?,
            recorded_at: row
                .get::<_, Option<String>>(8)?
                .map(|t| time("consents", &id, &t))
                .transpose()?,
            decided_on: row
                .get::<_, Option<String>>(9)?
                .map(|d| date("consents", &id, &d))
                .transpose()?,
            method: row.get(5)?,
            recorded_by: row.get(6)?,
            words: row.get(7)?,
            wording: row.get(10)?,
        });
    }
    Ok(out)
}

/// Every stated preference and withdrawal, or only customer `only`'s, in the order they
/// were recorded.
pub(super) fn preferences_where(
    conn: &Connection,
    only: Option<i64>,
) -> Result<Vec<PreferenceEvent>, LoadError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT id, customer, preference, withdrawn, recorded_at, recorded_by, method, words,
            lifted_by
         FROM preferences{} ORDER BY id",
        only_clause("customer", only)
    ))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(only))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let json: String = row.get(2)?;
        let at: String = row.get(4)?;
        let lifted: String = row.get(8)?;
        out.push(PreferenceEvent {
            customer: row.get(1)?,
            preference: serde_json::from_str(&json).map_err(|e| {
                corrupt(
                    "preferences",
                    &id,
                    format!("the preference cannot be read: {e}"),
                )
            })?,
            withdrawn: row.get(3)?,
            recorded_at: time("preferences", &id, &at)?,
            recorded_by: row.get(5)?,
            method: row.get(6)?,
            words: row.get(7)?,
            lifted_by: if lifted.is_empty() {
                Vec::new()
            } else {
                serde_json::from_str(&lifted).map_err(|e| {
                    corrupt(
                        "preferences",
                        &id,
                        format!("the rules it answers cannot be read: {e}"),
                    )
                })?
            },
        });
    }
    Ok(out)
}

pub(super) fn load_rules(conn: &Connection) -> Result<Vec<Rule>, LoadError> {
    let mut stmt = conn.prepare("SELECT id, definition FROM rules ORDER BY position")?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let json: String = row.get(1)?;
        let rule: Rule = serde_json::from_str(&json)
            .map_err(|e| corrupt("rules", &id, format!("the rule cannot be read: {e}")))?;
        rule.validate_bounds()
            .map_err(|p| corrupt("rules", &id, p.to_string()))?;
        out.push(rule);
    }
    Ok(out)
}

pub(super) fn load_fields(conn: &Connection) -> Result<Vec<FieldDef>, LoadError> {
    let mut stmt = conn.prepare(
        "SELECT field, field_group, label, description, retention_days, kept_for, sensitive
         FROM personal_fields ORDER BY rowid",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let key: String = row.get(0)?;
        out.push(FieldDef {
            field: field("personal_fields", &key, &key)?,
            group: row.get(1)?,
            label: row.get(2)?,
            description: row.get(3)?,
            retention_days: row.get(4)?,
            kept_for: row.get(5)?,
            sensitive: row.get(6)?,
        });
    }
    Ok(out)
}
