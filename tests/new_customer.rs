//! A new customer recorded at the counter: the next free number (never an erased one),
//! each consent asked one by one and kept with the words the customer was shown, logged,
//! undone while nothing came after (the number stays retired) and erased like anyone.

mod common;

use std::collections::BTreeMap;

use candor::engine::changes::{Change, parse_changes};
use candor::engine::new_customer::ConsentAnswer;
use candor::store::{Attribution, Store};

fn who() -> Attribution {
    Attribution::now("Sam", "a new customer at the till")
}

fn new_customer(name: &str, email: &str) -> Change {
    let fields = BTreeMap::from([
        ("name".to_owned(), name.to_owned()),
        ("email".to_owned(), email.to_owned()),
    ]);
    Change::NewCustomer {
        customer: None,
        fields,
        consents: vec![
            ConsentAnswer {
                purpose: "personalization".to_owned(),
                granted: true,
            },
            ConsentAnswer {
                purpose: "email_offers".to_owned(),
                granted: false,
            },
        ],
        method: Some("preference form".to_owned()),
    }
}

#[test]
fn a_new_customer_gets_the_next_number_and_each_answer_with_its_wording() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    store
        .apply(
            None,
            &[new_customer("Jo Bloggs", "jo@example.org")],
            &who(),
            None,
            None,
        )
        .expect("applies");
    let shop = store.load().expect("loads");
    let jo = shop.customers.last().expect("a customer");
    assert_eq!(jo.id, 201);
    assert_eq!(jo.name.as_deref(), Some("Jo Bloggs"));
    assert!(jo.source.contains("preference form"), "{}", jo.source);
    let answers: Vec<_> = shop.consents.iter().filter(|e| e.customer == 201).collect();
    assert_eq!(answers.len(), 2);
    let personalization = shop.purpose("personalization").expect("purpose");
    assert!(answers[0].granted);
    assert_eq!(
        answers[0].wording.as_deref(),
        Some(personalization.description.as_str())
    );
    assert!(!answers[1].granted);
    let log = store.log().expect("log");
    assert_eq!(log[0].changes[0].change.customers(), [201]);
    let text = candor::session::log_text::entry_sentence(&log[0], &shop);
    assert!(
        text.contains("added Jo Bloggs as a new customer, who agreed to"),
        "{text}"
    );
    assert!(store.verify_log().expect("verifies").problem.is_none());
}

#[test]
fn an_erased_number_is_never_given_and_a_number_taken_back_stays_retired() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    store.erase(200, &who()).expect("erases the highest number");
    store
        .apply(
            None,
            &[new_customer("Jo Bloggs", "jo@example.org")],
            &who(),
            None,
            None,
        )
        .expect("applies");
    let shop = store.load().expect("loads");
    assert_eq!(shop.customers.last().map(|c| c.id), Some(201));

    let entry = store.log().expect("log").last().expect("entry").id;
    store.undo(entry, &who()).expect("undoes");
    let shop = store.load().expect("loads");
    assert!(shop.customers.iter().all(|c| c.id != 201));
    assert!(shop.consents.iter().all(|e| e.customer != 201));
    assert_eq!(shop.highest_erased_customer, 201);

    let undo = store.log().expect("log").last().expect("entry").id;
    store.undo(undo, &who()).expect("adds them again");
    let shop = store.load().expect("loads");
    let again = shop.customers.last().expect("a customer");
    assert_eq!((again.id, again.name.as_deref()), (202, Some("Jo Bloggs")));
    assert_eq!(
        shop.consents.iter().filter(|e| e.customer == 202).count(),
        2
    );
    assert!(store.verify_log().expect("verifies").problem.is_none());
}

#[test]
fn a_new_customer_is_undone_only_while_nothing_came_after_and_is_erased_like_anyone() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    let email = "jo.unique.address@example.org";
    store
        .apply(
            None,
            &[new_customer("Jo Bloggs", email)],
            &who(),
            None,
            None,
        )
        .expect("applies");
    let consent = Change::Consent {
        customer: 201,
        purpose: "email_offers".to_owned(),
        granted: true,
        method: None,
        words: None,
    };
    store
        .apply(None, &[consent], &who(), None, None)
        .expect("applies");
    let refused = store.undo(1, &who()).expect_err("refused");
    assert!(refused.to_string().contains("new customer"), "{refused}");

    assert!(common::file_holds(&path, email));
    store.erase(201, &who()).expect("erases");
    assert!(
        !common::file_holds(&path, email),
        "the email is still in the file"
    );
    assert!(store.verify_log().expect("verifies").problem.is_none());
}

#[test]
fn a_new_customer_needs_a_name_an_email_or_a_phone_and_known_fields() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    let nothing = Change::NewCustomer {
        customer: None,
        fields: BTreeMap::from([("gender".to_owned(), "woman".to_owned())]),
        consents: Vec::new(),
        method: None,
    };
    let err = store
        .apply(None, &[nothing], &who(), None, None)
        .expect_err("refused");
    assert!(
        err.to_string().contains("a name, an email or a phone"),
        "{err}"
    );
    let unknown =
        parse_changes(r#"{"changes":[{"kind":"new_customer","fields":{"shoe_size":"9"}}]}"#)
            .expect("reads");
    let err = store
        .apply(None, &unknown.changes, &who(), None, None)
        .expect_err("refused");
    assert!(err.to_string().contains("shoe_size"), "{err}");
    let taken = parse_changes(r#"{"changes":[{"kind":"customer_removed","customer":4}]}"#)
        .expect_err("only an undo makes it");
    assert!(taken.contains("erase"), "{taken}");
}

#[test]
fn a_new_customer_taken_back_can_still_be_erased_from_the_log() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    let email = "taken.back.person@example.org";
    store
        .apply(
            None,
            &[new_customer("Jo Bloggs", email)],
            &who(),
            None,
            None,
        )
        .expect("applies");
    store.undo(1, &who()).expect("takes them back");
    assert!(common::file_holds(&path, email), "kept sealed for a redo");
    store.erase(201, &who()).expect("erases what the log kept");
    assert!(
        !common::file_holds(&path, email),
        "the email is still in the file"
    );
    assert!(store.verify_log().expect("verifies").problem.is_none());
    let missing = store.erase(999_999, &who()).expect_err("no such customer");
    assert!(matches!(
        missing,
        candor::store::ApplyError::NoSuchCustomer(999_999)
    ));
}
