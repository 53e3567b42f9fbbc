//! `/api/leave/members/{user_id}/…` and `/api/leave/allocations`: each
//! member's profile, allocations, balances and ledger.

use gremlin_kernel::http::{Caller, Created, Idempotency, IdempotencyKey, IfMatch, Operation, Tagged, etag};
use gremlin_kernel::{DomainError, ProblemResponse, UserId};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{OpenApi, Tags};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::dto::{
    AllocationBody, AllocationDto, AllocationList, BalanceDto, BalancesDto, CorrectionBody, LedgerDto, LedgerEntryDto,
    ProfileBody, ProfileDto, WithdrawalBody,
};
use super::{member, parse_id};
use crate::model::WorkingWeek;
use crate::model::days::parse_weekday;
use crate::service::{LeaveService, ProfileChange};

type Result<T> = std::result::Result<T, ProblemResponse>;

#[derive(Tags)]
enum LeaveTag {
    /// Members' leave: profiles, allocations, balances and the ledger.
    LeaveMembers,
}

/// The members' leave API.
pub struct MembersApi {
    pub(super) service: LeaveService,
    pub(super) idempotency: Idempotency,
}

fn week(days: Option<Vec<String>>) -> std::result::Result<WorkingWeek, DomainError> {
    let Some(days) = days else { return Ok(WorkingWeek::default()) };
    let parsed: Option<Vec<_>> = days.iter().map(|d| parse_weekday(&d.to_lowercase())).collect();
    parsed
        .and_then(|d| WorkingWeek::of(&d))
        .ok_or_else(|| DomainError::invalid("working_week", "one or more of monday … sunday"))
}

#[OpenApi(tag = "LeaveTag::LeaveMembers")]
impl MembersApi {
    /// Get a member's leave profile.
    ///
    /// Their approver, working week and start (the member, their approver
    /// or `leave:manage`). A member nobody set up has the default: no
    /// approver, Monday to Friday, version 0.
    #[oai(path = "/api/leave/members/:user_id/profile", method = "get", operation_id = "leave.profiles.get")]
    async fn profile(&self, caller: Caller, user_id: Path<String>) -> Result<Tagged<ProfileDto>> {
        let p = self.service.profile(&caller, &member(&caller, &user_id.0)).await?;
        Ok(Tagged::Ok(Json(ProfileDto::from(&p)), etag(p.version)))
    }

    /// Set a member's leave profile.
    ///
    /// Replace their approver (another member), working week and start
    /// (`leave:manage`) at the version `If-Match` names (0 for a profile
    /// never set).
    #[oai(path = "/api/leave/members/:user_id/profile", method = "put", operation_id = "leave.profiles.replace")]
    async fn put_profile(
        &self,
        caller: Caller,
        user_id: Path<String>,
        body: Json<ProfileBody>,
        #[oai(name = "If-Match")] if_match: IfMatch,
    ) -> Result<Tagged<ProfileDto>> {
        let body = body.0;
        let change = ProfileChange {
            approver_id: body.approver_id.map(UserId::new),
            week: week(body.working_week)?,
            started_on: body.started_on,
            calendar_id: body.calendar_id,
        };
        let user = member(&caller, &user_id.0);
        let p = self.service.put_profile(&caller, &user, if_match.version(), change).await?;
        Ok(Tagged::Ok(Json(ProfileDto::from(&p)), etag(p.version)))
    }

    /// Get a member's balances.
    ///
    /// One balance per leave type as of a day (default today, UTC):
    /// granted, taken, booked, expired, pending, available and expiring
    /// soon, each the sum of the ledger (the member, their approver or
    /// `leave:manage`).
    #[oai(path = "/api/leave/members/:user_id/balances", method = "get", operation_id = "leave.balances.get")]
    async fn balances(
        &self,
        caller: Caller,
        user_id: Path<String>,
        /// The day (default today).
        as_of: Query<Option<Date>>,
    ) -> Result<Json<BalancesDto>> {
        let user = member(&caller, &user_id.0);
        let day = as_of.0.unwrap_or_else(|| OffsetDateTime::now_utc().date());
        let balances = self.service.balances(&caller, &user, day).await?;
        Ok(Json(BalancesDto {
            user_id: user.to_string(),
            as_of: day,
            items: balances.iter().map(BalanceDto::from).collect(),
        }))
    }

    /// Get a member's ledger.
    ///
    /// Every allocation, approved request, cancellation, carry-forward,
    /// expiry and correction of the member (of one type), oldest effective
    /// first; entries are never changed, corrections are new entries.
    #[oai(path = "/api/leave/members/:user_id/ledger", method = "get", operation_id = "leave.ledger.list")]
    async fn ledger(
        &self,
        caller: Caller,
        user_id: Path<String>,
        /// Only this leave type.
        leave_type_id: Query<Option<Uuid>>,
    ) -> Result<Json<LedgerDto>> {
        let lines = self.service.ledger(&caller, &member(&caller, &user_id.0), leave_type_id.0).await?;
        Ok(Json(LedgerDto { items: lines.iter().map(LedgerEntryDto::from).collect() }))
    }

    /// List a member's allocations.
    ///
    /// Newest period first (the member, their approver or `leave:manage`).
    #[oai(path = "/api/leave/members/:user_id/allocations", method = "get", operation_id = "leave.allocations.list")]
    async fn allocations(
        &self,
        caller: Caller,
        user_id: Path<String>,
        /// Only this leave type.
        leave_type_id: Query<Option<Uuid>>,
    ) -> Result<Json<AllocationList>> {
        let list = self.service.allocations(&caller, &member(&caller, &user_id.0), leave_type_id.0).await?;
        Ok(Json(AllocationList { items: list.iter().map(AllocationDto::from).collect() }))
    }

    /// Grant days for a period.
    ///
    /// Days of a paid leave type for a member and a period (`leave:manage`),
    /// written to their ledger. Periods of one member and type never
    /// overlap (409).
    #[oai(path = "/api/leave/allocations", method = "post", operation_id = "leave.allocations.create")]
    async fn allocate(
        &self,
        caller: Caller,
        body: Json<AllocationBody>,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Created<AllocationDto>> {
        let request = body.0.to_json();
        let b = body.0;
        let operation = Operation {
            domain: crate::NAME,
            operation_id: "leave.allocations.create",
            organization: &caller.organization_id,
        };
        let user = member(&caller, &b.user_id);
        let work = self.service.allocate(&caller, user.clone(), b.leave_type_id, (b.from, b.to), b.days, b.note);
        let read = |id: String| {
            let (caller, user) = (&caller, user.clone());
            async move {
                let all = self.service.allocations(caller, &user, None).await?;
                all.into_iter()
                    .find(|a| a.id.to_string() == id)
                    .ok_or_else(|| DomainError::not_found("leave allocation"))
            }
        };
        let a = self.idempotency.run(operation, &key, &request, work, read).await?;
        let location = format!("/api/leave/allocations/{}", a.id);
        Ok(Created::Created(Json(AllocationDto::from(&a)), etag(1), location))
    }

    /// Get an allocation.
    ///
    /// One allocation, withdrawn or not (the member or `leave:manage`),
    /// with its ETag: `"1"` standing, `"2"` withdrawn.
    #[oai(path = "/api/leave/allocations/:id", method = "get", operation_id = "leave.allocations.get")]
    async fn allocation(&self, caller: Caller, id: Path<String>) -> Result<Tagged<AllocationDto>> {
        let a = self.service.allocation(&caller, parse_id(&id.0, "leave allocation")?).await?;
        Ok(Tagged::at(AllocationDto::from(&a), a.version()))
    }

    /// Withdraw an allocation.
    ///
    /// Takes back what it granted, monthly accruals included, through a
    /// `withdrawal` ledger entry (`leave:manage`); the allocation stays,
    /// marked withdrawn, and no longer counts for periods, overlaps or
    /// jobs, so the period can be granted again. Refused (422, naming the
    /// rule) once its period was rolled over (`allocation_rolled_over`) or
    /// while leave taken, booked or pending needs its days
    /// (`allocation_in_use`, unless the type allows a negative balance); a
    /// second withdrawal is a 409. `If-Match` names the version read
    /// (`"1"`).
    #[oai(path = "/api/leave/allocations/:id/withdraw", method = "post", operation_id = "leave.allocations.withdraw")]
    async fn withdraw(
        &self,
        caller: Caller,
        id: Path<String>,
        body: Json<WithdrawalBody>,
        #[oai(name = "If-Match")] if_match: IfMatch,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Tagged<AllocationDto>> {
        let request = serde_json::json!({ "id": id.0, "body": body.0.to_json() });
        let id = parse_id(&id.0, "leave allocation")?;
        let operation = Operation {
            domain: crate::NAME,
            operation_id: "leave.allocations.withdraw",
            organization: &caller.organization_id,
        };
        let work = self.service.withdraw(&caller, id, if_match.version(), body.0.note);
        let caller = &caller;
        let read = |_: String| async move { self.service.allocation(caller, id).await };
        let a = self.idempotency.run(operation, &key, &request, work, read).await?;
        Ok(Tagged::at(AllocationDto::from(&a), a.version()))
    }

    /// Correct a member's ledger.
    ///
    /// A new entry of `days` (either sign) of one leave type from a day,
    /// with the reason (`leave:manage`). Entries are never changed: this is
    /// how a wrong grant or a missed day is put right.
    #[oai(path = "/api/leave/members/:user_id/corrections", method = "post", operation_id = "leave.corrections.create")]
    async fn correct(
        &self,
        caller: Caller,
        user_id: Path<String>,
        body: Json<CorrectionBody>,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Created<LedgerEntryDto>> {
        let request = serde_json::json!({ "user_id": user_id.0, "body": body.0.to_json() });
        let b = body.0;
        let user = member(&caller, &user_id.0);
        let operation = Operation {
            domain: crate::NAME,
            operation_id: "leave.corrections.create",
            organization: &caller.organization_id,
        };
        let work = self.service.correct(&caller, user.clone(), b.leave_type_id, b.days, b.on, b.note);
        let read = |id: String| {
            let (caller, user) = (&caller, user.clone());
            async move {
                let lines = self.service.ledger(caller, &user, None).await?;
                lines
                    .into_iter()
                    .find(|l| l.entry.id.to_string() == id)
                    .ok_or_else(|| DomainError::not_found("ledger entry"))
            }
        };
        let line = self.idempotency.run(operation, &key, &request, work, read).await?;
        let location = format!("/api/leave/members/{}/ledger", line.user_id);
        Ok(Created::Created(Json(LedgerEntryDto::from(&line)), etag(1), location))
    }
}
