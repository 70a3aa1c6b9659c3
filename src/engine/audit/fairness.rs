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
use super::stats::{interval, mean, mean_replicates, rate_replicates, rng_for};

/// The four-fifths rule of thumb: a parity ratio below this is flagged.
pub const PARITY_THRESHOLD: f64 = 0.8;
/// A rate is only flagged when the best-off group has at least this many customers with
/// the outcome: ratios of a handful of cases say nothing.
pub const MIN_OUTCOMES: usize = 5;
/// Aequitas' fair band for a disparity against the reference group: [0.8, 1.25].
pub const DISPARITY_BAND: [f64; 2] = [0.8, 1.25];

/// Whether a figure is within the rule of thumb.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Within the band.
    Fair,
    /// Outside the band, but the interval reaches back into it: could be chance.
    Uncertain,
    /// Outside the band, and so is the whole 95% interval.
    Flagged,
    /// Fewer than two groups large enough, or nobody at all gets the outcome.
    NotMeasurable,
}

impl Status {
    /// The status in words.
    pub fn text(self) -> &'static str {
        match self {
            Self::Fair => "within the rule of thumb",
            Self::Uncertain => "below the rule of thumb, but could be chance",
            Self::Flagged => "below the rule of thumb",
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
    /// Large enough to be flagged (at least the minimum group size).
    pub eligible: bool,
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
    /// The parity ratio against 0.8.
    pub status: Status,
}

/// The fairness report of one grouping.
#[derive(Clone, Debug, Serialize)]
pub struct GroupingReport {
    /// Which grouping.
    pub grouping: Grouping,
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
    Rate(fn(&Facts, usize) -> bool),
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
    config
        .groupings
        .iter()
        .filter_map(|&g| Some((g, assign(index, g, config)?)))
        .map(|(g, a)| grouping_report(index, lists, facts, config, g, &a))
        .collect()
}

fn grouping_report(
    index: &ShopIndex,
    lists: &Lists,
    facts: &Facts,
    config: &AuditConfig,
    grouping: Grouping,
    assignment: &Assignment,
) -> GroupingReport {
    let sizes = assignment.sizes();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); sizes.len()];
    for (c, &g) in assignment.of_customer.iter().enumerate() {
        members[g].push(c);
    }
    let groups: Vec<GroupInfo> = assignment
        .names
        .iter()
        .zip(&sizes)
        .map(|(name, &customers)| GroupInfo {
            name: name.clone(),
            customers,
            eligible: customers >= config.min_group_size,
        })
        .collect();
    let reference = (0..groups.len())
        .filter(|&g| groups[g].eligible)
        .max_by_key(|&g| (groups[g].customers, std::cmp::Reverse(g)))
        .or_else(|| (0..groups.len()).max_by_key(|&g| (groups[g].customers, std::cmp::Reverse(g))))
        .unwrap_or(0);
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
            Measure::Rate(|f, c| f.promotion[c]),
        ),
    ];
    for (k, category) in index.categories().iter().enumerate() {
        measures.push((
            format!("exposure:{category}"),
            format!("Exposure to {category} (position-weighted)"),
            Measure::Exposure(k),
        ));
    }
    let metrics = measures
        .into_iter()
        .map(|(key, label, measure)| {
            let seed_key = format!("{}:{key}", grouping.key());
            metric_report(
                facts, config, &groups, &members, reference, key, label, &measure, &seed_key,
            )
        })
        .collect();
    GroupingReport {
        grouping,
        label: grouping.label().to_owned(),
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
    let samples = config.bootstrap_samples;
    let mut values: Vec<Option<f64>> = Vec::new();
    let mut counted: Vec<usize> = Vec::new();
    let mut replicates: Vec<Vec<f64>> = Vec::new();
    let mut outcomes: Vec<usize> = Vec::new();
    for m in members {
        let (value, n, reps) = match measure {
            Measure::Rate(happens) => {
                let hits = m.iter().filter(|&&c| happens(facts, c)).count();
                outcomes.push(hits);
                let n = m.len();
                let value = (n > 0).then(|| hits as f64 / n as f64);
                (value, n, rate_replicates(&mut rng, hits, n, samples))
            }
            Measure::MeanPrice => {
                let v: Vec<f64> = m.iter().filter_map(|&c| facts.mean_price[c]).collect();
                (mean(&v), v.len(), mean_replicates(&mut rng, &v, samples))
            }
            Measure::Exposure(k) => {
                let v: Vec<f64> = m
                    .iter()
                    .map(|&c| facts.exposure[c * facts.categories + k])
                    .collect();
                (mean(&v), v.len(), mean_replicates(&mut rng, &v, samples))
            }
        };
        values.push(value);
        counted.push(n);
        replicates.push(reps);
    }
    let eligible: Vec<usize> = (0..groups.len())
        .filter(|&g| groups[g].eligible && values[g].is_some())
        .collect();
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
    let (low, high) = (extreme(false), extreme(true));
    let ratio_of = |lo: f64, hi: f64| (hi > 0.0).then(|| lo / hi);
    let parity_ratio = match (low, high) {
        (Some(l), Some(h)) if eligible.len() >= 2 => {
            ratio_of(values[l].unwrap_or(0.0), values[h].unwrap_or(0.0))
        }
        _ => None,
    };
    let ratio_replicates: Vec<f64> = if eligible.len() >= 2 {
        (0..samples)
            .filter_map(|r| {
                let reps = eligible
                    .iter()
                    .filter_map(|&g| replicates[g].get(r).copied());
                let (lo, hi) = reps.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                });
                ratio_of(lo, hi)
            })
            .collect()
    } else {
        Vec::new()
    };
    let parity_ratio_interval = parity_ratio.and_then(|_| interval(&ratio_replicates));
    let enough_outcomes = match measure {
        Measure::Rate(_) => {
            high.is_some_and(|h| outcomes.get(h).copied().unwrap_or(0) >= MIN_OUTCOMES)
        }
        _ => true,
    };
    let status = match (parity_ratio, parity_ratio_interval) {
        (Some(r), _) if r >= PARITY_THRESHOLD => Status::Fair,
        (Some(_), Some([_, hi])) if hi < PARITY_THRESHOLD && enough_outcomes => Status::Flagged,
        (Some(_), _) => Status::Uncertain,
        (None, _) => Status::NotMeasurable,
    };
    let reference_value = values.get(reference).copied().flatten();
    let group_values = (0..groups.len())
        .map(|g| {
            let disparity = match (values[g], reference_value) {
                (Some(v), Some(r)) if r > 0.0 => Some(v / r),
                _ => None,
            };
            let disparity_reps: Vec<f64> = replicates[g]
                .iter()
                .zip(replicates.get(reference).into_iter().flatten())
                .filter(|(_, r)| **r > 0.0)
                .map(|(v, r)| v / r)
                .collect();
            let disparity_interval = disparity.and_then(|_| interval(&disparity_reps));
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
                customers: counted[g],
                value: values[g],
                interval: interval(&replicates[g]),
                disparity,
                disparity_interval,
                disparity_status,
            }
        })
        .collect();
    MetricReport {
        metric,
        label,
        kind: match measure {
            Measure::Rate(_) => MetricKind::Rate,
            _ => MetricKind::Mean,
        },
        groups: group_values,
        parity_ratio,
        parity_ratio_interval,
        parity_difference: match (low, high) {
            (Some(l), Some(h)) if eligible.len() >= 2 => {
                Some(values[h].unwrap_or(0.0) - values[l].unwrap_or(0.0))
            }
            _ => None,
        },
        lowest_group: low
            .filter(|_| eligible.len() >= 2)
            .map(|g| groups[g].name.clone()),
        highest_group: high
            .filter(|_| eligible.len() >= 2)
            .map(|g| groups[g].name.clone()),
        status,
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
