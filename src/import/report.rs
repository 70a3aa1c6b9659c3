//! The parts of an import's summary that say what the files' rows became beyond the
//! counts of things added, in words, for the window and the command line alike.

use super::run::ImportOutcome;

/// Labelled lines, only for what happened (a count of zero says nothing).
pub fn what_the_rows_became(outcome: &ImportOutcome) -> Vec<(&'static str, String)> {
    let summary = &outcome.summary;
    let s = &summary.rows_became;
    let mut out = order_status_lines(outcome);
    let counts = [
        (
            "Partly refunded",
            s.orders_partly_refunded,
            ("order", "orders"),
            "in the files taken as bought (they do not say which lines were refunded)".to_owned(),
        ),
        (
            "Without an email",
            s.customers_without_email,
            ("customer", "customers"),
            "in the files with no email: recognized by number or phone".to_owned(),
        ),
        (
            "Newest record kept",
            s.fields_from_newer_record,
            ("field", "fields"),
            "where the files disagreed: the most recent record's value taken".to_owned(),
        ),
        (
            "No product named",
            s.lines_without_product,
            ("order line", "order lines"),
            format!(
                "in the files name no product: read as \"{}\" (or their category)",
                super::parse::UNSPECIFIED_ITEM
            ),
        ),
        (
            "Orders without items",
            s.orders_without_items,
            ("order", "orders"),
            "in the files do not say what was bought, so only their customers were imported; the order-items export of the same orders (on Etsy, EtsySoldOrderItems) brings the orders in".to_owned(),
        ),
        (
            "Prices rounded",
            summary.prices_rounded,
            ("row has", "rows have"),
            "a price finer than the currency's smallest unit (such as a fraction of a penny), rounded to the nearest".to_owned(),
        ),
        (
            "Price not known",
            s.lines_without_price,
            ("order line", "order lines"),
            "in the files give no price: kept with the price not known (left out of price bands, premium and mean-price figures)".to_owned(),
        ),
    ];
    for (label, n, (one, many), what) in counts {
        if n > 0 {
            out.push((label, format!("{n} {} {what}", plural(n, one, many))));
        }
    }
    out.extend(product_lines(summary));
    for (code, n) in &summary.rows_became.converted {
        out.push((
            "Converted",
            format!(
                "{n} {} with prices in {code} converted into {} at the mapping's rate",
                plural(*n, "row", "rows"),
                outcome.currency.code()
            ),
        ));
    }
    out.push(("Currency", currency_text(outcome)));
    out
}

/// Orders the files mark as not purchases, and those already in the shop as bought.
fn order_status_lines(outcome: &ImportOutcome) -> Vec<(&'static str, String)> {
    let summary = &outcome.summary;
    let s = &summary.rows_became;
    let mut out = Vec::new();
    for (status, n) in &s.orders_not_purchases {
        out.push((
            "Not purchases",
            format!(
                "{n} {} {status} in the files: left out",
                plural(*n, "order", "orders")
            ),
        ));
    }
    for (status, n) in &summary.orders_in_shop_now_not_purchases {
        out.push((
            "Already in the shop",
            format!(
                "{n} {} imported earlier as bought {} {status} in these files; {} still counted as bought (an import does not change orders already in the shop)",
                plural(*n, "order", "orders"),
                plural(*n, "is", "are"),
                plural(*n, "it is", "they are"),
            ),
        ));
    }
    out
}

/// Products without a category, and products the products export updated.
fn product_lines(summary: &super::merge::Summary) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if summary.products_without_category > 0 {
        let n = summary.products_without_category;
        out.push((
            "No category",
            format!(
                "{n} {} came without a category (the files have no category column), so reasons say \"you bought from us\" rather than name one; importing the shop's products export (in Shopify: Products, Export) gives them their categories and tags",
                plural(n, "product", "products")
            ),
        ));
    }
    if summary.products_updated > 0 {
        let n = summary.products_updated;
        out.push((
            "Products updated",
            format!(
                "{n} {} already in the shop given a category, tags or a price from the products export ({} with a new price), each logged and undoable",
                plural(n, "product", "products"),
                summary.product_prices_changed
            ),
        ));
    }
    out
}

/// What currency the prices are in, and how Candor knows.
fn currency_text(outcome: &ImportOutcome) -> String {
    let c = outcome.currency;
    let name = format!("{} ({})", c.code(), c.name());
    if outcome.currency_assumed && outcome.created && !outcome.priced {
        format!(
            "these files have no prices, so the shop has no currency of its own yet: it takes that of the first prices imported into it ({name} until then)"
        )
    } else if outcome.currency_assumed && outcome.shop_was_unpriced && outcome.priced {
        format!(
            "the files do not say which currency their prices are in, so they were taken as {name}, and the shop, which held no price before, now keeps its prices in it; if they are in another, undo this import and import again choosing it under \"Prices are in\" (--currency on the command line)"
        )
    } else if outcome.currency_assumed && outcome.created {
        format!(
            "the files do not say which currency their prices are in, so they were taken as {name}; if they are in another, choose it under \"Prices are in\" (or set \"currency\" in the mapping) and import again into a new shop file"
        )
    } else if outcome.currency_assumed {
        format!("prices taken as {name}, the shop's currency (the files name none)")
    } else {
        format!("prices in {name}")
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}
