//! Calendar feeds: a member makes a feed of their own leave or of the
//! organization's, gets its secret URL once, and may revoke it. Fetching a
//! feed needs only its token (calendar apps send no other credentials); it
//! answers as long as the feed is not revoked and its owner is still a
//! member who may read leave.

use gremlin_kernel::{DomainError, Principal};
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use super::LeaveService;
use crate::model::days::shift;
use crate::model::feed::{FeedEvent, calendar};
use crate::permissions;
use crate::ports::{Feed, FeedScope};
use crate::store::{RequestFilter, now};

/// Days before today a feed reaches back.
pub const FEED_PAST_DAYS: i64 = 90;
/// Days after today a feed reaches forward.
pub const FEED_FUTURE_DAYS: i64 = 400;
/// Most requests one feed holds.
pub const FEED_MAX_EVENTS: u32 = 5000;

/// The SHA-256 of `token`, hex: what is stored and looked up.
fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl LeaveService {
    /// Makes a feed of the caller's leave or of the organization's
    /// (`leave:read`): the feed and its token, shown this once.
    pub async fn create_feed(&self, p: &Principal, scope: FeedScope) -> Result<(Feed, String), DomainError> {
        p.require(&permissions::READ)?;
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = hex::encode(bytes);
        let feed = Feed {
            id: Uuid::now_v7(),
            organization_id: p.organization_id.clone(),
            owner_id: p.user_id.clone(),
            scope,
            created_at: now(),
            revoked_at: None,
        };
        self.store.insert_feed(&feed, &hash(&token)).await?;
        Ok((feed, token))
    }

    /// The caller's feeds, newest first (no tokens).
    pub async fn feeds(&self, p: &Principal) -> Result<Vec<Feed>, DomainError> {
        p.require(&permissions::READ)?;
        self.store.feeds(&p.organization_id, &p.user_id).await
    }

    /// Revokes one of the caller's feeds (or anyone's, with
    /// `leave:manage`): its URL answers 404 from then on.
    pub async fn revoke_feed(&self, p: &Principal, id: Uuid) -> Result<Feed, DomainError> {
        p.require(&permissions::READ)?;
        let feed = self.store.feed(&p.organization_id, id).await?.ok_or_else(|| DomainError::not_found("feed"))?;
        if feed.owner_id != p.user_id && !p.has(&permissions::MANAGE) {
            return Err(DomainError::not_found("feed"));
        }
        self.store.revoke_feed(&p.organization_id, id).await?;
        self.store.feed(&p.organization_id, id).await?.ok_or_else(|| DomainError::not_found("feed"))
    }

    /// The iCalendar text of the feed `token` opens: pending and approved
    /// requests from 90 days ago to 400 days ahead. `None` (a 404) for an
    /// unknown or revoked token, or an owner who is no longer a member.
    pub async fn feed_calendar(&self, token: &str) -> Result<Option<String>, DomainError> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let Some(feed) = self.store.feed_by_token(&hash(token)).await? else { return Ok(None) };
        let o = &feed.organization_id;
        if !self.members.is_member(o, &feed.owner_id).await? {
            return Ok(None);
        }
        let today = OffsetDateTime::now_utc().date();
        let filter = RequestFilter {
            user_id: (feed.scope == FeedScope::Member).then(|| feed.owner_id.clone()),
            overlapping_from: Some(shift(today, -FEED_PAST_DAYS)),
            overlapping_to: Some(shift(today, FEED_FUTURE_DAYS)),
            open_only: true,
            ..RequestFilter::default()
        };
        let requests = self.store.requests(o, &filter, FEED_MAX_EVENTS).await?;
        let types = self.store.list_types(o).await?;
        let type_name = |id: Uuid| types.iter().find(|t| t.id == id).map_or("leave", |t| t.policy.name.as_str());
        let mut events: Vec<FeedEvent> = requests
            .iter()
            .take(FEED_MAX_EVENTS as usize)
            .map(|r| FeedEvent {
                uid: format!("{}@gremlin-leave", r.id),
                summary: match feed.scope {
                    FeedScope::Member => format!("On leave: {}", type_name(r.leave_type_id)),
                    FeedScope::Organization => format!("{} on leave: {}", r.user_id, type_name(r.leave_type_id)),
                },
                from: r.span.from,
                to: r.span.to,
                starts: r.span.starts,
                ends: r.span.ends,
                status: r.status,
            })
            .collect();
        events.sort_by(|a, b| (a.from, &a.uid).cmp(&(b.from, &b.uid)));
        let name = match feed.scope {
            FeedScope::Member => "My leave".to_owned(),
            FeedScope::Organization => "Who is away".to_owned(),
        };
        let stamp = OffsetDateTime::now_utc();
        let stamp = format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            stamp.year(),
            u8::from(stamp.month()),
            stamp.day(),
            stamp.hour(),
            stamp.minute(),
            stamp.second()
        );
        Ok(Some(calendar(&name, &events, &stamp)))
    }
}
