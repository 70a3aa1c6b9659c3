//! "A copy of this shop was lost or stolen": `candor breach` writes what the file held,
//! every customer to tell with how to reach them, the notice and the authority's facts,
//! logs it, and is refused to anyone but the owner.

mod common;

use std::path::Path;

use assert_cmd::Command;
use candor::engine::breach::{Channel, breach_facts};
use candor::store::{Attribution, Store};
use predicates::prelude::*;

fn breach(db: &Path, out: &Path, passphrase: Option<&str>) -> assert_cmd::assert::Assert {
    let details = [
        "--what",
        "The shop laptop was stolen from the car.",
        "--discovered",
        "2026-12-04 15:30",
        "--actor",
        "Priya",
    ];
    breach_telling(db, out, passphrase, &details)
}

/// `candor breach` of the shop at `db` into `out`, with `details` (what, when, who).
fn breach_telling(
    db: &Path,
    out: &Path,
    passphrase: Option<&str>,
    details: &[&str],
) -> assert_cmd::assert::Assert {
    let mut cmd = Command::cargo_bin("candor").expect("binary built");
    match passphrase {
        Some(p) => cmd.env("CANDOR_OWNER_PASSPHRASE", p),
        None => cmd.env_remove("CANDOR_OWNER_PASSPHRASE"),
    };
    cmd.args(["breach", "--db"])
        .arg(db)
        .arg("--out")
        .arg(out)
        .args(details)
        .assert()
}

#[test]
fn the_owner_gets_every_customer_to_tell_and_the_report_is_logged() {
    let (dir, db) = common::owned_sample_file();
    let (mut store, _) = Store::open(&db).expect("opens");
    store
        .erase(7, &Attribution::now("Priya", "asked to be forgotten"))
        .expect("erases");
    let shop = store.load().expect("loads");
    drop(store);
    let out = dir.path().join("report");
    breach(&db, &out, Some(common::OWNER_PASSPHRASE))
        .success()
        .stdout(predicate::str::contains(
            "Tell the supervisory authority by 7 December 2026 at 15:30",
        ));

    let csv = std::fs::read_to_string(out.join("customers-to-notify.csv")).expect("written");
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = rows.records().map(|r| r.expect("a row")).collect();
    assert_eq!(
        rows.len(),
        shop.customers.len(),
        "one row per customer held"
    );
    assert!(
        !rows.iter().any(|r| &r[0] == "7"),
        "an erased customer is no longer held"
    );
    for (row, customer) in rows.iter().zip(shop.customers.iter()) {
        assert_eq!(row[0], customer.id.to_string());
        let channel = match (&customer.email, &customer.phone, &customer.address) {
            (Some(_), _, _) => "email",
            (None, Some(_), _) => "phone or text message",
            (None, None, Some(_)) => "post",
            _ => "no contact details held",
        };
        assert_eq!(&row[2], channel, "customer {}", customer.id);
        assert_eq!(
            row[7].contains("birth date"),
            customer.birth_date.is_some(),
            "customer {}",
            customer.id
        );
    }

    let facts = breach_facts(&shop, common::sample_day());
    let notice = std::fs::read_to_string(out.join("notice-to-customers.txt")).expect("written");
    assert!(notice.contains(&shop.settings.name), "{notice}");
    assert!(notice.contains("The shop laptop was stolen from the car."));
    assert!(notice.contains("not protected by a password"));
    for kind in &facts.held {
        assert!(
            notice.contains(kind.words),
            "{} missing from {notice}",
            kind.words
        );
    }
    let page = std::fs::read_to_string(out.join("breach-report.html")).expect("written");
    assert!(page.contains("7 December 2026 at 15:30"));
    assert!(
        page.contains("Written when the shop&#39;s audit log held")
            || page.contains("Written when the shop's audit log held")
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("breach-report.json")).expect("written"))
            .expect("JSON");
    assert_eq!(json["customers"], shop.customers.len());
    assert_eq!(json["protected"], false);
    assert_eq!(json["authority_deadline"], "2026-12-07T15:30:00");
    let birth = shop
        .customers
        .iter()
        .filter(|c| c.birth_date.is_some())
        .count();
    let held_birth = json["held"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|k| k["field"] == "birth_date")
        .expect("birth dates held");
    assert_eq!(held_birth["customers"], birth);

    let (store, _) = Store::open(&db).expect("opens");
    let entry = store.log().expect("reads").pop().expect("an entry");
    let event = entry.event.expect("an event");
    assert_eq!(event.kind, "breach_report");
    assert_eq!(entry.actor, "Priya");
    assert_eq!(event.files.len(), 4);
    assert!(store.verify_log().expect("verifies").intact);
}

#[test]
fn nobody_but_the_owner_writes_a_breach_report() {
    let (dir, db) = common::owned_sample_file();
    let out = dir.path().join("report");
    breach(&db, &out, None).failure();
    breach(&db, &out, Some("not the passphrase")).failure();
    assert!(!out.exists(), "nothing written when refused");

    let (dir, db) = common::sample_file();
    let out = dir.path().join("report");
    breach(&db, &out, Some(common::OWNER_PASSPHRASE))
        .failure()
        .stderr(predicate::str::contains("owner"));
    assert!(!out.exists());
}

#[test]
fn each_customer_is_told_by_the_best_channel_held() {
    let (_dir, db) = common::sample_file();
    let (store, _) = Store::open(&db).expect("opens");
    let mut shop = store.load().expect("loads");
    let mut customers = (*shop.customers).clone();
    customers.truncate(4);
    customers[0].phone = Some("07700 900111".into());
    customers[1].email = None;
    customers[1].phone = Some("07700 900222".into());
    customers[2].email = None;
    customers[2].phone = None;
    customers[2].address = Some("1 Mill Lane".into());
    customers[3].email = None;
    customers[3].phone = None;
    customers[3].address = None;
    shop.customers = std::sync::Arc::new(customers);
    let facts = breach_facts(&shop, common::sample_day());
    let channels: Vec<Channel> = facts.to_notify.iter().map(|c| c.channel).collect();
    assert_eq!(
        channels,
        [Channel::Email, Channel::Phone, Channel::Post, Channel::None]
    );
    assert_eq!(
        facts.by_channel,
        [
            (Channel::Email, 1),
            (Channel::Phone, 1),
            (Channel::Post, 1),
            (Channel::None, 1)
        ]
    );
}

#[test]
fn a_notice_that_would_carry_an_escape_sequence_to_customers_is_refused() {
    let (dir, db) = common::owned_sample_file();
    let out = dir.path().join("r");
    let details = [
        "--what",
        "laptop\u{1b}]0;pwned\u{7}stolen",
        "--discovered",
        "2026-12-04 15:30",
    ];
    breach_telling(&db, &out, Some(common::OWNER_PASSPHRASE), &details)
        .failure()
        .stderr(predicate::str::contains("(U+001B)"));
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_discovery_time_that_is_not_a_time_is_refused_by_name() {
    let (dir, db) = common::owned_sample_file();
    let details = ["--what", "lost", "--discovered", "last Tuesday"];
    breach_telling(
        &db,
        &dir.path().join("r"),
        Some(common::OWNER_PASSPHRASE),
        &details,
    )
    .failure()
    .stderr(predicate::str::contains("--discovered \"last Tuesday\""));
}

#[test]
fn the_list_of_customers_to_tell_runs_no_formula_in_a_spreadsheet() {
    let (dir, db) = common::owned_sample_file();
    common::edit_as_fixture(
        &db,
        "UPDATE customers SET name = '=HYPERLINK(\"http://evil/\",\"click\")', phone = '+1+2' WHERE id = 2",
    );
    let out = dir.path().join("report");
    breach(&db, &out, Some(common::OWNER_PASSPHRASE)).success();
    let csv = std::fs::read_to_string(out.join("customers-to-notify.csv")).expect("written");
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let row = rows
        .records()
        .map(|r| r.expect("a row"))
        .find(|r| &r[0] == "2")
        .expect("customer 2 is listed");
    assert_eq!(&row[1], "'=HYPERLINK(\"http://evil/\",\"click\")");
    assert_eq!(&row[4], "'+1+2");
}
