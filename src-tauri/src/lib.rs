//! Houston Desktop: a Tauri shell around the bundled (or a remote) Houston. It keeps the
//! token in the OS keyring and in memory, never in the webview, and offers the webview a
//! few commands (`commands.rs`). Everything else lives in the workspace's crates.

mod collector;
mod commands;
pub mod launch;
mod operation;
mod pipeline_file;
pub mod servers;
pub mod session;
pub mod vault;

use session::{Session, Settings, SettingsStore};
use std::sync::Arc;
use tauri::{Manager, Wry};
use tauri_plugin_store::{Store, StoreExt};

/// The keyring service name of the app's entries.
pub const KEYRING_SERVICE: &str = "houston-desktop";

/// Settings in tauri-plugin-store's `settings.json` (in the app's data directory).
struct PluginSettings(Arc<Store<Wry>>);

impl SettingsStore for PluginSettings {
    fn load(&self) -> Settings {
        self.0
            .get("settings")
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }

    fn save(&self, settings: &Settings) -> Result<(), String> {
        let value = serde_json::to_value(settings).map_err(|e| e.to_string())?;
        self.0.set("settings", value);
        self.0
            .save()
            .map_err(|e| format!("the settings could not be saved: {e}"))
    }
}

/// The session once it has started. It starts beside the window (the keyring, the
/// bundled server and its catalog take a few hundred milliseconds), so that the window
/// shows and loads its wasm meanwhile; the commands wait for it.
#[derive(Default)]
pub struct Launched(tokio::sync::SetOnce<Session>);

impl Launched {
    /// The session, once it has started.
    pub async fn session(&self) -> &Session {
        self.0.wait().await
    }
}

/// Starts the app.
pub fn run() {
    launch::begin();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::new().build())
        // Native save and open dialogs, used by the shell only (no dialog or fs permission
        // is granted to the webview).
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            launch::mark("setup");
            let data_dir = app.path().app_data_dir()?;
            std::fs::create_dir_all(&data_dir)?;
            let store = app.store("settings.json")?;
            app.manage(Launched::default());
            // Off the window's path: the window shows and loads its wasm meanwhile, and
            // the commands wait for the session (see `Launched`).
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let started = Session::start(
                    data_dir,
                    Box::new(PluginSettings(store)),
                    Box::new(vault::KeyringVault::new(KEYRING_SERVICE)),
                )
                .await;
                match started {
                    Ok(session) => {
                        launch::mark("session started");
                        launch::release_freed_memory();
                        // Set once, here only: it cannot be set already.
                        let _ = handle.state::<Launched>().0.set(session);
                    }
                    Err(e) => {
                        eprintln!("Houston Desktop could not start: {}", e.message);
                        std::process::exit(1);
                    }
                }
            });
            Ok(())
        })
        .on_page_load(|_, payload| {
            launch::mark(match payload.event() {
                tauri::webview::PageLoadEvent::Started => "page load started",
                tauri::webview::PageLoadEvent::Finished => "page load finished",
            })
        })
        .invoke_handler(tauri::generate_handler![
            commands::session_state,
            commands::check_server,
            commands::save_settings,
            commands::servers,
            commands::add_server,
            commands::switch_server,
            commands::forget_server,
            commands::sign_in,
            commands::sign_up,
            commands::confirm_email,
            commands::accept_link,
            commands::sign_out,
            commands::set_organization,
            commands::graphql,
            commands::create_api_key,
            commands::mail_outbox,
            commands::save_collector,
            commands::send_test_event,
            commands::watch_events,
            commands::stop_watching,
            commands::watch_changes,
            commands::save_pipeline,
            commands::open_pipeline,
        ])
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_, event| {
            if let tauri::RunEvent::Ready = event {
                launch::mark("event loop ready");
            }
        }),
        Err(e) => {
            eprintln!("Houston Desktop could not start: {e}");
            std::process::exit(1);
        }
    }
}
