//! `{% if %}`, `{% elsif %}`, `{% unless %}` with liquidjs's comparisons (its
//! `defaultOperators`), where the `liquid` crate's differ: `==` is JavaScript's `===`
//! (`"5" == 5` is false) and `empty`/`blank` equal only what liquidjs's drops equal (not
//! `nil`); `<`, `>`, `<=`, `>=` are JavaScript's (a string and a number compare as numbers,
//! `"5" > 2`); `contains` on anything but a string or an array is false (`nil contains "x"`
//! is no error).
//!
//! The parsing is the `liquid` crate's own (liquid-lib 0.26.11 `if_block.rs`, MIT or
//! Apache-2.0), unchanged; only the evaluation of a comparison is liquidjs's.

use super::js;
use liquid_core::error::ResultLiquidExt;
use liquid_core::parser::{BlockElement, TagToken};
use liquid_core::{
    BlockReflection, Expression, Language, ParseBlock, Renderable, Result, Runtime, TagBlock,
    TagTokenIter, Template, ValueView,
};
use std::fmt;
use std::io::Write;

/// `{% if %}…{% elsif %}…{% else %}…{% endif %}`.
#[derive(Copy, Clone, Debug, Default)]
pub(super) struct IfBlock;

impl BlockReflection for IfBlock {
    fn start_tag(&self) -> &str {
        "if"
    }
    fn end_tag(&self) -> &str {
        "endif"
    }
    fn description(&self) -> &str {
        ""
    }
}

impl ParseBlock for IfBlock {
    fn parse(
        &self,
        arguments: TagTokenIter<'_>,
        mut tokens: TagBlock<'_, '_>,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let conditional = parse_if(arguments, &mut tokens, options)?;
        tokens.assert_empty();
        Ok(conditional)
    }
    fn reflection(&self) -> &dyn BlockReflection {
        self
    }
}

fn parse_if(
    arguments: TagTokenIter<'_>,
    tokens: &mut TagBlock<'_, '_>,
    options: &Language,
) -> Result<Box<dyn Renderable>> {
    let condition = parse_condition(arguments)?;
    let mut if_true = Vec::new();
    let mut if_false = None;
    while let Some(element) = tokens.next()? {
        match element {
            BlockElement::Tag(tag) => match tag.name() {
                "else" => {
                    if_false = Some(tokens.parse_all(options)?);
                    break;
                }
                "elsif" => {
                    if_false = Some(vec![parse_if(tag.into_tokens(), tokens, options)?]);
                    break;
                }
                _ => if_true.push(tag.parse(tokens, options)?),
            },
            element => if_true.push(element.parse(tokens, options)?),
        }
    }
    Ok(Box::new(Conditional {
        condition,
        mode: true,
        if_true: Template::new(if_true),
        if_false: if_false.map(Template::new),
    }))
}

/// `{% unless %}…{% else %}…{% endunless %}`.
#[derive(Copy, Clone, Debug, Default)]
pub(super) struct UnlessBlock;

impl BlockReflection for UnlessBlock {
    fn start_tag(&self) -> &str {
        "unless"
    }
    fn end_tag(&self) -> &str {
        "endunless"
    }
    fn description(&self) -> &str {
        ""
    }
}

impl ParseBlock for UnlessBlock {
    fn parse(
        &self,
        arguments: TagTokenIter<'_>,
        mut tokens: TagBlock<'_, '_>,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let condition = parse_condition(arguments)?;
        let mut if_true = Vec::new();
        let mut if_false = None;
        while let Some(element) = tokens.next()? {
            match element {
                BlockElement::Tag(tag) => match tag.name() {
                    "else" => {
                        if_false = Some(tokens.parse_all(options)?);
                        break;
                    }
                    _ => if_true.push(tag.parse(&mut tokens, options)?),
                },
                element => if_true.push(element.parse(&mut tokens, options)?),
            }
        }
        tokens.assert_empty();
        Ok(Box::new(Conditional {
            condition,
            mode: false,
            if_true: Template::new(if_true),
            if_false: if_false.map(Template::new),
        }))
    }
    fn reflection(&self) -> &dyn BlockReflection {
        self
    }
}

#[derive(Debug)]
struct Conditional {
    condition: Condition,
    mode: bool,
    if_true: Template,
    if_false: Option<Template>,
}

impl Conditional {
    fn trace(&self) -> String {
        format!("{{% if {} %}}", self.condition)
    }
}

impl Renderable for Conditional {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let holds = self
            .condition
            .evaluate(runtime)
            .trace_with(|| self.trace().into())?;
        if holds == self.mode {
            self.if_true
                .render_to(writer, runtime)
                .trace_with(|| self.trace().into())?;
        } else if let Some(template) = &self.if_false {
            template
                .render_to(writer, runtime)
                .trace("{{% else %}}")
                .trace_with(|| self.trace().into())?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug)]
enum Condition {
    Binary(Expression, Comparison, Expression),
    Existence(Expression),
    Conjunction(Box<Condition>, Box<Condition>),
    Disjunction(Box<Condition>, Box<Condition>),
}

impl Condition {
    fn evaluate(&self, runtime: &dyn Runtime) -> Result<bool> {
        match self {
            Condition::Binary(left, comparison, right) => {
                let (left_nil, right_nil) = (nil_of(left, runtime), nil_of(right, runtime));
                let left = left.evaluate(runtime)?;
                let right = right.evaluate(runtime)?;
                let left = js::Operand {
                    view: left.as_view(),
                    nil: left_nil,
                };
                let right = js::Operand {
                    view: right.as_view(),
                    nil: right_nil,
                };
                Ok(match comparison {
                    Comparison::Equals => js::operands_equal(left, right),
                    Comparison::NotEquals => !js::operands_equal(left, right),
                    Comparison::Less => js::less(left, right, false),
                    Comparison::Greater => js::less(right, left, false),
                    Comparison::LessOrEqual => js::less(left, right, true),
                    Comparison::GreaterOrEqual => js::less(right, left, true),
                    Comparison::Contains => js::contains(left, right),
                })
            }
            Condition::Existence(value) => Ok(value
                .try_evaluate(runtime)
                .unwrap_or_default()
                .query_state(liquid_core::model::State::Truthy)),
            Condition::Conjunction(left, right) => {
                Ok(left.evaluate(runtime)? && right.evaluate(runtime)?)
            }
            Condition::Disjunction(left, right) => {
                Ok(left.evaluate(runtime)? || right.evaluate(runtime)?)
            }
        }
    }
}

/// Which nil `expression` is if it comes out `nil`: the literal, or what liquidjs's path
/// reading stops at, which answers the first nil it meets as it is (`traits.phone` of an
/// event whose `traits` is `null` is `null`; of one without `traits`, `undefined`).
fn nil_of(expression: &Expression, runtime: &dyn Runtime) -> js::Nil {
    let Expression::Variable(variable) = expression else {
        return js::Nil::Literal;
    };
    let Some(path) = variable.try_evaluate(runtime) else {
        return js::Nil::Undefined;
    };
    for end in 1..=path.len() {
        match runtime.try_get(&path[..end]) {
            None => return js::Nil::Undefined,
            Some(value) if value.is_nil() => return js::Nil::Null,
            Some(_) => {}
        }
    }
    js::Nil::Null
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Condition::Binary(left, comparison, right) => {
                write!(f, "{left} {} {right}", comparison.as_str())
            }
            Condition::Existence(value) => write!(f, "{value}"),
            Condition::Conjunction(left, right) => write!(f, "{left} and {right}"),
            Condition::Disjunction(left, right) => write!(f, "{left} or {right}"),
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Comparison {
    Equals,
    NotEquals,
    Less,
    Greater,
    LessOrEqual,
    GreaterOrEqual,
    Contains,
}

impl Comparison {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "==" => Comparison::Equals,
            "!=" | "<>" => Comparison::NotEquals,
            "<" => Comparison::Less,
            ">" => Comparison::Greater,
            "<=" => Comparison::LessOrEqual,
            ">=" => Comparison::GreaterOrEqual,
            "contains" => Comparison::Contains,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Comparison::Equals => "==",
            Comparison::NotEquals => "!=",
            Comparison::Less => "<",
            Comparison::Greater => ">",
            Comparison::LessOrEqual => "<=",
            Comparison::GreaterOrEqual => ">=",
            Comparison::Contains => "contains",
        }
    }
}

struct Peekable<'a> {
    iter: TagTokenIter<'a>,
    peeked: Option<Option<TagToken<'a>>>,
}

impl<'a> Peekable<'a> {
    fn next(&mut self) -> Option<TagToken<'a>> {
        match self.peeked.take() {
            Some(token) => token,
            None => self.iter.next(),
        }
    }

    fn expect_next(&mut self, message: &str) -> Result<TagToken<'a>> {
        self.next().ok_or_else(|| self.iter.raise_error(message))
    }

    fn peek(&mut self) -> Option<&TagToken<'a>> {
        if self.peeked.is_none() {
            self.peeked = Some(self.iter.next());
        }
        self.peeked.as_ref().and_then(Option::as_ref)
    }
}

fn parse_atom(arguments: &mut Peekable<'_>) -> Result<Condition> {
    let left = arguments
        .expect_next("Value expected.")?
        .expect_value()
        .into_result()?;
    let comparison = arguments
        .peek()
        .map(TagToken::as_str)
        .and_then(Comparison::parse);
    Ok(match comparison {
        Some(comparison) => {
            arguments.next();
            let right = arguments
                .expect_next("Value expected.")?
                .expect_value()
                .into_result()?;
            Condition::Binary(left, comparison, right)
        }
        None => Condition::Existence(left),
    })
}

fn parse_conjunction(arguments: &mut Peekable<'_>) -> Result<Condition> {
    let mut left = parse_atom(arguments)?;
    while let Some("and") = arguments.peek().map(TagToken::as_str) {
        arguments.next();
        let right = parse_atom(arguments)?;
        left = Condition::Conjunction(Box::new(left), Box::new(right));
    }
    Ok(left)
}

fn parse_condition(arguments: TagTokenIter<'_>) -> Result<Condition> {
    let mut arguments = Peekable {
        iter: arguments,
        peeked: None,
    };
    let mut left = parse_conjunction(&mut arguments)?;
    while let Some(token) = arguments.next() {
        token
            .expect_str("or")
            .into_result_custom_msg("\"and\" or \"or\" expected.")?;
        let right = parse_conjunction(&mut arguments)?;
        left = Condition::Disjunction(Box::new(left), Box::new(right));
    }
    Ok(left)
}
