//! Customers' stated preferences: a "not wanted" product, category or tag is never
//! recommended to them (whatever they consented to), purchases they asked the shop not to
//! use are read by no rule, the decision recorded last stands, and preferences are listed
//! in Data held, logged, moved by a merge, undone and erased like every change.

mod common;

use std::sync::Arc;

use candor::engine::changes::{Change, ChangeContext, apply_all};
use candor::engine::features::CustomerFeature;
use candor::engine::model::Shop;
use candor::engine::preferences::{About, Preference, PreferenceKind};
use candor::engine::rules::Target;
use candor::engine::score::{Scorer, rule_visits_and_amount, together_anchors};
use candor::engine::simulate::{Progress, all_lists, simulate};
use candor::engine::{ShopIndex, explain};
use candor::store::{Attribution, Store};

fn sample() -> Shop {
    candor::shopgen::sample::sample_shop().expect("sample reads")
}

fn index(shop: Shop) -> ShopIndex {
    ShopIndex::new(Arc::new(shop), common::sample_day())
}

fn stated(customer: i64, kind: PreferenceKind, about: About, withdrawn: bool) -> Change {
    Change::Preference {
        customer,
        preference: Some(Preference { kind, about }),
        withdrawn,
        method: Some("at the counter".to_owned()),
        words: Some("she said so herself".to_owned()),
        lifted_by: Vec::new(),
    }
}

fn not_wanted_category(customer: i64, category: &str) -> Change {
    let about = About::Category(category.to_owned());
    stated(customer, PreferenceKind::NotWanted, about, false)
}

fn with(shop: Shop, changes: &[Change]) -> Shop {
    apply_all(shop, changes, &ChangeContext::now("Sam"))
        .expect("the changes apply")
        .0
}

/// The category of every product in each customer's list, by customer position.
fn listed_categories(index: &ShopIndex, customer: usize) -> Vec<String> {
    let shop = index.shop();
    let lists = all_lists(index, shop.settings.top_n, &Progress::default()).expect("lists");
    lists[customer]
        .iter()
        .map(|&p| shop.products[p as usize].category.clone())
        .collect()
}

/// The customer of the sample whose list holds the most products of one category, and
/// that category.
fn customer_and_favourite(index: &ShopIndex) -> (i64, String) {
    let shop = index.shop();
    (0..shop.customers.len())
        .filter_map(|c| {
            let categories = listed_categories(index, c);
            let top = categories.first()?.clone();
            let n = categories.iter().filter(|x| **x == top).count();
            Some((n, shop.customers[c].id, top))
        })
        .max_by_key(|(n, id, _)| (*n, -id))
        .map(|(_, id, category)| (id, category))
        .expect("a customer with a list")
}

#[test]
fn a_category_not_wanted_never_appears_in_the_list_the_explanation_or_the_simulation() {
    let before = index(sample());
    let (customer, category) = customer_and_favourite(&before);
    let pos = before.customer_pos(customer).expect("customer");
    assert!(listed_categories(&before, pos).contains(&category));

    let change = not_wanted_category(customer, &category);
    let sim = simulate(
        &before,
        None,
        std::slice::from_ref(&change),
        "Sam",
        &Progress::default(),
    )
    .expect("simulates");
    let after_list = &sim.after_lists[pos];
    assert_eq!(after_list.len(), before.shop().settings.top_n);
    assert!(
        after_list
            .iter()
            .all(|&p| sim.after.shop().products[p as usize].category != category)
    );

    let after = index(with(sample(), &[change]));
    assert!(!listed_categories(&after, pos).contains(&category));
    let e = explain(&mut Scorer::new(&after), pos, 20);
    assert!(e.recommendations.iter().all(|r| r.category != category));
    assert_eq!(e.left_out.len(), 1);
    assert!(
        e.left_out[0]
            .sentence
            .contains(&format!("you do not want {category}")),
        "{}",
        e.left_out[0].sentence
    );
    let in_category = after
        .shop()
        .products
        .iter()
        .filter(|p| p.category == category)
        .count();
    assert_eq!(e.left_out[0].products, in_category);
    assert!(
        e.excluded
            .iter()
            .filter(|x| x.reason == "not_wanted")
            .count()
            >= in_category.min(1)
    );
}

#[test]
fn not_wanted_holds_without_consent_and_for_a_tag_and_a_product() {
    let shop = sample();
    let before = index(shop.clone());
    let pos = (0..shop.customers.len())
        .find(|&c| Scorer::new(&before).plan(c).not_personalized.is_some())
        .expect("a customer who did not agree to personalization");
    let customer = shop.customers[pos].id;
    let list = all_lists(&before, 5, &Progress::default()).expect("lists")[pos].clone();
    let first = &shop.products[list[0] as usize];
    let tag = shop
        .products
        .iter()
        .flat_map(|p| p.tags.iter())
        .find(|t| *t == "treat")
        .expect("the sample tags treats")
        .clone();
    let after = index(with(
        shop.clone(),
        &[
            stated(
                customer,
                PreferenceKind::NotWanted,
                About::Product(first.id),
                false,
            ),
            stated(
                customer,
                PreferenceKind::NotWanted,
                About::Tag(tag.clone()),
                false,
            ),
        ],
    ));
    let lists = all_lists(&after, 10, &Progress::default()).expect("lists");
    for &p in &lists[pos] {
        let product = &after.shop().products[p as usize];
        assert_ne!(product.id, first.id);
        assert!(
            !product.tags.contains(&tag),
            "{} is tagged {tag}",
            product.name
        );
    }
    let e = explain(&mut Scorer::new(&after), pos, 10);
    assert!(e.not_personalized.is_some(), "still not personalized");
    assert_eq!(e.left_out.len(), 2);
}

#[test]
fn the_decision_recorded_last_stands_and_a_withdrawal_brings_products_back() {
    let before = index(sample());
    let (customer, category) = customer_and_favourite(&before);
    let pos = before.customer_pos(customer).expect("customer");
    let about = About::Category(category.clone());
    let changes = [
        stated(customer, PreferenceKind::NotWanted, about.clone(), false),
        stated(customer, PreferenceKind::NotWanted, about.clone(), true),
    ];
    let after = index(with(sample(), &changes));
    assert_eq!(
        listed_categories(&after, pos),
        listed_categories(&before, pos)
    );
    let again = index(with(
        with(sample(), &changes),
        &[stated(customer, PreferenceKind::NotWanted, about, false)],
    ));
    assert!(!listed_categories(&again, pos).contains(&category));
}

/// Every rule's amount for every product, the "bought together" rule's anchors, and every
/// feature, for one customer.
fn what_rules_read(index: &ShopIndex, pos: usize) -> (Vec<Option<f64>>, Vec<Vec<usize>>, Vec<f64>) {
    let shop = index.shop();
    let mut amounts = Vec::new();
    let mut anchors = Vec::new();
    for rule in &shop.rules {
        if rule.target == Target::BoughtTogether {
            anchors.push(together_anchors(index, rule, pos));
            continue;
        }
        for p in 0..shop.products.len() {
            amounts.push(rule_visits_and_amount(index, rule, pos, p).map(|(_, a)| a));
        }
    }
    let features = CustomerFeature::ALL
        .iter()
        .filter_map(|f| f.value(index, pos, index.today()))
        .collect();
    (amounts, anchors, features)
}

#[test]
fn purchases_not_to_be_used_change_no_rule_as_if_they_had_never_been_made() {
    let mut shop = sample();
    shop.rules.extend(
        candor::shopgen::catalogue::starter_rules()
            .into_iter()
            .filter(|r| r.id == "bought-together"),
    );
    let before = index(shop.clone());
    let (customer, category) = customer_and_favourite(&before);
    let pos = before.customer_pos(customer).expect("customer");
    let ignoring = index(with(
        shop.clone(),
        &[stated(
            customer,
            PreferenceKind::IgnorePurchases,
            About::Category(category.clone()),
            false,
        )],
    ));

    // The same shop with those purchases really gone (and an order left empty by it).
    let mut without = shop.clone();
    let in_category = |id: i64| {
        shop.products
            .iter()
            .any(|p| p.id == id && p.category == category)
    };
    let theirs: Vec<i64> = shop
        .orders
        .iter()
        .filter(|o| o.customer == Some(customer))
        .map(|o| o.id)
        .collect();
    Arc::make_mut(&mut without.lines)
        .retain(|l| !(theirs.contains(&l.order) && in_category(l.product)));
    let kept: Vec<i64> = without.lines.iter().map(|l| l.order).collect();
    Arc::make_mut(&mut without.orders).retain(|o| !theirs.contains(&o.id) || kept.contains(&o.id));
    let removed = shop.lines.len() - without.lines.len();
    assert!(removed > 0, "the customer bought in {category}");
    let gone = index(without);

    assert_ne!(
        what_rules_read(&before, pos),
        what_rules_read(&ignoring, pos)
    );
    assert_eq!(what_rules_read(&ignoring, pos), what_rules_read(&gone, pos));

    let e = explain(&mut Scorer::new(&ignoring), pos, 5);
    assert_eq!(e.purchases_not_used.len(), 1);
    assert_eq!(e.purchases_not_used[0].lines, removed);
    assert!(e.purchases_not_used[0].sentence.contains(&category));
    for r in &e.recommendations {
        for c in &r.contributions {
            for record in &c.records {
                if let candor::engine::explain::Record::OrderLine { product, .. } = record {
                    assert!(!in_category(*product), "a record of {category} was used");
                }
            }
        }
    }
}

#[test]
fn a_preference_names_a_customer_and_product_that_exist() {
    let shop = sample();
    let ctx = ChangeContext::now("Sam");
    let no_customer = not_wanted_category(999_999, "tea");
    let err = apply_all(shop.clone(), &[no_customer], &ctx).expect_err("refused");
    assert_eq!(err.field, "customer");
    let no_product = stated(1, PreferenceKind::NotWanted, About::Product(999_999), false);
    let err = apply_all(shop.clone(), &[no_product], &ctx).expect_err("refused");
    assert_eq!(err.field, "preference");
    let missing: candor::engine::changes::ChangeSet = serde_json::from_str(
        r#"{"changes":[{"kind":"preference","customer":1,"withdrawn":false}]}"#,
    )
    .expect("reads");
    let err = apply_all(shop, &missing.changes, &ctx).expect_err("refused");
    assert_eq!(err.field, "preference");
}

fn who() -> Attribution {
    Attribution::now("Sam", "the customer asked at the till")
}

#[test]
fn stored_logged_held_undone_and_erased() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    let words = "no wine for me, thank you kindly";
    let change = Change::Preference {
        customer: 1,
        preference: Some(Preference {
            kind: PreferenceKind::NotWanted,
            about: About::Category("coffee".to_owned()),
        }),
        withdrawn: false,
        method: Some("at the counter".to_owned()),
        words: Some(words.to_owned()),
        lifted_by: Vec::new(),
    };
    store
        .apply(None, &[change], &who(), None, None)
        .expect("applies");
    let shop = store.load().expect("loads");
    let hers: Vec<_> = shop
        .preferences
        .iter()
        .filter(|e| e.customer == 1)
        .collect();
    assert_eq!(hers.len(), 1);
    assert_eq!(hers[0].words.as_deref(), Some(words));
    let idx = index(shop.clone());
    let held = candor::engine::held::held(&idx, idx.customer_pos(1).expect("pos"));
    assert_eq!(held.preferences.len(), 1);
    assert!(held.preferences[0].stands);
    assert_eq!(held.preferences[0].text, "does not want coffee");
    assert!(
        held.fields
            .iter()
            .any(|f| f.field == "preferences" && f.value == "1 stated")
    );
    let log = store.log().expect("log");
    let text = candor::session::log_text::entry_sentence(&log[0], &shop);
    assert!(text.contains("does not want coffee"), "{text}");
    assert!(store.verify_log().expect("verifies").problem.is_none());

    store.undo(1, &who()).expect("undoes");
    let undone = store.load().expect("loads");
    let coffee = Preference {
        kind: PreferenceKind::NotWanted,
        about: About::Category("coffee".to_owned()),
    };
    assert!(!candor::engine::preferences::holds(
        &undone.preferences,
        1,
        &coffee
    ));

    assert!(common::file_holds(&path, words));
    store.erase(1, &who()).expect("erases");
    drop(store);
    let (store, _) = Store::open(&path).expect("opens");
    let left = store.load().expect("loads");
    assert!(left.preferences.iter().all(|e| e.customer != 1));
    assert!(store.verify_log().expect("verifies").problem.is_none());
    assert!(
        !common::file_holds(&path, words),
        "the customer's words are still in the file"
    );
    // The log still reads as sentences, saying whom it was about without a number.
    let log = store.log().expect("log");
    let text = candor::session::log_text::entry_sentence(&log[0], &left);
    assert!(
        text.contains("recorded a preference of an erased customer"),
        "{text}"
    );
    assert!(!text.contains("customer 0"), "{text}");
    let refused = Store::open(&path)
        .expect("opens")
        .0
        .undo(2, &who())
        .expect_err("the customer is no longer held");
    assert!(
        refused
            .to_string()
            .contains("a customer who was erased since"),
        "{refused}"
    );
}

#[test]
fn a_merge_moves_preferences_and_its_undo_gives_them_back() {
    let shop = with(sample(), &[not_wanted_category(2, "tea")]);
    let ctx = ChangeContext::now("Sam");
    let merge = Change::MergeCustomers {
        customer: 1,
        from: 2,
    };
    let (merged, applied) = apply_all(shop.clone(), &[merge], &ctx).expect("merges");
    assert!(merged.preferences.iter().all(|e| e.customer != 2));
    assert!(merged.preferences.iter().any(|e| e.customer == 1));
    let undo = candor::engine::changes::inverse(&applied);
    let (split, _) = apply_all(merged, &undo, &ctx).expect("splits");
    assert_eq!(split.preferences, shop.preferences);
}

/// A shop file as version 11 wrote it (before preferences), with its owner set up and,
/// when `outside` is given, that SQL run on it afterwards behind Candor's back.
fn version_11_file(outside: Option<&str>) -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, path) = common::owned_sample_file();
    let conn = rusqlite::Connection::open(&path).expect("opens");
    conn.execute_batch(
        "DELETE FROM personal_fields WHERE field = 'preferences';
         DROP TABLE preferences; ALTER TABLE consents DROP COLUMN wording;
         DROP TABLE audit_signatures;
         DELETE FROM shop_settings
           WHERE key IN ('owner_signing_key', 'owner_recovery_key', 'owner_signing_public');
         UPDATE audit_log SET entry =
           substr(entry, 1, instr(entry, '; signing key ') - 1)
           || substr(entry, instr(entry, '; signing key ') + 14 + 64 + 15 + 64)
           WHERE instr(entry, '; signing key ') > 0;
         PRAGMA user_version = 11;",
    )
    .expect("as version 11");
    // What version 11 recorded: no part for the preferences, no consent wording.
    let mut digest = candor::store::state::digest(&conn, true).expect("digest");
    digest.parts.remove("preferences");
    conn.execute(
        "UPDATE audit_log SET state = ?1 WHERE id = (SELECT max(id) FROM audit_log)",
        [digest.to_text()],
    )
    .expect("records the digest");
    candor::store::chain::rechain_all(&conn).expect("re-chains");
    if let Some(sql) = outside {
        conn.execute_batch(sql).expect("the outside change");
    }
    drop(conn);
    (dir, path)
}

#[test]
fn upgrading_a_shop_records_the_new_field_in_the_log_and_keeps_an_outside_change_visible() {
    let (_dir, path) = version_11_file(None);
    let (store, _) = Store::open(&path).expect("upgrades");
    let shop = store.load().expect("loads");
    assert!(
        shop.fields
            .iter()
            .any(|f| f.field == candor::engine::model::PersonalField::Preferences)
    );
    let log = store.log().expect("log");
    let newest = log.last().expect("an entry");
    let event = newest.event.as_ref().expect("an event");
    assert_eq!(event.kind, candor::store::schema::UPGRADE_EVENT);
    assert!(
        newest.outside_change.is_none(),
        "{:?}",
        newest.outside_change
    );
    let report = store.verify_log().expect("verifies");
    assert!(report.problem.is_none(), "{:?}", report.problem);

    let (_dir, path) = version_11_file(Some(
        "UPDATE consents SET granted = 1 - granted WHERE id = 1;",
    ));
    let (store, _) = Store::open(&path).expect("upgrades");
    let log = store.log().expect("log");
    let found = log
        .last()
        .and_then(|e| e.outside_change.as_ref())
        .expect("the change made before the upgrade is recorded");
    assert_eq!(found.parts, ["consent decisions"]);
}

/// The sample with its rule for the categories customers told us they like lifting them
/// by 3 (its purpose covering stated preferences, or not), and customers 1 and 3 liking
/// tea and bread.
fn shop_with_liked_rule(covered: bool) -> Shop {
    use candor::engine::model::PersonalField;
    use candor::engine::rules::{Amount, Rule};
    let mut shop = sample();
    assert!(
        shop.rules.iter().any(|r| r.id == "you-told-us"),
        "the sample shop has the rule"
    );
    shop.rules.retain(|r| r.id != "you-told-us");
    let rule: Rule = serde_json::from_value(serde_json::json!({
        "id": "you-told-us", "label": "What you told us you like", "enabled": true,
        "weight": 1.0, "purpose": "personalization", "conditions": [
            {"feature": "prefers", "op": "at_least", "value": 1.0}],
        "target": {"kind": "preferred_category"},
        "amount": {"kind": "fixed", "value": 3.0},
        "reason": "you told us you love {category}"
    }))
    .expect("a rule");
    assert!(matches!(rule.amount, Amount::Fixed { .. }));
    shop.rules.push(rule);
    let purpose = shop
        .purposes
        .iter_mut()
        .find(|p| p.id == "personalization")
        .expect("purpose");
    purpose.fields.retain(|f| *f != PersonalField::Preferences);
    if covered {
        purpose.fields.push(PersonalField::Preferences);
    }
    let liked = |customer, category: &str| {
        let about = About::Category(category.to_owned());
        stated(customer, PreferenceKind::Liked, about, false)
    };
    with(shop, &[liked(1, "tea"), liked(3, "bread")])
}

#[test]
fn a_liked_category_lifts_its_products_exactly_and_says_which_data_it_used() {
    let idx = index(shop_with_liked_rule(true));
    let pos = idx.customer_pos(1).expect("Amelia");
    let e = explain(&mut Scorer::new(&idx), pos, idx.shop().products.len());
    let mut lifted = 0;
    for r in &e.recommendations {
        let sum: f64 = r.contributions.iter().map(|c| c.value).sum();
        assert!((sum - r.score).abs() < 1e-9, "{} adds up", r.name);
        let ours = r.contributions.iter().find(|c| c.id == "you-told-us");
        assert_eq!(ours.is_some(), r.category == "tea", "{}", r.name);
        if let Some(c) = ours {
            lifted += 1;
            assert!((c.value - 3.0).abs() < 1e-12);
            assert_eq!(c.fields, ["preferences"]);
            assert_eq!(c.data_used, ["what you told us you like"]);
            assert_eq!(c.reason, "you told us you love tea");
        }
    }
    assert!(lifted > 0, "Amelia's list holds tea");
    // Customer 2 told us nothing: the rule's condition does not hold for them.
    let skipped = explain(
        &mut Scorer::new(&idx),
        idx.customer_pos(2).expect("Priya"),
        5,
    );
    assert!(
        skipped
            .recommendations
            .iter()
            .all(|r| r.contributions.iter().all(|c| c.id != "you-told-us"))
    );
}

#[test]
fn the_fast_ranking_agrees_with_the_plain_one_for_liked_categories() {
    let idx = index(shop_with_liked_rule(true));
    let mut scorer = Scorer::new(&idx);
    for c in 0..idx.shop().customers.len() {
        let plan = scorer.plan(c);
        let plain = scorer.top(&plan, 8, &[]);
        let fast = scorer.top_fast(&plan, 8);
        assert_eq!(plain, fast, "customer at {c}");
    }
}

#[test]
fn a_rule_reading_likes_runs_for_nobody_until_its_purpose_covers_them() {
    let idx = index(shop_with_liked_rule(false));
    let pos = idx.customer_pos(1).expect("Amelia");
    let e = explain(&mut Scorer::new(&idx), pos, 5);
    let skipped = e
        .skipped
        .iter()
        .find(|s| s.id == "you-told-us")
        .expect("skipped");
    assert_eq!(skipped.reason, "outside_purpose");
    assert!(
        skipped.detail.contains("stated preferences"),
        "{}",
        skipped.detail
    );
}

#[test]
fn a_rule_for_liked_categories_adds_a_fixed_amount() {
    let rule: Result<candor::engine::rules::Rule, _> = serde_json::from_value(serde_json::json!({
        "id": "r", "label": "R", "enabled": true, "weight": 1.0, "purpose": "personalization",
        "target": {"kind": "preferred_tag"},
        "amount": {"kind": "per_purchase", "each": 1.0, "max": 3.0, "within_days": 90},
        "reason": "you told us you love {tag}"
    }));
    let problem = rule.expect("reads").validate_bounds().expect_err("refused");
    assert_eq!(problem.field, "amount");
}

#[test]
fn the_command_line_lists_preferences_and_writes_the_card_and_the_blank_form() {
    let (dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    store
        .apply(
            None,
            &[not_wanted_category(1, "coffee")],
            &who(),
            None,
            None,
        )
        .expect("applies");
    drop(store);
    let db = path.to_str().expect("path");
    let card = dir.path().join("card.html");
    let out = assert_cmd::Command::cargo_bin("candor")
        .expect("binary")
        .args([
            "preferences",
            "--db",
            db,
            "--customer",
            "1",
            "--json",
            "--card",
        ])
        .arg(&card)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(json["customer"], 1);
    assert_eq!(
        json["preferences"][0]["preference"],
        serde_json::json!({"kind": "not_wanted", "category": "coffee"})
    );
    assert_eq!(json["preferences"][0]["stands"], true);
    let html = std::fs::read_to_string(&card).expect("card");
    assert!(html.contains("You do not want coffee"));
    assert!(
        !html.contains("not_wanted"),
        "no internal names on the card"
    );

    let form = dir.path().join("form.html");
    assert_cmd::Command::cargo_bin("candor")
        .expect("binary")
        .args(["preferences", "--db", db, "--blank-form"])
        .arg(&form)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&form)
            .expect("form")
            .contains("Not for me")
    );
    assert_cmd::Command::cargo_bin("candor")
        .expect("binary")
        .args(["preferences", "--db", db])
        .assert()
        .failure();
}

#[test]
fn a_consent_decision_keeps_the_words_the_customer_was_shown_when_they_decided() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    let shop = store.load().expect("loads");
    let old_words = shop
        .purpose("email_offers")
        .expect("purpose")
        .description
        .clone();
    let consent = |granted| Change::Consent {
        customer: 2,
        purpose: "email_offers".to_owned(),
        granted,
        method: Some("in shop".to_owned()),
        words: None,
    };
    store
        .apply(None, &[consent(true)], &who(), None, None)
        .expect("applies");
    let new_words = "We email you news, offers and our monthly recipe.";
    let reword = Change::Purpose {
        purpose: "email_offers".to_owned(),
        label: None,
        description: Some(new_words.to_owned()),
        fields: None,
        covered_since: None,
        undone_at: None,
    };
    let changed = apply_all(
        store.load().expect("loads"),
        &[reword],
        &ChangeContext::now("o"),
    )
    .expect("rewords")
    .0;
    let (after, _) =
        apply_all(changed, &[consent(false)], &ChangeContext::now("Sam")).expect("withdraws");
    let mine: Vec<_> = after
        .consents
        .iter()
        .filter(|e| e.customer == 2 && e.purpose == "email_offers")
        .collect();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0].wording.as_deref(), Some(old_words.as_str()));
    assert_eq!(mine[1].wording.as_deref(), Some(new_words));
    // The card quotes the words she was shown when they differ from today's.
    let card_of = |shop: Shop| {
        let idx = index(shop);
        let pos = idx.customer_pos(2).expect("Priya");
        let held = candor::engine::held::held(&idx, pos);
        let e = explain(&mut Scorer::new(&idx), pos, 5);
        let head = candor::store::LogHead {
            shop: None,
            hash: "0".repeat(64),
            count: 1,
        };
        candor::html::preference_card(idx.shop(), &idx.shop().customers[pos], &held, &e, &head)
    };
    let granted_then = apply_all(
        store.load().expect("loads"),
        &[Change::Purpose {
            purpose: "email_offers".to_owned(),
            label: None,
            description: Some(new_words.to_owned()),
            fields: None,
            covered_since: None,
            undone_at: None,
        }],
        &ChangeContext::now("o"),
    )
    .expect("rewords")
    .0;
    let card = card_of(granted_then);
    assert!(card.contains(new_words), "today's words");
    assert!(
        card.contains(&format!(
            "When you decided, our words were: \u{201c}{old_words}"
        )),
        "{card}"
    );
    assert!(
        !card_of(after).contains("When you decided"),
        "she decided on today's words"
    );
    let stored = store.load().expect("loads");
    let kept = stored
        .consents
        .iter()
        .rfind(|e| e.customer == 2)
        .expect("stored");
    assert_eq!(kept.wording.as_deref(), Some(old_words.as_str()));
    // An undo shows the customer nothing: it records no wording.
    let entry = store.log().expect("log").last().expect("entry").id;
    store.undo(entry, &who()).expect("undoes");
    let undone = store.load().expect("loads");
    let by_undo = undone.consents.last().expect("the undo's decision");
    assert_eq!(by_undo.method, candor::engine::changes::UNDO_METHOD);
    assert_eq!(by_undo.wording, None);
}

/// "Not for me" answers from the first `n` customers whose list holds a product lifted by
/// `rule`, each to that product and naming the rules that lifted it, as the window writes.
fn answers_to(idx: &ShopIndex, rule: &str, n: usize) -> Vec<Change> {
    let mut scorer = Scorer::new(idx);
    let mut out = Vec::new();
    for c in 0..idx.shop().customers.len() {
        let e = explain(&mut scorer, c, idx.shop().settings.top_n);
        let lifted = e.recommendations.iter().find(|r| {
            r.contributions
                .iter()
                .any(|x| x.id == rule && x.value > 0.0)
        });
        if let Some(r) = lifted {
            let lifted_by = r
                .contributions
                .iter()
                .filter(|x| x.id != "popularity" && x.value > 0.0)
                .map(|x| x.id.clone())
                .collect();
            out.push(Change::Preference {
                customer: e.customer,
                preference: Some(Preference {
                    kind: PreferenceKind::NotWanted,
                    about: About::Product(r.product),
                }),
                withdrawn: false,
                method: Some("at the counter".to_owned()),
                words: None,
                lifted_by,
            });
        }
        if out.len() == n {
            break;
        }
    }
    out
}

fn audit_of(shop: Shop) -> candor::engine::audit::Audit {
    let idx = index(shop);
    let lists = all_lists(&idx, idx.shop().settings.top_n, &Progress::default()).expect("lists");
    candor::engine::audit::audit(&idx, &lists, &candor::engine::audit::AuditConfig::default())
}

#[test]
fn a_rule_that_draws_many_not_for_me_answers_is_a_finding_and_a_few_are_not() {
    let idx = index(sample());
    let rule = "premium-for-40-plus";
    let answers = answers_to(&idx, rule, 12);
    assert_eq!(
        answers.len(),
        12,
        "enough customers are shown premium picks"
    );
    let audit = audit_of(with(sample(), &answers));
    let counted = audit
        .feedback
        .iter()
        .find(|f| f.rule == rule)
        .expect("counted");
    assert_eq!(counted.answers, 12);
    assert!(counted.more_than_its_share, "{counted:?}");
    let finding = audit
        .findings
        .iter()
        .find(|f| f.id == format!("feedback:{rule}:not_for_me"))
        .expect("a finding");
    assert!(finding.title.contains("12 customers"), "{}", finding.title);
    assert!(finding.detail.contains("binomial"), "{}", finding.detail);
    assert!(
        finding.detail.contains("measured on 200 customers' lists"),
        "{}",
        finding.detail
    );

    let few = audit_of(with(sample(), &answers[..2]));
    assert!(few.feedback.iter().all(|f| !f.more_than_its_share));
    assert!(few.findings.iter().all(|f| !f.id.starts_with("feedback:")));
}

#[test]
fn preferences_kept_past_their_retention_period_are_purged() {
    use candor::engine::model::PersonalField;
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    let keep_a_day = Change::FieldRetention {
        field: PersonalField::Preferences,
        retention_days: Some(1),
    };
    store
        .apply(
            None,
            &[not_wanted_category(1, "tea"), keep_a_day],
            &who(),
            None,
            None,
        )
        .expect("applies");
    let minimization = |store: &Store| {
        let idx = index(store.load().expect("loads"));
        candor::engine::audit::minimization::minimization(&idx)
    };
    // Told today: the period runs from the day she told us, not from her last order.
    assert!(
        minimization(&store)
            .past_retention
            .iter()
            .all(|p| p.field != "preferences")
    );
    drop(store);
    common::edit_as_fixture(
        &path,
        "UPDATE preferences SET recorded_at = '2025-01-10T10:00:00Z'",
    );
    let (mut store, _) = Store::open(&path).expect("opens");
    let m = minimization(&store);
    let past = m
        .past_retention
        .iter()
        .find(|p| p.field == "preferences")
        .expect("Amelia's preference is kept past a day after she told us");
    let idx = index(store.load().expect("loads"));
    assert_eq!(past.all_customer_ids, [1]);
    let plan = candor::engine::audit::minimization::retention_purge_plan(&idx);
    assert!(plan.contains(&(1, PersonalField::Preferences)), "{plan:?}");
    store.purge(&plan, &who()).expect("purges");
    // Chloe (11) told us she loves tea; she was in last week, so hers is kept.
    let left = store.load().expect("loads");
    assert!(left.preferences.iter().all(|e| e.customer != 1));
    assert!(left.preferences.iter().any(|e| e.customer == 11));
    assert!(store.verify_log().expect("verifies").problem.is_none());
}

#[test]
fn a_breach_report_counts_stated_preferences() {
    let shop = with(sample(), &[not_wanted_category(1, "tea")]);
    let facts = candor::engine::breach::breach_facts(&shop, common::sample_day());
    let kind = facts
        .held
        .iter()
        .find(|k| k.field == "preferences")
        .expect("listed");
    assert_eq!(
        kind.customers, 2,
        "Amelia, and Chloe who told us she loves tea"
    );
    let amelia = facts
        .to_notify
        .iter()
        .find(|c| c.customer == 1)
        .expect("Amelia is told");
    assert!(
        amelia.held.contains(&"stated preferences"),
        "{:?}",
        amelia.held
    );
}

#[test]
fn data_held_says_which_rules_read_a_like_for_this_customer() {
    let idx = index(shop_with_liked_rule(true));
    let effect = |customer: i64| {
        let held = candor::engine::held::held(&idx, idx.customer_pos(customer).expect("pos"));
        held.preferences[0].effect.clone()
    };
    assert_eq!(
        effect(1),
        "read by \u{201c}What you told us you like\u{201d}"
    );
    // Daniel (3) withdrew personalization: the rule does not read his like.
    assert_eq!(
        effect(3),
        "kept as they said it; no rule in use reads it for them"
    );
}

#[test]
fn the_index_and_the_shop_agree_on_which_preferences_stand() {
    let tea = || About::Category("tea".to_owned());
    let wine = || About::Tag("treat".to_owned());
    let shop = with(
        sample(),
        &[
            stated(1, PreferenceKind::NotWanted, tea(), false),
            stated(1, PreferenceKind::Liked, wine(), false),
            stated(1, PreferenceKind::NotWanted, tea(), true),
            stated(2, PreferenceKind::NotWanted, tea(), false),
            stated(1, PreferenceKind::NotWanted, tea(), false),
            stated(2, PreferenceKind::NotWanted, tea(), true),
        ],
    );
    let idx = index(shop.clone());
    for customer in [1, 2, 3] {
        let pos = idx.customer_pos(customer).expect("pos");
        let from_index: Vec<&Preference> = idx
            .standing_preferences(pos)
            .into_iter()
            .map(|e| &shop.preferences[e].preference)
            .collect();
        let mut all: Vec<&Preference> = shop
            .preferences
            .iter()
            .filter(|e| e.customer == customer)
            .map(|e| &e.preference)
            .collect();
        all.sort();
        all.dedup();
        let standing: Vec<&Preference> = all
            .into_iter()
            .filter(|p| candor::engine::preferences::holds(&shop.preferences, customer, p))
            .collect();
        assert_eq!(from_index.len(), standing.len(), "customer {customer}");
        assert!(from_index.iter().all(|p| standing.contains(p)));
    }
}

#[test]
fn the_sample_shop_lifts_tea_for_chloe_who_told_us_she_loves_it() {
    let idx = index(sample());
    let chloe = idx.customer_pos(11).expect("Chloe Wood");
    let e = explain(&mut Scorer::new(&idx), chloe, 8);
    let told: Vec<_> = e
        .recommendations
        .iter()
        .flat_map(|r| r.contributions.iter().map(move |c| (r, c)))
        .filter(|(_, c)| c.id == "you-told-us")
        .collect();
    assert!(
        !told.is_empty(),
        "tea is in Chloe's list because she said so"
    );
    for (r, c) in told {
        assert_eq!(r.category, "tea");
        assert_eq!(c.reason, "you told us you love tea");
        assert_eq!(c.fields, ["preferences"]);
        assert!((c.value - 2.0).abs() < 1e-12);
    }
    // Nobody else told us what they like, so the rule lifts nothing for them.
    let amelia = explain(&mut Scorer::new(&idx), idx.customer_pos(1).expect("pos"), 8);
    let skipped = amelia
        .skipped
        .iter()
        .find(|s| s.id == "you-told-us")
        .expect("listed as not applying to her");
    assert_eq!(
        skipped.detail,
        "needs the number of things they told us they like is at least 1; for this customer it is 0"
    );
    assert!(
        amelia
            .recommendations
            .iter()
            .all(|r| r.contributions.iter().all(|c| c.id != "you-told-us"))
    );
}

#[test]
fn a_csv_bundle_keeps_every_preference_decision() {
    let shop = with(
        sample(),
        &[
            not_wanted_category(1, "wine, \"red\""),
            Change::Preference {
                customer: 3,
                preference: Some(Preference {
                    kind: PreferenceKind::NotWanted,
                    about: About::Product(4),
                }),
                withdrawn: false,
                method: Some("Not for me".to_owned()),
                words: None,
                lifted_by: vec!["buy-again".to_owned(), "premium-for-40-plus".to_owned()],
            },
            stated(
                11,
                PreferenceKind::Liked,
                About::Category("tea".to_owned()),
                true,
            ),
        ],
    );
    let dir = tempfile::tempdir().expect("dir");
    candor::shopgen::bundle::write_bundle(&shop, dir.path()).expect("writes");
    let back = candor::shopgen::bundle::read_bundle_dir(dir.path()).expect("reads");
    assert_eq!(back.preferences, shop.preferences);
    // A bundle from before preferences existed reads as holding none.
    std::fs::remove_file(dir.path().join("preferences.csv")).expect("removes");
    let older = candor::shopgen::bundle::read_bundle_dir(dir.path()).expect("reads");
    assert!(older.preferences.is_empty());
}
