//! What each kind of `djust new` produces: the files (rendered from
//! [`crate::templates`]), and the wiring that connects them to the project (a route,
//! an `INSTALLED_APPS` entry), as a snippet to paste and as an edit for `--wire`.

use crate::error::ScaffoldError;
use crate::names::{camel, snake, validate, NameKind};
use crate::plan::GenFile;
use crate::templates::Templates;
use crate::wire::Import;

/// A state field of `djust new view`: `title:str`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The attribute.
    pub name: String,
    /// The Python type.
    pub ty: FieldType,
}

/// The types a field can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// `str`: an `<input dj-model>`.
    Str,
    /// `int`.
    Int,
    /// `float`.
    Float,
    /// `bool`: a checkbox with `dj-model`.
    Bool,
}

impl FieldType {
    fn python(self) -> &'static str {
        match self {
            FieldType::Str => "str",
            FieldType::Int => "int",
            FieldType::Float => "float",
            FieldType::Bool => "bool",
        }
    }

    fn initial(self) -> &'static str {
        match self {
            FieldType::Str => "\"\"",
            FieldType::Int => "0",
            FieldType::Float => "0.0",
            FieldType::Bool => "False",
        }
    }
}

/// Parse `NAME:TYPE` arguments: names validated, no repeats.
pub fn parse_fields(specs: &[String]) -> Result<Vec<Field>, ScaffoldError> {
    let mut out: Vec<Field> = Vec::new();
    for spec in specs {
        let bad = |reason: &str| ScaffoldError::InvalidField {
            spec: spec.clone(),
            reason: reason.into(),
        };
        let (name, ty) = spec.split_once(':').ok_or_else(|| bad("it has no `:TYPE`"))?;
        let ty = match ty {
            "str" | "string" | "text" => FieldType::Str,
            "int" | "integer" => FieldType::Int,
            "float" => FieldType::Float,
            "bool" | "boolean" => FieldType::Bool,
            other => return Err(bad(&format!("`{other}` is not a type djust new knows"))),
        };
        validate(name, NameKind::Field)?;
        if out.iter().any(|f| f.name == name) {
            return Err(bad("the field is given twice"));
        }
        out.push(Field {
            name: name.to_string(),
            ty,
        });
    }
    Ok(out)
}

/// The generated files and the wiring for one `djust new` command.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    /// Files, relative to the project root (for `project`: to the new project's directory).
    pub files: Vec<GenFile>,
    /// How to connect them.
    pub wiring: Vec<Wire>,
    /// What to do next (printed after the plan).
    pub next: Vec<String>,
}

/// One connection to make in an existing file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wire {
    /// Append `entry` to `urlpatterns` in `file`, with `imports`.
    Route {
        /// Relative path of the URLconf.
        file: String,
        /// `path("counter/", CounterView.as_view(), name="counter")`.
        entry: String,
        /// What the entry needs imported.
        imports: Vec<Import>,
    },
    /// Append `app` to `INSTALLED_APPS` in `file`.
    InstalledApp {
        /// Relative path of the settings module.
        file: String,
        /// The app's module name.
        app: String,
    },
}

impl Wire {
    /// The file it edits.
    pub fn file(&self) -> &str {
        match self {
            Wire::Route { file, .. } | Wire::InstalledApp { file, .. } => file,
        }
    }

    /// What to add by hand, as it would be pasted.
    pub fn snippet(&self) -> String {
        match self {
            Wire::Route { entry, imports, .. } => {
                let mut s: String = imports
                    .iter()
                    .map(|i| format!("from {} import {}\n", i.module, i.name))
                    .collect();
                s.push_str(&format!("\nurlpatterns = [\n    ...\n    {entry},\n]\n"));
                s
            }
            Wire::InstalledApp { app, .. } => format!("INSTALLED_APPS = [\n    ...\n    {app:?},\n]\n"),
        }
    }
}

fn file(path: String, content: String) -> GenFile {
    GenFile {
        path,
        content,
        keep_existing: false,
    }
}

fn marker(path: String) -> GenFile {
    GenFile {
        path,
        content: String::new(),
        keep_existing: true,
    }
}

/// `djust new project NAME`: files relative to the new project's directory.
pub fn project(t: &Templates, name: &str) -> Result<Generated, ScaffoldError> {
    validate(name, NameKind::Project)?;
    let vars = [("project", name.to_string())];
    let r = |n: &str| t.render(n, &vars);
    let files = vec![
        file("manage.py".into(), r("project/manage.py")?),
        file("pyproject.toml".into(), r("project/pyproject.toml")?),
        file("README.md".into(), r("project/README.md")?),
        file(".gitignore".into(), r("project/gitignore")?),
        marker(format!("{name}/__init__.py")),
        file(format!("{name}/settings.py"), r("project/settings.py")?),
        file(format!("{name}/asgi.py"), r("project/asgi.py")?),
        file(format!("{name}/wsgi.py"), r("project/wsgi.py")?),
        file(format!("{name}/urls.py"), r("project/urls.py")?),
        file(format!("{name}/views.py"), r("project/views.py")?),
        file("templates/home.html".into(), r("project/home.html")?),
        marker("tests/__init__.py".into()),
        file("tests/test_home.py".into(), r("project/test_home.py")?),
    ];
    Ok(Generated {
        files,
        wiring: Vec::new(),
        next: vec![
            "python manage.py runserver   # then open http://127.0.0.1:8000/".into(),
            "pytest                       # the generated tests (pip install pytest-django)".into(),
        ],
    })
}

/// `djust new app NAME`: the app package; wiring into the settings and the root URLconf.
pub fn app(
    t: &Templates,
    name: &str,
    settings: Option<String>,
    root_urls: Option<String>,
) -> Result<Generated, ScaffoldError> {
    validate(name, NameKind::App)?;
    let vars = [("app", name.to_string()), ("app_class", camel(name))];
    let r = |n: &str| t.render(n, &vars);
    let files = vec![
        marker(format!("{name}/__init__.py")),
        file(format!("{name}/apps.py"), r("app/apps.py")?),
        file(format!("{name}/views.py"), r("app/views.py")?),
        file(format!("{name}/urls.py"), r("app/urls.py")?),
        marker(format!("{name}/templates/{name}/.gitkeep")),
        marker(format!("{name}/tests/__init__.py")),
    ];
    let mut wiring = Vec::new();
    if let Some(file) = settings {
        wiring.push(Wire::InstalledApp {
            file,
            app: name.to_string(),
        });
    }
    if let Some(file) = root_urls {
        wiring.push(Wire::Route {
            file,
            entry: format!("path(\"{name}/\", include(\"{name}.urls\"))"),
            imports: vec![
                Import {
                    module: "django.urls".into(),
                    name: "include".into(),
                },
                Import {
                    module: "django.urls".into(),
                    name: "path".into(),
                },
            ],
        });
    }
    Ok(Generated {
        files,
        wiring,
        next: vec![format!(
            "djust new view NAME --app {name}   # a LiveView in the app"
        )],
    })
}

/// `NAME` as given → (snake module name, CamelCase class stem), validated.
fn split_name(name: &str, kind: NameKind, suffix: &str) -> Result<(String, String), ScaffoldError> {
    let base = name
        .strip_suffix(suffix)
        .filter(|b| !b.is_empty())
        .unwrap_or(name);
    let module = snake(base);
    validate(&module, kind)?;
    Ok((module.clone(), camel(&module)))
}

/// `djust new view NAME --app APP [FIELD:TYPE ...]`.
pub fn view(t: &Templates, app: &str, name: &str, fields: &[Field]) -> Result<Generated, ScaffoldError> {
    let (module, stem) = split_name(name, NameKind::View, "View")?;
    let class = format!("{stem}View");
    let mut fields = fields.to_vec();
    let counter = match fields
        .iter()
        .find(|f| matches!(f.ty, FieldType::Int | FieldType::Float))
    {
        Some(f) => f.name.clone(),
        None => {
            let name = if fields.iter().any(|f| f.name == "count") {
                "clicks"
            } else {
                "count"
            };
            fields.push(Field {
                name: name.into(),
                ty: FieldType::Int,
            });
            name.to_string()
        }
    };
    let py_module = format!("{app}.live.{module}");
    let view_path = format!("{py_module}.{class}");
    let title = camel(&module).chars().fold(String::new(), |mut s, c| {
        if c.is_uppercase() && !s.is_empty() {
            s.push(' ');
        }
        s.push(c);
        s
    });
    let state_init: Vec<String> = fields
        .iter()
        .map(|f| format!("        self.{}: {} = {}", f.name, f.ty.python(), f.ty.initial()))
        .collect();
    let state_asserts: Vec<String> = fields
        .iter()
        .map(|f| {
            let op = if f.ty == FieldType::Bool { "is" } else { "==" };
            format!("    assert client.state[{:?}] {op} {}", f.name, f.ty.initial())
        })
        .collect();
    let mut fields_html = Vec::new();
    let mut model_tests = String::new();
    for f in &fields {
        let label = f.name.replace('_', " ");
        let n = &f.name;
        match f.ty {
            FieldType::Str => {
                fields_html.push(format!(
                    "    <label>{label} <input name=\"{n}\" dj-model=\"{n}\" value=\"{{{{ {n} }}}}\"></label>\n    <p class=\"{n}\">{{{{ {n} }}}}</p>"
                ));
                model_tests.push_str(&format!(
                    "\n\ndef test_typing_in_{n}_sets_the_state() -> None:\n    client = LiveViewTestClient({class})\n    client.model({n:?}, \"Ada\")\n    assert client.state[{n:?}] == \"Ada\"\n    client.assert_patched(text=\"Ada\")\n"
                ));
            }
            FieldType::Bool => {
                fields_html.push(format!(
                    "    <label><input type=\"checkbox\" name=\"{n}\" dj-model=\"{n}\"{{% if {n} %}} checked{{% endif %}}> {label}</label>\n    <p class=\"{n}\">{{{{ {n}|yesno:\"yes,no\" }}}}</p>"
                ));
                model_tests.push_str(&format!(
                    "\n\ndef test_ticking_{n}_sets_the_state() -> None:\n    client = LiveViewTestClient({class})\n    client.model({n:?}, True)\n    assert client.state[{n:?}] is True\n    client.assert_patched(text=\"yes\")\n"
                ));
            }
            FieldType::Int | FieldType::Float => {
                fields_html.push(format!(
                    "    <p>{label}: <span class=\"{n}\">{{{{ {n} }}}}</span></p>"
                ));
            }
        }
    }
    let vars = [
        ("app", app.to_string()),
        ("snake", module.clone()),
        ("class", class.clone()),
        ("module", py_module.clone()),
        ("view_path", view_path.clone()),
        ("title", title),
        ("counter", counter),
        ("state_init", state_init.join("\n")),
        ("state_asserts", state_asserts.join("\n")),
        ("fields_html", fields_html.join("\n")),
        ("model_tests", model_tests),
    ];
    let r = |n: &str| t.render(n, &vars);
    let files = vec![
        marker(format!("{app}/live/__init__.py")),
        file(format!("{app}/live/{module}.py"), r("view/view.py")?),
        file(
            format!("{app}/templates/{app}/{module}.html"),
            r("view/template.html")?,
        ),
        marker(format!("{app}/tests/__init__.py")),
        file(format!("{app}/tests/test_{module}.py"), r("view/test_view.py")?),
    ];
    let route = module.replace('_', "-");
    Ok(Generated {
        files,
        wiring: vec![Wire::Route {
            file: format!("{app}/urls.py"),
            entry: format!("path(\"{route}/\", {class}.as_view(), name=\"{module}\")"),
            imports: vec![
                Import {
                    module: "django.urls".into(),
                    name: "path".into(),
                },
                Import {
                    module: py_module,
                    name: class,
                },
            ],
        }],
        next: vec![format!("pytest {app}/tests/test_{module}.py")],
    })
}

/// `djust new component NAME --app APP [--stateless]`.
pub fn component(t: &Templates, app: &str, name: &str, stateless: bool) -> Result<Generated, ScaffoldError> {
    let (module, class) = split_name(name, NameKind::Component, "Component")?;
    let py_module = format!("{app}.components.{module}");
    let component_path = format!("{py_module}.{class}");
    let vars = [
        ("app", app.to_string()),
        ("snake", module.clone()),
        ("css", module.replace('_', "-")),
        ("class", class.clone()),
        ("module", py_module),
        ("component_path", component_path.clone()),
    ];
    let r = |n: &str| t.render(n, &vars);
    let (py, html, test) = if stateless {
        (
            "component/stateless.py",
            "component/stateless.html",
            "component/test_stateless.py",
        )
    } else {
        (
            "component/live.py",
            "component/live.html",
            "component/test_live.py",
        )
    };
    let files = vec![
        marker(format!("{app}/components/__init__.py")),
        file(format!("{app}/components/{module}.py"), r(py)?),
        file(
            format!("{app}/templates/{app}/components/{module}.html"),
            r(html)?,
        ),
        marker(format!("{app}/tests/__init__.py")),
        file(format!("{app}/tests/test_{module}_component.py"), r(test)?),
    ];
    let usage = if stateless {
        format!("{{% component \"{component_path}\" label=\"…\" %}}")
    } else {
        format!("{{% live_component \"{component_path}\" id=\"{module}\" %}}")
    };
    Ok(Generated {
        files,
        wiring: Vec::new(),
        next: vec![format!("use it in a LiveView's template: {usage}")],
    })
}

/// The template a LiveView's missing `template_name` should hold (the language
/// server's "create template"): a page whose root is the view.
pub fn blank_template(t: &Templates, view_path: &str) -> Result<String, ScaffoldError> {
    let class = view_path.rsplit('.').next().unwrap_or(view_path);
    let title = class
        .strip_suffix("View")
        .filter(|s| !s.is_empty())
        .unwrap_or(class)
        .to_string();
    t.render(
        "view/blank.html",
        &[("title", title), ("view_path", view_path.to_string())],
    )
}
