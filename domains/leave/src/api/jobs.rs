//! `/api/leave/jobs/…`: the ledger's jobs, run by a manager or a scheduler
//! (cron calling the API). Each is safe to re-run for the same period: it
//! writes only what an earlier run did not.

use gremlin_kernel::http::{Caller, Idempotency, IdempotencyKey, Operation, Resource};
use gremlin_kernel::{DomainError, ProblemResponse};
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{Object, OpenApi, Tags};
use time::Date;

use crate::service::{JobRun, LeaveService};

type Result<T> = std::result::Result<T, ProblemResponse>;

#[derive(Tags)]
enum LeaveTag {
    /// The ledger's jobs: monthly accrual, the yearly roll-over, carried days lapsing.
    LeaveJobs,
}

/// The jobs API.
pub struct JobsApi {
    pub(super) service: LeaveService,
    pub(super) idempotency: Idempotency,
}

/// What a job run did.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveJobRun")]
pub struct JobRunDto {
    /// Ledger entries this run wrote.
    pub written: u32,
    /// Entries an earlier run of the same period had written.
    pub already: u32,
}

/// A month to accrue.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveAccrualBody")]
pub struct AccrualBody {
    /// Any day of the month (its first day, by convention).
    pub month: Date,
}

/// A period end to roll over.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveRolloverBody")]
pub struct RolloverBody {
    /// The last day of the periods to close.
    pub period_end: Date,
}

/// A day carried days must have lapsed by.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveExpiryBody")]
pub struct ExpiryBody {
    /// Carry-forwards lapsing on or before it are recorded.
    pub as_of: Date,
}

/// A run as an idempotency record keeps it: its counts are its id, so a
/// repeated key answers what the first run did.
struct Run(JobRun);

impl Resource for Run {
    const KIND: &'static str = "leave job run";

    fn resource_id(&self) -> String {
        format!("{}:{}", self.0.written, self.0.already)
    }
}

fn parse_run(id: &str) -> std::result::Result<Run, DomainError> {
    let (written, already) = id.split_once(':').ok_or_else(|| DomainError::not_found("leave job run"))?;
    let count = |n: &str| n.parse().map_err(|_| DomainError::not_found("leave job run"));
    Ok(Run(JobRun { written: count(written)?, already: count(already)? }))
}

impl JobsApi {
    async fn keyed(
        &self,
        caller: &Caller,
        key: &IdempotencyKey,
        operation_id: &str,
        request: serde_json::Value,
        work: impl Future<Output = std::result::Result<JobRun, DomainError>>,
    ) -> Result<Json<JobRunDto>> {
        let operation = Operation { domain: crate::NAME, operation_id, organization: &caller.organization_id };
        let work = async { work.await.map(Run) };
        let read = |id: String| async move { parse_run(&id) };
        let Run(run) = self.idempotency.run(operation, key, &request, work, read).await?;
        Ok(Json(JobRunDto { written: run.written, already: run.already }))
    }
}

#[OpenApi(prefix_path = "/api/leave/jobs", tag = "LeaveTag::LeaveJobs")]
impl JobsApi {
    /// Accrue a month.
    ///
    /// For every allocation of a type with monthly accrual whose period
    /// overlaps the month, the days earned in it (`leave:manage`): the
    /// yearly days ÷ 12, pro-rated from the member's start, on the running
    /// total rounded to the type's step, so months add up and nothing
    /// drifts. Re-running a month writes nothing new.
    #[oai(path = "/accrual", method = "post", operation_id = "leave.jobs.accrual")]
    async fn accrual(
        &self,
        caller: Caller,
        body: Json<AccrualBody>,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Json<JobRunDto>> {
        let request = body.0.to_json().unwrap_or_default();
        let work = self.service.accrue(&caller, body.0.month);
        self.keyed(&caller, &key, "leave.jobs.accrual", request, work).await
    }

    /// Roll over a year.
    ///
    /// For every allocation whose period ends on `period_end`
    /// (`leave:manage`): what is left lapses the next day, and up to the
    /// type's carry-forward cap comes back as carried days, used first and
    /// lapsing after the type's expiry days. A negative balance stays as a
    /// debt. Re-running writes nothing new.
    #[oai(path = "/rollover", method = "post", operation_id = "leave.jobs.rollover")]
    async fn rollover(
        &self,
        caller: Caller,
        body: Json<RolloverBody>,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Json<JobRunDto>> {
        let request = body.0.to_json().unwrap_or_default();
        let work = self.service.roll_over(&caller, body.0.period_end);
        self.keyed(&caller, &key, "leave.jobs.rollover", request, work).await
    }

    /// Record lapsed carried days.
    ///
    /// For every carry-forward lapsing on or before `as_of`
    /// (`leave:manage`), an expiry entry for what is left of it. Balances
    /// already count the lapse on its day; this records it in the ledger.
    #[oai(path = "/carry-expiry", method = "post", operation_id = "leave.jobs.carry_expiry")]
    async fn carry_expiry(
        &self,
        caller: Caller,
        body: Json<ExpiryBody>,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Json<JobRunDto>> {
        let request = body.0.to_json().unwrap_or_default();
        let work = self.service.expire_carried(&caller, body.0.as_of);
        self.keyed(&caller, &key, "leave.jobs.carry_expiry", request, work).await
    }
}
