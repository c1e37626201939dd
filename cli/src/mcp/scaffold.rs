//! The MCP tools `scaffold_view` and `scaffold_component`: `djust new view` and `djust
//! new component` through the same generator ([`djust_scaffold`]), in the workspace.
//! Without `write: true` they return the plan and every file's content and write
//! nothing; with it they write all the files or none. A conflict (a target that exists
//! with other content) is an `isError` result naming the files, unless `force`.

use super::tools::{bool_arg, reject_unknown, string_arg, ToolOutput, Workspace};
use djust_scaffold::{Action, Kind, OnExisting, Outcome, Request};
use serde_json::{json, Value};

/// The input schema of `scaffold_view`.
pub fn view_input() -> Value {
    json!({
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": "The view: counter, TodoList (class CounterView in APP/live/counter.py)."},
            "app": {"type": "string", "description": "The app to put it in (default: the project's only app)."},
            "fields": {"type": "array", "items": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*:(str|string|text|int|integer|float|bool|boolean)$"},
                "description": "State fields as NAME:TYPE (str, int, float, bool)."},
            "wire": {"type": "boolean", "description": "Add the route to APP/urls.py (an edit on the parsed file)."},
            "write": {"type": "boolean", "description": "Write the files (default false: return the plan only)."},
            "force": {"type": "boolean", "description": "Overwrite files that exist with other content."}
        },
        "required": ["name"],
        "additionalProperties": false
    })
}

/// The input schema of `scaffold_component`.
pub fn component_input() -> Value {
    json!({
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": "The component: cart, CartSummary (class Cart in APP/components/cart.py)."},
            "app": {"type": "string", "description": "The app to put it in (default: the project's only app)."},
            "stateless": {"type": "boolean", "description": "A stateless Component instead of a LiveComponent."},
            "write": {"type": "boolean", "description": "Write the files (default false: return the plan only)."},
            "force": {"type": "boolean", "description": "Overwrite files that exist with other content."}
        },
        "required": ["name"],
        "additionalProperties": false
    })
}

/// The output schema of both tools.
pub fn output() -> Value {
    json!({
        "type": "object",
        "properties": {
            "root": {"type": "string"},
            "files": {"type": "array", "items": {
                "type": "object",
                "properties": {
                    "path": {"type": "string"},
                    "action": {"enum": ["create", "identical", "conflict", "force", "skip", "keep", "modify"]},
                    "reason": {"type": "string"},
                    "content": {"type": "string"}
                },
                "required": ["path", "action", "content"]
            }},
            "wiring": {"type": "array", "items": {"type": "object"}},
            "next": {"type": "array", "items": {"type": "string"}},
            "written": {"type": "array", "items": {"type": "string"}}
        },
        "required": ["root", "files", "wiring", "next", "written"]
    })
}

/// `scaffold_view`.
pub fn scaffold_view(ws: &Workspace<'_>, args: &Value) -> Result<ToolOutput, String> {
    reject_unknown(args, &["name", "app", "fields", "wire", "write", "force"])?;
    let fields = match args.get("fields") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or("each of \"fields\" must be a string NAME:TYPE")
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("argument \"fields\" must be an array of NAME:TYPE strings".into()),
    };
    let kind = Kind::View {
        name: string_arg(args, "name", true)?.unwrap_or_default().to_string(),
        app: string_arg(args, "app", false)?.map(str::to_string),
        fields,
    };
    run(ws, args, kind, bool_arg(args, "wire")?)
}

/// `scaffold_component`.
pub fn scaffold_component(ws: &Workspace<'_>, args: &Value) -> Result<ToolOutput, String> {
    reject_unknown(args, &["name", "app", "stateless", "write", "force"])?;
    let kind = Kind::Component {
        name: string_arg(args, "name", true)?.unwrap_or_default().to_string(),
        app: string_arg(args, "app", false)?.map(str::to_string),
        stateless: bool_arg(args, "stateless")?,
    };
    run(ws, args, kind, false)
}

fn run(ws: &Workspace<'_>, args: &Value, kind: Kind, wire: bool) -> Result<ToolOutput, String> {
    let request = Request {
        kind,
        cwd: ws.root.to_path_buf(),
        wire,
        on_existing: if bool_arg(args, "force")? {
            OnExisting::Force
        } else {
            OnExisting::Stop
        },
    };
    let outcome = djust_scaffold::prepare(&request).map_err(|e| e.to_string())?;
    if !outcome.root.starts_with(ws.root) {
        return Err(format!(
            "the project ({}) is outside the workspace",
            outcome.root.display()
        ));
    }
    let conflicts: Vec<String> = outcome
        .plan
        .files
        .iter()
        .filter(|f| f.action == Action::Conflict)
        .map(|f| format!("{} ({})", f.path, f.reason.as_deref().unwrap_or("exists")))
        .collect();
    if !conflicts.is_empty() {
        return Err(format!(
            "nothing was written: these files exist with other content: {}. Pass \"force\": true to overwrite them.",
            conflicts.join(", ")
        ));
    }
    let written = if bool_arg(args, "write")? {
        djust_scaffold::apply(&outcome)
            .map_err(|e| format!("nothing was written: {e}"))?
            .files
    } else {
        Vec::new()
    };
    Ok(ToolOutput::new(structured(&outcome, &written)))
}

fn structured(outcome: &Outcome, written: &[String]) -> Value {
    let files: Vec<Value> = outcome
        .plan
        .files
        .iter()
        .map(|f| {
            let mut v = json!({"path": f.path, "action": f.action, "content": f.content});
            if let Some(reason) = &f.reason {
                v["reason"] = json!(reason);
            }
            v
        })
        .collect();
    json!({
        "root": outcome.root,
        "files": files,
        "wiring": outcome.wiring,
        "next": outcome.next,
        "written": written,
    })
}
