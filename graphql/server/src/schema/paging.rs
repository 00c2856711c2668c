//! What every paged list shares: `PageInfo`, the page size, opaque cursors (a position, or
//! a keyset: the sort key and id of a row) and the page type of the keyset lists.

use super::connections::ConnectionConfig;
use super::integrations::ClickstreamConfig;
use super::mail::Mail;
use super::organizations::Member;
use super::sources::Application;
use crate::error::{ApiError, ApiResult};
use crate::store::{self, After, PageOf};
use async_graphql::{OutputType, SimpleObject};
use base64::Engine;

/// Rows in a page when `first` is not given.
pub const DEFAULT_PAGE: i32 = 50;
/// Most rows in one page.
pub const MAX_PAGE: i32 = 500;

/// Where a page ends.
#[derive(SimpleObject, Clone, Debug)]
pub struct PageInfo {
    /// Whether rows follow this page.
    pub has_next_page: bool,
    /// Pass it as `after` for the next page; null on an empty page.
    pub end_cursor: Option<String>,
}

/// `first` as a number of rows: [`DEFAULT_PAGE`] when absent, at most [`MAX_PAGE`].
pub fn page_size(first: Option<i32>) -> ApiResult<i64> {
    match first.unwrap_or(DEFAULT_PAGE) {
        n @ 0..=MAX_PAGE => Ok(i64::from(n)),
        _ => Err(ApiError::invalid_field(
            "first",
            format!("first must be between 0 and {MAX_PAGE}."),
        )),
    }
}

/// The cursor of the row whose order key in the list `list` is `key`: opaque to clients,
/// so the key may change without breaking them. A cursor names a place in the order, not
/// an offset, so it stays valid whatever is added or removed before it.
pub fn cursor(list: &str, key: impl std::fmt::Display) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{list}:{key}"))
}

/// The order key a cursor of `list` made by [`cursor`] holds; anything else is
/// `INVALID_INPUT` on `after`.
fn key_of(list: &str, cursor: &str) -> ApiResult<String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .map_err(|_| not_a_cursor())?;
    let text = String::from_utf8(bytes).map_err(|_| not_a_cursor())?;
    text.strip_prefix(list)
        .and_then(|rest| rest.strip_prefix(':'))
        .map(str::to_string)
        .ok_or_else(not_a_cursor)
}

pub fn not_a_cursor() -> ApiError {
    ApiError::invalid_field("after", "after is not a cursor of this list.")
}

/// The position (a number) a cursor of `list` made by [`cursor`] names.
pub fn position(list: &str, cursor: &str) -> ApiResult<i64> {
    key_of(list, cursor)?.parse().map_err(|_| not_a_cursor())
}

/// The cursor of a row ordered by a text `sort` key, then its `id` (a keyset: both
/// values, so the next page starts right after them wherever the row now is).
pub fn keyset_cursor(list: &str, sort: &str, id: &str) -> String {
    cursor(list, serde_json::json!([sort, id]))
}

/// The `(sort, id)` a cursor made by [`keyset_cursor`] for `list` holds.
pub fn keyset(list: &str, cursor: &str) -> ApiResult<(String, String)> {
    serde_json::from_str(&key_of(list, cursor)?).map_err(|_| not_a_cursor())
}

/// What a keyset list's arguments ask of the store: `first` checked (see [`page_size`]),
/// `after` read as a cursor of `list`, an empty `search` as none.
pub fn page_of(
    list: &str,
    first: Option<i32>,
    after: Option<String>,
    search: Option<String>,
) -> ApiResult<PageOf> {
    let after = after
        .filter(|c| !c.is_empty())
        .map(|c| keyset(list, &c))
        .transpose()?
        .map(|(sort, id)| After { sort, id });
    Ok(PageOf {
        first: page_size(first)?,
        after,
        search: search.filter(|s| !s.is_empty()),
    })
}

/// A page of a list ordered by a keyset (name then id; mail newest first).
#[derive(SimpleObject)]
#[graphql(concrete(name = "ApplicationPage", params(Application)))]
#[graphql(concrete(name = "ClickstreamConfigPage", params(ClickstreamConfig)))]
#[graphql(concrete(name = "ConnectionConfigPage", params(ConnectionConfig)))]
#[graphql(concrete(name = "MemberPage", params(Member)))]
#[graphql(concrete(name = "MailPage", params(Mail)))]
pub struct Paged<T: OutputType> {
    pub nodes: Vec<T>,
    pub page_info: PageInfo,
    /// Every row the filters match, on any page.
    pub total_count: i64,
}

impl<T: OutputType> Paged<T> {
    /// The page of `list` the store read: `key` gives a row's sort key and id (its
    /// cursor), `node` its GraphQL object.
    pub fn of<R>(
        list: &str,
        page: store::Page<R>,
        key: impl Fn(&R) -> (&str, String),
        node: impl FnMut(R) -> T,
    ) -> Paged<T> {
        let end_cursor = page.rows.last().map(|r| {
            let (sort, id) = key(r);
            keyset_cursor(list, sort, &id)
        });
        Paged {
            page_info: PageInfo {
                has_next_page: page.has_next,
                end_cursor,
            },
            total_count: page.total_count,
            nodes: page.rows.into_iter().map(node).collect(),
        }
    }
}
