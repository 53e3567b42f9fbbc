//! `/api/leave/feeds` (a member's calendar feeds) and `/api/leave/feed.ics`
//! (what calendar apps subscribe to, authenticated by the feed's token in
//! the URL — they send no other credentials).

use gremlin_kernel::ProblemResponse;
use gremlin_kernel::http::{Caller, Created, Idempotency, IdempotencyKey, IfMatch, Operation, Resource, etag};
use poem_openapi::auth::ApiKey;
use poem_openapi::param::Path;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, Object, OpenApi, SecurityScheme, Tags};
use time::OffsetDateTime;

use super::parse_id;
use crate::ports::{Feed, FeedScope};
use crate::service::LeaveService;

type Result<T> = std::result::Result<T, ProblemResponse>;

#[derive(Tags)]
enum LeaveTag {
    /// iCalendar feeds of leave that calendar apps subscribe to.
    LeaveFeeds,
}

/// A feed's token, in the `token` query parameter of its URL: calendar apps
/// subscribe to a URL and send no other credentials. Revoking the feed, or
/// its owner leaving the organization, ends it.
#[derive(SecurityScheme)]
#[oai(ty = "api_key", key_name = "token", key_in = "query", rename = "leave_feed_token")]
pub struct FeedToken(ApiKey);

/// The feeds API.
pub struct FeedsApi {
    pub(super) service: LeaveService,
    pub(super) idempotency: Idempotency,
}

/// A calendar feed (its token is shown only when it is made).
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveFeed")]
pub struct FeedDto {
    /// Its id.
    pub id: uuid::Uuid,
    /// What it shows.
    pub scope: FeedScope,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it was revoked (its URL answers 404 since).
    pub revoked_at: gremlin_kernel::Nullable<OffsetDateTime>,
}

impl From<&Feed> for FeedDto {
    fn from(f: &Feed) -> Self {
        Self { id: f.id, scope: f.scope, created_at: f.created_at, revoked_at: f.revoked_at.into() }
    }
}

/// A feed just made, with its secret.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveFeedCreated")]
pub struct FeedCreatedDto {
    /// The feed.
    #[oai(flatten)]
    pub feed: FeedDto,
    /// Its token (64 hex characters), shown this once: keep it as you would
    /// a password.
    pub token: String,
    /// The path to subscribe to (prefix it with the server's address).
    pub path: String,
}

/// The caller's feeds, newest first.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveFeedList")]
pub struct FeedList {
    /// Every feed, revoked ones too.
    pub items: Vec<FeedDto>,
}

/// A feed to make.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveFeedBody")]
pub struct FeedBody {
    /// `member` (the caller's own leave) or `organization` (who is away).
    pub scope: FeedScope,
}

/// An iCalendar feed.
#[derive(ApiResponse)]
enum IcsResponse {
    /// The feed (RFC 5545): one all-day event per pending (tentative) or
    /// approved (confirmed) request, from 90 days ago to 400 days ahead.
    #[oai(status = 200, content_type = "text/calendar; charset=utf-8")]
    Ok(PlainText<String>),
}

impl Resource for FeedCreatedDto {
    const KIND: &'static str = "feed";

    fn resource_id(&self) -> String {
        // The token is shown once: a replay answers without it.
        self.feed.id.to_string()
    }
}

#[OpenApi(tag = "LeaveTag::LeaveFeeds")]
impl FeedsApi {
    /// Make a calendar feed.
    ///
    /// A feed of the caller's own leave (`member`) or of who is away in the
    /// organization (`organization`) (`leave:read`). Its token is in the
    /// answer this once; a repeated `Idempotency-Key` answers the feed
    /// without it.
    #[oai(path = "/api/leave/feeds", method = "post", operation_id = "leave.feeds.create")]
    async fn create(
        &self,
        caller: Caller,
        body: Json<FeedBody>,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Created<FeedCreatedDto>> {
        let request = body.0.to_json();
        let operation = Operation {
            domain: crate::NAME,
            operation_id: "leave.feeds.create",
            organization: &caller.organization_id,
        };
        let work = async {
            let (feed, token) = self.service.create_feed(&caller, body.0.scope).await?;
            let path = format!("/api/leave/feed.ics?token={token}");
            Ok(FeedCreatedDto { feed: FeedDto::from(&feed), token, path })
        };
        let caller = &caller;
        let read = |id: String| async move {
            let id = parse_id(&id, "feed")?;
            let feeds = self.service.feeds(caller).await?;
            let feed =
                feeds.iter().find(|f| f.id == id).ok_or_else(|| gremlin_kernel::DomainError::not_found("feed"))?;
            Ok(FeedCreatedDto { feed: FeedDto::from(feed), token: String::new(), path: String::new() })
        };
        let made = self.idempotency.run(operation, &key, &request, work, read).await?;
        let location = format!("/api/leave/feeds/{}", made.feed.id);
        Ok(Created::Created(Json(made), etag(1), location))
    }

    /// List the caller's calendar feeds.
    ///
    /// Newest first, revoked ones too, without tokens (`leave:read`).
    #[oai(path = "/api/leave/feeds", method = "get", operation_id = "leave.feeds.list")]
    async fn list(&self, caller: Caller) -> Result<Json<FeedList>> {
        let feeds = self.service.feeds(&caller).await?;
        Ok(Json(FeedList { items: feeds.iter().map(FeedDto::from).collect() }))
    }

    /// Revoke a calendar feed.
    ///
    /// One of the caller's feeds (anyone's with `leave:manage`): its URL
    /// answers 404 from now on. `If-Match` is `"1"` (feeds do not change
    /// otherwise); revoking twice changes nothing.
    #[oai(path = "/api/leave/feeds/:id", method = "delete", operation_id = "leave.feeds.revoke")]
    async fn revoke(
        &self,
        caller: Caller,
        id: Path<String>,
        #[oai(name = "If-Match")] if_match: IfMatch,
    ) -> Result<Json<FeedDto>> {
        if if_match.version() != 1 {
            return Err(gremlin_kernel::DomainError::PreconditionFailed {
                detail: "a feed's version is always 1".into(),
            }
            .into());
        }
        let feed = self.service.revoke_feed(&caller, parse_id(&id.0, "feed")?).await?;
        Ok(Json(FeedDto::from(&feed)))
    }

    /// Subscribe to a calendar feed.
    ///
    /// The iCalendar text of the feed the `token` opens, for calendar apps:
    /// no other credentials. An unknown or revoked token, or a feed whose
    /// owner left the organization, is a 404.
    #[oai(path = "/api/leave/feed.ics", method = "get", operation_id = "leave.feeds.ics")]
    async fn ics(&self, token: FeedToken) -> Result<IcsResponse> {
        match self.service.feed_calendar(&token.0.key).await? {
            Some(text) => Ok(IcsResponse::Ok(PlainText(text))),
            None => Err(gremlin_kernel::DomainError::not_found("feed").into()),
        }
    }
}
