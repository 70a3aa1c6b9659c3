//! Each computer remembers the newest audit-log entry it saw of a shop and warns when the
//! file's log no longer holds it as it was, even when the chain and its head were
//! recomputed so that the chain's own check passes.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use candor::engine::changes::Change;
use candor::session::seen_heads::{MachineCheck, check_and_remember};
use candor::store::{Attribution, Store};
use predicates::prelude::*;

fn apply_weights(path: &Path, weights: &[f64]) {
    let (mut store, _) = Store::open(path).expect("opens");
    for w in weights {
        let change = Change::RuleWeight {
            rule: "buy-again".into(),
            weight: *w,
        };
        store
            .apply(
                None,
                &[change],
                &Attribution::now("Sam", "a test"),
                None,
                None,
            )
            .expect("applies");
    }
}

fn check(path: &Path, memory: &Path) -> MachineCheck {
    let (store, _) = Store::open(path).expect("opens");
    let entries = store.log().expect("reads");
    check_and_remember(&store, &entries, Some(memory.to_owned())).expect("checks")
}

/// Removes the newest `n` entries and recomputes the newest digest, the chain and its
/// head, as an attacker who knows how Candor hashes would.
fn cut_newest(path: &Path, n: i64) {
    common::edit_as_fixture(
        path,
        &format!("DELETE FROM audit_log WHERE id > (SELECT max(id) - {n} FROM audit_log);"),
    );
}

fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (dir, path) = common::sample_file();
    let memory = dir.path().join("data").join("seen-heads.json");
    (dir, path, memory)
}

#[test]
fn a_log_cut_short_with_its_head_fixed_is_found_by_a_computer_that_saw_it() {
    let (_dir, path, memory) = setup();
    apply_weights(&path, &[1.5, 2.0, 2.5]);
    assert_eq!(check(&path, &memory), MachineCheck::default());
    cut_newest(&path, 2);
    let (store, _) = Store::open(&path).expect("opens");
    assert!(
        store.verify_log().expect("verifies").intact,
        "the chain alone passes"
    );
    drop(store);
    let problem = check(&path, &memory).problem.expect("found");
    assert!(
        problem.contains("reach entry 3") && problem.contains("now ends at entry 1"),
        "{problem}"
    );
    let problem = check(&path, &memory)
        .problem
        .expect("still found the next time");
    assert!(problem.contains("entries were removed"), "{problem}");
}

#[test]
fn a_rewritten_log_is_found_and_later_entries_are_not_a_rewrite() {
    let (_dir, path, memory) = setup();
    apply_weights(&path, &[1.5, 2.0]);
    assert!(check(&path, &memory).problem.is_none());
    apply_weights(&path, &[2.5]);
    assert!(
        check(&path, &memory).problem.is_none(),
        "entries added since are the log going on"
    );
    common::edit_as_fixture(
        &path,
        "UPDATE audit_log SET actor = 'Someone else' WHERE id = 3",
    );
    let problem = check(&path, &memory).problem.expect("found");
    assert!(
        problem.contains("entry 3 is not the entry this computer saw"),
        "{problem}"
    );
}

#[test]
fn a_copy_kept_elsewhere_has_its_own_memory() {
    let (dir, path, memory) = setup();
    apply_weights(&path, &[1.5]);
    let copy = dir.path().join("trying-things.candor");
    std::fs::copy(&path, &copy).expect("copies");
    apply_weights(&copy, &[2.0, 2.5]);
    assert!(check(&copy, &memory).problem.is_none());
    assert!(
        check(&path, &memory).problem.is_none(),
        "the original is not taken for a shortened copy"
    );
}

#[test]
fn a_file_put_back_from_an_older_copy_is_found() {
    let (dir, path, memory) = setup();
    apply_weights(&path, &[1.5]);
    let older = dir.path().join("older.candor");
    std::fs::copy(&path, &older).expect("copies");
    apply_weights(&path, &[2.0]);
    assert!(check(&path, &memory).problem.is_none());
    std::fs::copy(&older, &path).expect("puts the older copy back");
    let problem = check(&path, &memory).problem.expect("found");
    assert!(problem.contains("an older copy of the file"), "{problem}");
}

#[test]
fn log_verify_reports_what_this_computer_saw() {
    let (dir, path, _) = setup();
    apply_weights(&path, &[1.5, 2.0, 2.5]);
    let data = dir.path().join("data");
    let verify = || {
        let mut cmd = Command::cargo_bin("candor").expect("binary built");
        cmd.env("CANDOR_DATA_DIR", &data)
            .args(["log", "--verify", "--db"])
            .arg(&path)
            .assert()
    };
    verify()
        .success()
        .stdout(predicate::str::contains("intact: 3 entries"));
    assert!(data.join("seen-heads.json").exists(), "remembered");
    cut_newest(&path, 1);
    verify().failure().stderr(predicate::str::contains(
        "the audit log is not intact: this computer saw this shop's audit log reach entry 3",
    ));
}

#[test]
fn an_import_taken_back_is_not_taken_for_a_removed_entry() {
    use candor::import::{Choice, ImportRequest, Mapping};
    let (dir, path, memory) = setup();
    apply_weights(&path, &[1.5]);
    let file = dir.path().join("customers.csv");
    std::fs::write(&file, "Number,Email\nP1,p1@example.com\n").expect("writes");
    let mapping = Mapping::from_json(
        r#"{"name": "Customer list", "key_space": "list",
            "columns": {"customer_id": "Number", "email": "Email"}}"#,
    )
    .expect("mapping");
    let request = ImportRequest {
        db: path.clone(),
        inputs: vec![file],
        choice: Choice::Mapping(Box::new(mapping)),
        skip_bad_rows: false,
        who: Attribution::now("Sam", "a test"),
        today: common::sample_day(),
        currency: None,
        owner: false,
    };
    candor::import::import(&request, &|_| {}, None).expect("imports");
    assert!(check(&path, &memory).problem.is_none());
    let (mut store, _) = Store::open(&path).expect("opens");
    store
        .undo(2, &Attribution::now("Sam", "wrong file"))
        .expect("takes the import back");
    drop(store);
    assert_eq!(check(&path, &memory), MachineCheck::default());
}
