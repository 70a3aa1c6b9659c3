//! `simulate` and `apply` from the command line: the use cases in [`crate::session`],
//! the same ones the window's scenario panel runs, plus the terminal's passphrase prompt.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use chrono::NaiveDate;

use crate::engine::ShopIndex;
use crate::engine::audit::AuditConfig;
use crate::engine::changes::Change;
use crate::engine::simulate::{Impact, Progress};
use crate::session::simulate::{Request, simulate};
pub use crate::session::simulate::{SimulationReport, audit_now};
use crate::store::{Attribution, LogHead, Store};

/// Simulates `changes` on the shop behind `index`, with the audit before and after and
/// `customer`'s explanation before and after.
pub fn simulate_report(
    index: ShopIndex,
    head: LogHead,
    changes: &[Change],
    customer: Option<i64>,
) -> Result<SimulationReport> {
    let request = Request {
        basis: Arc::new(index),
        head,
        changes: changes.to_vec(),
        before_lists: None,
        audit_config: AuditConfig::default(),
        audit_before: None,
        relevance_before: None,
    };
    Ok(simulate(request, &Progress::default())?.report(customer))
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
    Ok(crate::session::apply::apply_changes(
        &mut store, changes, &who, today,
    )?)
}

/// Checks the owner's passphrase (environment or prompt) before an owner-only action;
/// a shop without an owner refuses, saying how to set one up.
pub fn owner(store: &mut Store, who: &Attribution, action: &str) -> Result<()> {
    // Refused before asking for a passphrase there is nothing to check against.
    store.require_owner_set_up()?;
    let passphrase = crate::access::passphrase_from_environment(action)?;
    store.check_owner(&passphrase, who, action)?;
    Ok(())
}
