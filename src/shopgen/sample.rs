//! The bundled sample shop: a small bakery-café whose CSV files in `sample-data/` are
//! compiled into the binary, so Candor opens on it with no setup.

use super::bundle::{BundleError, FILES, PREFERENCES_FILE, read_bundle};
use crate::engine::model::Shop;

/// The sample shop's files, embedded at build time.
const EMBEDDED: [(&str, &str); 11] = [
    (FILES[0], include_str!("../../sample-data/shop.csv")),
    (FILES[1], include_str!("../../sample-data/customers.csv")),
    (
        FILES[2],
        include_str!("../../sample-data/field_sources.csv"),
    ),
    (FILES[3], include_str!("../../sample-data/products.csv")),
    (FILES[4], include_str!("../../sample-data/orders.csv")),
    (FILES[5], include_str!("../../sample-data/order_lines.csv")),
    (FILES[6], include_str!("../../sample-data/purposes.csv")),
    (FILES[7], include_str!("../../sample-data/consents.csv")),
    (FILES[8], include_str!("../../sample-data/fields.csv")),
    (FILES[9], include_str!("../../sample-data/rules.json")),
    (
        PREFERENCES_FILE,
        include_str!("../../sample-data/preferences.csv"),
    ),
];

/// The sample shop's name (read once), which marks a copy of it as a training shop.
pub fn sample_name() -> Option<&'static str> {
    static NAME: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    NAME.get_or_init(|| sample_shop().ok().map(|s| s.settings.name))
        .as_deref()
}

/// The bundled sample shop, read from the embedded files.
pub fn sample_shop() -> Result<Shop, BundleError> {
    read_bundle(|file| {
        EMBEDDED
            .iter()
            .find(|(name, _)| *name == file)
            .map(|(_, text)| (*text).to_owned())
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "not embedded"))
    })
}
