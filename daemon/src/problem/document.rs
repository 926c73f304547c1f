//! The problem body in the OpenAPI document: one schema, and every error answer of every
//! route said to carry it, since the one place that answers errors answers them all alike.

use serde::Serialize;
use utoipa::openapi::{Content, OpenApi, Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// An RFC 9457 problem, as every error answer carries it.
#[derive(Serialize, ToSchema)]
#[schema(as = Problem)]
#[allow(
    dead_code,
    reason = "only its schema is used: the answers are written by ApiError"
)]
pub(crate) struct ProblemDoc {
    /// `urn:reformlog:problem:` and the code.
    #[serde(rename = "type")]
    kind: String,
    /// The status's reason phrase.
    title: String,
    /// The HTTP status.
    status: u16,
    /// The stable machine code (`not-found`, `invalid-limit`, `storage-full`, …).
    code: String,
    /// What went wrong, for a person.
    detail: String,
    /// This occurrence: `urn:uuid:` and the request's `X-Request-Id`, or the path.
    instance: Option<String>,
    /// Machine-readable detail some problems add: the revisions expected and found, the
    /// change of a batch that failed, ….
    #[schema(value_type = Option<Object>)]
    errors: Option<serde_json::Value>,
}

const PROBLEM_JSON: &str = "application/problem+json";

/// Adds the `Problem` schema and gives every 4xx and 5xx answer of every route its body.
pub(crate) fn document(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components
        .schemas
        .insert("Problem".to_owned(), ProblemDoc::schema());
    for item in doc.paths.paths.values_mut() {
        let operations = [
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.delete.as_mut(),
            item.patch.as_mut(),
        ];
        for op in operations.into_iter().flatten() {
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
