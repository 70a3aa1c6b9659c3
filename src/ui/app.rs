//! The application: saved state, the open shop, the current view, and the one place
//! where commands from the views are carried out (file dialogs, loading).

use std::path::PathBuf;

use chrono::NaiveDate;
use egui::Ui;
use serde::{Deserialize, Serialize};

use super::audit_log::{AuditLogView, Decision, WhoWhy, WhoWhyFor};
use super::customer::{CustomerAction, CustomerPage};
use super::customers::CustomersView;
use super::ethics::{EthicsAction, EthicsView};
use super::import::{ImportAction, ImportDialog};
use super::jobs::Job;
use super::lesson::{LessonAction, LessonRun};
use super::loader::{Loaded, Loading};
use super::owner::{OwnerDecision, OwnerDialog};
use super::rules::{RuleEditor, rules_ui};
use super::scenario::{Scenario, ScenarioAction};
use super::shortcuts::Shortcut;
use crate::access::{Role, needs_owner};
use crate::engine::scorecard::Place;
use crate::lessons::{Lesson, Observed, Show, View};
use crate::session::{LogState, SessionError};
use crate::store::{Attribution, LogEntry};

/// How many recent files are remembered.
const MAX_RECENT: usize = 8;

/// What eframe persists between runs.
#[derive(Default, Serialize, Deserialize)]
pub struct Saved {
    /// Recently opened shops, newest first.
    pub recent: Vec<PathBuf>,
    /// The name last given as "who is applying".
    #[serde(default)]
    pub last_actor: String,
}

/// The main views.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// The ethics scorecard, shown first.
    Scorecard,
    /// Customers table and the selected customer.
    Customers,
    /// The shop's rules and features in words.
    Rules,
    /// The ethics audit.
    Audit,
    /// Every applied change.
    Log,
}

/// The views lessons name are the window's tabs.
impl From<View> for Tab {
    fn from(view: View) -> Self {
        match view {
            View::Scorecard => Self::Scorecard,
            View::Customers => Self::Customers,
            View::Rules => Self::Rules,
            View::Audit => Self::Audit,
            View::Log => Self::Log,
        }
    }
}

impl From<Tab> for View {
    fn from(tab: Tab) -> Self {
        match tab {
            Tab::Scorecard => Self::Scorecard,
            Tab::Customers => Self::Customers,
            Tab::Rules => Self::Rules,
            Tab::Audit => Self::Audit,
            Tab::Log => Self::Log,
        }
    }
}

/// Something a view asks the app to do after the frame.
#[derive(Debug)]
pub enum Command {
    /// Show the native open dialog.
    OpenDialog,
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
    /// Something asked for on a customer's page.
    Customer(i64, CustomerAction),
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
    job: Job<Result<LogState, String>>,
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
    help_open: bool,
    exporting: Option<Job<Result<String, String>>>,
    import: Option<ImportDialog>,
    lesson: Option<LessonRun>,
    reset_asked: bool,
    presenting: Option<Job<Result<Loaded, String>>>,
    /// The look and zoom before presenter mode, kept to restore them.
    before_presenting: Option<(egui::Visuals, f32)>,
    /// Asks the person for a folder (the native dialog; tests answer it themselves).
    pick_folder: FolderPicker,
}

/// Asks for a folder with the given title; `None` when the person cancels.
pub type FolderPicker = Box<dyn FnMut(&str) -> Option<PathBuf>>;

fn native_folder_picker(title: &str) -> Option<PathBuf> {
    rfd::FileDialog::new().set_title(title).pick_folder()
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
            help_open: false,
            exporting: None,
            import: None,
            lesson: None,
            reset_asked: false,
            presenting: None,
            before_presenting: None,
            pick_folder: Box::new(native_folder_picker),
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

    /// Whether an apply or undo is still being written.
    pub fn is_applying(&self) -> bool {
        self.applying.is_some()
    }

    /// Whether the owner's passphrase is being checked.
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
        self.customer = match (&self.customer, same_file) {
            (Some(page), true) if page.position() < loaded.rows.len() => {
                Some(CustomerPage::new(&loaded, page.position()))
            }
            _ => None,
        };
        if !same_file {
            self.scenario.clear();
        }
        self.scenario.rebase();
        self.shop = Some(loaded);
    }

    /// Draws the whole window, then carries out what the views asked for.
    pub fn show(&mut self, ui: &mut Ui) {
        self.poll_loading();
        self.poll_applying();
        self.poll_log_read();
        self.poll_exporting();
        self.poll_presenting(ui.ctx());
        if let Some(shop) = &self.shop {
            self.ethics.poll(shop, ui.ctx());
            self.scenario
                .set_audit(self.ethics.config.clone(), self.ethics.current(shop));
            self.scenario.poll(shop, ui.ctx());
        }
        self.handle_input(ui.ctx());
        self.update_title(ui.ctx());
        egui::Panel::top("menu").show(ui, |ui| {
            self.menu_ui(ui);
            self.banner_ui(ui);
        });
        if let Some(loading) = &self.loading {
            egui::Panel::bottom("progress").show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!(
                        "Opening {}: {}",
                        loading.path.display(),
                        loading.stage
                    ));
                    ui.add(egui::ProgressBar::new(loading.fraction).show_percentage());
                });
            });
        }
        self.error_ui(ui.ctx());
        self.who_why_ui(ui.ctx());
        self.import_ui(ui.ctx());
        self.owner_dialog_ui(ui.ctx());
        super::shortcuts::help_window(ui.ctx(), &mut self.help_open);
        self.reset_ui(ui.ctx());
        self.lesson_ui(ui);
        if let Some(shop) = &self.shop
            && !self.scenario.is_empty()
            && self.tab != Tab::Log
        {
            let customer = self.customer.as_ref().map(CustomerPage::position);
            egui::Panel::right("scenario")
                .resizable(true)
                .default_size(400.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .show(ui, |ui| self.scenario.ui(ui, shop, customer));
                });
        }
        match (&self.shop, self.tab) {
            (None, _) => {
                egui::CentralPanel::default().show(ui, |ui| self.welcome_ui(ui));
            }
            (Some(shop), Tab::Scorecard) => {
                let go = egui::CentralPanel::default()
                    .show(ui, |ui| super::scorecard::scorecard_ui(ui, &shop.scorecard))
                    .inner;
                if let Some(place) = go {
                    self.tab = match place {
                        Place::Rules => Tab::Rules,
                        Place::Audit => Tab::Audit,
                        Place::Log => Tab::Log,
                        Place::Customers => Tab::Customers,
                    };
                    if self.tab == Tab::Log {
                        self.commands.push(Command::RefreshLog);
                    }
                }
            }
            (Some(_), Tab::Customers) => self.customers_tab_ui(ui),
            (Some(shop), Tab::Rules) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    rules_ui(ui, shop, &mut self.scenario, &mut self.rule_editor);
                });
            }
            (Some(shop), Tab::Audit) => {
                let actions = egui::CentralPanel::default()
                    .show(ui, |ui| self.ethics.ui(ui, shop, self.role == Role::Owner))
                    .inner;
                self.commands
                    .extend(actions.into_iter().map(Command::Ethics));
            }
            (Some(shop), Tab::Log) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    let owner = self.role == Role::Owner;
                    if let Some(entry) = self.log.ui(ui, &shop.log.entries, owner) {
                        self.who_why = Some(WhoWhy {
                            actor: self.saved.last_actor.clone(),
                            reason: String::new(),
                            purpose: WhoWhyFor::Undo(entry),
                        });
                    }
                });
            }
        }
        self.run_commands(ui.ctx());
    }

    fn owner_dialog_ui(&mut self, ctx: &egui::Context) {
        let (Some(dialog), Some(shop)) = (&mut self.owner_dialog, &self.shop) else {
            return;
        };
        match dialog.ui(ctx, &shop.path) {
            OwnerDecision::Open => {}
            OwnerDecision::Cancel => self.owner_dialog = None,
            OwnerDecision::Unlocked => {
                self.saved.last_actor = dialog.actor.trim().to_owned();
                self.role = Role::Owner;
                self.owner_dialog = None;
                self.commands.push(Command::RefreshLog);
            }
        }
    }

    /// Offers to delete the upgrade backups that still hold an erased customer, asking first.
    fn backups_ui(&mut self, ui: &mut Ui) {
        let (backups, confirming) = &mut self.backups_to_delete;
        if backups.is_empty() {
            return;
        }
        let n = backups.len();
        let noun = if n == 1 { "backup" } else { "backups" };
        ui.horizontal(|ui| {
            if *confirming {
                ui.label(format!("Delete {n} upgrade {noun} for good? Nothing else in them can be recovered afterwards."));
                if ui.button(format!("Yes, delete the {noun}")).clicked() {
                    match crate::rights::delete_backups(backups) {
                        Ok(deleted) => self.notice = Some(format!("Deleted {deleted} upgrade {noun}.")),
                        Err(e) => self.error = Some(e.to_string()),
                    }
                    backups.clear();
                }
                if ui.button("Keep them").clicked() {
                    backups.clear();
                }
            } else {
                ui.colored_label(
                    super::theme::FLAG,
                    format!("{n} upgrade {noun} of this shop file still hold the erased customer."),
                );
                if ui.button(format!("Delete the {noun}…")).clicked() {
                    *confirming = true;
                }
            }
        });
    }

    /// Who is using the window.
    pub fn role(&self) -> Role {
        self.role
    }

    fn banner_ui(&mut self, ui: &mut Ui) {
        if self.is_presenting() {
            ui.colored_label(
                super::theme::FLAG,
                "Presenter mode: every customer's name, email, phone and address is a pseudonym, and nothing can be changed. F11 to leave.",
            );
        }
        if self.presenting.is_some() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Preparing presenter mode…");
            });
        }
        if let Some(notice) = self.notice.clone() {
            ui.horizontal(|ui| {
                ui.colored_label(super::theme::POSITIVE, notice);
                if ui.small_button("OK").clicked() {
                    self.notice = None;
                }
            });
        }
        self.backups_ui(ui);
        if self.applying.is_some() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Writing the change to the shop file…");
            });
        }
        if self.exporting.is_some() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Exporting the customer's data…");
            });
        }
        if self.scenario.is_empty() {
            return;
        }
        let refusal = if self.is_presenting() {
            Some("Presenter mode is on: switch it off (F11) to apply changes.")
        } else if self.shop.as_ref().is_some_and(|s| s.read_only) {
            Some("This shop file is read-only.")
        } else if self.role == Role::Staff && needs_owner(self.scenario.changes()) {
            Some("Only the owner can apply changes to the rules: switch to owner in the menu bar.")
        } else {
            None
        };
        if self.scenario.banner_ui(ui, refusal) == ScenarioAction::Apply {
            self.who_why = Some(WhoWhy {
                actor: self.saved.last_actor.clone(),
                reason: String::new(),
                purpose: WhoWhyFor::Apply,
            });
        }
    }

    fn who_why_ui(&mut self, ctx: &egui::Context) {
        let undoes_import = match &self.who_why {
            Some(WhoWhy {
                purpose: WhoWhyFor::Undo(entry),
                ..
            }) => self
                .log_entries()
                .iter()
                .any(|e| e.id == *entry && e.event.as_ref().is_some_and(|ev| ev.kind == "import")),
            _ => false,
        };
        let Some(dialog) = &mut self.who_why else {
            return;
        };
        let summary = match (&dialog.purpose, self.scenario.outcome()) {
            (WhoWhyFor::Export(_, dir), _) => format!(
                "Writes everything held about this customer into {} as a file (JSON) and as a page they can read (HTML). The export is recorded in the audit log.",
                dir.display()
            ),
            (WhoWhyFor::Reveal(_), _) => "Shows this customer's email, phone, birth date and address in full. Who looked and why is recorded in the audit log.".to_owned(),
            (WhoWhyFor::Purge, _) => "Deletes every personal value kept past its retention period (the Data minimization list), removes those values from earlier audit-log entries, and records the purge. This cannot be undone.".to_owned(),
            (WhoWhyFor::Erase(_), _) => "Removes this customer's record, field sources and consents for good, and every key they were known by, so an old export cannot bring them back. Their orders stay, attached to no one, for the accounts. Their values in earlier audit-log entries are deleted (the entries stay, reading [erased]); the log keeps a pseudonymous reference and your reason, without their name or number. Afterwards Candor lists the files written at their request and any backups that still hold them (upgrade backups and copies kept before imports), for you to delete. This cannot be undone.".to_owned(),
            (WhoWhyFor::Undo(entry), _) if undoes_import => format!(
                "Takes back the import of entry {entry}: the shop is restored from the copy kept from before it, and a new entry records what the import had added."
            ),
            (WhoWhyFor::Undo(entry), _) => format!(
                "The changes of entry {entry} are reversed and the reversal is recorded as a new entry."
            ),
            (WhoWhyFor::Apply, Some(o)) => format!(
                "{} change(s). Recommendations change for {} of {} customers. Everything is written in one step and recorded in the audit log.",
                self.scenario.changes().len(),
                o.impact.customers_changed,
                o.impact.customers_total
            ),
            (WhoWhyFor::Apply, None) => "The simulation is not finished yet.".to_owned(),
        };
        match dialog.ui(ctx, &summary) {
            Decision::Open => {}
            Decision::Cancel => self.who_why = None,
            Decision::Confirm => {
                let who = Attribution::now(dialog.actor.trim(), dialog.reason.trim());
                self.saved.last_actor.clone_from(&who.actor);
                self.commands
                    .push(match std::mem::take(&mut dialog.purpose) {
                        WhoWhyFor::Export(customer, dir) => Command::Export(customer, dir, who),
                        WhoWhyFor::Erase(customer) => Command::Erase(customer, who),
                        WhoWhyFor::Purge => Command::Purge(who),
                        WhoWhyFor::Reveal(customer) => Command::Reveal(customer, who),
                        WhoWhyFor::Undo(entry) => Command::Undo(entry, who),
                        WhoWhyFor::Apply => Command::Apply(who),
                    });
                self.who_why = None;
            }
        }
    }

    /// Whether presenter mode is on (the shop on show holds pseudonyms).
    pub fn is_presenting(&self) -> bool {
        self.shop.as_ref().is_some_and(|s| s.pseudonyms.is_some())
    }

    fn refuse_while_presenting(&mut self) {
        self.error = Some(PRESENTING_REFUSAL.to_owned());
    }

    /// Turns presenter mode on (pseudonymizing the shop on a worker thread) or off
    /// (reloading the real shop from its file).
    fn set_presenter(&mut self, on: bool, ctx: &egui::Context) {
        let Some(shop) = &self.shop else {
            return;
        };
        if !on {
            if self.is_presenting() {
                let path = shop.path.clone();
                self.open(path, ctx);
            }
            return;
        }
        if self.is_presenting() || self.presenting.is_some() {
            return;
        }
        if !self.scenario.is_empty() {
            // Its descriptions and results were computed with real names and values.
            self.error = Some(
                "Apply or discard the pending scenario first: presenter mode starts from the shop as it is.".to_owned(),
            );
            return;
        }
        let snapshot = std::sync::Arc::clone(shop.index.shop_arc());
        let (path, head, log) = (shop.path.clone(), shop.head.clone(), shop.log.clone());
        let today = self.today;
        let wake = ctx.clone();
        self.presenting = Some(Job::spawn(
            1,
            move || wake.request_repaint(),
            move |_| {
                crate::session::present::present(&path, &snapshot, head, log, today)
                    .map_err(|e| e.to_string())
            },
        ));
    }

    fn poll_presenting(&mut self, ctx: &egui::Context) {
        let polled = self
            .presenting
            .as_ref()
            .and_then(Job::poll)
            .map(|r| r.and_then(std::convert::identity));
        if let Some(Err(message)) = &polled {
            self.presenting = None;
            self.error = Some(message.clone());
        }
        if let Some(Ok(loaded)) = polled {
            self.presenting = None;
            let position = self.customer.as_ref().map(CustomerPage::position);
            self.customers = CustomersView::new(&loaded.rows);
            self.customer = position
                .filter(|&p| p < loaded.rows.len())
                .map(|p| CustomerPage::new(&loaded, p));
            self.shop = Some(loaded);
        }
        match (self.is_presenting(), self.before_presenting.is_some()) {
            (true, false) => {
                self.before_presenting =
                    Some((ctx.global_style().visuals.clone(), ctx.zoom_factor()));
                ctx.set_visuals(super::theme::presenter_visuals());
                ctx.set_zoom_factor(super::theme::PRESENTER_ZOOM);
            }
            (false, true) => {
                if let Some((visuals, zoom)) = self.before_presenting.take() {
                    ctx.set_visuals(visuals);
                    ctx.set_zoom_factor(zoom);
                }
            }
            _ => {}
        }
        if self.is_presenting() && self.who_why.is_some() {
            self.who_why = None;
            self.refuse_while_presenting();
        }
    }

    /// Starts following `lesson` in the side panel.
    pub fn start_lesson(&mut self, lesson: Lesson) {
        self.lesson = Some(LessonRun::new(lesson));
    }

    /// The lesson being followed, if any.
    pub fn lesson(&self) -> Option<&LessonRun> {
        self.lesson.as_ref()
    }

    /// Whether the open shop is a copy of the bundled sample (a training shop).
    pub fn is_training_shop(&self) -> bool {
        let Some(shop) = &self.shop else {
            return false;
        };
        !shop.read_only
            && crate::shopgen::sample::sample_name()
                == Some(shop.index.shop().settings.name.as_str())
    }

    /// What the window shows, for the lesson's checks.
    fn observed(&self) -> Observed<'_> {
        let page = self.customer.as_ref();
        let shop = self.shop.as_ref();
        Observed {
            view: Some(self.tab.into()),
            customer: page
                .zip(shop)
                .and_then(|(p, s)| s.index.shop().customers.get(p.position()).map(|c| c.id)),
            recommendation: page.and_then(CustomerPage::chosen_rank),
            data_held: page.is_some_and(CustomerPage::showing_data_held),
            changes: self.scenario.changes(),
            simulated: self.scenario.outcome().is_some() && !self.scenario.is_running(),
            owner: self.role == Role::Owner,
            dialog: self.who_why.as_ref().map(|w| match w.purpose {
                WhoWhyFor::Apply => "apply",
                WhoWhyFor::Undo(_) => "undo",
                WhoWhyFor::Export(..) => "export",
                WhoWhyFor::Erase(_) => "erase",
                WhoWhyFor::Purge => "purge",
                WhoWhyFor::Reveal(_) => "reveal",
            }),
        }
    }

    fn lesson_ui(&mut self, ui: &mut Ui) {
        // Taken out while drawn, so the panel can read the rest of the window's state.
        let Some(mut run) = self.lesson.take() else {
            return;
        };
        let observed = self.observed();
        let pseudonyms = self.shop.as_ref().and_then(|s| s.pseudonyms.clone());
        let say = |text: &str| match &pseudonyms {
            Some(p) => p.scrub(text),
            None => text.to_owned(),
        };
        let action = egui::Panel::right("lesson")
            .resizable(true)
            .default_size(320.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("lesson-scroll")
                    .show(ui, |ui| run.ui(ui, &observed, &say))
                    .inner
            })
            .inner;
        match action {
            LessonAction::None => self.lesson = Some(run),
            LessonAction::Close => {}
            LessonAction::Show(show) => {
                self.lesson = Some(run);
                self.go_to(&show);
            }
        }
    }

    fn go_to(&mut self, show: &Show) {
        if let Some(view) = show.view {
            self.tab = view.into();
            if self.tab == Tab::Log {
                self.commands.push(Command::RefreshLog);
            }
        }
        if let Some(rule) = &show.rule {
            self.rule_editor
                .show_rule(rule, "Look at this rule (lesson)");
        }
        if let Some(id) = show.customer
            && let Some(pos) = self.shop.as_ref().and_then(|s| s.index.customer_pos(id))
        {
            self.commands.push(Command::SelectCustomer(pos));
        }
    }

    fn reset_ui(&mut self, ctx: &egui::Context) {
        if !self.reset_asked {
            return;
        }
        let Some(path) = self.shop.as_ref().map(|s| s.path.clone()) else {
            self.reset_asked = false;
            return;
        };
        egui::Modal::new(egui::Id::unique("reset-dialog")).show(ctx, |ui| {
            ui.set_width(460.0);
            ui.heading("Reset the training shop?");
            ui.label(format!(
                "{} is replaced by a fresh copy of the bundled sample shop, as `candor sample --out` writes it. Every change, consent decision, erasure and audit-log entry made in it is lost.",
                path.display()
            ));
            ui.horizontal(|ui| {
                if ui.button("Reset it").clicked() {
                    self.reset_asked = false;
                    self.scenario.clear();
                    self.role = Role::Staff;
                    self.customer = None;
                    self.start_reset(ctx, path.clone());
                }
                if ui.button("Keep it").clicked() {
                    self.reset_asked = false;
                }
            });
        });
    }

    /// Opens the import dialog for `files`, importing into `target` (created if absent).
    pub fn start_import(&mut self, target: PathBuf, files: Vec<PathBuf>) {
        let mut dialog = ImportDialog::new(target, files, &self.saved.last_actor, self.today);
        if let Some(shop) = self.shop.as_ref().filter(|s| s.path == dialog.target) {
            dialog.currency = shop.index.shop().settings.currency;
        }
        self.import = Some(dialog);
    }

    /// The import dialog, while it is open.
    pub fn import_dialog(&self) -> Option<&ImportDialog> {
        self.import.as_ref()
    }

    fn ask_for_import(&mut self) {
        let Some(files) = rfd::FileDialog::new()
            .set_title("Import exports (CSV)")
            .add_filter("CSV export", &["csv", "txt", "tsv", "gz"])
            .add_filter("All files", &["*"])
            .pick_files()
        else {
            return;
        };
        let target = match &self.shop {
            Some(shop) if !shop.read_only => Some(shop.path.clone()),
            _ => rfd::FileDialog::new()
                .set_title("Create a shop file for the imported data")
                .set_file_name("my-shop.candor")
                .add_filter("Candor shop", &["candor"])
                .save_file(),
        };
        if let Some(target) = target {
            self.start_import(target, files);
        }
    }

    fn import_ui(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.import else {
            return;
        };
        match dialog.ui(ctx) {
            ImportAction::None => {}
            ImportAction::Close => self.import = None,
            ImportAction::OpenShop(path) => {
                if !dialog.actor.trim().is_empty() {
                    self.saved.last_actor = dialog.actor.trim().to_owned();
                }
                self.import = None;
                self.commands.push(Command::Open(path));
            }
        }
    }

    fn poll_exporting(&mut self) {
        let Some(result) = self.exporting.as_ref().and_then(Job::poll) else {
            return;
        };
        self.exporting = None;
        match result.and_then(std::convert::identity) {
            Ok(message) => {
                self.notice = Some(message);
                self.commands.push(Command::RefreshLog);
            }
            Err(message) => self.error = Some(message),
        }
    }

    /// Whether a customer's data is still being exported.
    pub fn is_exporting(&self) -> bool {
        self.exporting.is_some()
    }

    fn poll_applying(&mut self) {
        let Some(job) = &self.applying else {
            return;
        };
        let Some(result) = job.poll() else {
            return;
        };
        self.applying = None;
        let result = result.unwrap_or_else(|message| {
            Err(ApplyFailure {
                stale: false,
                message,
            })
        });
        match result {
            Ok(written) => {
                self.scenario.clear();
                self.show_loaded(written.loaded);
                self.notice = Some(written.message);
                self.backups_to_delete = (written.backups, false);
            }
            Err(failure) => {
                self.error = Some(failure.message);
                if failure.stale
                    && let Some(shop) = &self.shop
                {
                    let path = shop.path.clone();
                    self.commands.push(Command::Open(path));
                }
            }
        }
    }

    /// Applies the simulated scenario, or undoes entry `undo`, on a worker thread; the
    /// scenario's outcome is written as simulated, nothing is computed again.
    fn start_apply(&mut self, ctx: &egui::Context, who: Attribution, undo: Option<i64>) {
        let Some(shop) = &self.shop else {
            return;
        };
        let path = shop.path.clone();
        let today = self.today;
        let outcome = self.scenario.outcome().cloned();
        if undo.is_none() && outcome.is_none() {
            return;
        }
        let ctx = ctx.clone();
        self.applying = Some(Job::spawn(
            0,
            move || ctx.request_repaint(),
            move |_| {
                let done = match (undo, outcome) {
                    (Some(entry), _) => crate::session::apply::undo(&path, entry, &who, today),
                    (None, Some(outcome)) => crate::session::apply::apply(&path, &outcome, &who),
                    (None, None) => unreachable!("checked before the job started"),
                }?;
                Ok(Written {
                    message: format!("Saved and recorded as audit-log entry {}.", done.entry),
                    loaded: done.loaded,
                    backups: Vec::new(),
                })
            },
        ));
    }

    /// Replaces the training shop at `path` by a fresh sample shop on a worker thread.
    fn start_reset(&mut self, ctx: &egui::Context, path: PathBuf) {
        let today = self.today;
        let ctx = ctx.clone();
        self.applying = Some(Job::spawn(
            0,
            move || ctx.request_repaint(),
            move |_| {
                let loaded = crate::session::apply::reset_training_shop(&path, today)?;
                Ok(Written {
                    message: "The training shop is as it was first delivered.".to_owned(),
                    loaded,
                    backups: Vec::new(),
                })
            },
        ));
    }

    /// Reads the audit log again on a worker thread (nothing is read on this one).
    fn start_log_read(&mut self, ctx: &egui::Context) {
        let Some(shop) = &self.shop else {
            return;
        };
        let path = shop.path.clone();
        let ctx = ctx.clone();
        let job = Job::spawn(
            0,
            move || ctx.request_repaint(),
            move |_| crate::session::read_log(&path).map_err(|e| e.to_string()),
        );
        self.log_read = Some(LogRead { job, reveals: None });
    }

    /// Logs that `who` looked at a customer's masked data on a worker thread; the data is
    /// shown once the entry is written.
    fn reveal(&mut self, ctx: &egui::Context, customer: i64, who: Attribution) {
        let Some(shop) = &self.shop else {
            return;
        };
        let path = shop.path.clone();
        let ctx = ctx.clone();
        let job = Job::spawn(
            0,
            move || ctx.request_repaint(),
            move |_| {
                crate::session::apply::reveal(&path, customer, &who).map_err(|e| e.to_string())
            },
        );
        self.log_read = Some(LogRead {
            job,
            reveals: Some(customer),
        });
    }

    fn poll_log_read(&mut self) {
        let Some(read) = &self.log_read else {
            return;
        };
        let Some(result) = read.job.poll() else {
            return;
        };
        let reveals = read.reveals;
        self.log_read = None;
        match result.and_then(std::convert::identity) {
            Ok(log) => {
                if let Some(shop) = &mut self.shop {
                    shop.refresh_log(log);
                }
                if let (Some(customer), Some(page)) = (reveals, &mut self.customer)
                    && page.customer_id() == customer
                {
                    page.reveal();
                }
            }
            Err(message) => self.error = Some(message),
        }
    }

    /// Whether the audit log is being read or written by a reveal.
    pub fn is_reading_log(&self) -> bool {
        self.log_read.is_some()
    }

    /// Erases a customer (or, with `None`, purges everything past its retention period)
    /// on a worker thread, then shows the shop as it now is.
    fn start_erase(&mut self, ctx: &egui::Context, customer: Option<i64>, who: Attribution) {
        let Some(shop) = &self.shop else {
            return;
        };
        let path = shop.path.clone();
        let today = self.today;
        self.customer = None;
        let ctx = ctx.clone();
        self.applying = Some(Job::spawn(
            0,
            move || ctx.request_repaint(),
            move |_| {
                let fail = |e: crate::rights::RightsError| ApplyFailure {
                    stale: false,
                    message: e.to_string(),
                };
                let (message, backups) = match customer {
                    Some(c) => {
                        let done = crate::rights::erase(&path, c, &who).map_err(fail)?;
                        (done.summary(), done.backups)
                    }
                    None => {
                        let plan = crate::rights::retention_plan(&path, today).map_err(fail)?;
                        let entry = crate::rights::purge_retention(&path, &plan, &who)
                            .map_err(fail)?
                            .entry;
                        (
                            format!("Purged and recorded as audit-log entry {entry}."),
                            Vec::new(),
                        )
                    }
                };
                Ok(Written {
                    message,
                    loaded: crate::session::apply::reload(&path, today)?,
                    backups,
                })
            },
        ));
    }

    fn poll_loading(&mut self) {
        let Some(loading) = &mut self.loading else {
            return;
        };
        if let Some(result) = loading.poll() {
            self.loading = None;
            match result {
                Ok(loaded) => self.show_loaded(loaded),
                Err(message) => self.error = Some(message),
            }
        }
    }

    fn handle_input(&mut self, ctx: &egui::Context) {
        for shortcut in super::shortcuts::pressed(ctx) {
            match shortcut {
                Shortcut::Open => self.commands.push(Command::OpenDialog),
                Shortcut::Help => self.help_open = !self.help_open,
                Shortcut::Presenter => self
                    .commands
                    .push(Command::Presenter(!self.is_presenting())),
                Shortcut::Show(tab) => {
                    self.tab = tab;
                    if tab == Tab::Log {
                        self.commands.push(Command::RefreshLog);
                    }
                }
            }
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        let (exports, shops): (Vec<PathBuf>, Vec<PathBuf>) =
            dropped.into_iter().partition(|p| is_export_file(p));
        if !exports.is_empty() {
            match &self.shop {
                Some(shop) if !shop.read_only => self.start_import(shop.path.clone(), exports),
                _ => {
                    self.error = Some(
                        "Open a shop first (or use File, Import… to create one), then drop the export files again."
                            .to_owned(),
                    );
                }
            }
        }
        if let Some(path) = shops.into_iter().next() {
            self.commands.push(Command::Open(path));
        }
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let title = match &self.shop {
            Some(shop) => format!(
                "Candor — {} ({}){}",
                shop.index.shop().settings.name,
                shop.path.display(),
                if shop.read_only { " — read-only" } else { "" }
            ),
            None => "Candor".to_owned(),
        };
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    fn menu_ui(&mut self, ui: &mut Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("Open…  (Ctrl+O)").clicked() {
                    self.commands.push(Command::OpenDialog);
                }
                if ui.button("Import…").clicked() {
                    self.commands.push(Command::ImportDialog);
                }
                ui.menu_button("Open recent", |ui| {
                    if self.saved.recent.is_empty() {
                        ui.label("No recent shops");
                    }
                    for path in &self.saved.recent {
                        if ui.button(path.display().to_string()).clicked() {
                            self.commands.push(Command::Open(path.clone()));
                        }
                    }
                });
            });
            ui.menu_button("View", |ui| {
                let mut on = self.is_presenting();
                if ui
                    .add_enabled(
                        self.shop.is_some(),
                        egui::Checkbox::new(&mut on, "Presenter mode  (F11)"),
                    )
                    .on_hover_text("Larger text, high contrast, and every customer's name, email, phone and address replaced by a consistent pseudonym; nothing can be changed while it is on.")
                    .changed()
                {
                    self.commands.push(Command::Presenter(on));
                }
            });
            ui.menu_button("Lessons", |ui| {
                for lesson in Lesson::bundled() {
                    if ui.button(&lesson.title).clicked() {
                        self.start_lesson(lesson);
                    }
                }
                ui.separator();
                if ui.button("Open a lesson file…").clicked()
                    && let Some(path) = rfd::FileDialog::new()
                        .set_title("Open a lesson")
                        .add_filter("Lesson", &["json"])
                        .pick_file()
                {
                    match Lesson::open(&path) {
                        Ok(lesson) => self.start_lesson(lesson),
                        Err(e) => self.error = Some(e.to_string()),
                    }
                }
                if ui
                    .add_enabled(
                        self.is_training_shop(),
                        egui::Button::new("Reset the training shop…"),
                    )
                    .on_disabled_hover_text("Only a copy of the bundled sample shop can be reset.")
                    .clicked()
                {
                    self.reset_asked = true;
                }
            });
            ui.menu_button("Help", |ui| {
                if ui.button("Keyboard shortcuts  (F1)").clicked() {
                    self.help_open = true;
                }
            });
            ui.separator();
            ui.selectable_value(&mut self.tab, Tab::Scorecard, "Scorecard");
            ui.selectable_value(&mut self.tab, Tab::Customers, "Customers");
            ui.selectable_value(&mut self.tab, Tab::Rules, "Rules");
            ui.selectable_value(&mut self.tab, Tab::Audit, "Ethics audit");
            if ui
                .selectable_value(&mut self.tab, Tab::Log, "Audit log")
                .clicked()
            {
                self.commands.push(Command::RefreshLog);
            }
            if let Some(shop) = &self.shop {
                ui.separator();
                match self.role {
                    Role::Staff => {
                        if ui.button("Staff · switch to owner…").clicked() {
                            let first_use = !shop.log.records.owner_passphrase_set;
                            self.owner_dialog =
                                Some(OwnerDialog::new(first_use, &self.saved.last_actor));
                        }
                    }
                    Role::Owner => {
                        if ui.button("Owner · back to staff").clicked() {
                            self.role = Role::Staff;
                        }
                    }
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let s = shop.index.shop();
                    ui.add(
                        egui::Label::new(format!(
                            "{} · {} customers · {} products · as of {}",
                            s.settings.name,
                            s.customers.len(),
                            s.products.len(),
                            shop.index.today()
                        ))
                        .truncate(),
                    );
                });
            }
        });
    }

    fn welcome_ui(&mut self, ui: &mut Ui) {
        ui.vertical_centered(|ui| {
            ui.add_space(80.0);
            ui.heading("Candor");
            ui.label("Open a shop file to see what data it holds and why customers get their recommendations.");
            ui.add_space(12.0);
            if ui.button("Open a shop…").clicked() {
                self.commands.push(Command::OpenDialog);
            }
            ui.label("…or drop a shop file onto this window.");
            ui.add_space(12.0);
            if ui.button("Import exports from a till or web shop…").clicked() {
                self.commands.push(Command::ImportDialog);
            }
            ui.label("Shopify, WooCommerce, Square, invoice lines, or any CSV with a column mapping.");
        });
    }

    fn customers_tab_ui(&mut self, ui: &mut Ui) {
        let Some(shop) = &self.shop else {
            return;
        };
        egui::Panel::left("customers")
            .resizable(true)
            .default_size(590.0)
            .min_size(320.0)
            .show(ui, |ui| {
                let selected = self.customer.as_ref().map(CustomerPage::position);
                if let Some(pos) = self.customers.ui(ui, &shop.rows, selected) {
                    self.commands.push(Command::SelectCustomer(pos));
                }
            });
        egui::CentralPanel::default().show(ui, |ui| match &mut self.customer {
            Some(page) => {
                let customer = page.customer_id();
                let actions = page.ui(ui, shop, self.role == Role::Owner);
                self.commands.extend(
                    actions
                        .into_iter()
                        .map(|action| Command::Customer(customer, action)),
                );
            }
            None => {
                ui.add_space(40.0);
                ui.vertical_centered(|ui| {
                    ui.label("Choose a customer on the left to see the data held about them and why they get their recommendations.");
                });
            }
        });
    }

    /// Carries out what a customer's page asked for: a change goes into the scenario; an
    /// export, erasure or reveal asks who and why first.
    fn customer_action(&mut self, customer: i64, action: CustomerAction) {
        let ask = |purpose| WhoWhy {
            actor: self.saved.last_actor.clone(),
            reason: String::new(),
            purpose,
        };
        match action {
            CustomerAction::Propose(change) => self.scenario.push(*change),
            CustomerAction::Reveal => self.who_why = Some(ask(WhoWhyFor::Reveal(customer))),
            CustomerAction::Erase => self.who_why = Some(ask(WhoWhyFor::Erase(customer))),
            CustomerAction::Export if self.is_presenting() => self.refuse_while_presenting(),
            CustomerAction::Export => {
                if let Some(dir) = (self.pick_folder)("Choose a folder for the customer's data") {
                    self.who_why = Some(WhoWhy::export(&self.saved.last_actor, customer, dir));
                }
            }
            CustomerAction::SaveCard(product) => self.save_card(customer, product),
        }
    }

    /// Asks where to save the customer's card for `product`, then writes it.
    fn save_card(&mut self, customer: i64, product: crate::engine::model::ProductId) {
        let (Some(shop), Some(page)) = (&self.shop, &self.customer) else {
            return;
        };
        let Some(person) = shop
            .index
            .shop()
            .customers
            .iter()
            .find(|c| c.id == customer)
        else {
            return;
        };
        let Some(path) = rfd::FileDialog::new()
            .set_title("Save the customer's card")
            .set_file_name(format!("why-we-suggested-this-{customer}.html"))
            .add_filter("Web page", &["html"])
            .save_file()
        else {
            return;
        };
        let html = crate::html::customer_card(
            shop.index.shop(),
            person,
            page.explanation(),
            Some(product),
        );
        match crate::safe_write::write_file(&path, html.as_bytes()) {
            Ok(()) => {
                self.notice = Some(format!("Saved the customer's card to {}.", path.display()));
            }
            Err(e) => self.error = Some(format!("Could not write {}: {e}", path.display())),
        }
    }

    fn error_ui(&mut self, ctx: &egui::Context) {
        let Some(message) = &self.error else {
            return;
        };
        let mut close = false;
        egui::Modal::new(egui::Id::unique("error")).show(ctx, |ui| {
            ui.set_max_width(460.0);
            ui.heading("Candor could not do that");
            ui.label(message);
            ui.add_space(8.0);
            close = ui.button("OK").clicked();
        });
        if close {
            self.error = None;
        }
    }

    fn ethics_action(&mut self, action: EthicsAction) {
        let Some(shop) = &self.shop else {
            return;
        };
        match action {
            EthicsAction::ShowRule(id) => {
                self.rule_editor
                    .show_rule(&id, "Shown from the ethics audit");
                self.tab = Tab::Rules;
            }
            EthicsAction::ShowCustomer(id) => {
                if let Some(pos) = shop.index.customer_pos(id) {
                    self.commands.push(Command::SelectCustomer(pos));
                }
            }
            EthicsAction::Simulate(changes) => {
                for change in changes {
                    self.scenario.push(change);
                }
                self.notice = Some(
                    "The fix is in the scenario on the right: compare the audit before and after, then apply or discard it."
                        .to_owned(),
                );
            }
            EthicsAction::PurgeRetention => {
                self.who_why = Some(WhoWhy {
                    actor: self.saved.last_actor.clone(),
                    reason: String::new(),
                    purpose: WhoWhyFor::Purge,
                });
            }
            EthicsAction::ExportReport => {
                let Some(audit) = self.ethics.current(shop) else {
                    return;
                };
                let name = format!("{} ethics audit.html", shop.index.shop().settings.name);
                if let Some(path) = rfd::FileDialog::new()
                    .set_title("Save the audit report")
                    .set_file_name(name.replace(['/', '\\', ':'], "-"))
                    .add_filter("Web page", &["html"])
                    .save_file()
                {
                    let page = crate::html::audit_page(shop.index.shop(), &audit);
                    match crate::safe_write::write_file(&path, page.as_bytes()) {
                        Ok(()) => {
                            self.notice =
                                Some(format!("Saved the audit report to {}.", path.display()));
                        }
                        Err(e) => {
                            self.error = Some(format!("Could not write {}: {e}", path.display()));
                        }
                    }
                }
            }
        }
    }

    /// Replaces the native folder dialog (tests answer it with a folder of their own).
    pub fn set_folder_picker(&mut self, picker: FolderPicker) {
        self.pick_folder = picker;
    }

    /// The ethics audit view (tests).
    pub fn ethics(&self) -> &EthicsView {
        &self.ethics
    }

    /// The Rules view's state (tests).
    pub fn rule_editor(&self) -> &RuleEditor {
        &self.rule_editor
    }

    fn run_commands(&mut self, ctx: &egui::Context) {
        for command in std::mem::take(&mut self.commands) {
            match command {
                Command::OpenDialog => {
                    if let Some(path) = rfd::FileDialog::new()
                        .set_title("Open a Candor shop")
                        .add_filter("Candor shop", &["candor", "db", "sqlite"])
                        .add_filter("All files", &["*"])
                        .pick_file()
                    {
                        self.open(path, ctx);
                    }
                }
                Command::ImportDialog if self.is_presenting() => self.refuse_while_presenting(),
                Command::ImportDialog => self.ask_for_import(),
                Command::Presenter(on) => self.set_presenter(on, ctx),
                Command::Open(path) => self.open(path, ctx),
                Command::Apply(who) => self.start_apply(ctx, who, None),
                Command::Undo(entry, who) => self.start_apply(ctx, who, Some(entry)),
                Command::Erase(customer, who) => self.start_erase(ctx, Some(customer), who),
                Command::Purge(who) => self.start_erase(ctx, None, who),
                Command::Reveal(customer, who) => self.reveal(ctx, customer, who),
                Command::RefreshLog => self.start_log_read(ctx),
                Command::Ethics(action) => self.ethics_action(action),
                Command::Export(customer, dir, who) => {
                    if let Some(shop) = &self.shop {
                        let (path, today, ctx) = (shop.path.clone(), self.today, ctx.clone());
                        self.exporting = Some(Job::spawn(
                            0,
                            move || ctx.request_repaint(),
                            move |_| {
                                crate::rights::export_subject(&path, customer, &dir, &who, today)
                                    .map(|done| {
                                        format!(
                                            "Wrote {} and {}; recorded as audit-log entry {}.",
                                            done.json.display(),
                                            done.html.display(),
                                            done.entry
                                        )
                                    })
                                    .map_err(|e| e.to_string())
                            },
                        ));
                    }
                }
                Command::Customer(customer, action) => self.customer_action(customer, action),
                Command::SelectCustomer(pos) => {
                    if let Some(shop) = &self.shop {
                        self.customer = Some(CustomerPage::new(shop, pos));
                        self.tab = Tab::Customers;
                    }
                }
            }
        }
    }
}

/// Why nothing can be changed or exported in presenter mode.
const PRESENTING_REFUSAL: &str = "Presenter mode shows pseudonyms and changes nothing. Switch it off (View, Presenter mode, or F11) to apply, undo, export, erase, reveal or import.";

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
