//! The words that cross the wire between the Houston server, its client, the desktop shell
//! and the UI: error codes, roles, account statuses, source platforms, the actions of
//! `clickstreamChanged` and the kinds of mail.
//!
//! Each is an enum here, written once, so that no crate spells `"TOKEN_EXPIRED"` or
//! `"pending"` by hand. Every enum reads and writes its wire spelling (`as_str`, `FromStr`,
//! `Display` and serde all agree), and those spellings never change: they are the API.
//!
//! No IO and no dependency beyond serde: it compiles everywhere, `wasm32-unknown-unknown`
//! included, and the server can use it without a cycle through the client.

#![warn(missing_docs)]

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A spelling that names no value of a closed enum (e.g. a role `"ADMIN"`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a known {what}")]
pub struct UnknownWord {
    /// What was expected, e.g. `role`.
    pub what: &'static str,
    /// What was read.
    pub value: String,
}

/// Writes the conversions every word shares: its wire spelling, `Display`, serde as that
/// spelling, and comparisons with a spelling (`row.status == UserStatus::Locked`), so that
/// a value kept as text at an edge (a database column) is still compared through the enum.
macro_rules! spelled {
    ($name:ident) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.as_str()
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.as_str()
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self == other.as_str()
            }
        }
    };
}

/// Declares a closed word: an enum whose every value has one wire spelling, its list
/// (`ALL`), and a strict `FromStr` that refuses any other spelling.
macro_rules! closed_word {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in the order a form offers them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire spelling.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }
        }

        impl FromStr for $name {
            type Err = UnknownWord;

            fn from_str(text: &str) -> Result<Self, UnknownWord> {
                match text {
                    $($wire => Ok($name::$variant),)+
                    _ => Err(UnknownWord {
                        what: $what,
                        value: text.to_owned(),
                    }),
                }
            }
        }

        /// For values read back from storage (sqlx's `#[sqlx(try_from = "String")]`):
        /// the same strict reading as `FromStr`.
        impl TryFrom<String> for $name {
            type Error = UnknownWord;

            fn try_from(text: String) -> Result<Self, UnknownWord> {
                text.parse()
            }
        }

        spelled!($name);
    };
}

/// Declares the open word [`ErrorCode`]: its known codes, and [`ErrorCode::Other`] for the
/// rest, so that a code from a newer server is kept as it came instead of refused.
macro_rules! error_codes {
    ( $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )+ ) => {
        /// The machine code of a failure, to match on (never on the sentence).
        ///
        /// The server sends the first group, in a GraphQL error's `extensions.code` and in a
        /// mutation's `StatusMessage.code`; the client, the shell and the UI add the codes of
        /// the failures that happen on their side of the wire.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $( $(#[$vmeta])* $variant, )+
            /// A code this build does not know (e.g. from a newer server), kept as it came.
            /// Never holds the spelling of a known code: [`ErrorCode::parse`] sees to that.
            Other(String),
        }

        impl ErrorCode {
            /// Every known code.
            pub const KNOWN: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $(ErrorCode::$variant => $wire,)+
                    ErrorCode::Other(code) => code,
                }
            }

            /// Reads a code: a known spelling is its variant, anything else is kept in
            /// [`ErrorCode::Other`].
            pub fn parse(text: &str) -> ErrorCode {
                match text {
                    $($wire => ErrorCode::$variant,)+
                    other => ErrorCode::Other(other.to_owned()),
                }
            }
        }
    };
}

error_codes! {
    /// Done (a mutation's `StatusMessage.code` on success).
    Ok = "OK",
    /// No credentials, or credentials that are not valid (revoked, unknown, malformed).
    Unauthenticated = "UNAUTHENTICATED",
    /// The token was valid once and has expired.
    TokenExpired = "TOKEN_EXPIRED",
    /// Signed in, but not allowed to do this.
    Forbidden = "FORBIDDEN",
    /// What was named does not exist (or is not visible to the caller).
    NotFound = "NOT_FOUND",
    /// An argument is wrong; the field errors say which.
    InvalidInput = "INVALID_INPUT",
    /// It already exists, or is still in use.
    Conflict = "CONFLICT",
    /// The change would leave an organization without an owner.
    LastOwner = "LAST_OWNER",
    /// The organization header and the `orgId` argument name different organizations.
    OrgMismatch = "ORG_MISMATCH",
    /// Too many failed attempts: wait and try again.
    RateLimited = "RATE_LIMITED",
    /// The server failed; the detail stays in its log.
    Internal = "INTERNAL",
    /// A GraphQL error that came without a code (made by the client).
    Error = "ERROR",
    /// The server cannot be reached (made by the client).
    Unreachable = "UNREACHABLE",
    /// The server answered an HTTP status that is not a success (made by the client).
    HttpError = "HTTP_ERROR",
    /// The answer is not the GraphQL response expected (made by the client).
    Malformed = "MALFORMED",
    /// The OS keyring refused to keep the session (made by the desktop shell).
    Keyring = "KEYRING",
    /// The UI runs outside the desktop shell (made by the UI).
    NoShell = "NO_SHELL",
    /// The UI could not write its call to the shell (made by the UI).
    BadRequest = "BAD_REQUEST",
    /// The UI could not read the shell's answer (made by the UI).
    BadResponse = "BAD_RESPONSE",
    /// The window switched to another server while the call was on its way: its answer
    /// belongs to the old one and was dropped (made by the UI).
    ServerChanged = "SERVER_CHANGED",
}

impl ErrorCode {
    /// Whether signing in again would help: the token is missing, invalid, revoked or
    /// expired. The one definition of "needs sign-in" for every crate.
    pub fn needs_sign_in(&self) -> bool {
        matches!(self, ErrorCode::Unauthenticated | ErrorCode::TokenExpired)
    }
}

impl FromStr for ErrorCode {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(ErrorCode::parse(text))
    }
}

impl From<&str> for ErrorCode {
    fn from(text: &str) -> Self {
        ErrorCode::parse(text)
    }
}

impl From<String> for ErrorCode {
    fn from(text: String) -> Self {
        ErrorCode::parse(&text)
    }
}

impl From<ErrorCode> for String {
    fn from(code: ErrorCode) -> Self {
        code.as_str().to_owned()
    }
}

spelled!(ErrorCode);

closed_word! {
    /// A member's (or an API key's) role in an organization.
    Role, "role" {
        /// Full control of the organization.
        Owner = "OWNER",
        /// Reads the organization and works on its pipelines.
        User = "USER",
    }
}

impl Role {
    /// Reads a stored role leniently: anything unknown is the lesser role, so that a
    /// damaged or newer value never grants more than [`Role::User`].
    pub fn parse(text: &str) -> Role {
        text.parse().unwrap_or(Role::User)
    }
}

closed_word! {
    /// Where a person's account stands.
    UserStatus, "user status" {
        /// Signed up or invited; the email is not confirmed (or the invitation not accepted).
        Pending = "pending",
        /// Confirmed: may sign in and work.
        Active = "active",
        /// Locked out: no sign-in, and every token is refused.
        Locked = "locked",
    }
}

closed_word! {
    /// The platform a clickstream source sends from.
    Platform, "platform" {
        /// A web site, with the analytics.js snippet.
        AnalyticsJs = "analytics.js",
        /// A server-side library.
        Server = "server",
        /// An Android app.
        AnalyticsAndroid = "analytics-android",
        /// An iOS app.
        AnalyticsIos = "analytics-ios",
    }
}

/// The source platforms, in the order a form offers them: the one list the server
/// validates against and the UI offers.
pub const PLATFORMS: &[Platform] = Platform::ALL;

closed_word! {
    /// What happened to an integration, as `clickstreamChanged` pushes it.
    ChangeAction, "change action" {
        /// It was created.
        Create = "CREATE",
        /// Its name, configuration or connection changed.
        Update = "UPDATE",
        /// It was switched on.
        Enable = "ENABLE",
        /// It was switched off.
        Disable = "DISABLE",
        /// It was deleted (alone, or with its source).
        Delete = "DELETE",
    }
}

closed_word! {
    /// What a mail (and its one-use link) is for.
    MailKind, "mail kind" {
        /// Confirms the email of a new account.
        ConfirmEmail = "CONFIRM_EMAIL",
        /// Invites a person into an organization; they choose a password to accept.
        Invitation = "INVITATION",
        /// Lets a person choose a new password.
        PasswordReset = "PASSWORD_RESET",
    }
}

impl MailKind {
    /// The path of the server's page that this kind's mailed link opens
    /// (`/<path>?token=…`).
    pub const fn link_path(self) -> &'static str {
        match self {
            MailKind::ConfirmEmail => "confirm-email",
            MailKind::Invitation => "accept-invitation",
            MailKind::PasswordReset => "reset-password",
        }
    }
}

/// What a person pasted from a mail: the whole link, which names its kind, or only the
/// code printed below it, which does not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PastedLink {
    /// The link's kind, when the paste was a link.
    pub kind: Option<MailKind>,
    /// The one-use token.
    pub token: String,
}

impl PastedLink {
    /// Reads a pasted mail link (`https://…/reset-password?token=…`) or code. `None` when
    /// it is neither: empty, a link to another page, or a code with characters no token
    /// has (tokens are base64url).
    pub fn parse(pasted: &str) -> Option<PastedLink> {
        let pasted = pasted.trim();
        let is_token = |t: &str| {
            !t.is_empty()
                && t.len() <= 200
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        };
        let Some((before, query)) = pasted.split_once('?') else {
            return is_token(pasted).then(|| PastedLink {
                kind: None,
                token: pasted.to_string(),
            });
        };
        let page = before
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("");
        let kind = *MailKind::ALL.iter().find(|k| k.link_path() == page)?;
        let token = query
            .split(['&', '#'])
            .find_map(|pair| pair.strip_prefix("token="))
            .filter(|t| is_token(t))?;
        Some(PastedLink {
            kind: Some(kind),
            token: token.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;
    use serde_json::json;

    /// Every value reads back from its spelling through `FromStr` and serde, and serde
    /// writes exactly that spelling.
    fn round_trips<T>(all: &[T], wire: &[&str])
    where
        T: Clone + fmt::Debug + PartialEq + fmt::Display + Serialize + DeserializeOwned,
        T: FromStr,
        <T as FromStr>::Err: fmt::Debug,
    {
        assert_eq!(all.len(), wire.len(), "one spelling per value");
        for (value, spelling) in all.iter().zip(wire) {
            assert_eq!(value.to_string(), *spelling, "Display is the wire spelling");
            assert_eq!(
                serde_json::to_value(value).unwrap(),
                json!(spelling),
                "serde writes the wire spelling"
            );
            assert_eq!(
                &serde_json::from_value::<T>(json!(spelling)).unwrap(),
                value,
                "serde reads it back"
            );
            assert_eq!(
                &spelling.parse::<T>().unwrap(),
                value,
                "FromStr reads it back"
            );
        }
    }

    #[test]
    fn every_error_code_round_trips() {
        round_trips(
            ErrorCode::KNOWN,
            &[
                "OK",
                "UNAUTHENTICATED",
                "TOKEN_EXPIRED",
                "FORBIDDEN",
                "NOT_FOUND",
                "INVALID_INPUT",
                "CONFLICT",
                "LAST_OWNER",
                "ORG_MISMATCH",
                "RATE_LIMITED",
                "INTERNAL",
                "ERROR",
                "UNREACHABLE",
                "HTTP_ERROR",
                "MALFORMED",
                "KEYRING",
                "NO_SHELL",
                "BAD_REQUEST",
                "BAD_RESPONSE",
                "SERVER_CHANGED",
            ],
        );
        for code in ErrorCode::KNOWN {
            assert_eq!(&ErrorCode::parse(code.as_str()), code);
            assert!(
                !matches!(code, ErrorCode::Other(_)),
                "a known code is never Other"
            );
        }
    }

    #[test]
    fn an_unknown_error_code_is_kept_as_it_came() {
        let newer: ErrorCode = serde_json::from_value(json!("QUOTA_EXCEEDED")).unwrap();
        assert_eq!(newer, ErrorCode::Other("QUOTA_EXCEEDED".into()));
        assert_eq!(
            serde_json::to_value(&newer).unwrap(),
            json!("QUOTA_EXCEEDED")
        );
        assert_eq!(newer.as_str(), "QUOTA_EXCEEDED");
        assert!(!newer.needs_sign_in(), "an unknown code does not sign out");
        // Spellings are exact: another case is another (unknown) code.
        assert_eq!(
            ErrorCode::parse("token_expired"),
            ErrorCode::Other("token_expired".into())
        );
    }

    #[test]
    fn needs_sign_in_is_exactly_the_refused_token() {
        let refused: Vec<&ErrorCode> = ErrorCode::KNOWN
            .iter()
            .filter(|code| code.needs_sign_in())
            .collect();
        assert_eq!(
            refused,
            [&ErrorCode::Unauthenticated, &ErrorCode::TokenExpired],
            "only a missing, invalid or expired token asks for a sign-in"
        );
    }

    #[test]
    fn every_closed_word_round_trips() {
        round_trips(Role::ALL, &["OWNER", "USER"]);
        round_trips(UserStatus::ALL, &["pending", "active", "locked"]);
        round_trips(
            Platform::ALL,
            &[
                "analytics.js",
                "server",
                "analytics-android",
                "analytics-ios",
            ],
        );
        round_trips(
            ChangeAction::ALL,
            &["CREATE", "UPDATE", "ENABLE", "DISABLE", "DELETE"],
        );
        round_trips(
            MailKind::ALL,
            &["CONFIRM_EMAIL", "INVITATION", "PASSWORD_RESET"],
        );
        assert_eq!(PLATFORMS, Platform::ALL, "the one platform list");
    }

    #[test]
    fn closed_words_refuse_other_spellings() {
        assert_eq!(
            "ADMIN".parse::<Role>(),
            Err(UnknownWord {
                what: "role",
                value: "ADMIN".into()
            })
        );
        assert!(
            "Active".parse::<UserStatus>().is_err(),
            "spellings are exact"
        );
        assert!("cobol".parse::<Platform>().is_err());
        assert!(serde_json::from_value::<MailKind>(json!("NEWSLETTER")).is_err());
        assert!(serde_json::from_value::<ChangeAction>(json!(3)).is_err());
        assert_eq!(
            "`cobol` is not a known platform",
            "cobol".parse::<Platform>().unwrap_err().to_string()
        );
    }

    #[test]
    fn a_pasted_link_names_its_kind_and_a_code_does_not() {
        let token = "DO_cx8bn5lxdjkMiEd5pcy6GmBTm0w5q_7HNsP6R794";
        for kind in MailKind::ALL {
            let link = format!(
                "https://houston.example.org/{}?token={token}",
                kind.link_path()
            );
            assert_eq!(
                PastedLink::parse(&format!("  {link}\n")),
                Some(PastedLink {
                    kind: Some(*kind),
                    token: token.into()
                }),
                "{link}"
            );
        }
        assert_eq!(
            PastedLink::parse(&format!(
                "http://127.0.0.1:8871/houston/reset-password?x=1&token={token}#top"
            )),
            Some(PastedLink {
                kind: Some(MailKind::PasswordReset),
                token: token.into()
            }),
            "behind a path prefix, among other parameters"
        );
        assert_eq!(
            PastedLink::parse(token),
            Some(PastedLink {
                kind: None,
                token: token.into()
            })
        );
        assert_eq!(PastedLink::parse(""), None);
        assert_eq!(PastedLink::parse("not a code"), None);
        assert_eq!(
            PastedLink::parse("https://evil.example/other?token=abc"),
            None
        );
        assert_eq!(PastedLink::parse("https://h/confirm-email?token="), None);
        assert_eq!(PastedLink::parse("https://h/confirm-email?token=<b>"), None);
    }

    #[test]
    fn a_stored_role_never_grants_more_than_it_says() {
        assert_eq!(Role::parse("OWNER"), Role::Owner);
        assert_eq!(Role::parse("USER"), Role::User);
        assert_eq!(Role::parse("owner"), Role::User, "spellings are exact");
        assert_eq!(Role::parse(""), Role::User);
    }

    #[test]
    fn text_kept_at_an_edge_compares_with_the_word() {
        let stored = String::from("locked");
        assert!(stored == UserStatus::Locked);
        assert!(stored != UserStatus::Active);
        assert!(ErrorCode::TokenExpired == "TOKEN_EXPIRED");
        assert!("pending" == UserStatus::Pending);
    }
}
