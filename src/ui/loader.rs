//! Loading a shop off the UI thread (see [`crate::session::shop`]), with progress.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};

use chrono::NaiveDate;

pub use crate::session::shop::Loaded;
use crate::session::shop::load_with_progress;

/// Messages from the loading thread.
enum Message {
    Progress(f32, String),
    Done(Box<Result<Loaded, String>>),
}

/// A load in progress on a worker thread.
pub struct Loading {
    /// The file being loaded.
    pub path: PathBuf,
    /// 0 to 1.
    pub fraction: f32,
    /// What is happening now.
    pub stage: String,
    rx: Receiver<Message>,
}

impl Loading {
    /// Starts loading `path`; `wake` is called whenever there is news.
    pub fn spawn(path: PathBuf, today: NaiveDate, wake: impl Fn() + Send + 'static) -> Self {
        let (tx, rx) = channel();
        let thread_path = path.clone();
        std::thread::spawn(move || {
            let progress = |f: f32, stage: &str| {
                let _ = tx.send(Message::Progress(f, stage.to_owned()));
                wake();
            };
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                load_with_progress(&thread_path, today, &progress).map_err(|e| e.to_string())
            }))
            .unwrap_or_else(|panic| Err(super::jobs::crash_message(panic.as_ref())));
            let _ = tx.send(Message::Done(Box::new(result)));
            wake();
        });
        Self {
            path,
            fraction: 0.0,
            stage: "Starting".to_owned(),
            rx,
        }
    }

    /// Takes in news; returns the result once loading has finished.
    pub fn poll(&mut self) -> Option<Result<Loaded, String>> {
        while let Ok(message) = self.rx.try_recv() {
            match message {
                Message::Progress(f, stage) => {
                    self.fraction = f;
                    self.stage = stage;
                }
                Message::Done(result) => return Some(*result),
            }
        }
        None
    }
}
