//! Times as a person reads them: relative in their own locale ("3 minutes ago", "in 6
//! days"), with the exact time on hover. Every timestamp of the window goes through
//! [`Time`] (or [`relative_in`] and [`exact_in`]), so they read the same everywhere.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// The unit and signed count a difference of `seconds` (later minus now: negative is in
/// the past) is said in: whole units, the largest that fits (a minute and a half is "1
/// minute ago", never "90 seconds ago").
pub fn relative_unit(seconds: f64) -> (f64, &'static str) {
    const STEPS: [(f64, &str); 6] = [
        (60.0, "second"),
        (3_600.0, "minute"),
        (86_400.0, "hour"),
        (2_592_000.0, "day"),
        (31_536_000.0, "month"),
        (f64::INFINITY, "year"),
    ];
    let size = seconds.abs();
    let mut per_unit = 1.0;
    for (limit, unit) in STEPS {
        if size < limit {
            let count = (size / per_unit).floor();
            return (count.copysign(seconds) + 0.0, unit);
        }
        per_unit = limit;
    }
    (0.0, "second")
}

/// Milliseconds since the epoch of an RFC 3339 time, if it is one.
fn millis(at: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(at);
    (!ms.is_nan()).then_some(ms)
}

/// A new `Intl.<class>` for `locale` with `options`; the default locale when `locale` is
/// not one Intl knows (a webview may say `c`), so that a time never stops the page.
fn intl(class: &str, locale: &str, options: &js_sys::Object) -> Option<JsValue> {
    use js_sys::{Array, Function, Reflect};
    use wasm_bindgen::JsCast;
    let namespace = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let constructor: Function = Reflect::get(&namespace, &class.into())
        .ok()?
        .dyn_into()
        .ok()?;
    Reflect::construct(&constructor, &Array::of2(&locale.into(), options))
        .or_else(|_| Reflect::construct(&constructor, &Array::of2(&JsValue::UNDEFINED, options)))
        .ok()
}

/// Calls `formatter.format(args…)`, answering its text.
fn format(formatter: &JsValue, args: &[JsValue]) -> Option<String> {
    use wasm_bindgen::JsCast;
    let method: js_sys::Function = js_sys::Reflect::get(formatter, &"format".into())
        .ok()?
        .dyn_into()
        .ok()?;
    method
        .apply(formatter, &args.iter().collect::<js_sys::Array>())
        .ok()?
        .as_string()
}

/// `at` (RFC 3339) relative to `now_ms`, in `locale` ("3 minutes ago", "now").
pub fn relative_in(locale: &str, at: &str, now_ms: f64) -> Option<String> {
    let (count, unit) = relative_unit((millis(at)? - now_ms) / 1000.0);
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"numeric".into(), &"auto".into()).ok()?;
    let formatter = intl("RelativeTimeFormat", locale, &options)?;
    format(
        &formatter,
        &[JsValue::from_f64(count), JsValue::from_str(unit)],
    )
}

/// `at` (RFC 3339) to the second, with its date, in `locale`.
pub fn exact_in(locale: &str, at: &str) -> Option<String> {
    let date = js_sys::Date::new(&JsValue::from_f64(millis(at)?));
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"dateStyle".into(), &"long".into()).ok()?;
    js_sys::Reflect::set(&options, &"timeStyle".into(), &"medium".into()).ok()?;
    let formatter = intl("DateTimeFormat", locale, &options)?;
    format(&formatter, &[date.into()])
}

/// The person's locale (the webview's language), English when it says none.
pub fn locale() -> String {
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "en".to_owned())
}

/// How often the window's relative times are said again.
pub const TICK: std::time::Duration = std::time::Duration::from_secs(10);

thread_local! {
    /// The one clock every [`Time`] reads, with the root owner that keeps its signal alive
    /// whatever component asked first.
    static CLOCK: std::cell::OnceCell<(Owner, ReadSignal<f64>)> = const { std::cell::OnceCell::new() };
}

/// Now, in milliseconds since the epoch, as the window's relative times read it: tracked,
/// it moves on every [`TICK`]. One timer for the whole window, started by the first reader
/// (not one a timestamp: a list of them would each wake the page).
pub fn now() -> f64 {
    CLOCK.with(|clock| {
        let (_, now) = clock.get_or_init(|| {
            let owner = Owner::new_root(None);
            let now = owner.with(|| {
                let (now, set_now) = signal(js_sys::Date::now());
                // Never cleared: the clock lives as long as the window.
                let _ = set_interval_with_handle(
                    move || {
                        let _ = set_now.try_set(js_sys::Date::now());
                    },
                    TICK,
                );
                now
            });
            (owner, now)
        });
        now.get()
    })
}

/// A timestamp: relative in the person's locale (said again as time passes, on the
/// window's one clock), the exact time on hover; the text as given when it is not a time.
#[component]
pub fn Time(
    /// The time, RFC 3339.
    #[prop(into)]
    at: String,
) -> impl IntoView {
    let locale = locale();
    let exact = exact_in(&locale, &at).unwrap_or_else(|| at.clone());
    let shown = {
        let at = at.clone();
        move || relative_in(&locale, &at, now()).unwrap_or_else(|| at.clone())
    };
    view! { <time class="time" datetime=at title=exact>{shown}</time> }
}
