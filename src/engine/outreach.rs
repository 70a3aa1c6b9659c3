//! Recommendations that reach the customer: every customer's list with its honest
//! reasons, as rows an email tool or newsletter can merge, gated by consent. Customers
//! who have not agreed to personalization get the shop-wide list; with a channel, only the
//! customers who agreed to be contacted on it are written at all.

use chrono::NaiveDate;
use serde::Serialize;

use super::explain::{Explanation, and_list, explain};
use super::index::ShopIndex;
use super::model::{CustomerId, ProductId};
use super::simulate::{Progress, per_customer};

/// The longest list an export writes per customer.
pub const MAX_TOP: usize = 20;

/// A way of reaching customers, and the consent purpose it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Email: needs the customer's agreement to email offers and an email address.
    Email,
}

impl Channel {
    /// The purpose a customer must have granted to be contacted this way.
    pub fn purpose(self) -> &'static str {
        match self {
            Self::Email => "email_offers",
        }
    }
}

/// Why an export cannot be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OutreachError {
    /// The list length is out of range.
    #[error("the list length must be between 1 and {MAX_TOP}, not {0}")]
    Top(usize),
    /// The shop has no purpose for the channel, so nobody can have agreed to it.
    #[error(
        "this shop has no consent purpose \"{purpose}\", so no customer has agreed to be \
         contacted by {channel}; add the purpose and record customers' agreement first"
    )]
    NoPurpose {
        /// The channel asked for.
        channel: &'static str,
        /// The purpose it needs.
        purpose: &'static str,
    },
    /// Someone pressed Cancel.
    #[error("the export was cancelled")]
    Cancelled,
}

/// Customers not written, by reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    /// Their latest decision on the channel's purpose is not a grant.
    pub no_channel_consent: usize,
    /// They agreed, but no email address is held.
    pub no_email_address: usize,
}

impl LeftOut {
    /// Every customer left out.
    pub fn total(&self) -> usize {
        self.no_channel_consent + self.no_email_address
    }
}

/// One product in a customer's list, as the customer reads it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suggestion {
    /// 1 for the best.
    pub rank: usize,
    /// Product number.
    pub product: ProductId,
    /// Product name.
    pub name: String,
    /// The price for people, in the shop's currency ("£4.50", or "price not known").
    pub price: String,
    /// The price in minor units of the shop's currency; `null` when not known.
    pub price_cents: Option<i64>,
    /// The same sentence as the customer's card: why, naming the data used.
    pub reason: String,
}

/// One customer's list, with why they see it and how to change that.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Letter {
    /// Customer number.
    pub customer: CustomerId,
    /// Their email address, for the email channel only (they agreed to it); `null` in an
    /// export without a channel.
    pub email: Option<String>,
    /// The first word of their name, where held.
    pub first_name: Option<String>,
    /// Whether the list is personal: some of their data added to its suggestions (they
    /// agreed, and a rule that ran for them lifted one of the products).
    pub personalized: bool,
    /// Why they are seeing these products, in their words.
    pub why: String,
    /// How to change it.
    pub how_to_change: String,
    /// The products, best first.
    pub products: Vec<Suggestion>,
}

/// Every written customer's list and who was left out.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outreach {
    /// The day the lists were computed for.
    pub as_of: NaiveDate,
    /// Products per customer.
    pub top: usize,
    /// The channel the export is for, if any.
    pub channel: Option<Channel>,
    /// The purpose that channel needs, if any.
    pub channel_purpose: Option<&'static str>,
    /// Customers written.
    pub written: usize,
    /// Of them, with a personal list.
    pub personalized: usize,
    /// Of them, with the shop-wide list (no agreement to personalization, or no rule in use).
    pub shop_wide: usize,
    /// Customers not written, by reason.
    pub left_out: LeftOut,
    /// The lists, in customer order.
    pub customers: Vec<Letter>,
}

/// Every customer's top `top` with reasons, for `channel` if given; cancellable.
pub fn outreach(
    index: &ShopIndex,
    top: usize,
    channel: Option<Channel>,
    progress: &Progress,
) -> Result<Outreach, OutreachError> {
    if !(1..=MAX_TOP).contains(&top) {
        return Err(OutreachError::Top(top));
    }
    let shop = index.shop();
    if let Some(c) = channel
        && shop.purpose(c.purpose()).is_none()
    {
        return Err(OutreachError::NoPurpose {
            channel: "email",
            purpose: c.purpose(),
        });
    }
    let (chosen, left_out) = recipients(index, channel);
    let customers = per_customer(index, &chosen, progress, |scorer, pos| {
        letter(index, &explain(scorer, pos, top), channel)
    })
    .ok_or(OutreachError::Cancelled)?;
    let personalized = customers.iter().filter(|l| l.personalized).count();
    Ok(Outreach {
        as_of: index.today(),
        top,
        channel,
        channel_purpose: channel.map(Channel::purpose),
        written: customers.len(),
        personalized,
        shop_wide: customers.len() - personalized,
        left_out,
        customers,
    })
}

/// The customers an export for `channel` writes (positions, in customer order), and
/// how many it leaves out and why. The window's preview counts with this too.
pub fn recipients(index: &ShopIndex, channel: Option<Channel>) -> (Vec<usize>, LeftOut) {
    let mut left_out = LeftOut::default();
    let mut chosen = Vec::new();
    for (pos, customer) in index.shop().customers.iter().enumerate() {
        match channel {
            Some(c) if !index.has_consent(pos, c.purpose()) => left_out.no_channel_consent += 1,
            Some(Channel::Email) if customer.email.is_none() => left_out.no_email_address += 1,
            _ => chosen.push(pos),
        }
    }
    (chosen, left_out)
}

/// One customer's letter from their explanation.
fn letter(index: &ShopIndex, e: &Explanation, channel: Option<Channel>) -> Letter {
    let shop = index.shop();
    let customer = index
        .customer_pos(e.customer)
        .map(|pos| &shop.customers[pos]);
    let currency = shop.settings.currency;
    let products = e
        .recommendations
        .iter()
        .map(|r| Suggestion {
            rank: r.rank,
            product: r.product,
            name: r.name.clone(),
            price: currency.price_text(r.price_cents),
            price_cents: r.price_cents,
            reason: r.sentence.clone(),
        })
        .collect();
    Letter {
        customer: e.customer,
        // An address is written only for a channel the customer agreed to.
        email: channel.and(customer).and_then(|c| c.email.clone()),
        first_name: customer
            .and_then(|c| c.name.as_deref())
            .and_then(|n| n.split_whitespace().next())
            .map(str::to_owned),
        personalized: !data_used(e).is_empty(),
        why: why(index, e),
        how_to_change: how_to_change(&shop.settings.name, channel),
        products,
    }
}

/// "Why you are seeing this", in the customer's words.
fn why(index: &ShopIndex, e: &Explanation) -> String {
    if let Some(reason) = e.not_personalized {
        return format!(
            "{} These are our suggestions for everyone.",
            reason.to_customer()
        );
    }
    let data = data_used(e);
    let mut purposes: Vec<String> = Vec::new();
    for c in e.recommendations.iter().flat_map(|r| &r.contributions) {
        if !c.counts() {
            continue;
        }
        if let Some(p) = &c.purpose {
            let label = format!("\u{201c}{}\u{201d}", index.shop().purpose_label(p));
            if !purposes.contains(&label) {
                purposes.push(label);
            }
        }
    }
    if data.is_empty() {
        return "We picked these from what is popular with our customers; none of your data \
                added to these suggestions."
            .to_owned();
    }
    format!(
        "We picked these for you using {}, because you agreed to {}.",
        and_list(&data),
        and_list(&purposes)
    )
}

/// The customer's data that added to their suggestions, in words, each once; none for a
/// list that is not personalized.
fn data_used(e: &Explanation) -> Vec<String> {
    let mut data: Vec<String> = Vec::new();
    if e.not_personalized.is_some() {
        return data;
    }
    let counted = (e.recommendations.iter().flat_map(|r| &r.contributions)).filter(|c| c.counts());
    for d in counted.flat_map(|c| &c.data_used) {
        if !data.contains(d) {
            data.push(d.clone());
        }
    }
    data
}

/// How the customer can change what they receive.
fn how_to_change(shop: &str, channel: Option<Channel>) -> String {
    let stop = match channel {
        Some(Channel::Email) => " To stop these emails, reply or tell us in the shop.",
        None => "",
    };
    format!(
        "You can withdraw or give any agreement at any time, in the shop or by writing to \
         {shop}, and we stop using your data for it at once.{stop} You can also ask to see, \
         correct or delete the data we hold about you."
    )
}
