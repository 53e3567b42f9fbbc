//! Order status and payment status, and the transitions between them.
//!
//! Status: `draft → placed → confirmed → fulfilled`; `cancelled` from
//! draft, placed or confirmed (with a reason). Only drafts are edited or
//! deleted. Payment status is separate: `unpaid → partially_paid → paid`,
//! and `refunded`, driven by invoice events.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Being prepared; editable.
    Draft,
    /// Submitted by the customer or a seller.
    Placed,
    /// Accepted by the organization.
    Confirmed,
    /// Delivered.
    Fulfilled,
    /// Called off (with a reason).
    Cancelled,
}

/// What can be done to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderAction {
    /// Change header or lines.
    Edit,
    /// Delete it.
    Delete,
    /// draft → placed.
    Place,
    /// placed → confirmed.
    Confirm,
    /// confirmed → fulfilled.
    Fulfil,
    /// draft/placed/confirmed → cancelled.
    Cancel,
}

/// An action the current status does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} an order that is {from}")]
pub struct TransitionError {
    /// The status the order is in.
    pub from: OrderStatus,
    /// What was attempted.
    pub action: OrderAction,
}

impl OrderStatus {
    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Placed => "placed",
            Self::Confirmed => "confirmed",
            Self::Fulfilled => "fulfilled",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Draft, Self::Placed, Self::Confirmed, Self::Fulfilled, Self::Cancelled]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    /// The status after `action`, or why it is not allowed. `Edit` and
    /// `Delete` keep the status (deleting removes the order).
    pub fn apply(self, action: OrderAction) -> Result<OrderStatus, TransitionError> {
        use OrderAction::*;
        use OrderStatus::*;
        let next = match (self, action) {
            (Draft, Edit | Delete) => Some(Draft),
            (Draft, Place) => Some(Placed),
            (Placed, Confirm) => Some(Confirmed),
            (Confirmed, Fulfil) => Some(Fulfilled),
            (Draft | Placed | Confirmed, Cancel) => Some(Cancelled),
            _ => None,
        };
        next.ok_or(TransitionError { from: self, action })
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for OrderAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Edit => "edit",
            Self::Delete => "delete",
            Self::Place => "place",
            Self::Confirm => "confirm",
            Self::Fulfil => "fulfil",
            Self::Cancel => "cancel",
        })
    }
}

/// Whether an order is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Nothing paid.
    Unpaid,
    /// Part of the grand total paid.
    PartiallyPaid,
    /// The grand total (or more) paid.
    Paid,
    /// Money returned.
    Refunded,
}

impl PaymentStatus {
    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unpaid => "unpaid",
            Self::PartiallyPaid => "partially_paid",
            Self::Paid => "paid",
            Self::Refunded => "refunded",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Unpaid, Self::PartiallyPaid, Self::Paid, Self::Refunded].into_iter().find(|s| s.as_str() == text)
    }

    /// The status for `paid` out of `total` (both in the order's currency):
    /// nothing → unpaid, less than the total → partially paid, else paid.
    /// A refunded order stays refunded.
    pub fn for_amount_paid(self, paid: rust_decimal::Decimal, total: rust_decimal::Decimal) -> PaymentStatus {
        if self == Self::Refunded {
            return Self::Refunded;
        }
        if paid <= rust_decimal::Decimal::ZERO {
            Self::Unpaid
        } else if paid < total {
            Self::PartiallyPaid
        } else {
            Self::Paid
        }
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    const ALL_STATUSES: [OrderStatus; 5] = [
        OrderStatus::Draft,
        OrderStatus::Placed,
        OrderStatus::Confirmed,
        OrderStatus::Fulfilled,
        OrderStatus::Cancelled,
    ];
    const ALL_ACTIONS: [OrderAction; 6] = [
        OrderAction::Edit,
        OrderAction::Delete,
        OrderAction::Place,
        OrderAction::Confirm,
        OrderAction::Fulfil,
        OrderAction::Cancel,
    ];

    #[test]
    fn every_transition_is_as_specified() {
        use OrderAction::*;
        use OrderStatus::*;
        let allowed = [
            (Draft, Edit, Draft),
            (Draft, Delete, Draft),
            (Draft, Place, Placed),
            (Draft, Cancel, Cancelled),
            (Placed, Confirm, Confirmed),
            (Placed, Cancel, Cancelled),
            (Confirmed, Fulfil, Fulfilled),
            (Confirmed, Cancel, Cancelled),
        ];
        for from in ALL_STATUSES {
            for action in ALL_ACTIONS {
                let expected = allowed.iter().find(|(f, a, _)| *f == from && *a == action).map(|(_, _, to)| *to);
                match (from.apply(action), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{from} {action}"),
                    (Err(e), None) => assert_eq!(e, TransitionError { from, action }),
                    (got, want) => panic!("{from} {action}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn transition_errors_read_well() {
        let err = OrderStatus::Fulfilled.apply(OrderAction::Cancel).unwrap_err();
        assert_eq!(err.to_string(), "cannot cancel an order that is fulfilled");
    }

    #[test]
    fn names_round_trip() {
        for s in ALL_STATUSES {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), serde_json::json!(s.as_str()));
        }
        for p in [PaymentStatus::Unpaid, PaymentStatus::PartiallyPaid, PaymentStatus::Paid, PaymentStatus::Refunded] {
            assert_eq!(PaymentStatus::parse(p.as_str()), Some(p));
        }
        assert_eq!(OrderStatus::parse("shipped"), None);
    }

    #[test]
    fn payment_status_follows_the_amount_paid() {
        let unpaid = PaymentStatus::Unpaid;
        assert_eq!(unpaid.for_amount_paid(dec!(0), dec!(100)), PaymentStatus::Unpaid);
        assert_eq!(unpaid.for_amount_paid(dec!(0.01), dec!(100)), PaymentStatus::PartiallyPaid);
        assert_eq!(unpaid.for_amount_paid(dec!(100), dec!(100)), PaymentStatus::Paid);
        assert_eq!(unpaid.for_amount_paid(dec!(150), dec!(100)), PaymentStatus::Paid);
        assert_eq!(
            PaymentStatus::Paid.for_amount_paid(dec!(40), dec!(100)),
            PaymentStatus::PartiallyPaid,
            "a voided invoice lowers it"
        );
        assert_eq!(PaymentStatus::Refunded.for_amount_paid(dec!(100), dec!(100)), PaymentStatus::Refunded);
    }
}
