//! The use-case layer: an apply reuses its simulation and is refused when the file moved
//! on, whoever moved it; the shop it hands back is the shop a fresh load reads.

mod common;

use std::path::Path;
use std::sync::Arc;

use candor::engine::audit::AuditConfig;
use candor::engine::changes::Change;
use candor::engine::simulate::{Progress, all_lists};
use candor::session::simulate::{Outcome, Request, simulate};
use candor::session::{Loaded, SessionError, load_blocking};
use candor::store::{Attribution, Store};

fn who() -> Attribution {
    Attribution::now("Sam", "session test")
}

fn outcome_of(loaded: &Loaded, changes: Vec<Change>) -> Outcome {
    let request = Request {
        basis: Arc::clone(&loaded.index),
        head: loaded.head.clone(),
        changes,
        before_lists: Some(Arc::clone(&loaded.lists)),
        audit_config: AuditConfig::default(),
        audit_before: Some(Arc::clone(&loaded.audit)),
        relevance_before: None,
    };
    simulate(request, &Progress::default()).expect("simulates")
}

fn sql(path: &Path, statement: &str) {
    let conn = rusqlite::Connection::open(path).expect("opens");
    assert_eq!(conn.execute(statement, []).expect("runs"), 1, "{statement}");
}

fn log_len(path: &Path) -> usize {
    Store::open(path)
        .expect("opens")
        .0
        .log()
        .expect("log")
        .len()
}

fn withdraw(customer: i64) -> Change {
    Change::Consent {
        customer,
        purpose: "personalization".into(),
        granted: false,
        method: None,
        words: None,
    }
}

#[test]
fn the_shop_an_apply_hands_back_is_the_shop_a_fresh_load_reads() {
    let (_dir, path) = common::sample_file();
    let loaded = load_blocking(&path, common::sample_day()).expect("loads");
    let changes = vec![
        withdraw(loaded.index.shop().customers[0].id),
        Change::RuleWeight {
            rule: "buy-again".into(),
            weight: 2.5,
        },
    ];
    let outcome = outcome_of(&loaded, changes);
    let done = candor::session::apply::apply(&path, &outcome, &who()).expect("applies");
    let fresh = load_blocking(&path, common::sample_day()).expect("reloads");

    assert_eq!(done.entry, 1);
    assert_eq!(done.loaded.head, fresh.head);
    assert_eq!(*done.loaded.lists, *fresh.lists);
    let n = fresh.index.shop().settings.top_n;
    let recomputed = all_lists(&done.loaded.index, n, &Progress::default()).expect("lists");
    assert_eq!(
        *done.loaded.lists, recomputed,
        "the lists kept are the applied shop's"
    );
    assert_eq!(
        serde_json::to_value(&*done.loaded.audit).expect("json"),
        serde_json::to_value(&*fresh.audit).expect("json")
    );
    assert_eq!(done.loaded.scorecard, fresh.scorecard);
    assert_eq!(done.loaded.log.entries, fresh.log.entries);
    assert_eq!(done.loaded.rows.len(), fresh.rows.len());
}

#[test]
fn an_apply_is_refused_once_candor_wrote_the_file_since_the_simulation() {
    let (_dir, path) = common::sample_file();
    let loaded = load_blocking(&path, common::sample_day()).expect("loads");
    let first = loaded.index.shop().customers[0].id;
    let second = loaded.index.shop().customers[1].id;
    let mine = outcome_of(&loaded, vec![withdraw(first)]);
    let other = outcome_of(&loaded, vec![withdraw(second)]);
    candor::session::apply::apply(&path, &other, &who()).expect("the first apply is written");
    let err = candor::session::apply::apply(&path, &mine, &who())
        .err()
        .expect("refused");
    assert!(err.is_stale(), "{err}");
    assert_eq!(log_len(&path), 1);
}

#[test]
fn a_rule_edited_behind_candors_back_makes_a_rule_change_stale() {
    let (_dir, path) = common::sample_file();
    let loaded = load_blocking(&path, common::sample_day()).expect("loads");
    let outcome = outcome_of(
        &loaded,
        vec![Change::RuleEnabled {
            rule: "we-miss-you".into(),
            enabled: false,
        }],
    );
    sql(
        &path,
        "UPDATE rules SET definition = json_set(definition, '$.weight', 4.0) WHERE id = 'buy-again'",
    );
    let err = candor::session::apply::apply(&path, &outcome, &who())
        .err()
        .expect("refused");
    assert!(
        matches!(err, SessionError::Apply(_)) && err.is_stale(),
        "{err}"
    );
    assert_eq!(log_len(&path), 0, "nothing was written");
}

#[test]
fn a_consent_flipped_behind_candors_back_makes_that_customers_change_stale() {
    let (_dir, path) = common::sample_file();
    let loaded = load_blocking(&path, common::sample_day()).expect("loads");
    let customer = loaded.index.shop().customers[2].id;
    let outcome = outcome_of(
        &loaded,
        vec![Change::CustomerField {
            customer,
            field: "postcode".into(),
            value: Some("BS1 4DJ".into()),
            source: None,
        }],
    );
    sql(
        &path,
        &format!(
            "INSERT INTO consents (customer, purpose, granted, at, method, recorded_by) \
             VALUES ({customer}, 'personalization', 1, '2026-01-01', 'typed in', 'someone')"
        ),
    );
    let err = candor::session::apply::apply(&path, &outcome, &who())
        .err()
        .expect("refused");
    assert!(err.is_stale(), "{err}");
}

#[test]
fn an_apply_writes_only_what_it_changes_and_keeps_other_rows_as_the_file_has_them() {
    let (_dir, path) = common::sample_file();
    let loaded = load_blocking(&path, common::sample_day()).expect("loads");
    let customers = &loaded.index.shop().customers;
    let (changed, untouched) = (customers[0].id, customers[1].id);
    let outcome = outcome_of(&loaded, vec![withdraw(changed)]);
    sql(
        &path,
        &format!("UPDATE customers SET name = 'Edited Elsewhere' WHERE id = {untouched}"),
    );
    candor::session::apply::apply(&path, &outcome, &who()).expect("not about that customer");
    let shop = Store::open(&path).expect("opens").0.load().expect("loads");
    let kept = shop
        .customers
        .iter()
        .find(|c| c.id == untouched)
        .expect("kept");
    assert_eq!(
        kept.name.as_deref(),
        Some("Edited Elsewhere"),
        "the other program's edit is not overwritten"
    );
    assert_eq!(
        shop.current_consent(changed, "personalization")
            .map(|e| e.granted),
        Some(false)
    );
}

#[test]
fn looking_at_a_customers_data_since_the_simulation_does_not_make_it_stale() {
    let (_dir, path) = common::sample_file();
    let loaded = load_blocking(&path, common::sample_day()).expect("loads");
    let customer = loaded.index.shop().customers[0].id;
    let outcome = outcome_of(&loaded, vec![withdraw(customer)]);
    let log = candor::session::apply::reveal(&path, customer, &who()).expect("logged");
    assert_eq!(log.entries.len(), 1);
    let done = candor::session::apply::apply(&path, &outcome, &who())
        .expect("a reveal changes no data the simulation used");
    assert_eq!(done.entry, 2);
    assert_eq!(done.loaded.log.entries.len(), 2);
}

#[test]
fn another_shop_put_at_the_same_path_is_never_taken_for_the_one_simulated() {
    let (_dir, path) = common::sample_file();
    let loaded = load_blocking(&path, common::sample_day()).expect("loads");
    let outcome = outcome_of(
        &loaded,
        vec![Change::RuleWeight {
            rule: "buy-again".into(),
            weight: 0.5,
        }],
    );
    // The same sample, written afresh: same rules, settings and products, an empty log.
    let fresh = candor::shopgen::sample::sample_shop().expect("sample");
    Store::create(&path, &fresh).expect("replaced");
    let err = candor::session::apply::apply(&path, &outcome, &who())
        .err()
        .expect("refused");
    assert!(err.is_stale(), "{err}");
    assert_eq!(log_len(&path), 0);
}

#[test]
fn an_empty_changes_list_is_refused_and_writes_nothing() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    let err = store
        .apply(None, &[], &who(), None, None)
        .expect_err("nothing to apply");
    assert!(matches!(err, candor::store::ApplyError::NoChanges), "{err}");
    assert_eq!(log_len(&path), 0);
}
