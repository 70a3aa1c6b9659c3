//! The use cases, written once: the window and the command line both call these and
//! nothing below them. Each takes a path or a snapshot, does its work through the engine
//! (pure) and the store (the only SQL), and hands back a result or an error, never a
//! default. None of them touches egui; the window runs them on worker threads.
//!
//! * [`shop`]: open, load, index and summarize a shop, and read its audit log.
//! * [`simulate`]: a scenario's lists, impact and audit before and after.
//! * [`apply`]: write a simulated scenario (reusing the simulation), undo, and record
//!   that someone looked at a customer's data.
//! * [`present`]: the pseudonymized shop and log that presenter mode shows.
//!
//! Data-subject rights (access export, erasure, purge) are in [`crate::rights`].

pub mod apply;
pub mod history;
pub mod log_export;
pub mod log_filter;
pub mod log_text;
pub mod outreach;
pub mod present;
pub mod seen_heads;
pub mod shop;
pub mod simulate;

pub use shop::{Loaded, LogState, load_blocking, load_with_progress, read_log};

use crate::engine::changes::ChangeError;
use crate::engine::simulate::SimulateError;
use crate::store::{ApplyError, StoreError};

/// Why a use case could not be carried out. Nothing was written, except where
/// [`SessionError::NotReadBack`] says the write was made.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The write was made and logged, but the shop or its log could not be read back
    /// afterwards: the shop must be opened again to show it.
    #[error(
        "saved and recorded as audit-log entry {entry}, but the shop could not be read back afterwards ({source}); it is opened again"
    )]
    NotReadBack {
        /// The entry that records the write.
        entry: i64,
        /// Why it could not be read back.
        source: Box<SessionError>,
    },
    /// The shop file could not be opened or read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file refused the write (stale, read-only, not the owner, …).
    #[error(transparent)]
    Apply(#[from] ApplyError),
    /// A change cannot be made, or the simulation was cancelled.
    #[error(transparent)]
    Simulate(#[from] SimulateError),
    /// The bundled sample shop could not be read (a training shop's reset).
    #[error("the bundled sample shop could not be read: {0}")]
    Sample(#[from] crate::shopgen::bundle::BundleError),
    /// A simulated undo no longer matches what undoing the entry would do.
    #[error(
        "entry {0} can no longer be undone as it was simulated: simulate its undo again from the audit log"
    )]
    UndoNotAsSimulated(i64),
    /// A simulation the window ran stopped with this message (an error or a crash of its
    /// worker).
    #[error("the simulation did not finish: {0}")]
    WindowSimulation(String),
    /// What was shown could not be written into the audit log.
    #[error("the impact summary could not be recorded: {0}")]
    Record(#[from] serde_json::Error),
}

impl From<ChangeError> for SessionError {
    fn from(e: ChangeError) -> Self {
        Self::Simulate(e.into())
    }
}

impl SessionError {
    /// Whether the file was written by someone else since the simulation: the shop must be
    /// read again and the scenario simulated anew.
    pub fn is_stale(&self) -> bool {
        matches!(
            self,
            Self::Apply(ApplyError::Stale) | Self::NotReadBack { .. }
        )
    }

    /// The error of reading back after the write recorded as `entry`.
    pub(crate) fn read_back(entry: i64) -> impl FnOnce(StoreError) -> Self {
        move |e| Self::NotReadBack {
            entry,
            source: Box::new(e.into()),
        }
    }
}
