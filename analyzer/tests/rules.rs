//! Per-rule fixture tests.
//!
//! Every directory `fixtures/<CODE>/<case>/` is a small project checked with only
//! `<CODE>` selected. Two assertions per case:
//! 1. the findings are exactly the ones the fixture annotates: a line holding
//!    `expect: CODE[, CODE…]` (in a `#` comment or a `{# #}` comment) expects those
//!    findings on that line, and no other line may have any;
//! 2. the rendered findings (message, labels, help, fix) match the insta snapshot.

use djust_analyzer::{check, Overrides, Report};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn run(case: &Path, select: &[&str]) -> Report {
    let overrides = Overrides {
        select: Some(select.iter().map(|c| c.to_string()).collect()),
        ..Overrides::default()
    };
    check(&[PathBuf::from(".")], case, &overrides).unwrap_or_else(|e| panic!("{}: {e}", case.display()))
}

/// `(path, line) → codes` from `expect:` annotations under `case`.
fn expectations(case: &Path) -> BTreeMap<(String, usize), Vec<String>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![case.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{e}"))
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let rel = path
                .strip_prefix(case)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            for (i, line) in text.lines().enumerate() {
                let Some(pos) = line.find("expect:") else { continue };
                let codes: Vec<String> = line[pos + 7..]
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .take_while(|t| t.is_empty() || t.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect();
                let mut codes = codes;
                codes.sort();
                out.insert((rel.clone(), i + 1), codes);
            }
        }
    }
    out
}

fn actual(report: &Report) -> BTreeMap<(String, usize), Vec<String>> {
    let mut out: BTreeMap<(String, usize), Vec<String>> = BTreeMap::new();
    for f in &report.findings {
        let file = report.file(f);
        let (start, _) = file.location(f.span);
        out.entry((file.display_str(), start.line))
            .or_default()
            .push(f.rule.code().to_string());
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

fn render(report: &Report) -> String {
    let mut s = String::new();
    for f in &report.findings {
        let file = report.file(f);
        let (start, end) = file.location(f.span);
        s.push_str(&format!(
            "{}:{}:{}-{}:{}: {} [{}] {}\n",
            file.display_str(),
            start.line,
            start.column,
            end.line,
            end.column,
            f.rule.code(),
            f.severity,
            f.message
        ));
        s.push_str(&format!(
            "    at: {}\n",
            f.span.slice(&file.text).lines().next().unwrap_or("")
        ));
        if let Some(l) = &f.label {
            s.push_str(&format!("    label: {l}\n"));
        }
        for l in &f.labels {
            s.push_str(&format!(
                "    also: {} @ {}\n",
                l.message,
                file.location(l.span).0.line
            ));
        }
        if let Some(h) = &f.help {
            s.push_str(&format!("    help: {h}\n"));
        }
        if let Some(fix) = &f.fix {
            for e in &fix.edits {
                let (at, _) = file.location(e.span);
                s.push_str(&format!(
                    "    fix: insert {:?} at {}:{}\n",
                    e.content, at.line, at.column
                ));
            }
        }
    }
    s.push_str(&format!("suppressed: {}\n", report.suppressed));
    s
}

fn check_rule(code: &str) {
    check_rule_with(code, &[code]);
}

/// [`check_rule`] with more rules selected (a rule about other rules' findings).
fn check_rule_with(code: &str, select: &[&str]) {
    let dir = fixtures().join(code);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no fixtures for {code}");
    for case in cases {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let report = run(&case, select);
        let expected = expectations(&case);
        assert!(
            !expected.is_empty(),
            "{code}/{name}: the fixture expects no finding at all"
        );
        assert_eq!(
            actual(&report),
            expected,
            "{code}/{name}: findings differ from the `expect:` annotations"
        );
        insta::assert_snapshot!(format!("{code}__{name}"), render(&report));
    }
}

#[test]
fn v006_service_instance_in_mount() {
    check_rule("V006");
}

#[test]
fn v007_event_handler_missing_kwargs() {
    check_rule("V007");
}

#[test]
fn t002_missing_dj_root() {
    check_rule("T002");
}

#[test]
fn t005_dj_view_dj_root_split() {
    check_rule("T005");
}

#[test]
fn e004_template_syntax_error() {
    check_rule("E004");
}

/// Applying every V007 fix to a copy of the fixture removes every V007 finding and
/// keeps the files parseable.
#[test]
fn v007_fixes_apply_cleanly() {
    let left = apply_fixes("V007", "basic", |_| true);
    assert!(left.is_empty(), "after fixing: {left:?}");
}

/// Every T002 finding on a template with a `dj-view` element has a fix, and applying
/// them removes those findings (the ones without `dj-view` have nothing to attach to).
#[test]
fn t002_fixes_apply_cleanly() {
    let left = apply_fixes("T002", "standalone", |f| f.fix.is_some());
    assert!(left.is_empty(), "after fixing: {left:?}");
}

/// Copy fixture `code/case`, apply the fixes of the findings `fixable` accepts (each
/// must have one), check again: the findings of `code` (or E001/E004) that are left at
/// the places that were fixed.
fn apply_fixes(code: &str, case: &str, fixable: impl Fn(&djust_analyzer::Finding) -> bool) -> Vec<String> {
    let src = fixtures().join(code).join(case);
    let dst = std::env::temp_dir().join(format!("djust-{code}-fix-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dst);
    copy_dir(&src, &dst);
    let report = run(&dst, &[code]);
    let chosen: Vec<&djust_analyzer::Finding> = report.findings.iter().filter(|f| fixable(f)).collect();
    assert!(!chosen.is_empty(), "{code}/{case}: nothing to fix");
    let mut edits: BTreeMap<PathBuf, Vec<(usize, String)>> = BTreeMap::new();
    let mut fixed_files = Vec::new();
    for f in &chosen {
        let fix = f
            .fix
            .as_ref()
            .unwrap_or_else(|| panic!("{code} without a fix: {}", f.message));
        fixed_files.push(report.file(f).display_str());
        for e in &fix.edits {
            edits
                .entry(report.file(f).abs.to_path_buf())
                .or_default()
                .push((e.span.start, e.content.clone()));
        }
    }
    for (path, mut list) in edits {
        let mut text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        list.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (at, content) in list {
            text.insert_str(at, &content);
        }
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    }
    let after = run(&dst, &["ALL"]);
    after
        .findings
        .iter()
        .filter(|f| {
            (f.rule.code() == code && fixed_files.contains(&after.file(f).display_str()))
                || f.rule.code() == "E001"
                || f.rule.code() == "E004"
        })
        .map(|f| format!("{}: {}", after.file(f).display_str(), f.message))
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{e}"));
    for entry in std::fs::read_dir(from)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
    {
        let p = entry.path();
        let target = to.join(entry.file_name());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

#[test]
fn e001_python_syntax_error() {
    check_rule("E001");
}

#[test]
fn t101_unknown_event_handler() {
    check_rule("T101");
}

#[test]
fn t102_unknown_dj_view() {
    check_rule("T102");
}

#[test]
fn s001_mark_safe_formatted() {
    check_rule("S001");
}

#[test]
fn s002_csrf_exempt_without_reason() {
    check_rule("S002");
}

#[test]
fn s003_bare_except_pass() {
    check_rule("S003");
}

#[test]
fn q001_print_call() {
    check_rule("Q001");
}

#[test]
fn q002_eager_log_formatting() {
    check_rule("Q002");
}

#[test]
fn t001_old_event_syntax() {
    check_rule("T001");
}

#[test]
fn t013_bad_dj_view() {
    check_rule("T013");
}

#[test]
fn t014_hand_written_dj_id() {
    check_rule("T014");
}

#[test]
fn t015_legacy_root_attributes() {
    check_rule("T015");
}

#[test]
fn t017_root_on_table_part() {
    check_rule("T017");
}

#[test]
fn c001_asgi_application_missing() {
    check_rule("C001");
}

#[test]
fn c002_channel_layers_missing() {
    check_rule("C002");
}

#[test]
fn c003_daphne_after_staticfiles() {
    check_rule("C003");
}

#[test]
fn c004_djust_not_installed() {
    check_rule("C004");
}

#[test]
fn c005_websocket_without_auth() {
    check_rule("C005");
}

#[test]
fn a001_websocket_without_origin_validator() {
    check_rule("A001");
}

#[test]
fn s004_debug_with_public_hosts() {
    check_rule("S004");
}

#[test]
fn v001_liveview_without_template() {
    check_rule("V001");
}

#[test]
fn v003_mount_without_request() {
    check_rule("V003");
}

#[test]
fn v004_handler_without_decorator() {
    check_rule("V004");
}

#[test]
fn a010_wildcard_allowed_hosts() {
    check_rule("A010");
}

#[test]
fn a011_wildcard_beside_hosts() {
    check_rule("A011");
}

#[test]
fn a012_forwarded_host_with_wildcard() {
    check_rule("A012");
}

#[test]
fn a014_insecure_secret_key() {
    check_rule("A014");
}

#[test]
fn a030_admin_without_throttling() {
    check_rule("A030");
}

#[test]
fn v002_liveview_without_mount() {
    check_rule("V002");
}

#[test]
fn s005_state_without_access_decision() {
    check_rule("S005");
}

#[test]
fn y001_control_without_name() {
    check_rule("Y001");
}

#[test]
fn y002_image_without_alt() {
    check_rule("Y002");
}

#[test]
fn y003_field_without_label() {
    check_rule("Y003");
}

#[test]
fn y004_positive_tabindex() {
    check_rule("Y004");
}

#[test]
fn v008_unknown_state_type() {
    check_rule("V008");
}

#[test]
fn q101_unused_noqa() {
    check_rule_with("Q101", &["Q101", "V006", "T002", "T005"]);
}

#[test]
fn v013_override_skips_mount() {
    check_rule("V013");
}

#[test]
fn v010_mixin_after_liveview() {
    check_rule("V010");
}

#[test]
fn t012_no_dj_view() {
    check_rule("T012");
}

#[test]
fn s011_inline_script_without_csp() {
    check_rule("S011");
}

#[test]
fn c010_tailwind_cdn_in_production() {
    check_rule("C010");
}

#[test]
fn c012_manual_client_script() {
    check_rule("C012");
}

/// S011 says nothing once a settings module configures a Content Security Policy (here
/// django-csp's middleware, then a `CSP_` setting), with the same template.
#[test]
fn s011_a_csp_silences_it() {
    let src = fixtures().join("S011").join("basic");
    for (i, setting) in [
        "MIDDLEWARE = [\"csp.middleware.CSPMiddleware\"]\n",
        "CSP_DEFAULT_SRC = (\"'self'\",)\n",
    ]
    .iter()
    .enumerate()
    {
        let dst = std::env::temp_dir().join(format!("djust-S011-csp-{}-{i}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dst);
        copy_dir(&src, &dst);
        std::fs::write(
            dst.join("config/settings.py"),
            format!("INSTALLED_APPS = [\"djust\", \"shop\"]\n{setting}"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let report = run(&dst, &["S011"]);
        assert!(report.findings.is_empty(), "{setting}: {:?}", report.findings);
        let _ = std::fs::remove_dir_all(&dst);
    }
}
