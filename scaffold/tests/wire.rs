//! `--wire` edits on the shapes real `urls.py` and settings files have.

use djust_scaffold::wire::{add_installed_app, add_route, Import};

fn imports() -> Vec<Import> {
    vec![
        Import {
            module: "django.urls".into(),
            name: "path".into(),
        },
        Import {
            module: "shop.live.counter".into(),
            name: "CounterView".into(),
        },
    ]
}

const ENTRY: &str = "path(\"counter/\", CounterView.as_view(), name=\"counter\")";

#[test]
fn appends_to_a_list_of_path_re_path_and_include() {
    let source = r#"from django.urls import include, path, re_path

from shop import views

urlpatterns = [
    path("", views.index, name="index"),
    re_path(r"^archive/(?P<year>[0-9]{4})/$", views.archive),  # old links
    path("api/", include("api.urls")),
]
"#;
    let out = add_route(source, ENTRY, &imports()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out,
        r#"from django.urls import include, path, re_path

from shop import views
from shop.live.counter import CounterView

urlpatterns = [
    path("", views.index, name="index"),
    re_path(r"^archive/(?P<year>[0-9]{4})/$", views.archive),  # old links
    path("api/", include("api.urls")),
    path("counter/", CounterView.as_view(), name="counter"),
]
"#
    );
    // Again: nothing changes.
    assert_eq!(add_route(&out, ENTRY, &imports()).as_deref(), Ok(out.as_str()));
}

#[test]
fn a_last_element_without_a_comma_and_a_one_line_list() {
    let source = "from django.urls import path\nurlpatterns = [\n    path(\"a/\", a)\n]\n";
    let out = add_route(source, ENTRY, &imports()[..1]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out,
        format!("from django.urls import path\nurlpatterns = [\n    path(\"a/\", a),\n    {ENTRY},\n]\n")
    );
    let source = "from django.urls import path\nurlpatterns = [path(\"a/\", a)]\n";
    let out = add_route(source, ENTRY, &imports()[..1]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out,
        format!("from django.urls import path\nurlpatterns = [path(\"a/\", a), {ENTRY}]\n")
    );
}

#[test]
fn an_empty_list_after_a_docstring_gets_the_imports_and_the_route() {
    let source = "\"\"\"URLs.\"\"\"\n\napp_name = \"shop\"\n\nurlpatterns = []\n";
    let out = add_route(source, ENTRY, &imports()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out,
        format!(
            "\"\"\"URLs.\"\"\"\n\nfrom django.urls import path\nfrom shop.live.counter import CounterView\n\napp_name = \"shop\"\n\nurlpatterns = [\n    {ENTRY},\n]\n"
        )
    );
}

#[test]
fn urlpatterns_plus_equals_is_extended_when_there_is_no_assignment() {
    let source = "from django.urls import path\nfrom .base import urlpatterns\n\nurlpatterns += [\n    path(\"a/\", a),\n]\n";
    let out = add_route(source, ENTRY, &imports()[..1]).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.ends_with(&format!("    path(\"a/\", a),\n    {ENTRY},\n]\n")),
        "{out}"
    );
}

#[test]
fn files_it_cannot_edit_are_refused_with_the_reason() {
    let dynamic = "from django.urls import path\nurlpatterns = build_patterns()\n";
    let e = add_route(dynamic, ENTRY, &imports()).err().unwrap_or_default();
    assert!(e.contains("no `urlpatterns = [...]`"), "{e}");
    let broken = "from django.urls import path\nurlpatterns = [\n    path(\"a/\", a\n";
    let e = add_route(broken, ENTRY, &imports()).err().unwrap_or_default();
    assert!(e.starts_with("it does not parse (line "), "{e}");
}

#[test]
fn installed_apps_gets_the_app_once() {
    let source = "INSTALLED_APPS = [\n    \"django.contrib.auth\",\n    \"djust\",\n]\n";
    let out = add_installed_app(source, "shop").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out,
        "INSTALLED_APPS = [\n    \"django.contrib.auth\",\n    \"djust\",\n    \"shop\",\n]\n"
    );
    assert_eq!(add_installed_app(&out, "shop").as_deref(), Ok(out.as_str()));
    let config = "INSTALLED_APPS = (\"shop.apps.ShopConfig\",)\n";
    assert_eq!(add_installed_app(config, "shop").as_deref(), Ok(config));
    let tuple = "INSTALLED_APPS = (\"a\", \"b\")\n";
    assert_eq!(
        add_installed_app(tuple, "shop").as_deref(),
        Ok("INSTALLED_APPS = (\"a\", \"b\", \"shop\")\n")
    );
    assert!(add_installed_app("INSTALLED_APPS = BASE + [\"x\"]\n", "shop").is_err());
}
