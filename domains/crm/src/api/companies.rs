//! `/api/crm/companies`: companies of the caller's organization.

use gremlin_kernel::http::{Caller, Created, Idempotency, IdempotencyKey, IfMatch, SortDirection, Tagged};
use gremlin_kernel::{Nullable, Patch, ProblemResponse, UserId};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{Object, Tags};

use super::common::{AmountDto, AuditDto, created, tagged};
use super::records::{ListParams, RecordEndpoints};
use super::routes::record_api;
use crate::model::{Address, Company, CompanyFields};
use crate::service::{Edit, MergeService, RecordService, SearchService, TimelineService};

type Result<T> = std::result::Result<T, ProblemResponse>;

#[derive(Tags)]
enum CrmTag {
    /// Companies of the caller's organization.
    Companies,
}

/// A postal address; every part optional (at most 200 characters each).
#[derive(Debug, Clone, Default, Object)]
#[oai(rename = "CrmAddress", skip_serializing_if_is_none)]
pub struct AddressDto {
    /// Street and number, one line.
    pub street: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State, province or region.
    pub region: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// Country.
    pub country: Option<String>,
}

impl From<AddressDto> for Address {
    fn from(a: AddressDto) -> Self {
        Address { street: a.street, city: a.city, region: a.region, postal_code: a.postal_code, country: a.country }
    }
}

impl From<&Address> for AddressDto {
    fn from(a: &Address) -> Self {
        Self {
            street: a.street.clone(),
            city: a.city.clone(),
            region: a.region.clone(),
            postal_code: a.postal_code.clone(),
            country: a.country.clone(),
        }
    }
}

/// A company.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Company")]
pub struct CompanyDto {
    /// Its id (UUIDv7).
    pub id: uuid::Uuid,
    /// Its name.
    pub name: String,
    /// Its web domain, canonical (`acme.com`).
    pub domain: Nullable<String>,
    /// Head count.
    pub employees: Nullable<u32>,
    /// Yearly revenue.
    pub annual_revenue: Nullable<AmountDto>,
    /// Where it is.
    pub address: AddressDto,
    /// Web pages.
    pub links: Vec<String>,
    /// The member responsible for it.
    pub owner_id: Nullable<String>,
    /// Free labels.
    pub tags: Vec<String>,
    /// Who made and changed it; version; deletion.
    #[oai(flatten)]
    pub audit: AuditDto,
}

impl From<&Company> for CompanyDto {
    fn from(c: &Company) -> Self {
        let f = &c.fields;
        Self {
            id: c.id,
            name: f.name.clone(),
            domain: f.domain.clone().into(),
            employees: f.employees.into(),
            annual_revenue: f.annual_revenue.as_ref().map(AmountDto::from).into(),
            address: AddressDto::from(&f.address),
            links: f.links.clone(),
            owner_id: f.owner_id.as_ref().map(UserId::to_string).into(),
            tags: f.tags.clone(),
            audit: AuditDto::from(&c.audit),
        }
    }
}

gremlin_kernel::page_dto! {
    /// A page of companies.
    pub struct CompanyPage of CompanyDto from Company;
    /// Companies, newest first unless `direction=asc`.
    items
}

/// A new company.
#[derive(Debug, Clone, Object)]
pub struct CreateCompanyBody {
    /// Its name (1-200 characters).
    pub name: String,
    /// Its web domain or site address (`acme.com`, `https://www.acme.com/`).
    pub domain: Option<String>,
    /// Head count.
    pub employees: Option<u32>,
    /// Yearly revenue.
    pub annual_revenue: Option<AmountDto>,
    /// Where it is.
    pub address: Option<AddressDto>,
    /// Web pages (`http(s)://`, at most 20).
    #[oai(default)]
    pub links: Vec<String>,
    /// The member responsible for it: absent means the caller, null nobody.
    pub owner_id: Patch<String>,
    /// Free labels (at most 50, 1-50 characters each).
    #[oai(default)]
    pub tags: Vec<String>,
}

/// Changes to a company: absent fields stay, null clears, lists and the
/// address are replaced whole.
#[derive(Debug, Clone, Object)]
pub struct UpdateCompanyBody {
    /// Its name (1-200 characters).
    pub name: Option<String>,
    /// Its web domain.
    pub domain: Patch<String>,
    /// Head count.
    pub employees: Patch<u32>,
    /// Yearly revenue.
    pub annual_revenue: Patch<AmountDto>,
    /// Where it is.
    pub address: Option<AddressDto>,
    /// Web pages.
    pub links: Option<Vec<String>>,
    /// The member responsible for it.
    pub owner_id: Patch<String>,
    /// Free labels.
    pub tags: Option<Vec<String>>,
}

/// The companies API.
pub struct CompaniesApi {
    records: RecordEndpoints<CompanyFields>,
    search: SearchService<CompanyFields>,
    merges: MergeService<CompanyFields>,
}

impl CompaniesApi {
    /// The API over `service`, `search` and `merges`, keeping `Idempotency-Key`
    /// records in `idempotency`, reading timelines from `timeline`.
    pub fn new(
        service: RecordService<CompanyFields>,
        search: SearchService<CompanyFields>,
        merges: MergeService<CompanyFields>,
        idempotency: Idempotency,
        timeline: TimelineService,
    ) -> Self {
        Self { records: RecordEndpoints::new(service, idempotency, timeline), search, merges }
    }
}

record_api! {
    CompaniesApi as CompanyDto, paged CompanyPage;
    at "/api/crm/companies", tagged "CrmTag::Companies";
    get "crm.companies.get" [
        "Get a company."
        "One company of the caller's organization (`crm:read`), live or in the trash, with its ETag."
    ];
    delete "crm.companies.delete" [
        "Delete a company."
        "Move a company to the trash (`crm:write`): it leaves lists, search and duplicate checks and can be restored. Answers it as it is now."
    ];
    restore "crm.companies.restore" [
        "Restore a company."
        "Bring a company back from the trash (`crm:write`)."
    ];
    timeline "crm.companies.timeline" [
        "Get a company's timeline."
        "Newest first, with cursor paging (`crm:read`): its creation, field changes (who changed what from what to what), trash and restore, its notes and tasks, and the orders and invoices it is the customer of."
    ];
    search "crm.companies.search" [
        "Search companies."
        "Live companies of the organization matching filter groups (OR of ANDs) and words, in one order, a page (at most 100) at a time (`crm:read`). A read sent as POST to carry its body: it changes nothing, so it takes no `Idempotency-Key`. Properties: `name`, `domain`, `city`, `country` (text); `employees`, `annual_revenue` (numbers); `annual_revenue_currency`, `owner_id` (codes); `tags` (labels: `eq` means it carries the tag, `in` any of them); `created_at`, `updated_at` (times). Sorts by `name`, `employees`, `annual_revenue`, `created_at` (the default) or `updated_at`. The query looks in names and domains."
    ];
    merge "crm.companies.merge" [
        "Merge a duplicate into this company."
        "Fold another company of the organization into this one in one transaction (`crm:manage`): the fields named in `take` get the duplicate's value (the rest keep this company's, tags are joined); its people and deals, notes, tasks and timeline move here; the duplicate goes to the trash. `If-Match` is this company's version, `merge_version` the duplicate's: a change to either since is refused."
    ];
    {
    /// Create a company.
    ///
    /// Create a company (`crm:write`). A live company with the same name
    /// (ignoring case and spacing) or domain makes it a duplicate: 409 with
    /// `existing_ids`, unless `allow_duplicate=true`. The owner must be a
    /// member of the organization.
    #[oai(path = "/", method = "post", operation_id = "crm.companies.create")]
    async fn create(
        &self,
        caller: Caller,
        body: Json<CreateCompanyBody>,
        /// Create it even when it matches existing companies.
        allow_duplicate: Query<Option<bool>>,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Created<CompanyDto>> {
        let body = body.0;
        let request = Some(serde_json::json!({ "body": body.to_json(), "allow_duplicate": allow_duplicate.0 }));
        let fields = CompanyFields {
            name: body.name,
            domain: body.domain,
            employees: body.employees,
            annual_revenue: body.annual_revenue.map(|a| a.parse("annual_revenue.currency")).transpose()?,
            address: body.address.map(Address::from).unwrap_or_default(),
            links: body.links,
            owner_id: body.owner_id.apply(Some(caller.user_id.to_string())).map(UserId::new),
            tags: body.tags,
        };
        let allow = allow_duplicate.0.unwrap_or(false);
        let company = self.records.create(&caller, &key, "crm.companies.create", request, fields, allow).await?;
        Ok(created(&company, "/api/crm/companies"))
    }

    /// List companies.
    ///
    /// A page of live companies, or of the trash with `deleted=true`
    /// (`crm:read`), newest first.
    #[oai(path = "/", method = "get", operation_id = "crm.companies.list")]
    async fn list(
        &self,
        caller: Caller,
        /// Page size, 1-200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Only companies this member owns.
        owner_id: Query<Option<String>>,
        /// The trash (deleted companies) instead of live ones.
        deleted: Query<Option<bool>>,
        /// Sort direction by creation (default `desc`).
        direction: Query<Option<SortDirection>>,
    ) -> Result<Json<CompanyPage>> {
        let params = ListParams::new(limit.0, cursor.0, owner_id.0, deleted.0, direction.0);
        Ok(Json(self.records.list(&caller, params).await?.into()))
    }

    /// Update a company.
    ///
    /// Change a live company's fields (`crm:write`); each changed field
    /// goes on its timeline.
    #[oai(path = "/:id", method = "patch", operation_id = "crm.companies.update")]
    async fn update(
        &self,
        caller: Caller,
        id: Path<String>,
        body: Json<UpdateCompanyBody>,
        #[oai(name = "If-Match")] if_match: IfMatch,
    ) -> Result<Tagged<CompanyDto>> {
        let body = body.0;
        let revenue = body.annual_revenue.try_map(|a| a.parse("annual_revenue.currency"))?;
        let sets_owner = body.owner_id.set_value().map(UserId::new);
        let apply = move |f: CompanyFields| CompanyFields {
            name: body.name.unwrap_or(f.name),
            domain: body.domain.apply(f.domain),
            employees: body.employees.apply(f.employees),
            annual_revenue: revenue.apply(f.annual_revenue),
            address: body.address.map_or(f.address, Address::from),
            links: body.links.unwrap_or(f.links),
            owner_id: body.owner_id.map(UserId::new).apply(f.owner_id),
            tags: body.tags.unwrap_or(f.tags),
        };
        let edit = Edit::new(apply, sets_owner);
        Ok(tagged(&self.records.update(&caller, &id.0, if_match, edit).await?))
    }
    }
}
