//! The one place where what the views asked for is carried out, after the frame.

use super::{CandorApp, Command, Tab};
use crate::engine::view::View;
use crate::store::UndoPlan;
use crate::ui::audit_log::{WhoWhy, WhoWhyFor};
use crate::ui::customer::{CustomerAction, CustomerPage};
use crate::ui::ethics::EthicsAction;
use crate::ui::files::{Ask, FileQuestion};
use crate::ui::jobs::Job;
use crate::ui::scenario::ScenarioAction;

impl CandorApp {
    /// Carries out what a customer's page asked for: a change goes into the scenario; an
    /// export, erasure or reveal asks who and why first.
    pub(super) fn customer_action(&mut self, customer: i64, action: CustomerAction) {
        let ask = |purpose| WhoWhy {
            actor: self.saved.actor(self.role).to_owned(),
            reason: String::new(),
            purpose,
        };
        match action {
            CustomerAction::Propose(change) => self.scenario.push(*change),
            CustomerAction::Reveal => self.who_why = Some(ask(WhoWhyFor::Reveal(customer))),
            CustomerAction::Erase => self.who_why = Some(ask(WhoWhyFor::Erase(customer))),
            CustomerAction::Export if self.is_presenting() => self.refuse_while_presenting(),
            CustomerAction::Export => {
                let question =
                    FileQuestion::new(Ask::Folder, "Choose a folder for the customer's data");
                if let Some(dir) = self.ask_path(&question) {
                    self.who_why = Some(WhoWhy::export(self.saved.actor(self.role), customer, dir));
                }
            }
            CustomerAction::SaveCard(product) => self.save_card(customer, product),
            CustomerAction::SavePreferenceCard => self.save_preference_card(customer),
            CustomerAction::ShowDetails(on) => self.saved.set_details(self.role, on),
        }
    }

    /// Writes every customer's recommendations on a worker thread; the notice says how
    /// many were written and who was left out.
    fn export_recommendations(
        &mut self,
        ctx: &egui::Context,
        out: std::path::PathBuf,
        (top, email): (usize, bool),
        who: crate::store::Attribution,
    ) {
        // The button is greyed for staff; the command checks again, whoever sent it.
        if self.role != crate::access::Role::Owner {
            self.error = Some(
                "Only the owner can export every customer's recommendations: switch to owner in the menu bar."
                    .to_owned(),
            );
            return;
        }
        let Some(shop) = &self.shop else {
            return;
        };
        let (path, today, ctx) = (shop.path.clone(), self.today, ctx.clone());
        let channel = email.then_some(crate::engine::outreach::Channel::Email);
        self.exporting = Some(Job::spawn(
            0,
            move || ctx.request_repaint(),
            move |progress| {
                crate::session::outreach::export_recommendations(
                    &path,
                    &out,
                    (top, channel),
                    &who,
                    today,
                    progress,
                )
                .map(|done| done.summary())
                .map_err(|e| e.to_string())
            },
        ));
    }

    /// Asks where to save the customer's card for `product`, then writes it.
    pub(super) fn save_card(&mut self, customer: i64, product: crate::engine::model::ProductId) {
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
        let Some(head) = head_for_page(&shop.path, &mut self.error, "The card") else {
            return;
        };
        let html = crate::html::customer_card(
            shop.index.shop(),
            person,
            page.explanation(),
            Some(product),
            &head,
        );
        let question = FileQuestion::new(Ask::SaveFile, "Save the customer's card")
            .named(&format!("why-we-suggested-this-{customer}.html"))
            .filter("Web page", &["html"]);
        let Some(path) = self.ask_path(&question) else {
            return;
        };
        self.save_page(&path, &html, "the customer's card");
    }

    /// Writes the customer's preference card where the person chooses and opens it.
    pub(super) fn save_preference_card(&mut self, customer: i64) {
        let (Some(shop), Some(page)) = (&self.shop, &self.customer) else {
            return;
        };
        let Some(person) = shop.index.shop().customers.get(page.position()) else {
            return;
        };
        let Some(head) = head_for_page(&shop.path, &mut self.error, "The preference card") else {
            return;
        };
        let html = crate::html::preference_card(
            shop.index.shop(),
            person,
            page.held(),
            page.explanation(),
            &head,
        );
        let question = FileQuestion::new(Ask::SaveFile, "Save the customer's preference card")
            .named(&format!("preferences-{customer}.html"))
            .filter("Web page", &["html"]);
        let Some(path) = self.ask_path(&question) else {
            return;
        };
        self.save_page(&path, &html, "the preference card");
    }

    /// Writes the blank preference form for the counter where the person chooses and
    /// opens it.
    pub(super) fn save_preference_form(&mut self) {
        let Some(shop) = &self.shop else {
            return;
        };
        let Some(head) = head_for_page(&shop.path, &mut self.error, "The form") else {
            return;
        };
        let html = crate::html::preference_form(shop.index.shop(), &head);
        let question = FileQuestion::new(Ask::SaveFile, "Save the blank preference form")
            .named("preference-form.html")
            .filter("Web page", &["html"]);
        let Some(path) = self.ask_path(&question) else {
            return;
        };
        self.save_page(&path, &html, "the blank preference form");
    }

    pub(super) fn ethics_action(&mut self, action: EthicsAction) {
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
                    actor: self.saved.actor(self.role).to_owned(),
                    reason: String::new(),
                    purpose: WhoWhyFor::Purge,
                });
            }
            EthicsAction::ExportReport => {
                let Some(audit) = self.ethics.current(shop) else {
                    return;
                };
                let name = format!("{} ethics audit.html", shop.index.shop().settings.name);
                let Some(head) = head_for_page(&shop.path, &mut self.error, "The report") else {
                    return;
                };
                let page = crate::html::audit_page(shop.index.shop(), &audit, &head);
                let question = FileQuestion::new(Ask::SaveFile, "Save the audit report")
                    .named(&name)
                    .filter("Web page", &["html"]);
                if let Some(path) = self.ask_path(&question) {
                    self.save_page(&path, &page, "the audit report");
                }
            }
        }
    }

    pub(super) fn run_commands(&mut self, ctx: &egui::Context) {
        for command in std::mem::take(&mut self.commands) {
            self.running = Some(command.clone());
            self.run_command(ctx, command);
            // A command that asked no new path is done with the paths typed for it.
            if self.path_entry.is_none() {
                self.typed_paths.retain(|t| !t.for_command);
            }
        }
        self.running = None;
    }

    fn run_command(&mut self, ctx: &egui::Context, command: Command) {
        {
            match command {
                Command::OpenDialog => {
                    let question = FileQuestion::new(Ask::OpenFile, "Open a Candor shop")
                        .filter("Candor shop", &["candor", "db", "sqlite"])
                        .filter("All files", &["*"]);
                    if let Some(path) = self.ask_path(&question) {
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
                Command::ExportRecommendationsDialog if self.is_presenting() => {
                    self.refuse_while_presenting();
                }
                Command::ExportRecommendationsDialog => {
                    self.outreach = Some(crate::ui::outreach::OutreachDialog::default());
                }
                Command::PreferenceForm => self.save_preference_form(),
                Command::BackupDialog => self.back_up(ctx),
                Command::RestoreDialog => {
                    let question = FileQuestion::new(Ask::OpenFile, "Choose the backup to restore")
                        .filter("Candor shop", &["candor", "db", "sqlite"])
                        .filter("All files", &["*"]);
                    if let Some(from) = self.ask_path(&question) {
                        self.who_why = Some(WhoWhy {
                            actor: self.saved.actor(self.role).to_owned(),
                            reason: String::new(),
                            purpose: WhoWhyFor::Restore(from),
                        });
                    }
                }
                Command::Restore(from, who) => {
                    // The restored file holds the owner's keys as backed up: the owner
                    // signs in again before acting as the owner.
                    self.become_staff();
                    self.start_restore(ctx, from, who);
                }
                Command::AddStaffName(name) => self.add_staff_name(ctx, name),
                Command::ProtectDialog => {
                    if let Some(shop) = &self.shop {
                        self.protect = Some(crate::ui::protect::ProtectDialog::new(
                            shop.log.records.file_protected,
                            self.saved.actor(crate::access::Role::Owner),
                        ));
                    }
                }
                Command::Protect(change, who) => {
                    self.saved
                        .remember_actor(crate::access::Role::Owner, &who.actor);
                    self.start_protect(ctx, change, who);
                }
                Command::BreachDialog => {
                    self.breach = Some(crate::ui::breach::BreachDialog::new(
                        chrono::Local::now().naive_local(),
                    ));
                }
                Command::ExportRecommendations(out, top, email, who) => {
                    self.export_recommendations(ctx, out, (top, email), who);
                }
                Command::Customer(customer, action) => self.customer_action(customer, action),
                Command::Propose(change) => self.scenario.push(*change),
                Command::Show(view) => {
                    self.tab = view;
                    if view == View::Log {
                        self.start_log_read(ctx);
                    }
                }
                Command::AskUndo(entry) => self.ask_undo(entry),
                Command::ExportLog(page) => self.export_log(page),
                Command::Scenario(ScenarioAction::Remove(i)) => self.scenario.remove(i),
                Command::Scenario(ScenarioAction::Discard) => self.scenario.clear(),
                Command::Scenario(ScenarioAction::Apply) => {
                    self.who_why = Some(WhoWhy {
                        actor: self.saved.actor(self.role).to_owned(),
                        reason: String::new(),
                        purpose: WhoWhyFor::Apply,
                    });
                }
                Command::SelectCustomer(pos) => {
                    if let Some(shop) = &self.shop {
                        self.customer = Some(CustomerPage::new(shop, pos));
                        self.list_instead_of_page = false;
                        self.tab = Tab::Customers;
                    }
                }
            }
        }
    }

    /// Undo of entry `entry`, asked from the audit log: an import is taken back after who
    /// and why; any other entry's reversal is simulated first, in the scenario, and applied
    /// from there like any change.
    fn ask_undo(&mut self, entry: i64) {
        let Some(shop) = self.shop.as_ref() else {
            return;
        };
        let plan =
            crate::session::apply::undo_plan_for(&shop.log.entries, entry, shop.index.shop());
        match plan {
            Ok(UndoPlan::Import(_)) => {
                self.who_why = Some(WhoWhy {
                    actor: self.saved.actor(self.role).to_owned(),
                    reason: String::new(),
                    purpose: WhoWhyFor::Undo(entry),
                });
            }
            Ok(UndoPlan::Changes(changes))
                if self.scenario.is_empty() || self.scenario.undoes().is_some() =>
            {
                self.scenario.start_undo(entry, changes);
            }
            Ok(UndoPlan::Changes(_)) => {
                self.error = Some(
                    "Apply or discard the pending changes first: an undo is simulated on its own."
                        .to_owned(),
                );
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Saves the audit-log entries the filters show, as a printable page (opened in the
    /// browser) or as a CSV file, where the person chooses.
    fn export_log(&mut self, page: bool) {
        let Some(shop) = &self.shop else {
            return;
        };
        let snapshot = shop.index.shop();
        let filter = match self.log.filter(snapshot) {
            Ok(filter) => filter,
            Err(why) => {
                self.error = Some(why);
                return;
            }
        };
        let log = &shop.log.entries;
        let rows = crate::session::log_export::rows(log, &filter.apply(log), snapshot);
        let name = snapshot.settings.name.clone();
        let what = format!(
            "the audit log ({})",
            crate::engine::words::count(rows.len(), "entry", "entries")
        );
        if page {
            let today = self.today.format("%-d %B %Y").to_string();
            let Some(head) = head_for_page(&shop.path, &mut self.error, "The page") else {
                return;
            };
            let html =
                crate::html::log_page(&name, &filter.describe(snapshot), &today, &rows, &head);
            let question = FileQuestion::new(Ask::SaveFile, "Save the audit log as a page")
                .named(&format!("{name} audit log.html"))
                .filter("Web page", &["html"]);
            if let Some(path) = self.ask_path(&question) {
                self.save_page(&path, &html, &what);
            }
        } else {
            let question = FileQuestion::new(Ask::SaveFile, "Save the audit log as CSV")
                .named(&format!("{name} audit log.csv"))
                .filter("CSV file", &["csv"]);
            if let Some(path) = self.ask_path(&question) {
                self.save_csv(&path, &rows, &what);
            }
        }
    }

    /// Writes the rows as CSV at `path` and says where.
    fn save_csv(
        &mut self,
        path: &std::path::Path,
        rows: &[crate::session::log_export::LogRow],
        what: &str,
    ) {
        let written = crate::session::log_export::csv(rows)
            .map_err(|e| e.to_string())
            .and_then(|csv| crate::safe_write::write_file(path, &csv).map_err(|e| e.to_string()));
        match written {
            Ok(()) => self.notice = Some(format!("Saved {what} to {}.", path.display())),
            Err(e) => self.error = Some(format!("Could not write {}: {e}", path.display())),
        }
    }
}

/// Where the audit log of the shop at `path` stands, for the last line of a page about to
/// be written; when it cannot be read, the page is not written and `error` says why.
fn head_for_page(
    path: &std::path::Path,
    error: &mut Option<String>,
    what: &str,
) -> Option<crate::store::LogHead> {
    crate::session::apply::current_head(path)
        .map_err(|e| *error = Some(format!("{what} was not written: {e}")))
        .ok()
}
