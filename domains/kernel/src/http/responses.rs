//! Which error statuses a business operation can answer, from what it
//! declares. Every endpoint returns the kit's one problem type, whose
//! documentation lists every status; a client generated from that would
//! handle a 412 on a read. The kit knows where each status comes from, so
//! it prunes the list per operation:
//!
//! | status | only when the operation … |
//! |---|---|
//! | 404 | addresses a resource by path (`/{id}`), or is opened by a token of its own (a scheme other than the caller's `bearer` and `session_cookie`: an unknown token finds nothing) |
//! | 412, 428 | takes `If-Match` |
//! | 415 | takes a request body |
//! | 409 | changes something (any method but GET: state conflicts, a key still in use) |
//! | 422 | takes a body, query parameters or `Idempotency-Key`, or changes something |
//!
//! 400, 401, 403, 429, 500 and 503 stay on every operation behind the
//! caller: a malformed request, credentials, permissions, the rate limiter
//! and the server's own state reach them all.

use poem::http::Method;
use poem_openapi::registry::{MetaOperation, MetaParamIn};

/// Removes from `operation` the error responses it cannot give (see the
/// module table). Operations that take no caller are left alone.
pub fn prune_error_responses(operation: &mut MetaOperation) {
    if operation.security.is_empty() {
        return;
    }
    let has_param = |name: &str, place: MetaParamIn| {
        operation.params.iter().any(|p| p.in_type == place && p.name.eq_ignore_ascii_case(name))
    };
    let by_path = operation.params.iter().any(|p| p.in_type == MetaParamIn::Path);
    let by_token =
        operation.security.iter().any(|s| s.keys().any(|scheme| !matches!(*scheme, "bearer" | "session_cookie")));
    let queries = operation.params.iter().any(|p| p.in_type == MetaParamIn::Query);
    let if_match = has_param("If-Match", MetaParamIn::Header);
    let keyed = has_param("Idempotency-Key", MetaParamIn::Header);
    let body = operation.request.is_some();
    // A search is a read sent as POST to carry its body (`….search`).
    let search = operation.operation_id.is_some_and(|id| id.ends_with(".search"));
    let changes = operation.method != Method::GET && !search;
    let possible = |status: u16| match status {
        404 => by_path || by_token,
        412 | 428 => if_match,
        415 => body,
        409 => changes,
        422 => body || queries || keyed || changes,
        _ => true,
    };
    operation.responses.responses.retain(|r| r.status.is_none_or(possible));
}

#[cfg(test)]
mod tests {
    use poem_openapi::registry::{MetaOperationParam, MetaRequest, MetaResponse, MetaResponses, MetaSchemaRef};

    use super::*;

    const ALL: [u16; 13] = [200, 400, 401, 403, 404, 409, 412, 415, 422, 428, 429, 500, 503];

    fn param(name: &str, in_type: MetaParamIn) -> MetaOperationParam {
        MetaOperationParam {
            name: name.into(),
            schema: MetaSchemaRef::Reference("String".into()),
            in_type,
            description: None,
            required: false,
            deprecated: false,
            explode: true,
            style: None,
        }
    }

    fn operation(method: Method, params: Vec<MetaOperationParam>, body: bool, secured: bool) -> MetaOperation {
        let response = |status| MetaResponse {
            description: "",
            status: Some(status),
            status_range: None,
            content: vec![],
            headers: vec![],
        };
        MetaOperation {
            method,
            tags: vec![],
            summary: None,
            description: None,
            external_docs: None,
            params,
            request: body.then(|| MetaRequest { description: None, content: vec![], required: true }),
            responses: MetaResponses { responses: ALL.iter().map(|s| response(*s)).collect() },
            deprecated: false,
            security: if secured { vec![[("bearer", vec![])].into_iter().collect()] } else { vec![] },
            operation_id: None,
            code_samples: vec![],
        }
    }

    fn statuses(mut op: MetaOperation) -> Vec<u16> {
        prune_error_responses(&mut op);
        op.responses.responses.iter().filter_map(|r| r.status).collect()
    }

    #[test]
    fn each_operation_keeps_only_what_it_can_answer() {
        let get_one = operation(Method::GET, vec![param("id", MetaParamIn::Path)], false, true);
        assert_eq!(statuses(get_one), [200, 400, 401, 403, 404, 429, 500, 503]);
        let list = operation(Method::GET, vec![param("status", MetaParamIn::Query)], false, true);
        assert_eq!(statuses(list), [200, 400, 401, 403, 422, 429, 500, 503]);
        let create = operation(Method::POST, vec![param("Idempotency-Key", MetaParamIn::Header)], true, true);
        assert_eq!(statuses(create), [200, 400, 401, 403, 409, 415, 422, 429, 500, 503]);
        let update = operation(
            Method::PATCH,
            vec![param("id", MetaParamIn::Path), param("If-Match", MetaParamIn::Header)],
            true,
            true,
        );
        assert_eq!(statuses(update), ALL);
        let transition = operation(
            Method::POST,
            vec![param("id", MetaParamIn::Path), param("if-match", MetaParamIn::Header)],
            false,
            true,
        );
        assert_eq!(statuses(transition), [200, 400, 401, 403, 404, 409, 412, 422, 428, 429, 500, 503]);
    }

    #[test]
    fn an_operation_opened_by_its_own_token_may_find_nothing() {
        let mut feed = operation(Method::GET, vec![], false, true);
        feed.security = vec![[("leave_feed_token", vec![])].into_iter().collect()];
        assert_eq!(statuses(feed), [200, 400, 401, 403, 404, 429, 500, 503]);
    }

    #[test]
    fn public_operations_are_left_alone() {
        assert_eq!(statuses(operation(Method::GET, vec![], false, false)), ALL);
    }
}
