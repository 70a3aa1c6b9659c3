//! The scenario: pending changes that are simulated, never saved, until applied. Holds
//! the running simulation (off the UI thread, cancellable) and draws its effect on the
//! chosen customer and on the whole shop.
//!
//! A simulation runs in two parts: first every customer's list and the whole-shop impact
//! (shown as soon as they are known, so a weight slider's effect follows the drag), then
//! the ethics audit and the relevance before and after. Any new change cancels both.

use std::sync::Arc;

use egui::{RichText, Ui};
use egui_plot::{Bar, BarChart, Legend, Plot};

use super::jobs::Job;
use super::loader::Loaded;
use super::theme;
use crate::engine::audit::fairness::Status;
use crate::engine::audit::{Audit, AuditConfig, FigureChange};
use crate::engine::changes::Change;
use crate::engine::explain::{Explanation, Recommendation};
use crate::engine::simulate::{
    BeforeAfter, Impact, Lists, ShareChange, SimulateError, customer_before_after,
};
pub use crate::session::simulate::Outcome;
use crate::session::simulate::{FollowUp, Preview, Request, complete, preview, progress_total};

/// What the user asked for in the scenario panel or its banner.
#[must_use]
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum ScenarioAction {
    /// Open the apply dialog.
    Apply,
    /// Take out the pending change at this position.
    Remove(usize),
    /// Drop every pending change.
    Discard,
}

/// Pending changes and their simulation.
#[derive(Default)]
pub struct Scenario {
    changes: Vec<Change>,
    /// The audit-log entry these changes undo, when the scenario is a simulated undo.
    undoes: Option<i64>,
    /// The first part running: every customer's list and the impact.
    job: Option<Job<Result<(Preview, FollowUp), SimulateError>>>,
    /// The first part's result, shown while the second part runs.
    preview: Option<Arc<Preview>>,
    /// The second part running: the audit and the relevance before and after.
    follow_job: Option<Job<Result<Outcome, SimulateError>>>,
    outcome: Option<Arc<Outcome>>,
    error: Option<String>,
    before_lists: Option<Arc<Lists>>,
    relevance_before: Option<Arc<crate::engine::relevance::Hindsight>>,
    dirty: bool,
    customer_effect: Option<(usize, Explanation, Explanation)>,
    /// The audit settings the before-and-after audit uses.
    pub audit_config: AuditConfig,
    /// The audit before, when already computed with those settings.
    pub audit_before: Option<Arc<Audit>>,
    show_all_figures: bool,
}

impl Scenario {
    /// The pending changes, in order.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// Whether there is nothing pending.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The audit-log entry the scenario undoes, when it is a simulated undo.
    pub fn undoes(&self) -> Option<i64> {
        self.undoes
    }

    /// Makes the scenario the undo of entry `entry`: the changes that reverse it, simulated
    /// like any other before they are applied.
    pub fn start_undo(&mut self, entry: i64, changes: Vec<Change>) {
        self.changes = changes;
        self.undoes = Some(entry);
        self.invalidate();
    }

    /// Adds a change, replacing a pending one that sets the same thing. A simulated undo
    /// with a change added is no longer that entry's undo, only changes.
    pub fn push(&mut self, change: Change) {
        self.undoes = None;
        match self.changes.iter_mut().find(|c| c.sets_same_as(&change)) {
            Some(existing) => *existing = change,
            None => self.changes.push(change),
        }
        self.invalidate();
    }

    /// Removes the change at `index`.
    pub fn remove(&mut self, index: usize) {
        if index < self.changes.len() {
            self.undoes = None;
            self.changes.remove(index);
            self.invalidate();
        }
    }

    /// Drops every pending change.
    pub fn clear(&mut self) {
        self.changes.clear();
        self.undoes = None;
        self.invalidate();
    }

    /// Forgets the outcome at once (it no longer matches the changes) and asks for a
    /// new simulation on the next frame.
    fn invalidate(&mut self) {
        self.preview = None;
        self.outcome = None;
        self.error = None;
        self.customer_effect = None;
        self.dirty = true;
    }

    /// Forgets results computed for another snapshot (after opening or applying).
    pub fn rebase(&mut self) {
        self.before_lists = None;
        self.relevance_before = None;
        self.audit_before = None;
        self.dirty = true;
    }

    /// Sets the audit settings (re-simulating when they change) and the audit before, if known.
    pub fn set_audit(&mut self, config: AuditConfig, before: Option<Arc<Audit>>) {
        if config != self.audit_config {
            self.audit_config = config;
            self.audit_before = None;
            if !self.changes.is_empty() {
                self.invalidate();
            }
        }
        if before.is_some() {
            self.audit_before = before;
        }
    }

    /// The weight a rule has in the scenario, if the scenario changes it.
    pub fn pending_weight(&self, rule: &str) -> Option<f64> {
        self.changes.iter().rev().find_map(|c| match c {
            Change::RuleWeight { rule: r, weight } if r == rule => Some(*weight),
            _ => None,
        })
    }

    /// The fields a purpose covers in the scenario, if the scenario changes them.
    pub fn pending_purpose_fields(
        &self,
        purpose: &str,
    ) -> Option<&[crate::engine::fields::PersonalField]> {
        self.changes.iter().rev().find_map(|c| match c {
            Change::Purpose {
                purpose: p,
                fields: Some(fields),
                ..
            } if p == purpose => Some(fields.as_slice()),
            _ => None,
        })
    }

    /// A field's retention period in the scenario, if the scenario changes it.
    pub fn pending_retention(
        &self,
        field: crate::engine::fields::PersonalField,
    ) -> Option<Option<i64>> {
        self.changes.iter().rev().find_map(|c| match c {
            Change::FieldRetention {
                field: f,
                retention_days,
            } if *f == field => Some(*retention_days),
            _ => None,
        })
    }

    /// A setting's value in the scenario, if the scenario changes it.
    pub fn pending_setting(&self, setting: &str) -> Option<&serde_json::Value> {
        self.changes.iter().rev().find_map(|c| match c {
            Change::Setting { setting: s, value } if s == setting => Some(value),
            _ => None,
        })
    }

    /// Whether a rule is on in the scenario, if the scenario changes it.
    pub fn pending_enabled(&self, rule: &str) -> Option<bool> {
        self.changes.iter().rev().find_map(|c| match c {
            Change::RuleEnabled { rule: r, enabled } if r == rule => Some(*enabled),
            _ => None,
        })
    }

    /// The finished simulation, if any.
    pub fn outcome(&self) -> Option<&Arc<Outcome>> {
        self.outcome.as_ref()
    }

    /// The error the last simulation ended with, if it did not finish.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The first part of the simulation (lists and impact), once known.
    pub fn preview(&self) -> Option<&Arc<Preview>> {
        self.preview.as_ref()
    }

    /// Whether a simulation is running (either part).
    pub fn is_running(&self) -> bool {
        self.job.is_some() || self.follow_job.is_some()
    }

    /// Starts or collects the simulation; call once per frame.
    pub fn poll(&mut self, shop: &Loaded, ctx: &egui::Context) {
        if self.dirty {
            self.dirty = false;
            if let Some(job) = self.job.take() {
                job.cancel();
            }
            if let Some(job) = self.follow_job.take() {
                job.cancel();
            }
            self.preview = None;
            self.outcome = None;
            self.error = None;
            self.customer_effect = None;
            if !self.changes.is_empty() {
                self.start(shop, ctx);
            }
        }
        if let Some(result) = self.job.as_ref().and_then(Job::poll) {
            self.job = None;
            if let Some((preview, follow_up)) = self.take_result(result) {
                self.before_lists = Some(Arc::clone(&preview.before_lists));
                let preview = Arc::new(preview);
                self.preview = Some(Arc::clone(&preview));
                self.start_follow_up(preview, follow_up, ctx);
            }
        }
        if let Some(result) = self.follow_job.as_ref().and_then(Job::poll) {
            self.follow_job = None;
            if let Some(outcome) = self.take_result(result) {
                self.relevance_before = Some(Arc::clone(&outcome.relevance_before));
                self.outcome = Some(Arc::new(outcome));
            }
        }
        if self.is_running() {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
    }

    /// A part's value, or `None` with the error kept to show (nothing for a cancelled one).
    fn take_result<T>(&mut self, result: Result<Result<T, SimulateError>, String>) -> Option<T> {
        match result {
            Ok(Ok(value)) => Some(value),
            Ok(Err(SimulateError::Cancelled)) => None,
            Ok(Err(e)) => {
                self.error = Some(e.to_string());
                None
            }
            Err(crash) => {
                self.error = Some(crash);
                None
            }
        }
    }

    /// Starts the second part: the audit and the relevance before and after.
    fn start_follow_up(&mut self, preview: Arc<Preview>, follow_up: FollowUp, ctx: &egui::Context) {
        let ctx = ctx.clone();
        self.follow_job = Some(Job::spawn(
            0,
            move || ctx.request_repaint(),
            move |progress| complete(preview, follow_up, progress),
        ));
    }

    fn start(&mut self, shop: &Loaded, ctx: &egui::Context) {
        let config = self.audit_config.clone();
        let request = Request {
            basis: Arc::clone(&shop.index),
            head: shop.head.clone(),
            changes: self.changes.clone(),
            before_lists: self
                .before_lists
                .clone()
                .or_else(|| (shop.lists.len() == shop.rows.len()).then(|| Arc::clone(&shop.lists))),
            audit_before: self
                .audit_before
                .clone()
                .filter(|a| a.config == config)
                .or_else(|| (shop.audit.config == config).then(|| Arc::clone(&shop.audit))),
            audit_config: config,
            relevance_before: self.relevance_before.clone(),
        };
        let ctx = ctx.clone();
        self.job = Some(Job::spawn(
            progress_total(&request),
            move || ctx.request_repaint(),
            move |progress| preview(request, progress),
        ));
    }

    /// Draws the banner that says nothing is saved yet.
    /// `refusal` says why it cannot be applied now (read-only file, or a staff member
    /// with changes to the rules), if it cannot.
    pub fn banner_ui(&self, ui: &mut Ui, refusal: Option<&str>) -> Option<ScenarioAction> {
        let mut action = None;
        // Wrapped, and the buttons before the reason, so a narrow window never pushes
        // "Discard all" past its edge.
        ui.horizontal_wrapped(|ui| {
            let pending = crate::engine::words::count(self.changes.len(), "change", "changes");
            let what = match self.undoes {
                Some(entry) => format!("Simulation: the undo of entry {entry} ({pending})."),
                None => format!("Simulation: {pending} pending."),
            };
            ui.colored_label(
                theme::FLAG,
                RichText::new(format!("{what} Nothing is saved yet.")).strong(),
            );
            let ready = self.outcome.is_some() && refusal.is_none();
            if ui
                .add_enabled(ready, egui::Button::new("Apply…"))
                .on_disabled_hover_text(refusal.unwrap_or(
                    "Available once the simulation, its ethics audit and its relevance check have finished.",
                ))
                .clicked()
            {
                action = Some(ScenarioAction::Apply);
            }
            if ui.button("Discard all").clicked() {
                action = Some(ScenarioAction::Discard);
            }
            if let Some(why) = refusal {
                ui.label(RichText::new(why).color(theme::MUTED));
            }
        });
        action
    }

    /// Draws the scenario panel: the changes, and their effect on `customer` and the shop.
    /// Returns a change the person asked to take out.
    /// `details` shows the scores and contributions behind the customer's change (off for
    /// staff by default, as in the Why? view).
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        shop: &Loaded,
        customer: Option<usize>,
        details: bool,
    ) -> Option<ScenarioAction> {
        ui.heading("Scenario");
        let basis = shop.index.shop();
        let mut asked = None;
        for (i, change) in self.changes.iter().enumerate() {
            // Wrapped: a long sentence must not widen the panel past its edge.
            ui.horizontal_wrapped(|ui| {
                if ui.small_button("Remove").clicked() {
                    asked = Some(ScenarioAction::Remove(i));
                }
                ui.label(change.describe(basis));
            });
        }
        ui.separator();
        self.progress_ui(ui);
        if let Some(preview) = self.preview.clone() {
            if let Some(c) = customer {
                self.customer_effect_ui(ui, &preview, c, details);
                ui.separator();
            }
            match self.outcome.clone() {
                Some(outcome) => {
                    self.audit_figures_ui(ui, &outcome);
                    ui.separator();
                    super::relevance::before_after_ui(ui, &outcome.relevance);
                }
                None if self.follow_job.is_some() => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Checking the ethics audit and the relevance before and after…");
                    });
                }
                None => {}
            }
            ui.separator();
            whole_shop_ui(ui, &preview.impact);
        }
        asked
    }

    /// The running simulation's progress and Cancel, and the error it ended with.
    fn progress_ui(&self, ui: &mut Ui) {
        if let Some(job) = &self.job {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Simulating every customer's recommendations…");
            });
            ui.add(egui::ProgressBar::new(job.fraction()).show_percentage());
            if ui.button("Cancel").clicked() {
                job.cancel();
            }
        }
        if let Some(error) = &self.error {
            ui.colored_label(theme::NEGATIVE, error);
        }
    }

    /// The ethics audit's headline figures before and after the scenario.
    fn audit_figures_ui(&mut self, ui: &mut Ui, outcome: &Outcome) {
        ui.strong("Ethics audit before and after");
        ui.label(format!(
            "Findings: {} -> {}",
            outcome.audit_before.findings.len(),
            outcome.audit_after.findings.len()
        ));
        ui.checkbox(&mut self.show_all_figures, "Show every audit figure");
        let changed = |f: &&FigureChange| {
            f.before != f.after || f.status_before != f.status_after || f.comparison_note.is_some()
        };
        let shown: Vec<&FigureChange> = outcome
            .audit_figures
            .iter()
            .filter(|f| {
                self.show_all_figures || changed(f) || f.status_before == Some(Status::Flagged)
            })
            .collect();
        if shown.is_empty() {
            ui.label("No audit figure changes.");
            return;
        }
        egui::Grid::new("audit-figures")
            .striped(true)
            .show(ui, |ui| {
                ui.label(RichText::new("Figure").small().strong());
                ui.label(RichText::new("Before").small().strong());
                ui.label(RichText::new("After").small().strong());
                ui.end_row();
                // The figure's name wraps, so its before and after stay in sight in a
                // narrow panel.
                let name_width = (ui.available_width() * 0.55).max(160.0);
                for f in shown {
                    ui.vertical(|ui| {
                        ui.set_max_width(name_width);
                        ui.add(egui::Label::new(&f.label).wrap());
                        if f.comparison_note.is_some() {
                            ui.colored_label(
                                theme::FLAG,
                                RichText::new("Not like for like: see below").small(),
                            );
                        }
                    });
                    status_value_ui(ui, &f.value_text(f.before), f.status_before);
                    match f.count_worse() {
                        Some(worse) => count_value_ui(ui, &f.value_text(f.after), worse),
                        None => status_value_ui(ui, &f.value_text(f.after), f.status_after),
                    }
                    ui.end_row();
                }
            });
        comparison_notes_ui(ui, &outcome.audit_figures);
    }

    fn customer_effect_ui(
        &mut self,
        ui: &mut Ui,
        preview: &Preview,
        customer: usize,
        details: bool,
    ) {
        let stale = self
            .customer_effect
            .as_ref()
            .is_none_or(|(c, _, _)| *c != customer);
        if stale {
            let id = preview.basis.shop().customers[customer].id;
            self.customer_effect = customer_before_after(&preview.basis, &preview.after, id)
                .map(|(b, a)| (customer, b, a));
        }
        let Some((_, before, after)) = &self.customer_effect else {
            return;
        };
        ui.strong(format!(
            "Effect on {}",
            preview.basis.shop().customers[customer].display_name()
        ));
        customer_diff_ui(ui, before, after, details);
    }
}

/// Before and after lists side by side, with what moved and which contributions changed.
fn customer_diff_ui(ui: &mut Ui, before: &Explanation, after: &Explanation, details: bool) {
    if before.personalized != after.personalized {
        ui.colored_label(
            theme::FLAG,
            if after.personalized {
                "The list becomes personalized."
            } else {
                "The list is no longer personalized."
            },
        );
    }
    egui::Grid::new("customer-diff")
        .striped(true)
        .show(ui, |ui| lists_side_by_side_ui(ui, before, after));
    let gone: Vec<&str> = before
        .recommendations
        .iter()
        .filter(|b| !after.recommendations.iter().any(|a| a.product == b.product))
        .map(|b| b.name.as_str())
        .collect();
    if !gone.is_empty() {
        ui.colored_label(
            theme::NEGATIVE,
            format!("Leaves the list: {}", gone.join(", ")),
        );
    }
    if !details {
        return;
    }
    for a in &after.recommendations {
        let Some(b) = before
            .recommendations
            .iter()
            .find(|x| x.product == a.product)
        else {
            continue;
        };
        let changed = changed_contributions(b, a);
        if !changed.is_empty() {
            ui.label(
                RichText::new(format!(
                    "{}: score {:.2} -> {:.2} ({})",
                    a.name,
                    b.score,
                    a.score,
                    changed.join("; ")
                ))
                .small(),
            );
        }
    }
}

/// The grid's rows: before, after, and how each product after moved.
fn lists_side_by_side_ui(ui: &mut Ui, before: &Explanation, after: &Explanation) {
    ui.strong("Before");
    ui.strong("After");
    ui.strong("");
    ui.end_row();
    let n = before
        .recommendations
        .len()
        .max(after.recommendations.len());
    let numbered = |r: Option<&Recommendation>| {
        r.map(|r| format!("{}. {}", r.rank, r.name))
            .unwrap_or_default()
    };
    // Long product names wrap, so the "after" column and how each moved stay in sight in
    // the panel.
    let name_width = ((ui.available_width() - 80.0) / 2.0).max(120.0);
    let name = |ui: &mut Ui, text: String| {
        ui.scope(|ui| {
            ui.set_max_width(name_width);
            ui.add(egui::Label::new(text).wrap());
        });
    };
    for k in 0..n {
        let a = after.recommendations.get(k);
        name(ui, numbered(before.recommendations.get(k)));
        name(ui, numbered(a));
        if let Some(r) = a {
            let (text, colour) = movement(before, r);
            ui.colored_label(colour, text);
        }
        ui.end_row();
    }
}

/// How a product after the change moved from its place before: new, up, down or same.
fn movement(before: &Explanation, r: &Recommendation) -> (String, egui::Color32) {
    match before
        .recommendations
        .iter()
        .find(|x| x.product == r.product)
    {
        None => ("new".to_owned(), theme::POSITIVE),
        Some(x) if x.rank > r.rank => (format!("up {}", x.rank - r.rank), theme::POSITIVE),
        Some(x) if x.rank < r.rank => (format!("down {}", r.rank - x.rank), theme::NEGATIVE),
        Some(_) => ("same place".to_owned(), theme::MUTED),
    }
}

/// Each contribution to a product that changed from `b` (before) to `a` (after), as
/// "label old -> new".
fn changed_contributions(b: &Recommendation, a: &Recommendation) -> Vec<String> {
    b.contributions
        .iter()
        .map(|c| {
            (
                c.label.as_str(),
                Some(c.value),
                a.contributions
                    .iter()
                    .find(|x| x.id == c.id)
                    .map(|x| x.value),
            )
        })
        .chain(
            a.contributions
                .iter()
                .filter(|x| !b.contributions.iter().any(|c| c.id == x.id))
                .map(|x| (x.label.as_str(), None, Some(x.value))),
        )
        .filter(|(_, old, new)| old != new)
        .map(|(label, old, new)| {
            let show = |v: Option<f64>| v.map_or_else(|| "none".to_owned(), |v| format!("{v:+.2}"));
            format!("{label} {} -> {}", show(old), show(new))
        })
        .collect()
}

/// The whole-shop figures and before/after charts.
fn whole_shop_ui(ui: &mut Ui, impact: &Impact) {
    ui.strong("Effect on the whole shop");
    ui.label(format!(
        "Recommendations change for {}.",
        crate::engine::words::of_customers(impact.customers_changed, impact.customers_total)
    ));
    ui.label(format!(
        "Mean recommended price: {} -> {}",
        BeforeAfter::price_text(impact.mean_recommended_price.before, impact.currency),
        BeforeAfter::price_text(impact.mean_recommended_price.after, impact.currency)
    ));
    let gainers: Vec<_> = impact
        .exposure
        .iter()
        .filter(|e| e.change > 0)
        .take(5)
        .collect();
    let losers: Vec<_> = impact
        .exposure
        .iter()
        .filter(|e| e.change < 0)
        .take(5)
        .collect();
    for (title, list) in [
        ("Recommended to more customers", gainers),
        ("Recommended to fewer customers", losers),
    ] {
        if list.is_empty() {
            continue;
        }
        ui.label(RichText::new(title).strong().small());
        for e in list {
            let colour = if e.change > 0 {
                theme::POSITIVE
            } else {
                theme::NEGATIVE
            };
            ui.colored_label(
                colour,
                format!(
                    "{} {} ({} -> {})",
                    crate::engine::words::signed(e.change),
                    e.name,
                    crate::engine::words::number(e.before),
                    crate::engine::words::number(e.after)
                ),
            );
        }
    }
    share_chart_ui(
        ui,
        "Category share of recommendations",
        "category-share",
        &impact.category_share,
    );
    share_chart_ui(
        ui,
        "Recommended prices",
        "price-share",
        &impact.recommended_price_bands,
    );
}

fn share_chart_ui(ui: &mut Ui, title: &str, id: &str, shares: &[ShareChange]) {
    ui.label(RichText::new(title).strong().small());
    let bars = |after: bool| -> Vec<Bar> {
        shares
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let x = i as f64 + if after { 0.2 } else { -0.2 };
                Bar::new(x, 100.0 * if after { s.after } else { s.before })
                    .width(0.38)
                    .name(&s.group)
            })
            .collect()
    };
    let labels: Vec<String> = shares.iter().map(|s| s.group.clone()).collect();
    Plot::new(id)
        .height(170.0)
        .legend(Legend::default())
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .show_y(false)
        .x_axis_formatter(move |mark, _| super::charts::bar_label(&labels, mark.value))
        .x_grid_spacer(super::charts::one_mark_per_bar())
        .y_axis_formatter(|mark, _| format!("{:.0}%", mark.value))
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new("before", bars(false)).color(theme::BASELINE));
            plot.bar_chart(BarChart::new("after", bars(true)).color(theme::POSITIVE));
        });
    egui::Grid::new((id, "table")).striped(true).show(ui, |ui| {
        for s in shares {
            ui.label(RichText::new(&s.group).small());
            ui.label(
                RichText::new(format!(
                    "{:.1}% -> {:.1}%",
                    100.0 * s.before,
                    100.0 * s.after
                ))
                .small(),
            );
            ui.end_row();
        }
    });
}

/// Why some figures are not like for like, each reason once.
fn comparison_notes_ui(ui: &mut Ui, figures: &[FigureChange]) {
    let notes = crate::engine::audit::comparison_notes(figures);
    if !notes.is_empty() {
        ui.colored_label(theme::FLAG, "Not like for like:");
    }
    for note in notes {
        ui.add(egui::Label::new(note).wrap());
    }
}

/// A figure coloured by its status: red when flagged, green when within the rule of thumb.
/// A count of problems after the scenario, coloured by whether it got worse or better.
fn count_value_ui(ui: &mut Ui, text: &str, worse: bool) {
    if worse {
        ui.colored_label(theme::NEGATIVE, format!("{text} worse"));
    } else {
        ui.colored_label(theme::POSITIVE, format!("{text} better"));
    }
}

fn status_value_ui(ui: &mut Ui, text: &str, status: Option<Status>) {
    let colour = match status {
        Some(Status::Flagged) => theme::NEGATIVE,
        Some(Status::Fair) => theme::POSITIVE,
        Some(Status::Uncertain) => theme::FLAG,
        _ => ui.visuals().text_color(),
    };
    let suffix = match status {
        Some(Status::Flagged) => " flagged",
        Some(Status::Uncertain) => " unsure",
        _ => "",
    };
    ui.colored_label(colour, format!("{text}{suffix}"));
}
