//! What customers told the shop they want: categories or tags they like, products,
//! categories or tags they do not want ("not for me"), and categories whose purchases
//! must not be used to personalize (a gift bought for someone else).
//!
//! A stated preference is personal data with a history, like a consent: every decision is
//! kept, and the one recorded last for a customer and a preference is the one that
//! stands. A "not wanted" preference always holds, whatever the customer consented to:
//! it only ever takes something away.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::{CustomerId, Product, ProductId};

/// The longest category or tag a preference may name.
pub const MAX_LABEL_CHARS: usize = 100;

/// What kind of wish a preference states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreferenceKind {
    /// The customer likes a category or tag.
    Liked,
    /// The customer does not want a product, category or tag recommended.
    NotWanted,
    /// The customer's purchases in a category must not be used to personalize.
    IgnorePurchases,
}

impl PreferenceKind {
    /// Every kind, in the order forms list them.
    pub const ALL: [Self; 3] = [Self::Liked, Self::NotWanted, Self::IgnorePurchases];

    /// The JSON code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Liked => "liked",
            Self::NotWanted => "not_wanted",
            Self::IgnorePurchases => "ignore_purchases",
        }
    }

    /// What the shop does while a preference of this kind stands, told to the customer.
    pub fn effect_to_customer(self) -> &'static str {
        match self {
            Self::NotWanted => "we never suggest it to you.",
            Self::IgnorePurchases => "we do not use those purchases for your suggestions.",
            Self::Liked => "we may suggest products you like more often, where you agreed to it.",
        }
    }

    /// The kind in words, for a form.
    pub fn label(self) -> &'static str {
        match self {
            Self::Liked => "likes",
            Self::NotWanted => "does not want",
            Self::IgnorePurchases => "do not use purchases in",
        }
    }
}

/// What a preference is about: one product, a category or a tag.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum About {
    /// Products of a category.
    Category(String),
    /// Products carrying a tag.
    Tag(String),
    /// One product, by number.
    Product(ProductId),
}

/// One stated preference: `{"kind": "not_wanted", "category": "wine"}`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "PreferenceParts", into = "PreferenceParts")]
pub struct Preference {
    /// The kind of wish.
    pub kind: PreferenceKind,
    /// What it is about.
    pub about: About,
}

/// A preference as JSON and CSV write it: its kind and exactly one of category, tag or
/// product (converting to a [`Preference`] checks that).
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreferenceParts {
    /// The kind of wish.
    pub kind: PreferenceKind,
    /// The category it is about, if it is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The tag it is about, if it is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// The product it is about, if it is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<ProductId>,
}

impl TryFrom<PreferenceParts> for Preference {
    type Error = String;

    fn try_from(j: PreferenceParts) -> Result<Self, String> {
        let about = match (j.category, j.tag, j.product) {
            (Some(c), None, None) => About::Category(c),
            (None, Some(t), None) => About::Tag(t),
            (None, None, Some(p)) => About::Product(p),
            _ => {
                return Err(
                    "a preference names exactly one of \"category\", \"tag\" or \"product\""
                        .to_owned(),
                );
            }
        };
        let preference = Self {
            kind: j.kind,
            about,
        };
        preference.check_shape()?;
        Ok(preference)
    }
}

impl From<Preference> for PreferenceParts {
    fn from(p: Preference) -> Self {
        let (category, tag, product) = match p.about {
            About::Category(c) => (Some(c), None, None),
            About::Tag(t) => (None, Some(t), None),
            About::Product(id) => (None, None, Some(id)),
        };
        Self {
            kind: p.kind,
            category,
            tag,
            product,
        }
    }
}

impl Preference {
    /// Checks what needs no knowledge of the shop: a liked product is not a preference
    /// Candor uses (a category or tag is), purchases are ignored by category, and names
    /// are short and not blank.
    pub fn check_shape(&self) -> Result<(), String> {
        match (&self.kind, &self.about) {
            (PreferenceKind::Liked, About::Product(_)) => {
                return Err(
                    "\"liked\" takes a category or a tag (a liked product is already what they bought)"
                        .to_owned(),
                );
            }
            (PreferenceKind::IgnorePurchases, About::Tag(_) | About::Product(_)) => {
                return Err("\"ignore_purchases\" takes a category".to_owned());
            }
            _ => {}
        }
        if let About::Category(name) | About::Tag(name) = &self.about {
            if name.trim().is_empty() {
                return Err("the category or tag is empty".to_owned());
            }
            if name.chars().count() > MAX_LABEL_CHARS {
                return Err(format!(
                    "the category or tag is longer than {MAX_LABEL_CHARS} characters"
                ));
            }
        }
        Ok(())
    }

    /// Whether the preference is about this product (its number, category or a tag).
    pub fn covers(&self, product: &Product) -> bool {
        match &self.about {
            About::Category(c) => product.category.eq_ignore_ascii_case(c),
            About::Tag(t) => product.tags.iter().any(|x| x.eq_ignore_ascii_case(t)),
            About::Product(id) => product.id == *id,
        }
    }

    /// What the preference is about, in words: "wine", "products tagged “vegan”",
    /// "Rye loaf" (`product_name` names a product).
    pub fn about_text(&self, product_name: impl Fn(ProductId) -> Option<String>) -> String {
        match &self.about {
            About::Category(c) => c.clone(),
            About::Tag(t) => format!("products tagged \u{201c}{t}\u{201d}"),
            About::Product(id) => product_name(*id).unwrap_or_else(|| format!("product {id}")),
        }
    }

    /// The preference as the customer would say it: "loves tea", "does not want wine",
    /// "asked us not to use their purchases in gifts".
    pub fn text(&self, product_name: impl Fn(ProductId) -> Option<String>) -> String {
        let about = self.about_text(product_name);
        match self.kind {
            PreferenceKind::Liked => format!("likes {about}"),
            PreferenceKind::NotWanted => format!("does not want {about}"),
            PreferenceKind::IgnorePurchases => {
                format!("asked us not to use their purchases in {about}")
            }
        }
    }
}

impl Preference {
    /// The preference told back to the customer: "You like tea", "You do not want wine",
    /// "You asked us not to use your purchases in gifts".
    pub fn text_to_customer(&self, product_name: impl Fn(ProductId) -> Option<String>) -> String {
        let about = self.about_text(product_name);
        match self.kind {
            PreferenceKind::Liked => format!("You like {about}"),
            PreferenceKind::NotWanted => format!("You do not want {about}"),
            PreferenceKind::IgnorePurchases => {
                format!("You asked us not to use your purchases in {about}")
            }
        }
    }
}

/// One decision about a preference: stated, or withdrawn. The one recorded last for a
/// customer and a preference stands (the order of `Shop::preferences`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreferenceEvent {
    /// Whose preference.
    pub customer: CustomerId,
    /// What they said.
    pub preference: Preference,
    /// `true` when the customer took it back.
    pub withdrawn: bool,
    /// When Candor recorded it (real time, UTC).
    pub recorded_at: DateTime<Utc>,
    /// Who recorded it.
    pub recorded_by: String,
    /// How it reached the shop, e.g. "at the counter", "preference form", "imported".
    pub method: String,
    /// The customer's own words, when staff noted them.
    #[serde(default)]
    pub words: Option<String>,
    /// For a "not for me" answer to a recommendation: the rules that had lifted the
    /// product (the audit counts answers per rule); empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lifted_by: Vec<String>,
}

/// Whether `preference` stands for `customer` now.
pub fn holds(events: &[PreferenceEvent], customer: CustomerId, preference: &Preference) -> bool {
    events
        .iter()
        .rev()
        .find(|e| e.customer == customer && &e.preference == preference)
        .is_some_and(|e| !e.withdrawn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(customer: CustomerId, category: &str, withdrawn: bool) -> PreferenceEvent {
        PreferenceEvent {
            customer,
            preference: Preference {
                kind: PreferenceKind::NotWanted,
                about: About::Category(category.to_owned()),
            },
            withdrawn,
            recorded_at: DateTime::<Utc>::from_timestamp(0, 0).unwrap(),
            recorded_by: "staff".to_owned(),
            method: "at the counter".to_owned(),
            words: None,
            lifted_by: Vec::new(),
        }
    }

    #[test]
    fn json_names_exactly_one_subject() {
        let p: Preference = serde_json::from_str(r#"{"kind":"not_wanted","tag":"wine"}"#).unwrap();
        assert_eq!(p.about, About::Tag("wine".to_owned()));
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"kind":"not_wanted","tag":"wine"}"#
        );
        for bad in [
            r#"{"kind":"not_wanted"}"#,
            r#"{"kind":"not_wanted","tag":"a","category":"b"}"#,
            r#"{"kind":"liked","product":3}"#,
            r#"{"kind":"ignore_purchases","tag":"gift"}"#,
            r#"{"kind":"liked","category":"  "}"#,
            r#"{"kind":"liked","category":"tea","colour":"red"}"#,
        ] {
            assert!(serde_json::from_str::<Preference>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_decision_recorded_last_stands() {
        let events = vec![
            event(1, "wine", false),
            event(1, "beer", false),
            event(1, "wine", true),
            event(2, "wine", false),
        ];
        assert!(holds(&events, 1, &events[1].preference), "beer stands");
        assert!(!holds(&events, 1, &events[0].preference));
        assert!(holds(&events, 2, &events[0].preference));
        let again = [events.clone(), vec![event(1, "wine", false)]].concat();
        assert!(holds(&again, 1, &events[0].preference));
    }
}
