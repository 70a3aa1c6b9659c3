//! An order's lines packed into one cell, as BigCommerce's orders export writes its
//! `Product Details`: lines separated by `|`, each a list of `Product Key: value` pairs
//! separated by `, ` ("Product ID: 112, Product Qty: 2, Product SKU: MUG-BLU, Product
//! Name: Blue Mug, …, Product Unit Price: 18.00, Product Total Price: 36.00").

/// One packed line, its values as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackedLine {
    /// `Product SKU`, else `Product ID`.
    pub code: Option<String>,
    /// `Product Name`.
    pub name: Option<String>,
    /// `Product Qty`.
    pub quantity: Option<String>,
    /// `Product Unit Price`.
    pub unit_price: Option<String>,
}

/// The lines of a packed cell. A name that itself holds ", " stays whole: only a part
/// that starts with a known key begins a new value.
pub fn packed_lines(cell: &str) -> Vec<PackedLine> {
    cell.split('|')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(packed_line)
        .collect()
}

const KEYS: [&str; 8] = [
    "Product ID",
    "Product Qty",
    "Product SKU",
    "Product Name",
    "Product Weight",
    "Product Variation Details",
    "Product Unit Price",
    "Product Total Price",
];

fn packed_line(item: &str) -> PackedLine {
    let mut values: Vec<(&str, String)> = Vec::new();
    for part in item.split(", ") {
        let keyed = KEYS.iter().find_map(|k| {
            part.strip_prefix(k)
                .and_then(|rest| rest.strip_prefix(':'))
                .map(|v| (*k, v))
        });
        match (keyed, values.last_mut()) {
            (Some((key, value)), _) => values.push((key, value.trim().to_owned())),
            (None, Some((_, value))) => {
                value.push_str(", ");
                value.push_str(part);
            }
            (None, None) => {}
        }
    }
    let get = |key: &str| {
        values
            .iter()
            .find(|(k, v)| *k == key && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    PackedLine {
        code: get("Product SKU").or_else(|| get("Product ID")),
        name: get("Product Name"),
        quantity: get("Product Qty"),
        unit_price: get("Product Unit Price"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_packed_line_and_keeps_commas_in_names() {
        let cell = "Product ID: 112, Product Qty: 2, Product SKU: MUG-BLU, Product Name: Blue Mug, Large, Product Weight: 0.4000, Product Variation Details: , Product Unit Price: 18.00, Product Total Price: 36.00|Product ID: 98, Product Qty: 1, Product SKU: , Product Name: Sencha Tea, Product Weight: 0.1000, Product Variation Details: , Product Unit Price: 9.50, Product Total Price: 9.50";
        let lines = packed_lines(cell);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].code.as_deref(), Some("MUG-BLU"));
        assert_eq!(lines[0].name.as_deref(), Some("Blue Mug, Large"));
        assert_eq!(lines[0].quantity.as_deref(), Some("2"));
        assert_eq!(lines[0].unit_price.as_deref(), Some("18.00"));
        assert_eq!(
            lines[1].code.as_deref(),
            Some("98"),
            "no SKU: the product id"
        );
        assert!(packed_lines("").is_empty());
    }
}
