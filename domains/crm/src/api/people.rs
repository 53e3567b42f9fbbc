//! `/api/crm/people`: people (contacts) of the caller's organization.

use gremlin_kernel::http::{Caller, Created, Idempotency, IdempotencyKey, IfMatch, SortDirection, Tagged};
use gremlin_kernel::{Nullable, Patch, ProblemResponse, UserId};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{Object, Tags};

use super::common::{AuditDto, created, tagged};
use super::records::{ListParams, RecordEndpoints};
use super::routes::record_api;
use crate::model::{EmailAddress, Person, PersonFields};
use crate::service::{Edit, MergeService, RecordService, SearchService, TimelineService};

type Result<T> = std::result::Result<T, ProblemResponse>;

#[derive(Tags)]
enum CrmTag {
    /// People (contacts) of the caller's organization.
    People,
}

/// One of a person's e-mail addresses.
#[derive(Debug, Clone, Object)]
#[oai(rename = "CrmEmailAddress")]
pub struct EmailAddressDto {
    /// The address (at most 254 characters).
    pub address: String,
    /// Whether it is the one to write to; when none is marked the first
    /// is, and at most one may be.
    #[oai(default)]
    pub primary: bool,
}

impl From<EmailAddressDto> for EmailAddress {
    fn from(e: EmailAddressDto) -> Self {
        EmailAddress { address: e.address, primary: e.primary }
    }
}

/// A person.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Person")]
pub struct PersonDto {
    /// Their id (UUIDv7).
    pub id: uuid::Uuid,
    /// Given name (may be empty when `last_name` is not).
    pub first_name: String,
    /// Family name (may be empty when `first_name` is not).
    pub last_name: String,
    /// E-mail addresses; exactly one is primary when there are any.
    pub emails: Vec<EmailAddressDto>,
    /// Phone numbers.
    pub phones: Vec<String>,
    /// Job title.
    pub job_title: Nullable<String>,
    /// The company they work at.
    pub company_id: Nullable<uuid::Uuid>,
    /// The member responsible for them.
    pub owner_id: Nullable<String>,
    /// Free labels.
    pub tags: Vec<String>,
    /// Who made and changed the record; version; deletion.
    #[oai(flatten)]
    pub audit: AuditDto,
}

impl From<&Person> for PersonDto {
    fn from(p: &Person) -> Self {
        let f = &p.fields;
        Self {
            id: p.id,
            first_name: f.first_name.clone(),
            last_name: f.last_name.clone(),
            emails: f
                .emails
                .iter()
                .map(|e| EmailAddressDto { address: e.address.clone(), primary: e.primary })
                .collect(),
            phones: f.phones.clone(),
            job_title: f.job_title.clone().into(),
            company_id: f.company_id.into(),
            owner_id: f.owner_id.as_ref().map(UserId::to_string).into(),
            tags: f.tags.clone(),
            audit: AuditDto::from(&p.audit),
        }
    }
}

gremlin_kernel::page_dto! {
    /// A page of people.
    pub struct PersonPage of PersonDto from Person;
    /// People, newest first unless `direction=asc`.
    items
}

/// A new person: a first name, a last name or both.
#[derive(Debug, Clone, Object)]
pub struct CreatePersonBody {
    /// Given name (at most 200 characters).
    #[oai(default)]
    pub first_name: String,
    /// Family name (at most 200 characters).
    #[oai(default)]
    pub last_name: String,
    /// E-mail addresses (at most 20).
    #[oai(default)]
    pub emails: Vec<EmailAddressDto>,
    /// Phone numbers (at most 20).
    #[oai(default)]
    pub phones: Vec<String>,
    /// Job title (at most 200 characters).
    pub job_title: Option<String>,
    /// The company they work at (a live company of the organization).
    pub company_id: Option<uuid::Uuid>,
    /// The member responsible for them: absent means the caller, null nobody.
    pub owner_id: Patch<String>,
    /// Free labels (at most 50, 1-50 characters each).
    #[oai(default)]
    pub tags: Vec<String>,
}

/// Changes to a person: absent fields stay, null clears, lists are
/// replaced whole.
#[derive(Debug, Clone, Object)]
pub struct UpdatePersonBody {
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// E-mail addresses.
    pub emails: Option<Vec<EmailAddressDto>>,
    /// Phone numbers.
    pub phones: Option<Vec<String>>,
    /// Job title.
    pub job_title: Patch<String>,
    /// The company they work at.
    pub company_id: Patch<uuid::Uuid>,
    /// The member responsible for them.
    pub owner_id: Patch<String>,
    /// Free labels.
    pub tags: Option<Vec<String>>,
}

fn emails(list: Vec<EmailAddressDto>) -> Vec<EmailAddress> {
    list.into_iter().map(EmailAddress::from).collect()
}

/// The people API.
pub struct PeopleApi {
    records: RecordEndpoints<PersonFields>,
    search: SearchService<PersonFields>,
    merges: MergeService<PersonFields>,
}

impl PeopleApi {
    /// The API over `service`, `search` and `merges`, keeping `Idempotency-Key`
    /// records in `idempotency`, reading timelines from `timeline`.
    pub fn new(
        service: RecordService<PersonFields>,
        search: SearchService<PersonFields>,
        merges: MergeService<PersonFields>,
        idempotency: Idempotency,
        timeline: TimelineService,
    ) -> Self {
        Self { records: RecordEndpoints::new(service, idempotency, timeline), search, merges }
    }
}

record_api! {
    PeopleApi as PersonDto, paged PersonPage;
    at "/api/crm/people", tagged "CrmTag::People";
    get "crm.people.get" [
        "Get a person."
        "One person of the caller's organization (`crm:read`), live or in the trash, with their ETag."
    ];
    delete "crm.people.delete" [
        "Delete a person."
        "Move a person to the trash (`crm:write`): they leave lists, search and duplicate checks and can be restored. Answers the record as it is now."
    ];
    restore "crm.people.restore" [
        "Restore a person."
        "Bring a person back from the trash (`crm:write`)."
    ];
    timeline "crm.people.timeline" [
        "Get a person's timeline."
        "Newest first, with cursor paging (`crm:read`): their creation, field changes (who changed what from what to what), trash and restore, their notes and tasks, and the orders and invoices they are the customer of."
    ];
    search "crm.people.search" [
        "Search people."
        "Live people of the organization matching filter groups (OR of ANDs) and words, in one order, a page (at most 100) at a time (`crm:read`). A read sent as POST to carry its body: it changes nothing, so it takes no `Idempotency-Key`. Properties: `name` (first and last), `email` (the primary address) (text); `company_id`, `owner_id` (codes); `tags` (labels: `eq` means they carry the tag, `in` any of them); `created_at`, `updated_at` (times). Sorts by `name` (last then first), `email`, `created_at` (the default) or `updated_at`. The query looks in names and every e-mail address."
    ];
    merge "crm.people.merge" [
        "Merge a duplicate into this person."
        "Fold another person of the organization into this one in one transaction (`crm:manage`): the fields named in `take` get the duplicate's value (the rest keep this person's, tags are joined); their deals, notes, tasks and timeline move here; the duplicate goes to the trash. `If-Match` is this person's version, `merge_version` the duplicate's: a change to either since is refused."
    ];
    {
    /// Create a person.
    ///
    /// Create a person (`crm:write`). A live person with the same primary
    /// e-mail (ignoring case) or the same first and last name makes it a
    /// duplicate: 409 with `existing_ids`, unless `allow_duplicate=true`.
    /// The company must be a live company of the organization; the owner a
    /// member.
    #[oai(path = "/", method = "post", operation_id = "crm.people.create")]
    async fn create(
        &self,
        caller: Caller,
        body: Json<CreatePersonBody>,
        /// Create them even when they match existing people.
        allow_duplicate: Query<Option<bool>>,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Created<PersonDto>> {
        let body = body.0;
        let request = Some(serde_json::json!({ "body": body.to_json(), "allow_duplicate": allow_duplicate.0 }));
        let fields = PersonFields {
            first_name: body.first_name,
            last_name: body.last_name,
            emails: emails(body.emails),
            phones: body.phones,
            job_title: body.job_title,
            company_id: body.company_id,
            owner_id: body.owner_id.apply(Some(caller.user_id.to_string())).map(UserId::new),
            tags: body.tags,
        };
        let allow = allow_duplicate.0.unwrap_or(false);
        let person = self.records.create(&caller, &key, "crm.people.create", request, fields, allow).await?;
        Ok(created(&person, "/api/crm/people"))
    }

    /// List people.
    ///
    /// A page of live people, or of the trash with `deleted=true`
    /// (`crm:read`), newest first.
    #[oai(path = "/", method = "get", operation_id = "crm.people.list")]
    async fn list(
        &self,
        caller: Caller,
        /// Page size, 1-200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Only people this member owns.
        owner_id: Query<Option<String>>,
        /// The trash (deleted people) instead of live ones.
        deleted: Query<Option<bool>>,
        /// Sort direction by creation (default `desc`).
        direction: Query<Option<SortDirection>>,
    ) -> Result<Json<PersonPage>> {
        let params = ListParams::new(limit.0, cursor.0, owner_id.0, deleted.0, direction.0);
        Ok(Json(self.records.list(&caller, params).await?.into()))
    }

    /// Update a person.
    ///
    /// Change a live person's fields (`crm:write`); each changed field goes
    /// on their timeline.
    #[oai(path = "/:id", method = "patch", operation_id = "crm.people.update")]
    async fn update(
        &self,
        caller: Caller,
        id: Path<String>,
        body: Json<UpdatePersonBody>,
        #[oai(name = "If-Match")] if_match: IfMatch,
    ) -> Result<Tagged<PersonDto>> {
        let body = body.0;
        let sets_owner = body.owner_id.set_value().map(UserId::new);
        let apply = move |f: PersonFields| PersonFields {
            first_name: body.first_name.unwrap_or(f.first_name),
            last_name: body.last_name.unwrap_or(f.last_name),
            emails: body.emails.map_or(f.emails, emails),
            phones: body.phones.unwrap_or(f.phones),
            job_title: body.job_title.apply(f.job_title),
            company_id: body.company_id.apply(f.company_id),
            owner_id: body.owner_id.map(UserId::new).apply(f.owner_id),
            tags: body.tags.unwrap_or(f.tags),
        };
        let edit = Edit::new(apply, sets_owner);
        Ok(tagged(&self.records.update(&caller, &id.0, if_match, edit).await?))
    }
    }
}
