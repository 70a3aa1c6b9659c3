//! The owner's signatures on the audit log, so that an entry rewritten (with the chain, the
//! head and the count recomputed) is found by any computer, not only one that saw it.
//!
//! Setting up the owner makes two Ed25519 keys: the owner's signing key, whose secret half is
//! sealed (Argon2id + ChaCha20-Poly1305) under the owner's passphrase, and a recovery key
//! sealed under the recovery code. The entry recording the set-up names both public halves
//! (so they are pinned in the hash-chained log) and is signed by the new signing key. A
//! change of passphrase makes new keys and is also signed by the old signing key; a reset
//! with the recovery code is also signed by the recovery key pinned before it.
//!
//! While the owner is signed in (the passphrase was checked in this process), every entry
//! written is signed, and signing in countersigns the newest entry, which through the chain
//! vouches for every entry before it (staff entries included). Signatures are kept beside
//! the log (`audit_signatures`) over each entry's number and hash, so sealing and erasure,
//! which never change an entry's hash, leave them valid.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use password_hash::rand_core::{OsRng, RngCore};
use rusqlite::{Connection, OptionalExtension, params};

/// The `shop_settings` key of the owner's public signing key (hex).
pub(super) const PUBLIC_KEY: &str = "owner_signing_public";
/// The `shop_settings` key of the owner's signing key, sealed under the passphrase.
pub(super) const SEALED_KEY: &str = "owner_signing_key";
/// The `shop_settings` key of the recovery key, sealed under the recovery code.
pub(super) const SEALED_RECOVERY: &str = "owner_recovery_key";

/// How an owner event's detail names the signing key it pins.
pub const SIGNING_MARK: &str = "signing key ";
/// How an owner event's detail names the recovery key it pins.
pub const RECOVERY_MARK: &str = "recovery key ";

/// The kinds of signature: by the owner (an entry written while signed in, or one that
/// pins new keys, by those keys), a countersignature at sign-in, by the key pinned before a
/// change, and by the recovery key for a reset.
pub const OWNER: &str = "owner";
/// See [`OWNER`].
pub const COUNTERSIGN: &str = "countersign";
/// See [`OWNER`].
pub const PREVIOUS: &str = "previous";
/// See [`OWNER`].
pub const RECOVERY: &str = "recovery";

/// A new random Ed25519 key.
pub(super) fn new_key() -> SigningKey {
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    SigningKey::from_bytes(&secret)
}

/// The public half of `key`, in hex.
pub(super) fn public_hex(key: &SigningKey) -> String {
    hex(key.verifying_key().as_bytes())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

fn wrapping_key(secret: &str, salt: &[u8]) -> Option<ChaCha20Poly1305> {
    let mut key = [0u8; 32];
    argon2::Argon2::default()
        .hash_password_into(secret.as_bytes(), salt, &mut key)
        .ok()?;
    ChaCha20Poly1305::new_from_slice(&key).ok()
}

/// `key`'s secret half sealed under `secret`: `v1:` salt, nonce and ciphertext in hex.
pub(super) fn seal(key: &SigningKey, secret: &str) -> Option<String> {
    let (mut salt, mut nonce) = ([0u8; 16], [0u8; 12]);
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut nonce);
    let sealed = wrapping_key(secret, &salt)?
        .encrypt(Nonce::from_slice(&nonce), key.to_bytes().as_slice())
        .ok()?;
    Some(format!(
        "v1:{}:{}:{}",
        hex(&salt),
        hex(&nonce),
        hex(&sealed)
    ))
}

/// The key sealed in `sealed`, if `secret` opens it.
pub(super) fn unseal(sealed: &str, secret: &str) -> Option<SigningKey> {
    let mut parts = sealed.strip_prefix("v1:")?.split(':');
    let (salt, nonce, body) = (
        unhex(parts.next()?)?,
        unhex(parts.next()?)?,
        unhex(parts.next()?)?,
    );
    if nonce.len() != 12 {
        return None;
    }
    let secret_bytes = wrapping_key(secret, &salt)?
        .decrypt(Nonce::from_slice(&nonce), body.as_slice())
        .ok()?;
    let bytes: [u8; 32] = secret_bytes.try_into().ok()?;
    Some(SigningKey::from_bytes(&bytes))
}

fn message(entry: i64, hash: &str) -> Vec<u8> {
    format!("candor audit log entry {entry} sealed {hash}").into_bytes()
}

fn unlocked() -> &'static Mutex<HashMap<String, SigningKey>> {
    static UNLOCKED: OnceLock<Mutex<HashMap<String, SigningKey>>> = OnceLock::new();
    UNLOCKED.get_or_init(|| Mutex::new(HashMap::new()))
}

fn with_unlocked<T>(f: impl FnOnce(&mut HashMap<String, SigningKey>) -> T) -> T {
    let mut keys = unlocked()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    f(&mut keys)
}

/// Keeps `key` unlocked for this process: entries of the shop it belongs to are signed.
pub(super) fn keep_unlocked(key: &SigningKey) {
    with_unlocked(|keys| keys.insert(public_hex(key), key.clone()));
}

/// Forgets the unlocked owner's key whose public half is `public` (the window switching
/// back to staff): later entries are not signed as the owner's.
pub fn forget_owner_key(public: &str) {
    with_unlocked(|keys| keys.remove(public));
}

impl super::Store {
    /// The owner's public signing key (hex), when the shop has one.
    pub fn owner_signing_public(&self) -> Result<Option<String>, super::StoreError> {
        self.setting(PUBLIC_KEY)
    }
}

/// Whether the owner of the shop on `conn` is signed in here (their key is unlocked).
pub(super) fn owner_signed_in(conn: &Connection) -> rusqlite::Result<bool> {
    Ok(active_key(conn)?.is_some())
}

/// The owner's key of the shop on `conn`, when it is unlocked in this process.
fn active_key(conn: &Connection) -> rusqlite::Result<Option<SigningKey>> {
    let Some(public) = super::setting(conn, PUBLIC_KEY)? else {
        return Ok(None);
    };
    Ok(with_unlocked(|keys| keys.get(&public).cloned()))
}

/// Whether the file has the signatures' table (files before version 13, and those being
/// upgraded, have none).
fn has_signatures_table(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'audit_signatures')",
        [],
        |r| r.get(0),
    )
}

/// Signs entry `id` as `kind` with `key`.
pub(super) fn sign(
    conn: &Connection,
    id: i64,
    kind: &str,
    key: &SigningKey,
) -> rusqlite::Result<()> {
    let hash: String = conn.query_row("SELECT hash FROM audit_log WHERE id = ?1", [id], |r| {
        r.get(0)
    })?;
    let signature = key.sign(&message(id, &hash));
    conn.execute(
        "INSERT OR REPLACE INTO audit_signatures (entry, kind, key, signature) VALUES (?1, ?2, ?3, ?4)",
        params![id, kind, public_hex(key), hex(&signature.to_bytes())],
    )?;
    Ok(())
}

/// Signs the entry `id` just written as the owner's, when the owner is signed in here.
pub(super) fn sign_new_entry(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    let Some(key) = active_key(conn)? else {
        return Ok(());
    };
    let has_table = has_signatures_table(conn)?;
    // An entry written while an older file is upgraded, before the table exists.
    if !has_table {
        return Ok(());
    }
    sign(conn, id, OWNER, &key)
}

/// Countersigns the newest entry with the owner's unlocked key, unless it is signed
/// already: through the chain, this vouches for every entry before it.
pub(super) fn countersign_head(conn: &Connection) -> rusqlite::Result<()> {
    let Some(key) = active_key(conn)? else {
        return Ok(());
    };
    let newest: Option<i64> = conn
        .query_row("SELECT max(id) FROM audit_log", [], |r| r.get(0))
        .optional()?
        .flatten();
    let Some(newest) = newest else {
        return Ok(());
    };
    let signed: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM audit_signatures WHERE entry = ?1)",
        [newest],
        |r| r.get(0),
    )?;
    if signed {
        return Ok(());
    }
    sign(conn, newest, COUNTERSIGN, &key)
}

/// One stored signature.
struct Stored {
    entry: i64,
    kind: String,
    key: String,
    signature: String,
}

/// The keys an owner event pins (public halves, in hex).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Pin {
    /// The event's kind.
    pub kind: String,
    /// The owner's signing key.
    pub signing: String,
    /// The recovery key, when the event made one.
    pub recovery: Option<String>,
}

/// The owner events that may pin keys.
pub(super) const PINNING_EVENTS: [&str; 4] = [
    "owner_set_up",
    "owner_passphrase_changed",
    "owner_reset_with_code",
    "owner_signing_key_made",
];

impl Pin {
    /// The keys an owner event of `kind` with `detail` pins, if it pins any.
    pub(super) fn of(kind: &str, detail: &str) -> Option<Self> {
        if !PINNING_EVENTS.contains(&kind) {
            return None;
        }
        let key_after = |mark: &str| {
            let at = detail.find(mark)? + mark.len();
            let key = detail.get(at..at + 64)?;
            key.bytes()
                .all(|b| b.is_ascii_hexdigit())
                .then(|| key.to_owned())
        };
        Some(Self {
            kind: kind.to_owned(),
            signing: key_after(SIGNING_MARK)?,
            recovery: key_after(RECOVERY_MARK),
        })
    }
}

/// An entry's facts the signature check reads.
pub(super) struct EntryFacts {
    /// The entry's number.
    pub id: i64,
    /// Its hash.
    pub hash: String,
    /// The keys it pins, for an owner event that pins keys.
    pub pin: Option<Pin>,
    /// Whether the entry records an owner's action (a change only the owner may make).
    pub owners_action: bool,
    /// Whether its body could not be read (checked once a key is pinned).
    pub unreadable: bool,
}

/// What is wrong with the owner's signatures, if anything: the first problem, in words,
/// with the entry it concerns. Walks the log in order, knowing at each entry which key was
/// the owner's (the one pinned last): every signature must be by the key of its time, each
/// pin signed by its new key and, for a change or a reset, by the key or recovery key before
/// it; every owner's action after the first pin must be signed.
pub(super) fn check(
    conn: &Connection,
    entries: &[EntryFacts],
) -> rusqlite::Result<Option<(i64, String)>> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let has_table = has_signatures_table(conn)?;
    if !has_table {
        // A file of a version before 13 (nothing was signed then) may lack it; a later one
        // must have it.
        return Ok((version >= 13).then(|| {
            let first = entries.first().map_or(1, |e| e.id);
            (
                first,
                "the table of the owner's signatures was removed from the file: the audit log's signatures cannot be checked".to_owned(),
            )
        }));
    }
    let stored = read_signatures(conn)?;
    if let Some(s) = stored
        .iter()
        .find(|s| !entries.iter().any(|e| e.id == s.entry))
    {
        return Ok(Some((
            s.entry,
            format!(
                "entry {} was signed by the owner but is missing from the log: entries were removed",
                s.entry
            ),
        )));
    }
    let mut current: Option<&Pin> = None;
    for entry in entries {
        let signatures: Vec<&Stored> = stored.iter().filter(|s| s.entry == entry.id).collect();
        let problem = match &entry.pin {
            Some(pin) => check_pin(entry, pin, current, &signatures),
            None => check_entry(entry, current, &signatures),
        };
        if let Some(problem) = problem {
            return Ok(Some((entry.id, problem)));
        }
        if let Some(pin) = &entry.pin {
            current = Some(pin);
        }
    }
    Ok(None)
}

fn read_signatures(conn: &Connection) -> rusqlite::Result<Vec<Stored>> {
    let mut stmt = conn
        .prepare("SELECT entry, kind, key, signature FROM audit_signatures ORDER BY entry, kind")?;
    stmt.query_map([], |r| {
        Ok(Stored {
            entry: r.get(0)?,
            kind: r.get(1)?,
            key: r.get(2)?,
            signature: r.get(3)?,
        })
    })?
    .collect()
}

/// Whether `s` is a valid signature of `entry` by the key `key`.
fn signs(s: &Stored, entry: &EntryFacts, key: &str) -> bool {
    s.key == key
        && unhex(&s.key)
            .and_then(|k| VerifyingKey::from_bytes(&k.try_into().ok()?).ok())
            .zip(unhex(&s.signature).and_then(|b| Signature::from_slice(&b).ok()))
            .is_some_and(|(k, sig)| k.verify(&message(entry.id, &entry.hash), &sig).is_ok())
}

fn rewritten(id: i64) -> String {
    format!(
        "entry {id} no longer matches the owner's signature on it: the audit log was rewritten after the owner signed it"
    )
}

/// The signatures of an entry that pins keys.
fn check_pin(
    entry: &EntryFacts,
    pin: &Pin,
    before: Option<&Pin>,
    sigs: &[&Stored],
) -> Option<String> {
    let id = entry.id;
    if pin.kind == "owner_signing_key_made" && before.is_some() {
        return Some(format!(
            "entry {id} claims to make the owner's first signing key, but the log already holds one: it was written outside Candor"
        ));
    }
    let by = |kind: &str, key: &str| sigs.iter().find(|s| s.kind == kind && s.key == key);
    match by(OWNER, &pin.signing) {
        None => {
            return Some(format!(
                "entry {id} records the owner's new key but is not signed by it: signatures were removed from the log"
            ));
        }
        Some(s) if !signs(s, entry, &pin.signing) => return Some(rewritten(id)),
        Some(_) => {}
    }
    let before = before?;
    let previous = by(PREVIOUS, &before.signing);
    let recovery = before
        .recovery
        .as_deref()
        .and_then(|k| by(RECOVERY, k).map(|s| (s, k)));
    if let Some(s) = previous
        && !signs(s, entry, &before.signing)
    {
        return Some(rewritten(id));
    }
    if let Some((s, key)) = recovery
        && !signs(s, entry, key)
    {
        return Some(rewritten(id));
    }
    // A reset of a shop whose key was made before recovery keys existed has none to sign.
    let legacy_reset = pin.kind == "owner_reset_with_code" && before.recovery.is_none();
    (previous.is_none() && recovery.is_none() && !legacy_reset).then(|| {
        format!(
            "entry {id} replaces the owner's key without a signature by the key it replaces or by the recovery code's key: the owner was set up again without either"
        )
    })
}

/// The signatures of any other entry: by the owner's key of the time, and present on an
/// owner's action.
fn check_entry(entry: &EntryFacts, current: Option<&Pin>, sigs: &[&Stored]) -> Option<String> {
    let id = entry.id;
    let Some(current) = current else {
        return sigs.first().map(|_| {
            format!("entry {id} carries a signature by a key the audit log never recorded as the owner's")
        });
    };
    for s in sigs {
        if ![OWNER, COUNTERSIGN].contains(&s.kind.as_str()) || s.key != current.signing {
            return Some(format!(
                "entry {id} carries a signature by a key the audit log never recorded as the owner's at that time"
            ));
        }
        if !signs(s, entry, &current.signing) {
            return Some(rewritten(id));
        }
    }
    if entry.unreadable {
        return Some(format!(
            "entry {id} cannot be read as an audit-log entry: it was written outside Candor"
        ));
    }
    (entry.owners_action && !sigs.iter().any(|s| s.kind == OWNER)).then(|| {
        format!(
            "entry {id} records an owner's action but carries no owner's signature: it was written or rewritten outside Candor, or its signature was removed"
        )
    })
}

/// Signs again every signature whose key is unlocked in this process, after a fixture
/// re-chained the log (tests build situations Candor's own changes cannot reach this way).
pub fn resign_for_fixture(conn: &Connection) -> rusqlite::Result<()> {
    for s in read_signatures(conn)? {
        if let Some(key) = with_unlocked(|keys| keys.get(&s.key).cloned()) {
            sign(conn, s.entry, &s.kind, &key)?;
        }
    }
    Ok(())
}
