//! Accessibility in the real window (tauri-driver under Xvfb, like `e2e.rs`): axe-core
//! (npm, locked in `tests/a11y`) is injected into the window and run on every screen, in
//! the light and in the dark appearance (GTK's dark theme, which WebKitGTK reports as
//! `prefers-color-scheme: dark`); any serious or critical violation fails the test, listed
//! by screen, rule, element and summary. And a status that replaces another (a refused
//! save's reason in the form's sticky Save bar) is drawn on screen at once, checked in the
//! pixels of a screenshot taken right after the change. Screenshots go to
//! `target/e2e-artifacts/a11y-*`.

mod e2e_support;
mod webdriver;

use e2e_support::{
    bundled_source, changed_extent, launch, rect_of, wait_for_app_exit, DriverProcess, Frame, Shots,
};
use std::path::PathBuf;
use webdriver::Driver;

/// axe-core's browser bundle, installed from `tests/a11y/package-lock.json`.
fn axe_source() -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/a11y");
    houston_test_harness::node::npm_ci(&dir);
    let file = dir.join("node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// Runs axe-core on the page as it is now (injecting it first when the page lacks it), and
/// adds each serious or critical violation to `found` as one line.
async fn audit(d: &Driver, axe: &str, screen: &str, found: &mut Vec<String>) {
    let present = d.script("return typeof window.axe === 'object'").await;
    if present != Ok(serde_json::Value::Bool(true)) {
        d.script(&format!("{axe}\n;return typeof window.axe;"))
            .await
            .expect("axe-core loads in the window");
    }
    let answer = d
        .script_async(
            "const done = arguments[arguments.length - 1];
             window.axe.run(document, { resultTypes: ['violations'] })
               .then(r => done(JSON.stringify(r.violations
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')
                   .flatMap(v => v.nodes.map(n => ({
                       rule: v.id, impact: v.impact, target: n.target.join(' '),
                       summary: (n.failureSummary || v.help).replace(/\\s+/g, ' ') }))))),
                     e => done(JSON.stringify([{ rule: 'axe-error', impact: 'critical',
                       target: '', summary: String(e) }])));",
        )
        .await
        .expect("axe-core runs");
    let violations: Vec<serde_json::Value> =
        serde_json::from_str(answer.as_str().unwrap_or("[]")).expect("axe's answer");
    eprintln!("{screen}: {} serious or critical", violations.len());
    for v in violations {
        let line = format!(
            "{screen}: {} ({}) at {}: {}",
            v["rule"].as_str().unwrap_or_default(),
            v["impact"].as_str().unwrap_or_default(),
            v["target"].as_str().unwrap_or_default(),
            v["summary"].as_str().unwrap_or_default(),
        );
        eprintln!("  {line}");
        found.push(line);
    }
}

/// One screen: audited, and photographed as `name`.
async fn screen(d: &Driver, axe: &str, shots: &mut Shots, name: &str, found: &mut Vec<String>) {
    // Transitions and fetches settle before colours are measured.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    shots.take(d, name).await;
    audit(d, axe, name, found).await;
}

/// Every screen of the window, in the given appearance, audited by axe-core.
async fn every_screen(dark: bool) {
    let axe = axe_source();
    let look = if dark { "dark" } else { "light" };
    let data_home = tempfile::tempdir().unwrap();
    let mut shots = Shots::new(&format!("a11y-{look}"));
    let theme = if dark { "Adwaita:dark" } else { "Adwaita" };
    let driver = DriverProcess::start_with(data_home.path(), &[("GTK_THEME", theme)]);
    let d = launch(&driver).await;
    let f = &mut Vec::new();

    let reported = d
        .script("return matchMedia('(prefers-color-scheme: dark)').matches")
        .await
        .unwrap();
    assert_eq!(
        reported,
        serde_json::Value::Bool(dark),
        "WebKitGTK reports the {look} appearance under GTK_THEME={theme}"
    );

    d.wait("#continue", 20).await.unwrap();
    screen(&d, &axe, &mut shots, "first-run", f).await;
    d.click_on("#backend-bundled").await.unwrap();
    d.click_on("#continue").await.unwrap();
    d.wait("#signin-email", 20).await.unwrap();
    screen(&d, &axe, &mut shots, "sign-in", f).await;
    d.click_on("#nav-signup").await.unwrap();
    d.fill("#signup-email", "alan@example.com").await.unwrap();
    d.fill("#signup-password", "bombe-machine-1939")
        .await
        .unwrap();
    screen(&d, &axe, &mut shots, "sign-up", f).await;
    d.click_on("#signup-submit").await.unwrap();
    d.click_on("#open-mail").await.unwrap();
    d.wait_text(".mail-item", "alan@example.com", 20)
        .await
        .unwrap();
    screen(&d, &axe, &mut shots, "mail", f).await;
    d.click_on(".mail-confirm").await.unwrap();
    d.wait_text("#current-user", "alan@example.com", 20)
        .await
        .unwrap();
    // Following the link closes the Mail panel.
    d.wait_gone("#mail-panel", 10).await.unwrap();

    d.click_on("#nav-orgs").await.unwrap();
    d.fill("#org-new-name", "Bletchley").await.unwrap();
    d.click_on("#org-create").await.unwrap();
    d.wait_text(".org-item", "Bletchley", 20).await.unwrap();
    screen(&d, &axe, &mut shots, "organizations", f).await;

    d.click_on("#nav-members").await.unwrap();
    d.fill("#member-email", "joan@example.com").await.unwrap();
    d.click_on("#member-add").await.unwrap();
    d.wait_text(".invitation-row", "joan@example.com", 20)
        .await
        .unwrap();
    screen(&d, &axe, &mut shots, "members", f).await;

    d.click_on("#nav-sources").await.unwrap();
    d.fill("#source-name", "Website").await.unwrap();
    d.click_on("#source-create").await.unwrap();
    d.wait_text(".source-row", "Website", 20).await.unwrap();
    screen(&d, &axe, &mut shots, "sources", f).await;

    d.click_on("#nav-destinations").await.unwrap();
    d.wait(".destination-card", 30).await.unwrap();
    screen(&d, &axe, &mut shots, "destinations", f).await;
    d.fill("#catalog-search", "acquisio").await.unwrap();
    d.click_on(".destination-card[data-code=\"acquisio\"]")
        .await
        .unwrap();
    d.wait("#save-integration", 20).await.unwrap();
    d.fill("#integration-name", "Acquisio").await.unwrap();
    d.fill("#connection-name", "Acquisio account")
        .await
        .unwrap();
    // Saved with the required key missing: the form's errors are audited too.
    d.click_on("#save-integration").await.unwrap();
    d.wait(".field-error[data-field=\"apiKey\"]", 10)
        .await
        .unwrap();
    screen(&d, &axe, &mut shots, "classic-form", f).await;
    d.fill("input[data-field=\"apiKey\"]", "acq-key-12345")
        .await
        .unwrap();
    d.click_on("#save-integration").await.unwrap();
    d.wait_text(".integration-row", "Acquisio", 30)
        .await
        .unwrap();
    screen(&d, &axe, &mut shots, "integrations", f).await;

    d.click_on("#nav-destinations").await.unwrap();
    d.wait(".destination-card", 30).await.unwrap();
    d.fill("#catalog-search", "actions-amplitude")
        .await
        .unwrap();
    d.click_on(".destination-card[data-code=\"actions-amplitude\"]")
        .await
        .unwrap();
    d.wait("#save-integration", 20).await.unwrap();
    d.wait(".section-toggle[data-section=\"logEvent\"]", 20)
        .await
        .unwrap();
    screen(&d, &axe, &mut shots, "action-form", f).await;
    d.click_on("#test-open").await.unwrap();
    d.wait("#test-panel", 10).await.unwrap();
    screen(&d, &axe, &mut shots, "action-form-test", f).await;

    d.click_on("#nav-connections").await.unwrap();
    d.wait_text(".connection-row", "Acquisio account", 20)
        .await
        .unwrap();
    // The form was left unsaved: the window asks first.
    if d.find("#confirm-yes").await.is_ok() {
        d.click_on("#confirm-yes").await.unwrap();
        d.wait_text(".connection-row", "Acquisio account", 20)
            .await
            .unwrap();
    }
    screen(&d, &axe, &mut shots, "connections", f).await;
    d.click_on(".connection-delete").await.unwrap();
    d.wait("#confirm-yes", 10).await.unwrap();
    screen(&d, &axe, &mut shots, "confirm", f).await;
    d.click_on("#confirm-cancel").await.unwrap();
    d.wait_gone("#confirm", 10).await.unwrap();

    d.click_on("#nav-keys").await.unwrap();
    d.fill("#key-label", "CI").await.unwrap();
    d.click_on("#key-create").await.unwrap();
    d.wait("#key-created", 20).await.unwrap();
    screen(&d, &axe, &mut shots, "api-keys", f).await;

    d.click_on("#nav-account").await.unwrap();
    d.wait("#account-first-name", 20).await.unwrap();
    screen(&d, &axe, &mut shots, "account", f).await;

    d.click_on("#nav-sources").await.unwrap();
    d.click_on(".source-row .source-debugger").await.unwrap();
    d.wait("#debugger-events", 20).await.unwrap();
    screen(&d, &axe, &mut shots, "debugger", f).await;

    d.click_on("#nav-reports").await.unwrap();
    d.wait(".report-totals", 30).await.unwrap();
    screen(&d, &axe, &mut shots, "reports", f).await;

    d.quit().await;
    drop(driver);
    wait_for_app_exit(data_home.path());
    assert!(
        f.is_empty(),
        "{} serious or critical accessibility violations ({look}):\n{}",
        f.len(),
        f.join("\n")
    );
}

#[tokio::test]
async fn every_screen_passes_axe_in_the_light() {
    every_screen(false).await;
}

#[tokio::test]
async fn every_screen_passes_axe_in_the_dark() {
    every_screen(true).await;
}

#[tokio::test]
async fn a_refused_save_is_drawn_at_once() {
    let data_home = tempfile::tempdir().unwrap();
    let shots = Shots::new("a11y-repaint");
    let driver = DriverProcess::start(data_home.path());
    let d = launch(&driver).await;
    bundled_source(&d, "kay@example.com", "smalltalk-1972", "Paint", "Web").await;
    d.click_on("#nav-destinations").await.unwrap();
    d.wait(".destination-card", 30).await.unwrap();
    d.fill("#catalog-search", "acquisio").await.unwrap();
    d.click_on(".destination-card[data-code=\"acquisio\"]")
        .await
        .unwrap();
    d.wait("#save-integration", 20).await.unwrap();
    d.fill("#integration-name", "Acquisio").await.unwrap();
    // A connection name of spaces passes the form and is refused by the server: the bar
    // says "Saving connection…", then the reason, longer, in its place.
    d.fill("#connection-name", "   ").await.unwrap();
    d.fill("input[data-field=\"apiKey\"]", "acq-key-12345")
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let before = Frame::take(&d).await;
    d.click_on("#save-integration").await.unwrap();
    d.wait_text("#save-outcome", "not saved", 20).await.unwrap();
    let after = Frame::take(&d).await;
    let rect = rect_of(&d, "#save-outcome").await;
    let drawn = changed_extent(&before, &after, rect);
    after.save(&shots.dir().join("refused-save.png"));
    d.quit().await;
    drop(driver);
    wait_for_app_exit(data_home.path());
    // The reason's last glyph is at its right edge: drawn whole, the changed pixels reach it.
    assert!(
        drawn > 0.95,
        "only {:.0} % of the reason's width ({rect:?}) was drawn right after it appeared \
         (see refused-save.png)",
        drawn * 100.0
    );
}
