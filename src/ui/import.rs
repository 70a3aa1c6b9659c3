//! File → Import…: the files chosen, the export each was recognized as (or the
//! column-mapping wizard for one that was not), a preview, then the import on a worker
//! thread with a progress bar and Cancel, and its summary.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use egui::{RichText, Ui};

use super::jobs::Job;
use super::theme;
use crate::engine::money::Currency;
use crate::import::mapping::{self, ConsentColumn, DateOrder, KeywordCategory, Role};
use crate::import::parse::Batch;
use crate::import::run::{Choice, ImportRequest, preview, write_bad_rows_report};
use crate::import::source::Table;
use crate::import::{ImportOutcome, Mapping, Preset, import};
use crate::shopgen::catalogue;
use crate::store::Attribution;

/// Rows read for the preview of a mapping.
const PREVIEW_ROWS: usize = 200;
/// How much of each file the dialog reads (the import itself reads it whole, off the UI
/// thread): plenty for the header, the first rows and the preview.
const HEAD_BYTES: u64 = 256 * 1024;
/// Progress units of a whole import (the job counts in thousandths).
const PROGRESS_UNITS: usize = 1000;

/// One file to import and how it will be read.
pub struct ImportFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its header and first rows (the start of the file only), or why it cannot be read.
    pub table: Result<Table, String>,
    /// The preset that recognized it.
    pub preset: Option<Preset>,
    /// The mapping it will be read with (the preset's, a saved one's, or the wizard's).
    pub mapping: Mapping,
    /// The saved mapping that fitted its columns, if one was used.
    pub saved_as: Option<String>,
    first_rows: Vec<Vec<String>>,
    preview: Option<(Mapping, Result<Batch, PreviewFailure>)>,
    keywords: String,
    status_values: super::import_statuses::StatusValues,
}

impl ImportFile {
    fn new(path: PathBuf) -> Self {
        let table = Table::open_head(&path, HEAD_BYTES).map_err(|e| e.to_string());
        let mut saved_as = None;
        let (preset, mapping, first_rows) = match &table {
            Ok(t) => {
                let rows = t.first_rows(8);
                let preset = crate::import::presets::detect(&t.headers);
                let saved = mapping::saved_mappings(&crate::paths::mappings_dir())
                    .into_iter()
                    .find(|(_, m)| m.fits(&t.headers));
                let mapping = match (preset, &saved) {
                    (None, Some((_, m))) => m.clone(),
                    _ => crate::import::run::first_guess(t, preset),
                };
                saved_as = saved.filter(|_| preset.is_none()).map(|(file, _)| file);
                (preset, mapping, rows)
            }
            Err(_) => (None, Mapping::blank("CSV file"), Vec::new()),
        };
        let keywords = keywords_text(&mapping.categories_from_names);
        Self {
            path,
            table,
            preset,
            mapping,
            saved_as,
            first_rows,
            preview: None,
            keywords,
            status_values: Default::default(),
        }
    }

    fn name(&self) -> String {
        self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    /// What stops this file from being imported, if anything.
    pub fn problem(&self) -> Option<String> {
        match &self.table {
            Err(e) => Some(e.clone()),
            Ok(_) => self.mapping.problem(),
        }
    }
}

/// What the dialog asks the app to do.
#[derive(Debug, PartialEq, Eq)]
pub enum ImportAction {
    /// Nothing.
    None,
    /// Close the dialog.
    Close,
    /// Open (or reload) this shop file: the import finished.
    OpenShop(PathBuf),
    /// Ask where to save the chosen file's mapping, then [`ImportDialog::save_mapping`].
    SaveMapping,
    /// Ask for a saved mapping, then [`ImportDialog::use_mapping`].
    UseSavedMapping,
    /// Ask where to save the skipped rows, then [`ImportDialog::save_bad_rows`].
    SaveBadRows,
}

/// The import dialog's state.
pub struct ImportDialog {
    /// The shop file to import into (created if it does not exist).
    pub target: PathBuf,
    /// The files.
    pub files: Vec<ImportFile>,
    /// Skip unreadable rows instead of stopping.
    pub skip_bad_rows: bool,
    /// Who is importing.
    pub actor: String,
    /// Why.
    pub reason: String,
    /// The target shop's currency, in which the preview shows prices a file does not
    /// name a currency for (GBP for a new shop).
    pub currency: Currency,
    /// Whether the owner is importing (only the owner's import may change prices of
    /// products already in the shop).
    pub owner: bool,
    /// The target shop's staff list, when staff import into a shop that keeps one: the
    /// name is chosen from it.
    pub staff_names: Vec<String>,
    job: Option<Job<Result<ImportOutcome, String>>>,
    stage: Arc<Mutex<String>>,
    /// The finished import's outcome, or why it failed.
    pub outcome: Option<Result<ImportOutcome, String>>,
    selected: usize,
    message: Option<String>,
    today: chrono::NaiveDate,
}

impl ImportDialog {
    /// A dialog importing `files` into `target`.
    pub fn new(
        target: PathBuf,
        files: Vec<PathBuf>,
        actor: &str,
        today: chrono::NaiveDate,
    ) -> Self {
        // A file dropped twice is imported once (the import refuses one given twice).
        let mut seen = std::collections::HashSet::new();
        let files: Vec<ImportFile> = files
            .into_iter()
            .filter(|f| seen.insert(f.clone()))
            .map(ImportFile::new)
            .collect();
        let names: Vec<String> = files.iter().map(ImportFile::name).collect();
        Self {
            target,
            files,
            skip_bad_rows: false,
            actor: actor.to_owned(),
            reason: format!("import of {}", names.join(", ")),
            currency: Currency::GBP,
            owner: false,
            staff_names: Vec::new(),
            job: None,
            stage: Arc::new(Mutex::new(String::new())),
            outcome: None,
            selected: 0,
            message: None,
            today,
        }
    }

    /// Whether the import is running.
    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// Whether Cancel was pressed on the running import.
    pub fn cancel_requested(&self) -> bool {
        self.job
            .as_ref()
            .is_some_and(|j| j.progress.cancel.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Starts the import on a worker thread.
    pub fn start(&mut self, ctx: &egui::Context) {
        let who = Attribution::now(self.actor.trim(), self.reason.trim());
        // Every file with its own mapping, read in turn into one batch: one transaction.
        let request = ImportRequest {
            db: self.target.clone(),
            inputs: self.files.iter().map(|f| f.path.clone()).collect(),
            choice: Choice::PerFile(
                self.files
                    .iter()
                    .map(|f| Choice::Mapping(Box::new(f.mapping.clone())))
                    .collect(),
            ),
            skip_bad_rows: self.skip_bad_rows,
            who,
            today: self.today,
            currency: None,
            owner: self.owner,
        };
        let stage = Arc::clone(&self.stage);
        let ctx = ctx.clone();
        let wake = ctx.clone();
        self.outcome = None;
        self.job = Some(Job::spawn(
            PROGRESS_UNITS,
            move || wake.request_repaint(),
            move |progress| {
                let report = |p: crate::import::Progress| {
                    if let Ok(mut s) = stage.lock() {
                        *s = p.stage;
                    }
                    progress.done.store(
                        (p.fraction * PROGRESS_UNITS as f32) as usize,
                        std::sync::atomic::Ordering::Relaxed,
                    );
                    ctx.request_repaint();
                };
                import(&request, &report, Some(&progress.cancel)).map_err(|e| e.to_string())
            },
        ));
    }

    /// Draws the dialog.
    pub fn ui(&mut self, ctx: &egui::Context) -> ImportAction {
        if let Some(result) = self.job.as_ref().and_then(Job::poll) {
            self.job = None;
            self.outcome = Some(result.and_then(std::convert::identity));
        }
        let mut action = ImportAction::None;
        egui::Modal::new(egui::Id::unique("import-dialog")).show(ctx, |ui| {
            ui.set_width(860.0);
            ui.heading("Import a shop's data");
            egui::ScrollArea::vertical()
                .id_salt("import-scroll")
                .max_height(ui.ctx().content_rect().height() - 300.0)
                .show(ui, |ui| {
                    if self.outcome.is_some() {
                        self.outcome_ui(ui);
                    } else {
                        action = self.files_ui(ui);
                    }
                });
            ui.separator();
            let below = if self.outcome.is_none() {
                self.actions_ui(ui)
            } else {
                self.outcome_actions_ui(ui)
            };
            if below != ImportAction::None {
                action = below;
            }
        });
        action
    }

    /// Saves the chosen file's mapping as JSON at `path`, saying how it went.
    pub fn save_mapping(&mut self, path: &Path) {
        if let Some(file) = self.files.get(self.selected) {
            self.message = Some(save_mapping(path, &file.mapping));
        }
    }

    /// Reads the chosen file with the saved mapping at `path`, saying how it went.
    pub fn use_mapping(&mut self, path: &Path) {
        let Some(file) = self.files.get_mut(self.selected) else {
            return;
        };
        match load_mapping(path) {
            Ok(loaded) => {
                file.keywords = keywords_text(&loaded.categories_from_names);
                file.mapping = loaded;
                self.message = Some(format!("Using the mapping in {}.", path.display()));
            }
            Err(e) => self.message = Some(e),
        }
    }

    /// Writes the finished import's skipped rows as CSV at `path`, saying how it went.
    pub fn save_bad_rows(&mut self, path: &Path) {
        if let Some(Ok(o)) = &self.outcome {
            self.message = Some(match write_bad_rows_report(path, &o.bad_rows) {
                Ok(()) => format!("Saved {}.", path.display()),
                Err(e) => e.to_string(),
            });
        }
    }

    fn files_ui(&mut self, ui: &mut Ui) -> ImportAction {
        ui.label(format!(
            "Into: {}{}",
            self.target.display(),
            if self.target.exists() {
                ""
            } else {
                " (a new shop file)"
            }
        ));
        ui.add_space(6.0);
        for (i, f) in self.files.iter().enumerate() {
            let status = match (&f.table, f.preset) {
                (Err(e), _) => RichText::new(format!("{}: cannot be imported: {e}", f.name()))
                    .color(theme::NEGATIVE),
                (Ok(_), Some(p)) => {
                    RichText::new(format!("{}: recognized as {}", f.name(), p.label))
                }
                (Ok(_), None) => match &f.saved_as {
                    Some(saved) => RichText::new(format!(
                        "{}: read with your saved mapping {saved}",
                        f.name()
                    )),
                    None => RichText::new(format!(
                        "{}: not a known export; map its columns below",
                        f.name()
                    ))
                    .color(theme::FLAG),
                },
            };
            if ui.selectable_label(self.selected == i, status).clicked() {
                self.selected = i;
            }
        }
        let Some(file) = self.files.get_mut(self.selected) else {
            return ImportAction::None;
        };
        if file.table.is_err() {
            return ImportAction::None;
        }
        ui.separator();
        if file.preset.is_some() {
            // A recognized export without a currency column: which currency its prices are
            // in is asked here, not hidden in the collapsed mapping ("$" names no currency).
            if reads_prices_without_currency(&file.mapping) {
                currency_ui(ui, &mut file.mapping, self.currency);
            }
            let salt = ("import-mapping", self.selected);
            let folded = egui::collapsing_header::CollapsingState::load(
                ui.ctx(),
                ui.make_persistent_id(salt),
            )
            .is_none_or(|state| !state.is_open());
            if folded {
                folded_problem_ui(ui, file, self.currency);
            }
            egui::CollapsingHeader::new("Check or change how its columns are read")
                .id_salt(salt)
                .show(ui, |ui| mapping_ui(ui, file, self.currency, false))
                .body_returned
                .unwrap_or(ImportAction::None)
        } else {
            mapping_ui(ui, file, self.currency, true)
        }
    }

    fn actions_ui(&mut self, ui: &mut Ui) -> ImportAction {
        let mut action = ImportAction::None;
        ui.checkbox(
            &mut self.skip_bad_rows,
            "Skip rows that cannot be read, and list them in a report (otherwise the first bad row stops the import and nothing is imported)",
        );
        ui.horizontal(|ui| {
            let l = ui.label("Your name");
            if self.staff_names.is_empty() {
                ui.text_edit_singleline(&mut self.actor).labelled_by(l.id);
            } else {
                super::audit_log::staff_name_choice(ui, &mut self.actor, &self.staff_names, l.id);
            }
            let l = ui.label("Why");
            ui.add(egui::TextEdit::singleline(&mut self.reason).desired_width(380.0))
                .labelled_by(l.id);
        });
        if let Some(m) = &self.message {
            ui.label(RichText::new(m).color(theme::MUTED));
        }
        let problem = self
            .files
            .iter()
            .find_map(|f| f.problem().map(|p| format!("{}: {p}", f.name())))
            .or_else(|| {
                let unlisted = !self.staff_names.is_empty()
                    && !self.staff_names.iter().any(|n| n == self.actor.trim());
                (self.actor.trim().is_empty() || unlisted).then(|| {
                    if unlisted {
                        "Choose your name from the staff list (a new name is added in any who-and-why dialog, or with candor staff --add).".to_owned()
                    } else {
                        "Say who is importing.".to_owned()
                    }
                })
            })
            .or_else(|| self.reason.trim().is_empty().then(|| "Say why.".to_owned()));
        if let Some(job) = &self.job {
            let stage = self.stage.lock().map(|s| s.clone()).unwrap_or_default();
            ui.add(
                egui::ProgressBar::new(job.fraction())
                    .show_percentage()
                    .text(stage),
            );
            if ui.button("Cancel import").clicked() {
                job.cancel();
            }
            return action;
        }
        ui.horizontal(|ui| {
            if ui
                .add_enabled(problem.is_none(), egui::Button::new("Import"))
                .clicked()
            {
                self.start(ui.ctx());
            }
            if ui.button("Close").clicked() {
                action = ImportAction::Close;
            }
        });
        // On its own line, wrapped: a long reason must not widen the dialog off the screen.
        if let Some(p) = &problem {
            ui.add(egui::Label::new(RichText::new(p).color(theme::FLAG)).wrap());
        }
        action
    }

    fn outcome_ui(&mut self, ui: &mut Ui) {
        match &self.outcome {
            Some(Err(e)) => {
                ui.label(
                    RichText::new("Nothing was imported.")
                        .strong()
                        .color(theme::NEGATIVE),
                );
                ui.label(e);
            }
            Some(Ok(o)) => {
                let s = &o.summary;
                ui.label(
                    RichText::new(match o.log_entry {
                        Some(entry) => format!("Imported (audit-log entry {entry})."),
                        None => "Nothing new: the shop already holds every order, customer and product in these files (an import never changes an order already in the shop)."
                            .to_owned(),
                    })
                    .strong(),
                );
                egui::Grid::new("import-summary")
                    .striped(true)
                    .max_col_width(560.0)
                    .show(ui, |ui| {
                        for (label, value) in summary_rows(o) {
                            ui.label(label);
                            ui.add(egui::Label::new(value).wrap());
                            ui.end_row();
                        }
                    });
                if o.customers_without_consent_information() {
                    ui.label(RichText::new("These files carry no consent information, so no consent was recorded. Personalized rules will not run for these customers until their consent is recorded (on a customer's page: Record a consent decision…).").color(theme::FLAG));
                }
                if let Some(words) = s.skipped_consent_words() {
                    ui.label(RichText::new(words).color(theme::FLAG));
                }
                if let Some(words) = s.default_consent_words() {
                    ui.label(words);
                }
                if let Some(words) = s.since_words() {
                    ui.label(words);
                }
                if let Some(words) = s.currency_words(o.currency) {
                    ui.label(words);
                }
                if let Some(words) = s.pin_words() {
                    ui.label(words);
                }
                if let Some(m) = &self.message {
                    ui.label(RichText::new(m).color(theme::MUTED));
                }
            }
            None => {}
        }
    }

    fn outcome_actions_ui(&mut self, ui: &mut Ui) -> ImportAction {
        let mut action = ImportAction::None;
        match &self.outcome {
            Some(Err(_)) if ui.button("Back").clicked() => self.outcome = None,
            Some(Ok(o)) => {
                ui.horizontal(|ui| {
                    if !o.bad_rows.is_empty()
                        && ui.button("Save the report of skipped rows…").clicked()
                    {
                        action = ImportAction::SaveBadRows;
                    }
                    if ui.button("Show the shop").clicked() {
                        action = ImportAction::OpenShop(self.target.clone());
                    }
                });
            }
            _ => {}
        }
        action
    }
}

fn keywords_text(list: &[KeywordCategory]) -> String {
    list.iter()
        .map(|k| format!("{} = {}", k.keyword, k.category))
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_keywords(text: &str) -> Vec<KeywordCategory> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, c)| KeywordCategory {
            keyword: k.trim().to_owned(),
            category: c.trim().to_owned(),
        })
        .filter(|k| !k.keyword.is_empty() && !k.category.is_empty())
        .collect()
}

/// The column-mapping wizard for `file` in a shop of `currency`: the first rows, a column
/// chooser per role with the guess pre-filled, how dates and numbers are written, what
/// statuses mean, consent and categories, a preview; with the "Prices are in" chooser where
/// `ask_currency` (a file no preset knows; a recognized one has it above). Returns what
/// the person asked the app to do with a mapping file.
fn mapping_ui(
    ui: &mut Ui,
    file: &mut ImportFile,
    currency: Currency,
    ask_currency: bool,
) -> ImportAction {
    let Ok(table) = &file.table else {
        return ImportAction::None;
    };
    let headers = table.headers.clone();
    first_rows_ui(ui, &table.file, &headers, &file.first_rows);
    ui.add_space(6.0);
    ui.label(RichText::new("Which column holds what").strong());
    let m = &mut file.mapping;
    roles_ui(ui, m, &headers);
    ui.horizontal_wrapped(|ui| formats_ui(ui, m));
    super::import_statuses::statuses_ui(ui, m, table, &mut file.status_values);
    if ask_currency {
        if !m.columns.contains_key(&Role::Currency) {
            currency_ui(ui, m, currency);
        }
        ui.horizontal_wrapped(|ui| system_ui(ui, m));
    }
    ui.horizontal(|ui| consent_column_ui(ui, m, &headers));
    ui.horizontal_wrapped(|ui| preference_column_ui(ui, m, &headers));
    ui.label("Categories from words in product names, one per line (\"BAG = bags\"); used where the file has no category:");
    if ui
        .add(
            egui::TextEdit::multiline(&mut file.keywords)
                .desired_rows(3)
                .desired_width(f32::INFINITY),
        )
        .changed()
    {
        m.categories_from_names = parse_keywords(&file.keywords);
    }
    let mut action = ImportAction::None;
    ui.horizontal(|ui| {
        if ui.button("Save this mapping…").clicked() {
            action = ImportAction::SaveMapping;
        }
        if ui.button("Use a saved mapping…").clicked() {
            action = ImportAction::UseSavedMapping;
        }
    });
    preview_ui(ui, file, currency);
    action
}

/// The orders of the previewed rows left out as not sales, by status, in words.
fn not_sales_line(batch: &Batch) -> Option<String> {
    let mut by_status: std::collections::BTreeMap<&str, usize> = Default::default();
    for counts in &batch.files {
        for (status, n) in &counts.orders_not_purchases {
            *by_status.entry(status).or_default() += n;
        }
    }
    let total: usize = by_status.values().sum();
    (total > 0).then(|| {
        let each: Vec<String> = by_status
            .iter()
            .map(|(status, n)| format!("{n} {status}"))
            .collect();
        format!(
            "Left out as not sales: {} ({})",
            crate::engine::words::count(total, "order", "orders"),
            each.join(", ")
        )
    })
}

/// The file's header and first five rows, scrolling sideways.
fn first_rows_ui(ui: &mut Ui, file: &str, headers: &[String], rows: &[Vec<String>]) {
    ui.label(RichText::new(format!("The first rows of {file}")).strong());
    egui::ScrollArea::horizontal()
        .id_salt("import-first-rows")
        .show(ui, |ui| {
            egui::Grid::new("import-first-rows-grid")
                .striped(true)
                .show(ui, |ui| {
                    for h in headers {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for row in rows.iter().take(5) {
                        for v in row {
                            ui.label(v.chars().take(28).collect::<String>());
                        }
                        ui.end_row();
                    }
                });
        });
}

/// A column chooser per role, two roles to a row.
fn roles_ui(ui: &mut Ui, m: &mut Mapping, headers: &[String]) {
    egui::Grid::new("import-roles")
        .num_columns(4)
        .show(ui, |ui| {
            for (i, role) in Role::ALL.into_iter().enumerate() {
                role_ui(ui, m, headers, role);
                if i % 2 == 1 || i + 1 == Role::ALL.len() {
                    ui.end_row();
                }
            }
        });
}

/// The chooser of the column holding `role` ("(not in this file)" for none).
fn role_ui(ui: &mut Ui, m: &mut Mapping, headers: &[String], role: Role) {
    let current = m.columns.get(&role).map(|c| c.names().join(" + "));
    let label = ui.label(role.label());
    egui::ComboBox::from_id_salt(("import-role", role))
        .selected_text(
            current
                .clone()
                .unwrap_or_else(|| "(not in this file)".to_owned()),
        )
        .width(200.0)
        .show_ui(ui, |ui| {
            if ui
                .selectable_label(current.is_none(), "(not in this file)")
                .clicked()
            {
                m.columns.remove(&role);
            }
            for h in headers {
                if ui
                    .selectable_label(current.as_deref() == Some(h), h)
                    .clicked()
                {
                    m.columns.insert(role, mapping::Columns::One(h.clone()));
                }
            }
        })
        .response
        .labelled_by(label.id);
}

/// How dates and numbers are written, and whether each row is a product.
fn formats_ui(ui: &mut Ui, m: &mut Mapping) {
    let label = ui.label("Dates are written");
    egui::ComboBox::from_id_salt("import-dates")
        .selected_text(date_order_label(m.dates))
        .show_ui(ui, |ui| {
            for d in [
                DateOrder::FromFile,
                DateOrder::YearMonthDay,
                DateOrder::DayMonthYear,
                DateOrder::MonthDayYear,
            ] {
                ui.selectable_value(&mut m.dates, d, date_order_label(d));
            }
        })
        .response
        .labelled_by(label.id);
    ui.checkbox(&mut m.decimal_comma, "Numbers use a decimal comma (2,50)");
    ui.checkbox(
        &mut m.catalogue,
        "Each row is a product (a products export)",
    );
    ui.checkbox(
        &mut m.purchases_without_products,
        "Rows are purchases that name no product (an \"unspecified item\")",
    );
    ui.checkbox(
        &mut m.product_list,
        "The product cell lists several products (\"Tea, Mug\")",
    );
}

/// A chooser of one column or "(none)", labelled `label`: what was picked this frame
/// (`Some(None)` for none).
fn optional_column_ui(
    ui: &mut Ui,
    label: &str,
    id: &str,
    current: Option<&str>,
    headers: &[String],
) -> Option<Option<String>> {
    let label = ui.label(label);
    let mut picked = None;
    egui::ComboBox::from_id_salt(id)
        .selected_text(current.unwrap_or("(none)"))
        .show_ui(ui, |ui| {
            if ui.selectable_label(current.is_none(), "(none)").clicked() {
                picked = Some(None);
            }
            for h in headers {
                if ui.selectable_label(current == Some(h), h).clicked() {
                    picked = Some(Some(h.clone()));
                }
            }
        })
        .response
        .labelled_by(label.id);
    picked
}

/// The system a file no preset knows comes from (its key space): its order and customer
/// numbers are told apart from another system's by this name.
fn system_ui(ui: &mut Ui, m: &mut Mapping) {
    let label = ui.label("The system it comes from");
    ui.add(egui::TextEdit::singleline(&mut m.key_space).desired_width(120.0))
        .labelled_by(label.id);
    ui.label(
        RichText::new("(order 1001 of one system is not order 1001 of another: give each system its own name, and keep it for that system's later exports)")
            .weak(),
    );
}

/// The consent column, if any, and the purpose it records consent to.
fn consent_column_ui(ui: &mut Ui, m: &mut Mapping, headers: &[String]) {
    let current = m.consents.first().map(|c| c.column.clone());
    match optional_column_ui(
        ui,
        "Consent column",
        "import-consent",
        current.as_deref(),
        headers,
    ) {
        Some(None) => m.consents.clear(),
        Some(Some(column)) => {
            let purpose = m
                .consents
                .first()
                .map_or_else(|| "email_offers".to_owned(), |c| c.purpose.clone());
            m.consents = vec![ConsentColumn {
                column,
                purpose,
                only_withdrawals: false,
            }];
        }
        None => {}
    }
    if let Some(c) = m.consents.first_mut() {
        ui.label("records consent to");
        let purposes = catalogue::purposes();
        let chosen = purposes
            .iter()
            .find(|p| p.id == c.purpose)
            .map_or_else(|| c.purpose.clone(), |p| p.label.clone());
        egui::ComboBox::from_id_salt("import-consent-purpose")
            .selected_text(chosen)
            .show_ui(ui, |ui| {
                for p in purposes {
                    ui.selectable_value(&mut c.purpose, p.id.clone(), p.label);
                }
            });
    }
}

/// The column, if any, holding what customers told the shop they want, and what its
/// values are: off unless chosen, as a platform's tags are often the shop's own labels.
fn preference_column_ui(ui: &mut Ui, m: &mut Mapping, headers: &[String]) {
    use crate::engine::preferences::PreferenceKind;
    use crate::import::mapping::{PreferenceAbout, PreferenceColumn};
    let current = m.preferences.first().map(|c| c.column.clone());
    let picked = optional_column_ui(
        ui,
        "Stated preferences column",
        "import-preferences",
        current.as_deref(),
        headers,
    );
    match picked {
        Some(None) => m.preferences.clear(),
        Some(Some(column)) => {
            let (kind, about) = m
                .preferences
                .first()
                .map_or((PreferenceKind::Liked, PreferenceAbout::Tag), |c| {
                    (c.kind, c.about)
                });
            m.preferences = vec![PreferenceColumn {
                column,
                kind,
                about,
            }];
        }
        None => {}
    }
    ui.label("(?)").on_hover_text("Only a column where customers said what they want, values separated by commas (e.g. tags such as \"tea, vegan\"). Recorded for customers with no decision about them; an import never takes one back.");
    let Some(c) = m.preferences.first_mut() else {
        return;
    };
    let label = ui.label("each value is what the customer");
    egui::ComboBox::from_id_salt("import-preferences-kind")
        .selected_text(c.kind.label())
        .show_ui(ui, |ui| {
            for kind in PreferenceKind::ALL {
                ui.selectable_value(&mut c.kind, kind, kind.label());
            }
        })
        .response
        .labelled_by(label.id);
    if c.kind == PreferenceKind::IgnorePurchases {
        c.about = PreferenceAbout::Category;
    }
    let about_text = |a: PreferenceAbout| match a {
        PreferenceAbout::Category => "categories",
        PreferenceAbout::Tag => "tags",
    };
    let label = ui.label("read as");
    egui::ComboBox::from_id_salt("import-preferences-about")
        .selected_text(about_text(c.about))
        .show_ui(ui, |ui| {
            let mut about = |a| ui.selectable_value(&mut c.about, a, about_text(a));
            about(PreferenceAbout::Category);
            if c.kind != PreferenceKind::IgnorePurchases {
                about(PreferenceAbout::Tag);
            }
        })
        .response
        .labelled_by(label.id);
}

/// The import summary's rows: what was added, updated, left out and not imported.
fn summary_rows(o: &ImportOutcome) -> Vec<(&'static str, String)> {
    let s = &o.summary;
    let mut rows = vec![
        ("Rows read", s.rows_read.to_string()),
        ("Customers added", s.customers_added.to_string()),
        (
            "Customers updated",
            format!(
                "{} ({} fields, each in the audit log)",
                s.customers_updated, s.fields_updated
            ),
        ),
        (
            "Products added",
            format!(
                "{} ({} never recommended: postage, fees, discounts, unspecified items)",
                s.products_added, s.not_products_added
            ),
        ),
        (
            "Orders added",
            format!(
                "{} with {} ({}, {})",
                s.orders_added,
                crate::engine::words::count(s.lines_added, "line", "lines"),
                crate::engine::words::count(s.returns_added, "return", "returns"),
                crate::engine::words::count(s.guest_orders_added, "guest sale", "guest sales")
            ),
        ),
        (
            "Already in the shop",
            crate::engine::words::count(s.orders_already_imported, "order", "orders"),
        ),
        ("Consent decisions recorded", s.consents_added.to_string()),
        ("Bad rows skipped", s.bad_rows_skipped.to_string()),
    ];
    for (reason, n) in &s.rows_left_out {
        rows.push(("Rows left out", format!("{n}: {reason}")));
    }
    rows.extend(crate::import::report::what_the_rows_became(o));
    for (reason, n) in &s.consents_not_recorded {
        rows.push(("Consent not recorded", format!("{n}: {reason}")));
    }
    if s.preferences_added > 0 || !s.preferences_not_recorded.is_empty() {
        rows.push((
            "Stated preferences recorded",
            s.preferences_added.to_string(),
        ));
    }
    for (reason, n) in &s.preferences_not_recorded {
        rows.push(("Preference not recorded", format!("{n}: {reason}")));
    }
    for (file, columns) in &s.columns_not_imported {
        rows.push(("Not imported", format!("{file}: {}", columns.join(", "))));
    }
    if s.erased_not_reimported > 0 {
        let people = crate::engine::words::count(s.erased_not_reimported, "customer", "customers");
        rows.push(("Erased on request", format!("{people} not brought back")));
    }
    rows
}

/// Currencies offered in the wizard for a file that does not say its currency.
const OFFERED_CURRENCIES: [&str; 13] = [
    "GBP", "EUR", "USD", "CAD", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "PLN", "JPY", "INR",
];

/// Whether a mapping reads prices but no currency column says which currency they are in
/// (a customers list reads no prices, so it is not asked).
fn reads_prices_without_currency(m: &Mapping) -> bool {
    let has = |r: Role| m.columns.contains_key(&r);
    (has(Role::UnitPrice) || has(Role::LineTotal)) && !has(Role::Currency)
}

/// "Prices are in": the shop's currency, or one the owner names for this file.
fn currency_ui(ui: &mut Ui, m: &mut Mapping, shop: Currency) {
    ui.horizontal(|ui| {
        let label = ui.label("Prices are in");
        let shop_choice = format!("the shop's currency ({})", shop.code());
        let shown = m.currency.map_or_else(
            || shop_choice.clone(),
            |c| format!("{} ({})", c.code(), c.name()),
        );
        egui::ComboBox::from_id_salt("import-currency")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut m.currency, None, shop_choice);
                for c in OFFERED_CURRENCIES
                    .iter()
                    .filter_map(|c| Currency::from_code(c).ok())
                {
                    let text = format!("{} ({})", c.code(), c.name());
                    ui.selectable_value(&mut m.currency, Some(c), text);
                }
            })
            .response
            .labelled_by(label.id);
    });
}

/// The saved-mappings folder, created so the file dialog can open in it.
pub fn mappings_folder() -> PathBuf {
    let dir = crate::paths::mappings_dir();
    // Only where the dialog starts: if the folder cannot be made, the dialog opens
    // without it, and saving a mapping there reports why it cannot be written.
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn date_order_label(d: DateOrder) -> &'static str {
    match d {
        DateOrder::FromFile => "as the file shows (choose if it cannot tell)",
        DateOrder::YearMonthDay => "year-month-day (2026-05-03)",
        DateOrder::DayMonthYear => "day/month/year (03/05/2026)",
        DateOrder::MonthDayYear => "month/day/year (05/03/2026)",
    }
}

/// Writes a mapping as JSON, the format `candor import --mapping` reads.
pub fn save_mapping(path: &Path, mapping: &Mapping) -> String {
    match serde_json::to_string_pretty(mapping)
        .map_err(|e| e.to_string())
        .and_then(|json| {
            crate::safe_write::write_file(path, json.as_bytes()).map_err(|e| e.to_string())
        }) {
        Ok(()) => format!(
            "Saved the mapping to {}. Saved in Candor's mappings folder, it is used by itself next time for a file with the same columns.",
            path.display()
        ),
        Err(e) => format!("Could not save the mapping: {e}"),
    }
}

fn load_mapping(path: &Path) -> Result<Mapping, String> {
    crate::safe_write::keep(path);
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Mapping::from_json(&text)
        .map_err(|e| format!("{} is not a column mapping: {e}", path.display()))
}

/// What the first rows give with the current mapping.
/// Reads the first rows with the file's current mapping, unless they were read with it
/// already; `None` when the file or its mapping cannot be read at all.
fn refreshed_preview(
    file: &mut ImportFile,
    currency: Currency,
) -> Option<&Result<Batch, PreviewFailure>> {
    let Ok(table) = &file.table else {
        return None;
    };
    if file.mapping.problem().is_some() {
        return None;
    }
    if file
        .preview
        .as_ref()
        .is_none_or(|(m, _)| *m != file.mapping)
    {
        let today = chrono::Local::now().date_naive();
        let result = preview(table, &file.mapping, PREVIEW_ROWS, currency, today)
            .map_err(|e| PreviewFailure::of(&e));
        file.preview = Some((file.mapping.clone(), result));
    }
    file.preview.as_ref().map(|(_, result)| result)
}

/// Why the first rows could not be previewed, and whether it stops the import.
struct PreviewFailure {
    text: String,
    stops_import: bool,
}

impl PreviewFailure {
    /// First rows whose dates do not tell their order do not stop the import, which reads
    /// the whole file to tell (and stops, saying so, if it cannot either).
    fn of(e: &crate::import::ImportError) -> Self {
        match e {
            crate::import::ImportError::DatesUntold {
                rows_read: Some(rows),
                ..
            } => Self {
                text: format!(
                    "No date in the first {rows} rows tells whether dates are day-first or month-first, so they are not previewed. Import reads the whole file to tell, and stops with a message if it cannot; or choose it yourself with \"Dates are written\", among how its columns are read."
                ),
                stops_import: false,
            },
            other => Self {
                text: other.to_string(),
                stops_import: true,
            },
        }
    }

    /// The text, in red where it stops the import.
    fn label(&self) -> RichText {
        let text = RichText::new(&self.text);
        if self.stops_import {
            text.color(theme::NEGATIVE)
        } else {
            text.color(theme::MUTED)
        }
    }
}

/// For a recognized export whose mapping is folded away: what stops its first rows from
/// being read (a price in another currency), shown before Import is clicked.
fn folded_problem_ui(ui: &mut Ui, file: &mut ImportFile, currency: Currency) {
    match refreshed_preview(file, currency) {
        Some(Err(e)) => {
            ui.add(egui::Label::new(e.label()).wrap());
        }
        Some(Ok(batch)) if !batch.bad_rows.is_empty() => {
            ui.label(
                RichText::new(format!(
                    "{} of the first {PREVIEW_ROWS} cannot be read; the first: {}",
                    crate::engine::words::count(batch.bad_rows.len(), "row", "rows"),
                    batch.bad_rows[0]
                ))
                .color(theme::NEGATIVE),
            );
        }
        _ => {}
    }
}

fn preview_ui(ui: &mut Ui, file: &mut ImportFile, currency: Currency) {
    let Some(result) = refreshed_preview(file, currency) else {
        return;
    };
    ui.label(RichText::new(format!("Preview of the first {PREVIEW_ROWS} rows")).strong());
    match result {
        Err(e) => {
            ui.add(egui::Label::new(e.label()).wrap());
        }
        Ok(batch) => {
            ui.label(format!(
                "{}, {}, {}, {}; {} cannot be read",
                crate::engine::words::customers(batch.customers.len()),
                crate::engine::words::count(batch.products.len(), "product", "products"),
                crate::engine::words::count(batch.orders.len(), "order", "orders"),
                crate::engine::words::count(
                    batch.consents.len(),
                    "consent answer",
                    "consent answers"
                ),
                crate::engine::words::count(batch.bad_rows.len(), "row", "rows")
            ));
            if let Some(line) = not_sales_line(batch) {
                ui.label(line);
            }
            for e in batch.bad_rows.iter().take(3) {
                ui.label(RichText::new(e.to_string()).color(theme::FLAG));
            }
            egui::Grid::new("import-preview")
                .striped(true)
                .show(ui, |ui| {
                    for h in [
                        "Order",
                        "Day",
                        "Customer",
                        "Product",
                        "Category",
                        "Units",
                        "Unit price",
                    ] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for o in batch.orders.iter().take(6) {
                        for l in o.lines.iter().take(2) {
                            let p = &batch.products[l.product];
                            ui.label(o.key.split_once(':').map_or(o.key.as_str(), |(_, k)| k));
                            ui.label(o.date.to_string());
                            ui.label(
                                o.customer
                                    .as_deref()
                                    .map_or("guest", |c| c.split_once(':').map_or(c, |(_, k)| k)),
                            );
                            ui.label(&p.name);
                            ui.label(if p.not_a_product {
                                "not a product"
                            } else if p.category == crate::engine::model::NO_CATEGORY {
                                "(none)"
                            } else {
                                p.category.as_str()
                            });
                            ui.label(l.quantity.to_string());
                            ui.label(batch.prices_currency().price_text(l.unit_price_cents));
                            ui.end_row();
                        }
                    }
                });
        }
    }
}
