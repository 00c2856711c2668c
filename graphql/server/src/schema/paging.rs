//! What every paged list shares: `PageInfo`, the page size and opaque cursors.

use crate::error::{ApiError, ApiResult};
use async_graphql::SimpleObject;
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

/// The cursor of the row at `position` in the list `list` (its order key): opaque to
/// clients, so the key may change without breaking them.
pub fn cursor(list: &str, position: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{list}:{position}"))
}

/// The position a cursor of `list` made by [`cursor`] names; anything else is
/// `INVALID_INPUT` on `after`.
pub fn position(list: &str, cursor: &str) -> ApiResult<i64> {
    let refused = || ApiError::invalid_field("after", "after is not a cursor of this list.");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .map_err(|_| refused())?;
    let text = String::from_utf8(bytes).map_err(|_| refused())?;
    text.strip_prefix(list)
        .and_then(|rest| rest.strip_prefix(':'))
        .and_then(|n| n.parse().ok())
        .ok_or_else(refused)
}
