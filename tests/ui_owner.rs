//! Setting up the shop's owner in the window, deliberately: the banner on a shop without
//! one, a weak passphrase refused, the recovery code shown once, and a forgotten
//! passphrase reset with that code.

mod common;

use candor::access::Role as ShopRole;
use common::window::{become_owner, sample_window, settle, type_into};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

type Window = Harness<'static, candor::ui::CandorApp>;

fn press(h: &mut Window, label: &str) {
    h.get_by_label(label).click();
    h.run_steps(2);
}

fn wait_for_the_check(h: &mut Window) {
    h.run_steps(1);
    settle(h, |app| !app.is_checking_owner());
    h.run_steps(2);
}

#[test]
fn a_shop_without_an_owner_says_so_and_sets_one_up_with_a_recovery_code() {
    let (_dir, mut h) = sample_window();
    h.get_by_label_contains("No owner is set up for this shop yet");
    press(&mut h, "Set up the owner…");
    h.get_by_label_contains("can tell it to you if it is forgotten");
    type_into(&mut h, Role::TextInput, "Your name", "Priya");
    type_into(
        &mut h,
        Role::PasswordInput,
        "Owner's passphrase",
        "aaaaaaaa",
    );
    type_into(
        &mut h,
        Role::PasswordInput,
        "Repeat the passphrase",
        "aaaaaaaa",
    );
    press(&mut h, "Set up the owner");
    wait_for_the_check(&mut h);
    h.get_by_label_contains("at least 12 characters long");
    assert_eq!(h.state().role(), ShopRole::Staff);
    assert!(h.state().owner_recovery_code().is_none());

    for label in ["Owner's passphrase", "Repeat the passphrase"] {
        type_into(&mut h, Role::PasswordInput, label, "tea cakes at four");
    }
    press(&mut h, "Set up the owner");
    wait_for_the_check(&mut h);
    let code = h
        .state()
        .owner_recovery_code()
        .expect("the code is shown")
        .to_owned();
    h.get_by_label(&code);
    h.get_by_label_contains("shown only this once");
    press(&mut h, "I have kept the code");
    settle(&mut h, |app| {
        app.shop()
            .is_some_and(|s| s.log.records.owner_passphrase_set)
    });
    assert_eq!(h.state().role(), ShopRole::Owner);
    assert!(
        h.query_by_label_contains("No owner is set up").is_none(),
        "the banner is gone once the owner is set up"
    );
    assert!(h.state().owner_recovery_code().is_none(), "shown once");

    // Back to staff, the passphrase forgotten: the recovery code resets it.
    press(&mut h, "Owner · back to staff");
    press(&mut h, "Staff · switch to owner…");
    press(&mut h, "Forgot the passphrase? Use the recovery code…");
    type_into(&mut h, Role::TextInput, "Your name", "Priya");
    type_into(
        &mut h,
        Role::TextInput,
        "Recovery code",
        &code.to_lowercase(),
    );
    for label in ["New passphrase", "Repeat the passphrase"] {
        type_into(&mut h, Role::PasswordInput, label, "scones with jam daily");
    }
    press(&mut h, "Reset the passphrase");
    wait_for_the_check(&mut h);
    let new_code = h
        .state()
        .owner_recovery_code()
        .expect("a new code is shown")
        .to_owned();
    assert_ne!(new_code, code);
    press(&mut h, "I have kept the code");
    assert_eq!(h.state().role(), ShopRole::Owner);
    h.get_by_label("Audit log").click();
    settle(&mut h, |app| {
        app.log_entries().iter().any(|e| {
            e.event
                .as_ref()
                .is_some_and(|ev| ev.kind == "owner_reset_with_code")
        })
    });
}

#[test]
fn not_now_puts_the_banner_off_and_the_menu_still_offers_the_set_up() {
    let (_dir, mut h) = sample_window();
    press(&mut h, "Not now");
    assert!(h.query_by_label_contains("No owner is set up").is_none());
    press(&mut h, "Staff · set up the owner…");
    h.get_by_label("Set up the shop's owner");
    press(&mut h, "Cancel");
    assert_eq!(h.state().role(), ShopRole::Staff);
}

#[test]
fn an_owner_set_up_once_is_asked_for_the_passphrase_next_time() {
    let (_dir, mut h) = sample_window();
    become_owner(&mut h);
    press(&mut h, "Owner · back to staff");
    press(&mut h, "Staff · switch to owner…");
    assert_eq!(
        h.get_all_by_label("Switch to owner").count(),
        2,
        "the heading and the button"
    );
    assert!(h.query_by_label("Repeat the passphrase").is_none());
}

#[test]
fn a_code_left_on_screen_does_not_make_anyone_owner_of_the_next_shop_opened() {
    let (dir, mut h) = sample_window();
    let other = dir.path().join("real-shop.candor");
    std::fs::copy(h.state().shop().expect("shop").path.clone(), &other).expect("copied");
    press(&mut h, "Set up the owner…");
    type_into(&mut h, Role::TextInput, "Your name", "Mallory");
    for label in ["Owner's passphrase", "Repeat the passphrase"] {
        type_into(&mut h, Role::PasswordInput, label, "my own training shop");
    }
    press(&mut h, "Set up the owner");
    wait_for_the_check(&mut h);
    assert!(h.state().owner_recovery_code().is_some());
    // The code is on screen; another shop is opened (dropped on the window).
    let ctx = h.ctx.clone();
    h.state_mut().open(other.clone(), &ctx);
    settle(&mut h, |app| app.shop().is_some_and(|s| s.path == other));
    assert!(
        h.query_by_label("I have kept the code").is_none(),
        "the dialog of the other shop is gone"
    );
    assert_eq!(h.state().role(), ShopRole::Staff);
}

#[test]
fn a_passphrase_removed_outside_candor_is_reset_from_the_banner_with_the_code() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = candor::store::Store::open(&path).expect("opens");
    let who = candor::store::Attribution::now("Priya", "setting up");
    let code = store
        .set_up_owner("tea cakes at four", &who)
        .expect("set up");
    drop(store);
    rusqlite::Connection::open(&path)
        .expect("opens")
        .execute(
            "DELETE FROM shop_settings WHERE key = 'owner_passphrase'",
            [],
        )
        .expect("deleted");
    let mut h = common::window::window_on(&path);
    h.get_by_label_contains("The owner's passphrase in this shop file was tampered with");
    press(&mut h, "Set up the owner…");
    press(&mut h, "Forgot the passphrase? Use the recovery code…");
    type_into(&mut h, Role::TextInput, "Your name", "Priya");
    type_into(&mut h, Role::TextInput, "Recovery code", &code);
    for label in ["New passphrase", "Repeat the passphrase"] {
        type_into(&mut h, Role::PasswordInput, label, "scones with jam daily");
    }
    press(&mut h, "Reset the passphrase");
    wait_for_the_check(&mut h);
    assert!(h.state().owner_recovery_code().is_some(), "a new code");
    press(&mut h, "I have kept the code");
    assert_eq!(h.state().role(), ShopRole::Owner);
}

#[test]
fn the_owner_exports_recommendations_for_email_and_staff_cannot() {
    let (dir, mut harness) = common::window::sample_window();
    harness.get_by_label("Customers").click();
    harness.run_steps(2);
    {
        use egui_kittest::kittest::NodeT;
        let button = harness.get_by_label("Export recommendations…");
        assert!(button.accesskit_node().is_disabled(), "greyed for staff");
    }
    common::window::become_owner(&mut harness);
    harness.run_steps(2);
    let out = dir.path().join("newsletter.csv");
    let answer = out.clone();
    harness
        .state_mut()
        .set_file_picker(Box::new(move |_| Some(vec![answer.clone()])));
    harness.get_by_label("Export recommendations…").click();
    harness.run_steps(3);
    harness.get_by_label_contains("Left out:");
    harness.get_by_label("Choose a file and export…").click();
    harness.run_steps(3);
    common::window::type_into(
        &mut harness,
        egui::accesskit::Role::MultilineTextInput,
        "Why? (kept in the audit log)",
        "May newsletter",
    );
    harness.run_steps(1);
    harness.get_by_label("Export now").click();
    common::window::settle(&mut harness, |app| {
        !app.is_exporting() && app.notice().is_some() && !app.is_reading_log()
    });
    let notice = harness.state().notice().unwrap_or_default().to_owned();
    assert!(notice.contains("newsletter.csv"), "{notice}");
    assert!(notice.contains("without agreement to"), "{notice}");
    let text = std::fs::read_to_string(&out).expect("written");
    assert!(text.starts_with("customer,email,first_name,"), "{text}");
    let entry = harness.state().log_entries().last().expect("logged");
    assert_eq!(
        entry.event.as_ref().map(|e| e.kind.as_str()),
        Some("recommendations_export")
    );
    assert_eq!(entry.reason, "May newsletter");
}

#[test]
fn the_owner_writes_a_breach_report_from_the_file_menu_and_staff_cannot() {
    use egui_kittest::kittest::NodeT;
    let (dir, mut h) = sample_window();
    press(&mut h, "File");
    assert!(
        h.get_by_label("A copy of this shop was lost or stolen…")
            .accesskit_node()
            .is_disabled(),
        "greyed for staff"
    );
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    become_owner(&mut h);
    h.run_steps(2);
    let folder = dir.path().join("breach");
    let answer = folder.clone();
    h.state_mut()
        .set_file_picker(Box::new(move |_| Some(vec![answer.clone()])));
    press(&mut h, "File");
    press(&mut h, "A copy of this shop was lost or stolen…");
    h.run_steps(3);
    h.get_by_label_contains("72 hours after you found out");
    assert!(
        h.get_by_label("Write the report")
            .accesskit_node()
            .is_disabled(),
        "nothing to write before saying what happened"
    );
    type_into(
        &mut h,
        Role::MultilineTextInput,
        "What happened",
        "A backup stick with the shop file was lost on the bus.",
    );
    press(&mut h, "Choose…");
    press(&mut h, "Write the report");
    settle(&mut h, |app| {
        !app.is_exporting() && app.notice().is_some() && !app.is_reading_log()
    });
    let notice = h.state().notice().unwrap_or_default().to_owned();
    assert!(
        notice.contains("Tell the supervisory authority by"),
        "{notice}"
    );
    for file in [
        "breach-report.html",
        "customers-to-notify.csv",
        "notice-to-customers.txt",
        "breach-report.json",
    ] {
        assert!(folder.join(file).exists(), "{file} written");
    }
    let entry = h.state().log_entries().last().expect("logged");
    assert_eq!(
        entry.event.as_ref().map(|e| e.kind.as_str()),
        Some("breach_report")
    );
}

#[test]
fn staff_back_up_from_the_file_menu_and_only_the_owner_restores() {
    use egui_kittest::kittest::NodeT;
    let (dir, mut h) = sample_window();
    let copy = dir.path().join("Monday.candor");
    let answer = copy.clone();
    h.state_mut()
        .set_file_picker(Box::new(move |_| Some(vec![answer.clone()])));
    press(&mut h, "File");
    assert!(
        h.get_by_label("Restore from a backup…")
            .accesskit_node()
            .is_disabled(),
        "greyed for staff"
    );
    press(&mut h, "Back up this shop…");
    settle(&mut h, |app| !app.is_exporting() && app.notice().is_some());
    let notice = h.state().notice().unwrap_or_default().to_owned();
    assert!(notice.contains("Backed up to"), "{notice}");
    assert!(copy.exists(), "the backup is written");

    // The owner switches the age rule off, then restores Monday's backup.
    become_owner(&mut h);
    let path = h.state().shop().expect("open").path.clone();
    let (mut store, _) = candor::store::Store::open(&path).expect("opens");
    let who = candor::store::Attribution::now("Sam (owner)", "trying without the age rule");
    let off = candor::engine::changes::Change::RuleEnabled {
        rule: "premium-for-40-plus".into(),
        enabled: false,
    };
    store
        .apply(None, &[off], &who, None, None)
        .expect("applies");
    drop(store);
    press(&mut h, "File");
    press(&mut h, "Restore from a backup…");
    h.run_steps(3);
    h.get_by_label_contains("Every change recorded after the backup was made is taken back");
    type_into(&mut h, Role::TextInput, "Who is restoring?", "Sam (owner)");
    type_into(
        &mut h,
        Role::MultilineTextInput,
        "Why? (kept in the audit log)",
        "back to Monday",
    );
    h.run_steps(2);
    press(&mut h, "Restore now");
    settle(&mut h, |app| !app.is_applying() && app.notice().is_some());
    let notice = h.state().notice().unwrap_or_default().to_owned();
    assert!(notice.contains("Restored from"), "{notice}");
    let shop = h.state().shop().expect("open");
    let rule = shop
        .index
        .shop()
        .rules
        .iter()
        .find(|r| r.id == "premium-for-40-plus");
    assert!(
        rule.expect("rule").enabled,
        "the rule is on again, as backed up"
    );
}

#[test]
fn after_switching_back_to_staff_the_owners_name_is_not_offered_as_who() {
    let (dir, mut h) = sample_window();
    become_owner(&mut h);
    assert_eq!(h.state().saved().actor(ShopRole::Owner), "Sam (owner)");
    press(&mut h, "Owner · back to staff");
    let out = dir.path().join("grace");
    let answer = out.clone();
    h.state_mut()
        .set_file_picker(Box::new(move |_| Some(vec![answer.clone()])));
    press(&mut h, "Customers");
    press(&mut h, "Grace Lin");
    press(&mut h, "Export this customer's data…");
    h.run_steps(2);
    let who = h.get_by_role_and_label(Role::TextInput, "Who is exporting this?");
    assert_eq!(who.value().as_deref(), Some(""), "not the owner's name");
    type_into(&mut h, Role::TextInput, "Who is exporting this?", "Jo");
    press(&mut h, "Export now");
    settle(&mut h, |app| {
        !app.is_exporting() && app.notice().is_some() && !app.is_reading_log()
    });
    let entry = h.state().log_entries().last().expect("logged");
    assert_eq!(entry.actor, "Jo");
    assert_eq!(h.state().saved().actor(ShopRole::Staff), "Jo");
    assert_eq!(h.state().saved().actor(ShopRole::Owner), "Sam (owner)");
}

#[test]
fn enter_after_the_passphrase_switches_to_owner() {
    let (_dir, path) = common::owned_sample_file();
    let mut h = common::window::window_on(&path);
    press(&mut h, "Staff · switch to owner…");
    type_into(&mut h, Role::TextInput, "Your name", "Sam (owner)");
    type_into(
        &mut h,
        Role::PasswordInput,
        "Owner's passphrase",
        common::OWNER_PASSPHRASE,
    );
    h.key_press(egui::Key::Enter);
    wait_for_the_check(&mut h);
    assert_eq!(h.state().role(), ShopRole::Owner);
}
