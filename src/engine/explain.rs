//! "Why did I get this?": a customer's recommendations with every contribution, the
//! records behind it, the consent that allowed it, the rules that did not run, and a
//! counterfactual. The JSON shape of these types is a public contract (see README).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::features::FeatureId;
use super::index::ShopIndex;
use super::model::{CustomerId, OrderId, PersonalField, ProductId};
use super::rules::{Amount, Rule, Target};
use super::score::{
    CustomerPlan, NotPersonalized, Ranked, RuleStatus, Scorer, SkipReason, product_matches,
    rule_visits_and_amount,
};
pub use super::words::and_list;

/// Largest number of contributions the counterfactual search combines (2^8 subsets).
const COUNTERFACTUAL_MAX_SOURCES: usize = 8;

/// A customer's explained recommendations.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    /// Customer number.
    pub customer: CustomerId,
    /// The day the explanation was computed for.
    pub today: NaiveDate,
    /// The currency of every `price_cents` below (ISO 4217 code).
    pub currency: super::money::Currency,
    /// False when no rule in use has its purpose granted by the customer.
    pub personalized: bool,
    /// Why the list is not personalized (`no_consent` or `no_rule_in_use`), when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_personalized: Option<NotPersonalized>,
    /// The recommendations, best first.
    pub recommendations: Vec<Recommendation>,
    /// Rules that did not run for this customer, and why.
    pub skipped: Vec<Skipped>,
    /// Products that could not be recommended to this customer, and why.
    pub excluded: Vec<Excluded>,
    /// The customer's standing "not wanted" preferences and what each leaves out; they
    /// hold whether or not the list is personalized.
    pub left_out: Vec<LeftOut>,
    /// The customer's standing requests not to use their purchases in a category, and how
    /// many of their order lines each keeps out of every rule.
    pub purchases_not_used: Vec<PurchasesNotUsed>,
}

/// A request not to use the customer's purchases in a category, and what it keeps out.
#[derive(Clone, Debug, Serialize)]
pub struct PurchasesNotUsed {
    /// The preference.
    pub preference: super::preferences::Preference,
    /// The day it was recorded.
    pub stated_on: NaiveDate,
    /// What staff read out: "Not used: you asked us on 3 May 2026 not to use your
    /// purchases in gifts."
    pub sentence: String,
    /// How many of the customer's order lines no rule reads because of it.
    pub lines: usize,
}

/// A "not wanted" preference and the products it leaves out of the customer's list.
#[derive(Clone, Debug, Serialize)]
pub struct LeftOut {
    /// The preference.
    pub preference: super::preferences::Preference,
    /// The day it was recorded.
    pub stated_on: NaiveDate,
    /// What staff read out: "Left out: you told us on 3 May 2026 you do not want wine."
    pub sentence: String,
    /// How many products it leaves out.
    pub products: usize,
}

/// One recommended product and why.
#[derive(Clone, Debug, Serialize)]
pub struct Recommendation {
    /// 1 for the best.
    pub rank: usize,
    /// Product number.
    pub product: ProductId,
    /// Product name.
    pub name: String,
    /// Product category.
    pub category: String,
    /// Price in minor units of the shop's currency (pence for GBP); `null` when not known.
    pub price_cents: Option<i64>,
    /// Exactly the sum of `contributions[].value`.
    pub score: f64,
    /// One sentence staff can read out to the customer; it always names the personal data
    /// used, whatever the rules' reasons say.
    pub sentence: String,
    /// The customer's data the contributions used, in the customer's own words ("your age
    /// (from your birth date)"); empty when only popularity counted.
    pub data_used: Vec<String>,
    /// What added to the score.
    pub contributions: Vec<Contribution>,
    /// The smallest set of contributions without which the product drops out.
    pub counterfactual: Counterfactual,
}

impl Recommendation {
    /// The score as shown, in hundredths: the exact score rounded half away from zero
    /// (printing the float itself could round a stored 3.4249… down where the sum of the
    /// contributions says 3.425).
    pub fn shown_score(&self) -> f64 {
        let exact: f64 = self.contributions.iter().map(|c| c.value).sum();
        (exact * 100.0).round() / 100.0
    }

    /// The contributions as shown, in hundredths, so that side by side they add up to the
    /// score as shown: each is rounded, then where the rounded figures miss the rounded
    /// score by a hundredth or two, those that rounding moved furthest are moved back the
    /// other way. Each stays within 0.01 of the exact value (which the JSON keeps), and one
    /// is shown as 0.00 exactly when it adds less than 0.01 (see [`Contribution::counts`]).
    pub fn shown_contributions(&self) -> Vec<f64> {
        let cents = |v: f64| (v * 100.0).round() as i64;
        let exact: Vec<f64> = self.contributions.iter().map(|c| c.value * 100.0).collect();
        let mut shown: Vec<i64> = self.contributions.iter().map(|c| cents(c.value)).collect();
        let mut gap = cents(self.shown_score()) - shown.iter().sum::<i64>();
        let step = gap.signum();
        let error = |i: usize, shown: &[i64]| (exact[i] - shown[i] as f64) * step as f64;
        let mut order: Vec<usize> = (0..shown.len()).collect();
        order.sort_by(|&a, &b| error(b, &shown).total_cmp(&error(a, &shown)));
        for i in order {
            let next = shown[i] + step;
            let fits = (exact[i] - next as f64).abs() < 1.0
                && (next != 0) == self.contributions[i].counts();
            if gap != 0 && fits {
                shown[i] = next;
                gap -= step;
            }
        }
        shown.into_iter().map(|h| h as f64 / 100.0).collect()
    }
}

/// Where a contribution comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Non-personal popularity.
    Baseline,
    /// One of the shop's rules.
    Rule,
}

/// One part of a score.
#[derive(Clone, Debug, Serialize)]
pub struct Contribution {
    /// Baseline or rule.
    pub source: Source,
    /// Rule id, or "popularity" for the baseline.
    pub id: String,
    /// Human label.
    pub label: String,
    /// What it added (negative: pushed down).
    pub value: f64,
    /// The consent purpose that allowed it; `None` for the non-personal baseline.
    pub purpose: Option<String>,
    /// Personal-data fields read.
    pub fields: Vec<String>,
    /// What it read about the customer, in the customer's own words.
    pub data_used: Vec<String>,
    /// Feature values read.
    pub features: Vec<FeatureValue>,
    /// The customer's own records used.
    pub records: Vec<Record>,
    /// The rule's reason with this customer's values filled in.
    pub reason: String,
}

/// A feature and its value for this customer and product.
#[derive(Clone, Debug, Serialize)]
pub struct FeatureValue {
    /// Feature key.
    pub id: String,
    /// Human label.
    pub label: String,
    /// Its value.
    pub value: f64,
}

/// A record of the customer's that a contribution used.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// An order line.
    OrderLine {
        /// Order number.
        order: OrderId,
        /// Order date.
        date: NaiveDate,
        /// Product number.
        product: ProductId,
        /// Product name.
        product_name: String,
        /// Units.
        quantity: i64,
    },
    /// A whole order, counted by a condition (e.g. visits in the last year).
    Order {
        /// Order number.
        order: OrderId,
        /// Order date.
        date: NaiveDate,
    },
    /// A personal-data field.
    Field {
        /// Field key.
        field: String,
    },
}

/// What would change a recommendation.
#[derive(Clone, Debug, Serialize)]
pub struct Counterfactual {
    /// True when removing `removes` drops the product out of the top N.
    pub drops_out: bool,
    /// Ids of the contributions to remove (empty when nothing personal keeps it there).
    pub removes: Vec<String>,
    /// The counterfactual in words.
    pub sentence: String,
}

/// A rule that did not run.
#[derive(Clone, Debug, Serialize)]
pub struct Skipped {
    /// Rule id.
    pub id: String,
    /// Rule label.
    pub label: String,
    /// `disabled`, `outside_purpose`, `no_consent`, `agreed_before_covered` or `condition_not_met`.
    pub reason: &'static str,
    /// The reason in words.
    pub detail: String,
}

/// A product left out for this customer.
#[derive(Clone, Debug, Serialize)]
pub struct Excluded {
    /// Product number.
    pub product: ProductId,
    /// Product name.
    pub name: String,
    /// `out_of_stock`, `not_a_product`, `already_bought` or `not_wanted` (the customer told us).
    pub reason: &'static str,
}

/// Explains the customer at `customer` (a position), with their top `n`.
pub fn explain(scorer: &mut Scorer<'_>, customer: usize, n: usize) -> Explanation {
    let index = scorer.index();
    let shop = index.shop();
    let plan = scorer.plan(customer);
    let top = scorer.top(&plan, n, &[]);
    let recommendations = top
        .iter()
        .enumerate()
        .map(|(i, ranked)| {
            let contributions = contributions(scorer, &plan, ranked.product);
            let counterfactual = counterfactual(scorer, &plan, ranked, &contributions, n);
            let p = &shop.products[ranked.product];
            let data_used = data_used(&contributions);
            Recommendation {
                rank: i + 1,
                product: p.id,
                name: p.name.clone(),
                category: p.category.clone(),
                price_cents: p.price_cents,
                score: ranked.score,
                sentence: sentence(&contributions, &data_used, plan.not_personalized),
                data_used,
                contributions,
                counterfactual,
            }
        })
        .collect();
    Explanation {
        customer: shop.customers[customer].id,
        today: index.today(),
        currency: shop.settings.currency,
        personalized: plan.personalized,
        not_personalized: plan.not_personalized,
        recommendations,
        skipped: skipped(index, &plan),
        excluded: (0..shop.products.len())
            .filter_map(|p| {
                scorer.exclusion(&plan, p).map(|why| Excluded {
                    product: shop.products[p].id,
                    name: shop.products[p].name.clone(),
                    reason: why.code(),
                })
            })
            .collect(),
        left_out: left_out(index, customer),
        purchases_not_used: purchases_not_used(index, customer),
    }
}

/// The customer's standing requests not to use their purchases in a category, each with
/// the order lines it keeps out of every rule.
fn purchases_not_used(index: &ShopIndex, customer: usize) -> Vec<PurchasesNotUsed> {
    let shop = index.shop();
    index
        .standing_preferences(customer)
        .into_iter()
        .map(|e| &shop.preferences[e])
        .filter(|e| e.preference.kind == super::preferences::PreferenceKind::IgnorePurchases)
        .map(|e| {
            let about = e.preference.about_text(|_| None);
            let stated_on = e.recorded_at.date_naive();
            let lines = index
                .orders_of(customer)
                .flat_map(|o| index.lines_of(o))
                .filter(|&l| {
                    index
                        .line_product(l)
                        .is_some_and(|p| e.preference.covers(&shop.products[p]))
                })
                .count();
            PurchasesNotUsed {
                preference: e.preference.clone(),
                stated_on,
                sentence: format!(
                    "Not used: you asked us on {} not to use your purchases in {about}.",
                    stated_on.format("%-d %B %Y")
                ),
                lines,
            }
        })
        .collect()
}

/// The customer's standing "not wanted" preferences, each with the products it leaves out.
fn left_out(index: &ShopIndex, customer: usize) -> Vec<LeftOut> {
    let shop = index.shop();
    index
        .standing_preferences(customer)
        .into_iter()
        .map(|e| &shop.preferences[e])
        .filter(|e| e.preference.kind == super::preferences::PreferenceKind::NotWanted)
        .map(|e| {
            let about = e
                .preference
                .about_text(|id| super::changes::product_name(shop, id));
            let stated_on = e.recorded_at.date_naive();
            LeftOut {
                preference: e.preference.clone(),
                stated_on,
                sentence: format!(
                    "Left out: you told us on {} that you do not want {about}.",
                    stated_on.format("%-d %B %Y")
                ),
                products: shop
                    .products
                    .iter()
                    .filter(|p| e.preference.covers(p))
                    .count(),
            }
        })
        .collect()
}

fn skipped(index: &ShopIndex, plan: &CustomerPlan) -> Vec<Skipped> {
    let shop = index.shop();
    plan.statuses
        .iter()
        .zip(&shop.rules)
        .filter_map(|(status, rule)| match status {
            RuleStatus::Runs => None,
            RuleStatus::Skipped(why) => Some(Skipped {
                id: rule.id.clone(),
                label: rule.label.clone(),
                reason: why.code(),
                detail: match why {
                    SkipReason::NoConsent => format!(
                        "the customer has not agreed to \"{}\"",
                        purpose_label(index, &rule.purpose)
                    ),
                    SkipReason::OutsidePurpose { field } => format!(
                        "it reads the customer's {}, which \"{}\" does not cover, so it runs for nobody",
                        field.in_words(),
                        purpose_label(index, &rule.purpose)
                    ),
                    SkipReason::AgreedBeforeCovered { field } => format!(
                        "{}, so it does not run for them until they agree again",
                        super::score::agreed_before_covered_text(
                            *field,
                            &purpose_label(index, &rule.purpose)
                        )
                    ),
                    other => other.detail(rule),
                },
            }),
        })
        .collect()
}

/// The label of a purpose, falling back to its id.
pub fn purpose_label(index: &ShopIndex, purpose: &str) -> String {
    index.shop().purpose_label(purpose).to_owned()
}

/// Every contribution to one product's score for this customer, baseline first.
pub fn contributions(
    scorer: &Scorer<'_>,
    plan: &CustomerPlan,
    product: usize,
) -> Vec<Contribution> {
    let index = scorer.index();
    let shop = index.shop();
    let period = popularity_period(shop.settings.popularity_days);
    let mut out = vec![Contribution {
        source: Source::Baseline,
        id: FeatureId::Popularity.key().to_owned(),
        label: format!("Popular {period}"),
        value: scorer.baseline(product),
        purpose: None,
        fields: Vec::new(),
        data_used: Vec::new(),
        features: vec![FeatureValue {
            id: FeatureId::Popularity.key().to_owned(),
            label: FeatureId::Popularity.label().to_owned(),
            value: index.popularity(product),
        }],
        records: Vec::new(),
        reason: format!("it is popular {period}"),
    }];
    for (rule, status) in shop.rules.iter().zip(&plan.statuses) {
        if *status == RuleStatus::Runs
            && let Some(c) = rule_contribution(index, rule, plan.customer, product)
        {
            out.push(c);
        }
    }
    out
}

/// What one running rule adds to one product, with the records it used; `None` when nothing.
fn rule_contribution(
    index: &ShopIndex,
    rule: &Rule,
    customer: usize,
    product: usize,
) -> Option<Contribution> {
    let shop = index.shop();
    let (visits, amount) = rule_visits_and_amount(index, rule, customer, product)?;
    let counts_visits =
        rule.target.reads_purchases() || matches!(rule.amount, Amount::PerPurchase { .. });
    let mut features: Vec<FeatureValue> = rule
        .conditions
        .iter()
        .filter_map(|c| {
            c.feature
                .value(index, customer, index.today())
                .map(|value| FeatureValue {
                    id: FeatureId::Customer(c.feature).key().to_owned(),
                    label: c.feature.label().to_owned(),
                    value,
                })
        })
        .collect();
    if counts_visits {
        features.push(FeatureValue {
            id: FeatureId::PurchasesMatching.key().to_owned(),
            label: FeatureId::PurchasesMatching.label().to_owned(),
            value: visits.len() as f64,
        });
    }
    let mut records: Vec<Record> = visits
        .iter()
        .flat_map(|&o| index.lines_used(customer, o).map(move |l| (o, l)))
        .filter(|&(_, l)| shop.lines[l].quantity > 0)
        .filter_map(|(o, l)| {
            let q = index.line_product(l)?;
            product_matches(index, &rule.target, q, product).then(|| Record::OrderLine {
                order: shop.orders[o].id,
                date: shop.orders[o].date,
                product: shop.products[q].id,
                product_name: shop.products[q].name.clone(),
                quantity: shop.lines[l].quantity,
            })
        })
        .collect();
    let returned = returns_of(index, rule, customer, product);
    records.extend(returned.iter().cloned());
    records.extend(condition_orders(index, rule, customer));
    let fields = rule.fields();
    records.extend(
        fields
            .iter()
            .filter(|f| **f != PersonalField::Orders)
            .map(|f| Record::Field {
                field: f.key().to_owned(),
            }),
    );
    let dates: Vec<NaiveDate> = visits.iter().map(|&o| shop.orders[o].date).collect();
    let bought = if rule.target == Target::BoughtTogether {
        let (text, sum) = together_text(index, rule, customer, product, &records);
        features.push(FeatureValue {
            id: "bought_together".to_owned(),
            label: "How strongly it goes with what they bought (cosine over orders, summed)"
                .to_owned(),
            value: sum,
        });
        text
    } else {
        String::new()
    };
    Some(Contribution {
        source: Source::Rule,
        id: rule.id.clone(),
        label: rule.label.clone(),
        value: rule.weight * amount,
        purpose: Some(rule.purpose.clone()),
        fields: fields.iter().map(|f| f.key().to_owned()).collect(),
        data_used: rule
            .data_in_words()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        features,
        records,
        reason: fill_reason(index, rule, (customer, product), &dates).replace("{bought}", &bought)
            + &returns_text(&returned, index.today()),
    })
}

/// The customer's return lines of what a "bought" rule counted (the product, or its
/// category) in the rule's window: a purchase taken back is still a purchase the rule
/// counts, so the reason and its records say it was returned.
fn returns_of(index: &ShopIndex, rule: &Rule, customer: usize, product: usize) -> Vec<Record> {
    if !matches!(rule.target, Target::BoughtProduct | Target::BoughtCategory) {
        return Vec::new();
    }
    let shop = index.shop();
    let from = super::score::window_start(index, &rule.amount);
    index
        .orders_of(customer)
        .filter(|&o| from.is_none_or(|f| shop.orders[o].date > f))
        .flat_map(|o| index.lines_used(customer, o).map(move |l| (o, l)))
        .filter(|&(_, l)| shop.lines[l].quantity < 0)
        .filter_map(|(o, l)| {
            let q = index.line_product(l)?;
            product_matches(index, &rule.target, q, product).then(|| Record::OrderLine {
                order: shop.orders[o].id,
                date: shop.orders[o].date,
                product: shop.products[q].id,
                product_name: shop.products[q].name.clone(),
                quantity: shop.lines[l].quantity,
            })
        })
        .collect()
}

/// An order line in words: "2 × Tea", or "returned 1 × Tea" for a return.
pub fn units_text(quantity: i64, product_name: &str) -> String {
    if quantity < 0 {
        format!("returned {} × {product_name}", -quantity)
    } else {
        format!("{quantity} × {product_name}")
    }
}

/// How many returns a reason names by day; more are counted.
const RETURNS_NAMED: usize = 3;

/// " (returned: 1 on 3 May)" for the return lines among `records`, the latest three by day
/// and the rest counted; empty without any.
fn returns_text(returned: &[Record], today: NaiveDate) -> String {
    let mut lines: Vec<(NaiveDate, i64)> = returned
        .iter()
        .filter_map(|r| match r {
            Record::OrderLine { date, quantity, .. } => Some((*date, -quantity)),
            _ => None,
        })
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    lines.sort_by_key(|l| std::cmp::Reverse(l.0));
    let mut parts: Vec<String> = lines
        .iter()
        .take(RETURNS_NAMED)
        .map(|(date, units)| format!("{units} on {}", day_text(*date, today)))
        .collect();
    if lines.len() > RETURNS_NAMED {
        parts.push(format!("{} earlier", lines.len() - RETURNS_NAMED));
    }
    format!(" (returned: {})", and_list(&parts))
}

/// The customer's purchases a "bought together" amount came from, strongest first, in
/// words ("Jam jar set on 3 May (41 orders had both)"), and the sum of their cosines.
fn together_text(
    index: &ShopIndex,
    rule: &Rule,
    customer: usize,
    product: usize,
    records: &[Record],
) -> (String, f64) {
    let shop = index.shop();
    let partners = index.partners();
    let anchors = super::score::together_anchors(index, rule, customer);
    let sum = anchors
        .iter()
        .filter_map(|&a| partners.get(a, product))
        .fold(0.0, |s, p| s + p.cosine);
    let mut strongest: Vec<(usize, &super::together::Partner)> = anchors
        .iter()
        .filter_map(|&a| partners.get(a, product).map(|p| (a, p)))
        .collect();
    strongest.sort_by(|x, y| y.1.cosine.total_cmp(&x.1.cosine).then(x.0.cmp(&y.0)));
    let last_bought = |a: usize| {
        records
            .iter()
            .filter_map(|r| match r {
                Record::OrderLine { product, date, .. } if *product == shop.products[a].id => {
                    Some(*date)
                }
                _ => None,
            })
            .max()
    };
    let mut parts: Vec<String> = strongest
        .iter()
        .take(3)
        .map(|(a, p)| {
            let when = last_bought(*a)
                .map(|d| format!(" on {}", day_text(d, index.today())))
                .unwrap_or_default();
            format!(
                "{}{when} ({} orders had both)",
                shop.products[*a].name, p.orders
            )
        })
        .collect();
    if strongest.len() > 3 {
        parts.push(format!("{} more", strongest.len() - 3));
    }
    (and_list(&parts), sum)
}

/// The orders the rule's conditions counted: the last year's for visit and spend
/// conditions, the latest for "days since the last visit".
fn condition_orders(index: &ShopIndex, rule: &Rule, customer: usize) -> Vec<Record> {
    use super::features::CustomerFeature as F;
    let shop = index.shop();
    let year_ago = index.today() - chrono::Duration::days(365);
    let mut orders: Vec<usize> = Vec::new();
    for c in &rule.conditions {
        match c.feature {
            F::OrdersLastYear | F::SpendLastYear => orders.extend(
                index
                    .orders_used(customer)
                    .filter(|&o| shop.orders[o].date > year_ago),
            ),
            F::DaysSinceLastOrder => orders.extend(index.orders_used(customer).last()),
            F::Age | F::DaysToBirthday | F::CustomerForDays | F::Prefers => {}
        }
    }
    orders.sort_unstable();
    orders.dedup();
    orders
        .into_iter()
        .map(|o| Record::Order {
            order: shop.orders[o].id,
            date: shop.orders[o].date,
        })
        .collect()
}

/// Fills a rule's reason template with this customer's values.
fn fill_reason(
    index: &ShopIndex,
    rule: &Rule,
    (customer, product): (usize, usize),
    dates: &[NaiveDate],
) -> String {
    let p = &index.shop().products[product];
    let today = index.today();
    let tag = match &rule.target {
        Target::Tag { tag } => tag.clone(),
        Target::PreferredTag => index
            .liked_for(customer, product, true)
            .and_then(|e| match &index.shop().preferences[e].preference.about {
                super::preferences::About::Tag(t) => Some(t.clone()),
                _ => None,
            })
            .unwrap_or_default(),
        _ => String::new(),
    };
    let date_or_blank = |d: Option<&NaiveDate>| d.map(|d| day_text(*d, today)).unwrap_or_default();
    let category = if p.category == super::model::NO_CATEGORY {
        super::model::NO_CATEGORY_IN_WORDS
    } else {
        p.category.as_str()
    };
    rule.reason
        .replace("{category}", category)
        .replace("{product}", &p.name)
        .replace("{tag}", &tag)
        .replace(
            "{band}",
            index.price_band(product).map_or(
                super::money::PRICE_NOT_KNOWN,
                super::rules::PriceBand::label,
            ),
        )
        .replace("{data}", &and_list(&rule.data_in_words()))
        .replace("{count}", &dates.len().to_string())
        .replace("{times}", &times_text(dates.len()))
        .replace("{since}", &date_or_blank(dates.first()))
        .replace("{last}", &date_or_blank(dates.last()))
}

/// A count of occasions in words: "once", "twice", "3 times".
pub fn times_text(n: usize) -> String {
    match n {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    }
}

/// A date as people say it: "3 May", with the year when it is not this year.
pub fn day_text(date: NaiveDate, today: NaiveDate) -> String {
    if date.year() == today.year() {
        date.format("%-d %B").to_string()
    } else {
        date.format("%-d %B %Y").to_string()
    }
}

/// The time popularity counts over, in words: "this month" for 30 days, else "in the last
/// N days".
pub fn popularity_period(days: i64) -> String {
    if days == 30 {
        "this month".to_owned()
    } else {
        format!("in the last {}", super::words::days(days))
    }
}

/// The smallest contribution shown as other than 0.00: anything less is never given as a
/// reason, and its data is not "used" for the product.
pub const SHOWN_AS_ZERO: f64 = 0.005;

impl Contribution {
    /// Whether it adds or takes away something people can see (at least 0.01 rounded).
    pub fn counts(&self) -> bool {
        self.value.abs() >= SHOWN_AS_ZERO
    }
}

/// The customer's data used by the contributions that changed the score at all (however
/// little: a tiny one can still decide a tie), each once, in order.
fn data_used(contributions: &[Contribution]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for words in contributions
        .iter()
        .filter(|c| c.value != 0.0)
        .flat_map(|c| &c.data_used)
    {
        if !out.contains(words) {
            out.push(words.clone());
        }
    }
    out
}

/// One sentence from the largest positive contributions, then the data they used.
fn sentence(
    contributions: &[Contribution],
    data_used: &[String],
    not_personalized: Option<NotPersonalized>,
) -> String {
    if let Some(why) = not_personalized {
        let popular = contributions
            .iter()
            .find(|c| c.source == Source::Baseline && c.value >= SHOWN_AS_ZERO);
        let because = popular.map_or_else(
            || "Recommended as one of the shop's products for everyone.".to_owned(),
            |c| format!("Recommended because {}.", c.reason),
        );
        return format!("{because} {}", why.to_customer());
    }
    let mut positive: Vec<&Contribution> = contributions
        .iter()
        .filter(|c| c.value >= SHOWN_AS_ZERO && !c.reason.is_empty())
        .collect();
    positive.sort_by(|a, b| b.value.total_cmp(&a.value));
    let reasons: Vec<&str> = positive.iter().take(3).map(|c| c.reason.as_str()).collect();
    let because = match reasons.as_slice() {
        [] => "Recommended as one of the shop's products for everyone.".to_owned(),
        reasons => format!("Recommended because {}.", and_list(reasons)),
    };
    if data_used.is_empty() {
        because
    } else {
        format!("{because} This uses {}.", and_list(data_used))
    }
}

/// Finds the smallest set of the product's positive rule contributions whose removal
/// drops it out of the customer's top `n`, by recomputing the list without them.
fn counterfactual(
    scorer: &mut Scorer<'_>,
    plan: &CustomerPlan,
    ranked: &Ranked,
    contributions: &[Contribution],
    n: usize,
) -> Counterfactual {
    let rules = &scorer.index().shop().rules;
    let mut positive: Vec<(usize, &Contribution)> = contributions
        .iter()
        .filter(|c| c.source == Source::Rule && c.value > 0.0)
        .filter_map(|c| rules.iter().position(|r| r.id == c.id).map(|r| (r, c)))
        .collect();
    positive.sort_by(|a, b| b.1.value.total_cmp(&a.1.value));
    // Every lifting rule is tried at once; smaller sets among the strongest few.
    let every: Vec<usize> = (0..positive.len()).collect();
    let searched = positive.len().min(COUNTERFACTUAL_MAX_SOURCES);
    let mut sets: Vec<Vec<usize>> = Vec::new();
    for size in 1..=searched {
        let mut subsets: Vec<Vec<usize>> = subsets_of_size(searched, size);
        subsets.sort_by(|a, b| {
            let sum = |s: &Vec<usize>| s.iter().map(|&i| positive[i].1.value).sum::<f64>();
            sum(b).total_cmp(&sum(a))
        });
        sets.extend(subsets);
    }
    if searched < positive.len() {
        sets.push(every);
    }
    for subset in sets {
        let without: Vec<usize> = subset.iter().map(|&i| positive[i].0).collect();
        if !stays_without(scorer, plan, ranked, n, &without) {
            let chosen: Vec<&Contribution> = subset.iter().map(|&i| positive[i].1).collect();
            return drops_out_without(&chosen, n);
        }
    }
    stays(scorer, plan, ranked, contributions, n)
}

/// Whether the product stays in the customer's top `n` without the rules at `without`.
fn stays_without(
    scorer: &mut Scorer<'_>,
    plan: &CustomerPlan,
    ranked: &Ranked,
    n: usize,
    without: &[usize],
) -> bool {
    scorer
        .top_fast_without(plan, n, without)
        .iter()
        .any(|r| r.product == ranked.product)
}

/// The counterfactual of a product that drops out without the `chosen` contributions.
fn drops_out_without(chosen: &[&Contribution], n: usize) -> Counterfactual {
    let reasons: Vec<String> = chosen
        .iter()
        .map(|c| {
            if c.counts() {
                c.reason.clone()
            } else {
                format!("{} (which adds less than 0.01)", c.reason)
            }
        })
        .collect();
    Counterfactual {
        drops_out: true,
        removes: chosen.iter().map(|c| c.id.clone()).collect(),
        sentence: format!(
            "It would drop out of the top {n} without: {}.",
            reasons.join("; ")
        ),
    }
}

/// The counterfactual of a product that stays without the rules that lift it: whether it
/// would stay with no rule reading the customer's data at all (rules pushing other
/// products down hold it up too) is checked, not assumed.
fn stays(
    scorer: &mut Scorer<'_>,
    plan: &CustomerPlan,
    ranked: &Ranked,
    contributions: &[Contribution],
    n: usize,
) -> Counterfactual {
    let personal: Vec<usize> = (scorer.index().shop().rules.iter().enumerate())
        .filter(|(_, r)| !r.fields().is_empty())
        .map(|(i, _)| i)
        .collect();
    let without_personal = stays_without(scorer, plan, ranked, n, &personal);
    let popular = contributions
        .iter()
        .any(|c| c.source == Source::Baseline && c.value >= SHOWN_AS_ZERO);
    let sentence = match (without_personal, popular) {
        (true, true) => format!(
            "It would stay in the top {n} even if no rule used the customer's data: \
             it is among the shop's most popular products."
        ),
        (true, false) => {
            format!("It would stay in the top {n} even if no rule used the customer's data.")
        }
        (false, _) => format!(
            "It would stay in the top {n} without the rules that lift it, though not if no \
             rule used the customer's data: others hold it up by keeping other products out \
             of the way."
        ),
    };
    Counterfactual {
        drops_out: false,
        removes: Vec::new(),
        sentence,
    }
}

/// All index subsets of `0..len` with `size` members, in lexicographic order.
fn subsets_of_size(len: usize, size: usize) -> Vec<Vec<usize>> {
    (0u32..(1 << len))
        .filter(|mask| mask.count_ones() as usize == size)
        .map(|mask| (0..len).filter(|i| mask & (1 << i) != 0).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn returned(day: u32) -> Record {
        Record::OrderLine {
            order: OrderId::from(i64::from(day)),
            date: NaiveDate::from_ymd_opt(2026, 5, day).expect("a day"),
            product: ProductId::from(1),
            product_name: "Tea".to_owned(),
            quantity: -1,
        }
    }

    #[test]
    fn a_reason_names_the_latest_three_returns_and_counts_the_rest() {
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).expect("a day");
        let five: Vec<Record> = [3, 20, 9, 14, 1].map(returned).to_vec();
        assert_eq!(
            returns_text(&five, today),
            " (returned: 1 on 20 May, 1 on 14 May, 1 on 9 May and 2 earlier)"
        );
        assert_eq!(returns_text(&five[..1], today), " (returned: 1 on 3 May)");
        assert_eq!(returns_text(&[], today), "");
    }
}
