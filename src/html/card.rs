//! "Why we suggested this": the customer's own card, one printable page in plain words.
//! It names no internal rule and shows no score: only what we suggested, why, which of
//! their data was used, which agreement allowed it, and how to change that.

use maud::html;

use crate::engine::explain::{Explanation, Recommendation, Record, Source, and_list};
use crate::engine::model::{Customer, ProductId, Shop};

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d232a;max-width:680px;margin:2em auto;padding:0 1em;line-height:1.55}
h1{font-size:1.5em;margin-bottom:.1em}.sub,.note{color:#56606b}
.rec{border-left:4px solid #4f7cac;padding:.2em .9em;margin:1em 0;break-inside:avoid}
h2{font-size:1.15em;margin:.2em 0}ul{margin:.3em 0}
@media print{body{margin:0;max-width:none}}
";

/// The card for `customer`'s recommendations (all of them, or only `product`).
pub fn customer_card(
    shop: &Shop,
    customer: &Customer,
    e: &Explanation,
    product: Option<ProductId>,
    head: &crate::store::LogHead,
) -> String {
    let recs: Vec<&Recommendation> = e
        .recommendations
        .iter()
        .filter(|r| product.is_none_or(|p| r.product == p))
        .collect();
    let purpose = |id: &str| shop.purposes.iter().find(|p| p.id == id);
    let body = html! {
        h1 { "Why we suggested this" }
        p.sub { "For " (customer.display_name()) ", from " (shop.settings.name) ", " (e.today.format("%-d %B %Y")) "." }
        @if let Some(why) = e.not_personalized {
            p { (why.to_customer()) " These are the shop's suggestions for everyone." }
        }
        @for left in &e.left_out {
            p { (left.sentence) }
        }
        @for unused in &e.purchases_not_used {
            p { (unused.sentence) }
        }
        @for r in &recs {
            div.rec {
                h2 { (r.name) " (" (shop.settings.currency.price_text(r.price_cents)) ")" }
                p { (r.sentence) }
                ul {
                    @for c in r.contributions.iter().filter(|c| c.counts()) {
                        @match c.source {
                            Source::Baseline if c.value > 0.0 => li { "Because " (c.reason) " with our customers (counted over all their purchases together, nothing about you in particular)." }
                            Source::Baseline => li { "It is less popular with our customers, which counted against it (counted over all their purchases together, nothing about you in particular)." }
                            Source::Rule => li {
                                "Because " (c.reason) "."
                                @let lines: Vec<String> = c.records.iter().filter_map(|rec| match rec {
                                    Record::OrderLine { date, product_name, quantity, .. } => Some(format!("{} on {}", crate::engine::explain::units_text(*quantity, product_name), date.format("%-d %B %Y"))),
                                    _ => None,
                                }).take(5).collect();
                                @if !lines.is_empty() { br; span.note { "From your purchases: " (lines.join("; ")) "." } }
                                @if !c.data_used.is_empty() {
                                    br; span.note { "Your data used: " (and_list(&c.data_used)) "." }
                                }
                                @if let Some(p) = c.purpose.as_deref().and_then(purpose) {
                                    br; span.note { "Allowed because you agreed to \u{201c}" (p.label) "\u{201d}: " (p.description) }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Changing this" }
        p { "You can withdraw any agreement at any time, in the shop or by writing to us, and we stop using your data for it at once. You can also ask to see everything we hold about you, to correct it, or to have it deleted." }
    };
    super::document(
        &format!("Why we suggested this — {}", shop.settings.name),
        STYLE,
        &body,
        head,
    )
}
