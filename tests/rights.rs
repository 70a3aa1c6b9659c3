//! The right of access: an export holds every row about the customer, checked against the
//! database directly, and nothing about anyone else; the export itself is logged.

mod common;

use assert_cmd::Command;
use rusqlite::Connection;
use serde_json::Value;

/// The owner's passphrase the tests use (set up with the shop).
const OWNER: &str = common::OWNER_PASSPHRASE;

fn candor() -> Command {
    let mut cmd = Command::cargo_bin("candor").expect("binary built");
    cmd.env("CANDOR_OWNER_PASSPHRASE", OWNER);
    cmd
}

/// The audit log as `candor log --json` prints it.
fn log_json(db: &str) -> Value {
    serde_json::from_slice(
        &candor()
            .args(["log", "--db", db, "--json"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone(),
    )
    .expect("log JSON")
}

fn apply(db: &str, dir: &std::path::Path, changes: &str) {
    let file = dir.join("changes.json");
    std::fs::write(&file, changes).expect("changes written");
    candor()
        .args([
            "apply",
            "--db",
            db,
            "--changes",
            file.to_str().expect("utf-8"),
            "--actor",
            "Jo",
            "--reason",
            "customer asked",
        ])
        .assert()
        .success();
}

#[test]
fn an_export_holds_every_row_about_the_customer_and_nothing_about_anyone_else() {
    let (dir, path) = common::owned_sample_file();
    let db = path.to_str().expect("utf-8 path");
    apply(
        db,
        dir.path(),
        r#"{"changes":[{"kind":"customer_field","customer":4,"field":"phone","value":"07700 900999"}]}"#,
    );
    apply(
        db,
        dir.path(),
        r#"{"changes":[{"kind":"consent","customer":1,"purpose":"email_offers","granted":true}]}"#,
    );
    let out = dir.path().join("export");
    candor()
        .args([
            "export-subject",
            "--db",
            db,
            "--customer",
            "4",
            "--out",
            out.to_str().expect("utf-8"),
            "--actor",
            "Sam",
            "--reason",
            "Grace asked what we hold",
        ])
        .assert()
        .success();
    let text = std::fs::read_to_string(out.join("customer-4.json")).expect("json written");
    let v: Value = serde_json::from_str(&text).expect("valid JSON");

    let conn = Connection::open(&path).expect("opens");
    let row: Vec<Option<String>> = conn
        .query_row(
            "SELECT name, email, phone, address, postcode, birth_date, gender, since, source FROM customers WHERE id = 4",
            [],
            |r| (0..9).map(|i| r.get::<_, Option<String>>(i)).collect(),
        )
        .expect("customer 4 exists");
    let keys = [
        "name",
        "email",
        "phone",
        "address",
        "postcode",
        "birth_date",
        "gender",
        "since",
        "source",
    ];
    for (key, value) in keys.iter().zip(&row) {
        assert_eq!(v["customer"][key].as_str(), value.as_deref(), "field {key}");
    }
    let sources: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM field_sources WHERE customer = 4",
            [],
            |r| r.get(0),
        )
        .expect("counts");
    assert_eq!(
        v["customer"]["field_sources"]
            .as_array()
            .expect("list")
            .len() as i64,
        sources
    );

    let mut stmt = conn
        .prepare("SELECT id, (SELECT COUNT(*) FROM order_lines WHERE order_id = orders.id) FROM orders WHERE customer = 4 ORDER BY id")
        .expect("prepares");
    let db_orders: Vec<(i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("queries")
        .collect::<Result<_, _>>()
        .expect("rows");
    let exported: Vec<(i64, i64)> = v["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .map(|o| {
            (
                o["order"].as_i64().expect("id"),
                o["lines"].as_array().expect("lines").len() as i64,
            )
        })
        .collect();
    assert!(!db_orders.is_empty());
    assert_eq!(
        exported, db_orders,
        "every order and line, and no one else's"
    );

    let consents: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM consents WHERE customer = 4",
            [],
            |r| r.get(0),
        )
        .expect("counts");
    let exported_consents = v["consents"].as_array().expect("consents");
    assert_eq!(exported_consents.len() as i64, consents);
    assert!(exported_consents.iter().all(|c| c["customer"] == 4));

    let log = v["audit_log"].as_array().expect("audit log");
    assert_eq!(log.len(), 1, "only the entry that changed Grace's phone");
    assert_eq!(log[0]["changes"][0]["change"]["customer"], 4);

    let mut stmt = conn
        .prepare("SELECT name, email FROM customers WHERE id <> 4")
        .expect("prepares");
    let others: Vec<(Option<String>, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("queries")
        .collect::<Result<_, _>>()
        .expect("rows");
    for (name, email) in others.iter() {
        for value in [name, email].into_iter().flatten() {
            assert!(
                !text.contains(value.as_str()),
                "the export mentions {value}"
            );
        }
    }

    let page = std::fs::read_to_string(out.join("customer-4.html")).expect("page written");
    assert!(page.contains("Your data at Hazel &amp; Rye Bakery"));
    assert!(
        page.contains("07700 900999"),
        "the page shows the corrected phone"
    );
    assert!(page.contains("How to change this"));

    let log: Value = log_json(db);
    let last = log.as_array().and_then(|l| l.last()).expect("entries");
    assert_eq!(last["actor"], "Sam");
    assert_eq!(last["reason"], "Grace asked what we hold");
    assert_eq!(last["event"]["kind"], "access_export");
    assert_eq!(last["event"]["customer"], 4);
    candor()
        .args(["log", "--db", db, "--verify"])
        .assert()
        .success();
}

/// What `candor held` says of customer 4's `label` field: its value and where it came from.
fn held_of_4(db: &str, label: &str) -> String {
    let out = candor()
        .args(["held", "--db", db, "--customer", "4"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    let at = text.find(label).expect("the field is held");
    text[at..].lines().take(2).collect::<Vec<_>>().join("\n")
}

#[test]
fn a_corrected_value_says_who_entered_it_and_its_undo_gives_back_where_it_came_from() {
    let (dir, path) = common::sample_file();
    let db = path.to_str().expect("utf-8");
    let before = held_of_4(db, "Phone");
    assert!(
        before.contains("written on a cake order form on 2025-11-28"),
        "{before}"
    );
    apply(
        db,
        dir.path(),
        r#"{"changes": [{"kind": "customer_field", "customer": 4, "field": "phone", "value": "07700 900999"}]}"#,
    );
    let corrected = held_of_4(db, "Phone");
    assert!(corrected.contains("07700 900999"), "{corrected}");
    assert!(
        corrected.contains("from a correction entered in Candor by Jo on"),
        "not the record's old source: {corrected}"
    );
    candor()
        .args([
            "undo", "--db", db, "--entry", "1", "--actor", "Jo", "--reason", "typo",
        ])
        .assert()
        .success();
    assert_eq!(
        held_of_4(db, "Phone"),
        before,
        "value and source as they were"
    );

    // A value with no source of its own came with the record: its undo says so again.
    let email = held_of_4(db, "Email");
    assert!(email.contains("from loyalty card form in shop"), "{email}");
    apply(
        db,
        dir.path(),
        r#"{"changes": [{"kind": "customer_field", "customer": 4, "field": "email", "value": null}]}"#,
    );
    candor()
        .args([
            "undo", "--db", db, "--entry", "3", "--actor", "Sam", "--reason", "oops",
        ])
        .assert()
        .success();
    assert_eq!(held_of_4(db, "Email"), email);
}

#[test]
fn exporting_someone_who_does_not_exist_writes_nothing() {
    let (dir, path) = common::owned_sample_file();
    let out = dir.path().join("export");
    candor()
        .args([
            "export-subject",
            "--db",
            path.to_str().expect("utf-8"),
            "--customer",
            "9999",
            "--out",
            out.to_str().expect("utf-8"),
        ])
        .assert()
        .failure()
        .stderr(predicates::str::contains("no customer number 9999"));
    assert!(!out.exists());
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).expect("counts")
}

#[test]
fn erasure_leaves_none_of_the_values_in_the_files_bytes() {
    let (dir, path) = common::owned_sample_file();
    let db = path.to_str().expect("utf-8 path");
    apply(
        db,
        dir.path(),
        r#"{"changes":[{"kind":"customer_field","customer":1,"field":"phone","value":"07700 900123"}]}"#,
    );
    apply(
        db,
        dir.path(),
        r#"{"changes":[{"kind":"customer_field","customer":1,"field":"phone","value":"07700 900124"}]}"#,
    );
    apply(
        db,
        dir.path(),
        r#"{"changes":[{"kind":"rule_weight","rule":"buy-again","weight":1.5}]}"#,
    );
    let before = Connection::open(&path).expect("opens");
    let (customers, orders, lines, guest_orders, her_orders) = (
        count(&before, "SELECT COUNT(*) FROM customers"),
        count(&before, "SELECT COUNT(*) FROM orders"),
        count(&before, "SELECT COUNT(*) FROM order_lines"),
        count(
            &before,
            "SELECT COUNT(*) FROM orders WHERE customer IS NULL",
        ),
        count(&before, "SELECT COUNT(*) FROM orders WHERE customer = 1"),
    );
    drop(before);
    let values = [
        "Amelia Hart",
        "amelia.hart@example.com",
        "29 Mill Lane",
        "1979-09-22",
        "07700 900123",
        "07700 900124",
    ];
    let bytes = common::file_bytes(&path);
    let contains = |bytes: &[u8], v: &str| bytes.windows(v.len()).any(|w| w == v.as_bytes());
    assert!(
        values.iter().all(|v| contains(&bytes, v)),
        "the values are there before"
    );

    candor()
        .args([
            "erase",
            "--db",
            db,
            "--customer",
            "1",
            "--actor",
            "Owner",
            "--reason",
            "Amelia Hart asked us to erase her data",
        ])
        .assert()
        .success();

    let bytes = common::file_bytes(&path);
    for v in values {
        assert!(!contains(&bytes, v), "{v} is still in the file's bytes");
    }
    let after = Connection::open(&path).expect("opens");
    assert_eq!(
        count(&after, "SELECT COUNT(*) FROM customers"),
        customers - 1
    );
    assert_eq!(count(&after, "SELECT COUNT(*) FROM orders"), orders);
    assert_eq!(count(&after, "SELECT COUNT(*) FROM order_lines"), lines);
    assert_eq!(
        count(&after, "SELECT COUNT(*) FROM orders WHERE customer IS NULL"),
        guest_orders + her_orders
    );
    assert_eq!(
        count(&after, "SELECT COUNT(*) FROM consents WHERE customer = 1"),
        0
    );
    drop(after);

    candor()
        .args(["explain", "--db", db, "--customer", "1"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("no customer number 1"));
    candor()
        .args(["log", "--db", db, "--verify"])
        .assert()
        .success()
        .stdout(predicates::str::contains("intact: 5 entries"));
    let log: Value = log_json(db);
    let last = log.as_array().and_then(|l| l.last()).expect("entries");
    assert_eq!(last["event"]["kind"], "erasure");
    assert!(last["event"]["customer"].is_null());
    assert!(
        last["event"]["reference"]
            .as_str()
            .is_some_and(|r| r.starts_with("erased-"))
    );
    assert_eq!(last["reason"], "[erased] asked us to erase her data");
    assert_eq!(log[0]["event"]["kind"], "owner_set_up");
    assert_eq!(
        log[3]["changes"][0]["after"]["weight"], 1.5,
        "other entries are untouched"
    );
    assert_eq!(log[1]["changes"][0]["after"], "[erased]");
}

#[test]
fn erasing_someone_who_does_not_exist_changes_nothing() {
    let (_dir, path) = common::owned_sample_file();
    let before = std::fs::read(&path).expect("reads");
    candor()
        .args([
            "erase",
            "--db",
            path.to_str().expect("utf-8"),
            "--customer",
            "9999",
            "--actor",
            "Owner",
            "--reason",
            "test",
        ])
        .assert()
        .failure()
        .stderr(predicates::str::contains("no customer number 9999"));
    assert_eq!(std::fs::read(&path).expect("reads"), before);
}

/// The command as staff run it: no owner's passphrase in the environment, no terminal.
fn as_staff() -> Command {
    let mut cmd = Command::cargo_bin("candor").expect("binary built");
    cmd.env_remove("CANDOR_OWNER_PASSPHRASE");
    cmd
}

#[test]
fn staff_cannot_change_rules_or_erase_but_can_record_a_consent() {
    let (dir, path) = common::owned_sample_file();
    let db = path.to_str().expect("utf-8 path");
    let rule = dir.path().join("rule.json");
    std::fs::write(
        &rule,
        r#"{"changes":[{"kind":"rule_enabled","rule":"premium-for-40-plus","enabled":false}]}"#,
    )
    .expect("written");
    let before = std::fs::read(&path).expect("reads");
    as_staff()
        .args([
            "apply",
            "--db",
            db,
            "--changes",
            rule.to_str().expect("utf-8"),
        ])
        .args(["--actor", "Jo", "--reason", "try"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("needs the owner's passphrase"));
    as_staff()
        .args([
            "erase",
            "--db",
            db,
            "--customer",
            "4",
            "--actor",
            "Jo",
            "--reason",
            "try",
        ])
        .assert()
        .failure()
        .stderr(predicates::str::contains("needs the owner's passphrase"));
    assert_eq!(
        std::fs::read(&path).expect("reads"),
        before,
        "nothing was written"
    );

    let consent = dir.path().join("consent.json");
    std::fs::write(
        &consent,
        r#"{"changes":[{"kind":"consent","customer":1,"purpose":"email_offers","granted":true}]}"#,
    )
    .expect("written");
    as_staff()
        .args([
            "apply",
            "--db",
            db,
            "--changes",
            consent.to_str().expect("utf-8"),
        ])
        .args(["--actor", "Jo", "--reason", "Amelia signed up at the till"])
        .assert()
        .success();
}

#[test]
fn a_wrong_owner_passphrase_is_refused_and_logged() {
    let (dir, path) = common::owned_sample_file();
    let db = path.to_str().expect("utf-8 path");
    apply(
        db,
        dir.path(),
        r#"{"changes":[{"kind":"rule_weight","rule":"buy-again","weight":1.5}]}"#,
    );
    let stored: String = Connection::open(&path)
        .expect("opens")
        .query_row(
            "SELECT value FROM shop_settings WHERE key = 'owner_passphrase'",
            [],
            |r| r.get(0),
        )
        .expect("the passphrase was set up");
    assert!(
        stored.starts_with("$argon2"),
        "stored as an Argon2 hash: {stored}"
    );
    assert!(!stored.contains(OWNER), "never in the clear");

    let rule = dir.path().join("rule.json");
    std::fs::write(
        &rule,
        r#"{"changes":[{"kind":"rule_weight","rule":"buy-again","weight":3}]}"#,
    )
    .expect("written");
    Command::cargo_bin("candor")
        .expect("binary built")
        .env("CANDOR_OWNER_PASSPHRASE", "let me in please")
        .args([
            "apply",
            "--db",
            db,
            "--changes",
            rule.to_str().expect("utf-8"),
        ])
        .args(["--actor", "Mallory", "--reason", "try"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("not the owner's passphrase"));
    let log: Value = log_json(db);
    let entries = log.as_array().expect("entries");
    let last = entries.last().expect("entries");
    assert_eq!(last["actor"], "Mallory");
    assert_eq!(last["event"]["kind"], "owner_refused");
    let weight = candor()
        .args(["rules", "--db", db, "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let rules: Value = serde_json::from_slice(&weight).expect("rules JSON");
    let buy_again = rules
        .as_array()
        .and_then(|r| r.iter().find(|x| x["id"] == "buy-again"))
        .expect("rule listed");
    assert_eq!(
        buy_again["weight"], 1.5,
        "the refused change was not applied"
    );
}

#[test]
fn a_retention_purge_deletes_what_is_past_its_period_in_one_logged_step() {
    let (dir, path) = common::owned_sample_file();
    let db = path.to_str().expect("utf-8 path");
    apply(
        db,
        dir.path(),
        r#"{"changes":[{"kind":"customer_field","customer":7,"field":"phone","value":"07700 900777"}]}"#,
    );
    // Customer 7 has not been seen since 2015.
    common::edit_as_fixture(
        &path,
        "UPDATE customers SET since = '2015-01-01' WHERE id = 7;
         UPDATE orders SET customer = NULL WHERE customer = 7;",
    );
    let conn = Connection::open(&path).expect("opens");
    let (name, email): (String, String) = conn
        .query_row("SELECT name, email FROM customers WHERE id = 7", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("customer 7");
    drop(conn);

    candor()
        .args([
            "purge-retention",
            "--db",
            db,
            "--actor",
            "Owner",
            "--reason",
            "yearly clean-up",
            "--dry-run",
        ])
        .assert()
        .success()
        .stdout(predicates::str::contains("phone number: 1"));
    as_staff()
        .args([
            "purge-retention",
            "--db",
            db,
            "--actor",
            "Jo",
            "--reason",
            "try",
        ])
        .assert()
        .failure()
        .stderr(predicates::str::contains("needs the owner's passphrase"));
    candor()
        .args([
            "purge-retention",
            "--db",
            db,
            "--actor",
            "Owner",
            "--reason",
            "yearly clean-up",
        ])
        .assert()
        .success();

    let bytes = common::file_bytes(&path);
    let contains = |v: &str| bytes.windows(v.len()).any(|w| w == v.as_bytes());
    // (the name is not scanned for: another customer of the sample shop has the same one)
    assert!(!name.is_empty());
    for v in [email.as_str(), "101 Kingsway", "07700 900777"] {
        assert!(!contains(v), "{v} is still in the file's bytes");
    }
    let conn = Connection::open(&path).expect("opens");
    let left: (Option<String>, Option<String>, String) = conn
        .query_row(
            "SELECT name, phone, since FROM customers WHERE id = 7",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("the record stays");
    assert_eq!(left, (None, None, "2015-01-01".to_owned()));
    drop(conn);
    let log: Value = log_json(db);
    let last = log.as_array().and_then(|l| l.last()).expect("entries");
    assert_eq!(last["event"]["kind"], "retention_purge");
    assert_eq!(last["reason"], "yearly clean-up");
    candor()
        .args(["log", "--db", db, "--verify"])
        .assert()
        .success();
}
