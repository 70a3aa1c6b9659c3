//! The owner's passphrase: set up deliberately (see [`super::owner_setup`]), stored only
//! as a salted Argon2 hash in the shop file, checked before owner-only actions. Every
//! refusal is logged; after a few wrong ones in a row, each further try must wait, longer
//! each time.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordVerifier};
use rusqlite::params;

use super::apply::{ApplyError, Attribution, SubjectEvent};
use super::{Store, StoreError};

/// The `shop_settings` key holding the Argon2 hash (a PHC string, salt included).
pub(super) const KEY: &str = "owner_passphrase";

/// `shop_settings` keys counting wrong passphrases in a row, and when the last was given.
const FAILED_KEY: &str = "owner_failed_tries";
const LAST_FAILED_KEY: &str = "owner_last_failed_at";

/// Wrong passphrases allowed in a row before each further try must wait.
pub const FREE_TRIES: u32 = 3;

/// How many seconds the next try must wait after `failed` wrong passphrases in a row:
/// none for the first [`FREE_TRIES`], then 5 seconds, doubling with each, at most an hour.
pub fn wait_after(failed: u32) -> u64 {
    match failed.checked_sub(FREE_TRIES) {
        None => 0,
        Some(extra) => 5u64.saturating_mul(1u64 << extra.min(20)).min(3600),
    }
}

/// The shortest passphrase accepted.
pub const MIN_PASSPHRASE: usize = 12;

/// The fewest different characters a passphrase must use (`aaaaaaaaaaaa` is long, not
/// strong).
const MIN_DISTINCT: usize = 5;

/// Why a new owner's passphrase is too weak to set, if it is: shorter than
/// [`MIN_PASSPHRASE`] characters, or made of fewer than five different characters.
pub fn passphrase_problem(passphrase: &str) -> Option<String> {
    let distinct: std::collections::HashSet<char> = passphrase.chars().collect();
    if passphrase.chars().count() < MIN_PASSPHRASE {
        Some(format!(
            "the owner's passphrase must be at least {MIN_PASSPHRASE} characters long (a few unrelated words are easy to remember and hard to guess)"
        ))
    } else if distinct.len() < MIN_DISTINCT {
        Some(format!(
            "the owner's passphrase must use at least {MIN_DISTINCT} different characters"
        ))
    } else {
        None
    }
}

/// Whether the shop has an owner: none yet, one set up, or one whose passphrase was
/// removed from the file outside Candor (the log records a set-up, the hash is gone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnerState {
    /// No owner was ever set up.
    NotSetUp,
    /// The owner is set up.
    SetUp,
    /// The log says the owner was set up (on this day) but the passphrase is gone.
    Removed(String),
    /// The stored passphrase hash is not the one the log says was set (on this day): it
    /// was replaced outside Candor.
    Replaced(String),
    /// The file has a passphrase but its log holds no record of an owner being set up:
    /// entries were removed from the log, or the passphrase was pasted in.
    Unrecorded,
}

impl OwnerState {
    /// What is wrong with the owner's passphrase in words, unless it is set up as the log
    /// says or not at all.
    pub fn problem(&self) -> Option<String> {
        match self {
            Self::NotSetUp | Self::SetUp => None,
            Self::Removed(on) => Some(format!(
                "the owner's passphrase set up on {on} was removed from the file outside Candor"
            )),
            Self::Replaced(on) => Some(format!(
                "the owner's passphrase is not the one set up on {on}: it was replaced outside Candor"
            )),
            Self::Unrecorded => Some(
                "the file has an owner's passphrase but its audit log holds no record of the owner being set up: entries were removed from the log, or the passphrase was pasted in from elsewhere".to_owned(),
            ),
        }
    }
}

/// A short fingerprint of a stored passphrase hash, written into the log entry that sets
/// it, so a hash pasted in from elsewhere is noticed. It reveals nothing of the passphrase
/// (it is a hash of a salted hash).
pub fn hash_fingerprint(stored: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(stored.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The words in a set-up entry's detail that carry the fingerprint.
pub(super) const FINGERPRINT_MARK: &str = "passphrase fingerprint ";

/// The log's event kinds that record the owner being set up (or set again).
pub const OWNER_SET_EVENTS: [&str; 4] = [
    "owner_passphrase_set",
    "owner_set_up",
    "owner_passphrase_changed",
    "owner_reset_with_code",
];

/// The day of the last entry in `log` that set up the owner, with the passphrase
/// fingerprint it recorded (entries from before fingerprints have none).
fn last_set_up(log: &[super::LogEntry]) -> Option<(String, Option<String>)> {
    let entry = log.iter().rev().find(|e| {
        e.event
            .as_ref()
            .is_some_and(|ev| OWNER_SET_EVENTS.contains(&ev.kind.as_str()))
    })?;
    let fingerprint = entry.event.as_ref().and_then(|ev| {
        ev.detail
            .split(FINGERPRINT_MARK)
            .nth(1)
            .map(|rest| rest.chars().take(16).collect())
    });
    Some((
        entry.at.get(..10).unwrap_or(&entry.at).to_owned(),
        fingerprint,
    ))
}

impl Store {
    /// Whether the shop has a customer with this number.
    pub fn has_customer(&self, customer: i64) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?1)",
                params![customer],
                |r| r.get(0),
            )
            .map_err(|e| StoreError::sqlite(&self.path, e))
    }

    /// Whether the shop holds a record of this customer number, or the audit log keeps
    /// values about it (a new customer taken back by an undo): either can be erased.
    pub fn knows_customer(&self, customer: i64) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?1)
                     OR EXISTS (SELECT 1 FROM log_value_owners WHERE customer = ?1)",
                params![customer],
                |r| r.get(0),
            )
            .map_err(|e| StoreError::sqlite(&self.path, e))
    }

    /// Whether the owner has set a passphrase in this shop file.
    pub fn owner_passphrase_is_set(&self) -> Result<bool, StoreError> {
        self.stored_hash().map(|h| h.is_some())
    }

    /// Whether the shop's owner is set up, not yet, or removed behind Candor's back.
    pub fn owner_state(&self) -> Result<OwnerState, StoreError> {
        self.owner_state_in(&self.log()?)
    }

    /// [`Self::owner_state`], from the log already read as `log`.
    pub fn owner_state_in(&self, log: &[super::LogEntry]) -> Result<OwnerState, StoreError> {
        Ok(match (self.stored_hash()?, last_set_up(log)) {
            (None, None) => OwnerState::NotSetUp,
            (Some(_), None) => OwnerState::Unrecorded,
            (None, Some((day, _))) => OwnerState::Removed(day),
            (Some(stored), Some((day, Some(print)))) if print != hash_fingerprint(&stored) => {
                OwnerState::Replaced(day)
            }
            (Some(_), _) => OwnerState::SetUp,
        })
    }

    pub(super) fn stored_hash(&self) -> Result<Option<String>, StoreError> {
        self.setting(KEY)
    }

    /// Whether `given` is the owner's passphrase; neither logged nor counted as a try (for
    /// refusing it as another secret, after the owner was checked).
    pub(super) fn owner_passphrase_is(&self, given: &str) -> Result<bool, StoreError> {
        Ok(self.stored_hash()?.is_some_and(|stored| {
            PasswordHash::new(&stored).is_ok_and(|parsed| {
                Argon2::default()
                    .verify_password(given.as_bytes(), &parsed)
                    .is_ok()
            })
        }))
    }

    /// One `shop_settings` value, if the file has it.
    pub(super) fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        super::setting(&self.conn, key).map_err(|e| StoreError::sqlite(&self.path, e))
    }

    /// Checks the owner's passphrase for `action`. A wrong passphrase is refused and the
    /// refusal is logged (who, when, for what); a shop without an owner refuses every
    /// owner action until the owner is set up.
    pub fn check_owner(
        &mut self,
        passphrase: &str,
        who: &Attribution,
        action: &str,
    ) -> Result<(), ApplyError> {
        self.require_owner_set_up()?;
        match self.stored_hash()? {
            Some(stored) => {
                self.check_against(&stored, passphrase, who, action)?;
                self.unlock_signing_key(passphrase, who)
            }
            // Removed between the two reads: never an owner without a check.
            None => Err(ApplyError::NoOwner),
        }
    }

    /// Refuses, saying how to set one up, unless the shop's owner is set up.
    pub fn require_owner_set_up(&self) -> Result<(), ApplyError> {
        match self.owner_state()? {
            OwnerState::SetUp => Ok(()),
            OwnerState::NotSetUp => Err(ApplyError::NoOwner),
            OwnerState::Removed(on) => Err(ApplyError::OwnerRemoved(on)),
            OwnerState::Replaced(on) => Err(ApplyError::OwnerReplaced(on)),
            OwnerState::Unrecorded => Err(ApplyError::OwnerUnrecorded),
        }
    }
}

/// Which of the owner's secrets is being checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Secret {
    /// The passphrase.
    Passphrase,
    /// The recovery code, which can reset the passphrase.
    RecoveryCode,
}

impl Secret {
    fn words(self) -> &'static str {
        match self {
            Self::Passphrase => "owner passphrase",
            Self::RecoveryCode => "owner's recovery code",
        }
    }
}

impl Store {
    /// Checks the owner's passphrase against the stored hash, unless too many wrong ones
    /// in a row mean the try must wait. A wrong one is counted and logged with the wait it
    /// causes; the right one clears the count.
    pub(super) fn check_against(
        &mut self,
        stored: &str,
        passphrase: &str,
        who: &Attribution,
        action: &str,
    ) -> Result<(), ApplyError> {
        self.check_secret(Secret::Passphrase, stored, passphrase, who, action)
    }

    /// Checks `given` against the stored hash of a `secret`, slowed and logged as
    /// [`Self::check_against`] says; wrong passphrases and wrong codes count together.
    pub(super) fn check_secret(
        &mut self,
        secret: Secret,
        stored: &str,
        given: &str,
        who: &Attribution,
        action: &str,
    ) -> Result<(), ApplyError> {
        // A try that could not be logged is not checked: every guess is counted.
        self.check_writable(who, "record a refused owner's passphrase")?;
        let (failed, last) = self.failed_tries()?;
        let now = chrono::Utc::now();
        let wait = wait_after(failed);
        if let Some(last) = last {
            // A last failure "in the future" (the clock moved back) waits the whole time.
            let waited =
                u64::try_from((now - last.with_timezone(&chrono::Utc)).num_seconds()).unwrap_or(0);
            if waited < wait {
                return Err(ApplyError::TryLater(wait - waited));
            }
        }
        let parsed =
            PasswordHash::new(stored).map_err(|e| ApplyError::Passphrase(e.to_string()))?;
        if Argon2::default()
            .verify_password(given.as_bytes(), &parsed)
            .is_ok()
        {
            if failed > 0 {
                self.clear_failed_tries()?;
            }
            return Ok(());
        }
        let failed = failed + 1;
        let next = wait_after(failed);
        let detail = if next == 0 {
            format!("a wrong {} was given, for: {action}", secret.words())
        } else {
            format!(
                "a wrong {} was given, for: {action} ({failed} in a row: the next try must wait {next} seconds)",
                secret.words()
            )
        };
        let at = now.to_rfc3339();
        self.record_event_with(
            who,
            SubjectEvent::new("owner_refused", None, detail),
            |tx| {
                tx.execute(
                    "INSERT OR REPLACE INTO shop_settings (key, value) VALUES (?1, ?2), (?3, ?4)",
                    params![FAILED_KEY, failed.to_string(), LAST_FAILED_KEY, at],
                )
                .map(|_| ())
            },
        )?;
        Err(match secret {
            Secret::Passphrase => ApplyError::NotOwner,
            Secret::RecoveryCode => ApplyError::WrongRecoveryCode,
        })
    }

    /// Wrong passphrases given in a row, and when the last was. Someone who can edit the
    /// file can delete these (the README says so): they slow guessing through Candor.
    fn failed_tries(
        &self,
    ) -> Result<(u32, Option<chrono::DateTime<chrono::FixedOffset>>), StoreError> {
        let failed = self
            .setting(FAILED_KEY)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let last = self
            .setting(LAST_FAILED_KEY)?
            .and_then(|v| chrono::DateTime::parse_from_rfc3339(&v).ok());
        Ok((failed, last))
    }

    fn clear_failed_tries(&mut self) -> Result<(), StoreError> {
        self.conn
            .execute(
                "DELETE FROM shop_settings WHERE key IN (?1, ?2)",
                params![FAILED_KEY, LAST_FAILED_KEY],
            )
            .map(|_| ())
            .map_err(|e| StoreError::sqlite(&self.path, e))
    }
}
