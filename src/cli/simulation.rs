//! `simulate` and `apply` from the command line: the same engine and store calls as the
//! window's scenario panel.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use chrono::NaiveDate;
use serde::Serialize;

use crate::engine::audit::{Audit, AuditConfig, FigureChange, audit, compare};
use crate::engine::changes::{Applied, Change};
use crate::engine::explain::Explanation;
use crate::engine::simulate::{
    Impact, Progress, SimulateError, all_lists, customer_before_after, simulate,
};
use crate::engine::{ShopIndex, index_for};
use crate::store::{Attribution, Store};

/// What `candor simulate --json` prints.
#[derive(Serialize)]
pub struct SimulationReport {
    /// The whole-shop effect.
    #[serde(flatten)]
    pub impact: Impact,
    /// Each change with its before and after values.
    pub changes: Vec<Applied>,
    /// The customer asked about, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<i64>,
    /// Their explanation before the changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Explanation>,
    /// Their explanation after the changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Explanation>,
    /// The ethics audit before and after the changes.
    pub audit: AuditBeforeAfter,
}

/// The audit before and after a scenario: every headline figure side by side, and
/// both full audits.
#[derive(Serialize)]
pub struct AuditBeforeAfter {
    /// Headline figures (parity ratios, diversity, data-minimization counts), matched.
    pub figures: Vec<FigureChange>,
    /// The full audit before.
    pub before: Audit,
    /// The full audit after.
    pub after: Audit,
}

/// Every customer's list and the audit of them, now.
pub fn audit_now(index: &ShopIndex, config: &AuditConfig) -> Result<Audit> {
    let lists = all_lists(index, index.shop().settings.top_n, &Progress::default())
        .ok_or(SimulateError::Cancelled)?;
    Ok(audit(index, &lists, config))
}

/// Simulates `changes` on the shop behind `index`.
pub fn simulate_report(
    index: &ShopIndex,
    changes: &[Change],
    customer: Option<i64>,
) -> Result<SimulationReport> {
    let progress = Progress::default();
    let before_lists =
        all_lists(index, index.shop().settings.top_n, &progress).ok_or(SimulateError::Cancelled)?;
    let sim = simulate(index, Some(&before_lists), changes, "simulation", &progress)?;
    let config = AuditConfig::default();
    let audit_before = audit(index, &before_lists, &config);
    let audit_after = audit(&sim.after, &sim.after_lists, &config);
    let (before, after) = match customer.and_then(|c| customer_before_after(index, &sim.after, c)) {
        Some((b, a)) => (Some(b), Some(a)),
        None => (None, None),
    };
    Ok(SimulationReport {
        impact: sim.impact,
        changes: sim.applied,
        customer,
        before,
        after,
        audit: AuditBeforeAfter {
            figures: compare(&audit_before, &audit_after),
            before: audit_before,
            after: audit_after,
        },
    })
}

/// Who and why, stamped with the current time.
pub fn attribution(actor: &str, reason: &str) -> Attribution {
    Attribution::now(actor, reason)
}

/// Simulates, then applies in one transaction, logging the impact that was computed
/// (the whole-shop impact only: applying needs no audit or customer view).
pub fn apply(
    db: &Path,
    changes: &[Change],
    actor: &str,
    reason: &str,
    today: NaiveDate,
) -> Result<(i64, Impact)> {
    let (mut store, _) = Store::open(db)?;
    let who = attribution(actor, reason);
    if crate::access::needs_owner(changes) {
        owner(&mut store, &who, "applying changes to the rules")?;
    }
    let shop = store.load()?;
    let index = index_for(Arc::new(shop), today);
    let sim = simulate(&index, None, changes, "simulation", &Progress::default())?;
    let impact = serde_json::to_value(&sim.impact)?;
    let (id, _) = store.apply(Some(index.shop()), changes, &who, Some(impact), None)?;
    Ok((id, sim.impact))
}

/// Checks the owner's passphrase (environment or prompt) before an owner-only action;
/// on a shop without one yet, the passphrase given becomes the owner's.
pub fn owner(store: &mut Store, who: &Attribution, action: &str) -> Result<()> {
    let passphrase = crate::access::passphrase_from_environment(action)?;
    if store.check_owner(&passphrase, who, action)? == crate::store::OwnerCheck::Set {
        eprintln!("The owner's passphrase is now set for this shop.");
    }
    Ok(())
}
