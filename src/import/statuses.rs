//! What an order's status means: a sale, not a sale, partly refunded or a return. The
//! words shops' platforms use for orders that were not sales, so that a file no preset
//! knows (an Ecwid export, a till's CSV) does not count a refunded order as bought; and
//! the wizard's per-value choice.

use super::mapping::{Mapping, Role};

/// What one status value means for its order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusMeaning {
    /// The order was bought.
    Sale,
    /// The order was not a sale (cancelled, refunded, unpaid): it is left out, counted.
    NotSale,
    /// Bought, though part of it was refunded: kept, counted.
    PartlyRefunded,
    /// Its lines take back earlier purchases.
    Return,
}

impl StatusMeaning {
    /// Every meaning, in the order the wizard offers them.
    pub const ALL: [Self; 4] = [
        Self::Sale,
        Self::NotSale,
        Self::PartlyRefunded,
        Self::Return,
    ];

    /// The meaning in words, as the wizard offers it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Sale => "a sale",
            Self::NotSale => "not a sale: the order is left out",
            Self::PartlyRefunded => "partly refunded: kept as bought",
            Self::Return => "a return: its lines take back purchases",
        }
    }
}

/// Order and payment statuses that shop platforms (WooCommerce, Ecwid, BigCommerce,
/// Magento, PrestaShop and others) use for an order that was not, or not yet, a sale.
/// Compared ignoring case, `_` and `-`.
pub const NOT_SALE_STATUSES: [&str; 28] = [
    "cancelled",
    "canceled",
    "refunded",
    "voided",
    "void",
    "failed",
    "declined",
    "expired",
    "pending",
    "pending payment",
    "awaiting payment",
    "queued",
    "unpaid",
    "not paid",
    "incomplete",
    "on hold",
    "trash",
    "draft",
    "checkout draft",
    "abandoned",
    "returned",
    "will not deliver",
    "payment error",
    "suspected fraud",
    "fraud",
    "disputed",
    "wc cancelled",
    "wc refunded",
];

/// Fulfillment statuses that say an order was not a sale after all. Shorter than
/// [`NOT_SALE_STATUSES`]: a fulfillment column's "pending" or "on hold" is a paid order
/// not yet shipped.
pub const NOT_DELIVERED_STATUSES: [&str; 5] = [
    "cancelled",
    "canceled",
    "will not deliver",
    "returned",
    "refunded",
];

/// Payment statuses for an order bought and partly refunded.
pub const PARTLY_REFUNDED_STATUSES: [&str; 2] = ["partially refunded", "partly refunded"];

/// A status as compared, character by character without allocating (an import compares
/// every row's): lower case (a Greek final sigma as any sigma), `_` and `-` as spaces,
/// runs of spaces as one, none at the ends.
fn normal(status: &str) -> impl Iterator<Item = char> + '_ {
    status
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|word| !word.is_empty())
        .enumerate()
        .flat_map(|(i, word)| {
            (i > 0).then_some(' ').into_iter().chain(
                word.chars()
                    .flat_map(char::to_lowercase)
                    .map(|c| if c == 'ς' { 'σ' } else { c }),
            )
        })
}

/// Whether two statuses are the same, case, `_` and `-` aside.
fn same(a: &str, b: &str) -> bool {
    normal(a).eq(normal(b))
}

/// Whether `status` is one of `list` (`"*"` takes any non-blank status).
pub fn matches_status(list: &[String], status: &str) -> bool {
    normal(status).next().is_some() && list.iter().any(|s| s == "*" || same(s, status))
}

impl Mapping {
    /// Takes the statuses platforms commonly use as not sales, or partly refunded, for
    /// both the order status and the payment status column (the wizard's starting point).
    pub fn with_common_statuses(mut self) -> Self {
        let words = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        self.skip_statuses = words(&NOT_SALE_STATUSES);
        self.skip_payment_statuses = words(&NOT_SALE_STATUSES);
        self.partial_refund_statuses = words(&PARTLY_REFUNDED_STATUSES);
        self
    }

    /// Whether any value of the status column of `role` means the order was cancelled
    /// (Shopify's "Cancelled at").
    pub fn any_status_means_cancelled(&self, role: Role) -> bool {
        role == Role::Status && self.skip_statuses.iter().any(|s| s == "*")
    }

    /// What `value` in the column of `role` (order or payment status) means, in the order
    /// an import tests them.
    pub fn status_meaning(&self, role: Role, value: &str) -> StatusMeaning {
        if matches_status(self.not_sale_list(role), value) {
            StatusMeaning::NotSale
        } else if matches_status(&self.return_statuses, value) {
            StatusMeaning::Return
        } else if matches_status(&self.partial_refund_statuses, value) {
            StatusMeaning::PartlyRefunded
        } else {
            StatusMeaning::Sale
        }
    }

    /// The values the column of `role` takes as not sales, and those both columns take as
    /// partly refunded, as written in the mapping.
    pub fn status_lists(&self, role: Role) -> (&[String], &[String]) {
        (self.not_sale_list(role), &self.partial_refund_statuses)
    }

    fn not_sale_list(&self, role: Role) -> &[String] {
        if role == Role::PaymentStatus {
            &self.skip_payment_statuses
        } else {
            &self.skip_statuses
        }
    }

    /// Makes `value` in the column of `role` mean `meaning`, and nothing else.
    pub fn set_status_meaning(&mut self, role: Role, value: &str, meaning: StatusMeaning) {
        let skip = if role == Role::PaymentStatus {
            &mut self.skip_payment_statuses
        } else {
            &mut self.skip_statuses
        };
        for list in [
            skip,
            &mut self.partial_refund_statuses,
            &mut self.return_statuses,
        ] {
            list.retain(|s| s == "*" || !same(s, value));
        }
        let list = match meaning {
            StatusMeaning::Sale => return,
            StatusMeaning::NotSale if role == Role::PaymentStatus => {
                &mut self.skip_payment_statuses
            }
            StatusMeaning::NotSale => &mut self.skip_statuses,
            StatusMeaning::PartlyRefunded => &mut self.partial_refund_statuses,
            StatusMeaning::Return => &mut self.return_statuses,
        };
        list.push(value.trim().to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_spellings_of_one_status_are_one() {
        let list = vec!["awaiting payment".to_owned(), "on hold".to_owned()];
        for s in [
            "AWAITING_PAYMENT",
            "Awaiting payment",
            " awaiting-payment ",
            "On-Hold",
        ] {
            assert!(matches_status(&list, s), "{s}");
        }
        assert!(!matches_status(&list, "paid"));
        let greek = vec!["Ακυρωμένος".to_owned()];
        assert!(matches_status(&greek, "ΑΚΥΡΩΜΈΝΟΣ"));
        assert!(!matches_status(&list, "  "));
    }

    #[test]
    fn each_value_means_what_it_was_last_set_to() {
        let mut m = Mapping::blank("Ecwid").with_common_statuses();
        let status = Role::PaymentStatus;
        assert_eq!(m.status_meaning(status, "REFUNDED"), StatusMeaning::NotSale);
        assert_eq!(
            m.status_meaning(status, "PARTIALLY_REFUNDED"),
            StatusMeaning::PartlyRefunded
        );
        assert_eq!(m.status_meaning(status, "PAID"), StatusMeaning::Sale);
        m.set_status_meaning(status, "AWAITING_PAYMENT", StatusMeaning::Sale);
        assert_eq!(
            m.status_meaning(status, "awaiting payment"),
            StatusMeaning::Sale
        );
        assert_eq!(
            m.status_meaning(Role::Status, "awaiting payment"),
            StatusMeaning::NotSale,
            "the order status column keeps its own list"
        );
        m.set_status_meaning(Role::Status, "Exchange", StatusMeaning::Return);
        assert_eq!(
            m.status_meaning(Role::Status, "exchange"),
            StatusMeaning::Return
        );
        m.set_status_meaning(Role::Status, "Exchange", StatusMeaning::NotSale);
        assert_eq!(
            m.status_meaning(Role::Status, "exchange"),
            StatusMeaning::NotSale
        );
        assert!(m.return_statuses.is_empty());
    }
}
