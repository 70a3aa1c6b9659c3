//! The in-memory snapshot of a shop: customers, products, orders, consents, rules
//! and the catalogue of personal-data fields. Plain data, no SQL and no UI.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use super::fields::{MAX_DAYS, PersonalField};
use super::money::Currency;
use super::rules::Rule;

/// A customer's number, as the shop knows it.
pub type CustomerId = i64;
/// A product's number.
pub type ProductId = i64;
/// An order's number.
pub type OrderId = i64;

/// Everything Candor knows about one shop, loaded into memory.
///
/// The large tables are shared (`Arc`), so a simulation's copy of the shop costs almost
/// nothing; a change that writes to a table copies that table only (`Arc::make_mut`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Shop {
    /// Shop-wide settings (name, pinned date, list length).
    pub settings: Settings,
    /// Customers, in ascending id order.
    pub customers: Arc<Vec<Customer>>,
    /// Products, in ascending id order.
    pub products: Arc<Vec<Product>>,
    /// Orders (visits or web orders), in ascending id order.
    pub orders: Arc<Vec<Order>>,
    /// Order lines, in ascending order id.
    pub lines: Arc<Vec<OrderLine>>,
    /// Purposes a customer can consent to.
    pub purposes: Vec<Purpose>,
    /// Every consent event ever recorded; never overwritten.
    pub consents: Arc<Vec<ConsentEvent>>,
    /// Every stated preference and its withdrawals, in the order recorded.
    #[serde(default)]
    pub preferences: Arc<Vec<super::preferences::PreferenceEvent>>,
    /// The shop's personalization rules, in evaluation order.
    pub rules: Vec<Rule>,
    /// The catalogue of personal-data fields the shop may hold.
    pub fields: Vec<FieldDef>,
    /// The highest customer number ever erased, merged away or taken back (0 when none):
    /// no number up to it is given to a new customer.
    #[serde(default)]
    pub highest_erased_customer: CustomerId,
}

/// The number a log entry reads for a customer once erasure removed even their number
/// from it (the sealed value's placeholder).
pub const ERASED_CUSTOMER: CustomerId = 0;

impl Shop {
    /// Customer `id`'s name as the shop holds it now; "customer N" when they are no longer
    /// in the shop, and "an erased customer" for [`ERASED_CUSTOMER`].
    pub fn customer_name(&self, id: CustomerId) -> String {
        if id == ERASED_CUSTOMER {
            return "an erased customer".to_owned();
        }
        self.customers
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| format!("customer {id}"), Customer::display_name)
    }

    /// The purpose with this id, if the shop has it.
    pub fn purpose(&self, id: &str) -> Option<&Purpose> {
        self.purposes.iter().find(|p| p.id == id)
    }

    /// The label of purpose `id`, falling back to the id itself.
    pub fn purpose_label<'a>(&'a self, id: &'a str) -> &'a str {
        self.purpose(id).map_or(id, |p| p.label.as_str())
    }

    /// The categories products are in, sorted, once each, without the placeholder of
    /// products whose files named none (what a customer can say they like or not).
    pub fn named_categories(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .products
            .iter()
            .map(|p| p.category.as_str())
            .filter(|c| *c != NO_CATEGORY)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The tags products carry, sorted, once each, without the marker of postage and fees.
    pub fn product_tags(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .products
            .iter()
            .flat_map(|p| p.tags.iter().map(String::as_str))
            .filter(|t| *t != NOT_A_PRODUCT_TAG)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The decision on record for `customer` and `purpose`: the one recorded last.
    pub fn current_consent(&self, customer: CustomerId, purpose: &str) -> Option<&ConsentEvent> {
        self.consents
            .iter()
            .rev()
            .find(|e| e.customer == customer && e.purpose == purpose)
    }
}

/// Shop-wide settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// The shop's name, shown in titles and customer-facing pages.
    pub name: String,
    /// A fixed "today" for teaching shops, so explanations read the same every time.
    pub pinned_today: Option<NaiveDate>,
    /// How many recommendations each customer gets.
    pub top_n: usize,
    /// Weight of the non-personal popularity baseline.
    pub popularity_weight: f64,
    /// How many days of sales count towards popularity.
    pub popularity_days: i64,
    /// What popularity counts: units sold, or the customers who bought.
    #[serde(default)]
    pub popularity_counts: PopularityCount,
    /// The one currency the shop's prices are in; every `price_cents` is in its minor units.
    #[serde(default)]
    pub currency: Currency,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            name: "Unnamed shop".to_owned(),
            pinned_today: None,
            top_n: 5,
            popularity_weight: 1.0,
            popularity_days: 30,
            popularity_counts: PopularityCount::Units,
            currency: Currency::GBP,
        }
    }
}

/// What a product's popularity counts in its window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PopularityCount {
    /// Units sold (guest sales included; returns subtract).
    #[default]
    Units,
    /// Customers who bought it: each customer once, whatever they bought, plus each guest
    /// sale once (a wholesaler's crate of 500 counts as one).
    Customers,
}

impl PopularityCount {
    /// The stored and JSON code: `units` or `customers`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Units => "units",
            Self::Customers => "customers",
        }
    }

    /// Reads a code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "units" => Some(Self::Units),
            "customers" => Some(Self::Customers),
            _ => None,
        }
    }

    /// What it counts, in words.
    pub fn text(self) -> &'static str {
        match self {
            Self::Units => "units sold",
            Self::Customers => "customers who bought it",
        }
    }
}

/// The longest recommendation list a shop may ask for.
pub const MAX_TOP_N: usize = 100;

impl Settings {
    /// Checks every setting against its allowed range; the error names the setting.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_TOP_N).contains(&self.top_n) {
            return Err(format!(
                "top_n is {}; it must be from 1 to {MAX_TOP_N}",
                self.top_n
            ));
        }
        if !self.popularity_weight.is_finite() || !(-5.0..=5.0).contains(&self.popularity_weight) {
            return Err(format!(
                "popularity_weight is {}; it must be a number from -5 to 5",
                self.popularity_weight
            ));
        }
        if !(1..=MAX_DAYS).contains(&self.popularity_days) {
            return Err(format!(
                "popularity_days is {}; it must be from 1 to {MAX_DAYS} days",
                self.popularity_days
            ));
        }
        Ok(())
    }
}

/// One customer and the personal data held about them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    /// Customer number.
    pub id: CustomerId,
    /// Full name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Street address.
    pub address: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// Date of birth.
    pub birth_date: Option<NaiveDate>,
    /// Gender, as the customer stated it.
    pub gender: Option<String>,
    /// The day the customer record was created.
    pub since: NaiveDate,
    /// How the record was created, e.g. "loyalty card form in shop".
    pub source: String,
    /// Fields that came from somewhere else than the record itself.
    pub field_sources: Vec<FieldSource>,
}

/// Where one field of a customer came from, when it differs from the record's own source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldSource {
    /// The field key (see [`PersonalField`]).
    pub field: PersonalField,
    /// How the value reached the shop.
    pub source: String,
    /// When it was recorded.
    pub recorded_on: NaiveDate,
}

/// A product the shop sells.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// Product number.
    pub id: ProductId,
    /// Name shown to customers.
    pub name: String,
    /// Category, e.g. "coffee".
    pub category: String,
    /// Free tags, e.g. "new", "treat", "gluten-free".
    pub tags: Vec<String>,
    /// Price in minor units of the shop's currency (pence for GBP, whole yen for JPY);
    /// `None` when the shop's files did not say (JSON `null`).
    pub price_cents: Option<i64>,
    /// Units in stock; zero or less means it cannot be recommended.
    /// [`STOCK_NOT_TRACKED`] when the shop's records carry no stock figures.
    pub stock: i64,
    /// Whether people buy it again (bread yes, a cake stand no).
    pub repeatable: bool,
}

/// An order: one visit to the shop or one web order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// Order number.
    pub id: OrderId,
    /// The customer, or `None` for a guest sale.
    pub customer: Option<CustomerId>,
    /// The day of the order.
    pub date: NaiveDate,
    /// Where it was placed, e.g. "in shop", "web".
    pub channel: String,
}

/// One line of an order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderLine {
    /// The order this line belongs to.
    pub order: OrderId,
    /// The product bought.
    pub product: ProductId,
    /// Units; negative for a return.
    pub quantity: i64,
    /// Price paid per unit, in minor units of the shop's currency; `None` when the export
    /// did not say (JSON `null`).
    pub unit_price_cents: Option<i64>,
}

/// Something a customer can consent to, e.g. personalized recommendations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Purpose {
    /// Stable key, e.g. "personalization".
    pub id: String,
    /// Short name.
    pub label: String,
    /// What the customer is agreeing to, in plain words.
    pub description: String,
    /// The personal-data fields this purpose covers: a rule of this purpose may read these
    /// and no others (purpose limitation, GDPR Art. 5(1)(b)).
    #[serde(default)]
    pub fields: Vec<PersonalField>,
    /// When the purpose began to cover each field it was widened to cover; fields it has
    /// covered from the start are not listed. A customer who agreed before agreed to words
    /// that did not cover it (see [`Purpose::covered_when_agreed`]).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub covered_since: std::collections::BTreeMap<PersonalField, DateTime<Utc>>,
}

impl Purpose {
    /// Whether this purpose covers `field`.
    pub fn covers(&self, field: PersonalField) -> bool {
        self.fields.contains(&field)
    }

    /// The first of `fields` that the customer's `grant` of this purpose is not known to
    /// cover: it covers a field the purpose was widened to cover only when Candor recorded
    /// it after the widening, for a decision dated no earlier than its day. A grant whose
    /// recording time or decision day is not known counts as made before.
    pub fn first_agreed_before_covered(
        &self,
        fields: impl IntoIterator<Item = PersonalField>,
        grant: &ConsentEvent,
    ) -> Option<PersonalField> {
        if self.covered_since.is_empty() {
            return None;
        }
        fields.into_iter().find(|field| {
            self.covered_since.get(field).is_some_and(|since| {
                let recorded_after = grant.recorded_at.is_some_and(|t| t > *since);
                let decided_after = grant.decided_on.is_some_and(|d| d >= since.date_naive());
                !(recorded_after && decided_after)
            })
        })
    }
}

/// One consent decision. The current state of a purpose is the decision recorded last
/// (the order of `Shop::consents`, which is the order Candor recorded them in), never the
/// one with the latest date: dates come from exports and pinned days and can disagree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsentEvent {
    /// Whose consent.
    pub customer: CustomerId,
    /// Which purpose.
    pub purpose: String,
    /// Granted (`true`) or withdrawn (`false`).
    pub granted: bool,
    /// The day shown for the decision: the day the customer decided where known, else the
    /// day it was recorded.
    pub at: NaiveDate,
    /// When Candor recorded it (real time, UTC); `None` for decisions recorded before
    /// Candor kept the time of recording.
    #[serde(default)]
    pub recorded_at: Option<DateTime<Utc>>,
    /// The day the customer decided, where the source says so (an export's date, or the
    /// day staff recorded it at the counter); `None` when no source dates it.
    #[serde(default)]
    pub decided_on: Option<NaiveDate>,
    /// How, e.g. "in shop", "web form", "imported".
    pub method: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// The customer's own words, when staff noted them.
    #[serde(default)]
    pub words: Option<String>,
    /// What the customer was shown when they decided: the purpose's description at that
    /// moment (GDPR Art. 7(1)); `None` where Candor did not show it (an import, or a
    /// decision recorded before Candor kept it).
    #[serde(default)]
    pub wording: Option<String>,
}

/// The catalogue entry of one personal-data field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldDef {
    /// Which field.
    pub field: PersonalField,
    /// Group shown in "Data held": identity, contact, demographics, purchase history, consents.
    pub group: String,
    /// Human label.
    pub label: String,
    /// What it is, in plain words.
    pub description: String,
    /// How long it may be kept after the customer's last order, in days.
    pub retention_days: Option<i64>,
    /// A reason to hold it that is not personalization (e.g. "sending receipts"), if any.
    pub kept_for: Option<String>,
    /// Whether it is a sensitive attribute or a likely proxy for one.
    pub sensitive: bool,
}

impl Customer {
    /// Where the value of `field` came from and when it was recorded: its own source,
    /// else the record's (how and when the customer record was made).
    pub fn value_source(&self, field: PersonalField) -> (&str, NaiveDate) {
        self.field_sources
            .iter()
            .find(|s| s.field == field)
            .map_or((self.source.as_str(), self.since), |s| {
                (s.source.as_str(), s.recorded_on)
            })
    }

    /// The value of a plain field as text, or `None` when not held.
    /// `Orders` and `Consents` are records, not values, and return `None`.
    pub fn field_value(&self, field: PersonalField) -> Option<String> {
        match field {
            PersonalField::Name => self.name.clone(),
            PersonalField::Email => self.email.clone(),
            PersonalField::Phone => self.phone.clone(),
            PersonalField::Address => self.address.clone(),
            PersonalField::Postcode => self.postcode.clone(),
            PersonalField::BirthDate => self.birth_date.map(|d| d.to_string()),
            PersonalField::Gender => self.gender.clone(),
            PersonalField::CustomerSince => Some(self.since.to_string()),
            PersonalField::Orders | PersonalField::Consents | PersonalField::Preferences => None,
        }
    }

    /// Whether a plain field is held (without copying its value).
    pub fn holds_field(&self, field: PersonalField) -> bool {
        match field {
            PersonalField::Name => self.name.is_some(),
            PersonalField::Email => self.email.is_some(),
            PersonalField::Phone => self.phone.is_some(),
            PersonalField::Address => self.address.is_some(),
            PersonalField::Postcode => self.postcode.is_some(),
            PersonalField::BirthDate => self.birth_date.is_some(),
            PersonalField::Gender => self.gender.is_some(),
            PersonalField::CustomerSince => true,
            PersonalField::Orders | PersonalField::Consents | PersonalField::Preferences => false,
        }
    }

    /// The name to show, falling back to the customer number.
    pub fn display_name(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("Customer {}", self.id))
    }
}

/// The stock of a product whose shop does not track stock (e.g. imported from an export
/// without stock figures): always available, shown as "not tracked".
pub const STOCK_NOT_TRACKED: i64 = i64::MAX;

/// The tag of a line that is not a product (postage, fees, discounts, vouchers): kept with
/// the orders, counted nowhere as a purchase, never recommended.
pub const NOT_A_PRODUCT_TAG: &str = "not-a-product";

/// The category of a product whose files gave it none (an import without a category
/// column). A reason never names it: "you bought {category}" reads "you bought from us".
pub const NO_CATEGORY: &str = "uncategorised";

/// What a reason says in place of a category that is not known.
pub const NO_CATEGORY_IN_WORDS: &str = "from us";

impl Product {
    /// The price formatted for people in the shop's currency, e.g. "£4.50".
    pub fn price_text(&self, currency: Currency) -> String {
        currency.price_text(self.price_cents)
    }

    /// Whether this is a real product rather than postage, a fee or a discount.
    pub fn is_product(&self) -> bool {
        !self.tags.iter().any(|t| t == NOT_A_PRODUCT_TAG)
    }

    /// Whether it may appear in a recommendation list at all: a product, in stock.
    pub fn recommendable(&self) -> bool {
        self.stock > 0 && self.is_product()
    }

    /// The stock in words: a number, or "not tracked".
    pub fn stock_text(&self) -> String {
        if self.stock == STOCK_NOT_TRACKED {
            "not tracked".to_owned()
        } else {
            self.stock.to_string()
        }
    }
}

/// The fields masked on screen until someone reveals them (and the reveal is logged).
pub const MASKED_FIELDS: [PersonalField; 4] = [
    PersonalField::Email,
    PersonalField::Phone,
    PersonalField::BirthDate,
    PersonalField::Address,
];

/// A value as shown before it is revealed: emails keep their first letter and domain,
/// phones their last three digits, addresses their first character; birth dates are
/// hidden entirely. Other fields are shown as they are.
pub fn masked(field: PersonalField, value: &str) -> String {
    match field {
        PersonalField::Email => mask_email(value),
        PersonalField::Phone => {
            let digits: Vec<char> = value.chars().filter(char::is_ascii_digit).collect();
            let tail: String = digits[digits.len().saturating_sub(3)..].iter().collect();
            format!("••• ••• {tail}")
        }
        PersonalField::BirthDate => "••••-••-••".to_owned(),
        PersonalField::Address => {
            let first: String = value.chars().take(1).collect();
            format!("{first}•••")
        }
        _ => value.to_owned(),
    }
}

/// Masks an email for lists: "jane.doe@example.com" → "j•••@example.com".
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_read_well() {
        assert_eq!(mask_email("jane.doe@example.com"), "j•••@example.com");
        assert_eq!(mask_email("nonsense"), "•••");
    }

    #[test]
    fn field_keys_round_trip() {
        for f in PersonalField::ALL {
            assert_eq!(PersonalField::from_key(f.key()), Some(f));
        }
        assert_eq!(PersonalField::from_key("shoe_size"), None);
    }
}
