//! The customer's preference card (what they told us, what we use and why, what they
//! agreed to, how to change any of it) and the blank preference form for the counter.
//! Plain words only: no rule id, no score, no field key.

use maud::{Markup, html};

use crate::engine::explain::Explanation;
use crate::engine::held::{Held, HeldConsent};
use crate::engine::model::{Customer, Shop};
use crate::engine::score::NotPersonalized;

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d232a;max-width:720px;margin:2em auto;padding:0 1em;line-height:1.55}
h1{font-size:1.5em;margin-bottom:.1em}h2{font-size:1.15em;margin-top:1.4em;border-bottom:2px solid #d7dde3}
.sub,.note{color:#56606b}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{text-align:left;padding:.35em .5em;border-bottom:1px solid #cfd6dd;vertical-align:top}
td.box{width:5.5em;text-align:center}td.box:before{content:'\\2610';font-size:1.3em}
.line{border-bottom:1px solid #1d232a;height:1.8em;margin:.2em 0 .6em}
@media print{body{margin:0;max-width:none}table{break-inside:avoid}}
";

/// The customer's card: what they told us, what we use, what they agreed to, how to
/// change it. `held` and `explanation` are theirs.
pub fn preference_card(
    shop: &Shop,
    customer: &Customer,
    held: &Held,
    explanation: &Explanation,
    head: &crate::store::LogHead,
) -> String {
    let standing: Vec<_> = held.preferences.iter().filter(|p| p.stands).collect();
    let body = html! {
        h1 { "Your preferences at " (shop.settings.name) }
        p.sub { "For " (customer.display_name()) ", " (explanation.today.format("%-d %B %Y")) "." }
        h2 { "What you told us" }
        @if standing.is_empty() { p { "You have not told us any preferences yet." } }
        ul {
            @for p in &standing {
                li {
                    (p.to_customer) ": " (p.preference.kind.effect_to_customer())
                    @if let Some(last) = p.history.last() {
                        br; span.note { "Told us " (told_on(&last.recorded_at)) ", " (last.method) (crate::engine::words::their_words(last.words.as_deref())) }
                    }
                }
            }
        }
        h2 { "What we use to suggest products to you" }
        (what_we_use(explanation))
        h2 { "What you agreed to" }
        (agreements(shop, held))
        h2 { "How to change any of it" }
        p { "Tell us at the counter, by phone or by email: what you like, what you do not want, or purchases we should not use (a present for someone else, say). We record it with the date and your words, and it takes effect at once. You can take back anything you told us, withdraw any agreement, ask to see everything we hold about you, or ask us to delete it." }
    };
    super::document(
        &format!("Your preferences at {}", shop.settings.name),
        STYLE,
        &body,
        head,
    )
}

/// The day a preference was recorded, in words.
fn told_on(recorded_at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(recorded_at).map_or_else(
        |_| recorded_at.to_owned(),
        |t| format!("on {}", t.format("%-d %B %Y")),
    )
}

/// The customer's data their current suggestions use, in their words, or why none is.
fn what_we_use(e: &Explanation) -> Markup {
    let mut used: Vec<&str> = Vec::new();
    for phrase in e.recommendations.iter().flat_map(|r| &r.data_used) {
        if !used.contains(&phrase.as_str()) {
            used.push(phrase);
        }
    }
    html! {
        @match e.not_personalized {
            Some(why @ (NotPersonalized::NoConsent | NotPersonalized::NoRuleInUse)) => p { (why.to_customer()) }
            None if used.is_empty() => p { "Your current suggestions are what is popular with all our customers, counted over all their purchases together: nothing about you in particular." }
            None => p { "Your current suggestions use " (crate::engine::words::and_list(&used)) "." }
        }
        @for left in &e.left_out { p { (left.sentence) } }
        @for unused in &e.purchases_not_used { p { (unused.sentence) } }
    }
}

/// Each purpose: whether the customer agreed, and what it means.
fn agreements(shop: &Shop, held: &Held) -> Markup {
    html! {
        ul {
            @for purpose in &shop.purposes {
                @let decision = held.consents.iter().find(|c| c.purpose == purpose.id);
                li {
                    strong { (purpose.label) } ": "
                    @match decision {
                        Some(c) if c.granted => "you agreed",
                        Some(_) => "you withdrew your agreement",
                        None => "you have not been asked, so we do not",
                    }
                    br; span.note { (purpose.description) }
                    @if let Some(shown) = decision.and_then(|c| words_shown_then(c, &purpose.description)) {
                        br; span.note { "When you decided, our words were: \u{201c}" (shown) "\u{201d}" }
                    }
                }
            }
        }
    }
}

/// The purpose's words the customer was shown when they last decided, where they differ
/// from its words now (a decision recorded before Candor kept them has none).
fn words_shown_then<'a>(consent: &'a HeldConsent, now: &str) -> Option<&'a str> {
    consent
        .history
        .last()
        .and_then(|d| d.wording.as_deref())
        .filter(|shown| *shown != now)
}

/// The blank form for the counter: contact details, each agreement asked one by one in
/// the words customers are shown, and what they like, do not want, or want left out.
pub fn preference_form(shop: &Shop, head: &crate::store::LogHead) -> String {
    let categories = shop.named_categories();
    let body = html! {
        h1 { "Your preferences at " (shop.settings.name) }
        p.sub { "Fill in what you like; leave out anything you would rather not tell us. We will enter it for you and give you a copy." }
        h2 { "You" }
        p { "Name" } div.line {}
        p { "Email or phone (only if you want us to contact you)" } div.line {}
        h2 { "What you agree to" }
        p.note { "Each is asked on its own. Tick only what you agree to; you can withdraw at any time." }
        table {
            tr { th { "We would like to" } th { "Yes" } th { "No" } }
            @for purpose in &shop.purposes {
                tr { td { strong { (purpose.label) } br; (purpose.description) } td.box {} td.box {} }
            }
        }
        h2 { "What you like, and what is not for you" }
        table {
            tr { th { "" } th { "I like" } th { "Not for me" } th { "Do not use my purchases (a present for someone else)" } }
            @for c in &categories {
                tr { td { (c) } td.box {} td.box {} td.box {} }
            }
        }
        p { "Anything else, in your own words" } div.line {} div.line {}
        p.note { "Date and signature" } div.line {}
    };
    super::document(
        &format!("Your preferences at {}", shop.settings.name),
        STYLE,
        &body,
        head,
    )
}
