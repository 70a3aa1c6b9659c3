//! Self-contained, printable HTML pages: the audit report, a customer's own page about
//! their data, and the card explaining their suggestions. Built with `maud`, which escapes every value, so a customer's name
//! or a rule's reason can never break the page.

mod audit;
mod card;
mod subject;

pub use audit::audit_page;
pub use card::customer_card;
pub use subject::subject_page;
