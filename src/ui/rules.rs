//! The shop's personalization logic in words: every rule and every feature, with
//! controls that add changes to the scenario (never straight to the file).

use egui::{RichText, Ui};

use super::loader::Loaded;
use super::scenario::Scenario;
use super::theme;
use crate::engine::changes::Change;
use crate::engine::features::FeatureId;
use crate::engine::fields::PersonalField;
use crate::engine::rules::{MAX_WEIGHT, MIN_WEIGHT, Rule};

/// The JSON editor for changing or adding a rule.
#[derive(Default)]
pub struct RuleEditor {
    open: bool,
    text: String,
    error: Option<String>,
    highlight: Option<String>,
    highlight_reason: String,
    scroll_pending: bool,
    purpose_words: super::purposes::PurposeWords,
}

impl RuleEditor {
    /// Marks a rule to be highlighted and scrolled to the next time the view is drawn;
    /// `why` is shown above it (e.g. "Shown from the ethics audit").
    pub fn show_rule(&mut self, id: &str, why: &str) {
        self.highlight = Some(id.to_owned());
        why.clone_into(&mut self.highlight_reason);
        self.scroll_pending = true;
    }

    /// The rule highlighted in the view, if any.
    pub fn highlighted(&self) -> Option<&str> {
        self.highlight.as_deref()
    }

    fn edit(&mut self, rule: &Rule) {
        match serde_json::to_string_pretty(rule) {
            Ok(text) => {
                self.text = text;
                self.error = None;
            }
            Err(e) => {
                self.text.clear();
                self.error = Some(format!("This rule could not be shown for editing: {e}"));
            }
        }
        self.open = true;
    }

    fn ui(&mut self, ctx: &egui::Context, purposes: &[&str], proposed: &mut Vec<Change>) {
        if !self.open {
            return;
        }
        let mut open = self.open;
        egui::Window::new("Edit a rule").open(&mut open).default_width(520.0).show(ctx, |ui| {
            ui.label("Change the conditions, target, amount or reason, then add it to the scenario. The README lists every field.");
            ui.add(egui::TextEdit::multiline(&mut self.text).code_editor().desired_rows(18).desired_width(f32::INFINITY));
            if let Some(e) = &self.error {
                ui.colored_label(theme::NEGATIVE, e);
            }
            if ui.button("Add to scenario").clicked() {
                match serde_json::from_str::<Rule>(&self.text) {
                    Ok(rule) => match rule.validate(purposes) {
                        Ok(()) => {
                            proposed.push(Change::Rule { rule, position: None });
                            self.open = false;
                        }
                        Err(e) => self.error = Some(e.to_string()),
                    },
                    Err(e) => self.error = Some(format!("This is not a rule: {e}")),
                }
            }
        });
        self.open &= open;
    }
}

/// Draws the Rules view (with the scenario's pending values) and returns the changes it
/// proposes for the scenario.
#[must_use]
/// `details` shows each rule's id (off for staff by default, as in the Why? view; the
/// switch beside the heading sets it); the data each rule reads is always named in words.
pub fn rules_ui(
    ui: &mut Ui,
    shop: &Loaded,
    scenario: &Scenario,
    editor: &mut RuleEditor,
    details: &mut bool,
) -> Vec<Change> {
    let mut proposed = Vec::new();
    let purposes: Vec<&str> = shop
        .index
        .shop()
        .purposes
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    editor.ui(ui.ctx(), &purposes, &mut proposed);
    // Text wraps at the width shown, however narrow the lesson and scenario panels leave
    // it; only what cannot wrap (the purposes' and settings' tables) scrolls sideways.
    let visible = ui.available_width();
    egui::ScrollArea::both().id_salt("rules").show(ui, |ui| {
        ui.set_max_width(visible);
        ui.horizontal(|ui| {
            ui.heading("Rules");
            if ui.button("New rule…").clicked() {
                let mut template = shop.index.shop().rules.first().cloned().unwrap_or_else(blank_rule);
                template.id = "new-rule".to_owned();
                template.label = "New rule".to_owned();
                editor.edit(&template);
            }
            ui.checkbox(details, "Details")
                .on_hover_text("Show each rule's id (the name rule files and the command line use), and the scores on the customer page and in the scenario: one switch for both.");
        });
        ui.label("Each rule runs only for customers who agreed to its purpose and meet its conditions. Moving a slider or switch simulates the change; nothing is saved until you apply it.");
        ui.add_space(6.0);
        for row in &shop.rules {
            let r = &row.rule;
            let highlighted = editor.highlight.as_deref() == Some(r.id.as_str());
            let mut frame = egui::Frame::group(ui.style());
            if highlighted {
                frame = frame.stroke(egui::Stroke::new(2.0, theme::FLAG));
            }
            let shown = frame.show(ui, |ui| {
                ui.set_width(ui.available_width());
                if highlighted {
                    ui.colored_label(theme::FLAG, &editor.highlight_reason);
                }
                rule_card_ui(ui, row, shop, *details, &mut proposed);
                rule_controls_ui(ui, r, scenario, editor, &mut proposed);
            });
            if highlighted && editor.scroll_pending {
                shown.response.scroll_to_me(Some(egui::Align::TOP));
                editor.scroll_pending = false;
            }
        }
        ui.add_space(10.0);
        let shop_now = shop.index.shop();
        proposed.extend(super::purposes::purposes_ui(ui, shop_now, scenario, &mut editor.purpose_words));
        ui.add_space(10.0);
        ui.heading("Features");
        ui.label("Signals computed from a customer's records (or, for popularity, from all sales).");
        for f in FeatureId::all() {
            let fields: Vec<&str> = f.fields().iter().map(|x| x.in_words()).collect();
            ui.label(RichText::new(f.label()).strong());
            ui.label(format!(
                "{} Reads: {}.",
                f.definition(),
                if fields.is_empty() { "no personal data".to_owned() } else { crate::engine::words::and_list(&fields) }
            ));
        }
    });
    proposed
}

/// One rule in words: name, logic, purpose and data, reason and reach.
fn rule_card_ui(
    ui: &mut Ui,
    row: &crate::engine::overview::RuleRow,
    shop: &Loaded,
    details: bool,
    proposed: &mut Vec<Change>,
) {
    let r = &row.rule;
    ui.horizontal_wrapped(|ui| {
        ui.strong(&r.label);
        if details {
            ui.label(RichText::new(format!("({})", r.id)).color(theme::MUTED));
        }
        if !r.enabled {
            ui.colored_label(theme::FLAG, "switched off");
        }
    });
    if r.conditions.is_empty() {
        ui.label(format!(
            "For every customer who agreed, it {}.",
            row.effect_text
        ));
    } else {
        ui.label(format!(
            "When {}, it {}.",
            row.conditions_text, row.effect_text
        ));
    }
    let in_words: Vec<String> = row
        .fields
        .iter()
        .map(|key| match PersonalField::from_key(key) {
            Some(PersonalField::CustomerSince) => {
                "the date the customer's account was opened".to_owned()
            }
            Some(field) => format!("the customer's {}", field.in_words()),
            None => key.clone(),
        })
        .collect();
    let reads = if in_words.is_empty() {
        "no personal data".to_owned()
    } else {
        crate::engine::words::and_list(&in_words)
    };
    ui.label(format!(
        "Needs consent to \"{}\" · reads {reads}",
        row.purpose_label
    ));
    if let Some(field) = row
        .outside_purpose
        .as_deref()
        .and_then(PersonalField::from_key)
    {
        outside_purpose_ui(ui, shop.index.shop(), r, field, proposed);
    }
    ui.label(format!("Tells the customer: \"{}\"", r.reason));
    let customers = shop.index.shop().customers.len();
    ui.label(
        RichText::new(format!(
            "Runs for {} today.",
            crate::engine::words::of_customers(row.runs_for, customers)
        ))
        .color(theme::MUTED),
    );
}

/// The narrowest card that holds a rule's switch, weight slider and editor button on one
/// line.
const ONE_LINE_CONTROLS: f32 = 640.0;

/// A rule's switch, weight slider and editor button (the scenario's values shown).
fn rule_controls_ui(
    ui: &mut Ui,
    r: &Rule,
    scenario: &Scenario,
    editor: &mut RuleEditor,
    proposed: &mut Vec<Change>,
) {
    // One line where it fits; in a narrow window (a lesson or a scenario beside the
    // rules) one control under the other, since a slider does not wrap and would widen
    // every card after it past the window's edge.
    // (A row is `horizontal`, which is as tall as its controls: a left-to-right layout
    // centred vertically would take the whole height left and push the controls halfway
    // down the window.)
    let one_line = ui.available_width() >= ONE_LINE_CONTROLS;
    let lay_out = |ui: &mut Ui, add: &mut dyn FnMut(&mut Ui)| {
        if one_line {
            ui.horizontal(|ui| add(ui));
        } else {
            ui.vertical(|ui| add(ui));
        }
    };
    lay_out(ui, &mut |ui: &mut Ui| {
        let mut enabled = scenario.pending_enabled(&r.id).unwrap_or(r.enabled);
        let switch = format!("{}: {}", r.label, if enabled { "on" } else { "off" });
        if ui.checkbox(&mut enabled, switch).changed() {
            proposed.push(Change::RuleEnabled {
                rule: r.id.clone(),
                enabled,
            });
        }
        let current = scenario.pending_weight(&r.id).unwrap_or(r.weight);
        let mut weight = current;
        // Steps of 0.1 as people count them: 0.8, never 0.8000000000000007. The slider
        // snaps 0.3 to 0.30000000000000004, so only a different rounded value is a change.
        let mut moved = false;
        lay_out(ui, &mut |ui: &mut Ui| {
            let l = ui.label(format!("Weight of {}", r.label));
            let slider = egui::Slider::new(&mut weight, MIN_WEIGHT..=MAX_WEIGHT).step_by(0.1);
            moved = ui.add(slider).labelled_by(l.id).changed();
        });
        let rounded = (weight * 100.0).round() / 100.0;
        if moved && rounded != current {
            proposed.push(Change::RuleWeight {
                rule: r.id.clone(),
                weight: rounded,
            });
        }
        if ui.button(format!("Edit {}…", r.label)).clicked() {
            editor.edit(r);
        }
    });
}

/// The warning on a rule that reads a field its purpose does not cover, with the two
/// ways out: switch it off, or let the purpose cover the field (customers agreed to the
/// purpose's words, so its description should then say so too).
fn outside_purpose_ui(
    ui: &mut Ui,
    shop: &crate::engine::model::Shop,
    rule: &Rule,
    field: PersonalField,
    proposed: &mut Vec<Change>,
) {
    let Some(purpose) = shop.purpose(&rule.purpose) else {
        return;
    };
    ui.colored_label(
        theme::NEGATIVE,
        format!(
            "Runs for nobody: it reads the customer's {}, which \u{201c}{}\u{201d} does not cover (purpose limitation).",
            field.in_words(),
            purpose.label
        ),
    );
    if ui
        .button(format!("Simulate letting {} cover the {}", purpose.label, field.in_words()))
        .on_hover_text("Customers agreed to the purpose as it is described: change its words too, so they know.")
        .clicked()
    {
        let mut fields = purpose.fields.clone();
        fields.push(field);
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

fn blank_rule() -> Rule {
    Rule {
        id: "new-rule".to_owned(),
        label: "New rule".to_owned(),
        enabled: true,
        weight: 1.0,
        purpose: "personalization".to_owned(),
        conditions: Vec::new(),
        target: crate::engine::rules::Target::Any,
        amount: crate::engine::rules::Amount::Fixed { value: 1.0 },
        reason: "".to_owned(),
    }
}
