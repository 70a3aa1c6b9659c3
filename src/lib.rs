//! Candor: explainable, consent-aware personalization for small shops.
//!
//! * [`engine`]: pure domain logic over an in-memory snapshot (no SQL, no UI).
//! * [`store`]: the SQLite shop file: schema, migrations, loading and saving.
//! * [`shopgen`]: the bundled sample shop and the synthetic demo-shop generator.
//! * [`session`]: the use cases (open, simulate, apply, undo, …) the window and the CLI share.
//! * [`cli`]: the command line, the same engine as the window.
//! * [`ui`]: the egui window.

pub mod access;
pub mod bench;
pub mod breach;
pub mod cli;
pub mod engine;
pub mod html;
pub mod import;
pub mod lessons;
pub mod paths;
pub mod rights;
pub mod safe_write;
pub mod session;
pub mod shopgen;
pub mod store;
pub mod ui;
