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
                WhoWhyFor::Export(..) => "export",
                WhoWhyFor::Erase(_) => "erase",
                WhoWhyFor::Purge => "purge",
                WhoWhyFor::Reveal(_) => "reveal",
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
