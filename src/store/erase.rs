//! The right to erasure: one transaction removes a customer's record, field sources and
//! consents, keeps their orders without their name (for the accounts), and redacts their
//! values from earlier audit-log entries; then the file is rewritten so none of the erased
//! bytes survive in free pages or the write-ahead log.

use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::engine::model::PersonalField;

use super::apply::{ApplyError, Attribution, EntryBody, SubjectEvent, append_entry};
use super::{Store, StoreError};

/// What takes the place of an erased value in the audit log.
pub const ERASED: &str = "[erased]";

/// What an erasure did.
#[derive(Clone, Debug, Serialize)]
pub struct Erased {
    /// The audit-log entry recording it.
    pub entry: i64,
    /// The pseudonymous reference the log keeps instead of the customer.
    pub reference: String,
    /// Orders kept for bookkeeping, now attached to no one.
    pub orders_anonymized: usize,
    /// Consent records removed.
    pub consents_removed: usize,
    /// Earlier audit-log entries from which the customer's values were removed.
    pub entries_redacted: Vec<i64>,
}

/// A reference that stands for the erased customer in the log and cannot be turned back
/// into their number: a hash of the number, the time and the process.
/// Moves the customer's import keys (already one-way hashes) and the hash of their email to
/// the erased keys, so a later import of an old export recognizes them and does not bring
/// their data back.
fn forget_import_keys(conn: &Connection, customer: i64) -> rusqlite::Result<()> {
    use crate::import::keys::{KeyKind, erased_key_hash};
    conn.execute(
        "INSERT OR IGNORE INTO erased_keys (key_hash)
         SELECT key FROM import_keys WHERE kind = 'customer' AND id = ?1",
        params![customer],
    )?;
    let email: Option<String> = conn.query_row(
        "SELECT email FROM customers WHERE id = ?1",
        params![customer],
        |r| r.get(0),
    )?;
    if let Some(email) = email {
        conn.execute(
            "INSERT OR IGNORE INTO erased_keys (key_hash) VALUES (?1)",
            params![erased_key_hash(
                KeyKind::Customer,
                &format!("email:{}", email.to_lowercase())
            )],
        )?;
    }
    conn.execute(
        "DELETE FROM import_keys WHERE kind = 'customer' AND id = ?1",
        params![customer],
    )?;
    Ok(())
}

fn pseudonym(customer: i64) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let digest = Sha256::digest(format!("{customer}:{nanos}:{}", std::process::id()));
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("erased-{hex}")
}

/// The customer's current personal values (what must not survive anywhere in the file).
fn current_values(conn: &Connection, customer: i64) -> rusqlite::Result<Option<Vec<String>>> {
    let columns: Vec<&str> = PersonalField::VALUES.iter().map(|f| f.key()).collect();
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM customers WHERE id = ?1",
        columns.join(", ")
    ))?;
    let mut rows = stmt.query(params![customer])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let mut values = Vec::new();
    for i in 0..columns.len() {
        if let Some(v) = row.get::<_, Option<String>>(i)?
            && !v.trim().is_empty()
        {
            values.push(v);
        }
    }
    Ok(Some(values))
}

/// Removes what the log's entry JSON says about `customer` by structure: the before and
/// after values and new value of their changes, their number, and their events' details.
fn redact_customer(body: &mut Value, customer: i64) {
    if let Some(changes) = body.get_mut("changes").and_then(Value::as_array_mut) {
        for applied in changes {
            if applied.pointer("/change/customer").and_then(Value::as_i64) != Some(customer) {
                continue;
            }
            for key in ["before", "after"] {
                applied[key] = Value::String(ERASED.to_owned());
            }
            if let Some(value) = applied.pointer_mut("/change/value")
                && !value.is_null()
            {
                *value = Value::String(ERASED.to_owned());
            }
            applied["change"]["customer"] = Value::from(0);
        }
    }
    if let Some(event) = body.get_mut("event")
        && event.get("customer").and_then(Value::as_i64) == Some(customer)
    {
        event["customer"] = Value::Null;
        event["detail"] = Value::String(ERASED.to_owned());
    }
}

/// `text` with every occurrence of `values` replaced by [`ERASED`]; `json` when the text
/// is JSON, where values appear escaped.
fn scrub(text: &str, values: &[String], json: bool) -> String {
    let mut out = text.to_owned();
    for v in values.iter().filter(|v| !v.trim().is_empty()) {
        let escaped = serde_json::to_string(v).unwrap_or_default();
        let needle = if json {
            escaped.get(1..escaped.len().saturating_sub(1)).unwrap_or(v)
        } else {
            v.as_str()
        };
        out = out.replace(needle, ERASED);
    }
    out
}

/// Rewrites every audit-log entry: first by structure (`redact`), then by scrubbing
/// `values` from the entry and its reason; returns the entries changed.
fn rewrite_log(
    conn: &Connection,
    values: &[String],
    redact: impl Fn(&mut Value),
) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare("SELECT id, reason, entry FROM audit_log ORDER BY id")?;
    let rows: Vec<(i64, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut changed = Vec::new();
    for (id, reason, entry) in rows {
        let structured = serde_json::from_str::<Value>(&entry)
            .ok()
            .and_then(|mut body| {
                let before = body.clone();
                redact(&mut body);
                (body != before).then(|| serde_json::to_string(&body).ok())?
            })
            .unwrap_or_else(|| entry.clone());
        let (new_entry, new_reason) = (
            scrub(&structured, values, true),
            scrub(&reason, values, false),
        );
        if new_entry != entry || new_reason != reason {
            conn.execute(
                "UPDATE audit_log SET entry = ?1, reason = ?2 WHERE id = ?3",
                params![new_entry, new_reason, id],
            )?;
            changed.push(id);
        }
    }
    Ok(changed)
}

/// What a retention purge did.
#[derive(Clone, Debug, Serialize)]
pub struct Purged {
    /// The audit-log entry recording it.
    pub entry: i64,
    /// Values deleted, per field key.
    pub fields: Vec<(String, usize)>,
    /// Earlier audit-log entries from which those values were removed.
    pub entries_redacted: Vec<i64>,
}

impl Store {
    /// Starts a write that removes personal data: refused unattributed, read-only, or
    /// while the log is not intact (the removal re-seals it and would hide tampering). The
    /// log is checked inside the write's own transaction, so nothing can be appended between
    /// the check and the removal; deleted cells are overwritten (`secure_delete`).
    fn begin_removal(
        &mut self,
        who: &Attribution,
        action: &'static str,
    ) -> Result<rusqlite::Transaction<'_>, ApplyError> {
        let path = self.path.clone();
        let sql = |e: rusqlite::Error| ApplyError::Store(StoreError::sqlite(&path, e));
        let tx = self.begin_write(who, action)?;
        let report = super::chain::verify(&tx).map_err(sql)?;
        if let Some(problem) = report.problem {
            return Err(ApplyError::LogNotIntact(problem));
        }
        tx.pragma_update(None, "secure_delete", true).map_err(sql)?;
        Ok(tx)
    }

    /// Deletes each (customer, field) of `plan` (fields past their retention period) in
    /// one logged transaction, removes the deleted values from earlier audit-log
    /// entries, and rewrites the file so they are gone from its bytes.
    pub fn purge(
        &mut self,
        plan: &[(i64, PersonalField)],
        who: &Attribution,
    ) -> Result<Purged, ApplyError> {
        let path = self.path.clone();
        let sql = |e: rusqlite::Error| ApplyError::Store(StoreError::sqlite(&path, e));
        let tx = self.begin_removal(who, "purge data past its retention period")?;
        let mut values = Vec::new();
        let mut counts: Vec<(String, usize)> = Vec::new();
        for &(customer, field) in plan {
            if !PersonalField::VALUES.contains(&field) {
                continue;
            }
            let col = field.key();
            let value: Option<String> = tx
                .query_row(
                    &format!("SELECT {col} FROM customers WHERE id = ?1"),
                    params![customer],
                    |r| r.get(0),
                )
                .map_err(sql)?;
            let Some(value) = value else { continue };
            tx.execute(
                &format!("UPDATE customers SET {col} = NULL WHERE id = ?1"),
                params![customer],
            )
            .map_err(sql)?;
            tx.execute(
                "DELETE FROM field_sources WHERE customer = ?1 AND field = ?2",
                params![customer, field.key()],
            )
            .map_err(sql)?;
            values.push(value);
            match counts.iter_mut().find(|(k, _)| k == field.key()) {
                Some((_, n)) => *n += 1,
                None => counts.push((field.key().to_owned(), 1)),
            }
        }
        let entries_redacted = rewrite_log(&tx, &values, |_| {}).map_err(sql)?;
        let summary: Vec<String> = counts.iter().map(|(f, n)| format!("{f}: {n}")).collect();
        let body = EntryBody {
            changes: Vec::new(),
            impact: None,
            undoes: None,
            event: Some(SubjectEvent {
                kind: "retention_purge".to_owned(),
                customer: None,
                reference: None,
                detail: format!(
                    "deleted values past their retention period ({}); values removed from audit-log entries {entries_redacted:?}",
                    if summary.is_empty() {
                        "none".to_owned()
                    } else {
                        summary.join(", ")
                    }
                ),
            }),
        };
        let entry = append_entry(&tx, who, &body).map_err(sql)?;
        if !entries_redacted.is_empty() {
            super::chain::rechain_all(&tx).map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        self.compact().map_err(sql)?;
        Ok(Purged {
            entry,
            fields: counts,
            entries_redacted,
        })
    }

    /// Erases customer `customer`: see the module documentation. Refused when the audit
    /// log is not intact (erasing would re-seal it and hide the tampering).
    pub fn erase(&mut self, customer: i64, who: &Attribution) -> Result<Erased, ApplyError> {
        let path = self.path.clone();
        let sql = |e: rusqlite::Error| ApplyError::Store(StoreError::sqlite(&path, e));
        let tx = self.begin_removal(who, "erase a customer")?;
        let values = current_values(&tx, customer)
            .map_err(sql)?
            .ok_or(ApplyError::NoSuchCustomer(customer))?;
        let reference = pseudonym(customer);
        let orders_anonymized = tx
            .execute(
                "UPDATE orders SET customer = NULL WHERE customer = ?1",
                params![customer],
            )
            .map_err(sql)?;
        let consents_removed = tx
            .execute(
                "DELETE FROM consents WHERE customer = ?1",
                params![customer],
            )
            .map_err(sql)?;
        tx.execute(
            "DELETE FROM field_sources WHERE customer = ?1",
            params![customer],
        )
        .map_err(sql)?;
        forget_import_keys(&tx, customer).map_err(sql)?;
        tx.execute("DELETE FROM customers WHERE id = ?1", params![customer])
            .map_err(sql)?;
        let entries_redacted =
            rewrite_log(&tx, &values, |body| redact_customer(body, customer)).map_err(sql)?;
        let detail = format!(
            "personal data erased; {orders_anonymized} order(s) kept without a name for bookkeeping; {consents_removed} consent record(s) removed; values removed from audit-log entries {entries_redacted:?}"
        );
        let body = EntryBody {
            changes: Vec::new(),
            impact: None,
            undoes: None,
            event: Some(SubjectEvent {
                kind: "erasure".to_owned(),
                customer: None,
                reference: Some(reference.clone()),
                detail,
            }),
        };
        let mut scrubbed = who.clone();
        scrubbed.reason = scrub(&who.reason, &values, false);
        let entry = append_entry(&tx, &scrubbed, &body).map_err(sql)?;
        if !entries_redacted.is_empty() {
            super::chain::rechain_all(&tx).map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        self.compact().map_err(sql)?;
        Ok(Erased {
            entry,
            reference,
            orders_anonymized,
            consents_removed,
            entries_redacted,
        })
    }

    /// Rewrites the file without free pages and empties the write-ahead log, so deleted
    /// bytes are gone from both.
    fn compact(&self) -> rusqlite::Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        self.conn.execute_batch("VACUUM")?;
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
    }
}
