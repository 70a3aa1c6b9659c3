//! The ethics audit on crafted shops whose answers are known: a rule that creates a known
//! disparity is flagged with the expected ratio and cleared by simulating its removal;
//! an unused field, an expired record and a lint-worthy rule are each reported once;
//! and the metrics are recomputed independently from the explanations.

use std::collections::BTreeSet;
use std::sync::Arc;

use candor::engine::audit::fairness::Status;
use candor::engine::audit::{Audit, AuditConfig, Grouping, audit, compare};
use candor::engine::changes::Change;
use candor::engine::features::CustomerFeature;
use candor::engine::model::{ConsentEvent, Customer, Product, Settings, Shop};
use candor::engine::rules::{Amount, Condition, Op, PriceBand, Rule, Target};
use candor::engine::simulate::{Progress, all_lists, simulate};
use candor::engine::{ShopIndex, explain_customer};
use chrono::NaiveDate;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn today() -> NaiveDate {
    day(2026, 6, 15)
}

fn customer(id: i64, born: i32) -> Customer {
    Customer {
        id,
        name: Some(format!("Customer {id}")),
        email: None,
        phone: None,
        address: None,
        postcode: None,
        birth_date: Some(day(born, 1, 10)),
        gender: None,
        since: day(2026, 1, 1),
        source: "test".to_owned(),
        field_sources: Vec::new(),
    }
}

fn premium_rule(reason: &str) -> Rule {
    Rule {
        id: "premium-for-40-plus".to_owned(),
        label: "Premium picks for over-40s".to_owned(),
        enabled: true,
        weight: 1.0,
        purpose: "personalization".to_owned(),
        conditions: vec![Condition {
            feature: CustomerFeature::Age,
            op: Op::AtLeast,
            value: 40.0,
        }],
        target: Target::PriceBand {
            band: PriceBand::Premium,
        },
        amount: Amount::Fixed { value: 3.0 },
        reason: reason.to_owned(),
    }
}

/// 60 customers under 30 and 60 over 65, everyone consenting; eight products in two
/// categories, the two dearest premium; a rule that shows premium products to over-40s.
fn crafted_shop() -> Shop {
    let sample = candor::shopgen::sample::sample_shop().expect("sample reads");
    let customers: Vec<Customer> = (1..=120)
        .map(|id| customer(id, if id <= 60 { 2000 } else { 1960 }))
        .collect();
    let consents = customers
        .iter()
        .map(|c| ConsentEvent {
            customer: c.id,
            purpose: "personalization".to_owned(),
            granted: true,
            at: day(2024, 1, 1),
            recorded_at: None,
            decided_on: Some(day(2024, 1, 1)),
            method: "in shop".to_owned(),
            recorded_by: "test".to_owned(),
            words: None,
            wording: None,
        })
        .collect();
    let products = (1..=8)
        .map(|id| Product {
            id,
            name: format!("Product {id}"),
            category: if id % 2 == 0 { "cakes" } else { "bread" }.to_owned(),
            tags: Vec::new(),
            price_cents: Some(id * 100),
            stock: 10,
            repeatable: true,
        })
        .collect();
    Shop {
        settings: Settings {
            name: "Crafted".to_owned(),
            pinned_today: Some(today()),
            top_n: 2,
            ..Settings::default()
        },
        customers: Arc::new(customers),
        products: Arc::new(products),
        purposes: sample.purposes.clone(),
        consents: Arc::new(consents),
        rules: vec![premium_rule(
            "customers like you often choose our premium range",
        )],
        fields: sample.fields.clone(),
        ..Shop::default()
    }
}

fn audited(shop: Shop) -> (ShopIndex, Vec<Vec<u32>>, Audit) {
    let index = ShopIndex::new(Arc::new(shop), today());
    let lists = all_lists(&index, index.shop().settings.top_n, &Progress::default())
        .expect("not cancelled");
    let config = AuditConfig {
        groupings: vec![Grouping::AgeBand],
        ..AuditConfig::default()
    };
    let a = audit(&index, &lists, &config);
    (index, lists, a)
}

fn metric<'a>(a: &'a Audit, key: &str) -> &'a candor::engine::audit::fairness::MetricReport {
    a.fairness[0]
        .metrics
        .iter()
        .find(|m| m.metric == key)
        .expect("metric present")
}

#[test]
fn an_age_rule_is_flagged_with_the_expected_ratio_and_its_removal_clears_it() {
    let (index, lists, before) = audited(crafted_shop());
    let groups: Vec<&str> = before.fairness[0]
        .groups
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    assert_eq!(groups, ["under 30", "65 and over"]);

    let premium = metric(&before, "premium");
    assert_eq!(premium.parity_ratio, Some(0.0));
    assert_eq!(premium.status, Status::Flagged);
    let price = metric(&before, "mean_price");
    let expected = ((1.0 + 2.0) / 2.0) / ((7.0 + 8.0) / 2.0);
    assert!((price.parity_ratio.expect("measurable") - expected).abs() < 1e-12);
    assert_eq!(price.status, Status::Flagged);
    let finding = before
        .findings
        .iter()
        .find(|f| f.id == "fairness:age_band:premium")
        .expect("premium gap is a finding");
    assert_eq!(finding.rules, ["premium-for-40-plus"]);
    assert_eq!(finding.customers, 60);
    let fix = finding.fix.clone().expect("a fix to simulate");
    assert_eq!(
        fix.changes,
        [Change::RuleEnabled {
            rule: "premium-for-40-plus".to_owned(),
            enabled: false
        }]
    );

    let sim = simulate(
        &index,
        Some(&lists),
        &fix.changes,
        "test",
        &Progress::default(),
    )
    .expect("fix simulates");
    let after = audit(&sim.after, &sim.after_lists, &before.config);
    assert!(
        after
            .findings
            .iter()
            .all(|f| !f.id.starts_with("fairness:"))
    );
    assert_eq!(metric(&after, "mean_price").parity_ratio, Some(1.0));
    assert_eq!(metric(&after, "mean_price").status, Status::Fair);
    let figures = compare(&before, &after);
    let moved = figures
        .iter()
        .find(|f| f.key == "parity:age_band:mean_price")
        .expect("figure compared");
    assert_eq!(moved.status_before, Some(Status::Flagged));
    assert_eq!(moved.status_after, Some(Status::Fair));
    assert_eq!(moved.comparison_note, None, "the same groups are compared");
    let findings = figures.iter().find(|f| f.key == "findings").expect("count");
    assert_eq!(
        findings.count_worse(),
        Some(false),
        "fewer findings is better"
    );
}

/// Deleting the birth dates of a few customers aged 65 and over takes that group below
/// the size the audit compares: its ratios rise because the group is left out, not
/// because its gap closed, and the comparison says so rather than "better".
#[test]
fn a_group_that_falls_below_the_size_to_compare_is_not_reported_as_treated_better() {
    let shop = candor::shopgen::sample::sample_shop().expect("sample reads");
    let index = ShopIndex::new(Arc::new(shop), today());
    let lists = all_lists(&index, 5, &Progress::default()).expect("not cancelled");
    let config = AuditConfig::default();
    let before = audit(&index, &lists, &config);
    let oldest = |c: &&Customer| c.birth_date.is_some_and(|b| b <= day(1961, 6, 15));
    let sixty_five_plus: Vec<&Customer> = index.shop().customers.iter().filter(oldest).collect();
    let spare = sixty_five_plus.len() + 1 - config.min_group_size;
    let deletions: Vec<Change> = (sixty_five_plus.iter().take(spare))
        .map(|c| Change::CustomerField {
            customer: c.id,
            field: "birth_date".to_owned(),
            value: None,
            source: None,
        })
        .collect();
    let sim = simulate(
        &index,
        Some(&lists),
        &deletions,
        "test",
        &Progress::default(),
    )
    .expect("simulates");
    let after = audit(&sim.after, &sim.after_lists, &config);
    let figures = compare(&before, &after);

    let by_age: Vec<_> = (figures.iter())
        .filter(|f| f.key.starts_with("parity:age_band:"))
        .collect();
    assert!(!by_age.is_empty());
    for f in by_age {
        assert_eq!(f.groups_no_longer_compared, ["65 and over"], "{}", f.key);
        let note = f.comparison_note.as_deref().expect("a note");
        assert!(
            note.starts_with("By age band, “65 and over” is no longer compared (fewer than 30"),
            "{note}"
        );
    }
    let by_gender = (figures.iter())
        .find(|f| f.key == "parity:gender:premium")
        .expect("gender figure");
    assert_eq!(by_gender.comparison_note, None, "no gender group moves");
    let findings = figures.iter().find(|f| f.key == "findings").expect("count");
    assert_ne!(findings.before, findings.after, "a fairness finding goes");
    assert_eq!(findings.count_worse(), None, "no verdict on fewer findings");
    assert!(findings.comparison_note.is_some());
}

#[test]
fn metrics_recompute_from_the_explanations() {
    let (index, _, a) = audited(crafted_shop());
    let n = index.shop().settings.top_n;
    let mut prices: Vec<Vec<f64>> = vec![Vec::new(); 2];
    let mut premium_hits = [0usize; 2];
    let mut cakes_exposure = [0f64; 2];
    let mut shown: BTreeSet<i64> = BTreeSet::new();
    let mut exposure_by_product = std::collections::BTreeMap::<i64, f64>::new();
    let mut ild = Vec::new();
    for c in index.shop().customers.iter() {
        let e = explain_customer(&index, c.id, n).expect("customer exists");
        let g = usize::from(c.id > 60);
        let recs = &e.recommendations;
        let mean = recs
            .iter()
            .map(|r| r.price_cents.expect("priced") as f64)
            .sum::<f64>()
            / recs.len() as f64
            / 100.0;
        prices[g].push(mean);
        if recs.iter().any(|r| r.price_cents >= Some(700)) {
            premium_hits[g] += 1;
        }
        for r in recs {
            let w = 1.0 / (1.0 + r.rank as f64).log2();
            if r.category == "cakes" {
                cakes_exposure[g] += w;
            }
            shown.insert(r.product);
            *exposure_by_product.entry(r.product).or_default() += w;
        }
        let same = usize::from(recs[0].category == recs[1].category);
        ild.push(1.0 - same as f64);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (young, old) = (mean(&prices[0]), mean(&prices[1]));
    let price = metric(&a, "mean_price");
    assert!((price.groups[0].value.expect("value") - young).abs() < 1e-9);
    assert!((price.groups[1].value.expect("value") - old).abs() < 1e-9);
    assert!((price.parity_difference.expect("measurable") - (old - young)).abs() < 1e-9);
    let premium = metric(&a, "premium");
    assert_eq!(premium.groups[0].value, Some(premium_hits[0] as f64 / 60.0));
    assert_eq!(premium.groups[1].value, Some(premium_hits[1] as f64 / 60.0));
    let cakes = metric(&a, "exposure:cakes");
    assert!((cakes.groups[0].value.expect("value") - cakes_exposure[0] / 60.0).abs() < 1e-9);
    assert!((cakes.groups[1].value.expect("value") - cakes_exposure[1] / 60.0).abs() < 1e-9);
    let d = &a.diversity;
    assert!((d.catalogue_coverage.expect("coverage") - shown.len() as f64 / 8.0).abs() < 1e-12);
    assert!((d.intra_list_diversity.expect("ild") - mean(&ild)).abs() < 1e-12);
    let mut amounts: Vec<f64> = (1..=8)
        .map(|p| exposure_by_product.get(&p).copied().unwrap_or(0.0))
        .collect();
    amounts.sort_by(f64::total_cmp);
    let total: f64 = amounts.iter().sum();
    let gini = amounts
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * (i + 1) as f64 - 9.0) * x)
        .sum::<f64>()
        / (8.0 * total);
    assert!((d.exposure_gini.expect("gini") - gini).abs() < 1e-12);
    assert!(
        (d.novelty_bits.expect("novelty") - 3.0).abs() < 1e-12,
        "no purchases: log2(8)"
    );
}

#[test]
fn an_unused_field_an_expired_record_and_a_pressuring_rule_are_each_reported_once() {
    let mut shop = crafted_shop();
    let customers = Arc::make_mut(&mut shop.customers);
    customers[0].gender = Some("female".to_owned());
    customers[1].since = day(2020, 1, 1);
    shop.rules[0].reason = "Last chance: only today!".to_owned();
    let (_, _, a) = audited(shop);
    let count = |id: &str| a.findings.iter().filter(|f| f.id == id).count();
    assert_eq!(count("minimization:unused:gender"), 1);
    assert_eq!(count("lint:premium-for-40-plus:pressure_wording"), 1);
    let unused: Vec<&str> = a
        .minimization
        .unused_fields
        .iter()
        .filter(|u| u.kept_for.is_none())
        .map(|u| u.field.as_str())
        .collect();
    assert_eq!(unused, ["gender"]);
    let expired: Vec<(&str, usize)> = a
        .minimization
        .past_retention
        .iter()
        .map(|p| (p.field.as_str(), p.customers))
        .collect();
    assert_eq!(
        expired,
        [("name", 1), ("customer_since", 1), ("birth_date", 1)],
        "customer 2 joined in 2020 and never ordered: past the 730-day periods"
    );
    for p in &a.minimization.past_retention {
        assert_eq!(p.customer_ids, [2]);
        assert_eq!(count(&format!("minimization:retention:{}", p.field)), 1);
    }
    let lint: Vec<&str> = a.lint.iter().map(|l| l.check.key()).collect();
    assert_eq!(
        lint,
        [
            "sensitive_attribute",
            "pricing_by_group",
            "pressure_wording",
            "reason_hides_data"
        ]
    );
}

#[test]
fn a_rule_nobody_qualifies_for_is_linted_as_never_firing() {
    let mut shop = crafted_shop();
    shop.rules[0].conditions[0].value = 120.0;
    let (_, _, a) = audited(shop);
    assert!(
        a.lint
            .iter()
            .any(|l| l.check.key() == "never_fires" && l.rule == "premium-for-40-plus")
    );
}

/// The sample shop audited as it is, and with the age-based premium rule switched off
/// (simulated): (index before, audit before, index after, audit after).
fn sample_with_and_without_the_age_rule() -> (ShopIndex, Audit, Arc<ShopIndex>, Audit) {
    let shop = candor::shopgen::sample::sample_shop().expect("sample reads");
    let index = ShopIndex::new(Arc::new(shop), today());
    let lists = all_lists(&index, 5, &Progress::default()).expect("not cancelled");
    let before = audit(&index, &lists, &AuditConfig::default());
    let off = [Change::RuleEnabled {
        rule: "premium-for-40-plus".to_owned(),
        enabled: false,
    }];
    let sim =
        simulate(&index, Some(&lists), &off, "test", &Progress::default()).expect("simulates");
    let after = audit(&sim.after, &sim.after_lists, &AuditConfig::default());
    (index, before, sim.after, after)
}

#[test]
fn the_sample_shop_tells_the_age_rule_story() {
    let (_, before, _, after) = sample_with_and_without_the_age_rule();
    let premium = |a: &Audit| {
        a.fairness
            .iter()
            .find(|g| g.grouping == Grouping::AgeBand)
            .and_then(|g| g.metrics.iter().find(|m| m.metric == "premium"))
            .map(|m| (m.parity_ratio.expect("measurable"), m.status, m.clone()))
            .expect("age band premium metric")
    };
    let (ratio, status, metric) = premium(&before);
    assert!(ratio < 0.8, "premium parity {ratio}");
    assert_eq!(status, Status::Flagged);
    let bands = ["under 30", "30–39", "40–49", "50–64", "65 and over"];
    let compared = [
        metric.lowest_group.as_deref(),
        metric.highest_group.as_deref(),
    ];
    assert!(
        compared
            .iter()
            .all(|g| g.is_some_and(|g| bands.contains(&g))),
        "the flag compares age bands, not customers whose birth date is not held: {compared:?}"
    );
    let (_, status, metric) = premium(&after);
    assert_ne!(
        status,
        Status::Flagged,
        "without the rule the gaps could be chance"
    );
    assert!(
        metric.p_adjusted.is_some_and(|p| p > 0.05),
        "{:?}",
        metric.p_adjusted
    );
}

#[test]
fn the_scorecard_matches_the_audit_and_improves_when_the_age_rule_goes() {
    use candor::engine::scorecard::{Records, Standing, scorecard};
    let (index, before, after_index, after) = sample_with_and_without_the_age_rule();
    let records = Records {
        log_intact: true,
        ..Records::default()
    };
    let card = |cards: &[candor::engine::scorecard::Card], key: &str| {
        cards
            .iter()
            .find(|c| c.principle == key)
            .cloned()
            .expect("card present")
    };
    let cards = scorecard(&index, &before, &records);
    assert_eq!(cards.len(), 7);
    let fairness = card(&cards, "fairness");
    assert_eq!(fairness.standing, Standing::AtRisk);
    assert!(
        fairness.facts[0].text.contains("parity 0.37"),
        "{:?}",
        fairness.facts
    );
    let minimization = card(&cards, "minimization");
    let unused = before
        .minimization
        .unused_fields
        .iter()
        .filter(|u| u.kept_for.is_none())
        .count();
    assert_eq!(minimization.facts[0].value, unused as f64);
    assert!(minimization.facts[0].text.contains("phone, gender"));

    let fairness = card(&scorecard(&after_index, &after, &records), "fairness");
    assert_eq!(
        fairness.standing,
        Standing::NeedsAttention,
        "only the birthday rule's use of birth date is left: {:?}",
        fairness.facts
    );
    assert!(
        fairness
            .facts
            .iter()
            .any(|f| f.text.starts_with("0 parity ratios below 0.8"))
    );
}

#[test]
fn a_share_that_cannot_be_measured_is_said_so_on_the_scorecard_never_shown_as_zero() {
    use candor::engine::scorecard::{Records, scorecard};
    let mut shop = crafted_shop();
    for p in Arc::make_mut(&mut shop.products) {
        p.stock = 0;
    }
    let (index, _, audit) = audited(shop);
    assert_eq!(
        audit.diversity.catalogue_coverage, None,
        "nothing can be sold"
    );
    let cards = scorecard(&index, &audit, &Records::default());
    let manipulation = cards
        .iter()
        .find(|c| c.principle == "manipulation")
        .expect("card");
    let range = manipulation
        .facts
        .iter()
        .find(|f| f.text.contains("of the range"))
        .expect("the coverage fact");
    assert!(range.text.contains("not measured"), "{}", range.text);
    assert!(range.value.is_nan(), "no number stands for it");
    let json = serde_json::to_value(manipulation).expect("json");
    assert!(json["facts"][1]["value"].is_null(), "{json}");
}

/// What an outside tool computes from each customer's explained list and their birth
/// date: per age band, the mean list price, the premium and promotion rates and each
/// category's position-weighted exposure.
struct Recount {
    bands: Vec<String>,
    price: Vec<Vec<f64>>,
    premium: Vec<(usize, usize)>,
    promotion: Vec<(usize, usize)>,
    exposure: std::collections::BTreeMap<String, Vec<f64>>,
    members: Vec<usize>,
}

fn recount_by_age_band(index: &ShopIndex, config: &AuditConfig) -> Recount {
    use candor::engine::audit::facts::is_promotion;
    use candor::engine::audit::groups::age_band;
    let shop = index.shop();
    let day = index.today();
    let mut bands: Vec<String> = Vec::new();
    let band_of = |c: &Customer| {
        c.birth_date
            .map(|b| age_band(candor::engine::features::age_on(b, day), &config.age_bands))
    };
    for c in shop.customers.iter() {
        if let Some(b) = band_of(c)
            && !bands.contains(&b)
        {
            bands.push(b);
        }
    }
    let mut r = Recount {
        price: vec![Vec::new(); bands.len()],
        premium: vec![(0, 0); bands.len()],
        promotion: vec![(0, 0); bands.len()],
        exposure: index
            .categories()
            .iter()
            .map(|k| (k.clone(), vec![0.0; bands.len()]))
            .collect(),
        members: vec![0; bands.len()],
        bands,
    };
    let promotions: Vec<&str> = shop
        .rules
        .iter()
        .filter(|x| is_promotion(x))
        .map(|x| x.id.as_str())
        .collect();
    for c in shop.customers.iter() {
        let Some(g) = band_of(c).and_then(|b| r.bands.iter().position(|x| *x == b)) else {
            continue;
        };
        let e = explain_customer(index, c.id, shop.settings.top_n).expect("customer");
        let recs = &e.recommendations;
        r.members[g] += 1;
        let prices: Vec<f64> = recs
            .iter()
            .filter_map(|x| x.price_cents)
            .map(|p| p as f64 / 100.0)
            .collect();
        if !prices.is_empty() {
            r.price[g].push(prices.iter().sum::<f64>() / prices.len() as f64);
        }
        let bands: Vec<Option<PriceBand>> = recs
            .iter()
            .map(|x| {
                index
                    .product_pos(x.product)
                    .and_then(|p| index.price_band(p))
            })
            .collect();
        // Not known (left out) when none is premium but one has no known price.
        let premium = bands.contains(&Some(PriceBand::Premium));
        let known = premium || bands.iter().all(Option::is_some);
        let promoted = recs
            .iter()
            .flat_map(|x| &x.contributions)
            .any(|k| promotions.contains(&k.id.as_str()) && k.value > 0.0);
        if known {
            r.premium[g] = (r.premium[g].0 + usize::from(premium), r.premium[g].1 + 1);
        }
        r.promotion[g] = (
            r.promotion[g].0 + usize::from(promoted),
            r.promotion[g].1 + 1,
        );
        for x in recs {
            let w = 1.0 / (1.0 + x.rank as f64).log2();
            if let Some(v) = r.exposure.get_mut(&x.category) {
                v[g] += w;
            }
        }
    }
    r
}

#[test]
fn every_age_band_figure_of_the_sample_recomputes_from_the_explanations() {
    let shop = candor::shopgen::sample::sample_shop().expect("sample reads");
    let index = ShopIndex::new(Arc::new(shop), today());
    let lists = all_lists(&index, 5, &Progress::default()).expect("lists");
    let config = AuditConfig::default();
    let a = audit(&index, &lists, &config);
    let r = recount_by_age_band(&index, &config);
    let report = a
        .fairness
        .iter()
        .find(|g| g.key == "age_band")
        .expect("age bands");
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    for m in &report.metrics {
        let mut compared: Vec<f64> = Vec::new();
        for (g, band) in r.bands.iter().enumerate() {
            let expected = match m.metric.as_str() {
                "mean_price" => mean(&r.price[g]),
                "premium" => r.premium[g].0 as f64 / r.premium[g].1 as f64,
                "promotion" => r.promotion[g].0 as f64 / r.promotion[g].1 as f64,
                other => {
                    let k = other.strip_prefix("exposure:").expect("an exposure metric");
                    r.exposure[k][g] / r.members[g] as f64
                }
            };
            let got = m
                .groups
                .iter()
                .find(|v| v.group == *band)
                .and_then(|v| v.value);
            let got = got.expect("measured");
            assert!(
                (got - expected).abs() < 1e-9,
                "{} {band}: {got} against {expected}",
                m.metric
            );
            if r.members[g] >= config.min_group_size {
                compared.push(expected);
            }
        }
        let (lo, hi) = compared
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        if hi > 0.0 && compared.len() >= 2 {
            let ratio = m.parity_ratio.expect("measurable");
            assert!(
                (ratio - lo / hi).abs() < 1e-9,
                "{}: {ratio} against {}",
                m.metric,
                lo / hi
            );
        }
    }
}

#[test]
fn a_list_whose_prices_are_not_known_is_left_out_of_the_premium_share_never_counted_as_no() {
    let mut shop = crafted_shop();
    let (_, _, before) = audited(shop.clone());
    let counted_before: usize = metric(&before, "premium")
        .groups
        .iter()
        .map(|g| g.customers)
        .sum();
    assert!(counted_before > 0);
    // No price is known any more: no list can be said to show, or not show, a premium product.
    for p in Arc::make_mut(&mut shop.products) {
        p.price_cents = None;
    }
    let (_, _, after) = audited(shop);
    let premium = metric(&after, "premium");
    assert!(
        premium
            .groups
            .iter()
            .all(|g| g.customers == 0 && g.value.is_none()),
        "{:?}",
        premium.groups
    );
    assert_eq!(premium.parity_ratio, None, "not measurable, never 0");
}

#[test]
fn the_scorecard_counts_in_words_one_thing_is_not_plural() {
    use candor::engine::scorecard::{Records, scorecard};
    let (index, before, _, _) = sample_with_and_without_the_age_rule();
    let records = Records {
        log_entries: 1,
        log_without_reason: 0,
        log_intact: true,
        owner_passphrase_set: false,
        owner_removed: false,
        file_protected: false,
    };
    let texts: Vec<String> = scorecard(&index, &before, &records)
        .into_iter()
        .flat_map(|c| c.facts.into_iter().map(|f| f.text))
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t == "1 change or data request recorded in the audit log"),
        "{texts:?}"
    );
    let plural_after_one = |t: &str| {
        t.split(|c: char| !c.is_alphanumeric() && c != ' ')
            .any(|part| {
                let words: Vec<&str> = part.split_whitespace().collect();
                words.windows(2).enumerate().any(|(i, w)| {
                    let one = w[0] == "1" && (i == 0 || words[i - 1] != "of");
                    one && w[1].ends_with('s') && !w[1].ends_with("ss")
                })
            })
    };
    for t in &texts {
        assert!(!plural_after_one(t), "a plural after 1: {t}");
    }
}

#[test]
fn every_fairness_figure_says_what_it_measures() {
    use candor::engine::audit::fairness::meaning;
    let (_, before, _, _) = sample_with_and_without_the_age_rule();
    for report in &before.fairness {
        for m in &report.metrics {
            let text = meaning(&m.metric).unwrap_or_else(|| panic!("{} has no meaning", m.metric));
            assert!(text.ends_with('.'), "a sentence: {text}");
        }
    }
    for key in ["parity_ratio", "customers", "interval"] {
        assert!(meaning(key).is_some(), "{key}");
    }
}
