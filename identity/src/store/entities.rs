//! sea-orm entities mapping Better Auth's tables (quoted camelCase columns).
//! Storage rows only: converted to `model` records at the repository edge.

/// The `user` table.
pub mod user {
    use sea_orm::entity::prelude::*;

    /// A `user` row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "user")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// Name.
        pub name: String,
        /// E-mail, unique.
        #[sea_orm(unique)]
        pub email: String,
        /// E-mail verified.
        #[sea_orm(column_name = "emailVerified")]
        pub email_verified: bool,
        /// Image URL.
        pub image: Option<String>,
        /// Created.
        #[sea_orm(column_name = "createdAt")]
        pub created_at: TimeDateTimeWithTimeZone,
        /// Updated.
        #[sea_orm(column_name = "updatedAt")]
        pub updated_at: TimeDateTimeWithTimeZone,
        /// Role(s).
        pub role: Option<String>,
        /// Banned.
        pub banned: Option<bool>,
        /// Ban reason.
        #[sea_orm(column_name = "banReason")]
        pub ban_reason: Option<String>,
        /// Ban end.
        #[sea_orm(column_name = "banExpires")]
        pub ban_expires: Option<TimeDateTimeWithTimeZone>,
        /// Whether sign-in asks for a second factor (null: no).
        #[sea_orm(column_name = "twoFactorEnabled")]
        pub two_factor_enabled: Option<bool>,
    }

    /// Relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `session` table.
pub mod session {
    use sea_orm::entity::prelude::*;

    /// A `session` row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "session")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// Expiry.
        #[sea_orm(column_name = "expiresAt")]
        pub expires_at: TimeDateTimeWithTimeZone,
        /// Raw token, unique.
        #[sea_orm(unique)]
        pub token: String,
        /// Created.
        #[sea_orm(column_name = "createdAt")]
        pub created_at: TimeDateTimeWithTimeZone,
        /// Updated.
        #[sea_orm(column_name = "updatedAt")]
        pub updated_at: TimeDateTimeWithTimeZone,
        /// Client IP.
        #[sea_orm(column_name = "ipAddress")]
        pub ip_address: Option<String>,
        /// Client user agent.
        #[sea_orm(column_name = "userAgent")]
        pub user_agent: Option<String>,
        /// Owner.
        #[sea_orm(column_name = "userId")]
        pub user_id: String,
        /// Active organization.
        #[sea_orm(column_name = "activeOrganizationId")]
        pub active_organization_id: Option<String>,
        /// Impersonating admin.
        #[sea_orm(column_name = "impersonatedBy")]
        pub impersonated_by: Option<String>,
    }

    /// Relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        /// The owner.
        #[sea_orm(belongs_to = "super::user::Entity", from = "Column::UserId", to = "super::user::Column::Id")]
        User,
    }

    impl Related<super::user::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::User.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `account` table (credentials and linked providers).
pub mod account {
    use sea_orm::entity::prelude::*;

    /// Provider id of e-mail + password accounts.
    pub const CREDENTIAL: &str = "credential";

    /// An `account` row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "account")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// Provider's account id (the user id for credentials).
        #[sea_orm(column_name = "accountId")]
        pub account_id: String,
        /// Provider (`credential`).
        #[sea_orm(column_name = "providerId")]
        pub provider_id: String,
        /// Owner.
        #[sea_orm(column_name = "userId")]
        pub user_id: String,
        /// OAuth access token.
        #[sea_orm(column_name = "accessToken")]
        pub access_token: Option<String>,
        /// OAuth refresh token.
        #[sea_orm(column_name = "refreshToken")]
        pub refresh_token: Option<String>,
        /// OIDC id token.
        #[sea_orm(column_name = "idToken")]
        pub id_token: Option<String>,
        /// Access token expiry.
        #[sea_orm(column_name = "accessTokenExpiresAt")]
        pub access_token_expires_at: Option<TimeDateTimeWithTimeZone>,
        /// Refresh token expiry.
        #[sea_orm(column_name = "refreshTokenExpiresAt")]
        pub refresh_token_expires_at: Option<TimeDateTimeWithTimeZone>,
        /// OAuth scope.
        pub scope: Option<String>,
        /// Password hash (argon2id PHC, or Better Auth scrypt).
        pub password: Option<String>,
        /// Created.
        #[sea_orm(column_name = "createdAt")]
        pub created_at: TimeDateTimeWithTimeZone,
        /// Updated.
        #[sea_orm(column_name = "updatedAt")]
        pub updated_at: TimeDateTimeWithTimeZone,
    }

    /// Relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `organization` table.
pub mod organization {
    use sea_orm::entity::prelude::*;

    /// An `organization` row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "organization")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// Name.
        pub name: String,
        /// Slug, unique.
        #[sea_orm(unique)]
        pub slug: String,
        /// Logo URL.
        pub logo: Option<String>,
        /// Created.
        #[sea_orm(column_name = "createdAt")]
        pub created_at: TimeDateTimeWithTimeZone,
        /// JSON object as text.
        pub metadata: Option<String>,
    }

    /// Relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `member` table.
pub mod member {
    use sea_orm::entity::prelude::*;

    /// A `member` row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "member")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// Organization.
        #[sea_orm(column_name = "organizationId")]
        pub organization_id: String,
        /// User.
        #[sea_orm(column_name = "userId")]
        pub user_id: String,
        /// Role(s), comma-joined.
        pub role: String,
        /// Joined.
        #[sea_orm(column_name = "createdAt")]
        pub created_at: TimeDateTimeWithTimeZone,
    }

    /// Relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        /// The member's user.
        #[sea_orm(belongs_to = "super::user::Entity", from = "Column::UserId", to = "super::user::Column::Id")]
        User,
        /// The organization.
        #[sea_orm(
            belongs_to = "super::organization::Entity",
            from = "Column::OrganizationId",
            to = "super::organization::Column::Id"
        )]
        Organization,
    }

    impl Related<super::user::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::User.def()
        }
    }

    impl Related<super::organization::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Organization.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `invitation` table.
pub mod invitation {
    use sea_orm::entity::prelude::*;

    /// An `invitation` row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "invitation")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// Organization.
        #[sea_orm(column_name = "organizationId")]
        pub organization_id: String,
        /// Invitee e-mail.
        pub email: String,
        /// Role(s) offered.
        pub role: Option<String>,
        /// `pending`, `accepted`, `rejected`, `canceled`.
        pub status: String,
        /// Expiry.
        #[sea_orm(column_name = "expiresAt")]
        pub expires_at: TimeDateTimeWithTimeZone,
        /// Created.
        #[sea_orm(column_name = "createdAt")]
        pub created_at: TimeDateTimeWithTimeZone,
        /// Who invited.
        #[sea_orm(column_name = "inviterId")]
        pub inviter_id: String,
    }

    /// Relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `verification` table: short-lived values under an identifier
/// (`reset-password:<token>` → the user id).
pub mod verification {
    use sea_orm::entity::prelude::*;

    /// A `verification` row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "verification")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// What the value is for, with its token.
        pub identifier: String,
        /// The value (a user id for password resets).
        pub value: String,
        /// When it stops counting.
        #[sea_orm(column_name = "expiresAt")]
        pub expires_at: TimeDateTimeWithTimeZone,
        /// Created.
        #[sea_orm(column_name = "createdAt")]
        pub created_at: TimeDateTimeWithTimeZone,
        /// Updated.
        #[sea_orm(column_name = "updatedAt")]
        pub updated_at: TimeDateTimeWithTimeZone,
    }

    /// Relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `twoFactor` table (Better Auth's two-factor plugin): one row per
/// user who set up TOTP.
pub mod two_factor {
    use sea_orm::entity::prelude::*;

    /// A `twoFactor` row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "twoFactor")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// The TOTP secret, encrypted (`crypto::keys::seal`).
        pub secret: String,
        /// The unused backup codes as a JSON array, encrypted the same way.
        #[sea_orm(column_name = "backupCodes")]
        pub backup_codes: String,
        /// Whose.
        #[sea_orm(column_name = "userId")]
        pub user_id: String,
    }

    /// Relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `jwks` table (JWT signing keys).
pub mod jwks {
    use sea_orm::entity::prelude::*;

    /// A `jwks` row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "jwks")]
    pub struct Model {
        /// Key id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// Public JWK JSON.
        #[sea_orm(column_name = "publicKey")]
        pub public_key: String,
        /// Encrypted private JWK.
        #[sea_orm(column_name = "privateKey")]
        pub private_key: String,
        /// Created.
        #[sea_orm(column_name = "createdAt")]
        pub created_at: TimeDateTimeWithTimeZone,
        /// Expiry (rotation), unused.
        #[sea_orm(column_name = "expiresAt")]
        pub expires_at: Option<TimeDateTimeWithTimeZone>,
        /// Algorithm.
        pub alg: Option<String>,
        /// Curve.
        pub crv: Option<String>,
    }

    /// Relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `organizationRole` table (an organization's own roles).
pub mod organization_role {
    use sea_orm::entity::prelude::*;

    /// An `organizationRole` row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "organizationRole")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// The organization.
        #[sea_orm(column_name = "organizationId")]
        pub organization_id: String,
        /// The role's name, lower-case.
        pub role: String,
        /// Its permissions as JSON: resource → actions.
        pub permission: String,
        /// Created.
        #[sea_orm(column_name = "createdAt")]
        pub created_at: TimeDateTimeWithTimeZone,
        /// Updated (null from Better Auth until first changed).
        #[sea_orm(column_name = "updatedAt")]
        pub updated_at: Option<TimeDateTimeWithTimeZone>,
    }

    /// Relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `apikey` table (keys integrations use instead of a session).
pub mod apikey {
    use sea_orm::entity::prelude::*;

    /// An `apikey` row (Better Auth's columns, plus `organizationId`).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "apikey")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// Display name.
        pub name: Option<String>,
        /// The key's first characters, shown to tell keys apart.
        pub start: Option<String>,
        /// The key's prefix.
        pub prefix: Option<String>,
        /// SHA-256 of the key, base64url without padding.
        pub key: String,
        /// Who created it.
        #[sea_orm(column_name = "userId")]
        pub user_id: String,
        /// Better Auth's refill interval (unused by Gremlin).
        #[sea_orm(column_name = "refillInterval")]
        pub refill_interval: Option<i32>,
        /// Better Auth's refill amount (unused by Gremlin).
        #[sea_orm(column_name = "refillAmount")]
        pub refill_amount: Option<i32>,
        /// Better Auth's last refill (unused by Gremlin).
        #[sea_orm(column_name = "lastRefillAt")]
        pub last_refill_at: Option<TimeDateTimeWithTimeZone>,
        /// Whether it works.
        pub enabled: Option<bool>,
        /// Whether its own rate limit applies.
        #[sea_orm(column_name = "rateLimitEnabled")]
        pub rate_limit_enabled: Option<bool>,
        /// The rate-limit window, in milliseconds.
        #[sea_orm(column_name = "rateLimitTimeWindow")]
        pub rate_limit_time_window: Option<i32>,
        /// Requests allowed per window.
        #[sea_orm(column_name = "rateLimitMax")]
        pub rate_limit_max: Option<i32>,
        /// Better Auth's request count (unused by Gremlin).
        #[sea_orm(column_name = "requestCount")]
        pub request_count: Option<i32>,
        /// Better Auth's remaining uses (unused by Gremlin).
        pub remaining: Option<i32>,
        /// When it was last used (to the minute).
        #[sea_orm(column_name = "lastRequest")]
        pub last_request: Option<TimeDateTimeWithTimeZone>,
        /// When it stops working.
        #[sea_orm(column_name = "expiresAt")]
        pub expires_at: Option<TimeDateTimeWithTimeZone>,
        /// Created.
        #[sea_orm(column_name = "createdAt")]
        pub created_at: TimeDateTimeWithTimeZone,
        /// Updated.
        #[sea_orm(column_name = "updatedAt")]
        pub updated_at: TimeDateTimeWithTimeZone,
        /// Permissions as JSON: resource → actions.
        pub permissions: Option<String>,
        /// Free-form JSON.
        pub metadata: Option<String>,
        /// The organization it acts in.
        #[sea_orm(column_name = "organizationId")]
        pub organization_id: Option<String>,
    }

    /// Relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
