//! The shop's ethics scorecard: one card per principle, each a status and the measured
//! facts behind it, computed from the shop's own data and audit. Nothing here is fixed
//! text: every line carries a number from this shop.

use serde::Serialize;

use super::audit::Audit;
use super::audit::fairness::Status as Parity;
use super::audit::lint::Check;
use super::index::ShopIndex;

/// How a principle stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Nothing measured needs attention.
    Good,
    /// Something is worth a look.
    NeedsAttention,
    /// Something is likely unfair, unlawful or manipulative.
    AtRisk,
}

impl Standing {
    /// The standing in words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Good => "Good",
            Self::NeedsAttention => "Needs attention",
            Self::AtRisk => "At risk",
        }
    }
}

use super::view::View;
use super::words::count;

/// One measured fact on a card.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fact {
    /// The fact in words, with its number.
    pub text: String,
    /// The number itself.
    pub value: f64,
    /// Whether this fact is what lowers the card's standing.
    pub concern: bool,
}

/// One principle's card.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Card {
    /// Stable key, e.g. `fairness`.
    pub principle: String,
    /// Its name.
    pub label: String,
    /// How it stands.
    pub standing: Standing,
    /// The measured facts.
    pub facts: Vec<Fact>,
    /// Where to fix it.
    pub place: View,
}

/// What the scorecard needs to know that is not in the snapshot: the audit log's state
/// and the owner's passphrase (read by the caller from the store).
#[derive(Clone, Copy, Debug, Default)]
pub struct Records {
    /// Entries in the audit log.
    pub log_entries: usize,
    /// Entries whose reason is empty.
    pub log_without_reason: usize,
    /// Whether the log's hash chain verifies.
    pub log_intact: bool,
    /// Whether the owner has set a passphrase.
    pub owner_passphrase_set: bool,
    /// Whether the log records an owner set up but the passphrase is gone from the file or
    /// is not the one Candor set (removed or replaced outside Candor).
    pub owner_removed: bool,
    /// Whether the shop file is protected with a password (encrypted at rest).
    pub file_protected: bool,
}

/// "1 rule", "2 rules".
fn rules(n: usize) -> String {
    count(n, "rule", "rules")
}

/// "1 rule reads", "2 rules read".
fn rules_reading(n: usize) -> String {
    count(n, "rule reads", "rules read")
}

fn fact(text: String, value: f64, concern: bool) -> Fact {
    Fact {
        text,
        value,
        concern,
    }
}

fn standing(facts: &[Fact], at_risk: bool) -> Standing {
    match (at_risk, facts.iter().any(|f| f.concern)) {
        (true, _) => Standing::AtRisk,
        (false, true) => Standing::NeedsAttention,
        (false, false) => Standing::Good,
    }
}

/// What every card reads: the snapshot, its audit and the log's state.
struct Sources<'a> {
    index: &'a ShopIndex,
    audit: &'a Audit,
    records: &'a Records,
}

impl Sources<'_> {
    /// How many rules the audit's lint found failing `check`.
    fn lint(&self, check: Check) -> usize {
        self.audit.lint.iter().filter(|l| l.check == check).count()
    }
}

/// A card from its facts; its standing follows from them.
fn card(principle: &str, label: &str, facts: Vec<Fact>, at_risk: bool, place: View) -> Card {
    Card {
        principle: principle.to_owned(),
        label: label.to_owned(),
        standing: standing(&facts, at_risk),
        facts,
        place,
    }
}

/// The seven cards, in a fixed order.
pub fn scorecard(index: &ShopIndex, audit: &Audit, records: &Records) -> Vec<Card> {
    let sources = Sources {
        index,
        audit,
        records,
    };
    [
        transparency_card,
        consent_card,
        minimization_card,
        security_card,
        fairness_card,
        accountability_card,
        manipulation_card,
    ]
    .iter()
    .map(|make| make(&sources))
    .collect()
}

fn transparency_card(s: &Sources) -> Card {
    let shop = s.index.shop();
    let enabled = shop
        .rules
        .iter()
        .filter(|r| super::score::rule_in_use(shop, r))
        .count();
    let no_reason = s.lint(Check::NoReason);
    let hiding = s.lint(Check::ReasonHidesData);
    let described = shop.rules.len() + super::features::FeatureId::all().len();
    card(
        "transparency",
        "Transparency",
        vec![
            fact(
                format!(
                    "{} of {} in use {} the customer why in plain words",
                    enabled - no_reason,
                    count(enabled, "rule", "rules"),
                    if enabled == 1 { "tells" } else { "tell" }
                ),
                (enabled - no_reason) as f64,
                no_reason > 0,
            ),
            fact(
                format!(
                    "{} a sensitive field the reason does not mention (the sentence and the card still name it)",
                    rules_reading(hiding)
                ),
                hiding as f64,
                hiding > 0,
            ),
            fact(
                format!("{described} features and rules are described in words on the Rules view"),
                described as f64,
                false,
            ),
        ],
        false,
        View::Rules,
    )
}

fn consent_card(s: &Sources) -> Card {
    let no_purpose = s.lint(Check::NoPurpose);
    let mut facts = rule_purpose_facts(s, no_purpose);
    facts.extend(customer_consent_facts(s));
    facts.extend(widened_facts(s.index));
    card(
        "consent",
        "Informed consent",
        facts,
        no_purpose > 0,
        View::Audit,
    )
}

/// The rules in use without a purpose customers are asked about (`no_purpose` of them),
/// and those reading data their purpose does not cover.
fn rule_purpose_facts(s: &Sources, no_purpose: usize) -> Vec<Fact> {
    let outside = s.lint(Check::OutsidePurpose);
    vec![
        fact(
            format!(
                "{} in use without a consent purpose customers are asked about",
                rules(no_purpose)
            ),
            no_purpose as f64,
            no_purpose > 0,
        ),
        fact(
            if outside == 1 {
                "1 rule reads data its purpose does not cover, so it runs for nobody".to_owned()
            } else {
                format!(
                    "{outside} rules read data their purpose does not cover, so they run for nobody"
                )
            },
            outside as f64,
            outside > 0,
        ),
    ]
}

/// The customer fields held for purposes the customer did not agree to, and the
/// customers never asked.
fn customer_consent_facts(s: &Sources) -> Vec<Fact> {
    let customers = s.index.shop().customers.len();
    let undecided = (0..customers)
        .filter(|&c| s.index.consents_of(c).next().is_none())
        .count();
    let without_consent: usize = (s.audit.minimization.without_consent.iter())
        .map(|w| w.customers)
        .sum();
    vec![
        fact(
            format!(
                "{} for purposes the customer did not agree to",
                count(
                    without_consent,
                    "customer field is held",
                    "customer fields are held"
                )
            ),
            without_consent as f64,
            without_consent > 0,
        ),
        fact(
            format!(
                "{} of {} {} never been asked (they get the shop-wide list)",
                super::words::number(undecided),
                count(customers, "customer", "customers"),
                if undecided == 1 { "has" } else { "have" }
            ),
            undecided as f64,
            false,
        ),
    ]
}

/// For each purpose widened to cover more data, the customers whose agreement in force
/// came before: rules reading the added data do not run for them until they agree again.
fn widened_facts(index: &ShopIndex) -> Vec<Fact> {
    (index.shop().purposes.iter())
        .filter(|p| !p.covered_since.is_empty())
        .map(|p| {
            let before = super::overview::agreed_before_widened(index, p);
            fact(
                format!(
                    "{} to \u{201c}{}\u{201d} before it was widened to cover more data: rules reading that data do not run for them until they agree again",
                    count(before, "customer agreed", "customers agreed"),
                    p.label
                ),
                before as f64,
                before > 0,
            )
        })
        .collect()
}

fn minimization_card(s: &Sources) -> Card {
    let minimization = &s.audit.minimization;
    let unused: Vec<&str> = minimization
        .unused_fields
        .iter()
        .filter(|u| u.kept_for.is_none())
        .map(|u| u.label.as_str())
        .collect();
    let expired: usize = minimization
        .past_retention
        .iter()
        .map(|p| p.customers)
        .sum();
    let named = if unused.is_empty() {
        String::new()
    } else {
        format!(" ({})", unused.join(", ").to_lowercase())
    };
    card(
        "minimization",
        "Data minimization",
        vec![
            fact(
                format!(
                    "{} that nothing uses{named}",
                    count(unused.len(), "field held", "fields held")
                ),
                unused.len() as f64,
                !unused.is_empty(),
            ),
            fact(
                format!(
                    "{} past their retention period",
                    count(expired, "customer field kept", "customer fields kept")
                ),
                expired as f64,
                expired > 0,
            ),
        ],
        expired > 0,
        View::Audit,
    )
}

fn security_card(s: &Sources) -> Card {
    let set = s.records.owner_passphrase_set;
    let masked = super::model::MASKED_FIELDS.len();
    card(
        "security",
        "Data security",
        vec![
            fact(
                if set {
                    "the owner is set up: only the owner can change rules, prices or erase"
                        .to_owned()
                } else if s.records.owner_removed {
                    "the owner's passphrase was tampered with outside Candor (removed, replaced, or the log cut): reset it with the recovery code".to_owned()
                } else {
                    "no owner is set up yet: set one up (Set up the owner…)".to_owned()
                },
                f64::from(u8::from(set)),
                !set,
            ),
            fact(
                if s.records.file_protected {
                    "the shop file is encrypted with a password: a lost or copied file shows nothing without it".to_owned()
                } else {
                    "the shop file is not encrypted: anyone with a copy reads every customer's data (File menu: Protect this shop with a password…)".to_owned()
                },
                f64::from(u8::from(s.records.file_protected)),
                !s.records.file_protected,
            ),
            fact(
                format!("{masked} personal fields are masked on screen until a logged reveal"),
                masked as f64,
                false,
            ),
        ],
        false,
        View::Log,
    )
}

/// Every flagged parity ratio, with what it measures: the same metrics the audit flags.
fn flagged_ratios(audit: &Audit) -> Vec<(String, f64)> {
    audit
        .fairness
        .iter()
        .flat_map(|g| {
            g.metrics
                .iter()
                .filter(|m| m.status == Parity::Flagged)
                .filter_map(move |m| {
                    Some((
                        format!("{} by {}", m.label.to_lowercase(), g.label.to_lowercase()),
                        m.parity_ratio?,
                    ))
                })
        })
        .collect()
}

fn fairness_card(s: &Sources) -> Card {
    let flagged = flagged_ratios(s.audit);
    let steering = s.lint(Check::PricingByGroup);
    let sensitive = s.lint(Check::SensitiveAttribute);
    let mut facts = vec![
        fact(
            format!(
                "{} below 0.8 (the four-fifths rule of thumb) and unlikely to be chance",
                count(flagged.len(), "parity ratio", "parity ratios")
            ),
            flagged.len() as f64,
            !flagged.is_empty(),
        ),
        fact(
            format!("{} steering prices or offers by age", rules(steering)),
            steering as f64,
            steering > 0,
        ),
        fact(
            format!(
                "{} reading a sensitive attribute or a stand-in for one",
                rules(sensitive)
            ),
            sensitive as f64,
            sensitive > 0,
        ),
    ];
    if let Some((what, ratio)) = flagged.iter().min_by(|a, b| a.1.total_cmp(&b.1)) {
        facts.insert(
            0,
            fact(format!("lowest: {what}, parity {ratio:.2}"), *ratio, true),
        );
    }
    card(
        "fairness",
        "Fairness and non-discrimination",
        facts,
        !flagged.is_empty() || steering > 0,
        View::Audit,
    )
}

fn accountability_card(s: &Sources) -> Card {
    let r = s.records;
    card(
        "accountability",
        "Accountability",
        vec![
            fact(
                format!(
                    "{} in the audit log",
                    count(
                        r.log_entries,
                        "change or data request recorded",
                        "changes and data requests recorded"
                    )
                ),
                r.log_entries as f64,
                false,
            ),
            fact(
                format!(
                    "{} recorded without a reason",
                    super::words::number(r.log_without_reason)
                ),
                r.log_without_reason as f64,
                r.log_without_reason > 0,
            ),
            fact(
                if r.log_intact {
                    "the log's hash chain is intact".to_owned()
                } else {
                    "the log or the shop was changed outside Candor (the banner says how)"
                        .to_owned()
                },
                f64::from(u8::from(r.log_intact)),
                !r.log_intact,
            ),
        ],
        !r.log_intact,
        View::Log,
    )
}

/// A share (0 to 1) as a whole percentage that never rounds something to nothing or
/// everything: "under 1%" for 5 products of 4,053, "over 99%" just short of all.
fn share_in_words(share: f64) -> String {
    let percent = share * 100.0;
    if percent > 0.0 && percent < 0.5 {
        "under 1%".to_owned()
    } else if (99.5..100.0).contains(&percent) {
        "over 99%".to_owned()
    } else {
        format!("{percent:.0}%")
    }
}

fn manipulation_card(s: &Sources) -> Card {
    let pressure = s.lint(Check::PressureWording);
    let d = &s.audit.diversity;
    // A share that could not be measured (nothing sellable, or no lists) is said so, and its
    // value is not a number (null in JSON), never a 0 % that was not measured.
    let share_fact = |share: Option<f64>, measured: &str, what: &str, concern: fn(f64) -> bool| {
        match share {
            Some(v) => fact(format!("{} {measured}", share_in_words(v)), v, concern(v)),
            None => fact(
                format!(
                    "the share {what} is not measured: nothing can be sold, or no one has a list yet"
                ),
                f64::NAN,
                false,
            ),
        }
    };
    card(
        "manipulation",
        "No manipulation or filter bubbles",
        vec![
            fact(
                format!(
                    "{} pressuring customers with urgency or scarcity wording",
                    rules(pressure)
                ),
                pressure as f64,
                pressure > 0,
            ),
            share_fact(
                d.catalogue_coverage,
                "of the range is shown to someone",
                "of the range shown to someone",
                |v| v < 0.25,
            ),
            share_fact(
                d.outside_past_categories,
                "of suggestions are outside what a customer already buys",
                "of suggestions outside what a customer already buys",
                |_| false,
            ),
        ],
        pressure > 0,
        View::Audit,
    )
}

#[cfg(test)]
mod tests {
    use super::share_in_words;

    #[test]
    fn a_share_never_rounds_to_none_or_all() {
        assert_eq!(share_in_words(5.0 / 4053.0), "under 1%");
        assert_eq!(share_in_words(0.0), "0%");
        assert_eq!(share_in_words(0.951), "95%");
        assert_eq!(share_in_words(4052.0 / 4053.0), "over 99%");
        assert_eq!(share_in_words(1.0), "100%");
    }
}
