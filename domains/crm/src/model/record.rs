//! What every CRM record shares: an id, its organization, its fields and
//! its audit (who made and last changed it, when, whether it is deleted,
//! its version). Companies and people are `Record`s of their own fields.

use gremlin_kernel::{FieldError, OrganizationId, UserId};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::changes::{FieldChange, diff};

/// The kinds of CRM record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, poem_openapi::Enum)]
#[oai(rename = "CrmRecordKind", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A company (an account).
    Company,
    /// A person (a contact).
    Person,
    /// A deal (an opportunity).
    Deal,
    /// A note or task about one of the others.
    Activity,
}

impl RecordKind {
    /// A stored kind.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Company, Self::Person, Self::Deal, Self::Activity].into_iter().find(|k| k.as_str() == text)
    }

    /// As stored and shown (`company`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Company => "company",
            Self::Person => "person",
            Self::Deal => "deal",
            Self::Activity => "activity",
        }
    }
}

/// Who made and last changed a record, and when; whether it is deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    /// Who created it.
    pub created_by: UserId,
    /// When.
    pub created_at: OffsetDateTime,
    /// Who changed it last (the creator until then).
    pub updated_by: UserId,
    /// When.
    pub updated_at: OffsetDateTime,
    /// When it was deleted; `None` while it is live.
    pub deleted_at: Option<OffsetDateTime>,
    /// Starts at 1 and grows by one with every change (the ETag).
    pub version: i64,
}

/// Why a change of a record was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrmError {
    /// Fields are invalid.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// A deleted record cannot change until it is restored.
    #[error("the {0} is deleted; restore it before changing it")]
    Deleted(&'static str),
    /// Only a deleted record can be restored.
    #[error("the {0} is not deleted")]
    NotDeleted(&'static str),
    /// A stage being removed still holds deals and no destination was
    /// named for them.
    #[error(
        "stage `{stage}` holds {deals} deal(s); name the stage they move to in `move_deals` \
         (`{{\"from\": \"<removed stage>\", \"to\": \"<kept stage>\"}}`)"
    )]
    StageHoldsDeals {
        /// The stage's name.
        stage: String,
        /// How many deals (live or deleted) it holds.
        deals: u64,
    },
    /// A record named in the request changed since the caller read it.
    #[error("{0}")]
    Stale(String),
    /// A pipeline still in use cannot be deleted.
    #[error("{0}")]
    PipelineInUse(String),
}

/// The fields of one kind of record: how they are normalized and checked,
/// who owns the record, and how it is named in lists and events.
pub trait RecordFields: Clone + PartialEq + Serialize + Send + Sync + 'static {
    /// The kind of record these fields make.
    const KIND: RecordKind;

    /// The field naming the member [`owner`](Self::owner) returns, as the
    /// API names it.
    const OWNER_FIELD: &'static str = "owner_id";

    /// The fields trimmed and put in canonical form, or every field that
    /// is not allowed.
    fn normalized(self) -> Result<Self, Vec<FieldError>>;

    /// The member who owns the record.
    fn owner(&self) -> Option<&UserId>;

    /// How the record is named in lists, events and timelines.
    fn display_name(&self) -> String;
}

/// A CRM record of one organization.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<F> {
    /// UUIDv7.
    pub id: Uuid,
    /// The tenant.
    pub organization_id: OrganizationId,
    /// What the record says.
    pub fields: F,
    /// Who made and changed it, version, deletion.
    pub audit: Audit,
}

impl<F: RecordFields> Record<F> {
    /// A new record of `organization` made by `actor` at `now`, version 1.
    pub fn create(
        organization: OrganizationId,
        fields: F,
        actor: UserId,
        now: OffsetDateTime,
    ) -> Result<Self, CrmError> {
        let fields = fields.normalized().map_err(CrmError::Invalid)?;
        let audit = Audit {
            created_by: actor.clone(),
            created_at: now,
            updated_by: actor,
            updated_at: now,
            deleted_at: None,
            version: 1,
        };
        Ok(Self { id: Uuid::now_v7(), organization_id: organization, fields, audit })
    }

    /// Replaces the fields: the changes made, field by field (none, and
    /// nothing touched, when the new fields say what the old ones did).
    pub fn update(&mut self, fields: F, actor: &UserId, now: OffsetDateTime) -> Result<Vec<FieldChange>, CrmError> {
        self.live()?;
        let fields = fields.normalized().map_err(CrmError::Invalid)?;
        let changes = diff(&self.fields, &fields);
        if !changes.is_empty() {
            self.fields = fields;
            self.touch(actor, now);
        }
        Ok(changes)
    }

    /// Moves the record to the trash: hidden from lists, search and
    /// duplicate checks; it can be restored.
    pub fn delete(&mut self, actor: &UserId, now: OffsetDateTime) -> Result<(), CrmError> {
        self.live()?;
        self.audit.deleted_at = Some(now);
        self.touch(actor, now);
        Ok(())
    }

    /// Brings a deleted record back as it was.
    pub fn restore(&mut self, actor: &UserId, now: OffsetDateTime) -> Result<(), CrmError> {
        if self.audit.deleted_at.is_none() {
            return Err(CrmError::NotDeleted(F::KIND.as_str()));
        }
        self.audit.deleted_at = None;
        self.touch(actor, now);
        Ok(())
    }

    /// Refused while deleted.
    pub fn live(&self) -> Result<(), CrmError> {
        match self.audit.deleted_at {
            Some(_) => Err(CrmError::Deleted(F::KIND.as_str())),
            None => Ok(()),
        }
    }

    /// Marks a change that no field shows (a deal's place on a board): who, when,
    /// and the next version.
    pub fn touch(&mut self, actor: &UserId, now: OffsetDateTime) {
        self.audit.updated_by = actor.clone();
        self.audit.updated_at = now;
        self.audit.version += 1;
    }
}
