//! `/api/leave/calendars` (holiday calendars, and importing a year from
//! an iCalendar feed) and `/api/leave/calendar` (the team calendar).

use gremlin_kernel::ProblemResponse;
use gremlin_kernel::http::{Caller, Created, Deleted, Idempotency, IdempotencyKey, IfMatch, Operation, Tagged, etag};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{OpenApi, Tags};
use time::Date;

use super::dto::{CalendarBody, CalendarDto, CalendarList, ImportBody, TeamCalendarDto};
use super::parse_id;
use crate::service::{CalendarInput, LeaveService};

type Result<T> = std::result::Result<T, ProblemResponse>;

#[derive(Tags)]
enum LeaveTag {
    /// Holiday calendars and the team calendar.
    LeaveCalendars,
}

/// The calendars API.
pub struct CalendarsApi {
    pub(super) service: LeaveService,
    pub(super) idempotency: Idempotency,
}

fn input(body: CalendarBody) -> CalendarInput {
    CalendarInput {
        name: body.name,
        is_default: body.is_default,
        holidays: body.holidays.into_iter().map(Into::into).collect(),
    }
}

#[OpenApi(tag = "LeaveTag::LeaveCalendars")]
impl CalendarsApi {
    /// Create a holiday calendar.
    ///
    /// A named calendar of holidays, whole days or halves (`leave:manage`).
    /// The default one applies to members whose profile names no other;
    /// making one the default takes over from the previous default.
    #[oai(path = "/api/leave/calendars", method = "post", operation_id = "leave.calendars.create")]
    async fn create(
        &self,
        caller: Caller,
        body: Json<CalendarBody>,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Created<CalendarDto>> {
        let request = body.0.to_json();
        let operation = Operation {
            domain: crate::NAME,
            operation_id: "leave.calendars.create",
            organization: &caller.organization_id,
        };
        let work = self.service.create_calendar(&caller, input(body.0));
        let caller = &caller;
        let read = |id: String| async move {
            self.service.get_calendar(caller, parse_id(&id, "holiday calendar")?, None).await
        };
        let c = self.idempotency.run(operation, &key, &request, work, read).await?;
        let location = format!("/api/leave/calendars/{}", c.id);
        Ok(Created::Created(Json(CalendarDto::from(&c)), etag(c.version), location))
    }

    /// List holiday calendars.
    ///
    /// Every calendar of the organization, by name, without its holidays
    /// (`leave:read`).
    #[oai(path = "/api/leave/calendars", method = "get", operation_id = "leave.calendars.list")]
    async fn list(&self, caller: Caller) -> Result<Json<CalendarList>> {
        let all = self.service.calendars(&caller).await?;
        Ok(Json(CalendarList { items: all.iter().map(CalendarDto::from).collect() }))
    }

    /// Get a holiday calendar.
    ///
    /// With its holidays, of one year when `year` is given (`leave:read`).
    #[oai(path = "/api/leave/calendars/:id", method = "get", operation_id = "leave.calendars.get")]
    async fn get(
        &self,
        caller: Caller,
        id: Path<String>,
        /// Only this year's holidays (1900-2999).
        #[oai(validator(minimum(value = "1900"), maximum(value = "2999")))]
        year: Query<Option<i32>>,
    ) -> Result<Tagged<CalendarDto>> {
        let c = self.service.get_calendar(&caller, parse_id(&id.0, "holiday calendar")?, year.0).await?;
        Ok(Tagged::Ok(Json(CalendarDto::from(&c)), etag(c.version)))
    }

    /// Replace a holiday calendar.
    ///
    /// Its name, default flag and every holiday, at the version `If-Match`
    /// names (`leave:manage`). Requests already made keep their days.
    #[oai(path = "/api/leave/calendars/:id", method = "put", operation_id = "leave.calendars.replace")]
    async fn replace(
        &self,
        caller: Caller,
        id: Path<String>,
        body: Json<CalendarBody>,
        #[oai(name = "If-Match")] if_match: IfMatch,
    ) -> Result<Tagged<CalendarDto>> {
        let id = parse_id(&id.0, "holiday calendar")?;
        let c = self.service.replace_calendar(&caller, id, if_match.version(), input(body.0)).await?;
        Ok(Tagged::Ok(Json(CalendarDto::from(&c)), etag(c.version)))
    }

    /// Delete a holiday calendar.
    ///
    /// With its holidays, at the version `If-Match` names (`leave:manage`).
    /// Not the default calendar (rule `default_calendar`: make another one
    /// the default first) nor one a member's profile names (rule
    /// `calendar_in_use`). Requests already made keep their days.
    #[oai(path = "/api/leave/calendars/:id", method = "delete", operation_id = "leave.calendars.delete")]
    async fn delete(
        &self,
        caller: Caller,
        id: Path<String>,
        #[oai(name = "If-Match")] if_match: IfMatch,
    ) -> Result<Deleted> {
        let id = parse_id(&id.0, "holiday calendar")?;
        self.service.delete_calendar(&caller, id, if_match.version()).await?;
        Ok(Deleted::Deleted)
    }

    /// Import a year of holidays.
    ///
    /// Replace one year's holidays with those of an iCalendar feed
    /// (`leave:manage`), at the version `If-Match` names: each event's day,
    /// or days, with its summary as the name; other years stay. A feed
    /// that is not iCalendar, or has an event without a date, is a 422 on
    /// `ics`.
    #[oai(path = "/api/leave/calendars/:id/import", method = "post", operation_id = "leave.calendars.import")]
    async fn import(
        &self,
        caller: Caller,
        id: Path<String>,
        body: Json<ImportBody>,
        #[oai(name = "If-Match")] if_match: IfMatch,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Tagged<CalendarDto>> {
        let calendar = parse_id(&id.0, "holiday calendar")?;
        let fingerprint = serde_json::json!({ "id": id.0, "if_match": if_match.version(), "body": body.0.to_json() });
        let operation = Operation {
            domain: crate::NAME,
            operation_id: "leave.calendars.import",
            organization: &caller.organization_id,
        };
        let work = self.service.import_holidays(&caller, calendar, if_match.version(), body.0.year, &body.0.ics);
        let caller = &caller;
        let read = |id: String| async move {
            self.service.get_calendar(caller, parse_id(&id, "holiday calendar")?, None).await
        };
        let c = self.idempotency.run(operation, &key, &fingerprint, work, read).await?;
        Ok(Tagged::Ok(Json(CalendarDto::from(&c)), etag(c.version)))
    }

    /// Get the team calendar.
    ///
    /// Who is away from `from` to `to` (at most 366 days): the pending and
    /// approved requests overlapping the days, of every member or of one
    /// approver's (`approver_id`), half days included, without reasons or
    /// notes; and the organization's default holidays (`leave:read`).
    #[oai(path = "/api/leave/calendar", method = "get", operation_id = "leave.calendar.get")]
    async fn team(
        &self,
        caller: Caller,
        /// First day (at most 366 days before `to`).
        from: Query<Date>,
        /// Last day.
        to: Query<Date>,
        /// Only the members this member approves (`me` for the caller).
        approver_id: Query<Option<String>>,
    ) -> Result<Json<TeamCalendarDto>> {
        let approver = approver_id.0.as_deref().map(|a| super::member(&caller, a));
        let team = self.service.team(&caller, from.0, to.0, approver).await?;
        Ok(Json(TeamCalendarDto::new(from.0, to.0, &team)))
    }
}
