//! The window's security settings, checked: a strict CSP and a capability that grants the
//! webview exactly the app's own commands.

use serde_json::Value;

fn read(path: &str) -> Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

#[test]
fn the_csp_allows_no_eval_no_inline_script_and_nothing_remote() {
    let conf = read("tauri.conf.json");
    let csp = conf["app"]["security"]["csp"]
        .as_str()
        .expect("a CSP is set");
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.starts_with(name))
            .unwrap_or_else(|| panic!("the CSP has no {name}"))
            .to_string()
    };
    let script = directive("script-src");
    assert!(
        !script.contains("'unsafe-eval'") && !script.contains("'unsafe-inline'"),
        "{script}"
    );
    for d in [
        "default-src",
        "script-src",
        "style-src",
        "connect-src",
        "img-src",
        "font-src",
    ] {
        let v = directive(d);
        let remote = v.split_whitespace().skip(1).any(|s| {
            matches!(s, "*" | "http:" | "https:" | "blob:")
                || (s.starts_with("http") && s != "http://ipc.localhost")
        });
        assert!(!remote, "{d} allows remote content: {v}");
    }
    assert!(directive("object-src").contains("'none'"));
    assert_eq!(conf["app"]["security"]["freezePrototype"], true);
    assert!(
        conf["app"]["windows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w.get("url").is_none()),
        "no remote URL in a window"
    );
}

#[test]
fn the_capability_grants_exactly_the_apps_commands() {
    let cap = read("src-tauri/capabilities/default.json");
    assert_eq!(cap["windows"], serde_json::json!(["main"]));
    assert!(
        cap.get("remote").is_none(),
        "no remote origin may call commands"
    );
    let granted: Vec<String> = cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().expect("plain permission names").to_string())
        .collect();
    let source = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/src/commands.rs"),
    )
    .unwrap();
    let mut commands: Vec<String> = source
        .split("#[tauri::command]")
        .skip(1)
        .filter_map(|chunk| chunk.split("pub async fn ").nth(1))
        .map(|rest| rest.split('(').next().unwrap().trim().replace('_', "-"))
        .map(|c| format!("allow-{c}"))
        .collect();
    commands.sort();
    let mut sorted = granted.clone();
    sorted.sort();
    assert_eq!(
        sorted, commands,
        "each command is granted, and nothing else (no core:, fs:, shell:, http:)"
    );
}
