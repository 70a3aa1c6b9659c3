//! The ethics scorecard view: the first thing an owner sees, one card per principle with
//! its standing, the measured facts behind it and a button to the view that fixes it.

use egui::{RichText, Ui};

use super::theme;
use crate::engine::scorecard::{Card, Standing};
use crate::engine::view::View;

fn colour(s: Standing) -> egui::Color32 {
    match s {
        Standing::Good => theme::POSITIVE,
        Standing::NeedsAttention => theme::FLAG,
        Standing::AtRisk => theme::NEGATIVE,
    }
}

/// What the scorecard asks for.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScorecardAction {
    /// Open the view where a card's facts can be put right.
    Open(View),
}

/// Draws the cards; returns what a card's button asks for.
pub fn scorecard_ui(ui: &mut Ui, cards: &[Card]) -> Option<ScorecardAction> {
    let mut go = None;
    ui.heading("How this shop stands");
    ui.label("Every line is measured from this shop's own data and rules, today. Each card links to where it can be put right.");
    ui.add_space(6.0);
    egui::ScrollArea::vertical()
        .id_salt("scorecard")
        .show(ui, |ui| {
            let columns = if ui.available_width() > 900.0 { 2 } else { 1 };
            ui.columns(columns, |cols| {
                for (i, card) in cards.iter().enumerate() {
                    let ui = &mut cols[i % columns];
                    egui::Frame::group(ui.style())
                        .stroke(egui::Stroke::new(1.5, colour(card.standing)))
                        .show(ui, |ui| {
                            ui.set_width(ui.available_width());
                            ui.horizontal(|ui| {
                                ui.strong(&card.label);
                                ui.colored_label(
                                    colour(card.standing),
                                    RichText::new(card.standing.label()).strong(),
                                );
                            });
                            for f in &card.facts {
                                let text = RichText::new(format!("• {}", f.text));
                                if f.concern {
                                    ui.colored_label(colour(card.standing), text);
                                } else {
                                    ui.label(text);
                                }
                            }
                            ui.push_id(&card.principle, |ui| {
                                ui.horizontal(|ui| {
                                    if ui.small_button(View::open_label(card.place)).clicked() {
                                        go = Some(ScorecardAction::Open(card.place));
                                    }
                                });
                            });
                        });
                    ui.add_space(6.0);
                }
            });
        });
    go
}
