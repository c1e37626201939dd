//! End-to-end tests of the `djust` binary: exit codes, output formats, bad input,
//! configuration, and `djust rule`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn djust() -> Command {
    Command::new(env!("CARGO_BIN_EXE_djust"))
}

/// A fresh directory under the system temp dir, removed and recreated.
fn project(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "djust-cli-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(p, content).unwrap_or_else(|e| panic!("{e}"));
}

fn run(dir: &Path, args: &[&str]) -> Output {
    djust()
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run djust: {e}"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Run `djust check --output-format concise -q` with `extra` flags; the codes reported.
fn concise_codes(dir: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["check", "--output-format", "concise", "-q"];
    args.extend_from_slice(extra);
    stdout(&run(dir, &args))
        .lines()
        .filter_map(|l| l.split(": ").nth(1)?.split(' ').next().map(str::to_string))
        .collect()
}

const VIEW: &str = "from djust import LiveView
from djust.decorators import event_handler


class CartView(LiveView):
    template_name = \"shop/cart.html\"

    def mount(self, request, **kwargs):
        self.client = StripeClient()

    @event_handler
    def add(self, item_id):
        pass

    login_required = True
";

const CART: &str =
    "<div dj-root dj-view=\"shop.views.CartView\"><button dj-click=\"add\">Add</button></div>\n";

fn sample() -> PathBuf {
    let d = project("sample");
    write(&d, "shop/__init__.py", "");
    write(&d, "shop/views.py", VIEW);
    write(&d, "shop/templates/shop/cart.html", CART);
    d
}

#[test]
fn exit_codes_follow_fail_on_and_exit_zero() {
    let d = sample();
    let o = run(&d, &["check"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("Found 2 findings (0 errors, 2 warnings, 0 info) in 3 files."),
        "{}",
        stdout(&o)
    );

    assert_eq!(run(&d, &["check", "--exit-zero"]).status.code(), Some(0));
    assert_eq!(run(&d, &["check", "--fail-on", "error"]).status.code(), Some(0));
    assert_eq!(run(&d, &["check", "--fail-on", "info"]).status.code(), Some(1));

    write(&d, "pyproject.toml", "[tool.djust]\nfail-on = \"error\"\n");
    assert_eq!(run(&d, &["check"]).status.code(), Some(0));
    assert_eq!(run(&d, &["check", "--fail-on", "warning"]).status.code(), Some(1));

    let clean = project("clean");
    write(&clean, "app/templates/app/page.html", CART);
    let o = run(&clean, &["check"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("All checks passed!"));
}

#[test]
fn usage_errors_exit_2() {
    let d = sample();
    let o = run(&d, &["check", "does/not/exist"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("does/not/exist: no such file or directory"),
        "{}",
        stderr(&o)
    );

    let o = run(&d, &["check", "--select", "X999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown rule selector `X999`"),
        "{}",
        stderr(&o)
    );

    assert_eq!(run(&d, &["check", "--no-such-flag"]).status.code(), Some(2));
    assert_eq!(
        run(&d, &["check", "--output-format", "xml"]).status.code(),
        Some(2)
    );
    assert_eq!(
        run(&d, &["check", "--per-file-ignores", "nocolon"]).status.code(),
        Some(2)
    );
}

#[test]
fn malformed_pyproject_exits_2_naming_file_and_line() {
    let d = sample();
    write(
        &d,
        "pyproject.toml",
        "[project]\nname = \"shop\"\n\n[tool.djust]\nselect = [\"V006\"\nignore = []\n",
    );
    let o = run(&d, &["check"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("pyproject.toml:6:"), "{err}");
    assert!(err.contains("invalid pyproject.toml"), "{err}");

    write(
        &d,
        "pyproject.toml",
        "[tool.djust]\nselect = [\"V006\"]\nfail_on = \"error\"\n",
    );
    let o = run(&d, &["check"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("pyproject.toml:3:1"), "{err}");
    assert!(err.contains("fail_on"), "{err}");
}

#[test]
fn broken_and_undecodable_files_do_not_stop_the_run() {
    let d = sample();
    write(&d, "shop/broken.py", "class Broken(LiveView)\n    pass\n");
    write(
        &d,
        "shop/templates/shop/latin1.html",
        b"<p>caf\xe9</p>\n<div dj-view=\"shop.views.X\"></div>\n",
    );
    let o = run(&d, &["check", "--output-format", "concise"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("shop/broken.py:1:23: E001 SyntaxError:"), "{out}");
    assert!(out.contains("shop/templates/shop/latin1.html:1:7: E002 file is not valid UTF-8: invalid byte 0xE9 at offset 6"), "{out}");
    // The undecodable template is still checked (T002 on its dj-view element) ...
    assert!(out.contains("shop/templates/shop/latin1.html:2:1: T002"), "{out}");
    // ... and so are the other files.
    assert!(out.contains("shop/views.py:9:9: V006"), "{out}");
    assert!(out.contains("shop/views.py:12:9: V007"), "{out}");
}

#[test]
fn concise_and_json_shapes() {
    let d = sample();
    let o = run(&d, &["check", "--output-format", "concise", "--quiet"]);
    assert_eq!(
        stdout(&o),
        "shop/views.py:9:9: V006 Service instance 'client' assigned in mount(); service objects cannot be serialized into LiveView state.\n\
         shop/views.py:12:9: V007 [*] Event handler 'add' does not accept **kwargs; djust passes event parameters as keyword arguments.\n"
    );

    // `filename` is relative, as given on the command line.
    let o = run(&d, &["check", "shop", "--output-format", "json"]);
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    let items = v.as_array().unwrap_or_else(|| panic!("not an array"));
    assert_eq!(items.len(), 2);
    let first = &items[0];
    assert_eq!(first["code"], "V006");
    assert_eq!(first["severity"], "warning");
    assert_eq!(first["filename"], "shop/views.py");
    assert_eq!(first["location"], serde_json::json!({"row": 9, "column": 9}));
    assert_eq!(first["end_location"], serde_json::json!({"row": 9, "column": 20}));
    assert!(first["url"].as_str().is_some_and(|u| u.ends_with("/V006.md")));
    assert!(first["help"].as_str().is_some_and(|h| h.contains("@property")));
    let fix = &items[1]["fix"];
    assert_eq!(fix["applicability"], "safe");
    assert_eq!(fix["edits"][0]["content"], ", **kwargs");
    assert_eq!(
        fix["edits"][0]["location"],
        serde_json::json!({"row": 12, "column": 26})
    );

    let o = run(&d, &["check", "--output-format", "json-lines"]);
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["code"], "V007");

    // Machine formats carry no summary line.
    let o = run(&d, &["check", "--output-format", "json", "--exit-zero"]);
    assert!(!stdout(&o).contains("Found"));
}

/// Formats that print no source keep no text, only each file's line index; a file
/// with other characters than ASCII is placed the same, in characters, by a per-file
/// rule (V006) and by a cross-file one (T102, on a template).
#[test]
fn columns_count_characters_whether_or_not_the_text_is_kept() {
    let d = sample();
    // `dj-view` after `é` and `😀` on its line: column 20 (byte 23).
    write(
        &d,
        "shop/templates/shop/other.html",
        "<title>·</title>\n<p>é😀 <div dj-root dj-view=\"shop.views.Missing\"></div></p>\n",
    );
    // The same finding after two 2-byte characters on its line: column 20 (byte 22).
    write(
        &d,
        "shop/more.py",
        VIEW.replace("CartView", "MoreView").replace(
            "        self.client = StripeClient()",
            "        é = 1; ç = self.client = StripeClient()",
        ),
    );
    let concise = stdout(&run(
        &d,
        &[
            "check",
            "--output-format",
            "concise",
            "--no-cache",
            "--select",
            "V006,T102",
        ],
    ));
    assert!(concise.contains("shop/more.py:9:20: V006"), "{concise}");
    assert!(concise.contains("shop/views.py:9:9: V006"), "{concise}");
    assert!(
        concise.contains("shop/templates/shop/other.html:2:20: T102"),
        "{concise}"
    );
    // The `full` format, which keeps every text, places them the same.
    let full = stdout(&run(&d, &["check", "--no-cache", "--select", "V006,T102"]));
    assert!(full.contains("shop/more.py:9:20"), "{full}");
    assert!(full.contains("shop/views.py:9:9"), "{full}");
    assert!(full.contains("shop/templates/shop/other.html:2:20"), "{full}");
    // And so does a warm run, whose line index comes from the cache.
    age(&d, 5);
    for _ in 0..2 {
        let warm = stdout(&run(
            &d,
            &["check", "--output-format", "concise", "--select", "V006,T102"],
        ));
        assert_eq!(warm, concise);
    }
}

#[test]
fn github_annotations() {
    let d = sample();
    let o = run(&d, &["check", "--output-format", "github"]);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(
        lines[0],
        "::warning title=djust (V006),file=shop/views.py,line=9,col=9,endLine=9,endColumn=20::shop/views.py:9:9: V006 Service instance 'client' assigned in mount(); service objects cannot be serialized into LiveView state."
    );
    assert!(lines[1].starts_with(
        "::warning title=djust (V007),file=shop/views.py,line=12,col=9,endLine=12,endColumn=12::"
    ));
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(schema_path).unwrap_or_else(|e| panic!("{e}"));
    // The rtm.5 schema's `language` pattern has a stray `]` that ECMA-262 reads as a
    // literal but the validator's regex meta-check rejects; use the intended pattern.
    let typo = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(
        text.contains(typo),
        "the vendored schema changed; revisit this patch"
    );
    let text = text.replace(typo, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#);
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .unwrap_or_else(|e| panic!("schema does not compile: {e}"));

    let d = sample();
    write(&d, "shop/broken.py", "def (:\n");
    write(
        &d,
        "shop/templates/shop/split.html",
        "<main dj-view=\"a.b.C\"><div dj-root></div></main>\n",
    );
    let o = run(&d, &["check", "--output-format", "sarif"]);
    assert_eq!(o.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF does not validate:\n{}",
        errors.join("\n")
    );
    let results = doc["runs"][0]["results"].as_array().map(Vec::len);
    assert_eq!(results, Some(4));
    let rules: Vec<&str> = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(rules, vec!["E001", "T005", "V006", "V007"]);
    assert_eq!(doc["runs"][0]["results"][0]["level"], "error");
    // V007's fix, as SARIF `fixes` (validated above with the rest).
    let v007 = doc["runs"][0]["results"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["ruleId"] == "V007"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        v007["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"],
        ", **kwargs"
    );
    // The validator has teeth: a wrong level or a missing message is rejected.
    let mut bad = doc.clone();
    bad["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!validator.is_valid(&bad));
    let mut bad = doc.clone();
    bad["runs"][0]["results"][1]["message"] = serde_json::json!({});
    assert!(!validator.is_valid(&bad));

    // A clean run is valid SARIF too.
    let clean = project("sarif-clean");
    write(&clean, "a.py", "x = 1\n");
    let o = run(&clean, &["check", "--output-format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert!(validator.is_valid(&doc));
}

/// The concise format is streamed to standard output as it is formatted (a large tree's
/// findings are never held as one text): the same text, summary line included, as the
/// one written whole with `--output-file`; a reader that stops early is no error.
#[test]
fn the_streamed_concise_output_is_the_written_one() {
    let d = sample();
    // More than a pipe holds (64 KiB), so the early reader below closes it mid-write.
    for i in 0..800 {
        write(
            &d,
            &format!("shop/extra_{i}.py"),
            "class V(LiveView):\n    def mount(self, request, **kw):\n        self.http = Session()\n",
        );
    }
    for quiet in [false, true] {
        let mut args = vec!["check", "--output-format", "concise"];
        if quiet {
            args.push("--quiet");
        }
        let printed = run(&d, &args);
        args.extend(["--output-file", "report.txt"]);
        let filed = run(&d, &args);
        assert_eq!(printed.status.code(), Some(1));
        assert_eq!(filed.status.code(), Some(1));
        let written = std::fs::read_to_string(d.join("report.txt")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stdout(&printed), written);
        assert_eq!(written.lines().filter(|l| l.contains(": V006 ")).count(), 801);
        assert_eq!(written.contains("Found 802 findings"), !quiet, "{written}");
    }
    // A pipe closed after the first line (`djust check | head -1`): the check's own
    // exit code, nothing on standard error.
    let mut child = djust()
        .args(["check", "--output-format", "concise"])
        .current_dir(&d)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut first = [0u8; 16];
    if let Some(out) = child.stdout.as_mut() {
        std::io::Read::read_exact(out, &mut first).unwrap_or_else(|e| panic!("{e}"));
    }
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
}

#[test]
fn statistics_quiet_and_output_file() {
    let d = sample();
    write(&d, "shop/more.py", "class V(LiveView):\n    def mount(self, request, **kw):\n        self.db = sqlite3.connect(':memory:')\n        self.http = Session()\n");
    let o = run(&d, &["check", "--statistics"]);
    assert_eq!(
        stdout(&o),
        "    3  V006  warning  service-instance-in-mount\n    1  V007  warning  event-handler-missing-kwargs\n"
    );
    let o = run(&d, &["check", "--statistics", "--output-format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v[0]["count"], 3);

    let o = run(&d, &["check", "--quiet", "--output-format", "concise"]);
    assert!(!stdout(&o).contains("Found"));

    let o = run(&d, &["check", "-o", "report.json", "--output-format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty());
    let written = std::fs::read_to_string(d.join("report.json")).unwrap_or_else(|e| panic!("{e}"));
    assert!(written.contains("\"V006\""));
}

#[test]
fn full_format_shows_code_location_snippet_help_and_link() {
    let d = sample();
    let o = run(&d, &["check"]);
    let out = stdout(&o);
    assert!(out.contains("V006 service-instance-in-mount"), "{out}");
    assert!(out.contains("[shop/views.py:9:9]"), "{out}");
    assert!(out.contains("self.client = StripeClient()"), "{out}");
    assert!(out.contains("`client` is LiveView state"), "{out}");
    assert!(
        out.contains("help: Create `StripeClient(...)` on demand"),
        "{out}"
    );
    assert!(out.contains("docs/checks/V006.md"), "{out}");
    // Help is never wrapped inside a code token.
    let t = project("full-nowrap");
    write(
        &t,
        "templates/frag.html",
        "<form dj-submit=\"save\"><input name=\"q\"></form>\n",
    );
    let o = run(&t, &["check", "--output-format", "full", "--no-cache"]);
    let out = stdout(&o);
    assert!(out.contains("{# djust:partial #}"), "{out}");
}

#[test]
fn selection_per_file_ignores_and_excludes_from_config_and_flags() {
    let d = sample();
    write(
        &d,
        "legacy/old.py",
        "class Old:\n    def mount(self):\n        self.c = httpx.Client()\n",
    );
    assert_eq!(concise_codes(&d, &["--select", "V007"]), vec!["V007"]);
    assert!(concise_codes(&d, &["--ignore", "V"]).is_empty());
    assert_eq!(
        concise_codes(&d, &["--per-file-ignores", "legacy/**:V006"]),
        vec!["V006", "V007"]
    );
    assert_eq!(concise_codes(&d, &["--extend-exclude", "shop"]), vec!["V006"]);

    write(
        &d,
        "pyproject.toml",
        "[tool.djust]\nextend-exclude = [\"legacy\"]\nper-file-ignores = { \"shop/views.py\" = [\"V007\"] }\n",
    );
    let o = run(&d, &["check", "--output-format", "concise", "-q"]);
    assert_eq!(stdout(&o), "shop/views.py:9:9: V006 Service instance 'client' assigned in mount(); service objects cannot be serialized into LiveView state.\n");
    // A path named on the command line is checked even when excluded ...
    assert_eq!(concise_codes(&d, &["legacy/old.py"]), vec!["V006"]);
    // ... unless --force-exclude.
    assert!(concise_codes(&d, &["legacy/old.py", "--force-exclude"]).is_empty());
    // --isolated ignores the config.
    assert_eq!(concise_codes(&d, &["--isolated"]), vec!["V006", "V006", "V007"]);
}

#[test]
fn gitignore_virtualenvs_and_default_excludes_are_skipped() {
    let d = sample();
    write(&d, ".gitignore", "generated/\n");
    write(
        &d,
        "generated/bad.py",
        "class G:\n    def mount(self):\n        self.c = httpx.Client()\n",
    );
    write(&d, "env311/pyvenv.cfg", "home = /usr\n");
    write(
        &d,
        "env311/lib/bad.py",
        "class G:\n    def mount(self):\n        self.c = httpx.Client()\n",
    );
    write(
        &d,
        "shop/migrations/0001_initial.py",
        "class G:\n    def mount(self):\n        self.c = httpx.Client()\n",
    );
    write(
        &d,
        "node_modules/x/templates/x.html",
        "<div dj-view=\"a.b\"></div>",
    );
    let o = run(&d, &["check", "--output-format", "concise", "-q"]);
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.lines().all(|l| l.starts_with("shop/views.py")), "{out}");
}

#[test]
fn rule_command_prints_docs_and_lists_rules() {
    let o = run(Path::new("."), &["rule", "V006"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.starts_with("# V006: service-instance-in-mount\n"), "{out}");
    for section in [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Fix",
        "## Differences from upstream",
    ] {
        assert!(out.contains(section), "missing {section}");
    }
    let by_name = run(Path::new("."), &["rule", "event-handler-missing-kwargs"]);
    assert!(stdout(&by_name).starts_with("# V007"));

    let o = run(Path::new("."), &["rule", "--all"]);
    let out = stdout(&o);
    let codes: Vec<&str> = out.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(
        codes,
        vec![
            "A001", "A010", "A011", "A012", "A014", "A030", "C001", "C002", "C003", "C004", "C005", "C010",
            "C012", "E001", "E002", "E003", "E004", "Q001", "Q002", "Q101", "S001", "S002", "S003", "S004",
            "S005", "S011", "T001", "T002", "T005", "T012", "T013", "T014", "T015", "T017", "T101", "T102",
            "V001", "V002", "V003", "V004", "V006", "V007", "V008", "V010", "V013", "Y001", "Y002", "Y003",
            "Y004"
        ]
    );
    assert!(out.contains("V006  service-instance-in-mount"), "{out}");

    let o = run(Path::new("."), &["rule", "--all", "--output-format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v.as_array().map(Vec::len), Some(49));

    // Bare `djust rule` says how to list them all.
    let o = run(Path::new("."), &["rule"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`djust rule --all` lists every rule"),
        "{}",
        stderr(&o)
    );

    let o = run(Path::new("."), &["rule", "V999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown rule `V999`"));
}

/// Set the modification time of every file under `dir` to `secs` seconds ago (files
/// modified in the last two seconds are never cached).
fn age(dir: &Path, secs: u64) {
    let when = std::time::SystemTime::now() - std::time::Duration::from_secs(secs);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{e}")).flatten() {
            let p = entry.path();
            if p.is_dir() {
                if !p.ends_with(".djust_cache") {
                    stack.push(p);
                }
            } else {
                let f = std::fs::File::options()
                    .write(true)
                    .open(&p)
                    .unwrap_or_else(|e| panic!("{e}"));
                f.set_modified(when).unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }
}

#[test]
fn cache_gives_the_same_results_and_sees_every_change() {
    let d = sample();
    write(&d, "shop/templates/shop/detail.html", "<p>{{ item }}</p>\n");
    // Suppressed findings, per file (S003) and across files (V002, S005): a warm run
    // must place them on their lines as a cold one does (regression: a cached file had
    // no line index, so its `noqa` comments were not found).
    write(
        &d,
        "shop/quiet.py",
        "from djust import LiveView\n\n\ndef job():\n    try:\n        pass\n    except:  # noqa: S003\n        pass\n\n\nclass Quiet(LiveView):  # noqa: S005, V002\n    template_name = \"shop/cart.html\"\n\n    def helper(self):\n        self.count = 1\n",
    );
    // Inheritance across the project's modules, and from outside it: a run drops what
    // no rule reads (the methods and state of `Item` and `Secure`), and the cache takes
    // the summaries so dropped: every run below reports what one without a cache does
    // (here: no V002 for `Child`, whose `mount` is its base's).
    write(
        &d,
        "shop/base.py",
        "from djust import LiveView\n\n\nclass Base(LiveView):\n    login_required = True\n\n    def mount(self, request):\n        self.ready = True\n",
    );
    write(
        &d,
        "shop/child.py",
        "from django.contrib.auth.mixins import LoginRequiredMixin\nfrom django.db import models\nfrom djust import LiveView\n\nfrom shop.base import Base\n\n\nclass Child(Base):\n    template_name = \"shop/cart.html\"\n\n\nclass Secure(LoginRequiredMixin, LiveView):\n    template_name = \"shop/cart.html\"\n\n\nclass Item(models.Model):\n    name = models.CharField(max_length=3)\n",
    );
    age(&d, 100);
    let json = |d: &Path| {
        let o = run(d, &["check", "--output-format", "json"]);
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let cold = json(&d);
    assert!(d.join(".djust_cache").is_dir(), "the first run writes the cache");
    assert!(std::fs::read_to_string(d.join(".djust_cache/.gitignore")).is_ok_and(|s| s.contains('*')));
    let warm = json(&d);
    assert_eq!(cold, warm, "a warm run reports exactly what a cold run does");
    assert!(!warm.contains("quiet.py"), "{warm}");
    let uncached =
        String::from_utf8_lossy(&run(&d, &["check", "--no-cache", "--output-format", "json"]).stdout)
            .into_owned();
    assert_eq!(cold, uncached);
    assert!(!uncached.contains("V002"), "{uncached}");

    // An edited file is analysed again (same size, different content included).
    let edited = VIEW.replace("def add(self, item_id):", "def add(self, i, **kw):");
    assert_eq!(edited.len(), VIEW.len());
    write(&d, "shop/views.py", &edited);
    age(&d.join("shop"), 50);
    let after = json(&d);
    assert!(!after.contains("\"V007\""), "{after}");
    assert!(after.contains("\"V006\""));

    // A change in a view reaches a cached template (cross-file rule T002).
    let retargeted = edited.replace("shop/cart.html", "shop/detail.html");
    write(&d, "shop/views.py", &retargeted);
    age(&d, 30);
    let after = json(&d);
    assert!(
        after.contains("\"T002\"") && after.contains("shop/templates/shop/detail.html"),
        "{after}"
    );

    // A corrupt cache is ignored and replaced.
    for entry in std::fs::read_dir(d.join(".djust_cache"))
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
    {
        if entry.path().is_dir() {
            for f in std::fs::read_dir(entry.path())
                .unwrap_or_else(|e| panic!("{e}"))
                .flatten()
            {
                std::fs::write(f.path(), b"garbage").unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }
    assert_eq!(json(&d), after);

    // --no-cache neither reads nor writes.
    let fresh = sample();
    run(&fresh, &["check", "--no-cache"]);
    assert!(!fresh.join(".djust_cache").exists());
    let o = djust()
        .args(["check"])
        .current_dir(&fresh)
        .env("DJUST_NO_CACHE", "1")
        .output();
    assert!(o.is_ok());
    assert!(!fresh.join(".djust_cache").exists());
}

/// A cached summary whose class details were dropped because a base came from a module
/// outside its run is not used by a run that checks that module: the class rules then
/// read the class (regression: the stale entry, without `mount`, gave V002).
#[test]
fn a_cached_drop_is_not_used_once_its_outside_module_is_checked() {
    let d = sample();
    write(&d, "lib/__init__.py", "");
    write(
        &d,
        "lib/base.py",
        "from djust import LiveView\n\n\nclass Base(LiveView):\n    pass\n",
    );
    write(
        &d,
        "shop/child.py",
        "from lib.base import Base\n\n\nclass Child(Base):\n    template_name = \"shop/cart.html\"\n\n    def mount(self, request):\n        self.ready = True\n",
    );
    age(&d, 100);
    let concise = |args: &[&str]| {
        let mut all = vec!["check", "--output-format", "concise", "--exit-zero"];
        all.extend_from_slice(args);
        stdout(&run(&d, &all))
    };
    // `lib` is outside a run on `shop`: `Child` is not known to be a LiveView, and its
    // methods and state are dropped (and cached so).
    let shop_only = concise(&["shop"]);
    assert!(!shop_only.contains("child.py"), "{shop_only}");
    let whole = concise(&["."]);
    assert_eq!(whole, concise(&[".", "--no-cache"]));
    // `Child` is now a LiveView the class rules read (S005: no access declared), and it
    // has its `mount` (no V002).
    assert!(whole.contains("shop/child.py:4:1: S005"), "{whole}");
    assert!(!whole.contains("child.py:4:1: V002"), "{whole}");
}

#[test]
fn extend_select_and_exclude_replace_or_extend_as_documented() {
    let d = sample();
    write(
        &d,
        "build/gen.py",
        "class G:\n    def mount(self):\n        self.c = httpx.Client()\n",
    );
    write(
        &d,
        "vendor/lib.py",
        "class G:\n    def mount(self):\n        self.c = httpx.Client()\n",
    );
    let files = |o: &Output| -> Vec<String> {
        let mut v: Vec<String> = stdout(o)
            .lines()
            .filter_map(|l| l.split(':').next().map(str::to_string))
            .collect();
        v.dedup();
        v
    };
    // Defaults skip build/; `exclude` replaces the defaults, so build/ is checked again.
    let o = run(&d, &["check", "--output-format", "concise", "-q"]);
    assert_eq!(files(&o), vec!["shop/views.py", "vendor/lib.py"]);
    let o = run(
        &d,
        &["check", "--output-format", "concise", "-q", "--exclude", "vendor"],
    );
    assert_eq!(files(&o), vec!["build/gen.py", "shop/views.py"]);
    write(
        &d,
        "pyproject.toml",
        "[tool.djust]\nexclude = [\"shop\"]\nselect = [\"V007\"]\nextend-select = [\"V006\"]\n",
    );
    let o = run(&d, &["check", "--output-format", "concise", "-q"]);
    assert_eq!(files(&o), vec!["build/gen.py", "vendor/lib.py"]);
    // select = V007 plus extend-select = V006: both run; --select replaces select only,
    // --extend-select adds to both.
    write(
        &d,
        "shop/templates/shop/bad.html",
        "<div dj-view=\"shop.views.CartView\"></div>\n",
    );
    let base = ["--exclude", "build,vendor"];
    assert_eq!(concise_codes(&d, &base), vec!["V006", "V007"]);
    assert_eq!(
        concise_codes(&d, &[&base[..], &["--select", "V007"]].concat()),
        vec!["V006", "V007"]
    );
    assert_eq!(
        concise_codes(&d, &[&base[..], &["--extend-select", "T"]].concat()),
        vec!["T002", "V006", "V007"]
    );
}

/// Issue 16, item 4: a file nested past CPython's limits used to abort the whole run
/// (stack overflow: no findings for any file). Now it is one E001 and every other file
/// is reported.
#[test]
fn a_deeply_nested_file_is_one_finding_and_the_others_are_still_checked() {
    let dir = project("deep");
    write(&dir, "views.py", VIEW);
    write(&dir, "deep_attr.py", format!("x = a{}\n", ".b".repeat(100_000)));
    write(&dir, "deep_minus.py", format!("x = {}1\n", "-".repeat(100_000)));
    write(
        &dir,
        "deep_blocks.py",
        (0..500)
            .map(|i| format!("{}if x:\n", " ".repeat(i)))
            .collect::<String>()
            + &" ".repeat(500)
            + "pass\n",
    );
    write(&dir, "templates/deep.html", "{% if x %}".repeat(10_000));
    let out = run(&dir, &["check", "--output-format", "concise", "-q"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{}{}", text, stderr(&out));
    for file in ["deep_attr.py", "deep_minus.py", "deep_blocks.py"] {
        let lines: Vec<&str> = text.lines().filter(|l| l.starts_with(file)).collect();
        assert_eq!(lines.len(), 1, "{file}: {text}");
        assert!(lines[0].contains("E001"), "{}", lines[0]);
    }
    assert!(
        text.contains("deep_attr.py:1:") && text.contains("expression nested more than 3000 levels deep")
    );
    assert!(
        text.contains("IndentationError: too many levels of indentation"),
        "{text}"
    );
    let template: Vec<&str> = text.lines().filter(|l| l.contains("deep.html")).collect();
    assert_eq!(template.len(), 1, "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("views.py:12:9: V007")),
        "{text}"
    );
}

/// Issue 16, item 11: a named pipe or a device named on the command line used to stop
/// the run ("Not a directory") and drop the other paths' findings.
#[cfg(unix)]
#[test]
fn a_pipe_or_device_on_the_command_line_is_e003_and_the_run_goes_on() {
    let dir = project("special");
    write(&dir, "views.py", VIEW);
    let fifo = dir.join("pipe.py");
    let made = Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo failed");
    let out = run(
        &dir,
        &[
            "check",
            "--output-format",
            "concise",
            "-q",
            "pipe.py",
            "/dev/zero",
            "views.py",
        ],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{}{}", text, stderr(&out));
    assert!(
        text.contains("pipe.py:1:1: E003 cannot read file: not a regular file (a named pipe)"),
        "{text}"
    );
    assert!(
        text.contains("/dev/zero:1:1: E003 cannot read file: not a regular file (a character device)"),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("views.py:12:9: V007")),
        "{text}"
    );
}

#[test]
fn fix_diff_and_show_fixes() {
    let d = sample();
    write(
        &d,
        "shop/templates/shop/detail.html",
        "<article class=\"x\" dj-view=\"shop.views.CartView\"><p>no root</p></article>\n",
    );
    // The fixable marker, in the concise format and the summary.
    let o = run(&d, &["check", "--no-cache", "--output-format", "concise"]);
    let out = stdout(&o);
    assert!(out.contains(": V007 [*] Event handler 'add'"), "{out}");
    assert!(out.contains(": V006 Service instance"), "V006 has no fix: {out}");
    assert!(out.contains("[*] 2 fixable with `djust check --fix`."), "{out}");

    // --diff prints the change, writes nothing, and exits 1.
    let before = std::fs::read_to_string(d.join("shop/views.py")).unwrap_or_default();
    let o = run(&d, &["check", "--no-cache", "--diff"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let diff = stdout(&o);
    assert!(diff.contains("--- shop/views.py\n+++ shop/views.py"), "{diff}");
    assert!(
        diff.contains("-    def add(self, item_id):\n+    def add(self, item_id, **kwargs):"),
        "{diff}"
    );
    assert!(diff.contains("+<article dj-root class=\"x\""), "{diff}");
    assert!(diff.contains("Would fix 2 findings in 2 files."), "{diff}");
    assert_eq!(
        std::fs::read_to_string(d.join("shop/views.py")).unwrap_or_default(),
        before
    );

    // --fix writes the files, reports what remains (V006), and lists the fixes.
    let o = run(
        &d,
        &[
            "check",
            "--no-cache",
            "--fix",
            "--show-fixes",
            "--output-format",
            "concise",
        ],
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "V006 remains: {out}");
    assert!(out.contains("Fixed 2 findings."), "{out}");
    assert!(
        out.contains("1 × V007 (Add `**kwargs` to the signature)"),
        "{out}"
    );
    assert!(!out.contains("V007 [*]") && out.contains("V006"), "{out}");
    let views = std::fs::read_to_string(d.join("shop/views.py")).unwrap_or_default();
    assert!(views.contains("def add(self, item_id, **kwargs):"), "{views}");
    let detail = std::fs::read_to_string(d.join("shop/templates/shop/detail.html")).unwrap_or_default();
    assert!(detail.starts_with("<article dj-root class=\"x\""), "{detail}");

    // Nothing left to fix: --diff is empty and exits 0.
    let o = run(&d, &["check", "--no-cache", "--diff"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "_djust()"),
        ("zsh", "#compdef djust"),
        ("fish", "complete -c djust"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let o = run(Path::new("."), &["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let out = stdout(&o);
        assert!(out.contains(marker), "{shell}: {}", &out[..out.len().min(300)]);
        // Subcommands and check's flags are offered.
        assert!(
            out.contains("check") && out.contains("output-format") && out.contains("unsafe-fixes"),
            "{shell}"
        );
    }
    let o = run(Path::new("."), &["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn gitlab_and_junit_formats() {
    let d = sample();
    // A path that needs escaping in XML.
    write(&d, "shop/odd&<'\">.py", "def (:\n");
    let o = run(&d, &["check", "--no-cache", "--output-format", "gitlab"]);
    assert_eq!(o.status.code(), Some(1));
    let issues: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    let issues = issues.as_array().cloned().unwrap_or_default();
    assert_eq!(issues.len(), 3, "{issues:?}");
    for i in &issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(i[key].is_string(), "{key} in {i}");
        }
        assert!(
            i["location"]["path"].is_string() && i["location"]["lines"]["begin"].is_u64(),
            "{i}"
        );
    }
    let v007 = issues
        .iter()
        .find(|i| i["check_name"] == "djust/V007")
        .cloned()
        .unwrap_or_default();
    assert_eq!(v007["severity"], "minor");
    assert_eq!(v007["location"]["lines"]["begin"], 12);
    let fingerprints: std::collections::HashSet<&str> =
        issues.iter().filter_map(|i| i["fingerprint"].as_str()).collect();
    assert_eq!(fingerprints.len(), 3, "fingerprints are unique");
    // Stable across runs.
    let again = run(&d, &["check", "--no-cache", "--output-format", "gitlab"]);
    assert_eq!(again.stdout, o.stdout);

    // JUnit: well-formed XML (Python's parser reads it back), one failure per finding.
    let o = run(&d, &["check", "--no-cache", "--output-format", "junit"]);
    let xml = stdout(&o);
    let parse = Command::new("python3")
        .args([
            "-c",
            "import sys, xml.etree.ElementTree as ET\nroot = ET.fromstring(sys.stdin.read())\nprint(root.get('failures'), len(root.findall('.//failure')), ','.join(sorted(s.get('name') for s in root)))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child.stdin.take().map(|mut i| i.write_all(xml.as_bytes()));
            child.wait_with_output()
        })
        .unwrap_or_else(|e| panic!("python3: {e}"));
    let parsed = String::from_utf8_lossy(&parse.stdout).to_string();
    assert!(
        parse.status.success(),
        "{xml}\n{}",
        String::from_utf8_lossy(&parse.stderr)
    );
    assert_eq!(parsed.trim(), "3 3 shop/odd&<'\">.py,shop/views.py", "{xml}");

    let clean = project("junit-clean");
    write(&clean, "a.py", "x = 1\n");
    let o = run(&clean, &["check", "--output-format", "junit"]);
    assert!(
        stdout(&o).contains("<testcase name=\"all checks passed\""),
        "{}",
        stdout(&o)
    );
}

#[test]
fn stdin_filename_checks_the_buffer_in_place_of_the_file() {
    let d = sample();
    let check = |name: &str, text: &str| {
        let mut child = djust()
            .args([
                "check",
                "--no-cache",
                "--output-format",
                "concise",
                "--stdin-filename",
                name,
            ])
            .current_dir(&d)
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        {
            use std::io::Write as _;
            let mut stdin = child.stdin.take().unwrap_or_else(|| panic!("no stdin"));
            stdin.write_all(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        }
        let o = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        (o.status.code(), String::from_utf8_lossy(&o.stdout).to_string())
    };
    // The buffer, not the file on disk: V007 is fixed there, V006 is not.
    let buffer = VIEW.replace("def add(self, item_id):", "def add(self, item_id, **kwargs):");
    let (code, out) = check("shop/views.py", &buffer);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("shop/views.py:9:9: V006") && !out.contains("V007"),
        "{out}"
    );
    assert!(out.contains("in 1 file."), "{out}");
    // Cross-file rules see the project: a handler CartView does not have (T101).
    let (_, out) = check(
        "shop/templates/shop/cart.html",
        "<div dj-root dj-view=\"shop.views.CartView\"><button dj-click=\"remove\">x</button></div>\n",
    );
    assert!(out.contains("shop/templates/shop/cart.html:1:52: T101"), "{out}");
    // A file that does not exist yet is checked on its own.
    let (code, out) = check("shop/new.py", "try:\n    pass\nexcept:\n    pass\n");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("shop/new.py:3:1: S003"), "{out}");
}

#[test]
fn add_noqa_silences_every_finding_and_keeps_files_valid() {
    let d = sample();
    write(
        &d,
        "shop/templates/shop/split.html",
        "{% extends \"base.html\" %}<main dj-view=\"shop.views.CartView\"><div dj-root></div></main>\n",
    );
    // A finding whose line ends inside a string: a comment cannot go there.
    write(
        &d,
        "shop/strings.py",
        "from djust import LiveView\n\n\nclass S(LiveView):\n    template_name = \"shop/cart.html\"\n    login_required = False\n\n    def mount(self, request, **kwargs):\n        self.client = make_client(\"\"\"\n        text\"\"\")\n",
    );
    let o = run(&d, &["check", "--no-cache", "--add-noqa"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("Added 3 noqa directives in 2 files."),
        "{}",
        stdout(&o)
    );
    let views = std::fs::read_to_string(d.join("shop/views.py")).unwrap_or_default();
    assert!(
        views.contains("self.client = StripeClient()  # noqa: V006"),
        "{views}"
    );
    assert!(views.contains("def add(self, item_id):  # noqa: V007"), "{views}");
    let split = std::fs::read_to_string(d.join("shop/templates/shop/split.html")).unwrap_or_default();
    assert!(split.starts_with("{# noqa: T005 #}\n{% extends"), "{split}");
    // The string's file is unchanged and still reported.
    let strings = std::fs::read_to_string(d.join("shop/strings.py")).unwrap_or_default();
    assert!(!strings.contains("noqa"), "{strings}");
    let o = run(&d, &["check", "--no-cache", "--output-format", "concise"]);
    let out = stdout(&o);
    assert_eq!(concise_codes(&d, &["--no-cache"]), vec!["V006"], "{out}");
}
