//! The paged lists in the browser (issue 14 #2): the loader's rules (which page comes
//! next, a stale answer dropped), the search debounced to one request per pause in
//! typing, and the windowed list: only the rows on screen in the page, the next page
//! read as the person scrolls near the end of those loaded.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use houston_ui::components::combobox::{Choice, Combobox};
use houston_ui::components::windowed::{Layout, ListSearch, WindowedList};
use houston_ui::paging::{Chunk, Loaded, PageFuture, PagedList};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

mod common;
use common::{container, count, eval, sleep, text_of, texts_of};

wasm_bindgen_test_configure!(run_in_browser);

fn chunk(rows: &[&str], cursor: Option<&str>, has_next: bool, total: i64) -> Chunk<String> {
    Chunk {
        rows: rows.iter().map(|r| r.to_string()).collect(),
        end_cursor: cursor.map(str::to_owned),
        has_next,
        total,
    }
}

#[wasm_bindgen_test]
fn pages_follow_one_another_and_a_stale_answer_is_dropped() {
    let mut s = Loaded::<String>::default();
    assert_eq!(
        s.next_page(),
        None,
        "nothing to follow before the first page"
    );
    let first = s.restart();
    assert_eq!(first.after, None);
    assert!(s.loading && s.rows.is_empty());
    assert_eq!(s.next_page(), None, "one request at a time");
    assert!(s.accept(&first, Ok(chunk(&["a", "b"], Some("c2"), true, 5))));
    assert_eq!(s.total, Some(5));
    assert!(
        s.wants_more(0, 2),
        "two rows left below the screen, two ahead wanted"
    );
    assert!(!s.wants_more(0, 1));
    let second = s.next_page().expect("the next page");
    assert_eq!(second.after.as_deref(), Some("c2"));
    assert!(!s.wants_more(2, 10), "not while a page is on its way");

    // The search changed while the second page was on its way: its answer is dropped.
    let fresh = s.restart();
    assert!(!s.accept(&second, Ok(chunk(&["c", "d"], Some("c4"), true, 5))));
    assert!(s.rows.is_empty() && s.loading);
    assert!(s.accept(&fresh, Ok(chunk(&["b"], Some("c1"), false, 1))));
    assert_eq!(s.rows, vec!["b".to_owned()]);
    assert_eq!(s.next_page(), None, "the last page was read");
    assert!(!s.wants_more(1, 10));

    // A failure stops the list until it restarts; clearing drops what is on its way.
    let again = s.restart();
    assert!(s.accept(&again, Err("offline".into())));
    assert_eq!(s.error.as_deref(), Some("offline"));
    assert_eq!(s.next_page(), None);
    let late = s.restart();
    s.clear();
    assert!(!s.loading);
    assert!(!s.accept(&late, Ok(chunk(&["x"], None, false, 1))));
    assert!(s.rows.is_empty());
}

/// Names of a large organization's sources, in the server's order.
fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("Source {i:05}")).collect()
}

/// What the stand-in server was asked: (search, after).
type Asked = Rc<RefCell<Vec<(String, Option<String>)>>>;

/// A stand-in for the server's paged list over `rows`: pages of 50 matching the search,
/// each answered after `delay(search)` ms; every request is written to the answer's log.
fn server(
    rows: Vec<String>,
    delay: fn(&str) -> i32,
) -> (
    Asked,
    impl Fn(String, String, Option<String>) -> PageFuture<String> + 'static,
) {
    let asked: Asked = Rc::default();
    let log = asked.clone();
    let rows = Rc::new(rows);
    let load = move |_org: String, search: String, after: Option<String>| {
        log.borrow_mut().push((search.clone(), after.clone()));
        let rows = rows.clone();
        Box::pin(async move {
            sleep(delay(&search)).await;
            let matching: Vec<&String> = rows
                .iter()
                .filter(|r| r.contains(search.as_str()))
                .collect();
            let start = after
                .and_then(|a| a.parse::<usize>().ok())
                .map_or(0, |a| a + 1);
            let page: Vec<String> = matching
                .iter()
                .skip(start)
                .take(50)
                .map(|r| r.to_string())
                .collect();
            let end = start + page.len();
            Ok(Chunk {
                end_cursor: (!page.is_empty()).then(|| (end - 1).to_string()),
                has_next: end < matching.len(),
                total: matching.len() as i64,
                rows: page,
            })
        }) as PageFuture<String>
    };
    (asked, load)
}

#[wasm_bindgen_test]
async fn typing_asks_the_server_once_it_rests_and_only_the_last_search_lands() {
    // The first search ("1") is slow: its answer comes after the last search's.
    // Effects run on the wasm executor, which mounting a view starts.
    let _started = leptos::mount::mount_to(container(), || ());
    let (asked, load) = server(names(300), |s| if s == "1" { 400 } else { 10 });
    let owner = Owner::new();
    let list = owner.with(|| {
        let org = Signal::stored(Some("org".to_owned()));
        PagedList::of(org, load)
    });
    sleep(80).await;
    assert_eq!(asked.borrow().as_slice(), &[(String::new(), None)]);
    assert_eq!(list.state.with_untracked(|s| s.rows.len()), 50);
    assert_eq!(list.state.with_untracked(|s| s.total), Some(300));

    list.type_search("1".into());
    sleep(300).await;
    assert_eq!(
        asked.borrow().len(),
        2,
        "one request after the pause: {:?}",
        asked.borrow()
    );
    // Typing on quickly: one request for the last text only.
    for text in ["12", "123", "1234", "00123"] {
        list.type_search(text.into());
        sleep(40).await;
    }
    assert_eq!(
        asked.borrow().len(),
        2,
        "none while typing: {:?}",
        asked.borrow()
    );
    assert_eq!(
        list.typed.get_untracked(),
        "00123",
        "the box shows what was typed"
    );
    sleep(300).await;
    assert_eq!(
        asked.borrow().last().cloned(),
        Some(("00123".to_owned(), None)),
        "{:?}",
        asked.borrow()
    );
    assert_eq!(asked.borrow().len(), 3, "{:?}", asked.borrow());
    // The slow answer for "1" arrives last and is dropped.
    sleep(400).await;
    assert_eq!(
        list.state.with_untracked(|s| (s.rows.clone(), s.total)),
        (vec!["Source 00123".to_owned()], Some(1))
    );

    // The next page follows the cursor of the one before.
    list.type_search(String::new());
    sleep(300).await;
    list.more();
    sleep(60).await;
    assert_eq!(
        asked.borrow().last().cloned(),
        Some((String::new(), Some("49".into())))
    );
    assert_eq!(list.state.with_untracked(|s| s.rows.len()), 100);
    drop(owner);
}

#[wasm_bindgen_test]
async fn the_window_holds_the_rows_on_screen_and_reads_on_as_it_scrolls() {
    let style = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("style").ok())
        .expect("a style element");
    style.set_text_content(Some(include_str!("../style.css")));
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.head())
        .expect("a head")
        .append_child(&style)
        .expect("the stylesheet");
    let (asked, load) = server(names(10_000), |_| 5);
    let root = container();
    let load = RefCell::new(Some(load));
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        let org = Signal::stored(Some("org".to_owned()));
        let list = PagedList::of(org, load.borrow_mut().take().expect("mounted once"));
        view! {
            <ListSearch list=list id="t-search" placeholder="Search" />
            <WindowedList list=list id="t-list" layout=Layout::Blocks row_px=30.0
                key=|r: &String| r.clone()
                row=|r: String| view! { <div class="t-row">{r}</div> }
                empty="None." />
        }
    });
    sleep(150).await;
    let rendered = || count(&root, ".t-row");
    let total = || text_of(&root, ".list-total");
    assert_eq!(total(), "50 of 10000");
    let first = rendered();
    assert!(first > 0 && first < 50, "only the rows on screen: {first}");
    assert_eq!(asked.borrow().len(), 1);

    // Scrolled to the end of the loaded rows: the next page is read, still windowed.
    let scroller: web_sys::HtmlElement = root
        .query_selector("#t-list")
        .ok()
        .flatten()
        .expect("the list box")
        .unchecked_into();
    for _ in 0..4 {
        scroller.set_scroll_top(scroller.scroll_height());
        scroller
            .dispatch_event(&web_sys::Event::new("scroll").expect("an event"))
            .expect("dispatched");
        sleep(120).await;
    }
    let loaded = asked.borrow().len();
    assert!(
        loaded >= 3,
        "pages read while scrolling: {:?}",
        asked.borrow()
    );
    assert_eq!(total(), format!("{} of 10000", loaded * 50));
    let now = rendered();
    assert!(now > 0 && now < 60, "still only the rows on screen: {now}");
    let shown = texts_of(&root, ".t-row");
    assert!(
        shown.iter().any(|r| r.as_str() >= "Source 00100"),
        "the rows further down are on screen: {shown:?}"
    );
}

/// Sends a key to the element `id` as the keyboard does (`keydown`; built in the page's
/// script: the UI's web-sys features have no `KeyboardEventInit`).
fn key(id: &str, name: &str) {
    eval(&format!(
        "document.getElementById('{id}').dispatchEvent(new KeyboardEvent('keydown', \
         {{ key: '{name}', bubbles: true, cancelable: true }}))"
    ));
}

#[wasm_bindgen_test]
async fn the_combobox_searches_the_server_offers_one_page_and_is_driven_by_keys() {
    let root = container();
    let (asked, load) = server(names(10_000), |_| 5);
    let value = Rc::new(RefCell::new(None::<RwSignal<String>>));
    let kept = value.clone();
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        let org = Signal::stored(Some("org".to_owned()));
        let list = PagedList::of(org, load);
        let chosen = RwSignal::new("new".to_owned());
        *kept.borrow_mut() = Some(chosen);
        view! {
            <Combobox list=list id="t-pick" value=chosen
                fixed=vec![Choice::new("new", "New one…")]
                choice=|r: &String| Choice::new(r.to_lowercase(), r.clone()) />
        }
    });
    let chosen = value.borrow().expect("mounted");
    sleep(80).await;
    let input: web_sys::HtmlInputElement = root
        .query_selector("#t-pick")
        .ok()
        .flatten()
        .expect("the text box")
        .unchecked_into();
    let attr = |name: &str| input.get_attribute(name).unwrap_or_default();
    assert_eq!(attr("role"), "combobox");
    assert_eq!(attr("aria-controls"), "t-pick-options");
    assert_eq!(input.value(), "New one…", "the chosen option's text");
    assert_eq!(attr("aria-expanded"), "false");

    // Opened: the fixed option and one page of 10,000, never more.
    key("t-pick", "ArrowDown");
    sleep(20).await;
    assert_eq!(attr("aria-expanded"), "true");
    assert_eq!(count(&root, "#t-pick-options [role=option]"), 51);
    assert_eq!(attr("aria-activedescendant"), "t-pick-option-0");
    assert_eq!(
        text_of(&root, "#t-pick-options .combobox-more"),
        "50 of 10000: type to narrow"
    );

    // Typing asks the server once it rests.
    let before = asked.borrow().len();
    input.set_value("Source 0999");
    input
        .dispatch_event(&web_sys::Event::new("input").expect("an event"))
        .expect("dispatched");
    sleep(350).await;
    assert_eq!(
        asked.borrow()[before..],
        [("Source 0999".to_owned(), None)],
        "one request for the typed text"
    );
    assert_eq!(
        texts_of(&root, "#t-pick-options [role=option]"),
        ["New one…"]
            .into_iter()
            .map(str::to_owned)
            .chain((9990..10_000).map(|n| format!("Source {n:05}")))
            .collect::<Vec<_>>()
    );

    // Up wraps to the last option, Enter chooses it; the list closes on the choice.
    key("t-pick", "ArrowUp");
    sleep(20).await;
    assert_eq!(attr("aria-activedescendant"), "t-pick-option-10");
    key("t-pick", "Enter");
    sleep(20).await;
    assert_eq!(chosen.get_untracked(), "source 09999");
    assert_eq!(input.value(), "Source 09999");
    assert_eq!(attr("aria-expanded"), "false");
    assert_eq!(attr("aria-activedescendant"), "");

    // Escape drops what was typed and shows the choice again.
    key("t-pick", "ArrowDown");
    input.set_value("zzz");
    input
        .dispatch_event(&web_sys::Event::new("input").expect("an event"))
        .expect("dispatched");
    key("t-pick", "Escape");
    sleep(20).await;
    assert_eq!(input.value(), "Source 09999");
    assert_eq!(chosen.get_untracked(), "source 09999");
    assert_eq!(attr("aria-expanded"), "false");
    root.remove();
}
