//! `/api/leave/types`: the organization's leave types.

use gremlin_kernel::ProblemResponse;
use gremlin_kernel::http::{Caller, Created, Deleted, Idempotency, IdempotencyKey, IfMatch, Operation, Tagged, etag};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{OpenApi, Tags};

use super::dto::{LeaveTypeDto, LeaveTypeList, PolicyDto};
use super::parse_id;
use crate::service::LeaveService;

type Result<T> = std::result::Result<T, ProblemResponse>;

#[derive(Tags)]
enum LeaveTag {
    /// Leave types: the policy every request, allocation and job follows.
    LeaveTypes,
}

/// The leave types API.
pub struct TypesApi {
    pub(super) service: LeaveService,
    pub(super) idempotency: Idempotency,
}

#[OpenApi(prefix_path = "/api/leave/types", tag = "LeaveTag::LeaveTypes")]
impl TypesApi {
    /// Create a leave type.
    ///
    /// A leave type with its policy (`leave:manage`): paid or unpaid,
    /// negative balance, whether weekends and holidays count, the longest
    /// run, notice, eligibility after a start, carry-forward, approval,
    /// monthly accrual. A name already used (without case) is a 409.
    #[oai(path = "/", method = "post", operation_id = "leave.types.create")]
    async fn create(
        &self,
        caller: Caller,
        body: Json<PolicyDto>,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Created<LeaveTypeDto>> {
        let request = body.0.to_json();
        let operation = Operation {
            domain: crate::NAME,
            operation_id: "leave.types.create",
            organization: &caller.organization_id,
        };
        let work = self.service.create_type(&caller, body.0.into());

        let caller = &caller;
        let read = |id: String| async move { self.service.get_type(caller, parse_id(&id, "leave type")?).await };
        let t = self.idempotency.run(operation, &key, &request, work, read).await?;
        Ok(Created::Created(Json(LeaveTypeDto::from(&t)), etag(t.version), format!("/api/leave/types/{}", t.id)))
    }

    /// List leave types.
    ///
    /// Every leave type of the organization, by name (`leave:read`).
    #[oai(path = "/", method = "get", operation_id = "leave.types.list")]
    async fn list(&self, caller: Caller) -> Result<Json<LeaveTypeList>> {
        let types = self.service.list_types(&caller).await?;
        Ok(Json(LeaveTypeList { items: types.iter().map(LeaveTypeDto::from).collect() }))
    }

    /// Get a leave type.
    ///
    /// One leave type with its ETag (`leave:read`).
    #[oai(path = "/:id", method = "get", operation_id = "leave.types.get")]
    async fn get(&self, caller: Caller, id: Path<String>) -> Result<Tagged<LeaveTypeDto>> {
        let t = self.service.get_type(&caller, parse_id(&id.0, "leave type")?).await?;
        Ok(Tagged::Ok(Json(LeaveTypeDto::from(&t)), etag(t.version)))
    }

    /// Replace a leave type's policy.
    ///
    /// The whole policy, at the version `If-Match` names (`leave:manage`).
    /// Requests, allocations and ledger entries made under the old policy
    /// stay as they are; new ones follow the new policy.
    #[oai(path = "/:id", method = "put", operation_id = "leave.types.replace")]
    async fn replace(
        &self,
        caller: Caller,
        id: Path<String>,
        body: Json<PolicyDto>,
        #[oai(name = "If-Match")] if_match: IfMatch,
    ) -> Result<Tagged<LeaveTypeDto>> {
        let id = parse_id(&id.0, "leave type")?;
        let t = self.service.update_type(&caller, id, if_match.version(), body.0.into()).await?;
        Ok(Tagged::Ok(Json(LeaveTypeDto::from(&t)), etag(t.version)))
    }

    /// Delete a leave type.
    ///
    /// At the version `If-Match` names (`leave:manage`), only while no
    /// allocation, request or ledger entry names it; otherwise a 422 of
    /// rule `leave_type_in_use` (change its policy instead).
    #[oai(path = "/:id", method = "delete", operation_id = "leave.types.delete")]
    async fn delete(
        &self,
        caller: Caller,
        id: Path<String>,
        #[oai(name = "If-Match")] if_match: IfMatch,
    ) -> Result<Deleted> {
        let id = parse_id(&id.0, "leave type")?;
        self.service.delete_type(&caller, id, if_match.version()).await?;
        Ok(Deleted::Deleted)
    }
}
