//! Which rows of a long list of fixed-height rows to put in the page: those on screen and a
//! few either side, so that a list of hundreds costs the style and layout of a screenful.

use std::ops::Range;

/// The rows of a list to render: the ones the viewport shows when the list is scrolled to
/// `scroll_top` (px), with `overscan` more above and below, within the list's `count` rows
/// of `row_height` px each in a viewport `viewport` px high.
pub fn visible_rows(
    scroll_top: f64,
    viewport: f64,
    row_height: f64,
    count: usize,
    overscan: usize,
) -> Range<usize> {
    if count == 0 || row_height.is_nan() || row_height <= 0.0 {
        return 0..0;
    }
    // Negative or unknown (NaN) measures count as none; `as usize` saturates.
    let top = scroll_top.max(0.0);
    let first = ((top / row_height).floor() as usize).min(count);
    let last = (((top + viewport.max(0.0)) / row_height).ceil() as usize).min(count);
    first.saturating_sub(overscan)..last.saturating_add(overscan).min(count)
}

/// How many of a list's `count` items to have in the page, `shown` of them being there now,
/// in a box `viewport` px high scrolled to `scroll_top` of its `scroll_height`: `batch` more
/// once less than a screenful of them is left below the screen (a list of items of uneven
/// height, as the catalog's cards in a grid, grows as the person scrolls).
pub fn items_to_show(
    shown: usize,
    count: usize,
    scroll_top: f64,
    viewport: f64,
    scroll_height: f64,
    batch: usize,
) -> usize {
    let below = scroll_height - scroll_top.max(0.0) - viewport.max(0.0);
    // NaN (nothing measured) counts as nothing left below.
    if below >= viewport.max(0.0) {
        shown.min(count)
    } else {
        shown.saturating_add(batch).min(count)
    }
}

#[cfg(test)]
mod tests {
    use super::{items_to_show, visible_rows};

    #[test]
    fn items_grow_by_a_batch_near_the_end_only() {
        // 2,000 px of items in a 500 px box: at the top, enough is left below.
        assert_eq!(items_to_show(48, 483, 0.0, 500.0, 2000.0, 48), 48);
        // Scrolled to where less than a screenful is left: a batch more.
        assert_eq!(items_to_show(48, 483, 1100.0, 500.0, 2000.0, 48), 96);
        // A box not yet filled (a tall window) grows too.
        assert_eq!(items_to_show(48, 483, 0.0, 900.0, 600.0, 48), 96);
        // Never past the list, nor past it when fewer are left than a batch.
        assert_eq!(items_to_show(480, 483, 1500.0, 500.0, 2000.0, 48), 483);
        assert_eq!(items_to_show(10, 3, 0.0, 500.0, 100.0, 48), 3);
        // Nothing measured yet: grow.
        assert_eq!(items_to_show(48, 483, 0.0, 500.0, f64::NAN, 48), 96);
    }

    #[test]
    fn at_the_top_the_first_screenful_and_the_overscan_below() {
        // 10 rows of 30 px fit 300 px.
        assert_eq!(visible_rows(0.0, 300.0, 30.0, 500, 5), 0..15);
    }

    #[test]
    fn scrolled_the_rows_on_screen_and_the_overscan_either_side() {
        // Scrolled to row 100, half of row 110 at the bottom.
        assert_eq!(visible_rows(3000.0, 315.0, 30.0, 500, 5), 95..116);
        // A row partly scrolled out at the top is still on screen.
        assert_eq!(visible_rows(3015.0, 300.0, 30.0, 500, 0), 100..111);
    }

    #[test]
    fn at_the_bottom_the_range_ends_with_the_list() {
        assert_eq!(visible_rows(14_700.0, 300.0, 30.0, 500, 5), 485..500);
        // Scrolled past the end (the list just shrank): the last rows, none beyond.
        assert_eq!(visible_rows(90_000.0, 300.0, 30.0, 500, 5), 495..500);
    }

    #[test]
    fn a_short_list_is_rendered_whole() {
        assert_eq!(visible_rows(0.0, 600.0, 30.0, 3, 5), 0..3);
    }

    #[test]
    fn nothing_to_show_or_nothing_measured() {
        assert_eq!(visible_rows(0.0, 300.0, 30.0, 0, 5), 0..0);
        assert_eq!(visible_rows(0.0, 300.0, 0.0, 500, 5), 0..0);
        assert_eq!(visible_rows(f64::NAN, f64::NAN, 30.0, 500, 2), 0..2);
        assert_eq!(visible_rows(-50.0, 300.0, 30.0, 500, 0), 0..10);
    }
}
