//! The destination catalog: search, filters, and cards that open the configure page.
//!
//! The list (483 destinations) is read once and filtered in memory; the cards are put in
//! the page a batch at a time, more as the person scrolls near the end of those there, so
//! that the first visit builds and lays out a screenful or two instead of every card
//! (issue 14 #4). The count above them is the whole filtered list.

use leptos::html;
use leptos::prelude::*;

use crate::catalog::{self, PLATFORMS};
use crate::loaders;
use crate::state::{AppState, Page};
use crate::timeline;
use crate::windowing::items_to_show;

/// Cards put in the page at first, and added each time the person nears the end of them.
const CARDS_AT_ONCE: usize = 48;

/// What a card shows: code, name, categories, description.
type Card = (String, String, String, Option<String>);

/// The catalog page.
#[component]
pub fn DestinationsPage() -> impl IntoView {
    let app = AppState::get();
    let (search, set_search) = signal(String::new());
    let (category, set_category) = signal(String::new());
    let (platform, set_platform) = signal(String::new());
    let loaded = loaders::catalog::list_resource(app);
    let error = move || loaded.get().and_then(Result::err).map(|e| e.message);
    let categories = Memo::new(move |_| {
        loaded.with(|c| {
            c.as_ref()
                .and_then(|c| c.as_ref().ok())
                .map(|c| catalog::categories(c))
                .unwrap_or_default()
        })
    });
    let shown = Memo::new(move |_| {
        loaded.with(|c| {
            c.as_ref().and_then(|c| c.as_ref().ok()).map(|c| {
                catalog::filter(c, &search.get(), &category.get(), &platform.get())
                    .into_iter()
                    .map(|d| {
                        (
                            d.code.clone(),
                            d.name.clone(),
                            if d.categories.is_empty() {
                                "No category".to_owned()
                            } else {
                                d.categories.join(", ")
                            },
                            d.description.clone(),
                        )
                    })
                    .collect::<Vec<Card>>()
            })
        })
    });
    let ready = Memo::new(move |_| shown.with(Option::is_some));
    let count = move || shown.with(|list| list.as_ref().map_or(0, Vec::len));

    let (limit, set_limit) = signal(CARDS_AT_ONCE);
    let scroller = NodeRef::<html::Div>::new();
    // A new search or filter starts again at the top, with the first cards.
    Effect::new(move |_| {
        search.track();
        category.track();
        platform.track();
        set_limit.set(CARDS_AT_ONCE);
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(0);
        }
    });
    let more = move || {
        let Some(el) = scroller.get_untracked() else {
            return;
        };
        let now = limit.get_untracked();
        let next = items_to_show(
            now,
            shown.with_untracked(|list| list.as_ref().map_or(0, Vec::len)),
            f64::from(el.scroll_top()),
            f64::from(el.client_height()),
            f64::from(el.scroll_height()),
            CARDS_AT_ONCE,
        );
        if next != now {
            set_limit.set(next);
        }
    };
    // Once the cards are laid out: more if they do not fill the box and a screenful below.
    Effect::new(move |_| {
        limit.track();
        shown.track();
        if ready.get() {
            timeline::mark("catalog list: cards built");
            request_animation_frame(more);
        }
    });
    let cards = move || {
        shown.with(|list| {
            list.as_ref()
                .map(|list| {
                    list.iter()
                        .take(limit.get())
                        .cloned()
                        .collect::<Vec<Card>>()
                })
                .unwrap_or_default()
        })
    };
    let card = move |(code, name, categories, description): Card| {
        let (target, data_code) = (code.clone(), code.clone());
        view! {
            <button type="button" class="destination-card" data-code=data_code
                on:click=move |_| app.page.set(Page::Configure(target.clone(), None))>
                <strong class="destination-name">{name}</strong>
                <span class="destination-code">{code}</span>
                <span class="muted small">{categories}</span>
                {description.map(|d| view! { <span class="destination-description">{d}</span> })}
            </button>
        }
    };
    view! {
        <section class="page">
            <h1>"Destinations"</h1>
            <div class="row filters">
                <input id="catalog-search" type="search" placeholder="Search by name or code" aria-label="Search by name or code"
                    prop:value=move || search.get() on:input=move |ev| set_search.set(event_target_value(&ev)) />
                <select id="catalog-category" aria-label="Category" on:change=move |ev| set_category.set(event_target_value(&ev))>
                    <option value="">"All categories"</option>
                    {move || categories.get().into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                </select>
                <select id="catalog-platform" aria-label="Platform" on:change=move |ev| set_platform.set(event_target_value(&ev))>
                    <option value="">"All platforms"</option>
                    {PLATFORMS.iter().map(|p| view! { <option value=p.as_str()>{p.as_str()}</option> }).collect_view()}
                </select>
            </div>
            {move || error().map(|e| view! { <p class="form-error">{e}</p> })}
            {move || if ready.get() {
                view! {
                    <p class="muted" id="catalog-count">{move || format!("{} destinations", count())}</p>
                    <div class="paged-list catalog-cards" id="catalog-cards" node_ref=scroller on:scroll=move |_| more()>
                        <div class="cards">
                            <For each=cards key=|card: &Card| card.0.clone() children=card />
                        </div>
                    </div>
                }.into_any()
            } else {
                view! { <p class="muted">"Loading the catalog…"</p> }.into_any()
            }}
        </section>
    }
}
