//! Reading JSON that people write (CHANGES.json, rules, column mappings) strictly: a key
//! given twice in one object is refused by name, where a plain JSON reader would silently
//! keep the last one. (Unknown keys are refused by the types themselves, with
//! `deny_unknown_fields`.)

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

/// The most characters of a bad value an error message quotes.
pub const QUOTE_CHARS: usize = 80;

/// `value` in quotes for an error message: at most its first [`QUOTE_CHARS`] characters,
/// with "…" when it was cut, so a hostile value cannot flood the message.
pub fn quote(value: &str) -> String {
    let mut chars = value.chars();
    let head: String = chars.by_ref().take(QUOTE_CHARS).collect();
    if chars.next().is_some() {
        format!("\"{head}…\"")
    } else {
        format!("\"{head}\"")
    }
}

/// Any JSON value, checked for duplicate keys as it is read.
struct NoDuplicates;

impl<'de> de::Deserialize<'de> for NoDuplicates {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicatesVisitor)
    }
}

struct NoDuplicatesVisitor;

impl<'de> Visitor<'de> for NoDuplicatesVisitor {
    type Value = NoDuplicates;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, _: bool) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_i64<E>(self, _: i64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_u64<E>(self, _: u64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_f64<E>(self, _: f64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_str<E>(self, _: &str) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_unit<E>(self) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NoDuplicates, A::Error> {
        while seq.next_element::<NoDuplicates>()?.is_some() {}
        Ok(NoDuplicates)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NoDuplicates, A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!(
                    "the key \"{}\" is given twice",
                    quote(&key).trim_matches('"')
                )));
            }
            map.next_value::<NoDuplicates>()?;
        }
        Ok(NoDuplicates)
    }
}

/// Refuses JSON text with a key given twice in one object (naming the key, line and column).
pub fn check_no_duplicate_keys(text: &str) -> Result<(), String> {
    serde_json::from_str::<NoDuplicates>(text)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_given_twice_is_named() {
        assert!(check_no_duplicate_keys(r#"{"a": 1, "b": [{"c": 2}]}"#).is_ok());
        let message = check_no_duplicate_keys(
            r#"{"changes": [{"kind": "rule_weight", "weight": 1, "weight": 5}]}"#,
        )
        .expect_err("refused");
        assert!(message.contains("\"weight\" is given twice"), "{message}");
        assert!(message.contains("line 1"), "{message}");
    }
}
