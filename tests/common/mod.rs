//! Shared helpers for the integration tests.

pub mod window;

use std::path::PathBuf;

use chrono::NaiveDate;

/// The sample shop's pinned day.
#[allow(dead_code)] // each test binary compiles this module; not all use every helper
pub fn sample_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).expect("valid date")
}

/// Writes a fresh sample shop into a temporary folder.
pub fn sample_file() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("shop.candor");
    let shop = candor::shopgen::sample::sample_shop().expect("sample reads");
    candor::store::Store::create(&path, &shop).expect("sample written");
    (dir, path)
}
