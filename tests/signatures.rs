//! The owner's signatures on the audit log: an owner's entry rewritten with the whole chain
//! recomputed, an owner's action written without the owner's key, a signature removed or
//! made with a key of one's own, and a staff entry rewritten after the owner countersigned
//! it are each found by `log --verify` on any computer. The owner is set up and acts in a
//! separate process (the command line), as a person would, so this test process never holds
//! the owner's key.

mod common;

use std::path::Path;
use std::process::Command;

use candor::engine::changes::Change;
use candor::store::{Attribution, Store};
use rusqlite::Connection;

const OWNER: &str = "correct horse battery";

fn candor(path: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(args)
        .args(["--db", path.to_str().expect("utf-8")])
        .env("CANDOR_OWNER_PASSPHRASE", OWNER)
        .env("CANDOR_DATA_DIR", path.with_file_name("data"))
        .env_remove("CANDOR_SHOP_PASSWORD")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Applies `changes` (JSON) through the command line as `actor`.
fn apply(path: &Path, changes: &str, actor: &str) {
    let file = path.with_file_name(format!("{actor}.json"));
    std::fs::write(&file, format!(r#"{{"changes":[{changes}]}}"#)).expect("written");
    let file = file.to_str().expect("utf-8");
    candor(
        path,
        &[
            "apply",
            "--changes",
            file,
            "--actor",
            actor,
            "--reason",
            "a test",
        ],
    );
}

const RULE_OFF: &str = r#"{"kind":"rule_enabled","rule":"premium-for-40-plus","enabled":false}"#;
const WITHDRAWAL: &str =
    r#"{"kind":"consent","customer":1,"purpose":"personalization","granted":false}"#;

/// Runs `candor owner --db PATH action` with the secrets in `env`; returns what it printed.
fn owner(path: &Path, action: &str, env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_candor"));
    cmd.args(["owner", "--db", path.to_str().expect("utf-8"), action])
        .env("CANDOR_DATA_DIR", path.with_file_name("data"))
        .env_remove("CANDOR_OWNER_PASSPHRASE");
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A sample shop whose owner was set up, and switched a rule off, through the command line.
fn signed_shop() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, path) = common::sample_file();
    owner(&path, "set", &[("CANDOR_OWNER_PASSPHRASE", OWNER)]);
    apply(&path, RULE_OFF, "Sam");
    (dir, path)
}

fn problem(path: &Path) -> String {
    let report = Store::open(path)
        .expect("opens")
        .0
        .verify_log()
        .expect("verifies");
    assert!(!report.intact, "{report:?}");
    report.problem.unwrap_or_default()
}

fn rewrite(path: &Path, sql: &str) {
    let conn = Connection::open(path).expect("opens");
    conn.execute_batch(sql).expect("the attacker's edit");
    candor::store::chain::rechain_all(&conn).expect("the attacker recomputes the chain");
}

#[test]
fn the_owners_entries_are_signed_and_the_log_verifies() {
    let (_dir, path) = signed_shop();
    let out = candor(&path, &["log", "--verify"]);
    assert!(out.contains("intact: 2 entries"), "{out}");
    let conn = Connection::open(&path).expect("opens");
    let signed: Vec<(i64, String)> = conn
        .prepare("SELECT entry, kind FROM audit_signatures ORDER BY entry")
        .expect("prepares")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("reads")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        signed,
        vec![(1, "owner".to_owned()), (2, "owner".to_owned())]
    );
    let log = candor(&path, &["log"]);
    assert!(
        log.contains("signing key "),
        "the set-up pins the key: {log}"
    );
}

#[test]
fn an_owners_entry_rewritten_with_the_chain_recomputed_is_found() {
    let (_dir, path) = signed_shop();
    rewrite(
        &path,
        "UPDATE audit_log SET reason = 'the owner asked' WHERE id = 2",
    );
    let found = problem(&path);
    assert!(
        found.contains("entry 2 no longer matches the owner's signature on it"),
        "{found}"
    );
}

#[test]
fn an_owners_signature_removed_is_found() {
    let (_dir, path) = signed_shop();
    rewrite(&path, "DELETE FROM audit_signatures WHERE entry = 2");
    let found = problem(&path);
    assert!(
        found.contains("entry 2 records an owner's action but carries no owner's signature"),
        "{found}"
    );
}

#[test]
fn an_owners_action_written_without_the_owners_key_is_found() {
    let (_dir, path) = signed_shop();
    let (mut store, _) = Store::open(&path).expect("opens");
    let who = Attribution::now("Sam", "nobody checked");
    let on = Change::RuleEnabled {
        rule: "premium-for-40-plus".into(),
        enabled: true,
    };
    store
        .apply(None, &[on], &who, None, None)
        .expect("written by a script");
    drop(store);
    let found = problem(&path);
    assert!(
        found.contains("entry 3 records an owner's action but carries no owner's signature"),
        "{found}"
    );
}

#[test]
fn a_signature_made_with_a_key_of_ones_own_is_found() {
    let (_dir, path) = signed_shop();
    rewrite(
        &path,
        &format!(
            "UPDATE audit_signatures SET key = '{}' WHERE entry = 2",
            "ab".repeat(32)
        ),
    );
    let found = problem(&path);
    assert!(
        found.contains("entry 2 carries a signature by a key the audit log never recorded"),
        "{found}"
    );
}

#[test]
fn a_staff_entry_rewritten_after_the_owner_countersigned_it_is_found() {
    let (_dir, path) = signed_shop();
    apply(&path, WITHDRAWAL, "Kim");
    // The owner signs in for the next action, which countersigns staff's entry 3.
    apply(
        &path,
        r#"{"kind":"rule_weight","rule":"buy-again","weight":1.5}"#,
        "Sam",
    );
    let out = candor(&path, &["log", "--verify"]);
    assert!(out.contains("intact: 4 entries"), "{out}");
    rewrite(&path, "UPDATE audit_log SET actor = 'Sam' WHERE id = 3");
    let found = problem(&path);
    assert!(
        found.contains("entry 3 no longer matches the owner's signature on it"),
        "{found}"
    );
}

#[test]
fn a_new_passphrase_and_a_reset_carry_the_keys_from_before() {
    let (_dir, path) = signed_shop();
    let said = owner(
        &path,
        "change",
        &[
            ("CANDOR_OWNER_PASSPHRASE", OWNER),
            ("CANDOR_OWNER_NEW_PASSPHRASE", "a brand new passphrase"),
        ],
    );
    let code = said
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 23 && l.matches('-').count() == 3)
        .expect("the new recovery code")
        .to_owned();
    owner(
        &path,
        "reset-with-code",
        &[
            ("CANDOR_OWNER_RECOVERY_CODE", &code),
            ("CANDOR_OWNER_NEW_PASSPHRASE", "yet another passphrase"),
        ],
    );
    let report = Store::open(&path)
        .expect("opens")
        .0
        .verify_log()
        .expect("verifies");
    assert!(report.intact, "{report:?}");
    let conn = Connection::open(&path).expect("opens");
    let kinds: Vec<String> = conn
        .prepare("SELECT kind FROM audit_signatures WHERE entry >= 3 ORDER BY entry, kind")
        .expect("prepares")
        .query_map([], |r| r.get(0))
        .expect("reads")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(kinds, ["owner", "previous", "owner", "recovery"]);
}

#[test]
fn the_signatures_table_dropped_is_found() {
    let (_dir, path) = signed_shop();
    rewrite(&path, "DROP TABLE audit_signatures");
    let found = problem(&path);
    assert!(
        found.contains("the table of the owner's signatures was removed"),
        "{found}"
    );
}

/// Signs entry `id` as `kind` with `key`, as an attacker with the file can.
fn forge_signature(path: &Path, id: i64, kind: &str, key: &ed25519_dalek::SigningKey) {
    use ed25519_dalek::Signer;
    let conn = Connection::open(path).expect("opens");
    let hash: String = conn
        .query_row("SELECT hash FROM audit_log WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .expect("the entry");
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let signature = key.sign(format!("candor audit log entry {id} sealed {hash}").as_bytes());
    conn.execute(
        "INSERT OR REPLACE INTO audit_signatures (entry, kind, key, signature) VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![id, kind, hex(key.verifying_key().as_bytes()), hex(&signature.to_bytes())],
    )
    .expect("inserted");
}

#[test]
fn a_key_of_ones_own_slipped_in_as_a_new_owners_key_is_found() {
    let (_dir, path) = signed_shop();
    let mine = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let public: String = mine
        .verifying_key()
        .as_bytes()
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect();
    for (kind, signed_as) in [
        ("owner_signing_key_made", vec!["owner"]),
        ("owner_passphrase_changed", vec!["owner", "previous"]),
    ] {
        let copy = path.with_file_name(format!("{kind}.candor"));
        std::fs::copy(&path, &copy).expect("copied");
        let (mut store, _) = Store::open(&copy).expect("opens");
        let detail = format!("the owner's entries are signed from now on; signing key {public}");
        let event = candor::store::SubjectEvent::new(kind, None, detail);
        let id = store
            .record_event(&Attribution::now("the owner", "routine"), event)
            .expect("appended by a script");
        drop(store);
        for as_kind in signed_as {
            forge_signature(&copy, id, as_kind, &mine);
        }
        let found = problem(&copy);
        let expected = if kind == "owner_signing_key_made" {
            "claims to make the owner's first signing key"
        } else {
            "replaces the owner's key without a signature by the key it replaces"
        };
        assert!(found.contains(expected), "{kind}: {found}");
    }
}

#[test]
fn an_owner_set_up_before_keys_gets_one_at_sign_in_even_with_a_staff_list() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    let who = Attribution::now("the owner", "setting up the owner");
    store.set_up_owner(OWNER, &who).expect("set up");
    store.add_staff_name("Kim", "new starter").expect("added");
    drop(store);
    // As a shop set up before signatures: no keys in the file or in the set-up entry.
    common::edit_as_fixture(
        &path,
        "DELETE FROM audit_signatures;
         DELETE FROM shop_settings
           WHERE key IN ('owner_signing_key', 'owner_recovery_key', 'owner_signing_public');
         UPDATE audit_log SET entry =
           substr(entry, 1, instr(entry, '; signing key ') - 1)
           || substr(entry, instr(entry, '; signing key ') + 14 + 64 + 15 + 64)
           WHERE instr(entry, '; signing key ') > 0;",
    );
    let (mut store, _) = Store::open(&path).expect("opens");
    store
        .check_owner(OWNER, &Attribution::now("Sam (owner)", "a test"), "a test")
        .expect("the owner signs in, not on the staff list");
    let log = store.log().expect("log");
    let made = log.last().and_then(|e| e.event.clone()).expect("an event");
    assert_eq!(made.kind, "owner_signing_key_made");
    assert!(store.verify_log().expect("verifies").intact);
}
