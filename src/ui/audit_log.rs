//! The audit log: every applied change with who, when, why and before/after values,
//! filterable by actor, date, rule, customer and kind, exportable as CSV or a printable
//! page, each with an Undo button.

use egui::{RichText, Ui};

use super::theme;
use crate::engine::model::{CustomerId, Shop};
use crate::session::log_filter::{EntryKind, LogFilter};
use crate::store::LogEntry;

/// What the audit log view asks for.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogAction {
    /// Undo this entry (simulated first; an import after asking who and why).
    Undo(i64),
    /// Save the entries shown as a CSV file.
    ExportCsv,
    /// Save the entries shown as a printable page, and open it.
    ExportPage,
}

/// Filters and the entries on show.
#[derive(Default)]
pub struct AuditLogView {
    actor: String,
    date: String,
    rule: String,
    /// A customer's number, or part of their name.
    customer: String,
    kind: Option<EntryKind>,
}

/// Who the customer filter names.
enum CustomerChoice {
    /// No customer filter.
    Anyone,
    /// This customer.
    One(CustomerId),
    /// Nobody, or several people: the words say which.
    Unclear(String),
}

impl AuditLogView {
    /// The filter as set, read against the shop's customers; `Err` says why the customer
    /// field names no one customer.
    pub fn filter(&self, shop: &Shop) -> Result<LogFilter, String> {
        let customer = match self.customer_choice(shop) {
            CustomerChoice::Anyone => None,
            CustomerChoice::One(id) => Some(id),
            CustomerChoice::Unclear(why) => return Err(why),
        };
        Ok(LogFilter {
            actor: self.actor.clone(),
            date: self.date.clone(),
            rule: self.rule.clone(),
            customer,
            kind: self.kind,
        })
    }

    fn customer_choice(&self, shop: &Shop) -> CustomerChoice {
        let text = self.customer.trim();
        if text.is_empty() {
            return CustomerChoice::Anyone;
        }
        if let Ok(id) = text.parse::<CustomerId>() {
            return CustomerChoice::One(id);
        }
        let needle = text.to_lowercase();
        let found: Vec<CustomerId> = shop
            .customers
            .iter()
            .filter(|c| c.display_name().to_lowercase().contains(&needle))
            .map(|c| c.id)
            .collect();
        match found.as_slice() {
            [one] => CustomerChoice::One(*one),
            [] => CustomerChoice::Unclear(format!("No customer is called \u{201c}{text}\u{201d}.")),
            many => CustomerChoice::Unclear(format!(
                "{} match \u{201c}{text}\u{201d}: type more of the name, or the customer's number.",
                crate::engine::words::customers(many.len())
            )),
        }
    }

    /// Draws `entries` (oldest first, as last read); returns what the person asked for.
    /// `owner` is true when the owner is using the window (only they may undo rule changes).
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        entries: &[LogEntry],
        shop: &Shop,
        owner: bool,
    ) -> Option<LogAction> {
        let mut action = None;
        ui.horizontal(|ui| {
            ui.heading("Audit log");
            if ui
                .button("Export CSV…")
                .on_hover_text("Saves the entries shown as a spreadsheet file.")
                .clicked()
            {
                action = Some(LogAction::ExportCsv);
            }
            if ui
                .button("Export page…")
                .on_hover_text(
                    "Saves the entries shown as a printable page and opens it in your browser.",
                )
                .clicked()
            {
                action = Some(LogAction::ExportPage);
            }
        });
        ui.label(
            "Every change applied to this shop: who, when, why, and each value before and after.",
        );
        ui.horizontal_wrapped(|ui| self.filters_ui(ui));
        ui.separator();
        let filter = match self.filter(shop) {
            Ok(filter) => filter,
            Err(why) => {
                ui.colored_label(theme::FLAG, why);
                return action;
            }
        };
        let newest = entries.iter().map(|e| e.id).max();
        let undone = crate::store::undone_entries(entries);
        let shown: Vec<&LogEntry> = entries.iter().rev().filter(|e| filter.matches(e)).collect();
        if shown.is_empty() {
            ui.label(if entries.is_empty() {
                "No changes have been applied to this shop yet."
            } else {
                "No entry matches these filters."
            });
        }
        egui::ScrollArea::vertical()
            .id_salt("audit-log")
            .show(ui, |ui| {
                for e in shown {
                    egui::Frame::group(ui.style()).show(ui, |ui| {
                        ui.set_width(ui.available_width());
                        let state = EntryState {
                            newest: newest == Some(e.id),
                            undone_by: undone.get(&e.id).copied(),
                            owner,
                        };
                        let asked = ui.horizontal(|ui| entry_header_ui(ui, e, &state)).inner;
                        action = action.or(asked.map(LogAction::Undo));
                        entry_body_ui(ui, e, shop);
                    });
                }
            });
        action
    }

    /// The who, when, rule, customer and kind filters.
    fn filters_ui(&mut self, ui: &mut Ui) {
        for (label, value, hint) in [
            ("Who", &mut self.actor, "name"),
            ("When", &mut self.date, "2026-11 or 2026-11-23"),
            ("Rule", &mut self.rule, "rule id"),
            ("Customer", &mut self.customer, "number or name"),
        ] {
            let l = ui.label(label);
            ui.add(
                egui::TextEdit::singleline(value)
                    .hint_text(hint)
                    .desired_width(130.0),
            )
            .labelled_by(l.id);
        }
        let l = ui.label("Kind");
        egui::ComboBox::from_id_salt("log-kind")
            .selected_text(self.kind.map_or("All kinds", EntryKind::label))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut self.kind, None, "All kinds");
                for k in EntryKind::ALL {
                    ui.selectable_value(&mut self.kind, Some(k), k.label());
                }
            })
            .response
            .labelled_by(l.id);
    }
}

/// Where an entry stands: whether it is the newest, which entry undid it, and whether the
/// owner is looking.
struct EntryState {
    newest: bool,
    undone_by: Option<i64>,
    owner: bool,
}

/// An entry's number, time, author and what it undoes, with its undo button; returns the
/// entry to undo when the button is clicked.
fn entry_header_ui(ui: &mut Ui, e: &LogEntry, state: &EntryState) -> Option<i64> {
    let mut undo = None;
    ui.strong(format!("Entry {}", e.id));
    ui.label(format!(
        "{} · {}",
        e.at.get(..19).unwrap_or(&e.at).replace('T', " "),
        e.actor
    ));
    if let Some(u) = e.undoes {
        ui.label(RichText::new(format!("undoes entry {u}")).color(theme::MUTED));
    }
    if let Some(by) = state.undone_by {
        ui.label(RichText::new(format!("undone by entry {by}")).color(theme::FLAG));
        return None;
    }
    let changes: Vec<_> = e.changes.iter().map(|a| a.change.clone()).collect();
    let allowed = state.owner || !crate::access::needs_owner(&changes);
    let owners_only = "Only the owner can undo changes to the rules, purposes, retention periods, settings or prices: switch to owner in the menu bar.";
    if state.newest
        && e.event.as_ref().is_some_and(|ev| ev.kind == "import")
        && ui
            .add_enabled(allowed, egui::Button::new("Undo this import"))
            .on_hover_text(
                "Restores the copy of the shop kept from before this import, and records that it was taken back. Possible while the import is the newest entry.",
            )
            .on_disabled_hover_text(owners_only)
            .clicked()
    {
        undo = Some(e.id);
    }
    if e.event.is_none()
        && ui
            .add_enabled(allowed, egui::Button::new(format!("Undo entry {}", e.id)))
            .on_hover_text("Simulates reversing this entry first: its effect on the shop and the audit show beside the log, and nothing is saved until you apply it.")
            .on_disabled_hover_text(owners_only)
            .clicked()
    {
        undo = Some(e.id);
    }
    undo
}

/// The entry as a sentence (who did what, why, and what it changed), with its values
/// before and after one click away.
fn entry_body_ui(ui: &mut Ui, e: &LogEntry, shop: &crate::engine::model::Shop) {
    ui.add(egui::Label::new(crate::session::log_text::entry_sentence(e, shop)).wrap());
    let details: Vec<String> = e
        .changes
        .iter()
        // The window's font has no arrow.
        .map(|a| {
            format!(
                "{}: {}",
                a.change.kind(),
                a.values_text().replace('→', "->")
            )
        })
        .chain(e.event.iter().map(|ev| ev.detail.clone()))
        .collect();
    if details.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(RichText::new("Values before and after").small())
        .id_salt(("log-values", e.id))
        .show(ui, |ui| {
            for line in details {
                ui.label(RichText::new(line).small().color(theme::MUTED));
            }
        });
}

/// What the who-and-why dialog is about to do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum WhoWhyFor {
    /// Apply the scenario.
    #[default]
    Apply,
    /// Undo an audit-log entry.
    Undo(i64),
    /// Export a customer's data into a folder.
    Export(i64, std::path::PathBuf),
    /// Erase a customer.
    Erase(i64),
    /// Delete everything past its retention period.
    Purge,
    /// Show one customer's masked data in full.
    Reveal(i64),
    /// Write every customer's recommendations into a file (products per customer, and
    /// only those who agreed to email when `true`).
    ExportRecommendations(std::path::PathBuf, usize, bool),
    /// Put the backup at this path back in the shop's place.
    Restore(std::path::PathBuf),
}

/// The who-and-why dialog shown before anything that writes to the shop or its log.
#[derive(Default)]
pub struct WhoWhy {
    /// Who is doing it.
    pub actor: String,
    /// Why.
    pub reason: String,
    /// What it is for.
    pub purpose: WhoWhyFor,
}

impl WhoWhy {
    /// Asks who is exporting `customer`'s data into `dir`, for a subject access request.
    pub fn export(actor: &str, customer: i64, dir: std::path::PathBuf) -> Self {
        Self {
            actor: actor.to_owned(),
            reason: "subject access request".to_owned(),
            purpose: WhoWhyFor::Export(customer, dir),
        }
    }
}

/// What the dialog decided.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// Still open.
    Open,
    /// Go ahead.
    Confirm,
    /// Closed without doing anything.
    Cancel,
    /// Add this name to the staff list (the dialog stays open, with the name chosen).
    AddName(String),
}

impl WhoWhy {
    /// Draws the dialog.
    pub fn ui(&mut self, ctx: &egui::Context, summary: &str, staff: &StaffChoice) -> Decision {
        let mut decision = Decision::Open;
        egui::Modal::new(egui::Id::unique("who-why")).show(ctx, |ui| {
            ui.set_width(440.0);
            ui.heading(match &self.purpose {
                WhoWhyFor::Apply => "Apply the scenario".to_owned(),
                WhoWhyFor::Undo(e) => format!("Undo entry {e}"),
                WhoWhyFor::Export(c, _) => format!("Export the data of customer {c}"),
                WhoWhyFor::Erase(c) => format!("Erase customer {c}"),
                WhoWhyFor::Purge => "Purge data past its retention period".to_owned(),
                WhoWhyFor::Reveal(c) => format!("Reveal the data of customer {c}"),
                WhoWhyFor::ExportRecommendations(..) => "Export recommendations".to_owned(),
                WhoWhyFor::Restore(_) => "Restore from a backup".to_owned(),
            });
            ui.label(summary);
            ui.add_space(6.0);
            let l = ui.label(match self.purpose {
                WhoWhyFor::Export(..) | WhoWhyFor::ExportRecommendations(..) => {
                    "Who is exporting this?"
                }
                WhoWhyFor::Erase(_) => "Who is erasing this customer?",
                WhoWhyFor::Purge => "Who is purging?",
                WhoWhyFor::Reveal(_) => "Who is looking?",
                WhoWhyFor::Restore(_) => "Who is restoring?",
                _ => "Who is applying this?",
            });
            if staff.names.is_empty() {
                ui.add(egui::TextEdit::singleline(&mut self.actor).desired_width(f32::INFINITY))
                    .labelled_by(l.id);
            } else if let Some(name) = staff_picker(ui, &mut self.actor, staff, l.id) {
                decision = Decision::AddName(name);
            }
            let l = ui.label("Why? (kept in the audit log)");
            ui.add(
                egui::TextEdit::multiline(&mut self.reason)
                    .desired_rows(2)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(l.id);
            ui.horizontal(|ui| {
                let named =
                    staff.names.is_empty() || staff.names.iter().any(|n| n == self.actor.trim());
                let ready =
                    named && !self.actor.trim().is_empty() && !self.reason.trim().is_empty();
                let label = match self.purpose {
                    WhoWhyFor::Apply => "Apply now",
                    WhoWhyFor::Undo(_) => "Undo now",
                    WhoWhyFor::Export(..) | WhoWhyFor::ExportRecommendations(..) => "Export now",
                    WhoWhyFor::Erase(_) => "Erase now",
                    WhoWhyFor::Purge => "Purge now",
                    WhoWhyFor::Reveal(_) => "Reveal",
                    WhoWhyFor::Restore(_) => "Restore now",
                };
                if ui.add_enabled(ready, egui::Button::new(label)).clicked() {
                    decision = Decision::Confirm;
                }
                if ui.button("Cancel").clicked() {
                    decision = Decision::Cancel;
                }
            });
        });
        decision
    }
}

/// The staff list as the who-and-why dialog offers it.
pub struct StaffChoice<'a> {
    /// The names to choose from (none: the name is typed freely).
    pub names: &'a [String],
    /// Whether a newcomer may add their name here.
    pub can_add: bool,
}

/// Staff pick their name from the shop's list (the chooser labelled by `label`); a name
/// not on it is added first (logged). Returns a name to add, when asked.
fn staff_picker(
    ui: &mut egui::Ui,
    actor: &mut String,
    staff: &StaffChoice,
    label: egui::Id,
) -> Option<String> {
    let id = ui.scope_id().with("staff-name-being-added");
    let mut adding: String = ui.data_mut(|d| d.get_temp(id)).unwrap_or_default();
    staff_name_choice(ui, actor, staff.names, label);
    if !staff.can_add {
        return None;
    }
    let mut add = None;
    ui.horizontal(|ui| {
        let l = ui.label("Not on the list?");
        ui.add(
            egui::TextEdit::singleline(&mut adding)
                .hint_text("your name")
                .desired_width(180.0),
        )
            .labelled_by(l.id);
        if ui
            .add_enabled(!adding.trim().is_empty(), egui::Button::new("Add my name"))
            .on_hover_text("Adds your name to this shop's staff list; the addition is recorded in the audit log.")
            .clicked()
        {
            add = Some(adding.trim().to_owned());
            *actor = adding.trim().to_owned();
            adding.clear();
        }
    });
    ui.data_mut(|d| d.insert_temp(id, adding));
    add
}

/// The staff list as a choice labelled by `label` (the question beside it): `actor`
/// becomes the name chosen (a name not on the list is cleared, so nobody acts under it by
/// accident).
pub(super) fn staff_name_choice(
    ui: &mut egui::Ui,
    actor: &mut String,
    staff: &[String],
    label: egui::Id,
) {
    if !staff.iter().any(|n| n == actor.trim()) {
        actor.clear();
    }
    let shown = if actor.is_empty() {
        "Choose your name".to_owned()
    } else {
        actor.clone()
    };
    egui::ComboBox::from_id_salt("who-is-acting")
        .selected_text(shown)
        .width(ui.available_width().min(320.0))
        .show_ui(ui, |ui| {
            for name in staff {
                ui.selectable_value(actor, name.clone(), name);
            }
        })
        .response
        .labelled_by(label);
}
