//! The price bands rules can target, by the quartiles of the shop's own prices.

use serde::{Deserialize, Serialize};

/// Price bands by the quartiles of the shop's own prices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceBand {
    /// Cheapest quarter of products.
    Budget,
    /// The middle half.
    Standard,
    /// Most expensive quarter (top price quartile).
    Premium,
}

impl PriceBand {
    /// The band's name in words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Budget => "budget",
            Self::Standard => "standard",
            Self::Premium => "premium",
        }
    }
}
