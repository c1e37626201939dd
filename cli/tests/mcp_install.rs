//! `djust mcp install`: creates, merges, keeps other servers, is idempotent and backs up
//! a malformed file — run through the real binary.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

fn project(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("djust-mcp-install-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("app")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("manage.py"), "").unwrap_or_else(|e| panic!("{e}"));
    dir
}

fn install(cwd: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_djust"))
        .args(["mcp", "install", "--command", "djust"])
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn creates_then_is_idempotent_from_a_subdirectory() {
    let dir = project("create");
    let (code, out, _) = install(&dir.join("app"));
    assert_eq!(code, 0);
    assert!(out.contains("Wrote") && out.contains(".mcp.json"), "{out}");
    let file = dir.join(".mcp.json");
    assert_eq!(
        read(&file),
        json!({"mcpServers": {"djust": {"type": "stdio", "command": "djust", "args": ["mcp"]}}})
    );
    let before = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{e}"));
    let (code, out, _) = install(&dir);
    assert_eq!(code, 0);
    assert!(out.contains("already registers"), "{out}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{e}")),
        before
    );
}

#[test]
fn merges_keeping_other_servers_and_keys_in_order() {
    let dir = project("merge");
    let file = dir.join(".mcp.json");
    std::fs::write(
        &file,
        r#"{"comment": "team file", "mcpServers": {"github": {"command": "gh-mcp"}, "djust": {"command": "old"}}}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (code, out, _) = install(&dir);
    assert_eq!(code, 0);
    assert!(out.contains("Added"), "{out}");
    let v = read(&file);
    assert_eq!(v["comment"], "team file");
    assert_eq!(v["mcpServers"]["github"], json!({"command": "gh-mcp"}));
    assert_eq!(v["mcpServers"]["djust"]["command"], "djust");
    let keys: Vec<&String> = v["mcpServers"]
        .as_object()
        .unwrap_or_else(|| panic!("not an object"))
        .keys()
        .collect();
    assert_eq!(keys, ["github", "djust"]);
}

#[test]
fn backs_up_a_malformed_file() {
    let dir = project("malformed");
    let file = dir.join(".mcp.json");
    std::fs::write(&file, "{ not json").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join(".mcp.json.bak"), "an older backup").unwrap_or_else(|e| panic!("{e}"));
    let (code, _, err) = install(&dir);
    assert_eq!(code, 0);
    assert!(
        err.contains("not valid JSON") && err.contains(".mcp.json.bak.1"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join(".mcp.json.bak.1")).unwrap_or_else(|e| panic!("{e}")),
        "{ not json"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join(".mcp.json.bak")).unwrap_or_else(|e| panic!("{e}")),
        "an older backup"
    );
    assert_eq!(read(&file)["mcpServers"]["djust"]["args"], json!(["mcp"]));

    std::fs::write(&file, r#"{"mcpServers": []}"#).unwrap_or_else(|e| panic!("{e}"));
    let (_, _, err) = install(&dir);
    assert!(err.contains("\"mcpServers\" is not an object"), "{err}");
    assert_eq!(read(&file)["mcpServers"]["djust"]["command"], "djust");
}
