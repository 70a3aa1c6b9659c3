//! Where no file dialog can open (no desktop file-chooser service), the window says so and
//! asks for the path in a field of its own; the path given is used as the dialog's answer.

mod common;

use common::window::{sample_window, settle, type_into};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

#[test]
fn without_a_file_dialog_the_window_asks_for_the_path_and_opens_it() {
    let (_dir, mut h) = sample_window();
    let (_other_dir, other) = common::sample_file();
    h.state_mut().set_file_picker(Box::new(|_| {
        candor::ui::report_no_dialog();
        None
    }));
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Open…  (Ctrl+O)").click();
    h.run_steps(3);
    assert_eq!(h.state().asking_path_for(), Some("Open a Candor shop"));
    h.get_by_label_contains("No file dialog could open on this computer");

    type_into(
        &mut h,
        Role::TextInput,
        "Path of the file",
        "/no/such/shop.candor",
    );
    h.get_by_label("Use this path").click();
    h.run_steps(2);
    h.get_by_label("There is no file at that path.");

    h.get_by_role_and_label(Role::TextInput, "Path of the file")
        .focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_role_and_label(Role::TextInput, "Path of the file")
        .type_text(other.to_str().expect("utf-8"));
    h.run_steps(1);
    h.get_by_label("Use this path").click();
    h.run_steps(2);
    settle(&mut h, |app| app.shop().is_some_and(|s| s.path == other));
    assert!(h.state().asking_path_for().is_none());
}

#[test]
fn a_cancelled_dialog_is_not_taken_for_a_missing_one() {
    let (_dir, mut h) = sample_window();
    h.state_mut().set_file_picker(Box::new(|_| None));
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Open…  (Ctrl+O)").click();
    h.run_steps(3);
    assert_eq!(h.state().asking_path_for(), None);
}

#[test]
fn a_typed_path_must_be_whole_and_a_file_there_is_replaced_only_when_asked_twice() {
    let (dir, mut h) = sample_window();
    h.state_mut().set_file_picker(Box::new(|_| {
        candor::ui::report_no_dialog();
        None
    }));
    let existing = dir.path().join("log.csv");
    std::fs::write(&existing, "old").expect("written");
    h.get_by_label("Audit log").click();
    h.run_steps(2);
    h.get_by_label("Export CSV…").click();
    h.run_steps(3);
    assert!(h.state().asking_path_for().is_some(), "the field stands in");
    let field = |h: &mut Harness<'static, candor::ui::CandorApp>, text: &str| {
        h.get_by_role_and_label(Role::TextInput, "Path of the file to write")
            .focus();
        h.run_steps(1);
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        h.get_by_role_and_label(Role::TextInput, "Path of the file to write")
            .type_text(text);
        h.run_steps(1);
    };
    field(&mut h, "log.csv");
    h.get_by_label("Use this path").click();
    h.run_steps(2);
    h.get_by_label_contains("Type the whole path");
    field(&mut h, existing.to_str().expect("utf-8"));
    h.get_by_label("Use this path").click();
    h.run_steps(2);
    h.get_by_label_contains("A file is already there");
    assert_eq!(std::fs::read_to_string(&existing).expect("reads"), "old");
    h.get_by_label("Use this path").click();
    h.run_steps(2);
    settle(&mut h, |app| {
        app.asking_path_for().is_none() && !app.is_exporting()
    });
    let written = std::fs::read_to_string(&existing).expect("reads");
    assert!(
        written.starts_with("entry,"),
        "replaced by the log: {written}"
    );
}
