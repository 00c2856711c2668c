//! How to send a source's events to the server, for the source's platform: the
//! analytics.js snippet for a web site, Segment's iOS (Swift) or Android (Kotlin) library
//! pointed at the collector, or a call of the HTTP Tracking API for a server. The code
//! itself is `houston_events::snippet`'s.

use houston_events::snippet;
use houston_vocabulary::Platform;
use leptos::prelude::*;

/// The setup a source of `platform` shows: a sentence saying where, and the code.
pub struct Setup {
    /// Where the code goes, for a person.
    pub intro: &'static str,
    /// The code, with the write key and the collector's address in it.
    pub code: String,
}

/// The setup of the source `write_key` of `platform` sending to the collector at `url`.
/// A platform this build does not know shows the web snippet.
pub fn setup(platform: &str, write_key: &str, url: &str) -> Setup {
    match platform.parse::<Platform>() {
        Ok(Platform::AnalyticsIos) => Setup {
            intro: "Add Segment's analytics-swift package to your iOS app and start it with (it sends to ",
            code: snippet::swift(write_key, url),
        },
        Ok(Platform::AnalyticsAndroid) => Setup {
            intro: "Add Segment's analytics-kotlin library to your Android app and start it in Application.onCreate with (it sends to ",
            code: snippet::kotlin(write_key, url),
        },
        Ok(Platform::Server) => Setup {
            intro: "Send events from your server with Segment's HTTP Tracking API, or any Segment server library pointed at the same address (it sends to ",
            code: snippet::http(write_key, url),
        },
        Ok(Platform::AnalyticsJs) | Err(_) => Setup {
            intro: "Install analytics.js on your site with (it loads from and sends to ",
            code: snippet::snippet(write_key, url),
        },
    }
}

/// The setup of one source, for its platform.
#[component]
pub fn SourceSetup(
    /// The source's write key (its id).
    write_key: String,
    /// The source's platform (`analytics.js`, `analytics-ios`, …).
    platform: String,
    /// The collector's address; `None` when it is not listening.
    url: Option<String>,
) -> impl IntoView {
    let Some(url) = url else {
        return view! {
            <p class="muted">"The collector is not listening, so there is no snippet to show."</p>
        }
        .into_any();
    };
    let shown = setup(&platform, &write_key, &url);
    let mobile = platform == Platform::AnalyticsIos.as_str()
        || platform == Platform::AnalyticsAndroid.as_str();
    let unreachable = mobile && !snippet::mobile_reachable(&url);
    view! {
        <p class="muted">{shown.intro}<code class="source-collector">{url}</code>"):"</p>
        <pre class="source-snippet" data-platform=platform tabindex="0">{shown.code}</pre>
        {unreachable.then(|| view! {
            <p class="muted small source-setup-note">
                "Segment's mobile libraries speak only https: serve the collector over TLS at an address the phone can reach."
            </p>
        })}
    }
    .into_any()
}
