//! `candor recommendations`: every customer's list with its reasons, for an email tool:
//! consent-gated (a withdrawal of email consent keeps a customer out; no agreement to
//! personalization gives the shop-wide list), the same lists and sentences as `explain`,
//! an owner action, and logged.

mod common;

use std::path::Path;
use std::sync::Arc;

use assert_cmd::Command;
use candor::engine::{Scorer, explain};
use predicates::str::contains;

fn candor() -> Command {
    Command::cargo_bin("candor").expect("binary builds")
}

fn as_owner(args: &[&str], db: &Path) -> assert_cmd::assert::Assert {
    candor()
        .env("CANDOR_OWNER_PASSPHRASE", common::OWNER_PASSPHRASE)
        .args(args)
        .arg("--db")
        .arg(db)
        .assert()
}

fn index(db: &Path) -> candor::engine::ShopIndex {
    let shop = candor::store::Store::open_for_reading(db)
        .expect("opens")
        .0
        .load()
        .expect("loads");
    candor::engine::index_for(Arc::new(shop), common::sample_day())
}

fn withdraw_email_offers(db: &Path, dir: &Path, customer: i64) {
    let changes = dir.join("withdraw.json");
    std::fs::write(
        &changes,
        format!(
            r#"{{"changes":[{{"kind":"consent","customer":{customer},"purpose":"email_offers","granted":false,"method":"by phone"}}]}}"#
        ),
    )
    .expect("writes");
    candor()
        .args([
            "apply",
            "--actor",
            "Sam",
            "--reason",
            "she rang us",
            "--changes",
        ])
        .arg(&changes)
        .arg("--db")
        .arg(db)
        .assert()
        .success();
}

#[test]
fn the_email_export_holds_only_customers_who_agreed_and_their_explained_lists() {
    let (dir, db) = common::owned_sample_file();
    let before = index(&db);
    let agreed: Vec<usize> = (0..before.shop().customers.len())
        .filter(|&c| before.has_consent(c, "email_offers"))
        .collect();
    assert!(
        agreed.len() > 2,
        "the sample has customers who agreed to email"
    );
    let withdrawn = before.shop().customers[agreed[0]].id;
    withdraw_email_offers(&db, dir.path(), withdrawn);

    let out = dir.path().join("newsletter.json");
    as_owner(
        &[
            "recommendations",
            "--channel",
            "email",
            "--top",
            "5",
            "--out",
            out.to_str().expect("utf-8"),
        ],
        &db,
    )
    .success()
    .stdout(contains("Left out:"));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("written")).expect("json");
    let index = index(&db);
    let written: Vec<i64> = json["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .map(|c| c["customer"].as_i64().expect("number"))
        .collect();
    assert!(!written.contains(&withdrawn), "a withdrawal keeps them out");
    let expected: Vec<i64> = (0..index.shop().customers.len())
        .filter(|&c| index.has_consent(c, "email_offers"))
        .filter(|&c| index.shop().customers[c].email.is_some())
        .map(|c| index.shop().customers[c].id)
        .collect();
    assert_eq!(written, expected);
    assert_eq!(json["channel"], "email");
    assert_eq!(json["channel_purpose"], "email_offers");
    let total = index.shop().customers.len() as u64;
    let left = &json["left_out"];
    assert_eq!(
        json["written"].as_u64().expect("count")
            + left["no_channel_consent"].as_u64().expect("count")
            + left["no_email_address"].as_u64().expect("count"),
        total
    );

    let mut scorer = Scorer::new(&index);
    for letter in json["customers"].as_array().expect("customers") {
        let pos = index
            .customer_pos(letter["customer"].as_i64().expect("id"))
            .expect("known");
        let e = explain(&mut scorer, pos, 5);
        let why = letter["why"].as_str().expect("why");
        // Personal only where the customer's own data added to the list, as the why says.
        assert_eq!(
            letter["personalized"],
            why.starts_with("We picked these for you using"),
            "{why}"
        );
        if letter["personalized"] == true {
            assert!(e.personalized);
        }
        let products = letter["products"].as_array().expect("products");
        assert_eq!(products.len(), e.recommendations.len());
        for (p, r) in products.iter().zip(&e.recommendations) {
            assert_eq!(p["product"], r.product);
            assert_eq!(p["reason"], r.sentence.as_str(), "the card's sentence");
        }
        if !e.personalized {
            let why = letter["why"].as_str().expect("why");
            assert!(why.contains("suggestions for everyone"), "{why}");
        }
    }
    let letters = json["customers"].as_array().expect("customers");
    assert!(
        letters.iter().any(|l| l["personalized"] == false),
        "someone who agreed to email but not to personalization gets the shop-wide list"
    );
    let personal = letters.iter().filter(|l| l["personalized"] == true).count();
    assert_eq!(
        json["personalized"], personal,
        "the totals count the same lists"
    );
    assert_eq!(json["shop_wide"], letters.len() - personal);
}

#[test]
fn the_csv_has_merge_fields_and_the_export_is_logged() {
    let (dir, db) = common::owned_sample_file();
    let out = dir.path().join("all.csv");
    as_owner(
        &[
            "recommendations",
            "--actor",
            "Ana",
            "--reason",
            "May newsletter",
            "--out",
            out.to_str().expect("utf-8"),
        ],
        &db,
    )
    .success();
    let text = std::fs::read_to_string(&out).expect("written");
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rows
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header[..9],
        [
            "customer",
            "email",
            "first_name",
            "personalized",
            "why_you_see_this",
            "how_to_change",
            "product_1_name",
            "product_1_price",
            "product_1_reason"
        ]
    );
    assert_eq!(header.last().map(String::as_str), Some("product_5_reason"));
    let records: Vec<csv::StringRecord> = rows.records().map(|r| r.expect("row")).collect();
    assert_eq!(records.len(), 200, "without a channel, every customer");
    assert!(
        records.iter().any(|r| r[7].starts_with('£')),
        "prices in pounds"
    );
    assert!(
        records.iter().all(|r| r[1].is_empty()),
        "no email address without the email channel, whose consent decides"
    );
    assert!(
        !dir.path().join("all.csv.part").exists(),
        "nothing left waiting"
    );

    let log = candor()
        .args(["log", "--json", "--kind", "access", "--db"])
        .arg(&db)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let log: serde_json::Value = serde_json::from_slice(&log).expect("json");
    let entry = log
        .as_array()
        .expect("entries")
        .last()
        .expect("the export is logged");
    assert_eq!(entry["actor"], "Ana");
    assert_eq!(entry["reason"], "May newsletter");
    assert_eq!(entry["event"]["kind"], "recommendations_export");
    let detail = entry["event"]["detail"].as_str().expect("detail");
    assert!(detail.contains("200 customers"), "{detail}");
    candor()
        .args(["log", "--db"])
        .arg(&db)
        .assert()
        .success()
        .stdout(contains("wrote the recommendations of 200 customers"));
    // An erasure points to the export, which holds the customer's name.
    as_owner(
        &[
            "erase",
            "--customer",
            "1",
            "--actor",
            "Ana",
            "--reason",
            "asked to be forgotten",
        ],
        &db,
    )
    .success()
    .stdout(contains(
        "Exports of every customer's recommendations may hold them too",
    ))
    .stdout(contains("all.csv"));
}

#[test]
fn staff_cannot_export_and_a_refused_export_writes_nothing() {
    let (dir, db) = common::owned_sample_file();
    let out = dir.path().join("all.csv");
    candor()
        .env_remove("CANDOR_OWNER_PASSPHRASE")
        .args(["recommendations", "--out"])
        .arg(&out)
        .arg("--db")
        .arg(&db)
        .assert()
        .failure();
    assert!(!out.exists());
    let txt = dir.path().join("all.txt");
    as_owner(
        &["recommendations", "--out", txt.to_str().expect("utf-8")],
        &db,
    )
    .failure()
    .stderr(contains("name the file .csv"));
    assert!(!txt.exists());
    let dir2 = tempfile::tempdir().expect("dir");
    let mut shop = candor::shopgen::sample::sample_shop().expect("sample");
    shop.purposes.retain(|p| p.id != "email_offers");
    shop.consents = Arc::new(
        shop.consents
            .iter()
            .filter(|e| e.purpose != "email_offers")
            .cloned()
            .collect(),
    );
    let bare = dir2.path().join("bare.candor");
    candor::store::Store::create(&bare, &shop).expect("written");
    common::ensure_owner(&bare, common::OWNER_PASSPHRASE);
    let csv = dir2.path().join("x.csv");
    as_owner(
        &[
            "recommendations",
            "--channel",
            "email",
            "--out",
            csv.to_str().expect("utf-8"),
        ],
        &bare,
    )
    .failure()
    .stderr(contains("no consent purpose \"email_offers\""));
    assert!(!csv.exists());
}
