//! A change made to the shop file outside Candor (a SQLite tool editing a rule, flipping a
//! consent, altering an order) is found by `log --verify`, even after Candor has written
//! to the file since, and changes Candor makes itself never look like one.

mod common;

use candor::engine::changes::Change;
use candor::store::{Attribution, Store};
use egui_kittest::kittest::Queryable;
use predicates::prelude::*;
use rusqlite::Connection;

fn apply(path: &std::path::Path, change: Change) -> i64 {
    let (mut store, _) = Store::open(path).expect("opens");
    store
        .apply(
            None,
            &[change],
            &Attribution::now("Sam", "a test"),
            None,
            None,
        )
        .expect("applies")
        .entry
}

fn weight(w: f64) -> Change {
    Change::RuleWeight {
        rule: "buy-again".into(),
        weight: w,
    }
}

fn verify(path: &std::path::Path) -> candor::store::chain::ChainReport {
    Store::open(path)
        .expect("opens")
        .0
        .verify_log()
        .expect("verifies")
}

fn sql(path: &std::path::Path, sql: &str) {
    Connection::open(path)
        .expect("opens")
        .execute_batch(sql)
        .expect("edits");
}

#[test]
fn candors_own_changes_keep_the_contents_as_recorded() {
    let (_dir, path) = common::sample_file();
    assert!(
        !verify(&path).contents_checked,
        "no entry records the contents yet"
    );
    apply(&path, weight(0.5));
    let report = verify(&path);
    assert!(report.intact && report.contents_checked, "{report:?}");
}

#[test]
fn a_rule_edited_with_a_sqlite_tool_is_found() {
    let (_dir, path) = common::sample_file();
    let entry = apply(&path, weight(0.5));
    sql(
        &path,
        "UPDATE rules SET definition = replace(definition, '\"enabled\":true', '\"enabled\":false')
         WHERE position = (SELECT min(position) FROM rules)",
    );
    let report = verify(&path);
    assert!(!report.intact);
    assert_eq!(report.changed_outside_after, Some(entry));
    let problem = report.problem.expect("a problem");
    assert!(
        problem.contains(&format!("changed outside Candor after entry {entry}"))
            && problem.contains("its rules differ"),
        "{problem}"
    );
}

#[test]
fn a_withdrawn_consent_flipped_back_is_found_even_after_later_changes() {
    let (_dir, path) = common::sample_file();
    let first = apply(
        &path,
        Change::Consent {
            customer: 1,
            purpose: "email_offers".into(),
            granted: false,
            method: Some("by phone".into()),
            words: None,
        },
    );
    sql(
        &path,
        "UPDATE consents SET granted = 1 WHERE id = (SELECT max(id) FROM consents)",
    );
    let later = apply(&path, weight(0.7));
    let report = verify(&path);
    assert!(!report.intact, "a later change does not hide the edit");
    assert_eq!(report.changed_outside_after, Some(first));
    let problem = report.problem.expect("a problem");
    assert!(
        problem.contains("consent decisions differed")
            && problem.contains(&format!("when Candor wrote entry {later}")),
        "{problem}"
    );
    assert_cmd::Command::cargo_bin("candor")
        .expect("binary")
        .args(["log", "--db", path.to_str().expect("utf-8")])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "Candor found that the shop had been changed outside Candor after entry {first}: its consent decisions"
        )));
}

#[test]
fn an_order_altered_before_a_change_that_does_not_read_orders_is_found() {
    let (_dir, path) = common::sample_file();
    let entry = apply(&path, weight(0.5));
    sql(
        &path,
        "UPDATE order_lines SET quantity = quantity + 5 WHERE id = (SELECT min(id) FROM order_lines)",
    );
    apply(&path, weight(0.6));
    let report = verify(&path);
    assert!(!report.intact);
    assert!(
        report
            .problem
            .as_deref()
            .is_some_and(|p| p.contains("its orders differ")),
        "{report:?}"
    );
    assert!(report.changed_outside_after.is_some_and(|n| n > entry));
}

#[test]
fn wrong_passphrases_are_not_taken_for_an_outside_change() {
    let (_dir, path) = common::owned_sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    let who = Attribution::now("Jo", "a guess");
    for _ in 0..2 {
        assert!(
            store
                .check_owner("not the passphrase at all", &who, "a test")
                .is_err()
        );
    }
    let report = verify(&path);
    assert!(report.intact && report.contents_checked, "{report:?}");
}

#[test]
fn the_cli_says_what_was_changed_outside_candor() {
    let (_dir, path) = common::sample_file();
    let db = path.to_str().expect("utf-8");
    let entry = apply(&path, weight(0.5));
    assert_cmd::Command::cargo_bin("candor")
        .expect("binary")
        .args(["log", "--db", db, "--verify"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "the shop's contents are as the newest entry recorded them",
        ));
    sql(
        &path,
        "UPDATE customers SET birth_date = '1950-01-01' WHERE id = 3",
    );
    assert_cmd::Command::cargo_bin("candor")
        .expect("binary")
        .args(["log", "--db", db, "--verify"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(format!(
            "the shop was changed outside Candor after entry {entry}: its customers' details differ"
        )));
}

#[test]
fn every_column_of_the_shop_is_covered_by_the_digest() {
    let (_dir, path) = common::sample_file();
    let conn = Connection::open(&path).expect("opens");
    let covered = candor::store::state::covered_columns();
    let log_tables = [
        "audit_log",
        "log_values",
        "log_value_owners",
        "audit_signatures",
        "sqlite_sequence",
    ];
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .expect("lists")
        .query_map([], |r| r.get(0))
        .expect("lists")
        .collect::<Result<_, _>>()
        .expect("names");
    for table in tables.iter().filter(|t| !log_tables.contains(&t.as_str())) {
        let columns: Vec<String> = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .expect("columns")
            .query_map([], |r| r.get(0))
            .expect("columns")
            .collect::<Result<_, _>>()
            .expect("names");
        for column in columns {
            assert!(
                covered.contains(&(table.as_str(), column.as_str())),
                "{table}.{column} is not covered by the contents' digest"
            );
        }
    }
}

/// Every kind of change Candor writes, one write after another: each leaves the shop as
/// its entry records it (a part the write touched is read again, the rest carried
/// forward), so none of them looks like a change made outside Candor.
#[test]
fn every_kind_of_write_records_the_contents_it_leaves() {
    let (_dir, path) = common::sample_file();
    let changes = [
        r#"{"kind": "rule_weight", "rule": "buy-again", "weight": 1.5}"#,
        r#"{"kind": "rule_enabled", "rule": "buy-again", "enabled": false}"#,
        r#"{"kind": "consent", "customer": 2, "purpose": "email_offers", "granted": false}"#,
        r#"{"kind": "customer_field", "customer": 3, "field": "phone", "value": "07700 900123"}"#,
        r#"{"kind": "product", "product": 1, "price": 4.2, "tags": ["local"]}"#,
        r#"{"kind": "purpose", "purpose": "email_offers", "label": "Offers by email"}"#,
        r#"{"kind": "field_retention", "field": "phone", "retention_days": 400}"#,
        r#"{"kind": "setting", "setting": "top_n", "value": 4}"#,
        r#"{"kind": "rule_removed", "rule": "buy-again"}"#,
        r#"{"kind": "merge_customers", "customer": 5, "from": 6}"#,
    ];
    for json in changes {
        let change: Change = serde_json::from_str(json).expect("a change");
        let entry = apply(&path, change);
        let report = verify(&path);
        assert!(
            report.intact && report.contents_checked,
            "after {json}: {report:?}"
        );
        if json.contains("merge_customers") {
            let (mut store, _) = Store::open(&path).expect("opens");
            store
                .undo(entry, &Attribution::now("Sam", "undo the merge"))
                .expect("undoes");
        }
    }
    let (mut store, _) = Store::open(&path).expect("opens");
    let event = candor::store::SubjectEvent::new("reveal", Some(4), "shown in full".to_owned());
    store
        .record_event(&Attribution::now("Sam", "a test"), event)
        .expect("records");
    store
        .erase(7, &Attribution::now("Sam", "asked to be forgotten"))
        .expect("erases");
    drop(store);
    let report = verify(&path);
    assert!(report.intact && report.contents_checked, "{report:?}");
}

#[test]
fn the_window_says_what_was_changed_outside_candor() {
    let (_dir, path) = common::sample_file();
    apply(&path, weight(0.5));
    sql(
        &path,
        "UPDATE consents SET granted = 1 - granted WHERE id = (SELECT min(id) FROM consents)",
    );
    let harness = common::window::window_on(&path);
    harness.get_by_label_contains(
        "The audit log is not intact: the shop was changed outside Candor after entry 1: its consent decisions differ",
    );
    assert!(!harness.state().shop().expect("open").log.records.log_intact);
}
