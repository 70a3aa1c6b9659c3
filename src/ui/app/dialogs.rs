//! The modal dialogs: who and why, the owner's passphrase, resetting the training shop,
//! and the import dialog's glue.

use std::path::PathBuf;

use super::{CandorApp, Command};
use crate::access::Role;
use crate::store::Attribution;
use crate::ui::audit_log::{Decision, StaffChoice, WhoWhy, WhoWhyFor};
use crate::ui::breach::BreachDecision;
use crate::ui::files::{Ask, FileQuestion};
use crate::ui::import::{ImportAction, ImportDialog};
use crate::ui::outreach::OutreachDecision;
use crate::ui::owner::OwnerDecision;
use crate::ui::path_entry::PathDecision;
use crate::ui::protect::{ProtectDecision, UnlockDecision};

impl CandorApp {
    pub(super) fn owner_dialog_ui(&mut self, ctx: &egui::Context) {
        let (Some(dialog), Some(shop)) = (&mut self.owner_dialog, &self.shop) else {
            return;
        };
        match dialog.ui(ctx, &shop.path) {
            OwnerDecision::Open => {}
            OwnerDecision::Refused => self.commands.push(Command::RefreshLog),
            OwnerDecision::Cancel => self.owner_dialog = None,
            // Only for the shop the passphrase was checked against.
            OwnerDecision::Unlocked if dialog.checked_shop() == Some(shop.path.as_path()) => {
                self.saved.remember_actor(Role::Owner, &dialog.actor);
                self.role = Role::Owner;
                self.owner_dialog = None;
                self.commands.push(Command::RefreshLog);
            }
            OwnerDecision::Unlocked => self.owner_dialog = None,
        }
    }

    /// The export-recommendations dialog: settings and counts, then a file, then who and why.
    pub(super) fn outreach_dialog_ui(&mut self, ctx: &egui::Context) {
        let (Some(dialog), Some(shop)) = (&mut self.outreach, &self.shop) else {
            return;
        };
        match dialog.ui(ctx, &shop.index) {
            OutreachDecision::Open => {}
            OutreachDecision::Cancel => self.outreach = None,
            OutreachDecision::ChooseFile => {
                let (top, email) = (dialog.top, dialog.email_only);
                self.outreach = None;
                let question = FileQuestion::new(Ask::SaveFile, "Save the recommendations")
                    .filter("CSV for an email tool", &["csv"])
                    .filter("JSON", &["json"])
                    .named("recommendations.csv");
                if let Some(path) = self.ask_path(&question) {
                    self.who_why = Some(WhoWhy {
                        actor: self.saved.actor(self.role).to_owned(),
                        reason: String::new(),
                        purpose: WhoWhyFor::ExportRecommendations(path, top, email),
                    });
                }
            }
        }
    }

    /// The breach-report dialog: its questions, a folder, then the report on a worker.
    /// The path field standing in for a file dialog that could not open: the path given
    /// answers the next question with the same title, and the command that asked runs again.
    pub(super) fn path_entry_ui(&mut self, ctx: &egui::Context) {
        let Some(entry) = &mut self.path_entry else {
            return;
        };
        match entry.ui(ctx) {
            PathDecision::Open => {}
            PathDecision::Cancel => {
                self.path_entry = None;
                self.typed_paths.clear();
            }
            PathDecision::Use(path) => {
                let title = entry.question.title.clone();
                let replay = entry.replay.take();
                self.path_entry = None;
                self.typed_paths.retain(|t| t.title != title);
                if replay.is_none() {
                    self.notice = Some(format!(
                        "{} will be used: do what asked for it again.",
                        path.display()
                    ));
                }
                self.typed_paths.push(super::TypedPath {
                    title,
                    path,
                    for_command: replay.is_some(),
                });
                self.commands.extend(replay);
            }
        }
    }

    /// The password box of a protected shop being opened.
    pub(super) fn unlock_dialog_ui(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.unlock else {
            return;
        };
        match dialog.ui(ctx) {
            UnlockDecision::Open => {}
            UnlockDecision::Cancel => self.unlock = None,
            UnlockDecision::Unlock(password) => {
                crate::store::remember_password(&password);
                let path = dialog.path.clone();
                self.unlock = None;
                self.commands.push(Command::Open(path));
            }
        }
    }

    /// The owner's dialog for the shop's password protection.
    pub(super) fn protect_dialog_ui(&mut self, ctx: &egui::Context) {
        let (Some(dialog), Some(shop)) = (&mut self.protect, &self.shop) else {
            return;
        };
        match dialog.ui(ctx, &shop.path) {
            ProtectDecision::Open => {}
            ProtectDecision::Cancel => self.protect = None,
            ProtectDecision::Change(change, who) => {
                self.protect = None;
                self.commands.push(Command::Protect(change, who));
            }
        }
    }

    pub(super) fn breach_dialog_ui(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.breach else {
            return;
        };
        match dialog.ui(ctx) {
            BreachDecision::Open => {}
            BreachDecision::Cancel => self.breach = None,
            BreachDecision::ChooseFolder => {
                let question =
                    FileQuestion::new(Ask::Folder, "Choose a folder for the breach report");
                if let Some(path) = self.ask_path(&question)
                    && let Some(dialog) = &mut self.breach
                {
                    dialog.folder = path.display().to_string();
                }
            }
            BreachDecision::Write(request, folder) => {
                self.breach = None;
                self.write_breach_report(ctx, request, folder);
            }
        }
    }

    /// Writes the breach report on a worker; owner only (it lists every customer's contact
    /// details), checked again whoever asked.
    fn write_breach_report(
        &mut self,
        ctx: &egui::Context,
        request: crate::breach::BreachRequest,
        folder: PathBuf,
    ) {
        if self.role != Role::Owner {
            self.error = Some(super::menu::BREACH_OWNER_ONLY.to_owned());
            return;
        }
        let Some(shop) = &self.shop else {
            return;
        };
        let (path, today, ctx) = (shop.path.clone(), self.today, ctx.clone());
        let who = Attribution::now(
            self.saved.actor(self.role),
            "a copy of the shop was lost or stolen",
        );
        self.exporting = Some(crate::ui::jobs::Job::spawn(
            0,
            move || ctx.request_repaint(),
            move |_| {
                crate::breach::write_breach_report(&path, &folder, &request, &who, today)
                    .map(|done| {
                        format!(
                            "{} Tell the supervisory authority by {}.",
                            done.summary(),
                            request.authority_deadline().format("%-d %B %Y at %H:%M")
                        )
                    })
                    .map_err(|e| e.to_string())
            },
        ));
    }

    pub(super) fn who_why_ui(&mut self, ctx: &egui::Context) {
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
            (WhoWhyFor::ExportRecommendations(path, top, email), _) => format!(
                "Writes {} suggestions for {} into {}, with their reasons. The export is recorded in the audit log with who, why and how many.",
                top,
                if *email { "every customer who agreed to email offers and has an email address" } else { "every customer" },
                path.display()
            ),
            (WhoWhyFor::Reveal(_), _) => "Shows this customer's email, phone, birth date and address in full. Who looked and why is recorded in the audit log.".to_owned(),
            (WhoWhyFor::Restore(from), _) => format!(
                "Puts the backup {} back in this shop's place. Every change recorded after the backup was made is taken back, and the new audit-log entry names those entries. A backup of another shop, or one whose log does not verify, is refused. This cannot be undone from the log: restore a later backup instead.",
                from.display()
            ),
            (WhoWhyFor::Purge, _) => "Deletes every personal value kept past its retention period (the Data minimization list) and, for those customers and fields, the earlier values the audit log kept to undo changes (a corrected or deleted value, the record a merge removed, a new customer's details); the entries that held them can then no longer be undone. Records the purge. This cannot be undone.".to_owned(),
            (WhoWhyFor::Erase(_), _) => "Removes this customer's record, field sources and consents for good, and every key they were known by, so an old export cannot bring them back. Their orders stay, attached to no one, for the accounts. Their values in earlier audit-log entries are deleted (the entries stay, reading [erased]); the log keeps a pseudonymous reference and your reason, without their name or number. Afterwards Candor lists the files written at their request and any backups that still hold them (upgrade backups and copies kept before imports), for you to delete. This cannot be undone.".to_owned(),
            (WhoWhyFor::Undo(entry), _) if undoes_import => format!(
                "Takes back the import of entry {entry}: the shop is restored from the copy kept from before it, and a new entry records what the import had added."
            ),
            (WhoWhyFor::Undo(entry), _) => format!(
                "The changes of entry {entry} are reversed and the reversal is recorded as a new entry."
            ),
            (WhoWhyFor::Apply, Some(o)) => format!(
                "{}{}. Recommendations change for {}. Everything is written in one step and recorded in the audit log.",
                self.scenario
                    .undoes()
                    .map_or_else(String::new, |entry| format!("The undo of entry {entry}: ")),
                crate::engine::words::count(self.scenario.changes().len(), "change", "changes"),
                crate::engine::words::of_customers(
                    o.preview.impact.customers_changed,
                    o.preview.impact.customers_total
                )
            ),
            (WhoWhyFor::Apply, None) => "The simulation is not finished yet.".to_owned(),
        };
        let staff = match (&self.shop, self.role) {
            (Some(shop), Role::Staff) => shop.log.staff_names.clone(),
            // The owner is signed in: any name is the owner's to give.
            _ => Vec::new(),
        };
        // Adding a name is an entry of its own: an import is undone only while it is the
        // newest entry, so its undo offers only the names already on the list.
        let staff_choice = StaffChoice {
            names: &staff,
            can_add: !undoes_import,
        };
        match dialog.ui(ctx, &summary, &staff_choice) {
            Decision::Open => {}
            Decision::AddName(name) => {
                // Shown as listed at once (the list is read again once the entry is written),
                // so the name just chosen stays chosen.
                if let Some(shop) = &mut self.shop
                    && !shop.log.staff_names.contains(&name)
                {
                    shop.log.staff_names.push(name.clone());
                }
                self.commands.push(Command::AddStaffName(name));
            }
            Decision::Cancel => self.who_why = None,
            Decision::Confirm => {
                let who = Attribution::now(dialog.actor.trim(), dialog.reason.trim());
                self.saved.remember_actor(self.role, &who.actor);
                self.commands
                    .push(match std::mem::take(&mut dialog.purpose) {
                        WhoWhyFor::Export(customer, dir) => Command::Export(customer, dir, who),
                        WhoWhyFor::Erase(customer) => Command::Erase(customer, who),
                        WhoWhyFor::Purge => Command::Purge(who),
                        WhoWhyFor::Reveal(customer) => Command::Reveal(customer, who),
                        WhoWhyFor::ExportRecommendations(path, top, email) => {
                            Command::ExportRecommendations(path, top, email, who)
                        }
                        WhoWhyFor::Undo(entry) => Command::Undo(entry, who),
                        WhoWhyFor::Restore(from) => Command::Restore(from, who),
                        WhoWhyFor::Apply => Command::Apply(who),
                    });
                self.who_why = None;
            }
        }
    }

    pub(super) fn reset_ui(&mut self, ctx: &egui::Context) {
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
                    self.become_staff();
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
        let mut dialog = ImportDialog::new(target, files, self.saved.actor(self.role), self.today);
        // The owner of the open shop; importing into another file is staff's import there.
        if let Some(shop) = self.shop.as_ref().filter(|s| s.path == dialog.target) {
            dialog.currency = shop.index.shop().settings.currency;
            dialog.owner = self.role == crate::access::Role::Owner;
            if !dialog.owner {
                dialog.staff_names.clone_from(&shop.log.staff_names);
            }
        }
        self.import = Some(dialog);
    }

    /// The import dialog, while it is open.
    pub fn import_dialog(&self) -> Option<&ImportDialog> {
        self.import.as_ref()
    }

    pub(super) fn ask_for_import(&mut self) {
        let question = FileQuestion::new(Ask::OpenFiles, "Import exports (CSV)")
            .filter("CSV export", &["csv", "txt", "tsv", "gz"])
            .filter("All files", &["*"]);
        let Some(files) = self.ask_paths(&question) else {
            return;
        };
        let target = match &self.shop {
            Some(shop) if !shop.read_only => Some(shop.path.clone()),
            _ => self.ask_path(
                &FileQuestion::new(Ask::SaveFile, "Create a shop file for the imported data")
                    .named("my-shop.candor")
                    .filter("Candor shop", &["candor"]),
            ),
        };
        if let Some(target) = target {
            self.start_import(target, files);
        }
    }

    pub(super) fn import_ui(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.import else {
            return;
        };
        match dialog.ui(ctx) {
            ImportAction::None => {}
            ImportAction::Close => self.import = None,
            ImportAction::OpenShop(path) => {
                if !dialog.actor.trim().is_empty() {
                    self.saved.remember_actor(self.role, &dialog.actor);
                }
                self.import = None;
                self.commands.push(Command::Open(path));
            }
            action => self.import_file_action(&action),
        }
    }

    /// Asks for the file an import dialog's button needs, then hands it to the dialog.
    fn import_file_action(&mut self, action: &ImportAction) {
        let mappings = crate::ui::import::mappings_folder;
        let question = match action {
            ImportAction::SaveMapping => FileQuestion::new(Ask::SaveFile, "Save this mapping")
                .in_folder(mappings())
                .named("mapping.json")
                .filter("Column mapping", &["json"]),
            ImportAction::UseSavedMapping => {
                FileQuestion::new(Ask::OpenFile, "Use a saved mapping")
                    .in_folder(mappings())
                    .filter("Column mapping", &["json"])
            }
            ImportAction::SaveBadRows => {
                FileQuestion::new(Ask::SaveFile, "Save the report of skipped rows")
                    .named("skipped-rows.csv")
                    .filter("CSV", &["csv"])
            }
            _ => return,
        };
        let Some(path) = self.ask_path(&question) else {
            return;
        };
        let Some(dialog) = &mut self.import else {
            return;
        };
        match action {
            ImportAction::SaveMapping => dialog.save_mapping(&path),
            ImportAction::UseSavedMapping => dialog.use_mapping(&path),
            _ => dialog.save_bad_rows(&path),
        }
    }
}
