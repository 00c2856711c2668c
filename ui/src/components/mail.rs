//! The Mail panel: the bundled server's outbox, with the links' actions as buttons.

use houston_client::vocabulary::MailKind;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, Mail};
use crate::state::{AppState, Page};

/// The outbox beside the page; opened and closed by the header's Mail button.
#[component]
pub fn MailPanel() -> impl IntoView {
    let (mails, set_mails) = signal(None::<Result<Vec<Mail>, api::ApiError>>);
    let (reload, set_reload) = signal(0u32);
    let app = AppState::get();
    Effect::new(move |_| {
        reload.get();
        // A sign-up or sign-in while the panel is open brings new mail: load it again.
        app.session.track();
        spawn_local(async move {
            let mut found = api::mail_outbox().await;
            if let Ok(list) = found.as_mut() {
                list.reverse();
            }
            set_mails.set(Some(found));
        });
    });
    view! {
        <aside id="mail-panel" class="mail-panel">
            <div class="panel-head">
                <h2>"Mail"</h2>
                <button type="button" id="mail-refresh" class="ghost" on:click=move |_| set_reload.update(|n| *n += 1)>
                    "Refresh"
                </button>
            </div>
            {move || match mails.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(error)) => view! { <p class="form-error">{error.message}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"No mail."</p> }.into_any(),
                Some(Ok(list)) => list
                    .into_iter()
                    .map(|mail| view! { <MailItem mail=mail /> })
                    .collect_view()
                    .into_any(),
            }}
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
    let (outcome, set_outcome) = signal(None::<Result<String, String>>);
    let (password, set_password) = signal(String::new());
    let token = mail.token.clone().unwrap_or_default();
    let finish = move |result: Result<api::Session, api::ApiError>, done: &'static str| match result
    {
        Ok(session) => {
            set_outcome.set(Some(Ok(done.to_owned())));
            if !session.signed_in {
                app.page.set(Page::SignIn);
            } else {
                app.page.set(Page::Orgs);
            }
            app.set_session(session);
        }
        Err(error) => set_outcome.set(Some(Err(error.message))),
    };
    let action = match mail.kind {
        MailKind::ConfirmEmail => {
            let token = token.clone();
            view! {
                <button
                    type="button"
                    class="mail-confirm"
                    on:click=move |_| {
                        let token = token.clone();
                        spawn_local(async move {
                            finish(api::confirm_email(&token).await, "Email confirmed.");
                        });
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
                        autocomplete="new-password"
                        prop:value=move || password.get()
                        on:input=move |ev| set_password.set(event_target_value(&ev))
                    />
                    <button
                        type="button"
                        class="mail-accept"
                        on:click=move |_| {
                            let token = token.clone();
                            let password = password.get_untracked();
                            spawn_local(async move {
                                finish(api::accept_link(&token, &password).await, "Password set; you are signed in.");
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
            <pre class="mail-body">{mail.body.clone()}</pre>
            {action}
            {move || outcome.get().map(|o| match o {
                Ok(text) => view! { <p class="mail-result success">{text}</p> }.into_any(),
                Err(text) => view! { <p class="form-error">{text}</p> }.into_any(),
            })}
        </article>
    }
}
