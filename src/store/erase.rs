//! The right to erasure, and purging data past its retention period. One transaction
//! removes the customer's record, field sources, consents and every key they were known
//! by (moved to the erased keys, so an old export cannot bring them back), keeps their
//! orders without their name (for the accounts), and deletes their personal values from
//! the audit log's value store (see [`super::sealed`]): no entry is rewritten, so the log
//! reads, verifies and undoes as before. Then the file is rewritten so none of the erased
//! bytes survive in free pages or the write-ahead log.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::engine::model::PersonalField;

use super::apply::{ApplyError, Attribution, EntryBody, SubjectEvent, append_entry};
use super::{Store, StoreError};

pub use super::sealed::ERASED;

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
    /// Personal values removed from the audit log's value store.
    pub log_values_removed: usize,
    /// Files written at the customer's request that the log records (access exports):
    /// they are outside the shop file, so delete them too.
    pub files_written: Vec<String>,
    /// Exports of every customer's recommendations, which may hold this customer's name and
    /// email address.
    pub bulk_exports: Vec<String>,
    /// Copies Candor kept before upgrading the shop file (`FILE.vN-backup`) or before an
    /// import (`FILE.import-N-backup`): they hold
    /// the customer as they were, so erase from them or delete them too.
    pub backups: Vec<PathBuf>,
}

impl Erased {
    /// What was done and what is left to do, in words, for the person who erased.
    pub fn summary(&self) -> String {
        let mut text = format!(
            "Erased and recorded as audit-log entry {} under the reference {}: {} {} kept without a name for bookkeeping, {} consent {} removed, {} personal {} removed from earlier audit-log entries.",
            self.entry,
            self.reference,
            self.orders_anonymized,
            plural(self.orders_anonymized, "order", "orders"),
            self.consents_removed,
            plural(self.consents_removed, "record", "records"),
            self.log_values_removed,
            plural(self.log_values_removed, "value", "values"),
        );
        if !self.files_written.is_empty() {
            text.push_str(&format!(
                " Files written at their request are outside the shop file; delete them too: {}.",
                self.files_written.join(", ")
            ));
        }
        if !self.bulk_exports.is_empty() {
            text.push_str(&format!(
                " Exports of every customer's recommendations may hold them too; delete or redo them: {}.",
                self.bulk_exports.join(", ")
            ));
        }
        if !self.backups.is_empty() {
            let names: Vec<String> = self
                .backups
                .iter()
                .map(|b| b.display().to_string())
                .collect();
            text.push_str(&format!(
                " Copies Candor kept (before upgrading the shop file, or before an import) still hold this customer as they were; delete them (or erase the customer from them too): {}.",
                names.join(", ")
            ));
        }
        text
    }
}

/// What a retention purge did.
#[derive(Clone, Debug, Serialize)]
pub struct Purged {
    /// The audit-log entry recording it.
    pub entry: i64,
    /// Values deleted, per field key.
    pub fields: Vec<(String, usize)>,
    /// Personal values removed from the audit log's value store.
    pub log_values_removed: usize,
}

/// Moves every key the customer was known by (import keys and earlier emails, already
/// one-way hashes) and the hash of their current email to the erased keys, so a later
/// import of an old export recognizes them and does not bring their data back.
fn forget_keys(conn: &Connection, customer: i64) -> rusqlite::Result<()> {
    use super::keys::{KeyHasher, KeyKind};
    let hasher = KeyHasher::of(conn)?;
    conn.execute(
        "INSERT OR IGNORE INTO erased_keys (key_hash)
         SELECT key FROM import_keys WHERE kind IN ('customer', ?2) AND id = ?1",
        params![customer, super::FORMER_KEY_KIND],
    )?;
    // None for a number no longer in the shop (a new customer taken back).
    let (email, phone): (Option<String>, Option<String>) = conn
        .query_row(
            "SELECT email, phone FROM customers WHERE id = ?1",
            params![customer],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or_default();
    // An export without their email may still know them by their phone.
    let keys = [
        email.map(|e| format!("email:{}", e.to_lowercase())),
        phone
            .as_deref()
            .and_then(super::keys::phone_key)
            .map(|p| format!("phone:{p}")),
    ];
    for key in keys.into_iter().flatten() {
        conn.execute(
            "INSERT OR IGNORE INTO erased_keys (key_hash) VALUES (?1)",
            params![hasher.hash(KeyKind::Customer, &key)],
        )?;
    }
    conn.execute(
        "DELETE FROM import_keys WHERE kind IN ('customer', ?2) AND id = ?1",
        params![customer, super::FORMER_KEY_KIND],
    )?;
    Ok(())
}

/// A reference that stands for the erased customer in the log and cannot be turned back
/// into their number: a hash of the number, the time and the process.
fn pseudonym(customer: i64) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let digest = Sha256::digest(format!("{customer}:{nanos}:{}", std::process::id()));
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("erased-{hex}")
}

/// The other numbers the same person had: a new customer taken back by an undo and added
/// again by undoing that undo gets a new number, while the log keeps their details under
/// the old one too. Follows such chains both ways from `customer`.
fn same_person_numbers(log: &[super::LogEntry], customer: i64) -> Vec<i64> {
    use crate::engine::changes::Change;
    // Pairs (number added again, number taken back) from each undo of a take-back.
    let links: Vec<(i64, i64)> = (log.iter())
        .filter_map(|e| {
            let taken_back = log.iter().find(|x| Some(x.id) == e.undoes)?;
            let added = e.changes.iter().find_map(|a| match a.change {
                Change::NewCustomer {
                    customer: Some(n), ..
                } => Some(n),
                _ => None,
            })?;
            let removed = taken_back.changes.iter().find_map(|a| match a.change {
                Change::CustomerRemoved { customer: m } => Some(m),
                _ => None,
            })?;
            Some((added, removed))
        })
        .collect();
    let mut found = vec![customer];
    let mut i = 0;
    while let Some(&n) = found.get(i) {
        for &(a, b) in &links {
            for (x, y) in [(a, b), (b, a)] {
                if x == n && !found.contains(&y) {
                    found.push(y);
                }
            }
        }
        i += 1;
    }
    found.remove(0);
    found
}

/// Whether customer number `customer` owns values kept by the audit log.
fn owns_log_values(conn: &Connection, customer: i64) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM log_value_owners WHERE customer = ?1)",
        params![customer],
        |r| r.get(0),
    )
}

/// The customer's current personal values, and the parts of their name.
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
        if let Some(v) = row.get::<_, Option<String>>(i)? {
            values.extend(v.split_whitespace().map(str::to_owned));
            values.push(v);
        }
    }
    Ok(Some(values))
}

/// `text` without the customer's values (of three characters or more: shorter ones, such
/// as a gender's "m", would cut words apart and identify nobody) or their number after
/// "customer", "no." or "#".
pub fn scrub(text: &str, values: &[String], customer: i64) -> String {
    let mut out = text.to_owned();
    let mut values: Vec<&String> = values.iter().filter(|v| v.trim().len() >= 3).collect();
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    for v in values {
        out = replace_ignoring_case(&out, v, ERASED);
    }
    for prefix in [
        "customer number ",
        "customer no. ",
        "customer #",
        "customer ",
        "no. ",
        "#",
    ] {
        out = replace_ignoring_case(
            &out,
            &format!("{prefix}{customer}"),
            &format!("{prefix}{ERASED}"),
        );
    }
    out
}

fn replace_ignoring_case(text: &str, needle: &str, with: &str) -> String {
    let lower = text.to_lowercase();
    let wanted = needle.to_lowercase();
    if wanted.is_empty() || lower.len() != text.len() {
        return text.replace(needle, with);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (at, _) in lower.match_indices(&wanted) {
        if at < rest {
            continue;
        }
        out.push_str(&text[rest..at]);
        out.push_str(with);
        rest = at + wanted.len();
    }
    out.push_str(&text[rest..]);
    out
}

/// The backups of the shop file at `path` that exist: upgrade backups
/// (`shop.candor.v6-backup`), the copies kept before imports (`shop.candor.import-12-backup`)
/// and any copy an import was killed while making (`.shop.candor.import-pending-PID`).
pub fn upgrade_backups(path: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Vec::new();
    };
    let prefix = format!("{}.", name.to_string_lossy());
    let pending = format!(".{}.import-pending-", name.to_string_lossy());
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            (n.starts_with(&prefix) && n.ends_with("-backup")) || n.starts_with(&pending)
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

impl Store {
    /// Starts a write that removes personal data; deleted cells are overwritten
    /// (`secure_delete`). No entry is rewritten, so a log that is not intact stays visibly
    /// so: the removal cannot hide tampering.
    fn begin_removal(
        &mut self,
        who: &Attribution,
        action: &'static str,
    ) -> Result<rusqlite::Transaction<'_>, ApplyError> {
        let path = self.path.clone();
        let tx = self.begin_write(who, action, true)?;
        tx.pragma_update(None, "secure_delete", true)
            .map_err(|e| ApplyError::Store(StoreError::sqlite(&path, e)))?;
        Ok(tx)
    }

    /// How many of these (customer, field) pairs have earlier values kept in the audit log
    /// (to undo the changes that replaced or deleted them, or in a record a merge or a new
    /// customer's entry keeps: see [`super::sealed::values_of_field`]).
    pub fn fields_in_log(&self, pairs: &[(i64, PersonalField)]) -> Result<usize, StoreError> {
        let mut total = 0;
        for &(customer, field) in pairs {
            let kept = super::sealed::values_of_field(&self.conn, customer, field.key())
                .map_err(|e| StoreError::sqlite(&self.path, e))?;
            total += usize::from(!kept.is_empty());
        }
        Ok(total)
    }

    /// Deletes each (customer, field) of `plan` (fields past their retention period, held
    /// now or not) and their values in the audit log, in one logged transaction, and
    /// rewrites the file so they are gone from its bytes. Only values held now are counted
    /// as deleted fields; the log's values are counted apart.
    pub fn purge(
        &mut self,
        plan: &[(i64, PersonalField)],
        who: &Attribution,
    ) -> Result<Purged, ApplyError> {
        let path = self.path.clone();
        let sql = |e: rusqlite::Error| ApplyError::Store(StoreError::sqlite(&path, e));
        let tx = self.begin_removal(who, "purge data past its retention period")?;
        let mut counts: Vec<(String, usize)> = Vec::new();
        let mut erased_values = Vec::new();
        for &(customer, field) in plan {
            let held = purge_one(&tx, customer, field).map_err(sql)?;
            erased_values.extend(
                super::sealed::delete_values(&tx, customer, Some(field.key())).map_err(sql)?,
            );
            if !held {
                continue;
            }
            match counts.iter_mut().find(|(k, _)| k == field.key()) {
                Some((_, n)) => *n += 1,
                None => counts.push((field.key().to_owned(), 1)),
            }
        }
        let summary: Vec<String> = (counts.iter())
            .map(|(f, n)| format!("{}: {n}", crate::engine::fields::key_in_words(f)))
            .collect();
        let mut event = SubjectEvent::new(
            "retention_purge",
            None,
            format!(
                "deleted values past their retention period ({}); {} personal values removed from earlier audit-log entries",
                if summary.is_empty() {
                    "none".to_owned()
                } else {
                    summary.join(", ")
                },
                erased_values.len()
            ),
        );
        let log_values_removed = erased_values.len();
        event.erased_values = erased_values;
        let entry = append_entry(&tx, who, &EntryBody::event(event)).map_err(sql)?;
        tx.commit().map_err(sql)?;
        self.compact().map_err(sql)?;
        Ok(Purged {
            entry,
            fields: counts,
            log_values_removed,
        })
    }

    /// Erases customer `customer`: see the module documentation.
    pub fn erase(&mut self, customer: i64, who: &Attribution) -> Result<Erased, ApplyError> {
        let files_written = self.files_written_for(customer)?;
        let earlier_numbers = same_person_numbers(&self.log()?, customer);
        let bulk_exports = self.bulk_exports()?;
        let path = self.path.clone();
        let sql = |e: rusqlite::Error| ApplyError::Store(StoreError::sqlite(&path, e));
        let tx = self.begin_removal(who, "erase a customer")?;
        // A number no longer in the shop (a new customer taken back by undo) may still own
        // sealed values in the log: erasing it removes those.
        let values = match current_values(&tx, customer).map_err(sql)? {
            Some(values) => values,
            None if owns_log_values(&tx, customer).map_err(sql)? => Vec::new(),
            None => return Err(ApplyError::NoSuchCustomer(customer)),
        };
        let (orders_anonymized, consents_removed) = remove_customer(&tx, customer).map_err(sql)?;
        let mut erased_values = super::sealed::delete_values(&tx, customer, None).map_err(sql)?;
        for earlier in &earlier_numbers {
            erased_values.extend(super::sealed::delete_values(&tx, *earlier, None).map_err(sql)?);
        }
        let reference = pseudonym(customer);
        let mut event = SubjectEvent::new(
            "erasure",
            None,
            format!(
                "personal data erased; {orders_anonymized} {} kept without a name for bookkeeping; {consents_removed} consent {} removed; {} personal {} removed from earlier audit-log entries",
                plural(orders_anonymized, "order", "orders"),
                plural(consents_removed, "record", "records"),
                erased_values.len(),
                plural(erased_values.len(), "value", "values"),
            ),
        );
        event.reference = Some(reference.clone());
        let log_values_removed = erased_values.len();
        event.erased_values = erased_values;
        let mut scrubbed = who.clone();
        scrubbed.reason = scrub(&who.reason, &values, customer);
        let entry = append_entry(&tx, &scrubbed, &EntryBody::event(event)).map_err(sql)?;
        tx.commit().map_err(sql)?;
        self.compact().map_err(sql)?;
        Ok(Erased {
            entry,
            reference,
            orders_anonymized,
            consents_removed,
            log_values_removed,
            files_written,
            bulk_exports,
            backups: upgrade_backups(&self.path),
        })
    }

    /// The files the log records as written at this customer's request.
    fn files_written_for(&self, customer: i64) -> Result<Vec<String>, StoreError> {
        Ok(self
            .log()?
            .into_iter()
            .filter_map(|e| e.event)
            .filter(|e| e.customer == Some(customer))
            .flat_map(|e| e.files)
            .collect())
    }

    /// The files of every recommendations export in the log.
    fn bulk_exports(&self) -> Result<Vec<String>, StoreError> {
        let mut files: Vec<String> = self
            .log()?
            .into_iter()
            .filter_map(|e| e.event)
            .filter(|e| e.kind == "recommendations_export")
            .flat_map(|e| e.files)
            .collect();
        files.sort();
        files.dedup();
        Ok(files)
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

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// Deletes one field of one customer; false when they held no value for it.
fn purge_one(conn: &Connection, customer: i64, field: PersonalField) -> rusqlite::Result<bool> {
    if field == PersonalField::Preferences {
        let deleted = conn.execute(
            "DELETE FROM preferences WHERE customer = ?1",
            params![customer],
        )?;
        return Ok(deleted > 0);
    }
    if !PersonalField::VALUES.contains(&field) {
        return Ok(false);
    }
    let col = field.key();
    let value: Option<Option<String>> = conn
        .query_row(
            &format!("SELECT {col} FROM customers WHERE id = ?1"),
            params![customer],
            |r| r.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    if value.flatten().is_none() {
        return Ok(false);
    }
    conn.execute(
        &format!("UPDATE customers SET {col} = NULL WHERE id = ?1"),
        params![customer],
    )?;
    conn.execute(
        "DELETE FROM field_sources WHERE customer = ?1 AND field = ?2",
        params![customer, col],
    )?;
    Ok(true)
}

/// Deletes the customer's record, field sources, consents, stated preferences and keys and
/// detaches their orders; returns (orders detached, consent records removed).
fn remove_customer(conn: &Connection, customer: i64) -> rusqlite::Result<(usize, usize)> {
    super::retire_customer_number(conn, customer)?;
    let orders = conn.execute(
        "UPDATE orders SET customer = NULL WHERE customer = ?1",
        params![customer],
    )?;
    let consents = conn.execute(
        "DELETE FROM consents WHERE customer = ?1",
        params![customer],
    )?;
    conn.execute(
        "DELETE FROM preferences WHERE customer = ?1",
        params![customer],
    )?;
    conn.execute(
        "DELETE FROM field_sources WHERE customer = ?1",
        params![customer],
    )?;
    forget_keys(conn, customer)?;
    conn.execute("DELETE FROM customers WHERE id = ?1", params![customer])?;
    Ok((orders, consents))
}
