//! The owner's passphrase: set on first use, stored only as a salted Argon2 hash in the
//! shop file, checked before owner-only actions. Every refusal is logged.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use password_hash::rand_core::OsRng;
use rusqlite::{OptionalExtension, params};

use super::apply::{ApplyError, Attribution, SubjectEvent};
use super::{Store, StoreError};

/// The `shop_settings` key holding the Argon2 hash (a PHC string, salt included).
const KEY: &str = "owner_passphrase";

/// The shortest passphrase accepted.
pub const MIN_PASSPHRASE: usize = 8;

/// Whether the owner's passphrase was accepted, set, or refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnerCheck {
    /// It matched.
    Accepted,
    /// There was none; this one is now the owner's passphrase.
    Set,
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

    /// Whether the owner has set a passphrase in this shop file.
    pub fn owner_passphrase_is_set(&self) -> Result<bool, StoreError> {
        self.stored_hash().map(|h| h.is_some())
    }

    fn stored_hash(&self) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row(
                "SELECT value FROM shop_settings WHERE key = ?1",
                params![KEY],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| StoreError::sqlite(&self.path, e))
    }

    /// Checks the owner's passphrase for `action`; on first use, sets it. A wrong
    /// passphrase is refused and the refusal is logged (who, when, for what).
    pub fn check_owner(
        &mut self,
        passphrase: &str,
        who: &Attribution,
        action: &str,
    ) -> Result<OwnerCheck, ApplyError> {
        let event = |kind: &str, detail: String| SubjectEvent::new(kind, None, detail);
        match self.stored_hash()? {
            None => {
                if passphrase.chars().count() < MIN_PASSPHRASE {
                    return Err(ApplyError::WeakPassphrase(MIN_PASSPHRASE));
                }
                let salt = SaltString::generate(&mut OsRng);
                let hash = Argon2::default()
                    .hash_password(passphrase.as_bytes(), &salt)
                    .map_err(|e| ApplyError::Passphrase(e.to_string()))?
                    .to_string();
                self.record_event_with(
                    who,
                    event(
                        "owner_passphrase_set",
                        format!("the owner's passphrase was set, for: {action}"),
                    ),
                    |tx| {
                        tx.execute(
                            "INSERT OR REPLACE INTO shop_settings (key, value) VALUES (?1, ?2)",
                            params![KEY, hash],
                        )
                        .map(|_| ())
                    },
                )?;
                Ok(OwnerCheck::Set)
            }
            Some(stored) => {
                let parsed = PasswordHash::new(&stored)
                    .map_err(|e| ApplyError::Passphrase(e.to_string()))?;
                if Argon2::default()
                    .verify_password(passphrase.as_bytes(), &parsed)
                    .is_ok()
                {
                    return Ok(OwnerCheck::Accepted);
                }
                self.record_event(
                    who,
                    event(
                        "owner_refused",
                        format!("a wrong owner passphrase was given, for: {action}"),
                    ),
                )?;
                Err(ApplyError::NotOwner)
            }
        }
    }
}
