//! Opening a shop: read the snapshot and the audit log, index it, recommend for every
//! customer, audit, and summarize for the window's tables and the scorecard.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;

use super::SessionError;
use crate::engine::audit::{Audit, AuditConfig, audit};
use crate::engine::overview::{CustomerRow, RuleRow, customer_rows, rule_rows};
use crate::engine::scorecard::{Card, Records, scorecard};
use crate::engine::simulate::{Lists, Progress, SimulateError, all_lists};
use crate::engine::{Shop, ShopIndex, index_for};
use crate::store::OwnerState;
use crate::store::chain::Contents;
use crate::store::{LogEntry, LogHead, Store, StoreError};

/// A shop ready to show.
pub struct Loaded {
    /// The file.
    pub path: PathBuf,
    /// Opened read-only.
    pub read_only: bool,
    /// Backup written before an upgrade, if any.
    pub backup: Option<PathBuf>,
    /// The snapshot and its index.
    pub index: Arc<ShopIndex>,
    /// Where the audit log stood when the snapshot was read: an apply from this snapshot
    /// is refused once it has moved.
    pub head: LogHead,
    /// Customers table rows.
    pub rows: Vec<CustomerRow>,
    /// Rules with their reach.
    pub rules: Vec<RuleRow>,
    /// Every customer's recommendations.
    pub lists: Arc<Lists>,
    /// The ethics audit of those recommendations, with the default configuration.
    pub audit: Arc<Audit>,
    /// The ethics scorecard.
    pub scorecard: Vec<Card>,
    /// The audit log as read with the snapshot (pseudonymized in presenter mode).
    pub log: LogState,
    /// Set in presenter mode: the snapshot holds pseudonyms, and this replaces real values
    /// in free text (the audit log) the same way. Nothing is written while it is set.
    pub pseudonyms: Option<Arc<crate::engine::pseudonym::Pseudonyms>>,
}

/// The audit log as last read, and what the scorecard needs to know about it: read once,
/// its chain checked once.
#[derive(Clone, Debug, Default)]
pub struct LogState {
    /// Every entry, oldest first.
    pub entries: Vec<LogEntry>,
    /// The shop's staff list (names people act under); empty when it keeps none.
    pub staff_names: Vec<String>,
    /// The owner's public signing key as the file holds it, so the window can forget the
    /// unlocked key when the owner steps back, without reading the file on its thread.
    pub owner_key: Option<String>,
    /// Counts, the chain's verdict and whether the owner has a passphrase.
    pub records: Records,
    /// What is wrong with the log or the shop's contents, in words (the first problem
    /// found: by the chain, the contents' digest, or this computer's memory of the log).
    pub problem: Option<String>,
    /// This computer could not remember (or read what it remembered of) the log.
    pub machine_note: Option<String>,
    /// Entries this computer saw that a restore from a backup took back, in words (said
    /// once: the computer then remembers the log as restored).
    pub machine_restored: Option<String>,
}

impl LogState {
    /// How many entries changed the shop's data (applied changes, undos, imports, erasures,
    /// purges); looking at data, exporting it and owner sign-ins change nothing.
    pub fn entries_that_changed_the_shop(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| {
                !e.changes.is_empty()
                    || e.event.as_ref().is_some_and(|ev| {
                        matches!(
                            ev.kind.as_str(),
                            "import" | "import_undone" | "erasure" | "retention_purge"
                        )
                    })
            })
            .count()
    }
}

/// Reads the audit log of an open store and checks its chain and the shop's contents as
/// they are now (which reads every order line).
pub fn log_state(store: &Store) -> Result<LogState, StoreError> {
    log_state_checking(store, Contents::Now)
}

/// Reads the audit log right after Candor's own write and checks its chain and the changes
/// outside Candor that writes found: the newest entry's digest was just taken from the
/// shop as written, so the shop needs no second reading.
pub fn log_state_after_write(store: &Store) -> Result<LogState, StoreError> {
    log_state_checking(store, Contents::Recorded)
}

fn log_state_checking(store: &Store, contents: Contents) -> Result<LogState, StoreError> {
    let entries = store.log()?;
    let owner = store.owner_state_in(&entries)?;
    let report = store.verify_log_knowing(&owner, contents)?;
    let machine = if report.intact {
        super::seen_heads::check_and_remember(store, &entries, crate::paths::seen_heads_file())?
    } else {
        super::seen_heads::MachineCheck::default()
    };
    let records = Records {
        log_entries: entries.len(),
        log_without_reason: entries
            .iter()
            .filter(|e| e.reason.trim().is_empty())
            .count(),
        log_intact: report.intact && machine.problem.is_none(),
        owner_passphrase_set: owner == OwnerState::SetUp,
        owner_removed: owner.problem().is_some(),
        file_protected: store.is_protected(),
    };
    Ok(LogState {
        staff_names: store.staff_names()?,
        owner_key: store.owner_signing_public()?,
        entries,
        records,
        problem: report.problem.or(machine.problem),
        machine_note: machine.note,
        machine_restored: machine.restored,
    })
}

/// Reads the audit log of the shop at `path` (read-only) and checks its chain.
pub fn read_log(path: &Path) -> Result<LogState, StoreError> {
    let (store, _) = Store::open_for_reading(path)?;
    log_state(&store)
}

/// Loads a shop, reporting progress as (fraction, stage) pairs.
pub fn load_with_progress(
    path: &Path,
    today: NaiveDate,
    progress: &dyn Fn(f32, &str),
) -> Result<Loaded, SessionError> {
    progress(0.05, "Opening the shop file");
    let (store, report) = Store::open(path)?;
    progress(0.15, "Reading customers, products and orders");
    let (shop, head) = store.load_snapshot()?;
    progress(0.5, "Reading the audit log and checking its chain");
    let log = log_state(&store)?;
    let mut loaded = summarize(path, shop, head, log, today, progress)?;
    loaded.read_only = store.is_read_only();
    loaded.backup = report.backup;
    Ok(loaded)
}

/// Loads a shop on the calling thread (tests, screenshots, the command line).
pub fn load_blocking(path: &Path, today: NaiveDate) -> Result<Loaded, SessionError> {
    load_with_progress(path, today, &|_, _| {})
}

/// Indexes and summarizes a snapshot already in memory.
pub fn summarize(
    path: &Path,
    shop: Shop,
    head: LogHead,
    log: LogState,
    today: NaiveDate,
    progress: &dyn Fn(f32, &str),
) -> Result<Loaded, SessionError> {
    progress(0.6, "Indexing orders and consents");
    let index = Arc::new(index_for(Arc::new(shop), today));
    progress(0.85, "Recommending for every customer");
    let n = index.shop().settings.top_n;
    let lists =
        Arc::new(all_lists(&index, n, &Progress::default()).ok_or(SimulateError::Cancelled)?);
    progress(0.95, "Auditing fairness, diversity and data use");
    let audit = Arc::new(audit(&index, &lists, &AuditConfig::default()));
    progress(1.0, "Done");
    Ok(assemble(path, index, head, lists, audit, log))
}

/// A shop to show from parts already computed: the tables and the scorecard are derived
/// here, nothing else is recomputed.
pub(super) fn assemble(
    path: &Path,
    index: Arc<ShopIndex>,
    head: LogHead,
    lists: Arc<Lists>,
    audit: Arc<Audit>,
    log: LogState,
) -> Loaded {
    Loaded {
        path: path.to_owned(),
        read_only: false,
        backup: None,
        rows: customer_rows(&index),
        rules: rule_rows(&index),
        scorecard: scorecard(&index, &audit, &log.records),
        index,
        head,
        lists,
        audit,
        log,
        pseudonyms: None,
    }
}

impl Loaded {
    /// Takes in the audit log as read again (after an export, a reveal, or another
    /// program's write): its entries, and the scorecard that counts them.
    pub fn refresh_log(&mut self, mut log: LogState) {
        if let Some(p) = &self.pseudonyms {
            super::present::scrub_entries(&mut log.entries, p);
        }
        self.scorecard = scorecard(&self.index, &self.audit, &log.records);
        self.log = log;
    }
}
