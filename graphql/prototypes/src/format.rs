//! The string formats a field may require (JSON Schema's names, plus `color`).

use std::net::Ipv4Addr;

/// Why `text` is not in `format`, or `None` when it is (or the format is not one we check,
/// such as `text` or `password`, which are only hints for the form).
pub(crate) fn check(format: &str, text: &str) -> Option<&'static str> {
    let ok = match format {
        "email" => is_email(text),
        "uri" => is_uri(text),
        "uri-reference" => !text.is_empty() && !text.chars().any(char::is_whitespace),
        "date-time" => is_date_time(text),
        "date" => is_date(text.as_bytes()),
        "ipv4" => text.parse::<Ipv4Addr>().is_ok(),
        "uuid" => is_uuid(text),
        "hostname" => is_hostname(text),
        "color" => is_color(text),
        _ => return None,
    };
    if ok {
        return None;
    }
    Some(match format {
        "email" => "Must be a valid email address, such as name@example.com",
        "uri" => "Must be an absolute URI with a scheme, such as https://example.com",
        "uri-reference" => "Must be a URI reference without spaces",
        "date-time" => "Must be a date and time, such as 2024-01-31T12:00:00Z",
        "date" => "Must be a date in the form YYYY-MM-DD, such as 2024-01-31",
        "ipv4" => "Must be an IPv4 address, such as 192.168.0.1",
        "uuid" => "Must be a UUID, such as 123e4567-e89b-12d3-a456-426614174000",
        "hostname" => "Must be a valid host name, such as api.example.com",
        _ => {
            "Must be a CSS color, such as #ff0000, rgba(49, 49, 49, 0.9), hsl(120, 50%, 50%) or red"
        }
    })
}

/// Whether a format name is one that [`check`] enforces.
pub(crate) fn is_known(format: &str) -> bool {
    matches!(
        format,
        "email"
            | "uri"
            | "uri-reference"
            | "date-time"
            | "date"
            | "ipv4"
            | "uuid"
            | "hostname"
            | "color"
    )
}

fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"@<>()[]\\,;:\"".contains(c));
    local_ok && domain.contains('.') && is_hostname(domain)
}

fn is_uri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok || rest.is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    match rest.strip_prefix("//") {
        // With an authority, the host part must not be empty (`https://` alone is no URI
        // anyone can use), except for `file:///path`.
        Some(after) => {
            let authority = after.split(['/', '?', '#']).next().unwrap_or_default();
            !authority.is_empty() || scheme.eq_ignore_ascii_case("file")
        }
        None => true,
    }
}

fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(bytes.iter().fold(0u32, |n, b| n * 10 + u32::from(b - b'0')))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// RFC 3339 `full-date`: `YYYY-MM-DD`.
fn is_date(b: &[u8]) -> bool {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(year), Some(month), Some(day)) =
        (digits(&b[0..4]), digits(&b[5..7]), digits(&b[8..10]))
    else {
        return false;
    };
    (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)
}

/// RFC 3339 `date-time`, e.g. `2024-01-31T12:00:00Z` or `2024-01-31T12:00:00.5+01:00`.
fn is_date_time(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 20 && is_date(&b[..10]) && matches!(b[10], b'T' | b't' | b' ') && is_time(&b[11..])
}

/// `HH:MM:SS[.frac](Z|±HH:MM)`.
fn is_time(b: &[u8]) -> bool {
    if b.len() < 9 || b[2] != b':' || b[5] != b':' {
        return false;
    }
    let (Some(hour), Some(minute), Some(second)) =
        (digits(&b[0..2]), digits(&b[3..5]), digits(&b[6..8]))
    else {
        return false;
    };
    if hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut rest = &b[8..];
    if rest.first() == Some(&b'.') {
        let frac = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if frac == 0 {
            return false;
        }
        rest = &rest[1 + frac..];
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            matches!((digits(&[*h1, *h2]), digits(&[*m1, *m2])), (Some(h), Some(m)) if h <= 23 && m <= 59)
        }
        _ => false,
    }
}

fn is_uuid(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens.
fn is_hostname(text: &str) -> bool {
    let name = text.strip_suffix('.').unwrap_or(text);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-')
        })
}

/// A CSS color as stylesheets write it (the classic catalogs' color settings take what
/// the destination's widget puts in its CSS): `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`,
/// `rgb()`/`rgba()`, `hsl()`/`hsla()` (comma- or space-separated, with an optional alpha),
/// a CSS named color, `transparent` or `currentcolor`; case-insensitive.
fn is_color(text: &str) -> bool {
    let text = text.trim().to_ascii_lowercase();
    if let Some(hex) = text.strip_prefix('#') {
        return matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|c| c.is_ascii_hexdigit());
    }
    if let Some((name, rest)) = text.split_once('(') {
        let Some(inside) = rest.strip_suffix(')') else {
            return false;
        };
        return match name.trim_end() {
            "rgb" | "rgba" => color_arguments(inside, &[rgb_channel, rgb_channel, rgb_channel]),
            "hsl" | "hsla" => color_arguments(inside, &[hue, percentage, percentage]),
            _ => false,
        };
    }
    text == "transparent"
        || text == "currentcolor"
        || NAMED_COLORS.binary_search(&text.as_str()).is_ok()
}

/// Three components checked by `each`, then an optional alpha: `a, b, c[, alpha]` or
/// `a b c[ / alpha]`.
fn color_arguments(inside: &str, each: &[fn(&str) -> bool; 3]) -> bool {
    let (parts, alpha): (Vec<&str>, Option<&str>) = if inside.contains(',') {
        let mut parts: Vec<&str> = inside.split(',').map(str::trim).collect();
        let alpha = (parts.len() == 4).then(|| parts.pop()).flatten();
        (parts, alpha)
    } else {
        let (channels, alpha) = match inside.split_once('/') {
            Some((channels, alpha)) => (channels, Some(alpha.trim())),
            None => (inside, None),
        };
        (channels.split_whitespace().collect(), alpha)
    };
    parts.len() == 3
        && parts.iter().zip(each).all(|(part, check)| check(part))
        && alpha.is_none_or(alpha_value)
}

fn css_number(text: &str) -> Option<f64> {
    let text = text.trim();
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+' | b'e'));
    plain.then(|| text.parse::<f64>().ok()).flatten()
}

fn percentage(text: &str) -> bool {
    text.strip_suffix('%')
        .and_then(css_number)
        .is_some_and(|n| (0.0..=100.0).contains(&n))
}

fn rgb_channel(text: &str) -> bool {
    percentage(text) || css_number(text).is_some_and(|n| (0.0..=255.0).contains(&n))
}

fn hue(text: &str) -> bool {
    let number = ["deg", "grad", "rad", "turn"]
        .iter()
        .find_map(|unit| text.strip_suffix(unit))
        .unwrap_or(text);
    css_number(number).is_some()
}

fn alpha_value(text: &str) -> bool {
    percentage(text) || css_number(text).is_some_and(|n| (0.0..=1.0).contains(&n))
}

/// CSS Color Module Level 4's named colors, sorted for binary search.
const NAMED_COLORS: [&str; 148] = [
    "aliceblue",
    "antiquewhite",
    "aqua",
    "aquamarine",
    "azure",
    "beige",
    "bisque",
    "black",
    "blanchedalmond",
    "blue",
    "blueviolet",
    "brown",
    "burlywood",
    "cadetblue",
    "chartreuse",
    "chocolate",
    "coral",
    "cornflowerblue",
    "cornsilk",
    "crimson",
    "cyan",
    "darkblue",
    "darkcyan",
    "darkgoldenrod",
    "darkgray",
    "darkgreen",
    "darkgrey",
    "darkkhaki",
    "darkmagenta",
    "darkolivegreen",
    "darkorange",
    "darkorchid",
    "darkred",
    "darksalmon",
    "darkseagreen",
    "darkslateblue",
    "darkslategray",
    "darkslategrey",
    "darkturquoise",
    "darkviolet",
    "deeppink",
    "deepskyblue",
    "dimgray",
    "dimgrey",
    "dodgerblue",
    "firebrick",
    "floralwhite",
    "forestgreen",
    "fuchsia",
    "gainsboro",
    "ghostwhite",
    "gold",
    "goldenrod",
    "gray",
    "green",
    "greenyellow",
    "grey",
    "honeydew",
    "hotpink",
    "indianred",
    "indigo",
    "ivory",
    "khaki",
    "lavender",
    "lavenderblush",
    "lawngreen",
    "lemonchiffon",
    "lightblue",
    "lightcoral",
    "lightcyan",
    "lightgoldenrodyellow",
    "lightgray",
    "lightgreen",
    "lightgrey",
    "lightpink",
    "lightsalmon",
    "lightseagreen",
    "lightskyblue",
    "lightslategray",
    "lightslategrey",
    "lightsteelblue",
    "lightyellow",
    "lime",
    "limegreen",
    "linen",
    "magenta",
    "maroon",
    "mediumaquamarine",
    "mediumblue",
    "mediumorchid",
    "mediumpurple",
    "mediumseagreen",
    "mediumslateblue",
    "mediumspringgreen",
    "mediumturquoise",
    "mediumvioletred",
    "midnightblue",
    "mintcream",
    "mistyrose",
    "moccasin",
    "navajowhite",
    "navy",
    "oldlace",
    "olive",
    "olivedrab",
    "orange",
    "orangered",
    "orchid",
    "palegoldenrod",
    "palegreen",
    "paleturquoise",
    "palevioletred",
    "papayawhip",
    "peachpuff",
    "peru",
    "pink",
    "plum",
    "powderblue",
    "purple",
    "rebeccapurple",
    "red",
    "rosybrown",
    "royalblue",
    "saddlebrown",
    "salmon",
    "sandybrown",
    "seagreen",
    "seashell",
    "sienna",
    "silver",
    "skyblue",
    "slateblue",
    "slategray",
    "slategrey",
    "snow",
    "springgreen",
    "steelblue",
    "tan",
    "teal",
    "thistle",
    "tomato",
    "turquoise",
    "violet",
    "wheat",
    "white",
    "whitesmoke",
    "yellow",
    "yellowgreen",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_accepts_and_refuses() {
        let table: &[(&str, &[&str], &[&str])] = &[
            (
                "email",
                &["a@b.co", "first.last+tag@mail.example.com"],
                &[
                    "a@b",
                    "@b.co",
                    "a b@c.co",
                    "a@@b.co",
                    "a..b@c.co",
                    "a@-b.co",
                    "plain",
                ],
            ),
            (
                "uri",
                &[
                    "https://example.com",
                    "http://x.io/a?b#c",
                    "mailto:a@b.co",
                    "urn:isbn:1",
                    "file:///tmp/x",
                ],
                &[
                    "example.com",
                    "/relative",
                    "https://",
                    "ht tp://x",
                    "1http://x",
                    "https://a b",
                ],
            ),
            (
                "uri-reference",
                &["/relative/path", "https://x.io", "#frag"],
                &["a b"],
            ),
            (
                "date-time",
                &[
                    "2024-01-31T12:00:00Z",
                    "2024-02-29T23:59:60.123+01:00",
                    "2024-01-31 12:00:00z",
                ],
                &[
                    "2024-01-31",
                    "2024-01-31T12:00:00",
                    "2023-02-29T00:00:00Z",
                    "2024-13-01T00:00:00Z",
                    "2024-01-31T24:00:00Z",
                    "2024-01-31T12:00:00.Z",
                    "2024-01-31T12:00:00+1:00",
                ],
            ),
            (
                "date",
                &["2024-01-31", "2000-02-29"],
                &[
                    "2024-1-31",
                    "1900-02-29",
                    "2024-04-31",
                    "20240131",
                    "2024-01-31T00:00:00Z",
                ],
            ),
            (
                "ipv4",
                &["192.168.0.1", "0.0.0.0"],
                &["256.0.0.1", "1.2.3", "1.2.3.4.5", "::1", "a.b.c.d"],
            ),
            (
                "uuid",
                &[
                    "123e4567-e89b-12d3-a456-426614174000",
                    "123E4567-E89B-12D3-A456-426614174000",
                ],
                &[
                    "123e4567e89b12d3a456426614174000",
                    "123e4567-e89b-12d3-a456-42661417400g",
                ],
            ),
            (
                "hostname",
                &["api.example.com", "localhost", "eu-west", "a.b."],
                &["-a.com", "a..b", "a_b.com", "a b", ""],
            ),
            (
                "color",
                &[
                    "#fff",
                    "#fff8",
                    "#A0b1C2",
                    "#a0b1c280",
                    "rgb(0, 125, 191)",
                    "rgba(49, 49, 49, 0.9)",
                    "RGBA(49,49,49,90%)",
                    "rgb(0 125 191 / 50%)",
                    "rgb(100%, 0%, 0%)",
                    "hsl(120, 50%, 50%)",
                    "hsla(120deg, 50%, 50%, 0.3)",
                    "hsl(0.5turn 50% 50% / .5)",
                    "red",
                    "RebeccaPurple",
                    "transparent",
                ],
                &[
                    "fff",
                    "#ff",
                    "#fffff",
                    "#ggg",
                    "rgb(0, 125)",
                    "rgb(0, 125, 256)",
                    "rgba(1, 2, 3, 2)",
                    "rgb(1, 2, 3",
                    "hsl(120, 50, 50)",
                    "hsl(120, 150%, 50%)",
                    "cmyk(0, 0, 0, 0)",
                    "reddish",
                    "",
                ],
            ),
        ];
        for (format, good, bad) in table {
            for text in *good {
                assert_eq!(
                    check(format, text),
                    None,
                    "{text:?} should be a valid {format}"
                );
            }
            for text in *bad {
                assert!(
                    check(format, text).is_some(),
                    "{text:?} should not be a valid {format}"
                );
            }
        }
    }

    #[test]
    fn named_colors_are_sorted_for_binary_search() {
        assert!(NAMED_COLORS.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn unknown_formats_are_hints_only() {
        assert_eq!(check("text", "anything"), None);
        assert_eq!(check("password", ""), None);
        assert!(!is_known("text"));
        assert!(is_known("uuid"));
    }
}
