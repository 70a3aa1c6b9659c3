//! Features: signals derived from a customer's records (how often they visit, their age,
//! what they bought) and from the shop as a whole (popularity). Rules read features;
//! each feature names the personal-data fields it reads.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::fields::PersonalField;

/// A customer-level feature that rule conditions can test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerFeature {
    /// Visits (orders) in the last 365 days.
    OrdersLastYear,
    /// Days since the last visit.
    DaysSinceLastOrder,
    /// Money spent in the last 365 days, in major units of the shop's currency.
    SpendLastYear,
    /// Age in whole years.
    Age,
    /// Days until the next birthday (0 on the day).
    DaysToBirthday,
    /// Days since the customer record was created.
    CustomerForDays,
    /// How many categories and tags the customer told the shop they like (standing).
    Prefers,
}

/// Any feature: a customer feature, or one of the per-product ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FeatureId {
    /// A customer-level feature.
    Customer(CustomerFeature),
    /// Visits on which the customer bought products matching a rule's target.
    PurchasesMatching,
    /// How popular a product is with everyone (not personal).
    Popularity,
}

impl CustomerFeature {
    /// Every customer feature.
    pub const ALL: [Self; 7] = [
        Self::OrdersLastYear,
        Self::DaysSinceLastOrder,
        Self::SpendLastYear,
        Self::Age,
        Self::DaysToBirthday,
        Self::CustomerForDays,
        Self::Prefers,
    ];

    /// The personal-data fields this feature is computed from.
    pub fn fields_read(self) -> &'static [PersonalField] {
        FeatureId::Customer(self).fields()
    }

    /// Short label used in sentences, e.g. "age".
    pub fn label(self) -> &'static str {
        match self {
            Self::OrdersLastYear => "visits in the last year",
            Self::DaysSinceLastOrder => "days since the last visit",
            Self::SpendLastYear => "spend in the last year",
            Self::Age => "age",
            Self::DaysToBirthday => "days to their birthday",
            Self::CustomerForDays => "days as a customer",
            Self::Prefers => "the number of things they told us they like",
        }
    }
}

impl FeatureId {
    /// Stable key used in JSON.
    pub fn key(self) -> &'static str {
        match self {
            Self::Customer(CustomerFeature::OrdersLastYear) => "orders_last_year",
            Self::Customer(CustomerFeature::DaysSinceLastOrder) => "days_since_last_order",
            Self::Customer(CustomerFeature::SpendLastYear) => "spend_last_year",
            Self::Customer(CustomerFeature::Age) => "age",
            Self::Customer(CustomerFeature::DaysToBirthday) => "days_to_birthday",
            Self::Customer(CustomerFeature::CustomerForDays) => "customer_for_days",
            Self::Customer(CustomerFeature::Prefers) => "prefers",
            Self::PurchasesMatching => "purchases_matching",
            Self::Popularity => "popularity",
        }
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Customer(f) => f.label(),
            Self::PurchasesMatching => "matching purchases",
            Self::Popularity => "popularity this month",
        }
    }

    /// What the feature means, for the Rules view.
    pub fn definition(self) -> &'static str {
        match self {
            Self::Customer(CustomerFeature::OrdersLastYear) => {
                "Number of the customer's orders dated in the 365 days up to today."
            }
            Self::Customer(CustomerFeature::DaysSinceLastOrder) => {
                "Days between the customer's most recent order and today."
            }
            Self::Customer(CustomerFeature::SpendLastYear) => {
                "Sum of quantity × unit price over the customer's order lines in the last 365 days."
            }
            Self::Customer(CustomerFeature::Age) => {
                "Whole years between the customer's birth date and today."
            }
            Self::Customer(CustomerFeature::DaysToBirthday) => {
                "Days from today to the customer's next birthday (0 on the day)."
            }
            Self::Customer(CustomerFeature::CustomerForDays) => {
                "Days since the customer record was created."
            }
            Self::Customer(CustomerFeature::Prefers) => {
                "Number of categories and tags the customer told the shop they like (the \
                 decision recorded last about each; taken back ones do not count). A rule \
                 for \"a category (or tag) they like\" reads which ones."
            }
            Self::PurchasesMatching => {
                "Number of the customer's orders within the rule's window that contain a product \
                 matching the rule (same category, same product, a product often bought with \
                 it, or the rule's target)."
            }
            Self::Popularity => {
                "How much the product sold in the shop's popularity window (the units sold, or \
                 the customers who bought it, as the shop's settings say; guest sales included, \
                 returns taken off), divided by the same figure for the best seller. Not \
                 personal data."
            }
        }
    }

    /// What the feature reads about a customer, in the customer's own words, naming the
    /// data it comes from; `None` for what is not about the customer (popularity).
    pub fn in_words(self) -> Option<&'static str> {
        Some(match self {
            Self::Customer(CustomerFeature::OrdersLastYear) => {
                "how often you visited us in the last year"
            }
            Self::Customer(CustomerFeature::DaysSinceLastOrder) => "when you last visited us",
            Self::Customer(CustomerFeature::SpendLastYear) => {
                "what you spent with us in the last year"
            }
            Self::Customer(CustomerFeature::Age) => "your age (from your birth date)",
            Self::Customer(CustomerFeature::DaysToBirthday) => {
                "when your birthday is (from your birth date)"
            }
            Self::Customer(CustomerFeature::CustomerForDays) => "how long you have been a customer",
            Self::Customer(CustomerFeature::Prefers) => "what you told us you like",
            Self::PurchasesMatching => "what you bought from us",
            Self::Popularity => return None,
        })
    }

    /// The personal-data fields the feature reads.
    pub fn fields(self) -> &'static [PersonalField] {
        match self {
            Self::Customer(
                CustomerFeature::OrdersLastYear
                | CustomerFeature::DaysSinceLastOrder
                | CustomerFeature::SpendLastYear,
            )
            | Self::PurchasesMatching => &[PersonalField::Orders],
            Self::Customer(CustomerFeature::Age | CustomerFeature::DaysToBirthday) => {
                &[PersonalField::BirthDate]
            }
            Self::Customer(CustomerFeature::CustomerForDays) => &[PersonalField::CustomerSince],
            Self::Customer(CustomerFeature::Prefers) => &[PersonalField::Preferences],
            Self::Popularity => &[],
        }
    }

    /// Every feature, for the catalogue.
    pub fn all() -> Vec<Self> {
        let mut out: Vec<Self> = CustomerFeature::ALL
            .into_iter()
            .map(Self::Customer)
            .collect();
        out.push(Self::PurchasesMatching);
        out.push(Self::Popularity);
        out
    }
}

/// Age in whole years on a given day.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> i32 {
    let mut age = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Days from `today` to the next birthday; 0 on the birthday itself.
/// People born on 29 February celebrate on 28 February in other years.
pub fn days_to_birthday(birth: NaiveDate, today: NaiveDate) -> i64 {
    let on = |year: i32| {
        NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
            .or_else(|| NaiveDate::from_ymd_opt(year, 2, 28))
    };
    match on(today.year()) {
        Some(this_year) if this_year >= today => (this_year - today).num_days(),
        _ => on(today.year() + 1).map_or(365, |next| (next - today).num_days()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn age_counts_whole_years() {
        assert_eq!(age_on(d(1980, 6, 15), d(2026, 6, 14)), 45);
        assert_eq!(age_on(d(1980, 6, 15), d(2026, 6, 15)), 46);
    }

    #[test]
    fn birthday_distance_wraps_the_year() {
        assert_eq!(days_to_birthday(d(1990, 6, 20), d(2026, 6, 15)), 5);
        assert_eq!(days_to_birthday(d(1990, 6, 15), d(2026, 6, 15)), 0);
        assert_eq!(days_to_birthday(d(1990, 1, 1), d(2026, 12, 31)), 1);
        assert_eq!(days_to_birthday(d(1992, 2, 29), d(2026, 2, 27)), 1);
    }
}
