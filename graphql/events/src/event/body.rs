//! Request bodies as the collector receives them, turned into events; and the limits.

use std::io;

use serde_json::{Map, Value};

use super::{Call, Event};

/// The most bytes one event may take, measured as compact JSON (`serde_json`'s
/// serialization of the event as sent, before the batch's `context` is merged in).
/// Segment's limit: 32 KB. Over it the request is refused (`400`).
pub const MAX_EVENT_BYTES: usize = 32 * 1024;

/// The most bytes one request body may take **after decompression**. Segment's limit:
/// 500 KB. The collector must stop reading (and inflating) at this many bytes; over it
/// the request is refused (`400`).
pub const MAX_REQUEST_BYTES: usize = 500 * 1024;

/// The most events one batch may hold. Segment's limit: 2,500. Over it the request is
/// refused (`400`).
pub const MAX_BATCH_EVENTS: usize = 2_500;

/// A request body, read: its events and the write key it carried (if any).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Body {
    /// The events, in the order sent. Each may still break Segment's rules:
    /// see [`Event::problems`].
    pub events: Vec<Event>,
    /// `writeKey` from the body (analytics.js sends it there when it posts as
    /// `text/plain`); the collector uses it when no HTTP Basic credentials came.
    pub write_key: Option<String>,
}

/// Why a request body holds no events at all. The collector answers `400` with
/// [`BodyError::as_str`] as the reason and the message as the sentence; nothing of such
/// a request is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// The body is longer than [`MAX_REQUEST_BYTES`].
    #[error("the request body is {bytes} bytes; the limit is {MAX_REQUEST_BYTES}")]
    RequestTooLarge {
        /// The body's length (or the length read so far when reading stopped).
        bytes: usize,
    },
    /// The body is not JSON.
    #[error("the request body is not JSON: {reason}")]
    NotJson {
        /// What the JSON parser said.
        reason: String,
    },
    /// The body is JSON but not an object.
    #[error("the request body must be a JSON object")]
    NotAnObject,
    /// A batch body without `batch`.
    #[error("a batch needs a `batch` field holding its events")]
    MissingBatch,
    /// A batch body whose `batch` is not an array.
    #[error("`batch` must be an array of events")]
    BatchNotAnArray,
    /// A batch with more than [`MAX_BATCH_EVENTS`] events.
    #[error("the batch holds {count} events; the limit is {MAX_BATCH_EVENTS}")]
    TooManyEvents {
        /// How many it holds.
        count: usize,
    },
    /// A batch's element that is not a JSON object, so not an event.
    #[error("event {index} of the batch is not a JSON object")]
    EventNotAnObject {
        /// Its position in the batch, from 0.
        index: usize,
    },
    /// An event over [`MAX_EVENT_BYTES`].
    #[error("event {index} is {bytes} bytes; the limit is {MAX_EVENT_BYTES}")]
    EventTooLarge {
        /// Its position in the batch, from 0 (0 for a single call).
        index: usize,
        /// Its size as compact JSON.
        bytes: usize,
    },
    /// A batch's `context` or `integrations` that is neither an object nor `null`.
    #[error("the batch's `{field}` must be a JSON object")]
    FieldNotAnObject {
        /// `"context"` or `"integrations"`.
        field: &'static str,
    },
}

impl BodyError {
    /// A stable machine reason, for the `400` answer's JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            BodyError::RequestTooLarge { .. } => "request_too_large",
            BodyError::NotJson { .. } => "invalid_json",
            BodyError::NotAnObject => "body_not_an_object",
            BodyError::MissingBatch => "missing_batch",
            BodyError::BatchNotAnArray => "batch_not_an_array",
            BodyError::TooManyEvents { .. } => "too_many_events",
            BodyError::EventNotAnObject { .. } => "event_not_an_object",
            BodyError::EventTooLarge { .. } => "event_too_large",
            BodyError::FieldNotAnObject { .. } => "field_not_an_object",
        }
    }
}

/// Reads a (decompressed) request body: the size limit, then JSON, then [`parse_body`].
pub fn parse_request(call: Call, bytes: &[u8]) -> Result<Body, BodyError> {
    if bytes.len() > MAX_REQUEST_BYTES {
        return Err(BodyError::RequestTooLarge { bytes: bytes.len() });
    }
    let body = serde_json::from_slice(bytes).map_err(|error| BodyError::NotJson {
        reason: error.to_string(),
    })?;
    parse_body(call, body)
}

/// Turns a request body into events.
///
/// - **A single call** (`/v1/track` …): the body is the event. The path gives its type
///   when the body has none (`type` absent or `null`); a `type` the body does give is
///   kept as sent, so a body that contradicts its path (or names no type at all) shows
///   up as what it is rather than being silently relabelled.
///   A `writeKey` in the body is taken out of the event into [`Body::write_key`]: it is
///   the request's credential, not part of the event.
/// - **A batch** (`/v1/batch`, `/v1/import`, `/v1/b`):
///   `{ batch: [event, …], context, integrations, sentAt, writeKey }`. Each event keeps
///   its own `type` (one that is missing or unknown makes the event invalid, not the
///   batch). The batch's `context` and `integrations` are merged **under** each event's
///   own: a key the event has wins, a key only the batch has is added, and where both
///   hold an object the two are merged the same way, key by key (so an event's
///   `context.page.url` survives beside the batch's `context.page.title`). The batch's
///   `sentAt` becomes the `sentAt` of each event that has none. `writeKey` goes to
///   [`Body::write_key`]; any other top-level field of a batch is not part of an event
///   and is dropped. A `writeKey` inside an event (analytics.js repeats it in each) is
///   taken out too, and is the request's when the batch names none.
///
/// Fails only when the body holds no events at all or breaks a limit
/// ([`MAX_EVENT_BYTES`], [`MAX_BATCH_EVENTS`]); an event that breaks Segment's rules is
/// returned like any other.
pub fn parse_body(call: Call, body: Value) -> Result<Body, BodyError> {
    let Value::Object(mut body) = body else {
        return Err(BodyError::NotAnObject);
    };
    match call {
        Call::Single(kind) => {
            check_event_size(0, &body)?;
            let write_key = take_write_key(&mut body);
            if body.get("type").is_none_or(Value::is_null) {
                body.insert("type".to_owned(), Value::String(kind.as_str().to_owned()));
            }
            Ok(Body {
                events: vec![Event::from_payload(body)],
                write_key,
            })
        }
        Call::Batch => parse_batch(body),
    }
}

fn parse_batch(mut body: Map<String, Value>) -> Result<Body, BodyError> {
    let batch = match body.remove("batch") {
        Some(Value::Array(batch)) => batch,
        None | Some(Value::Null) => return Err(BodyError::MissingBatch),
        Some(_) => return Err(BodyError::BatchNotAnArray),
    };
    if batch.len() > MAX_BATCH_EVENTS {
        return Err(BodyError::TooManyEvents { count: batch.len() });
    }
    let mut write_key = take_write_key(&mut body);
    let context = shared_object(&body, "context")?;
    let integrations = shared_object(&body, "integrations")?;
    let sent_at = body.get("sentAt").filter(|value| !value.is_null());

    let mut events = Vec::with_capacity(batch.len());
    for (index, element) in batch.into_iter().enumerate() {
        let Value::Object(mut payload) = element else {
            return Err(BodyError::EventNotAnObject { index });
        };
        check_event_size(index, &payload)?;
        // analytics.js's batches repeat the key in every event: the credential, not data.
        let own_key = take_write_key(&mut payload);
        if write_key.is_none() {
            write_key = own_key;
        }
        if let Some(context) = context {
            merge_under(&mut payload, "context", context);
        }
        if let Some(integrations) = integrations {
            merge_under(&mut payload, "integrations", integrations);
        }
        if let Some(sent_at) = sent_at {
            if payload.get("sentAt").is_none_or(Value::is_null) {
                payload.insert("sentAt".to_owned(), sent_at.clone());
            }
        }
        events.push(Event::from_payload(payload));
    }
    Ok(Body { events, write_key })
}

/// A batch-level object (`context`, `integrations`): `None` when absent or `null`.
fn shared_object<'a>(
    body: &'a Map<String, Value>,
    field: &'static str,
) -> Result<Option<&'a Map<String, Value>>, BodyError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(object)) => Ok(Some(object)),
        Some(_) => Err(BodyError::FieldNotAnObject { field }),
    }
}

/// Merges the batch's `shared` object under the event's own `field`.
fn merge_under(payload: &mut Map<String, Value>, field: &str, shared: &Map<String, Value>) {
    match payload.get_mut(field) {
        Some(Value::Object(own)) => merge_objects(own, shared),
        // An event's own non-object value (a string context, say) is what it sent: keep it.
        Some(own) if !own.is_null() => {}
        _ => {
            payload.insert(field.to_owned(), Value::Object(shared.clone()));
        }
    }
}

/// Adds to `own` every key of `shared` it lacks, recursing where both hold objects.
fn merge_objects(own: &mut Map<String, Value>, shared: &Map<String, Value>) {
    for (key, shared_value) in shared {
        match own.get_mut(key) {
            Some(Value::Object(own_object)) => {
                if let Value::Object(shared_object) = shared_value {
                    merge_objects(own_object, shared_object);
                }
            }
            Some(own_value) if !own_value.is_null() => {}
            _ => {
                own.insert(key.clone(), shared_value.clone());
            }
        }
    }
}

/// Takes a string `writeKey` out of a body (anything else under that name is left).
fn take_write_key(body: &mut Map<String, Value>) -> Option<String> {
    match body.get("writeKey") {
        Some(Value::String(_)) => match body.remove("writeKey") {
            Some(Value::String(key)) if !key.is_empty() => Some(key),
            _ => None,
        },
        _ => None,
    }
}

fn check_event_size(index: usize, payload: &Map<String, Value>) -> Result<(), BodyError> {
    let bytes = json_len(payload);
    if bytes > MAX_EVENT_BYTES {
        return Err(BodyError::EventTooLarge { index, bytes });
    }
    Ok(())
}

/// The length of `payload` as compact JSON, counted without building the text.
fn json_len(payload: &Map<String, Value>) -> usize {
    struct Counter(usize);
    impl io::Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    // Writing a `Map` into a sink that never fails cannot fail.
    let _ = serde_json::to_writer(&mut counter, payload);
    counter.0
}
