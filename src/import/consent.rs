//! Consent answers from an import, decided by stated rules:
//!
//! * Among the files of one import, each customer and purpose gets one answer: the one
//!   with the most recent evidence (its order's date, else its file's export date); on a
//!   tie, the refusal. Files that said otherwise are reported as conflicts.
//! * Against what is on record, an answer is recorded when the customer has no decision
//!   for that purpose, when it withdraws a grant, or when it grants and the export itself
//!   dates that decision after the last one on record. Otherwise it is counted as not
//!   taken: an import never makes an older grant win over a decision already recorded.
//!
//! Pure: no SQL, no files.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::parse::ImportedConsent;
use crate::engine::model::{ConsentEvent, CustomerId, Shop};

/// One file's answer in a conflict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConflictSide {
    /// The file.
    pub file: String,
    /// What it said.
    pub granted: bool,
}

/// Two files of one import that disagree about one customer's consent to one purpose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsentConflict {
    /// The customer's number in the shop.
    pub customer: CustomerId,
    /// The purpose.
    pub purpose: String,
    /// The answer taken.
    pub taken: ConflictSide,
    /// The answer not taken.
    pub not_taken: ConflictSide,
}

/// What the import's consent answers come to.
#[derive(Clone, Debug, Default)]
pub struct ConsentOutcome {
    /// Decisions to record, in the order they are to be recorded.
    pub events: Vec<ConsentEvent>,
    /// Files that disagreed, with the answer taken.
    pub conflicts: Vec<ConsentConflict>,
    /// Answers not recorded, by reason in words.
    pub not_recorded: BTreeMap<String, usize>,
}

const OLDER_GRANT: &str = "a grant in the file, but a later or undated decision already on record (an import never overrides a decision)";

/// Decides which of `answers` to record for `shop`; `customer_of` maps the files' customer
/// keys to the shop's numbers; `now` is the real time, `actor` who imports.
pub fn decide(
    shop: &Shop,
    answers: &[ImportedConsent],
    customer_of: &HashMap<&str, CustomerId>,
    now: DateTime<Utc>,
    actor: &str,
) -> ConsentOutcome {
    let mut out = ConsentOutcome::default();
    let mut grouped: BTreeMap<(CustomerId, &str), Vec<&ImportedConsent>> = BTreeMap::new();
    for a in answers {
        let Some(&id) = customer_of.get(a.customer.as_str()) else {
            continue;
        };
        if !shop.purposes.iter().any(|p| p.id == a.purpose) {
            *out.not_recorded
                .entry(format!("the shop has no purpose \"{}\"", a.purpose))
                .or_default() += 1;
            continue;
        }
        grouped.entry((id, a.purpose.as_str())).or_default().push(a);
    }
    for ((customer, purpose), group) in grouped {
        let winner = strongest(&group);
        out.conflicts
            .extend(conflicts_with(customer, purpose, winner, &group));
        match on_record(shop, customer, purpose, winner) {
            Ok(true) => out.events.push(ConsentEvent {
                customer,
                purpose: purpose.to_owned(),
                granted: winner.granted,
                at: winner.decided_on.unwrap_or_else(|| now.date_naive()),
                recorded_at: Some(now),
                decided_on: winner.decided_on,
                method: format!("imported from {}", winner.source),
                recorded_by: actor.to_owned(),
                words: None,
                wording: None,
            }),
            Ok(false) => {}
            Err(reason) => *out.not_recorded.entry(reason.to_owned()).or_default() += 1,
        }
    }
    out
}

/// The answer with the most recent evidence; on a tie, a refusal; then the first read.
fn strongest<'a>(group: &[&'a ImportedConsent]) -> &'a ImportedConsent {
    let key = |a: &ImportedConsent| (a.evidence, !a.granted);
    let mut best = group[0];
    for a in &group[1..] {
        if key(a) > key(best) {
            best = a;
        }
    }
    best
}

/// One conflict for each other file whose own strongest answer differs from `winner`.
fn conflicts_with(
    customer: CustomerId,
    purpose: &str,
    winner: &ImportedConsent,
    group: &[&ImportedConsent],
) -> Vec<ConsentConflict> {
    let mut by_file: BTreeMap<&str, Vec<&ImportedConsent>> = BTreeMap::new();
    for a in group.iter().filter(|a| a.file != winner.file) {
        by_file.entry(a.file.as_str()).or_default().push(a);
    }
    by_file
        .into_values()
        .map(|answers| strongest(&answers))
        .filter(|a| a.granted != winner.granted)
        .map(|a| ConsentConflict {
            customer,
            purpose: purpose.to_owned(),
            taken: ConflictSide {
                file: winner.file.clone(),
                granted: winner.granted,
            },
            not_taken: ConflictSide {
                file: a.file.clone(),
                granted: a.granted,
            },
        })
        .collect()
}

/// Whether `answer` is to be recorded against the decision on record: `Ok(false)` when
/// it says what is already recorded, `Err` with the reason when it may not be recorded.
fn on_record(
    shop: &Shop,
    customer: CustomerId,
    purpose: &str,
    answer: &ImportedConsent,
) -> Result<bool, &'static str> {
    let Some(current) = shop.current_consent(customer, purpose) else {
        return Ok(true);
    };
    match (current.granted, answer.granted) {
        (same, new) if same == new => Ok(false),
        (true, false) => Ok(true),
        _ => match answer.decided_on {
            Some(day) if day > decision_day(current) => Ok(true),
            _ => Err(OLDER_GRANT),
        },
    }
}

/// The day a recorded decision stands for: when the customer decided, else when Candor
/// recorded it, else the day shown.
fn decision_day(e: &ConsentEvent) -> NaiveDate {
    e.decided_on
        .or_else(|| e.recorded_at.map(|t| t.date_naive()))
        .unwrap_or(e.at)
}
