//! Driving the window in tests as a person would: the sample shop in a harness, typing
//! into labelled inputs, switching to the owner, waiting for worker threads.
#![allow(dead_code)] // each test binary compiles this module; not all use every helper

use candor::ui::{CandorApp, load_blocking};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The window on a fresh copy of the sample shop, as it opens (on the scorecard).
pub fn sample_window() -> (tempfile::TempDir, Harness<'static, CandorApp>) {
    let (dir, path) = super::sample_file();
    (dir, window_on(&path))
}

/// The window on the shop at `path`, as it opens (on the scorecard).
pub fn window_on(path: &std::path::Path) -> Harness<'static, CandorApp> {
    let loaded = load_blocking(path, super::sample_day()).expect("the shop loads");
    let app = CandorApp::with_shop(loaded, super::sample_day());
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut CandorApp| app.show(ui), app);
    harness.run_steps(2);
    harness
}

/// Steps the UI until `done` holds (background work finishes on other threads), for up
/// to half a minute: a busy two-core machine runs the test's siblings at the same time.
pub fn settle(harness: &mut Harness<'static, CandorApp>, done: impl Fn(&CandorApp) -> bool) {
    for _ in 0..1500 {
        harness.run_steps(1);
        if done(harness.state()) {
            // A finished job changes what is shown: let the layout settle, as the eye
            // does, before the next click is aimed.
            harness.run_steps(3);
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let app = harness.state();
    panic!(
        "the window did not settle: simulated {}, applying {}, log {}, error {:?}",
        app.scenario().outcome().is_some(),
        app.is_applying(),
        app.log_entries().len(),
        app.error()
    );
}

/// Types `text` into the input of `role` labelled `label`, as a person would: focus it,
/// then type.
pub fn type_into(
    harness: &mut Harness<'static, CandorApp>,
    role: egui::accesskit::Role,
    label: &str,
    text: &str,
) {
    harness.get_by_role_and_label(role, label).focus();
    harness.run_steps(1);
    harness.get_by_role_and_label(role, label).type_text(text);
    harness.run_steps(1);
}

/// Switches to the owner role through the window, setting the passphrase on first use.
pub fn become_owner(harness: &mut Harness<'static, CandorApp>) {
    use egui::accesskit::Role;
    // A shop without an owner sets one up first (and shows the recovery code once).
    let set_up = harness
        .query_by_label("Staff · set up the owner…")
        .is_some();
    if set_up {
        harness.get_by_label("Staff · set up the owner…").click();
    } else {
        harness.get_by_label("Staff · switch to owner…").click();
    }
    harness.run_steps(2);
    type_into(harness, Role::TextInput, "Your name", "Sam (owner)");
    type_into(
        harness,
        Role::PasswordInput,
        "Owner's passphrase",
        "correct horse battery",
    );
    if set_up {
        type_into(
            harness,
            Role::PasswordInput,
            "Repeat the passphrase",
            "correct horse battery",
        );
        harness.get_by_label("Set up the owner").click();
    } else {
        harness.get_by_label("Switch to owner").click();
    }
    harness.run_steps(1);
    settle(harness, |app| !app.is_checking_owner());
    harness.run_steps(2);
    if set_up {
        assert!(harness.state().owner_recovery_code().is_some());
        harness.get_by_label("I have kept the code").click();
        harness.run_steps(2);
        // The log is read again; once it is, the "no owner yet" banner goes.
        settle(harness, |app| {
            app.shop()
                .is_some_and(|s| s.log.records.owner_passphrase_set)
        });
    }
    assert_eq!(harness.state().role(), candor::access::Role::Owner);
}

/// Answers the who-and-why dialog (waiting the frames it takes to open) and presses
/// `button`.
pub fn answer_who_why(harness: &mut Harness<'static, CandorApp>, button: &str) {
    // The dialog opens after the frame that asked for it.
    for _ in 0..10 {
        if harness.query_by_label("Who is applying this?").is_some() {
            break;
        }
        harness.run_steps(1);
    }
    type_into(
        harness,
        egui::accesskit::Role::TextInput,
        "Who is applying this?",
        "Sam (owner)",
    );
    harness.run_steps(1);
    type_into(
        harness,
        egui::accesskit::Role::MultilineTextInput,
        "Why? (kept in the audit log)",
        "Age should not steer premium offers",
    );
    harness.run_steps(2);
    harness.get_by_label(button).click();
    harness.run_steps(2);
}
