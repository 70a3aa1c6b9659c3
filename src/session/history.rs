//! The audit's headline figures over the shop's changes: each applied change keeps the
//! figures of the audit it produced in its log entry (`impact.audit`), so an owner can see
//! whether the shop is getting fairer over time. The last point is the audit of now.

use serde::Serialize;
use serde_json::Value;

use crate::engine::audit::{Audit, Figure, GroupsMoved};
use crate::store::LogEntry;

/// The key under which an applied change's log entry keeps its audit figures.
pub const AUDIT_KEY: &str = "audit";

/// The figures the window charts first and the command line prints: premium parity by
/// age band, catalogue coverage, and the number of findings.
pub const HEADLINE: [&str; 3] = [
    "parity:age_band:premium",
    "diversity:catalogue_coverage",
    "findings",
];

/// The audit figures after one point of the shop's history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryPoint {
    /// The log entry that produced them; `None` for now (the shop as it is).
    pub entry: Option<i64>,
    /// When (RFC 3339), for an entry.
    pub at: Option<String>,
    /// Who applied it, for an entry.
    pub actor: Option<String>,
    /// Why, for an entry.
    pub reason: Option<String>,
    /// Every headline figure of the audit after it.
    pub figures: Vec<Figure>,
}

impl HistoryPoint {
    /// The value of figure `key` at this point, if it was measured.
    pub fn value(&self, key: &str) -> Option<f64> {
        self.figures.iter().find(|f| f.key == key)?.value
    }
}

/// Why figure `key` at `points[i]` is not like for like with the point before: the groups
/// it compares changed ("“65 and over” is no longer compared"); `None` when they did not,
/// for the first point, for a figure that is not a parity ratio, and where either point
/// was logged before Candor kept the groups compared.
pub fn groups_moved(points: &[HistoryPoint], i: usize, key: &str) -> Option<String> {
    if key == "findings" {
        return findings_moved(points, i);
    }
    let groups = |p: &HistoryPoint| {
        (p.figures.iter())
            .find(|f| f.key == key)?
            .groups_compared
            .clone()
    };
    let before = groups(points.get(i.checked_sub(1)?)?)?;
    let now = groups(points.get(i)?)?;
    let parts = GroupsMoved::between(String::new(), &before, &now).clauses("");
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// For the count of findings at `points[i]`: not like for like with the point before when
/// any parity ratio's groups changed between them (a fairness finding can come or go
/// with its group).
fn findings_moved(points: &[HistoryPoint], i: usize) -> Option<String> {
    let parity = (points.get(i)?.figures.iter()).filter(|f| f.groups_compared.is_some());
    let moved = parity
        .map(|f| f.key.as_str())
        .any(|key| groups_moved(points, i, key).is_some());
    moved.then(|| "a group entered or left the fairness comparison".to_owned())
}

/// Adds the after-audit's figures to an impact summary about to be logged.
pub fn with_audit_figures(mut impact: Value, after: &Audit) -> Result<Value, serde_json::Error> {
    if let Value::Object(map) = &mut impact {
        map.insert(AUDIT_KEY.to_owned(), serde_json::to_value(after.figures())?);
    }
    Ok(impact)
}

/// The history: each entry that kept audit figures, oldest first, then the audit of now.
/// An entry whose figures cannot be read is an error, never skipped silently.
pub fn audit_history(
    entries: &[LogEntry],
    now: &Audit,
) -> Result<Vec<HistoryPoint>, serde_json::Error> {
    let mut points = Vec::new();
    for e in entries {
        let Some(figures) = e.impact.as_ref().and_then(|i| i.get(AUDIT_KEY)) else {
            continue;
        };
        points.push(HistoryPoint {
            entry: Some(e.id),
            at: Some(e.at.clone()),
            actor: Some(e.actor.clone()),
            reason: Some(e.reason.clone()),
            figures: serde_json::from_value(figures.clone())?,
        });
    }
    points.push(HistoryPoint {
        entry: None,
        at: None,
        actor: None,
        reason: None,
        figures: now.figures(),
    });
    Ok(points)
}
