//! Loading a shop off the UI thread: open, load, index and summarize, with progress.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};

use chrono::NaiveDate;

use crate::engine::audit::{Audit, AuditConfig, audit};
use crate::engine::overview::{CustomerRow, RuleRow, customer_rows, rule_rows};
use crate::engine::scorecard::{Card, Records, scorecard};
use crate::engine::simulate::{Lists, Progress, all_lists};
use crate::engine::{ShopIndex, index_for};
use crate::store::Store;

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
    /// Set in presenter mode: the snapshot holds pseudonyms, and this replaces real values
    /// in free text (the audit log) the same way. Nothing is written while it is set.
    pub pseudonyms: Option<Arc<crate::engine::pseudonym::Pseudonyms>>,
}

/// Loads a shop, reporting progress as (fraction, stage) pairs.
pub fn load_with_progress(
    path: &Path,
    today: NaiveDate,
    progress: &dyn Fn(f32, &str),
) -> Result<Loaded, String> {
    progress(0.05, "Opening the shop file");
    let (store, report) = Store::open(path).map_err(|e| e.to_string())?;
    progress(0.15, "Reading customers, products and orders");
    let shop = store.load().map_err(|e| e.to_string())?;
    let mut loaded = summarize(path, shop, today, progress);
    loaded.read_only = store.is_read_only();
    loaded.backup = report.backup;
    Ok(loaded)
}

/// Indexes and summarizes a snapshot already in memory (after loading or applying).
pub fn summarize(
    path: &Path,
    shop: crate::engine::Shop,
    today: NaiveDate,
    progress: &dyn Fn(f32, &str),
) -> Loaded {
    progress(0.6, "Indexing orders and consents");
    let index = Arc::new(index_for(Arc::new(shop), today));
    progress(0.75, "Summarizing customers");
    let rows = customer_rows(&index);
    progress(0.8, "Checking which rules run for whom");
    let rules = rule_rows(&index);
    progress(0.85, "Recommending for every customer");
    let n = index.shop().settings.top_n;
    let lists = Arc::new(all_lists(&index, n, &Progress::default()).unwrap_or_default());
    progress(0.95, "Auditing fairness, diversity and data use");
    let audit = Arc::new(audit(&index, &lists, &AuditConfig::default()));
    let scorecard = scorecard(&index, &audit, &records_of(path));
    progress(1.0, "Done");
    Loaded {
        path: path.to_owned(),
        read_only: false,
        backup: None,
        index,
        rows,
        rules,
        lists,
        audit,
        scorecard,
        pseudonyms: None,
    }
}

/// The audit log's and the owner's state, as the scorecard needs them.
pub fn records_of(path: &Path) -> Records {
    let Ok((store, _)) = Store::open_for_reading(path) else {
        return Records::default();
    };
    let log = store.log().unwrap_or_default();
    Records {
        log_entries: log.len(),
        log_without_reason: log.iter().filter(|e| e.reason.trim().is_empty()).count(),
        log_intact: store.verify_log().is_ok_and(|r| r.intact),
        owner_passphrase_set: store.owner_passphrase_is_set().unwrap_or(false),
    }
}

/// Loads a shop on the calling thread (tests, screenshots).
pub fn load_blocking(path: &Path, today: NaiveDate) -> Result<Loaded, String> {
    load_with_progress(path, today, &|_, _| {})
}

/// Messages from the loading thread.
enum Message {
    Progress(f32, String),
    Done(Box<Result<Loaded, String>>),
}

/// A load in progress on a worker thread.
pub struct Loading {
    /// The file being loaded.
    pub path: PathBuf,
    /// 0 to 1.
    pub fraction: f32,
    /// What is happening now.
    pub stage: String,
    rx: Receiver<Message>,
}

impl Loading {
    /// Starts loading `path`; `wake` is called whenever there is news.
    pub fn spawn(path: PathBuf, today: NaiveDate, wake: impl Fn() + Send + 'static) -> Self {
        let (tx, rx) = channel();
        let thread_path = path.clone();
        std::thread::spawn(move || {
            let progress = |f: f32, stage: &str| {
                let _ = tx.send(Message::Progress(f, stage.to_owned()));
                wake();
            };
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                load_with_progress(&thread_path, today, &progress)
            }))
            .unwrap_or_else(|panic| Err(super::jobs::crash_message(panic.as_ref())));
            let _ = tx.send(Message::Done(Box::new(result)));
            wake();
        });
        Self {
            path,
            fraction: 0.0,
            stage: "Starting".to_owned(),
            rx,
        }
    }

    /// Takes in news; returns the result once loading has finished.
    pub fn poll(&mut self) -> Option<Result<Loaded, String>> {
        while let Ok(message) = self.rx.try_recv() {
            match message {
                Message::Progress(f, stage) => {
                    self.fraction = f;
                    self.stage = stage;
                }
                Message::Done(result) => return Some(*result),
            }
        }
        None
    }
}
