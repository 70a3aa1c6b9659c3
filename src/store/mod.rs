//! The shop file: a SQLite database. This is the only module that speaks SQL.
//! Opening checks the file before anything is written to it; creating writes a
//! temporary file and renames it into place, so a failure never leaves half a shop.

mod apply;
pub mod backup;
pub mod chain;
mod erase;
mod error;
mod import;
mod import_undo;
pub mod keys;
mod load;
mod merge;
mod owner;
mod owner_setup;
mod protect;
mod protection;
pub mod schema;
pub mod sealed;
pub mod signing;
mod staff;
pub mod state;
mod write;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub use apply::{
    ApplyError, Attribution, Basis, LogEntry, SubjectEvent, UndoPlan, Written, undo_plan,
    undo_still_fits, undone_by, undone_entries,
};
pub use chain::LogHead;
pub use erase::{ERASED, Erased, Purged, upgrade_backups};
pub use error::StoreError;
pub use import::ImportRecords;
pub use import_undo::import_copy_path;
pub use owner::{
    FREE_TRIES, MIN_PASSPHRASE, OWNER_SET_EVENTS, OwnerState, passphrase_problem,
    wait_after as owner_wait_after,
};
pub use owner_setup::{new_recovery_code, normalize_recovery_code};
pub use protect::{PROTECTION_EVENTS, Protection, ProtectionDone, shop_password_problem};
pub use protection::{
    PasswordSource, SHOP_PASSWORD_ENV, is_protected, remember_password, set_password_source,
};
pub use staff::{STAFF_ADDED, STAFF_REMOVED};

use crate::engine::model::Shop;

/// The `import_keys` kind under which the hashes of a customer's earlier emails are kept:
/// never used to match an import, only moved to the erased keys when they are erased.
pub(crate) const FORMER_KEY_KIND: &str = "former_customer";

/// The `shop_settings` key holding the highest customer number ever erased, merged away or
/// taken back: no number up to it is given to a new customer.
pub(crate) const HIGHEST_ERASED_KEY: &str = "highest_erased_customer";

/// Retires customer number `id`: it is never given to a new customer.
pub(crate) fn retire_customer_number(conn: &rusqlite::Connection, id: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO shop_settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), ?2)",
        rusqlite::params![HIGHEST_ERASED_KEY, id],
    )?;
    Ok(())
}

/// Keeps the hash of every email a customer had before a change (see
/// [`FORMER_KEY_KIND`]), so that erasing them later also stops an old export with that
/// email from bringing them back.
pub(crate) fn remember_former_emails(
    conn: &Connection,
    applied: &[crate::engine::changes::Applied],
) -> rusqlite::Result<()> {
    use crate::engine::changes::Change;
    use keys::{KeyHasher, KeyKind};
    let hasher = KeyHasher::of(conn)?;
    let mut stmt = conn
        .prepare_cached("INSERT OR IGNORE INTO import_keys (kind, key, id) VALUES (?1, ?2, ?3)")?;
    for a in applied {
        if let Change::CustomerField {
            customer, field, ..
        } = &a.change
            && field == "email"
            && let Some(old) = a.before["value"].as_str()
        {
            let hash = hasher.hash(KeyKind::Customer, &format!("email:{}", old.to_lowercase()));
            stmt.execute(rusqlite::params![FORMER_KEY_KIND, hash, customer])?;
        }
    }
    Ok(())
}

/// One `shop_settings` value, if the file has it.
pub(crate) fn setting(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    use rusqlite::OptionalExtension;
    conn.query_row(
        "SELECT value FROM shop_settings WHERE key = ?1",
        [key],
        |r| r.get(0),
    )
    .optional()
}

/// How long to wait for another program that is writing the shop.
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

/// An open shop file.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
    protected: bool,
}

/// What happened while opening: was the file upgraded, and where is the backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenReport {
    /// The copy written before an older schema was upgraded.
    pub backup: Option<PathBuf>,
}

impl Store {
    /// Opens an existing shop file, checking it is a Candor shop this build understands.
    /// An older schema is upgraded only after a backup copy is written next to it.
    /// A file that is read-only for its owner is opened read-only.
    pub fn open(path: &Path) -> Result<(Self, OpenReport), StoreError> {
        crate::safe_write::keep(path);
        let meta = std::fs::metadata(path).map_err(|e| StoreError::io(path, e))?;
        if !meta.is_file() {
            return Err(StoreError::NotAShop {
                path: path.to_owned(),
                detail: "it is a folder, not a file".to_owned(),
            });
        }
        let read_only = meta.permissions().readonly();
        let version = check_file(path)?;
        let current = schema::current_version();
        if version > current {
            return Err(StoreError::Newer {
                path: path.to_owned(),
                found: version,
                supported: current,
            });
        }
        let mut report = OpenReport { backup: None };
        if version < current {
            if read_only {
                return Err(StoreError::ReadOnly {
                    path: path.to_owned(),
                    action: "upgrade it to this version of Candor",
                });
            }
            report.backup = Some(backup_copy(path, version)?);
        }
        let flags = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
        };
        let mut conn = protection::connect(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        configure(&conn, read_only).map_err(|e| StoreError::sqlite(path, e))?;
        if version < current {
            schema::migrations()
                .to_latest(&mut conn)
                .map_err(|e| StoreError::Migration {
                    path: path.to_owned(),
                    detail: e.to_string(),
                })?;
        }
        Ok((
            Self {
                conn,
                path: path.to_owned(),
                read_only,
                protected: protection::is_protected(path)?,
            },
            report,
        ))
    }

    /// Opens a shop only to read it: read-only when its schema is current, so the file's
    /// bytes stay exactly as they were; an older schema is upgraded as by [`Store::open`].
    pub fn open_for_reading(path: &Path) -> Result<(Self, OpenReport), StoreError> {
        crate::safe_write::keep(path);
        let version = check_file(path)?;
        if version != schema::current_version() {
            return Self::open(path);
        }
        let conn = open_read_only(path)?;
        Ok((
            Self {
                conn,
                path: path.to_owned(),
                read_only: true,
                protected: protection::is_protected(path)?,
            },
            OpenReport { backup: None },
        ))
    }

    /// Writes `shop` as a new shop file at `path`, replacing any file there only once
    /// the new one is complete.
    pub fn create(path: &Path, shop: &Shop) -> Result<(), StoreError> {
        crate::safe_write::keep(path);
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let tmp = dir.join(format!(
            ".{}.candor-tmp",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("shop")
        ));
        let _ = std::fs::remove_file(&tmp);
        let result = (|| {
            let mut conn = Connection::open(&tmp).map_err(|e| StoreError::sqlite(path, e))?;
            conn.pragma_update(None, "application_id", schema::APPLICATION_ID)
                .map_err(|e| StoreError::sqlite(path, e))?;
            schema::migrations()
                .to_latest(&mut conn)
                .map_err(|e| StoreError::Migration {
                    path: path.to_owned(),
                    detail: e.to_string(),
                })?;
            conn.pragma_update(None, "foreign_keys", true)
                .map_err(|e| StoreError::sqlite(path, e))?;
            write::write_shop(&mut conn, shop).map_err(|e| StoreError::sqlite(path, e))?;
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(|e| StoreError::sqlite(path, e))?;
            conn.close().map_err(|(_, e)| StoreError::sqlite(path, e))
        })();
        match result {
            Ok(()) => {
                remove_journals(path);
                std::fs::rename(&tmp, path).map_err(|e| StoreError::io(path, e))
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(e)
            }
        }
    }

    /// Loads the whole shop into memory.
    pub fn load(&self) -> Result<Shop, StoreError> {
        load::load_shop(&self.conn).map_err(|e| e.at(&self.path))
    }

    /// Loads the whole shop and where the audit log stood, both read in one transaction so
    /// that the head describes exactly this snapshot (see [`Basis`]).
    pub fn load_snapshot(&self) -> Result<(Shop, LogHead), StoreError> {
        let sql = |e| StoreError::sqlite(&self.path, e);
        let tx = self.conn.unchecked_transaction().map_err(sql)?;
        let shop = load::load_shop(&tx).map_err(|e| e.at(&self.path))?;
        let head = chain::log_head(&tx).map_err(sql)?;
        tx.finish().map_err(sql)?;
        Ok((shop, head))
    }

    /// Where the audit log stands now.
    pub fn log_head(&self) -> Result<LogHead, StoreError> {
        chain::log_head(&self.conn).map_err(|e| StoreError::sqlite(&self.path, e))
    }

    /// Reads the shop-wide settings only (name, currency, list length, …).
    pub fn settings(&self) -> Result<crate::engine::model::Settings, StoreError> {
        load::load_settings(&self.conn).map_err(|e| e.at(&self.path))
    }

    /// Whether the shop holds any price (a product's or an order line's): until it does, its
    /// currency can still be set by the first import with prices.
    pub fn holds_prices(&self) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM products WHERE price_cents IS NOT NULL)
                     OR EXISTS (SELECT 1 FROM order_lines WHERE unit_price_cents IS NOT NULL)",
                [],
                |r| r.get(0),
            )
            .map_err(|e| StoreError::sqlite(&self.path, e))
    }

    /// The hash of audit-log entry `id`, if the log holds it.
    pub fn entry_hash(&self, id: i64) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row("SELECT hash FROM audit_log WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| StoreError::sqlite(&self.path, e))
    }

    /// The file's schema version.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| StoreError::sqlite(&self.path, e))
    }

    /// The file this store reads.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file is protected with a password (encrypted).
    pub fn is_protected(&self) -> bool {
        self.protected
    }

    /// Whether the file was opened read-only.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }
}

/// A read-only connection that waits briefly for a writer instead of failing at once.
fn open_read_only(path: &Path) -> Result<Connection, StoreError> {
    let conn = protection::connect(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| StoreError::sqlite(path, e))?;
    Ok(conn)
}

/// Opens `path` strictly read-only and returns its schema version, refusing files that
/// are not SQLite or not a Candor shop. Nothing is written.
fn check_file(path: &Path) -> Result<i64, StoreError> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::Missing {
                path: path.to_owned(),
                what: "does not exist",
            });
        }
        Ok(meta) if meta.is_dir() => {
            return Err(StoreError::Missing {
                path: path.to_owned(),
                what: "is a folder, not a shop file",
            });
        }
        _ => {}
    }
    let conn = open_read_only(path)?;
    let app_id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|e| StoreError::sqlite(path, e))?;
    // Reading the schema also proves the file is a database and not locked.
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .map_err(|e| StoreError::sqlite(path, e))?;
    if app_id != schema::APPLICATION_ID {
        let detail = if tables == 0 {
            "it is an empty SQLite database".to_owned()
        } else {
            "it is a SQLite database of another program".to_owned()
        };
        return Err(StoreError::NotAShop {
            path: path.to_owned(),
            detail,
        });
    }
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| StoreError::sqlite(path, e))
}

fn configure(conn: &Connection, read_only: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    if !read_only {
        conn.pragma_update(None, "journal_mode", "WAL")?;
    }
    Ok(())
}

/// Removes the WAL and shared-memory files beside `path`, so a journal left by a file being
/// replaced is never replayed into the new one (gone already is fine).
pub(super) fn remove_journals(path: &Path) {
    for suffix in ["-wal", "-shm"] {
        let mut journal = path.as_os_str().to_owned();
        journal.push(suffix);
        let _ = std::fs::remove_file(journal);
    }
}

/// Copies the file (and any WAL beside it, checkpointed first by SQLite's backup API)
/// to `NAME.v{version}-backup` before an upgrade.
fn backup_copy(path: &Path, version: i64) -> Result<PathBuf, StoreError> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".v{version}-backup"));
    let backup = path.with_file_name(name);
    let src = protection::connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    protection::copy_database(&src, path, &backup)?;
    Ok(backup)
}

/// Reads every row of the tables a snapshot holds with a bare rusqlite scan and no
/// conversion: the floor that loading is compared against. Returns the rows read.
pub fn bare_scan(path: &Path) -> Result<usize, StoreError> {
    let conn = protection::connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut rows = 0;
    for sql in [
        "SELECT * FROM customers",
        "SELECT * FROM products",
        "SELECT * FROM orders ORDER BY id",
        "SELECT * FROM order_lines ORDER BY order_id, id",
        "SELECT * FROM consents",
        "SELECT * FROM rules",
    ] {
        let mut stmt = conn.prepare(sql).map_err(|e| StoreError::sqlite(path, e))?;
        let columns = stmt.column_count();
        let mut cursor = stmt.query([]).map_err(|e| StoreError::sqlite(path, e))?;
        while let Some(row) = cursor.next().map_err(|e| StoreError::sqlite(path, e))? {
            for i in 0..columns {
                let _ = row.get_ref(i).map_err(|e| StoreError::sqlite(path, e))?;
            }
            rows += 1;
        }
    }
    Ok(rows)
}
