//! Writes `sample-data/` from the demo generator plus the hand-made teaching cases.
//! Run on purpose only: `cargo test --test regenerate_sample -- --ignored`.
//! The CSV files are the source of truth afterwards; edit them by hand freely.

use std::sync::Arc;

use candor::engine::model::{ConsentEvent, FieldSource, PersonalField, Shop};
use candor::engine::preferences::{About, Preference, PreferenceEvent, PreferenceKind};
use candor::shopgen::bundle::write_bundle;
use candor::shopgen::demo::{DemoSize, demo_shop};
use chrono::NaiveDate;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn consent(customer: i64, purpose: &str, granted: bool, at: NaiveDate, by: &str) -> ConsentEvent {
    ConsentEvent {
        customer,
        purpose: purpose.to_owned(),
        granted,
        at,
        recorded_at: None,
        decided_on: Some(at),
        method: "in shop".to_owned(),
        recorded_by: by.to_owned(),
        words: None,
        wording: None,
    }
}

fn teaching_cases(shop: &mut Shop) {
    let today = day(2026, 6, 15);
    shop.settings.name = "Hazel & Rye Bakery".to_owned();
    shop.settings.pinned_today = Some(today);
    let customers = Arc::make_mut(&mut shop.customers);
    let consents = Arc::make_mut(&mut shop.consents);
    let lines = Arc::make_mut(&mut shop.lines);
    consents.retain(|e| e.customer > 4);

    // 1. Amelia: a regular coffee buyer, over 40, birthday next week, consents given.
    let amelia = &mut customers[0];
    amelia.name = Some("Amelia Hart".to_owned());
    amelia.email = Some("amelia.hart@example.com".to_owned());
    amelia.birth_date = Some(day(1979, 9, 22));
    amelia.gender = None;
    amelia.phone = None;
    amelia.field_sources.clear();
    let since = amelia.since;
    consents.push(consent(1, "personalization", true, since, "staff"));
    consents.push(consent(1, "birthday_offers", true, since, "staff"));
    let colombian = shop
        .products
        .iter()
        .find(|p| p.name == "Colombian beans 250g")
        .map(|p| p.id);
    let amelia_orders: Vec<i64> = shop
        .orders
        .iter()
        .filter(|o| o.customer == Some(1))
        .map(|o| o.id)
        .collect();
    for (i, order) in amelia_orders.iter().enumerate() {
        if i % 4 != 3
            && let (Some(line), Some(beans)) =
                (lines.iter_mut().find(|l| l.order == *order), colombian)
        {
            line.product = beans;
            line.unit_price_cents = Some(850);
        }
    }

    // 2. Priya: never gave any consent.
    let priya = &mut customers[1];
    priya.name = Some("Priya Shah".to_owned());
    priya.email = Some("priya.shah@example.com".to_owned());

    // 3. Daniel: agreed, then withdrew personalization at the counter.
    let daniel = &mut customers[2];
    daniel.name = Some("Daniel Okafor".to_owned());
    daniel.email = Some("daniel.okafor@example.com".to_owned());
    let since = daniel.since;
    consents.push(consent(3, "personalization", true, since, "staff"));
    consents.push(consent(
        3,
        "personalization",
        false,
        day(2026, 3, 2),
        "staff: Jo",
    ));

    // 4. Grace: phone and gender held, though nothing uses them.
    let grace = &mut customers[3];
    grace.name = Some("Grace Lin".to_owned());
    grace.email = Some("grace.lin@example.com".to_owned());
    grace.phone = Some("07700 900461".to_owned());
    grace.gender = Some("female".to_owned());
    grace.field_sources = vec![FieldSource {
        field: PersonalField::Phone,
        source: "written on a cake order form".to_owned(),
        recorded_on: day(2025, 11, 28),
    }];
    let since = grace.since;
    consents.push(consent(4, "personalization", true, since, "web shop"));
    consents.sort_by_key(|e| (e.customer, e.at));

    // 5. Enough younger customers with a birth date (under 30 and 30–39) that the age
    //    rule's steering shows between age bands, not only against "not held". Their
    //    birthdays fall in January to May, far from the pinned day, so no list changes.
    younger_customers(customers);

    // 6. Chloe, a coffee regular, told us at the counter that she loves tea; the shop's
    //    "What you told us you like" rule reads it, as personalization says it may.
    likes_tea(shop);
}

/// Chloe Wood (11) likes tea; personalization covers stated preferences and says so; the
/// rule that reads them.
fn likes_tea(shop: &mut Shop) {
    let personalization = shop
        .purposes
        .iter_mut()
        .find(|p| p.id == "personalization")
        .expect("personalization");
    personalization.description = "We use what you buy, what you tell us you like, and your age from your birth date, to suggest products you may like.".to_owned();
    personalization.fields.push(PersonalField::Preferences);
    Arc::make_mut(&mut shop.preferences).push(PreferenceEvent {
        customer: 11,
        preference: Preference {
            kind: PreferenceKind::Liked,
            about: About::Category("tea".to_owned()),
        },
        withdrawn: false,
        recorded_at: day(2026, 5, 3)
            .and_hms_opt(10, 15, 0)
            .expect("time")
            .and_utc(),
        recorded_by: "staff".to_owned(),
        method: "at the counter".to_owned(),
        words: Some("I'm cutting down on coffee, and I love tea.".to_owned()),
        lifted_by: Vec::new(),
    });
    shop.rules.push(
        serde_json::from_str(
            r#"{"id": "you-told-us", "label": "What you told us you like", "enabled": true,
                "weight": 1.0, "purpose": "personalization",
                "conditions": [{"feature": "prefers", "op": "at_least", "value": 1}],
                "target": {"kind": "preferred_category"},
                "amount": {"kind": "fixed", "value": 2.0},
                "reason": "you told us you love {category}"}"#,
        )
        .expect("rule"),
    );
}

/// Gives 40 customers who had no birth date one that puts them under 40: alternately
/// under 30 and 30–39.
fn younger_customers(customers: &mut [candor::engine::model::Customer]) {
    let chosen = customers
        .iter_mut()
        .filter(|c| c.id > 10 && c.birth_date.is_none())
        .take(40);
    for (i, c) in chosen.enumerate() {
        let id = u32::try_from(c.id).expect("small id");
        let year = if i % 2 == 0 {
            1998 + (i as i32 / 2) % 9
        } else {
            1987 + (i as i32 / 2) % 9
        };
        c.birth_date = Some(day(year, 1 + id % 5, 1 + id % 28));
    }
}

#[test]
#[ignore = "writes sample-data/; run on purpose"]
fn regenerate_sample_data() {
    let today = day(2026, 6, 15);
    let size = DemoSize {
        customers: 200,
        products: 80,
        orders: 2200,
    };
    let mut shop = demo_shop(size, 7, today);
    teaching_cases(&mut shop);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    write_bundle(&shop, &dir).expect("sample-data written");
}
