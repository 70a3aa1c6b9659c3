//! Guided lessons for training sessions: data files of steps, each of which opens a view,
//! says what to look at, asks the trainee to do something and checks that it was done.
//! The format is plain JSON (see the README), so a trainer can write a new lesson without
//! code. No UI here: the window reports what it shows as [`Observed`], and a step's
//! [`Check`] is evaluated against it.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::changes::Change;

/// The lessons that come with Candor, written for the bundled sample shop.
pub const BUNDLED: [(&str, &str); 7] = [
    (
        "01-why-did-i-get-this.json",
        include_str!("../sample-data/lessons/01-why-did-i-get-this.json"),
    ),
    (
        "02-a-rule-that-steers-by-age.json",
        include_str!("../sample-data/lessons/02-a-rule-that-steers-by-age.json"),
    ),
    (
        "03-a-customer-withdraws-consent.json",
        include_str!("../sample-data/lessons/03-a-customer-withdraws-consent.json"),
    ),
    (
        "04-data-we-keep-but-never-use.json",
        include_str!("../sample-data/lessons/04-data-we-keep-but-never-use.json"),
    ),
    (
        "05-a-customer-asks-to-be-erased.json",
        include_str!("../sample-data/lessons/05-a-customer-asks-to-be-erased.json"),
    ),
    (
        "06-a-rule-that-reads-more-than-agreed.json",
        include_str!("../sample-data/lessons/06-a-rule-that-reads-more-than-agreed.json"),
    ),
    (
        "07-a-customer-tells-us-what-they-want.json",
        include_str!("../sample-data/lessons/07-a-customer-tells-us-what-they-want.json"),
    ),
];

/// One lesson.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lesson {
    /// Its title, e.g. "A customer asks: why did I get this?".
    pub title: String,
    /// The principle it teaches and what the trainee will do, in a sentence or two.
    pub about: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// One step of a lesson.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// What to read.
    pub text: String,
    /// Where the window goes when the step starts.
    #[serde(default)]
    pub show: Option<Show>,
    /// What to look at, shown in bold.
    #[serde(default)]
    pub look_at: Option<String>,
    /// What to do.
    #[serde(default)]
    pub task: Option<String>,
    /// How Candor knows the task was done; without it the trainee presses Next.
    #[serde(default)]
    pub done_when: Option<Check>,
}

/// A place in the window.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Show {
    /// The view: scorecard, customers, rules, audit or log.
    #[serde(default)]
    pub view: Option<View>,
    /// A customer to open, by number.
    #[serde(default)]
    pub customer: Option<i64>,
    /// A rule to highlight in the Rules view, by id.
    #[serde(default)]
    pub rule: Option<String>,
}

pub use crate::engine::view::View;

/// What must be true for a step to be done.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Check {
    /// This view is showing.
    View {
        /// The view.
        view: View,
    },
    /// This customer's page is open.
    Customer {
        /// Customer number.
        customer: i64,
    },
    /// This customer's recommendation at this rank is chosen (its Why? is showing).
    Recommendation {
        /// Customer number.
        customer: i64,
        /// 1 for the first.
        rank: usize,
    },
    /// This customer's "Data held" is showing.
    DataHeld {
        /// Customer number.
        customer: i64,
    },
    /// The scenario holds a change with (at least) these fields, as in CHANGES.json.
    Change {
        /// E.g. `{"kind": "rule_enabled", "rule": "premium-for-40-plus", "enabled": false}`.
        change: Value,
    },
    /// The scenario has been simulated (its effect is showing).
    Simulated,
    /// The person has switched to the owner role.
    Owner,
    /// A dialog is open: erase, export, purge, reveal, apply or undo.
    Dialog {
        /// Which.
        dialog: String,
    },
}

/// What the window shows right now, as far as lessons care.
#[derive(Clone, Debug, Default)]
pub struct Observed<'a> {
    /// The view showing.
    pub view: Option<View>,
    /// The customer whose page is open.
    pub customer: Option<i64>,
    /// The rank of the recommendation whose Why? is showing.
    pub recommendation: Option<usize>,
    /// Whether the customer's "Data held" is showing.
    pub data_held: bool,
    /// The scenario's changes.
    pub changes: &'a [Change],
    /// Whether the scenario's effect has been computed.
    pub simulated: bool,
    /// Whether the owner role is on.
    pub owner: bool,
    /// The dialog open, if any.
    pub dialog: Option<&'static str>,
}

impl Check {
    /// Whether the window shows that the step is done.
    pub fn holds(&self, seen: &Observed<'_>) -> bool {
        match self {
            Self::View { view } => seen.view == Some(*view),
            Self::Customer { customer } => seen.customer == Some(*customer),
            Self::Recommendation { customer, rank } => {
                seen.customer == Some(*customer) && seen.recommendation == Some(*rank)
            }
            Self::DataHeld { customer } => seen.customer == Some(*customer) && seen.data_held,
            Self::Change { change } => seen
                .changes
                .iter()
                .any(|c| serde_json::to_value(c).is_ok_and(|actual| contains(&actual, change))),
            Self::Simulated => !seen.changes.is_empty() && seen.simulated,
            Self::Owner => seen.owner,
            Self::Dialog { dialog } => seen.dialog == Some(dialog.as_str()),
        }
    }
}

/// Whether every field of `pattern` is in `actual` with the same value.
fn contains(actual: &Value, pattern: &Value) -> bool {
    match (actual, pattern) {
        (Value::Object(a), Value::Object(p)) => p.iter().all(|(k, v)| {
            a.get(k).is_some_and(|x| contains(x, v)) || (v.is_null() && a.get(k).is_none())
        }),
        _ => actual == pattern,
    }
}

/// Why a lesson file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LessonError {
    /// The file cannot be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a lesson.
    #[error("{file} is not a lesson: {detail}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong, with line and column.
        detail: String,
    },
}

impl Lesson {
    /// Reads a lesson from its JSON text; `file` names it in messages.
    pub fn parse(file: &str, text: &str) -> Result<Self, LessonError> {
        let lesson: Self = serde_json::from_str(text).map_err(|e| LessonError::Invalid {
            file: file.to_owned(),
            detail: e.to_string(),
        })?;
        if lesson.steps.is_empty() {
            return Err(LessonError::Invalid {
                file: file.to_owned(),
                detail: "it has no steps".to_owned(),
            });
        }
        Ok(lesson)
    }

    /// Reads a lesson file.
    pub fn open(path: &Path) -> Result<Self, LessonError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| LessonError::Io {
            file: file.clone(),
            source,
        })?;
        Self::parse(&file, &text)
    }

    /// The bundled lessons.
    pub fn bundled() -> Vec<Self> {
        BUNDLED
            .iter()
            .filter_map(|(file, text)| Self::parse(file, text).ok())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_lesson_reads() {
        for (file, text) in BUNDLED {
            let lesson = Lesson::parse(file, text).expect("bundled lessons are valid");
            assert!(!lesson.steps.is_empty());
        }
    }

    #[test]
    fn a_change_check_matches_the_fields_it_names() {
        let changes = [Change::RuleEnabled {
            rule: "premium-for-40-plus".into(),
            enabled: false,
        }];
        let seen = Observed {
            changes: &changes,
            ..Observed::default()
        };
        let check = |v: Value| Check::Change { change: v }.holds(&seen);
        assert!(check(
            serde_json::json!({"kind": "rule_enabled", "rule": "premium-for-40-plus"})
        ));
        assert!(!check(
            serde_json::json!({"kind": "rule_enabled", "enabled": true})
        ));
        assert!(!check(serde_json::json!({"kind": "consent"})));
    }

    #[test]
    fn a_bad_lesson_names_its_file_and_line() {
        let e =
            Lesson::parse("mine.json", "{\"title\": \"x\",\n \"about\": 3}").expect_err("invalid");
        assert!(
            e.to_string().starts_with("mine.json is not a lesson"),
            "{e}"
        );
        assert!(e.to_string().contains("line 2"), "{e}");
    }
}
