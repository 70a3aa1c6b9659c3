//! Work that runs off the UI thread: a closure on a worker thread with shared progress
//! and a cancel flag, polled once per frame.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, channel};

use crate::engine::simulate::Progress;

/// A background job producing a `T`.
pub struct Job<T> {
    /// Progress shared with the worker.
    pub progress: Arc<Progress>,
    /// How many units of progress make 100 %.
    pub total: usize,
    rx: Receiver<Result<T, String>>,
}

/// The message shown when a worker thread stopped on an internal error.
pub(crate) fn crash_message(panic: &(dyn std::any::Any + Send)) -> String {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no details".to_owned());
    format!(
        "Candor stopped this work because of an internal error ({detail}). No figures were shown and nothing was written; please report it."
    )
}

impl<T: Send + 'static> Job<T> {
    /// Runs `work` on a new thread; `wake` is called when it finishes.
    pub fn spawn(
        total: usize,
        wake: impl Fn() + Send + 'static,
        work: impl FnOnce(&Progress) -> T + Send + 'static,
    ) -> Self {
        let (tx, rx) = channel();
        let progress = Arc::new(Progress::default());
        let shared = Arc::clone(&progress);
        std::thread::spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&shared)))
                .map_err(|panic| crash_message(panic.as_ref()));
            // The window may have dropped the job (e.g. a cancelled simulation): then
            // nobody waits for the result, and dropping it is right.
            let _ = tx.send(result);
            wake();
        });
        Self {
            progress,
            total,
            rx,
        }
    }

    /// The result, once the worker has finished (`None` while it runs); `Err` with a
    /// message when the worker stopped on an internal error instead of finishing.
    pub fn poll(&self) -> Option<Result<T, String>> {
        self.rx.try_recv().ok()
    }

    /// Fraction done, 0 to 1.
    pub fn fraction(&self) -> f32 {
        if self.total == 0 {
            return 0.0;
        }
        (self.progress.done.load(Ordering::Relaxed) as f32 / self.total as f32).min(1.0)
    }

    /// Asks the worker to stop.
    pub fn cancel(&self) {
        self.progress.cancel.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::Job;

    #[test]
    fn a_worker_that_panics_hands_back_an_error_not_a_default() {
        let job: Job<Vec<u32>> = Job::spawn(0, || {}, |_| panic!("figure out of range"));
        let result = loop {
            if let Some(r) = job.poll() {
                break r;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        let message = result.expect_err("an error");
        assert!(message.contains("internal error"), "{message}");
        assert!(message.contains("figure out of range"), "{message}");
    }
}
