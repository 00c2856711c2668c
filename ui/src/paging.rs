//! Lists that grow with the organization: read from the server a page at a time as the
//! person scrolls, and searched on the server as they type (issue 14 #2). What is on
//! screen of the rows loaded is [`crate::components::windowed::WindowedList`]'s part.
//!
//! [`Loaded`] is the list's state and its rules (which request comes next, which answer
//! still counts), free of Leptos; [`PagedList`] runs it: it asks the loader for the first
//! page again whenever the organization or the search changes, and for the next page when
//! the window nears the end of what is loaded.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiError;
use crate::state::AppState;

/// Rows asked for at a time: a few screenfuls.
pub const PAGE_ROWS: i64 = 50;
/// How long the search box must stay unchanged before the server is asked: one request
/// per pause in typing, not one per keystroke.
pub const SEARCH_DEBOUNCE: Duration = Duration::from_millis(250);

/// One page as a loader answers it.
#[derive(Clone, Debug, PartialEq)]
pub struct Chunk<T> {
    /// The page's rows, in the list's order.
    pub rows: Vec<T>,
    /// Where the next page starts (the server's cursor).
    pub end_cursor: Option<String>,
    /// Whether rows follow this page.
    pub has_next: bool,
    /// Every row the search matches, on any page.
    pub total: i64,
}

/// A request for a page: of which query (a count bumped at every restart) and after
/// which cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    generation: u64,
    /// The cursor the page starts after; none for the first page.
    pub after: Option<String>,
}

/// The rows of a paged list loaded so far, and where loading stands.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded<T> {
    /// Every row loaded, in the list's order.
    pub rows: Vec<T>,
    /// The last loaded page's end cursor.
    pub cursor: Option<String>,
    /// Whether the server has rows after those loaded.
    pub has_next: bool,
    /// Every row the query matches (known once a page came back).
    pub total: Option<i64>,
    /// Why the last request failed; no page is asked for again until a restart.
    pub error: Option<String>,
    /// Whether a request is under way.
    pub loading: bool,
    generation: u64,
}

impl<T> Default for Loaded<T> {
    fn default() -> Self {
        Loaded {
            rows: Vec::new(),
            cursor: None,
            has_next: false,
            total: None,
            error: None,
            loading: false,
            generation: 0,
        }
    }
}

impl<T> Loaded<T> {
    /// Forgets every row for a new query (another search or organization, or the rows
    /// changed): the first page's request. Answers to earlier requests no longer count.
    pub fn restart(&mut self) -> Ticket {
        *self = Loaded {
            generation: self.generation + 1,
            loading: true,
            ..Loaded::default()
        };
        Ticket {
            generation: self.generation,
            after: None,
        }
    }

    /// Nothing to load (no organization): empty and idle; answers under way no longer count.
    pub fn clear(&mut self) {
        *self = Loaded {
            generation: self.generation + 1,
            ..Loaded::default()
        };
    }

    /// The next page's request, when the server has one and none is under way.
    pub fn next_page(&mut self) -> Option<Ticket> {
        if !self.has_next || self.loading || self.error.is_some() {
            return None;
        }
        self.loading = true;
        Some(Ticket {
            generation: self.generation,
            after: self.cursor.clone(),
        })
    }

    /// Takes the answer to `ticket`: its rows after those loaded, or its failure. An answer
    /// to a request made before the last restart is dropped (`false`): a slow page of an
    /// earlier search never lands in the new one's list.
    pub fn accept(&mut self, ticket: &Ticket, answer: Result<Chunk<T>, String>) -> bool {
        if ticket.generation != self.generation {
            return false;
        }
        self.loading = false;
        match answer {
            Ok(chunk) => {
                self.rows.extend(chunk.rows);
                // An empty last page keeps the cursor it started from.
                if chunk.end_cursor.is_some() {
                    self.cursor = chunk.end_cursor;
                }
                self.has_next = chunk.has_next;
                self.total = Some(chunk.total);
            }
            Err(why) => self.error = Some(why),
        }
        true
    }

    /// Reading the loaded rows again (someone changed them): the request for the first
    /// page, and how many rows to read from the top. The rows shown stay until
    /// [`Loaded::replace`] swaps the answer in; answers to earlier requests no longer count.
    pub fn refresh(&mut self) -> (Ticket, usize) {
        self.generation += 1;
        self.loading = true;
        self.error = None;
        let ticket = Ticket {
            generation: self.generation,
            after: None,
        };
        (ticket, self.rows.len())
    }

    /// Takes the answer to a [`Loaded::refresh`]: its rows replace every row loaded. An
    /// answer to an earlier request is dropped (`false`).
    pub fn replace(&mut self, ticket: &Ticket, answer: Result<Chunk<T>, String>) -> bool {
        if ticket.generation != self.generation {
            return false;
        }
        self.loading = false;
        match answer {
            Ok(chunk) => {
                self.rows = chunk.rows;
                self.cursor = chunk.end_cursor;
                self.has_next = chunk.has_next;
                self.total = Some(chunk.total);
            }
            Err(why) => self.error = Some(why),
        }
        true
    }

    /// Whether the next page is wanted while rows up to `shown_end` are on screen: when
    /// fewer than `ahead` loaded rows remain below them and the server has more.
    pub fn wants_more(&self, shown_end: usize, ahead: usize) -> bool {
        self.has_next
            && !self.loading
            && self.error.is_none()
            && shown_end.saturating_add(ahead) >= self.rows.len()
    }
}

/// A page's future, as a loader returns it.
pub type PageFuture<T> = Pin<Box<dyn Future<Output = Result<Chunk<T>, ApiError>>>>;

/// A loader of a paged list: the page of the organization (`org`) matching `search`
/// (empty for all) after `after`.
pub type PageLoader<T> = Rc<dyn Fn(String, String, Option<String>) -> PageFuture<T>>;

/// A paged list of the current organization, searched on the server (see the module).
pub struct PagedList<T: Send + Sync + 'static> {
    /// What is loaded.
    pub state: RwSignal<Loaded<T>>,
    /// What the search box holds (shown at once).
    pub typed: RwSignal<String>,
    /// The search the server was asked: `typed` once it rested for [`SEARCH_DEBOUNCE`].
    pub search: RwSignal<String>,
    /// Which keystroke is the latest: a debounce timer of an earlier one does nothing.
    keystrokes: StoredValue<u64>,
    load: StoredValue<PageLoader<T>, LocalStorage>,
    org: Signal<Option<String>>,
}

impl<T: Send + Sync + 'static> Clone for PagedList<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for PagedList<T> {}

impl<T: Clone + Send + Sync + 'static> PagedList<T> {
    /// The list of the current organization that `load` reads, kept up to date with what
    /// other people change (see [`PagedList::refresh`]).
    pub fn new<F, Fut>(load: F) -> Self
    where
        F: Fn(String, String, Option<String>) -> Fut + 'static,
        Fut: Future<Output = Result<Chunk<T>, ApiError>> + 'static,
    {
        let app = AppState::get();
        let list = Self::of(app.org.into(), load);
        Effect::new(move |before: Option<()>| {
            app.changes.track();
            // The first run is the list's own first read.
            if before.is_some() {
                list.refresh();
            }
        });
        list
    }

    /// The list of the organization `org` names, which `load` reads: the first page is
    /// read at once, and again whenever `org` or the search changes.
    pub fn of<F, Fut>(org: Signal<Option<String>>, load: F) -> Self
    where
        F: Fn(String, String, Option<String>) -> Fut + 'static,
        Fut: Future<Output = Result<Chunk<T>, ApiError>> + 'static,
    {
        let load: PageLoader<T> =
            Rc::new(move |org, search, after| Box::pin(load(org, search, after)) as PageFuture<T>);
        let list = PagedList {
            state: RwSignal::new(Loaded::default()),
            typed: RwSignal::new(String::new()),
            search: RwSignal::new(String::new()),
            keystrokes: StoredValue::new(0),
            load: StoredValue::new_local(load),
            org,
        };
        // Read again after signing in again, too (when the app's state is there).
        let reloads = use_context::<AppState>().map(|app| app.reloads);
        Effect::new(move |_| {
            org.track();
            list.search.track();
            if let Some(reloads) = reloads {
                reloads.track();
            }
            list.reload();
        });
        list
    }

    /// Reads the list again from its first page (after a change to its rows).
    pub fn reload(&self) {
        let Some(org) = self.org.get_untracked() else {
            self.state.update(Loaded::clear);
            return;
        };
        let Some(ticket) = self.state.try_update(Loaded::restart) else {
            return;
        };
        self.fetch(org, ticket);
    }

    /// Reads the rows loaded so far again, from the top, and swaps them in at once: what
    /// another person changed (a burst of their changes is one call) shows where the list
    /// stands.
    ///
    /// Why this and not another way: reading only the changed rows again cannot tell where
    /// a new or renamed row belongs in the list's order (by name), nor what the search now
    /// matches; starting over from the first page (as a new search does) would throw the
    /// person back to the top of a list they were scrolling. Reading as many rows as were
    /// loaded puts every change in its place, a new row where its name sorts, and keeps
    /// the scroll position: rows keep their keys, so only the changed ones are drawn
    /// again, and the old rows stay on screen until the new ones are in.
    pub fn refresh(&self) {
        let Some(org) = self.org.get_untracked() else {
            return;
        };
        let (Some(load), Some((ticket, wanted))) = (
            self.load.try_get_value(),
            self.state.try_update(Loaded::refresh),
        ) else {
            return;
        };
        let search = self.search.get_untracked().trim().to_owned();
        let state = self.state;
        spawn_local(async move {
            let mut read: Option<Chunk<T>> = None;
            let answer = loop {
                let after = read.as_ref().and_then(|r| r.end_cursor.clone());
                match load(org.clone(), search.clone(), after).await {
                    Err(error) => break Err(error.message),
                    Ok(page) => {
                        let page = match read.take() {
                            None => page,
                            Some(mut so_far) => {
                                so_far.rows.extend(page.rows);
                                if page.end_cursor.is_some() {
                                    so_far.end_cursor = page.end_cursor;
                                }
                                so_far.has_next = page.has_next;
                                so_far.total = page.total;
                                so_far
                            }
                        };
                        if !page.has_next || page.rows.len() >= wanted {
                            break Ok(page);
                        }
                        read = Some(page);
                    }
                }
            };
            state.try_update(|s| s.replace(&ticket, answer));
        });
    }

    /// Reads the list again from its first page whenever what `filter` reads changes (a
    /// filter beside the search: a destination, a role); not at once, the first page is
    /// already on its way.
    pub fn reload_when(&self, filter: impl Fn() + 'static) {
        let list = *self;
        Effect::new(move |seen: Option<()>| {
            filter();
            if seen.is_some() {
                list.reload();
            }
        });
    }

    /// Reads the next page, when there is one and none is under way.
    pub fn more(&self) {
        let Some(org) = self.org.get_untracked() else {
            return;
        };
        if let Some(ticket) = self.state.try_update(Loaded::next_page).flatten() {
            self.fetch(org, ticket);
        }
    }

    /// The search box changed to `text`: the server is asked once it rests.
    pub fn type_search(&self, text: String) {
        self.typed.set(text.clone());
        let Some(stroke) = self.keystrokes.try_update_value(|n| {
            *n += 1;
            *n
        }) else {
            return;
        };
        let list = *self;
        set_timeout(
            move || {
                if list.keystrokes.try_get_value() == Some(stroke)
                    && list.search.try_get_untracked().as_ref() != Some(&text)
                {
                    list.search.set(text);
                }
            },
            SEARCH_DEBOUNCE,
        );
    }

    fn fetch(&self, org: String, ticket: Ticket) {
        let Some(load) = self.load.try_get_value() else {
            return;
        };
        let search = self.search.get_untracked();
        let state = self.state;
        spawn_local(async move {
            let answer = load(org, search.trim().to_owned(), ticket.after.clone()).await;
            state.try_update(|s| s.accept(&ticket, answer.map_err(|e| e.message)));
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(rows: &[&str], cursor: &str, has_next: bool, total: i64) -> Chunk<String> {
        Chunk {
            rows: rows.iter().map(|r| r.to_string()).collect(),
            end_cursor: Some(cursor.to_owned()),
            has_next,
            total,
        }
    }

    #[test]
    fn a_refresh_keeps_the_rows_shown_until_the_new_ones_replace_them() {
        let mut list = Loaded::default();
        let first = list.restart();
        list.accept(&first, Ok(chunk(&["a", "c"], "c", true, 4)));
        let next = list.next_page().expect("a second page");
        list.accept(&next, Ok(chunk(&["d", "e"], "e", false, 4)));

        let (refresh, wanted) = list.refresh();
        assert_eq!(wanted, 4, "as many rows as were loaded are read again");
        assert_eq!(refresh.after, None, "from the top");
        assert_eq!(list.rows, ["a", "c", "d", "e"], "shown meanwhile");
        // Someone added "b" and deleted "e".
        assert!(list.replace(&refresh, Ok(chunk(&["a", "b", "c", "d"], "d", false, 4))));
        assert_eq!(list.rows, ["a", "b", "c", "d"]);
        assert_eq!(
            (list.total, list.has_next, list.loading),
            (Some(4), false, false)
        );
    }

    #[test]
    fn a_refresh_drops_answers_asked_before_it_and_is_dropped_by_a_restart() {
        let mut list = Loaded::default();
        let first = list.restart();
        list.accept(&first, Ok(chunk(&["a"], "a", true, 2)));
        let next = list.next_page().expect("a second page");
        let (refresh, _) = list.refresh();
        assert!(
            !list.accept(&next, Ok(chunk(&["z"], "z", false, 2))),
            "a page asked before the refresh would add rows the refresh reads"
        );
        let search = list.restart();
        assert!(
            !list.replace(&refresh, Ok(chunk(&["a", "b"], "b", false, 2))),
            "a new search wins over a refresh of the old one"
        );
        assert!(list.accept(&search, Ok(chunk(&["q"], "q", false, 1))));
        assert_eq!(list.rows, ["q"]);
    }
}
