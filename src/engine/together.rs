//! "Bought together": which products are often in the same order. For two products a and
//! q, the statistic is the cosine over orders, n(a, q) / √(n(a) · n(q)), where n counts the
//! orders up to the index's day with a positive line of the product (guest sales too: no
//! one's personal data). Pairs in fewer than [`MIN_ORDERS`] orders are not counted, and
//! each product keeps its [`NEIGHBOURS`] strongest partners.

use super::index::ShopIndex;

/// The fewest orders a pair must share to count.
pub const MIN_ORDERS: u32 = 3;
/// Partners kept per product, strongest first.
pub const NEIGHBOURS: usize = 50;

/// A product often bought with another.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Partner {
    /// Its position in the snapshot.
    pub product: u32,
    /// Orders that had both.
    pub orders: u32,
    /// The cosine over orders, 0 to 1.
    pub cosine: f64,
}

/// Every product's partners, each list sorted by product position.
#[derive(Debug, Default)]
pub struct Partners {
    start: Vec<usize>,
    items: Vec<Partner>,
}

impl Partners {
    /// The partners of product `a`, by product position.
    pub fn of(&self, a: usize) -> &[Partner] {
        match (self.start.get(a), self.start.get(a + 1)) {
            (Some(&s), Some(&e)) => &self.items[s..e],
            _ => &[],
        }
    }

    /// How product `q` goes with product `a`, when it is one of `a`'s partners.
    pub fn get(&self, a: usize, q: usize) -> Option<&Partner> {
        let list = self.of(a);
        list.binary_search_by_key(&(q as u32), |p| p.product)
            .ok()
            .map(|i| &list[i])
    }

    /// Counts every pair of the orders up to the index's day, on all cores.
    pub fn build(index: &ShopIndex) -> Self {
        let baskets = baskets(index);
        let products = index.shop().products.len();
        let mut orders_of: Vec<Vec<u32>> = vec![Vec::new(); products];
        for (b, basket) in baskets.iter().enumerate() {
            for &p in basket {
                orders_of[p as usize].push(b as u32);
            }
        }
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let per = products.div_ceil(threads.max(1)).max(1);
        let lists: Vec<Vec<Vec<Partner>>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..products)
                .step_by(per)
                .map(|from| {
                    let (baskets, orders_of) = (&baskets, &orders_of);
                    scope.spawn(move || {
                        let mut shared = vec![0u32; products];
                        (from..(from + per).min(products))
                            .map(|a| partners_of(a, baskets, orders_of, &mut shared))
                            .collect()
                    })
                })
                .collect();
            workers.into_iter().map(super::parallel::joined).collect()
        });
        let mut out = Self {
            start: vec![0],
            items: Vec::new(),
        };
        for list in lists.into_iter().flatten() {
            out.items.extend(list);
            out.start.push(out.items.len());
        }
        out
    }
}

/// Each order's distinct real products bought (positive lines), for orders up to the
/// index's day.
fn baskets(index: &ShopIndex) -> Vec<Vec<u32>> {
    let shop = index.shop();
    let today = index.today();
    let mut out = Vec::new();
    for (o, order) in shop.orders.iter().enumerate() {
        if order.date > today {
            continue;
        }
        let mut basket: Vec<u32> = index.bought_in(o).map(|p| p as u32).collect();
        basket.sort_unstable();
        basket.dedup();
        // A basket of one counts for n(a), never for a pair.
        if !basket.is_empty() {
            out.push(basket);
        }
    }
    out
}

/// The strongest partners of product `a`, sorted by product position. `shared` is a
/// zeroed scratch count per product, left zeroed.
fn partners_of(
    a: usize,
    baskets: &[Vec<u32>],
    orders_of: &[Vec<u32>],
    shared: &mut [u32],
) -> Vec<Partner> {
    let mut touched: Vec<u32> = Vec::new();
    for &b in &orders_of[a] {
        for &q in &baskets[b as usize] {
            if q as usize != a {
                if shared[q as usize] == 0 {
                    touched.push(q);
                }
                shared[q as usize] += 1;
            }
        }
    }
    let n_a = orders_of[a].len() as f64;
    let mut list: Vec<Partner> = touched
        .iter()
        .filter(|&&q| shared[q as usize] >= MIN_ORDERS)
        .map(|&q| {
            let both = shared[q as usize];
            Partner {
                product: q,
                orders: both,
                cosine: f64::from(both) / (n_a * orders_of[q as usize].len() as f64).sqrt(),
            }
        })
        .collect();
    for &q in &touched {
        shared[q as usize] = 0;
    }
    list.sort_by(|x, y| {
        y.cosine
            .total_cmp(&x.cosine)
            .then(x.product.cmp(&y.product))
    });
    list.truncate(NEIGHBOURS);
    list.sort_by_key(|p| p.product);
    list
}

/// What a "bought together" rule gives each product for one customer, before its
/// weight: `each` × the sum of the cosines with the distinct products the customer bought
/// in the window (`anchors`, ascending), capped at `max`; sorted by product, zeros left
/// out. [`amount_for`] gives the same number for one product.
pub fn amounts(partners: &Partners, anchors: &[usize], each: f64, max: f64) -> Vec<(usize, f64)> {
    let mut pairs: Vec<(usize, f64)> = anchors
        .iter()
        .flat_map(|&a| {
            partners
                .of(a)
                .iter()
                .map(|p| (p.product as usize, p.cosine))
        })
        .collect();
    // Stable: within a product, the cosines stay in anchor order, as `amount_for` adds them.
    pairs.sort_by_key(|&(q, _)| q);
    let mut out: Vec<(usize, f64)> = Vec::new();
    for (q, cosine) in pairs {
        match out.last_mut() {
            Some((last, sum)) if *last == q => *sum += cosine,
            _ => out.push((q, cosine)),
        }
    }
    out.iter_mut()
        .for_each(|(_, sum)| *sum = super::score::capped(each * *sum, max));
    out.retain(|&(_, amount)| amount != 0.0);
    out
}

/// The amount for one product, as [`amounts`] computes it.
pub fn amount_for(
    partners: &Partners,
    anchors: &[usize],
    product: usize,
    each: f64,
    max: f64,
) -> f64 {
    let sum: f64 = anchors
        .iter()
        .filter_map(|&a| partners.get(a, product))
        .fold(0.0, |s, p| s + p.cosine);
    super::score::capped(each * sum, max)
}
