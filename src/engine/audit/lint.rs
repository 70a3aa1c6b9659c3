//! Rule lint: checks on the enabled rules themselves, before looking at any outcome —
//! sensitive attributes, prices steered by group, missing purpose or reason, pressure
//! wording, and rules that never run for anyone.

use serde::Serialize;

use super::super::features::CustomerFeature;
use super::super::fields::PersonalField;
use super::super::model::Shop;
use super::super::rules::{Rule, Target};
use super::super::score::{field_outside_purpose, rule_in_use};
use super::facts::is_promotion;

/// Phrases that pressure a customer with urgency or scarcity.
pub const PRESSURE_PHRASES: [&str; 16] = [
    "only today",
    "today only",
    "last chance",
    "hurry",
    "limited time",
    "while stocks last",
    "ends soon",
    "ends tonight",
    "don't miss",
    "do not miss",
    "act now",
    "selling fast",
    "almost gone",
    "last few",
    "before it's gone",
    "running out",
];

/// Which check a rule failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// Reads a sensitive attribute or a likely stand-in for one.
    SensitiveAttribute,
    /// Prices or discounts differ by a group attribute (personalized pricing).
    PricingByGroup,
    /// No consent purpose, or one the shop does not have.
    NoPurpose,
    /// No plain-language reason.
    NoReason,
    /// Urgency or scarcity wording in the reason.
    PressureWording,
    /// Runs for no customer at all.
    NeverFires,
    /// Reads a field its purpose does not cover, so it runs for nobody (purpose
    /// limitation, GDPR Art. 5(1)(b)).
    OutsidePurpose,
    /// Reads a sensitive field its reason does not tell the customer about.
    ReasonHidesData,
}

impl Check {
    /// Stable key used in JSON and finding ids.
    pub fn key(self) -> &'static str {
        match self {
            Self::SensitiveAttribute => "sensitive_attribute",
            Self::PricingByGroup => "pricing_by_group",
            Self::NoPurpose => "no_purpose",
            Self::NoReason => "no_reason",
            Self::PressureWording => "pressure_wording",
            Self::NeverFires => "never_fires",
            Self::OutsidePurpose => "outside_purpose",
            Self::ReasonHidesData => "reason_hides_data",
        }
    }
}

/// One lint finding on one rule.
#[derive(Clone, Debug, Serialize)]
pub struct RuleLint {
    /// The rule's id.
    pub rule: String,
    /// The rule's name.
    pub rule_label: String,
    /// The check.
    pub check: Check,
    /// What is wrong, in words.
    pub message: String,
    /// A reason that would say what the rule uses, for [`Check::ReasonHidesData`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_reason: Option<String>,
}

/// Whether a condition on this feature singles out a group of people (age does;
/// days to a birthday does not, as everyone has one).
pub(super) fn marks_a_group(feature: CustomerFeature) -> bool {
    feature == CustomerFeature::Age
}

/// Lints every enabled rule; `reach[r]` is how many customers rule `r` runs for.
pub fn lint(shop: &Shop, reach: &[usize]) -> Vec<RuleLint> {
    let mut out = Vec::new();
    for (r, rule) in shop.rules.iter().enumerate() {
        if !rule.enabled {
            continue;
        }
        out.extend(checks(shop, rule, reach.get(r).copied()).into_iter().map(
            |(check, message)| RuleLint {
                rule: rule.id.clone(),
                rule_label: rule.label.clone(),
                check,
                message,
                suggested_reason: None,
            },
        ));
    }
    out.extend(hidden_data(shop));
    out
}

/// The checks one enabled rule fails, with what is wrong in words. A rule without a
/// purpose, or outside its purpose, runs for nobody: that is the one thing said of it.
fn checks(shop: &Shop, rule: &Rule, reach: Option<usize>) -> Vec<(Check, String)> {
    if rule.purpose.trim().is_empty() || shop.purpose(&rule.purpose).is_none() {
        let message =
            "has no consent purpose the shop asks customers about, so no consent can allow it";
        return vec![(Check::NoPurpose, message.to_owned())];
    }
    if let Some(field) = field_outside_purpose(shop, rule) {
        return vec![(
            Check::OutsidePurpose,
            outside_purpose_message(shop, rule, field),
        )];
    }
    let mut out = Vec::new();
    out.extend(sensitive_message(shop, rule).map(|m| (Check::SensitiveAttribute, m)));
    out.extend(pricing_by_group(rule).map(|m| (Check::PricingByGroup, m)));
    if !rule.reason.chars().any(char::is_alphabetic) {
        let message = "has no plain-language reason to show the customer";
        out.push((Check::NoReason, message.to_owned()));
    }
    out.extend(pressure_message(&rule.reason).map(|m| (Check::PressureWording, m)));
    if reach == Some(0) {
        out.push((Check::NeverFires, never_fires_message(shop, rule)));
    }
    out
}

/// Why a rule in use runs for no customer: where its purpose was widened to cover a field
/// it reads, that only customers who agreed since count.
fn never_fires_message(shop: &Shop, rule: &Rule) -> String {
    let widened = shop.purpose(&rule.purpose).and_then(|p| {
        let fields = rule.fields();
        (p.covered_since.iter())
            .find(|(f, _)| fields.contains(f))
            .map(|(f, since)| (p.label.as_str(), *f, *since))
    });
    match widened {
        Some((purpose, field, since)) => format!(
            "is switched on but runs for no customer: it reads the customer's {}, which \u{201c}{purpose}\u{201d} covers only since {}, and no customer who agreed to it since meets its conditions (those who agreed before must agree again)",
            field.in_words(),
            since.format("%-d %B %Y")
        ),
        None => "is switched on but runs for no customer (no one has both the consent and the conditions)".to_owned(),
    }
}

/// "reads birth date, a sensitive attribute …" when the rule reads a sensitive field.
fn sensitive_message(shop: &Shop, rule: &Rule) -> Option<String> {
    let sensitive: Vec<String> = rule
        .fields()
        .into_iter()
        .filter_map(|f| shop.fields.iter().find(|d| d.field == f && d.sensitive))
        .map(|d| d.label.to_lowercase())
        .collect();
    (!sensitive.is_empty()).then(|| {
        format!(
            "reads {}, a sensitive attribute or a likely stand-in for one",
            sensitive.join(" and ")
        )
    })
}

/// The words of a reason that pressure the customer with urgency or scarcity, if any.
fn pressure_message(reason: &str) -> Option<String> {
    let reason = reason.to_lowercase().replace('’', "'");
    let pressure: Vec<String> = PRESSURE_PHRASES
        .iter()
        .filter(|p| reason.contains(*p))
        .map(|p| format!("\"{p}\""))
        .collect();
    if pressure.is_empty() && !only_n_left(&reason) {
        return None;
    }
    let words = if pressure.is_empty() {
        "\"only … left\"".to_owned()
    } else {
        pressure.join(", ")
    };
    Some(format!(
        "its reason pressures the customer with urgency or scarcity ({words})"
    ))
}

/// The finding's words for a rule reading `field`, which its purpose does not cover.
fn outside_purpose_message(shop: &Shop, rule: &Rule, field: PersonalField) -> String {
    let purpose = shop.purpose_label(&rule.purpose);
    format!(
        "reads the customer's {}, which \u{201c}{purpose}\u{201d} does not cover, so it runs for nobody (purpose limitation, GDPR Art. 5(1)(b)): customers agreed to that purpose as it is described, not to this use of their data",
        field.in_words()
    )
}

/// Enabled rules whose reason does not tell the customer about a sensitive field the
/// rule reads, each with a reason that does.
fn hidden_data(shop: &Shop) -> Vec<RuleLint> {
    let mut out = Vec::new();
    for rule in shop.rules.iter().filter(|r| rule_in_use(shop, r)) {
        let hidden: Vec<PersonalField> = rule
            .fields()
            .into_iter()
            .filter(|f| shop.fields.iter().any(|d| d.field == *f && d.sensitive))
            .filter(|f| !discloses(&rule.reason, *f))
            .collect();
        if hidden.is_empty() {
            continue;
        }
        let names: Vec<&str> = hidden.iter().map(|f| f.in_words()).collect();
        out.push(RuleLint {
            rule: rule.id.clone(),
            rule_label: rule.label.clone(),
            check: Check::ReasonHidesData,
            message: format!(
                "uses the customer's {} but its reason does not say so (Candor adds it to the sentence and the card, but the reason itself should be honest)",
                names.join(" and ")
            ),
            suggested_reason: Some(format!("{}, going by {{data}}", rule.reason.trim_end_matches('.'))),
        });
    }
    out
}

/// Whether a reason template tells the customer that `field` is used: the `{data}`
/// placeholder, or words that name it.
pub fn discloses(reason: &str, field: PersonalField) -> bool {
    let words: &[&str] = match field {
        PersonalField::BirthDate => &[
            "age",
            "aged",
            "birthday",
            "birth date",
            "date of birth",
            "born",
            "years old",
        ],
        PersonalField::Gender => &["gender", "men", "women", "male", "female"],
        PersonalField::Postcode => &[
            "postcode",
            "post code",
            "zip code",
            "area",
            "neighbourhood",
            "where you live",
        ],
        other => &[other.in_words()],
    };
    if reason.contains("{data}") {
        return true;
    }
    let text = format!(" {} ", normalized_words(reason));
    words
        .iter()
        .any(|w| text.contains(&format!(" {} ", normalized_words(w))))
}

/// Lower-case words separated by single spaces, without punctuation.
fn normalized_words(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A rule that targets a price band, or gives a discount, only to customers of some
/// group: the message saying so, or `None`.
fn pricing_by_group(rule: &Rule) -> Option<String> {
    let on_price = matches!(rule.target, Target::PriceBand { .. }) || is_promotion(rule);
    let condition = rule.conditions.iter().find(|c| marks_a_group(c.feature))?;
    on_price.then(|| {
        format!(
            "steers prices by group: {} only for customers whose {}",
            rule.target.text(),
            condition.text()
        )
    })
}

/// "only 3 left" and the like.
fn only_n_left(reason: &str) -> bool {
    reason.match_indices("only ").any(|(i, m)| {
        let rest = &reason[i + m.len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        !digits.is_empty() && rest[digits.len()..].trim_start().starts_with("left")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_discloses_a_field_by_its_words_or_the_data_placeholder() {
        let age = PersonalField::BirthDate;
        assert!(!discloses(
            "customers like you often choose our premium range",
            age
        ));
        assert!(discloses(
            "customers your age often choose our premium range",
            age
        ));
        assert!(discloses("your birthday is coming up", age));
        assert!(discloses("picked for you, going by {data}", age));
        assert!(!discloses("read the message on the page", age));
        assert!(discloses("popular in your area", PersonalField::Postcode));
    }

    #[test]
    fn scarcity_counts() {
        assert!(only_n_left("only 3 left in stock"));
        assert!(!only_n_left("only for you"));
    }
}
