//! The generator end to end on a temporary directory: names, project discovery, the
//! plan (create / identical / conflict / force / skip), all-or-nothing writes
//! (a property test over random pre-existing files), template overrides.

use djust_scaffold::{apply, prepare, Action, Kind, OnExisting, Request, ScaffoldError};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn request(kind: Kind, cwd: &Path) -> Request {
    Request {
        kind,
        cwd: cwd.to_path_buf(),
        wire: false,
        on_existing: OnExisting::Stop,
    }
}

fn project_kind(name: &str) -> Kind {
    Kind::Project {
        name: name.into(),
        dir: None,
    }
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

/// Every file under `dir`: relative path → bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(dir).unwrap_or(&p).to_string_lossy().to_string();
            if p.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                stack.push(p);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    out
}

fn run(req: &Request) -> Result<Vec<String>, ScaffoldError> {
    let outcome = prepare(req)?;
    apply(&outcome).map(|w| w.files)
}

#[test]
fn names_are_validated_as_django_does_with_a_suggestion() {
    let dir = tmp();
    for (name, says) in [
        ("my-site", "not a valid Python identifier. Use `my_site` instead"),
        ("2fast", "not a valid Python identifier"),
        ("class", "it is a Python keyword"),
        ("django", "conflicts with the name of an existing Python module"),
        ("test", "conflicts with the name of an existing Python module"),
        ("json", "conflicts with the name of an existing Python module"),
        ("", "it is empty"),
    ] {
        let e = prepare(&request(project_kind(name), dir.path()))
            .map(|_| ())
            .err();
        let text = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.contains(says), "{name:?}: {text}");
        assert!(text.contains("Use "), "{name:?}: {text}");
    }
    assert!(
        snapshot(dir.path()).is_empty(),
        "nothing is written for a bad name"
    );
}

#[test]
fn outside_a_project_new_view_says_how_to_start_one() {
    let dir = tmp();
    let e = prepare(&request(
        Kind::View {
            name: "counter".into(),
            app: None,
            fields: vec![],
        },
        dir.path(),
    ))
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(
        e.contains("no manage.py") && e.contains("djust new project NAME"),
        "{e}"
    );
}

fn new_project(dir: &Path) -> PathBuf {
    run(&request(project_kind("mysite"), dir)).unwrap_or_else(|e| panic!("{e}"));
    dir.join("mysite")
}

#[test]
fn views_and_components_need_an_app_and_bad_fields_are_refused() {
    let dir = tmp();
    let root = new_project(dir.path());
    let view = |app: Option<&str>, fields: &[&str]| Kind::View {
        name: "counter".into(),
        app: app.map(str::to_string),
        fields: fields.iter().map(|s| s.to_string()).collect(),
    };
    let err = |k: Kind| {
        prepare(&request(k, &root))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    assert!(err(view(None, &[])).contains("has no app yet: make one with `djust new app NAME`"));
    assert!(err(view(Some("shop"), &[])).contains("there is no app `shop`"));
    assert!(err(view(Some("../mysite"), &[])).contains("`../mysite` is not an app name"));
    run(&request(Kind::App { name: "shop".into() }, &root)).unwrap_or_else(|e| panic!("{e}"));
    assert!(err(view(None, &["title"])).contains("`title` is not a field: it has no `:TYPE`"));
    assert!(err(view(None, &["title:money"])).contains("`money` is not a type"));
    assert!(err(view(None, &["a:int", "a:str"])).contains("given twice"));
    assert!(err(view(None, &["request:str"])).contains("a LiveView uses it itself"));
    // The only app is the default.
    let outcome = prepare(&request(view(None, &["title:str"]), &root)).unwrap_or_else(|e| panic!("{e}"));
    assert!(outcome
        .plan
        .files
        .iter()
        .any(|f| f.path == "shop/live/counter.py"));
}

#[test]
fn a_rerun_is_identical_and_a_changed_file_is_a_conflict_that_writes_nothing() {
    let dir = tmp();
    let root = new_project(dir.path());
    let again = prepare(&request(project_kind("mysite"), dir.path())).unwrap_or_else(|e| panic!("{e}"));
    assert!(again
        .plan
        .files
        .iter()
        .all(|f| matches!(f.action, Action::Identical | Action::Keep)));
    assert_eq!(apply(&again).map(|w| w.files.len()).ok(), Some(0));

    std::fs::write(root.join("mysite/views.py"), "# mine\n").unwrap_or_else(|e| panic!("{e}"));
    std::fs::remove_file(root.join("README.md")).unwrap_or_else(|e| panic!("{e}"));
    let before = snapshot(&root);
    let blocked = prepare(&request(project_kind("mysite"), dir.path())).unwrap_or_else(|e| panic!("{e}"));
    let action = |p: &str| blocked.plan.files.iter().find(|f| f.path == p).map(|f| f.action);
    assert_eq!(action("mysite/views.py"), Some(Action::Conflict));
    assert_eq!(action("README.md"), Some(Action::Create));
    assert!(apply(&blocked).is_err());
    assert_eq!(
        snapshot(&root),
        before,
        "a conflict writes nothing, not even README.md"
    );

    let mut skip = request(project_kind("mysite"), dir.path());
    skip.on_existing = OnExisting::Skip;
    assert_eq!(run(&skip).ok(), Some(vec!["README.md".to_string()]));
    assert_eq!(
        std::fs::read_to_string(root.join("mysite/views.py"))
            .ok()
            .as_deref(),
        Some("# mine\n")
    );
    let mut force = skip.clone();
    force.on_existing = OnExisting::Force;
    assert_eq!(run(&force).ok(), Some(vec!["mysite/views.py".to_string()]));
    assert!(std::fs::read_to_string(root.join("mysite/views.py"))
        .unwrap_or_default()
        .contains("class HomeView"));
}

#[test]
fn a_project_template_override_replaces_the_built_in_and_a_bad_one_is_located() {
    let dir = tmp();
    let root = new_project(dir.path());
    run(&request(Kind::App { name: "shop".into() }, &root)).unwrap_or_else(|e| panic!("{e}"));
    let overrides = root.join(".djust/templates/view");
    std::fs::create_dir_all(&overrides).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        overrides.join("view.py"),
        "# house style\nclass [[class]]:\n    pass\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let kind = Kind::View {
        name: "TodoList".into(),
        app: None,
        fields: vec![],
    };
    let outcome = prepare(&request(kind.clone(), &root)).unwrap_or_else(|e| panic!("{e}"));
    let view = outcome
        .plan
        .files
        .iter()
        .find(|f| f.path == "shop/live/todo_list.py")
        .map(|f| f.content.clone());
    assert_eq!(
        view.as_deref(),
        Some("# house style\nclass TodoListView:\n    pass\n")
    );
    std::fs::write(overrides.join("view.py"), "\n[[ klass ]]\n").unwrap_or_else(|e| panic!("{e}"));
    let e = prepare(&request(kind, &root))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        e.contains(".djust/templates/view/view.py:2: unknown placeholder `[[ klass ]]`"),
        "{e}"
    );
}

/// What a target holds before the run.
#[derive(Debug, Clone, Copy)]
enum Before {
    Absent,
    Same,
    Other,
    Directory,
}

fn before() -> impl Strategy<Value = Before> {
    prop_oneof![
        4 => Just(Before::Absent),
        2 => Just(Before::Same),
        1 => Just(Before::Other),
        1 => Just(Before::Directory),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// With random pre-existing targets, a run writes every file or none, and no
    /// existing file changes without --force.
    #[test]
    fn every_file_or_none(states in proptest::collection::vec(before(), 13), force in any::<bool>()) {
        let dir = tmp();
        let fresh = tmp();
        // The files a project gets, with their contents, from a clean run elsewhere.
        run(&request(project_kind("mysite"), fresh.path())).unwrap_or_else(|e| panic!("{e}"));
        let generated = prepare(&request(project_kind("mysite"), fresh.path())).unwrap_or_else(|e| panic!("{e}"));
        let root = dir.path().join("mysite");
        for (f, state) in generated.plan.files.iter().zip(&states) {
            let path = root.join(&f.path);
            std::fs::create_dir_all(path.parent().unwrap_or(&root)).unwrap_or_else(|e| panic!("{e}"));
            match state {
                Before::Absent => {}
                Before::Same => std::fs::write(&path, &f.content).unwrap_or_else(|e| panic!("{e}")),
                Before::Other => std::fs::write(&path, "other\n").unwrap_or_else(|e| panic!("{e}")),
                Before::Directory => std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("{e}")),
            }
        }
        let before = snapshot(&root);
        let mut req = request(project_kind("mysite"), dir.path());
        if force {
            req.on_existing = OnExisting::Force;
        }
        let outcome = prepare(&req).unwrap_or_else(|e| panic!("{e}"));
        let result = apply(&outcome);
        let after = snapshot(&root);
        let blocked = outcome.plan.blocked();
        prop_assert_eq!(result.is_err(), blocked);
        if blocked {
            prop_assert_eq!(&after, &before);
        } else {
            for f in &generated.plan.files {
                let now = after.get(&f.path).cloned().unwrap_or_default();
                let was = before.get(&f.path);
                if f.path.ends_with("__init__.py") && was.is_some() {
                    prop_assert_eq!(Some(&now), was);
                } else {
                    prop_assert_eq!(String::from_utf8_lossy(&now), f.content.as_str());
                }
            }
            if !force {
                for (path, bytes) in &before {
                    prop_assert_eq!(after.get(path), Some(bytes), "{} changed without --force", path);
                }
            }
        }
    }
}
