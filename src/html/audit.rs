//! The audit as one printable HTML page with inline SVG charts: no scripts, no external
//! files, so it can be emailed, archived or printed for a training session.

use maud::{Markup, html};

use crate::engine::Shop;
use crate::engine::audit::Audit;
use crate::engine::audit::fairness::{GroupingReport, MetricKind, MetricReport, Status};

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d232a;max-width:960px;margin:2em auto;padding:0 1em;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.1em}h2{margin-top:1.6em;border-bottom:2px solid #d7dde3;padding-bottom:.2em}
.sub{color:#56606b;margin-top:0}
table{border-collapse:collapse;width:100%;margin:.6em 0 1em}th,td{text-align:left;padding:.3em .5em;border-bottom:1px solid #e3e7eb;vertical-align:top}
th{background:#f3f5f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
.finding{border-left:5px solid #c98a00;background:#fff8e6;padding:.5em .8em;margin:.6em 0;break-inside:avoid}
.finding.at_risk{border-color:#b3261e;background:#fdecea}
.tag{font-size:.8em;font-weight:600;text-transform:uppercase;letter-spacing:.03em;color:#56606b}
.flagged{color:#b3261e;font-weight:600}.uncertain{color:#8a5a00}.fair{color:#1e6b35}
.note{color:#56606b;font-size:.9em}
svg{max-width:100%}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}.finding,table,svg{break-inside:avoid}}
";

/// The whole audit of `shop` as one HTML page.
pub fn audit_page(shop: &Shop, audit: &Audit, head: &crate::store::LogHead) -> String {
    let day = shop
        .settings
        .pinned_today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let body = html! {
        h1 { "Ethics audit — " (shop.settings.name) }
        p.sub {
            "As of " (day.format("%-d %B %Y")) ": " (crate::engine::words::customers(audit.customers)) ", each shown "
            (audit.top_n) " recommendations. Groups smaller than " (audit.config.min_group_size)
            " customers are shown but never flagged."
        }
        (findings(audit))
        h2 { "Fairness across customer groups" }
        p.note {
            "For each group: the share of its customers shown at least one premium product, the share reached by a discount or promotion, and the mean price of what they are shown. "
            "The parity ratio divides the lowest group's figure by the highest group's; below 0.8 (the four-fifths rule of thumb, not a legal test) it is flagged, "
            "but only when a test across all the grouping's groups says gaps this large would arise by chance less than 1 time in 20, after allowing for every figure the audit tests at once, so noise does not raise false alarms."
        }
        @for g in &audit.fairness { (grouping(g)) }
        h2 { "Exposure between groups of products" }
        @for p in &audit.product_exposure {
            h3 { "By " (p.by.replace('_', " ")) }
            table {
                tr { th { "Group" } th { "Products" } th { "Exposure per product" } th { "Ratio to the most exposed" } }
                @for g in &p.groups {
                    tr {
                        td { (g.group) } td.num { (g.products) }
                        td.num { (format!("{:.1}", g.exposure_per_product)) }
                        td.num { (opt(g.ratio_to_highest)) }
                    }
                }
            }
        }
        h2 { "Diversity and filter bubbles" }
        (diversity(audit))
        h2 { "Data minimization" }
        (minimization(audit))
        h2 { "Rule checks" }
        @if audit.lint.is_empty() { p { "Every enabled rule passes." } }
        @else {
            table {
                tr { th { "Rule" } th { "Finding" } }
                @for l in &audit.lint { tr { td { (l.rule_label) br; span.note { (l.rule) } } td { (l.message) } } }
            }
        }
        p.note { "Produced by Candor. Every figure is defined in Candor's README, under \u{201c}Audit definitions\u{201d}." }
    };
    super::document(
        &format!("Ethics audit — {}", shop.settings.name),
        STYLE,
        &body,
        head,
    )
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), crate::engine::words::decimal)
}

fn value_text(kind: MetricKind, v: Option<f64>) -> String {
    match (kind, v) {
        (_, None) => "—".to_owned(),
        (MetricKind::Rate, Some(v)) => format!("{:.0}%", v * 100.0),
        (MetricKind::Mean, Some(v)) => format!("{v:.2}"),
    }
}

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Fair => "fair",
        Status::Uncertain => "uncertain",
        Status::Flagged => "flagged",
        Status::NotMeasurable => "",
    }
}

fn findings(audit: &Audit) -> Markup {
    html! {
        h2 { "Findings (" (audit.findings.len()) ")" }
        @if audit.findings.is_empty() { p { "Nothing needs attention." } }
        @for f in &audit.findings {
            div class={ "finding " (match f.severity { crate::engine::audit::Severity::AtRisk => "at_risk", crate::engine::audit::Severity::Attention => "attention" }) } {
                div.tag { (f.severity.label()) " · " (f.area.label()) }
                strong { (f.title) }
                p { (f.detail) }
                @if !f.rules.is_empty() { p.note { "Rules: " (f.rules.join(", ")) } }
                @if let Some(fix) = &f.fix { p.note { "Fix to try: " (fix.label) } }
            }
        }
    }
}

fn grouping(g: &GroupingReport) -> Markup {
    let key: Vec<&MetricReport> = g
        .metrics
        .iter()
        .filter(|m| !m.metric.starts_with("exposure:"))
        .collect();
    html! {
        h3 { (g.label) }
        @if let Some(premium) = key.iter().find(|m| m.metric == "premium") {
            (bar_chart(premium, g))
        }
        table {
            tr {
                th { "Group" } th { "Customers" }
                @for m in &key { th { (m.label) } }
            }
            @for (i, info) in g.groups.iter().enumerate() {
                tr {
                    td { (info.name) @if info.name == g.reference_group { span.note { " (reference)" } } }
                    td.num { (crate::engine::words::number(info.customers)) @if let Some(why) = info.why_not_compared() { br; span.note { (why) } } }
                    @for m in &key {
                        @let v = &m.groups[i];
                        td.num class=(status_class(v.disparity_status)) {
                            (value_text(m.kind, v.value))
                            @if let Some([lo, hi]) = v.interval { br; span.note { (value_text(m.kind, Some(lo))) "–" (value_text(m.kind, Some(hi))) } }
                        }
                    }
                }
            }
            tr {
                th { "Parity ratio" } th {}
                @for m in &key {
                    th.num class=(status_class(m.status)) {
                        (opt(m.parity_ratio))
                        @if let Some([lo, hi]) = m.parity_ratio_interval { br; span.note { (format!("{lo:.2}–{hi:.2}")) } }
                        br; span.note { (m.status.text()) }
                    }
                }
            }
        }
        (exposure_table(g))
    }
}

fn exposure_table(g: &GroupingReport) -> Markup {
    let exposure: Vec<&MetricReport> = g
        .metrics
        .iter()
        .filter(|m| m.metric.starts_with("exposure:"))
        .collect();
    html! {
        details {
            summary { "Category exposure by group (position-weighted)" }
            table {
                tr { th { "Category" } th { "Parity ratio" } th { "Lowest" } th { "Highest" } }
                @for m in &exposure {
                    tr {
                        td { (m.metric.trim_start_matches("exposure:")) }
                        td.num class=(status_class(m.status)) { (opt(m.parity_ratio)) }
                        td { (m.lowest_group.clone().unwrap_or_default()) }
                        td { (m.highest_group.clone().unwrap_or_default()) }
                    }
                }
            }
        }
    }
}

/// A horizontal bar per group with its 95% interval as a whisker.
fn bar_chart(m: &MetricReport, g: &GroupingReport) -> Markup {
    let row = 26.0;
    let left = 190.0;
    let width = 420.0;
    let height = row * m.groups.len() as f64 + 30.0;
    let max = m
        .groups
        .iter()
        .filter_map(|v| v.interval.map(|i| i[1]).or(v.value))
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let x = |v: f64| left + width * (v / max).clamp(0.0, 1.0);
    html! {
        svg width=(left + width + 80.0) height=(height) role="img" aria-label=(format!("{} by {}", m.label, g.label)) {
            @for (i, v) in m.groups.iter().enumerate() {
                @let y = 8.0 + row * i as f64;
                text x="0" y=(y + 14.0) font-size="12" { (v.group) }
                @if let Some(value) = v.value {
                    rect x=(left) y=(y) width=(x(value) - left) height="16"
                        fill=(if g.groups[i].eligible { "#4f7cac" } else { "#a9b7c6" }) {}
                    text x=(x(value) + 6.0) y=(y + 13.0) font-size="11" { (value_text(m.kind, Some(value))) }
                }
                @if let Some([lo, hi]) = v.interval {
                    line x1=(x(lo)) x2=(x(hi)) y1=(y + 8.0) y2=(y + 8.0) stroke="#1d232a" stroke-width="1.5" {}
                }
            }
            text x=(left) y=(height - 4.0) font-size="11" fill="#56606b" { (m.label) " — bars: value, line: 95% interval" }
        }
    }
}

fn diversity(audit: &Audit) -> Markup {
    let d = &audit.diversity;
    html! {
        table {
            tr { th { "Figure" } th { "Whole shop" } th { "What it means" } }
            @for m in &crate::engine::audit::diversity::DIVERSITY_MEASURES {
                tr { td { (m.label) } td.num { (opt((m.value)(d))) } td.note { (m.meaning) } }
            }
        }
        @for g in &audit.fairness {
            details {
                summary { "Diversity by " (g.label.to_lowercase()) }
                table {
                    tr { th { "Group" } th { "Diversity" } th { "Coverage" } th { "Novelty" } th { "Outside past" } th { "Gini" } th { "Calibration" } }
                    @for (info, f) in g.groups.iter().zip(&g.diversity) {
                        tr {
                            td { (info.name) " (" (crate::engine::words::number(info.customers)) ")" }
                            td.num { (opt(f.intra_list_diversity)) } td.num { (opt(f.catalogue_coverage)) }
                            td.num { (opt(f.novelty_bits)) } td.num { (opt(f.outside_past_categories)) }
                            td.num { (opt(f.exposure_gini)) } td.num { (opt(f.calibration_kl)) }
                        }
                    }
                }
            }
        }
    }
}

fn minimization(audit: &Audit) -> Markup {
    let m = &audit.minimization;
    html! {
        h3 { "Held, but no rule uses it" }
        @if m.unused_fields.is_empty() { p { "Every field held is used." } }
        @else {
            table {
                tr { th { "Field" } th { "Customers" } th { "Other reason to keep it" } }
                @for u in &m.unused_fields {
                    tr { td { (u.label) } td.num { (crate::engine::words::number(u.customers)) }
                         td class=(if u.kept_for.is_none() { "flagged" } else { "" }) { (u.kept_for.clone().unwrap_or_else(|| "none".to_owned())) } }
                }
            }
        }
        h3 { "Past its retention period" }
        @if m.past_retention.is_empty() { p { "Nothing is kept too long." } }
        @else {
            table {
                tr { th { "Field" } th { "Kept for" } th { "Customers past it" } }
                @for p in &m.past_retention { tr { td { (p.label) } td { (crate::engine::words::days(p.retention_days)) " after the last order" } td.num { (crate::engine::words::number(p.customers)) } } }
            }
        }
        h3 { "Held without a matching consent" }
        @if m.without_consent.is_empty() { p { "None." } }
        @else {
            table {
                tr { th { "Field" } th { "Used only for" } th { "Customers without that consent" } }
                @for w in &m.without_consent { tr { td { (w.label) } td { (w.purposes.join(", ")) } td.num { (crate::engine::words::number(w.customers)) } } }
            }
        }
    }
}
