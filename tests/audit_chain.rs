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
    assert_eq!(schema::current_version(), 12);
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
