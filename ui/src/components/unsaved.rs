//! Leaving a form whose changes are not saved asks first. A form registers what it edits
//! and whether it changed ([`guard`], forgotten when the form goes away); whatever leaves
//! the page (the nav, the organization switcher) goes through [`leave_then`].

use leptos::prelude::*;

use crate::components::confirm::{self, Question};

/// A form that may hold unsaved changes: what it edits, and whether it changed.
#[derive(Clone, Copy)]
struct Open {
    id: u64,
    what: StoredValue<String>,
    dirty: Signal<bool>,
}

/// The open forms, provided by [`provide`].
#[derive(Clone, Copy)]
struct Forms {
    open: RwSignal<Vec<Open>>,
    next: StoredValue<u64>,
}

/// Makes [`guard`] and [`leave_then`] work under the current owner (the app calls it once).
pub fn provide() {
    provide_context(Forms {
        open: RwSignal::new(Vec::new()),
        next: StoredValue::new(0),
    });
}

/// Registers a form editing `what` ("this connection") that has unsaved changes while
/// `dirty`, until the calling component is dropped.
pub fn guard(what: impl Into<String>, dirty: Signal<bool>) {
    let Some(forms) = use_context::<Forms>() else {
        return;
    };
    let id = forms.next.with_value(|n| *n);
    forms.next.update_value(|n| *n += 1);
    let what = StoredValue::new(what.into());
    forms
        .open
        .update(|open| open.push(Open { id, what, dirty }));
    on_cleanup(move || {
        forms.open.update(|open| open.retain(|o| o.id != id));
    });
}

/// What has unsaved changes now, if anything (the first such form).
pub fn unsaved() -> Option<String> {
    let forms = use_context::<Forms>()?;
    forms.open.with_untracked(|open| {
        open.iter()
            .find(|o| o.dirty.get_untracked())
            .and_then(|o| o.what.try_get_value())
    })
}

/// Runs `go` (which leaves the page) at once when nothing is unsaved, else only once the
/// person agrees to lose the changes; `stay` runs when they do not.
pub fn leave_then(go: impl Fn() + Send + Sync + 'static, stay: impl Fn() + Send + Sync + 'static) {
    match unsaved() {
        None => go(),
        Some(what) => confirm::ask_or(Question::leave_unsaved(&what), go, stay),
    }
}
