//! The two password dialogs of a shop protected at rest: typing the shop's password to open
//! it, and (owner only) protecting the shop with a password, changing it, or taking it off.
//! Neither keeps what was typed once it is used.

use std::path::{Path, PathBuf};

use super::owner::{forget_fields, password_field, strength_hint};
use super::theme;
use crate::store::{Attribution, Protection};

/// Asks for the password of a protected shop being opened.
pub struct UnlockDialog {
    /// The protected shop.
    pub path: PathBuf,
    /// The password refused last time, if any (said above the field).
    refused: bool,
    password: String,
    /// Whether the field was given the keyboard once (so typing goes straight in).
    focused: bool,
    id: egui::Id,
}

/// What the unlock dialog decided (no `Debug`: it may hold the password).
#[derive(PartialEq, Eq)]
pub enum UnlockDecision {
    /// Still open.
    Open,
    /// Open the shop with this password.
    Unlock(String),
    /// Closed without opening.
    Cancel,
}

impl UnlockDialog {
    /// A dialog for the shop at `path`; `refused` when a password given did not open it.
    pub fn new(path: PathBuf, refused: bool) -> Self {
        Self {
            path,
            refused,
            password: String::new(),
            focused: false,
            id: egui::Id::unique(("unlock-dialog", std::time::SystemTime::now())),
        }
    }

    /// Draws the dialog.
    pub fn ui(&mut self, ctx: &egui::Context) -> UnlockDecision {
        let mut decision = UnlockDecision::Open;
        egui::Modal::new(self.id).show(ctx, |ui| {
            ui.set_width(420.0);
            ui.heading("This shop is protected with a password");
            ui.label(format!(
                "{} is encrypted (or is not a shop file at all): type the shop's password to open it.",
                self.path.display()
            ));
            if self.refused {
                ui.colored_label(
                    theme::NEGATIVE,
                    "That password does not open this shop. A forgotten shop password cannot be recovered; a backup made before the shop was protected opens without one.",
                );
            }
            let field =
                password_field(ui, self.id.with("password"), "Shop password", &mut self.password);
            if !self.focused {
                field.request_focus();
                self.focused = true;
            }
            let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.horizontal(|ui| {
                let ready = !self.password.is_empty();
                if ui.add_enabled(ready, egui::Button::new("Open")).clicked() || (ready && enter) {
                    decision = UnlockDecision::Unlock(std::mem::take(&mut self.password));
                }
                if ui.button("Cancel").clicked() {
                    decision = UnlockDecision::Cancel;
                }
            });
        });
        if decision != UnlockDecision::Open {
            forget_fields(ctx, self.id, &["password"]);
        }
        decision
    }
}

/// The owner's dialog for the shop's protection.
pub struct ProtectDialog {
    /// Who is acting (recorded in the audit log).
    pub actor: String,
    protected: bool,
    password: String,
    repeat: String,
    error: Option<String>,
    id: egui::Id,
}

/// What the protect dialog decided.
pub enum ProtectDecision {
    /// Still open.
    Open,
    /// Make this change, recorded with this attribution.
    Change(Protection, Attribution),
    /// Closed.
    Cancel,
}

const PROTECT_TEXT: &str = "The whole shop file is encrypted: a copy of it (a lost laptop, a shared folder, a backup stick) shows nothing without the password. Everyone who opens the shop, staff included, types this password; the owner's passphrase stays separate and must differ. Backups Candor makes from now on are protected with the same password.";

const NO_RECOVERY: &str = "There is no way to recover a forgotten shop password, and without it the shop cannot be opened. Write it down now and keep it with the owner's recovery code, away from the computer.";

impl ProtectDialog {
    /// A dialog for a shop that is (`protected`) or is not protected yet.
    pub fn new(protected: bool, actor: &str) -> Self {
        Self {
            actor: actor.to_owned(),
            protected,
            password: String::new(),
            repeat: String::new(),
            error: None,
            id: egui::Id::unique(("protect-dialog", std::time::SystemTime::now())),
        }
    }

    /// Draws the dialog for the shop at `path`.
    pub fn ui(&mut self, ctx: &egui::Context, path: &Path) -> ProtectDecision {
        let mut decision = ProtectDecision::Open;
        egui::Modal::new(self.id).show(ctx, |ui| {
            ui.set_width(460.0);
            ui.heading(if self.protected {
                "Change the shop's password"
            } else {
                "Protect this shop with a password"
            });
            if self.protected {
                ui.label(format!("{} is protected with a password.", path.display()));
            } else {
                ui.label(PROTECT_TEXT);
            }
            ui.colored_label(theme::NEGATIVE, NO_RECOVERY);
            self.fields_ui(ui);
            if let Some(e) = &self.error {
                ui.colored_label(theme::NEGATIVE, e);
            }
            decision = self.buttons_ui(ui);
        });
        if !matches!(decision, ProtectDecision::Open) {
            forget_fields(ctx, self.id, &["password", "repeat"]);
        }
        decision
    }

    fn fields_ui(&mut self, ui: &mut egui::Ui) {
        let l = ui.label("Your name");
        ui.add(egui::TextEdit::singleline(&mut self.actor).desired_width(f32::INFINITY))
            .labelled_by(l.id);
        let label = if self.protected {
            "New shop password"
        } else {
            "Shop password"
        };
        password_field(ui, self.id.with("password"), label, &mut self.password);
        strength_hint(ui);
        password_field(
            ui,
            self.id.with("repeat"),
            "Repeat the password",
            &mut self.repeat,
        );
    }

    fn buttons_ui(&mut self, ui: &mut egui::Ui) -> ProtectDecision {
        let mut decision = ProtectDecision::Open;
        ui.horizontal_wrapped(|ui| {
            let ready = !self.actor.trim().is_empty() && !self.password.is_empty();
            let label = if self.protected {
                "Change the password"
            } else {
                "Protect the shop"
            };
            let enter = ui.input(|i| i.key_pressed(egui::Key::Enter)) && !self.repeat.is_empty();
            if ui.add_enabled(ready, egui::Button::new(label)).clicked() || (ready && enter) {
                decision = self.checked();
            }
            if self.protected
                && ui
                    .add_enabled(
                        !self.actor.trim().is_empty(),
                        egui::Button::new("Take the protection off"),
                    )
                    .on_hover_text("The file is written plain again: anyone with a copy can read every customer's data.")
                    .clicked()
            {
                decision = ProtectDecision::Change(
                    Protection::Remove,
                    Attribution::now(self.actor.trim(), "taking the password protection off the shop"),
                );
            }
            if ui.button("Cancel").clicked() {
                decision = ProtectDecision::Cancel;
            }
        });
        decision
    }

    /// The change asked for, once the two passwords agree and the password is strong
    /// enough (the store checks again, and also that it is not the owner's passphrase).
    fn checked(&mut self) -> ProtectDecision {
        if self.password != self.repeat {
            self.error = Some("The two passwords differ.".to_owned());
            return ProtectDecision::Open;
        }
        if let Some(problem) = crate::store::shop_password_problem(&self.password) {
            self.error = Some(format!("{}.", crate::engine::words::capitalized(&problem)));
            return ProtectDecision::Open;
        }
        let reason = if self.protected {
            "changing the shop's password"
        } else {
            "protecting the shop with a password"
        };
        self.repeat.clear();
        ProtectDecision::Change(
            Protection::Password(std::mem::take(&mut self.password)),
            Attribution::now(self.actor.trim(), reason),
        )
    }
}
