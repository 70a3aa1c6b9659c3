//! The places Candor shows things: one name for each view, used by the window's tabs, the
//! scorecard's "open …" links and the lessons' steps alike.

use serde::{Deserialize, Serialize};

/// The window's main views.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// The ethics scorecard, shown first.
    Scorecard,
    /// The customers table and a customer's page.
    Customers,
    /// The shop's rules and features in words.
    Rules,
    /// The ethics audit.
    Audit,
    /// The audit log: every change applied.
    Log,
}

impl View {
    /// The link that opens it, as a card says it.
    pub fn open_label(self) -> &'static str {
        match self {
            Self::Scorecard => "Open the scorecard",
            Self::Customers => "Open the customers",
            Self::Rules => "Open the rules",
            Self::Audit => "Open the ethics audit",
            Self::Log => "Open the audit log",
        }
    }
}
