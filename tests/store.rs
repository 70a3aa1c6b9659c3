//! The shop file: round trips, upgrades with a backup, and every kind of bad file,
//! each refused with a clear message and left byte-for-byte untouched.

use std::path::Path;

use candor::engine::model::Shop;
use candor::shopgen::demo::{DemoSize, demo_shop};
use candor::shopgen::sample::sample_shop;
use candor::store::{Store, StoreError, schema};
use chrono::NaiveDate;
use rusqlite::Connection;

fn sorted(mut shop: Shop) -> Shop {
    std::sync::Arc::make_mut(&mut shop.consents)
        .sort_by_key(|e| (e.customer, e.at, e.purpose.clone(), e.granted));
    shop
}

#[test]
fn sample_shop_round_trips() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("shop.candor");
    let shop = sample_shop().expect("sample reads");
    Store::create(&path, &shop).expect("created");
    let (store, report) = Store::open(&path).expect("opens");
    assert_eq!(report.backup, None);
    assert_eq!(sorted(store.load().expect("loads")), sorted(shop));
}

#[test]
fn generated_shop_round_trips() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("demo.candor");
    let today = NaiveDate::from_ymd_opt(2026, 6, 15).expect("date");
    let shop = demo_shop(
        DemoSize {
            customers: 300,
            products: 200,
            orders: 3000,
        },
        5,
        today,
    );
    Store::create(&path, &shop).expect("created");
    let (store, _) = Store::open(&path).expect("opens");
    assert_eq!(store.load().expect("loads"), shop);
}

fn assert_untouched(path: &Path, before: &[u8]) {
    let after = std::fs::read(path).expect("file still there");
    assert!(after == before, "{} was modified", path.display());
}

#[test]
fn a_text_file_is_not_a_shop() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notes.txt");
    std::fs::write(
        &path,
        "this is a shopping list, not a database\n".repeat(50),
    )
    .expect("write");
    let before = std::fs::read(&path).expect("read");
    let err = Store::open(&path).err().expect("refused");
    assert!(matches!(err, StoreError::NotSqlite { .. }), "{err:?}");
    assert!(err.to_string().contains("notes.txt"));
    assert_untouched(&path, &before);
}

#[test]
fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("other.db");
    let conn = Connection::open(&path).expect("open");
    conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .expect("schema");
    drop(conn);
    let before = std::fs::read(&path).expect("read");
    let err = Store::open(&path).err().expect("refused");
    assert!(err.to_string().contains("another program"), "{err}");
    assert_untouched(&path, &before);
}

#[test]
fn a_newer_shop_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("future.candor");
    Store::create(&path, &sample_shop().expect("sample")).expect("created");
    let conn = Connection::open(&path).expect("open");
    conn.pragma_update(None, "user_version", schema::current_version() + 1)
        .expect("bump");
    conn.pragma_update(None, "journal_mode", "DELETE")
        .expect("no wal");
    drop(conn);
    let before = std::fs::read(&path).expect("read");
    let err = Store::open(&path).err().expect("refused");
    assert!(matches!(err, StoreError::Newer { .. }), "{err:?}");
    assert!(err.to_string().contains("newer version of Candor"));
    assert_untouched(&path, &before);
}

#[test]
fn an_older_shop_is_backed_up_then_upgraded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.candor");
    let mut conn = Connection::open(&path).expect("open");
    conn.pragma_update(None, "application_id", schema::APPLICATION_ID)
        .expect("id");
    schema::migrations().to_version(&mut conn, 1).expect("v1");
    conn.execute("INSERT INTO shop_settings VALUES ('name', 'Old shop')", [])
        .expect("row");
    drop(conn);
    let before = std::fs::read(&path).expect("read");
    let (store, report) = Store::open(&path).expect("upgraded");
    let backup = report.backup.expect("a backup was written");
    let old = Connection::open(&backup).expect("backup opens");
    let backup_version: i64 = old
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("v");
    assert_eq!(backup_version, 1);
    let name: String = old
        .query_row(
            "SELECT value FROM shop_settings WHERE key = 'name'",
            [],
            |r| r.get(0),
        )
        .expect("backup holds the data");
    assert_eq!(name, "Old shop");
    assert!(!before.is_empty());
    assert_eq!(store.load().expect("loads").settings.name, "Old shop");
    let version: i64 = Connection::open(&path)
        .expect("open")
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(version, schema::current_version());
}

#[test]
fn a_locked_shop_gives_a_clear_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("busy.candor");
    Store::create(&path, &sample_shop().expect("sample")).expect("created");
    let holder = Connection::open(&path).expect("open");
    holder
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;")
        .expect("lock");
    let err = Store::open(&path).err().expect("refused while locked");
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    assert!(err.to_string().contains("locked by another program"));
}

#[test]
fn a_read_only_shop_opens_read_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ro.candor");
    Store::create(&path, &sample_shop().expect("sample")).expect("created");
    let mut perms = std::fs::metadata(&path).expect("meta").permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&path, perms).expect("chmod");
    let before = std::fs::read(&path).expect("read");
    let (store, _) = Store::open(&path).expect("opens for reading");
    assert!(store.is_read_only());
    assert_eq!(store.load().expect("loads").customers.len(), 200);
    drop(store);
    assert_untouched(&path, &before);
}

#[test]
fn a_missing_file_names_itself() {
    let err = Store::open(Path::new("/nonexistent/shop.candor"))
        .err()
        .expect("refused");
    assert!(
        err.to_string().contains("/nonexistent/shop.candor"),
        "{err}"
    );
}

#[test]
fn a_shop_from_before_unknown_prices_keeps_every_price_on_upgrade() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("v7.candor");
    let mut conn = Connection::open(&path).expect("open");
    conn.pragma_update(None, "application_id", schema::APPLICATION_ID)
        .expect("id");
    conn.pragma_update(None, "foreign_keys", true)
        .expect("keys");
    schema::migrations().to_version(&mut conn, 7).expect("v7");
    conn.execute_batch(
        "INSERT INTO shop_settings VALUES ('name', 'Old shop');
         INSERT INTO products VALUES (1, 'Rye loaf', 'bread', '', 340, 5, 1);
         INSERT INTO products VALUES (2, 'Mug', 'gifts', 'gift', 1200, 2, 0);
         INSERT INTO customers (id, name, since, source) VALUES (1, 'Ann', '2026-01-01', 'test');
         INSERT INTO orders VALUES (1, 1, '2026-01-02', 'in shop');
         INSERT INTO order_lines VALUES (1, 1, 1, 2, 340);
         INSERT INTO order_lines VALUES (2, 1, 2, 1, 1100);",
    )
    .expect("rows");
    drop(conn);
    let (store, _) = Store::open(&path).expect("upgraded");
    let shop = store.load().expect("loads");
    let prices: Vec<Option<i64>> = shop.products.iter().map(|p| p.price_cents).collect();
    assert_eq!(prices, [Some(340), Some(1200)]);
    let lines: Vec<(i64, Option<i64>)> = shop
        .lines
        .iter()
        .map(|l| (l.product, l.unit_price_cents))
        .collect();
    assert_eq!(lines, [(1, Some(340)), (2, Some(1100))]);
    let conn = Connection::open(&path).expect("open");
    let broken: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .expect("check");
    assert_eq!(broken, 0);
    conn.execute("UPDATE products SET price_cents = NULL WHERE id = 2", [])
        .expect("a price may now be unknown");
}

#[test]
fn an_entry_undone_is_not_undone_again_but_its_undo_can_be() {
    use candor::engine::changes::Change;
    use candor::store::{ApplyError, Attribution};
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("shop.candor");
    Store::create(&path, &sample_shop().expect("sample")).expect("created");
    let (mut store, _) = Store::open(&path).expect("opens");
    let who = |why: &str| Attribution::now("Sam", why);
    let off = [Change::RuleEnabled {
        rule: "weekend-brunch".to_owned(),
        enabled: true,
    }];
    let applied = store
        .apply(None, &off, &who("try brunch"), None, None)
        .expect("applies");
    let undo = store.undo(applied.entry, &who("not yet")).expect("undoes");
    let again = store
        .undo(applied.entry, &who("twice"))
        .expect_err("refused");
    assert!(
        matches!(again, ApplyError::AlreadyUndone(e, by) if e == applied.entry && by == undo.entry),
        "{again}"
    );
    assert!(
        again
            .to_string()
            .contains(&format!("undone by entry {}", undo.entry))
    );
    // Undoing the undo makes the change again; then the first entry stands and may be undone.
    let redo = store.undo(undo.entry, &who("after all")).expect("redoes");
    assert!(
        redo.shop
            .rules
            .iter()
            .any(|r| r.id == "weekend-brunch" && r.enabled)
    );
    store
        .undo(applied.entry, &who("no brunch"))
        .expect("undoes once more");
    let entries = store.log().expect("log");
    assert_eq!(entries.len(), 4);
}

#[test]
fn an_undo_never_overwrites_a_later_change_of_the_same_thing() {
    use candor::engine::changes::Change;
    use candor::store::{ApplyError, Attribution};
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("shop.candor");
    let shop = sample_shop().expect("sample");
    let customer = shop.customers[0].id;
    let phone_before = shop.customers[0].phone.clone();
    let product = shop.products[0].id;
    Store::create(&path, &shop).expect("created");
    let (mut store, _) = Store::open(&path).expect("opens");
    let who = |why: &str| Attribution::now("Sam", why);
    let phone = |number: &str| Change::CustomerField {
        customer,
        field: "phone".to_owned(),
        value: Some(number.to_owned()),
        source: None,
    };
    let withdraw = Change::Consent {
        customer,
        purpose: "personalization".to_owned(),
        granted: false,
        method: None,
        words: None,
    };
    let price = |p: f64| Change::Product {
        product,
        price: Some(p),
        stock: None,
        category: None,
        tags: None,
        price_not_known: false,
        stock_not_tracked: false,
    };
    let weight = |w: f64| Change::RuleWeight {
        rule: "buy-again".to_owned(),
        weight: w,
    };
    let liked: Change = serde_json::from_value(serde_json::json!({
        "kind": "preference", "customer": customer, "withdrawn": false,
        "preference": {"kind": "liked", "category": shop.products[0].category},
    }))
    .expect("a preference change");
    let pairs = [
        (phone("07700 900111"), phone("07700 900222"), "phone"),
        (liked.clone(), liked, "told the shop about \"likes"),
        (
            withdraw.clone(),
            withdraw,
            "decision about \"Personalized recommendations\" was changed again by entry",
        ),
        (price(3.5), price(4.0), "\" was changed again by entry"),
        (weight(1.5), weight(2.0), "weight of rule"),
    ];
    // Each made a minute apart, as people do.
    let at = |minute: usize, why: &str| Attribution {
        at: format!("2026-06-15T10:{minute:02}:00Z"),
        ..who(why)
    };
    for (n, (first, later, named)) in pairs.into_iter().enumerate() {
        let older = store
            .apply(None, &[first], &at(2 * n, "first"), None, None)
            .expect("applies");
        let newer = store
            .apply(None, &[later], &at(2 * n + 1, "later"), None, None)
            .expect("applies");
        let refused = store
            .undo(older.entry, &who("take back the first"))
            .expect_err("a later change of the same thing stands");
        assert!(
            matches!(&refused, ApplyError::ChangedSince(e, why) if *e == older.entry && why.contains(named)),
            "{refused}"
        );
        // Taken back newest first, each undo gives back what was there before it.
        store.undo(newer.entry, &who("undo later")).expect("undoes");
        store.undo(older.entry, &who("undo first")).expect("undoes");
    }
    let now = store.load().expect("loads");
    assert_eq!(now.customers[0].phone, phone_before);
    assert_eq!(now.products[0].price_cents, shop.products[0].price_cents);
    assert_eq!(
        now.current_consent(customer, "personalization")
            .map(|e| e.granted),
        shop.current_consent(customer, "personalization")
            .map(|e| e.granted)
    );
}

/// A later removal of the rule, or a later merge of the customer's record (which brings
/// in the other record's decisions and fields), stands in the way of an undo too, and the
/// refusal says which it was.
#[test]
fn an_undo_is_refused_after_a_later_removal_or_merge_naming_it() {
    use candor::engine::changes::Change;
    use candor::store::{ApplyError, Attribution};
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("shop.candor");
    let shop = sample_shop().expect("sample");
    // Daniel (the third) decided on every purpose; Priya (the second) on none.
    let (customer, other) = (shop.customers[0].id, shop.customers[2].id);
    Store::create(&path, &shop).expect("created");
    let (mut store, _) = Store::open(&path).expect("opens");
    let who = |why: &str| Attribution::now("Sam", why);
    let withdraw = Change::Consent {
        customer,
        purpose: "personalization".to_owned(),
        granted: false,
        method: None,
        words: None,
    };
    let weight = Change::RuleWeight {
        rule: "buy-again".to_owned(),
        weight: 2.0,
    };
    let removed = Change::RuleRemoved {
        rule: "buy-again".to_owned(),
    };
    let merge = Change::MergeCustomers {
        customer,
        from: other,
    };
    for (first, later, said) in [
        (weight, removed, "the rule was removed by entry"),
        (withdraw, merge, "two customer records were merged by entry"),
    ] {
        let older = store
            .apply(None, &[first], &who("first"), None, None)
            .expect("applies");
        let newer = store
            .apply(None, &[later], &who("later"), None, None)
            .expect("applies");
        let refused = store
            .undo(older.entry, &who("take back the first"))
            .expect_err("a later entry changed the same thing");
        assert!(
            matches!(&refused, ApplyError::ChangedSince(e, why) if *e == older.entry && why.contains(said) && why.contains(&format!("entry {}", newer.entry))),
            "{refused}"
        );
    }
    // A merge that moved no decision on the purpose leaves the withdrawal's undo free.
    let again = Change::Consent {
        customer,
        purpose: "email_offers".to_owned(),
        granted: false,
        method: None,
        words: None,
    };
    let withdrawn = store
        .apply(None, &[again], &who("first"), None, None)
        .expect("applies");
    let quiet = Change::MergeCustomers {
        customer,
        from: shop.customers[1].id,
    };
    store
        .apply(None, &[quiet], &who("later"), None, None)
        .expect("applies");
    store
        .undo(withdrawn.entry, &who("take back the first"))
        .expect("nothing of email offers moved with the merge");
}

#[test]
fn an_undo_is_refused_while_any_later_entry_on_the_same_thing_stands() {
    use candor::engine::changes::Change;
    use candor::store::{ApplyError, Attribution};
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("shop.candor");
    Store::create(&path, &sample_shop().expect("sample")).expect("created");
    let (mut store, _) = Store::open(&path).expect("opens");
    let at = |minute: u32| Attribution {
        at: format!("2026-06-15T11:{minute:02}:00Z"),
        ..Attribution::now("Sam", "as the customer said")
    };
    let consent = |granted: bool| Change::Consent {
        customer: 2,
        purpose: "personalization".to_owned(),
        granted,
        method: None,
        words: None,
    };
    let mut apply = |change: Change, minute: u32| {
        store
            .apply(None, &[change], &at(minute), None, None)
            .expect("applies")
            .entry
    };
    // Granted, withdrawn, granted again, withdrawn again.
    let entries: Vec<i64> = [true, false, true, false]
        .into_iter()
        .zip(1..)
        .map(|(granted, minute)| apply(consent(granted), minute))
        .collect();
    // Two changes of one field in the very second of a third: the later ones stand.
    let phone = |number: &str| Change::CustomerField {
        customer: 2,
        field: "phone".to_owned(),
        value: Some(number.to_owned()),
        source: None,
    };
    let first_phone = apply(phone("07700 900111"), 10);
    apply(phone("07700 900222"), 10);
    apply(phone("07700 900111"), 10);
    let refused = |store: &mut Store, entry: i64| {
        matches!(
            store.undo(entry, &Attribution::now("Sam", "mistake")),
            Err(ApplyError::ChangedSince(e, _)) if e == entry
        )
    };
    assert!(refused(&mut store, entries[0]));
    store
        .undo(entries[3], &Attribution::now("Sam", "mistake"))
        .expect("the newest decision can be taken back");
    assert!(
        refused(&mut store, entries[0]),
        "entries 2 and 3 still stand: undoing entry 1 would wipe out the grant of entry 3"
    );
    assert!(
        refused(&mut store, first_phone),
        "the same number set again later is a later change"
    );
}
