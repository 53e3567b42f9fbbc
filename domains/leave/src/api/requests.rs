//! `/api/leave/requests`: asking for leave, deciding and cancelling.

use gremlin_kernel::http::{Caller, Created, Idempotency, IdempotencyKey, IfMatch, Operation, Tagged, etag};
use gremlin_kernel::{Cursor, DomainError, Page, ProblemResponse};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{OpenApi, Tags};
use time::Date;
use uuid::Uuid;

use super::dto::{DecisionBody, RequestBody, RequestDto, RequestPage};
use super::{member, parse_id};
use crate::model::{DayPart, Span, Status, days::SpanError};
use crate::ports::Request;
use crate::service::{Ask, LeaveService};
use crate::store::RequestFilter;

type Result<T> = std::result::Result<T, ProblemResponse>;

#[derive(Tags)]
enum LeaveTag {
    /// Leave requests: asking, approving, rejecting and cancelling.
    LeaveRequests,
}

/// The leave requests API.
pub struct RequestsApi {
    pub(super) service: LeaveService,
    pub(super) idempotency: Idempotency,
}

/// What a decision or cancellation does.
#[derive(Clone, Copy)]
enum Act {
    Approve,
    Reject,
    Cancel,
}

impl RequestsApi {
    async fn keyed(
        &self,
        caller: &Caller,
        key: &IdempotencyKey,
        operation_id: &str,
        request: serde_json::Value,
        work: impl Future<Output = std::result::Result<Request, DomainError>>,
    ) -> std::result::Result<Request, DomainError> {
        let operation = Operation { domain: crate::NAME, operation_id, organization: &caller.organization_id };
        let read = |id: String| async move { self.service.request(caller, parse_id(&id, "leave request")?).await };
        self.idempotency.run(operation, key, &request, work, read).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn act(
        &self,
        caller: &Caller,
        id: &str,
        if_match: &IfMatch,
        key: &IdempotencyKey,
        operation_id: &str,
        note: Option<String>,
        act: Act,
    ) -> Result<Tagged<RequestDto>> {
        let request_id = parse_id(id, "leave request")?;
        let fingerprint = serde_json::json!({ "id": id, "if_match": if_match.version(), "note": note });
        let version = if_match.version();
        let work = async {
            match act {
                Act::Approve => self.service.decide(caller, request_id, version, true, note).await,
                Act::Reject => self.service.decide(caller, request_id, version, false, note).await,
                Act::Cancel => self.service.cancel(caller, request_id, version).await,
            }
        };
        let r = self.keyed(caller, key, operation_id, fingerprint, work).await?;
        Ok(Tagged::Ok(Json(RequestDto::from(&r)), etag(r.version)))
    }
}

fn span(b: &RequestBody) -> std::result::Result<Span, DomainError> {
    let starts = b.starts.unwrap_or(DayPart::Morning);
    let ends = b.ends.unwrap_or(DayPart::Afternoon);
    Span::new(b.from, b.to, starts, ends).map_err(|e| match e {
        SpanError::Backwards => {
            DomainError::invalid("to", "on or after `from` (on one day, not ending before it starts)")
        }
        SpanError::TooLong => DomainError::invalid("to", "at most 366 days after `from`"),
    })
}

#[OpenApi(prefix_path = "/api/leave/requests", tag = "LeaveTag::LeaveRequests")]
impl RequestsApi {
    /// Ask for leave.
    ///
    /// For the caller (`leave:request`) or, with `leave:manage`, another
    /// member. Its days are the member's working halves (0.5 each; weekends
    /// and holidays count only if the type says so). It is refused with a
    /// 422 of type `urn:gremlin:problem:rule` naming the rule it breaks:
    /// `profile_closed`, `zero_days`, `notice`, `not_yet_eligible`,
    /// `outside_allocation`, `overlap` (two half days on one date are
    /// fine), `consecutive_limit` (adjacent requests count together) or
    /// `insufficient_balance` (pending requests count; not for unpaid types
    /// or those allowing a negative balance). It waits for a decision, or is
    /// approved at once when its type needs none.
    #[oai(path = "/", method = "post", operation_id = "leave.requests.create")]
    async fn create(
        &self,
        caller: Caller,
        body: Json<RequestBody>,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Created<RequestDto>> {
        let fingerprint = body.0.to_json().unwrap_or_default();
        let b = body.0;
        let ask = Ask {
            user_id: b.user_id.as_deref().map(|u| member(&caller, u)),
            leave_type_id: b.leave_type_id,
            span: span(&b)?,
            reason: b.reason,
        };
        let work = self.service.ask(&caller, ask);
        let r = self.keyed(&caller, &key, "leave.requests.create", fingerprint, work).await?;
        Ok(Created::Created(Json(RequestDto::from(&r)), etag(r.version), format!("/api/leave/requests/{}", r.id)))
    }

    /// List leave requests.
    ///
    /// Newest first, a page at a time (`leave:read`): one member's (the
    /// member, their approver or `leave:manage`), an approver's queue
    /// (`approver_id=me`), or, with `leave:manage`, everyone's; without
    /// either filter a member sees their own.
    #[oai(path = "/", method = "get", operation_id = "leave.requests.list")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        caller: Caller,
        /// Only this member's (`me` for the caller).
        user_id: Query<Option<String>>,
        /// Only of members this member approves (`me` for the caller).
        approver_id: Query<Option<String>>,
        /// Only with this status.
        status: Query<Option<Status>>,
        /// Only those ending on or after this day.
        from: Query<Option<Date>>,
        /// Only those starting on or before this day.
        to: Query<Option<Date>>,
        /// Page size, 1-200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> Result<Json<RequestPage>> {
        let before: Option<(i64, Uuid)> = cursor.0.as_deref().map(Cursor::decode).transpose()?;
        let filter = RequestFilter {
            user_id: user_id.0.as_deref().map(|u| member(&caller, u)),
            approver_id: approver_id.0.as_deref().map(|u| member(&caller, u)),
            status: status.0,
            overlapping_from: from.0,
            overlapping_to: to.0,
            before,
            open_only: false,
        };
        let limit = limit.0.unwrap_or(50);
        let found = self.service.requests(&caller, filter, limit).await?;
        let keyed = found
            .into_iter()
            .map(|r| {
                let key = (gremlin_kernel::sql::micros(r.created_at), r.id);
                (r, key)
            })
            .collect();
        Ok(Json(Page::from_overfetch(keyed, limit as usize)?.into()))
    }

    /// Get a leave request.
    ///
    /// With its ETag: its member, their approver or `leave:manage`; to
    /// anyone else it does not exist (404).
    #[oai(path = "/:id", method = "get", operation_id = "leave.requests.get")]
    async fn get(&self, caller: Caller, id: Path<String>) -> Result<Tagged<RequestDto>> {
        let r = self.service.request(&caller, parse_id(&id.0, "leave request")?).await?;
        Ok(Tagged::Ok(Json(RequestDto::from(&r)), etag(r.version)))
    }

    /// Approve a leave request.
    ///
    /// A pending request, by its member's approver or `leave:manage` —
    /// never by the member. Its days are taken in the ledger; the balance
    /// is checked again (`insufficient_balance`).
    #[oai(path = "/:id/approve", method = "post", operation_id = "leave.requests.approve")]
    async fn approve(
        &self,
        caller: Caller,
        id: Path<String>,
        body: Json<DecisionBody>,
        #[oai(name = "If-Match")] if_match: IfMatch,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Tagged<RequestDto>> {
        self.act(&caller, &id.0, &if_match, &key, "leave.requests.approve", body.0.note, Act::Approve).await
    }

    /// Reject a leave request.
    ///
    /// A pending request, by its member's approver or `leave:manage` —
    /// never by the member.
    #[oai(path = "/:id/reject", method = "post", operation_id = "leave.requests.reject")]
    async fn reject(
        &self,
        caller: Caller,
        id: Path<String>,
        body: Json<DecisionBody>,
        #[oai(name = "If-Match")] if_match: IfMatch,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Tagged<RequestDto>> {
        self.act(&caller, &id.0, &if_match, &key, "leave.requests.reject", body.0.note, Act::Reject).await
    }

    /// Cancel a leave request.
    ///
    /// A pending or approved request, by its member or `leave:manage`;
    /// approved leave that has already started needs `leave:manage`.
    /// Approved days come back through a cancellation entry.
    #[oai(path = "/:id/cancel", method = "post", operation_id = "leave.requests.cancel")]
    async fn cancel(
        &self,
        caller: Caller,
        id: Path<String>,
        #[oai(name = "If-Match")] if_match: IfMatch,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Tagged<RequestDto>> {
        self.act(&caller, &id.0, &if_match, &key, "leave.requests.cancel", None, Act::Cancel).await
    }
}
