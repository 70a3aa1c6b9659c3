//! The menu bar and the keyboard: both only queue commands.

use egui::Ui;
use std::path::PathBuf;

use super::{CandorApp, Command, Tab, is_export_file};
use crate::access::Role;
use crate::lessons::Lesson;
use crate::ui::files::{Ask, FileQuestion};
use crate::ui::owner::OwnerDialog;
use crate::ui::shortcuts::Shortcut;

/// Why only the owner can write a breach report.
pub(super) const BREACH_OWNER_ONLY: &str = "Only the owner can write a breach report: it lists every customer's contact details. Switch to owner in the menu bar.";

impl CandorApp {
    pub(super) fn handle_input(&mut self, ctx: &egui::Context) {
        for shortcut in crate::ui::shortcuts::pressed(ctx) {
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

    pub(super) fn menu_ui(&mut self, ui: &mut Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| self.file_menu(ui));
            ui.menu_button("View", |ui| self.view_menu(ui));
            ui.menu_button("Lessons", |ui| self.lessons_menu(ui));
            ui.menu_button("Help", |ui| {
                if ui.button("How Candor works").clicked() {
                    self.guide_open = true;
                }
                if ui.button("Keyboard shortcuts  (F1)").clicked() {
                    self.help_open = true;
                }
            });
            ui.separator();
            self.tabs_ui(ui);
            self.shop_bar_ui(ui);
        });
    }

    fn file_menu(&mut self, ui: &mut Ui) {
        if ui.button("Open…  (Ctrl+O)").clicked() {
            self.commands.push(Command::OpenDialog);
        }
        if ui
            .add_enabled(!self.is_presenting(), egui::Button::new("Import…"))
            .on_disabled_hover_text(super::PRESENTING_REFUSAL)
            .clicked()
        {
            self.commands.push(Command::ImportDialog);
        }
        if ui
            .add_enabled(self.shop.is_some(), egui::Button::new("Blank preference form…"))
            .on_hover_text("A printable form for the counter: contact details, each agreement asked on its own, and what the customer likes or does not want.")
            .on_disabled_hover_text("Open a shop first.")
            .clicked()
        {
            self.commands.push(Command::PreferenceForm);
        }
        let breach = ui
            .add_enabled(
                self.shop.is_some() && self.role == Role::Owner && !self.is_presenting(),
                egui::Button::new("A copy of this shop was lost or stolen…"),
            )
            .on_disabled_hover_text(if self.is_presenting() {
                super::PRESENTING_REFUSAL
            } else {
                BREACH_OWNER_ONLY
            });
        if breach.clicked() {
            self.commands.push(Command::BreachDialog);
        }
        if ui
            .add_enabled(
                self.shop.is_some() && !self.is_presenting(),
                egui::Button::new("Back up this shop…"),
            )
            .on_hover_text("A checked copy of the shop file, to keep somewhere safe.")
            .on_disabled_hover_text(if self.is_presenting() {
                super::PRESENTING_REFUSAL
            } else {
                "Open a shop first."
            })
            .clicked()
        {
            self.commands.push(Command::BackupDialog);
        }
        if ui
            .add_enabled(
                self.shop.is_some() && self.role == Role::Owner && !self.is_presenting(),
                egui::Button::new("Restore from a backup…"),
            )
            .on_disabled_hover_text(if self.is_presenting() {
                super::PRESENTING_REFUSAL
            } else {
                "Only the owner can restore a backup (it takes back every change made since): switch to owner in the menu bar."
            })
            .clicked()
        {
            self.commands.push(Command::RestoreDialog);
        }
        let protected = self
            .shop
            .as_ref()
            .is_some_and(|s| s.log.records.file_protected);
        if ui
            .add_enabled(
                self.shop.is_some() && self.role == Role::Owner && !self.is_presenting(),
                egui::Button::new(if protected {
                    "Change the shop's password…"
                } else {
                    "Protect this shop with a password…"
                }),
            )
            .on_hover_text("Encrypts the whole shop file: a copy of it shows nothing without the password.")
            .on_disabled_hover_text(if self.is_presenting() {
                super::PRESENTING_REFUSAL
            } else {
                "Only the owner can protect the shop with a password: switch to owner in the menu bar."
            })
            .clicked()
        {
            self.commands.push(Command::ProtectDialog);
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
    }

    fn view_menu(&mut self, ui: &mut Ui) {
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
    }

    fn lessons_menu(&mut self, ui: &mut Ui) {
        for lesson in Lesson::bundled() {
            if ui.button(&lesson.title).clicked() {
                self.ask_to_start_lesson(lesson);
            }
        }
        ui.separator();
        if ui.button("Open a lesson file…").clicked()
            && let Some(path) = self.ask_path(
                &FileQuestion::new(Ask::OpenFile, "Open a lesson").filter("Lesson", &["json"]),
            )
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
    }

    /// The view tabs (switching to the audit log reads it again).
    fn tabs_ui(&mut self, ui: &mut Ui) {
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
    }

    /// The role switch and what shop is open, as of which day.
    fn shop_bar_ui(&mut self, ui: &mut Ui) {
        if let Some(shop) = &self.shop {
            ui.separator();
            match self.role {
                Role::Staff => {
                    let set_up = !shop.log.records.owner_passphrase_set;
                    let label = if set_up {
                        "Staff · set up the owner…"
                    } else {
                        "Staff · switch to owner…"
                    };
                    if ui.button(label).clicked() {
                        self.owner_dialog =
                            Some(OwnerDialog::new(set_up, self.saved.actor(Role::Owner)));
                    }
                }
                Role::Owner => {
                    if ui.button("Owner · back to staff").clicked() {
                        if let Some(key) = &shop.log.owner_key {
                            crate::store::signing::forget_owner_key(key);
                        }
                        self.role = Role::Staff;
                    }
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let s = shop.index.shop();
                ui.add(
                    egui::Label::new(format!(
                        "{} · {} · {} · as of {}",
                        s.settings.name,
                        crate::engine::words::customers(s.customers.len()),
                        crate::engine::words::count(s.products.len(), "product", "products"),
                        shop.index.today()
                    ))
                    .truncate(),
                );
            });
        }
    }
}
