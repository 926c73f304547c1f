//! The problem body in the OpenAPI document: one schema, and every error answer of every
//! route said to carry it, since the one place that answers errors answers them all alike.

use axum::http::Method;
use reformlog_api::{Problem, ProblemCode};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::PartialSchema;

use crate::role::Role;

/// The `Problem` schema, its `code` limited to the codes of the table.
fn problem_schema() -> RefOr<Schema> {
    let mut schema = Problem::schema();
    if let RefOr::T(Schema::Object(problem)) = &mut schema {
        if let Some(RefOr::T(Schema::Object(code))) = problem.properties.get_mut("code") {
            code.enum_values = Some(
                ProblemCode::ALL
                    .iter()
                    .map(|c| serde_json::Value::from(c.as_str()))
                    .collect(),
            );
        }
    }
    schema
}

const PROBLEM_JSON: &str = "application/problem+json";

/// Adds the `Problem` schema and gives every 4xx and 5xx answer of every route its body.
pub(crate) fn document(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components
        .schemas
        .insert("Problem".to_owned(), problem_schema());
    for (path, item) in doc.paths.paths.iter_mut() {
        let api = path.starts_with("/v1/");
        let operations = [
            (Method::GET, item.get.as_mut()),
            (Method::POST, item.post.as_mut()),
            (Method::PUT, item.put.as_mut()),
            (Method::DELETE, item.delete.as_mut()),
            (Method::PATCH, item.patch.as_mut()),
        ];
        for (method, op) in operations {
            let Some(op) = op else {
                continue;
            };
            if api {
                shared_statuses(op, refuses_a_role(&method, path));
            } else {
                add(op, vec![TOO_MANY_CONNECTIONS]);
            }
            for (status, response) in op.responses.responses.iter_mut() {
                let is_error = status.starts_with('4') || status.starts_with('5');
                let RefOr::T(response) = response else {
                    continue;
                };
                if !is_error {
                    continue;
                }
                // One media type for every error; whatever was said before is the same body.
                let body = Content::new(Some(Ref::from_schema_name("Problem")));
                response.content.clear();
                response.content.insert(PROBLEM_JSON.to_owned(), body);
            }
        }
    }
}

/// The accept loop refuses a connection past the limit before reading its request, so every
/// route, the probes too, may answer it.
const TOO_MANY_CONNECTIONS: (&str, &str) = (
    "503",
    "Too many connections at once (`too-many-connections`), with Retry-After",
);

/// Whether the gate refuses some role every request of `route` with `method`: a route whose
/// least permission every role has never answers 403 there (its handler may still, for some
/// parameters, and then its own annotation lists 403).
fn refuses_a_role(method: &Method, route: &str) -> bool {
    // The template as the path: a `{kind}` placeholder is no kind open to every reader.
    crate::gate::least(method, route, route)
        .is_some_and(|needed| Role::ALL.iter().any(|role| !role.allows(needed)))
}

/// The error statuses the layers every route of `/v1` passes through can answer, whatever
/// the handler: the query and path extractors, the token check (403 only where `refuses` a
/// role), the request deadline, the body reader, the wait for a position and the store.
fn shared_statuses(op: &mut Operation, refuses: bool) {
    let params = op.parameters.as_deref().unwrap_or_default();
    let takes = |place: ParameterIn| params.iter().any(|p| p.parameter_in == place);
    let names = |name: &str| params.iter().any(|p| p.name == name);
    let mut statuses: Vec<(&str, &str)> = vec![
        ("500", "The daemon failed (`internal`, `store-corrupt`)"),
        (
            "503",
            "Not answered now (`timeout`, `read-model-behind`, `storage-failed`, …); with Retry-After when a retry helps",
        ),
    ];
    if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
        statuses.push(("401", "No valid token"));
        if refuses {
            statuses.push(("403", "The token's role does not allow this"));
        }
    }
    let body = op.request_body.is_some();
    if body || takes(ParameterIn::Query) || takes(ParameterIn::Path) {
        statuses.push(("400", "Invalid parameters or body"));
    }
    if takes(ParameterIn::Path) {
        statuses.push(("404", "Nothing known by that id"));
    }
    // A `from` is a date or a place to start a page, past the log's end an empty page; the
    // live feed that waits there says so in its own annotation.
    if names("min_position") || names("known_at") {
        statuses.push((
            "409",
            "A log position past the log's end (`position-not-reached`)",
        ));
    }
    if body {
        statuses.push(("408", "The body did not arrive in time (`body-timeout`)"));
        statuses.push(("413", "The body is larger than the daemon takes"));
        statuses.push(("415", "A body not sent as application/json"));
    }
    add(op, statuses);
}

/// Adds each of `statuses` to `op` unless its own annotation lists it.
fn add(op: &mut Operation, statuses: Vec<(&str, &str)>) {
    for (status, description) in statuses {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| {
                ResponseBuilder::new()
                    .description(description)
                    .build()
                    .into()
            });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::Value;

    fn statuses(doc: &Value, method: &str, path: &str) -> Vec<String> {
        doc["paths"][path][method]["responses"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn forbidden_only_where_a_role_is_refused_and_conflicts_only_where_a_position_waits() {
        let doc: Value = serde_json::from_str(&crate::openapi_json()).unwrap();
        let has =
            |method, path, status: &str| statuses(&doc, method, path).contains(&status.into());
        // Every role reads state.
        assert!(!has("get", "/v1/units", "403"));
        assert!(!has("get", "/v1/integrity/head", "403"));
        assert!(has("get", "/v1/units", "401"));
        for (method, path) in [
            ("post", "/v1/commands"),
            ("post", "/v1/backup"),
            ("get", "/v1/audit/changes"),
            ("get", "/v1/history/{kind}/{id}"),
        ] {
            assert!(has(method, path, "403"), "{method} {path}");
        }
        // A page of events from past the log's end is empty; a wait for a position is not.
        assert!(!has("get", "/v1/events", "409"));
        assert!(has("get", "/v1/events/stream", "409"));
        assert!(has("get", "/v1/units", "409"));
        // The accept loop refuses probes past the connection limit too.
        assert!(has("get", "/healthz", "503"));
    }
}
