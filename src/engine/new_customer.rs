//! A new customer recorded at the counter (`new_customer`): their details and each consent
//! purpose asked one by one, and its undo (`customer_removed`, made only by undoing one).
//!
//! The number given is the next one free: above every customer in the shop and every
//! number ever erased or taken back, so a number is never given to someone else.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::changes::ChangeContext;
use super::model::{Customer, CustomerId, PersonalField, Shop};

/// One purpose asked of a new customer, and their answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentAnswer {
    /// Purpose id.
    pub purpose: String,
    /// Agreed (`true`) or not (`false`).
    pub granted: bool,
}

/// What a removal puts back when it is itself undone: the record and its answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Removed {
    /// The record removed, as it was.
    pub record: Customer,
    /// The answers recorded with it.
    pub consents: Vec<ConsentAnswer>,
}

/// What a change replaced and what it set, or the field at fault and why.
type Outcome = Result<(Value, Value), (&'static str, String)>;

/// The number a new customer gets: one above every customer and every erased number.
pub fn next_number(shop: &Shop) -> CustomerId {
    let highest = shop.customers.iter().map(|c| c.id).max().unwrap_or(0);
    highest.max(shop.highest_erased_customer) + 1
}

/// Adds a customer with `fields` (keys of [`PersonalField::VALUES`]) and records each
/// answer as a consent decision made `how` (`method`), at the time of `ctx`.
pub fn add(
    shop: &mut Shop,
    number: Option<CustomerId>,
    fields: &BTreeMap<String, String>,
    answers: &[ConsentAnswer],
    (method, ctx): (&str, &ChangeContext),
) -> Outcome {
    let id = number.unwrap_or_else(|| next_number(shop));
    if shop.customers.iter().any(|c| c.id == id) {
        return Err((
            "customer",
            format!("there is already a customer number {id}"),
        ));
    }
    if id <= shop.highest_erased_customer || id < 1 {
        return Err((
            "customer",
            format!(
                "{id} cannot be given: numbers up to {} were used by customers since erased",
                shop.highest_erased_customer
            ),
        ));
    }
    let mut record = Customer {
        id,
        name: None,
        email: None,
        phone: None,
        address: None,
        postcode: None,
        birth_date: None,
        gender: None,
        since: ctx.now.date_naive(),
        source: format!("recorded in Candor ({method})"),
        field_sources: Vec::new(),
    };
    for (key, value) in fields {
        let field = PersonalField::from_key(key)
            .filter(|f| PersonalField::VALUES.contains(f))
            .ok_or_else(|| {
                (
                    "fields",
                    format!("\"{key}\" is not one of name, email, phone, address, postcode, birth_date, gender"),
                )
            })?;
        let value = Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        super::changes::set_field(&mut record, field, value).map_err(|p| ("fields", p))?;
    }
    if record.name.is_none() && record.email.is_none() && record.phone.is_none() {
        return Err((
            "fields",
            "a new customer needs at least a name, an email or a phone number".to_owned(),
        ));
    }
    let customers = Arc::make_mut(&mut shop.customers);
    let at = customers.partition_point(|c| c.id < id);
    customers.insert(at, record);
    for answer in answers {
        super::changes::record_consent(
            shop,
            id,
            &answer.purpose,
            answer.granted,
            (Some(method), None),
            ctx,
        )
        .map_err(|(_, problem)| ("consents", problem))?;
    }
    Ok((Value::Null, json!({ "customer": id })))
}

/// Removes a customer added by `new_customer` (its undo): the record and every consent
/// decision and preference of theirs. The before value holds what undoing the removal
/// puts back.
pub fn remove(shop: &mut Shop, id: CustomerId) -> Outcome {
    let at = shop
        .customers
        .iter()
        .position(|c| c.id == id)
        .ok_or_else(|| ("customer", format!("there is no customer number {id}")))?;
    if shop.orders.iter().any(|o| o.customer == Some(id)) {
        return Err((
            "customer",
            format!("customer {id} has orders now, so the record cannot be taken back"),
        ));
    }
    let consents: Vec<ConsentAnswer> = shop
        .consents
        .iter()
        .filter(|e| e.customer == id)
        .map(|e| ConsentAnswer {
            purpose: e.purpose.clone(),
            granted: e.granted,
        })
        .collect();
    Arc::make_mut(&mut shop.consents).retain(|e| e.customer != id);
    Arc::make_mut(&mut shop.preferences).retain(|e| e.customer != id);
    let record = Arc::make_mut(&mut shop.customers).remove(at);
    // A number once given is never given again, not even to the same person added anew.
    shop.highest_erased_customer = shop.highest_erased_customer.max(id);
    let removed = Removed { record, consents };
    let before = serde_json::to_value(&removed).map_err(|e| ("customer", e.to_string()))?;
    Ok((before, json!({ "customer": null })))
}

/// The details of a removed record, as `new_customer` takes them.
pub fn fields_of(record: &Customer) -> BTreeMap<String, String> {
    PersonalField::VALUES
        .iter()
        .filter_map(|&f| Some((f.key().to_owned(), record.field_value(f)?)))
        .collect()
}
