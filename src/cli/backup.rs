//! `candor backup`, `candor restore` and `candor protect`: a checked copy of the shop on
//! demand, putting one back, and encrypting the file with a password (the last two as the
//! owner; logged).

use std::path::Path;

use anyhow::{Context, Result};

use crate::access::{NEW_SHOP_PASSWORD_ENV, secret_from_environment};
use crate::store::{Protection, Store};

/// `candor backup`: writes a consistent, checked copy of the shop to `out`.
pub fn backup(db: &Path, out: &Path) -> Result<()> {
    let (store, _) = Store::open_for_reading(db)?;
    let done = store
        .back_up(out)
        .with_context(|| format!("backing up {}", db.display()))?;
    println!("{}", done.summary());
    Ok(())
}

/// `candor restore`: puts the backup `from` in the shop's place, as the owner.
pub fn restore(db: &Path, from: &Path, actor: &str, reason: &str) -> Result<()> {
    let who = super::simulation::attribution(actor, reason);
    if let Ok((mut store, _)) = Store::open(db) {
        let check = super::simulation::attribution(actor, "restoring a backup");
        super::simulation::owner(&mut store, &check, "restoring a backup")?;
    }
    let done = crate::store::backup::restore(db, from, &who)
        .with_context(|| format!("restoring {} from {}", db.display(), from.display()))?;
    println!("{}", done.summary(from));
    Ok(())
}

/// `candor protect`: protects the shop with a password, changes it, or (`remove`) takes
/// the protection off, as the owner.
pub fn protect(db: &Path, actor: &str, change: bool, remove: bool) -> Result<()> {
    let protected = crate::store::is_protected(db)?;
    if change && !protected {
        anyhow::bail!(
            "{} is not protected with a password yet: run candor protect without --change",
            db.display()
        );
    }
    if !change && !remove && protected {
        anyhow::bail!(
            "{} is already protected with a password: use --change to change it, or --remove to take it off",
            db.display()
        );
    }
    let reason = if remove {
        "taking the password protection off the shop"
    } else if change {
        "changing the shop's password"
    } else {
        "protecting the shop with a password"
    };
    let who = super::simulation::attribution(actor, reason);
    let (mut store, _) = Store::open(db)?;
    super::simulation::owner(&mut store, &who, reason)?;
    let how = if remove {
        Protection::Remove
    } else {
        // Changing it, CANDOR_SHOP_PASSWORD is the current one; protecting a shop the first
        // time, either variable may give the new one.
        let variable = if protected || std::env::var_os(NEW_SHOP_PASSWORD_ENV).is_some() {
            NEW_SHOP_PASSWORD_ENV
        } else {
            crate::store::SHOP_PASSWORD_ENV
        };
        Protection::Password(secret_from_environment(
            variable,
            "the shop's new password",
            reason,
            true,
        )?)
    };
    let done = store
        .change_protection(&how, &who)
        .with_context(|| format!("{reason} ({})", db.display()))?;
    println!("{}", done.summary(db));
    Ok(())
}
