//! Writing an import: every added and changed record, the keys that make the next
//! import of the same file a no-op, and one audit-log entry, in one transaction.

use std::collections::BTreeSet;

use rusqlite::{Connection, params};

use super::apply::{ApplyError, Attribution, EntryBody, SubjectEvent, append_entry};
use super::keys::{KeyKind, Known};
use super::{Store, StoreError};
use crate::engine::changes::Applied;
use crate::engine::model::Shop;

/// What an import adds and changes, as the store writes it: the shop after the import,
/// and which of its records are new or changed.
#[derive(Clone, Copy)]
pub struct ImportRecords<'a> {
    /// The shop after the import.
    pub shop: &'a Shop,
    /// Numbers of customers added.
    pub new_customers: &'a [i64],
    /// Customers already in the shop whose "customer since" day moved back to a first
    /// order the import brought.
    pub since_moved: &'a [i64],
    /// Changes to customers and products already in the shop, with before and after values.
    pub updates: &'a [Applied],
    /// Numbers of products added (the last ones in `shop.products`).
    pub new_products: &'a [i64],
    /// Index of the first added order in `shop.orders` (all after it are new).
    pub first_new_order: usize,
    /// Index of the first added order line in `shop.lines`.
    pub first_new_line: usize,
    /// Index of the first added consent event in `shop.consents`.
    pub first_new_consent: usize,
    /// Index of the first added preference decision in `shop.preferences`.
    pub first_new_preference: usize,
    /// Keys to record, so the next import of the same file adds nothing.
    pub new_keys: &'a [(KeyKind, String, i64)],
}

impl Store {
    /// The keys of earlier imports and the hashes of erased customers' keys.
    pub fn known_keys(&self) -> Result<Known, StoreError> {
        let sql = |e| StoreError::sqlite(&self.path, e);
        let mut known = Known {
            hasher: super::keys::KeyHasher::of(&self.conn).map_err(sql)?,
            ..Known::default()
        };
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
        known.highest_erased = self
            .conn
            .query_row(
                "SELECT coalesce(max(CAST(value AS INTEGER)), 0) FROM shop_settings WHERE key = ?1",
                [super::HIGHEST_ERASED_KEY],
                |r| r.get(0),
            )
            .map_err(sql)?;
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
    /// Refused (nothing written) if the log moved past `expected_entry`; rolled back if
    /// `cancel` is set before the transaction commits. Returns the log entry's number, or
    /// `None` when cancelled.
    pub fn write_import(
        &mut self,
        merged: ImportRecords<'_>,
        expected_entry: i64,
        who: &Attribution,
        detail: String,
        cancel: Option<&std::sync::atomic::AtomicBool>,
    ) -> Result<Option<i64>, ApplyError> {
        let path = self.path.clone();
        let sql = |e: rusqlite::Error| ApplyError::Store(StoreError::sqlite(&path, e));
        let tx = self.begin_write(who, "import", true)?;
        let latest: i64 = tx
            .query_row("SELECT coalesce(max(id), 0) FROM audit_log", [], |r| {
                r.get(0)
            })
            .map_err(sql)?;
        if latest != expected_entry {
            return Err(ApplyError::Stale);
        }
        write_records(&tx, merged).map_err(sql)?;
        let mut body = EntryBody::event(SubjectEvent::new("import", None, detail));
        body.changes = merged.updates.to_vec();
        let id = append_entry(&tx, who, &body).map_err(sql)?;
        if cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed)) {
            // Dropping the transaction rolls every row back.
            return Ok(None);
        }
        tx.commit().map_err(sql)?;
        Ok(Some(id))
    }
}

fn write_records(conn: &Connection, merged: ImportRecords<'_>) -> rusqlite::Result<()> {
    let shop = merged.shop;
    let added = merged
        .new_customers
        .iter()
        .filter_map(|id| shop.customers.binary_search_by_key(id, |c| c.id).ok())
        .map(|i| &shop.customers[i]);
    super::write::insert_customers(conn, added)?;
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
    for &id in merged.since_moved {
        super::apply::write_customer(conn, shop, id)?;
        if let Ok(i) = shop.customers.binary_search_by_key(&id, |c| c.id) {
            conn.execute(
                "UPDATE customers SET since = ?1 WHERE id = ?2",
                params![shop.customers[i].since, id],
            )?;
        }
    }
    for a in merged.updates {
        if let crate::engine::changes::Change::Product { product, .. } = &a.change {
            super::apply::write_product(conn, shop, *product)?;
        }
    }
    let first_new_product = shop.products.len() - merged.new_products.len();
    super::write::insert_products(conn, shop.products[first_new_product..].iter())?;
    super::write::insert_orders(
        conn,
        &shop.orders[merged.first_new_order..],
        &shop.lines[merged.first_new_line..],
    )?;
    super::write::insert_consents(conn, &shop.consents[merged.first_new_consent..])?;
    super::write::insert_preferences(conn, &shop.preferences[merged.first_new_preference..])?;
    let mut key = conn.prepare(
        "INSERT INTO import_keys (kind, key, id) VALUES (?1, ?2, ?3)
         ON CONFLICT (kind, key) DO UPDATE SET id = excluded.id",
    )?;
    let hasher = super::keys::KeyHasher::of(conn)?;
    for (kind, k, id) in merged.new_keys {
        key.execute(params![kind.name(), hasher.stored_key(*kind, k), id])?;
    }
    // An import whose orders are newer than the shop's pinned day moves the pin; the first
    // prices a shop receives set its currency.
    super::write::write_settings(conn, &shop.settings)?;
    super::remember_former_emails(conn, merged.updates)
}
