//! Wiring CRM to a process: one SQL store and service per record kind,
//! pipelines and deals' board, owners checked through the verifier's member
//! directory, the API, and the consumer putting orders and invoices on
//! timelines.

use std::sync::Arc;

use gremlin_kernel::{Consumer, DomainPorts, SubscriptionSpec, Wiring};

use crate::api::Services;
use crate::events::{TIMELINE_CONSUMER, TIMELINE_EVENTS};
use crate::model::{ActivityFields, CompanyFields, DealFields, PersonFields};
use crate::service::{DealService, MergeService, PipelineService, RecordService, SearchService, TimelineService};
use crate::store::{SqlDealBoard, SqlPipelines, SqlRecords, SqlTimeline};

/// The CRM API on `ports`.
pub(crate) fn wire(ports: &DomainPorts) -> anyhow::Result<Wiring> {
    let db = &ports.db;
    let members = &ports.members;
    let pipelines = PipelineService::new(Arc::new(SqlPipelines::new(db.clone())));
    let timeline = TimelineService::new(Arc::new(SqlTimeline::new(db.clone())));
    let companies = Arc::new(SqlRecords::<CompanyFields>::new(db.clone()));
    let people = Arc::new(SqlRecords::<PersonFields>::new(db.clone()));
    let deals = Arc::new(SqlRecords::<DealFields>::new(db.clone()));
    let deal_records = RecordService::new(deals.clone(), members.clone());
    let services = Services {
        companies: RecordService::new(companies.clone(), members.clone()),
        company_search: SearchService::new(companies.clone()),
        company_merges: MergeService::new(companies.clone(), companies, members.clone()),
        people: RecordService::new(people.clone(), members.clone()),
        person_search: SearchService::new(people.clone()),
        person_merges: MergeService::new(people.clone(), people, members.clone()),
        deal_search: SearchService::new(deals),
        deals: DealService::new(deal_records, pipelines.clone(), Arc::new(SqlDealBoard::new(db.clone()))),
        pipelines,
        activities: RecordService::new(Arc::new(SqlRecords::<ActivityFields>::new(db.clone())), members.clone()),
        timeline: timeline.clone(),
    };
    let api = crate::api::apis(services, ports.idempotency.clone());
    let types: Vec<&str> = TIMELINE_EVENTS.iter().map(|c| c.event_type).collect();
    let consumer = Consumer::new(SubscriptionSpec::new(TIMELINE_CONSUMER, &types), move |event| {
        let timeline = timeline.clone();
        async move { timeline.record_event(&event).await }
    });
    Ok(Wiring { api: Box::new(api), consumers: vec![consumer] })
}
