//! JavaScript's view of a Liquid value, where liquidjs's answers follow from it: how a
//! value is written (`String(x)`, liquidjs's `stringify`), `===`, the relational operators,
//! and `contains` (liquidjs's `defaultOperators`).

use crate::trigger::{js_number_to_string, js_to_number};
use liquid_core::model::State;
use liquid_core::ValueView;
use std::cmp::Ordering;

/// A Liquid value as JavaScript holds it.
enum Js<'a> {
    Nil,
    Bool(bool),
    Number(f64),
    String(std::borrow::Cow<'a, str>),
    Array(&'a dyn liquid_core::model::ArrayView),
    Object,
    /// `empty` or `blank`: liquidjs's drops.
    Drop(State),
}

fn js(value: &dyn ValueView) -> Js<'_> {
    if let Some(state) = value.as_state() {
        return Js::Drop(state);
    }
    if value.is_nil() {
        return Js::Nil;
    }
    if let Some(array) = value.as_array() {
        return Js::Array(array);
    }
    if value.is_object() {
        return Js::Object;
    }
    match value.type_name() {
        "boolean" => Js::Bool(value.query_state(State::Truthy)),
        "whole number" | "fractional number" => Js::Number(
            value
                .as_scalar()
                .and_then(|s| s.to_float())
                .unwrap_or(f64::NAN),
        ),
        _ => Js::String(value.to_kstr().into_cow_str()),
    }
}

/// liquidjs's `stringify`: text as is, `nil` as nothing, an array as its items written
/// one after another, a number as JavaScript writes it, an object as `[object Object]`.
pub(super) fn stringify(value: &dyn ValueView) -> String {
    match js(value) {
        Js::Nil | Js::Drop(_) => String::new(),
        Js::Bool(flag) => flag.to_string(),
        Js::Number(number) => number_text(value, number),
        Js::String(text) => text.into_owned(),
        Js::Array(items) => items.values().map(stringify).collect(),
        Js::Object => "[object Object]".into(),
    }
}

/// A number as JavaScript writes it (a whole number as the `liquid` crate holds it).
fn number_text(value: &dyn ValueView, number: f64) -> String {
    if value.type_name() == "whole number" {
        value.to_kstr().into_string().to_string()
    } else {
        js_number_to_string(number)
    }
}

/// JavaScript's `String(x)` (an array joined with commas), for `<`, `>` and `indexOf`.
fn to_string(value: &dyn ValueView) -> String {
    match js(value) {
        Js::Nil => "undefined".into(),
        Js::Drop(_) => String::new(),
        Js::Bool(flag) => flag.to_string(),
        Js::Number(number) => number_text(value, number),
        Js::String(text) => text.into_owned(),
        Js::Array(items) => items
            .values()
            .map(|item| {
                if item.is_nil() {
                    String::new()
                } else {
                    to_string(item)
                }
            })
            .collect::<Vec<_>>()
            .join(","),
        Js::Object => "[object Object]".into(),
    }
}

/// liquidjs's `equals`: `empty` and `blank` as its drops answer, arrays item by item,
/// anything else JavaScript's `===`.
pub(super) fn equals(left: &dyn ValueView, right: &dyn ValueView) -> bool {
    match (js(left), js(right)) {
        (Js::Drop(state), _) => drop_equals(state, right),
        (_, Js::Drop(state)) => drop_equals(state, left),
        (Js::Array(a), Js::Array(b)) => {
            a.size() == b.size() && a.values().zip(b.values()).all(|(x, y)| equals(x, y))
        }
        (Js::Array(_), _) | (_, Js::Array(_)) => false,
        (Js::Nil, Js::Nil) => true,
        (Js::Bool(a), Js::Bool(b)) => a == b,
        (Js::Number(a), Js::Number(b)) => a == b,
        (Js::String(a), Js::String(b)) => a == b,
        // Two objects are `===` only when they are one: the `liquid` crate cannot tell,
        // equal contents stand in for it.
        (Js::Object, Js::Object) => left.to_value() == right.to_value(),
        _ => false,
    }
}

/// `EmptyDrop.equals` / `BlankDrop.equals`.
fn drop_equals(state: State, value: &dyn ValueView) -> bool {
    let value = js(value);
    if state == State::Blank {
        match &value {
            Js::Bool(false) | Js::Nil => return true,
            Js::String(text) => return text.chars().all(char::is_whitespace),
            _ => {}
        }
    }
    match value {
        Js::String(text) => text.is_empty(),
        Js::Array(items) => items.size() == 0,
        Js::Object => false,
        _ => false,
    }
}

/// `left < right` (`left <= right` when `or_equal`), as JavaScript compares: two strings
/// by UTF-16 units, anything else as numbers; `empty` and `blank` compare with nothing.
pub(super) fn less(left: &dyn ValueView, right: &dyn ValueView, or_equal: bool) -> bool {
    let (a, b) = (js(left), js(right));
    if matches!(a, Js::Drop(_)) || matches!(b, Js::Drop(_)) {
        return false;
    }
    let (a, b) = (primitive(a, left), primitive(b, right));
    let ordering = if let (Js::String(a), Js::String(b)) = (&a, &b) {
        Some(a.encode_utf16().cmp(b.encode_utf16()))
    } else {
        to_number(&a).partial_cmp(&to_number(&b))
    };
    match ordering {
        Some(Ordering::Less) => true,
        Some(Ordering::Equal) => or_equal,
        _ => false,
    }
}

/// JavaScript's `ToPrimitive`: an array or an object as its text.
fn primitive<'a>(value: Js<'a>, view: &dyn ValueView) -> Js<'a> {
    match value {
        Js::Array(_) | Js::Object => Js::String(to_string(view).into()),
        other => other,
    }
}

/// liquidjs's `toNumber`: `+x || 0` (a string as JavaScript reads it, `"0x10"` is 16;
/// NaN and anything that is no number are 0).
pub(super) fn to_js_number(value: &dyn ValueView) -> f64 {
    let number = to_number(&primitive(js(value), value));
    if number.is_nan() {
        0.0
    } else {
        number
    }
}

/// JavaScript's `Number(x)` of a primitive.
fn to_number(value: &Js<'_>) -> f64 {
    match value {
        Js::Nil => f64::NAN,
        Js::Bool(flag) => f64::from(u8::from(*flag)),
        Js::Number(number) => *number,
        Js::String(text) => js_to_number(text),
        Js::Drop(_) => 0.0,
        Js::Array(_) | Js::Object => f64::NAN,
    }
}

/// liquidjs's `contains`: an array holds an equal item, a string holds the other as text;
/// anything else is false.
pub(super) fn contains(left: &dyn ValueView, right: &dyn ValueView) -> bool {
    match js(left) {
        Js::Array(items) => items.values().any(|item| equals(item, right)),
        Js::String(text) => {
            let needle = match js(right) {
                Js::Drop(_) => String::new(),
                _ => to_string(right),
            };
            text.contains(needle.as_str())
        }
        _ => false,
    }
}
