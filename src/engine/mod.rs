//! The pure engine: domain types, features, rules, scoring and explanations over an
//! in-memory snapshot of a shop. No SQL and no UI here; every function takes "today"
//! through the [`ShopIndex`] so results are reproducible.

pub mod audit;
pub mod breach;
pub mod changes;
pub mod classes;
pub mod explain;
pub mod feature_values;
pub mod features;
pub mod fields;
pub mod held;
pub mod index;
pub mod merge;
pub mod model;
pub mod money;
pub mod new_customer;
pub mod outreach;
pub mod overview;
pub mod parallel;
pub mod preferences;
pub mod price_band;
pub mod pseudonym;
pub mod purchases;
pub mod ranking;
pub mod relevance;
pub mod rules;
pub mod score;
pub mod scorecard;
pub mod settings_change;
pub mod simulate;
pub mod strict;
pub mod subject;
pub mod together;
pub mod undo_check;
pub mod view;
pub mod words;

pub use explain::{Explanation, explain};
pub use index::ShopIndex;
pub use model::Shop;
pub use score::Scorer;

use std::sync::Arc;

/// Why the engine cannot answer a question.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EngineError {
    /// The customer number is not in the shop.
    #[error("there is no customer number {0} in this shop")]
    NoSuchCustomer(model::CustomerId),
}

/// Explains one customer by number: their top `n` with every contribution.
pub fn explain_customer(
    index: &ShopIndex,
    customer: model::CustomerId,
    n: usize,
) -> Result<Explanation, EngineError> {
    let pos = index
        .customer_pos(customer)
        .ok_or(EngineError::NoSuchCustomer(customer))?;
    Ok(explain(&mut Scorer::new(index), pos, n))
}

/// Builds the index for a snapshot on its own day: the pinned date of a teaching shop,
/// otherwise `today`.
pub fn index_for(shop: Arc<Shop>, today: chrono::NaiveDate) -> ShopIndex {
    let day = shop.settings.pinned_today.unwrap_or(today);
    ShopIndex::new(shop, day)
}
