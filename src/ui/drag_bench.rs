//! The window's update latency under a scripted drag of a rule's weight slider, for
//! `candor bench`: the real scenario (the same code the Rules view drives) takes one new
//! weight per frame at 60 frames a second, cancelling the simulation before; from the last
//! new weight (the pointer stopping), the time until the lists and impact are ready to show,
//! and until the audit and relevance are ready too.

use std::time::{Duration, Instant};

use super::scenario::Scenario;
use crate::engine::changes::Change;
use crate::session::Loaded;

/// Weights the scripted drag passes through before the pointer stops.
const DRAG_STEPS: usize = 10;

/// One frame at 60 frames a second.
const FRAME: Duration = Duration::from_millis(16);

/// Milliseconds from the pointer stopping, one per drag.
#[derive(Debug, Default)]
pub struct DragTimings {
    /// Until the lists and the whole-shop impact are shown.
    pub lists: Vec<f64>,
    /// Until the audit and the relevance before and after are shown too.
    pub everything: Vec<f64>,
}

/// The timings of `drags` drags of the first rule that is on (the first drag also measures
/// the relevance before, which the window then keeps); `None` when the shop has no rule
/// switched on. An error is the message a simulation ended with.
pub fn weight_drag_latency(loaded: &Loaded, drags: usize) -> Result<Option<DragTimings>, String> {
    let Some(rule) = loaded.index.shop().rules.iter().find(|r| r.enabled) else {
        return Ok(None);
    };
    let ctx = egui::Context::default();
    let mut scenario = Scenario::default();
    scenario.set_audit(loaded.audit.config.clone(), Some(loaded.audit.clone()));
    let mut timings = DragTimings::default();
    for drag in 0..drags {
        let from = if drag % 2 == 0 {
            rule.weight
        } else {
            rule.weight - 1.0
        };
        let mut stopped = Instant::now();
        for step in 0..DRAG_STEPS {
            let sign = if drag % 2 == 0 { -1.0 } else { 1.0 };
            let weight = from + sign * 0.1 * (step + 1) as f64;
            scenario.push(Change::RuleWeight {
                rule: rule.id.clone(),
                weight: (weight * 100.0).round() / 100.0,
            });
            stopped = Instant::now();
            scenario.poll(loaded, &ctx);
            std::thread::sleep(FRAME);
        }
        let mut shown = None;
        while scenario.outcome().is_none() {
            scenario.poll(loaded, &ctx);
            if let Some(error) = scenario.error() {
                return Err(error.to_owned());
            }
            if shown.is_none() && scenario.preview().is_some() {
                shown = Some(stopped.elapsed());
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let done = stopped.elapsed();
        timings
            .lists
            .push(shown.unwrap_or(done).as_secs_f64() * 1000.0);
        timings.everything.push(done.as_secs_f64() * 1000.0);
    }
    Ok(Some(timings))
}
