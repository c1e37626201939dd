//! The template engine's modules import one way (no module loop), as
//! `docs/architecture.md` states: read every module's `super::…` /
//! `crate::template::…` paths (comments aside) and check the graph between the top-level modules of
//! `runtime/src/template/` is acyclic. (A folder module such as `parser/` counts as
//! one node; its children see their parent's items.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `module → modules it imports`, for the top-level modules of `template/`.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/template");
    let mut modules: BTreeMap<String, Vec<std::path::PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir(&root).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if name == "mod" {
            continue;
        }
        let files = if path.is_dir() {
            std::fs::read_dir(&path)
                .unwrap_or_else(|e| panic!("{e}"))
                .map(|e| e.unwrap_or_else(|e| panic!("{e}")).path())
                .collect()
        } else {
            vec![path.clone()]
        };
        modules.entry(name).or_default().extend(files);
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (name, files) in &modules {
        let mut deps = BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{e}"));
            // A folder's `mod.rs` is the module itself; its other files are children.
            let in_child = file.parent().is_some_and(|p| p != root) && !file.ends_with("mod.rs");
            for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for prefix in ["crate::template::", "super::"] {
                    // `super::x` in a folder module's child is the folder's own item.
                    if prefix == "super::" && in_child {
                        continue;
                    }
                    for (i, _) in line.match_indices(prefix) {
                        let module: String = line[i + prefix.len()..]
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        if names.contains(&module) && module != *name {
                            deps.insert(module);
                        }
                    }
                }
            }
        }
        graph.insert(name.clone(), deps);
    }
    graph
}

#[test]
fn template_modules_import_one_way() {
    let graph = graph();
    assert!(
        graph.contains_key("render") && graph.contains_key("parser"),
        "{graph:?}"
    );
    // Depth-first search for a cycle; report it as a path.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for dep in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(dep, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, &graph, &mut Vec::new(), &mut done) {
            panic!("template modules import in a loop: {}", cycle.join(" → "));
        }
    }
    // The layering the architecture document names.
    assert!(graph["render"].contains("engine"));
    assert!(graph["engine"].contains("parser"));
    assert!(!graph["parser"].contains("render") && !graph["engine"].contains("render"));
}
