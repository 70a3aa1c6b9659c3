//! Following a lesson: what the window shows, and going where a step points.

use egui::Ui;

use super::{CandorApp, Command, Tab};
use crate::access::Role;
use crate::lessons::{Lesson, Observed, Show};
use crate::ui::audit_log::WhoWhyFor;
use crate::ui::customer::CustomerPage;
use crate::ui::lesson::{LessonAction, LessonRun};

impl CandorApp {
    /// Starts following `lesson` in the side panel.
    pub fn start_lesson(&mut self, lesson: Lesson) {
        self.lesson = Some(LessonRun::new(lesson));
    }

    /// Starts a bundled lesson, written for the sample shop as delivered: on any other shop,
    /// or on a training shop changed since, asks first (offering the reset).
    pub fn ask_to_start_lesson(&mut self, lesson: Lesson) {
        match self.sample_as_delivered() {
            Some(0) => self.start_lesson(lesson),
            _ => self.lesson_asked = Some(lesson),
        }
    }

    /// The lesson waiting for an answer before it starts, if any.
    pub fn lesson_asked(&self) -> Option<&Lesson> {
        self.lesson_asked.as_ref()
    }

    /// For a training shop, how many audit-log entries changed it since it was delivered;
    /// `None` for any other shop.
    fn sample_as_delivered(&self) -> Option<usize> {
        let shop = self.shop.as_ref().filter(|_| self.is_training_shop())?;
        Some(shop.log.entries_that_changed_the_shop())
    }

    /// Asks whether to start a lesson on a shop it was not written for.
    pub(super) fn lesson_check_ui(&mut self, ctx: &egui::Context) {
        let Some(lesson) = &self.lesson_asked else {
            return;
        };
        let title = lesson.title.clone();
        let changed = self.sample_as_delivered();
        let mut answer = None;
        egui::Modal::new(egui::Id::unique("lesson-check")).show(ctx, |ui| {
            ui.set_width(480.0);
            ui.heading(format!("Start \u{201c}{title}\u{201d}?"));
            ui.label(lesson_check_text(changed));
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                if changed.is_some()
                    && ui
                        .button("Reset the training shop, then start")
                        .on_hover_text("Every change made in this copy is lost; the lesson starts on the sample as delivered.")
                        .clicked()
                {
                    answer = Some(LessonCheck::ResetFirst);
                }
                if changed.is_none()
                    && ui
                        .button("Open the sample shop")
                        .on_hover_text("Opens the copy of the sample shop kept in your data folder; then choose the lesson again.")
                        .clicked()
                {
                    answer = Some(LessonCheck::OpenSample);
                }
                if ui.button("Start anyway").clicked() {
                    answer = Some(LessonCheck::StartAnyway);
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(LessonCheck::Cancel);
                }
            });
        });
        if let Some(answer) = answer {
            self.answer_lesson_check(ctx, answer);
        }
    }

    fn answer_lesson_check(&mut self, ctx: &egui::Context, answer: LessonCheck) {
        let Some(lesson) = self.lesson_asked.take() else {
            return;
        };
        match answer {
            LessonCheck::StartAnyway => self.start_lesson(lesson),
            LessonCheck::Cancel => {}
            LessonCheck::OpenSample => match crate::paths::ensure_default_shop() {
                Ok(path) => self.commands.push(Command::Open(path)),
                Err(e) => self.error = Some(format!("The sample shop could not be opened: {e}")),
            },
            LessonCheck::ResetFirst => {
                if let Some(path) = self.shop.as_ref().map(|s| s.path.clone()) {
                    self.scenario.clear();
                    self.become_staff();
                    self.customer = None;
                    self.lesson_after_reset = Some(lesson);
                    self.start_reset(ctx, path);
                }
            }
        }
    }

    /// Starts the lesson that was waiting for the training shop's reset, once it succeeded.
    pub(super) fn after_reset(&mut self, succeeded: bool) {
        if let Some(lesson) = self.lesson_after_reset.take()
            && succeeded
        {
            self.start_lesson(lesson);
        }
    }

    /// The lesson being followed, if any.
    pub fn lesson(&self) -> Option<&LessonRun> {
        self.lesson.as_ref()
    }

    /// Whether the open shop is a copy of the bundled sample (a training shop).
    pub fn is_training_shop(&self) -> bool {
        let Some(shop) = &self.shop else {
            return false;
        };
        !shop.read_only
            && crate::shopgen::sample::sample_name()
                == Some(shop.index.shop().settings.name.as_str())
    }

    /// What the window shows, for the lesson's checks.
    pub(super) fn observed(&self) -> Observed<'_> {
        let page = self.customer.as_ref();
        let shop = self.shop.as_ref();
        Observed {
            view: Some(self.tab),
            customer: page
                .zip(shop)
                .and_then(|(p, s)| s.index.shop().customers.get(p.position()).map(|c| c.id)),
            recommendation: page.and_then(CustomerPage::chosen_rank),
            data_held: page.is_some_and(CustomerPage::showing_data_held),
            changes: self.scenario.changes(),
            simulated: self.scenario.outcome().is_some() && !self.scenario.is_running(),
            owner: self.role == Role::Owner,
            dialog: self.who_why.as_ref().map(|w| match w.purpose {
                WhoWhyFor::Apply => "apply",
                WhoWhyFor::Undo(_) => "undo",
                WhoWhyFor::Export(..) | WhoWhyFor::ExportRecommendations(..) => "export",
                WhoWhyFor::Erase(_) => "erase",
                WhoWhyFor::Purge => "purge",
                WhoWhyFor::Reveal(_) => "reveal",
                WhoWhyFor::Restore(_) => "restore",
            }),
        }
    }

    pub(super) fn lesson_ui(&mut self, ui: &mut Ui) {
        // Taken out while drawn, so the panel can read the rest of the window's state.
        let Some(mut run) = self.lesson.take() else {
            return;
        };
        let observed = self.observed();
        let pseudonyms = self.shop.as_ref().and_then(|s| s.pseudonyms.clone());
        let say = |text: &str| match &pseudonyms {
            Some(p) => p.scrub(text),
            None => text.to_owned(),
        };
        let action = egui::Panel::right("lesson")
            .resizable(true)
            .default_size(320.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("lesson-scroll")
                    .show(ui, |ui| run.ui(ui, &observed, &say))
                    .inner
            })
            .inner;
        match action {
            LessonAction::None => self.lesson = Some(run),
            LessonAction::Close => {}
            LessonAction::Show(show) => {
                self.lesson = Some(run);
                self.go_to(&show);
            }
        }
    }

    pub(super) fn go_to(&mut self, show: &Show) {
        if let Some(view) = show.view {
            self.tab = view;
            if self.tab == Tab::Log {
                self.commands.push(Command::RefreshLog);
            }
        }
        if let Some(rule) = &show.rule {
            self.rule_editor
                .show_rule(rule, "Look at this rule (lesson)");
        }
        if let Some(id) = show.customer
            && let Some(pos) = self.shop.as_ref().and_then(|s| s.index.customer_pos(id))
        {
            self.commands.push(Command::SelectCustomer(pos));
        }
    }
}

/// What the person chose when asked about a lesson on a shop it was not written for.
#[derive(Clone, Copy)]
enum LessonCheck {
    ResetFirst,
    OpenSample,
    StartAnyway,
    Cancel,
}

/// Why a lesson is asked about first: `changed` is how many entries changed the training
/// shop since it was delivered, `None` when the shop is not a training shop at all.
fn lesson_check_text(changed: Option<usize>) -> String {
    match changed {
        Some(n) => format!(
            "This lesson is written for the sample shop as it was delivered. This copy has been changed since ({} in its audit log), so the lesson may describe rules, purchases or consents that are no longer what you see.",
            crate::engine::words::count(n, "entry changed it", "entries changed it")
        ),
        None => "This lesson is written for the sample shop (Hazel & Rye Bakery). The shop open now is another one, so the customers, products and rules the lesson names are not here. To follow it, open the sample shop, then choose the lesson again.".to_owned(),
    }
}
