//! Importing a shop's data from its till or web-shop exports: Shopify, WooCommerce,
//! Square, invoice-line files and any CSV through a column mapping.
//!
//! * [`source`]: reading a file (gzip, encodings, delimiters) into rows of text;
//! * [`mapping`] and [`presets`]: which column holds what;
//! * [`parse`]: rows into a batch of customers, products, orders and consents;
//! * [`merge`]: the batch into a shop snapshot, idempotently (pure);
//! * [`run`]: the whole import, from files to one transaction in the shop file.

pub mod catalogue;
pub mod consent;
pub mod dates;
pub mod mapping;
pub mod merge;
pub mod number;
pub mod packed;
pub mod parse;
pub mod preference;
pub mod presets;
pub mod report;
pub mod run;
pub mod source;
pub mod statuses;
pub mod stream;

pub use mapping::Mapping;
pub use merge::Summary;
pub use presets::{PRESETS, Preset};
pub use run::{Choice, ImportOutcome, ImportRequest, Progress, import};

use crate::store::ApplyError;
use crate::store::StoreError;

pub use crate::engine::strict::{QUOTE_CHARS, quote};

/// A row that cannot be imported: which file, which line, which column, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{file}, line {line}{}: {reason}", column.as_ref().map(|c| format!(", column \"{c}\"")).unwrap_or_default())]
pub struct RowError {
    /// The file's name.
    pub file: String,
    /// The line the row starts on (the header is line 1).
    pub line: u64,
    /// The column, when one is to blame.
    pub column: Option<String>,
    /// What is wrong, in plain words.
    pub reason: String,
}

/// Why an import did not happen. In every case the shop file is unchanged.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The import would change prices of products already in the shop, which only the
    /// owner may do.
    #[error(
        "this import would change the price of {} already in the shop, and only the owner may change prices. Switch to owner and import again (on the command line: set CANDOR_OWNER_PASSPHRASE, or run the import at a terminal to be asked). Nothing was imported",
        crate::engine::words::count(*count, "product", "products")
    )]
    PricesNeedOwner {
        /// How many products' prices it would change.
        count: usize,
    },
    /// The file cannot be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        source: std::io::Error,
    },
    /// An order's later rows, in a file given before the one holding its first row, were
    /// read in another currency than that row names: the files must be given in order.
    #[error("{0}. Nothing was imported")]
    FilesOutOfOrder(RowError),
    /// The same file is among the inputs twice (it would count its orders twice).
    #[error(
        "{file} is given twice ({second} is the same file): give each file once, or its orders would be counted twice. Nothing was imported"
    )]
    GivenTwice {
        /// The file as first given.
        file: String,
        /// The same file as given again.
        second: String,
    },
    /// No date of the file tells whether its dates are day-first or month-first (nor does
    /// the mapping say): Candor does not guess.
    #[error("{file}: the column mapping is incomplete: {detail}")]
    DatesUntold {
        /// The file.
        file: String,
        /// What was read and how to say the order.
        detail: String,
        /// The rows read, for a preview of the first rows; `None` when the whole file was.
        rows_read: Option<usize>,
    },
    /// The file has nothing in it.
    #[error("{file} is empty")]
    Empty {
        /// The file.
        file: String,
    },
    /// The file has a header line but no rows.
    #[error("{file} has column names but no rows: there is nothing to import")]
    NoRows {
        /// The file.
        file: String,
    },
    /// The file is not a CSV file.
    #[error("{file} is not a CSV file: {detail}")]
    NotCsv {
        /// The file.
        file: String,
        /// What it is instead.
        detail: String,
    },
    /// No preset recognizes the header.
    #[error(
        "{file} is not an export Candor recognizes (its columns are: {columns}). Choose a preset with --preset, or map its columns with --mapping (`candor import --guess-mapping MAP.json FILE` writes Candor's guess to start from; in the window, File, Import… shows the column-mapping wizard)"
    )]
    UnknownFormat {
        /// The file.
        file: String,
        /// Its header, shortened.
        columns: String,
    },
    /// A preset name that does not exist.
    #[error("there is no preset called \"{0}\"; the presets are: {1}")]
    NoSuchPreset(String, String),
    /// A mapping that cannot be used.
    #[error("{file}: the column mapping is incomplete: {detail}")]
    Mapping {
        /// The file (or mapping file).
        file: String,
        /// What is missing or wrong.
        detail: String,
    },
    /// Columns the mapping needs are not in the file.
    #[error(
        "{file} has no column {} (needed to read it as a {export})",
        quoted(columns)
    )]
    MissingColumns {
        /// The file.
        file: String,
        /// The export it was read as.
        export: String,
        /// The missing columns.
        columns: Vec<String>,
    },
    /// A row that cannot be read (the first one, unless bad rows are skipped).
    #[error("{0}. Nothing was imported; fix the row, or skip bad rows and read the report")]
    Row(RowError),
    /// A row left out on purpose (internal: counted, never shown as an error).
    #[error("left out: {0}")]
    LeftOut(String),
    /// The files' prices are in more than one currency.
    #[error(
        "the prices in these files are in more than one currency: {0}. Sums of mixed money would be wrong, so nothing was imported; import the files of one currency, or give the mapping the exchange rate of each other currency (\"rates\": {{\"USD\": 0.79}}: what one unit of it is in the shop's currency) to convert their prices"
    )]
    MixedCurrencies(String),
    /// The files' prices are in another currency than the shop's.
    #[error(
        "this shop keeps its prices in {shop}, but the prices in these files are in {files}, so nothing was imported; give the mapping the exchange rate (\"rates\": {{\"{files}\": …}}: what one {files} is in {shop}) to convert them, import them into a new shop file, or, if the files are in {shop} after all, set \"currency\" to {shop} in the mapping"
    )]
    NotTheShopsCurrency {
        /// The shop's currency code.
        shop: String,
        /// The files' currency code.
        files: String,
    },
    /// A value of the files could not be taken into the shop (a bound of a change).
    #[error("a value in these files could not be taken into the shop: {0}; nothing was imported")]
    Change(crate::engine::changes::ChangeError),
    /// The person cancelled.
    #[error("the import was cancelled; nothing was imported")]
    Cancelled,
    /// The shop file could not be opened or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The write was refused.
    #[error(transparent)]
    Apply(#[from] ApplyError),
}

fn quoted(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}
