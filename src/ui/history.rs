//! The audit over time, on the Ethics audit view: one headline figure (premium parity by
//! age band first) after every applied change that kept its figures, and now, as a chart
//! and a table, so an owner sees whether the shop is getting fairer.

use std::sync::Arc;

use egui::{RichText, Ui};
use egui_plot::{HLine, Line, Plot, PlotPoints, Points};

use super::theme;
use crate::engine::audit::fairness::PARITY_THRESHOLD;
use crate::engine::audit::{Audit, figure_value_text, is_count};
use crate::session::history::{HEADLINE, HistoryPoint, audit_history};
use crate::store::LogEntry;

/// The chart's state: which figure it shows, and the history read from the log (kept
/// until the log or the audit changes, so a frame parses nothing).
pub struct HistoryView {
    figure: String,
    cached: Option<Cached>,
}

struct Cached {
    entries: usize,
    last_entry: Option<i64>,
    audit: Arc<Audit>,
    points: Arc<Result<Vec<HistoryPoint>, String>>,
}

impl Default for HistoryView {
    fn default() -> Self {
        Self {
            figure: HEADLINE[0].to_owned(),
            cached: None,
        }
    }
}

impl HistoryView {
    /// The key of the figure charted.
    pub fn figure(&self) -> &str {
        &self.figure
    }

    /// The history for this log and audit, read again only when either changed.
    fn points(
        &mut self,
        entries: &[LogEntry],
        audit: &Arc<Audit>,
    ) -> Arc<Result<Vec<HistoryPoint>, String>> {
        let last_entry = entries.last().map(|e| e.id);
        if let Some(c) = &self.cached
            && c.entries == entries.len()
            && c.last_entry == last_entry
            && Arc::ptr_eq(&c.audit, audit)
        {
            return Arc::clone(&c.points);
        }
        let points = Arc::new(
            audit_history(entries, audit)
                .map_err(|e| format!("An audit-log entry's figures cannot be read: {e}")),
        );
        self.cached = Some(Cached {
            entries: entries.len(),
            last_entry,
            audit: Arc::clone(audit),
            points: Arc::clone(&points),
        });
        points
    }

    /// Draws the figure chosen, over the shop's changes.
    pub fn ui(&mut self, ui: &mut Ui, entries: &[LogEntry], audit: &Arc<Audit>) {
        let mut figure = self.figure.clone();
        let history = self.points(entries, audit);
        let points = match history.as_ref() {
            Ok(points) => points,
            Err(e) => {
                ui.colored_label(theme::NEGATIVE, e);
                return;
            }
        };
        let Some(now) = points.last() else {
            return;
        };
        let label = |key: &str| {
            now.figures
                .iter()
                .find(|f| f.key == key)
                .map_or_else(|| key.to_owned(), |f| f.label.clone())
        };
        egui::ComboBox::from_label("Figure over time")
            .selected_text(label(&figure))
            .width(420.0)
            .show_ui(ui, |ui| {
                for f in &now.figures {
                    ui.selectable_value(&mut figure, f.key.clone(), &f.label);
                }
            });
        self.figure = figure;
        if points.len() < 2 {
            ui.label("No change has been applied with its audit figures kept yet: the chart starts with the next change applied.");
        }
        chart_ui(ui, points, &self.figure);
        table_ui(ui, points, &self.figure);
    }
}

/// A point's place on the chart's axis, in words: "entry 4" or "now".
fn point_name(p: &HistoryPoint) -> String {
    p.entry
        .map_or_else(|| "now".to_owned(), |e| format!("entry {e}"))
}

fn chart_ui(ui: &mut Ui, points: &[HistoryPoint], key: &str) {
    let values: Vec<[f64; 2]> = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some([i as f64, p.value(key)?]))
        .collect();
    let names: Vec<String> = points.iter().map(point_name).collect();
    let top = if is_count(key) { 1.0 } else { 1.05 };
    Plot::new("audit-history")
        .height(160.0)
        .include_y(top)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .include_y(0.0)
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            names.get(i as usize).cloned().unwrap_or_default()
        })
        .show(ui, |plot| {
            if key.starts_with("parity:") {
                plot.hline(
                    HLine::new("four-fifths rule of thumb", PARITY_THRESHOLD)
                        .color(theme::NEGATIVE)
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
            plot.line(Line::new("value", PlotPoints::from(values.clone())).color(theme::BASELINE));
            plot.points(
                Points::new("points", PlotPoints::from(values))
                    .radius(4.0)
                    .color(theme::FLAG),
            );
        });
}

fn table_ui(ui: &mut Ui, points: &[HistoryPoint], key: &str) {
    egui::Grid::new("audit-history-table")
        .striped(true)
        .show(ui, |ui| {
            for (i, p) in points.iter().enumerate().rev().take(8) {
                ui.label(point_name(p));
                ui.label(p.at.as_deref().and_then(|a| a.get(..10)).unwrap_or(""));
                ui.label(p.actor.as_deref().unwrap_or(""));
                ui.label(RichText::new(figure_value_text(key, p.value(key))).strong());
                ui.label(p.reason.as_deref().unwrap_or(""));
                match crate::session::history::groups_moved(points, i, key) {
                    Some(moved) => ui.colored_label(
                        theme::FLAG,
                        RichText::new(format!("Not like for like with the point before: {moved}"))
                            .small(),
                    ),
                    None => ui.label(""),
                };
                ui.end_row();
            }
        });
}
