//! The caller of an organization-scoped operation, as an extractor: an
//! endpoint takes a [`Caller`] parameter and gets the resolved
//! [`Principal`], or the request is answered 401/403 before the endpoint
//! runs. The spec says so: every such operation lists the `bearer` and
//! `session_cookie` security schemes (either one suffices), and the binary
//! adds the `X-Organization-Id` header to it.

use std::sync::Arc;

use poem::{Request, RequestBody};
use poem_openapi::registry::{MetaSecurityScheme, Registry};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

use crate::caller::{CallerCredentials, PrincipalResolver};
use crate::error::DomainError;
use crate::principal::Principal;

/// Name of the bearer security scheme: a service JWT (HS256 with the shared
/// secret, or EdDSA from the JWKS) or a session token.
pub const BEARER_SCHEME: &str = "bearer";
/// Name of the API key security scheme: an organization API key in `x-api-key`.
pub const API_KEY_SCHEME: &str = "api_key";
/// Name of the session-cookie security scheme (browsers).
pub const SESSION_COOKIE_SCHEME: &str = "session_cookie";
/// The session cookie's name with the default `auth.cookie_prefix`, as the
/// spec shows it.
pub const DEFAULT_SESSION_COOKIE: &str = "better-auth.session_token";

/// How callers are resolved: request data the binary attaches to every
/// request (`poem::EndpointExt::data`), read by [`Caller`].
#[derive(Clone)]
pub struct CallerContext {
    /// Turns credentials into a principal (identity's verifier).
    pub resolver: Arc<dyn PrincipalResolver>,
    /// Name of the session cookie (`<auth.cookie_prefix>.session_token`).
    pub session_cookie: String,
}

/// The authenticated caller acting in one organization.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl std::ops::Deref for Caller {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl Caller {
    /// Resolves the caller of `req` with the [`CallerContext`] attached to
    /// it. Fails with 401/403 as the resolver decides, and with a 500 when
    /// the binary attached no context (a wiring bug, logged).
    pub async fn resolve(req: &Request) -> Result<Self, DomainError> {
        let context = req.data::<CallerContext>().ok_or_else(|| {
            DomainError::Backend(anyhow::anyhow!(
                "no CallerContext attached to the request: the API is mounted without the caller resolver"
            ))
        })?;
        let credentials = CallerCredentials::from_request(req, &context.session_cookie);
        Ok(Self(context.resolver.principal(&credentials).await?))
    }
}

impl<'a> ApiExtractor<'a> for Caller {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        registry.create_security_scheme(
            BEARER_SCHEME,
            MetaSecurityScheme {
                ty: "http",
                description: Some(
                    "`Authorization: Bearer <token>`: a service JWT (15 minutes; from `GET /api/auth/token`), a \
                     session token, or an organization API key (`grm_…`, from `POST /api/auth/api-key/create`). \
                     Organization-scoped operations act in `X-Organization-Id`, else the token's `org` claim or the \
                     session's active organization; a key acts only in its own organization.",
                ),
                name: None,
                key_in: None,
                scheme: Some("bearer"),
                bearer_format: Some("JWT or session token"),
                flows: None,
                openid_connect_url: None,
            },
        );
        registry.create_security_scheme(
            API_KEY_SCHEME,
            MetaSecurityScheme {
                ty: "apiKey",
                description: Some(
                    "An organization API key (`grm_…`, from `POST /api/auth/api-key/create`) in `x-api-key`: it \
                     acts in its own organization with the permissions it was given, within its own rate limit.",
                ),
                name: Some("x-api-key"),
                key_in: Some("header"),
                scheme: None,
                bearer_format: None,
                flows: None,
                openid_connect_url: None,
            },
        );
        registry.create_security_scheme(
            SESSION_COOKIE_SCHEME,
            MetaSecurityScheme {
                ty: "apiKey",
                description: Some(
                    "The signed session cookie set by sign-in (its prefix is `auth.cookie_prefix`). Requests that \
                     change something must also send an `Origin` (or `Referer`) from a trusted origin.",
                ),
                name: Some(DEFAULT_SESSION_COOKIE),
                key_in: Some("cookie"),
                scheme: None,
                bearer_format: None,
                flows: None,
                openid_connect_url: None,
            },
        );
    }

    fn security_schemes() -> Vec<&'static str> {
        vec![BEARER_SCHEME, API_KEY_SCHEME, SESSION_COOKIE_SCHEME]
    }

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        Self::resolve(request).await.map_err(super::rejection)
    }
}

/// Declares that an operation needs a signed-in session (bearer session
/// token or session cookie) without resolving an organization: identity's
/// own endpoints take it so the spec lists their security, and resolve the
/// session themselves under Better Auth's rules. It extracts nothing.
#[derive(Debug, Clone, Copy)]
pub struct SessionAuth;

/// Like [`SessionAuth`], for operations that also answer anonymous callers
/// (`get-session` answers `null`): the spec lists the schemes and `{}`.
#[derive(Debug, Clone, Copy)]
pub struct OptionalSessionAuth;

macro_rules! session_marker {
    ($marker:ident, $fallback:expr) => {
        impl<'a> ApiExtractor<'a> for $marker {
            const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];

            type ParamType = ();
            type ParamRawType = ();

            fn register(registry: &mut Registry) {
                Caller::register(registry);
            }

            fn security_schemes() -> Vec<&'static str> {
                vec![BEARER_SCHEME, SESSION_COOKIE_SCHEME]
            }

            fn has_security_fallback() -> bool {
                $fallback
            }

            async fn from_request(
                _request: &'a Request,
                _body: &mut RequestBody,
                _param_opts: ExtractParamOptions<Self::ParamType>,
            ) -> poem::Result<Self> {
                Ok($marker)
            }
        }
    };
}

session_marker!(SessionAuth, false);
session_marker!(OptionalSessionAuth, true);
