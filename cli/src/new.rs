//! `djust new`: project, app, view (alias `live`) and component, through the generator
//! ([`djust_scaffold`]). Prints the plan Rails-style (`create`, `identical`,
//! `conflict`, …), then the wiring to paste (or, with `--wire`, the edits it made)
//! and what to run next. Exit codes: 0 written (or nothing to do), 1 conflicts
//! (nothing written), 2 a bad name, no project, or a write that failed (and was undone).

use clap::{Args, Subcommand};
use djust_scaffold::{Action, Kind, OnExisting, Outcome, Request};
use std::path::PathBuf;

#[derive(Args)]
pub(crate) struct NewArgs {
    #[command(subcommand)]
    kind: NewKind,
    #[command(flatten)]
    flags: NewFlags,
}

#[derive(Args)]
struct NewFlags {
    /// Print the plan and a unified diff of every file; write nothing.
    #[arg(long, global = true)]
    dry_run: bool,
    /// Overwrite files that exist with other content.
    #[arg(long, global = true, conflicts_with = "skip_existing")]
    force: bool,
    /// Leave files that exist with other content as they are; write the rest.
    #[arg(long, global = true)]
    skip_existing: bool,
    /// Make the wiring edits (route, INSTALLED_APPS) on the parsed files instead of
    /// printing them.
    #[arg(long, global = true)]
    wire: bool,
    /// Print the plan as JSON (for tools and agents).
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Subcommand)]
enum NewKind {
    /// A runnable project: settings, ASGI, a home LiveView with its template and test.
    Project {
        /// The project package (a Python identifier).
        name: String,
        /// Where (default: ./NAME).
        dir: Option<PathBuf>,
    },
    /// An app: apps.py, views.py, urls.py, templates/NAME/, tests/.
    App {
        /// The app package.
        name: String,
    },
    /// A LiveView with its template and a test (`FIELD:TYPE`: str, int, float, bool).
    #[command(alias = "live")]
    View {
        /// The view (`counter`, `TodoList`).
        name: String,
        /// The app (default: the project's only app).
        #[arg(long)]
        app: Option<String>,
        /// State fields, `title:str count:int done:bool`.
        fields: Vec<String>,
    },
    /// A live component (or, with --stateless, a Component) with its template and test.
    Component {
        /// The component (`cart`, `CartSummary`).
        name: String,
        /// The app (default: the project's only app).
        #[arg(long)]
        app: Option<String>,
        /// A stateless Component (class and template, no handlers).
        #[arg(long)]
        stateless: bool,
    },
}

pub(crate) fn run(args: NewArgs) -> u8 {
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("djust new: cannot read the current directory: {e}");
            return 2;
        }
    };
    let kind = match args.kind {
        NewKind::Project { name, dir } => Kind::Project { name, dir },
        NewKind::App { name } => Kind::App { name },
        NewKind::View { name, app, fields } => Kind::View { name, app, fields },
        NewKind::Component { name, app, stateless } => Kind::Component { name, app, stateless },
    };
    let f = &args.flags;
    let request = Request {
        kind,
        cwd,
        wire: f.wire,
        on_existing: if f.force {
            OnExisting::Force
        } else if f.skip_existing {
            OnExisting::Skip
        } else {
            OnExisting::Stop
        },
    };
    let outcome = match djust_scaffold::prepare(&request) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("djust new: {e}");
            return 2;
        }
    };
    let blocked = outcome.plan.blocked();
    let result = if blocked || f.dry_run {
        None
    } else {
        Some(djust_scaffold::apply(&outcome))
    };
    if f.json {
        print_json(&outcome, f.dry_run, result.as_ref());
    } else {
        print_text(&outcome, f.dry_run, result.as_ref());
    }
    match result {
        Some(Err(_)) => 2,
        _ if blocked => 1,
        _ => 0,
    }
}

type Applied = Result<djust_scaffold::write::Written, djust_scaffold::ScaffoldError>;

fn print_text(outcome: &Outcome, dry_run: bool, result: Option<&Applied>) {
    let root = outcome.root.display();
    let mut out = String::new();
    for f in &outcome.plan.files {
        out.push_str(&format!("{:>10}  {}", f.action.word(), f.path));
        if let Some(reason) = &f.reason {
            out.push_str(&format!("  ({reason})"));
        }
        out.push('\n');
    }
    if dry_run {
        out.push('\n');
        out.push_str(&djust_scaffold::diff(&outcome.plan));
    } else {
        // --wire's edits of existing files are always shown as a diff.
        let edits = djust_scaffold::diff_modified(&outcome.plan);
        if !edits.is_empty() {
            out.push('\n');
            out.push_str(&edits);
        }
    }
    for w in &outcome.wiring {
        if w.applied {
            continue;
        }
        if let Some(problem) = &w.problem {
            out.push_str(&format!("\n{problem}\n"));
        } else {
            out.push_str(&format!("\nAdd to {}:\n", w.file));
        }
        for line in w.snippet.lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    let conflicts = outcome
        .plan
        .files
        .iter()
        .filter(|f| f.action == Action::Conflict)
        .count();
    match result {
        _ if conflicts > 0 => out.push_str(&format!(
            "\nNothing was written: {conflicts} file{} in {root} would be overwritten. Re-run with --force to \
             overwrite, --skip-existing to keep them, or --dry-run to see the differences.\n",
            if conflicts == 1 { "" } else { "s" }
        )),
        None => out.push_str("\nDry run: nothing was written.\n"),
        Some(Err(e)) => out.push_str(&format!("\nNothing was written: {e}\n")),
        Some(Ok(w)) => {
            if w.files.is_empty() {
                out.push_str("\nNothing to do: every file is already as it would be written.\n");
            }
            if !outcome.next.is_empty() {
                out.push_str(&format!("\nNext, in {root}:\n"));
                for n in &outcome.next {
                    out.push_str(&format!("    {n}\n"));
                }
            }
        }
    }
    print!("{out}");
}

fn print_json(outcome: &Outcome, dry_run: bool, result: Option<&Applied>) {
    let mut value = serde_json::json!({
        "root": outcome.root,
        "files": outcome.plan.files,
        "wiring": outcome.wiring,
        "next": outcome.next,
        "dry_run": dry_run,
        "conflicts": outcome.plan.blocked(),
        "written": result.and_then(|r| r.as_ref().ok()).map(|w| w.files.clone()).unwrap_or_default(),
    });
    if dry_run {
        value["diff"] = serde_json::Value::String(djust_scaffold::diff(&outcome.plan));
    }
    if let Some(Err(e)) = result {
        value["error"] = serde_json::Value::String(e.to_string());
    }
    println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
}
