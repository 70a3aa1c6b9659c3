//! The audit log is tamper-evident: editing or deleting an entry behind Candor's back
//! makes `log --verify` fail at that entry.

mod common;

use candor::engine::changes::Change;
use candor::store::{Attribution, Store, schema};
use predicates::prelude::*;
use rusqlite::Connection;

fn apply_three(path: &std::path::Path) {
    let (mut store, _) = Store::open(path).expect("opens");
    for weight in [0.5, 0.7, 0.9] {
        let who = Attribution {
            actor: "Sam".into(),
            reason: format!("try weight {weight}"),
            at: "2026-06-15T10:00:00+00:00".into(),
        };
        let change = [Change::RuleWeight {
            rule: "buy-again".into(),
            weight,
        }];
        store
            .apply(None, &change, &who, None, None)
            .expect("applies");
    }
}

fn verify(path: &std::path::Path) -> candor::store::chain::ChainReport {
    Store::open(path)
        .expect("opens")
        .0
        .verify_log()
        .expect("verifies")
}

#[test]
fn an_untouched_log_is_intact() {
    let (_dir, path) = common::sample_file();
    assert!(verify(&path).intact, "an empty log is intact");
    apply_three(&path);
    let report = verify(&path);
    assert!(report.intact, "{report:?}");
    assert_eq!(report.entries, 3);
}

#[test]
fn an_edited_entry_is_found() {
    let (_dir, path) = common::sample_file();
    apply_three(&path);
    Connection::open(&path)
        .expect("open")
        .execute(
            "UPDATE audit_log SET reason = 'nothing to see' WHERE id = 2",
            [],
        )
        .expect("tamper");
    let report = verify(&path);
    assert!(!report.intact);
    assert_eq!(report.first_bad_entry, Some(2));
}

#[test]
fn a_removed_entry_is_found() {
    let (_dir, path) = common::sample_file();
    apply_three(&path);
    Connection::open(&path)
        .expect("open")
        .execute("DELETE FROM audit_log WHERE id = 2", [])
        .expect("tamper");
    assert_eq!(verify(&path).first_bad_entry, Some(3));

    let (_dir2, path2) = common::sample_file();
    apply_three(&path2);
    Connection::open(&path2)
        .expect("open")
        .execute("DELETE FROM audit_log WHERE id = 3", [])
        .expect("tamper");
    let report = verify(&path2);
    assert!(!report.intact, "removing the newest entry is noticed");
    assert!(
        report
            .problem
            .expect("problem")
            .contains("latest entries were removed")
    );
}

#[test]
fn entries_written_before_the_chain_are_chained_on_upgrade() {
    let (_dir, path) = common::sample_file();
    let conn = Connection::open(&path).expect("open");
    // Turn the file back into a version-2 shop holding one unchained entry.
    conn.execute_batch(
        "ALTER TABLE audit_log DROP COLUMN prev_hash; ALTER TABLE audit_log DROP COLUMN hash;
         ALTER TABLE audit_log DROP COLUMN state;
         ALTER TABLE consents DROP COLUMN words;
         ALTER TABLE consents DROP COLUMN recorded_at; ALTER TABLE consents DROP COLUMN decided_on;
         ALTER TABLE consents DROP COLUMN wording;
         DROP TABLE import_keys; DROP TABLE erased_keys;
         DROP TABLE log_value_owners; DROP TABLE log_values;
         ALTER TABLE purposes DROP COLUMN fields;
         DROP TABLE preferences; DELETE FROM personal_fields WHERE field = 'preferences';
         DROP TABLE audit_signatures;
         DELETE FROM shop_settings WHERE key IN ('audit_head', 'audit_count');
         INSERT INTO audit_log (at, actor, reason, entry) VALUES
           ('2026-01-01T00:00:00+00:00', 'Jo', 'old change', '{\"changes\":[],\"impact\":null,\"undoes\":null}');
         PRAGMA user_version = 2;",
    )
    .expect("downgrade");
    drop(conn);
    let (store, report) = Store::open(&path).expect("upgrades");
    assert!(report.backup.is_some());
    let chain = store.verify_log().expect("verifies");
    // The old entry, and the upgrade that added the stated preferences to the catalogue.
    assert!(chain.intact && chain.entries == 2, "{chain:?}");
    assert_eq!(schema::current_version(), 13);
}

#[test]
fn the_cli_says_intact_or_names_the_entry() {
    let (_dir, path) = common::sample_file();
    apply_three(&path);
    let db = path.to_str().expect("path");
    assert_cmd::Command::cargo_bin("candor")
        .expect("binary")
        .args(["log", "--db", db, "--verify"])
        .assert()
        .success()
        .stdout(predicate::str::contains("intact"));
    Connection::open(&path)
        .expect("open")
        .execute(
            "UPDATE audit_log SET actor = 'someone else' WHERE id = 1",
            [],
        )
        .expect("tamper");
    assert_cmd::Command::cargo_bin("candor")
        .expect("binary")
        .args(["log", "--db", db, "--verify"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("entry 1 was altered"));
}

#[test]
fn a_middle_entry_removed_and_the_rest_chained_again_is_found_by_its_number() {
    let (_dir, path) = common::sample_file();
    apply_three(&path);
    let conn = Connection::open(&path).expect("open");
    conn.execute("DELETE FROM audit_log WHERE id = 2", [])
        .expect("tamper");
    // The attacker recomputes every hash and the head, as a script can.
    candor::store::chain::rechain_all(&conn).expect("rechains");
    drop(conn);
    let report = verify(&path);
    assert!(!report.intact, "{report:?}");
    assert_eq!(report.first_bad_entry, Some(3));
    assert!(
        report
            .problem
            .expect("problem")
            .contains("entry 2 is missing"),
        "the gap in the numbers gives it away"
    );
}

#[test]
fn every_page_candor_writes_ends_with_where_the_log_stood() {
    let (dir, path) = common::sample_file();
    apply_three(&path);
    let head = Store::open(&path)
        .expect("opens")
        .0
        .log_head()
        .expect("head");
    let anchor = format!(
        "Written when the shop's audit log held 3 entries, the newest with the fingerprint <code>{}</code>",
        &head.hash[..16]
    );
    let db = path.to_str().expect("utf-8");
    let out = |name: &str| dir.path().join(name);
    let run = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("candor")
            .expect("binary built")
            .args(args)
            .assert()
            .success();
    };
    let (audit, card, log) = (out("audit.html"), out("card.html"), out("log.html"));
    run(&[
        "audit",
        "--db",
        db,
        "--html",
        audit.to_str().expect("utf-8"),
    ]);
    run(&[
        "explain",
        "--db",
        db,
        "--customer",
        "1",
        "--card",
        card.to_str().expect("utf-8"),
    ]);
    run(&["log", "--db", db, "--html", log.to_str().expect("utf-8")]);
    run(&[
        "export-subject",
        "--db",
        db,
        "--customer",
        "1",
        "--out",
        dir.path().to_str().expect("utf-8"),
    ]);
    for page in [audit, card, log, out("customer-1.html")] {
        let text = std::fs::read_to_string(&page).expect("written");
        assert!(text.contains(&anchor), "{}: {text}", page.display());
    }
}

const PASSPHRASE: &str = "correct horse battery staple";

fn with_owner(path: &std::path::Path) {
    let (mut store, _) = Store::open(path).expect("opens");
    let who = Attribution::now("the owner", "setting up the owner");
    store.set_up_owner(PASSPHRASE, &who).expect("set up");
}

fn backup(db: &std::path::Path, out: &std::path::Path) -> assert_cmd::assert::Assert {
    assert_cmd::Command::cargo_bin("candor")
        .expect("binary")
        .args(["backup", "--db"])
        .arg(db)
        .arg("--out")
        .arg(out)
        .assert()
}

fn restore(
    db: &std::path::Path,
    from: &std::path::Path,
    data: &std::path::Path,
) -> assert_cmd::assert::Assert {
    assert_cmd::Command::cargo_bin("candor")
        .expect("binary")
        .env("CANDOR_OWNER_PASSPHRASE", PASSPHRASE)
        .env("CANDOR_DATA_DIR", data)
        .args([
            "restore",
            "--actor",
            "Jo",
            "--reason",
            "the till crashed",
            "--db",
        ])
        .arg(db)
        .arg("--from")
        .arg(from)
        .assert()
}

fn buy_again_weight(path: &std::path::Path) -> f64 {
    let shop = Store::open(path).expect("opens").0.load().expect("loads");
    shop.rules
        .iter()
        .find(|r| r.id == "buy-again")
        .expect("rule")
        .weight
}

fn set_weight(path: &std::path::Path, weight: f64) {
    let (mut store, _) = Store::open(path).expect("opens");
    let who = Attribution::now("Sam", "trying a weight");
    let change = [Change::RuleWeight {
        rule: "buy-again".into(),
        weight,
    }];
    store
        .apply(None, &change, &who, None, None)
        .expect("applies");
}

#[test]
fn a_backup_is_restored_with_an_entry_naming_what_it_took_back_and_the_log_stays_intact() {
    let (dir, path) = common::sample_file();
    let data = dir.path().join("data");
    with_owner(&path);
    apply_three(&path);
    let copy = dir.path().join("Monday.candor");
    backup(&path, &copy)
        .success()
        .stdout(predicate::str::contains("Backed up"));
    backup(&path, &copy)
        .failure()
        .stderr(predicate::str::contains("already there"));
    set_weight(&path, 0.3);
    set_weight(&path, 0.2);
    assert!((buy_again_weight(&path) - 0.2).abs() < 1e-12);
    // This computer saw the log reach entry 6 before the restore.
    assert_cmd::Command::cargo_bin("candor")
        .expect("binary")
        .env("CANDOR_DATA_DIR", &data)
        .args(["log", "--verify", "--db"])
        .arg(&path)
        .assert()
        .success();

    restore(&path, &copy, &data)
        .success()
        .stdout(predicate::str::contains(
            "Entries 5 to 6, made after the backup, were taken back",
        ));
    assert!(
        (buy_again_weight(&path) - 0.9).abs() < 1e-12,
        "as backed up"
    );
    let report = verify(&path);
    assert!(report.intact, "{report:?}");
    let log = Store::open(&path).expect("opens").0.log().expect("log");
    let last = log.last().expect("entry");
    assert_eq!(last.id, 7, "numbered after every entry the shop had");
    let event = last.event.as_ref().expect("an event");
    assert_eq!(event.kind, "restored");
    assert!(event.detail.contains("up to entry 4"), "{}", event.detail);
    // The log verifies, and this computer does not take the restore for a rewrite.
    assert_cmd::Command::cargo_bin("candor")
        .expect("binary")
        .env("CANDOR_DATA_DIR", &data)
        .args(["log", "--verify", "--db"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("intact"))
        .stdout(predicate::str::contains(
            "was taken back by the restore from a backup recorded as entry 7 by Jo",
        ));
    // Said once: this computer now remembers the log as restored.
    assert_cmd::Command::cargo_bin("candor")
        .expect("binary")
        .env("CANDOR_DATA_DIR", &data)
        .args(["log", "--verify", "--db"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("taken back").not());
    // A restore is not undone from the log: a later backup is restored instead.
    let (mut store, _) = Store::open(&path).expect("opens");
    let who = Attribution::now("Jo", "undo");
    let refused = store.undo(7, &who).expect_err("refused");
    assert!(refused.to_string().contains("restore"), "{refused}");
    drop(store);
    // Restoring the same backup again takes back everything after entry 4, the first
    // restore included, across the numbers that restore left out.
    set_weight(&path, 0.1);
    restore(&path, &copy, &data)
        .success()
        .stdout(predicate::str::contains("Entries 7 to 8"));
    let report = verify(&path);
    assert!(report.intact, "{report:?}");
    assert!((buy_again_weight(&path) - 0.9).abs() < 1e-12);
}

#[test]
fn a_backup_of_another_shop_or_with_a_broken_log_is_not_restored_and_nothing_changes() {
    let (dir, path) = common::sample_file();
    let data = dir.path().join("data");
    with_owner(&path);
    apply_three(&path);
    let (other_dir, other) = common::sample_file();
    let theirs = other_dir.path().join("theirs.candor");
    backup(&other, &theirs).success();
    restore(&path, &theirs, &data)
        .failure()
        .stderr(predicate::str::contains("another shop"))
        .stderr(predicate::str::contains("nothing was restored"));

    let ours = dir.path().join("ours.candor");
    backup(&path, &ours).success();
    Connection::open(&ours)
        .expect("open")
        .execute("UPDATE audit_log SET reason = 'edited' WHERE id = 2", [])
        .expect("tamper");
    restore(&path, &ours, &data)
        .failure()
        .stderr(predicate::str::contains("does not verify"));
    // Without the owner's passphrase nothing is restored either.
    let fresh = dir.path().join("fresh.candor");
    backup(&path, &fresh).success();
    assert_cmd::Command::cargo_bin("candor")
        .expect("binary")
        .env_remove("CANDOR_OWNER_PASSPHRASE")
        .env("CANDOR_DATA_DIR", &data)
        .args(["restore", "--actor", "Jo", "--reason", "r", "--db"])
        .arg(&path)
        .arg("--from")
        .arg(&fresh)
        .assert()
        .failure();
    assert_eq!(
        Store::open(&path)
            .expect("opens")
            .0
            .log()
            .expect("log")
            .len(),
        4,
        "the shop's log is as it was"
    );
}

#[test]
fn a_shop_file_that_does_not_open_is_not_replaced_by_a_restore() {
    let (dir, path) = common::sample_file();
    let data = dir.path().join("data");
    let copy = dir.path().join("copy.candor");
    backup(&path, &copy).success();
    std::fs::write(&path, b"not a shop at all").expect("damaged");
    restore(&path, &copy, &data).failure();
    assert_eq!(std::fs::read(&path).expect("reads"), b"not a shop at all");
}

#[test]
fn a_shop_file_that_is_gone_comes_back_from_its_backup_saying_so() {
    let (dir, path) = common::sample_file();
    let data = dir.path().join("data");
    apply_three(&path);
    let copy = dir.path().join("copy.candor");
    backup(&path, &copy).success();
    std::fs::remove_file(&path).expect("lost");
    restore(&path, &copy, &data).success();
    let log = Store::open(&path).expect("opens").0.log().expect("log");
    let event = log.last().and_then(|e| e.event.clone()).expect("restore");
    assert!(
        event.detail.contains("There was no shop file"),
        "{}",
        event.detail
    );
    assert!(verify(&path).intact);
}
