//! Turns the audit's figures into findings a shop owner can act on: what is wrong in
//! words, the rules and customers behind it, and a set of changes that would fix it,
//! ready to simulate.

use serde::Serialize;

use super::super::changes::Change;
use super::super::index::ShopIndex;
use super::super::model::{CustomerId, PersonalField};
use super::super::words::count;
use super::fairness::{GroupingReport, MetricKind, MetricReport, Status};
use super::lint::{Check, RuleLint};
use super::minimization::{LISTED_CUSTOMERS, Minimization};

/// Which part of the audit a finding comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    /// Fairness across customer groups.
    Fairness,
    /// Data minimization.
    Minimization,
    /// Rule lint.
    Lint,
    /// What customers told the shop about their recommendations.
    Feedback,
}

impl Area {
    /// The area's name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Fairness => "Fairness",
            Self::Minimization => "Data minimization",
            Self::Lint => "Rule check",
            Self::Feedback => "Customer feedback",
        }
    }
}

/// How urgent a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Likely unfair, unlawful or manipulative: act on it.
    AtRisk,
    /// Worth a look.
    Attention,
}

impl Severity {
    /// The severity in words.
    pub fn label(self) -> &'static str {
        match self {
            Self::AtRisk => "At risk",
            Self::Attention => "Needs attention",
        }
    }
}

/// Changes that would fix a finding, to simulate before applying.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fix {
    /// What the fix does, e.g. "Switch off “Premium picks for over-40s”".
    pub label: String,
    /// The changes.
    pub changes: Vec<Change>,
}

/// One thing the audit found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// Stable key, e.g. `fairness:age_band:premium` or `lint:premium-for-40-plus:pricing_by_group`.
    pub id: String,
    /// Which part of the audit.
    pub area: Area,
    /// How urgent.
    pub severity: Severity,
    /// One line, in plain words.
    pub title: String,
    /// The figures behind it.
    pub detail: String,
    /// The rules behind it (ids).
    pub rules: Vec<String>,
    /// The personal-data field involved, if any.
    pub field: Option<String>,
    /// Customers concerned.
    pub customers: usize,
    /// Their numbers (the first 50).
    pub customer_ids: Vec<CustomerId>,
    /// A fix to simulate, when one is known.
    pub fix: Option<Fix>,
}

/// A rule whose "not for me" answers are more than its share of lifted products predicts.
pub fn feedback_finding(f: &super::feedback::RuleFeedback) -> Option<Finding> {
    if !f.more_than_its_share {
        return None;
    }
    let share = f.share_of_lifted.unwrap_or(0.0);
    Some(Finding {
        id: format!("feedback:{}:not_for_me", f.rule),
        area: Area::Feedback,
        severity: Severity::Attention,
        title: format!(
            "{} said \u{201c}not for me\u{201d} to products \u{201c}{}\u{201d} lifted: more than its share",
            count(f.customers, "customer", "customers"),
            f.label
        ),
        detail: format!(
            "Of {} \u{201c}not for me\u{201d} answers, {} were to products this rule had lifted. It lifts {:.0}% of the products recommended now (measured on {}), so about {:.1} were expected (one-sided binomial test, p = {:.4}).",
            f.all_answers,
            f.answers,
            share * 100.0,
            count(f.lists_measured, "customer's list", "customers' lists"),
            f.expected.unwrap_or(0.0),
            f.p_value.unwrap_or(0.0)
        ),
        rules: vec![f.rule.clone()],
        field: None,
        customers: f.customers,
        customer_ids: Vec::new(),
        fix: Some(Fix {
            label: format!("Switch off \u{201c}{}\u{201d}", f.label),
            changes: vec![Change::RuleEnabled {
                rule: f.rule.clone(),
                enabled: false,
            }],
        }),
    })
}

/// Builds the findings, most serious first.
pub fn findings(
    index: &ShopIndex,
    fairness: &[GroupingReport],
    minimization: &Minimization,
    lint: &[RuleLint],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for report in fairness {
        let flagged = |m: &&MetricReport| m.status == Status::Flagged;
        for metric in report
            .metrics
            .iter()
            .filter(|m| !m.metric.starts_with("exposure:"))
            .filter(flagged)
        {
            out.push(fairness_finding(index, report, metric));
        }
        let exposure: Vec<&MetricReport> = report
            .metrics
            .iter()
            .filter(|m| m.metric.starts_with("exposure:"))
            .filter(flagged)
            .collect();
        if !exposure.is_empty() {
            out.push(exposure_finding(index, report, &exposure));
        }
    }
    out.extend(minimization_findings(index, minimization));
    out.extend(lint.iter().map(|l| lint_finding(index, l)));
    out.extend(unpriced_finding(index));
    out.extend(silent_purposes(index));
    out.sort_by_key(|f| f.severity);
    out
}

/// Purposes that cover a sensitive field their words never mention: customers agreed to
/// what they were told, so the purpose should say it, or stop covering it.
fn silent_purposes(index: &ShopIndex) -> Vec<Finding> {
    let shop = index.shop();
    let sensitive = |f: &PersonalField| shop.fields.iter().any(|d| d.field == *f && d.sensitive);
    shop.purposes
        .iter()
        .filter_map(|p| {
            let silent: Vec<PersonalField> = p
                .fields
                .iter()
                .copied()
                .filter(|f| sensitive(f) && !super::lint::discloses(&p.description, *f))
                .collect();
            if silent.is_empty() {
                return None;
            }
            let words: Vec<&str> = silent.iter().map(|f| f.in_words()).collect();
            let words = super::super::words::and_list(&words);
            let kept: Vec<PersonalField> =
                p.fields.iter().copied().filter(|f| !silent.contains(f)).collect();
            Some(Finding {
                id: format!("purpose:{}:words_silent", p.id),
                area: Area::Lint,
                severity: Severity::Attention,
                title: format!(
                    "\u{201c}{}\u{201d} covers the customer's {words}, but what customers are told does not mention it",
                    p.label
                ),
                detail: format!(
                    "Customers agreed to: \u{201c}{}\u{201d}. Say what it uses in those words (and ask again), or stop it covering the {words}.",
                    p.description
                ),
                rules: Vec::new(),
                field: silent.first().map(|f| f.key().to_owned()),
                customers: 0,
                customer_ids: Vec::new(),
                fix: Some(Fix {
                    label: format!("Simulate \u{201c}{}\u{201d} no longer covering the {words}", p.label),
                    changes: vec![Change::Purpose {
                        purpose: p.id.clone(),
                        label: None,
                        description: None,
                        fields: Some(kept),
                        covered_since: None,
                        undone_at: None,
                    }],
                }),
            })
        })
        .collect()
}

/// Products whose price the shop's files did not give: the price figures leave them out.
fn unpriced_finding(index: &ShopIndex) -> Option<Finding> {
    let n = super::products_without_price(index);
    (n > 0).then(|| Finding {
        id: "prices:not_known".to_owned(),
        area: Area::Fairness,
        severity: Severity::Attention,
        title: format!(
            "{n} {} no known price",
            if n == 1 { "product has" } else { "products have" }
        ),
        detail: "They are in no price band, and the premium and mean-price figures leave them out; give them a price (a products export, or the window) to count them.".to_owned(),
        rules: Vec::new(),
        field: None,
        customers: 0,
        customer_ids: Vec::new(),
        fix: None,
    })
}

fn switch_off(index: &ShopIndex, rules: &[String]) -> Option<Fix> {
    if rules.is_empty() {
        return None;
    }
    let labels: Vec<String> = rules
        .iter()
        .map(|id| {
            let label = index
                .shop()
                .rules
                .iter()
                .find(|r| &r.id == id)
                .map_or(id.as_str(), |r| r.label.as_str());
            format!("\u{201c}{label}\u{201d}")
        })
        .collect();
    Some(Fix {
        label: format!("Simulate switching off {}", labels.join(" and ")),
        changes: rules
            .iter()
            .map(|id| Change::RuleEnabled {
                rule: id.clone(),
                enabled: false,
            })
            .collect(),
    })
}

fn value_text(kind: MetricKind, value: Option<f64>) -> String {
    match (kind, value) {
        (_, None) => "none".to_owned(),
        (MetricKind::Rate, Some(v)) => format!("{:.0}%", v * 100.0),
        (MetricKind::Mean, Some(v)) => format!("{v:.2}"),
    }
}

fn fairness_finding(index: &ShopIndex, report: &GroupingReport, metric: &MetricReport) -> Finding {
    let shop = index.shop();
    let field = report.grouping.field();
    let rules = rules_behind(index, report, &metric.metric);
    let low = metric.lowest_group.clone().unwrap_or_default();
    let high = metric.highest_group.clone().unwrap_or_default();
    let value_of = |name: &str| {
        metric
            .groups
            .iter()
            .find(|g| g.group == name)
            .and_then(|g| g.value)
    };
    let ratio = metric.parity_ratio.unwrap_or(0.0);
    let interval = metric
        .parity_ratio_interval
        .map_or_else(String::new, |[lo, hi]| {
            format!(" (95% interval {lo:.2}–{hi:.2})")
        });
    let sure = metric.p_adjusted.map_or_else(String::new, how_sure);
    let members: &[usize] = report
        .groups
        .iter()
        .position(|g| g.name == low)
        .and_then(|g| report.members.get(g))
        .map_or(&[], Vec::as_slice);
    let cause = if rules.is_empty() {
        format!(
            " No enabled rule reads {}; the gap comes from what these customers bought.",
            field.key().replace('_', " ")
        )
    } else {
        String::new()
    };
    Finding {
        id: format!("fairness:{}:{}", report.key, metric.metric),
        area: Area::Fairness,
        severity: if rules.is_empty() {
            Severity::Attention
        } else {
            Severity::AtRisk
        },
        title: format!(
            "{} — by {}: \u{201c}{low}\u{201d} gets {ratio:.2}× what \u{201c}{high}\u{201d} gets",
            metric.label,
            report.label.to_lowercase(),
        ),
        detail: format!(
            "{low}: {}, {high}: {}. Parity ratio {ratio:.2}{interval}, below the four-fifths rule of thumb (0.8) — a warning sign, not a legal test.{sure}{cause}",
            value_text(metric.kind, value_of(&low)),
            value_text(metric.kind, value_of(&high)),
        ),
        fix: switch_off(index, &rules),
        rules,
        field: Some(field.key().to_owned()),
        customers: members.len(),
        customer_ids: members
            .iter()
            .take(LISTED_CUSTOMERS)
            .map(|&c| shop.customers[c].id)
            .collect(),
    }
}

/// How sure a flag is, in words: how often gaps this large would turn up by chance if
/// every group were alike (the corrected p-value).
pub fn how_sure(p_adjusted: f64) -> String {
    if p_adjusted < 1e-4 {
        " How sure: gaps this large would turn up by chance less than 1 time in 10,000 if every group were alike.".to_owned()
    } else {
        let times = (1.0 / p_adjusted).round() as u64;
        format!(
            " How sure: gaps this large would turn up by chance about 1 time in {times} if every group were alike."
        )
    }
}

/// Deleting a field for more customers than this is not offered as a one-click
/// simulation (it would be that many separate changes); the finding still lists them.
pub const MAX_FIX_CUSTOMERS: usize = 1000;

/// The enabled rules behind a gap between groups in `metric`: those that single out the
/// grouping's attribute in a condition (an age limit for age bands), else any that read its
/// field; for the promotion rate, only discount and promotion rules can be behind it.
fn rules_behind(index: &ShopIndex, report: &GroupingReport, metric: &str) -> Vec<String> {
    let fields: Vec<PersonalField> = std::iter::once(report.grouping)
        .chain(report.with)
        .map(super::groups::Grouping::field)
        .collect();
    let reads = |r: &super::super::rules::Rule| fields.iter().any(|f| r.fields().contains(f));
    let reading: Vec<&super::super::rules::Rule> = index
        .shop()
        .rules
        .iter()
        .filter(|r| super::super::score::rule_in_use(index.shop(), r) && reads(r))
        .filter(|r| metric != "promotion" || super::facts::is_promotion(r))
        .collect();
    let singling_out: Vec<&super::super::rules::Rule> = reading
        .iter()
        .copied()
        .filter(|r| {
            r.conditions.iter().any(|c| {
                super::lint::marks_a_group(c.feature)
                    && fields.iter().any(|f| c.feature.fields_read().contains(f))
            })
        })
        .collect();
    let chosen = if singling_out.is_empty() {
        reading
    } else {
        singling_out
    };
    chosen.iter().map(|r| r.id.clone()).collect()
}

/// One finding for every category whose exposure is uneven across a grouping's groups.
fn exposure_finding(
    index: &ShopIndex,
    report: &GroupingReport,
    metrics: &[&MetricReport],
) -> Finding {
    let rules = rules_behind(index, report, "exposure");
    let parts: Vec<String> = metrics
        .iter()
        .map(|m| {
            format!(
                "{} {:.2} (lowest: {}, highest: {})",
                m.metric.trim_start_matches("exposure:"),
                m.parity_ratio.unwrap_or(0.0),
                m.lowest_group.clone().unwrap_or_default(),
                m.highest_group.clone().unwrap_or_default()
            )
        })
        .collect();
    Finding {
        id: format!("fairness:{}:exposure", report.key),
        area: Area::Fairness,
        severity: Severity::Attention,
        title: format!(
            "Some categories are shown much more to some {} groups than to others",
            report.label.to_lowercase()
        ),
        detail: format!(
            "Position-weighted exposure parity ratio below 0.8, and unlikely to be chance (corrected p-value under 0.05): {}.",
            parts.join("; ")
        ),
        fix: switch_off(index, &rules),
        rules,
        field: Some(report.grouping.field().key().to_owned()),
        customers: 0,
        customer_ids: Vec::new(),
    }
}

fn delete_field(field: &str, label: &str, ids: &[CustomerId]) -> Option<Fix> {
    let deletable = !matches!(
        field,
        "orders" | "consents" | "customer_since" | "preferences"
    );
    if !deletable || ids.is_empty() || ids.len() > MAX_FIX_CUSTOMERS {
        return None;
    }
    Some(Fix {
        label: match ids.len() {
            1 => format!(
                "Simulate deleting {} for this customer",
                label.to_lowercase()
            ),
            n => format!(
                "Simulate deleting {} for these {}",
                label.to_lowercase(),
                count(n, "customer", "customers")
            ),
        },
        changes: ids
            .iter()
            .map(|&customer| Change::CustomerField {
                customer,
                field: field.to_owned(),
                value: None,
                source: None,
            })
            .collect(),
    })
}

fn minimization_findings(index: &ShopIndex, m: &Minimization) -> Vec<Finding> {
    let mut out = Vec::new();
    for u in m.unused_fields.iter().filter(|u| u.kept_for.is_none()) {
        out.push(Finding {
            id: format!("minimization:unused:{}", u.field),
            area: Area::Minimization,
            severity: Severity::Attention,
            title: format!(
                "{} is held for {}, but nothing uses it",
                u.label,
                count(u.customers, "customer", "customers")
            ),
            detail: "No rule in use or feature reads it and the shop gives no other reason to keep it. Stop collecting it, or delete it.".to_owned(),
            rules: Vec::new(),
            field: Some(u.field.clone()),
            customers: u.customers,
            customer_ids: u.customer_ids.clone(),
            fix: delete_field(&u.field, &u.label, &u.all_customer_ids),
        });
    }
    for p in &m.past_retention {
        out.push(Finding {
            id: format!("minimization:retention:{}", p.field),
            area: Area::Minimization,
            severity: Severity::AtRisk,
            title: format!(
                "{} is kept past its retention period for {}",
                p.label,
                count(p.customers, "customer", "customers")
            ),
            detail: format!(
                "The shop keeps {} for {} after a customer's last order; these customers' last order (or sign-up) is older than that.",
                p.label.to_lowercase(),
                super::super::words::days(p.retention_days)
            ),
            rules: Vec::new(),
            field: Some(p.field.clone()),
            customers: p.customers,
            customer_ids: p.customer_ids.clone(),
            fix: delete_field(&p.field, &p.label, &p.all_customer_ids),
        });
    }
    for w in &m.without_consent {
        let rules: Vec<String> = index
            .shop()
            .rules
            .iter()
            .filter(|r| {
                super::super::score::rule_in_use(index.shop(), r)
                    && r.fields().iter().any(|f| f.key() == w.field)
            })
            .map(|r| r.id.clone())
            .collect();
        out.push(Finding {
            id: format!("minimization:without_consent:{}", w.field),
            area: Area::Minimization,
            severity: Severity::Attention,
            title: format!(
                "{} is held for {} who agreed to none of the purposes it is used for",
                w.label,
                count(w.customers, "customer", "customers")
            ),
            detail: format!(
                "It is used only for {} and the shop gives no other reason to keep it.",
                w.purposes
                    .iter()
                    .map(|p| format!("\"{}\"", super::super::explain::purpose_label(index, p)))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            rules,
            field: Some(w.field.clone()),
            customers: w.customers,
            customer_ids: w.customer_ids.clone(),
            fix: delete_field(&w.field, &w.label, &w.all_customer_ids),
        });
    }
    out
}

fn lint_finding(index: &ShopIndex, l: &RuleLint) -> Finding {
    let severity = match l.check {
        Check::PricingByGroup | Check::NoPurpose | Check::PressureWording => Severity::AtRisk,
        Check::SensitiveAttribute
        | Check::NoReason
        | Check::NeverFires
        | Check::OutsidePurpose
        | Check::ReasonHidesData => Severity::Attention,
    };
    let fix = match (l.check, &l.suggested_reason) {
        (Check::NeverFires, _) => Some(Fix {
            label: format!("Simulate removing \u{201c}{}\u{201d}", l.rule_label),
            changes: vec![Change::RuleRemoved {
                rule: l.rule.clone(),
            }],
        }),
        (Check::ReasonHidesData, Some(reason)) => reworded(index, &l.rule, reason),
        _ => switch_off(index, std::slice::from_ref(&l.rule)),
    };
    Finding {
        id: format!("lint:{}:{}", l.rule, l.check.key()),
        area: Area::Lint,
        severity,
        title: format!("\u{201c}{}\u{201d} {}", l.rule_label, l.message),
        detail: format!(
            "Rule {} — check: {}.",
            l.rule,
            l.check.key().replace('_', " ")
        ),
        rules: vec![l.rule.clone()],
        field: None,
        customers: 0,
        customer_ids: Vec::new(),
        fix,
    }
}

/// A fix that gives rule `id` the reason `reason`.
fn reworded(index: &ShopIndex, id: &str, reason: &str) -> Option<Fix> {
    let mut rule = index.shop().rules.iter().find(|r| r.id == id)?.clone();
    reason.clone_into(&mut rule.reason);
    Some(Fix {
        label: format!("Simulate the reason \u{201c}{reason}\u{201d}"),
        changes: vec![Change::Rule {
            rule,
            position: None,
        }],
    })
}

#[cfg(test)]
mod how_sure_tests {
    #[test]
    fn a_corrected_p_value_is_said_in_words() {
        assert!(super::how_sure(0.0025).contains("about 1 time in 400"));
        assert!(super::how_sure(0.00001).contains("less than 1 time in 10,000"));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::engine::audit::{AuditConfig, audit};
    use crate::engine::simulate::{Progress, all_lists};

    /// The sample shop's audit with its age-band `metric` flagged as if it were supported.
    fn with_flagged(metric: &str) -> Vec<Finding> {
        let shop = crate::shopgen::sample::sample_shop().expect("sample");
        let day = shop.settings.pinned_today.expect("the sample is pinned");
        let index = ShopIndex::new(Arc::new(shop), day);
        let lists = all_lists(&index, 5, &Progress::default()).expect("lists");
        let mut a = audit(&index, &lists, &AuditConfig::default());
        let age = a
            .fairness
            .iter_mut()
            .find(|r| r.key == "age_band")
            .expect("age bands");
        for m in age.metrics.iter_mut().filter(|m| m.metric == metric) {
            m.status = Status::Flagged;
        }
        findings(&index, &a.fairness, &a.minimization, &a.lint)
    }

    #[test]
    fn a_promotion_gap_names_the_promotion_rule_not_the_premium_one() {
        let found = with_flagged("promotion");
        let promotion = found
            .iter()
            .find(|f| f.id == "fairness:age_band:promotion")
            .expect("the promotion finding");
        assert_eq!(promotion.rules, ["birthday-treat"], "{promotion:?}");
        let premium = found
            .iter()
            .find(|f| f.id == "fairness:age_band:premium")
            .expect("the premium finding");
        assert_eq!(premium.rules, ["premium-for-40-plus"]);
    }
}
