//! A minimal LSP client for the protocol tests: spawns `djust lsp`, frames JSON-RPC
//! with `Content-Length` headers, answers the server's requests, and keeps the latest
//! `publishDiagnostics` of each document.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// A running `djust lsp` and its streams.
pub struct Lsp {
    pub child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    next_id: i64,
    /// Latest diagnostics by URI.
    pub diagnostics: HashMap<String, Vec<Value>>,
    /// Every notification received, in order.
    pub notifications: Vec<Value>,
    /// Requests the server sent us (method names).
    pub server_requests: Vec<String>,
}

pub fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{e}"));
    for entry in std::fs::read_dir(from)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
    {
        let p = entry.path();
        let name = entry.file_name();
        if name == "__pycache__" || name.to_string_lossy().ends_with(".sqlite3") {
            continue;
        }
        let target = to.join(&name);
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// A fresh copy of `examples/` in a temporary directory named after `tag`.
pub fn example_copy(tag: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let dst = std::env::temp_dir().join(format!("djust-lsp-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dst);
    copy_dir(&src, &dst);
    dst.canonicalize().unwrap_or(dst)
}

impl Lsp {
    /// Spawn `djust lsp`, `initialize` with `root` as the workspace folder, send
    /// `initialized`. Returns the client and the `initialize` result.
    pub fn start(root: &Path) -> (Lsp, Value) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_djust"))
            .arg("lsp")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn djust lsp: {e}"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let stdin = child.stdin.take();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    match r.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse::<usize>().ok();
                    }
                }
                let Some(len) = len else { return };
                let mut buf = vec![0u8; len];
                if r.read_exact(&mut buf).is_err() {
                    return;
                }
                match serde_json::from_slice::<Value>(&buf) {
                    Ok(v) => {
                        if tx.send(v).is_err() {
                            return;
                        }
                    }
                    Err(e) => panic!("server sent invalid JSON: {e}"),
                }
            }
        });
        let mut lsp = Lsp {
            child,
            stdin,
            rx,
            next_id: 1,
            diagnostics: HashMap::new(),
            notifications: Vec::new(),
            server_requests: Vec::new(),
        };
        let init = lsp.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": uri(root),
                "workspaceFolders": [{"uri": uri(root), "name": "examples"}],
                "capabilities": {
                    "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}},
                    "textDocument": {
                        "completion": {"completionItem": {"snippetSupport": false}},
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                        "publishDiagnostics": {"relatedInformation": true}
                    }
                }
            }),
        );
        lsp.notify("initialized", json!({}));
        (lsp, init)
    }

    pub fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        let stdin = self.stdin.as_mut().unwrap_or_else(|| panic!("stdin closed"));
        write!(stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body)
            .unwrap_or_else(|e| panic!("write: {e}"));
        stdin.flush().unwrap_or_else(|e| panic!("flush: {e}"));
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        let msg = if params.is_null() {
            json!({"jsonrpc": "2.0", "method": method})
        } else {
            json!({"jsonrpc": "2.0", "method": method, "params": params})
        };
        self.send(&msg);
    }

    /// Handle one incoming message; returns it when it is a response.
    fn handle(&mut self, msg: Value) -> Option<Value> {
        if msg.get("method").is_some() {
            if let Some(id) = msg.get("id").cloned() {
                // A server-to-client request: answer it.
                self.server_requests
                    .push(msg["method"].as_str().unwrap_or_default().to_string());
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
                return None;
            }
            if msg["method"] == "textDocument/publishDiagnostics" {
                let uri = msg["params"]["uri"].as_str().unwrap_or_default().to_string();
                let list = msg["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                self.diagnostics.insert(uri, list);
            }
            self.notifications.push(msg);
            return None;
        }
        Some(msg)
    }

    /// Send a request and wait for its response (the whole message: `result` or `error`).
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let msg = if params.is_null() {
            json!({"jsonrpc": "2.0", "id": id, "method": method})
        } else {
            json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
        };
        self.send(&msg);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(msg) => {
                    if let Some(resp) = self.handle(msg) {
                        if resp["id"] == json!(id) {
                            return resp;
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => panic!("no response to {method} within 20 s"),
                Err(RecvTimeoutError::Disconnected) => panic!("server exited during {method}"),
            }
        }
    }

    /// Send a request; its `result` (panics on an error response).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let resp = self.request_raw(method, params);
        assert!(resp.get("error").is_none(), "{method} failed: {resp}");
        resp["result"].clone()
    }

    /// Read messages until `pred` holds for the diagnostics of `uri` (which may
    /// already be the case), or panic after `secs` seconds.
    pub fn wait_diagnostics(&mut self, uri: &str, secs: u64, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(d) = self.diagnostics.get(uri) {
                if pred(d) {
                    return d.clone();
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(msg) => {
                    self.handle(msg);
                }
                Err(_) => panic!(
                    "diagnostics for {uri} never matched; last: {:?}",
                    self.diagnostics.get(uri)
                ),
            }
        }
    }

    /// Process whatever arrives in the next `ms` milliseconds.
    pub fn pump(&mut self, ms: u64) {
        let deadline = Instant::now() + Duration::from_millis(ms);
        while let Ok(msg) = self
            .rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.handle(msg);
        }
    }

    pub fn open(&mut self, path: &Path, language: &str) -> String {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let u = uri(path);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": u, "languageId": language, "version": 1, "text": text}}),
        );
        text
    }

    /// `shutdown` then `exit`; returns the exit status code.
    pub fn shutdown(mut self) -> Option<i32> {
        let r = self.request_raw("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "shutdown: {r}");
        self.notify("exit", Value::Null);
        // stdin stays open, as editors keep it: `exit` alone must end the process.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("djust lsp did not exit after shutdown/exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Lsp {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Position (line, UTF-16 character) of the first occurrence of `needle` in `text`,
/// plus `delta` characters.
pub fn pos_of(text: &str, needle: &str, delta: usize) -> Value {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    let before = &text[..at];
    let line = before.matches('\n').count();
    let col = before.rsplit('\n').next().unwrap_or("").encode_utf16().count() + delta;
    json!({"line": line, "character": col})
}
