//! Where no file dialog can open (a desktop without a file-chooser service, such as
//! xdg-desktop-portal), the window says so and asks for the path in a field of its own,
//! instead of doing nothing.

use std::path::PathBuf;

use super::app::Command;
use super::files::{Ask, FileQuestion};
use super::theme;

/// The path field standing in for a file dialog.
pub struct PathEntry {
    /// The question the dialog would have asked.
    pub question: FileQuestion,
    /// The command that asked, run again once a path is given.
    pub replay: Option<Command>,
    typed: String,
    error: Option<String>,
    /// Whether the field was given the keyboard once (so typing goes straight in).
    focused: bool,
    /// A file already there that the person was warned about (a second press replaces it).
    replace: Option<PathBuf>,
    id: egui::Id,
}

/// What the path field decided.
pub enum PathDecision {
    /// Still open.
    Open,
    /// Use this path.
    Use(PathBuf),
    /// Closed.
    Cancel,
}

impl PathEntry {
    /// A field for `question`, asked while `replay` ran.
    pub fn new(question: FileQuestion, replay: Option<Command>) -> Self {
        // Where the dialog would have started (the suggested folder, else the home folder),
        // with the suggested name: a whole path, so nothing lands in an unknown folder.
        let folder = question.folder.clone().or_else(home);
        let typed = match (&folder, &question.file_name) {
            (Some(folder), Some(name)) => folder.join(name).display().to_string(),
            (Some(folder), None) => format!("{}/", folder.display()),
            (None, name) => name.clone().unwrap_or_default(),
        };
        Self {
            question,
            replay,
            typed,
            error: None,
            focused: false,
            replace: None,
            id: egui::Id::unique(("path-entry", std::time::SystemTime::now())),
        }
    }

    /// Draws the field.
    pub fn ui(&mut self, ctx: &egui::Context) -> PathDecision {
        let mut decision = PathDecision::Open;
        egui::Modal::new(self.id).show(ctx, |ui| {
            ui.set_width(480.0);
            ui.heading(&self.question.title);
            ui.colored_label(
                theme::FLAG,
                "No file dialog could open on this computer (it has no desktop file-chooser service, such as xdg-desktop-portal). Type the path instead.",
            );
            let l = ui.label(self.what());
            let field = ui
                .add(egui::TextEdit::singleline(&mut self.typed).desired_width(f32::INFINITY))
                .labelled_by(l.id);
            if !self.focused {
                field.request_focus();
                self.focused = true;
            }
            if let Some(e) = &self.error {
                ui.colored_label(theme::NEGATIVE, e);
            }
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.horizontal(|ui| {
                if ui.button("Use this path").clicked() || enter {
                    decision = self.checked();
                }
                if ui.button("Cancel").clicked() {
                    decision = PathDecision::Cancel;
                }
            });
        });
        decision
    }

    fn what(&self) -> &'static str {
        match self.question.ask {
            Ask::OpenFile | Ask::OpenFiles => "Path of the file",
            Ask::SaveFile => "Path of the file to write",
            Ask::Folder => "Path of the folder",
        }
    }

    /// The path typed (`~` standing for the home folder), when it can be what was asked
    /// for; a file to write that is already there is replaced only when asked twice.
    fn checked(&mut self) -> PathDecision {
        let path = expand_home(self.typed.trim());
        let replacing = self.question.ask == Ask::SaveFile && path.is_file();
        if replacing && self.replace.as_ref() != Some(&path) {
            self.replace = Some(path);
            self.error = Some(
                "A file is already there: press \u{201c}Use this path\u{201d} again to replace it."
                    .to_owned(),
            );
            return PathDecision::Open;
        }
        let problem = match self.question.ask {
            _ if self.typed.trim().is_empty() => Some("Type a path first."),
            _ if !path.is_absolute() => {
                Some("Type the whole path, from the top folder (for example ~/shop.candor).")
            }
            Ask::OpenFile | Ask::OpenFiles if !path.is_file() => {
                Some("There is no file at that path.")
            }
            Ask::Folder if !path.is_dir() => Some("There is no folder at that path."),
            Ask::SaveFile if path.is_dir() => Some("That is a folder: add the file's name."),
            Ask::SaveFile
                if path
                    .parent()
                    .is_some_and(|p| !p.as_os_str().is_empty() && !p.is_dir()) =>
            {
                Some("The folder for that file does not exist.")
            }
            _ => None,
        };
        match problem {
            Some(problem) => {
                self.error = Some(problem.to_owned());
                PathDecision::Open
            }
            None => PathDecision::Use(path),
        }
    }
}

/// The person's home folder, if the system says.
fn home() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.home_dir().to_owned())
}

/// `typed` with a leading `~` read as the home folder.
fn expand_home(typed: &str) -> PathBuf {
    let rest = match typed.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest.trim_start_matches('/'),
        _ => return PathBuf::from(typed),
    };
    match home() {
        Some(home) if rest.is_empty() => home,
        Some(home) => home.join(rest),
        None => PathBuf::from(typed),
    }
}
