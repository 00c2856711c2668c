//! Catalog patterns are JavaScript regular expressions. In the browser (wasm32) they run on
//! the page's own `RegExp`, which is their reference and costs the UI's wasm no regex engine;
//! elsewhere this module translates them to the syntax of `fancy-regex` (which adds
//! look-around and back-references to `regex`). Either way every compiled pattern is kept,
//! so that validating on each keystroke compiles nothing.

// The translation to `fancy-regex` has no caller in the browser.
#![cfg_attr(target_arch = "wasm32", allow(dead_code))]

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use engine_fancy::{compiled, test};
#[cfg(target_arch = "wasm32")]
pub(crate) use engine_js::{compiled, test};

/// Catalogs hold a few dozen distinct patterns; the bound of the compiled-pattern cache only
/// guards against a caller feeding ever new ones.
const CACHE_BOUND: usize = 4096;

#[cfg(not(target_arch = "wasm32"))]
mod engine_fancy {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};

    use fancy_regex::Regex;

    use super::{translate, CACHE_BOUND};

    /// Compiled patterns by their JavaScript source.
    static COMPILED: OnceLock<Mutex<HashMap<String, Compiled>>> = OnceLock::new();
    /// A compiled pattern, or why it does not compile.
    type Compiled = Result<Arc<Regex>, String>;

    /// The compiled form of the JavaScript pattern `js`, or why it cannot be compiled.
    pub(crate) fn compiled(js: &str) -> Result<Arc<Regex>, String> {
        let cache = COMPILED.get_or_init(Default::default);
        if let Some(found) = cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(js)
        {
            return found.clone();
        }
        let result = Regex::new(&translate(js))
            .map(Arc::new)
            .map_err(|e| e.to_string());
        let mut map = cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if map.len() >= CACHE_BOUND {
            map.clear();
        }
        map.insert(js.to_owned(), result.clone());
        result
    }

    /// Whether `text` contains a match of the JavaScript pattern `js` (like `RegExp.test`).
    /// A pattern that cannot be compiled, or a search that gives up, is an `Err`.
    pub(crate) fn test(js: &str, text: &str) -> Result<bool, String> {
        compiled(js)?.is_match(text).map_err(|e| e.to_string())
    }
}

#[cfg(target_arch = "wasm32")]
mod engine_js {
    use std::cell::RefCell;
    use std::collections::HashMap;

    use js_sys::{Array, Function, JsString, Reflect, RegExp};

    use super::CACHE_BOUND;

    /// A compiled pattern, or why it does not compile.
    type Compiled = Result<RegExp, String>;

    thread_local! {
        /// Compiled patterns by their source (a `RegExp` lives in the page's only thread).
        static COMPILED: RefCell<HashMap<String, Compiled>> = RefCell::default();
    }

    /// The page's `RegExp` for the JavaScript pattern `js`, or why it cannot be compiled.
    pub(crate) fn compiled(js: &str) -> Result<RegExp, String> {
        COMPILED.with_borrow_mut(|map| {
            if let Some(found) = map.get(js) {
                return found.clone();
            }
            // `Reflect.construct` catches the SyntaxError that `new RegExp` throws.
            let constructor: Function = RegExp::new("", "").constructor();
            let result = Reflect::construct(&constructor, &Array::of1(&JsString::from(js)))
                .map(RegExp::from)
                .map_err(|error| {
                    Reflect::get(&error, &JsString::from("message"))
                        .ok()
                        .and_then(|message| message.as_string())
                        .unwrap_or_else(|| "not a valid pattern".to_owned())
                });
            if map.len() >= CACHE_BOUND {
                map.clear();
            }
            map.insert(js.to_owned(), result.clone());
            result
        })
    }

    /// Whether `text` contains a match of the JavaScript pattern `js` (`RegExp.test`).
    /// A pattern that cannot be compiled is an `Err`.
    pub(crate) fn test(js: &str, text: &str) -> Result<bool, String> {
        Ok(compiled(js)?.test(text))
    }
}

/// `\d` and `\w` are ASCII-only in JavaScript but Unicode-aware in Rust.
const DIGIT: &str = "0-9";
const WORD: &str = "0-9A-Za-z_";

/// Translates a JavaScript pattern (without `/…/flags`) to `fancy-regex` syntax.
///
/// Differences handled: ASCII `\d`/`\w`; `.` not matching line terminators; `-` after a
/// range or class escape being literal (`[\da-zA-Z-_]`); `&`, `~`, `[` literal in classes
/// (Rust reads `&&`, `~~`, `--` and nested classes); `{`/`}` literal unless a quantifier;
/// `\uXXXX`, `\cX`, `\0`; identity escapes such as `\/`; `[]` and `[^]`.
pub(crate) fn translate(js: &str) -> String {
    let chars: Vec<char> = js.chars().collect();
    let mut out = String::with_capacity(js.len() + 16);
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i = translate_escape(&chars, i, &mut out),
            '[' => i = translate_class(&chars, i, &mut out),
            '.' => {
                out.push_str("[^\\n\\r\u{2028}\u{2029}]");
                i += 1;
            }
            '{' => match quantifier_end(&chars, i) {
                Some(end) => {
                    out.extend(&chars[i..end]);
                    i = end;
                }
                None => {
                    out.push_str("\\{");
                    i += 1;
                }
            },
            '}' | ']' => {
                out.push('\\');
                out.push(chars[i]);
                i += 1;
            }
            // Outside a class only these are meta in both dialects; `#` and spaces are
            // plain because extended mode is never on.
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The index after a `{n}`, `{n,}` or `{n,m}` quantifier starting at `start`.
fn quantifier_end(chars: &[char], start: usize) -> Option<usize> {
    let mut i = start + 1;
    let digits_from = i;
    while chars.get(i).is_some_and(char::is_ascii_digit) {
        i += 1;
    }
    if i == digits_from {
        return None;
    }
    if chars.get(i) == Some(&',') {
        i += 1;
        while chars.get(i).is_some_and(char::is_ascii_digit) {
            i += 1;
        }
    }
    (chars.get(i) == Some(&'}')).then_some(i + 1)
}

/// One element of a character class.
enum ClassItem {
    Char(char),
    /// Already in Rust class syntax, e.g. `0-9` or `\s` or a nested `[^0-9]`.
    Set(&'static str),
}

/// What an escape sequence at `chars[i] == '\\'` stands for, and the index after it.
enum Escape {
    Char(char),
    /// A class such as `\d`: its Rust form outside and inside a class.
    Class {
        outside: &'static str,
        inside: &'static str,
    },
    /// Copied verbatim (outside classes only): assertions, back-references, properties.
    Verbatim(String),
}

fn read_escape(chars: &[char], i: usize, in_class: bool) -> (Escape, usize) {
    let Some(&c) = chars.get(i + 1) else {
        return (Escape::Char('\\'), i + 1);
    };
    let next = i + 2;
    let hex = |from: usize, len: usize| -> Option<char> {
        let digits: String = chars.get(from..from + len)?.iter().collect();
        if digits.chars().all(|d| d.is_ascii_hexdigit()) {
            char::from_u32(u32::from_str_radix(&digits, 16).ok()?)
        } else {
            None
        }
    };
    let class = |outside, inside| (Escape::Class { outside, inside }, next);
    match c {
        'd' => class("[0-9]", DIGIT),
        'D' => class("[^0-9]", "[^0-9]"),
        'w' => class("[0-9A-Za-z_]", WORD),
        'W' => class("[^0-9A-Za-z_]", "[^0-9A-Za-z_]"),
        's' => class("\\s", "\\s"),
        'S' => class("\\S", "\\S"),
        'n' => (Escape::Char('\n'), next),
        'r' => (Escape::Char('\r'), next),
        't' => (Escape::Char('\t'), next),
        'f' => (Escape::Char('\u{c}'), next),
        'v' => (Escape::Char('\u{b}'), next),
        'b' | 'B' if !in_class => (Escape::Verbatim(format!("\\{c}")), next),
        'b' => (Escape::Char('\u{8}'), next),
        '0' if !chars.get(next).is_some_and(char::is_ascii_digit) => (Escape::Char('\0'), next),
        '1'..='9' if !in_class => {
            let mut end = next;
            while chars.get(end).is_some_and(char::is_ascii_digit) {
                end += 1;
            }
            (Escape::Verbatim(chars[i..end].iter().collect()), end)
        }
        'x' => match hex(next, 2) {
            Some(ch) => (Escape::Char(ch), next + 2),
            None => (Escape::Char('x'), next),
        },
        'u' if chars.get(next) == Some(&'{') => {
            let close = chars[next..].iter().position(|&ch| ch == '}');
            match close.and_then(|len| hex(next + 1, len - 1).map(|ch| (ch, next + len + 1))) {
                Some((ch, end)) => (Escape::Char(ch), end),
                None => (Escape::Char('u'), next),
            }
        }
        'u' => match hex(next, 4) {
            Some(ch) => (Escape::Char(ch), next + 4),
            None => (Escape::Char('u'), next),
        },
        'c' => match chars.get(next) {
            Some(letter) if letter.is_ascii_alphabetic() => {
                (Escape::Char(char::from(*letter as u8 % 32)), next + 1)
            }
            _ => (Escape::Char('\\'), i + 1),
        },
        'k' if !in_class && chars.get(next) == Some(&'<') => {
            match chars[next..].iter().position(|&ch| ch == '>') {
                Some(len) => (
                    Escape::Verbatim(chars[i..next + len + 1].iter().collect()),
                    next + len + 1,
                ),
                None => (Escape::Char('k'), next),
            }
        }
        'p' | 'P' if !in_class && chars.get(next) == Some(&'{') => {
            match chars[next..].iter().position(|&ch| ch == '}') {
                Some(len) => (
                    Escape::Verbatim(chars[i..next + len + 1].iter().collect()),
                    next + len + 1,
                ),
                None => (Escape::Char(c), next),
            }
        }
        // An identity escape: the character itself.
        other => (Escape::Char(other), next),
    }
}

fn translate_escape(chars: &[char], i: usize, out: &mut String) -> usize {
    let (escape, end) = read_escape(chars, i, false);
    match escape {
        Escape::Char(c) => push_literal(c, out),
        Escape::Class { outside, .. } => out.push_str(outside),
        Escape::Verbatim(text) => out.push_str(&text),
    }
    end
}

fn push_literal(c: char, out: &mut String) {
    // Only the characters that are meta outside classes: escaping others can change their
    // meaning in fancy-regex (`\<` and `\>` are word boundaries there).
    if "\\.+*?()|[]{}^$".contains(c) {
        out.push('\\');
        out.push(c);
    } else if c.is_control() {
        out.push_str(&format!("\\x{{{:x}}}", c as u32));
    } else {
        out.push(c);
    }
}

fn push_class_char(c: char, out: &mut String) {
    // `&`, `~` and `-` start set operations in Rust classes (`&&`, `~~`, `--`), `[` a
    // nested class.
    if "\\[]^-&~".contains(c) {
        out.push('\\');
        out.push(c);
    } else if c.is_control() {
        out.push_str(&format!("\\x{{{:x}}}", c as u32));
    } else {
        out.push(c);
    }
}

/// Translates the class starting at `chars[start] == '['`; returns the index after it.
fn translate_class(chars: &[char], start: usize, out: &mut String) -> usize {
    let mut i = start + 1;
    let negated = chars.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    if chars.get(i) == Some(&']') {
        // JavaScript's `[]` matches nothing and `[^]` matches anything.
        out.push_str(if negated { "[\\s\\S]" } else { "[^\\s\\S]" });
        return i + 1;
    }
    let read_item = |i: usize| -> (ClassItem, usize) {
        if chars[i] == '\\' {
            match read_escape(chars, i, true) {
                (Escape::Char(c), end) => (ClassItem::Char(c), end),
                (Escape::Class { inside, .. }, end) => (ClassItem::Set(inside), end),
                // Not produced inside classes.
                (Escape::Verbatim(_), end) => (ClassItem::Char(chars[i + 1]), end),
            }
        } else {
            (ClassItem::Char(chars[i]), i + 1)
        }
    };
    let mut body = String::new();
    let mut closed = false;
    while i < chars.len() {
        if chars[i] == ']' {
            closed = true;
            i += 1;
            break;
        }
        let (first, after_first) = read_item(i);
        i = after_first;
        let is_range = chars.get(i) == Some(&'-')
            && chars.get(i + 1).is_some_and(|&c| c != ']')
            && matches!(first, ClassItem::Char(_));
        if is_range {
            let (second, after_second) = read_item(i + 1);
            if let (ClassItem::Char(low), ClassItem::Char(high)) = (&first, &second) {
                push_class_char(*low, &mut body);
                body.push('-');
                push_class_char(*high, &mut body);
                i = after_second;
                continue;
            }
        }
        match first {
            ClassItem::Char(c) => push_class_char(c, &mut body),
            ClassItem::Set(set) => body.push_str(set),
        }
    }
    if !closed {
        // Let the compiler report the unterminated class.
        out.push('[');
        out.push_str(&body);
        return i;
    }
    out.push('[');
    if negated {
        out.push('^');
    }
    out.push_str(&body);
    out.push(']');
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(js: &str, text: &str) -> bool {
        test(js, text).unwrap_or_else(|e| panic!("pattern {js} should compile: {e}"))
    }

    #[test]
    fn dash_after_a_range_is_literal_as_in_javascript() {
        assert!(matches(r"^[\da-zA-Z-_]+$", "ab-c_9"));
        assert!(!matches(r"^[\da-zA-Z-_]+$", "ab c"));
        assert!(matches(r"^[-_\w]{3,50}$", "a-b"));
    }

    #[test]
    fn digits_and_words_are_ascii_only() {
        assert!(matches(r"^\d+$", "123"));
        assert!(
            !matches(r"^\d+$", "١٢٣"),
            "Arabic-Indic digits are not \\d in JS"
        );
        assert!(!matches(r"^\w+$", "é"));
        assert!(matches(r"^[\dabcdefABCDEF]{2}$", "aF"));
    }

    #[test]
    fn identity_escapes_and_lookahead() {
        assert!(matches(r"^https:\/\/.*\/$", "https://x.io/"));
        assert!(!matches(r"^(?!www\.)", "www.example.com"));
        assert!(matches(r"^(?!www\.)", "example.com"));
        assert!(matches(r"^p-[^\s]{13}$", "p-abcdefghijklm"));
    }

    #[test]
    fn dot_does_not_match_line_terminators() {
        assert!(matches(r"^.{3}$", "abc"));
        assert!(!matches(r"^.{3}$", "a\nc"));
        assert!(!matches(r"^.{3}$", "a\u{2028}c"));
    }

    #[test]
    fn braces_that_are_not_quantifiers_are_literal() {
        assert!(matches(r"^{{x}}$", "{{x}}"));
        assert!(matches(r"^a{2}$", "aa"));
        assert!(matches(r"^a{,2}$", "a{,2}"));
    }

    #[test]
    fn set_operators_of_rust_are_literal_in_classes() {
        assert!(matches(r"^[a&&b]+$", "a&b"));
        assert!(matches(r"^[~~]$", "~"));
        assert!(matches(r"^[[]$", "["));
        assert!(matches(r"^[^]$", "x"));
        assert!(!matches(r"[]", "x"));
    }

    #[test]
    fn character_escapes() {
        assert!(matches(r"^\u00e9\x41\t$", "éA\t"));
        assert!(matches(r"^[\u0041-\u0043]+$", "ABC"));
        assert!(matches(r"^\cJ$", "\n"));
        assert!(matches(r"^\<a\>$", "<a>"));
        assert!(matches(r"^(a)\1$", "aa"));
        assert!(matches(r"^(?<x>a)\k<x>$", "aa"));
    }

    #[test]
    fn a_broken_pattern_is_an_error_and_is_remembered() {
        assert!(compiled("(unclosed").is_err());
        assert!(compiled("(unclosed").is_err());
        assert!(compiled("[unclosed").is_err());
    }
}
