//! The shop file's schema, as ordered migrations. Never edit a released migration:
//! add a new one, so older shop files upgrade step by step.

use rusqlite_migration::{M, Migrations};

/// `PRAGMA application_id` of a Candor shop file ("CAND" in ASCII).
pub const APPLICATION_ID: i32 = 0x4341_4E44;

/// Every plain-SQL migration, oldest first; later ones with code follow in [`migrations`].
const MIGRATIONS: &[&str] = &[
    // 1: the shop itself.
    "CREATE TABLE shop_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE customers (
        id INTEGER PRIMARY KEY, name TEXT, email TEXT, phone TEXT, address TEXT,
        postcode TEXT, birth_date TEXT, gender TEXT, since TEXT NOT NULL, source TEXT NOT NULL);
     CREATE TABLE field_sources (
        customer INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        field TEXT NOT NULL, source TEXT NOT NULL, recorded_on TEXT NOT NULL,
        PRIMARY KEY (customer, field));
     CREATE TABLE products (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '', price_cents INTEGER NOT NULL,
        stock INTEGER NOT NULL, repeatable INTEGER NOT NULL);
     CREATE TABLE orders (
        id INTEGER PRIMARY KEY, customer INTEGER REFERENCES customers(id),
        date TEXT NOT NULL, channel TEXT NOT NULL);
     CREATE TABLE order_lines (
        id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id),
        product INTEGER NOT NULL REFERENCES products(id),
        quantity INTEGER NOT NULL, unit_price_cents INTEGER NOT NULL);
     CREATE TABLE purposes (id TEXT PRIMARY KEY, label TEXT NOT NULL, description TEXT NOT NULL);
     CREATE TABLE consents (
        id INTEGER PRIMARY KEY, customer INTEGER NOT NULL REFERENCES customers(id),
        purpose TEXT NOT NULL REFERENCES purposes(id), granted INTEGER NOT NULL,
        at TEXT NOT NULL, method TEXT NOT NULL, recorded_by TEXT NOT NULL);
     CREATE TABLE rules (position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, definition TEXT NOT NULL);
     CREATE TABLE personal_fields (
        field TEXT PRIMARY KEY, field_group TEXT NOT NULL, label TEXT NOT NULL,
        description TEXT NOT NULL, retention_days INTEGER, kept_for TEXT,
        sensitive INTEGER NOT NULL);",
    // 2: indexes for loading and per-customer look-ups, and the audit log of changes.
    "CREATE INDEX orders_by_customer ON orders(customer);
     CREATE INDEX order_lines_by_order ON order_lines(order_id);
     CREATE INDEX consents_by_customer ON consents(customer);
     CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL,
        reason TEXT NOT NULL, entry TEXT NOT NULL);",
];

/// 3: the audit log's hash chain; entries written before it are chained on upgrade.
const CHAIN: &str = "ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
     ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';";

/// 4: the customer's own words with a consent decision.
const CONSENT_WORDS: &str = "ALTER TABLE consents ADD COLUMN words TEXT;";

/// 5: imports. Each imported customer, product and order keeps the key it had in the
/// file it came from (e.g. "shopify:#1001"; a customer's only as a one-way hash), so
/// importing the same export again changes nothing. An erased customer's key hashes move
/// to `erased_keys`, so a later import cannot bring them back.
const IMPORT_KEYS: &str = "CREATE TABLE import_keys (
        kind TEXT NOT NULL, key TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (kind, key));
     CREATE INDEX import_keys_by_id ON import_keys(kind, id);
     CREATE TABLE erased_keys (key_hash TEXT PRIMARY KEY);";

/// 6: when each consent decision was recorded (real time, UTC) and, where a source says
/// so, when the customer decided. Decisions recorded before this version have neither:
/// their order of recording (`id`) is what decides which one is current.
const CONSENT_TIMES: &str = "ALTER TABLE consents ADD COLUMN recorded_at TEXT;
     ALTER TABLE consents ADD COLUMN decided_on TEXT;";

/// 7: the personal values of the audit log, kept apart from the entries (see
/// [`super::sealed`]; `AUTOINCREMENT`, so the id of an erased value is never given to
/// another). Entries written before it are sealed on upgrade and the chain is
/// re-sealed once, which is refused when the log is not intact (it would hide that).
const LOG_VALUES: &str = "CREATE TABLE log_values (
        id INTEGER PRIMARY KEY AUTOINCREMENT, salt TEXT NOT NULL, value TEXT NOT NULL);
     CREATE TABLE log_value_owners (
        value INTEGER NOT NULL REFERENCES log_values(id), customer INTEGER NOT NULL, field TEXT);
     CREATE INDEX log_value_owners_by_customer ON log_value_owners(customer, field);
     CREATE INDEX log_value_owners_by_value ON log_value_owners(value);";

/// 8: prices that are not known (an export without prices): `price_cents` and
/// `unit_price_cents` may be NULL. SQLite cannot drop a NOT NULL, so both tables are
/// rebuilt, the new lines referring to the new products, whose renaming carries the
/// reference along, so no row is ever without its product.
const UNKNOWN_PRICES: &str = "CREATE TABLE products_new (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '', price_cents INTEGER,
        stock INTEGER NOT NULL, repeatable INTEGER NOT NULL);
     INSERT INTO products_new SELECT id, name, category, tags, price_cents, stock, repeatable
        FROM products;
     CREATE TABLE order_lines_new (
        id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id),
        product INTEGER NOT NULL REFERENCES products_new(id),
        quantity INTEGER NOT NULL, unit_price_cents INTEGER);
     INSERT INTO order_lines_new SELECT id, order_id, product, quantity, unit_price_cents
        FROM order_lines;
     DROP TABLE order_lines;
     DROP TABLE products;
     ALTER TABLE products_new RENAME TO products;
     ALTER TABLE order_lines_new RENAME TO order_lines;
     CREATE INDEX order_lines_by_order ON order_lines(order_id);";

/// 9: the personal-data fields each purpose covers (purpose limitation). A file written
/// before it declares, for each purpose, the fields its switched-on rules read at the
/// upgrade, so no customer's recommendations change by upgrading; the owner narrows or
/// widens them afterwards.
const PURPOSE_FIELDS: &str = "ALTER TABLE purposes ADD COLUMN fields TEXT NOT NULL DEFAULT '';";

/// 10: the shop's own random secret for keyed hashes of customers' keys (see
/// [`super::keys`]); SQLite's `randomblob` draws from its ChaCha20 generator seeded by the
/// operating system.
const KEY_HASH_SECRET: &str = "INSERT OR IGNORE INTO shop_settings (key, value)
     VALUES ('key_hash_secret', lower(hex(randomblob(32))));";

/// 11: the digest of the shop's contents after each entry (see [`super::state`]); entries
/// written before it have none, and the contents are checked from the first entry after.
const STATE_DIGESTS: &str = "ALTER TABLE audit_log ADD COLUMN state TEXT NOT NULL DEFAULT '';";

/// 13: the owner's signatures on audit-log entries (see [`super::signing`]), beside the log
/// so that an entry's hash, which they sign, is what it was.
const SIGNATURES: &str = "CREATE TABLE audit_signatures (
        entry INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, signature TEXT NOT NULL,
        PRIMARY KEY (entry, kind));";

/// 12: what customers told the shop they like, do not want, or want left out (see
/// [`crate::engine::preferences`]); each decision kept, the one recorded last standing.
/// And with each consent decision, the words the customer was shown (GDPR Art. 7(1));
/// decisions recorded before have none.
const PREFERENCES_TABLE: &str = "CREATE TABLE preferences (
        id INTEGER PRIMARY KEY AUTOINCREMENT, customer INTEGER NOT NULL REFERENCES customers(id),
        preference TEXT NOT NULL, withdrawn INTEGER NOT NULL, recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL, method TEXT NOT NULL, words TEXT,
        lifted_by TEXT NOT NULL DEFAULT '');
     CREATE INDEX preferences_by_customer ON preferences(customer);
     ALTER TABLE consents ADD COLUMN wording TEXT;";

/// 12, for a file that already holds a shop: the catalogue entry of the new field. The
/// shop's log records the upgrade, so the next write does not take the new entry for a
/// change made outside Candor, and one made before the upgrade still shows.
fn add_preferences(tx: &rusqlite::Transaction) -> Result<(), rusqlite_migration::HookError> {
    let holds_a_shop: bool =
        tx.query_row("SELECT EXISTS (SELECT 1 FROM personal_fields)", [], |r| {
            r.get(0)
        })?;
    let logged = holds_a_shop && super::state::newest_recorded(tx)?.is_some();
    if logged {
        // Compared as version 11 wrote it, before the new table and column exist.
        super::state::begin(tx, true)?;
    }
    tx.execute_batch(PREFERENCES_TABLE)?;
    if !holds_a_shop {
        return Ok(());
    }
    let field = crate::shopgen::catalogue::fields()
        .into_iter()
        .filter(|f| f.field == crate::engine::model::PersonalField::Preferences)
        .collect::<Vec<_>>();
    super::write::insert_fields(tx, &field)?;
    if logged {
        let event = super::apply::SubjectEvent::new(
            UPGRADE_EVENT,
            None,
            "the shop file can now hold customers' stated preferences: a new personal-data field, \"Stated preferences\", was added to the catalogue".to_owned(),
        );
        super::apply::append_entry(
            tx,
            &super::apply::Attribution::now("Candor", "upgrading the shop file"),
            &super::apply::EntryBody::event(event),
        )?;
    }
    Ok(())
}

/// The kind of the audit-log event that records an upgrade which changed the shop's
/// contents.
pub const UPGRADE_EVENT: &str = "file_upgraded";

/// Declares, for each purpose of an upgraded file, the fields its rules read.
fn declare_purpose_fields(
    conn: &rusqlite::Connection,
) -> Result<(), rusqlite_migration::HookError> {
    let rules = super::load::load_rules(conn).map_err(|e| {
        rusqlite_migration::HookError::Hook(format!("a rule cannot be read: {e:?}"))
    })?;
    let mut purposes = super::load::load_purposes(conn).map_err(|e| {
        rusqlite_migration::HookError::Hook(format!("a purpose cannot be read: {e:?}"))
    })?;
    for purpose in &mut purposes {
        let mut fields: Vec<_> = rules
            .iter()
            .filter(|r| r.enabled && r.purpose == purpose.id)
            .flat_map(crate::engine::rules::Rule::fields)
            .collect();
        fields.sort();
        fields.dedup();
        purpose.fields = fields;
    }
    super::write::write_purposes(conn, &purposes)?;
    Ok(())
}

/// The migrations, ready to run.
pub fn migrations() -> Migrations<'static> {
    let mut all: Vec<M<'static>> = MIGRATIONS.iter().map(|sql| M::up(sql)).collect();
    all.push(M::up_with_hook(CHAIN, |tx: &rusqlite::Transaction| {
        super::chain::rechain_all(tx).map_err(rusqlite_migration::HookError::from)
    }));
    all.push(M::up(CONSENT_WORDS));
    all.push(M::up(IMPORT_KEYS));
    all.push(M::up(CONSENT_TIMES));
    all.push(M::up_with_hook(LOG_VALUES, |tx: &rusqlite::Transaction| {
        super::apply::seal_existing_entries(tx)
    }));
    all.push(M::up(UNKNOWN_PRICES));
    all.push(M::up_with_hook(
        PURPOSE_FIELDS,
        |tx: &rusqlite::Transaction| declare_purpose_fields(tx),
    ));
    all.push(M::up(KEY_HASH_SECRET));
    all.push(M::up(STATE_DIGESTS));
    all.push(M::up_with_hook("", add_preferences));
    all.push(M::up(SIGNATURES));
    Migrations::new(all)
}

/// The schema version this build writes and understands.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64 + 11
}
