//! Loading a shop off the UI thread (see [`crate::session::shop`]), with progress.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};

use chrono::NaiveDate;

pub use crate::session::shop::Loaded;
use crate::session::shop::load_with_progress;

/// Messages from the loading thread.
enum Message {
    Progress(f32, String),
    Done(Box<Result<Loaded, LoadFailure>>),
}

/// Why a shop did not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadFailure {
    /// The shop is protected with a password, and none this window holds opens it
    /// (`refused`: one was tried).
    NeedsPassword {
        /// A password was tried and did not open it.
        refused: bool,
    },
    /// Anything else, in words.
    Failed(String),
}

impl LoadFailure {
    fn of(e: crate::session::SessionError) -> Self {
        use crate::session::SessionError;
        use crate::store::StoreError;
        match e {
            SessionError::Store(StoreError::Protected { .. }) => {
                Self::NeedsPassword { refused: false }
            }
            SessionError::Store(StoreError::WrongPassword { .. }) => {
                Self::NeedsPassword { refused: true }
            }
            other => Self::Failed(other.to_string()),
        }
    }
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
                load_with_progress(&thread_path, today, &progress).map_err(LoadFailure::of)
            }))
            .unwrap_or_else(|panic| {
                Err(LoadFailure::Failed(super::jobs::crash_message(
                    panic.as_ref(),
                )))
            });
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
    pub fn poll(&mut self) -> Option<Result<Loaded, LoadFailure>> {
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
