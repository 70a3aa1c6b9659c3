//! One import from start to end: read the files, merge them into the shop (or a new
//! one), and write the result in one transaction, or nothing at all.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use chrono::NaiveDate;
use serde::Serialize;

use super::mapping::Mapping;
use super::merge::{Merged, Summary, merge};
use super::parse::{Batch, ReadOptions};
use super::presets::{PRESETS, Preset, detect};
use super::source::Table;
use super::{ImportError, RowError};
use crate::engine::model::{Settings, Shop};
use crate::engine::money::Currency;
use crate::shopgen::catalogue;
use crate::store::keys::Known;
use crate::store::{Attribution, Store};

/// How to read the files.
#[derive(Clone, Debug)]
pub enum Choice {
    /// Recognize each file's export by its header.
    Detect,
    /// Read every file with this preset.
    Preset(String),
    /// Read every file with this mapping.
    Mapping(Box<Mapping>),
    /// One choice per file, in the order of the inputs (the window's wizard).
    PerFile(Vec<Choice>),
}

/// Everything an import needs to know.
#[derive(Clone, Debug)]
pub struct ImportRequest {
    /// The shop file; created when it does not exist.
    pub db: PathBuf,
    /// The export files, read in order.
    pub inputs: Vec<PathBuf>,
    /// How to read them.
    pub choice: Choice,
    /// Skip rows that cannot be read instead of stopping at the first.
    pub skip_bad_rows: bool,
    /// Who imports and why (logged).
    pub who: Attribution,
    /// Today's date (a shop with a pinned date uses its own).
    pub today: NaiveDate,
    /// The currency of prices in files whose mapping names none (`--currency`).
    pub currency: Option<Currency>,
    /// Whether the owner is importing: only the owner's import may change the price of a
    /// product already in the shop, as only the owner may change one in the window.
    pub owner: bool,
}

/// Where an import is, for a progress bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// What is happening, in words.
    pub stage: String,
    /// From 0 to 1.
    pub fraction: f32,
}

/// How one file was read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FileReport {
    /// The file's name.
    pub file: String,
    /// The export it was read as.
    pub export: String,
    /// Its text encoding.
    pub encoding: String,
    /// Its delimiter, in words.
    pub delimiter: String,
    /// Consent answers in this file that another file of the import contradicted and
    /// that were not taken.
    pub consent_conflicts: usize,
    /// What its rows became, in numbers.
    #[serde(flatten)]
    pub counts: super::parse::FileCounts,
}

/// What an import did.
#[derive(Clone, Debug, Serialize)]
pub struct ImportOutcome {
    /// Whether the shop file was created by this import.
    pub created: bool,
    /// How each file was read.
    pub files: Vec<FileReport>,
    /// The counts.
    pub summary: Summary,
    /// Files that disagreed about a customer's consent: which answer was taken.
    pub consent_conflicts: Vec<super::consent::ConsentConflict>,
    /// Rows skipped as unreadable (only with skip-bad-rows), with line and reason.
    #[serde(skip)]
    pub bad_rows: Vec<RowError>,
    /// The audit-log entry recording the import; `None` when there was nothing new.
    pub log_entry: Option<i64>,
    /// The shop's currency (ISO 4217): every price in the shop is in it.
    pub currency: Currency,
    /// Whether no file, no mapping and no `--currency` named a currency, so the prices
    /// were taken to be in the shop's (a new shop's default, GBP: a new shop of customers
    /// only is made in it too).
    pub currency_assumed: bool,
    /// Whether any file had prices.
    #[serde(skip)]
    pub priced: bool,
    /// Whether the shop imported into held no price before: its currency is set by this
    /// import.
    #[serde(skip)]
    pub shop_was_unpriced: bool,
    /// The copy of the shop kept from before an import into an existing shop, from which
    /// `candor undo --entry N` (or Undo in the log) takes the import back while it is the
    /// newest entry.
    pub undo_copy: Option<PathBuf>,
}

impl ImportOutcome {
    /// Whether the files held customers but no consent column: personalized rules will
    /// not run for those customers until their consent is recorded. A products export
    /// holds no customers, so it never says so.
    pub fn customers_without_consent_information(&self) -> bool {
        !self.summary.consent_information
            && self.files.iter().any(|f| f.counts.catalogue_products == 0)
    }
}

/// Reads a file's header and names the preset that recognizes it, if any.
pub fn detect_file(path: &Path) -> Result<(Table, Option<Preset>), ImportError> {
    let table = Table::open_head(path, super::source::HEAD_BYTES)?;
    let preset = detect(&table.headers);
    Ok((table, preset))
}

/// How the window's wizard starts reading a file: its preset's mapping when a preset
/// recognizes it, else Candor's guess from its header and first rows (columns, date
/// order, decimal commas, what statuses mean), for staff to check.
pub fn first_guess(table: &Table, preset: Option<Preset>) -> Mapping {
    match preset {
        Some(p) => preset_mapping(p, table),
        None => {
            let mut m = super::mapping::guess(&table.headers, &table.first_rows(8));
            m.name = format!("CSV file ({})", table.file);
            m
        }
    }
}

/// A preset's mapping for `table`, with decimal commas where its first rows' prices are
/// written so (`24,70`: a European spreadsheet's save of the export).
fn preset_mapping(preset: Preset, table: &Table) -> Mapping {
    let mut m = preset.mapping(&table.headers);
    m.decimal_comma =
        super::mapping::shows_decimal_comma(&m, &table.headers, &table.first_rows(200));
    m
}

/// The mapping to read `table` with.
pub fn mapping_for(table: &Table, choice: &Choice) -> Result<Mapping, ImportError> {
    match choice {
        Choice::Mapping(m) => Ok((**m).clone()),
        Choice::Preset(name) => {
            let preset = Preset::named(name).ok_or_else(|| {
                ImportError::NoSuchPreset(name.clone(), PRESETS.map(|p| p.name).join(", "))
            })?;
            let missing = preset.missing(&table.headers);
            if !missing.is_empty() {
                return Err(ImportError::MissingColumns {
                    file: table.file.clone(),
                    export: preset.label.to_owned(),
                    columns: missing,
                });
            }
            Ok(preset_mapping(preset, table))
        }
        Choice::PerFile(_) => Err(ImportError::Mapping {
            file: table.file.clone(),
            detail: "no mapping was chosen for this file".to_owned(),
        }),
        Choice::Detect => detect(&table.headers)
            .map(|p| preset_mapping(p, table))
            .ok_or_else(|| ImportError::UnknownFormat {
                file: table.file.clone(),
                columns: shortened(&table.headers),
            }),
    }
}

fn shortened(headers: &[String]) -> String {
    let mut text = headers
        .iter()
        .take(12)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if headers.len() > 12 {
        text.push_str(", …");
    }
    text
}

/// What the first `rows` rows of `table` give with `mapping`, for the wizard's preview
/// (bad rows are collected, not fatal).
/// `currency` is the target shop's, for prices the file does not name a currency for.
/// `today` is the day on the clock: rows dated later are shown as rows that cannot be read.
pub fn preview(
    table: &Table,
    mapping: &Mapping,
    rows: usize,
    currency: Currency,
    today: NaiveDate,
) -> Result<Batch, ImportError> {
    let mut batch = Batch::in_currency(currency);
    batch.read(
        table,
        mapping,
        &ReadOptions {
            skip_bad_rows: true,
            cancel: None,
            progress: &|_| {},
            limit: Some(rows),
            latest_date: today.succ_opt(),
        },
    )?;
    Ok(batch)
}

/// The empty shop an import into a new file starts from: the standard purposes and field
/// catalogue, the purchase-based starter rules, and popularity counted in customers.
pub fn blank_shop(db: &Path) -> Shop {
    let name = db.file_stem().map_or_else(
        || "Imported shop".to_owned(),
        |s| s.to_string_lossy().replace(['-', '_'], " "),
    );
    Shop {
        settings: Settings {
            name,
            // Exports mix shop counters and wholesale crates: counting customers keeps a
            // crate of 500 from outweighing 40 customers (measured in the README).
            popularity_counts: crate::engine::model::PopularityCount::Customers,
            ..Settings::default()
        },
        purposes: catalogue::purposes(),
        rules: catalogue::starter_rules(),
        fields: catalogue::fields(),
        ..Shop::default()
    }
}

/// Reads every file of the request into one batch, prices that no file or mapping names
/// a currency for taken as `currency`; with each file's report.
fn read_files(
    request: &ImportRequest,
    currency: Currency,
    progress: &dyn Fn(Progress),
    cancel: Option<&AtomicBool>,
) -> Result<(Batch, Vec<FileReport>), ImportError> {
    refuse_files_given_twice(&request.inputs)?;
    let files = request.inputs.len().max(1) as f32;
    let mut batch = Batch::in_currency(currency);
    let mut reports = Vec::new();
    for (i, input) in request.inputs.iter().enumerate() {
        let mut table = Table::open(input)?;
        // Shopify names every export orders_export_1.csv: files from two folders are told
        // apart (and their overlapping orders read once) by the path as given.
        let same_name = |other: &PathBuf| other != input && other.file_name() == input.file_name();
        if request.inputs.iter().any(same_name) {
            table.file = input.display().to_string();
        }
        let choice = match &request.choice {
            Choice::PerFile(list) => list.get(i).unwrap_or(&Choice::Detect),
            other => other,
        };
        let mut mapping = mapping_for(&table, choice)?;
        if mapping.currency.is_none() {
            mapping.currency = request.currency;
        }
        if table.rows().next().is_none() {
            return Err(ImportError::NoRows {
                file: table.file.clone(),
            });
        }
        let total = table.len_bytes().max(1) as f32;
        let stage = format!("Reading {}", table.file);
        let report = |bytes: u64| {
            progress(Progress {
                stage: stage.clone(),
                // Positions in transcoded text can pass the file's size: never past its end.
                fraction: 0.8 * (i as f32 + (bytes as f32 / total).min(1.0)) / files,
            });
        };
        batch.read(
            &table,
            &mapping,
            &ReadOptions {
                skip_bad_rows: request.skip_bad_rows,
                cancel,
                progress: &report,
                limit: None,
                latest_date: request.today.succ_opt(),
            },
        )?;
        reports.push(FileReport {
            file: table.file.clone(),
            export: mapping.name.clone(),
            encoding: table.encoding.to_owned(),
            delimiter: match table.delimiter {
                _ if table.spaces => "spaces",
                b';' => "semicolon",
                b'\t' => "tab",
                b'|' => "vertical bar",
                _ => "comma",
            }
            .to_owned(),
            consent_conflicts: 0,
            counts: super::parse::FileCounts::default(),
        });
    }
    batch.withdraw_orders_without_first_row();
    // Each file's counts as they stand once every file is read: an order a later file
    // took out (a newer status, a row that could not be read) is no longer counted as
    // bought by the file that read it.
    for (report, counts) in reports.iter_mut().zip(&batch.files) {
        report.counts = counts.clone();
    }
    Ok((batch, reports))
}

/// Refuses inputs that name one file twice (`a.csv ./a.csv`, or a link to it): its
/// orders would be read twice. Distinct files with the same orders are read once each, as
/// overlapping exports.
fn refuse_files_given_twice(inputs: &[PathBuf]) -> Result<(), ImportError> {
    for (i, later) in inputs.iter().enumerate() {
        let earlier = inputs[..i]
            .iter()
            .find(|e| *e == later || same_file::is_same_file(e, later).unwrap_or(false));
        if let Some(first) = earlier {
            return Err(ImportError::GivenTwice {
                file: first.display().to_string(),
                second: later.display().to_string(),
            });
        }
    }
    Ok(())
}

/// Runs an import. On any error nothing is written (a shop file the import was to create
/// is not left behind).
pub fn import(
    request: &ImportRequest,
    progress: &dyn Fn(Progress),
    cancel: Option<&AtomicBool>,
) -> Result<ImportOutcome, ImportError> {
    let created = !request.db.exists();
    if created {
        folder_for_new_shop(&request.db)?;
    }
    let read = read_in_one_currency(request, created, progress, cancel)?;
    let cancelled = || cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed));
    if cancelled() {
        return Err(ImportError::Cancelled);
    }
    progress(Progress {
        stage: "Matching with the shop".to_owned(),
        fraction: 0.85,
    });
    let target = Target::open(request, created, read.currency)?;
    let pin_move = (!created)
        .then(|| moved_pin(&target.shop, &read.batch, request.today))
        .flatten();
    let today = match pin_move {
        Some(day) => day.unwrap_or(request.today),
        None => target.shop.settings.pinned_today.unwrap_or(request.today),
    };
    let now = request.who.recorded_at();
    let mut merged = merge(
        &target.shop,
        &target.known,
        &read.batch,
        today,
        now,
        &request.who.actor,
    )?;
    if created {
        pin_historical_data(&mut merged, request.today);
    }
    if let Some(day) = pin_move {
        merged.shop.settings.pinned_today = day;
        merged.summary.pinned_today = day;
        merged.summary.pinned_today_before = target.shop.settings.pinned_today;
    }
    if let Some(before) = read.currency_before {
        merged.shop.settings.currency = read.currency;
        merged.summary.currency_before = Some(before.code().to_owned());
    }
    let prices_changed = merged.summary.product_prices_changed;
    if prices_changed > 0 && !request.owner {
        return Err(ImportError::PricesNeedOwner {
            count: prices_changed,
        });
    }
    let nothing_new = merged.new_keys.is_empty()
        && merged.updates.is_empty()
        && merged.summary.consents_added == 0
        && merged.summary.preferences_added == 0
        && pin_move.is_none()
        && merged.summary.currency_before.is_none();
    let mut outcome = read.outcome(created, &merged);
    if nothing_new && !created {
        return Ok(outcome);
    }
    progress(Progress {
        stage: "Writing to the shop file".to_owned(),
        fraction: 0.9,
    });
    if cancelled() {
        return Err(ImportError::Cancelled);
    }
    let detail = describe(&outcome);
    let entry = match target.store {
        Some(mut store) => {
            let (entry, copy) = write_keeping_a_copy(
                &mut store,
                &request.db,
                &merged,
                target.latest,
                &request.who,
                detail,
                cancel,
            )?;
            outcome.undo_copy = copy;
            entry
        }
        None => {
            let mut start = target.shop.clone();
            start.settings = merged.shop.settings.clone();
            create_with_import(&request.db, &start, &merged, &request.who, detail, cancel)?
        }
    };
    outcome.log_entry = Some(entry.ok_or(ImportError::Cancelled)?);
    progress(Progress {
        stage: "Done".to_owned(),
        fraction: 1.0,
    });
    Ok(outcome)
}

/// The files as read, in the one currency they and the shop are in.
struct ReadFiles {
    batch: Batch,
    reports: Vec<FileReport>,
    /// The currency the import is in.
    currency: Currency,
    /// The currency the files named, if any did.
    named: Option<Currency>,
    /// Whether the import's currency was given (`--currency`, "Prices are in"), though no
    /// price named it: a new shop of customers only is made in it.
    given: bool,
    /// The currency of a shop without prices, where this import's prices are in another:
    /// the shop takes theirs.
    currency_before: Option<Currency>,
    /// Whether the shop imported into held no price before.
    unpriced_shop: bool,
}

/// Reads the files in the shop's currency (a new shop's: the one its files name; a file
/// that names none, such as a products export beside an orders export, is read again in
/// it). Refused when the files name several currencies or another than the shop's.
fn read_in_one_currency(
    request: &ImportRequest,
    created: bool,
    progress: &dyn Fn(Progress),
    cancel: Option<&AtomicBool>,
) -> Result<ReadFiles, ImportError> {
    let held = if created {
        None
    } else {
        let store = Store::open_for_reading(&request.db)?.0;
        Some((store.settings()?.currency, store.holds_prices()?))
    };
    // A shop without any price yet takes the currency of the first prices it receives.
    let shop_currency = held.and_then(|(c, priced)| priced.then_some(c));
    let unpriced = held.and_then(|(c, priced)| (!priced).then_some(c));
    let (mut batch, mut reports) = read_files(
        request,
        shop_currency.or(unpriced).unwrap_or_default(),
        progress,
        cancel,
    )?;
    if (created || unpriced.is_some())
        && let Some(named) = batch.prices_named_currency()
        && named != batch.currency
        && batch
            .files
            .iter()
            .any(|f| f.currency_taken_as.is_some() || !f.converted.is_empty())
    {
        (batch, reports) = read_files(request, named, progress, cancel)?;
    }
    if let Some(misread) = batch.take_currency_misread() {
        return Err(misread);
    }
    let named = one_currency(&batch)?;
    // A new shop is made in the currency asked for, even by files without prices.
    let currency = (named.or(shop_currency))
        .or(request.currency)
        .or(unpriced)
        .unwrap_or_default();
    if let Some(shop) = shop_currency.filter(|s| *s != currency) {
        return Err(ImportError::NotTheShopsCurrency {
            shop: shop.code().to_owned(),
            files: currency.code().to_owned(),
        });
    }
    Ok(ReadFiles {
        batch,
        reports,
        currency,
        named,
        given: request.currency.is_some(),
        currency_before: unpriced.filter(|c| *c != currency),
        unpriced_shop: unpriced.is_some(),
    })
}

impl ReadFiles {
    /// What the import made of the files, before anything is written.
    fn outcome(self, created: bool, merged: &Merged) -> ImportOutcome {
        let mut files = self.reports;
        for f in &mut files {
            f.consent_conflicts = merged
                .consent_conflicts
                .iter()
                .filter(|c| c.not_taken.file == f.file)
                .count();
        }
        ImportOutcome {
            created,
            files,
            summary: merged.summary.clone(),
            consent_conflicts: merged.consent_conflicts.clone(),
            currency_assumed: self.named.is_none()
                && !self.given
                && (created
                    || self.unpriced_shop
                    || (self.batch.files.iter()).any(|f| f.currency_taken_as.is_some())),
            shop_was_unpriced: self.unpriced_shop,
            priced: (self.batch.files.iter())
                .any(|f| !f.currencies.is_empty() || f.currency_taken_as.is_some()),
            bad_rows: self.batch.bad_rows,
            currency: self.currency,
            log_entry: None,
            undo_copy: None,
        }
    }
}

/// The shop an import goes into: the open file with what earlier imports recorded, or
/// a new, empty shop in the import's currency.
struct Target {
    store: Option<Store>,
    shop: Shop,
    known: Known,
    /// The newest audit-log entry when the shop was read (0 for a new shop).
    latest: i64,
}

impl Target {
    fn open(
        request: &ImportRequest,
        created: bool,
        currency: Currency,
    ) -> Result<Self, ImportError> {
        if created {
            let mut shop = blank_shop(&request.db);
            shop.settings.currency = currency;
            return Ok(Self {
                store: None,
                shop,
                known: Known::default(),
                latest: 0,
            });
        }
        let (store, _) = Store::open(&request.db)?;
        Ok(Self {
            shop: store.load()?,
            known: store.known_keys()?,
            latest: store.latest_entry()?,
            store: Some(store),
        })
    }
}

/// Writes the import into an existing shop, first keeping a consistent copy of the shop
/// as it was, named after the import's entry once that is known. The copy of a failed or
/// cancelled import is removed; a copy that cannot be named is not kept (the import stands).
fn write_keeping_a_copy(
    store: &mut Store,
    db: &Path,
    merged: &super::merge::Merged,
    latest: i64,
    who: &Attribution,
    detail: String,
    cancel: Option<&AtomicBool>,
) -> Result<(Option<i64>, Option<PathBuf>), ImportError> {
    let pending = db.with_file_name(format!(
        ".{}.import-pending-{}",
        db.file_name()
            .map_or_else(|| "shop".into(), |n| n.to_string_lossy()),
        std::process::id()
    ));
    // A copy left by an import that was killed is of no use and holds personal data.
    remove_copies(db, ".import-pending-", None);
    store.copy_to(&pending)?;
    let written = store.write_import(merged.records(), latest, who, detail, cancel);
    let kept = match &written {
        Ok(Some(entry)) => {
            let copy = crate::store::import_copy_path(db, *entry);
            std::fs::rename(&pending, &copy).is_ok().then_some(copy)
        }
        _ => None,
    };
    if kept.is_none() {
        // Nothing to report when the pending copy is already gone.
        let _ = std::fs::remove_file(&pending);
    }
    if let Some(copy) = &kept {
        // Only the newest import can be taken back: earlier copies are of no use any more.
        remove_copies(db, ".import-", copy.file_name());
    }
    Ok((written?, kept))
}

/// Deletes the shop's copies whose name contains `marked`, except `keep`: they hold
/// personal data. Names are compared, not paths, as the folder may be written differently
/// ("shop.candor" and "./shop.candor.import-1-backup" are in the same folder).
fn remove_copies(db: &Path, marked: &str, keep: Option<&std::ffi::OsStr>) {
    for copy in crate::store::upgrade_backups(db) {
        let name = copy.file_name();
        if name != keep && name.is_some_and(|n| n.to_string_lossy().contains(marked)) {
            // A copy that cannot be deleted is still listed, and offered, by erasure.
            let _ = std::fs::remove_file(&copy);
        }
    }
}

/// A shop keeps its money in one currency: files whose prices are in several are refused.
/// The one currency the files or their mappings name, if any.
fn one_currency(batch: &Batch) -> Result<Option<Currency>, ImportError> {
    let mut seen: Vec<(String, String)> = Vec::new();
    for f in &batch.files {
        let taken = f
            .currency_taken_as
            .iter()
            .map(|c| (c, " — taken as the shop's currency, as the file names none"));
        for (c, how) in f.currencies.iter().map(|c| (c, "")).chain(taken) {
            if !seen.iter().any(|(s, _)| s == c) {
                seen.push((c.clone(), format!("{}{how}", f.file)));
            }
        }
    }
    if seen.len() > 1 {
        let list: Vec<String> = seen.iter().map(|(c, f)| format!("{c} ({f})")).collect();
        return Err(ImportError::MixedCurrencies(list.join(", ")));
    }
    let named = batch.files.iter().flat_map(|f| &f.currencies).next();
    Ok(named.and_then(|c| Currency::from_code(c).ok()))
}

/// Builds a new shop file holding `start` and the import in a temporary file next to
/// `db`, and renames it into place only after the import's write has committed, so a
/// failed, cancelled or killed import never leaves a shop file (empty or otherwise).
fn create_with_import(
    db: &Path,
    start: &Shop,
    merged: &super::merge::Merged,
    who: &Attribution,
    detail: String,
    cancel: Option<&AtomicBool>,
) -> Result<Option<i64>, ImportError> {
    let name = db
        .file_name()
        .map_or_else(|| "shop".into(), |n| n.to_string_lossy().into_owned());
    let tmp = db.with_file_name(format!(".{name}.importing-{}", std::process::id()));
    let remove_tmp = || {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            // Nothing to report when a leftover is already gone.
            let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
        }
    };
    let written = (|| {
        Store::create(&tmp, start)?;
        let (mut store, _) = Store::open(&tmp)?;
        let entry = store.write_import(merged.records(), 0, who, detail, cancel)?;
        // Closing the only connection folds the write-ahead log into the file, which is
        // then complete by itself and can be renamed into place.
        drop(store);
        let wal = PathBuf::from(format!("{}-wal", tmp.display()));
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
            return Err(ImportError::Io {
                file: db.display().to_string(),
                source: std::io::Error::other("the new shop file could not be completed"),
            });
        }
        Ok::<_, ImportError>(entry)
    })();
    match written {
        Ok(Some(entry)) if !db.exists() => {
            std::fs::rename(&tmp, db).map_err(|source| ImportError::Io {
                file: db.display().to_string(),
                source,
            })?;
            remove_tmp();
            Ok(Some(entry))
        }
        Ok(Some(_)) => {
            remove_tmp();
            Err(ImportError::Io {
                file: db.display().to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "another program created this file while the import ran; nothing was written to it",
                ),
            })
        }
        other => {
            remove_tmp();
            other
        }
    }
}

/// Refuses to make a shop file in a folder that does not exist, naming the folder.
fn folder_for_new_shop(db: &Path) -> Result<(), ImportError> {
    let folder = match db.parent() {
        Some(f) if !f.as_os_str().is_empty() => f,
        _ => return Ok(()),
    };
    if folder.is_dir() {
        return Ok(());
    }
    let why = if folder.exists() {
        format!(
            "{} is a file, not a folder, so the shop file cannot be made in it; check the name",
            folder.display()
        )
    } else {
        format!(
            "the folder {} does not exist, so the shop file cannot be made there; check the name, or make the folder first",
            folder.display()
        )
    };
    Err(ImportError::Io {
        file: db.display().to_string(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, why),
    })
}

/// Historical data (the newest order older than the popularity window) would show nothing
/// as popular and every customer as long gone; a new shop made from it is pinned to the
/// day of its newest order, and the summary says so.
fn pin_historical_data(merged: &mut super::merge::Merged, today: NaiveDate) {
    let Some(newest) = merged.shop.orders.iter().map(|o| o.date).max() else {
        return;
    };
    let window = chrono::Duration::days(merged.shop.settings.popularity_days);
    if newest < today - window {
        merged.shop.settings.pinned_today = Some(newest);
        merged.summary.pinned_today = Some(newest);
    }
}

/// Where a pinned shop's day moves when the files hold orders after it: to the newest
/// order's day while that is older than the shop's popularity window, else to no pin (the
/// shop lives in the present). `None` when the pin stays where it is.
fn moved_pin(
    shop: &crate::engine::model::Shop,
    batch: &super::parse::Batch,
    today: NaiveDate,
) -> Option<Option<NaiveDate>> {
    let pinned = shop.settings.pinned_today?;
    let newest = batch.orders.iter().map(|o| o.date).max()?;
    if newest <= pinned {
        return None;
    }
    let window = chrono::Duration::days(shop.settings.popularity_days);
    Some((newest < today - window).then_some(newest))
}

/// The import in one paragraph, for the audit log.
pub fn describe(outcome: &ImportOutcome) -> String {
    let s = &outcome.summary;
    let files: Vec<String> = outcome
        .files
        .iter()
        .map(|f| format!("{} as {}", f.file, f.export))
        .collect();
    let preferences = if s.preferences_added > 0 {
        format!(", {} stated preferences recorded", s.preferences_added)
    } else {
        String::new()
    };
    let n = crate::engine::words::count;
    let notes = [
        s.since_words(),
        s.pin_words(),
        s.currency_words(outcome.currency),
    ]
    .into_iter()
    .flatten()
    .map(|w| format!(". {w}"))
    .collect::<String>();
    format!(
        "imported {}: {} added, {} updated ({}), {} added, {} updated ({}), {} added ({}, {}, {}), {} already imported, {} recorded{preferences}, {} left out, {} skipped{notes}",
        files.join("; "),
        n(s.customers_added, "customer", "customers"),
        s.customers_updated,
        n(s.fields_updated, "field", "fields"),
        n(s.products_added, "product", "products"),
        s.products_updated,
        n(s.product_prices_changed, "new price", "new prices"),
        n(s.orders_added, "order", "orders"),
        n(s.lines_added, "line", "lines"),
        n(s.returns_added, "return", "returns"),
        n(s.guest_orders_added, "guest sale", "guest sales"),
        s.orders_already_imported,
        n(s.consents_added, "consent decision", "consent decisions"),
        n(s.rows_left_out.values().sum::<usize>(), "row", "rows"),
        n(s.bad_rows_skipped, "bad row", "bad rows")
    )
}

/// Writes the skipped rows to a CSV report: file, line, column, reason.
pub fn write_bad_rows_report(path: &Path, rows: &[RowError]) -> Result<(), ImportError> {
    let io = |e: std::io::Error| ImportError::Io {
        file: path.display().to_string(),
        source: e,
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["file", "line", "column", "reason"])
        .map_err(|e| io(e.into()))?;
    for r in rows {
        let line = r.line.to_string();
        let cells = [
            r.file.as_str(),
            &line,
            r.column.as_deref().unwrap_or(""),
            r.reason.as_str(),
        ];
        w.write_record(
            cells
                .map(crate::safe_write::csv_cell)
                .iter()
                .map(AsRef::as_ref),
        )
        .map_err(|e| io(e.into()))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| io(std::io::Error::other(e.to_string())))?;
    crate::safe_write::write_file(path, &bytes)
        .map_err(|e| io(std::io::Error::other(e.to_string())))
}
