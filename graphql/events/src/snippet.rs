//! The analytics.js snippet for a source: Segment's official snippet (`@segment/snippet`
//! 5.2.1, the minified template, `SNIPPET_VERSION` 5.2.0) pointed at a Houston server
//! instead of Segment's CDN and API, so that a page that carries it needs nothing else from
//! the internet.
//!
//! Against the official snippet, exactly three things differ, all through the snippet's own
//! options:
//!
//! - the script's `src` is `<base>/analytics.js/v1/<writeKey>/analytics.min.js` (the
//!   template's `host`, with the base's own scheme: the template always writes `https://`,
//!   which a loopback server does not speak);
//! - `analytics._cdn = "<base>"` (the template's `useHostForBundles`): analytics.js loads its
//!   settings (`<cdn>/v1/projects/<writeKey>/settings`) and its chunks
//!   (`<cdn>/analytics-next/bundles/…`) from there; it would read the CDN from the script's
//!   `src` only when that is `https://`;
//! - `analytics.load` gets `{"integrations": {"Segment.io": {"apiHost": "<host>/v1",
//!   "protocol": "<scheme>"}}}`, so events go to the server's collector whatever the
//!   settings say (the server's settings say the same, but behind a proxy that rewrites the
//!   path only the page knows the address it can reach).

use serde_json::{json, Value};

/// How analytics.js delivers events: one request per call (its default), or batches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// One `POST /v1/<t|p|i|g|a|s>` per call.
    Standard,
    /// `POST /v1/b` with up to `size` events, at the latest `timeout_ms` after the first.
    Batching {
        /// Events per batch.
        size: u32,
        /// Milliseconds a batch waits for more events.
        timeout_ms: u32,
    },
}

/// The snippet the Sources page shows for the source `write_key` on the server at
/// `base_url` (`http://127.0.0.1:8871`, `https://houston.example.com`, with or without a
/// path or a trailing slash; without a scheme, `https` is meant): a `<script>` element to
/// paste into a page's `<head>`. It loads analytics.js from the server, sends every event to
/// it, and records a page view, as Segment's snippet does.
pub fn snippet(write_key: &str, base_url: &str) -> String {
    snippet_with(write_key, base_url, Delivery::Standard)
}

/// [`snippet`] with a choice of [`Delivery`].
pub fn snippet_with(write_key: &str, base_url: &str, delivery: Delivery) -> String {
    let (protocol, host) = scheme_and_host(base_url);
    let base = format!("{protocol}://{host}");
    let mut segment_io = json!({ "apiHost": format!("{host}/v1"), "protocol": protocol });
    if let Delivery::Batching { size, timeout_ms } = delivery {
        segment_io["deliveryStrategy"] = json!({
            "strategy": "batching",
            "config": { "size": size, "timeout": timeout_ms }
        });
    }
    let options = json!({ "integrations": { "Segment.io": segment_io } });
    let key = script_value(&Value::from(write_key));
    let src = script_value(&Value::from(format!("{base}/analytics.js/v1/")));
    let cdn = script_value(&Value::from(base));
    let options = script_value(&options);
    // The template of @segment/snippet 5.2.1 (dist/min.template.js), word for word but for
    // the three values above.
    format!(
        "<script>\n!function(){{var i=\"analytics\",analytics=window[i]=window[i]||[];if(!analytics.initialize)if(analytics.invoked)window.console&&console.error&&console.error(\"Segment snippet included twice.\");else{{analytics.invoked=!0;analytics.methods=[\"trackSubmit\",\"trackClick\",\"trackLink\",\"trackForm\",\"pageview\",\"identify\",\"reset\",\"group\",\"track\",\"ready\",\"alias\",\"debug\",\"page\",\"screen\",\"once\",\"off\",\"on\",\"addSourceMiddleware\",\"addIntegrationMiddleware\",\"setAnonymousId\",\"addDestinationMiddleware\",\"register\"];analytics.factory=function(e){{return function(){{if(window[i].initialized)return window[i][e].apply(window[i],arguments);var n=Array.prototype.slice.call(arguments);if([\"track\",\"screen\",\"alias\",\"group\",\"page\",\"identify\"].indexOf(e)>-1){{var c=document.querySelector(\"link[rel='canonical']\");n.push({{__t:\"bpc\",c:c&&c.getAttribute(\"href\")||void 0,p:location.pathname,u:location.href,s:location.search,t:document.title,r:document.referrer}})}}n.unshift(e);analytics.push(n);return analytics}}}};for(var n=0;n<analytics.methods.length;n++){{var key=analytics.methods[n];analytics[key]=analytics.factory(key)}}analytics.load=function(key,n){{var t=document.createElement(\"script\");t.type=\"text/javascript\";t.async=!0;t.setAttribute(\"data-global-segment-analytics-key\",i);t.src={src} + key + \"/analytics.min.js\";var r=document.getElementsByTagName(\"script\")[0];r.parentNode.insertBefore(t,r);analytics._loadOptions=n}};analytics._writeKey={key};analytics._cdn = {cdn};analytics.SNIPPET_VERSION=\"5.2.0\";\nanalytics.load({key}, {options});\nanalytics.page();\n}}}}();\n</script>"
    )
}

/// The scheme and the host (with any path) of `base_url`, as [`snippet`] reads it:
/// `https` when it names none.
fn scheme_and_host(base_url: &str) -> (String, &str) {
    let trimmed = base_url.trim().trim_end_matches('/');
    match trimmed.split_once("://") {
        Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
        None => ("https".to_owned(), trimmed),
    }
}

/// Whether Segment's mobile libraries can reach the server at `base_url`: they always
/// speak `https` (`https://<apiHost>/b`), so a server served over plain `http` needs TLS
/// in front of it first.
pub fn mobile_reachable(base_url: &str) -> bool {
    scheme_and_host(base_url).0 == "https"
}

/// The setup of Segment's iOS library (`analytics-swift`, `import Segment`) for the
/// source `write_key` sending to the server at `base_url`: its events go to
/// `<host>/v1/b` and its settings come from `<host>/v1/projects/<writeKey>/settings`,
/// the collector's routes. Swift code for the app's start.
pub fn swift(write_key: &str, base_url: &str) -> String {
    let host = format!("{}/v1", scheme_and_host(base_url).1);
    format!(
        "import Segment\n\nlet analytics = Analytics(configuration: Configuration(writeKey: {key})\n    .apiHost({host})\n    .cdnHost({host})\n    .trackApplicationLifecycleEvents(true)\n    .flushAt(3))\n\nanalytics.track(name: \"App Opened\")\n",
        key = Value::from(write_key),
        host = Value::from(host),
    )
}

/// The setup of Segment's Android library (`analytics-kotlin`) for the source
/// `write_key` sending to the server at `base_url`, as [`swift`] does for iOS: Kotlin
/// code for the app's `Application.onCreate`.
pub fn kotlin(write_key: &str, base_url: &str) -> String {
    let host = format!("{}/v1", scheme_and_host(base_url).1);
    format!(
        "import com.segment.analytics.kotlin.android.Analytics\n\nval analytics = Analytics({key}, applicationContext) {{\n    apiHost = {host}\n    cdnHost = {host}\n    trackApplicationLifecycleEvents = true\n    flushAt = 3\n}}\n\nanalytics.track(\"App Opened\")\n",
        key = Value::from(write_key),
        host = Value::from(host),
    )
}

/// A call of Segment's HTTP Tracking API for the source `write_key` on the server at
/// `base_url`, as a server-side library makes it: `POST <base>/v1/track` with the write
/// key as HTTP Basic user name.
pub fn http(write_key: &str, base_url: &str) -> String {
    let (scheme, host) = scheme_and_host(base_url);
    format!(
        "curl {scheme}://{host}/v1/track \\\n  -u '{key}:' \\\n  -H 'Content-Type: application/json' \\\n  -d '{{\"userId\": \"user-1\", \"event\": \"Order Completed\", \"properties\": {{\"revenue\": 25}}}}'\n",
        key = write_key.replace('\'', ""),
    )
}

/// `value` as a JavaScript literal that is safe inside an HTML `<script>` element: JSON,
/// with `<`, `>` and `&` escaped so that no value can close the element.
fn script_value(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_server() {
        let s = snippet("src_1", "http://127.0.0.1:8871/");
        assert!(s.starts_with("<script>\n!function(){var i=\"analytics\""));
        assert!(s.ends_with("}}();\n</script>"));
        assert!(s.contains(
            "t.src=\"http://127.0.0.1:8871/analytics.js/v1/\" + key + \"/analytics.min.js\""
        ));
        assert!(s.contains("analytics._writeKey=\"src_1\";"));
        assert!(s.contains("analytics._cdn = \"http://127.0.0.1:8871\";"));
        assert!(s.contains(
            "analytics.load(\"src_1\", {\"integrations\":{\"Segment.io\":{\"apiHost\":\"127.0.0.1:8871/v1\",\"protocol\":\"http\"}}});"
        ));
        assert!(s.contains("\nanalytics.page();\n"));
        assert!(!s.contains("segment.com"));
    }

    #[test]
    fn remote_server_with_a_path_and_no_scheme() {
        let s = snippet("k", "houston.example.com/collect");
        assert!(s.contains("t.src=\"https://houston.example.com/collect/analytics.js/v1/\""));
        assert!(s.contains("analytics._cdn = \"https://houston.example.com/collect\";"));
        assert!(s.contains("\"apiHost\":\"houston.example.com/collect/v1\",\"protocol\":\"https\""));
    }

    #[test]
    fn batching() {
        let s = snippet_with(
            "k",
            "HTTP://localhost:9000",
            Delivery::Batching {
                size: 5,
                timeout_ms: 300,
            },
        );
        assert!(s.contains(
            "{\"apiHost\":\"localhost:9000/v1\",\"deliveryStrategy\":{\"config\":{\"size\":5,\"timeout\":300},\"strategy\":\"batching\"},\"protocol\":\"http\"}"
        ));
    }

    #[test]
    fn mobile_setups_point_segments_libraries_at_the_collector() {
        let ios = swift("src_1", "https://houston.example.com/collect/");
        assert!(ios.starts_with("import Segment\n"), "{ios}");
        assert!(ios.contains("Configuration(writeKey: \"src_1\")"), "{ios}");
        assert!(ios.contains(".apiHost(\"houston.example.com/collect/v1\")"));
        assert!(ios.contains(".cdnHost(\"houston.example.com/collect/v1\")"));
        let android = kotlin("src_1", "https://houston.example.com");
        assert!(android.starts_with("import com.segment.analytics.kotlin.android.Analytics\n"));
        assert!(
            android.contains("Analytics(\"src_1\", applicationContext)"),
            "{android}"
        );
        assert!(android.contains("apiHost = \"houston.example.com/v1\""));
        assert!(android.contains("cdnHost = \"houston.example.com/v1\""));
        for code in [&ios, &android] {
            assert!(!code.contains("<script"), "not the web snippet: {code}");
            assert!(!code.contains("segment.io") && !code.contains("segment.com"));
        }
        assert!(mobile_reachable("https://houston.example.com"));
        assert!(mobile_reachable("houston.example.com"), "https is meant");
        assert!(!mobile_reachable("http://127.0.0.1:8871"));
        // A key cannot break out of its string literal.
        assert!(swift("a\"b", "h").contains("writeKey: \"a\\\"b\""));
    }

    #[test]
    fn a_server_library_calls_the_http_api() {
        let call = http("src_1", "http://127.0.0.1:8871/");
        assert!(
            call.starts_with("curl http://127.0.0.1:8871/v1/track \\\n"),
            "{call}"
        );
        assert!(call.contains("-u 'src_1:'"));
        assert!(call.contains("\"event\": \"Order Completed\""));
    }

    #[test]
    fn no_value_closes_the_script_element() {
        let s = snippet("</script><script>alert(1)</script>", "http://a\"b</script>");
        assert_eq!(s.matches("</script>").count(), 1);
        assert!(s.contains("\\u003c/script\\u003e"));
        assert!(s.contains("a\\\"b"));
    }
}
