//! Every file and folder the window asks the person for goes through one [`FilePicker`]:
//! the native dialogs (rfd) in the app, answers of their own in tests.

use std::path::PathBuf;

/// What kind of answer a question wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// One existing file.
    OpenFile,
    /// One or more existing files.
    OpenFiles,
    /// A file to write (it may not exist yet).
    SaveFile,
    /// A folder.
    Folder,
}

/// A question for a file or folder: its title, a suggested folder and name, and the kinds
/// of file offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileQuestion {
    /// What kind of answer is wanted.
    pub ask: Ask,
    /// The dialog's title.
    pub title: String,
    /// The folder the dialog starts in, if not the last one used.
    pub folder: Option<PathBuf>,
    /// The suggested file name (when saving).
    pub file_name: Option<String>,
    /// Kinds of file offered: a label and its extensions (`*` for any).
    pub filters: Vec<(&'static str, &'static [&'static str])>,
}

impl FileQuestion {
    /// A question of `ask` with `title`, no suggestion and no filter yet.
    pub fn new(ask: Ask, title: &str) -> Self {
        Self {
            ask,
            title: title.to_owned(),
            folder: None,
            file_name: None,
            filters: Vec::new(),
        }
    }

    /// Offers files with these extensions under `label`.
    #[must_use]
    pub fn filter(mut self, label: &'static str, extensions: &'static [&'static str]) -> Self {
        self.filters.push((label, extensions));
        self
    }

    /// Suggests a file name (sanitized: no folder separators).
    #[must_use]
    pub fn named(mut self, name: &str) -> Self {
        self.file_name = Some(name.replace(['/', '\\', ':'], "-"));
        self
    }

    /// Starts the dialog in `folder`.
    #[must_use]
    pub fn in_folder(mut self, folder: PathBuf) -> Self {
        self.folder = Some(folder);
        self
    }
}

/// Answers a [`FileQuestion`]: the chosen paths (one, except for [`Ask::OpenFiles`]), or
/// `None` when the person cancels.
pub type FilePicker = Box<dyn FnMut(&FileQuestion) -> Option<Vec<PathBuf>>>;

/// The picker the app uses: the system's native dialogs.
pub fn native_picker() -> FilePicker {
    Box::new(ask_natively)
}

thread_local! {
    static NO_DIALOG: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Says that the picker could not show any dialog (called by the picker, on the UI thread).
pub fn report_no_dialog() {
    NO_DIALOG.with(|flag| flag.set(true));
}

/// Whether the picker just said it could not show a dialog; clears the report.
pub fn take_no_dialog() -> bool {
    NO_DIALOG.with(std::cell::Cell::take)
}

/// How soon an answer of "nothing chosen" means no dialog was shown: nobody opens and
/// closes a dialog this fast, while a desktop without a file-chooser service (no
/// xdg-desktop-portal) answers at once.
const TOO_SOON_TO_BE_A_PERSON: std::time::Duration = std::time::Duration::from_millis(300);

fn ask_natively(question: &FileQuestion) -> Option<Vec<PathBuf>> {
    let asked = std::time::Instant::now();
    let answer = show_native(question);
    if answer.is_none() && asked.elapsed() < TOO_SOON_TO_BE_A_PERSON {
        report_no_dialog();
    }
    answer
}

fn show_native(question: &FileQuestion) -> Option<Vec<PathBuf>> {
    let mut dialog = rfd::FileDialog::new().set_title(&question.title);
    if let Some(folder) = &question.folder {
        dialog = dialog.set_directory(folder);
    }
    if let Some(name) = &question.file_name {
        dialog = dialog.set_file_name(name);
    }
    for (label, extensions) in &question.filters {
        dialog = dialog.add_filter(*label, extensions);
    }
    match question.ask {
        Ask::OpenFile => dialog.pick_file().map(|p| vec![p]),
        Ask::OpenFiles => dialog.pick_files(),
        Ask::SaveFile => dialog.save_file().map(|p| vec![p]),
        Ask::Folder => dialog.pick_folder().map(|p| vec![p]),
    }
}

/// Opens a file the window wrote (a customer's card, an audit report) in the system's
/// browser, so it can be read and printed there; says why when it cannot.
pub type FileOpener = Box<dyn FnMut(&std::path::Path) -> Result<(), String>>;

/// The opener the app uses: the system's default browser.
pub fn native_opener() -> FileOpener {
    Box::new(|path| opener::open_browser(path).map_err(|e| e.to_string()))
}
