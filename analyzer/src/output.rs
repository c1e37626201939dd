//! Machine-readable and one-line output formats, shared by the CLI, the Python
//! package and the MCP server. The graphical `full` format is rendered with miette by
//! the CLI.
//!
//! * `concise`: `path:line:col: CODE message`, one per line.
//! * `json`: an array of objects (`code`, `severity`, `message`, `help`, `filename`,
//!   `location` / `end_location` as 1-based `{row, column}`, `url`, `fix`, `noqa_row`);
//!   `json-lines`: the same objects, one per line.
//! * `github`: GitHub Actions workflow commands (`::warning file=…,line=…::…`).
//! * `sarif`: SARIF 2.1.0, one run, the rules that fired described in the driver.

use crate::finding::Finding;
use crate::rule::{Rule, Severity};
use crate::Report;
use serde_json::{json, Value};
use std::fmt::Write as _;

/// Tool version written into SARIF.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

fn loc(row: usize, column: usize) -> Value {
    json!({ "row": row, "column": column })
}

/// One finding as a JSON object (the `json` / `json-lines` item shape).
pub fn finding_json(report: &Report, f: &Finding) -> Value {
    let file = report.file(f);
    let (start, end) = file.location(f.span);
    let fix = f.fix.as_ref().map(|fix| {
        json!({
            "message": fix.message,
            "applicability": fix.applicability,
            "edits": fix.edits.iter().map(|e| {
                let (s, t) = file.location(e.span);
                json!({
                    "content": e.content,
                    "location": loc(s.line, s.column),
                    "end_location": loc(t.line, t.column),
                })
            }).collect::<Vec<_>>(),
        })
    });
    json!({
        "code": f.rule.code(),
        "name": f.rule.name(),
        "severity": f.severity,
        "message": f.message,
        "help": f.help,
        "filename": file.display_str(),
        "location": loc(start.line, start.column),
        "end_location": loc(end.line, end.column),
        "url": f.rule.url(),
        "fix": fix,
        "noqa_row": f.noqa_lines.first().map(|l| l + 1),
    })
}

/// The `json` format: a pretty-printed array.
pub fn json(report: &Report) -> String {
    let items: Vec<Value> = report.findings.iter().map(|f| finding_json(report, f)).collect();
    serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into()) + "\n"
}

/// The `json-lines` format.
pub fn json_lines(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&finding_json(report, f).to_string());
        out.push('\n');
    }
    out
}

/// `"[*] "` for a finding `djust check --fix` fixes (a safe fix), else `""`: the
/// fixable marker of the text formats (ruff's).
pub fn fixable_marker(f: &Finding) -> &'static str {
    match &f.fix {
        Some(fix) if fix.applicability == crate::finding::Applicability::Safe => "[*] ",
        _ => "",
    }
}

/// The `concise` format: `path:line:col: CODE [*] message` (`[*]`: `--fix` fixes it).
pub fn concise(report: &Report) -> String {
    let mut out = String::with_capacity(report.findings.len() * 96);
    // Writing to a `String` cannot fail.
    let _ = write_concise(report, &mut out);
    out
}

/// [`concise`], written line by line to `out` (the command line streams it to its
/// standard output, so a run with tens of thousands of findings holds no copy of its
/// whole output).
///
/// # Errors
/// The first error `out` returns (the rest is not written).
pub fn write_concise(report: &Report, out: &mut impl std::fmt::Write) -> std::fmt::Result {
    // Findings come sorted by file: each file's path is spelled once.
    let mut path: Option<(usize, String)> = None;
    for f in &report.findings {
        let file = report.file(f);
        let (start, _) = file.location(f.span);
        if path.as_ref().is_none_or(|(id, _)| *id != f.file) {
            path = Some((f.file, file.display_str()));
        }
        writeln!(
            out,
            "{}:{}:{}: {} {}{}",
            path.as_ref().map_or("", |(_, p)| p.as_str()),
            start.line,
            start.column,
            f.rule.code(),
            fixable_marker(f),
            f.message
        )?;
    }
    Ok(())
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The `github` format: one workflow command per finding.
pub fn github(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let file = report.file(f);
        let (start, end) = file.location(f.span);
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let _ = writeln!(
            out,
            "::{level} title={},file={},line={},col={},endLine={},endColumn={}::{}",
            escape_property(&format!("djust ({})", f.rule.code())),
            escape_property(&file.display_str()),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_data(&format!(
                "{}:{}:{}: {} {}{}",
                file.display_str(),
                start.line,
                start.column,
                f.rule.code(),
                fixable_marker(f),
                f.message
            ))
        );
    }
    out
}

/// The `gitlab` format: GitLab Code Quality's JSON (an array of issues with
/// `description`, `check_name`, `fingerprint`, `severity`, `location.path` and
/// `location.lines.begin`). Severities: error → `major`, warning → `minor`, info →
/// `info`. The fingerprint hashes the path, the rule and the message (not the line, so
/// an issue keeps its identity when code above it moves), with a counter for repeats.
pub fn gitlab(report: &Report) -> String {
    use std::collections::HashMap;
    use std::hash::{Hash, Hasher};
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let issues: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let file = report.file(f);
            let (start, end) = file.location(f.span);
            let path = file.display_str();
            let mut h = std::hash::DefaultHasher::new();
            (path.as_str(), f.rule.code(), &*f.message).hash(&mut h);
            let base = h.finish();
            let n = seen.entry(base).or_insert(0);
            *n += 1;
            let mut h = std::hash::DefaultHasher::new();
            (base, *n).hash(&mut h);
            json!({
                "description": format!("{}: {}", f.rule.code(), f.message),
                "check_name": format!("djust/{}", f.rule.code()),
                "fingerprint": format!("{:016x}", h.finish()),
                "severity": match f.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Info => "info",
                },
                "location": {"path": path, "lines": {"begin": start.line, "end": end.line}},
            })
        })
        .collect();
    serde_json::to_string_pretty(&issues).unwrap_or_default() + "\n"
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The `junit` format: JUnit XML, one `<testsuite>` per file with findings (a failing
/// `<testcase>` per finding, named `CODE:line:column`), or one passing test case when
/// there are none.
pub fn junit(report: &Report) -> String {
    use std::collections::BTreeMap;
    let mut by_file: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_file.entry(report.file(f).display_str()).or_default().push(f);
    }
    let total = report.findings.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"djust check\" tests=\"{}\" failures=\"{total}\" errors=\"0\">",
        total.max(1)
    );
    if by_file.is_empty() {
        out.push_str("  <testsuite name=\"djust check\" tests=\"1\" failures=\"0\" errors=\"0\">\n");
        out.push_str("    <testcase name=\"all checks passed\" classname=\"djust\"/>\n  </testsuite>\n");
    }
    for (path, findings) in &by_file {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{n}\" errors=\"0\">",
            xml_escape(path),
            n = findings.len()
        );
        for f in findings {
            let (start, _) = report.file(f).location(f.span);
            let _ = writeln!(
                out,
                "    <testcase name=\"{code}:{line}:{col}\" classname=\"{file}\">\n      <failure message=\"{msg}\" type=\"{code}\">{file}:{line}:{col}: {code} {msg}</failure>\n    </testcase>",
                code = f.rule.code(),
                line = start.line,
                col = start.column,
                file = xml_escape(path),
                msg = xml_escape(&f.message),
            );
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// The `sarif` format (SARIF 2.1.0).
pub fn sarif(report: &Report) -> String {
    let mut rules: Vec<Rule> = report.findings.iter().map(|f| f.rule).collect();
    rules.sort();
    rules.dedup();
    let rule_index = |r: Rule| rules.iter().position(|x| *x == r).unwrap_or(0);
    let descriptors: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.code(),
                "name": r.name(),
                "shortDescription": { "text": r.summary() },
                "fullDescription": { "text": r.summary() },
                "help": { "text": r.doc(), "markdown": r.doc() },
                "helpUri": r.url(),
                "defaultConfiguration": { "level": sarif_level(r.severity()) },
                "properties": { "tags": ["djust"] },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let file = report.file(f);
            let (start, end) = file.location(f.span);
            let mut message = f.message.to_string();
            if let Some(h) = &f.help {
                message.push_str("\nHelp: ");
                message.push_str(h);
            }
            // A fix as SARIF's `fixes`: each edit a replacement of a region.
            let fixes: Vec<Value> = f
                .fix
                .iter()
                .map(|fix| {
                    let replacements: Vec<Value> = fix
                        .edits
                        .iter()
                        .map(|e| {
                            let (s, t) = file.location(e.span);
                            json!({
                                "deletedRegion": {
                                    "startLine": s.line,
                                    "startColumn": s.column,
                                    "endLine": t.line,
                                    "endColumn": t.column,
                                },
                                "insertedContent": { "text": e.content },
                            })
                        })
                        .collect();
                    json!({
                        "description": { "text": fix.message },
                        "artifactChanges": [{
                            "artifactLocation": { "uri": uri(&file.display_str()) },
                            "replacements": replacements,
                        }],
                    })
                })
                .collect();
            let mut result = json!({
                "ruleId": f.rule.code(),
                "ruleIndex": rule_index(f.rule),
                "level": sarif_level(f.severity),
                "message": { "text": message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&file.display_str()) },
                        "region": {
                            "startLine": start.line,
                            "startColumn": start.column,
                            "endLine": end.line,
                            "endColumn": end.column.max(if end.line == start.line { start.column } else { 1 }),
                        }
                    }
                }],
            });
            if !fixes.is_empty() {
                result["fixes"] = json!(fixes);
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "djust",
                    "version": VERSION,
                    "semanticVersion": VERSION,
                    "informationUri": "https://github.com/djust-org/djust",
                    "rules": descriptors,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// Per-rule counts as text: `count  code  severity  name`, most frequent first.
pub fn statistics_text(report: &Report) -> String {
    let mut out = String::new();
    for (rule, n) in report.statistics() {
        let _ = writeln!(
            out,
            "{n:>5}  {}  {:<7}  {}",
            rule.code(),
            rule.severity().as_str(),
            rule.name()
        );
    }
    out
}

/// Per-rule counts as JSON: `[{code, name, severity, count}]`.
pub fn statistics_json(report: &Report) -> String {
    let v: Vec<Value> = report
        .statistics()
        .into_iter()
        .map(|(r, n)| json!({"code": r.code(), "name": r.name(), "severity": r.severity(), "count": n}))
        .collect();
    serde_json::to_string_pretty(&v).unwrap_or_else(|_| "[]".into()) + "\n"
}
