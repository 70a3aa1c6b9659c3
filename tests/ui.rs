//! The window, driven as a person would: choose a customer, open Why? for a
//! recommendation, and read a contribution.

mod common;

use candor::ui::{CandorApp, Tab};
use common::window::{answer_who_why, become_owner, sample_window, settle, type_into};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The window on a fresh sample shop, as it opens: on the scorecard.
fn harness_on_scorecard() -> (tempfile::TempDir, Harness<'static, CandorApp>) {
    let (dir, harness) = sample_window();
    assert_eq!(
        harness.state().tab(),
        Tab::Scorecard,
        "the scorecard is shown first"
    );
    (dir, harness)
}

/// The undo of `entry`, as a person does it from the audit log: simulated first (nothing
/// saved), then applied with who and why.
fn simulate_then_apply_undo(harness: &mut Harness<'static, CandorApp>, entry: i64) {
    settle(harness, |app| {
        app.scenario().undoes() == Some(entry) && app.scenario().outcome().is_some()
    });
    let saved = harness.state().log_entries().len();
    harness
        .get_all_by_label_contains(&format!("Simulation: the undo of entry {entry}"))
        .next()
        .expect("the undo is simulated first");
    harness.get_by_label("Apply…").click();
    harness.run_steps(2);
    assert_eq!(
        harness.state().log_entries().len(),
        saved,
        "nothing saved yet"
    );
    answer_who_why(harness, "Apply now");
}

fn scenario_kinds(harness: &Harness<'static, CandorApp>) -> Vec<&'static str> {
    harness
        .state()
        .scenario()
        .changes()
        .iter()
        .map(candor::engine::changes::Change::kind)
        .collect()
}

/// The window on a fresh sample shop, on the Customers view.
fn harness() -> (tempfile::TempDir, Harness<'static, CandorApp>) {
    let (dir, mut harness) = harness_on_scorecard();
    harness.get_by_label("Customers").click();
    harness.run_steps(2);
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
    // The rules behind it are named with Details on.
    harness.get_by_label("Details").click();
    harness.run_steps(2);
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

#[test]
fn a_weight_change_is_simulated_applied_logged_and_undone() {
    let (_dir, mut harness) = harness();
    harness.run_steps(2);
    harness.get_by_label("Rules").click();
    harness.run_steps(2);
    let slider = harness.get_by_role_and_label(
        egui::accesskit::Role::Slider,
        "Weight of Premium picks for over-40s",
    );
    slider.focus();
    harness.run_steps(1);
    for _ in 0..5 {
        harness.key_press(egui::Key::ArrowLeft);
        harness.run_steps(1);
    }
    let weight = harness
        .state()
        .scenario()
        .pending_weight("premium-for-40-plus")
        .expect("weight in the scenario");
    assert!(weight < 1.0, "weight moved down, now {weight}");

    settle(&mut harness, |app| app.scenario().outcome().is_some());
    harness
        .get_all_by_label_contains("Nothing is saved yet")
        .next()
        .expect("the banner says nothing is saved");
    let changed = harness
        .state()
        .scenario()
        .outcome()
        .expect("outcome")
        .preview
        .impact
        .customers_changed;
    harness
        .get_all_by_label_contains(&format!(
            "Recommendations change for {changed} of 200 customers"
        ))
        .next()
        .expect("the whole-shop count is shown");

    harness.get_by_label("Apply…").click();
    harness.run_steps(2);
    assert!(
        harness.query_by_label("Who is applying this?").is_none(),
        "staff cannot apply a change to the rules"
    );
    harness
        .get_all_by_label_contains("Only the owner can apply changes to the rules")
        .next()
        .expect("the window says why");
    become_owner(&mut harness);
    harness.get_by_label("Apply…").click();
    harness.run_steps(2);
    answer_who_why(&mut harness, "Apply now");
    settle(&mut harness, |app| {
        !app.is_applying() && app.log_entries().len() == 2
    });
    assert!(
        harness.state().scenario().is_empty(),
        "the scenario is cleared after applying"
    );
    let rule = |app: &CandorApp| {
        app.shop()
            .expect("shop")
            .index
            .shop()
            .rules
            .iter()
            .find(|r| r.id == "premium-for-40-plus")
            .expect("rule")
            .weight
    };
    assert!((rule(harness.state()) - weight).abs() < 1e-9);
    let entries = harness.state().log_entries();
    assert_eq!(
        entries[0].event.as_ref().map(|e| e.kind.as_str()),
        Some("owner_set_up")
    );
    assert_eq!(entries[1].reason, "Age should not steer premium offers");

    harness.get_by_label("Audit log").click();
    harness.run_steps(2);
    harness.get_by_label("Entry 2");
    harness
        .get_all_by_label_contains(
            "Sam (owner) set the weight of \u{201c}Premium picks for over-40s\u{201d} to",
        )
        .next()
        .expect("the log reads as a sentence with the rule's name");
    harness
        .get_all_by_label_contains("\u{201c}Age should not steer premium offers\u{201d}")
        .next()
        .expect("with its reason");
    harness.get_by_label("Undo entry 2").click();
    simulate_then_apply_undo(&mut harness, 2);
    settle(&mut harness, |app| {
        !app.is_applying() && app.log_entries().len() == 3
    });
    assert_eq!(harness.state().log_entries()[2].undoes, Some(2));
    assert!(
        (rule(harness.state()) - 1.0).abs() < 1e-9,
        "undo restored the weight"
    );
    harness.run_steps(2);
    harness.get_by_label("undone by entry 3");
    assert!(
        harness.query_by_label("Undo entry 2").is_none(),
        "an entry undone is not undone again"
    );
    harness.get_by_label("Undo entry 3");
}

#[test]
fn field_corrections_and_consent_withdrawals_are_simulated_not_saved() {
    let (_dir, mut harness) = harness();
    harness.run_steps(2);
    harness.get_by_label("Grace Lin").click();
    harness.run_steps(2);
    harness.get_by_label("Data held").click();
    harness.run_steps(2);
    harness.get_by_label("Correct phone").click();
    harness.run_steps(2);
    type_into(
        &mut harness,
        egui::accesskit::Role::TextInput,
        "New value",
        "0",
    );
    harness.get_by_label("Add to scenario").click();
    harness.run_steps(2);
    assert_eq!(
        harness.state().scenario().changes().len(),
        1,
        "the correction is in the scenario"
    );
    harness.get_by_label("Delete gender").click();
    harness.run_steps(2);
    let kinds = scenario_kinds(&harness);
    assert_eq!(kinds, ["customer_field", "customer_field"]);
    // As a person would: the scenario panel settles before the next click.
    settle(&mut harness, |app| app.scenario().outcome().is_some());

    harness.get_by_label("Recommendations").click();
    harness.run_steps(2);
    harness
        .get_by_label("Simulate: withdraw \"Personalized recommendations\"")
        .click();
    settle(&mut harness, |app| {
        app.scenario().changes().len() == 3 && app.scenario().outcome().is_some()
    });
    harness
        .get_all_by_label("The list is no longer personalized.")
        .next()
        .expect("the customer's effect says the list stops being personalized");
    assert!(
        harness.state().log_entries().is_empty(),
        "nothing was saved"
    );
}

#[test]
fn the_customer_list_shows_masked_emails_and_consents() {
    let (_dir, mut harness) = harness();
    harness.run_steps(2);
    harness.get_by_label("Email");
    harness.get_by_label("Consent");
    assert!(
        harness
            .get_all_by_label("a•••@example.com")
            .next()
            .is_some(),
        "masked emails are listed"
    );
    assert!(
        harness.get_all_by_label("none given").next().is_some(),
        "Priya's missing consent is listed"
    );
}

#[test]
fn the_audit_view_follows_a_finding_to_its_rule_and_simulates_its_fix() {
    let (_dir, mut harness) = harness();
    harness.run_steps(2);
    harness.get_by_label("Ethics audit").click();
    harness.run_steps(2);
    assert_eq!(harness.state().tab(), Tab::Audit);
    harness
        .get_all_by_label_contains("Shown at least one premium product")
        .next()
        .expect("the premium-parity finding is listed");

    harness
        .get_all_by_label("Show rule: Premium picks for over-40s")
        .next()
        .expect("the finding links to its rule")
        .click();
    harness.run_steps(3);
    assert_eq!(harness.state().tab(), Tab::Rules);
    assert_eq!(
        harness.state().rule_editor().highlighted(),
        Some("premium-for-40-plus")
    );
    harness.get_by_label("Shown from the ethics audit");

    harness.get_by_label("Ethics audit").click();
    harness.run_steps(2);
    assert_eq!(harness.state().tab(), Tab::Audit);
    harness
        .get_all_by_label("Simulate switching off \u{201c}Premium picks for over-40s\u{201d}")
        .next()
        .expect("the finding offers a fix")
        .click();
    harness.run_steps(2);
    assert_eq!(harness.state().scenario().changes().len(), 1);
    settle(&mut harness, |app| app.scenario().outcome().is_some());
    let outcome = harness.state().scenario().outcome().expect("simulated");
    let premium = outcome
        .audit_figures
        .iter()
        .find(|f| f.key == "parity:age_band:premium")
        .expect("premium parity compared");
    assert!(premium.before.expect("measurable") < 0.8);
    assert_ne!(
        premium.status_after,
        Some(candor::engine::audit::fairness::Status::Flagged)
    );
    assert_eq!(outcome.relevance.variants[0].customers, 71);
    harness.run_steps(2);
    harness.get_by_label("Ethics audit before and after");
    harness.get_by_label("Relevance on the last 30 days of orders");
    assert!(
        harness.state().shop().expect("open").index.shop().rules[4].enabled,
        "simulating a fix saves nothing"
    );
}

#[test]
fn exporting_a_customers_data_asks_who_and_why_and_is_logged() {
    let (dir, mut harness) = harness();
    let out = dir.path().join("grace");
    let answer = out.clone();
    harness
        .state_mut()
        .set_file_picker(Box::new(move |_| Some(vec![answer.clone()])));
    harness.get_by_label("Grace Lin").click();
    harness.run_steps(2);
    harness.get_by_label("Export this customer's data…").click();
    harness.run_steps(3);
    type_into(
        &mut harness,
        egui::accesskit::Role::TextInput,
        "Who is exporting this?",
        "Sam",
    );
    harness.run_steps(1);
    harness.get_by_label("Export now").click();
    harness.run_steps(2);
    settle(&mut harness, |app| {
        !app.is_exporting() && app.notice().is_some() && !app.is_reading_log()
    });
    harness.run_steps(2);
    assert!(out.join("customer-4.json").exists());
    assert!(out.join("customer-4.html").exists());
    assert!(
        harness
            .state()
            .notice()
            .is_some_and(|n| n.contains("audit-log entry 1")),
        "{:?} {:?}",
        harness.state().notice(),
        harness.state().error()
    );
    let entry = harness
        .state()
        .log_entries()
        .last()
        .expect("logged")
        .clone();
    assert_eq!(entry.actor, "Sam");
    assert_eq!(entry.reason, "subject access request");
    assert_eq!(entry.event.expect("an event").customer, Some(4));
}

#[test]
fn erasing_a_customer_asks_who_and_why_and_removes_them_from_the_window() {
    let (_dir, mut harness) = harness();
    harness.run_steps(2);
    let shop_path = harness.state().shop().expect("open").path.clone();
    let backup = std::path::PathBuf::from(format!("{}.v4-backup", shop_path.display()));
    std::fs::write(&backup, "an old copy that still holds Grace").expect("writes");
    harness.get_by_label("Grace Lin").click();
    harness.run_steps(2);
    harness.get_by_label("Erase this customer…").click();
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label_contains("Removes this customer")
            .is_none(),
        "staff cannot erase"
    );
    become_owner(&mut harness);
    harness.get_by_label("Erase this customer…").click();
    harness.run_steps(3);
    assert!(
        harness
            .query_by_label_contains("Removes this customer")
            .is_some(),
        "the dialog says what erasing does"
    );
    type_into(
        &mut harness,
        egui::accesskit::Role::TextInput,
        "Who is erasing this customer?",
        "Owner",
    );
    type_into(
        &mut harness,
        egui::accesskit::Role::MultilineTextInput,
        "Why? (kept in the audit log)",
        "she asked us to",
    );
    harness.run_steps(1);
    harness.get_by_label("Erase now").click();
    settle(&mut harness, |app| {
        !app.is_applying() && app.notice().is_some()
    });
    let app = harness.state();
    let shop = app.shop().expect("still open");
    assert_eq!(shop.rows.len(), 199);
    assert!(shop.index.customer_pos(4).is_none(), "Grace is gone");
    assert!(app.customer_page().is_none());
    let entry = app.log_entries().last().expect("logged");
    let event = entry.event.as_ref().expect("an erasure event");
    assert_eq!(event.kind, "erasure");
    assert_eq!(event.customer, None);
    assert!(app.notice().is_some_and(|n| n.contains("v4-backup")));

    harness.get_by_label("Delete the backup…").click();
    harness.run_steps(2);
    assert!(
        backup.exists(),
        "nothing is deleted before the person confirms"
    );
    harness.get_by_label("Yes, delete the backup").click();
    harness.run_steps(2);
    assert!(!backup.exists(), "the backup that held her is gone");
    assert!(shop_path.exists(), "the shop file itself is untouched");
}

#[test]
fn staff_record_a_withdrawal_in_the_customers_words_and_the_list_stops_being_personal() {
    let (_dir, mut harness) = harness();
    harness.run_steps(2);
    harness.get_by_label("Grace Lin").click();
    harness.run_steps(2);
    assert!(
        harness
            .state()
            .customer_page()
            .expect("page")
            .explanation()
            .personalized
    );
    harness.get_by_label("Record a consent decision…").click();
    harness.run_steps(2);
    harness.get_by_label("by phone").click();
    harness.run_steps(1);
    type_into(
        &mut harness,
        egui::accesskit::Role::MultilineTextInput,
        "In the customer's own words (optional)",
        "Please stop using what I buy",
    );
    harness
        .get_by_label("Add the decision to the scenario")
        .click();
    settle(&mut harness, |app| app.scenario().outcome().is_some());
    harness.get_by_label("Apply…").click();
    harness.run_steps(2);
    answer_who_why(&mut harness, "Apply now");
    settle(&mut harness, |app| {
        !app.is_applying() && app.log_entries().len() == 1
    });
    let page = harness.state().customer_page().expect("still on Grace");
    assert!(
        !page.explanation().personalized,
        "the withdrawal took effect"
    );
    harness
        .get_all_by_label_contains("Not personalized")
        .next()
        .expect("the window says the list is not personal");
    harness.get_by_label("Data held").click();
    harness.run_steps(2);
    harness
        .get_all_by_label_contains(
            "by phone, recorded by Sam (owner)): \u{201c}Please stop using what I buy\u{201d}",
        )
        .next()
        .expect("the history keeps how, who and the customer's words");
}

#[test]
fn personal_data_is_masked_until_a_logged_reveal() {
    let (_dir, mut harness) = harness();
    harness.run_steps(2);
    harness.get_by_label("Grace Lin").click();
    harness.run_steps(2);
    harness.get_by_label("Data held").click();
    harness.run_steps(2);
    harness.get_by_label("••• ••• 461");
    assert!(
        harness.query_by_label("07700 900461").is_none(),
        "the phone is masked"
    );
    assert!(
        harness.query_by_label("1997-09-06").is_none(),
        "the birth date is masked"
    );
    harness.get_by_label("Reveal personal data…").click();
    harness.run_steps(3);
    use egui::accesskit::Role;
    type_into(&mut harness, Role::TextInput, "Who is looking?", "Jo");
    harness.run_steps(1);
    type_into(
        &mut harness,
        Role::MultilineTextInput,
        "Why? (kept in the audit log)",
        "Grace asked us to read back her phone number",
    );
    harness.run_steps(1);
    harness.get_by_label("Reveal").click();
    harness.run_steps(1);
    settle(&mut harness, |app| !app.is_reading_log());
    harness.run_steps(2);
    harness.get_by_label("07700 900461");
    let entry = harness
        .state()
        .log_entries()
        .last()
        .expect("logged")
        .clone();
    assert_eq!(entry.actor, "Jo");
    let event = entry.event.expect("a reveal event");
    assert_eq!((event.kind.as_str(), event.customer), ("reveal", Some(4)));
}

#[test]
fn the_scorecard_comes_first_and_its_fairness_card_follows_the_audit() {
    let (_dir, mut harness) = harness_on_scorecard();
    for principle in [
        "Transparency",
        "Informed consent",
        "Data minimization",
        "Data security",
        "Fairness and non-discrimination",
        "Accountability",
        "No manipulation or filter bubbles",
    ] {
        harness.get_by_label(principle);
    }
    let shop = harness.state().shop().expect("open");
    let fairness = shop
        .scorecard
        .iter()
        .find(|c| c.principle == "fairness")
        .expect("fairness card");
    assert_eq!(
        fairness.standing,
        candor::engine::scorecard::Standing::AtRisk
    );
    let premium = shop
        .audit
        .fairness
        .iter()
        .flat_map(|g| &g.metrics)
        .filter(|m| m.status == candor::engine::audit::fairness::Status::Flagged)
        .filter(|m| !m.metric.starts_with("exposure:"))
        .filter_map(|m| m.parity_ratio)
        .fold(f64::INFINITY, f64::min);
    harness
        .get_all_by_label_contains(&format!("parity {premium:.2}"))
        .next()
        .expect("the card shows the audit's lowest parity ratio");
    harness
        .get_all_by_label("Open the ethics audit")
        .next()
        .expect("a card links to the audit")
        .click();
    harness.run_steps(2);
    assert_eq!(harness.state().tab(), Tab::Audit);
}

#[test]
fn keyboard_shortcuts_switch_views_and_f1_lists_them() {
    let (_dir, mut harness) = harness_on_scorecard();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num3);
    harness.run_steps(2);
    assert_eq!(harness.state().tab(), Tab::Rules);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num4);
    harness.run_steps(2);
    assert_eq!(harness.state().tab(), Tab::Audit);
    harness.key_press(egui::Key::F1);
    harness.run_steps(3);
    harness.get_by_label("Keyboard shortcuts");
    harness.get_by_label("Show or hide this list");
    harness.get_by_label("Open a shop file");
}

#[test]
fn pending_changes_are_removed_one_by_one_or_discarded_from_the_panel() {
    let (_dir, mut harness) = harness();
    harness.run_steps(2);
    harness.get_by_label("Amelia Hart").click();
    harness.run_steps(2);
    for purpose in ["Personalized recommendations", "Birthday offers"] {
        harness
            .get_by_label(&format!("Simulate: withdraw \"{purpose}\""))
            .click();
        harness.run_steps(3);
        // As a person would: the scenario panel settles before the next click.
        settle(&mut harness, |app| app.scenario().outcome().is_some());
    }
    settle(&mut harness, |app| app.scenario().changes().len() == 2);
    for _ in 0..1500 {
        if harness.query_by_label("42 worse").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        harness.run_steps(1);
    }
    harness.get_by_label("42 worse");
    harness
        .get_all_by_label("Remove")
        .next()
        .expect("a Remove button")
        .click();
    harness.run_steps(2);
    let left: Vec<String> = harness
        .state()
        .scenario()
        .changes()
        .iter()
        .map(|c| serde_json::to_value(c).expect("json")["purpose"].to_string())
        .collect();
    assert_eq!(
        left,
        ["\"birthday_offers\""],
        "the first change was taken out"
    );
    harness.get_by_label("Discard all").click();
    harness.run_steps(2);
    assert!(harness.state().scenario().is_empty());
    assert!(
        harness.query_by_label("Discard all").is_none(),
        "the banner is gone"
    );
}

#[test]
fn the_owner_purges_data_past_its_retention_period_from_the_audit_by_clicking() {
    let (_dir, path) = common::sample_file();
    let conn = rusqlite::Connection::open(&path).expect("opens");
    conn.execute_batch(
        "UPDATE customers SET phone = '07700 900777', since = '2015-01-01' WHERE id = 7;
         UPDATE orders SET customer = NULL WHERE customer = 7;",
    )
    .expect("customer 7 has not been seen since 2015");
    drop(conn);
    let mut harness = common::window::window_on(&path);
    become_owner(&mut harness);
    harness.get_by_label("Ethics audit").click();
    // Tall enough that the purge button, at the end of the audit, is on screen.
    harness.set_size(egui::vec2(1400.0, 4000.0));
    harness.run_steps(3);
    harness
        .get_by_label("Purge data past its retention period…")
        .click();
    for _ in 0..10 {
        if harness.query_by_label("Purge now").is_some() {
            break;
        }
        harness.run_steps(1);
    }
    type_into(
        &mut harness,
        egui::accesskit::Role::TextInput,
        "Who is purging?",
        "Sam (owner)",
    );
    type_into(
        &mut harness,
        egui::accesskit::Role::MultilineTextInput,
        "Why? (kept in the audit log)",
        "Retention review",
    );
    harness.run_steps(2);
    harness.get_by_label("Purge now").click();
    settle(&mut harness, |app| {
        !app.is_applying() && app.notice().is_some_and(|n| n.contains("Purged"))
    });
    let phone: Option<String> = rusqlite::Connection::open(&path)
        .expect("opens")
        .query_row("SELECT phone FROM customers WHERE id = 7", [], |r| r.get(0))
        .expect("customer 7 is kept");
    assert_eq!(phone, None, "the phone past its retention period is gone");
    let last = harness
        .state()
        .log_entries()
        .last()
        .expect("logged")
        .clone();
    assert_eq!(last.event.expect("an event").kind, "retention_purge");
}

#[test]
fn explain_to_the_customer_saves_the_card_where_the_person_chooses() {
    let (dir, mut harness) = harness();
    let card = dir.path().join("card.html");
    let answer = card.clone();
    let asked = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let seen = std::rc::Rc::clone(&asked);
    harness
        .state_mut()
        .set_file_picker(Box::new(move |q: &candor::ui::FileQuestion| {
            seen.borrow_mut().push(q.clone());
            Some(vec![answer.clone()])
        }));
    let opened = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let browser = std::rc::Rc::clone(&opened);
    harness
        .state_mut()
        .set_file_opener(Box::new(move |path: &std::path::Path| {
            browser.borrow_mut().push(path.to_path_buf());
            Ok(())
        }));
    harness.get_by_label("Amelia Hart").click();
    harness.run_steps(2);
    harness.get_by_label("Explain to the customer…").click();
    harness.run_steps(2);
    assert_eq!(
        *opened.borrow(),
        vec![card.clone()],
        "the card opens in the browser"
    );
    let question = asked
        .borrow()
        .first()
        .cloned()
        .expect("asked where to save");
    assert_eq!(question.ask, candor::ui::Ask::SaveFile);
    assert!(question.file_name.is_some_and(|n| n.ends_with(".html")));
    let html = std::fs::read_to_string(&card).expect("the card was written");
    assert!(html.contains("Amelia"), "the card is the customer's");
    assert!(
        harness
            .state()
            .notice()
            .is_some_and(|n| n.contains(&card.display().to_string())),
        "the window says where it was saved: {:?}",
        harness.state().notice()
    );
}

#[test]
fn a_card_that_cannot_be_opened_in_a_browser_is_still_saved_and_the_window_says_so() {
    let (dir, mut harness) = harness();
    let card = dir.path().join("card.html");
    let answer = card.clone();
    harness
        .state_mut()
        .set_file_picker(Box::new(move |_| Some(vec![answer.clone()])));
    harness
        .state_mut()
        .set_file_opener(Box::new(|_| Err("no browser is installed".to_owned())));
    harness.get_by_label("Amelia Hart").click();
    harness.run_steps(2);
    harness.get_by_label("Explain to the customer…").click();
    harness.run_steps(2);
    assert!(card.exists());
    let notice = harness.state().notice().expect("a notice").to_owned();
    assert!(
        notice.contains("could not be opened in a browser") && notice.contains("no browser"),
        "{notice}"
    );
}

#[test]
fn cancelling_the_save_dialog_writes_nothing_and_says_nothing() {
    let (_dir, mut harness) = harness();
    harness.state_mut().set_file_picker(Box::new(|_| None));
    harness.get_by_label("Amelia Hart").click();
    harness.run_steps(2);
    harness.get_by_label("Explain to the customer…").click();
    harness.run_steps(2);
    assert!(harness.state().notice().is_none());
    assert!(harness.state().error().is_none());
}

#[test]
fn two_records_of_one_person_are_merged_from_the_customer_page_and_the_merge_undone() {
    let (_dir, mut harness) = harness();
    harness.run_steps(2);
    let customers = |app: &CandorApp| app.shop().expect("shop").index.shop().customers.len();
    assert_eq!(customers(harness.state()), 200);
    harness.get_by_label("Amelia Hart").click();
    harness.run_steps(2);
    harness.get_by_label("Merge with another record…").click();
    harness.run_steps(2);
    type_into(
        &mut harness,
        egui::accesskit::Role::TextInput,
        "Find the other record (name, email or number)",
        "Grace",
    );
    harness.run_steps(2);
    harness
        .get_all_by_label_contains("Grace Lin · customer 4")
        .next()
        .expect("found by name")
        .click();
    harness.run_steps(1);
    harness
        .get_by_label("Add the merge to the scenario")
        .click();
    harness.run_steps(2);
    assert!(matches!(
        harness.state().scenario().changes(),
        [candor::engine::changes::Change::MergeCustomers { from: 4, .. }]
    ));
    settle(&mut harness, |app| app.scenario().outcome().is_some());
    harness
        .get_all_by_label_contains("Merge the record of Grace Lin (customer 4) into Amelia Hart")
        .next()
        .expect("the scenario says what the change does");

    harness.get_by_label("Apply…").click();
    harness.run_steps(2);
    answer_who_why(&mut harness, "Apply now");
    settle(&mut harness, |app| {
        !app.is_applying() && app.log_entries().len() == 1
    });
    assert_eq!(customers(harness.state()), 199, "one record now");

    harness.get_by_label("Audit log").click();
    harness.run_steps(2);
    harness.get_by_label("Undo entry 1").click();
    simulate_then_apply_undo(&mut harness, 1);
    settle(&mut harness, |app| {
        !app.is_applying() && app.log_entries().len() == 2
    });
    assert_eq!(customers(harness.state()), 200, "two records again");
}

#[test]
fn the_audit_report_is_saved_where_the_owner_chooses_and_opened_in_the_browser() {
    let (dir, mut harness) = harness_on_scorecard();
    let report = dir.path().join("audit.html");
    let answer = report.clone();
    harness
        .state_mut()
        .set_file_picker(Box::new(move |_| Some(vec![answer.clone()])));
    let opened = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let browser = std::rc::Rc::clone(&opened);
    harness
        .state_mut()
        .set_file_opener(Box::new(move |path: &std::path::Path| {
            browser.borrow_mut().push(path.to_path_buf());
            Ok(())
        }));
    harness.get_by_label("Ethics audit").click();
    harness.run_steps(2);
    harness.get_by_label("Export report…").click();
    harness.run_steps(2);
    let page = std::fs::read_to_string(&report).expect("the report was written");
    assert!(page.contains("Ethics audit"), "the audit's page");
    assert_eq!(*opened.borrow(), vec![report]);
}

#[test]
fn staff_see_the_explanation_in_words_and_details_only_when_they_ask() {
    let (_dir, mut harness) = harness();
    harness.get_by_label("Amelia Hart").click();
    harness.run_steps(2);
    let shown = |harness: &Harness<'static, CandorApp>, text: &str| {
        harness.query_all_by_label_contains(text).next().is_some()
    };
    for internal in ["score", "birth_date", "personalization", "Data read"] {
        assert!(!shown(&harness, internal), "staff see no {internal:?}");
    }
    assert!(shown(&harness, "What it uses"));
    assert!(shown(&harness, "your age (from your birth date)"));
    assert!(shown(&harness, "Personalized recommendations"));

    harness.get_by_label("Details").click();
    harness.run_steps(2);
    assert!(shown(&harness, "score"), "details show the scores");
    assert!(shown(&harness, "Data read"), "and the contributions table");
    // The choice is remembered: another customer's page shows details too.
    harness.get_by_label("Grace Lin").click();
    harness.run_steps(2);
    assert!(shown(&harness, "score"));
}

#[test]
fn help_menu_opens_the_guide_to_how_candor_works() {
    let (_dir, mut harness) = harness_on_scorecard();
    assert!(
        harness
            .query_all_by_label_contains("What a score is")
            .next()
            .is_none()
    );
    harness.get_by_label("Help").click();
    harness.run_steps(2);
    harness.get_by_label("How Candor works").click();
    harness.run_steps(3);
    harness.get_by_label("What a score is");
    harness.get_by_label("Customers' rights");
}

#[test]
fn a_price_change_is_simulated_by_staff_but_applied_only_by_the_owner() {
    let (_dir, mut harness) = harness();
    harness.run_steps(2);
    harness.get_by_label("Amelia Hart").click();
    harness.run_steps(2);
    harness.get_by_label("price (£)").set_value_accesskit(0.01);
    harness.run_steps(2);
    harness.get_by_label("Add to scenario").click();
    settle(&mut harness, |app| app.scenario().outcome().is_some());
    let kinds = scenario_kinds(&harness);
    assert_eq!(kinds, ["product"]);
    harness
        .get_all_by_label_contains("settings or prices: switch to owner")
        .next()
        .expect("staff are told why Apply is greyed");
    harness.get_by_label("Apply…").click();
    harness.run_steps(2);
    assert!(
        harness.query_by_label("Who is applying this?").is_none(),
        "staff cannot apply a price"
    );
    become_owner(&mut harness);
    harness.get_by_label("Apply…").click();
    harness.run_steps(2);
    answer_who_why(&mut harness, "Apply now");
    settle(&mut harness, |app| {
        !app.is_applying() && !app.log_entries().is_empty()
    });
    let priced = harness
        .state()
        .shop()
        .expect("shop")
        .index
        .shop()
        .products
        .clone();
    assert!(
        priced.iter().any(|p| p.price_cents == Some(1)),
        "the owner's price is applied"
    );
}

#[test]
fn the_owner_of_one_shop_is_staff_in_the_next_shop_opened() {
    let (dir, mut harness) = harness();
    become_owner(&mut harness);
    assert_eq!(harness.state().role(), candor::access::Role::Owner);
    let other = dir.path().join("other.candor");
    std::fs::copy(harness.state().shop().expect("shop").path.clone(), &other).expect("copied");
    let ctx = harness.ctx.clone();
    harness.state_mut().open(other.clone(), &ctx);
    settle(&mut harness, |app| {
        app.shop().is_some_and(|s| s.path == other)
    });
    assert_eq!(
        harness.state().role(),
        candor::access::Role::Staff,
        "the passphrase checked was the first shop's"
    );
    harness.get_by_label("Staff · switch to owner…");
}

#[test]
fn the_audit_view_measures_relevance_when_asked() {
    let (_dir, mut harness) = harness();
    harness.run_steps(2);
    harness.get_by_label("Ethics audit").click();
    harness.run_steps(3);
    assert!(
        harness.query_by_label("Measure relevance").is_none(),
        "folded"
    );
    let heading = "Relevance: did customers buy what was recommended?";
    harness.get_by_label(heading).scroll_to_me();
    harness.run_steps(3);
    harness.get_by_label(heading).click();
    harness.run_steps(3);
    harness.get_by_label("Measure relevance").scroll_to_me();
    harness.run_steps(3);
    harness.get_by_label("Measure relevance").click();
    let table = "Everything bought (71 customers evaluated)";
    for _ in 0..1500 {
        harness.run_steps(1);
        if harness.query_by_label(table).is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    harness.get_by_label(table);
    harness.get_by_label("New products only (57 customers evaluated)");
    assert_eq!(
        harness.query_all_by_label("bought before").count(),
        2,
        "one row per table"
    );
    harness.get_by_label(
        "Lists as of the day before 2026-05-17, judged on what customers bought from 2026-05-17 to 2026-06-15.",
    );
}

#[test]
fn an_audit_heading_says_what_its_figures_measure_on_hover() {
    let (_dir, mut harness) = harness();
    harness.run_steps(2);
    harness.get_by_label("Ethics audit").click();
    harness.run_steps(3);
    assert!(
        harness
            .query_all_by_label_contains("defined in the README")
            .next()
            .is_none(),
        "the meaning is in the window, not elsewhere"
    );
    let heading = "Shown at least one premium product (top price quarter)";
    harness
        .get_all_by_label(heading)
        .next()
        .expect("the premium column")
        .scroll_to_me();
    harness.run_steps(3);
    harness
        .get_all_by_label(heading)
        .next()
        .expect("shown")
        .hover();
    // Tooltips wait for the pointer to rest.
    harness.run_steps(60);
    harness
        .get_all_by_label_contains("top quarter of the shop's own prices")
        .next()
        .expect("the tooltip says what premium means");
}

#[test]
fn a_new_search_starts_at_the_top_of_its_results() {
    let (_dir, mut harness) = harness();
    harness.run_steps(2);
    // Far down the table, as a person scrolls.
    for _ in 0..20 {
        harness
            .query_all_by_label_contains("@example.com")
            .next()
            .expect("a row on screen")
            .scroll_down();
        harness.run_steps(1);
    }
    harness.run_steps(2);
    assert!(
        harness.query_by_label("Amelia Hart").is_none(),
        "scrolled past the first rows"
    );
    type_into(
        &mut harness,
        egui::accesskit::Role::TextInput,
        "Search customers",
        "a",
    );
    harness.run_steps(3);
    harness.get_by_label("Amelia Hart");
}

#[test]
fn scrolling_to_the_bottom_of_a_long_customer_list_reaches_its_last_row() {
    use candor::shopgen::demo::{DemoSize, demo_shop};
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("big.candor");
    let size = DemoSize {
        customers: 100_000,
        products: 100,
        orders: 5_000,
    };
    let shop = demo_shop(size, 7, common::sample_day());
    let last = shop
        .customers
        .iter()
        .map(|c| c.id)
        .max()
        .expect("customers")
        .to_string();
    candor::store::Store::create(&path, &shop).expect("written");
    let mut harness = common::window::window_on(&path);
    harness.get_by_label("Customers").click();
    harness.run_steps(3);
    let row = harness
        .query_all_by_label_contains("@example")
        .next()
        .expect("a row on screen")
        .rect()
        .center();
    assert!(harness.query_all_by_label(&last).next().is_none());
    harness.event(egui::Event::PointerMoved(row));
    for _ in 0..10 {
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -1.0e6),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: egui::Modifiers::NONE,
        });
        harness.run_steps(2);
    }
    harness.run_steps(10);
    assert!(
        harness.query_all_by_label(&last).next().is_some(),
        "the last customer, number {last}, is reached"
    );
}

#[test]
fn the_log_filters_by_customer_and_kind_and_exports_what_it_shows() {
    let (dir, path) = common::sample_file();
    let who = candor::store::Attribution {
        actor: "Sam".into(),
        reason: "at the counter".into(),
        at: "2026-06-15T10:00:00+00:00".into(),
    };
    let (mut store, _) = candor::store::Store::open(&path).expect("opens");
    for change in [
        candor::engine::changes::Change::Consent {
            customer: 1,
            purpose: "personalization".into(),
            granted: false,
            method: None,
            words: None,
        },
        candor::engine::changes::Change::CustomerField {
            customer: 4,
            field: "phone".into(),
            value: None,
            source: None,
        },
    ] {
        store
            .apply(None, &[change], &who, None, None)
            .expect("applies");
    }
    drop(store);
    let mut harness = common::window::window_on(&path);
    harness.get_by_label("Audit log").click();
    settle(&mut harness, |app| app.log_entries().len() == 2);
    harness.run_steps(2);
    harness.get_by_label("Entry 2");
    let customer = egui::accesskit::Role::TextInput;
    type_into(&mut harness, customer, "Customer", "Amelia");
    harness.run_steps(2);
    harness.get_by_label_contains("2 customers match \u{201c}Amelia\u{201d}");
    type_into(&mut harness, customer, "Customer", " Hart");
    harness.run_steps(2);
    harness.get_by_label("Entry 1");
    assert!(
        harness.query_by_label("Entry 2").is_none(),
        "only Amelia's entry"
    );

    let out = dir.path().join("amelia.csv");
    let answer = out.clone();
    harness
        .state_mut()
        .set_file_picker(Box::new(move |_| Some(vec![answer.clone()])));
    harness.get_by_label("Export CSV…").click();
    harness.run_steps(2);
    let csv = std::fs::read_to_string(&out).expect("the CSV was written");
    assert_eq!(csv.lines().count(), 2, "a header and Amelia's entry: {csv}");
    assert!(csv.contains("Amelia Hart withdrew"));
    assert!(
        harness
            .state()
            .notice()
            .is_some_and(|n| n.contains("the audit log (1 entry)")),
        "{:?}",
        harness.state().notice()
    );
}

#[test]
fn the_rules_view_names_the_data_in_words_and_rule_ids_only_with_details() {
    let (_dir, mut harness) = harness();
    harness.run_steps(2);
    harness.get_by_label("Rules").click();
    harness.run_steps(3);
    assert!(
        harness
            .query_all_by_label_contains("birth_date")
            .next()
            .is_none(),
        "no field key on the Rules view"
    );
    assert!(
        harness
            .query_all_by_label("(premium-for-40-plus)")
            .next()
            .is_none()
    );
    harness
        .get_all_by_label_contains("reads the customer's birth date")
        .next()
        .expect("the data in words");
    harness
        .get_by_role_and_label(egui::accesskit::Role::CheckBox, "Details")
        .click();
    harness.run_steps(3);
    harness.get_by_label("(premium-for-40-plus)");
}

#[test]
fn a_weight_drag_shows_the_last_weights_lists_first_and_the_audit_after() {
    use candor::shopgen::demo::{DemoSize, demo_shop};
    // A shop large enough that the audit and relevance take many frames in a test build.
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("shop.candor");
    let size = DemoSize {
        customers: 5_000,
        products: 300,
        orders: 36_000,
    };
    candor::store::Store::create(&path, &demo_shop(size, 5, common::sample_day()))
        .expect("written");
    let mut harness = common::window::window_on(&path);
    harness.run_steps(2);
    harness.get_by_label("Rules").click();
    harness.run_steps(2);
    harness
        .get_by_role_and_label(
            egui::accesskit::Role::Slider,
            "Weight of Premium picks for over-40s",
        )
        .focus();
    harness.run_steps(1);
    // Each step of the drag is a new scenario: the simulation of the one before is
    // cancelled, never shown.
    for _ in 0..6 {
        harness.key_press(egui::Key::ArrowLeft);
        harness.run_steps(1);
    }
    let asked = harness.state().scenario().changes().to_vec();
    let mut frames = 0;
    while harness.state().scenario().preview().is_none() {
        assert!(frames < 1500, "the lists after the drag never came");
        harness.run_steps(1);
        std::thread::sleep(std::time::Duration::from_millis(10));
        frames += 1;
    }
    let scenario = harness.state().scenario();
    assert_eq!(
        scenario.preview().expect("lists").changes,
        asked,
        "the last weight's lists"
    );
    assert!(
        scenario.outcome().is_none() && scenario.is_running(),
        "the audit follows the lists, it does not hold them back"
    );
    // The frame that took the lists in shows them, and says the audit is coming.
    harness.get_by_label("Effect on the whole shop");
    harness
        .get_all_by_label_contains("Checking the ethics audit")
        .next()
        .expect("the window says the audit is on its way");
    settle(&mut harness, |app| app.scenario().outcome().is_some());
    assert_eq!(
        harness
            .state()
            .scenario()
            .outcome()
            .expect("outcome")
            .preview
            .changes,
        asked
    );
    harness.get_by_label("Ethics audit before and after");
    assert!(
        harness
            .query_all_by_label_contains("Checking the ethics audit")
            .next()
            .is_none()
    );
}

#[test]
fn the_scenarios_effect_on_a_customer_shows_scores_only_with_details() {
    let (_dir, mut harness) = harness();
    harness.run_steps(2);
    harness.get_by_label("Priya Shah").click();
    harness.run_steps(2);
    harness
        .get_by_label("Simulate: grant \"Personalized recommendations\"")
        .click();
    settle(&mut harness, |app| app.scenario().outcome().is_some());
    harness.run_steps(3);
    harness.get_by_label("The list becomes personalized.");
    assert!(
        harness
            .query_all_by_label_contains(": score ")
            .next()
            .is_none(),
        "staff see the lists, not the scores"
    );
    harness.get_by_label("Details").click();
    harness.run_steps(3);
    harness
        .get_all_by_label_contains(": score ")
        .next()
        .expect("with Details on, the scores behind the change");
}

/// The window on a fresh sample shop at `size`, showing Amelia Hart's page with a
/// scenario open (her birthday offers withdrawn, simulated).
fn amelia_with_a_scenario_at(size: egui::Vec2) -> (tempfile::TempDir, Harness<'static, CandorApp>) {
    let (dir, path) = common::sample_file();
    let loaded = candor::ui::load_blocking(&path, common::sample_day()).expect("loads");
    let app = CandorApp::with_shop(loaded, common::sample_day());
    let mut harness = Harness::builder()
        .with_size(size)
        .build_ui_state(|ui, app: &mut CandorApp| app.show(ui), app);
    harness.run_steps(2);
    harness.get_by_label("Customers").click();
    harness.run_steps(2);
    harness.get_by_label("Amelia Hart").click();
    harness.run_steps(2);
    harness
        .get_by_label("Simulate: withdraw \"Birthday offers\"")
        .click();
    settle(&mut harness, |app| app.scenario().outcome().is_some());
    (dir, harness)
}

#[test]
fn the_customer_page_the_why_view_and_the_scenario_all_fit_at_both_window_sizes() {
    for size in [egui::vec2(1024.0, 640.0), egui::vec2(1440.0, 900.0)] {
        let (_dir, harness) = amelia_with_a_scenario_at(size);
        let window = egui::Rect::from_min_size(egui::Pos2::ZERO, size);
        let rect_of = |label: &str| {
            let node = harness
                .query_all_by_label_contains(label)
                .next()
                .unwrap_or_else(|| panic!("{label:?} is shown at {size:?}"));
            node.rect()
        };
        let why = rect_of("Why? ");
        let sentence = rect_of("Recommended because");
        let details = harness.get_by_label("Details").rect();
        let scenario = rect_of("Scenario");
        for (what, r) in [
            ("the Why? heading", why),
            ("the sentence to read out", sentence),
            ("the Details switch", details),
            ("the scenario", scenario),
        ] {
            assert!(
                window.contains_rect(r),
                "{what} lies inside the {size:?} window: {r:?}"
            );
        }
        assert!(
            sentence.width() >= 300.0,
            "the customer page keeps room to read at {size:?}: {sentence:?}"
        );
        assert!(
            !sentence.intersects(scenario) && !why.intersects(scenario),
            "the scenario does not cover the customer page at {size:?}"
        );
    }
}

#[test]
fn the_customer_list_takes_its_width_back_when_the_scenario_closes() {
    let (_dir, mut harness) = amelia_with_a_scenario_at(egui::vec2(1440.0, 900.0));
    assert!(
        harness.query_all_by_label("Email").next().is_none(),
        "beside a scenario the list is narrow and leaves the email column out"
    );
    harness.get_by_label("Discard all").click();
    harness.run_steps(4);
    harness
        .get_all_by_label("Email")
        .next()
        .expect("the list is wide again, with its email column");
}

#[test]
fn the_customer_list_widens_when_the_window_grows() {
    let (_dir, path) = common::sample_file();
    let loaded = candor::ui::load_blocking(&path, common::sample_day()).expect("loads");
    let app = CandorApp::with_shop(loaded, common::sample_day());
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1024.0, 640.0))
        .build_ui_state(|ui, app: &mut CandorApp| app.show(ui), app);
    harness.run_steps(2);
    harness.get_by_label("Customers").click();
    harness.run_steps(3);
    assert!(
        harness.query_all_by_label("Email").next().is_none(),
        "narrow at 1024 pixels"
    );
    harness.set_size(egui::vec2(1440.0, 900.0));
    harness.run_steps(4);
    harness
        .get_all_by_label("Email")
        .next()
        .expect("at 1440 pixels the list takes its full width, email column and all");
}

#[test]
fn a_narrow_window_with_a_scenario_shows_the_list_or_the_page_and_switches_between_them() {
    let (_dir, mut harness) = amelia_with_a_scenario_at(egui::vec2(1024.0, 640.0));
    assert!(
        harness.query_by_label("Priya Shah").is_none(),
        "the page fills the view"
    );
    harness.get_by_label("< All customers").click();
    harness.run_steps(3);
    harness.get_by_label("Priya Shah").click();
    harness.run_steps(3);
    let page = harness.state().customer_page().expect("a page is shown");
    assert_eq!(
        page.customer_id(),
        2,
        "choosing a customer shows their page"
    );
    assert!(harness.query_by_label("Amelia Hart").is_none());
    harness.get_by_label("< All customers").click();
    harness.run_steps(3);
    harness.get_by_label("Back to the customer's page").click();
    harness.run_steps(3);
    harness.get_by_label("< All customers");
    // Wide enough, the list stays beside the page.
    let (_dir, harness) = amelia_with_a_scenario_at(egui::vec2(1440.0, 900.0));
    assert!(harness.query_by_label("< All customers").is_none());
    harness.get_by_label("Priya Shah");
}

#[test]
fn the_rules_view_beside_a_lesson_and_a_scenario_wraps_its_words_at_1024_by_640() {
    let size = egui::vec2(1024.0, 640.0);
    let (_dir, path) = common::sample_file();
    let loaded = candor::ui::load_blocking(&path, common::sample_day()).expect("loads");
    let app = CandorApp::with_shop(loaded, common::sample_day());
    let mut harness = Harness::builder()
        .with_size(size)
        .build_ui_state(|ui, app: &mut CandorApp| app.show(ui), app);
    harness.run_steps(2);
    harness
        .state_mut()
        .start_lesson(candor::lessons::Lesson::bundled().remove(1));
    harness.run_steps(3);
    harness
        .get_by_label("Premium picks for over-40s: on")
        .click();
    settle(&mut harness, |app| app.scenario().outcome().is_some());
    let scenario = harness.get_by_label("Scenario").rect();
    let discard = harness.get_by_label("Discard all").rect();
    assert!(
        discard.max.x <= size.x,
        "\"Discard all\" is inside the window: {discard:?}"
    );
    for words in [
        "it adds 1.5 to premium products",
        "Needs consent to \"Personalized recommendations\" · reads the customer's birth date",
        "it adds 1.2 to products tagged \"new\"",
        "Needs consent to \"Birthday offers\" · reads the customer's birth date",
        "Weight of Premium picks for over-40s",
        "Edit Premium picks for over-40s",
        "Tells the customer",
    ] {
        for node in harness.query_all_by_label_contains(words) {
            let r = node.rect();
            assert!(
                r.max.x <= scenario.min.x + 1.0,
                "{words:?} at {r:?} ends before the scenario {scenario:?}"
            );
        }
    }
}

#[test]
fn each_rules_controls_sit_right_under_its_words_at_1024_by_640_and_1440_by_900() {
    for size in [egui::vec2(1024.0, 640.0), egui::vec2(1440.0, 900.0)] {
        let (_dir, path) = common::sample_file();
        let loaded = candor::ui::load_blocking(&path, common::sample_day()).expect("loads");
        let app = CandorApp::with_shop(loaded, common::sample_day());
        let mut harness = Harness::builder()
            .with_size(size)
            .build_ui_state(|ui, app: &mut CandorApp| app.show(ui), app);
        harness.run_steps(2);
        harness.get_by_label("Rules").click();
        harness.run_steps(3);
        // The first rule's reach, then its switch: one line apart, not half a window.
        let reach = harness
            .get_all_by_label("Runs for 123 of 200 customers today.")
            .next()
            .expect("the first rule's reach")
            .rect();
        let switch = harness.get_by_label("More of what you like: on").rect();
        assert!(
            switch.min.y > reach.max.y && switch.min.y - reach.max.y < 30.0,
            "at {size:?} the switch {switch:?} is right under the reach {reach:?}"
        );
        let second = harness.get_by_label("Buy it again: on").rect();
        assert!(
            second.max.y < size.y,
            "at {size:?} the second rule's switch {second:?} is on screen"
        );
    }
}

#[test]
fn an_undo_that_would_overwrite_a_later_correction_is_refused_saying_why() {
    use candor::engine::changes::Change;
    use candor::store::{Attribution, Store};
    let (_dir, path) = common::sample_file();
    let (mut store, _) = Store::open(&path).expect("opens");
    for (minute, number) in [(0, "07700 900111"), (1, "07700 900222")] {
        let phone = Change::CustomerField {
            customer: 1,
            field: "phone".to_owned(),
            value: Some(number.to_owned()),
            source: None,
        };
        let who = Attribution {
            at: format!("2026-06-15T10:0{minute}:00Z"),
            ..Attribution::now("Sam", "the customer gave a new number")
        };
        store
            .apply(None, &[phone], &who, None, None)
            .expect("applies");
    }
    drop(store);
    let mut harness = common::window::window_on(&path);
    harness.get_by_label("Audit log").click();
    harness.run_steps(2);
    harness.get_by_label("Undo entry 1").click();
    harness.run_steps(2);
    assert!(
        harness.state().scenario().is_empty(),
        "nothing is simulated: the undo would give back the number before both"
    );
    harness.run_steps(3);
    harness
        .get_all_by_label_contains(
            "entry 1 cannot be undone: Amelia Hart's phone number was changed again by entry 2, which stands",
        )
        .next()
        .expect("the window says why");
    harness.get_by_label("OK").click();
    harness.run_steps(2);
    harness.get_by_label("Undo entry 2").click();
    simulate_then_apply_undo(&mut harness, 2);
    settle(&mut harness, |app| {
        !app.is_applying() && app.log_entries().len() == 3
    });
    let phone = |app: &CandorApp| {
        app.shop().expect("shop").index.shop().customers[0]
            .phone
            .clone()
    };
    assert_eq!(phone(harness.state()).as_deref(), Some("07700 900111"));
}

/// Deleting one birth date that takes "65 and over" below the size the audit compares:
/// the scenario's audit figures say they are not like for like, naming the group, rather
/// than showing the age-band ratios as fairer.
#[test]
fn a_group_leaving_the_comparison_is_named_in_the_scenario_audit() {
    let (_dir, path) = common::sample_file();
    let conn = rusqlite::Connection::open(&path).expect("opens");
    // Three of the 33 customers aged 65 and over without a birth date leave 30: one more
    // deletion takes the group below the 30 the audit compares.
    conn.execute(
        "UPDATE customers SET birth_date = NULL WHERE id IN (13, 16, 17)",
        [],
    )
    .expect("edits");
    drop(conn);
    let mut harness = common::window::window_on(&path);
    harness.get_by_label("Customers").click();
    harness.run_steps(2);
    harness.get_by_label("Lily Khan").click();
    harness.run_steps(2);
    harness.get_by_label("Data held").click();
    harness.run_steps(2);
    harness.get_by_label("Delete birth date").click();
    settle(&mut harness, |app| app.scenario().outcome().is_some());
    harness.get_by_label("Not like for like:");
    harness
        .get_all_by_label_contains("By age band, “65 and over” is no longer compared")
        .next()
        .expect("the note names the group that left the comparison");
    assert!(
        harness
            .get_all_by_label("Not like for like: see below")
            .count()
            >= 2,
        "each age-band figure that moves is marked"
    );
}
