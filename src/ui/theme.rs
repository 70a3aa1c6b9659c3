//! One place for colours and their meaning, so views never hard-code a colour.

use egui::Color32;

/// A contribution that raised a score.
pub const POSITIVE: Color32 = Color32::from_rgb(46, 139, 87);
/// A contribution that lowered a score.
pub const NEGATIVE: Color32 = Color32::from_rgb(200, 70, 60);
/// The non-personal baseline.
pub const BASELINE: Color32 = Color32::from_rgb(120, 130, 145);
/// A finding that needs attention (e.g. data held but not used).
pub const FLAG: Color32 = Color32::from_rgb(214, 120, 20);
/// Secondary text.
pub const MUTED: Color32 = Color32::from_rgb(130, 130, 130);

/// The colour of a contribution bar.
pub fn contribution_colour(value: f64, baseline: bool) -> Color32 {
    if baseline {
        BASELINE
    } else if value < 0.0 {
        NEGATIVE
    } else {
        POSITIVE
    }
}

/// Presenter mode's look: high contrast (white on black, strong outlines) for a projector.
/// The window also zooms to [`PRESENTER_ZOOM`] while it is on.
pub fn presenter_visuals() -> egui::Visuals {
    let mut visuals = egui::Visuals::dark();
    visuals.override_text_color = Some(Color32::WHITE);
    visuals.panel_fill = Color32::BLACK;
    visuals.window_fill = Color32::BLACK;
    visuals.extreme_bg_color = Color32::BLACK;
    visuals.faint_bg_color = Color32::from_gray(30);
    for w in [
        &mut visuals.widgets.inactive,
        &mut visuals.widgets.hovered,
        &mut visuals.widgets.active,
        &mut visuals.widgets.noninteractive,
    ] {
        w.bg_stroke = egui::Stroke::new(1.5, Color32::WHITE);
    }
    visuals
}

/// How much larger everything is in presenter mode.
pub const PRESENTER_ZOOM: f32 = 1.3;
