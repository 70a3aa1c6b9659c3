//! "Data held": every personal-data field kept about one customer, where it came from,
//! and which rules and features read it. A field nothing reads and nothing else
//! justifies is a data-minimization finding.

use chrono::NaiveDate;
use serde::Serialize;

use super::features::FeatureId;
use super::index::ShopIndex;
use super::model::{CustomerId, OrderId, PersonalField, ProductId, Shop};

/// Everything held about one customer.
#[derive(Clone, Debug, Serialize)]
pub struct Held {
    /// Customer number.
    pub customer: CustomerId,
    /// Each field held, in catalogue order.
    pub fields: Vec<HeldField>,
    /// Every order, oldest first.
    pub orders: Vec<HeldOrder>,
    /// Current state and full history of each purpose the customer decided on.
    pub consents: Vec<HeldConsent>,
    /// Every preference the customer stated or took back, with its history.
    pub preferences: Vec<HeldPreference>,
}

/// One preference a customer stated: whether it stands, what it does, and its history.
#[derive(Clone, Debug, Serialize)]
pub struct HeldPreference {
    /// The preference (`{"kind": …, "category" | "tag" | "product": …}`).
    pub preference: super::preferences::Preference,
    /// As staff would say it: "does not want wine".
    pub text: String,
    /// As the customer is told it: "You do not want wine".
    pub to_customer: String,
    /// True when the decision recorded last states it (false: taken back).
    pub stands: bool,
    /// What Candor does with it while it stands, in words.
    pub effect: String,
    /// Every decision about it, in the order Candor recorded them.
    pub history: Vec<PreferenceRecord>,
}

/// One decision about a preference.
#[derive(Clone, Debug, Serialize)]
pub struct PreferenceRecord {
    /// True when the customer took it back.
    pub withdrawn: bool,
    /// When Candor recorded it (RFC 3339, UTC).
    pub recorded_at: String,
    /// How.
    pub method: String,
    /// Recorded by whom.
    pub recorded_by: String,
    /// The customer's own words, if noted.
    pub words: Option<String>,
}

/// One field held about a customer.
#[derive(Clone, Debug, Serialize)]
pub struct HeldField {
    /// Group: identity, contact, demographics, purchase history, consents.
    pub group: String,
    /// Field key.
    pub field: String,
    /// Human label.
    pub label: String,
    /// The value, or a summary for records (orders, consents).
    pub value: String,
    /// Where it came from.
    pub source: String,
    /// When it was recorded.
    pub recorded_on: NaiveDate,
    /// The rules that read this field and run for this customer (they have agreed to
    /// their purpose), and the features those rules read that use it.
    pub used_by: Vec<UsedBy>,
    /// Rules in use that read this field but do not run for this customer, who has not
    /// agreed to their purpose (or agreed before it covered the field).
    pub needs_agreement: Vec<UsedBy>,
    /// A reason to hold it other than personalization, if the shop gives one.
    pub kept_for: Option<String>,
    /// True when no rule uses it for this customer (none reads it, or they have not agreed
    /// to what reads it) and no other reason is given: held without a use, to be deleted
    /// or agreed to.
    pub not_used: bool,
    /// Whether it is sensitive or a likely proxy for a sensitive attribute.
    pub sensitive: bool,
}

/// A rule or feature that reads a field.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UsedBy {
    /// `rule` or `feature`.
    pub kind: &'static str,
    /// Its id.
    pub id: String,
    /// Its label.
    pub label: String,
}

/// One order, for "Data held" and the records an explanation points to.
#[derive(Clone, Debug, Serialize)]
pub struct HeldOrder {
    /// Order number.
    pub order: OrderId,
    /// Date.
    pub date: NaiveDate,
    /// Channel.
    pub channel: String,
    /// Lines.
    pub lines: Vec<HeldLine>,
    /// Whether it is a return (a cancelled, refunded or returned order: every line takes
    /// something back), not an order the customer placed.
    #[serde(rename = "return")]
    pub is_return: bool,
}

/// One line of a held order.
#[derive(Clone, Debug, Serialize)]
pub struct HeldLine {
    /// Product number.
    pub product: ProductId,
    /// Product name, or a note when the product no longer exists.
    pub name: String,
    /// Units.
    pub quantity: i64,
    /// Unit price in minor units of the shop's currency (pence for GBP); `null` when the
    /// export did not say.
    pub unit_price_cents: Option<i64>,
}

/// A purpose's current state and history for this customer.
#[derive(Clone, Debug, Serialize)]
pub struct HeldConsent {
    /// Purpose id.
    pub purpose: String,
    /// Purpose label.
    pub label: String,
    /// The decision recorded last: the one in force.
    pub granted: bool,
    /// Every decision, in the order Candor recorded them.
    pub history: Vec<ConsentRecord>,
    /// For a grant in force: the fields the purpose was widened to cover that it is not
    /// known to cover, in words, with the day the purpose began to cover each (rules
    /// reading them do not run for the customer until they agree again).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_covered: Vec<(String, NaiveDate)>,
}

impl HeldField {
    /// The rules that would use the field if the customer agreed, as a list in words
    /// ("Premium picks for over-40s and Birthday treat"), or `None` when there are none.
    pub fn needs_agreement_text(&self) -> Option<String> {
        let labels: Vec<&str> = self
            .needs_agreement
            .iter()
            .map(|u| u.label.as_str())
            .collect();
        (!labels.is_empty()).then(|| super::words::and_list(&labels))
    }
}

impl HeldConsent {
    /// What a grant in force does not cover, in a sentence.
    pub fn not_covered_text(&self) -> Option<String> {
        let (first, rest) = self.not_covered.split_first()?;
        let fields: Vec<String> = std::iter::once(first)
            .chain(rest)
            .map(|(field, since)| format!("{field} (covered since {})", since.format("%-d %B %Y")))
            .collect();
        Some(format!(
            "Not known to cover {}: \u{201c}{}\u{201d} was widened to cover that, and nothing shows this agreement came after, so rules reading it do not run for them until they agree again.",
            super::words::and_list(&fields),
            self.label
        ))
    }
}

/// One consent decision.
#[derive(Clone, Debug, Serialize)]
pub struct ConsentRecord {
    /// Granted or withdrawn.
    pub granted: bool,
    /// The day shown: when the customer decided where known, else when it was recorded.
    pub at: NaiveDate,
    /// When Candor recorded it (RFC 3339, UTC); `None` for decisions recorded before
    /// Candor kept the time.
    pub recorded_at: Option<String>,
    /// The day the customer decided, where the source says so.
    pub decided_on: Option<NaiveDate>,
    /// How.
    pub method: String,
    /// Recorded by whom.
    pub recorded_by: String,
    /// The customer's own words, if noted.
    pub words: Option<String>,
    /// What the customer was shown when deciding (the purpose's words then), where known.
    pub wording: Option<String>,
}

impl ConsentRecord {
    /// When, in words: the day the customer decided (where known) and when Candor
    /// recorded it, e.g. "decided on 3 May 2021, recorded on 1 December 2026 at 22:40 UTC".
    pub fn when_text(&self) -> String {
        let decided = self
            .decided_on
            .map(|d| format!("decided on {}", d.format("%-d %B %Y")));
        let recorded = self
            .recorded_at
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| format!("recorded on {}", t.format("%-d %B %Y at %H:%M UTC")));
        match (decided, recorded) {
            (Some(d), Some(r)) => format!("{d}, {r}"),
            (Some(d), None) => format!("{d} (when it was recorded is not known)"),
            (None, Some(r)) => format!("{r} (the source does not say when the customer decided)"),
            (None, None) => format!("on {}", self.at.format("%-d %B %Y")),
        }
    }
}

/// The preferences a customer stated, in the order first stated, each with its history.
fn held_preferences(index: &ShopIndex, customer: usize) -> Vec<HeldPreference> {
    use super::preferences::PreferenceKind;
    let shop = index.shop();
    let mut out: Vec<HeldPreference> = Vec::new();
    for e in index.preferences_of(customer) {
        let event = &shop.preferences[e];
        let record = PreferenceRecord {
            withdrawn: event.withdrawn,
            recorded_at: event
                .recorded_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            method: event.method.clone(),
            recorded_by: event.recorded_by.clone(),
            words: event.words.clone(),
        };
        if let Some(held) = out.iter_mut().find(|p| p.preference == event.preference) {
            held.stands = !event.withdrawn;
            held.history.push(record);
            continue;
        }
        let effect = match event.preference.kind {
            PreferenceKind::NotWanted => "never recommended to them".to_owned(),
            PreferenceKind::IgnorePurchases => "their purchases there are not used".to_owned(),
            PreferenceKind::Liked => liked_effect(index, customer, &event.preference),
        };
        out.push(HeldPreference {
            preference: event.preference.clone(),
            text: event
                .preference
                .text(|id| super::changes::product_name(shop, id)),
            to_customer: event
                .preference
                .text_to_customer(|id| super::changes::product_name(shop, id)),
            stands: !event.withdrawn,
            effect,
            history: vec![record],
        });
    }
    out
}

/// What a "liked" preference does for this customer: the rules in use that read it (a
/// target of its kind, or a condition counting likes) and whose purpose they granted, or
/// that none does.
fn liked_effect(
    index: &ShopIndex,
    customer: usize,
    preference: &super::preferences::Preference,
) -> String {
    use super::rules::Target;
    let shop = index.shop();
    let target = match preference.about {
        super::preferences::About::Tag(_) => Target::PreferredTag,
        _ => Target::PreferredCategory,
    };
    let rules: Vec<String> = shop
        .rules
        .iter()
        .filter(|r| super::score::rule_in_use(shop, r))
        .filter(|r| index.has_consent(customer, &r.purpose))
        .filter(|r| {
            r.target == target
                || r.conditions
                    .iter()
                    .any(|c| c.feature == super::features::CustomerFeature::Prefers)
        })
        .map(|r| format!("\u{201c}{}\u{201d}", r.label))
        .collect();
    if rules.is_empty() {
        "kept as they said it; no rule in use reads it for them".to_owned()
    } else {
        format!("read by {}", super::words::and_list(&rules))
    }
}

/// The preferences in one line: "2 stated, 1 taken back".
fn preferences_summary(preferences: &[HeldPreference]) -> String {
    let stated = preferences.iter().filter(|p| p.stands).count();
    let back = preferences.len() - stated;
    match back {
        0 => format!("{stated} stated"),
        _ => format!("{stated} stated, {back} taken back"),
    }
}

/// The rules in use (switched on, and within their purpose) and the features they read
/// that use `field`.
pub fn used_by(shop: &Shop, field: PersonalField) -> Vec<UsedBy> {
    let rules: Vec<_> = shop
        .rules
        .iter()
        .filter(|r| super::score::rule_in_use(shop, r))
        .collect();
    let mut out: Vec<UsedBy> = rules
        .iter()
        .filter(|r| r.fields().contains(&field))
        .map(|r| UsedBy {
            kind: "rule",
            id: r.id.clone(),
            label: r.label.clone(),
        })
        .collect();
    for feature in FeatureId::all() {
        let read_by_enabled_rule = rules.iter().any(|r| r.features().contains(&feature));
        if read_by_enabled_rule && feature.fields().contains(&field) {
            out.push(UsedBy {
                kind: "feature",
                id: feature.key().to_owned(),
                label: feature.label().to_owned(),
            });
        }
    }
    out
}

/// The rules that read `field` and run for the customer at position `customer` (they may
/// still find a condition false: they read the field to know), with the features they
/// read that use it; and the rules in use that would read it, but do not run for the
/// customer because they have not agreed to the rule's purpose (or agreed before it
/// covered the data).
fn used_for(
    index: &ShopIndex,
    customer: usize,
    field: PersonalField,
) -> (Vec<UsedBy>, Vec<UsedBy>) {
    use super::score::{RuleStatus, SkipReason, rule_status};
    let shop = index.shop();
    let reading: Vec<&super::rules::Rule> = (shop.rules.iter())
        .filter(|r| super::score::rule_in_use(shop, r) && r.fields().contains(&field))
        .collect();
    let mut runs: Vec<UsedBy> = Vec::new();
    let mut needs_agreement: Vec<UsedBy> = Vec::new();
    let mut features: Vec<FeatureId> = Vec::new();
    for rule in reading {
        let used = UsedBy {
            kind: "rule",
            id: rule.id.clone(),
            label: rule.label.clone(),
        };
        match rule_status(index, rule, customer) {
            RuleStatus::Skipped(SkipReason::NoConsent | SkipReason::AgreedBeforeCovered { .. }) => {
                needs_agreement.push(used);
            }
            RuleStatus::Skipped(SkipReason::Disabled | SkipReason::OutsidePurpose { .. }) => {}
            // A false condition was found by reading the field.
            RuleStatus::Runs | RuleStatus::Skipped(SkipReason::ConditionNotMet { .. }) => {
                features.extend(rule.features());
                runs.push(used);
            }
        }
    }
    for feature in FeatureId::all() {
        if features.contains(&feature) && feature.fields().contains(&field) {
            runs.push(UsedBy {
                kind: "feature",
                id: feature.key().to_owned(),
                label: feature.label().to_owned(),
            });
        }
    }
    (runs, needs_agreement)
}

/// Everything held about the customer at position `customer`.
pub fn held(index: &ShopIndex, customer: usize) -> Held {
    let shop = index.shop();
    let c = &shop.customers[customer];
    let orders = held_orders(index, customer);
    let consents = held_consents(index, customer);
    let preferences = held_preferences(index, customer);
    let fields = shop
        .fields
        .iter()
        .filter_map(|def| {
            let value = match def.field {
                PersonalField::Orders if orders.is_empty() => return None,
                PersonalField::Orders => orders_summary(&orders, shop.settings.currency),
                PersonalField::Consents if consents.is_empty() => return None,
                PersonalField::Consents => format!(
                    "{} decided",
                    super::words::count(consents.len(), "purpose", "purposes")
                ),
                PersonalField::Preferences if preferences.is_empty() => return None,
                PersonalField::Preferences => preferences_summary(&preferences),
                other => c.field_value(other)?,
            };
            let (source, recorded_on) = match def.field {
                PersonalField::Orders => (
                    "the shop's till and web orders".to_owned(),
                    orders.first().map_or(c.since, |o| o.date),
                ),
                PersonalField::Preferences => (
                    "what the customer told the shop".to_owned(),
                    preferences
                        .iter()
                        .filter_map(|p| p.history.first())
                        .filter_map(|h| chrono::DateTime::parse_from_rfc3339(&h.recorded_at).ok())
                        .map(|t| t.date_naive())
                        .min()
                        .unwrap_or(c.since),
                ),
                PersonalField::Consents => (
                    "the customer's consent decisions".to_owned(),
                    consents
                        .iter()
                        .filter_map(|p| p.history.first().map(|h| h.at))
                        .min()
                        .unwrap_or(c.since),
                ),
                _ => {
                    let (source, on) = c.value_source(def.field);
                    (source.to_owned(), on)
                }
            };
            let (used_by, needs_agreement) = used_for(index, customer, def.field);
            let not_used = used_by.is_empty() && def.kept_for.is_none();
            Some(HeldField {
                group: def.group.clone(),
                field: def.field.key().to_owned(),
                label: def.label.clone(),
                value,
                source,
                recorded_on,
                used_by,
                needs_agreement,
                kept_for: def.kept_for.clone(),
                not_used,
                sensitive: def.sensitive,
            })
        })
        .collect();
    Held {
        customer: c.id,
        fields,
        orders,
        consents,
        preferences,
    }
}

fn orders_summary(orders: &[HeldOrder], currency: super::money::Currency) -> String {
    let lines: usize = orders.iter().map(|o| o.lines.len()).sum();
    let all = || orders.iter().flat_map(|o| &o.lines);
    let cents: i64 = all()
        .filter_map(|l| Some(l.quantity * l.unit_price_cents?))
        .sum();
    // A return (a cancelled, refunded or returned order: every line taken back) is held
    // as an order but is not one the customer placed; its lines count against the total.
    let returns = orders.iter().filter(|o| o.is_return).count();
    let net = if all().any(|l| l.quantity < 0) {
        " after returns"
    } else {
        ""
    };
    let unpriced = all().filter(|l| l.unit_price_cents.is_none()).count();
    let total = match unpriced {
        0 => format!("{} in total{net}", currency.format(cents)),
        n if n == lines => "prices not known".to_owned(),
        n => format!(
            "{} in total{net} for the lines with a known price ({n} without)",
            currency.format(cents)
        ),
    };
    let counted = match returns {
        0 => super::words::count(orders.len(), "order", "orders"),
        n => format!(
            "{} and {}",
            super::words::count(orders.len() - n, "order", "orders"),
            super::words::count(n, "return", "returns")
        ),
    };
    match (orders.first(), orders.last()) {
        (Some(first), Some(last)) => format!(
            "{counted}, {}, {total}, {} to {}",
            super::words::count(lines, "line", "lines"),
            first.date,
            last.date
        ),
        _ => "no orders".to_owned(),
    }
}

/// Every order held of the customer, oldest first: also those dated after the shop's today
/// (a pinned shop's newer imports), which recommendations do not use but the shop holds.
fn held_orders(index: &ShopIndex, customer: usize) -> Vec<HeldOrder> {
    let shop = index.shop();
    let id = Some(shop.customers[customer].id);
    let mut mine: Vec<usize> = (0..shop.orders.len())
        .filter(|&o| shop.orders[o].customer == id)
        .collect();
    mine.sort_by_key(|&o| (shop.orders[o].date, shop.orders[o].id));
    mine.into_iter()
        .map(|o| HeldOrder {
            is_return: index.is_return(o),
            order: shop.orders[o].id,
            date: shop.orders[o].date,
            channel: shop.orders[o].channel.clone(),
            lines: index
                .lines_of(o)
                .map(|l| {
                    let line = &shop.lines[l];
                    HeldLine {
                        product: line.product,
                        name: index.line_product(l).map_or_else(
                            || format!("product {} (no longer sold)", line.product),
                            |p| shop.products[p].name.clone(),
                        ),
                        quantity: line.quantity,
                        unit_price_cents: line.unit_price_cents,
                    }
                })
                .collect(),
        })
        .collect()
}

fn held_consents(index: &ShopIndex, customer: usize) -> Vec<HeldConsent> {
    let shop = index.shop();
    let events: Vec<usize> = index.consents_of(customer).collect();
    shop.purposes
        .iter()
        .filter_map(|purpose| {
            let history: Vec<ConsentRecord> = events
                .iter()
                .map(|&e| &shop.consents[e])
                .filter(|e| e.purpose == purpose.id)
                .map(|e| ConsentRecord {
                    granted: e.granted,
                    at: e.at,
                    recorded_at: e
                        .recorded_at
                        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                    decided_on: e.decided_on,
                    method: e.method.clone(),
                    recorded_by: e.recorded_by.clone(),
                    words: e.words.clone(),
                    wording: e.wording.clone(),
                })
                .collect();
            let granted = history.last()?.granted;
            let in_force = index.agreement_in_force(customer, &purpose.id);
            let not_covered = in_force
                .filter(|grant| grant.granted)
                .map(|grant| {
                    (purpose.covered_since.iter())
                        .filter(|(f, _)| {
                            purpose.first_agreed_before_covered([**f], grant).is_some()
                        })
                        .map(|(f, since)| (f.in_words().to_owned(), since.date_naive()))
                        .collect()
                })
                .unwrap_or_default();
            Some(HeldConsent {
                purpose: purpose.id.clone(),
                label: purpose.label.clone(),
                granted,
                history,
                not_covered,
            })
        })
        .collect()
}
