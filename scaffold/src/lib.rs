//! The generator behind `djust new`, the MCP tools `scaffold_view` and
//! `scaffold_component`, and the language server's "create template" code action.
//!
//! One pipeline for every kind ([`kinds`]): validate the names ([`names`]), find the
//! project ([`project`]), render the files from templates a project may override
//! ([`templates`]), compute the `--wire` edits on the parsed files ([`wire`]), plan
//! every target before writing any ([`plan`]), then write all or nothing ([`write`]).
//! [`prepare`] does everything but the writing, so a dry run, a JSON plan for an agent
//! and a real run are the same computation.

pub mod error;
pub mod kinds;
pub mod names;
pub mod plan;
pub mod project;
pub mod templates;
pub mod wire;
pub mod write;

pub use error::ScaffoldError;
pub use plan::{Action, OnExisting, Plan};

use djust_analyzer::source::read_text;
use kinds::{Field, Wire};
use serde::Serialize;
use std::path::{Path, PathBuf};
use templates::Templates;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `djust new project NAME [DIR]`: in `DIR` (default `./NAME`).
    Project {
        /// The project package.
        name: String,
        /// Where (relative to the working directory, or absolute).
        dir: Option<PathBuf>,
    },
    /// `djust new app NAME`.
    App {
        /// The app package.
        name: String,
    },
    /// `djust new view NAME [--app APP] [FIELD:TYPE ...]`.
    View {
        /// `counter`, `TodoList`, `todo-list`.
        name: String,
        /// The app (default: the project's only one).
        app: Option<String>,
        /// `title:str` …
        fields: Vec<String>,
    },
    /// `djust new component NAME [--app APP] [--stateless]`.
    Component {
        /// `cart`, `CartSummary`.
        name: String,
        /// The app (default: the project's only one).
        app: Option<String>,
        /// A `Component` instead of a `LiveComponent`.
        stateless: bool,
    },
}

/// A `djust new` request.
#[derive(Debug, Clone)]
pub struct Request {
    /// What.
    pub kind: Kind,
    /// The working directory (the project is found from it).
    pub cwd: PathBuf,
    /// Make the wiring edits (`--wire`) instead of printing them.
    pub wire: bool,
    /// `--force` / `--skip-existing`.
    pub on_existing: OnExisting,
}

/// One wiring step: made (with `--wire`), or to be made by hand.
#[derive(Debug, Clone, Serialize)]
pub struct Wiring {
    /// The file, relative to the root.
    pub file: String,
    /// What to add to it.
    pub snippet: String,
    /// Whether the plan makes the edit (`--wire` and the file could be edited).
    pub applied: bool,
    /// Why `--wire` left the file alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Everything `djust new` will do, computed without writing.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The root the paths are relative to.
    pub root: PathBuf,
    /// Every target and its action.
    pub plan: Plan,
    /// The wiring steps.
    pub wiring: Vec<Wiring>,
    /// What to run next.
    pub next: Vec<String>,
}

/// Validate, generate and plan `request`; nothing is written. Conflicts are in the
/// plan ([`Plan::blocked`]); errors are for bad names, no project, no such app, or an
/// override template that does not render.
pub fn prepare(request: &Request) -> Result<Outcome, ScaffoldError> {
    let (root, generated) = generate(request)?;
    let mut edits: Vec<(String, String)> = Vec::new();
    let mut wiring = Vec::new();
    for w in &generated.wiring {
        let snippet = w.snippet();
        if !request.wire {
            wiring.push(Wiring {
                file: w.file().to_string(),
                snippet,
                applied: false,
                problem: None,
            });
            continue;
        }
        let current = edits
            .iter()
            .rev()
            .find(|(f, _)| f == w.file())
            .map(|(_, c)| c.clone());
        let edited = match current {
            Some(text) => Ok(text),
            None => read_text(&root.join(w.file())).map_err(|e| format!("it cannot be read ({e})")),
        }
        .and_then(|text| match w {
            Wire::Route { entry, imports, .. } => wire::add_route(&text, entry, imports),
            Wire::InstalledApp { app, .. } => wire::add_installed_app(&text, app),
        });
        match edited {
            Ok(text) => {
                edits.retain(|(f, _)| f != w.file());
                edits.push((w.file().to_string(), text));
                wiring.push(Wiring {
                    file: w.file().to_string(),
                    snippet,
                    applied: true,
                    problem: None,
                });
            }
            Err(problem) => wiring.push(Wiring {
                file: w.file().to_string(),
                snippet,
                applied: false,
                problem: Some(format!(
                    "{} was left alone: {problem}. Add this by hand.",
                    w.file()
                )),
            }),
        }
    }
    let plan = plan::plan(&root, &generated.files, &edits, request.on_existing);
    Ok(Outcome {
        root,
        plan,
        wiring,
        next: generated.next,
    })
}

fn generate(request: &Request) -> Result<(PathBuf, kinds::Generated), ScaffoldError> {
    match &request.kind {
        Kind::Project { name, dir } => {
            let root = match dir {
                Some(d) if d.is_absolute() => d.clone(),
                Some(d) => request.cwd.join(d),
                None => request.cwd.join(name),
            };
            let templates = Templates::for_project(&request.cwd);
            Ok((root, kinds::project(&templates, name)?))
        }
        Kind::App { name } => {
            let project = project::Project::find(&request.cwd)?;
            let templates = Templates::for_project(&project.root);
            let rel = |p: Option<PathBuf>| p.and_then(|p| relative(&project.root, &p));
            let generated = kinds::app(
                &templates,
                name,
                rel(project.settings_file()),
                rel(project.urls_file()),
            )?;
            Ok((project.root, generated))
        }
        Kind::View { name, app, fields } => {
            let fields: Vec<Field> = kinds::parse_fields(fields)?;
            let project = project::Project::find(&request.cwd)?;
            let app = project.app(app.as_deref())?;
            let templates = Templates::for_project(&project.root);
            Ok((
                project.root.clone(),
                kinds::view(&templates, &app, name, &fields)?,
            ))
        }
        Kind::Component { name, app, stateless } => {
            let project = project::Project::find(&request.cwd)?;
            let app = project.app(app.as_deref())?;
            let templates = Templates::for_project(&project.root);
            Ok((
                project.root.clone(),
                kinds::component(&templates, &app, name, *stateless)?,
            ))
        }
    }
}

fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// A unified diff of everything `plan` would write (new files against `/dev/null`).
pub fn diff(plan: &Plan) -> String {
    diff_where(plan, |a| a.writes())
}

/// A unified diff of the existing files `plan` edits (`--wire`'s `modify`).
pub fn diff_modified(plan: &Plan) -> String {
    diff_where(plan, |a| a == Action::Modify)
}

fn diff_where(plan: &Plan, wanted: impl Fn(Action) -> bool) -> String {
    let mut out = String::new();
    for f in plan.files.iter().filter(|f| wanted(f.action)) {
        let old = if f.action == Action::Create {
            ""
        } else {
            f.old.as_deref().unwrap_or("")
        };
        let from = if f.action == Action::Create {
            "/dev/null".to_string()
        } else {
            format!("a/{}", f.path)
        };
        let text = similar::TextDiff::from_lines(old, &f.content)
            .unified_diff()
            .context_radius(3)
            .header(&from, &format!("b/{}", f.path))
            .to_string();
        out.push_str(&text);
        if !text.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// Write the plan of `outcome` (see [`write::apply`]).
pub fn apply(outcome: &Outcome) -> Result<write::Written, ScaffoldError> {
    write::apply(&outcome.plan)
}
