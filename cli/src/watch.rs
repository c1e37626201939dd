//! `djust check --watch`: check, then check again whenever a file changes.
//!
//! The project is loaded once into the language server's incremental model
//! ([`AnalysisHost`]): a changed file is parsed again on its own, the cross-file rules
//! run over the kept summaries, and a file appearing, vanishing or being renamed (or a
//! directory, or `pyproject.toml`) makes the host discover the project again. File
//! events come from the `notify` crate and are debounced (a save that writes several
//! times, a `git checkout`, is one re-check). Each check clears the terminal (when
//! stdout is one), prints the findings as `djust check` does, and a summary line.
//! Ctrl-C (or SIGTERM) stops the watch; the exit code is 0.

use djust_analyzer::host::{AnalysisHost, Update};
use djust_analyzer::Report;
use notify_debouncer_full::notify::event::ModifyKind;
use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult};
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long the file system must be quiet before a re-check (milliseconds).
pub const DEBOUNCE_MS: u64 = 200;

enum Message {
    Files(DebounceEventResult),
    Stop,
}

/// Watch `paths` (relative to `cwd`) with `settings`; `print` renders one report as
/// `djust check` would. Returns the exit code.
pub fn run(
    paths: &[PathBuf],
    cwd: &Path,
    settings: djust_analyzer::Settings,
    print: &dyn Fn(&Report),
) -> Result<u8, String> {
    let started = Instant::now();
    let mut host = AnalysisHost::load_paths(cwd, paths, settings).map_err(|e| e.to_string())?;
    show(&host.report(), print, started.elapsed(), None);

    let (tx, rx) = mpsc::channel::<Message>();
    let files = tx.clone();
    let mut debouncer = new_debouncer(
        Duration::from_millis(DEBOUNCE_MS),
        None,
        move |result: DebounceEventResult| {
            let _ = files.send(Message::Files(result));
        },
    )
    .map_err(|e| format!("cannot watch files: {e}"))?;
    // Events name files under the paths as watched: watch them by their real paths.
    let root = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    for p in paths {
        let abs = std::fs::canonicalize(cwd.join(p)).unwrap_or_else(|_| cwd.join(p));
        debouncer
            .watch(&abs, RecursiveMode::Recursive)
            .map_err(|e| format!("cannot watch {}: {e}", p.display()))?;
    }
    ctrlc::set_handler(move || {
        let _ = tx.send(Message::Stop);
    })
    .map_err(|e| format!("cannot handle Ctrl-C: {e}"))?;

    while let Ok(message) = rx.recv() {
        let events = match message {
            Message::Stop => break,
            Message::Files(Err(errors)) => {
                for e in errors {
                    eprintln!("djust: watching: {e}");
                }
                continue;
            }
            Message::Files(Ok(events)) => events,
        };
        let changed: BTreeSet<PathBuf> = events
            .iter()
            .filter(|e| relevant(&e.kind))
            .flat_map(|e| {
                // A directory matters when it appears or is renamed; its content
                // changing is reported for the files themselves.
                let dir_event = matches!(
                    e.kind,
                    EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(_))
                );
                e.paths.iter().filter(move |p| dir_event || !p.is_dir()).cloned()
            })
            .filter(|p| !p.components().any(|c| c.as_os_str() == ".djust_cache"))
            .collect();
        let started = Instant::now();
        let mut touched = Vec::new();
        for path in &changed {
            match host.refresh(path) {
                Ok(Update::Unchanged) => {}
                Ok(_) => touched.push(path.strip_prefix(&root).unwrap_or(path).to_path_buf()),
                Err(e) => eprintln!("djust: {e}"),
            }
        }
        if !touched.is_empty() {
            show(&host.report(), print, started.elapsed(), Some(&touched));
        }
    }
    println!("Stopped watching.");
    Ok(0)
}

/// Whether an event can change what djust reports: files created, written, renamed
/// or removed. Reads (`Access`, which djust's own re-check causes) are not.
fn relevant(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any
    ) && !matches!(kind, EventKind::Modify(ModifyKind::Metadata(_)))
}

/// Clear the screen (on a terminal), print the report and the watch's summary line.
fn show(report: &Report, print: &dyn Fn(&Report), took: Duration, changed: Option<&[PathBuf]>) {
    let mut out = std::io::stdout().lock();
    if out.is_terminal() {
        // Erase the screen and the scrollback, cursor home.
        let _ = out.write_all(b"\x1b[2J\x1b[3J\x1b[H");
    }
    let _ = out.flush();
    drop(out);
    print(report);
    let what = match changed {
        None => "Checked".to_string(),
        Some([one]) => format!("{} changed; checked", one.display()),
        Some(many) => format!("{} files changed; checked", many.len()),
    };
    println!(
        "[{}] {what} {} files in {} ms. Watching for changes (Ctrl-C to stop).",
        clock(),
        report.files.len(),
        took.as_millis()
    );
    let _ = std::io::stdout().flush();
}

/// The time of day, `HH:MM:SS` UTC.
fn clock() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        % 86_400;
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}
