//! The Mail panel: the bundled server's outbox, with the links' actions as buttons.

use houston_client::vocabulary::MailKind;
use leptos::prelude::*;

use crate::api::Mail;
use crate::loaders::mail::{self, Link};
use crate::state::{AppState, Page};

/// The outbox beside the page; opened and closed by the header's Mail button.
#[component]
pub fn MailPanel() -> impl IntoView {
    let app = AppState::get();
    let mails = LocalResource::new(move || {
        // A sign-up or sign-in while the panel is open brings new mail: load it again.
        app.session.track();
        mail::outbox()
    });
    view! {
        // Escape closes the panel, as it does a dialog.
        <aside id="mail-panel" class="mail-panel" aria-label="Mail"
            on:keydown=move |ev| if ev.key() == "Escape" { app.mail_open.set(false); }>
            <div class="panel-head">
                <h2>"Mail"</h2>
                <button type="button" id="mail-refresh" class="ghost" on:click=move |_| mails.refetch()>
                    "Refresh"
                </button>
            </div>
            <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                {move || match mails.get() {
                    None => view! { <p class="muted" role="status">"Loading…"</p> }.into_any(),
                    Some(Err(error)) => view! { <p class="form-error">{error.message}</p> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"No mail."</p> }.into_any(),
                    Some(Ok(list)) => list
                        .into_iter()
                        .map(|mail| view! { <MailItem mail=mail /> })
                        .collect_view()
                        .into_any(),
                }}
            </Transition>
        </aside>
    }
}

/// One mail, with a confirm button or a set-password form for its link.
#[component]
fn MailItem(
    /// The mail.
    mail: Mail,
) -> impl IntoView {
    let app = AppState::get();
    let (password, set_password) = signal(String::new());
    let token = mail.token.clone().unwrap_or_default();
    let follow = Action::new_local(move |link: &Link| {
        let link = link.clone();
        async move {
            let done = match link {
                Link::Confirm { .. } => "Email confirmed.",
                Link::Accept { .. } => "Password set; you are signed in.",
            };
            let session = mail::follow(app, link).await.map_err(|e| e.message)?;
            if !session.signed_in {
                app.page.set(Page::SignIn);
            } else {
                app.page.set(Page::Orgs);
            }
            Ok::<_, String>(done.to_owned())
        }
    });
    let (working, outcome) = (follow.pending(), follow.value());
    let action = match mail.kind {
        MailKind::ConfirmEmail => {
            let token = token.clone();
            view! {
                <button
                    type="button"
                    class="mail-confirm"
                    disabled=move || working.get()
                    on:click=move |_| {
                        follow.dispatch(Link::Confirm { token: token.clone() });
                    }
                >
                    "Confirm email"
                </button>
            }
            .into_any()
        }
        MailKind::Invitation | MailKind::PasswordReset => {
            let token = token.clone();
            view! {
                <div class="mail-accept-row">
                    <input
                        type="password"
                        class="mail-password"
                        placeholder="New password"
                        aria-label="New password"
                        autocomplete="new-password"
                        prop:value=move || password.get()
                        on:input=move |ev| set_password.set(event_target_value(&ev))
                    />
                    <button
                        type="button"
                        class="mail-accept"
                        disabled=move || working.get()
                        on:click=move |_| {
                            follow.dispatch(Link::Accept {
                                token: token.clone(),
                                password: password.get_untracked(),
                            });
                        }
                    >
                        "Set password"
                    </button>
                </div>
            }
            .into_any()
        }
    };
    view! {
        <article class="mail-item" data-kind=mail.kind.as_str()>
            <h3 class="mail-subject">{mail.subject.clone()}</h3>
            <p class="mail-meta">"To " <span class="mail-to">{mail.to.clone()}</span> " · " {mail.created_at.clone()}</p>
            <pre class="mail-body" tabindex="0">{mail.body.clone()}</pre>
            {action}
            {move || outcome.get().map(|o| match o {
                Ok(text) => view! { <p class="mail-result success">{text}</p> }.into_any(),
                Err(text) => view! { <p class="form-error">{text}</p> }.into_any(),
            })}
        </article>
    }
}
