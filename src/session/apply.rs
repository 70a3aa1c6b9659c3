//! Writing: a simulated scenario in one logged transaction, an undo, and the record that
//! someone looked at a customer's data. Each hands back the shop as it now is.

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;

use super::SessionError;
use super::history::with_audit_figures;
use super::shop::{
    Loaded, LogState, assemble, load_with_progress, log_state_after_write, summarize,
};
use super::simulate::Outcome;
use crate::engine::audit::{AuditConfig, audit};
use crate::engine::changes::Change;
use crate::engine::index_for;
use crate::engine::simulate::{Impact, Progress, simulate};
use crate::store::{Attribution, Basis, Store, SubjectEvent, UndoPlan};

/// A write that succeeded: its audit-log entry and the shop as it now is.
pub struct Done {
    /// The audit-log entry recording it.
    pub entry: i64,
    /// The shop after the write, ready to show.
    pub loaded: Loaded,
}

/// Applies a simulated scenario to the file at `path` in one transaction, logging the
/// impact that was shown. The file is checked against what the simulation saw (refused as
/// stale when it moved on); nothing is computed twice: the lists and the audit after are
/// the simulation's, the log is read and its chain checked once.
pub fn apply(path: &Path, outcome: &Outcome, who: &Attribution) -> Result<Done, SessionError> {
    write_outcome(path, outcome, who, None)
}

/// Applies a simulated undo of audit-log entry `entry` (its changes reversed, simulated
/// like any scenario) and logs it as that entry's undo. Refused when the entry can no longer
/// be undone, or not with the changes that were simulated.
pub fn apply_undo(
    path: &Path,
    outcome: &Outcome,
    entry: i64,
    who: &Attribution,
) -> Result<Done, SessionError> {
    write_outcome(path, outcome, who, Some(entry))
}

fn write_outcome(
    path: &Path,
    outcome: &Outcome,
    who: &Attribution,
    undoes: Option<i64>,
) -> Result<Done, SessionError> {
    let (mut store, _) = Store::open(path)?;
    if let Some(entry) = undoes {
        match crate::store::undo_plan(&store.log()?, entry)? {
            UndoPlan::Changes(changes) if changes == outcome.preview.changes => {}
            _ => return Err(SessionError::UndoNotAsSimulated(entry)),
        }
    }
    let basis = Basis {
        shop: outcome.preview.basis.shop(),
        head: &outcome.preview.head,
    };
    let default = AuditConfig::default();
    let audit = if outcome.audit_config == default {
        Arc::clone(&outcome.audit_after)
    } else {
        Arc::new(audit(
            &outcome.preview.after,
            &outcome.preview.after_lists,
            &default,
        ))
    };
    let impact = with_audit_figures(serde_json::to_value(&outcome.preview.impact)?, &audit)?;
    let written = store.apply(
        Some(basis),
        &outcome.preview.changes,
        who,
        Some(impact),
        undoes,
    )?;
    let log = log_state_after_write(&store).map_err(SessionError::read_back(written.entry))?;
    // The applied snapshot differs from the simulated one only in when and by whom its
    // consent decisions were recorded, which no list or figure reads.
    let index = Arc::new(outcome.preview.basis.for_changed(Arc::new(written.shop)));
    let lists = Arc::clone(&outcome.preview.after_lists);
    let mut loaded = assemble(path, index, written.head, lists, audit, log);
    loaded.read_only = store.is_read_only();
    Ok(Done {
        entry: written.entry,
        loaded,
    })
}

/// Simulates `changes` on the shop in `store` and applies them in one transaction,
/// logging the whole-shop impact and the audit's headline figures after it (the command
/// line's `apply`: one audit, no customer view). Returns the entry's number and the impact.
pub fn apply_changes(
    store: &mut Store,
    changes: &[Change],
    who: &Attribution,
    today: NaiveDate,
) -> Result<(i64, Impact), SessionError> {
    let (shop, head) = store.load_snapshot()?;
    let index = index_for(Arc::new(shop), today);
    let sim = simulate(&index, None, changes, "simulation", &Progress::default())?;
    let after_audit = audit(&sim.after, &sim.after_lists, &AuditConfig::default());
    let impact = Some(with_audit_figures(
        serde_json::to_value(&sim.impact)?,
        &after_audit,
    )?);
    let basis = Basis {
        shop: index.shop(),
        head: &head,
    };
    let written = store.apply(Some(basis), changes, who, impact, None)?;
    Ok((written.entry, sim.impact))
}

/// How entry `entry` of `log` would be undone, or why it cannot be: the log's plan, and,
/// for changes, whether `shop` still holds what the entry set (an undo never overwrites a
/// later change; see [`crate::engine::undo_check`]). The window and `candor undo` ask this
/// before simulating an undo; the store asks it again when writing one.
pub fn undo_plan_for(
    log: &[crate::store::LogEntry],
    entry: i64,
    shop: &crate::engine::model::Shop,
) -> Result<UndoPlan, crate::store::ApplyError> {
    let plan = crate::store::undo_plan(log, entry)?;
    if matches!(plan, UndoPlan::Changes(_)) {
        crate::store::undo_still_fits(log, entry, shop)?;
    }
    Ok(plan)
}

/// Undoes audit-log entry `entry` (a change, or the newest import) as a new, logged
/// change, and reads the shop as it now is.
pub fn undo(
    path: &Path,
    entry: i64,
    who: &Attribution,
    today: NaiveDate,
) -> Result<Done, SessionError> {
    let (mut store, _) = Store::open(path)?;
    let written = store.undo(entry, who)?;
    let log = log_state_after_write(&store).map_err(SessionError::read_back(written.entry))?;
    let mut loaded = summarize(path, written.shop, written.head, log, today, &|_, _| {})?;
    loaded.read_only = store.is_read_only();
    Ok(Done {
        entry: written.entry,
        loaded,
    })
}

/// Where the audit log of the shop at `path` stands now, for the anchor line of a page
/// about to be written.
pub fn current_head(path: &Path) -> Result<crate::store::LogHead, SessionError> {
    Ok(Store::open_for_reading(path)?.0.log_head()?)
}

/// Reads the shop at `path` again after a write made elsewhere (an erasure, a purge).
pub fn reload(path: &Path, today: NaiveDate) -> Result<Loaded, SessionError> {
    load_with_progress(path, today, &|_, _| {})
}

/// Checks the owner's passphrase against the shop at `path`; a wrong one is refused and
/// recorded in the audit log, and a shop without an owner refuses until one is set up.
pub fn check_owner(path: &Path, passphrase: &str, who: &Attribution) -> Result<(), SessionError> {
    let (mut store, _) = Store::open(path)?;
    store.check_owner(passphrase, who, "switching to the owner role")?;
    Ok(())
}

/// What to do with the owner of the shop at [`owner_action`]'s path (no `Debug`: it
/// holds secrets).
#[derive(Clone)]
pub enum OwnerAction {
    /// Set up the first owner with this passphrase.
    SetUp {
        /// The new passphrase.
        passphrase: String,
    },
    /// Change the passphrase, given the current one.
    Change {
        /// The current passphrase.
        current: String,
        /// The new passphrase.
        new: String,
    },
    /// Reset a forgotten passphrase with the recovery code.
    Reset {
        /// The recovery code, as typed.
        code: String,
        /// The new passphrase.
        new: String,
    },
}

/// Sets up, changes or resets the owner of the shop at `path` in one logged transaction,
/// returning the new recovery code (to be shown once: only its hash is kept).
pub fn owner_action(
    path: &Path,
    action: &OwnerAction,
    who: &Attribution,
) -> Result<String, SessionError> {
    let (mut store, _) = Store::open(path)?;
    Ok(match action {
        OwnerAction::SetUp { passphrase } => store.set_up_owner(passphrase, who)?,
        OwnerAction::Change { current, new } => store.change_owner_passphrase(current, new, who)?,
        OwnerAction::Reset { code, new } => store.reset_owner_with_code(code, new, who)?,
    })
}

/// Protects the shop at `path` with a password, changes it, or takes it off, as `change`
/// says, in one logged step (the caller has checked that `who` is the owner).
pub fn change_protection(
    path: &Path,
    change: &crate::store::Protection,
    who: &Attribution,
) -> Result<crate::store::ProtectionDone, SessionError> {
    let (store, _) = Store::open(path)?;
    Ok(store.change_protection(change, who)?)
}

/// Replaces the training shop at `path` by a fresh copy of the bundled sample shop (as
/// `candor sample --out` writes it) and reads it.
pub fn reset_training_shop(path: &Path, today: NaiveDate) -> Result<Loaded, SessionError> {
    let sample = crate::shopgen::sample::sample_shop()?;
    Store::create(path, &sample)?;
    reload(path, today)
}

/// Adds `name` to the shop's staff list (logged as done by `name`), and reads the log as it
/// now is.
pub fn add_staff_name(path: &Path, name: &str) -> Result<LogState, SessionError> {
    let (mut store, _) = Store::open(path)?;
    let entry = store.add_staff_name(name, "added to the staff list")?;
    log_state_after_write(&store).map_err(SessionError::read_back(entry))
}

/// Logs that `who` looked at customer `customer`'s masked data in full, and reads the log
/// as it now is.
pub fn reveal(path: &Path, customer: i64, who: &Attribution) -> Result<LogState, SessionError> {
    let (mut store, _) = Store::open(path)?;
    let event = SubjectEvent::new(
        "reveal",
        Some(customer),
        "email, phone, birth date and address shown in full".to_owned(),
    );
    let entry = store.record_event(who, event)?;
    log_state_after_write(&store).map_err(SessionError::read_back(entry))
}
