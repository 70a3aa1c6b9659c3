//! Headless frame timing of the Customers table, for `candor bench`: egui's own
//! `Context` lays out and tessellates the real view (no window, no GPU): CPU time.

use std::time::Instant;

use egui::{Event, MouseWheelSource, MouseWheelUnit, Pos2, RawInput, Rect, TouchPhase, Vec2};

use super::customers::CustomersView;
use crate::engine::overview::CustomerRow;

/// CPU milliseconds per frame of the Customers table: `still` frames at rest, then
/// `scrolling` frames with the mouse wheel turning.
pub fn customer_table_frames(
    rows: &[CustomerRow],
    still: usize,
    scrolling: usize,
) -> (Vec<f64>, Vec<f64>) {
    let ctx = egui::Context::default();
    let mut view = CustomersView::new(rows);
    let screen = Rect::from_min_size(Pos2::ZERO, Vec2::new(1280.0, 800.0));
    let mut frame = |events: Vec<Event>| {
        let input = RawInput {
            screen_rect: Some(screen),
            events,
            ..RawInput::default()
        };
        let start = Instant::now();
        let mut output = ctx.run_ui(input, |ui| {
            egui::CentralPanel::default().show(ui, |ui| {
                let _ = view.ui(ui, rows, None, None);
            });
        });
        // Tessellation is part of a frame's CPU work; only the GPU upload is left out.
        let shapes = std::mem::take(&mut output.shapes);
        let _meshes = ctx.tessellate(shapes, output.pixels_per_point);
        let elapsed = start.elapsed().as_secs_f64() * 1000.0;
        output.textures_delta.clear();
        elapsed
    };
    // Warm up fonts and layout caches, as a window has after its first frames.
    for _ in 0..3 {
        frame(Vec::new());
    }
    let at_rest = (0..still).map(|_| frame(Vec::new())).collect();
    let wheel = || {
        vec![
            Event::PointerMoved(Pos2::new(300.0, 400.0)),
            Event::MouseWheel {
                unit: MouseWheelUnit::Point,
                delta: Vec2::new(0.0, -240.0),
                phase: TouchPhase::Move,
                source: MouseWheelSource::Unknown,
                modifiers: egui::Modifiers::NONE,
            },
        ]
    };
    let moving = (0..scrolling).map(|_| frame(wheel())).collect();
    (at_rest, moving)
}
