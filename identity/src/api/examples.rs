//! The examples the spec shows for signing up, reading the session and
//! creating and listing organizations: what a client sends and what it
//! gets back, with Better Auth's field names and time format.

use poem_openapi::types::Example;
use time::OffsetDateTime;

use gremlin_kernel::Nullable;

use super::dto::{SessionDto, SignUpEmailBody, Timestamp, TokenAndUser, UserDto};
use super::organization_dto::{CreateOrganizationBody, OrganizationDto};

const USER_ID: &str = "usr8FqL2mZ0aR5tYc1WkP3xN7vB4dQ6s";
const TOKEN: &str = "Kd8vP2qL9mXz4RtY7bWc1NfH6jAs3Ue5";

fn at(unix_millis: i128) -> Timestamp {
    Timestamp(OffsetDateTime::from_unix_timestamp_nanos(unix_millis * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH))
}

impl Example for SignUpEmailBody {
    fn example() -> Self {
        SignUpEmailBody {
            name: "Ada Lovelace".into(),
            email: "ada@example.com".into(),
            password: "correct-horse-battery-1".into(),
            image: None,
            callback_url: None,
            remember_me: Some(true),
        }
    }
}

impl Example for UserDto {
    fn example() -> Self {
        UserDto {
            name: "Ada Lovelace".into(),
            email: "ada@example.com".into(),
            email_verified: false,
            image: None.into(),
            created_at: at(1_764_500_000_118),
            updated_at: at(1_764_500_000_118),
            role: Some("user".to_owned()).into(),
            banned: false,
            ban_reason: None.into(),
            ban_expires: None.into(),
            two_factor_enabled: false,
            id: USER_ID.into(),
        }
    }
}

impl Example for TokenAndUser {
    fn example() -> Self {
        TokenAndUser { token: Nullable(Some(TOKEN.into())), user: UserDto::example() }
    }
}

impl Example for SessionDto {
    fn example() -> Self {
        SessionDto {
            expires_at: at(1_765_104_800_118),
            token: TOKEN.into(),
            created_at: at(1_764_500_000_118),
            updated_at: at(1_764_500_000_118),
            ip_address: Some("203.0.113.7".to_owned()).into(),
            user_agent: Some("Mozilla/5.0".to_owned()).into(),
            user_id: USER_ID.into(),
            active_organization_id: Some("org3hTq0r9mX2bV7kLpYw5Zc8Nd1Fa4Gs".to_owned()).into(),
            impersonated_by: None.into(),
            id: "ses5Rb2Xk9Lm3Qw7Zt1Yc6Vn8Hd4Jf0Ps".into(),
        }
    }
}

impl Example for CreateOrganizationBody {
    fn example() -> Self {
        CreateOrganizationBody {
            name: "Acme".into(),
            slug: "acme".into(),
            logo: None,
            metadata: None,
            keep_current_active_organization: None,
        }
    }
}

impl Example for OrganizationDto {
    fn example() -> Self {
        OrganizationDto {
            name: "Acme".into(),
            slug: "acme".into(),
            logo: None.into(),
            created_at: at(1_764_500_100_000),
            metadata: None.into(),
            id: "org3hTq0r9mX2bV7kLpYw5Zc8Nd1Fa4Gs".into(),
        }
    }
}
