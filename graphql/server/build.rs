//! Embeds analytics.js into the server when the set-up has installed it.
//!
//! `.ci/setup` runs `npm ci` in `analytics-js/` (a pinned `@segment/analytics-next`, its
//! integrity checked against `package-lock.json`). When its `dist/umd` is there, this
//! writes `$OUT_DIR/analytics_js.rs` with `standalone.js`, every chunk it loads on demand
//! (`*.bundle.*.js`) and the package's licence, each through `include_bytes!`, so that the
//! binary serves them with no file beside it. When it is not there (a checkout without the
//! set-up), the server still builds and answers those paths `404` saying how to get them;
//! the build itself never touches the network.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let out = std::env::var_os("OUT_DIR").map(PathBuf::from);
    let (Some(manifest), Some(out)) = (manifest, out) else {
        // Cargo always sets both; without them there is nothing sensible to write.
        println!("cargo:warning=CARGO_MANIFEST_DIR or OUT_DIR is not set");
        return;
    };
    let install = manifest.join("analytics-js");
    // The whole folder: `npm ci` replacing node_modules is a change.
    println!("cargo:rerun-if-changed={}", install.display());
    let package = install.join("node_modules/@segment/analytics-next");
    let code = match bundle(&package) {
        Some(code) => code,
        None => {
            println!(
                "cargo:warning=analytics.js is not embedded: {} is missing (run .ci/setup)",
                package.join("dist/umd/standalone.js").display()
            );
            absent()
        }
    };
    if let Err(error) = std::fs::write(out.join("analytics_js.rs"), code) {
        panic!("cannot write analytics_js.rs into OUT_DIR: {error}");
    }
}

/// The generated items when the package is installed, or `None` when it is not.
fn bundle(package: &Path) -> Option<String> {
    let umd = package.join("dist/umd");
    let standalone = umd.join("standalone.js");
    let license = package.join("LICENSE.MD");
    if !standalone.is_file() || !license.is_file() {
        return None;
    }
    let version = std::fs::read_to_string(package.join("package.json"))
        .ok()
        .and_then(|text| {
            let key = "\"version\":";
            let at = text.find(key)? + key.len();
            let rest = text[at..].trim_start().strip_prefix('"')?;
            Some(rest[..rest.find('"')?].to_owned())
        })?;
    let mut chunks: Vec<(String, PathBuf)> = std::fs::read_dir(&umd)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            (name.contains(".bundle.") && name.ends_with(".js")).then(|| (name, entry.path()))
        })
        .collect();
    chunks.sort();
    let mut code = String::new();
    let _ = writeln!(
        code,
        "/// The embedded analytics-next's version.\npub const VERSION: Option<&str> = Some({version:?});"
    );
    let _ = writeln!(
        code,
        "/// `dist/umd/standalone.js`.\npub const STANDALONE: Option<&[u8]> = Some(include_bytes!({:?}));",
        standalone.display().to_string()
    );
    let _ = writeln!(
        code,
        "/// The package's `LICENSE.MD`.\npub const LICENSE: Option<&[u8]> = Some(include_bytes!({:?}));",
        license.display().to_string()
    );
    let _ = writeln!(
        code,
        "/// The chunks: file name and contents.\npub const CHUNKS: &[(&str, &[u8])] = &["
    );
    for (name, path) in &chunks {
        let _ = writeln!(
            code,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    Some(code)
}

/// The generated items when the package is not installed.
fn absent() -> String {
    "/// The embedded analytics-next's version.\npub const VERSION: Option<&str> = None;\n\
     /// `dist/umd/standalone.js`.\npub const STANDALONE: Option<&[u8]> = None;\n\
     /// The package's `LICENSE.MD`.\npub const LICENSE: Option<&[u8]> = None;\n\
     /// The chunks: file name and contents.\npub const CHUNKS: &[(&str, &[u8])] = &[];\n"
        .to_owned()
}
