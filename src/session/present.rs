//! Presenter mode's shop: every customer replaced by a pseudonym, in the snapshot and in
//! the audit log's free text, so a trainer can show a real shop to a room.

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;

use super::SessionError;
use super::shop::{Loaded, LogState, summarize};
use crate::engine::Shop;
use crate::engine::pseudonym::{Pseudonyms, pseudonymize};
use crate::store::{LogEntry, LogHead};

/// The shop `real` (read from `path` with the log `log`) pseudonymized, read-only.
pub fn present(
    path: &Path,
    real: &Shop,
    head: LogHead,
    mut log: LogState,
    today: NaiveDate,
) -> Result<Loaded, SessionError> {
    let (shop, pseudonyms) = pseudonymize(real);
    scrub_entries(&mut log.entries, &pseudonyms);
    let mut loaded = summarize(path, shop, head, log, today, &|_, _| {})?;
    loaded.read_only = true;
    loaded.pseudonyms = Some(Arc::new(pseudonyms));
    Ok(loaded)
}

/// Replaces real customer values in the audit log's free text by their pseudonyms.
pub fn scrub_entries(entries: &mut [LogEntry], p: &Pseudonyms) {
    for e in entries {
        e.actor = p.scrub(&e.actor);
        e.reason = p.scrub(&e.reason);
        for a in &mut e.changes {
            for value in [&mut a.before, &mut a.after] {
                let text = p.scrub(&value.to_string());
                *value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
            }
            if let Ok(change) = serde_json::to_string(&a.change)
                .map(|c| p.scrub(&c))
                .and_then(|c| serde_json::from_str(&c))
            {
                a.change = change;
            }
        }
        if let Some(ev) = &mut e.event {
            ev.detail = p.scrub(&ev.detail);
        }
    }
}
