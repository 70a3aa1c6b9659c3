//! `candor recommendations`: every customer's list with its reasons, written for an email
//! tool or newsletter, consent-gated and logged (an owner action).

use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::NaiveDate;

use crate::engine::outreach::Channel;
use crate::engine::simulate::Progress;
use crate::session::outreach::export_recommendations;
use crate::store::Store;

/// The channel the lists are for.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ChannelArg {
    /// Only customers who agreed to email offers and have an email address.
    Email,
}

/// The arguments of `candor recommendations`.
#[derive(Debug, clap::Args)]
pub struct RecommendationsArgs {
    /// The shop file.
    #[arg(long)]
    pub db: PathBuf,
    /// Where to write: `.csv` (merge fields for an email tool) or `.json`.
    #[arg(long, value_name = "FILE.csv|FILE.json")]
    pub out: PathBuf,
    /// Write only the customers who agreed to be contacted this way.
    #[arg(long, value_enum)]
    pub channel: Option<ChannelArg>,
    /// Products per customer.
    #[arg(long, default_value_t = 5)]
    pub top: usize,
    /// Who is exporting (recorded in the audit log).
    #[arg(long, default_value = "command line")]
    pub actor: String,
    /// Why (recorded in the audit log).
    #[arg(long, default_value = "export of recommendations")]
    pub reason: String,
}

/// Runs `candor recommendations`: the owner's passphrase first, then the export.
pub fn run(args: &RecommendationsArgs, today: NaiveDate) -> Result<()> {
    {
        let (mut store, _) = Store::open(&args.db)?;
        let check = super::simulation::attribution(&args.actor, "exporting recommendations");
        super::simulation::owner(
            &mut store,
            &check,
            "exporting every customer's recommendations",
        )?;
    }
    let who = super::simulation::attribution(&args.actor, &args.reason);
    let channel = args.channel.map(|ChannelArg::Email| Channel::Email);
    let done = export_recommendations(
        &args.db,
        &args.out,
        (args.top, channel),
        &who,
        today,
        &Progress::default(),
    )
    .with_context(|| format!("{}", args.db.display()))?;
    println!("{}", done.summary());
    Ok(())
}
