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
