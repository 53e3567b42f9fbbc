//! The CRM HTTP API under `/api/crm` (DESIGN.md §6): problem+json errors,
//! cursor pagination, `Idempotency-Key` on every POST, `ETag` on reads and
//! `If-Match` on every change. Companies, people and deals share one
//! shape: create (409 with the matches when it duplicates), get, list (live
//! or trash), patch, delete (to the trash) and restore; deals also move on
//! their board, through the stages of the organization's pipelines.

mod activities;
mod common;
mod companies;
mod deals;
mod people;
mod pipelines;
mod records;
mod routes;
mod search;
mod timeline;

pub use activities::ActivitiesApi;
pub use companies::CompaniesApi;
pub use deals::DealsApi;
pub use people::PeopleApi;
pub use pipelines::PipelinesApi;

use gremlin_kernel::http::Idempotency;

use crate::model::{ActivityFields, CompanyFields, DealFields, PersonFields};
use crate::service::{DealService, MergeService, PipelineService, RecordService, SearchService, TimelineService};

/// Every CRM API, as one: what the domain registers and routes.
pub type Apis = (CompaniesApi, PeopleApi, DealsApi, PipelinesApi, ActivitiesApi);

/// The CRM services an API instance runs on.
pub struct Services {
    /// Companies.
    pub companies: RecordService<CompanyFields>,
    /// Searching companies.
    pub company_search: SearchService<CompanyFields>,
    /// Merging companies.
    pub company_merges: MergeService<CompanyFields>,
    /// People.
    pub people: RecordService<PersonFields>,
    /// Searching people.
    pub person_search: SearchService<PersonFields>,
    /// Merging people.
    pub person_merges: MergeService<PersonFields>,
    /// Deals.
    pub deals: DealService,
    /// Searching deals.
    pub deal_search: SearchService<DealFields>,
    /// Pipelines.
    pub pipelines: PipelineService,
    /// Notes and tasks.
    pub activities: RecordService<ActivityFields>,
    /// Timelines.
    pub timeline: TimelineService,
}

/// The CRM APIs over their services.
pub fn apis(services: Services, idempotency: Idempotency) -> Apis {
    let timeline = services.timeline;
    (
        CompaniesApi::new(
            services.companies,
            services.company_search,
            services.company_merges,
            idempotency.clone(),
            timeline.clone(),
        ),
        PeopleApi::new(
            services.people,
            services.person_search,
            services.person_merges,
            idempotency.clone(),
            timeline.clone(),
        ),
        DealsApi::new(services.deals, services.deal_search, idempotency.clone(), timeline.clone()),
        PipelinesApi::new(services.pipelines, idempotency.clone()),
        ActivitiesApi::new(services.activities, idempotency, timeline),
    )
}
