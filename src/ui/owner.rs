//! Switching to the owner role: the owner's name and passphrase (set on first use),
//! checked against the hash in the shop file on a worker thread; a wrong passphrase is
//! logged by the store.

use std::path::Path;

use super::jobs::Job;
use super::theme;
use crate::store::Attribution;

/// The "switch to owner" dialog.
#[derive(Default)]
pub struct OwnerDialog {
    /// Who is switching.
    pub actor: String,
    passphrase: String,
    repeat: String,
    first_use: bool,
    error: Option<String>,
    checking: Option<Job<Result<(), String>>>,
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
    /// Still open after a refused passphrase (the refusal is in the log now).
    Refused,
}

impl OwnerDialog {
    /// A dialog prefilled with the last name used; `first_use` when the shop has no
    /// owner's passphrase yet (as its log was last read).
    pub fn new(first_use: bool, actor: &str) -> Self {
        Self {
            actor: actor.to_owned(),
            first_use,
            ..Self::default()
        }
    }

    /// Draws the dialog; checks the passphrase against the shop at `path` when asked.
    pub fn ui(&mut self, ctx: &egui::Context, path: &Path) -> OwnerDecision {
        let mut decision = self.poll();
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
                ui.label(
                    egui::RichText::new(format!(
                        "At least {} characters: a few unrelated words are easy to remember and hard to guess. It cannot be recovered if forgotten.",
                        crate::store::MIN_PASSPHRASE
                    ))
                    .small()
                    .color(theme::MUTED),
                );
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
                let ready = !self.actor.trim().is_empty()
                    && !self.passphrase.is_empty()
                    && self.checking.is_none();
                if ui
                    .add_enabled(ready, egui::Button::new("Switch to owner"))
                    .clicked()
                {
                    self.check(ctx, path);
                }
                if self.checking.is_some() {
                    ui.spinner();
                }
                if ui.button("Cancel").clicked() {
                    decision = OwnerDecision::Cancel;
                }
            });
        });
        decision
    }

    /// Starts checking the passphrase on a worker thread (it is hashed slowly on purpose).
    fn check(&mut self, ctx: &egui::Context, path: &Path) {
        if self.first_use && self.passphrase != self.repeat {
            self.error = Some("The two passphrases differ.".to_owned());
            return;
        }
        let who = Attribution::now(self.actor.trim(), "switching to the owner role");
        let passphrase = std::mem::take(&mut self.passphrase);
        self.repeat.clear();
        self.error = None;
        let (path, ctx) = (path.to_owned(), ctx.clone());
        self.checking = Some(Job::spawn(
            0,
            move || ctx.request_repaint(),
            move |_| {
                crate::session::apply::check_owner(&path, &passphrase, &who)
                    .map_err(|e| e.to_string())
            },
        ));
    }

    /// Whether the check finished: unlocked, or still open (with the refusal shown).
    fn poll(&mut self) -> OwnerDecision {
        let Some(result) = self.checking.as_ref().and_then(Job::poll) else {
            return OwnerDecision::Open;
        };
        self.checking = None;
        match result.and_then(std::convert::identity) {
            Ok(()) => OwnerDecision::Unlocked,
            Err(message) => {
                self.error = Some(message);
                OwnerDecision::Refused
            }
        }
    }

    /// Whether the passphrase is being checked.
    pub fn is_checking(&self) -> bool {
        self.checking.is_some()
    }
}
