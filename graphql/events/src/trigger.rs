//! Triggers: which events an action of a destination receives, written in Segment's FQL
//! (`type = "track" and event = "Order Completed"`).
//!
//! A port of `@segment/destination-subscriptions` **3.37.0** (`parseFql` in
//! `dist/esm/parse-fql.js`, `validate` in `dist/esm/validate.js`, `get` in
//! `dist/esm/get.js`) and of the lexer it uses, `@segment/fql-ts` **1.10.1**
//! (`dist/esm/lexer.js`, `strings.js`). The port keeps their quirks, because a trigger must
//! match here exactly the events it matches in Segment's cloud. The main ones, each with a
//! test below:
//!
//! - `=` on a string is strict: `properties.total = "5"` never matches the number `5`, and
//!   `properties.total = 5` never matches the string `"5"`.
//! - `and`/`or` have no precedence: a group takes the **last** conditional written in it
//!   (`a and b or c` is "any of a, b, c"); `AND`/`OR` in capitals are ignored words.
//! - Parentheses nest one level; `!(…)` is the group itself, not its negation.
//! - `match(x, "abc*")` is "starts with abc"; any other pattern is "ends with the pattern
//!   minus its first character", whether that character is `*` or not.
//! - Only double quotes are stripped from a string; `'track'` means the seven characters
//!   `'track'`.
//! - Words that are not conditions are skipped (`foo = "x" and type = "track"` is
//!   `type = "track"`); a trigger with no condition at all is an error.
//! - A path walks like JavaScript's `a && a[key]`: a falsy value stops the walk and is the
//!   answer (`properties.a.b` is `0` when `properties.a` is `0`), and arrays and strings
//!   have a `length`. A path cannot index with `.0` (the lexer reads `0` as a number and
//!   the condition falls apart); `properties.products.\0.sku` can.
//!
//! `segment/` beside this file holds Segment's own answers on 254 triggers (the catalog's
//! defaults and the quirks) times 36 events, and how to record them again; the tests compare
//! with every one.
//!
//! Where Segment's `parseFql` answers `{ error }` (often a bare `TypeError`), [`Trigger::parse`]
//! answers a [`TriggerError`] that says what is wrong and at which character. Two deliberate
//! differences, both about triggers Segment accepts but cannot evaluate:
//!
//! - A group with no condition in it (`type = "track" and ()`) is accepted by `parseFql`, and
//!   `validate` then throws a `TypeError` when it reaches it; here it is a parse error.
//! - Where `validate` throws at evaluation (the event is `null`; a path made only of `.`,
//!   `[` and `]`), [`Trigger::matches`] answers `false`.
//!
//! Strings compare as JavaScript compares them, by UTF-16 unit, where that differs:
//! `match(x, "😀abc")` keeps half of the emoji (`.slice(1)`), and `properties.s.\0` is the
//! first unit of a string.
//!
//! Known approximation (no catalog trigger comes near it): a property looked up on a
//! JavaScript function (`properties.x.toString.length`) is `undefined` here, and the method
//! names of the prototypes are Node 20's.
//!
//! Bounds: a trigger is at most [`MAX_TRIGGER_CHARS`] characters (longer is
//! [`TriggerErrorKind::TooLong`]); parsing is one pass over the tokens, and since FQL nests
//! only one level the parser recurses at most once, so no input can exhaust the stack.

use std::collections::VecDeque;
use std::fmt;

use serde_json::Value;

/// The longest trigger accepted, in characters. The longest default trigger of the catalog
/// is under 500; Segment's lexer has no overall limit (only 100,000 characters per token).
pub const MAX_TRIGGER_CHARS: usize = 10_000;

/// A parsed trigger: a group of conditions, as Segment's `parseFql` builds it (its top is
/// always a group, an `and` of one condition when the trigger has one).
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    /// The top group.
    pub root: Group,
}

/// Conditions joined by one conditional.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// How the children combine.
    pub operator: GroupOperator,
    /// The conditions, in the order written.
    pub children: Vec<Condition>,
}

/// `and` or `or`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupOperator {
    /// Every child matches.
    And,
    /// At least one child matches.
    Or,
}

/// One node of a trigger.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// A parenthesized group.
    Group(Group),
    /// A test on one field of the event.
    Field(FieldCondition),
}

/// A test on one field: `properties.total >= 100`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldCondition {
    /// Which field of the event.
    pub field: Field,
    /// The comparison.
    pub operator: Operator,
    /// The value compared with, absent for `exists`, `not_exists`, `is_true`, `is_false`.
    pub value: Option<Operand>,
}

/// The field a condition reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// The call type, `type` (Segment's `event-type`).
    Type,
    /// A track's `event`.
    Event,
    /// A page's or screen's `name`.
    Name,
    /// `userId`.
    UserId,
    /// A path under `properties` (Segment's `event-property`), without the `properties.`.
    Property(String),
    /// A path under `traits` (`event-trait`).
    Trait(String),
    /// A path under `context` (`event-context`).
    Context(String),
}

/// A comparison, named as Segment's `Operator` type names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operator {
    /// `=`: the field is the string, exactly.
    Equals,
    /// `!=`: the field is anything but the string.
    NotEquals,
    /// `<` on numbers.
    Less,
    /// `<=` on numbers.
    LessOrEqual,
    /// `>` on numbers.
    Greater,
    /// `>=` on numbers.
    GreaterOrEqual,
    /// `= 5` on a path: the field is that number.
    NumberEquals,
    /// `!= 5` on a path: the field is a number other than that one.
    NumberNotEquals,
    /// `contains(field, "x")`.
    Contains,
    /// `!contains(field, "x")`: the field is a string without it.
    NotContains,
    /// `match(field, "x*")`.
    StartsWith,
    /// `!match(field, "x*")`.
    NotStartsWith,
    /// `match(field, "*x")`.
    EndsWith,
    /// `!match(field, "*x")`.
    NotEndsWith,
    /// `!= null`: the field is present and not null.
    Exists,
    /// `= null`: the field is absent or null.
    NotExists,
    /// `= true`: the field is the boolean `true`.
    IsTrue,
    /// `= false`: the field is the boolean `false`.
    IsFalse,
    /// Whatever token stood where an operator should (`type "track"` takes `"track"`):
    /// Segment keeps it, and such a condition never matches.
    Other(String),
}

/// The value a condition compares with.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A string (from a quoted string, or the text of any other token).
    String(String),
    /// A number (may be NaN: `-` alone is a number token whose value is NaN).
    Number(f64),
    /// `true` or `false`.
    Boolean(bool),
    /// A string Rust cannot hold, in UTF-16 units: `match(x, "😀abc")` drops the first
    /// unit of the pattern (parse-fql.js:91 `.slice(1)`), which leaves half of the emoji.
    Utf16(Vec<u16>),
}

/// Why a trigger does not parse, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} (at character {offset}{})", token_suffix(.token))]
pub struct TriggerError {
    /// What is wrong.
    pub kind: TriggerErrorKind,
    /// Where, in characters from the start of the trigger (its length for "at the end").
    pub offset: usize,
    /// The text of the token at fault, when there is one.
    pub token: Option<String>,
}

fn token_suffix(token: &Option<String>) -> String {
    match token {
        Some(token) => format!(", `{token}`"),
        None => String::new(),
    }
}

/// What is wrong with a trigger. Each names the `parseFql` or lexer error it stands for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TriggerErrorKind {
    /// Longer than [`MAX_TRIGGER_CHARS`].
    #[error("the trigger is longer than {MAX_TRIGGER_CHARS} characters")]
    TooLong,
    /// Lexer: `invalid character`.
    #[error("`{0}` cannot appear outside a quoted string")]
    InvalidCharacter(char),
    /// Lexer: `unterminated string`.
    #[error("the string is never closed")]
    UnterminatedString,
    /// Lexer: `expected '=' after '!'`.
    #[error("`!` must be followed by `=` and a space, or by `contains(` or `match(`")]
    BangWithoutEquals,
    /// Lexer: `expected character after escape character, got EOS`.
    #[error("`\\` at the end of the trigger escapes nothing")]
    DanglingEscape,
    /// Lexer: `expected termination character after identifier`.
    #[error("a name must be followed by a space, `.`, `(`, `)`, `,`, `]`, `=` or `!`")]
    UnterminatedName,
    /// Lexer: `unexpected terminator after decimal point`.
    #[error("a number cannot end with a decimal point")]
    TrailingDecimalPoint,
    /// Lexer: `multiple decimal points in one number`.
    #[error("a number has more than one decimal point")]
    MultipleDecimalPoints,
    /// `Value token is missing` (or `Operator token is missing`).
    #[error("the condition on `{0}` lacks its operator or its value")]
    MissingValue(String),
    /// `contains() is missing a 1st argument` and its `match()` and 2nd-argument kin.
    #[error("{function}() is missing its {ordinal} argument")]
    MissingArgument {
        /// `contains` or `match`.
        function: String,
        /// `1st` or `2nd`.
        ordinal: &'static str,
    },
    /// A `(` with no `)` after it (a `TypeError` in `parseFql`).
    #[error("the parenthesis is never closed")]
    UnclosedParenthesis,
    /// A `(` inside a group (a `TypeError` in `parseFql`: it nests one level only).
    #[error("parentheses nest only one level deep")]
    NestedParenthesis,
    /// A group with no condition in it (`parseFql` accepts it; `validate` throws).
    #[error("the parentheses hold no condition")]
    EmptyGroup,
    /// No condition at all (a `TypeError` in `parseFql`).
    #[error(
        "no condition: a trigger tests `type`, `event`, `name`, `userId`, `properties.…`, `traits.…` or `context.…`"
    )]
    NoCondition,
}

impl Trigger {
    /// Parses a trigger as Segment's `parseFql` does.
    pub fn parse(fql: &str) -> Result<Trigger, TriggerError> {
        let chars: Vec<char> = fql.chars().collect();
        if chars.len() > MAX_TRIGGER_CHARS {
            return Err(TriggerError {
                kind: TriggerErrorKind::TooLong,
                offset: MAX_TRIGGER_CHARS,
                token: None,
            });
        }
        let tokens = normalize(Lexer::new(chars).lex()?);
        let end = tokens.last().map_or(0, |token| token.offset);
        let mut queue: VecDeque<Token> = tokens.into();
        match parse(&mut queue, None)? {
            // parse-fql.js:441, a lone condition is wrapped in an `and` group.
            Some(Condition::Group(root)) => Ok(Trigger { root }),
            Some(condition) => Ok(Trigger {
                root: Group {
                    operator: GroupOperator::And,
                    children: vec![condition],
                },
            }),
            None => Err(TriggerError {
                kind: TriggerErrorKind::NoCondition,
                offset: end,
                token: None,
            }),
        }
    }

    /// Whether the event matches, as Segment's `validate(parseFql(trigger), event)` answers
    /// (`false` where `validate` would throw).
    pub fn matches(&self, event: &Value) -> bool {
        self.matches_indexed(&IndexedEvent::new(event))
    }

    /// [`Trigger::matches`] on an event whose top-level fields other triggers may already
    /// have found: a delivery matches every section's trigger against one [`IndexedEvent`].
    pub fn matches_indexed(&self, event: &IndexedEvent<'_>) -> bool {
        // validate.js:16 answers false for `undefined` only; `null` throws on `data.type`.
        if event.null {
            return false;
        }
        group_matches(&self.root, event).unwrap_or(false)
    }

    /// The trigger as Segment's `parseFql` answers it (`{"type": "group", "operator": "and",
    /// "children": [{"type": "event-type", "operator": "=", "value": "track"}]}`), for
    /// comparing with Segment's own output and for showing the parsed trigger.
    pub fn to_segment_json(&self) -> Value {
        group_json(&self.root)
    }
}

fn group_json(group: &Group) -> Value {
    let operator = match group.operator {
        GroupOperator::And => "and",
        GroupOperator::Or => "or",
    };
    let children: Vec<Value> = group
        .children
        .iter()
        .map(|child| match child {
            Condition::Group(group) => group_json(group),
            Condition::Field(condition) => condition_json(condition),
        })
        .collect();
    serde_json::json!({"type": "group", "operator": operator, "children": children})
}

fn condition_json(condition: &FieldCondition) -> Value {
    let mut object = serde_json::Map::new();
    let (kind, name) = match &condition.field {
        Field::Type => ("event-type", None),
        Field::Event => ("event", None),
        Field::Name => ("name", None),
        Field::UserId => ("userId", None),
        Field::Property(name) => ("event-property", Some(name)),
        Field::Trait(name) => ("event-trait", Some(name)),
        Field::Context(name) => ("event-context", Some(name)),
    };
    object.insert("type".into(), kind.into());
    if let Some(name) = name {
        object.insert("name".into(), name.as_str().into());
    }
    object.insert("operator".into(), condition.operator.as_str().into());
    if let Some(value) = &condition.value {
        let value = match value {
            Operand::String(text) => Value::String(text.clone()),
            Operand::Number(number) => js_number_json(*number),
            Operand::Boolean(flag) => Value::Bool(*flag),
            Operand::Utf16(units) => Value::String(utf16_text(units)),
        };
        object.insert("value".into(), value);
    }
    Value::Object(object)
}

/// UTF-16 units as text, a half character written as the six characters `\udc00` (JSON
/// cannot hold it).
fn utf16_text(units: &[u16]) -> String {
    char::decode_utf16(units.iter().copied())
        .map(|decoded| match decoded {
            Ok(c) => c.to_string(),
            Err(half) => format!("\\u{:04x}", half.unpaired_surrogate()),
        })
        .collect()
}

/// A number as `JSON.stringify` writes it: integers without a fraction, `-0` as `0`, NaN and
/// the infinities as `null`.
fn js_number_json(number: f64) -> Value {
    const SAFE: f64 = 9_007_199_254_740_991.0;
    if number.fract() == 0.0 && number.abs() <= SAFE {
        return Value::from(number as i64);
    }
    serde_json::Number::from_f64(number)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

impl Operator {
    /// Segment's name for the operator (`=`, `number_equals`, `not_contains`, …).
    pub fn as_str(&self) -> &str {
        match self {
            Operator::Equals => "=",
            Operator::NotEquals => "!=",
            Operator::Less => "<",
            Operator::LessOrEqual => "<=",
            Operator::Greater => ">",
            Operator::GreaterOrEqual => ">=",
            Operator::NumberEquals => "number_equals",
            Operator::NumberNotEquals => "number_not_equals",
            Operator::Contains => "contains",
            Operator::NotContains => "not_contains",
            Operator::StartsWith => "starts_with",
            Operator::NotStartsWith => "not_starts_with",
            Operator::EndsWith => "ends_with",
            Operator::NotEndsWith => "not_ends_with",
            Operator::Exists => "exists",
            Operator::NotExists => "not_exists",
            Operator::IsTrue => "is_true",
            Operator::IsFalse => "is_false",
            Operator::Other(text) => text,
        }
    }

    /// The operator a token's text names. Any text is accepted, as in Segment, where
    /// `validate.js:50` switches on the text: `properties.x contains "a"` is a working
    /// `contains`, and `type "track"` an operator that never matches.
    fn from_text(text: &str) -> Operator {
        match text {
            "=" => Operator::Equals,
            "!=" => Operator::NotEquals,
            "<" => Operator::Less,
            "<=" => Operator::LessOrEqual,
            ">" => Operator::Greater,
            ">=" => Operator::GreaterOrEqual,
            "number_equals" => Operator::NumberEquals,
            "number_not_equals" => Operator::NumberNotEquals,
            "contains" => Operator::Contains,
            "not_contains" => Operator::NotContains,
            "starts_with" => Operator::StartsWith,
            "not_starts_with" => Operator::NotStartsWith,
            "ends_with" => Operator::EndsWith,
            "not_ends_with" => Operator::NotEndsWith,
            "exists" => Operator::Exists,
            "not_exists" => Operator::NotExists,
            "is_true" => Operator::IsTrue,
            "is_false" => Operator::IsFalse,
            other => Operator::Other(other.to_string()),
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// ---------------------------------------------------------------------------------------
// The lexer: a port of @segment/fql-ts 1.10.1, lexer.js and strings.js.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenType {
    Ident,
    Dot,
    Operator,
    Conditional,
    String,
    Number,
    Null,
    BrackLeft,
    BrackRight,
    ParenLeft,
    ParenRight,
    Comma,
    Eos,
}

#[derive(Debug, Clone)]
struct Token {
    kind: TokenType,
    /// The token's `value` in fql-ts: its text, quotes included for strings, `eos` for the end.
    text: String,
    /// Where it starts, in characters.
    offset: usize,
}

fn is_whitespace(c: Option<char>) -> bool {
    matches!(c, Some(' ' | '\t' | '\n'))
}

fn is_alpha(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphabetic())
}

fn is_number(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_digit())
}

fn is_ident(c: Option<char>) -> bool {
    is_alpha(c) || is_number(c) || matches!(c, Some('_' | '-' | '\\'))
}

/// strings.js `isTerminator`: the end (`EOS_FLAG`), whitespace, `,`, `]` or `)`.
fn is_terminator(c: Option<char>) -> bool {
    c.is_none() || is_whitespace(c) || matches!(c, Some(',' | ']' | ')'))
}

struct Lexer {
    chars: Vec<char>,
    position: usize,
}

impl Lexer {
    fn new(chars: Vec<char>) -> Lexer {
        Lexer { chars, position: 0 }
    }

    fn error(&self, kind: TriggerErrorKind, offset: usize) -> TriggerError {
        TriggerError {
            kind,
            offset,
            token: None,
        }
    }

    /// `Reader.forward`: the next character, `None` at the end (without moving).
    fn next(&mut self) -> Option<char> {
        let c = self.chars.get(self.position).copied();
        if c.is_some() {
            self.position += 1;
        }
        c
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.position).copied()
    }

    fn backup(&mut self, count: usize) {
        self.position = self.position.saturating_sub(count);
    }

    /// lexer.js:219 `accept`. Quirk kept: when the input ends partway, it answers false
    /// *without* stepping back, so `an` at the very end lexes as the name `a` (lexer.js:224).
    fn accept(&mut self, expected: &str) -> bool {
        let mut read = String::new();
        let mut count = 0;
        for _ in expected.chars() {
            let Some(c) = self.next() else {
                return false;
            };
            read.push(c);
            count += 1;
            if is_terminator(Some(c)) {
                break;
            }
        }
        if read == expected && is_terminator(self.peek()) {
            return true;
        }
        self.backup(count);
        false
    }

    fn lex(mut self) -> Result<Vec<Token>, TriggerError> {
        let mut tokens = Vec::new();
        loop {
            let start = self.position;
            let Some(c) = self.next() else {
                tokens.push(Token {
                    kind: TokenType::Eos,
                    text: "eos".into(),
                    offset: start,
                });
                return Ok(tokens);
            };
            let push = |tokens: &mut Vec<Token>, kind, text: String| {
                tokens.push(Token {
                    kind,
                    text,
                    offset: start,
                })
            };
            if is_whitespace(Some(c)) {
                continue;
            }
            if c == '!' {
                let next = self.peek();
                if is_alpha(next) || next == Some('(') {
                    push(&mut tokens, TokenType::Operator, "!".into());
                    continue;
                }
            }
            if is_alpha(Some(c)) || matches!(c, '!' | '=' | '>' | '<' | '\\' | '_') {
                let (kind, text) = self.lex_operator_or_conditional(c, start)?;
                push(&mut tokens, kind, text);
                continue;
            }
            if is_number(Some(c)) || c == '-' || c == '+' {
                let text = self.lex_number(c)?;
                push(&mut tokens, TokenType::Number, text);
                continue;
            }
            if c == '"' || c == '\'' {
                let text = self.lex_string(c, start)?;
                push(&mut tokens, TokenType::String, text);
                continue;
            }
            let kind = match c {
                '.' => TokenType::Dot,
                '[' => TokenType::BrackLeft,
                ']' => TokenType::BrackRight,
                ',' => TokenType::Comma,
                '(' => TokenType::ParenLeft,
                ')' => TokenType::ParenRight,
                other => return Err(self.error(TriggerErrorKind::InvalidCharacter(other), start)),
            };
            push(&mut tokens, kind, c.to_string());
        }
    }

    /// lexer.js:96. No escapes: the string ends at the next quote of its kind.
    fn lex_string(&mut self, quote: char, start: usize) -> Result<String, TriggerError> {
        let mut text = String::new();
        text.push(quote);
        while self.peek() != Some(quote) {
            match self.next() {
                Some(c) => text.push(c),
                None => return Err(self.error(TriggerErrorKind::UnterminatedString, start)),
            }
        }
        // lexer.js:109 `accept`s the closing quote, which consumes it only when a terminator
        // follows: in `"a"b"` the second quote is left to open another string, `"b"`.
        self.accept(&quote.to_string());
        text.push(quote);
        Ok(text)
    }

    /// lexer.js:112: a first character (digit, `-` or `+`), then digits and at most one `.`.
    fn lex_number(&mut self, first: char) -> Result<String, TriggerError> {
        let mut text = String::from(first);
        let mut decimal = false;
        let mut coming = self.peek();
        while is_number(coming) || coming == Some('.') {
            let at = self.position;
            if let Some(c) = self.next() {
                text.push(c);
            }
            if coming == Some('.') {
                if is_terminator(self.peek()) {
                    return Err(self.error(TriggerErrorKind::TrailingDecimalPoint, at));
                }
                if decimal {
                    return Err(self.error(TriggerErrorKind::MultipleDecimalPoints, at));
                }
                decimal = true;
            }
            coming = self.peek();
        }
        Ok(text)
    }

    /// lexer.js:137. `and`, `or`, `null`, `<=` and `>=` count only when a terminator follows
    /// (lexer.js:231): `x <=5` is `<` then `=` then `5`.
    fn lex_operator_or_conditional(
        &mut self,
        first: char,
        start: usize,
    ) -> Result<(TokenType, String), TriggerError> {
        match first {
            '=' => Ok((TokenType::Operator, "=".into())),
            '!' => {
                if self.accept("=") {
                    Ok((TokenType::Operator, "!=".into()))
                } else {
                    Err(self.error(TriggerErrorKind::BangWithoutEquals, start))
                }
            }
            'a' if self.accept("nd") => Ok((TokenType::Conditional, "and".into())),
            'o' if self.accept("r") => Ok((TokenType::Conditional, "or".into())),
            'n' if self.accept("ull") => Ok((TokenType::Null, "null".into())),
            '<' | '>' => {
                if self.accept("=") {
                    Ok((TokenType::Operator, format!("{first}=")))
                } else {
                    Ok((TokenType::Operator, first.to_string()))
                }
            }
            _ => Ok((TokenType::Ident, self.lex_ident(first, start)?)),
        }
    }

    /// lexer.js:180: letters, digits, `_`, `-`; `\` escapes any character.
    fn lex_ident(&mut self, first: char, start: usize) -> Result<String, TriggerError> {
        let mut text = String::new();
        let mut c = first;
        loop {
            if c == '\\' {
                match self.next() {
                    // JavaScript escapes one UTF-16 unit, half of this character; the other
                    // half then ends the name where a terminator should (lexer.js:205).
                    Some(escaped) if escaped.len_utf16() > 1 => {
                        return Err(TriggerError {
                            kind: TriggerErrorKind::UnterminatedName,
                            offset: self.position - 1,
                            token: Some(escaped.to_string()),
                        });
                    }
                    Some(escaped) => c = escaped,
                    None => return Err(self.error(TriggerErrorKind::DanglingEscape, start)),
                }
            }
            text.push(c);
            if !is_ident(self.peek()) {
                break;
            }
            match self.next() {
                Some(next) => c = next,
                None => break,
            }
        }
        let coming = self.peek();
        if !(is_terminator(coming) || matches!(coming, Some('.' | '(' | '=' | '!'))) {
            return Err(TriggerError {
                kind: TriggerErrorKind::UnterminatedName,
                offset: self.position,
                token: Some(text),
            });
        }
        Ok(text)
    }
}

/// parse-fql.js:416 `normalize`: `a . b` (three tokens) becomes the one name `a.b`.
fn normalize(tokens: Vec<Token>) -> Vec<Token> {
    let mut normalized: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut index = 0;
    while index < tokens.len() {
        let current = &tokens[index];
        let last_is_ident = normalized
            .last()
            .is_some_and(|last| last.kind == TokenType::Ident);
        let next_is_ident = tokens
            .get(index + 1)
            .is_some_and(|next| next.kind == TokenType::Ident);
        if last_is_ident && current.kind == TokenType::Dot && next_is_ident {
            if let (Some(previous), Some(next)) = (normalized.last_mut(), tokens.get(index + 1)) {
                previous.text = format!("{}{}{}", previous.text, current.text, next.text);
            }
            index += 2;
        } else {
            normalized.push(current.clone());
            index += 1;
        }
    }
    normalized
}

// ---------------------------------------------------------------------------------------
// The parser: a port of parse-fql.js.

/// The names `tokenToConditionType[name]` finds (parse-fql.js:2), and those it finds on
/// `Object.prototype`: for these, parse-fql.js:135 takes the next two tokens as operator and
/// value and then builds nothing (`constructor = "x"` is skipped whole).
enum ConditionType {
    Type,
    Event,
    Name,
    UserId,
    Context,
    Properties,
    Traits,
    Inherited,
}

const OBJECT_PROTOTYPE: &[&str] = &[
    "constructor",
    "__defineGetter__",
    "__defineSetter__",
    "hasOwnProperty",
    "__lookupGetter__",
    "__lookupSetter__",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toString",
    "valueOf",
    "__proto__",
    "toLocaleString",
];

fn condition_type(name: &str) -> Option<ConditionType> {
    Some(match name {
        "type" => ConditionType::Type,
        "event" => ConditionType::Event,
        "name" => ConditionType::Name,
        "userId" => ConditionType::UserId,
        "context" => ConditionType::Context,
        "properties" => ConditionType::Properties,
        "traits" => ConditionType::Traits,
        other if OBJECT_PROTOTYPE.contains(&other) => ConditionType::Inherited,
        _ => return None,
    })
}

/// parse-fql.js:11 `getTokenValue`.
fn token_value(token: &Token) -> Operand {
    match token.kind {
        TokenType::String => {
            let text = token.text.strip_prefix('"').unwrap_or(&token.text);
            let text = text.strip_suffix('"').unwrap_or(text);
            Operand::String(text.to_string())
        }
        TokenType::Number => Operand::Number(js_to_number(&token.text)),
        TokenType::Ident if token.text == "true" => Operand::Boolean(true),
        TokenType::Ident if token.text == "false" => Operand::Boolean(false),
        _ => Operand::String(token.text.clone()),
    }
}

/// `String(getTokenValue(token))`.
fn token_string(token: &Token) -> String {
    js_string(&token_value(token))
}

fn strip_root<'a>(name: &'a str, root: &str) -> &'a str {
    name.strip_prefix(root)
        .and_then(|rest| rest.strip_prefix('.'))
        .unwrap_or(name)
}

/// parse-fql.js:144-379: one condition from a name, an operator token and a value token.
fn field_condition(
    kind: ConditionType,
    name: &str,
    operator: &Token,
    value: &Token,
) -> Option<FieldCondition> {
    let is_true = operator.text == "=" && value.text == "true";
    let is_false = operator.text == "=" && value.text == "false";
    let is_exists = operator.text == "!=" && value.text == "null";
    let is_not_exists = operator.text == "=" && value.text == "null";
    let is_number_equals = operator.text == "=" && value.kind == TokenType::Number;
    let is_number_not_equals = operator.text == "!=" && value.kind == TokenType::Number;
    let plain = |field| FieldCondition {
        field,
        operator: Operator::from_text(&operator.text),
        value: Some(Operand::String(token_string(value))),
    };
    let bare = |field, operator| FieldCondition {
        field,
        operator,
        value: None,
    };
    Some(match kind {
        // `type` and `event` have no null, boolean or number forms: `event = null` is the
        // string "null" (parse-fql.js:150-163).
        ConditionType::Type => plain(Field::Type),
        ConditionType::Event => plain(Field::Event),
        // `name` knows null only (parse-fql.js:164).
        ConditionType::Name if is_exists => bare(Field::Name, Operator::Exists),
        ConditionType::Name if is_not_exists => bare(Field::Name, Operator::NotExists),
        ConditionType::Name => plain(Field::Name),
        // `userId` knows null and booleans, not numbers (parse-fql.js:185).
        ConditionType::UserId if is_exists => bare(Field::UserId, Operator::Exists),
        ConditionType::UserId if is_not_exists => bare(Field::UserId, Operator::NotExists),
        ConditionType::UserId if is_true => bare(Field::UserId, Operator::IsTrue),
        ConditionType::UserId if is_false => bare(Field::UserId, Operator::IsFalse),
        ConditionType::UserId => plain(Field::UserId),
        ConditionType::Properties | ConditionType::Traits | ConditionType::Context => {
            let field = match kind {
                ConditionType::Properties => Field::Property(strip_root(name, "properties").into()),
                ConditionType::Traits => Field::Trait(strip_root(name, "traits").into()),
                _ => Field::Context(strip_root(name, "context").into()),
            };
            if is_exists {
                bare(field, Operator::Exists)
            } else if is_not_exists {
                bare(field, Operator::NotExists)
            } else if is_true {
                bare(field, Operator::IsTrue)
            } else if is_false {
                bare(field, Operator::IsFalse)
            } else {
                let operator = if is_number_equals {
                    Operator::NumberEquals
                } else if is_number_not_equals {
                    Operator::NumberNotEquals
                } else {
                    Operator::from_text(&operator.text)
                };
                // Paths keep the value's type (parse-fql.js:268): `!= true` compares with
                // the boolean, `< "5"` with the string.
                FieldCondition {
                    field,
                    operator,
                    value: Some(token_value(value)),
                }
            }
        }
        ConditionType::Inherited => return None,
    })
}

/// The field a function's first argument names (parse-fql.js:39-69): `event`, `name` and
/// `userId` exactly (not `type`), and anything that merely *starts* with `properties`,
/// `traits` or `context` (`propertiesX` is the property `propertiesX`).
fn function_field(name: &str) -> Option<Field> {
    if matches!(name, "event" | "name" | "userId") {
        return Some(match name {
            "event" => Field::Event,
            "name" => Field::Name,
            _ => Field::UserId,
        });
    }
    if name.starts_with("properties") {
        return Some(Field::Property(strip_root(name, "properties").into()));
    }
    if name.starts_with("traits") {
        return Some(Field::Trait(strip_root(name, "traits").into()));
    }
    if name.starts_with("context") {
        return Some(Field::Context(strip_root(name, "context").into()));
    }
    None
}

/// parse-fql.js:26 `parseFqlFunction`: `contains(a, b)` and `match(a, b)`, read as five
/// tokens whatever they are (the `(`, `,` and `)` are taken, never checked).
fn parse_function(
    function: &Token,
    tokens: &mut VecDeque<Token>,
    negate: bool,
) -> Result<Option<Condition>, TriggerError> {
    let missing = |ordinal, tokens: &VecDeque<Token>| TriggerError {
        kind: TriggerErrorKind::MissingArgument {
            function: function.text.clone(),
            ordinal,
        },
        offset: tokens.front().map_or(function.offset, |token| token.offset),
        token: Some(function.text.clone()),
    };
    tokens.pop_front();
    let Some(name) = tokens.pop_front() else {
        return Err(missing("1st", tokens));
    };
    tokens.pop_front();
    let Some(value) = tokens.pop_front() else {
        return Err(missing("2nd", tokens));
    };
    tokens.pop_front();
    let (operator, operand) = if function.text == "contains" {
        let operator = if negate {
            Operator::NotContains
        } else {
            Operator::Contains
        };
        (operator, Operand::String(token_string(&value)))
    } else if value.text.ends_with("*\"") {
        // parse-fql.js:85: a pattern ending in `*` (inside double quotes) is a prefix.
        let operator = if negate {
            Operator::NotStartsWith
        } else {
            Operator::StartsWith
        };
        // The pattern ends with `*` (or, in a name, an escaped `"`): one unit either way.
        let mut text = token_string(&value);
        text.pop();
        (operator, Operand::String(text))
    } else {
        // parse-fql.js:91: anything else is a suffix, its first character dropped whether
        // it is `*` or not.
        let operator = if negate {
            Operator::NotEndsWith
        } else {
            Operator::EndsWith
        };
        // `.slice(1)` drops one UTF-16 unit: half of a character outside the BMP.
        let units: Vec<u16> = token_string(&value).encode_utf16().skip(1).collect();
        match String::from_utf16(&units) {
            Ok(text) => (operator, Operand::String(text)),
            Err(_) => (operator, Operand::Utf16(units)),
        }
    };
    Ok(function_field(&name.text).map(|field| {
        Condition::Field(FieldCondition {
            field,
            operator,
            value: Some(operand),
        })
    }))
}

fn is_function(token: &Token) -> bool {
    token.kind == TokenType::Ident && matches!(token.text.as_str(), "contains" | "match")
}

/// parse-fql.js:126 `parse`. `group` is the `(` this call parses the inside of, if any;
/// such a call never recurses, so the recursion is one level deep at most.
fn parse(
    tokens: &mut VecDeque<Token>,
    group: Option<&Token>,
) -> Result<Option<Condition>, TriggerError> {
    let mut nodes: Vec<Condition> = Vec::new();
    let mut operator = GroupOperator::And;
    while let Some(token) = tokens.pop_front() {
        if token.kind == TokenType::Eos {
            break;
        }
        match token.kind {
            TokenType::Ident => {
                let root = token.text.split('.').next().unwrap_or_default();
                if let Some(kind) = condition_type(root) {
                    let missing = |tokens: &VecDeque<Token>| TriggerError {
                        kind: TriggerErrorKind::MissingValue(token.text.clone()),
                        offset: tokens.front().map_or(token.offset, |next| next.offset),
                        token: Some(token.text.clone()),
                    };
                    let Some(operator_token) = tokens.pop_front() else {
                        return Err(missing(tokens));
                    };
                    let Some(value_token) = tokens.pop_front() else {
                        return Err(missing(tokens));
                    };
                    if let Some(condition) =
                        field_condition(kind, &token.text, &operator_token, &value_token)
                    {
                        nodes.push(Condition::Field(condition));
                    }
                }
                if is_function(&token) {
                    if let Some(condition) = parse_function(&token, tokens, false)? {
                        nodes.push(condition);
                    }
                }
            }
            // `!contains(…)` and `!match(…)`; before anything else `!` is dropped, so `!(a)`
            // is `(a)` (parse-fql.js:385).
            TokenType::Operator if token.text == "!" && tokens.front().is_some_and(is_function) => {
                if let Some(function) = tokens.pop_front() {
                    if let Some(condition) = parse_function(&function, tokens, true)? {
                        nodes.push(condition);
                    }
                }
            }
            TokenType::ParenLeft => {
                if group.is_some() {
                    // parse-fql.js:395 looks for the `)` among the group's own tokens, which
                    // hold none: `TypeError` there.
                    return Err(TriggerError {
                        kind: TriggerErrorKind::NestedParenthesis,
                        offset: token.offset,
                        token: Some("(".into()),
                    });
                }
                let mut inner = VecDeque::new();
                loop {
                    match tokens.pop_front() {
                        Some(next) if next.kind == TokenType::ParenRight => {
                            // parse-fql.js:399 ends the group's tokens with an `eos`, which a
                            // condition may take as its value: `(type =)` is `type = "eos"`.
                            inner.push_back(Token {
                                kind: TokenType::Eos,
                                text: "eos".into(),
                                offset: next.offset,
                            });
                            break;
                        }
                        Some(next) if next.kind == TokenType::Eos => {
                            return Err(TriggerError {
                                kind: TriggerErrorKind::UnclosedParenthesis,
                                offset: token.offset,
                                token: Some("(".into()),
                            });
                        }
                        Some(next) => inner.push_back(next),
                        None => {
                            return Err(TriggerError {
                                kind: TriggerErrorKind::UnclosedParenthesis,
                                offset: token.offset,
                                token: Some("(".into()),
                            });
                        }
                    }
                }
                match parse(&mut inner, Some(&token))? {
                    Some(condition) => nodes.push(condition),
                    None => {
                        return Err(TriggerError {
                            kind: TriggerErrorKind::EmptyGroup,
                            offset: token.offset,
                            token: Some("(".into()),
                        });
                    }
                }
            }
            // parse-fql.js:402: the last conditional of a group decides for all of it.
            TokenType::Conditional => {
                operator = if token.text == "or" {
                    GroupOperator::Or
                } else {
                    GroupOperator::And
                };
            }
            _ => {}
        }
    }
    if nodes.len() > 1 {
        return Ok(Some(Condition::Group(Group {
            operator,
            children: nodes,
        })));
    }
    Ok(nodes.pop())
}

// ---------------------------------------------------------------------------------------
// Matching: a port of validate.js and get.js.

/// Where `validate` would throw.
struct Thrown;

/// An event as triggers read it: the top-level fields conditions read (`type`, `event`,
/// `properties`...), each looked up once, when first read, then kept for every trigger
/// matched against the same `IndexedEvent` (a trigger often reads `type` several times,
/// `type = "track" or type = "page"`, and a destination's sections all read it). Looking a
/// key up in the event's map is most of what a match costs.
pub struct IndexedEvent<'a> {
    null: bool,
    object: Option<&'a serde_json::Map<String, Value>>,
    found: [std::cell::Cell<Option<Option<&'a Value>>>; 7],
}

impl<'a> IndexedEvent<'a> {
    /// `event`, nothing looked up yet.
    pub fn new(event: &'a Value) -> IndexedEvent<'a> {
        IndexedEvent {
            null: event.is_null(),
            object: event.as_object(),
            found: Default::default(),
        }
    }

    /// The field `key`, kept in slot `slot`.
    #[inline]
    fn get(&self, slot: usize, key: &str) -> Option<&'a Value> {
        if let Some(found) = self.found[slot].get() {
            return found;
        }
        let found = self
            .object
            .and_then(|object| crate::member::member(object, key));
        self.found[slot].set(Some(found));
        found
    }
}

fn js_value(value: Option<&Value>) -> JsValue<'_> {
    value.map_or(JsValue::Undefined, JsValue::Json)
}

fn group_matches(group: &Group, event: &IndexedEvent<'_>) -> Result<bool, Thrown> {
    match group.operator {
        GroupOperator::And => {
            for child in &group.children {
                if !condition_matches(child, event)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        GroupOperator::Or => {
            for child in &group.children {
                if condition_matches(child, event)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
    }
}

fn condition_matches(condition: &Condition, event: &IndexedEvent<'_>) -> Result<bool, Thrown> {
    match condition {
        Condition::Group(group) => group_matches(group, event),
        Condition::Field(condition) => {
            let top = |slot, key| js_value(event.get(slot, key));
            let actual = match &condition.field {
                Field::Type => top(0, "type"),
                Field::Event => top(1, "event"),
                Field::Name => top(2, "name"),
                Field::UserId => top(3, "userId"),
                Field::Property(path) => get(top(4, "properties"), path)?,
                Field::Trait(path) => get(top(5, "traits"), path)?,
                Field::Context(path) => get(top(6, "context"), path)?,
            };
            Ok(value_matches(
                &actual,
                &condition.operator,
                condition.value.as_ref(),
            ))
        }
    }
}

/// A value as JavaScript sees it while walking a path.
#[derive(Debug, Clone)]
enum JsValue<'a> {
    Undefined,
    Json(&'a Value),
    /// An array's or a string's `length`.
    Number(f64),
    /// One UTF-16 unit of a string, `"abc"[0]` (may be half of a character).
    Unit(u16),
    /// A method inherited from a prototype (`{}.toString`): present, but no string, number
    /// or boolean.
    Function,
}

impl JsValue<'_> {
    fn truthy(&self) -> bool {
        match self {
            JsValue::Undefined => false,
            JsValue::Json(Value::Null) => false,
            JsValue::Json(Value::Bool(flag)) => *flag,
            JsValue::Json(Value::Number(number)) => {
                number.as_f64().is_some_and(|n| n != 0.0 && !n.is_nan())
            }
            JsValue::Json(Value::String(text)) => !text.is_empty(),
            JsValue::Json(_) | JsValue::Function => true,
            JsValue::Number(n) => *n != 0.0 && !n.is_nan(),
            JsValue::Unit(_) => true,
        }
    }

    fn as_number(&self) -> Option<f64> {
        match self {
            JsValue::Json(Value::Number(number)) => number.as_f64(),
            JsValue::Number(n) => Some(*n),
            _ => None,
        }
    }

    fn as_text(&self) -> Option<Text<'_>> {
        match self {
            JsValue::Json(Value::String(text)) => Some(Text::Str(text)),
            JsValue::Unit(unit) => Some(Text::Units(vec![*unit])),
            _ => None,
        }
    }
}

const ARRAY_PROTOTYPE: &[&str] = &[
    "at",
    "concat",
    "copyWithin",
    "fill",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "lastIndexOf",
    "pop",
    "push",
    "reverse",
    "shift",
    "unshift",
    "slice",
    "sort",
    "splice",
    "includes",
    "indexOf",
    "join",
    "keys",
    "entries",
    "values",
    "forEach",
    "filter",
    "flat",
    "flatMap",
    "map",
    "every",
    "some",
    "reduce",
    "reduceRight",
    "toReversed",
    "toSorted",
    "toSpliced",
    "with",
];

const STRING_PROTOTYPE: &[&str] = &[
    "anchor",
    "at",
    "big",
    "blink",
    "bold",
    "charAt",
    "charCodeAt",
    "codePointAt",
    "concat",
    "endsWith",
    "fontcolor",
    "fontsize",
    "fixed",
    "includes",
    "indexOf",
    "isWellFormed",
    "italics",
    "lastIndexOf",
    "link",
    "localeCompare",
    "match",
    "matchAll",
    "normalize",
    "padEnd",
    "padStart",
    "repeat",
    "replace",
    "replaceAll",
    "search",
    "slice",
    "small",
    "split",
    "strike",
    "sub",
    "substr",
    "substring",
    "sup",
    "startsWith",
    "toWellFormed",
    "trim",
    "trimStart",
    "trimLeft",
    "trimEnd",
    "trimRight",
    "toLocaleLowerCase",
    "toLocaleUpperCase",
    "toLowerCase",
    "toUpperCase",
];

const NUMBER_PROTOTYPE: &[&str] = &["toExponential", "toFixed", "toPrecision"];

/// A canonical array index (`"0"`, `"12"`; not `"01"` nor `"1.0"`), as JavaScript reads one.
fn array_index(key: &str) -> Option<usize> {
    if key == "0" {
        return Some(0);
    }
    if key.starts_with('0') || key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse::<u32>()
        .ok()
        .filter(|index| *index < u32::MAX)
        .map(|index| index as usize)
}

/// `value[key]` for a truthy `value`.
fn property<'a>(value: &JsValue<'a>, key: &str) -> JsValue<'a> {
    let text = match value {
        JsValue::Json(Value::Object(object)) => {
            if let Some(found) = crate::member::member(object, key) {
                return JsValue::Json(found);
            }
            None
        }
        JsValue::Json(Value::Array(items)) => {
            if key == "length" {
                return JsValue::Number(items.len() as f64);
            }
            if let Some(index) = array_index(key) {
                return items.get(index).map_or(JsValue::Undefined, JsValue::Json);
            }
            if ARRAY_PROTOTYPE.contains(&key) {
                return JsValue::Function;
            }
            None
        }
        JsValue::Json(Value::String(text)) => Some(text.as_str()),
        JsValue::Unit(unit) => {
            return match key {
                "length" => JsValue::Number(1.0),
                "0" => JsValue::Unit(*unit),
                _ if STRING_PROTOTYPE.contains(&key) || OBJECT_PROTOTYPE.contains(&key) => {
                    JsValue::Function
                }
                _ => JsValue::Undefined,
            };
        }
        JsValue::Json(Value::Number(_)) | JsValue::Number(_) => {
            if NUMBER_PROTOTYPE.contains(&key) {
                return JsValue::Function;
            }
            None
        }
        JsValue::Json(Value::Bool(_)) | JsValue::Json(Value::Null) | JsValue::Undefined => None,
        JsValue::Function => None,
    };
    if let Some(text) = text {
        let units: Vec<u16> = text.encode_utf16().collect();
        if key == "length" {
            return JsValue::Number(units.len() as f64);
        }
        if let Some(index) = array_index(key) {
            return match units.get(index) {
                Some(unit) => JsValue::Unit(*unit),
                None => JsValue::Undefined,
            };
        }
        if STRING_PROTOTYPE.contains(&key) {
            return JsValue::Function;
        }
    }
    if OBJECT_PROTOTYPE.contains(&key) {
        return JsValue::Function;
    }
    JsValue::Undefined
}

/// get.js: `path.match(/([^[.\]])+/g).reduce((o, key) => o && o[key], object)`.
fn get<'a>(object: JsValue<'a>, path: &str) -> Result<JsValue<'a>, Thrown> {
    if path.is_empty() {
        return Ok(JsValue::Undefined);
    }
    let mut keys = path
        .split(['[', '.', ']'])
        .filter(|key| !key.is_empty())
        .peekable();
    // `match` answers null when nothing matches, and `null.reduce` throws.
    if keys.peek().is_none() {
        return Err(Thrown);
    }
    let mut value = object;
    for key in keys {
        if !value.truthy() {
            return Ok(value);
        }
        value = property(&value, key);
    }
    Ok(value)
}

/// A JavaScript string: text, or UTF-16 units when it holds half a character.
enum Text<'a> {
    Str(&'a str),
    Owned(String),
    Units(Vec<u16>),
}

impl Text<'_> {
    fn as_str(&self) -> Option<&str> {
        match self {
            Text::Str(text) => Some(text),
            Text::Owned(text) => Some(text),
            Text::Units(_) => None,
        }
    }

    fn units(&self) -> Vec<u16> {
        match self {
            Text::Str(text) => text.encode_utf16().collect(),
            Text::Owned(text) => text.encode_utf16().collect(),
            Text::Units(units) => units.clone(),
        }
    }

    /// `a === b`, `a.includes(b)`, `a.startsWith(b)`, `a.endsWith(b)`, by UTF-16 unit as
    /// JavaScript compares (the same as by character when both are whole text).
    fn test(&self, comparison: Comparison, other: &Text) -> bool {
        if let (Some(a), Some(b)) = (self.as_str(), other.as_str()) {
            return match comparison {
                Comparison::Equals => a == b,
                Comparison::Contains => a.contains(b),
                Comparison::StartsWith => a.starts_with(b),
                Comparison::EndsWith => a.ends_with(b),
            };
        }
        let (a, b) = (self.units(), other.units());
        match comparison {
            Comparison::Equals => a == b,
            Comparison::Contains => b.is_empty() || a.windows(b.len()).any(|part| part == b),
            Comparison::StartsWith => a.starts_with(&b),
            Comparison::EndsWith => a.ends_with(&b),
        }
    }
}

#[derive(Clone, Copy)]
enum Comparison {
    Equals,
    Contains,
    StartsWith,
    EndsWith,
}

/// validate.js:49 `validateValue`.
#[inline]
fn value_matches(actual: &JsValue, operator: &Operator, expected: Option<&Operand>) -> bool {
    // The common case (`type = "track"`, `event = "Order Completed"`): two whole strings,
    // compared here without entering (and setting up the frame of) the general case.
    if let (
        Operator::Equals | Operator::NotEquals,
        JsValue::Json(Value::String(text)),
        Some(Operand::String(wanted)),
    ) = (operator, actual, expected)
    {
        return (text == wanted) == (*operator == Operator::Equals);
    }
    other_value_matches(actual, operator, expected)
}

/// [`value_matches`] but for two whole strings compared with `=` or `!=`.
#[inline(never)]
fn other_value_matches(actual: &JsValue, operator: &Operator, expected: Option<&Operand>) -> bool {
    let expected_text = || match expected {
        Some(Operand::Utf16(units)) => Text::Units(units.clone()),
        Some(Operand::String(text)) => Text::Str(text),
        Some(operand) => Text::Owned(js_string(operand)),
        None => Text::Owned("undefined".into()),
    };
    let expected_number = || expected.map_or(f64::NAN, js_number);
    let number = actual.as_number();
    let text = actual.as_text();
    let test = |comparison| {
        text.as_ref()
            .map(|text| text.test(comparison, &expected_text()))
    };
    match operator {
        Operator::Equals => test(Comparison::Equals) == Some(true),
        Operator::NotEquals => test(Comparison::Equals) != Some(true),
        Operator::NumberEquals => number.is_some_and(|n| n == expected_number()),
        Operator::NumberNotEquals => number.is_some_and(|n| n != expected_number()),
        Operator::Less => number.is_some_and(|n| n < expected_number()),
        Operator::LessOrEqual => number.is_some_and(|n| n <= expected_number()),
        Operator::Greater => number.is_some_and(|n| n > expected_number()),
        Operator::GreaterOrEqual => number.is_some_and(|n| n >= expected_number()),
        Operator::Contains => test(Comparison::Contains) == Some(true),
        Operator::NotContains => test(Comparison::Contains) == Some(false),
        Operator::StartsWith => test(Comparison::StartsWith) == Some(true),
        Operator::NotStartsWith => test(Comparison::StartsWith) == Some(false),
        Operator::EndsWith => test(Comparison::EndsWith) == Some(true),
        Operator::NotEndsWith => test(Comparison::EndsWith) == Some(false),
        Operator::Exists => !matches!(actual, JsValue::Undefined | JsValue::Json(Value::Null)),
        Operator::NotExists => matches!(actual, JsValue::Undefined | JsValue::Json(Value::Null)),
        Operator::IsTrue => matches!(actual, JsValue::Json(Value::Bool(true))),
        Operator::IsFalse => matches!(actual, JsValue::Json(Value::Bool(false))),
        Operator::Other(_) => false,
    }
}

// ---------------------------------------------------------------------------------------
// JavaScript's String(x) and Number(x), as the JS code applies them to values.

/// `String(operand)`.
fn js_string(operand: &Operand) -> String {
    match operand {
        Operand::String(text) => text.clone(),
        Operand::Number(number) => js_number_to_string(*number),
        Operand::Boolean(flag) => flag.to_string(),
        Operand::Utf16(units) => String::from_utf16_lossy(units),
    }
}

/// `Number(operand)`.
fn js_number(operand: &Operand) -> f64 {
    match operand {
        Operand::String(text) => js_to_number(text),
        Operand::Number(number) => *number,
        Operand::Boolean(flag) => f64::from(u8::from(*flag)),
        // Half a character is never a number.
        Operand::Utf16(_) => f64::NAN,
    }
}

/// JavaScript's `Number::toString` (ECMA-262 6.1.6.1.20): the shortest digits that read
/// back as the number, in plain notation from 1e-6 to 1e21 and in exponent notation beyond.
pub(crate) fn js_number_to_string(number: f64) -> String {
    if number.is_nan() {
        return "NaN".into();
    }
    if number == 0.0 {
        return "0".into();
    }
    if number.is_infinite() {
        return if number > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        }
        .into();
    }
    if number < 0.0 {
        return format!("-{}", js_number_to_string(-number));
    }
    // Rust's `{:e}` gives the same shortest digits: `1.2345e3`.
    let scientific = format!("{number:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let k = digits.len() as i64;
    let n = exponent + 1;
    if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        let (whole, fraction) = digits.split_at(n as usize);
        format!("{whole}.{fraction}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let sign = if n > 0 { "+" } else { "-" };
        let (first, rest) = digits.split_at(1);
        let point = if rest.is_empty() { "" } else { "." };
        format!("{first}{point}{rest}e{sign}{}", (n - 1).abs())
    }
}

/// JavaScript's whitespace for `Number(string)`: Unicode's White_Space but U+0085, and
/// U+FEFF.
fn is_js_whitespace(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{FEFF}'
}

/// JavaScript's `Number(string)` (ECMA-262 7.1.4.1.1 StringToNumber).
pub(crate) fn js_to_number(text: &str) -> f64 {
    let text = text.trim_matches(is_js_whitespace);
    if text.is_empty() {
        return 0.0;
    }
    match text {
        "Infinity" | "+Infinity" => return f64::INFINITY,
        "-Infinity" => return f64::NEG_INFINITY,
        _ => {}
    }
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(digits) = text.strip_prefix(prefix) {
            if digits.is_empty() {
                return f64::NAN;
            }
            let mut value = 0.0_f64;
            for c in digits.chars() {
                match c.to_digit(radix) {
                    Some(digit) => value = value * f64::from(radix) + f64::from(digit),
                    None => return f64::NAN,
                }
            }
            return value;
        }
    }
    if is_decimal_literal(text) {
        text.parse().unwrap_or(f64::NAN)
    } else {
        f64::NAN
    }
}

/// `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`, which Rust's `f64` parser
/// reads as JavaScript does (it also reads `inf` and `nan`, which JavaScript does not).
fn is_decimal_literal(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        at += 1;
    }
    let digits = |at: &mut usize| {
        let start = *at;
        while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
            *at += 1;
        }
        *at - start
    };
    let mut count = digits(&mut at);
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        count += digits(&mut at);
    }
    if count == 0 {
        return false;
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        if digits(&mut at) == 0 {
            return false;
        }
    }
    at == bytes.len()
}

#[cfg(test)]
mod tests;
