//! Self-contained, printable HTML pages: the audit report, and a customer's own page
//! about their data. Built with `maud`, which escapes every value, so a customer's name
//! or a rule's reason can never break the page.

mod audit;
mod subject;

pub use audit::audit_page;
pub use subject::subject_page;
