//! Self-contained, printable HTML pages: the audit report, the audit log, a customer's own
//! page about their data, and the card explaining their suggestions. Built with `maud`, which escapes every value, so a customer's name
//! or a rule's reason can never break the page.

mod audit;
mod card;
mod log;
mod subject;

pub use audit::audit_page;
pub use card::customer_card;
pub use log::log_page;
pub use subject::subject_page;

use maud::{DOCTYPE, Markup, PreEscaped, html};

/// One self-contained page: the document skeleton every page shares, its title, its own
/// style sheet (inline, so the file stands alone) and its body.
fn document(title: &str, style: &str, body: &Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) }
                style { (PreEscaped(style)) }
            }
            body { (body) }
        }
    }
    .into_string()
}
