//! Jobs on worker threads (apply, undo, erase, reset, reading the log, loading) and
//! collecting their results.

use crate::ui::loader::LoadFailure;
use std::path::PathBuf;

use super::{ApplyFailure, CandorApp, Command, LogRead, Written};
use crate::session::SessionError;
use crate::store::Attribution;
use crate::ui::jobs::Job;
use crate::ui::{Ask, FileQuestion};

impl CandorApp {
    /// Whether an apply or undo is still being written.
    pub fn is_applying(&self) -> bool {
        self.applying.is_some()
    }

    pub(super) fn poll_exporting(&mut self) {
        let Some(result) = self.exporting.as_ref().and_then(Job::poll) else {
            return;
        };
        self.exporting = None;
        match result.and_then(std::convert::identity) {
            Ok(message) => {
                self.notice = Some(message);
                self.commands.push(Command::RefreshLog);
            }
            Err(message) => self.error = Some(message),
        }
    }

    /// Whether a customer's data is still being exported.
    pub fn is_exporting(&self) -> bool {
        self.exporting.is_some()
    }

    pub(super) fn poll_applying(&mut self) {
        let Some(job) = &self.applying else {
            return;
        };
        let Some(result) = job.poll() else {
            return;
        };
        self.applying = None;
        let result = result.unwrap_or_else(|message| {
            Err(ApplyFailure {
                stale: false,
                message,
            })
        });
        let succeeded = result.is_ok();
        match result {
            Ok(written) => {
                self.scenario.clear();
                self.show_loaded(written.loaded);
                self.notice = Some(written.message);
                self.backups_to_delete = (written.backups, false);
            }
            Err(failure) => {
                self.error = Some(failure.message);
                if failure.stale
                    && let Some(shop) = &self.shop
                {
                    let path = shop.path.clone();
                    self.commands.push(Command::Open(path));
                }
            }
        }
        self.after_reset(succeeded);
    }

    /// Applies the simulated scenario, or undoes entry `undo`, on a worker thread; the
    /// scenario's outcome is written as simulated, nothing is computed again.
    pub(super) fn start_apply(&mut self, ctx: &egui::Context, who: Attribution, undo: Option<i64>) {
        let Some(shop) = &self.shop else {
            return;
        };
        let path = shop.path.clone();
        let today = self.today;
        if self.is_presenting() {
            // A pseudonymized snapshot must never be written back.
            self.refuse_while_presenting();
            return;
        }
        let outcome = self.scenario.outcome().cloned();
        if undo.is_none() && outcome.is_none() {
            return;
        }
        let simulated_undo = self.scenario.undoes();
        let ctx = ctx.clone();
        self.applying = Some(Job::spawn(
            0,
            move || ctx.request_repaint(),
            move |_| {
                let done = match (undo, outcome) {
                    (Some(entry), _) => crate::session::apply::undo(&path, entry, &who, today),
                    (None, Some(outcome)) => match simulated_undo {
                        Some(entry) => {
                            crate::session::apply::apply_undo(&path, &outcome, entry, &who)
                        }
                        None => crate::session::apply::apply(&path, &outcome, &who),
                    },
                    (None, None) => unreachable!("checked before the job started"),
                }?;
                Ok(Written {
                    message: format!("Saved and recorded as audit-log entry {}.", done.entry),
                    loaded: done.loaded,
                    backups: Vec::new(),
                })
            },
        ));
    }

    /// Replaces the training shop at `path` by a fresh sample shop on a worker thread.
    pub(super) fn start_reset(&mut self, ctx: &egui::Context, path: PathBuf) {
        let today = self.today;
        let ctx = ctx.clone();
        self.applying = Some(Job::spawn(
            0,
            move || ctx.request_repaint(),
            move |_| {
                let loaded = crate::session::apply::reset_training_shop(&path, today)?;
                Ok(Written {
                    message: "The training shop is as it was first delivered.".to_owned(),
                    loaded,
                    backups: Vec::new(),
                })
            },
        ));
    }

    /// Reads the audit log again on a worker thread (nothing is read on this one).
    pub(super) fn start_log_read(&mut self, ctx: &egui::Context) {
        self.spawn_log_job(ctx, None, |path| Ok(crate::session::read_log(path)?));
    }

    /// Logs that `who` looked at a customer's masked data on a worker thread; the data is
    /// shown once the entry is written.
    pub(super) fn reveal(&mut self, ctx: &egui::Context, customer: i64, who: Attribution) {
        self.spawn_log_job(ctx, Some(customer), move |path| {
            crate::session::apply::reveal(path, customer, &who)
        });
    }

    /// Adds `name` to the staff list on a worker thread; the who-and-why dialog then offers it.
    pub(super) fn add_staff_name(&mut self, ctx: &egui::Context, name: String) {
        self.spawn_log_job(ctx, None, move |path| {
            crate::session::apply::add_staff_name(path, &name)
        });
    }

    /// Runs `work` on the open shop's file on a worker thread; it hands back the log as it
    /// now is (and, for a reveal, the customer to show in full).
    fn spawn_log_job(
        &mut self,
        ctx: &egui::Context,
        reveals: Option<i64>,
        work: impl FnOnce(&std::path::Path) -> Result<crate::session::LogState, SessionError>
        + Send
        + 'static,
    ) {
        let Some(shop) = &self.shop else {
            return;
        };
        let path = shop.path.clone();
        let ctx = ctx.clone();
        let job = Job::spawn(0, move || ctx.request_repaint(), move |_| work(&path));
        self.log_read = Some(LogRead { job, reveals });
    }

    pub(super) fn poll_log_read(&mut self) {
        let Some(read) = &self.log_read else {
            return;
        };
        let Some(result) = read.job.poll() else {
            return;
        };
        let reveals = read.reveals;
        self.log_read = None;
        match result {
            Ok(Ok(log)) => {
                if let Some(shop) = &mut self.shop {
                    shop.refresh_log(log);
                }
                if let (Some(customer), Some(page)) = (reveals, &mut self.customer)
                    && page.customer_id() == customer
                {
                    page.reveal();
                }
            }
            Ok(Err(e)) => {
                if e.is_stale()
                    && let Some(shop) = &self.shop
                {
                    self.commands.push(Command::Open(shop.path.clone()));
                }
                self.error = Some(e.to_string());
            }
            Err(crash) => self.error = Some(crash),
        }
    }

    /// Whether the audit log is being read or written by a reveal.
    pub fn is_reading_log(&self) -> bool {
        self.log_read.is_some()
    }

    /// Erases a customer (or, with `None`, purges everything past its retention period)
    /// on a worker thread, then shows the shop as it now is.
    /// Writes a checked backup of the shop where the person chooses, off the UI thread.
    pub(super) fn back_up(&mut self, ctx: &egui::Context) {
        let Some(shop) = &self.shop else {
            return;
        };
        let path = shop.path.clone();
        let name = format!(
            "{}-backup-{}.candor",
            path.file_stem()
                .map_or_else(|| "shop".into(), |s| s.to_string_lossy()),
            chrono::Local::now().format("%Y-%m-%d")
        );
        let question = FileQuestion::new(Ask::SaveFile, "Back up this shop")
            .named(&name)
            .filter("Candor shop", &["candor"]);
        let Some(out) = self.ask_path(&question) else {
            return;
        };
        let ctx = ctx.clone();
        self.exporting = Some(Job::spawn(
            0,
            move || ctx.request_repaint(),
            move |_| {
                let (store, _) =
                    crate::store::Store::open_for_reading(&path).map_err(|e| e.to_string())?;
                let done = store.back_up(&out).map_err(|e| e.to_string())?;
                Ok(done.summary())
            },
        ));
    }

    /// Puts the backup `from` back in the shop's place, off the UI thread, and shows the
    /// shop as restored.
    pub(super) fn start_restore(&mut self, ctx: &egui::Context, from: PathBuf, who: Attribution) {
        self.spawn_shop_write(ctx, move |path, today| {
            let done =
                crate::store::backup::restore(path, &from, &who).map_err(|e| ApplyFailure {
                    stale: false,
                    message: e.to_string(),
                })?;
            Ok(Written {
                message: done.summary(&from),
                loaded: crate::session::apply::reload(path, today)?,
                backups: Vec::new(),
            })
        });
    }

    /// Protects the shop with a password, changes it or takes it off, off the UI thread,
    /// and shows the shop as it then is.
    pub(super) fn start_protect(
        &mut self,
        ctx: &egui::Context,
        change: crate::store::Protection,
        who: Attribution,
    ) {
        self.spawn_shop_write(ctx, move |path, today| {
            let done = crate::session::apply::change_protection(path, &change, &who)?;
            Ok(Written {
                message: done.summary(path),
                loaded: crate::session::apply::reload(path, today)?,
                backups: Vec::new(),
            })
        });
    }

    /// Runs `write` (given the shop's file and day) on a worker thread as the window's
    /// one write in progress, closing the customer's page, which may no longer exist.
    fn spawn_shop_write(
        &mut self,
        ctx: &egui::Context,
        write: impl FnOnce(&std::path::Path, chrono::NaiveDate) -> super::ApplyOutcome + Send + 'static,
    ) {
        let Some(shop) = &self.shop else {
            return;
        };
        let path = shop.path.clone();
        let today = self.today;
        self.customer = None;
        let ctx = ctx.clone();
        self.applying = Some(Job::spawn(
            0,
            move || ctx.request_repaint(),
            move |_| write(&path, today),
        ));
    }

    /// Erases `customer`, or with `None` deletes what is past its retention period, off
    /// the UI thread, and shows the shop as it then is.
    pub(super) fn start_erase(
        &mut self,
        ctx: &egui::Context,
        customer: Option<i64>,
        who: Attribution,
    ) {
        self.spawn_shop_write(ctx, move |path, today| {
            let fail = |e: crate::rights::RightsError| ApplyFailure {
                stale: false,
                message: e.to_string(),
            };
            let (message, backups) = match customer {
                Some(c) => {
                    let done = crate::rights::erase(path, c, &who).map_err(fail)?;
                    (done.summary(), done.backups)
                }
                None => {
                    let plan = crate::rights::retention_plan(path, today).map_err(fail)?;
                    let entry = crate::rights::purge_retention(path, &plan, &who)
                        .map_err(fail)?
                        .entry;
                    (
                        format!("Purged and recorded as audit-log entry {entry}."),
                        Vec::new(),
                    )
                }
            };
            Ok(Written {
                message,
                loaded: crate::session::apply::reload(path, today)?,
                backups,
            })
        });
    }

    pub(super) fn poll_loading(&mut self) {
        let Some(loading) = &mut self.loading else {
            return;
        };
        if let Some(result) = loading.poll() {
            let path = loading.path.clone();
            self.loading = None;
            match result {
                Ok(loaded) => self.show_loaded(loaded),
                Err(LoadFailure::NeedsPassword { refused }) => {
                    self.unlock = Some(crate::ui::protect::UnlockDialog::new(path, refused));
                }
                Err(LoadFailure::Failed(message)) => self.error = Some(message),
            }
        }
    }
}
