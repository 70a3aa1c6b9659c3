//! Protecting a shop with a password, changing the password, and taking the protection
//! off: each writes the whole shop into a new file (encrypted, or plain), records the change
//! there as one audit-log entry, checks the new file, and only then puts it in the shop's
//! place. The copies Candor keeps beside the shop (upgrade and import backups) are written
//! again the same way, so none stays readable. A failure leaves every file as it was.

use std::path::{Path, PathBuf};

use super::apply::{ApplyError, Attribution, SubjectEvent};
use super::protection::{self, RawKey};
use super::{Store, StoreError};

/// The event kinds of the three changes.
pub const PROTECTION_EVENTS: [&str; 3] = ["protected", "password_changed", "protection_removed"];

/// What to do with the shop's protection (its `Debug` never shows the password).
#[derive(Clone)]
pub enum Protection {
    /// Protect the shop (or change its password) with this password.
    Password(String),
    /// Take the protection off: the file is written plain again.
    Remove,
}

impl std::fmt::Debug for Protection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Password(_) => "Password(…)",
            Self::Remove => "Remove",
        })
    }
}

/// What a protection change did.
#[derive(Clone, Debug)]
pub struct ProtectionDone {
    /// The audit-log entry recording it.
    pub entry: i64,
    /// Whether the shop is now protected.
    pub protected: bool,
    /// The copies beside the shop written again the same way.
    pub copies: Vec<PathBuf>,
    /// The copies that could not be written again, with why (they are as they were).
    pub copies_failed: Vec<(PathBuf, String)>,
}

impl ProtectionDone {
    /// What was done, in words.
    pub fn summary(&self, db: &Path) -> String {
        let copies = match self.copies.len() {
            0 => String::new(),
            n => format!(
                " The {} Candor keeps beside it {} written the same way.",
                crate::engine::words::count(n, "backup", "backups"),
                if n == 1 { "was" } else { "were" }
            ),
        };
        let failed: String = self
            .copies_failed
            .iter()
            .map(|(copy, why)| {
                format!(
                    " {} could not be written again ({why}): delete it or protect it by hand.",
                    copy.display()
                )
            })
            .collect();
        let copies = copies + &failed;
        if self.protected {
            format!(
                "{} is now protected with the password (audit-log entry {}): without it, the file shows nothing. There is no way to recover a forgotten shop password: keep it with the owner's recovery code.{copies} Backups made elsewhere before now are not protected: make a new backup and delete the old ones.",
                db.display(),
                self.entry
            )
        } else {
            format!(
                "{} is no longer protected (audit-log entry {}): anyone with a copy of the file can read every customer's data.{copies}",
                db.display(),
                self.entry
            )
        }
    }
}

/// Why a shop password cannot be used, if it cannot: the owner's passphrase rules.
pub fn shop_password_problem(password: &str) -> Option<String> {
    super::passphrase_problem(password)
        .map(|p| p.replace("the owner's passphrase", "the shop's password"))
}

impl Store {
    /// Changes the shop's protection as `change` says, recorded with `who` (the caller has
    /// checked that `who` is the owner). Consumes the store: the file it had open is
    /// replaced.
    pub fn change_protection(
        self,
        change: &Protection,
        who: &Attribution,
    ) -> Result<ProtectionDone, ApplyError> {
        self.check_writable(who, "change the shop's protection")?;
        let was = protection::is_protected(&self.path)?;
        let (key, kind, detail) = match change {
            Protection::Password(password) => {
                if let Some(problem) = shop_password_problem(password) {
                    return Err(ApplyError::Passphrase(problem));
                }
                if self.owner_passphrase_is(password)? {
                    return Err(ApplyError::Passphrase(
                        "the shop's password must differ from the owner's passphrase: staff type it to open the shop".to_owned(),
                    ));
                }
                let (kind, detail) = if was {
                    (
                        "password_changed",
                        "changed the password the shop file is protected with",
                    )
                } else {
                    (
                        "protected",
                        "protected the shop file with a password: it is encrypted, and opens only with the password",
                    )
                };
                (Some(RawKey::fresh(password)?), kind, detail)
            }
            Protection::Remove if !was => {
                return Err(ApplyError::Passphrase(
                    "the shop is not protected with a password".to_owned(),
                ));
            }
            Protection::Remove => (
                None,
                "protection_removed",
                "took the password protection off the shop file: it is plain again",
            ),
        };
        self.hold_for_replacing()?;
        let staged = sibling(&self.path, "protecting");
        let entry = self.write_protected(&staged, key.as_ref(), who, kind, detail);
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                remove_with_journals(&staged);
                return Err(e);
            }
        };
        let path = self.path.clone();
        // Still holding the write lock: nothing can be written to the file being replaced.
        super::remove_journals(&path);
        if let Err(e) = std::fs::rename(&staged, &path) {
            remove_with_journals(&staged);
            return Err(StoreError::io(&path, e).into());
        }
        drop(self);
        remove_leftovers(&path);
        let (copies, copies_failed) = rewrite_copies(&path, key.as_ref());
        Ok(ProtectionDone {
            entry,
            protected: key.is_some(),
            copies,
            copies_failed,
        })
    }

    /// Moves everything written into the file itself (an empty journal is safe to drop) and
    /// takes the write lock, held until the file is replaced: a write by another program in
    /// between would otherwise be lost.
    fn hold_for_replacing(&self) -> Result<(), StoreError> {
        let sql = |e| StoreError::sqlite(&self.path, e);
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
            .map_err(sql)?;
        if busy != 0 {
            return Err(StoreError::Locked {
                path: self.path.clone(),
            });
        }
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(sql)
    }

    /// Writes the shop into `staged` with `key`, records the change there, and checks it.
    fn write_protected(
        &self,
        staged: &Path,
        key: Option<&RawKey>,
        who: &Attribution,
        kind: &str,
        detail: &str,
    ) -> Result<i64, ApplyError> {
        protection::export(&self.path, staged, key)?;
        let (mut copy, _) = Store::open(staged)?;
        let entry = copy.record_event(who, SubjectEvent::new(kind, None, detail.to_owned()))?;
        if let Some(problem) = copy.verify_log()?.problem {
            return Err(ApplyError::Store(StoreError::Protection(format!(
                "the protected copy's audit log does not verify ({problem}); nothing was changed"
            ))));
        }
        copy.conn
            .pragma_update(None, "journal_mode", "DELETE")
            .map_err(|e| StoreError::sqlite(staged, e))?;
        Ok(entry)
    }
}

/// Writes each copy Candor keeps beside the shop at `db` again with `key` (or plain), each
/// replaced only once its new file is complete; returns those written and those that could
/// not be, with why.
fn rewrite_copies(db: &Path, key: Option<&RawKey>) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut done = Vec::new();
    let mut failed = Vec::new();
    let copies = super::upgrade_backups(db)
        .into_iter()
        .filter(|p| !p.to_string_lossy().contains(".import-pending-"));
    for copy in copies {
        let staged = sibling(&copy, "protecting");
        let written = protection::export(&copy, &staged, key)
            .and_then(|()| std::fs::rename(&staged, &copy).map_err(|e| StoreError::io(&copy, e)));
        match written {
            Ok(()) => done.push(copy),
            Err(e) => {
                remove_with_journals(&staged);
                failed.push((copy, e.to_string()));
            }
        }
    }
    (done, failed)
}

/// Removes the working files an interrupted restore or shop creation may have left beside
/// the shop at `db` (they would stay readable copies of it): none is in use, since the
/// write lock was held until the shop was replaced.
fn remove_leftovers(db: &Path) {
    for what in ["restoring", "candor-tmp"] {
        remove_with_journals(&sibling(db, what));
    }
}

/// A working file beside `path`: `.NAME.WHAT`.
fn sibling(path: &Path, what: &str) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "shop".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{what}"))
}

fn remove_with_journals(path: &Path) {
    let _ = std::fs::remove_file(path);
    super::remove_journals(path);
}
