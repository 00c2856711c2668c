//! The destination catalog: search, filters, and cards that open the configure page.

use leptos::prelude::*;

use crate::catalog::{self, PLATFORMS};
use crate::loaders;
use crate::state::{AppState, Page};

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
                    .collect::<Vec<_>>()
            })
        })
    });
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
            {move || match shown.get() {
                None => view! { <p class="muted">"Loading the catalog…"</p> }.into_any(),
                Some(list) => view! {
                    <p class="muted" id="catalog-count">{format!("{} destinations", list.len())}</p>
                    <div class="cards">
                        {list.into_iter().map(|(code, name, categories, description)| {
                            let open = code.clone();
                            let target = code.clone();
                            view! {
                                <button type="button" class="destination-card" data-code=open.clone()
                                    on:click=move |_| app.page.set(Page::Configure(target.clone(), None))>
                                    <strong class="destination-name">{name}</strong>
                                    <span class="destination-code">{code}</span>
                                    <span class="muted small">{categories}</span>
                                    {description.map(|d| view! { <span class="destination-description">{d}</span> })}
                                </button>
                            }
                        }).collect_view()}
                    </div>
                }.into_any(),
            }}
        </section>
    }
}
