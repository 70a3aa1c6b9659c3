//! The breach report's page: what a lost or stolen copy of the shop file held, what to
//! tell the supervisory authority and by when (GDPR Art. 33), and how to tell customers
//! (Art. 34), with the notice to send them.

use maud::{Markup, html};

use crate::breach::BreachRequest;
use crate::engine::breach::BreachFacts;
use crate::engine::words::{customers, number};

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d232a;max-width:820px;margin:2em auto;padding:0 1em;line-height:1.5}
h1{font-size:1.6em;margin-bottom:.1em}h2{margin-top:1.6em;border-bottom:2px solid #d7dde3;padding-bottom:.2em}
.sub,.note{color:#56606b}.due{border-left:4px solid #b3412e;padding:.3em .8em;background:#fbf1ef}
table{border-collapse:collapse;width:100%;margin:.6em 0 1em}th,td{text-align:left;padding:.3em .5em;border-bottom:1px solid #e3e7eb;vertical-align:top}
th{background:#f3f5f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
pre{white-space:pre-wrap;font-family:inherit;border:1px solid #d7dde3;padding:.8em;background:#fafbfc}
.fill{border-bottom:1px solid #888;min-height:3em}
@media print{body{margin:0;max-width:none}table,pre{break-inside:avoid}}
";

/// The page for the owner and the supervisory authority.
pub fn breach_page(
    facts: &BreachFacts,
    request: &BreachRequest,
    notice: &str,
    head: &crate::store::LogHead,
) -> String {
    let when = |t: chrono::NaiveDateTime| t.format("%-d %B %Y at %H:%M").to_string();
    let body = html! {
        h1 { "A copy of " (facts.shop) " was lost or stolen" }
        p.sub { "Breach report written on " (facts.as_of.format("%-d %B %Y")) ". You found out on " (when(request.discovered)) "." }
        h2 { "What happened" }
        p { (request.what_happened) }
        p.due {
            strong { "Tell the supervisory authority by " (when(request.authority_deadline())) "." }
            " A personal data breach must be reported within 72 hours of finding out (GDPR Art. 33), unless it is unlikely to put people at risk. In the UK the authority is the ICO; elsewhere in Europe, your country's data protection authority. If you report later, say why."
        }
        (held_table(facts))
        (authority_facts(facts, request))
        (telling_customers(facts))
        h2 { "The notice to send them" }
        p.note { "Also in notice-to-customers.txt, ready for an email tool or to print." }
        pre { (notice) }
    };
    super::document(
        &format!("Breach report: {}", facts.shop),
        STYLE,
        &body,
        head,
    )
}

fn held_table(facts: &BreachFacts) -> Markup {
    html! {
        h2 { "What the file held" }
        p {
            "The records of " (customers(facts.customers)) ", "
            (number(facts.orders)) " orders (" (number(facts.order_lines)) " order lines) and "
            (number(facts.consent_decisions)) " consent decisions. "
            @if facts.protected {
                "The shop file is protected by a password (encrypted"
                @if let Some(since) = &facts.protected_since { " since " (since) }
                "): without the password it shows nothing. A copy made before it was protected is not: if that is what was lost, whoever has it can read every value in it."
            }
            @else { strong { "The file was not protected by a password" } ": whoever has it can read every value in it (File → Protect this shop with a password… encrypts it from now on)." }
        }
        table {
            tr { th { "Personal data" } th.num { "Customers it was held for" } th { "" } }
            @for k in &facts.held {
                tr {
                    td { (crate::engine::words::capitalized(k.words)) }
                    td.num { (number(k.customers)) }
                    td { @if k.sensitive { "marked sensitive in this shop" } }
                }
            }
        }
    }
}

fn authority_facts(facts: &BreachFacts, request: &BreachRequest) -> Markup {
    let kinds: Vec<&str> = facts.held.iter().map(|k| k.words).collect();
    html! {
        h2 { "What the authority asks for (Art. 33(3))" }
        table {
            tr { th { "They ask" } th { "From this shop's file" } }
            tr { td { "The nature of the breach, the kinds of data and of people, and about how many" }
                 td { (request.what_happened) " The file held the " (crate::engine::words::and_list(&kinds)) " of customers: " (customers(facts.customers)) ", with " (number(facts.orders)) " orders." } }
            tr { td { "Who can answer their questions" }
                 @match request.contact.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                     Some(contact) => td { (contact) },
                     None => td.fill { "Write here your name and how the authority can reach you." },
                 } }
            tr { td { "The likely consequences" }
                 td { @if facts.protected { "The file was encrypted; without its password the data cannot be read." }
                      @else { "The file was not encrypted: names and contact details can be used for messages pretending to be the shop (phishing); purchases, birth dates and addresses tell a lot about a person." } } }
            tr { td { "What you have done, or will do, about it" } td.fill { "Write here what you did (changed passwords, told the police, …)." } }
        }
    }
}

fn telling_customers(facts: &BreachFacts) -> Markup {
    html! {
        h2 { "Telling your customers (Art. 34)" }
        p {
            "When a breach is likely to put people at high risk, they must be told without undue delay. "
            @if facts.protected { "The file was encrypted, which usually means customers need not be told (Art. 34(3)(a)) as long as its password was not lost with it." }
            @else { "The file was not encrypted, so that exemption does not apply: the safe course is to tell everyone whose data was in it." }
        }
        p { "customers-to-notify.csv lists each of the " (customers(facts.customers)) " with how to reach them:" }
        table {
            tr { th { "Tell by" } th.num { "Customers" } }
            @for (channel, n) in &facts.by_channel {
                tr { td { (crate::engine::words::capitalized(channel.words())) } td.num { (number(*n)) } }
            }
        }
        @if facts.by_channel.iter().any(|(c, n)| *c == crate::engine::breach::Channel::None && *n > 0) {
            p.note { "For customers without contact details, a public notice (in the shop, on your website) reaches them (Art. 34(3)(c))." }
        }
    }
}
