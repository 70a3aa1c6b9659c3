//! What can go wrong with a shop file, in words a shop owner understands.

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

/// A shop file that cannot be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file is missing or unreadable.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// No file (or a folder) where the shop file was to be.
    #[error("{} {what}: check the shop file's name and folder", path.display())]
    Missing {
        /// The path given.
        path: PathBuf,
        /// What is there instead, in words ("does not exist", "is a folder").
        what: &'static str,
    },
    /// The file is not a SQLite database at all.
    #[error("{} is not a Candor shop file: it is not a SQLite database", path.display())]
    NotSqlite {
        /// The file.
        path: PathBuf,
    },
    /// The file is protected with a password, and none was given.
    #[error(
        "{} is protected with a password, or is not a shop file at all: type the shop's password to open it (on the command line, set CANDOR_SHOP_PASSWORD or type it when asked)",
        path.display()
    )]
    Protected {
        /// The file.
        path: PathBuf,
    },
    /// The file is protected with a password, and the one given does not open it.
    #[error(
        "the password given does not open {} (or it is not a shop file at all): check it and try again (a forgotten shop password cannot be recovered; a backup made before the shop was protected opens without one)",
        path.display()
    )]
    WrongPassword {
        /// The file.
        path: PathBuf,
    },
    /// Protecting the file, or taking its protection off, failed; the file is as it was.
    #[error("{0}")]
    Protection(String),
    /// A SQLite database, but not one written by Candor.
    #[error("{} is not a Candor shop file: {detail}", path.display())]
    NotAShop {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        detail: String,
    },
    /// Written by a newer Candor.
    #[error(
        "{} was written by a newer version of Candor (shop format {found}; this version reads up to {supported}). Please update Candor.",
        path.display()
    )]
    Newer {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build reads.
        supported: i64,
    },
    /// Another program holds the file.
    #[error("{} is locked by another program; close it there and try again", path.display())]
    Locked {
        /// The file.
        path: PathBuf,
    },
    /// The file cannot be written.
    #[error("{} is read-only, so Candor cannot {action}", path.display())]
    ReadOnly {
        /// The file.
        path: PathBuf,
        /// What was attempted.
        action: &'static str,
    },
    /// Upgrading an older shop file failed; the backup is untouched.
    #[error("{} could not be upgraded: {detail}", path.display())]
    Migration {
        /// The file.
        path: PathBuf,
        /// The cause.
        detail: String,
    },
    /// A row holds a value Candor cannot use.
    #[error("{}: table {table}, row {row}: {detail}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The table.
        table: &'static str,
        /// The row's key.
        row: String,
        /// What is wrong.
        detail: String,
    },
    /// Any other database error.
    #[error("{}: {source}", path.display())]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: rusqlite::Error,
    },
}

impl StoreError {
    /// Wraps an I/O error with the file's name.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_owned(),
            source,
        }
    }

    /// Turns a SQLite error into the plainest matching message.
    pub fn sqlite(path: &Path, source: rusqlite::Error) -> Self {
        let path = path.to_owned();
        match source.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => Self::NotSqlite { path },
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Self::Locked { path },
            Some(ErrorCode::ReadOnly) => Self::ReadOnly {
                path,
                action: "save changes to it",
            },
            _ => Self::Sqlite { path, source },
        }
    }
}

/// A load problem before the file name is known (see [`LoadError::at`]).
#[derive(Debug)]
pub enum LoadError {
    /// A database error.
    Sqlite(rusqlite::Error),
    /// A row with an unusable value.
    Corrupt {
        /// The table.
        table: &'static str,
        /// The row's key.
        row: String,
        /// What is wrong.
        detail: String,
    },
}

impl From<rusqlite::Error> for LoadError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sqlite(e)
    }
}

impl LoadError {
    /// Names the file.
    pub fn at(self, path: &Path) -> StoreError {
        match self {
            Self::Sqlite(e) => StoreError::sqlite(path, e),
            Self::Corrupt { table, row, detail } => StoreError::Corrupt {
                path: path.to_owned(),
                table,
                row,
                detail,
            },
        }
    }
}
