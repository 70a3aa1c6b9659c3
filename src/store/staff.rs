//! The shop's staff list: the names people act under. Each addition is one logged entry;
//! once the list holds a name, every write must be made under a name on it, or by the owner
//! signed in (whose passphrase was checked, see [`super::signing`]). A shop without a list
//! takes any name, as before.

use rusqlite::params;

use super::apply::{ApplyError, Attribution, SubjectEvent};
use super::{Store, StoreError};

/// The `shop_settings` key holding the list (a JSON array of names, in the order added).
const KEY: &str = "staff_names";

/// The event kind of an addition.
pub const STAFF_ADDED: &str = "staff_added";

/// The event kind of a removal.
pub const STAFF_REMOVED: &str = "staff_removed";

/// The action of an addition, which any name may make (it is the name being added).
pub(super) const ADD_ACTION: &str = "add a name to the staff list";

/// The action of making the signing key of an owner set up before keys existed, right
/// after their passphrase was checked.
pub(super) const KEY_MADE_ACTION: &str = "make the owner's signing key";

/// The writes any name may make: setting up or resetting the owner, making their key (the
/// passphrase was just checked), a refused passphrase (a guess is recorded under whatever
/// name was given), adding oneself to the list, and a restore (the owner's passphrase was
/// checked on the shop; the backup's own list may be older).
const ANY_NAME: [&str; 6] = [
    "set up the owner",
    "change the owner's passphrase",
    KEY_MADE_ACTION,
    "record a refused owner's passphrase",
    ADD_ACTION,
    "restore a backup",
];

impl Store {
    /// The names on the shop's staff list, in the order they were added.
    pub fn staff_names(&self) -> Result<Vec<String>, StoreError> {
        let Some(text) = self.setting(KEY)? else {
            return Ok(Vec::new());
        };
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            table: "shop_settings",
            row: KEY.to_owned(),
            detail: format!("the staff list cannot be read: {e}"),
        })
    }

    /// Adds `name` to the staff list, recorded as one entry made by `name` themselves.
    pub fn add_staff_name(&mut self, name: &str, reason: &str) -> Result<i64, ApplyError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ApplyError::Unattributed("who"));
        }
        let mut names = self.staff_names()?;
        if names
            .iter()
            .any(|n| n.to_lowercase() == name.to_lowercase())
        {
            return Err(ApplyError::NotOnStaffList(format!(
                "\u{201c}{name}\u{201d} is on the staff list already"
            )));
        }
        names.push(name.to_owned());
        let event = SubjectEvent::new(
            STAFF_ADDED,
            None,
            format!("added {name} to the shop's staff list"),
        );
        self.record_staff_list(&names, &Attribution::now(name, reason), event)
    }

    /// Takes `name` off the staff list (someone who left), recorded with `who`; the owner
    /// only (signed in: the passphrase was checked in this process).
    pub fn remove_staff_name(&mut self, name: &str, who: &Attribution) -> Result<i64, ApplyError> {
        if !super::signing::owner_signed_in(&self.conn)
            .map_err(|e| ApplyError::Store(StoreError::sqlite(&self.path, e)))?
        {
            return Err(ApplyError::NotOnStaffList(
                "only the owner can take a name off the staff list".to_owned(),
            ));
        }
        let name = name.trim();
        let mut names = self.staff_names()?;
        let before = names.len();
        names.retain(|n| n != name);
        if names.len() == before {
            return Err(ApplyError::NotOnStaffList(format!(
                "\u{201c}{name}\u{201d} is not on the staff list"
            )));
        }
        if names.is_empty() {
            return Err(ApplyError::NotOnStaffList(format!(
                "\u{201c}{name}\u{201d} is the last name on the staff list: add the next person's name first (a shop without a list takes any name)"
            )));
        }
        let event = SubjectEvent::new(
            STAFF_REMOVED,
            None,
            format!("took {name} off the shop's staff list"),
        );
        self.record_staff_list(&names, who, event)
    }

    /// Writes `names` as the staff list with `event` as its entry, in one transaction.
    fn record_staff_list(
        &mut self,
        names: &[String],
        who: &Attribution,
        event: SubjectEvent,
    ) -> Result<i64, ApplyError> {
        let list = serde_json::Value::from(names.to_vec()).to_string();
        self.record_event_with(who, event, |tx| {
            tx.execute(
                "INSERT OR REPLACE INTO shop_settings (key, value) VALUES (?1, ?2)",
                params![KEY, list],
            )
            .map(|_| ())
        })
    }

    /// Refuses a write under a name not on the staff list, once the shop keeps one, unless
    /// the owner is signed in or the write is one any name may make.
    pub(super) fn check_staff_name(
        &self,
        who: &Attribution,
        action: &str,
    ) -> Result<(), ApplyError> {
        if ANY_NAME.contains(&action) {
            return Ok(());
        }
        let names = self.staff_names()?;
        let actor = who.actor.trim();
        if names.is_empty() || names.iter().any(|n| n == actor) {
            return Ok(());
        }
        if super::signing::owner_signed_in(&self.conn)
            .map_err(|e| ApplyError::Store(StoreError::sqlite(&self.path, e)))?
        {
            return Ok(());
        }
        Err(ApplyError::NotOnStaffList(format!(
            "\u{201c}{actor}\u{201d} is not on this shop's staff list ({}): act under a name on it, or add yours first (candor staff --db FILE --add NAME, or in the window; the owner's own commands, which ask for the passphrase, take any name)",
            crate::engine::words::and_list(&names)
        )))
    }
}
