//! What the end-to-end tests share: tauri-driver on free ports, the app launched through it,
//! screenshots, the keyring, and the scan of everything the app and its webview wrote to
//! disk. (A `houston-server` process for the remote backend is the test harness's
//! `ServerProcess`.)
#![allow(dead_code)]

use crate::webdriver::Driver;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn tauri_driver() -> PathBuf {
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap()).join(".cargo"));
    let p = home.join("bin/tauri-driver");
    if p.exists() {
        p
    } else {
        PathBuf::from("tauri-driver")
    }
}

/// tauri-driver on free ports, launching apps whose data lives under `data_home`.
pub struct DriverProcess {
    child: Child,
    pub url: String,
}

impl DriverProcess {
    /// Starts tauri-driver; the apps it launches keep their data, config and cache (the
    /// WebKit webview's too) under `data_home`, so that a test can read all of it.
    pub fn start(data_home: &Path) -> DriverProcess {
        DriverProcess::start_with(data_home, &[])
    }

    /// [`DriverProcess::start`], the apps also seeing the environment variables `env`.
    pub fn start_with(data_home: &Path, env: &[(&str, &str)]) -> DriverProcess {
        let port = free_port();
        let native = free_port();
        let child = Command::new(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
            .env("XDG_DATA_HOME", data_home)
            .env("XDG_CONFIG_HOME", data_home.join("config"))
            .env("XDG_CACHE_HOME", data_home.join("cache"))
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver starts (cargo install tauri-driver; .ci/setup does)");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tauri-driver did not listen");
            std::thread::sleep(Duration::from_millis(100));
        }
        DriverProcess { child, url }
    }
}

impl Drop for DriverProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Numbered screenshots in `target/e2e-artifacts/<dir>`.
pub struct Shots {
    dir: PathBuf,
    n: usize,
}

impl Shots {
    /// A fresh directory of screenshots: `target/e2e-artifacts` itself for an empty `sub`.
    pub fn new(sub: &str) -> Shots {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("target/e2e-artifacts")
            .join(sub);
        if sub.is_empty() {
            // Only the numbered screenshots of the main run: the other runs' folders stay.
            if let Ok(entries) = std::fs::read_dir(&dir) {
                for entry in entries.flatten() {
                    if entry.path().extension().is_some_and(|e| e == "png") {
                        let _ = std::fs::remove_file(entry.path());
                    }
                }
            }
        } else {
            let _ = std::fs::remove_dir_all(&dir);
        }
        std::fs::create_dir_all(&dir).unwrap();
        Shots { dir, n: 0 }
    }

    /// The directory the screenshots go to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub async fn take(&mut self, d: &Driver, name: &str) {
        self.n += 1;
        let path = self.dir.join(format!("{:02}-{name}.png", self.n));
        if let Err(e) = d.screenshot(&path).await {
            eprintln!("screenshot {name} failed: {e}");
        }
    }
}

/// Launches the app (its UI embedded) through tauri-driver and waits for the first paint.
/// `HOUSTON_DESKTOP_BIN` names another build of the app (a copy pinned while the shared
/// target directory is rebuilt by others); by default, the one cargo built for the test.
pub async fn launch(driver: &DriverProcess) -> Driver {
    let app = std::env::var("HOUSTON_DESKTOP_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_houston-desktop").to_owned());
    // tauri-driver starts a WebKitWebDriver per session; on a busy machine the first
    // request can find it not yet listening ("error sending request"): ask again, at most
    // three times, before calling the launch failed.
    let mut attempt = 0;
    let d = loop {
        attempt += 1;
        match Driver::launch(&driver.url, &app).await {
            Ok(d) => break d,
            Err(e) if attempt < 3 && e.contains("error sending request") => {
                eprintln!("launch attempt {attempt} failed ({e}); trying again");
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            }
            Err(e) => panic!("the app starts under WebDriver: {e}"),
        }
    };
    d.wait(".shell[data-ready=\"true\"]", 60)
        .await
        .expect("the UI paints");
    d
}

/// The keyring entry of the app for `account` (see `houston_desktop::session::account`).
pub fn secret_tool_search(account: &str) -> Option<String> {
    secret_tool_lookup(houston_desktop::KEYRING_SERVICE, account)
}

/// The secret the Secret Service keeps for `account` under `service`, read with
/// `secret-tool`, as any other program on the machine could.
pub fn secret_tool_lookup(service: &str, account: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", service, "username", account])
        .output()
        .expect("secret-tool (libsecret-tools) is installed");
    let s = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !s.is_empty()).then_some(s)
}

/// Waits (up to 20 s) until no app process launched with `XDG_DATA_HOME=data_home` is left,
/// so that WebKit has flushed its storage before the files are read.
pub fn wait_for_app_exit(data_home: &Path) {
    let wanted = format!("XDG_DATA_HOME={}", data_home.display());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let running = std::fs::read_dir("/proc")
            .map(|entries| {
                entries.flatten().any(|entry| {
                    let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
                    let comm =
                        std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
                    (comm.starts_with("houston-deskto") || comm.starts_with("WebKit"))
                        && environ
                            .split(|b| *b == 0)
                            .any(|var| var == wanted.as_bytes())
                })
            })
            .unwrap_or(false);
        if !running || Instant::now() > deadline {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Every regular file under `root` (symlinks are not followed), at most 100,000.
pub fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                todo.push(entry.path());
            } else if kind.is_file() && files.len() < 100_000 {
                files.push(entry.path());
            }
        }
    }
    files
}

/// The files under `root` that hold any of `needles` (as bytes, or as UTF-16LE, which is
/// how WebKit's localStorage and IndexedDB keep strings), with the needle found. Files
/// whose name starts with one of `skip_prefixes` are left out.
pub fn files_holding(root: &Path, needles: &[&str], skip_prefixes: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let mut scanned = 0usize;
    for path in files_under(root) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if skip_prefixes.iter().any(|p| name.starts_with(p)) {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        scanned += 1;
        let shown = path.strip_prefix(root).unwrap_or(&path);
        if !shown.starts_with("cache/mesa_shader_cache") {
            eprintln!("scanned {} ({} bytes)", shown.display(), bytes.len());
        }
        for needle in needles {
            let utf8 = needle.as_bytes().to_vec();
            let utf16: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
            if [utf8, utf16]
                .iter()
                .any(|n| bytes.windows(n.len()).any(|w| w == n.as_slice()))
            {
                found.push(format!("{} holds {needle:?}", path.display()));
            }
        }
    }
    assert!(scanned > 0, "no file was written under {}", root.display());
    found
}

/// What [`bundled_source`] made.
pub struct BundledSource {
    /// The source's id, its write key.
    pub write_key: String,
    /// The loopback collector's address the Sources page shows (`http://127.0.0.1:PORT`).
    pub collector: String,
}

/// The journey most window tests start with: the bundled server chosen, an account signed
/// up as `email` and confirmed through the Mail panel, an organization `org` made, and a
/// source `source` in it, with the Sources page left open.
pub async fn bundled_source(
    d: &Driver,
    email: &str,
    password: &str,
    org: &str,
    source: &str,
) -> BundledSource {
    d.wait("#continue", 20).await.unwrap();
    d.click_on("#backend-bundled").await.unwrap();
    d.click_on("#continue").await.unwrap();
    d.click_on("#nav-signup").await.unwrap();
    d.fill("#signup-email", email).await.unwrap();
    d.fill("#signup-password", password).await.unwrap();
    d.click_on("#signup-submit").await.unwrap();
    d.click_on("#open-mail").await.unwrap();
    d.wait_text(".mail-item", email, 20).await.unwrap();
    d.click_on(".mail-confirm").await.unwrap();
    d.wait_text("#current-user", email, 20).await.unwrap();
    // Signed in by its link, the Mail panel closes by itself.
    d.wait_gone("#mail-panel", 10).await.unwrap();
    d.click_on("#nav-orgs").await.unwrap();
    d.fill("#org-new-name", org).await.unwrap();
    d.click_on("#org-create").await.unwrap();
    d.wait_text(".org-item", org, 20).await.unwrap();
    d.click_on("#nav-sources").await.unwrap();
    d.fill("#source-name", source).await.unwrap();
    d.click_on("#source-create").await.unwrap();
    d.wait_text(".source-row", source, 20).await.unwrap();
    let text_of = |selector: &'static str| async move {
        d.text(&d.wait(selector, 10).await.unwrap())
            .await
            .unwrap()
            .trim()
            .to_owned()
    };
    BundledSource {
        write_key: text_of(".source-row .source-id").await,
        collector: text_of("#collector-url").await,
    }
}

/// Runs one GraphQL query through the app's own `graphql` command (the signed-in session).
pub async fn graphql(d: &Driver, query: &str, variables: serde_json::Value) -> serde_json::Value {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke('graphql', {{ body: {{ query: {query}, variables: {variables} }}, organization: null }})
           .then(r => done(JSON.stringify(r)), e => done(JSON.stringify({{ error: e }})));",
        query = serde_json::Value::String(query.to_owned()),
    );
    let answer = d.script_async(&script).await.expect("the script runs");
    serde_json::from_str(answer.as_str().unwrap_or("null")).expect("JSON")
}

/// The rendered text (`innerText`) of the first element matching `css`, or "" when none.
/// (WebKitWebDriver's element text leaves out the text of the debugger's rows, which are
/// buttons in a scrolling list, though they are on screen: the page's own text is read.)
pub async fn inner_text(d: &Driver, css: &str) -> String {
    let script = format!(
        "const e = document.querySelector({}); return e ? e.innerText : ''",
        serde_json::Value::String(css.to_owned())
    );
    let text = d.script(&script).await.unwrap();
    text.as_str().unwrap_or_default().to_owned()
}

/// Waits up to `secs` until [`inner_text`] of `css` holds `needle`.
pub async fn wait_inner(d: &Driver, css: &str, needle: &str, secs: u64) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if inner_text(d, css).await.contains(needle) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "timed out waiting for {needle:?} in {css}: {:?}",
                inner_text(d, css).await
            ));
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Scrolls the box `scroller` to its end, again and again, until no more `item`s come into
/// the page (a list that grows as the person scrolls, as the catalog's cards): how many
/// `item`s the page holds then.
pub async fn scroll_to_end(d: &Driver, scroller: &str, item: &str) -> usize {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         const box = document.querySelector({scroller});
         let last = -1, still = 0;
         const step = () => {{
           const n = document.querySelectorAll({item}).length;
           if (n === last && ++still >= 5) return done(n);
           if (n !== last) still = 0;
           last = n;
           box.scrollTop = box.scrollHeight;
           setTimeout(() => requestAnimationFrame(step), 50);
         }};
         step();",
        scroller = serde_json::Value::String(scroller.to_owned()),
        item = serde_json::Value::String(item.to_owned()),
    );
    let answer = d
        .script_async(&script)
        .await
        .expect("the scrolling script runs");
    answer.as_u64().unwrap_or(0) as usize
}

/// The window's pixels, as a screenshot shows them.
pub struct Frame {
    pub width: usize,
    pub height: usize,
    /// Four bytes a pixel (RGBA), row after row.
    pub rgba: Vec<u8>,
}

impl Frame {
    /// Takes a screenshot now and decodes it.
    pub async fn take(d: &Driver) -> Frame {
        let bytes = d.screenshot_png().await.expect("a screenshot");
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
        let mut reader = decoder.read_info().expect("a PNG");
        let mut buf = vec![0; reader.output_buffer_size().expect("a PNG's size")];
        let info = reader.next_frame(&mut buf).expect("a PNG's pixels");
        assert_eq!(
            info.color_type,
            png::ColorType::Rgba,
            "RGBA after expansion"
        );
        buf.truncate(info.buffer_size());
        Frame {
            width: info.width as usize,
            height: info.height as usize,
            rgba: buf,
        }
    }

    fn pixel(&self, x: usize, y: usize) -> &[u8] {
        let at = (y * self.width + x) * 4;
        &self.rgba[at..at + 4]
    }

    /// Saves the frame as a PNG (for a failure's evidence).
    pub fn save(&self, path: &Path) {
        let file = std::fs::File::create(path).expect("the PNG file");
        let mut encoder = png::Encoder::new(file, self.width as u32, self.height as u32);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("a PNG header");
        writer
            .write_image_data(&self.rgba)
            .expect("the PNG's pixels");
    }
}

/// Where the first element matching `css` is in the window, in CSS pixels: (x, y, width,
/// height). The window's device pixel ratio is 1 under Xvfb.
pub async fn rect_of(d: &Driver, css: &str) -> (f64, f64, f64, f64) {
    let script = format!(
        "const e = document.querySelector({}); if (!e) return null;
         const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height];",
        serde_json::Value::String(css.to_owned())
    );
    let v = d.script(&script).await.unwrap();
    let n = |i: usize| {
        v[i].as_f64()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
    };
    (n(0), n(1), n(2), n(3))
}

/// How far across `rect` (x, y, width, height) the pixels of `after` differ from `before`:
/// the share of the width, from the left edge to the last column holding a changed pixel
/// (0 when nothing changed). A status drawn in full reaches near 1: its text's last glyph
/// is at its right edge.
pub fn changed_extent(before: &Frame, after: &Frame, rect: (f64, f64, f64, f64)) -> f64 {
    let (x, y, w, h) = rect;
    let left = x.max(0.0) as usize;
    let right = ((x + w) as usize).min(after.width.min(before.width));
    let top = y.max(0.0) as usize;
    let bottom = ((y + h) as usize).min(after.height.min(before.height));
    let last = (left..right)
        .rev()
        .find(|&col| (top..bottom).any(|row| before.pixel(col, row) != after.pixel(col, row)));
    match last {
        Some(col) if w > 0.0 => (col + 1 - left) as f64 / w,
        _ => 0.0,
    }
}
