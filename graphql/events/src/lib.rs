//! Events for Houston, as Segment's spec defines them, with no IO (it builds for wasm32, so
//! the window evaluates with the same code as the server):
//!
//! - [`event`]: the six call types (track, identify, page, screen, group, alias), their
//!   common fields, `context` and `integrations`; the rules that make an event invalid, each
//!   with a stable reason; and the clock-skew correction of `timestamp`.
//! - [`trigger`]: triggers in Segment's FQL (`type = "track" and event = "Order Completed"`),
//!   parsed and matched exactly as `@segment/destination-subscriptions` does.
//! - [`snippet`]: the analytics.js snippet that points a page at a Houston server.
//! - [`mapping`]: Segment's mapping language (`@path`, `@template`, `@if`, …), evaluated and
//!   validated exactly as `@segment/actions-core`'s mapping-kit does.
//! - [`sample`]: one sample event per call type, for previews without events of one's own.
//! - [`delivery`]: what each section of a destination would receive for an event (trigger,
//!   mapping, empty values removed, the payload checked against the section's fields).

pub mod delivery;
pub mod event;
pub mod mapping;
mod member;
pub mod sample;
pub mod snippet;
pub mod trigger;
