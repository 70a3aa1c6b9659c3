//! Synthetic shops of any size, the same seed always giving the same shop. They hold
//! the same kinds of data and rules as the sample shop, so every feature can be
//! exercised at any scale.

use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::catalogue;
use crate::engine::model::{
    ConsentEvent, Customer, FieldSource, Order, OrderLine, PersonalField, Settings, Shop,
};

/// How big a demo shop to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoSize {
    /// Number of customers.
    pub customers: usize,
    /// Number of products.
    pub products: usize,
    /// Number of orders (about three lines each).
    pub orders: usize,
}

/// Days of order history a demo shop has (18 months).
const HISTORY_DAYS: i64 = 540;

const FIRST_NAMES: &[&str] = &[
    "Amelia", "Olivia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Freya", "Grace", "Sophia", "Ella",
    "Poppy", "Priya", "Aisha", "Zara", "Hannah", "Chloe", "Ruby", "Evie", "Maya", "Noah", "Oliver",
    "George", "Arthur", "Leo", "Harry", "Oscar", "Jack", "Theo", "Charlie", "Daniel", "Samuel",
    "Omar", "Yusuf", "Ravi", "Tomasz", "Luca", "Mateo", "Finn", "Kwame", "Wei", "Hiroshi", "Ines",
    "Sofia", "Nadia", "Eleni", "Bridget", "Margaret", "Peter", "Alan",
];
const LAST_NAMES: &[&str] = &[
    "Hart", "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
    "Patel", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
    "Hall", "Wood", "Jackson", "Clarke", "Shah", "Okafor", "Khan", "Nowak", "Rossi", "Garcia",
    "Chen", "Tanaka", "Murphy", "O'Brien", "Campbell", "Stewart", "Lewis", "Price", "Hughes",
    "Edwards", "Mensah", "Lin",
];
const STREETS: &[&str] = &[
    "Mill Lane",
    "Church Street",
    "Station Road",
    "High Street",
    "Park Avenue",
    "Victoria Road",
    "Orchard Close",
    "Kingsway",
    "Bakers Row",
    "Quay Street",
];
const POSTCODE_AREAS: &[&str] = &[
    "BS1", "BS3", "BS5", "BS6", "BS7", "BS8", "BS9", "BS13", "BS14", "BS16",
];
const GENDERS: &[&str] = &["female", "male", "non-binary"];

/// Generates a shop of `size` from `seed`, with order history up to `today`.
pub fn demo_shop(size: DemoSize, seed: u64, today: NaiveDate) -> Shop {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let products = catalogue::products(size.products.max(1));
    let first_day = today - Duration::days(HISTORY_DAYS);

    let customers: Vec<Customer> = (0..size.customers)
        .map(|i| demo_customer(&mut rng, i as i64 + 1, first_day))
        .collect();
    let consents: Vec<ConsentEvent> = customers
        .iter()
        .flat_map(|c| demo_consents(&mut rng, c, today))
        .collect();
    let mut products = products;
    for p in &mut products {
        p.stock = if rng.random_bool(0.03) {
            0
        } else {
            rng.random_range(3..60)
        };
    }
    let (orders, lines) = demo_orders(&mut rng, size, &customers, &products, first_day, today);

    Shop {
        settings: Settings {
            name: "Hazel & Rye Bakery (demo)".to_owned(),
            ..Settings::default()
        },
        customers: customers.into(),
        products: products.into(),
        orders: orders.into(),
        lines: lines.into(),
        purposes: catalogue::demo_purposes(),
        consents: consents.into(),
        rules: catalogue::rules(),
        fields: catalogue::fields(),
        preferences: Default::default(),
        highest_erased_customer: 0,
    }
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn demo_customer(rng: &mut ChaCha8Rng, id: i64, first_day: NaiveDate) -> Customer {
    let first = pick(rng, FIRST_NAMES);
    let last = pick(rng, LAST_NAMES);
    let since = first_day - Duration::days(rng.random_range(0..900));
    let email_name = format!(
        "{}.{}",
        first.to_lowercase(),
        last.to_lowercase().replace('\'', "")
    );
    let with_phone = rng.random_bool(0.35);
    let with_gender = rng.random_bool(0.25);
    let mut field_sources = Vec::new();
    if with_phone {
        field_sources.push(FieldSource {
            field: PersonalField::Phone,
            source: "added at the till".to_owned(),
            recorded_on: since + Duration::days(rng.random_range(0..200)),
        });
    }
    Customer {
        id,
        name: Some(format!("{first} {last}")),
        email: rng
            .random_bool(0.92)
            .then(|| format!("{email_name}{id}@example.com")),
        phone: with_phone.then(|| format!("07700 9{:05}", id % 100_000)),
        address: rng
            .random_bool(0.4)
            .then(|| format!("{} {}", rng.random_range(1..120), pick(rng, STREETS))),
        postcode: Some(format!(
            "{} {}{}",
            pick(rng, POSTCODE_AREAS),
            rng.random_range(1..10),
            ["AB", "DJ", "HQ", "LN", "TW"][rng.random_range(0..5)]
        )),
        birth_date: rng.random_bool(0.7).then(|| {
            NaiveDate::from_ymd_opt(
                rng.random_range(1945..2006),
                rng.random_range(1..=12),
                rng.random_range(1..=28),
            )
            .unwrap_or(first_day)
        }),
        gender: with_gender.then(|| pick(rng, GENDERS).to_owned()),
        since,
        source: if rng.random_bool(0.6) {
            "loyalty card form in shop".to_owned()
        } else {
            "web shop account".to_owned()
        },
        field_sources,
    }
}

fn demo_consents(rng: &mut ChaCha8Rng, c: &Customer, today: NaiveDate) -> Vec<ConsentEvent> {
    let method = if c.source.starts_with("web") {
        "web form"
    } else {
        "in shop"
    };
    let event = |purpose: &str, granted, at| ConsentEvent {
        customer: c.id,
        purpose: purpose.to_owned(),
        granted,
        at,
        recorded_at: None,
        decided_on: Some(at),
        method: method.to_owned(),
        recorded_by: if method == "web form" {
            "web shop"
        } else {
            "staff"
        }
        .to_owned(),
        words: None,
        wording: None,
    };
    let mut out = Vec::new();
    let roll: f64 = rng.random();
    if roll < 0.72 {
        out.push(event("personalization", true, c.since));
        if roll < 0.08 {
            let later = c.since + Duration::days(rng.random_range(30..400));
            if later < today {
                out.push(event("personalization", false, later));
            }
        }
    }
    if c.birth_date.is_some() && rng.random_bool(0.5) {
        out.push(event("birthday_offers", true, c.since));
    }
    if c.email.is_some() && rng.random_bool(0.5) {
        out.push(event("email_offers", true, c.since));
    }
    out
}

/// Orders spread over the history, loyal customers ordering more, guests about 10 %.
fn demo_orders(
    rng: &mut ChaCha8Rng,
    size: DemoSize,
    customers: &[Customer],
    products: &[crate::engine::model::Product],
    first_day: NaiveDate,
    today: NaiveDate,
) -> (Vec<Order>, Vec<OrderLine>) {
    let n_products = products.len();
    // Each customer favours one category-sized block of the range and a few products.
    let favourites: Vec<usize> = (0..customers.len())
        .map(|_| rng.random_range(0..n_products))
        .collect();
    let mut orders = Vec::with_capacity(size.orders);
    let mut lines = Vec::with_capacity(size.orders * 3);
    for i in 0..size.orders {
        let customer = if customers.is_empty() || rng.random_bool(0.1) {
            None
        } else {
            // Skewed: low positions order more often, like a shop's regulars.
            let u: f64 = rng.random();
            Some((u.powf(1.6) * customers.len() as f64) as usize % customers.len())
        };
        let date = first_day + Duration::days(rng.random_range(0..=HISTORY_DAYS));
        let date = date.min(today);
        let id = i as i64 + 1;
        orders.push(Order {
            id,
            customer: customer.map(|c| customers[c].id),
            date,
            channel: if rng.random_bool(0.25) {
                "web"
            } else {
                "in shop"
            }
            .to_owned(),
        });
        let n_lines = [1, 2, 3, 3, 4, 5][rng.random_range(0..6)];
        let mut chosen: Vec<usize> = Vec::with_capacity(n_lines);
        for _ in 0..n_lines {
            let p = match customer {
                Some(c) if rng.random_bool(0.55) => {
                    // Near the favourite: same base product or its neighbours.
                    (favourites[c] + rng.random_range(0..4)) % n_products
                }
                _ => {
                    let u: f64 = rng.random();
                    (u.powf(2.0) * n_products as f64) as usize % n_products
                }
            };
            if !chosen.contains(&p) {
                chosen.push(p);
            }
        }
        for p in chosen {
            lines.push(OrderLine {
                order: id,
                product: products[p].id,
                quantity: rng.random_range(1..=3),
                unit_price_cents: products[p].price_cents,
            });
        }
    }
    (orders, lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_shop() {
        let today = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
        let size = DemoSize {
            customers: 30,
            products: 40,
            orders: 200,
        };
        assert_eq!(demo_shop(size, 3, today), demo_shop(size, 3, today));
        assert_ne!(demo_shop(size, 3, today), demo_shop(size, 4, today));
    }

    #[test]
    fn orders_average_about_three_lines() {
        let today = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
        let shop = demo_shop(
            DemoSize {
                customers: 100,
                products: 80,
                orders: 2000,
            },
            1,
            today,
        );
        let per_order = shop.lines.len() as f64 / shop.orders.len() as f64;
        assert!((2.5..=3.3).contains(&per_order), "{per_order}");
    }
}
