//! Loading the 483-destination catalog and searching it as the UI does.
//!
//! Load: the bundled catalog as a start reads it (`Catalog::bundled`: the compact form the
//! build made of both files, inflated and decoded, sorted by name, indexed by code) against
//! parsing the two JSON files into the same model (`Catalog::from_files`, what every start
//! did before). A plain `serde_json::Value` parse of the files, the floor of any JSON
//! reading, is in the notes.
//!
//! Search: the UI loads the catalog once (`ClickstreamPrototypes`) and filters it in memory
//! on every keystroke (`ui/src/catalog.rs::filter`: name or code, case-insensitive, the
//! same rule as the server's `Catalog::find`). The naive alternative asks the server on
//! every keystroke (`clickstreamPrototypes(search:)` with the UI's own document), which
//! is how a search box over an API is often first written. Both are timed per keystroke
//! while "google analytics" is typed one letter at a time; the server round trip here is
//! in-process (the desktop app's transport), so over HTTP it would only be slower.

use crate::common::{self, median_of, ms, ms_f, Row};
use houston_server::catalog::Catalog;
use houston_test_harness::TestServer;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const ACTIONS: &str = include_str!("../../catalog/segment-actions.json");
const CLASSIC: &str = include_str!("../../catalog/segment-classic-2019.json");
const DOCUMENT: &str = include_str!("../../../operations/ClickstreamPrototypes.graphql");
const TYPED: &str = "google analytics";
/// One frame at 60 Hz: a search that fits in it never makes typing stutter.
const FRAME_MS: f64 = 16.7;

pub async fn run() {
    let (compact, catalog) = median_of(9, || Catalog::bundled().expect("the bundled catalog"));
    assert_eq!(catalog.all().len(), 483);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog");
    let files = houston_server::catalog::bundled::FILES.map(|f| dir.join(f));
    let (typed, parsed) = median_of(9, || {
        Catalog::from_files(&files.each_ref().map(|p| p.as_path())).expect("the JSON catalogs")
    });
    assert!(
        parsed.all() == catalog.all(),
        "both ways give the same catalog"
    );
    let (plain, values) = median_of(9, || {
        [ACTIONS, CLASSIC].map(|text| serde_json::from_str::<Value>(text).expect("JSON"))
    });
    assert!(values.iter().all(|v| !v.is_null()));
    println!(
        "   load: compact {}, JSON into the model {}, serde_json::Value {}",
        ms(compact),
        ms(typed),
        ms(plain)
    );

    // Every prefix of what the user types, as the UI sees it after each key.
    let prefixes: Vec<&str> = (1..=TYPED.len()).map(|n| &TYPED[..n]).collect();
    let mut local = Vec::new();
    let mut local_hits = Vec::new();
    for _ in 0..20 {
        for p in &prefixes {
            let t = Instant::now();
            let hits = catalog.find(None, None, Some(p));
            local.push(t.elapsed());
            local_hits.push(hits.len());
        }
    }
    let server = TestServer::start().await;
    let mut remote = Vec::new();
    let mut remote_hits = Vec::new();
    for _ in 0..2 {
        for p in &prefixes {
            let t = Instant::now();
            let data = server.data(DOCUMENT, json!({ "search": p }), None).await;
            let wire = serde_json::to_vec(&data).expect("the answer as JSON");
            let answer: Value = serde_json::from_slice(&wire).expect("the answer parsed");
            remote.push(t.elapsed());
            remote_hits.push(
                answer["clickstreamPrototypes"]
                    .as_array()
                    .map_or(0, Vec::len),
            );
        }
    }
    // Both ways find the same destinations for every prefix.
    assert_eq!(
        &local_hits[..prefixes.len()],
        &remote_hits[..prefixes.len()]
    );
    local.sort();
    remote.sort();
    let local_median = common::percentile(&local, 0.5);
    let remote_median = common::percentile(&remote, 0.5);
    let remote_worst = *remote.last().unwrap_or(&Duration::ZERO);
    println!(
        "   per keystroke: in memory {} (worst {}), server round trip {} (worst {})",
        ms(local_median),
        ms(*local.last().unwrap_or(&Duration::ZERO)),
        ms(remote_median),
        ms(remote_worst)
    );

    let per_key = Row::new(
        "search per keystroke (median)",
        "ms",
        "lower",
        ("in-memory filter (the UI)", ms_f(local_median)),
        (
            "clickstreamPrototypes(search:) per key",
            ms_f(remote_median),
        ),
    );
    let met = per_key.a.value < FRAME_MS;
    let rows = vec![
        Row::new(
            "load both catalog files (median of 9)",
            "ms",
            "lower",
            (
                "compact form built at build time (Catalog::bundled)",
                ms_f(compact),
            ),
            (
                "the JSON parsed into the model (Catalog::from_files)",
                ms_f(typed),
            ),
        ),
        per_key.goal("a < 16.7 ms (one frame)", met),
        Row::new(
            "search per keystroke (worst)",
            "ms",
            "lower",
            (
                "in-memory filter (the UI)",
                ms_f(*local.last().unwrap_or(&Duration::ZERO)),
            ),
            ("clickstreamPrototypes(search:) per key", ms_f(remote_worst)),
        ),
    ];
    let notes = format!(
        "{}. Load: both bundled files ({} KB of JSON; {} KB in the compact form the build \
         makes of them), median of 9 after a warm-up; both loads also sort by name and index \
         codes; a plain serde_json::Value parse of the JSON takes {}. Search: \"{TYPED}\" typed one key at a time \
         ({} prefixes; 20 rounds in memory, 2 rounds through the server); the server side \
         runs the UI's ClickstreamPrototypes document in-process and serializes and parses \
         the JSON answer, as the UI would have to, and finds the same destinations for every \
         prefix.",
        crate::machine(),
        (ACTIONS.len() + CLASSIC.len()) / 1024,
        houston_server::catalog::bundled::COMPACT.len() / 1024,
        ms(plain),
        prefixes.len()
    );
    common::write_results(
        "catalog",
        "catalog: typed load vs a Value parse; search in memory vs a server query per keystroke",
        &rows,
        &notes,
    );
}
