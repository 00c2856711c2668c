//! A paged list on screen: a search box, then a box that scrolls the rows loaded so far,
//! with only the rows on screen (and a few either side) in the page, and the next page
//! asked for as the person nears the end of those loaded (issue 14 #2).
//!
//! Rows may be taller than one line (a source's card): their height is measured as they
//! render (the rows in the page over their count), and the space of the rows not in the
//! page is kept by two spacers of that height times their number, so the scroll bar stays
//! true to the whole list and the rows stay in the document's flow (a table's rows too).

use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::paging::PagedList;
use crate::windowing::visible_rows;

/// Rows rendered above and below the ones on screen, so that scrolling shows no gap
/// before the next frame renders them.
const OVERSCAN: usize = 6;
/// The next page is asked for when fewer loaded rows than this remain below the screen.
const AHEAD: usize = 20;

/// The window's inner height in px: the box is never taller (0 without a window).
fn window_height() -> f64 {
    web_sys::window()
        .and_then(|w| w.inner_height().ok())
        .and_then(|h| h.as_f64())
        .unwrap_or(0.0)
}

/// How a windowed list lays its rows out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Block rows (cards) in a `<div>`.
    Blocks,
    /// Table rows (`<tr>`) in a table's body, under the given header.
    Table,
}

/// The search box of `list`, searching on the server as the person types.
#[component]
pub fn ListSearch<T: Clone + Send + Sync + 'static>(
    /// The list it searches.
    list: PagedList<T>,
    /// The input's id.
    id: &'static str,
    /// Its placeholder.
    placeholder: &'static str,
) -> impl IntoView {
    view! {
        <input id=id class="list-search" type="search" placeholder=placeholder aria-label=placeholder
            prop:value=move || list.typed.get()
            on:input=move |ev| list.type_search(event_target_value(&ev)) />
    }
}

/// The rows of `list` in a scrolling box, windowed, loading as the person scrolls.
#[component]
pub fn WindowedList<T, K, R, V>(
    /// The list.
    list: PagedList<T>,
    /// The scrolling box's id.
    id: &'static str,
    /// A row's key (its id): a row keeps its element while it stays on screen.
    key: K,
    /// A row's view.
    row: R,
    /// Blocks or a table.
    layout: Layout,
    /// A first guess of a row's height in px, until one is measured.
    row_px: f64,
    /// The table's header row (for [`Layout::Table`]).
    #[prop(optional, into)]
    header: ViewFn,
    /// Columns of the table (for its messages' cells).
    #[prop(default = 1)]
    columns: usize,
    /// What an empty list says.
    empty: &'static str,
) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
    K: Fn(&T) -> String + Clone + Send + Sync + 'static,
    R: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let scroll_top = RwSignal::new(0.0_f64);
    let viewport = RwSignal::new(window_height());
    let row_height = RwSignal::new(row_px);
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        viewport.set(window_height());
    });
    on_cleanup(move || resize.remove());
    let count = Memo::new(move |_| list.state.with(|s| s.rows.len()));
    let on_screen = Memo::new(move |_| {
        visible_rows(
            scroll_top.get(),
            viewport.get(),
            row_height.get(),
            count.get(),
            OVERSCAN,
        )
    });
    // Rows shared, so that a scroll copies pointers, not rows.
    let slice = Memo::new(move |_| {
        let range = on_screen.get();
        list.state.with(|s| {
            s.rows
                .get(range.clone())
                .map(|rows| {
                    rows.iter()
                        .enumerate()
                        .map(|(n, r)| (range.start + n, Arc::new(r.clone())))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    // The next page once the screen nears the end of the loaded rows.
    Effect::new(move |_| {
        let end = on_screen.get().end;
        if list.state.with(|s| s.wants_more(end, AHEAD)) {
            list.more();
        }
    });
    // A new search or organization starts at the top.
    let scroller = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        list.search.track();
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(0);
        }
        scroll_top.set(0.0);
    });
    let above = NodeRef::<html::Div>::new();
    let below = NodeRef::<html::Div>::new();
    let above_row = NodeRef::<html::Tr>::new();
    let below_row = NodeRef::<html::Tr>::new();
    // The rows' height as rendered: the distance between the spacers over the rows between.
    let measure = move || {
        let n = slice.with_untracked(Vec::len);
        let (top, bottom): (Option<web_sys::HtmlElement>, Option<web_sys::HtmlElement>) =
            match layout {
                Layout::Blocks => (
                    above.get_untracked().map(|e| e.unchecked_into()),
                    below.get_untracked().map(|e| e.unchecked_into()),
                ),
                Layout::Table => (
                    above_row.get_untracked().map(|e| e.unchecked_into()),
                    below_row.get_untracked().map(|e| e.unchecked_into()),
                ),
            };
        let (Some(top), Some(bottom)) = (top, bottom) else {
            return;
        };
        if n == 0 {
            return;
        }
        let span = f64::from(bottom.offset_top() - top.offset_top() - top.offset_height());
        let each = span / n as f64;
        if each >= 1.0 && (each - row_height.get_untracked()).abs() > 0.5 {
            row_height.set(each);
        }
        if let Some(el) = scroller.get_untracked() {
            let shown = f64::from(el.client_height());
            if shown > 0.0 && (shown - viewport.get_untracked()).abs() > 0.5 {
                viewport.set(shown);
            }
        }
    };
    Effect::new(move |_| {
        slice.track();
        request_animation_frame(measure);
    });
    let top_px = move || format!("{}px", on_screen.get().start as f64 * row_height.get());
    let bottom_px = move || {
        let rest = count.get().saturating_sub(on_screen.get().end);
        format!("{}px", rest as f64 * row_height.get())
    };
    let on_scroll = move |ev: leptos::ev::Event| {
        let el = event_target::<web_sys::Element>(&ev);
        scroll_top.set(f64::from(el.scroll_top()));
        let shown = f64::from(el.client_height());
        if shown > 0.0 {
            viewport.set(shown);
        }
    };
    let status = move || {
        list.state.with(|s| {
            if let Some(why) = &s.error {
                Some((true, why.clone()))
            } else if s.loading {
                Some((false, "Loading…".to_owned()))
            } else if s.rows.is_empty() && s.total.is_some() {
                Some((false, empty.to_owned()))
            } else {
                None
            }
        })
    };
    let total = move || {
        list.state.with(|s| {
            s.total
                .map(|t| format!("{} of {t}", s.rows.len().min(t.max(0) as usize)))
        })
    };
    let rows = move || {
        let (key, row) = (key.clone(), row.clone());
        view! {
            <For each=move || slice.get() key=move |(_, r)| key(r) children=move |(_, r)| row((*r).clone()) />
        }
    };
    let body = match layout {
        Layout::Blocks => view! {
            <div class="window-spacer" node_ref=above style:height=top_px></div>
            {rows()}
            <div class="window-spacer" node_ref=below style:height=bottom_px></div>
            {move || status().map(|(bad, text)| view! {
                <p class="muted list-status" role="status" class:form-error=bad>{text}</p>
            })}
        }
        .into_any(),
        Layout::Table => view! {
            <table class="table">
                <thead>{header.run()}</thead>
                <tbody>
                    <tr class="window-spacer" node_ref=above_row style:height=top_px></tr>
                    {rows()}
                    <tr class="window-spacer" node_ref=below_row style:height=bottom_px></tr>
                    {move || status().map(|(bad, text)| view! {
                        <tr><td colspan=columns class="muted list-status" class:form-error=bad>{text}</td></tr>
                    })}
                </tbody>
            </table>
        }
        .into_any(),
    };
    view! {
        <div id=id class="paged-list" node_ref=scroller on:scroll=on_scroll>
            {body}
        </div>
        <p class="muted small list-total">{total}</p>
    }
}
