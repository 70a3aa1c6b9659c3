//! The application: saved state, the open shop and the current view. Views return what
//! they want done; the app queues it as [`Command`]s and carries them out after the frame
//! ([`commands`]), running the session's use cases on worker threads ([`work`]). The
//! frame ([`frame`], [`menu`]), the dialogs, presenter mode and lessons each have a file.

mod commands;
mod dialogs;
mod frame;
mod lessons;
mod menu;
mod presenter;
mod work;

use std::path::PathBuf;

use chrono::NaiveDate;
use egui::Ui;
use serde::{Deserialize, Serialize};

use super::audit_log::{AuditLogView, WhoWhy};
use super::customer::{CustomerAction, CustomerPage};
use super::customers::CustomersView;
use super::ethics::{EthicsAction, EthicsView};
use super::files::{FileOpener, FilePicker, FileQuestion};
use super::import::ImportDialog;
use super::jobs::Job;
use super::lesson::LessonRun;
use super::loader::{Loaded, Loading};
use super::owner::OwnerDialog;
use super::rules::RuleEditor;
use super::scenario::{Scenario, ScenarioAction};
use crate::access::Role;
use crate::engine::changes::Change;
use crate::lessons::{Lesson, View};
use crate::session::{LogState, SessionError};
use crate::store::{Attribution, LogEntry};

/// How many recent files are remembered.
const MAX_RECENT: usize = 8;

/// What eframe persists between runs.
#[derive(Default, Serialize, Deserialize)]
pub struct Saved {
    /// Recently opened shops, newest first.
    pub recent: Vec<PathBuf>,
    /// The name staff last gave as "who is applying".
    #[serde(default)]
    pub last_actor: String,
    /// The name the owner last gave: never offered to staff after switching back.
    #[serde(default)]
    pub last_owner_actor: String,
    /// Whether staff see scores, rule and field names on a customer's page (off, the
    /// default: the explanation in words).
    #[serde(default)]
    pub details_for_staff: bool,
    /// Whether the owner sees them.
    #[serde(default)]
    pub details_for_owner: bool,
    /// Each staff member's own choice, by the name they act under (the role's choice is
    /// for a name that has made none yet).
    #[serde(default)]
    pub details_by_name: std::collections::BTreeMap<String, bool>,
}

impl Saved {
    /// Whether `role` chose to see scores, rule and field names.
    pub fn details(&self, role: Role) -> bool {
        match role {
            Role::Staff => self
                .details_by_name
                .get(&self.last_actor)
                .copied()
                .unwrap_or(self.details_for_staff),
            Role::Owner => self.details_for_owner,
        }
    }

    /// The shop opened most recently that is still where it was, if any.
    pub fn last_shop(&self) -> Option<PathBuf> {
        self.recent.iter().find(|path| path.is_file()).cloned()
    }

    /// The name to offer as "who" to someone acting as `role`: the one last given in
    /// that role, so the owner's name is never offered to staff after switching back.
    pub fn actor(&self, role: Role) -> &str {
        match role {
            Role::Staff => &self.last_actor,
            Role::Owner => &self.last_owner_actor,
        }
    }

    /// Remembers `name` as the one last given acting as `role`.
    pub fn remember_actor(&mut self, role: Role, name: &str) {
        let name = name.trim().to_owned();
        match role {
            Role::Staff => self.last_actor = name,
            Role::Owner => self.last_owner_actor = name,
        }
    }

    /// Remembers `role`'s choice of Details
    /// (for staff, by the name they last acted under, when there is one.)
    pub fn set_details(&mut self, role: Role, on: bool) {
        match role {
            Role::Staff if !self.last_actor.is_empty() => {
                self.details_by_name.insert(self.last_actor.clone(), on);
            }
            Role::Staff => self.details_for_staff = on,
            Role::Owner => self.details_for_owner = on,
        }
    }
}

/// A path typed where no file dialog could open, answering the question of its title.
struct TypedPath {
    title: String,
    path: PathBuf,
    /// Whether a command is run again with it (kept while it runs) rather than a dialog
    /// asked again (used once).
    for_command: bool,
}

/// The main views, which are the tabs (one name for them everywhere: [`View`]).
pub type Tab = View;

/// Something a view asks the app to do after the frame.
#[derive(Debug, Clone)]
pub enum Command {
    /// Show the native open dialog.
    OpenDialog,
    /// Save the blank preference form for the counter (and open it to print).
    PreferenceForm,
    /// Ask for export files (and, with no shop open, where to create one), then show the
    /// import dialog.
    ImportDialog,
    /// Turn presenter mode on or off.
    Presenter(bool),
    /// Open a shop file.
    Open(PathBuf),
    /// Show a customer (position in the snapshot).
    SelectCustomer(usize),
    /// Apply the simulated scenario.
    Apply(Attribution),
    /// Undo an audit-log entry.
    Undo(i64, Attribution),
    /// Read the audit log again.
    RefreshLog,
    /// Something asked for in the ethics audit view.
    Ethics(EthicsAction),
    /// Export one customer's data into a folder.
    Export(i64, PathBuf, Attribution),
    /// Erase one customer.
    Erase(i64, Attribution),
    /// Delete everything past its retention period.
    Purge(Attribution),
    /// Show one customer's masked data, after logging who and why.
    Reveal(i64, Attribution),
    /// Open the export-recommendations dialog (owner only).
    ExportRecommendationsDialog,
    /// Write every customer's recommendations into a file (products per customer, email
    /// only), after logging who and why.
    ExportRecommendations(PathBuf, usize, bool, Attribution),
    /// Something asked for on a customer's page.
    Customer(i64, CustomerAction),
    /// Add a change to the scenario (from the Rules view).
    Propose(Box<Change>),
    /// Something asked for in the scenario panel or its banner.
    Scenario(ScenarioAction),
    /// Show a view (reading the log again for the audit log).
    Show(View),
    /// Ask who undoes an audit-log entry and why.
    AskUndo(i64),
    /// Save the audit-log entries shown: as a printable page (`true`) or a CSV file.
    ExportLog(bool),
    /// Open the breach-report dialog (owner only).
    BreachDialog,
    /// Ask where to write a backup of the shop, and write it.
    BackupDialog,
    /// Ask which backup to restore, then who and why.
    RestoreDialog,
    /// Put a backup back in the shop's place, after logging who and why.
    Restore(PathBuf, Attribution),
    /// Add a name to the shop's staff list.
    AddStaffName(String),
    /// Open the owner's dialog for the shop's password protection.
    ProtectDialog,
    /// Protect the shop with a password, change it, or take it off.
    Protect(crate::store::Protection, Attribution),
}

/// What an apply, undo or erasure job hands back.
type ApplyOutcome = Result<Written, ApplyFailure>;

/// A write that succeeded.
struct Written {
    /// What to tell the person.
    message: String,
    /// The shop as it now is, with its audit log.
    loaded: Loaded,
    /// Upgrade backups that still hold an erased customer, to offer to delete.
    backups: Vec<PathBuf>,
}

/// Why an apply or undo job failed, and whether the shop must be reloaded first.
struct ApplyFailure {
    message: String,
    stale: bool,
}

impl From<SessionError> for ApplyFailure {
    fn from(e: SessionError) -> Self {
        Self {
            stale: e.is_stale(),
            message: e.to_string(),
        }
    }
}

/// The audit log being read again on a worker, and the customer whose masked data is
/// shown once the reading that records it is done.
struct LogRead {
    job: Job<Result<LogState, SessionError>>,
    reveals: Option<i64>,
}

/// The Candor application.
pub struct CandorApp {
    saved: Saved,
    today: NaiveDate,
    tab: Tab,
    loading: Option<Loading>,
    shop: Option<Loaded>,
    customers: CustomersView,
    customer: Option<CustomerPage>,
    /// Where the list and a customer's page do not fit side by side (a narrow window
    /// with a scenario open), whether the list is shown instead of the page.
    list_instead_of_page: bool,
    error: Option<String>,
    notice: Option<String>,
    /// Upgrade backups an erasure found, and whether their deletion is being confirmed.
    backups_to_delete: (Vec<PathBuf>, bool),
    commands: Vec<Command>,
    title: String,
    scenario: Scenario,
    rule_editor: RuleEditor,
    log: AuditLogView,
    who_why: Option<WhoWhy>,
    applying: Option<Job<ApplyOutcome>>,
    log_read: Option<LogRead>,
    ethics: EthicsView,
    role: Role,
    owner_dialog: Option<OwnerDialog>,
    /// The shop whose "no owner yet" banner was put off ("Not now") this session.
    owner_banner_put_off: Option<PathBuf>,
    help_open: bool,
    /// Whether Help → How Candor works is showing.
    guide_open: bool,
    exporting: Option<Job<Result<String, String>>>,
    outreach: Option<crate::ui::outreach::OutreachDialog>,
    breach: Option<crate::ui::breach::BreachDialog>,
    /// Asking for the password of a protected shop being opened.
    unlock: Option<crate::ui::protect::UnlockDialog>,
    /// Asking for a path in a field, where no file dialog could open.
    path_entry: Option<super::path_entry::PathEntry>,
    /// Paths typed there, by the title of the question each answers, kept while the
    /// command that asked is run again.
    typed_paths: Vec<TypedPath>,
    /// The command being run, to run again once a typed path is given.
    running: Option<Command>,
    /// The owner's dialog for the shop's password protection.
    protect: Option<crate::ui::protect::ProtectDialog>,
    /// The "New customer" form, while it is open.
    new_customer: Option<crate::ui::new_customer::NewCustomerForm>,
    import: Option<ImportDialog>,
    lesson: Option<LessonRun>,
    /// A lesson asked for on a shop it was not written for, waiting for the person's answer.
    lesson_asked: Option<Lesson>,
    /// A lesson to start once the training shop has been reset.
    lesson_after_reset: Option<Lesson>,
    reset_asked: bool,
    presenting: Option<Job<Result<Loaded, String>>>,
    /// The look and zoom before presenter mode, kept to restore them.
    before_presenting: Option<(egui::Visuals, f32)>,
    /// Asks the person for files and folders (native dialogs; tests answer themselves).
    picker: FilePicker,
    /// Opens a page the window wrote in the browser (tests record it instead).
    opener: FileOpener,
}

impl CandorApp {
    /// A window with no shop open yet.
    pub fn new(saved: Saved, today: NaiveDate) -> Self {
        Self {
            saved,
            today,
            tab: Tab::Scorecard,
            loading: None,
            shop: None,
            customers: CustomersView::default(),
            customer: None,
            list_instead_of_page: false,
            error: None,
            notice: None,
            backups_to_delete: (Vec::new(), false),
            commands: Vec::new(),
            title: String::new(),
            scenario: Scenario::default(),
            rule_editor: RuleEditor::default(),
            log: AuditLogView::default(),
            who_why: None,
            applying: None,
            log_read: None,
            ethics: EthicsView::default(),
            role: Role::Staff,
            owner_dialog: None,
            owner_banner_put_off: None,
            help_open: false,
            guide_open: false,
            exporting: None,
            outreach: None,
            breach: None,
            unlock: None,
            protect: None,
            path_entry: None,
            typed_paths: Vec::new(),
            running: None,
            new_customer: None,
            import: None,
            lesson: None,
            lesson_asked: None,
            lesson_after_reset: None,
            reset_asked: false,
            presenting: None,
            before_presenting: None,
            picker: super::files::native_picker(),
            opener: super::files::native_opener(),
        }
    }

    /// A window showing an already loaded shop (tests, screenshots).
    pub fn with_shop(loaded: Loaded, today: NaiveDate) -> Self {
        let mut app = Self::new(Saved::default(), today);
        app.show_loaded(loaded);
        app
    }

    /// Starts opening a shop on a worker thread.
    pub fn open(&mut self, path: PathBuf, ctx: &egui::Context) {
        let ctx = ctx.clone();
        self.loading = Some(Loading::spawn(path, self.today, move || {
            ctx.request_repaint();
        }));
    }

    /// The open shop, if any.
    pub fn shop(&self) -> Option<&Loaded> {
        self.shop.as_ref()
    }

    /// The customer page on show, if any.
    pub fn customer_page(&self) -> Option<&CustomerPage> {
        self.customer.as_ref()
    }

    /// The error message on show, if any.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The current tab.
    pub fn tab(&self) -> Tab {
        self.tab
    }

    /// The pending scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The audit-log entries last read.
    pub fn log_entries(&self) -> &[LogEntry] {
        self.shop.as_ref().map_or(&[], |s| &s.log.entries)
    }

    /// The last confirmation message (e.g. "Applied as entry 1").
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Back to the staff role: the owner's signing key is forgotten, so nothing written from
    /// now on is signed as the owner's.
    pub(super) fn become_staff(&mut self) {
        self.role = Role::Staff;
        if let Some(key) = self.shop.as_ref().and_then(|s| s.log.owner_key.as_deref()) {
            crate::store::signing::forget_owner_key(key);
        }
    }

    /// The protected shop whose password the window is asking for, if any.
    pub fn asking_password_for(&self) -> Option<&std::path::Path> {
        self.unlock.as_ref().map(|u| u.path.as_path())
    }

    /// The owner's recovery code while the owner's dialog shows it (once).
    pub fn owner_recovery_code(&self) -> Option<&str> {
        self.owner_dialog
            .as_ref()
            .and_then(OwnerDialog::recovery_code)
    }

    /// Whether the owner's dialog is checking a passphrase.
    pub fn is_checking_owner(&self) -> bool {
        self.owner_dialog
            .as_ref()
            .is_some_and(OwnerDialog::is_checking)
    }

    fn show_loaded(&mut self, loaded: Loaded) {
        self.saved.recent.retain(|p| p != &loaded.path);
        self.saved.recent.insert(0, loaded.path.clone());
        self.saved.recent.truncate(MAX_RECENT);
        let same_file = self.shop.as_ref().is_some_and(|s| s.path == loaded.path);
        self.customers = CustomersView::new(&loaded.rows);
        if !same_file {
            // Another shop's table starts at its first row, not where the last one was.
            self.customers.scroll_to_top();
        }
        self.customer = match (&self.customer, same_file) {
            (Some(page), true) if page.position() < loaded.rows.len() => {
                Some(CustomerPage::new(&loaded, page.position()))
            }
            _ => None,
        };
        if !same_file {
            self.scenario.clear();
            self.typed_paths.clear();
            // The owner's passphrase belongs to one shop: another file starts as staff,
            // and an owner's dialog open for the last one (or its check) is dropped.
            self.become_staff();
            self.owner_dialog = None;
        }
        self.scenario.rebase();
        self.shop = Some(loaded);
    }

    /// Who is using the window.
    pub fn role(&self) -> Role {
        self.role
    }

    /// What the window remembers between runs (tests).
    pub fn saved(&self) -> &Saved {
        &self.saved
    }

    /// Replaces the native file and folder dialogs (tests answer with paths of their own).
    pub fn set_file_picker(&mut self, picker: FilePicker) {
        self.picker = picker;
    }

    /// Replaces the browser that opens the pages the window writes (tests record the path).
    pub fn set_file_opener(&mut self, opener: FileOpener) {
        self.opener = opener;
    }

    /// Writes `page` at `path` and opens it in the browser; the notice (or error) says
    /// where it was saved and whether it opened. `what` names it ("the customer's card").
    pub(super) fn save_page(&mut self, path: &std::path::Path, page: &str, what: &str) {
        if let Err(e) = crate::safe_write::write_file(path, page.as_bytes()) {
            self.error = Some(format!("Could not write {}: {e}", path.display()));
            return;
        }
        self.notice = Some(match (self.opener)(path) {
            Ok(()) => format!(
                "Saved {what} to {} and opened it in your browser, where it can be printed.",
                path.display()
            ),
            Err(why) => format!(
                "Saved {what} to {}. It could not be opened in a browser here ({why}): open the file from its folder to read or print it.",
                path.display()
            ),
        });
    }

    /// Asks the person for one file or folder; `None` when they cancel. When no dialog
    /// could be shown (no desktop file-chooser service), the window asks for the path in a
    /// field of its own instead, and the command that asked is run again with it.
    pub(super) fn ask_path(&mut self, question: &FileQuestion) -> Option<PathBuf> {
        self.ask_paths(question)
            .and_then(|paths| paths.into_iter().next())
    }

    /// Asks for one or more files, as [`Self::ask_path`] does. A typed path answers its
    /// question for as long as the command that asked runs (it may ask a second question,
    /// typed in turn, and is then run again with both answers).
    pub(super) fn ask_paths(&mut self, question: &FileQuestion) -> Option<Vec<PathBuf>> {
        if let Some(at) = self
            .typed_paths
            .iter()
            .position(|t| t.title == question.title)
        {
            let typed = &self.typed_paths[at];
            let path = typed.path.clone();
            // A path typed for a dialog (no command to run again) answers once.
            if !typed.for_command {
                self.typed_paths.remove(at);
            }
            return Some(vec![path]);
        }
        let answer = (self.picker)(question);
        if answer.is_none() && super::files::take_no_dialog() {
            self.path_entry = Some(super::path_entry::PathEntry::new(
                question.clone(),
                self.running.clone(),
            ));
        }
        answer
    }

    /// The field asking for a path where no file dialog could open, if it is showing.
    pub fn asking_path_for(&self) -> Option<&str> {
        self.path_entry.as_ref().map(|p| p.question.title.as_str())
    }

    /// The ethics audit view (tests).
    pub fn ethics(&self) -> &EthicsView {
        &self.ethics
    }

    /// The Rules view's state (tests).
    pub fn rule_editor(&self) -> &RuleEditor {
        &self.rule_editor
    }
}

/// Why nothing can be changed or exported in presenter mode.
pub(crate) const PRESENTING_REFUSAL: &str = "Presenter mode shows pseudonyms and changes nothing. Switch it off (View, Presenter mode, or F11) to apply, undo, export, erase, reveal or import.";

/// Whether a dropped file is an export to import rather than a shop file to open.
fn is_export_file(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["csv", "tsv", "txt", "gz"].contains(&e.to_lowercase().as_str()))
}

impl eframe::App for CandorApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.saved);
    }
}
