//! Taking back a mistaken import. Before an import into an existing shop, a consistent copy
//! of the shop file is kept next to it (SQLite's backup API). While the import is still the
//! newest entry in the log, undoing it restores that copy, with one new entry saying what
//! was taken back; the restore and that entry land together, in one step.

use std::path::{Path, PathBuf};

use super::apply::{ApplyError, Attribution, LogEntry, SubjectEvent};
use super::{Store, StoreError};

/// Where the copy kept from before the import recorded as `entry` lives: next to the shop
/// file, named after it (`shop.candor.import-12-backup`).
pub fn import_copy_path(db: &Path, entry: i64) -> PathBuf {
    let name = db
        .file_name()
        .map_or_else(|| "shop".into(), |n| n.to_string_lossy().into_owned());
    db.with_file_name(format!("{name}.import-{entry}-backup"))
}

impl Store {
    /// Writes a consistent copy of the shop file to `to`, even while others read it.
    pub fn copy_to(&self, to: &Path) -> Result<(), StoreError> {
        super::protection::copy_database(&self.conn, &self.path, to)
    }

    /// Undoes the import recorded as `target`: restores the copy kept from before it, with
    /// an entry recording what was taken back. Refused when entries came after it (the
    /// restore would lose them) or when the copy is gone.
    pub(super) fn undo_import(
        &mut self,
        target: &LogEntry,
        who: &Attribution,
    ) -> Result<super::Written, ApplyError> {
        self.check_writable(who, "undo an import")?;
        let latest = self.latest_entry()?;
        if target.id != latest {
            return Err(ApplyError::NotUndoable(
                target.id,
                format!(
                    "an import followed by later entries (the newest is {latest}): taking it back would lose them"
                ),
            ));
        }
        let copy = import_copy_path(&self.path, target.id);
        if !copy.exists() {
            return Err(ApplyError::NotUndoable(
                target.id,
                format!(
                    "an import whose copy from before it ({}) is gone",
                    copy.display()
                ),
            ));
        }
        let staged = copy.with_extension("restoring");
        let result = self.restore_with_entry(&copy, &staged, target, who);
        // The staged file (and SQLite's files beside it) is only a step of the restore; a
        // leftover is of no use, and one already gone is nothing to report.
        let _ = std::fs::remove_file(&staged);
        for suffix in ["-wal", "-shm"] {
            let mut side = staged.clone().into_os_string();
            side.push(suffix);
            let _ = std::fs::remove_file(side);
        }
        let id = result?;
        std::fs::remove_file(&copy).map_err(|source| StoreError::Io {
            path: copy.clone(),
            source,
        })?;
        let (shop, head) = self.load_snapshot()?;
        Ok(super::Written {
            entry: id,
            shop,
            head,
        })
    }

    /// Records the undo in a staged duplicate of the copy (numbered after the import's
    /// entry, so that number never comes to mean another entry), checks that its log is
    /// this shop's log up to the import, then restores it over the shop file in one step.
    fn restore_with_entry(
        &mut self,
        copy: &Path,
        staged: &Path,
        target: &LogEntry,
        who: &Attribution,
    ) -> Result<i64, ApplyError> {
        std::fs::copy(copy, staged).map_err(|source| StoreError::Io {
            path: staged.to_owned(),
            source,
        })?;
        let (mut before, _) = Store::open(staged)?;
        let head = before.latest_entry()?;
        let expected = self
            .log()?
            .iter()
            .map(|e| e.id)
            .filter(|id| *id < target.id)
            .max()
            .unwrap_or(0);
        let hash_of = |store: &Store, id: i64| -> Result<String, ApplyError> {
            store
                .conn
                .query_row(
                    "SELECT coalesce((SELECT hash FROM audit_log WHERE id = ?1), '')",
                    [id],
                    |r| r.get(0),
                )
                .map_err(|e| ApplyError::Store(StoreError::sqlite(&store.path, e)))
        };
        // The copy's log must be exactly this shop's log up to the import: same newest
        // entry, same hash (which seals every entry before it).
        if head != expected
            || hash_of(&before, head)? != hash_of(self, expected)?
            || !before.verify_log()?.intact
        {
            return Err(ApplyError::NotUndoable(
                target.id,
                "an import whose copy from before it does not match this shop's log".to_owned(),
            ));
        }
        let removed_hash = hash_of(self, target.id)?;
        let detail = target
            .event
            .as_ref()
            .map_or_else(String::new, |e| e.detail.clone());
        let event = SubjectEvent::new(
            "import_undone",
            None,
            format!(
                "took back the import recorded on {} by {} (it was entry {}, sealed {}) by restoring the copy of the shop kept from before it; that import had {detail}",
                target.at.get(..19).unwrap_or(&target.at).replace('T', " "),
                target.actor,
                target.id,
                removed_hash.get(..16).unwrap_or(&removed_hash)
            ),
        );
        let id = {
            let path = before.path.clone();
            let sql = |e: rusqlite::Error| ApplyError::Store(StoreError::sqlite(&path, e));
            let tx = before.begin_write(who, "undo an import", true)?;
            let body = super::apply::EntryBody::event(event);
            let id = super::apply::append_entry_numbered(&tx, who, &body, Some(target.id + 1))
                .map_err(sql)?;
            tx.commit().map_err(sql)?;
            id
        };
        drop(before);
        // Nothing may have been written since the check above (the restore would lose it).
        if self.latest_entry()? != target.id {
            return Err(ApplyError::Stale);
        }
        super::protection::restore_database(&mut self.conn, &self.path, staged)?;
        Ok(id)
    }
}
