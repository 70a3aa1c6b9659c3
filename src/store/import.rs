//! Writing an import: every added and changed record, the keys that make the next
//! import of the same file a no-op, and one audit-log entry, in one transaction.

use std::collections::BTreeSet;

use rusqlite::{Connection, params};

use super::apply::{ApplyError, Attribution, EntryBody, SubjectEvent, append_entry};
use super::{Store, StoreError};
use crate::import::keys::KeyKind;
use crate::import::merge::{Known, Merged};

impl Store {
    /// The keys of earlier imports and the hashes of erased customers' keys.
    pub fn known_keys(&self) -> Result<Known, StoreError> {
        let sql = |e| StoreError::sqlite(&self.path, e);
        let mut known = Known::default();
        let mut stmt = self
            .conn
            .prepare("SELECT kind, key, id FROM import_keys")
            .map_err(sql)?;
        let mut rows = stmt.query([]).map_err(sql)?;
        while let Some(row) = rows.next().map_err(sql)? {
            let kind: String = row.get(0).map_err(sql)?;
            if let Some(kind) = KeyKind::from_name(&kind) {
                known
                    .keys
                    .insert((kind, row.get(1).map_err(sql)?), row.get(2).map_err(sql)?);
            }
        }
        let mut stmt = self
            .conn
            .prepare("SELECT key_hash FROM erased_keys")
            .map_err(sql)?;
        known.erased = stmt
            .query_map([], |r| r.get(0))
            .map_err(sql)?
            .collect::<rusqlite::Result<_>>()
            .map_err(sql)?;
        Ok(known)
    }

    /// The number of the latest audit-log entry (0 when the log is empty): an import
    /// computed against the shop refuses to write if someone changed it since.
    pub fn latest_entry(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT coalesce(max(id), 0) FROM audit_log", [], |r| {
                r.get(0)
            })
            .map_err(|e| StoreError::sqlite(&self.path, e))
    }

    /// Writes what `merged` added and changed, and logs the import with `detail`.
    /// Refused (nothing written) if the log moved past `expected_entry`.
    pub fn write_import(
        &mut self,
        merged: &Merged,
        expected_entry: i64,
        who: &Attribution,
        detail: String,
    ) -> Result<i64, ApplyError> {
        let path = self.path.clone();
        let sql = |e: rusqlite::Error| ApplyError::Store(StoreError::sqlite(&path, e));
        let tx = self.begin_write(who, "import")?;
        let latest: i64 = tx
            .query_row("SELECT coalesce(max(id), 0) FROM audit_log", [], |r| {
                r.get(0)
            })
            .map_err(sql)?;
        if latest != expected_entry {
            return Err(ApplyError::Stale);
        }
        write_records(&tx, merged).map_err(sql)?;
        let body = EntryBody {
            changes: merged.updates.clone(),
            impact: None,
            undoes: None,
            event: Some(SubjectEvent {
                kind: "import".to_owned(),
                customer: None,
                reference: None,
                detail,
            }),
        };
        let id = append_entry(&tx, who, &body).map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(id)
    }
}

fn write_records(conn: &Connection, merged: &Merged) -> rusqlite::Result<()> {
    let shop = &merged.shop;
    let mut customer = conn.prepare(
        "INSERT INTO customers (id, name, email, phone, address, postcode, birth_date, gender, since, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for id in &merged.new_customers {
        if let Ok(i) = shop.customers.binary_search_by_key(id, |c| c.id) {
            let c = &shop.customers[i];
            customer.execute(params![
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
        }
    }
    let updated: BTreeSet<i64> = merged
        .updates
        .iter()
        .filter_map(|a| match &a.change {
            crate::engine::changes::Change::CustomerField { customer, .. } => Some(*customer),
            _ => None,
        })
        .collect();
    for id in updated {
        super::apply::write_customer(conn, shop, id)?;
    }
    let mut product = conn.prepare(
        "INSERT INTO products (id, name, category, tags, price_cents, stock, repeatable)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let first_new_product = shop.products.len() - merged.new_products.len();
    for p in &shop.products[first_new_product..] {
        product.execute(params![
            p.id,
            p.name,
            p.category,
            p.tags.join(";"),
            p.price_cents,
            p.stock,
            p.repeatable
        ])?;
    }
    let mut order =
        conn.prepare("INSERT INTO orders (id, customer, date, channel) VALUES (?1, ?2, ?3, ?4)")?;
    for o in &shop.orders[merged.first_new_order..] {
        order.execute(params![o.id, o.customer, o.date, o.channel])?;
    }
    let mut line = conn.prepare(
        "INSERT INTO order_lines (order_id, product, quantity, unit_price_cents) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for l in &shop.lines[merged.first_new_line..] {
        line.execute(params![l.order, l.product, l.quantity, l.unit_price_cents])?;
    }
    super::write::insert_consents(conn, &shop.consents[merged.first_new_consent..])?;
    let mut key = conn.prepare(
        "INSERT INTO import_keys (kind, key, id) VALUES (?1, ?2, ?3)
         ON CONFLICT (kind, key) DO UPDATE SET id = excluded.id",
    )?;
    for (kind, k, id) in &merged.new_keys {
        key.execute(params![kind.name(), k, id])?;
    }
    Ok(())
}
