//! Customers → "Export recommendations…": the list length and the channel, with who will
//! be written and who left out and why, before a file is chosen.

use egui::Ui;

use crate::engine::ShopIndex;
use crate::engine::outreach::{Channel, MAX_TOP};
use crate::engine::words;

/// The export's settings while the owner chooses them.
pub struct OutreachDialog {
    /// Products per customer.
    pub top: usize,
    /// Only customers who agreed to email offers (and have an address).
    pub email_only: bool,
    /// The counts for the channel they were made for (counting plans every customer).
    preview: Option<(bool, Preview)>,
}

impl Default for OutreachDialog {
    fn default() -> Self {
        Self {
            top: 5,
            email_only: true,
            preview: None,
        }
    }
}

/// What the dialog decided.
#[derive(Debug, PartialEq, Eq)]
pub enum OutreachDecision {
    /// Still open.
    Open,
    /// Choose a file, then export with these settings.
    ChooseFile,
    /// Closed without exporting.
    Cancel,
}

/// Who an export with these settings writes and leaves out.
#[derive(Clone, Copy)]
pub struct Preview {
    /// Customers written.
    pub written: usize,
    /// Not written: no agreement to the channel's purpose.
    pub no_consent: usize,
    /// Not written: agreed, but no email address held.
    pub no_email: usize,
    /// Of those written, with a personal list.
    pub personal: usize,
}

impl OutreachDialog {
    /// The channel chosen, if any.
    pub fn channel(&self) -> Option<Channel> {
        self.email_only.then_some(Channel::Email)
    }

    /// Counts who would be written, from the current consents (the export's own choice).
    pub fn preview(&self, index: &ShopIndex) -> Preview {
        let (chosen, left_out) = crate::engine::outreach::recipients(index, self.channel());
        let scorer = crate::engine::Scorer::new(index);
        Preview {
            written: chosen.len(),
            no_consent: left_out.no_channel_consent,
            no_email: left_out.no_email_address,
            personal: chosen
                .iter()
                .filter(|&&pos| scorer.plan(pos).personalized)
                .count(),
        }
    }

    /// Draws the dialog.
    pub fn ui(&mut self, ctx: &egui::Context, index: &ShopIndex) -> OutreachDecision {
        let mut decision = OutreachDecision::Open;
        egui::Modal::new(egui::Id::unique("outreach-dialog")).show(ctx, |ui| {
            ui.set_width(480.0);
            ui.heading("Export recommendations");
            ui.add(egui::Label::new("Every customer's suggestions with the reason they are told (the same sentence as their card), why they see them and how to change that, as a CSV file an email tool can merge (email, first_name, product_1_name, …) or as JSON. Email addresses are written only with \u{201c}For email\u{201d} ticked. The export is recorded in the audit log.").wrap());
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                ui.label("Products per customer:");
                ui.add(egui::DragValue::new(&mut self.top).range(1..=MAX_TOP));
            });
            let has_purpose = index.shop().purpose(Channel::Email.purpose()).is_some();
            if !has_purpose {
                self.email_only = false;
            }
            ui.add_enabled(
                has_purpose,
                egui::Checkbox::new(
                    &mut self.email_only,
                    "For email: only customers who agreed to email offers",
                ),
            )
            .on_disabled_hover_text(
                "This shop has no \u{201c}email_offers\u{201d} purpose, so nobody has agreed to be emailed.",
            );
            let preview = match self.preview {
                Some((email_only, p)) if email_only == self.email_only => p,
                _ => {
                    let p = self.preview(index);
                    self.preview = Some((self.email_only, p));
                    p
                }
            };
            preview_ui(ui, self, &preview);
            ui.horizontal(|ui| {
                if ui.button("Choose a file and export…").clicked() {
                    decision = OutreachDecision::ChooseFile;
                }
                if ui.button("Cancel").clicked() {
                    decision = OutreachDecision::Cancel;
                }
            });
        });
        decision
    }
}

/// Who will be written and who left out, and why.
fn preview_ui(ui: &mut Ui, dialog: &OutreachDialog, p: &Preview) {
    ui.label(format!(
        "{} will be written: {} with a personal list, {} with the shop's list for everyone (they have not agreed to personalization, or no rule runs for them).",
        words::customers(p.written),
        words::number(p.personal),
        words::number(p.written - p.personal)
    ));
    if dialog.email_only {
        ui.label(format!(
            "Left out: {} who have not agreed to email offers, {} without an email address.",
            words::customers(p.no_consent),
            words::customers(p.no_email)
        ));
    }
}
