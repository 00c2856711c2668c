//! Segment's mapping language, evaluated exactly as `@segment/actions-core` 3.170.0 does
//! (the version `@segment/action-destinations` 3.497.0, the catalog's source, depends on):
//! its mapping-kit `transform` (`dist/cjs/mapping-kit/index.js`), the `validate` it runs
//! first (`validate.js`), the `{{path}}` renderer of `@template` (`placeholders.js`), the
//! path reader (`get.js`), `@flatten` (`flatten.js`), `removeUndefined` and
//! `removeEmptyValues` (`remove-undefined.js`, `remove-empty-values.js`).
//!
//! A mapping is a JSON object whose values are literals or directives: `@path`,
//! `@template`, `@literal`, `@if` (`exists`, `blank`, `then`, `else`), `@case`,
//! `@replace`, `@arrayPath`, `@json`, `@flatten`, `@merge`, `@transform` and
//! `@excludeWhenNull`. [`transform`] maps an event; [`validate`] lists what is wrong with a
//! mapping before it is saved, each problem with its path into the mapping; [`Mapping`]
//! checks a mapping once to map many events with it (what a delivery keeps per section);
//! [`remove_empty_values`] is the step an action runs on the payload with its fields'
//! JSON schema.
//!
//! Segment's quirks are kept, each with a test citing the JS line (`mapping/tests.rs`);
//! the answers of Segment's own code are recorded in `mapping/segment/` and compared.
//!
//! `@liquid` is rendered by the `liquid` crate with Segment's limits (`mapping/liquid.rs`).
//!
//! Where this differs from the JS, on purpose:
//! - Bounds: a mapping nested deeper than [`MAX_DEPTH`] levels is a problem of
//!   [`validate`] (so [`MappingError::Invalid`] from [`transform`]), or
//!   [`MappingError::TooDeep`] where Segment's validation does not look (inside arrays);
//!   a `@template` whose text would exceed [`MAX_RENDERED`] bytes is an error. The JS
//!   would recurse or allocate until it fails.
//! - A mapping that is not a JSON object is an error (Segment's callers always pass one).
//! - Object key order: a `serde_json` object here is sorted by key, so the event's own key
//!   order is lost; within that, JS order is kept (integer-like keys first, ascending),
//!   which is what `@json` encoding and `@flatten`'s collisions see.
//! - Reading a path only sees an object's own keys, an array's or a string's items and
//!   `length`: JS prototype members (`constructor`, `toString`, …) are absent.
//! - Numbers are JS doubles, as in the JS: an integer beyond 2^53 loses precision.
//! - Half a character (a lone UTF-16 surrogate, as `"😀"[0]` gives), which a Rust string
//!   cannot hold, is carried as a private-use character of plane 16 (`U+10F800`…) and
//!   written out as the text `\udxxx`: an event's own characters of that range would be
//!   taken for halves.

use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

#[cfg(feature = "liquid")]
mod liquid;
#[cfg(test)]
mod tests;

/// How deeply a mapping may nest (directives inside directives, objects inside objects)
/// before [`transform`] and [`validate`] give up with an error rather than recurse on.
pub const MAX_DEPTH: usize = 64;

/// The longest text (in bytes) a `@template` may render to.
pub const MAX_RENDERED: usize = 16 * 1024 * 1024;

/// `MAX_PATTERN_LENGTH` and `MAX_REPLACEMENT_LENGTH` of `@replace` (index.js:95-96), in
/// UTF-16 code units as JS counts a string's length.
pub const MAX_REPLACE_LENGTH: usize = 10;

/// The key of a mapping's root directive (index.js:19): the other keys of the mapping
/// become that directive's `mapping`.
const ROOT_MAPPING_FIELD_KEY: &str = "__segment_internal_directive";

/// Why a mapping could not map an event.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MappingError {
    /// The mapping breaks the rules [`validate`] checks (as `transform` validates first).
    #[error("{}", display_problems(.0))]
    Invalid(Vec<MappingProblem>),
    /// A directive failed while evaluating, with Segment's own message.
    #[error("{0}")]
    Failed(String),
    /// The mapping nests deeper than [`MAX_DEPTH`].
    #[error("the mapping is nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

fn display_problems(problems: &[MappingProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// One thing wrong with a mapping: where (the keys and directive names from the mapping's
/// root, so its first element is the field) and what, in Segment's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingProblem {
    /// The path into the mapping, e.g. `["user_id", "@if", "then"]`.
    pub path: Vec<String>,
    /// Segment's message, e.g. `has an invalid directive: @pth`.
    pub message: String,
}

impl fmt::Display for MappingProblem {
    /// Segment's `ValidationError` text (validate.js:14): `/user_id/@if has ….`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{} {}.", self.path.join("/"), self.message)
    }
}

/// Maps `event` with `mapping`, as actions-core's `transform(mapping, event)`: validates
/// the mapping, resolves every directive, and removes the keys that came out `undefined`.
/// A value that came out `undefined` inside an array is `null`, as `JSON.stringify` writes
/// it; a whole result that is `undefined` (a root directive with no answer) is `null`.
///
/// Segment's `transform` validates the mapping on every call; this one keeps the last
/// [`CHECKED_KEPT`] mappings it checked (per thread, as [`Mapping`]s) and checks a mapping
/// again only when it is not one of them, so the answer is the same either way.
/// To keep a mapping's check in hand, use [`Mapping`].
pub fn transform(mapping: &Value, event: &Value) -> Result<Value, MappingError> {
    checked(mapping).transform(event)
}

/// How many checked mappings [`transform`] keeps, per thread; when full it starts again.
pub const CHECKED_KEPT: usize = 1024;

thread_local! {
    /// The mappings [`transform`] checked, by the address of the mapping it was given, each
    /// with a copy of that mapping: a kept check is used only while the mapping at that
    /// address is still equal to the copy (a mapping changed in place, or another one at a
    /// reused address, is checked again).
    static CHECKED: RefCell<KeptChecks> =
        RefCell::new(HashMap::default());
}

/// [`CHECKED`]'s map: address of a mapping → (a copy of it as [`copy`] writes it, its check).
type KeptChecks = HashMap<usize, (Vec<u8>, Rc<Mapping>), BuildHasherDefault<AddressHasher>>;

/// The check of `mapping`: kept from an earlier call, else made and kept.
fn checked(mapping: &Value) -> Rc<Mapping> {
    let address = std::ptr::from_ref(mapping) as usize;
    CHECKED.with(|kept| {
        let mut kept = kept.borrow_mut();
        if let Some((copy, checked)) = kept.get(&address) {
            if same(&mut copy.as_slice(), mapping) {
                return Rc::clone(checked);
            }
        }
        if kept.len() >= CHECKED_KEPT {
            kept.clear();
        }
        let checked = Rc::new(Mapping::new(mapping));
        let mut flat = Vec::new();
        copy(&mut flat, mapping);
        kept.insert(address, (flat, Rc::clone(&checked)));
        checked
    })
}

/// A copy of `value` in one buffer, for [`same`]: each value a tag byte, then a number's
/// eight bytes, a string's length and bytes, an array's length and items, an object's
/// length and keys each followed by its value. One buffer read in order compares faster
/// than a copy that is a tree of maps (half the nodes to visit, none to compare in step).
fn copy(out: &mut Vec<u8>, value: &Value) {
    let length = |out: &mut Vec<u8>, n: usize| out.extend_from_slice(&(n as u64).to_le_bytes());
    let string = |out: &mut Vec<u8>, s: &str| {
        length(out, s.len());
        out.extend_from_slice(s.as_bytes());
    };
    match value {
        Value::Null => out.push(0),
        Value::Bool(b) => out.push(1 + u8::from(*b)),
        Value::Number(n) => {
            let (tag, bits) = number_bits(n);
            out.push(tag);
            out.extend_from_slice(&bits.to_le_bytes());
        }
        Value::String(s) => {
            out.push(6);
            string(out, s);
        }
        Value::Array(items) => {
            out.push(7);
            length(out, items.len());
            for item in items {
                copy(out, item);
            }
        }
        Value::Object(map) => {
            out.push(8);
            length(out, map.len());
            for (key, value) in map {
                string(out, key);
                copy(out, value);
            }
        }
    }
}

/// A number as [`copy`] writes it: its kind (a tag) and its bits, equal exactly when
/// `serde_json` finds the numbers equal (a zero's sign aside, which only checks again).
fn number_bits(n: &Number) -> (u8, u64) {
    match (n.as_u64(), n.as_i64(), n.as_f64()) {
        (Some(u), _, _) => (3, u),
        (None, Some(i), _) => (4, i as u64),
        (None, None, f) => (5, f.unwrap_or(f64::NAN).to_bits()),
    }
}

/// Whether `value` is the value [`copy`] wrote at the start of `flat` (which it moves past).
fn same(flat: &mut &[u8], value: &Value) -> bool {
    fn take<'a>(flat: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        let (taken, rest) = flat.split_at_checked(n)?;
        *flat = rest;
        Some(taken)
    }
    fn length(flat: &mut &[u8]) -> Option<usize> {
        let bytes = take(flat, 8)?.try_into().ok()?;
        usize::try_from(u64::from_le_bytes(bytes)).ok()
    }
    fn string(flat: &mut &[u8], s: &str) -> bool {
        length(flat) == Some(s.len()) && take(flat, s.len()) == Some(s.as_bytes())
    }
    let Some((&tag, rest)) = flat.split_first() else {
        return false;
    };
    *flat = rest;
    match value {
        Value::Null => tag == 0,
        Value::Bool(b) => tag == 1 + u8::from(*b),
        Value::Number(n) => {
            let (kind, bits) = number_bits(n);
            tag == kind && take(flat, 8) == Some(&bits.to_le_bytes()[..])
        }
        Value::String(s) => tag == 6 && string(flat, s),
        Value::Array(items) => {
            tag == 7
                && length(flat) == Some(items.len())
                && items.iter().all(|item| same(flat, item))
        }
        Value::Object(map) => {
            tag == 8
                && length(flat) == Some(map.len())
                && map
                    .iter()
                    .all(|(key, value)| string(flat, key) && same(flat, value))
        }
    }
}

/// Hashes an address (the key of [`CHECKED`]): one multiplication, its high bits folded
/// down, where the default hasher's SipHash would cost more than the lookup it serves.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.write_u64(u64::from(*byte) ^ self.0.rotate_left(8));
        }
    }

    fn write_usize(&mut self, address: usize) {
        self.write_u64(address as u64);
    }

    fn write_u64(&mut self, value: u64) {
        let mixed = value.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = mixed ^ (mixed >> 29);
    }
}

fn not_an_object_mapping(mapping: &Value) -> MappingError {
    MappingError::Failed(format!(
        "the mapping must be an object, got {}",
        json_type_of(mapping)
    ))
}

/// A mapping checked once (its root directive applied, validated), to map any number of
/// events: what a delivery keeps for each section. `Mapping::new(m).transform(e)` answers
/// exactly what [`transform`]`(m, e)` does, errors and their order included, without
/// checking the mapping again on every event.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    /// The mapping is not an object: the answer whatever the event.
    not_an_object: Option<MappingError>,
    /// The mapping to resolve, or why it cannot map (after the event's own check).
    to_process: Result<Node, MappingError>,
}

impl Mapping {
    /// Checks `mapping` as [`transform`] would before reading an event.
    pub fn new(mapping: &Value) -> Mapping {
        let Value::Object(object) = mapping else {
            return Mapping {
                not_an_object: Some(not_an_object_mapping(mapping)),
                to_process: Ok(Node::Other(Value::Null, 0)),
            };
        };
        let to_process = mapping_to_process(object).and_then(|rooted| {
            let to_process = rooted.unwrap_or_else(|| mapping.clone());
            match validate_value(&Js::Json(&to_process), &Stack::Root, 0) {
                Ok(()) => Ok(Node::new(&to_process, 0)),
                Err(problems) => Err(MappingError::Invalid(problems)),
            }
        });
        Mapping {
            not_an_object: None,
            to_process,
        }
    }

    /// Maps `event`, as [`transform`] does.
    pub fn transform(&self, event: &Value) -> Result<Value, MappingError> {
        if let Some(error) = &self.not_an_object {
            return Err(error.clone());
        }
        let empty = Val::Object(Vec::new());
        let data = object_data(Data::Json(event), &empty)?;
        let to_process = self.to_process.as_ref().map_err(Clone::clone)?;
        Ok(to_process.to_json(data)?.unwrap_or(Value::Null))
    }
}

/// A checked mapping made ready to resolve: the shapes that make up most mappings (plain
/// objects, `{"@path": "…"}` with its path split, `@if`) taken apart once; anything else
/// is resolved by [`resolve`] as [`transform`] would, at the same depth.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    /// A plain object: its keys in JS order, each with the key its answer is written under
    /// (halves of characters written out).
    Object(Vec<(String, String, Node)>),
    /// `@path` with a literal path: `None` reads the whole data, else the keys.
    Path(Option<Vec<String>>),
    /// `@if` whose options are an object with a truthy `exists` or `blank`: the condition
    /// (`exists` if present, else `blank`), `then` if present, `else` if truthy.
    If {
        exists: bool,
        condition: Box<Node>,
        then: Option<Box<Node>>,
        otherwise: Option<Box<Node>>,
    },
    /// `@arrayPath` with a literal path (split as `Path`'s), and its shape when that is a
    /// non-empty object.
    ArrayPath {
        root: Option<Vec<String>>,
        shape: Option<Box<Node>>,
    },
    /// `@liquid`, its template parsed.
    #[cfg(feature = "liquid")]
    Liquid(std::sync::Arc<liquid::Prepared>),
    /// Any other value, and the depth [`resolve`] would see it at.
    Other(Value, usize),
}

/// A path of `@path` or `@arrayPath` as `get` will read it: `None` for the whole data.
fn split_literal_path(path: &str) -> Option<Vec<String>> {
    let path = replace_first_dollar_dot(path);
    (!path.is_empty() && path != ".")
        .then(|| split_path(&path).into_iter().map(Cow::into_owned).collect())
}

impl Node {
    fn new(value: &Value, depth: usize) -> Node {
        // resolve's own depth checks, one level per object and per directive's value.
        if depth + 1 > MAX_DEPTH {
            return Node::Other(value.clone(), depth);
        }
        match value {
            Value::Object(map) if is_directive(map) => {
                match map
                    .keys()
                    .find(|k| k.starts_with('@'))
                    .map(|k| (k, &map[k]))
                {
                    Some((name, Value::String(path))) if name == "@path" => {
                        Node::Path(split_literal_path(path))
                    }
                    #[cfg(feature = "liquid")]
                    Some((name, template)) if name == "@liquid" => {
                        Node::Liquid(std::sync::Arc::new(liquid::Prepared::new(template)))
                    }
                    Some((name, Value::Array(data))) if name == "@arrayPath" => {
                        match (data.first(), data.get(1)) {
                            (Some(Value::String(path)), shape) => Node::ArrayPath {
                                root: split_literal_path(path),
                                shape: shape
                                    .filter(|s| s.as_object().is_some_and(|o| !o.is_empty()))
                                    .map(|s| Box::new(Node::new(s, depth + 1))),
                            },
                            _ => Node::Other(value.clone(), depth),
                        }
                    }
                    // run_directive's "@if", with the checks that fail left to it.
                    Some((name, Value::Object(opts)))
                        if name == "@if"
                            && (opt_truthy(opts.get("exists"))
                                || opt_truthy(opts.get("blank"))) =>
                    {
                        let node = |v: &Value| Box::new(Node::new(v, depth + 1));
                        let exists = opts.get("exists");
                        let condition = exists
                            .or(opts.get("blank"))
                            .map_or_else(|| Box::new(Node::Other(Value::Null, depth + 1)), node);
                        Node::If {
                            exists: exists.is_some(),
                            condition,
                            then: opts.get("then").map(node),
                            otherwise: opts.get("else").filter(|v| js_truthy_json(v)).map(node),
                        }
                    }
                    _ => Node::Other(value.clone(), depth),
                }
            }
            Value::Object(map) => Node::Object(
                js_entries(map)
                    .into_iter()
                    .map(|(k, v)| (k.clone(), unmarked(k.clone()), Node::new(v, depth + 1)))
                    .collect(),
            ),
            other => Node::Other(other.clone(), depth),
        }
    }

    /// As [`resolve`] then [`Val::into_json`] (`None`: undefined), building the JSON
    /// directly where it can.
    fn to_json(&self, data: Data<'_>) -> Result<Option<Value>, MappingError> {
        match self {
            Node::Object(entries) => {
                let mut object = Vec::with_capacity(entries.len());
                for (_, key, node) in entries {
                    if let Some(value) = node.to_json(data)? {
                        object.push((key.clone(), value));
                    }
                }
                // Collected, not inserted one by one: the keys come in order, and a map
                // built from them at once does not search itself for every key (a later
                // equal key wins, as with `insert`).
                Ok(Some(Value::Object(object.into_iter().collect())))
            }
            Node::Path(None) => Ok(Step::from(data).into_json()),
            Node::Path(Some(keys)) => Ok(walk_step(data, keys).into_json()),
            Node::If { .. } => match self.branch(data)? {
                Some(branch) => branch.to_json(data),
                None => Ok(None),
            },
            Node::ArrayPath { root, shape } => {
                let root = match root {
                    Some(keys) => walk_step(data, keys),
                    None => Step::from(data),
                };
                let Some(shape) = shape else {
                    return Ok(root.into_json());
                };
                // An undefined item is written as null, as `into_json` writes an array's.
                let item = |item| Ok(shape.to_json(item)?.unwrap_or(Value::Null));
                match root {
                    Step::Json(Value::Array(items)) => items
                        .iter()
                        .map(|i| item(Data::Json(i)))
                        .collect::<Result<Vec<_>, MappingError>>()
                        .map(|items| Some(Value::Array(items))),
                    Step::Json(object @ Value::Object(_)) => {
                        Ok(Some(Value::Array(vec![item(Data::Json(object))?])))
                    }
                    Step::Json(_) => Ok(root.into_json()),
                    other => Ok(Node::shaped(other.into_owned(), shape)?.into_json()),
                }
            }
            #[cfg(feature = "liquid")]
            Node::Liquid(template) => Ok(template.render(data)?.into_json()),
            Node::Other(value, depth) => Ok(resolve(Js::Json(value), data, *depth)?.into_json()),
        }
    }

    /// run_directive's "@arrayPath" once its root is read: an object or an array is
    /// mapped item by item with `shape`; anything else is the answer.
    fn shaped(root: Val, shape: &Node) -> Result<Val, MappingError> {
        let items = match root {
            Val::Array(items) => items,
            object @ Val::Object(_) => vec![object],
            other => return Ok(other),
        };
        items
            .iter()
            .map(|item| shape.resolve(Data::Val(item)))
            .collect::<Result<Vec<_>, _>>()
            .map(Val::Array)
    }

    /// The branch an `@if` takes (`None`: neither, undefined).
    fn branch(&self, data: Data<'_>) -> Result<Option<&Node>, MappingError> {
        let Node::If {
            exists,
            condition,
            then,
            otherwise,
        } = self
        else {
            return Ok(None);
        };
        let holds = match &**condition {
            // The usual condition, a path: read in place, not copied.
            Node::Path(keys) => {
                let step = match keys {
                    Some(keys) => walk_step(data, keys),
                    None => Step::from(data),
                };
                step.holds(*exists)
            }
            other => Step::Owned(other.resolve(data)?).holds(*exists),
        };
        Ok(match (holds, then, otherwise) {
            (true, Some(then), _) => Some(then),
            (false, _, Some(otherwise)) => Some(otherwise),
            _ => None,
        })
    }

    /// As [`resolve`] would resolve the value this node was made from.
    fn resolve(&self, data: Data<'_>) -> Result<Val, MappingError> {
        match self {
            Node::Object(entries) => {
                let mut resolved = Vec::with_capacity(entries.len());
                for (key, _, node) in entries {
                    resolved.push((key.clone(), node.resolve(data)?));
                }
                Ok(Val::Object(resolved))
            }
            Node::Path(None) => Ok(data.to_val()),
            Node::Path(Some(keys)) => Ok(walk(data, keys)),
            Node::If { .. } => match self.branch(data)? {
                Some(branch) => branch.resolve(data),
                None => Ok(Val::Undefined),
            },
            Node::ArrayPath { root, shape } => {
                let root = match root {
                    Some(keys) => walk(data, keys),
                    None => data.to_val(),
                };
                match shape {
                    Some(shape) => Node::shaped(root, shape),
                    None => Ok(root),
                }
            }
            #[cfg(feature = "liquid")]
            Node::Liquid(template) => template.render(data),
            Node::Other(value, depth) => resolve(Js::Json(value), data, *depth),
        }
    }
}

/// Everything wrong with `mapping`, as actions-core's `validate` finds it (it stops at the
/// first problem inside a directive, and collects them across an object's keys).
/// Empty when the mapping may be saved.
pub fn validate(mapping: &Value) -> Vec<MappingProblem> {
    match validate_value(&Js::Json(mapping), &Stack::Root, 0) {
        Ok(()) => Vec::new(),
        Err(problems) => problems,
    }
}

/// actions-core's `removeEmptyValues(payload, schema, isRoot)` (remove-empty-values.js):
/// with the action's JSON schema, drops `null` where the schema does not allow `null`, `""`
/// where it does not allow a string, and (at the root) every `""`. `None` when `payload`
/// itself is removed (JS `undefined`).
pub fn remove_empty_values(payload: &Value, schema: &Value, is_root: bool) -> Option<Value> {
    let has = |key: &str| schema.get(key).is_some_and(js_truthy_json);
    if !has("type") && !has("enum") {
        return Some(payload.clone());
    }
    match payload {
        Value::Array(items) => {
            let Some(item_schema) = schema.get("items").filter(|s| js_truthy_json(s)) else {
                return Some(payload.clone());
            };
            // remove-empty-values.js:13: the filter keeps the original item, not the
            // cleaned one.
            Some(Value::Array(
                items
                    .iter()
                    .filter(|item| remove_empty_values(item, item_schema, false).is_some())
                    .cloned()
                    .collect(),
            ))
        }
        Value::Object(object) => {
            let Some(properties) = schema.get("properties").filter(|s| js_truthy_json(s)) else {
                return Some(payload.clone());
            };
            let mut cleaned = Map::new();
            for (key, value) in object {
                let empty = Value::Object(Map::new());
                let property = properties.get(key).unwrap_or(&empty);
                match remove_empty_values(value, property, false) {
                    None => {}
                    Some(Value::String(s)) if s.is_empty() && is_root => {}
                    Some(v) => {
                        cleaned.insert(key.clone(), v);
                    }
                }
            }
            Some(Value::Object(cleaned))
        }
        _ => {
            let types: Vec<&Value> = match schema.get("type") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(types)) => types.iter().collect(),
                Some(t) => vec![t],
            };
            let allows = |name: &str| types.iter().any(|t| t.as_str() == Some(name));
            if payload.is_null() && !allows("null") {
                return None;
            }
            if payload.as_str() == Some("") && !allows("string") {
                return None;
            }
            Some(payload.clone())
        }
    }
}

// ---------------------------------------------------------------------------------------
// Values as JS sees them.

/// A JS value: JSON plus `undefined`, numbers as doubles, objects in JS key order.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Val>),
    Object(Vec<(String, Val)>),
}

impl Val {
    fn from_json(value: &Value) -> Val {
        match value {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => Val::Number(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => Val::String(s.clone()),
            Value::Array(items) => Val::Array(items.iter().map(Val::from_json).collect()),
            Value::Object(map) => Val::Object(
                js_entries(map)
                    .into_iter()
                    .map(|(k, v)| (k.clone(), Val::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// As `JSON.parse(JSON.stringify(value))`: `None` for `undefined`.
    fn into_json(self) -> Option<Value> {
        match self {
            Val::Undefined => None,
            Val::Null => Some(Value::Null),
            Val::Bool(b) => Some(Value::Bool(b)),
            Val::Number(n) => Some(number_to_json(n)),
            Val::String(s) => Some(Value::String(unmarked(s))),
            Val::Array(items) => Some(Value::Array(
                items
                    .into_iter()
                    .map(|v| v.into_json().unwrap_or(Value::Null))
                    .collect(),
            )),
            Val::Object(entries) => Some(Value::Object(
                entries
                    .into_iter()
                    .filter_map(|(k, v)| v.into_json().map(|v| (unmarked(k), v)))
                    .collect(),
            )),
        }
    }

    fn truthy(&self) -> bool {
        match self {
            Val::Undefined | Val::Null => false,
            Val::Bool(b) => *b,
            Val::Number(n) => *n != 0.0 && !n.is_nan(),
            Val::String(s) => !s.is_empty(),
            Val::Array(_) | Val::Object(_) => true,
        }
    }

    /// real-type-of.js's `realTypeOf`.
    fn type_name(&self) -> &'static str {
        match self {
            Val::Undefined => "undefined",
            Val::Null => "null",
            Val::Bool(_) => "boolean",
            Val::Number(_) => "number",
            Val::String(_) => "string",
            Val::Array(_) => "array",
            Val::Object(_) => "object",
        }
    }

    /// JS `String(value)`.
    fn to_js_string(&self) -> String {
        match self {
            Val::Undefined => "undefined".into(),
            Val::Null => "null".into(),
            Val::Bool(b) => b.to_string(),
            Val::Number(n) => js_number_to_string(*n),
            Val::String(s) => s.clone(),
            Val::Array(items) => items
                .iter()
                .map(|v| match v {
                    Val::Undefined | Val::Null => String::new(),
                    v => v.to_js_string(),
                })
                .collect::<Vec<_>>()
                .join(","),
            Val::Object(_) => "[object Object]".into(),
        }
    }

    /// JS `value[key]` for the members a JSON value has.
    fn member(&self, key: &str) -> Val {
        match self {
            Val::Object(entries) => entries
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or(Val::Undefined),
            Val::Array(items) if key == "length" => Val::Number(items.len() as f64),
            Val::Array(items) => array_index(key)
                .and_then(|i| items.get(i))
                .cloned()
                .unwrap_or(Val::Undefined),
            Val::String(s) => string_member(s, key),
            _ => Val::Undefined,
        }
    }
}

/// Where half a character (a lone UTF-16 surrogate, as `"😀"[0]` gives), which a Rust
/// string cannot hold, lives inside a string here: surrogate `0xD800 + n` is the private-use
/// character `U+10F800 + n`. Two halves that meet form their character again on output.
const SURROGATE_MARKS: u32 = 0x10_F800;

/// One UTF-16 code unit of a JS string as a string.
fn code_unit_string(unit: u16) -> String {
    char::from_u32(u32::from(unit))
        .or_else(|| char::from_u32(SURROGATE_MARKS + u32::from(unit) - 0xD800))
        .map(String::from)
        .unwrap_or_default()
}

/// A string's UTF-16 code units as JS sees them (a marked half is one unit).
fn js_units(s: &str) -> Vec<u16> {
    let mut units = Vec::with_capacity(s.len());
    for c in s.chars() {
        let code = u32::from(c);
        if (SURROGATE_MARKS..SURROGATE_MARKS + 0x800).contains(&code) {
            units.push((0xD800 + code - SURROGATE_MARKS) as u16);
        } else {
            let mut buffer = [0; 2];
            units.extend_from_slice(c.encode_utf16(&mut buffer));
        }
    }
    units
}

/// A string for output: halves that meet become their character; a lone one is the text
/// of its JSON escape (`\\ud83d`), as the recorded answers and
/// `Trigger::to_segment_json` write it.
fn unmarked(s: String) -> String {
    // A marked half (U+10F800…) is written in UTF-8 with a leading 0xF4 byte.
    if !s.as_bytes().contains(&0xF4) || !s.chars().any(|c| u32::from(c) >= SURROGATE_MARKS) {
        return s;
    }
    char::decode_utf16(js_units(&s))
        .map(|c| {
            c.map_or_else(
                |e| format!("\\u{:04x}", e.unpaired_surrogate()),
                String::from,
            )
        })
        .collect()
}

/// Sets `key` in a JS object: an existing key keeps its place; a new integer-like key goes
/// among the others in ascending order, before every other key; any other key goes last.
fn object_set(entries: &mut Vec<(String, Val)>, key: String, value: Val) {
    if let Some(slot) = entries.iter_mut().find(|(k, _)| *k == key) {
        slot.1 = value;
        return;
    }
    match array_index(&key) {
        Some(index) => {
            let at = entries
                .iter()
                .position(|(k, _)| array_index(k).is_none_or(|i| i > index))
                .unwrap_or(entries.len());
            entries.insert(at, (key, value));
        }
        None => entries.push((key, value)),
    }
}

/// The keys of a JSON object in JS's order.
fn js_keys(map: &Map<String, Value>) -> Vec<&String> {
    if !map.keys().any(|k| array_index(k).is_some()) {
        return map.keys().collect();
    }
    let mut indexes: Vec<(usize, &String)> = map
        .keys()
        .filter_map(|k| array_index(k).map(|i| (i, k)))
        .collect();
    indexes.sort();
    let mut keys: Vec<&String> = indexes.into_iter().map(|(_, k)| k).collect();
    keys.extend(map.keys().filter(|k| array_index(k).is_none()));
    keys
}

/// The entries of a JSON object in JS's order.
fn js_entries(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    if !map.keys().any(|k| array_index(k).is_some()) {
        return map.iter().collect();
    }
    let mut indexes: Vec<(usize, (&String, &Value))> = map
        .iter()
        .filter_map(|(k, v)| array_index(k).map(|i| (i, (k, v))))
        .collect();
    indexes.sort_by_key(|(i, _)| *i);
    let mut entries: Vec<(&String, &Value)> = indexes.into_iter().map(|(_, e)| e).collect();
    entries.extend(map.iter().filter(|(k, _)| array_index(k).is_none()));
    entries
}

/// A key JS treats as an array index: a canonical decimal below 2^32 - 1.
fn array_index(key: &str) -> Option<usize> {
    if key.is_empty() || (key.len() > 1 && key.starts_with('0')) {
        return None;
    }
    if !key.bytes().all(|b| b.is_ascii_digit()) || key.len() > 10 {
        return None;
    }
    let n: u64 = key.parse().ok()?;
    if n < u64::from(u32::MAX) {
        usize::try_from(n).ok()
    } else {
        None
    }
}

fn number_to_json(n: f64) -> Value {
    if !n.is_finite() {
        return Value::Null;
    }
    if n.fract() == 0.0 {
        if n.abs() < 9.223_372_036_854_776e18 {
            return Value::Number(Number::from(n as i64));
        }
        if n > 0.0 && n < 1.844_674_407_370_955_2e19 {
            return Value::Number(Number::from(n as u64));
        }
    }
    Number::from_f64(n).map_or(Value::Null, Value::Number)
}

/// JS `Number.prototype.toString()` (ECMA-262 Number::toString, radix 10).
fn js_number_to_string(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n == 0.0 {
        return "0".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let sign = if n < 0.0 { "-" } else { "" };
    // Rust's `{:e}` gives the shortest digits that round-trip, as JS's algorithm requires.
    let exp_form = format!("{:e}", n.abs());
    let (mantissa, exponent) = exp_form.split_once('e').unwrap_or((&exp_form, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let k = digits.len() as i64;
    let point = exponent + 1;
    let body = if k <= point && point <= 21 {
        format!("{digits}{}", "0".repeat((point - k) as usize))
    } else if 0 < point && point <= 21 {
        format!(
            "{}.{}",
            &digits[..point as usize],
            &digits[point as usize..]
        )
    } else if -6 < point && point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else {
        let e = point - 1;
        let e = if e >= 0 {
            format!("+{e}")
        } else {
            e.to_string()
        };
        if k == 1 {
            format!("{digits}e{e}")
        } else {
            format!("{}.{}e{e}", &digits[..1], &digits[1..])
        }
    };
    format!("{sign}{body}")
}

/// A part of the event as `Val::from_json(value).into_json()` gives it back: numbers as
/// JS doubles, halves of characters written out.
fn js_json(value: &Value) -> Value {
    // Most of an event is already as JS gives it back: copied whole, a map's clone copies
    // its nodes as they are where rebuilding it sorts and inserts every key again.
    if is_js_json(value) {
        return value.clone();
    }
    match value {
        Value::Number(n) => number_to_json(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => Value::String(unmarked(s.clone())),
        Value::Array(items) => Value::Array(items.iter().map(js_json).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (unmarked(k.clone()), js_json(v)))
                .collect(),
        ),
        Value::Null | Value::Bool(_) => value.clone(),
    }
}

/// Whether [`js_json`] gives `value` back unchanged: every number is one a JS double
/// writes the same, and no string or key may hold a marked half of a character.
fn is_js_json(value: &Value) -> bool {
    // A marked half (U+10F800…) is written in UTF-8 with a leading 0xF4 byte.
    let plain = |s: &str| !s.as_bytes().contains(&0xF4);
    match value {
        Value::Null | Value::Bool(_) => true,
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            // Integers up to 2^53 are doubles exactly; beyond, a double rounds them.
            (Some(i), _) => i.unsigned_abs() <= 1 << 53,
            (None, Some(u)) => u <= 1 << 53,
            // A double with a fraction stays one; a whole double is written as an integer.
            (None, None) => n.as_f64().is_some_and(|f| f.fract() != 0.0),
        },
        Value::String(s) => plain(s),
        Value::Array(items) => items.iter().all(is_js_json),
        Value::Object(map) => map.iter().all(|(k, v)| plain(k) && is_js_json(v)),
    }
}

/// JS truthiness of a JSON value.
fn js_truthy_json(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0 && !n.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

fn opt_truthy(value: Option<&Value>) -> bool {
    value.is_some_and(js_truthy_json)
}

/// `realTypeOf` of a JSON value.
fn json_type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// JS `typeof` of a JSON value.
fn json_typeof(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Null | Value::Array(_) | Value::Object(_) => "object",
    }
}

/// JS `String.prototype.trim` (WhiteSpace and LineTerminator; unlike Rust's `trim`, it
/// strips U+FEFF and keeps U+0085).
fn js_trim(s: &str) -> &str {
    let ws = |c: char| (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}';
    s.trim_matches(ws)
}

/// JS `s.replace('$.', '')`: the first occurrence anywhere, not only a prefix
/// (index.js:161, 170).
fn replace_first_dollar_dot(path: &str) -> String {
    path.replacen("$.", "", 1)
}

// ---------------------------------------------------------------------------------------
// get.js

/// What a mapping reads: the event as it came (read in place, never converted whole), or a
/// value computed from it (an `@arrayPath` item, the payload `@transform` makes).
#[derive(Clone, Copy)]
enum Data<'a> {
    Json(&'a Value),
    Val(&'a Val),
}

/// get.js's `get(obj, path)`.
fn get(obj: Data<'_>, path: &str) -> Val {
    if path.is_empty() || path == "." {
        return obj.to_val();
    }
    walk(obj, &split_path(path))
}

/// get.js:19-21: reads `keys` (a path split) from `obj`.
fn walk<K: AsRef<str>>(obj: Data<'_>, keys: &[K]) -> Val {
    walk_step(obj, keys).into_owned()
}

/// [`walk`], answering the step it stops at (a part of `obj`, not yet copied).
fn walk_step<'a, K: AsRef<str>>(obj: Data<'a>, keys: &[K]) -> Step<'a> {
    // Walk by reference: only the answer is copied, not the payload at every step.
    let mut current = Step::from(obj);
    for key in keys {
        let key = key.as_ref();
        // get.js:19: `prevObj && prevObj[key]` answers a falsy step itself (0, "", false,
        // null) rather than undefined.
        if !current.truthy() {
            break;
        }
        current = match current {
            Step::Json(value) => json_member(value, key),
            Step::Borrowed(value) => member_ref(value, key),
            Step::Owned(value) => Step::Owned(value.member(key)),
        };
    }
    current
}

/// A step of a path: a part of the event, a part of a computed value, or a value computed
/// from either (a length).
enum Step<'a> {
    Json(&'a Value),
    Borrowed(&'a Val),
    Owned(Val),
}

impl Data<'_> {
    /// The data as a JS value (a copy of the event's part it holds).
    fn to_val(self) -> Val {
        Step::from(self).into_owned()
    }
}

impl<'a> From<Data<'a>> for Step<'a> {
    fn from(data: Data<'a>) -> Step<'a> {
        match data {
            Data::Json(value) => Step::Json(value),
            Data::Val(value) => Step::Borrowed(value),
        }
    }
}

impl Step<'_> {
    fn truthy(&self) -> bool {
        match self {
            Step::Json(value) => js_truthy_json(value),
            Step::Borrowed(value) => value.truthy(),
            Step::Owned(value) => value.truthy(),
        }
    }

    /// The condition of `@if` (index.js:57-63): present and not null, and, for `blank`
    /// (`exists` false), not loosely equal to `''`.
    fn holds(&self, exists: bool) -> bool {
        match self {
            Step::Json(Value::Null) => false,
            // An array is `''` when it writes as empty (`[]`, `[null]`): as the JS does.
            Step::Json(array @ Value::Array(_)) => Step::holds_val(&Val::from_json(array), exists),
            Step::Json(value) => {
                exists
                    || match value {
                        Value::Bool(b) => *b,
                        Value::Number(n) => n.as_f64().is_none_or(|n| n != 0.0),
                        Value::String(s) => !s.is_empty(),
                        _ => true,
                    }
            }
            Step::Borrowed(value) => Step::holds_val(value, exists),
            Step::Owned(value) => Step::holds_val(value, exists),
        }
    }

    fn holds_val(value: &Val, exists: bool) -> bool {
        !matches!(value, Val::Undefined | Val::Null) && (exists || !loosely_equals_empty(value))
    }

    /// As `into_owned().into_json()`, without the detour for a part of the event.
    fn into_json(self) -> Option<Value> {
        match self {
            Step::Json(value) => Some(js_json(value)),
            Step::Borrowed(value) => value.clone().into_json(),
            Step::Owned(value) => value.into_json(),
        }
    }

    fn into_owned(self) -> Val {
        match self {
            Step::Json(value) => Val::from_json(value),
            Step::Borrowed(value) => value.clone(),
            Step::Owned(value) => value,
        }
    }
}

/// [`Val::member`] without copying an object's or an array's member.
fn member_ref<'a>(value: &'a Val, key: &str) -> Step<'a> {
    let found = match value {
        Val::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        Val::Array(items) => array_index(key).and_then(|i| items.get(i)),
        _ => None,
    };
    match (found, value) {
        (Some(member), _) => Step::Borrowed(member),
        (None, Val::Object(_)) => Step::Owned(Val::Undefined),
        (None, _) => Step::Owned(value.member(key)),
    }
}

/// [`Val::member`] of a part of the event, in place.
fn json_member<'a>(value: &'a Value, key: &str) -> Step<'a> {
    match value {
        Value::Object(map) => {
            crate::member::member(map, key).map_or(Step::Owned(Val::Undefined), Step::Json)
        }
        Value::Array(items) if key == "length" => Step::Owned(Val::Number(items.len() as f64)),
        Value::Array(items) => array_index(key)
            .and_then(|i| items.get(i))
            .map_or(Step::Owned(Val::Undefined), Step::Json),
        Value::String(s) => Step::Owned(string_member(s, key)),
        _ => Step::Owned(Val::Undefined),
    }
}

/// JS `string[key]` for `length` and an index (a UTF-16 code unit).
fn string_member(s: &str, key: &str) -> Val {
    if key == "length" {
        return Val::Number(js_units(s).len() as f64);
    }
    array_index(key)
        .and_then(|i| js_units(s).get(i).copied())
        .map(|unit| Val::String(code_unit_string(unit)))
        .unwrap_or(Val::Undefined)
}

/// get.js:6-18: split on `[` before a quote or digit, on `.`, and on a run of `]` after a
/// quote or digit; drop empty parts; strip every quote. (Every separator is ASCII, so a
/// part is a slice of the path, and looking at the byte next to one is looking at the
/// character.)
fn split_path(path: &str) -> Vec<Cow<'_, str>> {
    let bytes = path.as_bytes();
    let quote_or_digit = |b: u8| b == b'"' || b == b'\'' || b.is_ascii_digit();
    let mut parts = Vec::new();
    let mut push = |part| push_part(&mut parts, part);
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'[' && bytes.get(i + 1).is_some_and(|n| quote_or_digit(*n)) || b == b'.' {
            push(&path[start..i]);
            i += 1;
            start = i;
        } else if b == b']' && i > 0 && quote_or_digit(bytes[i - 1]) {
            push(&path[start..i]);
            while bytes.get(i) == Some(&b']') {
                i += 1;
            }
            start = i;
        } else {
            i += 1;
        }
    }
    push(&path[start..]);
    parts
}

/// A part of a path, unless empty, without its quotes.
fn push_part<'p>(parts: &mut Vec<Cow<'p, str>>, part: &'p str) {
    match part {
        "" => {}
        quoted if quoted.contains(['\'', '"']) => {
            parts.push(Cow::Owned(quoted.replace(['\'', '"'], "")));
        }
        plain => parts.push(Cow::Borrowed(plain)),
    }
}

// ---------------------------------------------------------------------------------------
// placeholders.js

/// placeholders.js's `render`: `{{{path}}}` first, then `{{path}}` over the result.
fn render(template: &str, data: Data<'_>) -> Result<String, MappingError> {
    let once = render_pass(template, data, 3)?;
    render_pass(&once, data, 2)
}

/// One `replace(/\{\{([^}]+)\}\}/g, …)` pass with `braces` braces on each side.
fn render_pass(text: &str, data: Data<'_>, braces: usize) -> Result<String, MappingError> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        let opens = bytes[i..].len() >= braces && bytes[i..i + braces].iter().all(|b| *b == b'{');
        if opens {
            let start = i + braces;
            let mut end = start;
            while end < bytes.len() && bytes[end] != b'}' {
                end += 1;
            }
            let closes = end > start
                && bytes.len() - end >= braces
                && bytes[end..end + braces].iter().all(|b| *b == b'}');
            if closes {
                out.push_str(&text[copied..i]);
                // placeholders.js:12-14: trimmed, read with get, `?? ''`, then String().
                let value = get(data, js_trim(&text[start..end]));
                match value {
                    Val::Undefined | Val::Null => {}
                    v => out.push_str(&v.to_js_string()),
                }
                if out.len() > MAX_RENDERED {
                    return Err(MappingError::Failed(format!(
                        "@template: the rendered text is longer than {MAX_RENDERED} bytes"
                    )));
                }
                i = end + braces;
                copied = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// index.js: transform and resolve

/// A mapping value being resolved: a piece of the JSON mapping, or (for `@transform`'s
/// root directive) one built here.
#[derive(Clone, Copy)]
enum Js<'a> {
    Json(&'a Value),
    Undefined,
}

impl<'a> Js<'a> {
    fn of(value: Option<&'a Value>) -> Js<'a> {
        value.map_or(Js::Undefined, Js::Json)
    }
}

/// index.js:328 `transform`: `data` must be an object (`undefined` is `{}`). The answer
/// still holds its `undefined` values (`removeUndefined` is the caller's).
fn transform_object(
    mapping: &Value,
    object: &Map<String, Value>,
    data: Data<'_>,
    depth: usize,
) -> Result<Val, MappingError> {
    let empty = Val::Object(Vec::new());
    let data = object_data(data, &empty)?;
    let rooted = mapping_to_process(object)?;
    let to_process = rooted.as_ref().unwrap_or(mapping);
    if let Err(problems) = validate_value(&Js::Json(to_process), &Stack::Root, depth) {
        return Err(MappingError::Invalid(problems));
    }
    resolve(Js::Json(to_process), data, depth)
}

/// index.js:330: the data a mapping reads must be an object; `undefined` is `empty`.
fn object_data<'a>(data: Data<'a>, empty: &'a Val) -> Result<Data<'a>, MappingError> {
    let not_an_object =
        |type_name: &str| MappingError::Failed(format!("data must be an object, got {type_name}"));
    match data {
        Data::Val(Val::Undefined) => Ok(Data::Val(empty)),
        Data::Val(Val::Object(_)) | Data::Json(Value::Object(_)) => Ok(data),
        Data::Val(other) => Err(not_an_object(other.type_name())),
        Data::Json(other) => Err(not_an_object(json_type_of(other))),
    }
}

/// index.js:279 `getMappingToProcess`: the mapping a root directive makes, if there is one
/// (`None`: the mapping itself).
fn mapping_to_process(mapping: &Map<String, Value>) -> Result<Option<Value>, MappingError> {
    let Some(root) = mapping.get(ROOT_MAPPING_FIELD_KEY) else {
        return Ok(None);
    };
    let customer: Map<String, Value> = mapping
        .iter()
        .filter(|(k, _)| *k != ROOT_MAPPING_FIELD_KEY)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let keys: Vec<String> = match root {
        Value::Null => {
            return Err(MappingError::Failed(
                "Cannot convert undefined or null to object".into(),
            ))
        }
        Value::Object(map) => js_keys(map).into_iter().cloned().collect(),
        Value::Array(items) => (0..items.len()).map(|i| i.to_string()).collect(),
        Value::String(s) => (0..s.encode_utf16().count())
            .map(|i| i.to_string())
            .collect(),
        Value::Bool(_) | Value::Number(_) => Vec::new(),
    };
    if keys.len() > 1 {
        return Err(MappingError::Failed(
            "The root mapping must only have a single directive object".into(),
        ));
    }
    let not_object = || MappingError::Failed("The root directive must be an object".into());
    match (root, keys.first()) {
        (Value::Object(map), Some(key)) => match map.get(key) {
            Some(Value::Object(directive)) => {
                let mut directive = directive.clone();
                directive.insert("mapping".into(), Value::Object(customer));
                let mut root = map.clone();
                root.insert(key.clone(), Value::Object(directive));
                Ok(Some(Value::Object(root)))
            }
            // A JS array takes the `mapping` property without showing it.
            Some(Value::Array(_)) => Ok(Some(root.clone())),
            _ => Err(not_object()),
        },
        (Value::Array(items), Some(_)) => match items.first() {
            Some(Value::Object(directive)) => {
                let mut directive = directive.clone();
                directive.insert("mapping".into(), Value::Object(customer));
                Ok(Some(Value::Array(vec![Value::Object(directive)])))
            }
            Some(Value::Array(_)) => Ok(Some(root.clone())),
            _ => Err(not_object()),
        },
        _ => Err(not_object()),
    }
}

/// is-directive.js: an object with an `@` key and no other keys but `_metadata`.
fn is_directive(map: &Map<String, Value>) -> bool {
    map.keys().any(|k| k.starts_with('@'))
        && map.keys().all(|k| k.starts_with('@') || k == "_metadata")
}

/// index.js:300 `resolve`.
fn resolve(mapping: Js<'_>, payload: Data<'_>, depth: usize) -> Result<Val, MappingError> {
    if depth > MAX_DEPTH {
        return Err(MappingError::TooDeep);
    }
    let Js::Json(value) = mapping else {
        return Ok(Val::Undefined);
    };
    match value {
        Value::Object(map) if is_directive(map) => run_directive(map, payload, depth + 1),
        Value::Object(map) => {
            let mut resolved = Vec::with_capacity(map.len());
            for (key, value) in js_entries(map) {
                let value = resolve(Js::Json(value), payload, depth + 1)?;
                resolved.push((key.clone(), value));
            }
            Ok(Val::Object(resolved))
        }
        Value::Array(items) => items
            .iter()
            .map(|item| resolve(Js::Json(item), payload, depth + 1))
            .collect::<Result<Vec<_>, _>>()
            .map(Val::Array),
        other => Ok(Val::from_json(other)),
    }
}

fn failed(message: impl Into<String>) -> MappingError {
    MappingError::Failed(message.into())
}

/// index.js:37 `runDirective` and the directives registered at index.js:49-262.
fn run_directive(
    map: &Map<String, Value>,
    payload: Data<'_>,
    depth: usize,
) -> Result<Val, MappingError> {
    // An `@` key is never integer-like, so JS's order among them is the map's.
    let Some(name) = map.keys().find(|k| k.starts_with('@')) else {
        return Ok(Val::Undefined);
    };
    let value = &map[name];
    let opts = value.as_object();
    let opt = |key: &str| opts.and_then(|o| o.get(key));
    let resolve_opt = |key: &str| resolve(Js::of(opt(key)), payload, depth);
    match name.as_str() {
        "@if" => {
            if opts.is_none() {
                return Err(failed(r#"@if requires an object with an "exists" key"#));
            }
            if !opt_truthy(opt("exists")) && !opt_truthy(opt("blank")) {
                return Err(failed(r#"@if requires an "exists" key or a "blank" key"#));
            }
            // index.js:57: a falsy but present `exists` (null, 0, "") still wins over
            // `blank`.
            let condition = if opt("exists").is_some() {
                !matches!(resolve_opt("exists")?, Val::Undefined | Val::Null)
            } else {
                let value = resolve_opt("blank")?;
                !matches!(value, Val::Undefined | Val::Null) && !loosely_equals_empty(&value)
            };
            if condition && opt("then").is_some() {
                resolve_opt("then")
            } else if !condition && opt_truthy(opt("else")) {
                resolve_opt("else")
            } else {
                Ok(Val::Undefined)
            }
        }
        "@case" => {
            if opts.is_none() {
                return Err(failed(r#"@case requires an object with a "operator" key"#));
            }
            if !opt_truthy(opt("operator")) {
                return Err(failed(r#"@case requires a "operator" key"#));
            }
            if !opt_truthy(opt("value")) {
                return Ok(Val::Undefined);
            }
            match resolve_opt("value")? {
                Val::String(s) => match opt("operator").and_then(Value::as_str) {
                    Some("lower") => Ok(Val::String(s.to_lowercase())),
                    Some("upper") => Ok(Val::String(s.to_uppercase())),
                    _ => Err(failed(
                        r#"operator key should have a value of "lower" or "upper""#,
                    )),
                },
                other => Ok(other),
            }
        }
        "@replace" => run_replace(opts, payload, depth),
        "@arrayPath" => {
            let Value::Array(data) = value else {
                return Err(failed(format!(
                    "@arrayPath expected array, got {}",
                    json_type_of(value)
                )));
            };
            let root = match data.first() {
                Some(Value::String(path)) => get(payload, &replace_first_dollar_dot(path)),
                path => resolve(Js::of(path), payload, depth)?,
            };
            match (&root, data.get(1)) {
                (Val::Object(_) | Val::Array(_), Some(Value::Object(shape)))
                    if !shape.is_empty() =>
                {
                    let items = match root {
                        Val::Array(items) => items,
                        other => vec![other],
                    };
                    items
                        .iter()
                        .map(|item| resolve(Js::Json(&data[1]), Data::Val(item), depth))
                        .collect::<Result<Vec<_>, _>>()
                        .map(Val::Array)
                }
                _ => Ok(root),
            }
        }
        "@path" => match resolve(Js::Json(value), payload, depth)? {
            Val::String(path) => Ok(get(payload, &replace_first_dollar_dot(&path))),
            other => Err(failed(format!(
                "@path: expected string, got {}",
                other.type_name()
            ))),
        },
        "@template" => match resolve(Js::Json(value), payload, depth)? {
            Val::String(template) => render(&template, payload).map(Val::String),
            other => Err(failed(format!(
                "@template: expected string, got {}",
                other.type_name()
            ))),
        },
        // index.js:175: a literal is resolved too, so a directive inside it runs.
        "@literal" => resolve(Js::Json(value), payload, depth),
        "@flatten" => {
            if opts.is_none() {
                return Err(failed(
                    r#"@flatten requires an object with a "separator" key"#,
                ));
            }
            if !opt_truthy(opt("separator")) {
                return Err(failed(r#"@flatten requires a "separator" key"#));
            }
            let Val::String(separator) = resolve_opt("separator")? else {
                return Err(failed("@flatten requires a string separator"));
            };
            let value = resolve_opt("value")?;
            let omit_arrays = opt_truthy(opt("omitArrays"));
            Ok(Val::Object(flatten(
                value,
                String::new(),
                &separator,
                omit_arrays,
            )))
        }
        "@json" => {
            if opts.is_none() {
                return Err(failed(r#"@json requires an object with a "value" key"#));
            }
            if !opt_truthy(opt("mode")) {
                return Err(failed(r#"@json requires a "mode" key"#));
            }
            if !opt_truthy(opt("value")) {
                return Err(failed(r#"@json requires a "value" key"#));
            }
            let value = resolve_opt("value")?;
            match opt("mode").and_then(Value::as_str) {
                Some("encode") => Ok(json_stringify(&value).map_or(Val::Undefined, Val::String)),
                Some("decode") => match &value {
                    Val::String(text) => Ok(serde_json::from_str::<Value>(text)
                        .map(|v| Val::from_json(&v))
                        .unwrap_or(value)),
                    _ => Ok(value),
                },
                _ => Ok(Val::Undefined),
            }
        }
        "@merge" => {
            if opts.is_none() {
                return Err(failed(
                    r#"@merge requires an object with an "objects" key and a "direction" key"#,
                ));
            }
            if !opt_truthy(opt("direction")) {
                return Err(failed(r#"@merge requires a "direction" key"#));
            }
            let direction = resolve_opt("direction")?;
            let Some(objects) = opt("objects").filter(|o| js_truthy_json(o)) else {
                return Err(failed(r#"@merge requires a "objects" key"#));
            };
            let Value::Array(objects) = objects else {
                return Err(failed(format!(
                    "@merge: expected opts.array, got {}",
                    json_typeof(objects)
                )));
            };
            let mut resolved = objects
                .iter()
                .map(|o| resolve(Js::Json(o), payload, depth))
                .collect::<Result<Vec<_>, _>>()?;
            if direction == Val::String("left".into()) {
                resolved.reverse();
            }
            Ok(Val::Object(object_assign(resolved)))
        }
        "@transform" => {
            if opts.is_none() {
                return Err(failed(
                    r#"@transform requires an object with an "apply" key and a "mapping" key"#,
                ));
            }
            if !opt_truthy(opt("mapping")) {
                return Err(failed(r#"@transform requires a "mapping" key"#));
            }
            if !opt_truthy(opt("apply")) {
                return Err(failed(r#"@transform requires a "apply" key"#));
            }
            let Some(apply @ Value::Object(object)) = opt("apply") else {
                return Err(failed(r#"@transform "apply" key should be an object"#));
            };
            let new_payload = remove_undefined(transform_object(apply, object, payload, depth)?);
            resolve(Js::of(opt("mapping")), Data::Val(&new_payload), depth)
        }
        "@excludeWhenNull" => match resolve(Js::Json(value), payload, depth)? {
            Val::Null => Ok(Val::Undefined),
            other => Ok(clean_nulls(other)),
        },
        #[cfg(feature = "liquid")]
        "@liquid" => liquid::evaluate(value, payload),
        #[cfg(not(feature = "liquid"))]
        "@liquid" => Err(failed("@liquid is not available in this build")),
        other => Err(failed(format!(
            "{other} is not a valid directive, got undefined"
        ))),
    }
}

/// `value == ''` in JS (index.js:63), for a value that is neither null nor undefined.
fn loosely_equals_empty(value: &Val) -> bool {
    match value {
        Val::Bool(b) => !b,
        Val::Number(n) => *n == 0.0,
        Val::String(s) => s.is_empty(),
        Val::Array(_) => value.to_js_string().is_empty(),
        Val::Undefined | Val::Null | Val::Object(_) => false,
    }
}

/// index.js:107 `@replace`.
fn run_replace(
    opts: Option<&Map<String, Value>>,
    payload: Data<'_>,
    depth: usize,
) -> Result<Val, MappingError> {
    let Some(opts) = opts else {
        return Err(failed(
            r#"@replace requires an object with a "pattern" key"#,
        ));
    };
    if !opt_truthy(opts.get("pattern")) {
        return Err(failed(r#"@replace requires a "pattern" key"#));
    }
    let empty = Value::String(String::new());
    let or_default = |key: &str, default: &'static Value| match opts.get(key) {
        None | Some(Value::Null) => default,
        Some(v) => v,
    };
    static FALSE: Value = Value::Bool(false);
    static TRUE: Value = Value::Bool(true);
    let replacement = match opts.get("replacement") {
        None | Some(Value::Null) => &empty,
        Some(v) => v,
    };
    let pattern2 = opts.get("pattern2").filter(|p| js_truthy_json(p));
    let replacement2 = match opts.get("replacement2") {
        None | Some(Value::Null) if pattern2.is_some() => Some(&empty),
        other => other,
    };
    let ignorecase = or_default("ignorecase", &FALSE);
    let global = or_default("global", &TRUE);
    if !opt_truthy(opts.get("value")) {
        return Ok(Val::Undefined);
    }
    let value = match resolve(Js::of(opts.get("value")), payload, depth)? {
        v @ (Val::Bool(_) | Val::Number(_)) => Val::String(v.to_js_string()),
        v => v,
    };
    let mut new_value = String::new();
    if let (
        Val::String(value),
        Some(Value::String(pattern)),
        Value::String(replacement),
        Value::Bool(ignorecase),
        Value::Bool(global),
    ) = (&value, opts.get("pattern"), replacement, ignorecase, global)
    {
        new_value = perform_replace(value, pattern, replacement, *global, *ignorecase)?;
        if let (Some(Value::String(pattern2)), Some(Value::String(replacement2))) =
            (pattern2, replacement2)
        {
            new_value = perform_replace(&new_value, pattern2, replacement2, *global, *ignorecase)?;
        }
    }
    Ok(Val::String(new_value))
}

/// index.js:97 `performReplace`: the pattern is escaped, so it matches literally; the
/// replacement keeps JS's `$` patterns (`$$`, `$&`, `` $` ``, `$'`).
fn perform_replace(
    value: &str,
    pattern: &str,
    replacement: &str,
    global: bool,
    ignorecase: bool,
) -> Result<String, MappingError> {
    if pattern.encode_utf16().count() > MAX_REPLACE_LENGTH {
        return Err(failed(format!(
            r#"@replace requires a "pattern" less than {MAX_REPLACE_LENGTH} characters"#
        )));
    }
    if replacement.encode_utf16().count() > MAX_REPLACE_LENGTH {
        return Err(failed(format!(
            r#"@replace requires a "replacement" less than {MAX_REPLACE_LENGTH} characters"#
        )));
    }
    let text: Vec<(usize, char)> = value.char_indices().collect();
    let needle: Vec<char> = pattern.chars().collect();
    let same = |a: char, b: char| {
        if ignorecase {
            canonicalize(a) == canonicalize(b)
        } else {
            a == b
        }
    };
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i + needle.len() <= text.len() && !needle.is_empty() {
        let found = needle
            .iter()
            .enumerate()
            .all(|(j, c)| same(text[i + j].1, *c));
        if !found {
            i += 1;
            continue;
        }
        let start = text[i].0;
        let end = text.get(i + needle.len()).map_or(value.len(), |(b, _)| *b);
        out.push_str(&value[copied..start]);
        expand_replacement(&mut out, replacement, value, start, end);
        copied = end;
        i += needle.len();
        if !global {
            break;
        }
    }
    out.push_str(&value[copied..]);
    Ok(out)
}

/// ECMA-262 Canonicalize for a non-unicode, ignoring-case regular expression.
fn canonicalize(c: char) -> char {
    if u32::from(c) > 0xFFFF {
        return c;
    }
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) if u32::from(u) <= 0xFFFF => {
            if u32::from(c) >= 128 && u32::from(u) < 128 {
                c
            } else {
                u
            }
        }
        _ => c,
    }
}

/// ECMA-262 GetSubstitution with no capture groups.
fn expand_replacement(out: &mut String, replacement: &str, value: &str, start: usize, end: usize) {
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('$') => {
                out.push('$');
                chars.next();
            }
            Some('&') => {
                out.push_str(&value[start..end]);
                chars.next();
            }
            Some('`') => {
                out.push_str(&value[..start]);
                chars.next();
            }
            Some('\'') => {
                out.push_str(&value[end..]);
                chars.next();
            }
            _ => out.push('$'),
        }
    }
}

/// flatten.js `flattenObject`.
fn flatten(input: Val, prefix: String, separator: &str, ignore_arrays: bool) -> Vec<(String, Val)> {
    let entries: Vec<(String, Val)> = match input {
        Val::Object(entries) => entries,
        Val::Array(items) if !ignore_arrays => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        other => return vec![(prefix, other)],
    };
    let mut flat = Vec::new();
    for (key, value) in entries {
        let key = if prefix.is_empty() {
            key
        } else {
            format!("{prefix}{separator}{key}")
        };
        for (k, v) in flatten(value, key, separator, ignore_arrays) {
            object_set(&mut flat, k, v);
        }
    }
    flat
}

/// `Object.assign({}, ...sources)` (index.js:235).
fn object_assign(sources: Vec<Val>) -> Vec<(String, Val)> {
    let mut target = Vec::new();
    for source in sources {
        match source {
            Val::Object(entries) => {
                for (k, v) in entries {
                    object_set(&mut target, k, v);
                }
            }
            Val::Array(items) => {
                for (i, v) in items.into_iter().enumerate() {
                    object_set(&mut target, i.to_string(), v);
                }
            }
            Val::String(s) => {
                for (i, unit) in js_units(&s).into_iter().enumerate() {
                    let ch = Val::String(code_unit_string(unit));
                    object_set(&mut target, i.to_string(), ch);
                }
            }
            Val::Undefined | Val::Null | Val::Bool(_) | Val::Number(_) => {}
        }
    }
    target
}

/// index.js:263 `cleanNulls`: nulls become undefined, in nested objects too (not arrays).
fn clean_nulls(value: Val) -> Val {
    match value {
        Val::Object(entries) => Val::Object(
            entries
                .into_iter()
                .map(|(k, v)| match v {
                    Val::Null => (k, Val::Undefined),
                    v @ Val::Object(_) => (k, clean_nulls(v)),
                    v => (k, v),
                })
                .collect(),
        ),
        other => other,
    }
}

/// remove-undefined.js: drops undefined object values, recursively (an undefined array
/// item stays, and is written `null`).
fn remove_undefined(value: Val) -> Val {
    match value {
        Val::Array(items) => Val::Array(items.into_iter().map(remove_undefined).collect()),
        Val::Object(entries) => Val::Object(
            entries
                .into_iter()
                .filter(|(_, v)| *v != Val::Undefined)
                .map(|(k, v)| (k, remove_undefined(v)))
                .collect(),
        ),
        other => other,
    }
}

/// `JSON.stringify(value)`: `None` for undefined.
fn json_stringify(value: &Val) -> Option<String> {
    let mut out = String::new();
    write_json(&mut out, value).then_some(out)
}

fn write_json(out: &mut String, value: &Val) -> bool {
    match value {
        Val::Undefined => return false,
        Val::Null => out.push_str("null"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Number(n) if n.is_finite() => out.push_str(&js_number_to_string(*n)),
        Val::Number(_) => out.push_str("null"),
        Val::String(s) => write_json_string(out, s),
        Val::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if !write_json(out, item) {
                    out.push_str("null");
                }
            }
            out.push(']');
        }
        Val::Object(entries) => {
            out.push('{');
            let mut first = true;
            for (k, v) in entries {
                if *v == Val::Undefined {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                write_json_string(out, k);
                out.push(':');
                write_json(out, v);
            }
            out.push('}');
        }
    }
    true
}

fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in char::decode_utf16(js_units(s)) {
        match c {
            // JSON.stringify writes half a character as its escape.
            Err(half) => out.push_str(&format!("\\u{:04x}", half.unpaired_surrogate())),
            Ok('"') => out.push_str("\\\""),
            Ok('\\') => out.push_str("\\\\"),
            Ok('\u{8}') => out.push_str("\\b"),
            Ok('\u{c}') => out.push_str("\\f"),
            Ok('\n') => out.push_str("\\n"),
            Ok('\r') => out.push_str("\\r"),
            Ok('\t') => out.push_str("\\t"),
            Ok(c) if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            Ok(c) => out.push(c),
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------------------------------
// validate.js

type Checked = Result<(), Vec<MappingProblem>>;

/// Where validation is in the mapping: the keys and directive names from its root, each
/// level borrowing its parent's (nothing is allocated unless there is a problem).
#[derive(Clone, Copy)]
enum Stack<'s> {
    Root,
    Key(&'s Stack<'s>, &'s str),
}

impl Stack<'_> {
    /// The keys from the root.
    fn path(&self) -> Vec<String> {
        let mut path = Vec::new();
        let mut at = self;
        while let Stack::Key(parent, key) = at {
            path.push(key.to_string());
            at = parent;
        }
        path.reverse();
        path
    }

    /// One level up (the root's is the root).
    fn parent(&self) -> &Stack<'_> {
        match self {
            Stack::Root => self,
            Stack::Key(parent, _) => parent,
        }
    }
}

fn problem(stack: &Stack<'_>, message: impl Into<String>) -> Vec<MappingProblem> {
    vec![MappingProblem {
        path: stack.path(),
        message: message.into(),
    }]
}

fn pushed<'s>(stack: &'s Stack<'s>, key: &'s str) -> Stack<'s> {
    Stack::Key(stack, key)
}

/// validate.js:29 `realTypeOrDirective`.
fn type_or_directive(value: &Js<'_>) -> &'static str {
    match value {
        Js::Undefined => "undefined",
        Js::Json(Value::Object(map)) if map.keys().any(|k| k.starts_with('@')) => "directive",
        Js::Json(v) => json_type_of(v),
    }
}

/// validate.js:283 `indefiniteArticle`.
fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

fn a_type(value: &Js<'_>) -> String {
    let t = type_or_directive(value);
    format!("{} {t}", article(t))
}

/// validate.js:295 `validate`.
fn validate_value(value: &Js<'_>, stack: &Stack<'_>, depth: usize) -> Checked {
    if depth > MAX_DEPTH {
        return Err(problem(
            stack,
            format!("is nested deeper than {MAX_DEPTH} levels"),
        ));
    }
    match (type_or_directive(value), value) {
        ("directive", Js::Json(Value::Object(map))) => validate_directive(map, stack, depth + 1),
        ("object", Js::Json(Value::Object(map))) => validate_object(map, stack, depth + 1),
        _ => Ok(()),
    }
}

/// validate.js:37 `validateDirective`.
fn validate_directive(map: &Map<String, Value>, stack: &Stack<'_>, depth: usize) -> Checked {
    if depth > MAX_DEPTH {
        return Err(problem(
            stack,
            format!("is nested deeper than {MAX_DEPTH} levels"),
        ));
    }
    let keys = js_keys(map);
    let directive_keys: Vec<&&String> = keys.iter().filter(|k| k.starts_with('@')).collect();
    if directive_keys.len() > 1 {
        return Err(problem(
            stack,
            format!(
                "should only have one @-prefixed key but it has {} keys",
                directive_keys.len()
            ),
        ));
    }
    if keys
        .iter()
        .any(|k| !k.starts_with('@') && k.as_str() != "_metadata")
    {
        // validate.js:49 counts every key, not only the other ones.
        return Err(problem(
            stack,
            format!(
                "should only have one @-prefixed key but it has {} keys",
                keys.len()
            ),
        ));
    }
    let Some(name) = directive_keys.first() else {
        return Ok(());
    };
    let value = Js::Json(&map[name.as_str()]);
    let inner = pushed(stack, name);
    let stack = &inner;
    let fields = |v: &Js<'_>, rules: &[(&str, Rule)]| check_fields(v, rules, stack, depth);
    use Rule::{Optional, Required};
    match name.as_str() {
        "@if" => fields(
            &value,
            &[
                ("exists", Optional(Check::Raw)),
                ("then", Optional(Check::Raw)),
                ("else", Optional(Check::Raw)),
            ],
        ),
        "@case" => fields(
            &value,
            &[
                ("operator", Optional(Check::String)),
                ("value", Optional(Check::DirectiveOrString)),
            ],
        ),
        "@replace" => fields(
            &value,
            &[
                (
                    "pattern",
                    Required(Check::StringOfLength(1, MAX_REPLACE_LENGTH)),
                ),
                (
                    "replacement",
                    Optional(Check::StringOfLength(0, MAX_REPLACE_LENGTH)),
                ),
                ("value", Required(Check::DirectiveOrString)),
                ("ignorecase", Optional(Check::Boolean)),
                ("global", Optional(Check::Boolean)),
            ],
        ),
        "@arrayPath" => {
            let Js::Json(Value::Array(data)) = value else {
                let t = match value {
                    Js::Json(v) => json_type_of(v),
                    Js::Undefined => "undefined",
                };
                return Err(problem(
                    stack,
                    format!("should be an array but it is {} {t}", article(t)),
                ));
            };
            check(
                Check::DirectiveOrString,
                &Js::of(data.first()),
                stack,
                depth,
            )?;
            validate_value(&Js::of(data.get(1)), stack, depth)
        }
        "@path" | "@template" => check(Check::DirectiveOrString, &value, stack, depth),
        "@json" => fields(
            &value,
            &[
                ("value", Required(Check::Raw)),
                ("mode", Required(Check::OneOf(&["encode", "decode"]))),
            ],
        ),
        "@flatten" => fields(
            &value,
            &[
                ("separator", Optional(Check::String)),
                ("value", Required(Check::Raw)),
            ],
        ),
        "@merge" => {
            fields(
                &value,
                &[
                    ("direction", Optional(Check::OneOf(&["left", "right"]))),
                    ("objects", Required(Check::Array)),
                ],
            )?;
            // validate.js:262 checks each object with an empty stack.
            if let Js::Json(Value::Object(opts)) = value {
                if let Some(Value::Array(objects)) = opts.get("objects") {
                    for object in objects {
                        check(
                            Check::DirectiveOrObject,
                            &Js::Json(object),
                            &Stack::Root,
                            depth,
                        )?;
                    }
                }
            }
            Ok(())
        }
        "@literal" | "@excludeWhenNull" => check(Check::Raw, &value, stack, depth),
        "@transform" => fields(
            &value,
            &[
                ("apply", Required(Check::DirectiveOrObject)),
                ("mapping", Required(Check::DirectiveOrObject)),
            ],
        ),
        "@liquid" => check(Check::String, &value, stack, depth),
        other => Err(problem(
            stack.parent(),
            format!("has an invalid directive: {other}"),
        )),
    }
}

/// What a field of a directive must be.
#[derive(Clone, Copy)]
enum Check {
    Raw,
    String,
    StringOfLength(usize, usize),
    DirectiveOrString,
    DirectiveOrObject,
    Boolean,
    Array,
    OneOf(&'static [&'static str]),
}

#[derive(Clone, Copy)]
enum Rule {
    Required(Check),
    Optional(Check),
}

/// validate.js:161 `validateObjectWithFields`.
fn check_fields(
    value: &Js<'_>,
    rules: &[(&str, Rule)],
    stack: &Stack<'_>,
    depth: usize,
) -> Checked {
    let Js::Json(Value::Object(map)) = value else {
        return Err(problem(
            stack,
            format!("should be an object but it is {}", a_type(value)),
        ));
    };
    if type_or_directive(value) == "directive" {
        return Err(problem(
            stack,
            format!("should be an object but it is {}", a_type(value)),
        ));
    }
    validate_object(map, stack, depth)?;
    let mut problems = Vec::new();
    for (name, rule) in rules {
        let field = map.get(*name);
        let result = match (rule, field) {
            (Rule::Required(_), None) => Err(problem(
                stack,
                format!("should have field {} but it doesn't", json_quote(name)),
            )),
            (Rule::Required(c) | Rule::Optional(c), Some(v)) => {
                check(*c, &Js::Json(v), &pushed(stack, name), depth)
            }
            (Rule::Optional(_), None) => Ok(()),
        };
        if let Err(mut found) = result {
            problems.append(&mut found);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn json_quote(s: &str) -> String {
    let mut out = String::new();
    write_json_string(&mut out, s);
    out
}

/// validate.js:137 `validateObject`: every key, problems collected.
fn validate_object(map: &Map<String, Value>, stack: &Stack<'_>, depth: usize) -> Checked {
    let mut problems = Vec::new();
    for (key, value) in js_entries(map) {
        if let Err(mut found) = validate_value(&Js::Json(value), &pushed(stack, key), depth) {
            problems.append(&mut found);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn check(rule: Check, value: &Js<'_>, stack: &Stack<'_>, depth: usize) -> Checked {
    let kind = type_or_directive(value);
    let directive = |v: &Js<'_>| match v {
        Js::Json(Value::Object(map)) => validate_directive(map, stack, depth + 1),
        _ => Ok(()),
    };
    match rule {
        Check::Raw => match kind {
            "directive" => directive(value),
            "undefined" => Err(problem(
                stack,
                format!(
                    "should be a mapping directive or a JSON value but it is {}",
                    a_type(value)
                ),
            )),
            _ => Ok(()),
        },
        Check::String if kind == "string" => Ok(()),
        Check::String | Check::OneOf(_) | Check::StringOfLength(..) if kind != "string" => {
            Err(problem(
                stack,
                format!("should be a string but it is {}", a_type(value)),
            ))
        }
        Check::StringOfLength(min, max) => {
            let length = match value {
                Js::Json(Value::String(s)) => s.encode_utf16().count(),
                _ => 0,
            };
            if length < min {
                Err(problem(
                    stack,
                    format!("should be a string of length {min} or greater"),
                ))
            } else if length > max {
                Err(problem(
                    stack,
                    format!("should be a string of length {max} or less"),
                ))
            } else {
                Ok(())
            }
        }
        Check::OneOf(allowed) => {
            let Js::Json(Value::String(s)) = value else {
                return Ok(());
            };
            if allowed.contains(&s.to_lowercase().as_str()) {
                Ok(())
            } else {
                Err(problem(
                    stack,
                    format!(
                        "should be one of {} but it is {}",
                        allowed.join(", "),
                        json_quote(s)
                    ),
                ))
            }
        }
        Check::String => Ok(()),
        Check::DirectiveOrString => match kind {
            "directive" => directive(value),
            "string" => Ok(()),
            _ => Err(problem(
                stack,
                format!(
                    "should be a string or a mapping directive but it is {}",
                    a_type(value)
                ),
            )),
        },
        Check::DirectiveOrObject => match (kind, value) {
            ("directive", _) => directive(value),
            ("object", Js::Json(Value::Object(map))) => validate_object(map, stack, depth + 1),
            _ => Err(problem(
                stack,
                format!(
                    "should be a object or a mapping directive but it is {}",
                    a_type(value)
                ),
            )),
        },
        Check::Boolean if kind == "boolean" => Ok(()),
        Check::Boolean => Err(problem(
            stack,
            format!("should be a boolean but it is {}", a_type(value)),
        )),
        Check::Array => match value {
            Js::Json(Value::Array(_)) => Ok(()),
            Js::Json(v) => {
                let t = json_type_of(v);
                Err(problem(
                    stack,
                    format!("should be an array but it is {} {t}", article(t)),
                ))
            }
            Js::Undefined => Err(problem(stack, "should be an array but it is an undefined")),
        },
    }
}
