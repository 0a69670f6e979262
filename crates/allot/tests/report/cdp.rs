//! A small Chrome DevTools Protocol client for the browser test: one WebSocket to the browser,
//! a flat session per page, commands answered by id, events kept for [`Page::problems`].

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// How long a command or a wait may take.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A headless Chromium started for a test, killed when dropped.
pub struct Browser {
    child: Child,
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    events: Vec<Value>,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    /// Starts `chromium` headless with a fresh profile in `profile`, with name resolution
    /// disabled (every host but 127.0.0.1, where a test's server listens, resolves to
    /// nothing), and connects to its DevTools endpoint.
    pub fn start(chromium: &str, profile: &Path) -> Result<Browser, String> {
        std::fs::create_dir_all(profile).map_err(|e| e.to_string())?;
        let log = std::fs::File::create(profile.with_extension("stderr.log"))
            .map_err(|e| e.to_string())?;
        let mut child = Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-default-apps",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot run {chromium}: {e}"))?;
        // Chromium writes its port and path to DevToolsActivePort once it listens.
        let active = profile.join("DevToolsActivePort");
        let started = Instant::now();
        let url = loop {
            if let Ok(text) = std::fs::read_to_string(&active) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    break format!("ws://127.0.0.1:{port}{path}");
                }
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("chromium exited ({status}) before listening"));
            }
            if started.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                return Err("chromium did not open its DevTools port in 30 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let (ws, _) = match tungstenite::connect(url.as_str()) {
            Ok(c) => c,
            Err(e) => {
                let _ = child.kill();
                return Err(format!("cannot connect to {url}: {e}"));
            }
        };
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            let _ = s.set_read_timeout(Some(Duration::from_millis(100)));
        }
        Ok(Browser {
            child,
            ws,
            next_id: 0,
            events: Vec::new(),
        })
    }

    /// Reads one message, if one arrives within the read timeout.
    fn read(&mut self) -> Result<Option<Value>, String> {
        match self.ws.read() {
            Ok(Message::Text(t)) => serde_json::from_str(t.as_str())
                .map(Some)
                .map_err(|e| e.to_string()),
            Ok(_) => Ok(None),
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(e.to_string()),
        }
    }

    /// Sends a command (to a page's session, when given) and returns its result; events read
    /// meanwhile are kept.
    fn call(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: &Value,
    ) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws
            .send(Message::text(msg.to_string()))
            .map_err(|e| e.to_string())?;
        let started = Instant::now();
        loop {
            if let Some(m) = self.read()? {
                if m["id"] == id {
                    return match m.get("error") {
                        Some(e) => Err(format!("{method}: {e}")),
                        None => Ok(m["result"].clone()),
                    };
                }
                if m.get("method").is_some() {
                    self.events.push(m);
                }
            }
            if started.elapsed() > TIMEOUT {
                return Err(format!("{method}: no answer in {TIMEOUT:?}"));
            }
        }
    }

    /// A new tab, with the page, console, log and network domains on and a 1400×900 window.
    pub fn open_page(&mut self) -> Result<Page<'_>, String> {
        let target = self.call(
            None,
            "Target.createTarget",
            &json!({ "url": "about:blank" }),
        )?;
        let target = target["targetId"].as_str().unwrap_or_default().to_string();
        let attached = self.call(
            None,
            "Target.attachToTarget",
            &json!({ "targetId": target, "flatten": true }),
        )?;
        let session = attached["sessionId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        for method in [
            "Page.enable",
            "Runtime.enable",
            "Log.enable",
            "Network.enable",
        ] {
            self.call(Some(&session), method, &json!({}))?;
        }
        self.call(
            Some(&session),
            "Emulation.setDeviceMetricsOverride",
            &json!({ "width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
        )?;
        Ok(Page {
            browser: self,
            session,
            target,
        })
    }
}

/// One tab.
pub struct Page<'a> {
    browser: &'a mut Browser,
    session: String,
    target: String,
}

impl Page<'_> {
    fn call(&mut self, method: &str, params: &Value) -> Result<Value, String> {
        let session = self.session.clone();
        self.browser.call(Some(&session), method, params)
    }

    /// Loads `url`.
    pub fn navigate(&mut self, url: &str) -> Result<(), String> {
        let r = self.call("Page.navigate", &json!({ "url": url }))?;
        match r.get("errorText") {
            Some(e) => Err(format!("{url}: {e}")),
            None => Ok(()),
        }
    }

    /// The value of a JavaScript expression (promises awaited).
    pub fn eval(&mut self, expression: &str) -> Result<Value, String> {
        let r = self.call(
            "Runtime.evaluate",
            &json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        )?;
        if let Some(e) = r.get("exceptionDetails") {
            return Err(format!("{expression}: {e}"));
        }
        Ok(r["result"]["value"].clone())
    }

    /// Waits until `expression` is true.
    pub fn wait_for(&mut self, expression: &str) -> Result<(), String> {
        let started = Instant::now();
        loop {
            if self.eval(&format!("!!({expression})")).unwrap_or_default() == json!(true) {
                return Ok(());
            }
            if started.elapsed() > TIMEOUT {
                return Err(format!("{expression}: still false after {TIMEOUT:?}"));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// A PNG of the whole page (at most 4,000 pixels high).
    pub fn screenshot(&mut self) -> Result<Vec<u8>, String> {
        let metrics = self.call("Page.getLayoutMetrics", &json!({}))?;
        let size = &metrics["cssContentSize"];
        let width = size["width"].as_f64().unwrap_or(1400.0);
        let height = size["height"].as_f64().unwrap_or(900.0).min(4000.0);
        let shot = self.call(
            "Page.captureScreenshot",
            &json!({ "format": "png", "captureBeyondViewport": true,
                    "clip": { "x": 0, "y": 0, "width": width, "height": height, "scale": 1 } }),
        )?;
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap_or_default())
            .map_err(|e| e.to_string())
    }

    /// Gives the file input `selector` these files, as a user choosing them would (the
    /// input's change event fires).
    #[allow(dead_code)] // the dashboard's test uploads; the report's does not
    pub fn set_files(&mut self, selector: &str, files: &[&Path]) -> Result<(), String> {
        let document = self.call("DOM.getDocument", &json!({ "depth": 0 }))?;
        let node = self.call(
            "DOM.querySelector",
            &json!({ "nodeId": document["root"]["nodeId"], "selector": selector }),
        )?;
        let files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        self.call(
            "DOM.setFileInputFiles",
            &json!({ "files": files, "nodeId": node["nodeId"] }),
        )
        .map(|_| ())
    }

    /// Console errors, uncaught exceptions, error log entries and requests for anything but a
    /// local file, data, blob or about: URL (or `origin`, `http://127.0.0.1:PORT/`, a test's
    /// server), seen in this tab so far.
    pub fn problems(&mut self, origin: Option<&str>) -> Vec<String> {
        // Drain what has arrived.
        while let Ok(Some(m)) = self.browser.read() {
            if m.get("method").is_some() {
                self.browser.events.push(m);
            }
        }
        let mut out = Vec::new();
        for e in self
            .browser
            .events
            .iter()
            .filter(|e| e["sessionId"] == self.session)
        {
            let p = &e["params"];
            match e["method"].as_str().unwrap_or_default() {
                "Runtime.consoleAPICalled"
                    if matches!(p["type"].as_str(), Some("error" | "assert")) =>
                {
                    out.push(format!("console.{}: {}", p["type"], p["args"]));
                }
                "Runtime.exceptionThrown" => {
                    out.push(format!("exception: {}", p["exceptionDetails"]))
                }
                "Log.entryAdded" if p["entry"]["level"] == "error" => {
                    out.push(format!("log: {}", p["entry"]));
                }
                "Network.requestWillBeSent" => {
                    let url = p["request"]["url"].as_str().unwrap_or_default();
                    let local = ["file:", "data:", "blob:", "about:"]
                        .iter()
                        .chain(origin.as_slice())
                        .any(|s| url.starts_with(s));
                    if !local {
                        out.push(format!("request: {url}"));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Closes the tab.
    pub fn close(self) {
        let browser = self.browser;
        let _ = browser.call(
            None,
            "Target.closeTarget",
            &json!({ "targetId": self.target }),
        );
    }
}
