//! The window: renders state and sends intents. No SQL here, and no engine work inside
//! a frame beyond one customer's explanation; loading runs on a worker thread.

mod app;
mod audit_log;
mod charts;
mod customer;
mod customers;
mod ethics;
mod files;
mod frame_bench;
mod history;
mod import;
mod jobs;
mod lesson;
mod loader;
mod owner;
mod purposes;
mod rules;
mod scenario;
mod scorecard;
mod shortcuts;
mod theme;
mod why;

pub use crate::session::{Loaded, load_blocking};
pub use app::{CandorApp, Saved, Tab};
pub use ethics::{EthicsAction, EthicsView};
pub use files::{Ask, FileOpener, FilePicker, FileQuestion};
pub use frame_bench::customer_table_frames;
pub use import::{ImportAction, ImportDialog, ImportFile};
pub use lesson::{LessonAction, LessonRun};
pub use rules::RuleEditor;

use std::path::PathBuf;

/// Opens the window, optionally on a shop file (with the import dialog showing `imports`,
/// if any), and runs until it is closed.
pub fn run_window(path: Option<PathBuf>, imports: Vec<PathBuf>) -> anyhow::Result<()> {
    let today = chrono::Local::now().date_naive();
    let options = eframe::NativeOptions {
        renderer: eframe::Renderer::Glow,
        viewport: egui::ViewportBuilder::default()
            .with_title("Candor")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([900.0, 560.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "Candor",
        options,
        Box::new(move |cc| {
            let saved: Saved = cc
                .storage
                .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
                .unwrap_or_default();
            let mut app = CandorApp::new(saved, today);
            if let Some(path) = path {
                if !imports.is_empty() {
                    app.start_import(path.clone(), imports);
                }
                app.open(path, &cc.egui_ctx);
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("the window could not open: {e}"))
}
