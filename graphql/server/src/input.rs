//! Checks on arguments that are not form fields: emails, passwords, names, platforms.

use crate::error::{ApiError, ApiResult};
use crate::schema::UserProfileInput;
use crate::store::Profile;
use houston_vocabulary::{Platform, PLATFORMS};

/// The longest email accepted (RFC 5321's path limit).
pub const MAX_EMAIL: usize = 254;
/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 8;
/// The longest password accepted: Argon2 takes any length, but a megabyte of it costs CPU.
pub const MAX_PASSWORD: usize = 1024;
/// A trimmed, lower-cased email with one `@`, a local part and a dotted domain.
pub fn email(raw: &str) -> ApiResult<String> {
    let e = raw.trim().to_lowercase();
    let bad = || ApiError::invalid_field("email", "Enter a valid email address.");
    if e.len() > MAX_EMAIL || e.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let (local, domain) = e.split_once('@').ok_or_else(bad)?;
    let domain_ok = !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..");
    if local.is_empty() || !domain_ok {
        return Err(bad());
    }
    Ok(e)
}

/// A password of 8 to 1024 characters.
pub fn password(field: &str, p: &str) -> ApiResult<()> {
    let n = p.chars().count();
    if n < MIN_PASSWORD {
        return Err(ApiError::invalid_field(
            field,
            format!("Use at least {MIN_PASSWORD} characters."),
        ));
    }
    if p.len() > MAX_PASSWORD {
        return Err(ApiError::invalid_field(field, "That password is too long."));
    }
    Ok(())
}

/// A trimmed, non-empty name of at most 200 characters.
pub fn name(field: &str, raw: &str) -> ApiResult<String> {
    let n = raw.trim();
    if n.is_empty() {
        return Err(ApiError::invalid_field(field, "Give it a name."));
    }
    text(field, n, 200)
}

/// Text of at most `max` characters, without control characters other than newlines.
pub fn text(field: &str, raw: &str, max: usize) -> ApiResult<String> {
    if raw.chars().count() > max {
        return Err(ApiError::invalid_field(
            field,
            format!("Use at most {max} characters."),
        ));
    }
    if raw
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(ApiError::invalid_field(
            field,
            "Remove the control characters.",
        ));
    }
    Ok(raw.to_string())
}

/// One of [`PLATFORMS`], in its wire spelling.
pub fn platform(raw: &str) -> ApiResult<String> {
    match raw.trim().parse::<Platform>() {
        Ok(p) => Ok(p.as_str().to_string()),
        Err(_) => {
            let names: Vec<&str> = PLATFORMS.iter().map(|p| p.as_str()).collect();
            Err(ApiError::invalid_field(
                "platform",
                format!("The platform is one of: {}.", names.join(", ")),
            ))
        }
    }
}

/// A profile with each part trimmed and at most 200 characters.
pub fn profile(p: Option<UserProfileInput>) -> ApiResult<Profile> {
    let p = p.unwrap_or_default();
    let part = |field: &str, v: Option<String>| -> ApiResult<Option<String>> {
        v.map(|s| text(field, s.trim(), 200)).transpose()
    };
    Ok(Profile {
        first_name: part("firstName", p.first_name)?,
        last_name: part("lastName", p.last_name)?,
        company: part("company", p.company)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            email("  Some.One@Somewhere.COM ").unwrap(),
            "some.one@somewhere.com"
        );
        for bad in [
            "", "a", "a@b", "@b.c", "a@@b.c", "a b@c.d", "a@.c", "a@c.", "a@b..c",
        ] {
            assert!(email(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn passwords_and_names() {
        assert!(password("p", "1234567").is_err());
        assert!(password("p", "12345678").is_ok());
        assert!(password("p", &"x".repeat(2000)).is_err());
        assert!(name("n", "   ").is_err());
        assert_eq!(name("n", " Acme ").unwrap(), "Acme");
        assert!(name("n", "a\u{0}b").is_err());
        assert!(platform("analytics.js").is_ok());
        assert!(platform("cobol").is_err());
    }
}
