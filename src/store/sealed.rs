//! Personal values in the audit log, kept apart from the entries so that erasure never
//! rewrites an entry.
//!
//! When an entry is written, every value in it that is about a customer (their number,
//! the before and after values of their changes, where a corrected value came from, the
//! method and their own words of their consent decisions, the details of an event about them, and the entry's reason) is
//! replaced in the entry by a *seal*: `{"$sealed": id, "sha256": …, "erased": placeholder}`.
//! The value itself, with a random salt, goes to `log_values`, and `log_value_owners`
//! says whose it is (customer, and field where it is one field's value). The hash chain
//! covers the entries with their seals, so erasing a customer deletes their values and
//! leaves every entry, and the chain, exactly as written. Each seal commits to its value
//! (SHA-256 of salt and value), so a value changed behind Candor's back is detected, and
//! a value deleted other than by an erasure or purge (whose entries list what they
//! deleted) is detected too.

use std::collections::{BTreeSet, HashMap};

use rusqlite::{Connection, params};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::engine::model::{ERASED_CUSTOMER, PersonalField};

/// What a value that was erased reads as.
pub const ERASED: &str = "[erased]";

/// The key that marks a seal in an entry's JSON.
const SEAL: &str = "$sealed";

/// Who a sealed value belongs to: a customer, and the field when it is one field's value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Owner {
    /// The customer's number.
    pub customer: i64,
    /// The field key (`email`, `consents`, …), or `None` for anything about them.
    pub field: Option<String>,
}

/// A value as kept in `log_values`.
#[derive(Clone, Debug)]
pub struct Kept {
    salt: String,
    value: String,
}

/// The values of the log, by id.
pub type Values = HashMap<i64, Kept>;

/// The commitment to a value: SHA-256 of the length-prefixed salt and value, in hex.
fn commitment(salt: &str, value: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [salt, value] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn fresh_salt() -> rusqlite::Result<String> {
    let mut salt = [0u8; 16];
    getrandom(&mut salt)?;
    Ok(hex(&salt))
}

fn getrandom(buf: &mut [u8]) -> rusqlite::Result<()> {
    use password_hash::rand_core::{OsRng, RngCore};
    OsRng.try_fill_bytes(buf).map_err(|e| {
        rusqlite::Error::ToSqlConversionFailure(Box::new(std::io::Error::other(e.to_string())))
    })
}

/// Keeps `value` for `owners` and returns the seal that stands for it in an entry;
/// `placeholder` is what the entry reads once the value is erased.
fn seal(
    conn: &Connection,
    value: &Value,
    placeholder: &Value,
    owners: &BTreeSet<Owner>,
) -> rusqlite::Result<Value> {
    let text = value.to_string();
    let salt = fresh_salt()?;
    conn.execute(
        "INSERT INTO log_values (salt, value) VALUES (?1, ?2)",
        params![salt, text],
    )?;
    let id = conn.last_insert_rowid();
    let mut stmt = conn.prepare_cached(
        "INSERT INTO log_value_owners (value, customer, field) VALUES (?1, ?2, ?3)",
    )?;
    for o in owners {
        stmt.execute(params![id, o.customer, o.field])?;
    }
    Ok(json!({ SEAL: id, "sha256": commitment(&salt, &text), "erased": placeholder }))
}

/// The customer a change in an entry is about, with the field it touches (`None`: the
/// whole record).
fn change_owner(applied: &Value) -> Option<Owner> {
    let change = applied.get("change")?;
    let customer = change.get("customer")?.as_i64().filter(|&c| c != 0)?;
    // A change about one field of the customer names it; any other change about a
    // customer (a merge, a new customer, …) is about the whole record, so a kind added
    // later is sealed for them rather than left in the clear.
    let field = match change.get("kind")?.as_str()? {
        "consent" => Some("consents".to_owned()),
        "preference" => Some("preferences".to_owned()),
        _ => change
            .get("field")
            .and_then(Value::as_str)
            .map(str::to_owned),
    };
    Some(Owner { customer, field })
}

/// The other record a merge (or its undo) is about: its values belong to both, so that
/// erasing either erases them.
fn merged_owner(applied: &Value) -> Option<Owner> {
    let change = applied.get("change")?;
    let other = change
        .get("from")
        .and_then(Value::as_i64)
        .or_else(|| change.pointer("/split/record/id")?.as_i64())?;
    Some(Owner {
        customer: other,
        field: None,
    })
}

/// Seals the personal values of an entry's JSON in place and returns everyone it is about
/// (the owners its reason is sealed for).
pub fn seal_body(conn: &Connection, body: &mut Value) -> rusqlite::Result<BTreeSet<Owner>> {
    let mut about = BTreeSet::new();
    if let Some(changes) = body.get_mut("changes").and_then(Value::as_array_mut) {
        for applied in changes {
            let Some(owner) = change_owner(applied) else {
                continue;
            };
            let mut mine = BTreeSet::from([owner.clone()]);
            // Their number goes only with them, not with a purge of one field.
            let mut whole = BTreeSet::from([Owner {
                customer: owner.customer,
                field: None,
            }]);
            if let Some(other) = merged_owner(applied) {
                mine.insert(other.clone());
                whole.insert(other.clone());
                about.insert(other);
            }
            if let Some(slot) = applied.pointer_mut("/change/customer") {
                *slot = seal(conn, slot, &json!(ERASED_CUSTOMER), &whole)?;
            }
            if let Some(slot) = applied.pointer_mut("/change/from") {
                *slot = seal(conn, slot, &json!(ERASED_CUSTOMER), &whole)?;
            }
            for (pointer, placeholder) in [
                ("/change/split", Value::Null),
                ("/change/preference", Value::Null),
                ("/change/fields", json!({})),
                ("/change/consents", json!([])),
                ("/change/value", json!(ERASED)),
                ("/change/source", Value::Null),
                ("/change/method", json!(ERASED)),
                ("/change/words", json!(ERASED)),
                ("/before", json!(ERASED)),
                ("/after", json!(ERASED)),
            ] {
                if let Some(slot) = applied.pointer_mut(pointer)
                    && !slot.is_null()
                {
                    *slot = seal(conn, slot, &placeholder, &mine)?;
                }
            }
            about.insert(owner);
        }
    }
    if let Some(event) = body.get_mut("event")
        && let Some(customer) = event.get("customer").and_then(Value::as_i64)
    {
        let owner = Owner {
            customer,
            field: None,
        };
        let mine = BTreeSet::from([owner.clone()]);
        event["detail"] = seal(conn, &event["detail"], &json!(ERASED), &mine)?;
        if let Some(files) = event.get_mut("files")
            && !files.is_null()
        {
            *files = seal(conn, files, &json!([]), &mine)?;
        }
        event["customer"] = seal(conn, &event["customer"], &Value::Null, &mine)?;
        about.insert(owner);
    }
    Ok(about)
}

/// Seals an entry's reason for `owners`: the text the `reason` column then holds.
pub fn seal_reason(
    conn: &Connection,
    reason: &str,
    owners: &BTreeSet<Owner>,
) -> rusqlite::Result<String> {
    Ok(seal(conn, &json!(reason), &json!(ERASED), owners)?.to_string())
}

/// Every value the log keeps.
pub fn load_values(conn: &Connection) -> rusqlite::Result<Values> {
    let mut stmt = conn.prepare("SELECT id, salt, value FROM log_values")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            Kept {
                salt: r.get(1)?,
                value: r.get(2)?,
            },
        ))
    })?;
    rows.collect()
}

/// A seal found in an entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealRef {
    /// The value's id.
    pub id: i64,
    /// The commitment the entry holds.
    pub sha256: String,
}

fn as_seal(v: &Value) -> Option<SealRef> {
    let id = v.get(SEAL)?.as_i64()?;
    let sha256 = v.get("sha256")?.as_str()?.to_owned();
    Some(SealRef { id, sha256 })
}

/// Every seal in an entry's JSON.
pub fn seals_in(body: &Value, out: &mut Vec<SealRef>) {
    if let Some(s) = as_seal(body) {
        out.push(s);
        return;
    }
    match body {
        Value::Array(items) => items.iter().for_each(|v| seals_in(v, out)),
        Value::Object(map) => map.values().for_each(|v| seals_in(v, out)),
        _ => {}
    }
}

/// The seal a `reason` column holds, if it holds one.
pub fn reason_seal(reason: &str) -> Option<SealRef> {
    reason
        .starts_with('{')
        .then(|| serde_json::from_str::<Value>(reason).ok())
        .flatten()
        .as_ref()
        .and_then(as_seal)
}

/// Whether a kept value still matches the seal's commitment.
pub fn matches(values: &Values, seal: &SealRef) -> Option<bool> {
    values
        .get(&seal.id)
        .map(|k| commitment(&k.salt, &k.value) == seal.sha256)
}

/// The kept value a seal stands for, only when it matches the seal's commitment.
fn opened(values: &Values, seal: &SealRef) -> Option<Value> {
    let kept = values.get(&seal.id)?;
    (commitment(&kept.salt, &kept.value) == seal.sha256)
        .then(|| serde_json::from_str(&kept.value).ok())
        .flatten()
}

/// Replaces every seal in `body` by its value, or by its placeholder once erased (or when
/// the kept value no longer matches the seal, which `log --verify` reports); true when
/// any seal got its placeholder.
pub fn open_body(body: &mut Value, values: &Values) -> bool {
    if let Some(s) = as_seal(body) {
        let placeholder = body.get("erased").cloned().unwrap_or(Value::Null);
        let value = opened(values, &s);
        let erased = value.is_none();
        *body = value.unwrap_or(placeholder);
        return erased;
    }
    // Every seal is opened, so no `any`: it would stop at the first erased one.
    let mut erased = false;
    match body {
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| erased |= open_body(v, values)),
        Value::Object(map) => map
            .values_mut()
            .for_each(|v| erased |= open_body(v, values)),
        _ => {}
    }
    erased
}

/// The reason as it reads: the sealed text, or [`ERASED`] once erased.
pub fn open_reason(reason: &str, values: &Values) -> String {
    match reason_seal(reason) {
        Some(s) => opened(values, &s)
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| ERASED.to_owned()),
        None => reason.to_owned(),
    }
}

/// Deletes the values kept for `customer` (only those of `field`, when given: see
/// [`values_of_field`]), including values kept for several people among whom they are;
/// returns the ids deleted.
pub fn delete_values(
    conn: &Connection,
    customer: i64,
    field: Option<&str>,
) -> rusqlite::Result<Vec<i64>> {
    let ids = match field {
        Some(field) => values_of_field(conn, customer, field)?,
        None => conn
            .prepare_cached(
                "SELECT DISTINCT value FROM log_value_owners WHERE customer = ?1 ORDER BY value",
            )?
            .query_map(params![customer], |r| r.get(0))?
            .collect::<Result<_, _>>()?,
    };
    let mut delete_owners = conn.prepare_cached("DELETE FROM log_value_owners WHERE value = ?1")?;
    let mut delete_value = conn.prepare_cached("DELETE FROM log_values WHERE id = ?1")?;
    for id in &ids {
        delete_owners.execute(params![id])?;
        delete_value.execute(params![id])?;
    }
    Ok(ids)
}

/// The ids of the values the log keeps of `customer`'s `field` (a key): those sealed for
/// that field (its values and the reasons of entries that changed it), and, for a
/// single-value field ([`PersonalField::VALUES`]), the values about their whole record
/// that hold it (see [`holds_field`]), which go whole. Their number is never among them.
pub fn values_of_field(
    conn: &Connection,
    customer: i64,
    field: &str,
) -> rusqlite::Result<Vec<i64>> {
    let mut ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT DISTINCT value FROM log_value_owners WHERE customer = ?1 AND field = ?2",
        )?
        .query_map(params![customer, field], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if !PersonalField::VALUES.iter().any(|f| f.key() == field) {
        return Ok(ids);
    }
    let mut whole = conn.prepare_cached(
        "SELECT DISTINCT v.id, v.value FROM log_values v JOIN log_value_owners o ON o.value = v.id
         WHERE o.customer = ?1 AND o.field IS NULL",
    )?;
    let records = whole.query_map(params![customer], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    for record in records {
        let (id, text) = record?;
        if serde_json::from_str::<Value>(&text).is_ok_and(|v| holds_field(&v, field)) {
            ids.push(id);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Whether a value kept about a whole record holds the single-value field `field`: a new
/// customer's details (`{"name": …, "phone": …}`), or a record a merge removed or kept
/// (`{"record": {…}, …}`). Nothing else in such a value is a personal field (a merge's
/// `preferences` are places in a list, not what the customer said).
fn holds_field(value: &Value, field: &str) -> bool {
    if !PersonalField::VALUES.iter().any(|f| f.key() == field) {
        return false;
    }
    let has = |v: &Value| v.get(field).is_some_and(|x| !x.is_null());
    has(value) || value.get("record").is_some_and(has)
}

#[cfg(test)]
mod tests {
    use super::holds_field;
    use serde_json::json;

    #[test]
    fn only_a_records_personal_fields_count_as_holding_a_field() {
        let merge = json!({"preferences": [], "consents": [0], "filled": ["phone"],
            "record": {"id": 57, "phone": "07700 900153", "email": null}});
        assert!(holds_field(&merge, "phone"));
        assert!(!holds_field(&merge, "email"), "a blank field is not held");
        assert!(
            !holds_field(&merge, "preferences"),
            "places are not preferences"
        );
        let details = json!({"name": "Zed Quorra", "phone": "07700 988888"});
        assert!(holds_field(&details, "name"));
        assert!(!holds_field(&json!(57), "name"), "a number holds no field");
    }
}
