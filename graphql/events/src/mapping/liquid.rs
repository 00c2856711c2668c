//! `@liquid`: a Liquid template rendered over the event, with the limits of actions-core
//! 3.170.0's `liquid-directive.js` (liquidjs 10.25.7 underneath), evaluated by the `liquid`
//! crate (Shopify's Liquid, as liquidjs implements it too):
//!
//! - a template is a string of at most [`MAX_TEMPLATE_LENGTH`] characters (UTF-16 units,
//!   as JS counts); the empty template renders `""` without parsing;
//! - the tags that loop or read other templates are refused: `case`, `for`, `include`,
//!   `layout`, `render`, `tablerow` (`tag "for" is disabled`, when parsed, as liquidjs);
//! - the filters Segment disables fail when they run (`filter "sort" is disabled`);
//! - everything written (output, `capture`) and every filter's result is charged to a
//!   budget of [`MEMORY_LIMIT`] bytes (liquidjs's `memoryLimit: 1e8`), so a template that
//!   doubles a string in every `assign` or `capture` fails instead of exhausting memory.
//!   Without loops, a template's running time is bounded by its length and that budget,
//!   which stands in for liquidjs's `renderLimit` (500 ms, a clock this crate has no use
//!   for: no IO, and the same answer on every machine).
//!
//! Where the `liquid` crate answers otherwise than liquidjs, liquidjs's answer is made here,
//! and the recorded comparison (`segment/liquid.json`, and live in `tests/segment.rs`) has
//! no difference left: every output is written by liquidjs's `stringify` (numbers as
//! JavaScript writes them, `1e+23`; an object as `[object Object]`), appended to each
//! output as a last filter ([`js_outputs`]); `if`/`unless` compare as liquidjs's operators
//! (`liquid/condition.rs`, `liquid/js.rs`); `truncate`, `size`, `first`, `last` count UTF-16
//! units; `date` reads ISO 8601 with milliseconds and writes UTC; a filter neither engine
//! knows passes its input through; whole numbers too wide for an `i64` are read as numbers.

use super::{Data, MappingError, Val};
use liquid_core::model::{KString, KStringCow, Object, ScalarCow, Value, ValueCow};
use liquid_core::parser::{
    BlockReflection, FilterArguments, Language, ParameterReflection, ParseBlock, ParseTag,
    PluginRegistry, TagBlock, TagReflection,
};
use liquid_core::runtime::{PartialStore, Registers, Renderable, Runtime, RuntimeBuilder};
use liquid_core::{
    Display_filter, Expression, Filter, FilterParameters, FilterReflection, FromFilterParameters,
    ParseFilter, TagTokenIter, Template, ValueView,
};
use std::cell::Cell;
use std::collections::BTreeSet;
use std::fmt;
use std::io::Write;
use std::sync::OnceLock;

/// The longest template, in UTF-16 units (liquid-directive.js: "liquid template values
/// are limited to 1000 characters").
pub const MAX_TEMPLATE_LENGTH: usize = 1000;

/// What one evaluation may write and compute, in bytes (liquidjs's `memoryLimit`).
pub const MEMORY_LIMIT: usize = 100_000_000;

/// The tags Segment disables (liquid-directive.js `disabledTags`).
const DISABLED_TAGS: [&str; 6] = ["case", "for", "include", "layout", "render", "tablerow"];

/// The filters Segment disables (liquid-directive.js `disabledFilters`).
const DISABLED_FILTERS: [&str; 20] = [
    "array_to_sentence_string",
    "concat",
    "find",
    "find_exp",
    "find_index",
    "find_index_exp",
    "group_by",
    "group_by_exp",
    "has",
    "has_exp",
    "map",
    "newline_to_br",
    "reject",
    "reject_exp",
    "reverse",
    "sort",
    "sort_natural",
    "uniq",
    "where_exp",
    "type",
];

/// liquid-directive.js `evaluateLiquid(liquidValue, event)`: the rendered text.
pub(super) fn evaluate(
    template: &serde_json::Value,
    payload: Data<'_>,
) -> Result<Val, MappingError> {
    Prepared::new(template).render(payload)
}

/// A `@liquid` template checked and parsed, to render over any number of events (what a
/// checked mapping keeps): everything `evaluateLiquid` does before it reads the event.
pub(super) struct Prepared {
    /// The template's text, which tells two prepared templates apart.
    template: serde_json::Value,
    /// The parsed template (`None`: the empty template, which renders `""`), or why it
    /// cannot render.
    parsed: Result<Option<Template>, MappingError>,
    /// Whether the template reads the event's root as a whole ([`ROOT`]).
    reads_root: bool,
}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Prepared").field(&self.template).finish()
    }
}

impl PartialEq for Prepared {
    fn eq(&self, other: &Prepared) -> bool {
        self.template == other.template
    }
}

impl Prepared {
    /// Checks and parses `template`, as `evaluateLiquid` does first.
    pub(super) fn new(template: &serde_json::Value) -> Prepared {
        let prepared = |parsed, reads_root| Prepared {
            template: template.clone(),
            parsed,
            reads_root,
        };
        let serde_json::Value::String(text) = template else {
            return prepared(
                Err(MappingError::Failed(
                    "liquid template value must be a string".into(),
                )),
                false,
            );
        };
        if text.is_empty() {
            return prepared(Ok(None), false);
        }
        if text.encode_utf16().count() > MAX_TEMPLATE_LENGTH {
            return prepared(
                Err(MappingError::Failed(
                    "liquid template values are limited to 1000 characters".into(),
                )),
                false,
            );
        }
        let source = js_outputs(text);
        let parsed = parse(&source)
            .map(|elements| Some(Template::new(elements)))
            .map_err(failed);
        prepared(parsed, source.contains(ROOT))
    }

    /// The template rendered over `payload`.
    pub(super) fn render(&self, payload: Data<'_>) -> Result<Val, MappingError> {
        let parsed = match &self.parsed {
            Err(error) => return Err(error.clone()),
            Ok(None) => return Ok(Val::String(String::new())),
            Ok(Some(parsed)) => parsed,
        };
        let globals = match payload {
            Data::Json(value) => json_to_liquid(value),
            Data::Val(value) => to_liquid(value),
        };
        let mut globals = match globals {
            Value::Object(object) => object,
            _ => Object::new(),
        };
        if self.reads_root {
            globals.insert(ROOT.into(), Value::Object(globals.clone()));
        }
        SPENT.with(|spent| spent.set(0));
        let runtime = RuntimeBuilder::new().set_globals(&globals).build();
        let mut out = Charged(Vec::new());
        parsed
            .render_to(&mut out, &Lenient(&runtime))
            .map_err(|e| {
                // A write refused by the budget comes back as "Failed to render": say why.
                if SPENT.with(Cell::get) > MEMORY_LIMIT {
                    MappingError::Failed("@liquid: memory alloc limit exceeded".into())
                } else {
                    failed(e)
                }
            })?;
        // Only whole `&str`s are ever written, so the bytes are UTF-8.
        String::from_utf8(out.0)
            .map(Val::String)
            .map_err(|_| MappingError::Failed("@liquid: rendered text is not UTF-8".into()))
    }
}

fn failed(e: liquid_core::Error) -> MappingError {
    MappingError::Failed(format!("@liquid: {e}"))
}

/// The most filters neither engine knows that one template may use (each costs a parse).
const MAX_UNKNOWN_FILTERS: usize = 8;

/// Parses a template as liquidjs does: a filter it does not know passes its input through
/// (liquidjs's `strictFilters: false`), where the `liquid` crate refuses it when parsing;
/// so each unknown filter the parser names is added as such, and the template parsed again.
fn parse(template: &str) -> liquid_core::Result<Vec<Box<dyn Renderable>>> {
    let mut unknown: Vec<String> = Vec::new();
    loop {
        let result = if unknown.is_empty() {
            liquid_core::parser::parse(template, language())
        } else {
            liquid_core::parser::parse(template, &build_language(&unknown))
        };
        match result {
            Err(error) if unknown.len() < MAX_UNKNOWN_FILTERS => {
                let message = error.to_string();
                let Some(name) = message
                    .split("requested filter=")
                    .nth(1)
                    .and_then(|rest| rest.split_whitespace().next())
                    .filter(|name| !unknown.iter().any(|known| known == name))
                else {
                    return Err(error);
                };
                unknown.push(name.to_owned());
            }
            other => return other,
        }
    }
}

/// The filter every output ends with (see [`js_outputs`]); a name no template uses.
const STRINGIFY: &str = "__houston_js_stringify";

/// Every output `{{ x | f }}` of a template as `{{ x | f | STRINGIFY }}`, so that the value
/// is written as liquidjs writes it (numbers as JavaScript does, `1e+23`; an object as
/// `[object Object]`; an array as its items written one after another) rather than as
/// the `liquid` crate does. `raw` and `comment` blocks are left as they are; quotes are
/// respected when looking for an output's end.
fn js_outputs(template: &str) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        if from.starts_with("{{") {
            let Some(end) = closing(from, 2, "}}") else {
                out.push_str(from);
                return out;
            };
            let inner = &from[2..end];
            let (open_trim, inner) = match inner.strip_prefix('-') {
                Some(inner) => ("-", inner),
                None => ("", inner),
            };
            let (inner, close_trim) = match inner.strip_suffix('-') {
                Some(inner) => (inner, "-"),
                None => (inner, ""),
            };
            if inner.trim().is_empty() {
                out.push_str(&from[..end + 2]);
            } else {
                let inner = wide_literals(inner);
                out.push_str(&format!(
                    "{{{{{open_trim}{inner} | {STRINGIFY} {close_trim}}}}}"
                ));
            }
            rest = &from[end + 2..];
        } else if from.starts_with("{%") {
            let Some(end) = closing(from, 2, "%}") else {
                out.push_str(from);
                return out;
            };
            let tag = from[2..end].trim_start_matches('-').trim_start();
            let name = tag.split_whitespace().next().unwrap_or_default();
            let block_end = match name {
                "raw" | "comment" => {
                    let ender = format!("end{name}");
                    end_tag(&from[end + 2..], &ender).map(|at| end + 2 + at)
                }
                _ => None,
            };
            out.push_str("{%");
            out.push_str(&wide_literals(&from[2..end]));
            let stop = block_end.unwrap_or(end + 2);
            out.push_str(&from[end..stop]);
            rest = &from[stop..];
        } else {
            out.push('{');
            rest = &from[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Whole-number literals too large for the `liquid` crate's integers (it refuses them
/// when parsing) written as decimals, which it reads as JavaScript reads any number.
fn wide_literals(code: &str) -> String {
    let bytes = code.as_bytes();
    let mut out = String::with_capacity(code.len());
    let mut quote: Option<u8> = None;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        match quote {
            Some(q) if byte == q => quote = None,
            Some(_) => {}
            None if byte == b'"' || byte == b'\'' => quote = Some(byte),
            None if byte.is_ascii_digit() => {
                let start = at;
                while at < bytes.len() && bytes[at].is_ascii_digit() {
                    at += 1;
                }
                let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'.';
                let first = start == 0 || !word(bytes[start - 1]);
                if first {
                    let mut end = at;
                    while end < bytes.len() && word(bytes[end]) {
                        end += 1;
                    }
                    if let Some(path) = digit_path(&code[start..end]) {
                        out.push_str(&path);
                        at = end;
                        continue;
                    }
                }
                let alone = first && (at == bytes.len() || !word(bytes[at]));
                out.push_str(&code[start..at]);
                if alone && code[start..at].parse::<i64>().is_err() {
                    out.push_str(".0");
                }
                continue;
            }
            None => {}
        }
        // Only ASCII bytes are looked at; the others are copied whole, character by character.
        let len = code[at..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&code[at..at + len]);
        at += len;
    }
    out
}

/// The global that holds the whole event again, for the paths [`digit_path`] writes.
const ROOT: &str = "__houston_root";

/// A word that starts with a digit but is no number (`1e21`, `1.5e3`, `2x`): liquidjs
/// reads it as a path into the event (`1e21` is the event's key `"1e21"`, so usually
/// nothing), where the `liquid` crate refuses it; written as that path from [`ROOT`]
/// (`__houston_root["1e21"]`). `None` for a number (`12`, `1.5`, `1.`) or a range's
/// ends (`1..5`).
fn digit_path(word: &str) -> Option<String> {
    // Digits and dots alone are a number or a range's end (`1..5`).
    if word.contains("..") || !word.bytes().any(|b| b.is_ascii_alphabetic() || b == b'_') {
        return None;
    }
    let mut path = ROOT.to_owned();
    for key in word.split('.').filter(|key| !key.is_empty()) {
        path.push_str(&format!("[\"{key}\"]"));
    }
    Some(path)
}

/// Where `close` ends the tag or output that starts `text` (searching from `from`),
/// outside quotes.
fn closing(text: &str, from: usize, close: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = from;
    let mut quote: Option<u8> = None;
    while at < bytes.len() {
        let byte = bytes[at];
        match quote {
            Some(q) if byte == q => quote = None,
            Some(_) => {}
            None if byte == b'"' || byte == b'\'' => quote = Some(byte),
            None if text[at..].starts_with(close) => return Some(at),
            None => {}
        }
        at += 1;
    }
    None
}

/// The end (just past its `%}`) of the first `{% <name> %}` in `text`.
fn end_tag(text: &str, name: &str) -> Option<usize> {
    let mut offset = 0;
    while let Some(start) = text[offset..].find("{%") {
        let at = offset + start;
        let end = text[at..].find("%}")? + at;
        let inner = text[at + 2..end].trim_matches('-').trim();
        if inner == name {
            return Some(end + 2);
        }
        offset = end + 2;
    }
    None
}

/// The language, built once: see [`build_language`].
fn language() -> &'static Language {
    static LANGUAGE: OnceLock<Language> = OnceLock::new();
    LANGUAGE.get_or_init(|| build_language(&[]))
}

/// The `liquid` crate's standard library with Segment's tags and filters disabled,
/// liquidjs's `if`/`unless` comparisons and its `capitalize`, `date`, `divided_by`, `size`,
/// `truncate` and `url_encode`, every filter and `capture` charged to the budget, and
/// `unknown` filters passing their input through.
fn build_language(unknown: &[String]) -> Language {
    {
        use liquid_lib::stdlib as s;
        let mut language = Language::empty();
        let mut tags: PluginRegistry<Box<dyn ParseTag>> = PluginRegistry::new();
        let tag = |tags: &mut PluginRegistry<Box<dyn ParseTag>>, t: Box<dyn ParseTag>| {
            tags.register(t.reflection().tag().to_owned(), t);
        };
        tag(&mut tags, Box::new(s::AssignTag));
        tag(&mut tags, Box::new(s::BreakTag));
        tag(&mut tags, Box::new(s::ContinueTag));
        tag(&mut tags, Box::new(s::CycleTag));
        tag(&mut tags, Box::new(s::IncrementTag));
        tag(&mut tags, Box::new(s::DecrementTag));
        for name in DISABLED_TAGS {
            tag(&mut tags, Box::new(DisabledTag(name)));
        }
        let mut blocks: PluginRegistry<Box<dyn ParseBlock>> = PluginRegistry::new();
        let blocks_list: [Box<dyn ParseBlock>; 6] = [
            Box::new(s::RawBlock),
            Box::new(condition::IfBlock),
            Box::new(condition::UnlessBlock),
            Box::new(s::IfChangedBlock),
            Box::new(s::CommentBlock),
            Box::new(CaptureBlock),
        ];
        for block in blocks_list {
            blocks.register(block.reflection().start_tag().to_owned(), block);
        }
        let mut filters: PluginRegistry<Box<dyn ParseFilter>> = PluginRegistry::new();
        let mut filter = |f: Box<dyn ParseFilter>| {
            filters.register(f.reflection().name().to_owned(), f);
        };
        macro_rules! charged {
            ($nil:ident: $($name:expr),*) => { $( filter(Box::new(ChargedFilter($name, Nil::$nil))); )* };
        }
        charged!(Zero: s::Abs, s::AtLeast, s::AtMost, s::Ceil, s::Floor, s::Minus, s::Modulo,
            s::Plus, s::Round, s::Times);
        charged!(EmptyArray: s::Compact, s::Join, s::Where);
        charged!(Kept: s::Append, Date, s::Default, s::Downcase, s::Escape, s::EscapeOnce,
            s::Lstrip, s::Prepend, s::Remove, s::RemoveFirst, s::Replace, s::ReplaceFirst,
            s::Rstrip, Size, s::Slice, s::Split, s::Strip, s::StripHtml, s::StripNewlines,
            Truncate, s::TruncateWords, s::Upcase, s::UrlDecode, Capitalize, DividedBy,
            UrlEncode, Stringify, First, Last);
        for name in DISABLED_FILTERS {
            filter(Box::new(DisabledFilter(name)));
        }
        for name in unknown {
            filter(Box::new(PassThrough(name.clone())));
        }
        language.tags = tags;
        language.blocks = blocks;
        language.filters = filters;
        language
    }
}

/// liquidjs's lookup: a variable or index that is not there is `nil`, not an error (the
/// `liquid` crate is strict, liquidjs is not by default).
struct Lenient<'r>(&'r dyn Runtime);

impl Runtime for Lenient<'_> {
    fn partials(&self) -> &dyn PartialStore {
        self.0.partials()
    }
    fn name(&self) -> Option<liquid_core::model::KStringRef<'_>> {
        self.0.name()
    }
    fn roots(&self) -> BTreeSet<KStringCow<'_>> {
        self.0.roots()
    }
    fn try_get(&self, path: &[ScalarCow<'_>]) -> Option<ValueCow<'_>> {
        self.0.try_get(path)
    }
    fn get(&self, path: &[ScalarCow<'_>]) -> liquid_core::Result<ValueCow<'_>> {
        Ok(self.0.try_get(path).unwrap_or(ValueCow::Owned(Value::Nil)))
    }
    fn set_global(&self, name: KString, val: Value) -> Option<Value> {
        self.0.set_global(name, val)
    }
    fn set_index(&self, name: KString, val: Value) -> Option<Value> {
        self.0.set_index(name, val)
    }
    fn get_index<'a>(&'a self, name: &str) -> Option<ValueCow<'a>> {
        self.0.get_index(name)
    }
    fn registers(&self) -> &Registers {
        self.0.registers()
    }
}

/// The event as Liquid globals: `undefined` keys dropped, integers (as JS writes them,
/// without a fraction) as Liquid integers so that `{{ 5 }}` and `{{ properties.total }}`
/// write alike.
fn to_liquid(value: &Val) -> Value {
    match value {
        Val::Undefined | Val::Null => Value::Nil,
        Val::Bool(b) => Value::scalar(*b),
        Val::Number(n) => js_number(*n),
        Val::String(s) => Value::scalar(s.clone()),
        Val::Array(items) => Value::Array(items.iter().map(to_liquid).collect()),
        Val::Object(entries) => Value::Object(
            entries
                .iter()
                .filter(|(_, v)| !matches!(v, Val::Undefined))
                .map(|(k, v)| (k.clone().into(), to_liquid(v)))
                .collect(),
        ),
    }
}

/// [`to_liquid`] of the event's own JSON, without making a [`Val`] of it first.
fn json_to_liquid(value: &serde_json::Value) -> Value {
    match value {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::scalar(*b),
        serde_json::Value::Number(n) => js_number(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Value::scalar(s.clone()),
        serde_json::Value::Array(items) => Value::Array(items.iter().map(json_to_liquid).collect()),
        serde_json::Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone().into(), json_to_liquid(v)))
                .collect(),
        ),
    }
}

thread_local! {
    /// Bytes charged so far by the evaluation running on this thread.
    static SPENT: Cell<usize> = const { Cell::new(0) };
}

/// Charges `bytes` to the running evaluation; an error once past [`MEMORY_LIMIT`].
fn charge(bytes: usize) -> liquid_core::Result<()> {
    SPENT.with(|spent| {
        let total = spent.get().saturating_add(bytes);
        spent.set(total);
        if total > MEMORY_LIMIT {
            Err(liquid_core::Error::with_msg("memory alloc limit exceeded"))
        } else {
            Ok(())
        }
    })
}

/// A writer that charges every byte it takes.
struct Charged(Vec<u8>);

impl Write for Charged {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        charge(buf.len()).map_err(|e| std::io::Error::other(e.to_string()))?;
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The size a filter's result is charged: its text, or its items.
fn size_of(value: &Value) -> usize {
    match value {
        Value::Scalar(s) => s.to_kstr().len(),
        Value::Array(items) => items.len(),
        Value::Object(object) => object.len(),
        _ => 0,
    }
}

/// A standard filter whose every result is charged.
#[derive(Clone)]
struct ChargedFilter<F>(F, Nil);

/// What a filter reads `nil` as, as liquidjs reads it (the `liquid` crate refuses it).
/// `Zero` also reads a string as JavaScript's `Number` does (liquidjs's `toNumber`).
#[derive(Clone, Copy, Debug)]
enum Nil {
    /// As is: the filter takes `nil`.
    Kept,
    /// As `0`: liquidjs's `toNumber(undefined)` in the arithmetic filters.
    Zero,
    /// As `[]`: liquidjs's `toArray(undefined)` in the array filters.
    EmptyArray,
}

impl<F: ParseFilter + Clone + 'static> ParseFilter for ChargedFilter<F> {
    fn parse(&self, arguments: FilterArguments) -> liquid_core::Result<Box<dyn Filter>> {
        Ok(Box::new(ChargedRun(self.0.parse(arguments)?, self.1)))
    }
    fn reflection(&self) -> &dyn FilterReflection {
        self.0.reflection()
    }
}

#[derive(Debug)]
struct ChargedRun(Box<dyn Filter>, Nil);

impl fmt::Display for ChargedRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Filter for ChargedRun {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> liquid_core::Result<Value> {
        let is_number = matches!(input.type_name(), "whole number" | "fractional number");
        let value = match (self.1, input.is_nil()) {
            (Nil::Zero, _) if !is_number => self
                .0
                .evaluate(&js_number(js::to_js_number(input)), runtime)?,
            (Nil::EmptyArray, true) => self.0.evaluate(&Value::Array(Vec::new()), runtime)?,
            _ => self.0.evaluate(input, runtime)?,
        };
        charge(size_of(&value))?;
        Ok(value)
    }
}

/// liquidjs's `capitalize`: the first character upper case, the others lower case (the
/// `liquid` crate leaves the others alone).
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "capitalize",
    description = "liquidjs's capitalize",
    parsed(CapitalizeFilter)
)]
struct Capitalize;

#[derive(Debug, Default, Display_filter)]
#[name = "capitalize"]
struct CapitalizeFilter;

impl Filter for CapitalizeFilter {
    fn evaluate(
        &self,
        input: &dyn ValueView,
        _runtime: &dyn Runtime,
    ) -> liquid_core::Result<Value> {
        let text = input.to_kstr();
        let mut chars = text.chars();
        let capitalized = match chars.next() {
            Some(first) => first
                .to_uppercase()
                .chain(chars.as_str().to_lowercase().chars())
                .collect(),
            None => String::new(),
        };
        Ok(Value::scalar(capitalized))
    }
}

#[derive(Debug, FilterParameters)]
struct DividedByArgs {
    #[parameter(description = "The number to divide the input by.")]
    operand: Expression,
}

/// liquidjs's `divided_by`: JS division (`7 | divided_by: 2` is 3.5; the `liquid` crate
/// divides integers as integers).
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "divided_by",
    description = "liquidjs's divided_by",
    parameters(DividedByArgs),
    parsed(DividedByFilter)
)]
struct DividedBy;

#[derive(Debug, FromFilterParameters, Display_filter)]
#[name = "divided_by"]
struct DividedByFilter {
    #[parameters]
    args: DividedByArgs,
}

impl Filter for DividedByFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> liquid_core::Result<Value> {
        let args = self.args.evaluate(runtime)?;
        Ok(js_number(
            js::to_js_number(input) / js::to_js_number(args.operand.as_view()),
        ))
    }
}

/// A JS number as a Liquid value: an integer when it has no fraction (so it is written
/// as JS writes it), else a float.
fn js_number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        #[allow(clippy::cast_possible_truncation)]
        Value::scalar(n as i64)
    } else {
        Value::scalar(n)
    }
}

/// liquidjs's `url_encode`: `encodeURIComponent`, then `%20` as `+` (the `liquid` crate
/// escapes more characters).
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "url_encode",
    description = "liquidjs's url_encode",
    parsed(UrlEncodeFilter)
)]
struct UrlEncode;

#[derive(Debug, Default, Display_filter)]
#[name = "url_encode"]
struct UrlEncodeFilter;

impl Filter for UrlEncodeFilter {
    fn evaluate(
        &self,
        input: &dyn ValueView,
        _runtime: &dyn Runtime,
    ) -> liquid_core::Result<Value> {
        let mut out = String::new();
        for byte in input.to_kstr().as_str().bytes() {
            match byte {
                b' ' => out.push('+'),
                b'A'..=b'Z'
                | b'a'..=b'z'
                | b'0'..=b'9'
                | b'-'
                | b'_'
                | b'.'
                | b'!'
                | b'~'
                | b'*'
                | b'\''
                | b'('
                | b')' => {
                    out.push(char::from(byte));
                }
                other => out.push_str(&format!("%{other:02X}")),
            }
        }
        Ok(Value::scalar(out))
    }
}

/// liquidjs's `size`: a string's length in UTF-16 units, as JS counts (the `liquid` crate
/// counts bytes), an array's length, and 0 for anything else (an object too).
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(name = "size", description = "liquidjs's size", parsed(SizeFilter))]
struct Size;

#[derive(Debug, Default, Display_filter)]
#[name = "size"]
struct SizeFilter;

impl Filter for SizeFilter {
    fn evaluate(
        &self,
        input: &dyn ValueView,
        _runtime: &dyn Runtime,
    ) -> liquid_core::Result<Value> {
        // liquidjs: `(v && v.length) || 0`: only strings and arrays have a length.
        let size = if let Some(array) = input.as_array() {
            array.size()
        } else if input.type_name() == "string" {
            i64::try_from(input.to_kstr().as_str().encode_utf16().count()).unwrap_or(i64::MAX)
        } else {
            0
        };
        Ok(Value::scalar(size))
    }
}

/// A filter Segment disables: it parses, and fails when it runs (as liquidjs's).
#[derive(Clone)]
struct DisabledFilter(&'static str);

impl FilterReflection for DisabledFilter {
    fn name(&self) -> &str {
        self.0
    }
    fn description(&self) -> &str {
        "disabled by Segment"
    }
    fn positional_parameters(&self) -> &'static [ParameterReflection] {
        &[]
    }
    fn keyword_parameters(&self) -> &'static [ParameterReflection] {
        &[]
    }
}

impl ParseFilter for DisabledFilter {
    fn parse(&self, _arguments: FilterArguments) -> liquid_core::Result<Box<dyn Filter>> {
        Ok(Box::new(DisabledRun(self.0)))
    }
    fn reflection(&self) -> &dyn FilterReflection {
        self
    }
}

#[derive(Debug)]
struct DisabledRun(&'static str);

impl fmt::Display for DisabledRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Filter for DisabledRun {
    fn evaluate(
        &self,
        _input: &dyn ValueView,
        _runtime: &dyn Runtime,
    ) -> liquid_core::Result<Value> {
        Err(liquid_core::Error::with_msg(format!(
            "filter \"{}\" is disabled",
            self.0
        )))
    }
}

/// A tag Segment disables: refused when parsed, so a loop or an include never runs.
#[derive(Clone)]
struct DisabledTag(&'static str);

impl TagReflection for DisabledTag {
    fn tag(&self) -> &str {
        self.0
    }
    fn description(&self) -> &str {
        "disabled by Segment"
    }
}

impl ParseTag for DisabledTag {
    fn parse(
        &self,
        _arguments: TagTokenIter<'_>,
        _options: &Language,
    ) -> liquid_core::Result<Box<dyn Renderable>> {
        Err(liquid_core::Error::with_msg(format!(
            "tag \"{}\" is disabled",
            self.0
        )))
    }
    fn reflection(&self) -> &dyn TagReflection {
        self
    }
}

/// `{% capture name %}…{% endcapture %}`, as the crate's own, with what it captures
/// charged to the budget.
#[derive(Clone, Copy)]
struct CaptureBlock;

impl BlockReflection for CaptureBlock {
    fn start_tag(&self) -> &str {
        "capture"
    }
    fn end_tag(&self) -> &str {
        "endcapture"
    }
    fn description(&self) -> &str {
        ""
    }
}

impl ParseBlock for CaptureBlock {
    fn parse(
        &self,
        mut arguments: TagTokenIter<'_>,
        mut tokens: TagBlock<'_, '_>,
        options: &Language,
    ) -> liquid_core::Result<Box<dyn Renderable>> {
        let id = arguments
            .expect_next("Identifier expected")?
            .expect_identifier()
            .into_result()?
            .to_owned()
            .into();
        arguments.expect_nothing()?;
        let template = Template::new(tokens.parse_all(options)?);
        tokens.assert_empty();
        Ok(Box::new(Capture { id, template }))
    }
    fn reflection(&self) -> &dyn BlockReflection {
        self
    }
}

#[derive(Debug)]
struct Capture {
    id: KString,
    template: Template,
}

impl Renderable for Capture {
    fn render_to(&self, _writer: &mut dyn Write, runtime: &dyn Runtime) -> liquid_core::Result<()> {
        let mut captured = Charged(Vec::new());
        self.template.render_to(&mut captured, runtime)?;
        let text = String::from_utf8(captured.0)
            .map_err(|_| liquid_core::Error::with_msg("captured text is not UTF-8"))?;
        runtime.set_global(self.id.clone(), Value::scalar(text));
        Ok(())
    }
}

/// liquidjs's `stringify` of an output's value (see [`js_outputs`]).
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "__houston_js_stringify",
    description = "an output's value written as liquidjs writes it",
    parsed(StringifyFilter)
)]
struct Stringify;

#[derive(Debug, Default, Display_filter)]
#[name = "__houston_js_stringify"]
struct StringifyFilter;

impl Filter for StringifyFilter {
    fn evaluate(
        &self,
        input: &dyn ValueView,
        _runtime: &dyn Runtime,
    ) -> liquid_core::Result<Value> {
        Ok(Value::scalar(js::stringify(input)))
    }
}

#[derive(Debug, FilterParameters)]
struct TruncateArgs {
    #[parameter(description = "The most UTF-16 units kept, the ellipsis included.")]
    length: Option<Expression>,
    #[parameter(description = "What ends a shortened text.")]
    ellipsis: Option<Expression>,
}

/// liquidjs's `truncate`: lengths in UTF-16 units, as JS counts (the `liquid` crate counts
/// characters).
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "truncate",
    description = "liquidjs's truncate",
    parameters(TruncateArgs),
    parsed(TruncateFilter)
)]
struct Truncate;

#[derive(Debug, FromFilterParameters, Display_filter)]
#[name = "truncate"]
struct TruncateFilter {
    #[parameters]
    args: TruncateArgs,
}

impl Filter for TruncateFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> liquid_core::Result<Value> {
        let args = self.args.evaluate(runtime)?;
        let length = match &args.length {
            Some(length) => length
                .as_scalar()
                .and_then(|s| s.to_float())
                .unwrap_or(f64::NAN),
            None => 50.0,
        };
        let ellipsis: Vec<u16> = match &args.ellipsis {
            Some(ellipsis) => js::stringify(ellipsis.as_view()).encode_utf16().collect(),
            None => "...".encode_utf16().collect(),
        };
        let text: Vec<u16> = js::stringify(input).encode_utf16().collect();
        #[allow(clippy::cast_precision_loss)]
        if text.len() as f64 <= length {
            return Ok(input.to_value());
        }
        // `substring(0, l - o.length)`: NaN and negatives are 0.
        let keep = length - ellipsis.len() as f64;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let keep = if keep.is_nan() || keep < 0.0 {
            0
        } else {
            (keep as usize).min(text.len())
        };
        let mut units = text[..keep].to_vec();
        units.extend_from_slice(&ellipsis);
        Ok(Value::scalar(utf16_text(&units)))
    }
}

/// UTF-16 units as text, half a character written as its escape (`\udc00`), as
/// `mapping.rs` carries JavaScript's strings.
fn utf16_text(units: &[u16]) -> String {
    char::decode_utf16(units.iter().copied())
        .map(|decoded| match decoded {
            Ok(c) => c.to_string(),
            Err(half) => format!("\\u{:04x}", half.unpaired_surrogate()),
        })
        .collect()
}

#[derive(Debug, FilterParameters)]
struct DateArgs {
    #[parameter(description = "The strftime format.", arg_type = "str")]
    format: Expression,
}

/// liquidjs's `date`: a number or a string of digits is seconds since 1970, a string is
/// read as JavaScript's `Date` reads the ISO 8601 forms (with milliseconds, `Z` or an
/// offset, or a date alone), and the time is written in UTC (the `liquid` crate cannot
/// read milliseconds, and keeps the offset written).
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "date",
    description = "liquidjs's date",
    parameters(DateArgs),
    parsed(DateFilter)
)]
struct Date;

#[derive(Debug, FromFilterParameters, Display_filter)]
#[name = "date"]
struct DateFilter {
    #[parameters]
    args: DateArgs,
}

impl Filter for DateFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> liquid_core::Result<Value> {
        let args = self.args.evaluate(runtime)?;
        match js_date(input) {
            Some(date) if !args.format.is_empty() => {
                let text = date.format(args.format.as_str()).map_err(|_| {
                    liquid_core::Error::with_msg(format!(
                        "Invalid date-format string: {}",
                        args.format
                    ))
                })?;
                Ok(Value::scalar(text))
            }
            _ => Ok(input.to_value()),
        }
    }
}

/// liquidjs's `parseDate`, in UTC.
fn js_date(input: &dyn ValueView) -> Option<liquid_core::model::DateTime> {
    use liquid_core::model::DateTime;
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};
    let scalar = input.as_scalar()?;
    if let Some(date) = scalar.to_date_time() {
        if input.type_name() != "string" {
            return Some(date.with_offset(UtcOffset::UTC));
        }
    }
    if matches!(input.type_name(), "whole number" | "fractional number") {
        let seconds = scalar.to_float()?;
        #[allow(clippy::cast_possible_truncation)]
        let nanos = (seconds * 1e9) as i128;
        let time = OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()?;
        return liquid_date(time);
    }
    let text = scalar.into_cow_str();
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let time = OffsetDateTime::from_unix_timestamp(text.parse().ok()?).ok()?;
        return liquid_date(time);
    }
    if let Ok(time) = OffsetDateTime::parse(text, &Rfc3339) {
        return liquid_date(time);
    }
    // Without an offset JavaScript reads local time: this process's is UTC.
    let local = [
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
    ];
    if let Some(time) = local
        .iter()
        .find_map(|format| PrimitiveDateTime::parse(text, format).ok())
    {
        return liquid_date(time.assume_utc());
    }
    if let Ok(day) = time::Date::parse(text, format_description!("[year]-[month]-[day]")) {
        return liquid_date(day.midnight().assume_utc());
    }
    DateTime::from_str(text).map(|date| date.with_offset(UtcOffset::UTC))
}

/// A time as the `liquid` crate's date, in UTC.
fn liquid_date(time: time::OffsetDateTime) -> Option<liquid_core::model::DateTime> {
    use time::macros::format_description;
    let utc = time.to_offset(time::UtcOffset::UTC);
    let text = utc
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second].[subsecond] +0000"
        ))
        .ok()?;
    liquid_core::model::DateTime::from_str(&text)
}

/// liquidjs's `first` / `last`: an array's first or last item, a string's first or last
/// UTF-16 unit, and `""` for anything else (the `liquid` crate refuses an object).
fn end_of(input: &dyn ValueView, last: bool) -> Value {
    if let Some(array) = input.as_array() {
        let item = if last { array.last() } else { array.first() };
        return item.map_or(Value::Nil, ValueView::to_value);
    }
    if input.type_name() == "string" {
        let units: Vec<u16> = input.to_kstr().as_str().encode_utf16().collect();
        let unit = if last { units.last() } else { units.first() };
        return unit.map_or(Value::Nil, |unit| Value::scalar(utf16_text(&[*unit])));
    }
    Value::scalar("")
}

/// liquidjs's `first` (see [`end_of`]).
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(name = "first", description = "liquidjs's first", parsed(FirstFilter))]
struct First;

#[derive(Debug, Default, Display_filter)]
#[name = "first"]
struct FirstFilter;

impl Filter for FirstFilter {
    fn evaluate(
        &self,
        input: &dyn ValueView,
        _runtime: &dyn Runtime,
    ) -> liquid_core::Result<Value> {
        Ok(end_of(input, false))
    }
}

/// liquidjs's `last` (see [`end_of`]).
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(name = "last", description = "liquidjs's last", parsed(LastFilter))]
struct Last;

#[derive(Debug, Default, Display_filter)]
#[name = "last"]
struct LastFilter;

impl Filter for LastFilter {
    fn evaluate(
        &self,
        input: &dyn ValueView,
        _runtime: &dyn Runtime,
    ) -> liquid_core::Result<Value> {
        Ok(end_of(input, true))
    }
}

/// A filter neither engine knows: liquidjs passes the value through.
#[derive(Clone)]
struct PassThrough(String);

impl FilterReflection for PassThrough {
    fn name(&self) -> &str {
        &self.0
    }
    fn description(&self) -> &str {
        "unknown to liquidjs: the value passes through"
    }
    fn positional_parameters(&self) -> &'static [ParameterReflection] {
        &[]
    }
    fn keyword_parameters(&self) -> &'static [ParameterReflection] {
        &[]
    }
}

impl ParseFilter for PassThrough {
    fn parse(&self, _arguments: FilterArguments) -> liquid_core::Result<Box<dyn Filter>> {
        Ok(Box::new(PassThroughRun(self.0.clone())))
    }
    fn reflection(&self) -> &dyn FilterReflection {
        self
    }
}

#[derive(Debug)]
struct PassThroughRun(String);

impl fmt::Display for PassThroughRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Filter for PassThroughRun {
    fn evaluate(
        &self,
        input: &dyn ValueView,
        _runtime: &dyn Runtime,
    ) -> liquid_core::Result<Value> {
        Ok(input.to_value())
    }
}

mod condition;
mod js;

#[cfg(test)]
mod tests;
