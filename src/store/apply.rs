//! Applying changes to the shop file: one transaction that re-reads the shop, refuses
//! if it changed since the simulation, writes each change, and appends one audit-log
//! entry with who, when, why and every before and after value.

use rusqlite::{Connection, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::LoadError;
use super::load::load_shop;
use super::{Store, StoreError};
use crate::engine::changes::{Applied, Change, ChangeContext, ChangeError, apply_all};
use crate::engine::model::Shop;

/// Test hook: milliseconds to wait inside the transaction before committing, so a test
/// can kill the process mid-apply. Unset in normal use.
const PAUSE_ENV: &str = "CANDOR_TEST_PAUSE_BEFORE_COMMIT_MS";

/// Who applies a change and why; both are required.
#[derive(Clone, Debug)]
pub struct Attribution {
    /// Who is applying.
    pub actor: String,
    /// Why.
    pub reason: String,
    /// When, as an RFC 3339 timestamp.
    pub at: String,
}

/// One entry of the audit log.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LogEntry {
    /// Entry number.
    pub id: i64,
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub actor: String,
    /// Why.
    pub reason: String,
    /// Each change with its before and after values.
    pub changes: Vec<Applied>,
    /// The impact summary shown when it was applied, if any.
    pub impact: Option<Value>,
    /// The entry this one undoes, if it is an undo.
    pub undoes: Option<i64>,
    /// A data-subject event (an export of someone's data), when the entry records one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<SubjectEvent>,
}

/// Something done with one person's data that must be accountable: exporting it for a
/// subject access request (`access_export`), or erasing it (`erasure`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SubjectEvent {
    /// What was done, e.g. `access_export`.
    pub kind: String,
    /// The customer's number (absent once the customer is erased).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<i64>,
    /// The pseudonymous reference an erasure leaves in place of the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Details, e.g. where the files were written.
    pub detail: String,
}

impl SubjectEvent {
    /// Whom it concerns, in words: "customer 4", or the erasure's reference.
    pub fn subject(&self) -> String {
        if self.kind == "import" {
            return "the shop".to_owned();
        }
        match (&self.customer, &self.reference) {
            (Some(c), _) => format!("customer {c}"),
            (None, Some(r)) => r.clone(),
            (None, None) => "an erased customer".to_owned(),
        }
    }
}

/// What is stored in the `entry` column.
#[derive(Serialize, Deserialize)]
pub(super) struct EntryBody {
    pub(super) changes: Vec<Applied>,
    pub(super) impact: Option<Value>,
    pub(super) undoes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) event: Option<SubjectEvent>,
}

/// Why an apply was refused. Nothing was written in every case.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The file could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A change is invalid.
    #[error("{0}")]
    Invalid(#[from] ChangeError),
    /// Someone else changed the shop after the simulation was computed.
    #[error(
        "the shop was changed by someone else since this simulation was computed; nothing was applied. Recompute the simulation and try again."
    )]
    Stale,
    /// Actor or reason missing.
    #[error("say who is applying the change and why: {0} is empty")]
    Unattributed(&'static str),
    /// The customer asked for does not exist.
    #[error("there is no customer number {0} in this shop")]
    NoSuchCustomer(i64),
    /// The audit log was altered behind Candor's back.
    #[error(
        "the audit log is not intact ({0}); erasing now would re-seal it and hide that, so nothing was erased. Restore the file from a backup first."
    )]
    LogNotIntact(String),
    /// The owner's passphrase was wrong (the refusal is logged).
    #[error(
        "that is not the owner's passphrase; nothing was done, and the refusal is recorded in the audit log"
    )]
    NotOwner,
    /// A first passphrase that is too short.
    #[error("the owner's passphrase must be at least {0} characters long")]
    WeakPassphrase(usize),
    /// The stored passphrase hash could not be used.
    #[error("the owner's passphrase could not be checked: {0}")]
    Passphrase(String),
    /// The audit entry asked for does not exist.
    #[error("there is no audit-log entry number {0}")]
    NoSuchEntry(i64),
    /// The entry records something that cannot be undone from the log.
    #[error("entry {0} records {1}, which cannot be undone from the log")]
    NotUndoable(i64, String),
}

impl Store {
    /// Applies `changes` in one transaction and logs them. When `expected` is given, the
    /// apply is refused if the file no longer holds exactly that snapshot.
    /// Returns the new entry's number and the shop as it now is.
    pub fn apply(
        &mut self,
        expected: Option<&Shop>,
        changes: &[Change],
        who: &Attribution,
        impact: Option<Value>,
        undoes: Option<i64>,
    ) -> Result<(i64, Shop), ApplyError> {
        let path = self.path.clone();
        let sql = |e: rusqlite::Error| ApplyError::Store(StoreError::sqlite(&path, e));
        let tx = self.begin_write(who, "apply changes")?;
        let current = load_shop(&tx).map_err(|e: LoadError| e.at(&path))?;
        if expected.is_some_and(|e| *e != current) {
            return Err(ApplyError::Stale);
        }
        let today = current.settings.pinned_today.unwrap_or_else(|| {
            chrono::DateTime::parse_from_rfc3339(&who.at)
                .map_or_else(|_| chrono::Local::now().date_naive(), |t| t.date_naive())
        });
        let ctx = ChangeContext {
            today,
            actor: who.actor.clone(),
        };
        let (next, applied) = apply_all(current.clone(), changes, &ctx)?;
        write_changes(&tx, &current, &next, &applied).map_err(sql)?;
        let body = EntryBody {
            changes: applied,
            impact,
            undoes,
            event: None,
        };
        let id = append_entry(&tx, who, &body).map_err(sql)?;
        if let Some(ms) = std::env::var(PAUSE_ENV).ok().and_then(|v| v.parse().ok()) {
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
        tx.commit().map_err(sql)?;
        Ok((id, next))
    }

    /// Starts an attributed write: one immediate transaction, taken before anything is
    /// read, so nobody can write in between.
    pub(super) fn begin_write(
        &mut self,
        who: &Attribution,
        action: &'static str,
    ) -> Result<rusqlite::Transaction<'_>, ApplyError> {
        self.check_writable(who, action)?;
        let path = self.path.clone();
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| ApplyError::Store(StoreError::sqlite(&path, e)))
    }

    /// Refuses an unattributed write, or any write to a read-only file.
    pub(super) fn check_writable(
        &self,
        who: &Attribution,
        action: &'static str,
    ) -> Result<(), ApplyError> {
        if who.actor.trim().is_empty() {
            return Err(ApplyError::Unattributed("who"));
        }
        if who.reason.trim().is_empty() {
            return Err(ApplyError::Unattributed("why"));
        }
        if self.read_only {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
                action,
            }
            .into());
        }
        Ok(())
    }

    /// Records a data-subject event (who, when, why, what) as one audit-log entry.
    pub fn record_event(
        &mut self,
        who: &Attribution,
        event: SubjectEvent,
    ) -> Result<i64, ApplyError> {
        self.record_event_with(who, event, |_| Ok(()))
    }

    /// Records an event, running `also` in the same transaction first.
    pub(super) fn record_event_with(
        &mut self,
        who: &Attribution,
        event: SubjectEvent,
        also: impl FnOnce(&Connection) -> rusqlite::Result<()>,
    ) -> Result<i64, ApplyError> {
        let path = self.path.clone();
        let sql = |e: rusqlite::Error| ApplyError::Store(StoreError::sqlite(&path, e));
        let tx = self.begin_write(who, "record who looked at a customer's data")?;
        also(&tx).map_err(sql)?;
        let body = EntryBody {
            changes: Vec::new(),
            impact: None,
            undoes: None,
            event: Some(event),
        };
        let id = append_entry(&tx, who, &body).map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(id)
    }

    /// Every audit-log entry, oldest first.
    pub fn log(&self) -> Result<Vec<LogEntry>, StoreError> {
        read_log(&self.conn).map_err(|e| e.at(&self.path))
    }

    /// Checks the audit log's hash chain (see [`super::chain`]).
    pub fn verify_log(&self) -> Result<super::chain::ChainReport, StoreError> {
        super::chain::verify(&self.conn).map_err(|e| StoreError::sqlite(&self.path, e))
    }

    /// Undoes entry `entry` by applying the inverse of its changes as a new, logged change.
    pub fn undo(&mut self, entry: i64, who: &Attribution) -> Result<(i64, Shop), ApplyError> {
        let log = self.log()?;
        let target = log
            .iter()
            .find(|e| e.id == entry)
            .ok_or(ApplyError::NoSuchEntry(entry))?;
        if let Some(event) = &target.event {
            return Err(ApplyError::NotUndoable(
                entry,
                format!("an {}", event.kind.replace('_', " ")),
            ));
        }
        let inverse = crate::engine::changes::inverse(&target.changes);
        self.apply(None, &inverse, who, None, Some(entry))
    }
}

/// Appends one entry to the audit log and chains it; returns its number.
pub(super) fn append_entry(
    conn: &Connection,
    who: &Attribution,
    body: &EntryBody,
) -> rusqlite::Result<i64> {
    let json = serde_json::to_string(body)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.execute(
        "INSERT INTO audit_log (at, actor, reason, entry) VALUES (?1, ?2, ?3, ?4)",
        params![who.at, who.actor, who.reason, json],
    )?;
    let id = conn.last_insert_rowid();
    super::chain::chain_new_entry(conn, id)?;
    Ok(id)
}

fn read_log(conn: &Connection) -> Result<Vec<LogEntry>, LoadError> {
    let mut stmt =
        conn.prepare("SELECT id, at, actor, reason, entry FROM audit_log ORDER BY id")?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let json: String = row.get(4)?;
        let body: EntryBody = serde_json::from_str(&json).map_err(|e| LoadError::Corrupt {
            table: "audit_log",
            row: id.to_string(),
            detail: format!("the entry cannot be read: {e}"),
        })?;
        out.push(LogEntry {
            id,
            at: row.get(1)?,
            actor: row.get(2)?,
            reason: row.get(3)?,
            changes: body.changes,
            impact: body.impact,
            undoes: body.undoes,
            event: body.event,
        });
    }
    Ok(out)
}

/// Writes what differs between `before` and `after` for the applied changes.
fn write_changes(
    conn: &Connection,
    before: &Shop,
    after: &Shop,
    applied: &[Applied],
) -> rusqlite::Result<()> {
    let touches_rules = applied.iter().any(|a| a.change.rule_id().is_some());
    if touches_rules {
        conn.execute("DELETE FROM rules", [])?;
        super::write::insert_rules(conn, &after.rules)?;
    }
    super::write::insert_consents(conn, &after.consents[before.consents.len()..])?;
    for a in applied {
        match &a.change {
            Change::CustomerField { customer, .. } => write_customer(conn, after, *customer)?,
            Change::Product { product, .. } => {
                if let Some(p) = after.products.iter().find(|p| p.id == *product) {
                    conn.execute(
                        "UPDATE products SET price_cents = ?1, stock = ?2 WHERE id = ?3",
                        params![p.price_cents, p.stock, p.id],
                    )?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

pub(super) fn write_customer(conn: &Connection, shop: &Shop, id: i64) -> rusqlite::Result<()> {
    let Some(c) = shop.customers.iter().find(|c| c.id == id) else {
        return Ok(());
    };
    conn.execute(
        "UPDATE customers SET name = ?1, email = ?2, phone = ?3, address = ?4, postcode = ?5,
         birth_date = ?6, gender = ?7 WHERE id = ?8",
        params![
            c.name,
            c.email,
            c.phone,
            c.address,
            c.postcode,
            c.birth_date,
            c.gender,
            c.id
        ],
    )?;
    conn.execute(
        "DELETE FROM field_sources WHERE customer = ?1",
        params![c.id],
    )?;
    for s in &c.field_sources {
        conn.execute(
            "INSERT INTO field_sources (customer, field, source, recorded_on) VALUES (?1, ?2, ?3, ?4)",
            params![c.id, s.field.key(), s.source, s.recorded_on],
        )?;
    }
    Ok(())
}
