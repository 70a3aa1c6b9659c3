//! Personalization rules: "when the customer …, boost products that … by …".
//! Rules are data (stored as JSON), so they can be shown in words, simulated and changed.

use serde::{Deserialize, Serialize};

use super::features::{CustomerFeature, FeatureId};
use super::fields::{MAX_DAYS, PersonalField};
pub use super::price_band::PriceBand;

/// The lowest weight a rule may have (negative weights push products down).
pub const MIN_WEIGHT: f64 = -5.0;
/// The highest weight a rule may have.
pub const MAX_WEIGHT: f64 = 5.0;
/// The largest amount (in score points) a rule may add or take away per product.
pub const MAX_AMOUNT: f64 = 100.0;
/// The largest magnitude a condition's value may have.
pub const MAX_CONDITION: f64 = 1_000_000_000.0;

/// One personalization rule. Read strictly: an unknown key is refused by name, except the
/// read-only keys `rules --json` adds (see [`RuleInput`]), so its output can be fed back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "RuleInput")]
pub struct Rule {
    /// Stable key, e.g. "more-of-what-you-like".
    pub id: String,
    /// Short name shown to staff.
    pub label: String,
    /// Disabled rules never run.
    pub enabled: bool,
    /// Multiplies the rule's amount; between [`MIN_WEIGHT`] and [`MAX_WEIGHT`].
    pub weight: f64,
    /// The consent purpose the customer must have granted.
    pub purpose: String,
    /// All conditions must hold for the rule to run for a customer.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// Which products the rule affects.
    pub target: Target,
    /// How much it adds to each targeted product, before the weight.
    pub amount: Amount,
    /// Plain-language reason, with placeholders `{category}`, `{product}`, `{tag}`,
    /// `{band}`, `{count}`, `{times}` ("once", "twice", "3 times"), `{since}`, `{last}` and
    /// `{data}` (what the rule reads about the customer, in their words).
    pub reason: String,
}

/// A rule as it may be written: the rule's own keys, and the read-only keys that
/// `rules --json` prints with it (accepted and ignored).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // the read-only keys are read only to be ignored
struct RuleInput {
    id: String,
    label: String,
    enabled: bool,
    weight: f64,
    purpose: String,
    #[serde(default)]
    conditions: Vec<Condition>,
    target: Target,
    amount: Amount,
    reason: String,
    #[serde(default)]
    fields: serde::de::IgnoredAny,
    #[serde(default)]
    features: serde::de::IgnoredAny,
    #[serde(default)]
    conditions_text: serde::de::IgnoredAny,
    #[serde(default)]
    effect_text: serde::de::IgnoredAny,
    #[serde(default)]
    purpose_label: serde::de::IgnoredAny,
    #[serde(default)]
    runs_for: serde::de::IgnoredAny,
    #[serde(default)]
    outside_purpose: serde::de::IgnoredAny,
}

impl From<RuleInput> for Rule {
    fn from(r: RuleInput) -> Self {
        Self {
            id: r.id,
            label: r.label,
            enabled: r.enabled,
            weight: r.weight,
            purpose: r.purpose,
            conditions: r.conditions,
            target: r.target,
            amount: r.amount,
            reason: r.reason,
        }
    }
}

/// A test on one customer feature, e.g. "age at least 40".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The customer feature compared.
    pub feature: CustomerFeature,
    /// How it is compared.
    pub op: Op,
    /// The threshold.
    pub value: f64,
}

/// Comparison used by a [`Condition`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Feature ≥ value.
    AtLeast,
    /// Feature ≤ value.
    AtMost,
}

/// The products a rule affects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Target {
    /// Every product.
    Any,
    /// Products of one category.
    Category {
        /// Category name.
        category: String,
    },
    /// Products carrying a tag.
    Tag {
        /// Tag name.
        tag: String,
    },
    /// Products in a price band (budget, standard, premium).
    PriceBand {
        /// The band.
        band: PriceBand,
    },
    /// Products in a category the customer has bought from.
    BoughtCategory,
    /// Products the customer has bought before.
    BoughtProduct,
    /// Products in a category the customer told the shop they like (a fixed amount).
    PreferredCategory,
    /// Products carrying a tag the customer told the shop they like (a fixed amount).
    PreferredTag,
    /// Products often in the same order as products the customer bought: the amount is
    /// `each` × the sum of the cosines over orders with each product they bought in the
    /// window, capped at `max` (see [`super::together`]).
    BoughtTogether,
}

/// How much a rule adds to a targeted product before its weight is applied.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Amount {
    /// The same amount for every targeted product.
    Fixed {
        /// The amount.
        value: f64,
    },
    /// An amount per visit on which the customer bought matching products
    /// (same category for `bought_category`, same product for `bought_product`,
    /// otherwise products matching the target), up to a cap.
    PerPurchase {
        /// Added per visit.
        each: f64,
        /// Never more than this.
        max: f64,
        /// Only visits in this many days before today count.
        within_days: i64,
    },
}

/// A rule that cannot be used, with the field that is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("rule \"{rule}\", field \"{field}\": {problem}")]
pub struct RuleProblem {
    /// The rule's id.
    pub rule: String,
    /// The offending field.
    pub field: &'static str,
    /// What is wrong, in plain words.
    pub problem: String,
}

impl Rule {
    /// The customer features this rule reads, conditions first.
    pub fn features(&self) -> Vec<FeatureId> {
        let mut out: Vec<FeatureId> = self
            .conditions
            .iter()
            .map(|c| FeatureId::Customer(c.feature))
            .collect();
        if self.reads_purchases() {
            out.push(FeatureId::PurchasesMatching);
        }
        if self.target.reads_preferences() {
            out.push(FeatureId::Customer(CustomerFeature::Prefers));
        }
        let mut seen = Vec::new();
        out.retain(|f| {
            let new = !seen.contains(f);
            seen.push(*f);
            new
        });
        out
    }

    /// The personal-data fields this rule reads, through its features.
    pub fn fields(&self) -> Vec<PersonalField> {
        let mut out: Vec<PersonalField> = self
            .features()
            .iter()
            .flat_map(|f| f.fields().iter().copied())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The first personal-data field this rule reads that is not in `covered`, if any
    /// (without allocating: it runs for every customer).
    pub fn first_field_not_in(&self, covered: &[PersonalField]) -> Option<PersonalField> {
        let conditions = self
            .conditions
            .iter()
            .flat_map(|c| c.feature.fields_read().iter().copied());
        let purchases = self
            .reads_purchases()
            .then_some(FeatureId::PurchasesMatching.fields())
            .into_iter()
            .flatten()
            .copied();
        let preferences = self
            .target
            .reads_preferences()
            .then_some(CustomerFeature::Prefers.fields_read())
            .into_iter()
            .flatten()
            .copied();
        conditions
            .chain(purchases)
            .chain(preferences)
            .find(|field| !covered.contains(field))
    }

    /// Whether the rule counts the customer's purchases (its target or its amount does).
    fn reads_purchases(&self) -> bool {
        matches!(self.amount, Amount::PerPurchase { .. }) || self.target.reads_purchases()
    }

    /// What the rule reads about a customer, in the customer's own words ("your age (from
    /// your birth date)", "what you bought from us"), each once, conditions first.
    pub fn data_in_words(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for feature in self.features() {
            if let Some(words) = feature.in_words()
                && !out.contains(&words)
            {
                out.push(words);
            }
        }
        out
    }

    /// Checks the rule for values that would make scores meaningless.
    pub fn validate(&self, known_purposes: &[&str]) -> Result<(), RuleProblem> {
        let problem = |field: &'static str, problem: String| RuleProblem {
            rule: self.id.clone(),
            field,
            problem,
        };
        if self.id.trim().is_empty() {
            return Err(problem("id", "a rule needs an id".to_owned()));
        }
        if !known_purposes.contains(&self.purpose.as_str()) {
            return Err(problem(
                "purpose",
                format!("\"{}\" is not one of the shop's purposes", self.purpose),
            ));
        }
        self.validate_bounds()
    }

    /// Checks every number the rule carries against its allowed range (the checks that
    /// need no knowledge of the shop); the error names the field.
    pub fn validate_bounds(&self) -> Result<(), RuleProblem> {
        let problem = |field: &'static str, problem: String| RuleProblem {
            rule: self.id.clone(),
            field,
            problem,
        };
        if !self.weight.is_finite() || !(MIN_WEIGHT..=MAX_WEIGHT).contains(&self.weight) {
            return Err(problem(
                "weight",
                format!(
                    "{} is not a weight between {MIN_WEIGHT} and {MAX_WEIGHT}",
                    self.weight
                ),
            ));
        }
        if let Some(c) = self
            .conditions
            .iter()
            .find(|c| !c.value.is_finite() || c.value.abs() > MAX_CONDITION)
        {
            return Err(problem(
                "conditions",
                format!(
                    "a condition's value must be a number from -{MAX_CONDITION} to {MAX_CONDITION}, not {}",
                    c.value
                ),
            ));
        }
        let amount_ok = |x: f64| x.is_finite() && x.abs() <= MAX_AMOUNT;
        if self.target.reads_preferences() && !matches!(self.amount, Amount::Fixed { .. }) {
            return Err(problem(
                "amount",
                "a rule for what the customer told us they like adds a fixed amount: give it {\"kind\": \"fixed\", \"value\": …}"
                    .to_owned(),
            ));
        }
        if self.target == Target::BoughtTogether && matches!(self.amount, Amount::Fixed { .. }) {
            return Err(problem(
                "amount",
                "a \"bought together\" rule adds per purchase: give it each, max and within_days"
                    .to_owned(),
            ));
        }
        match self.amount {
            Amount::Fixed { value } if !amount_ok(value) => Err(problem(
                "amount.value",
                format!(
                    "the amount must be a number from -{MAX_AMOUNT} to {MAX_AMOUNT}, not {value}"
                ),
            )),
            Amount::PerPurchase { each, max, .. } if !amount_ok(each) || !amount_ok(max) => {
                Err(problem(
                    "amount",
                    format!(
                        "per-purchase amounts (each, max) must be numbers from -{MAX_AMOUNT} to {MAX_AMOUNT}"
                    ),
                ))
            }
            Amount::PerPurchase { each, max, .. } if each * max < 0.0 => Err(problem(
                "amount.max",
                format!(
                    "the cap ({max}) must be on the same side of zero as each ({each}): a rule adds up to a cap, or takes off down to one"
                ),
            )),
            Amount::PerPurchase { within_days, .. } if !(1..=MAX_DAYS).contains(&within_days) => {
                Err(problem(
                    "amount.within_days",
                    format!("{within_days} is not a number of days from 1 to {MAX_DAYS}"),
                ))
            }
            _ => Ok(()),
        }
    }

    /// The rule's conditions in words, e.g. "age is at least 40".
    pub fn conditions_text(&self) -> String {
        if self.conditions.is_empty() {
            return "every customer who consented".to_owned();
        }
        self.conditions
            .iter()
            .map(Condition::text)
            .collect::<Vec<_>>()
            .join(" and ")
    }

    /// The rule's effect in words, its weight included: "adds 1.5 to premium products",
    /// "takes 1.5 (1 × weight -1.5) off, per visit …".
    pub fn effect_text(&self) -> String {
        let target = self.target.text();
        // What it adds or takes off follows the sign of amount × weight.
        let first = match &self.amount {
            Amount::Fixed { value } => *value,
            Amount::PerPurchase { each, .. } => *each,
        };
        let (verb, to) = if first * self.weight < 0.0 {
            ("takes", "off")
        } else {
            ("adds", "to")
        };
        if self.weight == 0.0 {
            return format!("has no effect (weight 0) on {target}");
        }
        // To four places, so that a weight of 0.001 is not shown as 0.
        let text = |v: f64| super::score::to_places(v, 4);
        let weighed = |v: f64| {
            let net = text((v * self.weight).abs());
            if self.weight == 1.0 {
                net
            } else {
                format!("{net} ({} × weight {})", text(v), text(self.weight))
            }
        };
        match &self.amount {
            Amount::Fixed { value } => format!("{verb} {} {to} {target}", weighed(*value)),
            Amount::PerPurchase {
                each,
                max,
                within_days,
            } if self.target == Target::BoughtTogether => format!(
                "{verb} {} × how strongly each product goes with what they bought in the last {} (cosine over orders, summed), up to {}, {to} {target}",
                weighed(*each),
                super::words::days(*within_days),
                weighed(*max)
            ),
            Amount::PerPurchase {
                each,
                max,
                within_days,
            } => format!(
                "{verb} {} per visit in the last {} on which they bought {}, up to {}, {to} {target}",
                weighed(*each),
                super::words::days(*within_days),
                self.target.matching_text(),
                weighed(*max)
            ),
        }
    }
}

impl Condition {
    /// The condition in words.
    pub fn text(&self) -> String {
        let op = match self.op {
            Op::AtLeast => "at least",
            Op::AtMost => "at most",
        };
        format!("{} is {op} {}", self.feature.label(), self.value)
    }

    /// Whether the condition holds for a feature value.
    pub fn holds(&self, value: f64) -> bool {
        match self.op {
            Op::AtLeast => value >= self.value,
            Op::AtMost => value <= self.value,
        }
    }
}

impl Target {
    /// The targeted products in words.
    pub fn text(&self) -> String {
        match self {
            Self::Any => "every product".to_owned(),
            Self::Category { category } => format!("products in {category}"),
            Self::Tag { tag } => format!("products tagged \"{tag}\""),
            Self::PriceBand { band } => format!("{} products", band.label()),
            Self::BoughtCategory => "products in categories the customer has bought".to_owned(),
            Self::BoughtProduct => "products the customer has bought before".to_owned(),
            Self::BoughtTogether => {
                "products often bought in the same order as the customer's purchases".to_owned()
            }
            Self::PreferredCategory => {
                "products in a category the customer told us they like".to_owned()
            }
            Self::PreferredTag => "products with a tag the customer told us they like".to_owned(),
        }
    }

    /// Whether the targeted products depend on what the customer told the shop they like.
    pub fn reads_preferences(&self) -> bool {
        matches!(self, Self::PreferredCategory | Self::PreferredTag)
    }

    /// Whether the targeted products depend on what the customer bought.
    pub fn reads_purchases(&self) -> bool {
        matches!(
            self,
            Self::BoughtCategory | Self::BoughtProduct | Self::BoughtTogether
        )
    }

    /// What counts as a matching purchase, in words.
    fn matching_text(&self) -> String {
        match self {
            Self::BoughtCategory => "from the same category".to_owned(),
            Self::BoughtProduct => "the same product".to_owned(),
            Self::BoughtTogether => "often bought with it".to_owned(),
            other => other.text(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> Rule {
        Rule {
            id: "r".to_owned(),
            label: "R".to_owned(),
            enabled: true,
            weight: 1.0,
            purpose: "personalization".to_owned(),
            conditions: vec![Condition {
                feature: CustomerFeature::Age,
                op: Op::AtLeast,
                value: 40.0,
            }],
            target: Target::PriceBand {
                band: PriceBand::Premium,
            },
            amount: Amount::Fixed { value: 1.5 },
            reason: "r".to_owned(),
        }
    }

    #[test]
    fn validation_names_the_bad_field() {
        let purposes = ["personalization"];
        assert!(rule().validate(&purposes).is_ok());
        let mut r = rule();
        r.weight = f64::NAN;
        assert_eq!(r.validate(&purposes).unwrap_err().field, "weight");
        r.weight = 9.0;
        assert_eq!(r.validate(&purposes).unwrap_err().field, "weight");
        let mut r = rule();
        r.purpose = "spying".to_owned();
        assert_eq!(r.validate(&purposes).unwrap_err().field, "purpose");
    }

    #[test]
    fn fields_come_from_features() {
        assert_eq!(rule().fields(), vec![PersonalField::BirthDate]);
        let mut r = rule();
        r.target = Target::BoughtCategory;
        assert_eq!(
            r.fields(),
            vec![PersonalField::BirthDate, PersonalField::Orders]
        );
    }

    #[test]
    fn rules_round_trip_through_json() {
        let json = serde_json::to_string(&rule()).unwrap();
        assert!(json.contains("\"kind\":\"price_band\""));
        let back: Rule = serde_json::from_str(&json).unwrap();
        assert_eq!(back, rule());
    }
}
