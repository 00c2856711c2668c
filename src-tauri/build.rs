//! Tauri's build step: resolves the capabilities (in `src-tauri/capabilities/`, since the
//! configuration sits at the repository root) and generates one permission per command.

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    // generate_context! embeds ui/dist, but a proc macro cannot ask to be rerun: without
    // this, a rebuilt UI would leave a stale one inside the binary.
    println!("cargo:rerun-if-changed=ui/dist");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(&COMMANDS)),
    )
    .expect("tauri-build failed");
}

/// The commands the webview may call; each gets an `allow-<command>` permission that the
/// capability grants explicitly.
const COMMANDS: [&str; 23] = [
    "session_state",
    "check_server",
    "save_settings",
    "servers",
    "add_server",
    "switch_server",
    "forget_server",
    "sign_in",
    "sign_up",
    "confirm_email",
    "accept_link",
    "sign_out",
    "set_organization",
    "graphql",
    "create_api_key",
    "mail_outbox",
    "save_collector",
    "send_test_event",
    "watch_events",
    "stop_watching",
    "watch_changes",
    "save_pipeline",
    "open_pipeline",
];
