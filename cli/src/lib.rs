//! `djust`: the djust command-line tool, as a library so that the `djust` binary and
//! the Python package's console script (`djust._rust.main`) run the same code.
//!
//! Subcommands: `check` (static checks over a project), `new` (the generator, [`new`]),
//! `rule` (rule documentation),
//! `mcp` (the Model Context Protocol server on stdio, [`mcp`]), `lsp` (the language
//! server on stdio, [`djust_lsp`]).
//! Exit codes follow ruff: 0 clean, 1 findings at or above `fail-on`, 2 usage error,
//! bad configuration or unreadable path.

pub mod mcp;
mod new;
mod profile;
mod profile_tui;
mod watch;

use clap::{Parser, Subcommand, ValueEnum};
use djust_analyzer::{output, CheckError, Overrides, Report, Rule, Severity};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan};
use std::borrow::Cow;
use std::ffi::OsString;
use std::fmt;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "djust",
    version,
    about = "Static checks and tooling for djust LiveViews and Django templates"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check LiveView Python files and Django templates for djust anti-patterns.
    Check(Box<CheckArgs>),
    /// Show the documentation of a rule, or list every rule.
    Rule(RuleArgs),
    /// Serve the Model Context Protocol on stdio (for AI agents).
    Mcp(McpArgs),
    /// Serve the Language Server Protocol on stdio (for editors).
    Lsp(LspArgs),
    /// Start a project, app, LiveView or component: plans every file, writes all or nothing.
    New(new::NewArgs),
    /// Per-view, per-event timings from a running server's profile endpoint.
    Profile(profile::ProfileArgs),
    /// Print a shell completion script: `djust completions bash > /etc/bash_completion.d/djust`.
    Completions(CompletionsArgs),
}

#[derive(clap::Args)]
struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

#[derive(clap::Args)]
struct LspArgs {
    /// Accepted for clients that pass it; stdio is the only transport.
    #[arg(long)]
    stdio: bool,
}

#[derive(clap::Args)]
struct McpArgs {
    /// The workspace the tools analyse (default: the current directory).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    #[command(subcommand)]
    action: Option<McpAction>,
}

#[derive(Subcommand)]
enum McpAction {
    /// Register `djust mcp` in the project's .mcp.json (merged; other servers kept).
    Install {
        /// The project directory (default: the nearest ancestor with manage.py,
        /// pyproject.toml or .git).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// The command MCP clients should run (default: `djust` if that is this
        /// binary, else its absolute path).
        #[arg(long, value_name = "PATH")]
        command: Option<String>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// Code frame with the span labelled, help and a link to the rule (default).
    Full,
    /// `path:line:col: CODE message`.
    Concise,
    /// A JSON array of findings.
    Json,
    /// One JSON object per line.
    JsonLines,
    /// GitHub Actions workflow commands (annotations on the PR).
    Github,
    /// SARIF 2.1.0 (GitHub code scanning and other tools).
    Sarif,
    /// GitLab Code Quality (a merge request's code quality widget).
    Gitlab,
    /// JUnit XML (test reports of CI systems: GitLab, Jenkins, Azure).
    Junit,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files or directories to check.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Rules to enable (codes, prefixes or ALL), replacing `select` from the config.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    select: Option<Vec<String>>,
    /// Rules to disable, on top of `ignore` from the config.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    ignore: Vec<String>,
    /// Rules to enable on top of `select`.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    extend_select: Vec<String>,
    /// Ignore rules in files matching a glob: `PATTERN:CODE[,CODE…]` (repeatable).
    #[arg(long, value_name = "PATTERN:RULES")]
    per_file_ignores: Vec<String>,
    /// Paths to exclude, replacing the defaults and `exclude` from the config.
    #[arg(long, value_delimiter = ',', value_name = "GLOBS")]
    exclude: Option<Vec<String>>,
    /// Paths to exclude on top of `exclude`.
    #[arg(long, value_delimiter = ',', value_name = "GLOBS")]
    extend_exclude: Vec<String>,
    /// Apply exclusions to paths given on the command line too.
    #[arg(long)]
    force_exclude: bool,
    /// Lowest severity that makes the run exit 1.
    #[arg(long, value_name = "SEVERITY", value_parser = ["error", "warning", "info"])]
    fail_on: Option<String>,
    /// Use this pyproject.toml instead of searching for one.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Ignore all configuration files.
    #[arg(long)]
    isolated: bool,
    /// Do not read or write the cache (also: environment variable DJUST_NO_CACHE).
    #[arg(long)]
    no_cache: bool,
    /// Where to keep the cache (default: `.djust_cache` next to the configuration file,
    /// or in the current directory).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "full")]
    output_format: OutputFormat,
    /// Write the output to this file instead of stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    output_file: Option<PathBuf>,
    /// Print the number of findings per rule instead of the findings.
    #[arg(long)]
    statistics: bool,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    exit_zero: bool,
    /// Print the findings and nothing else (no summary line).
    #[arg(short, long)]
    quiet: bool,
    /// Apply the safe fixes, write the files, and report what remains.
    #[arg(long)]
    fix: bool,
    /// Apply unsafe fixes too (with `--fix` or `--diff`); show them as fixable.
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them; exit 1 when there is
    /// one.
    #[arg(long, conflicts_with = "fix")]
    diff: bool,
    /// With `--fix`, list the fixes applied, per file.
    #[arg(long)]
    show_fixes: bool,
    /// Add a `noqa` for every finding (Python: on its line; templates: one line at the
    /// top), so a new rule can be adopted and the backlog worked down later.
    #[arg(long, conflicts_with_all = ["fix", "diff"])]
    add_noqa: bool,
    /// Read the file to check from standard input, as if it were at this path (an
    /// editor's unsaved buffer; cross-file rules see the project around it).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["fix", "diff"])]
    stdin_filename: Option<PathBuf>,
    /// Check, then check again whenever a file changes (only what changed is parsed
    /// again) until Ctrl-C.
    #[arg(long, conflicts_with_all = ["fix", "diff", "add_noqa", "stdin_filename", "output_file"])]
    watch: bool,
}

#[derive(clap::Args)]
struct RuleArgs {
    /// Rule code (V006) or name (service-instance-in-mount); without one, `--all` lists
    /// every rule.
    code: Option<String>,
    /// List every rule: code, name, severity, summary.
    #[arg(long, conflicts_with = "code")]
    all: bool,
    /// `text` (default) or `json`.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    output_format: String,
}

/// Run the command line `args` (the program name first, as `std::env::args_os`
/// gives it) and return the exit code. Output goes to the process's stdout and stderr.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // Usage errors exit 2; `--help` and `--version` print and exit 0.
            let _ = e.print();
            return u8::try_from(e.exit_code()).unwrap_or(2);
        }
    };
    match cli.command {
        Command::Check(args) => run_check(*args),
        Command::Rule(args) => run_rule(args),
        Command::Mcp(args) => run_mcp(args),
        Command::New(args) => new::run(args),
        Command::Profile(args) => profile::run(args),
        Command::Completions(args) => {
            use clap::CommandFactory;
            let mut command = Cli::command();
            clap_complete::generate(args.shell, &mut command, "djust", &mut std::io::stdout());
            0
        }
        Command::Lsp(_) => match djust_lsp::run_stdio() {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("djust lsp: {e}");
                1
            }
        },
    }
}

fn report_error(err: impl Diagnostic + Send + Sync + 'static) -> u8 {
    let mut out = String::new();
    let handler = GraphicalReportHandler::new_themed(theme(std::io::stderr().is_terminal()));
    if handler.render_report(&mut out, &err).is_err() {
        out = err.to_string();
    }
    eprintln!("djust: {}", out.trim_end());
    2
}

fn theme(color: bool) -> GraphicalTheme {
    if color && std::env::var_os("NO_COLOR").is_none() {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    }
}

fn parse_per_file_ignores(values: &[String]) -> Result<Vec<(String, Vec<String>)>, CheckError> {
    values
        .iter()
        .map(|v| {
            let (pattern, codes) = v.rsplit_once(':').ok_or_else(|| CheckError::InvalidOption {
                option: "--per-file-ignores".into(),
                message: format!("`{v}` is not PATTERN:CODES (e.g. `tests/**:V006,V007`)"),
            })?;
            Ok((
                pattern.to_string(),
                codes.split(',').map(|c| c.trim().to_string()).collect(),
            ))
        })
        .collect()
}

fn run_check(args: CheckArgs) -> u8 {
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("djust: cannot read the current directory: {e}");
            return 2;
        }
    };
    let per_file_ignores = match parse_per_file_ignores(&args.per_file_ignores) {
        Ok(v) => v,
        Err(e) => return report_error(e),
    };
    let overrides = Overrides {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        extend_select: args.extend_select.clone(),
        per_file_ignores,
        exclude: args.exclude.clone(),
        extend_exclude: args.extend_exclude.clone(),
        fail_on: args.fail_on.as_deref().and_then(|s| s.parse::<Severity>().ok()),
        config: args.config.clone(),
        isolated: args.isolated,
        force_exclude: args.force_exclude,
        no_cache: args.no_cache,
        cache_dir: args.cache_dir.clone(),
        // Only the `full` format prints source (code frames); fixes and `--add-noqa`
        // resolve their own settings from these and read the files themselves.
        no_sources: !(matches!(args.output_format, OutputFormat::Full)
            || args.fix
            || args.diff
            || args.add_noqa),
    };
    if args.fix || args.diff {
        return run_fix(&args, &cwd, &overrides);
    }
    if args.add_noqa {
        return run_add_noqa(&args, &cwd, &overrides);
    }
    if let Some(name) = &args.stdin_filename {
        return run_stdin(&args, &cwd, &overrides, name);
    }
    if args.watch {
        let settings = match djust_analyzer::config::Settings::resolve(&args.paths, &cwd, &overrides) {
            Ok(s) => s,
            Err(e) => return report_error(e),
        };
        return match watch::run(&args.paths, &cwd, settings, &|report| {
            emit(report, &args);
        }) {
            Ok(code) => code,
            Err(msg) => {
                eprintln!("djust: {msg}");
                2
            }
        };
    }
    let report = match djust_analyzer::check(&args.paths, &cwd, &overrides) {
        Ok(r) => r,
        Err(e) => return report_error(e),
    };
    let code = emit(&report, &args);
    // The process ends here: its memory goes back to the system at once, without
    // freeing the report's thousands of texts one by one.
    std::mem::forget(report);
    code
}

/// `--add-noqa`: write a `noqa` for every finding.
fn run_add_noqa(args: &CheckArgs, cwd: &std::path::Path, overrides: &Overrides) -> u8 {
    let settings = match djust_analyzer::config::Settings::resolve(&args.paths, cwd, overrides) {
        Ok(s) => s,
        Err(e) => return report_error(e),
    };
    let changed = match djust_analyzer::fix::add_noqa(&args.paths, cwd, &settings) {
        Ok(c) => c,
        Err(e) => return report_error(e),
    };
    let mut total = 0;
    for (f, n) in &changed {
        if let Err(e) = write_atomically(&f.path, &f.fixed) {
            eprintln!("djust: cannot write {}: {e}", f.display.display());
            return 2;
        }
        total += n;
    }
    if !args.quiet {
        println!(
            "Added {total} noqa directive{} in {} file{}.",
            if total == 1 { "" } else { "s" },
            changed.len(),
            if changed.len() == 1 { "" } else { "s" }
        );
    }
    0
}

/// `--stdin-filename`: check standard input as the file `name`. With the file on disk,
/// the project around it is checked with the text in its place and only its findings
/// are kept; a file that does not exist yet is checked on its own.
fn run_stdin(args: &CheckArgs, cwd: &std::path::Path, overrides: &Overrides, name: &std::path::Path) -> u8 {
    let mut text = String::new();
    if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text) {
        eprintln!("djust: cannot read standard input: {e}");
        return 2;
    }
    let abs = cwd.join(name);
    let settings = match djust_analyzer::config::Settings::resolve(std::slice::from_ref(&abs), cwd, overrides)
    {
        Ok(s) => s,
        Err(e) => return report_error(e),
    };
    let mut report = if abs.is_file() {
        let root = settings.project_root.clone();
        match djust_analyzer::check_with_overlay(&[root], cwd, &settings, &[(abs.clone(), text)]) {
            Ok(r) => r,
            Err(e) => return report_error(e),
        }
    } else {
        djust_analyzer::check_source(&text, &name.to_string_lossy(), &settings)
    };
    // The report of that one file, shown under the name given.
    let Some(index) = report
        .files
        .iter()
        .position(|f| *f.abs == *abs || f.display() == name)
    else {
        report.findings.clear();
        report.files.clear();
        return emit(&report, args);
    };
    let mut file = report.files.swap_remove(index);
    file.set_display(name);
    report.findings.retain(|f| f.file == index);
    for f in &mut report.findings {
        f.file = 0;
    }
    report.files = vec![file];
    emit(&report, args)
}

/// `--fix` and `--diff`: fix in memory, then write the files (printing what remains)
/// or print the diff.
fn run_fix(args: &CheckArgs, cwd: &std::path::Path, overrides: &Overrides) -> u8 {
    let settings = match djust_analyzer::config::Settings::resolve(&args.paths, cwd, overrides) {
        Ok(s) => s,
        Err(e) => return report_error(e),
    };
    let (fixed, report) = match djust_analyzer::fix::fix(&args.paths, cwd, &settings, args.unsafe_fixes) {
        Ok(r) => r,
        Err(e) => return report_error(e),
    };
    if args.diff {
        let mut out = String::new();
        for f in &fixed {
            let name = f.display.display().to_string();
            let diff = similar::TextDiff::from_lines(&f.original, &f.fixed);
            out.push_str(
                &diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&name, &name)
                    .to_string(),
            );
        }
        let n: usize = fixed.iter().map(|f| f.applied.len()).sum();
        if !args.quiet {
            out.push_str(&format!(
                "Would fix {n} finding{} in {} file{}.\n",
                if n == 1 { "" } else { "s" },
                fixed.len(),
                if fixed.len() == 1 { "" } else { "s" }
            ));
        }
        print!("{out}");
        return u8::from(!fixed.is_empty());
    }
    for f in &fixed {
        if let Err(e) = write_atomically(&f.path, &f.fixed) {
            eprintln!("djust: cannot write {}: {e}", f.display.display());
            return 2;
        }
    }
    let code = emit(&report, args);
    if !args.quiet {
        let n: usize = fixed.iter().map(|f| f.applied.len()).sum();
        if n > 0 {
            println!("Fixed {n} finding{}.", if n == 1 { "" } else { "s" });
        }
        if args.show_fixes {
            for f in &fixed {
                println!("{}:", f.display.display());
                let mut counts: std::collections::BTreeMap<(Rule, &str), usize> = Default::default();
                for (rule, message) in &f.applied {
                    *counts.entry((*rule, message.as_str())).or_default() += 1;
                }
                for ((rule, message), n) in counts {
                    println!("    {n} × {rule} ({message})");
                }
            }
        }
    }
    code
}

/// Write `text` to `path` through a temporary file in the same directory, renamed over
/// it, so an interrupted write never leaves half a file.
fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = tmp.as_file().set_permissions(meta.permissions());
    }
    tmp.persist(path).map(|_| ()).map_err(|e| e.error)
}

/// Print (or write) the report as asked; the exit code.
fn emit(report: &Report, args: &CheckArgs) -> u8 {
    let to_file = args.output_file.is_some();
    let color = !to_file && std::io::stdout().is_terminal();
    let written = match &args.output_file {
        None if args.output_format == OutputFormat::Concise && !args.statistics => {
            stream_concise(report, args)
        }
        Some(path) => std::fs::write(path, render(report, args, color))
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => {
            let text = render(report, args, color);
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
                .map_err(|e| format!("cannot write output: {e}"))
        }
    };
    if let Err(msg) = written {
        // A closed pipe (`djust check | head`) is not a failure of the check.
        if !msg.contains("Broken pipe") {
            eprintln!("djust: {msg}");
            return 2;
        }
    }
    if report.failed() && !args.exit_zero {
        1
    } else {
        0
    }
}

/// The `concise` format (and the summary line, unless `--quiet`) written to standard
/// output as it is formatted, through a buffer: the same text as [`render`], without
/// holding it whole (several megabytes for a large tree's findings).
fn stream_concise(report: &Report, args: &CheckArgs) -> Result<(), String> {
    /// `fmt::Write` onto an `io::Write`, keeping the I/O error `fmt::Error` cannot carry.
    struct Out<W: Write> {
        inner: W,
        error: Option<std::io::Error>,
    }
    impl<W: Write> std::fmt::Write for Out<W> {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.inner.write_all(s.as_bytes()).map_err(|e| {
                self.error = Some(e);
                std::fmt::Error
            })
        }
    }
    let mut out = Out {
        inner: std::io::BufWriter::new(std::io::stdout().lock()),
        error: None,
    };
    let mut result = output::write_concise(report, &mut out);
    if result.is_ok() && !args.quiet {
        result = std::fmt::Write::write_str(&mut out, &summary(report));
    }
    let flushed = if result.is_ok() { out.inner.flush() } else { Ok(()) };
    match (out.error, flushed) {
        (Some(e), _) | (None, Err(e)) => Err(format!("cannot write output: {e}")),
        (None, Ok(())) => Ok(()),
    }
}

fn render(report: &Report, args: &CheckArgs, color: bool) -> String {
    let human = matches!(args.output_format, OutputFormat::Full | OutputFormat::Concise);
    if args.statistics {
        return if matches!(args.output_format, OutputFormat::Json | OutputFormat::JsonLines) {
            output::statistics_json(report)
        } else {
            output::statistics_text(report)
        };
    }
    let mut text = match args.output_format {
        OutputFormat::Full => full(report, color),
        OutputFormat::Concise => output::concise(report),
        OutputFormat::Json => output::json(report),
        OutputFormat::JsonLines => output::json_lines(report),
        OutputFormat::Github => output::github(report),
        OutputFormat::Sarif => output::sarif(report),
        OutputFormat::Gitlab => output::gitlab(report),
        OutputFormat::Junit => output::junit(report),
    };
    if human && !args.quiet {
        text.push_str(&summary(report));
    }
    text
}

fn summary(report: &Report) -> String {
    let files = report.files.len();
    let files_word = if files == 1 { "file" } else { "files" };
    if report.findings.is_empty() {
        return format!("All checks passed! ({files} {files_word} checked)\n");
    }
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    let n = report.findings.len();
    let mut text = format!(
        "Found {n} {} ({} error{}, {} warning{}, {} info) in {files} {files_word}.\n",
        if n == 1 { "finding" } else { "findings" },
        count(Severity::Error),
        if count(Severity::Error) == 1 { "" } else { "s" },
        count(Severity::Warning),
        if count(Severity::Warning) == 1 { "" } else { "s" },
        count(Severity::Info),
    );
    let fixable = report
        .findings
        .iter()
        .filter(|f| !output::fixable_marker(f).is_empty())
        .count();
    if fixable > 0 {
        text.push_str(&format!("[*] {fixable} fixable with `djust check --fix`.\n"));
    }
    text
}

/// A finding adapted to miette's `Diagnostic` for the graphical report.
struct FindingDiagnostic<'s> {
    rule: Rule,
    severity: Severity,
    message: String,
    help: Option<String>,
    source: CharColumns<'s>,
    labels: Vec<LabeledSpan>,
}

/// A file's text for miette (borrowed, not copied per finding), whose
/// `file:line:column` header would otherwise count the column in bytes: columns here
/// count characters, as every other format does (the file's `LineIndex::line_col`;
/// ruff counts the same way).
struct CharColumns<'s> {
    name: String,
    file: &'s djust_analyzer::SourceFile,
}

impl miette::SourceCode for CharColumns<'_> {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let text: &str = &self.file.text;
        let inner = text.read_span(span, context_lines_before, context_lines_after)?;
        let column = self.file.lines.line_col(text, inner.span().offset()).column - 1;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule.code(), self.message)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!("{} {}", self.rule.code(), self.rule.name())))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.rule.url()))
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

fn full(report: &Report, color: bool) -> String {
    // Messages and help are not wrapped: a wrap could split a code token of the help
    // (`{# djust:partial #}`) across lines; the terminal wraps long lines itself.
    let handler = GraphicalReportHandler::new_themed(theme(color))
        .with_links(false)
        .with_wrap_lines(false);
    let mut out = String::new();
    for f in &report.findings {
        let file = report.file(f);
        let (start, _) = file.location(f.span);
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            f.label.clone().map(Cow::into_owned),
            (f.span.start, f.span.len()),
        )];
        labels.extend(
            f.labels
                .iter()
                .map(|l| LabeledSpan::new_with_span(Some(l.message.clone()), (l.span.start, l.span.len()))),
        );
        let diag = FindingDiagnostic {
            rule: f.rule,
            severity: f.severity,
            message: f.message.to_string(),
            help: f.help.clone().map(Cow::into_owned),
            source: CharColumns {
                name: file.display_str(),
                file,
            },
            labels,
        };
        let mut one = String::new();
        if handler.render_report(&mut one, &diag).is_err() {
            one = format!(
                "{}:{}:{}: {} {}\n",
                file.display_str(),
                start.line,
                start.column,
                f.rule.code(),
                f.message
            );
        }
        out.push_str(one.trim_end());
        out.push_str("\n\n");
    }
    out
}

fn run_mcp_install(dir: Option<PathBuf>, command: Option<String>) -> u8 {
    let dir = match dir {
        Some(d) => d,
        None => match std::env::current_dir() {
            Ok(cwd) => mcp::install::project_dir(&cwd),
            Err(e) => {
                eprintln!("djust mcp install: cannot read the current directory: {e}");
                return 2;
            }
        },
    };
    let command = command.unwrap_or_else(mcp::install::command_for_current_exe);
    match mcp::install::install(&dir, &command) {
        Ok(outcome) => {
            use mcp::install::Outcome;
            match outcome {
                Outcome::Created(p) => println!("Wrote {} with the djust server.", p.display()),
                Outcome::Updated(p) => println!("Added the djust server to {}.", p.display()),
                Outcome::Unchanged(p) => println!("{} already registers the djust server.", p.display()),
                Outcome::Replaced { path, backup, reason } => {
                    eprintln!(
                        "warning: {} was {reason}; moved it to {}",
                        path.display(),
                        backup.display()
                    );
                    println!("Wrote {} with the djust server.", path.display());
                }
            }
            println!("Server command: {command} mcp. Restart your MCP client to pick it up.");
            0
        }
        Err(e) => {
            eprintln!("djust mcp install: cannot write {}/.mcp.json: {e}", dir.display());
            1
        }
    }
}

fn run_mcp(args: McpArgs) -> u8 {
    if let Some(McpAction::Install { dir, command }) = args.action {
        return run_mcp_install(dir, command);
    }
    let root = match args.root {
        Some(r) => r,
        None => match std::env::current_dir() {
            Ok(d) => d,
            Err(e) => {
                eprintln!("djust mcp: cannot read the current directory: {e}");
                return 2;
            }
        },
    };
    if !root.is_dir() {
        eprintln!("djust mcp: the workspace {} is not a directory", root.display());
        return 2;
    }
    let server = mcp::Server::new(root);
    let stdin = std::io::stdin();
    match server.serve(stdin.lock(), std::io::stdout().lock()) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("djust mcp: {e}");
            1
        }
    }
}

fn run_rule(args: RuleArgs) -> u8 {
    let json = args.output_format == "json";
    if args.all {
        if json {
            let v: Vec<serde_json::Value> = Rule::ALL
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "code": r.code(), "name": r.name(), "severity": r.severity(),
                        "summary": r.summary(), "url": r.url(),
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        } else {
            let width = Rule::ALL.iter().map(|r| r.name().len()).max().unwrap_or(0);
            for r in Rule::ALL {
                println!(
                    "{}  {:<width$}  {:<7}  {}",
                    r.code(),
                    r.name(),
                    r.severity().as_str(),
                    r.summary()
                );
            }
        }
        return 0;
    }
    let Some(code) = args.code else {
        eprintln!(
            "djust rule: name a rule (`djust rule V006`, or by name: `djust rule service-instance-in-mount`)\n  \
             help: `djust rule --all` lists every rule"
        );
        return 2;
    };
    let Some(rule) = Rule::from_code(&code) else {
        let known: Vec<&str> = Rule::ALL.iter().map(|r| r.code()).collect();
        eprintln!(
            "djust: unknown rule `{code}`\n  help: known rules are {}; `djust rule --all` lists them",
            known.join(", ")
        );
        return 2;
    };
    if json {
        let v = serde_json::json!({
            "code": rule.code(), "name": rule.name(), "severity": rule.severity(),
            "summary": rule.summary(), "url": rule.url(), "documentation": rule.doc(),
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        print!("{}", rule.page());
    }
    0
}
