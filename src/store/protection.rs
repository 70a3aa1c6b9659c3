//! Encryption at rest: a shop protected with a password is a SQLCipher file (every page
//! encrypted with AES-256 and authenticated with HMAC-SHA512), so a copy of it shows no
//! customer's data to anyone without the password.
//!
//! The key is derived from the password once per file with Argon2id (the same cost as the
//! owner's passphrase), salted with the 16 random bytes SQLCipher keeps at the start of the
//! file, and handed to SQLCipher as a raw key; so opening the shop again, or a working copy of
//! it (same salt), costs no second derivation. The passwords a process was given (the
//! window's password box, [`SHOP_PASSWORD_ENV`], or the command line's prompt) are kept in
//! memory for the process's life and never written anywhere.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use argon2::Argon2;
use password_hash::rand_core::{OsRng, RngCore};
use rusqlite::{Connection, OpenFlags};

use super::StoreError;

/// The environment variable every command reads a protected shop's password from.
pub const SHOP_PASSWORD_ENV: &str = "CANDOR_SHOP_PASSWORD";

/// The first bytes of every unprotected SQLite file.
const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The smallest page SQLite writes: every database file is a whole number of them.
const MIN_PAGE: u64 = 512;

/// The random salt at the start of a protected file.
pub(super) type Salt = [u8; 16];

/// A key SQLCipher uses as it is (no second derivation), with the salt it belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct RawKey {
    key: [u8; 32],
    salt: Salt,
}

/// Asks someone for the password of a protected shop (the command line's terminal prompt);
/// `None` when nobody can be asked.
pub type PasswordSource = fn(&Path) -> Option<String>;

struct Keyring {
    passwords: Vec<String>,
    keys: HashMap<Salt, RawKey>,
    ask: Option<PasswordSource>,
}

fn keyring() -> &'static Mutex<Keyring> {
    static KEYRING: OnceLock<Mutex<Keyring>> = OnceLock::new();
    KEYRING.get_or_init(|| {
        Mutex::new(Keyring {
            passwords: Vec::new(),
            keys: HashMap::new(),
            ask: None,
        })
    })
}

fn with_keyring<T>(f: impl FnOnce(&mut Keyring) -> T) -> T {
    let mut ring = keyring()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    f(&mut ring)
}

/// Keeps `password` for this process, to open protected shops with.
pub fn remember_password(password: &str) {
    with_keyring(|ring| {
        if !ring.passwords.iter().any(|p| p == password) {
            ring.passwords.push(password.to_owned());
        }
    });
}

/// Lets the store ask for a protected shop's password when none it holds opens it.
pub fn set_password_source(source: PasswordSource) {
    with_keyring(|ring| ring.ask = Some(source));
}

/// Whether the file at `path` is protected with a password (its first bytes are not
/// SQLite's plain header). A missing or empty file is not protected.
pub fn is_protected(path: &Path) -> Result<bool, StoreError> {
    Ok(file_salt(path)?.is_some())
}

/// The salt of a protected file, or `None` for a plain, empty or missing one, or one that
/// cannot be an encrypted database (its size is not a whole number of pages: a text file,
/// say, which opening then calls what it is).
fn file_salt(path: &Path) -> Result<Option<Salt>, StoreError> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io(path, e)),
    };
    let size = file.metadata().map_err(|e| StoreError::io(path, e))?.len();
    if size < MIN_PAGE || size % MIN_PAGE != 0 {
        return Ok(None);
    }
    let mut first = [0u8; 16];
    let mut read = 0;
    while read < first.len() {
        match file.read(&mut first[read..]) {
            Ok(0) => return Ok(None),
            Ok(n) => read += n,
            Err(e) => return Err(StoreError::io(path, e)),
        }
    }
    Ok((&first != PLAIN_HEADER).then_some(first))
}

impl RawKey {
    /// Derives the key for `password` with `salt`.
    fn derive(password: &str, salt: Salt) -> Result<Self, StoreError> {
        let mut key = [0u8; 32];
        Argon2::default()
            .hash_password_into(password.as_bytes(), &salt, &mut key)
            .map_err(|e| StoreError::Protection(format!("the password could not be used: {e}")))?;
        Ok(Self { key, salt })
    }

    /// A key for a new protected file: `password` with a fresh random salt.
    pub(super) fn fresh(password: &str) -> Result<Self, StoreError> {
        let mut salt = [0u8; 16];
        OsRng.fill_bytes(&mut salt);
        let key = Self::derive(password, salt)?;
        with_keyring(|ring| ring.keys.insert(salt, key));
        Ok(key)
    }

    /// The key as SQLCipher reads it: `x'…'`, 32 key bytes then the 16 salt bytes, in hex.
    pub(super) fn spec(&self) -> String {
        let hex: String = self
            .key
            .iter()
            .chain(self.salt.iter())
            .map(|b| format!("{b:02X}"))
            .collect();
        format!("x'{hex}'")
    }
}

/// Opens `path` with `flags`, unlocking it when it is protected: with a key this process
/// already derived for its salt, else with each password it was given (then
/// [`SHOP_PASSWORD_ENV`], then the password source) until one opens it.
pub(super) fn connect(path: &Path, flags: OpenFlags) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(path, flags).map_err(|e| StoreError::sqlite(path, e))?;
    quiet(&conn, path)?;
    if let Some(salt) = file_salt(path)? {
        let key = key_for(path, salt)?;
        unlock(&conn, path, &key)?;
    }
    Ok(conn)
}

/// Stops SQLCipher's own logging to the terminal (a wrong password is reported once, in
/// words, by Candor). The setting is the library's, for the whole process.
fn quiet(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    conn.query_row("PRAGMA cipher_log_level = NONE", [], |_| Ok(()))
        .map_err(|e| StoreError::sqlite(path, e))
}

/// The key opening the protected file at `path`, whose salt is `salt`, if one this process
/// can get does.
pub(super) fn key_for(path: &Path, salt: Salt) -> Result<RawKey, StoreError> {
    if let Some(key) = with_keyring(|ring| ring.keys.get(&salt).copied()) {
        return Ok(key);
    }
    let mut tried_any = false;
    for password in candidates() {
        tried_any = true;
        if let Some(key) = try_password(path, salt, &password)? {
            return Ok(key);
        }
    }
    if let Some(ask) = with_keyring(|ring| ring.ask)
        && let Some(password) = ask(path)
    {
        tried_any = true;
        if let Some(key) = try_password(path, salt, &password)? {
            remember_password(&password);
            return Ok(key);
        }
    }
    Err(if tried_any {
        StoreError::WrongPassword {
            path: path.to_owned(),
        }
    } else {
        StoreError::Protected {
            path: path.to_owned(),
        }
    })
}

/// The passwords to try: those remembered, then the environment's.
fn candidates() -> Vec<String> {
    let mut all = with_keyring(|ring| ring.passwords.clone());
    if let Ok(from_env) = std::env::var(SHOP_PASSWORD_ENV)
        && !all.contains(&from_env)
    {
        all.push(from_env);
    }
    all
}

/// The key `password` gives for `salt`, when it opens the file at `path`.
fn try_password(path: &Path, salt: Salt, password: &str) -> Result<Option<RawKey>, StoreError> {
    let key = RawKey::derive(password, salt)?;
    let probe = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| StoreError::sqlite(path, e))?;
    quiet(&probe, path)?;
    match unlock(&probe, path, &key) {
        Ok(()) => {
            with_keyring(|ring| ring.keys.insert(salt, key));
            Ok(Some(key))
        }
        Err(StoreError::NotSqlite { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Gives `conn` the key and proves it by reading the schema.
fn unlock(conn: &Connection, path: &Path, key: &RawKey) -> Result<(), StoreError> {
    conn.pragma_update(None, "key", key.spec())
        .map_err(|e| StoreError::sqlite(path, e))?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|_| ())
    .map_err(|e| StoreError::sqlite(path, e))
}

/// The key of the shop open on `conn` at `path`, if it is protected.
pub(super) fn key_of(path: &Path) -> Result<Option<RawKey>, StoreError> {
    match file_salt(path)? {
        Some(salt) => key_for(path, salt).map(Some),
        None => Ok(None),
    }
}

/// Opens (creating) the file at `to` to be written as a copy of a shop with key `key`
/// (`None`: a plain file).
pub(super) fn create_keyed(to: &Path, key: Option<&RawKey>) -> Result<Connection, StoreError> {
    let conn = Connection::open(to).map_err(|e| StoreError::sqlite(to, e))?;
    if let Some(key) = key {
        conn.pragma_update(None, "key", key.spec())
            .map_err(|e| StoreError::sqlite(to, e))?;
    }
    Ok(conn)
}

/// Copies the database open on `src` (the file at `from`) to a new file `to`, protected as
/// `from` is, through SQLite's backup API (so others may read while it runs).
pub(super) fn copy_database(src: &Connection, from: &Path, to: &Path) -> Result<(), StoreError> {
    let key = key_of(from)?;
    let mut dst = create_keyed(to, key.as_ref())?;
    let backup =
        rusqlite::backup::Backup::new(src, &mut dst).map_err(|e| StoreError::sqlite(to, e))?;
    run_to_end(&backup, to)
}

/// Replaces the database open on `dst` (the file at `to`) by the file at `from`, which must
/// be protected as `to` is (see [`export`] to change a copy's protection first).
pub(super) fn restore_database(
    dst: &mut Connection,
    to: &Path,
    from: &Path,
) -> Result<(), StoreError> {
    let src = connect(from, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let backup = rusqlite::backup::Backup::new(&src, dst).map_err(|e| StoreError::sqlite(to, e))?;
    run_to_end(&backup, to)
}

fn run_to_end(backup: &rusqlite::backup::Backup<'_, '_>, path: &Path) -> Result<(), StoreError> {
    use rusqlite::backup::StepResult;
    let mut busy = 0;
    loop {
        match backup.step(1000).map_err(|e| StoreError::sqlite(path, e))? {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            StepResult::Busy | StepResult::Locked if busy < 20 => {
                busy += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            _ => {
                return Err(StoreError::Locked {
                    path: path.to_owned(),
                });
            }
        }
    }
}

/// Writes everything in the shop file at `from` (its journal included) into a new file
/// `to`, encrypted with `key` or, with `None`, plain: SQLCipher's `sqlcipher_export`, plus
/// the two header values it does not copy (the file's kind and schema version).
pub(super) fn export(from: &Path, to: &Path, key: Option<&RawKey>) -> Result<(), StoreError> {
    let _ = std::fs::remove_file(to);
    let source_key = key_of(from)?;
    let dst = create_keyed(to, key)?;
    let sql = |e| StoreError::sqlite(from, e);
    let source = from.to_str().ok_or_else(|| {
        StoreError::Protection(format!("{} is not a name SQLite can open", from.display()))
    })?;
    let spec = source_key.as_ref().map(RawKey::spec).unwrap_or_default();
    dst.execute(
        "ATTACH DATABASE ?1 AS candor_source KEY ?2",
        [source, spec.as_str()],
    )
    .map_err(sql)?;
    let copied = (|| {
        dst.query_row(
            "SELECT sqlcipher_export('main', 'candor_source')",
            [],
            |_| Ok(()),
        )?;
        for pragma in ["user_version", "application_id"] {
            let value: i64 = dst.pragma_query_value(Some("candor_source"), pragma, |r| r.get(0))?;
            dst.pragma_update(Some("main"), pragma, value)?;
        }
        Ok(())
    })()
    .map_err(sql);
    let detached = dst
        .execute("DETACH DATABASE candor_source", [])
        .map_err(sql);
    copied.and(detached.map(|_| ()))
}
