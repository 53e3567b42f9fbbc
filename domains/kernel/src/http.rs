//! The HTTP conventions every business domain shares (DESIGN.md §6), so a
//! domain's endpoints state what they need and nothing more:
//!
//! * [`Caller`]: the authenticated principal of an organization-scoped
//!   operation, declared in the spec as the `bearer` and `session_cookie`
//!   security schemes;
//! * [`IfMatch`] and [`etag`]: optimistic concurrency (428 without the
//!   header, 412 for a stale or foreign version);
//! * [`idempotency`]: `Idempotency-Key` for every POST that creates or
//!   changes something, keyed by domain, organization and key;
//! * [`list`]: typed list parameters (direction) shared by every list;
//! * [`responses`]: each operation documents only the errors it can give,
//!   and [`replies`] the success answers every domain gives alike;
//! * [`discount`]: the line discount's one schema.

pub mod caller;
pub mod discount;
pub mod idempotency;
pub mod list;
pub mod precondition;
pub mod replies;
pub mod responses;

pub use caller::{BEARER_SCHEME, Caller, CallerContext, OptionalSessionAuth, SESSION_COOKIE_SCHEME, SessionAuth};
pub use discount::{DiscountDto, DiscountKind};
pub use idempotency::{Idempotency, IdempotencyKey, Keyed, Operation, Resource};
pub use list::SortDirection;
pub use precondition::{IfMatch, etag};
pub use replies::{Created, Deleted, Tagged};
pub use responses::prune_error_responses;

/// Turns a [`DomainError`](crate::DomainError) into the poem error an
/// extractor returns: the same problem+json response an endpoint would send.
pub(crate) fn rejection(err: crate::DomainError) -> poem::Error {
    use poem::IntoResponse;
    poem::Error::from_response(crate::ProblemResponse::from(err).into_response())
}

/// A request header parsed into a typed value: [`IfMatch`] and
/// [`IdempotencyKey`] implement it and [`header_param!`] makes them
/// poem-openapi parameters, named by the endpoint's `#[oai(name = …)]`.
pub(crate) trait HeaderParam: Sized {
    /// Whether the spec declares the header required.
    const REQUIRED: bool;

    /// The header's schema in the spec: what a client must send.
    fn schema() -> poem_openapi::registry::MetaSchema;

    /// The value from the header `name` (`None` when absent or not
    /// visible ASCII); the error is answered as problem+json.
    fn from_header(name: &str, value: Option<&str>) -> Result<Self, crate::DomainError>;
}

/// Implements poem-openapi's `ApiExtractor` for a [`HeaderParam`].
macro_rules! header_param {
    ($param:ty) => {
        impl<'a> poem_openapi::ApiExtractor<'a> for $param {
            const TYPES: &'static [poem_openapi::ApiExtractorType] = &[poem_openapi::ApiExtractorType::Parameter];
            const PARAM_IS_REQUIRED: bool = <$param as $crate::http::HeaderParam>::REQUIRED;

            type ParamType = String;
            type ParamRawType = String;

            fn param_in() -> Option<poem_openapi::registry::MetaParamIn> {
                Some(poem_openapi::registry::MetaParamIn::Header)
            }

            fn param_schema_ref() -> Option<poem_openapi::registry::MetaSchemaRef> {
                Some(poem_openapi::registry::MetaSchemaRef::Inline(Box::new(
                    <$param as $crate::http::HeaderParam>::schema(),
                )))
            }

            async fn from_request(
                request: &'a poem::Request,
                _body: &mut poem::RequestBody,
                param_opts: poem_openapi::ExtractParamOptions<Self::ParamType>,
            ) -> poem::Result<Self> {
                let value = request.headers().get(param_opts.name).map(|v| v.to_str().unwrap_or("\u{fffd}"));
                <$param as $crate::http::HeaderParam>::from_header(param_opts.name, value)
                    .map_err($crate::http::rejection)
            }
        }
    };
}
pub(crate) use header_param;
