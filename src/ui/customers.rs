//! The Customers table: searchable, sortable, virtualized. Filtering and sorting run
//! only when the search or sort changes, never per frame.

use egui::Ui;
use egui_extras::{Column, TableBuilder};

use crate::engine::overview::CustomerRow;

/// Columns the table can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SortBy {
    /// Customer number.
    #[default]
    Number,
    /// Name.
    Name,
    /// Number of orders.
    Orders,
    /// Last order date.
    LastOrder,
}

/// What the customers table asks for.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomersAction {
    /// Show the customer at this position in the snapshot.
    Select(usize),
    /// Export every customer's recommendations (the owner's dialog).
    ExportRecommendations,
    /// Record a person not yet in the shop.
    NewCustomer,
}

/// State of the Customers table.
#[derive(Default)]
pub struct CustomersView {
    search: String,
    sort: SortBy,
    descending: bool,
    /// Row positions shown, after filter and sort.
    shown: Vec<u32>,
    /// Whether the next frame starts the table at its first row (a new search or sort, or
    /// another shop).
    to_top: bool,
}

impl CustomersView {
    /// A view of every customer in number order.
    pub fn new(rows: &[CustomerRow]) -> Self {
        let mut view = Self::default();
        view.refresh(rows);
        view
    }

    /// Starts the table at its first row on the next frame.
    pub fn scroll_to_top(&mut self) {
        self.to_top = true;
    }

    /// Filters and sorts again, and starts at the top of the new results.
    fn refresh_from_top(&mut self, rows: &[CustomerRow]) {
        self.refresh(rows);
        self.scroll_to_top();
    }

    fn refresh(&mut self, rows: &[CustomerRow]) {
        let needle = self.search.trim().to_lowercase();
        self.shown = (0..rows.len() as u32)
            .filter(|&i| {
                let r = &rows[i as usize];
                needle.is_empty()
                    || r.name.to_lowercase().contains(&needle)
                    || r.email_masked.to_lowercase().contains(&needle)
                    || r.id.to_string() == needle
            })
            .collect();
        let key = |i: &u32| &rows[*i as usize];
        match self.sort {
            SortBy::Number => self.shown.sort_by_key(|i| key(i).id),
            SortBy::Name => self.shown.sort_by(|a, b| key(a).name.cmp(&key(b).name)),
            SortBy::Orders => self.shown.sort_by_key(|i| key(i).orders),
            SortBy::LastOrder => self.shown.sort_by_key(|i| key(i).last_order),
        }
        if self.descending {
            self.shown.reverse();
        }
    }

    /// Draws the table; returns what the person asked for (a customer to show).
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        rows: &[CustomerRow],
        selected: Option<usize>,
        export_refusal: Option<&str>,
    ) -> Option<CustomersAction> {
        ui.add_space(4.0);
        let mut export = false;
        let mut new_customer = false;
        ui.horizontal(|ui| {
            let label = ui.label("Search customers");
            let edit = ui.add(
                egui::TextEdit::singleline(&mut self.search)
                    .hint_text("name, email or number")
                    .desired_width(f32::INFINITY),
            );
            if edit.labelled_by(label.id).changed() {
                self.refresh_from_top(rows);
            }
        });
        ui.horizontal(|ui| {
            ui.label(
                egui::RichText::new(crate::engine::words::of_customers(
                    self.shown.len(),
                    rows.len(),
                ))
                .small()
                .color(super::theme::MUTED),
            );
            let button = ui.add_enabled(
                export_refusal.is_none(),
                egui::Button::new("Export recommendations…").small(),
            );
            export = match export_refusal {
                Some(why) => {
                    button.on_disabled_hover_text(why);
                    false
                }
                None => button.clicked(),
            };
            new_customer = ui
                .add(egui::Button::new("New customer…").small())
                .on_hover_text("Someone not yet in the shop: their details and each agreement asked on its own. Simulated first, like every change.")
                .clicked();
        });
        let mut chosen = None;
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        // Narrow panels (a scenario open beside) drop the email and consent columns, and
        // the narrowest (1024 pixels with a scenario open) the last order too, rather than
        // cut a column in half.
        let width = ui.available_width();
        let columns: Vec<(&str, Option<SortBy>)> = COLUMNS
            .into_iter()
            .filter(|(title, _)| width > 520.0 || !matches!(*title, "Email" | "Consent"))
            .filter(|(title, _)| width > 360.0 || *title != "Last order")
            .collect();
        let mut table = TableBuilder::new(ui).striped(true);
        if std::mem::take(&mut self.to_top) {
            table = table.vertical_scroll_offset(0.0).animate_scrolling(false);
        }
        for (title, _) in &columns {
            table = table.column(column_width(title));
        }
        table
            .header(22.0, |mut header| {
                for (title, sort) in &columns {
                    header.col(|ui| self.header_ui(ui, title, *sort, rows));
                }
            })
            .body(|body| {
                body.rows(row_height, self.shown.len(), |mut row| {
                    let pos = self.shown[row.index()] as usize;
                    row.set_selected(selected == Some(pos));
                    for (title, _) in &columns {
                        row.col(|ui| {
                            if cell_ui(ui, title, &rows[pos], selected == Some(pos)) {
                                chosen = Some(pos);
                            }
                        });
                    }
                });
            });
        if export {
            return Some(CustomersAction::ExportRecommendations);
        }
        if new_customer {
            return Some(CustomersAction::NewCustomer);
        }
        chosen.map(CustomersAction::Select)
    }

    /// A column's title, a button that sorts by it where it can be sorted.
    fn header_ui(&mut self, ui: &mut Ui, title: &str, sort: Option<SortBy>, rows: &[CustomerRow]) {
        let Some(sort) = sort else {
            ui.strong(title);
            return;
        };
        let arrow = match (self.sort == sort, self.descending) {
            (true, false) => " ^",
            (true, true) => " v",
            _ => "",
        };
        if ui.button(format!("{title}{arrow}")).clicked() {
            self.descending = self.sort == sort && !self.descending;
            self.sort = sort;
            self.refresh_from_top(rows);
        }
    }
}

/// The table's columns and what each sorts by.
const COLUMNS: [(&str, Option<SortBy>); 6] = [
    ("No.", Some(SortBy::Number)),
    ("Name", Some(SortBy::Name)),
    ("Email", None),
    ("Orders", Some(SortBy::Orders)),
    ("Last order", Some(SortBy::LastOrder)),
    ("Consent", None),
];

/// How wide a column may be.
fn column_width(title: &str) -> Column {
    match title {
        "No." | "Orders" => Column::auto().at_least(48.0),
        "Name" => Column::auto().at_least(130.0).clip(true),
        "Email" => Column::auto().at_least(150.0).clip(true),
        "Last order" => Column::auto().at_least(84.0),
        _ => Column::remainder().at_least(90.0).clip(true),
    }
}

/// One cell of a customer's row; true when their name was clicked.
fn cell_ui(ui: &mut Ui, title: &str, r: &CustomerRow, selected: bool) -> bool {
    match title {
        "No." => ui.label(r.id.to_string()),
        "Name" => {
            return ui
                .selectable_label(selected, &r.name)
                .on_hover_text(&r.email_masked)
                .clicked();
        }
        "Email" => ui.label(&r.email_masked),
        "Orders" => ui.label(r.orders.to_string()),
        "Last order" => ui.label(r.last_order.map(|d| d.to_string()).unwrap_or_default()),
        _ => ui.label(&r.consent),
    };
    false
}
