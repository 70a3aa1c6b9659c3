//! Setting up the shop's owner deliberately: the first passphrase with a recovery code
//! (a second secret, shown once, that can reset a forgotten passphrase), changing the
//! passphrase with the current one, and resetting it with the code. Each is one logged
//! transaction; only hashes are stored.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, SaltString};
use password_hash::rand_core::{OsRng, RngCore};
use rusqlite::params;

use super::apply::{ApplyError, Attribution, SubjectEvent};
use super::owner::{
    FINGERPRINT_MARK, KEY, OwnerState, Secret, hash_fingerprint, passphrase_problem,
};
use super::{Store, signing};

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
        self.store_owner_secrets(passphrase, who, event, Store::FIRST, None)
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
        let previous = self
            .setting(signing::SEALED_KEY)?
            .and_then(|sealed| signing::unseal(&sealed, current));
        let authority = previous.as_ref().map(|key| (signing::PREVIOUS, key));
        self.store_owner_secrets(new, who, event, Store::REPLACE, authority)
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
        let recovery_key = self
            .setting(signing::SEALED_RECOVERY)?
            .and_then(|sealed| signing::unseal(&sealed, &code));
        let authority = recovery_key.as_ref().map(|key| (signing::RECOVERY, key));
        self.store_owner_secrets(new, who, event, Store::REPLACE, authority)
    }

    /// After the owner's passphrase was accepted: unlocks the owner's signing key for this
    /// process (entries are signed from now on) and countersigns the newest entry. A shop
    /// whose owner was set up before entries were signed gets its signing key now, in its
    /// own logged entry. Nothing is written to a read-only file.
    pub(super) fn unlock_signing_key(
        &mut self,
        passphrase: &str,
        who: &Attribution,
    ) -> Result<(), ApplyError> {
        let tampered = |what: &str| {
            ApplyError::Passphrase(format!(
                "the owner's signing key in the shop file {what}: it was changed outside Candor; reset the passphrase with the recovery code"
            ))
        };
        let pinned = self.log()?.iter().rev().find_map(|e| {
            e.event
                .as_ref()
                .and_then(|ev| signing::Pin::of(&ev.kind, &ev.detail))
        });
        let key = match (self.setting(signing::SEALED_KEY)?, &pinned) {
            (Some(sealed), _) => signing::unseal(&sealed, passphrase)
                .ok_or_else(|| tampered("does not open with the owner's passphrase"))?,
            (None, Some(_)) => return Err(tampered("is gone, though the audit log records one")),
            (None, None) if self.read_only => return Ok(()),
            (None, None) => return self.make_signing_key(passphrase, who),
        };
        if pinned.is_some_and(|pin| pin.signing != signing::public_hex(&key)) {
            return Err(tampered("is not the one the audit log records"));
        }
        signing::keep_unlocked(&key);
        if self.read_only {
            return Ok(());
        }
        signing::countersign_head(&self.conn)
            .map_err(|e| ApplyError::Store(super::StoreError::sqlite(&self.path, e)))
    }

    /// Makes the owner's signing key for a shop set up before entries were signed.
    fn make_signing_key(&mut self, passphrase: &str, who: &Attribution) -> Result<(), ApplyError> {
        let key = signing::new_key();
        let sealed = signing::seal(&key, passphrase).ok_or_else(|| {
            ApplyError::Passphrase("the owner's signing key could not be sealed".to_owned())
        })?;
        let public = signing::public_hex(&key);
        let event = SubjectEvent::new(
            "owner_signing_key_made",
            None,
            format!(
                "the owner's entries are signed from now on; {}{public}",
                signing::SIGNING_MARK
            ),
        );
        signing::keep_unlocked(&key);
        self.record_event_with(who, event, |tx| {
            tx.execute(Self::REPLACE, params![signing::PUBLIC_KEY, public])?;
            tx.execute(Self::REPLACE, params![signing::SEALED_KEY, sealed])
                .map(|_| ())
        })?;
        Ok(())
    }

    /// Writes the first owner's secrets: fails if another was set up meanwhile.
    const FIRST: &'static str = "INSERT INTO shop_settings (key, value) VALUES (?1, ?2)";
    /// Writes over the owner's secrets.
    const REPLACE: &'static str =
        "INSERT OR REPLACE INTO shop_settings (key, value) VALUES (?1, ?2)";

    /// Stores the hashes of `passphrase` and of a new recovery code, with new signing and
    /// recovery keys sealed under them (see [`signing`]), with `event` (which gains the
    /// hash's fingerprint and pins the keys' public halves) in one logged transaction signed
    /// by the new key and, when given, by `authority` (the key before, or the recovery key);
    /// returns the code.
    fn store_owner_secrets(
        &mut self,
        passphrase: &str,
        who: &Attribution,
        mut event: SubjectEvent,
        sql: &'static str,
        authority: Option<(&'static str, &ed25519_dalek::SigningKey)>,
    ) -> Result<String, ApplyError> {
        if let Some(problem) = passphrase_problem(passphrase) {
            return Err(ApplyError::WeakPassphrase(problem));
        }
        let code = new_recovery_code();
        let (passphrase_hash, code_hash) =
            (hash(passphrase)?, hash(&normalize_recovery_code(&code))?);
        let (key, recovery) = (signing::new_key(), signing::new_key());
        let unsealable =
            || ApplyError::Passphrase("the owner's keys could not be sealed".to_owned());
        let sealed = signing::seal(&key, passphrase).ok_or_else(unsealable)?;
        let sealed_recovery =
            signing::seal(&recovery, &normalize_recovery_code(&code)).ok_or_else(unsealable)?;
        let public = signing::public_hex(&key);
        event.detail = format!(
            "{}; {FINGERPRINT_MARK}{}; {}{public}; {}{}",
            event.detail,
            hash_fingerprint(&passphrase_hash),
            signing::SIGNING_MARK,
            signing::RECOVERY_MARK,
            signing::public_hex(&recovery)
        );
        signing::keep_unlocked(&key);
        self.record_event_around(
            who,
            event,
            |tx| {
                tx.execute(sql, params![KEY, passphrase_hash])?;
                tx.execute(Self::REPLACE, params![RECOVERY_KEY, code_hash])?;
                tx.execute(Self::REPLACE, params![signing::PUBLIC_KEY, public])?;
                tx.execute(Self::REPLACE, params![signing::SEALED_KEY, sealed])?;
                tx.execute(
                    Self::REPLACE,
                    params![signing::SEALED_RECOVERY, sealed_recovery],
                )
                .map(|_| ())
            },
            |tx, id| match authority {
                Some((kind, old)) => signing::sign(tx, id, kind, old),
                None => Ok(()),
            },
        )?;
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
