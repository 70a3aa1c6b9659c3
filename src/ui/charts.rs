//! Small helpers shared by the bar charts.

/// The label of the bar at a whole-number axis position, or nothing between bars.
pub fn bar_label(labels: &[String], position: f64) -> String {
    let i = position.round();
    if (position - i).abs() < 1e-6 && i >= 0.0 {
        labels.get(i as usize).cloned().unwrap_or_default()
    } else {
        String::new()
    }
}

/// Grid marks at every whole number, so every bar can carry its label.
pub fn one_mark_per_bar() -> impl Fn(egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    egui_plot::uniform_grid_spacer(|_| [1.0, 5.0, 10.0])
}
