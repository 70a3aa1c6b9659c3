//! Two customer records found to be one person, merged: orders, consent decisions and
//! import keys move to the record kept, the later decision stands (by its date where the
//! records disagree), fields the
//! record kept lacks are filled in saying where they came from; simulated, applied,
//! logged, undone (while nothing was changed after it) and erased like every change.

mod common;

use std::sync::Arc;

use candor::engine::audit::AuditConfig;
use candor::engine::changes::{Change, ChangeContext, apply_all, inverse, parse_changes};
use candor::engine::model::{ConsentEvent, Shop};
use candor::engine::simulate::Progress;
use candor::session::simulate::{Outcome, Request, simulate};
use candor::session::{Loaded, load_blocking};
use candor::store::{Attribution, Store};

fn sample() -> Shop {
    candor::shopgen::sample::sample_shop().expect("sample reads")
}

fn merge(customer: i64, from: i64) -> Change {
    Change::MergeCustomers { customer, from }
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

/// Two customers of the sample with orders and consent decisions each.
fn two_with_history(shop: &Shop) -> (i64, i64) {
    let busy: Vec<i64> = shop
        .customers
        .iter()
        .map(|c| c.id)
        .filter(|&id| {
            shop.orders.iter().any(|o| o.customer == Some(id))
                && shop.consents.iter().any(|e| e.customer == id)
        })
        .collect();
    (busy[0], busy[1])
}

#[test]
fn a_merge_moves_orders_and_consents_fills_gaps_and_its_inverse_puts_everything_back() {
    let shop = sample();
    let (kept, other) = two_with_history(&shop);
    let orders_of = |s: &Shop, id: i64| s.orders.iter().filter(|o| o.customer == Some(id)).count();
    let expected_orders = orders_of(&shop, kept) + orders_of(&shop, other);
    let mut thinned = shop.clone();
    let at = thinned
        .customers
        .iter()
        .position(|c| c.id == kept)
        .expect("kept");
    Arc::make_mut(&mut thinned.customers)[at].phone = None;
    let other_phone = shop
        .customers
        .iter()
        .find(|c| c.id == other)
        .and_then(|c| c.phone.clone());

    let ctx = ChangeContext::now("Sam");
    let (merged, applied) =
        apply_all(thinned.clone(), &[merge(kept, other)], &ctx).expect("merges");
    assert!(merged.customers.iter().all(|c| c.id != other), "removed");
    assert_eq!(merged.customers.len(), thinned.customers.len() - 1);
    assert_eq!(orders_of(&merged, kept), expected_orders);
    assert!(merged.consents.iter().all(|e| e.customer != other));
    let record = merged
        .customers
        .iter()
        .find(|c| c.id == kept)
        .expect("kept");
    if let Some(phone) = &other_phone {
        assert_eq!(record.phone.as_ref(), Some(phone), "a gap is filled in");
        let source = record
            .field_sources
            .iter()
            .find(|s| s.field.key() == "phone")
            .expect("says where the phone came from");
        assert!(
            source
                .source
                .contains(&format!("merged from customer {other}"))
        );
    }
    let earliest = thinned
        .customers
        .iter()
        .filter(|c| c.id == kept || c.id == other)
        .map(|c| c.since)
        .min();
    assert_eq!(Some(record.since), earliest, "the earlier 'customer since'");

    let (back, _) = apply_all(merged, &inverse(&applied), &ctx).expect("splits");
    assert_eq!(back.customers, thinned.customers, "records as they were");
    assert_eq!(back.orders, thinned.orders);
    assert_eq!(back.consents, thinned.consents, "decisions, in their order");
}

/// An email-offers decision of `customer`, made on `decided_on`.
fn decision(customer: i64, granted: bool, decided_on: &str) -> ConsentEvent {
    let day = decided_on.parse().expect("a day");
    ConsentEvent {
        customer,
        purpose: "email_offers".to_owned(),
        granted,
        at: day,
        recorded_at: None,
        decided_on: Some(day),
        method: "in shop".to_owned(),
        recorded_by: "Sam".to_owned(),
        words: None,
        wording: None,
    }
}

/// Merges `other` into `kept` after recording `decisions` in their order; the decision in
/// force afterwards, and how it was recorded.
fn in_force_after_merge(decisions: &[ConsentEvent], kept: i64, other: i64) -> (bool, String) {
    let mut shop = sample();
    Arc::make_mut(&mut shop.consents).extend(decisions.iter().cloned());
    let ctx = ChangeContext::now("Sam");
    let (merged, applied) = apply_all(shop.clone(), &[merge(kept, other)], &ctx).expect("merges");
    let (back, _) = apply_all(merged.clone(), &inverse(&applied), &ctx).expect("splits");
    assert_eq!(
        back.consents, shop.consents,
        "the undo puts every decision back"
    );
    let current = merged
        .current_consent(kept, "email_offers")
        .expect("a decision");
    (current.granted, current.method.clone())
}

#[test]
fn the_later_decision_stands_after_a_merge_whichever_record_was_recorded_last() {
    let (kept, other) = two_with_history(&sample());
    let (granted, how) = in_force_after_merge(
        &[
            decision(kept, true, "2025-01-10"),
            decision(other, false, "2025-06-01"),
        ],
        kept,
        other,
    );
    assert!(!granted, "the later withdrawal, recorded last");
    assert_eq!(how, "in shop", "nothing recorded again");

    // An old grant recorded after a newer withdrawal of the other record does not outvote it.
    let (granted, how) = in_force_after_merge(
        &[
            decision(other, false, "2025-06-01"),
            decision(kept, true, "2024-02-01"),
        ],
        kept,
        other,
    );
    assert!(
        !granted,
        "the withdrawal of 1 June 2025 is the later decision"
    );
    assert!(
        how.contains(&format!("customer {other}'s decision of 1 June 2025")),
        "{how}"
    );

    let (granted, _) = in_force_after_merge(
        &[
            decision(kept, false, "2025-01-10"),
            decision(other, true, "2025-06-01"),
        ],
        kept,
        other,
    );
    assert!(granted, "a grant made after the withdrawal stands");

    let mut undated = decision(kept, true, "2026-12-01");
    undated.decided_on = None;
    let (granted, how) = in_force_after_merge(
        &[decision(other, false, "2025-06-01"), undated],
        kept,
        other,
    );
    assert!(
        !granted,
        "a grant its source does not date never outvotes a withdrawal"
    );
    assert!(how.contains("1 June 2025"), "{how}");

    let same_day = [
        decision(other, false, "2025-06-01"),
        decision(kept, true, "2025-06-01"),
    ];
    let (granted, _) = in_force_after_merge(&same_day, kept, other);
    assert!(
        !granted,
        "on the same day, not knowing which came first: the withdrawal"
    );
    let mut timed = same_day.clone();
    timed[0].recorded_at = Some("2025-06-01T09:00:00Z".parse().expect("time"));
    timed[1].recorded_at = Some("2025-06-01T16:30:00Z".parse().expect("time"));
    let (granted, _) = in_force_after_merge(&timed, kept, other);
    assert!(granted, "the grant recorded that afternoon came after");
}

#[test]
fn a_merge_that_records_the_later_decision_again_is_applied_and_undone_in_the_file() {
    let (_dir, path) = common::sample_file();
    let loaded = load_blocking(&path, common::sample_day()).expect("loads");
    let original = loaded.index.shop().clone();
    // The sample's customer 3 withdrew personalization in 2026; customer 12's grant of
    // 2024 is recorded after it.
    let (kept, other) = (12, 3);
    let current = |s: &Shop, c| s.current_consent(c, "personalization").map(|e| e.granted);
    assert_eq!(
        (current(&original, kept), current(&original, other)),
        (Some(true), Some(false))
    );
    let outcome = outcome_of(&loaded, vec![merge(kept, other)]);
    let who = Attribution::now("Sam", "one person");
    let done = candor::session::apply::apply(&path, &outcome, &who).expect("applies");
    let fresh = load_blocking(&path, common::sample_day()).expect("reloads");
    assert_eq!(current(fresh.index.shop(), kept), Some(false));
    let decisions = |s: &Shop| -> Vec<(i64, String, bool, String)> {
        (s.consents.iter())
            .map(|e| (e.customer, e.purpose.clone(), e.granted, e.method.clone()))
            .collect()
    };
    assert_eq!(
        decisions(fresh.index.shop()),
        decisions(outcome.preview.after.shop()),
        "the file holds what was simulated"
    );
    let restated = fresh.index.shop().consents.last().expect("a decision");
    assert_eq!(restated.recorded_by, "Sam", "recorded by who merged");
    let (mut store, _) = Store::open(&path).expect("opens");
    store
        .undo(done.entry, &Attribution::now("Sam", "two people after all"))
        .expect("undoes");
    let undone = load_blocking(&path, common::sample_day()).expect("reloads");
    assert_eq!(undone.index.shop().consents, original.consents);
    assert!(store.verify_log().expect("verifies").intact);
}

#[test]
fn a_record_cannot_be_merged_with_itself_or_with_nobody() {
    let ctx = ChangeContext::now("Sam");
    let err = apply_all(sample(), &[merge(4, 4)], &ctx).expect_err("refused");
    assert_eq!(err.field, "from");
    let err = apply_all(sample(), &[merge(4, 999_999)], &ctx).expect_err("refused");
    assert!(err.to_string().contains("999999"), "{err}");
    let err =
        parse_changes(r#"{"changes":[{"kind":"split_customers","customer":4,"split":null}]}"#)
            .expect_err("only undo makes a split");
    assert!(err.contains("undo"), "{err}");
}

#[test]
fn a_merge_is_simulated_applied_as_simulated_logged_and_undone() {
    let (_dir, path) = common::sample_file();
    let loaded = load_blocking(&path, common::sample_day()).expect("loads");
    let original = loaded.index.shop().clone();
    let (kept, other) = two_with_history(&original);
    let outcome = outcome_of(&loaded, vec![merge(kept, other)]);
    assert!(
        outcome.preview.impact.customers_changed >= 1,
        "the merged record's list goes"
    );
    assert_eq!(
        outcome.preview.after.shop().customers.len(),
        original.customers.len() - 1
    );

    let who = Attribution::now("Sam", "the same person signed up twice");
    let done = candor::session::apply::apply(&path, &outcome, &who).expect("applies");
    let fresh = load_blocking(&path, common::sample_day()).expect("reloads");
    assert_eq!(
        fresh.index.shop().customers,
        outcome.preview.after.shop().customers
    );
    assert_eq!(
        fresh.index.shop().orders,
        outcome.preview.after.shop().orders
    );
    assert_eq!(
        fresh.index.shop().consents,
        outcome.preview.after.shop().consents
    );
    assert_eq!(
        *fresh.lists, *done.loaded.lists,
        "apply writes what was simulated"
    );
    let (store, _) = Store::open(&path).expect("opens");
    assert!(store.verify_log().expect("verifies").intact);
    let entry = store.log().expect("log").last().cloned().expect("logged");
    assert_eq!(entry.changes[0].change, merge(kept, other));

    let (mut store, _) = Store::open(&path).expect("opens");
    store
        .undo(done.entry, &Attribution::now("Sam", "two people after all"))
        .expect("undoes");
    let undone = load_blocking(&path, common::sample_day()).expect("reloads");
    assert_eq!(undone.index.shop().customers, original.customers);
    assert_eq!(undone.index.shop().orders, original.orders);
    assert_eq!(undone.index.shop().consents, original.consents);
    assert!(store.verify_log().expect("verifies").intact);
}

#[test]
fn a_merge_is_undone_only_while_nothing_was_changed_after_it() {
    let (_dir, path) = common::sample_file();
    let loaded = load_blocking(&path, common::sample_day()).expect("loads");
    let (kept, other) = two_with_history(loaded.index.shop());
    let outcome = outcome_of(&loaded, vec![merge(kept, other)]);
    let who = Attribution::now("Sam", "one person");
    let done = candor::session::apply::apply(&path, &outcome, &who).expect("applies");
    let later = outcome_of(
        &done.loaded,
        vec![Change::CustomerField {
            customer: kept,
            field: "gender".to_owned(),
            value: Some("woman".to_owned()),
            source: None,
        }],
    );
    candor::session::apply::apply(&path, &later, &who).expect("applies");
    let (mut store, _) = Store::open(&path).expect("opens");
    let err = store
        .undo(done.entry, &Attribution::now("Sam", "undo"))
        .expect_err("refused");
    assert!(err.to_string().contains("merge"), "{err}");
}

/// A change about a record that was merged away since cannot be undone (the record is
/// gone): the refusal names the merge and the record kept, not "no customer number".
#[test]
fn undoing_a_change_about_a_record_merged_away_names_the_merge() {
    let (_dir, path) = common::sample_file();
    let loaded = load_blocking(&path, common::sample_day()).expect("loads");
    let (kept, other) = two_with_history(loaded.index.shop());
    let who = Attribution::now("Sam", "correction");
    let phone = outcome_of(
        &loaded,
        vec![Change::CustomerField {
            customer: other,
            field: "phone".to_owned(),
            value: Some("0117 496 0000".to_owned()),
            source: None,
        }],
    );
    let corrected = candor::session::apply::apply(&path, &phone, &who).expect("applies");
    let merged = outcome_of(&corrected.loaded, vec![merge(kept, other)]);
    let done = candor::session::apply::apply(&path, &merged, &who).expect("applies");
    let log = Store::open(&path).expect("opens").0.log().expect("log");
    let err =
        candor::session::apply::undo_plan_for(&log, corrected.entry, done.loaded.index.shop())
            .expect_err("refused");
    let kept_name = done.loaded.index.shop().customer_name(kept);
    let expected = format!(
        "entry {} cannot be undone: customer {other}'s record was merged into {kept_name}'s by entry {}",
        corrected.entry, done.entry
    );
    assert!(err.to_string().starts_with(&expected), "{err}");

    // Merged again since: the refusal names the record that is still there.
    let third = (done.loaded.index.shop().customers.iter())
        .map(|c| c.id)
        .find(|&id| id != kept)
        .expect("another customer");
    let again = outcome_of(&done.loaded, vec![merge(third, kept)]);
    let last = candor::session::apply::apply(&path, &again, &who).expect("applies");
    let log = Store::open(&path).expect("opens").0.log().expect("log");
    let err =
        candor::session::apply::undo_plan_for(&log, corrected.entry, last.loaded.index.shop())
            .expect_err("refused");
    let third_name = last.loaded.index.shop().customer_name(third);
    assert!(
        err.to_string()
            .contains(&format!("as a new one on {third_name}'s record")),
        "{err}"
    );
}

#[test]
fn erasing_the_record_kept_erases_the_merged_record_in_the_log_too() {
    let (_dir, path) = common::sample_file();
    let loaded = load_blocking(&path, common::sample_day()).expect("loads");
    let (kept, other) = two_with_history(loaded.index.shop());
    let other_name = loaded
        .index
        .shop()
        .customers
        .iter()
        .find(|c| c.id == other)
        .and_then(|c| c.name.clone())
        .expect("named");
    let outcome = outcome_of(&loaded, vec![merge(kept, other)]);
    let who = Attribution::now("Sam", "one person");
    let done = candor::session::apply::apply(&path, &outcome, &who).expect("applies");
    let in_file = |name: &str| {
        let bytes = std::fs::read(&path).expect("reads");
        bytes.windows(name.len()).any(|w| w == name.as_bytes())
    };
    assert!(
        in_file(&other_name),
        "the merge's log entry keeps the record for its undo"
    );
    candor::rights::erase(&path, kept, &Attribution::now("Sam", "asked to be erased"))
        .expect("erases");
    let (store, _) = Store::open(&path).expect("opens");
    assert!(
        store.verify_log().expect("verifies").intact,
        "the chain holds"
    );
    let entry = store
        .log()
        .expect("log")
        .into_iter()
        .find(|e| e.id == done.entry)
        .expect("kept");
    let text = serde_json::to_string(&entry.changes).expect("json");
    assert!(!text.contains(&other_name), "{text}");
    assert!(
        !in_file(&other_name),
        "the merged record's name is nowhere in the file"
    );
    let shop = store.load().expect("loads");
    let sentence = candor::session::log_text::entry_sentence(&entry, &shop);
    assert!(
        sentence.contains("merged two records of one customer, since erased"),
        "{sentence}"
    );
}

fn candor() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("candor").expect("binary builds")
}

fn import_json(db: &std::path::Path, file: &std::path::Path) -> serde_json::Value {
    let out = candor()
        .args(["import", "--json", "--actor", "Sam", "--db"])
        .arg(db)
        .arg(file)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("json")
}

#[test]
fn a_merged_record_is_still_recognized_by_the_next_import_and_after_its_undo() {
    let dir = tempfile::tempdir().expect("temp dir");
    let export = dir.path().join("orders_export.csv");
    std::fs::write(
        &export,
        "Name,Email,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem price,Billing Name\n\
         #1002,ann.work@example.com,paid,2026-05-02 10:00:00 +0100,1,Rye loaf,3.40,Ann Hale\n\
         #1001,ann@example.com,paid,2026-05-01 10:00:00 +0100,2,Seeded rye,3.80,Ann Hale\n",
    )
    .expect("writes");
    let db = dir.path().join("shop.candor");
    let first = import_json(&db, &export);
    assert_eq!(first["summary"]["customers_added"], 2, "{first}");
    let shop = load_blocking(&db, common::sample_day()).expect("loads");
    // The record kept is the one the newest order names, so the next import (whose
    // newest record gives a customer's fields) has nothing to update.
    let mut ids: Vec<i64> = shop.index.shop().customers.iter().map(|c| c.id).collect();
    ids.sort_by_key(|&id| {
        shop.index
            .shop()
            .customers
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| c.email.clone())
            .is_some_and(|e| e != "ann.work@example.com")
    });
    let changes = dir.path().join("merge.json");
    std::fs::write(
        &changes,
        format!(
            r#"{{"changes":[{{"kind":"merge_customers","customer":{},"from":{}}}]}}"#,
            ids[0], ids[1]
        ),
    )
    .expect("writes");
    candor()
        .args([
            "apply",
            "--actor",
            "Sam",
            "--reason",
            "one person, two emails",
            "--db",
        ])
        .arg(&db)
        .arg("--changes")
        .arg(&changes)
        .assert()
        .success();
    let merged = load_blocking(&db, common::sample_day()).expect("loads");
    assert_eq!(merged.index.shop().customers.len(), 1);
    assert_eq!(merged.index.shop().orders.len(), 2);
    let again = import_json(&db, &export);
    assert_eq!(again["summary"]["customers_added"], 0, "{again}");
    assert_eq!(again["summary"]["orders_already_imported"], 2, "{again}");

    let log = Store::open(&db).expect("opens").0.log().expect("log");
    let entry = log
        .iter()
        .find(|e| {
            e.changes
                .iter()
                .any(|a| a.change.kind() == "merge_customers")
        })
        .expect("logged")
        .id;
    let newest = log.iter().map(|e| e.id).max().expect("entries");
    assert_eq!(
        entry, newest,
        "the re-import changed nothing, so wrote nothing"
    );
    candor()
        .args([
            "undo",
            "--actor",
            "Sam",
            "--reason",
            "two people after all",
            "--db",
        ])
        .arg(&db)
        .args(["--entry", &entry.to_string()])
        .assert()
        .success();
    let split = load_blocking(&db, common::sample_day()).expect("loads");
    assert_eq!(split.index.shop().customers.len(), 2);
    let third = import_json(&db, &export);
    assert_eq!(third["summary"]["customers_added"], 0, "{third}");
    assert_eq!(third["summary"]["orders_already_imported"], 2, "{third}");
}
