//! Classes of products for exact whole-shop ranking: products that the same static rules
//! target and that share a category receive exactly the same boosts for any customer, so
//! they rank by baseline alone (see [`super::ranking`]).

use std::collections::HashMap;

use super::index::ShopIndex;

/// Products with the same static-rule membership and category.
#[derive(Debug)]
pub(super) struct Class {
    pub(super) mask: u64,
    pub(super) category: usize,
    /// In-stock members, best baseline first (ties by product id).
    pub(super) products: Vec<u32>,
}

/// The classes of a snapshot; `None` when there are more than 64 static-target rules.
#[derive(Debug)]
pub struct Classes {
    pub(super) classes: Vec<Class>,
    /// Each product's static-rule mask.
    pub(super) mask: Vec<u64>,
    /// Bit `i` of a mask stands for rule `static_rules[i]`.
    pub(super) bit_of_rule: Vec<Option<u32>>,
}

impl Classes {
    /// Groups the products of `index` by the static targets of its rules.
    pub fn new(
        index: &ShopIndex,
        static_targets: &[Option<Vec<usize>>],
        baseline: &[f64],
    ) -> Option<Self> {
        let shop = index.shop();
        let mut bit_of_rule = vec![None; static_targets.len()];
        let mut mask = vec![0u64; shop.products.len()];
        let mut bit = 0u32;
        for (r, targets) in static_targets.iter().enumerate() {
            let Some(targets) = targets else {
                continue;
            };
            if bit >= 64 {
                return None;
            }
            bit_of_rule[r] = Some(bit);
            for &p in targets {
                mask[p] |= 1 << bit;
            }
            bit += 1;
        }
        let mut by_key: HashMap<(u64, usize), Vec<u32>> = HashMap::new();
        for (p, product_mask) in mask.iter().enumerate() {
            if shop.products[p].recommendable() {
                by_key
                    .entry((*product_mask, index.category_of(p)))
                    .or_default()
                    .push(p as u32);
            }
        }
        let mut classes: Vec<Class> = by_key
            .into_iter()
            .map(|((mask, category), mut products)| {
                products.sort_by(|&a, &b| {
                    baseline[b as usize].total_cmp(&baseline[a as usize]).then(
                        shop.products[a as usize]
                            .id
                            .cmp(&shop.products[b as usize].id),
                    )
                });
                Class {
                    mask,
                    category,
                    products,
                }
            })
            .collect();
        classes.sort_by_key(|c| (c.mask, c.category));
        Some(Self {
            classes,
            mask,
            bit_of_rule,
        })
    }
}
