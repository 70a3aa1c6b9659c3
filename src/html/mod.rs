//! Self-contained, printable HTML pages: the audit report, the audit log, a customer's own
//! page about their data, and the card explaining their suggestions. Built with `maud`, which escapes every value, so a customer's name
//! or a rule's reason can never break the page.

mod audit;
mod breach;
mod card;
mod log;
mod preferences;
mod subject;

pub use audit::audit_page;
pub use breach::breach_page;
pub use card::customer_card;
pub use log::log_page;
pub use preferences::{preference_card, preference_form};
pub use subject::subject_page;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::store::LogHead;

/// The line every page ends with: where the shop's audit log stood when the page was
/// written, so a printed copy anchors the log (a later rewrite of it no longer matches).
fn anchor(head: &LogHead) -> Markup {
    let hash = head.hash.get(..16).unwrap_or(&head.hash);
    html! {
        p style="margin-top:2em;font-size:0.8em;color:#666" {
            "Written when the shop's audit log held "
            (crate::engine::words::count(usize::try_from(head.count).unwrap_or(0), "entry", "entries"))
            @if head.count > 0 { ", the newest with the fingerprint " code { (hash) } }
            ". If the log is later rewritten, it will no longer match this line."
        }
    }
}

/// One self-contained page: the document skeleton every page shares, its title, its own
/// style sheet (inline, so the file stands alone), its body, and the audit log's anchor.
fn document(title: &str, style: &str, body: &Markup, head: &LogHead) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) }
                style { (PreEscaped(style)) }
            }
            body { (body) (anchor(head)) }
        }
    }
    .into_string()
}
