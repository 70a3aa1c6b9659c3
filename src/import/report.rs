//! The parts of an import's summary that say what the files' rows became beyond the
//! counts of things added, in words, for the window and the command line alike.

use super::merge::Summary;

/// Labelled lines, only for what happened (a count of zero says nothing).
pub fn what_the_rows_became(s: &Summary) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (status, n) in &s.orders_not_purchases {
        out.push((
            "Not purchases",
            format!("{n} {} {status}: left out", orders(*n)),
        ));
    }
    if s.orders_partly_refunded > 0 {
        out.push((
            "Partly refunded",
            format!(
                "{} {} kept as bought (the file does not say which lines were refunded)",
                s.orders_partly_refunded,
                orders(s.orders_partly_refunded)
            ),
        ));
    }
    if s.customers_without_email > 0 {
        out.push((
            "Without an email",
            format!(
                "{} {} kept, recognized by number or phone",
                s.customers_without_email,
                plural(s.customers_without_email, "customer", "customers")
            ),
        ));
    }
    if s.fields_from_newer_record > 0 {
        out.push((
            "Newest record kept",
            format!(
                "{} {} where the files disagreed, from the most recent record",
                s.fields_from_newer_record,
                plural(s.fields_from_newer_record, "field", "fields")
            ),
        ));
    }
    if s.lines_without_product > 0 {
        out.push((
            "No product named",
            format!(
                "{} order {} imported as \"{}\"",
                s.lines_without_product,
                plural(s.lines_without_product, "line", "lines"),
                super::parse::UNSPECIFIED_ITEM
            ),
        ));
    }
    if !s.currencies.is_empty() {
        out.push(("Currency", s.currencies.join(", ")));
    }
    out
}

fn orders(n: usize) -> &'static str {
    plural(n, "order", "orders")
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}
