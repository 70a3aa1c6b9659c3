//! Simulating a scenario: every customer's list after the changes, the whole-shop impact,
//! and the ethics audit before and after. The window keeps the outcome to apply it; the
//! command line prints it.

use std::sync::Arc;

use serde::Serialize;

use crate::engine::ShopIndex;
use crate::engine::audit::{Audit, AuditConfig, FigureChange, audit, compare};
use crate::engine::changes::{Applied, Change};
use crate::engine::explain::Explanation;
use crate::engine::relevance::{
    BacktestConfig, Hindsight, RelevanceChange, RelevanceError, hindsight, rules_before_after,
};
use crate::engine::simulate::{
    Impact, Lists, Progress, SimulateError, all_lists, customer_before_after, simulate as run,
};
use crate::store::LogHead;

/// What to simulate, and what is already known about the shop before it.
pub struct Request {
    /// The snapshot the scenario starts from.
    pub basis: Arc<ShopIndex>,
    /// Where the audit log stood when the snapshot was read.
    pub head: LogHead,
    /// The pending changes, in order.
    pub changes: Vec<Change>,
    /// Every customer's list before, when already computed.
    pub before_lists: Option<Arc<Lists>>,
    /// The audit settings for the before-and-after audit.
    pub audit_config: AuditConfig,
    /// The audit before, when already computed with those settings.
    pub audit_before: Option<Arc<Audit>>,
    /// The rules' relevance before, when already measured on this snapshot.
    pub relevance_before: Option<Arc<Hindsight>>,
}

/// A finished simulation: everything an apply needs to write it and to show the shop
/// afterwards without computing anything again.
pub struct Outcome {
    /// The first part: the snapshot before and after, the changes, every customer's list
    /// before and after, and the whole-shop effect.
    pub preview: Arc<Preview>,
    /// The audit settings both audits used.
    pub audit_config: AuditConfig,
    /// The ethics audit before the scenario.
    pub audit_before: Arc<Audit>,
    /// The ethics audit after it.
    pub audit_after: Arc<Audit>,
    /// Every headline audit figure before and after.
    pub audit_figures: Vec<FigureChange>,
    /// The rules' relevance on the shop's recent orders, before and after.
    pub relevance: RelevanceChange,
    /// What the relevance before was measured on, reused by the next simulation.
    pub relevance_before: Arc<Hindsight>,
}

/// The first part of a simulation: every customer's list after the changes and the
/// whole-shop impact. The window shows it at once (a weight slider follows the drag) while
/// the audit and the relevance before and after are computed from it.
pub struct Preview {
    /// The snapshot it was computed from.
    pub basis: Arc<ShopIndex>,
    /// Where the audit log stood when that snapshot was read (apply refuses once it moved).
    pub head: LogHead,
    /// The changes simulated.
    pub changes: Vec<Change>,
    /// The snapshot after the scenario.
    pub after: Arc<ShopIndex>,
    /// Each change with its before and after values.
    pub applied: Vec<Applied>,
    /// The whole-shop effect.
    pub impact: Impact,
    /// Every customer's list before, reused by the next simulation.
    pub before_lists: Arc<Lists>,
    /// Every customer's list after.
    pub after_lists: Arc<Lists>,
}

/// What the second part of a simulation needs besides the preview: the audit settings and
/// what is already known about the shop before the changes.
pub struct FollowUp {
    /// The audit settings for the before-and-after audit.
    pub audit_config: AuditConfig,
    /// The audit before, when already computed with those settings.
    pub audit_before: Option<Arc<Audit>>,
    /// The rules' relevance before, when already measured on this snapshot.
    pub relevance_before: Option<Arc<Hindsight>>,
}

/// Units of progress a simulation's first part reports (100 % when it is done).
pub fn progress_total(request: &Request) -> usize {
    let customers = request.basis.shop().customers.len();
    if request.before_lists.is_some() {
        customers
    } else {
        2 * customers
    }
}

/// Simulates the request's changes; cancellable through `progress`.
pub fn simulate(request: Request, progress: &Progress) -> Result<Outcome, SimulateError> {
    let (preview, follow_up) = preview(request, progress)?;
    complete(Arc::new(preview), follow_up, progress)
}

/// The first part of a simulation: the lists after the changes and their impact.
pub fn preview(
    request: Request,
    progress: &Progress,
) -> Result<(Preview, FollowUp), SimulateError> {
    let Request {
        basis,
        head,
        changes,
        before_lists,
        audit_config,
        audit_before,
        relevance_before,
    } = request;
    let before_lists = match before_lists {
        Some(lists) => lists,
        None => Arc::new(
            all_lists(&basis, basis.shop().settings.top_n, progress)
                .ok_or(SimulateError::Cancelled)?,
        ),
    };
    let sim = run(&basis, Some(&before_lists), &changes, "scenario", progress)?;
    let preview = Preview {
        basis,
        head,
        changes,
        after: sim.after,
        applied: sim.applied,
        impact: sim.impact,
        before_lists,
        after_lists: Arc::new(sim.after_lists),
    };
    let follow_up = FollowUp {
        audit_config,
        audit_before,
        relevance_before,
    };
    Ok((preview, follow_up))
}

/// The second part of a simulation: the audit before and after and the relevance before
/// and after, from the preview; cancellable through `progress`.
pub fn complete(
    preview: Arc<Preview>,
    follow_up: FollowUp,
    progress: &Progress,
) -> Result<Outcome, SimulateError> {
    let FollowUp {
        audit_config,
        audit_before,
        relevance_before,
    } = follow_up;
    let basis = &preview.basis;
    let cancelled = || progress.cancel.load(std::sync::atomic::Ordering::Relaxed);
    let audit_before = match audit_before.filter(|a| a.config == audit_config) {
        Some(known) => known,
        None => Arc::new(audit(basis, &preview.before_lists, &audit_config)),
    };
    if cancelled() {
        return Err(SimulateError::Cancelled);
    }
    let audit_after = Arc::new(audit(&preview.after, &preview.after_lists, &audit_config));
    if cancelled() {
        return Err(SimulateError::Cancelled);
    }
    let relevance_error = |e| match e {
        RelevanceError::Cancelled => SimulateError::Cancelled,
        other => SimulateError::Relevance(other.to_string()),
    };
    let relevance_before = match relevance_before {
        Some(known) => known,
        None => Arc::new(
            hindsight(basis, &BacktestConfig::default(), progress).map_err(relevance_error)?,
        ),
    };
    let relevance = rules_before_after(basis, &relevance_before, &preview.after, progress)
        .map_err(relevance_error)?;
    Ok(Outcome {
        relevance,
        relevance_before,
        audit_figures: compare(&audit_before, &audit_after),
        preview,
        audit_config,
        audit_before,
        audit_after,
    })
}

/// What `candor simulate --json` prints.
#[derive(Serialize)]
pub struct SimulationReport {
    /// The whole-shop effect.
    #[serde(flatten)]
    pub impact: Impact,
    /// Each change with its before and after values.
    pub changes: Vec<Applied>,
    /// Each change in words, in the same order (the scenario list's wording).
    pub sentences: Vec<String>,
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
    /// The rules' hit rate and NDCG on the last days of orders, before and after.
    pub relevance: RelevanceChange,
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

impl Outcome {
    /// The report of this outcome, with `customer`'s explanation before and after.
    pub fn report(&self, customer: Option<i64>) -> SimulationReport {
        let (before, after) = match customer
            .and_then(|c| customer_before_after(&self.preview.basis, &self.preview.after, c))
        {
            Some((b, a)) => (Some(b), Some(a)),
            None => (None, None),
        };
        SimulationReport {
            impact: self.preview.impact.clone(),
            changes: self.preview.applied.clone(),
            sentences: self
                .preview
                .applied
                .iter()
                .map(|a| a.change.describe(self.preview.basis.shop()))
                .collect(),
            customer,
            before,
            after,
            audit: AuditBeforeAfter {
                figures: self.audit_figures.clone(),
                before: (*self.audit_before).clone(),
                after: (*self.audit_after).clone(),
            },
            relevance: self.relevance.clone(),
        }
    }
}

/// Every customer's list and the audit of them, now.
pub fn audit_now(index: &ShopIndex, config: &AuditConfig) -> Result<Audit, SimulateError> {
    let lists = all_lists(index, index.shop().settings.top_n, &Progress::default())
        .ok_or(SimulateError::Cancelled)?;
    Ok(audit(index, &lists, config))
}
