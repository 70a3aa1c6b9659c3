//! The exports Candor recognizes by their header: Shopify, WooCommerce, Square and invoice
//! lines (such as the Online Retail data set). Each preset is a [`Mapping`] built from the
//! file's actual header, so optional columns are used when present.

use super::mapping::{Columns, ConsentColumn, DateOrder, KeywordCategory, Mapping, Role};

/// A known export format.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    /// The name used on the command line (`--preset NAME`).
    pub name: &'static str,
    /// What it is, in words.
    pub label: &'static str,
    /// Columns that must all be present for the header to be recognized.
    signature: &'static [&'static [&'static str]],
    /// For each role, the columns to read: alternatives, first present wins; "A + B" joins
    /// several columns.
    roles: &'static [(Role, &'static [&'static str])],
    /// Consent columns and the purpose each records.
    consents: &'static [(&'static str, &'static str)],
    /// The system its keys belong to.
    key_space: &'static str,
    /// Where its orders were placed.
    channel: &'static str,
}

/// Every preset, most specific first.
pub const PRESETS: [Preset; 19] = [
    Preset {
        name: "shopify-orders",
        label: "Shopify orders export",
        signature: &[
            &["Name"],
            &["Lineitem name"],
            &["Lineitem quantity"],
            &["Created at"],
        ],
        roles: &[
            (Role::OrderId, &["Name"]),
            (Role::Email, &["Email"]),
            (Role::Name, &["Billing Name"]),
            (Role::Phone, &["Billing Phone", "Phone"]),
            (
                Role::Address,
                &["Billing Address1 + Billing City", "Billing Street"],
            ),
            (Role::Postcode, &["Billing Zip"]),
            (Role::Date, &["Created at"]),
            (Role::ProductCode, &["Lineitem sku"]),
            (Role::ProductName, &["Lineitem name"]),
            (Role::Quantity, &["Lineitem quantity"]),
            (Role::UnitPrice, &["Lineitem price"]),
            (Role::Status, &["Cancelled at"]),
            (Role::PaymentStatus, &["Financial Status"]),
            (Role::Currency, &["Currency"]),
        ],
        consents: &[
            ("Accepts Marketing", "email_offers"),
            ("Accepts Email Marketing", "email_offers"),
        ],
        key_space: "shopify",
        channel: "web",
    },
    Preset {
        name: "shopify-customers",
        label: "Shopify customers export",
        signature: &[
            &["First Name"],
            &["Last Name"],
            &["Email"],
            &["Accepts Email Marketing", "Accepts Marketing"],
            &["Total Orders"],
        ],
        roles: &[
            (Role::CustomerId, &["Customer ID"]),
            (Role::Email, &["Email"]),
            (Role::Name, &["First Name + Last Name"]),
            (Role::Phone, &["Phone", "Default Address Phone"]),
            (
                Role::Address,
                &[
                    "Default Address Address1 + Default Address City",
                    "Address1 + City",
                ],
            ),
            (Role::Postcode, &["Default Address Zip", "Zip"]),
        ],
        consents: &[
            ("Accepts Email Marketing", "email_offers"),
            ("Accepts Marketing", "email_offers"),
        ],
        key_space: "shopify",
        channel: "web",
    },
    Preset {
        name: "shopify-products",
        label: "Shopify products export",
        signature: &[
            &["Handle", "URL handle"],
            &["Title"],
            &["Variant Price", "Price"],
        ],
        roles: &[
            (Role::ProductGroup, &["Handle", "URL handle"]),
            (Role::ProductName, &["Title"]),
            (Role::ProductCode, &["Variant SKU", "SKU"]),
            (Role::Category, &["Type", "Custom Product Type"]),
            (
                Role::CategoryPath,
                &["Product Category", "Standard Product Type"],
            ),
            (Role::Tags, &["Tags"]),
            (
                Role::Variant,
                &[
                    "Option1 Value + Option2 Value + Option3 Value",
                    "Option1 Value + Option2 Value",
                    "Option1 Value",
                ],
            ),
            (Role::UnitPrice, &["Variant Price", "Price"]),
        ],
        consents: &[],
        key_space: "shopify",
        channel: "web",
    },
    Preset {
        name: "woocommerce-orders",
        label: "WooCommerce Analytics orders export",
        signature: &[
            &["Order #"],
            &["Status"],
            &["Customer"],
            &["Product(s)"],
            &["Items sold"],
            &["Net Sales"],
        ],
        roles: &[
            (Role::OrderId, &["Order #"]),
            (Role::Date, &["Date"]),
            (Role::Name, &["Customer"]),
            (Role::ProductName, &["Product(s)"]),
            (Role::Quantity, &["Items sold"]),
            (Role::LineTotal, &["Net Sales"]),
            (Role::Status, &["Status"]),
        ],
        consents: &[],
        key_space: "woocommerce",
        channel: "web",
    },
    Preset {
        name: "woocommerce-customers",
        label: "WooCommerce Analytics customers export",
        signature: &[
            &["Name"],
            &["Username"],
            &["Date registered"],
            &["Email"],
            &["Total spend"],
        ],
        roles: &[
            (Role::Name, &["Name"]),
            (Role::Email, &["Email"]),
            (Role::CustomerSince, &["Date registered"]),
            (Role::Postcode, &["Postal code"]),
        ],
        consents: &[],
        key_space: "woocommerce",
        channel: "web",
    },
    Preset {
        name: "square-item-sales",
        label: "Square item sales export",
        signature: &[
            &["Date"],
            &["Item"],
            &["Qty"],
            &["Transaction ID"],
            &["Gross Sales"],
        ],
        roles: &[
            (Role::OrderId, &["Transaction ID"]),
            (Role::Date, &["Date"]),
            (Role::CustomerId, &["Customer ID"]),
            (Role::Name, &["Customer Name"]),
            (Role::ProductCode, &["SKU"]),
            (Role::ProductName, &["Item"]),
            (Role::Variant, &["Price Point Name"]),
            (Role::Category, &["Category"]),
            (Role::Quantity, &["Qty"]),
            (Role::LineTotal, &["Gross Sales"]),
            (Role::LineDiscount, &["Discounts"]),
            (Role::Status, &["Event Type"]),
        ],
        consents: &[],
        key_space: "square",
        channel: "in shop",
    },
    Preset {
        name: "square-customers",
        label: "Square customers export",
        signature: &[
            &["Square Customer ID"],
            &["First Name"],
            &["Last Name"],
            &["Email Address"],
        ],
        roles: &[
            (Role::CustomerId, &["Square Customer ID"]),
            (Role::Email, &["Email Address"]),
            (Role::Name, &["First Name + Last Name"]),
            (Role::Phone, &["Phone Number"]),
            (Role::Address, &["Street Address 1 + City"]),
            (Role::Postcode, &["Postal Code"]),
            (Role::BirthDate, &["Birthday"]),
            (Role::CustomerSince, &["First Visit", "Creation Date"]),
        ],
        consents: &[("Email Subscription Status", "email_offers")],
        key_space: "square",
        channel: "in shop",
    },
    Preset {
        name: "squarespace-orders",
        label: "Squarespace orders export",
        signature: &[
            &["Order ID"],
            &["Email"],
            &["Financial Status"],
            &["Created at"],
            &["Lineitem name"],
            &["Lineitem quantity"],
        ],
        roles: &[
            (Role::OrderId, &["Order ID"]),
            (Role::Email, &["Email"]),
            (Role::Name, &["Billing Name"]),
            (Role::Phone, &["Billing Phone"]),
            (Role::Address, &["Billing Address1 + Billing City"]),
            (Role::Postcode, &["Billing Zip"]),
            (Role::Date, &["Created at"]),
            (Role::ProductCode, &["Lineitem sku"]),
            (
                Role::ProductName,
                &["Lineitem name + Lineitem variant", "Lineitem name"],
            ),
            (Role::Quantity, &["Lineitem quantity"]),
            (Role::UnitPrice, &["Lineitem price"]),
            (Role::Status, &["Cancelled at"]),
            (Role::PaymentStatus, &["Financial Status"]),
            (Role::Currency, &["Currency"]),
        ],
        consents: &[],
        key_space: "squarespace",
        channel: "web",
    },
    Preset {
        name: "etsy-order-items",
        label: "Etsy sold order items (EtsySoldOrderItems)",
        signature: &[
            &["Sale Date"],
            &["Item Name"],
            &["Buyer"],
            &["Quantity"],
            &["Price"],
            &["Order ID"],
            &["Listing ID"],
        ],
        roles: &[
            (Role::OrderId, &["Order ID"]),
            (Role::Date, &["Sale Date"]),
            (Role::CustomerId, &["Buyer"]),
            (Role::Name, &["Ship Name"]),
            (
                Role::Address,
                &["Ship Address1 + Ship City", "Ship Address1 + Delivery City"],
            ),
            (Role::Postcode, &["Ship Zipcode", "Delivery Zipcode"]),
            (Role::ProductCode, &["Listing ID"]),
            (Role::ProductName, &["Item Name"]),
            (Role::Quantity, &["Quantity"]),
            (Role::UnitPrice, &["Price"]),
            (Role::Currency, &["Currency"]),
        ],
        consents: &[],
        key_space: "etsy",
        channel: "web",
    },
    // Etsy's EtsySoldOrders: one row per order, without its items (those are in
    // EtsySoldOrderItems). Its buyers are read; its orders are counted, not imported, so
    // importing both files never counts an order twice.
    Preset {
        name: "etsy-orders",
        label: "Etsy sold orders (EtsySoldOrders: buyers only, the items are in EtsySoldOrderItems)",
        signature: &[
            &["Sale Date"],
            &["Order ID"],
            &["Buyer User ID"],
            &["Buyer"],
            &["Number of Items"],
            &["Order Value"],
        ],
        roles: &[
            (Role::OrderId, &["Order ID"]),
            (Role::Date, &["Sale Date"]),
            (Role::CustomerId, &["Buyer"]),
            (Role::Name, &["Full Name", "First Name + Last Name"]),
            (
                Role::Address,
                &["Street 1 + Ship City", "Ship Address1 + Ship City"],
            ),
            (Role::Postcode, &["Ship Zipcode"]),
        ],
        consents: &[],
        key_space: "etsy",
        channel: "web",
    },
    Preset {
        name: "woocommerce-order-export",
        label: "WooCommerce order export, one row per item (Customer/Order/Coupon Export)",
        signature: &[
            &["order_id"],
            &["date"],
            &["status"],
            &["billing_email"],
            &["item_name"],
            &["item_quantity"],
        ],
        roles: &[
            (Role::OrderId, &["order_number", "order_id"]),
            (Role::Date, &["date"]),
            (Role::Status, &["status"]),
            (Role::Email, &["billing_email"]),
            (Role::Name, &["billing_first_name + billing_last_name"]),
            (Role::Phone, &["billing_phone"]),
            (Role::Address, &["billing_address_1 + billing_city"]),
            (Role::Postcode, &["billing_postcode"]),
            (Role::ProductCode, &["item_sku"]),
            (Role::ProductName, &["item_name"]),
            (Role::Quantity, &["item_quantity"]),
            (Role::LineTotal, &["item_total", "item_subtotal"]),
            (Role::Currency, &["order_currency"]),
        ],
        consents: &[],
        key_space: "woocommerce",
        channel: "web",
    },
    Preset {
        name: "woocommerce-order-export-legacy",
        label: "WooCommerce order export, one row per item (legacy column names)",
        signature: &[
            &["Order ID"],
            &["Date"],
            &["Order Status"],
            &["Billing Email"],
            &["Item Name"],
            &["Item Amount"],
            &["Row Price"],
        ],
        roles: &[
            (Role::OrderId, &["Order ID"]),
            (Role::Date, &["Date"]),
            (Role::Status, &["Order Status"]),
            (Role::Email, &["Billing Email"]),
            (Role::Name, &["Billing First Name + Billing Last Name"]),
            (Role::Phone, &["Billing Phone"]),
            (Role::Address, &["Billing Address 1 + Billing City"]),
            (Role::Postcode, &["Billing Post code"]),
            (Role::ProductCode, &["Item SKU"]),
            (Role::ProductName, &["Item Name"]),
            (Role::Quantity, &["Item Amount"]),
            (Role::LineTotal, &["Row Price"]),
        ],
        consents: &[],
        key_space: "woocommerce",
        channel: "web",
    },
    Preset {
        name: "woocommerce-advanced-export",
        label: "WooCommerce order export (Advanced Order Export)",
        signature: &[
            &["Order Number"],
            &["Order Status"],
            &["Order Date"],
            &["Item Name", "Name", "Product Name"],
            &["Quantity"],
            &["Item Cost"],
        ],
        roles: &[
            (Role::OrderId, &["Order Number"]),
            (Role::Status, &["Order Status"]),
            (Role::Date, &["Order Date"]),
            (Role::Email, &["Email (Billing)", "Customer Email"]),
            (
                Role::Name,
                &[
                    "First Name (Billing) + Last Name (Billing)",
                    "Full Name (Billing)",
                ],
            ),
            (Role::Phone, &["Phone (Billing)"]),
            (Role::Address, &["Address 1&2 (Billing) + City (Billing)"]),
            (Role::Postcode, &["Postcode (Billing)"]),
            (Role::ProductCode, &["SKU"]),
            (Role::ProductName, &["Item Name", "Name", "Product Name"]),
            (Role::Quantity, &["Quantity"]),
            (Role::UnitPrice, &["Item Cost"]),
            (Role::Currency, &["Currency"]),
        ],
        consents: &[],
        key_space: "woocommerce",
        channel: "web",
    },
    Preset {
        name: "wix-orders",
        label: "Wix orders export",
        signature: &[
            &["Order number"],
            &["Date created"],
            &["Contact email"],
            &["Item"],
            &["Qty"],
            &["Price"],
            &["Payment status"],
        ],
        roles: &[
            (Role::OrderId, &["Order number"]),
            (Role::Date, &["Date created"]),
            (Role::Email, &["Contact email"]),
            (Role::Name, &["Billing name", "Recipient name"]),
            (Role::Phone, &["Billing phone", "Recipient phone"]),
            (
                Role::Address,
                &[
                    "Billing address + Billing city",
                    "Delivery address + Delivery city",
                ],
            ),
            (
                Role::Postcode,
                &["Billing zip/postal code", "Delivery zip/postal code"],
            ),
            (Role::ProductCode, &["SKU"]),
            (Role::ProductName, &["Item + Variant", "Item"]),
            (Role::Quantity, &["Qty"]),
            (Role::UnitPrice, &["Price"]),
            (Role::PaymentStatus, &["Payment status"]),
            (Role::Currency, &["Currency"]),
        ],
        consents: &[],
        key_space: "wix",
        channel: "web",
    },
    Preset {
        name: "magento-orders",
        label: "Magento / Adobe Commerce orders grid export",
        signature: &[
            &["ID"],
            &["Purchase Point"],
            &["Purchase Date"],
            &["Bill-to Name"],
            &["Grand Total (Purchased)"],
            &["Status"],
        ],
        roles: &[
            (Role::OrderId, &["ID"]),
            (Role::Date, &["Purchase Date"]),
            (Role::Email, &["Customer Email"]),
            (Role::Name, &["Customer Name", "Bill-to Name"]),
            (Role::LineTotal, &["Subtotal", "Grand Total (Purchased)"]),
            (Role::Status, &["Status"]),
        ],
        consents: &[],
        key_space: "magento",
        channel: "web",
    },
    Preset {
        name: "bigcommerce-orders",
        label: "BigCommerce orders export (default template)",
        signature: &[
            &["Order ID"],
            &["Customer Email"],
            &["Order Date"],
            &["Order Status"],
            &["Product Details"],
        ],
        roles: &[
            (Role::OrderId, &["Order ID"]),
            (Role::Email, &["Customer Email", "Billing Email"]),
            (
                Role::Name,
                &["Billing First Name + Billing Last Name", "Customer Name"],
            ),
            (Role::Phone, &["Customer Phone", "Billing Phone"]),
            (
                Role::Address,
                &["Billing Street 1 + Billing Suburb", "Billing Street 1"],
            ),
            (Role::Postcode, &["Billing Zip"]),
            (Role::Date, &["Order Date"]),
            (Role::ProductName, &["Product Details"]),
            (Role::Status, &["Order Status"]),
            (Role::PaymentStatus, &["Order Status"]),
            (Role::Currency, &["Order Currency Code"]),
        ],
        consents: &[],
        key_space: "bigcommerce",
        channel: "web",
    },
    Preset {
        name: "prestashop-orders",
        label: "PrestaShop orders export (Orders, Export)",
        signature: &[
            &["ID"],
            &["Reference"],
            &["New client"],
            &["Customer"],
            &["Total"],
            &["Payment"],
            &["Status"],
            &["Date"],
        ],
        // The export names a customer only as "J. DOE": too little to tell two people
        // apart, so its orders are the shop's sales (guest sales), never a person's.
        roles: &[
            (Role::OrderId, &["ID"]),
            (Role::Date, &["Date"]),
            (Role::LineTotal, &["Total"]),
            (Role::Status, &["Status"]),
        ],
        consents: &[],
        key_space: "prestashop",
        channel: "web",
    },
    // Lightspeed Retail X-Series (formerly Vend), Sales history export: each sale is a
    // "Sale" row (customer, status, totals), its "Sale Line" rows (Details is the product)
    // and its "Payment" rows (Details is the payment type).
    Preset {
        name: "lightspeed-x-sales",
        label: "Lightspeed Retail X-Series (Vend) sales history export",
        signature: &[
            &["Date"],
            &["Receipt Number"],
            &["Line Type"],
            &["Details"],
            &["Quantity"],
            &["Status"],
        ],
        roles: &[
            (Role::OrderId, &["Receipt Number"]),
            (Role::Date, &["Date"]),
            (Role::CustomerId, &["Customer Code"]),
            (Role::Name, &["Customer Name"]),
            (Role::ProductCode, &["Sku"]),
            (Role::ProductName, &["Details"]),
            (Role::Quantity, &["Quantity"]),
            (Role::LineTotal, &["Total", "Subtotal"]),
            (Role::Status, &["Status"]),
        ],
        consents: &[],
        key_space: "lightspeed-x",
        channel: "in shop",
    },
    Preset {
        name: "invoice-lines",
        label: "Invoice lines (e.g. the Online Retail data set)",
        signature: &[
            &["InvoiceNo", "Invoice"],
            &["StockCode"],
            &["Description"],
            &["Quantity"],
            &["InvoiceDate"],
            &["UnitPrice", "Price"],
            &["CustomerID", "Customer ID"],
        ],
        roles: &[
            (Role::OrderId, &["InvoiceNo", "Invoice"]),
            (Role::ProductCode, &["StockCode"]),
            (Role::ProductName, &["Description"]),
            (Role::Quantity, &["Quantity"]),
            (Role::Date, &["InvoiceDate"]),
            (Role::UnitPrice, &["UnitPrice", "Price"]),
            (Role::CustomerId, &["CustomerID", "Customer ID"]),
        ],
        consents: &[],
        key_space: "invoice",
        channel: "web",
    },
];

impl Preset {
    /// Looks a preset up by its command-line name.
    pub fn named(name: &str) -> Option<Self> {
        PRESETS.into_iter().find(|p| p.name == name)
    }

    /// Whether `headers` carry every column of the signature.
    pub fn matches(&self, headers: &[String]) -> bool {
        self.signature
            .iter()
            .all(|alternatives| alternatives.iter().any(|c| has(headers, c)))
    }

    /// The signature columns a header lacks (the first alternative of each), for messages.
    pub fn missing(&self, headers: &[String]) -> Vec<String> {
        self.signature
            .iter()
            .filter(|alternatives| !alternatives.iter().any(|c| has(headers, c)))
            .map(|alternatives| alternatives[0].to_owned())
            .collect()
    }

    /// The mapping for a file with these headers.
    pub fn mapping(&self, headers: &[String]) -> Mapping {
        let mut m = Mapping::blank(self.label);
        m.key_space = self.key_space.to_owned();
        m.channel = self.channel.to_owned();
        for (role, alternatives) in self.roles {
            let chosen = alternatives.iter().find_map(|alt| {
                let cols: Vec<String> = alt.split(" + ").map(str::to_owned).collect();
                cols.iter()
                    .all(|c| has(headers, c))
                    .then(|| cols.iter().map(|c| actual(headers, c)).collect::<Vec<_>>())
            });
            if let Some(mut cols) = chosen {
                let columns = if cols.len() == 1 {
                    Columns::One(cols.remove(0))
                } else {
                    Columns::Many(cols)
                };
                m.columns.insert(*role, columns);
            }
        }
        for (column, purpose) in self.consents {
            if has(headers, column) && !m.consents.iter().any(|c| c.purpose == *purpose) {
                m.consents.push(ConsentColumn {
                    column: actual(headers, column),
                    purpose: (*purpose).to_owned(),
                    only_withdrawals: false,
                });
            }
        }
        platform_conventions(self.name, &mut m);
        m
    }
}

/// What a platform's export means beyond its columns: statuses that are not sales, dates,
/// lines packed in one cell, Shopify's apostrophes.
fn platform_conventions(name: &str, m: &mut Mapping) {
    match name {
        "shopify-orders" => shopify_order_conventions(m),
        "shopify-customers" => m.strip_leading_apostrophe = true,
        "square-customers" => {
            // Square marks every customer with a visible email "Subscribed" unless they
            // unsubscribed: only the unsubscribing is the customer's own answer.
            for c in &mut m.consents {
                c.only_withdrawals = true;
            }
        }
        "shopify-products" => m.catalogue = true,
        "woocommerce-orders" => {
            m.product_list = true;
            m.skip_statuses = WOOCOMMERCE_NOT_SALES.map(str::to_owned).to_vec();
        }
        "square-item-sales" => {
            m.return_statuses = vec!["Refund".to_owned()];
            // An amount keyed in at the till without an item: a sale, not a product.
            m.not_product_codes = vec!["Custom Amount".to_owned()];
        }
        "squarespace-orders" | "wix-orders" => {
            shopify_order_conventions(m);
        }
        "etsy-order-items" => {
            m.dates = DateOrder::MonthDayYear;
            m.html_entities = true;
        }
        "etsy-orders" => {
            m.dates = DateOrder::MonthDayYear;
            m.html_entities = true;
            m.orders_without_items = true;
        }
        "woocommerce-order-export"
        | "woocommerce-order-export-legacy"
        | "woocommerce-advanced-export" => {
            m.skip_statuses = WOOCOMMERCE_NOT_SALES.map(str::to_owned).to_vec();
            m.order_level_status = true;
        }
        "magento-orders" => {
            m.purchases_without_products = true;
            m.skip_statuses = [
                "canceled",
                "closed",
                "suspected fraud",
                "pending",
                "pending payment",
                "payment review",
            ]
            .map(str::to_owned)
            .to_vec();
        }
        "bigcommerce-orders" => {
            m.packed_lines = true;
            m.skip_statuses = [
                "cancelled",
                "declined",
                "refunded",
                "pending",
                "awaiting payment",
                "incomplete",
                "disputed",
                "manual verification required",
            ]
            .map(str::to_owned)
            .to_vec();
            m.partial_refund_statuses = vec!["partially refunded".to_owned()];
        }
        "prestashop-orders" => {
            m.purchases_without_products = true;
            m.skip_statuses = [
                "canceled",
                "cancelled",
                "refunded",
                "payment error",
                "awaiting check payment",
                "awaiting bank wire payment",
                "awaiting cash on delivery validation",
                "on backorder (not paid)",
            ]
            .map(str::to_owned)
            .to_vec();
        }
        "invoice-lines" => online_retail_conventions(m),
        "lightspeed-x-sales" => lightspeed_x_conventions(m),
        _ => {}
    }
}

/// Lightspeed X-Series: only "Sale Line" rows are lines; a sale's status is on its "Sale"
/// row, which comes first; voided, parked (saved, open), lay-by and on-account sales are
/// not (yet) purchases; the till's default walk-in customer is no one.
fn lightspeed_x_conventions(m: &mut Mapping) {
    m.order_level_status = true;
    m.line_rows = Some(super::mapping::LineRows {
        column: "Line Type".to_owned(),
        lines: vec!["Sale Line".to_owned()],
    });
    m.skip_statuses = ["voided", "saved", "open", "layby", "onaccount"]
        .map(str::to_owned)
        .to_vec();
    m.nobody_customer_ids = vec!["WALKIN".to_owned()];
}

/// The preset whose signature a header matches (the most specific when several do).
pub fn detect(headers: &[String]) -> Option<Preset> {
    // The first of the longest signatures: the list is most specific first.
    PRESETS
        .into_iter()
        .filter(|p| p.matches(headers))
        .rev()
        .max_by_key(|p| p.signature.len())
}

fn has(headers: &[String], column: &str) -> bool {
    headers.iter().any(|h| h.eq_ignore_ascii_case(column))
}

fn actual(headers: &[String], column: &str) -> String {
    headers
        .iter()
        .find(|h| h.eq_ignore_ascii_case(column))
        .cloned()
        .unwrap_or_else(|| column.to_owned())
}

/// WooCommerce order statuses that are not sales (slugs and their labels).
const WOOCOMMERCE_NOT_SALES: [&str; 17] = [
    "cancelled",
    "failed",
    "refunded",
    "pending",
    "pending payment",
    "on-hold",
    "on hold",
    "trash",
    "draft",
    "checkout-draft",
    "wc-cancelled",
    "wc-failed",
    "wc-refunded",
    "wc-pending",
    "wc-on-hold",
    "wc-checkout-draft",
    "wc-trash",
];

/// Shopify orders (and the Shopify-like Squarespace and Wix): an order's first row carries its status for all its rows; a filled
/// "Cancelled at" means cancelled; refunded, voided and expired payments are not
/// purchases; a partly refunded order counts as bought; numbers may carry Shopify's
/// leading apostrophe.
fn shopify_order_conventions(m: &mut Mapping) {
    m.skip_statuses = vec!["*".to_owned()];
    // Awaiting payment (Shopify's and Squarespace's "pending", Wix's "Not paid") is not yet
    // a sale: a later export that lists the order as paid brings it in.
    m.skip_payment_statuses = [
        "refunded", "voided", "expired", "pending", "not paid", "unpaid",
    ]
    .map(str::to_owned)
    .to_vec();
    m.partial_refund_statuses = ["partially_refunded", "partially refunded"]
        .map(str::to_owned)
        .to_vec();
    m.order_level_status = true;
    m.strip_leading_apostrophe = true;
}

/// Invoice-line files: "C" invoices are cancellations, postage and fees are not products,
/// and categories come from words in the descriptions (the data set has none). Their dates
/// are told by the file: the data set's own copies are month-first or year-first, a copy
/// saved by a UK spreadsheet is day-first.
fn online_retail_conventions(m: &mut Mapping) {
    m.cancellation_prefix = Some("C".to_owned());
    m.not_product_codes = [
        "POST",
        "DOT",
        "M",
        "C2",
        "D",
        "S",
        "B",
        "BANK CHARGES",
        "AMAZONFEE",
        "CRUK",
        "PADS",
    ]
    .map(str::to_owned)
    .to_vec();
    m.not_product_prefixes = vec!["gift_".to_owned()];
    m.default_category = "gifts and homeware".to_owned();
    m.categories_from_names = [
        ("CHRISTMAS", "christmas"),
        ("CANDLE", "candles and lights"),
        ("T-LIGHT", "candles and lights"),
        ("LANTERN", "candles and lights"),
        ("LIGHT", "candles and lights"),
        ("BAG", "bags"),
        ("MUG", "kitchen and dining"),
        ("CUP", "kitchen and dining"),
        ("PLATE", "kitchen and dining"),
        ("BOWL", "kitchen and dining"),
        ("TEA", "kitchen and dining"),
        ("CAKE", "baking"),
        ("BAKING", "baking"),
        ("LUNCH BOX", "kitchen and dining"),
        ("CARD", "cards and wrap"),
        ("WRAP", "cards and wrap"),
        ("PAPER", "cards and wrap"),
        ("NOTEBOOK", "stationery"),
        ("PENCIL", "stationery"),
        ("STICKER", "stationery"),
        ("CLOCK", "home decor"),
        ("FRAME", "home decor"),
        ("SIGN", "home decor"),
        ("CUSHION", "home decor"),
        ("HOOK", "home decor"),
        ("DOORMAT", "home decor"),
        ("BOTTLE", "home decor"),
        ("GARDEN", "garden"),
        ("PLANT", "garden"),
        ("TOY", "toys and games"),
        ("GAME", "toys and games"),
        ("DOLL", "toys and games"),
        ("PARTY", "party"),
        ("BUNTING", "party"),
        ("NECKLACE", "jewellery"),
        ("EARRINGS", "jewellery"),
        ("BRACELET", "jewellery"),
        ("RING", "jewellery"),
    ]
    .map(|(keyword, category)| KeywordCategory {
        keyword: keyword.to_owned(),
        category: category.to_owned(),
    })
    .to_vec();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(line: &str) -> Vec<String> {
        line.split(',').map(str::to_owned).collect()
    }

    #[test]
    fn each_export_is_recognized_by_its_header() {
        let cases = [
            (
                "Name,Email,Financial Status,Accepts Marketing,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name",
                "shopify-orders",
            ),
            (
                "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Phone,Total Spent,Total Orders",
                "shopify-customers",
            ),
            (
                "Date,Order #,Status,Customer,Customer type,Product(s),Items sold,Coupon(s),Net Sales",
                "woocommerce-orders",
            ),
            (
                "Name,Username,Last active,Date registered,Email,Orders,Total spend,AOV,Country / Region,City,Region,Postal code",
                "woocommerce-customers",
            ),
            (
                "Date,Time,Time Zone,Category,Item,Qty,Price Point Name,SKU,Gross Sales,Discounts,Net Sales,Transaction ID,Customer ID,Customer Name,Event Type",
                "square-item-sales",
            ),
            (
                "Reference ID,First Name,Last Name,Email Address,Phone Number,Square Customer ID,Email Subscription Status,Birthday",
                "square-customers",
            ),
            (
                "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country",
                "invoice-lines",
            ),
            (
                "Sale Date,Order ID,Buyer User ID,Full Name,First Name,Last Name,Number of Items,Payment Method,Date Shipped,Street 1,Street 2,Ship City,Ship State,Ship Zipcode,Ship Country,Currency,Order Value,Order Total,Status,Buyer",
                "etsy-orders",
            ),
        ];
        for (line, name) in cases {
            assert_eq!(detect(&headers(line)).map(|p| p.name), Some(name), "{line}");
        }
        assert!(detect(&headers("a,b,c")).is_none());
    }

    #[test]
    fn a_preset_uses_the_columns_the_file_has() {
        let h =
            headers("First Name,Last Name,Email,Accepts Marketing,Address1,City,Zip,Total Orders");
        let m = PRESETS[1].mapping(&h);
        assert_eq!(
            m.columns.get(&Role::Name),
            Some(&Columns::Many(vec![
                "First Name".into(),
                "Last Name".into()
            ]))
        );
        assert_eq!(m.consents[0].column, "Accepts Marketing");
        assert!(!m.columns.contains_key(&Role::CustomerId));
    }
}
