//! The endpoints.

use std::sync::Arc;

use gremlin_kernel::{Cache, CallerCredentials, DomainError, Principal, PrincipalResolver, ProblemResponse};
use poem::Request;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, Tags};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::dto::*;
use super::idempotency::{self, Claim};
use crate::model::order::OrderHeader;
use crate::model::{Customer, LineInput, OrderAction, OrderId, OrderStatus, PaymentStatus};
use crate::ports::OrderQuery;
use crate::service::{NewOrder, OrderService};

type Result<T> = std::result::Result<T, ProblemResponse>;

#[derive(Tags)]
enum OrdersTag {
    /// Sales orders of the caller's organization.
    Orders,
}

/// An order with its ETag.
#[derive(Debug, ApiResponse)]
pub enum OrderResponse {
    /// The order.
    #[oai(status = 200)]
    Ok(Json<OrderDto>, #[oai(header = "ETag")] String),
}

/// A created order.
#[derive(Debug, ApiResponse)]
pub enum CreatedResponse {
    /// Created (or, for a repeated Idempotency-Key, the order it created).
    #[oai(status = 201)]
    Created(Json<OrderDto>, #[oai(header = "ETag")] String, #[oai(header = "Location")] String),
}

/// A deleted order.
#[derive(Debug, ApiResponse)]
pub enum DeletedResponse {
    /// Deleted.
    #[oai(status = 204)]
    Deleted,
}

/// The orders API.
pub struct OrdersApi {
    service: OrderService,
    callers: Arc<dyn PrincipalResolver>,
    cache: Arc<dyn Cache>,
    cache_prefix: String,
    session_cookie: String,
}

fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version an `If-Match` header names: 428 without one, 412 when it is
/// not one of our ETags.
fn expected_version(if_match: Option<&str>) -> std::result::Result<i64, DomainError> {
    let value = if_match
        .ok_or_else(|| DomainError::PreconditionRequired { detail: "send If-Match with the order's ETag".into() })?;
    value.trim().trim_start_matches("W/").trim_matches('"').parse().map_err(|_| DomainError::PreconditionFailed {
        detail: format!("If-Match `{value}` does not name a version of this order"),
    })
}

fn parse_id(id: &str) -> std::result::Result<OrderId, DomainError> {
    id.parse().map_err(|_| DomainError::not_found("order"))
}

fn customer(dto: Option<CustomerDto>) -> Option<Customer> {
    dto.map(|c| Customer { contact_id: c.contact_id, name: c.name, email: c.email })
}

fn time_param(field: &str, value: Option<String>) -> std::result::Result<Option<i64>, DomainError> {
    value
        .map(|v| {
            OffsetDateTime::parse(&v, &Rfc3339)
                .map(|t| i64::try_from(t.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX))
                .map_err(|_| DomainError::invalid(field, "expected an RFC 3339 time such as 2026-11-27T10:00:00Z"))
        })
        .transpose()
}

impl OrdersApi {
    /// The API over `service`, resolving callers with `callers`, keeping
    /// idempotency records in `cache`; `session_cookie` is the name of the
    /// identity session cookie to accept besides bearer tokens.
    pub fn new(
        service: OrderService,
        callers: Arc<dyn PrincipalResolver>,
        cache: Arc<dyn Cache>,
        cache_prefix: String,
        session_cookie: String,
    ) -> Self {
        Self { service, callers, cache, cache_prefix, session_cookie }
    }

    async fn caller(&self, req: &Request) -> std::result::Result<Principal, DomainError> {
        let credentials = CallerCredentials::from_request(req, &self.session_cookie);
        self.callers.principal(&credentials).await
    }

    fn respond(order: &crate::model::Order) -> OrderResponse {
        OrderResponse::Ok(Json(OrderDto::from(order)), etag(order.version))
    }
}

#[OpenApi(prefix_path = "/api/orders", tag = "OrdersTag::Orders")]
impl OrdersApi {
    /// Create a draft order (`orders:write`). With `Idempotency-Key`, a
    /// repeat with the same body returns the first order; another body is 422.
    #[oai(path = "/", method = "post", operation_id = "orders.create")]
    async fn create(
        &self,
        req: &Request,
        body: Json<CreateOrderBody>,
        #[oai(name = "Idempotency-Key")] key: Header<Option<String>>,
    ) -> Result<CreatedResponse> {
        let principal = self.caller(req).await?;
        let body = body.0;
        let claim = match key.0.as_deref().filter(|k| !k.is_empty()) {
            Some(key) if key.len() > 255 => {
                return Err(DomainError::invalid("Idempotency-Key", "at most 255 characters").into());
            }
            Some(key) => {
                let cache_key = idempotency::cache_key(&self.cache_prefix, &principal.organization_id, key);
                let hash = idempotency::body_hash(&body);
                match idempotency::claim(self.cache.as_ref(), &cache_key, &hash).await? {
                    Claim::Replay(order_id) => {
                        let order = self.service.get(&principal, parse_id(&order_id)?).await?;
                        let location = format!("/api/orders/{}", order.id);
                        return Ok(CreatedResponse::Created(
                            Json(OrderDto::from(&order)),
                            etag(order.version),
                            location,
                        ));
                    }
                    Claim::First => Some((cache_key, hash)),
                }
            }
            None => None,
        };
        let header = OrderHeader {
            customer: customer(body.customer),
            notes: body.notes,
            metadata: body.metadata.into_iter().collect(),
        };
        let input =
            NewOrder { currency: body.currency, header, lines: body.lines.into_iter().map(LineInput::from).collect() };
        let created = self.service.create(&principal, input).await;
        match (&created, &claim) {
            (Ok(order), Some((cache_key, hash))) => {
                idempotency::finish(self.cache.as_ref(), cache_key, hash, &order.id.to_string()).await
            }
            (Err(_), Some((cache_key, _))) => idempotency::release(self.cache.as_ref(), cache_key).await,
            _ => {}
        }
        let order = created?;
        let location = format!("/api/orders/{}", order.id);
        Ok(CreatedResponse::Created(Json(OrderDto::from(&order)), etag(order.version), location))
    }

    /// Set the prefix of the organization's future order numbers
    /// (`orders:manage`); existing orders keep their numbers.
    #[oai(path = "/numbering", method = "put", operation_id = "orders.set_numbering")]
    async fn set_numbering(&self, req: &Request, body: Json<NumberingBody>) -> Result<Json<NumberingBody>> {
        let principal = self.caller(req).await?;
        let prefix = self.service.set_number_prefix(&principal, &body.prefix).await?;
        Ok(Json(NumberingBody { prefix: prefix.as_str().to_owned() }))
    }

    /// One order of the caller's organization (`orders:read`), with its ETag.
    #[oai(path = "/:id", method = "get", operation_id = "orders.get")]
    async fn get(&self, req: &Request, id: Path<String>) -> Result<OrderResponse> {
        let principal = self.caller(req).await?;
        Ok(Self::respond(&self.service.get(&principal, parse_id(&id.0)?).await?))
    }

    /// A page of orders (`orders:read`): filters, sort by `created` or
    /// `number`, cursor pagination.
    #[oai(path = "/", method = "get", operation_id = "orders.list")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        req: &Request,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        cursor: Query<Option<String>>,
        status: Query<Option<String>>,
        payment_status: Query<Option<String>>,
        customer_id: Query<Option<uuid::Uuid>>,
        created_from: Query<Option<String>>,
        created_to: Query<Option<String>>,
        #[oai(validator(minimum(value = "1")))] number: Query<Option<u64>>,
        sort: Query<Option<String>>,
        direction: Query<Option<String>>,
    ) -> Result<Json<OrderPage>> {
        let principal = self.caller(req).await?;
        let status = status
            .0
            .map(|s| {
                OrderStatus::parse(&s).ok_or_else(|| {
                    DomainError::invalid("status", "one of draft, placed, confirmed, fulfilled, cancelled")
                })
            })
            .transpose()?;
        let payment_status = payment_status
            .0
            .map(|s| {
                PaymentStatus::parse(&s).ok_or_else(|| {
                    DomainError::invalid("payment_status", "one of unpaid, partially_paid, paid, refunded")
                })
            })
            .transpose()?;
        let sort_by_number = match sort.0.as_deref().unwrap_or("created") {
            "created" => false,
            "number" => true,
            _ => return Err(DomainError::invalid("sort", "created or number").into()),
        };
        let ascending = match direction.0.as_deref().unwrap_or("desc") {
            "asc" => true,
            "desc" => false,
            _ => return Err(DomainError::invalid("direction", "asc or desc").into()),
        };
        let query = OrderQuery {
            status,
            payment_status,
            customer_contact_id: customer_id.0,
            created_from_us: time_param("created_from", created_from.0)?,
            created_to_us: time_param("created_to", created_to.0)?,
            number_seq: number.0,
            sort_by_number,
            ascending,
            limit: limit.0.unwrap_or(50),
            cursor: cursor.0,
        };
        let page = self.service.list(&principal, &query).await?;
        Ok(Json(OrderPage {
            items: page.items.iter().map(OrderDto::from).collect(),
            next_cursor: page.next_cursor.into(),
        }))
    }

    /// Replace a draft's header (`orders:write`; `If-Match` required).
    #[oai(path = "/:id", method = "patch", operation_id = "orders.update")]
    async fn update(
        &self,
        req: &Request,
        id: Path<String>,
        body: Json<UpdateOrderBody>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
    ) -> Result<OrderResponse> {
        let principal = self.caller(req).await?;
        let version = expected_version(if_match.0.as_deref())?;
        let body = body.0;
        let header = OrderHeader {
            customer: customer(body.customer),
            notes: body.notes,
            metadata: body.metadata.into_iter().collect(),
        };
        Ok(Self::respond(&self.service.update_header(&principal, parse_id(&id.0)?, version, header).await?))
    }

    /// Replace all lines of a draft (`orders:write`; `If-Match` required).
    #[oai(path = "/:id/lines", method = "put", operation_id = "orders.replace_lines")]
    async fn replace_lines(
        &self,
        req: &Request,
        id: Path<String>,
        body: Json<LinesBody>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
    ) -> Result<OrderResponse> {
        let principal = self.caller(req).await?;
        let version = expected_version(if_match.0.as_deref())?;
        let lines = body.0.lines.into_iter().map(LineInput::from).collect();
        Ok(Self::respond(&self.service.replace_lines(&principal, parse_id(&id.0)?, version, lines).await?))
    }

    /// Add one line at the end of a draft (`orders:write`; `If-Match` required).
    #[oai(path = "/:id/lines", method = "post", operation_id = "orders.add_line")]
    async fn add_line(
        &self,
        req: &Request,
        id: Path<String>,
        body: Json<LineInputDto>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
    ) -> Result<OrderResponse> {
        let principal = self.caller(req).await?;
        let version = expected_version(if_match.0.as_deref())?;
        let line = LineInput::from(body.0);
        Ok(Self::respond(&self.service.add_line(&principal, parse_id(&id.0)?, version, line).await?))
    }

    /// Remove the line at `position` from a draft (`orders:write`; `If-Match` required).
    #[oai(path = "/:id/lines/:position", method = "delete", operation_id = "orders.remove_line")]
    async fn remove_line(
        &self,
        req: &Request,
        id: Path<String>,
        position: Path<u32>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
    ) -> Result<OrderResponse> {
        let principal = self.caller(req).await?;
        let version = expected_version(if_match.0.as_deref())?;
        Ok(Self::respond(&self.service.remove_line(&principal, parse_id(&id.0)?, version, position.0).await?))
    }

    /// Place a draft (`orders:write`; `If-Match` required).
    #[oai(path = "/:id/place", method = "post", operation_id = "orders.place")]
    async fn place(
        &self,
        req: &Request,
        id: Path<String>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
    ) -> Result<OrderResponse> {
        self.transition(req, &id.0, if_match.0.as_deref(), OrderAction::Place, None).await
    }

    /// Confirm a placed order (`orders:manage`; `If-Match` required).
    #[oai(path = "/:id/confirm", method = "post", operation_id = "orders.confirm")]
    async fn confirm(
        &self,
        req: &Request,
        id: Path<String>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
    ) -> Result<OrderResponse> {
        self.transition(req, &id.0, if_match.0.as_deref(), OrderAction::Confirm, None).await
    }

    /// Mark a confirmed order fulfilled (`orders:manage`; `If-Match` required).
    #[oai(path = "/:id/fulfil", method = "post", operation_id = "orders.fulfil")]
    async fn fulfil(
        &self,
        req: &Request,
        id: Path<String>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
    ) -> Result<OrderResponse> {
        self.transition(req, &id.0, if_match.0.as_deref(), OrderAction::Fulfil, None).await
    }

    /// Cancel a draft, placed or confirmed order with a reason (`orders:manage`; `If-Match` required).
    #[oai(path = "/:id/cancel", method = "post", operation_id = "orders.cancel")]
    async fn cancel(
        &self,
        req: &Request,
        id: Path<String>,
        body: Json<CancelBody>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
    ) -> Result<OrderResponse> {
        self.transition(req, &id.0, if_match.0.as_deref(), OrderAction::Cancel, Some(body.0.reason)).await
    }

    /// Delete a draft (`orders:write`; `If-Match` required).
    #[oai(path = "/:id", method = "delete", operation_id = "orders.delete")]
    async fn delete(
        &self,
        req: &Request,
        id: Path<String>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
    ) -> Result<DeletedResponse> {
        let principal = self.caller(req).await?;
        let version = expected_version(if_match.0.as_deref())?;
        self.service.delete(&principal, parse_id(&id.0)?, version).await?;
        Ok(DeletedResponse::Deleted)
    }
}

impl OrdersApi {
    async fn transition(
        &self,
        req: &Request,
        id: &str,
        if_match: Option<&str>,
        action: OrderAction,
        reason: Option<String>,
    ) -> Result<OrderResponse> {
        let principal = self.caller(req).await?;
        let version = expected_version(if_match)?;
        Ok(Self::respond(&self.service.transition(&principal, parse_id(id)?, version, action, reason).await?))
    }
}
