//! The ethics audit view: findings first, each linked to its rules, its customers and a
//! fix to simulate; then fairness by group, diversity, data minimization and rule checks.

use std::sync::Arc;

use egui::{RichText, Ui};

use super::jobs::Job;
use super::loader::Loaded;
use super::theme;
use crate::engine::ShopIndex;
use crate::engine::audit::fairness::{GroupingReport, MetricKind, Status};
use crate::engine::audit::{Audit, AuditConfig, Finding, Grouping, Severity, audit};
use crate::engine::changes::Change;
use crate::engine::model::CustomerId;

/// What the audit view asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum EthicsAction {
    /// Show a rule in the Rules view.
    ShowRule(String),
    /// Show a customer's page.
    ShowCustomer(CustomerId),
    /// Add these changes to the scenario.
    Simulate(Vec<Change>),
    /// Save the audit as a printable HTML page.
    ExportReport,
    /// Delete everything past its retention period (owner only).
    PurgeRetention,
}

/// The audit view's state: its settings and an audit computed with them.
pub struct EthicsView {
    /// The settings the audit uses.
    pub config: AuditConfig,
    edges_text: String,
    custom: Option<(Arc<ShopIndex>, Arc<Audit>)>,
    job: Option<Job<Audit>>,
    job_config: Option<AuditConfig>,
    failure: Option<String>,
    history: super::history::HistoryView,
    relevance: super::relevance::RelevanceView,
    new_pair: [Grouping; 2],
}

impl Default for EthicsView {
    fn default() -> Self {
        let config = AuditConfig::default();
        Self {
            edges_text: edges_text(&config.age_bands),
            config,
            custom: None,
            job: None,
            job_config: None,
            failure: None,
            history: super::history::HistoryView::default(),
            relevance: super::relevance::RelevanceView::default(),
            new_pair: [Grouping::AgeBand, Grouping::Gender],
        }
    }
}

fn edges_text(edges: &[u32]) -> String {
    edges
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl EthicsView {
    /// The audit of the shop with the current settings, when it is ready.
    pub fn current(&self, shop: &Loaded) -> Option<Arc<Audit>> {
        if shop.audit.config == self.config {
            return Some(Arc::clone(&shop.audit));
        }
        self.custom
            .as_ref()
            .filter(|(index, a)| Arc::ptr_eq(index, &shop.index) && a.config == self.config)
            .map(|(_, a)| Arc::clone(a))
    }

    /// Starts or collects a re-audit after the settings changed; call once per frame.
    pub fn poll(&mut self, shop: &Loaded, ctx: &egui::Context) {
        self.relevance.poll(shop);
        if let Some(job) = &self.job
            && let Some(done) = job.poll()
        {
            self.job = None;
            match done {
                Ok(audit) => self.custom = Some((Arc::clone(&shop.index), Arc::new(audit))),
                Err(crash) => self.failure = Some(crash),
            }
        }
        if self.failure.is_some() {
            return;
        }
        let wanted = self.current(shop).is_none();
        let running_for_these =
            self.job_config.as_ref() == Some(&self.config) && self.job.is_some();
        if wanted && !running_for_these {
            let index = Arc::clone(&shop.index);
            let lists = Arc::clone(&shop.lists);
            let config = self.config.clone();
            self.job_config = Some(config.clone());
            let ctx = ctx.clone();
            self.job = Some(Job::spawn(
                0,
                move || ctx.request_repaint(),
                move |_| audit(&index, &lists, &config),
            ));
        }
    }

    /// Draws the view and returns what the user asked for.
    /// `owner` is true when the owner is using the window (only they may purge).
    pub fn ui(&mut self, ui: &mut Ui, shop: &Loaded, owner: bool) -> Vec<EthicsAction> {
        let mut actions = Vec::new();
        ui.horizontal(|ui| {
            ui.heading("Ethics audit");
            if ui.button("Export report…").clicked() {
                actions.push(EthicsAction::ExportReport);
            }
        });
        ui.label("Fairness across customer groups, variety of what is recommended, personal data the shop does not need, and checks on the rules themselves. Hover over a heading or a figure's name to see what it measures.");
        self.settings_ui(ui);
        if let Some(failure) = &self.failure {
            ui.colored_label(super::theme::NEGATIVE, failure);
            if ui.button("Try again").clicked() {
                self.failure = None;
            }
            return actions;
        }
        let Some(audit) = self.current(shop) else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Auditing with the new settings…");
            });
            return actions;
        };
        egui::ScrollArea::vertical().id_salt("ethics-audit").show(ui, |ui| {
            findings_ui(ui, shop, &audit.findings, &mut actions);
            ui.add_space(8.0);
            egui::CollapsingHeader::new(RichText::new("Over time").strong())
                .default_open(true)
                .show(ui, |ui| {
                    ui.label("Each applied change keeps the audit's figures in its log entry; the last point is now.");
                    self.history.ui(ui, &shop.log.entries, &audit);
                });
            egui::CollapsingHeader::new(RichText::new("Fairness across customer groups").strong())
                .default_open(true)
                .show(ui, |ui| {
                    ui.label(format!("Parity ratio = the lowest group's figure / the highest group's. Below 0.8 (a rule of thumb, not a legal test) is flagged only when a test across all the grouping's groups says gaps this large would arise by chance less than 1 time in 20, after allowing for every figure the audit tests at once. Groups under {} customers are shown but never flagged.", audit.config.min_group_size));
                    for g in &audit.fairness {
                        grouping_ui(ui, g);
                    }
                });
            egui::CollapsingHeader::new(RichText::new("Relevance: did customers buy what was recommended?").strong())
                .default_open(false)
                .show(ui, |ui| self.relevance.ui(ui, shop));
            egui::CollapsingHeader::new(RichText::new("Diversity and filter bubbles").strong())
                .default_open(true)
                .show(ui, |ui| diversity_ui(ui, &audit));
            egui::CollapsingHeader::new(RichText::new("Data minimization").strong())
                .default_open(true)
                .show(ui, |ui| {
                    minimization_ui(ui, &audit);
                    if !audit.minimization.past_retention.is_empty()
                        && ui
                            .add_enabled(owner, egui::Button::new("Purge data past its retention period…"))
                            .on_disabled_hover_text("Only the owner can purge data: switch to owner in the menu bar.")
                            .clicked()
                    {
                        actions.push(EthicsAction::PurgeRetention);
                    }
                });
            egui::CollapsingHeader::new(RichText::new("Rule checks").strong())
                .default_open(true)
                .show(ui, |ui| {
                    if audit.lint.is_empty() {
                        ui.label("Every enabled rule passes.");
                    }
                    for l in &audit.lint {
                        ui.horizontal_wrapped(|ui| {
                            if ui.link(&l.rule_label).clicked() {
                                actions.push(EthicsAction::ShowRule(l.rule.clone()));
                            }
                            ui.label(&l.message);
                        });
                    }
                });
        });
        actions
    }

    /// The intersectional pairs compared (e.g. age band × gender), each removable, and
    /// two lists to add another.
    fn pairs_ui(&mut self, ui: &mut Ui) {
        ui.horizontal_wrapped(|ui| {
            ui.label("Also compare pairs:");
            let mut remove = None;
            for (i, [a, b]) in self.config.intersections.iter().enumerate() {
                let name = format!("{} × {}", a.label(), b.label().to_lowercase());
                if ui.button(format!("Stop comparing {name}")).clicked() {
                    remove = Some(i);
                }
            }
            if let Some(i) = remove {
                self.config.intersections.remove(i);
            }
            for (n, slot) in self.new_pair.iter_mut().enumerate() {
                egui::ComboBox::from_id_salt(("pair", n))
                    .selected_text(slot.label())
                    .show_ui(ui, |ui| {
                        for g in Grouping::ALL {
                            ui.selectable_value(slot, g, g.label());
                        }
                    });
            }
            let [a, b] = self.new_pair;
            let known = self
                .config
                .intersections
                .iter()
                .any(|p| *p == [a, b] || *p == [b, a]);
            if ui
                .add_enabled(a != b && !known, egui::Button::new("Add the pair"))
                .clicked()
            {
                self.config.intersections.push([a, b]);
            }
        });
    }

    /// The key of the figure the "Over time" chart shows.
    pub fn history_figure(&self) -> &str {
        self.history.figure()
    }

    fn settings_ui(&mut self, ui: &mut Ui) {
        egui::CollapsingHeader::new("Audit settings").show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label("Compare groups by:");
                for g in Grouping::ALL {
                    let mut on = self.config.groupings.contains(&g);
                    if ui.checkbox(&mut on, g.label()).changed() {
                        if on {
                            self.config.groupings.push(g);
                            self.config
                                .groupings
                                .sort_by_key(|x| Grouping::ALL.iter().position(|y| y == x));
                        } else {
                            self.config.groupings.retain(|x| *x != g);
                        }
                    }
                }
            });
            self.pairs_ui(ui);
            ui.horizontal(|ui| {
                ui.label("Smallest group that can be flagged:");
                ui.add(egui::DragValue::new(&mut self.config.min_group_size).range(2..=100_000));
                ui.label("New customers: fewer than");
                ui.add(egui::DragValue::new(&mut self.config.new_customer_days).range(1..=36_500));
                ui.label("days");
            });
            ui.horizontal(|ui| {
                let l = ui.label("Age bands start at:");
                let edit = ui
                    .add(egui::TextEdit::singleline(&mut self.edges_text).desired_width(160.0))
                    .labelled_by(l.id);
                if edit.changed() {
                    let parsed: Result<Vec<u32>, _> = self
                        .edges_text
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::parse::<u32>)
                        .collect();
                    if let Ok(mut edges) = parsed {
                        edges.sort_unstable();
                        edges.dedup();
                        self.config.age_bands = edges;
                    }
                }
                ui.label(RichText::new("e.g. 30, 40, 50, 65").color(theme::MUTED));
            });
        });
    }
}

fn severity_colour(s: Severity) -> egui::Color32 {
    match s {
        Severity::AtRisk => theme::NEGATIVE,
        Severity::Attention => theme::FLAG,
    }
}

fn findings_ui(ui: &mut Ui, shop: &Loaded, findings: &[Finding], actions: &mut Vec<EthicsAction>) {
    ui.strong(format!("Findings ({})", findings.len()));
    if findings.is_empty() {
        ui.colored_label(theme::POSITIVE, "Nothing needs attention.");
    }
    let rules = &shop.index.shop().rules;
    for (i, f) in findings.iter().enumerate() {
        egui::Frame::group(ui.style())
            .stroke(egui::Stroke::new(1.5, severity_colour(f.severity)))
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.horizontal(|ui| {
                    ui.colored_label(
                        severity_colour(f.severity),
                        RichText::new(f.severity.label()).strong(),
                    );
                    ui.label(RichText::new(f.area.label()).color(theme::MUTED));
                });
                ui.label(RichText::new(&f.title).strong());
                ui.label(&f.detail);
                ui.push_id(i, |ui| {
                    ui.horizontal_wrapped(|ui| {
                        for id in &f.rules {
                            let label = rules
                                .iter()
                                .find(|r| &r.id == id)
                                .map_or(id.as_str(), |r| r.label.as_str());
                            if ui.button(format!("Show rule: {label}")).clicked() {
                                actions.push(EthicsAction::ShowRule(id.clone()));
                            }
                        }
                        if let Some(&first) = f.customer_ids.first() {
                            let name = shop.index.customer_pos(first).map_or_else(
                                || first.to_string(),
                                |p| shop.index.shop().customers[p].display_name(),
                            );
                            if ui.button(format!("Show a customer: {name}")).clicked() {
                                actions.push(EthicsAction::ShowCustomer(first));
                            }
                        }
                        if let Some(fix) = &f.fix
                            && ui.button(&fix.label).clicked()
                        {
                            actions.push(EthicsAction::Simulate(fix.changes.clone()));
                        }
                    });
                });
            });
    }
}

fn value_text(kind: MetricKind, v: Option<f64>) -> String {
    match (kind, v) {
        (_, None) => "-".to_owned(),
        (MetricKind::Rate, Some(v)) => format!("{:.0}%", v * 100.0),
        (MetricKind::Mean, Some(v)) => format!("{v:.2}"),
    }
}

fn status_colour(ui: &Ui, s: Status) -> egui::Color32 {
    match s {
        Status::Flagged => theme::NEGATIVE,
        Status::Uncertain => theme::FLAG,
        Status::Fair => theme::POSITIVE,
        Status::NotMeasurable => ui.visuals().text_color(),
    }
}

/// What a fairness figure measures (the definitions are the engine's, shared with the
/// reports).
fn meaning(key: &str) -> &'static str {
    crate::engine::audit::fairness::meaning(key).unwrap_or_default()
}

/// A column heading that says, on hover, what its figures measure.
fn heading_with_meaning(ui: &mut Ui, label: &str, meaning: String) {
    ui.label(RichText::new(label).small().strong())
        .on_hover_text(meaning);
}

fn grouping_ui(ui: &mut Ui, g: &GroupingReport) {
    let key: Vec<_> = g
        .metrics
        .iter()
        .filter(|m| !m.metric.starts_with("exposure:"))
        .collect();
    ui.add_space(6.0);
    ui.strong(&g.label);
    egui::Grid::new(("fairness", g.key.as_str()))
        .striped(true)
        .show(ui, |ui| {
            ui.label(RichText::new("Group").small().strong());
            heading_with_meaning(ui, "Customers", meaning("customers").to_owned());
            for m in &key {
                let text = format!("{} {}", meaning(&m.metric), meaning("interval"));
                heading_with_meaning(ui, &m.label, text);
            }
            ui.end_row();
            for (i, info) in g.groups.iter().enumerate() {
                ui.label(&info.name);
                match info.why_not_compared() {
                    None => {
                        ui.label(crate::engine::words::number(info.customers));
                    }
                    Some(why) => {
                        ui.label(
                            RichText::new(format!(
                                "{} ({why})",
                                crate::engine::words::number(info.customers)
                            ))
                            .color(theme::MUTED),
                        );
                    }
                }
                for m in &key {
                    let v = &m.groups[i];
                    let interval = v
                        .interval
                        .map(|[lo, hi]| {
                            format!(
                                " ({}-{})",
                                value_text(m.kind, Some(lo)),
                                value_text(m.kind, Some(hi))
                            )
                        })
                        .unwrap_or_default();
                    ui.label(format!("{}{interval}", value_text(m.kind, v.value)));
                }
                ui.end_row();
            }
            ui.label(RichText::new("Parity ratio").strong())
                .on_hover_text(meaning("parity_ratio"));
            ui.label("");
            for m in &key {
                let text = m
                    .parity_ratio
                    .map_or_else(|| "not measurable".to_owned(), |r| format!("{r:.2}"));
                ui.colored_label(
                    status_colour(ui, m.status),
                    format!("{text} - {}", m.status.text()),
                );
            }
            ui.end_row();
        });
    let worst = g.least_even_category();
    if let Some((m, r)) = worst {
        ui.colored_label(
            status_colour(ui, m.status),
            format!(
                "Least even category: {} shown {r:.2}x as much to {} as to {} ({})",
                m.metric.trim_start_matches("exposure:"),
                m.lowest_group.clone().unwrap_or_default(),
                m.highest_group.clone().unwrap_or_default(),
                m.status.text()
            ),
        );
    }
}

fn diversity_ui(ui: &mut Ui, audit: &Audit) {
    let d = &audit.diversity;
    let f = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), crate::engine::words::decimal);
    egui::Grid::new("diversity").striped(true).show(ui, |ui| {
        for m in &crate::engine::audit::diversity::DIVERSITY_MEASURES {
            ui.label(m.label);
            ui.strong(f((m.value)(d)));
            ui.label(RichText::new(m.meaning).color(theme::MUTED));
            ui.end_row();
        }
    });
    for p in &audit.product_exposure {
        ui.label(
            RichText::new(format!(
                "Exposure per product, by {}",
                p.by.replace('_', " ")
            ))
            .strong()
            .small(),
        );
        let parts: Vec<String> = p
            .groups
            .iter()
            .map(|g| {
                format!(
                    "{} {:.1} ({})",
                    g.group,
                    g.exposure_per_product,
                    f(g.ratio_to_highest)
                )
            })
            .collect();
        ui.label(parts.join(" · "));
    }
}

fn minimization_ui(ui: &mut Ui, audit: &Audit) {
    let m = &audit.minimization;
    for u in &m.unused_fields {
        match &u.kept_for {
            Some(reason) => ui.label(format!(
                "{}: held for {}; no rule uses it; kept for {reason}.",
                u.label,
                crate::engine::words::customers(u.customers)
            )),
            None => ui.colored_label(
                theme::FLAG,
                format!(
                    "{}: held for {}; nothing uses it and no other reason is given.",
                    u.label,
                    crate::engine::words::customers(u.customers)
                ),
            ),
        };
    }
    for p in &m.past_retention {
        ui.colored_label(
            theme::NEGATIVE,
            format!(
                "{}: kept past its {}-day retention for {}.",
                p.label,
                p.retention_days,
                crate::engine::words::customers(p.customers)
            ),
        );
    }
    if m.past_retention.is_empty() {
        ui.label("Nothing is kept past its retention period.");
    }
    for w in &m.without_consent {
        ui.colored_label(
            theme::FLAG,
            format!(
                "{}: held for {} who agreed to none of: {}.",
                w.label,
                crate::engine::words::customers(w.customers),
                w.purposes.join(", ")
            ),
        );
    }
}
