//! Where Candor keeps its own files: the working copy of the sample shop, and the column
//! mappings saved by the import wizard.

use std::path::PathBuf;

use crate::shopgen::sample::sample_shop;
use crate::store::Store;

/// The per-user copy of the sample shop, so the bundled original is never modified.
pub fn default_shop_path() -> PathBuf {
    directories::ProjectDirs::from("", "", "Candor").map_or_else(
        || PathBuf::from("candor-sample-shop.candor"),
        |dirs| dirs.data_dir().join("sample-shop.candor"),
    )
}

/// Returns the default shop, writing it from the bundled sample on first use.
pub fn ensure_default_shop() -> anyhow::Result<PathBuf> {
    let path = default_shop_path();
    if !path.exists() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        Store::create(&path, &sample_shop()?)?;
    }
    Ok(path)
}

/// Candor's own folder in the user's data directory, or `CANDOR_DATA_DIR` when set (tests
/// and scripts keep their own there).
pub fn data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CANDOR_DATA_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "Candor").map(|dirs| dirs.data_dir().to_owned())
}

/// Where this computer remembers the newest audit-log entry it saw of each shop.
pub fn seen_heads_file() -> Option<PathBuf> {
    data_dir().map(|d| d.join("seen-heads.json"))
}

/// The folder the import wizard saves column mappings in, and looks in for one that fits a
/// file no preset recognizes.
pub fn mappings_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "Candor").map_or_else(
        || PathBuf::from("candor-mappings"),
        |dirs| dirs.data_dir().join("mappings"),
    )
}
