//! Relevance measured on the shop's own history (`candor evaluate`): every figure is
//! checked against a straightforward recomputation from the shop's rows, the rules'
//! lists against the shop cut at the split day, and the Online Retail data set against
//! the figures measured independently on it.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use assert_cmd::Command;
use candor::engine::model::{STOCK_NOT_TRACKED, Shop};
use candor::engine::relevance::{
    BacktestConfig, Method, MethodFigures, Relevance, RelevanceError, Variant, evaluate,
};
use candor::engine::simulate::Progress;
use candor::engine::{Scorer, ShopIndex, explain};
use candor::shopgen::demo::{DemoSize, demo_shop};
use chrono::{Duration, NaiveDate};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn demo() -> Arc<Shop> {
    let size = DemoSize {
        customers: 300,
        products: 60,
        orders: 4000,
    };
    Arc::new(demo_shop(size, 7, day(2026, 6, 1)))
}

fn config(days: i64, top: usize, as_if_consented: bool) -> BacktestConfig {
    BacktestConfig {
        days,
        top,
        as_if_consented,
    }
}

fn run(index: &ShopIndex, config: &BacktestConfig) -> Relevance {
    evaluate(index, config, &Progress::default()).expect("relevance is measured")
}

fn figures(r: &Relevance, variant: Variant, method: Method) -> (usize, MethodFigures) {
    let v = r
        .variants
        .iter()
        .find(|v| v.variant == variant)
        .expect("variant");
    let m = v
        .methods
        .iter()
        .find(|m| m.method == method)
        .expect("method");
    (v.customers, *m)
}

/// What one customer bought, read straight from the shop's rows.
#[derive(Default)]
struct Bought {
    /// Product id -> (orders containing it, last day) before the hold-out.
    before: HashMap<i64, (usize, NaiveDate)>,
    /// Product ids bought in the hold-out.
    held_out: HashSet<i64>,
}

/// Every customer's purchases on either side of `cut`, and the products by distinct
/// customers in the 30 days up to `cut`, from the rows alone (no index).
fn recount(shop: &Shop, cut: NaiveDate, to: NaiveDate) -> (HashMap<i64, Bought>, Vec<i64>) {
    let real: HashSet<i64> = shop
        .products
        .iter()
        .filter(|p| p.is_product())
        .map(|p| p.id)
        .collect();
    let orders: HashMap<i64, &candor::engine::model::Order> =
        shop.orders.iter().map(|o| (o.id, o)).collect();
    let mut by_order: HashMap<i64, HashSet<i64>> = HashMap::new();
    for line in shop.lines.iter() {
        if line.quantity > 0 && real.contains(&line.product) {
            by_order.entry(line.order).or_default().insert(line.product);
        }
    }
    let mut people: HashMap<i64, Bought> = HashMap::new();
    let mut buyers: HashMap<i64, HashSet<i64>> = HashMap::new();
    for (id, products) in &by_order {
        let order = orders[id];
        let Some(customer) = order.customer else {
            continue;
        };
        let person = people.entry(customer).or_default();
        for &p in products {
            if order.date <= cut {
                let e = person.before.entry(p).or_insert((0, order.date));
                e.0 += 1;
                e.1 = e.1.max(order.date);
                if order.date > cut - Duration::days(30) {
                    buyers.entry(p).or_default().insert(customer);
                }
            } else if order.date <= to {
                person.held_out.insert(p);
            }
        }
    }
    let mut popular: Vec<i64> = real.into_iter().collect();
    popular.sort_by_key(|p| (std::cmp::Reverse(buyers.get(p).map_or(0, HashSet::len)), *p));
    (people, popular)
}

/// Mean hit rate, precision, recall and NDCG of lists against truths, by the textbook.
fn textbook(pairs: &[(Vec<i64>, HashSet<i64>)], k: usize) -> [f64; 4] {
    let mut sums = [0.0; 4];
    for (list, truth) in pairs {
        let hits: Vec<usize> = (0..list.len().min(k))
            .filter(|&i| truth.contains(&list[i]))
            .collect();
        let dcg: f64 = hits.iter().map(|&i| 1.0 / (i as f64 + 2.0).log2()).sum();
        let idcg: f64 = (0..truth.len().min(k))
            .map(|i| 1.0 / (i as f64 + 2.0).log2())
            .sum();
        sums[0] += if hits.is_empty() { 0.0 } else { 1.0 };
        sums[1] += hits.len() as f64 / k as f64;
        sums[2] += hits.len() as f64 / truth.len() as f64;
        sums[3] += dcg / idcg;
    }
    sums.map(|s| s / pairs.len() as f64)
}

/// The baselines' lists for every customer evaluated in `variant`, recomputed.
fn baseline_pairs(
    people: &HashMap<i64, Bought>,
    popular: &[i64],
    variant: Variant,
    method: Method,
    k: usize,
) -> Vec<(Vec<i64>, HashSet<i64>)> {
    let mut ids: Vec<&i64> = people.keys().collect();
    ids.sort();
    ids.into_iter()
        .map(|id| &people[id])
        .filter(|b| !b.before.is_empty() && !b.held_out.is_empty())
        .filter_map(|b| {
            let truth: HashSet<i64> = match variant {
                Variant::All => b.held_out.clone(),
                Variant::New => b
                    .held_out
                    .iter()
                    .filter(|p| !b.before.contains_key(p))
                    .copied()
                    .collect(),
            };
            if truth.is_empty() {
                return None;
            }
            let mut list: Vec<i64> = Vec::new();
            if variant == Variant::All && method == Method::BoughtBefore {
                let mut own: Vec<(&i64, &(usize, NaiveDate))> = b.before.iter().collect();
                own.sort_by_key(|(p, (n, last))| (std::cmp::Reverse((*n, *last)), **p));
                list.extend(own.iter().map(|(p, _)| **p).take(k));
            }
            for p in popular {
                if list.len() == k {
                    break;
                }
                let skip = variant == Variant::New && b.before.contains_key(p);
                if !skip && !list.contains(p) {
                    list.push(*p);
                }
            }
            Some((list, truth))
        })
        .collect()
}

fn assert_close(what: &str, got: Option<f64>, want: f64) {
    let got = got.unwrap_or_else(|| panic!("{what} is not known"));
    assert!((got - want).abs() < 1e-12, "{what}: {got} against {want}");
}

#[test]
fn the_baselines_agree_with_a_recomputation_from_the_rows() {
    for (shop, days, k) in [(demo(), 30, 10), (demo(), 60, 5), (sample(), 30, 10)] {
        let index = candor::engine::index_for(shop.clone(), day(2026, 6, 1));
        let r = run(&index, &config(days, k, false));
        check_baselines(&shop, &r);
    }
}

/// Every baseline figure of `r` against the textbook recomputation from the rows.
fn check_baselines(shop: &Shop, r: &Relevance) {
    let (to, k) = (r.as_of, r.top);
    let cut = to - Duration::days(r.hold_out.days);
    assert_eq!(r.hold_out.from, cut + Duration::days(1));
    assert_eq!(r.hold_out.to, to);
    let (people, popular) = recount(shop, cut, to);
    for variant in [Variant::All, Variant::New] {
        for method in [Method::Popular, Method::BoughtBefore] {
            let pairs = baseline_pairs(&people, &popular, variant, method, k);
            let (customers, got) = figures(r, variant, method);
            assert_eq!(customers, pairs.len(), "{variant:?} customers");
            assert!(customers > 0, "the shop has customers to evaluate");
            let want = textbook(&pairs, k);
            let what = |f: &str| format!("{variant:?} {method:?} {f}");
            assert_close(&what("hit rate"), got.hit_rate, want[0]);
            assert_close(&what("precision"), got.precision, want[1]);
            assert_close(&what("recall"), got.recall, want[2]);
            assert_close(&what("ndcg"), got.ndcg, want[3]);
            let shown: HashSet<i64> = pairs.iter().flat_map(|(l, _)| l.clone()).collect();
            let catalogue = shop.products.iter().filter(|p| p.is_product()).count();
            assert_close(
                &what("coverage"),
                got.coverage,
                shown.len() as f64 / catalogue as f64,
            );
        }
    }
}

fn sample() -> Arc<Shop> {
    Arc::new(candor::shopgen::sample::sample_shop().expect("sample"))
}

/// The shop as it stood on `cut`, built by deleting what came later: later orders and
/// their lines, later consent decisions; stock not known.
fn cut_shop(shop: &Shop, cut: NaiveDate, as_if_consented: bool) -> Shop {
    let mut past = shop.clone();
    let kept: HashSet<i64> = shop
        .orders
        .iter()
        .filter(|o| o.date <= cut)
        .map(|o| o.id)
        .collect();
    past.orders = Arc::new(
        shop.orders
            .iter()
            .filter(|o| kept.contains(&o.id))
            .cloned()
            .collect(),
    );
    past.lines = Arc::new(
        shop.lines
            .iter()
            .filter(|l| kept.contains(&l.order))
            .cloned()
            .collect(),
    );
    let mut products = (*shop.products).clone();
    products
        .iter_mut()
        .for_each(|p| p.stock = STOCK_NOT_TRACKED);
    past.products = Arc::new(products);
    let mut consents: Vec<_> = shop
        .consents
        .iter()
        .filter(|e| e.at <= cut)
        .cloned()
        .collect();
    // Now-refused purposes stay refused; never-asked ones are granted when asked to.
    for c in shop.customers.iter() {
        for p in &shop.purposes {
            let last = shop
                .consents
                .iter()
                .rfind(|e| e.customer == c.id && e.purpose == p.id)
                .map(|e| e.granted);
            let add = match last {
                Some(false) => Some(false),
                None if as_if_consented => Some(true),
                _ => None,
            };
            if let Some(granted) = add {
                let mut decision = shop.consents[0].clone();
                (decision.customer, decision.purpose, decision.granted) =
                    (c.id, p.id.clone(), granted);
                consents.push(decision);
            }
        }
    }
    past.consents = Arc::new(consents);
    past
}

#[test]
fn the_rules_lists_are_those_of_the_shop_cut_at_the_day_before_the_hold_out() {
    for (shop, as_if) in [(sample(), false), (demo(), false), (demo(), true)] {
        let index = candor::engine::index_for(shop.clone(), day(2026, 6, 1));
        let (days, k) = (30, 10);
        let r = run(&index, &config(days, k, as_if));
        let cut = index.today() - Duration::days(days);
        let past = ShopIndex::new(Arc::new(cut_shop(&shop, cut, as_if)), cut);
        let (people, _) = recount(&shop, cut, index.today());
        let mut scorer = Scorer::new(&past);
        let mut all = Vec::new();
        let mut new = Vec::new();
        for (pos, c) in shop.customers.iter().enumerate() {
            let Some(b) = people.get(&c.id) else { continue };
            if b.before.is_empty() || b.held_out.is_empty() {
                continue;
            }
            let list: Vec<i64> = explain(&mut scorer, pos, k + b.before.len())
                .recommendations
                .iter()
                .map(|r| r.product)
                .collect();
            all.push((list.iter().copied().take(k).collect(), b.held_out.clone()));
            let fresh: HashSet<i64> = b
                .held_out
                .iter()
                .filter(|p| !b.before.contains_key(p))
                .copied()
                .collect();
            if !fresh.is_empty() {
                let unbought = list.into_iter().filter(|p| !b.before.contains_key(p));
                new.push((unbought.take(k).collect(), fresh));
            }
        }
        for (variant, pairs) in [(Variant::All, all), (Variant::New, new)] {
            let (customers, got) = figures(&r, variant, Method::Rules);
            assert_eq!(customers, pairs.len());
            let want = textbook(&pairs, k);
            assert_close("rules hit rate", got.hit_rate, want[0]);
            assert_close("rules precision", got.precision, want[1]);
            assert_close("rules recall", got.recall, want[2]);
            assert_close("rules ndcg", got.ndcg, want[3]);
        }
    }
}

#[test]
fn consent_as_it_stood_on_the_split_day_and_as_it_stands_now_decides() {
    // Everyone in the demo shop agreed long ago. Withdrawing everyone's consent before the
    // hold-out makes the rules' lists the shop-wide ones; so does withdrawing it since
    // (nobody's data is used against their current wish); agreeing again after the split
    // does not count back.
    let shop = demo();
    let index = candor::engine::index_for(shop.clone(), day(2026, 6, 1));
    let base = run(&index, &config(30, 10, false));
    let decided = |decisions: &[(NaiveDate, bool)], as_if: bool| {
        let mut changed = (*shop).clone();
        let mut consents = (*shop.consents).clone();
        for &(on, granted) in decisions {
            for c in shop.customers.iter() {
                for p in &shop.purposes {
                    let mut e = shop.consents[0].clone();
                    (e.customer, e.purpose, e.granted, e.at) = (c.id, p.id.clone(), granted, on);
                    consents.push(e);
                }
            }
        }
        changed.consents = Arc::new(consents);
        run(
            &candor::engine::index_for(Arc::new(changed), day(2026, 6, 1)),
            &config(30, 10, as_if),
        )
    };
    let rules = |r: &Relevance| figures(r, Variant::All, Method::Rules).1;
    let early = decided(&[(day(2026, 4, 1), false)], false);
    assert_ne!(
        rules(&early),
        rules(&base),
        "an earlier withdrawal changes the lists"
    );
    // Without consent everyone gets the one shop-wide list.
    let catalogue = shop.products.iter().filter(|p| p.is_product()).count();
    assert_eq!(rules(&early).coverage, Some(10.0 / catalogue as f64));
    let since = decided(&[(day(2026, 5, 20), false)], false);
    assert_eq!(
        rules(&since),
        rules(&early),
        "a withdrawal since the split is honoured"
    );
    let again = decided(&[(day(2026, 4, 1), false), (day(2026, 5, 20), true)], false);
    assert_eq!(
        rules(&again),
        rules(&early),
        "a later grant does not count back"
    );
    let as_if = decided(&[(day(2026, 4, 1), false)], true);
    assert_eq!(
        rules(&as_if),
        rules(&early),
        "--as-if-consented never overrides a refusal"
    );
}

#[test]
fn out_of_range_settings_and_an_empty_hold_out_are_refused() {
    let index = candor::engine::index_for(demo(), day(2026, 6, 1));
    let err = |c: BacktestConfig| evaluate(&index, &c, &Progress::default()).unwrap_err();
    assert_eq!(err(config(0, 10, false)), RelevanceError::Days(0));
    assert_eq!(err(config(30, 0, false)), RelevanceError::Top(0));
    // A day long before any order: nobody bought before the hold-out.
    let early = ShopIndex::new(demo(), day(2020, 1, 1));
    let e = evaluate(&early, &config(30, 10, false), &Progress::default()).unwrap_err();
    assert!(matches!(e, RelevanceError::NoCustomers { .. }));
    assert!(e.to_string().contains("try a longer hold-out"), "{e}");
}

fn candor() -> Command {
    Command::cargo_bin("candor").expect("binary builds")
}

#[test]
fn evaluate_prints_the_contracted_json_and_a_table_in_words() {
    let (_dir, db) = common::sample_file();
    let out = candor()
        .args(["evaluate", "--json", "--days", "30", "--top", "10", "--db"])
        .arg(&db)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(json["as_of"], "2026-06-15");
    assert_eq!(json["hold_out"]["from"], "2026-05-17");
    assert_eq!(json["hold_out"]["to"], "2026-06-15");
    assert_eq!(json["hold_out"]["days"], 30);
    assert_eq!(json["top"], 10);
    assert_eq!(json["as_if_consented"], false);
    let variants: Vec<&str> = json["variants"]
        .as_array()
        .expect("variants")
        .iter()
        .map(|v| v["variant"].as_str().expect("name"))
        .collect();
    assert_eq!(variants, ["all", "new"]);
    for v in json["variants"].as_array().expect("variants") {
        assert!(v["customers"].as_u64().expect("count") > 0);
        let methods: Vec<&str> = v["methods"]
            .as_array()
            .expect("methods")
            .iter()
            .map(|m| m["method"].as_str().expect("name"))
            .collect();
        assert_eq!(methods, ["rules", "popular", "bought_before"]);
        for m in v["methods"].as_array().expect("methods") {
            for key in ["hit_rate", "precision", "recall", "ndcg", "coverage"] {
                let x = m[key].as_f64().expect(key);
                assert!((0.0..=1.0).contains(&x), "{key} {x}");
            }
        }
    }
    candor()
        .args(["evaluate", "--db"])
        .arg(&db)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "from 2026-05-17 to 2026-06-15 (30 days)",
        ))
        .stdout(predicates::str::contains(
            "Everything bought (71 of 200 customers)",
        ))
        .stdout(predicates::str::contains("bought before"));
    candor()
        .args(["evaluate", "--days", "0", "--db"])
        .arg(&db)
        .assert()
        .failure()
        .stderr(predicates::str::contains("between 1 and 3650 days"));
}

#[test]
fn online_retail_gives_the_figures_measured_independently() {
    let Some(input) = common::online_retail() else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("online-retail.candor");
    candor()
        .args(["import", "--actor", "test", "--db"])
        .arg(&db)
        .arg(&input)
        .assert()
        .success();
    let out = candor()
        .args([
            "evaluate",
            "--json",
            "--days",
            "31",
            "--as-if-consented",
            "--db",
        ])
        .arg(&db)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(json["hold_out"]["from"], "2011-11-09");
    assert_eq!(json["as_if_consented"], true);
    let shop = Arc::new(
        candor::store::Store::open_for_reading(&db)
            .expect("opens")
            .0
            .load()
            .expect("loads"),
    );
    let index = candor::engine::index_for(shop.clone(), day(2026, 1, 1));
    let r = run(&index, &config(31, 10, true));
    check_baselines(&shop, &r);
    let (all, bought) = figures(&r, Variant::All, Method::BoughtBefore);
    let (new, popular) = figures(&r, Variant::New, Method::Popular);
    assert_eq!((all, new), (1395, 1294));
    let near = |got: Option<f64>, want: f64| (got.expect("known") - want).abs() < 0.02;
    assert!(near(bought.hit_rate, 0.80), "{bought:?}");
    assert!(near(bought.ndcg, 0.32), "{bought:?}");
    assert!(near(popular.hit_rate, 0.43), "{popular:?}");
}

#[test]
fn simulate_shows_the_rules_relevance_before_and_after() {
    let (dir, db) = common::sample_file();
    let changes = dir.path().join("changes.json");
    std::fs::write(
        &changes,
        r#"{"changes":[{"kind":"rule_enabled","rule":"buy-again","enabled":false}]}"#,
    )
    .expect("writes");
    let out = candor()
        .args(["simulate", "--json", "--db"])
        .arg(&db)
        .arg("--changes")
        .arg(&changes)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).expect("json");
    let relevance = &json["relevance"];
    assert_eq!(
        (relevance["days"].as_i64(), relevance["top"].as_u64()),
        (Some(30), Some(10))
    );
    // Before: what `evaluate` says of the shop; after: what it says of the changed shop.
    let shop = candor::shopgen::sample::sample_shop().expect("sample");
    let mut changed = shop.clone();
    changed
        .rules
        .iter_mut()
        .filter(|r| r.id == "buy-again")
        .for_each(|r| r.enabled = false);
    let measure = |shop: Shop| {
        run(
            &candor::engine::index_for(Arc::new(shop), day(2026, 1, 1)),
            &BacktestConfig::default(),
        )
    };
    let (before, after) = (measure(shop), measure(changed));
    for (i, variant) in ["all", "new"].into_iter().enumerate() {
        let v = &relevance["variants"][i];
        assert_eq!(v["variant"], variant);
        assert_eq!(v["customers"], before.variants[i].customers);
        let rules = |r: &Relevance| r.variants[i].methods[0];
        assert_eq!(v["hit_rate"]["before"].as_f64(), rules(&before).hit_rate);
        assert_eq!(v["hit_rate"]["after"].as_f64(), rules(&after).hit_rate);
        assert_eq!(v["ndcg"]["before"].as_f64(), rules(&before).ndcg);
        assert_eq!(v["ndcg"]["after"].as_f64(), rules(&after).ndcg);
    }
    assert_ne!(
        relevance["variants"][0]["ndcg"]["before"], relevance["variants"][0]["ndcg"]["after"],
        "switching off 'buy it again' moves the relevance of everything bought"
    );
    candor()
        .args(["simulate", "--db"])
        .arg(&db)
        .arg("--changes")
        .arg(&changes)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "Relevance on the last 30 days of orders",
        ))
        .stdout(predicates::str::contains(
            "everything bought (71 customers): hit rate",
        ));
}
