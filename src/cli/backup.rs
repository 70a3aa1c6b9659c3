//! `candor backup` and `candor restore`: a checked copy of the shop on demand, and putting
//! one back (the owner's passphrase; logged).

use std::path::Path;

use anyhow::{Context, Result};

use crate::store::Store;

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
