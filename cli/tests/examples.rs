//! `djust check` on the bundled example project (the README's main command).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn check_examples(format: &str) -> (Option<i32>, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new(env!("CARGO_BIN_EXE_djust"))
        .args(["check", "examples", "--output-format", format])
        .current_dir(&root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run djust: {e}"));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn example_project_findings() {
    let (code, out) = check_examples("concise");
    assert_eq!(code, Some(1), "the example has warnings and fail-on = warning");
    insta::assert_snapshot!("examples_concise", out);
}

#[test]
fn example_project_has_each_anti_pattern_at_least_twice_and_nothing_else() {
    let (_, out) = check_examples("json");
    let items: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}"));
    let mut per_rule: BTreeMap<String, usize> = BTreeMap::new();
    for item in &items {
        *per_rule
            .entry(item["code"].as_str().unwrap_or("?").to_string())
            .or_default() += 1;
    }
    for code in ["V006", "V007", "T002", "T005"] {
        assert!(
            per_rule.get(code).copied().unwrap_or(0) >= 2,
            "{code}: {per_rule:?}"
        );
    }
    assert_eq!(
        per_rule.keys().cloned().collect::<Vec<_>>(),
        vec!["T002", "T005", "V006", "V007"]
    );
    // Findings sit in the files the example's README lists, never in excluded ones.
    assert!(items
        .iter()
        .all(|i| !i["filename"].as_str().unwrap_or("").contains("exports/")));
}

#[test]
fn example_project_is_realistic_in_size() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut templates = 0;
    let mut liveviews = 0;
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{e}"))
            .flatten()
        {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "html") {
                templates += 1;
            } else if p.file_name().is_some_and(|n| n == "views.py") {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                liveviews += text
                    .lines()
                    .filter(|l| {
                        l.starts_with("class ") && (l.contains("LiveView)") || l.contains("AppLiveView"))
                    })
                    .count();
            }
        }
    }
    assert!(templates >= 20, "{templates} templates");
    assert!(liveviews >= 15, "{liveviews} LiveViews");
}
