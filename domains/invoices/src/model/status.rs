//! Invoice status and what each allows.
//!
//! `draft → open` (finalize) `→ paid | void | uncollectible`, and
//! `uncollectible → paid | void`. Only drafts are edited or deleted; an open
//! invoice is locked and corrected through credit notes. A refund or a
//! voided credit note that leaves something owing takes a paid invoice back
//! to open. `overdue` is derived (open and past due), never stored.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where an invoice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Being prepared: no number, editable, deletable.
    Draft,
    /// Finalized and owed: numbered, locked.
    Open,
    /// Nothing is owed any more.
    Paid,
    /// Cancelled after finalization; its number stays used.
    Void,
    /// Not expected to be paid (written off); can still be paid or voided.
    Uncollectible,
}

/// What can be done to an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceAction {
    /// Change the header or lines.
    Edit,
    /// Delete it.
    Delete,
    /// draft → open, with a number.
    Finalize,
    /// Record a payment.
    Pay,
    /// Refund a payment.
    Refund,
    /// Issue a credit note against it.
    Credit,
    /// open/uncollectible → void.
    Void,
    /// open → uncollectible.
    MarkUncollectible,
}

/// An action the current status does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} an invoice that is {from}")]
pub struct TransitionError {
    /// The status the invoice is in.
    pub from: InvoiceStatus,
    /// What was attempted.
    pub action: InvoiceAction,
}

impl InvoiceStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [Self; 5] = [Self::Draft, Self::Open, Self::Paid, Self::Void, Self::Uncollectible];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Open => "open",
            Self::Paid => "paid",
            Self::Void => "void",
            Self::Uncollectible => "uncollectible",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether it has been finalized (it has a number).
    pub fn is_finalized(self) -> bool {
        self != Self::Draft
    }

    /// Checks that `action` is allowed now. Where the action leads depends
    /// on amounts too, so the invoice decides the next status.
    pub fn allows(self, action: InvoiceAction) -> Result<(), TransitionError> {
        use InvoiceStatus::{Draft, Open, Paid, Uncollectible};
        let allowed = match action {
            InvoiceAction::Edit | InvoiceAction::Delete | InvoiceAction::Finalize => self == Draft,
            InvoiceAction::Pay => matches!(self, Open | Uncollectible),
            InvoiceAction::Refund | InvoiceAction::Credit => matches!(self, Open | Paid | Uncollectible),
            InvoiceAction::Void => matches!(self, Open | Uncollectible),
            InvoiceAction::MarkUncollectible => self == Open,
        };
        if allowed { Ok(()) } else { Err(TransitionError { from: self, action }) }
    }
}

impl fmt::Display for InvoiceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for InvoiceAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Edit => "edit",
            Self::Delete => "delete",
            Self::Finalize => "finalize",
            Self::Pay => "record a payment on",
            Self::Refund => "refund a payment of",
            Self::Credit => "issue a credit note for",
            Self::Void => "void",
            Self::MarkUncollectible => "mark as uncollectible",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use InvoiceAction::{Credit, Delete, Edit, Finalize, MarkUncollectible, Pay, Refund};
    use InvoiceStatus::{Draft, Open, Paid, Uncollectible};

    #[test]
    fn names_round_trip() {
        for status in InvoiceStatus::ALL {
            assert_eq!(InvoiceStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(InvoiceStatus::parse("overdue"), None, "overdue is derived, never stored");
    }

    #[test]
    fn every_action_is_allowed_exactly_where_specified() {
        let table: [(InvoiceAction, &[InvoiceStatus]); 8] = [
            (Edit, &[Draft]),
            (Delete, &[Draft]),
            (Finalize, &[Draft]),
            (Pay, &[Open, Uncollectible]),
            (Refund, &[Open, Paid, Uncollectible]),
            (Credit, &[Open, Paid, Uncollectible]),
            (InvoiceAction::Void, &[Open, Uncollectible]),
            (MarkUncollectible, &[Open]),
        ];
        for (action, allowed) in table {
            for status in InvoiceStatus::ALL {
                assert_eq!(status.allows(action).is_ok(), allowed.contains(&status), "{action:?} on {status}");
            }
        }
    }

    #[test]
    fn refusals_read_well() {
        let err = Paid.allows(InvoiceAction::Void).unwrap_err();
        assert_eq!(err.to_string(), "cannot void an invoice that is paid");
        assert_eq!(Open.allows(Edit).unwrap_err().to_string(), "cannot edit an invoice that is open");
    }
}
