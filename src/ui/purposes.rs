//! The rest of the shop's logic an owner can change, on the Rules view: the consent
//! purposes (what customers are told, and which of their data each purpose covers),
//! how long each kind of data is kept, and the shop's settings. Every control adds a
//! change to the scenario; nothing is written until it is applied.

use egui::{RichText, Ui};
use serde_json::json;

use super::scenario::Scenario;
use super::theme;
use crate::engine::changes::Change;
use crate::engine::fields::{MAX_DAYS, PersonalField};
use crate::engine::model::{MAX_TOP_N, Purpose, Shop};

/// The fields a purpose can be said to cover: every field but the consent records.
const COVERABLE: [PersonalField; 9] = [
    PersonalField::Name,
    PersonalField::Email,
    PersonalField::Phone,
    PersonalField::Address,
    PersonalField::Postcode,
    PersonalField::BirthDate,
    PersonalField::Gender,
    PersonalField::CustomerSince,
    PersonalField::Orders,
];

/// The purpose whose words are being edited: its id and the text as typed.
#[derive(Default)]
pub struct PurposeWords {
    editing: Option<(String, String)>,
}

/// Draws the purposes, retention periods and settings; returns the changes asked for.
#[must_use]
pub fn purposes_ui(
    ui: &mut Ui,
    shop: &Shop,
    scenario: &Scenario,
    words: &mut PurposeWords,
) -> Vec<Change> {
    let mut proposed = Vec::new();
    ui.heading("Purposes");
    ui.label("What customers agree to. A rule may read only the data its purpose covers; a rule that reads anything else runs for nobody.");
    for purpose in &shop.purposes {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            purpose_ui(ui, purpose, scenario, words, &mut proposed);
        });
    }
    ui.add_space(10.0);
    retention_ui(ui, shop, scenario, &mut proposed);
    ui.add_space(10.0);
    settings_ui(ui, shop, scenario, &mut proposed);
    proposed
}

/// One purpose: its words (editable) and a checkbox per field it may cover.
fn purpose_ui(
    ui: &mut Ui,
    purpose: &Purpose,
    scenario: &Scenario,
    words: &mut PurposeWords,
    proposed: &mut Vec<Change>,
) {
    ui.horizontal(|ui| {
        ui.strong(&purpose.label);
        ui.label(RichText::new(format!("({})", purpose.id)).color(theme::MUTED));
    });
    let editing = words
        .editing
        .as_ref()
        .is_some_and(|(id, _)| *id == purpose.id);
    if editing {
        words_editor_ui(ui, purpose, words, proposed);
    } else {
        ui.label(format!(
            "Customers are told: \u{201c}{}\u{201d}",
            purpose.description
        ));
        if ui
            .button(format!("Change the words of {}…", purpose.label))
            .clicked()
        {
            words.editing = Some((purpose.id.clone(), purpose.description.clone()));
        }
    }
    let covered = scenario
        .pending_purpose_fields(&purpose.id)
        .unwrap_or(purpose.fields.as_slice())
        .to_vec();
    ui.horizontal_wrapped(|ui| {
        ui.label("Covers:");
        for field in COVERABLE {
            let mut on = covered.contains(&field);
            if ui.checkbox(&mut on, field.in_words()).changed() {
                let fields = COVERABLE
                    .into_iter()
                    .filter(|f| if *f == field { on } else { covered.contains(f) })
                    .collect();
                proposed.push(Change::Purpose {
                    purpose: purpose.id.clone(),
                    label: None,
                    description: None,
                    fields: Some(fields),
                    covered_since: None,
                    undone_at: None,
                });
            }
        }
    });
    for (field, since) in &purpose.covered_since {
        ui.label(
            RichText::new(format!(
                "Covers {} since {}: customers who agreed before agreed to words that did not cover it, so rules reading it do not run for them until they agree again.",
                field.in_words(),
                since.format("%-d %B %Y")
            ))
            .color(theme::MUTED),
        );
    }
}

/// The text field for a purpose's new words, with the buttons that add it or cancel.
fn words_editor_ui(
    ui: &mut Ui,
    purpose: &Purpose,
    words: &mut PurposeWords,
    proposed: &mut Vec<Change>,
) {
    let Some((_, text)) = words.editing.as_mut() else {
        return;
    };
    let l = ui.label(format!("What customers are told about {}", purpose.label));
    ui.add(
        egui::TextEdit::multiline(text)
            .desired_rows(2)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(l.id);
    let description = text.trim().to_owned();
    let mut done = false;
    ui.horizontal(|ui| {
        if ui
            .button(format!(
                "Add the words for {} to the scenario",
                purpose.label
            ))
            .clicked()
        {
            proposed.push(Change::Purpose {
                purpose: purpose.id.clone(),
                label: None,
                description: Some(description),
                fields: None,
                covered_since: None,
                undone_at: None,
            });
            done = true;
        }
        done |= ui.button("Cancel").clicked();
    });
    if done {
        words.editing = None;
    }
}

/// How long each kind of data may be kept after the customer's last order.
fn retention_ui(ui: &mut Ui, shop: &Shop, scenario: &Scenario, proposed: &mut Vec<Change>) {
    ui.heading("How long data is kept");
    ui.label("Days after the customer's last order; the ethics audit lists what is held longer, and the owner can delete it.");
    egui::Grid::new("retention").striped(true).show(ui, |ui| {
        for def in &shop.fields {
            let days = scenario
                .pending_retention(def.field)
                .unwrap_or(def.retention_days);
            ui.label(&def.label);
            let mut limited = days.is_some();
            let mut value = days.unwrap_or(365);
            let tick = ui.checkbox(
                &mut limited,
                format!(
                    "Limit how long the {} {} kept",
                    def.field.in_words(),
                    def.field.is_or_are()
                ),
            );
            let drag = ui.add_enabled(
                limited,
                egui::DragValue::new(&mut value)
                    .range(1..=MAX_DAYS)
                    .suffix(" days"),
            );
            if tick.changed() || drag.changed() {
                proposed.push(Change::FieldRetention {
                    field: def.field,
                    retention_days: limited.then_some(value),
                });
            }
            ui.end_row();
        }
    });
}

/// The settings an owner can change: list length and popularity.
fn settings_ui(ui: &mut Ui, shop: &Shop, scenario: &Scenario, proposed: &mut Vec<Change>) {
    let s = &shop.settings;
    let pending = |key: &str| scenario.pending_setting(key).cloned();
    ui.heading("Settings");
    egui::Grid::new("settings").show(ui, |ui| {
        let mut top_n = pending("top_n")
            .and_then(|v| v.as_u64())
            .map_or(s.top_n, |v| v as usize);
        let l = ui.label("Products recommended to each customer");
        if ui
            .add(egui::DragValue::new(&mut top_n).range(1..=MAX_TOP_N))
            .labelled_by(l.id)
            .changed()
        {
            proposed.push(setting("top_n", json!(top_n)));
        }
        ui.end_row();
        let mut weight = pending("popularity_weight")
            .and_then(|v| v.as_f64())
            .unwrap_or(s.popularity_weight);
        let l = ui.label("Weight of popularity");
        let slider = egui::Slider::new(&mut weight, -5.0..=5.0).step_by(0.1);
        if ui.add(slider).labelled_by(l.id).changed() {
            proposed.push(setting("popularity_weight", json!(weight)));
        }
        ui.end_row();
        let mut days = pending("popularity_days")
            .and_then(|v| v.as_i64())
            .unwrap_or(s.popularity_days);
        let l = ui.label("Popularity counts sales of the last");
        let drag = egui::DragValue::new(&mut days)
            .range(1..=MAX_DAYS)
            .suffix(" days");
        if ui.add(drag).labelled_by(l.id).changed() {
            proposed.push(setting("popularity_days", json!(days)));
        }
        ui.end_row();
        popularity_counts_ui(ui, s, pending("popularity_counts").as_ref(), proposed);
    });
}

/// What popularity counts: units sold, or the customers who bought.
fn popularity_counts_ui(
    ui: &mut Ui,
    s: &crate::engine::model::Settings,
    pending: Option<&serde_json::Value>,
    proposed: &mut Vec<Change>,
) {
    use crate::engine::model::PopularityCount;
    let now = pending
        .and_then(|v| v.as_str())
        .and_then(PopularityCount::from_code)
        .unwrap_or(s.popularity_counts);
    ui.label("Popularity counts");
    ui.horizontal(|ui| {
        for choice in [PopularityCount::Units, PopularityCount::Customers] {
            if ui.radio(now == choice, choice.text()).clicked() && now != choice {
                proposed.push(setting("popularity_counts", json!(choice.code())));
            }
        }
    });
    ui.end_row();
}

fn setting(key: &str, value: serde_json::Value) -> Change {
    Change::Setting {
        setting: key.to_owned(),
        value,
    }
}
