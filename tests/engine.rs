//! Engine guarantees on the sample shop and on generated shops: scores are the exact sum
//! of their contributions, consent gates every rule, exclusions hold, and each
//! counterfactual really drops the product out of the top N.

use std::sync::Arc;

use candor::engine::model::Shop;
use candor::engine::{Explanation, Scorer, ShopIndex, explain, index_for};
use candor::shopgen::demo::{DemoSize, demo_shop};
use candor::shopgen::sample::sample_shop;
use chrono::NaiveDate;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).expect("valid date")
}

fn explain_all(shop: Shop) -> (ShopIndex, Vec<Explanation>) {
    let index = index_for(Arc::new(shop), today());
    let n = index.shop().settings.top_n;
    let mut scorer = Scorer::new(&index);
    let all = (0..index.shop().customers.len())
        .map(|c| explain(&mut scorer, c, n))
        .collect();
    (index, all)
}

fn assert_exact(all: &[Explanation]) {
    let mut checked = 0;
    for e in all {
        for r in &e.recommendations {
            let sum: f64 = r.contributions.iter().map(|c| c.value).sum();
            assert!(
                (sum - r.score).abs() < 1e-9,
                "customer {} product {}: contributions sum to {sum}, score is {}",
                e.customer,
                r.product,
                r.score
            );
            for c in &r.contributions {
                assert!(!c.id.is_empty() && !c.label.is_empty());
                if c.id != "popularity" {
                    assert!(c.purpose.is_some(), "rule contribution without purpose");
                    assert!(!c.fields.is_empty(), "rule contribution without fields");
                    assert!(!c.records.is_empty(), "rule {} names no records", c.id);
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "no recommendation was checked");
}

#[test]
fn sample_shop_explanations_add_up() {
    let (_, all) = explain_all(sample_shop().expect("sample shop reads"));
    assert_eq!(all.len(), 200);
    assert_exact(&all);
}

#[test]
fn generated_shop_explanations_add_up() {
    let size = DemoSize {
        customers: 400,
        products: 300,
        orders: 5000,
    };
    let (_, all) = explain_all(demo_shop(size, 11, today()));
    assert_exact(&all);
    let mut shop = demo_shop(size, 12, today());
    shop.rules = candor::shopgen::catalogue::starter_rules();
    shop.rules.iter_mut().for_each(|r| r.enabled = true);
    shop.settings.popularity_counts = candor::engine::model::PopularityCount::Customers;
    let (_, all) = explain_all(shop);
    assert_exact(&all);
    assert!(
        all.iter()
            .flat_map(|e| &e.recommendations)
            .flat_map(|r| &r.contributions)
            .any(|c| c.id == "bought-together" && c.counts()),
        "the bought-together rule contributes somewhere"
    );
}

#[test]
fn consent_gates_every_rule() {
    let (index, all) = explain_all(sample_shop().expect("sample shop reads"));
    for e in &all {
        let pos = index.customer_pos(e.customer).expect("customer exists");
        for r in &e.recommendations {
            for c in &r.contributions {
                if let Some(purpose) = &c.purpose {
                    assert!(
                        index.has_consent(pos, purpose),
                        "{} ran without consent",
                        c.id
                    );
                }
            }
        }
    }
    // Priya (2) never consented, Daniel (3) withdrew: both get the shop-wide list.
    for id in [2, 3] {
        let e = all
            .iter()
            .find(|e| e.customer == id)
            .expect("teaching customer");
        assert!(!e.personalized);
        assert!(e.recommendations.iter().all(|r| r.contributions.len() == 1));
        assert!(e.skipped.iter().any(|s| s.reason == "no_consent"));
    }
    let amelia = all.iter().find(|e| e.customer == 1).expect("Amelia");
    assert!(amelia.personalized);
}

#[test]
fn non_personalized_lists_are_the_same_for_everyone() {
    let (_, all) = explain_all(sample_shop().expect("sample shop reads"));
    let lists: Vec<Vec<i64>> = all
        .iter()
        .filter(|e| !e.personalized)
        .map(|e| e.recommendations.iter().map(|r| r.product).collect())
        .collect();
    assert!(lists.len() > 5);
    assert!(lists.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn excluded_products_are_never_recommended() {
    let mut shop = sample_shop().expect("sample shop reads");
    Arc::make_mut(&mut shop.products)[0].stock = 0;
    let (_, all) = explain_all(shop);
    for e in &all {
        for r in &e.recommendations {
            assert!(!e.excluded.iter().any(|x| x.product == r.product));
            assert_ne!(r.product, 1, "out-of-stock product recommended");
        }
        assert!(
            e.excluded
                .iter()
                .any(|x| x.product == 1 && x.reason == "out_of_stock")
        );
    }
}

#[test]
fn counterfactuals_really_drop_the_product() {
    let shop = sample_shop().expect("sample shop reads");
    let (_, all) = explain_all(shop.clone());
    let mut verified = 0;
    for e in all.iter().take(60) {
        for r in e
            .recommendations
            .iter()
            .filter(|r| r.counterfactual.drops_out)
        {
            let mut without = shop.clone();
            for rule in &mut without.rules {
                if r.counterfactual.removes.contains(&rule.id) {
                    rule.enabled = false;
                }
            }
            let index = index_for(Arc::new(without), today());
            let pos = index.customer_pos(e.customer).expect("customer exists");
            let after = explain(&mut Scorer::new(&index), pos, index.shop().settings.top_n);
            assert!(
                after.recommendations.iter().all(|x| x.product != r.product),
                "customer {}: removing {:?} left product {} in the list",
                e.customer,
                r.counterfactual.removes,
                r.product
            );
            verified += 1;
        }
    }
    assert!(verified > 20, "only {verified} counterfactuals verified");
}

#[test]
fn amelia_is_told_about_her_coffee() {
    let (_, all) = explain_all(sample_shop().expect("sample shop reads"));
    let amelia = all.iter().find(|e| e.customer == 1).expect("Amelia");
    let coffee = amelia
        .recommendations
        .iter()
        .find(|r| r.category == "coffee")
        .expect("a coffee recommendation for Amelia");
    assert!(
        coffee.sentence.contains("you bought coffee"),
        "{}",
        coffee.sentence
    );
    let rule = coffee
        .contributions
        .iter()
        .find(|c| c.id == "more-of-what-you-like")
        .expect("category rule contributes");
    assert!(!rule.records.is_empty());
    assert_eq!(rule.purpose.as_deref(), Some("personalization"));
}

fn assert_fast_matches(shop: Shop) {
    let index = index_for(Arc::new(shop), today());
    let n = index.shop().settings.top_n;
    let mut scorer = Scorer::new(&index);
    for c in 0..index.shop().customers.len() {
        let plan = scorer.plan(c);
        let slow = scorer.top(&plan, n, &[]);
        let fast = scorer.top_fast(&plan, n);
        assert_eq!(slow, fast, "customer position {c}: fast ranking differs");
        let without = [c % index.shop().rules.len()];
        assert_eq!(
            scorer.top(&plan, n, &without),
            scorer.top_fast_without(&plan, n, &without),
            "customer position {c}: fast ranking without rule {without:?} differs"
        );
    }
}

#[test]
fn fast_ranking_is_identical_to_the_plain_one() {
    assert_fast_matches(sample_shop().expect("sample"));
    let size = DemoSize {
        customers: 300,
        products: 400,
        orders: 4000,
    };
    for seed in 0..4u64 {
        let mut shop = demo_shop(size, seed, today());
        // Vary weights (negative too), switch rules on and off, and empty some stock.
        for (i, rule) in shop.rules.iter_mut().enumerate() {
            rule.weight = ((seed as f64 + 1.0) * (i as f64 + 1.0) * 0.7) % 6.0 - 2.5;
            rule.enabled = !(i as u64 + seed).is_multiple_of(4);
        }
        for p in Arc::make_mut(&mut shop.products).iter_mut().step_by(7) {
            p.stock = 0;
        }
        let mut together = candor::shopgen::catalogue::starter_rules();
        together.retain(|r| r.id == "bought-together");
        together[0].weight = seed as f64 * 0.8 - 1.0;
        shop.rules.extend(together);
        assert_fast_matches(shop);
    }
}

#[test]
fn a_reason_never_names_the_placeholder_of_an_unknown_category() {
    let mut shop = sample_shop().expect("sample");
    for p in Arc::make_mut(&mut shop.products) {
        p.category = candor::engine::model::NO_CATEGORY.to_owned();
    }
    let (_, all) = explain_all(shop);
    let reasons: Vec<&str> = all
        .iter()
        .flat_map(|e| &e.recommendations)
        .flat_map(|r| {
            std::iter::once(r.sentence.as_str())
                .chain(r.contributions.iter().map(|c| c.reason.as_str()))
        })
        .collect();
    assert!(
        reasons.iter().all(|r| !r.contains("uncategorised")),
        "{:?}",
        reasons.iter().find(|r| r.contains("uncategorised"))
    );
    assert!(
        reasons.iter().any(|r| r.contains("you bought from us")),
        "the category rule still says what it counted"
    );
}

#[test]
fn a_price_change_and_the_price_bands_are_in_the_shops_currency() {
    use candor::engine::changes::{Change, ChangeContext, apply_all};
    use candor::engine::money::Currency;
    use candor::engine::simulate::price_band_names;

    assert_eq!(
        price_band_names(Currency::GBP),
        [
            "under £3",
            "£3–£5",
            "£5–£10",
            "£10–£25",
            "£25 and over",
            "price not known"
        ],
        "a pound shop's bands read as they always have"
    );
    let yen = Currency::from_code("JPY").expect("yen");
    assert_eq!(price_band_names(yen)[4], "¥25 and over");
    // "price not known" is shown only where such products are recommended.

    let mut shop = sample_shop().expect("sample");
    shop.settings.currency = yen;
    let product = shop.products[0].id;
    let ctx = ChangeContext::now("Sam");
    let change = |price: f64| Change::Product {
        product,
        price: Some(price),
        stock: None,
        category: None,
        tags: None,
        price_not_known: false,
        stock_not_tracked: false,
    };
    let (after, applied) = apply_all(shop.clone(), &[change(1200.0)], &ctx).expect("applies");
    assert_eq!(after.products[0].price_cents, Some(1200), "whole yen");
    assert_eq!(applied[0].after["price"], 1200.0);
    let refused = apply_all(shop.clone(), &[change(12.5)], &ctx).expect_err("half a yen");
    assert!(
        refused.to_string().contains("smallest unit of JPY"),
        "{refused}"
    );
    assert!(
        change(1200.0).describe(&shop).contains("¥1,200"),
        "{}",
        change(1200.0).describe(&shop)
    );
}

#[test]
fn a_spend_rule_that_cannot_run_says_a_price_is_not_known() {
    use candor::engine::rules::Rule;
    let mut shop = sample_shop().expect("sample");
    let rule: Rule = serde_json::from_value(serde_json::json!({
        "id": "big-spenders", "label": "Big spenders", "enabled": true, "weight": 1.0,
        "purpose": "personalization",
        "conditions": [{"feature": "spend_last_year", "op": "at_least", "value": 20.0}],
        "target": {"kind": "category", "category": "coffee"},
        "amount": {"kind": "fixed", "value": 1.0},
        "reason": "you often shop with us"
    }))
    .expect("a rule");
    shop.rules.push(rule);
    let year_ago = today() - chrono::Duration::days(300);
    let amelia_order = shop
        .orders
        .iter()
        .find(|o| o.customer == Some(1) && o.date > year_ago && o.date <= today())
        .expect("an order of Amelia's this year")
        .id;
    let line = Arc::make_mut(&mut shop.lines)
        .iter_mut()
        .find(|l| l.order == amelia_order)
        .expect("a line");
    line.unit_price_cents = None;
    let (_, all) = explain_all(shop);
    let amelia = all.iter().find(|e| e.customer == 1).expect("Amelia");
    let skipped = amelia
        .skipped
        .iter()
        .find(|s| s.id == "big-spenders")
        .expect("the spend rule does not run");
    assert!(
        skipped
            .detail
            .contains("price of one of the year's purchases is not known"),
        "{}",
        skipped.detail
    );
}

/// Visits per key after `from`, counted straight from the customer's order lines.
fn visits_from_lines(
    index: &ShopIndex,
    c: usize,
    from: Option<NaiveDate>,
    by_category: bool,
) -> Vec<(usize, usize)> {
    let shop = index.shop();
    let mut pairs = std::collections::BTreeSet::new();
    for o in index.orders_of(c) {
        if from.is_some_and(|f| shop.orders[o].date <= f) {
            continue;
        }
        for l in index.lines_of(o) {
            if let Some(p) = index.line_product(l).filter(|_| shop.lines[l].quantity > 0) {
                pairs.insert((if by_category { index.category_of(p) } else { p }, o));
            }
        }
    }
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (key, _) in pairs {
        match out.last_mut() {
            Some((k, n)) if *k == key => *n += 1,
            None | Some(_) => out.push((key, 1)),
        }
    }
    out
}

#[test]
fn the_purchase_lists_agree_with_the_order_lines() {
    use candor::engine::features::CustomerFeature;
    let size = DemoSize {
        customers: 400,
        products: 300,
        orders: 5000,
    };
    for shop in [sample_shop().expect("sample"), demo_shop(size, 3, today())] {
        let index = index_for(Arc::new(shop), today());
        let shop = index.shop();
        let windows = [
            None,
            Some(today() - chrono::Duration::days(7)),
            Some(today() - chrono::Duration::days(365)),
        ];
        for c in 0..shop.customers.len() {
            if index.ignores_purchases(c) {
                continue;
            }
            for from in windows {
                for by_category in [false, true] {
                    assert_eq!(
                        index.purchases().visits(c, from, by_category),
                        visits_from_lines(&index, c, from, by_category),
                        "customer {c}, from {from:?}, by category {by_category}"
                    );
                }
            }
            let mut lines = vec![0u32; index.categories().len()];
            for o in index.orders_of(c) {
                for l in index.lines_of(o) {
                    if let Some(p) = index.line_product(l).filter(|_| shop.lines[l].quantity > 0) {
                        lines[index.category_of(p)] += 1;
                    }
                }
            }
            let listed: Vec<(u32, u32)> = (0..lines.len() as u32)
                .filter(|&k| lines[k as usize] > 0)
                .map(|k| (k, lines[k as usize]))
                .collect();
            assert_eq!(index.purchases().lines_per_category(c), listed.as_slice());
            let bought: Vec<usize> = visits_from_lines(&index, c, None, false)
                .into_iter()
                .map(|(p, _)| p)
                .collect();
            for p in 0..shop.products.len() {
                assert_eq!(
                    index.purchases().bought(c, p),
                    bought.contains(&p),
                    "customer {c}, product {p}"
                );
            }
            let days: Vec<NaiveDate> = index.orders_of(c).map(|o| shop.orders[o].date).collect();
            let year_ago = today() - chrono::Duration::days(365);
            assert_eq!(
                CustomerFeature::OrdersLastYear.value(&index, c, today()),
                Some(days.iter().filter(|&&d| d > year_ago).count() as f64)
            );
            assert_eq!(
                CustomerFeature::DaysSinceLastOrder.value(&index, c, today()),
                days.iter().max().map(|&d| (today() - d).num_days() as f64)
            );
        }
    }
}

/// Changes of every kind that keeps the order history: a weight, a rule switched off, a
/// consent withdrawn, a liked category, purchases left out, a price, a category.
fn history_keeping_changes(shop: &Shop) -> Vec<candor::engine::changes::Change> {
    use candor::engine::changes::Change;
    use candor::engine::preferences::{About, Preference, PreferenceKind};
    let customer = shop.customers[3].id;
    let product = shop.products[5].id;
    let preference = |kind, category: &str| Change::Preference {
        customer,
        preference: Some(Preference {
            kind,
            about: About::Category(category.to_owned()),
        }),
        withdrawn: false,
        method: None,
        words: None,
        lifted_by: Vec::new(),
    };
    vec![
        Change::RuleWeight {
            rule: "more-of-what-you-like".into(),
            weight: 0.3,
        },
        Change::RuleEnabled {
            rule: "buy-again".into(),
            enabled: false,
        },
        Change::Consent {
            customer,
            purpose: "personalization".into(),
            granted: false,
            method: None,
            words: None,
        },
        preference(PreferenceKind::Liked, &shop.products[7].category),
        preference(PreferenceKind::IgnorePurchases, &shop.products[9].category),
        Change::Product {
            product,
            price: Some(99.0),
            stock: None,
            category: Some("tea".into()),
            tags: None,
            price_not_known: false,
            stock_not_tracked: false,
        },
    ]
}

#[test]
fn a_changed_copys_index_and_its_lists_are_those_of_an_index_built_afresh() {
    use candor::engine::changes::{ChangeContext, apply_all};
    use candor::engine::simulate::{Progress, all_lists, simulate};
    let size = DemoSize {
        customers: 600,
        products: 200,
        orders: 6000,
    };
    let before = index_for(Arc::new(demo_shop(size, 11, today())), today());
    let n = before.shop().settings.top_n;
    let lists = all_lists(&before, n, &Progress::default()).expect("lists");
    for change in history_keeping_changes(before.shop()) {
        let changes = [change];
        let (shop, _) = apply_all(before.shop().clone(), &changes, &ChangeContext::now("test"))
            .expect("applies");
        let shop = Arc::new(shop);
        let copied = before.for_changed(Arc::clone(&shop));
        let fresh = ShopIndex::new(Arc::clone(&shop), today());
        let fresh_lists = all_lists(&fresh, n, &Progress::default()).expect("lists");
        assert_eq!(
            all_lists(&copied, n, &Progress::default()).expect("lists"),
            fresh_lists,
            "{changes:?}: the changed copy's index ranks as one built afresh"
        );
        let sim = simulate(
            &before,
            Some(&lists),
            &changes,
            "test",
            &Progress::default(),
        )
        .expect("simulates");
        assert_eq!(
            sim.after_lists, fresh_lists,
            "{changes:?}: the simulation re-ranks every customer the change reaches"
        );
        let impact = candor::engine::simulate::impact(&before, &fresh, &lists, &fresh_lists);
        assert_eq!(
            sim.impact.mean_recommended_price, impact.mean_recommended_price,
            "{changes:?}"
        );
    }
}

#[test]
fn the_impact_reads_the_lists_after_with_the_prices_after() {
    use candor::engine::changes::Change;
    use candor::engine::simulate::{Progress, all_lists, simulate};
    let before = index_for(Arc::new(sample_shop().expect("sample")), today());
    let n = before.shop().settings.top_n;
    let lists = all_lists(&before, n, &Progress::default()).expect("lists");
    // The product recommended most, a penny dearer: the lists hardly move, the mean does.
    let mut counts = std::collections::HashMap::new();
    for &p in lists.iter().flatten() {
        *counts.entry(p).or_insert(0usize) += 1;
    }
    let (&top, _) = counts
        .iter()
        .max_by_key(|&(p, k)| (*k, std::cmp::Reverse(*p)))
        .expect("recommended");
    let product = &before.shop().products[top as usize];
    let price = product.price_cents.expect("priced") as f64 / 100.0 + 0.01;
    let changes = [Change::Product {
        product: product.id,
        price: Some(price),
        stock: None,
        category: None,
        tags: None,
        price_not_known: false,
        stock_not_tracked: false,
    }];
    let sim = simulate(
        &before,
        Some(&lists),
        &changes,
        "test",
        &Progress::default(),
    )
    .expect("simulates");
    let after = sim.after.shop();
    let (sum, k) = sim
        .after_lists
        .iter()
        .flatten()
        .filter_map(|&p| after.products[p as usize].price_cents)
        .fold((0i64, 0usize), |(s, k), c| (s + c, k + 1));
    assert_eq!(
        sim.impact.mean_recommended_price.after,
        Some(sum as f64 / 100.0 / k as f64),
        "the mean after is taken at the prices after"
    );
}

#[test]
fn a_reason_counting_purchases_says_what_was_returned() {
    let mut shop = sample_shop().expect("sample shop reads");
    let (_, all) = explain_all(shop.clone());
    let amelia = all.iter().find(|e| e.customer == 1).expect("Amelia");
    let coffee = amelia
        .recommendations
        .iter()
        .find(|r| r.category == "coffee")
        .expect("a coffee recommendation for Amelia");
    let rule = coffee
        .contributions
        .iter()
        .find(|c| c.id == "more-of-what-you-like")
        .expect("category rule contributes");
    assert!(!rule.reason.contains("returned"), "{}", rule.reason);
    let Some(candor::engine::explain::Record::OrderLine { product, .. }) = rule.records.first()
    else {
        panic!("the rule names an order line");
    };
    let id = shop.orders.iter().map(|o| o.id).max().unwrap_or(0) + 1;
    let date = today() - chrono::Duration::days(3);
    std::sync::Arc::make_mut(&mut shop.orders).push(candor::engine::model::Order {
        id,
        customer: Some(1),
        date,
        channel: "in shop".to_owned(),
    });
    std::sync::Arc::make_mut(&mut shop.lines).push(candor::engine::model::OrderLine {
        order: id,
        product: *product,
        quantity: -1,
        unit_price_cents: None,
    });
    let (_, all) = explain_all(shop);
    assert_exact(&all);
    let amelia = all.iter().find(|e| e.customer == 1).expect("Amelia");
    let rule = amelia
        .recommendations
        .iter()
        .filter(|r| r.category == "coffee")
        .flat_map(|r| &r.contributions)
        .find(|c| c.id == "more-of-what-you-like")
        .expect("category rule still contributes");
    let on = date.format("%-d %B").to_string();
    assert!(
        rule.reason.contains(&format!("(returned: 1 on {on})")),
        "{}",
        rule.reason
    );
    assert!(rule.records.iter().any(|r| matches!(
        r,
        candor::engine::explain::Record::OrderLine { quantity: -1, .. }
    )));
}

#[test]
fn a_customer_who_returned_what_they_bought_is_not_counted_as_its_buyer() {
    use candor::engine::model::{Order, OrderLine, PopularityCount};
    let mut shop = sample_shop().expect("sample");
    shop.settings.popularity_counts = PopularityCount::Customers;
    let before = index_for(Arc::new(shop.clone()), today());
    let unpopular = (0..shop.products.len())
        .find(|&p| before.popularity(p) == 0.0)
        .expect("a product nobody bought lately");
    let product = shop.products[unpopular].id;
    let customer = shop.customers[0].id;
    let last = shop.orders.iter().map(|o| o.id).max().unwrap_or(0);
    for (next, quantity) in (last + 1..).zip([2, -2]) {
        Arc::make_mut(&mut shop.orders).push(Order {
            id: next,
            customer: Some(customer),
            date: today(),
            channel: "in shop".to_owned(),
        });
        Arc::make_mut(&mut shop.lines).push(OrderLine {
            order: next,
            product,
            quantity,
            unit_price_cents: Some(450),
        });
    }
    let after = index_for(Arc::new(shop), today());
    assert_eq!(
        after.popularity(unpopular),
        0.0,
        "bought and taken back: not one more customer who chose it"
    );
}
