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
    println!(
        "Backed up {} to {}: its audit log holds {} (the newest sealed {}). The backup holds every customer's personal data: keep it as safe as the shop.",
        db.display(),
        done.path.display(),
        crate::engine::words::count(
            usize::try_from(done.head.count).unwrap_or(0),
            "entry",
            "entries"
        ),
        done.head.hash.get(..16).unwrap_or(&done.head.hash)
    );
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
