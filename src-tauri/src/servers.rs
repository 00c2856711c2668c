//! The Houstons the app has used: the bundled one (always there) and the remote ones added,
//! newest used first. Each has its own session in the keyring (see
//! [`crate::session::server_account`]) and its own current organization in the settings.
//! Only the list's rules live here; opening a server is [`crate::session::Session`]'s.

use crate::session::normalize_url;
use houston_client::vocabulary::ErrorCode;
use houston_client::CommandError;

/// The window's name of the bundled server (a remote one is named by its endpoint).
pub const BUNDLED: &str = "bundled";

/// One Houston the app knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Server {
    /// The server inside the app.
    Bundled,
    /// A remote Houston, by its endpoint (`<origin>/graphql`, see [`normalize_url`]).
    Remote(String),
}

impl Server {
    /// The server the window names `id`: [`BUNDLED`], or any spelling of a remote address.
    pub fn parse(id: &str) -> Result<Server, CommandError> {
        if id.trim() == BUNDLED {
            Ok(Server::Bundled)
        } else {
            normalize_url(id).map(Server::Remote)
        }
    }

    /// Its name for the window and for the settings.
    pub fn id(&self) -> &str {
        match self {
            Server::Bundled => BUNDLED,
            Server::Remote(endpoint) => endpoint,
        }
    }
}

/// Puts the remote `endpoint` first in `used` (the remote servers, newest used first): a
/// server used again moves up, never twice in the list.
pub fn used(list: &mut Vec<String>, endpoint: &str) {
    list.retain(|known| known != endpoint);
    list.insert(0, endpoint.to_owned());
}

/// Whether `server` is in the list (the bundled one always is).
pub fn knows(list: &[String], server: &Server) -> bool {
    match server {
        Server::Bundled => true,
        Server::Remote(endpoint) => list.iter().any(|known| known == endpoint),
    }
}

/// Takes `server` out of `list`; answers the server to switch to first when it is the
/// `current` one (the bundled one). The bundled server cannot be forgotten: its data is in
/// the app's own directory.
pub fn forget(
    list: &mut Vec<String>,
    current: &Server,
    server: &Server,
) -> Result<Option<Server>, CommandError> {
    let Server::Remote(endpoint) = server else {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            "The bundled server is part of the app; it cannot be forgotten.",
        ));
    };
    if !knows(list, server) {
        return Err(CommandError::new(
            ErrorCode::NotFound,
            format!("{endpoint} is not in the list of servers."),
        ));
    }
    list.retain(|known| known != endpoint);
    Ok((current == server).then_some(Server::Bundled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_is_named_by_its_normalized_endpoint() {
        let spellings = [
            "https://Houston.example.org",
            " https://houston.example.org/ ",
            "https://houston.example.org/graphql",
        ];
        for spelling in spellings {
            assert_eq!(
                Server::parse(spelling).unwrap(),
                Server::Remote("https://houston.example.org/graphql".into()),
                "{spelling}"
            );
        }
        assert_eq!(Server::parse("bundled").unwrap(), Server::Bundled);
        assert_eq!(Server::Bundled.id(), "bundled");
        // An address the app would never post to is no server.
        assert_eq!(
            Server::parse("http://houston.example.org")
                .unwrap_err()
                .code,
            ErrorCode::InvalidInput
        );
    }

    #[test]
    fn a_server_added_twice_is_listed_once_newest_first() {
        let mut list = Vec::new();
        used(&mut list, "https://a.example/graphql");
        used(&mut list, "https://b.example/graphql");
        used(&mut list, "https://a.example/graphql");
        assert_eq!(
            list,
            ["https://a.example/graphql", "https://b.example/graphql"]
        );
        assert!(knows(&list, &Server::Bundled));
        assert!(knows(
            &list,
            &Server::Remote("https://b.example/graphql".into())
        ));
        assert!(!knows(
            &list,
            &Server::Remote("https://c.example/graphql".into())
        ));
    }

    #[test]
    fn forgetting_the_current_server_moves_to_the_bundled_one() {
        let a = Server::Remote("https://a.example/graphql".into());
        let b = Server::Remote("https://b.example/graphql".into());
        let mut list = vec![a.id().to_owned(), b.id().to_owned()];
        assert_eq!(forget(&mut list, &a, &a).unwrap(), Some(Server::Bundled));
        assert_eq!(list, [b.id()]);
        // Another one: the current one stays.
        assert_eq!(forget(&mut list, &Server::Bundled, &b).unwrap(), None);
        assert!(list.is_empty());
        // Gone already, or the bundled one: refused, and the list is unchanged.
        assert_eq!(
            forget(&mut list, &Server::Bundled, &b).unwrap_err().code,
            ErrorCode::NotFound
        );
        assert_eq!(
            forget(&mut list, &Server::Bundled, &Server::Bundled)
                .unwrap_err()
                .code,
            ErrorCode::InvalidInput
        );
    }
}
