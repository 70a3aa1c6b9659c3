//! `candor import`: bring a till or web-shop export into a shop file, or say which
//! export a file is (`--detect`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;

use crate::engine::money::Currency;
use crate::import::run::{
    Choice, ImportOutcome, ImportRequest, detect_file, write_bad_rows_report,
};
use crate::import::{Mapping, PRESETS, import};

/// The arguments of `candor import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The shop file; created when it does not exist.
    #[arg(long, required_unless_present_any = ["detect", "guess_mapping"])]
    pub db: Option<PathBuf>,
    /// Read the files as this export (see `--detect`); default: recognize each by its header.
    #[arg(long, conflicts_with = "mapping")]
    pub preset: Option<String>,
    /// Read the files with this column mapping (JSON, as saved by the window's wizard).
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Skip rows that cannot be read, and list them in this CSV report (file, line, column,
    /// reason). Without it, the first bad row stops the import and nothing is imported.
    #[arg(long, value_name = "REPORT.csv")]
    pub skip_bad_rows: Option<PathBuf>,
    /// Only print which export each file is recognized as; import nothing.
    #[arg(long)]
    pub detect: bool,
    /// Write how the window's wizard would start reading the one file given (its preset's
    /// mapping, or Candor's guess at its columns, dates and statuses) as a mapping file
    /// to check and edit, then import with `--mapping`; import nothing.
    #[arg(long, value_name = "MAP.json", conflicts_with_all = ["detect", "mapping", "preset"])]
    pub guess_mapping: Option<PathBuf>,
    /// Who is importing (logged); default: the user name.
    #[arg(long)]
    pub actor: Option<String>,
    /// Why (logged); default: "import of FILE…".
    #[arg(long)]
    pub reason: Option<String>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// The currency (ISO 4217, e.g. USD) of the prices of files that do not name theirs
    #[arg(long, value_name = "CODE", value_parser = parse_currency)]
    pub currency: Option<Currency>,
    /// The export files (CSV, or CSV compressed with gzip).
    #[arg(required = true, value_name = "INPUT.csv")]
    pub inputs: Vec<PathBuf>,
}

/// Reads `--currency`: an ISO 4217 code a shop can price in.
fn parse_currency(code: &str) -> Result<Currency, String> {
    Currency::from_code(code)
}

/// Runs `candor import`.
pub fn run(args: ImportArgs, today: NaiveDate) -> Result<()> {
    if args.detect {
        return detect(&args.inputs);
    }
    if let Some(out) = &args.guess_mapping {
        return guess_mapping(&args.inputs, out);
    }
    let Some(db) = args.db.clone() else {
        bail!("say which shop file to import into with --db FILE");
    };
    let skip_report = args.skip_bad_rows.clone();
    if let Some(report) = &skip_report {
        crate::safe_write::keep(&db);
        args.inputs.iter().for_each(|i| crate::safe_write::keep(i));
        args.mapping.iter().for_each(|m| crate::safe_write::keep(m));
        crate::safe_write::check_writable(report)
            .context("the report of skipped rows cannot be written, so nothing was imported")?;
    }
    let json = args.json;
    let request = request_of(args, db.clone(), today)?;
    let outcome = import_as_owner_if_needed(request)?;
    if let Some(report) = &skip_report {
        write_bad_rows_report(report, &outcome.bad_rows).with_context(|| {
            let entry = outcome
                .log_entry
                .map_or_else(String::new, |n| format!(" (audit-log entry {n})"));
            format!("the import was made{entry}, but its report of skipped rows was not written")
        })?;
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&outcome)?);
        return Ok(());
    }
    print_what_was_written(&outcome, &db);
    print_summary(&outcome, skip_report.as_deref());
    Ok(())
}

/// Imports as staff; an import that would change prices of products already in the shop
/// asks for the owner's passphrase (as applying a price change does) and runs again as the
/// owner. The first run wrote nothing.
fn import_as_owner_if_needed(mut request: ImportRequest) -> Result<ImportOutcome> {
    match import(&request, &|_| {}, None) {
        Err(crate::import::ImportError::PricesNeedOwner { count }) => {
            let (mut store, _) = crate::store::Store::open(&request.db)?;
            let action = format!(
                "an import that changes the price of {}",
                crate::engine::words::count(count, "product", "products")
            );
            super::simulation::owner(&mut store, &request.who, &action)?;
            drop(store);
            request.owner = true;
            Ok(import(&request, &|_| {}, None)?)
        }
        other => Ok(other?),
    }
}

/// The import the arguments ask for: the preset or mapping, who and why (by default the
/// user and "import of FILES").
fn request_of(args: ImportArgs, db: PathBuf, today: NaiveDate) -> Result<ImportRequest> {
    let choice = match (&args.preset, &args.mapping) {
        (Some(p), _) => Choice::Preset(p.clone()),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("could not read the mapping {}", path.display()))?;
            let mapping = Mapping::from_json(&text)
                .map_err(|e| anyhow::anyhow!("{} is not a column mapping: {e}", path.display()))?;
            Choice::Mapping(Box::new(mapping))
        }
        (None, None) => Choice::Detect,
    };
    let names: Vec<String> = args
        .inputs
        .iter()
        .map(|p| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect();
    let actor = args
        .actor
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "command line".to_owned());
    let reason = args
        .reason
        .unwrap_or_else(|| format!("import of {}", names.join(", ")));
    Ok(ImportRequest {
        db,
        inputs: args.inputs,
        choice,
        skip_bad_rows: args.skip_bad_rows.is_some(),
        who: super::simulation::attribution(&actor, &reason),
        today,
        currency: args.currency,
        owner: false,
    })
}

/// How each file was read, and what was written where (with how to take it back).
fn print_what_was_written(outcome: &ImportOutcome, db: &Path) {
    for f in &outcome.files {
        println!(
            "{}: read as {} ({}, {}).",
            f.file, f.export, f.encoding, f.delimiter
        );
    }
    match outcome.log_entry {
        Some(entry) => println!(
            "{} {} (audit-log entry {entry}).",
            if outcome.created {
                "Created"
            } else {
                "Imported into"
            },
            db.display()
        ),
        None => println!(
            "Nothing new: {} already holds every order, customer and product in these files (an import never changes an order already in the shop).",
            db.display()
        ),
    }
    if let (Some(copy), Some(entry)) = (&outcome.undo_copy, outcome.log_entry) {
        println!(
            "A copy of the shop from before this import is kept as {}: `candor undo --entry {entry}` takes the import back while it is the newest entry.",
            copy.display()
        );
    }
}

/// The counts of what the import added, and every reason something was left out.
fn print_summary(outcome: &ImportOutcome, bad_rows_report: Option<&Path>) {
    let s = &outcome.summary;
    println!(
        "Customers: {} added, {} updated ({}). Products: {} added ({} never recommended: postage, fees, discounts, unspecified items). Orders: {} added with {} ({}, {}); {} already imported.",
        s.customers_added,
        s.customers_updated,
        crate::engine::words::count(s.fields_updated, "field", "fields"),
        s.products_added,
        s.not_products_added,
        s.orders_added,
        crate::engine::words::count(s.lines_added, "line", "lines"),
        crate::engine::words::count(s.returns_added, "return", "returns"),
        crate::engine::words::count(s.guest_orders_added, "guest sale", "guest sales"),
        s.orders_already_imported
    );
    let words = [
        s.since_words(),
        s.skipped_consent_words(),
        s.default_consent_words(),
    ];
    for words in words.into_iter().flatten() {
        println!("{words}");
    }
    if s.consent_information {
        println!("Consent decisions recorded: {}.", s.consents_added);
    } else if outcome.customers_without_consent_information() {
        println!(
            "These files carry no consent information, so no consent was recorded: personalized rules will not run for these customers until their consent is recorded."
        );
    }
    for (reason, n) in &s.consents_not_recorded {
        println!("  consent not recorded ({n}): {reason}");
    }
    if s.preferences_added > 0 || !s.preferences_not_recorded.is_empty() {
        println!("Stated preferences recorded: {}.", s.preferences_added);
    }
    for (reason, n) in &s.preferences_not_recorded {
        println!("  preference not recorded ({n}): {reason}");
    }
    for (reason, n) in &s.rows_left_out {
        println!("Rows left out ({n}): {reason}.");
    }
    for (label, text) in crate::import::report::what_the_rows_became(outcome) {
        println!("{label}: {text}.");
    }
    if s.bad_rows_skipped > 0 {
        println!(
            "Bad rows skipped: {} (listed in {}).",
            s.bad_rows_skipped,
            bad_rows_report.map_or_else(String::new, |p| p.display().to_string())
        );
    }
    for (file, columns) in &s.columns_not_imported {
        println!("Not imported from {file}: {}.", columns.join(", "));
    }
    if s.erased_not_reimported > 0 {
        println!(
            "Not imported again: {} erased on request.",
            crate::engine::words::count(s.erased_not_reimported, "customer", "customers")
        );
    }
    if let Some(words) = s.currency_words(outcome.currency) {
        println!("{words}");
    }
    if let Some(words) = s.pin_words() {
        println!("{words}");
    }
}

/// Writes the wizard's starting mapping for the one file in `inputs` to `out`.
fn guess_mapping(inputs: &[PathBuf], out: &Path) -> Result<()> {
    let [path] = inputs else {
        bail!("--guess-mapping reads one file at a time; give one export file");
    };
    if out.exists() || out.is_symlink() {
        bail!(
            "{} already exists; --guess-mapping writes a new file only, so choose another name",
            out.display()
        );
    }
    let (table, preset) = detect_file(path)?;
    let mapping = crate::import::run::first_guess(&table, preset);
    let json = serde_json::to_string_pretty(&mapping).context("writing the mapping as JSON")?;
    crate::safe_write::write_file(out, json.as_bytes())
        .with_context(|| format!("writing {}", out.display()))?;
    let how = match preset {
        Some(p) => format!("the {} preset's mapping", p.name),
        None => "Candor's guess".to_owned(),
    };
    println!(
        "Wrote {how} for {} to {}. Check which column holds what (\"columns\"), how dates are written (\"dates\") and which statuses are not sales (\"skip_statuses\", \"skip_payment_statuses\"), then import with --mapping {}.",
        table.file,
        out.display(),
        out.display()
    );
    Ok(())
}

fn detect(inputs: &[PathBuf]) -> Result<()> {
    let mut unknown = 0;
    for path in inputs {
        let (table, preset) = detect_file(path)?;
        match preset {
            Some(p) => println!("{}: {} ({})", table.file, p.name, p.label),
            None => {
                unknown += 1;
                println!(
                    "{}: not recognized (columns: {}). Presets: {}",
                    table.file,
                    table.headers.join(", "),
                    PRESETS.map(|p| p.name).join(", ")
                );
            }
        }
    }
    if unknown > 0 {
        bail!(
            "{unknown} file(s) not recognized; map their columns with --mapping (--guess-mapping MAP.json writes Candor's guess to start from)"
        );
    }
    Ok(())
}
