//! Criterion benchmark of importing 500,000 invoice lines (the shape of the Online Retail
//! data set) into a new shop file: reading, parsing, merging and the one transaction.
//! Run with `cargo bench --bench import`.

use std::fmt::Write as _;
use std::path::Path;

use candor::import::{Choice, ImportRequest, import};
use candor::store::Attribution;
use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};

/// Lines in the generated file.
const LINES: usize = 500_000;
/// Lines per invoice.
const PER_INVOICE: usize = 20;

/// A deterministic invoice-lines file: 25,000 invoices of 20 lines, 5,000 customers (one
/// invoice in ten a guest sale, one in fifty a cancellation), 4,000 products.
fn write_invoices(path: &Path) {
    let mut text = String::with_capacity(LINES * 90);
    text.push_str(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n",
    );
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
    let mut state: u64 = 42;
    let mut next = |modulo: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (state >> 33) % modulo
    };
    for invoice in 0..LINES / PER_INVOICE {
        let cancelled = invoice % 50 == 49;
        let number = if cancelled {
            format!("C{}", 500_000 + invoice)
        } else {
            (500_000 + invoice).to_string()
        };
        let customer = if invoice % 10 == 9 {
            String::new()
        } else {
            format!("{}.0", 12_000 + next(5_000))
        };
        let day = start + chrono::Duration::days((invoice * 365 / (LINES / PER_INVOICE)) as i64);
        for _ in 0..PER_INVOICE {
            let product = next(4_000);
            let quantity = 1 + next(12) as i64;
            let _ = writeln!(
                text,
                "{number},{},\"PRODUCT {product} HEART BAG\",{},{day} 10:{:02}:00,{}.{:02},{customer},United Kingdom",
                20_000 + product,
                if cancelled { -quantity } else { quantity },
                next(60),
                1 + product % 9,
                product % 100
            );
        }
    }
    std::fs::write(path, text).expect("writes the invoices");
}

fn import_bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("invoices.csv");
    write_invoices(&input);
    let db = dir.path().join("shop.candor");
    let request = ImportRequest {
        db: db.clone(),
        inputs: vec![input],
        choice: Choice::Preset("invoice-lines".to_owned()),
        skip_bad_rows: false,
        who: Attribution {
            actor: "bench".to_owned(),
            reason: "benchmark".to_owned(),
            at: "2026-01-01T00:00:00+00:00".to_owned(),
        },
        today: NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
        currency: None,
        owner: false,
    };
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.bench_function("500,000 invoice lines into a new shop", |b| {
        b.iter(|| {
            let _ = std::fs::remove_file(&db);
            let outcome = import(&request, &|_| {}, None).expect("imports");
            assert_eq!(outcome.summary.lines_added, LINES);
        });
    });
    group.finish();
}

criterion_group!(benches, import_bench);
criterion_main!(benches);
