//! Relevance measured on the shop's own history (a backtest): hold out the last days of
//! orders, compute every customer's list as it would have been on the day before, from
//! earlier records only, and compare it with what they then bought. The same figures for
//! two baselines (*popular* and *bought before*) say whether the rules earn their keep.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::index::ShopIndex;
use super::model::{ConsentEvent, STOCK_NOT_TRACKED, Shop};
use super::simulate::{BeforeAfter, Progress, per_customer};

/// Days held out when not told otherwise.
pub const DEFAULT_DAYS: i64 = 30;
/// List length judged when not told otherwise.
pub const DEFAULT_TOP: usize = 10;
/// The longest hold-out: ten years.
pub const MAX_DAYS: i64 = 3650;
/// The longest list judged.
pub const MAX_TOP: usize = 100;
/// The *popular* baseline counts the customers of each product in this many days
/// before the hold-out.
pub const POPULAR_DAYS: i64 = 30;

/// What to measure: how many days to hold out, how long a list, and whose consent counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct BacktestConfig {
    /// Days held out, ending on the shop's day.
    pub days: i64,
    /// List length judged (the K of hit rate@K).
    pub top: usize,
    /// Evaluate everyone as if they had agreed to every purpose (for historical data
    /// with no consent records).
    pub as_if_consented: bool,
}

impl Default for BacktestConfig {
    fn default() -> Self {
        Self {
            days: DEFAULT_DAYS,
            top: DEFAULT_TOP,
            as_if_consented: false,
        }
    }
}

/// Why relevance cannot be measured.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RelevanceError {
    /// The hold-out length is out of range.
    #[error("the hold-out must be between 1 and {MAX_DAYS} days, not {0}")]
    Days(i64),
    /// The list length is out of range.
    #[error("the list length must be between 1 and {MAX_TOP}, not {0}")]
    Top(usize),
    /// Nobody bought both before and during the hold-out.
    #[error(
        "no customer bought something both before {from} and between {from} and {to}, so \
         there is nothing to measure relevance on; try a longer hold-out (more days)"
    )]
    NoCustomers {
        /// First day held out.
        from: NaiveDate,
        /// Last day held out.
        to: NaiveDate,
    },
    /// Someone pressed Cancel.
    #[error("the measurement was cancelled")]
    Cancelled,
}

impl BacktestConfig {
    /// Refuses a hold-out or list length out of range.
    pub fn validate(&self) -> Result<(), RelevanceError> {
        if !(1..=MAX_DAYS).contains(&self.days) {
            return Err(RelevanceError::Days(self.days));
        }
        if !(1..=MAX_TOP).contains(&self.top) {
            return Err(RelevanceError::Top(self.top));
        }
        Ok(())
    }
}

/// The days held out: orders dated from `from` to `to`, both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct HoldOut {
    /// First day held out (the day after the lists are computed for).
    pub from: NaiveDate,
    /// Last day held out: the shop's day.
    pub to: NaiveDate,
    /// Number of days held out.
    pub days: i64,
}

/// The two ways a list is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    /// Truth: every product bought in the hold-out, repeats included.
    All,
    /// Truth: products not bought before; lists leave out what was bought before.
    New,
}

impl Variant {
    /// The variant in words.
    pub fn text(self) -> &'static str {
        match self {
            Self::All => "everything bought",
            Self::New => "new products only",
        }
    }
}

/// Who makes the lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The shop's own rules, as they stand.
    Rules,
    /// The products most customers bought in the 30 days before the hold-out.
    Popular,
    /// The customer's own products, most often ordered first, then *popular*.
    BoughtBefore,
}

impl Method {
    /// The method in words.
    pub fn text(self) -> &'static str {
        match self {
            Self::Rules => "the shop's rules",
            Self::Popular => "popular (30 days)",
            Self::BoughtBefore => "bought before",
        }
    }
}

/// One method's figures in one variant, averaged over the customers evaluated; `None`
/// (JSON `null`) when no customer could be evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MethodFigures {
    /// Who made the lists.
    pub method: Method,
    /// Share of customers with at least one product of the list bought.
    pub hit_rate: Option<f64>,
    /// Products of the list bought, out of the list length.
    pub precision: Option<f64>,
    /// Products bought that the list named, out of the products bought.
    pub recall: Option<f64>,
    /// Normalized discounted cumulative gain (binary): hits near the top count more.
    pub ndcg: Option<f64>,
    /// Share of the products that may be recommended appearing in some list.
    pub coverage: Option<f64>,
}

/// One variant's figures for every method.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VariantFigures {
    /// How the lists are judged.
    pub variant: Variant,
    /// Customers evaluated.
    pub customers: usize,
    /// The rules, then the baselines.
    pub methods: Vec<MethodFigures>,
}

/// What `candor evaluate` reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Relevance {
    /// The shop's day: the last day held out.
    pub as_of: NaiveDate,
    /// The days held out.
    pub hold_out: HoldOut,
    /// List length judged.
    pub top: usize,
    /// Whether everyone was evaluated as if they had agreed.
    pub as_if_consented: bool,
    /// Variant *all*, then *new*.
    pub variants: Vec<VariantFigures>,
}

/// Each customer's purchases on either side of the split, for the customers evaluated.
struct Split {
    hold_out: HoldOut,
    /// Customer positions with a purchase before and one in the hold-out.
    customers: Vec<usize>,
    /// Per evaluated customer: each product bought before, with the number of orders
    /// containing it and the last day it was bought.
    before: Vec<Vec<Bought>>,
    /// Per evaluated customer: the products bought in the hold-out, sorted.
    truth_all: Vec<Vec<u32>>,
    /// Per evaluated customer: those of them not bought before, sorted.
    truth_new: Vec<Vec<u32>>,
    /// Products that may be recommended, by popularity in the days before the hold-out.
    popular: Vec<u32>,
    /// Number of products that may be recommended.
    catalogue: usize,
}

/// A product a customer bought before the hold-out.
#[derive(Clone, Copy, Debug)]
struct Bought {
    product: u32,
    orders: u32,
    last: NaiveDate,
}

/// Measures the shop's rules and both baselines on the last `config.days` days up to the
/// index's day. Cancellable through `progress`.
pub fn evaluate(
    index: &ShopIndex,
    config: &BacktestConfig,
    progress: &Progress,
) -> Result<Relevance, RelevanceError> {
    config.validate()?;
    let mut split = split(index, config.days, progress)?;
    if split.customers.is_empty() {
        return Err(RelevanceError::NoCustomers {
            from: split.hold_out.from,
            to: split.hold_out.to,
        });
    }
    split.popular = popular_ranking(index, split.cut());
    let past = past_index(index, split.cut(), config.as_if_consented);
    let rules = rules_lists(&past, &split, config.top, progress)?;
    let baseline = |variant: Variant| {
        let popular = popular_lists(&split, variant, config.top);
        let bought = bought_before_lists(&split, variant, config.top);
        [(Method::Popular, popular), (Method::BoughtBefore, bought)]
    };
    let variants = [Variant::All, Variant::New]
        .into_iter()
        .map(|variant| {
            let [(p, popular), (b, bought)] = baseline(variant);
            let lists = [
                (Method::Rules, rules.of(variant)),
                (p, popular.as_slice()),
                (b, bought.as_slice()),
            ];
            let (customers, methods) = judge_all(&split, variant, config.top, &lists);
            VariantFigures {
                variant,
                customers,
                methods,
            }
        })
        .collect();
    Ok(Relevance {
        as_of: split.hold_out.to,
        hold_out: split.hold_out,
        top: config.top,
        as_if_consented: config.as_if_consented,
        variants,
    })
}

/// The rules' hit rate and NDCG before and after a scenario, per variant.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RelevanceChange {
    /// Days held out.
    pub days: i64,
    /// List length judged.
    pub top: usize,
    /// Variant *all*, then *new*.
    pub variants: Vec<VariantChange>,
}

/// One variant's rule figures before and after a scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VariantChange {
    /// How the lists are judged.
    pub variant: Variant,
    /// Customers evaluated (after the scenario; a merge can change it).
    pub customers: usize,
    /// Hit rate of the rules before and after.
    pub hit_rate: BeforeAfter,
    /// NDCG of the rules before and after.
    pub ndcg: BeforeAfter,
}

/// What a backtest of one shop knows before any scenario is tried on it: the hold-out,
/// who is evaluated and what they bought, the shop as it stood the day before, and the
/// rules' figures there. Kept between simulations of the same shop.
pub struct Hindsight {
    config: BacktestConfig,
    split: Split,
    past: ShopIndex,
    rules: Vec<(usize, MethodFigures)>,
}

impl Hindsight {
    /// The settings it was measured with.
    pub fn config(&self) -> &BacktestConfig {
        &self.config
    }
}

/// Measures the rules of the shop behind `index` on its hold-out, keeping what a
/// simulation of a change needs to measure the changed shop the same way.
pub fn hindsight(
    index: &ShopIndex,
    config: &BacktestConfig,
    progress: &Progress,
) -> Result<Hindsight, RelevanceError> {
    config.validate()?;
    let split = split(index, config.days, progress)?;
    let past = past_index(index, split.cut(), config.as_if_consented);
    let rules = rules_figures(&past, &split, config.top, progress)?;
    Ok(Hindsight {
        config: *config,
        split,
        past,
        rules,
    })
}

/// The rules' customers and figures per variant (*all*, then *new*).
fn rules_figures(
    past: &ShopIndex,
    split: &Split,
    k: usize,
    progress: &Progress,
) -> Result<Vec<(usize, MethodFigures)>, RelevanceError> {
    let rules = rules_lists(past, split, k, progress)?;
    Ok([Variant::All, Variant::New]
        .into_iter()
        .map(|variant| {
            let lists = [(Method::Rules, rules.of(variant))];
            let (customers, mut methods) = judge_all(split, variant, k, &lists);
            (customers, methods.remove(0))
        })
        .collect())
}

/// The rules' relevance in the shop behind `before_index` (measured as `before`) and in
/// the changed shop behind `after`, on the same hold-out. Figures that cannot be computed
/// (nobody to evaluate) are `None`.
pub fn rules_before_after(
    before_index: &ShopIndex,
    before: &Hindsight,
    after: &ShopIndex,
    progress: &Progress,
) -> Result<RelevanceChange, RelevanceError> {
    let config = before.config;
    // Most changes leave the order history alone: then the customers evaluated and what
    // they bought are those of the shop before.
    let (b, a) = (before_index.shop(), after.shop());
    let same_history = Arc::ptr_eq(&b.orders, &a.orders)
        && Arc::ptr_eq(&b.lines, &a.lines)
        && Arc::ptr_eq(&b.products, &a.products)
        && b.customers.len() == a.customers.len();
    let split_after = if same_history {
        None
    } else {
        Some(split(after, config.days, progress)?)
    };
    let cut = before.split.cut();
    let mut past_shop = shop_on(a, cut, config.as_if_consented);
    if Arc::ptr_eq(&b.products, &a.products) {
        // The same products: the past index's "bought together" table is shared too.
        past_shop.products = Arc::clone(&before.past.shop().products);
    }
    let past_after = before.past.for_changed(Arc::new(past_shop));
    let split_after = split_after.as_ref().unwrap_or(&before.split);
    let a = rules_figures(&past_after, split_after, config.top, progress)?;
    let b = before.rules.clone();
    let variants = [Variant::All, Variant::New]
        .into_iter()
        .zip(b.into_iter().zip(a))
        .map(|(variant, ((_, b), (customers, a)))| VariantChange {
            variant,
            customers,
            hit_rate: BeforeAfter {
                before: b.hit_rate,
                after: a.hit_rate,
            },
            ndcg: BeforeAfter {
                before: b.ndcg,
                after: a.ndcg,
            },
        })
        .collect();
    Ok(RelevanceChange {
        days: config.days,
        top: config.top,
        variants,
    })
}

/// The hold-out, who is evaluated and what they bought on either side of the split
/// (customers in parallel). The *popular* ranking is left empty: only the baselines use it.
fn split(index: &ShopIndex, days: i64, progress: &Progress) -> Result<Split, RelevanceError> {
    let to = index.today();
    let cut = to - Duration::days(days);
    let hold_out = HoldOut {
        from: cut + Duration::days(1),
        to,
        days,
    };
    let shop = index.shop();
    let everyone: Vec<usize> = (0..shop.customers.len()).collect();
    let quiet = Progress::default();
    let bought = per_customer(index, &everyone, &quiet, |_, c| {
        // Orders are oldest first: most customers ordered on one side of the cut only.
        let first = index.orders_of(c).next().map(|o| shop.orders[o].date);
        let last = index.orders_of(c).last().map(|o| shop.orders[o].date);
        if !(first.is_some_and(|d| d <= cut) && last.is_some_and(|d| d > cut)) {
            return (Vec::new(), Vec::new());
        }
        let (before, mut held_out) = purchases_of(index, c, cut);
        held_out.sort_unstable();
        held_out.dedup();
        (before, held_out)
    });
    if progress.cancel.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(RelevanceError::Cancelled);
    }
    let mut split = Split {
        hold_out,
        customers: Vec::new(),
        before: Vec::new(),
        truth_all: Vec::new(),
        truth_new: Vec::new(),
        popular: Vec::new(),
        catalogue: shop.products.iter().filter(|p| p.is_product()).count(),
    };
    for (c, (before, held_out)) in bought.into_iter().flatten().enumerate() {
        if before.is_empty() || held_out.is_empty() {
            continue;
        }
        let new: Vec<u32> = held_out
            .iter()
            .copied()
            .filter(|p| !before.iter().any(|b| b.product == *p))
            .collect();
        split.customers.push(c);
        split.before.push(before);
        split.truth_all.push(held_out);
        split.truth_new.push(new);
    }
    Ok(split)
}

impl Split {
    /// The last day before the hold-out: the day the lists are computed for.
    fn cut(&self) -> NaiveDate {
        self.hold_out.from - Duration::days(1)
    }
}

/// A customer's purchases (positive quantities of real products) up to `cut`, per
/// product, and the products they bought after it.
fn purchases_of(index: &ShopIndex, customer: usize, cut: NaiveDate) -> (Vec<Bought>, Vec<u32>) {
    let shop = index.shop();
    let mut before: Vec<Bought> = Vec::new();
    let mut after: Vec<u32> = Vec::new();
    for o in index.orders_of(customer) {
        let date = shop.orders[o].date;
        let mut products: Vec<u32> = index.bought_in(o).map(|p| p as u32).collect();
        if date > cut {
            after.extend(products);
            continue;
        }
        products.sort_unstable();
        products.dedup();
        for product in products {
            match before.iter_mut().find(|b| b.product == product) {
                Some(b) => {
                    b.orders += 1;
                    b.last = b.last.max(date);
                }
                None => before.push(Bought {
                    product,
                    orders: 1,
                    last: date,
                }),
            }
        }
    }
    (before, after)
}

/// Products that may be recommended, by the number of distinct customers who bought them
/// in the [`POPULAR_DAYS`] days up to `cut` (then by product number).
fn popular_ranking(index: &ShopIndex, cut: NaiveDate) -> Vec<u32> {
    let shop = index.shop();
    let from = cut - Duration::days(POPULAR_DAYS);
    let mut buyers = vec![0usize; shop.products.len()];
    let mut last_buyer = vec![usize::MAX; shop.products.len()];
    for c in 0..shop.customers.len() {
        for o in index.orders_of(c) {
            let date = shop.orders[o].date;
            if date <= from || date > cut {
                continue;
            }
            for l in index.lines_of(o) {
                if let (Some(p), true) = (index.line_product(l), shop.lines[l].quantity > 0)
                    && last_buyer[p] != c
                {
                    last_buyer[p] = c;
                    buyers[p] += 1;
                }
            }
        }
    }
    let mut ranked: Vec<u32> = (0..shop.products.len())
        .filter(|&p| shop.products[p].is_product())
        .map(|p| p as u32)
        .collect();
    ranked.sort_by_key(|&p| {
        (
            std::cmp::Reverse(buyers[p as usize]),
            shop.products[p as usize].id,
        )
    });
    ranked
}

/// The rules' lists, both variants, per evaluated customer.
struct RuleLists {
    all: Vec<Vec<u32>>,
    new: Vec<Vec<u32>>,
}

impl RuleLists {
    fn of(&self, variant: Variant) -> &[Vec<u32>] {
        match variant {
            Variant::All => &self.all,
            Variant::New => &self.new,
        }
    }
}

/// Each evaluated customer's list from the shop's rules as they would have been on the
/// day before the hold-out (`past`, from [`past_index`]).
fn rules_lists(
    past: &ShopIndex,
    split: &Split,
    k: usize,
    progress: &Progress,
) -> Result<RuleLists, RelevanceError> {
    let mut at = vec![usize::MAX; past.shop().customers.len()];
    for (i, &c) in split.customers.iter().enumerate() {
        at[c] = i;
    }
    let lists = per_customer(past, &split.customers, progress, |scorer, c| {
        let before = &split.before[at[c]];
        let plan = scorer.plan(c);
        let ranked: Vec<u32> = scorer
            .top_fast(&plan, k + before.len())
            .iter()
            .map(|r| r.product as u32)
            .collect();
        let all: Vec<u32> = ranked.iter().copied().take(k).collect();
        let new: Vec<u32> = ranked
            .into_iter()
            .filter(|p| !before.iter().any(|b| b.product == *p))
            .take(k)
            .collect();
        (all, new)
    })
    .ok_or(RelevanceError::Cancelled)?;
    let (all, new) = lists.into_iter().unzip();
    Ok(RuleLists { all, new })
}

/// The index of the shop as it stood at the end of `cut`: earlier orders only, consent
/// as it then stood (or as if agreed), stock ignored.
fn past_index(index: &ShopIndex, cut: NaiveDate, as_if_consented: bool) -> ShopIndex {
    ShopIndex::new(Arc::new(shop_on(index.shop(), cut, as_if_consented)), cut)
}

/// The shop as it stood at the end of `cut`, for a backtest: stock is ignored (past stock
/// is not known), and orders after `cut` are left out by the index built for `cut`.
/// Consent is as it stood on `cut` **and** as it stands now: decisions dated later do not
/// count back, except that a purpose the customer has since refused (their latest
/// decision) is refused in the backtest too, so nobody's data is used against their
/// current wish. `as_if_consented` grants only the purposes a customer was never asked
/// about; a recorded refusal stands.
fn shop_on(shop: &Shop, cut: NaiveDate, as_if_consented: bool) -> Shop {
    let mut past = shop.clone();
    past.products = Arc::new(
        shop.products
            .iter()
            .map(|p| {
                let mut p = p.clone();
                p.stock = STOCK_NOT_TRACKED;
                p
            })
            .collect(),
    );
    // The latest decision per customer and purpose, in the order they were recorded.
    let mut latest: std::collections::HashMap<(i64, &str), bool> = std::collections::HashMap::new();
    for e in shop.consents.iter() {
        latest.insert((e.customer, e.purpose.as_str()), e.granted);
    }
    let mut consents: Vec<ConsentEvent> = shop
        .consents
        .iter()
        .filter(|e| e.at <= cut)
        .cloned()
        .collect();
    let decision = |customer: i64, purpose: &str, granted: bool| ConsentEvent {
        customer,
        purpose: purpose.to_owned(),
        granted,
        at: cut,
        recorded_at: None,
        decided_on: None,
        method: "backtest".to_owned(),
        recorded_by: "backtest".to_owned(),
        words: None,
        wording: None,
    };
    for customer in shop.customers.iter() {
        for purpose in &shop.purposes {
            match latest.get(&(customer.id, purpose.id.as_str())) {
                Some(false) => consents.push(decision(customer.id, &purpose.id, false)),
                None if as_if_consented => {
                    consents.push(decision(customer.id, &purpose.id, true));
                }
                _ => {}
            }
        }
    }
    past.consents = Arc::new(consents);
    past
}

/// *Popular* lists: the same for everyone, less what they bought before in variant new.
fn popular_lists(split: &Split, variant: Variant, k: usize) -> Vec<Vec<u32>> {
    split
        .before
        .iter()
        .map(|before| fill(Vec::new(), &split.popular, before, variant, k))
        .collect()
}

/// *Bought before* lists: the customer's products by the number of orders containing
/// them, then the most recent, then product position; remaining places by *popular*.
/// In variant new this leaves the *popular* list less what they bought.
fn bought_before_lists(split: &Split, variant: Variant, k: usize) -> Vec<Vec<u32>> {
    split
        .before
        .iter()
        .map(|before| {
            let mut own = before.clone();
            own.sort_by_key(|b| (std::cmp::Reverse((b.orders, b.last)), b.product));
            let start: Vec<u32> = match variant {
                Variant::All => own.iter().map(|b| b.product).take(k).collect(),
                Variant::New => Vec::new(),
            };
            fill(start, &split.popular, before, variant, k)
        })
        .collect()
}

/// Fills `list` to `k` from `ranking`, skipping what is already listed and, in variant
/// new, what the customer bought before.
fn fill(
    mut list: Vec<u32>,
    ranking: &[u32],
    before: &[Bought],
    variant: Variant,
    k: usize,
) -> Vec<u32> {
    for &p in ranking {
        if list.len() >= k {
            break;
        }
        let bought = variant == Variant::New && before.iter().any(|b| b.product == p);
        if !bought && !list.contains(&p) {
            list.push(p);
        }
    }
    list
}

/// Judges every method's lists in one variant: the customers evaluated and the figures.
fn judge_all(
    split: &Split,
    variant: Variant,
    k: usize,
    lists: &[(Method, &[Vec<u32>])],
) -> (usize, Vec<MethodFigures>) {
    let truths = match variant {
        Variant::All => &split.truth_all,
        Variant::New => &split.truth_new,
    };
    let judged: Vec<usize> = (0..truths.len())
        .filter(|&i| !truths[i].is_empty())
        .collect();
    let methods = lists
        .iter()
        .map(|(method, lists)| {
            let mut sums = [0.0f64; 4];
            let mut shown: Vec<u32> = Vec::new();
            for &i in &judged {
                let scores = judge(&lists[i], &truths[i], k);
                sums.iter_mut().zip(scores).for_each(|(s, x)| *s += x);
                shown.extend(&lists[i]);
            }
            shown.sort_unstable();
            shown.dedup();
            let mean = |sum: f64| (!judged.is_empty()).then(|| sum / judged.len() as f64);
            MethodFigures {
                method: *method,
                hit_rate: mean(sums[0]),
                precision: mean(sums[1]),
                recall: mean(sums[2]),
                ndcg: mean(sums[3]),
                coverage: (!judged.is_empty() && split.catalogue > 0)
                    .then(|| shown.len() as f64 / split.catalogue as f64),
            }
        })
        .collect();
    (judged.len(), methods)
}

/// Hit, precision, recall and NDCG of one list against the products bought (sorted,
/// not empty).
fn judge(list: &[u32], truth: &[u32], k: usize) -> [f64; 4] {
    let gain = |rank: usize| 1.0 / ((rank + 2) as f64).log2();
    let mut hits = 0usize;
    let mut dcg = 0.0;
    for (rank, p) in list.iter().take(k).enumerate() {
        if truth.binary_search(p).is_ok() {
            hits += 1;
            dcg += gain(rank);
        }
    }
    let ideal: f64 = (0..truth.len().min(k)).map(gain).sum();
    [
        f64::from(u8::from(hits > 0)),
        hits as f64 / k as f64,
        hits as f64 / truth.len() as f64,
        dcg / ideal,
    ]
}

#[cfg(test)]
mod tests {
    use super::judge;

    #[test]
    fn one_list_is_judged_as_the_textbook_says() {
        // Bought products 3 and 7; the list names 7 second and 3 fourth, of K = 4.
        let [hit, precision, recall, ndcg] = judge(&[1, 7, 2, 3], &[3, 7], 4);
        assert_eq!(hit, 1.0);
        assert_eq!(precision, 0.5);
        assert_eq!(recall, 1.0);
        let dcg = 1.0 / 3f64.log2() + 1.0 / 5f64.log2();
        let ideal = 1.0 + 1.0 / 3f64.log2();
        assert!((ndcg - dcg / ideal).abs() < 1e-15);
        assert_eq!(judge(&[1, 2], &[3], 2), [0.0, 0.0, 0.0, 0.0]);
    }
}
