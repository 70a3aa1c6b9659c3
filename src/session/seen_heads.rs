//! Each computer that opens a shop remembers the newest audit-log entry it saw there (its
//! number and hash, in the user's data directory), and warns when the file's log no longer
//! holds that entry as it was: entries removed from the end, the log rewritten, or an older
//! copy of the file put back in its place. A rewrite that recomputes every hash and the
//! head passes the chain's own check, but not this one on a computer that saw the original.
//!
//! What is remembered is keyed by the file's id and its path, so a copy of the shop kept
//! elsewhere (to try something out) has its own memory and never raises a warning about
//! the original.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::store::{LogEntry, Store, StoreError};

/// How many shops a computer remembers (the least recently seen are forgotten first).
const REMEMBERED_SHOPS: usize = 200;

/// The newest entry a computer saw of one shop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenHead {
    /// The entry's number.
    pub entry: i64,
    /// Its hash.
    pub hash: String,
    /// The file's schema version then (an upgrade may re-seal the log, changing hashes).
    pub schema: i64,
    /// When it was seen (UTC, RFC 3339).
    pub seen_at: String,
}

/// What the check found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MachineCheck {
    /// The log is not what this computer saw, in words.
    pub problem: Option<String>,
    /// This computer could not remember or read what it saw, in words (the check still
    /// ran against what it could read).
    pub note: Option<String>,
    /// Entries this computer saw that a restore from a backup took back, in words, naming
    /// the restore's entry: said once, since a restore is normal and a forged one looks
    /// the same.
    pub restored: Option<String>,
}

type Remembered = BTreeMap<String, SeenHead>;

/// The key a shop is remembered by: its id (when the file has one) and its path.
fn key(store: &Store) -> Result<String, StoreError> {
    let path = std::fs::canonicalize(store.path()).unwrap_or_else(|_| store.path().to_owned());
    let id = store.log_head()?.shop.unwrap_or_default();
    Ok(format!("{id}@{}", path.display()))
}

fn read(file: &Path) -> Result<Remembered, String> {
    match std::fs::read(file) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| e.to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Remembered::new()),
        Err(e) => Err(e.to_string()),
    }
}

fn write(file: &Path, remembered: &Remembered) -> Result<(), String> {
    let bytes = serde_json::to_vec_pretty(remembered).map_err(|e| e.to_string())?;
    if let Some(dir) = file.parent() {
        crate::safe_write::create_dir(dir).map_err(|e| e.to_string())?;
    }
    crate::safe_write::write_file(file, &bytes).map_err(|e| e.to_string())
}

/// Whether entry `id` was an import taken back since (the one entry that may go).
fn taken_back(entries: &[LogEntry], id: i64) -> bool {
    entries.iter().any(|e| {
        e.event
            .as_ref()
            .is_some_and(|ev| crate::store::chain::event_takes_back(&ev.kind, &ev.detail, id))
    })
}

/// The restore entry that took back entry `id`, in words, if a restore did.
fn restored_by(entries: &[LogEntry], id: i64, when: &str) -> Option<String> {
    let restore = entries.iter().find(|e| {
        e.event.as_ref().is_some_and(|ev| {
            ev.kind == crate::store::backup::RESTORED
                && crate::store::chain::event_takes_back(&ev.kind, &ev.detail, id)
        })
    })?;
    Some(format!(
        "entry {id}, which this computer saw on {when}, was taken back by the restore from a backup recorded as entry {} by {} on {}; if nobody here restored a backup, the audit log was rewritten",
        restore.id,
        restore.actor,
        restore.at.get(..10).unwrap_or(&restore.at)
    ))
}

/// What a comparison found: a problem, or entries a restore took back (said, not a problem).
type Compared = (Option<String>, Option<String>);

/// Compares the log with what this computer saw of it, in words when it differs.
fn compare(store: &Store, entries: &[LogEntry], seen: &SeenHead) -> Result<Compared, StoreError> {
    let newest = entries.last().map_or(0, |e| e.id);
    let when = seen.seen_at.get(..10).unwrap_or(&seen.seen_at);
    if newest < seen.entry {
        return Ok((
            Some(format!(
                "this computer saw this shop's audit log reach entry {} on {when}, but it now ends at entry {newest}: entries were removed, or an older copy of the file was put in its place",
                seen.entry
            )),
            None,
        ));
    }
    let hash = store.entry_hash(seen.entry)?;
    if hash.is_none()
        && let Some(restored) = restored_by(entries, seen.entry, when)
    {
        return Ok((None, Some(restored)));
    }
    if store.schema_version()? != seen.schema {
        return Ok((None, None));
    }
    let problem = match hash {
        Some(hash) if hash == seen.hash => None,
        Some(_) => Some(format!(
            "entry {} is not the entry this computer saw on {when}: the audit log was rewritten",
            seen.entry
        )),
        None if taken_back(entries, seen.entry) => None,
        None => Some(format!(
            "entry {}, which this computer saw on {when}, is gone from the audit log",
            seen.entry
        )),
    };
    Ok((problem, None))
}

/// Checks the log against what this computer saw of it (remembered in `file`), and
/// remembers its newest entry when it holds what was seen.
pub fn check_and_remember(
    store: &Store,
    entries: &[LogEntry],
    file: Option<PathBuf>,
) -> Result<MachineCheck, StoreError> {
    let Some(file) = file else {
        return Ok(MachineCheck {
            problem: None,
            note: Some("this computer has no data folder to remember the audit log in".to_owned()),
            restored: None,
        });
    };
    let key = key(store)?;
    let mut remembered = match read(&file) {
        Ok(r) => r,
        Err(e) => {
            return Ok(MachineCheck {
                problem: None,
                note: Some(format!("{} could not be read ({e})", file.display())),
                restored: None,
            });
        }
    };
    let (problem, restored) = match remembered.get(&key) {
        Some(seen) => compare(store, entries, seen)?,
        None => (None, None),
    };
    let mut check = MachineCheck {
        problem,
        note: None,
        restored,
    };
    let (Some(newest), None) = (entries.last(), &check.problem) else {
        return Ok(check);
    };
    remembered.insert(
        key,
        SeenHead {
            entry: newest.id,
            hash: store.log_head()?.hash,
            schema: store.schema_version()?,
            seen_at: chrono::Utc::now().to_rfc3339(),
        },
    );
    forget_oldest(&mut remembered);
    if let Err(e) = write(&file, &remembered) {
        check.note = Some(format!("{} could not be written ({e})", file.display()));
    }
    Ok(check)
}

/// Keeps the [`REMEMBERED_SHOPS`] most recently seen.
fn forget_oldest(remembered: &mut Remembered) {
    while remembered.len() > REMEMBERED_SHOPS {
        let oldest = remembered
            .iter()
            .min_by(|a, b| a.1.seen_at.cmp(&b.1.seen_at))
            .map(|(k, _)| k.clone());
        match oldest {
            Some(k) => remembered.remove(&k),
            None => break,
        };
    }
}
