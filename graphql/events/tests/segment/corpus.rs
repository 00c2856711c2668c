//! What the differential test (`tests/segment.rs`) and the benchmark (`benches/segment.rs`)
//! run on both engines, and how Segment's side is run: `run.js` in this directory, on the
//! npm packages `package.json` pins (installed by [`npm_ci`] from the lock file).

#![allow(dead_code)] // the test and the bench each use their own part of this module

use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// This directory: the Node project and the corpus.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/segment")
}

fn crate_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Installs Segment's packages from `package-lock.json` (`npm ci`), once per process, when
/// `node_modules` is missing or older than the lock file.
pub fn npm_ci() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let dir = dir();
        let modified = |path: PathBuf| std::fs::metadata(path).and_then(|m| m.modified()).ok();
        let lock = modified(dir.join("package-lock.json"));
        let installed = modified(dir.join("node_modules/.package-lock.json"));
        if installed.is_some() && installed >= lock {
            return;
        }
        let out = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .output()
            .unwrap_or_else(|e| panic!("npm runs (Node.js 20 and npm are needed): {e}"));
        assert!(
            out.status.success(),
            "npm ci failed in {}:\n{}\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    });
}

/// The events: the mapping tests' 62 (`src/mapping/segment/events.json`: odd values,
/// non-objects, falsy values, numbers in strings, deep paths, unicode, key order, every
/// call type) and this directory's 52 (`events.json`: every event of Segment's
/// e-commerce spec with `products`, the B2B, video, email and mobile ones, every call type,
/// under a full spec `context`).
pub fn events() -> Vec<Value> {
    let mut events = Vec::new();
    for path in [
        "src/mapping/segment/events.json",
        "tests/segment/events.json",
    ] {
        match read_json(&crate_file(path)) {
            Value::Array(items) => events.extend(items),
            other => panic!("{path} must be an array, not {other}"),
        }
    }
    events
}

/// Something the catalog defines once or more: the actions (`destination/action`) that
/// share it, and it.
pub struct Shared<T> {
    /// `destination/action` of every action with this default.
    pub actions: Vec<String>,
    /// The default.
    pub value: T,
}

/// The catalog's defaults, each distinct one once.
pub struct Defaults {
    /// How many actions the catalog has.
    pub actions: usize,
    /// Every action's default mapping: its fields' `defaultMapping`s in one object (an
    /// action with none maps to `{}`).
    pub mappings: Vec<Shared<Value>>,
    /// Every action's `defaultSubscription`, where it has one.
    pub triggers: Vec<Shared<String>>,
}

/// The catalog (`graphql/server/catalog/segment-actions.json`), as JSON.
pub fn catalog_json() -> Value {
    read_json(&crate_file("../server/catalog/segment-actions.json"))
}

/// Reads the catalog (`graphql/server/catalog/segment-actions.json`).
pub fn defaults() -> Defaults {
    let catalog = catalog_json();
    let mut actions = 0;
    let mut mappings: Vec<Shared<Value>> = Vec::new();
    let mut triggers: Vec<Shared<String>> = Vec::new();
    let mut mapping_index = HashMap::new();
    let mut trigger_index = HashMap::new();
    for destination in catalog.as_array().into_iter().flatten() {
        for action in destination["actions"].as_array().into_iter().flatten() {
            actions += 1;
            let name = format!(
                "{}/{}",
                destination["code"].as_str().unwrap_or_default(),
                action["code"].as_str().unwrap_or_default()
            );
            let mut mapping = Map::new();
            for field in action["fields"].as_array().into_iter().flatten() {
                if let (Some(key), Some(default)) = (
                    field["propertyName"].as_str(),
                    field["defaultMapping"].as_str(),
                ) {
                    let default: Value = serde_json::from_str(default)
                        .unwrap_or_else(|e| panic!("{name}: {key}'s defaultMapping: {e}"));
                    mapping.insert(key.to_string(), default);
                }
            }
            let mapping = Value::Object(mapping);
            let at = *mapping_index.entry(mapping.to_string()).or_insert_with(|| {
                mappings.push(Shared {
                    actions: Vec::new(),
                    value: mapping,
                });
                mappings.len() - 1
            });
            mappings[at].actions.push(name.clone());
            if let Some(fql) = action["defaultSubscription"].as_str() {
                let at = *trigger_index.entry(fql.to_string()).or_insert_with(|| {
                    triggers.push(Shared {
                        actions: Vec::new(),
                        value: fql.to_string(),
                    });
                    triggers.len() - 1
                });
                triggers[at].actions.push(name);
            }
        }
    }
    Defaults {
        actions,
        mappings,
        triggers,
    }
}

/// The hand-written mappings (`src/mapping/segment/mappings.json`): every directive,
/// including those no default uses (`@literal`, `@case`, `@replace`, `@json`, `@flatten`,
/// `@transform`, `@excludeWhenNull`, the root directive), their options, quirks and errors.
pub fn hand_written_mappings() -> Vec<Value> {
    match read_json(&crate_file("src/mapping/segment/mappings.json")) {
        Value::Array(items) => items,
        other => panic!("mappings.json must be an array, not {other}"),
    }
}

/// The trigger tests' quirks (`src/trigger/segment/quirks.txt`, one trigger a line).
pub fn quirk_triggers() -> Vec<String> {
    let path = crate_file("src/trigger/segment/quirks.txt");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
        .lines()
        .map(str::to_string)
        .collect()
}

/// One input of `run.js`.
pub enum Input<'a> {
    /// A mapping, run on every event.
    Mapping(&'a Value),
    /// A trigger, parsed and matched against every event.
    Trigger(&'a str),
    /// An action's fields (as the catalog has them) and payloads: the fields each payload
    /// lacks, as Segment's action schema finds them.
    Required(&'a Value),
}

/// Runs `node run.js ARGS` once on `events` and `inputs`; answers its output lines.
pub fn run_segment(events: &[Value], inputs: &[Input<'_>], args: &[&str]) -> Vec<Value> {
    npm_ci();
    let mut child = Command::new("node")
        .arg("run.js")
        .args(args)
        .current_dir(dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("node runs (Node.js 20 is needed): {e}"));
    let mut lines = vec![serde_json::json!({ "events": events }).to_string()];
    for input in inputs {
        lines.push(match input {
            Input::Mapping(mapping) => serde_json::json!({ "mapping": mapping }).to_string(),
            Input::Trigger(fql) => serde_json::json!({ "trigger": fql }).to_string(),
            Input::Required(case) => serde_json::json!({ "required": case }).to_string(),
        });
    }
    let mut stdin = child.stdin.take().expect("a piped stdin");
    // Written from a thread: node answers while it reads, and both pipes are bounded.
    let writer = std::thread::spawn(move || {
        for line in lines {
            stdin.write_all(line.as_bytes())?;
            stdin.write_all(b"\n")?;
        }
        Ok::<(), std::io::Error>(())
    });
    let stdout = child.stdout.take().expect("a piped stdout");
    let answers: Vec<Value> = BufReader::new(stdout)
        .lines()
        .map(|line| {
            let line = line.unwrap_or_else(|e| panic!("reading node's output: {e}"));
            serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("node printed what is not JSON ({e}): {line}"))
        })
        .collect();
    let status = child.wait().unwrap_or_else(|e| panic!("node: {e}"));
    assert!(status.success(), "node run.js failed: {status}");
    writer
        .join()
        .expect("the writer thread")
        .unwrap_or_else(|e| panic!("writing to node: {e}"));
    answers
}
