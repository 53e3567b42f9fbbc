//! Helpers the leave tests share: dates in the future (next year, by ISO
//! week, so tests never age), keyed creates and reads that show the answer
//! when the status is not the one expected.

use poem::http::StatusCode;
use serde_json::Value as Json;
use time::{Date, OffsetDateTime, Weekday};

use super::{KitHeaders, TestApp, json};

/// Next year (always in the future).
pub fn next_year() -> i32 {
    OffsetDateTime::now_utc().year() + 1
}

/// Monday of ISO week `week` next year.
pub fn monday(week: u8) -> Date {
    Date::from_iso_week_date(next_year(), week, Weekday::Monday).expect("an ISO week")
}

/// `d` moved by `plus` days, as `YYYY-MM-DD`.
pub fn day(d: Date, plus: i64) -> String {
    (d + time::Duration::days(plus)).to_string()
}

/// The `If-Match` value naming `v`'s version.
pub fn etag(v: &Json) -> String {
    format!("\"{}\"", v["version"])
}

/// POSTs `body` to `path` in `org` under `key`, expecting a 201.
pub async fn created(t: &TestApp, auth: &str, org: &str, path: &str, body: Json, key: &str) -> Json {
    let resp = t.as_(auth).in_org(org).post(path).idempotency_key(key).body_json(&body).send().await;
    let status = resp.0.status();
    let answer = json(resp).await;
    assert_eq!(status, StatusCode::CREATED, "{path}: {answer}");
    answer
}

/// `resp`'s body, expecting a 200.
pub async fn ok(resp: poem::test::TestResponse) -> Json {
    let status = resp.0.status();
    let answer = json(resp).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

/// Delivers `identity.member.removed` for `user` leaving `org` to leave's
/// consumer, as the bus would; the event, to deliver again.
pub async fn member_left(t: &TestApp, org: &str, user: &str) -> gremlin_kernel::EventEnvelope {
    let consumer = t.app.consumers.iter().find(|c| c.spec.durable_name == "leave-members-leaving").expect("consumer");
    let data = serde_json::json!({"member_id": "m-1", "organization_id": org, "user_id": user, "removed_by": "olivia"});
    let organization = Some(gremlin_kernel::OrganizationId::new(org.to_owned()));
    let left =
        gremlin_kernel::EventEnvelope::new("identity.member.removed", "identity", organization, "member/m-1", data);
    (consumer.handler)(left.clone()).await.expect("handled");
    left
}
