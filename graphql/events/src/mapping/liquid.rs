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
//! Where the `liquid` crate answers differently from liquidjs (each listed in the recorded
//! comparison, `segment/liquid.json`): a filter neither knows is an error here (liquidjs
//! passes the value through); numbers are written as Rust writes them (`1e21` in full);
//! `size` counts characters, not UTF-16 units; an object is written as Liquid-rust writes
//! it, not `[object Object]`; `date` formats in UTC.

use super::{MappingError, Val};
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
pub(super) fn evaluate(template: &serde_json::Value, payload: &Val) -> Result<Val, MappingError> {
    let serde_json::Value::String(template) = template else {
        return Err(MappingError::Failed(
            "liquid template value must be a string".into(),
        ));
    };
    if template.is_empty() {
        return Ok(Val::String(String::new()));
    }
    if template.encode_utf16().count() > MAX_TEMPLATE_LENGTH {
        return Err(MappingError::Failed(
            "liquid template values are limited to 1000 characters".into(),
        ));
    }
    let failed = |e: liquid_core::Error| MappingError::Failed(format!("@liquid: {e}"));
    let parsed = Template::new(liquid_core::parser::parse(template, language()).map_err(failed)?);
    let globals = match to_liquid(payload) {
        Value::Object(object) => object,
        _ => Object::new(),
    };
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

/// The language, built once: the `liquid` crate's standard library with Segment's tags
/// and filters disabled, liquidjs's `capitalize`, `divided_by` and `url_encode`, and every
/// filter and `capture` charged to the budget.
fn language() -> &'static Language {
    static LANGUAGE: OnceLock<Language> = OnceLock::new();
    LANGUAGE.get_or_init(|| {
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
            Box::new(s::IfBlock),
            Box::new(s::UnlessBlock),
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
        charged!(EmptyArray: s::Compact, s::First, s::Join, s::Last, s::Where);
        charged!(Kept: s::Append, s::Date, s::Default, s::Downcase, s::Escape, s::EscapeOnce,
            s::Lstrip, s::Prepend, s::Remove, s::RemoveFirst, s::Replace, s::ReplaceFirst,
            s::Rstrip, Size, s::Slice, s::Split, s::Strip, s::StripHtml, s::StripNewlines,
            s::Truncate, s::TruncateWords, s::Upcase, s::UrlDecode, Capitalize, DividedBy,
            UrlEncode);
        for name in DISABLED_FILTERS {
            filter(Box::new(DisabledFilter(name)));
        }
        language.tags = tags;
        language.blocks = blocks;
        language.filters = filters;
        language
    })
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
        let value = match (self.1, input.is_nil()) {
            (Nil::Zero, true) => self.0.evaluate(&Value::scalar(0), runtime)?,
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
        let number = |v: &dyn ValueView| match v.as_scalar() {
            None if v.is_nil() => 0.0,
            scalar => scalar.and_then(|s| s.to_float()).unwrap_or(f64::NAN),
        };
        Ok(js_number(number(input) / number(args.operand.as_view())))
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
/// counts bytes).
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
        let size = if let Some(array) = input.as_array() {
            array.size()
        } else if let Some(object) = input.as_object() {
            object.size()
        } else if input.is_nil() {
            0
        } else {
            i64::try_from(input.to_kstr().as_str().encode_utf16().count()).unwrap_or(i64::MAX)
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

#[cfg(test)]
mod tests;
