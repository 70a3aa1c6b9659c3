//! An audit's headline figures before and after a scenario, matched by key, and whether
//! each pair compares like with like: a parity ratio is taken over the groups large
//! enough to compare, so a scenario that takes a group below that size (or brings one
//! above it) changes what the ratio measures, not only its value.

use serde::Serialize;

use super::super::words;
use super::fairness::{GroupingReport, Status};
use super::{Audit, figure_value_text, is_count};

/// One headline figure before and after a scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FigureChange {
    /// Stable key.
    pub key: String,
    /// What it is, in words.
    pub label: String,
    /// Before the scenario.
    pub before: Option<f64>,
    /// After it.
    pub after: Option<f64>,
    /// Status before (parity ratios only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_before: Option<Status>,
    /// Status after (parity ratios only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_after: Option<Status>,
    /// Parity ratios: the groups compared before the scenario and not after it (too
    /// few customers, or none, with the data held).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups_no_longer_compared: Vec<String>,
    /// Parity ratios: the groups compared after the scenario and not before it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups_now_compared: Vec<String>,
    /// Why before and after are not like for like, as a sentence ("By age band, “65 and
    /// over” is no longer compared …"); `None` when they are. A figure with a note gets
    /// no "better" or "worse".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparison_note: Option<String>,
}

impl FigureChange {
    /// Whether the figure is a count (shown without decimals).
    pub fn is_count(&self) -> bool {
        is_count(&self.key)
    }

    /// A value of this figure in words: "0.84", "26", or "not measurable".
    pub fn value_text(&self, v: Option<f64>) -> String {
        figure_value_text(&self.key, v)
    }

    /// For a count of problems (data-minimization counts, rule checks, findings), whether
    /// the scenario makes it worse (`Some(true)`: more problems) or better (`Some(false)`);
    /// `None` when it does not move, the figure is not such a count, or before and after
    /// are not like for like.
    pub fn count_worse(&self) -> Option<bool> {
        match (self.before, self.after) {
            (Some(b), Some(a)) if self.is_count() && a != b && self.comparison_note.is_none() => {
                Some(a > b)
            }
            _ => None,
        }
    }
}

/// Every headline figure before and after, matched by key, each parity ratio with the
/// groups that enter or leave its comparison.
pub fn compare(before: &Audit, after: &Audit) -> Vec<FigureChange> {
    let (b, a) = (before.figures(), after.figures());
    let pair = |key: &str, label: &str, before_value, after_value, status_before, status_after| {
        let moved = compared_groups_moved(before, after, key);
        let note = (moved.as_ref()).and_then(|m| m.note(after.config.min_group_size));
        let (gone, new) = moved.map(|m| (m.gone, m.new)).unwrap_or_default();
        FigureChange {
            key: key.to_owned(),
            label: label.to_owned(),
            before: before_value,
            after: after_value,
            status_before,
            status_after,
            comparison_note: note,
            groups_no_longer_compared: gone,
            groups_now_compared: new,
        }
    };
    let mut out: Vec<FigureChange> = b
        .iter()
        .map(|fb| {
            let fa = a.iter().find(|fa| fa.key == fb.key);
            let (value, status) = (fa.and_then(|f| f.value), fa.and_then(|f| f.status));
            pair(&fb.key, &fb.label, fb.value, value, fb.status, status)
        })
        .collect();
    out.extend(
        a.iter()
            .filter(|fa| !b.iter().any(|fb| fb.key == fa.key))
            .map(|fa| pair(&fa.key, &fa.label, None, fa.value, None, fa.status)),
    );
    note_findings(&mut out);
    out
}

/// The distinct reasons figures are not like for like, in the order they first appear
/// (each figure of a grouping carries its grouping's note).
pub fn comparison_notes(figures: &[FigureChange]) -> Vec<&str> {
    let mut notes: Vec<&str> = Vec::new();
    for note in figures.iter().filter_map(|f| f.comparison_note.as_deref()) {
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    notes
}

/// For a parity figure (`parity:<grouping>:<metric>`), the grouping's name, the groups
/// compared before and not after, and those compared after and not before; `None` for
/// any other figure.
fn compared_groups_moved(before: &Audit, after: &Audit, key: &str) -> Option<GroupsMoved> {
    let grouping = key.strip_prefix("parity:")?.split(':').next()?;
    fn report<'a>(audit: &'a Audit, grouping: &str) -> Option<&'a GroupingReport> {
        audit.fairness.iter().find(|g| g.key == grouping)
    }
    let label = (report(after, grouping).or(report(before, grouping)))?
        .label
        .to_lowercase();
    let compared = |audit: &Audit| -> Vec<String> {
        (report(audit, grouping).iter())
            .flat_map(|g| g.groups.iter().filter(|x| x.eligible))
            .map(|x| x.name.clone())
            .collect()
    };
    Some(GroupsMoved::between(
        label,
        &compared(before),
        &compared(after),
    ))
}

/// The groups that leave or enter one grouping's comparison.
pub struct GroupsMoved {
    /// The grouping's name in lower case: "age band".
    pub grouping: String,
    /// Compared before, not after.
    pub gone: Vec<String>,
    /// Compared after, not before.
    pub new: Vec<String>,
}

impl GroupsMoved {
    /// The groups of `grouping` compared in `was` and not in `is`, and the other way.
    pub fn between(grouping: String, was: &[String], is: &[String]) -> Self {
        let missing = |from: &[String], other: &[String]| -> Vec<String> {
            (from.iter())
                .filter(|name| !other.contains(name))
                .cloned()
                .collect()
        };
        Self {
            gone: missing(was, is),
            new: missing(is, was),
            grouping,
        }
    }

    /// What moved, in clauses: "“65 and over” is no longer compared{why_gone}", "“40–49”
    /// is now compared too"; empty when nothing did.
    pub fn clauses(&self, why_gone: &str) -> Vec<String> {
        let names = |groups: &[String]| {
            let quoted: Vec<String> = groups.iter().map(|g| format!("“{g}”")).collect();
            words::and_list(&quoted)
        };
        let is_are = |groups: &[String]| if groups.len() == 1 { "is" } else { "are" };
        let mut parts = Vec::new();
        if !self.gone.is_empty() {
            let (names, verb) = (names(&self.gone), is_are(&self.gone));
            parts.push(format!("{names} {verb} no longer compared{why_gone}"));
        }
        if !self.new.is_empty() {
            let (names, verb) = (names(&self.new), is_are(&self.new));
            parts.push(format!("{names} {verb} now compared too"));
        }
        parts
    }

    /// Why the figures of this grouping are not like for like, as a sentence; `None` when
    /// the same groups are compared before and after.
    fn note(&self, min_group_size: usize) -> Option<String> {
        let why_gone = format!(
            " (fewer than {} customers with the data held), so the figures after leave {} out",
            words::number(min_group_size),
            if self.gone.len() == 1 { "it" } else { "them" }
        );
        let parts = self.clauses(&why_gone);
        (!parts.is_empty()).then(|| format!("By {}, {}.", self.grouping, parts.join("; ")))
    }
}

/// When any parity figure's groups change, the count of findings is not like for like
/// either: a fairness finding can go because its group is no longer compared.
fn note_findings(figures: &mut [FigureChange]) {
    let groups_moved = figures
        .iter()
        .any(|f| !f.groups_no_longer_compared.is_empty() || !f.groups_now_compared.is_empty());
    if !groups_moved {
        return;
    }
    if let Some(findings) = figures.iter_mut().find(|f| f.key == "findings") {
        findings.comparison_note = Some(
            "Fairness findings can come or go because a group enters or leaves the comparison."
                .to_owned(),
        );
    }
}
