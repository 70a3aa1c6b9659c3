//! Stated preferences in the window: "Not for me…" on a recommendation and "Record what
//! the customer told us…" put a preference into the scenario, which is simulated, applied
//! and shown on the customer's page and in Data held.

mod common;

use candor::engine::changes::Change;
use candor::engine::preferences::{About, PreferenceKind};
use candor::ui::CandorApp;
use common::window::{answer_who_why, sample_window, settle, type_into};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn on_amelia() -> (tempfile::TempDir, Harness<'static, CandorApp>) {
    let (dir, mut harness) = sample_window();
    harness.get_by_label("Customers").click();
    harness.run_steps(2);
    harness.get_by_label("Amelia Hart").click();
    harness.run_steps(2);
    (dir, harness)
}

fn apply(harness: &mut Harness<'static, CandorApp>) {
    settle(harness, |app| app.scenario().outcome().is_some());
    let entries = harness.state().log_entries().len();
    harness.get_by_label("Apply…").click();
    answer_who_why(harness, "Apply now");
    settle(harness, |app| {
        !app.is_applying() && app.log_entries().len() == entries + 1
    });
}

fn first_recommended_category(app: &CandorApp) -> String {
    app.customer_page()
        .expect("a customer page")
        .explanation()
        .recommendations[0]
        .category
        .clone()
}

/// Answers "Not for me…" → "anything in <category>" for the first recommendation, as staff
/// would; returns the category.
fn not_for_me_category(harness: &mut Harness<'static, CandorApp>) -> String {
    let category = first_recommended_category(harness.state());
    harness.get_by_label("Not for me…").click();
    harness.run_steps(2);
    harness
        .get_by_label(&format!("anything in {category}"))
        .click();
    harness.run_steps(2);
    category
}

#[test]
fn not_for_me_leaves_the_category_out_after_it_is_applied() {
    let (_dir, mut harness) = on_amelia();
    let category = not_for_me_category(&mut harness);
    match harness.state().scenario().changes() {
        [
            Change::Preference {
                customer: 1,
                preference: Some(p),
                withdrawn: false,
                lifted_by,
                ..
            },
        ] => {
            assert!(
                lifted_by.contains(&"more-of-what-you-like".to_owned()),
                "the answer names the rules that lifted the product: {lifted_by:?}"
            );
            assert_eq!(p.kind, PreferenceKind::NotWanted);
            assert_eq!(p.about, About::Category(category.clone()));
        }
        other => panic!("the scenario holds {other:?}"),
    }
    apply(&mut harness);
    harness.run_steps(3);
    let page = harness.state().customer_page().expect("page");
    assert!(
        page.explanation()
            .recommendations
            .iter()
            .all(|r| r.category != category)
    );
    harness
        .get_all_by_label_contains(&format!("that you do not want {category}"))
        .next()
        .expect("the page says what is left out and why");
    harness
        .get_all_by_label_contains(&format!("does not want {category}"))
        .next()
        .expect("the page lists what the customer told us");
}

#[test]
fn a_preference_is_recorded_in_the_customers_words_and_listed_in_data_held() {
    let (_dir, mut harness) = on_amelia();
    harness
        .get_by_label("Record what the customer told us…")
        .click();
    harness.run_steps(3);
    harness
        .get_by_label("asks us not to use their purchases in")
        .click();
    harness.run_steps(1);
    harness.get_by_label("gifts").click();
    harness.run_steps(1);
    type_into(
        &mut harness,
        egui::accesskit::Role::MultilineTextInput,
        "In the customer's own words (optional)",
        "those were presents for my sister",
    );
    harness.get_by_label("Add it to the scenario").click();
    harness.run_steps(2);
    assert!(matches!(
        harness.state().scenario().changes(),
        [Change::Preference { preference: Some(p), words: Some(w), .. }]
            if p.kind == PreferenceKind::IgnorePurchases && w == "those were presents for my sister"
    ));
    apply(&mut harness);
    harness.run_steps(3);
    harness
        .get_all_by_label_contains("not to use your purchases in gifts")
        .next()
        .expect("the Why? view says which purchases are not used");
    harness.get_by_label("Data held").click();
    harness.run_steps(3);
    harness
        .get_all_by_label_contains("those were presents for my sister")
        .next()
        .expect("Data held shows the customer's own words");
    assert!(
        harness
            .query_by_label("Correct stated preferences")
            .is_none(),
        "preferences are changed as preferences, not as a field value"
    );
}

/// Answers every file question with `path` and records what was opened in the browser.
fn save_to(
    harness: &mut Harness<'static, CandorApp>,
    path: &std::path::Path,
) -> std::rc::Rc<std::cell::RefCell<Vec<std::path::PathBuf>>> {
    let answer = path.to_path_buf();
    harness
        .state_mut()
        .set_file_picker(Box::new(move |_| Some(vec![answer.clone()])));
    let opened = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let browser = std::rc::Rc::clone(&opened);
    harness
        .state_mut()
        .set_file_opener(Box::new(move |p: &std::path::Path| {
            browser.borrow_mut().push(p.to_path_buf());
            Ok(())
        }));
    opened
}

#[test]
fn the_preference_card_is_saved_in_plain_words_and_opened() {
    let (dir, mut harness) = on_amelia();
    let category = not_for_me_category(&mut harness);
    apply(&mut harness);
    let card = dir.path().join("preferences.html");
    let opened = save_to(&mut harness, &card);
    harness.get_by_label("Preference card…").click();
    harness.run_steps(2);
    assert_eq!(*opened.borrow(), vec![card.clone()]);
    let html = std::fs::read_to_string(&card).expect("written");
    assert!(
        html.contains(&format!("You do not want {category}")),
        "{html}"
    );
    assert!(html.contains("we never suggest it to you"));
    assert!(html.contains("Personalized recommendations"));
    for internal in [
        "premium-for-40-plus",
        "personalization",
        "birth_date",
        "score",
    ] {
        assert!(!html.contains(internal), "the card shows {internal}");
    }
}

#[test]
fn the_blank_preference_form_asks_each_agreement_on_its_own() {
    let (dir, mut harness) = sample_window();
    let form = dir.path().join("form.html");
    let opened = save_to(&mut harness, &form);
    harness.get_by_label("File").click();
    harness.run_steps(2);
    harness.get_by_label("Blank preference form…").click();
    harness.run_steps(3);
    assert_eq!(*opened.borrow(), vec![form.clone()]);
    let html = std::fs::read_to_string(&form).expect("written");
    let shop = candor::shopgen::sample::sample_shop().expect("sample");
    for purpose in &shop.purposes {
        assert!(html.contains(&purpose.description), "{}", purpose.label);
    }
    assert!(html.contains("Not for me"));
}

#[test]
fn a_new_customer_is_recorded_with_each_agreement_asked_on_its_own() {
    let (_dir, mut harness) = sample_window();
    harness.get_by_label("Customers").click();
    harness.run_steps(2);
    harness.get_by_label("New customer…").click();
    harness.run_steps(3);
    type_into(
        &mut harness,
        egui::accesskit::Role::TextInput,
        "Name",
        "Jo Bloggs",
    );
    harness
        .get_by_label("Agrees to Personalized recommendations")
        .click();
    harness
        .get_by_label("Does not agree to Email offers")
        .click();
    harness.run_steps(1);
    harness
        .get_by_label("Add the new customer to the scenario")
        .click();
    harness.run_steps(2);
    match harness.state().scenario().changes() {
        [
            Change::NewCustomer {
                fields, consents, ..
            },
        ] => {
            assert_eq!(fields.get("name").map(String::as_str), Some("Jo Bloggs"));
            assert_eq!(consents.len(), 2, "{consents:?}");
        }
        other => panic!("the scenario holds {other:?}"),
    }
    apply(&mut harness);
    let shop = harness.state().shop().expect("shop").index.shop().clone();
    let jo = shop.customers.last().expect("a customer");
    assert_eq!((jo.id, jo.name.as_deref()), (201, Some("Jo Bloggs")));
    assert!(
        shop.current_consent(201, "personalization")
            .is_some_and(|e| e.granted)
    );
    assert!(
        shop.current_consent(201, "email_offers")
            .is_some_and(|e| !e.granted)
    );
    assert!(shop.current_consent(201, "birthday_offers").is_none());
}

#[test]
fn take_back_puts_the_withdrawal_in_the_scenario_and_the_category_comes_back() {
    let (_dir, mut harness) = on_amelia();
    let category = not_for_me_category(&mut harness);
    apply(&mut harness);
    harness.run_steps(3);
    harness.get_by_label("take back").click();
    harness.run_steps(2);
    match harness.state().scenario().changes() {
        [
            Change::Preference {
                customer: 1,
                preference: Some(p),
                withdrawn: true,
                ..
            },
        ] => assert_eq!(p.about, About::Category(category.clone())),
        other => panic!("the scenario holds {other:?}"),
    }
    apply(&mut harness);
    harness.run_steps(3);
    assert_eq!(first_recommended_category(harness.state()), category);
    assert!(harness.query_by_label("take back").is_none());
}
