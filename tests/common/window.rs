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
    harness.get_by_label("Staff · switch to owner…").click();
    harness.run_steps(2);
    use egui::accesskit::Role;
    for (role, label, text) in [
        (Role::TextInput, "Your name", "Sam (owner)"),
        (
            Role::PasswordInput,
            "Owner's passphrase",
            "correct horse battery",
        ),
        (
            Role::PasswordInput,
            "Repeat the passphrase",
            "correct horse battery",
        ),
    ] {
        type_into(harness, role, label, text);
    }
    harness.get_by_label("Switch to owner").click();
    harness.run_steps(1);
    settle(harness, |app| !app.is_checking_owner());
    harness.run_steps(2);
    assert_eq!(harness.state().role(), candor::access::Role::Owner);
}
