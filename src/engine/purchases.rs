//! Each customer's purchases as visits, built once per order history and product list:
//! for every product (and every category) the customer bought, the day of each order that
//! bought it. The "bought" rules count visits in a window and the scorer checks "already
//! bought" from these lists instead of walking every order line of every customer.
//!
//! They hold every purchase up to today. A customer who asked the shop not to use some of
//! their purchases is read from the orders themselves (see [`ShopIndex::lines_used`]), so
//! these lists never carry a purchase the customer left out.

use chrono::NaiveDate;

use super::index::ShopIndex;

/// One visit: the product (or category) position and the day of the order.
type Visit = (u32, NaiveDate);

/// Per customer, the distinct (key, order) visits sorted by key: the `i`-th customer of a
/// part has `visits[start[i]..start[i + 1]]`.
#[derive(Debug)]
struct PerCustomer {
    start: Vec<usize>,
    visits: Vec<Visit>,
}

impl PerCustomer {
    fn new() -> Self {
        Self {
            start: vec![0],
            visits: Vec::new(),
        }
    }

    fn of(&self, i: usize) -> &[Visit] {
        &self.visits[self.start[i]..self.start[i + 1]]
    }

    /// Adds the next customer's visits: the distinct (key, order) of `pairs`, with the
    /// orders' days (sorts and dedups `pairs`).
    fn push(&mut self, pairs: &mut Vec<(u32, u32)>, day: impl Fn(u32) -> NaiveDate) {
        pairs.sort_unstable();
        pairs.dedup();
        self.visits
            .extend(pairs.iter().map(|&(key, o)| (key, day(o))));
        self.start.push(self.visits.len());
    }
}

/// Every customer's visits per product and per category, in the parts the workers built
/// (kept as built rather than copied together, so building never holds them twice).
#[derive(Debug)]
pub struct Purchases {
    /// Customers per part: customer `c` is the `c % per`-th of part `c / per`.
    per: usize,
    parts: Vec<Part>,
}

impl Purchases {
    /// Reads every customer's orders up to today (lines with a positive quantity of a
    /// product that still exists), on all cores.
    pub fn build(index: &ShopIndex) -> Self {
        let customers = index.shop().customers.len();
        let per = super::parallel::range_length(customers);
        Self {
            per,
            parts: super::parallel::over_ranges(customers, per, |range| build_range(index, range)),
        }
    }

    /// The part holding a customer, and the customer's place in it.
    fn part(&self, customer: usize) -> (&Part, usize) {
        (&self.parts[customer / self.per], customer % self.per)
    }

    /// Visits per product (or per category) after `from` (all when `None`), counting each
    /// order once per key; sorted by key.
    pub fn visits(
        &self,
        customer: usize,
        from: Option<NaiveDate>,
        by_category: bool,
    ) -> Vec<(usize, usize)> {
        let (part, i) = self.part(customer);
        let lists = if by_category {
            &part.categories
        } else {
            &part.products
        };
        let mut out: Vec<(usize, usize)> = Vec::new();
        for &(key, day) in lists.of(i) {
            if from.is_some_and(|f| day <= f) {
                continue;
            }
            match out.last_mut() {
                Some((k, count)) if *k == key as usize => *count += 1,
                _ => out.push((key as usize, 1)),
            }
        }
        out
    }

    /// The lines the customer bought in each category (every line with a positive
    /// quantity up to today), as (category position, lines), sorted by category.
    pub fn lines_per_category(&self, customer: usize) -> &[(u32, u32)] {
        let (part, i) = self.part(customer);
        &part.lines_per_category[part.lines_start[i]..part.lines_start[i + 1]]
    }

    /// Whether the customer bought the product (a positive quantity) on some order.
    pub fn bought(&self, customer: usize, product: usize) -> bool {
        let (part, i) = self.part(customer);
        part.products
            .of(i)
            .binary_search_by_key(&(product as u32), |&(p, _)| p)
            .is_ok()
    }
}

/// One worker's share: the visits and line counts of a range of customers, offsets
/// starting at 0.
#[derive(Debug)]
struct Part {
    products: PerCustomer,
    categories: PerCustomer,
    /// Per customer, the lines bought in each category (every line with a positive
    /// quantity, whichever purchases the customer left out), sorted by category.
    lines_per_category: Vec<(u32, u32)>,
    lines_start: Vec<usize>,
}

/// The visits and line counts of the customers in `range`.
fn build_range(index: &ShopIndex, range: std::ops::Range<usize>) -> Part {
    let shop = index.shop();
    let (mut products, mut categories) = (PerCustomer::new(), PerCustomer::new());
    let (mut lines_per_category, mut lines_start) = (Vec::new(), vec![0]);
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut line_categories: Vec<u32> = Vec::new();
    for c in range {
        pairs.clear();
        for o in index.orders_of(c) {
            for l in index.lines_of(o) {
                if shop.lines[l].quantity > 0
                    && let Some(p) = index.line_product(l)
                {
                    pairs.push((p as u32, o as u32));
                }
            }
        }
        line_categories.clear();
        line_categories.extend(
            pairs
                .iter()
                .map(|&(p, _)| index.category_of(p as usize) as u32),
        );
        line_categories.sort_unstable();
        lines_per_category.extend(
            line_categories
                .chunk_by(|a, b| a == b)
                .map(|same| (same[0], same.len() as u32)),
        );
        lines_start.push(lines_per_category.len());
        let day = |o: u32| shop.orders[o as usize].date;
        products.push(&mut pairs, day);
        for pair in &mut pairs {
            pair.0 = index.category_of(pair.0 as usize) as u32;
        }
        categories.push(&mut pairs, day);
    }
    Part {
        products,
        categories,
        lines_per_category,
        lines_start,
    }
}
