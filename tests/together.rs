//! "Bought together": the co-occurrence table is the textbook cosine over orders, a
//! rule's amount is exactly the capped sum over the customer's own purchases, and its
//! explanation names those purchases and how many orders had both.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use candor::engine::explain::Record;
use candor::engine::model::Shop;
use candor::engine::rules::{Amount, Target};
use candor::engine::together::{MIN_ORDERS, NEIGHBOURS};
use candor::engine::{Scorer, ShopIndex, explain};
use candor::shopgen::demo::{DemoSize, demo_shop};
use chrono::NaiveDate;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).expect("date")
}

fn shop() -> Shop {
    let size = DemoSize {
        customers: 250,
        products: 60,
        orders: 4000,
    };
    let mut shop = demo_shop(size, 3, day());
    shop.rules = candor::shopgen::catalogue::starter_rules();
    shop
}

/// Orders per product and per pair of products, from the rows alone.
fn recount(shop: &Shop) -> (HashMap<i64, u32>, HashMap<(i64, i64), u32>) {
    let real: HashSet<i64> = shop
        .products
        .iter()
        .filter(|p| p.is_product())
        .map(|p| p.id)
        .collect();
    let dated: HashSet<i64> = shop
        .orders
        .iter()
        .filter(|o| o.date <= day())
        .map(|o| o.id)
        .collect();
    let mut baskets: HashMap<i64, HashSet<i64>> = HashMap::new();
    for l in shop.lines.iter() {
        if l.quantity > 0 && real.contains(&l.product) && dated.contains(&l.order) {
            baskets.entry(l.order).or_default().insert(l.product);
        }
    }
    let (mut single, mut pairs) = (HashMap::new(), HashMap::new());
    for basket in baskets.values() {
        for &a in basket {
            *single.entry(a).or_insert(0) += 1;
            for &q in basket {
                if a != q {
                    *pairs.entry((a, q)).or_insert(0) += 1;
                }
            }
        }
    }
    (single, pairs)
}

#[test]
fn partners_are_the_cosine_over_orders_of_the_strongest_pairs() {
    let shop = shop();
    let index = ShopIndex::new(Arc::new(shop.clone()), day());
    let (single, pairs) = recount(&shop);
    let partners = index.partners();
    let mut checked = 0;
    for (a, pa) in shop.products.iter().enumerate() {
        let mut want: Vec<(i64, u32, f64)> = pairs
            .iter()
            .filter(|((x, _), n)| *x == pa.id && **n >= MIN_ORDERS)
            .map(|(&(_, q), &n)| {
                (
                    q,
                    n,
                    f64::from(n) / f64::from(single[&pa.id] * single[&q]).sqrt(),
                )
            })
            .collect();
        want.sort_by(|x, y| y.2.total_cmp(&x.2).then(x.0.cmp(&y.0)));
        want.truncate(NEIGHBOURS);
        want.sort_by_key(|w| w.0);
        let got: Vec<(i64, u32, f64)> = partners
            .of(a)
            .iter()
            .map(|p| (shop.products[p.product as usize].id, p.orders, p.cosine))
            .collect();
        assert_eq!(got.len(), want.len(), "partners of product {}", pa.id);
        for (g, w) in got.iter().zip(&want) {
            assert_eq!((g.0, g.1), (w.0, w.1));
            assert!((g.2 - w.2).abs() < 1e-12);
        }
        checked += got.len();
    }
    assert!(
        checked > 100,
        "the demo shop has pairs to check ({checked})"
    );
}

#[test]
fn a_bought_together_contribution_is_the_capped_sum_over_the_customers_purchases() {
    let mut shop = shop();
    shop.rules
        .iter_mut()
        .for_each(|r| r.enabled = r.id == "bought-together");
    let index = ShopIndex::new(Arc::new(shop.clone()), day());
    let rule = &shop
        .rules
        .iter()
        .find(|r| r.id == "bought-together")
        .expect("rule");
    let Amount::PerPurchase {
        each,
        max,
        within_days,
    } = rule.amount
    else {
        panic!("per purchase");
    };
    let partners = index.partners();
    let from = day() - chrono::Duration::days(within_days);
    let mut scorer = Scorer::new(&index);
    let mut seen = 0;
    for c in 0..shop.customers.len() {
        let e = explain(&mut scorer, c, 5);
        // The customer's distinct purchases in the window, from the rows.
        let bought: HashSet<usize> = index
            .orders_of(c)
            .filter(|&o| shop.orders[o].date > from)
            .flat_map(|o| index.lines_of(o).collect::<Vec<_>>())
            .filter(|&l| shop.lines[l].quantity > 0)
            .filter_map(|l| index.line_product(l))
            .collect();
        let mut anchors: Vec<usize> = bought.into_iter().collect();
        anchors.sort_unstable();
        for r in &e.recommendations {
            let Some(c) = r.contributions.iter().find(|c| c.id == "bought-together") else {
                continue;
            };
            let p = index.product_pos(r.product).expect("product");
            let sum = anchors
                .iter()
                .filter_map(|&a| partners.get(a, p))
                .fold(0.0, |s, x| s + x.cosine);
            assert_eq!(c.value, rule.weight * (each * sum).min(max));
            let strongest = anchors
                .iter()
                .filter_map(|&a| partners.get(a, p).map(|x| (a, x)))
                .max_by(|x, y| x.1.cosine.total_cmp(&y.1.cosine).then(y.0.cmp(&x.0)))
                .expect("an anchor");
            let name = &shop.products[strongest.0].name;
            assert!(c.reason.contains(name.as_str()), "{}", c.reason);
            assert!(
                c.reason
                    .contains(&format!("({} orders had both)", strongest.1.orders)),
                "{}",
                c.reason
            );
            assert!(c.records.iter().any(|rec| matches!(rec,
                Record::OrderLine { product, .. } if *product == shop.products[strongest.0].id)));
            seen += 1;
        }
    }
    assert!(seen > 20, "bought-together contributions checked: {seen}");
}

#[test]
fn a_bought_together_rule_must_count_per_purchase() {
    let mut rule = candor::shopgen::catalogue::starter_rules()
        .into_iter()
        .find(|r| r.target == Target::BoughtTogether)
        .expect("rule");
    assert!(rule.validate(&["personalization"]).is_ok());
    rule.amount = Amount::Fixed { value: 1.0 };
    let problem = rule.validate(&["personalization"]).unwrap_err();
    assert_eq!(problem.field, "amount");
    assert!(
        rule.effect_text().contains("adds 0.3 (1 × weight 0.3) to"),
        "{}",
        rule.effect_text()
    );
}
