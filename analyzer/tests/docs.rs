//! `docs/checks/` is generated from the rules' doc comments and must not drift.
//! Regenerate with `DJUST_UPDATE_DOCS=1 cargo test -p djust-analyzer --test docs`.

use std::path::Path;

#[test]
fn docs_checks_match_the_rule_sources() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/checks");
    let update = std::env::var_os("DJUST_UPDATE_DOCS").is_some();
    let pages = djust_analyzer::docs::check_pages();
    if update {
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    }
    let mut stale = Vec::new();
    for (name, content) in &pages {
        let path = dir.join(name);
        if update {
            std::fs::write(&path, content).unwrap_or_else(|e| panic!("{e}"));
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
            stale.push(name.clone());
        }
    }
    // No page may exist for a rule that is gone.
    let expected: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    for entry in std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.ends_with(".md") && !expected.contains(&name.as_str()) {
            stale.push(format!("{name} (no such rule)"));
        }
    }
    assert!(
        stale.is_empty(),
        "docs/checks is out of date: {stale:?}; run `DJUST_UPDATE_DOCS=1 cargo test -p djust-analyzer --test docs`"
    );
}

/// Upstream's 80 check codes (djust-org/djust's `checks` package, and T018 of its
/// 1.2.6 release) are each a rule of
/// djust's or listed with a reason in `NOT_RUN`, never both.
#[test]
fn every_upstream_check_is_a_rule_or_listed_with_a_reason() {
    const UPSTREAM: &[&str] = &[
        "A001", "A010", "A011", "A012", "A014", "A020", "A030", "A031", "A070", "A071", "A072", "A073",
        "A075", "A090", "C001", "C002", "C003", "C004", "C005", "C010", "C011", "C012", "C013", "C014",
        "C015", "C301", "C302", "C303", "C304", "C401", "C501", "C502", "D001", "Q001", "Q002", "Q003",
        "Q007", "Q010", "S001", "S002", "S003", "S004", "S005", "S006", "S007", "S008", "S009", "S011",
        "S012", "T001", "T002", "T003", "T004", "T005", "T010", "T011", "T012", "T013", "T014", "T015",
        "T016", "T017", "T018", "V001", "V002", "V003", "V004", "V005", "V006", "V007", "V008", "V009",
        "V010", "V011", "V012", "V013", "Y001", "Y002", "Y003", "Y004",
    ];
    assert_eq!(UPSTREAM.len(), 80);
    let not_run: Vec<&str> = djust_analyzer::rules::NOT_RUN.iter().map(|(c, _)| *c).collect();
    for code in UPSTREAM {
        let rule = djust_analyzer::Rule::from_code(code).is_some();
        let listed = not_run.contains(code);
        assert!(rule != listed, "{code}: rule {rule}, listed {listed}");
    }
    for code in &not_run {
        assert!(UPSTREAM.contains(code), "{code} is not an upstream check");
    }
}
