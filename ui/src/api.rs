//! All data access: the Tauri shell's commands, and typed GraphQL operations sent through
//! its `graphql` command. Nothing else in the UI talks to the outside.

use std::cell::RefCell;

use houston_client::graphql_client::GraphQLQuery;
use houston_client::vocabulary::ErrorCode;
use houston_prototypes::FieldError;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::{json, Value};

/// A failed call: a machine `code` to match on, and a sentence for a person (the shell's
/// `CommandError`, defined once in the client crate).
pub use houston_client::CommandError as ApiError;
/// The session, the signed-in person, a server check and a mail, as the shell sends them
/// (defined once in the client crate).
pub use houston_client::{
    BackendKind, ChangeWatch, EventWatch, KnownServer, Mail, ServerCheck, SessionUser,
    SessionView as Session,
};

/// A mutation's outcome (`StatusMessage`): a failure here is data a form shows.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Status {
    /// Whether it did what was asked.
    pub success: bool,
    /// For a person.
    pub message: String,
    /// The id of what was created or changed.
    pub id: Option<String>,
    /// A stable machine code (`OK`, `LAST_OWNER`, `INVALID_INPUT`, …).
    pub code: Option<ErrorCode>,
    /// The fields that are wrong.
    pub field_errors: Option<Vec<FieldError>>,
}

impl Status {
    /// Reads any generated `StatusMessage`-shaped answer.
    pub fn of<T: Serialize>(answer: &T) -> Status {
        serde_json::to_value(answer)
            .ok()
            .and_then(|value| serde_json::from_value(value).ok())
            .unwrap_or_else(|| Status {
                message: "The answer could not be read".to_owned(),
                ..Status::default()
            })
    }

    /// The field errors, or none.
    pub fn field_errors(&self) -> &[FieldError] {
        self.field_errors.as_deref().unwrap_or_default()
    }
}

type ErrorHook = Box<dyn Fn(&ApiError)>;

thread_local! {
    /// Which server the window talks to: a new number on each switch (see [`new_server`]).
    static SERVER: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    static ON_ERROR: RefCell<Option<ErrorHook>> = const { RefCell::new(None) };
    static ON_SUCCESS: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Registers what happens on every failed call (the sign-in-again modal, the unreachable
/// banner) and on every successful one (the banner goes away).
pub fn on_outcome(on_error: impl Fn(&ApiError) + 'static, on_success: impl Fn() + 'static) {
    ON_ERROR.with(|hook| *hook.borrow_mut() = Some(Box::new(on_error)));
    ON_SUCCESS.with(|hook| *hook.borrow_mut() = Some(Box::new(on_success)));
}

/// Tells the calls on their way that the window now talks to another server: whatever
/// they answer belongs to the old one, and comes back as [`ErrorCode::ServerChanged`]
/// instead of landing on the new one's pages.
pub fn new_server() {
    SERVER.with(|server| server.set(server.get() + 1));
}

/// Calls a shell command with camelCase `args`, answering its JSON.
pub async fn invoke(command: &str, args: Value) -> Result<Value, ApiError> {
    let asked_of = SERVER.with(std::cell::Cell::get);
    let outcome = raw_invoke(command, args).await;
    if let Some(dropped) = asked_of_old_server(asked_of) {
        return Err(dropped);
    }
    report(&outcome);
    outcome
}

/// The error that replaces an answer when the window switched servers after asking
/// (`asked_of` is the server count when the call was made), so that it does not land on the
/// new server's pages.
fn asked_of_old_server(asked_of: u64) -> Option<ApiError> {
    (SERVER.with(std::cell::Cell::get) != asked_of).then(|| {
        ApiError::new(
            ErrorCode::ServerChanged,
            "The window switched servers before this answer came; it was dropped.",
        )
    })
}

/// Tells the hooks of [`on_outcome`] how a call went.
fn report<T>(outcome: &Result<T, ApiError>) {
    match outcome {
        Ok(_) => ON_SUCCESS.with(|hook| {
            if let Some(hook) = hook.borrow().as_ref() {
                hook();
            }
        }),
        Err(error) => ON_ERROR.with(|hook| {
            if let Some(hook) = hook.borrow().as_ref() {
                hook(error);
            }
        }),
    }
}

fn no_shell() -> ApiError {
    ApiError::new(ErrorCode::NoShell, "This page runs outside Houston Desktop")
}

/// `window.__TAURI__.core`, where `invoke` and `Channel` are.
fn tauri_core() -> Result<wasm_bindgen::JsValue, ApiError> {
    use js_sys::Reflect;
    use wasm_bindgen::JsValue;

    let window = web_sys::window().ok_or_else(no_shell)?;
    let tauri = Reflect::get(&window, &JsValue::from_str("__TAURI__")).map_err(|_| no_shell())?;
    if tauri.is_undefined() {
        return Err(no_shell());
    }
    Reflect::get(&tauri, &JsValue::from_str("core")).map_err(|_| no_shell())
}

/// `args` (a JSON object) as a JavaScript object.
fn js_args(args: &Value) -> Result<wasm_bindgen::JsValue, ApiError> {
    js_sys::JSON::parse(&args.to_string())
        .map_err(|_| ApiError::new(ErrorCode::BadRequest, "The request could not be written"))
}

async fn raw_invoke(command: &str, args: Value) -> Result<Value, ApiError> {
    invoke_js(command, js_args(&args)?).await
}

async fn invoke_js(command: &str, args: wasm_bindgen::JsValue) -> Result<Value, ApiError> {
    invoke_page(command, args)
        .await
        .map(|answer| to_json(&answer).unwrap_or(Value::Null))
}

/// Calls a shell command, answering its answer as the page holds it.
async fn invoke_page(
    command: &str,
    args: wasm_bindgen::JsValue,
) -> Result<wasm_bindgen::JsValue, ApiError> {
    use js_sys::{Function, Promise, Reflect};
    use wasm_bindgen::{JsCast, JsValue};

    let core = tauri_core()?;
    let invoke: Function = Reflect::get(&core, &JsValue::from_str("invoke"))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(no_shell)?;
    let promise: Promise = invoke
        .call2(&core, &JsValue::from_str(command), &args)
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::BadRequest,
                format!("`{command}` could not be called"),
            )
        })?;
    match wasm_bindgen_futures::JsFuture::from(promise).await {
        Ok(answer) => Ok(answer),
        Err(rejection) => Err(match to_json(&rejection) {
            Some(Value::String(message)) => ApiError::new(ErrorCode::Error, message),
            Some(value) => serde_json::from_value(value.clone())
                .unwrap_or_else(|_| ApiError::new(ErrorCode::Error, value.to_string())),
            None => ApiError::new(ErrorCode::Error, "The call failed"),
        }),
    }
}

fn to_json(value: &wasm_bindgen::JsValue) -> Option<Value> {
    if value.is_undefined() {
        return None;
    }
    let text: String = js_sys::JSON::stringify(value).ok()?.into();
    serde_json::from_str(&text).ok()
}

async fn command<T: DeserializeOwned>(name: &str, args: Value) -> Result<T, ApiError> {
    let answer = invoke(name, args).await?;
    serde_json::from_value(answer).map_err(|error| {
        ApiError::new(
            ErrorCode::BadResponse,
            format!("The answer to `{name}` could not be read: {error}"),
        )
    })
}

/// Runs one typed GraphQL operation for `organization` (the header; `None` for none).
pub async fn run<Q: GraphQLQuery>(
    variables: Q::Variables,
    organization: Option<String>,
) -> Result<Q::ResponseData, ApiError> {
    let body = serde_json::to_value(Q::build_query(variables))
        .map_err(|e| ApiError::new(ErrorCode::BadRequest, e.to_string()))?;
    command(
        "graphql",
        json!({ "body": body, "organization": organization }),
    )
    .await
}

/// Runs one GraphQL operation and reads its data as `T` straight from the answer's text,
/// written by the page with every null object member left out: for a model whose absent
/// lists and options take their defaults (the catalog's forms), one read of a large answer
/// instead of reading it into a `Value`, leaving its nulls out and reading that again.
pub async fn run_without_nulls<Q: GraphQLQuery, T: DeserializeOwned>(
    variables: Q::Variables,
    organization: Option<String>,
) -> Result<T, ApiError> {
    let body = serde_json::to_value(Q::build_query(variables))
        .map_err(|e| ApiError::new(ErrorCode::BadRequest, e.to_string()))?;
    let args = js_args(&json!({ "body": body, "organization": organization }))?;
    let asked_of = SERVER.with(std::cell::Cell::get);
    let outcome = invoke_page("graphql", args).await;
    if let Some(dropped) = asked_of_old_server(asked_of) {
        return Err(dropped);
    }
    report(&outcome);
    let text = text_without_nulls(&outcome?).ok_or_else(|| {
        ApiError::new(
            ErrorCode::BadResponse,
            "The answer to `graphql` could not be read",
        )
    })?;
    serde_json::from_str(&text).map_err(|error| {
        ApiError::new(
            ErrorCode::BadResponse,
            format!("The answer to `graphql` could not be read: {error}"),
        )
    })
}

/// `value` as JSON text without its null object members: `JSON.stringify` leaves out a
/// member its replacer answers nothing for, and writes `null` for such an item of a list.
fn text_without_nulls(value: &wasm_bindgen::JsValue) -> Option<String> {
    js_sys::JSON::stringify_with_replacer_func(
        value,
        &mut |_key, value| Ok((!value.is_null()).then_some(value)),
        None,
    )
    .ok()?
    .as_string()
}

/// The current session.
pub async fn session_state() -> Result<Session, ApiError> {
    command("session_state", json!({})).await
}

/// Whether a Houston answers at `url`.
pub async fn check_server(url: &str) -> Result<ServerCheck, ApiError> {
    command("check_server", json!({ "url": url })).await
}

/// Chooses the backend (ends the first run).
pub async fn save_settings(
    backend: BackendKind,
    remote_url: Option<&str>,
) -> Result<Session, ApiError> {
    command(
        "save_settings",
        json!({ "backend": backend, "remoteUrl": remote_url }),
    )
    .await
}

/// The servers used, the current one marked.
pub async fn servers() -> Result<Vec<KnownServer>, ApiError> {
    command("servers", json!({})).await
}

/// Adds the remote Houston at `url` (it must answer); answers the list.
pub async fn add_server(url: &str) -> Result<Vec<KnownServer>, ApiError> {
    command("add_server", json!({ "url": url })).await
}

/// Switches to the server `id`, with its own session.
pub async fn switch_server(id: &str) -> Result<Session, ApiError> {
    command("switch_server", json!({ "id": id })).await
}

/// Takes the server `id` out of the list, deleting its session.
pub async fn forget_server(id: &str) -> Result<Session, ApiError> {
    command("forget_server", json!({ "id": id })).await
}

/// Signs in.
pub async fn sign_in(username: &str, password: &str) -> Result<Session, ApiError> {
    command(
        "sign_in",
        json!({ "username": username, "password": password }),
    )
    .await
}

/// What a new account is made of.
#[derive(Clone, Debug, Default)]
pub struct SignUp {
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Company.
    pub company: String,
}

/// Makes an account (pending until its email is confirmed).
pub async fn sign_up(form: &SignUp) -> Result<Session, ApiError> {
    command(
        "sign_up",
        json!({
            "email": form.email, "password": form.password, "firstName": form.first_name,
            "lastName": form.last_name, "company": form.company,
        }),
    )
    .await
}

/// Confirms an email with a mailed token.
pub async fn confirm_email(token: &str) -> Result<Session, ApiError> {
    command("confirm_email", json!({ "token": token })).await
}

/// Sets a password from an invitation or reset link.
pub async fn accept_link(token: &str, password: &str) -> Result<Session, ApiError> {
    command(
        "accept_link",
        json!({ "token": token, "password": password }),
    )
    .await
}

/// Signs out.
pub async fn sign_out() -> Result<Session, ApiError> {
    command("sign_out", json!({})).await
}

/// Chooses the organization every page acts for (`None`: none, when none is left).
pub async fn set_organization(org_id: Option<&str>) -> Result<Session, ApiError> {
    command("set_organization", json!({ "orgId": org_id })).await
}

/// The bundled server's outbox.
pub async fn mail_outbox() -> Result<Vec<Mail>, ApiError> {
    command("mail_outbox", json!({})).await
}

/// Sets the bundled collector's port and whether it serves the whole API too.
pub async fn save_collector(port: u16, serve_api: bool) -> Result<Session, ApiError> {
    command(
        "save_collector",
        json!({ "port": port, "serveApi": serve_api }),
    )
    .await
}

/// Posts `event` through the collector with the source's write key, as an SDK would.
pub async fn send_test_event(app_id: &str, event: &Value) -> Result<(), ApiError> {
    raw_invoke(
        "send_test_event",
        json!({ "appId": app_id, "event": event }),
    )
    .await
    .map(|_| ())
}

/// A running watch on a source's events; dropping it ends the watch.
pub struct Watch {
    id: u64,
    // Called by the shell's channel for as long as the watch runs.
    _on_message: wasm_bindgen::closure::Closure<dyn FnMut(wasm_bindgen::JsValue)>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let id = self.id;
        wasm_bindgen_futures::spawn_local(async move {
            let _ = raw_invoke("stop_watching", json!({ "watch": id })).await;
        });
    }
}

/// A shell channel whose messages go to `on_message` (those that do not parse as `M` are
/// dropped), with the closure that must live as long as the channel is used.
#[allow(clippy::type_complexity)]
fn channel<M: serde::de::DeserializeOwned + 'static>(
    mut on_message: impl FnMut(M) + 'static,
) -> Result<
    (
        wasm_bindgen::JsValue,
        wasm_bindgen::closure::Closure<dyn FnMut(wasm_bindgen::JsValue)>,
    ),
    ApiError,
> {
    use js_sys::{Array, Function, Reflect};
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};

    let core = tauri_core()?;
    let channel_class: Function = Reflect::get(&core, &JsValue::from_str("Channel"))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(no_shell)?;
    let channel = Reflect::construct(&channel_class, &Array::new()).map_err(|_| no_shell())?;
    let closure = Closure::<dyn FnMut(JsValue)>::new(move |message: JsValue| {
        if let Some(message) = to_json(&message).and_then(|m| serde_json::from_value(m).ok()) {
            on_message(message);
        }
    });
    Reflect::set(&channel, &JsValue::from_str("onmessage"), closure.as_ref())
        .map_err(|_| no_shell())?;
    Ok((channel, closure))
}

/// Watches the events of `app_id` as they are stored, handing each message to
/// `on_message` until the [`Watch`] is dropped.
pub async fn watch_events(
    app_id: &str,
    organization: Option<String>,
    on_message: impl FnMut(EventWatch) + 'static,
) -> Result<Watch, ApiError> {
    use js_sys::Reflect;
    use wasm_bindgen::JsValue;

    let (channel, closure) = channel(on_message)?;
    let args = js_args(&json!({ "appId": app_id, "organization": organization }))?;
    Reflect::set(&args, &JsValue::from_str("channel"), &channel).map_err(|_| no_shell())?;
    let answer = invoke_js("watch_events", args).await?;
    let id = answer
        .as_u64()
        .ok_or_else(|| ApiError::new(ErrorCode::BadResponse, "The watch answered no id"))?;
    Ok(Watch {
        id,
        _on_message: closure,
    })
}

/// Hands the current organization's changes to `on_message` for as long as the window
/// lives: the shell keeps the watch while someone is signed in and moves it with the
/// organization and the session. Called once per window.
pub async fn watch_changes(on_message: impl FnMut(ChangeWatch) + 'static) -> Result<(), ApiError> {
    use js_sys::Reflect;
    use wasm_bindgen::JsValue;

    let (channel, closure) = channel(on_message)?;
    let args = js_args(&json!({}))?;
    Reflect::set(&args, &JsValue::from_str("channel"), &channel).map_err(|_| no_shell())?;
    invoke_js("watch_changes", args).await?;
    // The window's whole life: the shell may call it at any time.
    closure.forget();
    Ok(())
}

/// Copies text to the clipboard (best effort).
pub fn copy_to_clipboard(text: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_and_statuses_read_from_camel_case() {
        let session: Session = serde_json::from_value(json!({
            "backend": "bundled", "remoteUrl": null, "signedIn": true, "firstRun": false,
            "organization": "o1",
            "user": {"id": "u", "username": "a@b.c", "status": "active", "firstName": "A", "lastName": null, "company": null}
        }))
        .expect("reads");
        assert!(session.signed_in);
        assert_eq!(session.user.map(|u| u.username).as_deref(), Some("a@b.c"));

        let status = Status::of(&json!({
            "success": false, "message": "bad", "id": null, "code": "INVALID_INPUT",
            "fieldErrors": [{"propertyName": "apiKey", "message": "API Key is required"}]
        }));
        assert_eq!(status.field_errors()[0].property_name, "apiKey");
        let error: ApiError =
            serde_json::from_value(json!({"code": "TOKEN_EXPIRED", "message": "expired"}))
                .expect("reads");
        assert!(error.needs_sign_in());
    }
}
