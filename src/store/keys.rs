//! The keys imported records had in their files, and the one-way hashes that keep an
//! erased customer from being imported again. A customer's key (their number in another
//! system, or their email) is itself personal data, so it is stored only as a hash: enough
//! to recognize them in the next export, nothing to read back. A phone number is a key
//! too, for records that have no number and no email.
//!
//! Hashes are keyed (HMAC-SHA-256 under a random secret of the shop's own, `k1:` before
//! the hex), so a dictionary of emails or an enumeration of customer numbers built for one
//! shop is useless for another, and nothing can be tested without the secret. Files from
//! before keyed hashes keep their plain SHA-256 hashes (64 hex digits, no prefix): the
//! plain values are gone, so they cannot be re-keyed; both forms are matched.

use std::collections::{HashMap, HashSet};

use hmac::{Hmac, Mac};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

/// The `shop_settings` key holding the shop's secret for keyed hashes (64 hex digits).
pub const SECRET_KEY: &str = "key_hash_secret";

/// What marks a keyed hash (version 1: HMAC-SHA-256).
pub const KEYED_PREFIX: &str = "k1:";

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

/// The plain SHA-256 hash of "kind:key", in hex, as files from before keyed hashes keep
/// it: matched, never written any more.
pub fn legacy_key_hash(kind: KeyKind, key: &str) -> String {
    hex(&Sha256::digest(format!("{}:{key}", kind.name()).as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hashes customers' keys under the shop's secret.
#[derive(Clone, Debug, Default)]
pub struct KeyHasher {
    /// The shop's secret; absent only in a file not yet upgraded (read-only).
    secret: Option<String>,
}

impl KeyHasher {
    /// The hasher of the shop whose connection this is.
    pub fn of(conn: &Connection) -> rusqlite::Result<Self> {
        Ok(Self {
            secret: super::setting(conn, SECRET_KEY)?,
        })
    }

    /// The hash a key is written under: keyed (see the module's notes).
    pub fn hash(&self, kind: KeyKind, key: &str) -> String {
        match &self.secret {
            Some(secret) => {
                let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
                    .expect("HMAC takes a key of any length");
                mac.update(format!("{}:{key}", kind.name()).as_bytes());
                format!("{KEYED_PREFIX}{}", hex(&mac.finalize().into_bytes()))
            }
            None => legacy_key_hash(kind, key),
        }
    }

    /// Every form a key may be stored under: keyed, and plain from older files.
    pub fn forms(&self, kind: KeyKind, key: &str) -> [String; 2] {
        [self.hash(kind, key), legacy_key_hash(kind, key)]
    }

    /// A key as the shop file keeps it: customers' keys hashed (the same hash an erasure
    /// keeps), products' and orders' as they are.
    pub fn stored_key(&self, kind: KeyKind, key: &str) -> String {
        match kind {
            KeyKind::Customer => self.hash(kind, key),
            KeyKind::Product | KeyKind::Order => key.to_owned(),
        }
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
    /// How this shop hashes customers' keys.
    pub hasher: KeyHasher,
}

impl Known {
    /// The shop's number for a customer's key, under either form of its hash.
    pub fn customer(&self, key: &str) -> Option<i64> {
        self.hasher
            .forms(KeyKind::Customer, key)
            .into_iter()
            .find_map(|h| self.keys.get(&(KeyKind::Customer, h)).copied())
    }

    /// Whether a customer's key was erased, under either form of its hash.
    pub fn is_erased(&self, key: &str) -> bool {
        self.hasher
            .forms(KeyKind::Customer, key)
            .iter()
            .any(|h| self.erased.contains(h))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_hashes_differ_between_shops_and_from_the_plain_hash() {
        let one = KeyHasher {
            secret: Some("a".repeat(64)),
        };
        let other = KeyHasher {
            secret: Some("b".repeat(64)),
        };
        let key = "email:ann@example.com";
        let hash = one.hash(KeyKind::Customer, key);
        assert!(hash.starts_with(KEYED_PREFIX), "{hash}");
        assert_eq!(hash.len(), KEYED_PREFIX.len() + 64);
        assert_ne!(hash, other.hash(KeyKind::Customer, key));
        assert_ne!(hash, legacy_key_hash(KeyKind::Customer, key));
        assert_eq!(hash, one.hash(KeyKind::Customer, key), "the same each time");
        assert_eq!(one.stored_key(KeyKind::Order, "shopify:#1"), "shopify:#1");
    }
}
