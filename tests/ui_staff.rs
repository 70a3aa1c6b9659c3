//! Who is acting, in a shop that keeps a staff list: staff pick their name from it (a name
//! typed freely is not offered), add their own name once (logged), and a name not on the
//! list is refused on the command line, listing the names.

mod common;

use common::window::{settle, type_into, window_on};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

#[test]
fn staff_pick_their_name_from_the_list_or_add_it_first() {
    let (_dir, path) = common::sample_file();
    let (mut store, _) = candor::store::Store::open(&path).expect("opens");
    store.add_staff_name("Kim", "new starter").expect("added");
    drop(store);
    let mut h = window_on(&path);
    h.get_by_label("Customers").click();
    h.run_steps(2);
    h.get_by_label("Grace Lin").click();
    h.run_steps(2);
    h.get_by_label("Data held").click();
    h.run_steps(2);
    h.get_by_label("Reveal personal data…").click();
    h.run_steps(3);
    h.get_by_role_and_label(Role::ComboBox, "Who is looking?");
    assert!(
        h.query_by_role_and_label(Role::TextInput, "Who is looking?")
            .is_none(),
        "no free-text name where the shop keeps a list"
    );
    type_into(&mut h, Role::TextInput, "Not on the list?", "Priya");
    h.get_by_label("Add my name").click();
    h.run_steps(2);
    settle(&mut h, |app| !app.is_reading_log());
    let names = &h.state().shop().expect("open").log.staff_names;
    assert_eq!(names, &["Kim".to_owned(), "Priya".to_owned()]);
    let added = h.state().log_entries().last().expect("an entry").clone();
    assert_eq!(added.actor, "Priya");
    type_into(
        &mut h,
        Role::MultilineTextInput,
        "Why? (kept in the audit log)",
        "Grace asked us to read back her phone number",
    );
    h.get_by_label("Reveal").click();
    h.run_steps(1);
    settle(&mut h, |app| !app.is_reading_log());
    let entry = h.state().log_entries().last().expect("the reveal").clone();
    assert_eq!(
        entry.event.as_ref().map(|e| e.kind.as_str()),
        Some("reveal"),
        "the reveal was recorded after the name was added"
    );
    assert_eq!(entry.actor, "Priya", "the name added is the one acting");
}

#[test]
fn the_command_line_refuses_a_name_not_on_the_list_and_lists_the_names() {
    let (dir, path) = common::sample_file();
    let db = path.to_str().expect("utf-8");
    let candor = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_candor"))
            .args(args)
            .env("CANDOR_DATA_DIR", dir.path().join("data"))
            .env_remove("CANDOR_OWNER_PASSPHRASE")
            .output()
            .expect("runs")
    };
    let out = candor(&["staff", "--db", db, "--add", "Kim"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Staff: Kim."));
    let changes = dir.path().join("w.json");
    std::fs::write(
        &changes,
        r#"{"changes":[{"kind":"consent","customer":1,"purpose":"personalization","granted":false}]}"#,
    )
    .expect("written");
    let changes = changes.to_str().expect("utf-8");
    let apply = |actor: &str| {
        candor(&[
            "apply",
            "--db",
            db,
            "--changes",
            changes,
            "--actor",
            actor,
            "--reason",
            "she rang",
        ])
    };
    let out = apply("Bob");
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("\u{201c}Bob\u{201d} is not on this shop's staff list (Kim)"),
        "{said}"
    );
    assert!(apply("Kim").status.success());
}

#[test]
fn staff_importing_into_a_shop_with_a_list_choose_their_name_from_it() {
    let (dir, path) = common::sample_file();
    let (mut store, _) = candor::store::Store::open(&path).expect("opens");
    store.add_staff_name("Kim", "new starter").expect("added");
    drop(store);
    let orders = dir.path().join("orders_export.csv");
    std::fs::write(
        &orders,
        "Name,Email,Accepts Marketing,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name\n\
         #1,new.person@example.com,yes,2026-06-01 10:00:00 +0100,2,Oat milk,1.50,OM1,New Person\n",
    )
    .expect("writes");
    let mut h = window_on(&path);
    h.state_mut().start_import(path.clone(), vec![orders]);
    h.run_steps(3);
    h.get_by_role_and_label(Role::ComboBox, "Your name");
    h.get_by_label_contains("Choose your name from the staff list");
    assert_eq!(
        h.state().import_dialog().expect("open").staff_names,
        ["Kim".to_owned()]
    );
}

#[test]
fn only_the_owner_takes_a_name_off_the_list_and_never_the_last() {
    let (dir, path) = common::sample_file();
    let db = path.to_str().expect("utf-8");
    let candor = |args: &[&str], passphrase: Option<&str>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_candor"));
        cmd.args(args)
            .env("CANDOR_DATA_DIR", dir.path().join("data"))
            .env_remove("CANDOR_OWNER_PASSPHRASE");
        if let Some(p) = passphrase {
            cmd.env("CANDOR_OWNER_PASSPHRASE", p);
        }
        let out = cmd.output().expect("runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    let owner = Some(common::OWNER_PASSPHRASE);
    assert!(candor(&["owner", "--db", db, "set"], owner).0);
    for name in ["Kim", "Sam"] {
        assert!(candor(&["staff", "--db", db, "--add", name], None).0);
    }
    let (ok, text) = candor(&["staff", "--db", db, "--remove", "Kim"], None);
    assert!(
        !ok && text.contains("needs the owner's passphrase"),
        "{text}"
    );
    let (ok, text) = candor(&["staff", "--db", db, "--remove", "Kim"], owner);
    assert!(
        ok && text.contains("Took Kim off the staff list") && text.contains("Staff: Sam."),
        "{text}"
    );
    let (ok, text) = candor(&["staff", "--db", db, "--remove", "Sam"], owner);
    assert!(
        !ok && text.contains("is the last name on the staff list"),
        "{text}"
    );
    let (ok, text) = candor(&["log", "--db", db, "--verify"], None);
    assert!(ok && text.contains("intact"), "{text}");
}
