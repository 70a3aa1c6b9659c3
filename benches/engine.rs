//! Criterion benchmarks of the engine at shop scale. The shop size comes from
//! `CANDOR_BENCH_CUSTOMERS` (default 100,000 customers, 5,000 products and about
//! 2 million order lines); run with `cargo bench --bench engine`.

use std::sync::Arc;

use candor::engine::changes::Change;
use candor::engine::simulate::{Progress, all_lists, simulate};
use candor::engine::{Scorer, ShopIndex, explain};
use candor::shopgen::demo::{DemoSize, demo_shop};
use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};

fn shop_index() -> ShopIndex {
    let customers: usize = std::env::var("CANDOR_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let size = DemoSize {
        customers,
        products: (customers / 20).max(80),
        orders: customers * 36 / 5,
    };
    let today = NaiveDate::from_ymd_opt(2026, 6, 15).expect("valid date");
    ShopIndex::new(Arc::new(demo_shop(size, 1, today)), today)
}

fn engine(c: &mut Criterion) {
    let index = shop_index();
    let n = index.shop().settings.top_n;
    let mut group = c.benchmark_group("shop");
    group.sample_size(10);
    group.bench_function("all recommendations", |b| {
        b.iter(|| all_lists(&index, n, &Progress::default()));
    });
    let lists = all_lists(&index, n, &Progress::default()).expect("not cancelled");
    let weight = [Change::RuleWeight {
        rule: "premium-for-40-plus".into(),
        weight: 0.5,
    }];
    group.bench_function("simulate one rule weight", |b| {
        b.iter(|| simulate(&index, Some(&lists), &weight, "bench", &Progress::default()));
    });
    let consent = [Change::Consent {
        customer: 1,
        purpose: "personalization".into(),
        granted: false,
        method: None,
        words: None,
    }];
    group.bench_function("simulate one consent withdrawal", |b| {
        b.iter(|| {
            simulate(
                &index,
                Some(&lists),
                &consent,
                "bench",
                &Progress::default(),
            )
        });
    });
    group.finish();
    let mut scorer = Scorer::new(&index);
    let mut next = 0usize;
    c.bench_function("explain one customer", |b| {
        b.iter(|| {
            next = (next + 7919) % index.shop().customers.len();
            explain(&mut scorer, next, n)
        });
    });
}

criterion_group!(benches, engine);
criterion_main!(benches);
