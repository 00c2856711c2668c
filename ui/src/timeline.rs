//! Marks on the page's performance timeline (the User Timing API's `performance.mark`) at
//! the steps of a path a person waits on, so that a window test can say where the time
//! went (`performance.getEntriesByType("mark")`, on the clock of `performance.now()`).
//! A mark costs one call into the page; nothing reads them in the app itself.

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Puts `name` on the page's timeline now (nothing outside a page).
pub fn mark(name: &str) {
    let performance = Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
        .ok()
        .filter(|p| p.is_object());
    let Some(performance) = performance else {
        return;
    };
    let mark = Reflect::get(&performance, &JsValue::from_str("mark"))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok());
    if let Some(mark) = mark {
        let _ = mark.call1(&performance, &JsValue::from_str(name));
    }
}
