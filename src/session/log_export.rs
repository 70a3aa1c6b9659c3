//! The audit log as rows for people and other programs: the CSV file and the printable page
//! that `candor log --csv/--html` and the window's export buttons write.

use serde::Serialize;

use crate::engine::model::Shop;
use crate::store::LogEntry;

/// One audit-log entry as a row: who, when, why, what happened in words, and the values.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogRow {
    /// The entry's number.
    pub entry: i64,
    /// When it was recorded (date and time, UTC).
    pub at: String,
    /// Who made it.
    pub actor: String,
    /// Why, in their words.
    pub reason: String,
    /// What happened, as the window and `candor log` say it.
    pub what: String,
    /// The entry it undoes, if it is an undo.
    pub undoes: Option<i64>,
    /// The entry that undid it, if its undo stands.
    pub undone_by: Option<i64>,
    /// Each change's values before and after, or the event's details.
    pub values: String,
}

/// The rows for the entries `shown` (oldest first), read against the whole `log` (which
/// entry undid which) and the shop's names.
pub fn rows(log: &[LogEntry], shown: &[&LogEntry], shop: &Shop) -> Vec<LogRow> {
    let undone = crate::store::undone_entries(log);
    shown
        .iter()
        .map(|e| LogRow {
            entry: e.id,
            at: e.at.get(..19).unwrap_or(&e.at).replace('T', " "),
            actor: e.actor.clone(),
            reason: e.reason.clone(),
            what: super::log_text::entry_sentence(e, shop),
            undoes: e.undoes,
            undone_by: undone.get(&e.id).copied(),
            values: values(e),
        })
        .collect()
}

fn values(e: &LogEntry) -> String {
    let mut parts: Vec<String> = e
        .changes
        .iter()
        .map(|a| format!("{}: {}", a.change.kind(), a.values_text()))
        .collect();
    if let Some(ev) = e.event.as_ref().filter(|ev| ev.kind != "import") {
        parts.push(ev.detail.clone());
    }
    parts.join("; ")
}

/// The columns of the CSV file, in order.
pub const CSV_COLUMNS: [&str; 8] = [
    "entry",
    "at",
    "actor",
    "reason",
    "what",
    "undoes",
    "undone_by",
    "values",
];

/// The rows as a CSV file (a header row, then one row per entry), for a spreadsheet. A
/// cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-` or `@`) is
/// written with a leading apostrophe, so a reason typed as `=HYPERLINK(…)` stays text.
pub fn csv(rows: &[LogRow]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(CSV_COLUMNS)?;
    let number = |n: Option<i64>| n.map_or_else(String::new, |n| n.to_string());
    for r in rows {
        out.write_record([
            r.entry.to_string(),
            as_text(&r.at),
            as_text(&r.actor),
            as_text(&r.reason),
            as_text(&r.what),
            number(r.undoes),
            number(r.undone_by),
            as_text(&r.values),
        ])?;
    }
    out.into_inner()
        .map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))
}

/// A cell a spreadsheet reads as text, never as a formula.
fn as_text(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::as_text;

    #[test]
    fn a_formula_stays_text() {
        assert_eq!(as_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(as_text("she rang us"), "she rang us");
    }
}
