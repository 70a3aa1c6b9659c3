//! Customer groups for the fairness audit: age band, gender where held, postcode district,
//! and new against long-standing customers. Every customer falls in exactly one group of
//! each grouping; customers for whom the data is not held form their own group.

use serde::{Deserialize, Serialize};

use super::super::features::age_on;
use super::super::index::ShopIndex;
use super::super::model::{Customer, PersonalField};
use super::AuditConfig;

/// A way of dividing customers into groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// Age bands from the birth date.
    AgeBand,
    /// Gender, as the customer stated it.
    Gender,
    /// Postcode district (the part before the space, e.g. "BS5").
    PostcodeArea,
    /// New customers against long-standing ones.
    Tenure,
}

impl Grouping {
    /// Every grouping, in display order.
    pub const ALL: [Self; 4] = [
        Self::AgeBand,
        Self::Gender,
        Self::PostcodeArea,
        Self::Tenure,
    ];

    /// Stable key used in JSON.
    pub fn key(self) -> &'static str {
        match self {
            Self::AgeBand => "age_band",
            Self::Gender => "gender",
            Self::PostcodeArea => "postcode_area",
            Self::Tenure => "tenure",
        }
    }

    /// Name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::AgeBand => "Age band",
            Self::Gender => "Gender",
            Self::PostcodeArea => "Postcode area",
            Self::Tenure => "New or long-standing",
        }
    }

    /// The personal-data field the grouping is computed from.
    pub fn field(self) -> PersonalField {
        match self {
            Self::AgeBand => PersonalField::BirthDate,
            Self::Gender => PersonalField::Gender,
            Self::PostcodeArea => PersonalField::Postcode,
            Self::Tenure => PersonalField::CustomerSince,
        }
    }
}

/// The groups of one grouping and which group each customer is in.
#[derive(Clone, Debug)]
pub struct Assignment {
    /// Group names, in display order.
    pub names: Vec<String>,
    /// For each customer position, the group's position in `names`.
    pub of_customer: Vec<usize>,
    /// The group of customers whose data for the grouping is not held (the last), if any.
    pub not_held: Option<usize>,
}

impl Assignment {
    /// Customers per group.
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0; self.names.len()];
        for &g in &self.of_customer {
            sizes[g] += 1;
        }
        sizes
    }
}

/// Puts every customer in a group; `None` when no customer holds the grouping's field
/// (for example a shop that never asks for gender).
pub fn assign(index: &ShopIndex, grouping: Grouping, config: &AuditConfig) -> Option<Assignment> {
    let customers = &index.shop().customers;
    let today = index.today();
    let label = |c: &Customer| -> Option<String> {
        match grouping {
            Grouping::AgeBand => c
                .birth_date
                .map(|b| age_band(age_on(b, today), &config.age_bands)),
            Grouping::Gender => c
                .gender
                .as_deref()
                .map(str::trim)
                .filter(|g| !g.is_empty())
                .map(str::to_lowercase),
            Grouping::PostcodeArea => c.postcode.as_deref().and_then(postcode_district),
            Grouping::Tenure => {
                let days = (today - c.since).num_days();
                Some(if days < config.new_customer_days {
                    format!("customer for under {} days", config.new_customer_days)
                } else {
                    format!("customer for {} days or more", config.new_customer_days)
                })
            }
        }
    };
    let labels: Vec<Option<String>> = customers.iter().map(label).collect();
    if labels.iter().all(Option::is_none) {
        return None;
    }
    let distinct: std::collections::BTreeSet<&str> =
        labels.iter().flatten().map(String::as_str).collect();
    let mut names: Vec<String> = distinct.into_iter().map(str::to_owned).collect();
    names.sort_by_cached_key(|n| sort_key(grouping, n, config));
    let position: std::collections::HashMap<String, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), i))
        .collect();
    let not_held = labels.iter().any(Option::is_none).then(|| {
        names.push(format!("{} not held", grouping.field_label()));
        names.len() - 1
    });
    let missing = names.len() - 1;
    let of_customer = labels
        .iter()
        .map(|l| {
            l.as_ref()
                .and_then(|l| position.get(l).copied())
                .unwrap_or(missing)
        })
        .collect();
    Some(Assignment {
        names,
        of_customer,
        not_held,
    })
}

/// Puts every customer in a group of two groupings at once (e.g. "50–64 · female"):
/// intersectional groups, where a gap can hide that neither grouping shows alone.
/// Customers for whom either is not held form one "not held" group. `None` when nobody
/// holds both.
pub fn assign_pair(
    index: &ShopIndex,
    [first, second]: [Grouping; 2],
    config: &AuditConfig,
) -> Option<Assignment> {
    let a = assign(index, first, config)?;
    let b = assign(index, second, config)?;
    let held = |x: &Assignment, g: usize| x.not_held != Some(g);
    let mut used: Vec<(usize, usize)> = a
        .of_customer
        .iter()
        .zip(&b.of_customer)
        .filter(|&(&ga, &gb)| held(&a, ga) && held(&b, gb))
        .map(|(&ga, &gb)| (ga, gb))
        .collect();
    used.sort_unstable();
    used.dedup();
    if used.is_empty() {
        return None;
    }
    let mut names: Vec<String> = used
        .iter()
        .map(|&(ga, gb)| format!("{} · {}", a.names[ga], b.names[gb]))
        .collect();
    let missing = names.len();
    let of_customer: Vec<usize> = a
        .of_customer
        .iter()
        .zip(&b.of_customer)
        .map(|(&ga, &gb)| used.binary_search(&(ga, gb)).unwrap_or(missing))
        .collect();
    let not_held = of_customer.contains(&missing).then(|| {
        names.push(format!(
            "{} or {} not held",
            first.field_label(),
            second.field_label()
        ));
        missing
    });
    Some(Assignment {
        names,
        of_customer,
        not_held,
    })
}

impl Grouping {
    /// The field's name in the "not held" group label.
    fn field_label(self) -> &'static str {
        match self {
            Self::AgeBand => "birth date",
            Self::Gender => "gender",
            Self::PostcodeArea => "postcode",
            Self::Tenure => "start date",
        }
    }
}

/// Orders groups naturally: age bands and tenure by their numbers, the rest by name.
fn sort_key(grouping: Grouping, name: &str, config: &AuditConfig) -> (i64, String) {
    match grouping {
        Grouping::AgeBand => {
            let rank = (0..=config.age_bands.len())
                .find(|&i| band_name(i, &config.age_bands) == name)
                .unwrap_or(usize::MAX);
            (rank as i64, String::new())
        }
        Grouping::Tenure => (i64::from(!name.contains("under")), String::new()),
        _ => (0, name.to_owned()),
    }
}

/// The band an age falls in, given ascending band edges (e.g. 30, 40, 50, 65).
pub fn age_band(age: i32, edges: &[u32]) -> String {
    let band = edges
        .iter()
        .take_while(|&&e| i64::from(age) >= i64::from(e))
        .count();
    band_name(band, edges)
}

/// The name of band `i` for the given edges: "under 30", "30–39", …, "65 and over".
fn band_name(i: usize, edges: &[u32]) -> String {
    match (i.checked_sub(1).and_then(|j| edges.get(j)), edges.get(i)) {
        (None, Some(hi)) => format!("under {hi}"),
        (Some(lo), Some(hi)) => format!("{lo}–{}", hi.saturating_sub(1)),
        (Some(lo), None) => format!("{lo} and over"),
        (None, None) => "all ages".to_owned(),
    }
}

/// The postcode district: the part before the space ("BS5 8DJ" → "BS5"); for a postcode
/// without a space, the UK outward code (all but the last three characters) or, for an
/// all-digit postcode, its first three digits.
pub fn postcode_district(postcode: &str) -> Option<String> {
    let p = postcode.trim().to_uppercase();
    if p.is_empty() {
        return None;
    }
    if let Some((outward, _)) = p.split_once(char::is_whitespace) {
        return Some(outward.to_owned());
    }
    if p.chars().all(|c| c.is_ascii_digit()) {
        return Some(p.chars().take(3).collect());
    }
    let chars: Vec<char> = p.chars().collect();
    if chars.len() > 4 {
        Some(chars[..chars.len() - 3].iter().collect())
    } else {
        Some(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_bands_name_their_edges() {
        let edges = [30, 40, 50, 65];
        assert_eq!(age_band(18, &edges), "under 30");
        assert_eq!(age_band(30, &edges), "30–39");
        assert_eq!(age_band(49, &edges), "40–49");
        assert_eq!(age_band(64, &edges), "50–64");
        assert_eq!(age_band(80, &edges), "65 and over");
        assert_eq!(age_band(80, &[]), "all ages");
    }

    #[test]
    fn postcode_districts() {
        assert_eq!(postcode_district("bs5 8dj").as_deref(), Some("BS5"));
        assert_eq!(postcode_district("SW1A1AA").as_deref(), Some("SW1A"));
        assert_eq!(postcode_district("75011").as_deref(), Some("750"));
        assert_eq!(postcode_district("  "), None);
    }
}
