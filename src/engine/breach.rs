//! What a lost or stolen copy of the shop file exposes: the kinds of personal data it
//! held and for how many customers, and every customer to tell, with the way to reach
//! them. The facts a breach report (GDPR Art. 33 and 34) is built from.

use chrono::NaiveDate;
use serde::Serialize;

use super::fields::PersonalField;
use super::model::{Customer, CustomerId, Shop};

/// One kind of personal data the file held.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeldKind {
    /// The field's key (see [`PersonalField::key`]).
    pub field: &'static str,
    /// The field in plain words.
    pub words: &'static str,
    /// How many customers' records hold it.
    pub customers: usize,
    /// Whether the shop marks it as sensitive.
    pub sensitive: bool,
}

/// How a customer can be told.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// By email.
    Email,
    /// By phone or text message (no email address held).
    Phone,
    /// By post (neither email nor phone held).
    Post,
    /// No way to reach them is held: a public notice (Art. 34(3)(c)) reaches them.
    None,
}

impl Channel {
    /// The channel in words.
    pub fn words(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone or text message",
            Self::Post => "post",
            Self::None => "no contact details held",
        }
    }

    fn of(c: &Customer) -> Self {
        if c.email.is_some() {
            Self::Email
        } else if c.phone.is_some() {
            Self::Phone
        } else if c.address.is_some() {
            Self::Post
        } else {
            Self::None
        }
    }
}

/// One customer whose data was in the file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Contact {
    /// Customer number.
    pub customer: CustomerId,
    /// Their name, when held.
    pub name: Option<String>,
    /// How to tell them.
    pub channel: Channel,
    /// Email address, when held.
    pub email: Option<String>,
    /// Phone number, when held.
    pub phone: Option<String>,
    /// Street address, when held.
    pub address: Option<String>,
    /// Postcode, when held.
    pub postcode: Option<String>,
    /// What the file held about them, in words.
    pub held: Vec<&'static str>,
}

/// Everything the file held that a breach report needs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BreachFacts {
    /// The shop's name.
    pub shop: String,
    /// The day the facts were taken.
    pub as_of: NaiveDate,
    /// Whether the shop file is protected with a password (encrypted): filled in by the
    /// store, which alone can tell (a snapshot in memory is never encrypted).
    pub protected: bool,
    /// When the file was last protected, as the audit log records it (a copy made before
    /// then is not protected).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_since: Option<String>,
    /// Customer records in the file.
    pub customers: usize,
    /// Orders in the file (with or without a customer).
    pub orders: usize,
    /// Order lines in the file.
    pub order_lines: usize,
    /// Consent decisions in the file.
    pub consent_decisions: usize,
    /// Each kind of personal data held, with how many customers' records hold it.
    pub held: Vec<HeldKind>,
    /// Every customer whose data was in the file, by number.
    pub to_notify: Vec<Contact>,
    /// How many of them can be reached by each channel, in [`Channel`] order.
    pub by_channel: Vec<(Channel, usize)>,
}

/// What the file held about one customer, in words.
fn held_about(
    c: &Customer,
    orders: usize,
    (consents, preferences): (usize, usize),
) -> Vec<&'static str> {
    let mut held: Vec<&'static str> = PersonalField::VALUES
        .iter()
        .filter(|f| c.holds_field(**f))
        .map(|f| f.in_words())
        .collect();
    held.push(PersonalField::CustomerSince.in_words());
    if orders > 0 {
        held.push(PersonalField::Orders.in_words());
    }
    if consents > 0 {
        held.push(PersonalField::Consents.in_words());
    }
    if preferences > 0 {
        held.push(PersonalField::Preferences.in_words());
    }
    held
}

/// Counts, per customer position, the records that belong to them.
fn per_customer(shop: &Shop, ids: impl Iterator<Item = CustomerId>) -> Vec<usize> {
    let mut counts = vec![0; shop.customers.len()];
    let pos: std::collections::HashMap<CustomerId, usize> = shop
        .customers
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i))
        .collect();
    for id in ids {
        if let Some(&i) = pos.get(&id) {
            counts[i] += 1;
        }
    }
    counts
}

/// The facts about the shop as it is: what a copy of its file would expose.
pub fn breach_facts(shop: &Shop, as_of: NaiveDate) -> BreachFacts {
    let orders = per_customer(shop, shop.orders.iter().filter_map(|o| o.customer));
    let consents = per_customer(shop, shop.consents.iter().map(|e| e.customer));
    let preferences = per_customer(shop, shop.preferences.iter().map(|e| e.customer));
    let held = PersonalField::ALL
        .iter()
        .map(|&field| HeldKind {
            field: field.key(),
            words: field.in_words(),
            customers: match field {
                PersonalField::Orders => orders.iter().filter(|n| **n > 0).count(),
                PersonalField::Consents => consents.iter().filter(|n| **n > 0).count(),
                PersonalField::Preferences => preferences.iter().filter(|n| **n > 0).count(),
                PersonalField::CustomerSince => shop.customers.len(),
                _ => shop
                    .customers
                    .iter()
                    .filter(|c| c.holds_field(field))
                    .count(),
            },
            sensitive: shop.fields.iter().any(|d| d.field == field && d.sensitive),
        })
        .filter(|k| k.customers > 0)
        .collect();
    let to_notify: Vec<Contact> = shop
        .customers
        .iter()
        .enumerate()
        .map(|(pos, c)| Contact {
            customer: c.id,
            name: c.name.clone(),
            channel: Channel::of(c),
            email: c.email.clone(),
            phone: c.phone.clone(),
            address: c.address.clone(),
            postcode: c.postcode.clone(),
            held: held_about(c, orders[pos], (consents[pos], preferences[pos])),
        })
        .collect();
    let by_channel = [Channel::Email, Channel::Phone, Channel::Post, Channel::None]
        .into_iter()
        .map(|ch| (ch, to_notify.iter().filter(|c| c.channel == ch).count()))
        .collect();
    BreachFacts {
        shop: shop.settings.name.clone(),
        as_of,
        protected: false,
        protected_since: None,
        customers: shop.customers.len(),
        orders: shop.orders.len(),
        order_lines: shop.lines.len(),
        consent_decisions: shop.consents.len(),
        held,
        to_notify,
        by_channel,
    }
}
