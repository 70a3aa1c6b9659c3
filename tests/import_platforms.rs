//! Exports laid out as the platforms write them: an order's status on its first row only,
//! payment statuses, newest-first rows, Shopify's apostrophes, US and named-month dates,
//! whitespace-separated files without a header, customers without an email, currencies,
//! and a preset for each platform recognized by its header.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use candor::engine::Shop;
use candor::store::Store;
use predicates::str::contains;
use serde_json::Value;

fn candor() -> Command {
    Command::cargo_bin("candor").expect("binary builds")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("writes");
    path
}

/// Imports `file` into the shop at `db` (made or existing); returns the JSON outcome.
fn import_into(db: &Path, file: &Path) -> Value {
    import_with_passphrase(db, file, None)
}

/// Imports `file` into the shop at `db` as the owner (the passphrase from the environment).
/// Sets up the owner of the shop at `db` with `passphrase`, unless it has one.
fn ensure_owner(db: &Path, passphrase: &str) {
    let (mut store, _) = Store::open(db).expect("opens");
    if store.owner_state().expect("reads") != candor::store::OwnerState::SetUp {
        let who = candor::store::Attribution::now("the owner", "setting up the owner");
        store.set_up_owner(passphrase, &who).expect("set up");
    }
}

fn import_as_owner(db: &Path, file: &Path) -> Value {
    import_with_passphrase(db, file, Some("the owner's long passphrase"))
}

fn import_with_passphrase(db: &Path, file: &Path, passphrase: Option<&str>) -> Value {
    let mut command = candor();
    command
        .args(["import", "--json", "--actor", "Sam", "--db"])
        .arg(db)
        .arg(file);
    match passphrase {
        Some(p) => {
            if db.exists() {
                ensure_owner(db, p);
            }
            command.env("CANDOR_OWNER_PASSPHRASE", p)
        }
        None => command.env_remove("CANDOR_OWNER_PASSPHRASE"),
    };
    let out = command.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).expect("json")
}

/// Imports `files` into a new shop; returns the JSON outcome and the shop.
fn import(dir: &Path, args: &[&str], files: &[(&str, &str)]) -> (Value, Shop) {
    let db = dir.join(format!("shop-{}.candor", files[0].0));
    let mut cmd = candor();
    cmd.args(["import", "--json", "--actor", "Sam", "--db"])
        .arg(&db)
        .args(args);
    for (name, text) in files {
        cmd.arg(write(dir, name, text));
    }
    let out = cmd.assert().success().get_output().stdout.clone();
    let json: Value = serde_json::from_slice(&out).expect("json");
    let shop = load(&db);
    (json, shop)
}

/// Imports `files` into a new shop in a folder of its own, `name`, under `dir`: the same
/// file names can then be used again beside it.
fn import_in_folder(dir: &Path, name: &str, files: &[(&str, &str)]) -> (Value, Shop) {
    let folder = dir.join(name);
    std::fs::create_dir(&folder).expect("folder");
    import(&folder, &[], files)
}

fn refused(dir: &Path, args: &[&str], name: &str, text: &str) -> String {
    let db = dir.join("refused.candor");
    let out = candor()
        .args(["import", "--actor", "Sam", "--db"])
        .arg(&db)
        .args(args)
        .arg(write(dir, name, text))
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert!(!db.exists(), "nothing is left behind");
    String::from_utf8_lossy(&out).into_owned()
}

/// What staff importing `file` into the existing shop at `db` are told when it is refused;
/// the shop file is left as it was.
fn refused_into(db: &Path, file: &Path) -> String {
    let before = std::fs::read(db).expect("reads");
    let out = candor()
        .args(["import", "--actor", "Sam", "--db"])
        .arg(db)
        .arg(file)
        .env_remove("CANDOR_OWNER_PASSPHRASE")
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert_eq!(std::fs::read(db).expect("reads"), before, "nothing written");
    String::from_utf8_lossy(&out).into_owned()
}

/// What `candor COMMAND --db DB --customer ID` prints.
fn about(db: &Path, customer: i64, command: &[&str]) -> String {
    let out = candor()
        .args(command)
        .arg("--db")
        .arg(db)
        .args(["--customer", &customer.to_string()])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).expect("utf-8")
}

/// What `candor import --guess-mapping MAP FILE…` does.
fn guess_mapping(map: &Path, files: &[&Path]) -> assert_cmd::assert::Assert {
    candor()
        .args(["import", "--guess-mapping"])
        .arg(map)
        .args(files)
        .assert()
}

/// The shop in the file at `db`.
fn load(db: &Path) -> Shop {
    Store::open_for_reading(db)
        .expect("opens")
        .0
        .load()
        .expect("loads")
}

fn units(shop: &Shop) -> i64 {
    shop.lines.iter().map(|l| l.quantity).sum()
}

/// The columns of a current Shopify orders export that these tests fill in (the rest of
/// its 79 columns are read the same way: by name).
const SHOPIFY_HEADER: &str = "Name,Email,Financial Status,Paid at,Fulfillment Status,Accepts Marketing,Currency,Subtotal,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing Address1,Billing City,Billing Zip,Billing Phone,Cancelled at,Refunded Amount,Vendor,Id";

#[test]
fn a_shopify_order_takes_its_status_from_its_first_row() {
    let dir = tempfile::tempdir().expect("dir");
    let csv = format!(
        "{SHOPIFY_HEADER}\n\
         #5632,ann@example.com,refunded,2024-05-03 10:00:00 +0100,fulfilled,yes,USD,20.00,20.00,2024-05-03 10:00:00 +0100,1,Coffee beans,8.50,CB1,Ann Lee,1 High St,Boston,02135,,,20.00,Roastery,5001\n\
         #5632,ann@example.com,,,,,,,,2024-05-03 10:00:00 +0100,2,Croissant,5.75,CR1,,,,,,,,Bakery,\n\
         #5633,bob@example.com,voided,,,no,USD,4.00,4.00,2024-05-04 09:00:00 +0100,1,Tea,4.00,T1,Bob Ray,2 Low St,Boston,02139,,,0.00,Teas,5002\n\
         #5634,bob@example.com,paid,2024-05-05 09:00:00 +0100,,no,USD,8.00,8.00,2024-05-05 09:00:00 +0100,2,Tea,4.00,T1,Bob Ray,2 Low St,Boston,02139,,2024-05-06 08:00:00 +0100,8.00,Teas,5003\n\
         #5634,bob@example.com,,,,,,,,2024-05-05 09:00:00 +0100,1,Croissant,5.75,CR1,,,,,,,,Bakery,\n\
         #5635,cat@example.com,partially_refunded,2024-05-07 09:00:00 +0100,,yes,USD,13.50,13.50,2024-05-07 09:00:00 +0100,1,Coffee beans,8.50,CB1,Cat Day,3 Mid St,Boston,'02140,'+1 617 555 0101,,5.00,Roastery,5004\n\
         #5635,cat@example.com,,,,,,,,2024-05-07 09:00:00 +0100,1,Mug,5.00,MUG,,,,,,,,Pottery,\n\
         #5636,dan@example.com,paid,2024-05-08 09:00:00 +0100,,no,USD,4.00,4.00,2024-05-08 09:00:00 +0100,1,Tea,4.00,T1,Dan Fox,4 Top St,Boston,02141,,,0.00,Teas,5005\n"
    );
    let (json, shop) = import(dir.path(), &[], &[("orders_export_1.csv", &csv)]);
    let s = &json["summary"];
    assert_eq!(s["orders_added"], 2, "{s}");
    assert_eq!(shop.orders.len(), 2, "only #5635 and #5636 were purchases");
    assert_eq!(
        units(&shop),
        3,
        "no line of a refunded, voided or cancelled order"
    );
    assert_eq!(s["orders_not_purchases"]["refunded"], 1);
    assert_eq!(s["orders_not_purchases"]["voided"], 1);
    assert_eq!(s["orders_not_purchases"]["cancelled"], 1);
    assert_eq!(s["orders_partly_refunded"], 1);
    assert_eq!(s["currencies"], serde_json::json!(["USD"]));
    let file = &json["files"][0];
    assert_eq!(file["orders_as_purchases"], 2);
    assert_eq!(file["orders_partly_refunded"], 1);
    assert_eq!(file["orders_not_purchases"]["refunded"], 1);
    assert_eq!(file["currencies"], serde_json::json!(["USD"]));
    let cat = shop
        .customers
        .iter()
        .find(|c| c.email.as_deref() == Some("cat@example.com"))
        .expect("Cat is a customer");
    assert_eq!(cat.postcode.as_deref(), Some("02140"), "no apostrophe");
    assert_eq!(cat.phone.as_deref(), Some("+1 617 555 0101"));
}

#[test]
fn a_customers_fields_come_from_their_newest_record_whatever_the_row_order() {
    let dir = tempfile::tempdir().expect("dir");
    let newer = "#1002,ann@example.com,paid,,,yes,GBP,8.50,8.50,2024-06-01 10:00:00 +0100,1,Coffee beans,8.50,CB1,Ann Lee,2 New St,Bath,BA2 2NN,,,0.00,,\n";
    let older = "#1001,ann@example.com,paid,,,yes,GBP,8.50,8.50,2024-01-01 10:00:00 +0100,1,Coffee beans,8.50,CB1,Ann Lee,1 Old St,Bath,BA1 1OO,,,0.00,,\n";
    for (name, rows) in [
        ("newest_first.csv", format!("{newer}{older}")),
        ("oldest_first.csv", format!("{older}{newer}")),
    ] {
        let csv = format!("{SHOPIFY_HEADER}\n{rows}");
        let (json, shop) = import(dir.path(), &[], &[(name, &csv)]);
        let ann = &shop.customers[0];
        assert_eq!(ann.address.as_deref(), Some("2 New St, Bath"), "{name}");
        assert_eq!(ann.postcode.as_deref(), Some("BA2 2NN"), "{name}");
        assert_eq!(json["summary"]["fields_from_newer_record"], 2, "{name}");
    }
}

#[test]
fn customers_without_an_email_are_kept_and_recognized_by_phone() {
    let dir = tempfile::tempdir().expect("dir");
    let csv = format!(
        "{SHOPIFY_HEADER}\n\
         #2001,,paid,,,,GBP,4.00,4.00,2024-05-03 10:00:00 +0100,1,Tea,4.00,T1,Eve Hart,5 Elm Rd,Leeds,LS1 1AA,'07700 900123,,0.00,,\n\
         #2002,,paid,,,,GBP,4.00,4.00,2024-05-09 10:00:00 +0100,1,Tea,4.00,T1,Eve Hart,5 Elm Rd,Leeds,LS1 1AA,07700-900-123,,0.00,,\n\
         #2003,,paid,,,,GBP,4.00,4.00,2024-05-10 10:00:00 +0100,1,Tea,4.00,T1,,,,,,,0.00,,\n"
    );
    let (json, shop) = import(dir.path(), &[], &[("no_email.csv", &csv)]);
    assert_eq!(shop.customers.len(), 1, "one person by one phone number");
    assert_eq!(shop.customers[0].name.as_deref(), Some("Eve Hart"));
    let eve = shop.customers[0].id;
    let hers = shop
        .orders
        .iter()
        .filter(|o| o.customer == Some(eve))
        .count();
    assert_eq!(hers, 2);
    assert_eq!(json["summary"]["customers_without_email"], 1);
    assert_eq!(json["summary"]["guest_orders_added"], 1);
}

#[test]
fn us_dates_are_told_by_the_whole_column_and_never_guessed() {
    let dir = tempfile::tempdir().expect("dir");
    let header = SQUARE_ITEMS_HEADER;
    let row = |date: &str, tx: &str| {
        format!(
            "{date},12:59:30,Eastern Time (US & Canada),Coffee,Latte,1.0,Regular,,,$4.50,$0.00,$4.50,$0.36,{tx},P{tx},Counter,,,Payment,Main St,,CUST1,Ann Lee,\n"
        )
    };
    let told = format!(
        "{header}\n{}{}",
        row("01/07/2025", "T1"),
        row("09/24/2024", "T2")
    );
    let (_, shop) = import(
        dir.path(),
        &["--currency", "USD"],
        &[("items-us.csv", &told)],
    );
    let mut days: Vec<String> = shop.orders.iter().map(|o| o.date.to_string()).collect();
    days.sort();
    assert_eq!(days, ["2024-09-24", "2025-01-07"], "7 January, not 1 July");

    let unclear = format!(
        "{header}\n{}{}",
        row("01/07/2025", "T1"),
        row("03/05/2025", "T2")
    );
    for args in [&[][..], &["--skip-bad-rows", "bad.csv"][..]] {
        let message = refused(dir.path(), args, "items-unclear.csv", &unclear);
        assert!(message.contains("\"dates\""), "{message}");
        assert!(message.contains("01/07/2025"), "{message}");
    }
    let (_, shop) = import(
        dir.path(),
        &["--currency", "USD"],
        &[(
            "items-iso.csv",
            &format!("{header}\n{}", row("2025-01-07", "T1")),
        )],
    );
    assert_eq!(shop.orders[0].date.to_string(), "2025-01-07");
}

#[test]
fn a_whitespace_separated_purchase_log_without_header_or_products_is_read() {
    let dir = tempfile::tempdir().expect("dir");
    let log = " 00001 19970101  1  11.77\n 00002 19970112  1  12.00\n 00002 19970112  5  77.00\n 00003 19970102  2  20.76\n";
    let mapping = r#"{"name": "CDNOW purchase log", "key_space": "cdnow",
        "columns": {"customer_id": "Column 1", "date": "Column 2", "quantity": "Column 3", "line_total": "Column 4"},
        "purchases_without_products": true}"#;
    let mapping = write(dir.path(), "cdnow.json", mapping);
    let without = write(
        dir.path(),
        "cdnow-unsaid.json",
        &std::fs::read_to_string(&mapping)
            .expect("reads")
            .replace(",\n        \"purchases_without_products\": true", ""),
    );
    let message = refused(
        dir.path(),
        &["--mapping", without.to_str().expect("path")],
        "CDNOW_unsaid.txt",
        log,
    );
    assert!(
        message.contains("appears twice"),
        "without being told, rows with no product are not purchases: {message}"
    );
    let (json, shop) = import(
        dir.path(),
        &["--mapping", mapping.to_str().expect("path")],
        &[("CDNOW_master.txt", log)],
    );
    assert_eq!(json["files"][0]["delimiter"], "spaces");
    assert_eq!(shop.customers.len(), 3, "not read as a list of customers");
    assert_eq!(
        shop.orders.len(),
        3,
        "customer 2's two lines of one day are one order"
    );
    assert_eq!(shop.products.len(), 1);
    assert_eq!(shop.products[0].name, "Unspecified item");
    assert_eq!(json["summary"]["lines_without_product"], 4);
    let first = shop.orders.iter().map(|o| o.date).min().expect("orders");
    assert_eq!(first.to_string(), "1997-01-01");
    let spent: i64 = shop
        .lines
        .iter()
        .map(|l| l.quantity * l.unit_price_cents.expect("priced"))
        .sum();
    assert_eq!(spent, 1177 + 1200 + 7700 + 2076);
}

#[test]
fn prices_in_two_currencies_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let csv = format!(
        "{SHOPIFY_HEADER}\n\
         #1,ann@example.com,paid,,,,USD,4.00,4.00,2024-05-03 10:00:00 +0100,1,Tea,4.00,T1,Ann Lee,,,,,,0.00,,\n\
         #2,bob@example.com,paid,,,,EUR,4.00,4.00,2024-05-04 10:00:00 +0100,1,Tea,4.00,T1,Bob Ray,,,,,,0.00,,\n"
    );
    let message = refused(dir.path(), &[], "two.csv", &csv);
    assert!(
        message.contains("USD") && message.contains("EUR"),
        "{message}"
    );
    assert!(message.contains("one currency"), "{message}");
}

#[test]
fn an_orders_later_rows_are_in_the_currency_of_its_first_row() {
    let dir = tempfile::tempdir().expect("dir");
    let csv = format!(
        "{SHOPIFY_HEADER}\n\
         #2001,ann@example.com,paid,2024-05-03 10:00:00 +0200,,yes,EUR,32.00,32.00,2024-05-03 10:00:00 +0200,2,Tea,12.00,T1,Ann Lee,1 Hauptstr.,Berlin,10115,,,0.00,Teas,9001\n\
         #2001,ann@example.com,,,,,,,,2024-05-03 10:00:00 +0200,1,Mug,8.00,MUG,,,,,,,,Pottery,\n"
    );
    // `--currency` is for files that name none: it must not decide the later rows of an
    // order whose first row names EUR.
    let (json, shop) = import(
        dir.path(),
        &["--currency", "USD"],
        &[("orders_export_eur.csv", &csv)],
    );
    assert_eq!(
        json["files"][0]["currencies"],
        serde_json::json!(["EUR"]),
        "{json}"
    );
    assert_eq!(json["currency"], "EUR", "{json}");
    let spent: i64 = shop
        .lines
        .iter()
        .map(|l| l.quantity * l.unit_price_cents.expect("priced"))
        .sum();
    assert_eq!(spent, 3200);
}

/// One fixture per platform, laid out as its export writes it, with what it must give:
/// (file, preset detected, text, orders, units bought, customers).
fn platform_files() -> Vec<(&'static str, &'static str, String, usize, i64, usize)> {
    vec![
        (
            "EtsySoldOrderItems2024-9.csv",
            "etsy-order-items",
            "Sale Date,Item Name,Buyer,Quantity,Price,Coupon Code,Coupon Details,Discount Amount,Shipping Discount,Order Shipping,Order Sales Tax,Item Total,Currency,Transaction ID,Listing ID,Date Paid,Date Shipped,Ship Name,Ship Address1,Ship Address2,Ship City,Ship State,Ship Zipcode,Ship Country,Order ID,Variations,Order Type,Listings Type,Payment Type,InPerson Discount,InPerson Location,VAT Paid by Buyer,SKU\n\
             09/24/24,Hand-thrown mug,annlee88,2,18.00,,,0,0,4.50,0,36.00,USD,3170001,1500001,09/24/24,09/26/24,Ann Lee,1 High St,,Portland,OR,97201,United States,3400001,Glaze: Matte,online,listing,online_cc,,,0,MUG-M\n\
             09/24/24,Speckled bowl,annlee88,1,24.00,,,0,0,4.50,0,24.00,USD,3170002,1500002,09/24/24,09/26/24,Ann Lee,1 High St,,Portland,OR,97201,United States,3400001,,online,listing,online_cc,,,0,BOWL-S\n\
             10/02/24,Hand-thrown mug,bobray,1,18.00,,,0,0,4.50,0,18.00,USD,3170003,1500001,10/02/24,,Bob Ray,2 Low St,,Austin,TX,78701,United States,3400002,Glaze: Gloss,online,listing,online_cc,,,0,MUG-G\n"
                .to_owned(),
            2,
            4,
            2,
        ),
        (
            "woocommerce-orders-export.csv",
            "woocommerce-order-export",
            "order_id,order_number,date,status,shipping_total,shipping_tax_total,fee_total,fee_tax_total,tax_total,discount_total,order_total,refunded_total,order_currency,payment_method,shipping_method,customer_id,billing_first_name,billing_last_name,billing_company,billing_email,billing_phone,billing_address_1,billing_address_2,billing_postcode,billing_city,billing_state,billing_country,shipping_first_name,shipping_last_name,shipping_address_1,shipping_address_2,shipping_postcode,shipping_city,shipping_state,shipping_country,shipping_company,customer_note,item_id,item_product_id,item_name,item_sku,item_quantity,item_subtotal,item_subtotal_tax,item_total,item_total_tax,item_refunded,item_refunded_qty,item_meta,shipping_items,fee_items,tax_items,coupon_items,order_notes,download_permissions_granted\n\
             812,812,2024-05-03 10:00:00,completed,3.95,0,0,0,0,0,20.95,0,GBP,stripe,Royal Mail,0,Ann,Lee,,ann@example.com,07700 900101,1 High St,,BA1 1AA,Bath,,GB,Ann,Lee,1 High St,,BA1 1AA,Bath,,GB,,,1,55,Sourdough loaf,SD-1,2,8.00,0,8.00,0,0,0,,,,,,,1\n\
             812,812,2024-05-03 10:00:00,completed,3.95,0,0,0,0,0,20.95,0,GBP,stripe,Royal Mail,0,Ann,Lee,,ann@example.com,07700 900101,1 High St,,BA1 1AA,Bath,,GB,Ann,Lee,1 High St,,BA1 1AA,Bath,,GB,,,2,56,Rye loaf,RY-1,1,9.00,0,9.00,0,0,0,,,,,,,1\n\
             813,813,2024-05-04 11:00:00,cancelled,0,0,0,0,0,0,8.00,0,GBP,stripe,,0,Bob,Ray,,bob@example.com,,2 Low St,,BA2 2BB,Bath,,GB,Bob,Ray,2 Low St,,BA2 2BB,Bath,,GB,,,3,55,Sourdough loaf,SD-1,2,8.00,0,8.00,0,0,0,,,,,,,0\n"
                .to_owned(),
            1,
            3,
            1,
        ),
        (
            "orders-legacy.csv",
            "woocommerce-order-export-legacy",
            "Order ID,Date,Order Status,Shipping,Shipping Tax,Fees,Fee Tax,Tax,Discount Total,Order Total,Payment Method,Shipping Method,Billing First Name,Billing Last Name,Billing Email,Billing Phone,Billing Address 1,Billing Address 2,Billing Post code,Billing City,Billing State,Billing Country,Billing Company,Shipping First Name,Shipping Last Name,Shipping Address 1,Shipping Address 2,Shipping Post code,Shipping City,Shipping State,Shipping Country,Shipping Company,Customer Note,Item SKU,Item Name,Item Variation,Item Amount,Row Price,Download Permissions Granted,Order Notes,Coupons\n\
             901,2016-05-31 00:37:00,completed,0,0,0,0,0,0,30.00,PayPal,,Cat,Day,cat@example.com,,3 Mid St,,BA3 3CC,Bath,,GB,,Cat,Day,3 Mid St,,BA3 3CC,Bath,,GB,,,TEE-M,T-shirt,size: Medium,1,30.00,0,,\n\
             902,2016-06-02 09:12:00,refunded,0,0,0,0,0,0,30.00,PayPal,,Cat,Day,cat@example.com,,3 Mid St,,BA3 3CC,Bath,,GB,,Cat,Day,3 Mid St,,BA3 3CC,Bath,,GB,,,TEE-M,T-shirt,size: Medium,1,30.00,0,,\n"
                .to_owned(),
            1,
            1,
            1,
        ),
        (
            "orders-advanced.csv",
            "woocommerce-advanced-export",
            "Order Number,Order Status,Order Date,Customer Note,First Name (Billing),Last Name (Billing),Company (Billing),Address 1&2 (Billing),City (Billing),State Code (Billing),Postcode (Billing),Country Code (Billing),Email (Billing),Phone (Billing),SKU,Item #,Item Name,Quantity,Item Cost,Order Total Amount\n\
             1204,Completed,2024-05-03 10:00,,Dan,Fox,,4 Top St,York,,YO1 1AA,GB,dan@example.com,,HON-1,1,Wildflower honey,2,6.50,19.50\n\
             1204,,,,,,,,,,,,,,BEE-1,2,Beeswax candle,1,6.50,\n\
             1205,Cancelled,2024-05-04 10:00,,Dan,Fox,,4 Top St,York,,YO1 1AA,GB,dan@example.com,,HON-1,1,Wildflower honey,1,6.50,6.50\n\
             1205,,,,,,,,,,,,,,BEE-1,2,Beeswax candle,4,6.50,\n"
                .to_owned(),
            1,
            3,
            1,
        ),
        (
            "squarespace-orders.csv",
            "squarespace-orders",
            "Order ID,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Currency,Subtotal,Shipping,Taxes,Amount Refunded,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Lineitem variant,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Address1,Billing Address2,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Address1,Shipping Address2,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Cancelled at,Private Notes,Payment Method,Payment Reference\n\
             1,eve@example.com,PAID,2018-07-25 21:06:12 -0700,fulfilled,2018-07-26 09:00:00 -0700,USD,20,5,0,0,25,,0,Flat,2018-07-25 21:06:12 -0700,1,Washed Ethiopian Coffee,10,SQ0030016,200g,TRUE,TRUE,fulfilled,Eve Hart,5 Elm Rd,,Denver,80202,CO,US,,Eve Hart,5 Elm Rd,,Denver,80202,CO,US,,,,Stripe,ch_1\n\
             1,,,,,,,,,,,,,,,,1,Kenyan Coffee,10,SQ0030017,200g,TRUE,TRUE,fulfilled,,,,,,,,,,,,,,,,,,,,\n\
             2,eve@example.com,refunded,2018-07-27 10:00:00 -0700,pending,,USD,10,5,0,15,15,,0,Flat,2018-07-27 10:00:00 -0700,1,Kenyan Coffee,10,SQ0030017,200g,TRUE,TRUE,pending,Eve Hart,5 Elm Rd,,Denver,80202,CO,US,,Eve Hart,5 Elm Rd,,Denver,80202,CO,US,,2018-07-28 10:00:00 -0700,,Stripe,ch_2\n"
                .to_owned(),
            1,
            2,
            1,
        ),
        (
            "wix-orders.csv",
            "wix-orders",
            "Order number,Date created,Time,Fulfill by,Total order quantity,Contact email,Note from customer,Additional checkout info,Item,Variant,SKU,Qty,Quantity refunded,Price,Weight,Custom text,Deposit amount,Delivery method,Delivery time,Recipient name,Recipient phone,Recipient company name,Delivery country,Delivery state,Delivery state name,Delivery city,Delivery address,Delivery zip/postal code,Billing name,Billing phone,Billing company name,Billing country,Billing state,Billing state name,Billing city,Billing address,Billing zip/postal code,Payment status,Payment method,Coupon code,Gift card amount,Shipping rate,Total tax,Total,Currency,Refunded amount,Net amount,Additional fees,Fulfillment status,Tracking number,Fulfillment service,Shipping label\n\
             10021,\"Dec 8, 2024\",9:15:51 AM,,2,fay@example.com,,,Linen scarf,Blue,SC-B,2,0,25.00,0.2,,,Standard,,Fay Ng,,,GB,,,London,9 Oak Way,N1 1AA,Fay Ng,,,GB,,,London,9 Oak Way,N1 1AA,Paid,Card,,0,3.00,0,53.00,GBP,0,53.00,0,Fulfilled,,,\n\
             10022,\"Dec 9, 2024\",10:02:11 AM,,1,fay@example.com,,,Linen scarf,Red,SC-R,1,1,25.00,0.2,,,Standard,,Fay Ng,,,GB,,,London,9 Oak Way,N1 1AA,Fay Ng,,,GB,,,London,9 Oak Way,N1 1AA,Refunded,Card,,0,3.00,0,28.00,GBP,28.00,0,0,Not fulfilled,,,\n"
                .to_owned(),
            1,
            2,
            1,
        ),
        (
            "magento-orders.csv",
            "magento-orders",
            "ID,Purchase Point,Purchase Date,Bill-to Name,Ship-to Name,Grand Total (Base),Grand Total (Purchased),Status,Billing Address,Shipping Address,Shipping Information,Customer Email,Customer Group,Subtotal,Shipping and Handling,Customer Name,Payment Method,Total Refunded\n\
             000000299,Main Website,\"Jun 9, 2023 9:00:00 AM\",Gus Lim,Gus Lim,$219.40,$219.40,Complete,\"1 Bay Rd,Miami,Florida,33101\",\"1 Bay Rd,Miami,Florida,33101\",Flat Rate,gus@example.com,General,$204.40,$15.00,Gus Lim,Check / Money order,$0.00\n\
             000000300,Main Website,\"Jun 10, 2023 2:30:00 PM\",Gus Lim,Gus Lim,$50.00,$50.00,Canceled,\"1 Bay Rd,Miami,Florida,33101\",\"1 Bay Rd,Miami,Florida,33101\",Flat Rate,gus@example.com,General,$45.00,$5.00,Gus Lim,Check / Money order,$0.00\n"
                .to_owned(),
            1,
            1,
            1,
        ),
    ]
}

#[test]
fn each_platforms_export_is_recognized_and_read_as_it_is_laid_out() {
    let dir = tempfile::tempdir().expect("dir");
    for (file, preset, text, orders, bought, customers) in platform_files() {
        let path = write(dir.path(), file, &text);
        candor()
            .args(["import", "--detect"])
            .arg(&path)
            .assert()
            .success()
            .stdout(contains(preset));
        let (json, shop) = import(dir.path(), &["--currency", "USD"], &[(file, &text)]);
        assert_eq!(shop.orders.len(), orders, "{file}: {json}");
        assert_eq!(units(&shop), bought, "{file}");
        assert_eq!(shop.customers.len(), customers, "{file}");
        assert!(
            shop.orders.iter().all(|o| o.customer.is_some()),
            "{file}: every order has its customer"
        );
    }
}

#[test]
fn etsy_two_digit_years_and_named_month_dates_are_read_as_written() {
    let dir = tempfile::tempdir().expect("dir");
    let files = platform_files();
    let day = |name: &str| {
        let (_, text) = files
            .iter()
            .find(|f| f.0 == name)
            .map(|f| (f.0, f.2.clone()))
            .expect("fixture");
        let (_, shop) = import(dir.path(), &["--currency", "USD"], &[(name, &text)]);
        shop.orders
            .iter()
            .map(|o| o.date)
            .min()
            .expect("orders")
            .to_string()
    };
    assert_eq!(day("EtsySoldOrderItems2024-9.csv"), "2024-09-24");
    assert_eq!(day("wix-orders.csv"), "2024-12-08");
    assert_eq!(day("magento-orders.csv"), "2023-06-09");
}

#[test]
fn a_mistaken_import_can_be_taken_back_while_it_is_the_newest_entry() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shop.candor");
    let shop = candor::shopgen::sample::sample_shop().expect("sample");
    Store::create(&db, &shop).expect("created");
    let before = load(&db);
    let csv = format!(
        "{SHOPIFY_HEADER}\n#9001,wrong.shop@example.com,paid,,,yes,GBP,4.00,4.00,2026-05-03 10:00:00 +0100,1,Tea,4.00,T1,Wrong Shop,,,,,,0.00,,\n"
    );
    let orders = write(dir.path(), "other_shops_orders.csv", &csv);
    let run_import = || import_into(&db, &orders);
    let undo = |entry: &str| {
        let mut cmd = candor();
        cmd.args(["undo", "--db"]).arg(&db).args([
            "--entry",
            entry,
            "--actor",
            "Sam",
            "--reason",
            "that was another shop's file",
        ]);
        cmd.assert()
    };
    let outcome = run_import();
    let entry = outcome["log_entry"].as_i64().expect("logged").to_string();
    let copy = PathBuf::from(outcome["undo_copy"].as_str().expect("a copy is kept"));
    assert!(copy.exists());
    assert!(
        candor::store::upgrade_backups(&db).contains(&copy),
        "erasure lists the copy, which holds personal data"
    );
    undo(&entry).success();
    let (store, _) = Store::open_for_reading(&db).expect("opens");
    let after = store.load().expect("loads");
    assert_eq!(
        after.customers, before.customers,
        "the import is taken back"
    );
    assert_eq!(after.orders, before.orders);
    assert!(store.verify_log().expect("verifies").intact);
    let log = store.log().expect("log");
    let last = log.last().expect("an entry");
    let event = last.event.as_ref().expect("an event");
    assert_eq!(event.kind, "import_undone");
    assert!(
        event.detail.contains("1 customer added"),
        "{}",
        event.detail
    );
    assert!(!copy.exists(), "the copy has done its job");
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .expect("lists")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|name| name.contains(".restoring"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "nothing of the restore is left: {leftovers:?}"
    );
    drop(store);

    // Once another entry follows the import, taking it back would lose it: refused.
    let entry = run_import()["log_entry"]
        .as_i64()
        .expect("logged")
        .to_string();
    let changes = write(
        dir.path(),
        "consent.json",
        r#"{"changes":[{"kind":"consent","customer":1,"purpose":"email_offers","granted":false}]}"#,
    );
    candor()
        .args(["apply", "--db"])
        .arg(&db)
        .arg("--changes")
        .arg(&changes)
        .args(["--actor", "Sam", "--reason", "asked at the counter"])
        .assert()
        .success();
    undo(&entry).failure().stderr(contains("later entries"));
}

#[test]
fn only_the_newest_import_keeps_a_copy_and_erasure_can_delete_it() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shop.candor");
    Store::create(
        &db,
        &candor::shopgen::sample::sample_shop().expect("sample"),
    )
    .expect("created");
    let mut copies = Vec::new();
    for n in 1..=2 {
        let csv = format!(
            "{SHOPIFY_HEADER}\n#{n},p{n}@example.com,paid,,,yes,GBP,4.00,4.00,2026-05-0{n} 10:00:00 +0100,1,Tea,4.00,T1,Pat {n},,,,,,0.00,,\n"
        );
        let file = write(dir.path(), &format!("orders{n}.csv"), &csv);
        let json = import_into(&db, &file);
        copies.push(PathBuf::from(json["undo_copy"].as_str().expect("copy")));
    }
    assert!(
        !copies[0].exists(),
        "the older copy is of no use and is deleted"
    );
    assert!(copies[1].exists());
    let listed = candor::store::upgrade_backups(&db);
    assert_eq!(listed, [copies[1].clone()]);
    assert_eq!(candor::rights::delete_backups(&listed).expect("deletes"), 1);
    assert!(!copies[1].exists());
}

#[test]
fn placeholder_and_short_phone_numbers_recognize_nobody() {
    use candor::store::keys::phone_key;
    assert_eq!(phone_key("07700 900123").as_deref(), Some("07700900123"));
    assert_eq!(phone_key("+49 30 1234567").as_deref(), Some("+49301234567"));
    for placeholder in ["0000000000", "123456789", "9876 5432", "555-1234", "n/a"] {
        assert_eq!(phone_key(placeholder), None, "{placeholder}");
    }
}

#[test]
fn a_refund_of_an_order_already_in_the_shop_is_reported_not_hidden() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shop.candor");
    let row = |status: &str| {
        format!(
            "{SHOPIFY_HEADER}\n#31,amy@example.com,{status},,,yes,GBP,4.00,4.00,2026-05-03 10:00:00 +0100,1,Tea,4.00,T1,Amy Orr,,,,,,0.00,,\n"
        )
    };
    let run = |name: &str, text: &str| import_into(&db, &write(dir.path(), name, text));
    run("may.csv", &row("paid"));
    let later = run("june.csv", &row("refunded"));
    let s = &later["summary"];
    assert_eq!(s["orders_in_shop_now_not_purchases"]["refunded"], 1, "{s}");
    assert_eq!(
        s["orders_not_purchases"],
        serde_json::json!({}),
        "not 'left out'"
    );
    let shop = load(&db);
    assert_eq!(shop.orders.len(), 1, "the order stays, as the summary says");
    candor()
        .args(["import", "--actor", "Sam", "--db"])
        .arg(&db)
        .arg(write(dir.path(), "june-again.csv", &row("refunded")))
        .assert()
        .success()
        .stdout(contains("still counted as bought"));
}

#[test]
fn overlapping_exports_in_one_import_read_each_order_once() {
    let dir = tempfile::tempdir().expect("dir");
    let order = |n: u32, day: u32| {
        format!(
            "#{n},amy@example.com,paid,,,yes,GBP,9.00,9.00,2026-05-{day:02} 10:00:00 +0100,1,Tea,4.00,T1,Amy Orr,,,,,,0.00,,\n\
             #{n},amy@example.com,,,,,,,,2026-05-{day:02} 10:00:00 +0100,1,Scone,5.00,S1,,,,,,,,,\n"
        )
    };
    let april_may = format!("{SHOPIFY_HEADER}\n{}{}", order(40, 2), order(41, 20));
    let may_june = format!("{SHOPIFY_HEADER}\n{}{}", order(41, 20), order(42, 28));
    let (json, shop) = import(
        dir.path(),
        &[],
        &[
            ("orders_apr_may.csv", &april_may),
            ("orders_may_jun.csv", &may_june),
        ],
    );
    assert_eq!(shop.orders.len(), 3);
    assert_eq!(shop.lines.len(), 6, "order #41's lines are not doubled");
    // The first file ends with #41, so it may have been cut inside it: the second file,
    // which goes on past #41, lists it whole, and the first file's rows of it are left out.
    let left_out = &json["summary"]["rows_left_out"];
    assert_eq!(
        left_out["order read whole from orders_may_jun.csv (the files overlap)"], 2,
        "{left_out}"
    );
}

#[test]
fn an_order_cut_in_two_by_a_split_export_keeps_its_first_rows_status_and_currency() {
    let dir = tempfile::tempdir().expect("dir");
    // The export was split between #7's first row and its second: the second file starts
    // with #7's later rows, whose status and currency cells are blank.
    let first = format!(
        "{SHOPIFY_HEADER}\n\
         #8,amy@example.com,paid,,,yes,EUR,9.00,9.00,2026-05-03 10:00:00 +0100,1,Tea,4.00,T1,Amy Orr,,,,,,0.00,,\n\
         #7,bo@example.com,paid,,,yes,EUR,9.00,9.00,2026-05-02 10:00:00 +0100,1,Tea,4.00,T1,Bo Park,,,,,2026-05-02 12:00:00 +0100,0.00,,\n\
         #6,cy@example.com,paid,,,yes,EUR,5.00,5.00,2026-05-01 10:00:00 +0100,1,Tea,4.00,T1,Cy Dee,,,,,,0.00,,\n"
    );
    let second = format!(
        "{SHOPIFY_HEADER}\n\
         #7,bo@example.com,,,,,,,,2026-05-02 10:00:00 +0100,2,Scone,5.00,S1,,,,,,,,,\n\
         #5,dee@example.com,paid,,,yes,EUR,5.00,5.00,2026-04-30 10:00:00 +0100,1,Scone,5.00,S1,Dee Orr,,,,,,0.00,,\n"
    );
    let (json, shop) = import(
        dir.path(),
        &["--currency", "USD"],
        &[
            ("orders_export_1.csv", &first),
            ("orders_export_2.csv", &second),
        ],
    );
    assert_eq!(shop.orders.len(), 3, "#8, #6 and #5: {json}");
    assert_eq!(
        units(&shop),
        3,
        "no line of the cancelled #7 is a purchase, in either file"
    );
    assert_eq!(json["summary"]["orders_not_purchases"]["cancelled"], 1);
    assert_eq!(json["files"][1]["orders_as_purchases"], 1, "{json}");
    assert_eq!(json["currency"], "EUR", "{json}");

    // Cut in a sale: its later rows are lines of that order, not an overlap left out.
    let first = format!(
        "{SHOPIFY_HEADER}\n\
         #9,amy@example.com,paid,,,yes,EUR,14.00,14.00,2026-05-03 10:00:00 +0100,1,Tea,4.00,T1,Amy Orr,,,,,,0.00,,\n"
    );
    let second = format!(
        "{SHOPIFY_HEADER}\n\
         #9,amy@example.com,,,,,,,,2026-05-03 10:00:00 +0100,2,Scone,5.00,S1,,,,,,,,,\n"
    );
    let (json, shop) = import(
        dir.path(),
        &["--currency", "USD"],
        &[("orders_9_1.csv", &first), ("orders_9_2.csv", &second)],
    );
    assert_eq!(shop.orders.len(), 1, "{json}");
    assert_eq!(units(&shop), 3, "{json}");
    let spent: i64 = shop
        .lines
        .iter()
        .map(|l| l.quantity * l.unit_price_cents.expect("priced"))
        .sum();
    assert_eq!(spent, 1400, "all in euros");
    assert!(shop.orders[0].customer.is_some());

    // Given the other way round, the row that starts each order still decides it.
    let (json, shop) = import(
        dir.path(),
        &[],
        &[("orders_9_2b.csv", &second), ("orders_9_1b.csv", &first)],
    );
    assert_eq!((shop.orders.len(), units(&shop)), (1, 3), "{json}");
    assert!(shop.orders[0].customer.is_some(), "{json}");
    assert_eq!(json["currency"], "EUR", "{json}");
    let cancelled = first.replace(
        "Amy Orr,,,,,,0.00",
        "Amy Orr,,,,,2026-05-04 09:00:00 +0100,0.00",
    );
    let (json, shop) = import(
        dir.path(),
        &[],
        &[
            ("orders_9_2c.csv", &second),
            ("orders_9_1c.csv", &cancelled),
        ],
    );
    assert_eq!(
        shop.orders.len(),
        0,
        "the cancelled order is left out whole: {json}"
    );
    assert_eq!(json["summary"]["orders_not_purchases"]["cancelled"], 1);
}

/// Order #2001 of three lines, as Shopify writes it (`first`: its first row only), and
/// its two later rows.
fn order_2001(first: bool, later: bool) -> String {
    let mut rows = String::new();
    if first {
        rows.push_str("#2001,q1@example.com,paid,,,no,GBP,,,2026-03-02 10:00:00 +0000,1,Sourdough loaf,4.50,,Q1,,,,,,,,\n");
    }
    if later {
        rows.push_str(
            "#2001,,,,,,,,,2026-03-02 10:00:00 +0000,1,Seeded rye,4.20,,,,,,,,,,\n\
             #2001,,,,,,,,,2026-03-02 10:00:00 +0000,1,Spelt loaf,4.80,,,,,,,,,,\n",
        );
    }
    rows
}

#[test]
fn a_cut_exports_part_beside_a_whole_export_reads_each_line_once() {
    let dir = tempfile::tempdir().expect("dir");
    let part_two = format!("{SHOPIFY_HEADER}\n{}", order_2001(false, true));
    let whole = format!(
        "{SHOPIFY_HEADER}\n{}#2002,q2@example.com,paid,,,no,GBP,,,2026-03-05 10:00:00 +0000,1,Sourdough loaf,4.50,,Q2,,,,,,,,\n",
        order_2001(true, true)
    );
    for (name, files) in [
        ("a", [("part_two.csv", &part_two), ("whole.csv", &whole)]),
        ("b", [("whole.csv", &whole), ("part_two.csv", &part_two)]),
    ] {
        let (json, shop) = import_in_folder(dir.path(), name, &files.map(|(n, t)| (n, t.as_str())));
        assert_eq!(
            shop.lines.len(),
            4,
            "#2001's three lines once, and #2002: {json}"
        );
        assert_eq!(
            json["summary"]["rows_left_out"]
                .as_object()
                .expect("map")
                .values()
                .filter_map(Value::as_u64)
                .sum::<u64>(),
            2,
            "{json}"
        );
    }
}

#[test]
fn a_cut_inside_an_order_keeps_its_identical_lines_and_a_whole_export_replaces_a_first_part() {
    let dir = tempfile::tempdir().expect("dir");
    let scarf = "#3004,,,,,,,,,2026-03-04 10:00:00 +0000,1,Scarf,20.00,SCF,,,,,,,,,\n";
    let part_one = format!(
        "{SHOPIFY_HEADER}\n#3004,sy@example.com,paid,,,no,GBP,,,2026-03-04 10:00:00 +0000,1,Scarf,20.00,SCF,Sy,,,,,,,,\n{scarf}"
    );
    let part_two = format!("{SHOPIFY_HEADER}\n{scarf}{scarf}");
    let whole = format!(
        "{part_one}{scarf}{scarf}#3005,zo@example.com,paid,,,no,GBP,,,2026-03-05 10:00:00 +0000,1,Tea,4.50,TEA,Zo,,,,,,,,\n"
    );
    let (one, two) = (
        ("part_1.csv", part_one.as_str()),
        ("part_2.csv", part_two.as_str()),
    );
    let whole = ("whole.csv", whole.as_str());
    let cases = [
        ("a", [one, two], 4),
        ("b", [two, one], 4),
        ("c", [one, whole], 5),
        ("d", [whole, one], 5),
    ];
    for (name, files, units_bought) in cases {
        let (json, shop) = import_in_folder(dir.path(), name, &files);
        assert_eq!(units(&shop), units_bought, "case {name}: {json}");
    }
}

#[test]
fn an_orders_later_rows_without_its_first_row_are_left_out_and_name_no_one() {
    let dir = tempfile::tempdir().expect("dir");
    let part_two = format!(
        "{SHOPIFY_HEADER}\n\
         #3002,bob@example.com,,,,,,,,2026-03-02 10:00:00 +0000,1,Mug,9.00,MUG,,,,,,,,,\n\
         #3003,cy@example.com,paid,,,yes,GBP,,,2026-03-03 10:00:00 +0000,1,Tea,4.50,TEA,Cy,,,,,,,,\n"
    );
    let (json, shop) = import(dir.path(), &[], &[("orders_export_2.csv", &part_two)]);
    assert_eq!(shop.orders.len(), 1, "only #3003: {json}");
    assert_eq!(
        shop.customers.len(),
        1,
        "Bob is named only by a row that says nothing of him"
    );
    assert_eq!(
        json["summary"]["rows_left_out"]["no row of its order in these files gives its status and customer (its first row may be in another part of the export)"],
        1,
        "{json}"
    );
    assert_eq!(json["files"][0]["orders_as_purchases"], 1);

    // In the middle of a file too: no row says whether the order was paid, or whose it is.
    let mid = format!(
        "{SHOPIFY_HEADER}\n\
         #3003,cy@example.com,paid,,,yes,GBP,,,2026-03-03 10:00:00 +0000,1,Tea,4.50,TEA,Cy,,,,,,,,\n\
         #3004,cat@example.com,,,,yes,,,,2026-03-04 10:00:00 +0000,1,Mug,9.00,MUG,Cat,,,,,,,,\n\
         #3005,eve@example.com,paid,,,no,GBP,,,2026-03-05 10:00:00 +0000,1,Tea,4.50,TEA,Eve,,,,,,,,\n"
    );
    let (json, shop) = import(dir.path(), &[], &[("orders_mid.csv", &mid)]);
    assert_eq!(shop.orders.len(), 2, "{json}");
    assert!(
        shop.customers
            .iter()
            .all(|c| c.email.as_deref() != Some("cat@example.com")),
        "{json}"
    );
    assert_eq!(
        json["summary"]["consents_added"], 2,
        "Cy's and Eve's only: {json}"
    );
}

#[test]
fn an_orders_rows_read_before_its_first_row_in_another_currency_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let first = format!(
        "{SHOPIFY_HEADER}\n\
         #4001,u1@example.com,paid,,,no,USD,,,2026-03-02 10:00:00 +0000,1,Sourdough loaf,10.00,,U1,,,,,,,,\n"
    );
    let later = format!(
        "{SHOPIFY_HEADER}\n#4001,,,,,,,,,2026-03-02 10:00:00 +0000,1,Seeded rye,10.00,,,,,,,,,,\n"
    );
    let db = dir.path().join("gbp.candor");
    candor()
        .args(["sample", "--out"])
        .arg(&db)
        .assert()
        .success();
    let out = candor()
        .args(["import", "--actor", "Sam", "--db"])
        .arg(&db)
        .arg(write(dir.path(), "orders_export_2.csv", &later))
        .arg(write(dir.path(), "orders_export_1.csv", &first))
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let message = String::from_utf8_lossy(&out);
    assert!(
        message.contains("order #4001 starts here in USD")
            && message.contains("read in GBP")
            && message.contains("give orders_export_1.csv before orders_export_2.csv"),
        "{message}"
    );
    // Named in another file: one order, one currency, across files too.
    let euros = later.replace(",,,,,,,,,2026", ",,,,,,EUR,,,2026");
    let message = refused(
        dir.path(),
        &[],
        "orders_export_3.csv",
        &format!("{first}{}", euros.lines().nth(1).expect("row")),
    );
    assert!(message.contains("this row says EUR"), "{message}");
}

#[test]
fn a_skipped_row_leaves_its_whole_order_out_so_fixing_it_brings_the_order_in() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shop.candor");
    let bad = format!(
        "{SHOPIFY_HEADER}\n\
         #8001,b1@example.com,paid,,,no,GBP,,,2026-07-01 10:00:00 +0000,1,Sourdough loaf,4.50,,B1,,,,,,,,\n\
         #8005,b5@example.com,paid,,,no,GBP,,,2026-07-02 10:00:00 +0000,0.5,Sourdough loaf,4.50,,B5,,,,,,,,\n\
         #8005,,,,,,,,,2026-07-02 10:00:00 +0000,1,Seeded rye,4.50,,,,,,,,,,\n\
         #8006,b6@example.com,paid,,,no,GBP,,,2026-07-03 10:00:00 +0000,1,Sourdough loaf,4.50,,B6,,,,,,,,\n\
         #8006,,,,,,,,,2026-07-03 10:00:00 +0000,x,Seeded rye,4.50,,,,,,,,,,\n"
    );
    let out = candor()
        .args(["import", "--json", "--actor", "Sam", "--db"])
        .arg(&db)
        .args(["--skip-bad-rows"])
        .arg(dir.path().join("report.csv"))
        .arg(write(dir.path(), "orders_export_1.csv", &bad))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: Value = serde_json::from_slice(&out).expect("json");
    let shop = load(&db);
    assert_eq!(shop.orders.len(), 1, "only #8001: {json}");
    assert_eq!(
        json["summary"]["rows_left_out"]["another row of its order could not be read (see the report)"],
        2,
        "#8005's later row and #8006's first row: {json}"
    );
    assert_eq!(
        json["summary"]["consent_answers_skipped"], 1,
        "#8005's unreadable first row said \"no\" to marketing: {json}"
    );
    let fixed = bad.replace(",0.5,", ",1,").replace(",x,", ",1,");
    import_into(&db, &write(dir.path(), "orders_fixed.csv", &fixed));
    let shop = load(&db);
    assert_eq!(shop.orders.len(), 3);
    assert_eq!(shop.lines.len(), 5, "each order whole");
    assert!(shop.orders.iter().all(|o| o.customer.is_some()));
}

#[test]
fn two_exports_with_the_same_name_from_two_folders_read_each_order_once() {
    let dir = tempfile::tempdir().expect("dir");
    let order = |n: u32, day: u32| {
        format!(
            "#{n},amy@example.com,paid,,,yes,GBP,4.00,4.00,2026-05-{day:02} 10:00:00 +0100,1,Tea,4.00,T1,Amy Orr,,,,,,0.00,,\n"
        )
    };
    for folder in ["april", "may"] {
        std::fs::create_dir(dir.path().join(folder)).expect("folder");
    }
    let april = write(
        &dir.path().join("april"),
        "orders_export_1.csv",
        &format!("{SHOPIFY_HEADER}\n{}{}", order(50, 2), order(51, 20)),
    );
    let may = write(
        &dir.path().join("may"),
        "orders_export_1.csv",
        &format!("{SHOPIFY_HEADER}\n{}{}", order(51, 20), order(52, 28)),
    );
    let db = dir.path().join("shop.candor");
    candor()
        .args(["import", "--actor", "Sam", "--db"])
        .arg(&db)
        .arg(&april)
        .arg(&may)
        .assert()
        .success()
        .stdout(contains("the files overlap"));
    let shop = load(&db);
    assert_eq!(shop.orders.len(), 3);
    assert_eq!(shop.lines.len(), 3, "order #51's line is not doubled");

    let again = dir.path().join("again.candor");
    let message = candor()
        .args(["import", "--actor", "Sam", "--db"])
        .arg(&again)
        .arg(&april)
        .arg(dir.path().join("april/../april/orders_export_1.csv"))
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let message = String::from_utf8_lossy(&message);
    assert!(message.contains("is given twice"), "{message}");
    assert!(!again.exists(), "nothing is imported");
}

#[test]
fn the_copy_is_kept_when_the_shop_is_named_without_a_folder() {
    let dir = tempfile::tempdir().expect("dir");
    Store::create(
        &dir.path().join("shop.candor"),
        &candor::shopgen::sample::sample_shop().expect("sample"),
    )
    .expect("created");
    let csv = format!(
        "{SHOPIFY_HEADER}\n#77,lee@example.com,paid,,,yes,GBP,4.00,4.00,2026-05-03 10:00:00 +0100,1,Tea,4.00,T1,Lee Ash,,,,,,0.00,,\n"
    );
    write(dir.path(), "orders.csv", &csv);
    candor()
        .current_dir(dir.path())
        .args([
            "import",
            "--actor",
            "Sam",
            "--db",
            "shop.candor",
            "orders.csv",
        ])
        .assert()
        .success();
    assert!(
        dir.path().join("shop.candor.import-1-backup").exists(),
        "a relative shop path must not make the new copy look like an older one"
    );
    candor()
        .current_dir(dir.path())
        .args([
            "undo",
            "--db",
            "shop.candor",
            "--entry",
            "1",
            "--actor",
            "Sam",
        ])
        .args(["--reason", "wrong file"])
        .assert()
        .success()
        .stdout(contains("Took back the import"));
}

#[test]
fn a_copy_left_by_a_killed_import_is_listed_and_swept_up() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shop.candor");
    Store::create(
        &db,
        &candor::shopgen::sample::sample_shop().expect("sample"),
    )
    .expect("created");
    let stale = dir.path().join(".shop.candor.import-pending-999999");
    std::fs::copy(&db, &stale).expect("a copy as a killed import leaves it");
    assert!(
        candor::store::upgrade_backups(&db).contains(&stale),
        "erasure lists it: it holds personal data"
    );
    let csv = format!(
        "{SHOPIFY_HEADER}\n#88,kai@example.com,paid,,,yes,GBP,4.00,4.00,2026-05-03 10:00:00 +0100,1,Tea,4.00,T1,Kai Moss,,,,,,0.00,,\n"
    );
    let file = write(dir.path(), "orders.csv", &csv);
    candor()
        .args(["import", "--actor", "Sam", "--db"])
        .arg(&db)
        .arg(&file)
        .assert()
        .success();
    assert!(!stale.exists(), "the next import sweeps it up");
    assert_eq!(
        candor::store::upgrade_backups(&db),
        [dir.path().join("shop.candor.import-1-backup")]
    );
}

/// A Shopify export of a dollar shop, two orders of Ann's (the second row of an order
/// leaves Currency blank, as Shopify writes it).
fn dollar_orders() -> String {
    format!(
        "{SHOPIFY_HEADER}\n\
         #7001,ann@example.com,paid,,,yes,USD,754.00,754.00,2024-05-03 10:00:00 -0400,1,Espresso machine,750.00,EM1,Ann Lee,1 High St,Boston,02135,,,0.00,Roastery,7001\n\
         #7001,ann@example.com,,,,,,,,2024-05-03 10:00:00 -0400,1,Tea,4.00,T1,,,,,,,,Teas,\n"
    )
}

#[test]
fn a_dollar_shop_shows_dollars_everywhere() {
    let dir = tempfile::tempdir().expect("dir");
    let (json, shop) = import(
        dir.path(),
        &[],
        &[("orders_export_1.csv", &dollar_orders())],
    );
    assert_eq!(json["currency"], "USD", "{json}");
    assert_eq!(json["currency_assumed"], false);
    assert_eq!(shop.settings.currency.code(), "USD");
    assert_eq!(
        units(&shop),
        2,
        "the blank currency cell is the order's dollars"
    );
    let db = dir.path().join("shop-orders_export_1.csv.candor");
    let about_ann = |command: &[&str]| about(&db, shop.customers[0].id, command);
    let held = about_ann(&["held"]);
    assert!(held.contains("$754.00 in total"), "{held}");
    assert!(!held.contains('£'), "{held}");
    assert!(!about_ann(&["explain"]).contains('£'));
    let json: Value = serde_json::from_str(&about_ann(&["explain", "--json"])).expect("json");
    assert_eq!(json["currency"], "USD");
}

#[test]
fn a_zero_decimal_currency_keeps_whole_units() {
    let dir = tempfile::tempdir().expect("dir");
    let csv = format!(
        "{SHOPIFY_HEADER}\n\
         #8001,ken@example.jp,paid,,,yes,JPY,\"1,200\",\"1,200\",2024-05-03 10:00:00 +0900,1,Matcha,\"¥1,200\",M1,Ken Sato,,,,,,0,Teas,8001\n"
    );
    let (json, shop) = import(dir.path(), &[], &[("orders_export_1.csv", &csv)]);
    assert_eq!(json["currency"], "JPY");
    assert_eq!(
        shop.products[0].price_cents,
        Some(1200),
        "whole yen, not hundredths"
    );
    assert_eq!(shop.settings.currency.format(1200), "¥1,200");
}

#[test]
fn a_file_in_another_currency_than_the_shop_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shop.candor");
    candor()
        .args(["sample", "--out"])
        .arg(&db)
        .assert()
        .success();
    let file = write(dir.path(), "orders_export_1.csv", &dollar_orders());
    let message = refused_into(&db, &file);
    assert!(
        message.contains("keeps its prices in GBP") && message.contains("USD"),
        "{message}"
    );
}

#[test]
fn a_file_that_names_no_currency_is_taken_as_the_shops_and_the_summary_says_so() {
    let dir = tempfile::tempdir().expect("dir");
    let csv = "Email,Date,Product,Quantity,Price\nann@example.com,2024-05-03,Tea,1,4.00\n";
    let mapping = |currency: &str| {
        format!(
            r#"{{"name":"sales","key_space":"sales","columns":{{"email":"Email","date":"Date","product_name":"Product","quantity":"Quantity","unit_price":"Price"}}{currency}}}"#
        )
    };
    let plain = write(dir.path(), "plain.json", &mapping(""));
    let plain = ["--mapping", plain.to_str().expect("utf-8")];
    let (json, shop) = import(dir.path(), &plain, &[("sales.csv", csv)]);
    assert_eq!(json["currency"], "GBP");
    assert_eq!(json["currency_assumed"], true);
    assert_eq!(json["files"][0]["currency_taken_as"], "GBP");
    assert_eq!(shop.settings.currency.code(), "GBP");
    let out = candor()
        .args(["import", "--actor", "Sam", "--db"])
        .arg(dir.path().join("text.candor"))
        .args(plain)
        .arg(write(dir.path(), "sales2.csv", csv))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("taken as GBP"), "{text}");

    let euro = write(dir.path(), "euro.json", &mapping(r#","currency":"EUR""#));
    let euro = ["--mapping", euro.to_str().expect("utf-8")];
    let (json, shop) = import(dir.path(), &euro, &[("euro.csv", csv)]);
    assert_eq!(json["currency"], "EUR", "{json}");
    assert_eq!(json["currency_assumed"], false);
    assert_eq!(shop.settings.currency.code(), "EUR");
}

/// A Shopify products export in the layout with "Product Category" (2023–2024): one row
/// per variant, the product's own cells on its first row only, a picture-only row.
const SHOPIFY_PRODUCTS: &str = "Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,Variant SKU,Variant Grams,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,Variant Fulfillment Service,Variant Price,Variant Compare At Price,Variant Requires Shipping,Variant Taxable,Variant Barcode,Image Src,Image Position,Image Alt Text,Gift Card,SEO Title,SEO Description,Status
kenya-aa,Kenya AA beans,<p>Bright and winey.</p>,Roastery,Food > Beverages > Coffee,Coffee,\"single origin, light roast\",TRUE,Size,250g,,,,,CB1,250,shopify,40,deny,manual,9.00,,TRUE,TRUE,,https://cdn.example/kenya.jpg,1,,FALSE,,,active
kenya-aa,,,,,,,,,1kg,,,,,CB1K,1000,shopify,12,deny,manual,30.00,,TRUE,TRUE,,,,,,,,active
kenya-aa,,,,,,,,,,,,,,,,,,,,,,,,,https://cdn.example/kenya-2.jpg,2,,,,,
breakfast-tea,Breakfast tea,<p>Strong.</p>,Teas,Food > Beverages > Tea,,,TRUE,Title,Default Title,,,,,T1,100,,,deny,manual,4.00,,TRUE,TRUE,,,,,FALSE,,,active
stoneware-mug,Stoneware mug,,Pottery,Home & Garden > Kitchen & Dining > Mugs,Mugs,gift,TRUE,Title,Default Title,,,,,MUG,400,,,deny,manual,12.00,,TRUE,TRUE,,,,,FALSE,,,draft
";

#[test]
fn a_shopify_products_export_fills_in_categories_tags_and_prices() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shop.candor");
    let orders = format!(
        "{SHOPIFY_HEADER}\n\
         #9001,ann@example.com,paid,,,yes,GBP,17.00,17.00,2024-05-03 10:00:00 +0100,1,Kenya AA beans - 250g,8.50,CB1,Ann Lee,,,,,,0.00,Roastery,9001\n\
         #9001,ann@example.com,,,,,,,,2024-05-03 10:00:00 +0100,2,Breakfast tea,4.00,,,,,,,,,Teas,\n"
    );
    let first = import_into(&db, &write(dir.path(), "orders_export_1.csv", &orders));
    assert_eq!(first["summary"]["products_without_category"], 2);
    let products = write(dir.path(), "products_export_1.csv", SHOPIFY_PRODUCTS);
    let detected = candor()
        .args(["import", "--detect"])
        .arg(&products)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&detected).contains("shopify-products"));
    ensure_owner(&db, "the owner's long passphrase");
    let staff = refused_into(&db, &products);
    assert!(
        staff
            .contains("an import that changes the price of 1 product needs the owner's passphrase"),
        "{staff}"
    );
    let json = import_as_owner(&db, &products);
    let s = &json["summary"];
    assert_eq!(s["products_updated"], 2, "{s}");
    assert_eq!(s["product_prices_changed"], 1, "the beans cost 9.00 now");
    assert_eq!(s["products_added"], 2, "the 1kg bag and the mug are new");
    assert_eq!(s["orders_added"], 0);
    assert_eq!(json["files"][0]["catalogue_products"], 4);
    assert_eq!(
        s["rows_left_out"]["rows that add only a picture to a product"],
        1
    );
    let shop = load(&db);
    let named = |name: &str| {
        shop.products
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("{name} in {:?}", shop.products))
            .clone()
    };
    let beans = named("Kenya AA beans - 250g");
    assert_eq!(beans.category, "Coffee", "Type first");
    assert_eq!(beans.tags, ["single origin", "light roast"]);
    assert_eq!(beans.price_cents, Some(900));
    let tea = named("Breakfast tea");
    assert_eq!(
        tea.category, "Tea",
        "no Type: the category path's last part"
    );
    assert_eq!(
        named("Kenya AA beans - 1kg").category,
        "Coffee",
        "a variant takes its product's"
    );
    assert_eq!(named("Stoneware mug").tags, ["gift"]);
    assert_eq!(
        shop.products.len(),
        4,
        "the tea named by name is the same product"
    );

    let log = json_of(&db, "log");
    let products_import = log
        .as_array()
        .expect("entries")
        .iter()
        .rfind(|e| e["event"]["kind"] == "import")
        .expect("the products import's entry");
    let changes = products_import["changes"]
        .as_array()
        .expect("the import's changes");
    assert_eq!(changes.len(), 2, "each product change is in the log: {log}");
    assert_eq!(changes[0]["change"]["kind"], "product");
    assert_eq!(changes[0]["before"]["category"], "uncategorised");
    assert_eq!(changes[0]["after"]["category"], "Coffee");
    let why = about(&db, shop.customers[0].id, &["explain"]);
    assert!(!why.contains("uncategorised"), "{why}");
}

#[test]
fn the_current_shopify_products_layout_and_a_products_file_alone_make_a_catalogue() {
    let dir = tempfile::tempdir().expect("dir");
    let current = "Title,URL handle,Description,Vendor,Product category,Type,Tags,Published on online store,Status,SKU,Barcode,Option1 name,Option1 value,Option1 Linked To,Option2 name,Option2 value,Option2 Linked To,Option3 name,Option3 value,Option3 Linked To,Price,Compare-at price,Cost per item,Charge tax,Inventory tracker,Inventory quantity\n\
        Linen Apron,linen-apron,<p>Stonewashed linen.</p>,Hearth & Co,Apparel & Accessories > Clothing > Aprons,,\"kitchen, linen\",TRUE,active,APR-SAGE,,Colour,Sage,,Size,M,,,,,34.00,42.00,12.00,TRUE,shopify,12\n\
        ,linen-apron,,,,,,,,APR-RUST,,,Rust,,,L,,,,,36.00,,,,shopify,5\n";
    let path = write(dir.path(), "products_export.csv", current);
    candor()
        .args(["import", "--detect"])
        .arg(&path)
        .assert()
        .success()
        .stdout(contains("shopify-products"));
    let (json, shop) = import(dir.path(), &[], &[("products_export.csv", current)]);
    assert_eq!(json["summary"]["products_added"], 2, "{json}");
    let names: Vec<&str> = shop.products.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Linen Apron - Sage / M", "Linen Apron - Rust / L"]);
    assert!(shop.products.iter().all(|p| p.category == "Aprons"));
    assert_eq!(shop.products[1].price_cents, Some(3600));
    assert!(shop.orders.is_empty() && shop.customers.is_empty());
}

#[test]
fn a_products_export_beside_a_dollar_orders_export_is_in_dollars_too() {
    let dir = tempfile::tempdir().expect("dir");
    let (json, shop) = import(
        dir.path(),
        &[],
        &[
            ("orders_export_1.csv", &dollar_orders()),
            ("products_export_1.csv", SHOPIFY_PRODUCTS),
        ],
    );
    assert_eq!(json["currency"], "USD", "{json}");
    assert_eq!(json["files"][1]["currency_taken_as"], "USD");
    assert_eq!(shop.settings.currency.code(), "USD");
    let mug = shop
        .products
        .iter()
        .find(|p| p.name == "Stoneware mug")
        .expect("the mug");
    assert_eq!(mug.price_cents, Some(1200), "12 dollars");
}

/// Runs `candor ARGS --db DB` and returns what it printed, which must be a success.
fn on_shop(db: &Path, args: &[&str]) -> String {
    run_on_shop(db, args, None)
}

/// What `candor ARGS --db DB` prints when the owner runs it (the passphrase from the
/// environment).
fn on_shop_as_owner(db: &Path, args: &[&str]) -> String {
    run_on_shop(db, args, Some("the owner's long passphrase"))
}

fn run_on_shop(db: &Path, args: &[&str], passphrase: Option<&str>) -> String {
    let mut command = candor();
    command.args(args).arg("--db").arg(db);
    match passphrase {
        Some(p) => {
            if db.exists() {
                ensure_owner(db, p);
            }
            command.env("CANDOR_OWNER_PASSPHRASE", p)
        }
        None => command.env_remove("CANDOR_OWNER_PASSPHRASE"),
    };
    let out = command.assert().success().get_output().stdout.clone();
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn orders_without_prices_are_kept_with_their_prices_not_known() {
    let dir = tempfile::tempdir().expect("dir");
    // A WooCommerce orders file from the REST API: no price column at all.
    let csv = "Order ID,Customer Email,Order Date,Products\n\
               1041,ann@example.com,2024-05-03,\"Breakfast tea, Stoneware mug\"\n\
               1042,ann@example.com,2024-05-20,Breakfast tea\n";
    let mapping = r#"{"name":"WooCommerce REST orders","key_space":"woo","columns":{"order_id":"Order ID","email":"Customer Email","date":"Order Date","product_name":"Products"},"product_list":true}"#;
    let mapping = write(dir.path(), "rest.json", mapping);
    let args = ["--mapping", mapping.to_str().expect("utf-8")];
    let (json, shop) = import(dir.path(), &args, &[("orders.csv", csv)]);
    assert_eq!(json["files"][0]["lines_without_price"], 3, "{json}");
    assert!(shop.products.iter().all(|p| p.price_cents.is_none()));
    assert!(shop.lines.iter().all(|l| l.unit_price_cents.is_none()));
    let db = dir.path().join("shop-orders.csv.candor");
    let ann = shop.customers[0].id;
    let held = about(&db, ann, &["held"]);
    assert!(held.contains("prices not known"), "{held}");
    let explained: Value =
        serde_json::from_str(&about(&db, ann, &["explain", "--json"])).expect("json");
    assert!(
        explained["recommendations"][0]["price_cents"].is_null(),
        "{explained}"
    );
    assert!(about(&db, ann, &["explain"]).contains("price not known"));
    let audit: Value = serde_json::from_str(&on_shop(&db, &["audit", "--json"])).expect("json");
    assert_eq!(audit["products_without_price"], 2);
    assert!(
        audit["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["id"] == "prices:not_known"),
        "{audit}"
    );

    // A price given in a change, then undone, is not known again.
    let tea_id = shop
        .products
        .iter()
        .find(|p| p.name == "Breakfast tea")
        .expect("tea")
        .id;
    let first_price = write(
        dir.path(),
        "first-price.json",
        &format!(r#"{{"changes":[{{"kind":"product","product":{tea_id},"price":4.0}}]}}"#),
    );
    let simulated: Value = serde_json::from_str(&on_shop(
        &db,
        &[
            "simulate",
            "--json",
            "--changes",
            first_price.to_str().expect("utf-8"),
        ],
    ))
    .expect("json");
    assert!(
        simulated["mean_recommended_price"]["before"].is_null(),
        "no known price: no mean, never 0: {simulated}"
    );
    let marker = write(
        dir.path(),
        "marker.json",
        &format!(
            r#"{{"changes":[{{"kind":"product","product":{tea_id},"stock":9223372036854775807}}]}}"#
        ),
    );
    candor()
        .args(["simulate", "--changes"])
        .arg(&marker)
        .arg("--db")
        .arg(&db)
        .assert()
        .failure()
        .stderr(contains("is not a stock"));
    let tea = shop
        .products
        .iter()
        .find(|p| p.name == "Breakfast tea")
        .expect("tea")
        .id;
    let changes = write(
        dir.path(),
        "price.json",
        &format!(r#"{{"changes":[{{"kind":"product","product":{tea},"price":4.0}}]}}"#),
    );
    let who = ["--actor", "Sam", "--reason", "priced the tea"];
    let mut apply = vec!["apply", "--changes", changes.to_str().expect("utf-8")];
    apply.extend(who);
    ensure_owner(&db, "the owner's long passphrase");
    candor()
        .args(&apply)
        .arg("--db")
        .arg(&db)
        .env_remove("CANDOR_OWNER_PASSPHRASE")
        .assert()
        .failure()
        .stderr(contains("needs the owner's passphrase"));
    assert_eq!(load(&db).products, shop.products, "staff changed no price");
    on_shop_as_owner(&db, &apply);
    let priced = load(&db);
    let price_of_tea = |shop: &Shop| {
        shop.products
            .iter()
            .find(|p| p.id == tea)
            .expect("tea")
            .price_cents
    };
    assert_eq!(price_of_tea(&priced), Some(400));
    // Entry 2 recorded the owner's passphrase being set; entry 3 is the price.
    let mut undo = vec!["undo", "--entry", "3"];
    undo.extend(who);
    on_shop_as_owner(&db, &undo);
    let undone = load(&db);
    assert_eq!(price_of_tea(&undone), None, "not known again");
    assert!(
        undone
            .products
            .iter()
            .all(|p| p.stock == priced.products[0].stock)
    );

    // A stock given to a product whose stock is not tracked is taken back the same way.
    let stock = write(
        dir.path(),
        "stock.json",
        &format!(r#"{{"changes":[{{"kind":"product","product":{tea},"stock":4}}]}}"#),
    );
    let mut apply = vec!["apply", "--changes", stock.to_str().expect("utf-8")];
    apply.extend(who);
    on_shop(&db, &apply);
    // Entry 4 undid the price; entry 5 is the stock, which staff may change and undo.
    let mut undo = vec!["undo", "--entry", "5"];
    undo.extend(who);
    on_shop(&db, &undo);
    let undone = load(&db);
    let tea_now = undone.products.iter().find(|p| p.id == tea).expect("tea");
    assert_eq!(tea_now.stock_text(), "not tracked");
}

#[test]
fn a_products_export_is_refused_where_it_would_misstate_a_product() {
    let dir = tempfile::tempdir().expect("dir");
    let header = "Handle,Title,Type,Tags,Option1 Name,Option1 Value,Variant SKU,Variant Price\n";
    let cases = [
        (
            "negative.csv",
            "rye,Rye loaf,Bread,,Title,Default Title,RYE,-3.40\n",
            "not a price from 0",
        ),
        (
            "shared-sku.csv",
            "mug-a,Blue Mug,Mugs,,Title,Default Title,MUG-1,9.00\nmug-b,Red Mug,Mugs,,Title,Default Title,MUG-1,9.00\n",
            "the code MUG-1 is given to two products",
        ),
        (
            "euro.csv",
            "rye,Rye loaf,Bread,,Title,Default Title,RYE,£3.40\ncard,Gift card,Gifts,,Title,Default Title,GC,€50.00\n",
            "written in another currency than GBP",
        ),
    ];
    for (name, rows, why) in cases {
        let message = refused(dir.path(), &[], name, &format!("{header}{rows}"));
        assert!(
            message.contains(why) && message.contains(name),
            "{name}: {message}"
        );
    }
    let (_, shop) = import(
        dir.path(),
        &[],
        &[(
            "tags.csv",
            &format!(
                "{header}apron,Apron,Aprons,\"kitchen;gift, sale\",Title,Default Title,AP,20.00\n"
            ),
        )],
    );
    assert_eq!(shop.products[0].tags, ["kitchen", "gift", "sale"]);
}

#[test]
fn an_orders_export_again_with_codes_filled_in_adds_no_product() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shop.candor");
    let without = format!(
        "{SHOPIFY_HEADER}\n#9001,ann@example.com,paid,,,yes,GBP,8.50,8.50,2024-05-03 10:00:00 +0100,1,Linen Apron - Sage,8.50,,Ann Lee,,,,,,0.00,,9001\n"
    );
    import_into(&db, &write(dir.path(), "orders_export_1.csv", &without));
    let with_code = without.replace(",8.50,,Ann Lee", ",8.50,APR-SAGE,Ann Lee");
    let again = import_into(&db, &write(dir.path(), "orders_export_2.csv", &with_code));
    assert_eq!(again["summary"]["products_added"], 0, "{again}");
    assert_eq!(again["summary"]["orders_already_imported"], 1);
}

#[test]
fn a_price_written_with_a_currencys_own_sign_names_it_and_a_shared_sign_must_be_named() {
    let dir = tempfile::tempdir().expect("dir");
    let header = "Handle,Title,Type,Tags,Option1 Name,Option1 Value,Variant SKU,Variant Price\n";
    let euro = format!("{header}rye,Rye loaf,Bread,,Title,Default Title,RYE,€3.40\n");
    let (json, shop) = import(dir.path(), &[], &[("euro-prices.csv", &euro)]);
    assert_eq!(json["currency"], "EUR", "{json}");
    assert_eq!(json["currency_assumed"], false);
    assert_eq!(shop.settings.currency.code(), "EUR");
    let dollars = format!("{header}rye,Rye loaf,Bread,,Title,Default Title,RYE,$3.40\n");
    let message = refused(dir.path(), &[], "dollar-prices.csv", &dollars);
    assert!(message.contains("--currency"), "{message}");
    let (json, _) = import(dir.path(), &["--currency", "CAD"], &[("cad.csv", &dollars)]);
    assert_eq!(json["currency"], "CAD");
    let wrong = candor()
        .args(["import", "--currency", "XYZ", "--db"])
        .arg(dir.path().join("never.candor"))
        .arg(write(dir.path(), "x.csv", &dollars))
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&wrong).contains("ISO 4217"));
}

#[test]
fn a_prestashop_orders_export_is_the_shops_sales_and_no_ones_personal_data() {
    let dir = tempfile::tempdir().expect("dir");
    // PrestaShop 8's Orders > Export, English back office: semicolons, one row per order,
    // the customer only as "J. DOE", the total with its currency sign.
    let csv = "ID;Reference;New client;Delivery;Customer;Total;Payment;Status;Date\n\
               1287;XKBKNABJK;1;France;J. DUPONT;€59.80;Bank transfer;Payment accepted;2024-03-14 10:22:31\n\
               1288;OHSATSERP;0;Belgium;M. PEETERS;€124.00;Payments by check;Canceled;2024-03-15 17:05:09\n\
               1289;QWERTYUIO;0;France;J. DUPONT;€18.50;Bank transfer;Delivered;2024-03-18 09:01:00\n\
               1290;ASDFGHJKL;1;France;A. MARTIN;€42.00;Bank transfer;Awaiting bank wire payment;2024-03-19 12:00:00\n";
    let path = write(dir.path(), "order_2024-03-20_101500.csv", csv);
    candor()
        .args(["import", "--detect"])
        .arg(&path)
        .assert()
        .success()
        .stdout(contains("prestashop-orders"));
    let (json, shop) = import(dir.path(), &[], &[("order_2024-03-20_101500.csv", csv)]);
    assert_eq!(json["currency"], "EUR", "{json}");
    assert_eq!(
        json["summary"]["orders_not_purchases"]["canceled"], 1,
        "{json}"
    );
    assert_eq!(shop.orders.len(), 2);
    assert!(
        shop.customers.is_empty(),
        "\"J. DUPONT\" is nobody in particular"
    );
    assert!(shop.orders.iter().all(|o| o.customer.is_none()));
    let totals: Vec<Option<i64>> = shop.lines.iter().map(|l| l.unit_price_cents).collect();
    assert_eq!(totals, [Some(5980), Some(1850)]);
    assert!(
        shop.products.iter().all(|p| !p.is_product()),
        "an unspecified item is bought, never recommended"
    );
}

#[test]
fn a_bigcommerce_orders_export_unpacks_each_orders_lines() {
    let dir = tempfile::tempdir().expect("dir");
    let header = "Order ID,Customer ID,Customer Name,Customer Email,Customer Phone,Order Date,Order Status,Subtotal (inc tax),Subtotal (ex tax),Tax Total,Shipping Cost (inc tax),Shipping Cost (ex tax),Ship Method,Handling Cost (inc tax),Handling Cost (ex tax),Order Total (inc tax),Order Total (ex tax),Payment Method,Total Quantity,Total Shipped,Date Shipped,Order Currency Code,Exchange Rate,Order Notes,Customer Message,Billing First Name,Billing Last Name,Billing Company,Billing Street 1,Billing Street 2,Billing Suburb,Billing State,Billing Zip,Billing Country,Billing Phone,Billing Email,Shipping First Name,Shipping Last Name,Shipping Company,Shipping Street 1,Shipping Street 2,Shipping Suburb,Shipping State,Shipping Zip,Shipping Country,Shipping Phone,Shipping Email,Product Details,Store Credit Redeemed,Gift Certificate Amount Redeemed,Gift Certificate Code,Gift Certificate Expiration Date,Coupon Details,Refund Amount";
    let row = |id: &str, date: &str, status: &str, details: &str| {
        format!(
            "{id},57,Maya Chen,maya.chen@example.com,555-0142,{date},{status},54.00,54.00,0.00,8.00,8.00,Flat Rate,0.00,0.00,62.00,62.00,Stripe,3,3,,USD,1.0000,,,Maya,Chen,,12 Oak Ave,,Springfield,IL,62701,United States,555-0142,maya.chen@example.com,Maya,Chen,,12 Oak Ave,,Springfield,IL,62701,United States,555-0142,maya.chen@example.com,\"{details}\",0.00,0.00,,,,0.00"
        )
    };
    let mugs = "Product ID: 112, Product Qty: 2, Product SKU: MUG-BLU, Product Name: Blue Mug, Large, Product Weight: 0.4000, Product Variation Details: , Product Unit Price: 18.00, Product Total Price: 36.00|Product ID: 98, Product Qty: 1, Product SKU: TEA-01, Product Name: Sencha Tea, Product Weight: 0.1000, Product Variation Details: , Product Unit Price: 18.00, Product Total Price: 18.00";
    let tea = "Product ID: 98, Product Qty: 3, Product SKU: TEA-01, Product Name: Sencha Tea, Product Weight: 0.1000, Product Variation Details: , Product Unit Price: 18.00, Product Total Price: 54.00";
    let csv = [
        header.to_owned(),
        row("1042", "14/03/2024", "Shipped", mugs),
        row("1043", "18/03/2024", "Cancelled", tea),
        row("1044", "21/03/2024", "Partially Refunded", tea),
    ]
    .join("\n");
    let path = write(dir.path(), "orders-2024-03-31.csv", &csv);
    candor()
        .args(["import", "--detect"])
        .arg(&path)
        .assert()
        .success()
        .stdout(contains("bigcommerce-orders"));
    let (json, shop) = import(dir.path(), &[], &[("orders-2024-03-31.csv", &csv)]);
    let s = &json["summary"];
    assert_eq!(json["currency"], "USD", "{json}");
    assert_eq!(s["orders_added"], 2, "{s}");
    assert_eq!(s["orders_not_purchases"]["cancelled"], 1);
    assert_eq!(s["orders_partly_refunded"], 1);
    assert_eq!(units(&shop), 2 + 1 + 3);
    let names: Vec<&str> = shop.products.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Blue Mug, Large", "Sencha Tea"]);
    assert_eq!(shop.customers.len(), 1);
    assert_eq!(
        shop.customers[0].address.as_deref(),
        Some("12 Oak Ave, Springfield")
    );
    assert_eq!(
        shop.orders[0].date.to_string(),
        "2024-03-14",
        "day-first, told by the column"
    );
}

#[test]
fn an_orders_export_and_a_products_export_in_one_import_make_one_product_each() {
    let dir = tempfile::tempdir().expect("dir");
    let orders = format!(
        "{SHOPIFY_HEADER}\n#9001,ann@example.com,paid,,,yes,GBP,4.00,4.00,2024-05-03 10:00:00 +0100,1,Breakfast tea,4.00,,Ann Lee,,,,,,0.00,,9001\n"
    );
    let products = "Handle,Title,Type,Tags,Option1 Name,Option1 Value,Variant SKU,Variant Price\n\
                    breakfast-tea,Breakfast tea,Tea,,Title,Default Title,TEA,4.50\n";
    for files in [
        [
            ("orders_export_1.csv", orders.as_str()),
            ("products_export_1.csv", products),
        ],
        [
            ("products_export_1.csv", products),
            ("orders_export_1.csv", orders.as_str()),
        ],
    ] {
        let (json, shop) = import(dir.path(), &[], &files);
        assert_eq!(json["summary"]["products_added"], 1, "{json}");
        assert_eq!(shop.products[0].category, "Tea");
        assert_eq!(shop.products[0].price_cents, Some(450));
        std::fs::remove_file(dir.path().join(format!("shop-{}.candor", files[0].0)))
            .expect("removed");
    }
}

#[test]
fn bigcommerce_skus_and_product_numbers_name_different_products() {
    let dir = tempfile::tempdir().expect("dir");
    let csv = "Order ID,Customer Email,Order Date,Order Status,Order Currency Code,Product Details\n\
               7,ann@example.com,2024-03-14,Shipped,USD,\"Product ID: 98, Product Qty: 1, Product SKU: , Product Name: Sencha, Product Unit Price: 9.00, Product Total Price: 9.00|Product ID: 12, Product Qty: 1, Product SKU: 98, Product Name: Mug, Product Unit Price: 18.00, Product Total Price: 18.00\"\n\
               8,ann@example.com,2024-03-15,Awaiting Payment,USD,\"Product ID: 12, Product Qty: 1, Product SKU: 98, Product Name: Mug, Product Unit Price: 18.00, Product Total Price: 18.00\"\n";
    let (json, shop) = import(dir.path(), &[], &[("orders.csv", csv)]);
    assert_eq!(json["summary"]["orders_added"], 1, "{json}");
    let names: Vec<(&str, Option<i64>)> = shop
        .products
        .iter()
        .map(|p| (p.name.as_str(), p.price_cents))
        .collect();
    assert_eq!(names, [("Sencha", Some(900)), ("Mug", Some(1800))]);
    let blank_qty = csv.replace("Product Qty: 1, Product SKU: , ", "Product SKU: , ");
    let message = refused(dir.path(), &[], "no-qty.csv", &blank_qty);
    assert!(message.contains("the quantity of Sencha"), "{message}");
    let weighed = csv.replace(
        "Product Qty: 1, Product SKU: , ",
        "Product Qty: 0.5, Product SKU: , ",
    );
    let message = refused(dir.path(), &[], "weighed.csv", &weighed);
    assert!(message.contains("sold by weight"), "{message}");
}

#[test]
fn prices_in_another_currency_are_converted_at_the_mappings_rate() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shop.candor");
    candor()
        .args(["sample", "--out"])
        .arg(&db)
        .assert()
        .success();
    let csv = "Order,Email,Date,Product,Quantity,Price,Currency\n\
               W1,ann.rate@example.com,2026-06-10,Travel mug,1,20.00,USD\n\
               W2,bob.rate@example.com,2026-06-11,Travel mug,3,12.50,GBP\n\
               W3,cy.rate@example.com,2026-06-12,Tea towel,1,9.99,USD\n\
               W3,cy.rate@example.com,2026-06-12,Discount,1,-5.00,USD\n";
    let mapping = r#"{"name": "Web shop", "key_space": "web",
        "columns": {"order_id": "Order", "email": "Email", "date": "Date", "product_name": "Product",
                    "quantity": "Quantity", "unit_price": "Price", "currency": "Currency"},
        "rates": {"USD": 0.79}}"#;
    let mapping = write(dir.path(), "web.json", mapping);
    let file = write(dir.path(), "web-orders.csv", csv);
    let without = write(
        dir.path(),
        "web-norate.json",
        &std::fs::read_to_string(&mapping)
            .expect("reads")
            .replace(",\n        \"rates\": {\"USD\": 0.79}", ""),
    );
    let before = std::fs::read(&db).expect("reads");
    candor()
        .args(["import", "--actor", "Sam", "--db"])
        .arg(&db)
        .args(["--mapping", without.to_str().expect("path")])
        .arg(&file)
        .assert()
        .failure()
        .stderr(contains("rates"));
    let vanishing = write(
        dir.path(),
        "web-tiny.json",
        &std::fs::read_to_string(&mapping)
            .expect("reads")
            .replace("0.79", "1e-300"),
    );
    candor()
        .args(["import", "--actor", "Sam", "--db"])
        .arg(&db)
        .args(["--mapping", vanishing.to_str().expect("path")])
        .arg(&file)
        .assert()
        .failure()
        .stderr(contains("from 0.000001 to 1,000,000"));
    assert_eq!(
        std::fs::read(&db).expect("reads"),
        before,
        "without a rate, nothing"
    );

    let out = candor()
        .args(["import", "--json", "--actor", "Sam", "--db"])
        .arg(&db)
        .args(["--mapping", mapping.to_str().expect("path")])
        .arg(&file)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(json["currency"], "GBP");
    assert_eq!(json["files"][0]["converted"]["USD"], 3, "{json}");
    assert_eq!(
        json["summary"]["prices_rounded"], 1,
        "$9.99 is £7.8921: rounded"
    );
    let shop = load(&db);
    let price = |name: &str| {
        shop.products
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.price_cents)
    };
    // The last purchase of the mug was in pounds; the towel's in dollars at 0.79.
    assert_eq!(price("Travel mug"), Some(1250));
    assert_eq!(price("Tea towel"), Some(789));
    assert_eq!(
        price("Discount"),
        Some(395),
        "a product's price is never negative"
    );
    let discount = shop
        .products
        .iter()
        .find(|p| p.name == "Discount")
        .expect("d")
        .id;
    let line = shop
        .lines
        .iter()
        .find(|l| l.product == discount)
        .expect("line");
    assert_eq!(
        line.unit_price_cents,
        Some(-395),
        "the line takes $5.00 at 0.79 off"
    );
    let ann = shop
        .customers
        .iter()
        .find(|c| c.email.as_deref() == Some("ann.rate@example.com"))
        .expect("ann")
        .id;
    let ann_line = shop
        .orders
        .iter()
        .find(|o| o.customer == Some(ann))
        .map(|o| o.id)
        .and_then(|id| shop.lines.iter().find(|l| l.order == id))
        .expect("ann's line");
    assert_eq!(ann_line.unit_price_cents, Some(1580), "$20.00 at 0.79");

    let bad = write(
        dir.path(),
        "web-bad.json",
        &std::fs::read_to_string(&mapping)
            .expect("reads")
            .replace("0.79", "-1"),
    );
    candor()
        .args(["import", "--actor", "Sam", "--db"])
        .arg(&db)
        .args(["--mapping", bad.to_str().expect("path")])
        .arg(&file)
        .assert()
        .failure()
        .stderr(contains("rate of USD"));
}

/// A mapping for a web shop's orders file with a currency column, and the rate of USD.
const WEB_SHOP_WITH_A_DOLLAR_RATE: &str = r#"{"name": "Web shop", "key_space": "web",
    "columns": {"order_id": "Order", "email": "Email", "date": "Date", "product_name": "Product",
                "quantity": "Quantity", "unit_price": "Price", "currency": "Currency"},
    "rates": {"USD": 0.92}}"#;

#[test]
fn a_new_shop_keeps_the_currency_without_a_rate_and_converts_the_other() {
    let dir = tempfile::tempdir().expect("dir");
    let csv = "Order,Email,Date,Product,Quantity,Price,Currency\n\
               W1,ann@example.com,2026-06-10,Travel mug,1,20.00,USD\n\
               W2,bob@example.com,2026-06-11,Tea towel,1,8.00,EUR\n";
    let mapping = write(dir.path(), "web.json", WEB_SHOP_WITH_A_DOLLAR_RATE);
    let (json, shop) = import(
        dir.path(),
        &["--mapping", mapping.to_str().expect("path")],
        &[("web-orders.csv", csv)],
    );
    assert_eq!(json["currency"], "EUR", "{json}");
    assert_eq!(shop.settings.currency.code(), "EUR");
    let price = |name: &str| {
        shop.products
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.price_cents)
    };
    assert_eq!(price("Travel mug"), Some(1840), "$20.00 at 0.92 is €18.40");
    assert_eq!(price("Tea towel"), Some(800));
}

#[test]
fn an_order_whose_rows_name_two_currencies_is_refused_even_with_rates() {
    let dir = tempfile::tempdir().expect("dir");
    let csv = "Order,Email,Date,Product,Quantity,Price,Currency\n\
               W1,ann@example.com,2026-06-10,Travel mug,1,20.00,EUR\n\
               W1,ann@example.com,2026-06-10,Tea towel,1,8.00,USD\n";
    let mapping = write(dir.path(), "web.json", WEB_SHOP_WITH_A_DOLLAR_RATE);
    let message = refused(
        dir.path(),
        &["--mapping", mapping.to_str().expect("path")],
        "web-orders.csv",
        csv,
    );
    assert!(
        message.contains("line 3")
            && message.contains("order W1 is in EUR")
            && message.contains("this row says USD"),
        "{message}"
    );
}

/// A Lightspeed X-Series (Vend) sales history export: each sale is a "Sale" row (its
/// customer and status), its "Sale Line" rows and its "Payment" rows.
const LIGHTSPEED_X_SALES: &str = "Date,Receipt Number,Line Type,Customer Code,Customer Name,Note,Quantity,Subtotal,Sales Tax,Discount,Loyalty,Total,Paid,Details,Register,User,Status,Sku,AccountCodeSale,AccountCodePurchase\n\
2024-09-24 10:15:32,1041,Sale,C-000042,Jane Doe,,3,21.67,4.33,0.00,0.00,26.00,26.00,,Main Register,Sam,CLOSED,,,\n\
2024-09-24 10:15:32,1041,Sale Line,,,,2,15.00,3.00,0.00,,18.00,,Earl Grey loose leaf 100g,,,,EG-100,200,300\n\
2024-09-24 10:15:32,1041,Sale Line,,,,1,6.67,1.33,0.00,,8.00,,Teapot infuser,,,,INF-1,200,300\n\
2024-09-24 10:15:32,1041,Payment,,,,,,,,,,26.00,Cash,,,,,,\n\
2024-09-25 12:01:09,1042,Sale,WALKIN,Walk-in Customer,,1,7.50,1.50,0.00,0.00,9.00,9.00,,Main Register,Sam,CLOSED,,,\n\
2024-09-25 12:01:09,1042,Sale Line,,,,1,7.50,1.50,0.00,,9.00,,Earl Grey loose leaf 100g,,,,EG-100,200,300\n\
2024-09-25 12:01:09,1042,Payment,,,,,,,,,,9.00,Card,,,,,,\n\
2024-09-26 09:30:00,1043,Sale,C-000042,Jane Doe,,1,6.67,1.33,0.00,0.00,8.00,0.00,,Main Register,Sam,VOIDED,,,\n\
2024-09-26 09:30:00,1043,Sale Line,,,,1,6.67,1.33,0.00,,8.00,,Teapot infuser,,,,INF-1,200,300\n\
2024-09-27 16:45:10,1044,Sale,C-000077,Raj Patel,Collect Friday,1,37.50,7.50,0.00,0.00,45.00,10.00,,Main Register,Sam,LAYBY,,,\n\
2024-09-27 16:45:10,1044,Sale Line,,,,1,37.50,7.50,0.00,,45.00,,Cast iron teapot,,,,TP-1,200,300\n\
2024-09-27 16:45:10,1044,Payment,,,,,,,,,,10.00,Cash,,,,,,\n\
2024-09-28 11:00:00,1045,Sale,C-000042,Jane Doe,Wrong size,-1,-6.67,-1.33,0.00,0.00,-8.00,-8.00,,Main Register,Sam,CLOSED,,,\n\
2024-09-28 11:00:00,1045,Sale Line,,,,-1,-6.67,-1.33,0.00,,-8.00,,Teapot infuser,,,,INF-1,200,300\n\
2024-09-28 11:00:00,1045,Payment,,,,,,,,,,-8.00,Cash,,,,,,\n";

#[test]
fn a_lightspeed_x_series_sales_export_reads_sale_lines_only_and_sale_statuses() {
    let dir = tempfile::tempdir().expect("dir");
    let path = write(dir.path(), "sales-history.csv", LIGHTSPEED_X_SALES);
    candor()
        .args(["import", "--detect"])
        .arg(&path)
        .assert()
        .success()
        .stdout(contains("lightspeed-x-sales"));
    let (json, shop) = import(
        dir.path(),
        &[],
        &[("sales-history.csv", LIGHTSPEED_X_SALES)],
    );
    let mut names: Vec<&str> = shop.products.iter().map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["Earl Grey loose leaf 100g", "Teapot infuser"],
        "payments and sale rows are not products: {json}"
    );
    // 1041 and 1045 are Jane's, 1042 the walk-in customer's (a guest sale); the voided
    // sale and the lay-by are not purchases, so Raj is not brought in by them.
    assert_eq!(shop.orders.len(), 3, "{json}");
    assert_eq!(shop.customers.len(), 1, "{json}");
    assert_eq!(shop.customers[0].name.as_deref(), Some("Jane Doe"));
    assert_eq!(
        shop.orders.iter().filter(|o| o.customer.is_none()).count(),
        1
    );
    let quantities: Vec<i64> = shop.lines.iter().map(|l| l.quantity).collect();
    assert_eq!(quantities, [2, 1, 1, -1], "the return is a return");
    let earl_grey = shop
        .products
        .iter()
        .find(|p| p.name.starts_with("Earl Grey"))
        .expect("tea");
    assert_eq!(earl_grey.price_cents, Some(900), "price with tax, per unit");
    let not_purchases = &json["summary"]["orders_not_purchases"];
    assert_eq!(not_purchases["voided"], 1, "{json}");
    assert_eq!(not_purchases["layby"], 1, "{json}");
    let file = &json["files"][0];
    assert_eq!(file["orders_as_purchases"], 2, "1041 and 1042: {json}");
    assert_eq!(
        file["orders_as_returns"], 1,
        "the refund receipt 1045: {json}"
    );
    assert_eq!(json["summary"]["returns_added"], 1, "{json}");
}

#[test]
fn an_order_a_newer_export_says_was_refunded_is_not_a_purchase_whichever_file_is_read_first() {
    let dir = tempfile::tempdir().expect("dir");
    let order = |n: u32, status: &str| {
        format!(
            "#{n},amy@example.com,{status},,,yes,GBP,9.00,9.00,2026-05-20 10:00:00 +0100,1,Tea,4.00,T1,Amy Orr,,,,,,0.00,,\n\
             #{n},amy@example.com,,,,,,,,2026-05-20 10:00:00 +0100,1,Scone,5.00,S1,,,,,,,,,\n"
        )
    };
    // Monday's export: #41 paid. Friday's: #41 refunded since, #42 new.
    let monday = format!(
        "{SHOPIFY_HEADER}\n{}{}",
        order(40, "paid"),
        order(41, "paid")
    );
    let friday = format!(
        "{SHOPIFY_HEADER}\n{}{}",
        order(41, "refunded"),
        order(42, "paid")
    );
    let files = [
        ("orders_monday.csv", &monday),
        ("orders_friday.csv", &friday),
    ];
    let write_dated = |name: &str, text: &str, day: u32| {
        let path = write(dir.path(), name, text);
        let when = std::time::SystemTime::UNIX_EPOCH
            + std::time::Duration::from_secs(1_780_000_000 + u64::from(day) * 86_400);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .expect("opens")
            .set_modified(when)
            .expect("dated");
        path
    };
    for (first, second, db) in [(0, 1, "in-order.candor"), (1, 0, "reversed.candor")] {
        let a = write_dated(
            files[first].0,
            files[first].1,
            u32::try_from(first).expect("0 or 1") * 4,
        );
        let b = write_dated(
            files[second].0,
            files[second].1,
            u32::try_from(second).expect("0 or 1") * 4,
        );
        let db = dir.path().join(db);
        let out = candor()
            .args(["import", "--json", "--actor", "Sam", "--db"])
            .arg(&db)
            .arg(&a)
            .arg(&b)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let json: Value = serde_json::from_slice(&out).expect("json");
        let shop = load(&db);
        assert_eq!(shop.orders.len(), 2, "#40 and #42 only: {json}");
        assert_eq!(units(&shop), 4);
        assert_eq!(json["summary"]["orders_as_purchases"], 2, "{json}");
        assert_eq!(
            json["summary"]["orders_not_purchases"]["refunded"], 1,
            "{json}"
        );
    }
    // The newer export wins the other way round too: Monday's says the payment had
    // expired, Friday's that it was paid after all.
    let pending = format!("{SHOPIFY_HEADER}\n{}", order(43, "expired"));
    let paid = format!("{SHOPIFY_HEADER}\n{}", order(43, "paid"));
    let monday = write_dated("pending_monday.csv", &pending, 0);
    let friday = write_dated("paid_friday.csv", &paid, 4);
    let db = dir.path().join("pending-then-paid.candor");
    candor()
        .args(["import", "--json", "--actor", "Sam", "--db"])
        .arg(&db)
        .arg(&friday)
        .arg(&monday)
        .assert()
        .success();
    assert_eq!(load(&db).orders.len(), 1, "#43 was paid in the end");
    // Partly refunded on Monday, refunded in full by Friday: not counted as either.
    let partly = format!("{SHOPIFY_HEADER}\n{}", order(44, "partially_refunded"));
    let full = format!("{SHOPIFY_HEADER}\n{}", order(44, "refunded"));
    let monday = write_dated("partly_monday.csv", &partly, 0);
    let friday = write_dated("refunded_friday.csv", &full, 4);
    let db = dir.path().join("partly-then-refunded.candor");
    let out = candor()
        .args(["import", "--json", "--actor", "Sam", "--db"])
        .arg(&db)
        .arg(&monday)
        .arg(&friday)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(json["summary"]["orders_partly_refunded"], 0, "{json}");
    assert_eq!(json["summary"]["orders_as_purchases"], 0, "{json}");
}

/// Etsy's EtsySoldOrders as Etsy writes it: one row per order, newest first, no items.
const ETSY_SOLD_ORDERS: &str = "Sale Date,Order ID,Buyer User ID,Full Name,First Name,Last Name,Number of Items,Payment Method,Date Shipped,Street 1,Street 2,Ship City,Ship State,Ship Zipcode,Ship Country,Currency,Order Value,Coupon Code,Coupon Details,Discount Amount,Shipping Discount,Shipping,Sales Tax,Order Total,Status,Card Processing Fees,Order Net,Adjusted Order Total,Adjusted Card Processing Fees,Adjusted Net Order Amount,Buyer,Order Type,Payment Type,InPerson Discount,InPerson Location,SKU\n\
10/05/24,3400003,881234567,Ann Lee,Ann,Lee,1,Credit Card,10/07/24,8 New Rd,,Portland,OR,97205,United States,USD,18.00,,,0,0,4.50,0,22.50,Completed,0.93,21.57,,,,annlee88,online,online_cc,,,MUG-M\n\
10/02/24,3400002,770012345,Bob Ray,Bob,Ray,1,Credit Card,,2 Low St,,Austin,TX,78701,United States,USD,18.00,,,0,0,4.50,0,22.50,Completed,0.93,21.57,,,,bobray,online,online_cc,,,MUG-G\n\
09/24/24,3400001,881234567,Ann Lee,Ann,Lee,3,Credit Card,09/26/24,1 High St,,Portland,OR,97201,United States,USD,60.00,,,0,0,4.50,0,64.50,Completed,2.18,62.32,,,,annlee88,online,online_cc,,,\"MUG-M,BOWL-S\"\n";

#[test]
fn etsy_sold_orders_give_their_buyers_and_never_count_an_order_twice() {
    let dir = tempfile::tempdir().expect("dir");
    let path = write(dir.path(), "EtsySoldOrders2024-10.csv", ETSY_SOLD_ORDERS);
    candor()
        .args(["import", "--detect"])
        .arg(&path)
        .assert()
        .success()
        .stdout(contains("etsy-orders"));

    let (json, shop) = import(
        dir.path(),
        &["--currency", "USD"],
        &[("EtsySoldOrders2024-10.csv", ETSY_SOLD_ORDERS)],
    );
    assert!(shop.orders.is_empty(), "no items: no orders invented");
    assert_eq!(shop.customers.len(), 2, "{json}");
    let ann = shop
        .customers
        .iter()
        .find(|c| c.name.as_deref() == Some("Ann Lee"))
        .expect("Ann");
    assert_eq!(ann.address.as_deref(), Some("8 New Rd, Portland"), "newest");
    assert_eq!(ann.postcode.as_deref(), Some("97205"));
    assert_eq!(json["files"][0]["orders_without_items"], 3, "{json}");
    assert_eq!(json["summary"]["orders_without_items"], 3);

    let db = dir.path().join("text.candor");
    candor()
        .args(["import", "--actor", "Sam", "--currency", "USD", "--db"])
        .arg(&db)
        .arg(&path)
        .assert()
        .success()
        .stdout(contains("3 orders in the files do not say what was bought"))
        .stdout(contains("EtsySoldOrderItems"));

    // With the items file of the same orders, each order is read once, from the items.
    let items = platform_files()
        .into_iter()
        .find(|f| f.1 == "etsy-order-items")
        .expect("items fixture")
        .2;
    let (_, both) = import(
        dir.path(),
        &["--currency", "USD"],
        &[
            ("EtsySoldOrders2024-10b.csv", ETSY_SOLD_ORDERS),
            ("EtsySoldOrderItems2024-9.csv", &items),
        ],
    );
    assert_eq!(both.orders.len(), 2);
    assert_eq!(units(&both), 4);
    assert_eq!(both.customers.len(), 2, "one buyer, one record");
}

/// An orders export no preset knows, in semicolons, camelCase headers and the upper-case
/// status codes some platforms write (`AWAITING_PAYMENT`, `PARTIALLY_REFUNDED`).
const UNKNOWN_ORDERS: &str = "orderNumber;createDate;email;billingName;productName;sku;quantity;price;paymentStatus;fulfillmentStatus\n\
1001;2026-06-01 10:00:00;kim@example.com;Kim Ode;Oat milk;OM1;1;1.50;PAID;DELIVERED\n\
1002;2026-06-02 10:00:00;kim@example.com;Kim Ode;Rye loaf;RY1;1;3.40;REFUNDED;RETURNED\n\
1003;2026-06-03 10:00:00;lou@example.com;Lou Pak;Rye loaf;RY1;2;3.40;AWAITING_PAYMENT;AWAITING_PROCESSING\n\
1004;2026-06-04 10:00:00;lou@example.com;Lou Pak;Oat milk;OM1;2;1.50;PARTIALLY_REFUNDED;SHIPPED\n\
1005;2026-06-05 10:00:00;max@example.com;Max Roe;Seeded loaf;SL1;1;3.80;CANCELLED;WILL_NOT_DELIVER\n";

#[test]
fn the_wizards_guess_is_written_from_the_command_line_and_keeps_unsold_orders_out() {
    let dir = tempfile::tempdir().expect("dir");
    let file = write(dir.path(), "orders_2026-06.csv", UNKNOWN_ORDERS);
    let map = dir.path().join("guess.json");
    guess_mapping(&map, &[&file])
        .success()
        .stdout(contains("Candor's guess"));
    let guess: Value =
        serde_json::from_str(&std::fs::read_to_string(&map).expect("written")).expect("json");
    let columns = &guess["columns"];
    assert_eq!(columns["order_id"], "orderNumber", "{guess}");
    assert_eq!(columns["date"], "createDate");
    assert_eq!(columns["email"], "email");
    assert_eq!(columns["product_code"], "sku");
    assert_eq!(columns["payment_status"], "paymentStatus");
    assert_eq!(columns["status"], "fulfillmentStatus");

    let (json, shop) = import(
        dir.path(),
        &["--mapping", map.to_str().expect("path")],
        &[("orders_2026-06.csv", UNKNOWN_ORDERS)],
    );
    let kept: Vec<String> = shop.orders.iter().map(|o| o.date.to_string()).collect();
    assert_eq!(kept, ["2026-06-01", "2026-06-04"], "{json}");
    assert_eq!(json["summary"]["orders_partly_refunded"], 1);
    let left_out = &json["summary"]["orders_not_purchases"];
    let total: u64 = left_out
        .as_object()
        .expect("by status")
        .values()
        .map(|n| n.as_u64().expect("count"))
        .sum();
    assert_eq!(total, 3, "{left_out}");

    guess_mapping(&map, &[&file])
        .failure()
        .stderr(contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(&file).expect("reads"),
        UNKNOWN_ORDERS,
        "the export is never written over"
    );
    let two = write(dir.path(), "other.csv", UNKNOWN_ORDERS);
    guess_mapping(&map, &[&file, &two])
        .failure()
        .stderr(contains("one file at a time"));
}

#[test]
fn a_members_status_never_leaves_a_customer_out() {
    let dir = tempfile::tempdir().expect("dir");
    let list = "Customer ID,Name,Email,Status\n1,Ann Lee,ann@example.com,Active\n2,Bob Ray,bob@example.com,Pending\n3,Cat Day,cat@example.com,Expired\n";
    let file = write(dir.path(), "members.csv", list);
    let map = dir.path().join("members.json");
    guess_mapping(&map, &[&file]).success();
    let (json, shop) = import(
        dir.path(),
        &["--mapping", map.to_str().expect("path")],
        &[("members.csv", list)],
    );
    assert_eq!(shop.customers.len(), 3, "{json}");
    assert_eq!(
        json["summary"]["orders_not_purchases"],
        serde_json::json!({})
    );
}

#[test]
fn receipts_without_products_read_as_customers_are_refused_with_the_way_out() {
    let dir = tempfile::tempdir().expect("dir");
    let mapping = r#"{"name": "Till receipts", "key_space": "till",
        "columns": {"order_id": "Receipt", "date": "Date", "customer_id": "Customer ID", "line_total": "Total"}}"#;
    let mapping = write(dir.path(), "till.json", mapping);
    let message = refused(
        dir.path(),
        &["--mapping", mapping.to_str().expect("path")],
        "receipts.csv",
        "Receipt,Date,Customer ID,Total\n501,2026-06-01,900,3.40\n502,2026-06-02,900,6.80\n",
    );
    assert!(message.contains("appears twice"), "{message}");
    assert!(
        message.contains("Rows are purchases that name no product"),
        "{message}"
    );
}

#[test]
fn a_category_cell_saying_uncategorized_is_no_category_and_a_custom_amount_no_product() {
    let dir = tempfile::tempdir().expect("dir");
    let sales = "Date,Time,Time Zone,Category,Item,Qty,Price Point Name,SKU,Modifiers Applied,Gross Sales,Discounts,Net Sales,Tax,Transaction ID,Payment ID,Device Name,Notes,Details,Event Type,Location,Dining Option,Customer ID,Customer Name,Customer Reference ID\n\
        2024-09-24,08:15:02,Pacific Time (US & Canada),Coffee,Latte,1,Regular,LAT-R,,4.50,0.00,4.50,0.40,tx001,p001,iPad,,,Payment,Main St,,CUST1,Ann Lee,\n\
        2024-09-25,09:01:44,Pacific Time (US & Canada),Uncategorized,Lemon bar,2,Regular,LEM,,7.00,0.00,7.00,0.62,tx002,p002,iPad,,,Payment,Main St,,CUST1,Ann Lee,\n\
        2024-09-25,09:01:44,Pacific Time (US & Canada),,Custom Amount,1,,,,2.50,0.00,2.50,0.00,tx002,p002,iPad,,,Payment,Main St,,CUST1,Ann Lee,\n";
    let (json, shop) = import(
        dir.path(),
        &["--currency", "USD"],
        &[("items-2024-09-24.csv", sales)],
    );
    let category = |name: &str| {
        shop.products
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.category.clone())
            .expect("product")
    };
    assert_eq!(category("Latte"), "Coffee");
    let custom = shop
        .products
        .iter()
        .find(|p| p.name == "Custom Amount")
        .expect("kept with its order");
    assert!(!custom.is_product(), "never recommended");
    assert_eq!(category("Lemon bar"), candor::engine::model::NO_CATEGORY);
    assert_eq!(json["summary"]["products_without_category"], 1, "{json}");
}

#[test]
fn orders_awaiting_payment_are_not_purchases_on_any_platform() {
    let dir = tempfile::tempdir().expect("dir");
    let unpaid = |preset: &str, from: &str, to: &str| {
        let (file, _, text, ..) = platform_files()
            .into_iter()
            .find(|f| f.1 == preset)
            .expect("a fixture");
        assert!(text.contains(from), "{preset}");
        (file, text.replacen(from, to, 1))
    };
    let shopify = format!(
        "{SHOPIFY_HEADER}\n\
         #7001,ann@example.com,pending,,,yes,USD,8.50,8.50,2024-05-03 10:00:00 +0100,1,Coffee beans,8.50,CB1,Ann Lee,1 High St,Boston,02135,,,0.00,Roastery,7001\n\
         #7002,ann@example.com,paid,2024-05-04 10:00:00 +0100,,yes,USD,4.00,4.00,2024-05-04 10:00:00 +0100,1,Tea,4.00,T1,Ann Lee,1 High St,Boston,02135,,,0.00,Teas,7002\n"
    );
    let cases = [
        ("orders_export_1.csv".to_owned(), shopify, "pending"),
        {
            let (f, t) = unpaid("wix-orders", ",Refunded,Card", ",Not paid,Card");
            (f.to_owned(), t, "not paid")
        },
        {
            let (f, t) = unpaid("magento-orders", ",Canceled,", ",Pending,");
            (f.to_owned(), t, "pending")
        },
        {
            let (f, t) = unpaid("squarespace-orders", ",refunded,", ",PENDING,");
            (
                f.to_owned(),
                t.replace(",2018-07-28 10:00:00 -0700,,Stripe", ",,,Stripe"),
                "pending",
            )
        },
    ];
    for (file, text, status) in cases {
        let (json, shop) = import(dir.path(), &["--currency", "USD"], &[(&file, &text)]);
        let left_out = &json["files"][0]["orders_not_purchases"];
        let counted: u64 = left_out
            .as_object()
            .expect("a map")
            .iter()
            .filter(|(k, _)| k.to_lowercase() == status)
            .map(|(_, n)| n.as_u64().expect("a count"))
            .sum();
        assert_eq!(counted, 1, "{file}: {json}");
        assert_eq!(
            shop.orders.len(),
            1,
            "{file}: only the paid order is bought"
        );
    }
}

#[test]
fn a_file_saved_again_by_a_uk_spreadsheet_is_read_day_first_or_refused_never_swapped() {
    let dir = tempfile::tempdir().expect("dir");
    let invoices = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n\
        536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,01/12/2010 08:26,2.55,17850,United Kingdom\n\
        536366,22633,HAND WARMER UNION JACK,6,02/12/2010 08:28,1.85,17850,United Kingdom\n\
        536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,13/12/2010 08:34,1.69,13047,United Kingdom\n";
    let (_, shop) = import(dir.path(), &[], &[("invoices-uk.csv", invoices)]);
    let mut days: Vec<String> = shop.orders.iter().map(|o| o.date.to_string()).collect();
    days.sort();
    assert_eq!(days, ["2010-12-01", "2010-12-02", "2010-12-13"], "December");

    let (_, _, etsy, ..) = platform_files()
        .into_iter()
        .find(|f| f.1 == "etsy-order-items")
        .expect("the Etsy fixture");
    let resaved = etsy.replace("10/02/24,Hand-thrown mug", "13/02/24,Hand-thrown mug");
    for args in [&[][..], &["--skip-bad-rows", "bad.csv"][..]] {
        let message = refused(dir.path(), args, "EtsySoldOrderItems-resaved.csv", &resaved);
        assert!(message.contains("13/02/24"), "{message}");
        assert!(message.contains("\"day_month_year\""), "{message}");
    }
}

#[test]
fn a_discount_line_takes_its_amount_off_and_an_impossible_line_total_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let csv = format!(
        "{SHOPIFY_HEADER}\n\
         #3001,ann@example.com,paid,2026-06-01 10:00:00 +0100,,yes,GBP,8.00,8.00,2026-06-01 10:00:00 +0100,1,Hamper,10.00,HAMP,Ann Lee,1 High St,Bath,BA1 1AA,,,0.00,Hampers,3001\n\
         #3001,,,,,,,,,2026-06-01 10:00:00 +0100,1,Loyalty discount,-2.00,DISC,,,,,,,,,\n"
    );
    let (_, shop) = import(dir.path(), &[], &[("orders_export.csv", &csv)]);
    let spent: i64 = shop
        .lines
        .iter()
        .filter_map(|l| Some(l.quantity * l.unit_price_cents?))
        .sum();
    assert_eq!(spent, 800, "£10.00 less the £2.00 discount");
    let db = dir.path().join("shop-orders_export.csv.candor");
    let held = about(&db, shop.customers[0].id, &["held"]);
    assert!(held.contains("£8.00"), "{held}");
    assert!(!held.contains("£12.00"), "{held}");

    let huge = format!(
        "{SHOPIFY_HEADER}\n\
         #3002,bob@example.com,paid,2026-06-01 10:00:00 +0100,,yes,GBP,1,1,2026-06-01 10:00:00 +0100,1000000000,Hamper,99999999.99,HAMP,Bob Ray,2 Low St,Bath,BA2 2BB,,,0.00,Hampers,3002\n"
    );
    let message = refused(dir.path(), &[], "orders_huge.csv", &huge);
    assert!(message.contains("more than any shop's sale"), "{message}");
}

#[test]
fn product_columns_with_no_date_or_order_are_refused_not_silently_dropped() {
    let dir = tempfile::tempdir().expect("dir");
    let text = "cust,mail,when,item,qty,price,news\n1,ann@example.com,2026-06-01,Tea,2,4.00,yes\n2,bob@example.com,2026-06-02,Mug,1,9.00,no\n";
    let file = write(dir.path(), "gen.csv", text);
    let map = dir.path().join("gen.json");
    guess_mapping(&map, &[&file]).success();
    let guess: Value =
        serde_json::from_str(&std::fs::read_to_string(&map).expect("written")).expect("json");
    assert!(guess["columns"].get("date").is_none(), "{guess}");
    let message = refused(
        dir.path(),
        &["--mapping", map.to_str().expect("path")],
        "gen.csv",
        text,
    );
    assert!(message.contains("\"item\""), "{message}");
    assert!(message.contains("order date"), "{message}");
}

#[test]
fn a_row_dated_after_today_is_refused_and_every_order_held_is_shown() {
    let dir = tempfile::tempdir().expect("dir");
    let future = format!(
        "{SHOPIFY_HEADER}\n\
         #4001,zed@example.com,paid,2099-01-01 10:00:00 +0100,,yes,GBP,4.00,4.00,2099-01-01 10:00:00 +0100,1,Tea,4.00,T1,Zed Hill,1 High St,Bath,BA1 1AA,,,0.00,Teas,4001\n"
    );
    let message = refused(dir.path(), &[], "orders_future.csv", &future);
    assert!(message.contains("after today"), "{message}");
    // An export stamped in UTC, or in a zone ahead of this computer's clock, can be dated
    // tomorrow: taken, to count from its day.
    let tomorrow = chrono::Local::now().date_naive().succ_opt().expect("a day");
    let (json, _) = import(
        dir.path(),
        &[],
        &[(
            "orders_tomorrow.csv",
            &future.replace("2099-01-01", &tomorrow.to_string()),
        )],
    );
    assert_eq!(json["summary"]["orders_added"], 1, "{json}");

    let db = dir.path().join("sample.candor");
    candor()
        .args(["sample", "--out"])
        .arg(&db)
        .assert()
        .success();
    let after_the_pin = format!(
        "{SHOPIFY_HEADER}\n\
         #7001,amelia.hart@example.com,paid,2026-07-01 10:00:00 +0100,,yes,GBP,4.50,4.50,2026-07-01 10:00:00 +0100,1,Sourdough loaf,4.50,SKUSD,Amelia Hart,1 High St,Bath,BA1 1AA,,,0.00,Bread,7001\n"
    );
    let file = write(dir.path(), "orders_july.csv", &after_the_pin);
    import_into(&db, &file);
    let held = about(&db, 1, &["held"]);
    assert!(held.contains("2026-07-01"), "{held}");
    let json: Value = serde_json::from_str(&about(&db, 1, &["held", "--json"])).expect("json");
    let orders = json["orders"].as_array().expect("orders");
    assert!(orders.iter().any(|o| o["date"] == "2026-07-01"), "{json}");
}

#[test]
fn one_birthday_typed_the_other_way_round_is_its_rows_problem_not_the_files() {
    let dir = tempfile::tempdir().expect("dir");
    let text = "Order,Email,Date,Product,Qty,Price,Birthday\n\
        T1,ann@example.com,13/05/2026,Tea,1,4.00,03/04/1990\n\
        T2,bob@example.com,14/05/2026,Tea,2,4.00,12/25/1990\n\
        T3,cy@example.com,15/05/2026,Mug,1,9.00,\n";
    let mapping = write(
        dir.path(),
        "till.json",
        r#"{"name": "Till", "key_space": "till", "columns": {"order_id": "Order", "email": "Email", "date": "Date",
            "product_name": "Product", "quantity": "Qty", "unit_price": "Price", "birth_date": "Birthday"}}"#,
    );
    let map = mapping.to_str().expect("path");
    let message = refused(dir.path(), &["--mapping", map], "till.csv", text);
    assert!(message.contains("line 3"), "{message}");
    assert!(
        message.contains("\"12/25/1990\" is not a date"),
        "{message}"
    );
    let report = dir.path().join("skipped.csv");
    let (json, shop) = import(
        dir.path(),
        &[
            "--mapping",
            map,
            "--skip-bad-rows",
            report.to_str().expect("path"),
        ],
        &[("till.csv", text)],
    );
    assert_eq!(json["summary"]["bad_rows_skipped"], 1, "{json}");
    let days: Vec<String> = shop.orders.iter().map(|o| o.date.to_string()).collect();
    assert_eq!(
        days,
        ["2026-05-13", "2026-05-15"],
        "told day-first by the order dates"
    );
}

#[test]
fn control_characters_and_bidi_overrides_in_cells_are_refused_by_their_line() {
    let dir = tempfile::tempdir().expect("dir");
    let row = |name: &str, product: &str| {
        format!(
            "{SHOPIFY_HEADER}\n#7101,eve@example.com,paid,2026-05-03 10:00:00 +0100,,yes,GBP,4.00,4.00,2026-05-03 10:00:00 +0100,1,{product},4.00,T1,{name},1 High St,Bath,BA1 1AA,,,0.00,Teas,7101\n"
        )
    };
    for (name, product, column, code) in [
        (
            "\u{1b}[2J\u{1b}]0;pwned\u{7}Eve",
            "Tea",
            "Billing Name",
            "U+001B",
        ),
        ("Eve", "Tea\u{1}", "Lineitem name", "U+0001"),
        ("Z\u{202E}evil", "Tea", "Billing Name", "U+202E"),
        ("\"EVIL\r\nAmelia Hart\"", "Tea", "Billing Name", "U+000A"),
    ] {
        let message = refused(dir.path(), &[], "orders_export.csv", &row(name, product));
        assert!(message.contains("line 2"), "{message}");
        assert!(message.contains(column), "{message}");
        assert!(message.contains(code), "{message}");
        assert!(
            !message.contains('\u{1b}'),
            "the message does not carry it either"
        );
    }
    let (json, shop) = import(
        dir.path(),
        &[],
        &[("orders_export.csv", &row("Zoë Ångström-O'Neill", "Tea"))],
    );
    assert_eq!(json["summary"]["orders_added"], 1, "{json}");
    assert_eq!(
        shop.customers[0].name.as_deref(),
        Some("Zoë Ångström-O'Neill")
    );
}

#[test]
fn a_utf8_export_with_one_stray_byte_is_refused_by_its_line_not_garbled() {
    let dir = tempfile::tempdir().expect("dir");
    let mut bytes = b"Customer ID,First Name,Last Name,Email\n".to_vec();
    for n in 0..300 {
        bytes.extend_from_slice(format!("{n},Zoë,Müller,zoe{n}@example.com\n").as_bytes());
    }
    bytes.extend_from_slice(b"300,Ren\xe9,Dubois,rene@example.com\n");
    let file = dir.path().join("customers_export.csv");
    std::fs::write(&file, &bytes).expect("written");
    let db = dir.path().join("shop.candor");
    let out = candor()
        .args(["import", "--actor", "Sam", "--db"])
        .arg(&db)
        .arg(&file)
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let message = String::from_utf8_lossy(&out);
    assert!(message.contains("line 302"), "{message}");
    assert!(message.contains("not UTF-8"), "{message}");
    assert!(!db.exists(), "nothing imported");
}

#[test]
fn birthdays_tell_their_order_where_the_order_dates_start_with_the_year() {
    let dir = tempfile::tempdir().expect("dir");
    let mapping = write(
        dir.path(),
        "web.json",
        r#"{"name": "Web", "key_space": "web", "columns": {"order_id": "Order", "email": "Email", "date": "Date",
            "product_name": "Product", "quantity": "Qty", "unit_price": "Price", "birth_date": "Birthday"}}"#,
    );
    let map = mapping.to_str().expect("path");
    let told = "Order,Email,Date,Product,Qty,Price,Birthday\n\
        W1,ann@example.com,2026-05-13,Tea,1,4.00,12/25/1990\n\
        W2,bo@example.com,2026-05-14,Tea,1,4.00,03/04/1985\n";
    let (_, shop) = import(dir.path(), &["--mapping", map], &[("web.csv", told)]);
    let bo = shop
        .customers
        .iter()
        .find(|c| c.email.as_deref() == Some("bo@example.com"))
        .expect("Bo");
    assert_eq!(
        bo.birth_date.map(|d| d.to_string()).as_deref(),
        Some("1985-03-04"),
        "month-first, as 12/25/1990 tells"
    );
    let untold = told.replace("12/25/1990", "04/05/1980");
    let message = refused(dir.path(), &["--mapping", map], "web2.csv", &untold);
    assert!(message.contains("\"dates\""), "never guessed: {message}");

    let guessed = dir.path().join("guess.json");
    guess_mapping(
        &guessed,
        &[&write(
            dir.path(),
            "members.csv",
            "Email,Birthday\nann@example.com,03/04/1985\n",
        )],
    )
    .success();
    let guess: Value =
        serde_json::from_str(&std::fs::read_to_string(&guessed).expect("written")).expect("json");
    assert_eq!(guess["dates"], "from_file", "{guess}");
}

#[test]
fn what_customers_said_they_like_is_read_as_strictly_as_their_name() {
    let dir = tempfile::tempdir().expect("dir");
    let mapping = write(
        dir.path(),
        "members.json",
        r#"{"name": "Members", "key_space": "members", "columns": {"email": "Email", "name": "Name"},
            "preferences": [{"column": "Favourites", "kind": "liked", "about": "category"}]}"#,
    );
    let map = mapping.to_str().expect("path");
    for cell in ["\"tea, cake\u{1b}[2J\"", "x\u{202E}y", "\"line\nbreak\""] {
        let text = format!("Email,Name,Favourites\nann@example.com,Ann Lee,{cell}\n");
        let message = refused(dir.path(), &["--mapping", map], "members.csv", &text);
        assert!(message.contains("column \"Favourites\""), "{message}");
    }
    let (json, _) = import(
        dir.path(),
        &["--mapping", map],
        &[(
            "members.csv",
            "Email,Name,Favourites\nann@example.com,Ann Lee,\"tea, cake\"\n",
        )],
    );
    assert_eq!(json["summary"]["preferences_added"], 2, "{json}");
}

#[test]
fn a_column_the_mapping_reads_named_twice_in_the_header_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let text = "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Address1,Default Address City,Default Address Zip,Phone,Total Spent,Total Orders,Tags,Email\n\
        101,Ann,Lee,ann@example.com,yes,1 High St,Bath,BA1 1AA,,40.00,2,,ann.lee@example.org\n";
    let message = refused(dir.path(), &[], "customers_export.csv", text);
    assert!(
        message.contains("\"Email\" more than once (columns 4 and 13)"),
        "{message}"
    );
}

#[test]
fn an_order_time_that_is_no_time_of_day_is_refused_not_read_as_midnight() {
    let dir = tempfile::tempdir().expect("dir");
    let garbled = format!(
        "{SHOPIFY_HEADER}\n\
         #4002,zed@example.com,paid,2026-05-01 25:61:00 +0100,,yes,GBP,4.00,4.00,2026-05-01 25:61:00 +0100,1,Tea,4.00,T1,Zed Hill,1 High St,Bath,BA1 1AA,,,0.00,Teas,4002\n"
    );
    let message = refused(dir.path(), &[], "orders_garbled.csv", &garbled);
    assert!(
        message.contains("\"2026-05-01 25:61:00 +0100\" is not a date"),
        "{message}"
    );
    assert!(message.contains("orders_garbled.csv"), "{message}");
}

/// The field `key` of `held --json`'s answer.
fn held_field(json: &Value, key: &str) -> Value {
    json["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["field"] == key)
        .cloned()
        .unwrap_or_else(|| panic!("{key} in {json}"))
}

#[test]
fn a_customers_since_date_and_each_fields_record_say_where_they_came_from() {
    let dir = tempfile::tempdir().expect("dir");
    let customers = "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Address1,Default Address City,Default Address Zip,Phone,Total Spent,Total Orders,Tags\n\
        101,Élodie,Marchand,elodie@example.com,yes,1 High St,Bath,BA1 1AA,07700 900101,40.00,2,\n";
    let (_, shop) = import(dir.path(), &[], &[("customers_export.csv", customers)]);
    let db = dir.path().join("shop-customers_export.csv.candor");
    let json: Value =
        serde_json::from_str(&about(&db, shop.customers[0].id, &["held", "--json"])).expect("json");
    let since = held_field(&json, "customer_since");
    assert!(
        since["source"]
            .as_str()
            .is_some_and(|s| s.contains("gives no earlier date")),
        "{since}"
    );

    let (_, _, etsy, ..) = platform_files()
        .into_iter()
        .find(|f| f.1 == "etsy-order-items")
        .expect("the Etsy fixture");
    let (_, shop) = import(
        dir.path(),
        &["--currency", "USD"],
        &[("EtsySoldOrderItems.csv", &etsy)],
    );
    let db = dir.path().join("shop-EtsySoldOrderItems.csv.candor");
    let ann = shop
        .customers
        .iter()
        .find(|c| c.name.as_deref() == Some("Ann Lee"))
        .expect("Ann");
    let json: Value = serde_json::from_str(&about(&db, ann.id, &["held", "--json"])).expect("json");
    let today = chrono::Local::now().date_naive().to_string();
    let address = held_field(&json, "address");
    assert_eq!(
        address["recorded_on"], today,
        "recorded when imported: {address}"
    );
    let since = held_field(&json, "customer_since");
    assert_eq!(since["value"], "2024-09-24", "{since}");
    assert!(
        since["source"]
            .as_str()
            .is_some_and(|s| s.contains("first order")),
        "{since}"
    );

    // One person in the customers export and the orders export of one import: each value
    // and the first-order day name the file they came from.
    let customers = "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Address1,Default Address City,Default Address Zip,Phone,Total Spent,Total Orders,Tags\n\
        201,Noor,Haddad,noor@example.com,yes,,,,,4.00,1,\n";
    let orders = format!(
        "{SHOPIFY_HEADER}\n#6001,noor@example.com,paid,2026-05-03 10:00:00 +0100,,yes,GBP,4.00,4.00,2026-05-03 10:00:00 +0100,1,Tea,4.00,T1,Noor Haddad,9 Mill Lane,Bath,BA2 9ZZ,07700 900202,,0.00,Teas,6001\n"
    );
    let (_, shop) = import(
        dir.path(),
        &[],
        &[
            ("noor_customers.csv", customers),
            ("noor_orders.csv", &orders),
        ],
    );
    let db = dir.path().join("shop-noor_customers.csv.candor");
    let json: Value =
        serde_json::from_str(&about(&db, shop.customers[0].id, &["held", "--json"])).expect("json");
    let source = |field: &str| {
        held_field(&json, field)["source"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert!(source("email").contains("noor_customers.csv"), "{json}");
    assert!(source("phone").contains("noor_orders.csv"), "{json}");
    assert!(!source("phone").contains("noor_customers.csv"), "{json}");
    assert_eq!(
        source("customer_since"),
        "the day of their first order in noor_orders.csv"
    );

    // Their older orders export does not outvote the customers export made today.
    let customers = customers.replace(
        "201,Noor,Haddad,noor@example.com,yes,,,,,",
        "201,Noor,Haddad,noor@example.com,yes,,,,07700 900111,",
    );
    let orders = orders.replace("2026-05-03", "2024-05-03");
    let (_, shop) = import(
        dir.path(),
        &[],
        &[
            ("noor2_customers.csv", &customers),
            ("noor2_orders.csv", &orders),
        ],
    );
    assert_eq!(shop.customers.len(), 1);
    assert_eq!(
        shop.customers[0].phone.as_deref(),
        Some("07700 900111"),
        "the newest record's phone"
    );

    // Two orders exports naming them by the same email: the newer file's phone, and its name
    // as the phone's source, while the name both give stays with the first.
    let older = orders.replace("07700 900202", "07700 900333");
    let newer = orders
        .replace("2024-05-03", "2025-05-03")
        .replace("#6001", "#6002")
        .replace("07700 900202", "07700 900444");
    let (_, shop) = import(
        dir.path(),
        &[],
        &[("noor3_a.csv", &older), ("noor3_b.csv", &newer)],
    );
    let db = dir.path().join("shop-noor3_a.csv.candor");
    let json: Value =
        serde_json::from_str(&about(&db, shop.customers[0].id, &["held", "--json"])).expect("json");
    let phone = held_field(&json, "phone");
    assert_eq!(phone["value"], "07700 900444", "{phone}");
    assert!(
        phone["source"]
            .as_str()
            .is_some_and(|s| s.contains("noor3_b.csv")),
        "{phone}"
    );
    let name = held_field(&json, "name");
    assert!(
        name["source"]
            .as_str()
            .is_some_and(|s| s.contains("noor3_a.csv")),
        "{name}"
    );
}

#[test]
fn a_recognized_export_saved_with_decimal_commas_reads_its_prices() {
    let dir = tempfile::tempdir().expect("dir");
    let (_, _, text, ..) = platform_files()
        .into_iter()
        .find(|f| f.1 == "woocommerce-order-export")
        .expect("the WooCommerce fixture");
    let european = ["20.95", "3.95", "8.00", "9.00"]
        .iter()
        .fold(text.replace(',', ";"), |t, p| {
            t.replace(p, &p.replace('.', ","))
        });
    assert!(european.contains(";8,00;"), "{european}");
    let (json, shop) = import(dir.path(), &[], &[("orders-de.csv", &european)]);
    let mut prices: Vec<Option<i64>> = shop.lines.iter().map(|l| l.unit_price_cents).collect();
    prices.sort_unstable();
    assert_eq!(
        prices,
        [Some(400), Some(900)],
        "£8,00 for two loaves, £9,00 for one: {json}"
    );
}

/// Square's Item Sales header, as Square writes it.
const SQUARE_ITEMS_HEADER: &str = "Date,Time,Time Zone,Category,Item,Qty,Price Point Name,SKU,Modifiers Applied,Gross Sales,Discounts,Net Sales,Tax,Transaction ID,Payment ID,Device Name,Notes,Details,Event Type,Location,Dining Option,Customer ID,Customer Name,Customer Reference ID";

/// A row of Square's Item Sales of transaction T1, for Ann Lee.
fn square_t1_row(date: &str, item: &str, qty: &str, gross: &str, event: &str) -> String {
    format!(
        "{date},12:59:30,Eastern Time (US & Canada),Bakery,{item},{qty},Regular,,,{gross},$0.00,{gross},$0.00,T1,PT1,Counter,,,{event},Main St,,CUST1,Ann Lee,\n"
    )
}

#[test]
fn a_square_refund_under_its_sales_transaction_id_is_a_return_on_its_own_day() {
    let dir = tempfile::tempdir().expect("dir");
    let text = [
        SQUARE_ITEMS_HEADER.to_owned() + "\n",
        square_t1_row("2025-01-07", "Latte", "1", "$4.50", "Payment"),
        square_t1_row("2025-01-07", "Croissant", "2", "$6.00", "Payment"),
        square_t1_row("2025-01-07", "Latte", "-1", "-$4.50", "Refund"),
        square_t1_row("2025-01-09", "Croissant", "-1", "-$3.00", "Refund"),
    ]
    .concat();
    let (json, shop) = import(dir.path(), &["--currency", "USD"], &[("items.csv", &text)]);
    let s = &json["summary"];
    assert_eq!(s["orders_added"], 3, "{s}");
    assert_eq!(
        s["returns_added"], 2,
        "one sale and a refund on each of two days: {s}"
    );
    let mut days: Vec<String> = shop.orders.iter().map(|o| o.date.to_string()).collect();
    days.sort();
    assert_eq!(days, ["2025-01-07", "2025-01-07", "2025-01-09"]);
    assert_eq!(units(&shop), 1, "three bought, two taken back");
    let sale = shop.orders.iter().find(|o| o.id == 1).expect("the sale");
    let sold: i64 = shop
        .lines
        .iter()
        .filter(|l| l.order == sale.id)
        .map(|l| l.quantity)
        .sum();
    assert_eq!(sold, 3, "the sale keeps every item sold");

    let db = dir.path().join("shop-items.csv.candor");
    // Data held tells the sale from the refunds: $4.50 + $6.00 - $4.50 - $3.00.
    let held = about(&db, shop.customers[0].id, &["held"]);
    assert!(
        held.contains("1 order and 2 returns, 4 lines, $3.00 in total after returns"),
        "{held}"
    );
    let listed = json_of(&db, "customers");
    assert_eq!(
        listed[0]["orders"], 1,
        "returns are left out of the orders placed"
    );
    assert_eq!(
        listed[0]["last_order"], "2025-01-07",
        "the refund of 9 January is no order placed"
    );
    let again = import_into(&db, &write(dir.path(), "items-again.csv", &text));
    assert_eq!(again["summary"]["orders_added"], 0, "{again}");
    assert_eq!(again["summary"]["orders_already_imported"], 3, "{again}");
}

/// What `candor COMMAND --json --db DB` prints.
fn json_of(db: &Path, command: &str) -> Value {
    let out = candor()
        .args([command, "--json", "--db"])
        .arg(db)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("json")
}

/// A row of Square's Item Sales for Ann Lee with its discount (Square writes it negative;
/// Net Sales is Gross Sales less it).
fn square_discounted_row(tx: &str, item: &str, qty: &str, money: [&str; 3], event: &str) -> String {
    let [gross, discounts, net] = money;
    format!(
        "2025-02-03,09:15:00,Eastern Time (US & Canada),Bakery,{item},{qty},Regular,,,{gross},{discounts},{net},$0.00,{tx},P{tx},Counter,,,{event},Main St,,CUST1,Ann Lee,\n"
    )
}

#[test]
fn a_square_discount_or_comp_comes_off_what_the_customer_spent_not_off_the_price() {
    let dir = tempfile::tempdir().expect("dir");
    let text = [
        SQUARE_ITEMS_HEADER.to_owned() + "\n",
        square_discounted_row(
            "T7",
            "Croissant",
            "2",
            ["$6.00", "-$1.00", "$5.00"],
            "Payment",
        ),
        // A comp: the whole latte taken off.
        square_discounted_row("T7", "Latte", "1", ["$4.50", "-$4.50", "$0.00"], "Payment"),
        square_discounted_row(
            "T8",
            "Sourdough",
            "1",
            ["$7.00", "$0.00", "$7.00"],
            "Payment",
        ),
        // One discounted croissant refunded: $3.00 less its share of the discount.
        square_discounted_row(
            "T9",
            "Croissant",
            "-1",
            ["-$3.00", "$0.50", "-$2.50"],
            "Refund",
        ),
    ]
    .concat();
    let (json, shop) = import(dir.path(), &["--currency", "USD"], &[("items.csv", &text)]);
    assert_eq!(json["summary"]["orders_added"], 3, "{json}");
    assert_eq!(json["summary"]["returns_added"], 1, "{json}");
    let product = |name: &str| {
        (shop.products.iter())
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no product {name}"))
    };
    assert_eq!(
        product("Croissant").price_cents,
        Some(300),
        "the price, not the discounted one"
    );
    assert_eq!(product("Latte").price_cents, Some(450));
    assert!(!product("Latte (discount)").is_product());
    assert!(!product("Croissant (discount)").is_product());
    let spent: i64 = (shop.lines.iter())
        .filter_map(|l| Some(l.quantity * l.unit_price_cents?))
        .sum();
    assert_eq!(
        spent,
        500 + 700 - 250,
        "what the customer paid (nothing for the comp), less the refund"
    );
    let db = dir.path().join("shop-items.csv.candor");
    let held = about(&db, shop.customers[0].id, &["held"]);
    assert!(
        held.contains("2 orders and 1 return, 7 lines, $9.50 in total after returns"),
        "{held}"
    );
    let too_much = [
        SQUARE_ITEMS_HEADER.to_owned() + "\n",
        square_discounted_row(
            "T10",
            "Muffin",
            "1",
            ["$3.00", "-$5.00", "-$2.00"],
            "Payment",
        ),
    ]
    .concat();
    let refused = candor()
        .args(["import", "--actor", "Sam", "--db"])
        .arg(&db)
        .arg(write(dir.path(), "too-much.csv", &too_much))
        .assert()
        .failure();
    let said = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(
        said.contains("Discounts") && said.contains("is more than the line's price ($3.00)"),
        "{said}"
    );
    // Three cookies comped: $10.00 off $10.00, though each is "$3.33" to the penny.
    let comp = [
        SQUARE_ITEMS_HEADER.to_owned() + "\n",
        square_discounted_row(
            "T11",
            "Cookie",
            "3",
            ["$10.00", "-$10.00", "$0.00"],
            "Payment",
        ),
    ]
    .concat();
    candor()
        .args(["import", "--actor", "Sam", "--db"])
        .arg(&db)
        .arg(write(dir.path(), "comp.csv", &comp))
        .assert()
        .success();
    let explained = about(&db, shop.customers[0].id, &["explain"]);
    assert!(
        !explained.contains("(discount)"),
        "a discount is never recommended: {explained}"
    );
}

#[test]
fn a_square_variation_is_a_product_of_its_own_with_its_own_price() {
    let dir = tempfile::tempdir().expect("dir");
    let row = |tx: &str, variation: &str, sku: &str, gross: &str| {
        format!(
            "2025-02-03,09:15:00,Eastern Time (US & Canada),Coffee,Latte,1,{variation},{sku},,{gross},$0.00,{gross},$0.00,{tx},P{tx},Counter,,,Payment,Main St,,CUST1,Ann Lee,\n"
        )
    };
    let text = [
        SQUARE_ITEMS_HEADER.to_owned() + "\n",
        row("T1", "Regular", "", "$4.50"),
        row("T2", "Large", "", "$5.25"),
        row("T3", "Small", "LAT-S", "$3.75"),
    ]
    .concat();
    let (_, shop) = import(dir.path(), &["--currency", "USD"], &[("items.csv", &text)]);
    let mut products: Vec<(String, Option<i64>)> = (shop.products.iter())
        .map(|p| (p.name.clone(), p.price_cents))
        .collect();
    products.sort();
    assert_eq!(
        products,
        [
            ("Latte".to_owned(), Some(450)),
            ("Latte - Large".to_owned(), Some(525)),
            ("Latte - Small".to_owned(), Some(375)),
        ],
        "Square's default variation, \"Regular\", adds nothing to the name"
    );
}

#[test]
fn a_shop_made_from_customers_alone_takes_the_currency_of_its_first_prices() {
    let dir = tempfile::tempdir().expect("dir");
    let customers = "Square Customer ID,First Name,Last Name,Email Address,Phone Number,Email Subscription Status\n\
        CUST1,Ann,Lee,ann@example.com,,Subscribed\n";
    let sales = [
        SQUARE_ITEMS_HEADER.to_owned() + "\n",
        square_t1_row("2025-01-07", "Latte", "1", "$4.50", "Payment"),
    ]
    .concat();
    let db = dir.path().join("shop.candor");
    let first = import_into(&db, &write(dir.path(), "customers.csv", customers));
    assert_eq!(first["currency_assumed"], true, "{first}");
    let in_dollars = |db: &Path, name: &str, text: &str| -> Value {
        let out = candor()
            .args([
                "import",
                "--json",
                "--actor",
                "Sam",
                "--currency",
                "USD",
                "--db",
            ])
            .arg(db)
            .arg(write(dir.path(), name, text))
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).expect("json")
    };
    let second = in_dollars(&db, "items.csv", &sales);
    assert_eq!(second["currency"], "USD", "{second}");
    assert_eq!(second["summary"]["currency_before"], "GBP", "{second}");
    assert_eq!(load(&db).settings.currency.code(), "USD");

    // Once it holds prices, its currency is its own.
    let refused = candor()
        .args(["import", "--actor", "Sam", "--currency", "EUR", "--db"])
        .arg(&db)
        .arg(write(dir.path(), "euros.csv", &sales.replace("T1", "T2")))
        .assert()
        .failure();
    let message = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(message.contains("EUR"), "{message}");

    // Prices that name no currency, into a shop without prices: taken as its default, said so.
    let quiet = dir.path().join("quiet.candor");
    import_into(&quiet, &write(dir.path(), "customers-3.csv", customers));
    let invoices = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n\
        536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26,2.55,17850,United Kingdom\n";
    let said = candor()
        .args(["import", "--actor", "Sam", "--db"])
        .arg(&quiet)
        .arg(write(dir.path(), "invoices.csv", invoices))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let said = String::from_utf8_lossy(&said).to_string();
    assert!(said.contains("which held no price before"), "{said}");

    let out = in_dollars(
        &dir.path().join("asked.candor"),
        "customers-2.csv",
        customers,
    );
    assert_eq!(
        (out["currency"].as_str(), out["currency_assumed"].as_bool()),
        (Some("USD"), Some(false))
    );
}

#[test]
fn a_registration_date_imported_after_the_orders_is_the_customer_since_day() {
    let dir = tempfile::tempdir().expect("dir");
    let sales = [
        SQUARE_ITEMS_HEADER.to_owned() + "\n",
        square_t1_row("2025-01-07", "Latte", "1", "$4.50", "Payment"),
    ]
    .concat();
    let db = dir.path().join("shop.candor");
    candor()
        .args(["import", "--actor", "Sam", "--currency", "USD", "--db"])
        .arg(&db)
        .arg(write(dir.path(), "items.csv", &sales))
        .assert()
        .success();
    assert_eq!(load(&db).customers[0].since.to_string(), "2025-01-07");
    let customers = "Square Customer ID,First Name,Last Name,Email Address,First Visit,Email Subscription Status\n\
        CUST1,Ann,Lee,ann@example.com,2024-02-01,Unsubscribed\n";
    let json = import_into(&db, &write(dir.path(), "customers.csv", customers));
    assert_eq!(json["summary"]["customers_since_moved"], 1, "{json}");
    let ann = &load(&db).customers[0];
    assert_eq!(
        ann.since.to_string(),
        "2024-02-01",
        "the day Square recorded"
    );
    let source = &ann
        .field_sources
        .iter()
        .find(|s| s.field.key() == "customer_since")
        .expect("says where it came from")
        .source;
    assert!(source.contains("customers.csv"), "{source}");
}

#[test]
fn a_bad_refund_row_takes_out_its_refund_not_the_sale() {
    let dir = tempfile::tempdir().expect("dir");
    let text = [
        SQUARE_ITEMS_HEADER.to_owned() + "\n",
        square_t1_row("2025-01-07", "Latte", "1", "$4.50", "Payment"),
        square_t1_row("2025-01-07", "Croissant", "2", "$6.00", "Payment"),
        square_t1_row("2025-01-09", "Croissant", "-1", "-$3.00", "Refund"),
        square_t1_row("2025-01-09", "Latte", "one", "-$4.50", "Refund"),
    ]
    .concat();
    let report = dir.path().join("skipped.csv");
    let skip = [
        "--currency",
        "USD",
        "--skip-bad-rows",
        report.to_str().expect("utf-8"),
    ];
    let (json, shop) = import(dir.path(), &skip, &[("items.csv", &text)]);
    assert_eq!(json["summary"]["orders_added"], 1, "{json}");
    assert_eq!(json["summary"]["returns_added"], 0, "{json}");
    assert_eq!(
        units(&shop),
        3,
        "the sale, whole; its refund waits for a fixed row"
    );
}

#[test]
fn an_item_sold_by_weight_is_named_as_such_and_can_be_skipped() {
    let dir = tempfile::tempdir().expect("dir");
    let header = SQUARE_ITEMS_HEADER;
    let text = format!(
        "{header}\n\
         2025-01-07,12:59:30,Eastern Time (US & Canada),Coffee,Latte,1,Regular,,,$4.50,$0.00,$4.50,$0.36,T1,PT1,Counter,,,Payment,Main St,,CUST1,Ann Lee,\n\
         2025-01-07,13:10:00,Eastern Time (US & Canada),Coffee,House beans,0.5,lb,,,$9.00,$0.00,$9.00,$0.00,T2,PT2,Counter,,,Payment,Main St,,CUST1,Ann Lee,\n"
    );
    let message = refused(
        dir.path(),
        &["--currency", "USD"],
        "items-weighed.csv",
        &text,
    );
    assert!(message.contains("sold by weight"), "{message}");
    let report = dir.path().join("skipped.csv");
    let (json, shop) = import(
        dir.path(),
        &[
            "--currency",
            "USD",
            "--skip-bad-rows",
            report.to_str().expect("utf-8"),
        ],
        &[("items-weighed.csv", &text)],
    );
    assert_eq!(shop.orders.len(), 1, "{json}");
    let listed = std::fs::read_to_string(&report).expect("the report");
    assert!(listed.contains("0.5"), "{listed}");
}

#[test]
fn etsys_html_character_references_are_read_as_the_characters() {
    let dir = tempfile::tempdir().expect("dir");
    let (_, _, etsy, ..) = platform_files()
        .into_iter()
        .find(|f| f.1 == "etsy-order-items")
        .expect("the Etsy fixture");
    let escaped = etsy
        .replacen(
            "Speckled bowl",
            "\"Bowl, glaze &quot;Sage&quot; &amp; cream\"",
            1,
        )
        .replace("Ann Lee", "Ann O&#39;Lee");
    let (_, shop) = import(
        dir.path(),
        &["--currency", "USD"],
        &[("EtsySoldOrderItems.csv", &escaped)],
    );
    assert!(
        shop.products
            .iter()
            .any(|p| p.name == "Bowl, glaze \"Sage\" & cream"),
        "{:?}",
        shop.products
    );
    assert!(
        shop.customers
            .iter()
            .any(|c| c.name.as_deref() == Some("Ann O'Lee"))
    );
    // A character reference may not bring in what a raw cell may not hold.
    let escape = etsy.replace("Ann Lee", "Ann &#8238;eeL");
    let message = refused(
        dir.path(),
        &["--currency", "USD"],
        "EtsySoldOrderItems.csv",
        &escape,
    );
    assert!(message.contains("U+202E"), "{message}");
}

#[test]
fn a_variant_column_names_the_variant_bought() {
    let dir = tempfile::tempdir().expect("dir");
    for (preset, name) in [
        ("wix-orders", "Linen scarf Blue"),
        ("squarespace-orders", "Washed Ethiopian Coffee 200g"),
    ] {
        let (file, _, text, ..) = platform_files()
            .into_iter()
            .find(|f| f.1 == preset)
            .expect("a fixture");
        let (_, shop) = import(dir.path(), &["--currency", "USD"], &[(file, &text)]);
        assert!(
            shop.products.iter().any(|p| p.name == name),
            "{preset}: {:?}",
            shop.products.iter().map(|p| &p.name).collect::<Vec<_>>()
        );
    }
}

#[test]
fn a_customers_export_imported_before_the_orders_export_dates_customers_by_their_first_order() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shop.candor");
    let customers = write(
        dir.path(),
        "customers_export.csv",
        "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Zip,Total Spent,Total Orders\n\
         101,Ann,Lee,ann@example.com,yes,BA1 1AA,12.00,1\n",
    );
    import_into(&db, &customers);
    let orders = write(
        dir.path(),
        "orders_export_1.csv",
        &format!(
            "{SHOPIFY_HEADER}\n#1,ann@example.com,paid,,,yes,GBP,4.00,4.00,2024-03-01 10:00:00 +0000,1,Tea,4.00,T1,Ann Lee,,,,,,0.00,,\n"
        ),
    );
    let json = import_into(&db, &orders);
    assert_eq!(json["summary"]["customers_since_moved"], 1, "{json}");
    let shop = load(&db);
    let ann = shop.customers.iter().find(|c| c.id == 101).expect("Ann");
    assert_eq!(ann.since.to_string(), "2024-03-01");
    let held = about(&db, 101, &["held"]);
    assert!(
        held.contains("the day of their first order, in a later import"),
        "{held}"
    );
    candor()
        .args(["log", "--verify", "--db"])
        .arg(&db)
        .assert()
        .success();
}
