//! Organization request and response bodies, as Better Auth sends them.
//! Note Better Auth's own inconsistency, kept for its clients: `metadata`
//! is an object in the create answer and a JSON string elsewhere.

use gremlin_kernel::Nullable;
use poem_openapi::Object;
use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};

/// A JSON object in a body (documented as an object with any properties).
pub type JsonObject = std::collections::BTreeMap<String, serde_json::Value>;

use super::dto::Timestamp;
use crate::model::{Member, Organization, User};
use crate::ports::InvitationRecord;

fn metadata_string(org: &Organization) -> Nullable<String> {
    org.metadata.as_ref().map(|m| serde_json::Value::Object(m.clone()).to_string()).into()
}

/// An organization (metadata as a JSON string).
#[derive(Debug, Clone, Object)]
#[oai(rename = "Organization", rename_all = "camelCase", example)]
pub struct OrganizationDto {
    /// Name.
    pub name: String,
    /// Unique handle.
    pub slug: String,
    /// Logo URL.
    pub logo: Nullable<String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Metadata object, serialised as a JSON string.
    pub metadata: Nullable<String>,
    /// Id.
    pub id: String,
}

impl From<&Organization> for OrganizationDto {
    fn from(o: &Organization) -> Self {
        Self {
            name: o.name.clone(),
            slug: o.slug.clone(),
            logo: o.logo.clone().into(),
            created_at: Timestamp(o.created_at),
            metadata: metadata_string(o),
            id: o.id.clone(),
        }
    }
}

/// A membership.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Member", rename_all = "camelCase")]
pub struct MemberDto {
    /// Organization.
    pub organization_id: String,
    /// User.
    pub user_id: String,
    /// Role(s), comma-joined.
    pub role: String,
    /// When joined.
    pub created_at: Timestamp,
    /// Id.
    pub id: String,
}

impl From<&Member> for MemberDto {
    fn from(m: &Member) -> Self {
        Self {
            organization_id: m.organization_id.clone(),
            user_id: m.user_id.clone(),
            role: m.role.clone(),
            created_at: Timestamp(m.created_at),
            id: m.id.clone(),
        }
    }
}

/// The user part of a listed member.
#[derive(Debug, Clone, Object)]
#[oai(rename = "MemberUser")]
pub struct MemberUserDto {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Avatar URL.
    pub image: Nullable<String>,
}

/// A membership with its user.
#[derive(Debug, Clone, Object)]
#[oai(rename = "MemberWithUser", rename_all = "camelCase")]
pub struct MemberWithUserDto {
    /// Organization.
    pub organization_id: String,
    /// User id.
    pub user_id: String,
    /// Role(s), comma-joined.
    pub role: String,
    /// When joined.
    pub created_at: Timestamp,
    /// Id.
    pub id: String,
    /// The user.
    pub user: MemberUserDto,
}

impl From<&(Member, User)> for MemberWithUserDto {
    fn from((m, u): &(Member, User)) -> Self {
        Self {
            organization_id: m.organization_id.clone(),
            user_id: m.user_id.clone(),
            role: m.role.clone(),
            created_at: Timestamp(m.created_at),
            id: m.id.clone(),
            user: MemberUserDto {
                id: u.id.clone(),
                name: u.name.clone(),
                email: u.email.clone(),
                image: u.image.clone().into(),
            },
        }
    }
}

/// An invitation.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Invitation", rename_all = "camelCase")]
pub struct InvitationDto {
    /// Organization.
    pub organization_id: String,
    /// Invitee e-mail.
    pub email: String,
    /// Role(s) offered.
    pub role: Nullable<String>,
    /// `pending`, `accepted`, `rejected` or `canceled`.
    pub status: String,
    /// Expiry.
    pub expires_at: Timestamp,
    /// Creation time.
    pub created_at: Timestamp,
    /// Who invited.
    pub inviter_id: String,
    /// Id.
    pub id: String,
}

impl From<&InvitationRecord> for InvitationDto {
    fn from(i: &InvitationRecord) -> Self {
        Self {
            organization_id: i.organization_id.clone(),
            email: i.email.clone(),
            role: i.role.clone().into(),
            status: i.status.clone(),
            expires_at: Timestamp(i.expires_at),
            created_at: Timestamp(i.created_at),
            inviter_id: i.inviter_id.clone(),
            id: i.id.clone(),
        }
    }
}

/// The create answer: metadata as an object, and the owner membership.
#[derive(Debug, Object)]
#[oai(rename = "CreatedOrganization", rename_all = "camelCase")]
pub struct CreatedOrganizationDto {
    /// Name.
    pub name: String,
    /// Unique handle.
    pub slug: String,
    /// Logo URL.
    pub logo: Nullable<String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Metadata object.
    pub metadata: Nullable<JsonObject>,
    /// Id.
    pub id: String,
    /// The owner membership.
    pub members: Vec<MemberDto>,
}

/// get-full-organization's answer.
#[derive(Debug, Object)]
#[oai(rename = "FullOrganization", rename_all = "camelCase")]
pub struct FullOrganizationDto {
    /// Name.
    pub name: String,
    /// Unique handle.
    pub slug: String,
    /// Logo URL.
    pub logo: Nullable<String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Metadata as a JSON string.
    pub metadata: Nullable<String>,
    /// Id.
    pub id: String,
    /// Invitations, newest first.
    pub invitations: Vec<InvitationDto>,
    /// Members with their users.
    pub members: Vec<MemberWithUserDto>,
}

/// A role given as one name (`"admin"`, or comma-joined) or a list of
/// names, as Better Auth accepts. Documented as `oneOf: [string, string[]]`
/// (poem-openapi's `Union` would add a contradictory `type: object`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleInput(Vec<String>);

impl RoleInput {
    /// The names given.
    pub fn names(&self) -> Vec<String> {
        self.0.clone()
    }
}

impl Type for RoleInput {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> std::borrow::Cow<'static, str> {
        "RoleInput".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let one = MetaSchemaRef::Inline(Box::new(MetaSchema::new("string")));
        let many = MetaSchemaRef::Inline(Box::new(MetaSchema {
            items: Some(Box::new(one.clone())),
            ..MetaSchema::new("array")
        }));
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            one_of: vec![one, many],
            description: Some("A role name (owner, admin, member), comma-joined names, or a list of names."),
            ..MetaSchema::ANY
        }))
    }

    fn register(_registry: &mut Registry) {}

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl ParseFromJSON for RoleInput {
    fn parse_from_json(value: Option<serde_json::Value>) -> ParseResult<Self> {
        match value {
            Some(serde_json::Value::String(name)) => Ok(Self(vec![name])),
            Some(serde_json::Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    serde_json::Value::String(name) => Ok(name),
                    _ => Err(ParseError::custom("role names must be strings")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Self),
            _ => Err(ParseError::custom("expected a role name or a list of role names")),
        }
    }
}

impl ToJSON for RoleInput {
    fn to_json(&self) -> Option<serde_json::Value> {
        Some(serde_json::Value::from(self.0.clone()))
    }
}

/// `POST /organization/create` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example, skip_serializing_if_is_none)]
pub struct CreateOrganizationBody {
    /// Name.
    pub name: String,
    /// Unique handle: lower-case letters, digits and dashes.
    pub slug: String,
    /// Logo URL.
    pub logo: Option<String>,
    /// Free-form JSON object (at most 8 KiB).
    pub metadata: Option<JsonObject>,
    /// Keep the session's active organization as it is.
    pub keep_current_active_organization: Option<bool>,
}

/// `POST /organization/set-active` body; both absent or null unsets.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct SetActiveBody {
    /// Organization id.
    pub organization_id: Option<String>,
    /// Or its slug.
    pub organization_slug: Option<String>,
}

/// The fields of `POST /organization/update`.
#[derive(Debug, Object)]
pub struct OrganizationChanges {
    /// New name.
    pub name: Option<String>,
    /// New slug.
    pub slug: Option<String>,
    /// New logo; `null` removes it.
    pub logo: poem_openapi::types::MaybeUndefined<String>,
    /// New metadata object.
    pub metadata: Option<JsonObject>,
}

/// `POST /organization/update` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct UpdateOrganizationBody {
    /// The changes.
    pub data: OrganizationChanges,
    /// Organization id (default: the active one).
    pub organization_id: Option<String>,
}

/// A body naming one organization.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct OrganizationIdBody {
    /// Organization id.
    pub organization_id: String,
}

/// `POST /organization/check-slug` body.
#[derive(Debug, Object)]
pub struct CheckSlugBody {
    /// The slug to check.
    pub slug: String,
}

/// Members page.
#[derive(Debug, Object)]
pub struct MembersPage {
    /// Members with their users.
    pub members: Vec<MemberWithUserDto>,
    /// All members of the organization.
    pub total: u64,
}

/// `POST /organization/update-member-role` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct UpdateMemberRoleBody {
    /// The member.
    pub member_id: String,
    /// The new role(s).
    pub role: RoleInput,
    /// Organization id (default: the active one).
    pub organization_id: Option<String>,
}

/// `POST /organization/remove-member` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct RemoveMemberBody {
    /// Member id, or the member's e-mail.
    pub member_id_or_email: String,
    /// Organization id (default: the active one).
    pub organization_id: Option<String>,
}

/// `{ "member": … }`.
#[derive(Debug, Object)]
pub struct MemberEnvelope {
    /// The member.
    pub member: MemberDto,
}

/// `POST /organization/invite-member` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct InviteMemberBody {
    /// Invitee e-mail.
    pub email: String,
    /// Role(s) offered.
    pub role: RoleInput,
    /// Organization id (default: the active one).
    pub organization_id: Option<String>,
    /// Send an open invitation again, extending it.
    pub resend: Option<bool>,
}

/// A body naming one invitation.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct InvitationIdBody {
    /// The invitation.
    pub invitation_id: String,
}

/// An invitation with what the invitee needs to decide.
#[derive(Debug, Object)]
#[oai(rename = "InvitationDetails", rename_all = "camelCase")]
pub struct InvitationDetailsDto {
    /// Organization.
    pub organization_id: String,
    /// Invitee e-mail.
    pub email: String,
    /// Role(s) offered.
    pub role: Nullable<String>,
    /// Status.
    pub status: String,
    /// Expiry.
    pub expires_at: Timestamp,
    /// Creation time.
    pub created_at: Timestamp,
    /// Who invited.
    pub inviter_id: String,
    /// Id.
    pub id: String,
    /// The organization's name.
    pub organization_name: String,
    /// The organization's slug.
    pub organization_slug: String,
    /// The inviter's e-mail.
    pub inviter_email: String,
}

/// accept-invitation / reject-invitation answer.
#[derive(Debug, Object)]
pub struct InvitationAnswer {
    /// The invitation, with its new status.
    pub invitation: InvitationDto,
    /// The new membership (null when rejected).
    pub member: Nullable<MemberDto>,
}

/// `GET /organization/get-active-member-role` answer.
#[derive(Debug, Clone, Object)]
#[oai(rename = "ActiveMemberRole")]
pub struct ActiveMemberRoleDto {
    /// Role(s), comma-joined.
    pub role: String,
}

/// `POST /organization/has-permission` and `/admin/has-permission` body.
#[derive(Debug, Clone, Object)]
#[oai(rename = "HasPermissionBody", rename_all = "camelCase")]
pub struct HasPermissionBody {
    /// Resource → actions, every one of which must be allowed
    /// (`{"member": ["delete"], "orders": ["read"]}`).
    pub permissions: std::collections::BTreeMap<String, Vec<String>>,
    /// The organization (default: the session's active one); ignored by
    /// the admin endpoint.
    pub organization_id: Option<String>,
    /// Admin endpoint: ask about this user's platform role instead of the
    /// caller's (admins only).
    pub user_id: Option<String>,
}

/// `has-permission` answer.
#[derive(Debug, Clone, Object)]
#[oai(rename = "HasPermissionResult")]
pub struct HasPermissionResult {
    /// Always null (Better Auth's shape).
    pub error: Nullable<String>,
    /// Whether every requested action is allowed.
    pub success: bool,
}

/// An invitation addressed to the caller, with its organization's name.
#[derive(Debug, Clone, Object)]
#[oai(rename = "UserInvitation", rename_all = "camelCase")]
pub struct UserInvitationDto {
    /// The invitation.
    #[oai(flatten)]
    pub invitation: InvitationDto,
    /// The organization's name.
    pub organization_name: String,
}

impl From<&(InvitationRecord, String)> for UserInvitationDto {
    fn from((i, organization_name): &(InvitationRecord, String)) -> Self {
        Self { invitation: InvitationDto::from(i), organization_name: organization_name.clone() }
    }
}
