//! "A copy of this shop was lost or stolen": writes what the file held, the customers to
//! tell with how to reach each, a plain-language notice for them, and the facts a
//! supervisory authority asks for (GDPR Art. 33 and 34), then logs that it was written.
//! The window and the command line both call [`write_breach_report`].

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use serde::Serialize;

use crate::engine::breach::{BreachFacts, Contact, breach_facts};
use crate::rights::RightsError;
use crate::store::{Attribution, Store, SubjectEvent};

/// The event kind of the log entry that records a breach report.
pub const EVENT_KIND: &str = "breach_report";

/// What the person reporting knows about the loss.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BreachRequest {
    /// What happened, in their words ("the shop laptop was stolen from the car").
    pub what_happened: String,
    /// When the shop found out (the 72 hours to tell the supervisory authority run from it).
    pub discovered: NaiveDateTime,
    /// How customers can reach the shop about it; `None`: "reply to this message or ask at
    /// the counter".
    pub contact: Option<String>,
}

/// Reads when the shop found out: "YYYY-MM-DD HH:MM", or a date alone (taken as midnight).
pub fn parse_discovered(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
}

impl BreachRequest {
    /// The time by which the supervisory authority should be told (Art. 33(1): 72 hours).
    pub fn authority_deadline(&self) -> NaiveDateTime {
        self.discovered + TimeDelta::hours(72)
    }

    /// How customers can reach the shop, in words.
    pub fn contact_words(&self) -> String {
        self.contact
            .clone()
            .filter(|c| !c.trim().is_empty())
            .unwrap_or_else(|| "reply to this message or ask us at the counter".to_owned())
    }
}

/// The report as written to `breach-report.json`.
#[derive(Serialize)]
pub struct BreachReport<'a> {
    /// What the person reporting said.
    pub request: &'a BreachRequest,
    /// When the authority should be told by.
    pub authority_deadline: NaiveDateTime,
    /// What the file held.
    #[serde(flatten)]
    pub facts: &'a BreachFacts,
}

/// The files a report wrote and the log entry that records it.
#[derive(Debug, Serialize)]
pub struct BreachWritten {
    /// The page for the owner and the authority.
    pub page: PathBuf,
    /// The machine-readable facts.
    pub json: PathBuf,
    /// The customers to tell, one row each.
    pub csv: PathBuf,
    /// The notice to send them.
    pub notice: PathBuf,
    /// How many customers' data the file held.
    pub customers: usize,
    /// The audit-log entry recording the report.
    pub entry: i64,
}

impl BreachWritten {
    /// What was written, in one sentence.
    pub fn summary(&self) -> String {
        format!(
            "Wrote the breach report for {} to {} (audit-log entry {}): {}, {}, {} and {}.",
            crate::engine::words::customers(self.customers),
            self.page.parent().unwrap_or(Path::new(".")).display(),
            self.entry,
            file_name(&self.page),
            file_name(&self.csv),
            file_name(&self.notice),
            file_name(&self.json),
        )
    }

    fn files(&self) -> [&PathBuf; 4] {
        [&self.page, &self.csv, &self.notice, &self.json]
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// The notice to send each customer, in plain words (Art. 34(2): what happened, what it
/// may mean for them, what the shop is doing, whom to ask).
pub fn notice_to_customers(facts: &BreachFacts, request: &BreachRequest) -> String {
    let kinds: Vec<&str> = facts.held.iter().map(|k| k.words).collect();
    format!(
        "Dear customer,\n\n\
         We are writing to tell you that a copy of the file in which {shop} keeps its customer \
         records has been lost or stolen. What happened: {what}\n\n\
         The file held, for our customers, some or all of: {kinds}. {protected}\n\n\
         What this may mean for you: someone could use these details to contact you while \
         pretending to be us or someone else, or try to guess answers to security questions. \
         Please be careful with unexpected messages, calls or letters that mention your \
         purchases or ask for payment or passwords. We will never ask you for a password.\n\n\
         What we are doing: we are looking into how this happened and changing how we keep \
         our records so that it does not happen again.\n\n\
         If you have questions, or would like to see, correct or delete what we hold about \
         you, {contact}.\n\n\
         {shop}\n",
        shop = facts.shop,
        what = request.what_happened.trim(),
        kinds = crate::engine::words::and_list(&kinds),
        protected = if facts.protected {
            "The file was protected by a password, which makes it hard to read without it."
        } else {
            "The file was not protected by a password, so whoever has it can read it."
        },
        contact = request.contact_words(),
    )
}

/// The customers to tell, one row each (`customers-to-notify.csv`).
fn contacts_csv(contacts: &[Contact]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "customer",
        "name",
        "tell_by",
        "email",
        "phone",
        "address",
        "postcode",
        "data_held",
    ])?;
    for c in contacts {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let cells = [
            c.customer.to_string(),
            opt(&c.name),
            c.channel.words().to_owned(),
            opt(&c.email),
            opt(&c.phone),
            opt(&c.address),
            opt(&c.postcode),
            c.held.join("; "),
        ];
        w.write_record(
            cells
                .iter()
                .map(|c| crate::safe_write::csv_cell(c).into_owned()),
        )?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Writes the breach report into `out` (`breach-report.html`, `breach-report.json`,
/// `customers-to-notify.csv`, `notice-to-customers.txt`) and logs it. Nothing is left
/// behind when the log entry cannot be written.
pub fn write_breach_report(
    db: &Path,
    out: &Path,
    request: &BreachRequest,
    who: &Attribution,
    today: NaiveDate,
) -> Result<BreachWritten, RightsError> {
    // The notice goes to every customer: what it says may not act on a screen.
    let texts = [
        ("account of what happened", Some(&request.what_happened)),
        ("contact", request.contact.as_ref()),
    ];
    for (what, text) in texts {
        if let Some(c) = text.and_then(|t| crate::engine::words::hidden_character(t)) {
            return Err(crate::store::ApplyError::HiddenInAttribution {
                what,
                code: u32::from(c),
            }
            .into());
        }
    }
    let (mut store, _) = Store::open(db)?;
    let mut facts = breach_facts(&store.load()?, today);
    facts.protected = store.is_protected();
    facts.protected_since = protected_since(&store.log()?, facts.protected);
    let report = BreachReport {
        request,
        authority_deadline: request.authority_deadline(),
        facts: &facts,
    };
    let write = |name: &str, bytes: Vec<u8>| crate::rights::write_into(out, name, &bytes);
    let json = serde_json::to_vec_pretty(&report).map_err(RightsError::Serialize)?;
    let csv = contacts_csv(&facts.to_notify).map_err(|e| RightsError::Write {
        path: out.join("customers-to-notify.csv"),
        source: std::io::Error::other(e.to_string()),
    })?;
    let notice = notice_to_customers(&facts, request);
    let page = crate::html::breach_page(&facts, request, &notice, &store.log_head()?);
    let mut written = BreachWritten {
        page: write("breach-report.html", page.into_bytes())?,
        json: write("breach-report.json", json)?,
        csv: write("customers-to-notify.csv", csv)?,
        notice: write("notice-to-customers.txt", notice.into_bytes())?,
        customers: facts.customers,
        entry: 0,
    };
    let event = SubjectEvent {
        files: written
            .files()
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        ..SubjectEvent::new(
            EVENT_KIND,
            None,
            format!(
                "wrote a breach report (a copy of the shop lost or stolen; {} to tell) to {}",
                crate::engine::words::customers(facts.customers),
                out.display()
            ),
        )
    };
    match store.record_event(who, event) {
        Ok(entry) => {
            written.entry = entry;
            Ok(written)
        }
        Err(e) => {
            for path in written.files() {
                let _ = std::fs::remove_file(path);
            }
            Err(e.into())
        }
    }
}

/// The day the shop was last protected with a password, if it is protected now and the
/// log says when.
fn protected_since(log: &[crate::store::LogEntry], protected: bool) -> Option<String> {
    if !protected {
        return None;
    }
    log.iter()
        .rev()
        .find(|e| e.event.as_ref().is_some_and(|ev| ev.kind == "protected"))
        .map(|e| e.at.get(..10).unwrap_or(&e.at).to_owned())
}
