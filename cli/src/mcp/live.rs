//! The MCP tools that read a running server through its profile endpoint
//! (`djust.profile_views`, the same one `djust profile` reads): `get_handler_timings`,
//! `get_sql_queries`, `get_last_traceback`, `get_view_state`. The server is the one
//! the user configured for `djust mcp` (`DJUST_PROFILE_URL`, default
//! `http://127.0.0.1:8000`, and `DJUST_PROFILE_TOKEN`), never a URL a tool call names,
//! so a model cannot send the token elsewhere. The endpoint's rules apply: without a
//! token only a loopback server, and the server must serve the endpoint; otherwise the
//! result is an `isError` that says what to set. Read-only.

use super::tools::{reject_unknown, string_arg, ToolOutput, Workspace};
use crate::profile::Client;
use serde_json::{json, Value};

/// The configured server (see the module documentation).
fn client() -> Result<Client, String> {
    let url = std::env::var("DJUST_PROFILE_URL").unwrap_or_else(|_| "http://127.0.0.1:8000".into());
    Client::new(&url, std::env::var("DJUST_PROFILE_TOKEN").ok()).map_err(|e| {
        format!("{e} (djust mcp reads the server from DJUST_PROFILE_URL and DJUST_PROFILE_TOKEN)")
    })
}

/// Any object (the endpoint's JSON, passed through).
pub fn object() -> Value {
    json!({"type": "object"})
}

/// The input schema of `get_handler_timings` and `get_last_traceback`.
pub fn no_input() -> Value {
    json!({"type": "object", "properties": {}, "additionalProperties": false})
}

/// The input schema of `get_sql_queries`.
pub fn sql_input() -> Value {
    json!({
        "type": "object",
        "properties": {
            "since": {"type": "number", "description": "Unix time in seconds: only events after it (default: all the server keeps)."}
        },
        "additionalProperties": false
    })
}

/// The input schema of `get_view_state`.
pub fn state_input() -> Value {
    json!({
        "type": "object",
        "properties": {
            "session": {"type": "string", "description": "The `session` id of a mounted LiveView, from get_sql_queries or get_handler_timings' recent spans."}
        },
        "required": ["session"],
        "additionalProperties": false
    })
}

/// `get_handler_timings`: per view and event, counts, rate, percentiles and parts, plus
/// the last spans (with their session ids).
pub fn handler_timings(_ws: &Workspace<'_>, args: &Value) -> Result<ToolOutput, String> {
    reject_unknown(args, &[])?;
    let snap = client()?.get_at("", &[("since", "0")])?;
    let recent: Vec<Value> = snap["spans"]
        .as_array()
        .map(|s| s.iter().rev().take(50).cloned().collect())
        .unwrap_or_default();
    Ok(ToolOutput::new(
        json!({"process": snap["process"], "rows": snap["rows"], "recent": recent}),
    ))
}

/// `get_sql_queries`: the events that ran queries since a time, with their counts,
/// duplicates, similar queries (N+1) and the repeated SQL.
pub fn sql_queries(_ws: &Workspace<'_>, args: &Value) -> Result<ToolOutput, String> {
    reject_unknown(args, &["since"])?;
    let since = match args.get("since") {
        None | Some(Value::Null) => 0.0,
        Some(v) => v
            .as_f64()
            .ok_or("argument \"since\" must be a number (Unix time in seconds)")?,
    };
    let snap = client()?.get_at("", &[("since", "0")])?;
    let events: Vec<Value> = snap["spans"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["at"].as_f64().unwrap_or(0.0) >= since && s["queries"].as_u64().unwrap_or(0) > 0)
        .map(|s| {
            json!({
                "at": s["at"], "view": s["view"], "kind": s["kind"], "name": s["name"], "session": s["session"],
                "queries": s["queries"], "sql_us": s["parts_us"]["sql"], "duplicate_queries": s["duplicate_queries"],
                "similar_queries": s["similar_queries"], "repeated_sql": s["repeated_sql"],
            })
        })
        .collect();
    Ok(ToolOutput::new(
        json!({"process": snap["process"], "events": events}),
    ))
}

/// `get_last_traceback`: the last failure of an event or mount.
pub fn last_traceback(_ws: &Workspace<'_>, args: &Value) -> Result<ToolOutput, String> {
    reject_unknown(args, &[])?;
    let found = client()?.get_at("traceback/", &[])?;
    Ok(ToolOutput::new(json!({"traceback": found["traceback"]})))
}

/// `get_view_state`: a mounted LiveView's public state, by session id.
pub fn view_state(_ws: &Workspace<'_>, args: &Value) -> Result<ToolOutput, String> {
    reject_unknown(args, &["session"])?;
    let session = string_arg(args, "session", true)?.unwrap_or_default();
    let found = client()?.get_at("state/", &[("session", session)])?;
    Ok(ToolOutput::new(found))
}
