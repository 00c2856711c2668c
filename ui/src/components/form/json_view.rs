//! A form's JSON, one click away: for forms that have no tabs (a connection's details),
//! the same editable JSON the configuration's JSON tab shows. Secrets are not in it (the
//! server never returns them); a secret written in it replaces the stored one, `null`
//! clears it, and one left out is kept.

use leptos::prelude::*;

use super::controls::ConfigJson;
use super::state::FormState;

/// A "JSON" switch under a form that opens its value as editable JSON, read when opened.
#[component]
pub fn JsonView(
    /// The form.
    form: FormState,
    /// The text area's id, unique on the page.
    #[prop(default = "details-json")]
    id: &'static str,
) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <div class="json-view">
            <button type="button" class="link json-view-toggle" data-for=id
                on:click=move |_| open.update(|o| *o = !*o)>
                {move || if open.get() { "Hide JSON" } else { "Edit as JSON" }}
            </button>
            {move || open.get().then(|| view! { <ConfigJson form=form id=id /> })}
        </div>
    }
}
