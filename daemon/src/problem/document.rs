//! The problem body in the OpenAPI document: one schema, and every error answer of every
//! route said to carry it, since the one place that answers errors answers them all alike.

use reformlog_api::{Problem, ProblemCode};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::PartialSchema;

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
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.delete.as_mut(),
            item.patch.as_mut(),
        ];
        for op in operations.into_iter().flatten() {
            if api {
                shared_statuses(op);
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

/// The error statuses the layers every route of `/v1` passes through can answer, whatever
/// the handler: the query and path extractors, the token check, the request deadline, the
/// body reader, the wait for a position and the store.
fn shared_statuses(op: &mut Operation) {
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
        statuses.push(("403", "The token's role does not allow this"));
    }
    let body = op.request_body.is_some();
    if body || takes(ParameterIn::Query) || takes(ParameterIn::Path) {
        statuses.push(("400", "Invalid parameters or body"));
    }
    if takes(ParameterIn::Path) {
        statuses.push(("404", "Nothing known by that id"));
    }
    if names("min_position") || names("known_at") || names("from") {
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
