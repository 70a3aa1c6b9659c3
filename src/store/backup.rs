//! Backing a shop up on demand and restoring it. A backup is a consistent copy written
//! through SQLite's backup API (while others may read the shop) and checked before it is
//! reported. A restore puts a backup back in the shop file's place, in one step, with one
//! new audit-log entry saying what was restored and which later entries that takes back;
//! the backup must be of this shop, its log must verify, and this shop's log must hold the
//! backup's log as it was (so a restore never passes off another history as this one).

use std::path::{Path, PathBuf};

use super::apply::{ApplyError, Attribution, EntryBody, SubjectEvent};
use super::{LogHead, Store, StoreError};

/// The event kind of a restore's entry.
pub const RESTORED: &str = "restored";

/// What a backup holds, as checked after it was written.
#[derive(Clone, Debug)]
pub struct BackedUp {
    /// Where it was written.
    pub path: PathBuf,
    /// Its audit log's head.
    pub head: LogHead,
}

/// What a restore did.
#[derive(Clone, Debug)]
pub struct Restored {
    /// The restore's entry.
    pub entry: i64,
    /// The newest entry the backup held.
    pub backup_entry: i64,
    /// The entries of the shop made after the backup, taken back by the restore.
    pub taken_back: Vec<i64>,
}

impl BackedUp {
    /// What was written, in words: where, and how far its audit log goes.
    pub fn summary(&self) -> String {
        let log = match self.head.count {
            0 => "its audit log is empty".to_owned(),
            n => format!(
                "its audit log holds {} (the newest sealed {})",
                crate::engine::words::count(
                    usize::try_from(n).unwrap_or(usize::MAX),
                    "entry",
                    "entries"
                ),
                self.head.hash.get(..16).unwrap_or(&self.head.hash)
            ),
        };
        format!(
            "Backed up to {}: {log}. The backup holds every customer's personal data: keep it as safe as the shop.",
            self.path.display()
        )
    }
}

impl Restored {
    /// What the restore did, in words, naming the backup `from`.
    pub fn summary(&self, from: &Path) -> String {
        let later = match self.taken_back.as_slice() {
            [] => "No entry was made after the backup.".to_owned(),
            [only] => format!("Entry {only}, made after the backup, was taken back."),
            [first, .., last] => {
                format!("Entries {first} to {last}, made after the backup, were taken back.")
            }
        };
        format!(
            "Restored from {} (its log up to entry {}), recorded as audit-log entry {}. {later}",
            from.display(),
            self.backup_entry,
            self.entry
        )
    }
}

impl Store {
    /// Writes a consistent copy of the shop to `to`, which must not exist yet, and checks
    /// that it opens and that its log verifies.
    pub fn back_up(&self, to: &Path) -> Result<BackedUp, StoreError> {
        if to.exists() {
            return Err(StoreError::Io {
                path: to.to_owned(),
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "a file is already there; choose a new name for the backup",
                ),
            });
        }
        let staged = partial_path(to);
        let written = self.copy_to(&staged).and_then(|()| {
            let (copy, _) = Store::open_for_reading(&staged)?;
            let head = copy.log_head()?;
            match copy.verify_log()?.problem {
                None => Ok(head),
                Some(problem) => Err(StoreError::Io {
                    path: to.to_owned(),
                    source: std::io::Error::other(format!(
                        "the copy's audit log does not verify ({problem}); the backup was not kept"
                    )),
                }),
            }
        });
        let head = match written {
            Ok(head) => head,
            Err(e) => {
                let _ = std::fs::remove_file(&staged);
                return Err(e);
            }
        };
        std::fs::rename(&staged, to).map_err(|e| StoreError::io(to, e))?;
        Ok(BackedUp {
            path: to.to_owned(),
            head,
        })
    }
}

/// The name a backup is written under until it is checked.
fn partial_path(to: &Path) -> PathBuf {
    let name = to
        .file_name()
        .map_or_else(|| "backup".into(), |n| n.to_string_lossy().into_owned());
    to.with_file_name(format!(".{name}.partial"))
}

/// The start of a restore's detail, which [`super::chain`] reads the entries it took back
/// from.
pub const RESTORE_DETAIL: &str =
    "restored the shop from a backup holding the audit log up to entry ";

/// Restores the backup at `backup` over the shop at `db` (see the module's rules), with
/// `who` and their reason in the new entry. The backup file itself is only read (an older
/// one is upgraded in a working copy). `db` may be missing (a lost file): the backup then
/// comes back with an entry saying so; a file there that does not open is refused.
pub fn restore(db: &Path, backup: &Path, who: &Attribution) -> Result<Restored, ApplyError> {
    let staged = db.with_file_name(format!(
        ".{}.restoring",
        db.file_name()
            .map_or_else(|| "shop".into(), |n| n.to_string_lossy())
    ));
    let result = restore_through(db, backup, &staged, who);
    remove_with_companions(&staged);
    result
}

fn restore_through(
    db: &Path,
    backup: &Path,
    staged: &Path,
    who: &Attribution,
) -> Result<Restored, ApplyError> {
    std::fs::copy(backup, staged).map_err(|e| StoreError::io(backup, e))?;
    let (mut copy, _) = Store::open(staged)?;
    if let Some(problem) = copy.verify_log()?.problem {
        return Err(ApplyError::NotRestored(format!(
            "the backup's audit log does not verify ({problem})"
        )));
    }
    let copy_head = copy.log_head()?;
    let backup_entry = copy.latest_entry()?;
    let current = if db.exists() {
        Some(Store::open(db)?.0)
    } else {
        None
    };
    let (taken_back, state) = match &current {
        Some(store) => (
            later_entries(store, &copy_head, backup_entry)?,
            protection_note(staged, db)?,
        ),
        None => (
            Vec::new(),
            format!(
                " There was no shop file at {}, so entries made after the backup, if any, are lost.",
                db.display()
            ),
        ),
    };
    let entry = record(&mut copy, who, backup_entry, &taken_back, &state)?;
    match current {
        Some(mut store) => {
            drop(copy);
            put_in_place(&mut store, staged, &taken_back, backup_entry)?;
        }
        None => {
            super::remove_journals(db);
            copy.copy_to(db)?;
        }
    }
    Ok(Restored {
        entry,
        backup_entry,
        taken_back,
    })
}

/// What the restore's entry says when the backup is protected differently from the shop
/// (it comes back protected as the shop is now).
fn protection_note(staged: &Path, db: &Path) -> Result<String, StoreError> {
    use super::protection::is_protected;
    Ok(match (is_protected(staged)?, is_protected(db)?) {
        (true, false) => " The backup is protected with a password and the shop is not: it comes back unprotected, as the shop is.".to_owned(),
        (false, true) => " The backup is not protected with a password: it comes back protected with the shop's password.".to_owned(),
        _ => String::new(),
    })
}

/// Removes the working copy, its journal files and any upgrade backup made of it (it
/// holds every customer's data, and is of no use once the restore is done or refused).
fn remove_with_companions(staged: &Path) {
    let _ = std::fs::remove_file(staged);
    super::remove_journals(staged);
    for backup in super::upgrade_backups(staged) {
        let _ = std::fs::remove_file(backup);
    }
}

/// The shop's entries after the backup's newest, once the shop is shown to be the one
/// the backup was taken of, with the backup's log as its own beginning.
fn later_entries(store: &Store, copy: &LogHead, backup_entry: i64) -> Result<Vec<i64>, ApplyError> {
    let head = store.log_head()?;
    if let (Some(a), Some(b)) = (&head.shop, &copy.shop)
        && a != b
    {
        return Err(ApplyError::NotRestored(
            "the backup is a copy of another shop (its file id differs from this shop's)".into(),
        ));
    }
    if backup_entry > 0 && store.entry_hash(backup_entry)?.as_deref() != Some(copy.hash.as_str()) {
        return Err(ApplyError::NotRestored(format!(
            "this shop's audit log does not hold the backup's newest entry ({backup_entry}) as the backup has it: the backup is not of this shop's history"
        )));
    }
    Ok(store
        .log()?
        .iter()
        .map(|e| e.id)
        .filter(|id| *id > backup_entry)
        .collect())
}

/// Records the restore in the working copy of the backup, numbered after every entry the
/// shop had, so no number comes to mean another entry; the entries it takes back are
/// named from the one after the backup's newest, gaps included.
fn record(
    copy: &mut Store,
    who: &Attribution,
    backup_entry: i64,
    taken_back: &[i64],
    state: &str,
) -> Result<i64, ApplyError> {
    let path = copy.path.clone();
    let sql = |e: rusqlite::Error| ApplyError::Store(StoreError::sqlite(&path, e));
    let lost = match taken_back.last() {
        Some(last) => format!(
            " (entries {} to {last} were taken back: they were made after the backup)",
            backup_entry + 1
        ),
        None => String::new(),
    };
    let event = SubjectEvent::new(
        RESTORED,
        None,
        format!("{RESTORE_DETAIL}{backup_entry}{lost}.{state}"),
    );
    let tx = copy.begin_write(who, "restore a backup", true)?;
    let body = EntryBody::event(event);
    let next = taken_back.last().map(|last| last + 1);
    let id = super::apply::append_entry_numbered(&tx, who, &body, next).map_err(sql)?;
    tx.commit().map_err(sql)?;
    Ok(id)
}

/// Puts the staged restore in the shop file's place in one step, unless the shop moved on
/// since it was checked.
fn put_in_place(
    store: &mut Store,
    staged: &Path,
    taken_back: &[i64],
    backup_entry: i64,
) -> Result<(), ApplyError> {
    let expected = taken_back.last().copied().unwrap_or(backup_entry);
    if store.latest_entry()? != expected {
        return Err(ApplyError::Stale);
    }
    let shop_key = super::protection::key_of(&store.path)?;
    if super::protection::key_of(staged)? == shop_key {
        return super::protection::restore_database(&mut store.conn, &store.path, staged)
            .map_err(ApplyError::Store);
    }
    // The backup is protected differently from the shop (made before the shop was
    // protected, or since taken off): it comes back protected as the shop is now.
    let matching = staged.with_extension("matching");
    let restored = super::protection::export(staged, &matching, shop_key.as_ref()).and_then(|()| {
        super::protection::restore_database(&mut store.conn, &store.path, &matching)
    });
    remove_with_companions(&matching);
    restored.map_err(ApplyError::Store)
}
