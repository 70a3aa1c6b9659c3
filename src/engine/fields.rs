//! The personal-data fields a customer record can hold, as every part of the engine names
//! them.

use serde::{Deserialize, Serialize};

/// The longest look-back any setting or rule may ask for: 100 years, in days.
pub const MAX_DAYS: i64 = 36_525;

/// The personal-data fields a customer record can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalField {
    /// Full name.
    Name,
    /// Email address.
    Email,
    /// Phone number.
    Phone,
    /// Street address.
    Address,
    /// Postcode.
    Postcode,
    /// Date of birth.
    BirthDate,
    /// Gender.
    Gender,
    /// The day the customer record was created.
    CustomerSince,
    /// The customer's orders and order lines.
    Orders,
    /// The customer's consent records.
    Consents,
    /// What the customer told the shop they like, do not want, or want left out.
    Preferences,
}

impl PersonalField {
    /// Every field, in display order.
    pub const ALL: [Self; 11] = [
        Self::Name,
        Self::Email,
        Self::Phone,
        Self::Address,
        Self::Postcode,
        Self::BirthDate,
        Self::Gender,
        Self::CustomerSince,
        Self::Orders,
        Self::Consents,
        Self::Preferences,
    ];

    /// The fields that hold one value a person can correct or delete (the rest are the
    /// record's start date, and records: orders and consents). Their keys are also the
    /// customer table's column names.
    pub const VALUES: [Self; 7] = [
        Self::Name,
        Self::Email,
        Self::Phone,
        Self::Address,
        Self::Postcode,
        Self::BirthDate,
        Self::Gender,
    ];

    /// The key used in files, JSON and the database.
    pub fn key(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Address => "address",
            Self::Postcode => "postcode",
            Self::BirthDate => "birth_date",
            Self::Gender => "gender",
            Self::CustomerSince => "customer_since",
            Self::Orders => "orders",
            Self::Consents => "consents",
            Self::Preferences => "preferences",
        }
    }

    /// The field in plain words, as in "the customer's birth date".
    pub fn in_words(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Email => "email address",
            Self::Phone => "phone number",
            Self::Address => "street address",
            Self::Postcode => "postcode",
            Self::BirthDate => "birth date",
            Self::Gender => "gender",
            Self::CustomerSince => "date their account was opened",
            Self::Orders => "purchases",
            Self::Consents => "consent records",
            Self::Preferences => "stated preferences",
        }
    }

    /// "is" or "are", to follow [`Self::in_words`]: "the purchases are kept".
    pub fn is_or_are(self) -> &'static str {
        match self {
            Self::Orders | Self::Consents | Self::Preferences => "are",
            _ => "is",
        }
    }

    /// Fields as stored in files and the database: their keys separated by `;`.
    pub fn list_text(fields: &[Self]) -> String {
        fields.iter().map(|f| f.key()).collect::<Vec<_>>().join(";")
    }

    /// Parses a list written by [`PersonalField::list_text`]; the error is the key that is
    /// not a field.
    pub fn parse_list(text: &str) -> Result<Vec<Self>, String> {
        text.split(';')
            .filter(|k| !k.is_empty())
            .map(|k| Self::from_key(k).ok_or_else(|| k.to_owned()))
            .collect()
    }

    /// Parses a key written by [`PersonalField::key`].
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }
}

/// A personal field's key in words ("birth date" for `birth_date`); a key that is no
/// field reads as itself.
pub fn key_in_words(key: &str) -> String {
    PersonalField::from_key(key).map_or_else(|| key.to_owned(), |f| f.in_words().to_owned())
}
