//! The Rules view's purposes, retention periods and settings, and the audit's pairs, used
//! by clicking as a person would: each control adds a change to the scenario, nothing is
//! saved.

mod common;

use candor::engine::changes::Change;
use candor::engine::model::PersonalField;
use common::window::{sample_window, settle, type_into};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

type Window = Harness<'static, candor::ui::CandorApp>;

/// Scrolls to the first node labelled `label` and clicks it.
fn click_first(harness: &mut Window, label: &str) {
    harness
        .get_all_by_label(label)
        .next()
        .expect(label)
        .scroll_to_me();
    harness.run_steps(3);
    harness.get_all_by_label(label).next().expect(label).click();
    harness.run_steps(3);
}

fn open_rules(harness: &mut Window) {
    harness.get_by_label("Rules").click();
    harness.run_steps(3);
}

#[test]
fn ticking_a_field_under_a_purpose_simulates_it_covering_that_field() {
    let (_dir, mut h) = sample_window();
    open_rules(&mut h);
    // The first purpose listed is personalization; its "gender" box is the first.
    click_first(&mut h, "gender");
    let changes = h.state().scenario().changes().to_vec();
    let [
        Change::Purpose {
            purpose,
            fields: Some(fields),
            ..
        },
    ] = changes.as_slice()
    else {
        panic!("one purpose change: {changes:?}")
    };
    assert_eq!(purpose, "personalization");
    assert_eq!(
        fields,
        &[
            PersonalField::BirthDate,
            PersonalField::Gender,
            PersonalField::Orders
        ]
    );
    settle(&mut h, |app| app.scenario().outcome().is_some());
    assert!(h.state().log_entries().is_empty(), "nothing was saved");
}

#[test]
fn a_purpose_is_reworded_through_the_scenario() {
    let (_dir, mut h) = sample_window();
    open_rules(&mut h);
    click_first(&mut h, "Change the words of Email offers…");
    type_into(
        &mut h,
        egui::accesskit::Role::MultilineTextInput,
        "What customers are told about Email offers",
        " About once a month.",
    );
    click_first(&mut h, "Add the words for Email offers to the scenario");
    let changes = h.state().scenario().changes().to_vec();
    let [
        Change::Purpose {
            description: Some(words),
            fields: None,
            ..
        },
    ] = changes.as_slice()
    else {
        panic!("one rewording: {changes:?}")
    };
    assert_eq!(words, "We email you news and offers. About once a month.");
}

#[test]
fn a_retention_period_and_a_setting_are_changed_by_clicking() {
    let (_dir, mut h) = sample_window();
    open_rules(&mut h);
    click_first(&mut h, "Limit how long the phone number is kept");
    // The list length is a number field: click it and type a number, as a person would.
    let label = "Products recommended to each customer";
    let number = egui::accesskit::Role::SpinButton;
    h.get_by_role_and_label(number, label).scroll_to_me();
    h.run_steps(3);
    h.get_by_role_and_label(number, label).click();
    h.run_steps(3);
    h.key_press(egui::Key::Backspace);
    h.event(egui::Event::Text("8".to_owned()));
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    let kinds: Vec<&str> = h
        .state()
        .scenario()
        .changes()
        .iter()
        .map(Change::kind)
        .collect();
    assert!(kinds.contains(&"field_retention"), "{kinds:?}");
    let top_n = h.state().scenario().pending_setting("top_n").cloned();
    assert_eq!(top_n, Some(serde_json::json!(8)), "{kinds:?}");
    let retention = h.state().scenario().changes().iter().find_map(|c| match c {
        Change::FieldRetention {
            field,
            retention_days,
        } => Some((*field, *retention_days)),
        _ => None,
    });
    assert_eq!(
        retention,
        Some((PersonalField::Phone, None)),
        "unticked: no limit"
    );
}

#[test]
fn an_intersectional_pair_is_removed_and_added_again_in_the_audit_settings() {
    let (_dir, mut h) = sample_window();
    h.get_by_label("Ethics audit").click();
    h.run_steps(3);
    click_first(&mut h, "Audit settings");
    click_first(&mut h, "Stop comparing Age band × gender");
    settle(&mut h, |app| app.ethics().config.intersections.is_empty());
    click_first(&mut h, "Add the pair");
    settle(&mut h, |app| app.ethics().config.intersections.len() == 1);
}

#[test]
fn choosing_what_popularity_counts_simulates_the_setting() {
    let (_dir, mut h) = sample_window();
    open_rules(&mut h);
    click_first(&mut h, "customers who bought it");
    let changes = h.state().scenario().changes().to_vec();
    let [Change::Setting { setting, value }] = changes.as_slice() else {
        panic!("one setting change: {changes:?}")
    };
    assert_eq!(setting, "popularity_counts");
    assert_eq!(value, "customers");
    settle(&mut h, |app| app.scenario().outcome().is_some());
    assert!(h.state().log_entries().is_empty(), "nothing was saved");
}
