//! File → "A copy of this shop was lost or stolen…": what happened, when the shop found
//! out, how customers can reach it, and where to write the report (owner only).

use std::path::PathBuf;

use egui::Ui;

use crate::breach::{BreachRequest, parse_discovered};

/// The breach report's questions while the owner answers them.
pub struct BreachDialog {
    what: String,
    discovered: String,
    contact: String,
    /// The folder the report is written into.
    pub folder: String,
    id: egui::Id,
}

/// What the dialog decided.
#[derive(Debug, PartialEq)]
pub enum BreachDecision {
    /// Still open.
    Open,
    /// Ask for the folder with the system's dialog.
    ChooseFolder,
    /// Write the report into the folder.
    Write(BreachRequest, PathBuf),
    /// Closed without writing.
    Cancel,
}

impl BreachDialog {
    /// A new dialog; "when you found out" starts as `now`.
    pub fn new(now: chrono::NaiveDateTime) -> Self {
        Self {
            what: String::new(),
            discovered: now.format("%Y-%m-%d %H:%M").to_string(),
            contact: String::new(),
            folder: String::new(),
            id: egui::Id::unique(("breach-dialog", std::time::SystemTime::now())),
        }
    }

    /// The request the answers make, or what is missing.
    fn request(&self) -> Result<(BreachRequest, PathBuf), &'static str> {
        if self.what.trim().is_empty() {
            return Err("Say what happened.");
        }
        let Some(discovered) = parse_discovered(&self.discovered) else {
            return Err("Write when you found out as 2026-12-04 15:30.");
        };
        if self.folder.trim().is_empty() {
            return Err("Choose a folder for the report.");
        }
        let contact = Some(self.contact.trim().to_owned()).filter(|c| !c.is_empty());
        Ok((
            BreachRequest {
                what_happened: self.what.trim().to_owned(),
                discovered,
                contact,
            },
            PathBuf::from(self.folder.trim()),
        ))
    }

    /// Draws the dialog.
    pub fn ui(&mut self, ctx: &egui::Context) -> BreachDecision {
        let mut decision = BreachDecision::Open;
        egui::Modal::new(self.id).show(ctx, |ui| {
            ui.set_width(520.0);
            ui.heading("A copy of this shop was lost or stolen");
            ui.add(egui::Label::new("Candor writes what the shop file holds (which kinds of data, for how many customers, whether it was protected), the list of customers to tell with how to reach each, a notice in plain words to send them, and the facts the supervisory authority asks for, with the time by which to tell it (72 hours after you found out). The report is recorded in the audit log. It lists every customer's contact details: keep it safe.").wrap());
            ui.add_space(6.0);
            if self.fields_ui(ui) {
                decision = BreachDecision::ChooseFolder;
            }
            let request = self.request();
            if let Err(missing) = &request {
                ui.weak(*missing);
            }
            ui.horizontal(|ui| {
                let ready = request.is_ok();
                if ui
                    .add_enabled(ready, egui::Button::new("Write the report"))
                    .clicked()
                    && let Ok((request, folder)) = request
                {
                    decision = BreachDecision::Write(request, folder);
                }
                if ui.button("Cancel").clicked() {
                    decision = BreachDecision::Cancel;
                }
            });
        });
        decision
    }

    /// Draws the questions; true when "Choose…" was clicked.
    fn fields_ui(&mut self, ui: &mut Ui) -> bool {
        let l = ui.label("What happened");
        ui.add(
            egui::TextEdit::multiline(&mut self.what)
                .hint_text("The shop laptop was stolen from the car.")
                .desired_rows(2)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(l.id);
        let l = ui.label("When you found out (year-month-day hour:minute)");
        ui.add(egui::TextEdit::singleline(&mut self.discovered))
            .labelled_by(l.id);
        let l = ui.label("How customers can reach you about it (optional)");
        ui.add(
            egui::TextEdit::singleline(&mut self.contact)
                .hint_text("reply to this message or ask us at the counter")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(l.id);
        let l = ui.label("Folder for the report");
        ui.horizontal(|ui| {
            ui.add(egui::TextEdit::singleline(&mut self.folder).desired_width(380.0))
                .labelled_by(l.id);
            ui.button("Choose…").clicked()
        })
        .inner
    }
}
