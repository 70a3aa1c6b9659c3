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
