//! `djust mcp install`: register the server with MCP clients that read a project's
//! `.mcp.json` (Claude Code, Cursor and others): `mcpServers.djust = {"type": "stdio",
//! "command": …, "args": ["mcp"]}`.
//!
//! The file is merged, never clobbered: other servers and keys are kept in their order;
//! a file that is not a JSON object with an object `mcpServers` is moved to
//! `.mcp.json.bak` (or `.bak.1`, … if that exists) before a fresh file is written; a
//! second run with the same entry changes nothing. Source: upstream's `djust mcp
//! install` (`../shared/spec/mcp.md`), without its dependency on Django.

use serde_json::{json, Map, Value};
use std::io;
use std::path::{Path, PathBuf};

/// What `install` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Wrote a new `.mcp.json`.
    Created(PathBuf),
    /// Added or replaced the `djust` entry in an existing file.
    Updated(PathBuf),
    /// The entry was already there, identical; nothing written.
    Unchanged(PathBuf),
    /// The old file was not valid (moved to the first path); a new one was written.
    Replaced {
        /// The new file.
        path: PathBuf,
        /// Where the old file went.
        backup: PathBuf,
        /// Why it was not usable.
        reason: String,
    },
}

/// The `mcpServers.djust` entry for a `djust` started as `command`.
pub fn entry(command: &str) -> Value {
    json!({"type": "stdio", "command": command, "args": ["mcp"]})
}

/// The directory whose `.mcp.json` to write: the nearest ancestor of `start` (itself
/// included) with `manage.py`, `pyproject.toml` or `.git`, else `start`.
pub fn project_dir(start: &Path) -> PathBuf {
    start
        .ancestors()
        .find(|d| {
            ["manage.py", "pyproject.toml", ".git"]
                .iter()
                .any(|m| d.join(m).exists())
        })
        .unwrap_or(start)
        .to_path_buf()
}

/// Write or merge `<dir>/.mcp.json` with the `djust` entry for `command`.
///
/// # Errors
/// Reading, renaming or writing the file fails.
pub fn install(dir: &Path, command: &str) -> io::Result<Outcome> {
    let path = dir.join(".mcp.json");
    let wanted = entry(command);
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let Some(text) = existing else {
        let mut servers = Map::new();
        servers.insert("djust".into(), wanted);
        write(&path, &json!({"mcpServers": servers}))?;
        return Ok(Outcome::Created(path));
    };
    match parse(&text) {
        Ok(mut config) => {
            let servers = config
                .get_mut("mcpServers")
                .and_then(Value::as_object_mut)
                .ok_or_else(|| io::Error::other("mcpServers vanished"))?;
            if servers.get("djust") == Some(&wanted) {
                return Ok(Outcome::Unchanged(path));
            }
            servers.insert("djust".into(), wanted);
            write(&path, &config)?;
            Ok(Outcome::Updated(path))
        }
        Err(reason) => {
            let backup = free_backup_path(&path);
            std::fs::rename(&path, &backup)?;
            let mut servers = Map::new();
            servers.insert("djust".into(), wanted);
            write(&path, &json!({"mcpServers": servers}))?;
            Ok(Outcome::Replaced { path, backup, reason })
        }
    }
}

/// The file as an object with an object `mcpServers` (added when missing), or why not.
fn parse(text: &str) -> Result<Value, String> {
    let mut value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON ({e})"))?;
    let Some(obj) = value.as_object_mut() else {
        return Err("not a JSON object".into());
    };
    match obj.get("mcpServers") {
        None => {
            obj.insert("mcpServers".into(), Value::Object(Map::new()));
        }
        Some(Value::Object(_)) => {}
        Some(_) => return Err("\"mcpServers\" is not an object".into()),
    }
    Ok(value)
}

fn free_backup_path(path: &Path) -> PathBuf {
    let first = path.with_extension("json.bak");
    if !first.exists() {
        return first;
    }
    (1..)
        .map(|n| path.with_extension(format!("json.bak.{n}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

fn write(path: &Path, value: &Value) -> io::Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    text.push('\n');
    std::fs::write(path, text)
}

/// The command to write: `djust` when the `djust` on `PATH` is this executable, else
/// this executable's absolute path.
pub fn command_for_current_exe() -> String {
    let Ok(me) = std::env::current_exe().and_then(|p| p.canonicalize()) else {
        return "djust".into();
    };
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("djust"))
            .find(|p| p.is_file())
            .and_then(|p| p.canonicalize().ok())
    });
    if on_path.as_deref() == Some(me.as_path()) {
        "djust".into()
    } else {
        me.display().to_string()
    }
}
