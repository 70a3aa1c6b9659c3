//! The frame: the window's panels and tabs, drawn from the app's state.

use egui::Ui;

use super::{CandorApp, Command, Tab};
use crate::access::{Role, needs_owner};
use crate::ui::audit_log::LogAction;
use crate::ui::customer::CustomerPage;
use crate::ui::customers::CustomersAction;
use crate::ui::rules::rules_ui;
use crate::ui::scorecard::ScorecardAction;

/// The narrowest room (left of any scenario) in which the customers list and a customer's
/// page are shown side by side: 320 px of list and 560 of page.
const SIDE_BY_SIDE_WIDTH: f32 = 880.0;

/// From this width of the customers view on, the list may take its full default width (the
/// panel remembers a narrower width for smaller windows apart).
const WIDE_LIST_WINDOW: f32 = 1300.0;

impl CandorApp {
    /// Draws the whole window, then carries out what the views asked for.
    pub fn show(&mut self, ui: &mut Ui) {
        self.poll_jobs(ui.ctx());
        self.handle_input(ui.ctx());
        self.update_title(ui.ctx());
        egui::Panel::top("menu").show(ui, |ui| {
            self.menu_ui(ui);
            self.banner_ui(ui);
        });
        self.loading_ui(ui);
        self.error_ui(ui.ctx());
        self.who_why_ui(ui.ctx());
        self.import_ui(ui.ctx());
        self.owner_dialog_ui(ui.ctx());
        self.outreach_dialog_ui(ui.ctx());
        self.breach_dialog_ui(ui.ctx());
        self.unlock_dialog_ui(ui.ctx());
        self.path_entry_ui(ui.ctx());
        self.protect_dialog_ui(ui.ctx());
        if let Some(shop) = &self.shop
            && let Some(change) =
                crate::ui::new_customer::window(ui.ctx(), &mut self.new_customer, shop.index.shop())
        {
            self.commands.push(Command::Propose(Box::new(change)));
        }
        crate::ui::shortcuts::help_window(ui.ctx(), &mut self.help_open);
        crate::ui::guide::guide_window(ui.ctx(), &mut self.guide_open);
        self.reset_ui(ui.ctx());
        self.lesson_check_ui(ui.ctx());
        self.lesson_ui(ui);
        self.scenario_panel_ui(ui);
        self.central_ui(ui);
        self.run_commands(ui.ctx());
    }

    /// Collects what the workers finished, and starts the simulation or audit asked for.
    fn poll_jobs(&mut self, ctx: &egui::Context) {
        self.poll_loading();
        self.poll_applying();
        self.poll_log_read();
        self.poll_exporting();
        self.poll_presenting(ctx);
        if let Some(shop) = &self.shop {
            self.ethics.poll(shop, ctx);
            self.scenario
                .set_audit(self.ethics.config.clone(), self.ethics.current(shop));
            self.scenario.poll(shop, ctx);
        }
    }

    /// The progress of opening a shop, at the bottom.
    fn loading_ui(&self, ui: &mut Ui) {
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
    }

    /// The pending scenario and its effect, on the right (not over the audit log, except for
    /// the simulated undo of one of its entries).
    fn scenario_panel_ui(&mut self, ui: &mut Ui) {
        if let Some(shop) = &self.shop
            && !self.scenario.is_empty()
            && (self.tab != Tab::Log || self.scenario.undoes().is_some())
        {
            let customer = self.customer.as_ref().map(CustomerPage::position);
            let details = self.saved.details(self.role);
            // Never more than 45 % of the window, so the page beside it stays usable.
            let widest = (ui.available_width() * 0.45).max(320.0);
            egui::Panel::right("scenario")
                .resizable(true)
                .default_size(400.0_f32.min(widest))
                .size_range(280.0..=widest)
                .show(ui, |ui| {
                    // Both ways: a narrow window scrolls the wide before/after table
                    // sideways instead of cutting it off.
                    let asked = egui::ScrollArea::both()
                        .show(ui, |ui| self.scenario.ui(ui, shop, customer, details))
                        .inner;
                    self.commands.extend(asked.map(Command::Scenario));
                });
        }
    }

    /// The current view.
    fn central_ui(&mut self, ui: &mut Ui) {
        match (&self.shop, self.tab) {
            (None, _) => {
                egui::CentralPanel::default().show(ui, |ui| self.welcome_ui(ui));
            }
            (Some(shop), Tab::Scorecard) => {
                let asked = egui::CentralPanel::default()
                    .show(ui, |ui| {
                        crate::ui::scorecard::scorecard_ui(ui, &shop.scorecard)
                    })
                    .inner;
                if let Some(ScorecardAction::Open(view)) = asked {
                    self.commands.push(Command::Show(view));
                }
            }
            (Some(_), Tab::Customers) => self.customers_tab_ui(ui),
            (Some(shop), Tab::Rules) => {
                let mut details = self.saved.details(self.role);
                let proposed = egui::CentralPanel::default()
                    .show(ui, |ui| {
                        rules_ui(
                            ui,
                            shop,
                            &self.scenario,
                            &mut self.rule_editor,
                            &mut details,
                        )
                    })
                    .inner;
                if details != self.saved.details(self.role) {
                    self.saved.set_details(self.role, details);
                }
                self.commands
                    .extend(proposed.into_iter().map(|c| Command::Propose(Box::new(c))));
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
                    let entries = &shop.log.entries;
                    match self.log.ui(ui, entries, shop.index.shop(), owner) {
                        Some(LogAction::Undo(entry)) => self.commands.push(Command::AskUndo(entry)),
                        Some(LogAction::ExportCsv) => self.commands.push(Command::ExportLog(false)),
                        Some(LogAction::ExportPage) => self.commands.push(Command::ExportLog(true)),
                        None => {}
                    }
                });
            }
        }
    }

    /// Offers to delete the upgrade backups that still hold an erased customer, asking first.
    pub(super) fn backups_ui(&mut self, ui: &mut Ui) {
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
                    crate::ui::theme::FLAG,
                    format!("{n} upgrade {noun} of this shop file still hold the erased customer."),
                );
                if ui.button(format!("Delete the {noun}…")).clicked() {
                    *confirming = true;
                }
            }
        });
    }

    pub(super) fn banner_ui(&mut self, ui: &mut Ui) {
        if self.is_presenting() {
            ui.colored_label(
                crate::ui::theme::FLAG,
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
            // Wrapped, so a long notice (and its OK) stays on screen in a narrow window.
            ui.horizontal_wrapped(|ui| {
                ui.add(
                    egui::Label::new(egui::RichText::new(notice).color(crate::ui::theme::POSITIVE))
                        .wrap(),
                );
                if ui.small_button("OK").clicked() {
                    self.notice = None;
                }
            });
        }
        self.backups_ui(ui);
        self.log_problem_ui(ui);
        self.no_owner_ui(ui);
        if self.applying.is_some() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Writing the change to the shop file…");
            });
        }
        if self.exporting.is_some() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Exporting…");
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
            Some(
                "Only the owner can apply changes to the rules, purposes, retention periods, settings or prices: switch to owner in the menu bar.",
            )
        } else {
            None
        };
        let asked = self.scenario.banner_ui(ui, refusal);
        self.commands.extend(asked.map(Command::Scenario));
    }

    /// Until the shop has an owner, says so and offers to set one up (unless put off for
    /// this shop); a passphrase removed outside Candor is said in the flag colour.
    /// What is wrong with the audit log or the shop's contents, when something is; and a
    /// note when this computer cannot remember the log.
    fn log_problem_ui(&self, ui: &mut Ui) {
        let Some(shop) = &self.shop else {
            return;
        };
        if let Some(problem) = &shop.log.problem {
            ui.add(
                egui::Label::new(
                    egui::RichText::new(format!(
                        "The audit log is not intact: {problem}. Nothing Candor shows can be taken as the shop's true history until this is explained; restore the file from a backup if it was not you."
                    ))
                    .color(crate::ui::theme::NEGATIVE),
                )
                .wrap(),
            );
        }
        if let Some(restored) = &shop.log.machine_restored {
            ui.add(
                egui::Label::new(
                    egui::RichText::new(format!("Note: {restored}.")).color(crate::ui::theme::FLAG),
                )
                .wrap(),
            );
        }
        if let Some(note) = &shop.log.machine_note {
            ui.weak(format!(
                "Note: {note}; a log shortened later will not be noticed on this computer."
            ));
        }
    }

    fn no_owner_ui(&mut self, ui: &mut Ui) {
        let Some(shop) = &self.shop else {
            return;
        };
        let records = &shop.log.records;
        if records.owner_passphrase_set
            || shop.read_only
            || self.is_presenting()
            || self.owner_dialog.is_some()
            || self.owner_banner_put_off.as_deref() == Some(shop.path.as_path())
        {
            return;
        }
        let (colour, text) = if records.owner_removed {
            (
                crate::ui::theme::NEGATIVE,
                "The owner's passphrase in this shop file was tampered with outside Candor (removed, replaced, or the audit log cut). Owner actions are refused until the owner resets it with the recovery code (\"Forgot the passphrase?\"), or, if the code is gone too, sets the owner up again; the log will record it.",
            )
        } else {
            (
                crate::ui::theme::FLAG,
                "No owner is set up for this shop yet: changing rules or prices, erasing customers and purging old data are refused until one is.",
            )
        };
        let path = shop.path.clone();
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(colour, text);
            if ui.button("Set up the owner…").clicked() {
                self.owner_dialog = Some(crate::ui::owner::OwnerDialog::new(
                    true,
                    self.saved.actor(Role::Owner),
                ));
            }
            if ui.small_button("Not now").clicked() {
                self.owner_banner_put_off = Some(path);
            }
        });
    }

    pub(super) fn update_title(&mut self, ctx: &egui::Context) {
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

    pub(super) fn welcome_ui(&mut self, ui: &mut Ui) {
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

    /// The customers list beside the chosen customer's page. Where both do not fit (a
    /// narrow window with a scenario open), one of them fills the view, with a button to
    /// switch, instead of squeezing the page until its sentences are cut off.
    pub(super) fn customers_tab_ui(&mut self, ui: &mut Ui) {
        let one_at_a_time = self.customer.is_some() && ui.available_width() < SIDE_BY_SIDE_WIDTH;
        if !one_at_a_time {
            // The list never takes more than 45 % of what the scenario panel leaves, so
            // the customer's page beside it keeps room for its buttons and tables.
            let widest = (ui.available_width() * 0.45).max(320.0);
            // The panel keeps the width it was clamped to, so the width squeezed beside a
            // scenario or in a small window is remembered apart: the list takes its own width
            // (and its email and consent columns) back once the scenario closes or the
            // window grows.
            let id = egui::IdSalt::new((
                "customers",
                self.scenario.is_empty(),
                ui.available_width() >= WIDE_LIST_WINDOW,
            ));
            egui::Panel::left(id)
                .resizable(true)
                .default_size(590.0_f32.min(widest))
                .size_range(320.0..=widest)
                .show(ui, |ui| self.customer_list_ui(ui));
        } else if self.list_instead_of_page {
            egui::CentralPanel::default().show(ui, |ui| {
                if ui.button("Back to the customer's page").clicked() {
                    self.list_instead_of_page = false;
                }
                self.customer_list_ui(ui);
            });
            return;
        }
        egui::CentralPanel::default().show(ui, |ui| {
            if one_at_a_time && ui.button("< All customers").clicked() {
                self.list_instead_of_page = true;
            }
            self.customer_page_ui(ui);
        });
    }

    /// The searchable customers table; what was asked of it becomes a command.
    fn customer_list_ui(&mut self, ui: &mut Ui) {
        let Some(shop) = &self.shop else {
            return;
        };
        let refusal = if self.is_presenting() {
            Some(super::PRESENTING_REFUSAL)
        } else if self.role != Role::Owner {
            Some(
                "Only the owner can export every customer's recommendations (it writes their names and email addresses): switch to owner in the menu bar.",
            )
        } else {
            None
        };
        let selected = self.customer.as_ref().map(CustomerPage::position);
        match self.customers.ui(ui, &shop.rows, selected, refusal) {
            Some(CustomersAction::Select(pos)) => {
                self.commands.push(Command::SelectCustomer(pos));
            }
            Some(CustomersAction::ExportRecommendations) => {
                self.commands.push(Command::ExportRecommendationsDialog);
            }
            Some(CustomersAction::NewCustomer) => {
                self.new_customer = Some(crate::ui::new_customer::NewCustomerForm::new(
                    shop.index.shop(),
                ));
            }
            None => {}
        }
    }

    /// The chosen customer's page, or a hint to choose one.
    fn customer_page_ui(&mut self, ui: &mut Ui) {
        let Some(shop) = &self.shop else {
            return;
        };
        match &mut self.customer {
            Some(page) => {
                let customer = page.customer_id();
                let details = self.saved.details(self.role);
                let actions = page.ui(ui, shop, self.role == Role::Owner, details);
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
        }
    }

    pub(super) fn error_ui(&mut self, ctx: &egui::Context) {
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
}
