//! The `setting` change: which of the shop's settings a change may set, how each is
//! checked, and how it reads in words.

use serde_json::{Value, json};

use super::model::Settings;

/// The settings a `setting` change may set.
pub const SETTABLE: [&str; 5] = [
    "name",
    "top_n",
    "popularity_weight",
    "popularity_days",
    "popularity_counts",
];

/// Sets `key` to `value` in `settings`; the values before and after, or the field at
/// fault and why. The currency and the pinned day are not settable: the first would
/// change what every price means, the second what "today" is for every figure.
pub fn set(
    settings: &mut Settings,
    key: &str,
    value: &Value,
) -> Result<(Value, Value), (&'static str, String)> {
    let mut next = settings.clone();
    let wrong = |what: &str| ("value", format!("{key} must be {what}, not {value}"));
    match key {
        "name" => {
            let name = value.as_str().map(str::trim).filter(|n| !n.is_empty());
            let name = name.filter(|n| n.chars().count() <= 100 && super::words::is_plain_text(n));
            name.ok_or_else(|| wrong("a name of 1 to 100 characters without control characters"))?
                .clone_into(&mut next.name);
        }
        "top_n" => {
            next.top_n = value
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| wrong("a whole number"))?;
        }
        "popularity_weight" => {
            next.popularity_weight = value.as_f64().ok_or_else(|| wrong("a number"))?;
        }
        "popularity_days" => {
            next.popularity_days = value
                .as_i64()
                .ok_or_else(|| wrong("a whole number of days"))?;
        }
        "popularity_counts" => {
            next.popularity_counts = value
                .as_str()
                .and_then(super::model::PopularityCount::from_code)
                .ok_or_else(|| wrong("\"units\" or \"customers\""))?;
        }
        other => {
            return Err((
                "setting",
                format!(
                    "\"{other}\" cannot be set by a change; use one of {}",
                    SETTABLE.join(", ")
                ),
            ));
        }
    }
    next.validate().map_err(|problem| ("value", problem))?;
    let before = current(settings, key);
    *settings = next;
    Ok((
        json!({ "value": before }),
        json!({ "value": current(settings, key) }),
    ))
}

/// The value of a settable setting.
pub(crate) fn current(settings: &Settings, key: &str) -> Value {
    match key {
        "name" => json!(settings.name),
        "top_n" => json!(settings.top_n),
        "popularity_weight" => json!(settings.popularity_weight),
        "popularity_counts" => json!(settings.popularity_counts.code()),
        _ => json!(settings.popularity_days),
    }
}

/// A `setting` change in words.
pub fn describe(key: &str, value: &Value) -> String {
    match (key, value) {
        ("name", Value::String(name)) => format!("Call the shop \u{201c}{name}\u{201d}"),
        ("top_n", v) => match v.as_u64().and_then(|n| usize::try_from(n).ok()) {
            Some(n) => format!(
                "Recommend {} to each customer",
                super::words::count(n, "product", "products")
            ),
            None => format!("Recommend {v} products to each customer"),
        },
        ("popularity_weight", v) => match v.as_f64() {
            Some(w) => format!(
                "Set the weight of popularity to {}",
                super::score::round_for_text(w)
            ),
            None => format!("Set the weight of popularity to {v}"),
        },
        ("popularity_days", v) => match v.as_i64() {
            Some(n) => format!("Count popularity over the last {}", super::words::days(n)),
            None => format!("Count popularity over the last {v} days"),
        },
        ("popularity_counts", v) => match v.as_str() {
            Some("customers") => {
                "Count popularity as the customers who bought each product".to_owned()
            }
            Some("units") => "Count popularity as the units sold of each product".to_owned(),
            _ => format!("Count popularity as {v}"),
        },
        (key, v) => format!("Set {key} to {v}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_is_checked_and_reports_before_and_after() {
        let mut s = Settings::default();
        let (before, after) = set(&mut s, "top_n", &json!(8)).expect("valid");
        assert_eq!(
            (before["value"].clone(), after["value"].clone()),
            (json!(5), json!(8))
        );
        assert_eq!(s.top_n, 8);
        assert_eq!(set(&mut s, "top_n", &json!(0)).unwrap_err().0, "value");
        assert_eq!(
            set(&mut s, "currency", &json!("USD")).unwrap_err().0,
            "setting"
        );
        assert_eq!(set(&mut s, "name", &json!("  ")).unwrap_err().0, "value");
        assert_eq!(
            s.top_n, 8,
            "a refused change leaves the settings as they were"
        );
    }

    #[test]
    fn one_thing_is_said_in_the_singular() {
        assert_eq!(
            describe("top_n", &json!(1)),
            "Recommend 1 product to each customer"
        );
        assert_eq!(
            describe("top_n", &json!(12)),
            "Recommend 12 products to each customer"
        );
        assert_eq!(
            describe("popularity_days", &json!(1)),
            "Count popularity over the last 1 day"
        );
    }
}
