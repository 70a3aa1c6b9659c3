//! Lookup structures built once per snapshot and day: who ordered what, product groups,
//! price bands, popularity and current consents. Everything the scorer needs in O(1).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::model::{CustomerId, PopularityCount, ProductId, Shop};
use super::preferences::{About, PreferenceKind};
use super::price_band::PriceBand;

/// Index positions are stored as `u32` to keep the index small at shop scale.
type Pos = u32;

/// Compressed lists: the items of group `g` are `items[start[g]..start[g + 1]]`.
#[derive(Debug, Default, Clone)]
struct Groups {
    start: Vec<usize>,
    items: Vec<Pos>,
}

impl Groups {
    /// Groups `0..len` items by `key(item)`, keeping each group in `order` order.
    fn build(groups: usize, len: usize, key: impl Fn(usize) -> Option<usize>) -> Self {
        let mut counts = vec![0usize; groups + 1];
        for i in 0..len {
            if let Some(g) = key(i) {
                counts[g + 1] += 1;
            }
        }
        for g in 0..groups {
            counts[g + 1] += counts[g];
        }
        let mut fill = counts.clone();
        let mut items = vec![0; counts[groups]];
        for i in 0..len {
            if let Some(g) = key(i) {
                items[fill[g]] = i as Pos;
                fill[g] += 1;
            }
        }
        Self {
            start: counts,
            items,
        }
    }

    fn of(&self, group: usize) -> impl Iterator<Item = usize> + '_ {
        self.items[self.start[group]..self.start[group + 1]]
            .iter()
            .map(|&p| p as usize)
    }
}

/// Finds an item's position by id: a direct table when the ids are sorted and nearly
/// consecutive (as the store and the generator write them), binary search when sorted
/// but sparse, a hash map otherwise.
#[derive(Debug, Clone)]
enum IdLookup {
    Dense { first: i64, table: Vec<u32> },
    Sorted(Vec<i64>),
    Hashed(HashMap<i64, usize>),
}

/// Marks an id with no item in a dense table.
const NO_ITEM: u32 = u32::MAX;

impl IdLookup {
    fn new(ids: impl Iterator<Item = i64>) -> Self {
        let ids: Vec<i64> = ids.collect();
        if !ids.windows(2).all(|w| w[0] < w[1]) {
            return Self::Hashed(ids.into_iter().enumerate().map(|(i, id)| (id, i)).collect());
        }
        let (Some(&first), Some(&last)) = (ids.first(), ids.last()) else {
            return Self::Sorted(ids);
        };
        let span = last.saturating_sub(first).saturating_add(1);
        if span <= 2 * ids.len() as i64 + 1024 && ids.len() < NO_ITEM as usize {
            let mut table = vec![NO_ITEM; span as usize];
            for (i, id) in ids.iter().enumerate() {
                table[(id - first) as usize] = i as u32;
            }
            return Self::Dense { first, table };
        }
        Self::Sorted(ids)
    }

    fn get(&self, id: i64) -> Option<usize> {
        match self {
            Self::Dense { first, table } => {
                let slot = usize::try_from(id.checked_sub(*first)?).ok()?;
                table
                    .get(slot)
                    .filter(|&&p| p != NO_ITEM)
                    .map(|&p| p as usize)
            }
            Self::Sorted(ids) => ids.binary_search(&id).ok(),
            Self::Hashed(map) => map.get(&id).copied(),
        }
    }
}

/// What depends only on who ordered what: unchanged by every kind of change, so a
/// simulation's after-index shares it with the before-index.
#[derive(Debug)]
struct History {
    customer_pos: IdLookup,
    product_pos: IdLookup,
    orders_by_customer: Groups,
    /// The day of each order in `orders_by_customer`, in the same places: a customer's
    /// order days side by side, oldest first.
    order_days: Vec<NaiveDate>,
    lines_by_order: Groups,
    line_product: Vec<Option<Pos>>,
    popularity: Vec<f64>,
}

impl History {
    fn new(shop: &Shop, today: NaiveDate) -> Self {
        let customer_pos = IdLookup::new(shop.customers.iter().map(|c| c.id));
        let product_pos = IdLookup::new(shop.products.iter().map(|p| p.id));
        let order_pos = IdLookup::new(shop.orders.iter().map(|o| o.id));
        let mut orders_by_customer = Groups::build(shop.customers.len(), shop.orders.len(), |o| {
            let order = &shop.orders[o];
            if order.date > today {
                return None;
            }
            order.customer.and_then(|c| customer_pos.get(c))
        });
        // Within a customer, visits in date order (then id) so "since" and "last" read right.
        for c in 0..shop.customers.len() {
            let range = orders_by_customer.start[c]..orders_by_customer.start[c + 1];
            orders_by_customer.items[range]
                .sort_by_key(|&o| (shop.orders[o as usize].date, shop.orders[o as usize].id));
        }
        let order_days = orders_by_customer
            .items
            .iter()
            .map(|&o| shop.orders[o as usize].date)
            .collect();
        let line_order: Vec<Option<usize>> =
            shop.lines.iter().map(|l| order_pos.get(l.order)).collect();
        let lines_by_order = Groups::build(shop.orders.len(), shop.lines.len(), |l| line_order[l]);
        let line_product: Vec<Option<Pos>> = shop
            .lines
            .iter()
            .map(|l| product_pos.get(l.product).map(|p| p as Pos))
            .collect();
        let popularity = popularity(shop, &line_order, &line_product, today);
        Self {
            customer_pos,
            product_pos,
            orders_by_customer,
            order_days,
            lines_by_order,
            line_product,
            popularity,
        }
    }
}

/// What is built from the products, consents and preferences (with the history's
/// positions): shared, not copied, by a changed copy in which all three are unchanged.
#[derive(Debug)]
struct Derived {
    consents_by_customer: Groups,
    categories: Vec<String>,
    product_category: Vec<Pos>,
    products_by_category: Groups,
    price_band: Vec<Option<PriceBand>>,
    by_popularity: Vec<Pos>,
    purposes: Vec<String>,
    granted: Vec<u64>,
    /// Every preference event of each customer, in recorded order (positions in
    /// `shop().preferences`).
    preferences_by_customer: Groups,
    /// For each preference event, whether it stands: the decision recorded last about its
    /// customer and preference, and not a withdrawal.
    standing: Vec<bool>,
    /// The standing "not wanted" preferences of each customer (positions in
    /// `shop().preferences`); empty for almost everyone.
    not_wanted: Groups,
    /// The categories (positions) whose purchases each customer asked the shop not to use.
    ignored: Groups,
    /// Each customer's standing "liked" preferences (positions in `shop().preferences`).
    liked: Groups,
}

/// The snapshot plus every lookup the engine needs, for one "today".
#[derive(Debug, Clone)]
pub struct ShopIndex {
    shop: Arc<Shop>,
    today: NaiveDate,
    history: Arc<History>,
    derived: Arc<Derived>,
    /// Products bought together, counted on first use (only "bought together" rules need
    /// them); shared with a changed copy whose history and products are the same.
    partners: Arc<std::sync::OnceLock<super::together::Partners>>,
    /// Each customer's visits per product and category, built on first use; shared with a
    /// changed copy whose history and products are the same.
    purchases: Arc<std::sync::OnceLock<super::purchases::Purchases>>,
    /// Each product's novelty in bits (see [`super::audit::facts::novelty_bits`]), computed
    /// on first use; shared like `purchases`.
    novelty: Arc<std::sync::OnceLock<Vec<f64>>>,
}

impl ShopIndex {
    /// Builds the index of `shop` as of `today`. Orders dated after `today` are ignored.
    pub fn new(shop: Arc<Shop>, today: NaiveDate) -> Self {
        let history = Arc::new(History::new(&shop, today));
        Self::with_history(shop, today, history)
    }

    /// The index of `changed`, a copy of this snapshot with changes applied. Changes never
    /// add or remove products, orders or lines, so the order history is shared rather than
    /// rebuilt, unless the days popularity counts changed or a merge of two customers (or
    /// its undo) moved orders from one to the other.
    pub fn for_changed(&self, changed: Arc<Shop>) -> Self {
        debug_assert_eq!(changed.lines.len(), self.shop.lines.len());
        // A merge (or its undo) moves orders between customers, and a new customer (or its
        // undo) shifts positions: the history is another unless the orders and the
        // customers' numbers are the very same.
        let same_customers = Arc::ptr_eq(&changed.orders, &self.shop.orders)
            && changed.customers.len() == self.shop.customers.len()
            && changed
                .customers
                .iter()
                .zip(self.shop.customers.iter())
                .all(|(a, b)| a.id == b.id);
        let same_popularity = changed.settings.popularity_days
            == self.shop.settings.popularity_days
            && changed.settings.popularity_counts == self.shop.settings.popularity_counts;
        if !same_customers || !same_popularity {
            return Self::new(changed, self.today);
        }
        let same_products = Arc::ptr_eq(&changed.products, &self.shop.products);
        let mut index = Self::derived(changed, self.today, Arc::clone(&self.history), self);
        if same_products {
            index.partners = Arc::clone(&self.partners);
            index.purchases = Arc::clone(&self.purchases);
            index.novelty = Arc::clone(&self.novelty);
        }
        index
    }

    /// The index of `shop`, a changed copy of `basis`'s snapshot with the same history:
    /// what is built from the products, the consents and the preferences is shared with
    /// `basis` when all three are the very same (a rule change), and built again otherwise.
    fn derived(shop: Arc<Shop>, today: NaiveDate, history: Arc<History>, basis: &Self) -> Self {
        let old = &basis.shop;
        let same_products = Arc::ptr_eq(&shop.products, &old.products)
            && shop.settings.popularity_weight == old.settings.popularity_weight;
        let same_purposes = shop.purposes.len() == old.purposes.len()
            && shop
                .purposes
                .iter()
                .zip(&old.purposes)
                .all(|(a, b)| a.id == b.id);
        let same_consents = Arc::ptr_eq(&shop.consents, &old.consents) && same_purposes;
        let same_preferences = Arc::ptr_eq(&shop.preferences, &old.preferences) && same_products;
        if !(same_products && same_consents && same_preferences) {
            return Self::with_history(shop, today, history);
        }
        Self {
            shop,
            today,
            history,
            derived: Arc::clone(&basis.derived),
            partners: Arc::default(),
            purchases: Arc::default(),
            novelty: Arc::default(),
        }
    }

    fn with_history(shop: Arc<Shop>, today: NaiveDate, history: Arc<History>) -> Self {
        let consents_by_customer = Groups::build(shop.customers.len(), shop.consents.len(), |e| {
            history.customer_pos.get(shop.consents[e].customer)
        });
        let mut categories: Vec<String> =
            shop.products.iter().map(|p| p.category.clone()).collect();
        categories.sort();
        categories.dedup();
        let product_category: Vec<Pos> = shop
            .products
            .iter()
            .map(|p| categories.binary_search(&p.category).unwrap_or(0) as Pos)
            .collect();
        let products_by_category = Groups::build(categories.len(), shop.products.len(), |p| {
            Some(product_category[p] as usize)
        });
        let price_band = price_bands(&shop);
        let weight = shop.settings.popularity_weight;
        let popularity = &history.popularity;
        let mut by_popularity: Vec<Pos> = (0..shop.products.len() as Pos).collect();
        by_popularity.sort_by(|&a, &b| {
            (weight * popularity[b as usize])
                .total_cmp(&(weight * popularity[a as usize]))
                .then(
                    shop.products[a as usize]
                        .id
                        .cmp(&shop.products[b as usize].id),
                )
        });
        let purposes: Vec<String> = shop.purposes.iter().map(|p| p.id.clone()).collect();
        let granted = current_consents(&shop, &consents_by_customer, &purposes);
        let preferences_by_customer =
            Groups::build(shop.customers.len(), shop.preferences.len(), |e| {
                history.customer_pos.get(shop.preferences[e].customer)
            });
        let standing = standing_events(&shop);
        let pos = |id| history.customer_pos.get(id);
        let not_wanted = standing_of_kind(&shop, &standing, PreferenceKind::NotWanted, pos);
        let liked = standing_of_kind(&shop, &standing, PreferenceKind::Liked, pos);
        let ignored = ignored_categories(&shop, &standing, &categories, pos);
        Self {
            shop,
            today,
            history,
            derived: Arc::new(Derived {
                consents_by_customer,
                categories,
                product_category,
                products_by_category,
                price_band,
                by_popularity,
                purposes,
                granted,
                preferences_by_customer,
                standing,
                not_wanted,
                ignored,
                liked,
            }),
            partners: Arc::default(),
            purchases: Arc::default(),
            novelty: Arc::default(),
        }
    }

    /// The snapshot this index was built from.
    pub fn shop(&self) -> &Shop {
        &self.shop
    }

    /// The shared snapshot, for building a changed copy.
    pub fn shop_arc(&self) -> &Arc<Shop> {
        &self.shop
    }

    /// The day the index was built for.
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// Position of a customer in `shop().customers`.
    pub fn customer_pos(&self, id: CustomerId) -> Option<usize> {
        self.history.customer_pos.get(id)
    }

    /// Position of a product in `shop().products`.
    pub fn product_pos(&self, id: ProductId) -> Option<usize> {
        self.history.product_pos.get(id)
    }

    /// The customer's orders up to today, oldest first (positions in `shop().orders`).
    pub fn orders_of(&self, customer: usize) -> impl Iterator<Item = usize> + '_ {
        self.history.orders_by_customer.of(customer)
    }

    /// The days of the customer's orders up to today, oldest first (those of
    /// [`ShopIndex::orders_of`], in the same order).
    pub fn order_days(&self, customer: usize) -> &[NaiveDate] {
        let groups = &self.history.orders_by_customer;
        &self.history.order_days[groups.start[customer]..groups.start[customer + 1]]
    }

    /// The lines of an order (positions in `shop().lines`).
    pub fn lines_of(&self, order: usize) -> impl Iterator<Item = usize> + '_ {
        self.history.lines_by_order.of(order)
    }

    /// Every consent event of a customer, in recorded order (positions in `shop().consents`).
    pub fn consents_of(&self, customer: usize) -> impl Iterator<Item = usize> + '_ {
        self.derived.consents_by_customer.of(customer)
    }

    /// The customer's decision in force on `purpose`: the one recorded last, if any.
    pub fn current_decision(
        &self,
        customer: usize,
        purpose: &str,
    ) -> Option<&super::model::ConsentEvent> {
        (self.consents_of(customer))
            .map(|e| &self.shop.consents[e])
            .filter(|e| e.purpose == purpose)
            .last()
    }

    /// The agreement behind the customer's decision in force on `purpose`, for what it
    /// covers: the decision itself, except that a grant an undo recorded gives back an
    /// earlier one, the customer's own (the latest grant recorded before it other than by
    /// an undo), whose words and date are what the customer agreed to.
    pub fn agreement_in_force(
        &self,
        customer: usize,
        purpose: &str,
    ) -> Option<&super::model::ConsentEvent> {
        let undo = super::changes::UNDO_METHOD;
        let in_force = self.current_decision(customer, purpose)?;
        if !(in_force.granted && in_force.method == undo) {
            return Some(in_force);
        }
        (self.consents_of(customer))
            .map(|e| &self.shop.consents[e])
            .filter(|e| e.purpose == purpose && e.granted && e.method != undo)
            .last()
            .or(Some(in_force))
    }

    /// Whether an order is a return (a cancelled, refunded or returned order): it has
    /// lines, and every one takes something back.
    pub fn is_return(&self, order: usize) -> bool {
        let lines = &self.shop.lines;
        let mut of = self.lines_of(order).peekable();
        of.peek().is_some() && of.all(|l| lines[l].quantity < 0)
    }

    /// The real products (not postage, fees or unspecified items) an order bought: its
    /// lines with a positive quantity, in line order (a product may repeat).
    pub fn bought_in(&self, order: usize) -> impl Iterator<Item = usize> + '_ {
        let shop = &self.shop;
        self.lines_of(order)
            .filter(move |&l| shop.lines[l].quantity > 0)
            .filter_map(|l| self.line_product(l))
            .filter(move |&p| shop.products[p].is_product())
    }

    /// The product position of a line, if the product still exists.
    pub fn line_product(&self, line: usize) -> Option<usize> {
        self.history.line_product[line].map(|p| p as usize)
    }

    /// Every preference event of a customer, in recorded order (positions in
    /// `shop().preferences`).
    pub fn preferences_of(&self, customer: usize) -> impl Iterator<Item = usize> + '_ {
        self.derived.preferences_by_customer.of(customer)
    }

    /// Whether preference event `event` (a position in `shop().preferences`) stands.
    pub fn stands(&self, event: usize) -> bool {
        self.derived.standing[event]
    }

    /// The standing preferences of a customer: for each, the decision recorded last, when
    /// it is not a withdrawal (positions in `shop().preferences`, in the order those
    /// decisions were recorded).
    pub fn standing_preferences(&self, customer: usize) -> Vec<usize> {
        self.preferences_of(customer)
            .filter(|&e| self.stands(e))
            .collect()
    }

    /// The standing "not wanted" preference that leaves `product` out of the customer's
    /// list, if one does (a position in `shop().preferences`).
    pub fn not_wanted(&self, customer: usize, product: usize) -> Option<usize> {
        let p = &self.shop.products[product];
        self.derived
            .not_wanted
            .of(customer)
            .find(|&e| self.shop.preferences[e].preference.covers(p))
    }

    /// Whether the customer asked the shop not to use this line (a purchase in a category
    /// whose purchases they want left out).
    pub fn line_ignored(&self, customer: usize, line: usize) -> bool {
        let mut ignored = self.derived.ignored.of(customer).peekable();
        ignored.peek().is_some()
            && self.line_product(line).is_some_and(|p| {
                let category = self.category_of(p);
                ignored.any(|k| k == category)
            })
    }

    /// Whether the customer asked the shop not to use any of their purchases.
    pub fn ignores_purchases(&self, customer: usize) -> bool {
        self.derived.ignored.of(customer).next().is_some()
    }

    /// The lines of a customer's order that personalization may use: all of them, but
    /// those in a category whose purchases the customer asked the shop not to use.
    pub fn lines_used(&self, customer: usize, order: usize) -> impl Iterator<Item = usize> + '_ {
        let ignores = self.ignores_purchases(customer);
        self.lines_of(order)
            .filter(move |&l| !ignores || !self.line_ignored(customer, l))
    }

    /// The customer's orders up to today that personalization may use, oldest first: all
    /// of them, but an order made only of purchases the customer asked the shop not to use.
    pub fn orders_used(&self, customer: usize) -> impl Iterator<Item = usize> + '_ {
        let ignores = self.ignores_purchases(customer);
        self.orders_of(customer).filter(move |&o| {
            !ignores
                || self.lines_of(o).next().is_none()
                || self.lines_used(customer, o).next().is_some()
        })
    }

    /// The customer's standing "liked" preferences (positions in `shop().preferences`).
    pub fn liked_of(&self, customer: usize) -> impl Iterator<Item = usize> + '_ {
        self.derived.liked.of(customer)
    }

    /// The standing "liked" preference that puts `product` in a rule's preferred target
    /// (a liked category for `by_tag` false, a liked tag for true), if one does.
    pub fn liked_for(&self, customer: usize, product: usize, by_tag: bool) -> Option<usize> {
        let p = &self.shop.products[product];
        self.liked_of(customer).find(|&e| {
            let preference = &self.shop.preferences[e].preference;
            matches!(
                (&preference.about, by_tag),
                (About::Category(_), false) | (About::Tag(_), true)
            ) && preference.covers(p)
        })
    }

    /// Whether the customer has any standing "not wanted" preference.
    pub fn has_not_wanted(&self, customer: usize) -> bool {
        self.derived.not_wanted.of(customer).next().is_some()
    }

    /// Category names, sorted.
    pub fn categories(&self) -> &[String] {
        &self.derived.categories
    }

    /// Category position of a product.
    pub fn category_of(&self, product: usize) -> usize {
        self.derived.product_category[product] as usize
    }

    /// Products in a category.
    pub fn products_in_category(&self, category: usize) -> impl Iterator<Item = usize> + '_ {
        self.derived.products_by_category.of(category)
    }

    /// Position of a category by name.
    pub fn category_pos(&self, name: &str) -> Option<usize> {
        self.derived
            .categories
            .binary_search_by(|c| c.as_str().cmp(name))
            .ok()
    }

    /// Price band of a product; `None` when its price is not known.
    pub fn price_band(&self, product: usize) -> Option<PriceBand> {
        self.derived.price_band[product]
    }

    /// Popularity of a product, 0 to 1.
    pub fn popularity(&self, product: usize) -> f64 {
        self.history.popularity[product]
    }

    /// Products from most to least popular (ties by product id).
    pub fn by_popularity(&self) -> impl Iterator<Item = usize> + '_ {
        self.derived.by_popularity.iter().map(|&p| p as usize)
    }

    /// Whether the customer's latest decision on `purpose` is a grant.
    pub fn has_consent(&self, customer: usize, purpose: &str) -> bool {
        self.derived
            .purposes
            .iter()
            .position(|p| p == purpose)
            .is_some_and(|bit| bit < 64 && self.derived.granted[customer] & (1 << bit) != 0)
    }

    /// Which products are bought together (counted on first use, on all cores).
    pub fn partners(&self) -> &super::together::Partners {
        self.partners
            .get_or_init(|| super::together::Partners::build(self))
    }

    /// Every customer's visits per product and per category, read from the orders on
    /// first use. Only for customers who use all their purchases (see
    /// [`ShopIndex::ignores_purchases`]).
    pub fn purchases(&self) -> &super::purchases::Purchases {
        self.purchases
            .get_or_init(|| super::purchases::Purchases::build(self))
    }

    /// Each product's novelty in bits, computed on first use.
    pub fn novelty(&self) -> &[f64] {
        self.novelty
            .get_or_init(|| super::audit::facts::novelty_bits(self))
    }

    /// Whether the customer has granted any purpose at all.
    pub fn has_any_consent(&self, customer: usize) -> bool {
        self.derived.granted[customer] != 0
    }
}

/// Bands by quartile of the shop's own known prices: below Q1 budget, Q3 and above
/// premium; `None` for a product whose price is not known (it is in no band).
fn price_bands(shop: &Shop) -> Vec<Option<PriceBand>> {
    // Postage, fees and unspecified items are not products and do not set the bands.
    let mut prices: Vec<i64> = shop
        .products
        .iter()
        .filter(|p| p.is_product())
        .filter_map(|p| p.price_cents)
        .collect();
    prices.sort_unstable();
    if prices.is_empty() {
        return vec![None; shop.products.len()];
    }
    let q1 = prices[prices.len() / 4];
    let q3 = prices[(prices.len() * 3) / 4];
    shop.products
        .iter()
        .map(|p| {
            let price = p.price_cents?;
            Some(if price >= q3 && q3 > q1 {
                PriceBand::Premium
            } else if price < q1 {
                PriceBand::Budget
            } else {
                PriceBand::Standard
            })
        })
        .collect()
}

/// Units sold in the popularity window, relative to the best seller.
fn popularity(
    shop: &Shop,
    line_order: &[Option<usize>],
    line_product: &[Option<Pos>],
    today: NaiveDate,
) -> Vec<f64> {
    let from = today - chrono::Duration::days(shop.settings.popularity_days);
    let mut units = vec![0i64; shop.products.len()];
    // For counting customers: each product's units per customer (a guest sale per order),
    // returns taken off.
    let mut bought: Vec<((usize, bool, i64), i64)> = Vec::new();
    for (l, line) in shop.lines.iter().enumerate() {
        let (Some(o), Some(p)) = (line_order[l], line_product[l]) else {
            continue;
        };
        let order = &shop.orders[o];
        if order.date > from && order.date <= today {
            match shop.settings.popularity_counts {
                PopularityCount::Units => units[p as usize] += line.quantity,
                PopularityCount::Customers => {
                    let who = match order.customer {
                        Some(c) => (p as usize, true, c),
                        None => (p as usize, false, order.id),
                    };
                    bought.push((who, line.quantity));
                }
            }
        }
    }
    if shop.settings.popularity_counts == PopularityCount::Customers {
        // A customer counts once, and only if they kept some: one who returned all they
        // bought of it in the period did not choose it.
        bought.sort_unstable_by_key(|(who, _)| *who);
        for run in bought.chunk_by(|a, b| a.0 == b.0) {
            if run.iter().map(|(_, q)| q).sum::<i64>() > 0 {
                units[run[0].0.0] += 1;
            }
        }
    }
    let best = units.iter().copied().max().unwrap_or(0);
    units
        .iter()
        .map(|&u| {
            if best > 0 {
                u.max(0) as f64 / best as f64
            } else {
                0.0
            }
        })
        .collect()
}

/// For each preference event, whether it is the decision recorded last about its customer
/// and preference and is not a withdrawal: whether it stands.
fn standing_events(shop: &Shop) -> Vec<bool> {
    let events = &shop.preferences;
    let mut standing = vec![false; events.len()];
    let mut decided = std::collections::HashSet::new();
    for (e, event) in events.iter().enumerate().rev() {
        if decided.insert((event.customer, &event.preference)) {
            standing[e] = !event.withdrawn;
        }
    }
    standing
}

/// Each customer's standing preferences of `kind` (event positions), grouped by customer
/// (`pos` finds a customer's position).
fn standing_of_kind(
    shop: &Shop,
    standing: &[bool],
    kind: PreferenceKind,
    pos: impl Fn(CustomerId) -> Option<usize>,
) -> Groups {
    let events = &shop.preferences;
    Groups::build(shop.customers.len(), events.len(), |e| {
        (standing[e] && events[e].preference.kind == kind)
            .then(|| pos(events[e].customer))
            .flatten()
    })
}

/// Each customer's categories (positions in `categories`) whose purchases they asked the
/// shop not to use; a category is named as the products name it, in any case.
fn ignored_categories(
    shop: &Shop,
    standing: &[bool],
    categories: &[String],
    pos: impl Fn(CustomerId) -> Option<usize>,
) -> Groups {
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (e, event) in shop.preferences.iter().enumerate() {
        let About::Category(name) = &event.preference.about else {
            continue;
        };
        if !standing[e] || event.preference.kind != PreferenceKind::IgnorePurchases {
            continue;
        }
        let Some(c) = pos(event.customer) else {
            continue;
        };
        for (k, category) in categories.iter().enumerate() {
            if category.eq_ignore_ascii_case(name) {
                pairs.push((c, k));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let mut groups = Groups::build(shop.customers.len(), pairs.len(), |i| Some(pairs[i].0));
    for item in &mut groups.items {
        *item = pairs[*item as usize].1 as Pos;
    }
    groups
}

/// Bit set of granted purposes per customer, from the decision recorded last for each
/// purpose (events are in the order Candor recorded them; their dates play no part).
fn current_consents(shop: &Shop, by_customer: &Groups, purposes: &[String]) -> Vec<u64> {
    let mut latest: Vec<Option<bool>> = vec![None; purposes.len()];
    (0..shop.customers.len())
        .map(|c| {
            latest.iter_mut().for_each(|l| *l = None);
            for e in by_customer.of(c) {
                let ev = &shop.consents[e];
                if let Some(bit) = purposes.iter().position(|p| *p == ev.purpose) {
                    latest[bit] = Some(ev.granted);
                }
            }
            latest
                .iter()
                .enumerate()
                .filter(|&(bit, l)| bit < 64 && *l == Some(true))
                .fold(0u64, |mask, (bit, _)| mask | (1 << bit))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::IdLookup;

    #[test]
    fn every_lookup_shape_finds_the_same_positions() {
        let cases: [Vec<i64>; 4] = [
            vec![1, 2, 3, 5, 8],            // dense with gaps
            vec![-3, -1, 0, 4],             // dense, negative ids
            vec![10, 1_000_000, 5_000_000], // sorted but sparse
            vec![7, 3, 9, 1],               // unsorted
        ];
        for ids in cases {
            let lookup = IdLookup::new(ids.iter().copied());
            for (pos, id) in ids.iter().enumerate() {
                assert_eq!(lookup.get(*id), Some(pos), "{ids:?} id {id}");
            }
            for missing in [2, 4, 6, 11, -100, i64::MAX, i64::MIN] {
                if !ids.contains(&missing) {
                    assert_eq!(lookup.get(missing), None, "{ids:?} id {missing}");
                }
            }
        }
    }
}
