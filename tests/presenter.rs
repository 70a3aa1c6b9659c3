//! Presenter mode: larger text, high contrast, and no customer's name, email or phone
//! anywhere in the window, not even in free text such as audit-log reasons and consent
//! words; and nothing can be changed while it is on.

mod common;

use candor::engine::changes::Change;
use candor::engine::pseudonym::pseudonymize;
use candor::store::{Attribution, Store};
use candor::ui::{CandorApp, Tab, load_blocking};
use common::window::settle;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable, by};

/// Every label and value in the window's accessibility tree.
fn all_text(harness: &Harness<'static, CandorApp>) -> Vec<String> {
    harness
        .query_all(by())
        .flat_map(|n| {
            let node = n.accesskit_node();
            [node.label(), node.value()]
        })
        .flatten()
        .collect()
}

/// Customers' names (whole and first names), emails and phones.
fn personal_values(shop: &candor::engine::Shop) -> Vec<String> {
    let mut values = Vec::new();
    for c in shop.customers.iter() {
        if let Some(name) = &c.name {
            values.push(name.clone());
            values.extend(
                name.split_whitespace()
                    .next()
                    .filter(|f| f.len() >= 4)
                    .map(str::to_owned),
            );
        }
        values.extend(c.email.clone());
        values.extend(c.phone.clone());
    }
    values
}

fn assert_nothing_personal(harness: &Harness<'static, CandorApp>, values: &[String], place: &str) {
    let text = all_text(harness);
    assert!(!text.is_empty());
    for t in &text {
        for v in values {
            assert!(!t.contains(v.as_str()), "{place}: \"{t}\" shows \"{v}\"");
        }
    }
}

#[test]
fn presenter_mode_shows_no_customer_name_email_or_phone() {
    let (_dir, path) = common::sample_file();
    let real = Store::open_for_reading(&path)
        .expect("opens")
        .0
        .load()
        .expect("loads");
    let amelia = real
        .customers
        .iter()
        .find(|c| c.id == 1)
        .expect("Amelia")
        .clone();
    // Free text that names her: a consent decision in her own words, and a log reason.
    let (mut store, _) = Store::open(&path).expect("opens");
    store
        .apply(
            None,
            &[Change::Consent {
                customer: 1,
                purpose: "email_offers".into(),
                granted: false,
                method: Some("by phone".into()),
                words: Some(format!(
                    "{} said: stop emailing {}",
                    amelia.name.clone().unwrap_or_default(),
                    amelia.email.clone().unwrap_or_default()
                )),
            }],
            &Attribution {
                actor: "Sam".into(),
                reason: format!(
                    "Amelia phoned from {}",
                    amelia.phone.clone().unwrap_or_default()
                ),
                at: "2026-06-15T10:00:00+00:00".into(),
            },
            None,
            None,
        )
        .expect("applies");
    drop(store);

    let loaded = load_blocking(&path, common::sample_day()).expect("loads");
    let app = CandorApp::with_shop(loaded, common::sample_day());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut CandorApp| app.show(ui), app);
    h.run_steps(2);
    let values = personal_values(&real);

    h.key_press(egui::Key::F11);
    settle(&mut h, CandorApp::is_presenting);
    h.run_steps(3);
    assert!(h.ctx.zoom_factor() > 1.0, "larger text");
    assert_eq!(
        h.ctx.global_style().visuals.panel_fill,
        egui::Color32::BLACK,
        "high contrast"
    );
    assert_nothing_personal(&h, &values, "scorecard");

    h.get_by_label("Customers").click();
    h.run_steps(3);
    assert_nothing_personal(&h, &values, "customers table");
    let pseudonym = pseudonymize(&real).0.customers[0]
        .name
        .clone()
        .expect("pseudonym");
    h.get_by_label(&pseudonym).click();
    h.run_steps(3);
    assert_eq!(
        h.state()
            .customer_page()
            .expect("page")
            .explanation()
            .customer,
        1
    );
    assert_nothing_personal(&h, &values, "Amelia's recommendations");
    h.get_by_label("Data held").click();
    h.run_steps(3);
    assert_nothing_personal(&h, &values, "Amelia's data held and consent history");

    h.get_by_label("Ethics audit").click();
    h.run_steps(3);
    assert_nothing_personal(&h, &values, "ethics audit");
    h.get_by_label("Audit log").click();
    h.run_steps(3);
    assert!(
        all_text(&h).iter().any(|t| t.contains("phoned from")),
        "the log entry is shown"
    );
    assert_nothing_personal(&h, &values, "audit log");
    assert_eq!(h.state().tab(), Tab::Log);

    // A lesson's text names sample customers: presenter mode pseudonymizes it too.
    h.state_mut()
        .start_lesson(candor::lessons::Lesson::bundled().remove(0));
    h.run_steps(3);
    assert!(
        all_text(&h).iter().any(|t| t.contains(&pseudonym)),
        "the lesson names the pseudonym"
    );
    assert_nothing_personal(&h, &values, "a lesson");

    // Nothing can be changed while presenting.
    h.get_by_label("Customers").click();
    h.run_steps(3);
    // The buttons that would change or reveal something are greyed, saying why on hover.
    h.get_by_label("Export this customer's data…").click();
    h.run_steps(3);
    assert!(
        h.state().error().is_none(),
        "a greyed button does nothing, so nothing is refused"
    );
    h.get_by_label("Export this customer's data…").hover();
    h.run_steps(60);
    h.get_all_by_label_contains("Presenter mode shows pseudonyms and changes nothing")
        .next()
        .expect("the hover says why");
}

#[test]
fn leaving_presenter_mode_shows_the_real_shop_again() {
    let (_dir, mut h) = common::window::sample_window();
    h.key_press(egui::Key::F11);
    settle(&mut h, CandorApp::is_presenting);
    h.key_press(egui::Key::F11);
    settle(&mut h, |app| !app.is_presenting() && app.shop().is_some());
    h.run_steps(3);
    assert!((h.ctx.zoom_factor() - 1.0).abs() < f32::EPSILON);
    h.get_by_label("Customers").click();
    h.run_steps(3);
    h.get_by_label("Amelia Hart");
}

#[test]
fn presenter_mode_waits_for_a_pending_scenario_to_be_settled() {
    let (_dir, mut h) = common::window::sample_window();
    h.get_by_label("Customers").click();
    h.run_steps(3);
    h.get_by_label("Amelia Hart").click();
    h.run_steps(3);
    h.get_by_label("Simulate: withdraw \"Personalized recommendations\"")
        .click();
    h.run_steps(3);
    h.key_press(egui::Key::F11);
    h.run_steps(5);
    assert!(!h.state().is_presenting(), "its results hold real names");
    assert!(
        h.state()
            .error()
            .is_some_and(|e| e.contains("pending scenario"))
    );
}
