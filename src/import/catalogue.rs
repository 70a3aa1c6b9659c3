//! Rows of a products export (Shopify's products CSV, or any catalogue mapped with
//! `catalogue`): one product per row, or per variant. A product's later rows (its other
//! variants) leave the title, category and tags blank: they come from its group's first
//! row.

use std::collections::HashMap;

use super::ImportError;
use super::mapping::{Mapping, Role};
use super::number;
use super::parse::ImportedProduct;
use crate::engine::money::{Currency, MAX_PRICE_MINOR};

/// The option value Shopify writes for a product without variants.
const NO_VARIANT: &str = "Default Title";

/// Whether a sales row's variant cell names no variation: Shopify's "Default Title",
/// Square's "Regular" (the variation every item has until the shop adds others).
pub fn is_no_variant(variant: &str) -> bool {
    variant == NO_VARIANT || variant.eq_ignore_ascii_case("regular")
}

/// What the first row of a product group says for all its rows.
#[derive(Clone, Debug, Default)]
pub struct GroupHead {
    title: Option<String>,
    category: Option<String>,
    tags: Vec<String>,
}

/// One row's cells and how a bad cell is reported.
pub struct CatalogueRow<'a> {
    /// A role's cell (joined when it has several columns), `None` when blank.
    pub get: &'a dyn Fn(Role, &str) -> Option<String>,
    /// The error for a bad cell of a role.
    pub bad: &'a dyn Fn(Role, String) -> ImportError,
    /// The currency of the row's price.
    pub currency: Currency,
}

/// The longest category or tag a products export may give.
const MAX_LABEL_CHARS: usize = 100;

/// Reads one catalogue row into a product, and whether its price was rounded to the
/// currency's smallest unit; `heads` carries each group's first row to the rows after it.
/// A row with nothing but an image (no code, price or variant) is left out.
pub fn read_catalogue_row(
    mapping: &Mapping,
    row: &CatalogueRow<'_>,
    heads: &mut HashMap<String, GroupHead>,
) -> Result<(ImportedProduct, bool), ImportError> {
    let (get, bad) = (row.get, row.bad);
    let group = get(Role::ProductGroup, " ");
    let code = get(Role::ProductCode, " ");
    let price = get(Role::UnitPrice, " ");
    let variant = get(Role::Variant, " / ").filter(|v| v != NO_VARIANT);
    let head = head_of(get, group.as_ref().and_then(|g| heads.get(g)));
    if let Some(g) = &group {
        heads.insert(g.clone(), head.clone());
    }
    if code.is_none() && price.is_none() && variant.is_none() {
        return Err(ImportError::LeftOut(
            "rows that add only a picture to a product".to_owned(),
        ));
    }
    check_labels(&head, bad)?;
    let title = head
        .title
        .ok_or_else(|| bad(Role::ProductName, "the product has no name".to_owned()))?;
    let name = match &variant {
        Some(v) => format!("{title} - {v}"),
        None => title,
    };
    let (price_cents, rounded) = match price {
        None => (None, false),
        Some(text) => {
            if !number::fits_currency(&text, row.currency) {
                return Err(bad(Role::UnitPrice, other_currency(&text, row.currency)));
            }
            let (minor, rounded) = number::parse(&text, mapping.decimal_comma)
                .map_err(|reason| bad(Role::UnitPrice, format!("the price: {reason}")))?
                .minor_units(row.currency.decimals());
            if !(0..=MAX_PRICE_MINOR).contains(&minor) {
                return Err(bad(
                    Role::UnitPrice,
                    format!(
                        "the price {} is not a price from 0 to {}",
                        super::quote(&text),
                        row.currency.format(MAX_PRICE_MINOR)
                    ),
                ));
            }
            (Some(minor), rounded)
        }
    };
    let space = &mapping.key_space;
    let name_key = format!("{space}:name:{}", name.to_lowercase());
    let (key, also_key) = match &code {
        Some(c) => (format!("{space}:{c}"), Some(name_key)),
        None => (name_key, None),
    };
    let product = ImportedProduct {
        key,
        also_key,
        name,
        category: head
            .category
            .unwrap_or_else(|| mapping.default_category.clone()),
        tags: head.tags,
        price_cents,
        not_a_product: code.as_deref().is_some_and(|c| mapping.is_not_product(c)),
        repeatable: mapping.repeatable,
        catalogue: true,
    };
    Ok((product, rounded))
}

/// Why a price written in another currency than the one it is read in is refused.
pub fn other_currency(text: &str, currency: Currency) -> String {
    format!(
        "the price {} is written in another currency than {}, which these prices are read in; if the file is in that currency, name it (--currency on the command line, \"Prices are in\" in the window, or \"currency\" in the mapping) and import it into a shop of that currency",
        super::quote(text),
        currency.code()
    )
}

/// A category or tag is at most [`MAX_LABEL_CHARS`] characters.
fn check_labels(
    head: &GroupHead,
    bad: &dyn Fn(Role, String) -> ImportError,
) -> Result<(), ImportError> {
    let too_long = |s: &String| s.chars().count() > MAX_LABEL_CHARS;
    if let Some(c) = head.category.as_ref().filter(|c| too_long(c)) {
        return Err(bad(
            Role::Category,
            format!(
                "the category is {} characters; at most {MAX_LABEL_CHARS}",
                c.chars().count()
            ),
        ));
    }
    if let Some(t) = head.tags.iter().find(|t| too_long(t)) {
        return Err(bad(
            Role::Tags,
            format!(
                "a tag is {} characters; at most {MAX_LABEL_CHARS}",
                t.chars().count()
            ),
        ));
    }
    Ok(())
}

/// The row's own title, category and tags, each falling back on its group's first row.
fn head_of(get: &dyn Fn(Role, &str) -> Option<String>, group: Option<&GroupHead>) -> GroupHead {
    let earlier = group.cloned().unwrap_or_default();
    let category = get(Role::Category, " ").or_else(|| {
        get(Role::CategoryPath, " ").and_then(|path| {
            path.rsplit('>')
                .map(str::trim)
                .find(|part| !part.is_empty())
                .filter(|part| !super::parse::is_no_category(part))
                .map(str::to_owned)
        })
    });
    let tags: Vec<String> = get(Role::Tags, ", ")
        .map(|t| {
            t.split([',', ';'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    GroupHead {
        title: get(Role::ProductName, " ").or(earlier.title),
        category: category.or(earlier.category),
        tags: if tags.is_empty() { earlier.tags } else { tags },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(cells: &[(Role, &str)], heads: &mut HashMap<String, GroupHead>) -> ImportedProduct {
        let mut mapping = Mapping::blank("products");
        mapping.key_space = "shopify".to_owned();
        let get = |role: Role, _: &str| {
            cells
                .iter()
                .find(|(r, v)| *r == role && !v.is_empty())
                .map(|(_, v)| (*v).to_owned())
        };
        let bad = |_: Role, why: String| ImportError::LeftOut(why);
        let row = CatalogueRow {
            get: &get,
            bad: &bad,
            currency: Currency::GBP,
        };
        read_catalogue_row(&mapping, &row, heads).expect("reads").0
    }

    #[test]
    fn a_variant_takes_its_products_title_category_and_tags() {
        let mut heads = HashMap::new();
        let first = read(
            &[
                (Role::ProductGroup, "linen-apron"),
                (Role::ProductName, "Linen Apron"),
                (Role::Category, "Aprons"),
                (Role::Tags, "kitchen, linen"),
                (Role::Variant, "Sage"),
                (Role::ProductCode, "APR-SAGE"),
                (Role::UnitPrice, "34.00"),
            ],
            &mut heads,
        );
        assert_eq!(first.name, "Linen Apron - Sage");
        assert_eq!(first.key, "shopify:APR-SAGE");
        assert_eq!(
            first.also_key.as_deref(),
            Some("shopify:name:linen apron - sage")
        );
        let second = read(
            &[
                (Role::ProductGroup, "linen-apron"),
                (Role::Variant, "Rust"),
                (Role::ProductCode, "APR-RUST"),
                (Role::UnitPrice, "36.50"),
            ],
            &mut heads,
        );
        assert_eq!(second.name, "Linen Apron - Rust");
        assert_eq!(second.category, "Aprons");
        assert_eq!(second.tags, ["kitchen", "linen"]);
        assert_eq!(second.price_cents, Some(3650));
    }

    #[test]
    fn a_category_path_gives_its_last_part_and_no_variant_keeps_the_title() {
        let mut heads = HashMap::new();
        let p = read(
            &[
                (Role::ProductName, "Rye loaf"),
                (Role::CategoryPath, "Food > Bakery > Bread"),
                (Role::Variant, "Default Title"),
                (Role::UnitPrice, "3.40"),
            ],
            &mut heads,
        );
        assert_eq!(p.name, "Rye loaf");
        assert_eq!(p.category, "Bread");
        assert_eq!(p.key, "shopify:name:rye loaf");
        let q = read(
            &[
                (Role::ProductName, "Gift wrap"),
                (Role::CategoryPath, "Home > Uncategorized"),
                (Role::UnitPrice, "2.00"),
            ],
            &mut heads,
        );
        assert_eq!(q.category, crate::engine::model::NO_CATEGORY, "no category");
    }
}
