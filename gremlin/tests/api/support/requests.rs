//! A small request builder over poem's test client, so a test reads as what
//! it does: `t.as_(&alice).patch(url).if_match(&etag).body_json(&change)`.

// A kit: a build with fewer domains compiles fewer tests, which use fewer
// of its methods.
#![allow(dead_code)]

use poem::endpoint::BoxEndpoint;
use poem::test::{TestClient, TestRequestBuilder};

use super::TestApp;

/// The endpoint tests send requests to.
pub type Endpoint = BoxEndpoint<'static, poem::Response>;

/// A request being built, as the test client makes it.
pub type TestRequest<'a> = TestRequestBuilder<'a, &'a Endpoint>;

/// Requests sent as one caller (an `Authorization` value), optionally for
/// one organization (`X-Organization-Id`).
pub struct As<'a> {
    client: TestClient<&'a Endpoint>,
    authorization: String,
    organization: Option<String>,
}

impl TestApp {
    /// Requests authenticated by `authorization` (`Bearer …`).
    pub fn as_(&self, authorization: &str) -> As<'_> {
        As { client: self.client(), authorization: authorization.to_owned(), organization: None }
    }
}

impl<'a> As<'a> {
    /// Sends `X-Organization-Id: organization` with every request.
    pub fn in_org(mut self, organization: &str) -> Self {
        self.organization = Some(organization.to_owned());
        self
    }

    fn prepare(&self, request: TestRequest<'a>) -> TestRequest<'a> {
        let request = request.header("authorization", &self.authorization);
        match &self.organization {
            Some(org) => request.header("x-organization-id", org),
            None => request,
        }
    }

    /// `GET path`.
    pub fn get(&'a self, path: impl Into<String>) -> TestRequest<'a> {
        self.prepare(self.client.get(path))
    }

    /// `POST path`.
    pub fn post(&'a self, path: impl Into<String>) -> TestRequest<'a> {
        self.prepare(self.client.post(path))
    }

    /// `PATCH path`.
    pub fn patch(&'a self, path: impl Into<String>) -> TestRequest<'a> {
        self.prepare(self.client.patch(path))
    }

    /// `PUT path`.
    pub fn put(&'a self, path: impl Into<String>) -> TestRequest<'a> {
        self.prepare(self.client.put(path))
    }

    /// `DELETE path`.
    pub fn delete(&'a self, path: impl Into<String>) -> TestRequest<'a> {
        self.prepare(self.client.delete(path))
    }
}

/// The kit's request headers, by name.
pub trait KitHeaders: Sized {
    /// `If-Match: etag` (an ETag as the API sent it, quotes included).
    fn if_match(self, etag: &str) -> Self;
    /// `Idempotency-Key: key`.
    fn idempotency_key(self, key: &str) -> Self;
}

impl<'a> KitHeaders for TestRequest<'a> {
    fn if_match(self, etag: &str) -> Self {
        self.header("if-match", etag)
    }

    fn idempotency_key(self, key: &str) -> Self {
        self.header("idempotency-key", key)
    }
}
