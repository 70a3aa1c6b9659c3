//! Stated preferences from an import, decided by one rule: a preference is recorded only
//! for a customer who has no decision on record about it. An import never takes a
//! preference back (a value missing from the file says nothing), and never states again
//! one the customer took back.
//!
//! Pure: no SQL, no files.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::parse::ImportedPreference;
use crate::engine::model::{CustomerId, Shop};
use crate::engine::preferences::{About, Preference, PreferenceEvent, PreferenceKind};

/// What the import's stated preferences come to.
#[derive(Clone, Debug, Default)]
pub struct PreferenceOutcome {
    /// Decisions to record, in the order read.
    pub events: Vec<PreferenceEvent>,
    /// Preferences not recorded, by reason in words.
    pub not_recorded: BTreeMap<String, usize>,
}

const TAKEN_BACK: &str =
    "taken back by the customer since; an import never states a preference again";

/// Decides which of `answers` to record for `shop`; `customer_of` maps the files' customer
/// keys to the shop's numbers; `now` is the real time, `actor` who imports.
pub fn decide(
    shop: &Shop,
    answers: &[ImportedPreference],
    customer_of: &HashMap<&str, CustomerId>,
    now: DateTime<Utc>,
    actor: &str,
) -> PreferenceOutcome {
    let on_record: HashMap<(CustomerId, Key), bool> = shop
        .preferences
        .iter()
        .map(|e| ((e.customer, key(&e.preference)), e.withdrawn))
        .collect();
    let mut seen: HashSet<(CustomerId, Key)> = HashSet::new();
    let mut out = PreferenceOutcome::default();
    for a in answers {
        let Some(&customer) = customer_of.get(a.customer.as_str()) else {
            continue;
        };
        let k = (customer, key(&a.preference));
        if !seen.insert(k.clone()) {
            continue;
        }
        match on_record.get(&k) {
            Some(false) => {}
            Some(true) => *out.not_recorded.entry(TAKEN_BACK.to_owned()).or_default() += 1,
            None => out.events.push(PreferenceEvent {
                customer,
                preference: a.preference.clone(),
                withdrawn: false,
                recorded_at: now,
                recorded_by: actor.to_owned(),
                method: format!("imported from {}", a.source),
                words: None,
                lifted_by: Vec::new(),
            }),
        }
    }
    out
}

/// A preference as compared: names without regard to (ASCII) case, as the engine compares
/// them.
type Key = (PreferenceKind, About);

fn key(p: &Preference) -> Key {
    let about = match &p.about {
        About::Category(c) => About::Category(c.to_ascii_lowercase()),
        About::Tag(t) => About::Tag(t.to_ascii_lowercase()),
        About::Product(id) => About::Product(*id),
    };
    (p.kind, about)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::Shop;

    fn liked_tag(customer: &str, tag: &str) -> ImportedPreference {
        ImportedPreference {
            customer: customer.to_owned(),
            preference: Preference {
                kind: PreferenceKind::Liked,
                about: About::Tag(tag.to_owned()),
            },
            source: "customers.csv, column Tags".to_owned(),
        }
    }

    #[test]
    fn a_name_differing_only_in_case_is_the_same_preference() {
        let now = Utc::now();
        let keys = HashMap::from([("a", 1)]);
        let first = decide(
            &Shop::default(),
            &[liked_tag("a", "tea")],
            &keys,
            now,
            "Sam",
        );
        assert_eq!(first.events.len(), 1);
        let shop = Shop {
            preferences: first.events.into(),
            ..Shop::default()
        };
        let again = decide(
            &shop,
            &[
                liked_tag("a", "TEA"),
                liked_tag("a", "Vegan"),
                liked_tag("a", "vegan"),
            ],
            &keys,
            now,
            "Sam",
        );
        assert_eq!(again.events.len(), 1, "only vegan, once");
        assert_eq!(
            again.events[0].method,
            "imported from customers.csv, column Tags"
        );
        let unknown = decide(&shop, &[liked_tag("b", "tea")], &keys, now, "Sam");
        assert!(unknown.events.is_empty(), "no such customer in the import");
    }
}
