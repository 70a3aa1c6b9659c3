//! The rules' relevance before and after a scenario: did customers buy what their list
//! named, on the shop's last days of orders.

use std::sync::Arc;

use egui::{RichText, Ui};

use super::jobs::Job;
use super::loader::Loaded;
use crate::engine::ShopIndex;
use crate::engine::relevance::{
    BacktestConfig, DEFAULT_DAYS, DEFAULT_TOP, MAX_DAYS, MAX_TOP, Relevance, RelevanceChange,
    RelevanceError, evaluate,
};
use crate::engine::simulate::BeforeAfter;
use crate::engine::words;

/// The hit rate and NDCG of the rules, per variant, before and after.
pub fn before_after_ui(ui: &mut Ui, relevance: &RelevanceChange) {
    ui.strong(format!(
        "Relevance on the last {} of orders",
        words::count(relevance.days as usize, "day", "days")
    ));
    ui.add(
        egui::Label::new(
            RichText::new(format!(
                "Each customer's top {} as it would have been the day before, compared with \
                 what they then bought. Hit rate: customers who bought something on their list.",
                relevance.top
            ))
            .small(),
        )
        .wrap(),
    );
    egui::Grid::new("relevance-before-after")
        .striped(true)
        .show(ui, |ui| {
            for heading in ["Judged on", "Customers", "Hit rate", "NDCG"] {
                ui.label(RichText::new(heading).small().strong());
            }
            ui.end_row();
            for v in &relevance.variants {
                ui.label(v.variant.text());
                ui.label(words::number(v.customers));
                ui.label(change_text(v.hit_rate, |x| format!("{:.0}%", 100.0 * x)));
                ui.label(change_text(v.ndcg, |x| format!("{x:.2}")));
                ui.end_row();
            }
        });
}

/// "41% -> 43%", or "not known" where nobody could be evaluated.
fn change_text(figure: BeforeAfter, show: impl Fn(f64) -> String) -> String {
    let one = |x: Option<f64>| x.map_or_else(|| "not known".to_owned(), &show);
    format!("{} -> {}", one(figure.before), one(figure.after))
}

/// A measurement running: the snapshot and settings it measures, and the job.
type Measuring = (
    Arc<ShopIndex>,
    BacktestConfig,
    Job<Result<Relevance, RelevanceError>>,
);

/// The Ethics view's relevance section: the hold-out settings, a button that measures
/// in the background, and the figures of the rules and both baselines.
#[derive(Default)]
pub struct RelevanceView {
    days: i64,
    top: usize,
    as_if_consented: bool,
    /// The running measurement, with the snapshot and settings it measures.
    job: Option<Measuring>,
    /// The figures, with the snapshot and settings they were measured on.
    measured: Option<(Arc<ShopIndex>, BacktestConfig, Relevance)>,
    failure: Option<String>,
}

impl RelevanceView {
    fn config(&self) -> BacktestConfig {
        BacktestConfig {
            days: if self.days == 0 {
                DEFAULT_DAYS
            } else {
                self.days
            },
            top: if self.top == 0 { DEFAULT_TOP } else { self.top },
            as_if_consented: self.as_if_consented,
        }
    }

    /// Collects a finished measurement; call once per frame.
    pub fn poll(&mut self, shop: &Loaded) {
        let Some(done) = self.job.as_ref().and_then(|(_, _, job)| job.poll()) else {
            return;
        };
        let Some((index, config, _)) = self.job.take() else {
            return;
        };
        match done {
            // Figures of a shop no longer shown are dropped, never shown as this one's.
            Ok(Ok(r)) if Arc::ptr_eq(&index, &shop.index) => {
                self.measured = Some((index, config, r));
            }
            Ok(Ok(_) | Err(RelevanceError::Cancelled)) => {}
            Ok(Err(e)) => self.failure = Some(e.to_string()),
            Err(crash) => self.failure = Some(crash),
        }
    }

    /// The settings, the Measure button, and the figures for this shop and settings.
    pub fn ui(&mut self, ui: &mut Ui, shop: &Loaded) {
        let mut config = self.config();
        ui.add(
            egui::Label::new(
                "Would the rules have named what customers went on to buy? Candor holds out \
                 the last days of orders, computes each customer's list as it would have \
                 been the day before, from earlier records only, and compares. Two simple \
                 lists show whether the rules earn their keep.",
            )
            .wrap(),
        );
        ui.horizontal_wrapped(|ui| {
            ui.label("Days held out:");
            ui.add(egui::DragValue::new(&mut config.days).range(1..=MAX_DAYS));
            ui.label("List length:");
            ui.add(egui::DragValue::new(&mut config.top).range(1..=MAX_TOP));
            ui.checkbox(&mut config.as_if_consented, "As if everyone had agreed")
                .on_hover_text(
                    "For history with no consent records: customers never asked about a \
                     purpose count as agreed; a recorded refusal still stands. Otherwise \
                     customers who had not agreed get the shop-wide list, as in the shop.",
                );
        });
        (self.days, self.top, self.as_if_consented) =
            (config.days, config.top, config.as_if_consented);
        let running = self.job.is_some();
        if ui
            .add_enabled(!running, egui::Button::new("Measure relevance"))
            .clicked()
        {
            self.start(shop, config, ui.ctx());
        }
        if let Some((_, _, job)) = &self.job {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Measuring…");
                if ui.button("Cancel").clicked() {
                    job.cancel();
                }
            });
        }
        if let Some(failure) = &self.failure {
            ui.colored_label(super::theme::NEGATIVE, failure);
        }
        match &self.measured {
            Some((index, measured_with, r))
                if Arc::ptr_eq(index, &shop.index) && *measured_with == config =>
            {
                figures_ui(ui, r);
            }
            Some(_) if !running => {
                ui.label("The shop or the settings changed since the last measurement.");
            }
            _ => {}
        }
    }

    fn start(&mut self, shop: &Loaded, config: BacktestConfig, ctx: &egui::Context) {
        self.failure = None;
        let index = Arc::clone(&shop.index);
        let measured = Arc::clone(&index);
        let ctx = ctx.clone();
        let job = Job::spawn(
            0,
            move || ctx.request_repaint(),
            move |progress| evaluate(&measured, &config, progress),
        );
        self.job = Some((index, config, job));
    }
}

/// What each column of the relevance tables measures.
const MEANINGS: [(&str, &str); 6] = [
    (
        "Lists from",
        "Who made the lists: the shop's rules as they stand, or one of two simple lists to compare them with.",
    ),
    (
        "Hit rate",
        "The share of customers who bought at least one product of their list.",
    ),
    (
        "Precision",
        "Products of the list they bought, out of the list length.",
    ),
    (
        "Recall",
        "Products they bought that the list named, out of everything they bought.",
    ),
    (
        "NDCG",
        "Like recall, but a hit near the top of the list counts more (1 = every purchase at the top).",
    ),
    (
        "Coverage",
        "The share of the shop's products that appear in anyone's list.",
    ),
];

/// The hold-out in words and one table per variant, each heading saying on hover what
/// it measures.
fn figures_ui(ui: &mut Ui, r: &Relevance) {
    ui.label(format!(
        "Lists as of the day before {}, judged on what customers bought from {} to {}.",
        r.hold_out.from, r.hold_out.from, r.hold_out.to
    ));
    for v in &r.variants {
        ui.strong(format!(
            "{} ({} evaluated)",
            words::capitalized(v.variant.text()),
            words::customers(v.customers)
        ));
        egui::Grid::new(("relevance", v.variant.text()))
            .striped(true)
            .show(ui, |ui| {
                for (heading, meaning) in MEANINGS {
                    ui.label(RichText::new(heading).small().strong())
                        .on_hover_text(meaning);
                }
                ui.end_row();
                for m in &v.methods {
                    ui.label(m.method.text());
                    for x in [m.hit_rate, m.precision, m.recall, m.ndcg, m.coverage] {
                        ui.label(x.map_or_else(|| "not known".to_owned(), |x| format!("{x:.3}")));
                    }
                    ui.end_row();
                }
            });
    }
    ui.label(
        RichText::new(
            "\"New products only\" leaves out what each customer bought before. Hover over a column's name to see what it measures. A product recommended and bought may have been bought anyway: these are measurements on past orders, not promises.",
        )
        .small(),
    );
}
