//! Between domain events and stored records: one payload per event through the store's
//! payload codec, the event type and stream checked on the way back.

use crate::error::Error;
use crate::event::{Event, EventMeta, Recorded};
use crate::ids::{EntityKey, EventId};
use reformlog_store::{
    decode_payload, encode_payload, CodecError, Metadata, NewEvent, RecordedEvent,
};

#[macro_use]
mod frozen;
pub(crate) mod v1;
pub(crate) mod v2;

/// The payload schema every event is written with; bump it when a variant's fields change,
/// freezing the schema before it with its upcast (each old schema reads into the next).
/// 2: task events cite the decision behind them. 3: a progress report's evidence names
/// documents (number, title, link, SHA-256) beside its free text.
pub const SCHEMA_VERSION: u32 = 3;

/// The metadata key that carries an event's valid date, so the log is readable without
/// decoding payloads.
pub(crate) const VALID_FROM_KEY: &str = "valid_from";

/// Decodes one stored event back into the domain [`Event`], checking that the record's type,
/// schema version and stream agree with the payload.
pub fn decode_event(recorded: &RecordedEvent) -> Result<Event, Error> {
    let bad = |reason: String| {
        Error::Codec(CodecError::Invalid(format!(
            "event at position {}: {reason}",
            recorded.position
        )))
    };
    let not_an_event =
        |e: CodecError| bad(format!("the payload is not an event this build reads: {e}"));
    let event: Event = match recorded.schema_version {
        SCHEMA_VERSION => decode_payload(&recorded.payload).map_err(not_an_event)?,
        2 => decode_payload::<v2::EventV2>(&recorded.payload)
            .map_err(not_an_event)?
            .into(),
        1 => Event::from(v2::EventV2::from(
            decode_payload::<v1::EventV1>(&recorded.payload).map_err(not_an_event)?,
        )),
        other => {
            return Err(bad(format!(
                "schema version {other} is not one this build reads"
            )))
        }
    };
    if event.type_name() != recorded.event_type {
        return Err(bad(format!(
            "the record says {:?} but the payload is {:?}",
            recorded.event_type,
            event.type_name()
        )));
    }
    if event.entity().stream_name() != recorded.stream {
        return Err(bad(format!(
            "stored in stream {:?} but about {}",
            recorded.stream,
            event.entity()
        )));
    }
    Ok(event)
}

/// Whether a stream belongs to the domain (its category is an entity kind). Other streams in
/// the same log are left alone by the read models.
pub(crate) fn is_domain_stream(stream: &str) -> bool {
    EntityKey::from_stream_name(stream).is_ok()
}

/// The domain's view of a stored event: its payload decoded, its envelope as [`EventMeta`].
pub(crate) fn to_recorded(recorded: &RecordedEvent) -> Result<Recorded, Error> {
    Ok(Recorded {
        meta: EventMeta {
            position: recorded.position,
            commit: recorded.commit,
            event_id: EventId::from_uuid(recorded.event_id),
            recorded_at: recorded.recorded_at,
            actor: recorded.metadata.actor.clone(),
            reason: recorded.metadata.reason.clone(),
        },
        event: decode_event(recorded)?,
    })
}

/// The event to append for `event`, with the caller's metadata and its valid date added.
pub(crate) fn to_new_event(
    id: EventId,
    event: &Event,
    metadata: &Metadata,
) -> Result<NewEvent, Error> {
    let metadata = metadata
        .clone()
        .with_extra(VALID_FROM_KEY, event.valid_from().to_string());
    Ok(NewEvent {
        id: id.as_uuid(),
        event_type: event.type_name().to_owned(),
        schema_version: SCHEMA_VERSION,
        payload: encode_payload(event)?,
        metadata,
    })
}
