//! Switching to the owner role: the owner's name and passphrase (set on first use),
//! checked against the hash in the shop file; a wrong passphrase is logged by the store.

use std::path::Path;

use super::theme;
use crate::store::{Attribution, Store};

/// The "switch to owner" dialog.
#[derive(Default)]
pub struct OwnerDialog {
    /// Who is switching.
    pub actor: String,
    passphrase: String,
    repeat: String,
    first_use: bool,
    error: Option<String>,
}

/// What the dialog decided.
#[derive(Debug, PartialEq, Eq)]
pub enum OwnerDecision {
    /// Still open.
    Open,
    /// The passphrase was accepted (or set).
    Unlocked,
    /// Closed.
    Cancel,
}

impl OwnerDialog {
    /// A dialog for the shop at `path`, prefilled with the last name used.
    pub fn new(path: &Path, actor: &str) -> Self {
        let first_use = Store::open_for_reading(path)
            .and_then(|(s, _)| s.owner_passphrase_is_set())
            .map(|set| !set)
            .unwrap_or(false);
        Self {
            actor: actor.to_owned(),
            first_use,
            ..Self::default()
        }
    }

    /// Draws the dialog; checks the passphrase against the shop at `path` when asked.
    pub fn ui(&mut self, ctx: &egui::Context, path: &Path) -> OwnerDecision {
        let mut decision = OwnerDecision::Open;
        egui::Modal::new(egui::Id::unique("owner-dialog")).show(ctx, |ui| {
            ui.set_width(420.0);
            ui.heading(if self.first_use {
                "Set the owner's passphrase"
            } else {
                "Switch to owner"
            });
            ui.label(if self.first_use {
                "Only the owner may change the rules or erase a customer. This shop has no owner's passphrase yet: the one you choose now is kept only as a salted hash in the shop file."
            } else {
                "Only the owner may change the rules or erase a customer. A wrong passphrase is recorded in the audit log."
            });
            let l = ui.label("Your name");
            ui.add(egui::TextEdit::singleline(&mut self.actor).desired_width(f32::INFINITY))
                .labelled_by(l.id);
            let l = ui.label("Owner's passphrase");
            ui.add(
                egui::TextEdit::singleline(&mut self.passphrase)
                    .password(true)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(l.id);
            if self.first_use {
                let l = ui.label("Repeat the passphrase");
                ui.add(
                    egui::TextEdit::singleline(&mut self.repeat)
                        .password(true)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(l.id);
            }
            if let Some(e) = &self.error {
                ui.colored_label(theme::NEGATIVE, e);
            }
            ui.horizontal(|ui| {
                let ready = !self.actor.trim().is_empty() && !self.passphrase.is_empty();
                if ui
                    .add_enabled(ready, egui::Button::new("Switch to owner"))
                    .clicked()
                    && self.check(path)
                {
                    decision = OwnerDecision::Unlocked;
                }
                if ui.button("Cancel").clicked() {
                    decision = OwnerDecision::Cancel;
                }
            });
        });
        decision
    }

    fn check(&mut self, path: &Path) -> bool {
        if self.first_use && self.passphrase != self.repeat {
            self.error = Some("The two passphrases differ.".to_owned());
            return false;
        }
        let who = Attribution::now(self.actor.trim(), "switching to the owner role");
        let result = Store::open(path)
            .map_err(crate::store::ApplyError::from)
            .and_then(|(mut store, _)| {
                store.check_owner(&self.passphrase, &who, "switching to the owner role")
            });
        self.passphrase.clear();
        self.repeat.clear();
        match result {
            Ok(_) => true,
            Err(e) => {
                self.error = Some(e.to_string());
                false
            }
        }
    }
}
