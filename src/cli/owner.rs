//! `candor owner`: set up the shop's owner, change the passphrase, or reset it with the
//! recovery code. Secrets come from the environment or a terminal prompt, never from
//! arguments.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, Subcommand};

use crate::access::{
    NEW_PASSPHRASE_ENV, PASSPHRASE_ENV, RECOVERY_CODE_ENV, secret_from_environment,
};
use crate::session::apply::{OwnerAction, owner_action};
use crate::store::{ApplyError, Attribution, OwnerState, Store};

/// `candor owner --db FILE set|change|reset-with-code|status`.
#[derive(Debug, Args)]
pub struct OwnerArgs {
    /// The shop file.
    #[arg(long)]
    pub db: PathBuf,
    /// Who is doing it (recorded in the audit log).
    #[arg(long, default_value = "the owner")]
    pub actor: String,
    /// What to do.
    #[command(subcommand)]
    pub action: OwnerCommand,
}

/// What `candor owner` does.
#[derive(Debug, Subcommand)]
pub enum OwnerCommand {
    /// Set up the owner of a shop that has none: the passphrase from
    /// CANDOR_OWNER_PASSPHRASE (or asked twice at a terminal); prints the recovery code once.
    Set,
    /// Change the passphrase: the current one from CANDOR_OWNER_PASSPHRASE, the new one
    /// from CANDOR_OWNER_NEW_PASSPHRASE (or asked at a terminal); prints a new recovery code.
    Change,
    /// Reset a forgotten passphrase: the code from CANDOR_OWNER_RECOVERY_CODE, the new
    /// passphrase from CANDOR_OWNER_NEW_PASSPHRASE (or asked at a terminal); prints a new
    /// recovery code.
    ResetWithCode,
    /// Say whether the shop has an owner.
    Status,
}

/// Runs `candor owner`.
pub fn owner(args: &OwnerArgs) -> Result<()> {
    let new = |action: &str| {
        secret_from_environment(NEW_PASSPHRASE_ENV, "the new passphrase", action, true)
    };
    if matches!(args.action, OwnerCommand::Status) {
        return status(&args.db);
    }
    refuse_early(&args.db, &args.action)?;
    let action = match args.action {
        OwnerCommand::Status => return status(&args.db),
        OwnerCommand::Set => OwnerAction::SetUp {
            passphrase: secret_from_environment(
                PASSPHRASE_ENV,
                "the owner's passphrase",
                "setting up the owner",
                true,
            )?,
        },
        OwnerCommand::Change => OwnerAction::Change {
            current: secret_from_environment(
                PASSPHRASE_ENV,
                "the owner's current passphrase",
                "changing the passphrase",
                false,
            )?,
            new: new("changing the passphrase")?,
        },
        OwnerCommand::ResetWithCode => OwnerAction::Reset {
            code: secret_from_environment(
                RECOVERY_CODE_ENV,
                "the owner's recovery code",
                "resetting the passphrase",
                false,
            )?,
            new: new("resetting the passphrase")?,
        },
    };
    let reason = match args.action {
        OwnerCommand::Set => "setting up the owner",
        OwnerCommand::Change => "changing the owner's passphrase",
        _ => "resetting a forgotten passphrase",
    };
    let code = owner_action(&args.db, &action, &Attribution::now(&args.actor, reason))?;
    println!(
        "Done, and recorded in the audit log. The owner's recovery code is:\n\n    {code}\n\nIt is shown only this once. Print it or write it down and keep it away from the computer: with it, anyone can reset the owner's passphrase (candor owner --db {} reset-with-code). Any earlier code no longer works.",
        args.db.display()
    );
    Ok(())
}

/// Refuses before asking for any secret when the shop's owner state already says no (the
/// store checks again as it writes).
fn refuse_early(db: &Path, action: &OwnerCommand) -> Result<()> {
    let (store, _) = Store::open_for_reading(db)?;
    let state = store.owner_state()?;
    match (action, state) {
        (OwnerCommand::Set, OwnerState::SetUp) => Err(ApplyError::OwnerAlreadySetUp.into()),
        (OwnerCommand::Set, OwnerState::Replaced(on)) => Err(ApplyError::OwnerReplaced(on).into()),
        (OwnerCommand::Set, OwnerState::Unrecorded) => Err(ApplyError::OwnerUnrecorded.into()),
        (OwnerCommand::Change, _) => Ok(store.require_owner_set_up()?),
        (OwnerCommand::ResetWithCode, OwnerState::NotSetUp) => Err(ApplyError::NoOwner.into()),
        _ => Ok(()),
    }
}

fn status(db: &Path) -> Result<()> {
    let (store, _) = Store::open_for_reading(db)?;
    let state = store.owner_state()?;
    let problem = state.problem().unwrap_or_default();
    println!(
        "{}",
        match state {
            OwnerState::SetUp => "The owner is set up.".to_owned(),
            OwnerState::NotSetUp => format!(
                "No owner is set up yet: owner actions are refused until one is (candor owner --db {} set).",
                db.display()
            ),
            OwnerState::Removed(on) => format!(
                "The owner's passphrase was removed from this file outside Candor (the log records the owner set up on {on}). Owner actions are refused until the owner resets the passphrase with the recovery code (or, if the code was removed too, sets the owner up again)."
            ),
            OwnerState::Replaced(_) | OwnerState::Unrecorded => format!(
                "Something is wrong: {problem}. Owner actions are refused until the owner resets the passphrase with the recovery code."
            ),
        }
    );
    Ok(())
}

/// The line printed after a new shop is written: it has no owner yet.
pub fn no_owner_yet(db: &Path) -> String {
    format!(
        "It has no owner yet: set one up before changing rules or prices (candor owner --db {} set, or in the window).",
        db.display()
    )
}
