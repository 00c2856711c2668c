//! The commands the webview may call (each granted by name in `capabilities/default.json`).
//! Thin wrappers: the work is in [`crate::session::Session`].

use crate::session::{BackendKind, CommandError, KnownServer, Mail, Profile, SessionView};
use crate::Launched;
use houston_client::vocabulary::Role;
use houston_client::{ChangeWatch, EventWatch, ServerCheck};
use serde_json::Value;
use tauri::ipc::Channel;
use tauri::State;

type Answer<T> = Result<T, CommandError>;

/// The session, without the token.
#[tauri::command]
pub async fn session_state(launched: State<'_, Launched>) -> Answer<SessionView> {
    crate::launch::mark("session_state asked");
    let view = launched.session().await.view().await;
    crate::launch::mark("session_state answered");
    Ok(view)
}

/// Whether a Houston answers at `url`: only the server being set up (see
/// [`Session::check_server`]).
#[tauri::command]
pub async fn check_server(launched: State<'_, Launched>, url: String) -> Answer<ServerCheck> {
    let session = launched.session().await;
    Ok(match session.check_server(&url).await {
        Ok(health) => ServerCheck {
            ok: true,
            message: health,
        },
        Err(e) => ServerCheck {
            ok: false,
            message: e.message,
        },
    })
}

#[tauri::command]
pub async fn save_settings(
    launched: State<'_, Launched>,
    backend: BackendKind,
    remote_url: Option<String>,
) -> Answer<SessionView> {
    let session = launched.session().await;
    session.save_settings(backend, remote_url).await
}

/// The servers used, the current one marked (no token: whether a session is kept).
#[tauri::command]
pub async fn servers(launched: State<'_, Launched>) -> Answer<Vec<KnownServer>> {
    Ok(launched.session().await.servers().await)
}

/// Adds a remote Houston to the list once it answers; answers the list.
#[tauri::command]
pub async fn add_server(launched: State<'_, Launched>, url: String) -> Answer<Vec<KnownServer>> {
    launched.session().await.add_server(&url).await
}

/// Switches to the server `id` (from the list) with its own session.
#[tauri::command]
pub async fn switch_server(launched: State<'_, Launched>, id: String) -> Answer<SessionView> {
    launched.session().await.switch_server(&id).await
}

/// Takes the server `id` out of the list and deletes its session.
#[tauri::command]
pub async fn forget_server(launched: State<'_, Launched>, id: String) -> Answer<SessionView> {
    launched.session().await.forget_server(&id).await
}

#[tauri::command]
pub async fn sign_in(
    launched: State<'_, Launched>,
    username: String,
    password: String,
) -> Answer<SessionView> {
    let session = launched.session().await;
    session.sign_in(&username, &password).await
}

#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn sign_up(
    launched: State<'_, Launched>,
    email: String,
    password: String,
    first_name: Option<String>,
    last_name: Option<String>,
    company: Option<String>,
) -> Answer<SessionView> {
    let session = launched.session().await;
    let profile = Profile {
        first_name,
        last_name,
        company,
    };
    session.sign_up(&email, &password, profile).await
}

#[tauri::command]
pub async fn confirm_email(launched: State<'_, Launched>, token: String) -> Answer<SessionView> {
    let session = launched.session().await;
    session.confirm_email(&token).await
}

#[tauri::command]
pub async fn accept_link(
    launched: State<'_, Launched>,
    token: String,
    password: String,
) -> Answer<SessionView> {
    let session = launched.session().await;
    session.accept_link(&token, &password).await
}

#[tauri::command]
pub async fn sign_out(launched: State<'_, Launched>) -> Answer<SessionView> {
    let session = launched.session().await;
    Ok(session.sign_out().await)
}

#[tauri::command]
pub async fn set_organization(
    launched: State<'_, Launched>,
    org_id: Option<String>,
) -> Answer<SessionView> {
    let session = launched.session().await;
    session.set_organization(org_id).await
}

/// Forwards one GraphQL operation (`{query, variables, operationName}`) with the token.
#[tauri::command]
pub async fn graphql(
    launched: State<'_, Launched>,
    body: Value,
    organization: Option<String>,
) -> Answer<Value> {
    let session = launched.session().await;
    session.graphql(body, organization).await
}

/// Creates an API key; its answer holds the key, which the window shows once. (The
/// `graphql` command refuses `createApiKey`: a script in the window cannot mint keys for
/// itself unseen.)
#[tauri::command]
pub async fn create_api_key(
    launched: State<'_, Launched>,
    org_id: String,
    label: String,
    role: Role,
) -> Answer<Value> {
    let session = launched.session().await;
    session.create_api_key(org_id, label, role).await
}

#[tauri::command]
pub async fn mail_outbox(launched: State<'_, Launched>) -> Answer<Vec<Mail>> {
    let session = launched.session().await;
    session.mail_outbox().await
}

/// Sets the bundled collector's port and whether it serves the API too.
#[tauri::command]
pub async fn save_collector(
    launched: State<'_, Launched>,
    port: u16,
    serve_api: bool,
) -> Answer<SessionView> {
    let session = launched.session().await;
    session.save_collector(port, serve_api).await
}

/// Posts one event to the collector with a source's write key, as an SDK would.
#[tauri::command]
pub async fn send_test_event(
    launched: State<'_, Launched>,
    app_id: String,
    event: Value,
) -> Answer<()> {
    let session = launched.session().await;
    session.send_test_event(&app_id, event).await
}

/// Streams a source's events into `channel` as they are stored; answers the watch's id.
#[tauri::command]
pub async fn watch_events(
    launched: State<'_, Launched>,
    app_id: String,
    organization: Option<String>,
    channel: Channel<EventWatch>,
) -> Answer<u64> {
    let session = launched.session().await;
    session
        .watch_events(app_id, organization, move |message| {
            channel.send(message).is_ok()
        })
        .await
}

/// Streams the current organization's changes into `channel` for as long as someone is
/// signed in, following the organization and the session (see `Session::watch_changes`).
/// A window calls it once; calling it again (the window loaded again) moves the stream to
/// the new channel.
#[tauri::command]
pub async fn watch_changes(
    launched: State<'_, Launched>,
    channel: Channel<ChangeWatch>,
) -> Answer<()> {
    let session = launched.session().await;
    session
        .watch_changes(move |message| channel.send(message).is_ok())
        .await;
    Ok(())
}

/// Ends a watch.
#[tauri::command]
pub async fn stop_watching(launched: State<'_, Launched>, watch: u64) -> Answer<()> {
    let session = launched.session().await;
    session.stop_watching(watch);
    Ok(())
}

/// Asks where to save the pipeline `text` (a native save dialog offering
/// `<source_name>.houston-pipeline.json`) and writes it there: only a pipeline is written
/// (see [`crate::pipeline_file`]). The chosen file's name, or nothing when cancelled.
#[tauri::command]
pub async fn save_pipeline(
    app: tauri::AppHandle,
    text: String,
    source_name: String,
) -> Answer<Option<String>> {
    use tauri_plugin_dialog::DialogExt;
    let dialog = app
        .dialog()
        .file()
        .set_file_name(crate::pipeline_file::file_name(&source_name))
        .add_filter("Houston pipeline", &["json"]);
    let Some(path) = choose(move || dialog.blocking_save_file()).await? else {
        return Ok(None);
    };
    crate::pipeline_file::write(&path, &text)?;
    Ok(path.file_name().map(|n| n.to_string_lossy().into_owned()))
}

/// Asks which pipeline file to open (a native open dialog) and answers its pipeline as
/// text: only a pipeline is returned (see [`crate::pipeline_file`]); nothing when
/// cancelled.
#[tauri::command]
pub async fn open_pipeline(app: tauri::AppHandle) -> Answer<Option<String>> {
    use tauri_plugin_dialog::DialogExt;
    let dialog = app
        .dialog()
        .file()
        .add_filter("Houston pipeline", &["json"]);
    let Some(path) = choose(move || dialog.blocking_pick_file()).await? else {
        return Ok(None);
    };
    crate::pipeline_file::read(&path).map(Some)
}

/// Runs a native dialog off the async runtime and answers the local path chosen.
async fn choose(
    dialog: impl FnOnce() -> Option<tauri_plugin_dialog::FilePath> + Send + 'static,
) -> Answer<Option<std::path::PathBuf>> {
    let chosen = tauri::async_runtime::spawn_blocking(dialog)
        .await
        .map_err(|e| {
            CommandError::new(houston_client::vocabulary::ErrorCode::Error, e.to_string())
        })?;
    chosen
        .map(|p| {
            p.into_path().map_err(|_| {
                CommandError::new(
                    houston_client::vocabulary::ErrorCode::InvalidInput,
                    "Choose a file on this computer.",
                )
            })
        })
        .transpose()
}
