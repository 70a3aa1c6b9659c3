//! Exporting every customer's recommendations for a newsletter or email tool: the lists
//! computed from the shop as it is, written whole (CSV with merge-field columns, or JSON)
//! or not at all, and logged with who, why, how many and which consents. The owner check
//! is the caller's: the window's owner mode, or the command line's passphrase.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::engine::outreach::{Channel, Outreach, OutreachError, outreach};
use crate::engine::simulate::Progress;
use crate::engine::words;
use crate::safe_write::WriteError;
use crate::store::{ApplyError, Attribution, Store, StoreError, SubjectEvent};

/// The log's name for an export of recommendations.
pub const EVENT_KIND: &str = "recommendations_export";

/// Why an export was not made. Nothing is left behind when it fails.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The shop file could not be opened or read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The export could not be recorded in the audit log (so it was not kept).
    #[error(transparent)]
    Log(#[from] ApplyError),
    /// The lists could not be made.
    #[error(transparent)]
    Lists(#[from] OutreachError),
    /// The file name does not say CSV or JSON.
    #[error("{0}: name the file .csv (for an email tool) or .json; nothing was written")]
    Format(PathBuf),
    /// The file could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The rows could not be encoded.
    #[error("the export could not be encoded: {0}")]
    Encode(String),
    /// The log refused the export and its unlogged file could not be deleted.
    #[error(
        "the export could not be recorded ({cause}), and its unrecorded file {path} could not be deleted ({io}): delete it"
    )]
    Leftover {
        /// The unrecorded file.
        path: PathBuf,
        /// Why the log refused.
        cause: String,
        /// Why it could not be deleted.
        io: std::io::Error,
    },
    /// The export was recorded but could not be put in place.
    #[error(
        "the export is recorded as audit-log entry {entry}, but {from} could not be renamed to {to} ({io}): rename it, or delete it and export again"
    )]
    NotMoved {
        /// Where the export is.
        from: PathBuf,
        /// Where it should be.
        to: PathBuf,
        /// The entry that records it.
        entry: i64,
        /// What the system said.
        io: std::io::Error,
    },
}

/// A finished export.
#[derive(Debug)]
pub struct Exported {
    /// The file written.
    pub path: PathBuf,
    /// The audit-log entry that records it.
    pub entry: i64,
    /// What was written and who was left out (with every list).
    pub outreach: Outreach,
}

impl Exported {
    /// The outcome in one paragraph for people.
    pub fn summary(&self) -> String {
        format!(
            "Wrote {} to {}; recorded as audit-log entry {}. {}",
            words::count(self.outreach.written, "customer's list", "customers' lists"),
            self.path.display(),
            self.entry,
            counts_text(&self.outreach)
        )
    }
}

/// Who got which list, and who was left out and why, in words.
pub fn counts_text(o: &Outreach) -> String {
    let mut text = format!(
        "{} personal, {} the shop-wide list (no agreement to personalization, or no rule in use).",
        words::number(o.personalized),
        words::number(o.shop_wide)
    );
    if o.channel.is_some() {
        text.push_str(&format!(
            " Left out: {} — {} without agreement to \u{201c}{}\u{201d}, {} without an email address.",
            words::customers(o.left_out.total()),
            words::number(o.left_out.no_channel_consent),
            o.channel_purpose.unwrap_or_default(),
            words::number(o.left_out.no_email_address)
        ));
    }
    text
}

/// Computes every customer's list from the shop at `db` as of its day (pinned, else
/// `today`), writes them to `out` (`.csv` or `.json`) and logs the export; if the log
/// refuses, the file is removed again.
pub fn export_recommendations(
    db: &Path,
    out: &Path,
    (top, channel): (usize, Option<Channel>),
    who: &Attribution,
    today: NaiveDate,
    progress: &Progress,
) -> Result<Exported, ExportError> {
    let csv = match out.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("csv") => true,
        Some(e) if e.eq_ignore_ascii_case("json") => false,
        _ => return Err(ExportError::Format(out.to_owned())),
    };
    let (mut store, _) = Store::open(db)?;
    let shop = std::sync::Arc::new(store.load()?);
    let index = crate::engine::index_for(shop, today);
    let lists = outreach(&index, top, channel, progress)?;
    let bytes = if csv {
        csv_bytes(&lists)?
    } else {
        serde_json::to_vec_pretty(&lists).map_err(|e| ExportError::Encode(e.to_string()))?
    };
    // Written beside the target first, and put in place only once the export is logged:
    // an export nobody can account for never exists, and an earlier file is replaced only
    // by a logged one.
    // The file is put in place by a rename below: refused first where an output may not go.
    crate::safe_write::check_writable(out)?;
    let pending = pending_path(out);
    crate::safe_write::write_file(&pending, &bytes)?;
    let detail = format!(
        "wrote the recommendations of {} to {}{}. {}",
        words::customers(lists.written),
        out.display(),
        lists.channel_purpose.map_or_else(String::new, |p| format!(
            " for email, only customers who agreed to \u{201c}{}\u{201d}",
            index.shop().purpose_label(p)
        )),
        counts_text(&lists)
    );
    let event = SubjectEvent {
        files: vec![out.display().to_string()],
        ..SubjectEvent::new(EVENT_KIND, None, detail)
    };
    let entry = match store.record_event(who, event) {
        Ok(entry) => entry,
        Err(e) => {
            return Err(match std::fs::remove_file(&pending) {
                Ok(()) => e.into(),
                Err(io) => ExportError::Leftover {
                    path: pending,
                    cause: e.to_string(),
                    io,
                },
            });
        }
    };
    std::fs::rename(&pending, out).map_err(|io| ExportError::NotMoved {
        from: pending.clone(),
        to: out.to_owned(),
        entry,
        io,
    })?;
    Ok(Exported {
        path: out.to_owned(),
        entry,
        outreach: lists,
    })
}

/// Where an export waits until it is logged: `FILE.csv.part` beside `FILE.csv`.
fn pending_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_owned();
    name.push(".part");
    out.with_file_name(name)
}

/// The lists as CSV with the merge-field names email tools accept: `email`, `first_name`,
/// then `product_1_name`, `product_1_price`, `product_1_reason`, … for every rank. A cell a
/// spreadsheet would run as a formula gets a leading apostrophe.
fn csv_bytes(o: &Outreach) -> Result<Vec<u8>, ExportError> {
    let encode = |e: csv::Error| ExportError::Encode(e.to_string());
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "customer",
        "email",
        "first_name",
        "personalized",
        "why_you_see_this",
        "how_to_change",
    ]
    .map(str::to_owned)
    .to_vec();
    for k in 1..=o.top {
        for field in ["name", "price", "reason"] {
            header.push(format!("product_{k}_{field}"));
        }
    }
    w.write_record(&header).map_err(encode)?;
    for l in &o.customers {
        let mut row = vec![
            l.customer.to_string(),
            l.email.clone().unwrap_or_default(),
            l.first_name.clone().unwrap_or_default(),
            if l.personalized { "yes" } else { "no" }.to_owned(),
            l.why.clone(),
            l.how_to_change.clone(),
        ];
        for k in 0..o.top {
            match l.products.get(k) {
                Some(p) => row.extend([p.name.clone(), p.price.clone(), p.reason.clone()]),
                None => row.extend([String::new(), String::new(), String::new()]),
            }
        }
        w.write_record(
            row.iter()
                .map(|cell| crate::safe_write::csv_cell(cell).into_owned()),
        )
        .map_err(encode)?;
    }
    w.into_inner()
        .map_err(|e| ExportError::Encode(e.to_string()))
}
