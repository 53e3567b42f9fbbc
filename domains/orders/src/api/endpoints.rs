//! The endpoints. Each takes the [`Caller`] (authenticated, in one
//! organization) and, for changes, the [`IfMatch`] version; the kernel's
//! HTTP kit answers 401/403/428/412 before the body runs.

use gremlin_kernel::http::{
    Caller, Created, Deleted, Idempotency, IdempotencyKey, IfMatch, Operation, Resource, SortDirection, Tagged,
};
use gremlin_kernel::{DomainError, ProblemResponse};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{OpenApi, Tags};
use std::future::Future;

use time::OffsetDateTime;

use super::dto::*;
use crate::model::order::OrderHeader;
use crate::model::{Customer, LineInput, Order, OrderAction, OrderId, OrderStatus, PaymentStatus};
use crate::ports::OrderQuery;
use crate::service::{NewOrder, OrderService};

type Result<T> = std::result::Result<T, ProblemResponse>;

#[derive(Tags)]
enum OrdersTag {
    /// Sales orders of the caller's organization.
    Orders,
}

/// The orders API.
pub struct OrdersApi {
    service: OrderService,
    idempotency: Idempotency,
}

fn parse_id(id: &str) -> std::result::Result<OrderId, DomainError> {
    id.parse().map_err(|_| DomainError::not_found("order"))
}

fn customer(dto: Option<CustomerDto>) -> Option<Customer> {
    dto.map(|c| Customer { contact_id: c.contact_id, name: c.name, email: c.email })
}

/// Microseconds since the epoch, as orders are stored.
fn micros(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX)
}

fn respond(order: &Order) -> Tagged<OrderDto> {
    Tagged::at(OrderDto::from(order), order.version)
}

fn created(order: &Order) -> Created<OrderDto> {
    Created::at(OrderDto::from(order), order.version, format!("/api/orders/{}", order.id))
}

impl OrdersApi {
    /// The API over `service`, keeping `Idempotency-Key` records in `idempotency`.
    pub fn new(service: OrderService, idempotency: Idempotency) -> Self {
        Self { service, idempotency }
    }
}

#[OpenApi(prefix_path = "/api/orders", tag = "OrdersTag::Orders")]
impl OrdersApi {
    /// Create an order.
    ///
    /// Create a draft order (`orders:write`). With `Idempotency-Key`, a
    /// repeat with the same body returns the first order; another body is 422.
    #[oai(path = "/", method = "post", operation_id = "orders.create")]
    async fn create(
        &self,
        caller: Caller,
        body: Json<CreateOrderBody>,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Created<OrderDto>> {
        let input = body.0;
        let request = input.to_json();
        let header = OrderHeader {
            customer: customer(input.customer),
            notes: input.notes,
            metadata: input.metadata.into_iter().collect(),
        };
        let lines = input.lines.into_iter().map(LineInput::from).collect();
        let new = NewOrder { currency: input.currency, header, lines };
        let order = self.keyed(&caller, &key, "orders.create", request, self.service.create(&caller, new)).await?;
        Ok(created(&order))
    }

    /// Set the order number prefix.
    ///
    /// Set the prefix of the organization's future order numbers
    /// (`orders:manage`); existing orders keep their numbers.
    #[oai(path = "/numbering", method = "put", operation_id = "orders.set_numbering")]
    async fn set_numbering(&self, caller: Caller, body: Json<NumberingBody>) -> Result<Json<NumberingBody>> {
        let prefix = self.service.set_number_prefix(&caller, &body.prefix).await?;
        Ok(Json(NumberingBody { prefix: prefix.as_str().to_owned() }))
    }

    /// Get an order.
    ///
    /// One order of the caller's organization (`orders:read`), with its ETag.
    #[oai(path = "/:id", method = "get", operation_id = "orders.get")]
    async fn get(&self, caller: Caller, id: Path<String>) -> Result<Tagged<OrderDto>> {
        Ok(respond(&self.service.get(&caller, parse_id(&id.0)?).await?))
    }

    /// List orders.
    ///
    /// A page of orders (`orders:read`): filters, sort by `created` or
    /// `number`, cursor pagination.
    #[oai(path = "/", method = "get", operation_id = "orders.list")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        caller: Caller,
        /// Page size, 1-200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Only orders in this status.
        status: Query<Option<OrderStatus>>,
        /// Only orders with this payment status.
        payment_status: Query<Option<PaymentStatus>>,
        /// Only orders of this CRM contact.
        customer_id: Query<Option<uuid::Uuid>>,
        /// Only orders created at or after this time (RFC 3339).
        created_from: Query<Option<OffsetDateTime>>,
        /// Only orders created before this time (RFC 3339).
        created_to: Query<Option<OffsetDateTime>>,
        /// Only the order with this number's sequence (`123` for `SO-000123`).
        #[oai(validator(minimum(value = "1")))]
        number: Query<Option<u64>>,
        /// Sort key (default `created`).
        sort: Query<Option<OrderSort>>,
        /// Sort direction (default `desc`).
        direction: Query<Option<SortDirection>>,
    ) -> Result<Json<OrderPage>> {
        let query = OrderQuery {
            status: status.0,
            payment_status: payment_status.0,
            customer_contact_id: customer_id.0,
            created_from_us: created_from.0.map(micros),
            created_to_us: created_to.0.map(micros),
            number_seq: number.0,
            sort_by_number: sort.0.unwrap_or_default() == OrderSort::Number,
            ascending: direction.0.unwrap_or_default().is_ascending(),
            limit: limit.0.unwrap_or(50),
            cursor: cursor.0,
        };
        Ok(Json(self.service.list(&caller, &query).await?.into()))
    }

    /// Update a draft order.
    ///
    /// Replace a draft's header (`orders:write`).
    #[oai(path = "/:id", method = "patch", operation_id = "orders.update")]
    async fn update(
        &self,
        caller: Caller,
        id: Path<String>,
        body: Json<UpdateOrderBody>,
        #[oai(name = "If-Match")] if_match: IfMatch,
    ) -> Result<Tagged<OrderDto>> {
        let body = body.0;
        let header = OrderHeader {
            customer: customer(body.customer),
            notes: body.notes,
            metadata: body.metadata.into_iter().collect(),
        };
        Ok(respond(&self.service.update_header(&caller, parse_id(&id.0)?, if_match.version(), header).await?))
    }

    /// Replace a draft's lines.
    ///
    /// Replace all lines of a draft (`orders:write`).
    #[oai(path = "/:id/lines", method = "put", operation_id = "orders.replace_lines")]
    async fn replace_lines(
        &self,
        caller: Caller,
        id: Path<String>,
        body: Json<LinesBody>,
        #[oai(name = "If-Match")] if_match: IfMatch,
    ) -> Result<Tagged<OrderDto>> {
        let lines = body.0.lines.into_iter().map(LineInput::from).collect();
        Ok(respond(&self.service.replace_lines(&caller, parse_id(&id.0)?, if_match.version(), lines).await?))
    }

    /// Add a line to a draft.
    ///
    /// Add one line at the end of a draft (`orders:write`).
    #[oai(path = "/:id/lines", method = "post", operation_id = "orders.add_line")]
    async fn add_line(
        &self,
        caller: Caller,
        id: Path<String>,
        body: Json<LineInputDto>,
        #[oai(name = "If-Match")] if_match: IfMatch,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Tagged<OrderDto>> {
        let request = change_request(&id.0, if_match, body.0.to_json());
        let change = self.service.add_line(&caller, parse_id(&id.0)?, if_match.version(), LineInput::from(body.0));
        Ok(respond(&self.keyed(&caller, &key, "orders.add_line", request, change).await?))
    }

    /// Remove a line from a draft.
    ///
    /// Remove the line at `position` from a draft (`orders:write`).
    #[oai(path = "/:id/lines/:position", method = "delete", operation_id = "orders.remove_line")]
    async fn remove_line(
        &self,
        caller: Caller,
        id: Path<String>,
        position: Path<u32>,
        #[oai(name = "If-Match")] if_match: IfMatch,
    ) -> Result<Tagged<OrderDto>> {
        Ok(respond(&self.service.remove_line(&caller, parse_id(&id.0)?, if_match.version(), position.0).await?))
    }

    /// Place an order.
    ///
    /// Place a draft (`orders:write`).
    #[oai(path = "/:id/place", method = "post", operation_id = "orders.place")]
    async fn place(
        &self,
        caller: Caller,
        id: Path<String>,
        #[oai(name = "If-Match")] if_match: IfMatch,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Tagged<OrderDto>> {
        self.transition(&caller, &key, "orders.place", &id.0, if_match, OrderAction::Place, None).await
    }

    /// Confirm an order.
    ///
    /// Confirm a placed order (`orders:manage`).
    #[oai(path = "/:id/confirm", method = "post", operation_id = "orders.confirm")]
    async fn confirm(
        &self,
        caller: Caller,
        id: Path<String>,
        #[oai(name = "If-Match")] if_match: IfMatch,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Tagged<OrderDto>> {
        self.transition(&caller, &key, "orders.confirm", &id.0, if_match, OrderAction::Confirm, None).await
    }

    /// Fulfil an order.
    ///
    /// Mark a confirmed order fulfilled (`orders:manage`).
    #[oai(path = "/:id/fulfil", method = "post", operation_id = "orders.fulfil")]
    async fn fulfil(
        &self,
        caller: Caller,
        id: Path<String>,
        #[oai(name = "If-Match")] if_match: IfMatch,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Tagged<OrderDto>> {
        self.transition(&caller, &key, "orders.fulfil", &id.0, if_match, OrderAction::Fulfil, None).await
    }

    /// Cancel an order.
    ///
    /// Cancel a draft, placed or confirmed order with a reason (`orders:manage`).
    #[oai(path = "/:id/cancel", method = "post", operation_id = "orders.cancel")]
    async fn cancel(
        &self,
        caller: Caller,
        id: Path<String>,
        body: Json<CancelBody>,
        #[oai(name = "If-Match")] if_match: IfMatch,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Tagged<OrderDto>> {
        self.transition(&caller, &key, "orders.cancel", &id.0, if_match, OrderAction::Cancel, Some(body.0.reason)).await
    }

    /// Delete a draft order.
    ///
    /// Delete a draft (`orders:write`).
    #[oai(path = "/:id", method = "delete", operation_id = "orders.delete")]
    async fn delete(
        &self,
        caller: Caller,
        id: Path<String>,
        #[oai(name = "If-Match")] if_match: IfMatch,
    ) -> Result<Deleted> {
        self.service.delete(&caller, parse_id(&id.0)?, if_match.version()).await?;
        Ok(Deleted::Deleted)
    }
}

impl OrdersApi {
    /// Runs a create or change at most once per `Idempotency-Key`; a
    /// replay answers the order as it is now.
    async fn keyed(
        &self,
        caller: &Caller,
        key: &IdempotencyKey,
        operation_id: &str,
        request: Option<serde_json::Value>,
        work: impl Future<Output = std::result::Result<Order, DomainError>>,
    ) -> std::result::Result<Order, DomainError> {
        let operation = Operation { domain: crate::NAME, operation_id, organization: &caller.organization_id };
        let read = |id: String| async move { self.service.get(caller, parse_id(&id)?).await };
        self.idempotency.run(operation, key, &request, work, read).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn transition(
        &self,
        caller: &Caller,
        key: &IdempotencyKey,
        operation_id: &str,
        id: &str,
        if_match: IfMatch,
        action: OrderAction,
        reason: Option<String>,
    ) -> Result<Tagged<OrderDto>> {
        let request = change_request(id, if_match, reason.to_json());
        let change = self.service.transition(caller, parse_id(id)?, if_match.version(), action, reason);
        Ok(respond(&self.keyed(caller, key, operation_id, request, change).await?))
    }
}

/// What identifies a change for its idempotency fingerprint: the order,
/// the version it was made against and the body.
fn change_request(id: &str, if_match: IfMatch, body: Option<serde_json::Value>) -> Option<serde_json::Value> {
    Some(serde_json::json!({ "id": id, "if_match": if_match.version(), "body": body }))
}

impl Resource for Order {
    const KIND: &'static str = "order";

    fn resource_id(&self) -> String {
        self.id.to_string()
    }
}
