//! Sample events, one per call of Segment's spec, shaped as analytics.js sends them: what
//! the window's Test panel offers when a source has no events yet.

use serde_json::{json, Value};

/// A sample event: its label (the call and, for a track, its name) and the event.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// What the picker shows, e.g. `track: Order Completed`.
    pub label: &'static str,
    /// The event, as the collector stores it.
    pub event: Value,
}

/// The `context` every sample carries (analytics.js's, in a browser).
fn context() -> Value {
    json!({
        "ip": "203.0.113.7",
        "locale": "en-US",
        "library": {"name": "analytics.js", "version": "next-1.70.0"},
        "page": {
            "path": "/checkout",
            "referrer": "https://www.example.com/cart",
            "search": "?coupon=SPRING",
            "title": "Checkout",
            "url": "https://www.example.com/checkout?coupon=SPRING"
        },
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
        "campaign": {"name": "spring", "source": "newsletter", "medium": "email"}
    })
}

/// The fields every sample shares, with `fields` added.
fn event(fields: Value) -> Value {
    let mut base = json!({
        "messageId": "sample-0001",
        "anonymousId": "507f191e810c19729de860ea",
        "userId": "user-1234",
        "timestamp": "2026-11-30T10:00:00.000Z",
        "sentAt": "2026-11-30T10:00:00.120Z",
        "receivedAt": "2026-11-30T10:00:00.250Z",
        "context": context(),
        "integrations": {}
    });
    if let (Value::Object(base), Value::Object(fields)) = (&mut base, fields) {
        base.extend(fields);
    }
    base
}

/// One sample event of every call type (track, identify, page, screen, group, alias),
/// the track one an e-commerce `Order Completed` with a `products` array.
pub fn samples() -> Vec<Sample> {
    vec![
        Sample {
            label: "track: Order Completed",
            event: event(json!({
                "type": "track",
                "event": "Order Completed",
                "properties": {
                    "checkout_id": "fksdjfsdjfisjf9sdfjsd9f",
                    "order_id": "50314b8e9bcf000000000000",
                    "affiliation": "Google Store",
                    "total": 27.5,
                    "subtotal": 22.5,
                    "revenue": 25.0,
                    "shipping": 3,
                    "tax": 2,
                    "discount": 2.5,
                    "coupon": "hasbros",
                    "currency": "USD",
                    "products": [
                        {"product_id": "507f1f77bcf86cd799439011", "sku": "45790-32", "name": "Monopoly: 3rd Edition",
                         "price": 19, "quantity": 1, "category": "Games", "url": "https://www.example.com/product/path",
                         "image_url": "https://www.example.com/product/path.jpg"},
                        {"product_id": "505bd76785ebb509fc183733", "sku": "46493-32", "name": "Uno Card Game",
                         "price": 3, "quantity": 2, "category": "Games"}
                    ]
                },
                "context": {
                    "ip": "203.0.113.7",
                    "locale": "en-US",
                    "library": {"name": "analytics.js", "version": "next-1.70.0"},
                    "page": context()["page"].clone(),
                    "userAgent": context()["userAgent"].clone(),
                    "campaign": context()["campaign"].clone(),
                    "traits": {"email": "peter@example.com", "first_name": "Peter", "last_name": "Gibbons", "phone": "+15555550100"}
                }
            })),
        },
        Sample {
            label: "identify",
            event: event(json!({
                "type": "identify",
                "traits": {
                    "email": "peter@example.com",
                    "first_name": "Peter",
                    "last_name": "Gibbons",
                    "name": "Peter Gibbons",
                    "phone": "+15555550100",
                    "plan": "premium",
                    "logins": 5,
                    "address": {"street": "6th St", "city": "San Francisco", "state": "CA", "postal_code": "94103", "country": "USA"},
                    "createdAt": "2026-01-15T09:30:00.000Z"
                }
            })),
        },
        Sample {
            label: "page",
            event: event(json!({
                "type": "page",
                "name": "Checkout",
                "category": "Shop",
                "properties": {
                    "path": "/checkout",
                    "referrer": "https://www.example.com/cart",
                    "search": "?coupon=SPRING",
                    "title": "Checkout",
                    "url": "https://www.example.com/checkout?coupon=SPRING"
                }
            })),
        },
        Sample {
            label: "screen",
            event: event(json!({
                "type": "screen",
                "name": "Home",
                "properties": {"variation": "blue signup button"},
                "context": {
                    "app": {"name": "Houston Shop", "version": "2.4.1", "build": "241"},
                    "device": {"id": "B5372DB0-C21E-11E4-8DFC-AA07A5B093DB", "manufacturer": "Apple", "model": "iPhone15,2", "type": "ios"},
                    "os": {"name": "iOS", "version": "17.1"},
                    "library": {"name": "analytics-ios", "version": "4.1.8"},
                    "locale": "en-US",
                    "network": {"wifi": true, "cellular": false}
                }
            })),
        },
        Sample {
            label: "group",
            event: event(json!({
                "type": "group",
                "groupId": "0e8c78ea9d97a7b8185e8632",
                "traits": {"name": "Initech", "industry": "Technology", "employees": 329, "plan": "enterprise", "website": "https://initech.example.com"}
            })),
        },
        Sample {
            label: "alias",
            event: event(json!({
                "type": "alias",
                "previousId": "507f191e810c19729de860ea"
            })),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;

    #[test]
    fn every_call_type_has_one_valid_sample() {
        let samples = samples();
        let types: Vec<&str> = samples
            .iter()
            .filter_map(|s| s.event["type"].as_str())
            .collect();
        assert_eq!(
            types,
            ["track", "identify", "page", "screen", "group", "alias"],
            "one per call of the spec, in its order"
        );
        for sample in &samples {
            let Value::Object(payload) = sample.event.clone() else {
                panic!("{}: an object", sample.label);
            };
            let found = Event::from_payload(payload).problems();
            assert!(
                found.is_empty(),
                "{} follows the spec: {found:?}",
                sample.label
            );
        }
    }
}
