//! The window: renders state and sends intents. No SQL here, and no engine work inside
//! a frame beyond one customer's explanation; loading runs on a worker thread.

mod app;
mod audit_log;
mod breach;
mod charts;
mod customer;
mod customers;
mod drag_bench;
mod ethics;
mod files;
mod frame_bench;
mod guide;
mod history;
mod import;
mod import_statuses;
mod jobs;
mod lesson;
mod loader;
mod new_customer;
mod outreach;
mod owner;
mod path_entry;
mod preferences;
mod protect;
mod purposes;
mod relevance;
mod rules;
mod scenario;
mod scorecard;
mod shortcuts;
mod theme;
mod why;

pub use crate::session::{Loaded, load_blocking};
pub use app::{CandorApp, Saved, Tab};
pub use drag_bench::{DragTimings, weight_drag_latency};
pub use ethics::{EthicsAction, EthicsView};
pub use files::{Ask, FileOpener, FilePicker, FileQuestion, report_no_dialog};
pub use frame_bench::customer_table_frames;
pub use guide::{Block, GUIDE, blocks as guide_blocks};
pub use import::{ImportAction, ImportDialog, ImportFile};
pub use lesson::{LessonAction, LessonRun};
pub use rules::RuleEditor;

use std::path::PathBuf;

/// The application icon (the package's 256-pixel PNG): the window's icon and the picture in
/// Help → How Candor works.
pub const ICON_PNG: &[u8] = include_bytes!("../../packaging/icons/candor-256.png");

/// The name the desktop knows the window by (X11 class, Wayland app id): the same as the
/// package's `candor.desktop`, so the menu entry, the task bar and the icon belong together.
pub const APP_ID: &str = "candor";

/// The window's options: title, sizes, icon and app id. The window's own settings stay where
/// earlier versions kept them (eframe's folder for "Candor").
pub fn native_options() -> anyhow::Result<eframe::NativeOptions> {
    let icon = eframe::icon_data::from_png_bytes(ICON_PNG)
        .map_err(|e| anyhow::anyhow!("the window icon could not be read: {e}"))?;
    let persistence_path = eframe::storage_dir("Candor").map(|dir| dir.join("app.ron"));
    if let Some(dir) = persistence_path
        .as_deref()
        .and_then(std::path::Path::parent)
    {
        std::fs::create_dir_all(dir)?;
    }
    Ok(eframe::NativeOptions {
        renderer: eframe::Renderer::Glow,
        viewport: egui::ViewportBuilder::default()
            .with_title("Candor")
            .with_app_id(APP_ID)
            .with_icon(std::sync::Arc::new(icon))
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([900.0, 560.0])
            .with_drag_and_drop(true),
        persistence_path,
        ..Default::default()
    })
}

/// Opens the window on a shop file (with the import dialog showing `imports`, if any), or,
/// without one, on the shop open last (else the sample shop), and runs until it is closed.
pub fn run_window(path: Option<PathBuf>, imports: Vec<PathBuf>) -> anyhow::Result<()> {
    let today = chrono::Local::now().date_naive();
    let options = native_options()?;
    eframe::run_native(
        "Candor",
        options,
        Box::new(move |cc| {
            let saved: Saved = cc
                .storage
                .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
                .unwrap_or_default();
            let path = match path.or_else(|| saved.last_shop()) {
                Some(path) => path,
                None => crate::paths::ensure_default_shop()?,
            };
            let mut app = CandorApp::new(saved, today);
            if !imports.is_empty() {
                app.start_import(path.clone(), imports);
            }
            app.open(path, &cc.egui_ctx);
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("the window could not open: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_carries_the_candor_icon() {
        let options = native_options().expect("options");
        let icon = options.viewport.icon.expect("an icon");
        assert_eq!((icon.width, icon.height), (256, 256));
        assert_eq!(icon.rgba.len(), 256 * 256 * 4);
        assert_eq!(options.viewport.app_id.as_deref(), Some(APP_ID));
        let settings = options.persistence_path.expect("settings file");
        assert!(settings.ends_with("app.ron"));
    }

    #[test]
    fn each_staff_member_keeps_their_own_details_choice() {
        use crate::access::Role;
        let mut saved = Saved::default();
        saved.remember_actor(Role::Staff, "Kim");
        saved.set_details(Role::Staff, true);
        assert!(saved.details(Role::Staff));
        saved.remember_actor(Role::Staff, "Priya");
        assert!(!saved.details(Role::Staff), "Priya has made no choice yet");
        saved.remember_actor(Role::Staff, "Kim");
        assert!(
            saved.details(Role::Staff),
            "Kim's choice comes back with her name"
        );
        assert!(!saved.details(Role::Owner), "the owner's is their own");
    }
}
