//! Protecting a shop with a password in the window (the owner, from the File menu, told
//! that a forgotten password cannot be recovered), and opening a protected shop: the window
//! asks for the password, says when one does not open it, and opens with the right one.

mod common;

use common::window::{become_owner, sample_window, settle, type_into};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

type Window = Harness<'static, candor::ui::CandorApp>;

fn press(h: &mut Window, label: &str) {
    h.get_by_label(label).click();
    h.run_steps(2);
}

#[test]
fn the_owner_protects_the_shop_from_the_file_menu_and_staff_cannot() {
    let (_dir, mut h) = sample_window();
    press(&mut h, "File");
    assert!(
        h.get_by_label("Protect this shop with a password…")
            .accesskit_node()
            .is_disabled(),
        "greyed for staff"
    );
    press(&mut h, "File");
    become_owner(&mut h);
    press(&mut h, "File");
    press(&mut h, "Protect this shop with a password…");
    h.run_steps(2);
    h.get_by_label_contains("There is no way to recover a forgotten shop password");
    type_into(
        &mut h,
        Role::PasswordInput,
        "Shop password",
        "lemon drizzle on fridays",
    );
    type_into(
        &mut h,
        Role::PasswordInput,
        "Repeat the password",
        "lemon drizzle on fridays",
    );
    press(&mut h, "Protect the shop");
    settle(&mut h, |app| !app.is_applying() && app.notice().is_some());
    let notice = h.state().notice().unwrap_or_default().to_owned();
    assert!(
        notice.contains("is now protected with the password"),
        "{notice}"
    );
    let shop = h.state().shop().expect("open");
    assert!(
        shop.log.records.file_protected,
        "the window knows the shop is protected"
    );
    let path = shop.path.clone();
    assert!(candor::store::is_protected(&path).expect("reads"));
    assert!(!common::file_holds(&path, "Amelia Hart"));
    press(&mut h, "File");
    press(&mut h, "Change the shop's password…");
    h.run_steps(2);
    press(&mut h, "Take the protection off");
    settle(&mut h, |app| {
        !app.is_applying()
            && app
                .notice()
                .is_some_and(|n| n.contains("is no longer protected"))
    });
    assert!(!candor::store::is_protected(&path).expect("reads"));
    assert!(!h.state().shop().expect("open").log.records.file_protected);
}

#[test]
fn opening_a_protected_shop_asks_for_its_password_and_refuses_a_wrong_one() {
    let (_dir, path) = common::owned_sample_file();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(["protect", "--db", path.to_str().expect("utf-8")])
        .env("CANDOR_OWNER_PASSPHRASE", common::OWNER_PASSPHRASE)
        .env("CANDOR_SHOP_PASSWORD", "carrot cake at the counter")
        .env_remove("CANDOR_SHOP_NEW_PASSWORD")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (_other, mut h) = sample_window();
    let ctx = h.ctx.clone();
    h.state_mut().open(path.clone(), &ctx);
    settle(&mut h, |app| app.asking_password_for().is_some());
    h.get_by_label("This shop is protected with a password");
    type_into(
        &mut h,
        Role::PasswordInput,
        "Shop password",
        "not my password at all",
    );
    press(&mut h, "Open");
    settle(&mut h, |app| app.asking_password_for().is_some());
    h.get_by_label_contains("That password does not open this shop");
    type_into(
        &mut h,
        Role::PasswordInput,
        "Shop password",
        "carrot cake at the counter",
    );
    press(&mut h, "Open");
    settle(&mut h, |app| app.shop().is_some_and(|s| s.path == path));
    assert!(h.state().shop().expect("open").log.records.file_protected);
    assert!(h.state().asking_password_for().is_none());
}
