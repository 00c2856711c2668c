//! The session the shell holds: loading it, taking a new one, and the shell's commands that
//! answer one (choosing the backend, signing in, up and out, choosing the organization).

use crate::api::BackendKind;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError, Session};
use crate::loaders::orgs;
use crate::state::AppState;

/// Loads the session when the window opens; without one, the window shows the signed-out
/// screens.
pub async fn load(app: AppState) {
    match api::session_state().await {
        Ok(session) => adopt(app, session),
        Err(error) => {
            leptos::logging::warn!("no session: {error}");
            app.session.set(Some(api::Session::default()));
        }
    }
}

/// Takes a new session from the shell, and reloads the organizations when signed in.
pub fn adopt(app: AppState, session: Session) {
    let signed_in = session.signed_in;
    app.session.set(Some(session));
    if signed_in {
        spawn_local(orgs::reload(app));
    } else {
        app.orgs.set(Vec::new());
    }
}

/// Whether a Houston answers at `url`, and what happened, for a person.
pub async fn check_server(url: String) -> (bool, String) {
    match api::check_server(&url).await {
        Ok(answer) => (answer.ok, answer.message),
        Err(e) => (false, e.message),
    }
}

/// Chooses the backend (bundled, or remote at `url`), ending the first run.
pub async fn choose_backend(
    app: AppState,
    backend: BackendKind,
    url: String,
) -> Result<(), ApiError> {
    let remote = (backend == BackendKind::Remote).then_some(url.as_str());
    let session = api::save_settings(backend, remote).await?;
    adopt(app, session);
    Ok(())
}

/// Signs in and takes the new session.
pub async fn sign_in(app: AppState, email: String, password: String) -> Result<(), ApiError> {
    let session = api::sign_in(&email, &password).await?;
    adopt(app, session);
    Ok(())
}

/// Signs in again after the token expired: the page stays as it is (what was typed is
/// kept), and what it shows is read again (`app.reloads`), with the organizations: the
/// reads that failed while signed out show data again.
pub async fn sign_in_again(
    app: AppState,
    username: String,
    password: String,
) -> Result<(), ApiError> {
    let session = api::sign_in(&username, &password).await?;
    app.session.set(Some(session));
    app.reauth.set(false);
    app.reloads.update(|n| *n += 1);
    spawn_local(orgs::reload(app));
    Ok(())
}

/// Makes an account (pending until its email is confirmed) and takes its session.
pub async fn sign_up(app: AppState, form: api::SignUp) -> Result<(), ApiError> {
    let session = api::sign_up(&form).await?;
    adopt(app, session);
    Ok(())
}

/// Signs out: the catalog is forgotten with the session.
pub async fn sign_out(app: AppState) -> Result<(), ApiError> {
    let session = api::sign_out().await?;
    app.catalog.set(None);
    adopt(app, session);
    Ok(())
}

/// Chooses the organization every page acts for.
pub async fn choose_organization(app: AppState, org_id: String) -> Result<(), ApiError> {
    let session = api::set_organization(Some(&org_id)).await?;
    app.session.set(Some(session));
    Ok(())
}

/// Acts for no organization (the last one is gone).
pub async fn forget_organization(app: AppState) -> Result<(), ApiError> {
    let session = api::set_organization(None).await?;
    app.session.set(Some(session));
    Ok(())
}
