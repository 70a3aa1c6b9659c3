//! Keyboard shortcuts for the main views, and the help window that lists them. One table
//! drives both, so the help can never disagree with the keys.

use egui::{Key, KeyboardShortcut, Modifiers};

use super::app::Tab;

/// What a shortcut does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcut {
    /// Show a view.
    Show(Tab),
    /// Open a shop file.
    Open,
    /// Show or hide this list.
    Help,
    /// Presenter mode on or off.
    Presenter,
}

/// Every shortcut: the keys, what it does, and its description.
pub const SHORTCUTS: [(KeyboardShortcut, Shortcut, &str); 8] = [
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::Num1),
        Shortcut::Show(Tab::Scorecard),
        "Scorecard",
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::Num2),
        Shortcut::Show(Tab::Customers),
        "Customers",
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::Num3),
        Shortcut::Show(Tab::Rules),
        "Rules",
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::Num4),
        Shortcut::Show(Tab::Audit),
        "Ethics audit",
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::Num5),
        Shortcut::Show(Tab::Log),
        "Audit log",
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::O),
        Shortcut::Open,
        "Open a shop file",
    ),
    (
        KeyboardShortcut::new(Modifiers::NONE, Key::F1),
        Shortcut::Help,
        "Show or hide this list",
    ),
    (
        KeyboardShortcut::new(Modifiers::NONE, Key::F11),
        Shortcut::Presenter,
        "Presenter mode: larger text, high contrast, pseudonyms",
    ),
];

/// The shortcuts pressed this frame (consumed, so text fields do not also see them).
pub fn pressed(ctx: &egui::Context) -> Vec<Shortcut> {
    ctx.input_mut(|i| {
        SHORTCUTS
            .iter()
            .filter(|(keys, _, _)| i.consume_shortcut(keys))
            .map(|(_, action, _)| *action)
            .collect()
    })
}

/// The help window; `open` is cleared when it is closed.
pub fn help_window(ctx: &egui::Context, open: &mut bool) {
    egui::Window::new("Keyboard shortcuts")
        .open(open)
        .resizable(false)
        .show(ctx, |ui| {
            egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                for (keys, _, what) in &SHORTCUTS {
                    ui.monospace(ctx.format_shortcut(keys));
                    ui.label(*what);
                    ui.end_row();
                }
            });
        });
}
