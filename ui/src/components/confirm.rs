//! Asking before anything is destroyed or lost: the question, with its consequences named
//! ([`Question`]'s constructors, one per action), and the one dialog that asks it
//! ([`ConfirmHost`], mounted once by the app; [`ask`] opens it). Escape or Cancel says no,
//! Enter or the action's button says yes; focus moves into the dialog, stays there, and
//! goes back where it was after.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// What the dialog asks: a title, the consequences, and the button that agrees.
#[derive(Clone, Debug, PartialEq)]
pub struct Question {
    /// The question ("Delete the source “Shop”?").
    pub title: String,
    /// What happens if the person agrees.
    pub consequences: String,
    /// The agreeing button ("Delete source").
    pub confirm: String,
}

/// What an organization holds, counted: what deleting it deletes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrgHoldings {
    /// Its sources.
    pub sources: i64,
    /// Its sources' integrations.
    pub integrations: i64,
    /// Its connections.
    pub connections: i64,
}

/// `n` things, in the singular for one ("1 source", "3 sources").
fn counted(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Question {
    /// Deleting a source with its `integrations` (`None`: their number is not known).
    pub fn delete_source(name: &str, integrations: Option<usize>) -> Question {
        let with = match integrations {
            Some(0) => "It has no integrations.".to_owned(),
            Some(1) => "Its 1 integration is deleted with it.".to_owned(),
            Some(n) => format!("Its {n} integrations are deleted with it."),
            None => "Its integrations are deleted with it.".to_owned(),
        };
        Question {
            title: format!("Delete the source “{name}”?"),
            consequences: format!(
                "{with} Events sent with its write key are refused from now on. This cannot be undone."
            ),
            confirm: "Delete source".to_owned(),
        }
    }

    /// Deleting the integration `name` of the source `source`.
    pub fn delete_integration(name: &str, source: &str) -> Question {
        Question {
            title: format!("Delete the integration “{name}”?"),
            consequences: format!(
                "Events of “{source}” are no longer sent to this destination, and its configuration is lost. Its connection is kept."
            ),
            confirm: "Delete integration".to_owned(),
        }
    }

    /// Deleting the connection `name`.
    pub fn delete_connection(name: &str) -> Question {
        Question {
            title: format!("Delete the connection “{name}”?"),
            consequences: "Its stored credentials are erased. A connection that an integration still uses is not deleted: remove or re-point those integrations first.".to_owned(),
            confirm: "Delete connection".to_owned(),
        }
    }

    /// Deleting the organization `name` with what it holds (`None`: not counted).
    pub fn delete_organization(name: &str, holds: Option<OrgHoldings>) -> Question {
        let with = match holds {
            Some(h) => format!(
                "Its {}, {} and {} are deleted, with its API keys and pending invitations, for every member.",
                counted(h.sources, "source", "sources"),
                counted(h.integrations, "integration", "integrations"),
                counted(h.connections, "connection", "connections"),
            ),
            None => "Its sources, integrations, connections, API keys and pending invitations are deleted, for every member.".to_owned(),
        };
        Question {
            title: format!("Delete the organization “{name}”?"),
            consequences: format!(
                "{with} Events sent with its sources' write keys are refused from now on. This cannot be undone."
            ),
            confirm: "Delete organization".to_owned(),
        }
    }

    /// Leaving the organization `name`.
    pub fn leave_organization(name: &str) -> Question {
        Question {
            title: format!("Leave “{name}”?"),
            consequences: "You lose access to its sources, integrations and connections until an Owner invites you again. The last Owner cannot leave.".to_owned(),
            confirm: "Leave organization".to_owned(),
        }
    }

    /// Removing the member `email`.
    pub fn remove_member(email: &str) -> Question {
        Question {
            title: format!("Remove {email}?"),
            consequences: "They lose access to this organization at once (their account stays); they can join again only by a new invitation.".to_owned(),
            confirm: "Remove member".to_owned(),
        }
    }

    /// Revoking the API key `label`.
    pub fn revoke_key(label: &str) -> Question {
        Question {
            title: format!("Revoke the key “{label}”?"),
            consequences: "Every program using it is refused from now on. A revoked key cannot be restored: a new key has a new secret.".to_owned(),
            confirm: "Revoke key".to_owned(),
        }
    }

    /// Forgetting the server `name` (`current`: the app talks to it now).
    pub fn forget_server(name: &str, current: bool) -> Question {
        let moving = if current {
            " The app moves to the bundled server."
        } else {
            ""
        };
        Question {
            title: format!("Forget the server {name}?"),
            consequences: format!(
                "Its session is deleted from this computer's keyring: to use it again, add it and sign in again. Nothing on the server changes.{moving}"
            ),
            confirm: "Forget server".to_owned(),
        }
    }

    /// Leaving a form whose changes (to `what`) are not saved.
    pub fn leave_unsaved(what: &str) -> Question {
        Question {
            title: "Leave without saving?".to_owned(),
            consequences: format!("Your changes to {what} are not saved and will be lost."),
            confirm: "Leave without saving".to_owned(),
        }
    }
}

/// An open question and what each answer does.
#[derive(Clone)]
struct Asked {
    question: Question,
    on_confirm: Callback<()>,
    on_cancel: Option<Callback<()>>,
}

/// The dialog's state, provided by [`provide`].
#[derive(Clone, Copy)]
struct Confirmer(RwSignal<Option<Asked>>);

/// Makes [`ask`] work under the current owner (the app calls it once).
pub fn provide() {
    provide_context(Confirmer(RwSignal::new(None)));
}

/// Asks `question`; `on_confirm` runs only if the person agrees. Without a dialog (a test
/// mounting one page), nothing runs.
pub fn ask(question: Question, on_confirm: impl Fn() + Send + Sync + 'static) {
    ask_or(question, on_confirm, || {});
}

/// [`ask`], with what a "no" does (put a control back as it was).
pub fn ask_or(
    question: Question,
    on_confirm: impl Fn() + Send + Sync + 'static,
    on_cancel: impl Fn() + Send + Sync + 'static,
) {
    if let Some(Confirmer(open)) = use_context::<Confirmer>() {
        open.set(Some(Asked {
            question,
            on_confirm: Callback::new(move |_| on_confirm()),
            on_cancel: Some(Callback::new(move |_| on_cancel())),
        }));
    }
}

/// The dialog, found when a component is made, to ask later: an event handler or a task
/// that waits for something (a count) first runs where no context is found.
#[derive(Clone, Copy)]
pub struct Asker(Option<RwSignal<Option<Asked>>>);

/// The app's dialog, as [`ask`] would find it here and now.
pub fn asker() -> Asker {
    Asker(use_context::<Confirmer>().map(|Confirmer(open)| open))
}

impl Asker {
    /// [`ask`], through the dialog found by [`asker`].
    pub fn ask(self, question: Question, on_confirm: impl Fn() + Send + Sync + 'static) {
        if let Some(open) = self.0 {
            open.set(Some(Asked {
                question,
                on_confirm: Callback::new(move |_| on_confirm()),
                on_cancel: Some(Callback::new(|_| {})),
            }));
        }
    }
}

/// The element that had the focus, to give it back.
fn focused() -> Option<web_sys::HtmlElement> {
    web_sys::window()?
        .document()?
        .active_element()?
        .dyn_into::<web_sys::HtmlElement>()
        .ok()
}

/// The one confirmation dialog of the window.
#[component]
pub fn ConfirmHost() -> impl IntoView {
    let open = use_context::<Confirmer>().map(|Confirmer(open)| open);
    move || {
        let open = open?;
        open.get().map(|asked| {
            let before = StoredValue::new_local(focused());
            let cancel_ref = NodeRef::<leptos::html::Button>::new();
            let confirm_ref = NodeRef::<leptos::html::Button>::new();
            let close = move || {
                open.set(None);
                before.with_value(|element| {
                    if let Some(element) = element {
                        let _ = element.focus();
                    }
                });
            };
            let (yes, no) = (asked.on_confirm, asked.on_cancel);
            let agree = move || {
                close();
                yes.run(());
            };
            let refuse = move || {
                close();
                if let Some(no) = no {
                    no.run(());
                }
            };
            Effect::new(move |_| {
                if let Some(button) = confirm_ref.get() {
                    let _ = button.focus();
                }
            });
            let keys = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
                "Escape" => {
                    ev.prevent_default();
                    refuse();
                }
                "Enter" => {
                    ev.prevent_default();
                    let on_cancel = cancel_ref.get_untracked().is_some_and(|c| {
                        focused().is_some_and(|f| {
                            let c: &web_sys::HtmlElement = &c;
                            f == *c
                        })
                    });
                    if on_cancel {
                        refuse();
                    } else {
                        agree();
                    }
                }
                "Tab" => {
                    // Focus stays in the dialog: between its two buttons.
                    ev.prevent_default();
                    let next = if focused().is_some_and(|f| {
                        confirm_ref.get_untracked().is_some_and(|c| {
                            let c: &web_sys::HtmlElement = &c;
                            f == *c
                        })
                    }) {
                        cancel_ref.get_untracked()
                    } else {
                        confirm_ref.get_untracked()
                    };
                    if let Some(next) = next {
                        let _ = next.focus();
                    }
                }
                _ => {}
            };
            let Question {
                title,
                consequences,
                confirm,
            } = asked.question;
            view! {
                <div class="modal-backdrop" on:click=move |ev| {
                    if ev.target() == ev.current_target() {
                        refuse();
                    }
                }>
                    <div id="confirm" class="modal confirm" role="dialog" aria-modal="true"
                        aria-labelledby="confirm-title" aria-describedby="confirm-consequences"
                        on:keydown=keys>
                        <h2 id="confirm-title">{title}</h2>
                        <p id="confirm-consequences">{consequences}</p>
                        <div class="actions row">
                            <button id="confirm-cancel" type="button" class="secondary" node_ref=cancel_ref
                                on:click=move |_| refuse()>"Cancel"</button>
                            <button id="confirm-yes" type="button" class="danger" node_ref=confirm_ref
                                on:click=move |_| agree()>{confirm}</button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}
