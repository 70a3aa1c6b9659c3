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
    /// Each member's baseline, in the same order (read side by side while ranking).
    pub(super) baselines: Vec<f64>,
    /// Each member's product id, in the same order.
    pub(super) ids: Vec<i64>,
}

/// The classes of a snapshot; `None` when there are more than 64 static-target rules.
#[derive(Debug)]
pub struct Classes {
    pub(super) classes: Vec<Class>,
    /// Each product's static-rule mask.
    pub(super) mask: Vec<u64>,
    /// Bit `i` of a mask stands for rule `static_rules[i]`.
    pub(super) bit_of_rule: Vec<Option<u32>>,
    /// For each bit, the classes (positions) whose mask has it.
    pub(super) with_bit: Vec<Vec<u32>>,
    /// For each category, the classes (positions) in it.
    pub(super) in_category: Vec<Vec<u32>>,
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
                    baselines: products.iter().map(|&p| baseline[p as usize]).collect(),
                    ids: products
                        .iter()
                        .map(|&p| shop.products[p as usize].id)
                        .collect(),
                    products,
                }
            })
            .collect();
        classes.sort_by_key(|c| (c.mask, c.category));
        let mut with_bit = vec![Vec::new(); bit as usize];
        let mut in_category = vec![Vec::new(); index.categories().len()];
        for (k, class) in classes.iter().enumerate() {
            for (b, members) in with_bit.iter_mut().enumerate() {
                if class.mask & (1 << b) != 0 {
                    members.push(k as u32);
                }
            }
            in_category[class.category].push(k as u32);
        }
        Some(Self {
            classes,
            mask,
            bit_of_rule,
            with_bit,
            in_category,
        })
    }
}
