//! The events CRM publishes, recorded through the outbox with the change:
//! `crm.company.*`, `crm.person.*` and `crm.deal.*` when a record is
//! created, updated, deleted or restored — each with the record's id,
//! name, owner, version and, for updates, the fields that changed — and
//! `crm.deal.stage_changed`, `crm.deal.won` and `crm.deal.lost` with the
//! deal's stage, status, amount and close date.

use gremlin_kernel::{EventContract, EventContracts, EventEnvelope};
use poem_openapi::Object;

use crate::NAME;
use rust_decimal::Decimal;
use time::Date;

use crate::model::{
    ActivityFields, CompanyFields, Deal, DealFields, FieldChange, PersonFields, Record, RecordFields, StageKind,
};

/// `data` of every `crm.company.*` and `crm.person.*` event.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RecordEventData {
    /// The record.
    pub id: uuid::Uuid,
    /// Its name (a person's full name).
    pub name: String,
    /// The member who owns it.
    pub owner_id: Option<String>,
    /// The fields the change touched (`updated` events), as the API names
    /// them.
    pub changed_fields: Vec<String>,
    /// Its version after the change.
    pub version: i64,
}

/// The events of one record kind.
pub struct RecordContracts {
    /// It was created.
    pub created: EventContract,
    /// Fields changed.
    pub updated: EventContract,
    /// It was moved to the trash.
    pub deleted: EventContract,
    /// It came back from the trash.
    pub restored: EventContract,
}

/// A record kind that publishes events.
pub trait Published: RecordFields {
    /// Its events.
    const EVENTS: RecordContracts;
}

impl Published for CompanyFields {
    const EVENTS: RecordContracts = RecordContracts {
        created: EventContract::of::<RecordEventData>("crm.company.created", "A company was created."),
        updated: EventContract::of::<RecordEventData>("crm.company.updated", "A company's fields changed."),
        deleted: EventContract::of::<RecordEventData>("crm.company.deleted", "A company was moved to the trash."),
        restored: EventContract::of::<RecordEventData>("crm.company.restored", "A company came back from the trash."),
    };
}

impl Published for PersonFields {
    const EVENTS: RecordContracts = RecordContracts {
        created: EventContract::of::<RecordEventData>("crm.person.created", "A person was created."),
        updated: EventContract::of::<RecordEventData>("crm.person.updated", "A person's fields changed."),
        deleted: EventContract::of::<RecordEventData>("crm.person.deleted", "A person was moved to the trash."),
        restored: EventContract::of::<RecordEventData>("crm.person.restored", "A person came back from the trash."),
    };
}

impl Published for DealFields {
    const EVENTS: RecordContracts = RecordContracts {
        created: EventContract::of::<RecordEventData>("crm.deal.created", "A deal was created."),
        updated: EventContract::of::<RecordEventData>("crm.deal.updated", "A deal's fields changed."),
        deleted: EventContract::of::<RecordEventData>("crm.deal.deleted", "A deal was moved to the trash."),
        restored: EventContract::of::<RecordEventData>("crm.deal.restored", "A deal came back from the trash."),
    };
}

/// `data` of `crm.deal.stage_changed`, `crm.deal.won` and `crm.deal.lost`.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DealEventData {
    /// The deal.
    pub deal_id: uuid::Uuid,
    /// Its name.
    pub name: String,
    /// Its pipeline.
    pub pipeline_id: uuid::Uuid,
    /// The stage it is in now.
    pub stage_id: uuid::Uuid,
    /// That stage's name.
    pub stage_name: Option<String>,
    /// The stage it left (`stage_changed`).
    pub from_stage_id: Option<uuid::Uuid>,
    /// Open, won or lost.
    pub status: StageKind,
    /// Its probability now, 0-100.
    pub probability: u8,
    /// What it is worth.
    pub amount: Option<Decimal>,
    /// ISO 4217 code of `amount`.
    pub currency: Option<String>,
    /// Why it was lost (`lost`).
    pub lost_reason: Option<String>,
    /// When it was won or lost.
    pub closed_on: Option<Date>,
    /// The company it is with.
    pub company_id: Option<uuid::Uuid>,
    /// The person to talk to.
    pub contact_id: Option<uuid::Uuid>,
    /// The member responsible for it.
    pub owner_id: Option<String>,
    /// Its version after the change.
    pub version: i64,
}

/// `crm.deal.stage_changed`: a deal moved to another stage.
pub const DEAL_STAGE_CHANGED: EventContract =
    EventContract::of::<DealEventData>("crm.deal.stage_changed", "A deal moved to another stage of a pipeline.");
/// `crm.deal.won`: a deal entered a won stage.
pub const DEAL_WON: EventContract = EventContract::of::<DealEventData>("crm.deal.won", "A deal was won.");
/// `crm.deal.lost`: a deal entered a lost stage.
pub const DEAL_LOST: EventContract = EventContract::of::<DealEventData>("crm.deal.lost", "A deal was lost.");

/// The `contract` event of `deal`, which left `from_stage` (if it moved)
/// for a stage named `stage_name`.
pub fn deal_event(
    contract: &EventContract,
    deal: &Deal,
    from_stage: Option<uuid::Uuid>,
    stage_name: Option<String>,
) -> EventEnvelope {
    let f = &deal.fields;
    let data = DealEventData {
        deal_id: deal.id,
        name: f.name.clone(),
        pipeline_id: f.pipeline_id,
        stage_id: f.stage_id,
        stage_name,
        from_stage_id: from_stage,
        status: f.status,
        probability: f.probability,
        amount: f.amount.as_ref().map(|a| a.amount),
        currency: f.amount.as_ref().map(|a| a.currency.code().to_owned()),
        lost_reason: f.lost_reason.clone(),
        closed_on: f.closed_on,
        company_id: f.company_id,
        contact_id: f.contact_id,
        owner_id: f.owner_id.as_ref().map(|o| o.as_str().to_owned()),
        version: deal.audit.version,
    };
    contract.envelope(NAME, Some(deal.organization_id.clone()), deal.id.to_string(), &data)
}

impl Published for ActivityFields {
    const EVENTS: RecordContracts = RecordContracts {
        created: EventContract::of::<RecordEventData>("crm.activity.created", "A note or task was written."),
        updated: EventContract::of::<RecordEventData>(
            "crm.activity.updated",
            "A note or task changed (a task was done).",
        ),
        deleted: EventContract::of::<RecordEventData>("crm.activity.deleted", "A note or task was moved to the trash."),
        restored: EventContract::of::<RecordEventData>(
            "crm.activity.restored",
            "A note or task came back from the trash.",
        ),
    };
}

/// `data` of `crm.company.merged` and `crm.person.merged`.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct MergeEventData {
    /// The record that stays.
    pub id: uuid::Uuid,
    /// Its name after the merge.
    pub name: String,
    /// The duplicate folded in (now in the trash).
    pub merged_id: uuid::Uuid,
    /// The fields whose value came from the duplicate.
    pub taken_fields: Vec<String>,
    /// The survivor's version after the merge.
    pub version: i64,
}

/// A record kind whose duplicates merge.
pub trait Merges: Published {
    /// Its `merged` event.
    const MERGED: EventContract;
}

impl Merges for CompanyFields {
    const MERGED: EventContract =
        EventContract::of::<MergeEventData>("crm.company.merged", "A duplicate company was merged into another.");
}

impl Merges for PersonFields {
    const MERGED: EventContract =
        EventContract::of::<MergeEventData>("crm.person.merged", "A duplicate person was merged into another.");
}

/// The `merged` event of `kept`, which took `taken` from `gone`.
pub fn merge_event<F: Merges>(kept: &Record<F>, gone: &Record<F>, taken: &[String]) -> EventEnvelope {
    let data = MergeEventData {
        id: kept.id,
        name: kept.fields.display_name(),
        merged_id: gone.id,
        taken_fields: taken.to_vec(),
        version: kept.audit.version,
    };
    F::MERGED.envelope(NAME, Some(kept.organization_id.clone()), kept.id.to_string(), &data)
}

/// Every event CRM publishes, and the other domains' events its timelines
/// show.
pub const CONTRACTS: EventContracts = EventContracts {
    publishes: &[
        CompanyFields::EVENTS.created,
        CompanyFields::EVENTS.updated,
        CompanyFields::EVENTS.deleted,
        CompanyFields::EVENTS.restored,
        CompanyFields::MERGED,
        PersonFields::EVENTS.created,
        PersonFields::EVENTS.updated,
        PersonFields::EVENTS.deleted,
        PersonFields::EVENTS.restored,
        PersonFields::MERGED,
        DealFields::EVENTS.created,
        DealFields::EVENTS.updated,
        DealFields::EVENTS.deleted,
        DealFields::EVENTS.restored,
        DEAL_STAGE_CHANGED,
        DEAL_WON,
        DEAL_LOST,
        ActivityFields::EVENTS.created,
        ActivityFields::EVENTS.updated,
        ActivityFields::EVENTS.deleted,
        ActivityFields::EVENTS.restored,
    ],
    consumes: &[(TIMELINE_CONSUMER, TIMELINE_EVENTS)],
};

/// The `contract` event of `record`, after `changes` (empty but for updates).
pub fn record_event<F: RecordFields>(
    contract: &EventContract,
    record: &Record<F>,
    changes: &[FieldChange],
) -> EventEnvelope {
    let data = RecordEventData {
        id: record.id,
        name: record.fields.display_name(),
        owner_id: record.fields.owner().map(|o| o.as_str().to_owned()),
        changed_fields: changes.iter().map(|c| c.field.clone()).collect(),
        version: record.audit.version,
    };
    contract.envelope(NAME, Some(record.organization_id.clone()), record.id.to_string(), &data)
}

/// The durable subscription that puts other domains' events on the
/// timelines of the companies and people they concern; replicas of the CRM
/// service share it.
pub const TIMELINE_CONSUMER: &str = "crm-timeline";

/// An order event (producer: orders), as a CRM timeline reads it.
#[derive(Debug, Clone, Object)]
pub struct OrderEventView {
    /// The order.
    pub order_id: uuid::Uuid,
    /// Its number (`SO-000123`).
    pub number: String,
    /// Its status after the change.
    pub status: String,
    /// Who it is for.
    pub customer: Option<OrderCustomerView>,
    /// ISO 4217 code.
    pub currency: String,
    /// Its totals.
    pub totals: Option<OrderTotalsView>,
}

/// The customer of an order.
#[derive(Debug, Clone, Object)]
pub struct OrderCustomerView {
    /// The CRM company or person.
    pub contact_id: Option<uuid::Uuid>,
}

/// An order's totals.
#[derive(Debug, Clone, Object)]
pub struct OrderTotalsView {
    /// What the order comes to.
    pub grand_total: Decimal,
}

/// An invoice event (producer: invoices), as a CRM timeline reads it.
#[derive(Debug, Clone, Object)]
pub struct InvoiceEventView {
    /// The invoice.
    pub invoice_id: uuid::Uuid,
    /// Its number.
    pub number: Option<String>,
    /// Its status after the change.
    pub status: String,
    /// Who is billed.
    pub customer: Option<InvoiceCustomerView>,
    /// ISO 4217 code.
    pub currency: String,
    /// Its amounts.
    pub amounts: Option<InvoiceAmountsView>,
}

/// The customer of an invoice.
#[derive(Debug, Clone, Object)]
pub struct InvoiceCustomerView {
    /// The CRM company or person.
    pub crm_id: Option<uuid::Uuid>,
}

/// An invoice's amounts.
#[derive(Debug, Clone, Object)]
pub struct InvoiceAmountsView {
    /// Its total.
    pub total: Decimal,
    /// Still owed.
    pub due: Decimal,
}

/// `order.created` (producer: orders).
pub const ORDER_CREATED: EventContract = EventContract::of::<OrderEventView>("order.created", "An order was created.");
/// `order.confirmed` (producer: orders).
pub const ORDER_CONFIRMED: EventContract =
    EventContract::of::<OrderEventView>("order.confirmed", "A placed order was confirmed by the seller.");
/// `order.cancelled` (producer: orders).
pub const ORDER_CANCELLED: EventContract =
    EventContract::of::<OrderEventView>("order.cancelled", "An order was cancelled.");
/// `invoice.finalized` (producer: invoices).
pub const INVOICE_FINALIZED: EventContract =
    EventContract::of::<InvoiceEventView>("invoice.finalized", "A draft invoice was finalized: numbered and issued.");
/// `invoice.paid` (producer: invoices).
pub const INVOICE_PAID: EventContract =
    EventContract::of::<InvoiceEventView>("invoice.paid", "An invoice was paid in full.");

/// The other domains' events CRM timelines show.
pub const TIMELINE_EVENTS: &[EventContract] =
    &[ORDER_CREATED, ORDER_CONFIRMED, ORDER_CANCELLED, INVOICE_FINALIZED, INVOICE_PAID];

/// What a business event says on a timeline: the CRM record it concerns
/// (a company or person id, as the producer knows it) and what to show.
/// `None` for events about no CRM record; an error when the event does not
/// have its declared shape.
pub fn timeline_fact(event: &EventEnvelope) -> Result<Option<(uuid::Uuid, serde_json::Value)>, String> {
    let fact = |number: Option<String>, status: String, amount: Option<Decimal>, currency: String| {
        serde_json::json!({
            "event_type": event.event_type,
            "event_id": event.id.to_string(),
            "subject": event.subject,
            "number": number,
            "status": status,
            "amount": amount.map(|a| a.to_string()),
            "currency": currency,
        })
    };
    if event.event_type.starts_with("order.") {
        let contract =
            [ORDER_CREATED, ORDER_CONFIRMED, ORDER_CANCELLED].into_iter().find(|c| c.event_type == event.event_type);
        let Some(contract) = contract else { return Ok(None) };
        let order: OrderEventView = contract.read(event)?;
        let Some(crm_id) = order.customer.and_then(|c| c.contact_id) else { return Ok(None) };
        let total = order.totals.map(|t| t.grand_total);
        return Ok(Some((crm_id, fact(Some(order.number), order.status, total, order.currency))));
    }
    let contract = [INVOICE_FINALIZED, INVOICE_PAID].into_iter().find(|c| c.event_type == event.event_type);
    let Some(contract) = contract else { return Ok(None) };
    let invoice: InvoiceEventView = contract.read(event)?;
    let Some(crm_id) = invoice.customer.and_then(|c| c.crm_id) else { return Ok(None) };
    let total = invoice.amounts.map(|a| a.total);
    Ok(Some((crm_id, fact(invoice.number, invoice.status, total, invoice.currency))))
}
