//! Every statement true: the cases an outside trial found untrue, each reproduced as it
//! was found. Consent that sticks, erasure that keeps the log whole and leaves nothing
//! behind, bounds checked on the way in, exact numbers, strict JSON, safe files.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::str::contains;
use rusqlite::Connection;
use serde_json::Value;

const OWNER: &str = "correct horse battery";

/// A Shopify orders export of 2021: Ann accepted marketing with her order.
const ORDERS_2021: &str = "Name,Email,Financial Status,Accepts Marketing,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing Zip,Cancelled at\n\
    #5632,ann@example.com,paid,yes,2021-02-27 10:00:00 +0000,1,Coffee beans,8.50,CB1,Ann Lee,BA1 1AA,\n\
    #5633,bob@example.com,paid,no,2021-03-01 11:00:00 +0000,1,Tea,4.00,T1,Bob Ray,BA2 2BB,\n";

/// A later Shopify customers export: Ann no longer accepts email marketing.
const CUSTOMERS_LATER: &str = "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Address1,Default Address City,Default Address Zip,Phone,Total Spent,Total Orders,Tags\n\
    101,Ann,Lee,ann@example.com,no,1 High St,Bath,BA1 1AA,,8.50,1,\n";

fn candor() -> Command {
    let mut cmd = Command::cargo_bin("candor").expect("binary built");
    cmd.env("CANDOR_OWNER_PASSPHRASE", OWNER);
    cmd
}

/// Runs `candor ARGS --db DB`.
fn on(db: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    candor().args(args).arg("--db").arg(db).assert()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("writes");
    path
}

fn json_of(cmd: &mut Command) -> Value {
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).expect("JSON")
}

fn import(db: &Path, inputs: &[&Path]) -> Value {
    let mut cmd = candor();
    cmd.args(["import", "--json", "--actor", "Sam", "--db"])
        .arg(db);
    for i in inputs {
        cmd.arg(i);
    }
    json_of(&mut cmd)
}

fn apply(db: &Path, dir: &Path, changes: &str) -> assert_cmd::assert::Assert {
    let file = write(dir, "changes.json", changes);
    candor()
        .args([
            "apply",
            "--actor",
            "Jo",
            "--reason",
            "customer asked",
            "--db",
        ])
        .arg(db)
        .arg("--changes")
        .arg(file)
        .assert()
}

fn held(db: &Path, customer: i64) -> Value {
    json_of(
        candor()
            .args([
                "held",
                "--json",
                "--customer",
                &customer.to_string(),
                "--db",
            ])
            .arg(db),
    )
}

/// `candor export-csv` of the shop at `db` into the folder `out`.
fn export_csv(db: &Path, out: &Path) -> assert_cmd::assert::Assert {
    candor()
        .args(["export-csv", "--db"])
        .arg(db)
        .arg("--out")
        .arg(out)
        .assert()
}

fn consent_of<'a>(held: &'a Value, purpose: &str) -> &'a Value {
    held["consents"]
        .as_array()
        .expect("consents")
        .iter()
        .find(|c| c["purpose"] == purpose)
        .expect("purpose decided")
}

fn customer_by_email(db: &Path, email: &str) -> i64 {
    Connection::open(db)
        .expect("opens")
        .query_row("SELECT id FROM customers WHERE email = ?1", [email], |r| {
            r.get(0)
        })
        .expect("customer")
}

#[test]
fn a_later_export_withdrawal_wins_over_an_older_grant_in_a_pinned_shop() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shop.candor");
    let orders = write(dir.path(), "orders_export.csv", ORDERS_2021);
    let first = import(&db, &[&orders]);
    assert_eq!(first["summary"]["pinned_today"], "2021-03-01", "{first}");
    let ann = customer_by_email(&db, "ann@example.com");
    assert_eq!(consent_of(&held(&db, ann), "email_offers")["granted"], true);

    let customers = write(dir.path(), "customers_export.csv", CUSTOMERS_LATER);
    import(&db, &[&customers]);
    let now = held(&db, ann);
    let offers = consent_of(&now, "email_offers");
    assert_eq!(offers["granted"], false, "the withdrawal is current: {now}");
    let history = offers["history"].as_array().expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(
        history[0]["decided_on"], "2021-02-27",
        "the order dates the grant"
    );
    assert!(
        history[1]["decided_on"].is_null(),
        "the customers export dates nothing"
    );
    for h in history {
        let recorded = h["recorded_at"].as_str().expect("recorded_at");
        let t = chrono::DateTime::parse_from_rfc3339(recorded).expect("RFC 3339");
        assert_eq!(t.offset().local_minus_utc(), 0, "UTC");
        assert!(t.date_naive() > chrono::NaiveDate::from_ymd_opt(2021, 3, 1).expect("day"));
    }

    // Importing the old orders export again brings no older grant back.
    import(&db, &[&orders]);
    assert_eq!(
        consent_of(&held(&db, ann), "email_offers")["granted"],
        false
    );
}

#[test]
fn a_withdrawal_recorded_by_staff_wins_over_an_imported_grant() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("till.candor");
    let till = write(
        dir.path(),
        "till.csv",
        "Receipt,Date,Customer,Item,Qty,Price,Personalise\n\
         1,2021-02-27,7,Sourdough,1,3.50,yes\n\
         2,2021-03-01,7,Rye,1,3.20,yes\n",
    );
    let mapping = write(
        dir.path(),
        "till.json",
        r#"{"name": "Till export", "key_space": "till",
            "columns": {"order_id": "Receipt", "date": "Date", "customer_id": "Customer",
                        "product_name": "Item", "quantity": "Qty", "unit_price": "Price"},
            "consents": [{"column": "Personalise", "purpose": "personalization"}]}"#,
    );
    candor()
        .args(["import", "--actor", "Sam", "--db"])
        .arg(&db)
        .arg("--mapping")
        .arg(&mapping)
        .arg(&till)
        .assert()
        .success();
    let explain = |db: &Path| {
        json_of(
            candor()
                .args(["explain", "--json", "--customer", "7", "--db"])
                .arg(db),
        )
    };
    assert_eq!(explain(&db)["personalized"], true);
    apply(
        &db,
        dir.path(),
        r#"{"changes":[{"kind":"consent","customer":7,"purpose":"personalization","granted":false}]}"#,
    )
    .success();
    assert_eq!(
        explain(&db)["personalized"],
        false,
        "the withdrawal is current"
    );
}

#[test]
fn files_that_disagree_in_one_import_are_resolved_by_the_newest_evidence_and_reported() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shop.candor");
    let orders = write(dir.path(), "orders_export.csv", ORDERS_2021);
    let customers = write(dir.path(), "customers_export.csv", CUSTOMERS_LATER);
    let out = import(&db, &[&orders, &customers]);
    let conflicts = out["consent_conflicts"].as_array().expect("conflicts");
    assert_eq!(conflicts.len(), 1, "{out}");
    let ann = customer_by_email(&db, "ann@example.com");
    assert_eq!(conflicts[0]["customer"], ann);
    assert_eq!(conflicts[0]["purpose"], "email_offers");
    assert_eq!(conflicts[0]["taken"]["file"], "customers_export.csv");
    assert_eq!(conflicts[0]["taken"]["granted"], false);
    assert_eq!(conflicts[0]["not_taken"]["file"], "orders_export.csv");
    assert_eq!(out["files"][0]["consent_conflicts"], 1);
    assert_eq!(out["files"][1]["consent_conflicts"], 0);
    assert_eq!(
        consent_of(&held(&db, ann), "email_offers")["granted"],
        false
    );
}

/// `log --verify` says the audit log is intact.
fn log_is_intact(db: &Path) {
    on(db, &["log", "--verify"])
        .success()
        .stdout(contains("intact"));
}

/// Whether the shop file's bytes hold `text` anywhere.
fn file_holds(db: &Path, text: &str) -> bool {
    let bytes = std::fs::read(db).expect("reads");
    bytes.windows(text.len()).any(|w| w == text.as_bytes())
}

fn sample() -> (tempfile::TempDir, PathBuf) {
    common::owned_sample_file()
}

fn log_json(db: &Path) -> Value {
    json_of(candor().args(["log", "--json", "--db"]).arg(db))
}

fn erase(db: &Path, customer: i64, reason: &str) -> assert_cmd::assert::Assert {
    common::ensure_owner(db, OWNER);
    candor()
        .args([
            "erase",
            "--actor",
            "Owner",
            "--reason",
            reason,
            "--customer",
        ])
        .arg(customer.to_string())
        .arg("--db")
        .arg(db)
        .assert()
}

#[test]
fn erasing_a_short_value_keeps_every_entry_readable_verified_and_undoable() {
    let (dir, db) = sample();
    apply(
        &db,
        dir.path(),
        r#"{"changes":[{"kind":"rule_weight","rule":"buy-again","weight":1.5}]}"#,
    )
    .success();
    apply(
        &db,
        dir.path(),
        r#"{"changes":[{"kind":"customer_field","customer":9,"field":"gender","value":"m"}]}"#,
    )
    .success();
    erase(&db, 9, "asked in shop").success();
    let log = log_json(&db);
    assert_eq!(log.as_array().expect("entries").len(), 4, "{log}");
    assert_eq!(log[2]["changes"][0]["after"], "[erased]");
    assert_eq!(log[2]["changes"][0]["change"]["customer"], 0);
    assert_eq!(log[0]["event"]["kind"], "owner_set_up");
    assert_eq!(log[1]["changes"][0]["after"]["weight"], 1.5, "untouched");
    log_is_intact(&db);
    candor()
        .args([
            "undo", "--entry", "2", "--actor", "Owner", "--reason", "back", "--db",
        ])
        .arg(&db)
        .assert()
        .success();
    log_is_intact(&db);
}

#[test]
fn erasure_leaves_no_old_value_no_words_and_no_number_in_free_text() {
    let (dir, db) = sample();
    apply(
        &db,
        dir.path(),
        r#"{"changes":[{"kind":"consent","customer":4,"purpose":"email_offers","granted":true,
            "method":"by letter from Quillfeather Cottage","words":"I live at 7 Hidden Lane now, write to me there"}]}"#,
    )
    .success();
    let corrections = write(
        dir.path(),
        "c.json",
        r#"{"changes":[{"kind":"customer_field","customer":4,"field":"email","value":"grace.new@example.org"},
            {"kind":"customer_field","customer":4,"field":"address","value":"7 Hidden Lane"}]}"#,
    );
    candor()
        .args(["apply", "--actor", "Jo", "--db"])
        .arg(&db)
        .arg("--changes")
        .arg(&corrections)
        .args([
            "--reason",
            "customer 4 moved from grace.lin@example.com to 7 Hidden Lane",
        ])
        .assert()
        .success();
    let out = dir.path().join("export");
    candor()
        .args(["export-subject", "--customer", "4", "--db"])
        .arg(&db)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let values = [
        "Grace Lin",
        "grace.lin@example.com",
        "grace.new@example.org",
        "07700 900461",
        "7 Hidden Lane",
        "Quillfeather Cottage",
        "1997-09-06",
        "BS8 7DJ",
        "customer 4",
        "customer-4",
    ];
    let before = common::file_bytes(&db);
    assert!(
        values[..8]
            .iter()
            .all(|v| common::contains_bytes(&before, v))
    );

    let done = erase(&db, 4, "Grace Lin (customer 4) asked us to erase her data")
        .success()
        .get_output()
        .stdout
        .clone();
    let done = String::from_utf8(done).expect("utf-8");
    assert!(
        done.contains("customer-4.json"),
        "lists the files written: {done}"
    );

    let after = common::file_bytes(&db);
    for v in values {
        assert!(
            !common::contains_bytes(&after, v),
            "{v} is still in the shop file"
        );
    }
    let log = log_json(&db);
    let entries = log.as_array().expect("entries");
    let export = entries
        .iter()
        .find(|e| e["event"]["kind"] == "access_export")
        .expect("the access export is still recorded");
    assert!(export["event"]["customer"].is_null());
    assert_eq!(export["event"]["detail"], "[erased]");
    assert!(export["at"].as_str().is_some_and(|t| t.starts_with("20")));
    let erasure = entries.last().expect("erasure");
    assert_eq!(erasure["event"]["kind"], "erasure");
    assert_eq!(
        erasure["reason"],
        "[erased] (customer [erased]) asked us to erase her data"
    );
    on(&db, &["log", "--verify"]).success();
}

#[test]
fn erasure_sticks_for_an_email_the_customer_had_before_a_correction() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shop.candor");
    let customers = write(dir.path(), "customers_export.csv", CUSTOMERS_LATER);
    import(&db, &[&customers]);
    let ann = customer_by_email(&db, "ann@example.com");
    apply(
        &db,
        dir.path(),
        &format!(
            r#"{{"changes":[{{"kind":"customer_field","customer":{ann},"field":"email","value":"ann.lee@example.net"}}]}}"#
        ),
    )
    .success();
    erase(&db, ann, "asked by email").success();
    let old_export = write(
        dir.path(),
        "old_orders.csv",
        "Name,Email,Financial Status,Accepts Marketing,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing Zip,Cancelled at\n\
         #7001,ann@example.com,paid,yes,2021-01-05 10:00:00 +0000,1,Coffee beans,8.50,CB1,Ann Lee,BA1 1AA,\n",
    );
    let out = import(&db, &[&old_export]);
    assert_eq!(out["summary"]["customers_added"], 0, "{out}");
    assert_eq!(out["summary"]["erased_not_reimported"], 1, "{out}");
    assert!(!common::contains_bytes(
        &common::file_bytes(&db),
        "ann@example.com"
    ));
}

#[test]
fn a_deleted_or_altered_personal_value_in_the_log_is_detected() {
    let (dir, db) = sample();
    apply(
        &db,
        dir.path(),
        r#"{"changes":[{"kind":"customer_field","customer":2,"field":"phone","value":"07700 900222"}]}"#,
    )
    .success();
    let conn = Connection::open(&db).expect("opens");
    conn.execute(
        "UPDATE log_values SET value = '\"07700 900333\"' WHERE value = '\"07700 900222\"'",
        [],
    )
    .expect("tamper");
    drop(conn);
    on(&db, &["log", "--verify"])
        .failure()
        .stderr(contains("altered"));
    let conn = Connection::open(&db).expect("opens");
    conn.execute("DELETE FROM log_value_owners", [])
        .expect("tamper");
    conn.execute("DELETE FROM log_values", []).expect("tamper");
    drop(conn);
    on(&db, &["log", "--verify"])
        .failure()
        .stderr(contains("no erasure or purge"));
}

#[test]
fn out_of_range_bounds_are_refused_on_the_way_in_and_at_load() {
    let (dir, db) = sample();
    let rule = r#"{"kind":"rule","rule":{"id":"forever","label":"Forever","enabled":true,"weight":1,
        "purpose":"personalization","conditions":[],"target":{"kind":"bought_product"},
        "amount":{"kind":"per_purchase","each":0.5,"max":2,"within_days":1000000000},
        "reason":"you bought it"}}"#;
    let file = write(
        dir.path(),
        "rule.json",
        &format!(r#"{{"changes":[{rule}]}}"#),
    );
    for command in [
        &["simulate"][..],
        &["apply", "--actor", "Jo", "--reason", "r"],
    ] {
        candor()
            .args(command)
            .arg("--db")
            .arg(&db)
            .arg("--changes")
            .arg(&file)
            .assert()
            .failure()
            .stderr(contains("within_days"));
    }
    let price = write(
        dir.path(),
        "price.json",
        r#"{"changes":[{"kind":"product","product":1,"price":0.001}]}"#,
    );
    on(
        &db,
        &["simulate", "--changes", price.to_str().expect("utf-8")],
    )
    .failure()
    .stderr(contains("finer than the smallest unit of GBP"));
    let conn = Connection::open(&db).expect("opens");
    let definition: String = conn
        .query_row(
            "SELECT definition FROM rules WHERE id = 'buy-again'",
            [],
            |r| r.get(0),
        )
        .expect("rule");
    conn.execute(
        "UPDATE rules SET definition = ?1 WHERE id = 'buy-again'",
        [definition.replace("\"within_days\":365", "\"within_days\":1000000000")],
    )
    .expect("edit behind Candor's back");
    drop(conn);
    for command in ["audit", "scorecard"] {
        on(&db, &[command])
            .failure()
            .stderr(contains("within_days"));
    }
    let (_dir2, db2) = sample();
    Connection::open(&db2)
        .expect("opens")
        .execute(
            "INSERT OR REPLACE INTO shop_settings (key, value) VALUES ('popularity_days', '999999999999')",
            [],
        )
        .expect("edit");
    on(&db2, &["audit"])
        .failure()
        .stderr(contains("popularity_days"));
}

#[test]
fn unknown_and_duplicate_keys_are_refused_and_rules_json_can_be_fed_back() {
    let (dir, db) = sample();
    let simulate = |changes: &str| {
        let file = write(dir.path(), "changes.json", changes);
        candor()
            .args(["simulate", "--db"])
            .arg(&db)
            .arg("--changes")
            .arg(file)
            .assert()
    };
    simulate(r#"{"changes":[{"kind":"rule_weight","rule":"buy-again","wieght":2}]}"#)
        .failure()
        .stderr(contains("wieght"));
    simulate(r#"{"changes":[{"kind":"rule_weight","rule":"buy-again","weight":1,"weight":5}]}"#)
        .failure()
        .stderr(contains("\"weight\" is given twice"));
    simulate(r#"{"changes":[],"extra":true}"#)
        .failure()
        .stderr(contains("extra"));
    let rules = json_of(candor().args(["rules", "--json", "--db"]).arg(&db));
    let rule = rules.as_array().expect("rules")[0].clone();
    assert!(rule.get("conditions_text").is_some());
    let change = serde_json::json!({"changes": [{"kind": "rule", "rule": rule}]});
    simulate(&change.to_string()).success();
}

#[test]
fn export_csv_writes_no_formula_and_says_when_stock_is_not_tracked() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shop.candor");
    let customers = write(
        dir.path(),
        "customers_export.csv",
        "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Address1,Default Address City,Default Address Zip,Phone,Total Spent,Total Orders,Tags\n\
         101,=HYPERLINK(\"http://evil.example\"),Lee,ann@example.com,no,1 High St,Bath,BA1 1AA,,0,0,\n",
    );
    let orders = write(dir.path(), "orders_export.csv", ORDERS_2021);
    import(&db, &[&orders, &customers]);
    let out = dir.path().join("csv");
    export_csv(&db, &out).success();
    let customers = std::fs::read_to_string(out.join("customers.csv")).expect("customers");
    assert!(customers.contains("\"'=HYPERLINK("), "{customers}");
    let products = std::fs::read_to_string(out.join("products.csv")).expect("products");
    assert!(products.contains("not tracked"), "{products}");
    assert!(!products.contains("9223372036854775807"), "{products}");

    // One refused place leaves the whole earlier export as it was, not half replaced.
    let before = std::fs::read(out.join("shop.csv")).expect("shop.csv");
    std::fs::write(out.join("shop.csv"), b"kept").expect("marks it");
    std::fs::remove_file(out.join("orders.csv")).expect("removes");
    std::fs::create_dir(out.join("orders.csv")).expect("a folder in its place");
    export_csv(&db, &out).failure();
    assert_eq!(std::fs::read(out.join("shop.csv")).expect("reads"), b"kept");
    assert_ne!(before, b"kept");
}

#[cfg(unix)]
#[test]
fn an_export_does_not_follow_a_planted_link() {
    let (dir, db) = sample();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("dir");
    let target = dir.path().join("elsewhere.txt");
    std::fs::write(&target, "keep me").expect("writes");
    std::os::unix::fs::symlink(&target, out.join("customer-1.json")).expect("link");
    candor()
        .args(["export-subject", "--customer", "1", "--db"])
        .arg(&db)
        .arg("--out")
        .arg(&out)
        .assert()
        .failure()
        .stderr(contains("symbolic link"));
    assert_eq!(std::fs::read_to_string(&target).expect("reads"), "keep me");
}

#[test]
fn numbers_that_are_not_plainly_numbers_are_refused_by_line_and_column() {
    let dir = tempfile::tempdir().expect("dir");
    let mapping = write(
        dir.path(),
        "till.json",
        r#"{"name": "Till export", "key_space": "till",
            "columns": {"order_id": "Receipt", "date": "Date", "product_name": "Item",
                        "quantity": "Qty", "unit_price": "Price"}}"#,
    );
    for (qty, price, expected) in [
        ("1", "0x10", "not a number"),
        ("1", "1_000", "not a number"),
        ("1", "1.000,50", "decimal comma"),
        ("1.5", "2.00", "not a whole number"),
        ("99999999999", "2.00", "more than"),
    ] {
        let db = dir
            .path()
            .join(format!("shop-{qty}-{}.candor", price.len()));
        let till = write(
            dir.path(),
            "till.csv",
            &format!(
                "Receipt,Date,Item,Qty,Price\n1,2026-05-01,Bread,1,2.00\n2,2026-05-01,Rye,{qty},\"{price}\"\n"
            ),
        );
        candor()
            .args(["import", "--actor", "Sam", "--db"])
            .arg(&db)
            .arg("--mapping")
            .arg(&mapping)
            .arg(&till)
            .assert()
            .failure()
            .stderr(contains("till.csv, line 3"))
            .stderr(contains(expected));
        assert!(!db.exists(), "no shop file is left behind");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("lists")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains("importing"))
            .collect();
        assert!(leftovers.is_empty(), "no temporary file is left behind");
    }
}

#[test]
fn entries_about_no_customer_do_not_say_an_erased_customer() {
    let (dir, db) = sample();
    apply(
        &db,
        dir.path(),
        r#"{"changes":[{"kind":"rule_weight","rule":"buy-again","weight":1.5}]}"#,
    )
    .success();
    let out = on(&db, &["log"]).success().get_output().stdout.clone();
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.contains("owner"), "{text}");
    assert!(!text.contains("erased customer"), "{text}");
}

#[test]
fn a_hostile_line_is_refused_by_its_number_without_reading_it_into_memory() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("orders.csv");
    let mut text = String::from("Invoice,Date,Item,Qty,Price\n1,2026-05-01,Bread,1,2.00\n");
    text.push_str(&",".repeat(3 << 20));
    text.push('\n');
    std::fs::write(&file, text).expect("writes");
    let db = dir.path().join("shop.candor");
    candor()
        .args(["import", "--actor", "Sam", "--db"])
        .arg(&db)
        .arg(&file)
        .assert()
        .failure()
        .stderr(contains("orders.csv, line 3"))
        .stderr(contains("longer than 1 MiB"));
    assert!(!db.exists());
}

#[test]
fn an_erased_customers_number_is_never_given_to_someone_new() {
    let (dir, db) = sample();
    let list = |email: &str| {
        write(
            dir.path(),
            "customers_export.csv",
            &format!(
                "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Address1,Default Address City,Default Address Zip,Phone,Total Spent,Total Orders,Tags\n\
                 ,Ann,Lee,{email},no,1 High St,Bath,BA1 1AA,,0,0,\n"
            ),
        )
    };
    import(&db, &[&list("ann@example.com")]);
    let ann = customer_by_email(&db, "ann@example.com");
    erase(&db, ann, "asked").success();
    import(&db, &[&list("bea@example.com")]);
    let bea = customer_by_email(&db, "bea@example.com");
    assert!(bea > ann, "Bea got {bea}, after erased {ann}");
}

/// Data held said a customer's birth date was "used by" the birthday rules of a purpose
/// the customer never agreed to, and the access-request page then said both "for the
/// recommendations below: Birthday treat" and "we do not use your data for
/// recommendations".
#[test]
fn data_held_names_only_the_rules_that_run_for_that_customer() {
    use candor::engine::score::{RuleStatus, SkipReason, rule_status};
    let shop = candor::shopgen::sample::sample_shop().expect("sample reads");
    let index = candor::engine::ShopIndex::new(std::sync::Arc::new(shop), common::sample_day());
    let rule = |id: &str| {
        (index.shop().rules.iter())
            .find(|r| r.id == id)
            .expect("a rule of the shop")
    };
    let (mut used, mut not_agreed) = (0, 0);
    for c in 0..index.shop().customers.len() {
        let held = candor::engine::held::held(&index, c);
        for f in &held.fields {
            for u in f.used_by.iter().filter(|u| u.kind == "rule") {
                let status = rule_status(&index, rule(&u.id), c);
                assert!(
                    !matches!(
                        status,
                        RuleStatus::Skipped(
                            SkipReason::NoConsent | SkipReason::AgreedBeforeCovered { .. }
                        )
                    ),
                    "customer {} has not agreed to {}, which reads their {}",
                    held.customer,
                    u.label,
                    f.field
                );
                used += 1;
            }
            for u in &f.needs_agreement {
                let status = rule_status(&index, rule(&u.id), c);
                assert!(matches!(
                    status,
                    RuleStatus::Skipped(
                        SkipReason::NoConsent | SkipReason::AgreedBeforeCovered { .. }
                    )
                ));
                not_agreed += 1;
            }
        }
    }
    assert!(
        used > 0 && not_agreed > 0,
        "{used} uses, {not_agreed} not agreed"
    );

    let (dir, path) = common::owned_sample_file();
    let out = dir.path().join("subject");
    let db = path.to_str().expect("utf-8");
    let args = ["export-subject", "--db", db, "--customer", "2", "--out"];
    candor()
        .args(args)
        .arg(&out)
        .args(["--actor", "Sam", "--reason", "she asked"])
        .assert()
        .success();
    let page = std::fs::read_to_string(out.join("customer-2.html")).expect("the page");
    assert!(
        page.contains("We do not use your data for recommendations"),
        "customer 2 has not agreed to personalized recommendations"
    );
    assert!(
        !page.contains("For the recommendations below"),
        "nor is any field of hers used for them"
    );
    assert!(page.contains("if you agreed)"));
}

/// "It would stay in the top 5 even without any of the customer's data" was said of a
/// product that drops out once no rule runs: a rule that held other products down (Not
/// again so soon) was never taken away when checking. Each claim is checked here with
/// every rule that reads the customer's data switched off, as the owner would simulate it.
#[test]
fn a_product_said_to_stay_without_any_rule_stays_when_every_rule_is_off() {
    use candor::engine::explain::explain;
    let shop = candor::shopgen::sample::sample_shop().expect("sample reads");
    let index =
        candor::engine::ShopIndex::new(std::sync::Arc::new(shop.clone()), common::sample_day());
    let mut off = shop;
    for rule in off.rules.iter_mut().filter(|r| !r.fields().is_empty()) {
        rule.enabled = false;
    }
    let off = candor::engine::ShopIndex::new(std::sync::Arc::new(off), common::sample_day());
    let n = index.shop().settings.top_n;
    let progress = candor::engine::simulate::Progress::default();
    let without = candor::engine::simulate::all_lists(&off, n, &progress).expect("lists");
    let mut scorer = candor::engine::Scorer::new(&index);
    let (mut stays, mut held_up) = (0, 0);
    for (c, list) in without.iter().enumerate() {
        let in_list_without = |product: i64| {
            list.iter()
                .any(|&p| index.shop().products[p as usize].id == product)
        };
        for r in explain(&mut scorer, c, n).recommendations {
            let said = &r.counterfactual.sentence;
            if said.contains("even if no rule used the customer's data") {
                assert!(
                    in_list_without(r.product),
                    "customer {c}, {}: {said}",
                    r.name
                );
                stays += 1;
            } else if said.contains("though not if no rule used the customer's data") {
                assert!(
                    !in_list_without(r.product),
                    "customer {c}, {}: {said}",
                    r.name
                );
                held_up += 1;
            }
        }
    }
    assert!(stays > 0 && held_up > 0, "{stays} stay, {held_up} held up");
}

/// Shown side by side, "+0.12 +2.50 +1.20" made 3.82 next to "score 3.83": each figure
/// was rounded on its own. The figures shown now add up to the score shown.
#[test]
fn the_contributions_shown_add_up_to_the_score_shown() {
    use candor::engine::explain::explain;
    let shop = candor::shopgen::sample::sample_shop().expect("sample reads");
    let index = candor::engine::ShopIndex::new(std::sync::Arc::new(shop), common::sample_day());
    let mut scorer = candor::engine::Scorer::new(&index);
    let cents = |v: f64| (v * 100.0).round() as i64;
    let mut moved = 0;
    for c in 0..index.shop().customers.len() {
        for r in explain(&mut scorer, c, 5).recommendations {
            let shown = r.shown_contributions();
            let sum: i64 = shown.iter().map(|&v| cents(v)).sum();
            assert_eq!(sum, cents(r.score), "customer {c}, {}: {shown:?}", r.name);
            // As printed: "score 3.43" beside figures that add up to 3.43.
            assert_eq!(
                format!("{:.2}", r.shown_score()),
                format!("{:.2}", sum as f64 / 100.0),
                "customer {c}, {}",
                r.name
            );
            for (contribution, shown) in r.contributions.iter().zip(&shown) {
                assert!((contribution.value - shown).abs() < 0.01 + 1e-9);
                assert_eq!(*shown != 0.0, contribution.counts());
                moved += usize::from(cents(contribution.value) != cents(*shown));
            }
        }
    }
    assert!(
        moved > 0,
        "the sample has figures that rounding alone would not add up"
    );
}

/// `candor rules` said "Not again so soon (weight -1.5): adds 1 per visit", and "reads ;"
/// for a rule that reads nothing personal.
#[test]
fn the_rules_in_words_say_what_each_takes_off_and_what_it_reads() {
    let (_dir, path) = common::sample_file();
    let out = on(&path, &["rules"]).success().get_output().stdout.clone();
    let out = String::from_utf8(out).expect("utf-8");
    assert!(
        out.contains("takes 1.5 (1 × weight -1.5) per visit in the last 7 days"),
        "{out}"
    );
    assert!(out.contains("reads no personal data"), "{out}");
    assert!(!out.contains("reads ;"), "{out}");
}

/// `simulate` listed "Intra-list diversity: 0.52 → 0.52" among the audit figures that
/// change: a change smaller than the precision shown is counted instead.
#[test]
fn an_audit_figure_listed_as_changing_shows_a_change() {
    let (dir, path) = common::sample_file();
    let changes = write(
        dir.path(),
        "withdraw.json",
        r#"{"changes":[{"kind":"consent","customer":1,"purpose":"personalization","granted":false}]}"#,
    );
    let args = ["simulate", "--changes", changes.to_str().expect("utf-8")];
    let out = on(&path, &args).success().get_output().stdout.clone();
    let out = String::from_utf8(out).expect("utf-8");
    let listed: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("Audit figures that change"))
        .skip(1)
        .take_while(|l| l.starts_with("  ") && l.contains(" → "))
        .collect();
    assert!(!listed.is_empty(), "{out}");
    for line in listed {
        let values = line
            .split(": ")
            .nth(1)
            .expect("a value")
            .split("  (")
            .next();
        let (before, after) = values
            .and_then(|v| v.split_once(" → "))
            .expect("before → after");
        assert_ne!(before, after, "{line}");
    }
    assert!(out.contains("by less than the precision shown"), "{out}");
}

/// A rule taking off per visit, capped at -2, took 2 off every product the customer had
/// ever bought, even with no visit in its window: the cap was a `min`, whatever its sign.
#[test]
fn a_rule_that_takes_off_per_visit_takes_nothing_without_a_visit() {
    use candor::engine::rules::Amount;
    let mut shop = candor::shopgen::sample::sample_shop().expect("sample reads");
    let rule = (shop.rules.iter_mut())
        .find(|r| r.id == "buy-again")
        .expect("Buy it again");
    rule.amount = Amount::PerPurchase {
        each: -0.5,
        max: -2.0,
        within_days: 30,
    };
    assert!(
        rule.effect_text()
            .starts_with("takes 0.5 per visit in the last 30 days")
    );
    let mut wrong = rule.clone();
    wrong.amount = Amount::PerPurchase {
        each: -0.5,
        max: 2.0,
        within_days: 30,
    };
    assert!(
        wrong
            .validate(&["personalization"])
            .is_err_and(|p| p.field == "amount.max")
    );
    let mut slight = rule.clone();
    slight.weight = 0.001;
    assert!(
        slight
            .effect_text()
            .starts_with("takes 0.0005 (-0.5 × weight 0.001) per visit"),
        "a weight of 0.001 is not shown as 0: {}",
        slight.effect_text()
    );
    slight.weight = 0.0;
    assert!(slight.effect_text().starts_with("has no effect (weight 0)"));
    let index = candor::engine::ShopIndex::new(std::sync::Arc::new(shop), common::sample_day());
    let mut scorer = candor::engine::Scorer::new(&index);
    let mut taken = 0;
    for c in 0..index.shop().customers.len() {
        for r in candor::engine::explain::explain(&mut scorer, c, 5).recommendations {
            for contribution in r.contributions.iter().filter(|x| x.id == "buy-again") {
                let visits = contribution.records.len() as f64;
                assert!(
                    visits > 0.0,
                    "customer {c}, {}: nothing to take off for",
                    r.name
                );
                let expected = (visits * -0.5).max(-2.0);
                assert!((contribution.value - expected).abs() < 1e-9, "customer {c}");
                taken += 1;
            }
        }
    }
    assert!(
        taken > 0,
        "some list still holds a product bought in the last 30 days"
    );
}

/// The changes deleting the birth dates of four of the sample's 33 customers aged 65 and
/// over: the group falls below the 30 customers the audit compares.
fn four_of_65_plus_without_birth_date(db: &Path) -> String {
    let conn = Connection::open(db).expect("opens");
    let mut oldest = conn
        .prepare("SELECT id FROM customers WHERE birth_date <= '1961-06-15' ORDER BY id LIMIT 4")
        .expect("query");
    let ids: Vec<i64> = (oldest.query_map([], |r| r.get(0)).expect("rows"))
        .collect::<Result<_, _>>()
        .expect("ids");
    let deletions: Vec<Value> = (ids.iter())
        .map(|id| {
            serde_json::json!({"kind": "customer_field", "customer": id,
                "field": "birth_date", "value": null})
        })
        .collect();
    serde_json::json!({ "changes": deletions }).to_string()
}

/// `simulate` does not call a fairness figure better when it moved only because a group
/// fell below the size the audit compares: it says which group left the comparison.
#[test]
fn simulate_says_when_a_group_leaves_the_fairness_comparison() {
    let (dir, db) = sample();
    let file = write(
        dir.path(),
        "changes.json",
        &four_of_65_plus_without_birth_date(&db),
    );
    let args = |json: bool| {
        let mut a = vec!["simulate", "--changes", file.to_str().expect("utf-8")];
        a.extend(json.then_some("--json"));
        a
    };
    let text = String::from_utf8(on(&db, &args(false)).success().get_output().stdout.clone())
        .expect("utf-8");
    assert!(text.contains("Not like for like:"), "{text}");
    assert!(
        text.contains("By age band, “65 and over” is no longer compared"),
        "{text}"
    );
    let findings = (text.lines())
        .find(|l| l.trim_start().starts_with("Findings:"))
        .expect("the count of findings moves");
    assert!(
        findings.ends_with("(not like for like, see below)"),
        "{findings}"
    );
    let report = json_of(candor().args(args(true)).arg("--db").arg(&db));
    let figures = report["audit"]["figures"].as_array().expect("figures");
    let premium = (figures.iter())
        .find(|f| f["key"] == "parity:age_band:premium")
        .expect("premium by age band");
    assert_eq!(
        premium["groups_no_longer_compared"],
        serde_json::json!(["65 and over"])
    );
}

/// A value a staff member deleted stays in the log (for the undo) only while it may be
/// kept: the retention purge deletes it there too, says so beforehand, and the deletion
/// can then no longer be undone (the undo would have written nothing back, or the value
/// past its period).
#[test]
fn a_retention_purge_also_deletes_earlier_values_kept_in_the_log() {
    let (dir, db) = sample();
    apply(
        &db,
        dir.path(),
        r#"{"changes":[{"kind":"customer_field","customer":5,"field":"gender","value":null}]}"#,
    )
    .success();
    apply(
        &db,
        dir.path(),
        r#"{"changes":[{"kind":"field_retention","field":"gender","retention_days":1}]}"#,
    )
    .success();
    let log =
        String::from_utf8(on(&db, &["log"]).success().get_output().stdout.clone()).expect("utf-8");
    assert!(
        log.contains("set how long the gender is kept: 1 day after the last order"),
        "{log}"
    );
    let purge = ["purge-retention", "--actor", "Sam", "--reason", "policy"];
    on(&db, &[&purge[..], &["--dry-run"]].concat())
        .success()
        .stdout(contains(
            "earlier values of 1 customer field in the audit log",
        ));
    on(&db, &purge).success().stdout(contains(
        "earlier values of 1 customer field in the audit log",
    ));
    let entries = log_json(&db);
    let deletion = (entries.as_array().expect("entries").iter())
        .find(|e| e["id"] == 2)
        .expect("the deletion's entry");
    assert_eq!(deletion["values_erased"], true, "{deletion}");
    assert!(
        !deletion.to_string().contains("non-binary"),
        "the old value is gone from the log: {deletion}"
    );
    on(
        &db,
        &["undo", "--entry", "2", "--actor", "Sam", "--reason", "r"],
    )
    .failure()
    .stderr(contains(
        "whose recorded values were deleted from the log since",
    ));
    on(
        &db,
        &["undo", "--entry", "4", "--actor", "Sam", "--reason", "r"],
    )
    .failure()
    .stderr(contains(
        "entry 4 records what was done (retention purge), not a change, which cannot be undone",
    ));
    log_is_intact(&db);
}

/// Changes are said in words a shop owner reads: fields by name, one thing in the
/// singular, a setting as something done.
#[test]
fn changes_read_in_plain_words_in_simulate_and_the_log() {
    let (dir, db) = sample();
    let changes = r#"{"changes":[
        {"kind":"setting","setting":"top_n","value":1},
        {"kind":"field_retention","field":"orders","retention_days":730},
        {"kind":"customer_field","customer":5,"field":"birth_date","value":null}]}"#;
    let file = write(dir.path(), "words.json", changes);
    on(
        &db,
        &["simulate", "--changes", file.to_str().expect("utf-8")],
    )
    .success()
    .stdout(contains("Recommend 1 product to each customer"))
    .stdout(contains("Delete the birth date of"));
    apply(&db, dir.path(), changes).success();
    on(&db, &["rules"])
        .success()
        .stdout(contains("reads birth date; runs for"));
    on(&db, &["log"])
        .success()
        .stdout(contains(
            "changed a setting: recommend 1 product to each customer",
        ))
        .stdout(contains("set how long the purchases are kept: 730 days"))
        .stdout(contains("deleted the birth date of"));
}

/// The history of the audit's figures says where a parity ratio stops comparing a group,
/// so a rise there does not read as the shop getting fairer.
#[test]
fn the_history_says_where_a_group_left_the_comparison() {
    let (dir, db) = sample();
    apply(
        &db,
        dir.path(),
        r#"{"changes":[{"kind":"rule_weight","rule":"buy-again","weight":1.5}]}"#,
    )
    .success();
    apply(&db, dir.path(), &four_of_65_plus_without_birth_date(&db)).success();
    let text = String::from_utf8(on(&db, &["history"]).success().get_output().stdout.clone())
        .expect("utf-8");
    let notes: Vec<&str> = (text.lines())
        .filter(|l| l.contains("not like for like"))
        .collect();
    assert_eq!(
        notes,
        [
            "  (1) not like for like with the line before: “65 and over” is no longer compared",
            "  (3) not like for like with the line before: a group entered or left the fairness comparison"
        ],
        "{text}"
    );
    let history = json_of(candor().args(["history", "--json", "--db"]).arg(&db));
    let last = history.as_array().and_then(|h| h.last()).expect("now");
    let premium = (last["figures"].as_array().expect("figures").iter())
        .find(|f| f["key"] == "parity:age_band:premium")
        .expect("premium by age band");
    assert!(
        !premium["groups_compared"]
            .as_array()
            .expect("groups kept")
            .contains(&serde_json::json!("65 and over"))
    );
}

/// A merge keeps the record it removed in the log (for its undo); once a field's retention
/// period is over for the customer, the purge takes that record's value of it out of the
/// log and the file too, and counts it beforehand.
#[test]
fn a_retention_purge_reaches_the_record_a_merge_kept_in_the_log() {
    let (dir, db) = sample();
    let phone_of = |id: i64| -> String {
        Connection::open(&db)
            .expect("opens")
            .query_row("SELECT phone FROM customers WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .expect("a phone")
    };
    let removed_phone = phone_of(153);
    apply(
        &db,
        dir.path(),
        r#"{"changes":[{"kind":"merge_customers","customer":166,"from":153}]}"#,
    )
    .success();
    apply(
        &db,
        dir.path(),
        r#"{"changes":[{"kind":"field_retention","field":"phone","retention_days":30}]}"#,
    )
    .success();
    assert!(log_json(&db).to_string().contains(&removed_phone));
    let purge = ["purge-retention", "--actor", "Sam", "--reason", "policy"];
    on(&db, &[&purge[..], &["--dry-run"]].concat())
        .success()
        .stdout(contains(
            "earlier values of 1 customer field in the audit log",
        ));
    on(&db, &purge).success();
    let log = log_json(&db);
    assert!(!log.to_string().contains(&removed_phone), "{log}");
    let merge = (log.as_array().expect("entries").iter())
        .find(|e| e["changes"][0]["change"]["kind"] == "merge_customers")
        .expect("the merge");
    assert_eq!(merge["values_erased"], true);
    assert!(
        !file_holds(&db, &removed_phone),
        "the phone is gone from the file's bytes"
    );
    log_is_intact(&db);
}

/// A figure whose compared groups change is listed even when its value does not move:
/// six new customers bring "male" up to the size compared, while the ratio by gender stays
/// not measurable (one group is not a comparison).
#[test]
fn a_figure_whose_groups_change_is_listed_even_when_its_value_stays() {
    let (dir, db) = sample();
    let newcomers: Vec<Value> = (0..6)
        .map(|i| {
            serde_json::json!({"kind": "new_customer",
                "fields": {"name": format!("New Customer {i}"), "gender": "male"}})
        })
        .collect();
    let file = write(
        dir.path(),
        "new.json",
        &serde_json::json!({ "changes": newcomers }).to_string(),
    );
    let text = String::from_utf8(
        on(
            &db,
            &["simulate", "--changes", file.to_str().expect("utf-8")],
        )
        .success()
        .get_output()
        .stdout
        .clone(),
    )
    .expect("utf-8");
    assert!(
        text.contains("parity ratio by gender: not measurable → not measurable  (not like for like, see below)"),
        "{text}"
    );
    assert!(
        text.contains("By gender, “male” is now compared too."),
        "{text}"
    );
}

/// A new customer taken back by an undo can still be erased by their number, and one added
/// again by undoing that undo (under a new number) is erased with the details the log kept
/// under the old one: no name, email or phone survives in the file.
#[test]
fn erasure_reaches_a_new_customer_taken_back_and_added_again() {
    let added = r#"{"changes":[{"kind":"new_customer","fields":{"name":"Zed Quorra",
        "email":"zed.quorra@example.org","phone":"07700 988888"},
        "consents":[{"purpose":"personalization","granted":true}]}]}"#;
    let in_file = |db: &Path| ["Quorra", "988888"].iter().any(|v| file_holds(db, v));
    let undo = |db: &Path, entry: &str| {
        on(
            db,
            &["undo", "--entry", entry, "--actor", "Sam", "--reason", "r"],
        )
        .success();
    };
    let (dir, db) = sample();
    apply(&db, dir.path(), added).success();
    undo(&db, "2");
    erase(&db, 201, "asked to be forgotten").success();
    assert!(!in_file(&db), "the details taken back are erased");

    let (dir, db) = sample();
    apply(&db, dir.path(), added).success();
    undo(&db, "2");
    undo(&db, "3");
    erase(&db, 202, "asked to be forgotten").success();
    assert!(
        !in_file(&db),
        "the details kept under 201 are erased with 202"
    );
    log_is_intact(&db);
}
