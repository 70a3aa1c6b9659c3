//! Applying changes to the shop file: one transaction that checks the file against the
//! snapshot the simulation saw (refusing if it changed since), writes each change, and
//! appends one audit-log entry with who, when, why and every before and after value.

use rusqlite::{Connection, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::chain::LogHead;
use super::error::LoadError;
use super::load::load_shop;
use super::{Store, StoreError};
use crate::engine::changes::{Applied, Change, ChangeContext, ChangeError, apply_all};
use crate::engine::model::Shop;

/// Test hook: milliseconds to wait inside the transaction before committing, so a test
/// can kill the process mid-apply. Unset in normal use.
const PAUSE_ENV: &str = "CANDOR_TEST_PAUSE_BEFORE_COMMIT_MS";

/// Who applies a change and why; both are required.
#[derive(Clone, Debug)]
pub struct Attribution {
    /// Who is applying.
    pub actor: String,
    /// Why.
    pub reason: String,
    /// When, as an RFC 3339 timestamp.
    pub at: String,
}

impl Attribution {
    /// Who and why, now (the real time, UTC).
    pub fn now(actor: &str, reason: &str) -> Self {
        Self {
            actor: actor.trim().to_owned(),
            reason: reason.to_owned(),
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }

    /// When it happens, as a UTC time (the time now if `at` cannot be read).
    pub fn recorded_at(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339(&self.at)
            .map_or_else(|_| chrono::Utc::now(), |t| t.with_timezone(&chrono::Utc))
    }
}

/// One entry of the audit log.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LogEntry {
    /// Entry number.
    pub id: i64,
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub actor: String,
    /// Why.
    pub reason: String,
    /// Each change with its before and after values.
    pub changes: Vec<Applied>,
    /// The impact summary shown when it was applied, if any.
    pub impact: Option<Value>,
    /// The entry this one undoes, if it is an undo.
    pub undoes: Option<i64>,
    /// A data-subject event (an export of someone's data), when the entry records one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<SubjectEvent>,
    /// A change made to the shop outside Candor that Candor found when it wrote this
    /// entry (see [`super::state`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside_change: Option<super::state::OutsideChange>,
    /// Whether a value the entry recorded was deleted from the log since (by an erasure
    /// or a retention purge): the entry reads its placeholder, and cannot be undone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub values_erased: bool,
}

/// Something done with one person's data that must be accountable: exporting it for a
/// subject access request (`access_export`), or erasing it (`erasure`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SubjectEvent {
    /// What was done, e.g. `access_export`.
    pub kind: String,
    /// The customer's number (absent once the customer is erased).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<i64>,
    /// The pseudonymous reference an erasure leaves in place of the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Details, e.g. where the files were written.
    pub detail: String,
    /// Files written at the person's request (an access export's JSON and page).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// The personal values an erasure or purge removed from the log (their ids), so that
    /// checking the log can tell them from values deleted behind Candor's back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub erased_values: Vec<i64>,
}

impl SubjectEvent {
    /// An event of `kind` about `customer` (or about the shop), with its details.
    pub fn new(kind: &str, customer: Option<i64>, detail: String) -> Self {
        Self {
            kind: kind.to_owned(),
            customer,
            reference: None,
            detail,
            files: Vec::new(),
            erased_values: Vec::new(),
        }
    }

    /// Whom it concerns, in words: "customer 4", or the erasure's reference.
    pub fn subject(&self) -> String {
        match (&self.customer, &self.reference) {
            (Some(c), _) => format!("customer {c}"),
            (None, Some(r)) => r.clone(),
            (None, None) if self.is_about_a_customer() => "an erased customer".to_owned(),
            (None, None) => "the shop".to_owned(),
        }
    }

    /// Whether this kind of event is about one customer (whose number is erased with them).
    pub fn is_about_a_customer(&self) -> bool {
        matches!(self.kind.as_str(), "access_export" | "reveal")
    }

    /// What recording it is, in words, for a refusal on a read-only file.
    fn action(&self) -> &'static str {
        match self.kind.as_str() {
            "access_export" | "reveal" => "record who looked at a customer's data",
            "recommendations_export" => "record an export of customers' recommendations",
            "breach_report" => "record a breach report",
            "owner_refused" => "record a refused owner's passphrase",
            "owner_passphrase_set" | "owner_set_up" => "set up the owner",
            "owner_passphrase_changed" | "owner_reset_with_code" => "change the owner's passphrase",
            "owner_signing_key_made" => super::staff::KEY_MADE_ACTION,
            super::staff::STAFF_ADDED => super::staff::ADD_ACTION,
            _ => "record what was done",
        }
    }
}

/// What is stored in the `entry` column.
#[derive(Serialize, Deserialize)]
pub(super) struct EntryBody {
    pub(super) changes: Vec<Applied>,
    pub(super) impact: Option<Value>,
    pub(super) undoes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) event: Option<SubjectEvent>,
    /// Whether the `reason` column holds a seal (see [`super::sealed`]) instead of the text.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) reason_sealed: bool,
    /// Set when the entry is written (see [`append_entry_numbered`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) outside_change: Option<super::state::OutsideChange>,
}

/// Why an apply was refused. Nothing was written in every case.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The file could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A change is invalid.
    #[error("{0}")]
    Invalid(#[from] ChangeError),
    /// Someone else changed the shop after the simulation was computed.
    #[error(
        "the shop was changed by someone else since this simulation was computed; nothing was applied. Recompute the simulation and try again."
    )]
    Stale,
    /// There is nothing to apply.
    #[error("there are no changes to apply; nothing was written")]
    NoChanges,
    /// Actor or reason missing.
    #[error("say who is applying the change and why: {0} is empty")]
    Unattributed(&'static str),
    /// Actor or reason with a character that would act on a screen (a terminal's escape
    /// sequence, a line break), which the log would show to everyone who reads it.
    #[error(
        "the {what} holds an invisible control character or a line break (U+{code:04X}); type it without it. Nothing was written"
    )]
    HiddenInAttribution {
        /// "name" or "reason".
        what: &'static str,
        /// The character's code point.
        code: u32,
    },
    /// The name acting is not on the shop's staff list (or is on it already, when adding).
    #[error("{0}")]
    NotOnStaffList(String),
    /// The customer asked for does not exist.
    #[error("there is no customer number {0} in this shop")]
    NoSuchCustomer(i64),
    /// The owner's passphrase was wrong (the refusal is logged).
    #[error(
        "that is not the owner's passphrase; nothing was done, and the refusal is recorded in the audit log"
    )]
    NotOwner,
    /// Too many wrong passphrases in a row: the next try must wait.
    #[error(
        "too many wrong owner's passphrases in a row: try again in {} (each further wrong one doubles the wait, up to an hour); nothing was checked or done",
        crate::engine::words::count(usize::try_from(*.0).unwrap_or(usize::MAX), "second", "seconds")
    )]
    TryLater(u64),
    /// No owner is set up in this shop yet.
    #[error(
        "this shop has no owner yet, so owner actions are refused: set up the owner first (in the window: \"Set up the owner…\"; on the command line: candor owner --db FILE set)"
    )]
    NoOwner,
    /// The owner's passphrase was removed from the file outside Candor.
    #[error(
        "the owner's passphrase was removed from this shop file outside Candor (the log records the owner being set up on {0}), so owner actions are refused. The owner sets a new passphrase with the recovery code (candor owner --db FILE reset-with-code, or \"Forgot the passphrase?\" in the window), or, if the code was removed too, sets up the owner again (candor owner --db FILE set); the log will record it"
    )]
    OwnerRemoved(String),
    /// The passphrase was removed but the recovery code was not: it resets the owner.
    #[error(
        "the owner's passphrase was removed from this shop file outside Candor (the owner was set up on {0}), but the recovery code is still there: the owner sets a new passphrase with it (candor owner --db FILE reset-with-code, or \"Forgot the passphrase?\" in the window)"
    )]
    UseRecoveryCode(String),
    /// The owner's passphrase hash in the file is not the one Candor set.
    #[error(
        "the owner's passphrase in this shop file is not the one Candor set up on {0}: it was replaced outside Candor, so owner actions are refused. The owner can set it again with the recovery code (candor owner --db FILE reset-with-code, or \"Forgot the passphrase?\" in the window); the log will record it"
    )]
    OwnerReplaced(String),
    /// The file has a passphrase the log does not record being set.
    #[error(
        "this shop file has an owner's passphrase but its audit log holds no record of the owner being set up: entries were removed from the log, or the passphrase was pasted in. Owner actions are refused; the owner can set a new passphrase with the recovery code (candor owner --db FILE reset-with-code, or \"Forgot the passphrase?\" in the window), which the log will record"
    )]
    OwnerUnrecorded,
    /// Setting up an owner where there is one.
    #[error(
        "this shop already has an owner; to change the passphrase, give the current one (candor owner --db FILE change) or the recovery code (candor owner --db FILE reset-with-code)"
    )]
    OwnerAlreadySetUp,
    /// The recovery code given was wrong (the refusal is logged).
    #[error(
        "that is not the owner's recovery code; nothing was changed, and the refusal is recorded in the audit log"
    )]
    WrongRecoveryCode,
    /// The shop has no recovery code (its owner was set up before recovery codes).
    #[error(
        "this shop's owner was set up before Candor made recovery codes, so the passphrase cannot be reset with one; change it with the current passphrase (candor owner --db FILE change), which also makes a recovery code"
    )]
    NoRecoveryCode,
    /// A new passphrase that is too weak, and why.
    #[error("{0}")]
    WeakPassphrase(String),
    /// The stored passphrase hash could not be used.
    #[error("the owner's passphrase could not be checked: {0}")]
    Passphrase(String),
    /// The audit entry asked for does not exist.
    #[error("there is no audit-log entry number {0}")]
    NoSuchEntry(i64),
    /// The entry records something that cannot be undone from the log.
    #[error("entry {0} records {1}, which cannot be undone from the log")]
    NotUndoable(i64, String),
    /// A backup that may not be restored over this shop, and why.
    #[error("{0}; nothing was restored")]
    NotRestored(String),
    /// The shop no longer holds what the entry set: its undo would overwrite a later change.
    #[error("entry {0} cannot be undone: {1}")]
    ChangedSince(i64, String),
    /// The entry was undone already (and that undo stands).
    #[error("entry {0} was already undone by entry {1}; undo entry {1} to make its changes again")]
    AlreadyUndone(i64, i64),
}

/// The snapshot a simulation was computed from, and where the audit log stood when it was
/// read: what an apply checks the file against instead of reading the whole shop again.
#[derive(Clone, Copy)]
pub struct Basis<'a> {
    /// The snapshot.
    pub shop: &'a Shop,
    /// The log's head when the snapshot was read.
    pub head: &'a LogHead,
}

/// What an apply wrote: the entry's number, the shop as it now is, and the log's new head.
#[derive(Debug)]
pub struct Written {
    /// The new audit-log entry's number.
    pub entry: i64,
    /// The shop with the changes made.
    pub shop: Shop,
    /// The log's head after the entry.
    pub head: LogHead,
}

impl Store {
    /// Applies `changes` in one transaction and logs them. With a `basis`, the apply is
    /// refused when anything was written since that snapshot was read (the log's head
    /// moved: another window, an import, an erasure) or when anything the changes read
    /// (the rules and purposes, the customer, their consents, the product, the settings)
    /// differs in the file, which catches a program writing behind Candor's back; the
    /// snapshot is then changed in memory, without reading the whole shop again. Without
    /// one, the shop is read inside the transaction (undo).
    pub fn apply(
        &mut self,
        basis: Option<Basis<'_>>,
        changes: &[Change],
        who: &Attribution,
        impact: Option<Value>,
        undoes: Option<i64>,
    ) -> Result<Written, ApplyError> {
        if changes.is_empty() {
            return Err(ApplyError::NoChanges);
        }
        let path = self.path.clone();
        let sql = |e: rusqlite::Error| ApplyError::Store(StoreError::sqlite(&path, e));
        let merges = changes.iter().any(|c| {
            matches!(
                c,
                Change::MergeCustomers { .. } | Change::SplitCustomers { .. }
            )
        });
        let tx = self.begin_write(who, "apply changes", merges)?;
        let current = match basis {
            Some(basis) => {
                let unchanged = !shop_written_since(&tx, basis.head).map_err(|e| e.at(&path))?
                    && reads_unchanged(&tx, basis.shop, changes).map_err(|e| e.at(&path))?;
                if !unchanged {
                    return Err(ApplyError::Stale);
                }
                basis.shop.clone()
            }
            None => load_shop(&tx).map_err(|e: LoadError| e.at(&path))?,
        };
        if let Some(entry) = undoes {
            let log = read_log(&tx).map_err(|e| e.at(&path))?;
            undo_still_fits(&log, entry, &current)?;
        }
        let ctx = ChangeContext {
            now: who.recorded_at(),
            actor: who.actor.clone(),
        };
        let (next, mut applied) = apply_all(current.clone(), changes, &ctx)?;
        write_changes(&tx, &current, &next, &mut applied).map_err(sql)?;
        let body = EntryBody {
            changes: applied,
            impact,
            undoes,
            event: None,
            reason_sealed: false,
            outside_change: None,
        };
        let id = append_entry(&tx, who, &body).map_err(sql)?;
        let head = super::chain::log_head(&tx).map_err(sql)?;
        if let Some(ms) = std::env::var(PAUSE_ENV).ok().and_then(|v| v.parse().ok()) {
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
        tx.commit().map_err(sql)?;
        Ok(Written {
            entry: id,
            shop: next,
            head,
        })
    }

    /// Starts an attributed write: one immediate transaction, taken before anything is
    /// read, so nobody can write in between.
    /// The shop is first compared with what the newest entry recorded (see
    /// [`super::state`]); `touches_orders` says whether the write may change orders.
    pub(super) fn begin_write(
        &mut self,
        who: &Attribution,
        action: &'static str,
        touches_orders: bool,
    ) -> Result<rusqlite::Transaction<'_>, ApplyError> {
        self.check_writable(who, action)?;
        let path = self.path.clone();
        let sql = |e| ApplyError::Store(StoreError::sqlite(&path, e));
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        super::state::begin(&tx, touches_orders).map_err(sql)?;
        Ok(tx)
    }

    /// Refuses an unattributed write, or any write to a read-only file.
    pub(super) fn check_writable(
        &self,
        who: &Attribution,
        action: &'static str,
    ) -> Result<(), ApplyError> {
        if who.actor.trim().is_empty() {
            return Err(ApplyError::Unattributed("who"));
        }
        if who.reason.trim().is_empty() {
            return Err(ApplyError::Unattributed("why"));
        }
        for (what, text) in [("name", &who.actor), ("reason", &who.reason)] {
            if let Some(c) = crate::engine::words::hidden_in_line(text) {
                return Err(ApplyError::HiddenInAttribution {
                    what,
                    code: u32::from(c),
                });
            }
        }
        if self.read_only {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
                action,
            }
            .into());
        }
        self.check_staff_name(who, action)
    }

    /// Records a data-subject event (who, when, why, what) as one audit-log entry.
    pub fn record_event(
        &mut self,
        who: &Attribution,
        event: SubjectEvent,
    ) -> Result<i64, ApplyError> {
        self.record_event_with(who, event, |_| Ok(()))
    }

    /// Records an event, running `also` in the same transaction first.
    pub(super) fn record_event_with(
        &mut self,
        who: &Attribution,
        event: SubjectEvent,
        also: impl FnOnce(&Connection) -> rusqlite::Result<()>,
    ) -> Result<i64, ApplyError> {
        self.record_event_around(who, event, also, |_, _| Ok(()))
    }

    /// Records an event, running `also` in the same transaction first and `after` (given
    /// the new entry's number) before it commits.
    pub(super) fn record_event_around(
        &mut self,
        who: &Attribution,
        event: SubjectEvent,
        also: impl FnOnce(&Connection) -> rusqlite::Result<()>,
        after: impl FnOnce(&Connection, i64) -> rusqlite::Result<()>,
    ) -> Result<i64, ApplyError> {
        let path = self.path.clone();
        let sql = |e: rusqlite::Error| ApplyError::Store(StoreError::sqlite(&path, e));
        let tx = self.begin_write(who, event.action(), false)?;
        also(&tx).map_err(sql)?;
        let body = EntryBody::event(event);
        let id = append_entry(&tx, who, &body).map_err(sql)?;
        after(&tx, id).map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(id)
    }

    /// Every audit-log entry, oldest first.
    pub fn log(&self) -> Result<Vec<LogEntry>, StoreError> {
        read_log(&self.conn).map_err(|e| e.at(&self.path))
    }

    /// Checks the audit log's hash chain and the shop's contents as they are now against
    /// the newest entry's digest (see [`super::chain`]).
    /// An intact chain is still reported as not intact when the owner's passphrase is one
    /// the log has no record of (the whole log deleted with its head, say).
    pub fn verify_log(&self) -> Result<super::chain::ChainReport, StoreError> {
        self.verify_log_knowing(&self.owner_state()?, super::chain::Contents::Now)
    }

    /// [`Self::verify_log`], with the owner's state already read and as much of the
    /// contents checked as `contents` asks.
    pub fn verify_log_knowing(
        &self,
        owner: &super::OwnerState,
        contents: super::chain::Contents,
    ) -> Result<super::chain::ChainReport, StoreError> {
        let mut report = super::chain::verify(&self.conn, contents)
            .map_err(|e| StoreError::sqlite(&self.path, e))?;
        if report.intact && *owner == super::OwnerState::Unrecorded {
            report.intact = false;
            report.problem = super::OwnerState::Unrecorded.problem();
        }
        Ok(report)
    }

    /// Undoes entry `entry` by applying the inverse of its changes as a new, logged change.
    pub fn undo(&mut self, entry: i64, who: &Attribution) -> Result<Written, ApplyError> {
        match undo_plan(&self.log()?, entry)? {
            UndoPlan::Import(target) => self.undo_import(&target, who),
            UndoPlan::Changes(inverse) => self.apply(None, &inverse, who, None, Some(entry)),
        }
    }
}

/// How an audit-log entry is undone.
#[derive(Clone, Debug, PartialEq)]
pub enum UndoPlan {
    /// The newest import: the shop is restored from the copy kept from before it.
    Import(Box<LogEntry>),
    /// The changes that reverse the entry's, applied (and simulated first) like any other.
    Changes(Vec<Change>),
}

/// How entry `entry` of `log` would be undone, or why it cannot be: an event other than an
/// import, an entry already undone, or a merge with later changes after it.
pub fn undo_plan(log: &[LogEntry], entry: i64) -> Result<UndoPlan, ApplyError> {
    let target = log
        .iter()
        .find(|e| e.id == entry)
        .ok_or(ApplyError::NoSuchEntry(entry))?;
    if target.event.as_ref().is_some_and(|e| e.kind == "import") {
        let latest = log.iter().map(|e| e.id).max().unwrap_or(entry);
        if latest != entry {
            return Err(ApplyError::NotUndoable(
                entry,
                format!(
                    "an import followed by later entries (the newest is {latest}): taking it back would lose them"
                ),
            ));
        }
        return Ok(UndoPlan::Import(Box::new(target.clone())));
    }
    if let Some(by) = target
        .event
        .is_none()
        .then(|| undone_by(log, entry))
        .flatten()
    {
        return Err(ApplyError::AlreadyUndone(entry, by));
    }
    if let Some(what) = not_undoable(log, target) {
        return Err(ApplyError::NotUndoable(entry, what));
    }
    Ok(UndoPlan::Changes(crate::engine::changes::inverse(
        &target.changes,
    )))
}

/// What entry `target` of `log` records that cannot be undone from the log, in words
/// ("a merge of two customer records, once …"); `None` when its inverse can be applied.
fn not_undoable(log: &[LogEntry], target: &LogEntry) -> Option<String> {
    if let Some(event) = &target.event {
        return Some(if event.kind == super::backup::RESTORED {
            "a restore from a backup (restore a later backup instead)".to_owned()
        } else {
            format!(
                "what was done ({}), not a change",
                event.kind.replace('_', " ")
            )
        });
    }
    let any = |f: fn(&Change) -> bool| target.changes.iter().any(|a| f(&a.change));
    if any(|c| {
        c.customers()
            .contains(&crate::engine::model::ERASED_CUSTOMER)
    }) {
        return Some("a change about a customer who was erased since".to_owned());
    }
    if target.values_erased {
        return Some("a change whose recorded values were deleted from the log since (by a retention purge; `candor log --verify` names any other cause), so it cannot be taken back as it was recorded".to_owned());
    }
    let followed = !only_records_after(log, target.id);
    if followed && any(|c| matches!(c, Change::MergeCustomers { .. })) {
        return Some(
            "a merge of two customer records, once other changes were made after it".to_owned(),
        );
    }
    if followed && any(|c| matches!(c, Change::NewCustomer { .. })) {
        return Some(
            "a new customer, once other changes were made after it (erase the customer instead)"
                .to_owned(),
        );
    }
    None
}

/// Refuses to undo entry `entry` of `log` when its undo would overwrite something done
/// after it: a later entry that stands changed the same thing, the shop no longer holds
/// what it set, or an import recorded a later decision. See [`crate::engine::undo_check`].
pub fn undo_still_fits(log: &[LogEntry], entry: i64, shop: &Shop) -> Result<(), ApplyError> {
    use crate::engine::undo_check::{Logged, changed_since};
    let undone = undone_entries(log);
    // An entry after this one whose undo stands, and that undo, cancel out; the standing
    // undo of an entry before this one is a later change like any other.
    let cancelled = |e: &LogEntry| {
        undone.contains_key(&e.id)
            || e.undoes
                .is_some_and(|t| t > entry && undone.get(&t) == Some(&e.id))
    };
    let logged = log
        .iter()
        .map(|e| {
            let at = chrono::DateTime::parse_from_rfc3339(&e.at).map_err(|_| {
                ApplyError::NotUndoable(e.id, format!("a time that cannot be read (\"{}\")", e.at))
            })?;
            Ok(Logged {
                id: e.id,
                at: at.to_utc(),
                changes: &e.changes,
                stands: !cancelled(e),
            })
        })
        .collect::<Result<Vec<_>, ApplyError>>()?;
    let target = (logged.iter())
        .find(|l| l.id == entry)
        .ok_or(ApplyError::NoSuchEntry(entry))?;
    match changed_since(shop, &logged, target) {
        Some(why) => Err(ApplyError::ChangedSince(entry, why)),
        None => Ok(()),
    }
}

/// The entry whose undo of `entry` stands (is not itself undone), if any: an entry undone
/// is not undone again, while undoing its undo makes its changes again.
pub fn undone_by(log: &[LogEntry], entry: i64) -> Option<i64> {
    undone_entries(log).get(&entry).copied()
}

/// Every entry whose undo stands, with the entry that undid it (the newest such).
pub fn undone_entries(log: &[LogEntry]) -> std::collections::HashMap<i64, i64> {
    let mut undone = std::collections::HashMap::new();
    let mut order: Vec<&LogEntry> = log.iter().collect();
    order.sort_by_key(|e| std::cmp::Reverse(e.id));
    // Newest first: whether an undo stands depends only on the entries after it.
    for e in order {
        if let Some(target) = e.undoes
            && !undone.contains_key(&e.id)
        {
            undone.entry(target).or_insert(e.id);
        }
    }
    undone
}

/// Entries that record something without changing the shop's data: an apply computed
/// before them is still current.
const NEUTRAL_EVENTS: [&str; 11] = [
    "staff_added",
    "staff_removed",
    "reveal",
    "breach_report",
    "access_export",
    "recommendations_export",
    "owner_passphrase_set",
    "owner_set_up",
    "owner_passphrase_changed",
    "owner_reset_with_code",
    "owner_refused",
];

/// Whether every entry after `entry` only records something (a reveal, an access export,
/// …) without changing the shop's data: a merge can be taken back only then.
fn only_records_after(log: &[LogEntry], entry: i64) -> bool {
    log.iter().filter(|e| e.id > entry).all(|e| {
        e.changes.is_empty()
            && e.event
                .as_ref()
                .is_some_and(|ev| NEUTRAL_EVENTS.contains(&ev.kind.as_str()))
    })
}

/// Whether the shop's data was written (by Candor: an apply, an import, an erasure, …)
/// since the log stood at `head`, or the log was rewritten since.
fn shop_written_since(conn: &Connection, head: &LogHead) -> Result<bool, LoadError> {
    let now = super::chain::log_head(conn)?;
    if now == *head {
        return Ok(false);
    }
    if now.shop != head.shop {
        // Another shop file is at this path now.
        return Ok(true);
    }
    let Some(bodies) = super::chain::entries_since(conn, head)? else {
        return Ok(true);
    };
    for json in bodies {
        // Read as plain JSON: the personal values in it are sealed.
        let body: Value = serde_json::from_str(&json).map_err(|e| LoadError::Corrupt {
            table: "audit_log",
            row: "an entry after the simulation".to_owned(),
            detail: format!("the entry cannot be read: {e}"),
        })?;
        let neutral = body["changes"].as_array().is_none_or(Vec::is_empty)
            && body["event"]["kind"]
                .as_str()
                .is_some_and(|kind| NEUTRAL_EVENTS.contains(&kind));
        if !neutral {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether everything `changes` read is in the file as it is in `basis`: the settings and
/// purposes always, the rules for a change to them, the field catalogue for a retention
/// change, and each customer's row and consents or each product's row that a change
/// touches.
fn reads_unchanged(conn: &Connection, basis: &Shop, changes: &[Change]) -> Result<bool, LoadError> {
    use super::load;
    if load::load_settings(conn)? != basis.settings || load::load_purposes(conn)? != basis.purposes
    {
        return Ok(false);
    }
    if changes.iter().any(|c| c.rule_id().is_some()) && load::load_rules(conn)? != basis.rules {
        return Ok(false);
    }
    let retention = changes
        .iter()
        .any(|c| matches!(c, Change::FieldRetention { .. }));
    if retention && load::load_fields(conn)? != basis.fields {
        return Ok(false);
    }
    let customer_same = |customer: i64| -> Result<bool, LoadError> {
        let held = |c: &&crate::engine::model::Customer| c.id == customer;
        let events = |e: &&crate::engine::model::ConsentEvent| e.customer == customer;
        let orders = |o: &&crate::engine::model::Order| o.customer == Some(customer);
        Ok(load::customers_where(conn, Some(customer))?
            .iter()
            .eq(basis.customers.iter().filter(held))
            && load::consents_where(conn, Some(customer))?
                .iter()
                .eq(basis.consents.iter().filter(events))
            && load::preferences_where(conn, Some(customer))?
                .iter()
                .eq(basis.preferences.iter().filter(|e| e.customer == customer))
            && load::orders_of(conn, customer)?
                .iter()
                .eq(basis.orders.iter().filter(orders)))
    };
    for change in changes {
        let same = match change {
            Change::Consent { customer, .. }
            | Change::Preference { customer, .. }
            | Change::CustomerField { customer, .. } => customer_same(*customer)?,
            Change::MergeCustomers { customer, from } => {
                customer_same(*customer)? && customer_same(*from)?
            }
            Change::Product { product, .. } => load::products_where(conn, Some(*product))?
                .iter()
                .eq(basis.products.iter().filter(|p| p.id == *product)),
            _ => true,
        };
        if !same {
            return Ok(false);
        }
    }
    Ok(true)
}

impl EntryBody {
    /// The body of an entry that records an event.
    pub(super) fn event(event: SubjectEvent) -> Self {
        Self {
            changes: Vec::new(),
            impact: None,
            undoes: None,
            event: Some(event),
            reason_sealed: false,
            outside_change: None,
        }
    }
}

/// Appends one entry to the audit log and chains it; returns its number. The personal
/// values in it are sealed first (see [`super::sealed`]), so erasure never rewrites it.
pub(super) fn append_entry(
    conn: &Connection,
    who: &Attribution,
    body: &EntryBody,
) -> rusqlite::Result<i64> {
    append_entry_numbered(conn, who, body, None)
}

/// Appends one entry as [`append_entry`] does, numbered at least `at_least` (so a number
/// once used by an entry that was taken back is not given to another).
pub(super) fn append_entry_numbered(
    conn: &Connection,
    who: &Attribution,
    body: &EntryBody,
    at_least: Option<i64>,
) -> rusqlite::Result<i64> {
    let to_sql = |e: serde_json::Error| rusqlite::Error::ToSqlConversionFailure(Box::new(e));
    let mut body = serde_json::to_value(body).map_err(to_sql)?;
    let (outside, state) = super::state::for_entry(conn)?;
    if let Some(outside) = outside {
        body["outside_change"] = serde_json::to_value(outside).map_err(to_sql)?;
    }
    let (json, reason) = seal_entry(conn, body, &who.reason)?;
    conn.execute(
        "INSERT INTO audit_log (id, at, actor, reason, entry, state) VALUES \
         (max(coalesce(?5, 0), (SELECT coalesce(max(id), 0) + 1 FROM audit_log)), ?1, ?2, ?3, ?4, ?6)",
        params![who.at, who.actor, reason, json, at_least, state.to_text()],
    )?;
    let id = conn.last_insert_rowid();
    super::chain::chain_new_entry(conn, id)?;
    super::signing::sign_new_entry(conn, id)?;
    Ok(id)
}

/// An entry's JSON and reason as stored: its personal values sealed, and its reason too
/// when the entry is about anyone.
pub(super) fn seal_entry(
    conn: &Connection,
    mut body: Value,
    reason: &str,
) -> rusqlite::Result<(String, String)> {
    let about = super::sealed::seal_body(conn, &mut body)?;
    let reason = if about.is_empty() {
        reason.to_owned()
    } else {
        body["reason_sealed"] = Value::Bool(true);
        super::sealed::seal_reason(conn, reason, &about)?
    };
    Ok((body.to_string(), reason))
}

/// Seals the personal values of every entry written before the log kept them apart, then
/// re-seals the chain; refused when the log is not intact, which re-sealing would hide.
pub(super) fn seal_existing_entries(
    conn: &Connection,
) -> Result<(), rusqlite_migration::HookError> {
    let report = super::chain::verify(conn, super::chain::Contents::Recorded)?;
    if let Some(problem) = report.problem {
        return Err(rusqlite_migration::HookError::Hook(format!(
            "the audit log is not intact ({problem}), and upgrading it would hide that; restore the file from a backup, or open it with the Candor version that wrote it"
        )));
    }
    let rows: Vec<(i64, String, String)> = conn
        .prepare("SELECT id, reason, entry FROM audit_log ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (id, reason, entry) in rows {
        let body: Value = serde_json::from_str(&entry).map_err(|e| {
            rusqlite_migration::HookError::Hook(format!("audit-log entry {id} cannot be read: {e}"))
        })?;
        let (entry, reason) = seal_entry(conn, body, &reason)?;
        conn.execute(
            "UPDATE audit_log SET entry = ?1, reason = ?2 WHERE id = ?3",
            params![entry, reason, id],
        )?;
    }
    super::chain::rechain_all(conn)?;
    Ok(())
}

fn read_log(conn: &Connection) -> Result<Vec<LogEntry>, LoadError> {
    let values = super::sealed::load_values(conn)?;
    let mut stmt =
        conn.prepare("SELECT id, at, actor, reason, entry FROM audit_log ORDER BY id")?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let json: String = row.get(4)?;
        let corrupt = |e: serde_json::Error| LoadError::Corrupt {
            table: "audit_log",
            row: id.to_string(),
            detail: format!("the entry cannot be read: {e}"),
        };
        let mut opened: Value = serde_json::from_str(&json).map_err(corrupt)?;
        let values_erased = super::sealed::open_body(&mut opened, &values);
        let body: EntryBody = serde_json::from_value(opened).map_err(corrupt)?;
        let reason: String = row.get(3)?;
        out.push(LogEntry {
            id,
            at: row.get(1)?,
            actor: row.get(2)?,
            reason: if body.reason_sealed {
                super::sealed::open_reason(&reason, &values)
            } else {
                reason
            },
            changes: body.changes,
            impact: body.impact,
            undoes: body.undoes,
            event: body.event,
            outside_change: body.outside_change,
            values_erased,
        });
    }
    Ok(out)
}

/// Writes what differs between `before` and `after` for the applied changes.
fn write_changes(
    conn: &Connection,
    before: &Shop,
    after: &Shop,
    applied: &mut [Applied],
) -> rusqlite::Result<()> {
    let touches_rules = applied.iter().any(|a| a.change.rule_id().is_some());
    if touches_rules {
        conn.execute("DELETE FROM rules", [])?;
        super::write::insert_rules(conn, &after.rules)?;
    }
    // New customers first: their consent decisions refer to them.
    for a in applied.iter() {
        if let Change::NewCustomer {
            customer: Some(id), ..
        } = &a.change
        {
            let record = after.customers.iter().filter(|c| c.id == *id);
            super::write::insert_customers(conn, record)?;
        }
    }
    let removed: Vec<i64> = applied
        .iter()
        .filter_map(|a| match a.change {
            Change::CustomerRemoved { customer } => Some(customer),
            _ => None,
        })
        .collect();
    // Events are appended after those kept; a customer taken back takes theirs along.
    let kept = |customer: i64| !removed.contains(&customer);
    // An undone merge takes out the decisions it recorded again; the rest keep their order.
    // (Those of a customer taken back went with them, counted by `kept` already.)
    let restated_taken_out: usize = applied
        .iter()
        .map(|a| match &a.change {
            Change::SplitCustomers {
                customer,
                split: Some(split),
            } if kept(*customer) => split.restated.len(),
            _ => 0,
        })
        .sum();
    let consents_kept =
        before.consents.iter().filter(|e| kept(e.customer)).count() - restated_taken_out;
    let preferences_kept = before
        .preferences
        .iter()
        .filter(|e| kept(e.customer))
        .count();
    super::write::insert_consents(conn, &after.consents[consents_kept..])?;
    super::write::insert_preferences(conn, &after.preferences[preferences_kept..])?;
    super::remember_former_emails(conn, applied)?;
    let touches = |kind: &str| applied.iter().any(|a| a.change.kind() == kind);
    if touches("purpose") {
        super::write::write_purposes(conn, &after.purposes)?;
    }
    if touches("field_retention") {
        super::write::write_retention(conn, &after.fields)?;
    }
    if touches("setting") {
        super::write::write_settings(conn, &after.settings)?;
    }
    for a in applied {
        match &a.change {
            Change::CustomerField { customer, .. } => write_customer(conn, after, *customer)?,
            Change::Product { product, .. } => write_product(conn, after, *product)?,
            Change::MergeCustomers { .. } | Change::SplitCustomers { .. } => {
                super::merge::write(conn, after, a)?;
            }
            Change::CustomerRemoved { customer } => take_back_new_customer(conn, *customer)?,
            _ => {}
        }
    }
    Ok(())
}

/// Deletes a customer added by `new_customer` (its undo), with their consent decisions and
/// preferences, and retires their number (never given again).
fn take_back_new_customer(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    for table in ["consents", "preferences", "field_sources"] {
        conn.execute(&format!("DELETE FROM {table} WHERE customer = ?1"), [id])?;
    }
    conn.execute("DELETE FROM customers WHERE id = ?1", [id])?;
    super::retire_customer_number(conn, id)
}

/// Writes product `id`'s price, stock, category and tags as they are in `shop`.
pub(super) fn write_product(conn: &Connection, shop: &Shop, id: i64) -> rusqlite::Result<()> {
    if let Some(p) = shop.products.iter().find(|p| p.id == id) {
        conn.execute(
            "UPDATE products SET price_cents = ?1, stock = ?2, category = ?3, tags = ?4
             WHERE id = ?5",
            params![p.price_cents, p.stock, p.category, p.tags.join(";"), p.id],
        )?;
    }
    Ok(())
}

pub(super) fn write_customer(conn: &Connection, shop: &Shop, id: i64) -> rusqlite::Result<()> {
    let Some(c) = shop.customers.iter().find(|c| c.id == id) else {
        return Ok(());
    };
    conn.execute(
        "UPDATE customers SET name = ?1, email = ?2, phone = ?3, address = ?4, postcode = ?5,
         birth_date = ?6, gender = ?7 WHERE id = ?8",
        params![
            c.name,
            c.email,
            c.phone,
            c.address,
            c.postcode,
            c.birth_date,
            c.gender,
            c.id
        ],
    )?;
    conn.execute(
        "DELETE FROM field_sources WHERE customer = ?1",
        params![c.id],
    )?;
    for s in &c.field_sources {
        conn.execute(
            "INSERT INTO field_sources (customer, field, source, recorded_on) VALUES (?1, ?2, ?3, ?4)",
            params![c.id, s.field.key(), s.source, s.recorded_on],
        )?;
    }
    Ok(())
}
