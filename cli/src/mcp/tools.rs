//! The tools of `djust mcp`. Each has an input and an output JSON
//! Schema, and returns `structuredContent` (validating against the output schema)
//! plus the same JSON as a text block. All are read-only but the scaffold tools
//! ([`super::scaffold`]), which write only when asked (`write: true`). The analysis tools run the analyzer's rule
//! registry on the text or files given, exactly as `djust check` does; nothing imports
//! or runs project code. Source: issue 6 and `../shared/spec/mcp.md` (upstream's
//! `detect_common_issues` shape and category names).

use djust_analyzer::workspace::ProjectIndex;
use djust_analyzer::{knowledge, output, Overrides, Report, Rule, Settings, Severity};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a tool sees of the server: the workspace root (canonical) and its resolved
/// configuration.
pub struct Workspace<'a> {
    /// The directory tools may read under.
    pub root: &'a Path,
    /// The configuration, resolved once and again when its file changes.
    pub settings: &'a SettingsCache,
}

/// `[tool.djust]` settings for the workspace, kept between calls and resolved again
/// when the configuration file's modification time changes (or it appears).
#[derive(Default)]
pub struct SettingsCache {
    cached: std::sync::Mutex<Option<(ConfigStamp, Arc<Settings>)>>,
}

/// The configuration file and its modification time (`None`: no file was found).
type ConfigStamp = Option<(PathBuf, std::time::SystemTime)>;

impl SettingsCache {
    fn get(&self, root: &Path) -> Result<Arc<Settings>, String> {
        let stamp = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
        let mut guard = self
            .cached
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((key, settings)) = guard.as_ref() {
            let current = match key {
                Some((path, _)) => stamp(path).map(|t| (path.clone(), t)),
                None => stamp(&root.join("pyproject.toml")).map(|t| (root.join("pyproject.toml"), t)),
            };
            if &current == key {
                return Ok(Arc::clone(settings));
            }
        }
        let settings = Arc::new(
            Settings::resolve(&[root.to_path_buf()], root, &Overrides::default())
                .map_err(|e| format!("the workspace's djust configuration is invalid: {e}"))?,
        );
        let key = settings
            .config_path
            .as_ref()
            .and_then(|p| stamp(p).map(|t| (p.clone(), t)));
        *guard = Some((key, Arc::clone(&settings)));
        Ok(settings)
    }
}

/// A tool's successful result.
pub struct ToolOutput {
    /// `structuredContent` (an object).
    pub structured: Value,
    /// The text block (the same content as JSON).
    pub text: String,
}

impl ToolOutput {
    pub(crate) fn new(structured: Value) -> Self {
        let text = structured.to_string();
        ToolOutput { structured, text }
    }
}

/// A tool: its `tools/list` entry and its handler (`Err` is a tool execution error,
/// sent as `isError: true` with the message).
pub struct Tool {
    /// Name used in `tools/call`.
    pub name: &'static str,
    /// Human-readable title.
    pub title: &'static str,
    /// What it does, for the model.
    pub description: &'static str,
    /// JSON Schema of the arguments.
    pub input_schema: fn() -> Value,
    /// JSON Schema of `structuredContent`.
    pub output_schema: fn() -> Value,
    /// The handler.
    pub call: fn(&Workspace<'_>, &Value) -> Result<ToolOutput, String>,
    /// Whether it can write files (the scaffold tools, with `write: true`).
    pub writes: bool,
}

/// Every tool, in `tools/list` order.
pub static TOOLS: &[Tool] = &[
    Tool {
        name: "detect_common_issues",
        title: "Detect common djust issues",
        description: "Run djust's static checks (the rules of `djust check`) on a snippet of a LiveView \
            Python file or a Django template, and return the issues: service objects stored in state \
            (V006), event handlers without **kwargs (V007), templates without dj-root (T002), \
            dj-view and dj-root on different elements (T005), syntax errors. The language comes from \
            `filename` (.py or a template extension), else from the content.",
        input_schema: || {
            json!({
                "type": "object",
                "properties": {
                    "code": {"type": "string", "description": "The Python or template source to check."},
                    "filename": {"type": "string", "description": "Its file name, e.g. app/views.py or app/templates/app/page.html; sets the language and per-file configuration."}
                },
                "required": ["code"],
                "additionalProperties": false
            })
        },
        output_schema: issues_schema,
        writes: false,
        call: detect_common_issues,
    },
    Tool {
        name: "validate_view",
        title: "Validate a LiveView",
        description: "Check the Python source of a LiveView module with djust's rules and say whether it \
            is free of errors and warnings; returns the same issues as detect_common_issues.",
        input_schema: || {
            json!({
                "type": "object",
                "properties": {
                    "code": {"type": "string", "description": "The Python source of the view module."}
                },
                "required": ["code"],
                "additionalProperties": false
            })
        },
        output_schema: || {
            let mut schema = issues_schema();
            if let Some(props) = schema.pointer_mut("/properties").and_then(Value::as_object_mut) {
                props.insert("valid".into(), json!({"type": "boolean"}));
            }
            if let Some(req) = schema.pointer_mut("/required").and_then(Value::as_array_mut) {
                req.push(json!("valid"));
            }
            schema
        },
        writes: false,
        call: validate_view,
    },
    Tool {
        name: "check_project",
        title: "Check the project",
        description: "Run `djust check` on the workspace, or on a file or directory under it, with the \
            project's [tool.djust] configuration; returns the findings as `djust check --output-format \
            json` prints them, and a summary.",
        input_schema: || {
            json!({
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": "A file or directory inside the workspace (default: the workspace)."}
                },
                "additionalProperties": false
            })
        },
        output_schema: || {
            json!({
                "type": "object",
                "properties": {
                    "findings": {"type": "array", "items": {
                        "type": "object",
                        "properties": {
                            "code": {"type": "string"}, "name": {"type": "string"},
                            "severity": {"enum": ["error", "warning", "info"]},
                            "message": {"type": "string"}, "help": {"type": ["string", "null"]},
                            "filename": {"type": "string"},
                            "location": {"$ref": "#/$defs/location"},
                            "end_location": {"$ref": "#/$defs/location"},
                            "url": {"type": "string"}, "fix": {}, "noqa_row": {"type": ["integer", "null"]}
                        },
                        "required": ["code", "name", "severity", "message", "filename", "location", "end_location", "url"]
                    }},
                    "summary": summary_schema(),
                    "files": {"type": "integer", "minimum": 0}
                },
                "required": ["findings", "summary", "files"],
                "$defs": {"location": {
                    "type": "object",
                    "properties": {"row": {"type": "integer"}, "column": {"type": "integer"}},
                    "required": ["row", "column"]
                }}
            })
        },
        writes: false,
        call: check_project,
    },
    Tool {
        name: "explain_check",
        title: "Explain a check",
        description: "The documentation of one of djust's rules (what it checks, why it matters, an \
            example and the fix), as `djust rule CODE` prints it.",
        input_schema: || {
            json!({
                "type": "object",
                "properties": {
                    "code": {"type": "string", "description": "The rule's code, e.g. V006."}
                },
                "required": ["code"],
                "additionalProperties": false
            })
        },
        output_schema: || {
            json!({
                "type": "object",
                "properties": {
                    "code": {"type": "string"}, "name": {"type": "string"},
                    "severity": {"enum": ["error", "warning", "info"]},
                    "summary": {"type": "string"}, "url": {"type": "string"},
                    "documentation": {"type": "string"}
                },
                "required": ["code", "name", "severity", "summary", "url", "documentation"]
            })
        },
        writes: false,
        call: explain_check,
    },
    Tool {
        name: "list_views",
        title: "List the LiveViews",
        description: "Every LiveView in the workspace, found statically: import path, file and line, \
            template_name and its file, and its event handlers (inherited ones included) with \
            whether each accepts **kwargs.",
        input_schema: no_arguments,
        output_schema: || {
            json!({
                "type": "object",
                "properties": {"views": {"type": "array", "items": view_schema()}},
                "required": ["views"]
            })
        },
        writes: false,
        call: list_views,
    },
    Tool {
        name: "find_handlers_for_template",
        title: "Handlers for a template",
        description: "For a template (a path in the workspace or a template name such as \
            cart/cart.html): the handlers its dj-* directives name (its includes' too), the \
            LiveViews that render it, and for each view the handlers both sides agree on, those \
            the template names but the view lacks, and those the view has but the template never \
            names.",
        input_schema: || {
            json!({
                "type": "object",
                "properties": {
                    "template_path": {"type": "string", "description": "A template file in the workspace, or a template name."}
                },
                "required": ["template_path"],
                "additionalProperties": false
            })
        },
        output_schema: || {
            json!({
                "type": "object",
                "properties": {
                    "template_path": {"type": "string"},
                    "resolved_path": {"type": "string"},
                    "handlers_in_template": {"type": "array", "items": {
                        "type": "object",
                        "properties": {"directive": {"type": "string"}, "target": {"type": "string"},
                                       "file": {"type": "string"}, "line": {"type": "integer"}, "column": {"type": "integer"}},
                        "required": ["directive", "target", "file", "line", "column"]
                    }},
                    "views": {"type": "array", "items": {
                        "type": "object",
                        "properties": {
                            "path": {"type": "string"}, "file": {"type": "string"}, "line": {"type": "integer"},
                            "bound_by": {"enum": ["template_name", "dj-view"]},
                            "matched_handlers": {"type": "array", "items": {"type": "string"}},
                            "handlers_in_template_not_in_view": {"type": "array", "items": {"type": "string"}},
                            "handlers_in_view_not_in_template": {"type": "array", "items": {"type": "string"}}
                        },
                        "required": ["path", "file", "line", "bound_by", "matched_handlers",
                                     "handlers_in_template_not_in_view", "handlers_in_view_not_in_template"]
                    }}
                },
                "required": ["template_path", "resolved_path", "handlers_in_template", "views"]
            })
        },
        writes: false,
        call: find_handlers_for_template,
    },
    Tool {
        name: "get_framework_schema",
        title: "djust framework schema",
        description: "Everything djust offers in one object: template directives, decorators, LiveView \
            lifecycle methods and class attributes, conventions and the WebSocket messages. Call it \
            first when writing djust code.",
        input_schema: no_arguments,
        output_schema: || {
            json!({
                "type": "object",
                "properties": {
                    "version": {"type": "string"},
                    "directives": directives_schema(),
                    "decorators": decorators_schema(),
                    "lifecycle_methods": members_schema(),
                    "class_attributes": members_schema(),
                    "conventions": {"type": "array", "items": {"type": "string"}},
                    "websocket": {"type": "object"}
                },
                "required": ["version", "directives", "decorators", "lifecycle_methods", "class_attributes", "conventions", "websocket"]
            })
        },
        writes: false,
        call: |_, args| {
            reject_unknown(args, &[])?;
            Ok(ToolOutput::new(knowledge::framework_schema()))
        },
    },
    Tool {
        name: "get_template_directives",
        title: "djust template directives",
        description:
            "The dj-* attributes (dj-root, dj-view, dj-click, dj-model, dj-debounce, dj-loading, …): \
            what each does, its value, its modifiers and an example.",
        input_schema: no_arguments,
        output_schema: || {
            json!({
                "type": "object",
                "properties": {"directives": directives_schema()},
                "required": ["directives"]
            })
        },
        writes: false,
        call: |_, args| {
            reject_unknown(args, &[])?;
            Ok(ToolOutput::new(json!({"directives": knowledge::DIRECTIVES})))
        },
    },
    Tool {
        name: "get_decorators",
        title: "djust decorators",
        description: "The decorators of djust.decorators (@event_handler, @debounce, @throttle): import, \
            signature, meaning and an example.",
        input_schema: no_arguments,
        output_schema: || {
            json!({
                "type": "object",
                "properties": {"decorators": decorators_schema()},
                "required": ["decorators"]
            })
        },
        writes: false,
        call: |_, args| {
            reject_unknown(args, &[])?;
            Ok(ToolOutput::new(json!({"decorators": knowledge::DECORATORS})))
        },
    },
    Tool {
        name: "get_best_practices",
        title: "djust best practices",
        description: "How to set up and write djust LiveViews: settings and ASGI, the lifecycle, event \
            handler rules, state, templates and the common pitfalls with the rule that catches each.",
        input_schema: no_arguments,
        output_schema: || {
            json!({
                "type": "object",
                "properties": {
                    "setup": {"type": "object"}, "lifecycle": {"type": "array"},
                    "event_handlers": {"type": "object"}, "state": {"type": "object"},
                    "templates": {"type": "object"}, "checks": {"type": "string"},
                    "common_pitfalls": {"type": "array", "items": {
                        "type": "object",
                        "properties": {"id": {"type": "string"}, "problem": {"type": "string"},
                                       "why": {"type": "string"}, "solution": {"type": "string"}},
                        "required": ["id", "problem", "why", "solution"]
                    }}
                },
                "required": ["setup", "lifecycle", "event_handlers", "state", "templates", "common_pitfalls"]
            })
        },
        writes: false,
        call: |_, args| {
            reject_unknown(args, &[])?;
            Ok(ToolOutput::new(knowledge::best_practices()))
        },
    },
    Tool {
        name: "scaffold_view",
        title: "Scaffold a LiveView",
        description:
            "Generate a LiveView as `djust new view` does: APP/live/NAME.py (mount with typed state \
            from `fields`, an @event_handler), its template (dj-root and dj-view on one element, a dj-click \
            bound to the handler) and a test with djust.testing.LiveViewTestClient; plus the route to add \
            (made in APP/urls.py with `wire`). Returns the plan and each file's content; writes only with \
            `write: true`, and then every file or none. A file that exists with other content is an \
            error unless `force`.",
        input_schema: super::scaffold::view_input,
        output_schema: super::scaffold::output,
        writes: true,
        call: super::scaffold::scaffold_view,
    },
    Tool {
        name: "scaffold_component",
        title: "Scaffold a component",
        description: "Generate a component as `djust new component` does: a LiveComponent (or, with \
            `stateless`, a Component) in APP/components/NAME.py, its template and a test; returns the \
            plan, each file's content and the tag that renders it. Writes only with `write: true`, every \
            file or none; a file that exists with other content is an error unless `force`.",
        input_schema: super::scaffold::component_input,
        output_schema: super::scaffold::output,
        writes: true,
        call: super::scaffold::scaffold_component,
    },
    Tool {
        name: "get_handler_timings",
        title: "Handler timings of the running server",
        description: "From the running server's profile endpoint (the one `djust profile` reads; set \
            DJUST_PROFILE_URL and DJUST_PROFILE_TOKEN for djust mcp): per LiveView and event, the count, \
            rate, p50/p95/p99/max of the total and of each part (handler, sql, render, diff, serialize, \
            encode, send) in microseconds, queries, bytes and errors; plus the 50 most recent spans.",
        input_schema: super::live::no_input,
        output_schema: super::live::object,
        writes: false,
        call: super::live::handler_timings,
    },
    Tool {
        name: "get_sql_queries",
        title: "SQL of recent events",
        description: "From the running server: the events since `since` (Unix seconds) that ran queries, \
            with the count, the SQL time, duplicates (same SQL and parameters), similar queries (same SQL, \
            other parameters: an N+1) and the repeated SQL.",
        input_schema: super::live::sql_input,
        output_schema: super::live::object,
        writes: false,
        call: super::live::sql_queries,
    },
    Tool {
        name: "get_last_traceback",
        title: "Last traceback of the running server",
        description: "From the running server: the last event or mount that raised, with the view, the \
            event, the exception and its traceback (null when none failed).",
        input_schema: super::live::no_input,
        output_schema: super::live::object,
        writes: false,
        call: super::live::last_traceback,
    },
    Tool {
        name: "get_view_state",
        title: "State of a mounted LiveView",
        description: "From the running server: the public state of a mounted LiveView, by the `session` \
            id its spans carry (get_handler_timings' recent spans, get_sql_queries).",
        input_schema: super::live::state_input,
        output_schema: super::live::object,
        writes: false,
        call: super::live::view_state,
    },
];

/// The tool named `name`.
pub fn find(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|t| t.name == name)
}

/// The `tools` array of `tools/list`.
pub fn list() -> Vec<Value> {
    TOOLS
        .iter()
        .map(|t| {
            json!({
                "name": t.name,
                "title": t.title,
                "description": t.description,
                "inputSchema": (t.input_schema)(),
                "outputSchema": (t.output_schema)(),
                "annotations": {
                    "title": t.title,
                    "readOnlyHint": !t.writes,
                    "destructiveHint": t.writes,
                    "idempotentHint": true,
                    "openWorldHint": false
                }
            })
        })
        .collect()
}

fn no_arguments() -> Value {
    json!({"type": "object", "properties": {}, "additionalProperties": false})
}

fn directives_schema() -> Value {
    json!({"type": "array", "items": {
        "type": "object",
        "properties": {
            "name": {"type": "string"}, "category": {"type": "string"}, "value": {"type": "string"},
            "description": {"type": "string"}, "modifiers": {"type": "array", "items": {"type": "string"}},
            "example": {"type": "string"}
        },
        "required": ["name", "category", "value", "description", "modifiers", "example"]
    }})
}

fn decorators_schema() -> Value {
    json!({"type": "array", "items": {
        "type": "object",
        "properties": {
            "name": {"type": "string"}, "import": {"type": "string"}, "signature": {"type": "string"},
            "description": {"type": "string"}, "example": {"type": "string"}
        },
        "required": ["name", "import", "signature", "description", "example"]
    }})
}

fn members_schema() -> Value {
    json!({"type": "array", "items": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "signature": {"type": "string"}, "description": {"type": "string"}},
        "required": ["name", "signature", "description"]
    }})
}

fn view_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "path": {"type": "string"}, "class": {"type": "string"}, "file": {"type": "string"},
            "line": {"type": "integer"}, "template_name": {"type": ["string", "null"]},
            "template_file": {"type": ["string", "null"]},
            "handlers": {"type": "array", "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "defined_in": {"type": "string"},
                               "file": {"type": "string"}, "line": {"type": "integer"},
                               "column": {"type": "integer"}, "accepts_kwargs": {"type": "boolean"},
                               "signature": {"type": "string"}, "doc": {"type": ["string", "null"]}},
                "required": ["name", "defined_in", "file", "line", "column", "accepts_kwargs", "signature", "doc"]
            }},
            "state": {"type": "array", "items": {
                "type": "object",
                "properties": {"name": {"type": "string"},
                               "kind": {"enum": ["class_attribute", "instance", "context"]},
                               "defined_in": {"type": "string"}, "file": {"type": "string"},
                               "line": {"type": "integer"}, "column": {"type": "integer"}},
                "required": ["name", "kind", "defined_in", "file", "line", "column"]
            }}
        },
        "required": ["path", "class", "file", "line", "template_name", "template_file", "handlers", "state"]
    })
}

fn summary_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "total": {"type": "integer", "minimum": 0},
            "errors": {"type": "integer", "minimum": 0},
            "warnings": {"type": "integer", "minimum": 0},
            "info": {"type": "integer", "minimum": 0}
        },
        "required": ["total", "errors", "warnings", "info"]
    })
}

fn issues_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "issues": {"type": "array", "items": {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "description": "upstream's category: service_in_state, missing_kwargs, syntax_error, …"},
                    "code": {"type": "string", "description": "djust's rule code"},
                    "severity": {"enum": ["error", "warning", "info"]},
                    "message": {"type": "string"},
                    "line": {"type": "integer", "minimum": 1},
                    "column": {"type": "integer", "minimum": 1},
                    "fix": {"type": "string"},
                    "url": {"type": "string"}
                },
                "required": ["type", "code", "severity", "message", "line", "column", "fix", "url"]
            }},
            "summary": summary_schema(),
            "language": {"enum": ["python", "template"]}
        },
        "required": ["issues", "summary", "language"]
    })
}

// -- arguments ----------------------------------------------------------------------------

pub(crate) fn string_arg<'a>(args: &'a Value, name: &str, required: bool) -> Result<Option<&'a str>, String> {
    match args.get(name) {
        None | Some(Value::Null) if required => Err(format!("missing required argument \"{name}\"")),
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!(
            "argument \"{name}\" must be a string, not {}",
            json_type(other)
        )),
    }
}

pub(crate) fn reject_unknown(args: &Value, known: &[&str]) -> Result<(), String> {
    if let Some(obj) = args.as_object() {
        if let Some(extra) = obj.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(format!(
                "unknown argument \"{extra}\" (expected: {})",
                known.join(", ")
            ));
        }
    }
    Ok(())
}

/// A boolean argument; absent or null is `false`.
pub(crate) fn bool_arg(args: &Value, name: &str) -> Result<bool, String> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(format!(
            "argument \"{name}\" must be a boolean, not {}",
            json_type(other)
        )),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

// -- the analysis tools -------------------------------------------------------------------

fn settings(ws: &Workspace<'_>) -> Result<Arc<Settings>, String> {
    ws.settings.get(ws.root)
}

/// Whether `code` (with an optional file name) is Python rather than a template.
fn is_python(code: &str, filename: Option<&str>) -> bool {
    if let Some(name) = filename {
        return name.ends_with(".py") || name.ends_with(".pyi");
    }
    let looks_like_template =
        code.contains("{%") || code.contains("{{") || code.trim_start().starts_with('<');
    let python_lines = code.lines().any(|l| {
        let l = l.trim_start();
        ["def ", "class ", "import ", "from ", "async def ", "@"]
            .iter()
            .any(|p| l.starts_with(p))
    });
    python_lines || !looks_like_template
}

/// upstream's category names for the rules that have one; the rule's name otherwise.
fn category(rule: Rule) -> String {
    match rule.code() {
        "V006" => "service_in_state".into(),
        "V007" => "missing_kwargs".into(),
        "E001" => "syntax_error".into(),
        _ => rule.name().replace('-', "_"),
    }
}

fn severity_str(s: Severity) -> &'static str {
    s.as_str()
}

fn summary(report: &Report) -> Value {
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    json!({
        "total": report.findings.len(),
        "errors": count(Severity::Error),
        "warnings": count(Severity::Warning),
        "info": count(Severity::Info),
    })
}

fn issues(report: &Report) -> Vec<Value> {
    report
        .findings
        .iter()
        .map(|f| {
            let (start, _) = report.file(f).location(f.span);
            json!({
                "type": category(f.rule),
                "code": f.rule.code(),
                "severity": severity_str(f.severity),
                "message": f.message,
                "line": start.line,
                "column": start.column,
                "fix": f.help.clone().unwrap_or_default(),
                "url": f.rule.url(),
            })
        })
        .collect()
}

fn analyse(
    ws: &Workspace<'_>,
    code: &str,
    filename: Option<&str>,
    force_python: bool,
) -> Result<Value, String> {
    let python = force_python || is_python(code, filename);
    let settings = settings(ws)?;
    // A file of the workspace: check the project with the snippet in that file's place,
    // so cross-file rules (templates a view renders, parents a template extends) see
    // what `djust check` sees.
    let in_workspace = filename
        .filter(|_| !force_python)
        .and_then(|f| workspace_path(ws, Some(f)).ok())
        .filter(|p| p.is_file());
    let report = match in_workspace {
        Some(abs) => {
            let overlay = [(abs.clone(), code.to_owned())];
            let mut report =
                djust_analyzer::check_with_overlay(&[PathBuf::from(".")], ws.root, &settings, &overlay)
                    .map_err(|e| e.to_string())?;
            report.findings.retain(|f| *report.files[f.file].abs == *abs);
            report
        }
        None => {
            let name = match filename {
                Some(n) if force_python && !n.ends_with(".py") => format!("{n}.py"),
                Some(n) => n.to_owned(),
                None if python => "snippet.py".into(),
                None => "snippet.html".into(),
            };
            djust_analyzer::check_source(code, &name, &settings)
        }
    };
    Ok(json!({
        "issues": issues(&report),
        "summary": summary(&report),
        "language": if python { "python" } else { "template" },
    }))
}

fn detect_common_issues(ws: &Workspace<'_>, args: &Value) -> Result<ToolOutput, String> {
    reject_unknown(args, &["code", "filename"])?;
    let code = string_arg(args, "code", true)?.unwrap_or_default();
    let filename = string_arg(args, "filename", false)?;
    Ok(ToolOutput::new(analyse(ws, code, filename, false)?))
}

fn validate_view(ws: &Workspace<'_>, args: &Value) -> Result<ToolOutput, String> {
    reject_unknown(args, &["code"])?;
    let code = string_arg(args, "code", true)?.unwrap_or_default();
    let mut result = analyse(ws, code, Some("views.py"), true)?;
    let clean = result
        .pointer("/summary")
        .is_some_and(|s| s["errors"] == json!(0) && s["warnings"] == json!(0));
    if let Value::Object(obj) = &mut result {
        obj.insert("valid".into(), json!(clean));
    }
    Ok(ToolOutput::new(result))
}

/// `path` (relative to the workspace, or absolute) as a canonical path inside it. A
/// path that does not exist and one outside the workspace get the same answer, so a
/// client cannot probe which paths exist outside it.
fn workspace_path(ws: &Workspace<'_>, path: Option<&str>) -> Result<PathBuf, String> {
    let Some(path) = path else {
        return Ok(ws.root.to_path_buf());
    };
    let not_found = || format!("no such path in the workspace ({}): {path}", ws.root.display());
    let canonical = ws.root.join(path).canonicalize().map_err(|_| not_found())?;
    if !canonical.starts_with(ws.root) {
        return Err(not_found());
    }
    Ok(canonical)
}

fn check_project(ws: &Workspace<'_>, args: &Value) -> Result<ToolOutput, String> {
    reject_unknown(args, &["path"])?;
    let path = workspace_path(ws, string_arg(args, "path", false)?)?;
    // Relative to the workspace, so findings name files as `djust check` run there does.
    let relative = match path.strip_prefix(ws.root) {
        Ok(r) if r.as_os_str().is_empty() => PathBuf::from("."),
        Ok(r) => r.to_path_buf(),
        Err(_) => path,
    };
    let report =
        djust_analyzer::check(&[relative], ws.root, &Overrides::default()).map_err(|e| e.to_string())?;
    let findings: Value = serde_json::from_str(&output::json(&report)).map_err(|e| e.to_string())?;
    let structured = json!({
        "findings": findings,
        "summary": summary(&report),
        "files": report.files.len(),
    });
    Ok(ToolOutput::new(structured))
}

fn explain_check(_ws: &Workspace<'_>, args: &Value) -> Result<ToolOutput, String> {
    reject_unknown(args, &["code"])?;
    let code = string_arg(args, "code", true)?.unwrap_or_default();
    let Some(rule) = Rule::from_code(&code.trim().to_ascii_uppercase()) else {
        let known: Vec<&str> = Rule::ALL.iter().map(|r| r.code()).collect();
        return Err(format!(
            "unknown rule \"{code}\"; the rules are {}",
            known.join(", ")
        ));
    };
    let structured = json!({
        "code": rule.code(),
        "name": rule.name(),
        "severity": severity_str(rule.severity()),
        "summary": rule.summary(),
        "url": rule.url(),
        "documentation": rule.doc(),
    });
    Ok(ToolOutput::new(structured))
}

// -- the workspace tools -------------------------------------------------------------------

fn project(ws: &Workspace<'_>) -> Result<ProjectIndex, String> {
    let settings = settings(ws)?;
    djust_analyzer::project_index(&[PathBuf::from(".")], ws.root, &settings).map_err(|e| e.to_string())
}

fn list_views(ws: &Workspace<'_>, args: &Value) -> Result<ToolOutput, String> {
    reject_unknown(args, &[])?;
    let index = project(ws)?;
    Ok(ToolOutput::new(json!({"views": index.views})))
}

fn find_handlers_for_template(ws: &Workspace<'_>, args: &Value) -> Result<ToolOutput, String> {
    reject_unknown(args, &["template_path"])?;
    let given = string_arg(args, "template_path", true)?.unwrap_or_default();
    let index = project(ws)?;
    // A file in the workspace, else a template name (`app/page.html`) under a
    // `templates/` directory.
    let by_file = workspace_path(ws, Some(given))
        .ok()
        .and_then(|p| p.strip_prefix(ws.root).ok().map(|r| r.display().to_string()));
    let template = index
        .templates
        .iter()
        .find(|t| Some(&t.file) == by_file.as_ref())
        .or_else(|| {
            let suffix = format!("templates/{}", given.trim_start_matches('/'));
            index.templates.iter().find(|t| t.file.ends_with(&suffix))
        })
        .ok_or_else(|| format!("no template {given} in the workspace"))?;

    // The template's references and its includes', transitively.
    let mut files = vec![template.file.clone()];
    let mut refs = Vec::new();
    let mut next = 0;
    while next < files.len() {
        let file = files[next].clone();
        next += 1;
        if let Some(t) = index.templates.iter().find(|t| t.file == file) {
            for r in &t.references {
                refs.push(
                    json!({"directive": r.directive, "target": r.target, "file": t.file,
                                 "line": r.line, "column": r.column}),
                );
            }
            for inc in &t.include_files {
                if !files.contains(inc) {
                    files.push(inc.clone());
                }
            }
        }
    }
    let named: Vec<String> = {
        let mut v: Vec<String> = refs
            .iter()
            .filter(|r| !r["directive"].as_str().unwrap_or("").starts_with("dj-model"))
            .filter_map(|r| r["target"].as_str().map(str::to_owned))
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let views: Vec<Value> = index
        .views
        .iter()
        .filter_map(|v| {
            let bound_by = if v.template_file.as_deref() == Some(template.file.as_str()) {
                "template_name"
            } else if template.views.contains(&v.path) {
                "dj-view"
            } else {
                return None;
            };
            let has: Vec<&str> = v.handlers.iter().map(|h| h.name.as_str()).collect();
            let matched: Vec<&str> = named
                .iter()
                .map(String::as_str)
                .filter(|n| has.contains(n))
                .collect();
            let missing: Vec<&str> = named
                .iter()
                .map(String::as_str)
                .filter(|n| !has.contains(n))
                .collect();
            let unused: Vec<&str> = has
                .iter()
                .copied()
                .filter(|h| !named.iter().any(|n| n == h))
                .collect();
            Some(json!({
                "path": v.path, "file": v.file, "line": v.line, "bound_by": bound_by,
                "matched_handlers": matched,
                "handlers_in_template_not_in_view": missing,
                "handlers_in_view_not_in_template": unused,
            }))
        })
        .collect();
    Ok(ToolOutput::new(json!({
        "template_path": given,
        "resolved_path": template.file,
        "handlers_in_template": refs,
        "views": views,
    })))
}
