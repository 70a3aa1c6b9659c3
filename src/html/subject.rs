//! "Your data at <shop>": one self-contained page, in plain language, for the customer
//! who asked to see what the shop holds about them.

use maud::html;

use crate::engine::subject::SubjectRecords;

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d232a;max-width:820px;margin:2em auto;padding:0 1em;line-height:1.5}
h1{font-size:1.7em;margin-bottom:.1em}h2{margin-top:1.6em;border-bottom:2px solid #d7dde3;padding-bottom:.2em}
.sub,.note{color:#56606b}
table{border-collapse:collapse;width:100%;margin:.6em 0 1em}th,td{text-align:left;padding:.3em .5em;border-bottom:1px solid #e3e7eb;vertical-align:top}
th{background:#f3f5f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
.rec{border-left:4px solid #4f7cac;padding:.3em .8em;margin:.6em 0;break-inside:avoid}
@media print{body{margin:0;max-width:none}table,.rec{break-inside:avoid}}
";

/// The customer's own page about their data.
pub fn subject_page(r: &SubjectRecords, head: &crate::store::LogHead) -> String {
    let name = r.customer.display_name();
    let body = html! {
        h1 { "Your data at " (r.shop) }
        p.sub { "Prepared for " (name) " (customer number " (r.customer.id) ") on " (r.as_of.format("%-d %B %Y")) ". This page lists everything we hold about you, where it came from, why we hold it and how it is used." }
        h2 { "What we hold about you" }
        table {
            tr { th { "What" } th { "What we hold" } th { "Where it came from" } th { "Why we hold it" } th { "What uses it" } }
            @for f in &r.held.fields {
                tr {
                    td { (f.label) }
                    td { (f.value) }
                    td { (f.source) ", " (f.recorded_on.format("%-d %B %Y")) }
                    td { (f.kept_for.clone().unwrap_or_else(|| if f.used_by.is_empty() { "No reason: we will delete it if you ask".to_owned() } else { "For the recommendations below".to_owned() })) }
                    td {
                        @if f.used_by.is_empty() { "Nothing" }
                        @else { (f.used_by.iter().filter(|u| u.kind == "rule").map(|u| u.label.clone()).collect::<Vec<_>>().join(", ")) }
                        @if let Some(rules) = f.needs_agreement_text() { " (it would be used by " (rules) " if you agreed)" }
                    }
                }
            }
        }
        h2 { "Your orders (" (r.orders.len()) ")" }
        @if r.orders.is_empty() { p { "We hold no orders for you." } }
        @else {
            table {
                tr { th { "Order" } th { "Date" } th { "Where" } th { "What you bought" } }
                @for o in &r.orders {
                    tr {
                        td.num { (o.order) }
                        td { (o.date.format("%-d %b %Y")) }
                        td { (o.channel) }
                        td { (o.lines.iter().map(|l| format!("{} × {} ({})", l.quantity, l.name, r.currency.price_text(l.unit_price_cents))).collect::<Vec<_>>().join("; ")) }
                    }
                }
            }
        }
        h2 { "How we use your data in recommendations" }
        @if let Some(why) = r.recommendations.not_personalized {
            p { (why.to_customer()) " You see the shop's suggestions for everyone:" }
        } @else {
            p { "These are the products we currently suggest to you, and why:" }
        }
        @for rec in &r.recommendations.recommendations {
            div.rec {
                strong { (rec.name) }
                p { (rec.sentence) }
            }
        }
        h2 { "What you agreed to" }
        @if r.held.consents.is_empty() { p { "You have not been asked for, or given, any consent." } }
        @for c in &r.held.consents {
            h3 { (c.label) ": " (if c.granted { "agreed" } else { "not agreed (withdrawn)" }) }
            @if let Some(p) = r.purposes.iter().find(|p| p.id == c.purpose) { p.note { (p.description) } }
            ul {
                @for h in &c.history {
                    li { (if h.granted { "Agreed" } else { "Withdrew" }) " " (h.when_text()) ", " (h.method) ", recorded by " (h.recorded_by)
                        @if let Some(w) = &h.words { ": \u{201c}" (w) "\u{201d}" }
                        @if let Some(shown) = &h.wording { br; span.note { "You were shown: \u{201c}" (shown) "\u{201d}" } } }
                }
            }
        }
        h2 { "What you told us" }
        @if r.held.preferences.is_empty() { p { "You have not told us any preferences." } }
        @for pref in &r.held.preferences {
            h3 { (pref.to_customer)
                @if pref.stands { ": " (pref.preference.kind.effect_to_customer()) } @else { " (taken back)" } }
            ul {
                @for h in &pref.history {
                    li { (if h.withdrawn { "Taken back" } else { "Told us" }) ", recorded " (h.recorded_at) ", " (h.method) ", by " (h.recorded_by)
                        @if let Some(w) = &h.words { ": \u{201c}" (w) "\u{201d}" } }
                }
            }
        }
        h2 { "How to change this" }
        p { "You can withdraw any consent at any time, in the shop or by writing to us; it takes effect at once. You can ask us to correct anything that is wrong, and to delete your data: we then keep your orders only without your name, as the law requires for our accounts." }
    };
    super::document(&format!("Your data at {}", r.shop), STYLE, &body, head)
}
