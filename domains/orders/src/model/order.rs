//! The order aggregate: header, lines, totals, status, and the rules for
//! changing them. Every change checks the status first (only drafts are
//! edited), recomputes totals from the lines, and bumps `version` for
//! optimistic concurrency.

use gremlin_kernel::sql::at_storage_precision;
use gremlin_kernel::{Currency, FieldError, OrganizationId, UserId, entity_id};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::line::{LineInput, OrderLine, check_lines};
use super::number::OrderNumber;
use super::status::{OrderAction, OrderStatus, PaymentStatus, TransitionError};
use gremlin_kernel::pricing::{DocumentTotals as OrderTotals, document_totals, line_totals};

entity_id!(
    /// An order's id (UUIDv7).
    OrderId
);

/// Longest notes.
pub const MAX_NOTES_LEN: usize = 4000;
/// Largest metadata object, serialised.
pub const MAX_METADATA_BYTES: usize = 16 * 1024;
/// Longest cancellation reason.
pub const MAX_REASON_LEN: usize = 1000;

/// Who the order is for: a CRM contact, with a snapshot of its name and
/// e-mail as they were when the order was made.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Customer {
    /// The CRM contact, if known.
    pub contact_id: Option<uuid::Uuid>,
    /// Name at order time.
    pub name: Option<String>,
    /// E-mail at order time.
    pub email: Option<String>,
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// The status does not allow it.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// Some fields are invalid.
    #[error("invalid order: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// No line at this 1-based position.
    #[error("the order has no line {position}")]
    NoSuchLine {
        /// The position asked for.
        position: u32,
    },
}

/// The editable header of an order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderHeader {
    /// Who it is for.
    pub customer: Option<Customer>,
    /// Free text.
    pub notes: Option<String>,
    /// A JSON object for integrations.
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

/// An order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Id.
    pub id: OrderId,
    /// The tenant.
    pub organization_id: OrganizationId,
    /// Human number, unique in the organization.
    pub number: OrderNumber,
    /// Where it stands.
    pub status: OrderStatus,
    /// Whether it is paid.
    pub payment_status: PaymentStatus,
    /// Amount paid so far (from invoice events).
    pub amount_paid: Decimal,
    /// Who it is for.
    pub customer: Option<Customer>,
    /// Currency of every amount.
    pub currency: Currency,
    /// Lines, in position order.
    pub lines: Vec<OrderLine>,
    /// Sums of the lines.
    pub totals: OrderTotals,
    /// Free text.
    pub notes: Option<String>,
    /// JSON object for integrations.
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Why it was cancelled.
    pub cancellation_reason: Option<String>,
    /// Who created it.
    pub created_by: UserId,
    /// Who changed it last.
    pub updated_by: UserId,
    /// When created.
    pub created_at: OffsetDateTime,
    /// When changed last.
    pub updated_at: OffsetDateTime,
    /// Incremented by every change; the ETag.
    pub version: i64,
}

fn check_header(header: &OrderHeader) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut push =
        |field: &str, message: &str| errors.push(FieldError { field: field.into(), message: message.into() });
    if header.notes.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTES_LEN) {
        push("notes", "at most 4000 characters");
    }
    if serde_json::to_vec(&header.metadata).map(|v| v.len()).unwrap_or(usize::MAX) > MAX_METADATA_BYTES {
        push("metadata", "at most 16 KiB of JSON");
    }
    if let Some(customer) = &header.customer {
        if customer.name.as_ref().is_some_and(|n| n.trim().is_empty() || n.chars().count() > 200) {
            push("customer.name", "1-200 characters");
        }
        if customer.email.as_ref().is_some_and(|e| e.len() > 254 || !e.contains('@') || e.contains(char::is_whitespace))
        {
            push("customer.email", "not an e-mail address");
        }
    }
    errors
}

fn priced_lines(lines: &[LineInput], currency: Currency) -> Result<Vec<OrderLine>, OrderError> {
    let errors = check_lines(lines);
    if !errors.is_empty() {
        return Err(OrderError::Invalid(errors));
    }
    Ok(lines
        .iter()
        .enumerate()
        .map(|(i, l)| OrderLine {
            position: u32::try_from(i + 1).unwrap_or(u32::MAX),
            sku: l.sku.trim().to_owned(),
            description: l.description.clone(),
            quantity: l.quantity.normalize(),
            unit_price: l.unit_price.normalize(),
            discount: l.discount,
            tax_rate: l.tax_rate.normalize(),
            totals: line_totals(&l.price(), currency),
        })
        .collect())
}

impl Order {
    /// A new draft. Fails with every invalid field at once.
    #[allow(clippy::too_many_arguments)]
    pub fn new_draft(
        id: OrderId,
        organization_id: OrganizationId,
        number: OrderNumber,
        currency: Currency,
        header: OrderHeader,
        lines: &[LineInput],
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<Order, OrderError> {
        let mut errors = check_header(&header);
        errors.extend(check_lines(lines));
        if !errors.is_empty() {
            return Err(OrderError::Invalid(errors));
        }
        let lines = priced_lines(lines, currency)?;
        let totals = document_totals(lines.iter().map(|l| &l.totals));
        let now = at_storage_precision(now);
        Ok(Order {
            id,
            organization_id,
            number,
            status: OrderStatus::Draft,
            payment_status: PaymentStatus::Unpaid,
            amount_paid: Decimal::ZERO,
            customer: header.customer,
            currency,
            lines,
            totals,
            notes: header.notes,
            metadata: header.metadata,
            cancellation_reason: None,
            created_by: by.clone(),
            updated_by: by,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }

    fn touched(&mut self, by: UserId, now: OffsetDateTime) {
        self.updated_by = by;
        self.updated_at = at_storage_precision(now);
        self.version += 1;
    }

    /// Replaces the header of a draft.
    pub fn update_header(&mut self, header: OrderHeader, by: UserId, now: OffsetDateTime) -> Result<(), OrderError> {
        self.status.apply(OrderAction::Edit)?;
        let errors = check_header(&header);
        if !errors.is_empty() {
            return Err(OrderError::Invalid(errors));
        }
        self.customer = header.customer;
        self.notes = header.notes;
        self.metadata = header.metadata;
        self.touched(by, now);
        Ok(())
    }

    /// Replaces every line of a draft and recomputes the totals.
    pub fn replace_lines(&mut self, lines: &[LineInput], by: UserId, now: OffsetDateTime) -> Result<(), OrderError> {
        self.status.apply(OrderAction::Edit)?;
        self.lines = priced_lines(lines, self.currency)?;
        self.totals = document_totals(self.lines.iter().map(|l| &l.totals));
        self.touched(by, now);
        Ok(())
    }

    /// Adds one line at the end of a draft and recomputes the totals.
    pub fn add_line(&mut self, line: LineInput, by: UserId, now: OffsetDateTime) -> Result<(), OrderError> {
        let mut lines = self.line_inputs();
        lines.push(line);
        self.replace_lines(&lines, by, now)
    }

    /// Removes the line at `position` (1-based) from a draft and
    /// recomputes the totals; [`OrderError::NoSuchLine`] when there is none.
    pub fn remove_line(&mut self, position: u32, by: UserId, now: OffsetDateTime) -> Result<(), OrderError> {
        let mut lines = self.line_inputs();
        let index = usize::try_from(position)
            .ok()
            .and_then(|p| p.checked_sub(1))
            .filter(|i| *i < lines.len())
            .ok_or(OrderError::NoSuchLine { position })?;
        lines.remove(index);
        self.replace_lines(&lines, by, now)
    }

    /// The lines as inputs, to add or remove one and replace them all.
    pub fn line_inputs(&self) -> Vec<LineInput> {
        self.lines
            .iter()
            .map(|l| LineInput {
                sku: l.sku.clone(),
                description: l.description.clone(),
                quantity: l.quantity,
                unit_price: l.unit_price,
                discount: l.discount,
                tax_rate: l.tax_rate,
            })
            .collect()
    }

    /// Checks the order may be deleted (drafts only).
    pub fn check_deletable(&self) -> Result<(), OrderError> {
        self.status.apply(OrderAction::Delete)?;
        Ok(())
    }

    /// Places, confirms, fulfils or cancels. Cancelling needs a reason (1-1000
    /// characters); placing needs at least one line.
    pub fn transition(
        &mut self,
        action: OrderAction,
        reason: Option<String>,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<(), OrderError> {
        let next = self.status.apply(action)?;
        if action == OrderAction::Place && self.lines.is_empty() {
            return Err(OrderError::Invalid(vec![FieldError {
                field: "lines".into(),
                message: "an order needs at least one line to be placed".into(),
            }]));
        }
        if action == OrderAction::Cancel {
            let reason = reason.as_deref().map(str::trim).unwrap_or_default();
            if reason.is_empty() || reason.chars().count() > MAX_REASON_LEN {
                return Err(OrderError::Invalid(vec![FieldError {
                    field: "reason".into(),
                    message: "a cancellation needs a reason of 1-1000 characters".into(),
                }]));
            }
            self.cancellation_reason = Some(reason.to_owned());
        }
        self.status = next;
        self.touched(by, now);
        Ok(())
    }

    /// Records the amount paid so far (from invoices); returns whether the
    /// payment status changed. Idempotent: the same amount twice changes nothing.
    pub fn record_payment(&mut self, amount_paid: Decimal, now: OffsetDateTime) -> bool {
        let status = self.payment_status.for_amount_paid(amount_paid, self.totals.grand_total);
        if status == self.payment_status && amount_paid == self.amount_paid {
            return false;
        }
        self.payment_status = status;
        self.amount_paid = amount_paid;
        self.updated_at = at_storage_precision(now);
        self.version += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;
    use time::macros::datetime;

    use super::*;

    fn line(sku: &str, quantity: Decimal, price: Decimal) -> LineInput {
        LineInput {
            sku: sku.into(),
            description: String::new(),
            quantity,
            unit_price: price,
            discount: None,
            tax_rate: dec!(20),
        }
    }

    fn draft(lines: &[LineInput]) -> Result<Order, OrderError> {
        Order::new_draft(
            OrderId::generate(),
            OrganizationId::new("org"),
            OrderNumber { prefix: super::super::number::SERIES.default_prefix(), year: None, sequence: 1 },
            Currency::parse("EUR").unwrap(),
            OrderHeader::default(),
            lines,
            UserId::new("u1"),
            datetime!(2026-11-27 10:00 UTC),
        )
    }

    fn later() -> OffsetDateTime {
        datetime!(2026-11-27 11:00 UTC)
    }

    #[test]
    fn a_draft_has_totals_and_version_one() {
        let order = draft(&[line("A", dec!(2), dec!(10)), line("B", dec!(1), dec!(5))]).unwrap();
        assert_eq!((order.status, order.payment_status, order.version), (OrderStatus::Draft, PaymentStatus::Unpaid, 1));
        assert_eq!(order.totals.grand_total, dec!(30));
        assert_eq!(order.lines.iter().map(|l| l.position).collect::<Vec<_>>(), [1, 2]);
    }

    #[test]
    fn invalid_input_reports_every_field() {
        let Err(OrderError::Invalid(errors)) = draft(&[line("", dec!(0), dec!(1))]) else { panic!("must fail") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["lines[0].sku", "lines[0].quantity"]);
        let mut header = OrderHeader::default();
        header.metadata.insert("blob".into(), "x".repeat(MAX_METADATA_BYTES).into());
        header.customer = Some(Customer { email: Some("nope".into()), ..Customer::default() });
        let result = Order::new_draft(
            OrderId::generate(),
            OrganizationId::new("o"),
            OrderNumber { prefix: super::super::number::SERIES.default_prefix(), year: None, sequence: 1 },
            Currency::parse("EUR").unwrap(),
            header,
            &[],
            UserId::new("u"),
            later(),
        );
        let Err(OrderError::Invalid(errors)) = result else { panic!("must fail") };
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["metadata", "customer.email"]);
    }

    #[test]
    fn drafts_are_edited_and_versions_advance() {
        let mut order = draft(&[line("A", dec!(1), dec!(10))]).unwrap();
        order.replace_lines(&[line("A", dec!(3), dec!(10))], UserId::new("u2"), later()).unwrap();
        assert_eq!((order.totals.grand_total, order.version, order.updated_by.as_str()), (dec!(36), 2, "u2"));
        order
            .update_header(
                OrderHeader { notes: Some("rush".into()), ..OrderHeader::default() },
                UserId::new("u2"),
                later(),
            )
            .unwrap();
        assert_eq!(order.version, 3);
        let mut inputs = order.line_inputs();
        inputs.push(line("B", dec!(1), dec!(1)));
        order.replace_lines(&inputs, UserId::new("u2"), later()).unwrap();
        assert_eq!(order.lines.len(), 2);
    }

    #[test]
    fn lines_are_added_at_the_end_and_removed_by_position() {
        let mut order = draft(&[line("A", dec!(1), dec!(10))]).unwrap();
        order.add_line(line("B", dec!(2), dec!(5)), UserId::new("u"), later()).unwrap();
        assert_eq!(order.lines.iter().map(|l| l.sku.as_str()).collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(order.totals.grand_total, dec!(24), "(10 + 2 × 5) × 1.2");
        for missing in [0, 3, u32::MAX] {
            assert_eq!(
                order.remove_line(missing, UserId::new("u"), later()),
                Err(OrderError::NoSuchLine { position: missing })
            );
        }
        order.remove_line(1, UserId::new("u"), later()).unwrap();
        assert_eq!((order.lines[0].sku.as_str(), order.totals.grand_total), ("B", dec!(12)));
        order.transition(OrderAction::Place, None, UserId::new("u"), later()).unwrap();
        assert!(matches!(
            order.add_line(line("C", dec!(1), dec!(1)), UserId::new("u"), later()),
            Err(OrderError::Transition(_))
        ));
    }

    #[test]
    fn only_drafts_change_and_the_lifecycle_runs_forward() {
        let mut order = draft(&[line("A", dec!(1), dec!(10))]).unwrap();
        order.transition(OrderAction::Place, None, UserId::new("u"), later()).unwrap();
        assert_eq!(order.status, OrderStatus::Placed);
        assert!(matches!(order.replace_lines(&[], UserId::new("u"), later()), Err(OrderError::Transition(_))));
        assert!(matches!(
            order.update_header(OrderHeader::default(), UserId::new("u"), later()),
            Err(OrderError::Transition(_))
        ));
        assert!(matches!(order.check_deletable(), Err(OrderError::Transition(_))));
        order.transition(OrderAction::Confirm, None, UserId::new("u"), later()).unwrap();
        order.transition(OrderAction::Fulfil, None, UserId::new("u"), later()).unwrap();
        assert_eq!((order.status, order.version), (OrderStatus::Fulfilled, 4));
        let err = order.transition(OrderAction::Cancel, Some("late".into()), UserId::new("u"), later()).unwrap_err();
        assert_eq!(
            err,
            OrderError::Transition(TransitionError { from: OrderStatus::Fulfilled, action: OrderAction::Cancel })
        );
    }

    #[test]
    fn placing_needs_lines_and_cancelling_needs_a_reason() {
        let mut empty = draft(&[]).unwrap();
        assert!(matches!(
            empty.transition(OrderAction::Place, None, UserId::new("u"), later()),
            Err(OrderError::Invalid(_))
        ));
        assert!(empty.check_deletable().is_ok());
        let mut order = draft(&[line("A", dec!(1), dec!(10))]).unwrap();
        assert!(matches!(
            order.transition(OrderAction::Cancel, Some("  ".into()), UserId::new("u"), later()),
            Err(OrderError::Invalid(_))
        ));
        order
            .transition(OrderAction::Cancel, Some(" customer changed mind ".into()), UserId::new("u"), later())
            .unwrap();
        assert_eq!(
            (order.status, order.cancellation_reason.as_deref()),
            (OrderStatus::Cancelled, Some("customer changed mind"))
        );
    }

    #[test]
    fn payments_move_the_payment_status_idempotently() {
        let mut order = draft(&[line("A", dec!(1), dec!(100))]).unwrap();
        assert!(order.record_payment(dec!(50), later()));
        assert_eq!(order.payment_status, PaymentStatus::PartiallyPaid);
        let version = order.version;
        assert!(!order.record_payment(dec!(50), later()), "the same amount again changes nothing");
        assert_eq!(order.version, version);
        assert!(order.record_payment(dec!(120), later()));
        assert_eq!(order.payment_status, PaymentStatus::Paid);
    }
}
