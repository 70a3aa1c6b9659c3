//! Self-contained, printable HTML pages: the audit report (and, later, pages for
//! customers). Built with `maud`, which escapes every value, so a customer's name or a
//! rule's reason can never break the page.

mod audit;

pub use audit::audit_page;
