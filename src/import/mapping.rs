//! A column mapping: which column of an export holds the customer, the product, the date
//! and so on, and how to read its values. Presets are mappings; the wizard builds one;
//! `--mapping MAP.json` reads one (this struct, as JSON).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The customer's number in the exporting system.
    CustomerId,
    /// Email address (also identifies a customer when there is no number).
    Email,
    /// Name (several columns are joined with spaces, e.g. first and last name).
    Name,
    /// Phone number.
    Phone,
    /// Street address (several columns are joined with commas).
    Address,
    /// Postcode.
    Postcode,
    /// Date of birth.
    BirthDate,
    /// Gender.
    Gender,
    /// The day the customer signed up.
    CustomerSince,
    /// The order, invoice or transaction number.
    OrderId,
    /// The day of the order.
    Date,
    /// The product's code or SKU.
    ProductCode,
    /// The product's name.
    ProductName,
    /// The product's category.
    Category,
    /// Units bought on this line.
    Quantity,
    /// Price per unit.
    UnitPrice,
    /// Price of the whole line (divided by the quantity when there is no unit price).
    LineTotal,
    /// The amount taken off the line, e.g. Square's "Discounts" (a comp takes off all of
    /// it): recorded as a discount line, so that it comes off what the customer spent
    /// while the product keeps its own price.
    LineDiscount,
    /// The order's status (see [`Mapping::skip_statuses`] and [`Mapping::return_statuses`]).
    Status,
    /// The order's payment status, e.g. Shopify's "Financial Status" (see
    /// [`Mapping::skip_payment_statuses`] and [`Mapping::partial_refund_statuses`]).
    PaymentStatus,
    /// The currency of the order's prices (ISO 4217, e.g. "USD").
    Currency,
    /// When the record was last updated: of a customer's records, the newest gives their
    /// fields (rows of orders use the order date).
    UpdatedAt,
    /// A product's tags, separated by commas (a products export).
    Tags,
    /// A category path such as "Home > Kitchen > Aprons": its last part is the category
    /// where the category column is blank.
    CategoryPath,
    /// What groups a product's rows (Shopify's Handle): later rows of a group take the
    /// group's title, category and tags from its first row.
    ProductGroup,
    /// The variant's option values (Size, Colour), named after the title:
    /// "Linen apron - Sage / M".
    Variant,
}

impl Role {
    /// Every role, in the order the wizard shows them.
    pub const ALL: [Self; 26] = [
        Self::CustomerId,
        Self::Email,
        Self::Name,
        Self::Phone,
        Self::Address,
        Self::Postcode,
        Self::BirthDate,
        Self::Gender,
        Self::CustomerSince,
        Self::OrderId,
        Self::Date,
        Self::ProductCode,
        Self::ProductName,
        Self::Category,
        Self::Quantity,
        Self::UnitPrice,
        Self::LineTotal,
        Self::LineDiscount,
        Self::Status,
        Self::PaymentStatus,
        Self::Currency,
        Self::UpdatedAt,
        Self::Tags,
        Self::CategoryPath,
        Self::ProductGroup,
        Self::Variant,
    ];

    /// The role in words, for the wizard.
    pub fn label(self) -> &'static str {
        match self {
            Self::CustomerId => "Customer number",
            Self::Email => "Email",
            Self::Name => "Name",
            Self::Phone => "Phone",
            Self::Address => "Address",
            Self::Postcode => "Postcode",
            Self::BirthDate => "Birth date",
            Self::Gender => "Gender",
            Self::CustomerSince => "Customer since",
            Self::OrderId => "Order number",
            Self::Date => "Order date",
            Self::ProductCode => "Product code",
            Self::ProductName => "Product name",
            Self::Category => "Category",
            Self::Quantity => "Quantity",
            Self::UnitPrice => "Unit price",
            Self::LineTotal => "Line total",
            Self::LineDiscount => "Discount on the line",
            Self::Status => "Order status",
            Self::PaymentStatus => "Payment status",
            Self::Currency => "Currency",
            Self::UpdatedAt => "Updated at",
            Self::Tags => "Product tags",
            Self::CategoryPath => "Category path",
            Self::ProductGroup => "Product group (handle)",
            Self::Variant => "Variant options",
        }
    }

    /// Header words that suggest this role, lower case, best first.
    fn hints(self) -> &'static [&'static str] {
        match self {
            Self::CustomerId => &[
                "customer id",
                "customerid",
                "customer number",
                "customer no",
                "client id",
                "member id",
                "loyalty",
            ],
            Self::Email => &["email", "e-mail", "mail"],
            Self::Name => &["customer name", "full name", "name", "customer"],
            Self::Phone => &["phone", "telephone", "mobile", "tel"],
            Self::Address => &["address", "street"],
            Self::Postcode => &["postcode", "postal code", "zip", "post code", "plz"],
            Self::BirthDate => &["birth", "birthday", "dob"],
            Self::Gender => &["gender", "sex"],
            Self::CustomerSince => &["registered", "created", "signed up", "since", "first visit"],
            Self::OrderId => &[
                "order id",
                "order number",
                "order no",
                "order #",
                "invoice",
                "receipt",
                "transaction",
                "ticket",
            ],
            Self::Date => &["order date", "invoice date", "date", "time", "day"],
            Self::ProductCode => &[
                "sku",
                "stock code",
                "stockcode",
                "product code",
                "item code",
                "ean",
                "barcode",
            ],
            Self::ProductName => &["product name", "description", "item", "product", "article"],
            Self::Category => &["category", "department", "product type", "group"],
            Self::Quantity => &["quantity", "qty", "units", "amount sold", "count"],
            Self::UnitPrice => &["unit price", "unitprice", "price each", "price"],
            Self::LineTotal => &["line total", "total", "gross sales", "net sales", "sales"],
            Self::LineDiscount => &["line discount", "lineitem discount", "item discount"],
            Self::Status => &["order status", "status"],
            Self::PaymentStatus => &["financial status", "payment status"],
            Self::Currency => &["currency"],
            Self::UpdatedAt => &["updated at", "last updated", "modified"],
            Self::Tags => &["tags"],
            Self::CategoryPath | Self::ProductGroup | Self::Variant => &[],
        }
    }
}

/// One or several columns for a role (e.g. "First Name" and "Last Name").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Columns {
    /// One column.
    One(String),
    /// Several columns, joined.
    Many(Vec<String>),
}

impl Columns {
    /// The column names, in order.
    pub fn names(&self) -> Vec<&str> {
        match self {
            Self::One(c) => vec![c.as_str()],
            Self::Many(cs) => cs.iter().map(String::as_str).collect(),
        }
    }
}

/// How day, month and year are ordered in dates written with slashes or dots.
/// Dates starting with a four-digit year, and eight-digit dates (20240503), are always read
/// year-month-day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// Told by the file itself: a first part over 12 means day-first, a second part over
    /// 12 month-first. A file whose dates cannot tell is refused, never guessed.
    #[default]
    FromFile,
    /// 2024-05-03.
    YearMonthDay,
    /// 03/05/2024 (UK and most of Europe).
    DayMonthYear,
    /// 05/03/2024 (US).
    MonthDayYear,
}

/// A column that records a consent decision, e.g. "Accepts Email Marketing".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentColumn {
    /// The column.
    pub column: String,
    /// The purpose it grants or withdraws (must be one of the shop's purposes).
    pub purpose: String,
    /// Its "yes" is the platform's default, not the customer's answer (Square marks every
    /// customer with an email "Subscribed"): only a "no" is recorded, as a withdrawal, and
    /// the "yes" answers are counted, never recorded as consent.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub only_withdrawals: bool,
}

/// What a preferences column's values name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreferenceAbout {
    /// Product categories.
    Category,
    /// Product tags.
    Tag,
}

/// A column that records what customers told the shop they want, e.g. a customers
/// export's `Tags` where the shop tags customers with what they like: each value,
/// separated by commas, is one stated preference of the row's customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreferenceColumn {
    /// The column.
    pub column: String,
    /// What the customer said of each value: `liked`, `not_wanted` or `ignore_purchases`
    /// (the last takes categories only).
    pub kind: crate::engine::preferences::PreferenceKind,
    /// Whether the values are categories or tags.
    pub about: PreferenceAbout,
}

/// Which rows of a file are order lines, where it mixes them with rows about the whole
/// order (Lightspeed X-Series writes a "Sale" row, then its "Sale Line" rows, then its
/// "Payment" rows): the column naming each row's kind, and the kinds that are lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineRows {
    /// The column naming what a row is.
    pub column: String,
    /// The values (compared ignoring case) of rows that are order lines; other rows give
    /// only the order's customer and status.
    pub lines: Vec<String>,
}

/// Products whose name contains `keyword` (ignoring case) belong to `category`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeywordCategory {
    /// The word looked for in product names.
    pub keyword: String,
    /// The category given.
    pub category: String,
}

/// How to read one kind of export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// What the export is, in words; used in sources ("imported from Shopify orders export").
    pub name: String,
    /// The system the keys belong to ("shopify", "square", …): a customer number from one
    /// system is never confused with the same number from another.
    pub key_space: String,
    /// Which column holds what.
    pub columns: BTreeMap<Role, Columns>,
    /// How dates are written.
    #[serde(default)]
    pub dates: DateOrder,
    /// Whether numbers use a decimal comma ("2,50").
    #[serde(default)]
    pub decimal_comma: bool,
    /// Columns that record consent decisions.
    #[serde(default)]
    pub consents: Vec<ConsentColumn>,
    /// Columns that record what customers told the shop they want (none unless the
    /// mapping says so: a platform's tags are often the shop's own labels, not the
    /// customer's words).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preferences: Vec<PreferenceColumn>,
    /// Categories derived from words in product names, first match wins (used when no
    /// category column is mapped, or the cell is blank).
    #[serde(default)]
    pub categories_from_names: Vec<KeywordCategory>,
    /// The category of products no keyword matches.
    #[serde(default = "default_category")]
    pub default_category: String,
    /// Codes that are not products (postage, fees), compared ignoring case; for a line
    /// without a code, its product name (Square's "Custom Amount").
    #[serde(default)]
    pub not_product_codes: Vec<String>,
    /// Code prefixes that are not products (e.g. "gift_" for vouchers).
    #[serde(default)]
    pub not_product_prefixes: Vec<String>,
    /// Order numbers starting with this are cancellations: their lines are returns.
    #[serde(default)]
    pub cancellation_prefix: Option<String>,
    /// Statuses of orders that were not sales (cancelled, failed); "*" means any
    /// non-blank value. Their rows are counted and left out.
    #[serde(default)]
    pub skip_statuses: Vec<String>,
    /// Statuses whose lines are returns (e.g. Square's "Refund").
    #[serde(default)]
    pub return_statuses: Vec<String>,
    /// Payment statuses of orders that were not purchases (refunded, voided): counted and
    /// left out.
    #[serde(default)]
    pub skip_payment_statuses: Vec<String>,
    /// Payment statuses of orders partly refunded: kept as bought (the file does not say
    /// which lines were refunded) and counted.
    #[serde(default)]
    pub partial_refund_statuses: Vec<String>,
    /// An order's status, payment status and customer are on its first row and hold for
    /// all its rows (Shopify leaves them blank on the order's other lines).
    #[serde(default)]
    pub order_level_status: bool,
    /// Values may start with an apostrophe the platform adds so spreadsheets keep leading
    /// zeros ('02135, '+49 …): it is not part of the value.
    #[serde(default)]
    pub strip_leading_apostrophe: bool,
    /// Values are written with HTML character references (Etsy writes `&quot;Sage&quot;`
    /// and `&#39;`): they are read as the characters they stand for.
    #[serde(default)]
    pub html_entities: bool,
    /// Customers with no number, email or phone are recognized by name and address
    /// together (off by default: family members share an address).
    #[serde(default)]
    pub match_by_name_and_address: bool,
    /// Each row is a purchase even though no column says what was bought (a purchase log
    /// such as CDNOW's, an orders grid): it buys one "Unspecified item", or one named after
    /// its category column.
    #[serde(default)]
    pub purchases_without_products: bool,
    /// The file lists orders without saying what was bought (Etsy's EtsySoldOrders, whose
    /// items are in EtsySoldOrderItems): only its customers are read, newest record
    /// first, and its orders are counted, not imported.
    #[serde(default)]
    pub orders_without_items: bool,
    /// The currency of the file's prices (ISO 4217, e.g. "USD") where it has no currency
    /// column; without it they are taken to be in the shop's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<crate::engine::money::Currency>,
    /// Exchange rates for files whose prices are in another currency than the shop's:
    /// how much of the shop's currency one unit of that currency is (`{"USD": 0.79}` in a
    /// pound shop: $1.00 is £0.79). Such prices are converted when read, rounded to the
    /// shop currency's smallest unit; without a rate they are refused.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rates: BTreeMap<String, f64>,
    /// Where the orders were placed, e.g. "web" or "in shop".
    #[serde(default = "default_channel")]
    pub channel: String,
    /// Whether products are bought again (bread yes, a cake stand no).
    #[serde(default = "default_true")]
    pub repeatable: bool,
    /// The product cell packs all of the order's lines, as BigCommerce's `Product Details`
    /// does: `Product Qty: 2, Product SKU: …, Product Name: …, Product Unit Price: 18.00`,
    /// lines separated by `|`.
    #[serde(default)]
    pub packed_lines: bool,
    /// Each row is a product of the shop's catalogue (a products export), not a sale: it
    /// adds the product, or fills in the category and tags of one already in the shop and
    /// sets its price.
    #[serde(default)]
    pub catalogue: bool,
    /// Customer numbers that stand for no one (a till's default "walk-in" customer,
    /// compared ignoring case): their sales are guest sales.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nobody_customer_ids: Vec<String>,
    /// Which rows are order lines, where the file mixes them with rows about the whole
    /// order; without it every row of an orders file is a line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_rows: Option<LineRows>,
    /// The product cell lists several products separated by ", " (WooCommerce Analytics).
    /// A row naming one product reads its quantity (the items sold) and price (the line
    /// total over the quantity); a row naming several gets one unit of each, at a price not
    /// known, since the file does not say how the items and the total split among them.
    #[serde(default)]
    pub product_list: bool,
}

fn default_category() -> String {
    crate::engine::model::NO_CATEGORY.to_owned()
}

fn default_channel() -> String {
    "imported".to_owned()
}

fn default_true() -> bool {
    true
}

impl Mapping {
    /// Reads a mapping's JSON strictly: an unknown key, or a key given twice, is refused
    /// by name.
    pub fn from_json(text: &str) -> Result<Self, String> {
        crate::engine::strict::check_no_duplicate_keys(text)?;
        let mapping: Self = serde_json::from_str(text).map_err(|e| e.to_string())?;
        for c in &mapping.preferences {
            if c.kind == crate::engine::preferences::PreferenceKind::IgnorePurchases
                && c.about != PreferenceAbout::Category
            {
                return Err(format!(
                    "preferences column \"{}\": \"ignore_purchases\" takes categories, not tags",
                    c.column
                ));
            }
        }
        Ok(mapping)
    }

    /// An empty mapping for the wizard to fill in.
    pub fn blank(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            key_space: "csv".to_owned(),
            columns: BTreeMap::new(),
            dates: DateOrder::default(),
            decimal_comma: false,
            consents: Vec::new(),
            preferences: Vec::new(),
            line_rows: None,
            nobody_customer_ids: Vec::new(),
            categories_from_names: Vec::new(),
            default_category: default_category(),
            currency: None,
            catalogue: false,
            packed_lines: false,
            not_product_codes: Vec::new(),
            not_product_prefixes: Vec::new(),
            cancellation_prefix: None,
            skip_statuses: Vec::new(),
            return_statuses: Vec::new(),
            skip_payment_statuses: Vec::new(),
            partial_refund_statuses: Vec::new(),
            order_level_status: false,
            strip_leading_apostrophe: false,
            html_entities: false,
            match_by_name_and_address: false,
            purchases_without_products: false,
            orders_without_items: false,
            rates: BTreeMap::new(),
            channel: default_channel(),
            repeatable: true,
            product_list: false,
        }
    }

    /// Sets one role to one column.
    pub fn with(mut self, role: Role, column: &str) -> Self {
        self.columns.insert(role, Columns::One(column.to_owned()));
        self
    }

    /// Whether the file holds order lines: an order number or date, and a product or a
    /// price (a file of transactions without products buys an "unspecified item").
    pub fn has_orders(&self) -> bool {
        let has = |r: Role| self.columns.contains_key(&r);
        !self.catalogue
            && (has(Role::ProductCode) || has(Role::ProductName) || self.has_products_unnamed())
            && (has(Role::OrderId) || has(Role::Date))
    }

    /// Whether the file records purchases without saying what was bought: the mapping says
    /// so (`purchases_without_products`; never guessed, so a customers list with a "last
    /// order date" and a "total spent" is not read as purchases), and it has a date and a
    /// price but no product column.
    pub fn has_products_unnamed(&self) -> bool {
        let has = |r: Role| self.columns.contains_key(&r);
        self.purchases_without_products
            && !has(Role::ProductCode)
            && !has(Role::ProductName)
            && has(Role::Date)
            && (has(Role::UnitPrice) || has(Role::LineTotal))
    }

    /// Whether each row is a dated record (an updated-at column, or an order listed
    /// without its items), so a customer may appear on several rows, the newest record
    /// deciding each field. A date alone does not make one: a till's receipts without
    /// products read as a customers list must still be refused for repeated customers.
    pub fn has_dated_records(&self) -> bool {
        self.columns.contains_key(&Role::UpdatedAt) || self.orders_without_items
    }

    /// Whether the file identifies customers.
    pub fn has_customers(&self) -> bool {
        [Role::CustomerId, Role::Email, Role::Name]
            .iter()
            .any(|r| self.columns.contains_key(r))
    }

    /// What is missing for this mapping to import anything, in words; `None` when usable.
    pub fn problem(&self) -> Option<String> {
        if let Some(problem) = self.rates_problem().or_else(|| self.hidden_in_words()) {
            return Some(problem);
        }
        let space = self.key_space.trim();
        if space.is_empty() || space.contains(':') || space != self.key_space {
            return Some("name the system the file comes from in a word or two, without \":\" or spaces around it (\"key_space\", such as till)".to_owned());
        }
        if self.catalogue {
            let has = |r: Role| self.columns.contains_key(&r);
            return (!has(Role::ProductName) && !has(Role::ProductGroup)).then(|| {
                "say which column holds the product's name (or its group, such as a handle)"
                    .to_owned()
            });
        }
        if !self.has_orders() && !self.has_customers() {
            return Some(
                "say which column holds the customer (number, email or name), or the product and the order number or date"
                    .to_owned(),
            );
        }
        if self.has_orders() && !self.columns.contains_key(&Role::Date) {
            return Some("say which column holds the order date".to_owned());
        }
        if let Some(problem) = self.purchase_columns_unread() {
            return Some(problem);
        }
        if let Some(problem) = self.column_with_two_roles() {
            return Some(problem);
        }
        self.product_list_problem()
    }

    /// A column given two roles that read it as different things (the quantity column as
    /// the unit price too), which would silently read one value as both.
    fn column_with_two_roles(&self) -> Option<String> {
        let mut seen: BTreeMap<&str, Role> = BTreeMap::new();
        for (role, columns) in &self.columns {
            for name in columns.names() {
                let statuses = [Role::Status, Role::PaymentStatus];
                if let Some(first) = seen.insert(name, *role)
                    && first != *role
                    // One status column read for both (BigCommerce's Order Status).
                    && !(statuses.contains(&first) && statuses.contains(role))
                {
                    return Some(format!(
                        "the column \"{name}\" is given as both {} and {}; a column holds one thing: choose one",
                        first.label(),
                        role.label()
                    ));
                }
            }
        }
        // A consent or a stated preference is its own column: a quantity of 1 read as
        // "yes" would record a consent nobody gave.
        let own = self
            .consents
            .iter()
            .map(|c| (c.column.as_str(), "a consent"))
            .chain(
                self.preferences
                    .iter()
                    .map(|p| (p.column.as_str(), "a preference")),
            );
        for (name, what) in own {
            if let Some(role) = seen.get(name) {
                return Some(format!(
                    "the column \"{name}\" is given as both {} and {what}; a column holds one thing: choose one",
                    role.label()
                ));
            }
        }
        None
    }

    /// A word of the mapping itself (its name, system, channel or a category) that holds a
    /// control character: it would be stored and shown with every product and record.
    fn hidden_in_words(&self) -> Option<String> {
        let words = [
            &self.name,
            &self.key_space,
            &self.channel,
            &self.default_category,
        ]
        .into_iter()
        .chain(self.categories_from_names.iter().map(|k| &k.category));
        for word in words {
            if let Some(c) = crate::engine::words::hidden_in_line(word) {
                return Some(format!(
                    "\"{}\" holds an invisible control character or a line break (U+{:04X}); write it without it",
                    word.escape_debug(),
                    u32::from(c)
                ));
            }
        }
        None
    }

    /// Columns of what was bought (product, quantity, price) that would be silently left
    /// unread because nothing says which order or day they belong to.
    fn purchase_columns_unread(&self) -> Option<String> {
        let has = |r: Role| self.columns.contains_key(&r);
        if has(Role::Date) || has(Role::OrderId) || self.orders_without_items {
            return None;
        }
        let named: Vec<String> = [
            Role::ProductCode,
            Role::ProductName,
            Role::Quantity,
            Role::UnitPrice,
            Role::LineTotal,
        ]
        .iter()
        .filter_map(|r| self.columns.get(r))
        .flat_map(Columns::names)
        .map(super::quote)
        .collect();
        (!named.is_empty()).then(|| {
            format!(
                "{} would say what was bought, but no column says when or in which order, so they would not be read: say which column holds the order date (or the order number), or set them to (not in this file)",
                named.join(", ")
            )
        })
    }

    /// What is wrong with reading a product cell that lists several products: its price
    /// column is the row's total (of all its products), never a unit price.
    fn product_list_problem(&self) -> Option<String> {
        (self.product_list && self.columns.contains_key(&Role::UnitPrice)).then(|| {
            "a product cell that lists several products comes with the row's total, not each product's price: choose the price column as Line total, not Unit price".to_owned()
        })
    }

    /// What is wrong with the exchange rates, if anything.
    fn rates_problem(&self) -> Option<String> {
        self.rates.iter().find_map(|(code, rate)| {
            if let Err(why) = crate::engine::money::Currency::from_code(code) {
                return Some(format!("\"rates\": {why}"));
            }
            // The weakest and strongest currencies are about a million times apart.
            (!(rate.is_finite() && *rate >= 0.000_001 && *rate <= 1_000_000.0)).then(|| {
                format!(
                    "\"rates\": the rate of {code} must be a number from 0.000001 to 1,000,000 (how many of the shop's currency one unit of {code} is worth)"
                )
            })
        })
    }

    /// The rate that converts prices in `from` into the shop's currency, if the mapping
    /// gives one.
    pub fn rate(&self, from: crate::engine::money::Currency) -> Option<f64> {
        self.rates
            .iter()
            .find(|(code, _)| code.trim().eq_ignore_ascii_case(from.code()))
            .map(|(_, rate)| *rate)
    }

    /// The category for a product name by the keyword list, if a keyword matches at the
    /// start of a word ("BAG" matches "JUMBO BAGS", "RING" does not match "EARRINGS").
    pub fn category_from_name(&self, name: &str) -> Option<&str> {
        let upper = name.to_uppercase();
        self.categories_from_names
            .iter()
            .find(|k| starts_a_word(&upper, &k.keyword.to_uppercase()))
            .map(|k| k.category.as_str())
    }

    /// Whether a product code is postage, a fee or a discount rather than a product.
    pub fn is_not_product(&self, code: &str) -> bool {
        self.not_product_codes
            .iter()
            .any(|c| c.eq_ignore_ascii_case(code))
            || self
                .not_product_prefixes
                .iter()
                .any(|p| code.to_lowercase().starts_with(&p.to_lowercase()))
    }

    /// Whether a status means "not a sale".
    pub fn skips_status(&self, status: &str) -> bool {
        matches_status(&self.skip_statuses, status)
    }

    /// Whether a status means "a return".
    pub fn returns_status(&self, status: &str) -> bool {
        matches_status(&self.return_statuses, status)
    }

    /// Whether a payment status means "not a purchase".
    pub fn skips_payment_status(&self, status: &str) -> bool {
        matches_status(&self.skip_payment_statuses, status)
    }

    /// Whether a payment status means "partly refunded".
    pub fn partly_refunded_status(&self, status: &str) -> bool {
        matches_status(&self.partial_refund_statuses, status)
    }
}

fn starts_a_word(text: &str, word: &str) -> bool {
    !word.is_empty()
        && text.match_indices(word).any(|(i, _)| {
            text[..i]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
        })
}

impl Mapping {
    /// Whether every column this mapping reads is in `headers` (ignoring case), so a saved
    /// mapping can be offered for a file with the same columns.
    pub fn fits(&self, headers: &[String]) -> bool {
        let has = |c: &str| headers.iter().any(|h| h.eq_ignore_ascii_case(c));
        // A file without a header has only "Column 1", "Column 2", …: any saved mapping for
        // another such file would seem to fit, so none is offered by itself.
        let headerless = headers
            .iter()
            .enumerate()
            .all(|(i, h)| *h == format!("Column {}", i + 1));
        !headerless
            && !self.columns.is_empty()
            && self
                .columns
                .values()
                .all(|c| c.names().iter().all(|n| has(n)))
            && self.consents.iter().all(|c| has(&c.column))
            && self.preferences.iter().all(|c| has(&c.column))
            && self.line_rows.iter().all(|l| has(&l.column))
    }
}

/// The saved mappings in `dir` (JSON files), with their file names; unreadable files are
/// skipped.
pub fn saved_mappings(dir: &std::path::Path) -> Vec<(String, Mapping)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(String, Mapping)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            let mapping = Mapping::from_json(&text).ok()?;
            crate::safe_write::keep(&p);
            Some((p.file_name()?.to_string_lossy().into_owned(), mapping))
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

use super::statuses::matches_status;

/// A best guess at a mapping from a header and a few rows, for the wizard to pre-fill.
pub fn guess(headers: &[String], rows: &[Vec<String>]) -> Mapping {
    let mut mapping = Mapping::blank("CSV file").with_common_statuses();
    let taken = guess_columns(&mut mapping, headers);
    // A customers list's "Total Spent" and "Orders Count" are no purchase: amounts and
    // counts are guessed as what was bought only beside a date, an order or a product.
    let purchases = [
        Role::Date,
        Role::OrderId,
        Role::ProductName,
        Role::ProductCode,
    ]
    .iter()
    .any(|r| mapping.columns.contains_key(r));
    if !purchases {
        for role in [Role::Quantity, Role::UnitPrice, Role::LineTotal] {
            mapping.columns.remove(&role);
        }
    }
    if let Some(column) = guess_consent_column(headers, &taken) {
        mapping.consents.push(column);
    }
    let fulfillment = matches!(
        mapping.columns.get(&Role::Status),
        Some(Columns::One(c)) if words_apart(c).contains("fulfil")
    );
    if fulfillment {
        mapping.skip_statuses = super::statuses::NOT_DELIVERED_STATUSES
            .map(str::to_owned)
            .to_vec();
    }
    let column_values = |role: Role| -> Vec<&str> {
        let Some(Columns::One(name)) = mapping.columns.get(&role) else {
            return Vec::new();
        };
        let Some(i) = headers.iter().position(|h| h == name) else {
            return Vec::new();
        };
        rows.iter()
            .filter_map(|r| r.get(i).map(String::as_str))
            .collect()
    };
    // Without order dates the guess says nothing: the import reads the file's own dates
    // (birthdays, a sign-up date) to tell, and asks if it cannot.
    let dates = column_values(Role::Date);
    // Year-first order dates say nothing of a birthday's order either.
    mapping.dates = match guess_date_order(&dates) {
        Ok(DateOrder::YearMonthDay) | Err(_) => DateOrder::FromFile,
        Ok(order) => order,
    };
    mapping.decimal_comma = shows_decimal_comma(&mapping, headers, rows);
    mapping
}

/// Whether the prices `mapping` reads from `rows` are written with a decimal comma: one of
/// them has a comma, no point, and at most two digits after its last comma (`24,70`), which
/// no number with thousands separators is.
pub fn shows_decimal_comma(mapping: &Mapping, headers: &[String], rows: &[Vec<String>]) -> bool {
    [Role::UnitPrice, Role::LineTotal]
        .iter()
        .filter_map(|role| match mapping.columns.get(role) {
            Some(Columns::One(name)) => headers.iter().position(|h| h == name),
            _ => None,
        })
        .flat_map(|i| rows.iter().filter_map(move |r| r.get(i)))
        .any(|p| {
            p.contains(',')
                && !p.contains('.')
                && p.rsplit(',').next().is_some_and(|d| d.trim().len() <= 2)
        })
}

/// Gives each role the first column whose header suggests it, specific roles first (so
/// "Product name" is not taken for the customer's name); which columns were taken.
fn guess_columns(mapping: &mut Mapping, headers: &[String]) -> Vec<bool> {
    let mut taken = vec![false; headers.len()];
    let order = [
        Role::ProductCode,
        Role::ProductName,
        Role::Category,
        Role::CustomerId,
        Role::Email,
        Role::OrderId,
        Role::CustomerSince,
        Role::BirthDate,
        Role::Date,
        Role::Quantity,
        Role::UnitPrice,
        Role::LineTotal,
        Role::Name,
        Role::Phone,
        Role::Address,
        Role::Postcode,
        Role::Gender,
        Role::PaymentStatus,
        Role::Status,
    ];
    for role in order {
        let found = role.hints().iter().find_map(|hint| {
            headers
                .iter()
                .enumerate()
                .find(|(i, h)| !taken[*i] && suggests(role, h, hint))
                .map(|(i, _)| i)
        });
        if let Some(i) = found {
            taken[i] = true;
            mapping
                .columns
                .insert(role, Columns::One(headers[i].clone()));
        }
    }
    taken
}

/// Words of a header whose "yes" is a refusal ("Email Unsubscribed", "Do Not Email",
/// "Exclude from marketing"), never guessed as a consent column.
const OPPOSITE_OF_CONSENT: [&str; 12] = [
    "unsubscrib",
    "opt-out",
    "opt out",
    "optout",
    "opted out",
    "do not",
    "don't",
    "exclude",
    "declin",
    "refus",
    "withdr",
    "suppress",
];

/// A yes/no column about marketing or consent not taken for a role: its purpose is email
/// offers, or personalization when the header says so. The person confirms it in the
/// wizard. A column that asks the opposite ("Email Unsubscribed", "Marketing opt-out")
/// is never guessed: its "yes" is a refusal.
fn guess_consent_column(headers: &[String], taken: &[bool]) -> Option<ConsentColumn> {
    let (_, header) = headers.iter().enumerate().find(|(i, h)| {
        let h = h.to_lowercase();
        let opposite = OPPOSITE_OF_CONSENT.iter().any(|w| h.contains(w))
            || h.split(|c: char| !c.is_alphanumeric())
                .any(|w| w == "no" || w == "not");
        !taken[*i]
            && !opposite
            && ["newsletter", "marketing", "consent", "opt-in", "opt in"]
                .iter()
                .any(|w| h.contains(w))
    })?;
    let personal = header.to_lowercase().contains("personal");
    Some(ConsentColumn {
        only_withdrawals: false,
        column: header.clone(),
        purpose: if personal {
            "personalization"
        } else {
            "email_offers"
        }
        .to_owned(),
    })
}

/// Whether a header suggests `role` by `hint` (lower case), read with its words apart
/// (`order_number`, `orderNumber`: "order number"; `createDate` is "create date", not
/// "created"). An order status is a column named "status", an order's or its
/// fulfillment's: never a subscription status, which says nothing about an order.
fn suggests(role: Role, header: &str, hint: &str) -> bool {
    let words = words_apart(header);
    let header = words.as_str();
    let about_an_order = || {
        header.trim() == "status"
            || ["order status", "fulfillment status", "fulfilment status"]
                .iter()
                .any(|h| header.contains(h))
    };
    header.contains(hint) && (role != Role::Status || about_an_order())
}

/// A header with its words apart: `_`, `-` and `.` as spaces, and a space before each
/// capital that follows a small letter (`orderNumber` → "order number"), in lower case.
fn words_apart(header: &str) -> String {
    let mut out = String::with_capacity(header.len() + 4);
    let mut previous_small = false;
    for c in header.chars() {
        if c.is_uppercase() && previous_small {
            out.push(' ');
        }
        previous_small = c.is_lowercase();
        match c {
            '_' | '-' | '.' => out.push(' '),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

pub use super::dates::{guess_date_order, parse_date};

/// Reads a number exactly (see [`super::number`]); `None` when it is not plainly one.
pub fn parse_number(value: &str, decimal_comma: bool) -> Option<f64> {
    super::number::parse(value, decimal_comma)
        .ok()
        .map(|n| n.to_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn a_column_whose_yes_is_a_refusal_is_never_guessed_as_consent() {
        let guessed = |header: &str| {
            let headers = vec!["Email".to_owned(), header.to_owned()];
            guess(&headers, &[])
                .consents
                .first()
                .map(|c| c.column.clone())
        };
        assert_eq!(
            guessed("Accepts Marketing").as_deref(),
            Some("Accepts Marketing")
        );
        for opposite in [
            "Email Unsubscribed",
            "Marketing opt-out",
            "Marketing Opt Out",
            "Do Not Email (marketing)",
            "No marketing",
            "Exclude from marketing",
            "Marketing declined",
            "Marketing refused",
            "Withdrew consent",
        ] {
            assert_eq!(guessed(opposite), None, "{opposite}");
        }
    }

    #[test]
    fn headers_written_in_snake_or_camel_case_are_guessed() {
        let headers: Vec<String> = [
            "orderNumber",
            "createDate",
            "customer_email",
            "productName",
            "product_sku",
            "quantity",
            "price",
            "paymentStatus",
            "fulfillmentStatus",
            "emailSubscriptionStatus",
        ]
        .map(str::to_owned)
        .to_vec();
        let m = guess(&headers, &[]);
        let column = |role| match m.columns.get(&role) {
            Some(Columns::One(c)) => c.as_str(),
            _ => "",
        };
        assert_eq!(column(Role::OrderId), "orderNumber");
        assert_eq!(column(Role::Date), "createDate");
        assert_eq!(column(Role::Email), "customer_email");
        assert_eq!(column(Role::ProductName), "productName");
        assert_eq!(column(Role::ProductCode), "product_sku");
        assert_eq!(column(Role::PaymentStatus), "paymentStatus");
        assert_eq!(column(Role::Status), "fulfillmentStatus");
        assert!(m.skips_payment_status("AWAITING_PAYMENT"));
        assert!(m.partly_refunded_status("PARTIALLY_REFUNDED"));
        // A fulfillment column's "pending" is a paid order not yet sent.
        assert!(m.skips_status("WILL_NOT_DELIVER"));
        assert!(!m.skips_status("PENDING"));
        assert!(!m.skips_status("ON_HOLD"));
    }

    #[test]
    fn a_product_list_reads_a_line_total_never_a_unit_price() {
        let list = Mapping::blank("REST orders")
            .with(Role::Date, "Order Date")
            .with(Role::ProductName, "Products");
        let list = Mapping {
            product_list: true,
            ..list
        };
        assert_eq!(list.problem(), None);
        let priced = list.clone().with(Role::UnitPrice, "Price");
        assert!(priced.problem().is_some_and(|p| p.contains("Line total")));
        let counted = list.with(Role::Quantity, "Items sold");
        assert_eq!(counted.problem(), None, "the items sold of the row");
    }

    #[test]
    fn a_customers_lists_totals_are_not_guessed_as_purchases() {
        let headers: Vec<String> = ["Name", "Email", "Total Spent", "Orders Count"]
            .map(str::to_owned)
            .to_vec();
        let guessed = guess(&headers, &[]);
        assert_eq!(guessed.problem(), None, "{:?}", guessed.columns);
        assert!(guessed.columns.contains_key(&Role::Email));
        assert!(!guessed.columns.contains_key(&Role::LineTotal));
        assert!(!guessed.columns.contains_key(&Role::Quantity));
    }

    #[test]
    fn one_column_is_never_read_as_two_things() {
        let till = Mapping::blank("Till")
            .with(Role::Date, "Datum")
            .with(Role::ProductName, "Artikel")
            .with(Role::Quantity, "Menge");
        assert_eq!(till.problem(), None);
        let twice = till.clone().with(Role::UnitPrice, "Menge");
        assert!(
            twice
                .problem()
                .is_some_and(|p| p.contains("\"Menge\" is given as both")),
            "{:?}",
            twice.problem()
        );
        let statuses = till
            .clone()
            .with(Role::Status, "Status")
            .with(Role::PaymentStatus, "Status");
        assert_eq!(statuses.problem(), None, "one status column read for both");
        let consent = Mapping {
            consents: vec![ConsentColumn {
                only_withdrawals: false,
                column: "Menge".to_owned(),
                purpose: "email_offers".to_owned(),
            }],
            ..till.clone()
        };
        assert!(
            consent
                .problem()
                .is_some_and(|p| p.contains("Quantity and a consent")),
            "{:?}",
            consent.problem()
        );
        let named = Mapping {
            name: "Till\u{1b}[2J".to_owned(),
            ..till
        };
        assert!(
            named.problem().is_some_and(|p| p.contains("U+001B")),
            "{:?}",
            named.problem()
        );
    }

    #[test]
    fn a_saved_mapping_fits_a_file_with_its_columns() {
        let dir = tempfile::tempdir().expect("dir");
        let mapping = Mapping::blank("Till")
            .with(Role::OrderId, "Bon")
            .with(Role::Date, "Datum")
            .with(Role::ProductName, "Artikel")
            .with(Role::UnitPrice, "Preis");
        std::fs::write(
            dir.path().join("till.json"),
            serde_json::to_string(&mapping).expect("json"),
        )
        .expect("writes");
        std::fs::write(dir.path().join("notes.json"), "not a mapping").expect("writes");
        let saved = saved_mappings(dir.path());
        assert_eq!(saved.len(), 1, "the file that is not a mapping is skipped");
        let headers = |line: &str| line.split(',').map(str::to_owned).collect::<Vec<_>>();
        assert!(saved[0].1.fits(&headers("Bon,Datum,Artikel,Preis,Kasse")));
        assert!(!saved[0].1.fits(&headers("Bon,Datum,Artikel")));
        let generic = Mapping::blank("Log")
            .with(Role::CustomerId, "Column 1")
            .with(Role::Date, "Column 2");
        assert!(
            !generic.fits(&headers("Column 1,Column 2,Column 3")),
            "a file without a header is never matched by column names alone"
        );
    }

    #[test]
    fn dates_in_every_order() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(
            parse_date("2010-12-01 08:26:00", DateOrder::DayMonthYear),
            d(2010, 12, 1)
        );
        assert_eq!(
            parse_date("03/05/2024", DateOrder::DayMonthYear),
            d(2024, 5, 3)
        );
        assert_eq!(
            parse_date("05/03/2024 10:00", DateOrder::MonthDayYear),
            d(2024, 5, 3)
        );
        assert_eq!(parse_date("3.5.24", DateOrder::DayMonthYear), d(2024, 5, 3));
        assert_eq!(parse_date("0000-03-14", DateOrder::YearMonthDay), None);
        assert_eq!(parse_date("yesterday", DateOrder::YearMonthDay), None);
        assert_eq!(parse_date("31/02/2024", DateOrder::DayMonthYear), None);
    }

    #[test]
    fn numbers_with_commas_and_currency() {
        assert_eq!(parse_number("2.55", false), Some(2.55));
        assert_eq!(parse_number("£1,234.50", false), Some(1234.5));
        assert_eq!(parse_number("1.234,50 €", true), Some(1234.5));
        assert_eq!(parse_number("2,5", true), Some(2.5));
        assert_eq!(parse_number("(4.50)", false), Some(-4.5));
        assert_eq!(parse_number("-3", false), Some(-3.0));
        assert_eq!(parse_number("abc", false), None);
        assert_eq!(parse_number("", false), None);
    }

    #[test]
    fn a_guess_finds_the_obvious_columns() {
        let headers: Vec<String> = [
            "Receipt",
            "Date",
            "Client ID",
            "Item",
            "Qty",
            "Price",
            "Newsletter",
        ]
        .map(str::to_owned)
        .to_vec();
        let rows = vec![vec![
            "1".into(),
            "23/11/2026".into(),
            "7".into(),
            "Sourdough".into(),
            "1".into(),
            "3,20".into(),
            "yes".into(),
        ]];
        let m = guess(&headers, &rows);
        assert_eq!(
            m.columns.get(&Role::OrderId),
            Some(&Columns::One("Receipt".into()))
        );
        assert_eq!(
            m.columns.get(&Role::CustomerId),
            Some(&Columns::One("Client ID".into()))
        );
        assert_eq!(
            m.columns.get(&Role::ProductName),
            Some(&Columns::One("Item".into()))
        );
        assert_eq!(
            m.columns.get(&Role::Quantity),
            Some(&Columns::One("Qty".into()))
        );
        assert_eq!(m.dates, DateOrder::DayMonthYear);
        assert!(m.decimal_comma);
        assert_eq!(m.consents[0].column, "Newsletter");
        assert_eq!(m.consents[0].purpose, "email_offers");
        assert_eq!(m.problem(), None);
    }
}
