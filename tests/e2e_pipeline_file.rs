//! A pipeline exported to a file and imported into another source through the real native
//! dialogs (issue 13 #9a), in the real window (tauri-driver under Xvfb, like `e2e.rs`):
//! tauri-plugin-dialog opens GTK's file chooser, which this test drives as a person would
//! with the keyboard through xdotool (XTEST): the save dialog gets a path typed over its
//! suggested name, the open dialog Ctrl+L, a path and Enter. The file holds the pipeline
//! and no secret; the other source gets the same integration. Screenshots go to
//! `target/e2e-artifacts/pipeline-file/`.

mod e2e_support;
mod webdriver;

use e2e_support::{
    bundled_source, graphql, launch, wait_for_app_exit, wait_inner, BundledSource, DriverProcess,
    Shots,
};
use serde_json::json;
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs xdotool on the test's display; its standard output.
fn xdotool(args: &[&str]) -> String {
    let out = Command::new("xdotool")
        .args(args)
        .output()
        .expect("xdotool runs (Debian's xdotool, installed by .ci/setup)");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Waits for GTK's file chooser titled `title` to be shown, gives it the keyboard, and
/// presses what `keys` says (each an xdotool command); fails after 30 s.
async fn in_file_chooser(title: &str, keys: &[&[&str]]) {
    let pattern = format!("^{title}$");
    let deadline = Instant::now() + Duration::from_secs(30);
    let window = loop {
        let found = xdotool(&["search", "--onlyvisible", "--name", &pattern]);
        if let Some(id) = found.lines().next().filter(|l| !l.is_empty()) {
            break id.to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "no file chooser titled {title:?}; windows: {}",
            xdotool(&["search", "--onlyvisible", "--name", "."])
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    // Its widgets are built a moment after the window maps.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    xdotool(&["windowfocus", "--sync", &window]);
    for key in keys {
        xdotool(key);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn a_pipeline_goes_to_a_file_and_into_another_source_through_the_native_dialogs() {
    let data_home = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let file = files.path().join("shop-pipeline.json");
    let file_text = file.to_string_lossy().into_owned();
    let mut shots = Shots::new("pipeline-file");
    let driver = DriverProcess::start(data_home.path());
    let d = launch(&driver).await;
    let BundledSource { write_key, .. } = bundled_source(
        &d,
        "ada@example.com",
        "analytical-engine-1843",
        "Files Ltd",
        "Shop",
    )
    .await;
    let org = graphql(&d, "{ organizations { id } }", json!({})).await["organizations"][0]["id"]
        .as_str()
        .expect("the organization")
        .to_owned();
    let status = |answer: serde_json::Value, name: &str| {
        let s = answer[name].clone();
        assert_eq!(s["success"], true, "{name}: {s}");
        s["id"].as_str().unwrap_or_default().to_owned()
    };
    let connection = status(
        graphql(
            &d,
            "mutation($o: String!) { createConnection(integrationCode: \"acquisio\", details: {apiKey: \"acq-secret-98765\"}, name: \"Acquisio account\", orgId: $o, connectionPrototypeId: \"acquisio\") { success message id } }",
            json!({ "o": org }),
        )
        .await,
        "createConnection",
    );
    status(
        graphql(
            &d,
            "mutation($a: String!, $c: String!) { createIntegration(appId: $a, integrationCode: \"acquisio\", configPayload: {}, connectionId: $c, name: \"Acquisio for the shop\") { success message id } }",
            json!({ "a": write_key, "c": connection }),
        )
        .await,
        "createIntegration",
    );
    let outlet = status(
        graphql(
            &d,
            "mutation($o: String!) { createApplication(name: \"Outlet\", platform: \"analytics.js\", orgId: $o) { success message id } }",
            json!({ "o": org }),
        )
        .await,
        "createApplication",
    );
    d.click_on("#nav-integrations").await.unwrap();
    d.click_on("#nav-sources").await.unwrap();
    let shop = format!(".source-row[data-id=\"{write_key}\"]");
    let outlet_row = format!(".source-row[data-id=\"{outlet}\"]");
    d.wait(&outlet_row, 20).await.unwrap();

    // Export: the save dialog offers a name; a path typed over it chooses the file.
    d.click_on(&format!("{shop} .pipeline-export"))
        .await
        .unwrap();
    in_file_chooser(
        "Save File",
        &[
            &["key", "--clearmodifiers", "ctrl+a"],
            &["type", "--delay", "20", &file_text],
            &["key", "--clearmodifiers", "Return"],
        ],
    )
    .await;
    wait_inner(&d, &format!("{shop} .pipeline-message"), "Saved to", 20)
        .await
        .unwrap();
    shots.take(&d, "exported").await;
    let text = std::fs::read_to_string(&file).expect("the chosen file was written");
    assert!(text.contains("houston-pipeline/1"), "{text}");
    assert!(text.contains("Acquisio for the shop"), "{text}");
    assert!(
        text.contains("Acquisio account"),
        "the connection by name: {text}"
    );
    assert!(
        !text.contains("acq-secret-98765"),
        "no secret in the file: {text}"
    );

    // Import into the other source: Ctrl+L, the path, Enter; then the window asks to confirm.
    d.click_on(&format!("{outlet_row} .pipeline-import"))
        .await
        .unwrap();
    in_file_chooser(
        "Open File",
        &[
            &["key", "--clearmodifiers", "ctrl+l"],
            &["type", "--delay", "20", &file_text],
            &["key", "--clearmodifiers", "Return"],
        ],
    )
    .await;
    d.click_on(&format!("{outlet_row} .pipeline-import-confirm"))
        .await
        .unwrap();
    wait_inner(
        &d,
        &format!("{outlet_row} .pipeline-message"),
        "Imported 1 integrations.",
        20,
    )
    .await
    .unwrap();
    shots.take(&d, "imported").await;
    let imported = graphql(
        &d,
        "query($a: String) { clickstreamConfigs(appId: $a) { name connection { id } } }",
        json!({ "a": outlet }),
    )
    .await;
    assert_eq!(
        imported["clickstreamConfigs"],
        json!([{ "name": "Acquisio for the shop", "connection": { "id": connection } }]),
        "the same integration, on the same connection: {imported}"
    );

    d.quit().await;
    drop(driver);
    wait_for_app_exit(data_home.path());
}
