//! The servers the app has used (the server menu): listing them, adding a remote one,
//! switching, and forgetting one. A switch takes the new server's session as a fresh
//! start: the old server's answers still on their way are dropped ([`api::new_server`]),
//! its organizations and catalog forgotten, and the page shown is read again from the new
//! one (the app builds it anew when [`AppState::server`] changes).

use leptos::prelude::*;

use crate::api::{self, ApiError, KnownServer, Session};
use crate::loaders::session;
use crate::state::{AppState, Page};

/// The servers used, the bundled one first, the current one marked.
pub async fn list() -> Result<Vec<KnownServer>, ApiError> {
    api::servers().await
}

/// Adds the remote Houston at `url` (refused with a sentence when nothing, or not a
/// Houston, answers there) and switches to it.
pub async fn add_and_switch(app: AppState, url: String) -> Result<(), ApiError> {
    let listed = api::add_server(&url).await?;
    // The shell names the server by its normalized endpoint; it is the newest used.
    let Some(added) = listed.into_iter().find(|s| s.url.is_some()) else {
        return Ok(());
    };
    switch(app, added.id).await
}

/// Switches to the server `id`, with the session the keyring keeps for it.
pub async fn switch(app: AppState, id: String) -> Result<(), ApiError> {
    let session = api::switch_server(&id).await?;
    take(app, session);
    Ok(())
}

/// Takes the server `id` out of the list (its session deleted); when it was the current
/// one, the app is on the bundled server after.
pub async fn forget(app: AppState, id: String) -> Result<(), ApiError> {
    let session = api::forget_server(&id).await?;
    if app.server.get_untracked() == session.remote_url {
        app.session.set(Some(session));
    } else {
        take(app, session);
    }
    Ok(())
}

/// The new server's session, taken in place of the old one's.
fn take(app: AppState, session: Session) {
    api::new_server();
    app.catalog.set(None);
    app.orgs.set(Vec::new());
    app.reauth.set(false);
    app.unreachable.set(false);
    app.notice.set(None);
    app.page.update(|page| *page = same_page_elsewhere(page));
    session::adopt(app, session);
}

/// The page to show on another server in place of `page`: the same one, or its list when
/// it names something of the old server (an integration, a source).
pub fn same_page_elsewhere(page: &Page) -> Page {
    match page {
        Page::Configure(_, Some(_)) => Page::Integrations,
        Page::Debugger(..) => Page::Sources,
        Page::Reports(Some(_)) => Page::Reports(None),
        page => page.clone(),
    }
}

/// How the menu names a server: "Bundled server", or its address without `/graphql`.
pub fn label(server: &KnownServer) -> String {
    match &server.url {
        Some(url) => url.trim_end_matches("/graphql").to_owned(),
        None => "Bundled server".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::BackendKind;

    #[test]
    fn a_page_naming_the_old_servers_things_becomes_its_list() {
        assert_eq!(
            same_page_elsewhere(&Page::Debugger("a".into(), "Shop".into())),
            Page::Sources
        );
        assert_eq!(
            same_page_elsewhere(&Page::Reports(Some("a".into()))),
            Page::Reports(None)
        );
        assert_eq!(same_page_elsewhere(&Page::Members), Page::Members);
        assert_eq!(
            same_page_elsewhere(&Page::Configure("acquisio".into(), None)),
            Page::Configure("acquisio".into(), None)
        );
    }

    #[test]
    fn a_server_is_shown_by_its_address() {
        let remote = KnownServer {
            id: "https://h.example.org/graphql".into(),
            backend: BackendKind::Remote,
            url: Some("https://h.example.org/graphql".into()),
            current: false,
            signed_in: false,
        };
        assert_eq!(label(&remote), "https://h.example.org");
    }
}
