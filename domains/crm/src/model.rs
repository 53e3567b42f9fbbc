//! The pure rules of CRM: what a valid company, person, deal, note or task is, the
//! keys duplicates are found by, field changes, delete and restore,
//! pipelines and how a deal moves through their stages. No I/O.

pub mod activity;
pub mod changes;
pub mod company;
pub mod deal;
pub mod fields;
pub mod forecast;
pub mod merge;
pub mod person;
pub mod pipeline;
pub mod record;
pub mod search;
pub mod searchable;

pub use activity::{Activity, ActivityFields, ActivityKind};
pub use changes::{FieldChange, diff};
pub use company::{Address, Company, CompanyFields};
pub use deal::{Deal, DealFields};
pub use fields::Amount;
pub use person::{EmailAddress, Person, PersonFields};
pub use pipeline::{Pipeline, Stage, StageInput, StageKind};
pub use record::{Audit, CrmError, Record, RecordFields, RecordKind};
pub use searchable::Searchable;
