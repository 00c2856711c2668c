//! Choosing one row of a list that may be long (a source, a connection; issue 14 #2): a
//! text box that searches the server as the person types and offers at most one page of
//! matches, so that a select of 10,000 options is never built.
//!
//! Accessible as the ARIA combobox pattern (a list box popup): the text box has
//! `role=combobox`, `aria-expanded`, `aria-controls` and `aria-activedescendant`; the
//! options are a `role=listbox` of `role=option`s. Arrow keys move among the options
//! (opening the list), Enter chooses the active one, Escape closes the list and puts back
//! the chosen row's name; a click chooses too.

use leptos::prelude::*;

use crate::paging::{PagedList, PAGE_ROWS};

/// One option as offered: its value (an id) and what it shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// What choosing it sets the value to.
    pub value: String,
    /// Its text.
    pub label: String,
}

impl Choice {
    /// An option showing `label` for `value`.
    pub fn new(value: impl Into<String>, label: impl Into<String>) -> Self {
        Choice {
            value: value.into(),
            label: label.into(),
        }
    }
}

/// The options on offer: the `fixed` ones (whatever the search) then the first page of
/// `rows`, at most [`PAGE_ROWS`].
pub fn offered(fixed: &[Choice], rows: impl IntoIterator<Item = Choice>) -> Vec<Choice> {
    fixed
        .iter()
        .cloned()
        .chain(rows.into_iter().take(PAGE_ROWS as usize))
        .collect()
}

/// The active option after a move of `step` (+1 down, -1 up) from `active` among `count`
/// options: wraps around at either end; none when there are none.
pub fn step(active: Option<usize>, step: isize, count: usize) -> Option<usize> {
    if count == 0 {
        return None;
    }
    let next = match active {
        None if step < 0 => count - 1,
        None => 0,
        Some(at) => (at as isize + step).rem_euclid(count as isize) as usize,
    };
    Some(next)
}

/// A searchable choice among `list`'s rows (see the module): `value` holds the chosen
/// row's value, `fixed` options come first whatever is typed (e.g. "New connection…").
#[component]
pub fn Combobox<T, C>(
    /// The rows to choose from, searched on the server; only its first page is offered.
    list: PagedList<T>,
    /// The text box's id; the list box is `{id}-options`, the options `{id}-option-{n}`,
    /// and a hidden input `{id}-value` holds the value (for forms and tests).
    id: &'static str,
    /// A row as an option.
    choice: C,
    /// The chosen value ("" for none).
    value: RwSignal<String>,
    /// Options offered before the rows, whatever the search.
    #[prop(optional)]
    fixed: Vec<Choice>,
    /// The text box's placeholder.
    #[prop(default = "Type to search")]
    placeholder: &'static str,
    /// Whether the choice is fixed.
    #[prop(optional, into)]
    disabled: Signal<bool>,
    /// The chosen option's text, when the page knows it before an option shows it (a row
    /// it just made); kept up to date from the options on offer.
    #[prop(optional)]
    label: Option<RwSignal<String>>,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    C: Fn(&T) -> Choice + Clone + Send + Sync + 'static,
{
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    // The chosen option's text, once known (from the fixed options or a loaded row).
    let chosen_label = label.unwrap_or_else(|| RwSignal::new(String::new()));
    let fixed = StoredValue::new(fixed);
    let options = {
        let choice = choice.clone();
        Memo::new(move |_| {
            list.state
                .with(|s| fixed.with_value(|fixed| offered(fixed, s.rows.iter().map(&choice))))
        })
    };
    // The chosen value's text as soon as an option with it is on offer.
    Effect::new(move |_| {
        let wanted = value.get();
        let found = options.with(|o| {
            o.iter()
                .find(|c| c.value == wanted)
                .map(|c| c.label.clone())
        });
        if let Some(label) = found {
            if chosen_label.with_untracked(|l| *l != label) {
                chosen_label.set(label);
            }
        }
    });
    // Closed, the box shows the chosen option's text.
    Effect::new(move |_| {
        let label = chosen_label.get();
        if !open.get_untracked() {
            list.typed.set(label);
        }
    });
    // Closed: the box shows the chosen option, and the next opening offers every row
    // again, not only those matching what was typed.
    let close = move || {
        open.set(false);
        active.set(None);
        if list.search.with_untracked(|s| !s.is_empty())
            || list.typed.with_untracked(|t| !t.is_empty())
        {
            list.type_search(String::new());
        }
        list.typed.set(chosen_label.get_untracked());
    };
    let choose = move |n: usize| {
        if let Some(c) = options.with_untracked(|o| o.get(n).cloned()) {
            chosen_label.set(c.label);
            value.set(c.value);
            close();
        }
    };
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        let count = options.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" | "ArrowUp" => {
                ev.prevent_default();
                let by = if ev.key() == "ArrowDown" { 1 } else { -1 };
                if open.get_untracked() {
                    active.set(step(active.get_untracked(), by, count));
                } else {
                    open.set(true);
                    active.set(step(None, by, count));
                }
            }
            // Choosing, not submitting the form around it.
            "Enter" if open.get_untracked() => {
                ev.prevent_default();
                if let Some(n) = active.get_untracked() {
                    choose(n);
                }
            }
            "Escape" if open.get_untracked() => {
                ev.prevent_default();
                close();
            }
            _ => {}
        }
    };
    let input = move |ev: leptos::ev::Event| {
        list.type_search(event_target_value(&ev));
        open.set(true);
        active.set(None);
    };
    let listbox = format!("{id}-options");
    let option_id = move |n: usize| format!("{id}-option-{n}");
    let active_id = move || active.get().map(option_id);
    let more = move || {
        list.state.with(|s| {
            let shown = s.rows.len().min(PAGE_ROWS as usize);
            s.total
                .filter(|t| *t > shown as i64)
                .map(|t| format!("{shown} of {t}: type to narrow"))
        })
    };
    let status = move || {
        list.state.with(|s| {
            if let Some(why) = &s.error {
                Some(why.clone())
            } else if s.loading {
                Some("Searching…".to_owned())
            } else if s.rows.is_empty() && fixed.with_value(Vec::is_empty) {
                Some("Nothing matches.".to_owned())
            } else {
                None
            }
        })
    };
    view! {
        <div class="combobox">
            <input id=id type="text" role="combobox" autocomplete="off" placeholder=placeholder
                aria-autocomplete="list" aria-controls=listbox.clone()
                aria-expanded=move || open.get().to_string()
                aria-activedescendant=active_id
                disabled=move || disabled.get()
                prop:value=move || list.typed.get()
                on:input=input on:keydown=keydown
                on:focus=move |_| open.set(true)
                on:blur=move |_| close() />
            <input type="hidden" id=format!("{id}-value") prop:value=move || value.get() />
            <ul id=listbox class="combobox-options" role="listbox" hidden=move || !open.get()>
                {move || options.get().into_iter().enumerate().map(|(n, c)| {
                    let selected = value.with(|v| *v == c.value);
                    view! {
                        <li id=option_id(n) role="option" class="combobox-option" data-value=c.value.clone()
                            aria-selected=selected.to_string()
                            class:active=move || active.get() == Some(n)
                            // Before the text box's blur, which would close the list first.
                            on:mousedown=move |ev| { ev.prevent_default(); choose(n); }>
                            {c.label}
                        </li>
                    }
                }).collect_view()}
                {move || status().map(|s| view! { <li class="muted combobox-status" role="presentation">{s}</li> })}
                {move || more().map(|s| view! { <li class="muted small combobox-more" role="presentation">{s}</li> })}
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::{offered, step, Choice};
    use crate::paging::PAGE_ROWS;

    #[test]
    fn the_arrows_wrap_around_and_start_at_either_end() {
        assert_eq!(step(None, 1, 5), Some(0));
        assert_eq!(step(None, -1, 5), Some(4));
        assert_eq!(step(Some(4), 1, 5), Some(0));
        assert_eq!(step(Some(0), -1, 5), Some(4));
        assert_eq!(step(Some(2), 1, 5), Some(3));
        assert_eq!(step(Some(2), 1, 0), None);
    }

    #[test]
    fn the_fixed_options_come_first_and_at_most_one_page_of_rows() {
        let rows = (0..10_000).map(|n| Choice::new(n.to_string(), format!("Row {n}")));
        let fixed = [Choice::new("new", "New…")];
        let offered = offered(&fixed, rows);
        assert_eq!(offered.len(), 1 + PAGE_ROWS as usize);
        assert_eq!(offered[0], fixed[0]);
        assert_eq!(offered[1].value, "0");
    }
}
