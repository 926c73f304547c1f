//! OpenAPI schemas (feature `openapi`) for the public types whose JSON form is written by hand
//! rather than derived, so a derive would describe the wrong shape.

use crate::ids::{EntityKey, EntityKind};
use crate::query::ReminderCursor;
use std::borrow::Cow;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, Type};
use utoipa::openapi::{KnownFormat, RefOr, SchemaFormat};
use utoipa::{PartialSchema, ToSchema};

// In JSON an entity key is `{"kind": "unit", "id": "<uuid>"}` (the human-readable form in
// `ids`); the positional codec's plain enum never reaches an answer.
impl PartialSchema for EntityKey {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some(
                "An entity, and so the stream its events are in: its kind and its id.",
            ))
            .property("kind", EntityKind::schema())
            .required("kind")
            .property(
                "id",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                    .description(Some("The entity's id, of the kind `kind` names.")),
            )
            .required("id")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl ToSchema for EntityKey {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("EntityKey")
    }
}

// A cursor travels as its text (`serde(try_from = "String", into = "String")`).
impl PartialSchema for ReminderCursor {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "Where a reader stands in the reminder feed: opaque text, passed back as \
                 `after` to continue.",
            ))
            .pattern(Some(
                r"^r1\.[0-9]+\.-?[0-9]+(\.[^.]+\.[a-z_]+\.[0-9a-f]{32}\.[^.]+)?$",
            ))
            .into()
    }
}

impl ToSchema for ReminderCursor {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ReminderCursor")
    }
}
