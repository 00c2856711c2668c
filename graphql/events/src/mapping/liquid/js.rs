//! JavaScript's view of a Liquid value, where liquidjs's answers follow from it: how a
//! value is written (`String(x)`, liquidjs's `stringify`), `===`, the relational operators,
//! and `contains` (liquidjs's `defaultOperators`).
//!
//! The `liquid` crate has one `nil` where liquidjs has three: a key the event holds as
//! `null`, a key it lacks (`undefined`), and the literal `nil` (its `NullDrop`, equal to
//! both). A comparison's operands say which they are ([`Operand`]); a `nil` anywhere else
//! (an item of a list) is the event's `null`.

use crate::trigger::{js_number_to_string, js_to_number};
use liquid_core::model::State;
use liquid_core::ValueView;
use std::cmp::Ordering;

/// Which of liquidjs's nils a `nil` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Nil {
    /// The literal `nil` (or `null`): liquidjs's `NullDrop`, equal to any nil, less or
    /// greater than nothing, written as `null` in a `contains`.
    Literal,
    /// A `null` of the event.
    Null,
    /// What the event does not hold.
    Undefined,
}

/// One side of a comparison: its value, and which nil it is when it is one.
#[derive(Clone, Copy)]
pub(super) struct Operand<'a> {
    /// The value.
    pub(super) view: &'a dyn ValueView,
    /// Which nil, if the value is `nil`.
    pub(super) nil: Nil,
}

/// A Liquid value as JavaScript holds it.
enum Js<'a> {
    Nil(Nil),
    Bool(bool),
    Number(f64),
    String(std::borrow::Cow<'a, str>),
    Array(&'a dyn liquid_core::model::ArrayView),
    Object,
    /// `empty` or `blank`: liquidjs's drops.
    Drop(State),
}

/// `value`, a `nil` being the event's `null`.
fn js(value: &dyn ValueView) -> Js<'_> {
    js_nil(value, Nil::Null)
}

/// A comparison's side.
fn js_operand<'a>(operand: &Operand<'a>) -> Js<'a> {
    js_nil(operand.view, operand.nil)
}

fn js_nil(value: &dyn ValueView, nil: Nil) -> Js<'_> {
    if let Some(state) = value.as_state() {
        return Js::Drop(state);
    }
    if value.is_nil() {
        return Js::Nil(nil);
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
        Js::Nil(_) | Js::Drop(_) => String::new(),
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
    js_to_string(js(value), value)
}

/// [`to_string`] of `value` seen as `js` (a `NullDrop` is `null` to `indexOf`).
fn js_to_string(js: Js<'_>, value: &dyn ValueView) -> String {
    match js {
        Js::Nil(Nil::Undefined) => "undefined".into(),
        Js::Nil(Nil::Null | Nil::Literal) => "null".into(),
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

/// liquidjs's `equals` of a comparison's sides: the left one's drop answers first, then
/// the right one's (`nil`: any nil; `empty`, `blank` as theirs), then [`equals`].
pub(super) fn operands_equal(left: Operand<'_>, right: Operand<'_>) -> bool {
    match (js_operand(&left), js_operand(&right)) {
        (Js::Drop(state), b) => drop_equals(state, b),
        (Js::Nil(Nil::Literal), b) => matches!(b, Js::Nil(_)),
        (a, Js::Drop(state)) => drop_equals(state, a),
        (a, Js::Nil(Nil::Literal)) => matches!(a, Js::Nil(_)),
        (Js::Nil(x), Js::Nil(y)) => x == y,
        _ => equals(left.view, right.view),
    }
}

/// liquidjs's `equals`: `empty` and `blank` as its drops answer, arrays item by item,
/// anything else JavaScript's `===`.
fn equals(left: &dyn ValueView, right: &dyn ValueView) -> bool {
    match (js(left), js(right)) {
        (Js::Drop(state), _) => drop_equals(state, js(right)),
        (_, Js::Drop(state)) => drop_equals(state, js(left)),
        (Js::Array(a), Js::Array(b)) => {
            a.size() == b.size() && a.values().zip(b.values()).all(|(x, y)| equals(x, y))
        }
        (Js::Array(_), _) | (_, Js::Array(_)) => false,
        (Js::Nil(_), Js::Nil(_)) => true,
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
fn drop_equals(state: State, value: Js<'_>) -> bool {
    if state == State::Blank {
        match &value {
            Js::Bool(false) | Js::Nil(_) => return true,
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
/// by UTF-16 units, anything else as numbers (`null` is 0, `undefined` NaN); `empty`,
/// `blank` and `nil` compare with nothing.
pub(super) fn less(left: Operand<'_>, right: Operand<'_>, or_equal: bool) -> bool {
    let (a, b) = (js_operand(&left), js_operand(&right));
    let drop = |js: &Js<'_>| matches!(js, Js::Drop(_) | Js::Nil(Nil::Literal));
    if drop(&a) || drop(&b) {
        return false;
    }
    let (a, b) = (primitive(a, left.view), primitive(b, right.view));
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
        Js::Nil(Nil::Null) => 0.0,
        Js::Nil(_) => f64::NAN,
        Js::Bool(flag) => f64::from(u8::from(*flag)),
        Js::Number(number) => *number,
        Js::String(text) => js_to_number(text),
        Js::Drop(_) => 0.0,
        Js::Array(_) | Js::Object => f64::NAN,
    }
}

/// liquidjs's `contains`: an array holds an equal item, a string holds the other as text;
/// anything else is false.
pub(super) fn contains(left: Operand<'_>, right: Operand<'_>) -> bool {
    match js_operand(&left) {
        Js::Array(items) => items.values().any(|item| {
            operands_equal(
                Operand {
                    view: item,
                    nil: Nil::Null,
                },
                right,
            )
        }),
        Js::String(text) => {
            let needle = match js_operand(&right) {
                Js::Drop(_) => String::new(),
                other => js_to_string(other, right.view),
            };
            text.contains(needle.as_str())
        }
        _ => false,
    }
}
