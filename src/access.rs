//! Who may do what. Two roles: staff (everyday work, simulations, consent and field
//! changes, exports) and the owner (changes to the rules, purposes, retention periods and
//! settings; erasure). The owner proves it
//! with a passphrase kept only as a salted Argon2 hash in the shop file (see the store).
//! The window and the command line both ask this module.

use crate::engine::changes::Change;

/// The environment variable the command line reads the owner's passphrase from.
pub const PASSPHRASE_ENV: &str = "CANDOR_OWNER_PASSPHRASE";

/// Who is using Candor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Role {
    /// Shop staff: everything except the owner's actions.
    #[default]
    Staff,
    /// The owner, after giving the passphrase.
    Owner,
}

/// Whether applying these changes needs the owner: any change to the rules, the
/// purposes, the retention periods, the shop's settings or a product's price does.
pub fn needs_owner(changes: &[Change]) -> bool {
    changes.iter().any(|c| {
        c.rule_id().is_some()
            || matches!(
                c,
                Change::Purpose { .. } | Change::FieldRetention { .. } | Change::Setting { .. }
            )
            || matches!(c, Change::Product { price: Some(_), .. })
            || matches!(
                c,
                Change::Product {
                    price_not_known: true,
                    ..
                }
            )
    })
}

/// The environment variable holding the owner's new passphrase (`candor owner change`,
/// `reset-with-code`).
pub const NEW_PASSPHRASE_ENV: &str = "CANDOR_OWNER_NEW_PASSPHRASE";

/// The environment variable holding the owner's recovery code (`candor owner reset-with-code`).
pub const RECOVERY_CODE_ENV: &str = "CANDOR_OWNER_RECOVERY_CODE";

/// Why a secret of the owner's could not be had on the command line.
#[derive(Debug, thiserror::Error)]
#[error(
    "{action} needs {what}: set the environment variable {variable}, or run the command in a terminal to be asked for it"
)]
pub struct NoPassphrase {
    /// What was asked for.
    pub action: String,
    /// The secret, in words.
    pub what: &'static str,
    /// The environment variable that can hold it.
    pub variable: &'static str,
}

/// Why a secret typed at a terminal could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// It was not given.
    #[error(transparent)]
    Missing(#[from] NoPassphrase),
    /// A new passphrase typed twice differently.
    #[error("the two passphrases typed differ; nothing was changed")]
    Differ,
}

/// The owner's passphrase for the command line: from [`PASSPHRASE_ENV`], else asked for
/// at a terminal without echo. Never from a command-line argument (it would be visible
/// to other users and kept in the shell's history).
pub fn passphrase_from_environment(action: &str) -> Result<String, SecretError> {
    secret_from_environment(PASSPHRASE_ENV, "the owner's passphrase", action, false)
}

/// Where `candor protect --change` reads a protected shop's new password from.
pub const NEW_SHOP_PASSWORD_ENV: &str = "CANDOR_SHOP_NEW_PASSWORD";

/// Asks at the terminal for the password of the protected shop at `path` (the command
/// line's [`crate::store::PasswordSource`]); `None` when nobody is at a terminal.
pub fn shop_password_at_terminal(path: &std::path::Path) -> Option<String> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return None;
    }
    rpassword::prompt_password(format!(
        "{} is protected. The shop's password: ",
        path.display()
    ))
    .ok()
}

/// A secret for the command line: from the environment variable `variable`, else asked
/// for at a terminal without echo (twice when `repeat`, for a new passphrase).
pub fn secret_from_environment(
    variable: &'static str,
    what: &'static str,
    action: &str,
    repeat: bool,
) -> Result<String, SecretError> {
    use std::io::IsTerminal;
    if let Ok(p) = std::env::var(variable) {
        return Ok(p);
    }
    let missing = || NoPassphrase {
        action: action.to_owned(),
        what,
        variable,
    };
    if !std::io::stdin().is_terminal() {
        return Err(missing().into());
    }
    let first = rpassword::prompt_password(format!("{} (for {action}): ", capitalized(what)))
        .map_err(|_| missing())?;
    if repeat {
        let again = rpassword::prompt_password("The same again: ").map_err(|_| missing())?;
        if again != first {
            return Err(SecretError::Differ);
        }
    }
    Ok(first)
}

fn capitalized(what: &str) -> String {
    let what = what.strip_prefix("the ").unwrap_or(what);
    let mut chars = what.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(price: Option<f64>, stock: Option<i64>, price_not_known: bool) -> Change {
        serde_json::from_value(serde_json::json!({
            "kind": "product", "product": 1, "price": price, "stock": stock,
            "price_not_known": price_not_known
        }))
        .expect("a product change")
    }

    #[test]
    fn a_price_is_the_owners_and_stock_is_staffs() {
        assert!(needs_owner(&[product(Some(0.01), None, false)]));
        assert!(needs_owner(&[product(None, None, true)]));
        assert!(!needs_owner(&[product(None, Some(3), false)]));
    }
}
