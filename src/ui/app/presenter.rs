//! Presenter mode: the shop pseudonymized on a worker thread, shown read-only.

use super::{CandorApp, PRESENTING_REFUSAL};
use crate::ui::customer::CustomerPage;
use crate::ui::customers::CustomersView;
use crate::ui::jobs::Job;

impl CandorApp {
    /// Whether presenter mode is on (the shop on show holds pseudonyms).
    pub fn is_presenting(&self) -> bool {
        self.shop.as_ref().is_some_and(|s| s.pseudonyms.is_some())
    }

    pub(super) fn refuse_while_presenting(&mut self) {
        self.error = Some(PRESENTING_REFUSAL.to_owned());
    }

    /// Turns presenter mode on (pseudonymizing the shop on a worker thread) or off
    /// (reloading the real shop from its file).
    pub(super) fn set_presenter(&mut self, on: bool, ctx: &egui::Context) {
        let Some(shop) = &self.shop else {
            return;
        };
        if !on {
            if self.is_presenting() {
                let path = shop.path.clone();
                self.open(path, ctx);
            }
            return;
        }
        if self.is_presenting() || self.presenting.is_some() {
            return;
        }
        if !self.scenario.is_empty() {
            // Its descriptions and results were computed with real names and values.
            self.error = Some(
                "Apply or discard the pending scenario first: presenter mode starts from the shop as it is.".to_owned(),
            );
            return;
        }
        let snapshot = std::sync::Arc::clone(shop.index.shop_arc());
        let (path, head, log) = (shop.path.clone(), shop.head.clone(), shop.log.clone());
        let today = self.today;
        let wake = ctx.clone();
        self.presenting = Some(Job::spawn(
            1,
            move || wake.request_repaint(),
            move |_| {
                crate::session::present::present(&path, &snapshot, head, log, today)
                    .map_err(|e| e.to_string())
            },
        ));
    }

    pub(super) fn poll_presenting(&mut self, ctx: &egui::Context) {
        let polled = self
            .presenting
            .as_ref()
            .and_then(Job::poll)
            .map(|r| r.and_then(std::convert::identity));
        if let Some(Err(message)) = &polled {
            self.presenting = None;
            self.error = Some(message.clone());
        }
        if let Some(Ok(loaded)) = polled {
            self.presenting = None;
            let position = self.customer.as_ref().map(CustomerPage::position);
            self.customers = CustomersView::new(&loaded.rows);
            self.customer = position
                .filter(|&p| p < loaded.rows.len())
                .map(|p| CustomerPage::new(&loaded, p));
            self.shop = Some(loaded);
        }
        match (self.is_presenting(), self.before_presenting.is_some()) {
            (true, false) => {
                self.before_presenting =
                    Some((ctx.global_style().visuals.clone(), ctx.zoom_factor()));
                ctx.set_visuals(crate::ui::theme::presenter_visuals());
                ctx.set_zoom_factor(crate::ui::theme::PRESENTER_ZOOM);
            }
            (false, true) => {
                if let Some((visuals, zoom)) = self.before_presenting.take() {
                    ctx.set_visuals(visuals);
                    ctx.set_zoom_factor(zoom);
                }
            }
            _ => {}
        }
        if self.is_presenting() && self.who_why.is_some() {
            self.who_why = None;
            self.refuse_while_presenting();
        }
    }
}
