//! Presenter mode's pseudonyms: every customer's name, email, phone and address replaced by
//! a made-up value that stays the same for that customer, and the same replacement applied
//! to free text (consent words, audit-log reasons), so a real shop can be shown on a
//! projector without exposing anyone. Pure: a snapshot in, a snapshot out.
//!
//! What stays: customer numbers, birth dates (ages drive rules; the window masks them and
//! refuses reveals in presenter mode), gender, the postcode's district (the audit groups by
//! it), orders and consents. So every recommendation, explanation and audit figure is the
//! real shop's.

use std::sync::Arc;

use aho_corasick::{AhoCorasick, MatchKind};

use super::model::{Customer, Shop};

/// Given names used for pseudonyms (neutral, unlikely surnames).
const GIVEN: [&str; 24] = [
    "Alex", "Robin", "Sam", "Charlie", "Jamie", "Jordan", "Taylor", "Morgan", "Casey", "Riley",
    "Avery", "Quinn", "Rowan", "Sage", "Skyler", "Emery", "Finley", "Harper", "Kai", "Logan",
    "Parker", "Reese", "River", "Shay",
];
/// Family names used for pseudonyms (trees).
const FAMILY: [&str; 22] = [
    "Ash", "Birch", "Cedar", "Elm", "Fir", "Juniper", "Larch", "Maple", "Oak", "Pine", "Spruce",
    "Willow", "Alder", "Beech", "Cypress", "Hawthorn", "Holly", "Linden", "Poplar", "Yew", "Aspen",
    "Sorrel",
];
/// Name parts shorter than this are not replaced on their own in free text ("Li", "Al").
const MIN_PART: usize = 3;

/// The pseudonyms of one shop, and a replacer for free text.
pub struct Pseudonyms {
    replacer: Option<AhoCorasick>,
    replacements: Vec<String>,
}

/// Makes pseudonym names from the given and family names that no customer of the shop
/// has (so no real name, or part of one, ever appears as a pseudonym).
struct Names {
    given: Vec<&'static str>,
    family: Vec<&'static str>,
    next: usize,
}

impl Names {
    fn new(shop: &Shop) -> Self {
        let real: std::collections::HashSet<String> = shop
            .customers
            .iter()
            .filter_map(|c| c.name.as_ref())
            .flat_map(|n| {
                n.split_whitespace()
                    .map(str::to_lowercase)
                    .collect::<Vec<_>>()
            })
            .collect();
        let free = |list: &[&'static str]| -> Vec<&'static str> {
            list.iter()
                .copied()
                .filter(|n| !real.contains(&n.to_lowercase()))
                .collect()
        };
        Self {
            given: free(&GIVEN),
            family: free(&FAMILY),
            next: 0,
        }
    }

    /// The next name: "Robin Ash", …, then "Robin Ash 2" once every pair is used; numbered
    /// "Pseudonym 17" if the shop's customers use every listed name.
    fn next(&mut self) -> String {
        let n = self.next;
        self.next += 1;
        if self.given.is_empty() || self.family.is_empty() {
            return format!("Pseudonym {}", n + 1);
        }
        let (g, f) = (self.given.len(), self.family.len());
        // Family names shift with the given name, so neighbours do not all share one.
        let name = format!("{} {}", self.given[n % g], self.family[(n % g + n / g) % f]);
        match n / (g * f) {
            0 => name,
            round => format!("{name} {}", round + 1),
        }
    }
}

/// A copy of `shop` with every customer's direct identifiers replaced by pseudonyms, and the
/// replacer that does the same to free text.
pub fn pseudonymize(shop: &Shop) -> (Shop, Pseudonyms) {
    let mut names = Names::new(shop);
    let mut pairs: Vec<(String, String)> = Vec::new();
    let customers: Vec<Customer> = shop
        .customers
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let pseudonym = names.next();
            let slug = pseudonym.to_lowercase().replace(' ', ".");
            let mut out = c.clone();
            if let Some(name) = &c.name {
                pairs.push((name.clone(), pseudonym.clone()));
                for (real, fake) in name.split_whitespace().zip(pseudonym.split_whitespace()) {
                    if real.chars().count() >= MIN_PART {
                        pairs.push((real.to_owned(), fake.to_owned()));
                    }
                }
                out.name = Some(pseudonym.clone());
            }
            if let Some(email) = &c.email {
                let fake = format!("{slug}@example.invalid");
                pairs.push((email.clone(), fake.clone()));
                out.email = Some(fake);
            }
            if let Some(phone) = &c.phone {
                // Ofcom keeps 07700 900000–900999 for fiction: never a real number.
                let fake = format!("07700 900{:03}", i % 1000);
                pairs.push((phone.clone(), fake.clone()));
                out.phone = Some(fake);
            }
            if let Some(address) = &c.address {
                let fake = format!("{} Example Street", i + 1);
                pairs.push((address.clone(), fake.clone()));
                out.address = Some(fake);
            }
            if let Some(postcode) = &c.postcode {
                let district = postcode.split_whitespace().next().unwrap_or("").to_owned();
                let fake = format!("{district} •••");
                if postcode.contains(' ') {
                    pairs.push((postcode.clone(), fake.clone()));
                }
                out.postcode = Some(fake);
            }
            out
        })
        .collect();
    pairs.retain(|(real, _)| !real.trim().is_empty());
    // Longest first, so "Amelia Hart" is replaced whole before "Amelia" alone.
    pairs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    pairs.dedup_by(|a, b| a.0 == b.0);
    let replacer = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(pairs.iter().map(|(real, _)| real.as_str()))
        .ok();
    let pseudonyms = Pseudonyms {
        replacer,
        replacements: pairs.into_iter().map(|(_, fake)| fake).collect(),
    };
    let mut out = shop.clone();
    out.customers = Arc::new(customers);
    let consents = Arc::make_mut(&mut out.consents);
    for e in consents.iter_mut() {
        if let Some(words) = &e.words {
            e.words = Some(pseudonyms.scrub(words));
        }
        e.recorded_by = pseudonyms.scrub(&e.recorded_by);
    }
    (out, pseudonyms)
}

impl Pseudonyms {
    /// `text` with every customer's real name (whole or in parts), email, phone, address
    /// and postcode replaced by that customer's pseudonym.
    pub fn scrub(&self, text: &str) -> String {
        match &self.replacer {
            Some(r) => r.replace_all(text, &self.replacements),
            None => text.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::Customer;
    use chrono::NaiveDate;

    fn customer(id: i64, name: &str, email: &str) -> Customer {
        Customer {
            id,
            name: Some(name.to_owned()),
            email: Some(email.to_owned()),
            phone: Some("01225 123456".to_owned()),
            address: Some("3 Lark Lane".to_owned()),
            postcode: Some("BA1 2CD".to_owned()),
            birth_date: None,
            gender: None,
            since: NaiveDate::from_ymd_opt(2024, 1, 1).expect("date"),
            source: "form".to_owned(),
            field_sources: Vec::new(),
        }
    }

    #[test]
    fn pseudonyms_are_consistent_and_cover_free_text() {
        let shop = Shop {
            customers: Arc::new(vec![
                customer(1, "Amelia Hart", "amelia@example.com"),
                customer(2, "Alex Ash", "alex@example.com"),
            ]),
            ..Shop::default()
        };
        let (out, p) = pseudonymize(&shop);
        let first = out.customers[0].name.clone().expect("name");
        assert_ne!(first, "Amelia Hart");
        assert_ne!(
            out.customers[1].name.as_deref(),
            Some("Alex Ash"),
            "a real name is never a pseudonym"
        );
        assert_ne!(out.customers[0].name, out.customers[1].name);
        assert_eq!(out.customers[0].postcode.as_deref(), Some("BA1 •••"));
        let text =
            p.scrub("Amelia Hart (amelia@example.com, 01225 123456) said Amelia wants no emails");
        assert!(
            !text.contains("Amelia") && !text.contains("amelia@") && !text.contains("123456"),
            "{text}"
        );
        assert!(text.contains(&first), "{text}");
        assert_eq!(
            pseudonymize(&shop).0,
            out,
            "the same shop gives the same pseudonyms"
        );
    }
}
