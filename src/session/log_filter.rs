//! Which audit-log entries to show or export: by who, when, rule, customer and kind. The
//! window's filters and `candor log`'s options are the same filter.

use crate::engine::changes::Change;
use crate::engine::model::CustomerId;
use crate::store::LogEntry;

/// What an audit-log entry is about, for filtering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// A customer's consent decision.
    Consent,
    /// A customer's data corrected or deleted, or two records merged.
    Customer,
    /// A rule changed, added, removed, switched or weighted.
    Rule,
    /// A consent purpose, a retention period or a shop setting.
    Settings,
    /// A product's price, stock, category or tags.
    Product,
    /// An import, or an import taken back.
    Import,
    /// A customer erased, or data past its retention purged.
    Erasure,
    /// A customer's data exported or looked at in full.
    Access,
    /// The owner's passphrase set, or a wrong one given.
    Owner,
}

impl EntryKind {
    /// Every kind, in the order the window lists them.
    pub const ALL: [Self; 9] = [
        Self::Consent,
        Self::Customer,
        Self::Rule,
        Self::Settings,
        Self::Product,
        Self::Import,
        Self::Erasure,
        Self::Access,
        Self::Owner,
    ];

    /// The kind's key, as `candor log --kind` takes it.
    pub fn key(self) -> &'static str {
        match self {
            Self::Consent => "consent",
            Self::Customer => "customer",
            Self::Rule => "rule",
            Self::Settings => "settings",
            Self::Product => "product",
            Self::Import => "import",
            Self::Erasure => "erasure",
            Self::Access => "access",
            Self::Owner => "owner",
        }
    }

    /// The kind with this key, if any.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }

    /// The kind in words, for the window's list.
    pub fn label(self) -> &'static str {
        match self {
            Self::Consent => "Consents and preferences",
            Self::Customer => "Customer data",
            Self::Rule => "Rules",
            Self::Settings => "Purposes, retention and settings",
            Self::Product => "Products",
            Self::Import => "Imports",
            Self::Erasure => "Erasures and purges",
            Self::Access => "Data looked at or exported",
            Self::Owner => "Owner's passphrase",
        }
    }

    fn of_change(change: &Change) -> Self {
        match change {
            Change::Consent { .. } | Change::Preference { .. } => Self::Consent,
            Change::CustomerField { .. }
            | Change::NewCustomer { .. }
            | Change::CustomerRemoved { .. }
            | Change::MergeCustomers { .. }
            | Change::SplitCustomers { .. } => Self::Customer,
            Change::Product { .. } => Self::Product,
            Change::Purpose { .. } | Change::FieldRetention { .. } | Change::Setting { .. } => {
                Self::Settings
            }
            _ => Self::Rule,
        }
    }

    fn of_event(kind: &str) -> Option<Self> {
        Some(match kind {
            "import" | "import_undone" => Self::Import,
            "erasure" | "retention_purge" => Self::Erasure,
            "access_export" | "reveal" | "recommendations_export" | "breach_report" => Self::Access,
            "owner_passphrase_set"
            | "owner_set_up"
            | "owner_passphrase_changed"
            | "owner_reset_with_code"
            | "owner_refused" => Self::Owner,
            _ => return None,
        })
    }

    /// Whether `entry` is of this kind (an entry of several changes can be of several).
    pub fn fits(self, entry: &LogEntry) -> bool {
        entry
            .event
            .as_ref()
            .is_some_and(|e| Self::of_event(&e.kind) == Some(self))
            || (entry.event.as_ref().is_none_or(|e| e.kind != "import")
                && entry
                    .changes
                    .iter()
                    .any(|a| Self::of_change(&a.change) == self))
    }
}

/// The filters: each empty or `None` one lets every entry through.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// Part of who made the entry, in any case.
    pub actor: String,
    /// The start of its date: `2026-11` or `2026-11-23`.
    pub date: String,
    /// Part of the id of a rule it changed.
    pub rule: String,
    /// A customer it is about (a change to them, or an event about them).
    pub customer: Option<CustomerId>,
    /// What it is about.
    pub kind: Option<EntryKind>,
}

impl LogFilter {
    /// Whether `e` passes every filter.
    pub fn matches(&self, e: &LogEntry) -> bool {
        let actor = self.actor.trim().to_lowercase();
        let rule = self.rule.trim().to_lowercase();
        (actor.is_empty() || e.actor.to_lowercase().contains(&actor))
            && (self.date.trim().is_empty() || e.at.starts_with(self.date.trim()))
            && (rule.is_empty()
                || e.changes.iter().any(|a| {
                    a.change
                        .rule_id()
                        .is_some_and(|r| r.to_lowercase().contains(&rule))
                }))
            && self.customer.is_none_or(|c| is_about(e, c))
            && self.kind.is_none_or(|k| k.fits(e))
    }

    /// The filters in words, for a page that lists the entries: "every entry", or
    /// "entries about Amelia Hart, consent decisions".
    pub fn describe(&self, shop: &crate::engine::model::Shop) -> String {
        let mut parts = Vec::new();
        if !self.actor.trim().is_empty() {
            parts.push(format!("by \u{201c}{}\u{201d}", self.actor.trim()));
        }
        if !self.date.trim().is_empty() {
            parts.push(format!("dated {}", self.date.trim()));
        }
        if !self.rule.trim().is_empty() {
            parts.push(format!("changing rule {}", self.rule.trim()));
        }
        if let Some(c) = self.customer {
            parts.push(format!("about {}", shop.customer_name(c)));
        }
        if let Some(k) = self.kind {
            parts.push(k.label().to_lowercase());
        }
        if parts.is_empty() {
            "every entry".to_owned()
        } else {
            format!("entries {}", parts.join(", "))
        }
    }

    /// The entries of `log` that pass, in the log's order.
    pub fn apply<'a>(&self, log: &'a [LogEntry]) -> Vec<&'a LogEntry> {
        log.iter().filter(|e| self.matches(e)).collect()
    }
}

/// Whether entry `e` is about customer `c`: one of its changes is, or its event names them.
fn is_about(e: &LogEntry, c: CustomerId) -> bool {
    e.event.as_ref().is_some_and(|ev| ev.customer == Some(c))
        || e.changes.iter().any(|a| a.change.customers().contains(&c))
}
