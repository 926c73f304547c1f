//! Writes: commands and decisions with their changes, each one atomic append; optimistic
//! checks, idempotency keys, per-change keys and dry runs.

use std::sync::Arc;

use axum::extract::{Extension, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use reformlog::{Command, Context, DecisionKind, DecisionRecord};
use reformlog_api::WriteResult;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Principal;
use crate::extract::ApiJson;
use crate::problem::ApiError;
use crate::role::Permission;
use crate::state::AppState;
use crate::timeout::WriteUnderway;

use super::ask::blocking;
use reformlog_api::ProblemCode;

/// The routes of this module.
pub(crate) fn routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(post_commands))
        .routes(routes!(post_decision))
}

/// Commands to run as one atomic change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CommandBatch {
    /// Why (recorded on every event).
    reason: Option<String>,
    /// The authority, e.g. a decision number (recorded on every event).
    source: Option<String>,
    /// The library's commands, decided in order and appended together or not at all. A
    /// `record_decision` may leave out `kind` when its number tells it (`15/2024/NĐ-CP`). A
    /// `report_progress` takes the `ReportProgress` schema, its evidence documents included.
    #[schema(schema_with = command_list_schema)]
    commands: Vec<serde_json::Value>,
    /// Record each change at most once: a change already recorded (the same thing created,
    /// or the same change made, by any earlier write) is skipped and listed in `skipped`; one
    /// recorded with other content is refused with 409 `change-recorded-differently`. Cannot
    /// be combined with an Idempotency-Key.
    #[serde(default)]
    skip_recorded: bool,
    /// Decide everything and append nothing: the answer (200) lists the events the write
    /// would append now.
    #[serde(default)]
    dry_run: bool,
}

/// How a write treats changes already recorded, and whether it writes at all.
#[derive(Debug, Default)]
pub(crate) struct WriteOptions {
    skip_recorded: bool,
    dry_run: bool,
}

impl WriteOptions {
    fn new(skip_recorded: bool, dry_run: bool) -> Self {
        Self {
            skip_recorded,
            dry_run,
        }
    }
}

/// A decision and the changes it makes, recorded atomically.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecisionBatch {
    /// Why (recorded on every event).
    reason: Option<String>,
    /// The `record_decision` command; `kind` may be left out when the number tells it
    /// (`15/2024/NĐ-CP` a decree, `34/QĐ-BTTTT` a decision, `567/BTTTT-TCCB` an official
    /// letter, `67/2020/QH14` a law). The decision may take effect before it is signed.
    #[schema(schema_with = decision_schema)]
    decision: serde_json::Value,
    /// The changes the decision makes; each cites it.
    #[schema(schema_with = change_list_schema)]
    changes: Vec<serde_json::Value>,
    /// Record each change at most once: a change already recorded (the same thing created,
    /// or the same change made, by any earlier write) is skipped and listed in `skipped`; one
    /// recorded with other content is refused with 409 `change-recorded-differently`. Cannot
    /// be combined with an Idempotency-Key.
    #[serde(default)]
    skip_recorded: bool,
    /// Decide everything and append nothing: the answer (200) lists the events the write
    /// would append now.
    #[serde(default)]
    dry_run: bool,
}

const MAX_COMMANDS: usize = 500;

/// One command as the library parses it: an object whose one key names it
/// (`establish_unit`, …) and holds its fields, as `reformlog::Command` describes it.
fn command_ref() -> utoipa::openapi::Ref {
    utoipa::openapi::Ref::from_schema_name("Command")
}

/// A list of up to `max` commands, at least `min`.
fn list_of_commands(min: usize, max: usize) -> utoipa::openapi::schema::Schema {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(command_ref())
        .min_items(Some(min))
        .max_items(Some(max))
        .into()
}

fn command_list_schema() -> utoipa::openapi::schema::Schema {
    list_of_commands(1, MAX_COMMANDS)
}

/// A decision's changes: the decision itself counts towards the batch's limit.
fn change_list_schema() -> utoipa::openapi::schema::Schema {
    list_of_commands(0, MAX_COMMANDS - 1)
}

/// The one `record_decision` command a decision batch starts with.
fn decision_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property(
            "record_decision",
            utoipa::openapi::Ref::from_schema_name("DecisionRecord"),
        )
        .required("record_decision")
        .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        .into()
}

/// Closes the one-key objects of the externally tagged `Command` and `Event`: serde takes
/// exactly one key there, and (both refuse unknown fields) only the fields a struct variant
/// names. The derived schemas leave those objects open, so a generator would add keys the
/// daemon rightly refuses. A progress report's hand-written schemas are closed alike: the
/// library's evidence refuses unknown fields too.
pub(crate) fn document(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{AdditionalProperties, Schema};
    use utoipa::openapi::RefOr;
    let closed = || Some(Box::new(AdditionalProperties::FreeForm(false)));
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for name in ["ReportProgress", "Evidence", "EvidenceDocument"] {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(name) {
            object.additional_properties = closed();
        }
    }
    for name in ["Command", "Event"] {
        let Some(RefOr::T(Schema::OneOf(variants))) = components.schemas.get_mut(name) else {
            continue;
        };
        for variant in &mut variants.items {
            let RefOr::T(Schema::Object(wrapper)) = variant else {
                continue;
            };
            wrapper.additional_properties = closed();
            for field in wrapper.properties.values_mut() {
                if let RefOr::T(Schema::Object(fields)) = field {
                    fields.additional_properties = closed();
                }
            }
        }
    }
}

fn write_context(
    principal: &Principal,
    headers: &HeaderMap,
    reason: Option<String>,
    source: Option<String>,
) -> Result<Context, ApiError> {
    let mut ctx = Context::new(principal.principal.clone());
    ctx.reason = reason;
    ctx.source = source;
    if let Some(v) = headers.get(header::IF_MATCH) {
        let text = v.to_str().map_err(|_| {
            ApiError::bad_request(
                ProblemCode::InvalidIfMatch,
                "If-Match must be a quoted revision",
            )
        })?;
        // An entity read's tag is `"revision-position"`; the revision is what a write checks.
        let tag = text.trim().trim_start_matches("W/").trim_matches('"');
        let revision = tag
            .split_once('-')
            .map_or(tag, |(revision, _)| revision)
            .parse::<u64>()
            .map_err(|_| {
                ApiError::bad_request(
                    ProblemCode::InvalidIfMatch,
                    format!("If-Match must be an ETag this API gave, not {text:?}"),
                )
            })?;
        ctx.expected_revision = Some(revision);
    }
    if let Some(v) = headers.get("idempotency-key") {
        let key = v.to_str().map_err(|_| {
            ApiError::bad_request(
                ProblemCode::InvalidIdempotencyKey,
                "Idempotency-Key must be visible ASCII",
            )
        })?;
        if key.is_empty() || key.len() > 200 {
            return Err(ApiError::bad_request(
                ProblemCode::InvalidIdempotencyKey,
                "Idempotency-Key must be 1 to 200 characters",
            ));
        }
        // Scoped by principal so two clients cannot collide on (or probe) each other's keys.
        ctx.idempotency_key = Some(format!("{}:{key}", principal.principal));
    }
    Ok(ctx)
}

async fn execute(
    state: Arc<AppState>,
    mut ctx: Context,
    commands: Vec<Command>,
    options: WriteOptions,
    underway: Option<Extension<WriteUnderway>>,
) -> Result<Response, ApiError> {
    if commands.is_empty() || commands.len() > MAX_COMMANDS {
        return Err(ApiError::bad_request(
            ProblemCode::InvalidBatch,
            format!("send 1 to {MAX_COMMANDS} commands"),
        ));
    }
    // A change may take effect up to max_future_days after today, in the daemon's zone.
    ctx.valid_until = state.zone.today().and_then(|today| {
        let days = i32::try_from(state.max_future_days).unwrap_or(i32::MAX);
        reformlog::Date::from_julian_day(today.julian_day().saturating_add(days))
    });
    if options.skip_recorded {
        if ctx.idempotency_key.is_some() {
            return Err(ApiError::bad_request(
                ProblemCode::InvalidOptions,
                "skip_recorded already makes a write safe to repeat: send it without an Idempotency-Key",
            ));
        }
        ctx.per_change = true;
    }
    let domain = state.domain.clone();
    if options.dry_run {
        let planned = blocking(move || {
            domain
                .dry_run(commands, &ctx)
                .map_err(|e| crate::naming::name_entities(&domain, e.into()))
        })
        .await?;
        let body = WriteResult {
            first_position: planned.first_position,
            last_position: planned.last_position,
            events: planned.events,
            deduplicated: planned.deduplicated,
            skipped: planned.skipped,
            dry_run: true,
        };
        return Ok((StatusCode::OK, axum::Json(body)).into_response());
    }
    if let Some(Extension(underway)) = &underway {
        underway.start();
    }
    let executed = blocking(move || {
        domain
            .execute_all(commands, &ctx)
            .map_err(|e| crate::naming::name_entities(&domain, e.into()))
    })
    .await?;
    if !executed.events.is_empty() && !executed.deduplicated {
        state
            .metrics
            .writes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        state.metrics.events_appended.fetch_add(
            executed.last_position - executed.first_position + 1,
            std::sync::atomic::Ordering::Relaxed,
        );
    }
    let status = if executed.deduplicated || executed.events.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let body = WriteResult {
        first_position: executed.first_position,
        last_position: executed.last_position,
        events: executed.events,
        deduplicated: executed.deduplicated,
        skipped: executed.skipped,
        dry_run: false,
    };
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&executed.last_position.to_string()) {
        response.headers_mut().insert("x-log-position", v);
    }
    Ok(response)
}

/// Runs the library's commands as one atomic append. `If-Match` checks the first command's
/// entity revision; `Idempotency-Key` makes a retry return the first answer.
#[utoipa::path(post, path = "/v1/commands", request_body = CommandBatch, params(("If-Match" = Option<String>, Header, description = "ETag of the first command's entity", pattern = r#"^(W/)?"?[0-9]{1,18}(-[0-9]{1,19})?"?$"#), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries no-ops: 1 to 200 visible ASCII characters", pattern = "^[!-~]([ -~]{0,198}[!-~])?$")), responses((status = 201, body = WriteResult), (status = 200, description = "A retry: the first answer", body = WriteResult), (status = 400, description = "Invalid body"), (status = 409, description = "Conflicts with what is recorded: an entity that exists already (`already-exists`), or a per-change key recorded with other content (`change-recorded-differently`)"), (status = 412, description = "If-Match does not match"), (status = 422, description = "Refused by a domain rule, or an Idempotency-Key used before with another body (`idempotency-key-reused`)"), (status = 503, description = "Not written: storage-full (free space), store-lost or storage-failed; or outcome-unknown: it may be recorded, and a retry with the same Idempotency-Key (or skip_recorded) settles it. With Retry-After", content_type = "application/problem+json")), security(("bearer" = [])), tag = "state")]
async fn post_commands(
    State(state): State<Arc<AppState>>,
    underway: Option<Extension<WriteUnderway>>,
    headers: HeaderMap,
    ApiJson(batch): ApiJson<CommandBatch>,
) -> Result<Response, ApiError> {
    let principal = state.tokens.authorize(&headers, Permission::Write)?;
    let commands = commands_from_json("commands", batch.commands)?;
    let ctx = write_context(&principal, &headers, batch.reason, batch.source)?;
    let options = WriteOptions::new(batch.skip_recorded, batch.dry_run);
    execute(state, ctx, commands, options, underway).await
}

/// Each JSON command of a list as the library's, named `what[i]` in errors.
fn commands_from_json(
    what: &str,
    values: Vec<serde_json::Value>,
) -> Result<Vec<Command>, ApiError> {
    if values.len() > MAX_COMMANDS {
        return Err(ApiError::bad_request(
            ProblemCode::InvalidBatch,
            format!("send 1 to {MAX_COMMANDS} commands"),
        ));
    }
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| command_from_json(&format!("{what}[{i}]"), v))
        .collect()
}

/// Records a decision together with the changes it makes, atomically.
#[utoipa::path(post, path = "/v1/decisions", request_body = DecisionBatch, params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries no-ops: 1 to 200 visible ASCII characters", pattern = "^[!-~]([ -~]{0,198}[!-~])?$")), responses((status = 201, body = WriteResult), (status = 200, description = "A retry: the first answer", body = WriteResult), (status = 400, description = "Invalid body"), (status = 409, description = "Conflicts with what is recorded: the decision, or an entity a change registers, exists already (`already-exists`), or a per-change key recorded with other content (`change-recorded-differently`)"), (status = 422, description = "Refused by a domain rule, or an Idempotency-Key used before with another body (`idempotency-key-reused`)"), (status = 503, description = "Not written: storage-full (free space), store-lost or storage-failed; or outcome-unknown: it may be recorded, and a retry with the same Idempotency-Key (or skip_recorded) settles it. With Retry-After", content_type = "application/problem+json")), security(("bearer" = [])), tag = "state")]
async fn post_decision(
    State(state): State<Arc<AppState>>,
    underway: Option<Extension<WriteUnderway>>,
    headers: HeaderMap,
    ApiJson(batch): ApiJson<DecisionBatch>,
) -> Result<Response, ApiError> {
    let principal = state.tokens.authorize(&headers, Permission::Write)?;
    if batch.decision.get("record_decision").is_none() {
        return Err(ApiError::bad_request(
            ProblemCode::InvalidDecision,
            "decision must be a record_decision command",
        ));
    }
    let decision = command_from_json("decision", batch.decision)?;
    let Command::RecordDecision(DecisionRecord { number, .. }) = &decision else {
        return Err(ApiError::bad_request(
            ProblemCode::InvalidDecision,
            "decision must be a record_decision command",
        ));
    };
    let source = Some(number.clone());
    let Command::RecordDecision(DecisionRecord { decision: id, .. }) = &decision else {
        unreachable!("matched above")
    };
    let id = *id;
    let mut changes = commands_from_json("changes", batch.changes)?;
    // Each change of the batch cites its decision.
    for (i, change) in changes.iter_mut().enumerate() {
        change.cite(id).map_err(|other| {
            ApiError::bad_request(
                ProblemCode::ChangeCitesAnotherDecision,
                format!("changes[{i}] cites decision {other}, not the batch's {id} ({number})"),
            )
        })?;
    }
    let ctx = write_context(&principal, &headers, batch.reason, source)?;
    let mut commands = Vec::with_capacity(1 + changes.len());
    commands.push(decision);
    commands.extend(changes);
    let options = WriteOptions::new(batch.skip_recorded, batch.dry_run);
    execute(state, ctx, commands, options, underway).await
}

/// The library's command in `value` (`at` names it in errors, e.g. `commands[2]`). A
/// `record_decision` without `kind` (or with `null`) takes the kind its number tells
/// (`15/2024/NĐ-CP` a decree); a number that does not tell it is a 400 asking for `kind`.
pub(crate) fn command_from_json(at: &str, mut value: Value) -> Result<Command, ApiError> {
    if let Some(fields) = value
        .get_mut("record_decision")
        .and_then(Value::as_object_mut)
    {
        if fields.get("kind").is_none_or(Value::is_null) {
            // Without a number the command is refused below for that, not for its kind.
            if let Some(number) = fields.get("number").and_then(Value::as_str) {
                let kind = DecisionKind::from_number(number).ok_or_else(|| {
                    let kinds: Vec<&str> = DecisionKind::ALL.iter().map(|k| k.as_str()).collect();
                    ApiError::bad_request(
                        ProblemCode::DecisionKindNeeded,
                        format!(
                            "{at}: the kind of decision {number:?} cannot be told from its \
                             number; give `kind`, one of {}",
                            kinds.join(", ")
                        ),
                    )
                })?;
                fields.insert("kind".into(), Value::String(kind.as_str().into()));
            }
        }
    }
    whole_numbers_as_integers(&mut value);
    serde_json::from_value(value)
        .map_err(|e| ApiError::bad_request(ProblemCode::InvalidBody, format!("{at}: {e}")))
}

/// JSON has one kind of number: `59.0` is the integer 59 (JSON Schema's `integer` takes it),
/// but serde reads it as a float that no integer field takes. A whole number written with a
/// fraction is made an integer before the command is read; any other number is left alone.
fn whole_numbers_as_integers(value: &mut Value) {
    // Beyond 2^53 a float no longer tells one integer from the next.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() <= EXACT) {
                let whole = format!("{f:.0}");
                if let Ok(number) = whole.parse::<serde_json::Number>() {
                    *n = number;
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_document_closes_each_command_as_serde_does() {
        let doc: Value = serde_json::from_str(&crate::server::openapi_json()).unwrap();
        let schemas = &doc["components"]["schemas"];
        for name in ["Command", "Event"] {
            let variants = schemas[name]["oneOf"].as_array().unwrap();
            assert!(variants.len() > 20, "{name}");
            for variant in variants {
                assert_eq!(variant["additionalProperties"], false, "{variant:#}");
                for fields in variant["properties"].as_object().unwrap().values() {
                    if fields.get("$ref").is_none() {
                        assert_eq!(fields["additionalProperties"], false, "{variant:#}");
                    }
                }
            }
        }
        for name in ["ReportProgress", "Evidence", "EvidenceDocument"] {
            assert_eq!(schemas[name]["additionalProperties"], false, "{name}");
        }
        let body = &schemas["CommandBatch"]["properties"]["commands"]["items"]["$ref"];
        assert_eq!(body, "#/components/schemas/Command");
        // What the closed schema refuses, serde refuses: a second key, an unknown field.
        let retract = serde_json::json!({ "target": uuid::Uuid::nil() });
        let two_keys = serde_json::json!({ "retract": retract, "note": 1 });
        assert!(command_from_json("commands[0]", two_keys).is_err());
        let mut extra = retract.clone();
        extra["note"] = 1.into();
        let unknown = serde_json::json!({ "retract": extra });
        assert!(command_from_json("commands[0]", unknown).is_err());
        assert!(
            command_from_json("commands[0]", serde_json::json!({ "retract": retract })).is_ok()
        );
    }

    #[test]
    fn a_whole_number_with_a_fraction_is_an_integer() {
        let progress = |percent: Value| {
            serde_json::json!({ "report_progress": {
                "task": uuid::Uuid::nil(), "percent": percent, "note": "Đã gửi",
                "on": "2022-05-01", "decision": null } })
        };
        let percent = |v: Value| match command_from_json("commands[0]", v) {
            Ok(Command::ReportProgress(p)) => Ok(p.percent),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e.code().to_owned()),
        };
        assert_eq!(percent(progress(serde_json::json!(59.0))), Ok(59));
        assert_eq!(percent(progress(serde_json::json!(59))), Ok(59));
        assert_eq!(
            percent(progress(serde_json::json!(59.5))).unwrap_err(),
            "invalid-body"
        );
        assert_eq!(
            percent(progress(serde_json::json!(-1.0))).unwrap_err(),
            "invalid-body"
        );
        assert_eq!(
            percent(progress(serde_json::json!(1e300))).unwrap_err(),
            "invalid-body"
        );
    }

    #[test]
    fn a_decision_without_kind_takes_it_from_its_number() {
        let decision = |kind: Option<Value>, number: &str| {
            let mut fields = serde_json::json!({
                "decision": uuid::Uuid::nil(), "number": number,
                "issuer": uuid::Uuid::nil(), "signer": null,
                "signed_on": "2024-03-02", "in_force_on": "2024-03-01",
                "title": "(Giả định) Nghị định thử", "amends": [], "replaces": [], "repeals": []
            });
            if let Some(k) = kind {
                fields["kind"] = k;
            }
            serde_json::json!({ "record_decision": fields })
        };
        let kind_of = |v: Value| match command_from_json("commands[0]", v).unwrap() {
            Command::RecordDecision(DecisionRecord { kind, .. }) => kind,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            kind_of(decision(None, "15/2024/NĐ-CP")),
            DecisionKind::Decree
        );
        assert_eq!(
            kind_of(decision(Some(Value::Null), "34/QĐ-BTTTT")),
            DecisionKind::Decision
        );
        assert_eq!(
            kind_of(decision(Some("report".into()), "15/2024/NĐ-CP")),
            DecisionKind::Report
        );
        let e = command_from_json("commands[3]", decision(None, "HYPOTHETICAL")).unwrap_err();
        assert_eq!(e.code(), "decision-kind-needed");
        assert!(format!("{e:?}").contains("commands[3]"));
        // A kind that is not one is the body's error, not a derivation.
        let e = command_from_json("decision", decision(Some("memo".into()), "15/2024/NĐ-CP"))
            .unwrap_err();
        assert_eq!(e.code(), "invalid-body");
        // Other commands pass through untouched.
        let other = serde_json::json!({ "register_person": {
            "person": uuid::Uuid::nil(), "name": "Thành viên 17", "on": "2022-02-01" } });
        assert!(matches!(
            command_from_json("commands[0]", other).unwrap(),
            Command::RegisterPerson(_)
        ));
    }
}
