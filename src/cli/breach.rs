//! `candor breach`: a copy of the shop file was lost or stolen; writes the breach report
//! (what it held, whom to tell and how, the notice, the authority's facts) and logs it (an
//! owner action: the report lists every customer's contact details).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;

use crate::breach::{BreachRequest, parse_discovered, write_breach_report};
use crate::store::Store;

/// The arguments of `candor breach`.
#[derive(Debug, clap::Args)]
pub struct BreachArgs {
    /// The shop file (the shop's own copy, not the one that was lost).
    #[arg(long)]
    pub db: PathBuf,
    /// The folder to write the report into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// What happened, in your words ("the shop laptop was stolen from the car").
    #[arg(long, value_name = "TEXT")]
    pub what: String,
    /// When you found out, as "YYYY-MM-DD HH:MM" (default: now); the 72 hours to tell the
    /// supervisory authority run from it.
    #[arg(long, value_name = "WHEN")]
    pub discovered: Option<String>,
    /// How customers can reach the shop about it (default: "reply to this message or ask
    /// us at the counter").
    #[arg(long, value_name = "TEXT")]
    pub contact: Option<String>,
    /// Who is writing the report (recorded in the audit log).
    #[arg(long, default_value = "command line")]
    pub actor: String,
    /// Why (recorded in the audit log).
    #[arg(long, default_value = "a copy of the shop was lost or stolen")]
    pub reason: String,
}

/// Runs `candor breach`: the owner's passphrase first, then the report.
pub fn run(args: &BreachArgs, today: NaiveDate) -> Result<()> {
    if args.what.trim().is_empty() {
        bail!("--what is empty: say what happened, e.g. --what \"the shop laptop was stolen\"");
    }
    let discovered = match &args.discovered {
        Some(text) => parse_discovered(text).with_context(|| {
            format!("--discovered \"{text}\" is not a date and time: write it as 2026-12-04 15:30")
        })?,
        None => chrono::Local::now().naive_local(),
    };
    {
        let (mut store, _) = Store::open(&args.db)?;
        let check = super::simulation::attribution(&args.actor, "writing a breach report");
        super::simulation::owner(
            &mut store,
            &check,
            "writing a breach report with every customer's contact details",
        )?;
    }
    let request = BreachRequest {
        what_happened: args.what.trim().to_owned(),
        discovered,
        contact: args.contact.clone(),
    };
    let who = super::simulation::attribution(&args.actor, &args.reason);
    let done = write_breach_report(&args.db, &args.out, &request, &who, today)
        .with_context(|| format!("{}", args.db.display()))?;
    println!("{}", done.summary());
    println!(
        "Tell the supervisory authority by {} (72 hours after you found out).",
        request.authority_deadline().format("%-d %B %Y at %H:%M")
    );
    Ok(())
}
