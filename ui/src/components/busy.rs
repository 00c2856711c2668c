//! A button that shows when it is working and cannot be pressed again meanwhile.

use leptos::prelude::*;

/// A button disabled and saying `busy_label` while `busy` (an action's `pending()`), so
/// that one press is one request.
#[component]
pub fn BusyButton(
    /// What it says.
    #[prop(into)]
    label: String,
    /// What it says while working ("Saving…").
    #[prop(into)]
    busy_label: String,
    /// Whether it is working.
    #[prop(into)]
    busy: Signal<bool>,
    /// Its id, if any.
    #[prop(optional, into)]
    id: Option<String>,
    /// Its classes.
    #[prop(optional, into)]
    class: String,
    /// Whether it submits its form (else a plain button calling `on_click`).
    #[prop(optional)]
    submit: bool,
    /// Disabled for another reason than working.
    #[prop(optional, into)]
    disabled: Signal<bool>,
    /// What a press does (a submit button's form says it instead).
    #[prop(optional)]
    on_click: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <button
            id=id
            class=class
            type=if submit { "submit" } else { "button" }
            disabled=move || busy.get() || disabled.get()
            aria-busy=move || busy.get().to_string()
            on:click=move |_| {
                if !busy.get_untracked() {
                    if let Some(on_click) = on_click {
                        on_click.run(());
                    }
                }
            }
        >
            {move || if busy.get() { busy_label.clone() } else { label.clone() }}
        </button>
    }
}
