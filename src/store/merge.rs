//! Writing a merge of two customer records (see [`crate::engine::merge`]) and its undo:
//! the rows the engine moved, plus what only the file holds: the import keys that
//! recognize the merged record in the next export, and who the audit log's values about it
//! belong to (so erasing the record kept erases them too).

use rusqlite::{Connection, params};
use serde_json::json;

use crate::engine::changes::{Applied, Change};
use crate::engine::merge::Split;
use crate::engine::model::Shop;

/// The import-key kinds that identify a customer.
const CUSTOMER_KEY_KINDS: &str = "('customer', 'former_customer')";

/// Writes a merge of `from` into `customer` as `after` holds it, and notes in the change's
/// before value the keys and log values its undo gives back.
pub(super) fn write_merge(
    conn: &Connection,
    after: &Shop,
    applied: &mut Applied,
    (customer, from): (i64, i64),
) -> rusqlite::Result<()> {
    let keys = moved_keys(conn, from)?;
    conn.execute(
        &format!("UPDATE import_keys SET id = ?1 WHERE id = ?2 AND kind IN {CUSTOMER_KEY_KINDS}"),
        params![customer, from],
    )?;
    let log_values = shared_log_values(conn, customer, from)?;
    conn.execute(
        "UPDATE orders SET customer = ?1 WHERE customer = ?2",
        params![customer, from],
    )?;
    conn.execute(
        "UPDATE consents SET customer = ?1 WHERE customer = ?2",
        params![customer, from],
    )?;
    conn.execute(
        "UPDATE preferences SET customer = ?1 WHERE customer = ?2",
        params![customer, from],
    )?;
    write_kept(conn, after, customer)?;
    conn.execute(
        "DELETE FROM field_sources WHERE customer = ?1",
        params![from],
    )?;
    conn.execute("DELETE FROM customers WHERE id = ?1", params![from])?;
    super::retire_customer_number(conn, from)?;
    applied.before["keys"] = json!(keys);
    applied.before["log_values"] = json!(log_values);
    Ok(())
}

/// Writes the undo of a merge: the removed record back, with its orders, consent
/// decisions, keys and log values.
pub(super) fn write_split(
    conn: &Connection,
    after: &Shop,
    customer: i64,
    split: &Split,
) -> rusqlite::Result<()> {
    let from = split.record.id;
    super::write::insert_customers(conn, std::iter::once(&split.record))?;
    for order in &split.orders {
        conn.execute(
            "UPDATE orders SET customer = ?1 WHERE id = ?2 AND customer = ?3",
            params![from, order, customer],
        )?;
    }
    delete_restated(conn, customer, &split.restated)?;
    give_back(conn, "consents", (customer, from), &split.consents)?;
    give_back(conn, "preferences", (customer, from), &split.preferences)?;
    for (kind, key) in &split.keys {
        conn.execute(
            "UPDATE import_keys SET id = ?1 WHERE kind = ?2 AND key = ?3 AND id = ?4",
            params![from, kind, key, customer],
        )?;
    }
    for value in &split.log_values {
        conn.execute(
            "DELETE FROM log_value_owners WHERE customer = ?1 AND value = ?2",
            params![customer, value],
        )?;
    }
    write_kept(conn, after, customer)
}

/// Writes a merge or its undo, whichever `applied` is.
pub(super) fn write(
    conn: &Connection,
    after: &Shop,
    applied: &mut Applied,
) -> rusqlite::Result<()> {
    match applied.change.clone() {
        Change::MergeCustomers { customer, from } => {
            write_merge(conn, after, applied, (customer, from))
        }
        Change::SplitCustomers {
            customer,
            split: Some(split),
        } => write_split(conn, after, customer, &split),
        _ => Ok(()),
    }
}

/// The kept record's fields, their sources and its "customer since", as `after` holds them.
fn write_kept(conn: &Connection, after: &Shop, customer: i64) -> rusqlite::Result<()> {
    super::apply::write_customer(conn, after, customer)?;
    if let Some(c) = after.customers.iter().find(|c| c.id == customer) {
        conn.execute(
            "UPDATE customers SET since = ?1 WHERE id = ?2",
            params![c.since, customer],
        )?;
    }
    Ok(())
}

/// The import keys of customer `from`, as (kind, stored key).
fn moved_keys(conn: &Connection, from: i64) -> rusqlite::Result<Vec<(String, String)>> {
    conn.prepare(&format!(
        "SELECT kind, key FROM import_keys WHERE id = ?1 AND kind IN {CUSTOMER_KEY_KINDS}
         ORDER BY kind, key"
    ))?
    .query_map(params![from], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}

/// Makes the audit log's values about `from` belong to `customer` as well, so that erasing
/// either erases them; returns the values given to `customer`.
fn shared_log_values(conn: &Connection, customer: i64, from: i64) -> rusqlite::Result<Vec<i64>> {
    let values: Vec<i64> = conn
        .prepare(
            "SELECT DISTINCT value FROM log_value_owners WHERE customer = ?1
             AND value NOT IN (SELECT value FROM log_value_owners WHERE customer = ?2)
             ORDER BY value",
        )?
        .query_map(params![from, customer], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for value in &values {
        conn.execute(
            "INSERT INTO log_value_owners (value, customer, field)
             SELECT value, ?1, field FROM log_value_owners WHERE customer = ?2 AND value = ?3",
            params![customer, from, value],
        )?;
    }
    Ok(values)
}

/// Deletes the consent decisions a merge recorded again for `customer`, at `places` among
/// their decisions in order of recording.
fn delete_restated(conn: &Connection, customer: i64, places: &[usize]) -> rusqlite::Result<()> {
    let theirs = rows_of(conn, "consents", customer)?;
    for &k in places {
        let id = theirs
            .get(k)
            .ok_or_else(|| not_held("consents", customer, k))?;
        conn.execute("DELETE FROM consents WHERE id = ?1", params![id])?;
    }
    Ok(())
}

/// A record a merge's undo expects at `place` among `customer`'s rows of `table` that the
/// file does not hold (changed behind Candor's back): the undo writes nothing.
fn not_held(table: &str, customer: i64, place: usize) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(std::io::Error::other(format!(
        "undoing the merge expects record {} of customer {customer}'s {table}, which the shop file does not hold",
        place + 1
    ))))
}

/// The ids of `customer`'s rows of `table`, in order of recording.
fn rows_of(conn: &Connection, table: &str, customer: i64) -> rusqlite::Result<Vec<i64>> {
    conn.prepare(&format!(
        "SELECT id FROM {table} WHERE customer = ?1 ORDER BY id"
    ))?
    .query_map(params![customer], |r| r.get(0))?
    .collect()
}

/// Gives the rows at `places` among `customer`'s rows of `table` (consents or preferences,
/// in order of recording) back to `from`.
fn give_back(
    conn: &Connection,
    table: &str,
    (customer, from): (i64, i64),
    places: &[usize],
) -> rusqlite::Result<()> {
    let theirs = rows_of(conn, table, customer)?;
    for &k in places {
        let id = theirs.get(k).ok_or_else(|| not_held(table, customer, k))?;
        conn.execute(
            &format!("UPDATE {table} SET customer = ?1 WHERE id = ?2"),
            params![from, id],
        )?;
    }
    Ok(())
}
