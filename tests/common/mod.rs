//! Shared helpers for the integration tests.

pub mod window;

use std::path::PathBuf;

use chrono::NaiveDate;

/// The sample shop's pinned day.
#[allow(dead_code)] // each test binary compiles this module; not all use every helper
pub fn sample_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).expect("valid date")
}

/// Writes a fresh sample shop into a temporary folder.
/// The owner's passphrase of the shops [`owned_sample_file`] writes.
pub const OWNER_PASSPHRASE: &str = "correct horse battery";

/// A fresh sample shop whose owner is set up with [`OWNER_PASSPHRASE`] (one log entry).
#[allow(dead_code)]
pub fn owned_sample_file() -> (tempfile::TempDir, PathBuf) {
    let (dir, path) = sample_file();
    ensure_owner(&path, OWNER_PASSPHRASE);
    (dir, path)
}

/// Sets up the owner of the shop at `path` with `passphrase`, unless it has one.
#[allow(dead_code)]
pub fn ensure_owner(path: &std::path::Path, passphrase: &str) {
    let (mut store, _) = candor::store::Store::open(path).expect("opens");
    if store.owner_state().expect("reads") != candor::store::OwnerState::SetUp {
        store
            .set_up_owner(
                passphrase,
                &candor::store::Attribution::now("the owner", "setting up the owner"),
            )
            .expect("the owner is set up");
    }
}

pub fn sample_file() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("shop.candor");
    let shop = candor::shopgen::sample::sample_shop().expect("sample reads");
    candor::store::Store::create(&path, &shop).expect("sample written");
    (dir, path)
}

/// The real Online Retail data set, when this machine has it (a notice says when not).
#[allow(dead_code)]
pub fn online_retail() -> Option<PathBuf> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/online-retail/online-retail.csv.gz");
    if path.exists() {
        Some(path)
    } else {
        println!("skipped: {} is absent on this machine", path.display());
        None
    }
}

/// Edits a shop file directly with `sql` to set up a test's situation, then records the
/// edited contents as the newest entry's digest and re-chains the log, as if Candor had
/// written it that way. (It is what an attacker who recomputes everything does; tests use
/// it only to build fixtures Candor's own changes cannot reach, such as old dates.)
#[allow(dead_code)]
pub fn edit_as_fixture(path: &std::path::Path, sql: &str) {
    let conn = rusqlite::Connection::open(path).expect("opens the shop file");
    conn.execute_batch(sql).expect("the fixture's SQL runs");
    let digest = candor::store::state::digest(&conn, true).expect("digests the shop");
    conn.execute(
        "UPDATE audit_log SET state = ?1 WHERE id = (SELECT max(id) FROM audit_log)",
        [digest.to_text()],
    )
    .expect("records the digest");
    candor::store::chain::rechain_all(&conn).expect("re-chains the log");
    candor::store::signing::resign_for_fixture(&conn).expect("signs again what was signed");
}

/// Every file SQLite may have written for the shop: the database, its WAL, shared memory
/// and rollback journal.
#[allow(dead_code)]
pub fn file_bytes(path: &std::path::Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).expect("shop file");
    for suffix in ["-wal", "-shm", "-journal"] {
        if let Ok(more) = std::fs::read(format!("{}{suffix}", path.display())) {
            bytes.extend(more);
        }
    }
    bytes
}

/// Whether `text` is anywhere in those files.
#[allow(dead_code)]
pub fn file_holds(path: &std::path::Path, text: &str) -> bool {
    contains_bytes(&file_bytes(path), text)
}

/// Whether `text` is anywhere in `bytes`.
#[allow(dead_code)]
pub fn contains_bytes(bytes: &[u8], text: &str) -> bool {
    bytes.windows(text.len()).any(|w| w == text.as_bytes())
}
