//! Scoring: which rules run for a customer, what each adds to which product, and the
//! customer's top N. A product's score is the popularity baseline plus the sum of the
//! weighted amounts of the rules that run for the customer and target the product.

use super::fields::PersonalField;
use super::index::ShopIndex;
use super::model::Shop;
use super::rules::{Amount, Rule, Target};

/// Why a rule did not run for a customer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SkipReason {
    /// The rule is switched off.
    Disabled,
    /// The rule reads a personal-data field its purpose does not cover (purpose
    /// limitation): it runs for nobody until the purpose covers it or the rule stops
    /// reading it.
    OutsidePurpose {
        /// The first field read that the purpose does not cover.
        field: PersonalField,
    },
    /// The customer has not granted the rule's purpose.
    NoConsent,
    /// The customer agreed to the rule's purpose before it covered a field the rule reads:
    /// the words they agreed to did not cover it, so the rule does not run for them until
    /// they agree again.
    AgreedBeforeCovered {
        /// The first field read that the purpose did not cover when they agreed.
        field: PersonalField,
    },
    /// A condition is false, or the data it needs is not held (`value` is `None`).
    ConditionNotMet {
        /// Which of the rule's conditions failed.
        condition: usize,
        /// The customer's value for it.
        value: Option<f64>,
    },
}

/// Why a rule reading `field` does not run for a customer who agreed to `purpose` (a label
/// or id) before it was widened to cover that field.
pub fn agreed_before_covered_text(field: PersonalField, purpose: &str) -> String {
    format!(
        "it reads the customer's {}; \"{purpose}\" was widened to cover that, and nothing shows the customer agreed after that",
        field.in_words()
    )
}

impl SkipReason {
    /// The reason in words, for the rule it was found on.
    pub fn detail(&self, rule: &Rule) -> String {
        match *self {
            Self::Disabled => "the rule is switched off".to_owned(),
            Self::OutsidePurpose { field } => format!(
                "it reads the customer's {}, which its purpose \"{}\" does not cover",
                field.in_words(),
                rule.purpose
            ),
            Self::NoConsent => format!("the customer has not agreed to \"{}\"", rule.purpose),
            Self::AgreedBeforeCovered { field } => agreed_before_covered_text(field, &rule.purpose),
            Self::ConditionNotMet { condition, value } => {
                let cond = rule.conditions.get(condition);
                let text = cond.map(super::rules::Condition::text).unwrap_or_default();
                let from_prices = cond
                    .is_some_and(|c| c.feature == super::features::CustomerFeature::SpendLastYear);
                match value {
                    None if from_prices => format!(
                        "needs {text}, but a price of one of the year's purchases is not known, so the spend is not known"
                    ),
                    None => format!("needs {text}, but the data it is computed from is not held"),
                    Some(v) => format!(
                        "needs {text}; for this customer it is {}",
                        round_for_text(v)
                    ),
                }
            }
        }
    }

    /// Stable code used in JSON.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Disabled => "disabled",
            Self::OutsidePurpose { .. } => "outside_purpose",
            Self::NoConsent => "no_consent",
            Self::AgreedBeforeCovered { .. } => "agreed_before_covered",
            Self::ConditionNotMet { .. } => "condition_not_met",
        }
    }
}

/// Whether each rule runs for one customer.
#[derive(Clone, Debug, PartialEq)]
pub enum RuleStatus {
    /// The rule runs.
    Runs,
    /// The rule does not run, and why.
    Skipped(SkipReason),
}

/// Why a product cannot be recommended to a customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exclusion {
    /// No stock.
    OutOfStock,
    /// Not a product: postage, a fee, a discount or a voucher.
    NotAProduct,
    /// Bought already, and not something people buy twice.
    AlreadyBought,
    /// The customer told the shop they do not want it (the product, its category or a tag).
    NotWanted,
}

impl Exclusion {
    /// The reason in words.
    pub fn text(self) -> &'static str {
        match self {
            Self::OutOfStock => "out of stock",
            Self::NotAProduct => "not a product (postage, a fee or a discount)",
            Self::AlreadyBought => "already bought, and not something people buy twice",
            Self::NotWanted => "the customer told us they do not want it",
        }
    }

    /// Stable code used in JSON.
    pub fn code(self) -> &'static str {
        match self {
            Self::OutOfStock => "out_of_stock",
            Self::NotAProduct => "not_a_product",
            Self::AlreadyBought => "already_bought",
            Self::NotWanted => "not_wanted",
        }
    }
}

/// One product in a customer's list.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ranked {
    /// Product position in the snapshot.
    pub product: usize,
    /// Its score: baseline plus every rule amount.
    pub score: f64,
}

/// The statuses of every rule for a customer, plus whether the list is personalized.
#[derive(Clone, Debug)]
pub struct CustomerPlan {
    /// Customer position.
    pub customer: usize,
    /// One status per rule, in the shop's rule order.
    pub statuses: Vec<RuleStatus>,
    /// True when at least one rule in use (switched on, within its purpose) has its
    /// purpose granted by the customer.
    pub personalized: bool,
    /// True when such a rule's purpose covers the customer's purchases: only then may the
    /// list leave out what they already bought (that reads their orders).
    pub reads_purchases: bool,
    /// Why the list is not personalized, when it is not.
    pub not_personalized: Option<NotPersonalized>,
    /// True when the customer told the shop they do not want something: such products are
    /// left out whether or not the list is personalized.
    pub not_wanted: bool,
}

/// Why a customer's list is the shop-wide one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotPersonalized {
    /// The customer has granted no purpose that a rule in use needs.
    NoConsent,
    /// The customer agreed, but no rule of the purposes they granted can run (switched
    /// off, or reading data the purpose does not cover).
    NoRuleInUse,
}

impl NotPersonalized {
    /// Stable code used in JSON.
    pub fn code(self) -> &'static str {
        match self {
            Self::NoConsent => "no_consent",
            Self::NoRuleInUse => "no_rule_in_use",
        }
    }

    /// What the customer is told: why their data is not used.
    pub fn to_customer(self) -> &'static str {
        match self {
            Self::NoConsent => {
                "We do not use your data for recommendations, because you have not agreed to it."
            }
            Self::NoRuleInUse => {
                "We do not use your data for these recommendations: none of our personalization rules for what you agreed to is in use."
            }
        }
    }
}

/// Scores customers; holds reusable buffers so scoring a whole shop allocates little.
pub struct Scorer<'i> {
    index: &'i ShopIndex,
    static_targets: Vec<Option<Vec<usize>>>,
    /// Built on first use by [`Scorer::top_fast`]; inner `None` when there are too many rules.
    classes: Option<Option<super::classes::Classes>>,
    acc: Vec<f64>,
    touched: Vec<usize>,
    is_touched: Vec<bool>,
    /// The fast ranking's heap, kept between customers so it is allocated once.
    pub(super) heap_buffer: Vec<super::ranking::Head>,
}

impl<'i> Scorer<'i> {
    /// Prepares a scorer for the snapshot behind `index`.
    pub fn new(index: &'i ShopIndex) -> Self {
        let shop = index.shop();
        let static_targets = shop
            .rules
            .iter()
            .map(|r| static_target_products(index, &r.target))
            .collect();
        let n = shop.products.len();
        Self {
            index,
            static_targets,
            classes: None,
            acc: vec![0.0; n],
            touched: Vec::new(),
            is_touched: vec![false; n],
            heap_buffer: Vec::new(),
        }
    }

    /// The index this scorer reads.
    pub fn index(&self) -> &'i ShopIndex {
        self.index
    }

    /// The product classes, if built and usable.
    pub(super) fn classes_ref(&self) -> Option<&super::classes::Classes> {
        self.classes.as_ref().and_then(Option::as_ref)
    }

    /// The product classes for [`Scorer::top_fast`], built on first use.
    pub(super) fn ensure_classes(&mut self) -> Option<&super::classes::Classes> {
        if self.classes.is_none() {
            let baselines: Vec<f64> = (0..self.index.shop().products.len())
                .map(|p| self.baseline(p))
                .collect();
            self.classes = Some(super::classes::Classes::new(
                self.index,
                &self.static_targets,
                &baselines,
            ));
        }
        self.classes.as_ref().and_then(Option::as_ref)
    }

    /// Which rules run for a customer and why the others do not.
    pub fn plan(&self, customer: usize) -> CustomerPlan {
        let shop = self.index.shop();
        let (mut personalized, mut reads_purchases, mut agreed) = (false, false, false);
        let statuses = shop
            .rules
            .iter()
            .map(|rule| {
                let status = rule_status(self.index, rule, customer);
                agreed |= rule.enabled && self.index.has_consent(customer, &rule.purpose);
                let usable = !matches!(
                    status,
                    RuleStatus::Skipped(
                        SkipReason::Disabled
                            | SkipReason::OutsidePurpose { .. }
                            | SkipReason::NoConsent
                            | SkipReason::AgreedBeforeCovered { .. }
                    )
                );
                personalized |= usable;
                reads_purchases |= usable && purpose_covers(shop, rule, PersonalField::Orders);
                status
            })
            .collect();
        let not_personalized = match (personalized, agreed) {
            (true, _) => None,
            (false, true) => Some(NotPersonalized::NoRuleInUse),
            (false, false) => Some(NotPersonalized::NoConsent),
        };
        CustomerPlan {
            customer,
            statuses,
            personalized,
            reads_purchases,
            not_personalized,
            not_wanted: self.index.has_not_wanted(customer),
        }
    }

    /// Why a product cannot be recommended to this customer, if it cannot.
    pub fn exclusion(&self, plan: &CustomerPlan, product: usize) -> Option<Exclusion> {
        let p = &self.index.shop().products[product];
        if !p.is_product() {
            Some(Exclusion::NotAProduct)
        } else if plan.not_wanted && self.index.not_wanted(plan.customer, product).is_some() {
            Some(Exclusion::NotWanted)
        } else if p.stock <= 0 {
            Some(Exclusion::OutOfStock)
        } else if plan.reads_purchases && !p.repeatable && self.has_bought(plan.customer, product) {
            Some(Exclusion::AlreadyBought)
        } else {
            None
        }
    }

    fn has_bought(&self, customer: usize, product: usize) -> bool {
        if !self.index.ignores_purchases(customer) {
            return self.index.purchases().bought(customer, product);
        }
        let shop = self.index.shop();
        self.index.orders_used(customer).any(|o| {
            self.index
                .lines_used(customer, o)
                .any(|l| self.index.line_product(l) == Some(product) && shop.lines[l].quantity > 0)
        })
    }

    /// The non-personal baseline of a product: popularity × its weight.
    pub fn baseline(&self, product: usize) -> f64 {
        self.index.shop().settings.popularity_weight * self.index.popularity(product)
    }

    /// The customer's top `n`, leaving out the rules whose positions are in `without`.
    pub fn top(&mut self, plan: &CustomerPlan, n: usize, without: &[usize]) -> Vec<Ranked> {
        let shop = self.index.shop();
        for (r, status) in plan.statuses.iter().enumerate() {
            if *status != RuleStatus::Runs || without.contains(&r) {
                continue;
            }
            let rule = &shop.rules[r];
            let mut add = |product: usize, amount: f64| {
                if !self.is_touched[product] {
                    self.is_touched[product] = true;
                    self.touched.push(product);
                }
                self.acc[product] += rule.weight * amount;
            };
            for_each_amount(
                self.index,
                rule,
                self.static_targets[r].as_deref(),
                plan.customer,
                &mut add,
            );
        }

        let mut candidates: Vec<Ranked> = Vec::with_capacity(self.touched.len() + n);
        for &p in &self.touched {
            if self.exclusion(plan, p).is_none() {
                candidates.push(Ranked {
                    product: p,
                    score: self.baseline(p) + self.acc[p],
                });
            }
        }
        let untouched = self
            .index
            .by_popularity()
            .filter(|&p| !self.is_touched[p] && self.exclusion(plan, p).is_none())
            .take(n);
        candidates.extend(untouched.map(|p| Ranked {
            product: p,
            score: self.baseline(p),
        }));

        for &p in &self.touched {
            self.acc[p] = 0.0;
            self.is_touched[p] = false;
        }
        self.touched.clear();

        best_first(&mut candidates, shop, n);
        candidates
    }
}

/// Orders a list best first, ties by product number, and keeps the first `n`. Every
/// ranking path ends here, so all of them break ties the same way.
pub fn best_first(ranked: &mut Vec<Ranked>, shop: &super::model::Shop, n: usize) {
    ranked.sort_by(|a, b| {
        b.score.total_cmp(&a.score).then(
            shop.products[a.product]
                .id
                .cmp(&shop.products[b.product].id),
        )
    });
    ranked.truncate(n);
}

/// Products of a target that does not depend on the customer, or `None` when it does.
fn static_target_products(index: &ShopIndex, target: &Target) -> Option<Vec<usize>> {
    let shop = index.shop();
    let all = 0..shop.products.len();
    match target {
        Target::Any => Some(all.collect()),
        Target::Category { category } => Some(
            index
                .category_pos(category)
                .map(|c| index.products_in_category(c).collect())
                .unwrap_or_default(),
        ),
        Target::Tag { tag } => Some(
            all.filter(|&p| shop.products[p].tags.iter().any(|t| t == tag))
                .collect(),
        ),
        Target::PriceBand { band } => Some(
            all.filter(|&p| index.price_band(p) == Some(*band))
                .collect(),
        ),
        Target::BoughtCategory
        | Target::BoughtProduct
        | Target::BoughtTogether
        | Target::PreferredCategory
        | Target::PreferredTag => None,
    }
}

/// Whether `rule` runs for the customer, and if not, why.
pub fn rule_status(index: &ShopIndex, rule: &Rule, customer: usize) -> RuleStatus {
    if !rule.enabled {
        return RuleStatus::Skipped(SkipReason::Disabled);
    }
    if let Some(field) = field_outside_purpose(index.shop(), rule) {
        return RuleStatus::Skipped(SkipReason::OutsidePurpose { field });
    }
    if !index.has_consent(customer, &rule.purpose) {
        return RuleStatus::Skipped(SkipReason::NoConsent);
    }
    if let Some(field) = field_agreed_before_covered(index, rule, customer) {
        return RuleStatus::Skipped(SkipReason::AgreedBeforeCovered { field });
    }
    for (condition, cond) in rule.conditions.iter().enumerate() {
        let value = cond.feature.value(index, customer, index.today());
        if !value.is_some_and(|v| cond.holds(v)) {
            return RuleStatus::Skipped(SkipReason::ConditionNotMet { condition, value });
        }
    }
    RuleStatus::Runs
}

/// The first personal-data field `rule` reads that its purpose does not cover (every
/// field, when the purpose is not one of the shop's).
pub fn field_outside_purpose(shop: &Shop, rule: &Rule) -> Option<PersonalField> {
    let covered = shop
        .purpose(&rule.purpose)
        .map_or(&[][..], |p| p.fields.as_slice());
    rule.first_field_not_in(covered)
}

/// The first field `rule` reads that its purpose began to cover after the customer agreed
/// to it (see [`super::model::Purpose::first_agreed_before_covered`]).
fn field_agreed_before_covered(
    index: &ShopIndex,
    rule: &Rule,
    customer: usize,
) -> Option<PersonalField> {
    let shop = index.shop();
    let purpose = shop.purpose(&rule.purpose)?;
    if purpose.covered_since.is_empty() {
        return None;
    }
    let grant = index.agreement_in_force(customer, &rule.purpose)?;
    purpose.first_agreed_before_covered(rule.fields(), grant)
}

/// Whether the purpose of `rule` covers `field`.
fn purpose_covers(shop: &Shop, rule: &Rule, field: PersonalField) -> bool {
    shop.purpose(&rule.purpose).is_some_and(|p| p.covers(field))
}

/// Whether `rule` can run for anyone: switched on, and reading only what its purpose
/// covers. A rule that cannot run uses no one's data.
pub fn rule_in_use(shop: &Shop, rule: &Rule) -> bool {
    rule.enabled && field_outside_purpose(shop, rule).is_none()
}

/// Formats a number for people, with at most two decimals and none it does not need:
/// 29 not 29.0, 12.35 not 12.3499, 0.8 not 0.8000000000000007.
pub fn round_for_text(v: f64) -> String {
    to_places(v, 2)
}

/// Formats a number to at most `places` decimals, without trailing zeros ("-0" reads "0").
pub fn to_places(v: f64, places: usize) -> String {
    let text = format!("{v:.places$}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// Whether a product matches a target, with `anchor` the product being scored
/// (for the "bought" targets, which compare against it). The "preferred" targets depend on
/// the customer and match nothing here: see [`preferred_amount`].
pub fn product_matches(index: &ShopIndex, target: &Target, product: usize, anchor: usize) -> bool {
    let p = &index.shop().products[product];
    match target {
        Target::Any => true,
        Target::Category { category } => &p.category == category,
        Target::Tag { tag } => p.tags.iter().any(|t| t == tag),
        Target::PriceBand { band } => index.price_band(product) == Some(*band),
        Target::BoughtCategory => index.category_of(product) == index.category_of(anchor),
        Target::BoughtProduct => product == anchor,
        Target::BoughtTogether => index.partners().get(product, anchor).is_some(),
        Target::PreferredCategory | Target::PreferredTag => false,
    }
}

/// What a rule whose target is what the customer told the shop they like gives `product`
/// (before its weight): its fixed amount when a standing "liked" preference covers the
/// product, else nothing.
pub fn preferred_amount(index: &ShopIndex, rule: &Rule, customer: usize, product: usize) -> f64 {
    let by_tag = rule.target == Target::PreferredTag;
    match rule.amount {
        Amount::Fixed { value } if index.liked_for(customer, product, by_tag).is_some() => value,
        _ => 0.0,
    }
}

/// The products a "preferred" rule gives an amount to for this customer, ascending.
pub fn preferred_products(index: &ShopIndex, rule: &Rule, customer: usize) -> Vec<usize> {
    if index.liked_of(customer).next().is_none() {
        return Vec::new();
    }
    (0..index.shop().products.len())
        .filter(|&p| preferred_amount(index, rule, customer, p) != 0.0)
        .collect()
}

/// The customer's orders (positions) on or after `from` with a positive line whose
/// product satisfies `matches`.
pub fn matching_visits(
    index: &ShopIndex,
    customer: usize,
    from: Option<chrono::NaiveDate>,
    matches: impl Fn(usize) -> bool,
) -> Vec<usize> {
    let shop = index.shop();
    index
        .orders_used(customer)
        .filter(|&o| from.is_none_or(|f| shop.orders[o].date > f))
        .filter(|&o| {
            index
                .lines_used(customer, o)
                .any(|l| shop.lines[l].quantity > 0 && index.line_product(l).is_some_and(&matches))
        })
        .collect()
}

/// What one rule gives one product for one customer, before its weight: the matching
/// visits it counted (empty when it counts none) and the amount; `None` when it gives
/// nothing. Explanations and the audit both call this, so they agree with the scorer.
pub fn rule_visits_and_amount(
    index: &ShopIndex,
    rule: &Rule,
    customer: usize,
    product: usize,
) -> Option<(Vec<usize>, f64)> {
    if rule.target.reads_preferences() {
        let amount = preferred_amount(index, rule, customer, product);
        return (amount != 0.0).then_some((Vec::new(), amount));
    }
    let is_bought = rule.target.reads_purchases();
    if !is_bought && !product_matches(index, &rule.target, product, product) {
        return None;
    }
    let counts_visits = is_bought || matches!(rule.amount, Amount::PerPurchase { .. });
    let visits = if counts_visits {
        let from = window_start(index, &rule.amount);
        matching_visits(index, customer, from, |q| {
            product_matches(index, &rule.target, q, product)
        })
    } else {
        Vec::new()
    };
    let amount = match rule.amount {
        Amount::PerPurchase { each, max, .. } if rule.target == Target::BoughtTogether => {
            let anchors = together_anchors(index, rule, customer);
            super::together::amount_for(index.partners(), &anchors, product, each, max)
        }
        Amount::Fixed { .. } if rule.target == Target::BoughtTogether => 0.0,
        Amount::Fixed { value } if !is_bought || !visits.is_empty() => value,
        Amount::Fixed { .. } => 0.0,
        Amount::PerPurchase { each, max, .. } => per_purchase_amount(visits.len(), each, max),
    };
    (amount != 0.0).then_some((visits, amount))
}

/// The amount (before weight) for a number of matching visits.
pub fn per_purchase_amount(visits: usize, each: f64, max: f64) -> f64 {
    capped(visits as f64 * each, max)
}

/// `amount` held to `max`, on the side of zero `max` is on: at most 2.5 for a rule that
/// adds, at least -2.5 for one that takes off (a rule validates that `each` and `max`
/// share their sign), so nothing counted gives nothing.
pub fn capped(amount: f64, max: f64) -> f64 {
    if max < 0.0 {
        amount.max(max)
    } else {
        amount.min(max)
    }
}

/// The amount (before weight) a rule with a customer-independent target gives each of
/// its products. Both rankers call this, so their arithmetic cannot drift apart.
pub fn static_amount(index: &ShopIndex, rule: &Rule, customer: usize) -> f64 {
    match rule.amount {
        Amount::Fixed { value } => value,
        Amount::PerPurchase { .. } => {
            let from = window_start(index, &rule.amount);
            let visits = matching_visits(index, customer, from, |p| {
                product_matches(index, &rule.target, p, p)
            });
            amount_for_visits(&rule.amount, visits.len())
        }
    }
}

/// A rule's amount (before weight) given the matching visits: a fixed amount needs at
/// least one (for the "bought" targets), a per-purchase amount grows with them.
/// The scorer and the fast ranking both use this, so their arithmetic is the same.
pub fn amount_for_visits(amount: &Amount, visits: usize) -> f64 {
    match *amount {
        Amount::Fixed { value } => {
            if visits > 0 {
                value
            } else {
                0.0
            }
        }
        Amount::PerPurchase { each, max, .. } => per_purchase_amount(visits, each, max),
    }
}

/// The start of a per-purchase window, or `None` for a fixed amount (whole history).
pub fn window_start(index: &ShopIndex, amount: &Amount) -> Option<chrono::NaiveDate> {
    match amount {
        Amount::Fixed { .. } => None,
        Amount::PerPurchase { within_days, .. } => {
            Some(index.today() - chrono::Duration::days(*within_days))
        }
    }
}

/// Calls `add(product, amount)` for every product the rule gives a non-zero amount to.
fn for_each_amount(
    index: &ShopIndex,
    rule: &Rule,
    static_targets: Option<&[usize]>,
    customer: usize,
    add: &mut impl FnMut(usize, f64),
) {
    let from = window_start(index, &rule.amount);
    let amount_for = |visits: usize| amount_for_visits(&rule.amount, visits);
    if let Some(targets) = static_targets {
        let amount = static_amount(index, rule, customer);
        if amount != 0.0 {
            for &p in targets {
                add(p, amount);
            }
        }
        return;
    }
    if rule.target.reads_preferences() {
        for p in preferred_products(index, rule, customer) {
            add(p, preferred_amount(index, rule, customer, p));
        }
        return;
    }
    if rule.target == Target::BoughtTogether {
        // A fixed amount is refused for this target (Rule::validate): it adds nothing.
        if let Amount::PerPurchase { each, max, .. } = rule.amount {
            let anchors = together_anchors(index, rule, customer);
            for (p, amount) in super::together::amounts(index.partners(), &anchors, each, max) {
                add(p, amount);
            }
        }
        return;
    }
    // "Bought" targets: count visits per category or per product in one pass.
    let by_category = rule.target == Target::BoughtCategory;
    let visits = visits_per_key(index, customer, from, by_category);
    for (key, count) in visits {
        let amount = amount_for(count);
        if amount == 0.0 {
            continue;
        }
        if by_category {
            for p in index.products_in_category(key) {
                add(p, amount);
            }
        } else {
            add(key, amount);
        }
    }
}

/// The distinct products the customer bought in a "bought together" rule's window,
/// ascending: the purchases its amounts start from.
pub fn together_anchors(index: &ShopIndex, rule: &Rule, customer: usize) -> Vec<usize> {
    visits_per_key(index, customer, window_start(index, &rule.amount), false)
        .into_iter()
        .map(|(product, _)| product)
        .collect()
}

/// Visits per category (or per product) in the window, counting each order once per
/// key; sorted by key.
pub(super) fn visits_per_key(
    index: &ShopIndex,
    customer: usize,
    from: Option<chrono::NaiveDate>,
    by_category: bool,
) -> Vec<(usize, usize)> {
    if !index.ignores_purchases(customer) {
        return index.purchases().visits(customer, from, by_category);
    }
    let shop = index.shop();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for o in index.orders_used(customer) {
        if from.is_some_and(|f| shop.orders[o].date <= f) {
            continue;
        }
        for l in index.lines_used(customer, o) {
            if shop.lines[l].quantity <= 0 {
                continue;
            }
            if let Some(p) = index.line_product(l) {
                pairs.push((if by_category { index.category_of(p) } else { p }, o));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (key, _) in pairs {
        match out.last_mut() {
            Some((k, count)) if *k == key => *count += 1,
            _ => out.push((key, 1)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::round_for_text;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(round_for_text(29.0), "29");
        assert_eq!(round_for_text(12.3499), "12.35");
        assert_eq!(round_for_text(0.1 + 0.7), "0.8");
        assert_eq!(round_for_text(-0.001), "0");
        assert_eq!(round_for_text(4.5), "4.5");
    }
}
