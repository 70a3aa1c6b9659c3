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
