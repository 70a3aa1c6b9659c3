//! The wizard's "What each status means": the status values found at the start of a file
//! that no preset knows, each with what it makes of its order, for staff to confirm.

use std::collections::HashMap;

use egui::{RichText, Ui};

use crate::import::mapping::{Columns, Mapping, Role};
use crate::import::source::Table;
use crate::import::statuses::StatusMeaning;

/// The most values listed per status column.
const MOST_VALUES: usize = 40;

/// Status values found per column, read from the file's start once.
#[derive(Default)]
pub struct StatusValues(HashMap<String, Vec<String>>);

impl StatusValues {
    fn of(&mut self, table: &Table, column: &str) -> &[String] {
        self.0
            .entry(column.to_owned())
            .or_insert_with(|| table.distinct_values(column, MOST_VALUES))
    }
}

/// For each status column the mapping reads, its values and what each means.
pub fn statuses_ui(ui: &mut Ui, m: &mut Mapping, table: &Table, values: &mut StatusValues) {
    let mut listed = 0;
    for role in [Role::Status, Role::PaymentStatus] {
        let Some(Columns::One(column)) = m.columns.get(&role).cloned() else {
            continue;
        };
        // One column read as both (BigCommerce's Order Status): listed once, as the order's.
        if role == Role::PaymentStatus
            && m.columns.get(&Role::Status) == Some(&Columns::One(column.clone()))
        {
            continue;
        }
        ui.add_space(4.0);
        ui.label(
            RichText::new(format!("What each {} means (column {column})", noun(role))).strong(),
        );
        if m.any_status_means_cancelled(role) {
            ui.label(format!(
                "Any value in {column} means the order was cancelled: it is left out."
            ));
            continue;
        }
        let found = values.of(table, &column).to_vec();
        if found.is_empty() {
            ui.label(format!("{column} is blank in the rows read so far."));
            continue;
        }
        egui::Grid::new(("import-statuses", role))
            .num_columns(2)
            .show(ui, |ui| {
                for value in &found {
                    meaning_ui(ui, m, role, value);
                    ui.end_row();
                }
            });
        ui.label(RichText::new(further_down(m, role, &column)).weak());
        listed += 1;
    }
    if listed == 2 {
        ui.label("An order is left out when either column says it was not a sale.");
    }
    ui.add_space(4.0);
}

/// What values of `column` not listed above (further down the file) mean, from the
/// mapping's own lists.
fn further_down(m: &Mapping, role: Role, column: &str) -> String {
    let (not_sales, partly) = m.status_lists(role);
    let mut parts = Vec::new();
    if !not_sales.is_empty() {
        parts.push(format!("{} are not sales", not_sales.join(", ")));
    }
    if !partly.is_empty() {
        parts.push(format!("{} are partly refunded", partly.join(", ")));
    }
    if m.return_statuses.is_empty() {
        parts.push("any other value is a sale".to_owned());
    } else {
        parts.push(format!(
            "{} are returns; any other value is a sale",
            m.return_statuses.join(", ")
        ));
    }
    format!(
        "Further down the file, in {column}: {} (capitals, _ and - do not matter).",
        parts.join("; ")
    )
}

fn noun(role: Role) -> &'static str {
    if role == Role::PaymentStatus {
        "payment status"
    } else {
        "order status"
    }
}

/// One value and the chooser of what it means.
fn meaning_ui(ui: &mut Ui, m: &mut Mapping, role: Role, value: &str) {
    let label = ui.label(value);
    let current = m.status_meaning(role, value);
    let mut chosen = current;
    egui::ComboBox::from_id_salt(("import-status-meaning", role, value))
        .selected_text(current.label())
        .width(260.0)
        .show_ui(ui, |ui| {
            for meaning in StatusMeaning::ALL {
                ui.selectable_value(&mut chosen, meaning, meaning.label());
            }
        })
        .response
        .labelled_by(label.id);
    if chosen != current {
        m.set_status_meaning(role, value, chosen);
    }
}
