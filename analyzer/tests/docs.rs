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
