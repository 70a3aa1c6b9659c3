//! The keys imported records had in their files, and the one-way hashes that keep an
//! erased customer from being imported again. A customer's key (their number in another
//! system, or their email) is itself personal data, so it is stored only as a hash: enough
//! to recognize them in the next export, nothing to read back. A phone number is a key
//! too, for records that have no number and no email.

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};

/// What a key identifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyKind {
    /// A customer ("invoice:17850", "email:ann@example.com").
    Customer,
    /// A product ("invoice:85123A").
    Product,
    /// An order ("shopify:#1001").
    Order,
}

impl KeyKind {
    /// Every kind.
    pub const ALL: [Self; 3] = [Self::Customer, Self::Product, Self::Order];

    /// The name stored in the shop file.
    pub fn name(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Product => "product",
            Self::Order => "order",
        }
    }

    /// Reads a stored name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// The hash kept of an erased record's key: SHA-256 of "kind:key", in hex. It lets a later
/// import recognize the customer without the shop keeping their number or email.
pub fn erased_key_hash(kind: KeyKind, key: &str) -> String {
    let digest = Sha256::digest(format!("{}:{key}", kind.name()).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A key as the shop file keeps it: customers' keys hashed (the same hash an erasure keeps),
/// products' and orders' as they are.
pub fn stored_key(kind: KeyKind, key: &str) -> String {
    match kind {
        KeyKind::Customer => erased_key_hash(kind, key),
        KeyKind::Product | KeyKind::Order => key.to_owned(),
    }
}

/// What the shop file already knows from earlier imports.
#[derive(Clone, Debug, Default)]
pub struct Known {
    /// Keys of customers (as stored: hashed, see [`stored_key`]), products and orders, with
    /// the shop's numbers they became.
    pub keys: HashMap<(KeyKind, String), i64>,
    /// One-way hashes of the keys of erased customers.
    pub erased: HashSet<String>,
    /// The highest customer number ever erased: numbers up to it are never given to a new
    /// customer, so "customer N" never comes to mean someone else.
    pub highest_erased: i64,
}

/// A phone number as a key: its digits (with a leading "+" kept), when it has enough of
/// them to be a phone number and is not a placeholder (0000000000, 12345678); spaces,
/// dashes and brackets do not make another number.
pub fn phone_key(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let plus = if phone.trim_start().starts_with('+') {
        "+"
    } else {
        ""
    };
    let placeholder = digits.bytes().all(|b| b == digits.as_bytes()[0])
        || "01234567890123456789".contains(&digits)
        || "98765432109876543210".contains(&digits);
    (digits.len() >= MIN_PHONE_DIGITS && !placeholder).then(|| format!("{plus}{digits}"))
}

/// The fewest digits a phone number has (shorter ones are extensions or placeholders and
/// would match strangers).
const MIN_PHONE_DIGITS: usize = 8;
