//! Each bundled lesson, followed in the window as a trainee would: the side panel opens
//! the right view, the task is done by clicking, the step's check notices, Next moves on.
//! Also: resetting the training shop.

mod common;

use candor::lessons::Lesson;
use candor::ui::{CandorApp, Tab};
use common::window::{become_owner, sample_window, settle};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

type Window = Harness<'static, CandorApp>;

/// Opens the bundled lesson whose title starts with `title` from the Lessons menu.
fn start(harness: &mut Window, title: &str) {
    harness.get_by_label("Lessons").click();
    harness.run_steps(2);
    let lesson = Lesson::bundled()
        .into_iter()
        .find(|l| l.title.starts_with(title))
        .expect("bundled lesson");
    harness.get_by_label(&lesson.title).click();
    harness.run_steps(3);
    let run = harness.state().lesson().expect("the lesson panel opened");
    assert_eq!(run.step(), 0);
    harness.get_by_label_contains("Step 1 of");
}

fn step(harness: &Window) -> usize {
    harness
        .state()
        .lesson()
        .map_or(usize::MAX, candor::ui::LessonRun::step)
}

/// Presses Next (or Finish), checking it was allowed: the step is done.
fn next(harness: &mut Window) {
    let before = step(harness);
    let button = if harness.query_by_label("Finish").is_some() {
        "Finish"
    } else {
        "Next"
    };
    harness.get_by_label(button).click();
    harness.run_steps(3);
    assert_eq!(
        step(harness),
        before + 1,
        "{button} moved on from step {}",
        before + 1
    );
}

/// Next must be refused until the task is done.
fn next_is_refused(harness: &mut Window) {
    let before = step(harness);
    harness.get_by_label("Waiting for you to do this.");
    harness.get_by_label("Next").click();
    harness.run_steps(2);
    assert_eq!(step(harness), before, "Next waits for the task");
}

fn click(harness: &mut Window, label: &str) {
    harness.get_by_label(label).click();
    harness.run_steps(3);
}

fn finish(harness: &mut Window) {
    assert!(
        harness
            .state()
            .lesson()
            .is_some_and(candor::ui::LessonRun::is_complete)
    );
    harness.get_by_label("Lesson complete.");
    click(harness, "Close the lesson");
    assert!(harness.state().lesson().is_none());
}

#[test]
fn lesson_why_did_i_get_this() {
    let (_dir, mut h) = sample_window();
    start(&mut h, "A customer asks: why");
    assert_eq!(
        h.state().tab(),
        Tab::Customers,
        "the lesson opened the customers view"
    );
    next_is_refused(&mut h);
    click(&mut h, "Amelia Hart");
    h.get_by_label("Done.");
    next(&mut h);
    let second = h
        .state()
        .customer_page()
        .expect("page")
        .explanation()
        .recommendations[1]
        .name
        .clone();
    h.get_all_by_label_contains(&format!("2. {second}"))
        .next()
        .expect("listed")
        .click();
    h.run_steps(3);
    next(&mut h);
    next(&mut h);
    next(&mut h);
    finish(&mut h);
}

#[test]
fn lesson_a_rule_that_steers_by_age() {
    let (_dir, mut h) = sample_window();
    start(&mut h, "A rule that steers by age");
    assert_eq!(h.state().tab(), Tab::Rules);
    next(&mut h);
    assert_eq!(h.state().tab(), Tab::Audit);
    next(&mut h);
    assert_eq!(h.state().tab(), Tab::Rules);
    next_is_refused(&mut h);
    click(&mut h, "Premium picks for over-40s: on");
    settle(&mut h, |app| app.scenario().outcome().is_some());
    h.run_steps(3);
    next(&mut h);
    next(&mut h);
    next(&mut h);
    finish(&mut h);
}

#[test]
fn lesson_a_rule_that_reads_more_than_agreed() {
    let (_dir, mut h) = sample_window();
    start(&mut h, "A rule that reads more than");
    assert_eq!(h.state().tab(), Tab::Rules);
    assert_eq!(
        h.state().rule_editor().highlighted(),
        Some("birthday-favourites")
    );
    next(&mut h);
    next_is_refused(&mut h);
    click(
        &mut h,
        "Simulate letting Birthday offers cover the purchases",
    );
    settle(&mut h, |app| app.scenario().outcome().is_some());
    h.run_steps(3);
    next(&mut h);
    next(&mut h);
    assert_eq!(
        h.state().rule_editor().highlighted(),
        Some("premium-for-40-plus")
    );
    next(&mut h);
    next(&mut h);
    finish(&mut h);
}

#[test]
fn lesson_a_customer_withdraws_consent() {
    let (_dir, mut h) = sample_window();
    start(&mut h, "A customer withdraws consent");
    click(&mut h, "Amelia Hart");
    next(&mut h);
    next_is_refused(&mut h);
    click(
        &mut h,
        "Simulate: withdraw \"Personalized recommendations\"",
    );
    next(&mut h);
    settle(&mut h, |app| app.scenario().outcome().is_some());
    h.run_steps(3);
    next(&mut h);
    next(&mut h);
    finish(&mut h);
}

#[test]
fn lesson_a_customer_tells_us_what_they_want() {
    let (_dir, mut h) = sample_window();
    start(&mut h, "A customer tells us what they want");
    click(&mut h, "Amelia Hart");
    next(&mut h);
    next_is_refused(&mut h);
    click(&mut h, "Not for me…");
    click(&mut h, "anything in coffee");
    next(&mut h);
    settle(&mut h, |app| app.scenario().outcome().is_some());
    h.run_steps(3);
    next(&mut h);
    next(&mut h);
    finish(&mut h);
}

#[test]
fn lesson_data_we_keep_but_never_use() {
    let (_dir, mut h) = sample_window();
    start(&mut h, "Data we keep but never use");
    assert_eq!(h.state().tab(), Tab::Scorecard);
    next(&mut h);
    assert_eq!(h.state().tab(), Tab::Customers);
    click(&mut h, "Grace Lin");
    next(&mut h);
    click(&mut h, "Data held");
    next(&mut h);
    next_is_refused(&mut h);
    click(&mut h, "Delete phone");
    next(&mut h);
    next(&mut h);
    finish(&mut h);
}

#[test]
fn lesson_a_customer_asks_to_be_erased() {
    let (_dir, mut h) = sample_window();
    start(&mut h, "A customer asks for their data");
    next_is_refused(&mut h);
    become_owner(&mut h);
    h.run_steps(2);
    next(&mut h);
    click(&mut h, "Daniel Okafor");
    next(&mut h);
    click(&mut h, "Erase this customer…");
    // The dialog is modal: the trainee reads it and cancels, then the step counts as done.
    h.get_by_label_contains("Removes this customer's record");
    click(&mut h, "Cancel");
    h.get_by_label("Done.");
    next(&mut h);
    next(&mut h);
    finish(&mut h);
}

#[test]
fn resetting_the_training_shop_restores_the_sample() {
    let (_dir, mut h) = sample_window();
    click(&mut h, "Customers");
    click(&mut h, "Amelia Hart");
    click(
        &mut h,
        "Simulate: withdraw \"Personalized recommendations\"",
    );
    h.state_mut().start_lesson(Lesson::bundled().remove(0));
    let path = h.state().shop().expect("shop").path.clone();
    change_for_real(&path);

    click(&mut h, "Lessons");
    click(&mut h, "Reset the training shop…");
    h.get_by_label("Reset the training shop?");
    click(&mut h, "Reset it");
    let sample = candor::shopgen::sample::sample_shop().expect("sample");
    settle(&mut h, |app| {
        app.notice()
            .is_some_and(|n| n.contains("as it was first delivered"))
            && app.shop().is_some_and(|s| *s.index.shop() == sample)
    });
    let (store, _) = candor::store::Store::open_for_reading(&path).expect("opens");
    assert_eq!(
        store.load().expect("loads"),
        sample,
        "the file holds the sample shop again"
    );
    assert!(
        store.log().expect("log").is_empty(),
        "the practice entries are gone"
    );
    assert!(
        h.state().scenario().is_empty(),
        "the pending scenario is cleared"
    );
}

/// Records a consent decision in the shop file at `path`, as a training session would.
fn change_for_real(path: &std::path::Path) {
    let (mut store, _) = candor::store::Store::open(path).expect("opens");
    let who = candor::store::Attribution {
        actor: "Trainee".into(),
        reason: "practice".into(),
        at: "2026-06-15T10:00:00+00:00".into(),
    };
    store
        .apply(
            None,
            &[candor::engine::changes::Change::Consent {
                customer: 2,
                purpose: "personalization".into(),
                granted: true,
                method: None,
                words: None,
            }],
            &who,
            None,
            None,
        )
        .expect("applies");
}

#[test]
fn a_lesson_on_a_changed_training_shop_offers_the_reset_first() {
    let (_dir, path) = common::sample_file();
    change_for_real(&path);
    let mut h = common::window::window_on(&path);
    let lesson = Lesson::bundled().remove(0);
    click(&mut h, "Lessons");
    click(&mut h, &lesson.title);
    assert!(h.state().lesson().is_none(), "not started yet");
    h.get_by_label_contains(
        "This copy has been changed since (1 entry changed it in its audit log)",
    );
    click(&mut h, "Reset the training shop, then start");
    settle(&mut h, |app| app.lesson().is_some() && !app.is_applying());
    let shop = h.state().shop().expect("shop");
    assert_eq!(shop.log.entries_that_changed_the_shop(), 0, "reset first");
    assert_eq!(
        *shop.index.shop(),
        candor::shopgen::sample::sample_shop().expect("sample")
    );
    h.get_by_label_contains("Step 1 of");
}

#[test]
fn a_lesson_on_an_untouched_sample_starts_at_once_and_elsewhere_asks() {
    let (_dir, mut h) = sample_window();
    start(&mut h, "A customer asks: why");
    let dir = tempfile::tempdir().expect("dir");
    let renamed = dir.path().join("corner-books.candor");
    let mut shop = candor::shopgen::sample::sample_shop().expect("sample");
    shop.settings.name = "Corner Books".into();
    candor::store::Store::create(&renamed, &shop).expect("written");
    let mut h = common::window::window_on(&renamed);
    let lesson = Lesson::bundled().remove(0);
    click(&mut h, "Lessons");
    click(&mut h, &lesson.title);
    h.get_by_label_contains("The shop open now is another one");
    assert!(
        h.query_by_label("Reset the training shop, then start")
            .is_none()
    );
    click(&mut h, "Cancel");
    assert!(h.state().lesson().is_none() && h.state().lesson_asked().is_none());
    click(&mut h, "Lessons");
    click(&mut h, &lesson.title);
    click(&mut h, "Start anyway");
    assert!(h.state().lesson().is_some());
}
