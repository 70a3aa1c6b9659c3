//! The window, driven as a person would: choose a customer, open Why? for a
//! recommendation, and read a contribution.

mod common;

use candor::ui::{CandorApp, Tab, load_blocking};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn harness() -> (tempfile::TempDir, Harness<'static, CandorApp>) {
    let (dir, path) = common::sample_file();
    let loaded = load_blocking(&path, common::sample_day()).expect("sample loads");
    let app = CandorApp::with_shop(loaded, common::sample_day());
    let harness = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut CandorApp| app.show(ui), app);
    (dir, harness)
}

#[test]
fn choosing_a_customer_explains_their_recommendations() {
    let (_dir, mut harness) = harness();
    harness.run_steps(2);
    harness.get_by_label("Amelia Hart").click();
    harness.run_steps(2);
    let page = harness
        .state()
        .customer_page()
        .expect("a customer page opened");
    assert_eq!(page.explanation().customer, 1);
    let second = page.explanation().recommendations[1].clone();

    harness
        .get_all_by_label_contains(&format!("2. {}", second.name))
        .next()
        .expect("second recommendation listed")
        .click();
    harness.run_steps(2);
    harness
        .get_all_by_label_contains(&format!("Why? {}", second.name))
        .next()
        .expect("the Why? panel shows the chosen product");
    let rule = second
        .contributions
        .iter()
        .find(|c| c.id != "popularity")
        .expect("a rule contributes");
    assert!(
        harness.get_all_by_label(&rule.label).next().is_some(),
        "contribution {} is shown",
        rule.label
    );
    harness
        .get_all_by_label_contains(&second.sentence)
        .next()
        .expect("the sentence is shown");
}

#[test]
fn a_customer_without_consent_sees_why_the_list_is_not_personal() {
    let (_dir, mut harness) = harness();
    harness.run_steps(2);
    harness.get_by_label("Priya Shah").click();
    harness.run_steps(2);
    assert!(
        !harness
            .state()
            .customer_page()
            .expect("page")
            .explanation()
            .personalized
    );
    harness
        .get_all_by_label_contains("Not personalized")
        .next()
        .expect("the window says the list is not personalized");
}

#[test]
fn data_held_flags_fields_nothing_uses() {
    let (_dir, mut harness) = harness();
    harness.run_steps(2);
    harness.get_by_label("Grace Lin").click();
    harness.run_steps(2);
    harness.get_by_label("Data held").click();
    harness.run_steps(2);
    assert!(
        harness.get_all_by_label("held but not used").count() >= 2,
        "phone and gender flagged"
    );
}

#[test]
fn the_rules_view_lists_every_rule() {
    let (_dir, mut harness) = harness();
    harness.run_steps(2);
    harness.get_by_label("Rules").click();
    harness.run_steps(2);
    assert_eq!(harness.state().tab(), Tab::Rules);
    harness.get_by_label("Premium picks for over-40s");
    harness.get_by_label("switched off");
}
