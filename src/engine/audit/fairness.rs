//! Fairness across customer groups: per group, the mean recommended price, the share of
//! customers shown a premium product, the share reached by a promotion, and each
//! category's position-weighted exposure; then the demographic-parity ratio across groups
//! and each group's disparity against a reference group, with bootstrap intervals.

use serde::Serialize;

use super::super::index::ShopIndex;
use super::super::rules::PriceBand;
use super::super::simulate::Lists;
use super::AuditConfig;
use super::diversity::{DiversityFigures, figures};
use super::facts::{Facts, position_weight};
use super::groups::{Assignment, Grouping, assign};
use super::stats::{mean, rng_for};
use super::verdict::{
    MeanSummary, RateCount, Test, equal_means, equal_rates, jeffreys, mean_interval,
    mean_ratio_interval, rate_ratio_interval,
};

/// The four-fifths rule of thumb: a parity ratio below this is flagged.
pub const PARITY_THRESHOLD: f64 = 0.8;
/// A rate is only flagged when the best-off group has at least this many customers with
/// the outcome: ratios of a handful of cases say nothing.
pub const MIN_OUTCOMES: usize = 5;
/// Aequitas' fair band for a disparity against the reference group: [0.8, 1.25].
pub const DISPARITY_BAND: [f64; 2] = [0.8, 1.25];

/// Whether a figure is within the rule of thumb.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Within the band.
    Fair,
    /// Outside the band, but the interval reaches back into it: could be chance.
    Uncertain,
    /// Outside the band, and unlikely to be chance (the corrected p-value under the level).
    Flagged,
    /// Fewer than two groups large enough, or nobody at all gets the outcome.
    NotMeasurable,
}

/// What a fairness figure measures, in a sentence a shop owner reads (the window shows it
/// on hover), by metric key; `None` for a key it does not know.
pub fn meaning(metric: &str) -> Option<&'static str> {
    Some(match metric {
        "mean_price" => {
            "The average price of the products each group is shown (customers with no suggestions are left out). A low figure for one group means it is steered to cheaper products."
        }
        "premium" => {
            "The share of each group's customers shown at least one premium product: one in the top quarter of the shop's own prices."
        }
        "promotion" => {
            "The share of each group's customers reached by a discount or promotion rule (one whose reason or purpose speaks of an offer, a discount, a sale, a voucher, …)."
        }
        "parity_ratio" => {
            "The lowest group's figure divided by the highest group's, among groups whose data is held and that are large enough to compare. 1 means equal; below 0.8 (four fifths, a rule of thumb, not a legal test) is a warning sign, flagged only when it is unlikely to be chance."
        }
        "customers" => {
            "How many customers are in the group. Groups too small to compare, and customers whose data is not held, are shown but never compared."
        }
        "interval" => {
            "The range in brackets is where the group's true figure very probably lies (95 %): the fewer customers, the wider it is."
        }
        m if m.starts_with("exposure:") => {
            "How prominently the category appears in each group's suggestions: each product counts more the higher it is placed."
        }
        _ => return None,
    })
}

impl Status {
    /// The status in words.
    pub fn text(self) -> &'static str {
        match self {
            Self::Fair => "within the rule of thumb",
            Self::Uncertain => "below the rule of thumb, but could be chance",
            Self::Flagged => "below the rule of thumb, and unlikely to be chance",
            Self::NotMeasurable => "not measurable",
        }
    }
}

/// Whether a metric is a share of customers or a mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// A selection rate: the share of a group's customers for whom something happens.
    Rate,
    /// A mean over the group's customers.
    Mean,
}

/// One group in one grouping.
#[derive(Clone, Debug, Serialize)]
pub struct GroupInfo {
    /// Group name, e.g. "40–49".
    pub name: String,
    /// Customers in the group.
    pub customers: usize,
    /// Compared in the parity ratio and its test: large enough (at least the minimum group
    /// size) and not the group of customers whose data is not held, which is shown but
    /// compared with no one (missing data is not a group of people).
    pub eligible: bool,
    /// The group of customers whose data for this grouping is not held.
    pub not_held: bool,
}

impl GroupInfo {
    /// Why the group is left out of the comparison, in words; `None` when it is compared.
    pub fn why_not_compared(&self) -> Option<&'static str> {
        if self.eligible {
            None
        } else if self.not_held {
            Some("not compared: the data is not held")
        } else {
            Some("too few to flag")
        }
    }
}

/// One metric for one group.
#[derive(Clone, Debug, Serialize)]
pub struct GroupValue {
    /// Group name.
    pub group: String,
    /// Customers the value is computed over.
    pub customers: usize,
    /// The rate or mean; `None` when no customer counts.
    pub value: Option<f64>,
    /// Its 95% bootstrap interval.
    pub interval: Option<[f64; 2]>,
    /// value / the reference group's value.
    pub disparity: Option<f64>,
    /// Its 95% bootstrap interval.
    pub disparity_interval: Option<[f64; 2]>,
    /// The disparity against the fair band [0.8, 1.25] (only eligible groups are flagged).
    pub disparity_status: Status,
}

/// One metric across the groups of a grouping.
#[derive(Clone, Debug, Serialize)]
pub struct MetricReport {
    /// Stable key: `mean_price`, `premium`, `promotion` or `exposure:<category>`.
    pub metric: String,
    /// What it measures, in words.
    pub label: String,
    /// Rate or mean.
    pub kind: MetricKind,
    /// One value per group, in the grouping's order.
    pub groups: Vec<GroupValue>,
    /// Lowest / highest value among eligible groups.
    pub parity_ratio: Option<f64>,
    /// Its 95% bootstrap interval.
    pub parity_ratio_interval: Option<[f64; 2]>,
    /// Highest − lowest value among eligible groups.
    pub parity_difference: Option<f64>,
    /// The eligible group with the lowest value.
    pub lowest_group: Option<String>,
    /// The eligible group with the highest value.
    pub highest_group: Option<String>,
    /// The verdict: below 0.8 and unlikely to be chance across the whole grouping (the
    /// corrected p-value under the audit's level), below 0.8 but could be chance, or fair.
    pub status: Status,
    /// The omnibus test of equal rates or means across the eligible groups.
    pub test: Option<super::verdict::Test>,
    /// Its p-value: how often groups this different would arise by chance if they were
    /// all alike.
    pub p_value: Option<f64>,
    /// The p-value corrected together with every other metric of the audit (see
    /// [`AuditConfig::correction`]).
    pub p_adjusted: Option<f64>,
    /// Whether a flag may rest on it: a p-value, and (for a rate) enough customers with
    /// the outcome in the best-off group.
    #[serde(skip)]
    pub testable: bool,
}

/// The fairness report of one grouping.
#[derive(Clone, Debug, Serialize)]
pub struct GroupingReport {
    /// Stable key: the grouping's, or both joined by `+` for a pair ("age_band+gender").
    pub key: String,
    /// Which grouping (the first of a pair).
    pub grouping: Grouping,
    /// The second grouping of an intersectional pair.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with: Option<Grouping>,
    /// Its name.
    pub label: String,
    /// The personal-data field it is computed from.
    pub field: String,
    /// The groups.
    pub groups: Vec<GroupInfo>,
    /// The reference group for disparities: the largest eligible group.
    pub reference_group: String,
    /// Every metric.
    pub metrics: Vec<MetricReport>,
    /// Diversity figures per group, in the grouping's order.
    pub diversity: Vec<DiversityFigures>,
    /// The customers (positions) of each group, in the grouping's order.
    #[serde(skip)]
    pub members: Vec<Vec<usize>>,
}

impl GroupingReport {
    /// The category whose exposure is least even across the groups, with its ratio.
    pub fn least_even_category(&self) -> Option<(&MetricReport, f64)> {
        self.metrics
            .iter()
            .filter(|m| m.metric.starts_with("exposure:"))
            .filter_map(|m| Some((m, m.parity_ratio?)))
            .min_by(|x, y| x.1.total_cmp(&y.1))
    }
}

/// One group of products and the exposure it gets.
#[derive(Clone, Debug, Serialize)]
pub struct ProductGroupExposure {
    /// Group name, e.g. "premium" or "bread".
    pub group: String,
    /// Products in the group that can be sold.
    pub products: usize,
    /// Sum of position-weighted exposure over all customers.
    pub total_exposure: f64,
    /// Exposure per product.
    pub exposure_per_product: f64,
    /// Exposure per product / the best-exposed group's.
    pub ratio_to_highest: Option<f64>,
}

/// Exposure between groups of products, for one way of grouping them.
#[derive(Clone, Debug, Serialize)]
pub struct ProductExposure {
    /// How products are grouped: "price_band" or "category".
    pub by: String,
    /// The groups.
    pub groups: Vec<ProductGroupExposure>,
}

/// What one metric reads from the facts.
enum Measure {
    /// Whether it happened for a customer; `None` when that is not known (left out).
    Rate(fn(&Facts, usize) -> Option<bool>),
    MeanPrice,
    Exposure(usize),
}

/// The fairness report of every configured grouping the shop has data for.
pub fn groupings(
    index: &ShopIndex,
    lists: &Lists,
    facts: &Facts,
    config: &AuditConfig,
) -> Vec<GroupingReport> {
    let asked: Vec<(Grouping, Option<Grouping>)> = config
        .groupings
        .iter()
        .map(|&g| (g, None))
        .chain(config.intersections.iter().map(|&[a, b]| (a, Some(b))))
        .collect();
    // The groupings share the cores: they read the same facts and write nothing shared.
    let mut reports: Vec<GroupingReport> = crate::engine::parallel::each(asked.len(), |i| {
        let (g, with) = asked[i];
        let assignment = match with {
            None => assign(index, g, config),
            Some(b) => super::groups::assign_pair(index, [g, b], config),
        }?;
        Some(grouping_report(
            index,
            lists,
            facts,
            config,
            (g, with),
            &assignment,
        ))
    })
    .into_iter()
    .flatten()
    .collect();
    correct(&mut reports, config);
    reports
}

/// What the fairness audit measures for every grouping: key, label and how.
fn measures(index: &ShopIndex) -> Vec<(String, String, Measure)> {
    let mut measures: Vec<(String, String, Measure)> = vec![
        (
            "mean_price".to_owned(),
            format!(
                "Mean price of recommended products ({})",
                index.shop().settings.currency.symbol()
            ),
            Measure::MeanPrice,
        ),
        (
            "premium".to_owned(),
            "Shown at least one premium product (top price quarter)".to_owned(),
            Measure::Rate(|f, c| f.premium[c]),
        ),
        (
            "promotion".to_owned(),
            "Reached by a discount or promotion rule".to_owned(),
            Measure::Rate(|f, c| Some(f.promotion[c])),
        ),
    ];
    for (k, category) in index.categories().iter().enumerate() {
        measures.push((
            format!("exposure:{category}"),
            format!("Exposure to {category} (position-weighted)"),
            Measure::Exposure(k),
        ));
    }
    measures
}

fn grouping_report(
    index: &ShopIndex,
    lists: &Lists,
    facts: &Facts,
    config: &AuditConfig,
    (grouping, with): (Grouping, Option<Grouping>),
    assignment: &Assignment,
) -> GroupingReport {
    let key = with.map_or_else(
        || grouping.key().to_owned(),
        |b| format!("{}+{}", grouping.key(), b.key()),
    );
    let label = with.map_or_else(
        || grouping.label().to_owned(),
        |b| format!("{} × {}", grouping.label(), b.label().to_lowercase()),
    );
    let sizes = assignment.sizes();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); sizes.len()];
    for (c, &g) in assignment.of_customer.iter().enumerate() {
        members[g].push(c);
    }
    let groups: Vec<GroupInfo> = assignment
        .names
        .iter()
        .zip(&sizes)
        .enumerate()
        .map(|(g, (name, &customers))| GroupInfo {
            name: name.clone(),
            customers,
            eligible: customers >= config.min_group_size && assignment.not_held != Some(g),
            not_held: assignment.not_held == Some(g),
        })
        .collect();
    // The largest eligible group, else the largest whose data is held: never the
    // not-held group, which is compared with no one.
    let largest = |pick: &dyn Fn(usize) -> bool| {
        (0..groups.len())
            .filter(|&g| pick(g))
            .max_by_key(|&g| (groups[g].customers, std::cmp::Reverse(g)))
    };
    let reference = largest(&|g| groups[g].eligible)
        .or_else(|| largest(&|g| !groups[g].not_held))
        .unwrap_or(0);
    let measures = measures(index);
    let metrics = measures
        .into_iter()
        .map(|(metric, label, measure)| {
            let seed_key = format!("{key}:{metric}");
            metric_report(
                facts, config, &groups, &members, reference, metric, label, &measure, &seed_key,
            )
        })
        .collect();
    GroupingReport {
        key,
        grouping,
        with,
        label,
        field: grouping.field().key().to_owned(),
        reference_group: groups
            .get(reference)
            .map(|g| g.name.clone())
            .unwrap_or_default(),
        diversity: members
            .iter()
            .map(|m| figures(index, lists, facts, m))
            .collect(),
        groups,
        metrics,
        members,
    }
}

/// What one group gives for one metric: its value, the customers counted, its test
/// summary and its interval.
struct GroupFigure {
    value: Option<f64>,
    counted: usize,
    rate: RateCount,
    mean: MeanSummary,
    interval: Option<[f64; 2]>,
}

/// One group's figure for `measure`.
fn group_figure(facts: &Facts, members: &[usize], measure: &Measure) -> GroupFigure {
    let values: Vec<f64> = match measure {
        Measure::Rate(happens) => {
            let known: Vec<bool> = members.iter().filter_map(|&c| happens(facts, c)).collect();
            let hits = known.iter().filter(|&&h| h).count();
            let n = known.len();
            return GroupFigure {
                value: (n > 0).then(|| hits as f64 / n as f64),
                counted: n,
                rate: (hits, n),
                mean: (n, 0.0, 0.0),
                interval: jeffreys(hits, n),
            };
        }
        Measure::MeanPrice => members
            .iter()
            .filter_map(|&c| facts.mean_price[c])
            .collect(),
        Measure::Exposure(k) => members
            .iter()
            .map(|&c| facts.exposure[c * facts.categories + k])
            .collect(),
    };
    let m = mean(&values);
    let n = values.len();
    let variance = m.filter(|_| n >= 2).map_or(0.0, |m| {
        values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1) as f64
    });
    let summary = (n, m.unwrap_or(0.0), variance);
    GroupFigure {
        value: m,
        counted: n,
        rate: (0, n),
        mean: summary,
        // Prices and exposures are never negative, so neither is their interval.
        interval: mean_interval(summary, 0.0),
    }
}

/// The eligible groups with the lowest and the highest value (the first of equals), when
/// there are at least two to compare.
fn lowest_and_highest(
    eligible: &[usize],
    values: &[Option<f64>],
) -> (Option<usize>, Option<usize>) {
    let extreme = |pick_max: bool| {
        eligible.iter().copied().reduce(|a, b| {
            let (va, vb) = (values[a].unwrap_or(0.0), values[b].unwrap_or(0.0));
            if (vb > va) == pick_max && vb != va {
                b
            } else {
                a
            }
        })
    };
    match (extreme(false), extreme(true)) {
        (Some(l), Some(h)) if eligible.len() >= 2 => (Some(l), Some(h)),
        _ => (None, None),
    }
}

/// The omnibus test that the eligible groups' rates (or means) are equal, and its p-value
/// where it can be computed.
fn equality_test(
    figures: &[GroupFigure],
    eligible: &[usize],
    is_rate: bool,
    rng: &mut rand_chacha::ChaCha8Rng,
) -> (Test, Option<f64>) {
    if is_rate {
        let counts: Vec<RateCount> = eligible.iter().map(|&g| figures[g].rate).collect();
        equal_rates(&counts, rng).map_or((Test::ChiSquare, None), |(t, p)| (t, Some(p)))
    } else {
        let summaries: Vec<MeanSummary> = eligible.iter().map(|&g| figures[g].mean).collect();
        equal_means(&summaries).map_or((Test::WelchAnova, None), |(t, p)| (t, Some(p)))
    }
}

#[allow(clippy::too_many_arguments)]
fn metric_report(
    facts: &Facts,
    config: &AuditConfig,
    groups: &[GroupInfo],
    members: &[Vec<usize>],
    reference: usize,
    metric: String,
    label: String,
    measure: &Measure,
    seed_key: &str,
) -> MetricReport {
    let mut rng = rng_for(config.seed, seed_key);
    let figures: Vec<GroupFigure> = members
        .iter()
        .map(|m| group_figure(facts, m, measure))
        .collect();
    let values: Vec<Option<f64>> = figures.iter().map(|f| f.value).collect();
    let eligible: Vec<usize> = (0..groups.len())
        .filter(|&g| groups[g].eligible && values[g].is_some())
        .collect();
    let (low, high) = lowest_and_highest(&eligible, &values);
    let parity_ratio = low.zip(high).and_then(|(l, h)| {
        let (lo, hi) = (values[l].unwrap_or(0.0), values[h].unwrap_or(0.0));
        (hi > 0.0).then(|| lo / hi)
    });
    let is_rate = matches!(measure, Measure::Rate(_));
    let (test, p_value) = equality_test(&figures, &eligible, is_rate, &mut rng);
    let parity_ratio_interval = low.zip(high).and_then(|(l, h)| {
        if is_rate {
            rate_ratio_interval(figures[l].rate, figures[h].rate)
        } else {
            mean_ratio_interval(figures[l].mean, figures[h].mean)
        }
    });
    let enough_outcomes = !is_rate || high.is_some_and(|h| figures[h].rate.0 >= MIN_OUTCOMES);
    let status = match parity_ratio {
        None => Status::NotMeasurable,
        Some(r) if r >= PARITY_THRESHOLD => Status::Fair,
        // Flagged or not once every p-value of the audit is corrected (see `correct`).
        Some(_) => Status::Uncertain,
    };
    MetricReport {
        metric,
        label,
        kind: if is_rate {
            MetricKind::Rate
        } else {
            MetricKind::Mean
        },
        groups: group_values(groups, &figures, reference, is_rate),
        parity_ratio,
        parity_ratio_interval,
        parity_difference: low
            .zip(high)
            .map(|(l, h)| values[h].unwrap_or(0.0) - values[l].unwrap_or(0.0)),
        lowest_group: low.map(|g| groups[g].name.clone()),
        highest_group: high.map(|g| groups[g].name.clone()),
        status,
        test: p_value.map(|_| test),
        p_value,
        p_adjusted: None,
        testable: p_value.is_some() && enough_outcomes,
    }
}

/// Each group's value, interval and disparity against the reference group.
fn group_values(
    groups: &[GroupInfo],
    figures: &[GroupFigure],
    reference: usize,
    is_rate: bool,
) -> Vec<GroupValue> {
    let reference_value = figures.get(reference).and_then(|f| f.value);
    (0..groups.len())
        .map(|g| {
            let disparity = match (figures[g].value, reference_value) {
                _ if groups[g].not_held => None,
                (Some(v), Some(r)) if r > 0.0 => Some(v / r),
                _ => None,
            };
            // The same intervals as the parity ratio's: Katz's for rates, the delta method
            // for means, so a disparity is always inside its own interval.
            let disparity_interval = disparity.and(figures.get(reference)).and_then(|r| {
                if is_rate {
                    rate_ratio_interval(figures[g].rate, r.rate)
                } else {
                    mean_ratio_interval(figures[g].mean, r.mean)
                }
            });
            let [lo_band, hi_band] = DISPARITY_BAND;
            let disparity_status = match (disparity, disparity_interval) {
                (None, _) => Status::NotMeasurable,
                (Some(d), _) if (lo_band..=hi_band).contains(&d) => Status::Fair,
                (Some(_), Some([lo, hi]))
                    if groups[g].eligible && (hi < lo_band || lo > hi_band) =>
                {
                    Status::Flagged
                }
                (Some(_), _) => Status::Uncertain,
            };
            GroupValue {
                group: groups[g].name.clone(),
                customers: figures[g].counted,
                value: figures[g].value,
                interval: figures[g].interval,
                disparity,
                disparity_interval,
                disparity_status,
            }
        })
        .collect()
}

/// Corrects the p-values of every metric of the audit together and decides the flags: a
/// metric is flagged when its parity ratio is below the rule of thumb, a flag may rest on
/// it, and its corrected p-value is under the audit's level.
pub fn correct(reports: &mut [GroupingReport], config: &AuditConfig) {
    let tested: Vec<(usize, usize)> = reports
        .iter()
        .enumerate()
        .flat_map(|(r, report)| {
            report
                .metrics
                .iter()
                .enumerate()
                .filter(|(_, m)| m.p_value.is_some())
                .map(move |(i, _)| (r, i))
        })
        .collect();
    let p: Vec<f64> = tested
        .iter()
        .filter_map(|&(r, i)| reports[r].metrics[i].p_value)
        .collect();
    for (&(r, i), adjusted) in tested.iter().zip(config.correction.adjust(&p)) {
        let m = &mut reports[r].metrics[i];
        m.p_adjusted = Some(adjusted);
        if m.status == Status::Uncertain && m.testable && adjusted < config.alpha {
            m.status = Status::Flagged;
        }
    }
}

/// Exposure between groups of products: by price band and by category.
pub fn product_exposure(index: &ShopIndex, lists: &Lists) -> Vec<ProductExposure> {
    let products = &index.shop().products;
    let mut exposure = vec![0.0f64; products.len()];
    for list in lists {
        for (j, &p) in list.iter().enumerate() {
            exposure[p as usize] += position_weight(j + 1);
        }
    }
    // A product whose group is not known (its price, for price bands) is in none.
    let by = |name: &str, groups: Vec<String>, group_of: &dyn Fn(usize) -> Option<usize>| {
        let mut totals = vec![(0usize, 0.0f64); groups.len()];
        for p in (0..products.len()).filter(|&p| products[p].recommendable()) {
            let Some(g) = group_of(p) else { continue };
            let t = &mut totals[g];
            t.0 += 1;
            t.1 += exposure[p];
        }
        let per = |t: &(usize, f64)| if t.0 == 0 { 0.0 } else { t.1 / t.0 as f64 };
        let best = totals.iter().map(per).fold(0.0, f64::max);
        ProductExposure {
            by: name.to_owned(),
            groups: groups
                .into_iter()
                .zip(&totals)
                .filter(|(_, t)| t.0 > 0)
                .map(|(group, t)| ProductGroupExposure {
                    group,
                    products: t.0,
                    total_exposure: t.1,
                    exposure_per_product: per(t),
                    ratio_to_highest: (best > 0.0).then(|| per(t) / best),
                })
                .collect(),
        }
    };
    let bands = [PriceBand::Budget, PriceBand::Standard, PriceBand::Premium];
    vec![
        by(
            "price_band",
            bands.iter().map(|b| b.label().to_owned()).collect(),
            &|p| {
                let band = index.price_band(p)?;
                bands.iter().position(|b| *b == band)
            },
        ),
        by("category", index.categories().to_vec(), &|p| {
            Some(index.category_of(p))
        }),
    ]
}
