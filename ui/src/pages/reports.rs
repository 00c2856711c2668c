//! Reports: events per hour, day, week or month, stacked by type, for one source or the
//! whole organization, with lifetime totals and the share of invalid events.

use leptos::prelude::*;

use crate::chart::{self, Bar};
use crate::components::no_organization::NoOrganization;
use crate::loaders::events::{self, Bucket, Lifetime, PERIODS};
use crate::loaders::{for_organization, sources};
use crate::periods::with_empty_periods;
use crate::state::AppState;

/// How far back a report of `period` reaches, in hours.
fn span_hours(period: &str) -> f64 {
    match period {
        "HOUR" => 48.0,
        "WEEK" => 26.0 * 7.0 * 24.0,
        "MONTH" => 366.0 * 24.0,
        _ => 31.0 * 24.0,
    }
}

/// The instant `ms` milliseconds after 1970 (RFC 3339, UTC).
fn iso(ms: f64) -> String {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms))
        .to_iso_string()
        .into()
}

/// A period's label on the axis, from its start (`2026-12-01T14:00:00Z`).
fn label(period: &str, start: &str) -> String {
    let part = |from: usize, to: usize| start.get(from..to).unwrap_or(start).to_owned();
    match period {
        "HOUR" => format!("{} {}h", part(5, 10), part(11, 13)),
        "MONTH" => part(0, 7),
        _ => part(5, 10),
    }
}

/// What the page shows.
#[derive(Clone, Debug, PartialEq)]
struct Report {
    buckets: Vec<Bucket>,
    lifetime: Lifetime,
}

/// Loads the report of `scope` (a source id, or empty for the organization `org`).
/// Its buckets have every period from its start to now, empty ones included.
async fn load(org: String, scope: String, period: String) -> Result<Report, String> {
    let now = js_sys::Date::now();
    let (from, to) = (iso(now - span_hours(&period) * 3_600_000.0), iso(now));
    let report = load_reported(org, scope, &period, Some(from.clone())).await?;
    Ok(Report {
        buckets: with_empty_periods(&period, &from, &to, &report.buckets),
        ..report
    })
}

/// The report as `eventReport` answers it: only periods with events.
async fn load_reported(
    org: String,
    scope: String,
    period: &str,
    from: Option<String>,
) -> Result<Report, String> {
    let message = |e: crate::api::ApiError| e.message;
    if scope.is_empty() {
        let buckets = events::report(Some(org.clone()), None, period, from)
            .await
            .map_err(message)?;
        let mut lifetime = Lifetime::default();
        for source in sources::list(org.clone()).await.map_err(message)? {
            let counts = events::lifetime(source.id, Some(org.clone()))
                .await
                .map_err(message)?;
            lifetime.add(&counts);
        }
        Ok(Report { buckets, lifetime })
    } else {
        let buckets = events::report(None, Some(scope.clone()), period, from)
            .await
            .map_err(message)?;
        let lifetime = events::lifetime(scope, Some(org)).await.map_err(message)?;
        Ok(Report { buckets, lifetime })
    }
}

/// The chart's SVG: one bar per period, one colour per type.
fn draw(period: &str, buckets: &[Bucket]) -> Result<String, String> {
    let mut types: Vec<String> = Vec::new();
    for bucket in buckets {
        for (kind, _) in &bucket.by_type {
            if !types.contains(kind) {
                types.push(kind.clone());
            }
        }
    }
    let bars: Vec<Bar> = buckets
        .iter()
        .map(|bucket| Bar {
            label: label(period, &bucket.start),
            counts: types
                .iter()
                .map(|t| {
                    bucket
                        .by_type
                        .iter()
                        .find(|(k, _)| k == t)
                        .map_or(0, |(_, n)| *n)
                })
                .collect(),
        })
        .collect();
    chart::stacked_bars(&types, &bars)
}

/// The Reports page, opened on `app_id` (or the organization).
#[component]
pub fn ReportsPage(
    /// The source shown first; the organization when `None`.
    app_id: Option<String>,
) -> impl IntoView {
    let app = AppState::get();
    let sources = for_organization(app, sources::list);
    let scope = RwSignal::new(app_id.unwrap_or_default());
    let period = RwSignal::new("DAY".to_owned());
    let report = LocalResource::new(move || {
        app.reloads.track();
        let (org, scope, period) = (app.org.get(), scope.get(), period.get());
        async move {
            match org {
                Some(org) => Some(load(org, scope, period).await),
                None => None,
            }
        }
    });
    view! {
        <section class="page reports">
            <h1>"Reports"</h1>
            <NoOrganization />
            <div class="card row">
                <label>"Of "
                    <select id="report-scope" on:change=move |ev| scope.set(event_target_value(&ev))>
                        <option value="" prop:selected=move || scope.get().is_empty()>"The whole organization"</option>
                        {move || sources.get().flatten().and_then(Result::ok).unwrap_or_default().into_iter().map(|s| {
                            let id = s.id.clone();
                            view! { <option value=s.id.clone() prop:selected=move || scope.get() == id>{s.name}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>"Per "
                    <select id="report-period" on:change=move |ev| period.set(event_target_value(&ev))>
                        {PERIODS.iter().map(|(value, name)| view! {
                            <option value=*value prop:selected=move || period.get() == *value>{*name}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                {move || match report.get().flatten() {
                    None => view! { <p class="muted" role="status">"Loading…"</p> }.into_any(),
                    Some(Err(why)) => view! { <p class="form-error">{why}</p> }.into_any(),
                    Some(Ok(report)) => view! { <ReportView report=report period=period.get_untracked() /> }.into_any(),
                }}
            </Transition>
        </section>
    }
}

/// The totals and the chart of a loaded report.
#[component]
fn ReportView(report: Report, period: String) -> impl IntoView {
    let lifetime = report.lifetime.clone();
    let in_chart: u64 = report.buckets.iter().map(|b| b.total).sum();
    let chart = if in_chart == 0 {
        view! { <p id="report-empty" class="muted">"No events in this period yet."</p> }.into_any()
    } else {
        match draw(&period, &report.buckets) {
            Ok(svg) => view! { <div id="report-chart" class="chart" data-total=in_chart.to_string() inner_html=svg></div> }.into_any(),
            Err(why) => view! { <p class="form-error">{format!("The chart could not be drawn: {why}")}</p> }.into_any(),
        }
    };
    view! {
        <div class="card report-totals">
            <div class="row">
                <div class="figure">
                    <span id="report-lifetime-total" class="figure-value" data-total=lifetime.total.to_string()>{lifetime.total.to_string()}</span>
                    <span class="muted">"events, lifetime"</span>
                </div>
                <div class="figure">
                    <span id="report-invalid-share" class="figure-value" data-invalid=lifetime.invalid.to_string()>
                        {format!("{:.1}%", lifetime.invalid_percent())}
                    </span>
                    <span class="muted">{format!("invalid ({})", lifetime.invalid)}</span>
                </div>
                <div class="figure">
                    <span id="report-chart-total" class="figure-value" data-total=in_chart.to_string()>{in_chart.to_string()}</span>
                    <span class="muted">"events in this chart"</span>
                </div>
            </div>
            <div class="row by-type">
                {lifetime.by_type.iter().map(|(kind, count)| view! {
                    <span class="badge" data-type=kind.clone()>{format!("{kind}: {count}")}</span>
                }).collect_view()}
            </div>
        </div>
        <div class="card">{chart}</div>
    }
}
