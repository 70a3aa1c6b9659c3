//! The lesson side panel: the current step's text, what to look at, the task, whether it
//! is done (checked against what the window shows), and Back / Next.

use egui::{RichText, Ui};

use super::theme;
use crate::lessons::{Lesson, Observed, Show};

/// A lesson being followed.
pub struct LessonRun {
    /// The lesson.
    pub lesson: Lesson,
    step: usize,
    done: Vec<bool>,
    shown: Option<usize>,
}

/// What the panel asks the window to do.
#[derive(Debug, PartialEq)]
pub enum LessonAction {
    /// Nothing.
    None,
    /// Go to this place (a step has started).
    Show(Show),
    /// Close the lesson.
    Close,
}

impl LessonRun {
    /// Starts `lesson` at its first step.
    pub fn new(lesson: Lesson) -> Self {
        let steps = lesson.steps.len();
        Self {
            lesson,
            step: 0,
            done: vec![false; steps],
            shown: None,
        }
    }

    /// The current step, counting from 0; equal to the number of steps once finished.
    pub fn step(&self) -> usize {
        self.step
    }

    /// Whether every step has been done.
    pub fn is_complete(&self) -> bool {
        self.step >= self.lesson.steps.len()
    }

    /// Draws the panel's contents, checking the current step against `seen`. Every text
    /// goes through `say` (presenter mode replaces customers' names in it).
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        seen: &Observed<'_>,
        say: &dyn Fn(&str) -> String,
    ) -> LessonAction {
        let mut action = LessonAction::None;
        ui.heading(say(&self.lesson.title));
        ui.label(RichText::new(say(&self.lesson.about)).color(theme::MUTED));
        ui.separator();
        let total = self.lesson.steps.len();
        let Some(step) = self.lesson.steps.get(self.step) else {
            ui.label(
                RichText::new("Lesson complete.")
                    .strong()
                    .color(theme::POSITIVE),
            );
            ui.label("Every step was done. Choose another lesson from the Lessons menu, or reset the training shop to start again.");
            if ui.button("Close the lesson").clicked() {
                action = LessonAction::Close;
            }
            return action;
        };
        if self.shown != Some(self.step) {
            self.shown = Some(self.step);
            if let Some(show) = &step.show {
                action = LessonAction::Show(show.clone());
            }
        }
        if let Some(check) = &step.done_when
            && check.holds(seen)
        {
            self.done[self.step] = true;
        }
        let done = step.done_when.is_none() || self.done[self.step];
        ui.label(RichText::new(format!("Step {} of {total}", self.step + 1)).strong());
        ui.label(say(&step.text));
        if let Some(look) = &step.look_at {
            ui.horizontal_wrapped(|ui| {
                ui.label("Look at:");
                ui.label(RichText::new(say(look)).strong());
            });
        }
        if let Some(task) = &step.task {
            ui.add_space(4.0);
            ui.horizontal_wrapped(|ui| {
                ui.label("Your turn:");
                ui.label(RichText::new(say(task)).strong());
            });
            if step.done_when.is_some() {
                if done {
                    ui.label(RichText::new("Done.").color(theme::POSITIVE));
                } else {
                    ui.label(RichText::new("Waiting for you to do this.").color(theme::FLAG));
                }
            }
        }
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if self.step > 0 && ui.button("Back").clicked() {
                self.step -= 1;
                self.shown = None;
            }
            let next = if self.step + 1 == total {
                "Finish"
            } else {
                "Next"
            };
            if ui.add_enabled(done, egui::Button::new(next)).clicked() {
                self.step += 1;
            }
            if ui.button("Leave the lesson").clicked() {
                action = LessonAction::Close;
            }
        });
        action
    }
}
