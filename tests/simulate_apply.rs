//! Simulate, apply, undo: the simulated after-state is exactly what apply writes, undo
//! restores every list, bad changes and stale snapshots are refused, and a killed apply
//! leaves the shop fully before.

mod common;

use std::path::Path;
use std::sync::Arc;

use candor::engine::changes::Change;
use candor::engine::model::{PersonalField, Shop};
use candor::engine::preferences::Preference;
use candor::engine::simulate::{Lists, Progress, all_lists, simulate};
use candor::engine::{Scorer, ShopIndex, explain};
use candor::shopgen::demo::{DemoSize, demo_shop};
use candor::store::{ApplyError, Attribution, Basis, Store};
use predicates::prelude::*;
use proptest::prelude::*;

fn who(reason: &str) -> Attribution {
    Attribution::now("tester", reason)
}

fn index(shop: Shop) -> ShopIndex {
    ShopIndex::new(Arc::new(shop), common::sample_day())
}

fn lists(index: &ShopIndex) -> Lists {
    all_lists(index, index.shop().settings.top_n, &Progress::default()).expect("not cancelled")
}

fn explanations(index: &ShopIndex) -> Vec<serde_json::Value> {
    let mut scorer = Scorer::new(index);
    (0..index.shop().customers.len())
        .map(|c| serde_json::to_value(explain(&mut scorer, c, 5)).expect("json"))
        .collect()
}

fn reload(path: &Path) -> Shop {
    Store::open(path).expect("opens").0.load().expect("loads")
}

fn write(shop: &Shop) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("shop.candor");
    Store::create(&path, shop).expect("written");
    (dir, path)
}

fn change_strategy(shop: &Shop) -> impl Strategy<Value = Change> + use<> {
    let rules: Vec<String> = shop.rules.iter().map(|r| r.id.clone()).collect();
    let all: Vec<i64> = shop.customers.iter().map(|c| c.id).collect();
    // The last five records are only ever merged into another: no other change names them.
    let (customers, mergeable) = all.split_at(all.len() - 5);
    let (customers, mergeable) = (customers.to_vec(), mergeable.to_vec());
    let products: Vec<i64> = shop.products.iter().map(|p| p.id).collect();
    let purposes: Vec<String> = shop.purposes.iter().map(|p| p.id.clone()).collect();
    prop_oneof![
        (prop::sample::select(rules.clone()), -5.0f64..=5.0)
            .prop_map(|(rule, weight)| Change::RuleWeight { rule, weight }),
        (prop::sample::select(rules), any::<bool>())
            .prop_map(|(rule, enabled)| Change::RuleEnabled { rule, enabled }),
        (
            prop::sample::select(customers.clone()),
            prop::sample::select(purposes.clone()),
            any::<bool>()
        )
            .prop_map(|(customer, purpose, granted)| Change::Consent {
                customer,
                purpose,
                granted,
                method: None,
                words: Some("as the customer said it".to_owned()),
            }),
        (
            prop::sample::select(vec!["Jo Bloggs", "Sam Lee"]),
            prop::sample::subsequence(purposes.clone(), 0..=2),
            any::<bool>()
        )
            .prop_map(|(name, asked, granted)| Change::NewCustomer {
                customer: None,
                fields: std::collections::BTreeMap::from([("name".to_owned(), name.to_owned())]),
                consents: asked
                    .into_iter()
                    .map(|purpose| candor::engine::new_customer::ConsentAnswer { purpose, granted })
                    .collect(),
                method: None,
            }),
        (
            prop::sample::select(customers.clone()),
            prop::sample::select(mergeable)
        )
            .prop_map(|(customer, from)| Change::MergeCustomers { customer, from }),
        (
            prop::sample::select(customers.clone()),
            preference_strategy(products.clone()),
            any::<bool>()
        )
            .prop_map(|(customer, preference, withdrawn)| Change::Preference {
                customer,
                preference: Some(preference),
                withdrawn,
                method: Some("at the counter".to_owned()),
                words: None,
                lifted_by: Vec::new(),
            }),
        (
            prop::sample::select(customers),
            prop::option::of(Just("1960-06-20".to_owned()))
        )
            .prop_map(|(customer, value)| Change::CustomerField {
                customer,
                field: "birth_date".to_owned(),
                value,
                source: None,
            }),
        (
            prop::sample::select(products.clone()),
            prop::option::of(50i64..8000),
            prop::option::of(0i64..5),
            prop::option::of(prop::sample::select(vec!["coffee", "gifts", "tea"])),
            any::<bool>(),
        )
            .prop_map(
                |(product, pence, stock, category, tagged)| Change::Product {
                    product,
                    price: Some(pence.map_or(1.0, |p| p as f64 / 100.0)),
                    stock,
                    category: category.map(str::to_owned),
                    tags: tagged.then(|| vec!["gift".to_owned(), "local".to_owned()]),
                    price_not_known: false,
                    stock_not_tracked: false,
                }
            ),
        (
            prop::sample::select(purposes.clone()),
            prop::sample::subsequence(
                vec![
                    PersonalField::BirthDate,
                    PersonalField::Orders,
                    PersonalField::Email
                ],
                0..=3
            )
        )
            .prop_map(|(purpose, fields)| Change::Purpose {
                purpose,
                label: None,
                description: None,
                fields: Some(fields),
                covered_since: None,
                undone_at: None,
            }),
        (
            prop::sample::select(vec![PersonalField::Phone, PersonalField::Gender]),
            prop::option::of(30i64..2000)
        )
            .prop_map(|(field, retention_days)| Change::FieldRetention {
                field,
                retention_days
            }),
        prop_oneof![
            (1u64..12).prop_map(|n| ("top_n", serde_json::json!(n))),
            (-2.0f64..3.0).prop_map(|w| ("popularity_weight", serde_json::json!(w))),
            (5i64..90).prop_map(|d| ("popularity_days", serde_json::json!(d))),
            prop::sample::select(vec!["units", "customers"])
                .prop_map(|c| ("popularity_counts", serde_json::json!(c))),
        ]
        .prop_map(|(setting, value)| Change::Setting {
            setting: setting.to_owned(),
            value,
        }),
    ]
}

/// A stated preference of every kind the engine uses: not wanted (a category, a tag or a
/// product), purchases not used (a category), liked (a category).
fn preference_strategy(products: Vec<i64>) -> impl Strategy<Value = Preference> {
    use candor::engine::preferences::{About, PreferenceKind};
    let categories = vec!["bread", "coffee", "gifts", "tea", "cakes"];
    let category = prop::sample::select(categories).prop_map(|c| About::Category(c.to_owned()));
    let about = prop_oneof![
        category.clone(),
        prop::sample::select(vec!["treat", "new", "vegan"]).prop_map(|t| About::Tag(t.to_owned())),
        prop::sample::select(products).prop_map(About::Product),
    ];
    prop_oneof![
        about.prop_map(|about| Preference {
            kind: PreferenceKind::NotWanted,
            about,
        }),
        category.clone().prop_map(|about| Preference {
            kind: PreferenceKind::IgnorePurchases,
            about,
        }),
        category.prop_map(|about| Preference {
            kind: PreferenceKind::Liked,
            about,
        }),
    ]
}

/// A generated shop and one to three random changes to it.
fn shop_and_changes() -> impl Strategy<Value = (Shop, Vec<Change>)> {
    (0u64..1000).prop_flat_map(|seed| {
        let mut shop = demo_shop(
            DemoSize {
                customers: 60,
                products: 50,
                orders: 700,
            },
            seed,
            common::sample_day(),
        );
        shop.rules.extend(with_bought_together());
        shop.rules.push(liked_categories_rule());
        for purpose in &mut shop.purposes {
            if purpose.id == "personalization" {
                purpose.fields.push(PersonalField::Preferences);
            }
        }
        let changes = prop::collection::vec(change_strategy(&shop), 1..4).prop_filter(
            "a record is merged away once",
            |changes| {
                let mut merged: Vec<i64> = changes
                    .iter()
                    .filter_map(|c| match c {
                        Change::MergeCustomers { from, .. } => Some(*from),
                        _ => None,
                    })
                    .collect();
                let n = merged.len();
                merged.sort_unstable();
                merged.dedup();
                merged.len() == n
            },
        );
        (Just(shop), changes)
    })
}

/// The "bought together" rule of an imported shop, so every change meets it too.
fn with_bought_together() -> Vec<candor::engine::rules::Rule> {
    candor::shopgen::catalogue::starter_rules()
        .into_iter()
        .filter(|r| r.id == "bought-together")
        .collect()
}

/// A rule for the categories a customer told the shop they like, so every change meets
/// stated preferences too.
fn liked_categories_rule() -> candor::engine::rules::Rule {
    serde_json::from_value(serde_json::json!({
        "id": "you-told-us", "label": "What you told us you like", "enabled": true,
        "weight": 1.5, "purpose": "personalization",
        "target": {"kind": "preferred_category"},
        "amount": {"kind": "fixed", "value": 2.0},
        "reason": "you told us you love {category}"
    }))
    .expect("a rule")
}

fn without_record_times(shop: &Shop) -> Shop {
    let mut shop = shop.clone();
    for e in std::sync::Arc::make_mut(&mut shop.consents) {
        e.recorded_at = None;
    }
    for e in std::sync::Arc::make_mut(&mut shop.preferences) {
        e.recorded_at = chrono::DateTime::UNIX_EPOCH;
    }
    // A purpose widened covers the added field from the moment it is recorded, as a
    // consent decision is recorded: the field and the order of events are compared.
    for p in &mut shop.purposes {
        for since in p.covered_since.values_mut() {
            *since = chrono::DateTime::UNIX_EPOCH;
        }
    }
    shop
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    #[test]
    fn simulating_then_applying_gives_the_simulated_state((shop, changes) in shop_and_changes()) {
        let (_dir, path) = write(&shop);
        let before = index(shop.clone());
        let sim = simulate(&before, None, &changes, "tester", &Progress::default()).expect("valid");

        let (mut store, _) = Store::open(&path).expect("opens");
        let head = store.log_head().expect("head");
        let basis = Basis { shop: &shop, head: &head };
        store.apply(Some(basis), &changes, &who("property test"), None, None).expect("applies");
        let applied = index(reload(&path));
        // A consent decision records the real time of recording, which differs by the
        // seconds between simulating and applying; everything else must be the same.
        prop_assert_eq!(
            without_record_times(applied.shop()),
            without_record_times(sim.after.shop())
        );
        prop_assert_eq!(lists(&applied), sim.after_lists.clone());
        prop_assert_eq!(explanations(&applied), explanations(&sim.after));

        store.undo(1, &who("undo in property test")).expect("undoes");
        let undone = index(reload(&path));
        prop_assert_eq!(lists(&undone), lists(&before));
        prop_assert_eq!(explanations(&undone), explanations(&before));
    }
}

#[test]
fn invalid_changes_are_refused_and_nothing_is_written() {
    let (_dir, path) = common::sample_file();
    let before = std::fs::read(&path).expect("read");
    let cases = [
        (
            Change::RuleWeight {
                rule: "nope".into(),
                weight: 1.0,
            },
            "field \"rule\"",
        ),
        (
            Change::RuleWeight {
                rule: "buy-again".into(),
                weight: 9.0,
            },
            "field \"weight\"",
        ),
        (
            Change::RuleWeight {
                rule: "buy-again".into(),
                weight: f64::NAN,
            },
            "field \"weight\"",
        ),
        (
            Change::RuleWeight {
                rule: "buy-again".into(),
                weight: f64::INFINITY,
            },
            "field \"weight\"",
        ),
        (
            Change::Consent {
                customer: 99_999,
                purpose: "personalization".into(),
                granted: true,
                method: None,
                words: None,
            },
            "field \"customer\"",
        ),
        (
            Change::Consent {
                customer: 1,
                purpose: "telepathy".into(),
                granted: true,
                method: None,
                words: None,
            },
            "field \"purpose\"",
        ),
        (
            Change::CustomerField {
                customer: 1,
                field: "shoe_size".into(),
                value: None,
                source: None,
            },
            "field \"field\"",
        ),
        (
            Change::Product {
                product: 424_242,
                price: Some(1.0),
                stock: None,
                category: None,
                tags: None,
                price_not_known: false,
                stock_not_tracked: false,
            },
            "field \"product\"",
        ),
    ];
    for (change, expected) in cases {
        let (mut store, _) = Store::open(&path).expect("opens");
        let good = Change::RuleEnabled {
            rule: "buy-again".into(),
            enabled: false,
        };
        let err = store
            .apply(None, &[good, change], &who("bad"), None, None)
            .expect_err("refused");
        let message = err.to_string();
        assert!(matches!(err, ApplyError::Invalid(_)), "{message}");
        assert!(
            message.contains("change 2") && message.contains(expected),
            "{message}"
        );
        drop(store);
        assert!(
            reload(&path)
                .rules
                .iter()
                .all(|r| r.id != "buy-again" || r.enabled)
        );
        assert!(
            Store::open(&path)
                .expect("opens")
                .0
                .log()
                .expect("log")
                .is_empty()
        );
    }
    let _ = before;
}

#[test]
fn a_stale_simulation_is_refused() {
    let (_dir, path) = common::sample_file();
    let (snapshot, head) = Store::open(&path)
        .expect("opens")
        .0
        .load_snapshot()
        .expect("loads");
    let (mut other, _) = Store::open(&path).expect("opens");
    other
        .apply(
            None,
            &[Change::RuleWeight {
                rule: "buy-again".into(),
                weight: 2.0,
            }],
            &who("elsewhere"),
            None,
            None,
        )
        .expect("applies");
    let (mut mine, _) = Store::open(&path).expect("opens");
    let err = mine
        .apply(
            Some(Basis {
                shop: &snapshot,
                head: &head,
            }),
            &[Change::RuleEnabled {
                rule: "we-miss-you".into(),
                enabled: false,
            }],
            &who("stale"),
            None,
            None,
        )
        .expect_err("refused");
    assert!(matches!(err, ApplyError::Stale), "{err}");
    assert!(err.to_string().contains("Recompute the simulation"));
    assert_eq!(mine.log().expect("log").len(), 1);
}

#[test]
fn apply_needs_who_and_why() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    let mut anonymous = who("a reason");
    anonymous.actor = "  ".into();
    let change = [Change::RuleEnabled {
        rule: "buy-again".into(),
        enabled: false,
    }];
    assert!(matches!(
        store.apply(None, &change, &anonymous, None, None),
        Err(ApplyError::Unattributed(_))
    ));
    assert!(matches!(
        store.apply(None, &change, &who(""), None, None),
        Err(ApplyError::Unattributed(_))
    ));
}

#[test]
fn simulate_from_the_cli_leaves_the_file_untouched() {
    let (dir, path) = common::sample_file();
    let changes = dir.path().join("changes.json");
    std::fs::write(&changes, r#"{"changes": [{"kind": "rule_enabled", "rule": "premium-for-40-plus", "enabled": false}]}"#).expect("write");
    let before = std::fs::read(&path).expect("read");
    let out = assert_cmd::Command::cargo_bin("candor")
        .expect("binary")
        .args([
            "simulate",
            "--db",
            path.to_str().expect("path"),
            "--changes",
            changes.to_str().expect("path"),
            "--customer",
            "1",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(
        std::fs::read(&path).expect("read") == before,
        "simulate changed the file"
    );
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert!(v["customers_changed"].as_u64().expect("count") > 0);
    assert_eq!(v["customers_total"], 200);
    assert!(
        v["exposure"]
            .as_array()
            .expect("exposure")
            .iter()
            .all(|e| e.get("product").is_some() && e.get("change").is_some())
    );
    assert_eq!(v["before"]["customer"], 1);
    assert!(v["before"]["recommendations"].is_array() && v["after"]["recommendations"].is_array());
}

#[test]
fn a_malformed_changes_file_names_where() {
    let (dir, path) = common::sample_file();
    let changes = dir.path().join("changes.json");
    std::fs::write(&changes, "{\"changes\": [\n  {\"kind\": \"rule_weight\", \"rule\": \"buy-again\", \"weight\": \"heavy\"}\n]}").expect("write");
    assert_cmd::Command::cargo_bin("candor")
        .expect("binary")
        .args([
            "apply",
            "--db",
            path.to_str().expect("path"),
            "--changes",
            changes.to_str().expect("path"),
            "--actor",
            "me",
            "--reason",
            "test",
        ])
        .assert()
        .failure()
        .stderr(
            predicates::str::contains("changes.json")
                .and(predicates::str::contains("change 1 (rule_weight)"))
                .and(predicates::str::contains("heavy")),
        );
    std::fs::write(&changes, "{\"changes\": [\n  {\"kind\": \"rule_weight\",\n").expect("write");
    assert_cmd::Command::cargo_bin("candor")
        .expect("binary")
        .args([
            "simulate",
            "--db",
            path.to_str().expect("path"),
            "--changes",
            changes.to_str().expect("path"),
        ])
        .assert()
        .failure()
        .stderr(predicates::str::contains("line 3"));
}

#[test]
fn killing_apply_midway_leaves_the_shop_as_it_was() {
    let (dir, path) = common::sample_file();
    let changes = dir.path().join("changes.json");
    std::fs::write(&changes, r#"{"changes": [{"kind": "consent", "customer": 1, "purpose": "personalization", "granted": false}, {"kind": "product", "product": 1, "stock": 0}]}"#).expect("write");
    let before = reload(&path);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("candor"))
        .args([
            "apply",
            "--db",
            path.to_str().expect("path"),
            "--changes",
            changes.to_str().expect("path"),
            "--actor",
            "me",
            "--reason",
            "crash test",
        ])
        .env("CANDOR_TEST_PAUSE_BEFORE_COMMIT_MS", "20000")
        .spawn()
        .expect("spawned");
    // Wait until the apply holds its write transaction, then kill it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !dir.path().join("shop.candor-wal").exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(1500));
    child.kill().expect("killed");
    child.wait().expect("reaped");
    let after = reload(&path);
    assert_eq!(after, before, "a killed apply left a half-written shop");
    assert!(
        Store::open(&path)
            .expect("opens")
            .0
            .log()
            .expect("log")
            .is_empty()
    );
}

#[test]
fn switching_a_rule_on_reaches_customers_it_does_not_run_for() {
    // Only "birthday-treat" is enabled at first, and nobody granted its purpose; turning
    // "premium-for-40-plus" on makes lists personalized even where its condition fails.
    let mut shop = demo_shop(
        DemoSize {
            customers: 80,
            products: 60,
            orders: 900,
        },
        3,
        common::sample_day(),
    );
    for rule in &mut shop.rules {
        rule.enabled = rule.id == "birthday-treat";
    }
    let before = index(shop.clone());
    let change = [Change::RuleEnabled {
        rule: "premium-for-40-plus".into(),
        enabled: true,
    }];
    let sim = simulate(&before, None, &change, "tester", &Progress::default()).expect("valid");
    assert_eq!(
        sim.after_lists,
        lists(&sim.after),
        "incremental lists differ from a full recompute"
    );
}

#[test]
fn a_name_added_to_the_staff_list_does_not_make_a_simulation_stale() {
    let (_dir, path) = common::sample_file();
    let (snapshot, head) = Store::open(&path)
        .expect("opens")
        .0
        .load_snapshot()
        .expect("loads");
    let (mut store, _) = Store::open(&path).expect("opens");
    store
        .add_staff_name("Priya", "new starter")
        .expect("a newcomer adds her name before applying");
    let written = store
        .apply(
            Some(Basis {
                shop: &snapshot,
                head: &head,
            }),
            &[Change::Consent {
                customer: 1,
                purpose: "personalization".into(),
                granted: false,
                method: None,
                words: None,
            }],
            &Attribution::now("Priya", "she rang"),
            None,
            None,
        )
        .expect("still current: adding a name changes no data");
    assert_eq!(written.entry, 2);
}
