//! A small W3C WebDriver client: just the endpoints the end-to-end test needs, over
//! reqwest, against tauri-driver (which hands them to WebKitWebDriver).
#![allow(dead_code)]

use serde_json::{json, Value};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One WebDriver session.
pub struct Driver {
    http: reqwest::Client,
    base: String,
}

/// An element of the page.
#[derive(Clone, Debug)]
pub struct Element(String);

impl Driver {
    /// Opens a session that launches `application` (the app binary) through tauri-driver.
    pub async fn launch(driver_url: &str, application: &str) -> Result<Driver, String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| e.to_string())?;
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "wry",
            "tauri:options": { "application": application }
        } } });
        let res: Value = http
            .post(format!("{driver_url}/session"))
            .json(&caps)
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let id = res["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session: {res}"))?;
        Ok(Driver {
            http,
            base: format!("{driver_url}/session/{id}"),
        })
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res: Value = req
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        if let Some(err) = res["value"].get("error") {
            return Err(format!("{err}: {}", res["value"]["message"]));
        }
        Ok(res["value"].clone())
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    /// The first element matching a CSS selector, now.
    pub async fn find(&self, css: &str) -> Result<Element, String> {
        let v = self
            .post("/element", json!({ "using": "css selector", "value": css }))
            .await?;
        v[ELEMENT]
            .as_str()
            .map(|s| Element(s.to_string()))
            .ok_or_else(|| format!("no element {css}"))
    }

    /// Every element matching a CSS selector, now.
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>, String> {
        let v = self
            .post(
                "/elements",
                json!({ "using": "css selector", "value": css }),
            )
            .await?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT].as_str())
                    .map(|s| Element(s.to_string()))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Waits up to `secs` for an element matching `css` to exist and be displayed.
    pub async fn wait(&self, css: &str, secs: u64) -> Result<Element, String> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Ok(e) = self.find(css).await {
                if self.displayed(&e).await.unwrap_or(false) {
                    return Ok(e);
                }
            }
            if Instant::now() > deadline {
                return Err(format!("timed out waiting for {css}"));
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Waits until no displayed element matches `css`.
    pub async fn wait_gone(&self, css: &str, secs: u64) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let mut shown = false;
            for e in self.find_all(css).await? {
                shown |= self.displayed(&e).await.unwrap_or(false);
            }
            if !shown {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("{css} is still shown"));
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Waits until the text of some element matching `css` contains `needle`.
    pub async fn wait_text(&self, css: &str, needle: &str, secs: u64) -> Result<Element, String> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            for e in self.find_all(css).await.unwrap_or_default() {
                if self.text(&e).await.unwrap_or_default().contains(needle) {
                    return Ok(e);
                }
            }
            if Instant::now() > deadline {
                return Err(format!("timed out waiting for {needle:?} in {css}"));
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    pub async fn displayed(&self, e: &Element) -> Result<bool, String> {
        Ok(self
            .call(
                reqwest::Method::GET,
                &format!("/element/{}/displayed", e.0),
                None,
            )
            .await?
            .as_bool()
            .unwrap_or(false))
    }

    /// Clicks `e` as a person would. WebDriver scrolls an element into view at the bottom
    /// edge of the view, where the form's sticky Save bar covers it ("element click
    /// intercepted"); then it is scrolled to the middle of the view and clicked again.
    pub async fn click(&self, e: &Element) -> Result<(), String> {
        let click = format!("/element/{}/click", e.0);
        match self.post(&click, json!({})).await {
            Err(why) if why.contains("element click intercepted") => {
                self.post(
                    "/execute/sync",
                    json!({
                        "script": "arguments[0].scrollIntoView({block: 'center'});",
                        "args": [{ ELEMENT: e.0 }],
                    }),
                )
                .await?;
                self.post(&click, json!({})).await.map(|_| ())
            }
            other => other.map(|_| ()),
        }
    }

    /// Waits for `css`, then clicks it.
    pub async fn click_on(&self, css: &str) -> Result<(), String> {
        let e = self.wait(css, 20).await?;
        self.click(&e).await
    }

    pub async fn clear(&self, e: &Element) -> Result<(), String> {
        self.post(&format!("/element/{}/clear", e.0), json!({}))
            .await
            .map(|_| ())
    }

    pub async fn type_into(&self, e: &Element, text: &str) -> Result<(), String> {
        self.post(&format!("/element/{}/value", e.0), json!({ "text": text }))
            .await
            .map(|_| ())
    }

    /// Waits for `css`, clears it and types `text`.
    pub async fn fill(&self, css: &str, text: &str) -> Result<(), String> {
        let e = self.wait(css, 20).await?;
        self.clear(&e).await?;
        self.type_into(&e, text).await
    }

    pub async fn text(&self, e: &Element) -> Result<String, String> {
        Ok(self
            .call(
                reqwest::Method::GET,
                &format!("/element/{}/text", e.0),
                None,
            )
            .await?
            .as_str()
            .unwrap_or("")
            .to_string())
    }

    pub async fn property(&self, e: &Element, name: &str) -> Result<Value, String> {
        self.call(
            reqwest::Method::GET,
            &format!("/element/{}/property/{name}", e.0),
            None,
        )
        .await
    }

    /// Runs a script in the page and answers its result.
    pub async fn script(&self, js: &str) -> Result<Value, String> {
        self.post("/execute/sync", json!({ "script": js, "args": [] }))
            .await
    }

    /// Runs an asynchronous script (its last argument is the callback) and answers what it
    /// passes to the callback.
    pub async fn script_async(&self, js: &str) -> Result<Value, String> {
        self.post("/execute/async", json!({ "script": js, "args": [] }))
            .await
    }

    /// The window as a PNG file's bytes.
    pub async fn screenshot_png(&self) -> Result<Vec<u8>, String> {
        use base64::Engine;
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await?;
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or(""))
            .map_err(|e| e.to_string())
    }

    /// A PNG of the window.
    pub async fn screenshot(&self, path: &std::path::Path) -> Result<(), String> {
        let png = self.screenshot_png().await?;
        std::fs::write(path, png).map_err(|e| e.to_string())
    }

    /// Ends the session, which closes the app.
    pub async fn quit(self) {
        let _ = self.call(reqwest::Method::DELETE, "", None).await;
    }
}
