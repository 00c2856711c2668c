//! The little Markdown the catalogs' help texts use, read into a tree that the form shows
//! as DOM text nodes: paragraphs, lists, **bold**, *emphasis*, `code` and
//! [links](https://…). Nothing in a text ever becomes markup (HTML in it shows as text),
//! and a link's address is shown, never followed: the window opens no other page.

/// One block of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// Consecutive non-blank lines, joined by a space.
    Paragraph(Vec<Inline>),
    /// A heading line (`# …`): shown as a bold paragraph.
    Heading(Vec<Inline>),
    /// Items of a list (`- `, `* `, `+ `, or `1. ` when `ordered`), one per line.
    List {
        /// Numbered (`1.`) rather than bulleted.
        ordered: bool,
        /// Each item's text; a line indented under an item continues it.
        items: Vec<Vec<Inline>>,
    },
}

/// A run of text within a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// `**strong**` (not `__`: field names such as `__segment_internal_sync_mode` use it).
    Strong(Vec<Inline>),
    /// `*emphasis*`.
    Em(Vec<Inline>),
    /// `` `code` ``, kept verbatim.
    Code(String),
    /// `[text](address)`; the address only when it is `http://` or `https://`.
    Link {
        /// What the link says.
        text: Vec<Inline>,
        /// Where it points, if that is a web address.
        url: Option<String>,
    },
}

/// Whether `text` needs reading at all: without any mark, one line of plain text.
pub fn is_plain(text: &str) -> bool {
    !text.contains(['*', '_', '`', '[', '\n', '#', '\\'])
        && !text.trim_start().starts_with(|c: char| c.is_ascii_digit())
}

/// Reads `text` into blocks.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut list: Option<(bool, Vec<String>)> = None;
    let flush_paragraph = |paragraph: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(inline(&paragraph.join(" "))));
            paragraph.clear();
        }
    };
    let flush_list = |list: &mut Option<(bool, Vec<String>)>, blocks: &mut Vec<Block>| {
        if let Some((ordered, items)) = list.take() {
            blocks.push(Block::List {
                ordered,
                items: items.iter().map(|item| inline(item)).collect(),
            });
        }
    };
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            flush_paragraph(&mut paragraph, &mut blocks);
            flush_list(&mut list, &mut blocks);
            continue;
        }
        if let Some((ordered, item)) = list_item(trimmed) {
            flush_paragraph(&mut paragraph, &mut blocks);
            match &mut list {
                Some((kind, items)) if *kind == ordered => items.push(item.to_owned()),
                _ => {
                    flush_list(&mut list, &mut blocks);
                    list = Some((ordered, vec![item.to_owned()]));
                }
            }
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        if let (true, Some((_, items))) = (indented, &mut list) {
            if let Some(last) = items.last_mut() {
                last.push(' ');
                last.push_str(trimmed);
                continue;
            }
        }
        flush_list(&mut list, &mut blocks);
        if let Some(title) = heading(trimmed) {
            flush_paragraph(&mut paragraph, &mut blocks);
            blocks.push(Block::Heading(inline(title)));
            continue;
        }
        paragraph.push(trimmed);
    }
    flush_paragraph(&mut paragraph, &mut blocks);
    flush_list(&mut list, &mut blocks);
    blocks
}

/// A list line's kind and text: `- a`, `* a`, `+ a` (bulleted) or `12. a` (numbered).
fn list_item(line: &str) -> Option<(bool, &str)> {
    for marker in ["- ", "* ", "+ "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return Some((false, rest.trim_start()));
        }
    }
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 9 {
        return None;
    }
    line[digits..]
        .strip_prefix(". ")
        .or_else(|| line[digits..].strip_prefix(") "))
        .map(|rest| (true, rest.trim_start()))
}

/// A heading line's text (`# Title` to `###### Title`).
fn heading(line: &str) -> Option<&str> {
    let hashes = line.len() - line.trim_start_matches('#').len();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    line[hashes..].strip_prefix(' ').map(str::trim)
}

/// Reads the inline marks of one block's text. A mark without its closing half is text.
pub fn inline(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some((node, after)) = mark(rest) {
            if !plain.is_empty() {
                out.push(Inline::Text(std::mem::take(&mut plain)));
            }
            out.push(node);
            rest = after;
            continue;
        }
        if c == '\\' {
            if let Some(escaped) = rest[1..]
                .chars()
                .next()
                .filter(|e| e.is_ascii_punctuation())
            {
                plain.push(escaped);
                rest = &rest[1 + escaped.len_utf8()..];
                continue;
            }
        }
        plain.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if !plain.is_empty() {
        out.push(Inline::Text(plain));
    }
    out
}

/// The mark that starts `text`, if one does and is closed, and what follows it.
fn mark(text: &str) -> Option<(Inline, &str)> {
    if let Some(body) = text.strip_prefix('`') {
        let end = body.find('`')?;
        return (end > 0).then(|| (Inline::Code(body[..end].to_owned()), &body[end + 1..]));
    }
    if let Some(body) = text.strip_prefix("**") {
        let (inner, after) = enclosed(body, "**")?;
        return Some((Inline::Strong(inline(inner)), after));
    }
    if let Some(body) = text.strip_prefix('*') {
        let (inner, after) = enclosed(body, "*")?;
        return Some((Inline::Em(inline(inner)), after));
    }
    if let Some(body) = text.strip_prefix('[') {
        let close = body.find("](")?;
        let target = &body[close + 2..];
        let end = closing_paren(target)?;
        let address = target[..end].trim();
        let lower = address.to_ascii_lowercase();
        let web = (lower.starts_with("https://") || lower.starts_with("http://"))
            && !address.contains(char::is_whitespace);
        return Some((
            Inline::Link {
                text: inline(&body[..close]),
                url: web.then(|| address.to_owned()),
            },
            &target[end + 1..],
        ));
    }
    None
}

/// Where the `(` just before `text` closes: balanced parentheses may appear inside, as in
/// a wiki's address.
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (at, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(at),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The text up to the closing `delimiter` and what follows it: the text neither starts nor
/// ends with a space (`2 * 3 * 4` is no emphasis) and is not empty.
fn enclosed<'a>(body: &'a str, delimiter: &str) -> Option<(&'a str, &'a str)> {
    if body.starts_with(char::is_whitespace) {
        return None;
    }
    let mut from = 0;
    while let Some(found) = body[from..].find(delimiter) {
        let end = from + found;
        let inner = &body[..end];
        if !inner.is_empty() && !inner.ends_with(char::is_whitespace) {
            return Some((inner, &body[end + delimiter.len()..]));
        }
        from = end + delimiter.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Inline {
        Inline::Text(t.to_owned())
    }

    #[test]
    fn plain_text_is_one_paragraph_and_markup_stays_text() {
        assert!(is_plain("The API key of your project."));
        assert_eq!(
            parse("<b>not bold</b> & <script>x</script>"),
            [Block::Paragraph(vec![text(
                "<b>not bold</b> & <script>x</script>"
            )])]
        );
        assert_eq!(parse(""), []);
        assert_eq!(parse("  \n\n "), []);
    }

    #[test]
    fn paragraphs_split_on_blank_lines_and_lines_join() {
        assert_eq!(
            parse("one\ntwo\n\nthree"),
            [
                Block::Paragraph(vec![text("one two")]),
                Block::Paragraph(vec![text("three")])
            ]
        );
    }

    #[test]
    fn inline_marks() {
        assert_eq!(
            inline("a **bold** and *em* with `co*de*` end"),
            [
                text("a "),
                Inline::Strong(vec![text("bold")]),
                text(" and "),
                Inline::Em(vec![text("em")]),
                text(" with "),
                Inline::Code("co*de*".to_owned()),
                text(" end"),
            ]
        );
        assert_eq!(
            inline("__b__ **nested *em* in**"),
            [
                text("__b__ "),
                Inline::Strong(vec![
                    text("nested "),
                    Inline::Em(vec![text("em")]),
                    text(" in")
                ]),
            ]
        );
    }

    #[test]
    fn unclosed_or_spaced_marks_are_text() {
        assert_eq!(inline("2 * 3 * 4"), [text("2 * 3 * 4")]);
        assert_eq!(inline("**open"), [text("**open")]);
        assert_eq!(inline("a ` b"), [text("a ` b")]);
        assert_eq!(inline("snake_case_name"), [text("snake_case_name")]);
        assert_eq!(inline(r"\*not em\*"), [text("*not em*")]);
        assert_eq!(inline("[no link"), [text("[no link")]);
    }

    #[test]
    fn links_keep_only_web_addresses() {
        assert_eq!(
            inline("see [the docs](https://example.com/a_(b)?c=1) now"),
            [
                text("see "),
                Inline::Link {
                    text: vec![text("the docs")],
                    url: Some("https://example.com/a_(b)?c=1".to_owned())
                },
                text(" now"),
            ]
        );
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<b>x</b>",
            "/relative",
            "http://a b",
        ] {
            assert_eq!(
                inline(&format!("[x]({bad})")),
                [Inline::Link {
                    text: vec![text("x")],
                    url: None
                }],
                "{bad}"
            );
        }
    }

    #[test]
    fn lists_and_headings() {
        assert_eq!(
            parse("Pick one:\n- **a**: first\n- b\n  continued\n\n1. x\n2) y\n# Title"),
            [
                Block::Paragraph(vec![text("Pick one:")]),
                Block::List {
                    ordered: false,
                    items: vec![
                        vec![Inline::Strong(vec![text("a")]), text(": first")],
                        vec![text("b continued")],
                    ]
                },
                Block::List {
                    ordered: true,
                    items: vec![vec![text("x")], vec![text("y")]]
                },
                Block::Heading(vec![text("Title")]),
            ]
        );
        assert_eq!(
            parse("2024. A year"),
            [Block::List {
                ordered: true,
                items: vec![vec![text("A year")]]
            }],
            "as CommonMark reads it"
        );
        assert_eq!(
            parse("#hashtag"),
            [Block::Paragraph(vec![text("#hashtag")])]
        );
    }

    #[test]
    fn multibyte_text_survives() {
        assert_eq!(
            inline("café **naïve** — `ü`"),
            [
                text("café "),
                Inline::Strong(vec![text("naïve")]),
                text(" — "),
                Inline::Code("ü".to_owned())
            ]
        );
    }
}
