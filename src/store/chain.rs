//! The audit log's hash chain: every entry stores the SHA-256 of the one before it, and
//! the shop settings keep the newest hash and the number of entries. Editing or deleting
//! an entry behind Candor's back breaks the chain at that point, which `verify` reports.
//! (Someone who rewrites every later hash as well is not stopped; the chain makes quiet
//! edits visible, it is not a signature.) The personal values an entry seals are checked
//! against their commitments too, so erasing them never needs the chain re-sealed.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The "previous hash" of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The outcome of checking the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// True when every entry is as written.
    pub intact: bool,
    /// Entries checked.
    pub entries: usize,
    /// The first entry found altered, or after which entries were removed.
    pub first_bad_entry: Option<i64>,
    /// What is wrong, in words.
    pub problem: Option<String>,
    /// The entry after which the shop's contents were changed outside Candor, when they
    /// were (see [`super::state`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_outside_after: Option<i64>,
    /// Whether the shop's contents were checked against the newest entry's digest (false
    /// while no entry written by this version records one).
    pub contents_checked: bool,
}

/// One entry's fields as the chain hashes them.
pub struct Hashed<'a> {
    /// The entry's number.
    pub id: i64,
    /// When it was written.
    pub at: &'a str,
    /// Who wrote it.
    pub actor: &'a str,
    /// Why.
    pub reason: &'a str,
    /// Its body (JSON).
    pub entry: &'a str,
    /// The digest of the shop's contents after it (empty in entries written before
    /// digests were kept, which hash as they always did).
    pub state: &'a str,
}

/// The hash of one entry, chained to `prev`. Each part is length-prefixed so that no two
/// different entries can hash the same text.
pub fn entry_hash(prev: &str, e: &Hashed<'_>) -> String {
    let mut hasher = Sha256::new();
    let id = e.id.to_string();
    let mut parts = vec![prev, &id, e.at, e.actor, e.reason, e.entry];
    if !e.state.is_empty() {
        parts.push(e.state);
    }
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `shop_settings` key of a shop file's identity: a random id written when the file is
/// created, so that another shop put at the same path is never taken for this one.
pub(super) const SHOP_ID_KEY: &str = "shop_id";

/// A new random shop id (128 bits, hex).
pub(super) fn new_shop_id() -> String {
    use password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Which shop file a snapshot was read from and where its audit log stood: the file's
/// id, the newest entry's hash and the number of entries. Every write Candor makes to the
/// shop's data appends an entry, so an apply computed from a snapshot checks the file
/// against this (see [`super::Basis`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogHead {
    /// The file's id (absent in files created before ids were written).
    pub shop: Option<String>,
    /// The newest entry's hash.
    pub hash: String,
    /// How many entries the log holds.
    pub count: i64,
}

/// The log's head as recorded in the settings.
pub(super) fn log_head(conn: &Connection) -> rusqlite::Result<LogHead> {
    let (hash, count) = head(conn)?;
    let shop = super::setting(conn, SHOP_ID_KEY)?;
    Ok(LogHead { shop, hash, count })
}

/// The bodies of the entries written after the one `since` names, oldest first; `None`
/// when no entry has that hash any more (the log was rewritten since).
pub(super) fn entries_since(
    conn: &Connection,
    since: &LogHead,
) -> rusqlite::Result<Option<Vec<String>>> {
    let after = if since.count == 0 && since.hash == GENESIS {
        Some(i64::MIN)
    } else {
        conn.query_row(
            "SELECT id FROM audit_log WHERE hash = ?1",
            params![since.hash],
            |r| r.get::<_, i64>(0),
        )
        .optional()?
    };
    let Some(after) = after else {
        return Ok(None);
    };
    let mut stmt = conn.prepare("SELECT entry FROM audit_log WHERE id > ?1 ORDER BY id")?;
    let bodies = stmt
        .query_map(params![after], |r| r.get::<_, String>(0))?
        .collect::<Result<_, _>>()?;
    Ok(Some(bodies))
}

/// The newest hash and the entry count recorded in the settings.
fn head(conn: &Connection) -> rusqlite::Result<(String, i64)> {
    let get = |key: &str| super::setting(conn, key);
    let hash = get("audit_head")?.unwrap_or_else(|| GENESIS.to_owned());
    let count = get("audit_count")?
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((hash, count))
}

fn set_head(conn: &Connection, hash: &str, count: i64) -> rusqlite::Result<()> {
    let mut stmt =
        conn.prepare("INSERT OR REPLACE INTO shop_settings (key, value) VALUES (?1, ?2)")?;
    stmt.execute(params!["audit_head", hash])?;
    stmt.execute(params!["audit_count", count.to_string()])?;
    Ok(())
}

/// Chains the entry just inserted as `id` (inside the caller's transaction).
pub fn chain_new_entry(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    let (prev, count) = head(conn)?;
    let row = entries_where(conn, Some(id))?
        .pop()
        .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    let hash = entry_hash(&prev, &row.hashed());
    conn.execute(
        "UPDATE audit_log SET prev_hash = ?1, hash = ?2 WHERE id = ?3",
        params![prev, hash, id],
    )?;
    set_head(conn, &hash, count + 1)
}

/// Chains every existing entry from scratch (when upgrading a file written before the
/// chain existed).
pub fn rechain_all(conn: &Connection) -> rusqlite::Result<()> {
    let rows = entries(conn)?;
    let mut prev = GENESIS.to_owned();
    for row in &rows {
        let hash = entry_hash(&prev, &row.hashed());
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?1, hash = ?2 WHERE id = ?3",
            params![prev, hash, row.id],
        )?;
        prev = hash;
    }
    set_head(conn, &prev, rows.len() as i64)
}

struct Row {
    id: i64,
    at: String,
    actor: String,
    reason: String,
    entry: String,
    state: String,
    prev_hash: String,
    hash: String,
}

impl Row {
    fn hashed(&self) -> Hashed<'_> {
        Hashed {
            id: self.id,
            at: &self.at,
            actor: &self.actor,
            reason: &self.reason,
            entry: &self.entry,
            state: &self.state,
        }
    }
}

fn entries(conn: &Connection) -> rusqlite::Result<Vec<Row>> {
    entries_where(conn, None)
}

/// Every entry, or the one numbered `only`. Files upgraded step by step are chained before
/// the log had a `state` column; their entries read as having none.
fn entries_where(conn: &Connection, only: Option<i64>) -> rusqlite::Result<Vec<Row>> {
    let has_state: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info('audit_log') WHERE name = 'state')",
        [],
        |r| r.get(0),
    )?;
    let state = if has_state { "state" } else { "''" };
    let mut stmt = conn.prepare(&format!(
        "SELECT id, at, actor, reason, entry, prev_hash, hash, {state} FROM audit_log
         WHERE ?1 IS NULL OR id = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([only], |r| {
        Ok(Row {
            id: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            reason: r.get(3)?,
            entry: r.get(4)?,
            prev_hash: r.get(5)?,
            hash: r.get(6)?,
            state: r.get(7)?,
        })
    })?;
    rows.collect()
}

/// Checks every personal value an entry seals (see [`super::sealed`]): it must be kept
/// unchanged, or have been deleted by an erasure or purge that the log records.
fn check_seals(conn: &Connection, rows: &[Row]) -> rusqlite::Result<Option<(i64, String)>> {
    use super::sealed;
    let values = sealed::load_values(conn)?;
    let parsed: Vec<(i64, serde_json::Value, &str)> = rows
        .iter()
        .filter_map(|r| {
            serde_json::from_str(&r.entry)
                .ok()
                .map(|v| (r.id, v, r.reason.as_str()))
        })
        .collect();
    let erased: std::collections::HashSet<i64> = parsed
        .iter()
        .filter_map(|(_, body, _)| body.pointer("/event/erased_values")?.as_array().cloned())
        .flatten()
        .filter_map(|v| v.as_i64())
        .collect();
    for (id, body, reason) in &parsed {
        let mut seals = Vec::new();
        sealed::seals_in(body, &mut seals);
        if body
            .get("reason_sealed")
            .and_then(serde_json::Value::as_bool)
            == Some(true)
        {
            seals.extend(sealed::reason_seal(reason));
        }
        for seal in seals {
            match sealed::matches(&values, &seal) {
                Some(true) => {}
                Some(false) => {
                    return Ok(Some((
                        *id,
                        format!("a personal value of entry {id} was altered after it was written"),
                    )));
                }
                None if erased.contains(&seal.id) => {}
                None => {
                    return Ok(Some((
                        *id,
                        format!(
                            "a personal value of entry {id} was deleted, but no erasure or purge in the log removed it"
                        ),
                    )));
                }
            }
        }
    }
    Ok(None)
}

/// Whether `row`, numbered after a gap that starts at `missing`, records taking back
/// exactly the entries missing: the import an undone import's entry names (its entry went
/// with the copy restored), or the entries a restore took back.
fn fills_gap(row: &Row, missing: i64) -> bool {
    let Ok(body) = serde_json::from_str::<serde_json::Value>(&row.entry) else {
        return false;
    };
    let (Some(kind), Some(detail)) = (
        body["event"]["kind"].as_str(),
        body["event"]["detail"].as_str(),
    ) else {
        return false;
    };
    match restore_range(kind, detail) {
        Some((first, last)) => first == missing && last.checked_add(1) == Some(row.id),
        None => row.id == missing + 1 && event_takes_back(kind, detail, missing),
    }
}

/// Whether an event (its kind and detail) takes back entry `entry`: the import an
/// undone import's entry names, or one of the entries a restore took back. These are the
/// entries whose numbers may be missing from the log.
pub fn event_takes_back(kind: &str, detail: &str, entry: i64) -> bool {
    (kind == "import_undone" && detail.contains(&format!("(it was entry {entry}, ")))
        || restore_range(kind, detail).is_some_and(|(first, last)| (first..=last).contains(&entry))
}

/// The entries a restore's event says it took back, first and last.
fn restore_range(kind: &str, detail: &str) -> Option<(i64, i64)> {
    if kind != super::backup::RESTORED {
        return None;
    }
    let rest = detail.strip_prefix(super::backup::RESTORE_DETAIL)?;
    let (_, rest) = rest.split_once(' ')?;
    let rest = rest.strip_prefix("(entries ")?;
    let (first, rest) = rest.split_once(" to ")?;
    let (last, _) = rest.split_once(" were taken back")?;
    let (first, last): (i64, i64) = (first.parse().ok()?, last.parse().ok()?);
    (first <= last).then_some((first, last))
}

/// How much of the shop's contents [`verify`] checks, beyond the chain itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contents {
    /// The changes outside Candor that its own writes found and recorded, and the shop as
    /// it is now against the newest entry's digest (which reads every order line).
    Now,
    /// Only the changes outside Candor that its own writes found and recorded: enough right
    /// after Candor's own write, whose digest was taken from the shop as written.
    Recorded,
}

/// Checks every entry against its hash and its predecessor, that the numbers follow each
/// other (the gaps allowed are an undone import's and a restore's), and the newest against the recorded
/// head, reporting the first place the chain breaks; then the shop's contents, as far as
/// `contents` asks.
pub fn verify(conn: &Connection, contents: Contents) -> rusqlite::Result<ChainReport> {
    let rows = entries(conn)?;
    let broken = |entry: i64, problem: String| ChainReport {
        intact: false,
        entries: rows.len(),
        first_bad_entry: Some(entry),
        problem: Some(problem),
        changed_outside_after: None,
        contents_checked: false,
    };
    let mut prev = GENESIS.to_owned();
    let mut expected = rows.first().map_or(1, |r| r.id.min(1));
    for row in &rows {
        // Read only where the numbers skip: the one place an entry's body matters here.
        if row.id != expected && !fills_gap(row, expected) {
            return Ok(broken(
                row.id,
                format!(
                    "entry {expected} is missing (the entry after {} is numbered {}): an entry was removed",
                    expected - 1,
                    row.id
                ),
            ));
        }
        expected = row.id + 1;
        if row.prev_hash != prev {
            return Ok(broken(
                row.id,
                format!(
                    "entry {} does not follow the entry before it: an earlier entry was altered or removed",
                    row.id
                ),
            ));
        }
        let hash = entry_hash(&prev, &row.hashed());
        if hash != row.hash {
            return Ok(broken(
                row.id,
                format!("entry {} was altered after it was written", row.id),
            ));
        }
        prev = hash;
    }
    if let Some((entry, problem)) = check_seals(conn, &rows)? {
        return Ok(broken(entry, problem));
    }
    let (head_hash, count) = head(conn)?;
    if head_hash != prev || count != rows.len() as i64 {
        let last = rows.last().map_or(0, |r| r.id);
        return Ok(broken(
            last + 1,
            format!(
                "the log should hold {count} entries but holds {}: the latest entries were removed",
                rows.len()
            ),
        ));
    }
    if let Some((entry, problem)) = super::signing::check(conn, &signature_facts(&rows))? {
        return Ok(broken(entry, problem));
    }
    let (outside, contents_checked) = check_contents(conn, &rows, contents)?;
    Ok(ChainReport {
        intact: outside.is_none(),
        entries: rows.len(),
        first_bad_entry: None,
        changed_outside_after: outside.as_ref().map(|(after, _)| *after),
        problem: outside.map(|(_, problem)| problem),
        contents_checked,
    })
}

/// Checks the shop's contents: a change outside Candor that a later write found (and
/// recorded in its entry), then the shop as it is now against the newest entry's digest.
/// Returns the first change found (the entry after which it was made, and what it was)
/// and whether the newest entry had a digest to check against.
fn check_contents(
    conn: &Connection,
    rows: &[Row],
    contents: Contents,
) -> rusqlite::Result<(Option<(i64, String)>, bool)> {
    use super::state::{OutsideChange, StateDigest};
    let words = |parts: &[String]| crate::engine::words::and_list(parts);
    for row in rows {
        let found = serde_json::from_str::<serde_json::Value>(&row.entry)
            .ok()
            .and_then(|body| body.get("outside_change").cloned())
            .and_then(|v| serde_json::from_value::<OutsideChange>(v).ok());
        if let Some(found) = found {
            return Ok((
                Some((
                    found.after_entry,
                    format!(
                        "the shop was changed outside Candor after entry {}: its {} differed from what that entry recorded when Candor wrote entry {}",
                        found.after_entry,
                        words(&found.parts),
                        row.id
                    ),
                )),
                true,
            ));
        }
    }
    let Some(newest) = rows.last() else {
        return Ok((None, false));
    };
    if contents == Contents::Recorded {
        return Ok((None, !newest.state.is_empty()));
    }
    let Some(recorded) = StateDigest::from_text(&newest.state) else {
        return Ok((None, false));
    };
    let now = super::state::digest(conn, true)?;
    let parts: Vec<String> = recorded
        .differences(&now)
        .into_iter()
        .map(str::to_owned)
        .collect();
    if parts.is_empty() {
        return Ok((None, true));
    }
    Ok((
        Some((
            newest.id,
            format!(
                "the shop was changed outside Candor after entry {}: its {} differ from what that entry recorded",
                newest.id,
                words(&parts)
            ),
        )),
        true,
    ))
}

/// The event kinds only the owner may record (besides changes that need the owner).
const OWNERS_EVENTS: [&str; 6] = [
    "staff_removed",
    "protected",
    "password_changed",
    "protection_removed",
    "retention_purge",
    "erasure",
];

/// What the signature check reads of each entry. Bodies are parsed only where they may
/// pin the owner's keys, and, once a key is pinned, to tell an owner's action. A change
/// holding sealed personal values does not read as a change, which is right here: no change
/// only the owner may make holds personal values.
fn signature_facts(rows: &[Row]) -> Vec<super::signing::EntryFacts> {
    use crate::engine::changes::Change;
    let mut pinned = false;
    rows.iter()
        .map(|row| {
            let may_pin = row.entry.contains(super::signing::SIGNING_MARK);
            let parsed = (may_pin || pinned)
                .then(|| serde_json::from_str::<serde_json::Value>(&row.entry).ok());
            let body = parsed.as_ref().and_then(Option::as_ref);
            let event = body
                .and_then(|b| b.get("event"))
                .and_then(|e| serde_json::from_value::<super::apply::SubjectEvent>(e.clone()).ok());
            let pin = event
                .as_ref()
                .filter(|_| may_pin)
                .and_then(|e| super::signing::Pin::of(&e.kind, &e.detail));
            let changes: Vec<Change> = body
                .and_then(|b| b.get("changes"))
                .and_then(serde_json::Value::as_array)
                .map(|all| {
                    all.iter()
                        .filter_map(|a| serde_json::from_value(a.get("change")?.clone()).ok())
                        .collect()
                })
                .unwrap_or_default();
            let owners_action = pinned
                && (crate::access::needs_owner(&changes)
                    || event
                        .as_ref()
                        .is_some_and(|e| OWNERS_EVENTS.contains(&e.kind.as_str())));
            let unreadable = pinned && !body.is_some_and(serde_json::Value::is_object);
            pinned |= pin.is_some();
            super::signing::EntryFacts {
                id: row.id,
                hash: row.hash.clone(),
                pin,
                owners_action,
                unreadable,
            }
        })
        .collect()
}
