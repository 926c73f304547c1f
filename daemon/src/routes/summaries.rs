//! The OpenAPI schema of one entity kind's summary: what `GET /v1/units/{id}` and its kin
//! answer, the library's `EntitySummary` narrowed to that kind's `kind` and `details`.

use std::borrow::Cow;

use reformlog::{EntityDetails, EntitySummary};
use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// `EntitySummary` whose `kind` is `kind` and whose `details` are that kind's: one entity GET
/// never answers another kind, so its document says which details come back.
fn summary_of(kind: &str, what: &str) -> RefOr<Schema> {
    AllOfBuilder::new()
        .description(Some(format!(
            "One {what} as it stood on the date asked about: an `EntitySummary` of kind `{kind}`."
        )))
        .item(Ref::from_schema_name(EntitySummary::name()))
        .item(
            ObjectBuilder::new()
                .property(
                    "kind",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some([kind])),
                )
                .property("details", details_of(kind)),
        )
        .into()
}

/// The variant of `EntityDetails` tagged `kind`, as the library's schema gives it; when the
/// schema is not the one-of it derives today, the tag alone still names the variant.
fn details_of(kind: &str) -> RefOr<Schema> {
    if let RefOr::T(Schema::OneOf(one_of)) = EntityDetails::schema() {
        let tagged = one_of.items.into_iter().find(
            |item| matches!(item, RefOr::T(Schema::Object(o)) if o.properties.contains_key(kind)),
        );
        if let Some(variant) = tagged {
            return variant;
        }
    }
    ObjectBuilder::new().required(kind).into()
}

/// The summary schemas reference `EntitySummary` and, through it, everything it holds.
fn referenced(schemas: &mut Vec<(String, RefOr<Schema>)>) {
    schemas.push((EntitySummary::name().into_owned(), EntitySummary::schema()));
    EntitySummary::schemas(schemas);
}

/// One summary schema per kind, named for the document.
macro_rules! kind_summary {
    ($ty:ident, $kind:literal, $what:literal) => {
        #[doc = concat!("The summary of one ", $what, " (schema only; the answer is an `EntitySummary`).")]
        pub(crate) struct $ty;

        impl PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                summary_of($kind, $what)
            }
        }

        impl ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($ty))
            }

            fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
                referenced(schemas);
            }
        }
    };
}

kind_summary!(UnitEntity, "unit", "organisation unit");
kind_summary!(PersonEntity, "person", "person");
kind_summary!(PostEntity, "post", "post");
kind_summary!(CommitteeEntity, "committee", "committee or sub-body");
kind_summary!(DecisionEntity, "decision", "decision");
kind_summary!(TaskEntity, "task", "reform task");

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn each_kind_takes_its_own_variant_of_the_details() {
        for kind in ["unit", "person", "post", "committee", "decision", "task"] {
            let details = serde_json::to_value(details_of(kind)).unwrap();
            assert!(
                details["properties"][kind].is_object(),
                "{kind}: {details:#}"
            );
            assert_eq!(details["required"], serde_json::json!([kind]), "{kind}");
        }
    }
}
