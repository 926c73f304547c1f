//! The problem body in the OpenAPI document: one schema, and every error answer of every
//! route said to carry it, since the one place that answers errors answers them all alike.

use reformlog_api::{Problem, ProblemCode};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{Content, OpenApi, Ref, RefOr};
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
