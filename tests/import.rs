//! Importing exports: presets, the column mapping, idempotent merging, consent from
//! exports, bad input (nothing half-written) and the real Online Retail data set.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use assert_cmd::Command;
use candor::engine::{self, ShopIndex};
use candor::store::Store;
use predicates::str::contains;

const SHOPIFY_CUSTOMERS: &str = "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Address1,Default Address City,Default Address Zip,Phone,Total Spent,Total Orders,Tags\n\
    101,Ann,Lee,ann@example.com,yes,1 High St,Bath,BA1 1AA,07700 900101,40.00,2,\n\
    102,Bob,Ray,bob@example.com,no,2 Low St,Bath,BA2 2BB,,12.00,1,vip\n\
    103,Cat,Day,cat@example.com,,3 Mid St,Bath,BA3 3CC,,0.00,0,\n";

const SHOPIFY_ORDERS: &str = "Name,Email,Financial Status,Accepts Marketing,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing Zip,Cancelled at\n\
    #1001,ann@example.com,paid,yes,2026-05-03 10:00:00 +0100,1,Coffee beans,8.50,CB1,Ann Lee,BA1 1AA,\n\
    #1001,,,,,2,Croissant,1.80,CR1,,,\n\
    #1002,bob@example.com,paid,no,2026-05-04 11:00:00 +0100,1,Tea,4.00,T1,Bob Ray,BA2 2BB,\n\
    #1003,,paid,,2026-05-05 12:00:00 +0100,3,Croissant,1.80,CR1,,,\n\
    #1004,bob@example.com,voided,no,2026-05-06 12:00:00 +0100,1,Tea,4.00,T1,Bob Ray,BA2 2BB,2026-05-06\n";

fn candor() -> Command {
    Command::cargo_bin("candor").expect("binary builds")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("writes");
    path
}

fn import(db: &Path, args: &[&str], inputs: &[&Path]) -> assert_cmd::assert::Assert {
    let mut cmd = candor();
    cmd.args(["import", "--db"])
        .arg(db)
        .args(["--actor", "Sam"])
        .args(args);
    for i in inputs {
        cmd.arg(i);
    }
    cmd.assert()
}

fn summary(db: &Path, inputs: &[&Path]) -> serde_json::Value {
    let out = import(db, &["--json"], inputs)
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("json summary")
}

fn load(db: &Path) -> candor::engine::Shop {
    Store::open_for_reading(db)
        .expect("opens")
        .0
        .load()
        .expect("loads")
}

fn index(db: &Path) -> ShopIndex {
    engine::index_for(
        Arc::new(load(db)),
        chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("date"),
    )
}

#[test]
fn shopify_exports_make_a_shop_with_consent_from_the_export() {
    let dir = tempfile::tempdir().expect("dir");
    let customers = write(
        dir.path(),
        "customers_export.csv",
        SHOPIFY_CUSTOMERS.as_bytes(),
    );
    let orders = write(dir.path(), "orders_export.csv", SHOPIFY_ORDERS.as_bytes());
    let db = dir.path().join("bakery.candor");
    let s = summary(&db, &[&customers, &orders]);
    let keys: Vec<&str> = s
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "consent_conflicts",
            "created",
            "currency",
            "currency_assumed",
            "files",
            "log_entry",
            "summary",
            "undo_copy"
        ],
        "the JSON contract"
    );
    assert_eq!(s["created"], true);
    assert_eq!(s["summary"]["customers_added"], 3);
    assert_eq!(s["summary"]["orders_added"], 3, "{s}");
    assert_eq!(s["summary"]["guest_orders_added"], 1);
    assert_eq!(
        s["summary"]["rows_left_out"]
            .as_object()
            .map(serde_json::Map::len),
        Some(1)
    );

    let shop = load(&db);
    let ann = shop
        .customers
        .iter()
        .find(|c| c.id == 101)
        .expect("Ann keeps her number");
    assert_eq!(ann.name.as_deref(), Some("Ann Lee"));
    assert_eq!(ann.address.as_deref(), Some("1 High St, Bath"));
    assert!(
        ann.source
            .contains("Shopify customers export (customers_export.csv)")
    );
    let ann_consents: Vec<_> = shop.consents.iter().filter(|e| e.customer == 101).collect();
    assert_eq!(ann_consents.len(), 1);
    assert!(ann_consents[0].granted && ann_consents[0].purpose == "email_offers");
    assert!(
        ann_consents[0].method.contains("column Accepts"),
        "{}",
        ann_consents[0].method
    );
    assert!(
        !shop.consents.iter().any(|e| e.purpose == "personalization"),
        "marketing consent is not consent to personalization"
    );
    assert!(
        !shop.consents.iter().any(|e| e.customer == 103),
        "a blank answer records nothing"
    );
    assert!(shop.rules.iter().all(|r| r.purpose == "personalization"));

    // The keys that recognize customers next time are hashes, never an email or a number.
    let conn = rusqlite::Connection::open(&db).expect("opens");
    let plain: i64 = conn
        .query_row(
            "SELECT count(*) FROM import_keys WHERE kind = 'customer' AND (key LIKE '%@%' OR key NOT LIKE 'k1:%')",
            [],
            |r| r.get(0),
        )
        .expect("counts");
    assert_eq!(plain, 0);
}

#[test]
fn importing_the_same_file_twice_changes_nothing_and_newer_exports_merge() {
    let dir = tempfile::tempdir().expect("dir");
    let customers = write(dir.path(), "customers.csv", SHOPIFY_CUSTOMERS.as_bytes());
    let orders = write(dir.path(), "orders.csv", SHOPIFY_ORDERS.as_bytes());
    let db = dir.path().join("shop.candor");
    summary(&db, &[&customers, &orders]);
    let before = load(&db);
    let log_before = Store::open_for_reading(&db)
        .expect("opens")
        .0
        .log()
        .expect("log");

    let again = summary(&db, &[&customers, &orders]);
    assert_eq!(again["log_entry"], serde_json::Value::Null);
    assert_eq!(again["summary"]["orders_already_imported"], 3);
    assert_eq!(load(&db), before);
    assert_eq!(
        Store::open_for_reading(&db)
            .expect("opens")
            .0
            .log()
            .expect("log"),
        log_before
    );

    let newer_customers = SHOPIFY_CUSTOMERS.replace("07700 900101", "07700 900999");
    let newer_orders = format!(
        "{SHOPIFY_ORDERS}#1005,ann@example.com,paid,yes,2026-05-20 09:00:00 +0100,1,Sourdough,3.20,SD1,Ann Lee,BA1 1AA,\n"
    );
    let customers2 = write(dir.path(), "customers2.csv", newer_customers.as_bytes());
    let orders2 = write(dir.path(), "orders2.csv", newer_orders.as_bytes());
    let s = summary(&db, &[&customers2, &orders2]);
    assert_eq!(s["summary"]["orders_added"], 1);
    assert_eq!(s["summary"]["products_added"], 1);
    assert_eq!(s["summary"]["customers_updated"], 1);
    assert_eq!(s["summary"]["customers_added"], 0);
    let after = load(&db);
    let ann = after.customers.iter().find(|c| c.id == 101).expect("Ann");
    assert_eq!(ann.phone.as_deref(), Some("07700 900999"));
    let log = Store::open_for_reading(&db)
        .expect("opens")
        .0
        .log()
        .expect("log");
    let last = log.last().expect("an entry");
    assert_eq!(last.actor, "Sam");
    assert_eq!(
        last.changes.len(),
        1,
        "the changed phone is logged with before and after"
    );
    assert_eq!(last.changes[0].before["value"], "07700 900101");
    candor()
        .args(["undo", "--db"])
        .arg(&db)
        .args([
            "--entry",
            &last.id.to_string(),
            "--actor",
            "Sam",
            "--reason",
            "try",
        ])
        .assert()
        .success()
        .stdout(contains("Took back the import"));
    let ann = load(&db)
        .customers
        .iter()
        .find(|c| c.id == 101)
        .and_then(|c| c.phone.clone());
    assert_eq!(
        ann.as_deref(),
        Some("07700 900101"),
        "the old phone is back"
    );
    let log = Store::open_for_reading(&db)
        .expect("opens")
        .0
        .log()
        .expect("log");
    let undone = log.last().expect("an entry");
    assert!(
        undone.id > last.id,
        "the taken-back import's number is not reused"
    );
    assert!(log.iter().all(|e| e.id != last.id));
}

#[test]
fn an_import_never_grants_over_a_recorded_withdrawal() {
    let dir = tempfile::tempdir().expect("dir");
    let customers = write(dir.path(), "customers.csv", SHOPIFY_CUSTOMERS.as_bytes());
    let db = dir.path().join("shop.candor");
    summary(&db, &[&customers]);
    let changes = write(
        dir.path(),
        "withdraw.json",
        br#"{"changes":[{"kind":"consent","customer":101,"purpose":"email_offers","granted":false}]}"#,
    );
    candor()
        .args(["apply", "--db"])
        .arg(&db)
        .arg("--changes")
        .arg(&changes)
        .args([
            "--actor",
            "Sam",
            "--reason",
            "Ann asked us to stop emailing",
        ])
        .assert()
        .success();
    let s = summary(&db, &[&customers]);
    assert_eq!(s["summary"]["consents_added"], 0);
    assert_eq!(
        s["summary"]["consents_not_recorded"]
            .as_object()
            .map(serde_json::Map::len),
        Some(1)
    );
    let idx = index(&db);
    let ann = idx.customer_pos(101).expect("Ann");
    assert!(!idx.has_consent(ann, "email_offers"));
}

#[test]
fn an_erased_customer_is_not_brought_back_by_an_old_export() {
    let dir = tempfile::tempdir().expect("dir");
    let customers = write(dir.path(), "customers.csv", SHOPIFY_CUSTOMERS.as_bytes());
    let orders = write(dir.path(), "orders.csv", SHOPIFY_ORDERS.as_bytes());
    let db = dir.path().join("shop.candor");
    summary(&db, &[&customers, &orders]);
    common::ensure_owner(&db, "correct horse battery");
    candor()
        .env("CANDOR_OWNER_PASSPHRASE", "correct horse battery")
        .args(["erase", "--db"])
        .arg(&db)
        .args([
            "--customer",
            "102",
            "--actor",
            "Owner",
            "--reason",
            "Bob asked to be forgotten",
        ])
        .assert()
        .success();
    let s = summary(&db, &[&customers, &orders]);
    assert_eq!(s["summary"]["erased_not_reimported"], 1, "{s}");
    assert_eq!(s["summary"]["customers_added"], 0);
    let shop = load(&db);
    assert!(
        !shop
            .customers
            .iter()
            .any(|c| c.email.as_deref() == Some("bob@example.com"))
    );
    let raw = std::fs::read(&db).expect("reads");
    assert!(!String::from_utf8_lossy(&raw).contains("bob@example.com"));

    // The erased keys are keyed hashes: a dictionary of plain SHA-256 hashes finds nothing.
    let conn = rusqlite::Connection::open(&db).expect("opens");
    let erased: Vec<String> = conn
        .prepare("SELECT key_hash FROM erased_keys")
        .expect("prepares")
        .query_map([], |r| r.get(0))
        .expect("reads")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert!(!erased.is_empty());
    assert!(erased.iter().all(|k| k.starts_with("k1:")), "{erased:?}");
    let plain = plain_hash("customer:email:bob@example.com");
    assert!(!erased.contains(&plain), "a plain dictionary finds Bob");
}

/// The plain SHA-256 hash of `text` in hex, as files before keyed hashes kept keys.
fn plain_hash(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn two_shops_hash_the_same_customer_differently() {
    let dir = tempfile::tempdir().expect("dir");
    let customers = write(dir.path(), "customers.csv", SHOPIFY_CUSTOMERS.as_bytes());
    let keys = |name: &str| -> Vec<String> {
        let db = dir.path().join(name);
        summary(&db, &[&customers]);
        let conn = rusqlite::Connection::open(&db).expect("opens");
        let mut stmt = conn
            .prepare("SELECT key FROM import_keys WHERE kind = 'customer' ORDER BY id, key")
            .expect("prepares");
        stmt.query_map([], |r| r.get(0))
            .expect("reads")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    let (one, other) = (keys("one.candor"), keys("other.candor"));
    assert_eq!(one.len(), other.len());
    assert!(one.iter().all(|k| k.starts_with("k1:")), "{one:?}");
    assert!(one.iter().all(|k| !other.contains(k)), "no hash is shared");
}

#[test]
fn an_erasure_recorded_before_keyed_hashes_still_keeps_the_customer_out() {
    let dir = tempfile::tempdir().expect("dir");
    let customers = write(dir.path(), "customers.csv", SHOPIFY_CUSTOMERS.as_bytes());
    let orders = write(dir.path(), "orders.csv", SHOPIFY_ORDERS.as_bytes());
    let db = dir.path().join("shop.candor");
    summary(&db, &[&customers, &orders]);
    common::ensure_owner(&db, "correct horse battery");
    candor()
        .env("CANDOR_OWNER_PASSPHRASE", "correct horse battery")
        .args(["erase", "--db"])
        .arg(&db)
        .args(["--customer", "102", "--actor", "Owner", "--reason", "asked"])
        .assert()
        .success();
    // Make it a file of schema 9: plain hashes of Bob's keys, and no secret.
    let conn = rusqlite::Connection::open(&db).expect("opens");
    conn.execute("DELETE FROM erased_keys", []).expect("clears");
    for key in ["customer:email:bob@example.com", "customer:shopify:102"] {
        conn.execute(
            "INSERT INTO erased_keys (key_hash) VALUES (?1)",
            [plain_hash(key)],
        )
        .expect("inserts");
    }
    conn.execute_batch(
        "DELETE FROM shop_settings WHERE key = 'key_hash_secret';
         ALTER TABLE audit_log DROP COLUMN state;
         DROP TABLE preferences; DELETE FROM personal_fields WHERE field = 'preferences';
         ALTER TABLE consents DROP COLUMN wording;
         DROP TABLE audit_signatures;
         PRAGMA user_version = 9;",
    )
    .expect("downgrades");
    drop(conn);
    let s = summary(&db, &[&customers, &orders]);
    assert_eq!(s["summary"]["erased_not_reimported"], 1, "{s}");
    assert_eq!(s["summary"]["customers_added"], 0, "{s}");
    let conn = rusqlite::Connection::open(&db).expect("opens");
    let secret: String = conn
        .query_row(
            "SELECT value FROM shop_settings WHERE key = 'key_hash_secret'",
            [],
            |r| r.get(0),
        )
        .expect("the upgrade made a secret");
    assert_eq!(secret.len(), 64);
}

#[test]
fn a_bad_row_stops_the_import_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let bad = SHOPIFY_ORDERS.replace("2026-05-04 11:00:00 +0100", "4th of May");
    let orders = write(dir.path(), "orders.csv", bad.as_bytes());
    let db = dir.path().join("new.candor");
    import(&db, &[], &[&orders])
        .failure()
        .stderr(contains(
            "orders.csv, line 4, column \"Created at\": \"4th of May\" is not a date",
        ))
        .stderr(contains("Nothing was imported"));
    assert!(
        !db.exists(),
        "a shop the import was to create is not left behind"
    );

    let (_sample_dir, sample) = common::sample_file();
    let bytes_before = std::fs::read(&sample).expect("reads");
    import(&sample, &[], &[&orders]).failure();
    assert_eq!(std::fs::read(&sample).expect("reads"), bytes_before);

    let report = dir.path().join("bad-rows.csv");
    import(
        &db,
        &["--skip-bad-rows", report.to_str().expect("path")],
        &[&orders],
    )
    .success();
    let text = std::fs::read_to_string(&report).expect("report written");
    assert!(text.starts_with("file,line,column,reason\n"), "{text}");
    assert!(text.contains("orders.csv,4,Created at,"), "{text}");
    assert_eq!(load(&db).orders.len(), 2, "the other orders are imported");
}

#[test]
fn a_bad_row_of_a_windows_file_is_named_by_the_line_an_editor_shows() {
    let dir = tempfile::tempdir().expect("dir");
    let bad = SHOPIFY_ORDERS.replace("2026-05-04 11:00:00 +0100", "4th of May");
    for (name, text) in [
        ("windows.csv", bad.replace('\n', "\r\n")),
        ("old-mac.csv", bad.replace('\n', "\r")),
    ] {
        let orders = write(dir.path(), name, text.as_bytes());
        import(&dir.path().join("new.candor"), &[], &[&orders])
            .failure()
            .stderr(contains(format!("{name}, line 4, column \"Created at\"")));
    }
}

#[test]
fn a_mapping_reads_latin1_semicolons_and_decimal_commas() {
    let dir = tempfile::tempdir().expect("dir");
    let mut bytes = b"Bon;Datum;Kunde;Artikel;Menge;Preis\n".to_vec();
    bytes.extend_from_slice(b"1;03.05.2026;7;Caf\xE9 cr\xE8me;2;2,50\n");
    bytes.extend_from_slice(b"1;03.05.2026;7;\"Brot,\nfrisch\";1;3,10\n");
    bytes.extend_from_slice(b"2;14.05.2026;;Caf\xE9 cr\xE8me;1;2,50\n");
    let input = write(dir.path(), "kasse.csv", &bytes);
    let mapping = write(
        dir.path(),
        "map.json",
        br#"{"name":"Till export","key_space":"till","dates":"day_month_year","decimal_comma":true,
            "columns":{"order_id":"Bon","date":"Datum","customer_id":"Kunde","product_name":"Artikel","quantity":"Menge","unit_price":"Preis"},
            "categories_from_names":[{"keyword":"caf","category":"coffee"}]}"#,
    );
    let db = dir.path().join("shop.candor");
    import(
        &db,
        &["--mapping", mapping.to_str().expect("path")],
        &[&input],
    )
    .success();
    let shop = load(&db);
    let coffee = shop
        .products
        .iter()
        .find(|p| p.name == "Café crème")
        .expect("decoded as Latin-1");
    assert_eq!(
        (coffee.price_cents, coffee.category.as_str()),
        (Some(250), "coffee")
    );
    assert!(shop.products.iter().any(|p| p.name == "Brot,\nfrisch"));
    assert_eq!(
        shop.orders.iter().filter(|o| o.customer.is_none()).count(),
        1
    );
    assert_eq!(shop.lines.len(), 3);
}

#[test]
fn files_that_cannot_be_imported_get_a_clear_reason() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shop.candor");
    let cases: [(&str, &[u8], &str); 6] = [
        ("empty.csv", b"", "empty.csv is empty"),
        (
            "header.csv",
            b"InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID\n",
            "has column names but no rows",
        ),
        (
            "photo.csv",
            b"\x89PNG\r\n\x1a\n\x00\x00",
            "photo.csv is not a CSV file",
        ),
        ("notes.csv", b"dear diary\ntoday I\n", "has only one column"),
        (
            "other.csv",
            b"a,b,c\n1,2,3\n",
            "not an export Candor recognizes",
        ),
        (
            "short.csv",
            b"InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID\n1,A,B\n",
            "line 2: this row has 3 fields but the header has 7",
        ),
    ];
    for (name, bytes, message) in cases {
        let input = write(dir.path(), name, bytes);
        import(&db, &[], &[&input])
            .failure()
            .stderr(contains(message));
        assert!(!db.exists());
    }
    let input = write(
        dir.path(),
        "orders.csv",
        b"Name,Email,Created at,Lineitem quantity,Lineitem name\n",
    );
    import(&db, &["--preset", "invoice-lines"], &[&input])
        .failure()
        .stderr(contains("has no column \"InvoiceNo\""));
    let unicode_text: Vec<u8> = std::iter::once([0xFF, 0xFE])
        .chain(
            "Name\tEmail\r\nAnn\tann@example.com\r\n"
                .encode_utf16()
                .map(u16::to_le_bytes),
        )
        .flatten()
        .collect();
    let without_mark: Vec<u8> = unicode_text[2..].to_vec();
    let with_euro: Vec<u8> = "Name\tPrice\r\nAnn\t€4.50\r\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    for (name, bytes) in [
        ("unicode.txt", unicode_text),
        ("plain16.csv", without_mark),
        ("euro16.csv", with_euro),
    ] {
        let input = write(dir.path(), name, &bytes);
        import(&db, &[], &[&input])
            .failure()
            .stderr(contains("UTF-16"))
            .stderr(contains("CSV UTF-8"));
    }
    assert!(!db.exists());
}

#[test]
fn detect_names_the_preset_or_refuses() {
    let dir = tempfile::tempdir().expect("dir");
    let orders = write(dir.path(), "orders.csv", SHOPIFY_ORDERS.as_bytes());
    candor()
        .args(["import", "--detect"])
        .arg(&orders)
        .assert()
        .success()
        .stdout(contains("orders.csv: shopify-orders"));
    let other = write(dir.path(), "other.csv", b"a,b\n1,2\n");
    candor()
        .args(["import", "--detect"])
        .arg(&other)
        .assert()
        .failure()
        .stdout(contains("not recognized"));
}

#[test]
fn the_online_retail_data_set_gives_a_usable_shop() {
    let Some(input) = common::online_retail() else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("online-retail.candor");
    let s = summary(&db, &[&input]);
    assert_eq!(s["summary"]["customers_added"], 4372);
    assert_eq!(s["summary"]["lines_added"], 541_909);
    assert_eq!(s["summary"]["consent_information"], false);
    assert_eq!(s["summary"]["pinned_today"], "2011-12-09");

    let shop = Arc::new(load(&db));
    assert_eq!(shop.customers.len(), 4372);
    assert!(
        shop.customers.iter().any(|c| c.id == 17850),
        "customers keep their numbers"
    );
    // Cancellations are returns: their lines have negative quantities.
    assert!(shop.lines.iter().filter(|l| l.quantity < 0).count() >= 9288);
    let postage = shop
        .products
        .iter()
        .find(|p| p.name == "POSTAGE")
        .expect("postage kept");
    assert!(!postage.is_product());
    // Guest sales count in popularity, attached to no one.
    let guests: std::collections::HashSet<i64> = shop
        .orders
        .iter()
        .filter(|o| o.customer.is_none())
        .map(|o| o.id)
        .collect();
    assert!(!guests.is_empty());
    let index = engine::index_for(
        shop.clone(),
        chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"),
    );
    let guest_only: Vec<usize> = (0..shop.products.len())
        .filter(|&p| {
            let id = shop.products[p].id;
            let mut lines = shop.lines.iter().filter(|l| l.product == id);
            let recent = |l: &&candor::engine::model::OrderLine| {
                shop.orders
                    .iter()
                    .find(|o| o.id == l.order)
                    .is_some_and(|o| o.date > index.today() - chrono::Duration::days(30))
            };
            lines.clone().any(|l| recent(&l)) && lines.all(|l| guests.contains(&l.order))
        })
        .take(1)
        .collect();
    if let Some(&p) = guest_only.first() {
        assert!(
            index.popularity(p) > 0.0,
            "a product sold only to guests is still popular"
        );
    }

    let mut scorer = engine::Scorer::new(&index);
    for c in 0..shop.customers.len() {
        let e = engine::explain(&mut scorer, c, 5);
        assert_eq!(
            e.recommendations.len(),
            5,
            "customer {}",
            shop.customers[c].id
        );
        for r in &e.recommendations {
            let sum: f64 = r.contributions.iter().map(|x| x.value).sum();
            assert!((sum - r.score).abs() < 1e-9, "the explanation adds up");
            let product = shop
                .products
                .iter()
                .find(|p| p.id == r.product)
                .expect("product");
            assert!(product.is_product(), "{} is not a product", product.name);
        }
    }

    let again = summary(&db, &[&input]);
    assert_eq!(again["log_entry"], serde_json::Value::Null);
    assert_eq!(again["summary"]["orders_already_imported"], 25_900);
}

#[test]
fn square_refunds_are_returns_and_woocommerce_lists_are_split() {
    let dir = tempfile::tempdir().expect("dir");
    let square = write(
        dir.path(),
        "items-2026.csv",
        b"Date,Time,Time Zone,Category,Item,Qty,Price Point Name,SKU,Gross Sales,Discounts,Net Sales,Transaction ID,Customer ID,Customer Name,Event Type\n\
          2026-05-03,10:00,UTC,Coffee,Flat white,2,Regular,FW1,$6.20,$0.00,$6.20,T1,SQ9,Ann Lee,Payment\n\
          2026-05-04,10:00,UTC,Coffee,Flat white,1,Regular,FW1,-$3.10,$0.00,-$3.10,T2,SQ9,Ann Lee,Refund\n",
    );
    let db = dir.path().join("square.candor");
    // Square writes its dollars with "$", which several currencies use: the owner says which.
    let out = import(&db, &["--json", "--currency", "USD"], &[&square])
        .success()
        .get_output()
        .stdout
        .clone();
    let s: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(s["currency"], "USD");
    assert_eq!(s["files"][0]["export"], "Square item sales export");
    assert_eq!(s["summary"]["returns_added"], 1);
    let shop = load(&db);
    let quantities: Vec<(i64, Option<i64>)> = shop
        .lines
        .iter()
        .map(|l| (l.quantity, l.unit_price_cents))
        .collect();
    assert_eq!(quantities, [(2, Some(310)), (-1, Some(310))]);
    assert_eq!(shop.products[0].category, "Coffee");

    let woo = write(
        dir.path(),
        "orders-report.csv",
        b"Date,Order #,Status,Customer,Customer type,Product(s),Items sold,Coupon(s),Net Sales\n\
          2026-05-03,1201,completed,Ann Lee,new,\"Beanie, Hoodie\",2,,30.00\n\
          2026-05-04,1202,cancelled,Bob Ray,new,Beanie,1,,10.00\n\
          2026-05-05,1203,completed,Ann Lee,returning,Beanie,3,,36.00\n",
    );
    let db = dir.path().join("woo.candor");
    let s = summary(&db, &[&woo]);
    assert_eq!(s["summary"]["orders_added"], 2);
    assert_eq!(
        s["summary"]["rows_left_out"]["order status \"cancelled\" is not a sale"],
        1
    );
    let shop = load(&db);
    let names: Vec<&str> = shop.products.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Beanie", "Hoodie"]);
    let lines: Vec<(i64, Option<i64>)> = shop
        .lines
        .iter()
        .map(|l| (l.quantity, l.unit_price_cents))
        .collect();
    assert_eq!(
        lines,
        [(1, None), (1, None), (3, Some(1200))],
        "two products in one cell: how the total splits is not known; one product: its items sold and its price"
    );
    assert_eq!(s["files"][0]["lines_without_price"], 2, "{s}");
    assert_eq!(shop.customers[0].name.as_deref(), Some("Ann Lee"));
}

/// Staff importing `input` into `db`, recognizing its export by its header.
fn staff_import(db: &Path, input: PathBuf) -> candor::import::ImportRequest {
    candor::import::ImportRequest {
        db: db.to_owned(),
        inputs: vec![input],
        choice: candor::import::Choice::Detect,
        skip_bad_rows: false,
        who: candor::store::Attribution {
            actor: "Sam".into(),
            reason: "test".into(),
            at: "2026-06-01T00:00:00+00:00".into(),
        },
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("date"),
        currency: None,
        owner: false,
    }
}

#[test]
fn a_cancelled_import_writes_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let orders = write(dir.path(), "orders.csv", SHOPIFY_ORDERS.as_bytes());
    let db = dir.path().join("shop.candor");
    let cancel = std::sync::atomic::AtomicBool::new(true);
    let request = staff_import(&db, orders);
    let result = candor::import::import(&request, &|_| {}, Some(&cancel));
    assert!(matches!(
        result,
        Err(candor::import::ImportError::Cancelled)
    ));
    assert!(!db.exists());
    let mut fractions = Vec::new();
    let seen = std::sync::Mutex::new(&mut fractions);
    candor::import::import(
        &request,
        &|p| seen.lock().expect("lock").push(p.fraction),
        None,
    )
    .expect("imports");
    assert_eq!(
        fractions.last().copied(),
        Some(1.0),
        "progress ends at 100 %"
    );
    assert!(
        fractions.windows(2).all(|w| w[0] <= w[1]),
        "progress only moves forward"
    );
}

#[test]
fn only_the_owners_import_changes_a_price_and_staffs_writes_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let orders = write(dir.path(), "orders.csv", SHOPIFY_ORDERS.as_bytes());
    let db = dir.path().join("shop.candor");
    let mut request = staff_import(&db, orders);
    candor::import::import(&request, &|_| {}, None).expect("staff import new products");
    let products = write(
        dir.path(),
        "products_export_1.csv",
        b"Handle,Title,Variant SKU,Variant Price,Type\n\
          coffee-beans,Coffee beans,CB1,9.00,Coffee\n\
          tea,Tea,T1,4.00,Tea\n",
    );
    request.inputs = vec![products];
    let before = std::fs::read(&db).expect("shop file");
    let refused = candor::import::import(&request, &|_| {}, None).expect_err("a price rises");
    assert!(
        matches!(
            refused,
            candor::import::ImportError::PricesNeedOwner { count: 1 }
        ),
        "{refused}"
    );
    let message = refused.to_string();
    assert!(
        message.contains("the price of 1 product already in the shop")
            && message.contains("only the owner may change prices")
            && message.contains("Nothing was imported"),
        "{message}"
    );
    assert_eq!(
        std::fs::read(&db).expect("shop file"),
        before,
        "nothing written"
    );
    request.owner = true;
    let outcome = candor::import::import(&request, &|_| {}, None).expect("the owner's import");
    assert_eq!(outcome.summary.product_prices_changed, 1);
}

#[test]
fn square_and_woocommerce_customer_exports() {
    let dir = tempfile::tempdir().expect("dir");
    let square = write(
        dir.path(),
        "customers.csv",
        b"Reference ID,First Name,Last Name,Email Address,Phone Number,Street Address 1,City,Postal Code,Birthday,Square Customer ID,First Visit,Email Subscription Status\n\
          ,Ann,Lee,ann@example.com,07700 900123,1 High St,Bath,BA1 1AA,1980-03-14,SQ1,2024-02-01,subscribed\n\
          ,Bob,Ray,,,,,,0000-07-02,SQ2,2024-03-05,unsubscribed\n\
          ,Cy,Oak,cy@example.com,,,,,,SQ3,2024-04-09,Unknown\n",
    );
    let db = dir.path().join("square.candor");
    let s = summary(&db, &[&square]);
    assert_eq!(s["files"][0]["export"], "Square customers export");
    // Square marks everyone with an email "Subscribed": only the unsubscribing is an
    // answer of the customer's own; "Unknown" is no answer.
    assert_eq!(s["summary"]["consents_added"], 1, "{s}");
    assert_eq!(s["files"][0]["consent_defaults_not_recorded"], 1, "{s}");
    assert_eq!(s["summary"]["customers_added"], 3, "{s}");
    let shop = load(&db);
    let ann = shop
        .customers
        .iter()
        .find(|c| c.name.as_deref() == Some("Ann Lee"))
        .expect("Ann");
    assert_eq!(
        ann.birth_date.map(|d| d.to_string()).as_deref(),
        Some("1980-03-14")
    );
    assert_eq!(ann.since.to_string(), "2024-02-01");
    let bob = shop
        .customers
        .iter()
        .find(|c| c.name.as_deref() == Some("Bob Ray"))
        .expect("Bob");
    assert_eq!(
        bob.birth_date, None,
        "a birthday without a year is not a birth date"
    );
    let bob_consent = shop
        .consents
        .iter()
        .find(|e| e.customer == bob.id)
        .expect("recorded");
    assert!(!bob_consent.granted);
    assert!(
        shop.consents.iter().all(|e| e.customer == bob.id),
        "no consent for Ann or Cy: {:?}",
        shop.consents
    );

    let woo = write(
        dir.path(),
        "customers-report.csv",
        b"Name,Username,Last active,Date registered,Email,Orders,Total spend,AOV,Country / Region,City,Region,Postal code\n\
          Cat Day,catd,2026-05-01,2025-01-10,cat@example.com,3,90.00,30.00,GB,Bath,,BA3 3CC\n",
    );
    let db = dir.path().join("woo.candor");
    let s = summary(&db, &[&woo]);
    assert_eq!(
        s["files"][0]["export"],
        "WooCommerce Analytics customers export"
    );
    assert_eq!(s["summary"]["consent_information"], false);
    let shop = load(&db);
    assert_eq!(shop.customers[0].postcode.as_deref(), Some("BA3 3CC"));
    assert_eq!(shop.customers[0].since.to_string(), "2025-01-10");
    assert!(
        shop.consents.is_empty(),
        "no consent column, no consent invented"
    );
}

#[test]
fn a_preferences_column_records_what_customers_like_once_and_never_over_their_decision() {
    use candor::engine::changes::Change;
    use candor::engine::preferences::{About, Preference, PreferenceKind};
    let dir = tempfile::tempdir().expect("dir");
    let customers = write(
        dir.path(),
        "customers_export.csv",
        b"Customer ID,First Name,Last Name,Email,Tags\n\
          101,Ann,Lee,ann@example.com,\"tea, Vegan\"\n\
          102,Bob,Ray,bob@example.com,\"tea,tea\"\n\
          103,Cat,Day,cat@example.com,\n",
    );
    let mapping = write(
        dir.path(),
        "map.json",
        br#"{"name": "Shopify customers export", "key_space": "shopify",
            "columns": {"customer_id": "Customer ID", "email": "Email",
                        "name": ["First Name", "Last Name"]},
            "preferences": [{"column": "Tags", "kind": "liked", "about": "tag"}]}"#,
    );
    let db = dir.path().join("shop.candor");
    let run = || {
        let out = import(
            &db,
            &["--json", "--mapping", mapping.to_str().expect("path")],
            &[&customers],
        )
        .success()
        .get_output()
        .stdout
        .clone();
        serde_json::from_slice::<serde_json::Value>(&out).expect("json")
    };
    let first = run();
    assert_eq!(first["summary"]["preferences_added"], 3, "{first}");
    let shop = load(&db);
    let ann = shop
        .customers
        .iter()
        .find(|c| c.email.as_deref() == Some("ann@example.com"));
    let ann = ann.expect("Ann").id;
    let tags_of = |shop: &candor::engine::Shop, id| -> Vec<String> {
        let stands = |p| candor::engine::preferences::holds(&shop.preferences, id, p);
        shop.preferences
            .iter()
            .filter(|e| e.customer == id && !e.withdrawn && stands(&e.preference))
            .map(|e| match &e.preference.about {
                About::Tag(t) => t.clone(),
                other => panic!("not a tag: {other:?}"),
            })
            .collect()
    };
    assert_eq!(tags_of(&shop, ann), ["tea", "Vegan"]);
    let event = &shop.preferences[0];
    assert_eq!(event.recorded_by, "Sam");
    assert!(event.method.contains("column Tags"), "{}", event.method);
    assert!(event.preference.kind == PreferenceKind::Liked);

    // The same file again records nothing new.
    assert_eq!(run()["summary"]["preferences_added"], 0);

    // Ann takes back "Vegan" at the counter: a later import does not state it again.
    let (mut store, _) = Store::open(&db).expect("opens");
    let vegan = Change::Preference {
        customer: ann,
        preference: Some(Preference {
            kind: PreferenceKind::Liked,
            about: About::Tag("Vegan".to_owned()),
        }),
        withdrawn: true,
        method: Some("at the counter".to_owned()),
        words: None,
        lifted_by: Vec::new(),
    };
    let who = candor::store::Attribution::now("Jo", "customer asked");
    store
        .apply(None, &[vegan], &who, None, None)
        .expect("applies");
    drop(store);
    let again = run();
    assert_eq!(again["summary"]["preferences_added"], 0);
    let not_recorded = &again["summary"]["preferences_not_recorded"];
    assert_eq!(
        not_recorded.as_object().expect("reasons").values().next(),
        Some(&serde_json::json!(1)),
        "{again}"
    );
    assert_eq!(tags_of(&load(&db), ann), ["tea"]);
}

#[test]
fn a_preferences_column_that_cannot_mean_anything_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("dir");
    let input = write(dir.path(), "c.csv", b"Email,Tags\nann@example.com,gifts\n");
    let mapping = write(
        dir.path(),
        "map.json",
        br#"{"name": "Customers", "key_space": "csv", "columns": {"email": "Email"},
            "preferences": [{"column": "Tags", "kind": "ignore_purchases", "about": "tag"}]}"#,
    );
    let db = dir.path().join("shop.candor");
    import(
        &db,
        &["--mapping", mapping.to_str().expect("path")],
        &[&input],
    )
    .failure()
    .stderr(contains("\"Tags\""))
    .stderr(contains("takes categories"));
    assert!(!db.exists(), "nothing written");
}

#[test]
fn an_output_path_that_is_the_shop_or_an_input_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().expect("dir");
    let bad = format!(
        "{SHOPIFY_ORDERS}#1005,cat@example.com,paid,yes,2026-05-07 12:00:00 +0100,1,Tea,NaN,T1,Cat Day,BA3 3CC,\n"
    );
    let input = write(dir.path(), "orders_export.csv", bad.as_bytes());
    let db = dir.path().join("shop.candor");
    let new_shop = db.to_str().expect("utf-8");
    import(&db, &["--skip-bad-rows", new_shop], &[&input])
        .failure()
        .stderr(contains("never writes an output over it"));
    assert!(!db.exists(), "no shop was made");
    let before = std::fs::read(&input).expect("reads");
    let same_input = input.to_str().expect("utf-8");
    import(&db, &["--skip-bad-rows", same_input], &[&input])
        .failure()
        .stderr(contains("nothing was imported"));
    assert_eq!(
        std::fs::read(&input).expect("reads"),
        before,
        "the export kept"
    );

    summary(
        &db,
        &[&write(dir.path(), "good.csv", SHOPIFY_ORDERS.as_bytes())],
    );
    let shop_bytes = std::fs::read(&db).expect("reads");
    let nowhere = dir.path().join("no-such-folder/report.csv");
    import(
        &db,
        &["--skip-bad-rows", nowhere.to_str().expect("utf-8")],
        &[&input],
    )
    .failure()
    .stderr(contains("nothing was imported"));
    import(&db, &["--skip-bad-rows", new_shop], &[&input])
        .failure()
        .stderr(contains("never writes an output over it"));
    candor()
        .args(["log", "--db", new_shop, "--csv", new_shop])
        .assert()
        .failure()
        .stderr(contains("never writes an output over it"));
    candor()
        .args([
            "preferences",
            "--db",
            new_shop,
            "--customer",
            "1",
            "--card",
            new_shop,
        ])
        .assert()
        .failure()
        .stderr(contains("never writes an output over it"));
    let folder = dir.path().join("reports");
    std::fs::create_dir(&folder).expect("folder");
    import(
        &db,
        &["--skip-bad-rows", folder.to_str().expect("utf-8")],
        &[&input],
    )
    .failure()
    .stderr(contains("is a folder, not a file"))
    .stderr(contains("nothing was imported"));
    assert_eq!(
        std::fs::read(&db).expect("reads"),
        shop_bytes,
        "the shop as it was"
    );

    // A later import's report must not replace the copy that undoes the one before.
    let copy = dir.path().join("shop.candor.import-1-backup");
    std::fs::write(&copy, [0x5a; 32]).expect("stands in for an encrypted copy");
    import(
        &db,
        &["--skip-bad-rows", copy.to_str().expect("utf-8")],
        &[&input],
    )
    .failure()
    .stderr(contains("the copy kept to undo an import"));
    assert_eq!(std::fs::read(&copy).expect("reads"), [0x5a; 32]);

    // Nor the mapping the import reads.
    let mapping = dir.path().join("shopify.json");
    candor()
        .args(["import", "--guess-mapping"])
        .arg(&mapping)
        .arg(&input)
        .assert()
        .success();
    let written = std::fs::read(&mapping).expect("reads");
    let map = mapping.to_str().expect("utf-8");
    import(&db, &["--mapping", map, "--skip-bad-rows", map], &[&input])
        .failure()
        .stderr(contains("never writes an output over it"));
    assert_eq!(std::fs::read(&mapping).expect("reads"), written);
}

#[test]
fn a_mistyped_shop_path_is_named_once_in_plain_words() {
    let dir = tempfile::tempdir().expect("dir");
    let input = write(dir.path(), "customers.csv", SHOPIFY_CUSTOMERS.as_bytes());
    let missing = dir.path().join("no-such-folder/shop.candor");
    let out = import(&missing, &[], &[&input])
        .failure()
        .get_output()
        .stderr
        .clone();
    let said = String::from_utf8_lossy(&out);
    assert!(said.contains("does not exist"), "{said}");
    assert!(
        !said.contains("importing"),
        "no working file is named: {said}"
    );
    import(dir.path(), &[], &[&input])
        .failure()
        .stderr(contains("is a folder, not a shop file"));
    import(&input.join("shop.candor"), &[], &[&input])
        .failure()
        .stderr(contains("customers.csv is a file, not a folder"));
    let out = candor()
        .args(["customers", "--db"])
        .arg(&missing)
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let said = String::from_utf8_lossy(&out);
    assert!(said.contains("does not exist"), "{said}");
    assert_eq!(said.matches("shop.candor").count(), 1, "said once: {said}");
}

/// An Online Retail layout of invoice lines: one invoice per customer, on `day`.
fn invoices(lines: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut text = String::from(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n",
    );
    for (invoice, day, customer) in lines {
        text.push_str(&format!(
            "{invoice},85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,{day} 08:26,2.55,{customer},United Kingdom\n"
        ));
    }
    text.into_bytes()
}

#[test]
fn newer_orders_move_a_pinned_shops_day_and_recent_ones_unpin_it() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shop.candor");
    let january = write(
        dir.path(),
        "january.csv",
        &invoices(&[("536365", "2021-01-04", "17850")]),
    );
    let first = summary(&db, &[&january]);
    assert_eq!(first["summary"]["pinned_today"], "2021-01-04", "{first}");
    assert!(first["summary"]["pinned_today_before"].is_null());

    let march = write(
        dir.path(),
        "march.csv",
        &invoices(&[("536400", "2021-03-05", "13047")]),
    );
    let moved = summary(&db, &[&march]);
    assert_eq!(moved["summary"]["pinned_today"], "2021-03-05", "{moved}");
    assert_eq!(moved["summary"]["pinned_today_before"], "2021-01-04");
    let shop = load(&db);
    assert_eq!(
        shop.settings.pinned_today,
        chrono::NaiveDate::from_ymd_opt(2021, 3, 5)
    );
    let newcomer = shop
        .customers
        .iter()
        .find(|c| c.id == 13047)
        .expect("13047");
    assert_eq!(
        newcomer.since.to_string(),
        "2021-03-05",
        "a customer since their first order, not the old pinned day"
    );

    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let recent = write(
        dir.path(),
        "recent.csv",
        &invoices(&[("536500", &today, "12583")]),
    );
    import(&db, &[], &[&recent])
        .success()
        .stdout(contains("no longer pinned to 2021-03-05"));
    assert_eq!(load(&db).settings.pinned_today, None);
    candor()
        .args(["log", "--verify", "--db"])
        .arg(&db)
        .assert()
        .success();

    // Older orders leave the day where it is.
    let older = write(
        dir.path(),
        "older.csv",
        &invoices(&[("536300", "2020-12-01", "17850")]),
    );
    let kept = summary(&db, &[&older]);
    assert!(kept["summary"]["pinned_today_before"].is_null(), "{kept}");
}

#[test]
fn cancel_stops_the_pass_that_reads_every_date_to_tell_their_order() {
    let dir = tempfile::tempdir().expect("dir");
    // Every date could be day-first or month-first: only the whole file could tell, and
    // here it cannot, so the pass reads all 5,000 rows.
    let mut text = String::from("Date,Time,Item,Qty,Transaction ID,Gross Sales,Customer ID\n");
    for n in 0..5000 {
        text.push_str(&format!("01/02/2024,10:00:00,Latte,1,tx{n},$4.50,C{n}\n"));
    }
    let input = write(dir.path(), "items-2024.csv", text.as_bytes());
    let db = dir.path().join("shop.candor");
    let mut request = staff_import(&db, input);
    request.currency = Some(candor::engine::money::Currency::from_code("USD").expect("USD"));
    let untold = candor::import::import(&request, &|_| {}, None);
    assert!(
        matches!(untold, Err(candor::import::ImportError::DatesUntold { .. })),
        "{untold:?}"
    );
    let cancel = std::sync::atomic::AtomicBool::new(true);
    let result = candor::import::import(&request, &|_| {}, Some(&cancel));
    assert!(
        matches!(result, Err(candor::import::ImportError::Cancelled)),
        "{result:?}"
    );
    assert!(!db.exists());
}

/// `undo --dry-run` of an import that later entries followed says it cannot be taken back,
/// as the undo itself does, rather than describing a restore that would be refused.
#[test]
fn a_dry_run_refuses_an_import_undo_the_undo_would_refuse() {
    let (dir, db) = common::sample_file();
    let orders = write(dir.path(), "orders.csv", SHOPIFY_ORDERS.as_bytes());
    let imported = summary(&db, &[&orders]);
    let entry = imported["log_entry"].as_i64().expect("logged").to_string();
    let changes = write(
        dir.path(),
        "consent.json",
        br#"{"changes":[{"kind":"consent","customer":1,"purpose":"personalization","granted":false}]}"#,
    );
    candor()
        .args(["apply", "--actor", "Sam", "--reason", "she rang", "--db"])
        .arg(&db)
        .arg("--changes")
        .arg(&changes)
        .assert()
        .success();
    let undo = ["undo", "--entry", &entry, "--actor", "Sam", "--reason", "r"];
    for dry in [true, false] {
        let mut cmd = candor();
        cmd.args(undo).arg("--db").arg(&db);
        if dry {
            cmd.arg("--dry-run");
        }
        cmd.assert()
            .failure()
            .stderr(contains("an import followed by later entries"));
    }
}
