//! Purpose limitation and honest reasons: a rule that reads data its purpose does not
//! cover runs for nobody and says why, in explain, simulate and apply; a reason that
//! hides a sensitive field is a finding with a wording that does not; the sentence and
//! the customer's card always name the data used; a contribution shown as +0.00 is never
//! given as a reason. Purposes, retention periods and settings change like everything
//! else: simulated, applied, logged and undone.

mod common;

use std::sync::Arc;

use candor::engine::audit::AuditConfig;
use candor::engine::changes::Change;
use candor::engine::explain::{Explanation, explain};
use candor::engine::model::{PersonalField, Shop};
use candor::engine::simulate::Progress;
use candor::engine::{Scorer, ShopIndex};
use candor::session::simulate::{Outcome, Request, simulate};
use candor::session::{Loaded, load_blocking};
use candor::store::{Attribution, Store};
use serde_json::json;

fn sample() -> Shop {
    candor::shopgen::sample::sample_shop().expect("sample reads")
}

fn explain_all(shop: Shop) -> Vec<Explanation> {
    let index = ShopIndex::new(Arc::new(shop), common::sample_day());
    let mut scorer = Scorer::new(&index);
    (0..index.shop().customers.len())
        .map(|c| explain(&mut scorer, c, 5))
        .collect()
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

fn cover(purpose: &str, fields: &[PersonalField]) -> Change {
    Change::Purpose {
        purpose: purpose.to_owned(),
        label: None,
        description: None,
        fields: Some(fields.to_vec()),
        covered_since: None,
        undone_at: None,
    }
}

/// Every rule contribution of every recommendation, with its rule id.
fn contributing_rules(explanations: &[Explanation]) -> Vec<String> {
    explanations
        .iter()
        .flat_map(|e| &e.recommendations)
        .flat_map(|r| &r.contributions)
        .filter(|c| c.purpose.is_some())
        .map(|c| c.id.clone())
        .collect()
}

#[test]
fn a_rule_reading_data_its_purpose_does_not_cover_runs_for_nobody_and_says_why() {
    let explanations = explain_all(sample());
    let used = contributing_rules(&explanations);
    assert!(!used.iter().any(|id| id == "birthday-favourites"));
    for e in &explanations {
        let skipped = e
            .skipped
            .iter()
            .find(|s| s.id == "birthday-favourites")
            .expect("listed as not run for every customer");
        assert_eq!(skipped.reason, "outside_purpose");
        assert!(
            skipped.detail.contains("purchases") && skipped.detail.contains("Birthday offers"),
            "{}",
            skipped.detail
        );
    }
}

/// How many recommendations "Birthday favourites" adds to, shop-wide.
fn birthday_favourites_used(index: &ShopIndex) -> usize {
    let mut scorer = Scorer::new(index);
    (0..index.shop().customers.len())
        .map(|c| explain(&mut scorer, c, 5))
        .flat_map(|e| e.recommendations)
        .flat_map(|r| r.contributions)
        .filter(|c| c.id == "birthday-favourites")
        .count()
}

/// Why "Birthday favourites" does not run for customer position `c`, if it does not.
fn birthday_favourites_skipped(index: &ShopIndex, c: usize) -> Option<&'static str> {
    let mut scorer = Scorer::new(index);
    let e = explain(&mut scorer, c, 5);
    e.skipped
        .iter()
        .find(|s| s.id == "birthday-favourites")
        .map(|s| s.reason)
}

#[test]
fn a_widened_purpose_covers_the_new_data_only_for_customers_who_agree_after() {
    let (_dir, path) = common::sample_file();
    let loaded = load_blocking(&path, common::sample_day()).expect("loads");
    let widen = cover(
        "birthday_offers",
        &[PersonalField::BirthDate, PersonalField::Orders],
    );
    let outcome = outcome_of(&loaded, vec![widen]);
    let after = &outcome.preview.after;
    assert_eq!(
        birthday_favourites_used(after),
        0,
        "every customer agreed to words that did not mention their purchases"
    );
    let agreed = (0..after.shop().customers.len())
        .find(|&c| after.has_consent(c, "birthday_offers"))
        .expect("someone agreed to birthday offers");
    assert_eq!(
        birthday_favourites_skipped(after, agreed),
        Some("agreed_before_covered")
    );

    let who = Attribution::now("Owner", "birthday offers now cover purchases");
    let done = candor::session::apply::apply(&path, &outcome, &who).expect("applies");
    let fresh = load_blocking(&path, common::sample_day()).expect("reloads");
    assert_eq!(birthday_favourites_used(&fresh.index), 0, "as simulated");
    let consent = (fresh.scorecard.iter())
        .find(|c| c.principle == "consent")
        .expect("the consent card");
    let widened = (consent.facts.iter())
        .find(|f| f.text.contains("before it was widened"))
        .expect("the scorecard says who agreed before the widening");
    assert!(widened.concern && widened.value > 0.0, "{}", widened.text);
    assert!(
        widened.text.contains("\u{201c}Birthday offers\u{201d}"),
        "{}",
        widened.text
    );
    let covered_since = |index: &ShopIndex| {
        (index.shop().purposes.iter())
            .find(|p| p.id == "birthday_offers")
            .map(|p| p.covered_since.clone())
            .expect("the purpose")
    };
    let widened = covered_since(&fresh.index);
    assert_eq!(
        widened.keys().copied().collect::<Vec<_>>(),
        [PersonalField::Orders]
    );

    // Asked again, the customer agrees to the words as they are now.
    let id = fresh.index.shop().customers[agreed].id;
    let again = candor::engine::changes::parse_changes(&format!(
        r#"{{"changes": [{{"kind": "consent", "customer": {id}, "purpose": "birthday_offers", "granted": true}}]}}"#
    ))
    .expect("parses");
    let later = candor::engine::changes::ChangeContext {
        now: widened[&PersonalField::Orders] + chrono::Duration::minutes(1),
        actor: "Sam".to_owned(),
    };
    let (asked, _) =
        candor::engine::changes::apply_all(fresh.index.shop().clone(), &again.changes, &later)
            .expect("records the consent");
    let asked = ShopIndex::new(Arc::new(asked), common::sample_day());
    assert_ne!(
        birthday_favourites_skipped(&asked, agreed),
        Some("agreed_before_covered")
    );
    // A withdrawal recorded by mistake and undone gives back the agreement from before the
    // widening: the undo's grant is no new agreement.
    let withdraw = [birthday_consent(id, false)];
    let at = |minutes| candor::engine::changes::ChangeContext {
        now: widened[&PersonalField::Orders] + chrono::Duration::minutes(minutes),
        actor: "Sam".to_owned(),
    };
    let (withdrawn, applied) =
        candor::engine::changes::apply_all(fresh.index.shop().clone(), &withdraw, &at(1))
            .expect("records the withdrawal");
    let undo = candor::engine::changes::inverse(&applied);
    let (given_back, _) =
        candor::engine::changes::apply_all(withdrawn, &undo, &at(2)).expect("undoes");
    let given_back = ShopIndex::new(Arc::new(given_back), common::sample_day());
    assert!(given_back.has_consent(agreed, "birthday_offers"));
    assert_eq!(
        birthday_favourites_skipped(&given_back, agreed),
        Some("agreed_before_covered")
    );
    // Data held says so beside the agreement, until the customer agrees again.
    let not_covered = |index: &ShopIndex| {
        let held = candor::engine::held::held(index, agreed);
        (held.consents.iter())
            .find(|c| c.purpose == "birthday_offers")
            .and_then(candor::engine::held::HeldConsent::not_covered_text)
    };
    let said = not_covered(&fresh.index).expect("said beside the agreement");
    assert!(said.contains("purchases"), "{said}");
    assert_eq!(not_covered(&asked), None);
    let same_second = candor::engine::changes::ChangeContext {
        now: widened[&PersonalField::Orders],
        actor: "Sam".to_owned(),
    };
    let (unclear, _) = candor::engine::changes::apply_all(
        fresh.index.shop().clone(),
        &again.changes,
        &same_second,
    )
    .expect("records the consent");
    let unclear = ShopIndex::new(Arc::new(unclear), common::sample_day());
    assert_eq!(
        birthday_favourites_skipped(&unclear, agreed),
        Some("agreed_before_covered"),
        "in the very second of the widening, which came first is not known"
    );

    let (mut store, _) = Store::open(&path).expect("opens");
    let undo = store
        .undo(done.entry, &Attribution::now("Owner", "undo"))
        .expect("undoes");
    let undone = load_blocking(&path, common::sample_day()).expect("reloads");
    assert!(covered_since(&undone.index).is_empty());
    assert_eq!(*undone.lists, *loaded.lists);
    store
        .undo(undo.entry, &Attribution::now("Owner", "widen it again"))
        .expect("undoes the undo");
    let redone = load_blocking(&path, common::sample_day()).expect("reloads");
    assert_eq!(
        covered_since(&redone.index),
        widened,
        "an undo gives back when it began to cover purchases"
    );
    assert!(store.verify_log().expect("verifies").intact);

    // A decision recorded while the purpose did not cover purchases: an undo that covers
    // them again covers them from then on, for it as for everyone.
    let redo = store.log().expect("log").last().expect("the redo").id;
    let narrowed = store
        .undo(redo, &Attribution::now("Owner", "not purchases"))
        .expect("undoes");
    store
        .apply(
            None,
            &again.changes,
            &Attribution::now("Sam", "asked"),
            None,
            None,
        )
        .expect("records the consent");
    store
        .undo(
            narrowed.entry,
            &Attribution::now("Owner", "purchases again"),
        )
        .expect("undoes");
    let gapped = load_blocking(&path, common::sample_day()).expect("reloads");
    let since = covered_since(&gapped.index)[&PersonalField::Orders];
    let asked_at = (gapped.index.current_decision(agreed, "birthday_offers"))
        .and_then(|e| e.recorded_at)
        .expect("recorded in Candor");
    assert!(
        since >= asked_at,
        "covered from {since}, asked at {asked_at}"
    );
    assert_eq!(
        birthday_favourites_skipped(&gapped.index, agreed),
        Some("agreed_before_covered"),
        "agreed while purchases were not covered"
    );

    let undo_words = candor::engine::changes::parse_changes(
        r#"{"changes": [{"kind": "consent", "customer": 1, "purpose": "birthday_offers", "granted": true, "method": "undo in Candor"}]}"#,
    );
    assert!(
        undo_words.is_err_and(|e| e.contains("written only by undoing")),
        "only an undo records a decision as one"
    );
    let forged = candor::engine::changes::parse_changes(
        r#"{"changes": [{"kind": "purpose", "purpose": "birthday_offers", "fields": ["birth_date", "orders"], "covered_since": {"orders": "2020-01-01T00:00:00Z"}}]}"#,
    );
    assert!(
        forged.is_err_and(|e| e.contains("covered_since")),
        "a CHANGES.json cannot backdate what customers agreed to"
    );
}

/// A consent change for customer `id` on birthday offers.
fn birthday_consent(id: i64, granted: bool) -> Change {
    Change::Consent {
        customer: id,
        purpose: "birthday_offers".into(),
        granted,
        method: None,
        words: None,
    }
}

/// The sample's customer numbers: one who agreed to birthday offers, one who did not.
fn agreed_and_not(index: &ShopIndex) -> (i64, i64) {
    let customers = &index.shop().customers;
    let find = |agreed: bool| {
        (0..customers.len())
            .find(|&c| index.has_consent(c, "birthday_offers") == agreed)
            .map(|c| customers[c].id)
            .expect("such a customer")
    };
    (find(true), find(false))
}

#[test]
fn undoing_a_narrowing_gives_back_every_agreement_whatever_was_recorded_with_it() {
    let (_dir, path) = common::sample_file();
    let loaded = load_blocking(&path, common::sample_day()).expect("loads");
    let (agreed, not) = agreed_and_not(&loaded.index);
    let at = |when: &str| Attribution {
        actor: "Owner".into(),
        reason: "birthday offers without birth dates".into(),
        at: when.into(),
    };
    let changes = [
        birthday_consent(agreed, false),
        birthday_consent(not, true),
        cover("birthday_offers", &[]),
    ];
    let (mut store, _) = Store::open(&path).expect("opens");
    let done =
        (store.apply(None, &changes, &at("2026-01-05T10:00:00Z"), None, None)).expect("applies");
    assert_ne!(
        *load_blocking(&path, common::sample_day())
            .expect("reloads")
            .lists,
        *loaded.lists
    );
    store
        .undo(done.entry, &Attribution::now("Owner", "undo"))
        .expect("undoes");
    let undone = load_blocking(&path, common::sample_day()).expect("reloads");
    assert_eq!(
        undone.index.shop().purposes,
        loaded.index.shop().purposes,
        "the decisions recorded with the narrowing are taken back with it"
    );
    assert_eq!(*undone.lists, *loaded.lists);

    // The narrowing listed first: its undo comes last, after the undo of the withdrawal,
    // whose grant gives back an agreement from before (no one agreed in between).
    let first = [changes[2].clone(), birthday_consent(agreed, false)];
    let done =
        (store.apply(None, &first, &at("2026-01-05T11:00:00Z"), None, None)).expect("applies");
    store
        .undo(done.entry, &Attribution::now("Owner", "undo"))
        .expect("undoes");
    // And a withdrawal in an entry of its own, taken back before the narrowing.
    let narrowed = (store.apply(None, &changes[2..], &at("2026-01-05T12:00:00Z"), None, None))
        .expect("applies");
    let withdrawn = (store.apply(
        None,
        &[birthday_consent(agreed, false)],
        &at("2026-01-05T12:05:00Z"),
        None,
        None,
    ))
    .expect("applies");
    for entry in [withdrawn.entry, narrowed.entry] {
        store
            .undo(entry, &Attribution::now("Owner", "undo"))
            .expect("undoes");
    }
    let undone = load_blocking(&path, common::sample_day()).expect("reloads");
    assert_eq!(
        undone.index.shop().purposes,
        loaded.index.shop().purposes,
        "a grant an undo gave back is no agreement made while the purpose was narrowed"
    );
    assert_eq!(*undone.lists, *loaded.lists);

    // Someone else records a grant in the very second of another narrowing: which came
    // first is not known, so the undo covers birth dates from then on.
    let done = (store.apply(None, &changes[2..], &at("2026-01-06T10:00:00Z"), None, None))
        .expect("applies");
    let other = Attribution {
        actor: "Sam".into(),
        ..at("2026-01-06T10:00:00Z")
    };
    (store.apply(None, &[birthday_consent(not, true)], &other, None, None)).expect("records");
    store
        .undo(done.entry, &Attribution::now("Owner", "undo"))
        .expect("undoes");
    let gapped = load_blocking(&path, common::sample_day()).expect("reloads");
    let birthday = (gapped.index.shop().purposes.iter())
        .find(|p| p.id == "birthday_offers")
        .expect("the purpose");
    assert!(
        birthday
            .covered_since
            .contains_key(&PersonalField::BirthDate),
        "{:?}",
        birthday.covered_since
    );
}

#[test]
fn narrowing_personalization_to_purchases_stops_the_age_rule_for_everyone() {
    let (_dir, path) = common::sample_file();
    let loaded = load_blocking(&path, common::sample_day()).expect("loads");
    let before = contributing_rules(&explain_all(loaded.index.shop().clone()));
    assert!(before.iter().any(|id| id == "premium-for-40-plus"));

    let outcome = outcome_of(
        &loaded,
        vec![cover("personalization", &[PersonalField::Orders])],
    );
    let after = contributing_rules(&explain_all(outcome.preview.after.shop().clone()));
    assert!(!after.iter().any(|id| id == "premium-for-40-plus"));
    assert!(outcome.preview.impact.customers_changed > 0);
    let flagged =
        |findings: &[candor::engine::audit::Finding], id: &str| findings.iter().any(|f| f.id == id);
    assert!(flagged(
        &outcome.audit_after.findings,
        "lint:premium-for-40-plus:outside_purpose"
    ));
}

#[test]
fn a_reason_that_hides_the_age_it_uses_is_a_finding_with_an_honest_wording() {
    let loaded = load_blocking(&common::sample_file().1, common::sample_day()).expect("loads");
    let finding = loaded
        .audit
        .findings
        .iter()
        .find(|f| f.id == "lint:premium-for-40-plus:reason_hides_data")
        .expect("the euphemistic reason is found");
    assert!(finding.title.contains("birth date"), "{}", finding.title);
    let fix = finding.fix.as_ref().expect("a wording to simulate");
    let Change::Rule { rule, .. } = &fix.changes[0] else {
        panic!("the fix rewords the rule: {:?}", fix.changes)
    };
    assert!(rule.reason.contains("{data}"), "{}", rule.reason);

    let mut shop = loaded.index.shop().clone();
    let pos = shop
        .rules
        .iter()
        .position(|r| r.id == rule.id)
        .expect("rule");
    shop.rules[pos] = rule.clone();
    let index = ShopIndex::new(Arc::new(shop), common::sample_day());
    let lists =
        candor::engine::simulate::all_lists(&index, 5, &Progress::default()).expect("lists");
    let audit = candor::engine::audit::audit(&index, &lists, &AuditConfig::default());
    assert!(
        !audit
            .findings
            .iter()
            .any(|f| f.id == "lint:premium-for-40-plus:reason_hides_data"),
        "the suggested wording passes the check"
    );
    assert!(
        audit
            .findings
            .iter()
            .any(|f| f.id == "lint:birthday-favourites:outside_purpose")
    );
}

#[test]
fn the_sentence_and_the_card_name_the_personal_data_used_whatever_the_reason_says() {
    let shop = sample();
    let explanations = explain_all(shop.clone());
    let mut checked = 0;
    for e in &explanations {
        for r in &e.recommendations {
            let age_rule = r
                .contributions
                .iter()
                .any(|c| c.id == "premium-for-40-plus" && c.counts());
            if age_rule {
                assert!(
                    r.sentence.contains("your age (from your birth date)"),
                    "{}",
                    r.sentence
                );
                assert!(r.data_used.iter().any(|d| d.contains("birth date")));
                checked += 1;
            }
            for c in r
                .contributions
                .iter()
                .filter(|c| c.counts() && c.purpose.is_some())
            {
                for words in &c.data_used {
                    assert!(
                        r.sentence.contains(words.as_str()),
                        "{} lacks {words}",
                        r.sentence
                    );
                }
            }
        }
    }
    assert!(
        checked > 0,
        "the sample has customers the age rule runs for"
    );

    let (customer, e) = explanations
        .iter()
        .enumerate()
        .find(|(_, e)| {
            e.recommendations.iter().any(|r| {
                r.contributions
                    .iter()
                    .any(|c| c.id == "premium-for-40-plus")
            })
        })
        .expect("a customer with the age rule");
    let card = candor::html::customer_card(&shop, &shop.customers[customer], e, None, &no_log());
    assert!(card.contains("your age (from your birth date)"));
    assert!(
        !card.contains("premium-for-40-plus"),
        "no rule id on the card"
    );
}

#[test]
fn a_contribution_shown_as_zero_is_never_given_as_a_reason() {
    let mut shop = sample();
    shop.settings.popularity_weight = 0.001;
    for e in explain_all(shop) {
        for r in &e.recommendations {
            assert!(!r.sentence.contains("popular this month"), "{}", r.sentence);
            for c in r.contributions.iter().filter(|c| !c.counts()) {
                if !c.reason.is_empty() {
                    assert!(!r.sentence.contains(&c.reason), "{}", r.sentence);
                }
            }
        }
    }
}

#[test]
fn purposes_retention_and_settings_change_like_everything_else_and_undo() {
    let (_dir, path) = common::sample_file();
    let loaded = load_blocking(&path, common::sample_day()).expect("loads");
    let changes = vec![
        Change::Purpose {
            purpose: "email_offers".into(),
            label: Some("Emails from the bakery".into()),
            description: Some("We email you our news and offers, about once a month.".into()),
            fields: None,
            covered_since: None,
            undone_at: None,
        },
        Change::FieldRetention {
            field: PersonalField::Phone,
            retention_days: Some(90),
        },
        Change::Setting {
            setting: "top_n".into(),
            value: json!(7),
        },
    ];
    let outcome = outcome_of(&loaded, changes);
    assert!(outcome.preview.after_lists.iter().all(|l| l.len() <= 7));
    let who = Attribution::now("Owner", "tidy up");
    let done = candor::session::apply::apply(&path, &outcome, &who).expect("applies");
    let fresh = load_blocking(&path, common::sample_day()).expect("reloads");
    let shop = fresh.index.shop();
    assert_eq!(shop.settings.top_n, 7);
    assert_eq!(*fresh.lists, *done.loaded.lists);
    let email = shop
        .purposes
        .iter()
        .find(|p| p.id == "email_offers")
        .expect("purpose");
    assert_eq!(email.label, "Emails from the bakery");
    let phone = shop.fields.iter().find(|f| f.field == PersonalField::Phone);
    assert_eq!(phone.and_then(|f| f.retention_days), Some(90));
    let entry = Store::open(&path).expect("opens").0.log().expect("log");
    let kinds: Vec<&str> = entry[0].changes.iter().map(|a| a.change.kind()).collect();
    assert_eq!(kinds, ["purpose", "field_retention", "setting"]);

    let (mut store, _) = Store::open(&path).expect("opens");
    store
        .undo(done.entry, &Attribution::now("Owner", "undo"))
        .expect("undoes");
    let undone = Store::open(&path).expect("opens").0.load().expect("loads");
    let original = loaded.index.shop();
    assert_eq!(undone.settings, original.settings);
    assert_eq!(undone.purposes, original.purposes);
    assert_eq!(undone.fields, original.fields);
}

#[test]
fn a_setting_that_cannot_be_set_is_refused_naming_the_field() {
    let shop = sample();
    let ctx = candor::engine::changes::ChangeContext::now("tester");
    let refuse = |change: Change| {
        candor::engine::changes::apply_all(shop.clone(), &[change], &ctx)
            .expect_err("refused")
            .field
    };
    let currency = Change::Setting {
        setting: "currency".into(),
        value: json!("USD"),
    };
    assert_eq!(refuse(currency), "setting");
    let zero = Change::Setting {
        setting: "top_n".into(),
        value: json!(0),
    };
    assert_eq!(refuse(zero), "value");
    let too_long = Change::FieldRetention {
        field: PersonalField::Phone,
        retention_days: Some(0),
    };
    assert_eq!(refuse(too_long), "retention_days");
    assert_eq!(refuse(cover("spying", &[])), "purpose");
    let parsed = candor::engine::changes::parse_changes(
        r#"{"changes": [{"kind": "purpose", "purpose": "personalization", "fields": ["shoe_size"]}]}"#,
    );
    assert!(parsed.expect_err("unknown field").contains("shoe_size"));
}

#[test]
fn an_older_shop_declares_for_each_purpose_the_fields_its_rules_read() {
    use candor::store::schema;
    use rusqlite::Connection;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("v8.candor");
    let mut conn = Connection::open(&path).expect("open");
    conn.pragma_update(None, "application_id", schema::APPLICATION_ID)
        .expect("id");
    schema::migrations().to_version(&mut conn, 8).expect("v8");
    let age_rule = sample()
        .rules
        .into_iter()
        .find(|r| r.id == "premium-for-40-plus")
        .expect("rule");
    conn.execute_batch(
        "INSERT INTO shop_settings VALUES ('name', 'Old shop');
         INSERT INTO purposes VALUES ('personalization', 'Personalized', 'We use what you buy.');
         INSERT INTO purposes VALUES ('email_offers', 'Email offers', 'We email you.');",
    )
    .expect("rows");
    conn.execute(
        "INSERT INTO rules VALUES (0, ?1, ?2)",
        rusqlite::params![age_rule.id, serde_json::to_string(&age_rule).expect("json")],
    )
    .expect("rule row");
    drop(conn);
    let (store, _) = Store::open(&path).expect("upgraded");
    let shop = store.load().expect("loads");
    let fields: Vec<Vec<PersonalField>> = shop.purposes.iter().map(|p| p.fields.clone()).collect();
    assert_eq!(fields, [vec![PersonalField::BirthDate], vec![]]);
}

#[test]
fn purchases_are_read_only_under_a_purpose_that_covers_them() {
    let shop = sample();
    let index = ShopIndex::new(Arc::new(shop.clone()), common::sample_day());
    let covers_orders: Vec<&str> = shop
        .purposes
        .iter()
        .filter(|p| p.covers(PersonalField::Orders))
        .map(|p| p.id.as_str())
        .collect();
    let mut checked = 0;
    for (c, e) in explain_all(shop.clone()).iter().enumerate() {
        let may_read = covers_orders.iter().any(|p| index.has_consent(c, p));
        if !may_read {
            checked += 1;
            assert!(
                e.excluded.iter().all(|x| x.reason != "already_bought"),
                "customer {} granted nothing covering purchases, yet what they bought was read",
                e.customer
            );
        }
    }
    assert!(checked > 0);
}

#[test]
fn a_customer_who_agreed_is_never_told_they_did_not() {
    let mut shop = sample();
    let personalization = shop
        .purposes
        .iter_mut()
        .find(|p| p.id == "personalization")
        .expect("purpose");
    personalization.fields.clear();
    let index = ShopIndex::new(Arc::new(shop.clone()), common::sample_day());
    for (c, e) in explain_all(shop.clone()).iter().enumerate() {
        let agreed = shop.purposes.iter().any(|p| {
            index.has_consent(c, &p.id) && shop.rules.iter().any(|r| r.enabled && r.purpose == p.id)
        });
        let said = e
            .recommendations
            .first()
            .map(|r| r.sentence.clone())
            .unwrap_or_default();
        if agreed && !e.personalized {
            assert_eq!(
                e.not_personalized,
                Some(candor::engine::score::NotPersonalized::NoRuleInUse)
            );
            assert!(!said.contains("not agreed"), "{said}");
        }
    }
}

#[test]
fn popularity_is_claimed_only_when_it_lifted_the_product() {
    for weight in [-5.0, 0.0] {
        let mut shop = sample();
        shop.settings.popularity_weight = weight;
        for e in explain_all(shop.clone()) {
            for r in &e.recommendations {
                assert!(!r.sentence.contains("popular"), "{weight}: {}", r.sentence);
                assert!(
                    !r.counterfactual.sentence.contains("popular"),
                    "{weight}: {}",
                    r.counterfactual.sentence
                );
            }
            let c = shop
                .customers
                .iter()
                .find(|c| c.id == e.customer)
                .expect("customer");
            let card = candor::html::customer_card(&shop, c, &e, None, &no_log());
            assert!(
                !card.contains("is popular") && !card.contains("what is popular"),
                "{weight}"
            );
        }
    }
}

#[test]
fn a_tiny_contribution_that_decides_the_list_still_names_its_data() {
    let mut shop = sample();
    shop.settings.popularity_weight = 0.0;
    let mut tiny = shop.rules[0].clone();
    tiny.id = "tiny".into();
    tiny.weight = 0.004;
    tiny.conditions = vec![candor::engine::rules::Condition {
        feature: candor::engine::features::CustomerFeature::SpendLastYear,
        op: candor::engine::rules::Op::AtLeast,
        value: 0.0,
    }];
    tiny.target = candor::engine::rules::Target::Category {
        category: "gifts".into(),
    };
    tiny.amount = candor::engine::rules::Amount::Fixed { value: 1.0 };
    tiny.reason = "we think you will like it".into();
    shop.rules.push(tiny);
    let mut found = 0;
    for e in explain_all(shop) {
        for r in &e.recommendations {
            if r.contributions.iter().any(|c| c.id == "tiny") {
                found += 1;
                assert!(
                    r.data_used.iter().any(|d| d.contains("spent")),
                    "{:?}",
                    r.data_used
                );
                assert!(
                    r.sentence.contains("what you spent with us"),
                    "{}",
                    r.sentence
                );
                assert!(
                    !r.sentence.contains("we think you will like it"),
                    "{}",
                    r.sentence
                );
            }
        }
    }
    assert!(found > 0);
}

#[test]
fn text_a_page_shows_cannot_carry_control_characters_and_consents_are_kept() {
    let shop = sample();
    let ctx = candor::engine::changes::ChangeContext::now("tester");
    let refused = |change: Change| {
        candor::engine::changes::apply_all(shop.clone(), &[change], &ctx)
            .expect_err("refused")
            .field
    };
    let name = Change::Setting {
        setting: "name".into(),
        value: json!("Hazel\u{1b}[31m & Rye\u{202E}"),
    };
    assert_eq!(refused(name), "value");
    let label = Change::Purpose {
        purpose: "personalization".into(),
        label: Some("Personal\nised".into()),
        description: None,
        fields: None,
        covered_since: None,
        undone_at: None,
    };
    assert_eq!(refused(label), "label");
    let consents = Change::FieldRetention {
        field: PersonalField::Consents,
        retention_days: Some(1),
    };
    assert_eq!(refused(consents), "field");
}

#[test]
fn a_purpose_covering_sensitive_data_its_words_never_mention_is_a_finding() {
    let mut shop = sample();
    let birthday = shop
        .purposes
        .iter_mut()
        .find(|p| p.id == "birthday_offers")
        .expect("purpose");
    birthday
        .fields
        .extend([PersonalField::Postcode, PersonalField::Gender]);
    let index = ShopIndex::new(Arc::new(shop), common::sample_day());
    let lists =
        candor::engine::simulate::all_lists(&index, 5, &Progress::default()).expect("lists");
    let audit = candor::engine::audit::audit(&index, &lists, &AuditConfig::default());
    let finding = audit
        .findings
        .iter()
        .find(|f| f.id == "purpose:birthday_offers:words_silent")
        .expect("found");
    assert!(
        finding.title.contains("postcode and gender"),
        "{}",
        finding.title
    );
    let Some(Change::Purpose {
        fields: Some(kept), ..
    }) = finding.fix.as_ref().map(|f| f.changes[0].clone())
    else {
        panic!("the fix narrows the purpose")
    };
    assert_eq!(kept, vec![PersonalField::BirthDate]);
    let clean = load_blocking(&common::sample_file().1, common::sample_day()).expect("loads");
    assert!(
        !clean
            .audit
            .findings
            .iter()
            .any(|f| f.id.starts_with("purpose:")),
        "the sample's purposes say what they cover"
    );
}

/// The head of an empty audit log, for cards built from a shop in memory.
fn no_log() -> candor::store::LogHead {
    candor::store::LogHead {
        shop: None,
        hash: String::new(),
        count: 0,
    }
}
