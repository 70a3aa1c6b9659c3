//! The ethics audit: fairness across customer groups, the diversity of what is
//! recommended, data minimization and rule lint, computed from a snapshot and every
//! customer's list. Pure: no SQL, no UI. Every formula is written out in the README
//! ("Audit definitions"), so outside tools can reproduce the numbers.

mod compare;
pub mod diversity;
pub mod facts;
pub mod fairness;
pub mod feedback;
mod findings;
pub mod groups;
pub mod lint;
pub mod minimization;
pub mod stats;
pub mod verdict;

use serde::{Deserialize, Serialize};

pub use compare::{FigureChange, GroupsMoved, compare, comparison_notes};
pub use findings::{Area, Finding, Fix, Severity};
pub use groups::Grouping;

use super::index::ShopIndex;
use super::simulate::Lists;
use diversity::DiversityFigures;
use fairness::{GroupingReport, ProductExposure, Status};

/// What the audit groups customers by and how carefully it counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditConfig {
    /// Groupings to compare.
    pub groupings: Vec<Grouping>,
    /// Pairs of groupings compared together (intersectional groups, e.g. age band ×
    /// gender: "50–64 · female").
    pub intersections: Vec<[Grouping; 2]>,
    /// Ascending age-band edges: 30, 40 gives "under 30", "30–39", "40 and over".
    pub age_bands: Vec<u32>,
    /// Customers for fewer days than this are "new".
    pub new_customer_days: i64,
    /// Groups smaller than this are shown but never flagged.
    pub min_group_size: usize,
    /// Bootstrap replicates per interval.
    pub bootstrap_samples: usize,
    /// Seed of the bootstrap, so the same shop gives the same intervals.
    pub seed: u64,
    /// How the p-values of the audit's metrics are corrected together (`holm` or
    /// `benjamini_hochberg`).
    pub correction: verdict::Correction,
    /// The level a corrected p-value must be under for a flag: 0.05.
    pub alpha: f64,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            groupings: Grouping::ALL.to_vec(),
            intersections: vec![[Grouping::AgeBand, Grouping::Gender]],
            age_bands: vec![30, 40, 50, 65],
            new_customer_days: 365,
            min_group_size: 30,
            bootstrap_samples: 400,
            seed: 2026,
            correction: verdict::Correction::Holm,
            alpha: 0.05,
        }
    }
}

impl AuditConfig {
    /// Checks every setting; the error names the setting and says what it must be.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(g) = (1..self.groupings.len())
            .find(|&i| self.groupings[..i].contains(&self.groupings[i]))
            .map(|i| self.groupings[i])
        {
            return Err(format!("groupings: {} is listed twice", g.key()));
        }
        let same =
            |[a, b]: &[Grouping; 2], [c, d]: &[Grouping; 2]| (a, b) == (c, d) || (a, b) == (d, c);
        if let Some([a, b]) = (1..self.intersections.len())
            .find(|&i| {
                self.intersections[..i]
                    .iter()
                    .any(|p| same(p, &self.intersections[i]))
            })
            .map(|i| self.intersections[i])
        {
            return Err(format!(
                "intersections: the pair {} and {} is listed twice",
                a.key(),
                b.key()
            ));
        }
        if let Some([a, _]) = self.intersections.iter().find(|[a, b]| a == b) {
            return Err(format!(
                "intersections: a pair needs two different groupings, not {} twice",
                a.key()
            ));
        }
        if !self.age_bands.windows(2).all(|w| w[0] < w[1]) {
            return Err("age_bands: the edges must rise, e.g. [30, 40, 50, 65]".to_owned());
        }
        if self.min_group_size < 2 {
            return Err("min_group_size: at least 2 customers".to_owned());
        }
        if !(1..=100_000).contains(&self.bootstrap_samples) {
            return Err("bootstrap_samples: from 1 to 100,000".to_owned());
        }
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(format!(
                "alpha: a level between 0 and 1, not {}",
                self.alpha
            ));
        }
        if self.new_customer_days < 1 {
            return Err("new_customer_days: at least 1 day".to_owned());
        }
        Ok(())
    }
}

/// The whole audit of one snapshot and its lists.
#[derive(Clone, Debug, Serialize)]
pub struct Audit {
    /// The configuration it was computed with.
    pub config: AuditConfig,
    /// Customers in the shop.
    pub customers: usize,
    /// Length of each list.
    pub top_n: usize,
    /// Fairness and per-group diversity, one report per grouping.
    pub fairness: Vec<GroupingReport>,
    /// Exposure between groups of products.
    pub product_exposure: Vec<ProductExposure>,
    /// Diversity of the whole shop.
    pub diversity: DiversityFigures,
    /// Data minimization.
    pub minimization: minimization::Minimization,
    /// Rule lint.
    pub lint: Vec<lint::RuleLint>,
    /// Customers' "not for me" answers per rule, each tested against the rule's share of
    /// the products it lifts.
    pub feedback: Vec<feedback::RuleFeedback>,
    /// Everything that needs attention, most serious first, each linked to its rules,
    /// customers and a fix to simulate.
    pub findings: Vec<Finding>,
    /// Products whose price is not known: left out of price bands, premium and
    /// mean-price figures.
    pub products_without_price: usize,
}

/// How many products of the shop have no known price.
pub fn products_without_price(index: &ShopIndex) -> usize {
    index
        .shop()
        .products
        .iter()
        .filter(|p| p.price_cents.is_none())
        .count()
}

/// Audits the snapshot behind `index`, whose every customer's list is `lists`.
pub fn audit(index: &ShopIndex, lists: &Lists, config: &AuditConfig) -> Audit {
    let facts = facts::facts(index, lists);
    // Data minimization, the rules' reach and feedback need no lists' facts: they run
    // beside the fairness groupings.
    let (fairness, (minimization, reach, feedback)) = std::thread::scope(|scope| {
        let beside = scope.spawn(|| {
            (
                minimization::minimization(index),
                super::overview::rule_reach(index),
                feedback::feedback(index, lists, config.alpha),
            )
        });
        let fairness = fairness::groupings(index, lists, &facts, config);
        (fairness, super::parallel::joined(beside))
    });
    let everyone: Vec<usize> = (0..index.shop().customers.len()).collect();
    let diversity = diversity::figures(index, lists, &facts, &everyone);
    let lint = lint::lint(index.shop(), &reach);
    let mut findings = findings::findings(index, &fairness, &minimization, &lint);
    findings.extend(feedback.iter().filter_map(findings::feedback_finding));
    findings.sort_by_key(|f| f.severity);
    Audit {
        config: config.clone(),
        customers: index.shop().customers.len(),
        top_n: index.shop().settings.top_n,
        fairness,
        product_exposure: fairness::product_exposure(index, lists),
        diversity,
        minimization,
        lint,
        feedback,
        findings,
        products_without_price: products_without_price(index),
    }
}

/// One headline figure of an audit, for before-and-after comparisons and the history
/// kept with every applied change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// Stable key, e.g. `parity:age_band:premium`.
    pub key: String,
    /// What it is, in words.
    pub label: String,
    /// The value; `None` when not measurable.
    pub value: Option<f64>,
    /// For parity ratios, the status against 0.8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// For parity ratios, the groups compared (large enough, data held); `None` for
    /// other figures, and in entries logged before Candor kept them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups_compared: Option<Vec<String>>,
}

impl Audit {
    /// Every parity ratio, with the groups it compares.
    fn parity_figures(&self) -> Vec<Figure> {
        let mut out = Vec::new();
        for g in &self.fairness {
            let compared: Vec<String> = (g.groups.iter())
                .filter(|x| x.eligible)
                .map(|x| x.name.clone())
                .collect();
            for m in &g.metrics {
                out.push(Figure {
                    key: format!("parity:{}:{}", g.key, m.metric),
                    label: format!("{} — parity ratio by {}", m.label, g.label.to_lowercase()),
                    value: m.parity_ratio,
                    status: Some(m.status),
                    groups_compared: Some(compared.clone()),
                });
            }
        }
        out
    }

    /// The headline figures: every parity ratio, the shop-wide diversity figures, and
    /// the counts of data-minimization problems, lint and findings.
    pub fn figures(&self) -> Vec<Figure> {
        let mut out = self.parity_figures();
        let d = &self.diversity;
        let plain = |key: &str, label: &str, value: Option<f64>| Figure {
            key: key.to_owned(),
            label: label.to_owned(),
            value,
            status: None,
            groups_compared: None,
        };
        out.extend(
            diversity::DIVERSITY_MEASURES
                .iter()
                .map(|m| plain(&format!("diversity:{}", m.key), m.label, (m.value)(d))),
        );
        let m = &self.minimization;
        let count = |n: usize| Some(n as f64);
        out.extend([
            plain(
                "minimization:unused_fields_without_reason",
                "Fields held that nothing uses and no other reason needs",
                count(
                    m.unused_fields
                        .iter()
                        .filter(|u| u.kept_for.is_none())
                        .count(),
                ),
            ),
            plain(
                "minimization:past_retention",
                "Customer fields past their retention period",
                count(m.past_retention.iter().map(|p| p.customers).sum()),
            ),
            plain(
                "minimization:without_consent",
                "Customer fields held without a matching consent",
                count(m.without_consent.iter().map(|w| w.customers).sum()),
            ),
            plain("lint:rules", "Rule lint findings", count(self.lint.len())),
            plain("findings", "Findings", count(self.findings.len())),
        ]);
        out
    }
}

/// Whether the figure with this key is a count (shown without decimals).
pub fn is_count(key: &str) -> bool {
    key.starts_with("minimization:") || key.starts_with("lint:") || key == "findings"
}

/// A value of the figure with this key in words: "0.84", "1,738", or "not measurable".
pub fn figure_value_text(key: &str, v: Option<f64>) -> String {
    match v {
        None => "not measurable".to_owned(),
        Some(v) if is_count(key) && v >= 0.0 && v.fract() == 0.0 => {
            super::words::number(v as usize)
        }
        Some(v) if is_count(key) => format!("{v:.0}"),
        Some(v) => super::words::decimal(v),
    }
}
