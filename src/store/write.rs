//! Writes a whole snapshot into an empty shop file, in one transaction.

use rusqlite::{Connection, params};

use crate::engine::model::{Customer, Order, OrderLine, Product, Shop};

/// Inserts every table of `shop`. The caller's file must be freshly migrated.
pub fn write_shop(conn: &mut Connection, shop: &Shop) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        let s = &shop.settings;
        let mut stmt = tx.prepare("INSERT INTO shop_settings (key, value) VALUES (?1, ?2)")?;
        stmt.execute(params!["name", s.name])?;
        if let Some(day) = s.pinned_today {
            stmt.execute(params!["pinned_today", day.to_string()])?;
        }
        stmt.execute(params!["top_n", s.top_n.to_string()])?;
        stmt.execute(params![
            "popularity_weight",
            s.popularity_weight.to_string()
        ])?;
        stmt.execute(params!["popularity_days", s.popularity_days.to_string()])?;
        stmt.execute(params!["currency", s.currency.code()])?;
        stmt.execute(params![
            super::chain::SHOP_ID_KEY,
            super::chain::new_shop_id()
        ])?;

        insert_customers(&tx, shop.customers.iter())?;
        insert_products(&tx, shop.products.iter())?;
        insert_orders(&tx, &shop.orders, &shop.lines)?;

        let mut stmt =
            tx.prepare("INSERT INTO purposes (id, label, description) VALUES (?1, ?2, ?3)")?;
        for p in &shop.purposes {
            stmt.execute(params![p.id, p.label, p.description])?;
        }
        insert_consents(&tx, &shop.consents)?;

        insert_rules(&tx, &shop.rules)?;

        let mut stmt = tx.prepare(
            "INSERT INTO personal_fields (field, field_group, label, description, retention_days, kept_for, sensitive)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for f in &shop.fields {
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
            recorded_at, decided_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
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
            e.decided_on
        ])?;
    }
    Ok(())
}
