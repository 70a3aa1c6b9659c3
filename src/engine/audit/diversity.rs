//! Filter bubble and diversity: how varied each list is, how much of the range anyone
//! sees, how far lists reach beyond what customers already buy, and how concentrated
//! exposure is on a few products. Shop-wide and for any group of customers.

use serde::Serialize;

use super::super::index::ShopIndex;
use super::super::simulate::Lists;
use super::facts::{Facts, position_weight};
use super::stats::{gini, mean};

/// The diversity figures of a set of customers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DiversityFigures {
    /// Customers in the set.
    pub customers: usize,
    /// Mean intra-list diversity: 1 − the share of same-category pairs in a list.
    pub intra_list_diversity: Option<f64>,
    /// Products recommended to anyone in the set / products that can be sold.
    pub catalogue_coverage: Option<f64>,
    /// Mean novelty of recommended items, in bits (higher: less obvious picks).
    pub novelty_bits: Option<f64>,
    /// Mean share of a list outside the categories the customer has bought from.
    pub outside_past_categories: Option<f64>,
    /// Gini index of position-weighted exposure across sellable products (0 even, 1 one product).
    pub exposure_gini: Option<f64>,
    /// Mean calibration: KL divergence between history and list category mixes, in bits.
    pub calibration_kl: Option<f64>,
}

/// One diversity figure as every report names it: the key in the audit's headline figures
/// (after `diversity:`), its label, what it means, and where it is in [`DiversityFigures`].
pub struct DiversityMeasure {
    /// The key, e.g. `novelty_bits`.
    pub key: &'static str,
    /// The label, e.g. "Novelty (bits)".
    pub label: &'static str,
    /// What it means, in a sentence a shop owner reads.
    pub meaning: &'static str,
    /// Its value in a set of figures.
    pub value: fn(&DiversityFigures) -> Option<f64>,
}

/// The diversity figures, in the order every report lists them (the window, the command
/// line and the printable page all print from this table).
pub const DIVERSITY_MEASURES: [DiversityMeasure; 6] = [
    DiversityMeasure {
        key: "intra_list_diversity",
        label: "Intra-list diversity",
        meaning: "0: every list is one category; 1: every item in a list is from a different one",
        value: |d| d.intra_list_diversity,
    },
    DiversityMeasure {
        key: "catalogue_coverage",
        label: "Catalogue coverage",
        meaning: "share of sellable products recommended to anyone",
        value: |d| d.catalogue_coverage,
    },
    DiversityMeasure {
        key: "novelty_bits",
        label: "Novelty (bits)",
        meaning: "mean −log2 of a recommended item's share of all purchases: higher means less obvious picks than the best sellers",
        value: |d| d.novelty_bits,
    },
    DiversityMeasure {
        key: "outside_past_categories",
        label: "Share outside past categories",
        meaning: "mean share of a list in categories the customer never bought from",
        value: |d| d.outside_past_categories,
    },
    DiversityMeasure {
        key: "exposure_gini",
        label: "Concentration of exposure (Gini)",
        meaning: "0: exposure spread evenly over sellable products; 1: all of it on one product",
        value: |d| d.exposure_gini,
    },
    DiversityMeasure {
        key: "calibration_kl",
        label: "Calibration gap (KL, bits)",
        meaning: "0: lists mirror each customer's own mix of categories (the KL divergence between the two mixes)",
        value: |d| d.calibration_kl,
    },
];

/// The figures of the customers at `members` (positions).
pub fn figures(
    index: &ShopIndex,
    lists: &Lists,
    facts: &Facts,
    members: &[usize],
) -> DiversityFigures {
    let products = &index.shop().products;
    let sellable: Vec<usize> = (0..products.len())
        .filter(|&p| products[p].recommendable())
        .collect();
    let mut exposure = vec![0.0f64; products.len()];
    for &c in members {
        for (j, &p) in lists.get(c).into_iter().flatten().enumerate() {
            exposure[p as usize] += position_weight(j + 1);
        }
    }
    let recommended = sellable.iter().filter(|&&p| exposure[p] > 0.0).count();
    let mean_of = |values: &[Option<f64>]| {
        let present: Vec<f64> = members.iter().filter_map(|&c| values[c]).collect();
        mean(&present)
    };
    let sellable_exposure: Vec<f64> = sellable.iter().map(|&p| exposure[p]).collect();
    DiversityFigures {
        customers: members.len(),
        intra_list_diversity: mean_of(&facts.intra_list_diversity),
        catalogue_coverage: (!sellable.is_empty())
            .then(|| recommended as f64 / sellable.len() as f64),
        novelty_bits: mean_of(&facts.novelty),
        outside_past_categories: mean_of(&facts.unfamiliar),
        exposure_gini: gini(&sellable_exposure),
        calibration_kl: mean_of(&facts.calibration),
    }
}
