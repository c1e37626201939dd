//! `djust new` through the real binary: the plan it prints, `--dry-run` (a diff,
//! nothing written), a conflict (exit 1, nothing written), an identical re-run (exit
//! 0), `--wire` (the edits made), `--json` (the plan for tools), a file `--wire`
//! cannot edit, and the generated view's files (insta snapshots).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("djust-new-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

fn djust(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_djust"))
        .arg("new")
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap_or(&p).to_string_lossy().to_string());
            }
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn dry_run_prints_the_plan_and_a_diff_and_writes_nothing() {
    let d = dir("dry");
    let (code, out, err) = djust(&d, &["project", "mysite", "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("    create  mysite/settings.py"), "{out}");
    assert!(out.contains("--- /dev/null\n+++ b/mysite/asgi.py"), "{out}");
    assert!(
        out.contains("+        \"websocket\": AllowedHostsOriginValidator("),
        "{out}"
    );
    assert!(out.contains("Dry run: nothing was written."), "{out}");
    assert!(files(&d).is_empty());
}

#[test]
fn conflicts_write_nothing_and_an_identical_rerun_is_fine() {
    let d = dir("conflict");
    assert_eq!(djust(&d, &["project", "mysite"]).0, 0);
    let root = d.join("mysite");
    let (code, out, _) = djust(&d, &["project", "mysite"]);
    assert_eq!(code, 0);
    assert!(
        out.contains(" identical  mysite/urls.py") && out.contains("Nothing to do"),
        "{out}"
    );

    std::fs::write(root.join("mysite/urls.py"), "# edited\n").unwrap_or_else(|e| panic!("{e}"));
    std::fs::remove_file(root.join(".gitignore")).unwrap_or_else(|e| panic!("{e}"));
    let (code, out, _) = djust(&d, &["project", "mysite"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("  conflict  mysite/urls.py  (it exists with other content"),
        "{out}"
    );
    assert!(out.contains("    create  .gitignore"), "{out}");
    assert!(out.contains("Nothing was written: 1 file"), "{out}");
    assert!(!root.join(".gitignore").exists());
    assert_eq!(read(&root.join("mysite/urls.py")), "# edited\n");

    let (code, out, _) = djust(&d, &["project", "mysite", "--dry-run"]);
    assert_eq!(code, 1);
    assert!(out.contains("  conflict  mysite/urls.py"), "{out}");
    let (code, _, _) = djust(&d, &["project", "mysite", "--force"]);
    assert_eq!(code, 0);
    assert!(read(&root.join("mysite/urls.py")).contains("HomeView.as_view()"));
}

#[test]
fn wire_edits_the_settings_and_urls_and_json_reports_the_plan() {
    let d = dir("wire");
    assert_eq!(djust(&d, &["project", "mysite"]).0, 0);
    let root = d.join("mysite");
    let (code, out, err) = djust(&root, &["app", "shop", "--wire", "--json"]);
    assert_eq!(code, 0, "{err}");
    let plan: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let actions: Vec<(String, String)> = plan["files"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").into(),
                f["action"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert!(
        actions.contains(&("shop/apps.py".into(), "create".into())),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("mysite/settings.py".into(), "modify".into())),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("mysite/urls.py".into(), "modify".into())),
        "{actions:?}"
    );
    assert_eq!(plan["wiring"][0]["applied"], true);
    let (code, out, _) = djust(&root, &["app", "blog", "--wire"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("--- a/mysite/urls.py\n+++ b/mysite/urls.py")
            && out.contains("+    path(\"blog/\", include(\"blog.urls\")),"),
        "the edit is shown: {out}"
    );
    assert!(
        read(&root.join("mysite/settings.py")).contains("    \"djust\",\n    \"shop\",\n    \"blog\",\n]")
    );
    assert!(read(&root.join("mysite/urls.py")).contains("path(\"shop/\", include(\"shop.urls\")),"));

    // A view, wired into the app's urls.py; without --wire the snippet is printed.
    let (code, out, _) = djust(
        &root,
        &[
            "view",
            "counter",
            "--app",
            "shop",
            "--wire",
            "--dry-run",
            "count:int",
        ],
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("    modify  shop/urls.py")
            && out.contains("+    path(\"counter/\", CounterView.as_view(), name=\"counter\"),"),
        "{out}"
    );
    let (code, out, _) = djust(&root, &["live", "counter", "--app", "shop", "count:int"]);
    assert_eq!(code, 0);
    assert!(out.contains("Add to shop/urls.py:\n    from django.urls import path\n    from shop.live.counter import CounterView"), "{out}");
    insta::assert_snapshot!("view_py", read(&root.join("shop/live/counter.py")));
    insta::assert_snapshot!("view_html", read(&root.join("shop/templates/shop/counter.html")));
    insta::assert_snapshot!("view_test", read(&root.join("shop/tests/test_counter.py")));
}

#[test]
fn a_urls_py_that_cannot_be_edited_is_left_alone_with_the_reason() {
    let d = dir("unwireable");
    assert_eq!(djust(&d, &["project", "mysite"]).0, 0);
    let root = d.join("mysite");
    assert_eq!(djust(&root, &["app", "shop"]).0, 0);
    let urls = root.join("shop/urls.py");
    std::fs::write(&urls, "from .routes import build\nurlpatterns = build()\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let (code, out, _) = djust(&root, &["view", "counter", "--wire"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("shop/urls.py was left alone: it has no `urlpatterns = [...]`"),
        "{out}"
    );
    assert!(
        out.contains("path(\"counter/\", CounterView.as_view(), name=\"counter\"),"),
        "{out}"
    );
    assert_eq!(read(&urls), "from .routes import build\nurlpatterns = build()\n");
    assert!(root.join("shop/live/counter.py").is_file());
}

#[test]
fn bad_names_and_no_project_are_usage_errors() {
    let d = dir("names");
    let (code, _, err) = djust(&d, &["project", "django"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "`django` is not a valid project name: it conflicts with the name of an existing Python module"
        ),
        "{err}"
    );
    let (code, _, err) = djust(&d, &["view", "counter"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no manage.py") && err.contains("djust new project NAME"),
        "{err}"
    );
    assert!(files(&d).is_empty());
}
