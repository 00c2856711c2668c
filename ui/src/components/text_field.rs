//! A labelled text input bound to a signal, for the hand-written forms (sign-in, sign-up,
//! account).

use leptos::prelude::*;

/// A labelled text input bound to a signal.
#[component]
pub fn TextField(
    /// The input's id.
    id: &'static str,
    /// The label.
    label: &'static str,
    /// The input type (`text`, `email`, `password`).
    #[prop(default = "text")]
    kind: &'static str,
    /// The value.
    value: ReadSignal<String>,
    /// Sets the value.
    set_value: WriteSignal<String>,
) -> impl IntoView {
    view! {
        <label class="stacked" for=id>
            <span>{label}</span>
            <input
                id=id
                type=kind
                prop:value=move || value.get()
                on:input=move |ev| set_value.set(event_target_value(&ev))
            />
        </label>
    }
}
