//! Orders fixtures shared by the tests that need an order to exist (the
//! orders API, faults, the bus, the cache, the split deployment).

use poem::http::StatusCode;
use serde_json::{Value as Json, json};

use super::{KitHeaders, TestApp, json};

/// A one-line EUR order: 2 × 19.99, 10 % off, 20 % tax — 43.18 in all.
pub fn body() -> Json {
    json!({"currency": "EUR", "customer": {"name": "Acme Buyer", "email": "buyer@example.com"}, "lines": [
        {"sku": "A-1", "description": "Widget", "quantity": "2", "unit_price": "19.99", "tax_rate": "20", "discount": {"kind": "percent", "value": "10"}}
    ]})
}

/// Creates [`body`] as `auth` (an Authorization value); the order's JSON.
pub async fn create(t: &TestApp, auth: &str) -> Json {
    let resp = t.as_(auth).post("/api/orders").body_json(&body()).send().await;
    resp.assert_status(StatusCode::CREATED);
    json(resp).await
}

/// POSTs `order` with an `Idempotency-Key`.
pub async fn create_with_key(t: &TestApp, auth: &str, key: &str, order: &Json) -> poem::test::TestResponse {
    t.as_(auth).post("/api/orders").idempotency_key(key).body_json(order).send().await
}
