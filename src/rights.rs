//! Data-subject rights, end to end: gather a customer's records (engine), add the audit
//! entries about them (store), write the files, and log who did it and why. The window
//! and the command line both call these functions.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;

use crate::engine::model::PersonalField;
use crate::engine::subject::{SubjectRecords, subject_records};
use crate::engine::{EngineError, index_for};
use crate::store::{
    ApplyError, Attribution, Erased, LogEntry, Purged, Store, StoreError, SubjectEvent,
};

/// Why a rights request could not be carried out. Nothing was written in any case.
#[derive(Debug, thiserror::Error)]
pub enum RightsError {
    /// The shop could not be opened, read or logged to.
    #[error(transparent)]
    Apply(#[from] ApplyError),
    /// The customer is not in the shop.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The export could not be put into words (nothing was written).
    #[error("the customer's data could not be written out as JSON: {0}")]
    Serialize(serde_json::Error),
    /// A file could not be written.
    #[error("could not write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl From<StoreError> for RightsError {
    fn from(e: StoreError) -> Self {
        Self::Apply(e.into())
    }
}

/// What a subject access export contains: every record held, and every audit-log entry
/// that concerns the customer.
#[derive(Serialize)]
pub struct SubjectExport {
    /// The records held.
    #[serde(flatten)]
    pub records: SubjectRecords,
    /// Audit-log entries that changed or looked at this customer's data.
    pub audit_log: Vec<LogEntry>,
}

/// The files an export wrote and the audit-log entry that records it.
#[derive(Debug, Serialize)]
pub struct Exported {
    /// The machine-readable file.
    pub json: PathBuf,
    /// The page for the customer.
    pub html: PathBuf,
    /// The audit-log entry recording the export.
    pub entry: i64,
}

/// Whether an audit entry concerns a customer.
fn concerns(entry: &LogEntry, customer: i64) -> bool {
    entry
        .event
        .as_ref()
        .is_some_and(|e| e.customer == Some(customer))
        || entry
            .changes
            .iter()
            .any(|a| a.change.customers().contains(&customer))
}

/// Writes `bytes` as the file `name` in the folder `out` (created where missing), safely
/// (see [`crate::safe_write`]); returns the file's path.
pub fn write_into(out: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, RightsError> {
    let path = out.join(name);
    crate::safe_write::create_dir(out)
        .and_then(|()| crate::safe_write::write_file(&path, bytes))
        .map_err(|e| RightsError::Write {
            path: path.clone(),
            source: std::io::Error::other(e.to_string()),
        })
        .map(|()| path)
}

/// Writes `customer-<ID>.json` and `customer-<ID>.html` into `out` and logs the export.
pub fn export_subject(
    db: &Path,
    customer: i64,
    out: &Path,
    who: &Attribution,
    today: NaiveDate,
) -> Result<Exported, RightsError> {
    let (mut store, _) = Store::open(db)?;
    let index = index_for(Arc::new(store.load()?), today);
    let pos = index
        .customer_pos(customer)
        .ok_or(EngineError::NoSuchCustomer(customer))?;
    let export = SubjectExport {
        records: subject_records(&index, pos),
        audit_log: store
            .log()?
            .into_iter()
            .filter(|e| concerns(e, customer))
            .collect(),
    };
    let write = |name: String, bytes: Vec<u8>| write_into(out, &name, &bytes);
    let json = serde_json::to_vec_pretty(&export).map_err(RightsError::Serialize)?;
    let json = write(format!("customer-{customer}.json"), json)?;
    let page = crate::html::subject_page(&export.records, &store.log_head()?);
    let html = write(format!("customer-{customer}.html"), page.into_bytes())?;
    let logged = store.record_event(
        who,
        SubjectEvent {
            files: vec![json.display().to_string(), html.display().to_string()],
            ..SubjectEvent::new(
                "access_export",
                Some(customer),
                format!("wrote {} and {}", json.display(), html.display()),
            )
        },
    );
    match logged {
        Ok(entry) => Ok(Exported { json, html, entry }),
        Err(e) => {
            let _ = std::fs::remove_file(&json);
            let _ = std::fs::remove_file(&html);
            Err(e.into())
        }
    }
}

/// Erases a customer (see [`Store::erase`]): their record, field sources and consents go,
/// their orders stay without their name, the log keeps a pseudonymous reference and the
/// reason, and the file is rewritten so no erased value survives in its bytes.
pub fn erase(db: &Path, customer: i64, who: &Attribution) -> Result<Erased, RightsError> {
    let (mut store, _) = Store::open(db)?;
    Ok(store.erase(customer, who)?)
}

/// What a retention purge would delete.
#[derive(Clone, Debug, Default)]
pub struct RetentionPlan {
    /// The values held now past their retention period, by customer and field.
    pub held: Vec<(i64, PersonalField)>,
    /// Every customer and field whose retention period is over, held now or not: the
    /// purge also deletes their earlier values kept in the audit log.
    pub expired: Vec<(i64, PersonalField)>,
    /// How many of those customer fields have earlier values kept in the audit log.
    pub fields_in_log: usize,
}

impl RetentionPlan {
    /// Whether the purge has nothing to delete, now or in the log.
    pub fn is_empty(&self) -> bool {
        self.held.is_empty() && self.fields_in_log == 0
    }
}

/// What a retention purge would delete (see [`RetentionPlan`]).
pub fn retention_plan(db: &Path, today: NaiveDate) -> Result<RetentionPlan, RightsError> {
    let (store, _) = Store::open_for_reading(db)?;
    let index = index_for(Arc::new(store.load()?), today);
    let expired = crate::engine::audit::minimization::retention_expired(&index);
    Ok(RetentionPlan {
        held: crate::engine::audit::minimization::retention_purge_plan(&index),
        fields_in_log: store.fields_in_log(&expired)?,
        expired,
    })
}

/// Carries out `plan` (see [`retention_plan`]) in one logged step: deletes the values
/// held past their retention period and the earlier values the log keeps for them.
pub fn purge_retention(
    db: &Path,
    plan: &RetentionPlan,
    who: &Attribution,
) -> Result<Purged, RightsError> {
    let (mut store, _) = Store::open(db)?;
    Ok(store.purge(&plan.expired, who)?)
}

/// Deletes upgrade backups (`FILE.vN-backup`) and copies kept before imports
/// (`FILE.import-N-backup`), as [`crate::store::upgrade_backups`] finds them, after an
/// erasure: they hold the erased customer as they were. Only files whose
/// name is a backup's are touched; returns how many were deleted.
pub fn delete_backups(backups: &[PathBuf]) -> Result<usize, RightsError> {
    let mut deleted = 0;
    for b in backups {
        let name = b
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let backup =
            (name.contains(".v") || name.contains(".import-")) && name.ends_with("-backup");
        if !(backup || name.contains(".import-pending-")) {
            continue;
        }
        std::fs::remove_file(b).map_err(|source| RightsError::Write {
            path: b.clone(),
            source,
        })?;
        deleted += 1;
    }
    Ok(deleted)
}
