//! Writes a whole snapshot into an empty shop file, in one transaction.

use crate::engine::preferences::PreferenceEvent;
use rusqlite::{Connection, params};

use crate::engine::model::{
    Customer, FieldDef, Order, OrderLine, Product, Purpose, Settings, Shop,
};

/// Inserts every table of `shop`. The caller's file must be freshly migrated.
pub fn write_shop(conn: &mut Connection, shop: &Shop) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        write_settings(&tx, &shop.settings)?;
        tx.execute(
            "INSERT INTO shop_settings (key, value) VALUES (?1, ?2)",
            params![super::chain::SHOP_ID_KEY, super::chain::new_shop_id()],
        )?;

        insert_customers(&tx, shop.customers.iter())?;
        insert_products(&tx, shop.products.iter())?;
        insert_orders(&tx, &shop.orders, &shop.lines)?;

        insert_purposes(&tx, &shop.purposes)?;
        insert_consents(&tx, &shop.consents)?;
        insert_preferences(&tx, &shop.preferences)?;

        insert_rules(&tx, &shop.rules)?;

        insert_fields(&tx, &shop.fields)?;
    }
    tx.commit()
}

/// Inserts customers with their field sources.
pub fn insert_customers<'a>(
    conn: &Connection,
    customers: impl Iterator<Item = &'a Customer>,
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(
        "INSERT INTO customers (id, name, email, phone, address, postcode, birth_date, gender, since, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut sources = conn.prepare(
        "INSERT INTO field_sources (customer, field, source, recorded_on) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for c in customers {
        stmt.execute(params![
            c.id,
            c.name,
            c.email,
            c.phone,
            c.address,
            c.postcode,
            c.birth_date,
            c.gender,
            c.since,
            c.source
        ])?;
        for s in &c.field_sources {
            sources.execute(params![c.id, s.field.key(), s.source, s.recorded_on])?;
        }
    }
    Ok(())
}

/// Inserts products.
pub fn insert_products<'a>(
    conn: &Connection,
    products: impl Iterator<Item = &'a Product>,
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(
        "INSERT INTO products (id, name, category, tags, price_cents, stock, repeatable)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for p in products {
        stmt.execute(params![
            p.id,
            p.name,
            p.category,
            p.tags.join(";"),
            p.price_cents,
            p.stock,
            p.repeatable
        ])?;
    }
    Ok(())
}

/// Inserts orders and their lines.
pub fn insert_orders(
    conn: &Connection,
    orders: &[Order],
    lines: &[OrderLine],
) -> rusqlite::Result<()> {
    let mut stmt =
        conn.prepare("INSERT INTO orders (id, customer, date, channel) VALUES (?1, ?2, ?3, ?4)")?;
    for o in orders {
        stmt.execute(params![o.id, o.customer, o.date, o.channel])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO order_lines (order_id, product, quantity, unit_price_cents) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for l in lines {
        stmt.execute(params![l.order, l.product, l.quantity, l.unit_price_cents])?;
    }
    Ok(())
}

/// Inserts the rules, in order, as JSON (the table must be empty).
pub fn insert_rules(
    conn: &Connection,
    rules: &[crate::engine::rules::Rule],
) -> rusqlite::Result<()> {
    let mut stmt =
        conn.prepare("INSERT INTO rules (position, id, definition) VALUES (?1, ?2, ?3)")?;
    for (i, r) in rules.iter().enumerate() {
        let json = serde_json::to_string(r)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        stmt.execute(params![i as i64, r.id, json])?;
    }
    Ok(())
}

/// Appends consent events (history is never overwritten).
pub fn insert_consents(
    conn: &Connection,
    events: &[crate::engine::model::ConsentEvent],
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(
        "INSERT INTO consents (customer, purpose, granted, at, method, recorded_by, words,
            recorded_at, decided_on, wording)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for e in events {
        stmt.execute(params![
            e.customer,
            e.purpose,
            e.granted,
            e.at,
            e.method,
            e.recorded_by,
            e.words,
            e.recorded_at
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            e.decided_on,
            e.wording
        ])?;
    }
    Ok(())
}

/// Appends stated preferences and their withdrawals (history is never overwritten).
pub fn insert_preferences(conn: &Connection, events: &[PreferenceEvent]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(
        "INSERT INTO preferences (customer, preference, withdrawn, recorded_at, recorded_by,
            method, words, lifted_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for e in events {
        // `lifted_by` as a JSON list: a rule id may hold any character.
        let preference = serde_json::to_string(&e.preference)
            .map_err(|err| rusqlite::Error::ToSqlConversionFailure(Box::new(err)))?;
        stmt.execute(params![
            e.customer,
            preference,
            e.withdrawn,
            e.recorded_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            e.recorded_by,
            e.method,
            e.words,
            serde_json::to_string(&e.lifted_by)
                .map_err(|err| rusqlite::Error::ToSqlConversionFailure(Box::new(err)))?
        ])?;
    }
    Ok(())
}

/// The fields a purpose covers as stored: their keys separated by `;`.
pub(super) fn purpose_fields_text(purpose: &Purpose) -> String {
    crate::engine::model::PersonalField::list_text(&purpose.fields)
}

/// Inserts the shop's purposes with the fields each covers.
pub(super) fn insert_purposes(conn: &Connection, purposes: &[Purpose]) -> rusqlite::Result<()> {
    let mut stmt = conn
        .prepare("INSERT INTO purposes (id, label, description, fields) VALUES (?1, ?2, ?3, ?4)")?;
    for p in purposes {
        stmt.execute(params![
            p.id,
            p.label,
            p.description,
            purpose_fields_text(p)
        ])?;
    }
    write_covered_since(conn, purposes)
}

/// The shop setting that keeps when each purpose began to cover the fields it was widened
/// to cover (see [`Purpose::covered_since`]), as JSON: `{purpose: {field: time}}`.
pub(super) const COVERED_SINCE_KEY: &str = "purpose_fields_covered_since";

/// Writes when each purpose began to cover the fields it was widened to cover; nothing
/// where no purpose was widened.
fn write_covered_since(conn: &Connection, purposes: &[Purpose]) -> rusqlite::Result<()> {
    let widened: std::collections::BTreeMap<&str, _> = purposes
        .iter()
        .filter(|p| !p.covered_since.is_empty())
        .map(|p| (p.id.as_str(), &p.covered_since))
        .collect();
    if widened.is_empty() {
        conn.execute(
            "DELETE FROM shop_settings WHERE key = ?1",
            params![COVERED_SINCE_KEY],
        )?;
        return Ok(());
    }
    let json = serde_json::to_string(&widened)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.execute(
        "INSERT OR REPLACE INTO shop_settings (key, value) VALUES (?1, ?2)",
        params![COVERED_SINCE_KEY, json],
    )?;
    Ok(())
}

/// Writes the day the shop is pinned to, or removes it for a shop that lives in the present.
pub(super) fn write_pinned_day(
    conn: &Connection,
    day: Option<chrono::NaiveDate>,
) -> rusqlite::Result<()> {
    match day {
        Some(day) => conn.execute(
            "INSERT OR REPLACE INTO shop_settings (key, value) VALUES ('pinned_today', ?1)",
            [day.to_string()],
        )?,
        None => conn.execute("DELETE FROM shop_settings WHERE key = 'pinned_today'", [])?,
    };
    Ok(())
}

/// Writes every setting (a setting that is not set, such as no pinned day, is removed).
pub(super) fn write_settings(conn: &Connection, s: &Settings) -> rusqlite::Result<()> {
    let mut stmt =
        conn.prepare("INSERT OR REPLACE INTO shop_settings (key, value) VALUES (?1, ?2)")?;
    stmt.execute(params!["name", s.name])?;
    write_pinned_day(conn, s.pinned_today)?;
    stmt.execute(params!["top_n", s.top_n.to_string()])?;
    stmt.execute(params![
        "popularity_weight",
        s.popularity_weight.to_string()
    ])?;
    stmt.execute(params!["popularity_days", s.popularity_days.to_string()])?;
    stmt.execute(params!["popularity_counts", s.popularity_counts.code()])?;
    stmt.execute(params!["currency", s.currency.code()])?;
    Ok(())
}

/// Inserts the catalogue of personal-data fields.
pub(super) fn insert_fields(conn: &Connection, fields: &[FieldDef]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(
        "INSERT INTO personal_fields (field, field_group, label, description, retention_days, kept_for, sensitive)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for f in fields {
        stmt.execute(params![
            f.field.key(),
            f.group,
            f.label,
            f.description,
            f.retention_days,
            f.kept_for,
            f.sensitive
        ])?;
    }
    Ok(())
}

/// Writes each field's retention period as it is in `fields`.
pub(super) fn write_retention(conn: &Connection, fields: &[FieldDef]) -> rusqlite::Result<()> {
    let mut stmt =
        conn.prepare("UPDATE personal_fields SET retention_days = ?1 WHERE field = ?2")?;
    for f in fields {
        stmt.execute(params![f.retention_days, f.field.key()])?;
    }
    Ok(())
}

/// Writes each purpose's label, description and covered fields as they are in `purposes`.
pub(super) fn write_purposes(conn: &Connection, purposes: &[Purpose]) -> rusqlite::Result<()> {
    let mut stmt = conn
        .prepare("UPDATE purposes SET label = ?1, description = ?2, fields = ?3 WHERE id = ?4")?;
    for p in purposes {
        stmt.execute(params![
            p.label,
            p.description,
            purpose_fields_text(p),
            p.id
        ])?;
    }
    write_covered_since(conn, purposes)
}
