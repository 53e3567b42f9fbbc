//! Orders use cases: authorize the caller (`orders:read`, `orders:write`,
//! `orders:manage`), load within the caller's organization, apply the
//! model's rule, store with its event. Talks only to the repository port;
//! the organization always comes from the principal, never from input.

use std::sync::Arc;

use gremlin_kernel::inbox::HandledEvent;
use gremlin_kernel::{Currency, DomainError, EventContract, FieldError, OrganizationId, Page, Principal, UserId};
use time::OffsetDateTime;

use crate::model::order::{OrderError, OrderHeader};
use crate::model::{LineInput, NumberPrefix, Order, OrderAction, OrderId};
use crate::ports::{OrderQuery, OrderRepository, RepositoryError};
use crate::{events, permissions};

impl From<RepositoryError> for DomainError {
    fn from(e: RepositoryError) -> Self {
        match e {
            RepositoryError::NotFound => DomainError::not_found("order"),
            RepositoryError::VersionConflict { current } => DomainError::PreconditionFailed {
                detail: format!("the order changed; its current version is {current}"),
            },
            RepositoryError::Invalid(e) => e.into(),
            RepositoryError::Backend(e) => DomainError::Backend(e),
        }
    }
}

impl From<OrderError> for DomainError {
    fn from(e: OrderError) -> Self {
        match e {
            OrderError::Invalid(errors) => DomainError::Invalid { errors },
            OrderError::Transition(t) => DomainError::Conflict { detail: t.to_string() },
            OrderError::NoSuchLine { .. } => DomainError::not_found("order line"),
        }
    }
}

/// Input of order creation.
#[derive(Debug, Clone)]
pub struct NewOrder {
    /// ISO 4217 code.
    pub currency: String,
    /// Header fields.
    pub header: OrderHeader,
    /// Lines.
    pub lines: Vec<LineInput>,
}

/// The orders use cases.
#[derive(Clone)]
pub struct OrderService {
    repo: Arc<dyn OrderRepository>,
}

impl OrderService {
    /// A service over `repo`.
    pub fn new(repo: Arc<dyn OrderRepository>) -> Self {
        Self { repo }
    }

    async fn load(&self, principal: &Principal, id: OrderId) -> Result<Order, DomainError> {
        self.repo.get(&principal.organization_id, id).await?.ok_or_else(|| DomainError::not_found("order"))
    }

    /// Creates a draft with the organization's next number (`orders:write`).
    pub async fn create(&self, principal: &Principal, input: NewOrder) -> Result<Order, DomainError> {
        principal.require(&permissions::WRITE)?;
        let currency = Currency::parse(&input.currency).map_err(|e| DomainError::Invalid {
            errors: vec![FieldError { field: "currency".into(), message: e.to_string() }],
        })?;
        let organization = principal.organization_id.clone();
        let by = principal.user_id.clone();
        let build = Box::new(move |number| {
            let order = Order::new_draft(
                OrderId::generate(),
                organization,
                number,
                currency,
                input.header,
                &input.lines,
                by,
                OffsetDateTime::now_utc(),
            )?;
            let created = events::order_event(&events::CREATED, &order);
            Ok((order, vec![created]))
        });
        Ok(self.repo.create(&principal.organization_id, build).await?)
    }

    /// One order (`orders:read`); another organization's is "not found".
    pub async fn get(&self, principal: &Principal, id: OrderId) -> Result<Order, DomainError> {
        principal.require(&permissions::READ)?;
        self.load(principal, id).await
    }

    /// A page of orders (`orders:read`).
    pub async fn list(&self, principal: &Principal, query: &OrderQuery) -> Result<Page<Order>, DomainError> {
        principal.require(&permissions::READ)?;
        Ok(self.repo.list(&principal.organization_id, query).await?)
    }

    /// Applies `change` to the order at `expected_version` and stores it with
    /// `event` (none when `None`).
    async fn change(
        &self,
        principal: &Principal,
        id: OrderId,
        expected_version: i64,
        event: Option<&EventContract>,
        change: impl FnOnce(&mut Order) -> Result<(), OrderError>,
    ) -> Result<Order, DomainError> {
        let mut order = self.load(principal, id).await?;
        if order.version != expected_version {
            return Err(RepositoryError::VersionConflict { current: order.version }.into());
        }
        change(&mut order)?;
        let events: Vec<_> = event.map(|e| events::order_event(e, &order)).into_iter().collect();
        self.repo.save(&principal.organization_id, &order, expected_version, &events).await?;
        Ok(order)
    }

    /// Applies `edit` to a draft (`orders:write`) at `expected_version`,
    /// recorded as `order.updated`: one read, one write.
    async fn edit(
        &self,
        principal: &Principal,
        id: OrderId,
        expected_version: i64,
        edit: impl FnOnce(&mut Order, UserId, OffsetDateTime) -> Result<(), OrderError>,
    ) -> Result<Order, DomainError> {
        principal.require(&permissions::WRITE)?;
        let by = principal.user_id.clone();
        self.change(principal, id, expected_version, Some(&events::UPDATED), |o| edit(o, by, OffsetDateTime::now_utc()))
            .await
    }

    /// Replaces a draft's header (`orders:write`).
    pub async fn update_header(
        &self,
        principal: &Principal,
        id: OrderId,
        expected_version: i64,
        header: OrderHeader,
    ) -> Result<Order, DomainError> {
        self.edit(principal, id, expected_version, |o, by, now| o.update_header(header, by, now)).await
    }

    /// Replaces a draft's lines (`orders:write`).
    pub async fn replace_lines(
        &self,
        principal: &Principal,
        id: OrderId,
        expected_version: i64,
        lines: Vec<LineInput>,
    ) -> Result<Order, DomainError> {
        self.edit(principal, id, expected_version, |o, by, now| o.replace_lines(&lines, by, now)).await
    }

    /// Adds one line at the end of a draft (`orders:write`).
    pub async fn add_line(
        &self,
        principal: &Principal,
        id: OrderId,
        expected_version: i64,
        line: LineInput,
    ) -> Result<Order, DomainError> {
        self.edit(principal, id, expected_version, |o, by, now| o.add_line(line, by, now)).await
    }

    /// Removes the line at `position` (1-based) from a draft
    /// (`orders:write`); 404 when there is none.
    pub async fn remove_line(
        &self,
        principal: &Principal,
        id: OrderId,
        expected_version: i64,
        position: u32,
    ) -> Result<Order, DomainError> {
        self.edit(principal, id, expected_version, |o, by, now| o.remove_line(position, by, now)).await
    }

    /// Places (`orders:write`), or confirms, fulfils or cancels
    /// (`orders:manage`) an order.
    pub async fn transition(
        &self,
        principal: &Principal,
        id: OrderId,
        expected_version: i64,
        action: OrderAction,
        reason: Option<String>,
    ) -> Result<Order, DomainError> {
        let (needed, event) = match action {
            OrderAction::Place => (permissions::WRITE, &events::PLACED),
            OrderAction::Confirm => (permissions::MANAGE, &events::CONFIRMED),
            OrderAction::Fulfil => (permissions::MANAGE, &events::FULFILLED),
            OrderAction::Cancel => (permissions::MANAGE, &events::CANCELLED),
            OrderAction::Edit | OrderAction::Delete => {
                return Err(DomainError::invalid("action", "use place, confirm, fulfil or cancel"));
            }
        };
        principal.require(&needed)?;
        let by = principal.user_id.clone();
        self.change(principal, id, expected_version, Some(event), |o| {
            o.transition(action, reason, by, OffsetDateTime::now_utc())
        })
        .await
    }

    /// Deletes a draft (`orders:write`).
    pub async fn delete(&self, principal: &Principal, id: OrderId, expected_version: i64) -> Result<(), DomainError> {
        principal.require(&permissions::WRITE)?;
        let order = self.load(principal, id).await?;
        order.check_deletable()?;
        let deleted = events::order_event(&events::DELETED, &order);
        Ok(self.repo.delete(&principal.organization_id, id, expected_version, &[deleted]).await?)
    }

    /// Sets the prefix of the organization's future order numbers
    /// (`orders:manage`); existing orders keep theirs.
    pub async fn set_number_prefix(&self, principal: &Principal, prefix: &str) -> Result<NumberPrefix, DomainError> {
        principal.require(&permissions::MANAGE)?;
        let prefix = NumberPrefix::parse(prefix).map_err(|e| DomainError::Invalid { errors: vec![e] })?;
        self.repo.set_number_prefix(&principal.organization_id, &prefix).await?;
        Ok(prefix)
    }

    /// Applies an invoice event's total paid to the order, once: the event
    /// id is recorded with the change, so a redelivery (even after a later
    /// payment) has no effect. Unknown orders are ignored. A payment in
    /// another currency than the order's is refused (409): it is logged and
    /// the event ends among the dead letters rather than being summed as if
    /// the amounts were comparable.
    pub async fn apply_invoice_payment(
        &self,
        organization: &OrganizationId,
        payment: &events::InvoicePayment,
        handled: &HandledEvent,
    ) -> Result<(), DomainError> {
        let Some(mut order) = self.repo.get(organization, payment.order_id).await? else { return Ok(()) };
        if payment.currency != order.currency {
            tracing::error!(
                event_id = %handled.event_id,
                order_id = %order.id,
                order_currency = order.currency.code(),
                payment_currency = payment.currency.code(),
                "invoice payment in another currency than its order; refused"
            );
            return Err(DomainError::Conflict {
                detail: format!(
                    "the payment is in {} but order {} is in {}",
                    payment.currency.code(),
                    order.id,
                    order.currency.code()
                ),
            });
        }
        let version = order.version;
        if order.record_payment(payment.amount_paid, OffsetDateTime::now_utc())
            && !self.repo.save_handling(organization, &order, version, handled).await?
        {
            tracing::debug!(event_id = %handled.event_id, "invoice event handled before; ignored");
        }
        Ok(())
    }
}
