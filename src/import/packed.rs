//! An order's lines packed into one cell, as BigCommerce's orders export writes its
//! `Product Details`: lines separated by `|`, each a list of `Product Key: value` pairs
//! separated by `, ` ("Product ID: 112, Product Qty: 2, Product SKU: MUG-BLU, Product
//! Name: Blue Mug, …, Product Unit Price: 18.00, Product Total Price: 36.00").

/// One packed line, its values as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackedLine {
    /// `Product SKU`.
    pub sku: Option<String>,
    /// `Product ID` (BigCommerce's own number).
    pub id: Option<String>,
    /// `Product Name`.
    pub name: Option<String>,
    /// `Product Qty`.
    pub quantity: Option<String>,
    /// `Product Unit Price`.
    pub unit_price: Option<String>,
}

/// The lines of a packed cell. A name that itself holds ", " or "|" stays whole: only a
/// part that starts with a known key begins a new value, and only a `|` followed by a known
/// key begins a new line ("Tea | Earl Grey 100g" is one name).
pub fn packed_lines(cell: &str) -> Vec<PackedLine> {
    let mut items: Vec<String> = Vec::new();
    for piece in cell.split('|') {
        let starts_line = KEYS
            .iter()
            .any(|k| piece.trim_start().starts_with(&format!("{k}: ")));
        match items.last_mut() {
            Some(item) if !starts_line => {
                item.push('|');
                item.push_str(piece);
            }
            _ => items.push(piece.to_owned()),
        }
    }
    items
        .iter()
        .map(|item| item.trim())
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

/// Reads one packed line. The keys before the name (ID, Qty, SKU) are taken at their
/// first place and the keys after it (Weight … Total Price) at their last, so a name that
/// itself holds ", Product Unit Price: 0.01" cannot change the line.
fn packed_line(item: &str) -> PackedLine {
    let first = |key: &str| value_at(item, item.find(&format!("{key}: ")), key);
    let last = |key: &str| value_at(item, item.rfind(&format!("{key}: ")), key);
    let name = item.find("Product Name: ").map(|start| {
        let from = start + "Product Name: ".len();
        let end = KEYS[4..]
            .iter()
            .filter_map(|k| item.rfind(&format!(", {k}: ")))
            .filter(|&e| e >= from)
            .min()
            .unwrap_or(item.len());
        item[from..end].trim().to_owned()
    });
    PackedLine {
        sku: first("Product SKU"),
        id: first("Product ID"),
        name: name.filter(|n| !n.is_empty()),
        quantity: first("Product Qty"),
        unit_price: last("Product Unit Price"),
    }
}

/// The value of `key` written at byte `at`: up to the next ", Product ", trimmed.
fn value_at(item: &str, at: Option<usize>, key: &str) -> Option<String> {
    let from = at? + key.len() + 2;
    let rest = &item[from..];
    let end = rest.find(", Product ").unwrap_or(rest.len());
    Some(rest[..end].trim().to_owned()).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_packed_line_and_keeps_commas_in_names() {
        let cell = "Product ID: 112, Product Qty: 2, Product SKU: MUG-BLU, Product Name: Blue Mug, Large, Product Weight: 0.4000, Product Variation Details: , Product Unit Price: 18.00, Product Total Price: 36.00|Product ID: 98, Product Qty: 1, Product SKU: , Product Name: Sencha Tea, Product Weight: 0.1000, Product Variation Details: , Product Unit Price: 9.50, Product Total Price: 9.50";
        let lines = packed_lines(cell);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].sku.as_deref(), Some("MUG-BLU"));
        assert_eq!(lines[0].name.as_deref(), Some("Blue Mug, Large"));
        assert_eq!(lines[0].quantity.as_deref(), Some("2"));
        assert_eq!(lines[0].unit_price.as_deref(), Some("18.00"));
        assert_eq!(lines[1].sku, None);
        assert_eq!(lines[1].id.as_deref(), Some("98"));
        let sly = "Product ID: 5, Product Qty: 1, Product SKU: MUG, Product Name: Mug, Product Unit Price: 0.01, Product Weight: 0.4, Product Variation Details: , Product Unit Price: 18.00, Product Total Price: 18.00";
        let line = &packed_lines(sly)[0];
        assert_eq!(
            line.unit_price.as_deref(),
            Some("18.00"),
            "the name cannot set the price"
        );
        assert_eq!(line.name.as_deref(), Some("Mug, Product Unit Price: 0.01"));
        assert!(packed_lines("").is_empty());
        let piped = "Product ID: 7, Product Qty: 1, Product SKU: EG-1, Product Name: Tea | Earl Grey 100g, Product Weight: 0.1, Product Variation Details: , Product Unit Price: 6.00, Product Total Price: 6.00|Product ID: 8, Product Qty: 2, Product SKU: MUG, Product Name: Mug, Product Weight: 0.4, Product Variation Details: , Product Unit Price: 9.00, Product Total Price: 18.00";
        let lines = packed_lines(piped);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].name.as_deref(), Some("Tea | Earl Grey 100g"));
        assert_eq!(lines[1].quantity.as_deref(), Some("2"));
    }
}
