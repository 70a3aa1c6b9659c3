//! The shop's personalization logic in words: every rule and every feature.

use egui::{RichText, Ui};

use super::loader::Loaded;
use super::theme;
use crate::engine::features::FeatureId;

/// Draws the Rules view.
pub fn rules_ui(ui: &mut Ui, shop: &Loaded) {
    let customers = shop.index.shop().customers.len();
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.heading("Rules");
        ui.label(
            "Each rule runs only for customers who agreed to its purpose and meet its conditions.",
        );
        ui.add_space(6.0);
        for row in &shop.rules {
            let r = &row.rule;
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.horizontal(|ui| {
                    ui.strong(&r.label);
                    ui.label(RichText::new(format!("({})", r.id)).color(theme::MUTED));
                    if !r.enabled {
                        ui.colored_label(theme::FLAG, "switched off");
                    }
                });
                ui.label(format!(
                    "When {}, it {}.",
                    row.conditions_text, row.effect_text
                ));
                ui.label(format!(
                    "Weight {} · needs consent to \"{}\" · reads {}",
                    r.weight,
                    row.purpose_label,
                    row.fields.join(", ")
                ));
                ui.label(format!("Tells the customer: \"{}\"", r.reason));
                ui.label(
                    RichText::new(format!(
                        "Runs for {} of {customers} customers today.",
                        row.runs_for
                    ))
                    .color(theme::MUTED),
                );
            });
        }
        ui.add_space(10.0);
        ui.heading("Features");
        ui.label(
            "Signals computed from a customer's records (or, for popularity, from all sales).",
        );
        for f in FeatureId::all() {
            let fields: Vec<&str> = f.fields().iter().map(|x| x.key()).collect();
            ui.label(RichText::new(f.label()).strong());
            ui.label(format!(
                "{} Reads: {}.",
                f.definition(),
                if fields.is_empty() {
                    "no personal data".to_owned()
                } else {
                    fields.join(", ")
                }
            ));
        }
    });
}
