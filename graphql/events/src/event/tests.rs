//! The event model against the examples of Segment's spec pages
//! (segment.com/docs/connections/spec/{track,identify,page,screen,group,alias,common}).

use serde_json::{json, Value};
use time::macros::datetime;
use time::OffsetDateTime;

use super::*;

/// An event over a JSON literal that must be an object.
fn event(payload: Value) -> Event {
    match payload {
        Value::Object(payload) => Event::from_payload(payload),
        other => panic!("a test payload must be an object, not {other}"),
    }
}

fn single(kind: EventType, body: Value) -> Event {
    let mut parsed = parse_body(Call::Single(kind), body).expect("a single call's body parses");
    assert_eq!(parsed.events.len(), 1, "a single call is one event");
    parsed.events.remove(0)
}

fn time(text: &str) -> OffsetDateTime {
    parse_time(text).expect("the test's time is RFC 3339")
}

/// The complete `track` example of the Track spec page, as Segment shows it once received.
fn spec_track_course_clicked() -> Value {
    json!({
      "anonymousId": "23adfd82-aa0f-45a7-a756-24f2a7a4c895",
      "context": {
        "library": { "name": "analytics.js", "version": "2.11.1" },
        "page": {
          "path": "/academy/", "referrer": "", "search": "",
          "title": "Analytics Academy", "url": "https://segment.com/academy/"
        },
        "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/46.0.2490.86 Safari/537.36",
        "ip": "108.0.78.21"
      },
      "event": "Course Clicked",
      "integrations": {},
      "messageId": "ajs-f8ca1e4de5024d9430b3928bd8ac6b96",
      "properties": { "title": "Intro to Analytics" },
      "receivedAt": "2015-12-12T19:11:01.266Z",
      "sentAt": "2015-12-12T19:11:01.169Z",
      "timestamp": "2015-12-12T19:11:01.249Z",
      "type": "track",
      "userId": "AiUGstSDIg",
      "originalTimestamp": "2015-12-12T19:11:01.152Z"
    })
}

/// The complete `identify` example of the Identify spec page.
fn spec_identify() -> Value {
    json!({
      "anonymousId": "507f191e810c19729de860ea",
      "channel": "browser",
      "context": {
        "ip": "8.8.8.8",
        "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/40.0.2214.115 Safari/537.36"
      },
      "integrations": { "All": false, "Mixpanel": true, "Salesforce": true },
      "messageId": "022bb90c-bbac-11e4-8dfc-aa07a5b093db",
      "receivedAt": "2015-02-23T22:28:55.387Z",
      "sentAt": "2015-02-23T22:28:55.111Z",
      "timestamp": "2015-02-23T22:28:55.111Z",
      "traits": {
        "name": "Peter Gibbons",
        "email": "peter@example.com",
        "plan": "premium",
        "logins": 5,
        "address": {
          "street": "6th St", "city": "San Francisco", "state": "CA",
          "postalCode": "94103", "country": "USA"
        }
      },
      "type": "identify",
      "userId": "97980cfea0067",
      "version": "1.1"
    })
}

/// The complete `page` example of the Page spec page.
fn spec_page_home() -> Value {
    json!({
      "anonymousId": "507f191e810c19729de860ea",
      "channel": "browser",
      "context": { "ip": "8.8.8.8" },
      "integrations": { "All": true, "Mixpanel": false, "Salesforce": false },
      "messageId": "022bb90c-bbac-11e4-8dfc-aa07a5b093db",
      "name": "Home",
      "properties": { "title": "Welcome | Initech", "url": "http://www.example.com" },
      "receivedAt": "2015-02-23T22:28:55.387Z",
      "sentAt": "2015-02-23T22:28:55.111Z",
      "timestamp": "2015-02-23T22:28:55.111Z",
      "type": "page",
      "userId": "97980cfea0067",
      "version": "1.1"
    })
}

/// The complete `screen` example of the Screen spec page.
fn spec_screen_home() -> Value {
    json!({
      "anonymousId": "3a12eab0-bca7-11e4-8dfc-aa07a5b093db",
      "channel": "mobile",
      "context": { "ip": "8.8.8.8" },
      "integrations": { "All": true, "Mixpanel": false, "Salesforce": false },
      "messageId": "022bb90c-bbac-11e4-8dfc-aa07a5b093db",
      "name": "Home",
      "properties": { "variation": "blue signup button" },
      "receivedAt": "2015-02-23T22:28:55.387Z",
      "sentAt": "2015-02-23T22:28:55.111Z",
      "timestamp": "2015-02-23T22:28:55.111Z",
      "type": "screen",
      "userId": "97980cfea0067",
      "version": "1.1"
    })
}

/// The complete `group` example of the Group spec page.
fn spec_group_initech() -> Value {
    json!({
      "anonymousId": "507f191e810c19729de860ea",
      "channel": "browser",
      "context": { "ip": "8.8.8.8" },
      "integrations": { "All": true, "Mixpanel": false, "Salesforce": false },
      "messageId": "022bb90c-bbac-11e4-8dfc-aa07a5b093db",
      "receivedAt": "2015-02-23T22:28:55.387Z",
      "sentAt": "2015-02-23T22:28:55.111Z",
      "timestamp": "2015-02-23T22:28:55.111Z",
      "traits": {
        "name": "Initech", "industry": "Technology", "employees": 329,
        "plan": "enterprise", "total billed": 830
      },
      "type": "group",
      "userId": "97980cfea0067",
      "groupId": "0e8c78ea9d97a7b8185e8632",
      "version": "1.1"
    })
}

/// The complete `alias` example of the Alias spec page.
fn spec_alias() -> Value {
    json!({
      "anonymousId": "507f191e810c19729de860ea",
      "channel": "browser",
      "context": { "ip": "8.8.8.8" },
      "integrations": { "All": true, "Mixpanel": false, "Salesforce": false },
      "messageId": "022bb90c-bbac-11e4-8dfc-aa07a5b093db",
      "previousId": "39239-239239-239239-23923",
      "receivedAt": "2015-02-23T22:28:55.387Z",
      "sentAt": "2015-02-23T22:28:55.111Z",
      "timestamp": "2015-02-23T22:28:55.111Z",
      "type": "alias",
      "userId": "507f191e81",
      "version": "1.1"
    })
}

// --- The call types and their fields, from the spec's examples --------------------------

#[test]
fn the_spec_track_example_reads_with_every_common_field() {
    let track = event(spec_track_course_clicked());
    assert_eq!(track.event_type(), Some(EventType::Track));
    assert_eq!(track.event_name(), Some("Course Clicked"));
    assert_eq!(
        track.label(),
        Some("Course Clicked"),
        "a track is shown by its event"
    );
    assert_eq!(track.user_id().as_deref(), Some("AiUGstSDIg"));
    assert_eq!(
        track.anonymous_id().as_deref(),
        Some("23adfd82-aa0f-45a7-a756-24f2a7a4c895")
    );
    assert_eq!(
        track.message_id().as_deref(),
        Some("ajs-f8ca1e4de5024d9430b3928bd8ac6b96")
    );
    assert_eq!(
        track.properties().and_then(|p| p.get("title")),
        Some(&json!("Intro to Analytics"))
    );
    let context = track.context().expect("the example has a context");
    assert_eq!(context.get("ip"), Some(&json!("108.0.78.21")));
    assert_eq!(
        track.integrations().map(|i| i.len()),
        Some(0),
        "an empty integrations object is still an object"
    );
    assert_eq!(
        track.sent_at(),
        Some(datetime!(2015-12-12 19:11:01.169 UTC))
    );
    assert_eq!(
        track.timestamp(),
        Some(datetime!(2015-12-12 19:11:01.249 UTC))
    );
    assert_eq!(
        track.original_timestamp(),
        Some(datetime!(2015-12-12 19:11:01.152 UTC))
    );
    assert_eq!(
        track.received_at(),
        Some(datetime!(2015-12-12 19:11:01.266 UTC))
    );
    assert!(
        track.is_valid(),
        "the spec's example breaks no rule: {:?}",
        track.problems()
    );
}

#[test]
fn the_spec_typical_track_registered_needs_only_an_identity_to_be_valid() {
    let typical = json!({
      "type": "track",
      "event": "Registered",
      "properties": { "plan": "Pro Annual", "accountType": "Facebook" }
    });
    let registered = event(typical.clone());
    assert_eq!(registered.event_name(), Some("Registered"));
    assert_eq!(
        registered.problems(),
        vec![Problem::MissingUserIdAndAnonymousId],
        "the spec strips the common fields, ids among them"
    );
    let mut identified = typical;
    identified["userId"] = json!("97980cfea0067");
    assert!(event(identified).is_valid());
}

#[test]
fn the_spec_identify_example_has_traits_and_its_integrations() {
    let identify = event(spec_identify());
    assert_eq!(identify.event_type(), Some(EventType::Identify));
    let traits = identify.traits().expect("identify carries traits");
    assert_eq!(traits.get("email"), Some(&json!("peter@example.com")));
    assert_eq!(traits.get("logins"), Some(&json!(5)));
    assert_eq!(
        identify.integrations().and_then(|i| i.get("All")),
        Some(&json!(false))
    );
    assert_eq!(identify.label(), None, "an identify has no name to show");
    assert!(identify.is_valid());
}

#[test]
fn the_spec_page_example_is_shown_by_its_name_and_keeps_its_category() {
    let page = event(spec_page_home());
    assert_eq!(page.event_type(), Some(EventType::Page));
    assert_eq!(page.name(), Some("Home"));
    assert_eq!(page.label(), Some("Home"));
    assert_eq!(
        page.properties().and_then(|p| p.get("url")),
        Some(&json!("http://www.example.com"))
    );
    assert!(page.is_valid());

    // analytics.page("Docs", "Pricing"): category first, then name.
    let pricing = event(json!({
      "type": "page", "category": "Docs", "name": "Pricing",
      "anonymousId": "507f191e810c19729de860ea",
      "properties": { "path": "/pricing", "title": "Segment Pricing" }
    }));
    assert_eq!(pricing.category(), Some("Docs"));
    assert_eq!(pricing.label(), Some("Pricing"));
    assert!(pricing.is_valid());
}

#[test]
fn a_page_or_screen_without_a_name_is_still_valid() {
    for kind in [EventType::Page, EventType::Screen] {
        let unnamed = event(json!({ "type": kind.as_str(), "anonymousId": "a1" }));
        assert_eq!(unnamed.label(), None);
        assert!(
            unnamed.is_valid(),
            "the spec makes `name` optional for a {kind}"
        );
    }
}

#[test]
fn the_spec_screen_example_is_shown_by_its_name() {
    let screen = event(spec_screen_home());
    assert_eq!(screen.event_type(), Some(EventType::Screen));
    assert_eq!(screen.label(), Some("Home"));
    assert_eq!(
        screen.properties().and_then(|p| p.get("variation")),
        Some(&json!("blue signup button"))
    );
    assert!(screen.is_valid());
}

#[test]
fn the_spec_group_example_has_its_group_id_and_traits() {
    let group = event(spec_group_initech());
    assert_eq!(group.event_type(), Some(EventType::Group));
    assert_eq!(
        group.group_id().as_deref(),
        Some("0e8c78ea9d97a7b8185e8632")
    );
    assert_eq!(
        group.traits().and_then(|t| t.get("employees")),
        Some(&json!(329))
    );
    assert!(group.is_valid());
}

#[test]
fn the_spec_alias_example_has_its_previous_id() {
    let alias = event(spec_alias());
    assert_eq!(alias.event_type(), Some(EventType::Alias));
    assert_eq!(
        alias.previous_id().as_deref(),
        Some("39239-239239-239239-23923")
    );
    assert_eq!(alias.user_id().as_deref(), Some("507f191e81"));
    assert!(alias.is_valid());
}

#[test]
fn the_payload_keeps_fields_outside_the_spec() {
    let identify = event(spec_identify());
    assert_eq!(identify.payload().get("channel"), Some(&json!("browser")));
    assert_eq!(identify.payload().get("version"), Some(&json!("1.1")));
    assert_eq!(identify.into_payload(), spec_identify(), "nothing is lost");
}

// --- Types and paths ------------------------------------------------------------------

#[test]
fn event_types_use_the_wire_spelling_both_ways() {
    for kind in EventType::ALL {
        assert_eq!(kind.as_str().parse::<EventType>(), Ok(kind));
        assert_eq!(serde_json::to_value(kind).ok(), Some(json!(kind.as_str())));
        assert_eq!(kind.to_string(), kind.as_str());
    }
    assert!(
        "Track".parse::<EventType>().is_err(),
        "the spelling is exact"
    );
    assert_eq!(
        "click".parse::<EventType>(),
        Err(UnknownEventType("click".to_owned()))
    );
}

#[test]
fn collector_paths_name_their_calls_long_and_short() {
    let pairs = [
        ("track", "t", EventType::Track),
        ("identify", "i", EventType::Identify),
        ("page", "p", EventType::Page),
        ("screen", "s", EventType::Screen),
        ("group", "g", EventType::Group),
        ("alias", "a", EventType::Alias),
    ];
    for (long, short, kind) in pairs {
        assert_eq!(Call::from_path(long), Some(Call::Single(kind)));
        assert_eq!(Call::from_path(short), Some(Call::Single(kind)));
    }
    for batch in ["batch", "b", "import"] {
        assert_eq!(Call::from_path(batch), Some(Call::Batch));
    }
    assert_eq!(
        Call::from_path("m"),
        None,
        "analytics.js's metrics are not a call"
    );
    assert_eq!(Call::from_path("events"), None);
}

// --- The rules ------------------------------------------------------------------------

#[test]
fn an_event_needs_a_user_id_or_an_anonymous_id() {
    let only_user = event(json!({ "type": "identify", "userId": "u1" }));
    let only_anonymous = event(json!({ "type": "identify", "anonymousId": "a1" }));
    let neither = event(json!({ "type": "identify", "traits": { "plan": "premium" } }));
    assert!(only_user.is_valid());
    assert!(only_anonymous.is_valid());
    assert_eq!(
        neither.problems(),
        vec![Problem::MissingUserIdAndAnonymousId]
    );
}

#[test]
fn empty_or_null_ids_count_as_absent() {
    let empty = event(json!({ "type": "page", "userId": "", "anonymousId": null }));
    assert_eq!(empty.user_id(), None);
    assert_eq!(empty.problems(), vec![Problem::MissingUserIdAndAnonymousId]);
    let wrong_type = event(json!({ "type": "page", "userId": true, "anonymousId": {} }));
    assert_eq!(
        wrong_type.problems(),
        vec![Problem::MissingUserIdAndAnonymousId]
    );
}

#[test]
fn ids_given_as_numbers_read_as_strings_and_stay_numbers_in_the_payload() {
    let numeric = event(json!({
      "type": "group", "userId": 42, "anonymousId": 7.5, "groupId": 1001,
      "messageId": 123456789012_u64
    }));
    assert_eq!(numeric.user_id().as_deref(), Some("42"));
    assert_eq!(numeric.anonymous_id().as_deref(), Some("7.5"));
    assert_eq!(numeric.group_id().as_deref(), Some("1001"));
    assert_eq!(numeric.message_id().as_deref(), Some("123456789012"));
    assert!(numeric.is_valid(), "numeric ids satisfy the rules");
    assert_eq!(numeric.payload().get("userId"), Some(&json!(42)));

    let alias = event(json!({ "type": "alias", "userId": 2, "previousId": 0 }));
    assert_eq!(alias.previous_id().as_deref(), Some("0"), "zero is an id");
    assert!(alias.is_valid());
}

#[test]
fn a_track_needs_its_event_name() {
    let mut body = spec_track_course_clicked();
    body.as_object_mut().map(|payload| payload.remove("event"));
    assert_eq!(event(body.clone()).problems(), vec![Problem::MissingEvent]);
    body["event"] = json!("");
    assert_eq!(event(body.clone()).problems(), vec![Problem::MissingEvent]);
    body["event"] = json!(12);
    assert_eq!(
        event(body).problems(),
        vec![Problem::MissingEvent],
        "an event name is text"
    );
}

#[test]
fn only_a_track_needs_an_event_name() {
    let page = event(json!({ "type": "page", "userId": "u1" }));
    assert!(page.is_valid());
}

#[test]
fn a_group_needs_its_group_id() {
    let mut body = spec_group_initech();
    body["groupId"] = json!(null);
    assert_eq!(
        event(body.clone()).problems(),
        vec![Problem::MissingGroupId]
    );
    body["groupId"] = json!("");
    assert_eq!(event(body).problems(), vec![Problem::MissingGroupId]);
}

#[test]
fn an_alias_needs_its_previous_id() {
    let mut body = spec_alias();
    body.as_object_mut()
        .map(|payload| payload.remove("previousId"));
    assert_eq!(event(body).problems(), vec![Problem::MissingPreviousId]);
}

#[test]
fn an_event_can_break_several_rules_at_once() {
    let bare_track = event(json!({ "type": "track" }));
    assert_eq!(
        bare_track.problems(),
        vec![Problem::MissingUserIdAndAnonymousId, Problem::MissingEvent]
    );
}

#[test]
fn an_event_without_a_known_type_is_invalid() {
    let untyped = event(json!({ "userId": "u1", "event": "Clicked" }));
    assert_eq!(untyped.event_type(), None);
    assert_eq!(untyped.problems(), vec![Problem::UnknownType]);
    let unknown = event(json!({ "type": "click", "userId": "u1" }));
    assert_eq!(unknown.problems(), vec![Problem::UnknownType]);
}

#[test]
fn problems_have_stable_distinct_reasons_and_sentences() {
    let reasons: Vec<&str> = Problem::ALL.iter().map(|p| p.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "missing_user_id_and_anonymous_id",
            "missing_event",
            "missing_group_id",
            "missing_previous_id",
            "duplicate_message_id",
            "unknown_type",
        ]
    );
    for problem in Problem::ALL {
        assert_eq!(problem.as_str().parse::<Problem>(), Ok(problem));
        assert!(
            problem.description().ends_with('.'),
            "{problem:?} reads as a sentence"
        );
        assert_eq!(problem.to_string(), problem.description());
    }
    assert!("missing".parse::<Problem>().is_err());
}

#[test]
fn validation_never_reports_a_duplicate_message_id() {
    // The store knows which ids came before; an event alone cannot.
    let twice = event(spec_alias());
    assert!(!twice.problems().contains(&Problem::DuplicateMessageId));
}

// --- messageId ------------------------------------------------------------------------

#[test]
fn a_message_id_is_assigned_only_when_absent() {
    let mut anonymous = event(json!({ "type": "page", "anonymousId": "a1" }));
    assert!(anonymous.assign_message_id("houston-1"));
    assert_eq!(anonymous.message_id().as_deref(), Some("houston-1"));
    assert!(
        !anonymous.assign_message_id("houston-2"),
        "the first id stays"
    );
    assert_eq!(anonymous.message_id().as_deref(), Some("houston-1"));

    let mut sent = event(spec_page_home());
    assert!(!sent.assign_message_id("houston-3"));
    assert_eq!(
        sent.message_id().as_deref(),
        Some("022bb90c-bbac-11e4-8dfc-aa07a5b093db")
    );

    let mut empty = event(json!({ "type": "page", "messageId": "" }));
    assert!(empty.assign_message_id("houston-4"), "an empty id is no id");
    assert_eq!(empty.payload().get("messageId"), Some(&json!("houston-4")));
}

// --- Bodies: single calls -------------------------------------------------------------

#[test]
fn a_single_call_takes_its_type_from_the_path() {
    let registered = single(
        EventType::Track,
        json!({ "event": "Registered", "userId": "u1", "properties": { "plan": "Pro Annual" } }),
    );
    assert_eq!(registered.event_type(), Some(EventType::Track));
    assert_eq!(registered.payload().get("type"), Some(&json!("track")));
    assert!(registered.is_valid());

    let null_type = single(
        EventType::Alias,
        json!({ "type": null, "userId": "u", "previousId": "a" }),
    );
    assert_eq!(
        null_type.event_type(),
        Some(EventType::Alias),
        "a null type is no type"
    );
}

#[test]
fn a_single_calls_own_type_is_kept_as_sent() {
    let contradicting = single(
        EventType::Page,
        json!({ "type": "track", "anonymousId": "a" }),
    );
    assert_eq!(contradicting.event_type(), Some(EventType::Track));
    assert_eq!(
        contradicting.problems(),
        vec![Problem::MissingEvent],
        "it is judged as the track it says it is"
    );
    let unknown = single(
        EventType::Track,
        json!({ "type": "click", "event": "Clicked", "userId": "u" }),
    );
    assert_eq!(unknown.payload().get("type"), Some(&json!("click")));
    assert_eq!(unknown.problems(), vec![Problem::UnknownType]);
}

#[test]
fn an_event_serializes_as_its_payload() {
    let page = event(spec_page_home());
    assert_eq!(serde_json::to_value(&page).ok(), Some(spec_page_home()));
    let back: Result<Event, _> = serde_json::from_value(spec_page_home());
    assert_eq!(back.ok(), Some(page));
    assert!(
        serde_json::from_value::<Event>(json!([1])).is_err(),
        "an event is an object"
    );
}

#[test]
fn a_write_key_in_the_body_is_the_requests_not_the_events() {
    let parsed = parse_body(
        Call::Single(EventType::Identify),
        json!({ "writeKey": "V1StGXR8_Z5jdHi6B-myT", "userId": "u1" }),
    )
    .expect("parses");
    assert_eq!(parsed.write_key.as_deref(), Some("V1StGXR8_Z5jdHi6B-myT"));
    assert_eq!(parsed.events[0].payload().get("writeKey"), None);
}

#[test]
fn a_body_that_is_not_an_object_is_refused() {
    for body in [json!([]), json!("track"), json!(null), json!(3)] {
        assert_eq!(
            parse_body(Call::Single(EventType::Track), body.clone()),
            Err(BodyError::NotAnObject)
        );
        assert_eq!(parse_body(Call::Batch, body), Err(BodyError::NotAnObject));
    }
}

#[test]
fn parse_request_reads_bytes_and_refuses_what_is_not_json() {
    let parsed = parse_request(
        Call::Single(EventType::Track),
        br#"{"event":"Registered","anonymousId":"a1"}"#,
    )
    .expect("JSON parses");
    assert_eq!(parsed.events[0].event_name(), Some("Registered"));

    let refused = parse_request(Call::Batch, b"{\"batch\": [");
    assert!(
        matches!(&refused, Err(BodyError::NotJson { .. })),
        "{refused:?}"
    );
    assert_eq!(refused.err().map(|e| e.as_str()), Some("invalid_json"));
}

// --- Bodies: batches ------------------------------------------------------------------

#[test]
fn a_batch_keeps_each_events_type_and_valid_and_invalid_alike() {
    let parsed = parse_body(
        Call::Batch,
        json!({
          "batch": [
            { "type": "track", "event": "Registered", "userId": "u1" },
            { "type": "track", "userId": "u1" },
            { "type": "page", "name": "Home", "anonymousId": "a1" },
            { "event": "no type" }
          ]
        }),
    )
    .expect("a batch parses");
    let problems: Vec<Vec<Problem>> = parsed.events.iter().map(Event::problems).collect();
    assert_eq!(
        problems,
        vec![
            vec![],
            vec![Problem::MissingEvent],
            vec![],
            vec![Problem::MissingUserIdAndAnonymousId, Problem::UnknownType],
        ],
        "invalid events come back with their reasons, never dropped"
    );
}

#[test]
fn a_batch_merges_its_context_and_integrations_under_each_events_own() {
    let parsed = parse_body(
        Call::Batch,
        json!({
          "batch": [
            {
              "type": "track", "event": "Article Completed", "userId": "u1",
              "context": { "ip": "8.8.8.8", "page": { "url": "https://example.com/a" } },
              "integrations": { "Mixpanel": false }
            },
            { "type": "identify", "userId": "u1" }
          ],
          "context": {
            "ip": "10.0.0.1",
            "library": { "name": "analytics-node", "version": "2.1.0" },
            "page": { "title": "Article", "url": "https://example.com/shared" }
          },
          "integrations": { "All": true, "Mixpanel": true },
          "writeKey": "V1StGXR8_Z5jdHi6B-myT"
        }),
    )
    .expect("a batch parses");
    assert_eq!(parsed.write_key.as_deref(), Some("V1StGXR8_Z5jdHi6B-myT"));

    let article = &parsed.events[0];
    assert_eq!(
        article.context().cloned().map(Value::Object),
        Some(json!({
          "ip": "8.8.8.8",
          "library": { "name": "analytics-node", "version": "2.1.0" },
          "page": { "url": "https://example.com/a", "title": "Article" }
        })),
        "the event's own keys win, at every depth; the batch fills the rest"
    );
    assert_eq!(
        article.integrations().cloned().map(Value::Object),
        Some(json!({ "Mixpanel": false, "All": true }))
    );

    let identify = &parsed.events[1];
    assert_eq!(
        identify.context().and_then(|c| c.get("ip")),
        Some(&json!("10.0.0.1")),
        "an event with no context takes the batch's"
    );
    assert_eq!(identify.payload().get("writeKey"), None);
}

#[test]
fn a_batch_sent_at_applies_to_events_without_their_own() {
    let parsed = parse_body(
        Call::Batch,
        json!({
          "batch": [
            { "type": "page", "anonymousId": "a", "timestamp": "2026-12-01T10:00:00.000Z" },
            { "type": "page", "anonymousId": "a", "sentAt": "2026-12-01T10:00:05.000Z" }
          ],
          "sentAt": "2026-12-01T10:00:02.000Z"
        }),
    )
    .expect("a batch parses");
    assert_eq!(
        parsed.events[0].sent_at(),
        Some(datetime!(2026-12-01 10:00:02 UTC))
    );
    assert_eq!(
        parsed.events[1].sent_at(),
        Some(datetime!(2026-12-01 10:00:05 UTC))
    );
}

#[test]
fn malformed_batches_are_refused_with_a_reason() {
    let cases = [
        (json!({}), BodyError::MissingBatch, "missing_batch"),
        (
            json!({ "batch": {} }),
            BodyError::BatchNotAnArray,
            "batch_not_an_array",
        ),
        (
            json!({ "batch": [{ "type": "page" }, 7] }),
            BodyError::EventNotAnObject { index: 1 },
            "event_not_an_object",
        ),
        (
            json!({ "batch": [], "context": "web" }),
            BodyError::FieldNotAnObject { field: "context" },
            "field_not_an_object",
        ),
    ];
    for (body, error, reason) in cases {
        assert_eq!(parse_body(Call::Batch, body), Err(error.clone()));
        assert_eq!(error.as_str(), reason);
    }
    let empty = parse_body(Call::Batch, json!({ "batch": [] })).expect("an empty batch parses");
    assert!(empty.events.is_empty());
}

// --- Limits ---------------------------------------------------------------------------

#[test]
fn the_limits_are_segments() {
    assert_eq!(MAX_EVENT_BYTES, 32_768);
    assert_eq!(MAX_REQUEST_BYTES, 512_000);
    assert_eq!(MAX_BATCH_EVENTS, 2_500);
}

#[test]
fn a_batch_of_2500_events_passes_and_2501_is_refused() {
    let one = json!({ "type": "track", "event": "Tick", "anonymousId": "a" });
    let full = json!({ "batch": vec![one.clone(); MAX_BATCH_EVENTS] });
    let parsed = parse_body(Call::Batch, full).expect("2,500 events are allowed");
    assert_eq!(parsed.events.len(), MAX_BATCH_EVENTS);

    let over = json!({ "batch": vec![one; MAX_BATCH_EVENTS + 1] });
    let refused = parse_body(Call::Batch, over);
    assert_eq!(refused, Err(BodyError::TooManyEvents { count: 2_501 }));
}

#[test]
fn an_event_over_32_kb_is_refused_and_one_at_the_limit_passes() {
    let base = json!({ "type": "track", "event": "Big", "anonymousId": "a", "properties": { "blob": "" } });
    let base_len = serde_json::to_string(&base).map(|t| t.len()).unwrap_or(0);
    let at_limit = |extra: usize| {
        let mut body = base.clone();
        body["properties"]["blob"] = json!("x".repeat(MAX_EVENT_BYTES - base_len + extra));
        body
    };
    assert!(parse_body(Call::Single(EventType::Track), at_limit(0)).is_ok());
    assert_eq!(
        parse_body(Call::Single(EventType::Track), at_limit(1)),
        Err(BodyError::EventTooLarge {
            index: 0,
            bytes: MAX_EVENT_BYTES + 1
        })
    );
    let batch = json!({ "batch": [base, at_limit(1)] });
    assert_eq!(
        parse_body(Call::Batch, batch),
        Err(BodyError::EventTooLarge {
            index: 1,
            bytes: MAX_EVENT_BYTES + 1
        })
    );
}

#[test]
fn a_request_over_500_kb_is_refused_before_it_is_read() {
    let over = vec![b' '; MAX_REQUEST_BYTES + 1];
    assert_eq!(
        parse_request(Call::Batch, &over),
        Err(BodyError::RequestTooLarge {
            bytes: MAX_REQUEST_BYTES + 1
        })
    );
}

// --- Timestamps -----------------------------------------------------------------------

#[test]
fn the_spec_track_example_corrects_its_skew_to_the_spec_timestamp() {
    // As analytics.js sends it: the device's time in `timestamp`, and `sentAt`.
    let sent = single(
        EventType::Track,
        json!({
          "event": "Course Clicked", "userId": "AiUGstSDIg",
          "timestamp": "2015-12-12T19:11:01.152Z",
          "sentAt": "2015-12-12T19:11:01.169Z"
        }),
    );
    let mut stamped = sent.clone();
    let timing = stamped.stamp(datetime!(2015-12-12 19:11:01.266 UTC));
    // 01.266 − (01.169 − 01.152) = 01.249, the spec's own `timestamp`.
    assert_eq!(timing.timestamp, datetime!(2015-12-12 19:11:01.249 UTC));
    assert_eq!(timing.basis, TimestampBasis::Corrected);
    assert_eq!(
        timing.device_time,
        Some(datetime!(2015-12-12 19:11:01.152 UTC))
    );
    assert_eq!(
        stamped.payload().get("timestamp"),
        Some(&json!("2015-12-12T19:11:01.249Z"))
    );
    assert_eq!(
        stamped.payload().get("originalTimestamp"),
        Some(&json!("2015-12-12T19:11:01.152Z")),
        "the device's time moves to originalTimestamp"
    );
    assert_eq!(
        stamped.payload().get("receivedAt"),
        Some(&json!("2015-12-12T19:11:01.266Z"))
    );
    assert_eq!(
        stamped.payload().get("sentAt"),
        Some(&json!("2015-12-12T19:11:01.169Z"))
    );
}

#[test]
fn an_event_stored_by_segment_corrects_from_its_original_timestamp() {
    let stored = event(spec_track_course_clicked());
    let timing = Timing::of(&stored, datetime!(2015-12-12 19:11:01.266 UTC));
    assert_eq!(
        timing.device_time,
        Some(datetime!(2015-12-12 19:11:01.152 UTC))
    );
    assert_eq!(timing.timestamp, datetime!(2015-12-12 19:11:01.249 UTC));
}

#[test]
fn a_device_clock_an_hour_fast_is_corrected_and_queueing_time_is_kept() {
    // The device's clock is 1 h ahead; the event waited 10 min in an offline queue.
    let queued = event(json!({
      "type": "track", "event": "Article Completed", "anonymousId": "a",
      "timestamp": "2026-12-01T11:00:00.000Z",
      "sentAt": "2026-12-01T11:10:00.000Z"
    }));
    let timing = Timing::of(&queued, datetime!(2026-12-01 10:10:00.250 UTC));
    assert_eq!(timing.timestamp, datetime!(2026-12-01 10:00:00.250 UTC));
    assert_eq!(timing.basis, TimestampBasis::Corrected);
}

#[test]
fn offsets_other_than_utc_are_read_and_written_back_in_utc() {
    let python = event(json!({
      "type": "identify", "userId": "u1",
      "timestamp": "2026-12-01T15:00:00.123456+01:00",
      "sentAt": "2026-12-01T15:00:01.123456+01:00"
    }));
    let mut stamped = python;
    let timing = stamped.stamp(datetime!(2026-12-01 14:00:03 UTC));
    assert_eq!(timing.timestamp, datetime!(2026-12-01 14:00:02 UTC));
    assert_eq!(
        stamped.payload().get("timestamp"),
        Some(&json!("2026-12-01T14:00:02.000Z"))
    );
}

#[test]
fn without_sent_at_the_given_timestamp_is_kept() {
    // A server library importing history: `timestamp` set, no `sentAt`.
    let import = event(json!({
      "type": "track", "event": "Order Completed", "userId": "u1",
      "timestamp": "2024-03-01T08:30:00Z"
    }));
    let timing = Timing::of(&import, datetime!(2026-12-01 14:00:00 UTC));
    assert_eq!(timing.timestamp, datetime!(2024-03-01 08:30:00 UTC));
    assert_eq!(timing.basis, TimestampBasis::Given);
}

#[test]
fn without_any_time_the_event_happened_when_it_arrived() {
    let mut bare = event(json!({ "type": "page", "anonymousId": "a" }));
    let received = datetime!(2026-12-01 14:00:00.5 UTC);
    let timing = bare.stamp(received);
    assert_eq!(timing.timestamp, received);
    assert_eq!(timing.basis, TimestampBasis::Received);
    assert_eq!(
        bare.payload().get("timestamp"),
        Some(&json!("2026-12-01T14:00:00.500Z"))
    );
    assert_eq!(
        bare.payload().get("originalTimestamp"),
        None,
        "nothing was sent to keep"
    );

    // `sentAt` alone says nothing about when the event happened.
    let only_sent =
        event(json!({ "type": "page", "anonymousId": "a", "sentAt": "2026-12-01T13:00:00Z" }));
    assert_eq!(
        Timing::of(&only_sent, received).basis,
        TimestampBasis::Received
    );
}

#[test]
fn unreadable_times_are_ignored_named_and_kept_in_the_payload() {
    let mut garbled = event(json!({
      "type": "track", "event": "Clicked", "anonymousId": "a",
      "timestamp": "yesterday", "sentAt": "2026-12-01T13:59:59Z"
    }));
    let received = datetime!(2026-12-01 14:00:00 UTC);
    let timing = garbled.stamp(received);
    assert_eq!(timing.basis, TimestampBasis::Received);
    assert_eq!(timing.unreadable, vec!["timestamp"]);
    assert!(
        garbled.is_valid(),
        "an unreadable time does not make the event invalid"
    );
    assert_eq!(
        garbled.payload().get("originalTimestamp"),
        Some(&json!("yesterday")),
        "what was sent survives"
    );

    let bad_sent_at = event(json!({
      "type": "page", "anonymousId": "a",
      "timestamp": "2026-12-01T13:00:00Z", "sentAt": 1733061600000_u64
    }));
    let timing = Timing::of(&bad_sent_at, received);
    assert_eq!(
        timing.basis,
        TimestampBasis::Given,
        "falls back to the given timestamp"
    );
    assert_eq!(timing.unreadable, vec!["sentAt"]);
}

#[test]
fn a_correction_out_of_range_falls_back_to_the_given_timestamp() {
    let absurd = event(json!({
      "type": "page", "anonymousId": "a",
      "timestamp": "0001-01-01T00:00:00Z", "sentAt": "9999-12-31T00:00:00Z"
    }));
    let timing = Timing::of(&absurd, datetime!(2026-12-01 14:00:00 UTC));
    assert_eq!(timing.basis, TimestampBasis::Given);
    assert_eq!(timing.timestamp, datetime!(0001-01-01 00:00:00 UTC));
}

#[test]
fn a_sent_received_at_is_replaced_by_the_servers() {
    let mut claimed = event(json!({
      "type": "page", "anonymousId": "a", "receivedAt": "2000-01-01T00:00:00Z"
    }));
    claimed.stamp(datetime!(2026-12-01 14:00:00 UTC));
    assert_eq!(
        claimed.received_at(),
        Some(datetime!(2026-12-01 14:00:00 UTC))
    );
}

#[test]
fn times_are_written_in_utc_with_milliseconds() {
    assert_eq!(
        format_time(datetime!(2026-12-01 15:04:05.123456 +01:00)),
        "2026-12-01T14:04:05.123Z"
    );
    assert_eq!(
        format_time(datetime!(2026-12-01 00:00 UTC)),
        "2026-12-01T00:00:00.000Z"
    );
    assert_eq!(
        parse_time("2026-12-01T14:04:05Z"),
        Some(time("2026-12-01T14:04:05.000Z"))
    );
    assert_eq!(
        parse_time("2026-12-01 14:04:05"),
        None,
        "a time needs its offset"
    );
}

#[test]
fn a_null_timestamp_is_not_kept_as_an_original_timestamp() {
    let mut null_time = event(json!({ "type": "page", "anonymousId": "a", "timestamp": null }));
    let timing = null_time.stamp(datetime!(2026-12-01 14:00:00 UTC));
    assert_eq!(timing.basis, TimestampBasis::Received);
    assert!(
        timing.unreadable.is_empty(),
        "null is absent, not unreadable"
    );
    assert_eq!(null_time.payload().get("originalTimestamp"), None);
    assert_eq!(
        null_time.payload().get("timestamp"),
        Some(&json!("2026-12-01T14:00:00.000Z"))
    );
}

#[test]
fn an_events_own_non_object_context_is_kept_over_the_batchs() {
    let parsed = parse_body(
        Call::Batch,
        json!({
          "batch": [
            { "type": "page", "anonymousId": "a", "context": "kiosk", "integrations": null }
          ],
          "context": { "ip": "10.0.0.1" },
          "integrations": { "All": false }
        }),
    )
    .expect("a batch parses");
    let page = &parsed.events[0];
    assert_eq!(
        page.payload().get("context"),
        Some(&json!("kiosk")),
        "what it sent"
    );
    assert_eq!(page.context(), None, "a string is no context object");
    assert_eq!(
        page.integrations().and_then(|i| i.get("All")),
        Some(&json!(false)),
        "a null integrations takes the batch's"
    );
}

#[test]
fn a_write_key_inside_batched_events_is_taken_out() {
    let key = "V1StGXR8_Z5jdHi6B-myT";
    let parsed = parse_body(
        Call::Batch,
        json!({
          "batch": [
            { "type": "page", "anonymousId": "a", "writeKey": key },
            { "type": "track", "event": "E", "anonymousId": "a", "writeKey": key }
          ]
        }),
    )
    .expect("a batch parses");
    assert_eq!(
        parsed.write_key.as_deref(),
        Some(key),
        "the events' key is the request's"
    );
    for event in &parsed.events {
        assert_eq!(event.payload().get("writeKey"), None);
    }
    let parsed = parse_body(
        Call::Batch,
        json!({ "batch": [{ "type": "page", "anonymousId": "a", "writeKey": "other" }], "writeKey": key }),
    )
    .expect("a batch parses");
    assert_eq!(
        parsed.write_key.as_deref(),
        Some(key),
        "the batch's key wins"
    );
    assert_eq!(parsed.events[0].payload().get("writeKey"), None);
}
