//! The command line: every question the window answers, scriptable. Errors are
//! reported once, at the edge, with their whole chain.

mod backup;
mod breach;
mod docs;
mod evaluate;
mod import;
mod outreach;
mod owner;
mod preferences;
mod report;
mod simulation;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use crate::engine::audit::AuditConfig;
use crate::engine::{self, ShopIndex, held, overview};
use crate::shopgen::bundle::write_bundle;
use crate::shopgen::demo::{DemoSize, demo_shop};
use crate::shopgen::sample::sample_shop;
use crate::store::Store;

/// Candor: explainable, consent-aware personalization for small shops.
#[derive(Debug, Parser)]
#[command(name = "candor", about)]
pub struct Cli {
    /// What to do; without a command, the window opens on the sample shop.
    #[command(subcommand)]
    pub command: Option<Command>,
}

pub use docs::{command, parse, version_line};

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the window on a shop file (without one: the shop open last, else the sample).
    Open {
        /// The shop file.
        file: Option<PathBuf>,
        /// Export files to import: the window opens with the import dialog showing them.
        #[arg(long, num_args = 1.., value_name = "INPUT.csv", requires = "file")]
        import: Vec<PathBuf>,
    },
    /// Write a synthetic shop of any size (the same seed gives the same shop).
    Demo {
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
        /// Number of customers.
        #[arg(long, default_value_t = 200)]
        customers: usize,
        /// Number of products.
        #[arg(long, default_value_t = 80)]
        products: usize,
        /// Number of orders (about three lines each).
        #[arg(long, default_value_t = 2000)]
        orders: usize,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Last day of order history, and the day the shop is pinned to (default: today, not
        /// pinned).
        #[arg(long)]
        today: Option<NaiveDate>,
    },
    /// Write a fresh copy of the bundled sample shop.
    Sample {
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// List customers.
    Customers {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show every piece of personal data held about a customer and what uses it.
    Held {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// Customer number.
        #[arg(long)]
        customer: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Explain a customer's recommendations.
    Explain {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// Customer number.
        #[arg(long)]
        customer: i64,
        /// How many recommendations (default: the shop's setting).
        #[arg(long)]
        top: Option<usize>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Compute as of this day (default: the shop's pinned day, else today).
        #[arg(long)]
        today: Option<NaiveDate>,
        /// Also write the customer's own card (plain words, no rule names or scores).
        #[arg(long)]
        card: Option<PathBuf>,
    },
    /// List the shop's rules in words, with how many customers each runs for.
    Rules {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The audit's headline figures after every applied change, and now: is the shop
    /// getting fairer over time?
    History {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Audit now as of this day (default: the shop's pinned day, else today).
        #[arg(long)]
        today: Option<NaiveDate>,
    },
    /// List the consent purposes: what customers are told, the data each covers, the
    /// rules that need it and how many customers agreed.
    Purposes {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show the effect of CHANGES.json on one customer and the whole shop; writes nothing.
    Simulate {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// The changes (see the README for every kind).
        #[arg(long)]
        changes: PathBuf,
        /// Also show this customer's recommendations before and after.
        #[arg(long)]
        customer: Option<i64>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Apply CHANGES.json in one transaction and record it in the audit log.
    Apply {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// The changes.
        #[arg(long)]
        changes: PathBuf,
        /// Who is applying them.
        #[arg(long)]
        actor: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Show the audit log of applied changes, or check that nobody altered it.
    Log {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Check the log's hash chain: "intact", or the first entry altered or removed.
        #[arg(long)]
        verify: bool,
        /// Only entries about this customer (their consent, data, merge, export or erasure).
        #[arg(long, value_name = "ID")]
        customer: Option<i64>,
        /// Only entries of this kind: consent, customer, rule, settings, product, import,
        /// erasure, access or owner.
        #[arg(long, value_parser = parse_entry_kind)]
        kind: Option<crate::session::log_filter::EntryKind>,
        /// Only entries by someone whose name contains this.
        #[arg(long)]
        who: Option<String>,
        /// Only entries dated so: 2026-11 or 2026-11-23.
        #[arg(long)]
        date: Option<String>,
        /// Also write the entries shown as a CSV file (for a spreadsheet).
        #[arg(long, value_name = "OUT.csv")]
        csv: Option<PathBuf>,
        /// Also write the entries shown as a printable page.
        #[arg(long, value_name = "OUT.html")]
        html: Option<PathBuf>,
    },
    /// Undo an audit-log entry by applying its inverse as a new, logged change (an import,
    /// while it is the newest entry, by restoring the copy kept from before it).
    Undo {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// The entry number (see `candor log`).
        #[arg(long)]
        entry: i64,
        /// Who is undoing it.
        #[arg(long)]
        actor: String,
        /// Why.
        #[arg(long)]
        reason: String,
        /// Only show what undoing it would do (simulated); change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The shop's ethics scorecard: one card per principle, with the facts behind it.
    Scorecard {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Compute as of this day (default: the shop's pinned day, else today).
        #[arg(long)]
        today: Option<NaiveDate>,
    },
    /// Audit fairness, diversity, data minimization and the rules themselves.
    Audit {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Also write the audit as one printable HTML page.
        #[arg(long)]
        html: Option<PathBuf>,
        /// Groupings, age bands and group size to use (JSON; see the README).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Audit as of this day (default: the shop's pinned day, else today), so the same
        /// file audits the same on any day.
        #[arg(long)]
        today: Option<NaiveDate>,
    },
    /// Write everything held about one customer (JSON and a plain-language page) and log it.
    ExportSubject {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// Customer number.
        #[arg(long)]
        customer: i64,
        /// Folder to write `customer-ID.json` and `customer-ID.html` into.
        #[arg(long)]
        out: PathBuf,
        /// Who is exporting (recorded in the audit log).
        #[arg(long, default_value = "command line")]
        actor: String,
        /// Why (recorded in the audit log).
        #[arg(long, default_value = "subject access request")]
        reason: String,
    },
    /// Write a consistent, checked copy of the shop (a new file).
    Backup {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// Where to write the backup (must not exist yet).
        #[arg(long)]
        out: PathBuf,
    },
    /// Put a backup of this shop back in its place (owner only; logged): entries made
    /// after the backup are taken back.
    Restore {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// The backup to restore.
        #[arg(long)]
        from: PathBuf,
        /// Who is restoring (recorded in the audit log).
        #[arg(long)]
        actor: String,
        /// Why (recorded in the audit log).
        #[arg(long)]
        reason: String,
    },
    /// Protect the shop with a password (owner only; logged): the whole file is encrypted,
    /// and every command then needs the password (CANDOR_SHOP_PASSWORD, or asked at a
    /// terminal). The new password comes from CANDOR_SHOP_NEW_PASSWORD (protecting a shop
    /// the first time, CANDOR_SHOP_PASSWORD will do too), or is asked twice.
    Protect {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// Who is doing it (recorded in the audit log).
        #[arg(long, default_value = "the owner")]
        actor: String,
        /// Change the password of a shop already protected.
        #[arg(long, conflicts_with = "remove")]
        change: bool,
        /// Take the protection off: the file is written plain again.
        #[arg(long)]
        remove: bool,
    },
    /// The shop's staff list: the names people act under. Once it holds a name, every
    /// --actor must be on it (or the owner, with the owner's passphrase). --add puts a
    /// name on it (recorded in the audit log as done by that name).
    Staff {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// A name to add.
        #[arg(long, conflicts_with = "remove")]
        add: Option<String>,
        /// A name to take off (the owner only: the passphrase from CANDOR_OWNER_PASSPHRASE
        /// or asked at a terminal).
        #[arg(long)]
        remove: Option<String>,
        /// Who is taking the name off (recorded in the audit log).
        #[arg(long, default_value = "the owner")]
        actor: String,
    },
    /// Erase a customer's personal data for good (orders are kept without their name).
    Erase {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// Customer number.
        #[arg(long)]
        customer: i64,
        /// Who is erasing (recorded in the audit log).
        #[arg(long)]
        actor: String,
        /// Why (recorded in the audit log).
        #[arg(long)]
        reason: String,
        /// Also delete the copies Candor kept before upgrading this shop file or before an
        /// import, which still hold the customer (without it, Candor asks at a terminal, or
        /// lists them).
        #[arg(long)]
        delete_backups: bool,
    },
    /// Delete personal data kept past its retention period, in one logged step (owner only).
    PurgeRetention {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// Who is purging (recorded in the audit log).
        #[arg(long)]
        actor: String,
        /// Why (recorded in the audit log).
        #[arg(long)]
        reason: String,
        /// Only list what would be deleted.
        #[arg(long)]
        dry_run: bool,
    },
    /// Time loading, recommending, explaining and simulating on a shop (see BENCHMARKS.md).
    Bench {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the shop as CSV files plus rules.json (the sample-data format).
    ExportCsv {
        /// The shop file.
        #[arg(long)]
        db: PathBuf,
        /// Folder to write into.
        #[arg(long)]
        out: PathBuf,
    },
    /// Import exports from Shopify, WooCommerce, Square, invoice-line files or any CSV
    /// (with a column mapping) into a shop file, creating it if needed.
    Import(import::ImportArgs),
    /// Measure how good the recommendations are on the shop's own history: hold out the
    /// last days of orders and compare each customer's list from the day before with what
    /// they then bought, next to two baselines (popular, bought before).
    Evaluate(evaluate::EvaluateArgs),
    /// Write every customer's recommendations with their reasons (CSV merge fields for an
    /// email tool, or JSON), consent-gated and logged; owner only.
    Recommendations(outreach::RecommendationsArgs),
    /// A copy of the shop file was lost or stolen: write what it held, the customers to
    /// tell with how to reach each, the notice to send them and the facts the supervisory
    /// authority asks for (GDPR Art. 33/34), and log it; owner only.
    Breach(breach::BreachArgs),
    /// What a customer told the shop they like, do not want, or want left out, with its
    /// history; their preference card to take home (--card); or the blank preference form
    /// for the counter (--blank-form)
    Preferences(preferences::PreferencesArgs),
    /// Set up the shop's owner, change the owner's passphrase, or reset it with the
    /// recovery code (each recorded in the audit log).
    Owner(owner::OwnerArgs),
    /// Print a completion script for a shell (bash, zsh, fish, elvish or powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Write a manual page for `candor` and one per command (candor-import.1, …) into a folder.
    Manpages {
        /// Folder to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs a command that does not open the window. `today` is the real date.
pub fn run(command: Command, today: NaiveDate) -> Result<()> {
    match command {
        Command::Open { .. } => bail!("`open` starts the window; run it without other commands"),
        Command::Demo {
            out,
            customers,
            products,
            orders,
            seed,
            today: day,
        } => demo(&out, customers, products, orders, seed, day, today),
        Command::Sample { out } => sample(&out),
        Command::Customers { db, json } => customers(&db, json, today),
        Command::Held { db, customer, json } => held(&db, customer, json, today),
        Command::Explain {
            db,
            customer,
            top,
            json,
            today: day,
            card,
        } => explain(&db, customer, top, json, day, card.as_deref(), today),
        Command::Rules { db, json } => rules(&db, json, today),
        Command::Purposes { db, json } => purposes(&db, json, today),
        Command::History {
            db,
            json,
            today: day,
        } => history(&db, json, day, today),
        Command::Simulate {
            db,
            changes,
            customer,
            json,
        } => simulate(&db, &changes, customer, json, today),
        Command::Apply {
            db,
            changes,
            actor,
            reason,
        } => apply(&db, &changes, &actor, &reason, today),
        Command::Log {
            db,
            json,
            verify: true,
            ..
        } => log_verify(&db, json),
        Command::Log {
            db,
            json,
            customer,
            kind,
            who,
            date,
            csv,
            html,
            ..
        } => {
            let filter = crate::session::log_filter::LogFilter {
                actor: who.unwrap_or_default(),
                date: date.unwrap_or_default(),
                rule: String::new(),
                customer,
                kind,
            };
            log(&db, json, &filter, csv.as_deref(), html.as_deref())
        }
        Command::Undo {
            db,
            entry,
            actor,
            reason,
            dry_run,
        } => {
            show_undo(&db, entry, today)?;
            if dry_run {
                println!("\nNothing was changed (--dry-run).");
                Ok(())
            } else {
                undo(&db, entry, &actor, &reason)
            }
        }
        Command::Scorecard {
            db,
            json,
            today: day,
        } => scorecard(&db, json, day, today),
        Command::Audit {
            db,
            json,
            html,
            config,
            today: day,
        } => audit(&db, json, (html.as_deref(), config.as_deref()), day, today),
        Command::ExportSubject {
            db,
            customer,
            out,
            actor,
            reason,
        } => export_subject(&db, customer, &out, &actor, &reason, today),
        Command::Backup { db, out } => backup::backup(&db, &out),
        Command::Restore {
            db,
            from,
            actor,
            reason,
        } => backup::restore(&db, &from, &actor, &reason),
        Command::Staff {
            db,
            add,
            remove,
            actor,
        } => staff(&db, add.as_deref(), remove.as_deref(), &actor),
        Command::Protect {
            db,
            actor,
            change,
            remove,
        } => backup::protect(&db, &actor, change, remove),
        Command::Erase {
            db,
            customer,
            actor,
            reason,
            delete_backups,
        } => erase(&db, customer, &actor, &reason, delete_backups),
        Command::PurgeRetention {
            db,
            actor,
            reason,
            dry_run,
        } => purge_retention(&db, &actor, &reason, dry_run, today),
        Command::Bench { db, json } => bench(&db, json, today),
        Command::Import(args) => import::run(args, today),
        Command::Evaluate(args) => evaluate::run(&args, today),
        Command::Recommendations(args) => outreach::run(&args, today),
        Command::Breach(args) => breach::run(&args, today),
        Command::Preferences(args) => preferences::run(&args, today),
        Command::Owner(args) => owner::owner(&args),
        Command::ExportCsv { db, out } => export_csv(&db, &out),
        Command::Completions { shell } => docs::completions(shell),
        Command::Manpages { out } => docs::manpages(&out),
    }
}

/// `candor demo`: writes a synthetic demo shop.
fn demo(
    out: &Path,
    customers: usize,
    products: usize,
    orders: usize,
    seed: u64,
    day: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<()> {
    let size = DemoSize {
        customers,
        products,
        orders,
    };
    let mut shop = demo_shop(size, seed, day.unwrap_or(today));
    // A shop generated as of a given day stays on it: the same file then explains and
    // audits the same on any day.
    shop.settings.pinned_today = day;
    Store::create(out, &shop)?;
    println!(
        "Wrote {}: {}, {}, {}, {}. {}",
        out.display(),
        crate::engine::words::customers(customers),
        crate::engine::words::count(products, "product", "products"),
        crate::engine::words::count(shop.orders.len(), "order", "orders"),
        crate::engine::words::count(shop.lines.len(), "order line", "order lines"),
        owner::no_owner_yet(out)
    );
    Ok(())
}

/// `candor sample`: writes a fresh copy of the sample shop.
fn sample(out: &Path) -> Result<()> {
    Store::create(out, &sample_shop()?)?;
    println!(
        "Wrote a fresh copy of the sample shop to {}. {}",
        out.display(),
        owner::no_owner_yet(out)
    );
    Ok(())
}

/// `candor customers`: every customer, one row each.
fn customers(db: &Path, json: bool, today: NaiveDate) -> Result<()> {
    let index = open_index(db, today, None)?;
    let rows = overview::customer_rows(&index);
    print_either(json, &rows, |out| report::customers(out, &rows))
}

/// `candor held`: every piece of personal data held about a customer.
fn held(db: &Path, customer: i64, json: bool, today: NaiveDate) -> Result<()> {
    let index = open_index(db, today, None)?;
    let pos = customer_pos(&index, customer, db)?;
    let held = held::held(&index, pos);
    if json {
        print_json(&held)?;
    } else {
        report::held(&mut std::io::stdout().lock(), &held)?;
    }
    Ok(())
}

/// `candor explain`: a customer's recommendations and why, optionally as a printable card.
fn explain(
    db: &Path,
    customer: i64,
    top: Option<usize>,
    json: bool,
    day: Option<NaiveDate>,
    card: Option<&Path>,
    today: NaiveDate,
) -> Result<()> {
    let (index, head) = open_snapshot(db, today, day)?;
    let n = top.unwrap_or(index.shop().settings.top_n);
    let pos = customer_pos(&index, customer, db)?;
    let explanation = engine::explain_customer(&index, customer, n)?;
    if let Some(out) = &card {
        let page = crate::html::customer_card(
            index.shop(),
            &index.shop().customers[pos],
            &explanation,
            None,
            &head,
        );
        crate::safe_write::write_file(out, page.as_bytes())?;
        eprintln!("Wrote the customer's card to {}.", out.display());
    }
    if json {
        print_json(&explanation)?;
    } else {
        report::explanation(&mut std::io::stdout().lock(), &index, &explanation)?;
    }
    Ok(())
}

/// `candor rules`: the rules in words, with their reach.
fn rules(db: &Path, json: bool, today: NaiveDate) -> Result<()> {
    let index = open_index(db, today, None)?;
    let rows = report::rule_rows(&index);
    print_either(json, &rows, |out| report::rules(out, &rows))
}

/// `candor purposes`: every consent purpose and the data it covers.
fn purposes(db: &Path, json: bool, today: NaiveDate) -> Result<()> {
    let index = open_index(db, today, None)?;
    let rows = overview::purpose_rows(&index);
    print_either(json, &rows, |out| report::purposes(out, &rows))
}

/// `candor simulate`: the effect of a changes file; writes nothing.
fn simulate(
    db: &Path,
    changes: &Path,
    customer: Option<i64>,
    json: bool,
    today: NaiveDate,
) -> Result<()> {
    let (index, head) = open_snapshot(db, today, None)?;
    let changes = read_changes(changes)?;
    if let Some(id) = customer {
        customer_pos(&index, id, db)?;
    }
    let report = simulation::simulate_report(index, head, &changes, customer)?;
    if json {
        print_json(&report)?;
    } else {
        report::simulation(&mut std::io::stdout().lock(), &report)?;
    }
    Ok(())
}

/// `candor apply`: simulates a changes file and applies it in one logged transaction.
fn apply(db: &Path, changes: &Path, actor: &str, reason: &str, today: NaiveDate) -> Result<()> {
    let changes = read_changes(changes)?;
    let (id, impact) = simulation::apply(db, &changes, actor, reason, today)?;
    println!(
        "Applied {} as audit-log entry {id}. Recommendations changed for {}.",
        crate::engine::words::count(changes.len(), "change", "changes"),
        crate::engine::words::of_customers(impact.customers_changed, impact.customers_total)
    );
    Ok(())
}

/// `candor log --verify`: checks the audit log's hash chain, the shop's contents, and the
/// log against what this computer saw of it before.
fn log_verify(db: &Path, json: bool) -> Result<()> {
    let (store, _) = Store::open_for_reading(db)?;
    let mut report = store.verify_log()?;
    if report.intact {
        let machine = crate::session::seen_heads::check_and_remember(
            &store,
            &store.log()?,
            crate::paths::seen_heads_file(),
        )?;
        if let Some(note) = machine.note {
            eprintln!("note: {note}; a log shortened later will not be noticed by this computer");
        }
        if let Some(restored) = machine.restored {
            println!("note: {restored}.");
        }
        if let Some(problem) = machine.problem {
            report.intact = false;
            report.problem = Some(problem);
        }
    }
    if json {
        print_json(&report)?;
    } else if report.intact {
        println!(
            "intact: {}, none altered or removed; {}",
            crate::engine::words::count(report.entries, "entry", "entries"),
            if report.contents_checked {
                "the shop's contents are as the newest entry recorded them"
            } else {
                "the shop's contents are checked from the first change Candor records from now on"
            }
        );
    }
    if let Some(problem) = report.problem {
        bail!("{}: the audit log is not intact: {problem}", db.display());
    }
    Ok(())
}

/// `candor log`: the audit log.
fn log(
    db: &Path,
    json: bool,
    filter: &crate::session::log_filter::LogFilter,
    csv: Option<&Path>,
    html: Option<&Path>,
) -> Result<()> {
    let (store, _) = Store::open_for_reading(db)?;
    let log = store.log()?;
    let shop = store.load()?;
    let shown = filter.apply(&log);
    if json {
        print_json(&shown)?;
    } else {
        report::log(&mut std::io::stdout().lock(), &log, &shown, &shop)?;
    }
    let rows = crate::session::log_export::rows(&log, &shown, &shop);
    let entries = engine::words::count(rows.len(), "entry", "entries");
    if let Some(out) = csv {
        crate::safe_write::write_file(out, &crate::session::log_export::csv(&rows)?)?;
        eprintln!("Wrote {} ({entries}).", out.display());
    }
    if let Some(out) = html {
        let today = chrono::Local::now()
            .date_naive()
            .format("%-d %B %Y")
            .to_string();
        let shown = filter.describe(&shop);
        let head = store.log_head()?;
        let page = crate::html::log_page(&shop.settings.name, &shown, &today, &rows, &head);
        crate::safe_write::write_file(out, page.as_bytes())?;
        eprintln!("Wrote {} ({entries}).", out.display());
    }
    Ok(())
}

/// Reads `--kind`: one of the audit log's entry kinds.
fn parse_entry_kind(key: &str) -> Result<crate::session::log_filter::EntryKind, String> {
    use crate::session::log_filter::EntryKind;
    EntryKind::from_key(key).ok_or_else(|| {
        let keys: Vec<&str> = EntryKind::ALL.iter().map(|k| k.key()).collect();
        format!(
            "\"{key}\" is not a kind of entry; the kinds are {}",
            keys.join(", ")
        )
    })
}

/// `candor undo`, first: what undoing entry `entry` would do, simulated like any change
/// (an import's undo restores the copy kept from before it, which is said instead).
fn show_undo(db: &Path, entry: i64, today: NaiveDate) -> Result<()> {
    let log = Store::open_for_reading(db)?.0.log()?;
    let (index, head) = open_snapshot(db, today, None)?;
    match crate::session::apply::undo_plan_for(&log, entry, index.shop())? {
        crate::store::UndoPlan::Changes(changes) => {
            let report = simulation::simulate_report(index, head, &changes, None)?;
            println!("Undoing entry {entry} reverses its changes:");
            report::simulation(&mut std::io::stdout().lock(), &report)?;
        }
        crate::store::UndoPlan::Import(_) => println!(
            "Undoing entry {entry} takes back an import: the shop is restored from the copy kept from before it ({}), its day (when pinned) too.",
            crate::store::import_copy_path(db, entry).display()
        ),
    }
    Ok(())
}

/// `candor undo`: undoes an audit-log entry (the owner's passphrase for what only the owner
/// may change; see [`crate::access::needs_owner`]).
fn undo(db: &Path, entry: i64, actor: &str, reason: &str) -> Result<()> {
    let (mut store, _) = Store::open(db)?;
    let who = simulation::attribution(actor, reason);
    let target = store.log()?.into_iter().find(|e| e.id == entry);
    let owners_only = target.as_ref().is_some_and(|e| {
        crate::access::needs_owner(
            &e.changes
                .iter()
                .map(|a| a.change.clone())
                .collect::<Vec<_>>(),
        )
    });
    if owners_only {
        simulation::owner(
            &mut store,
            &who,
            "undoing a change to the rules, purposes, retention periods, settings or prices",
        )?;
    }
    let was_import = target
        .and_then(|e| e.event)
        .is_some_and(|ev| ev.kind == "import");
    let id = store.undo(entry, &who)?.entry;
    if was_import {
        println!(
            "Took back the import of entry {entry}: the shop is as it was before it, its day (when pinned) too. Recorded as audit-log entry {id}, which says what the import had added."
        );
    } else {
        println!("Undid entry {entry}; the undo is recorded as audit-log entry {id}.");
    }
    Ok(())
}

/// `candor scorecard`: the ethics scorecard.
fn scorecard(db: &Path, json: bool, day: Option<NaiveDate>, today: NaiveDate) -> Result<()> {
    let index = open_index(db, today, day)?;
    let audit = simulation::audit_now(&index, &AuditConfig::default())?;
    let records = crate::session::read_log(db)?.records;
    let cards = engine::scorecard::scorecard(&index, &audit, &records);
    if json {
        print_json(&cards)?;
    } else {
        report::scorecard(&mut std::io::stdout().lock(), &cards)?;
    }
    Ok(())
}

/// `candor history`: the audit's headline figures over the shop's changes.
fn history(db: &Path, json: bool, day: Option<NaiveDate>, today: NaiveDate) -> Result<()> {
    let index = open_index(db, today, day)?;
    let now = simulation::audit_now(&index, &AuditConfig::default())?;
    let log = crate::session::read_log(db)?;
    let points = crate::session::history::audit_history(&log.entries, &now).with_context(|| {
        format!(
            "{}: an audit-log entry's figures cannot be read",
            db.display()
        )
    })?;
    if json {
        print_json(&points)?;
    } else {
        report::history(&mut std::io::stdout().lock(), &points)?;
    }
    Ok(())
}

/// `candor audit`: the ethics audit, optionally as a printable page.
fn audit(
    db: &Path,
    json: bool,
    (html, config): (Option<&Path>, Option<&Path>),
    day: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<()> {
    let (index, head) = open_snapshot(db, today, day)?;
    let config = read_audit_config(config)?;
    let audit = simulation::audit_now(&index, &config)?;
    if let Some(out) = &html {
        let page = crate::html::audit_page(index.shop(), &audit, &head);
        crate::safe_write::write_file(out, page.as_bytes())?;
    }
    if json {
        print_json(&audit)?;
    } else {
        report::audit(&mut std::io::stdout().lock(), &audit)?;
        if let Some(out) = &html {
            println!("\nWrote the printable report to {}.", out.display());
        }
    }
    Ok(())
}

/// `candor export-subject`: a customer's data, for a subject access request.
fn export_subject(
    db: &Path,
    customer: i64,
    out: &Path,
    actor: &str,
    reason: &str,
    today: NaiveDate,
) -> Result<()> {
    let who = simulation::attribution(actor, reason);
    let done = crate::rights::export_subject(db, customer, out, &who, today)
        .with_context(|| format!("{}", db.display()))?;
    println!(
        "Wrote {} and {}; recorded as audit-log entry {}.",
        done.json.display(),
        done.html.display(),
        done.entry
    );
    Ok(())
}

/// `candor erase`: erases a customer for good (the owner's passphrase).
fn erase(db: &Path, customer: i64, actor: &str, reason: &str, delete_backups: bool) -> Result<()> {
    let who = simulation::attribution(actor, reason);
    {
        let (mut store, _) = Store::open(db)?;
        if !store.knows_customer(customer)? {
            bail!(
                "{}: {}",
                db.display(),
                engine::EngineError::NoSuchCustomer(customer)
            );
        }
        // The owner check is logged with its own reason: the erasure's may name the
        // customer, and a refused check is an entry about nobody, never erased.
        let check = simulation::attribution(actor, "erasing a customer");
        simulation::owner(&mut store, &check, "erasing a customer")?;
    }
    let done =
        crate::rights::erase(db, customer, &who).with_context(|| format!("{}", db.display()))?;
    println!("{}", done.summary());
    offer_to_delete_backups(&done.backups, delete_backups)?;
    Ok(())
}

/// `candor purge-retention`: deletes what is past its retention period.
fn purge_retention(
    db: &Path,
    actor: &str,
    reason: &str,
    dry_run: bool,
    today: NaiveDate,
) -> Result<()> {
    let plan =
        crate::rights::retention_plan(db, today).with_context(|| format!("{}", db.display()))?;
    let mut per_field: Vec<(&str, usize)> = Vec::new();
    for (_, f) in &plan.held {
        match per_field.iter_mut().find(|(k, _)| *k == f.in_words()) {
            Some((_, n)) => *n += 1,
            None => per_field.push((f.in_words(), 1)),
        }
    }
    let mut listing: Vec<String> = per_field.iter().map(|(f, n)| format!("{f}: {n}")).collect();
    if plan.fields_in_log > 0 {
        listing.push(format!(
            "earlier values of {} in the audit log",
            crate::engine::words::count(plan.fields_in_log, "customer field", "customer fields")
        ));
    }
    if dry_run || plan.is_empty() {
        println!(
            "Past their retention period: {}.",
            if listing.is_empty() {
                "nothing".to_owned()
            } else {
                listing.join("; ")
            }
        );
        return Ok(());
    }
    let who = simulation::attribution(actor, reason);
    {
        let (mut store, _) = Store::open(db)?;
        simulation::owner(&mut store, &who, "purging data past its retention period")?;
    }
    let done = crate::rights::purge_retention(db, &plan, &who)
        .with_context(|| format!("{}", db.display()))?;
    println!(
        "Deleted {}; recorded as audit-log entry {}.",
        listing.join("; "),
        done.entry
    );
    Ok(())
}

/// `candor bench`: times the engine on a shop.
fn bench(db: &Path, json: bool, today: NaiveDate) -> Result<()> {
    let report = crate::bench::run(db, today)?;
    if json {
        print_json(&report)?;
    } else {
        report::bench(&mut std::io::stdout().lock(), &report)?;
    }
    Ok(())
}

/// `candor export-csv`: writes the shop as a CSV bundle.
fn export_csv(db: &Path, out: &Path) -> Result<()> {
    let (store, _) = Store::open_for_reading(db)?;
    write_bundle(&store.load()?, out)?;
    println!("Wrote the shop to {}.", out.display());
    Ok(())
}

/// Opens and loads a shop, indexed for `day` (or its pinned day, or `today`).
pub(crate) fn open_index(db: &Path, today: NaiveDate, day: Option<NaiveDate>) -> Result<ShopIndex> {
    Ok(open_snapshot(db, today, day)?.0)
}

/// Opens and loads a shop as [`open_index`] does, with where its audit log stood.
pub(crate) fn open_snapshot(
    db: &Path,
    today: NaiveDate,
    day: Option<NaiveDate>,
) -> Result<(ShopIndex, crate::store::LogHead)> {
    let (store, report) = Store::open_for_reading(db)?;
    if let Some(backup) = report.backup {
        eprintln!(
            "Upgraded {} to this version of Candor; the old file is kept as {}.",
            db.display(),
            backup.display()
        );
    }
    let (shop, head) = store.load_snapshot()?;
    let shop = Arc::new(shop);
    let index = match day {
        Some(d) => ShopIndex::new(shop, d),
        None => engine::index_for(shop, today),
    };
    Ok((index, head))
}

pub(crate) fn customer_pos(index: &ShopIndex, customer: i64, db: &Path) -> Result<usize> {
    index
        .customer_pos(customer)
        .ok_or(engine::EngineError::NoSuchCustomer(customer))
        .with_context(|| format!("{}", db.display()))
}

/// Reads CHANGES.json, naming the file and where in it a mistake is.
fn read_changes(path: &Path) -> Result<Vec<crate::engine::changes::Change>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    let set = crate::engine::changes::parse_changes(&text)
        .map_err(|e| anyhow::anyhow!("{} is not a valid changes file: {e}", path.display()))?;
    Ok(set.changes)
}

/// Reads an audit configuration file, or the defaults without one.
fn read_audit_config(path: Option<&Path>) -> Result<AuditConfig> {
    let Some(path) = path else {
        return Ok(AuditConfig::default());
    };
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    let config: AuditConfig = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!("{} is not a valid audit configuration: {e}", path.display())
    })?;
    config.validate().map_err(|e| {
        anyhow::anyhow!("{} is not a valid audit configuration: {e}", path.display())
    })?;
    Ok(config)
}

/// Prints `value` as JSON with `--json`, else in words by `text`.
pub(crate) fn print_either(
    json: bool,
    value: &impl serde::Serialize,
    text: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<()> {
    if json {
        print_json(value)
    } else {
        Ok(text(&mut std::io::stdout().lock())?)
    }
}

fn print_json(value: &impl serde::Serialize) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Deletes the upgrade backups an erasure found, when asked with `--delete-backups` or
/// when the person at the terminal says yes; otherwise they stay, and were listed.
fn offer_to_delete_backups(backups: &[PathBuf], delete: bool) -> Result<()> {
    use std::io::{BufRead, IsTerminal, Write};
    if backups.is_empty() {
        return Ok(());
    }
    let agreed = delete
        || (std::io::stdin().is_terminal() && {
            eprint!("Delete these backups now? [y/N] ");
            std::io::stderr().flush()?;
            let mut answer = String::new();
            std::io::stdin().lock().read_line(&mut answer)?;
            answer.trim().eq_ignore_ascii_case("y") || answer.trim().eq_ignore_ascii_case("yes")
        });
    if agreed {
        let n = crate::rights::delete_backups(backups)?;
        println!("Deleted {n} {}.", if n == 1 { "backup" } else { "backups" });
    }
    Ok(())
}

/// `candor staff`: lists the staff names, or adds one.
fn staff(db: &Path, add: Option<&str>, remove: Option<&str>, actor: &str) -> Result<()> {
    let (mut store, _) = Store::open(db)?;
    if let Some(name) = remove {
        let who = simulation::attribution(actor, "taken off the staff list");
        simulation::owner(&mut store, &who, "taking a name off the staff list")?;
        let entry = store.remove_staff_name(name, &who)?;
        println!(
            "Took {} off the staff list, recorded as audit-log entry {entry}.",
            name.trim()
        );
    }
    if let Some(name) = add {
        let entry = store.add_staff_name(name, "added to the staff list")?;
        println!(
            "Added {} to the staff list, recorded as audit-log entry {entry}.",
            name.trim()
        );
    }
    let names = store.staff_names()?;
    if names.is_empty() {
        println!("No staff list yet: any name is taken as given. Add one with --add NAME.");
    } else {
        println!(
            "Staff: {}. Every --actor must be one of these names (the owner's own commands, which ask for the passphrase, take any name).",
            engine::words::and_list(&names)
        );
    }
    Ok(())
}
