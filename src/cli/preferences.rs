//! `candor preferences`: what a customer told the shop, with its history; their
//! preference card to take home; or the blank preference form for the counter.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use chrono::NaiveDate;
use serde::Serialize;

use crate::engine::held::{HeldPreference, held};

/// The arguments of `candor preferences`.
#[derive(Debug, clap::Args)]
pub struct PreferencesArgs {
    /// The shop file.
    #[arg(long)]
    pub db: PathBuf,
    /// Customer number (not with --blank-form).
    #[arg(long, required_unless_present = "blank_form")]
    pub customer: Option<i64>,
    /// Also write the customer's preference card, a printable page in plain words.
    #[arg(long, value_name = "OUT.html", requires = "customer")]
    pub card: Option<PathBuf>,
    /// Write the blank preference form for the counter instead.
    #[arg(long, value_name = "OUT.html", conflicts_with_all = ["customer", "card", "json"])]
    pub blank_form: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// What `preferences --json` prints.
#[derive(Serialize)]
struct PreferencesJson<'a> {
    customer: i64,
    preferences: &'a [HeldPreference],
}

/// Runs `candor preferences`.
pub fn run(args: &PreferencesArgs, today: NaiveDate) -> Result<()> {
    let (index, head) = super::open_snapshot(&args.db, today, None)?;
    if let Some(out) = &args.blank_form {
        let page = crate::html::preference_form(index.shop(), &head);
        return write_page(out, &page, "the blank preference form");
    }
    let Some(customer) = args.customer else {
        bail!("say which customer with --customer, or ask for --blank-form");
    };
    let pos = super::customer_pos(&index, customer, &args.db)?;
    let held = held(&index, pos);
    if let Some(out) = &args.card {
        let explanation = crate::engine::explain(
            &mut crate::engine::Scorer::new(&index),
            pos,
            index.shop().settings.top_n,
        );
        let person = &index.shop().customers[pos];
        let page = crate::html::preference_card(index.shop(), person, &held, &explanation, &head);
        write_page(out, &page, "the customer's preference card")?;
    }
    let json = PreferencesJson {
        customer,
        preferences: &held.preferences,
    };
    super::print_either(args.json, &json, |out| {
        writeln!(out, "Preferences of customer {customer}")?;
        if held.preferences.is_empty() {
            writeln!(out, "The customer has not told us any preferences.")?;
        }
        super::report::held_preferences(out, &held.preferences)
    })
}

fn write_page(out: &Path, page: &str, what: &str) -> Result<()> {
    crate::safe_write::write_file(out, page.as_bytes())?;
    eprintln!("Wrote {what} to {}.", out.display());
    Ok(())
}
