//! Setting up the shop's owner deliberately: the first passphrase with a recovery code
//! (a second secret, shown once, that can reset a forgotten passphrase), changing the
//! passphrase with the current one, and resetting it with the code. Each is one logged
//! transaction; only hashes are stored.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, SaltString};
use password_hash::rand_core::{OsRng, RngCore};
use rusqlite::params;

use super::Store;
use super::apply::{ApplyError, Attribution, SubjectEvent};
use super::owner::{
    FINGERPRINT_MARK, KEY, OwnerState, Secret, hash_fingerprint, passphrase_problem,
};

/// The `shop_settings` key holding the Argon2 hash of the recovery code.
const RECOVERY_KEY: &str = "owner_recovery_code";

/// The letters a recovery code is written with (Crockford's base 32: no I, L, O or U,
/// so it reads back unambiguously from paper).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a recovery code (20 × 5 bits = 100 random bits).
const CODE_LEN: usize = 20;

/// A new recovery code from the operating system's random source, written in groups of
/// five: `7KQ2M-…`.
pub fn new_recovery_code() -> String {
    let mut bytes = [0u8; CODE_LEN];
    OsRng.fill_bytes(&mut bytes);
    let letters: Vec<char> = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect();
    letters
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A recovery code as typed, made comparable: case, spaces and dashes ignored, and the
/// letters people confuse with digits read as those digits (O as 0, I and L as 1).
pub fn normalize_recovery_code(typed: &str) -> String {
    typed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

fn hash(secret: &str) -> Result<String, ApplyError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApplyError::Passphrase(e.to_string()))
}

impl Store {
    /// Sets up the owner with `passphrase` in a shop that has none, returning the recovery
    /// code to show once. A shop whose passphrase was removed outside Candor may be set up
    /// again; the log entry says it had been removed.
    pub fn set_up_owner(
        &mut self,
        passphrase: &str,
        who: &Attribution,
    ) -> Result<String, ApplyError> {
        let detail = match self.owner_state()? {
            OwnerState::SetUp => return Err(ApplyError::OwnerAlreadySetUp),
            OwnerState::Replaced(on) => return Err(ApplyError::OwnerReplaced(on)),
            OwnerState::Unrecorded => return Err(ApplyError::OwnerUnrecorded),
            OwnerState::NotSetUp => "with a passphrase and a recovery code".to_owned(),
            OwnerState::Removed(on) if self.setting(RECOVERY_KEY)?.is_some() => {
                return Err(ApplyError::UseRecoveryCode(on));
            }
            OwnerState::Removed(on) => format!(
                "again: the passphrase set up on {on} had been removed from the file outside Candor"
            ),
        };
        let event = SubjectEvent::new("owner_set_up", None, detail);
        self.store_owner_secrets(passphrase, who, event, Store::FIRST)
    }

    /// Changes the owner's passphrase, given the current one (checked, slowed and logged
    /// like any owner action); returns a new recovery code, the old one no longer works.
    pub fn change_owner_passphrase(
        &mut self,
        current: &str,
        new: &str,
        who: &Attribution,
    ) -> Result<String, ApplyError> {
        if let Some(problem) = passphrase_problem(new) {
            return Err(ApplyError::WeakPassphrase(problem));
        }
        self.check_owner(current, who, "changing the owner's passphrase")?;
        let event = SubjectEvent::new(
            "owner_passphrase_changed",
            None,
            "with the current passphrase; a new recovery code was made".to_owned(),
        );
        self.store_owner_secrets(new, who, event, Store::REPLACE)
    }

    /// Resets a forgotten passphrase with the recovery code (checked, slowed and logged
    /// like a passphrase); returns a new recovery code, the old one no longer works.
    pub fn reset_owner_with_code(
        &mut self,
        code: &str,
        new: &str,
        who: &Attribution,
    ) -> Result<String, ApplyError> {
        if let Some(problem) = passphrase_problem(new) {
            return Err(ApplyError::WeakPassphrase(problem));
        }
        let state = self.owner_state()?;
        if state == OwnerState::NotSetUp {
            return Err(ApplyError::NoOwner);
        }
        // A passphrase removed or replaced outside Candor is what the code is for too.
        let stored = self
            .setting(RECOVERY_KEY)?
            .ok_or(ApplyError::NoRecoveryCode)?;
        let action = "resetting the owner's passphrase";
        let code = normalize_recovery_code(code);
        self.check_secret(Secret::RecoveryCode, &stored, &code, who, action)?;
        // What was wrong is kept in the entry: the reset ends the warning, not the record.
        let detail = match state.problem() {
            Some(problem) => format!(
                "with the recovery code, after Candor found that {problem}; a new recovery code was made"
            ),
            None => "with the recovery code; a new recovery code was made".to_owned(),
        };
        let event = SubjectEvent::new("owner_reset_with_code", None, detail);
        self.store_owner_secrets(new, who, event, Store::REPLACE)
    }

    /// Writes the first owner's secrets: fails if another was set up meanwhile.
    const FIRST: &'static str = "INSERT INTO shop_settings (key, value) VALUES (?1, ?2)";
    /// Writes over the owner's secrets.
    const REPLACE: &'static str =
        "INSERT OR REPLACE INTO shop_settings (key, value) VALUES (?1, ?2)";

    /// Stores the hashes of `passphrase` and of a new recovery code with `event` (which
    /// gains the hash's fingerprint) in one logged transaction, and returns the code.
    fn store_owner_secrets(
        &mut self,
        passphrase: &str,
        who: &Attribution,
        mut event: SubjectEvent,
        sql: &'static str,
    ) -> Result<String, ApplyError> {
        if let Some(problem) = passphrase_problem(passphrase) {
            return Err(ApplyError::WeakPassphrase(problem));
        }
        let code = new_recovery_code();
        let (passphrase_hash, code_hash) =
            (hash(passphrase)?, hash(&normalize_recovery_code(&code))?);
        event.detail = format!(
            "{}; {FINGERPRINT_MARK}{}",
            event.detail,
            hash_fingerprint(&passphrase_hash)
        );
        self.record_event_with(who, event, |tx| {
            tx.execute(sql, params![KEY, passphrase_hash])?;
            tx.execute(Self::REPLACE, params![RECOVERY_KEY, code_hash])
                .map(|_| ())
        })?;
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recovery_code_is_four_groups_of_five_unambiguous_letters() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 23, "{code}");
        assert_eq!(code.split('-').count(), 4);
        assert!(
            code.chars()
                .all(|c| c == '-' || ALPHABET.contains(&(c as u8)))
        );
        assert_ne!(code, new_recovery_code());
    }

    #[test]
    fn a_code_typed_loosely_reads_the_same() {
        assert_eq!(normalize_recovery_code("7kq2m-0a1b "), "7KQ2M0A1B");
        assert_eq!(normalize_recovery_code("o i l"), "011");
    }
}
