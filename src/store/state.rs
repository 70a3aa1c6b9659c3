//! A digest of the shop's contents, recorded with every audit-log entry, so that a change
//! made to the file outside Candor (a SQLite tool flipping a consent, editing a rule)
//! shows when the log is checked.
//!
//! The contents are split into parts (settings, customers, products, …), each the SHA-256
//! of its rows in a fixed order, every value typed and length-prefixed. Every write
//! Candor makes first checks the shop against the newest entry's digest (a difference is
//! recorded in the new entry, so it is never lost), then records the digest after it.
//! The orders part reads every order line, so it is computed only by writes that can
//! change orders (imports, erasures, merges); the others carry it forward unchanged.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params, types::ValueRef};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The version of the digest's layout, written with it.
const VERSION: u32 = 1;

/// One table's rows as a part reads them.
struct TableRows {
    table: &'static str,
    columns: &'static [&'static str],
    filter: &'static str,
    order: &'static str,
}

/// A part of the shop's contents and the rows it covers.
struct Part {
    key: &'static str,
    words: &'static str,
    tables: &'static [TableRows],
}

const fn rows(
    table: &'static str,
    columns: &'static [&'static str],
    filter: &'static str,
    order: &'static str,
) -> TableRows {
    TableRows {
        table,
        columns,
        filter,
        order,
    }
}

/// The key of the part that reads every order line.
const ORDERS: &str = "orders";

/// Every part, in the order they are written.
const PARTS: &[Part] = &[
    Part {
        key: "settings",
        words: "shop settings (including the owner's passphrase)",
        // Left out: the log's own head and the count of wrong passphrases, which change
        // without a change to the shop.
        tables: &[rows(
            "shop_settings",
            &["key", "value"],
            "WHERE key NOT IN ('audit_head', 'audit_count', 'owner_failed_tries', 'owner_last_failed_at')",
            "key",
        )],
    },
    Part {
        key: "customers",
        words: "customers' details",
        tables: &[
            rows(
                "customers",
                &[
                    "id",
                    "name",
                    "email",
                    "phone",
                    "address",
                    "postcode",
                    "birth_date",
                    "gender",
                    "since",
                    "source",
                ],
                "",
                "id",
            ),
            rows(
                "field_sources",
                &["customer", "field", "source", "recorded_on"],
                "",
                "customer, field",
            ),
        ],
    },
    Part {
        key: "consents",
        words: "consent decisions",
        tables: &[rows(
            "consents",
            &[
                "id",
                "customer",
                "purpose",
                "granted",
                "at",
                "method",
                "recorded_by",
                "words",
                "recorded_at",
                "decided_on",
                "wording",
            ],
            "",
            "id",
        )],
    },
    Part {
        key: "preferences",
        words: "customers' stated preferences",
        tables: &[rows(
            "preferences",
            &[
                "id",
                "customer",
                "preference",
                "withdrawn",
                "recorded_at",
                "recorded_by",
                "method",
                "words",
                "lifted_by",
            ],
            "",
            "id",
        )],
    },
    Part {
        key: "rules",
        words: "rules",
        tables: &[rows(
            "rules",
            &["position", "id", "definition"],
            "",
            "position",
        )],
    },
    Part {
        key: "purposes",
        words: "purposes and personal-data fields",
        tables: &[
            rows(
                "purposes",
                &["id", "label", "description", "fields"],
                "",
                "id",
            ),
            rows(
                "personal_fields",
                &[
                    "field",
                    "field_group",
                    "label",
                    "description",
                    "retention_days",
                    "kept_for",
                    "sensitive",
                ],
                "",
                "field",
            ),
        ],
    },
    Part {
        key: "products",
        words: "products",
        tables: &[rows(
            "products",
            &[
                "id",
                "name",
                "category",
                "tags",
                "price_cents",
                "stock",
                "repeatable",
            ],
            "",
            "id",
        )],
    },
    Part {
        key: "keys",
        words: "erased customers' keys and customers' import keys",
        tables: &[
            rows("erased_keys", &["key_hash"], "", "key_hash"),
            rows(
                "import_keys",
                &["kind", "key", "id"],
                "WHERE kind <> 'order'",
                "kind, key",
            ),
        ],
    },
    Part {
        key: ORDERS,
        words: "orders",
        tables: &[
            rows("orders", &["id", "customer", "date", "channel"], "", "id"),
            rows(
                "order_lines",
                &["id", "order_id", "product", "quantity", "unit_price_cents"],
                "",
                "id",
            ),
            rows(
                "import_keys",
                &["kind", "key", "id"],
                "WHERE kind = 'order'",
                "kind, key",
            ),
        ],
    },
];

/// The digest of the shop's contents: one SHA-256 (hex) per part.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateDigest {
    /// The layout's version.
    pub v: u32,
    /// Each part's digest, by key.
    pub parts: BTreeMap<String, String>,
}

impl StateDigest {
    /// The digest as stored in the log.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a stored digest; `None` for an entry written before digests were kept (or one
    /// of a layout this build does not know).
    pub fn from_text(text: &str) -> Option<Self> {
        serde_json::from_str::<Self>(text)
            .ok()
            .filter(|d| d.v == VERSION)
    }

    /// The parts that differ from `other`, in words. A part this digest did not record
    /// (it was written before the part existed, e.g. the stated preferences before schema
    /// 12) is not compared: there is nothing to compare it with.
    pub fn differences(&self, other: &Self) -> Vec<&'static str> {
        PARTS
            .iter()
            .filter(|p| {
                self.parts
                    .get(p.key)
                    .is_some_and(|mine| other.parts.get(p.key) != Some(mine))
            })
            .map(|p| p.words)
            .collect()
    }
}

/// Hashes one part's rows. A table or column the file does not have yet (a schema
/// upgrade under way, whose write compares the shop with the digest an older version
/// recorded) is left out, exactly as that version left it out: the digest of a file is
/// the same whichever version computes it.
fn part_digest(conn: &Connection, part: &Part) -> rusqlite::Result<String> {
    let mut hasher = Sha256::new();
    for t in part.tables {
        let present: Vec<String> = conn
            .prepare_cached("SELECT name FROM pragma_table_info(?1)")?
            .query_map([t.table], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        if present.is_empty() {
            continue;
        }
        let columns: Vec<&str> = t
            .columns
            .iter()
            .copied()
            .filter(|c| present.iter().any(|p| p == c))
            .collect();
        let sql = format!(
            "SELECT {} FROM {} {} ORDER BY {}",
            columns.join(", "),
            t.table,
            t.filter,
            t.order
        );
        hasher.update((t.table.len() as u64).to_le_bytes());
        hasher.update(t.table.as_bytes());
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            hasher.update([0xFF]);
            for i in 0..columns.len() {
                hash_value(&mut hasher, row.get_ref(i)?);
            }
        }
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Feeds one value to the hash, typed and length-prefixed, so no two rows hash alike.
fn hash_value(hasher: &mut Sha256, value: ValueRef<'_>) {
    match value {
        ValueRef::Null => hasher.update([0]),
        ValueRef::Integer(i) => {
            hasher.update([1]);
            hasher.update(i.to_le_bytes());
        }
        ValueRef::Real(f) => {
            hasher.update([2]);
            hasher.update(f.to_bits().to_le_bytes());
        }
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
            hasher.update([if matches!(value, ValueRef::Text(_)) {
                3
            } else {
                4
            }]);
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        }
    }
}

/// The digest of the shop as it is now; the orders part only `with_orders` (else it is
/// left out).
pub fn digest(conn: &Connection, with_orders: bool) -> rusqlite::Result<StateDigest> {
    let mut parts = BTreeMap::new();
    for part in PARTS.iter().filter(|p| with_orders || p.key != ORDERS) {
        parts.insert(part.key.to_owned(), part_digest(conn, part)?);
    }
    Ok(StateDigest { v: VERSION, parts })
}

/// The newest entry's number and the digest it recorded (`None` when it recorded none).
pub(super) fn newest_recorded(
    conn: &Connection,
) -> rusqlite::Result<Option<(i64, Option<StateDigest>)>> {
    conn.query_row(
        "SELECT id, state FROM audit_log ORDER BY id DESC LIMIT 1",
        [],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
    )
    .optional()
    .map(|row| row.map(|(id, text)| (id, StateDigest::from_text(&text))))
}

/// What a write found when it began: the shop differed from what the newest entry recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutsideChange {
    /// The entry after which the shop was changed outside Candor.
    pub after_entry: i64,
    /// What differed, in words.
    pub parts: Vec<String>,
}

/// Called when a write begins (inside its transaction, before anything is written):
/// compares the shop with the newest entry's digest and keeps the finding, whether the
/// write may change orders, and the digest just taken, for [`for_entry`] to use. A write
/// that leaves orders alone also has the parts it touches marked as it writes them (by
/// triggers that live only on this connection), so only those are read again after it.
pub(super) fn begin(conn: &Connection, touches_orders: bool) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS candor_write (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         DELETE FROM temp.candor_write;
         CREATE TEMP TABLE IF NOT EXISTS candor_touched (part TEXT PRIMARY KEY);
         DELETE FROM temp.candor_touched;",
    )?;
    let mut put = conn.prepare("INSERT INTO temp.candor_write (key, value) VALUES (?1, ?2)")?;
    put.execute(params!["orders", touches_orders.to_string()])?;
    if let Some((after_entry, Some(recorded))) = newest_recorded(conn)? {
        let now = digest(conn, touches_orders)?;
        let mut compared = recorded.clone();
        if !touches_orders {
            compared.parts.remove(ORDERS);
            watch_touched_parts(conn)?;
            put.execute(params!["begun", now.to_text()])?;
        }
        let parts = compared.differences(&now);
        if !parts.is_empty() {
            let finding = OutsideChange {
                after_entry,
                parts: parts.into_iter().map(str::to_owned).collect(),
            };
            put.execute(params![
                "outside",
                serde_json::to_string(&finding).unwrap_or_default()
            ])?;
        }
    }
    Ok(())
}

/// Creates (once per connection) the temporary triggers that note which parts other than
/// the orders a write touches. They insert only what is not there yet rather than relying
/// on `OR IGNORE`, which SQLite replaces by the conflict handling of the statement that
/// fired the trigger (an upsert of a setting made it fail).
fn watch_touched_parts(conn: &Connection) -> rusqlite::Result<()> {
    for part in PARTS.iter().filter(|p| p.key != ORDERS) {
        for table in part.tables {
            for op in ["INSERT", "UPDATE", "DELETE"] {
                conn.execute_batch(&format!(
                    "CREATE TEMP TRIGGER IF NOT EXISTS candor_touched_{key}_{table}_{op}
                     AFTER {op} ON main.{table}
                     BEGIN INSERT INTO candor_touched (part) SELECT '{key}'
                       WHERE NOT EXISTS (SELECT 1 FROM candor_touched WHERE part = '{key}');
                     END;",
                    key = part.key,
                    table = table.table,
                    op = op.to_lowercase(),
                ))?;
            }
        }
    }
    Ok(())
}

/// The parts the write under way touched, as the triggers noted them; reading clears them.
fn take_touched(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let touched = conn
        .prepare("SELECT part FROM temp.candor_touched")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    conn.execute("DELETE FROM temp.candor_touched", [])?;
    Ok(touched)
}

/// What [`begin`] kept for the write under way. Reading it clears it.
#[derive(Default)]
struct Begun {
    /// Whether the write may change orders (`None` when it did not begin through [`begin`]).
    touches_orders: Option<bool>,
    /// What the write found when it began.
    outside: Option<OutsideChange>,
    /// The digest taken when it began (without the orders), for a write that leaves orders
    /// alone.
    digest: Option<StateDigest>,
}

fn take_begun(conn: &Connection) -> rusqlite::Result<Begun> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM temp.sqlite_master WHERE name = 'candor_write')",
        [],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(Begun::default());
    }
    let get = |key: &str| {
        conn.query_row(
            "SELECT value FROM temp.candor_write WHERE key = ?1",
            [key],
            |r| r.get::<_, String>(0),
        )
        .optional()
    };
    let begun = Begun {
        touches_orders: get("orders")?.map(|v| v == "true"),
        outside: get("outside")?.and_then(|t| serde_json::from_str(&t).ok()),
        digest: get("begun")?.and_then(|t| StateDigest::from_text(&t)),
    };
    conn.execute("DELETE FROM temp.candor_write", [])?;
    Ok(begun)
}

/// For the entry being written: what the write found when it began, and the digest to
/// record with it, every part as it is now. A write that may have changed orders (or one
/// with no earlier digest) reads every part afresh; any other carries the orders part
/// forward from the newest entry and reads again only the parts it touched, the rest being
/// as they were when it began.
pub(super) fn for_entry(
    conn: &Connection,
) -> rusqlite::Result<(Option<OutsideChange>, StateDigest)> {
    let begun = take_begun(conn)?;
    let earlier = newest_recorded(conn)?
        .and_then(|(_, d)| d)
        .and_then(|d| d.parts.get(ORDERS).cloned());
    let now = match (earlier, begun.touches_orders, begun.digest) {
        (Some(orders), Some(false), Some(mut now)) => {
            for key in take_touched(conn)? {
                if let Some(part) = PARTS.iter().find(|p| p.key == key) {
                    now.parts.insert(key, part_digest(conn, part)?);
                }
            }
            now.parts.insert(ORDERS.to_owned(), orders);
            now
        }
        _ => digest(conn, true)?,
    };
    Ok((begun.outside, now))
}

/// The tables the digest covers and their columns, for checking that a new column is not
/// left out.
pub fn covered_columns() -> Vec<(&'static str, &'static str)> {
    PARTS
        .iter()
        .flat_map(|p| p.tables)
        .flat_map(|t| t.columns.iter().map(move |c| (t.table, *c)))
        .collect()
}
