//! Where shops come from without an import: the bundled sample shop, the text bundle
//! format it is kept in, and the deterministic demo-shop generator.

pub mod bundle;
pub mod catalogue;
pub mod demo;
pub mod sample;
