//! Embeds the browser files the server serves itself, when the set-up has installed them:
//! analytics.js (`analytics-js/`) and GraphiQL (`graphiql/`); and the bundled destination
//! catalogs (`catalog/`), parsed here once into their compact form (see [`catalog`]).
//!
//! `.ci/setup` runs `npm ci` in each folder (pinned packages, their integrity checked
//! against `package-lock.json`). For each installed one this writes `$OUT_DIR/<name>.rs`
//! with its files, each through `include_bytes!`, so that the binary serves them with no
//! file beside it. When one is not there (a checkout without the set-up), the server still
//! builds and answers its paths `404` saying how to get them; the build itself never
//! touches the network.

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
    embed(
        &manifest.join("analytics-js"),
        &out.join("analytics_js.rs"),
        analytics_js,
        ANALYTICS_JS_ABSENT,
    );
    embed(
        &manifest.join("graphiql"),
        &out.join("graphiql.rs"),
        graphiql,
        GRAPHIQL_ABSENT,
    );
    catalog(&manifest.join("catalog"), &out);
}

/// The catalogs bundled in the server, in `catalog/`: Segment's action destinations and
/// its classic 2019 catalog.
const CATALOG_FILES: [&str; 2] = ["segment-actions.json", "segment-classic-2019.json"];

/// Parses the bundled catalogs (the JSON stays the source of truth) and writes their
/// destinations in the compact form to `$OUT_DIR/catalog.bin`, and `$OUT_DIR/catalog.rs`
/// naming it and the files it was made from. A catalog that does not parse fails the build
/// with the parser's message, which names the destination and the field.
fn catalog(dir: &Path, out: &Path) {
    let mut destinations = Vec::new();
    for name in CATALOG_FILES {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        let parsed = houston_prototypes::parse_catalog(&text)
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        destinations.extend(parsed);
    }
    let compact = houston_prototypes::encode_catalog(&destinations)
        .unwrap_or_else(|error| panic!("the bundled catalogs: {error}"));
    let bin = out.join("catalog.bin");
    let code = format!(
        "/// The files of `catalog/` the compact catalog was made from.\n\
         pub const FILES: [&str; {}] = {CATALOG_FILES:?};\n\
         /// Their destinations in the compact form (`houston_prototypes::encode_catalog`).\n\
         pub const COMPACT: &[u8] = {};\n",
        CATALOG_FILES.len(),
        include(&bin)
    );
    for (path, contents) in [
        (bin.as_path(), compact),
        (&out.join("catalog.rs"), code.into_bytes()),
    ] {
        if let Err(error) = std::fs::write(path, contents) {
            panic!("cannot write {} into OUT_DIR: {error}", path.display());
        }
    }
}

/// Writes `out` from the npm install in `install`: `generate` gives the items when it is
/// there (`None` and why when it is not), `absent` the items otherwise.
fn embed(install: &Path, out: &Path, generate: fn(&Path) -> Result<String, PathBuf>, absent: &str) {
    // The whole folder: `npm ci` replacing node_modules is a change.
    println!("cargo:rerun-if-changed={}", install.display());
    let code = generate(&install.join("node_modules")).unwrap_or_else(|missing| {
        println!(
            "cargo:warning={} is not embedded: {} is missing (run .ci/setup)",
            install.file_name().and_then(|n| n.to_str()).unwrap_or("?"),
            missing.display()
        );
        absent.to_owned()
    });
    if let Err(error) = std::fs::write(out, code) {
        panic!("cannot write {} into OUT_DIR: {error}", out.display());
    }
}

/// `path` when it is a file, else the error naming it.
fn file(path: PathBuf) -> Result<PathBuf, PathBuf> {
    if path.is_file() {
        Ok(path)
    } else {
        Err(path)
    }
}

/// The `version` of the npm package in `package`.
fn version(package: &Path) -> Result<String, PathBuf> {
    let manifest = package.join("package.json");
    std::fs::read_to_string(&manifest)
        .ok()
        .and_then(|text| {
            let key = "\"version\":";
            let at = text.find(key)? + key.len();
            let rest = text[at..].trim_start().strip_prefix('"')?;
            Some(rest[..rest.find('"')?].to_owned())
        })
        .ok_or(manifest)
}

/// `include_bytes!` of `path`, as source.
fn include(path: &Path) -> String {
    format!("include_bytes!({:?})", path.display().to_string())
}

const ANALYTICS_JS_ABSENT: &str = "\
/// The embedded analytics-next's version.\npub const VERSION: Option<&str> = None;\n\
/// `dist/umd/standalone.js`.\npub const STANDALONE: Option<&[u8]> = None;\n\
/// The package's `LICENSE.MD`.\npub const LICENSE: Option<&[u8]> = None;\n\
/// The chunks: file name and contents.\npub const CHUNKS: &[(&str, &[u8])] = &[];\n";

/// analytics-next's `dist/umd`: `standalone.js`, every chunk it loads on demand
/// (`*.bundle.*.js`) and the package's licence.
fn analytics_js(modules: &Path) -> Result<String, PathBuf> {
    let package = modules.join("@segment/analytics-next");
    let umd = package.join("dist/umd");
    let standalone = file(umd.join("standalone.js"))?;
    let license = file(package.join("LICENSE.MD"))?;
    let version = version(&package)?;
    let mut chunks: Vec<(String, PathBuf)> = std::fs::read_dir(&umd)
        .map_err(|_| umd.clone())?
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
        "/// `dist/umd/standalone.js`.\npub const STANDALONE: Option<&[u8]> = Some({});",
        include(&standalone)
    );
    let _ = writeln!(
        code,
        "/// The package's `LICENSE.MD`.\npub const LICENSE: Option<&[u8]> = Some({});",
        include(&license)
    );
    let _ = writeln!(
        code,
        "/// The chunks: file name and contents.\npub const CHUNKS: &[(&str, &[u8])] = &["
    );
    for (name, path) in &chunks {
        let _ = writeln!(code, "    ({name:?}, {}),", include(path));
    }
    code.push_str("];\n");
    Ok(code)
}

const GRAPHIQL_ABSENT: &str = "\
/// The embedded graphiql's version.\npub const VERSION: Option<&str> = None;\n\
/// The files: name, content type and contents.\npub const FILES: &[(&str, &str, &[u8])] = &[];\n\
/// The packages' licences, one after the other.\npub const LICENSES: &[(&str, &[u8])] = &[];\n";

/// GraphiQL's UMD build and stylesheet, and the UMD builds of React and ReactDOM it runs
/// on (its only external modules), with the three packages' licences.
fn graphiql(modules: &Path) -> Result<String, PathBuf> {
    const JS: &str = "text/javascript; charset=utf-8";
    const CSS: &str = "text/css; charset=utf-8";
    let files = [
        (
            "react.production.min.js",
            JS,
            "react/umd/react.production.min.js",
        ),
        (
            "react-dom.production.min.js",
            JS,
            "react-dom/umd/react-dom.production.min.js",
        ),
        ("graphiql.min.js", JS, "graphiql/graphiql.min.js"),
        ("graphiql.min.css", CSS, "graphiql/graphiql.min.css"),
    ];
    let version = version(&modules.join("graphiql"))?;
    let mut code = String::new();
    let _ = writeln!(
        code,
        "/// The embedded graphiql's version.\npub const VERSION: Option<&str> = Some({version:?});"
    );
    let _ = writeln!(
        code,
        "/// The files: name, content type and contents.\npub const FILES: &[(&str, &str, &[u8])] = &["
    );
    for (name, content_type, path) in files {
        let path = file(modules.join(path))?;
        let _ = writeln!(
            code,
            "    ({name:?}, {content_type:?}, {}),",
            include(&path)
        );
    }
    code.push_str("];\n");
    let _ = writeln!(
        code,
        "/// The packages' licences, one after the other.\npub const LICENSES: &[(&str, &[u8])] = &["
    );
    for package in ["graphiql", "react", "react-dom"] {
        let license = file(modules.join(package).join("LICENSE"))?;
        let _ = writeln!(code, "    ({package:?}, {}),", include(&license));
    }
    code.push_str("];\n");
    Ok(code)
}
