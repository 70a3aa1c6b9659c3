//! A property over random sequences of imports, consent decisions, corrections, rule
//! changes, undos, erasures and purges on the sample shop. After every step: the current
//! consent of every customer is the last decision recorded; the log reads, verifies and
//! undoes; and no value of an erased customer, old or current, is left in the file's bytes.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use candor::engine::changes::Change;
use candor::engine::model::PersonalField;
use candor::import::{Choice, ImportRequest, Mapping};
use candor::store::{ApplyError, Attribution, Store, undone_by};
use proptest::prelude::*;

const PURPOSES: [&str; 3] = ["personalization", "birthday_offers", "email_offers"];

/// One step of a sequence.
#[derive(Clone, Debug)]
enum Step {
    Consent {
        customer: i64,
        purpose: usize,
        granted: bool,
        tag: u32,
    },
    Correct {
        customer: i64,
        field: usize,
        tag: u32,
        short: bool,
    },
    Weight(u8),
    Import {
        person: u8,
        granted: bool,
    },
    Undo(usize),
    Erase(i64),
    Purge,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (1i64..=12, 0usize..3, any::<bool>(), any::<u32>())
            .prop_map(|(customer, purpose, granted, tag)| Step::Consent { customer, purpose, granted, tag }),
        3 => (1i64..=12, 0usize..5, any::<u32>(), any::<bool>())
            .prop_map(|(customer, field, tag, short)| Step::Correct { customer, field, tag, short }),
        1 => (0u8..10).prop_map(Step::Weight),
        2 => (0u8..3, any::<bool>()).prop_map(|(person, granted)| Step::Import { person, granted }),
        1 => (0usize..20).prop_map(Step::Undo),
        2 => prop_oneof![1i64..=12, 201i64..=203].prop_map(Step::Erase),
        1 => Just(Step::Purge),
    ]
}

fn who() -> Attribution {
    Attribution::now("tester", "property test")
}

/// What the test knows must hold.
#[derive(Default)]
struct Expected {
    consent: HashMap<(i64, String), bool>,
    /// Every value each customer ever had in a field or consent words, as written by the test.
    values: HashMap<i64, Vec<String>>,
    /// The values of customers erased so far (a number may later go to someone new).
    erased_values: Vec<String>,
    /// The imported people (by their number in the list) who were erased.
    erased_people: std::collections::HashSet<u8>,
}

const FIELDS: [&str; 5] = ["phone", "address", "email", "gender", "name"];

fn import_person(dir: &Path, db: &Path, person: u8, granted: bool) {
    let file = dir.join("customers.csv");
    std::fs::write(
        &file,
        format!(
            "Number,Email,Newsletter\nP{person},person{person}@example.com,{}\n",
            if granted { "yes" } else { "no" }
        ),
    )
    .expect("writes");
    let mapping = Mapping::from_json(
        r#"{"name": "Customer list", "key_space": "list",
            "columns": {"customer_id": "Number", "email": "Email"},
            "consents": [{"column": "Newsletter", "purpose": "email_offers"}]}"#,
    )
    .expect("mapping");
    let request = ImportRequest {
        db: db.to_owned(),
        inputs: vec![file],
        choice: Choice::Mapping(Box::new(mapping)),
        skip_bad_rows: false,
        who: who(),
        today: common::sample_day(),
        currency: None,
        owner: false,
    };
    candor::import::import(&request, &|_| {}, None).expect("imports");
}

fn customer_with_email(store: &Store, email: &str) -> Option<i64> {
    let shop = store.load().expect("loads");
    shop.customers
        .iter()
        .find(|c| c.email.as_deref() == Some(email))
        .map(|c| c.id)
}

fn run(dir: &Path, db: &Path, step: &Step, expected: &mut Expected) {
    let (mut store, _) = Store::open(db).expect("opens");
    let exists = |store: &Store, c: i64| store.has_customer(c).expect("looks up");
    match step {
        Step::Consent {
            customer,
            purpose,
            granted,
            tag,
        } if exists(&store, *customer) => {
            let words = format!("words-{tag:08x}-{customer}");
            let change = Change::Consent {
                customer: *customer,
                purpose: PURPOSES[*purpose].to_owned(),
                granted: *granted,
                method: Some(format!("method-{tag:08x}")),
                words: Some(words.clone()),
            };
            store
                .apply(None, &[change], &who(), None, None)
                .expect("applies");
            expected
                .consent
                .insert((*customer, PURPOSES[*purpose].to_owned()), *granted);
            let v = expected.values.entry(*customer).or_default();
            v.push(words);
            v.push(format!("method-{tag:08x}"));
        }
        Step::Correct {
            customer,
            field,
            tag,
            short,
        } if exists(&store, *customer) => {
            let value = match (FIELDS[*field], short) {
                ("gender", true) => "m".to_owned(),
                ("email", _) => format!("mail{tag:08x}@example.org"),
                (f, _) => format!("{f}-{tag:08x}"),
            };
            let change = Change::CustomerField {
                customer: *customer,
                field: FIELDS[*field].to_owned(),
                value: Some(value.clone()),
                source: None,
            };
            store
                .apply(None, &[change], &who(), None, None)
                .expect("applies");
            if value.len() > 4 {
                expected.values.entry(*customer).or_default().push(value);
            }
        }
        Step::Weight(w) => {
            let change = Change::RuleWeight {
                rule: "buy-again".to_owned(),
                weight: f64::from(*w) / 4.0,
            };
            store
                .apply(None, &[change], &who(), None, None)
                .expect("applies");
        }
        Step::Import { person, granted } => {
            drop(store);
            let email = format!("person{person}@example.com");
            let before = Store::open(db)
                .map(|(s, _)| customer_with_email(&s, &email))
                .expect("opens");
            let erased_before = before.is_none() && expected.erased_people.contains(person);
            import_person(dir, db, *person, *granted);
            let (store, _) = Store::open(db).expect("opens");
            match customer_with_email(&store, &email) {
                Some(id) if !erased_before => {
                    let key = (id, "email_offers".to_owned());
                    // An undated grant never overrides a decision on record; a refusal
                    // withdraws a grant; with no decision, the answer is recorded.
                    let next = match expected.consent.get(&key) {
                        None => *granted,
                        Some(true) => *granted,
                        Some(false) => false,
                    };
                    expected.consent.insert(key, next);
                    expected.values.entry(id).or_default().push(email.clone());
                }
                Some(_) => panic!("an erased customer came back with an import"),
                None => assert!(erased_before, "the import added no customer"),
            }
        }
        Step::Undo(n) => {
            let log = store.log().expect("reads");
            let undoable: Vec<i64> = log
                .iter()
                .filter(|e| e.event.is_none())
                .map(|e| e.id)
                .collect();
            if let Some(&entry) = undoable.get(*n % undoable.len().max(1)) {
                // An undo about an erased customer is refused; one about the rules applies.
                let target = log.iter().find(|e| e.id == entry).expect("entry");
                if target
                    .changes
                    .iter()
                    .all(|a| matches!(a.change, Change::RuleWeight { .. }))
                {
                    match undone_by(&log, entry) {
                        // An entry already undone is refused, naming the undo.
                        Some(by) => assert!(matches!(
                            store.undo(entry, &who()),
                            Err(ApplyError::AlreadyUndone(e, b)) if e == entry && b == by
                        )),
                        // An undo would give back an older weight: it is refused while a
                        // later entry that stands set the weight (an entry after this one
                        // and its standing undo cancel out), or the weight is another.
                        None => {
                            let undone = candor::store::undone_entries(&log);
                            let cancelled = |e: &candor::store::LogEntry| {
                                undone.contains_key(&e.id)
                                    || e.undoes
                                        .is_some_and(|t| t > entry && undone.get(&t) == Some(&e.id))
                            };
                            let later = log.iter().any(|e| {
                                e.id > entry
                                    && !cancelled(e)
                                    && (e.changes.iter())
                                        .any(|a| matches!(a.change, Change::RuleWeight { .. }))
                            });
                            let rules = store.load().expect("loads").rules;
                            let now = rules.iter().find(|r| r.id == "buy-again").map(|r| r.weight);
                            let set = target
                                .changes
                                .last()
                                .and_then(|a| a.after["weight"].as_f64());
                            if now == set && !later {
                                store.undo(entry, &who()).expect("undoes");
                            } else {
                                assert!(matches!(
                                    store.undo(entry, &who()),
                                    Err(ApplyError::ChangedSince(e, _)) if e == entry
                                ));
                            }
                        }
                    }
                }
            }
        }
        Step::Erase(customer) if exists(&store, *customer) => {
            let email = store
                .load()
                .expect("loads")
                .customers
                .iter()
                .find(|c| c.id == *customer)
                .and_then(|c| c.email.clone());
            store.erase(*customer, &who()).expect("erases");
            if let Some(p) = email
                .as_deref()
                .and_then(|e| e.strip_prefix("person"))
                .and_then(|e| e.split('@').next())
                .and_then(|p| p.parse::<u8>().ok())
            {
                expected.erased_people.insert(p);
            }
            let values = expected.values.remove(customer).unwrap_or_default();
            expected.erased_values.extend(values);
            expected.consent.retain(|(c, _), _| c != customer);
        }
        Step::Purge => {
            let index = candor::engine::index_for(
                Arc::new(store.load().expect("loads")),
                common::sample_day(),
            );
            let plan = candor::engine::audit::minimization::retention_purge_plan(&index);
            store.purge(&plan, &who()).expect("purges");
        }
        _ => {}
    }
}

fn check(db: &Path, expected: &Expected) -> Result<(), TestCaseError> {
    let (store, _) = Store::open_for_reading(db).expect("opens");
    let shop = store.load().expect("loads");
    for ((customer, purpose), granted) in &expected.consent {
        let current = shop.current_consent(*customer, purpose).map(|e| e.granted);
        prop_assert_eq!(current, Some(*granted), "customer {} {}", customer, purpose);
        let index = candor::engine::index_for(Arc::new(shop.clone()), common::sample_day());
        let pos = index.customer_pos(*customer).expect("customer");
        prop_assert_eq!(index.has_consent(pos, purpose), *granted);
    }
    store.log().expect("the log reads");
    let report = store.verify_log().expect("verifies");
    prop_assert!(report.intact, "{:?}", report);
    drop(store);
    let mut bytes = std::fs::read(db).expect("reads");
    for suffix in ["-wal", "-shm"] {
        if let Ok(more) = std::fs::read(format!("{}{suffix}", db.display())) {
            bytes.extend(more);
        }
    }
    for v in &expected.erased_values {
        prop_assert!(
            !bytes.windows(v.len()).any(|w| w == v.as_bytes()),
            "{} of an erased customer is still in the file",
            v
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, max_shrink_iters: 40, ..ProptestConfig::default() })]

    #[test]
    fn every_step_keeps_consent_log_and_erasure_true(steps in prop::collection::vec(step(), 1..14)) {
        let (dir, db) = common::sample_file();
        let mut expected = Expected::default();
        for s in &steps {
            run(dir.path(), &db, s, &mut expected);
            check(&db, &expected)?;
        }
    }
}

#[test]
fn purge_keeps_the_log_whole() {
    let (_dir, db) = common::sample_file();
    let (mut store, _) = Store::open(&db).expect("opens");
    let change = Change::CustomerField {
        customer: 4,
        field: PersonalField::Phone.key().to_owned(),
        value: Some("07700 900999".to_owned()),
        source: None,
    };
    store
        .apply(None, &[change], &who(), None, None)
        .expect("applies");
    store
        .purge(&[(4, PersonalField::Phone)], &who())
        .expect("purges");
    let log = store.log().expect("reads");
    assert_eq!(log[0].changes[0].after, serde_json::json!("[erased]"));
    assert!(store.verify_log().expect("verifies").intact);
}
