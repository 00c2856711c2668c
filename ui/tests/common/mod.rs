//! What the browser tests share (`tests/form.rs`, `tests/bench_form.rs`): a fresh container
//! in the page, the bundled catalogs, and a destination's forms mounted as the configure
//! page mounts them.

use std::sync::Arc;

use houston_prototypes::{parse_catalog, Destination};
use houston_ui::components::form::model::{set_section_enabled, Rules};
use houston_ui::components::form::{ConfigForm, FieldList, FieldPath, FormState};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document")
}

/// A fresh container in the body, for one test's form.
pub fn container() -> HtmlElement {
    let element: HtmlElement = document()
        .create_element("div")
        .expect("a div")
        .unchecked_into();
    document()
        .body()
        .expect("a body")
        .append_child(&element)
        .expect("appended");
    element
}

/// Every destination of the catalogs the server bundles.
pub fn bundled_destinations() -> impl Iterator<Item = Destination> {
    [
        include_str!("../../../graphql/server/catalog/segment-actions.json"),
        include_str!("../../../graphql/server/catalog/segment-classic-2019.json"),
    ]
    .into_iter()
    .flat_map(|text| parse_catalog(text).expect("the bundled catalogs parse"))
}

/// Mounts the connection and configuration forms of `destination`, every section on, as
/// the configure page does; answers the mount handle, its root and the config form.
pub fn mount_destination(destination: &Arc<Destination>) -> (impl Sized, HtmlElement, FormState) {
    let root = container();
    let mut config = destination.default_config();
    for section in &destination.sections {
        set_section_enabled(&mut config, section, true);
    }
    let form = FormState::new(config, Rules::Config(destination.clone()));
    let connection = FormState::new(
        destination.default_connection(),
        Rules::Connection(destination.clone()),
    );
    let fields = Arc::new(destination.connection_fields.clone());
    let shown = destination.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <FieldList form=connection fields=fields parent=FieldPath::root() />
            <ConfigForm form=form destination=shown />
        }
    });
    (handle, root, form)
}
