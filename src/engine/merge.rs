//! Two customer records found to be one person, made one (`merge_customers`), and the
//! merge taken back (`split_customers`, made only by undo).
//!
//! A merge keeps the record staff chose (`customer`) and removes the other (`from`): its
//! orders and consent decisions move to the record kept, in the order they were recorded,
//! so the later decision by sequence is the one that stands. Where the two records' current
//! decisions on a purpose disagree, the later decision by its date stands (on the same day,
//! or where a source does not date one, the withdrawal), as an import's rule is: an old
//! grant on one record never outvotes a newer withdrawal on the other because it happened
//! to be recorded later. When sequence alone would say otherwise, the merge records that
//! decision again, with the day the customer made it and when Candor first recorded it. A
//! field the record kept lacks is taken from the other, saying where it came from; the
//! earlier "customer since" day stands. The merge's before value holds everything its undo
//! needs to put back.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::changes::ChangeContext;
use super::model::{ConsentEvent, Customer, CustomerId, FieldSource, OrderId, PersonalField, Shop};

/// What a merge's undo puts back: the removed record, the orders and consent decisions
/// that were its, the fields it filled in, and the kept record's own "customer since".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Split {
    /// The record the merge removed, as it was.
    pub record: Customer,
    /// The orders that were its.
    pub orders: Vec<OrderId>,
    /// Which of the kept record's consent decisions were its, by their place among the
    /// kept record's decisions in order of recording (0 = the first).
    pub consents: Vec<usize>,
    /// Which of the kept record's stated preferences were its, by their place among the
    /// kept record's preference decisions in order of recording (0 = the first).
    #[serde(default)]
    pub preferences: Vec<usize>,
    /// The decisions the merge recorded again (the later of two records' disagreeing
    /// decisions), by their place among the kept record's decisions; its undo removes them.
    #[serde(default)]
    pub restated: Vec<usize>,
    /// The fields the merge filled in on the kept record.
    pub filled: Vec<PersonalField>,
    /// The kept record's "customer since" before the merge.
    pub since: NaiveDate,
    /// The import keys (kind, stored key) that moved with it, put back by the store.
    #[serde(default)]
    pub keys: Vec<(String, String)>,
    /// Values of the audit log that were about it, given back to it by the store.
    #[serde(default)]
    pub log_values: Vec<i64>,
}

/// What a change replaced and what it set, or the field at fault and why.
type Outcome = Result<(Value, Value), (&'static str, String)>;

/// Merges record `from` into record `customer`, recorded by `ctx`.
pub fn merge(
    shop: &mut Shop,
    customer: CustomerId,
    from: CustomerId,
    ctx: &ChangeContext,
) -> Outcome {
    if customer == from {
        return Err(("from", "a record cannot be merged with itself".to_owned()));
    }
    let kept_at = position(shop, customer, "customer")?;
    let from_at = position(shop, from, "from")?;
    let later_decisions = later_of_disagreeing_decisions(shop, customer, from);
    let record = shop.customers[from_at].clone();
    let orders: Vec<OrderId> = shop
        .orders
        .iter()
        .filter(|o| o.customer == Some(from))
        .map(|o| o.id)
        .collect();
    for o in Arc::make_mut(&mut shop.orders) {
        if o.customer == Some(from) {
            o.customer = Some(customer);
        }
    }
    let consents = move_events(
        Arc::make_mut(&mut shop.consents).as_mut_slice(),
        customer,
        from,
        |e| &mut e.customer,
    );
    let preferences = move_events(
        Arc::make_mut(&mut shop.preferences).as_mut_slice(),
        customer,
        from,
        |e| &mut e.customer,
    );
    let restated = restate(shop, customer, later_decisions, ctx);
    let customers = Arc::make_mut(&mut shop.customers);
    let kept = &mut customers[kept_at];
    let since = kept.since;
    let filled = fill_in(kept, &record);
    kept.since = kept.since.min(record.since);
    customers.remove(from_at);
    // Its number is never given to a new customer (the merge's undo gives it back to it).
    shop.highest_erased_customer = shop.highest_erased_customer.max(from);
    let split = Split {
        record,
        orders,
        consents,
        preferences,
        restated,
        filled,
        since,
        keys: Vec::new(),
        log_values: Vec::new(),
    };
    let after = json!({
        "orders_moved": split.orders.len(),
        "consent_decisions_moved": split.consents.len(),
        "consent_decisions_restated": split.restated.len(),
        "preference_decisions_moved": split.preferences.len(),
        "fields_filled": split.filled,
    });
    let before = serde_json::to_value(&split).map_err(|e| ("from", e.to_string()))?;
    Ok((before, after))
}

/// Takes a merge back: puts the removed record, its orders and its consent decisions
/// back, and clears what the merge filled in.
pub fn split(shop: &mut Shop, customer: CustomerId, split: &Split) -> Outcome {
    let kept_at = position(shop, customer, "customer")?;
    let from = split.record.id;
    if shop.customers.iter().any(|c| c.id == from) {
        return Err((
            "split",
            format!("there is already a customer number {from}"),
        ));
    }
    take_out_restated(shop, customer, &split.restated)?;
    give_back(
        Arc::make_mut(&mut shop.consents).as_mut_slice(),
        customer,
        from,
        &split.consents,
        |e| &mut e.customer,
    )?;
    give_back(
        Arc::make_mut(&mut shop.preferences).as_mut_slice(),
        customer,
        from,
        &split.preferences,
        |e| &mut e.customer,
    )?;
    for o in Arc::make_mut(&mut shop.orders) {
        if o.customer == Some(customer) && split.orders.contains(&o.id) {
            o.customer = Some(from);
        }
    }
    let customers = Arc::make_mut(&mut shop.customers);
    let kept = &mut customers[kept_at];
    for &field in &split.filled {
        clear(kept, field);
    }
    kept.since = split.since;
    let at = customers.partition_point(|c| c.id < from);
    customers.insert(at, split.record.clone());
    Ok((
        json!({ "merged": true }),
        json!({ "customer": customer, "restored": from }),
    ))
}

/// Per purpose on which the two records' current decisions disagree: the later decision by
/// the day it was made (then by when Candor recorded it; on a tie, the withdrawal), where
/// the order of recording would let the other stand once the events are one record's.
fn later_of_disagreeing_decisions(
    shop: &Shop,
    customer: CustomerId,
    from: CustomerId,
) -> Vec<ConsentEvent> {
    let current = |who: CustomerId, purpose: &str| {
        shop.consents
            .iter()
            .enumerate()
            .rev()
            .find(|(_, e)| e.customer == who && e.purpose == purpose)
    };
    let mut later = Vec::new();
    for purpose in &shop.purposes {
        let (Some((k, kept)), Some((f, other))) =
            (current(customer, &purpose.id), current(from, &purpose.id))
        else {
            continue;
        };
        if kept.granted == other.granted {
            continue;
        }
        let (stands, by_sequence) = if decided_later(kept, other) {
            (kept, k > f)
        } else {
            (other, f > k)
        };
        if !by_sequence {
            later.push(stands.clone());
        }
    }
    later
}

/// Whether decision `a` was made after `b`: by the day the customer decided, then by when
/// Candor recorded both; not knowing (a decision whose source does not date it), the
/// withdrawal of the two counts as the later.
fn decided_later(a: &ConsentEvent, b: &ConsentEvent) -> bool {
    let (Some(x), Some(y)) = (a.decided_on, b.decided_on) else {
        return !a.granted;
    };
    match x.cmp(&y) {
        std::cmp::Ordering::Equal => match (a.recorded_at, b.recorded_at) {
            (Some(x), Some(y)) if x != y => x > y,
            _ => !a.granted,
        },
        unequal => unequal.is_gt(),
    }
}

/// Records the decisions `later` again for `customer`, as the merge's, with the day the
/// customer made them and when Candor first recorded them; returns their places among
/// `customer`'s decisions.
fn restate(
    shop: &mut Shop,
    customer: CustomerId,
    later: Vec<ConsentEvent>,
    ctx: &ChangeContext,
) -> Vec<usize> {
    let first = shop
        .consents
        .iter()
        .filter(|e| e.customer == customer)
        .count();
    let places = (first..first + later.len()).collect();
    let events = Arc::make_mut(&mut shop.consents);
    for decision in later {
        let day = decision.decided_on.unwrap_or(decision.at);
        // When it was first recorded stays: the customer decided then, not at the merge.
        events.push(ConsentEvent {
            customer,
            method: format!(
                "merge of customer records: customer {}'s decision of {}, the later of the two",
                decision.customer,
                day.format("%-d %B %Y")
            ),
            recorded_by: ctx.actor.clone(),
            ..decision
        });
    }
    places
}

/// Removes the decisions a merge recorded again (the undo of [`restate`]).
fn take_out_restated(
    shop: &mut Shop,
    customer: CustomerId,
    places: &[usize],
) -> Result<(), (&'static str, String)> {
    if places.is_empty() {
        return Ok(());
    }
    let theirs: Vec<usize> = (shop.consents.iter().enumerate())
        .filter(|(_, e)| e.customer == customer)
        .map(|(i, _)| i)
        .collect();
    let mut doomed: Vec<usize> = Vec::with_capacity(places.len());
    for &k in places {
        let Some(&i) = theirs.get(k) else {
            return Err((
                "split",
                "the customer's decisions are not as the merge left them".to_owned(),
            ));
        };
        doomed.push(i);
    }
    let mut i = 0;
    Arc::make_mut(&mut shop.consents).retain(|_| {
        i += 1;
        !doomed.contains(&(i - 1))
    });
    Ok(())
}

fn position(
    shop: &Shop,
    id: CustomerId,
    field: &'static str,
) -> Result<usize, (&'static str, String)> {
    shop.customers
        .iter()
        .position(|c| c.id == id)
        .ok_or_else(|| (field, format!("there is no customer number {id}")))
}

/// Gives `from`'s decisions (consents or preferences) to `customer`, in place (their order
/// of recording is kept); returns their places among `customer`'s decisions afterwards.
fn move_events<E>(
    events: &mut [E],
    customer: CustomerId,
    from: CustomerId,
    owner: impl Fn(&mut E) -> &mut CustomerId,
) -> Vec<usize> {
    let mut places = Vec::new();
    let mut place = 0;
    for e in events {
        let who = owner(e);
        if *who == from {
            *who = customer;
            places.push(place);
        }
        if *who == customer {
            place += 1;
        }
    }
    places
}

/// Gives the decisions at `places` among `customer`'s back to `from` (the undo of
/// [`move_events`]).
fn give_back<E>(
    events: &mut [E],
    customer: CustomerId,
    from: CustomerId,
    places: &[usize],
    owner: impl Fn(&mut E) -> &mut CustomerId,
) -> Result<(), (&'static str, String)> {
    let mut theirs: Vec<&mut CustomerId> = events
        .iter_mut()
        .map(owner)
        .filter(|who| **who == customer)
        .collect();
    if places.iter().any(|&k| k >= theirs.len()) {
        return Err((
            "split",
            "the customer's decisions are not as the merge left them".to_owned(),
        ));
    }
    for &k in places {
        *theirs[k] = from;
    }
    Ok(())
}

/// Fills the fields `kept` lacks from `other`, each saying it came from the merged record;
/// returns the fields filled.
fn fill_in(kept: &mut Customer, other: &Customer) -> Vec<PersonalField> {
    let mut filled = Vec::new();
    for field in PersonalField::VALUES {
        if kept.field_value(field).is_some() {
            continue;
        }
        let Some(value) = other.field_value(field) else {
            continue;
        };
        if super::changes::set_field(kept, field, Some(value)).is_err() {
            continue;
        }
        let came_from = other.value_source(field);
        kept.field_sources.retain(|s| s.field != field);
        kept.field_sources.push(FieldSource {
            field,
            source: format!("{} (merged from customer {})", came_from.0, other.id),
            recorded_on: came_from.1,
        });
        filled.push(field);
    }
    // As the shop file lists them: by field key.
    kept.field_sources.sort_by_key(|s| s.field.key());
    filled
}

fn clear(c: &mut Customer, field: PersonalField) {
    // Clearing a value field cannot fail.
    let _ = super::changes::set_field(c, field, None);
}
