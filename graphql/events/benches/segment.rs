//! The engine against Segment's own (Node 20, the npm packages `tests/segment/` pins), on
//! the differential test's corpus, in one run: `cargo bench -p houston-events --bench
//! segment` (part of `make bench`). Writes `target/bench/segment-engine.json` for
//! `tests/bench/report.py`.
//!
//! - Mappings: every action's default mapping (the catalog's 603 actions, as many times as
//!   the catalog lists them; `@liquid` ones left out while the engine refuses them) over
//!   every event of the corpus, evaluations (one `transform`) per second: `transform` given
//!   the mapping on every call (Segment's validates it every time; ours keeps the check of
//!   a mapping it has seen and compares the mapping with it), and `Mapping` (checked once,
//!   as a delivery keeps a section's).
//! - Triggers: every distinct default trigger over every event, evaluations (one match of
//!   a parsed trigger) per second: each match alone (`Trigger::matches`, as Segment's
//!   `validate`), and as a delivery matches a destination's sections against one event (an
//!   `IndexedEvent` shared by as many triggers as the catalog's destinations have sections
//!   with a trigger, on average).
//! - Every default mapping over one event (a full-context Order Completed with products,
//!   as the delivery preview maps one event for every section), in milliseconds.
//!
//! Figures, not tests: nothing fails on a slow figure; it fails when an answer is wrong.

#[path = "../tests/segment/corpus.rs"]
mod corpus;

use corpus::Input;
use houston_events::mapping::{transform, validate, Mapping};
use houston_events::trigger::{IndexedEvent, Trigger};
use serde_json::{json, Value};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How long each side runs each measurement of a round.
const SECONDS: f64 = 1.0;
/// Rounds: each side keeps its best.
const ROUNDS: usize = 5;

/// The best figure of each side over the rounds.
struct Best {
    our_mappings: f64,
    our_checked: f64,
    our_triggers: f64,
    our_triggers_shared: f64,
    our_one_ms: f64,
    our_one_unchecked_ms: f64,
    segment_mappings: f64,
    segment_triggers: f64,
    segment_one_ms: f64,
}

impl Default for Best {
    fn default() -> Best {
        Best {
            our_mappings: 0.0,
            our_checked: 0.0,
            our_triggers: 0.0,
            our_triggers_shared: 0.0,
            our_one_ms: f64::INFINITY,
            our_one_unchecked_ms: f64::INFINITY,
            segment_mappings: 0.0,
            segment_triggers: 0.0,
            segment_one_ms: f64::INFINITY,
        }
    }
}
/// The goal of the issue: at least this many times Segment's evaluations per second.
const TIMES_SEGMENT: f64 = 10.0;
/// The goal of the issue for every default mapping over one event.
const ONE_EVENT_MS: f64 = 5.0;

/// Runs `pass` (after one warm-up) until `SECONDS` have gone by: passes and time taken.
fn timed(mut pass: impl FnMut()) -> (usize, f64) {
    pass();
    let start = Instant::now();
    let mut passes = 0;
    while passes == 0 || start.elapsed().as_secs_f64() < SECONDS {
        pass();
        passes += 1;
    }
    (passes, start.elapsed().as_secs_f64())
}

/// The median of `runs` timings of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn row(
    metric: &str,
    unit: &str,
    better: &str,
    ours: f64,
    segment: f64,
    goal: Option<(&str, bool)>,
) -> Value {
    let mut row = json!({
        "metric": metric,
        "unit": unit,
        "better": better,
        "a": { "label": "houston-events (Rust)", "value": ours },
        "b": { "label": "Segment's actions-core / destination-subscriptions (Node 20)", "value": segment },
        "ratio": if segment == 0.0 { 0.0 } else { ours / segment },
    });
    if let Some((goal, met)) = goal {
        row["goal"] = json!(goal);
        row["met"] = json!(met);
    }
    row
}

fn main() {
    let events = corpus::events();
    let defaults = corpus::defaults();
    let mappings: Vec<Value> = defaults
        .mappings
        .iter()
        .filter(|m| {
            validate(&m.value)
                .iter()
                .all(|p| !p.message.contains("@liquid"))
        })
        .flat_map(|m| std::iter::repeat_n(m.value.clone(), m.actions.len()))
        .collect();
    let fqls: Vec<&str> = defaults.triggers.iter().map(|t| t.value.as_str()).collect();
    let triggers: Vec<Trigger> = fqls.iter().filter_map(|f| Trigger::parse(f).ok()).collect();
    assert_eq!(triggers.len(), fqls.len(), "every default trigger parses");
    // How many sections with a trigger a destination has, on average: how many triggers a
    // delivery matches against one event.
    let destinations: std::collections::HashSet<&str> = defaults
        .triggers
        .iter()
        .flat_map(|t| t.actions.iter())
        .filter_map(|action| action.split('/').next())
        .collect();
    let subscribed: usize = defaults.triggers.iter().map(|t| t.actions.len()).sum();
    let per_delivery = (subscribed as f64 / destinations.len().max(1) as f64)
        .round()
        .max(1.0) as usize;
    // The delivery preview's case: the corpus's richest event.
    let one = events
        .iter()
        .find(|e| e["event"] == "Order Completed" && e["context"]["userAgent"].is_string())
        .expect("a full-context Order Completed in the corpus")
        .clone();

    let checked: Vec<Mapping> = mappings.iter().map(Mapping::new).collect();
    let mut inputs: Vec<Input> = mappings.iter().map(Input::Mapping).collect();
    inputs.extend(fqls.iter().map(|f| Input::Trigger(f)));
    let mapping_inputs: Vec<Input> = mappings.iter().map(Input::Mapping).collect();
    let seconds = SECONDS.to_string();
    let rate = |side: &Value| {
        side["evaluations"].as_f64().unwrap_or(0.0) / side["seconds"].as_f64().unwrap_or(1.0)
    };

    // Both sides in turns, each keeping its best round: the machine is shared, and what
    // else runs slows whichever side it lands on.
    let mut best = Best::default();
    for round in 1..=ROUNDS {
        let (passes, secs) = timed(|| {
            for event in &events {
                for mapping in &mappings {
                    let _ = black_box(transform(black_box(mapping), black_box(event)));
                }
            }
        });
        best.our_mappings = best
            .our_mappings
            .max((passes * events.len() * mappings.len()) as f64 / secs);
        // As a delivery maps: each section's mapping checked once, then any number of events.
        let (passes, secs) = timed(|| {
            for event in &events {
                for mapping in &checked {
                    let _ = black_box(black_box(mapping).transform(black_box(event)));
                }
            }
        });
        best.our_checked = best
            .our_checked
            .max((passes * events.len() * checked.len()) as f64 / secs);
        let (passes, secs) = timed(|| {
            for event in &events {
                for trigger in &triggers {
                    black_box(trigger.matches(black_box(event)));
                }
            }
        });
        best.our_triggers = best
            .our_triggers
            .max((passes * events.len() * triggers.len()) as f64 / secs);
        // As a delivery matches: one IndexedEvent per event and destination, shared by the
        // destination's sections (`per_delivery` triggers).
        let (passes, secs) = timed(|| {
            for event in &events {
                for sections in triggers.chunks(per_delivery) {
                    let indexed = IndexedEvent::new(black_box(event));
                    for trigger in sections {
                        black_box(trigger.matches_indexed(&indexed));
                    }
                }
            }
        });
        best.our_triggers_shared = best
            .our_triggers_shared
            .max((passes * events.len() * triggers.len()) as f64 / secs);
        let one_ms = median(200, || {
            for mapping in &checked {
                let _ = black_box(black_box(mapping).transform(black_box(&one)));
            }
        });
        best.our_one_ms = best.our_one_ms.min(one_ms.as_secs_f64() * 1000.0);
        let one_unchecked_ms = median(100, || {
            for mapping in &mappings {
                let _ = black_box(transform(black_box(mapping), black_box(&one)));
            }
        });
        best.our_one_unchecked_ms = best
            .our_one_unchecked_ms
            .min(one_unchecked_ms.as_secs_f64() * 1000.0);

        // Segment's, in one node process: the corpus; then, in another, the one event.
        let segment = corpus::run_segment(&events, &inputs, &["--bench", &seconds]);
        best.segment_mappings = best.segment_mappings.max(rate(&segment[0]["mappings"]));
        best.segment_triggers = best.segment_triggers.max(rate(&segment[0]["triggers"]));
        let alone = corpus::run_segment(
            std::slice::from_ref(&one),
            &mapping_inputs,
            &["--bench", &seconds],
        );
        let one_ms = alone[0]["mappings"]["all_mappings_over_one_event_ms"]
            .as_f64()
            .unwrap_or(f64::INFINITY);
        best.segment_one_ms = best.segment_one_ms.min(one_ms);
        println!("   round {round}/{ROUNDS} done");
    }
    let Best {
        our_mappings,
        our_checked,
        our_triggers,
        our_triggers_shared,
        our_one_ms,
        our_one_unchecked_ms,
        segment_mappings,
        segment_triggers,
        segment_one_ms,
    } = best;

    let goal = format!("a/b >= {TIMES_SEGMENT}");
    let rows = vec![
        row(
            "mapping evaluations per second (Mapping: checked once, as a delivery keeps it)",
            "evaluations/s",
            "higher",
            our_checked,
            segment_mappings,
            Some((&goal, our_checked >= TIMES_SEGMENT * segment_mappings)),
        ),
        row(
            "mapping evaluations per second (transform: the mapping given on every call)",
            "evaluations/s",
            "higher",
            our_mappings,
            segment_mappings,
            Some((&goal, our_mappings >= TIMES_SEGMENT * segment_mappings)),
        ),
        row(
            &format!(
                "trigger evaluations per second (IndexedEvent: shared by a delivery's \
                 {per_delivery} sections)"
            ),
            "evaluations/s",
            "higher",
            our_triggers_shared,
            segment_triggers,
            Some((
                &goal,
                our_triggers_shared >= TIMES_SEGMENT * segment_triggers,
            )),
        ),
        row(
            "trigger evaluations per second (matches: each alone, as Segment's validate)",
            "evaluations/s",
            "higher",
            our_triggers,
            segment_triggers,
            Some((&goal, our_triggers >= TIMES_SEGMENT * segment_triggers)),
        ),
        row(
            &format!(
                "every default mapping ({}) over one event, with Mapping",
                mappings.len()
            ),
            "ms",
            "lower",
            our_one_ms,
            segment_one_ms,
            Some((&format!("a < {ONE_EVENT_MS} ms"), our_one_ms < ONE_EVENT_MS)),
        ),
        row(
            &format!(
                "every default mapping ({}) over one event, with transform",
                mappings.len()
            ),
            "ms",
            "lower",
            our_one_unchecked_ms,
            segment_one_ms,
            None,
        ),
    ];
    let notes = format!(
        "{machine}. Release build against Node {node}. The corpus of the differential test \
         (tests/segment.rs): {events} events; {mappings} default mappings (every action's, \
         {distinct} distinct, @liquid ones included), {triggers} distinct default triggers. \
         Each side runs every mapping over every event (then every trigger over every event) \
         for {SECONDS} s after a warm-up pass: ours in this process, Segment's in one Node \
         process (tests/segment/run.js --bench), each call as a destination makes it (the \
         event as the pipeline holds it, the payload not serialized). The one event: a \
         full-context Order Completed with 3 products; ours the median of 200 passes, \
         Segment's the mean over {SECONDS} s. {ROUNDS} rounds, the two sides in turns, each \
         side's best round kept (the machine is shared with other builds). Mapping: each \
         mapping checked (validated, taken apart) once, as a delivery keeps a section's; \
         transform: the mapping given on every call, as to Segment's transform, which \
         validates it every time; ours keeps the check of the last {kept} mappings it saw \
         (by address) and uses it only while the mapping there is still equal to its copy \
         (a full comparison on every call), so its answers are those of a fresh check. Triggers: each \
         parsed once on both sides (Segment's parseFql, then validate per event); \
         IndexedEvent: the event's top-level fields (type, event, properties...) looked up \
         once and shared by the {per_delivery} triggers of a delivery (the catalog's \
         {subscribed} sections with a trigger over {destinations} destinations, rounded), as \
         deliver() matches a destination's sections; matches: each match alone, its own \
         lookups, as Segment's validate.",
        machine = machine(),
        node = node_version(),
        events = events.len(),
        mappings = mappings.len(),
        distinct = defaults.mappings.len(),
        triggers = triggers.len(),
        destinations = destinations.len(),
        kept = houston_events::mapping::CHECKED_KEPT,
    );
    write_results(
        "segment-engine",
        "Triggers and mappings: houston-events against Segment's own code",
        &rows,
        &notes,
    );
}

fn node_version() -> String {
    std::process::Command::new("node")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

/// Cores, CPU model and memory.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores, {model}")
}

/// `target/bench/<name>.json` in the format of `tests/bench/report.py`, and the rows printed.
fn write_results(name: &str, title: &str, rows: &[Value], notes: &str) {
    println!("== {title}");
    for r in rows {
        let goal = match r["goal"].as_str() {
            Some(goal) if r["met"] == true => format!(" (goal {goal}: met)"),
            Some(goal) => format!(" (goal {goal}: MISSED)"),
            None => String::new(),
        };
        println!(
            "   {}: ours {:.3} | Segment's {:.3} {} | ratio {:.3}{goal}",
            r["metric"].as_str().unwrap_or_default(),
            r["a"]["value"].as_f64().unwrap_or_default(),
            r["b"]["value"].as_f64().unwrap_or_default(),
            r["unit"].as_str().unwrap_or_default(),
            r["ratio"].as_f64().unwrap_or_default(),
        );
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("bench");
    std::fs::create_dir_all(&dir).expect("creating target/bench");
    let file = dir.join(format!("{name}.json"));
    let doc = json!({ "name": name, "title": title, "rows": rows, "notes": notes });
    let text = serde_json::to_string_pretty(&doc).expect("the results as JSON");
    std::fs::write(&file, text + "\n").expect("writing the results");
    println!("   -> {}", file.display());
}
