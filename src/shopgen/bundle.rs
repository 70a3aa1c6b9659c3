//! A shop as a folder of CSV files plus `rules.json`: the text-diffable form of the
//! bundled sample shop in `sample-data/`, also written by `candor export-csv`.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::engine::model::{
    ConsentEvent, Customer, FieldDef, FieldSource, Order, OrderLine, PersonalField, Product,
    Purpose, Settings, Shop,
};
use crate::engine::money::Currency;
use crate::engine::preferences::{Preference, PreferenceEvent, PreferenceKind, PreferenceParts};
use crate::engine::rules::Rule;

/// The files of a bundle, in the order they are read.
pub const FILES: [&str; 10] = [
    "shop.csv",
    "customers.csv",
    "field_sources.csv",
    "products.csv",
    "orders.csv",
    "order_lines.csv",
    "purposes.csv",
    "consents.csv",
    "fields.csv",
    "rules.json",
];

/// What customers told the shop they want; a bundle written before customers could state
/// preferences has no such file, and is read as holding none.
pub const PREFERENCES_FILE: &str = "preferences.csv";

/// A bundle that cannot be read, naming the file and line.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// A file is missing or unreadable.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A CSV row does not fit.
    #[error("{file}: {source}")]
    Csv {
        /// The file.
        file: String,
        /// The cause, with line and field.
        source: csv::Error,
    },
    /// `rules.json` is malformed, or a value is not understood.
    #[error("{file}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Serialize, Deserialize)]
struct SettingRow {
    key: String,
    value: String,
}

#[derive(Serialize, Deserialize)]
struct CustomerRow {
    id: i64,
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    postcode: Option<String>,
    birth_date: Option<NaiveDate>,
    gender: Option<String>,
    since: NaiveDate,
    source: String,
}

#[derive(Serialize, Deserialize)]
struct FieldSourceRow {
    customer: i64,
    field: PersonalField,
    source: String,
    recorded_on: NaiveDate,
}

#[derive(Serialize, Deserialize)]
struct ProductRow {
    id: i64,
    name: String,
    category: String,
    tags: String,
    price_cents: Option<i64>,
    #[serde(with = "stock_text")]
    stock: i64,
    repeatable: bool,
}

/// Stock as a bundle writes it: a number, or "not tracked" for a shop whose records carry
/// no stock figures (never the internal marker's huge number).
mod stock_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::engine::model::STOCK_NOT_TRACKED;

    const NOT_TRACKED: &str = "not tracked";

    pub fn serialize<S: Serializer>(stock: &i64, s: S) -> Result<S::Ok, S::Error> {
        if *stock == STOCK_NOT_TRACKED {
            s.serialize_str(NOT_TRACKED)
        } else {
            s.serialize_i64(*stock)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let text = String::deserialize(d)?;
        if text.trim() == NOT_TRACKED {
            return Ok(STOCK_NOT_TRACKED);
        }
        text.trim().parse().map_err(|_| {
            serde::de::Error::custom(format!(
                "\"{text}\" is not a stock figure or \"{NOT_TRACKED}\""
            ))
        })
    }
}

#[derive(Serialize, Deserialize)]
struct FieldRow {
    field: PersonalField,
    group: String,
    label: String,
    description: String,
    retention_days: Option<i64>,
    kept_for: Option<String>,
    sensitive: bool,
}

/// A purpose as its CSV row: the fields it covers are their keys separated by `;` (a
/// bundle written before purposes declared fields has no such column: they cover none).
#[derive(Serialize, Deserialize)]
struct PurposeRow {
    id: String,
    label: String,
    description: String,
    #[serde(default)]
    fields: String,
}

impl PurposeRow {
    fn from_purpose(p: &Purpose) -> Self {
        Self {
            id: p.id.clone(),
            label: p.label.clone(),
            description: p.description.clone(),
            fields: PersonalField::list_text(&p.fields),
        }
    }

    fn into_purpose(self) -> Result<Purpose, BundleError> {
        let fields = PersonalField::parse_list(&self.fields).map_err(|k| BundleError::Invalid {
            file: "purposes.csv".to_owned(),
            message: format!(
                "purpose \"{}\": \"{k}\" is not a personal-data field",
                self.id
            ),
        })?;
        Ok(Purpose {
            id: self.id,
            label: self.label,
            description: self.description,
            fields,
            covered_since: std::collections::BTreeMap::new(),
        })
    }
}

/// Reads a bundle through `read(file name)`, so it works on a folder and on embedded text.
pub fn read_bundle(read: impl Fn(&str) -> std::io::Result<String>) -> Result<Shop, BundleError> {
    let text = |file: &str| {
        read(file).map_err(|source| BundleError::Io {
            file: file.to_owned(),
            source,
        })
    };
    let settings = settings_from_rows(rows::<SettingRow>("shop.csv", &text("shop.csv")?)?)?;
    let sources = rows::<FieldSourceRow>("field_sources.csv", &text("field_sources.csv")?)?;
    let customers = rows::<CustomerRow>("customers.csv", &text("customers.csv")?)?
        .into_iter()
        .map(|r| r.into_customer(&sources))
        .collect::<Vec<_>>();
    let products = rows::<ProductRow>("products.csv", &text("products.csv")?)?
        .into_iter()
        .map(ProductRow::into_product)
        .collect::<Vec<_>>();
    let mut fields: Vec<FieldDef> = rows::<FieldRow>("fields.csv", &text("fields.csv")?)?
        .into_iter()
        .map(FieldRow::into_field)
        .collect();
    // A bundle written before customers could state preferences: the field as the
    // catalogue describes it.
    for def in super::catalogue::fields() {
        if !fields.iter().any(|f| f.field == def.field) {
            fields.push(def);
        }
    }
    let rules: Vec<Rule> =
        serde_json::from_str(&text("rules.json")?).map_err(|e| BundleError::Invalid {
            file: "rules.json".to_owned(),
            message: e.to_string(),
        })?;
    Ok(Shop {
        settings,
        customers: customers.into(),
        products: products.into(),
        orders: rows::<Order>("orders.csv", &text("orders.csv")?)?.into(),
        lines: rows::<OrderLine>("order_lines.csv", &text("order_lines.csv")?)?.into(),
        purposes: rows::<PurposeRow>("purposes.csv", &text("purposes.csv")?)?
            .into_iter()
            .map(PurposeRow::into_purpose)
            .collect::<Result<_, _>>()?,
        consents: consent_rows(&text("consents.csv")?)?.into(),
        rules,
        fields,
        preferences: preference_rows(read(PREFERENCES_FILE))?.into(),
        highest_erased_customer: 0,
    })
}

/// The consent history of a bundle. A bundle written without the day of decision (the
/// sample shop's) dates each decision by its `at`; none says when it was recorded.
fn consent_rows(text: &str) -> Result<Vec<ConsentEvent>, BundleError> {
    let mut events = rows::<ConsentEvent>("consents.csv", text)?;
    for e in &mut events {
        e.decided_on = e.decided_on.or(Some(e.at));
    }
    Ok(events)
}

/// The preference history of a bundle, empty when the bundle has no `preferences.csv`.
fn preference_rows(text: std::io::Result<String>) -> Result<Vec<PreferenceEvent>, BundleError> {
    let text = match text {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(BundleError::Io {
                file: PREFERENCES_FILE.to_owned(),
                source,
            });
        }
    };
    rows::<PreferenceRow>(PREFERENCES_FILE, &text)?
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            row.into_event().map_err(|message| BundleError::Invalid {
                file: PREFERENCES_FILE.to_owned(),
                message: format!("line {}: {message}", i + 2),
            })
        })
        .collect()
}

/// Reads a bundle from a folder.
pub fn read_bundle_dir(dir: &Path) -> Result<Shop, BundleError> {
    read_bundle(|file| std::fs::read_to_string(dir.join(file)))
}

fn rows<T: DeserializeOwned>(file: &str, text: &str) -> Result<Vec<T>, BundleError> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .map_err(|source| BundleError::Csv {
            file: file.to_owned(),
            source,
        })
}

fn settings_from_rows(rows: Vec<SettingRow>) -> Result<Settings, BundleError> {
    let mut s = Settings::default();
    let bad = |key: &str, value: &str| BundleError::Invalid {
        file: "shop.csv".to_owned(),
        message: format!("\"{value}\" is not a valid value for {key}"),
    };
    for SettingRow { key, value } in rows {
        match key.as_str() {
            "name" => s.name = value,
            "pinned_today" if value.is_empty() => s.pinned_today = None,
            "pinned_today" => s.pinned_today = Some(value.parse().map_err(|_| bad(&key, &value))?),
            "top_n" => s.top_n = value.parse().map_err(|_| bad(&key, &value))?,
            "popularity_weight" => {
                s.popularity_weight = value.parse().map_err(|_| bad(&key, &value))?;
            }
            "popularity_days" => {
                s.popularity_days = value.parse().map_err(|_| bad(&key, &value))?;
            }
            "popularity_counts" => {
                s.popularity_counts = crate::engine::model::PopularityCount::from_code(&value)
                    .ok_or_else(|| bad(&key, &value))?;
            }
            "currency" => {
                s.currency = Currency::from_code(&value).map_err(|why| BundleError::Invalid {
                    file: "shop.csv".to_owned(),
                    message: why,
                })?;
            }
            _ => {
                return Err(BundleError::Invalid {
                    file: "shop.csv".to_owned(),
                    message: format!("unknown setting \"{key}\""),
                });
            }
        }
    }
    Ok(s)
}

/// The shop's settings as `shop.csv` rows.
fn setting_rows(s: &Settings) -> Vec<SettingRow> {
    [
        ("name", s.name.clone()),
        (
            "pinned_today",
            s.pinned_today.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("top_n", s.top_n.to_string()),
        ("popularity_weight", s.popularity_weight.to_string()),
        ("popularity_days", s.popularity_days.to_string()),
        ("popularity_counts", s.popularity_counts.code().to_owned()),
        ("currency", s.currency.code().to_owned()),
    ]
    .into_iter()
    .map(|(key, value)| SettingRow {
        key: key.into(),
        value,
    })
    .collect()
}

impl CustomerRow {
    /// The row of a customer.
    fn of(c: &Customer) -> Self {
        Self {
            id: c.id,
            name: c.name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            address: c.address.clone(),
            postcode: c.postcode.clone(),
            birth_date: c.birth_date,
            gender: c.gender.clone(),
            since: c.since,
            source: c.source.clone(),
        }
    }

    /// The customer of a row, with their field sources among `sources`.
    fn into_customer(self, sources: &[FieldSourceRow]) -> Customer {
        Customer {
            field_sources: sources
                .iter()
                .filter(|s| s.customer == self.id)
                .map(|s| FieldSource {
                    field: s.field,
                    source: s.source.clone(),
                    recorded_on: s.recorded_on,
                })
                .collect(),
            id: self.id,
            name: self.name,
            email: self.email,
            phone: self.phone,
            address: self.address,
            postcode: self.postcode,
            birth_date: self.birth_date,
            gender: self.gender,
            since: self.since,
            source: self.source,
        }
    }
}

impl ProductRow {
    /// The row of a product (tags joined by `;`).
    fn of(p: &Product) -> Self {
        Self {
            id: p.id,
            name: p.name.clone(),
            category: p.category.clone(),
            tags: p.tags.join(";"),
            price_cents: p.price_cents,
            stock: p.stock,
            repeatable: p.repeatable,
        }
    }

    /// The product of a row.
    fn into_product(self) -> Product {
        Product {
            id: self.id,
            name: self.name,
            category: self.category,
            tags: self
                .tags
                .split(';')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            price_cents: self.price_cents,
            stock: self.stock,
            repeatable: self.repeatable,
        }
    }
}

impl FieldRow {
    /// The row of a field definition.
    fn of(f: &FieldDef) -> Self {
        Self {
            field: f.field,
            group: f.group.clone(),
            label: f.label.clone(),
            description: f.description.clone(),
            retention_days: f.retention_days,
            kept_for: f.kept_for.clone(),
            sensitive: f.sensitive,
        }
    }

    /// The field definition of a row.
    fn into_field(self) -> FieldDef {
        FieldDef {
            field: self.field,
            group: self.group,
            label: self.label,
            description: self.description,
            retention_days: self.retention_days,
            kept_for: self.kept_for,
            sensitive: self.sensitive,
        }
    }
}

/// One preference decision as a `preferences.csv` row: what it is about in exactly one of
/// `category`, `tag` and `product`.
#[derive(Serialize, Deserialize)]
struct PreferenceRow {
    customer: i64,
    kind: PreferenceKind,
    category: Option<String>,
    tag: Option<String>,
    product: Option<i64>,
    withdrawn: bool,
    recorded_at: chrono::DateTime<chrono::Utc>,
    recorded_by: String,
    method: String,
    words: Option<String>,
    /// The rules that had lifted the product, separated by `;`.
    lifted_by: Option<String>,
}

impl PreferenceRow {
    fn of(e: &PreferenceEvent) -> Self {
        let parts = PreferenceParts::from(e.preference.clone());
        Self {
            customer: e.customer,
            kind: parts.kind,
            category: parts.category,
            tag: parts.tag,
            product: parts.product,
            withdrawn: e.withdrawn,
            recorded_at: e.recorded_at,
            recorded_by: e.recorded_by.clone(),
            method: e.method.clone(),
            words: e.words.clone(),
            lifted_by: (!e.lifted_by.is_empty()).then(|| e.lifted_by.join(";")),
        }
    }

    fn into_event(self) -> Result<PreferenceEvent, String> {
        let preference = Preference::try_from(PreferenceParts {
            kind: self.kind,
            category: self.category,
            tag: self.tag,
            product: self.product,
        })?;
        Ok(PreferenceEvent {
            customer: self.customer,
            preference,
            withdrawn: self.withdrawn,
            recorded_at: self.recorded_at,
            recorded_by: self.recorded_by,
            method: self.method,
            words: self.words,
            lifted_by: self
                .lifted_by
                .map(|l| l.split(';').map(str::to_owned).collect())
                .unwrap_or_default(),
        })
    }
}

/// Writes `shop` as a bundle into `dir` (created if needed).
pub fn write_bundle(shop: &Shop, dir: &Path) -> Result<(), BundleError> {
    let io = |file: &str| {
        let file = file.to_owned();
        move |source| BundleError::Io { file, source }
    };
    std::fs::create_dir_all(dir).map_err(io("."))?;
    // Every file's place is checked first: a refused one must not leave the others half
    // replaced (a bundle of today's shop.csv and yesterday's customers.csv).
    for file in FILES.into_iter().chain([PREFERENCES_FILE]) {
        crate::safe_write::check_writable(&dir.join(file)).map_err(|e| write_err(file, &e))?;
    }
    write_rows(dir, "shop.csv", setting_rows(&shop.settings))?;
    write_rows(
        dir,
        "customers.csv",
        shop.customers.iter().map(CustomerRow::of),
    )?;
    write_rows(
        dir,
        "field_sources.csv",
        shop.customers.iter().flat_map(|c| {
            c.field_sources.iter().map(|s| FieldSourceRow {
                customer: c.id,
                field: s.field,
                source: s.source.clone(),
                recorded_on: s.recorded_on,
            })
        }),
    )?;
    write_rows(
        dir,
        "products.csv",
        shop.products.iter().map(ProductRow::of),
    )?;
    write_rows(dir, "orders.csv", shop.orders.iter())?;
    write_rows(dir, "order_lines.csv", shop.lines.iter())?;
    write_rows(
        dir,
        "purposes.csv",
        shop.purposes.iter().map(PurposeRow::from_purpose),
    )?;
    write_rows(dir, "consents.csv", shop.consents.iter())?;
    write_rows(dir, "fields.csv", shop.fields.iter().map(FieldRow::of))?;
    write_rows(
        dir,
        PREFERENCES_FILE,
        shop.preferences.iter().map(PreferenceRow::of),
    )?;
    let json = serde_json::to_string_pretty(&shop.rules).map_err(|e| BundleError::Invalid {
        file: "rules.json".to_owned(),
        message: e.to_string(),
    })?;
    crate::safe_write::write_file(&dir.join("rules.json"), (json + "\n").as_bytes())
        .map_err(|e| write_err("rules.json", &e))
}

fn write_err(file: &str, e: &crate::safe_write::WriteError) -> BundleError {
    BundleError::Io {
        file: file.to_owned(),
        source: std::io::Error::other(e.to_string()),
    }
}

fn write_rows<T: Serialize>(
    dir: &Path,
    file: &str,
    rows: impl IntoIterator<Item = T>,
) -> Result<(), BundleError> {
    let csv_err = |source| BundleError::Csv {
        file: file.to_owned(),
        source,
    };
    let mut plain = csv::Writer::from_writer(Vec::new());
    for row in rows {
        plain.serialize(row).map_err(csv_err)?;
    }
    let plain = plain.into_inner().map_err(|e| BundleError::Io {
        file: file.to_owned(),
        source: std::io::Error::other(e.to_string()),
    })?;
    // Every cell goes through the formula guard, so a customer's name cannot run in a
    // spreadsheet that opens the export.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(plain.as_slice());
    let mut safe = csv::Writer::from_writer(Vec::new());
    for record in reader.records() {
        let record = record.map_err(csv_err)?;
        let cells: Vec<_> = record.iter().map(crate::safe_write::csv_cell).collect();
        safe.write_record(cells.iter().map(|c| c.as_bytes()))
            .map_err(csv_err)?;
    }
    let bytes = safe.into_inner().map_err(|e| BundleError::Io {
        file: file.to_owned(),
        source: std::io::Error::other(e.to_string()),
    })?;
    crate::safe_write::write_file(&dir.join(file), &bytes).map_err(|e| write_err(file, &e))
}
