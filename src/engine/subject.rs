//! The right of access: every record a shop holds about one customer, gathered from the
//! snapshot, with the plain-language context a person needs to understand it (where each
//! field came from, why it is held, what uses it, and their current recommendations).

use chrono::NaiveDate;
use serde::Serialize;

use super::explain::Explanation;
use super::held::{Held, HeldLine, HeldOrder, held};
use super::index::ShopIndex;
use super::model::{ConsentEvent, Customer, Purpose};
use super::score::Scorer;

/// Everything held about one customer.
#[derive(Clone, Debug, Serialize)]
pub struct SubjectRecords {
    /// The shop's name.
    pub shop: String,
    /// The currency of every price below (ISO 4217 code); prices are in its minor units.
    pub currency: super::money::Currency,
    /// The day the records describe.
    pub as_of: NaiveDate,
    /// The customer record exactly as stored, with where each field came from.
    pub customer: Customer,
    /// Every field in plain words: value, source, why it is held, what uses it.
    pub held: Held,
    /// Every order with its lines, whatever its date.
    pub orders: Vec<HeldOrder>,
    /// Every consent decision, in recorded order.
    pub consents: Vec<ConsentEvent>,
    /// Every preference they stated or took back, in recorded order.
    pub preferences: Vec<super::preferences::PreferenceEvent>,
    /// What each purpose means.
    pub purposes: Vec<Purpose>,
    /// Their current recommendations, each explained.
    pub recommendations: Explanation,
}

/// Gathers the records of the customer at position `customer`.
pub fn subject_records(index: &ShopIndex, customer: usize) -> SubjectRecords {
    let shop = index.shop();
    let person = &shop.customers[customer];
    let mut lines_of_order = std::collections::HashMap::<i64, Vec<HeldLine>>::new();
    let orders: Vec<(usize, &super::model::Order)> = (shop.orders.iter().enumerate())
        .filter(|(_, o)| o.customer == Some(person.id))
        .collect();
    let wanted: std::collections::HashSet<i64> = orders.iter().map(|(_, o)| o.id).collect();
    for line in shop.lines.iter().filter(|l| wanted.contains(&l.order)) {
        let name = index.product_pos(line.product).map_or_else(
            || format!("product {} (no longer sold)", line.product),
            |p| shop.products[p].name.clone(),
        );
        lines_of_order
            .entry(line.order)
            .or_default()
            .push(HeldLine {
                product: line.product,
                name,
                quantity: line.quantity,
                unit_price_cents: line.unit_price_cents,
            });
    }
    let orders = orders
        .into_iter()
        .map(|(pos, o)| HeldOrder {
            is_return: index.is_return(pos),
            order: o.id,
            date: o.date,
            channel: o.channel.clone(),
            lines: lines_of_order.remove(&o.id).unwrap_or_default(),
        })
        .collect();
    SubjectRecords {
        shop: shop.settings.name.clone(),
        currency: shop.settings.currency,
        as_of: index.today(),
        customer: person.clone(),
        held: held(index, customer),
        orders,
        consents: shop
            .consents
            .iter()
            .filter(|c| c.customer == person.id)
            .cloned()
            .collect(),
        preferences: index
            .preferences_of(customer)
            .map(|e| shop.preferences[e].clone())
            .collect(),
        purposes: shop.purposes.clone(),
        recommendations: super::explain::explain(
            &mut Scorer::new(index),
            customer,
            shop.settings.top_n,
        ),
    }
}
