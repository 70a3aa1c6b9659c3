//! The audit log in sentences, for the window and `candor log` alike: who did what, with
//! the names of the rules, customers and purposes, why, and what it changed. The values
//! before and after stay in the entry (and in `candor log --json`).

use crate::engine::changes::{Applied, Change};
use crate::engine::model::{CustomerId, ERASED_CUSTOMER, Shop};
use crate::store::{LogEntry, SubjectEvent};

/// One entry as a sentence: "Sam switched "Weekend brunch" on — “try brunch” — recommendations
/// changed for 12 of 200 customers". Names come from `shop` (the shop as it is now; a
/// customer no longer there is called by number).
pub fn entry_sentence(entry: &LogEntry, shop: &Shop) -> String {
    let what = match &entry.event {
        Some(event) => event_words(event, shop),
        None => {
            let changes: Vec<String> = entry
                .changes
                .iter()
                .map(|a| change_words(a, shop))
                .collect();
            let done = crate::engine::words::and_list(&changes);
            match entry.undoes {
                Some(undone) => format!("undid entry {undone}: {done}"),
                None => done,
            }
        }
    };
    let mut sentence = format!("{} {what}", entry.actor);
    if !entry.reason.trim().is_empty() {
        sentence.push_str(&format!(" — \u{201c}{}\u{201d}", entry.reason.trim()));
    }
    if let Some(impact) = &entry.impact
        && let (Some(changed), Some(total)) = (
            impact["customers_changed"].as_u64(),
            impact["customers_total"].as_u64(),
        )
    {
        sentence.push_str(&format!(
            " — recommendations changed for {}",
            crate::engine::words::of_customers(changed as usize, total as usize)
        ));
    }
    if let Some(found) = &entry.outside_change {
        sentence.push_str(&format!(
            " — Candor found that the shop had been changed outside Candor after entry {}: its {}",
            found.after_entry,
            crate::engine::words::and_list(&found.parts)
        ));
    }
    sentence
}

/// What a recorded event did, in words.
fn event_words(event: &SubjectEvent, shop: &Shop) -> String {
    let whom = event
        .customer
        .map_or_else(|| event.subject(), |id| shop.customer_name(id));
    match event.kind.as_str() {
        "access_export" => format!("exported the data held about {whom}"),
        "recommendations_export" | "breach_report" => event.detail.clone(),
        "reveal" => format!("looked at the personal data of {whom} in full"),
        "erasure" => format!("erased {}", event.subject()),
        "retention_purge" => "deleted data kept past its retention period".to_owned(),
        "import" => format!("imported data: {}", event.detail),
        "import_undone" => "took back an import".to_owned(),
        crate::store::backup::RESTORED => event.detail.clone(),
        "owner_passphrase_set" => "set the owner's passphrase".to_owned(),
        "owner_set_up" => format!("set up the owner ({})", event.detail),
        "owner_passphrase_changed" => "changed the owner's passphrase".to_owned(),
        "owner_reset_with_code" => "reset the owner's passphrase with the recovery code".to_owned(),
        "protected" => "protected the shop file with a password (it is encrypted)".to_owned(),
        "password_changed" => "changed the shop's password".to_owned(),
        "protection_removed" => {
            "took the password protection off the shop file (it is plain again)".to_owned()
        }
        crate::store::STAFF_ADDED | crate::store::STAFF_REMOVED => event.detail.clone(),
        "owner_signing_key_made" => {
            "made the owner's signing key (the owner's entries are signed from now on)".to_owned()
        }
        "owner_refused" => "gave a wrong owner's passphrase (refused)".to_owned(),
        other => format!("recorded {}", other.replace('_', " ")),
    }
}

/// What one change did, in the past tense, with names.
fn change_words(applied: &Applied, shop: &Shop) -> String {
    let rule = |id: &str| {
        let label = shop
            .rules
            .iter()
            .find(|r| r.id == id)
            .map_or(id, |r| r.label.as_str());
        format!("\u{201c}{label}\u{201d}")
    };
    let customer = |id: CustomerId| shop.customer_name(id);
    match &applied.change {
        Change::RuleWeight { rule: r, weight } => format!(
            "set the weight of {} to {}",
            rule(r),
            crate::engine::score::round_for_text(*weight)
        ),
        Change::RuleEnabled { rule: r, enabled } => {
            format!(
                "switched {} {}",
                rule(r),
                if *enabled { "on" } else { "off" }
            )
        }
        Change::Rule { rule: r, .. } if applied.before["rule"].is_null() => {
            format!("added the rule \u{201c}{}\u{201d}", r.label)
        }
        Change::Rule { rule: r, .. } => format!("changed the rule \u{201c}{}\u{201d}", r.label),
        Change::RuleRemoved { rule: r } => format!("removed the rule {}", rule(r)),
        Change::Consent {
            customer: c,
            purpose,
            granted,
            method,
            ..
        } => format!(
            "recorded that {} {} \u{201c}{}\u{201d}{}",
            customer(*c),
            if *granted { "agreed to" } else { "withdrew" },
            shop.purpose_label(purpose),
            method
                .as_deref()
                .map_or_else(String::new, |m| format!(" ({m})"))
        ),
        Change::Preference {
            customer: c,
            preference,
            withdrawn,
            method,
            ..
        } => {
            // Erasure removes what the customer said; the entry then says only that.
            let Some(what) = preference
                .as_ref()
                .map(|p| p.text(|id| crate::engine::changes::product_name(shop, id)))
            else {
                return format!("recorded a preference of {}", customer(*c));
            };
            format!(
                "recorded that {} {}{}",
                customer(*c),
                if *withdrawn {
                    format!("took back \u{201c}{what}\u{201d}")
                } else {
                    what
                },
                method
                    .as_deref()
                    .map_or_else(String::new, |m| format!(" ({m})"))
            )
        }
        Change::CustomerField {
            customer: c,
            field,
            value,
            ..
        } => format!(
            "{} the {} of {}",
            if value.is_some() {
                "corrected"
            } else {
                "deleted"
            },
            crate::engine::fields::key_in_words(field),
            customer(*c)
        ),
        Change::MergeCustomers { customer: c, from }
            if *c == ERASED_CUSTOMER && *from == ERASED_CUSTOMER =>
        {
            // Erasing either record erases both numbers from the entry.
            "merged two records of one customer, since erased".to_owned()
        }
        Change::MergeCustomers { customer: c, from } => {
            format!(
                "merged the record of {} into {}",
                customer(*from),
                customer(*c)
            )
        }
        Change::SplitCustomers { customer: c, .. } => {
            format!("took back a merge into {}", customer(*c))
        }
        Change::NewCustomer {
            customer: c,
            consents,
            ..
        } => {
            let who = c.map_or_else(|| "a new customer".to_owned(), &customer);
            let answers: Vec<String> = consents
                .iter()
                .map(|a| {
                    format!(
                        "{} \u{201c}{}\u{201d}",
                        if a.granted {
                            "agreed to"
                        } else {
                            "did not agree to"
                        },
                        shop.purpose_label(&a.purpose)
                    )
                })
                .collect();
            if answers.is_empty() {
                format!("added {who} as a new customer")
            } else {
                format!(
                    "added {who} as a new customer, who {}",
                    crate::engine::words::and_list(&answers)
                )
            }
        }
        Change::CustomerRemoved { customer: c } => {
            format!("took back the new customer {}", customer(*c))
        }
        Change::FieldRetention {
            field,
            retention_days,
        } => format!(
            "set how long the {} {} kept: {}",
            field.in_words(),
            field.is_or_are(),
            retention_days.map_or_else(
                || "without a time limit".to_owned(),
                |d| format!("{} after the last order", crate::engine::words::days(d))
            )
        ),
        setting @ Change::Setting { .. } => {
            format!(
                "changed a setting: {}",
                lower_first(&setting.describe(shop))
            )
        }
        other => lower_first(&other.describe(shop)),
    }
}

/// "Set …" as "set …", so it follows a name.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}
