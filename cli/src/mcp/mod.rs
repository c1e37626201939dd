//! `djust mcp`: a Model Context Protocol server on stdio for AI agents.
//!
//! Transport: newline-delimited JSON-RPC 2.0 on stdin/stdout, one message per line;
//! nothing but protocol goes to stdout (logs go to stderr); the server stops when
//! stdin closes. It speaks both protocol eras (spec: `../shared/spec/tooling-anchors.md`
//! §3.1, the revisions' schemas in the official SDK's `mcp_types`):
//!
//! - the handshake era (`2024-11-05` … `2025-11-25`): `initialize` (the client's version
//!   echoed when supported, else the latest handshake version), then
//!   `notifications/initialized`, `ping`, `tools/list`, `tools/call`;
//! - the stateless `2026-07-28` revision: `server/discover`, and a per-request
//!   `_meta["io.modelcontextprotocol/protocolVersion"]`; results carry `resultType`
//!   and cache hints; such a request must carry `_meta` client capabilities, and
//!   `ping` is gone. An unsupported requested version is error `-32022` with the
//!   supported versions in `data`.
//!
//! Errors: unparsable JSON `-32700`; not a JSON-RPC request (or a batch) `-32600`;
//! unknown method `-32601`; bad `tools/call` params or an unknown tool `-32602`; a
//! panic inside a handler `-32603`. A tool's own failure (bad arguments, a path outside
//! the workspace, a missing file) is a successful result with `isError: true` and a
//! message the model can act on. No input makes the server exit.

pub mod install;
pub mod live;
pub mod scaffold;
pub mod tools;

use serde_json::{json, Map, Value};
use std::io::{self, BufRead, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

/// Handshake-era protocol versions this server answers `initialize` with.
pub const HANDSHAKE_VERSIONS: [&str; 4] = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];
/// Stateless protocol versions (`server/discover`, per-request `_meta`).
pub const MODERN_VERSIONS: [&str; 1] = ["2026-07-28"];

const META_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
const INSTRUCTIONS: &str = "djust MCP server: djust's framework knowledge and static analysis of \
     LiveViews and Django templates, with the same rules as `djust check`. Call \
     get_framework_schema first when writing djust code; run detect_common_issues on code you \
     write, check_project on the workspace, and explain_check for a rule's documentation. \
     scaffold_view and scaffold_component generate code as `djust new` does (they write only \
     with write: true); get_handler_timings, get_sql_queries, get_last_traceback and \
     get_view_state read the running server's profile endpoint. No tool imports or runs \
     project code.";

/// JSON-RPC and MCP error codes.
pub mod code {
    /// The line is not JSON.
    pub const PARSE_ERROR: i64 = -32700;
    /// Not a JSON-RPC 2.0 request object.
    pub const INVALID_REQUEST: i64 = -32600;
    /// No such method.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// The method's parameters are wrong (or the tool is unknown).
    pub const INVALID_PARAMS: i64 = -32602;
    /// The server failed while handling the request.
    pub const INTERNAL_ERROR: i64 = -32603;
    /// The requested protocol version is not supported (2026-07-28).
    pub const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;
}

/// A JSON-RPC error: code, message and optional data.
#[derive(Debug)]
pub struct RpcError {
    code: i64,
    message: String,
    data: Option<Value>,
}

impl RpcError {
    fn new(code: i64, message: impl Into<String>) -> Self {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }
}

/// The server: the workspace it analyses and the tools it offers.
pub struct Server {
    root: PathBuf,
    settings: tools::SettingsCache,
}

impl Server {
    /// A server for the workspace at `root` (paths given to tools must lie inside it).
    pub fn new(root: PathBuf) -> Self {
        let root = root.canonicalize().unwrap_or(root);
        Server {
            root,
            settings: tools::SettingsCache::default(),
        }
    }

    /// Serve requests from `input` until it ends, writing one response line per
    /// request to `output`. Returns only on an I/O error of `output` or at the end of
    /// `input`.
    pub fn serve(&self, input: impl BufRead, mut output: impl Write) -> io::Result<()> {
        for line in input.lines() {
            let line = match line {
                Ok(l) => l,
                // Not UTF-8: answer as unparsable and keep reading.
                Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                    write_message(&mut output, &error_response(Value::Null, &parse_error(&e)))?;
                    continue;
                }
                Err(e) => return Err(e),
            };
            if line.trim().is_empty() {
                continue;
            }
            if let Some(reply) = self.handle_line(&line) {
                write_message(&mut output, &reply)?;
            }
        }
        Ok(())
    }

    /// The reply to one line of input (`None` for notifications and responses).
    pub fn handle_line(&self, line: &str) -> Option<Value> {
        let message: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => return Some(error_response(Value::Null, &parse_error(&e))),
        };
        let Value::Object(message) = message else {
            let what = if message.is_array() {
                "batches are not supported; send one request per line"
            } else {
                "a request must be a JSON object"
            };
            return Some(error_response(
                Value::Null,
                &RpcError::new(code::INVALID_REQUEST, what),
            ));
        };
        let id = message.get("id").cloned();
        let method = message.get("method").and_then(Value::as_str);
        let valid_version = message.get("jsonrpc").and_then(Value::as_str) == Some("2.0");
        let Some(method) = method.filter(|_| valid_version) else {
            if id.is_some() && !message.contains_key("result") && !message.contains_key("error") {
                let err = RpcError::new(
                    code::INVALID_REQUEST,
                    "not a JSON-RPC 2.0 request: it needs \"jsonrpc\": \"2.0\" and a \"method\"",
                );
                return Some(error_response(id.unwrap_or(Value::Null), &err));
            }
            // A response to us, or garbage without an id: nothing to answer.
            return None;
        };
        let params = message.get("params").cloned().unwrap_or(Value::Null);
        let Some(id) = id else {
            // Notifications (`notifications/initialized`, `notifications/cancelled`, …)
            // need no answer; this server keeps no state they would change.
            return None;
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| self.dispatch(method, &params)))
            .unwrap_or_else(|_| Err(RpcError::new(code::INTERNAL_ERROR, "internal error")));
        Some(match outcome {
            Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
            Err(e) => error_response(id, &e),
        })
    }

    fn dispatch(&self, method: &str, params: &Value) -> Result<Value, RpcError> {
        if !(params.is_object() || params.is_null()) {
            return Err(RpcError::new(code::INVALID_PARAMS, "params must be an object"));
        }
        let modern = requested_version(params)?;
        if modern.as_deref().is_some_and(|v| MODERN_VERSIONS.contains(&v))
            && method != "server/discover"
            && params
                .pointer("/_meta/io.modelcontextprotocol~1clientCapabilities")
                .is_none()
        {
            return Err(RpcError::new(
                code::INVALID_PARAMS,
                "a 2026-07-28 request needs _meta[\"io.modelcontextprotocol/clientCapabilities\"]",
            ));
        }
        let mut result = match method {
            "initialize" => Ok(self.initialize(params)),
            "server/discover" => Ok(self.discover()),
            // `ping` belongs to the handshake era; 2026-07-28 removed it.
            "ping" if modern.as_deref().is_some_and(|v| MODERN_VERSIONS.contains(&v)) => Err(RpcError::new(
                code::METHOD_NOT_FOUND,
                "method not found: ping (removed in 2026-07-28)",
            )),
            "ping" => Ok(json!({})),
            "tools/list" => Ok(json!({"tools": tools::list()})),
            "tools/call" => self.call_tool(params),
            other => Err(RpcError::new(
                code::METHOD_NOT_FOUND,
                format!("method not found: {other}"),
            )),
        }?;
        if modern.is_some() || method == "server/discover" {
            if let Value::Object(obj) = &mut result {
                obj.insert("resultType".into(), json!("complete"));
                if method == "tools/list" || method == "server/discover" {
                    // Cache hints (2026-07-28): the list never changes while the server runs.
                    obj.insert("ttlMs".into(), json!(3_600_000));
                    obj.insert("cacheScope".into(), json!("public"));
                }
                obj.insert(
                    "_meta".into(),
                    json!({"io.modelcontextprotocol/serverInfo": server_info()}),
                );
            }
        }
        Ok(result)
    }

    fn initialize(&self, params: &Value) -> Value {
        let asked = params.get("protocolVersion").and_then(Value::as_str);
        let version = asked
            .filter(|v| HANDSHAKE_VERSIONS.contains(v))
            .unwrap_or(HANDSHAKE_VERSIONS[HANDSHAKE_VERSIONS.len() - 1]);
        json!({
            "protocolVersion": version,
            "capabilities": {"tools": {"listChanged": false}},
            "serverInfo": server_info(),
            "instructions": INSTRUCTIONS,
        })
    }

    fn discover(&self) -> Value {
        let versions: Vec<&str> = HANDSHAKE_VERSIONS
            .iter()
            .chain(MODERN_VERSIONS.iter())
            .copied()
            .collect();
        json!({
            "supportedVersions": versions,
            "capabilities": {"tools": {"listChanged": false}},
            "serverInfo": server_info(),
            "instructions": INSTRUCTIONS,
        })
    }

    fn call_tool(&self, params: &Value) -> Result<Value, RpcError> {
        let name = params
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| RpcError::new(code::INVALID_PARAMS, "tools/call needs the tool's \"name\""))?;
        let empty = Value::Object(Map::new());
        let args = match params.get("arguments") {
            None | Some(Value::Null) => &empty,
            Some(v @ Value::Object(_)) => v,
            Some(_) => {
                return Err(RpcError::new(
                    code::INVALID_PARAMS,
                    "\"arguments\" must be an object",
                ))
            }
        };
        let Some(tool) = tools::find(name) else {
            let known: Vec<&str> = tools::TOOLS.iter().map(|t| t.name).collect();
            let mut err = RpcError::new(code::INVALID_PARAMS, format!("unknown tool: {name}"));
            err.data = Some(json!({"tools": known}));
            return Err(err);
        };
        let workspace = tools::Workspace {
            root: &self.root,
            settings: &self.settings,
        };
        Ok(match (tool.call)(&workspace, args) {
            Ok(output) => json!({
                "content": [{"type": "text", "text": output.text}],
                "structuredContent": output.structured,
                "isError": false,
            }),
            Err(message) => json!({
                "content": [{"type": "text", "text": message}],
                "isError": true,
            }),
        })
    }
}

/// The version a stateless-era request asks for in `_meta`, if any; an unsupported
/// one is error `-32022` naming the supported versions.
fn requested_version(params: &Value) -> Result<Option<String>, RpcError> {
    let Some(asked) = params.get("_meta").and_then(|m| m.get(META_VERSION)) else {
        return Ok(None);
    };
    let supported = |v: &str| MODERN_VERSIONS.contains(&v) || HANDSHAKE_VERSIONS.contains(&v);
    match asked.as_str() {
        Some(v) if supported(v) => Ok(Some(v.to_owned())),
        _ => {
            let all: Vec<&str> = HANDSHAKE_VERSIONS
                .iter()
                .chain(MODERN_VERSIONS.iter())
                .copied()
                .collect();
            let mut err = RpcError::new(
                code::UNSUPPORTED_PROTOCOL_VERSION,
                format!("unsupported protocol version {asked}"),
            );
            err.data = Some(json!({"supported": all, "requested": asked}));
            Err(err)
        }
    }
}

fn server_info() -> Value {
    json!({"name": "djust", "title": "djust", "version": env!("CARGO_PKG_VERSION")})
}

fn parse_error(e: &dyn std::fmt::Display) -> RpcError {
    RpcError::new(code::PARSE_ERROR, format!("parse error: {e}"))
}

fn error_response(id: Value, e: &RpcError) -> Value {
    let mut error = json!({"code": e.code, "message": e.message});
    if let (Some(data), Value::Object(obj)) = (&e.data, &mut error) {
        obj.insert("data".into(), data.clone());
    }
    json!({"jsonrpc": "2.0", "id": id, "error": error})
}

fn write_message(output: &mut impl Write, message: &Value) -> io::Result<()> {
    // serde_json escapes newlines inside strings, so one message is one line.
    serde_json::to_writer(&mut *output, message)?;
    output.write_all(b"\n")?;
    output.flush()
}
