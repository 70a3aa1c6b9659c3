//! The owner's dialog: setting up the owner (passphrase, then the recovery code shown
//! once), switching to the owner role, and resetting a forgotten passphrase with the
//! recovery code. Passphrases are hashed on a worker thread; refusals are logged by the
//! store.

use std::path::{Path, PathBuf};

use super::jobs::Job;
use super::theme;
use crate::session::apply::OwnerAction;
use crate::store::Attribution;

/// What the dialog is for at the moment (no `Debug`: it may hold the recovery code).
#[derive(Clone, PartialEq, Eq)]
enum Mode {
    /// The shop has no owner: choose the first passphrase.
    SetUp,
    /// Switch to the owner role with the passphrase.
    Switch,
    /// Reset a forgotten passphrase with the recovery code.
    Reset,
    /// Show the new recovery code, once.
    Code(String),
}

/// The "switch to owner" / "set up the owner" dialog.
pub struct OwnerDialog {
    /// Who is acting.
    pub actor: String,
    mode: Mode,
    passphrase: String,
    repeat: String,
    code: String,
    error: Option<String>,
    checking: Option<Job<Result<Option<String>, String>>>,
    /// The shop the last check or change was made against.
    checked: Option<PathBuf>,
    /// This dialog's own id: its fields' undo histories are never found by a later one.
    id: egui::Id,
}

/// What the dialog decided.
#[derive(Debug, PartialEq, Eq)]
pub enum OwnerDecision {
    /// Still open.
    Open,
    /// The passphrase was accepted, or the owner set up (and the code kept).
    Unlocked,
    /// Closed.
    Cancel,
    /// Still open after a refused passphrase or code (the refusal is in the log now).
    Refused,
}

impl OwnerDialog {
    /// A dialog prefilled with the last name used; `set_up` when the shop has no owner
    /// yet (as its log was last read), which sets one up instead of switching.
    pub fn new(set_up: bool, actor: &str) -> Self {
        Self {
            actor: actor.to_owned(),
            mode: if set_up { Mode::SetUp } else { Mode::Switch },
            passphrase: String::new(),
            repeat: String::new(),
            code: String::new(),
            error: None,
            checking: None,
            checked: None,
            id: egui::Id::unique(("owner-dialog", std::time::SystemTime::now())),
        }
    }

    /// The shop the passphrase was last checked (or the owner set up) against.
    pub fn checked_shop(&self) -> Option<&Path> {
        self.checked.as_deref()
    }

    /// Draws the dialog; checks or sets the passphrase in the shop at `path` when asked.
    pub fn ui(&mut self, ctx: &egui::Context, path: &Path) -> OwnerDecision {
        let mut decision = self.poll();
        egui::Modal::new(self.id).show(ctx, |ui| {
            ui.set_width(440.0);
            if let Mode::Code(code) = &self.mode {
                if code_ui(ui, code) {
                    decision = OwnerDecision::Unlocked;
                }
                return;
            }
            self.intro_ui(ui);
            self.fields_ui(ui);
            if let Some(e) = &self.error {
                ui.colored_label(theme::NEGATIVE, e);
            }
            if self.buttons_ui(ui, path) {
                decision = OwnerDecision::Cancel;
            }
        });
        decision
    }

    fn intro_ui(&self, ui: &mut egui::Ui) {
        let (heading, text) = match self.mode {
            Mode::SetUp => (
                "Set up the shop's owner",
                "Only the owner may change the rules, purposes, settings or prices, erase a customer or purge old data. Choose the owner's passphrase: it is kept only as a salted hash in the shop file, so nobody, not even Candor, can tell it to you if it is forgotten. Next you get a recovery code to print or write down: it is the only way to reset a forgotten passphrase.",
            ),
            Mode::Switch => (
                "Switch to owner",
                "Only the owner may change the rules, purposes, settings or prices, or erase a customer. A wrong passphrase is recorded in the audit log; after three in a row, each further try must wait longer.",
            ),
            Mode::Reset => (
                "Reset the owner's passphrase",
                "Type the recovery code you were given when the owner was set up (or last changed the passphrase), and choose a new passphrase. You get a new recovery code; the old one stops working. A wrong code is recorded in the audit log.",
            ),
            Mode::Code(_) => return,
        };
        ui.heading(heading);
        ui.label(text);
    }

    fn fields_ui(&mut self, ui: &mut egui::Ui) {
        let l = ui.label("Your name");
        ui.add(egui::TextEdit::singleline(&mut self.actor).desired_width(f32::INFINITY))
            .labelled_by(l.id);
        if self.mode == Mode::Reset {
            let l = ui.label("Recovery code");
            ui.add(
                egui::TextEdit::singleline(&mut self.code)
                    .id(self.id.with(SECRET_FIELDS[0]))
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(l.id);
        }
        let label = match self.mode {
            Mode::Reset => "New passphrase",
            _ => "Owner's passphrase",
        };
        password_field(
            ui,
            self.id.with(SECRET_FIELDS[1]),
            label,
            &mut self.passphrase,
        );
        if self.mode != Mode::Switch {
            strength_hint(ui);
            password_field(
                ui,
                self.id.with(SECRET_FIELDS[2]),
                "Repeat the passphrase",
                &mut self.repeat,
            );
        }
    }

    /// The buttons; whether Cancel was clicked.
    fn buttons_ui(&mut self, ui: &mut egui::Ui, path: &Path) -> bool {
        let mut cancelled = false;
        ui.horizontal(|ui| {
            let ready = !self.actor.trim().is_empty()
                && !self.passphrase.is_empty()
                && (self.mode != Mode::Reset || !self.code.trim().is_empty())
                && self.checking.is_none();
            let label = match self.mode {
                Mode::SetUp => "Set up the owner",
                Mode::Reset => "Reset the passphrase",
                _ => "Switch to owner",
            };
            // Enter in a field does what the button does, once everything is filled in.
            let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
            let complete = ready && (self.mode == Mode::Switch || !self.repeat.is_empty());
            if ui.add_enabled(ready, egui::Button::new(label)).clicked() || (complete && enter) {
                self.start(ui.ctx(), path);
            }
            if self.checking.is_some() {
                ui.spinner();
            }
            // A check that finished after a cancel would still unlock the owner's key.
            if ui
                .add_enabled(self.checking.is_none(), egui::Button::new("Cancel"))
                .on_disabled_hover_text("The passphrase is being checked: a moment.")
                .clicked()
            {
                cancelled = true;
            }
            // Also when setting up: a passphrase removed outside Candor is reset with the code.
            if matches!(self.mode, Mode::Switch | Mode::SetUp)
                && ui
                    .link("Forgot the passphrase? Use the recovery code…")
                    .clicked()
            {
                self.mode = Mode::Reset;
                self.error = None;
            }
        });
        cancelled
    }

    /// Starts the check or the change on a worker thread (passphrases are hashed slowly
    /// on purpose).
    fn start(&mut self, ctx: &egui::Context, path: &Path) {
        if self.mode != Mode::Switch && self.passphrase != self.repeat {
            self.error = Some("The two passphrases differ.".to_owned());
            return;
        }
        let passphrase = std::mem::take(&mut self.passphrase);
        self.repeat.clear();
        self.error = None;
        self.forget_typing(ctx);
        self.checked = Some(path.to_owned());
        let (reason, action) = match self.mode {
            Mode::SetUp => (
                "setting up the owner",
                Some(OwnerAction::SetUp {
                    passphrase: passphrase.clone(),
                }),
            ),
            Mode::Reset => (
                "resetting a forgotten passphrase",
                Some(OwnerAction::Reset {
                    code: std::mem::take(&mut self.code),
                    new: passphrase.clone(),
                }),
            ),
            _ => ("switching to the owner role", None),
        };
        let who = Attribution::now(self.actor.trim(), reason);
        let (path, ctx) = (path.to_owned(), ctx.clone());
        self.checking = Some(Job::spawn(
            0,
            move || ctx.request_repaint(),
            move |_| match action {
                Some(action) => crate::session::apply::owner_action(&path, &action, &who)
                    .map(Some)
                    .map_err(|e| e.to_string()),
                None => crate::session::apply::check_owner(&path, &passphrase, &who)
                    .map(|()| None)
                    .map_err(|e| e.to_string()),
            },
        ));
    }

    /// Whether the work finished: unlocked, showing the new code, or still open with the
    /// refusal shown.
    fn poll(&mut self) -> OwnerDecision {
        let Some(result) = self.checking.as_ref().and_then(Job::poll) else {
            return OwnerDecision::Open;
        };
        self.checking = None;
        match result.and_then(std::convert::identity) {
            Ok(None) => OwnerDecision::Unlocked,
            Ok(Some(code)) => {
                self.mode = Mode::Code(code);
                OwnerDecision::Open
            }
            Err(message) => {
                self.error = Some(message);
                OwnerDecision::Refused
            }
        }
    }

    /// Drops what egui keeps of the secret fields (their undo histories, which it would
    /// otherwise keep in memory and save with the window's state).
    fn forget_typing(&self, ctx: &egui::Context) {
        forget_fields(ctx, self.id, &SECRET_FIELDS);
    }

    /// Whether the passphrase is being checked.
    pub fn is_checking(&self) -> bool {
        self.checking.is_some()
    }

    /// The recovery code on show, once the owner is set up or the passphrase reset.
    pub fn recovery_code(&self) -> Option<&str> {
        match &self.mode {
            Mode::Code(code) => Some(code),
            _ => None,
        }
    }
}

/// The fields that hold a secret, by the name their id is made with.
const SECRET_FIELDS: [&str; 3] = ["code", "passphrase", "repeat"];

/// The small print under a new secret's field: how long it must be.
pub(super) fn strength_hint(ui: &mut egui::Ui) {
    ui.label(
        egui::RichText::new(format!(
            "At least {} characters: a few unrelated words are easy to remember and hard to guess.",
            crate::store::MIN_PASSPHRASE
        ))
        .small()
        .color(theme::MUTED),
    );
}

/// Drops what egui keeps of the fields named `fields` under `id` (their undo histories,
/// which would otherwise hold a secret in memory and in the window's saved state).
pub(super) fn forget_fields(ctx: &egui::Context, id: egui::Id, fields: &[&str]) {
    ctx.data_mut(|d| {
        for field in fields {
            d.remove::<egui::text_edit::TextEditState>(id.with(*field));
        }
    });
}

/// A labelled field whose text is hidden as it is typed.
pub(super) fn password_field(
    ui: &mut egui::Ui,
    id: egui::Id,
    label: &str,
    text: &mut String,
) -> egui::Response {
    let l = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(text)
            .id(id)
            .password(true)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(l.id)
}

/// Shows the recovery code once; whether the owner said it is kept.
fn code_ui(ui: &mut egui::Ui, code: &str) -> bool {
    ui.heading("The owner's recovery code");
    ui.label("Print this code or write it down now, and keep it away from the computer (with the shop's papers, say). It is shown only this once. With it, anyone can reset the owner's passphrase; without it, a forgotten passphrase cannot be reset.");
    ui.add_space(8.0);
    ui.label(egui::RichText::new(code).monospace().size(22.0).strong());
    ui.add_space(8.0);
    // No "Copy": a clipboard (and its history) is on the computer the code must stay off.
    ui.button("I have kept the code").clicked()
}
