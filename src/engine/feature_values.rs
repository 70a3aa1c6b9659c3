//! Computing a customer's features from the shop's records (the vocabulary is in
//! [`super::features`]).

use chrono::NaiveDate;

use super::features::{CustomerFeature, age_on, days_to_birthday};
use super::index::ShopIndex;

impl CustomerFeature {
    /// Computes the feature for one customer, or `None` when the data it needs is not held.
    pub fn value(self, index: &ShopIndex, customer: usize, today: NaiveDate) -> Option<f64> {
        let shop = index.shop();
        let c = &shop.customers[customer];
        let year_ago = today - chrono::Duration::days(365);
        // Every order counts for a customer who uses all their purchases: read the days.
        let days = (!index.ignores_purchases(customer)).then(|| index.order_days(customer));
        match self {
            Self::OrdersLastYear if let Some(days) = days => {
                Some((days.len() - days.partition_point(|&d| d <= year_ago)) as f64)
            }
            Self::DaysSinceLastOrder if let Some(days) = days => {
                days.last().map(|&d| (today - d).num_days() as f64)
            }
            Self::OrdersLastYear => Some(
                index
                    .orders_used(customer)
                    .filter(|&o| shop.orders[o].date > year_ago)
                    .count() as f64,
            ),
            Self::DaysSinceLastOrder => index
                .orders_used(customer)
                .map(|o| shop.orders[o].date)
                .max()
                .map(|d| (today - d).num_days() as f64),
            // Not known when any line of the year has no price: a sum of the rest would
            // understate it.
            Self::SpendLastYear => {
                let cents: Option<i64> = index
                    .orders_used(customer)
                    .filter(|&o| shop.orders[o].date > year_ago)
                    .flat_map(|o| index.lines_used(customer, o))
                    .map(|l| Some(shop.lines[l].quantity * shop.lines[l].unit_price_cents?))
                    .sum();
                cents.map(|c| shop.settings.currency.to_major(c))
            }
            Self::Age => c.birth_date.map(|b| f64::from(age_on(b, today))),
            Self::DaysToBirthday => c.birth_date.map(|b| days_to_birthday(b, today) as f64),
            Self::CustomerForDays => Some((today - c.since).num_days() as f64),
            Self::Prefers => Some(index.liked_of(customer).count() as f64),
        }
    }
}
